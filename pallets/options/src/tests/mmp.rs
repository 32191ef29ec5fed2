//! Issue 16, item 1: market-maker protection. Limits per account and underlying on what its
//! resting orders fill over a window of blocks (contracts, delta, vega); a fill that reaches a
//! limit trips it in the same step: frozen there, its orders there void (removed by takers that
//! reach them, by `quote`, and by `on_idle`). The mock's greeks per contract (0.1 BTC): `|delta|`
//! 0.05 and `|vega|` 20 USD per 1.00 of volatility, unless a test sets others.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, weights::Weight};
use optionchain_primitives::{
	exchange::{Balance, ContractGreeks, Contracts, OptionKind, SeriesId, Side},
	units, UnderlyingId,
};

fn limits(max_contracts: u64, max_delta_cents: u128, freeze_blocks: u32) -> MmpLimits {
	MmpLimits {
		window_blocks: 10,
		max_contracts,
		// Hundredths of a BTC.
		max_delta: units::ratio(max_delta_cents, 100),
		max_vega: Default::default(),
		freeze_blocks,
	}
}

fn set(who: u64, underlying: UnderlyingId, l: Option<MmpLimits>) -> sp_runtime::DispatchResult {
	Options::set_mmp(RuntimeOrigin::signed(who), underlying, l)
}

fn post_only(who: u64, series: SeriesId, side: Side, price: Balance, quantity: Contracts) {
	let r = OrderRequest { post_only: true, ..req(series, side, price, quantity) };
	assert_ok!(place(who, r));
}

fn trips() -> Vec<(u64, UnderlyingId, MmpCounters, Option<u32>)> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::MmpTripped { who, underlying, counted, until } => {
				Some((who, underlying, counted, until))
			},
			_ => None,
		})
		.collect()
}

fn fills() -> Vec<(OrderId, u64, Contracts)> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::OrderFilled { maker_order, taker, quantity, .. } => {
				Some((maker_order, taker, quantity))
			},
			_ => None,
		})
		.collect()
}

fn counters(contracts: u64, delta_cents: u128, vega_usd: u128) -> MmpCounters {
	MmpCounters { contracts, delta: units::ratio(delta_cents, 100), vega: usd(vega_usd) }
}

/// An ETH series (strike 3,000, expiry `EXPIRY`).
fn list_eth() -> SeriesId {
	Options::do_list_series(ETH, usd(3_000), EXPIRY, OptionKind::Call).expect("listing works")
}

#[test]
fn a_delta_trip_freezes_the_maker_in_the_same_block_and_later_fills_skip_its_quotes() {
	build_and_execute(|| {
		let (s1, s2) = (list(60_000, OptionKind::Call), list(62_000, OptionKind::Call));
		// Alice: at most 0.25 BTC of delta (5 contracts of 0.05) per 10 blocks, frozen until
		// she resets.
		assert_ok!(set(ALICE, BTC, Some(limits(0, 25, 0))));
		post_only(ALICE, s1, Side::Sell, 100 * USDC, 3); // 0
		post_only(ALICE, s1, Side::Sell, 101 * USDC, 9); // 1
		post_only(ALICE, s2, Side::Sell, 50 * USDC, 5); // 2
		post_only(CHARLIE, s1, Side::Sell, 102 * USDC, 10); // 3
		post_only(CHARLIE, s2, Side::Sell, 55 * USDC, 5); // 4
		let block = System::block_number();
		// Four takers in one block, matched in arrival order after its transactions.
		assert_ok!(submit(BOB, ioc(s1, Side::Buy, 101 * USDC, 4))); // 5
		assert_ok!(submit(DAVE, ioc(s1, Side::Buy, 101 * USDC, 6))); // 6
		assert_ok!(submit(EVE, ioc(s1, Side::Buy, 102 * USDC, 2))); // 7
		assert_ok!(submit(EVE, ioc(s2, Side::Buy, 55 * USDC, 2))); // 8
		end_transactions();
		assert_eq!(System::block_number(), block);
		// Bob: 3 at 100 and 1 at 101 (4 contracts, delta 0.20: below the limit). Dave: 6 at
		// 101, delta 0.20 + 0.30 = 0.50 >= 0.25: the fill is kept and Alice trips.
		// Eve, in the same block: Alice's rest of order 1 and her order 2 are void (removed,
		// `MmpTripped`); Eve fills at Charlie's in both series.
		assert_eq!(fills(), vec![(0, BOB, 3), (1, BOB, 1), (1, DAVE, 6), (3, EVE, 2), (4, EVE, 2)]);
		assert_eq!(trips(), vec![(ALICE, BTC, counters(10, 50, 200), None)]);
		assert_eq!(reasons(), vec![(1, CancelReason::MmpTripped), (2, CancelReason::MmpTripped)]);
		assert_eq!((net(s1, ALICE), net(s2, ALICE)), (-10, 0));
		assert_eq!((net(s1, EVE), net(s2, EVE), net(s1, CHARLIE)), (2, 2, -2));
		assert_eq!(book(s1, Side::Sell), vec![(3, CHARLIE, 102 * USDC, 8)]);
		assert_eq!(book(s2, Side::Sell), vec![(4, CHARLIE, 55 * USDC, 3)]);
		let view = Options::api_mmp(&ALICE, BTC).expect("set");
		assert_eq!(
			(view.frozen, view.frozen_now, view.counted, view.void_before),
			(Some(MmpFreeze::UntilReset), true, MmpCounters::default(), 9)
		);
		// Frozen on BTC: nothing of Alice rests there.
		let r = OrderRequest { post_only: true, ..req(s1, Side::Sell, 110 * USDC, 1) };
		assert_noop!(place(ALICE, r).map_err(|e| e.error), Error::<Test>::MmpFrozen);
		assert_noop!(
			place(ALICE, req(s2, Side::Buy, USDC, 1)).map_err(|e| e.error),
			Error::<Test>::MmpFrozen
		);
		// She may hedge with immediate orders: buys 1 back from Charlie.
		assert_ok!(place(ALICE, ioc(s1, Side::Buy, 102 * USDC, 1)));
		assert_eq!(net(s1, ALICE), -9);
		// Another underlying is not frozen.
		let e = list_eth();
		post_only(ALICE, e, Side::Sell, 10 * USDC, 1);
	});
}

#[test]
fn the_owner_resets_a_freeze_and_quotes_again_but_void_orders_stay_void() {
	build_and_execute(|| {
		let (s1, s2) = (list(60_000, OptionKind::Call), list(62_000, OptionKind::Call));
		assert_ok!(set(ALICE, BTC, Some(limits(2, 0, 0))));
		post_only(ALICE, s1, Side::Sell, 100 * USDC, 5); // 0
		post_only(ALICE, s2, Side::Sell, 50 * USDC, 5); // 1
		assert_ok!(submit(BOB, ioc(s1, Side::Buy, 100 * USDC, 2))); // 2
		end_transactions();
		// (A contracts limit alone: delta and vega are not priced, so not counted.)
		assert_eq!(trips(), vec![(ALICE, BTC, counters(2, 0, 0), None)]);
		// A quote while frozen pulls its sides and rests nothing.
		let q = |series, price| QuoteRequest {
			series,
			bid: None,
			ask: Some(QuoteLeg { price: price * USDC, quantity: 1 }),
		};
		assert_ok!(Options::quote(
			RuntimeOrigin::signed(ALICE),
			vec![q(s1, 120), q(s2, 60)].try_into().expect("two requests")
		));
		assert!(events().iter().any(|e| matches!(
			e,
			Event::QuoteLegSkipped { who: ALICE, series, reason: QuoteSkipReason::MmpFrozen, .. }
				if *series == s1
		)));
		assert!(book(s1, Side::Sell).is_empty() && book(s2, Side::Sell).is_empty());
		// Reset: thawed, counts cleared.
		assert_noop!(Options::reset_mmp(RuntimeOrigin::signed(BOB), BTC), Error::<Test>::NoMmp);
		assert_ok!(Options::reset_mmp(RuntimeOrigin::signed(ALICE), BTC));
		assert!(events().contains(&Event::MmpReset { who: ALICE, underlying: BTC }));
		let view = Options::api_mmp(&ALICE, BTC).expect("set");
		assert!(!view.frozen_now && view.frozen.is_none());
		// She quotes again: orders placed after the trip fill (one contract: below the limit).
		assert_ok!(Options::quote(
			RuntimeOrigin::signed(ALICE),
			vec![q(s1, 120)].try_into().expect("one request")
		));
		let id = book(s1, Side::Sell).first().map(|o| o.0).expect("rests");
		assert!(id >= view.void_before);
		assert_ok!(place(BOB, ioc(s1, Side::Buy, 120 * USDC, 1)));
		assert_eq!(net(s1, ALICE), -3);
	});
}

#[test]
fn a_timed_freeze_thaws_at_its_block_and_orders_from_before_the_trip_never_fill() {
	build_and_execute(|| {
		let (s1, s2) = (list(60_000, OptionKind::Call), list(62_000, OptionKind::Call));
		// Frozen for the rest of the trip's block and 2 more.
		assert_ok!(set(ALICE, BTC, Some(limits(1, 0, 2))));
		post_only(ALICE, s1, Side::Sell, 100 * USDC, 1); // 0
		post_only(ALICE, s2, Side::Sell, 50 * USDC, 1); // 1
		let trip_block = System::block_number() as u32;
		assert_ok!(place(BOB, ioc(s1, Side::Buy, 100 * USDC, 1)));
		assert_eq!(trips(), vec![(ALICE, BTC, counters(1, 0, 0), Some(trip_block + 3))]);
		// No clean-up in these blocks: order 1 stays in the book, void.
		for _ in 0..2 {
			next_block_after(BLOCK_MS, Weight::zero());
			assert_noop!(
				place(ALICE, req(s1, Side::Sell, 110 * USDC, 1)).map_err(|e| e.error),
				Error::<Test>::MmpFrozen
			);
		}
		next_block_after(BLOCK_MS, Weight::zero());
		assert!(!Options::api_mmp(&ALICE, BTC).expect("set").frozen_now);
		post_only(ALICE, s1, Side::Sell, 110 * USDC, 1);
		// The book API leaves order 1 out; a taker that reaches it removes it.
		let depth = Options::api_book_depth(s2, 5).expect("listed");
		assert!(depth.asks.is_empty());
		assert_eq!(book(s2, Side::Sell).len(), 1);
		assert_ok!(place(BOB, ioc(s2, Side::Buy, 50 * USDC, 1)));
		assert_eq!(net(s2, BOB), 0);
		assert!(reasons().contains(&(1, CancelReason::MmpTripped)));
		// The new order fills (and trips her again: a limit of 1 contract).
		assert_ok!(place(BOB, ioc(s1, Side::Buy, 110 * USDC, 1)));
		assert_eq!(net(s1, BOB), 2);
		assert_eq!(trips().len(), 2);
	});
}

#[test]
fn a_fill_counts_in_its_window_and_the_next_and_vega_trips_too() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		// Windows of 5 blocks (0-4, 5-9, 10-14, ...); at most 10 contracts or 300 USD of vega
		// (15 contracts at 20): the contracts count trips first.
		let l = MmpLimits {
			window_blocks: 5,
			max_contracts: 10,
			max_delta: Default::default(),
			max_vega: usd(300),
			freeze_blocks: 0,
		};
		assert_ok!(set(ALICE, BTC, Some(l)));
		post_only(ALICE, s, Side::Sell, 100 * USDC, 50);
		let take = |n| {
			assert_ok!(place(BOB, ioc(s, Side::Buy, 100 * USDC, n)));
		};
		let counted = || Options::api_mmp(&ALICE, BTC).expect("set").counted;
		take(6); // block 1, window 0
		assert_eq!(counted(), counters(6, 30, 120));
		while System::block_number() < 5 {
			next_block();
		}
		take(3); // window 1: 6 + 3
		assert_eq!(counted(), counters(9, 45, 180));
		while System::block_number() < 10 {
			next_block();
		}
		// Window 2: window 0 no longer counts.
		assert_eq!(counted(), counters(3, 15, 60));
		take(3);
		assert!(trips().is_empty());
		take(4); // 3 + 3 + 4 = 10: trips
		assert_eq!(trips(), vec![(ALICE, BTC, counters(10, 50, 200), None)]);
		// A gap of a whole window clears both.
		assert_ok!(Options::reset_mmp(RuntimeOrigin::signed(ALICE), BTC));
		post_only(ALICE, s, Side::Sell, 100 * USDC, 50);
		take(2);
		while System::block_number() < 20 {
			next_block();
		}
		assert_eq!(counted(), MmpCounters::default());
		// Vega alone: with a vega limit of 60 USD, 3 contracts trip it.
		let vega_only = MmpLimits { max_contracts: 0, max_vega: usd(60), ..l };
		assert_ok!(set(ALICE, BTC, Some(vega_only)));
		take(3);
		assert_eq!(trips().last(), Some(&(ALICE, BTC, counters(3, 15, 60), None)));
	});
}

#[test]
fn bad_limits_are_refused_and_removal_keeps_only_a_pending_watermark() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		let ok = limits(5, 0, 0);
		let refused = |l| set(ALICE, BTC, Some(l));
		assert_noop!(
			refused(MmpLimits { window_blocks: 0, ..ok }),
			Error::<Test>::InvalidMmpLimits
		);
		// The mock's MaxMmpBlocks: 50.
		assert_noop!(
			refused(MmpLimits { window_blocks: 51, ..ok }),
			Error::<Test>::InvalidMmpLimits
		);
		assert_noop!(
			refused(MmpLimits { freeze_blocks: 51, ..ok }),
			Error::<Test>::InvalidMmpLimits
		);
		assert_noop!(
			refused(MmpLimits { max_contracts: 0, ..ok }),
			Error::<Test>::InvalidMmpLimits
		);
		assert_noop!(set(ALICE, 7, Some(ok)), Error::<Test>::UnderlyingNotConfigured);
		assert_noop!(set(ALICE, BTC, None), Error::<Test>::NoMmp);
		assert_noop!(Options::reset_mmp(RuntimeOrigin::signed(ALICE), BTC), Error::<Test>::NoMmp);
		// Set and removed: nothing stays.
		assert_ok!(set(ALICE, BTC, Some(MmpLimits { window_blocks: 50, freeze_blocks: 50, ..ok })));
		assert_ok!(set(ALICE, BTC, None));
		assert!(MmpStates::<Test>::get(ALICE, BTC).is_none());
		assert_eq!(events().into_iter().filter(|e| matches!(e, Event::MmpSet { .. })).count(), 2);
		// Tripped, then removed before the clean-up ran: the watermark stays (the orders stay
		// void), the freeze goes.
		assert_ok!(set(ALICE, BTC, Some(limits(1, 0, 0))));
		post_only(ALICE, s, Side::Sell, 100 * USDC, 2); // 0
		assert_ok!(place(BOB, ioc(s, Side::Buy, 100 * USDC, 1)));
		assert_ok!(set(ALICE, BTC, None));
		let left = MmpStates::<Test>::get(ALICE, BTC).expect("watermark kept");
		assert_eq!((left.limits, left.frozen, left.void_before), (None, None, 2));
		assert!(Options::api_mmp(&ALICE, BTC).is_some_and(|v| !v.frozen_now));
		// `on_idle` removes the void order, then the entry.
		next_block();
		assert!(book(s, Side::Sell).is_empty());
		assert!(MmpStates::<Test>::get(ALICE, BTC).is_none());
		assert!(MmpCleanup::<Test>::iter().next().is_none());
	});
}

#[test]
fn on_idle_removes_void_orders_within_its_items_and_keeps_other_underlyings() {
	build_and_execute(|| {
		let (s1, s2, e) =
			(list(60_000, OptionKind::Call), list(62_000, OptionKind::Call), list_eth());
		assert_ok!(set(ALICE, BTC, Some(limits(1, 0, 0))));
		post_only(ALICE, s1, Side::Sell, 100 * USDC, 1); // 0
		post_only(ALICE, s1, Side::Sell, 101 * USDC, 1); // 1
		post_only(ALICE, e, Side::Sell, 10 * USDC, 1); // 2
		post_only(ALICE, s1, Side::Sell, 102 * USDC, 1); // 3
		post_only(ALICE, s2, Side::Sell, 50 * USDC, 1); // 4
		post_only(ALICE, s2, Side::Sell, 51 * USDC, 1); // 5
		assert_ok!(place(BOB, ioc(s1, Side::Buy, 100 * USDC, 1))); // 6: trips
		assert_eq!(trips().len(), 1);
		let ids = || AccountOrders::<Test>::get(ALICE).iter().map(|r| r.id).collect::<Vec<_>>();
		assert_eq!(ids(), vec![1, 2, 3, 4, 5]);
		// The mock's MaxIdleItems: 3 removals per block.
		next_block();
		assert_eq!(ids(), vec![2, 5]);
		assert_eq!(MmpCleanup::<Test>::get(ALICE, BTC).map(|c| c.next), Some(5));
		next_block();
		assert_eq!(ids(), vec![2]);
		// Done: the clean-up entry goes, the watermark is cleared, the freeze stays.
		assert!(MmpCleanup::<Test>::get(ALICE, BTC).is_none());
		let s = MmpStates::<Test>::get(ALICE, BTC).expect("limits kept");
		assert_eq!((s.void_before, s.frozen), (0, Some(MmpFreeze::UntilReset)));
		assert_eq!(
			reasons(),
			vec![
				(1, CancelReason::MmpTripped),
				(3, CancelReason::MmpTripped),
				(4, CancelReason::MmpTripped),
				(5, CancelReason::MmpTripped)
			]
		);
	});
}

#[test]
fn a_maker_that_sets_limits_after_a_taker_was_queued_is_passed_over_not_filled_uncounted() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		post_only(ALICE, s, Side::Sell, 100 * USDC, 5); // 0
												  // Bob's plan: Alice has no limits (no counted fill, no greeks paid for).
		assert_ok!(submit(BOB, ioc(s, Side::Buy, 100 * USDC, 2)));
		// Later in the block Alice protects herself.
		assert_ok!(set(ALICE, BTC, Some(limits(3, 0, 0))));
		end_transactions();
		// Bob's step passed Alice's order over: it rests, unfilled.
		assert!(fills().is_empty());
		assert_eq!(book(s, Side::Sell), vec![(0, ALICE, 100 * USDC, 5)]);
		// A taker planned with her limits fills and is counted.
		assert_ok!(place(BOB, ioc(s, Side::Buy, 100 * USDC, 2)));
		assert_eq!(Options::api_mmp(&ALICE, BTC).map(|v| v.counted.contracts), Some(2));
	});
}

#[test]
fn an_unpriceable_series_passes_a_maker_with_a_delta_limit_over_without_a_trip() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		assert_ok!(set(ALICE, BTC, Some(limits(0, 100, 0))));
		assert_ok!(set(DAVE, BTC, Some(MmpLimits { max_vega: usd(1_000), ..limits(0, 0, 0) })));
		post_only(ALICE, s, Side::Sell, 100 * USDC, 5); // 0
		post_only(DAVE, s, Side::Sell, 100 * USDC, 5); // 1
		post_only(CHARLIE, s, Side::Sell, 101 * USDC, 5); // 2
		MockMargin::set_greeks(None);
		MockMargin::take_greeks_calls();
		assert_ok!(place(BOB, ioc(s, Side::Buy, 101 * USDC, 2)));
		// Neither Alice's nor Dave's order fills unmeasured nor trips its owner (which anybody
		// could then do for the price of one order): both are passed over and keep their place;
		// the failed pricing is tried once for the order.
		assert_eq!(MockMargin::take_greeks_calls(), 1);
		assert_eq!(fills(), vec![(2, BOB, 2)]);
		assert_eq!(book(s, Side::Sell).len(), 3);
		assert!(trips().is_empty());
		assert_eq!(book(s, Side::Sell).first(), Some(&(0, ALICE, 100 * USDC, 5)));
		assert!(!Options::api_mmp(&ALICE, BTC).expect("set").frozen_now);
	});
}

#[test]
fn greeks_are_priced_once_per_order_and_only_for_delta_or_vega_limits() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		assert_ok!(set(ALICE, BTC, Some(limits(0, 500, 0))));
		assert_ok!(set(CHARLIE, BTC, Some(limits(100, 0, 0))));
		post_only(ALICE, s, Side::Sell, 100 * USDC, 1);
		post_only(CHARLIE, s, Side::Sell, 101 * USDC, 1);
		post_only(ALICE, s, Side::Sell, 102 * USDC, 1);
		MockMargin::set_greeks(Some(ContractGreeks { delta: units::ratio(7, 100), vega: usd(3) }));
		MockMargin::take_greeks_calls();
		assert_ok!(place(BOB, ioc(s, Side::Buy, 102 * USDC, 3)));
		assert_eq!(MockMargin::take_greeks_calls(), 1);
		assert_eq!(Options::api_mmp(&ALICE, BTC).map(|v| v.counted), Some(counters(2, 14, 6)));
		// A contracts limit alone needs no greeks.
		post_only(CHARLIE, s, Side::Sell, 103 * USDC, 1);
		assert_ok!(place(BOB, ioc(s, Side::Buy, 103 * USDC, 1)));
		assert_eq!(MockMargin::take_greeks_calls(), 0);
		assert_eq!(Options::api_mmp(&CHARLIE, BTC).map(|v| v.counted.contracts), Some(2));
	});
}

#[test]
fn a_taker_pays_for_the_fills_it_counts_and_the_greeks_at_submission() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		assert_ok!(set(ALICE, BTC, Some(limits(0, 500, 0))));
		post_only(ALICE, s, Side::Sell, 100 * USDC, 1);
		post_only(CHARLIE, s, Side::Sell, 101 * USDC, 1);
		post_only(ALICE, s, Side::Sell, 102 * USDC, 1);
		let r = ioc(s, Side::Buy, 102 * USDC, 3);
		let planned = Options::plan_match(&BOB, &r, BTC);
		// Three fills, one spare step; two counted fills, greeks once.
		assert_eq!((planned.steps, planned.mmp_fills, planned.greeks), (4, 2, true));
		let unprotected = MatchBudget { mmp_fills: 0, greeks: false, ..planned };
		use optionchain_primitives::exchange::MarginAccounts;
		assert_eq!(
			Options::queued_order_weight(planned, &r)
				- Options::queued_order_weight(unprotected, &r),
			Options::mmp_fill_weight() * 2 + MockMargin::contract_greeks_weight()
		);
		let charged = submit(BOB, r).expect("queued").actual_weight;
		assert_eq!(charged, Some(Options::queued_order_weight(planned, &r)));
		end_transactions();
		assert_eq!(fills().len(), 3);
	});
}

/// Helper-31's finding: a queued order rests after its owner's post-only orders of the same
/// block, so an order list appended to was not in id order, and the clean-up (walking by id
/// from a cursor) could pass a void order by, clear the watermark and let it fill again after
/// a reset. Lists are now kept in id order.
#[test]
fn a_void_order_queued_before_a_same_block_post_only_order_stays_void_after_the_clean_up() {
	build_and_execute(|| {
		let s1 = list(60_000, OptionKind::Call);
		assert_ok!(set(ALICE, BTC, Some(limits(1, 0, 0))));
		// One block: Alice's ask is queued (id 0, rests when the queue is matched), then her
		// post-only bid rests at once (id 1).
		assert_ok!(submit(ALICE, req(s1, Side::Sell, 100 * USDC, 2)));
		assert_ok!(submit(
			ALICE,
			OrderRequest { post_only: true, ..req(s1, Side::Buy, 90 * USDC, 1) }
		));
		end_transactions();
		let ids = || AccountOrders::<Test>::get(ALICE).iter().map(|r| r.id).collect::<Vec<_>>();
		assert_eq!(ids(), vec![0, 1]);
		next_block();
		// Bob lifts one: Alice trips; the other contract of order 0 is void.
		assert_ok!(place(BOB, ioc(s1, Side::Buy, 100 * USDC, 1)));
		assert_eq!(trips().len(), 1);
		next_block();
		assert_eq!(ids(), Vec::<OrderId>::new());
		assert!(reasons().contains(&(0, CancelReason::MmpTripped)));
		// After her reset, nothing of order 0 can fill.
		assert_ok!(Options::reset_mmp(RuntimeOrigin::signed(ALICE), BTC));
		assert_ok!(place(BOB, ioc(s1, Side::Buy, 100 * USDC, 1)));
		assert_eq!(net(s1, BOB), 1);
	});
}
