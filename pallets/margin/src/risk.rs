//! Mark prices and margin requirements.
//!
//! All money is computed in USD as `optionchain_pricing::Fixed` (18 decimals) and converted to
//! settlement-asset units once per position. Rounding is always against the account:
//! requirements and liabilities round up, values and credits round down.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, traits::Time};
use optionchain_pricing::{price, BsInputs, Fixed, OptionKind as BsKind, Rounding, MAX_TIME_SECONDS};
use optionchain_primitives::{
	exchange::{Balance, OptionKind, PositionsProvider, SeriesTerms},
	Moment, OracleProvider, PriceStatus, UnderlyingId,
};
use sp_arithmetic::{
	helpers_128bit::multiply_by_rational_with_rounding, per_things::Rounding as ArRounding,
	FixedU128,
};

/// Index price and volatility of one underlying as read once per evaluation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Market {
	pub id: UnderlyingId,
	pub spot: Fixed,
	pub vol: Fixed,
	pub fresh: bool,
}

/// Per-unit-of-underlying figures of a series, USD.
#[derive(Clone, Copy, Debug)]
pub(crate) struct UnitFigures {
	/// Mark price per unit.
	pub mark: Fixed,
	/// Initial requirement of a short, per unit.
	pub initial: Fixed,
	/// Maintenance requirement of a short, per unit.
	pub maintenance: Fixed,
	/// The series is expired.
	pub expired: bool,
}

const SCALE: u128 = 1_000_000_000_000_000_000;

impl<T: Config> Pallet<T> {
	pub(crate) fn fx(x: FixedU128) -> Result<Fixed, Error<T>> {
		Fixed::try_from(x).map_err(|_| Error::<T>::Overflow)
	}

	/// USD amount `x` to settlement units, rounded toward `-inf` (`Down`) or `+inf` (`Up`).
	pub(crate) fn to_units(x: Fixed, r: Rounding) -> Result<i128, Error<T>> {
		let inner = x.into_inner();
		let mag = inner.unsigned_abs();
		let neg = inner < 0;
		let mag_r = match (r, neg) {
			(Rounding::Up, false) | (Rounding::Down, true) => ArRounding::Up,
			_ => ArRounding::Down,
		};
		let units = multiply_by_rational_with_rounding(mag, T::UnitsPerUsd::get(), SCALE, mag_r)
			.ok_or(Error::<T>::Overflow)?;
		let units = i128::try_from(units).map_err(|_| Error::<T>::Overflow)?;
		Ok(if neg { -units } else { units })
	}

	/// `unit * contract_size` (rounded `per_contract`) `* qty`, to units rounded `final_r`.
	pub(crate) fn contracts_amount(
		unit: Fixed,
		contract_size: Fixed,
		qty: i128,
		per_contract: Rounding,
		final_r: Rounding,
	) -> Result<i128, Error<T>> {
		let per = unit.checked_mul(contract_size, per_contract).map_err(|_| Error::<T>::Overflow)?;
		let total = per.checked_mul_int(qty).map_err(|_| Error::<T>::Overflow)?;
		Self::to_units(total, final_r)
	}

	/// `ceil(x * rate)` for a balance and a fraction.
	pub(crate) fn mul_up(x: Balance, rate: FixedU128) -> Result<Balance, Error<T>> {
		multiply_by_rational_with_rounding(x, rate.into_inner(), SCALE, ArRounding::Up)
			.ok_or(Error::<T>::Overflow)
	}

	/// `floor(x * rate)`.
	pub(crate) fn mul_down(x: Balance, rate: FixedU128) -> Result<Balance, Error<T>> {
		multiply_by_rational_with_rounding(x, rate.into_inner(), SCALE, ArRounding::Down)
			.ok_or(Error::<T>::Overflow)
	}

	/// `equity >= requirement`.
	pub(crate) fn meets(equity: i128, requirement: Balance) -> bool {
		i128::try_from(requirement).map(|r| equity >= r).unwrap_or(false)
	}

	/// Reads the oracle for `id`.
	pub(crate) fn market(id: UnderlyingId) -> Result<Market, Error<T>> {
		let p = T::Oracle::index_price(id).ok_or(Error::<T>::PriceUnavailable)?;
		let v = T::Oracle::volatility(id).ok_or(Error::<T>::PriceUnavailable)?;
		Ok(Market {
			id,
			spot: Self::fx(p.price)?,
			vol: Self::fx(v.volatility)?,
			fresh: p.status == PriceStatus::Fresh && v.status == PriceStatus::Fresh,
		})
	}

	fn market_cached(cache: &mut Vec<Market>, id: UnderlyingId) -> Result<Market, Error<T>> {
		if let Some(m) = cache.iter().find(|m| m.id == id) {
			return Ok(*m);
		}
		let m = Self::market(id)?;
		cache.push(m);
		Ok(m)
	}

	/// Black-Scholes inputs of `terms` at `now`: before expiry the index price and the time left;
	/// at or after expiry the settlement price if fixed (else the index) and time 0.
	pub(crate) fn bs_inputs(
		terms: &SeriesTerms,
		m: &Market,
		now: Moment,
		params: &MarginParameters,
	) -> Result<(BsInputs, bool), Error<T>> {
		let expired = now >= terms.expiry;
		let (spot, t) = if expired {
			let spot = match T::Oracle::settlement_price(terms.underlying, terms.expiry) {
				Some(s) => Self::fx(s)?,
				None => m.spot,
			};
			(spot, 0)
		} else {
			(m.spot, (terms.expiry - now) / 1000)
		};
		ensure!(t <= MAX_TIME_SECONDS, Error::<T>::PricingFailed);
		Ok((
			BsInputs {
				spot,
				strike: Self::fx(terms.strike)?,
				volatility: m.vol,
				rate: params.rate.into(),
				dividend_yield: params.dividend_yield.into(),
				time_seconds: t,
			},
			expired,
		))
	}

	pub(crate) fn bs_kind(k: OptionKind) -> BsKind {
		match k {
			OptionKind::Call => BsKind::Call,
			OptionKind::Put => BsKind::Put,
		}
	}

	/// Mark and short requirements per unit of underlying.
	///
	/// - short call: initial `max(r_i - OTM/S, r_min) * S + mark`, OTM = `max(K - S, 0)`;
	/// - short put: the same with OTM = `max(S - K, 0)`;
	/// - maintenance `r_m * S + mark`; initial never below maintenance;
	/// - a put's requirements never exceed its strike;
	/// - expired: both equal the mark (intrinsic value).
	pub(crate) fn unit_figures(
		terms: &SeriesTerms,
		m: &Market,
		now: Moment,
		params: &MarginParameters,
	) -> Result<UnitFigures, Error<T>> {
		let (inputs, expired) = Self::bs_inputs(terms, m, now, params)?;
		let mark = price(&inputs, Self::bs_kind(terms.kind)).map_err(|_| Error::<T>::PricingFailed)?;
		if expired {
			return Ok(UnitFigures { mark, initial: mark, maintenance: mark, expired });
		}
		let s = inputs.spot;
		let k = inputs.strike;
		let o = |_: optionchain_pricing::Error| Error::<T>::Overflow;
		let otm = match terms.kind {
			OptionKind::Call => k.checked_sub(s).map_err(o)?,
			OptionKind::Put => s.checked_sub(k).map_err(o)?,
		};
		let otm = if otm.is_negative() { Fixed::ZERO } else { otm };
		// Smaller OTM/S means a larger requirement: round down.
		let otm_ratio = otm.checked_div(s, Rounding::Down).map_err(o)?;
		let r_i = Self::fx(params.initial_rate)?;
		let r_min = Self::fx(params.min_initial_rate)?;
		let r_m = Self::fx(params.maintenance_rate)?;
		let reduced = r_i.checked_sub(otm_ratio).map_err(o)?;
		let rate = if reduced.into_inner() < r_min.into_inner() { r_min } else { reduced };
		let mut initial =
			rate.checked_mul(s, Rounding::Up).map_err(o)?.checked_add(mark).map_err(o)?;
		let mut maintenance =
			r_m.checked_mul(s, Rounding::Up).map_err(o)?.checked_add(mark).map_err(o)?;
		if initial.into_inner() < maintenance.into_inner() {
			initial = maintenance;
		}
		if terms.kind == OptionKind::Put {
			if initial.into_inner() > k.into_inner() {
				initial = k;
			}
			if maintenance.into_inner() > k.into_inner() {
				maintenance = k;
			}
		}
		Ok(UnitFigures { mark, initial, maintenance, expired })
	}

	/// Requirement (units, rounded up) of a short of `qty` contracts at `unit` per unit.
	fn short_requirement(unit: Fixed, cs: Fixed, qty: i128) -> Result<Balance, Error<T>> {
		if qty <= 0 {
			return Ok(0);
		}
		let r = Self::contracts_amount(unit, cs, qty, Rounding::Up, Rounding::Up)?;
		Balance::try_from(r).map_err(|_| Error::<T>::Overflow)
	}

	/// Mark value (units, rounded down) of a net position: negative for a short.
	pub(crate) fn position_value(mark: Fixed, cs: Fixed, net: i128) -> Result<i128, Error<T>> {
		let per = if net < 0 { Rounding::Up } else { Rounding::Down };
		Self::contracts_amount(mark, cs, net, per, Rounding::Down)
	}

	/// Maintenance requirement (units) of a short of `qty` contracts of `terms` now.
	pub(crate) fn short_maintenance(
		terms: &SeriesTerms,
		u: &UnitFigures,
		qty: i128,
	) -> Result<Balance, Error<T>> {
		Self::short_requirement(u.maintenance, Self::fx(terms.contract_size)?, qty)
	}

	/// Evaluate `who` as if its collateral were `collateral` and its debt to the insurance fund
	/// `debt`. Without `count_expired_longs`, a long of an expired series (not paid yet) counts
	/// nothing: its payout may still be cut pro rata if the series' shorts fall short, so a
	/// withdrawal must not spend it in advance.
	pub fn evaluate(
		who: &T::AccountId,
		collateral: Balance,
		debt: Balance,
		count_expired_longs: bool,
	) -> Result<Risk, DispatchError> {
		let portfolio = T::Positions::portfolio(who);
		let params = Params::<T>::get();
		let now = T::Time::now();
		let mut markets: Vec<Market> = Vec::new();
		let mut equity = i128::try_from(collateral)
			.ok()
			.zip(i128::try_from(debt).ok())
			.and_then(|(c, d)| c.checked_sub(d))
			.ok_or(Error::<T>::Overflow)?;
		let mut initial: Balance = 0;
		let mut maintenance: Balance = 0;
		let add = |a: Balance, b: Balance| a.checked_add(b).ok_or(Error::<T>::Overflow);
		// Each position's figures, reused for the resting orders of the same series: one
		// Black-Scholes evaluation per series.
		let mut priced: Vec<(optionchain_primitives::exchange::SeriesId, i128, UnitFigures)> =
			Vec::with_capacity(portfolio.positions.len());
		for p in portfolio.positions.iter().filter(|p| p.net != 0) {
			let m = Self::market_cached(&mut markets, p.terms.underlying)?;
			let u = Self::unit_figures(&p.terms, &m, now, &params)?;
			let cs = Self::fx(p.terms.contract_size)?;
			let net = i128::from(p.net);
			if count_expired_longs || !(u.expired && net > 0) {
				equity = equity
					.checked_add(Self::position_value(u.mark, cs, net)?)
					.ok_or(Error::<T>::Overflow)?;
			}
			if net < 0 {
				let q = net.checked_neg().ok_or(Error::<T>::Overflow)?;
				initial = add(initial, Self::short_requirement(u.initial, cs, q)?)?;
				maintenance = add(maintenance, Self::short_requirement(u.maintenance, cs, q)?)?;
			}
			priced.push((p.series, net, u));
		}
		// Resting orders: sells margined as if filled, buys must be able to pay their premium.
		for o in portfolio.orders.iter() {
			let m = Self::market_cached(&mut markets, o.terms.underlying)?;
			let known = priced.iter().find(|(s, _, _)| *s == o.series);
			let net = known.map(|(_, net, _)| *net).unwrap_or(0);
			let sell = i128::from(o.sell_contracts.max(0));
			if sell > 0 {
				let u = match known {
					Some((_, _, u)) => *u,
					None => Self::unit_figures(&o.terms, &m, now, &params)?,
				};
				let cs = Self::fx(o.terms.contract_size)?;
				let short_now = net.checked_neg().ok_or(Error::<T>::Overflow)?.max(0);
				let short_after = sell.checked_sub(net).ok_or(Error::<T>::Overflow)?.max(0);
				let now_req = Self::short_requirement(u.initial, cs, short_now)?;
				let after_req = Self::short_requirement(u.initial, cs, short_after)?;
				initial = add(initial, after_req.saturating_sub(now_req))?;
			}
			initial = add(initial, o.buy_premium)?;
		}
		Ok(Risk {
			collateral,
			equity,
			initial,
			maintenance,
			all_fresh: markets.iter().all(|m| m.fresh),
			entries: u32::try_from(portfolio.positions.len().saturating_add(portfolio.orders.len()))
				.unwrap_or(u32::MAX),
			underlyings: u32::try_from(markets.len()).unwrap_or(u32::MAX),
		})
	}

	/// Equity an account under liquidation must reach: `maintenance * (1 + buffer)`.
	pub(crate) fn liquidation_target(maintenance: Balance) -> Result<Balance, Error<T>> {
		let extra = Self::mul_up(maintenance, Params::<T>::get().liquidation_buffer)?;
		maintenance.checked_add(extra).ok_or(Error::<T>::Overflow)
	}

	/// The state of an evaluated account.
	pub(crate) fn state_of(risk: &Risk, in_liquidation: bool) -> Result<AccountState, Error<T>> {
		Ok(if !Self::meets(risk.equity, risk.maintenance) {
			AccountState::Liquidatable
		} else if in_liquidation &&
			!Self::meets(risk.equity, Self::liquidation_target(risk.maintenance)?)
		{
			AccountState::Liquidatable
		} else if !Self::meets(risk.equity, risk.initial) {
			AccountState::Restricted
		} else {
			AccountState::Healthy
		})
	}

	/// Record `who`'s state, emitting `StateChanged` (and `MarginCalled` when it becomes
	/// restricted).
	pub(crate) fn record_state(who: &T::AccountId, risk: &Risk) -> Result<AccountState, Error<T>> {
		let Some(mut info) = Accounts::<T>::get(who) else {
			return Self::state_of(risk, false);
		};
		let state = Self::state_of(risk, info.in_liquidation)?;
		if state != info.state {
			let from = info.state;
			info.state = state;
			Accounts::<T>::insert(who, info);
			Self::deposit_event(Event::StateChanged { who: who.clone(), from, to: state });
			if state == AccountState::Restricted {
				Self::deposit_event(Event::MarginCalled {
					who: who.clone(),
					equity: risk.equity,
					initial: risk.initial,
					maintenance: risk.maintenance,
				});
			}
		}
		Ok(state)
	}

	/// Evaluate `who` with its current collateral and debt.
	pub fn risk_of(who: &T::AccountId) -> Result<Risk, DispatchError> {
		let info = Accounts::<T>::get(who).unwrap_or_default();
		Self::evaluate(who, info.collateral, info.debt, true)
	}
}
