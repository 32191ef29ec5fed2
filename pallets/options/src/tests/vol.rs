//! Issue 16, item 4: orders priced in implied volatility. The mock prices with the pricing
//! crate's Black-Scholes (the margin pallet's model) at the mock oracle's index price.
//!
//! The series of these tests is the golden vectors' `hull_bsm_example`: an ETH call, strike
//! 40 USD, expiring half a year (15,768,000 s) after the first block, priced with a 10 % rate;
//! contract size 1 ETH, price tick 0.01 USDC. At S = 42 and 20 % volatility the golden call is
//! 4.759422392871532 USD: an ask rests at 4.76 (rounded up), a bid at 4.75 (down). One block
//! (6 s) later, the same 20 % is worth 6.4074729... at S = 44 (ask 6.41) and 3.3111207... at
//! S = 40 (bid 3.31) (closed-form Black-Scholes, worked out in double precision; every figure
//! is far from a tick boundary).

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::{Hooks, Time},
	weights::Weight,
};
use optionchain_primitives::{
	exchange::{Balance, Contracts, OptionKind, SeriesId, Side},
	testing::MockOracle,
	units, PriceStatus,
};
use sp_arithmetic::FixedU128;

/// 0.01 USDC.
const CENT: Balance = USDC / 100;
/// Half a year (ms).
const HALF_YEAR_MS: u64 = 15_768_000_000;

/// `percent` % a year.
fn vol(percent: u128) -> FixedU128 {
	units::ratio(percent, 100)
}

/// The golden case's market: ETH at 42 USD, a 10 % rate, strike ticks of 10 USD and a price
/// tick of one cent; the call strike 40 expiring half a year from now.
fn golden_series() -> SeriesId {
	let config = UnderlyingConfig { strike_tick: usd(10), price_tick: CENT, ..eth_config() };
	assert_ok!(Options::do_configure_underlying(ETH, config));
	MockOracle::set_price(ETH, usd(42), PriceStatus::Fresh);
	MockMargin::set_rate(units::ratio(1, 10));
	Options::do_list_series(ETH, usd(40), Timestamp::now() + HALF_YEAR_MS, OptionKind::Call)
		.expect("listing works")
}

fn vol_req(series: SeriesId, side: Side, percent: u128, quantity: Contracts) -> VolOrderRequest {
	VolOrderRequest {
		series,
		side,
		volatility: vol(percent),
		quantity,
		time_in_force: TimeInForce::GoodTillCancelled,
		reduce_only: false,
	}
}

fn place_vol(who: u64, r: VolOrderRequest) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Options::place_vol_order(RuntimeOrigin::signed(who), r)
}

/// `place_vol` with the error alone (refusals are charged a weight).
fn try_vol(who: u64, r: VolOrderRequest) -> sp_runtime::DispatchResult {
	place_vol(who, r).map(|_| ()).map_err(|e| e.error)
}

fn last_order() -> OrderId {
	NextOrderId::<Test>::get() - 1
}

/// `(price, quantity)` of every fill so far.
fn fills() -> Vec<(Balance, Contracts)> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::OrderFilled { price, quantity, .. } => Some((price, quantity)),
			_ => None,
		})
		.collect()
}

/// `who`'s reserved premium on `side` of `series`.
fn reserved(series: SeriesId, who: u64, side: Side) -> Balance {
	let e = Positions::<Test>::get(series, who).unwrap_or_default();
	match side {
		Side::Buy => e.buy_premium,
		Side::Sell => e.sell_premium,
	}
}

#[test]
fn golden_case_rests_at_its_premium_rounded_in_the_owners_favour() {
	build_and_execute(|| {
		let s = golden_series();
		assert_ok!(place_vol(ALICE, vol_req(s, Side::Sell, 20, 3)));
		let ask = last_order();
		assert_ok!(place_vol(BOB, vol_req(s, Side::Buy, 20, 2)));
		let bid = last_order();
		// 4.759422... USD: the ask up to 4.76, the bid down to 4.75.
		assert_eq!(book(s, Side::Sell), vec![(ask, ALICE, 476 * CENT, 3)]);
		assert_eq!(book(s, Side::Buy), vec![(bid, BOB, 475 * CENT, 2)]);
		assert!(events().contains(&Event::VolOrderPlaced {
			order_id: ask,
			who: ALICE,
			series: s,
			side: Side::Sell,
			volatility: vol(20),
			price: 476 * CENT,
		}));
		// Reserved at the premium like any resting order.
		assert_eq!(reserved(s, BOB, Side::Buy), 2 * 475 * CENT);
		assert_eq!(reserved(s, ALICE, Side::Sell), 3 * 476 * CENT);
		assert_eq!(VolOrderCount::<Test>::get(), 2);
		assert_eq!(
			VolOrders::<Test>::get(s).unwrap().into_inner(),
			vec![
				VolEntry { id: ask, owner: ALICE, volatility: vol(20) },
				VolEntry { id: bid, owner: BOB, volatility: vol(20) }
			]
		);
	});
}

#[test]
fn an_ask_rises_with_the_index_and_fills_at_the_blocks_premium() {
	build_and_execute(|| {
		let s = golden_series();
		assert_ok!(place_vol(ALICE, vol_req(s, Side::Sell, 20, 3)));
		let ask = last_order();
		// A taker in this block pays 4.76.
		assert_ok!(place(CHARLIE, ioc(s, Side::Buy, 10 * USDC, 1)));
		assert_eq!(fills(), vec![(476 * CENT, 1)]);
		// The index rises to 44: in the next block the same 20 % is worth 6.4074729... USD.
		MockOracle::set_price(ETH, usd(44), PriceStatus::Fresh);
		next_block();
		assert_eq!(book(s, Side::Sell), vec![(ask, ALICE, 641 * CENT, 2)]);
		assert_eq!(reserved(s, ALICE, Side::Sell), 2 * 641 * CENT);
		// One event per series says what moved.
		assert!(events().contains(&Event::VolOrdersRepriced {
			series: s,
			prices: vec![(ask, 641 * CENT)].try_into().unwrap(),
		}));
		// A taker whose limit is below the new premium does not fill; one above pays 6.41.
		assert_ok!(place(DAVE, ioc(s, Side::Buy, 640 * CENT, 1)));
		assert_eq!(fills().len(), 1);
		let before = balance(DAVE);
		assert_ok!(place(DAVE, ioc(s, Side::Buy, 10 * USDC, 1)));
		assert_eq!(fills(), vec![(476 * CENT, 1), (641 * CENT, 1)]);
		let taker_fee = 300_000;
		assert_eq!(before - balance(DAVE), 641 * CENT + taker_fee);
		assert_eq!(book(s, Side::Sell), vec![(ask, ALICE, 641 * CENT, 1)]);
	});
}

#[test]
fn a_bid_falls_with_the_index_and_its_reserve_with_it() {
	build_and_execute(|| {
		let s = golden_series();
		assert_ok!(place_vol(BOB, vol_req(s, Side::Buy, 20, 4)));
		let bid = last_order();
		assert_eq!(reserved(s, BOB, Side::Buy), 4 * 475 * CENT);
		MockOracle::set_price(ETH, usd(40), PriceStatus::Fresh);
		next_block();
		// 3.3111207... USD, rounded down.
		assert_eq!(book(s, Side::Buy), vec![(bid, BOB, 331 * CENT, 4)]);
		assert_eq!(reserved(s, BOB, Side::Buy), 4 * 331 * CENT);
		// A seller at 3.31 fills against it.
		assert_ok!(place(CHARLIE, ioc(s, Side::Sell, 331 * CENT, 4)));
		assert_eq!(fills(), vec![(331 * CENT, 4)]);
		assert!(book(s, Side::Buy).is_empty());
		// The filled order's entry goes at the next block's repricing.
		assert_eq!(VolOrderCount::<Test>::get(), 1);
		next_block();
		assert_eq!(VolOrderCount::<Test>::get(), 0);
		assert!(VolOrders::<Test>::get(s).is_none());
	});
}

#[test]
fn priority_is_by_premium_then_age_every_block() {
	build_and_execute(|| {
		let s = golden_series();
		// A premium ask at 4.76 first, then a 20 % ask (4.76 too), then one at 25 % (5.23).
		gtc(CHARLIE, s, Side::Sell, 476 * CENT, 1);
		let fixed = last_order();
		assert_ok!(place_vol(ALICE, vol_req(s, Side::Sell, 25, 1)));
		let high = last_order();
		assert_ok!(place_vol(BOB, vol_req(s, Side::Sell, 20, 1)));
		let low = last_order();
		assert_eq!(
			book(s, Side::Sell),
			vec![
				(fixed, CHARLIE, 476 * CENT, 1),
				(low, BOB, 476 * CENT, 1),
				(high, ALICE, 523 * CENT, 1)
			]
		);
		// At S = 44 the volatility orders move above the premium one, in volatility order.
		MockOracle::set_price(ETH, usd(44), PriceStatus::Fresh);
		next_block();
		assert_eq!(
			book(s, Side::Sell),
			vec![
				(fixed, CHARLIE, 476 * CENT, 1),
				(low, BOB, 641 * CENT, 1),
				(high, ALICE, 679 * CENT, 1)
			]
		);
		// A buyer takes them in that order, each at its own price.
		assert_ok!(place(DAVE, ioc(s, Side::Buy, 7 * USDC, 3)));
		assert_eq!(fills(), vec![(476 * CENT, 1), (641 * CENT, 1), (679 * CENT, 1)]);
	});
}

#[test]
fn repricing_never_crosses_the_book() {
	build_and_execute(|| {
		let s = golden_series();
		assert_ok!(place_vol(ALICE, vol_req(s, Side::Sell, 20, 1)));
		let ask = last_order();
		assert_ok!(place_vol(BOB, vol_req(s, Side::Buy, 15, 1)));
		let bid = last_order();
		// 15 % at S = 42: 4.3523518... USD, a bid of 4.35.
		assert_eq!(book(s, Side::Buy), vec![(bid, BOB, 435 * CENT, 1)]);
		// A premium bid at 4.50, between them.
		gtc(CHARLIE, s, Side::Buy, 450 * CENT, 1);
		let fixed_bid = last_order();
		// At S = 44 the 20 % ask is worth 6.41 and the 15 % bid 6.12, but a premium ask at
		// 6.00 rests: the bid stays a tick below it.
		MockOracle::set_price(ETH, usd(44), PriceStatus::Fresh);
		gtc(DAVE, s, Side::Sell, 600 * CENT, 1);
		let fixed_ask = last_order();
		next_block();
		assert_eq!(
			book(s, Side::Sell),
			vec![(fixed_ask, DAVE, 600 * CENT, 1), (ask, ALICE, 641 * CENT, 1)]
		);
		assert_eq!(
			book(s, Side::Buy),
			vec![(bid, BOB, 599 * CENT, 1), (fixed_bid, CHARLIE, 450 * CENT, 1)]
		);
		assert_eq!(reserved(s, BOB, Side::Buy), 599 * CENT);
		// Back at S = 40 the premium bid at 4.50 is above the 20 % ask's 3.3111... (3.32): the
		// ask stays a tick above it. The 15 % bid: 2.8057856... USD, 2.80.
		MockOracle::set_price(ETH, usd(40), PriceStatus::Fresh);
		assert_ok!(Options::cancel_order(RuntimeOrigin::signed(DAVE), fixed_ask));
		next_block();
		assert_eq!(book(s, Side::Sell), vec![(ask, ALICE, 451 * CENT, 1)]);
		assert_eq!(
			book(s, Side::Buy),
			vec![(fixed_bid, CHARLIE, 450 * CENT, 1), (bid, BOB, 280 * CENT, 1)]
		);
		assert_eq!(reserved(s, BOB, Side::Buy), 280 * CENT);
	});
}

#[test]
fn a_bid_whose_premium_rounds_to_zero_is_cancelled() {
	build_and_execute(|| {
		let s = golden_series();
		assert_ok!(place_vol(BOB, vol_req(s, Side::Buy, 20, 2)));
		let bid = last_order();
		// At S = 10 the strike-40 call at 20 % is worth far less than a cent: the bid cannot
		// rest at zero, it is cancelled and its reserve released.
		MockOracle::set_price(ETH, usd(10), PriceStatus::Fresh);
		next_block();
		assert_eq!(reasons(), vec![(bid, CancelReason::VolatilityUnpriced)]);
		assert!(book(s, Side::Buy).is_empty());
		assert!(Positions::<Test>::get(s, BOB).is_none());
		assert_eq!(VolOrderCount::<Test>::get(), 0);
	});
}

#[test]
fn no_fresh_index_cancels_every_volatility_order_of_the_underlying() {
	build_and_execute(|| {
		let s = golden_series();
		assert_ok!(place_vol(ALICE, vol_req(s, Side::Sell, 20, 1)));
		let ask = last_order();
		assert_ok!(place_vol(BOB, vol_req(s, Side::Buy, 20, 1)));
		let bid = last_order();
		gtc(CHARLIE, s, Side::Sell, 9 * USDC, 1);
		let fixed = last_order();
		MockOracle::set_status(ETH, PriceStatus::Stale);
		next_block();
		assert_eq!(
			reasons(),
			vec![(ask, CancelReason::VolatilityUnpriced), (bid, CancelReason::VolatilityUnpriced)]
		);
		assert_eq!(book(s, Side::Sell), vec![(fixed, CHARLIE, 9 * USDC, 1)]);
		assert!(book(s, Side::Buy).is_empty());
		assert_eq!(VolOrderCount::<Test>::get(), 0);
		assert_eq!(VolOrders::<Test>::count(), 0);
		assert_eq!(reserved(s, BOB, Side::Buy), 0);
		// Nor can one be placed.
		assert_noop!(
			try_vol(ALICE, vol_req(s, Side::Sell, 20, 1)),
			Error::<Test>::VolatilityUnpriced
		);
	});
}

#[test]
fn bad_volatility_orders_are_refused() {
	build_and_execute(|| {
		let s = golden_series();
		for percent in [0, 10_001] {
			assert_noop!(
				try_vol(ALICE, vol_req(s, Side::Sell, percent, 1)),
				Error::<Test>::InvalidVolatility
			);
		}
		let immediate = VolOrderRequest {
			time_in_force: TimeInForce::ImmediateOrCancel,
			..vol_req(s, Side::Sell, 20, 1)
		};
		assert_noop!(try_vol(ALICE, immediate), Error::<Test>::InvalidTimeInForce);
		assert_noop!(
			try_vol(ALICE, vol_req(s + 100, Side::Sell, 20, 1)),
			Error::<Test>::UnknownSeries
		);
		assert_noop!(try_vol(ALICE, vol_req(s, Side::Sell, 20, 0)), Error::<Test>::InvalidQuantity);
		// It never takes: a bid at 20 % (4.75) against an ask at 4.70 is refused.
		gtc(CHARLIE, s, Side::Sell, 470 * CENT, 1);
		assert_noop!(try_vol(BOB, vol_req(s, Side::Buy, 20, 1)), Error::<Test>::PostOnlyWouldTake);
		// A bid worth less than a cent: 1 % on a far out-of-the-money call.
		let far = Options::do_list_series(
			ETH,
			usd(400),
			Timestamp::now() + HALF_YEAR_MS,
			OptionKind::Call,
		)
		.unwrap();
		assert_noop!(
			try_vol(BOB, vol_req(far, Side::Buy, 1, 1)),
			Error::<Test>::VolatilityUnpriced
		);
		// An expired series.
		set_time(Timestamp::now() + HALF_YEAR_MS);
		assert_noop!(try_vol(ALICE, vol_req(s, Side::Sell, 20, 1)), Error::<Test>::SeriesExpired);
	});
}

/// The golden market's far calls (strikes 50, 60, 70), listed for half a year.
fn far_calls() -> (SeriesId, SeriesId, SeriesId) {
	let strike = |k: u128| {
		Options::do_list_series(ETH, usd(k), Timestamp::now() + HALF_YEAR_MS, OptionKind::Call)
			.unwrap()
	};
	(strike(50), strike(60), strike(70))
}

#[test]
fn capacity_is_bounded_and_a_board_can_be_refreshed_in_one_block() {
	build_and_execute(|| {
		// The mock: 4 per series, 3 series, 6 in all, 5 per account.
		let s = golden_series();
		let (s2, s3, s4) = far_calls();
		for pct in [20, 21, 22, 23] {
			assert_ok!(place_vol(ALICE, vol_req(s, Side::Sell, pct, 1)));
		}
		assert_noop!(try_vol(ALICE, vol_req(s, Side::Sell, 24, 1)), Error::<Test>::VolOrdersFull);
		assert_ok!(place_vol(BOB, vol_req(s2, Side::Sell, 20, 1)));
		assert_ok!(place_vol(CHARLIE, vol_req(s3, Side::Sell, 20, 3)));
		// Three series hold some, and six in all rest.
		assert_noop!(try_vol(DAVE, vol_req(s4, Side::Sell, 20, 10)), Error::<Test>::VolOrdersFull);
		assert_noop!(try_vol(DAVE, vol_req(s2, Side::Sell, 21, 1)), Error::<Test>::VolOrdersFull);
		// Alice refreshes her board in one block: the series' cancelled orders are counted
		// out when she places again there.
		assert_ok!(Options::cancel_all(RuntimeOrigin::signed(ALICE), Some(s)));
		for pct in [30, 31, 32, 33] {
			assert_ok!(place_vol(ALICE, vol_req(s, Side::Sell, pct, 1)));
		}
		assert_eq!(VolOrderCount::<Test>::get(), 6);
		assert_eq!(VolOrdersOf::<Test>::get(ALICE), 4);
		// A place freed in another series comes back at the next block.
		let bobs = VolOrders::<Test>::get(s2).unwrap()[0].id;
		assert_ok!(Options::cancel_order(RuntimeOrigin::signed(BOB), bobs));
		assert_noop!(try_vol(DAVE, vol_req(s4, Side::Sell, 20, 10)), Error::<Test>::VolOrdersFull);
		next_block();
		assert_eq!(VolOrderCount::<Test>::get(), 5);
		assert_eq!(VolOrdersOf::<Test>::get(BOB), 0);
		assert_ok!(place_vol(DAVE, vol_req(s4, Side::Sell, 20, 10)));
	});
}

#[test]
fn one_account_holds_at_most_its_share_and_each_order_a_minimum_premium() {
	build_and_execute(|| {
		let s = golden_series();
		let (s2, s3, _) = far_calls();
		for pct in [20, 21, 22, 23] {
			assert_ok!(place_vol(EVE, vol_req(s, Side::Sell, pct, 1)));
		}
		assert_ok!(place_vol(EVE, vol_req(s2, Side::Sell, 20, 1)));
		// Five of six places taken, all Eve's: her sixth is refused, anyone else's rests.
		assert_noop!(try_vol(EVE, vol_req(s3, Side::Sell, 20, 3)), Error::<Test>::VolOrdersFull);
		// The strike-60 call at 20 % is worth about 0.04 USD: one contract is below the mock's
		// minimum premium (0.10 USD), three are not.
		assert_noop!(
			try_vol(ALICE, vol_req(s3, Side::Sell, 20, 1)),
			Error::<Test>::VolOrderTooSmall
		);
		assert_ok!(place_vol(ALICE, vol_req(s3, Side::Sell, 20, 3)));
		let price = book(s3, Side::Sell)[0].2;
		assert!(price * 3 >= USDC / 10 && price < USDC / 10, "{price}");
	});
}

#[test]
fn a_quote_replaces_a_volatility_order_instead_of_keeping_it() {
	build_and_execute(|| {
		let s = golden_series();
		assert_ok!(place_vol(ALICE, vol_req(s, Side::Sell, 20, 2)));
		let ask = last_order();
		// A leg at the same price and a smaller size would keep a premium order in place.
		let leg = QuoteLeg { price: 476 * CENT, quantity: 1 };
		assert_ok!(Options::quote(
			RuntimeOrigin::signed(ALICE),
			vec![QuoteRequest { series: s, bid: None, ask: Some(leg) }].try_into().unwrap()
		));
		assert_eq!(reasons(), vec![(ask, CancelReason::Requoted)]);
		let new = last_order();
		assert_eq!(book(s, Side::Sell), vec![(new, ALICE, 476 * CENT, 1)]);
		// It stays at its premium: no longer priced by volatility.
		MockOracle::set_price(ETH, usd(44), PriceStatus::Fresh);
		next_block();
		assert_eq!(book(s, Side::Sell), vec![(new, ALICE, 476 * CENT, 1)]);
		assert_eq!(VolOrderCount::<Test>::get(), 0);
	});
}

#[test]
fn an_expired_series_drops_its_entries() {
	build_and_execute(|| {
		let s = golden_series();
		assert_ok!(place_vol(ALICE, vol_req(s, Side::Sell, 20, 1)));
		next_block_after(HALF_YEAR_MS, Weight::zero());
		assert_eq!(VolOrderCount::<Test>::get(), 0);
		assert!(VolOrders::<Test>::get(s).is_none());
	});
}

#[test]
fn the_repricing_weight_is_reserved_at_the_start_of_the_block() {
	build_and_execute(|| {
		let s = golden_series();
		let none = Options::on_initialize(System::block_number());
		assert_ok!(place_vol(ALICE, vol_req(s, Side::Sell, 20, 1)));
		assert_ok!(place_vol(BOB, vol_req(s, Side::Buy, 20, 1)));
		let two = Options::on_initialize(System::block_number());
		// The benchmark for one series and two orders, the pricing call (20,000) and two
		// volatilities (100,000 each), each order's good-till entry (a write) and the count of
		// orders (read only when a series holds some).
		let bench = <() as crate::weights::WeightInfo>::reprice_vol_orders(1, 2);
		assert_eq!(
			two - none,
			bench + Weight::from_parts(220_000, 0) + db_weight().writes(2) + db_weight().reads(1)
		);
		// Each distinct volatility and rounding is priced once per block.
		MockMargin::take_premiums_priced();
		assert_ok!(place_vol(CHARLIE, vol_req(s, Side::Sell, 20, 1)));
		assert_eq!(MockMargin::take_premiums_priced(), 1);
		next_block();
		assert_eq!(MockMargin::take_premiums_priced(), 2);
	});
}

#[test]
fn the_api_lists_the_volatility_orders_still_resting() {
	build_and_execute(|| {
		let s = golden_series();
		assert_ok!(place_vol(ALICE, vol_req(s, Side::Sell, 20, 1)));
		let ask = last_order();
		assert_ok!(place_vol(BOB, vol_req(s, Side::Buy, 15, 1)));
		let bid = last_order();
		assert_eq!(
			Options::api_vol_orders(s),
			vec![
				VolEntry { id: ask, owner: ALICE, volatility: vol(20) },
				VolEntry { id: bid, owner: BOB, volatility: vol(15) }
			]
		);
		// Cancelled: gone from the view at once (its entry goes at the next block).
		assert_ok!(Options::cancel_order(RuntimeOrigin::signed(ALICE), ask));
		assert_eq!(
			Options::api_vol_orders(s),
			vec![VolEntry { id: bid, owner: BOB, volatility: vol(15) }]
		);
		assert_eq!(VolOrders::<Test>::get(s).map(|l| l.len()), Some(2));
		// Its premium of the block is in the open orders.
		let open = Options::api_open_orders(&BOB);
		assert_eq!(
			open.iter().map(|o| (o.id, o.price)).collect::<Vec<_>>(),
			vec![(bid, 435 * CENT)]
		);
	});
}

/// helper-34 finding 2: an order past its good-till block stays in the book until something
/// removes it, but it can never fill; the post-only check ignores it, and so does the
/// repricing. Bob's 20 % bid rests at 4.75 under Eve's ask at 5.00, good till this block. At
/// S = 44 the bid is worth 6.4074729... (6.40) in the next block, where Eve's ask is dead:
/// before the fix the repricing kept the bid a tick below it, at 4.99.
#[test]
fn a_dead_good_till_order_does_not_push_volatility_orders_away() {
	build_and_execute(|| {
		let s = golden_series();
		assert_ok!(place_vol(BOB, vol_req(s, Side::Buy, 20, 1)));
		let bid = last_order();
		let n = System::block_number() as u32;
		let dying = OrderRequest {
			time_in_force: TimeInForce::GoodTillBlock(n),
			post_only: true,
			..req(s, Side::Sell, 500 * CENT, 1)
		};
		assert_ok!(place(EVE, dying));
		let dead = last_order();
		MockOracle::set_price(ETH, usd(44), PriceStatus::Fresh);
		// No idle weight: nothing removes Eve's ask.
		next_block_after(BLOCK_MS, Weight::zero());
		assert_eq!(book(s, Side::Sell), vec![(dead, EVE, 500 * CENT, 1)]);
		assert_eq!(book(s, Side::Buy), vec![(bid, BOB, 640 * CENT, 1)]);
		assert!(reasons().is_empty());
	});
}

/// helper-34 finding 8: a volatility-priced order past its good-till block is removed by the
/// repricing (`GoodTillReached`), its place freed, instead of being priced again.
#[test]
fn a_volatility_order_past_its_block_is_removed_at_the_next_repricing() {
	build_and_execute(|| {
		let s = golden_series();
		let n = System::block_number() as u32;
		let r = VolOrderRequest {
			time_in_force: TimeInForce::GoodTillBlock(n),
			..vol_req(s, Side::Sell, 20, 1)
		};
		assert_ok!(place_vol(ALICE, r));
		let ask = last_order();
		// No idle weight: only the repricing can remove it.
		next_block_after(BLOCK_MS, Weight::zero());
		assert_eq!(reasons(), vec![(ask, CancelReason::GoodTillReached)]);
		assert!(book(s, Side::Sell).is_empty());
		assert_eq!(VolOrderCount::<Test>::get(), 0);
		assert_eq!(VolOrdersOf::<Test>::get(ALICE), 0);
		assert_eq!(reserved(s, ALICE, Side::Sell), 0);
	});
}

/// helper-35 finding 3: a volatility-priced order the repricing cancels takes its good-till
/// index entry with it (before, the entry stayed until its removal block, up to a day).
#[test]
fn a_cancelled_good_till_volatility_order_leaves_no_index_entry() {
	build_and_execute(|| {
		let s = golden_series();
		let r = VolOrderRequest {
			time_in_force: TimeInForce::GoodTillTime(Timestamp::now() + 600_000),
			..vol_req(s, Side::Buy, 20, 1)
		};
		assert_ok!(place_vol(BOB, r));
		let bid = last_order();
		assert_eq!(ExpiringOrders::<Test>::iter().count(), 1);
		MockOracle::set_status(ETH, PriceStatus::Stale);
		next_block_after(BLOCK_MS, Weight::zero());
		assert_eq!(reasons(), vec![(bid, CancelReason::VolatilityUnpriced)]);
		assert_eq!(ExpiringOrders::<Test>::iter().count(), 0);
	});
}

/// helper-35 finding 7c: counting a series out at placement counts out every owner's gone
/// orders, in the same block; and both sides moving are listed in one event, by id.
#[test]
fn a_placement_counts_out_other_owners_gone_orders_and_one_event_lists_both_sides() {
	build_and_execute(|| {
		let s = golden_series();
		assert_ok!(place_vol(BOB, vol_req(s, Side::Sell, 30, 1)));
		let bobs = last_order();
		for pct in [20, 21, 22] {
			assert_ok!(place_vol(ALICE, vol_req(s, Side::Sell, pct, 1)));
		}
		assert_ok!(Options::cancel_order(RuntimeOrigin::signed(BOB), bobs));
		assert_eq!(VolOrdersOf::<Test>::get(BOB), 1);
		// The series is full (4): Alice's bid counts Bob's cancelled ask out first.
		assert_ok!(place_vol(ALICE, vol_req(s, Side::Buy, 15, 1)));
		let bid = last_order();
		assert_eq!(VolOrdersOf::<Test>::get(BOB), 0);
		assert_eq!(VolOrdersOf::<Test>::get(ALICE), 4);
		assert_eq!(VolOrderCount::<Test>::get(), 4);
		// At S = 44 every one moves: 20 %, 21 %, 22 % asks and the 15 % bid (6.12).
		MockOracle::set_price(ETH, usd(44), PriceStatus::Fresh);
		next_block();
		let moved = events()
			.into_iter()
			.find_map(|e| match e {
				Event::VolOrdersRepriced { series, prices } if series == s => Some(prices),
				_ => None,
			})
			.expect("repriced");
		let ids: Vec<OrderId> = moved.iter().map(|(id, _)| *id).collect();
		assert_eq!(ids.len(), 4);
		assert!(ids.windows(2).all(|w| w[0] < w[1]), "by id");
		assert!(moved.contains(&(bid, 612 * CENT)));
	});
}
