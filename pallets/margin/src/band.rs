//! Trigger bands (issue 14, step 12 of `design/trigger-bands-and-lean-engine.md`): for an
//! account, a box of index prices and volatilities per underlying and a deadline inside which
//! the account cannot fall below its maintenance requirement.
//!
//! This module is pure: it reads nothing but what [`Pallet::band_of`] hands it, so the trigger
//! index and the trigger step can call it wherever an account is evaluated.
//!
//! # What is computed
//!
//! For an account with cash `c = collateral - debt`, the quantity the chain compares is
//! `f = equity - maintenance = c + sum_i v_i`, where `v_i` is position `i`'s mark value in
//! settlement units (rounded down) for a long, and minus its liability plus its maintenance
//! requirement (rounded up) for a short. Each `v_i` depends on its own underlying only, so `f`
//! is *separable*: a product of boxes, one per underlying, is exact (two underlyings moving
//! together is one point of the product).
//!
//! # Why the band is conservative (the proof)
//!
//! Fix one position and the box `sigma in [vol_lo, vol_hi]`, block time `t in [now, deadline]`
//! (every held series expires after `deadline`). With rate `r >= 0` and yield `q >= 0` the mark
//! is `D * Black(F, K, w)` with `D = e^{-r tau}`, `F = S e^{(r - q) tau}`, `w = sigma^2 tau`,
//! and Black's price increases in `F` (call) or decreases (put), increases in `w`, and the mark
//! increases in `D`. Choosing, independently, the worst `D`, `F/S` and `w` the box allows gives
//! a *corner* mark (`corner_mark`) that is below (long) or above (short) the mark at every
//! `(sigma, t)` of the box. Both are functions of `S` alone:
//!
//! 1. A long's corner value is monotone in `S` (a call increases, a put decreases), so on any
//!    price interval `[a, b]` it is at least the smaller of its values at `a` and `b`.
//! 2. A short's cost (liability plus maintenance) is `2 mark + r_m S` for a call and
//!    `min(2 mark + max(r_m S, r_mm mark), K)` for a put (the cap; `mark <= K` when `r >= 0`),
//!    both increasing in the mark. Black is convex in `F`, hence in `S`; a sum and a maximum
//!    of convex functions are convex; so the cost before the cap is convex in `S` and its
//!    supremum on `[a, b]` is the larger of its values at `a` and `b` (the cap is a minimum with
//!    a constant, taken after). So `-cost` is at least the smaller of its values at the ends.
//!
//! Hence, for every position, on `[a, b] x box`: `v_i >= min(c_i(a), c_i(b))`, where `c_i(x)`
//! is its corner value at `x` computed with the chain's own rounding, less an allowance for
//! that rounding, counted at the checked point and at the price it stands for: the final
//! roundings of value, liability and requirement to units, the roundings to `10^-18` USD per
//! contract and per unit of underlying before the multiplication by the contracts (these grow
//! with the number of contracts: with 10^18 contracts of 10^-12 BTC they move a position by 9 USD
//! between two checked points), and the pricing crate's error, taken as `10^-12` of the notional
//! (see `allowance`). A point that cannot be priced ends the band where it is verified.
//!
//! Parameters: the band holds under the parameters in force and under announced ones; its
//! deadline ends before the first block in which a change announced later could apply
//! (`ParameterNotice` blocks of at least `MinBlockInterval`).
//! Note that checking `f` at the band's edges alone would prove nothing: `f` is a difference of
//! convex functions and can dip between the edges (a calendar spread dips at its strike; long
//! gamma with short wings dips between the strikes). The bound above holds on the whole
//! interval, so the band is the union of adjacent intervals on each of which
//! `B(a, b) = sum_i min(c_i(a), c_i(b)) >= m_u - A_u`, where `m_u = sum_i c_i(S0)` is the corner
//! value now and `A_u >= 0` the part of the account's slack `c + sum_u m_u` given to underlying
//! `u` (`sum_u A_u <= slack`). Adding up over underlyings: anywhere in the product of boxes
//! `f >= c + sum_u B_u >= c + sum_u m_u - sum_u A_u >= 0`.
//!
//! # How the intervals are chosen
//!
//! From `S0` outwards, on each side, the points `S0 * (1 +- 1/128)`, `(1 +- 1/64)`, ... doubling
//! the step up to `S0 * 256` and down to `S0 / 512`; the first interval that does not verify is
//! bisected `refinements` times, and the band's edge is the last verified point. Each point
//! prices every position of the underlying once (one Black-Scholes price per position per
//! point, and per parameter set when a parameter change is pending): at most
//! `(15 + refinements) * 2 + 1` points per underlying.
//!
//! The error of the bound on an interval is at most its width times the sum of the positions'
//! slopes, so a hedged book (many offsetting positions) gets a narrower band than its net
//! risk would justify: it is re-checked more often, never too late.

use crate::{pallet::*, risk::UnitFigures, types::MarginParameters};
use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, traits::Time};
use optionchain_pricing::{exp, price, year_fraction, BsInputs, Fixed, Rounding, MAX_TIME_SECONDS};
use optionchain_primitives::{
	exchange::{PositionsProvider, SeriesTerms},
	Moment, OracleProvider, UnderlyingId,
};
use sp_arithmetic::helpers_128bit::multiply_by_rational_with_rounding;
use sp_arithmetic::per_things::Rounding as ArRounding;
use sp_runtime::SaturatedConversion;

/// One unexpired position of the account: its series' terms and net contracts (non-zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BandPosition {
	/// The series.
	pub terms: SeriesTerms,
	/// Net contracts: positive long, negative short.
	pub net: i128,
}

/// The canonical index price of an underlying now and the volatility box the band must hold
/// for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BandMarket {
	/// The underlying.
	pub underlying: UnderlyingId,
	/// Index price now, USD (18 decimals).
	pub spot: Fixed,
	/// Lowest volatility the band allows (18 decimals, 0.5 = 50 %).
	pub vol_lo: Fixed,
	/// Highest volatility the band allows.
	pub vol_hi: Fixed,
}

/// What a band is computed from.
#[derive(Clone, Debug)]
pub struct BandRequest<'a> {
	/// Collateral minus debt, plus the value of expired positions whose settlement price is
	/// fixed (constants), settlement units.
	pub cash: i128,
	/// Block time now (ms).
	pub now: Moment,
	/// The band holds for block times in `[now, deadline]` (ms); every position's series must
	/// expire after it.
	pub deadline: Moment,
	/// The parameter sets that may apply before the deadline (the current one, and a pending
	/// one): the band holds under each.
	pub params: &'a [MarginParameters],
	/// The positions.
	pub positions: &'a [BandPosition],
	/// One entry per underlying held, with its price now and its volatility box.
	pub markets: &'a [BandMarket],
	/// Bisections of the first interval that does not verify (0..=16).
	pub refinements: u32,
}

/// The band of one underlying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnderlyingBand {
	/// The underlying.
	pub underlying: UnderlyingId,
	/// Lowest index price of the band, USD (18 decimals).
	pub lo: Fixed,
	/// Highest index price of the band.
	pub hi: Fixed,
	/// Lowest volatility of the band.
	pub vol_lo: Fixed,
	/// Highest volatility of the band.
	pub vol_hi: Fixed,
}

/// A trigger band: while every underlying's index price and volatility stay inside its box
/// and block time does not pass `deadline`, the account is not below maintenance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Band {
	/// Last block time (ms) the band holds for.
	pub deadline: Moment,
	/// Equity minus maintenance at the worst corner of the box now, less the rounding
	/// allowances (settlement units): what the price moves may use up.
	pub slack: i128,
	/// One box per underlying held, in the request's order.
	pub underlyings: Vec<UnderlyingBand>,
}

/// Grid multipliers `(numerator, denominator)` of `S0` going up.
const UP: [(i128, i128); 15] = [
	(129, 128),
	(65, 64),
	(33, 32),
	(17, 16),
	(9, 8),
	(5, 4),
	(3, 2),
	(2, 1),
	(4, 1),
	(8, 1),
	(16, 1),
	(32, 1),
	(64, 1),
	(128, 1),
	(256, 1),
];
/// Grid multipliers going down.
const DOWN: [(i128, i128); 15] = [
	(127, 128),
	(63, 64),
	(31, 32),
	(15, 16),
	(7, 8),
	(3, 4),
	(1, 2),
	(1, 4),
	(1, 8),
	(1, 16),
	(1, 32),
	(1, 64),
	(1, 128),
	(1, 256),
	(1, 512),
];
/// The grid points (each side) whose intervals measure an underlying's sensitivity when the
/// slack is shared between several underlyings: up to `S0 (1 +- 1/16)`.
const SENSITIVITY_POINTS: usize = 4;
/// Bisections of a band's edge when the chain computes it (benchmarked as `trigger_band`):
/// within 1/16 of the last grid interval.
pub const CHAIN_BAND_REFINEMENTS: u32 = 4;
/// Most bisections allowed.
pub const MAX_REFINEMENTS: u32 = 16;

/// A price and every position's corner value there (settlement units, allowances taken).
struct Point {
	x: Fixed,
	values: Vec<i128>,
}

impl<T: Config> Pallet<T> {
	/// The trigger band of a request, or `None` when the account has no slack at the worst
	/// corner of its box now (it must be checked every block).
	pub fn band(req: &BandRequest) -> Result<Option<Band>, Error<T>> {
		let bad = Error::<T>::InvalidBandRequest;
		ensure!(req.refinements <= MAX_REFINEMENTS, bad);
		ensure!(req.deadline >= req.now, bad);
		ensure!(!req.params.is_empty(), bad);
		// One box per underlying (the index keys entries by underlying).
		ensure!(!repeats(req.markets.iter().map(|m| m.underlying)), bad);
		for p in req.positions {
			ensure!(p.net != 0 && p.terms.expiry > req.deadline, bad);
			ensure!(req.markets.iter().any(|m| m.underlying == p.terms.underlying), bad);
		}
		// Positions and the value now, per underlying.
		let mut groups: Vec<(Vec<BandPosition>, Point)> = Vec::with_capacity(req.markets.len());
		let mut slack = req.cash;
		for m in req.markets {
			ensure!(
				m.spot.is_positive()
					&& !m.vol_lo.is_negative()
					&& m.vol_lo.into_inner() <= m.vol_hi.into_inner(),
				Error::<T>::InvalidBandRequest
			);
			let positions: Vec<BandPosition> = req
				.positions
				.iter()
				.filter(|p| p.terms.underlying == m.underlying)
				.copied()
				.collect();
			let now = Self::band_point(req, m, &positions, m.spot)?;
			slack = slack.checked_add(Self::sum(&now.values)?).ok_or(Error::<T>::Overflow)?;
			groups.push((positions, now));
		}
		if slack < 0 {
			return Ok(None);
		}
		// Share the slack: by sensitivity to a 1/16 move (plus one unit each) when several
		// underlyings are held.
		let mut caches: Vec<(Vec<Point>, Vec<Point>)> = Vec::with_capacity(groups.len());
		let mut weights: Vec<u128> = Vec::with_capacity(groups.len());
		for (m, (positions, now)) in req.markets.iter().zip(groups.iter()) {
			let mut up = Vec::new();
			let mut down = Vec::new();
			let mut weight: u128 = 1;
			if req.markets.len() > 1 {
				let m_now: i128 = Self::sum(&now.values)?;
				let mut worst = m_now;
				for (side, grid) in [(&mut up, &UP), (&mut down, &DOWN)] {
					let mut prev: Vec<i128> = now.values.clone();
					for mult in grid.iter().take(SENSITIVITY_POINTS) {
						// Unpriceable this close to the index: this underlying takes what
						// the others leave (its edge stays where it verified).
						let Ok(next) = Self::grid_band_point(req, m, positions, *mult) else {
							break;
						};
						worst = worst.min(Self::interval_bound(&prev, &next.values)?);
						prev = next.values.clone();
						side.push(next);
					}
				}
				let drop = m_now.saturating_sub(worst);
				weight = u128::try_from(drop).unwrap_or(0).saturating_add(1);
			}
			caches.push((up, down));
			weights.push(weight);
		}
		let total: u128 = weights.iter().fold(0u128, |a, w| a.saturating_add(*w));
		let slack_u = u128::try_from(slack).map_err(|_| Error::<T>::Overflow)?;
		let mut underlyings = Vec::with_capacity(req.markets.len());
		for (((m, (positions, now)), (up, down)), w) in
			req.markets.iter().zip(groups.iter()).zip(caches).zip(weights)
		{
			let share = if req.markets.len() == 1 {
				slack_u
			} else {
				multiply_by_rational_with_rounding(slack_u, w, total.max(1), ArRounding::Down)
					.ok_or(Error::<T>::Overflow)?
			};
			let share = i128::try_from(share).map_err(|_| Error::<T>::Overflow)?;
			let threshold =
				Self::sum(&now.values)?.checked_sub(share).ok_or(Error::<T>::Overflow)?;
			let hi = Self::band_edge(req, m, positions, now, up, &UP, threshold)?;
			let lo = Self::band_edge(req, m, positions, now, down, &DOWN, threshold)?;
			underlyings.push(UnderlyingBand {
				underlying: m.underlying,
				lo,
				hi,
				vol_lo: m.vol_lo,
				vol_hi: m.vol_hi,
			});
		}
		Ok(Some(Band { deadline: req.deadline, slack, underlyings }))
	}

	fn sum(values: &[i128]) -> Result<i128, Error<T>> {
		values
			.iter()
			.try_fold(0i128, |s, v| s.checked_add(*v))
			.ok_or(Error::<T>::Overflow)
	}

	/// `S0 * num / den`, rounded toward `S0` (so the points stay ordered; the point checked is
	/// the edge itself, so the rounding cannot widen a band).
	fn grid_point(spot: Fixed, (num, den): (i128, i128)) -> Result<Fixed, Error<T>> {
		let inner = spot.into_inner().checked_mul(num).ok_or(Error::<T>::Overflow)?;
		let mut q = inner / den;
		if num < den && inner % den != 0 {
			q = q.saturating_add(1);
		}
		ensure!(q > 0, Error::<T>::InvalidBandRequest);
		Ok(Fixed::from_inner(q))
	}

	/// Lower bound of the positions' value on `[a, b]` (either order): each position at the
	/// smaller of its two end values.
	fn interval_bound(a: &[i128], b: &[i128]) -> Result<i128, Error<T>> {
		a.iter()
			.zip(b.iter())
			.try_fold(0i128, |s, (x, y)| s.checked_add(*x.min(y)))
			.ok_or(Error::<T>::Overflow)
	}

	/// The farthest point from `S0` on one side such that every interval from `S0` to it
	/// verifies `B >= threshold`.
	#[allow(clippy::too_many_arguments)]
	fn band_edge(
		req: &BandRequest,
		m: &BandMarket,
		positions: &[BandPosition],
		now: &Point,
		cache: Vec<Point>,
		grid: &[(i128, i128)],
		threshold: i128,
	) -> Result<Fixed, Error<T>> {
		let mut verified = Point { x: now.x, values: now.values.clone() };
		let mut cached = cache.into_iter();
		for mult in grid {
			let next = match cached.next() {
				Some(p) => p,
				// A point that cannot be priced (beyond the fixed-point range, far from the
				// index) ends the band where it is verified.
				None => match Self::grid_band_point(req, m, positions, *mult) {
					Ok(p) => p,
					Err(_) => return Ok(verified.x),
				},
			};
			if Self::interval_bound(&verified.values, &next.values)? >= threshold {
				verified = next;
				continue;
			}
			let mut beyond = next;
			for _ in 0..req.refinements {
				let sum = verified
					.x
					.into_inner()
					.checked_add(beyond.x.into_inner())
					.ok_or(Error::<T>::Overflow)?;
				let mid = Fixed::from_inner(sum / 2);
				if mid == verified.x || mid == beyond.x {
					break;
				}
				let Ok(p) = Self::band_point(req, m, positions, mid) else { break };
				if Self::interval_bound(&verified.values, &p.values)? >= threshold {
					verified = p;
				} else {
					beyond = p;
				}
			}
			return Ok(verified.x);
		}
		Ok(verified.x)
	}

	/// [`Self::band_point`] at the grid point `S0 * num / den`.
	fn grid_band_point(
		req: &BandRequest,
		m: &BandMarket,
		positions: &[BandPosition],
		mult: (i128, i128),
	) -> Result<Point, Error<T>> {
		Self::band_point(req, m, positions, Self::grid_point(m.spot, mult)?)
	}

	/// Every position's corner value at index price `x`, less its allowance.
	fn band_point(
		req: &BandRequest,
		m: &BandMarket,
		positions: &[BandPosition],
		x: Fixed,
	) -> Result<Point, Error<T>> {
		let mut values = Vec::with_capacity(positions.len());
		for p in positions {
			let mut worst: Option<i128> = None;
			for params in req.params {
				let v = Self::corner_value(req, m, p, x, params)?;
				worst = Some(worst.map_or(v, |w| w.min(v)));
			}
			let v = worst.ok_or(Error::<T>::Overflow)?;
			let v = v.checked_sub(Self::allowance(p, x)?).ok_or(Error::<T>::Overflow)?;
			values.push(v);
		}
		Ok(Point { x, values })
	}

	/// Units a position's computed value may differ from the bound by, counted twice (once at
	/// the checked point, once at the price it stands for): the final rounding of its value,
	/// liability and requirement to units (2 units); the per-contract rounding to 10^-18 USD
	/// before multiplying by the contracts (4 ulps per contract) and the per-unit roundings
	/// inside the requirement (4 ulps per unit of underlying); the pricing crate's error,
	/// taken as `10^-12` of the notional (`|net| * size * max(S, K)`); plus one.
	fn allowance(p: &BandPosition, x: Fixed) -> Result<i128, Error<T>> {
		let k = Self::fx(p.terms.strike)?;
		let big = if x.into_inner() >= k.into_inner() { x } else { k };
		let cs = Self::fx(p.terms.contract_size)?;
		let q = p.net.checked_abs().ok_or(Error::<T>::Overflow)?;
		let notional = Self::contracts_amount(big, cs, q, Rounding::Up, Rounding::Up)?;
		let ulps = Fixed::from_inner(8);
		let per_contract = Self::contracts_amount(ulps, Fixed::ONE, q, Rounding::Up, Rounding::Up)?;
		let per_unit = Self::contracts_amount(ulps, cs, q, Rounding::Up, Rounding::Up)?;
		[4, notional / 1_000_000_000_000, per_contract, per_unit, 1]
			.into_iter()
			.try_fold(0i128, |a, b| a.checked_add(b))
			.ok_or(Error::<T>::Overflow)
	}

	/// A position's value at index price `x`, at the corner of the box that is worst for it:
	/// a long's mark value (rounded down) at the lowest mark, or minus a short's liability
	/// and maintenance requirement (rounded up) at the highest mark.
	fn corner_value(
		req: &BandRequest,
		m: &BandMarket,
		p: &BandPosition,
		x: Fixed,
		params: &MarginParameters,
	) -> Result<i128, Error<T>> {
		let long = p.net > 0;
		let mark = Self::corner_mark(req, m, &p.terms, x, params, !long)?;
		let maintenance = if long {
			Fixed::ZERO
		} else {
			Self::requirements(p.terms.kind, x, Self::fx(p.terms.strike)?, mark, params)?.1
		};
		let u =
			UnitFigures { mark, initial: maintenance, maintenance, expired: false, fresh: true };
		Self::equity_less_maintenance(&p.terms, &u, p.net)
	}

	/// A position's contribution to `equity - maintenance` at `u`, as `evaluate` computes it:
	/// a long's mark value (rounded down), or minus a short's liability and maintenance
	/// requirement (rounded up).
	fn equity_less_maintenance(
		terms: &SeriesTerms,
		u: &UnitFigures,
		net: i128,
	) -> Result<i128, Error<T>> {
		if net > 0 {
			return Self::position_value(u.mark, Self::fx(terms.contract_size)?, net);
		}
		let q = net.checked_neg().ok_or(Error::<T>::Overflow)?;
		let f = Self::short_figures(terms, u, q)?;
		let cost = f.liability.checked_add(f.maintenance).ok_or(Error::<T>::Overflow)?;
		i128::try_from(cost)
			.map_err(|_| Error::<T>::Overflow)?
			.checked_neg()
			.ok_or(Error::<T>::Overflow)
	}

	/// The mark per unit at index price `x` at the corner of the box that is lowest (`upper`
	/// false) or highest (`upper` true) for this series: volatility `vol_lo` with the time to
	/// expiry at the deadline, or `vol_hi` with the time to expiry now; with a rate or yield,
	/// the discount factor and the forward's growth each at their worst end, taken
	/// independently (a relaxation, so still a bound).
	fn corner_mark(
		req: &BandRequest,
		m: &BandMarket,
		terms: &SeriesTerms,
		x: Fixed,
		params: &MarginParameters,
		upper: bool,
	) -> Result<Fixed, Error<T>> {
		let o = |_: optionchain_pricing::Error| Error::<T>::PricingFailed;
		// The chain prices with whole seconds to expiry, rounded down.
		let tau_now = terms.expiry.saturating_sub(req.now) / 1000;
		let tau_deadline = terms.expiry.saturating_sub(req.deadline) / 1000;
		ensure!(tau_now <= MAX_TIME_SECONDS, Error::<T>::PricingFailed);
		let (vol, tau_w) = if upper { (m.vol_hi, tau_now) } else { (m.vol_lo, tau_deadline) };
		let strike = Self::fx(terms.strike)?;
		let kind = Self::bs_kind(terms.kind);
		let r: Fixed = params.rate.into();
		let q: Fixed = params.dividend_yield.into();
		ensure!(!r.is_negative() && !q.is_negative(), Error::<T>::PricingFailed);
		if r.is_zero() && q.is_zero() {
			// Exactly the chain's own computation.
			let inputs = BsInputs {
				spot: x,
				strike,
				volatility: vol,
				rate: Fixed::ZERO,
				dividend_yield: Fixed::ZERO,
				time_seconds: tau_w,
			};
			return price(&inputs, kind).map_err(o);
		}
		// exp(r * tau) for the discount, exp((r - q) tau) for the forward's growth; each
		// rounded to nearest by the crate (error far below one unit of 10^-18), then widened by
		// one unit of 10^-18 in the safe direction.
		let growth = |tau: u64, round: Rounding| -> Result<Fixed, Error<T>> {
			let years = year_fraction(tau);
			let g = r.checked_sub(q).map_err(o)?.checked_mul(years, round).map_err(o)?;
			let e = exp(g).map_err(o)?;
			match round {
				Rounding::Up => e.checked_add(Fixed::EPSILON).map_err(o),
				_ => e.checked_sub(Fixed::EPSILON).map_err(o),
			}
		};
		// Forward factor: larger is better for a call, worse for a put.
		let call = kind == optionchain_pricing::OptionKind::Call;
		let want_large_forward = upper == call;
		let (g1, g2) = if want_large_forward {
			(growth(tau_now, Rounding::Up)?, growth(tau_deadline, Rounding::Up)?)
		} else {
			(growth(tau_now, Rounding::Down)?, growth(tau_deadline, Rounding::Down)?)
		};
		let factor = if want_large_forward {
			if g1.into_inner() >= g2.into_inner() {
				g1
			} else {
				g2
			}
		} else if g1.into_inner() <= g2.into_inner() {
			g1
		} else {
			g2
		};
		let round = if upper { Rounding::Up } else { Rounding::Down };
		let forward = x
			.checked_mul(factor, if want_large_forward { Rounding::Up } else { Rounding::Down })
			.map_err(o)?;
		// Discount e^{-r tau}: largest at the shortest time.
		let tau_d = if upper { tau_deadline } else { tau_now };
		let rd = r
			.checked_mul(year_fraction(tau_d), if upper { Rounding::Down } else { Rounding::Up })
			.map_err(o)?;
		let discount = exp(rd.checked_neg().map_err(o)?).map_err(o)?;
		let discount = if upper {
			discount.checked_add(Fixed::EPSILON).map_err(o)?
		} else {
			discount.checked_sub(Fixed::EPSILON).map_err(o)?
		};
		let discount = if discount.is_negative() { Fixed::ZERO } else { discount };
		let inputs = BsInputs {
			spot: forward,
			strike,
			volatility: vol,
			rate: Fixed::ZERO,
			dividend_yield: Fixed::ZERO,
			time_seconds: tau_w,
		};
		let black = price(&inputs, kind).map_err(o)?;
		let black = if upper { black.checked_add(Fixed::EPSILON).map_err(o)? } else { black };
		let mark = black.checked_mul(discount, round).map_err(o)?;
		Ok(if mark.is_negative() { Fixed::ZERO } else { mark })
	}
}

impl<T: Config> Pallet<T> {
	/// The trigger band of `who` now, from its stored positions and the oracle: the band holds
	/// for `horizon` ms (cut to one millisecond before the earliest expiry held, and to before
	/// the earliest block a parameter change announced from now on could apply in), for index
	/// prices anywhere in each underlying's `[lo, hi]`, and for volatilities within
	/// `vol_move` (a fraction: 0.25 = 25 %) of each underlying's volatility now, under the
	/// current and any pending parameters. `None` when the account has no band: under
	/// liquidation, holding an expired series whose settlement price is not fixed yet, or
	/// without slack at the worst corner now.
	pub fn band_of(
		who: &T::AccountId,
		horizon: Moment,
		vol_move: Fixed,
		refinements: u32,
	) -> Result<Option<Band>, DispatchError> {
		let info = Accounts::<T>::get(who).unwrap_or_default();
		if info.in_liquidation {
			return Ok(None);
		}
		let o = |_: optionchain_pricing::Error| Error::<T>::Overflow;
		ensure!(!vol_move.is_negative(), Error::<T>::InvalidBandRequest);
		let portfolio = T::Positions::positions_in(who, &info.positions);
		let params = Params::<T>::get();
		let pending = PendingParams::<T>::get().map(|p| p.params);
		let now = T::Time::now();
		let mut cash = i128::try_from(info.collateral)
			.ok()
			.zip(i128::try_from(info.debt).ok())
			.and_then(|(c, d)| c.checked_sub(d))
			.ok_or(Error::<T>::Overflow)?;
		// A parameter change announced from now on applies in block `current + notice` at the
		// earliest, whose `on_initialize` sees the time of the block before: `notice - 1`
		// block intervals from now at least, possibly exactly: the band ends 1 ms before.
		let notice: u64 = T::ParameterNotice::get().saturated_into();
		let until_change = notice
			.saturating_sub(1)
			.saturating_mul(T::MinBlockInterval::get())
			.saturating_sub(1);
		let mut deadline = now.saturating_add(horizon.min(until_change));
		let mut cache = Vec::new();
		let mut positions = Vec::new();
		let mut markets: Vec<BandMarket> = Vec::new();
		for p in portfolio.positions.into_iter().filter(|p| p.net != 0) {
			let m = Self::market_cached(&mut cache, p.terms.underlying)?;
			let net = i128::from(p.net);
			if now >= p.terms.expiry {
				// A constant once its settlement price is fixed, valued as `evaluate` does.
				if T::Oracle::settlement_price(p.terms.underlying, p.terms.expiry).is_none() {
					return Ok(None);
				}
				let u = Self::unit_figures(&p.terms, &m, now, &params, pending.as_ref())?;
				let v = Self::equity_less_maintenance(&p.terms, &u, net)?;
				cash = cash.checked_add(v).ok_or(Error::<T>::Overflow)?;
				continue;
			}
			deadline = deadline.min(p.terms.expiry.saturating_sub(1));
			positions.push(BandPosition { terms: p.terms, net });
			if !markets.iter().any(|b| b.underlying == m.id) {
				let lo = Fixed::ONE.checked_sub(vol_move).map_err(o)?;
				let lo = if lo.is_negative() { Fixed::ZERO } else { lo };
				let hi = Fixed::ONE.checked_add(vol_move).map_err(o)?;
				let vol_hi = m.vol.checked_mul(hi, Rounding::Up).map_err(o)?;
				let max = optionchain_pricing::MAX_VOLATILITY;
				markets.push(BandMarket {
					underlying: m.id,
					spot: m.spot,
					vol_lo: m.vol.checked_mul(lo, Rounding::Down).map_err(o)?,
					vol_hi: if vol_hi.into_inner() > max.into_inner() { max } else { vol_hi },
				});
			}
		}
		let mut sets = Vec::with_capacity(2);
		sets.push(params);
		sets.extend(pending);
		let req = BandRequest {
			cash,
			now,
			deadline: deadline.max(now),
			params: &sets,
			positions: &positions,
			markets: &markets,
			refinements,
		};
		Ok(Self::band(&req)?)
	}
}

/// The trigger index's bucket of a price or volatility (its 18-decimal inner value): the
/// exponent and the 7 bits below the leading one, so a bucket is at most 1/128 (0.78 %) of its
/// values wide; values below 128 are their own bucket. Monotone (`x <= y` implies
/// `bucket(x) <= bucket(y)`), so a price below a band's `lo` is in `lo`'s bucket or a lower
/// one: an index keyed by buckets finds every crossed edge, at most one bucket early, never
/// late. Integer code, no table: every validator computes the same bucket. Fits in 14 bits.
pub fn bucket(x: u128) -> u16 {
	if x < 128 {
		return x as u16;
	}
	let e = 127 - x.leading_zeros();
	let m = (x >> (e - 7)) & 127;
	(e * 128 + m as u32) as u16
}

/// Whether an underlying occurs twice in `ids` (quadratic: at most a few dozen).
pub(crate) fn repeats(ids: impl Iterator<Item = UnderlyingId> + Clone) -> bool {
	ids.clone()
		.enumerate()
		.any(|(i, u)| ids.clone().skip(i.saturating_add(1)).any(|v| v == u))
}
