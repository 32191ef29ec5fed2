//! Mark prices and margin requirements.
//!
//! All money is computed in USD as `optionchain_pricing::Fixed` (18 decimals) and converted to
//! settlement-asset units once per position. Rounding is always against the account:
//! requirements and liabilities round up, values and credits round down.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, traits::Time};
use optionchain_pricing::{
	price, BsInputs, Fixed, OptionKind as BsKind, Rounding, MAX_TIME_SECONDS,
};
use optionchain_primitives::{
	exchange::{Balance, Contracts, MarginSnapshot, OptionKind, PositionsProvider, SeriesTerms},
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
pub struct UnitFigures {
	/// Mark price per unit.
	pub mark: Fixed,
	/// Initial requirement of a short, per unit.
	pub initial: Fixed,
	/// Maintenance requirement of a short, per unit.
	pub maintenance: Fixed,
	/// The series is expired.
	pub expired: bool,
	/// The mark comes from a fresh index (or from a fixed settlement price).
	pub fresh: bool,
}

/// Money figures of a short of some contracts, settlement units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ShortFigures {
	/// Mark value owed (rounded up): what equity subtracts.
	pub liability: Balance,
	/// Initial requirement (rounded up; a put's capped so that liability + requirement never
	/// exceeds the strike).
	pub initial: Balance,
	/// Maintenance requirement (same rounding and cap).
	pub maintenance: Balance,
}

/// `10^18`: the inner value of `1` in 18-decimal fixed point.
pub(crate) const SCALE: u128 = 1_000_000_000_000_000_000;

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
		let per = unit
			.checked_mul(contract_size, per_contract)
			.map_err(|_| Error::<T>::Overflow)?;
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

	pub(crate) fn market_cached(
		cache: &mut Vec<Market>,
		id: UnderlyingId,
	) -> Result<Market, Error<T>> {
		if let Some(m) = cache.iter().find(|m| m.id == id) {
			return Ok(*m);
		}
		let m = Self::market(id)?;
		cache.push(m);
		Ok(m)
	}

	/// Black-Scholes inputs of `terms` at `now`: before expiry the index price and the time left;
	/// at or after expiry the settlement price if fixed (else the index) and time 0. The flag
	/// says whether the spot used can be trusted (a fresh index, or a fixed settlement price).
	pub(crate) fn bs_inputs(
		terms: &SeriesTerms,
		m: &Market,
		now: Moment,
		params: &MarginParameters,
	) -> Result<(BsInputs, bool, bool), Error<T>> {
		let expired = now >= terms.expiry;
		let (spot, t, fresh) = if expired {
			match T::Oracle::settlement_price(terms.underlying, terms.expiry) {
				Some(s) => (Self::fx(s)?, 0, true),
				None => (m.spot, 0, m.fresh),
			}
		} else {
			(m.spot, (terms.expiry - now) / 1000, m.fresh)
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
			fresh,
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
	///   maintenance `r_m * S + mark`;
	/// - short put: initial the same with OTM = `max(S - K, 0)`; maintenance
	///   `max(r_m * S, r_mm * mark) + mark`;
	/// - initial never below maintenance;
	/// - a put's requirements never exceed `K - mark`: with the mark netted in equity, a short
	///   put never needs more cash than its strike (a fully cash-secured put is always safe);
	/// - expired: the intrinsic value (the mark) is owed and already counted once, in equity;
	///   no maintenance. Until the settlement price is fixed, the initial requirement keeps
	///   `r_m * S` (the index may still differ from the settlement price: a writer must not
	///   withdraw what it may owe).
	///
	/// `pending`: risk parameters announced but not applied yet; the initial requirement is
	/// the larger of the two (a position opened during the notice must meet the new rule).
	pub(crate) fn unit_figures(
		terms: &SeriesTerms,
		m: &Market,
		now: Moment,
		params: &MarginParameters,
		pending: Option<&MarginParameters>,
	) -> Result<UnitFigures, Error<T>> {
		let (inputs, expired, fresh) = Self::bs_inputs(terms, m, now, params)?;
		let mark =
			price(&inputs, Self::bs_kind(terms.kind)).map_err(|_| Error::<T>::PricingFailed)?;
		let o = |_: optionchain_pricing::Error| Error::<T>::Overflow;
		let max = |a: Fixed, b: Fixed| if a.into_inner() >= b.into_inner() { a } else { b };
		if expired {
			let settled = T::Oracle::settlement_price(terms.underlying, terms.expiry).is_some();
			let mut initial = Fixed::ZERO;
			if !settled {
				for p in core::iter::once(params).chain(pending) {
					let r_m = Self::fx(p.maintenance_rate)?;
					initial = max(initial, r_m.checked_mul(m.spot, Rounding::Up).map_err(o)?);
				}
			}
			return Ok(UnitFigures { mark, initial, maintenance: Fixed::ZERO, expired, fresh });
		}
		let (mut initial, maintenance) =
			Self::requirements(terms.kind, inputs.spot, inputs.strike, mark, params)?;
		if let Some(p) = pending {
			initial = max(
				initial,
				Self::requirements(terms.kind, inputs.spot, inputs.strike, mark, p)?.0,
			);
		}
		Ok(UnitFigures { mark, initial, maintenance, expired, fresh })
	}

	/// Initial and maintenance requirement per unit of a short before expiry under `params`
	/// (see [`Self::unit_figures`]).
	pub(crate) fn requirements(
		kind: OptionKind,
		s: Fixed,
		k: Fixed,
		mark: Fixed,
		params: &MarginParameters,
	) -> Result<(Fixed, Fixed), Error<T>> {
		let o = |_: optionchain_pricing::Error| Error::<T>::Overflow;
		let otm = match kind {
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
		let mut base = r_m.checked_mul(s, Rounding::Up).map_err(o)?;
		if kind == OptionKind::Put {
			let of_mark = Self::fx(params.maintenance_mark_rate)?
				.checked_mul(mark, Rounding::Up)
				.map_err(o)?;
			if of_mark.into_inner() > base.into_inner() {
				base = of_mark;
			}
		}
		let mut maintenance = base.checked_add(mark).map_err(o)?;
		if initial.into_inner() < maintenance.into_inner() {
			initial = maintenance;
		}
		if kind == OptionKind::Put {
			let cap = k.checked_sub(mark).map_err(o)?;
			let cap = if cap.is_negative() { Fixed::ZERO } else { cap };
			if initial.into_inner() > cap.into_inner() {
				initial = cap;
			}
			if maintenance.into_inner() > cap.into_inner() {
				maintenance = cap;
			}
		}
		Ok((initial, maintenance))
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

	/// Liability and requirements of a short of `qty` (> 0) contracts of `terms`. A put's
	/// requirements are capped at `floor(K * contract_size * qty) - liability`, so that the
	/// cash a short put needs (requirement plus the liability netted in equity) never exceeds
	/// its strike, whatever the rounding.
	pub(crate) fn short_figures(
		terms: &SeriesTerms,
		u: &UnitFigures,
		qty: i128,
	) -> Result<ShortFigures, Error<T>> {
		let cs = Self::fx(terms.contract_size)?;
		let liability =
			Self::position_value(u.mark, cs, qty.checked_neg().ok_or(Error::<T>::Overflow)?)?
				.checked_neg()
				.and_then(|l| Balance::try_from(l).ok())
				.ok_or(Error::<T>::Overflow)?;
		let mut initial = Self::short_requirement(u.initial, cs, qty)?;
		let mut maintenance = Self::short_requirement(u.maintenance, cs, qty)?;
		if terms.kind == OptionKind::Put && qty > 0 {
			let strike = Self::contracts_amount(
				Self::fx(terms.strike)?,
				cs,
				qty,
				Rounding::Down,
				Rounding::Down,
			)?;
			let strike = Balance::try_from(strike).map_err(|_| Error::<T>::Overflow)?;
			let cap = strike.saturating_sub(liability);
			initial = initial.min(cap);
			maintenance = maintenance.min(cap);
		}
		Ok(ShortFigures { liability, initial, maintenance })
	}

	/// Maintenance requirement (units) of a short of `qty` contracts of `terms` now.
	pub(crate) fn short_maintenance(
		terms: &SeriesTerms,
		u: &UnitFigures,
		qty: i128,
	) -> Result<Balance, Error<T>> {
		if qty <= 0 {
			return Ok(0);
		}
		Ok(Self::short_figures(terms, u, qty)?.maintenance)
	}

	/// Evaluate `who` as if its collateral were `collateral` and its debt to the insurance fund
	/// `debt`. Without `count_expired_longs`, a long of an expired series (not paid yet) counts
	/// nothing: its payout may still be cut pro rata if the series' shorts fall short, so a
	/// withdrawal must not spend it in advance.
	///
	/// A position whose underlying's price is not fresh (stale, or held by the circuit breaker)
	/// is valued at its last mark with its last requirements, except that a long on it counts
	/// nothing towards the initial requirement: no new risk is backed by a value nobody can
	/// verify now, while one tripped breaker cannot by itself make accounts liquidatable. Such
	/// positions are never traded by a liquidation, but positions on fresh underlyings are.
	pub fn evaluate(
		who: &T::AccountId,
		collateral: Balance,
		debt: Balance,
		count_expired_longs: bool,
	) -> Result<Risk, DispatchError> {
		Self::evaluate_portfolio(
			T::Positions::portfolio(who),
			collateral,
			debt,
			count_expired_longs,
		)
	}

	/// [`Self::evaluate`] of `portfolio` (the whole portfolio, or the positions alone: then
	/// `initial` is `initial_positions` and every other figure is the same, since resting
	/// orders count towards the initial requirement only).
	pub(crate) fn evaluate_portfolio(
		portfolio: optionchain_primitives::exchange::Portfolio,
		collateral: Balance,
		debt: Balance,
		count_expired_longs: bool,
	) -> Result<Risk, DispatchError> {
		let params = Params::<T>::get();
		let pending = PendingParams::<T>::get().map(|p| p.params);
		let now = T::Time::now();
		let mut markets: Vec<Market> = Vec::new();
		let entries = portfolio.positions.len().saturating_add(portfolio.orders.len());
		// Each position's unit figures, reused for the resting orders of the same series: one
		// Black-Scholes evaluation per series.
		let mut positions: Vec<PositionFigures> = Vec::with_capacity(portfolio.positions.len());
		for p in portfolio.positions.into_iter().filter(|p| p.net != 0) {
			let m = Self::market_cached(&mut markets, p.terms.underlying)?;
			let u = Self::unit_figures(&p.terms, &m, now, &params, pending.as_ref())?;
			positions.push(PositionFigures {
				position: p,
				unit: u,
				fresh: m.fresh,
				maintenance: 0,
			});
		}
		let mut orders: Vec<OrderFigures> = Vec::with_capacity(portfolio.orders.len());
		for o in portfolio.orders.into_iter() {
			let m = Self::market_cached(&mut markets, o.terms.underlying)?;
			let unit = if o.sell_contracts > 0 {
				Some(match positions.iter().find(|f| f.position.series == o.series) {
					Some(f) => f.unit,
					None => Self::unit_figures(&o.terms, &m, now, &params, pending.as_ref())?,
				})
			} else {
				None
			};
			orders.push(OrderFigures { exposure: o, unit });
		}
		// Series holding both a position and resting orders are one series of two entries.
		let shared = orders
			.iter()
			.filter(|o| positions.iter().any(|f| f.position.series == o.exposure.series))
			.count();
		let mut risk = Risk {
			collateral,
			positions,
			orders,
			all_fresh: markets.iter().all(|m| m.fresh),
			entries: u32::try_from(entries).unwrap_or(u32::MAX),
			series: u32::try_from(entries.saturating_sub(shared)).unwrap_or(u32::MAX),
			underlyings: u32::try_from(markets.len()).unwrap_or(u32::MAX),
			count_expired_longs,
			..Default::default()
		};
		Self::aggregate(&mut risk, debt, &params)?;
		Ok(risk)
	}

	/// The account figures of `risk` (equity, requirements, each short's maintenance) from its
	/// positions' and orders' unit figures, its `collateral` and `debt`: the arithmetic half of
	/// [`Self::evaluate`], which reads the portfolio and prices each series first.
	fn aggregate(
		risk: &mut Risk,
		debt: Balance,
		params: &MarginParameters,
	) -> Result<(), Error<T>> {
		let mut equity = i128::try_from(risk.collateral)
			.ok()
			.zip(i128::try_from(debt).ok())
			.and_then(|(c, d)| c.checked_sub(d))
			.ok_or(Error::<T>::Overflow)?;
		// Longs that count towards initial (fresh), and longs on stale underlyings (at their
		// last mark: they count towards maintenance only).
		let mut longs: Balance = 0;
		let mut stale_longs: Balance = 0;
		let mut initial: Balance = 0;
		let mut maintenance: Balance = 0;
		let add = |a: Balance, b: Balance| a.checked_add(b).ok_or(Error::<T>::Overflow);
		for f in risk.positions.iter_mut() {
			let (p, u) = (&f.position, &f.unit);
			let net = i128::from(p.net);
			f.maintenance = 0;
			if net > 0 {
				if risk.count_expired_longs || !u.expired {
					let cs = Self::fx(p.terms.contract_size)?;
					let v = Self::position_value(u.mark, cs, net)?;
					let v = Balance::try_from(v).map_err(|_| Error::<T>::Overflow)?;
					if u.fresh {
						longs = add(longs, v)?;
					} else {
						stale_longs = add(stale_longs, v)?;
					}
				}
			} else {
				let q = net.checked_neg().ok_or(Error::<T>::Overflow)?;
				let s = Self::short_figures(&p.terms, u, q)?;
				let l = i128::try_from(s.liability).map_err(|_| Error::<T>::Overflow)?;
				equity = equity.checked_sub(l).ok_or(Error::<T>::Overflow)?;
				initial = add(initial, s.initial)?;
				maintenance = add(maintenance, s.maintenance)?;
				f.maintenance = s.maintenance;
			}
		}
		let initial_positions = initial;
		let longs_i = i128::try_from(longs).map_err(|_| Error::<T>::Overflow)?;
		let credit = i128::try_from(Self::mul_down(longs, params.long_initial_credit)?)
			.map_err(|_| Error::<T>::Overflow)?;
		let initial_equity = equity.checked_add(credit).ok_or(Error::<T>::Overflow)?;
		let stale_i = i128::try_from(stale_longs).map_err(|_| Error::<T>::Overflow)?;
		let equity = equity
			.checked_add(longs_i)
			.and_then(|e| e.checked_add(stale_i))
			.ok_or(Error::<T>::Overflow)?;
		// Resting orders: sells margined as if filled, buys must be able to pay their premium,
		// and every resting order its maker fee.
		for of in risk.orders.iter() {
			let o = &of.exposure;
			let net = risk
				.positions
				.iter()
				.find(|f| f.position.series == o.series)
				.map(|f| i128::from(f.position.net))
				.unwrap_or(0);
			initial = add(initial, Self::orders_initial(o, net, of.unit.as_ref())?)?;
		}
		risk.equity = equity;
		risk.initial_equity = initial_equity;
		risk.initial = initial;
		risk.initial_positions = initial_positions;
		risk.maintenance = maintenance;
		Ok(())
	}

	/// The initial requirement one series' resting orders `o` add to an account whose net
	/// position in the series is `net` (`unit`: the series' unit figures, needed when the
	/// orders include sells): the sells margined as if filled beyond the position (the
	/// requirement of the short they would leave, less that of the short held), the buys'
	/// premium and the fee reserve.
	pub(crate) fn orders_initial(
		o: &optionchain_primitives::exchange::OrderExposure,
		net: i128,
		unit: Option<&UnitFigures>,
	) -> Result<Balance, Error<T>> {
		let add = |a: Balance, b: Balance| a.checked_add(b).ok_or(Error::<T>::Overflow);
		let mut initial: Balance = 0;
		let sell = i128::from(o.sell_contracts.max(0));
		if let (true, Some(u)) = (sell > 0, unit) {
			let short_now = net.checked_neg().ok_or(Error::<T>::Overflow)?.max(0);
			let short_after = sell.checked_sub(net).ok_or(Error::<T>::Overflow)?.max(0);
			let req = |q: i128| -> Result<Balance, Error<T>> {
				if q <= 0 {
					return Ok(0);
				}
				Ok(Self::short_figures(&o.terms, u, q)?.initial)
			};
			initial = add(initial, req(short_after)?.saturating_sub(req(short_now)?))?;
		}
		initial = add(initial, o.buy_premium)?;
		add(initial, o.fee_reserve)
	}

	/// `risk` after a liquidation moved `moved` (position index in `risk.positions`, contracts
	/// taken) out of the account, whose collateral and debt are now `collateral` and `debt`:
	/// the same figures a new [`Self::evaluate`] gives (the prices, the time, the parameters
	/// and the resting orders are those of the first evaluation, in the same block), without
	/// reading the portfolio again or pricing any series. Positions taken in full leave it;
	/// `entries` and `underlyings` stay those of the first evaluation (its size).
	pub(crate) fn after_moves(
		risk: &Risk,
		moved: &[(usize, i128)],
		collateral: Balance,
		debt: Balance,
	) -> Result<Risk, Error<T>> {
		let mut after = risk.clone();
		for (i, q) in moved {
			let f = after.positions.get_mut(*i).ok_or(Error::<T>::Overflow)?;
			let net = i128::from(f.position.net);
			// A short's contracts taken raise its net towards 0, a long's lower it.
			let left = if net < 0 { net.checked_add(*q) } else { net.checked_sub(*q) }
				.ok_or(Error::<T>::Overflow)?;
			ensure!(left == 0 || (left < 0) == (net < 0), Error::<T>::Overflow);
			f.position.net = Contracts::try_from(left).map_err(|_| Error::<T>::Overflow)?;
		}
		after.positions.retain(|f| f.position.net != 0);
		after.collateral = collateral;
		Self::aggregate(&mut after, debt, &Params::<T>::get())?;
		Ok(after)
	}

	/// The figures a risk-reducing action is compared against (positions and money only).
	pub(crate) fn snapshot_of(risk: &Risk) -> Result<MarginSnapshot, Error<T>> {
		let initial = i128::try_from(risk.initial_positions).map_err(|_| Error::<T>::Overflow)?;
		let maintenance = i128::try_from(risk.maintenance).map_err(|_| Error::<T>::Overflow)?;
		Ok(MarginSnapshot {
			initial: risk.initial_positions,
			initial_deficit: initial
				.checked_sub(risk.initial_equity)
				.ok_or(Error::<T>::Overflow)?,
			maintenance_deficit: maintenance
				.checked_sub(risk.equity)
				.ok_or(Error::<T>::Overflow)?,
		})
	}

	/// Whether `risk` (after an action) meets its initial requirement, or the action reduced
	/// the risk of the account since `before`: its positions' initial requirement did not grow
	/// and neither did its initial or maintenance deficit.
	pub(crate) fn meets_initial_or_reduced(
		risk: &Risk,
		before: Option<&MarginSnapshot>,
	) -> Result<bool, Error<T>> {
		if Self::meets(risk.initial_equity, risk.initial) {
			return Ok(true);
		}
		let Some(b) = before else { return Ok(false) };
		// Only an account at or above maintenance (a margin call, not a liquidation) may use
		// the exemption: below it, any price it pays beyond the rule would come out of the
		// insurance fund's pocket.
		if b.maintenance_deficit > 0 {
			return Ok(false);
		}
		let after = Self::snapshot_of(risk)?;
		Ok(after.initial <= b.initial
			&& after.initial_deficit <= b.initial_deficit
			&& after.maintenance_deficit <= b.maintenance_deficit)
	}

	/// Equity an account under liquidation must reach: `maintenance * (1 + buffer)`.
	pub(crate) fn liquidation_target(maintenance: Balance) -> Result<Balance, Error<T>> {
		let extra = Self::mul_up(maintenance, Params::<T>::get().liquidation_buffer)?;
		maintenance.checked_add(extra).ok_or(Error::<T>::Overflow)
	}

	/// The state of an evaluated account.
	pub(crate) fn state_of(risk: &Risk, in_liquidation: bool) -> Result<AccountState, Error<T>> {
		let below_target = |r: &Risk| -> Result<bool, Error<T>> {
			Ok(!Self::meets(r.equity, Self::liquidation_target(r.maintenance)?))
		};
		Ok(
			if !Self::meets(risk.equity, risk.maintenance)
				|| (in_liquidation && below_target(risk)?)
			{
				AccountState::Liquidatable
			} else if !Self::meets(risk.initial_equity, risk.initial_positions) {
				// Margin-called by its positions: resting orders only ever refuse new orders
				// (every order's check counts them), so the state is the same from the
				// maintenance view ([`Self::positions_risk_of`]) as from a whole evaluation.
				AccountState::Restricted
			} else {
				AccountState::Healthy
			},
		)
	}

	/// Record `who`'s state, emitting `StateChanged` (and `MarginCalled` when it becomes
	/// restricted). An account under liquidation that is back at or above its liquidation
	/// target (a price move, a deposit) leaves it here (`LiquidationEnded`), not only in a
	/// later liquidation.
	pub(crate) fn record_state(who: &T::AccountId, risk: &Risk) -> Result<AccountState, Error<T>> {
		let Some(mut info) = Accounts::<T>::get(who) else {
			return Self::state_of(risk, false);
		};
		let ended = info.in_liquidation
			&& Self::meets(risk.equity, Self::liquidation_target(risk.maintenance)?);
		if ended {
			info.in_liquidation = false;
			Self::deposit_event(Event::LiquidationEnded { account: who.clone() });
		}
		let state = Self::state_of(risk, info.in_liquidation)?;
		let from = info.state;
		if state != from || ended {
			info.state = state;
			Accounts::<T>::insert(who, info);
		}
		if state != from {
			Self::deposit_event(Event::StateChanged { who: who.clone(), from, to: state });
			if state == AccountState::Restricted {
				// The positions' requirement, which decides the state (the same from a whole
				// evaluation and from the maintenance view).
				Self::deposit_event(Event::MarginCalled {
					who: who.clone(),
					equity: risk.equity,
					initial: risk.initial_positions,
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

	/// The maintenance view of `who`: [`Self::risk_of`] of its positions alone, read from its
	/// index of series with a position (at most `max_positions_len` of them, however many
	/// series it quotes). Its equity, maintenance, positions' initial requirement and so its
	/// state ([`Self::state_of`]) are those of the whole evaluation; `initial` leaves the
	/// resting orders out. What the trigger step, the sweep and `liquidate` evaluate an
	/// account by (never what stamps it warm).
	pub fn positions_risk_of(who: &T::AccountId) -> Result<Risk, DispatchError> {
		let info = Accounts::<T>::get(who).unwrap_or_default();
		let portfolio = T::Positions::positions_in(who, &info.positions);
		Self::evaluate_portfolio(portfolio, info.collateral, info.debt, true)
	}
}
