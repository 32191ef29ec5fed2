//! Issue 16, item 2: the dead-man's switch. A market maker arms `schedule_cancel(at)` and
//! renews it while its client runs; if the client dies, every resting order it has is voided
//! at the start of block `at`, before that block's takers.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, weights::Weight};
use optionchain_primitives::exchange::{Balance, Contracts, OptionKind, SeriesId, Side};

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

/// An immediate-or-cancel `req`.
fn ioc(series: SeriesId, side: Side, price: Balance, quantity: Contracts) -> OrderRequest {
	OrderRequest {
		time_in_force: TimeInForce::ImmediateOrCancel,
		..req(series, side, price, quantity)
	}
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

/// More switches due together than `MaxCancelsPerBlock` (2 in the mock): two fire at their
/// block, the third at the start of the next one, before that block's transactions. The hook
/// reports the weight of what it did.
#[test]
fn switches_due_together_beyond_the_cap_fire_in_the_next_block() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		for (i, who) in [ALICE, BOB, CHARLIE].into_iter().enumerate() {
			gtc(who, s, Side::Sell, (10 + i as u128) * USDC, 1);
		}
		let now = System::block_number();
		for who in [ALICE, BOB, CHARLIE] {
			assert_ok!(arm(who, Some(now + 2)));
		}
		advance_to(now + 2);
		assert_eq!(fired().len(), 2);
		assert_eq!(CancelDeadlines::<Test>::count(), 1);
		assert_eq!(NextCancelBlock::<Test>::get(), now + 2);
		next_block();
		let all = fired();
		assert_eq!(all.len(), 3);
		let mut who: Vec<u64> = all
			.iter()
			.map(|(w, at, n)| {
				assert_eq!((*at, *n), (now + 2, 1));
				*w
			})
			.collect();
		who.sort();
		assert_eq!(who, vec![ALICE, BOB, CHARLIE]);
		assert_eq!(CancelDeadlines::<Test>::count(), 0);
		// The walk went on through this block's (empty) bucket.
		assert_eq!(NextCancelBlock::<Test>::get(), now + 4);
		// Nothing armed: the hook reads the counter only.
		use frame_support::traits::Hooks;
		assert_eq!(Options::on_initialize(now + 4), db_weight().reads(1));
		// One switch due: the counter, the walk (its position, one bucket) and one firing.
		assert_ok!(arm(ALICE, Some(now + 5)));
		System::set_block_number(now + 5);
		assert_eq!(
			Options::on_initialize(now + 5),
			db_weight()
				.reads(2)
				.saturating_add(<() as WeightInfo>::fire_cancel_schedules(1))
		);
		assert!(Options::fire_cancel_schedules_max_weight().all_gte(Weight::zero()));
	});
}
