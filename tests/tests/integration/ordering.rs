//! Makers before takers (issue 15, item 5), in real blocks. The index price moves at the end of
//! a block; in the next block the author may put a taker before a maker's cancel or re-quote.
//! Orders that may take liquidity are matched after every transaction of their block, so the
//! maker's cancel and re-quote apply first, whatever the author's order.

use optionchain_integration_tests::market::{Market, Order, WEEK};
use optionchain_runtime::{genesis_config_presets::BTC, RuntimeCall, RuntimeEvent, USD};
use pallet_options::{CancelReason, Event as OptionsEvent};
use sp_keyring::Sr25519Keyring::{Charlie, Dave, Eve};

fn fills(m: &Market) -> Vec<(u128, i64)> {
	m.last_events
		.iter()
		.filter_map(|e| match e {
			RuntimeEvent::Options(OptionsEvent::OrderFilled { price, quantity, .. }) => {
				Some((*price, *quantity))
			},
			_ => None,
		})
		.collect()
}

#[test]
fn a_taker_before_a_makers_cancel_in_one_block_does_not_fill_the_stale_quote() {
	let mut m = Market::dev();
	let a = m.list_call(BTC, 64_000, WEEK);
	m.deposit(Dave, 50_000)
		.deposit(Charlie, 10_000)
		.deposit(Eve, 10_000)
		.next_block();
	m.quote(Dave, &[(a, None, Some((110, 2)))]).next_block().assert_ok();
	// The index rises 5 % at the end of this block: the 110 ask is now far too cheap.
	m.move_price(BTC, 5).next_block();

	// The author puts Charlie's order first, then Dave's cancellation of the ask.
	m.place(Charlie, Order::buy(a, 2, 110).ioc());
	m.call(Dave, RuntimeCall::Options(pallet_options::Call::cancel_all { series: Some(a) }));
	m.next_block().assert_ok();
	assert_eq!(fills(&m), vec![]);
	assert!(m.positions(Charlie).is_empty());
	assert!(m.last_events.iter().any(|e| matches!(
		e,
		RuntimeEvent::Options(OptionsEvent::OrderCancelled {
			reason: CancelReason::ImmediateOrCancelRemainder,
			remaining: 2,
			..
		})
	)));
	assert!(m.book(a).asks.is_empty());

	// A quote placed in the same block after a taker is matchable by it: Eve's order comes
	// first, Dave's new ask at 400 after it, and she buys at 400.
	m.place(Eve, Order::buy(a, 1, 400).ioc());
	m.quote(Dave, &[(a, None, Some((400, 1)))]);
	m.next_block().assert_ok();
	assert_eq!(fills(&m), vec![(400 * USD, 1)]);
	assert_eq!(m.positions(Eve), vec![(a, 1)]);
}
