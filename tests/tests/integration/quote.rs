//! A market maker quotes a board through `quote` (signed extrinsics in real blocks): one call
//! rests a bid and an ask in three series, a taker lifts an ask, the maker moves the whole
//! board after the index moves, then pulls it.

use optionchain_integration_tests::{
	expect_event,
	market::{Market, WEEK},
};
use optionchain_runtime::{genesis_config_presets::BTC, RuntimeEvent, USD};
use pallet_options::{BookLevel, Event as OptionsEvent};
use sp_keyring::Sr25519Keyring::{Charlie, Dave};

fn level(usdc: u128, quantity: i64) -> Vec<BookLevel> {
	vec![BookLevel { price: usdc * USD, quantity, orders: 1 }]
}

#[test]
fn a_maker_quotes_moves_and_pulls_a_board_in_one_call_each() {
	let mut m = Market::dev();
	let calls = [60_000, 62_000, 64_000].map(|k| m.list_call(BTC, k, WEEK));
	m.deposit(Dave, 50_000).deposit(Charlie, 10_000).next_block();
	let [a, b, c] = calls;
	m.quote(
		Dave,
		&[
			(a, Some((100, 2)), Some((110, 2))),
			(b, Some((50, 2)), Some((60, 2))),
			(c, Some((20, 2)), Some((30, 2))),
		],
	)
	.next_block()
	.assert_ok();
	assert_eq!(
		expect_event!(m, RuntimeEvent::Options(OptionsEvent::Quoted { legs, .. }) => *legs),
		6
	);
	assert_eq!((m.book(b).bids, m.book(b).asks), (level(50, 2), level(60, 2)));
	m.buy(Charlie, a, 1, 110).next_block().assert_ok();
	assert_eq!(m.positions(Charlie), vec![(a, 1)]);
	assert_eq!(m.book(a).asks, level(110, 1));
	// The index moves 5 %: the maker moves every level in one call.
	m.move_price(BTC, 5).next_block();
	m.quote(
		Dave,
		&[
			(a, Some((380, 1)), Some((400, 1))),
			(b, Some((200, 1)), Some((215, 1))),
			(c, Some((90, 1)), Some((100, 1))),
		],
	)
	.next_block()
	.assert_ok();
	assert_eq!((m.book(a).bids, m.book(a).asks), (level(380, 1), level(400, 1)));
	assert_eq!((m.book(c).bids, m.book(c).asks), (level(90, 1), level(100, 1)));
	// And pulls the board.
	m.quote(
		Dave,
		&[
			(a, Some((380, 0)), Some((400, 0))),
			(b, Some((200, 0)), Some((215, 0))),
			(c, Some((90, 0)), Some((100, 0))),
		],
	)
	.next_block()
	.assert_ok();
	assert!(calls.iter().all(|s| m.book(*s).bids.is_empty() && m.book(*s).asks.is_empty()));
}

/// The weights charged to the last block's `quote` calls, in order.
fn quote_weights(m: &Market) -> Vec<frame_support::weights::Weight> {
	let mut quoted = false;
	let mut out = Vec::new();
	for e in &m.last_events {
		match e {
			RuntimeEvent::Options(OptionsEvent::Quoted { .. }) => quoted = true,
			RuntimeEvent::System(frame_system::Event::ExtrinsicSuccess { dispatch_info })
				if core::mem::take(&mut quoted) =>
			{
				out.push(dispatch_info.weight)
			},
			_ => {},
		}
	}
	out
}

/// Issue 15, item 8 (first step): a maker warm in the block (its first quote evaluated it in
/// full) re-quotes its board checked on the quoted series alone, charged less than the same
/// re-quote from a cold account; a re-quote beyond its margin is still refused, and its asks
/// re-quoted that way fill safely in the same block (native debug builds evaluate the maker in
/// full after such a quote and after each warm fill, and panic if it were below its initial
/// requirement).
#[test]
fn a_warm_maker_requotes_checked_on_its_quoted_series_alone() {
	let mut m = Market::dev();
	let calls: Vec<_> = (0..4).map(|i| m.list_call(BTC, 70_000 + 2_000 * i, WEEK)).collect();
	m.deposit(Dave, 50_000).deposit(Charlie, 10_000).next_block().assert_ok();
	let board = |bid: u128, ask: u128, size: i64| {
		calls
			.iter()
			.map(|s| (*s, Some((bid, size)), Some((ask, size))))
			.collect::<Vec<_>>()
	};
	// Block n: the first quote evaluates Dave in full (warm, his spare recorded); the second
	// moves every price (a new order per leg) and is checked on the four series alone.
	m.quote(Dave, &board(10, 900, 1))
		.quote(Dave, &board(11, 899, 1))
		.next_block()
		.assert_ok();
	let fast = quote_weights(&m)[1];
	assert_eq!(m.book(calls[0]).asks, level(899, 1));
	// Block n + 1: the same re-quote, Dave cold (stamped in block n): a full evaluation.
	m.quote(Dave, &board(10, 900, 1)).next_block().assert_ok();
	let full = quote_weights(&m)[0];
	assert!(fast.all_lt(full), "{fast:?} against {full:?}");
	// A re-quote of 100 contracts a side needs far more than Dave's 50,000 USD: refused (the
	// recorded spare does not cover it, the full evaluation refuses it), the board unchanged.
	m.quote(Dave, &board(11, 899, 1)).quote(Dave, &board(10, 900, 100)).next_block();
	assert!(m.last_results[0].is_ok());
	m.assert_failed(
		1,
		pallet_options::Error::<optionchain_runtime::Runtime>::QuoteInsufficientMargin,
	);
	assert_eq!(m.book(calls[0]).asks, level(899, 1));
	// Re-quoted on its series alone, then lifted in the same block by a taker (matched after
	// the block's transactions): Dave is warm, the fill is not evaluated again.
	m.quote(Dave, &board(11, 899, 1))
		.quote(Dave, &board(12, 898, 1))
		.buy(Charlie, calls[0], 1, 898)
		.next_block()
		.assert_ok();
	assert_eq!(m.positions(Charlie), vec![(calls[0], 1)]);
	assert_eq!(m.positions(Dave), vec![(calls[0], -1)]);
}

/// Issue 15 item 8 (spec 116): one account quotes 64 series on both sides (128 orders, 64
/// series: more than the 32 series an account could use before), and holds positions in at
/// most 32 series. When its bids are hit in 33 series, the 33rd bid is cancelled
/// (`PositionSeriesCap`) instead of filled, and the seller's order goes on; closing a
/// position frees the place.
#[test]
fn a_maker_quotes_64_series_on_both_sides_and_holds_positions_in_32() {
	use optionchain_primitives::exchange::Side;
	use pallet_options::{CancelReason, TimeInForce};
	let mut m = Market::dev();
	let series: Vec<_> = (0..64u32).map(|k| m.list_call(BTC, 40_000 + 1_000 * k, WEEK)).collect();
	m.deposit(Dave, 500_000).deposit(Charlie, 500_000).next_block().assert_ok();
	for board in series.chunks(16) {
		let legs: Vec<_> = board.iter().map(|s| (*s, Some((10, 1)), Some((50_000, 1)))).collect();
		m.quote(Dave, &legs);
	}
	m.next_block().assert_ok();
	let dave = Dave.to_account_id();
	let (orders, held) = m.chain.read(|| {
		(
			pallet_options::AccountOrders::<optionchain_runtime::Runtime>::get(&dave).len(),
			pallet_options::AccountSeriesIndex::<optionchain_runtime::Runtime>::get(&dave).len(),
		)
	});
	assert_eq!((orders, held), (128, 64));
	// Charlie sells one contract into Dave's bid in 33 series (immediate-or-cancel).
	for s in &series[..33] {
		m.order(Charlie, *s, Side::Sell, 1, 10, TimeInForce::ImmediateOrCancel);
	}
	m.next_block().assert_ok();
	let cancelled_at_cap = m
		.last_events
		.iter()
		.filter(|e| {
			matches!(
				e,
				RuntimeEvent::Options(OptionsEvent::OrderCancelled {
					reason: CancelReason::PositionSeriesCap,
					..
				})
			)
		})
		.count();
	assert_eq!(cancelled_at_cap, 1);
	assert_eq!(m.positions(Dave).len(), 32);
	assert_eq!(m.positions(Charlie).len(), 32);
	assert!(m.book(series[32]).bids.is_empty());
	// Dave sells his first contract back to Charlie's new bid: the place is free again, and
	// a new bid in the 33rd series fills.
	m.buy(Charlie, series[0], 1, 20).next_block().assert_ok();
	m.order(Dave, series[0], Side::Sell, 1, 20, TimeInForce::ImmediateOrCancel)
		.next_block()
		.assert_ok();
	m.buy(Dave, series[32], 1, 10).next_block().assert_ok();
	m.order(Charlie, series[32], Side::Sell, 1, 10, TimeInForce::ImmediateOrCancel)
		.next_block()
		.assert_ok();
	assert_eq!(m.positions(Dave).len(), 32);
	assert!(m.positions(Dave).contains(&(series[32], 1)));
	assert!(!m.positions(Dave).iter().any(|(s, _)| *s == series[0]));
}
