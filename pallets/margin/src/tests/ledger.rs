use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};
use optionchain_primitives::exchange::MarginCheckError;
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
			Margin::withdraw(RuntimeOrigin::signed(BOB), 1_000 * USD + 1).map_err(|e| e.error),
			Error::<Test>::InsufficientMargin
		);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(BOB), 1_000 * USD));
		assert_eq!(Margin::collateral_of(&BOB), 9_000 * USD);
		assert_ok!(Margin::ensure_initial_margin(&BOB, true, None));
		MockOracle::set_status(BTC, PriceStatus::Stale);
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 1_000 * USD));
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(BOB), 1).map_err(|e| e.error),
			Error::<Test>::PriceStale
		);
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
		// Settlement through the clearing entry: the short pays in, then the long is paid.
		assert_eq!(Margin::settle_short(&BOB, 7, 2_000 * USD), Ok(2_000 * USD));
		assert_eq!(ClearingTotal::<Test>::get(), 2_000 * USD as i128);
		assert_eq!(Margin::settle_long(&ALICE, 7, 2_000 * USD, 1, 1), Ok(2_000 * USD));
		assert_eq!(ClearingTotal::<Test>::get(), 0);
		assert!(Clearing::<Test>::get(7).is_none());
		assert_eq!(Margin::collateral_of(&ALICE), 11_695 * USD);
		assert_eq!(Margin::collateral_of(&BOB), 8_295 * USD);
		assert_eq!(Margin::escrow_balance(), 20_000 * USD);
		assert_noop!(Margin::settle_long(&ALICE, 7, 1, 2, 1), Error::<Test>::InvalidSettlement);
	})
}

#[test]
fn settlement_shortfall_advanced_by_insurance_then_borne_by_longs_pro_rata() {
	build_and_execute(|| {
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 1_000 * USD));
		assert_ok!(Margin::fund_insurance(RuntimeOrigin::signed(DAVE), 2_000 * USD));
		// Bob is short 3 contracts paying 2,000 each: owes 6,000 with 1,000. He owes the fund
		// the 5,000 shortfall; the fund advances 2,000, 3,000 cannot be paid.
		assert_eq!(Margin::settle_short(&BOB, 3, 6_000 * USD), Ok(3_000 * USD));
		assert_eq!(Margin::collateral_of(&BOB), 0);
		assert_eq!(Margin::debt_of(&BOB), 5_000 * USD);
		assert_eq!(Margin::insurance_fund(), 0);
		let ev = margin_events();
		assert!(ev.contains(&Event::DebtRecorded { account: BOB, amount: 5_000 * USD }));
		assert!(ev.contains(&Event::BadDebtCovered { account: BOB, amount: 2_000 * USD }));
		assert!(ev.contains(&Event::SettlementShortfall {
			account: BOB,
			series: 3,
			amount: 3_000 * USD
		}));
		// Longs: Alice 2 contracts (due 4,000), Charlie 1 (due 2,000): 3,000 shared pro rata.
		assert_eq!(Margin::settle_long(&ALICE, 3, 4_000 * USD, 2, 3), Ok(2_000 * USD));
		assert_eq!(Margin::settle_long(&CHARLIE, 3, 2_000 * USD, 1, 1), Ok(1_000 * USD));
		assert_eq!(ClearingTotal::<Test>::get(), 0);
		let ev = margin_events();
		assert!(ev.contains(&Event::LossSocialised {
			bearer: ALICE,
			series: 3,
			amount: 2_000 * USD
		}));
		assert!(ev.contains(&Event::LossSocialised {
			bearer: CHARLIE,
			series: 3,
			amount: 1_000 * USD
		}));
		// Bob's next deposit repays the fund first.
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 500 * USD));
		assert_eq!((Margin::collateral_of(&BOB), Margin::debt_of(&BOB)), (0, 4_500 * USD));
		assert_eq!(Margin::insurance_fund(), 500 * USD);
		assert!(margin_events().contains(&Event::DebtRepaid { account: BOB, amount: 500 * USD }));
		// An account in debt keeps its ledger entry and cannot withdraw.
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(BOB), 1).map_err(|e| e.error),
			Error::<Test>::InsufficientCollateral
		);
		assert!(Accounts::<Test>::get(BOB).is_some());
	})
}

#[test]
fn settlement_credits_repay_what_the_fund_advanced_for_the_same_account() {
	build_and_execute(|| {
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(CHARLIE), 10_000 * USD));
		assert_ok!(Margin::fund_insurance(RuntimeOrigin::signed(DAVE), 5_000 * USD));
		// Bob (no collateral) is short in series 1 (owes 2,000) and long in series 2 (due
		// 3,000, paid by Charlie's short). His debit comes first: the fund advances it.
		assert_eq!(Margin::settle_short(&BOB, 1, 2_000 * USD), Ok(2_000 * USD));
		assert_eq!(Margin::debt_of(&BOB), 2_000 * USD);
		assert_eq!(Margin::insurance_fund(), 3_000 * USD);
		assert_ok!(Margin::settle_long(&ALICE, 1, 2_000 * USD, 1, 1));
		assert_ok!(Margin::settle_short(&CHARLIE, 2, 3_000 * USD));
		assert_eq!(Margin::settle_long(&BOB, 2, 3_000 * USD, 1, 1), Ok(3_000 * USD));
		// The credit repaid the fund in full: the fund paid nothing in the end.
		assert_eq!((Margin::collateral_of(&BOB), Margin::debt_of(&BOB)), (1_000 * USD, 0));
		assert_eq!(Margin::insurance_fund(), 5_000 * USD);
		assert_eq!(Margin::collateral_of(&ALICE), 2_000 * USD);
		assert_eq!(Margin::collateral_of(&CHARLIE), 7_000 * USD);
	})
}

#[test]
fn a_new_ledger_entry_needs_the_minimum_deposit() {
	build_and_execute(|| {
		assert_noop!(
			Margin::deposit(RuntimeOrigin::signed(ALICE), 10 * USD - 1),
			Error::<Test>::DepositBelowMinimum
		);
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), 10 * USD));
		// Once in the ledger, any amount.
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), 1));
		assert_eq!(Margin::collateral_of(&ALICE), 10 * USD + 1);
		// A withdrawal leaves nothing or at least the minimum (no dust entries).
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), 2).map_err(|e| e.error),
			Error::<Test>::WithdrawalLeavesDust
		);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), 1));
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), 10 * USD));
		assert!(Accounts::<Test>::get(ALICE).is_none());
	})
}

#[test]
fn margin_check_requires_every_held_price_fresh_unless_reducing() {
	build_and_execute(|| {
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 10_000 * USD));
		let s = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
		MockPositions::trade(ALICE, BOB, s, 1);
		MockOracle::set_status(BTC, PriceStatus::Stale);
		assert_eq!(
			Margin::ensure_initial_margin(&BOB, true, None),
			Err(MarginCheckError::Other(Error::<Test>::PriceStale.into()))
		);
		assert_ok!(Margin::ensure_initial_margin(&BOB, false, None));
		MockOracle::set_status(BTC, PriceStatus::Fresh);
		assert_ok!(Margin::ensure_initial_margin(&BOB, true, None));
	})
}

#[test]
fn stale_oracle_blocks_risk_increase() {
	build_and_execute(|| {
		assert_ok!(Margin::ensure_can_increase_risk(&ALICE, BTC));
		MockOracle::set_status(BTC, PriceStatus::CircuitBreaker);
		assert_noop!(Margin::ensure_can_increase_risk(&ALICE, BTC), Error::<Test>::PriceStale);
		assert_noop!(
			Margin::ensure_can_increase_risk(&ALICE, ETH),
			Error::<Test>::PriceUnavailable
		);
	})
}
