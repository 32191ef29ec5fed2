use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};
use optionchain_primitives::{exchange::MarginAccounts, PriceStatus};

#[test]
fn deposit_and_withdraw_move_real_assets() {
	build_and_execute(|| {
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), 1_000 * USD));
		assert_eq!(Margin::collateral_of(&ALICE), 1_000 * USD);
		assert_eq!(Margin::escrow_balance(), 1_000 * USD);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), 400 * USD));
		assert_eq!(Margin::collateral_of(&ALICE), 600 * USD);
		assert_eq!(asset_balance(ALICE), 999_400 * USD);
		// Withdrawing everything removes the ledger entry.
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), 600 * USD));
		assert!(Accounts::<Test>::get(ALICE).is_none());
		assert_eq!(AccountCount::<Test>::get(), 0);
		assert_eq!(Margin::escrow_balance(), 0);
	})
}

#[test]
fn withdrawal_limited_by_initial_requirement() {
	build_and_execute(|| {
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 10_000 * USD));
		let s = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
		MockPositions::trade(ALICE, BOB, s, 1); // initial 9,000
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(BOB), 1_000 * USD + 1),
			Error::<Test>::InsufficientMargin
		);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(BOB), 1_000 * USD));
		assert_eq!(Margin::collateral_of(&BOB), 9_000 * USD);
		assert_ok!(Margin::ensure_initial_margin(&BOB));
		MockOracle::set_status(BTC, PriceStatus::Stale);
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 1_000 * USD));
		assert_noop!(Margin::withdraw(RuntimeOrigin::signed(BOB), 1), Error::<Test>::PriceStale);
	})
}

#[test]
fn premiums_fees_and_settlement_conserve_money() {
	build_and_execute(|| {
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), 10_000 * USD));
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 10_000 * USD));
		assert_ok!(<Margin as MarginAccounts<_>>::transfer(&ALICE, &BOB, 300 * USD));
		assert_ok!(Margin::charge_fee(&ALICE, 5 * USD));
		assert_ok!(Margin::charge_fee(&BOB, 5 * USD));
		assert_eq!(Margin::collateral_of(&ALICE), 9_695 * USD);
		assert_eq!(Margin::collateral_of(&BOB), 10_295 * USD);
		assert_eq!(Margin::collateral_of(&FEES), 10 * USD);
		assert_noop!(
			<Margin as MarginAccounts<_>>::transfer(&ALICE, &BOB, 9_696 * USD),
			Error::<Test>::InsufficientCollateral
		);
		// Settlement through the clearing entry, credit first.
		assert_ok!(Margin::settle(&ALICE, 7, 2_000 * USD as i128));
		assert_eq!(ClearingTotal::<Test>::get(), -(2_000 * USD as i128));
		assert_ok!(Margin::settle(&BOB, 7, -(2_000 * USD as i128)));
		assert_eq!(ClearingTotal::<Test>::get(), 0);
		assert!(Clearing::<Test>::get(7).is_none());
		assert_eq!(Margin::collateral_of(&ALICE), 11_695 * USD);
		assert_eq!(Margin::collateral_of(&BOB), 8_295 * USD);
		assert_eq!(Margin::escrow_balance(), 20_000 * USD);
	})
}

#[test]
fn settlement_shortfall_insurance_then_socialised() {
	build_and_execute(|| {
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 1_000 * USD));
		assert_ok!(Margin::fund_insurance(RuntimeOrigin::signed(DAVE), 2_000 * USD));
		assert_ok!(Margin::settle(&ALICE, 3, 6_000 * USD as i128));
		// Bob owes 6,000 with 1,000: insurance pays 2,000, 3,000 socialised onto the series.
		assert_ok!(Margin::settle(&BOB, 3, -(6_000 * USD as i128)));
		assert_eq!(Margin::collateral_of(&BOB), 0);
		assert_eq!(Margin::insurance_fund(), 0);
		assert_eq!(ClearingTotal::<Test>::get(), -(3_000 * USD as i128));
		let ev = margin_events();
		assert!(ev.contains(&Event::BadDebtCovered { account: BOB, amount: 2_000 * USD }));
		assert!(ev.contains(&Event::LossSocialised {
			account: BOB,
			bearer: None,
			series: 3,
			amount: 3_000 * USD
		}));
	})
}

#[test]
fn stale_oracle_blocks_risk_increase() {
	build_and_execute(|| {
		assert_ok!(Margin::ensure_can_increase_risk(&ALICE, BTC));
		MockOracle::set_status(BTC, PriceStatus::CircuitBreaker);
		assert_noop!(Margin::ensure_can_increase_risk(&ALICE, BTC), Error::<Test>::PriceStale);
		assert_noop!(Margin::ensure_can_increase_risk(&ALICE, ETH), Error::<Test>::PriceUnavailable);
	})
}
