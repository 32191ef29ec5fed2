//! The collateral ledger and the real asset movements behind it.

use crate::{pallet::*, types::*, WeightInfo};
use frame_support::{
	dispatch::WithPostDispatchInfo,
	pallet_prelude::*,
	traits::{
		fungibles::{Inspect, Mutate},
		tokens::{Fortitude, Preservation, WithdrawConsequence},
	},
};
use optionchain_primitives::exchange::{Balance, SeriesId};
use sp_runtime::traits::AccountIdConversion;

impl<T: Config> Pallet<T> {
	/// The escrow account holding every unit of the ledger.
	pub fn escrow_account() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// The insurance fund's ledger account (it also receives positions from the sweep).
	pub fn insurance_account() -> T::AccountId {
		T::InsurancePalletId::get().into_account_truncating()
	}

	/// The insurance fund's balance.
	pub fn insurance_fund() -> Balance {
		Self::collateral_of(&Self::insurance_account())
	}

	/// Collateral of `who` (0 if not in the ledger).
	pub fn collateral_of(who: &T::AccountId) -> Balance {
		Accounts::<T>::get(who).map(|a| a.collateral).unwrap_or(0)
	}

	/// Real balance of the escrow account.
	pub fn escrow_balance() -> Balance {
		T::Assets::balance(T::SettlementAsset::get(), &Self::escrow_account())
	}

	/// Make sure `who` has a ledger entry (counted). The ledger has no fixed size: an entry is
	/// opened by a deposit of at least `MinDeposit` (real money locked for as long as the entry
	/// lives) or by money received, so nobody can fill it to lock others out, and the sweep
	/// walks it with a cursor.
	pub(crate) fn ensure_tracked(who: &T::AccountId) -> DispatchResult {
		if Accounts::<T>::contains_key(who) {
			return Ok(());
		}
		let count = AccountCount::<T>::get();
		Accounts::<T>::insert(who, AccountInfo::default());
		AccountCount::<T>::put(count.checked_add(1).ok_or(Error::<T>::Overflow)?);
		Ok(())
	}

	/// Remove `who`'s ledger entry if it holds nothing, owes nothing and has no positions or
	/// orders (`entries`: the size of its portfolio, as the caller's evaluation just read it).
	pub(crate) fn untrack_if_empty(who: &T::AccountId, entries: u32) {
		if entries != 0 || *who == Self::insurance_account() || *who == T::FeeAccount::get() {
			return;
		}
		let Some(info) = Accounts::<T>::get(who) else { return };
		if info.collateral != 0 || info.debt != 0 || info.in_liquidation {
			return;
		}
		Accounts::<T>::remove(who);
		AccountCount::<T>::mutate(|c| *c = c.saturating_sub(1));
	}

	/// Debt of `who` to the insurance fund (0 if not in the ledger).
	pub fn debt_of(who: &T::AccountId) -> Balance {
		Accounts::<T>::get(who).map(|a| a.debt).unwrap_or(0)
	}

	/// Add `amount` to `who`'s collateral (creating the entry). If `who` owes the insurance
	/// fund, the credit repays that debt first (`DebtRepaid`).
	pub(crate) fn credit(who: &T::AccountId, amount: Balance) -> DispatchResult {
		if amount == 0 {
			return Ok(());
		}
		Self::ensure_tracked(who)?;
		let repaid = Accounts::<T>::try_mutate(who, |a| -> Result<Balance, DispatchError> {
			let a = a.as_mut().ok_or(Error::<T>::Overflow)?;
			let repaid = a.debt.min(amount);
			a.debt = a.debt.checked_sub(repaid).ok_or(Error::<T>::Overflow)?;
			let rest = amount.checked_sub(repaid).ok_or(Error::<T>::Overflow)?;
			a.collateral = a.collateral.checked_add(rest).ok_or(Error::<T>::Overflow)?;
			Ok(repaid)
		})?;
		if repaid > 0 {
			// The insurance account never owes anything: no recursion beyond one level.
			Self::credit(&Self::insurance_account(), repaid)?;
			Self::deposit_event(Event::DebtRepaid { account: who.clone(), amount: repaid });
		}
		Ok(())
	}

	/// Record that `who` owes the insurance fund `amount` more (`DebtRecorded`).
	pub(crate) fn add_debt(who: &T::AccountId, amount: Balance) -> DispatchResult {
		if amount == 0 {
			return Ok(());
		}
		ensure!(*who != Self::insurance_account(), Error::<T>::Overflow);
		Self::ensure_tracked(who)?;
		Accounts::<T>::try_mutate(who, |a| -> DispatchResult {
			let a = a.as_mut().ok_or(Error::<T>::Overflow)?;
			a.debt = a.debt.checked_add(amount).ok_or(Error::<T>::Overflow)?;
			a.checked_at = 0;
			Ok(())
		})?;
		Self::touch(who);
		Self::deposit_event(Event::DebtRecorded { account: who.clone(), amount });
		Ok(())
	}

	/// Set `amount` of `who`'s debt off against a payment the fund owes it (`DebtRepaid`).
	pub(crate) fn reduce_debt(who: &T::AccountId, amount: Balance) -> DispatchResult {
		if amount == 0 {
			return Ok(());
		}
		Accounts::<T>::try_mutate(who, |a| -> DispatchResult {
			let a = a.as_mut().ok_or(Error::<T>::Overflow)?;
			a.debt = a.debt.checked_sub(amount).ok_or(Error::<T>::Overflow)?;
			Ok(())
		})?;
		Self::deposit_event(Event::DebtRepaid { account: who.clone(), amount });
		Ok(())
	}

	/// Take `amount` from `who`'s collateral (marking it hot and no longer warm); fails with
	/// `InsufficientCollateral` if short.
	pub(crate) fn debit(who: &T::AccountId, amount: Balance) -> DispatchResult {
		Self::debit_as(who, amount, false)
	}

	/// [`Self::debit`]; `in_fill`: a fill's premium or fee, which keeps a warm account warm
	/// (the warm claim covers it) and, for a warm account, does not mark it hot again (its
	/// evaluation in this block did).
	fn debit_as(who: &T::AccountId, amount: Balance, in_fill: bool) -> DispatchResult {
		if amount == 0 {
			return Ok(());
		}
		let now = Self::stamp_now();
		let was_warm = Accounts::<T>::try_mutate(who, |a| -> Result<bool, DispatchError> {
			let a = a.as_mut().ok_or(Error::<T>::InsufficientCollateral)?;
			a.collateral =
				a.collateral.checked_sub(amount).ok_or(Error::<T>::InsufficientCollateral)?;
			let warm = now != 0 && a.checked_at == now;
			if !in_fill {
				a.checked_at = 0;
			}
			Ok(warm)
		})?;
		// Less money: its trigger band is stale.
		if !(in_fill && was_warm) {
			Self::touch(who);
		}
		Ok(())
	}

	/// Move `amount` of collateral from `from` to `to` within the ledger.
	pub(crate) fn move_collateral(
		from: &T::AccountId,
		to: &T::AccountId,
		amount: Balance,
	) -> DispatchResult {
		Self::move_collateral_as(from, to, amount, false)
	}

	/// [`Self::move_collateral`] for a fill's premium or fee (see [`Self::debit_as`]).
	pub(crate) fn move_collateral_in_fill(
		from: &T::AccountId,
		to: &T::AccountId,
		amount: Balance,
	) -> DispatchResult {
		Self::move_collateral_as(from, to, amount, true)
	}

	fn move_collateral_as(
		from: &T::AccountId,
		to: &T::AccountId,
		amount: Balance,
		in_fill: bool,
	) -> DispatchResult {
		if amount == 0 || from == to {
			return Ok(());
		}
		Self::debit_as(from, amount, in_fill)?;
		Self::credit(to, amount)
	}

	/// Add `delta` to the clearing entry of `series` (and to the total).
	pub(crate) fn add_clearing(series: SeriesId, delta: i128) -> DispatchResult {
		let current = Clearing::<T>::get(series).unwrap_or(0);
		let new = current.checked_add(delta).ok_or(Error::<T>::Overflow)?;
		let total = ClearingTotal::<T>::get().checked_add(delta).ok_or(Error::<T>::Overflow)?;
		if new == 0 {
			Clearing::<T>::remove(series);
		} else {
			Clearing::<T>::insert(series, new);
		}
		ClearingTotal::<T>::put(total);
		Ok(())
	}

	/// Real transfer of `amount` from `who` into escrow.
	fn pull(who: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		// Named, rather than the asset pallet's arithmetic underflow (the transfer reads the
		// same account anyway).
		let available = T::Assets::reducible_balance(
			T::SettlementAsset::get(),
			who,
			Preservation::Expendable,
			Fortitude::Polite,
		);
		if available < amount {
			// A frozen account has nothing reducible: say so, not that it holds too little.
			let frozen = matches!(
				T::Assets::can_withdraw(T::SettlementAsset::get(), who, amount),
				WithdrawConsequence::Frozen
			);
			return Err(if frozen {
				Error::<T>::SettlementAssetFrozen
			} else {
				Error::<T>::InsufficientBalance
			}
			.into());
		}
		T::Assets::transfer(
			T::SettlementAsset::get(),
			who,
			&Self::escrow_account(),
			amount,
			Preservation::Expendable,
		)?;
		Ok(())
	}

	/// Deposit: real assets into escrow, credited to `who` (repaying its debt first). A deposit
	/// that opens a ledger entry must be at least `MinDeposit` (the ledger cannot be filled
	/// with dust accounts).
	pub(crate) fn do_deposit(who: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		ensure!(
			amount >= T::MinDeposit::get() || Accounts::<T>::contains_key(who),
			Error::<T>::DepositBelowMinimum
		);
		Self::pull(who, amount)?;
		Self::credit(who, amount)?;
		Self::deposit_event(Event::Deposited { who: who.clone(), amount });
		Ok(())
	}

	/// Donation to the insurance fund.
	pub(crate) fn do_fund_insurance(who: &T::AccountId, amount: Balance) -> DispatchResult {
		Self::pull(who, amount)?;
		Self::credit(&Self::insurance_account(), amount)?;
		Self::deposit_event(Event::InsuranceFunded { who: who.clone(), amount });
		Ok(())
	}

	/// Withdraw: only with fresh prices and at or above the initial requirement afterwards.
	/// A refusal before the evaluation is charged a ledger read; after it, the withdrawal at the
	/// account's real portfolio size (its benchmark includes the evaluation).
	pub(crate) fn do_withdraw(who: &T::AccountId, amount: Balance) -> DispatchResultWithPostInfo {
		let read = T::DbWeight::get().reads(1);
		ensure!(amount > 0, Error::<T>::ZeroAmount.with_weight(read));
		let collateral = Self::collateral_of(who);
		let after = collateral
			.checked_sub(amount)
			.ok_or(Error::<T>::InsufficientCollateral.with_weight(read))?;
		ensure!(
			after == 0 || after >= T::MinDeposit::get(),
			Error::<T>::WithdrawalLeavesDust.with_weight(read)
		);
		// A long of an expired series counts once it is paid, not before. (An evaluation that
		// fails, of unknown size, is charged the declared weight.)
		let risk = Self::evaluate(who, after, Self::debt_of(who), false)?;
		let evaluated = T::WeightInfo::withdraw(risk.entries.max(1))
			.saturating_add(Self::extra_underlyings_weight(risk.underlyings));
		ensure!(risk.all_fresh, Error::<T>::PriceStale.with_weight(evaluated));
		ensure!(
			Self::meets(risk.initial_equity, risk.initial),
			Error::<T>::InsufficientMargin.with_weight(evaluated)
		);
		Self::debit(who, amount)?;
		let reducible = T::Assets::reducible_balance(
			T::SettlementAsset::get(),
			&Self::escrow_account(),
			Preservation::Expendable,
			Fortitude::Polite,
		);
		ensure!(reducible >= amount, Error::<T>::EscrowInsufficient);
		T::Assets::transfer(
			T::SettlementAsset::get(),
			&Self::escrow_account(),
			who,
			amount,
			Preservation::Expendable,
		)?;
		Self::deposit_event(Event::Withdrawn { who: who.clone(), amount });
		Self::untrack_if_empty(who, risk.entries);
		Ok(().into())
	}
}
