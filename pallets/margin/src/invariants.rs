//! `integrity_test`, parameter validation and `try_state`.

use crate::{pallet::*, types::*};
use frame_support::pallet_prelude::*;
use optionchain_pricing::MAX_ABS_RATE;
use sp_arithmetic::{FixedI128, FixedPointNumber, FixedU128};

impl<T: Config> Pallet<T> {
	/// Validate risk parameters, one named error per bad field.
	pub fn validate_parameters(p: &MarginParameters) -> DispatchResult {
		let one = FixedU128::one();
		ensure!(
			!p.maintenance_rate.is_zero() &&
				p.maintenance_rate <= p.min_initial_rate &&
				p.min_initial_rate <= p.initial_rate &&
				p.initial_rate <= one,
			Error::<T>::InvalidMarginRates
		);
		ensure!(
			p.liquidation_penalty <= FixedU128::saturating_from_rational(1, 2),
			Error::<T>::InvalidPenalty
		);
		ensure!(p.insurance_share <= one, Error::<T>::InvalidInsuranceShare);
		ensure!(p.liquidation_buffer <= one, Error::<T>::InvalidBuffer);
		let max = FixedI128::from_inner(MAX_ABS_RATE.into_inner());
		let ok = |x: FixedI128| x <= max && x >= -max;
		ensure!(ok(p.rate) && ok(p.dividend_yield), Error::<T>::InvalidInterestRate);
		Ok(())
	}

	pub(crate) fn do_integrity_test() {
		assert!(T::MaxAccounts::get() > 0, "MaxAccounts must be > 0");
		assert!(T::MaxSweepPerBlock::get() > 0, "MaxSweepPerBlock must be > 0");
		assert!(T::UnitsPerUsd::get() > 0, "UnitsPerUsd must be > 0");
		assert!(
			Self::validate_parameters(&MarginParameters::default()).is_ok(),
			"default parameters must be valid"
		);
		assert!(
			Self::escrow_account() != Self::insurance_account(),
			"escrow and insurance accounts must differ"
		);
	}

	/// Conservation and bookkeeping invariants.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut sum: i128 = 0;
		let mut count: u32 = 0;
		for (_, info) in Accounts::<T>::iter() {
			ensure!(info.debt == 0 || info.collateral == 0, "an account in debt holds collateral");
			let c = i128::try_from(info.collateral).map_err(|_| "collateral overflows i128")?;
			sum = sum.checked_add(c).ok_or("ledger sum overflows")?;
			count = count.checked_add(1).ok_or("count overflows")?;
		}
		ensure!(count == AccountCount::<T>::get(), "AccountCount mismatch");
		ensure!(count <= T::MaxAccounts::get(), "more accounts than MaxAccounts");
		let mut clearing: i128 = 0;
		for (_, c) in Clearing::<T>::iter() {
			ensure!(c != 0, "zero clearing entry kept");
			// Shorts pay in before any long is paid out, and longs never take more than the
			// entry holds: a settlement never promises money the escrow does not hold.
			ensure!(c > 0, "negative clearing entry: a long was paid before the shorts paid in");
			clearing = clearing.checked_add(c).ok_or("clearing overflows")?;
		}
		ensure!(clearing == ClearingTotal::<T>::get(), "ClearingTotal mismatch");
		let backed = sum.checked_add(clearing).ok_or("backed overflows")?;
		let escrow = i128::try_from(Self::escrow_balance()).map_err(|_| "escrow overflows")?;
		ensure!(escrow == backed, "escrow balance != ledger collateral + clearing");
		Self::validate_parameters(&Params::<T>::get()).map_err(|_| "invalid parameters")?;
		let ins = Accounts::<T>::get(Self::insurance_account());
		ensure!(!ins.map(|i| i.in_liquidation).unwrap_or(false), "insurance in liquidation");
		ensure!(ins.map(|i| i.debt).unwrap_or(0) == 0, "insurance in debt");
		Ok(())
	}
}
