//! Mass quote (issue 15 item 4): replacing a maker's bids and asks in many series in one call,
//! the priority rule, legs that would take, bad input, and one margin check per call. The mock
//! allows `MaxQuoteLegs = 4` legs per call.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo};
use optionchain_primitives::exchange::{Contracts, OptionKind, SeriesId, Side};

fn leg(price_usdc: u128, quantity: Contracts) -> Option<QuoteLeg> {
	Some(QuoteLeg { price: price_usdc * USDC, quantity })
}

fn two_sided(series: SeriesId, bid: u128, ask: u128, quantity: Contracts) -> QuoteRequest {
	QuoteRequest { series, bid: leg(bid, quantity), ask: leg(ask, quantity) }
}

fn quote(
	who: u64,
	quotes: Vec<QuoteRequest>,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Options::quote(RuntimeOrigin::signed(who), bounded(quotes))
}

fn bounded(
	quotes: Vec<QuoteRequest>,
) -> frame_support::BoundedVec<QuoteRequest, <Test as Config>::MaxQuoteLegs> {
	quotes.try_into().expect("at most MaxQuoteLegs requests")
}

/// The call's error without its weight (for `assert_noop!`).
fn refused(who: u64, quotes: Vec<QuoteRequest>) -> Result<(), sp_runtime::DispatchError> {
	quote(who, quotes).map(|_| ()).map_err(|e| e.error)
}

/// Weight of `n` others' orders on the sides a call reads.
fn depth(n: u32) -> frame_support::weights::Weight {
	use crate::weights::WeightInfo;
	<() as WeightInfo>::quote_depth(n).saturating_sub(<() as WeightInfo>::quote_depth(0))
}

fn skipped() -> Vec<(SeriesId, Side, QuoteSkipReason)> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::QuoteLegSkipped { series, side, reason, .. } => Some((series, side, reason)),
			_ => None,
		})
		.collect()
}

#[test]
fn a_quote_rests_a_bid_and_an_ask_in_each_series() {
	build_and_execute(|| {
		let (a, b) = (list(60_000, OptionKind::Call), list(62_000, OptionKind::Call));
		assert_ok!(quote(ALICE, vec![two_sided(a, 100, 110, 3), two_sided(b, 50, 60, 2)]));
		assert_eq!(book(a, Side::Buy), vec![(0, ALICE, 100 * USDC, 3)]);
		assert_eq!(book(a, Side::Sell), vec![(1, ALICE, 110 * USDC, 3)]);
		assert_eq!(book(b, Side::Buy), vec![(2, ALICE, 50 * USDC, 2)]);
		assert_eq!(book(b, Side::Sell), vec![(3, ALICE, 60 * USDC, 2)]);
		assert_eq!(events().last(), Some(&Event::Quoted { who: ALICE, legs: 4 }));
		// The orders are ordinary resting orders: a taker fills the ask.
		assert_ok!(place(BOB, req(a, Side::Buy, 110 * USDC, 1)));
		assert_eq!((net(a, ALICE), net(a, BOB)), (-1, 1));
		assert_eq!(book(a, Side::Sell), vec![(1, ALICE, 110 * USDC, 2)]);
	});
}

#[test]
fn a_requote_replaces_every_order_of_the_caller_on_that_side() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		gtc(ALICE, s, Side::Buy, 90 * USDC, 1); // 0
		gtc(ALICE, s, Side::Buy, 95 * USDC, 1); // 1
		gtc(BOB, s, Side::Buy, 95 * USDC, 1); // 2
		gtc(ALICE, s, Side::Sell, 120 * USDC, 1); // 3

		// Only the bid is quoted: both of Alice's bids go, her ask stays, Bob's bid stays.
		assert_ok!(quote(ALICE, vec![QuoteRequest { series: s, bid: leg(96, 2), ask: None }]));
		assert_eq!(book(s, Side::Buy), vec![(4, ALICE, 96 * USDC, 2), (2, BOB, 95 * USDC, 1)]);
		assert_eq!(book(s, Side::Sell), vec![(3, ALICE, 120 * USDC, 1)]);
		let cancelled: Vec<_> = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::OrderCancelled { order_id, reason: CancelReason::Requoted, .. } => {
					Some(order_id)
				},
				_ => None,
			})
			.collect();
		// In book order (one pass over the side): the 95 bid, then the 90 one.
		assert_eq!(cancelled, vec![1, 0]);
		// A zero size pulls the side.
		assert_ok!(quote(ALICE, vec![QuoteRequest { series: s, bid: leg(96, 0), ask: None }]));
		assert_eq!(book(s, Side::Buy), vec![(2, BOB, 95 * USDC, 1)]);
	});
}

#[test]
fn a_requote_keeps_time_priority_only_at_the_same_price_with_a_smaller_size() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		assert_ok!(quote(ALICE, vec![QuoteRequest { series: s, bid: leg(100, 5), ask: None }]));
		gtc(BOB, s, Side::Buy, 100 * USDC, 1); // 1, behind Alice

		// Same price, smaller size: trimmed in place, still first.
		assert_ok!(quote(ALICE, vec![QuoteRequest { series: s, bid: leg(100, 3), ask: None }]));
		assert_eq!(book(s, Side::Buy), vec![(0, ALICE, 100 * USDC, 3), (1, BOB, 100 * USDC, 1)]);
		assert!(events().contains(&Event::OrderReduced { order_id: 0, series: s, remaining: 3 }));
		// Same price and size: nothing changes.
		assert_ok!(quote(ALICE, vec![QuoteRequest { series: s, bid: leg(100, 3), ask: None }]));
		assert_eq!(book(s, Side::Buy), vec![(0, ALICE, 100 * USDC, 3), (1, BOB, 100 * USDC, 1)]);
		// A larger size loses the priority: a new order behind Bob.
		assert_ok!(quote(ALICE, vec![QuoteRequest { series: s, bid: leg(100, 4), ask: None }]));
		assert_eq!(book(s, Side::Buy), vec![(1, BOB, 100 * USDC, 1), (2, ALICE, 100 * USDC, 4)]);
		// So does a new price, even a worse one with a smaller size.
		gtc(CHARLIE, s, Side::Buy, 99 * USDC, 1); // 3
		assert_ok!(quote(ALICE, vec![QuoteRequest { series: s, bid: leg(99, 1), ask: None }]));
		assert_eq!(
			book(s, Side::Buy),
			vec![(1, BOB, 100 * USDC, 1), (3, CHARLIE, 99 * USDC, 1), (4, ALICE, 99 * USDC, 1)]
		);
	});
}

#[test]
fn a_leg_that_would_take_rests_nothing_and_the_others_go_ahead() {
	build_and_execute(|| {
		let (a, b) = (list(60_000, OptionKind::Call), list(62_000, OptionKind::Call));
		gtc(BOB, a, Side::Sell, 105 * USDC, 1); // 0
		gtc(ALICE, a, Side::Buy, 90 * USDC, 1); // 1: Alice's old bid

		// Alice's new bid of 105 reaches Bob's ask: post-only, it rests nothing; her old bid
		// is gone all the same (a maker who moves a quote never keeps the stale one). Her
		// ask and the other series' legs rest.
		assert_ok!(quote(ALICE, vec![two_sided(a, 105, 110, 1), two_sided(b, 50, 60, 1)]));
		assert_eq!(skipped(), vec![(a, Side::Buy, QuoteSkipReason::WouldTake)]);
		assert_eq!(book(a, Side::Buy), vec![]);
		assert_eq!(book(a, Side::Sell), vec![(0, BOB, 105 * USDC, 1), (2, ALICE, 110 * USDC, 1)]);
		assert_eq!(book(b, Side::Buy).len(), 1);
		assert_eq!(book(b, Side::Sell).len(), 1);
		assert_eq!((net(a, ALICE), net(a, BOB)), (0, 0));
		// The caller's own order on the other side counts too (no self-trade by quoting).
		assert_ok!(quote(ALICE, vec![QuoteRequest { series: b, bid: leg(60, 1), ask: None }]));
		assert_eq!(skipped().last(), Some(&(b, Side::Buy, QuoteSkipReason::WouldTake)));
		// Moving the ask in the same request frees the bid.
		assert_ok!(quote(ALICE, vec![two_sided(b, 60, 61, 1)]));
		assert_eq!(book(b, Side::Buy), vec![(5, ALICE, 60 * USDC, 1)]);
		assert_eq!(book(b, Side::Sell), vec![(6, ALICE, 61 * USDC, 1)]);
	});
}

#[test]
fn a_leg_on_a_full_side_rests_only_at_a_better_price() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		// The mock's sides hold 16 orders: fill the bids at 10..=25 USDC (BOB, CHARLIE, DAVE).
		for i in 0..16u128 {
			gtc([BOB, CHARLIE, DAVE][(i % 3) as usize], s, Side::Buy, (10 + i) * USDC, 1);
		}
		assert_ok!(quote(ALICE, vec![QuoteRequest { series: s, bid: leg(10, 1), ask: None }]));
		assert_eq!(skipped(), vec![(s, Side::Buy, QuoteSkipReason::BookFull)]);
		// A strictly better price evicts the worst (10 USDC).
		assert_ok!(quote(ALICE, vec![QuoteRequest { series: s, bid: leg(11, 1), ask: None }]));
		let bids = book(s, Side::Buy);
		assert_eq!(bids.len(), 16);
		assert_eq!(bids.last(), Some(&(16, ALICE, 11 * USDC, 1)));
		assert!(events().iter().any(|e| matches!(
			e,
			Event::OrderCancelled { order_id: 0, reason: CancelReason::Evicted, .. }
		)));
	});
}

#[test]
fn bad_quotes_are_refused_with_nothing_changed() {
	build_and_execute(|| {
		let (a, b) = (list(60_000, OptionKind::Call), list(62_000, OptionKind::Call));
		assert_ok!(quote(ALICE, vec![two_sided(a, 100, 110, 1)]));
		let before = (book(a, Side::Buy), book(a, Side::Sell));
		let none = QuoteRequest { series: a, bid: None, ask: None };
		let cases: Vec<(Vec<QuoteRequest>, Error<Test>)> = vec![
			(vec![], Error::EmptyQuote),
			(vec![none], Error::EmptyQuote),
			(
				vec![two_sided(a, 1, 2, 1), two_sided(b, 1, 2, 1), two_sided(99, 1, 2, 1)],
				Error::TooManyQuoteLegs,
			),
			(vec![two_sided(a, 90, 95, 1), two_sided(a, 80, 85, 1)], Error::DuplicateQuoteSeries),
			(vec![two_sided(a, 110, 110, 1)], Error::CrossedQuote),
			(vec![two_sided(a, 111, 110, 1)], Error::CrossedQuote),
			(
				vec![QuoteRequest {
					series: a,
					bid: Some(QuoteLeg { price: 100 * USDC + 1, quantity: 1 }),
					ask: None,
				}],
				Error::InvalidPrice,
			),
			(vec![two_sided(a, 0, 110, 1)], Error::InvalidPrice),
			(vec![two_sided(a, 90, 95, -1)], Error::InvalidQuantity),
			(vec![two_sided(a, 90, 95, 1_000_001)], Error::InvalidQuantity),
			(vec![two_sided(99, 90, 95, 1)], Error::UnknownSeries),
		];
		for (quotes, error) in cases {
			assert_noop!(refused(ALICE, quotes.clone()), error);
		}
		assert_eq!((book(a, Side::Buy), book(a, Side::Sell)), before);
		// A crossed request is fine when one of its legs only pulls.
		assert_ok!(quote(
			ALICE,
			vec![QuoteRequest { series: a, bid: leg(120, 0), ask: leg(110, 1) }]
		));
		assert_eq!(book(a, Side::Buy), vec![]);
		// An expired series.
		set_time(EXPIRY);
		assert_noop!(refused(ALICE, vec![two_sided(b, 1, 2, 1)]), Error::<Test>::SeriesExpired);
	});
}

#[test]
fn one_margin_check_per_call_and_a_failed_check_changes_nothing() {
	build_and_execute(|| {
		let (a, b) = (list(60_000, OptionKind::Call), list(62_000, OptionKind::Call));
		assert_ok!(quote(ALICE, vec![two_sided(a, 100, 110, 1)]));
		MockMargin::reject_margin(ALICE, true);
		assert_noop!(
			refused(ALICE, vec![two_sided(a, 101, 111, 1), two_sided(b, 50, 60, 1)]),
			Error::<Test>::QuoteInsufficientMargin
		);
		// Pulling and shrinking need no check: a maker under a margin call can always pull.
		assert_ok!(quote(
			ALICE,
			vec![QuoteRequest { series: a, bid: leg(100, 0), ask: leg(110, 0) }]
		));
		assert!(book(a, Side::Buy).is_empty() && book(a, Side::Sell).is_empty());
		MockMargin::reject_margin(ALICE, false);
		// A stale price fails a call that rests something, with its cause.
		MockMargin::set_stale(BTC, true);
		assert_noop!(refused(ALICE, vec![two_sided(a, 100, 110, 1)]), crate::mock::PRICE_STALE);
	});
}

#[test]
fn a_quote_is_charged_for_its_legs() {
	build_and_execute(|| {
		let (a, b) = (list(60_000, OptionKind::Call), list(62_000, OptionKind::Call));
		let one = vec![QuoteRequest { series: a, bid: leg(100, 1), ask: None }];
		let four = vec![two_sided(a, 100, 110, 1), two_sided(b, 50, 60, 1)];
		let declared = |q: &Vec<QuoteRequest>| {
			crate::Call::<Test>::quote { quotes: bounded(q.clone()) }
				.get_dispatch_info()
				.call_weight
		};
		assert!(declared(&one).all_lt(declared(&four)));
		// (Each call also reads the caller's void entry, and its protection entry once per
		// request at most.)
		let w = |l, c| <() as crate::weights::WeightInfo>::quote(l, c) + db_weight().reads(1);
		let full = <MockMargin as optionchain_primitives::exchange::MarginAccounts<u64>>::margin_check_weight();
		// Up front: the legs, cancelling every order the caller may hold (12 in the mock: 8
		// beyond one per leg), two full sides per request (16 orders each in the mock), an
		// eviction per leg and a check at the maximum portfolio.
		let evictions = |n: u64| Options::cancel_weight() * n;
		// (And each cancelled order's good-till index entry, at most.)
		let unlinks = Options::unlink_weight() * 12;
		assert_eq!(
			declared(&four),
			w(4, 8)
				+ unlinks + depth(2 * 2 * 16)
				+ evictions(4)
				+ Options::extra_check_weight(full)
				+ db_weight().reads(2)
				// Whether an order a leg would keep is volatility-priced, per leg.
				+ db_weight().reads(4)
				// Each request's series entry.
				+ db_weight().writes(2)
		);
		// A one-sided request also reads the opposite side.
		assert_eq!(
			declared(&one),
			w(1, 11)
				+ unlinks + depth(2 * 16)
				+ db_weight().reads(3)
				+ evictions(1)
				+ Options::extra_check_weight(full)
				// Its series entry, and its position entry (once per two legs in the benchmark).
				+ db_weight().writes(2)
		);
		// Charged for its legs and the check it made (the mock's check weighs 1,000; the two
		// quoted series' reads again are not charged).
		let post = quote(ALICE, four).unwrap();
		let check = frame_support::weights::Weight::from_parts(1_000, 0);
		assert_eq!(
			Options::quote_check_weight(check, 2),
			Options::extra_check_weight(check).saturating_sub(db_weight().reads(2))
		);
		// (Both series are BTC's: the protection entry is read once. Both series' counts of
		// resting orders changed: their entries are written.)
		assert_eq!(
			post.actual_weight,
			Some(
				w(4, 0)
					+ Options::quote_check_weight(check, 2)
					+ db_weight().reads(1)
					+ db_weight().writes(2)
			)
		);
		// Re-quoting both sides at new prices replaces one order with one on each side: the
		// series' entries are not written, nor charged.
		let before = (crate::Series::<Test>::get(a), crate::Series::<Test>::get(b));
		let requote = vec![two_sided(a, 101, 111, 1), two_sided(b, 51, 61, 1)];
		let post = quote(ALICE, requote).unwrap();
		assert_eq!(before, (crate::Series::<Test>::get(a), crate::Series::<Test>::get(b)));
		assert_eq!(
			post.actual_weight,
			Some(w(4, 0) + Options::quote_check_weight(check, 2) + db_weight().reads(1))
		);
		// A refused call is charged only the reads it made.
		let e = quote(ALICE, vec![two_sided(a, 90, 95, 1), two_sided(99, 1, 2, 1)]).unwrap_err();
		assert_eq!(e.post_info.actual_weight, Some(db_weight().reads(2)));
	});
}

#[test]
fn a_leg_that_cancels_many_orders_is_charged_for_each() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		for p in 1..=5 {
			gtc(ALICE, s, Side::Buy, p * USDC, 1);
		}
		// One leg pulls five bids: charged one leg and four further cancellations.
		let post =
			quote(ALICE, vec![QuoteRequest { series: s, bid: leg(1, 0), ask: None }]).unwrap();
		assert!(book(s, Side::Buy).is_empty());
		// (It also reads the caller's void entry and its protection on the underlying; a pull
		// does not read the ask side.)
		let reads = db_weight().reads(2);
		// (Its series' count of resting orders fell: the entry is written.)
		assert_eq!(
			post.actual_weight,
			Some(<() as crate::weights::WeightInfo>::quote(1, 4) + reads + db_weight().writes(1))
		);
		let one = <() as crate::weights::WeightInfo>::quote(1, 0);
		assert!(post.actual_weight.unwrap().all_gt(one));
	});
}

#[test]
fn a_quote_is_charged_for_the_others_orders_on_the_sides_it_reads() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		for p in [90, 91, 92] {
			gtc(BOB, s, Side::Buy, p * USDC, 1);
		}
		for p in [120, 121] {
			gtc(CHARLIE, s, Side::Sell, p * USDC, 1);
		}
		gtc(ALICE, s, Side::Buy, 80 * USDC, 1);
		// A bid replacing Alice's bid: the bid side holds three others' orders, and the ask
		// side (two orders) is read for its best price.
		let post =
			quote(ALICE, vec![QuoteRequest { series: s, bid: leg(100, 2), ask: None }]).unwrap();
		assert_eq!(book(s, Side::Buy).first(), Some(&(6, ALICE, 100 * USDC, 2)));
		let legs = <() as crate::weights::WeightInfo>::quote(1, 0);
		// (The ask side, the void entry and the protection entry; the one-sided request's
		// position entry written.)
		let reads = db_weight().reads(3) + db_weight().writes(1);
		// The mock's check weighs 1,000: nothing beyond the benchmark's.
		assert_eq!(post.actual_weight, Some(legs + depth(5) + reads));
		assert!(depth(5).ref_time() > depth(4).ref_time());
	});
}

#[test]
fn a_leg_that_evicts_from_a_full_side_is_charged_the_cancellation() {
	build_and_execute(|| {
		let s = list(60_000, OptionKind::Call);
		// The mock's sides hold 16 orders: eight bids each of Bob and Charlie.
		for p in 1..=8 {
			gtc(BOB, s, Side::Buy, (10 + p) * USDC, 1);
			gtc(CHARLIE, s, Side::Buy, (20 + p) * USDC, 1);
		}
		assert_eq!(book(s, Side::Buy).len(), 16);
		let post =
			quote(ALICE, vec![QuoteRequest { series: s, bid: leg(50, 1), ask: None }]).unwrap();
		// Bob's 11 USDC bid (the worst) made room.
		let side = book(s, Side::Buy);
		assert_eq!((side.len(), side.first().map(|o| o.1)), (16, Some(ALICE)));
		assert!(side.iter().all(|o| o.2 != 11 * USDC));
		assert!(events().iter().any(|e| matches!(
			e,
			Event::OrderCancelled { who: BOB, reason: CancelReason::Evicted, .. }
		)));
		// One leg on a side of 16 others' orders, the empty ask side read, the void entry, the
		// protection entry, the eviction, and the one-sided request's position entry written.
		let w = <() as crate::weights::WeightInfo>::quote(1, 0)
			+ depth(16)
			+ db_weight().reads(3)
			+ db_weight().writes(1)
			+ Options::cancel_weight();
		assert_eq!(post.actual_weight, Some(w));
	});
}
