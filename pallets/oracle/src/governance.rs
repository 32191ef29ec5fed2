//! Governance: underlyings, operators, settlement schedule, circuit-breaker release.

use crate::{pallet::*, types::*};
use frame_support::{pallet_prelude::*, traits::{Get, Time}};
use optionchain_primitives::{Moment, UnderlyingId};
use sp_arithmetic::{FixedPointNumber, FixedU128};
use sp_runtime::traits::Zero;

impl<T: Config> Pallet<T> {
	/// Checks every parameter, with a named error for each.
	pub(crate) fn validate_params(p: &UnderlyingParams) -> Result<(), Error<T>> {
		ensure!(p.quorum >= 1 && p.quorum <= T::MaxOperators::get(), Error::<T>::InvalidQuorum);
		ensure!(p.heartbeat > 0, Error::<T>::InvalidHeartbeat);
		ensure!(!p.max_move.is_zero(), Error::<T>::InvalidMaxMove);
		ensure!(p.confirmations >= 2, Error::<T>::InvalidConfirmations);
		ensure!(
			p.settlement_window > 0 && p.settlement_window <= MAX_WINDOW,
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
		Ok(())
	}

	pub(crate) fn do_register_underlying(
		id: UnderlyingId,
		params: UnderlyingParams,
	) -> DispatchResult {
		Self::validate_params(&params)?;
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
		Underlyings::<T>::insert(id, params);
		Self::deposit_event(Event::<T>::UnderlyingUpdated { underlying: id, params });
		Ok(())
	}

	pub(crate) fn do_add_operator(who: T::AccountId) -> DispatchResult {
		Operators::<T>::try_mutate(|ops| -> DispatchResult {
			ensure!(!ops.contains(&who), Error::<T>::AlreadyOperator);
			ops.try_push(who.clone()).map_err(|_| Error::<T>::TooManyOperators)?;
			Ok(())
		})?;
		Self::deposit_event(Event::<T>::OperatorAdded { operator: who });
		Ok(())
	}

	/// Removes `who` and drops all its submissions (bounded by `MaxUnderlyings`).
	pub(crate) fn do_remove_operator(who: T::AccountId) -> DispatchResult {
		Operators::<T>::try_mutate(|ops| -> DispatchResult {
			let before = ops.len();
			ops.retain(|o| o != &who);
			ensure!(ops.len() != before, Error::<T>::NotOperator);
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

	pub(crate) fn do_schedule_settlement(id: UnderlyingId, expiry: Moment) -> DispatchResult {
		ensure!(expiry > 0, Error::<T>::InvalidExpiry);
		let params = Underlyings::<T>::get(id).ok_or(Error::<T>::UnknownUnderlying)?;
		if SettlementPrices::<T>::contains_key(id, expiry) {
			return Ok(());
		}
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

	pub(crate) fn do_release_circuit_breaker(id: UnderlyingId) -> DispatchResult {
		ensure!(Underlyings::<T>::contains_key(id), Error::<T>::UnknownUnderlying);
		let breaker = Breakers::<T>::take(id).ok_or(Error::<T>::CircuitBreakerNotTripped)?;
		Self::release_breaker(id, breaker.candidate, T::Time::now(), true);
		Ok(())
	}
}
