//! `integrity_test`, parameter validation and `try_state`.

use crate::{pallet::*, types::*};
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use optionchain_pricing::MAX_ABS_RATE;
use optionchain_primitives::exchange::{PortfolioSize, PositionsProvider, SeriesId};
use sp_arithmetic::{FixedI128, FixedPointNumber, FixedU128};
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// Validate risk parameters, one named error per bad field.
	pub fn validate_parameters(p: &MarginParameters) -> DispatchResult {
		let one = FixedU128::one();
		ensure!(
			!p.maintenance_rate.is_zero()
				&& p.maintenance_rate <= p.min_initial_rate
				&& p.min_initial_rate <= p.initial_rate
				&& p.initial_rate <= one,
			Error::<T>::InvalidMarginRates
		);
		ensure!(
			p.liquidation_penalty <= FixedU128::saturating_from_rational(1, 2),
			Error::<T>::InvalidPenalty
		);
		ensure!(p.insurance_share <= one, Error::<T>::InvalidInsuranceShare);
		ensure!(p.liquidation_buffer <= one, Error::<T>::InvalidBuffer);
		ensure!(p.maintenance_mark_rate <= one, Error::<T>::InvalidMarginRates);
		ensure!(p.long_initial_credit <= one, Error::<T>::InvalidLongCredit);
		// Within [0, 1] (per year): with a negative rate a put's mark can exceed its strike, and
		// with a negative dividend yield a call's mark its index price, which would break the
		// put cap and the listing size bound (and 100 %/year is already beyond any market).
		let max = FixedI128::from_inner(MAX_ABS_RATE.into_inner()).min(FixedI128::one());
		let ok = |x: FixedI128| x <= max && x >= FixedI128::zero();
		ensure!(ok(p.rate) && ok(p.dividend_yield), Error::<T>::InvalidInterestRate);
		Ok(())
	}

	/// Announce `params`, applying at once when the notice is 0.
	pub(crate) fn schedule_parameters(params: MarginParameters) {
		let now = frame_system::Pallet::<T>::block_number();
		// Evaluations change from now on: accounts found warm before do not stay warm.
		WarmVoidAt::<T>::put(Self::stamp_now());
		let notice = T::ParameterNotice::get();
		if notice.is_zero() {
			PendingParams::<T>::kill();
			Params::<T>::put(params);
			Self::deposit_event(Event::ParametersUpdated { params });
			return;
		}
		let effective_at = now.saturating_add(notice);
		PendingParams::<T>::put(PendingParameters { params, effective_at });
		Self::deposit_event(Event::ParametersScheduled { params, effective_at });
	}

	/// `on_initialize`: apply the announced parameters once their block is reached.
	pub(crate) fn apply_pending_parameters(n: BlockNumberFor<T>) -> Weight {
		let db = T::DbWeight::get();
		match PendingParams::<T>::get() {
			Some(p) if p.effective_at <= n => {
				PendingParams::<T>::kill();
				Params::<T>::put(p.params);
				Self::deposit_event(Event::ParametersUpdated { params: p.params });
				db.reads_writes(1, 2)
			},
			_ => db.reads(1),
		}
	}

	pub(crate) fn do_integrity_test() {
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
		// The largest account the step may have to liquidate: positions in every series it may
		// hold one in, each on its own underlying (boxes capped by the band's); its resting
		// orders are voided in constant work and never evaluated.
		let largest = T::Positions::max_positions_len();
		let size = PortfolioSize { series: largest, orders: 0, positions: largest };
		assert!(
			T::TriggerReserve::get().all_gte(
				Self::evaluation_weight(largest, largest)
					.saturating_add(Self::extra_underlyings_weight(largest))
					.saturating_add(Self::sweep_account_weight_for(size))
					.saturating_add(Self::found_weight())
					.max(
						Self::step_visit_weight(size, true, largest)
							.saturating_add(Self::insurance_side_weight(largest))
					)
			),
			"TriggerReserve must cover one evaluation and one liquidation of the largest portfolio"
		);
	}

	/// Conservation and bookkeeping invariants. Compiled for `try-runtime` and native (`std`)
	/// builds, where the tests check them after every block; not in the production wasm.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		Self::check_trigger_index()?;
		Self::check_hot_or_banded()?;
		let mut sum: i128 = 0;
		let mut count: u32 = 0;
		let now = Self::stamp_now();
		let next: BlockNumberFor<T> =
			frame_system::Pallet::<T>::block_number().saturating_add(One::one());
		let insurance = Self::insurance_account();
		let fees = T::FeeAccount::get();
		for (who, info) in Accounts::<T>::iter() {
			ensure!(info.debt == 0 || info.collateral == 0, "an account in debt holds collateral");
			// Warm: stamped in no later block than this; never the fund's or the fee account's;
			// in debt or under liquidation never; and hot (its evaluation marked it), so the
			// fills that skip the evaluation leave no band describing an older portfolio.
			ensure!(info.checked_at <= now, "an account is warm in a later block");
			if info.checked_at == now && now != 0 {
				ensure!(who != insurance && who != fees, "the fund or fee account is warm");
				ensure!(
					info.debt == 0 && !info.in_liquidation,
					"a warm account in debt or liquidation"
				);
				ensure!(
					Hot::<T>::get(&who).is_some_and(|h| h >= next),
					"a warm account is not hot"
				);
			}
			// The listed series are exactly those it holds a position in (ascending), as the
			// options pallet reports them; the insurance account's are not listed.
			ensure!(
				info.positions.iter().zip(info.positions.iter().skip(1)).all(|(a, b)| a < b),
				"a position list is not ascending"
			);
			if who != insurance {
				let held: alloc::vec::Vec<SeriesId> = T::Positions::portfolio(&who)
					.positions
					.iter()
					.filter(|p| p.net != 0)
					.map(|p| p.series)
					.collect();
				ensure!(
					held.as_slice() == info.positions.as_slice(),
					"a position list is out of date"
				);
			}
			let c = i128::try_from(info.collateral).map_err(|_| "collateral overflows i128")?;
			sum = sum.checked_add(c).ok_or("ledger sum overflows")?;
			count = count.checked_add(1).ok_or("count overflows")?;
		}
		ensure!(count == AccountCount::<T>::get(), "AccountCount mismatch");
		let deferred = SweepDeferred::<T>::get();
		for (i, who) in deferred.iter().enumerate() {
			ensure!(
				!deferred.iter().skip(i.saturating_add(1)).any(|w| w == who),
				"an account deferred twice by the sweep"
			);
		}
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
		// `>=`: anybody may send the settlement asset to the escrow account (a donation nobody
		// can withdraw); it must never hold less than the ledger promises.
		ensure!(escrow >= backed, "escrow balance < ledger collateral + clearing");
		Self::validate_parameters(&Params::<T>::get()).map_err(|_| "invalid parameters")?;
		if let Some(p) = PendingParams::<T>::get() {
			Self::validate_parameters(&p.params).map_err(|_| "invalid pending parameters")?;
		}
		let ins = Accounts::<T>::get(Self::insurance_account());
		ensure!(!ins.as_ref().is_some_and(|i| i.in_liquidation), "insurance in liquidation");
		ensure!(ins.as_ref().map_or(0, |i| i.debt) == 0, "insurance in debt");
		ensure!(ins.as_ref().is_none_or(|i| i.positions.is_empty()), "insurance positions listed");
		Ok(())
	}
}
