//! Read helpers behind `pallet-margin-runtime-api`.

use crate::{pallet::*, risk::Market, types::*};
use alloc::vec::Vec;
use frame_support::{ensure, traits::Time};
use optionchain_pricing::{price, price_and_greeks, BsInputs, Fixed, Rounding};
use optionchain_primitives::{
	exchange::{Balance, ContractGreeks, PremiumRounding, SeriesTerms},
	OracleProvider, PriceStatus,
};
use sp_arithmetic::{FixedI128, FixedU128};

/// Bisections of a band's edge for the runtime API: within 1/4096 of the last grid interval.
const API_BAND_REFINEMENTS: u32 = 12;

impl<T: Config> Pallet<T> {
	/// `MarginApi::collateral`.
	pub fn api_collateral(who: T::AccountId) -> Balance {
		Self::collateral_of(&who)
	}

	/// `MarginApi::account_margin`.
	pub fn api_account_margin(who: T::AccountId) -> Option<MarginSummary> {
		let risk = Self::risk_of(&who).ok()?;
		let in_liq = Accounts::<T>::get(&who).map(|a| a.in_liquidation).unwrap_or(false);
		let state = Self::state_of(&risk, in_liq).ok()?;
		Some(MarginSummary {
			collateral: risk.collateral,
			equity: risk.equity,
			initial_equity: risk.initial_equity,
			initial: risk.initial,
			maintenance: risk.maintenance,
			state,
		})
	}

	/// `MarginApi::series_quote`: per-contract mark and greeks.
	pub fn api_series_quote(terms: SeriesTerms) -> Option<SeriesQuote> {
		let m = Self::market(terms.underlying).ok()?;
		let params = Params::<T>::get();
		let (inputs, _, _) = Self::bs_inputs(&terms, &m, T::Time::now(), &params).ok()?;
		let g = price_and_greeks(&inputs, Self::bs_kind(terms.kind)).ok()?;
		let cs = Self::fx(terms.contract_size).ok()?;
		let r = Rounding::NearestHalfAwayFromZero;
		let scale = |x: Fixed| -> Option<FixedI128> { x.checked_mul(cs, r).ok().map(Into::into) };
		let mark = g.price.checked_mul(cs, r).ok()?;
		Some(SeriesQuote {
			mark: FixedU128::try_from(mark).ok()?,
			delta: scale(g.delta)?,
			gamma: scale(g.gamma)?,
			vega: scale(g.vega)?,
			theta: scale(g.theta)?,
			rho: scale(g.rho)?,
			index_price: FixedU128::try_from(m.spot).ok()?,
			volatility: FixedU128::try_from(m.vol).ok()?,
			fresh: m.fresh,
		})
	}

	/// `MarginAccounts::contract_greeks`: `|delta|` and `|vega|` of one contract of `terms`,
	/// each rounded up (market-maker protection counts them against the maker's limits, so
	/// rounding never lets a fill count less than it moved): the model's figure (rounded to the
	/// nearest) plus one unit of its last decimal, times the contract size rounded up.
	pub(crate) fn greeks_of_contract(terms: &SeriesTerms) -> Result<ContractGreeks, Error<T>> {
		let m = Self::market(terms.underlying)?;
		let params = Params::<T>::get();
		let (inputs, _, _) = Self::bs_inputs(terms, &m, T::Time::now(), &params)?;
		let g = price_and_greeks(&inputs, Self::bs_kind(terms.kind))
			.map_err(|_| Error::<T>::PricingFailed)?;
		let cs = Self::fx(terms.contract_size)?;
		// The magnitude first, so that rounding up rounds it away from zero; one unit more, as
		// the pricing rounds its outputs to the nearest.
		let abs = |x: Fixed| -> Result<FixedU128, Error<T>> {
			let mag = x
				.into_inner()
				.checked_abs()
				.and_then(|m| m.checked_add(1))
				.ok_or(Error::<T>::Overflow)?;
			let mag = Fixed::from_inner(mag);
			let scaled = mag.checked_mul(cs, Rounding::Up).map_err(|_| Error::<T>::Overflow)?;
			Ok(FixedU128::from_inner(scaled.into_inner().unsigned_abs()))
		};
		Ok(ContractGreeks { delta: abs(g.delta)?, vega: abs(g.vega)? })
	}

	/// `MarginAccounts::contract_premiums`: one contract's premium per requested volatility,
	/// at this block's fresh index price (the oracle's volatility need not be: the order
	/// brings its own) and time to expiry (before expiry only), with the engine's rate and
	/// dividend yield. The model's price (rounded to the nearest 10^-18 USD)
	/// is moved one unit of its last decimal the asked way, then times the contract size and
	/// to settlement units, each rounded the asked way: a rounded-up premium is never below
	/// the exact one, a rounded-down one never above. The model's time is whole seconds: a
	/// time to expiry with a fraction of a second is priced at both whole seconds around it,
	/// and the higher (rounding up) or lower (down) taken.
	pub(crate) fn premiums_of_contract(
		terms: &SeriesTerms,
		volatilities: &[(FixedU128, PremiumRounding)],
	) -> Result<Vec<Balance>, Error<T>> {
		// Only the index price must be fresh: the volatility is the order's.
		let index = T::Oracle::index_price(terms.underlying).ok_or(Error::<T>::PriceUnavailable)?;
		ensure!(index.status == PriceStatus::Fresh, Error::<T>::PriceUnavailable);
		let m = Market {
			id: terms.underlying,
			spot: Self::fx(index.price)?,
			vol: Fixed::from_inner(0),
			fresh: true,
		};
		let now = T::Time::now();
		ensure!(now < terms.expiry, Error::<T>::PricingFailed);
		let params = Params::<T>::get();
		let (mut inputs, _, _) = Self::bs_inputs(terms, &m, now, &params)?;
		let cs = Self::fx(terms.contract_size)?;
		let kind = Self::bs_kind(terms.kind);
		// The model takes whole seconds: with a fraction of one left over, the premium is
		// priced at the whole seconds either side and the one in the asked direction taken.
		let fraction = !terms.expiry.saturating_sub(now).is_multiple_of(1000);
		volatilities
			.iter()
			.map(|(v, rounding)| {
				inputs.volatility = Self::fx(*v)?;
				let mut p = price(&inputs, kind).map_err(|_| Error::<T>::PricingFailed)?;
				if fraction {
					let later =
						BsInputs { time_seconds: inputs.time_seconds.saturating_add(1), ..inputs };
					let q = price(&later, kind).map_err(|_| Error::<T>::PricingFailed)?;
					p = match rounding {
						PremiumRounding::Up => p.max(q),
						PremiumRounding::Down => p.min(q),
					};
				}
				let (inner, r) = match rounding {
					PremiumRounding::Up => (p.into_inner().checked_add(1), Rounding::Up),
					PremiumRounding::Down => {
						(Some(p.into_inner().saturating_sub(1)), Rounding::Down)
					},
				};
				let unit = Fixed::from_inner(inner.ok_or(Error::<T>::Overflow)?.max(0));
				let units = Self::contracts_amount(unit, cs, 1, r, r)?;
				Balance::try_from(units).map_err(|_| Error::<T>::Overflow)
			})
			.collect()
	}

	/// `MarginApi::trigger_band`: the band of `who` for `horizon_seconds` and volatility moves
	/// of up to `volatility_move_percent` % of each underlying's volatility now (at most 100).
	pub fn api_trigger_band(
		who: T::AccountId,
		horizon_seconds: u32,
		volatility_move_percent: u32,
	) -> Option<TriggerBandView> {
		if volatility_move_percent > 100 {
			return None;
		}
		let vol_move =
			Fixed::from_rational(i128::from(volatility_move_percent), 100, Rounding::Up).ok()?;
		let horizon = u64::from(horizon_seconds).saturating_mul(1000);
		let band = Self::band_of(&who, horizon, vol_move, API_BAND_REFINEMENTS).ok()??;
		let price = |x: Fixed| FixedU128::try_from(x).ok();
		let mut underlyings = alloc::vec::Vec::with_capacity(band.underlyings.len());
		for u in band.underlyings {
			underlyings.push(SafeRange {
				underlying: u.underlying,
				price_lo: price(u.lo)?,
				price_hi: price(u.hi)?,
				volatility_lo: price(u.vol_lo)?,
				volatility_hi: price(u.vol_hi)?,
			});
		}
		Some(TriggerBandView {
			until: band.deadline,
			slack: Balance::try_from(band.slack).ok()?,
			underlyings,
		})
	}

	/// `MarginApi::insurance_fund`.
	pub fn api_insurance_fund() -> Balance {
		Self::insurance_fund()
	}
}
