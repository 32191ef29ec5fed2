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
