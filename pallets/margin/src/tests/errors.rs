//! One `assert_noop!` per error that a call can return.
use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};
use optionchain_primitives::exchange::MarginAccounts;
use optionchain_primitives::exchange::MarginCheckError;
use sp_arithmetic::{FixedI128, FixedU128};
use sp_runtime::DispatchError;

fn liquidatable_bob() -> u32 {
	assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 10_000 * USD));
	let s = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
	MockPositions::trade(ALICE, BOB, s, 1);
	set_btc(64_000);
	s
}

#[test]
fn call_errors() {
	build_and_execute(|| {
		assert_noop!(Margin::deposit(RuntimeOrigin::signed(ALICE), 0), Error::<Test>::ZeroAmount);
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), 0).map_err(|e| e.error),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), 1).map_err(|e| e.error),
			Error::<Test>::InsufficientCollateral
		);
		assert_noop!(
			Margin::fund_insurance(RuntimeOrigin::signed(ALICE), 0),
			Error::<Test>::ZeroAmount
		);
		// More than the caller holds of the settlement asset: named (not the asset pallet's
		// arithmetic underflow), by one unit as by the maximum.
		let held =
			<Assets as frame_support::traits::fungibles::Inspect<AccountId>>::balance(USDC, &ALICE);
		for amount in [held + 1, u128::MAX] {
			assert_noop!(
				Margin::deposit(RuntimeOrigin::signed(ALICE), amount),
				Error::<Test>::InsufficientBalance
			);
			assert_noop!(
				Margin::fund_insurance(RuntimeOrigin::signed(ALICE), amount),
				Error::<Test>::InsufficientBalance
			);
		}
		// A frozen account (ALICE is the asset's freezer) is told so, not that it holds too
		// little; thawed, the same deposit goes through.
		assert_ok!(Assets::freeze(RuntimeOrigin::signed(ALICE), USDC, BOB));
		assert_noop!(
			Margin::deposit(RuntimeOrigin::signed(BOB), 10 * USD),
			Error::<Test>::SettlementAssetFrozen
		);
		assert_noop!(
			Margin::fund_insurance(RuntimeOrigin::signed(BOB), 1),
			Error::<Test>::SettlementAssetFrozen
		);
		assert_ok!(Assets::thaw(RuntimeOrigin::signed(ALICE), USDC, BOB));
		// So is everybody while the asset itself is frozen.
		assert_ok!(Assets::freeze_asset(RuntimeOrigin::signed(ALICE), USDC));
		assert_noop!(
			Margin::deposit(RuntimeOrigin::signed(BOB), 10 * USD),
			Error::<Test>::SettlementAssetFrozen
		);
		assert_ok!(Assets::thaw_asset(RuntimeOrigin::signed(ALICE), USDC));
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 10 * USD));
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), held));
		let s = liquidatable_bob();
		assert_noop!(
			Margin::liquidate(RuntimeOrigin::signed(BOB), BOB, s, 1).map_err(|e| e.error),
			Error::<Test>::CannotLiquidateSelf
		);
		assert_noop!(
			Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, s, 0).map_err(|e| e.error),
			Error::<Test>::ZeroQuantity
		);
		assert_noop!(
			Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, s + 1, 1).map_err(|e| e.error),
			Error::<Test>::PositionNotFound
		);
		assert_noop!(
			Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, s, 2).map_err(|e| e.error),
			Error::<Test>::QuantityTooLarge
		);
		assert_noop!(
			Margin::liquidate(RuntimeOrigin::signed(CHARLIE), Margin::insurance_account(), s, 1)
				.map_err(|e| e.error),
			Error::<Test>::CannotLiquidateInsurance
		);
		assert_noop!(
			Margin::liquidate(RuntimeOrigin::signed(CHARLIE), ALICE, s, 1).map_err(|e| e.error),
			Error::<Test>::NotLiquidatable
		);
		// Charlie has no collateral: taking a short leaves it below initial.
		assert_noop!(
			Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, s, 1).map_err(|e| e.error),
			Error::<Test>::LiquidatorBelowInitial
		);
	})
}

#[test]
fn expired_series_is_not_liquidated() {
	build_and_execute(|| {
		let s = liquidatable_bob();
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(CHARLIE), 100_000 * USD));
		Timestamp::set_timestamp(EXPIRY);
		set_btc(80_000);
		assert_noop!(
			Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, s, 1).map_err(|e| e.error),
			Error::<Test>::SeriesExpired
		);
	})
}

#[test]
fn price_errors() {
	build_and_execute(|| {
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 10_000 * USD));
		let s = MockPositions::add_series(call(ETH, 3_000, EXPIRY));
		MockPositions::trade(ALICE, BOB, s, 1);
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(BOB), 1).map_err(|e| e.error),
			Error::<Test>::PriceUnavailable
		);
		assert_eq!(
			Margin::ensure_initial_margin(&BOB, true, None),
			Err(MarginCheckError::Other(Error::<Test>::PriceUnavailable.into()))
		);
		MockPositions::trade(BOB, ALICE, s, 1);
		// Expiry beyond 100 years.
		let far = MockPositions::add_series(call(BTC, 60_000, T0 + 101 * 31_536_000_000));
		MockPositions::trade(ALICE, BOB, far, 1);
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(BOB), 1).map_err(|e| e.error),
			Error::<Test>::PricingFailed
		);
	})
}

#[test]
fn margin_accounts_errors() {
	build_and_execute(|| {
		assert_noop!(Margin::charge_fee(&ALICE, 1), Error::<Test>::InsufficientCollateral);
		let s = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
		MockPositions::trade(ALICE, BOB, s, 1);
		assert_eq!(
			Margin::ensure_initial_margin(&BOB, true, None),
			Err(MarginCheckError::BelowInitial)
		);
	})
}

#[test]
fn parameter_errors() {
	build_and_execute(|| {
		let d = MarginParameters::default();
		assert_noop!(
			Margin::set_parameters(RuntimeOrigin::signed(ALICE), d),
			DispatchError::BadOrigin
		);
		let half = FixedU128::from_rational(1, 2);
		let two = FixedU128::from_rational(2, 1);
		let bad = |f: &dyn Fn(&mut MarginParameters)| {
			let mut p = d;
			f(&mut p);
			p
		};
		assert_noop!(
			Margin::set_parameters(RuntimeOrigin::root(), bad(&|p| p.maintenance_rate = half)),
			Error::<Test>::InvalidMarginRates
		);
		assert_noop!(
			Margin::set_parameters(
				RuntimeOrigin::root(),
				bad(&|p| p.maintenance_rate = FixedU128::from_inner(0))
			),
			Error::<Test>::InvalidMarginRates
		);
		assert_noop!(
			Margin::set_parameters(RuntimeOrigin::root(), bad(&|p| p.liquidation_penalty = two)),
			Error::<Test>::InvalidPenalty
		);
		assert_noop!(
			Margin::set_parameters(RuntimeOrigin::root(), bad(&|p| p.insurance_share = two)),
			Error::<Test>::InvalidInsuranceShare
		);
		assert_noop!(
			Margin::set_parameters(RuntimeOrigin::root(), bad(&|p| p.liquidation_buffer = two)),
			Error::<Test>::InvalidBuffer
		);
		assert_noop!(
			Margin::set_parameters(
				RuntimeOrigin::root(),
				bad(&|p| p.rate = FixedI128::from_inner(11_000_000_000_000_000_000))
			),
			Error::<Test>::InvalidInterestRate
		);
		assert_ok!(Margin::set_parameters(
			RuntimeOrigin::root(),
			bad(&|p| p.liquidation_penalty = half)
		));
		assert!(margin_events().iter().any(|e| matches!(e, Event::ParametersUpdated { .. })));
	})
}
