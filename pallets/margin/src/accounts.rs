//! `MarginAccounts` for the options pallet, and the shared bad-debt collection.

use crate::{pallet::*, types::*, WeightInfo};
use frame_support::{pallet_prelude::*, traits::Get};
use optionchain_primitives::{
	exchange::{Balance, MarginAccounts, PositionsProvider, SeriesId, SignedBalance},
	OracleProvider, UnderlyingId,
};
use frame_support::weights::Weight;

impl<T: Config> Pallet<T> {
	/// Collect `owed` from `debtor` for the benefit of `receiver` (`None`: the settlement
	/// clearing entry of `series`). What the debtor lacks is covered by the insurance fund;
	/// what the fund lacks is socialised onto the receiver (`LossSocialised`). Returns the
	/// amount actually collected, which the caller credits to the receiver.
	pub(crate) fn collect(
		debtor: &T::AccountId,
		owed: Balance,
		receiver: Option<&T::AccountId>,
		series: SeriesId,
	) -> Result<Balance, DispatchError> {
		let available = Self::collateral_of(debtor);
		let paid = available.min(owed);
		Self::debit(debtor, paid)?;
		let shortfall = owed.checked_sub(paid).ok_or(Error::<T>::Overflow)?;
		if shortfall == 0 {
			return Ok(paid);
		}
		let insurance = Self::insurance_account();
		let covered = Self::insurance_fund().min(shortfall);
		let receiver_is_insurance = receiver == Some(&insurance);
		// Insurance covering itself moves nothing: it simply receives less.
		let moved = if receiver_is_insurance { 0 } else { covered };
		Self::debit(&insurance, moved)?;
		if covered > 0 {
			Self::deposit_event(Event::BadDebtCovered { account: debtor.clone(), amount: covered });
		}
		let socialised = shortfall.checked_sub(covered).ok_or(Error::<T>::Overflow)?;
		if socialised > 0 {
			Self::deposit_event(Event::LossSocialised {
				account: debtor.clone(),
				bearer: receiver.cloned(),
				series,
				amount: socialised,
			});
		}
		paid.checked_add(moved).ok_or_else(|| Error::<T>::Overflow.into())
	}

	/// Weight of one margin evaluation at the maximum portfolio size (pallet part, portfolio
	/// read and oracle reads).
	pub fn margin_check_weight_full() -> Weight {
		let n = T::Positions::max_portfolio_len();
		T::WeightInfo::margin_check(n)
			.saturating_add(T::Positions::portfolio_weight())
			.saturating_add(T::Oracle::read_weight().saturating_mul(3u64.saturating_mul(n.into())))
	}

	/// Weight of `withdraw`.
	pub fn withdraw_weight() -> Weight {
		T::WeightInfo::withdraw(T::Positions::max_portfolio_len())
			.saturating_add(Self::margin_check_weight_full())
	}

	/// Weight of `liquidate` (evaluations of the account before and after, and of the
	/// liquidator).
	pub fn liquidate_weight() -> Weight {
		T::WeightInfo::liquidate(T::Positions::max_portfolio_len())
			.saturating_add(Self::margin_check_weight_full().saturating_mul(3))
	}
}

impl<T: Config> MarginAccounts<T::AccountId> for Pallet<T> {
	fn collateral(who: &T::AccountId) -> Balance {
		Self::collateral_of(who)
	}

	fn transfer(payer: &T::AccountId, payee: &T::AccountId, amount: Balance) -> DispatchResult {
		Self::move_collateral(payer, payee, amount)?;
		if amount > 0 && payer != payee {
			Self::deposit_event(Event::Transferred {
				from: payer.clone(),
				to: payee.clone(),
				amount,
			});
		}
		Ok(())
	}

	fn charge_fee(who: &T::AccountId, amount: Balance) -> DispatchResult {
		Self::move_collateral(who, &T::FeeAccount::get(), amount)?;
		if amount > 0 {
			Self::deposit_event(Event::FeeCharged { who: who.clone(), amount });
		}
		Ok(())
	}

	fn ensure_initial_margin(who: &T::AccountId) -> DispatchResult {
		let risk = Self::risk_of(who)?;
		ensure!(Self::meets(risk.equity, risk.initial), Error::<T>::InsufficientMargin);
		Self::ensure_tracked(who)?;
		Self::record_state(who, &risk)?;
		Ok(())
	}

	fn ensure_can_increase_risk(_who: &T::AccountId, underlying: UnderlyingId) -> DispatchResult {
		let m = Self::market(underlying)?;
		ensure!(m.fresh, Error::<T>::PriceStale);
		Ok(())
	}

	fn settle(who: &T::AccountId, series: SeriesId, amount: SignedBalance) -> DispatchResult {
		if amount >= 0 {
			let credit = amount.unsigned_abs();
			Self::credit(who, credit)?;
			Self::add_clearing(series, amount.checked_neg().ok_or(Error::<T>::Overflow)?)?;
		} else {
			let collected = Self::collect(who, amount.unsigned_abs(), None, series)?;
			Self::add_clearing(series, i128::try_from(collected).map_err(|_| Error::<T>::Overflow)?)?;
		}
		Self::deposit_event(Event::Settled { who: who.clone(), series, amount });
		Ok(())
	}

	fn margin_check_weight() -> Weight {
		Self::margin_check_weight_full()
	}
}

/// Unused import guard for `AccountInfo` in docs.
#[allow(dead_code)]
type _Info = AccountInfo;
