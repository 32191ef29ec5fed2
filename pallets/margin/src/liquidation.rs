//! Liquidation: permissionless `liquidate` and the keeper-less `on_idle` sweep.

use crate::{pallet::*, types::*, WeightInfo};
use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, storage::with_storage_layer, traits::Time};
use optionchain_primitives::exchange::{Contracts, PositionInfo, PositionsProvider, SeriesId};
use frame_support::weights::Weight;

impl<T: Config> Pallet<T> {
	/// Check that `account` may be liquidated now: not the insurance account, fresh prices for
	/// every underlying it holds, and liquidatable.
	fn ensure_liquidatable(account: &T::AccountId) -> Result<Risk, DispatchError> {
		ensure!(*account != Self::insurance_account(), Error::<T>::CannotLiquidateInsurance);
		let risk = Self::risk_of(account)?;
		ensure!(risk.all_fresh, Error::<T>::PriceStale);
		let in_liq = Accounts::<T>::get(account).map(|a| a.in_liquidation).unwrap_or(false);
		ensure!(
			Self::state_of(&risk, in_liq)? == AccountState::Liquidatable,
			Error::<T>::NotLiquidatable
		);
		Ok(risk)
	}

	/// Move `quantity` contracts of `position` from `account` to `receiver` at mark value and
	/// pay for them.
	///
	/// - A short: `account` pays the contracts' liability (mark value, rounded against it) to
	///   `receiver`; what it lacks is advanced by the insurance fund and owed by `account`. Then
	///   it pays the penalty (`liquidation_penalty` of the contracts' maintenance requirement)
	///   out of whatever collateral it has left, never more: the fund does not pay penalties
	///   for bankrupt accounts. `insurance_share` of the penalty paid goes to the fund.
	/// - A long: `receiver` pays `account` the contracts' mark value (rounded against
	///   `account`), no penalty; the credit repays `account`'s debt first.
	fn take_over(
		receiver: &T::AccountId,
		account: &T::AccountId,
		position: &PositionInfo,
		quantity: i128,
	) -> DispatchResult {
		let params = Params::<T>::get();
		let m = Self::market(position.terms.underlying)?;
		ensure!(m.fresh, Error::<T>::PriceStale);
		let u = Self::unit_figures(&position.terms, &m, T::Time::now(), &params)?;
		ensure!(!u.expired, Error::<T>::SeriesExpired);
		let net = i128::from(position.net);
		let moved = if net < 0 { quantity.checked_neg().ok_or(Error::<T>::Overflow)? } else { quantity };
		let cs = Self::fx(position.terms.contract_size)?;
		// Value of what the receiver gets (negative for a short), rounded against the account.
		let value = Self::position_value(u.mark, cs, moved)?;
		let q = Contracts::try_from(quantity).map_err(|_| Error::<T>::Overflow)?;
		T::Positions::transfer_position(account, receiver, position.series, q)?;
		Self::ensure_tracked(receiver)?;
		let insurance = Self::insurance_account();
		let (penalty, insurance_fee) = if net < 0 {
			let liability = value.unsigned_abs();
			let collected = Self::collect(account, liability, Some(receiver), position.series)?;
			Self::credit(receiver, collected)?;
			let full = Self::mul_up(Self::short_maintenance(&position.terms, &u, quantity)?, params.liquidation_penalty)?;
			let penalty = full.min(Self::collateral_of(account));
			Self::move_collateral(account, receiver, penalty)?;
			// The fund's share of the penalty (nothing to move when the fund is the receiver).
			let fee = if *receiver == insurance {
				0
			} else {
				Self::mul_down(penalty, params.insurance_share)?
			};
			Self::move_collateral(receiver, &insurance, fee)?;
			(penalty, fee)
		} else {
			Self::move_collateral(receiver, account, value.unsigned_abs())?;
			(0, 0)
		};
		Self::deposit_event(Event::Liquidated {
			account: account.clone(),
			liquidator: receiver.clone(),
			series: position.series,
			quantity: q,
			value,
			penalty,
			insurance_fee,
		});
		Ok(())
	}

	/// After (part of) a liquidation: the account stays under liquidation until its equity is
	/// at least maintenance plus buffer.
	fn after_liquidation(account: &T::AccountId) -> DispatchResult {
		let risk = Self::risk_of(account)?;
		let done = Self::meets(risk.equity, Self::liquidation_target(risk.maintenance)?);
		if let Some(mut info) = Accounts::<T>::get(account) {
			if done {
				Self::deposit_event(Event::LiquidationEnded { account: account.clone() });
			}
			info.in_liquidation = !done;
			Accounts::<T>::insert(account, info);
		}
		Self::record_state(account, &risk)?;
		Ok(())
	}

	/// `liquidate` call.
	pub(crate) fn do_liquidate(
		liquidator: &T::AccountId,
		account: &T::AccountId,
		series: SeriesId,
		quantity: Contracts,
	) -> DispatchResult {
		ensure!(liquidator != account, Error::<T>::CannotLiquidateSelf);
		ensure!(quantity > 0, Error::<T>::ZeroQuantity);
		Self::ensure_liquidatable(account)?;
		let portfolio = T::Positions::portfolio(account);
		let position = portfolio
			.positions
			.iter()
			.find(|p| p.series == series && p.net != 0)
			.ok_or(Error::<T>::PositionNotFound)?;
		ensure!(
			i128::from(quantity) <= i128::from(position.net).abs(),
			Error::<T>::QuantityTooLarge
		);
		Self::ensure_tracked(account)?;
		T::Positions::cancel_all_orders(account)?;
		Self::take_over(liquidator, account, position, i128::from(quantity))?;
		Self::after_liquidation(account)?;
		let r = Self::risk_of(liquidator)?;
		ensure!(Self::meets(r.equity, r.initial), Error::<T>::LiquidatorBelowInitial);
		Self::record_state(liquidator, &r)?;
		Ok(())
	}

	/// Sweep one account: record its state; if liquidatable (with fresh prices), cancel its
	/// orders and hand every unexpired short to the insurance account; if the account then
	/// owes the fund, its unexpired longs follow at mark (their value repays the debt). Each
	/// position is handed over in its own storage layer: one that cannot move (logged) does not
	/// stop the others.
	pub(crate) fn sweep_account(who: &T::AccountId) -> DispatchResult {
		if *who == Self::insurance_account() {
			return Ok(());
		}
		let risk = Self::risk_of(who)?;
		if !risk.all_fresh {
			// A stale price must not liquidate anybody.
			return Ok(());
		}
		let in_liq = Accounts::<T>::get(who).map(|a| a.in_liquidation).unwrap_or(false);
		if Self::state_of(&risk, in_liq)? != AccountState::Liquidatable {
			Self::record_state(who, &risk)?;
			Self::untrack_if_empty(who);
			return Ok(());
		}
		T::Positions::cancel_all_orders(who)?;
		let insurance = Self::insurance_account();
		let now = T::Time::now();
		let mut taken = 0u32;
		let portfolio = T::Positions::portfolio(who).positions;
		for shorts in [true, false] {
			if !shorts && Self::debt_of(who) == 0 {
				break;
			}
			for p in portfolio.iter() {
				if p.net == 0 || (p.net < 0) != shorts || now >= p.terms.expiry {
					continue;
				}
				let r = with_storage_layer(|| {
					Self::take_over(&insurance, who, p, i128::from(p.net).abs())
				});
				match r {
					Ok(()) => taken = taken.saturating_add(1),
					Err(e) => log::warn!(
						target: crate::LOG_TARGET,
						"sweep of {who:?}: position in series {} not taken over: {e:?}",
						p.series
					),
				}
			}
		}
		Self::deposit_event(Event::AccountSwept { account: who.clone(), positions: taken });
		Self::after_liquidation(who)
	}

	/// Weight of the sweep for `accounts` accounts: per account the benchmark (evaluations and
	/// position transfers included) plus the cancellation of the maximum number of orders.
	pub fn sweep_weight(accounts: u32) -> Weight {
		let per = T::WeightInfo::sweep_account(T::Positions::max_portfolio_len())
			.saturating_add(T::Positions::cancel_all_orders_weight());
		T::WeightInfo::sweep_base().saturating_add(per.saturating_mul(accounts.into()))
	}

	/// `on_idle`: visit as many accounts as `remaining` allows (at most `MaxSweepPerBlock`),
	/// from the cursor; wrap around at the end of the ledger.
	pub(crate) fn sweep(remaining: Weight) -> Weight {
		let one = Self::sweep_weight(1);
		if !remaining.all_gte(one) {
			return Weight::zero();
		}
		let mut max = 0u32;
		while max < T::MaxSweepPerBlock::get() && remaining.all_gte(Self::sweep_weight(max + 1)) {
			max += 1;
		}
		let cursor = SweepCursor::<T>::get();
		let iter = match cursor {
			Some(k) => Accounts::<T>::iter_keys_from(k.into_inner()),
			None => Accounts::<T>::iter_keys(),
		};
		let batch: Vec<T::AccountId> = iter.take(max as usize).collect();
		let visited = batch.len() as u32;
		for who in batch.iter() {
			let res = with_storage_layer(|| Self::sweep_account(who));
			if let Err(e) = res {
				log::debug!(target: crate::LOG_TARGET, "sweep of {who:?} failed: {e:?}");
			}
		}
		match batch.last() {
			Some(last) if visited == max => {
				let key = Accounts::<T>::hashed_key_for(last);
				match BoundedVec::try_from(key) {
					Ok(k) => SweepCursor::<T>::put(k),
					Err(_) => SweepCursor::<T>::kill(),
				}
			},
			_ => SweepCursor::<T>::kill(),
		}
		Self::sweep_weight(visited.max(1))
	}
}
