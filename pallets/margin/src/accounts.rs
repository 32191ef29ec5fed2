//! `MarginAccounts` for the options pallet, and the shared collection of what an account owes.

use crate::{pallet::*, types::Risk, WeightInfo};
use alloc::vec::Vec;
use frame_support::weights::Weight;
use frame_support::{pallet_prelude::*, traits::Get};
use optionchain_primitives::{
	exchange::{
		Balance, ContractGreeks, Contracts, MarginAccounts, MarginCheckError, MarginSnapshot,
		PositionsProvider, PremiumRounding, SeriesId, SeriesTerms,
	},
	OracleProvider, Price, UnderlyingId,
};
use sp_arithmetic::{helpers_128bit::multiply_by_rational_with_rounding, per_things::Rounding};

impl<T: Config> Pallet<T> {
	/// Collect `owed` from `debtor` for the benefit of `receiver` (`None`: the settlement
	/// clearing entry of `series`). What the debtor lacks (the shortfall) becomes its debt to
	/// the insurance fund (`DebtRecorded`); the fund advances it to the receiver as far as it
	/// can (`BadDebtCovered`; when the receiver is the fund itself it simply receives less).
	/// What the fund cannot advance is reported (`SettlementShortfall` for settlement,
	/// `LossSocialised` of the receiver for a liquidation). Returns the amount collected, which
	/// the caller credits to the receiver.
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
		if *debtor == insurance {
			// The fund is exhausted: nobody can advance anything.
			Self::report_uncovered(debtor, receiver, series, shortfall);
			return Ok(paid);
		}
		// The debtor owes the whole shortfall to the fund (any repayment goes to the fund:
		// it advanced the covered part and stands for the rest, borne by the receiver).
		Self::add_debt(debtor, shortfall)?;
		if receiver == Some(&insurance) {
			// The fund takes the loss by receiving less.
			Self::deposit_event(Event::BadDebtCovered {
				account: debtor.clone(),
				amount: shortfall,
			});
			return Ok(paid);
		}
		let covered = Self::insurance_fund().min(shortfall);
		if covered > 0 {
			Self::debit(&insurance, covered)?;
			Self::deposit_event(Event::BadDebtCovered { account: debtor.clone(), amount: covered });
		}
		let uncovered = shortfall.checked_sub(covered).ok_or(Error::<T>::Overflow)?;
		Self::report_uncovered(debtor, receiver, series, uncovered);
		paid.checked_add(covered).ok_or_else(|| Error::<T>::Overflow.into())
	}

	fn report_uncovered(
		debtor: &T::AccountId,
		receiver: Option<&T::AccountId>,
		series: SeriesId,
		amount: Balance,
	) {
		if amount == 0 {
			return;
		}
		match receiver {
			Some(bearer) => Self::deposit_event(Event::LossSocialised {
				bearer: bearer.clone(),
				series,
				amount,
			}),
			None => Self::deposit_event(Event::SettlementShortfall {
				account: debtor.clone(),
				series,
				amount,
			}),
		}
	}

	/// Weight of one margin evaluation at the maximum portfolio size. The benchmark runs
	/// against the real options and oracle pallets, so it includes the portfolio and price
	/// reads.
	pub fn margin_check_weight_full() -> Weight {
		let series = T::Positions::max_series_len();
		Self::evaluation_weight(T::Positions::max_portfolio_len(), series)
			.saturating_add(Self::extra_underlyings_weight(series))
	}

	/// Weight of the evaluation `risk` came from, at its real portfolio size.
	pub(crate) fn check_weight(risk: &Risk) -> Weight {
		Self::evaluation_weight(risk.entries, risk.series)
			.saturating_add(Self::extra_underlyings_weight(risk.underlyings))
	}

	/// Weight of evaluating `entries` portfolio entries in `series` distinct series
	/// (`series <= entries`). The `margin_check` benchmark's entries are positions of distinct
	/// series, each with its two portfolio reads (the options entry and the series); an entry
	/// of resting orders in a series that also holds a position is priced like a position
	/// (its share of the execution) but its series' reads are already made, so the reads are
	/// counted per series.
	///
	/// The `margin_check_series` benchmark bounds any portfolio of `series` series (each with
	/// a short position, a bid and an ask): the smaller of the two bounds is charged.
	pub(crate) fn evaluation_weight(entries: u32, series: u32) -> Weight {
		let shared = entries.saturating_sub(series);
		let by_entries = T::WeightInfo::margin_check(entries.max(1))
			.saturating_sub(T::DbWeight::get().reads(u64::from(shared).saturating_mul(2)));
		let by_series = Self::series_check_weight(series.max(1));
		if by_series.all_lte(by_entries) {
			by_series
		} else {
			by_entries
		}
	}

	/// At most the evaluation of any portfolio of `series` series on one underlying: the
	/// `margin_check_series` benchmark (a short, a bid and an ask in each), or
	/// `margin_check_expired` (expired shorts, each also reading its settlement price) where
	/// that is more (helper-45).
	pub(crate) fn series_check_weight(series: u32) -> Weight {
		T::WeightInfo::margin_check_series(series).max(T::WeightInfo::margin_check_expired(series))
	}

	/// The `margin_check` benchmark prices every entry on one underlying: each further
	/// underlying costs one more read of the oracle's market (its index price and its
	/// volatility: two oracle reads, as the step charges them).
	/// At most the oracle's `MaxUnderlyings` are ever registered.
	pub(crate) fn extra_underlyings_weight(underlyings: u32) -> Weight {
		let underlyings = underlyings.min(T::Oracle::max_underlyings());
		T::Oracle::read_weight()
			.saturating_mul(2)
			.saturating_mul(u64::from(underlyings.saturating_sub(1)))
	}

	/// Weight of `withdraw` (its benchmark includes the margin evaluation).
	pub fn withdraw_weight() -> Weight {
		let n = T::Positions::max_portfolio_len();
		T::WeightInfo::withdraw(n).saturating_add(Self::extra_underlyings_weight(n))
	}

	/// Weight of `liquidate`: the benchmark (the account's evaluations and the position
	/// transfer included, a liquidator without positions, one underlying) at the most
	/// positions an account may hold (its maintenance view), plus the evaluation of a
	/// liquidator with the maximum portfolio, the voiding of the account's orders and the
	/// oracle reads of further underlyings.
	pub fn liquidate_weight() -> Weight {
		let n = T::Positions::max_positions_len();
		T::WeightInfo::liquidate(n)
			.saturating_add(Self::margin_check_weight_full())
			.saturating_add(T::Positions::void_orders_weight())
			.saturating_add(Self::extra_underlyings_weight(n).saturating_mul(2))
	}
}

impl<T: Config> MarginAccounts<T::AccountId> for Pallet<T> {
	fn position_series(who: &T::AccountId) -> alloc::vec::Vec<SeriesId> {
		Accounts::<T>::get(who).map(|a| a.positions.into_inner()).unwrap_or_default()
	}

	fn note_position(who: &T::AccountId, series: SeriesId, held: bool, cap: u32) -> DispatchResult {
		if *who == Self::insurance_account() {
			return Ok(());
		}
		let Some(mut info) = Accounts::<T>::get(who) else {
			if !held {
				// Nothing listed: nothing to remove.
				return Ok(());
			}
			// A first position: a new ledger entry listing it (checked before any write).
			ensure!(cap > 0, Error::<T>::TooManyPositionSeries);
			Self::ensure_tracked(who)?;
			return Accounts::<T>::try_mutate(who, |a| -> DispatchResult {
				let a = a.as_mut().ok_or(Error::<T>::Overflow)?;
				a.positions.try_push(series).map_err(|_| Error::<T>::TooManyPositionSeries)?;
				Ok(())
			});
		};
		let at = info.positions.partition_point(|s| *s < series);
		let listed = info.positions.get(at) == Some(&series);
		if held && !listed {
			ensure!((info.positions.len() as u32) < cap, Error::<T>::TooManyPositionSeries);
			info.positions
				.try_insert(at, series)
				.map_err(|_| Error::<T>::TooManyPositionSeries)?;
		} else if !held && listed {
			info.positions.remove(at);
		} else {
			return Ok(());
		}
		Accounts::<T>::insert(who, info);
		Ok(())
	}

	fn max_position_series() -> u32 {
		crate::MAX_POSITION_SERIES
	}

	fn collateral(who: &T::AccountId) -> Balance {
		Self::collateral_of(who)
	}

	fn transfer(payer: &T::AccountId, payee: &T::AccountId, amount: Balance) -> DispatchResult {
		// No event of its own: the options pallet's `OrderFilled` carries the premium.
		Self::move_collateral_in_fill(payer, payee, amount)
	}

	fn charge_fee(who: &T::AccountId, amount: Balance) -> DispatchResult {
		// No event of its own: `OrderFilled` carries both fees.
		Self::move_collateral_in_fill(who, &T::FeeAccount::get(), amount)
	}

	fn ensure_initial_margin(
		who: &T::AccountId,
		require_fresh: bool,
		reducing_from: Option<&MarginSnapshot>,
	) -> Result<Weight, MarginCheckError> {
		let risk = Self::risk_of(who)?;
		if require_fresh && !risk.all_fresh {
			return Err(DispatchError::from(Error::<T>::PriceStale).into());
		}
		if !Self::meets_initial_or_reduced(&risk, reducing_from).map_err(DispatchError::from)? {
			return Err(MarginCheckError::BelowInitial);
		}
		Self::ensure_tracked(who)?;
		Self::record_state(who, &risk).map_err(DispatchError::from)?;
		// Called after every fill of `who` (and every placement): its trigger band is stale.
		Self::touch(who);
		Self::set_warm(who, &risk);
		Ok(Self::check_weight(&risk).saturating_add(Self::touch_weight()))
	}

	fn ensure_maker_margin(
		who: &T::AccountId,
		require_fresh: bool,
		reducing_from: Option<&MarginSnapshot>,
	) -> Result<Weight, MarginCheckError> {
		if reducing_from.is_none() && Self::is_warm(who) {
			#[cfg(any(test, all(feature = "std", debug_assertions)))]
			Self::check_warm_fill(who);
			return Ok(Weight::zero());
		}
		Self::ensure_initial_margin(who, require_fresh, reducing_from)
	}

	fn is_warm_maker(who: &T::AccountId) -> bool {
		Self::is_warm(who)
	}

	fn ensure_quote_margin_warm(
		who: &T::AccountId,
		changes: &[optionchain_primitives::exchange::QuoteChange],
	) -> (bool, Weight) {
		// Warm before the check (the check reads what `is_warm` reads: cache hits).
		let warm = Self::is_warm(who);
		let decided = warm && Self::quote_warm(who, changes).is_some();
		(decided, Self::quote_warm_used(warm, changes))
	}

	/// The check of a warm caller, or the two reads that find it cold.
	fn quote_margin_warm_weight(series: u32) -> Weight {
		Self::quote_warm_weight(series, series).max(T::DbWeight::get().reads(2))
	}

	fn warm_again(who: &T::AccountId) -> Weight {
		match Self::risk_of(who) {
			Ok(risk) => {
				Self::set_warm(who, &risk);
				Self::check_weight(&risk)
			},
			// It stays cold (unreachable with bounded portfolios: the evaluation that made it
			// warm earlier in the block succeeded on the same prices).
			Err(_) => <Self as MarginAccounts<T::AccountId>>::margin_check_weight(),
		}
	}

	fn margin_snapshot(who: &T::AccountId) -> Result<(MarginSnapshot, Weight), DispatchError> {
		let risk = Self::risk_of(who)?;
		Ok((Self::snapshot_of(&risk)?, Self::check_weight(&risk)))
	}

	fn ensure_can_increase_risk(_who: &T::AccountId, underlying: UnderlyingId) -> DispatchResult {
		let m = Self::market(underlying)?;
		ensure!(m.fresh, Error::<T>::PriceStale);
		Ok(())
	}

	fn settle_short(
		who: &T::AccountId,
		series: SeriesId,
		owed: Balance,
	) -> Result<Balance, DispatchError> {
		let collected = Self::collect(who, owed, None, series)?;
		Self::add_clearing(series, i128::try_from(collected).map_err(|_| Error::<T>::Overflow)?)?;
		let amount = i128::try_from(owed).map_err(|_| Error::<T>::Overflow)?;
		Self::deposit_event(Event::Settled { who: who.clone(), series, amount: -amount });
		Ok(collected)
	}

	fn settle_long(
		who: &T::AccountId,
		series: SeriesId,
		due: Balance,
		contracts: Contracts,
		unpaid_contracts: Contracts,
	) -> Result<Balance, DispatchError> {
		ensure!(contracts > 0 && contracts <= unpaid_contracts, Error::<T>::InvalidSettlement);
		let clearing = Clearing::<T>::get(series).unwrap_or(0);
		let clearing = Balance::try_from(clearing).map_err(|_| Error::<T>::InvalidSettlement)?;
		let share = multiply_by_rational_with_rounding(
			clearing,
			contracts.unsigned_abs().into(),
			unpaid_contracts.unsigned_abs().into(),
			Rounding::Down,
		)
		.ok_or(Error::<T>::Overflow)?;
		let paid = due.min(share);
		Self::credit(who, paid)?;
		// The account's evaluation counted the long at its full payout: receiving less (a
		// loss socialised, or rounding) lowers its equity, so its band is stale.
		if paid < due {
			Self::touch(who);
		}
		// The long counted (a share of) its value rounded per position, not the payout: the
		// account is evaluated again before it is warm.
		Self::make_cold(who);
		let delta = i128::try_from(paid).map_err(|_| Error::<T>::Overflow)?;
		Self::add_clearing(series, delta.checked_neg().ok_or(Error::<T>::Overflow)?)?;
		let lost = due.checked_sub(paid).ok_or(Error::<T>::Overflow)?;
		if lost > 0 {
			Self::deposit_event(Event::LossSocialised {
				bearer: who.clone(),
				series,
				amount: lost,
			});
		}
		Self::deposit_event(Event::Settled { who: who.clone(), series, amount: delta });
		Ok(paid)
	}

	fn contract_greeks(terms: &SeriesTerms) -> Option<ContractGreeks> {
		Self::greeks_of_contract(terms).ok()
	}

	/// The oracle's index price and volatility (each at the oracle's worst-case read, which
	/// includes the timestamp), the risk parameters, and one Black-Scholes evaluation with its
	/// greeks.
	fn contract_greeks_weight() -> Weight {
		T::WeightInfo::black_scholes_greeks()
			.saturating_add(T::Oracle::read_weight().saturating_mul(2))
			.saturating_add(T::DbWeight::get().reads(1))
	}

	fn contract_premiums(
		terms: &SeriesTerms,
		volatilities: &[(Price, PremiumRounding)],
	) -> Option<Vec<Balance>> {
		Self::premiums_of_contract(terms, volatilities).ok()
	}

	/// The oracle's index price and volatility (each at the oracle's worst-case read), the
	/// risk parameters, and two Black-Scholes evaluations per volatility (a fraction of a
	/// second to expiry prices both whole seconds around it).
	fn contract_premiums_weight(n: u32) -> Weight {
		T::WeightInfo::black_scholes_greeks()
			.saturating_mul(u64::from(n).saturating_mul(2))
			.saturating_add(T::Oracle::read_weight().saturating_mul(2))
			.saturating_add(T::DbWeight::get().reads(1))
	}

	/// The maximum portfolio: its most entries in its most series, at most one further
	/// underlying per series, and the hot mark.
	fn margin_check_weight() -> Weight {
		Self::margin_check_weight_full().saturating_add(Self::touch_weight())
	}

	/// At most what `ensure_initial_margin` reports for `entries` entries: the evaluation, an
	/// oracle read for each underlying beyond the first (at most one per entry), and the hot
	/// mark.
	fn margin_check_weight_for(entries: u32) -> Weight {
		T::WeightInfo::margin_check(entries.max(1))
			.saturating_add(Self::extra_underlyings_weight(entries))
			.saturating_add(Self::touch_weight())
	}

	/// Two entries and at most one further underlying per series, and the hot mark.
	fn margin_check_weight_for_series(series: u32) -> Weight {
		Self::margin_check_weight_for_portfolio(series, series)
	}

	/// `margin_check_further(s) - margin_check_series(1)`: the second account's evaluation
	/// and hot mark, with the block's shared reads (parameters, time, the oracle's entries of
	/// the benchmark's underlying) made by the first check. Further underlyings:
	/// [`Self::markets_weight`], once per execution.
	fn further_margin_check_weight(series: u32) -> Weight {
		let s = series.max(1);
		// (Expired series cost more than the benchmark's: the difference, if any.)
		let expired =
			Self::series_check_weight(s).saturating_sub(T::WeightInfo::margin_check_series(s));
		T::WeightInfo::margin_check_further(s)
			.saturating_sub(T::WeightInfo::margin_check_series(1))
			.saturating_add(expired)
	}

	/// Each market (index price and volatility) read once in an execution.
	fn markets_weight(underlyings: u32) -> Weight {
		Self::extra_underlyings_weight(underlyings)
	}

	/// The oracle's registered underlyings (never removed).
	fn underlyings_bound() -> u32 {
		T::Oracle::underlying_count()
	}

	fn underlyings_bound_weight() -> Weight {
		T::Oracle::underlying_count_weight()
	}

	/// Two entries per series, an oracle read for each underlying beyond the first (at most
	/// one per series and `underlyings`), and the hot mark.
	fn margin_check_weight_for_portfolio(series: u32, underlyings: u32) -> Weight {
		Self::evaluation_weight(series.saturating_mul(2), series)
			.saturating_add(Self::extra_underlyings_weight(series.min(underlyings)))
			.saturating_add(Self::touch_weight())
	}
}
