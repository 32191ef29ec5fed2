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

/// `n` generated traders, each with 1,000 USDC deposited, write one 60,000 BTC call (a week
/// out) to Charlie at 100. Each writer rests an ask (post-only: no match step to reserve, 16
/// per block); Charlie takes them in the same block, 8 per order (MaxFillsPerOrder).
fn writers_of_one_call(n: u32) -> (Market, optionchain_primitives::exchange::SeriesId) {
	let mut m = Market::with_traders(n);
	let call = m.list_call(BTC, 60_000, WEEK);
	m.deposit(Charlie, 20_000.max(u128::from(n) * 110));
	for i in 0..n {
		m.deposit(Trader::Generated(i), 1_000);
		if i % 100 == 99 {
			m.next_block().assert_ok();
		}
	}
	m.next_block().assert_ok();
	for i in 0..n {
		m.place(Trader::Generated(i), Order::sell(call, 1, 100).post_only());
		if i % 16 == 15 {
			// (Taken in the same block: a book side holds 256 orders.)
			m.place(Charlie, Order::buy(call, 8, 100))
				.place(Charlie, Order::buy(call, 8, 100));
			m.next_block().assert_ok();
		}
	}
	m.next_block().assert_ok();
	while !m.book(call).asks.is_empty() {
		m.place(Charlie, Order::buy(call, 8, 100)).next_block().assert_ok();
	}
	(m, call)
}

/// [`writers_of_one_call`], with each writer also resting ten one-contract bids at 1 USDC
/// (post-only) in one of twenty other calls (writer `i` in call `i mod 20`): one position and
/// ten resting orders in two series each.
fn writers_with_bids(n: u32) -> (Market, optionchain_primitives::exchange::SeriesId) {
	let (mut m, call) = writers_of_one_call(n);
	let bid_series: Vec<_> =
		(0..20u32).map(|j| m.list_call(BTC, 70_000 + 1_000 * j, WEEK)).collect();
	for i in 0..n {
		for _ in 0..10 {
			m.place(
				Trader::Generated(i),
				Order::buy(bid_series[(i % 20) as usize], 1, 1).post_only(),
			);
		}
		// (Forty post-only orders of declared weight fill most of a block's normal class.)
		if i % 4 == 3 {
			m.next_block().assert_ok();
		}
	}
	m.next_block().assert_ok();
	(m, call)
}

/// After a move that breached the first `n` generated traders, fill every following block's
/// normal class (the sudo key's four remarks of declared weight, a fifth of the class each,
/// next to the operators' feeds) until none holds a position; returns, per block, how many
/// were liquidated in `on_initialize` (before any extrinsic) and how many later (by the
/// sweep, in what `on_idle` had left). Checks that each block's normal class is full and
/// that each block liquidates some in `on_initialize`.
fn liquidate_in_full_blocks(m: &mut Market, n: u32) -> Vec<(usize, usize)> {
	use frame_support::dispatch::DispatchClass;
	use frame_system::Phase;
	use optionchain_runtime::{configs::RuntimeBlockWeights, Runtime, RuntimeCall, RuntimeEvent};
	use sp_keyring::Sr25519Keyring::Alice;
	let normal = RuntimeBlockWeights::get().get(DispatchClass::Normal).max_total.unwrap();
	let filler = RuntimeCall::Sudo(pallet_sudo::Call::sudo_unchecked_weight {
		call: Box::new(RuntimeCall::System(frame_system::Call::remark { remark: vec![] })),
		weight: normal.saturating_div(5),
	});
	let swept = |e: &RuntimeEvent| {
		matches!(e, RuntimeEvent::Margin(pallet_margin::Event::AccountSwept { .. }))
	};
	let mut left = writers_holding(m, n);
	let mut blocks = Vec::new();
	while left > 0 && blocks.len() < 10 {
		for _ in 0..4 {
			m.call(Alice, filler.clone());
		}
		m.next_block();
		let records = m.chain.event_records();
		let in_init =
			records.iter().filter(|(p, e)| *p == Phase::Initialization && swept(e)).count();
		let later = records.iter().filter(|(p, e)| *p != Phase::Initialization && swept(e)).count();
		println!(
			"block {} after the move: {in_init} liquidated in on_initialize, {later} by the \
			 sweep in what on_idle had left",
			blocks.len() + 1
		);
		assert!(in_init > 0, "block {}: nothing liquidated in on_initialize", blocks.len() + 1);
		let used = m.chain.read(frame_system::BlockWeight::<Runtime>::get);
		for (p, e) in records.iter() {
			if let RuntimeEvent::Margin(pallet_margin::Event::TriggersPending { .. }) = e {
				println!("  {p:?}: {e:?}");
			}
		}
		println!(
			"  mandatory {} ms, normal {} ms",
			used.get(DispatchClass::Mandatory).ref_time() / 1_000_000_000,
			used.get(DispatchClass::Normal).ref_time() / 1_000_000_000
		);
		assert!(
			used.get(DispatchClass::Normal).ref_time() * 10 >= normal.ref_time() * 7,
			"the normal class is full"
		);
		left -= in_init + later;
		assert_eq!(writers_holding(m, n), left);
		blocks.push((in_init, later));
	}
	blocks
}

/// How many of the first `n` generated traders still hold a position.
fn writers_holding(m: &mut Market, n: u32) -> usize {
	(0..n).filter(|i| !m.positions(Trader::Generated(*i)).is_empty()).count()
}

/// 80 writers of one 60,000 call each (1,000 USDC deposited, premium 100): at 63,600 a short
/// is worth 360 against equity 1,099.70 - 360 = 739.70, below maintenance 7.5 % x 6,360 + 360
/// = 837. The block after the move (the first whose `on_idle` sees the new price) hands every
/// short to the insurance fund.
#[test]
fn eighty_writers_breached_by_one_move_are_all_liquidated_in_the_next_block() {
	const WRITERS: u32 = 80;
	let (mut m, call) = writers_of_one_call(WRITERS);
	assert_eq!(m.positions(Charlie), vec![(call, i64::from(WRITERS))]);
	assert!(m.book(call).asks.is_empty());
	let writers = |m: &mut Market| writers_holding(m, WRITERS);
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

/// Writers breached by one move are liquidated in the first block after the one that fixed
/// the new price, in its `on_initialize` (before any of its extrinsics), as many as the reserve
/// holds by the step's per-path charge, while its normal class is full of other transactions;
/// the rest in the same block's `on_idle` if the block left room, else first in the next
/// blocks. (The writers' accounts are banded before the move: the step finds them through the
/// trigger index.)
#[test]
fn writers_breached_by_one_move_are_liquidated_before_a_full_blocks_extrinsics() {
	use optionchain_primitives::exchange::PositionsProvider;
	use optionchain_runtime::{Margin, Options, Runtime};
	const WRITERS: u32 = 100;
	let (mut m, _call) = writers_of_one_call(WRITERS);
	// Two quiet blocks: every writer is evaluated, then banded by `on_idle`.
	m.advance_blocks(2);
	let ids: Vec<_> = (0..WRITERS).map(|i| Trader::Generated(i).account_id()).collect();
	let banded = m
		.chain
		.read(|| ids.iter().filter(|w| pallet_margin::Bands::<Runtime>::contains_key(*w)).count());
	assert_eq!(banded, WRITERS as usize, "every writer is banded before the move");
	// What the step charges for liquidating a one-position writer, and so how many the
	// reserve (25 % of the block: 167 ms) holds at least.
	let (per, reserve) = m.chain.read(|| {
		let size = Options::portfolio_size(&ids[0]);
		(
			Margin::step_visit_weight(size, true, 1).ref_time(),
			<Runtime as pallet_margin::Config>::TriggerReserve::get().ref_time(),
		)
	});
	// (At 85 % of the reserve: the step's own reads, each account's size and band reads,
	// the fund's side, and the full liquidation bound the last admitted account needs.)
	let fits = (reserve * 85 / 100 / per) as usize;
	println!(
		"trigger reserve {} ms, {} us per writer: {fits} per block",
		reserve / 1_000_000_000,
		per / 1_000_000
	);
	assert!(fits >= 30, "fewer than 30 liquidations fit the reserve: {fits}");
	// The move is fed in this block and becomes canonical at its end.
	m.move_price(BTC, 6).next_block();
	assert_eq!(writers_holding(&mut m, WRITERS), WRITERS as usize);
	let blocks = liquidate_in_full_blocks(&mut m, WRITERS);
	assert!(blocks[0].0 >= fits.min(WRITERS as usize), "block 1 after the move: {blocks:?}");
	assert!(blocks.len() <= 3, "{} blocks: {blocks:?}", blocks.len());
}

/// Issue 14's must-show: 500 writers of one call, each with ten resting bids in another
/// series, are breached by one move. In the first block after the one that fixed the new
/// price, the step liquidates at least 200 in `on_initialize` (before any extrinsic), and at
/// least what 80 % of the reserve holds by the per-path charge, while the normal class is full
/// of other transactions; every following block liquidates some in `on_initialize`; all 500
/// within 3 blocks. Their orders are voided and `on_idle` removes them afterwards. Measured on
/// 2026-12-03 with the 18:00 weights and the 125 ms reserve of 0.5 s blocks: 232 (+ 11 by the sweep) in the
/// first block, 173 (+ 6) in the second, 78 in the third; on 2026-12-06, with a liquidation
/// sized by the writer's one position rather than its two series of entries: 377 (+ 17) in
/// the first block and 106 in the second; with the weights of 2026-12-06 14:38 (one run, 287 µs
/// charged per writer): 471 (+ 7) in the first block and the last 22 in the second.
#[test]
fn five_hundred_writers_with_resting_orders_200_in_the_first_block_all_within_three() {
	use optionchain_primitives::exchange::PositionsProvider;
	use optionchain_runtime::{Margin, Options, Runtime};
	const WRITERS: u32 = 500;
	let (mut m, call) = writers_with_bids(WRITERS);
	let ids: Vec<_> = (0..WRITERS).map(|i| Trader::Generated(i).account_id()).collect();
	let banded = |m: &mut Market| {
		m.chain.read(|| {
			ids.iter().filter(|w| pallet_margin::Bands::<Runtime>::contains_key(*w)).count()
		})
	};
	let orders = |m: &mut Market| {
		m.chain.read(|| {
			ids.iter()
				.map(|w| pallet_options::AccountOrders::<Runtime>::get(w).len())
				.sum::<usize>()
		})
	};
	// Quiet blocks until `on_idle` has banded every writer.
	for _ in 0..40 {
		if banded(&mut m) == WRITERS as usize {
			break;
		}
		m.next_block().assert_ok();
	}
	assert_eq!(banded(&mut m), WRITERS as usize, "every writer is banded before the move");
	assert_eq!(orders(&mut m), 10 * WRITERS as usize);
	// What the step charges for liquidating one writer (one position, ten orders, two series,
	// one underlying), and so how many the reserve holds at least (at 85 % of it: the step's
	// own reads, each account's size and band reads, the fund's side, and the full
	// liquidation bound the last admitted account needs).
	let (per, reserve) = m.chain.read(|| {
		let size = Options::portfolio_size(&ids[0]);
		assert_eq!((size.series, size.orders), (2, 10));
		(
			Margin::step_visit_weight(size, true, 1).ref_time(),
			<Runtime as pallet_margin::Config>::TriggerReserve::get().ref_time(),
		)
	});
	// (At 80 %: since the step sizes a liquidation by positions alone (issue 15 item 8), a
	// writer is charged 371 us instead of about 600, and each account's fixed reads are a
	// larger share.)
	let fits = (reserve * 80 / 100 / per) as usize;
	println!("{} us per writer: {fits} per block", per / 1_000_000);
	m.move_price(BTC, 6).next_block();
	assert_eq!(writers_holding(&mut m, WRITERS), WRITERS as usize);
	let blocks = liquidate_in_full_blocks(&mut m, WRITERS);
	println!("{blocks:?}");
	assert!(blocks[0].0 >= fits, "block 1 after the move: {} in on_initialize", blocks[0].0);
	assert!(blocks[0].0 >= 200, "block 1 after the move: {} in on_initialize", blocks[0].0);
	assert!(blocks.len() <= 3, "{} blocks: {blocks:?}", blocks.len());
	let fund = m.insurance_account();
	let fund_positions = m.chain.read(|| optionchain_runtime::Options::api_positions(&fund));
	let nets: Vec<_> = fund_positions.iter().map(|p| (p.series, p.net)).collect();
	assert_eq!(nets, vec![(call, -i64::from(WRITERS))]);
	// Every writer's orders were voided (none filled: no writer holds a position), and the
	// options pallet's `on_idle` removes them in the quiet blocks that follow.
	let voided = m.chain.read(|| {
		ids.iter()
			.filter(|w| pallet_options::VoidBefore::<Runtime>::contains_key(*w))
			.count()
	});
	let left = orders(&mut m);
	println!("{voided} writers with {left} void orders left after the liquidations");
	assert!(voided > 0 && left > 0);
	m.advance_blocks(20);
	let later = orders(&mut m);
	println!("{later} void orders left 20 quiet blocks later");
	assert!(later < left, "on_idle removes void orders");
}
