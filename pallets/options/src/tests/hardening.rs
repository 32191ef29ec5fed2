//! Issue 11: attack scenarios against the order book, each named after the scenario. The mock
//! margin ledger refuses a payment the payer cannot make and, for an account switched to
//! "reject", every margin check unless the action did not grow its total position.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo};
use optionchain_primitives::{
	exchange::{OptionKind, PositionsProvider, Side},
	testing::MockOracle,
};

/// A trader with little money.
const POOR: u64 = 7;

#[test]
fn a_maker_that_cannot_pay_does_not_block_takers() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		// POOR holds 10 USDC and bids 10 USDC for 1 contract: it can pay the premium but not
		// the 0.10 maker fee. Alice bids 9 below it.
		mint(POOR, 10 * USDC);
		gtc(POOR, s, Side::Buy, 10 * USDC, 1); // order 0
		gtc(ALICE, s, Side::Buy, 9 * USDC, 1); // order 1

		// Bob sells 1 at 9: the top bid cannot pay, is cancelled, and Bob fills with Alice.
		// (Before: every sell reaching the top bid failed, and only its owner could remove it.)
		assert_ok!(place(BOB, req(s, Side::Sell, 9 * USDC, 1)));
		assert_eq!(reasons(), vec![(0, CancelReason::MakerCannotPay)]);
		assert_eq!((net(s, BOB), net(s, ALICE), net(s, POOR)), (-1, 1, 0));
		assert_eq!(balance(POOR), 10 * USDC);
		assert!(book(s, Side::Buy).is_empty());
		// Premium 9 USDC; fees 0.3 (taker) and 0.1 (maker).
		assert_eq!(balance(BOB), FUNDING + 9 * USDC - 300_000);
		assert_eq!(balance(ALICE), FUNDING - 9 * USDC - 100_000);
	});
}

#[test]
fn a_maker_that_cannot_pay_the_premium_does_not_block_takers() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		mint(POOR, 10 * USDC);
		gtc(POOR, s, Side::Buy, 10 * USDC, 2); // needs 20: its money went elsewhere
		gtc(ALICE, s, Side::Buy, 8 * USDC, 2);
		// A seller of 2 reaches the bid of 2 x 10 = 20 USDC: cancelled; fills at 8 with Alice.
		assert_ok!(place(BOB, req(s, Side::Sell, 8 * USDC, 2)));
		assert_eq!(reasons(), vec![(0, CancelReason::MakerCannotPay)]);
		assert_eq!(net(s, ALICE), 2);
	});
}

#[test]
fn a_taker_that_cannot_pay_fails_with_its_own_cause() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		gtc(ALICE, s, Side::Sell, 10 * USDC, 1);
		mint(POOR, 10 * USDC);
		// POOR pays the premium but not its 0.30 taker fee: its order fails, the ask stays.
		assert_rejected(
			|| place(POOR, req(s, Side::Buy, 10 * USDC, 1)),
			crate::mock::INSUFFICIENT_COLLATERAL,
		);
		assert_eq!(book(s, Side::Sell).len(), 1);
	});
}

#[test]
fn resting_orders_reserve_their_maker_fees() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		// 3 bids at 10 and 2 asks at 50: 5 contracts x 0.10 = 0.50 (below 12.5 % of 130).
		gtc(ALICE, s, Side::Buy, 10 * USDC, 3);
		gtc(ALICE, s, Side::Sell, 50 * USDC, 2);
		let p = <Options as PositionsProvider<u64>>::portfolio(&ALICE);
		assert_eq!(p.orders[0].fee_reserve, 500_000);
		// ETH, tick 0.1: 10 bids at 0.5 USDC: 1.00 by contracts, capped at 12.5 % of 5 = 0.625.
		let e = Options::do_list_series(ETH, usd(3_000), EXPIRY, OptionKind::Call).unwrap();
		gtc(BOB, e, Side::Buy, USDC / 2, 10);
		let p = <Options as PositionsProvider<u64>>::portfolio(&BOB);
		assert_eq!(p.orders[0].fee_reserve, 625_000);
	});
}

#[test]
fn a_restricted_taker_may_buy_back_reduce_only() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		// Bob is short 2 and under a margin call.
		gtc(ALICE, s, Side::Buy, 100 * USDC, 2);
		gtc(BOB, s, Side::Sell, 100 * USDC, 2);
		MockMargin::reject_margin(BOB, true);
		gtc(CHARLIE, s, Side::Sell, 100 * USDC, 3);
		// A buy that would rest beyond his position (not reduce-only) is refused...
		assert_rejected(
			|| place(BOB, req(s, Side::Buy, 90 * USDC, 1)),
			Error::<Test>::TakerInsufficientMargin,
		);
		// ...a reduce-only buy of 1 of his 2 passes (before: TakerInsufficientMargin).
		let mut r = req(s, Side::Buy, 100 * USDC, 1);
		r.reduce_only = true;
		assert_ok!(place(BOB, r));
		assert_eq!(net(s, BOB), -1);
		// An immediate-or-cancel buy that closes the rest passes too (nothing rests).
		let mut r = req(s, Side::Buy, 100 * USDC, 1);
		r.time_in_force = TimeInForce::ImmediateOrCancel;
		assert_ok!(place(BOB, r));
		assert_eq!(net(s, BOB), 0);
		// But opening a new long does not.
		let mut r = req(s, Side::Buy, 100 * USDC, 1);
		r.time_in_force = TimeInForce::ImmediateOrCancel;
		assert_rejected(|| place(BOB, r), Error::<Test>::TakerInsufficientMargin);
		MockMargin::reject_margin(BOB, false);
	});
}

#[test]
fn a_restricted_makers_reduce_only_bid_fills() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		gtc(ALICE, s, Side::Buy, 100 * USDC, 2); // order 0
		gtc(BOB, s, Side::Sell, 100 * USDC, 2); // order 1

		// Bob, short 2 and under a margin call, rests a reduce-only bid (order 2): it cannot
		// raise his risk, so it may rest.
		MockMargin::reject_margin(BOB, true);
		let mut r = req(s, Side::Buy, 100 * USDC, 1);
		r.reduce_only = true;
		assert_ok!(place(BOB, r));
		// Dave sells 1 into it: Bob's check against his figures before the fill passes
		// (before: the order was cancelled by margin and Dave's sell rested). Dave's plan saw a
		// reduce-only order of a cold maker: a retry (a step, Bob's figures and a second check
		// at his one series) is in its budget.
		assert_ok!(submit(DAVE, req(s, Side::Sell, 100 * USDC, 1)));
		let planned = crate::QueuedOrders::<Test>::get(0).expect("queued").budget;
		assert_eq!((planned.cold, planned.retries), (1, 1));
		let check = <MockMargin as optionchain_primitives::exchange::MarginAccounts<u64>>::margin_check_weight_for_series(1);
		assert_eq!(planned.cold_checks, check * 3);
		end_transactions();
		assert_eq!(net(s, BOB), -1);
		assert_eq!(net(s, DAVE), -1);
		assert!(reasons().is_empty());
		MockMargin::reject_margin(BOB, false);
	});
}

#[test]
fn a_restricted_makers_plain_order_is_cancelled() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		// Bob rests a plain bid, then falls under a margin call: a fill would raise his risk.
		gtc(BOB, s, Side::Buy, 100 * USDC, 1); // order 0
		MockMargin::reject_margin(BOB, true);
		gtc(DAVE, s, Side::Sell, 100 * USDC, 1);
		assert_eq!(reasons(), vec![(0, CancelReason::ByMargin)]);
		assert_eq!(net(s, BOB), 0);
		MockMargin::reject_margin(BOB, false);
	});
}

#[test]
fn a_takers_failing_check_keeps_its_cause() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		gtc(ALICE, s, Side::Sell, 100 * USDC, 1);
		// ETH's price goes stale. Bob buys BTC: the maker's check fails (its cause: a stale
		// price), and Bob's own check fails with that cause, not "insufficient margin".
		MockMargin::set_stale(ETH, true);
		assert_rejected(|| place(BOB, req(s, Side::Buy, 100 * USDC, 1)), crate::mock::PRICE_STALE);
		MockMargin::set_stale(ETH, false);
	});
}

#[test]
fn cancel_all_on_one_series_charges_only_its_cancellations() {
	build_and_execute(|| {
		let s1 = list(60_000, OptionKind::Call);
		let s2 = list(60_000, OptionKind::Put);
		for p in [10, 11, 12] {
			gtc(ALICE, s1, Side::Buy, p * USDC, 1);
		}
		for p in [10, 11] {
			gtc(ALICE, s2, Side::Buy, p * USDC, 1);
		}
		// The two orders on the other series are passed over from the list (it names each
		// order's series since storage v1): no read, only the three cancellations and the
		// series' existence.
		let info = Options::cancel_all(RuntimeOrigin::signed(ALICE), Some(s1)).unwrap();
		let series_read = <Test as frame_system::Config>::DbWeight::get().reads(1);
		assert_eq!(info.actual_weight, Some(Options::cancel_all_weight(3) + series_read));
		assert_eq!(book(s2, Side::Buy).len(), 2);
		let call = crate::Call::<Test>::cancel_all { series: Some(s1) };
		assert!(call.get_dispatch_info().call_weight.all_gte(info.actual_weight.unwrap()));
		// A series id never given out is refused by name, charged its read, nothing cancelled.
		assert_eq!(crate::NextSeriesId::<Test>::get(), s2 + 1);
		let err = Options::cancel_all(RuntimeOrigin::signed(ALICE), Some(s2 + 1)).unwrap_err();
		assert_eq!(err.error, Error::<Test>::UnknownSeries.into());
		assert_eq!(err.post_info.actual_weight, Some(series_read));
		assert_eq!(book(s2, Side::Buy).len(), 2);
	});
}

/// A maker's `batch_all` that cancels on a series must not be reverted because the series
/// retired between signing and inclusion (anybody can settle a series out, and its retirement
/// is then on nobody's schedule): a retired series cancels nothing and succeeds.
#[test]
fn cancel_all_on_a_retired_series_succeeds_and_cancels_nothing() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let other = Options::do_list_series(BTC, usd(60_000), EXPIRY + DAY, OptionKind::Put)
			.expect("listing works");
		gtc(ALICE, s, Side::Sell, 10 * USDC, 1);
		gtc(BOB, s, Side::Buy, 10 * USDC, 1);
		gtc(ALICE, other, Side::Buy, 10 * USDC, 1);
		set_time(EXPIRY);
		MockOracle::set_settlement_price(BTC, EXPIRY, usd(50_000));
		for who in [ALICE, BOB] {
			assert_ok!(Options::settle_account(RuntimeOrigin::signed(EVE), who, s));
		}
		assert!(crate::Series::<Test>::get(s).is_none(), "retired");
		let before = events().len();
		let info = Options::cancel_all(RuntimeOrigin::signed(ALICE), Some(s)).unwrap();
		let series_read = <Test as frame_system::Config>::DbWeight::get().reads(1);
		assert_eq!(info.actual_weight, Some(Options::cancel_all_weight(0) + series_read));
		// Nothing cancelled: no event, ALICE's order in the other series rests.
		assert_eq!(events().len(), before);
		assert_eq!(book(other, Side::Buy).len(), 1);
	});
}

#[test]
fn a_series_too_large_for_the_arithmetic_is_refused() {
	build_and_execute(|| {
		// A strike of 10^15 USD with 0.1 BTC contracts and 12 orders of up to 10^6 contracts:
		// 2 x 10^15 x 0.1 x (100 + 1.2 x 10^7) = 2.4 x 10^21 USD > 10^20: nobody holding it
		// could be evaluated. Refused at listing.
		assert_noop!(
			Options::list_series(
				RuntimeOrigin::root(),
				BTC,
				usd(1_000_000_000_000_000),
				EXPIRY,
				OptionKind::Call
			),
			Error::<Test>::SeriesTooLarge
		);
		// 10^12 (the oracle's hard cap on prices) lists.
		assert_ok!(Options::list_series(
			RuntimeOrigin::root(),
			BTC,
			usd(1_000_000_000_000),
			EXPIRY,
			OptionKind::Call
		));
		// A contract of 10^6 units is refused when configured.
		let mut cfg = btc_config();
		cfg.contract_size = usd(1_000_000);
		assert_noop!(
			Options::configure_underlying(RuntimeOrigin::root(), 7, cfg),
			Error::<Test>::SeriesTooLarge
		);
		// So is raising the BTC cap to 10^9 contracts with the 10^12 strike listed.
		let mut cfg = btc_config();
		cfg.max_series_open_interest = 1_000_000_000;
		cfg.max_underlying_open_interest = 1_000_000_000;
		assert_noop!(
			Options::configure_underlying(RuntimeOrigin::root(), BTC, cfg),
			Error::<Test>::SeriesTooLarge
		);
	});
}
