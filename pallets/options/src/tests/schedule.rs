//! Issue 16, item 2: the dead-man's switch. A market maker arms `schedule_cancel(at)` and
//! renews it while its client runs; if the client dies, every resting order it has is voided
//! at the start of block `at`, before that block's takers.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};
use optionchain_primitives::exchange::{OptionKind, Side};

fn arm(who: u64, at: Option<u64>) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Options::schedule_cancel(RuntimeOrigin::signed(who), at)
}

fn fired() -> Vec<(u64, u64, u32)> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::CancelScheduleFired { who, at, orders } => Some((who, at, orders)),
			_ => None,
		})
		.collect()
}

fn advance_to(n: u64) {
	while System::block_number() < n {
		next_block();
	}
}

#[test]
fn arming_moving_and_disarming_a_switch() {
	build_and_execute(|| {
		let now = System::block_number();
		// The block must come after this one and at most 100 (the mock's MaxCancelDelay)
		// blocks ahead.
		assert_noop!(
			arm(ALICE, Some(now)).map_err(|e| e.error),
			Error::<Test>::CancelDeadlinePassed
		);
		assert_noop!(
			arm(ALICE, Some(now + 101)).map_err(|e| e.error),
			Error::<Test>::CancelDeadlineTooFar
		);
		assert_noop!(arm(ALICE, None).map_err(|e| e.error), Error::<Test>::NoCancelScheduled);
		assert_ok!(arm(ALICE, Some(now + 100)));
		assert_eq!(CancelDeadlines::<Test>::get(ALICE), Some(now + 100));
		assert!(DueCancels::<Test>::contains_key(now + 100, ALICE));
		assert_eq!(NextCancelBlock::<Test>::get(), now + 100);
		// Renewed earlier: moved, and the walk starts there.
		assert_ok!(arm(ALICE, Some(now + 5)));
		assert!(!DueCancels::<Test>::contains_key(now + 100, ALICE));
		assert!(DueCancels::<Test>::contains_key(now + 5, ALICE));
		assert_eq!(NextCancelBlock::<Test>::get(), now + 5);
		assert_ok!(arm(ALICE, None));
		assert_eq!(CancelDeadlines::<Test>::count(), 0);
		assert_eq!(DueCancels::<Test>::iter().count(), 0);
		assert!(events().contains(&Event::CancelScheduled { who: ALICE, at: now + 100 }));
		assert!(events().contains(&Event::CancelScheduleCleared { who: ALICE }));
		// A refused call is charged a read, not the whole call.
		let e = arm(ALICE, None).expect_err("nothing armed");
		assert_eq!(e.post_info.actual_weight, Some(db_weight().reads(1)));
	});
}

/// ALICE's orders rest in two series and her switch is armed for block `now + 3`; her client
/// renews it once (to `now + 4`), then dies. At the start of block `now + 4` all 3 of her
/// orders are void: BOB's order in that block does not fill them, and an order ALICE places in
/// that block rests and fills.
#[test]
fn a_switch_not_renewed_cancels_everything_at_its_block() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let t = list(70_000, OptionKind::Call);
		gtc(ALICE, s, Side::Sell, 10 * USDC, 2); // 0
		gtc(ALICE, s, Side::Buy, 5 * USDC, 1); // 1
		gtc(ALICE, t, Side::Sell, 8 * USDC, 1); // 2
		let now = System::block_number();
		assert_ok!(arm(ALICE, Some(now + 3)));
		next_block();
		assert_ok!(arm(ALICE, Some(now + 4)));
		advance_to(now + 3);
		// Renewed: nothing at the old block.
		assert!(fired().is_empty());
		assert_eq!(VoidBefore::<Test>::get(ALICE), None);
		next_block();
		assert_eq!(System::block_number(), now + 4);
		assert_eq!(fired(), vec![(ALICE, now + 4, 3)]);
		assert_eq!(VoidBefore::<Test>::get(ALICE), Some(3));
		assert_eq!(CancelDeadlines::<Test>::get(ALICE), None);
		// The book shows none of them.
		let depth = Options::api_book_depth(s, 10).expect("listed");
		assert!(depth.asks.is_empty() && depth.bids.is_empty());
		// BOB lifts the ask side at up to 10: ALICE's void ask is removed, nothing fills.
		assert_ok!(place(BOB, ioc(s, Side::Buy, 10 * USDC, 2)));
		assert_eq!(net(s, BOB), 0);
		// A new order of ALICE's (after the switch fired) is live.
		gtc(ALICE, s, Side::Sell, 10 * USDC, 1); // 4 (3 was BOB's)
		assert_ok!(place(BOB, ioc(s, Side::Buy, 10 * USDC, 1)));
		assert_eq!((net(s, BOB), net(s, ALICE)), (1, -1));
		// `on_idle` removes the rest (her bid in `s`, her ask in `t`).
		next_block();
		assert!(book(s, Side::Buy).is_empty());
		assert!(book(t, Side::Sell).is_empty());
		assert_eq!(VoidBefore::<Test>::get(ALICE), None);
	});
}

/// At most `MaxCancelsPerBlock` (2 in the mock) switches may be armed for one block, and all
/// of them fire at its start. Arming in a full block fails and leaves an armed switch where it
/// was (the earlier deadline stands): nobody can make another account's switch fire late.
#[test]
fn a_full_block_refuses_more_switches_and_every_switch_fires_at_its_block() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		for (i, who) in [ALICE, BOB, CHARLIE].into_iter().enumerate() {
			gtc(who, s, Side::Sell, (10 + i as u128) * USDC, 1);
		}
		let now = System::block_number();
		assert_ok!(arm(ALICE, Some(now + 2)));
		assert_ok!(arm(BOB, Some(now + 2)));
		assert_ok!(arm(CHARLIE, Some(now + 3)));
		assert_eq!(CancelBucketLen::<Test>::get(now + 2), 2);
		// Charlie cannot move to the full block: his switch stays at now + 3.
		let e = arm(CHARLIE, Some(now + 2)).expect_err("full");
		assert_eq!(e.error, Error::<Test>::CancelBucketFull.into());
		assert_eq!(e.post_info.actual_weight, Some(db_weight().reads(2)));
		assert_eq!(CancelDeadlines::<Test>::get(CHARLIE), Some(now + 3));
		// Renewing for the same block changes nothing.
		assert_ok!(arm(ALICE, Some(now + 2)));
		assert_eq!(CancelBucketLen::<Test>::get(now + 2), 2);
		advance_to(now + 2);
		let mut who: Vec<u64> = fired()
			.iter()
			.map(|(w, at, n)| {
				assert_eq!((*at, *n), (now + 2, 1));
				*w
			})
			.collect();
		who.sort();
		assert_eq!(who, vec![ALICE, BOB]);
		assert_eq!(CancelBucketLen::<Test>::get(now + 2), 0);
		next_block();
		assert_eq!(fired().last(), Some(&(CHARLIE, now + 3, 1)));
		assert_eq!(CancelDeadlines::<Test>::count(), 0);
		// The walk went on through this block's bucket.
		assert_eq!(NextCancelBlock::<Test>::get(), now + 4);
		// Nothing armed: the hook reads the counter only (and the count of series with
		// volatility-priced orders: none).
		use frame_support::traits::Hooks;
		assert_eq!(Options::on_initialize(now + 4), db_weight().reads(2));
		// One switch due: the counter, one bucket (its first key after the last, its length)
		// and one firing.
		assert_ok!(arm(ALICE, Some(now + 5)));
		System::set_block_number(now + 5);
		assert_eq!(
			Options::on_initialize(now + 5),
			db_weight()
				.reads(2)
				.saturating_add(db_weight().reads_writes(2, 1))
				.saturating_add(<() as WeightInfo>::fire_cancel_schedules(1))
		);
	});
}

/// A walk set behind (as after an upgrade that left `NextCancelBlock` in the past) reads at
/// most 64 buckets per block and catches up; a switch in a bucket it has not reached fires as
/// soon as it gets there.
#[test]
fn a_walk_behind_catches_up_64_buckets_per_block() {
	use frame_support::traits::Hooks;
	build_and_execute(|| {
		for _ in 0..200 {
			next_block();
		}
		let now = System::block_number();
		assert_ok!(arm(ALICE, Some(now + 1)));
		NextCancelBlock::<Test>::put(now - 100);
		System::set_block_number(now + 1);
		let w = Options::on_initialize(now + 1);
		assert_eq!(NextCancelBlock::<Test>::get(), now - 100 + 64);
		assert_eq!(
			w,
			db_weight()
				.reads(2)
				.saturating_add(db_weight().reads_writes(2 * 64, 64))
				.saturating_add(<() as WeightInfo>::fire_cancel_schedules(0))
		);
		assert!(fired().is_empty());
		System::set_block_number(now + 2);
		Options::on_initialize(now + 2);
		assert_eq!(fired(), vec![(ALICE, now + 1, 0)]);
		assert_eq!(NextCancelBlock::<Test>::get(), now + 3);
	});
}

/// Helper-28's finding: a maker whose switch fired may be warm again in the same block (any
/// evaluation stamps it), so a taker's plan must not count its void orders as liquidity. ALICE
/// (warm) has a void ask of 5 at 10; CHARLIE (cold) asks 5 at 11; BOB's buy of 5 at up to 11
/// is planned with a step for ALICE's void ask (it fills nothing) and CHARLIE's evaluation,
/// and fills all 5 from CHARLIE.
#[test]
fn a_plan_does_not_count_a_warm_makers_void_orders_as_liquidity() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		gtc(ALICE, s, Side::Sell, 10 * USDC, 5);
		gtc(CHARLIE, s, Side::Sell, 11 * USDC, 5);
		let now = System::block_number();
		assert_ok!(arm(ALICE, Some(now + 1)));
		next_block();
		assert_eq!(fired(), vec![(ALICE, now + 1, 1)]);
		MockMargin::set_cold(CHARLIE, true);
		let budget = Options::plan_match(&BOB, &req(s, Side::Buy, 11 * USDC, 5), BTC);
		// Cold makers do not count as filling: every step (the mock's 4), one evaluation.
		assert_eq!((budget.steps, budget.cold), (4, 1));
		assert_ok!(place(BOB, req(s, Side::Buy, 11 * USDC, 5)));
		assert_eq!((net(s, BOB), net(s, CHARLIE)), (5, -5));
		MockMargin::set_cold(CHARLIE, false);
	});
}
