//! Issue 14: liquidation within one block of the price move. The scenario measured on a quiet
//! dev node before the sweep admitted accounts by their real size: 80 accounts, each short one
//! BTC call, all pushed below maintenance by one +6 % move, were swept at 5 per block (the last
//! 16 to 28 blocks after the move).

use optionchain_integration_tests::{
	market::{Market, Order, WEEK},
	Trader,
};
use optionchain_runtime::genesis_config_presets::BTC;
use sp_keyring::Sr25519Keyring::Charlie;

/// 80 writers of one 60,000 call each (1,000 USDC deposited, premium 100): at 63,600 a short
/// is worth 360 against equity 1,099.70 - 360 = 739.70, below maintenance 7.5 % x 6,360 + 360
/// = 837. The block after the move (the first whose `on_idle` sees the new price) hands every
/// short to the insurance fund.
#[test]
fn eighty_writers_breached_by_one_move_are_all_liquidated_in_the_next_block() {
	const WRITERS: u32 = 80;
	let mut m = Market::with_traders(WRITERS);
	let call = m.list_call(BTC, 60_000, WEEK);
	m.deposit(Charlie, 20_000);
	for i in 0..WRITERS {
		m.deposit(Trader::Generated(i), 1_000);
	}
	m.next_block().assert_ok();
	// Each writer rests an ask (post-only: no match step to reserve, 20 per block); Charlie
	// takes them, 8 price levels per order (MaxFillsPerOrder), one order per block.
	for i in 0..WRITERS {
		m.place(Trader::Generated(i), Order::sell(call, 1, 100).post_only());
		if i % 20 == 19 {
			m.next_block().assert_ok();
		}
	}
	for _ in 0..WRITERS / 8 {
		m.place(Charlie, Order::buy(call, 8, 100)).next_block().assert_ok();
	}
	assert_eq!(m.positions(Charlie), vec![(call, i64::from(WRITERS))]);
	assert!(m.book(call).asks.is_empty());
	let writers = |m: &mut Market| {
		(0..WRITERS).filter(|i| !m.positions(Trader::Generated(*i)).is_empty()).count()
	};
	assert_eq!(writers(&mut m), WRITERS as usize);
	// The move is fed in this block and becomes canonical at its end.
	m.move_price(BTC, 6).next_block();
	assert_eq!(writers(&mut m), WRITERS as usize);
	m.next_block();
	assert_eq!(writers(&mut m), 0, "every writer is liquidated in the first block after the move");
	let fund = m.insurance_account();
	let fund_positions = m.chain.read(|| optionchain_runtime::Options::api_positions(&fund));
	let nets: Vec<_> = fund_positions.iter().map(|p| (p.series, p.net)).collect();
	assert_eq!(nets, vec![(call, -i64::from(WRITERS))]);
}
