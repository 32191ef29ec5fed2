//! Warm makers: an account evaluated in this block, whose spare margin covers every fill of
//! its resting orders, is not evaluated again when those orders fill (issue 15, item 3).
//!
//! **Claim.** Let an account meet its initial requirement (`IE >= IM`) on fresh prices in
//! block `n`, with `IE - IM >= W`, where `W` is the mark value of its resting sells (rounded
//! up) plus [`WARM_ROUNDING_PER_CONTRACT`] units per resting contract. Then, while prices, time
//! and parameters stay those of block `n` (they change only between blocks: the oracle
//! aggregates in `on_finalize`, parameters apply in `on_initialize`), any sequence of fills of
//! its resting orders, each inside its order's limit, leaves `IE >= IM`:
//! - a **buy** of `q` at `p` costs `q p` and the fee; the order's reserved premium falls by
//!   exactly `q p`, the fee reserve `min(F C, floor(cap P))` by at least the fee (checked case
//!   by case in the README), the requirement of the series' shorts and sells cannot rise (the
//!   net rises), a long's credit cannot fall: `IE - IM` falls by at most the rounding;
//! - a **sell** of `q` at `p >= 0` brings `q p` and costs the fee (covered as above); going
//!   short adds a liability of `q` times the mark (and one unit of rounding), while the short's
//!   requirement and the resting sells' term telescope (`req(max(sell - net, 0))` is unchanged:
//!   the sell and the net fall together); reducing a long loses at most its credited mark
//!   value. So `IE - IM` falls by at most `q` times the mark plus the rounding.
//!
//! Summed over every contract that can fill, the fall is at most `W`. Fills are the only
//! changes such an account sees without a new evaluation: every other debit (a withdrawal, a
//! settlement, a liquidation's payment or penalty, a debt) and a long's settlement (its payout
//! may be less than the credited value: a socialised loss, rounding; `settle_account` runs in
//! the extrinsic phase) clear the stamp (`settle_account` then evaluates an account that was
//! warm again, at its caller's cost: `warm_again`), a parameter change voids every stamp of its block
//! (`WarmVoidAt`: an announced change raises requirements at once), an account in debt or with
//! an expired position whose settlement price is not fixed (governance may force it mid-block)
//! is never warm, and every new
//! resting order, quote or order as a taker ends in an evaluation that sets or clears it. An
//! account that receives positions by a liquidation takeover is either the insurance account
//! (never warm) or a liquidator, evaluated again at the end of the liquidation.

use crate::{pallet::*, types::Risk, WARM_ROUNDING_PER_CONTRACT};
use frame_system::pallet_prelude::BlockNumberFor;
use optionchain_pricing::Rounding;
use optionchain_primitives::OracleProvider;
use sp_runtime::traits::UniqueSaturatedInto;

impl<T: Config> Pallet<T> {
	/// The current block, as stored in [`crate::AccountInfo::checked_at`].
	pub(crate) fn stamp_now() -> u32 {
		let n: BlockNumberFor<T> = frame_system::Pallet::<T>::block_number();
		n.unique_saturated_into()
	}

	/// Whether `who` is warm in this block (see the module documentation).
	pub(crate) fn is_warm(who: &T::AccountId) -> bool {
		let now = Self::stamp_now();
		now != 0
			&& WarmVoidAt::<T>::get() != now
			&& Accounts::<T>::get(who).is_some_and(|a| a.checked_at == now)
	}

	/// `W` of the module documentation for `risk`: the mark value of its resting sells
	/// (rounded up) plus the rounding allowance per resting contract.
	pub(crate) fn resting_fill_cost(risk: &Risk) -> Result<u128, Error<T>> {
		let mut cost: u128 = 0;
		for of in risk.orders.iter() {
			let c = Self::orders_fill_cost(&of.exposure, of.unit.as_ref())?;
			cost = cost.checked_add(c).ok_or(Error::<T>::Overflow)?;
		}
		Ok(cost)
	}

	/// One series' share of `W`: the mark value of its resting sells `o` (rounded up; `unit`
	/// needed when there are sells) plus the rounding allowance per resting contract.
	pub(crate) fn orders_fill_cost(
		o: &optionchain_primitives::exchange::OrderExposure,
		unit: Option<&crate::risk::UnitFigures>,
	) -> Result<u128, Error<T>> {
		let sell = o.sell_contracts.max(0);
		let contracts = u128::try_from(o.buy_contracts.max(0))
			.ok()
			.zip(u128::try_from(sell).ok())
			.and_then(|(b, s)| b.checked_add(s))
			.ok_or(Error::<T>::Overflow)?;
		let mut cost =
			contracts.checked_mul(WARM_ROUNDING_PER_CONTRACT).ok_or(Error::<T>::Overflow)?;
		if let (true, Some(u)) = (sell > 0, unit) {
			let cs = Self::fx(o.terms.contract_size)?;
			let v =
				Self::contracts_amount(u.mark, cs, i128::from(sell), Rounding::Up, Rounding::Up)?;
			let v = u128::try_from(v).map_err(|_| Error::<T>::Overflow)?;
			cost = cost.checked_add(v).ok_or(Error::<T>::Overflow)?;
		}
		Ok(cost)
	}

	/// Whether an evaluation `risk` of an account (not under liquidation, not in debt) makes it
	/// warm, and then its spare `IE - IM - W`. An expired position or resting sell whose
	/// settlement price is not fixed yet rules it out: governance may force that price within
	/// the block (`force_settlement_price`), which changes the position's value and
	/// requirement, or the sells' share of `W`, at once (helper-43).
	pub(crate) fn warm_spare_of(risk: &Risk) -> Result<Option<u128>, Error<T>> {
		if !risk.all_fresh || !Self::meets(risk.initial_equity, risk.initial) {
			return Ok(None);
		}
		let unfixed_at = |terms: &optionchain_primitives::exchange::SeriesTerms| {
			T::Oracle::settlement_price(terms.underlying, terms.expiry).is_none()
		};
		// Resting sells of such a series too: a forced price moves their share of `W`.
		let unfixed =
			risk.positions.iter().any(|f| f.unit.expired && unfixed_at(&f.position.terms))
				|| risk
					.orders
					.iter()
					.any(|o| o.unit.is_some_and(|u| u.expired) && unfixed_at(&o.exposure.terms));
		if unfixed {
			return Ok(None);
		}
		let spare = i128::try_from(risk.initial)
			.ok()
			.and_then(|im| risk.initial_equity.checked_sub(im))
			.ok_or(Error::<T>::Overflow)?;
		let cost =
			i128::try_from(Self::resting_fill_cost(risk)?).map_err(|_| Error::<T>::Overflow)?;
		Ok(spare.checked_sub(cost).and_then(|left| u128::try_from(left).ok()))
	}

	/// After an evaluation `risk` of `who` that allowed its action: stamp it warm for this block,
	/// or clear an older stamp (writes only on a change).
	pub(crate) fn set_warm(who: &T::AccountId, risk: &Risk) {
		let now = Self::stamp_now();
		let Some(mut info) = Accounts::<T>::get(who) else { return };
		let eligible =
			!info.in_liquidation && info.debt == 0 && now != 0 && WarmVoidAt::<T>::get() != now;
		// An overflow in the cover (not reachable with bounded orders) makes it cold, never
		// fails the action that was checked.
		let spare = if eligible { Self::warm_spare_of(risk).ok().flatten() } else { None };
		let (at, spare) = match spare {
			Some(spare) => (now, spare),
			None => (0, 0),
		};
		if info.checked_at != at || info.warm_spare != spare {
			info.checked_at = at;
			info.warm_spare = spare;
			Accounts::<T>::insert(who, info);
		}
	}

	/// A `quote` of the warm account `who` checked on the series it changed alone (see
	/// [`crate::AccountInfo::warm_spare`]): at this block's prices (those of the evaluation
	/// that stamped it), the change of `IM + W` is the sum over the changed series of the
	/// orders' initial requirement and share of `W` after, less before; a quote's legs never
	/// take, so the positions, hence the equity, are unchanged. If the recorded spare covers
	/// it, the account stays warm with the spare less the change, and `IE - IM - W >= 0`
	/// still holds, so it meets its initial requirement. `None`: a full evaluation decides (not
	/// warm, an overflow, a price not fresh, an expired series, or the spare short).
	pub(crate) fn quote_warm(
		who: &T::AccountId,
		changes: &[optionchain_primitives::exchange::QuoteChange],
	) -> Option<()> {
		// The stamp as `is_warm` reads it, the account read once. (A cold account costs these
		// two reads: `quote_warm_used`.)
		let stamp = Self::stamp_now();
		if stamp == 0 || WarmVoidAt::<T>::get() == stamp {
			return None;
		}
		let mut info = Accounts::<T>::get(who)?;
		if info.checked_at != stamp || info.in_liquidation || info.debt != 0 {
			return None;
		}
		let params = Params::<T>::get();
		let pending = PendingParams::<T>::get().map(|p| p.params);
		let now = <T::Time as frame_support::traits::Time>::now();
		let mut markets: alloc::vec::Vec<crate::risk::Market> = alloc::vec::Vec::new();
		let mut change: i128 = 0;
		for c in changes {
			let m = Self::market_cached(&mut markets, c.terms.underlying).ok()?;
			if !m.fresh {
				return None;
			}
			let sells = c.before.sell_contracts > 0 || c.after.sell_contracts > 0;
			let unit = if sells {
				let u = Self::unit_figures(&c.terms, &m, now, &params, pending.as_ref()).ok()?;
				if u.expired || !u.fresh {
					return None;
				}
				Some(u)
			} else {
				None
			};
			let net = i128::from(c.net);
			let part = |o: &optionchain_primitives::exchange::OrderExposure| -> Option<i128> {
				let im = Self::orders_initial(o, net, unit.as_ref()).ok()?;
				let w = Self::orders_fill_cost(o, unit.as_ref()).ok()?;
				i128::try_from(im.checked_add(w)?).ok()
			};
			change = change.checked_add(part(&c.after)?.checked_sub(part(&c.before)?)?)?;
		}
		let left = i128::try_from(info.warm_spare).ok()?.checked_sub(change)?;
		info.warm_spare = u128::try_from(left).ok()?;
		Accounts::<T>::insert(who, info);
		#[cfg(any(test, all(feature = "std", debug_assertions)))]
		Self::check_warm_quote(who);
		Some(())
	}

	/// Upper bound of [`Self::quote_warm`] for `series` changed series on `underlyings`
	/// underlyings: the account, the stamp's void mark, the risk parameters (current and
	/// pending) and the time, the market of each underlying, a Black-Scholes price per series
	/// (the `black_scholes_greeks` benchmark, which prices more, twice for the figures'
	/// arithmetic), and the account written.
	pub(crate) fn quote_warm_weight(
		series: u32,
		underlyings: u32,
	) -> frame_support::weights::Weight {
		use crate::weights::WeightInfo;
		use frame_support::traits::Get;
		let series = series.max(1);
		let underlyings = underlyings.clamp(1, series).min(T::Oracle::max_underlyings());
		T::DbWeight::get()
			.reads_writes(5, 1)
			.saturating_add(
				T::Oracle::read_weight()
					.saturating_mul(2)
					.saturating_mul(u64::from(underlyings)),
			)
			.saturating_add(
				T::WeightInfo::black_scholes_greeks().saturating_mul(u64::from(series) * 2),
			)
	}

	/// What [`Self::quote_warm`] read and wrote: the two reads of the stamp for an account that
	/// was not warm, else [`Self::quote_warm_weight`].
	pub(crate) fn quote_warm_used(
		warm: bool,
		changes: &[optionchain_primitives::exchange::QuoteChange],
	) -> frame_support::weights::Weight {
		use frame_support::traits::Get;
		if warm {
			let mut underlyings: alloc::vec::Vec<optionchain_primitives::UnderlyingId> =
				changes.iter().map(|c| c.terms.underlying).collect();
			underlyings.sort_unstable();
			underlyings.dedup();
			let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
			Self::quote_warm_weight(count(changes.len()), count(underlyings.len()))
		} else {
			T::DbWeight::get().reads(2)
		}
	}

	/// Native debug builds: after a quote checked on its changed series alone, the account
	/// evaluated in full still has `IE - IM - W` at least the recorded spare.
	#[cfg(any(test, all(feature = "std", debug_assertions)))]
	pub(crate) fn check_warm_quote(who: &T::AccountId) {
		let spare = Accounts::<T>::get(who).map(|a| a.warm_spare).unwrap_or_default();
		let risk = Self::risk_of(who).expect("a warm account can be evaluated");
		let real = Self::warm_spare_of(&risk).expect("no overflow");
		assert!(
			real.is_some_and(|r| r >= spare),
			"a quote checked on its series left {real:?} of spare, recorded {spare}"
		);
	}

	/// `who` is no longer warm (its equity changed outside a fill: a long settled).
	pub(crate) fn make_cold(who: &T::AccountId) {
		Accounts::<T>::mutate(who, |a| {
			if let Some(a) = a {
				a.checked_at = 0;
			}
		});
	}

	/// Native debug builds (the pallet's and the runtime's tests): a warm maker after a fill
	/// still meets its initial requirement, as the module documentation claims. The chain
	/// itself never evaluates it.
	#[cfg(any(test, all(feature = "std", debug_assertions)))]
	pub(crate) fn check_warm_fill(who: &T::AccountId) {
		let risk = Self::risk_of(who).expect("a warm maker can be evaluated");
		assert!(
			Self::meets(risk.initial_equity, risk.initial),
			"a fill took a warm maker below its initial requirement: IE {} < IM {}",
			risk.initial_equity,
			risk.initial
		);
	}
}
