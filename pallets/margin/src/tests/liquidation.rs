//! States, partial liquidation, sweep, bad debt. Volatility 0: mark = intrinsic value.
use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};
use optionchain_primitives::{
	exchange::{PositionsProvider, SeriesId},
	PriceStatus,
};

fn usd_i(n: i128) -> i128 {
	n * USD as i128
}

/// Bob: `coll` USD, short `q` ATM calls (K = 60,000). Charlie: 100,000 USD.
fn setup(coll: u128, q: i64) -> u32 {
	assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), coll * USD));
	assert_ok!(Margin::deposit(RuntimeOrigin::signed(CHARLIE), 100_000 * USD));
	let s = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
	MockPositions::trade(ALICE, BOB, s, q);
	s
}

#[test]
fn healthy_restricted_liquidatable_with_margin_call() {
	build_and_execute(|| {
		setup(10_000, 1);
		sweep_all();
		assert_eq!(Accounts::<Test>::get(BOB).unwrap().state, AccountState::Healthy);
		// S = 61,000: mark 1,000, initial 9,150 + 1,000, maintenance 4,575 + 1,000, equity 9,000.
		set_btc(61_000);
		let m = Margin::api_account_margin(BOB).unwrap();
		assert_eq!(
			(m.equity, m.initial, m.maintenance, m.state),
			(usd_i(9_000), 10_150 * USD, 5_575 * USD, AccountState::Restricted)
		);
		sweep_all();
		let ev = margin_events();
		assert!(ev.contains(&Event::StateChanged {
			who: BOB,
			from: AccountState::Healthy,
			to: AccountState::Restricted
		}));
		assert!(ev.contains(&Event::MarginCalled {
			who: BOB,
			equity: usd_i(9_000),
			initial: 10_150 * USD,
			maintenance: 5_575 * USD
		}));
		// S = 64,000: equity 6,000 < maintenance 4,800 + 4,000.
		set_btc(64_000);
		assert_eq!(Margin::api_account_margin(BOB).unwrap().state, AccountState::Liquidatable);
	})
}

#[test]
fn partial_liquidation_until_maintenance_plus_buffer() {
	build_and_execute(|| {
		let s = setup(20_000, 2);
		MockPositions::set_orders(BOB, s, 1, 0, 0);
		// S = 64,000: mark 4,000; maintenance 2 * 8,800 = 17,600; equity 12,000.
		set_btc(64_000);
		assert_ok!(Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, s, 1));
		// Penalty 5 % of one contract's maintenance (8,800) = 440, half (220) to insurance.
		// Bob pays 4,000 + 440 = 4,440 to Charlie; Charlie pays 220 to insurance.
		assert_eq!(Margin::collateral_of(&BOB), 15_560 * USD);
		assert_eq!(Margin::collateral_of(&CHARLIE), 104_220 * USD);
		assert_eq!(Margin::insurance_fund(), 220 * USD);
		assert_eq!(MockPositions::net(BOB, s), -1);
		assert_eq!(MockPositions::net(CHARLIE, s), -1);
		// Its order is void, not removed: it still counts towards Bob's initial requirement.
		assert_eq!(MockPositions::orders_of(BOB), 0);
		assert_eq!(MockPositions::void_of(BOB), 1);
		// Bob: equity 11,560 >= 8,800 * 1.1 = 9,680: liquidation ended; restricted.
		assert!(margin_events().contains(&Event::LiquidationEnded { account: BOB }));
		assert!(margin_events().contains(&Event::Liquidated {
			account: BOB,
			liquidator: CHARLIE,
			series: s,
			quantity: 1,
			value: -usd_i(4_000),
		}));
		assert!(margin_events().contains(&Event::PenaltyCharged {
			account: BOB,
			liquidator: CHARLIE,
			penalty: 440 * USD,
			insurance_fee: 220 * USD,
		}));
		let m = Margin::api_account_margin(BOB).unwrap();
		assert_eq!((m.equity, m.state), (usd_i(11_560), AccountState::Restricted));
		assert_noop!(
			Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, s, 1).map_err(|e| e.error),
			Error::<Test>::NotLiquidatable
		);
	})
}

#[test]
fn liquidation_continues_while_below_buffer() {
	build_and_execute(|| {
		let s = setup(20_000, 2);
		// S = 66,000: mark 6,000; maintenance 2 * 10,950; equity 8,000.
		set_btc(66_000);
		assert_ok!(Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, s, 1));
		// Penalty 547.5, Bob pays 6,547.5: equity 13,452.5 - 6,000 = 7,452.5 < 10,950.
		assert_eq!(Margin::collateral_of(&BOB), 13_452_500_000);
		assert!(Accounts::<Test>::get(BOB).unwrap().in_liquidation);
		assert_ok!(Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, s, 1));
		assert_eq!(Margin::collateral_of(&BOB), 6_905 * USD);
		assert!(!Accounts::<Test>::get(BOB).unwrap().in_liquidation);
		assert_eq!(Margin::insurance_fund(), 547_500_000);
	})
}

#[test]
fn keeperless_sweep_hands_positions_to_insurance() {
	build_and_execute(|| {
		let s = setup(10_000, 1);
		assert_ok!(Margin::fund_insurance(RuntimeOrigin::signed(DAVE), 1_000 * USD));
		set_btc(64_000);
		sweep_all();
		// Bob pays 4,000 + 440 to the insurance account, which now holds the short.
		assert_eq!(Margin::collateral_of(&BOB), 5_560 * USD);
		assert_eq!(Margin::insurance_fund(), 5_440 * USD);
		assert_eq!(MockPositions::net(Margin::insurance_account(), s), -1);
		assert_eq!(MockPositions::net(BOB, s), 0);
		assert!(margin_events().contains(&Event::AccountSwept { account: BOB, positions: 1 }));
	})
}

#[test]
fn sweep_is_bounded_and_uses_a_cursor() {
	build_and_execute(|| {
		// 4 accounts in the ledger, 2 per block.
		for who in [ALICE, BOB, CHARLIE, DAVE] {
			assert_ok!(Margin::deposit(RuntimeOrigin::signed(who), 10 * USD));
		}
		idle();
		assert!(SweepCursor::<Test>::get().is_some());
		idle();
		assert!(SweepCursor::<Test>::get().is_some());
		idle();
		assert!(SweepCursor::<Test>::get().is_none());
		assert_eq!(<Margin as frame_support::traits::Hooks<u64>>::on_idle(1, W::zero()), W::zero());
	})
}

#[test]
fn bad_debt_advanced_by_insurance_then_socialised_and_no_penalty_from_the_fund() {
	build_and_execute(|| {
		let s = setup(10_000, 1);
		assert_ok!(Margin::fund_insurance(RuntimeOrigin::signed(DAVE), 5_000 * USD));
		// S = 80,000: mark 20,000, equity -10,000. The penalty (5 % of 26,000 = 1,300) would
		// come out of Bob's remaining collateral: none is left, so none is paid.
		set_btc(80_000);
		assert_ok!(Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, s, 1));
		// Bob owes 20,000, pays 10,000 and owes the fund the other 10,000; the fund advances
		// 5,000, 5,000 is socialised onto Charlie, who receives 15,000 for a short worth
		// -20,000. No penalty: Bob has nothing left.
		assert_eq!(Margin::collateral_of(&BOB), 0);
		assert_eq!(Margin::debt_of(&BOB), 10_000 * USD);
		assert_eq!(Margin::collateral_of(&CHARLIE), 115_000 * USD);
		assert_eq!(Margin::insurance_fund(), 0);
		let ev = margin_events();
		assert!(ev.contains(&Event::DebtRecorded { account: BOB, amount: 10_000 * USD }));
		assert!(ev.contains(&Event::BadDebtCovered { account: BOB, amount: 5_000 * USD }));
		assert!(ev.contains(&Event::LossSocialised {
			bearer: CHARLIE,
			series: s,
			amount: 5_000 * USD
		}));
		assert!(ev.contains(&Event::Liquidated {
			account: BOB,
			liquidator: CHARLIE,
			series: s,
			quantity: 1,
			value: -usd_i(20_000),
		}));
		assert!(!ev.iter().any(|e| matches!(e, Event::PenaltyCharged { .. })));
		// Bob's debt keeps him liquidatable and in the ledger.
		assert_eq!(Margin::api_account_margin(BOB).unwrap().equity, -usd_i(10_000));
	})
}

#[test]
fn the_penalty_never_exceeds_what_the_account_has_left_across_several_shorts() {
	build_and_execute(|| {
		// Bob: 10,000, short 1 call K = 60,000 and 1 call K = 61,000, both ATM-ish.
		let a = setup(10_000, 1);
		let b = MockPositions::add_series(call(BTC, 61_000, EXPIRY));
		MockPositions::trade(ALICE, BOB, b, 1);
		assert_ok!(Margin::fund_insurance(RuntimeOrigin::signed(DAVE), 20_000 * USD));
		// S = 65,000: liabilities 5,000 + 4,000 = 9,000, equity 1,000 < maintenance
		// 9,875 + 8,875 = 18,750. Penalties 5 % of each maintenance: 493.75 + 443.75 = 937.5,
		// charged after both shorts moved, out of the 1,000 left (charged per short in turn,
		// the first would have left the second short's liability partly to the fund).
		set_btc(65_000);
		sweep_all();
		assert_eq!(Margin::collateral_of(&BOB), 62_500_000);
		assert_eq!(Margin::debt_of(&BOB), 0);
		assert_eq!(Margin::insurance_fund(), 20_000 * USD + 9_000 * USD + 937_500_000);
		assert_eq!((MockPositions::net(BOB, a), MockPositions::net(BOB, b)), (0, 0));
		assert!(margin_events().contains(&Event::PenaltyCharged {
			account: BOB,
			liquidator: Margin::insurance_account(),
			penalty: 937_500_000,
			insurance_fee: 0,
		}));
	})
}

#[test]
fn bad_debt_without_insurance_is_taken_by_the_fund_in_the_sweep() {
	build_and_execute(|| {
		let s = setup(10_000, 1);
		set_btc(80_000);
		sweep_all();
		let ins = Margin::insurance_account();
		// The fund receives Bob's 10,000 for a short worth -20,000: Bob owes it the rest.
		assert_eq!(Margin::insurance_fund(), 10_000 * USD);
		assert_eq!(Margin::debt_of(&BOB), 10_000 * USD);
		assert_eq!(MockPositions::net(ins, s), -1);
		assert!(
			margin_events().contains(&Event::BadDebtCovered { account: BOB, amount: 10_000 * USD })
		);
	})
}

#[test]
fn sweep_sells_longs_at_mark_without_penalty_to_repay_debt() {
	build_and_execute(|| {
		// Bob: 10,000, short 1 call K = 60,000 and long 1 call K = 70,000 (later expiry).
		let short = setup(10_000, 1);
		let long = MockPositions::add_series(call(BTC, 70_000, EXPIRY + 86_400_000));
		MockPositions::trade(BOB, MARKET, long, 1);
		assert_ok!(Margin::fund_insurance(RuntimeOrigin::signed(DAVE), 3_000 * USD));
		// S = 80,000: short worth -20,000, long 10,000, equity 0 < maintenance 26,000.
		set_btc(80_000);
		sweep_all();
		let ins = Margin::insurance_account();
		// Short: Bob pays 10,000 of 20,000 (debt 10,000), no penalty left to pay. Long: its mark
		// 10,000 is set off against the debt (no cash moves). The fund ends where it started
		// plus Bob's 10,000, holding both positions.
		assert_eq!((Margin::collateral_of(&BOB), Margin::debt_of(&BOB)), (0, 0));
		assert_eq!(Margin::insurance_fund(), 13_000 * USD);
		assert_eq!((MockPositions::net(ins, short), MockPositions::net(ins, long)), (-1, 1));
		let ev = margin_events();
		assert!(ev.contains(&Event::DebtRepaid { account: BOB, amount: 10_000 * USD }));
		assert!(ev.contains(&Event::Liquidated {
			account: BOB,
			liquidator: ins,
			series: long,
			quantity: 1,
			value: usd_i(10_000),
		}));
		assert!(!ev.iter().any(|e| matches!(e, Event::PenaltyCharged { .. })));
		assert!(ev.contains(&Event::AccountSwept { account: BOB, positions: 2 }));
	})
}

#[test]
fn stale_oracle_blocks_liquidation_and_sweep() {
	build_and_execute(|| {
		let s = setup(10_000, 1);
		set_btc(64_000);
		MockOracle::set_status(BTC, PriceStatus::Stale);
		assert_noop!(
			Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, s, 1).map_err(|e| e.error),
			Error::<Test>::PriceStale
		);
		sweep_all();
		assert_eq!(MockPositions::net(BOB, s), -1);
		assert_eq!(Margin::collateral_of(&BOB), 10_000 * USD);
		MockOracle::set_status(BTC, PriceStatus::Fresh);
		assert_ok!(Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, s, 1));
	})
}

/// Issue 14: the sweep admits each account by its own size (two length reads tell it), not
/// by the worst case of a full portfolio with a full order list; a block with room for one
/// worst-case account visits several small ones.
#[test]
fn the_sweep_admits_each_account_by_its_own_size() {
	build_and_execute(|| {
		for who in [ALICE, BOB] {
			assert_ok!(Margin::deposit(RuntimeOrigin::signed(who), 10 * USD));
		}
		// The worst case: a full portfolio (the mock's 16 entries) and 128 orders.
		let worst =
			Margin::sweep_account_weight_for(optionchain_primitives::exchange::PortfolioSize {
				series: 8,
				orders: 128,
				positions: 8,
			});
		// What the sweep admits a small healthy account by: its evaluation at its own size.
		let empty = Margin::sweep_evaluation_weight_for(Default::default())
			.saturating_add(<MockPositions as PositionsProvider<u64>>::portfolio_size_weight());
		// (Time only: the chain is a solochain, proof sizes do not bind; and the sweep
		// benchmark's proof-size intercept is larger than its per-entry part.)
		let worst = worst.set_proof_size(u64::MAX);
		assert!(
			empty.ref_time() * 2 < worst.ref_time(),
			"two small accounts' evaluations cost less than the worst liquidation"
		);
		let db = <<Test as frame_system::Config>::DbWeight as frame_support::traits::Get<
			frame_support::weights::RuntimeDbWeight,
		>>::get();
		// The base, the deferred list's read and write, a key and the size reads, the bound.
		let room = <() as crate::weights::WeightInfo>::sweep_base()
			.saturating_add(db.reads_writes(1, 1))
			.saturating_add(db.reads(2))
			.saturating_add(worst);
		let used = <Margin as frame_support::traits::Hooks<u64>>::on_idle(1, room);
		assert!(used.all_lte(room));
		// Both accounts were visited (at most MaxSweepPerBlock = 2 per block): the cursor
		// stands on the second.
		let second = Accounts::<Test>::iter_keys().nth(1).unwrap();
		assert_eq!(
			SweepCursor::<Test>::get().map(|k| k.into_inner()),
			Some(Accounts::<Test>::hashed_key_for(second))
		);
	})
}

/// Bob: `coll` USD, short one call (K = 60,000) in each of four series (a large account: 8
/// entries); Charlie: 10 USD (the smallest account). Returns the four series and the room for
/// visiting both by their evaluations only (base, two key and size reads, both evaluations).
fn large_and_small(coll: u128) -> (Vec<u32>, W) {
	assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), coll * USD));
	assert_ok!(Margin::deposit(RuntimeOrigin::signed(CHARLIE), 10 * USD));
	let series: Vec<u32> = (0..4)
		.map(|_| {
			let s = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
			MockPositions::trade(MARKET, BOB, s, 1);
			s
		})
		.collect();
	let size = <MockPositions as PositionsProvider<u64>>::portfolio_size(&BOB);
	assert_eq!(size.entries(), 8);
	let reads = <MockPositions as PositionsProvider<u64>>::portfolio_size_weight()
		.saturating_add(crate::mock::db_weight().reads(1));
	let room = <() as crate::weights::WeightInfo>::sweep_base()
		.saturating_add(crate::mock::db_weight().reads_writes(1, 1))
		.saturating_add(reads.saturating_mul(2))
		.saturating_add(Margin::sweep_evaluation_weight_for(size))
		.saturating_add(Margin::sweep_evaluation_weight_for(Default::default()));
	// Admitted by its liquidation bound, as before, Bob alone would not fit.
	assert!(!room.all_gte(Margin::sweep_account_weight_for(size)));
	(series, room)
}

#[test]
fn a_large_healthy_account_does_not_hold_the_sweep_in_a_busy_block() {
	build_and_execute(|| {
		let (_, room) = large_and_small(100_000);
		let used = <Margin as frame_support::traits::Hooks<u64>>::on_idle(1, room);
		assert!(used.all_lte(room));
		// Both accounts were evaluated (MaxSweepPerBlock = 2): the cursor stands on the second.
		let second = Accounts::<Test>::iter_keys().nth(1).unwrap();
		assert_eq!(
			SweepCursor::<Test>::get().map(|k| k.into_inner()),
			Some(Accounts::<Test>::hashed_key_for(second))
		);
		assert_eq!(Accounts::<Test>::get(BOB).unwrap().state, AccountState::Healthy);
	})
}

#[test]
fn a_liquidatable_account_without_room_is_deferred_and_liquidated_first_next_block() {
	build_and_execute(|| {
		let (series, room) = large_and_small(40_000);
		// S = 64,000: each short marks 4,000 and needs 4,800 + 4,000 of maintenance: equity
		// 40,000 - 16,000 = 24,000 < 35,200.
		set_btc(64_000);
		let used = <Margin as frame_support::traits::Hooks<u64>>::on_idle(1, room);
		assert!(used.all_lte(room));
		// Evaluated, marked and deferred, not liquidated: its positions are untouched.
		assert_eq!(Accounts::<Test>::get(BOB).unwrap().state, AccountState::Liquidatable);
		assert!(series.iter().all(|s| MockPositions::net(BOB, *s) == -1));
		assert!(!margin_events().iter().any(|e| matches!(e, Event::AccountSwept { .. })));
		assert_eq!(SweepDeferred::<Test>::get().into_inner(), vec![BOB]);
		// The round robin went on past him: both accounts were visited.
		let second = Accounts::<Test>::iter_keys().nth(1).unwrap();
		assert_eq!(
			SweepCursor::<Test>::get().map(|k| k.into_inner()),
			Some(Accounts::<Test>::hashed_key_for(second))
		);
		// The next sweep with room liquidates him first.
		<Margin as frame_support::traits::Hooks<u64>>::on_idle(2, W::MAX);
		assert!(margin_events()
			.iter()
			.any(|e| matches!(e, Event::AccountSwept { account: BOB, .. })));
		assert!(series.iter().any(|s| MockPositions::net(Margin::insurance_account(), *s) == -1));
		assert!(SweepDeferred::<Test>::get().is_empty());
	})
}

#[test]
fn a_full_deferred_list_stops_the_sweep_at_the_next_liquidatable_account_without_room() {
	build_and_execute(|| {
		let (series, room) = large_and_small(40_000);
		set_btc(64_000);
		// Eight other accounts as large as Bob already wait for room.
		let waiting: Vec<u64> = (100..100 + u64::from(crate::MAX_SWEEP_DEFERRED)).collect();
		for w in &waiting {
			for s in &series {
				MockPositions::add_unlisted(*w, *s, -1);
			}
		}
		SweepDeferred::<Test>::put(frame_support::BoundedVec::try_from(waiting.clone()).unwrap());
		// Not enough room for any of their liquidations (nor Bob's): Bob is evaluated and
		// marked, not liquidated, and the sweep stops before him.
		<Margin as frame_support::traits::Hooks<u64>>::on_idle(1, room);
		assert_eq!(Accounts::<Test>::get(BOB).unwrap().state, AccountState::Liquidatable);
		assert!(series.iter().all(|s| MockPositions::net(BOB, *s) == -1));
		assert_eq!(SweepDeferred::<Test>::get().into_inner(), waiting);
		match SweepCursor::<Test>::get() {
			None => assert_eq!(Accounts::<Test>::iter_keys().next(), Some(BOB)),
			Some(k) => {
				assert_eq!(Accounts::<Test>::iter_keys_from(k.into_inner()).next(), Some(BOB))
			},
		}
	})
}

#[test]
fn a_large_healthy_account_passes_even_when_the_deferred_list_is_full() {
	build_and_execute(|| {
		let (series, room) = large_and_small(100_000);
		let waiting: Vec<u64> = (100..100 + u64::from(crate::MAX_SWEEP_DEFERRED)).collect();
		for w in &waiting {
			for s in &series {
				MockPositions::add_unlisted(*w, *s, -1);
			}
		}
		SweepDeferred::<Test>::put(frame_support::BoundedVec::try_from(waiting.clone()).unwrap());
		<Margin as frame_support::traits::Hooks<u64>>::on_idle(1, room);
		// Both ledger accounts were evaluated: the cursor stands on the second.
		let second = Accounts::<Test>::iter_keys().nth(1).unwrap();
		assert_eq!(
			SweepCursor::<Test>::get().map(|k| k.into_inner()),
			Some(Accounts::<Test>::hashed_key_for(second))
		);
		assert_eq!(SweepDeferred::<Test>::get().into_inner(), waiting);
	})
}

#[test]
fn a_deferred_account_that_does_not_fit_lets_the_next_one_through() {
	build_and_execute(|| {
		let (series, _) = large_and_small(40_000);
		set_btc(64_000);
		// 200 waits first and is as large as Bob; Charlie (the smallest account, healthy)
		// waits behind him. Room for Charlie's liquidation bound, not for 200's.
		for s in &series {
			MockPositions::trade(ALICE, 200, *s, 1);
		}
		SweepDeferred::<Test>::put(
			frame_support::BoundedVec::try_from(vec![200, CHARLIE]).unwrap(),
		);
		let db = crate::mock::db_weight();
		let size_read = <MockPositions as PositionsProvider<u64>>::portfolio_size_weight();
		let room = <() as crate::weights::WeightInfo>::sweep_base()
			.saturating_add(db.reads_writes(1, 1))
			.saturating_add(size_read.saturating_mul(2))
			.saturating_add(Margin::sweep_account_weight_for(Default::default()));
		<Margin as frame_support::traits::Hooks<u64>>::on_idle(1, room);
		// Charlie was visited (healthy: off the list); 200 still waits.
		assert_eq!(SweepDeferred::<Test>::get().into_inner(), vec![200]);
	})
}

/// Issue 15 item 8: an account's maintenance view (the step's and the sweep's evaluation, the
/// victim of `liquidate`, its band) reads its positions alone, so a market maker quoting many
/// series is evaluated, banded and liquidated at the cost of its positions.
#[test]
fn the_maintenance_view_is_sized_by_positions_alone() {
	use optionchain_primitives::exchange::PortfolioSize;
	build_and_execute(|| {
		let one = PortfolioSize { series: 1, orders: 0, positions: 1 };
		let quoting = PortfolioSize { series: 8, orders: 128, positions: 1 };
		assert_eq!(
			Margin::sweep_evaluation_weight_for(quoting),
			Margin::sweep_evaluation_weight_for(one)
		);
		assert_eq!(
			Margin::sweep_account_weight_for(quoting),
			Margin::sweep_account_weight_for(one)
		);
		for liquidated in [false, true] {
			assert_eq!(
				Margin::step_visit_weight(quoting, liquidated, 1),
				Margin::step_visit_weight(one, liquidated, 1)
			);
		}
		// Positions in 8 series cost more than in one.
		let eight = PortfolioSize { series: 8, orders: 0, positions: 8 };
		assert!(
			Margin::sweep_account_weight_for(eight).any_gt(Margin::sweep_account_weight_for(one))
		);
		// BOB: short 2 calls, and resting orders in three more series.
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 50_000 * USD));
		let c66 = MockPositions::add_series(call(BTC, 66_000, EXPIRY));
		MockPositions::trade(ALICE, BOB, c66, 2);
		for strike in [60_000, 62_000, 64_000] {
			let s = MockPositions::add_series(call(BTC, strike, EXPIRY));
			MockPositions::set_orders(BOB, s, 1, 1, 100 * USD);
		}
		let (all, positions) =
			(Margin::risk_of(&BOB).unwrap(), Margin::positions_risk_of(&BOB).unwrap());
		assert_eq!((all.entries, positions.entries), (4, 1));
		assert_eq!(
			(positions.equity, positions.initial_equity, positions.maintenance),
			(all.equity, all.initial_equity, all.maintenance)
		);
		assert_eq!(positions.initial, all.initial_positions);
		assert!(all.initial > all.initial_positions);
		assert_eq!(
			Margin::state_of(&positions, false).unwrap(),
			Margin::state_of(&all, false).unwrap()
		);
	});
}

#[test]
fn the_ledger_entry_lists_the_series_with_a_position() {
	use optionchain_primitives::exchange::MarginAccounts as _;
	build_and_execute(|| {
		let listed = |who| Accounts::<Test>::get(who).map(|a| a.positions.into_inner());
		let s: Vec<SeriesId> = (0..3u128)
			.map(|k| MockPositions::add_series(call(BTC, 60_000 + 1_000 * k, EXPIRY)))
			.collect();
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 50_000 * USD));
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(CHARLIE), 50_000 * USD));
		// Noted ascending whatever the order of the trades; both sides listed.
		MockPositions::trade(CHARLIE, BOB, s[2], 1);
		MockPositions::trade(CHARLIE, BOB, s[0], 1);
		assert_eq!(listed(BOB), Some(vec![s[0], s[2]]));
		assert_eq!(listed(CHARLIE), Some(vec![s[0], s[2]]));
		// A trade that keeps a position open changes nothing; one that closes it unlists it.
		MockPositions::trade(CHARLIE, BOB, s[0], 1);
		MockPositions::trade(BOB, CHARLIE, s[2], 1);
		assert_eq!(listed(BOB), Some(vec![s[0]]));
		assert_eq!(listed(CHARLIE), Some(vec![s[0]]));
		// The cap is the caller's: at it, another series is refused and nothing changes; a
		// series already listed passes.
		assert_noop!(
			Margin::note_position(&BOB, s[1], true, 1),
			Error::<Test>::TooManyPositionSeries
		);
		assert_ok!(Margin::note_position(&BOB, s[0], true, 1));
		assert_eq!(listed(BOB), Some(vec![s[0]]));
		// Never more than the entry holds, whatever the caller's cap.
		assert_eq!(Margin::max_position_series(), crate::MAX_POSITION_SERIES);
		let full: Vec<SeriesId> = (1_000..1_000 + crate::MAX_POSITION_SERIES).collect();
		Accounts::<Test>::mutate(DAVE, |a| {
			let mut info = a.take().unwrap_or_default();
			info.positions = full.clone().try_into().unwrap();
			*a = Some(info);
		});
		AccountCount::<Test>::mutate(|c| *c += 1);
		assert_noop!(
			Margin::note_position(&DAVE, 5_000, true, u32::MAX),
			Error::<Test>::TooManyPositionSeries
		);
		Accounts::<Test>::remove(DAVE);
		AccountCount::<Test>::mutate(|c| *c -= 1);
		// An account with no ledger entry gets one when it opens a position; the insurance
		// account is never listed (its maintenance view is never asked for).
		assert_eq!(listed(EVE_NO_LEDGER), None);
		assert_ok!(Margin::note_position(&EVE_NO_LEDGER, s[1], true, 4));
		assert_eq!(listed(EVE_NO_LEDGER), Some(vec![s[1]]));
		assert_ok!(Margin::note_position(&EVE_NO_LEDGER, s[1], false, 4));
		assert_eq!(listed(EVE_NO_LEDGER), Some(vec![]));
		let ins = Margin::insurance_account();
		assert_ok!(Margin::note_position(&ins, s[1], true, 4));
		assert!(listed(ins).is_none_or(|l| l.is_empty()));
		// (The hand-made entry is empty: dropped for the closing `try_state`.)
		Accounts::<Test>::remove(EVE_NO_LEDGER);
		AccountCount::<Test>::mutate(|c| *c -= 1);
	});
}

const EVE_NO_LEDGER: AccountId = 5;
