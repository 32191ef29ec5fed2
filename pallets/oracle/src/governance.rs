//! Governance: underlyings, operators, settlement schedule, circuit-breaker release.

use crate::{pallet::*, types::*};
use frame_support::{
	pallet_prelude::*,
	traits::{Get, Time},
};
use optionchain_primitives::{Moment, UnderlyingId};
use sp_arithmetic::{FixedPointNumber, FixedU128, Permill};
use sp_runtime::traits::{Saturating, Zero};

impl<T: Config> Pallet<T> {
	/// Checks every parameter, with a named error for each.
	pub(crate) fn validate_params(p: &UnderlyingParams) -> Result<(), Error<T>> {
		ensure!(p.quorum >= 1 && p.quorum <= T::MaxOperators::get(), Error::<T>::InvalidQuorum);
		ensure!(p.heartbeat > 0 && p.heartbeat <= MAX_HEARTBEAT, Error::<T>::InvalidHeartbeat);
		ensure!(!p.max_move.is_zero(), Error::<T>::InvalidMaxMove);
		ensure!(p.confirmations >= 2, Error::<T>::InvalidConfirmations);
		ensure!(
			p.settlement_window > 0
				&& p.settlement_window <= MAX_WINDOW
				&& p.settlement_window <= Self::history_span(),
			Error::<T>::InvalidSettlementWindow
		);
		ensure!(
			!p.max_price.is_zero() && p.max_price <= FixedU128::saturating_from_integer(PRICE_CAP),
			Error::<T>::InvalidMaxPrice
		);
		ensure!(
			!p.max_volatility.is_zero()
				&& p.max_volatility <= FixedU128::saturating_from_integer(VOLATILITY_CAP),
			Error::<T>::InvalidMaxVolatility
		);
		let half = Permill::from_percent(50);
		ensure!(
			!p.max_dispersion.is_zero()
				&& p.max_dispersion <= half
				&& !p.max_volatility_dispersion.is_zero()
				&& p.max_volatility_dispersion <= half,
			Error::<T>::InvalidMaxDispersion
		);
		ensure!(!p.max_volatility_move.is_zero(), Error::<T>::InvalidMaxVolatilityMove);
		Ok(())
	}

	/// `quorum` is a strict majority of `operators`.
	pub(crate) fn ensure_majority(quorum: u32, operators: u32) -> Result<(), Error<T>> {
		ensure!(quorum.saturating_mul(2) > operators, Error::<T>::QuorumNotMajority);
		Ok(())
	}

	/// `quorum` is a strict majority of `operators` and, once there are operators, reachable.
	pub(crate) fn ensure_majority_reachable(quorum: u32, operators: u32) -> Result<(), Error<T>> {
		Self::ensure_majority(quorum, operators)?;
		ensure!(operators == 0 || quorum <= operators, Error::<T>::QuorumNotMajority);
		Ok(())
	}

	/// Number of operators (one length read).
	pub(crate) fn operator_count() -> u32 {
		Operators::<T>::decode_len().unwrap_or(0) as u32
	}

	pub(crate) fn do_register_underlying(
		id: UnderlyingId,
		params: UnderlyingParams,
	) -> DispatchResult {
		Self::validate_params(&params)?;
		Self::ensure_majority_reachable(params.quorum, Self::operator_count())?;
		ensure!(!Underlyings::<T>::contains_key(id), Error::<T>::UnderlyingAlreadyRegistered);
		UnderlyingList::<T>::try_mutate(|l| l.try_push(id))
			.map_err(|_| Error::<T>::TooManyUnderlyings)?;
		Underlyings::<T>::insert(id, params);
		Self::deposit_event(Event::<T>::UnderlyingRegistered { underlying: id, params });
		Ok(())
	}

	pub(crate) fn do_update_underlying(
		id: UnderlyingId,
		params: UnderlyingParams,
	) -> DispatchResult {
		ensure!(Underlyings::<T>::contains_key(id), Error::<T>::UnknownUnderlying);
		Self::validate_params(&params)?;
		Self::ensure_majority_reachable(params.quorum, Self::operator_count())?;
		Underlyings::<T>::insert(id, params);
		Self::deposit_event(Event::<T>::UnderlyingUpdated { underlying: id, params });
		Ok(())
	}

	/// Adds `who`, unless some underlying's quorum would no longer be a strict majority of the
	/// operators (raise those quorums first).
	pub(crate) fn do_add_operator(who: T::AccountId) -> DispatchResult {
		let n = Operators::<T>::try_mutate(|ops| -> Result<u32, DispatchError> {
			ensure!(!ops.contains(&who), Error::<T>::AlreadyOperator);
			ops.try_push(who.clone()).map_err(|_| Error::<T>::TooManyOperators)?;
			Ok(ops.len() as u32)
		})?;
		Self::ensure_all(n, Self::ensure_majority)?;
		Self::deposit_event(Event::<T>::OperatorAdded { operator: who });
		Ok(())
	}

	/// Removes `who` and drops all its submissions (bounded by `MaxUnderlyings`).
	/// Removes `who`, unless some underlying's quorum would become unreachable (lower it
	/// first).
	pub(crate) fn do_remove_operator(who: T::AccountId) -> DispatchResult {
		let n = Operators::<T>::try_mutate(|ops| -> Result<u32, DispatchError> {
			let before = ops.len();
			ops.retain(|o| o != &who);
			ensure!(ops.len() != before, Error::<T>::NotOperator);
			Ok(ops.len() as u32)
		})?;
		Self::ensure_all(n, |q, n| {
			ensure!(q <= n, Error::<T>::QuorumNotMajority);
			Ok(())
		})?;
		let mut dropped = 0u32;
		for id in UnderlyingList::<T>::get() {
			Submissions::<T>::mutate_exists(id, |maybe| {
				if let Some(subs) = maybe {
					let before = subs.len();
					subs.retain(|s| s.operator != who);
					dropped = dropped.saturating_add(before.saturating_sub(subs.len()) as u32);
					if subs.is_empty() {
						*maybe = None;
					}
				}
			});
		}
		Self::deposit_event(Event::<T>::OperatorRemoved { operator: who, dropped });
		Ok(())
	}

	/// Every registered underlying's quorum passes `check` for `operators` (bounded by
	/// `MaxUnderlyings` reads).
	fn ensure_all(operators: u32, check: fn(u32, u32) -> Result<(), Error<T>>) -> DispatchResult {
		for id in UnderlyingList::<T>::get() {
			if let Some(p) = Underlyings::<T>::get(id) {
				check(p.quorum, operators)?;
			}
		}
		Ok(())
	}

	pub(crate) fn do_schedule_settlement(id: UnderlyingId, expiry: Moment) -> DispatchResult {
		ensure!(expiry > 0, Error::<T>::InvalidExpiry);
		let params = Underlyings::<T>::get(id).ok_or(Error::<T>::UnknownUnderlying)?;
		if SettlementPrices::<T>::contains_key(id, expiry)
			|| StuckSettlements::<T>::contains_key(id, expiry)
		{
			return Ok(());
		}
		ensure!(expiry >= T::Time::now(), Error::<T>::ExpiryInPast);
		let item = ScheduledSettlement { expiry, underlying: id, window: params.settlement_window };
		let inserted = ScheduledSettlements::<T>::try_mutate(|s| -> Result<bool, Error<T>> {
			let key = (expiry, id);
			match s.binary_search_by_key(&key, |x| (x.expiry, x.underlying)) {
				Ok(_) => Ok(false),
				Err(pos) => {
					s.try_insert(pos, item).map_err(|_| Error::<T>::TooManyScheduledSettlements)?;
					Ok(true)
				},
			}
		})?;
		if inserted {
			Self::deposit_event(Event::<T>::SettlementScheduled {
				underlying: id,
				expiry,
				window: params.settlement_window,
			});
		}
		Ok(())
	}

	/// A stuck settlement of `(id, expiry)` whose grace period is over.
	fn stuck_after_grace(id: UnderlyingId, expiry: Moment) -> Result<StuckSettlement, Error<T>> {
		let stuck = StuckSettlements::<T>::get(id, expiry).ok_or(Error::<T>::SettlementNotStuck)?;
		ensure!(
			T::Time::now() >= expiry.saturating_add(T::SettlementGracePeriod::get()),
			Error::<T>::GracePeriodNotOver
		);
		Ok(stuck)
	}

	pub(crate) fn do_force_settlement_price(
		id: UnderlyingId,
		expiry: Moment,
		price: optionchain_primitives::Price,
	) -> DispatchResult {
		let params = Underlyings::<T>::get(id).ok_or(Error::<T>::UnknownUnderlying)?;
		let stuck = Self::stuck_after_grace(id, expiry)?;
		let (lo, hi) = stuck.range.ok_or(Error::<T>::NoFedRange)?;
		let d = params.max_dispersion;
		let lo = lo.saturating_sub(FixedU128::from_inner(d.mul_floor(lo.into_inner())));
		let hi = hi.saturating_add(FixedU128::from_inner(d.mul_ceil(hi.into_inner())));
		ensure!(price >= lo && price <= hi && !price.is_zero(), Error::<T>::PriceOutsideFedRange);
		StuckSettlements::<T>::remove(id, expiry);
		let block: u32 = sp_runtime::traits::UniqueSaturatedInto::unique_saturated_into(
			frame_system::Pallet::<T>::block_number(),
		);
		Self::write_settlement(id, expiry, price, expiry, expiry, block);
		Self::deposit_event(Event::<T>::SettlementPriceForced { underlying: id, expiry, price });
		Ok(())
	}

	pub(crate) fn do_cancel_settlement(id: UnderlyingId, expiry: Moment) -> DispatchResult {
		Self::stuck_after_grace(id, expiry)?;
		StuckSettlements::<T>::remove(id, expiry);
		Self::deposit_event(Event::<T>::SettlementCancelled { underlying: id, expiry });
		Ok(())
	}

	/// Releases the held moves of `id` (price and/or volatility) whose candidate is still
	/// fresh (`CandidateTooOld` if every held candidate is older than the heartbeat).
	pub(crate) fn do_release_circuit_breaker(id: UnderlyingId) -> DispatchResult {
		ensure!(Underlyings::<T>::contains_key(id), Error::<T>::UnknownUnderlying);
		let price = Breakers::<T>::get(id);
		let vol = VolatilityBreakers::<T>::get(id);
		ensure!(price.is_some() || vol.is_some(), Error::<T>::CircuitBreakerNotTripped);
		let now = T::Time::now();
		let young = |b: &Breaker| now <= b.candidate.fresh_until;
		ensure!(price.iter().chain(vol.iter()).any(young), Error::<T>::CandidateTooOld);
		if let Some(b) = price.filter(young) {
			Breakers::<T>::remove(id);
			Self::release_breaker(id, b.candidate, now, true);
		}
		if let Some(b) = vol.filter(young) {
			VolatilityBreakers::<T>::remove(id);
			Self::release_volatility(id, b.candidate, true);
		}
		Ok(())
	}
}
