//! The market maker's toolkit (issue 16) in real blocks.

use optionchain_integration_tests::market::{Market, Order, WEEK};
use optionchain_runtime::{genesis_config_presets::BTC, RuntimeCall, RuntimeEvent};
use pallet_options::{CancelReason, Event as OptionsEvent};
use sp_keyring::Sr25519Keyring::{Charlie, Dave};

fn arm(at: Option<u32>) -> RuntimeCall {
	RuntimeCall::Options(pallet_options::Call::schedule_cancel { at })
}

/// The dead-man's switch. Dave quotes a board of two series and arms his switch 3 blocks
/// ahead; his client renews it once, then dies. At the start of the block he named, before
/// that block's transactions, his quotes are void: Charlie's order in that block, which would
/// have lifted Dave's ask, fills nothing, and the book shows no quote of his.
#[test]
fn a_makers_switch_not_renewed_pulls_its_whole_board_before_the_blocks_takers() {
	let mut m = Market::dev();
	let a = m.list_call(BTC, 64_000, WEEK);
	let b = m.list_call(BTC, 66_000, WEEK);
	m.deposit(Dave, 50_000).deposit(Charlie, 10_000).next_block().assert_ok();
	m.quote(Dave, &[(a, Some((90, 2)), Some((110, 2))), (b, Some((40, 2)), Some((60, 2)))]);
	let n = m.chain.next_number();
	m.call(Dave, arm(Some(n + 3))).next_block().assert_ok();
	assert!(m.emitted(|e| matches!(
		e,
		RuntimeEvent::Options(OptionsEvent::CancelScheduled { at, .. }) if *at == n + 3
	)));
	// Renewed in block n + 1, for n + 4.
	m.call(Dave, arm(Some(n + 4))).next_block().assert_ok();
	m.next_block().next_block().assert_ok();
	assert_eq!(m.book(a).asks.len(), 1, "renewed: still quoting in block n + 3");
	// Block n + 4: the switch fires first; Charlie's order (matched after the block's
	// transactions) finds the ask void and removes it.
	assert_eq!(m.chain.next_number(), n + 4);
	m.place(Charlie, Order::buy(a, 2, 110).ioc()).next_block().assert_ok();
	assert!(m.emitted(|e| matches!(
		e,
		RuntimeEvent::Options(OptionsEvent::CancelScheduleFired { at, orders: 4, .. })
			if *at == n + 4
	)));
	assert!(m.positions(Charlie).is_empty());
	assert!(m.emitted(|e| matches!(
		e,
		RuntimeEvent::Options(OptionsEvent::OrderCancelled { reason: CancelReason::Voided, .. })
	)));
	for s in [a, b] {
		let book = m.book(s);
		assert!(book.bids.is_empty() && book.asks.is_empty());
	}
	// `on_idle` removed the rest; Dave quotes again and trades.
	m.quote(Dave, &[(a, None, Some((110, 1)))]).next_block().assert_ok();
	m.place(Charlie, Order::buy(a, 1, 110).ioc()).next_block().assert_ok();
	assert_eq!(m.positions(Charlie), vec![(a, 1)]);
	m.check();
}

/// Good-till-block orders (issue 16, item 3) in real blocks: Dave's ask good till block `n`
/// fills in block `n` and never after; in block `n + 1` Charlie's bid that reaches it fills
/// nothing and removes it; `on_idle` removes what is left.
#[test]
fn a_good_till_block_ask_never_fills_after_its_block() {
	let mut m = Market::dev();
	let a = m.list_call(BTC, 64_000, WEEK);
	m.deposit(Dave, 50_000).deposit(Charlie, 10_000).next_block().assert_ok();
	let n = m.chain.next_number() + 1;
	let till = |quantity, usdc| Order::sell(a, quantity, usdc).post_only().good_till_block(n);
	m.place(Dave, till(1, 110)).place(Dave, till(1, 120)).next_block().assert_ok();
	assert_eq!(m.book(a).asks.len(), 2);
	// Block n: the first fills.
	assert_eq!(m.chain.next_number(), n);
	m.place(Charlie, Order::buy(a, 1, 110).ioc()).next_block().assert_ok();
	assert_eq!(m.positions(Charlie), vec![(a, 1)]);
	// Block n + 1: the second is past its block.
	assert!(m.book(a).asks.is_empty());
	m.place(Charlie, Order::buy(a, 1, 120).ioc()).next_block().assert_ok();
	assert_eq!(m.positions(Charlie), vec![(a, 1)]);
	assert!(m.emitted(|e| matches!(
		e,
		RuntimeEvent::Options(OptionsEvent::OrderCancelled {
			reason: CancelReason::GoodTillReached,
			..
		})
	)));
	m.check();
}
