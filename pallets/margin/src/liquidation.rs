//! Liquidation: permissionless `liquidate` and the keeper-less `on_idle` sweep.

use crate::{pallet::*, types::*, WeightInfo};
use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, storage::with_storage_layer, traits::Time};
use optionchain_primitives::exchange::{Balance, Contracts, PositionInfo, PositionsProvider, SeriesId};
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
	/// pay for them; returns the full penalty the contracts carry (charged afterwards by
	/// [`Self::charge_penalty`], once the account's remaining equity is known).
	///
	/// - A short: `account` pays the contracts' liability (mark value, rounded against it) to
	///   `receiver` through [`Self::collect`]: what it lacks is advanced by the insurance fund
	///   (beyond the fund: received less by `receiver`) and owed by `account` to the fund. Its
	///   penalty is `liquidation_penalty` of the contracts' maintenance requirement.
	/// - A long: `receiver` pays `account` the contracts' mark value (rounded against
	///   `account`), no penalty. The proceeds repay `account`'s debt first; when the fund is the
	///   receiver, that part is set off against the debt instead of moving cash back and forth
	///   (so a drained fund can still recover its advances from longs).
	fn take_over(
		receiver: &T::AccountId,
		account: &T::AccountId,
		position: &PositionInfo,
		quantity: i128,
	) -> Result<Balance, DispatchError> {
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
		let penalty = if net < 0 {
			let collected =
				Self::collect(account, value.unsigned_abs(), Some(receiver), position.series)?;
			Self::credit(receiver, collected)?;
			Self::mul_up(
				Self::short_maintenance(&position.terms, &u, quantity)?,
				params.liquidation_penalty,
			)?
		} else {
			let mut cash = value.unsigned_abs();
			if *receiver == Self::insurance_account() {
				let set_off = Self::debt_of(account).min(cash);
				Self::reduce_debt(account, set_off)?;
				cash = cash.checked_sub(set_off).ok_or(Error::<T>::Overflow)?;
			}
			Self::move_collateral(receiver, account, cash)?;
			0
		};
		Self::deposit_event(Event::Liquidated {
			account: account.clone(),
			liquidator: receiver.clone(),
			series: position.series,
			quantity: q,
			value,
		});
		Ok(penalty)
	}

	/// Charge the liquidation penalty `full` of `account` to `receiver`, limited to what the
	/// account still has: its collateral and its equity after the liquidation (`equity`, which
	/// counts its remaining positions and debt). The insurance fund therefore never pays a
	/// penalty for an account that cannot. `insurance_share` of the penalty paid goes to the
	/// fund. Returns the penalty paid.
	fn charge_penalty(
		account: &T::AccountId,
		receiver: &T::AccountId,
		full: Balance,
		equity: i128,
	) -> Result<Balance, DispatchError> {
		let headroom = Balance::try_from(equity.max(0)).map_err(|_| Error::<T>::Overflow)?;
		let penalty = full.min(Self::collateral_of(account)).min(headroom);
		if penalty == 0 {
			return Ok(0);
		}
		Self::move_collateral(account, receiver, penalty)?;
		let insurance = Self::insurance_account();
		let insurance_fee = if *receiver == insurance {
			0
		} else {
			Self::mul_down(penalty, Params::<T>::get().insurance_share)?
		};
		Self::move_collateral(receiver, &insurance, insurance_fee)?;
		Self::deposit_event(Event::PenaltyCharged {
			account: account.clone(),
			liquidator: receiver.clone(),
			penalty,
			insurance_fee,
		});
		Ok(penalty)
	}

	/// After (part of) a liquidation, with `risk` the account's evaluation now: the account
	/// stays under liquidation until its equity is at least maintenance plus buffer.
	fn after_liquidation(account: &T::AccountId, risk: &Risk) -> DispatchResult {
		let done = Self::meets(risk.equity, Self::liquidation_target(risk.maintenance)?);
		if let Some(mut info) = Accounts::<T>::get(account) {
			if done {
				Self::deposit_event(Event::LiquidationEnded { account: account.clone() });
			}
			info.in_liquidation = !done;
			Accounts::<T>::insert(account, info);
		}
		Self::record_state(account, risk)?;
		Ok(())
	}

	/// Evaluate `account` after its positions moved, charge the penalty `full` against what
	/// is left, and update its liquidation state.
	fn settle_liquidation(
		account: &T::AccountId,
		receiver: &T::AccountId,
		full: Balance,
	) -> DispatchResult {
		let mut risk = Self::risk_of(account)?;
		let penalty = Self::charge_penalty(account, receiver, full, risk.equity)?;
		let p = i128::try_from(penalty).map_err(|_| Error::<T>::Overflow)?;
		risk.equity = risk.equity.checked_sub(p).ok_or(Error::<T>::Overflow)?;
		Self::after_liquidation(account, &risk)
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
		let full = Self::take_over(liquidator, account, position, i128::from(quantity))?;
		Self::settle_liquidation(account, liquidator, full)?;
		let r = Self::risk_of(liquidator)?;
		ensure!(Self::meets(r.equity, r.initial), Error::<T>::LiquidatorBelowInitial);
		Self::record_state(liquidator, &r)?;
		Ok(())
	}

	/// Sweep one account; returns the weight it used. Records its state; if liquidatable (with
	/// fresh prices), cancels its orders, hands every unexpired short to the insurance account,
	/// then, while the account owes the fund, its unexpired longs at mark; finally charges the
	/// penalties of the shorts against what is left. Each position moves in its own storage
	/// layer: one that cannot move (logged) does not stop the others.
	pub(crate) fn sweep_account(who: &T::AccountId) -> Result<Weight, DispatchError> {
		if *who == Self::insurance_account() {
			return Ok(T::DbWeight::get().reads(1));
		}
		let risk = Self::risk_of(who)?;
		let checked = Self::check_weight(&risk);
		if !risk.all_fresh {
			// A stale price must not liquidate anybody.
			return Ok(checked);
		}
		let in_liq = Accounts::<T>::get(who).map(|a| a.in_liquidation).unwrap_or(false);
		if Self::state_of(&risk, in_liq)? != AccountState::Liquidatable {
			Self::record_state(who, &risk)?;
			Self::untrack_if_empty(who, risk.entries);
			// The evaluation, plus the state and ledger-entry writes.
			return Ok(checked.saturating_add(T::DbWeight::get().writes(2)));
		}
		T::Positions::cancel_all_orders(who)?;
		let insurance = Self::insurance_account();
		let now = T::Time::now();
		let mut taken = 0u32;
		let mut full: Balance = 0;
		let portfolio = T::Positions::portfolio(who).positions;
		for shorts in [true, false] {
			for p in portfolio.iter() {
				if p.net == 0 || (p.net < 0) != shorts || now >= p.terms.expiry {
					continue;
				}
				if !shorts && Self::debt_of(who) == 0 {
					break;
				}
				let r = with_storage_layer(|| {
					Self::take_over(&insurance, who, p, i128::from(p.net).abs())
				});
				match r {
					Ok(penalty) => {
						taken = taken.saturating_add(1);
						full = full.saturating_add(penalty);
					},
					Err(e) => log::warn!(
						target: crate::LOG_TARGET,
						"sweep of {who:?}: position in series {} not taken over: {e:?}",
						p.series
					),
				}
			}
		}
		Self::deposit_event(Event::AccountSwept { account: who.clone(), positions: taken });
		Self::settle_liquidation(who, &insurance, full)?;
		Ok(Self::sweep_account_weight())
	}

	/// Worst-case weight of sweeping one account: the benchmark (evaluations and position
	/// transfers included) plus the cancellation of the maximum number of orders.
	pub fn sweep_account_weight() -> Weight {
		T::WeightInfo::sweep_account(T::Positions::max_portfolio_len())
			.saturating_add(T::Positions::cancel_all_orders_weight())
			.saturating_add(Self::extra_underlyings_weight(T::Positions::max_portfolio_len()))
	}

	/// `on_idle`: from the cursor, visit accounts while the worst case of one more still fits
	/// in `remaining` (at most `MaxSweepPerBlock`), charging each the weight it really used
	/// (an evaluation for a healthy account, the full sweep for a liquidated one); wrap around
	/// at the end of the ledger.
	pub(crate) fn sweep(remaining: Weight) -> Weight {
		let worst = Self::sweep_account_weight();
		let mut used = T::WeightInfo::sweep_base();
		if !remaining.all_gte(used.saturating_add(worst)) {
			return Weight::zero();
		}
		let max = T::MaxSweepPerBlock::get();
		let batch: Vec<T::AccountId> = match SweepCursor::<T>::get() {
			Some(k) => Accounts::<T>::iter_keys_from(k.into_inner()).take(max as usize).collect(),
			None => Accounts::<T>::iter_keys().take(max as usize).collect(),
		};
		used = used.saturating_add(T::DbWeight::get().reads(batch.len() as u64));
		let mut processed = 0usize;
		for who in batch.iter() {
			if !remaining.all_gte(used.saturating_add(worst)) {
				break;
			}
			let w = match with_storage_layer(|| Self::sweep_account(who)) {
				Ok(w) => w,
				Err(e) => {
					log::debug!(target: crate::LOG_TARGET, "sweep of {who:?} failed: {e:?}");
					worst
				},
			};
			used = used.saturating_add(w);
			processed = processed.saturating_add(1);
		}
		let reached_end = processed == batch.len() && batch.len() < max as usize;
		match processed.checked_sub(1).and_then(|i| batch.get(i)) {
			_ if batch.is_empty() || reached_end => SweepCursor::<T>::kill(),
			Some(who) => match BoundedVec::try_from(Accounts::<T>::hashed_key_for(who)) {
				Ok(k) => SweepCursor::<T>::put(k),
				Err(_) => SweepCursor::<T>::kill(),
			},
			// Nothing visited: the cursor stays.
			None => {},
		}
		used
	}
}
