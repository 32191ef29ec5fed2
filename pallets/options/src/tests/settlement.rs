//! Expiry and settlement: exact payouts, batches across blocks mixed with manual settlement.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::Hooks, weights::Weight};
use optionchain_primitives::{
	exchange::{OptionKind, PositionsProvider, Side},
	testing::MockOracle,
	units,
};

/// ALICE short 3, BOB long 2, CHARLIE long 1 in `s`, at 10 USDC.
fn positions(s: u32) {
	gtc(ALICE, s, Side::Sell, 10 * USDC, 3);
	gtc(BOB, s, Side::Buy, 10 * USDC, 2);
	gtc(CHARLIE, s, Side::Buy, 10 * USDC, 1);
}

fn settle(who: u64, s: u32) -> sp_runtime::DispatchResult {
	Options::settle_account(RuntimeOrigin::signed(EVE), who, s)
		.map(|_| ())
		.map_err(|e| e.error)
}

#[test]
fn call_in_the_money_pays_exactly() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		positions(s);
		let (a, b, c) = (balance(ALICE), balance(BOB), balance(CHARLIE));
		set_time(EXPIRY);
		assert_noop!(settle(BOB, s), Error::<Test>::SettlementPriceNotFixed);
		// S = 65,432.1: (S - K) * 0.1 = 543.21 USD = 543,210,000 units per contract.
		MockOracle::set_settlement_price(BTC, EXPIRY, units::ratio(654_321, 10));
		// Longs are paid out of what the shorts paid in: not before.
		assert_noop!(settle(BOB, s), Error::<Test>::ShortsBeingCollected);
		assert_ok!(settle(ALICE, s));
		assert_eq!(Clearing::get(s), 3 * 543_210_000);
		assert_ok!(settle(BOB, s));
		assert_noop!(settle(BOB, s), Error::<Test>::NothingToSettle);
		assert_ok!(settle(CHARLIE, s));
		assert_eq!(balance(BOB), b + 2 * 543_210_000);
		assert_eq!(balance(CHARLIE), c + 543_210_000);
		assert_eq!(balance(ALICE), a - 3 * 543_210_000);
		assert_eq!(Clearing::get(s), 0);
		// Everything paid: the series is retired.
		assert!(crate::Series::<Test>::get(s).is_none());
		assert!(crate::LiveSeries::<Test>::get().is_empty());
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::SeriesSettled { series } if *series == s)));
	});
}

#[test]
fn put_in_the_money_rounds_down_once_for_both_sides() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Put);
		positions(s);
		let (a, b, c) = (balance(ALICE), balance(BOB), balance(CHARLIE));
		set_time(EXPIRY);
		// S = 58,765.43210005: (K - S) * 0.1 = 123.456789995 USD -> 123,456,789 units.
		MockOracle::set_settlement_price(BTC, EXPIRY, units::ratio(5_876_543_210_005, 100_000_000));
		for who in [ALICE, BOB, CHARLIE] {
			assert_ok!(settle(who, s));
		}
		assert_eq!(balance(BOB), b + 2 * 123_456_789);
		assert_eq!(balance(CHARLIE), c + 123_456_789);
		assert_eq!(balance(ALICE), a - 3 * 123_456_789);
	});
}

#[test]
fn out_of_the_money_pays_nothing() {
	build_and_execute(|| {
		let call = list(60_000, OptionKind::Call);
		let put = list(60_000, OptionKind::Put);
		positions(call);
		positions(put);
		let before = (balance(ALICE), balance(BOB));
		next_block_after(DAY, Weight::MAX);
		MockOracle::set_settlement_price(BTC, EXPIRY, usd(60_000)); // at the money: both 0
		for _ in 0..4 {
			next_block();
		}
		assert_eq!((balance(ALICE), balance(BOB)), before);
		assert!(crate::Series::<Test>::iter().next().is_none());
	});
}

#[test]
fn expiry_stops_trading_and_removes_orders_in_batches() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		for (i, who) in [ALICE, BOB, CHARLIE, DAVE, EVE].into_iter().enumerate() {
			gtc(who, s, Side::Buy, (i as u128 + 1) * USDC, 1);
		}
		gtc(ALICE, s, Side::Sell, 50 * USDC, 1);
		// Before the expiry on_idle does nothing.
		next_block();
		assert_eq!(crate::Series::<Test>::get(s).unwrap().resting_orders, 6);
		assert_noop!(
			Options::expire_orders(RuntimeOrigin::signed(EVE), s, 1).map_err(|e| e.error),
			Error::<Test>::SeriesNotExpired
		);
		set_time(EXPIRY);
		assert_rejected(|| place(BOB, req(s, Side::Buy, USDC, 1)), Error::<Test>::SeriesExpired);
		// MaxIdleItems = 3 per block.
		next_block();
		assert_eq!(crate::Series::<Test>::get(s).unwrap().resting_orders, 3);
		// Anyone can help.
		assert_ok!(Options::expire_orders(RuntimeOrigin::signed(EVE), s, 2));
		assert_eq!(crate::Series::<Test>::get(s).unwrap().resting_orders, 1);
		next_block();
		let info = crate::Series::<Test>::get(s).unwrap();
		assert_eq!((info.resting_orders, info.status), (0, SeriesStatus::Expired));
		assert!(crate::AccountOrders::<Test>::iter().next().is_none());
		assert!(events().iter().any(|e| matches!(e, Event::SeriesExpired { .. })));
		// on_idle with too little weight does nothing.
		assert_eq!(Options::on_idle(5, Weight::zero()), Weight::zero());
	});
}

#[test]
fn batched_and_manual_settlement_pay_each_position_once() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		// Five positions: ALICE -3, DAVE -2, BOB +2, CHARLIE +2, EVE +1.
		gtc(ALICE, s, Side::Sell, 10 * USDC, 3);
		gtc(DAVE, s, Side::Sell, 10 * USDC, 2);
		gtc(BOB, s, Side::Buy, 10 * USDC, 2);
		gtc(CHARLIE, s, Side::Buy, 10 * USDC, 2);
		gtc(EVE, s, Side::Buy, 10 * USDC, 1);
		gtc(EVE, s, Side::Buy, USDC, 1); // a resting order to expire first
		let start: Vec<_> = [ALICE, BOB, CHARLIE, DAVE, EVE].iter().map(|w| balance(*w)).collect();
		set_time(EXPIRY);
		// S = 61,000: 100 USD per contract -> 100,000,000 units.
		MockOracle::set_settlement_price(BTC, EXPIRY, usd(61_000));
		// A long cannot be paid before the shorts are collected; a short can settle at once.
		assert_noop!(settle(CHARLIE, s), Error::<Test>::ShortsBeingCollected);
		assert_ok!(settle(DAVE, s));
		// MaxIdleItems = 3 per block: 1 order removed, then the collection walks the entries
		// (at most 5) from its cursor, then the 3 longs are paid, mixed with manual settlement.
		next_block();
		let collecting = |s| {
			matches!(
				crate::Series::<Test>::get(s).map(|i| i.status),
				Some(SeriesStatus::Settling { unpaid_short_contracts, .. }) if unpaid_short_contracts > 0
			)
		};
		let mut blocks = 1;
		while collecting(s) {
			next_block();
			blocks += 1;
		}
		assert!(blocks <= 3, "collection took {blocks} blocks");
		assert!(crate::SettlementCursor::<Test>::get(s).is_none());
		// The payout phase may already have reached CHARLIE in the same block.
		if net(s, CHARLIE) != 0 {
			assert_ok!(settle(CHARLIE, s));
		} else {
			assert_noop!(settle(CHARLIE, s), Error::<Test>::NothingToSettle);
		}
		for _ in 0..2 {
			next_block();
		}
		assert!(crate::Series::<Test>::get(s).is_none());
		let paid = 100_000_000u128;
		let expect = [
			start[0] - 3 * paid,
			start[1] + 2 * paid,
			start[2] + 2 * paid,
			start[3] - 2 * paid,
			start[4] + paid,
		];
		let now: Vec<_> = [ALICE, BOB, CHARLIE, DAVE, EVE].iter().map(|w| balance(*w)).collect();
		assert_eq!(now, expect.to_vec());
		for who in [ALICE, BOB, CHARLIE, DAVE, EVE] {
			assert_eq!(SettleCalls::get((s, who)), 1, "account {who} settled once");
		}
		assert_eq!(Clearing::get(s), 0);
		assert_eq!(crate::UnderlyingOpenInterest::<Test>::get(BTC), 0);
	});
}

#[test]
fn portfolio_and_liquidation_transfer() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		positions(s);
		gtc(ALICE, s, Side::Sell, 12 * USDC, 4);
		let p = Options::portfolio(&ALICE);
		assert_eq!(p.positions.len(), 1);
		assert_eq!(p.positions[0].net, -3);
		assert_eq!(p.orders[0].sell_contracts, 4);
		assert_eq!(p.orders[0].sell_premium, 48 * USDC);
		// Liquidation moves 2 of ALICE's short to DAVE.
		assert_noop!(
			Options::transfer_position(&ALICE, &DAVE, s, 4),
			Error::<Test>::InsufficientPosition
		);
		assert_ok!(Options::transfer_position(&ALICE, &DAVE, s, 2));
		assert_eq!((net(s, ALICE), net(s, DAVE)), (-1, -2));
		assert_eq!(crate::Series::<Test>::get(s).unwrap().open_interest, 3);
		assert_eq!(Options::void_orders(&ALICE), 1);
		assert_eq!(Options::api_positions(&DAVE).len(), 1);
		assert!(Options::max_portfolio_len() >= 2);
	});
}

/// Issue 15 (helper-26's finding): `settle_account` moves the account's money outside a fill,
/// which makes a warm maker cold; any account may call it, so the call evaluates an account
/// that was warm again (`warm_again`, at the caller's cost) and leaves a cold one alone. The
/// weight returned is the settlement's plus that evaluation's, never above the declared
/// weight; a refused call is charged the settlement's weight only.
#[test]
fn settling_a_warm_account_evaluates_it_again_at_the_callers_cost() {
	use frame_support::dispatch::GetDispatchInfo;
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		positions(s);
		set_time(EXPIRY);
		MockOracle::set_settlement_price(BTC, EXPIRY, usd(61_000));
		let _ = MockMargin::take_warmed_again();
		let base = Options::settle_account_used_weight(false);
		let declared = Call::<Test>::settle_account { who: ALICE, series: s }
			.get_dispatch_info()
			.call_weight;
		assert_eq!(declared, Options::settle_account_used_weight(true));
		assert_eq!(declared, base.saturating_add(Weight::from_parts(1_000_000, 0)));
		let used = |r: frame_support::dispatch::DispatchResultWithPostInfo| {
			let info = match r {
				Ok(i) => i,
				Err(e) => e.post_info,
			};
			info.actual_weight.expect("settle_account reports its weight")
		};
		// ALICE (warm: the mock's default) is evaluated again: the settlement and the mock's
		// one-entry evaluation.
		let r = Options::settle_account(RuntimeOrigin::signed(EVE), ALICE, s);
		assert!(r.is_ok());
		assert_eq!(used(r), base.saturating_add(Weight::from_parts(1_000, 0)));
		assert_eq!(MockMargin::take_warmed_again(), vec![ALICE]);
		// BOB is cold: no evaluation.
		MockMargin::set_cold(BOB, true);
		let r = Options::settle_account(RuntimeOrigin::signed(EVE), BOB, s);
		assert!(r.is_ok());
		assert_eq!(used(r), base);
		assert!(MockMargin::take_warmed_again().is_empty());
		// Refused (nothing left to settle): the settlement's weight, no evaluation.
		let r = Options::settle_account(RuntimeOrigin::signed(EVE), BOB, s);
		assert_eq!(r.map_err(|e| e.error), Err(Error::<Test>::NothingToSettle.into()));
		assert_eq!(used(r), base);
		let r = Options::settle_account(RuntimeOrigin::signed(EVE), BOB, s + 100);
		assert_eq!(r.map_err(|e| e.error), Err(Error::<Test>::UnknownSeries.into()));
		assert_eq!(used(r), base);
		assert!(MockMargin::take_warmed_again().is_empty());
	});
}
