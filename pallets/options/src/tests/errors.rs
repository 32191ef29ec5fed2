//! Listing checks, margin rejection, open-interest caps, order validation.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};
use optionchain_primitives::exchange::PositionsProvider as _;
use optionchain_primitives::{
	exchange::{OptionKind, SeriesId, Side},
	testing::MockOracle,
	units,
};
use sp_runtime::DispatchError;

#[test]
fn listing_checks() {
	build_and_execute(|| {
		let root = RuntimeOrigin::root;
		assert_noop!(
			Options::list_series(
				RuntimeOrigin::signed(ALICE),
				BTC,
				usd(60_000),
				EXPIRY,
				OptionKind::Call
			),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Options::list_series(root(), 7, usd(60_000), EXPIRY, OptionKind::Call),
			Error::<Test>::UnderlyingNotConfigured
		);
		assert_noop!(
			Options::list_series(root(), BTC, usd(60_500), EXPIRY, OptionKind::Call),
			Error::<Test>::InvalidStrike
		);
		assert_noop!(
			Options::list_series(root(), BTC, usd(0), EXPIRY, OptionKind::Call),
			Error::<Test>::InvalidStrike
		);
		assert_noop!(
			Options::list_series(root(), BTC, usd(60_000), T0, OptionKind::Call),
			Error::<Test>::ExpiryInPast
		);
		assert_noop!(
			Options::list_series(root(), BTC, usd(60_000), T0 + 366 * DAY, OptionKind::Call),
			Error::<Test>::ExpiryTooFar
		);
		assert_ok!(Options::list_series(root(), BTC, usd(60_000), EXPIRY, OptionKind::Call));
		assert_eq!(MockOracle::scheduled(), vec![(BTC, EXPIRY)]);
		assert_noop!(
			Options::list_series(root(), BTC, usd(60_000), EXPIRY, OptionKind::Call),
			Error::<Test>::DuplicateSeries
		);
		// The put is a different series; ETH uses its own strike tick (50).
		assert_ok!(Options::list_series(root(), BTC, usd(60_000), EXPIRY, OptionKind::Put));
		assert_ok!(Options::list_series(root(), ETH, usd(3_050), EXPIRY, OptionKind::Put));
		for i in 0..5u64 {
			assert_ok!(Options::list_series(root(), ETH, usd(3_000), EXPIRY + i, OptionKind::Put));
		}
		// MaxLiveSeries = 8.
		assert_noop!(
			Options::list_series(root(), ETH, usd(3_000), EXPIRY + 9, OptionKind::Put),
			Error::<Test>::TooManySeries
		);
		// The oracle refusing to schedule makes listing fail.
		MockOracle::set_schedule_error(Some(DispatchError::Other("full")));
		assert_ok!(Options::configure_underlying(root(), 2, btc_config()));
		let bad = UnderlyingConfig { price_tick: 0, ..btc_config() };
		assert_noop!(
			Options::configure_underlying(root(), 2, bad),
			Error::<Test>::InvalidUnderlyingConfig
		);
	});
}

#[test]
fn order_validation() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		assert_rejected(
			|| place(ALICE, req(s, Side::Buy, USDC, 0)),
			Error::<Test>::InvalidQuantity,
		);
		assert_rejected(
			|| place(ALICE, req(s, Side::Buy, USDC, 1_000_001)),
			Error::<Test>::InvalidQuantity,
		);
		assert_rejected(|| place(ALICE, req(s, Side::Buy, 0, 1)), Error::<Test>::InvalidPrice);
		assert_rejected(
			|| place(ALICE, req(s, Side::Buy, USDC / 2, 1)),
			Error::<Test>::InvalidPrice,
		);
		assert_rejected(|| place(ALICE, req(9, Side::Buy, USDC, 1)), Error::<Test>::UnknownSeries);
		set_time(EXPIRY);
		assert_rejected(|| place(ALICE, req(s, Side::Buy, USDC, 1)), Error::<Test>::SeriesExpired);
	});
}

#[test]
fn stale_oracle_blocks_new_risk_but_not_reduce_only() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		gtc(ALICE, s, Side::Sell, 10 * USDC, 1);
		gtc(BOB, s, Side::Buy, 10 * USDC, 1);
		MockMargin::set_stale(BTC, true);
		assert_rejected(
			|| place(CHARLIE, req(s, Side::Buy, 10 * USDC, 1)),
			crate::mock::PRICE_STALE,
		);
		let mut r = req(s, Side::Sell, 10 * USDC, 1);
		r.reduce_only = true;
		assert_ok!(place(BOB, r));
	});
}

#[test]
fn book_and_account_bounds() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		// MaxOrdersPerAccount = 12.
		for i in 0..12u128 {
			gtc(ALICE, s, Side::Buy, (i + 1) * USDC, 1);
		}
		assert_rejected(
			|| place(ALICE, req(s, Side::Buy, 20 * USDC, 1)),
			Error::<Test>::TooManyOrders,
		);
		// MaxOrdersPerSide = 16.
		for i in 0..4u128 {
			gtc(BOB, s, Side::Buy, (i + 1) * USDC, 1);
		}
		// A full side refuses an order no better than its worst ...
		assert_rejected(|| place(CHARLIE, req(s, Side::Buy, USDC, 1)), Error::<Test>::BookFull);
		// ... and evicts its worst (lowest bid, newest at that price: BOB's 1 USDC) for a better
		// one, so far-away orders cannot lock the book.
		let worst = book(s, Side::Buy).last().cloned().unwrap();
		assert_eq!((worst.1, worst.2), (BOB, USDC));
		assert_ok!(place(CHARLIE, req(s, Side::Buy, 2 * USDC, 1)));
		assert!(events().iter().any(|e| matches!(
			e,
			Event::OrderCancelled { order_id, who: BOB, reason: CancelReason::Evicted, .. } if *order_id == worst.0
		)));
		assert_eq!(book(s, Side::Buy).len(), 16);
		assert!(!crate::AccountOrders::<Test>::get(BOB).iter().any(|r| r.id == worst.0));
		// MaxSeriesPerAccount = 6.
		for k in 1..=5u128 {
			let sk = list(60_000 + 1_000 * k, OptionKind::Call);
			gtc(DAVE, sk, Side::Buy, USDC, 1);
		}
		gtc(DAVE, s, Side::Sell, 100 * USDC, 1);
		let s7 = list(70_000, OptionKind::Call);
		assert_rejected(
			|| place(DAVE, req(s7, Side::Buy, USDC, 1)),
			Error::<Test>::TooManySeriesForAccount,
		);
	});
}

#[test]
fn the_insurance_account_takes_over_positions_beyond_the_series_cap() {
	build_and_execute(|| {
		// EVE is long one contract in 8 series (more than MaxSeriesPerAccount = 6 would allow
		// one account: ALICE and BOB share the shorts); the insurance account takes them all.
		let mut series = Vec::new();
		for k in 0..8u128 {
			let s = list(60_000 + 1_000 * k, OptionKind::Call);
			let seller = if k < 4 { ALICE } else { BOB };
			gtc(seller, s, Side::Sell, 10 * USDC, 1);
			gtc(if k < 4 { CHARLIE } else { DAVE }, s, Side::Buy, 10 * USDC, 1);
			series.push(s);
		}
		for (k, s) in series.iter().enumerate() {
			let from = if k < 4 { ALICE } else { BOB };
			assert_ok!(Options::transfer_position(&from, &INSURANCE, *s, 1));
		}
		assert_eq!(crate::AccountSeriesIndex::<Test>::get(INSURANCE).len(), 8);
		assert_eq!(Options::portfolio(&INSURANCE).positions.len(), 8);
		// (Not listed in the margin ledger: the fund is never evaluated by its positions.)
		assert!(Listed::get(INSURANCE).is_empty());
		// An ordinary account stays capped: positions in MaxPositionSeriesPerAccount = 4
		// series.
		for s in series.iter().take(4) {
			assert_ok!(Options::transfer_position(&INSURANCE, &EVE, *s, 1));
		}
		// (Callers run it in a storage layer, as the margin pallet's extrinsics and sweep do.)
		assert_noop!(
			frame_support::storage::with_storage_layer(|| {
				Options::transfer_position(&INSURANCE, &EVE, series[4], 1)
			}),
			Error::<Test>::TooManyPositionSeries
		);
	});
}

#[test]
fn positions_are_capped_apart_from_series_with_orders_only() {
	build_and_execute(|| {
		// MaxSeriesPerAccount = 6, MaxPositionSeriesPerAccount = 4: DAVE bids in 6 series.
		let series: Vec<SeriesId> =
			(0..6u128).map(|k| list(60_000 + 1_000 * k, OptionKind::Call)).collect();
		for s in &series {
			gtc(DAVE, *s, Side::Buy, 10 * USDC, 2);
		}
		assert_eq!(crate::AccountSeriesIndex::<Test>::get(DAVE).len(), 6);
		assert!(Listed::get(DAVE).is_empty());
		// ALICE sells into four of them: DAVE holds positions in four series.
		for s in series.iter().take(4) {
			gtc(ALICE, *s, Side::Sell, 10 * USDC, 1);
		}
		assert_eq!(Listed::get(DAVE), series[..4]);
		let listed = Listed::get(DAVE);
		assert_eq!(Options::positions_in(&DAVE, &listed).positions.len(), 4);
		assert!(Options::positions_in(&DAVE, &listed).orders.is_empty());
		assert_eq!(Options::portfolio(&DAVE).orders.len(), 6);
		// A fifth would open a position in one series more: his bid is cancelled and the fill
		// undone (a warm maker, then a cold one), and ALICE's sell rests.
		for (s, cold) in [(series[4], false), (series[5], true)] {
			MockMargin::set_cold(DAVE, cold);
			let bid = book(s, Side::Buy)[0].0;
			let alice = balance(ALICE);
			gtc(ALICE, s, Side::Sell, 10 * USDC, 1);
			assert_eq!((net(s, DAVE), net(s, ALICE)), (0, 0));
			assert_eq!(balance(ALICE), alice);
			assert!(book(s, Side::Buy).is_empty());
			assert_eq!(book(s, Side::Sell).len(), 1);
			assert!(reasons().contains(&(bid, CancelReason::PositionSeriesCap)));
		}
		MockMargin::set_cold(DAVE, false);
		assert_eq!(Listed::get(DAVE).len(), 4);
		// Nor can he open one as a taker: CHARLIE rests an ask behind ALICE's, and DAVE's bid
		// is rejected, nothing changed (ALICE's ask, at her cap too, stays).
		gtc(CHARLIE, series[4], Side::Sell, 10 * USDC, 1);
		assert_rejected(
			|| place(DAVE, req(series[4], Side::Buy, 10 * USDC, 1)),
			Error::<Test>::TooManyPositionSeries,
		);
		// Closing a position frees its place.
		gtc(BOB, series[0], Side::Buy, 11 * USDC, 1);
		gtc(DAVE, series[0], Side::Sell, 11 * USDC, 1);
		assert_eq!(net(series[0], DAVE), 0);
		assert!(!Listed::get(DAVE).contains(&series[0]));
		// ALICE, short in four series, is at her cap: her ask is cancelled when DAVE reaches
		// it, before any margin check, and he buys CHARLIE's.
		let ask = book(series[4], Side::Sell)[0].0;
		assert_ok!(place(DAVE, req(series[4], Side::Buy, 10 * USDC, 1)));
		assert!(reasons().contains(&(ask, CancelReason::PositionSeriesCap)));
		assert_eq!((net(series[4], DAVE), net(series[4], CHARLIE)), (1, -1));
		assert_eq!(Listed::get(DAVE), [series[1], series[2], series[3], series[4]]);
	});
}

#[test]
fn margin_rejection_changes_nothing() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		gtc(ALICE, s, Side::Sell, 100 * USDC, 1);
		gtc(BOB, s, Side::Sell, 101 * USDC, 1);
		// Taker below initial margin after the first fill.
		MockMargin::reject_margin(CHARLIE, true);
		assert_rejected(
			|| place(CHARLIE, req(s, Side::Buy, 101 * USDC, 2)),
			Error::<Test>::TakerInsufficientMargin,
		);
		// A resting order alone is checked too.
		assert_rejected(
			|| place(CHARLIE, req(s, Side::Buy, 50 * USDC, 2)),
			Error::<Test>::TakerInsufficientMargin,
		);
		MockMargin::reject_margin(CHARLIE, false);
		// The second maker fails its margin check after the first fill: its order is cancelled
		// (margin freed), its fill undone, and matching goes on; the book is not frozen.
		MockMargin::reject_margin(BOB, true);
		let bob_before = balance(BOB);
		assert_ok!(place(CHARLIE, req(s, Side::Buy, 101 * USDC, 2)));
		MockMargin::reject_margin(BOB, false);
		assert_eq!(net(s, CHARLIE), 1, "filled against Alice only");
		assert_eq!(net(s, BOB), 0);
		assert_eq!(balance(BOB), bob_before, "Bob's undone fill moved no money");
		assert!(events().contains(&crate::Event::OrderCancelled {
			order_id: 1,
			who: BOB,
			series: s,
			remaining: 1,
			reason: crate::CancelReason::ByMargin,
		}));
		// Charlie's unfilled contract rests at 101; it fills against a new maker.
		gtc(DAVE, s, Side::Sell, 101 * USDC, 1);
		assert_eq!(net(s, CHARLIE), 2);
	});
}

#[test]
fn open_interest_caps() {
	build_and_execute(|| {
		let s1 = list(60_000, OptionKind::Call);
		let s2 = list(60_000, OptionKind::Put);
		// Series cap 100.
		gtc(ALICE, s1, Side::Sell, USDC, 101);
		assert_rejected(
			|| place(BOB, req(s1, Side::Buy, USDC, 101)),
			Error::<Test>::OpenInterestCapExceeded,
		);
		gtc(BOB, s1, Side::Buy, USDC, 100);
		assert_eq!(crate::Series::<Test>::get(s1).unwrap().open_interest, 100);
		assert_ok!(Options::cancel_order(RuntimeOrigin::signed(ALICE), 0));
		// A trade that moves an existing long to a new account keeps OI at the cap.
		gtc(BOB, s1, Side::Sell, USDC, 10);
		gtc(CHARLIE, s1, Side::Buy, USDC, 10);
		assert_eq!(crate::Series::<Test>::get(s1).unwrap().open_interest, 100);
		// Underlying cap 150: 100 + 51 would pass it.
		gtc(DAVE, s2, Side::Sell, USDC, 51);
		assert_rejected(
			|| place(EVE, req(s2, Side::Buy, USDC, 51)),
			Error::<Test>::OpenInterestCapExceeded,
		);
		gtc(EVE, s2, Side::Buy, USDC, 50);
		assert_eq!(crate::UnderlyingOpenInterest::<Test>::get(BTC), 150);
		let _ = units::whole(1);
	});
}
