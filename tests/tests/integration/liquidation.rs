//! Issue 14: liquidation within one block of the price move. The scenario measured on a quiet
//! dev node before the sweep admitted accounts by their real size: 80 accounts, each short one
//! BTC call, all pushed below maintenance by one +6 % move, were swept at 5 per block (the last
//! 16 to 28 blocks after the move).

use optionchain_integration_tests::{
	market::{Market, Order, WEEK},
	Trader,
};
use optionchain_primitives::FixedU128;
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

/// The trigger band through the runtime API (`MarginApi::trigger_band`). A writer of one
/// 60,000 call (contract 0.1 BTC; 1,000 USDC deposited, premium 100, fee 0.30: cash 1,099.70)
/// at a near-zero volatility costs 0.1 x (2 (S - 60,000)+ + 0.075 S) in liability plus
/// maintenance, so it is safe up to S = (12,000 + 1,099.70) / 0.2075 = 63,131.08 (less 7 units
/// of rounding allowance). The band ends within 1/4096 of the last grid interval (1,875 USD)
/// below that; fed at 63,100 (inside) the writer is not liquidatable, fed at 63,300 (0.27 %
/// past the edge) the sweep liquidates it.
#[test]
fn trigger_band_through_the_runtime_api_holds_inside_and_is_tight() {
	use optionchain_runtime::Margin;
	use pallet_margin::AccountState;
	let mut m = Market::with_traders(1);
	let call = m.list_call(BTC, 60_000, WEEK);
	let writer = Trader::Generated(0);
	m.deposit(Charlie, 20_000);
	m.deposit(writer, 1_000);
	m.next_block().assert_ok();
	m.place(writer, Order::sell(call, 1, 100).post_only()).next_block().assert_ok();
	m.place(Charlie, Order::buy(call, 1, 100)).next_block().assert_ok();
	assert_eq!(m.positions(writer), vec![(call, -1)]);
	let who = writer.account_id();
	let now = m
		.chain
		.read(<optionchain_runtime::Timestamp as frame_support::traits::Time>::now);
	let band = m.chain.read(|| Margin::api_trigger_band(who.clone(), 600, 0)).expect("a band");
	assert_eq!(band.until, now + 600_000);
	// Slack: 1,099.70 - 450 (0.075 x 6,000) - 7 units of allowance, less one unit each for the
	// liability and the maintenance of an at-the-money call whose tiny time value rounds up.
	assert_eq!(band.slack, 649_699_991);
	assert_eq!(band.underlyings.len(), 1);
	let b = band.underlyings[0];
	assert_eq!(b.underlying, BTC);
	let usd = |x: FixedU128| x.into_inner() as f64 / 1e18;
	assert!((63_130.6..=63_131.08).contains(&usd(b.price_hi)), "{}", usd(b.price_hi));
	assert_eq!(b.price_lo, FixedU128::from_rational(1_171_875, 10_000));
	// A volatility move widens the box the band allows for and narrows nothing else here.
	let wider = m.chain.read(|| Margin::api_trigger_band(who.clone(), 600, 25)).expect("a band");
	assert!(wider.underlyings[0].volatility_hi > b.volatility_hi);
	assert!(m.chain.read(|| Margin::api_trigger_band(who.clone(), 600, 101)).is_none());

	m.set_price(BTC, 63_100).next_block().assert_ok();
	m.next_block().assert_ok();
	assert_eq!(m.positions(writer), vec![(call, -1)], "inside the band: not liquidated");
	let margin = m.margin(writer);
	assert!(margin.equity >= margin.maintenance as i128);
	assert_ne!(margin.state, AccountState::Liquidatable);

	m.set_price(BTC, 63_300).next_block().assert_ok();
	m.next_block().assert_ok();
	assert!(m.positions(writer).is_empty(), "0.27 % past the band: liquidated");
}
