//! Issue 15, item 5: makers before takers. An order that may take liquidity is queued and
//! matched after every transaction of its block, in arrival order, within the budget planned
//! and charged when it was submitted.

use crate::{mock::*, *};
use frame_support::{assert_ok, weights::Weight};
use optionchain_primitives::exchange::{Balance, Contracts, OptionKind, SeriesId, Side};

fn fills() -> Vec<(OrderId, OrderId, Contracts)> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::OrderFilled { maker_order, taker_order, quantity, .. } => {
				Some((maker_order, taker_order, quantity))
			},
			_ => None,
		})
		.collect()
}

fn post_only(series: SeriesId, side: Side, price: Balance, quantity: Contracts) -> OrderRequest {
	let mut r = req(series, side, price, quantity);
	r.post_only = true;
	r
}

#[test]
fn a_cancel_after_a_taker_in_the_same_block_wins() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		assert_ok!(submit(ALICE, post_only(s, Side::Sell, 100 * USDC, 1))); // order 0

		// The taker comes first in the block, the maker's cancel after it.
		assert_ok!(submit(BOB, req(s, Side::Buy, 100 * USDC, 1))); // order 1, queued
		assert_eq!(crate::QueueLength::<Test>::get(), 1);
		assert_eq!(net(s, BOB), 0);
		assert_ok!(Options::cancel_order(RuntimeOrigin::signed(ALICE), 0));
		end_transactions();
		// No fill against the cancelled quote: the taker's bid rests instead.
		assert!(fills().is_empty());
		assert_eq!(net(s, ALICE), 0);
		assert_eq!(book(s, Side::Buy), vec![(1, BOB, 100 * USDC, 1)]);
		assert!(book(s, Side::Sell).is_empty());
	});
}

#[test]
fn a_quote_placed_after_a_taker_in_the_same_block_fills_it() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		// Nothing to take when the taker arrives (IOC: nothing of it would rest).
		let mut r = req(s, Side::Buy, 100 * USDC, 2);
		r.time_in_force = TimeInForce::ImmediateOrCancel;
		assert_ok!(submit(BOB, r)); // order 0

		// A maker quotes later in the same block, and re-prices an ask it had.
		assert_ok!(submit(ALICE, post_only(s, Side::Sell, 99 * USDC, 1))); // order 1
		assert_ok!(submit(CHARLIE, post_only(s, Side::Sell, 100 * USDC, 1))); // order 2
		end_transactions();
		assert_eq!(fills(), vec![(1, 0, 1), (2, 0, 1)]);
		assert_eq!((net(s, BOB), net(s, ALICE), net(s, CHARLIE)), (2, -1, -1));
	});
}

#[test]
fn queued_orders_match_in_arrival_order() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		gtc(ALICE, s, Side::Sell, 100 * USDC, 1); // order 0

		// Two takers for the one contract: the first to arrive gets it, even at a lower limit.
		assert_ok!(submit(BOB, req(s, Side::Buy, 100 * USDC, 1))); // order 1
		assert_ok!(submit(CHARLIE, req(s, Side::Buy, 110 * USDC, 1))); // order 2
		end_transactions();
		assert_eq!(fills(), vec![(0, 1, 1)]);
		assert_eq!(book(s, Side::Buy), vec![(2, CHARLIE, 110 * USDC, 1)]);
	});
}

#[test]
fn a_queued_order_cannot_be_cancelled_and_the_queue_is_bounded() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		assert_ok!(submit(BOB, req(s, Side::Buy, USDC, 1))); // order 0
		assert_eq!(
			Options::cancel_order(RuntimeOrigin::signed(BOB), 0),
			Err(Error::<Test>::UnknownOrder.into())
		);
		// The mock queues 16 orders a block; the 17th is refused and changes nothing.
		for who in 21..36u64 {
			assert_ok!(submit(who, req(s, Side::Buy, USDC, 1)));
		}
		let before = market_state();
		let e = submit(CHARLIE, req(s, Side::Buy, USDC, 1)).unwrap_err();
		assert_eq!(e.error, Error::<Test>::QueueFull.into());
		assert!(market_state() == before);
		end_transactions();
		assert_eq!(book(s, Side::Buy).len(), 16);
		// The next block queues again (a better bid evicts the worst of the full side).
		next_block();
		assert_ok!(submit(CHARLIE, req(s, Side::Buy, 2 * USDC, 1)));
		end_transactions();
		assert_eq!(book(s, Side::Buy).first().map(|o| o.1), Some(CHARLIE));
		assert!(events()
			.iter()
			.any(|e| matches!(e, Event::OrderCancelled { reason: CancelReason::Evicted, .. })));
	});
}

#[test]
fn a_maker_gone_cold_after_the_plan_is_passed_over() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		for who in 10..13u64 {
			mint(who, 1_000 * USDC);
			gtc(who, s, Side::Sell, 100 * USDC, 1); // orders 0, 1, 2
		}
		// Planned with three warm asks that fill it: 3 steps and one spare, no cold check.
		let r = req(s, Side::Buy, 100 * USDC, 3);
		assert_ok!(submit(CHARLIE, r));
		let q = crate::QueuedOrders::<Test>::get(0).unwrap();
		assert_eq!(q.budget, budget(4, &[], 1));
		// Maker 11 is no longer warm when the queue is matched: its evaluation was not paid
		// for, so its order is passed over (it keeps its place) and the taker fills the next.
		// The remainder would cross order 1: it is cancelled, not rested.
		MockMargin::set_cold(11, true);
		end_transactions();
		MockMargin::set_cold(11, false);
		assert_eq!(fills(), vec![(0, 3, 1), (2, 3, 1)]);
		assert_eq!(net(s, CHARLIE), 2);
		assert!(events().iter().any(|e| matches!(
			e,
			Event::OrderCancelled {
				order_id: 3,
				remaining: 1,
				reason: CancelReason::FillLimitReached,
				..
			}
		)));
		assert_eq!(book(s, Side::Sell), vec![(1, 11, 100 * USDC, 1)]);
	});
}

#[test]
fn a_cold_order_posted_after_a_taker_does_not_stop_it() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		gtc(ALICE, s, Side::Sell, 101 * USDC, 2); // order 0, warm

		// The taker is planned against Alice's ask: 1 step and a spare.
		let mut r = req(s, Side::Buy, 101 * USDC, 2);
		r.time_in_force = TimeInForce::ImmediateOrCancel;
		assert_ok!(submit(CHARLIE, r)); // order 1

		// Later in the block, a cold account posts a better ask it cannot be evaluated for
		// within the taker's budget.
		MockMargin::set_cold(EVE, true);
		assert_ok!(submit(EVE, post_only(s, Side::Sell, 100 * USDC, 1))); // order 2
		end_transactions();
		MockMargin::set_cold(EVE, false);
		// Passed over: the taker still fills Alice's ask in full (before: zero fills).
		assert_eq!(fills(), vec![(0, 1, 2)]);
		assert_eq!(book(s, Side::Sell), vec![(2, EVE, 100 * USDC, 1)]);
	});
}

#[test]
fn a_rejected_queued_order_changes_nothing_but_says_why() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		gtc(ALICE, s, Side::Sell, 100 * USDC, 1);
		let mut r = req(s, Side::Buy, 100 * USDC, 2);
		r.time_in_force = TimeInForce::FillOrKill;
		let before = market_state();
		assert_ok!(submit(BOB, r)); // order 1
		end_transactions();
		assert!(market_state() == before);
		assert_eq!(
			events().last(),
			Some(&Event::OrderRejected {
				order_id: 1,
				who: BOB,
				error: Error::<Test>::FillOrKillNotFilled.into()
			})
		);
	});
}

#[test]
fn cold_orders_posted_after_a_taker_cannot_use_up_its_steps() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		gtc(ALICE, s, Side::Sell, 101 * USDC, 2); // order 0, warm

		// Planned against Alice's ask: 1 step and a spare.
		let mut r = req(s, Side::Buy, 101 * USDC, 2);
		r.time_in_force = TimeInForce::ImmediateOrCancel;
		assert_ok!(submit(CHARLIE, r)); // order 1
		assert_eq!(crate::QueuedOrders::<Test>::get(0).unwrap().budget.steps, 2);
		// Three better asks from cold accounts arrive later in the block: more than the steps.
		for who in [EVE, 7, 8] {
			mint(who, 1_000 * USDC);
			MockMargin::set_cold(who, true);
			assert_ok!(submit(who, post_only(s, Side::Sell, 100 * USDC, 1)));
		}
		end_transactions();
		for who in [EVE, 7, 8] {
			MockMargin::set_cold(who, false);
		}
		// Passing over is not a step: the taker still fills Alice's ask in full.
		assert_eq!(fills(), vec![(0, 1, 2)]);
		assert_eq!(book(s, Side::Sell).len(), 3);
	});
}

#[test]
fn a_taker_that_takes_on_more_series_after_submitting_is_rejected() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let others = [list(61_000, OptionKind::Call), list(62_000, OptionKind::Call)];
		gtc(ALICE, s, Side::Sell, 100 * USDC, 1);
		// Charlie holds nothing: his check is planned at one series (the order's).
		let mut r = req(s, Side::Buy, 100 * USDC, 1);
		r.time_in_force = TimeInForce::ImmediateOrCancel;
		assert_ok!(submit(CHARLIE, r)); // order 1
		assert_eq!(crate::QueuedOrders::<Test>::get(0).unwrap().budget.taker_series, 1);
		// Later in the block he rests bids in two more series: his check would now cover
		// three, more than he paid for.
		for o in others {
			assert_ok!(submit(CHARLIE, post_only(o, Side::Buy, USDC, 1)));
		}
		end_transactions();
		assert_eq!(
			events().last(),
			Some(&Event::OrderRejected {
				order_id: 1,
				who: CHARLIE,
				error: Error::<Test>::OrderOutgrewBudget.into()
			})
		);
		assert_eq!(net(s, CHARLIE), 0);
		assert_eq!(book(s, Side::Sell).len(), 1);
	});
}

#[test]
fn orders_queued_in_new_series_in_one_block_are_planned_for_each_other() {
	build_and_execute(|| {
		let series = [
			list(60_000, OptionKind::Call),
			list(61_000, OptionKind::Call),
			list(62_000, OptionKind::Call),
		];
		// Charlie holds nothing and sends three limit bids in three series in one block: each
		// is planned at one series more than the orders queued before it may give him (his
		// check when the third is matched covers three series).
		for s in series {
			assert_ok!(submit(CHARLIE, req(s, Side::Buy, USDC, 1)));
		}
		let planned: Vec<u32> = (0..3)
			.map(|i| crate::QueuedOrders::<Test>::get(i).unwrap().budget.taker_series)
			.collect();
		assert_eq!(planned, vec![1, 2, 3]);
		assert_eq!(crate::QueuedPerAccount::<Test>::get(CHARLIE), 3);
		end_transactions();
		assert!(!events().iter().any(|e| matches!(e, Event::OrderRejected { .. })));
		for s in series {
			assert_eq!(book(s, Side::Buy).len(), 1);
		}
		// Nothing is left counted for the next block.
		assert_eq!(crate::QueuedPerAccount::<Test>::get(CHARLIE), 0);
		assert!(crate::QueuedPerAccount::<Test>::iter().next().is_none());
	});
}

#[test]
fn a_cold_maker_is_planned_at_the_series_its_earlier_queued_orders_may_add() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let other = list(61_000, OptionKind::Call);
		mint(EVE, 1_000 * USDC);
		MockMargin::set_cold(EVE, true);
		// Eve, cold, rests an ask in one series (order 0), then queues a bid in another
		// (order 1): when Charlie's bid is matched after it, her check covers two series.
		assert_ok!(submit(EVE, post_only(s, Side::Sell, 100 * USDC, 1)));
		assert_ok!(submit(EVE, req(other, Side::Buy, USDC, 1)));
		assert_eq!(crate::QueuedPerAccount::<Test>::get(EVE), 1);
		let mut r = req(s, Side::Buy, 100 * USDC, 1);
		r.time_in_force = TimeInForce::ImmediateOrCancel;
		assert_ok!(submit(CHARLIE, r)); // order 2
		let q = crate::QueuedOrders::<Test>::get(1).unwrap();
		assert_eq!(q.order_id, 2);
		// Planned at her series and one for her queued order (before: one, and she was
		// passed over).
		assert_eq!((q.budget.cold, q.budget.cold_checks), (1, Weight::from_parts(4_000, 0)));
		end_transactions();
		MockMargin::set_cold(EVE, false);
		assert_eq!(fills(), vec![(0, 2, 1)]);
		assert_eq!(net(s, CHARLIE), 1);
		assert_eq!(book(other, Side::Buy), vec![(1, EVE, USDC, 1)]);
	});
}

/// Helper-32's finding: a queued order rests after the block's post-only orders. At an equal
/// price it keeps the time priority of its id (it was submitted first), and `try_state`'s
/// price-time check holds; so does its owner's list (id order).
#[test]
fn a_queued_order_resting_after_a_newer_post_only_order_at_its_price_keeps_its_priority() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		assert_ok!(submit(ALICE, req(s, Side::Sell, 100 * USDC, 1))); // 0, queued
		let post_only = OrderRequest { post_only: true, ..req(s, Side::Sell, 100 * USDC, 1) };
		assert_ok!(submit(BOB, post_only)); // 1, rests at once
		assert_ok!(submit(
			ALICE,
			OrderRequest { post_only: true, ..req(s, Side::Buy, 90 * USDC, 1) }
		)); // 2
		end_transactions();
		assert_eq!(book(s, Side::Sell), vec![(0, ALICE, 100 * USDC, 1), (1, BOB, 100 * USDC, 1)]);
		assert_eq!(
			AccountOrders::<Test>::get(ALICE).iter().map(|r| r.id).collect::<Vec<_>>(),
			vec![0, 2]
		);
		Options::do_try_state().expect("price-time priority and id-ordered lists");
		assert_ok!(place(
			CHARLIE,
			OrderRequest {
				time_in_force: TimeInForce::ImmediateOrCancel,
				..req(s, Side::Buy, 100 * USDC, 1)
			}
		));
		assert_eq!((net(s, ALICE), net(s, BOB)), (-1, 0));
	});
}
