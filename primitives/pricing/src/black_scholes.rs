//! Black-Scholes-Merton prices and greeks of European calls and puts, with a continuous rate `r`
//! and a continuous yield `q` (`q = r` gives Black-76 on a forward).
//!
//! With `F = S e^{(r-q)t}`, `d1 = (ln(S/K) + (r - q + sigma^2/2) t) / (sigma sqrt t)`,
//! `d2 = d1 - sigma sqrt t`:
//!
//! | quantity | call | put |
//! |---|---|---|
//! | price | `S e^{-qt} N(d1) - K e^{-rt} N(d2)` | `K e^{-rt} N(-d2) - S e^{-qt} N(-d1)` |
//! | delta | `e^{-qt} N(d1)` | `-e^{-qt} N(-d1)` |
//! | gamma | `e^{-qt} n(d1) / (S sigma sqrt t)` | same |
//! | vega (per 1.00 vol) | `S e^{-qt} n(d1) sqrt t` | same |
//! | theta (per year) | `-S e^{-qt} n(d1) sigma / (2 sqrt t) - r K e^{-rt} N(d2) + q S e^{-qt} N(d1)` | `-S e^{-qt} n(d1) sigma / (2 sqrt t) + r K e^{-rt} N(-d2) - q S e^{-qt} N(-d1)` |
//! | rho (per 1.00 rate) | `K t e^{-rt} N(d2)` | `-K t e^{-rt} N(-d2)` |
//!
//! All intermediates are Q96 (see [`crate::math`]); each output is a signed 256-bit sum of
//! `input * Q96 factor` terms rounded once to 18 decimals, half away from zero.

use crate::{
	fixed::{div_round, shr_round, Fixed, Rounding, SCALE},
	math::{
		exp_q, ln_int_q, ncdf_q, npdf_q, q_from_fixed, q_to_fixed, qdiv, qmul, sqrt_q, FRAC, ONE,
	},
	u256::U256,
	Error,
};

/// Seconds in the 365-day year used for time to expiry.
pub const SECONDS_PER_YEAR: u64 = 31_536_000;
/// Largest accepted volatility: 100.0 (10,000% a year).
pub const MAX_VOLATILITY: Fixed = Fixed::from_inner(100 * SCALE);
/// Largest accepted absolute rate or yield: 10.0 (1,000% a year).
pub const MAX_ABS_RATE: Fixed = Fixed::from_inner(10 * SCALE);
/// Longest accepted time to expiry: 100 years of 365 days.
pub const MAX_TIME_SECONDS: u64 = 100 * SECONDS_PER_YEAR;

/// Call or put.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OptionKind {
	/// The right to buy at the strike.
	Call,
	/// The right to sell at the strike.
	Put,
}

/// Inputs of a Black-Scholes-Merton evaluation. All rates are continuously compounded, per year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BsInputs {
	/// Spot price `S` (or the forward `F` for Black-76), > 0.
	pub spot: Fixed,
	/// Strike `K`, > 0.
	pub strike: Fixed,
	/// Volatility `sigma` per year (0.2 = 20%), in `[0, MAX_VOLATILITY]`; 0 is allowed.
	pub volatility: Fixed,
	/// Risk-free rate `r` (0.05 = 5%), `|r| <= MAX_ABS_RATE`.
	pub rate: Fixed,
	/// Continuous dividend / convenience / foreign yield `q`, `|q| <= MAX_ABS_RATE`.
	/// `q = rate` prices options on a forward (Black-76).
	pub dividend_yield: Fixed,
	/// Time to expiry in seconds, `<= MAX_TIME_SECONDS`; 0 means at expiry.
	pub time_seconds: u64,
}

impl BsInputs {
	/// Black-76 inputs: an option on a forward or future `forward`, discounted at `rate`.
	pub const fn black76(
		forward: Fixed,
		strike: Fixed,
		volatility: Fixed,
		rate: Fixed,
		time_seconds: u64,
	) -> BsInputs {
		BsInputs { spot: forward, strike, volatility, rate, dividend_yield: rate, time_seconds }
	}

	/// The year fraction used by the model: [`year_fraction`] of `time_seconds`.
	pub const fn time_years(&self) -> Fixed {
		year_fraction(self.time_seconds)
	}
}

/// Price and sensitivities of one option. Units: price, vega, theta and rho in currency units;
/// vega per 1.00 of volatility, theta per year (divide by 365 for per day), rho per 1.00 of rate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Greeks {
	/// Fair value.
	pub price: Fixed,
	/// dPrice/dSpot.
	pub delta: Fixed,
	/// d²Price/dSpot².
	pub gamma: Fixed,
	/// dPrice/dVolatility.
	pub vega: Fixed,
	/// -dPrice/dTime (time decay per year; usually negative).
	pub theta: Fixed,
	/// dPrice/dRate.
	pub rho: Fixed,
}

/// Call and put on the same inputs (computed together: they share every transcendental).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CallPutGreeks {
	/// The call.
	pub call: Greeks,
	/// The put.
	pub put: Greeks,
}

/// `t_seconds * 10^18 / 31_536_000`, truncated: the exact rule of the golden vectors.
pub const fn year_fraction(t_seconds: u64) -> Fixed {
	// t_seconds * 1e18 <= 1.85e37 < i128::MAX: cannot overflow
	Fixed::from_inner((t_seconds as i128) * SCALE / (SECONDS_PER_YEAR as i128))
}

/// Price and greeks of a call or a put.
pub fn price_and_greeks(inputs: &BsInputs, kind: OptionKind) -> Result<Greeks, Error> {
	let both = call_put_greeks(inputs)?;
	Ok(match kind {
		OptionKind::Call => both.call,
		OptionKind::Put => both.put,
	})
}

/// The price alone of a call or a put (same cost as [`price_and_greeks`]).
pub fn price(inputs: &BsInputs, kind: OptionKind) -> Result<Fixed, Error> {
	price_and_greeks(inputs, kind).map(|g| g.price)
}

/// `d1` and `d2`, rounded to nearest. `InputOutOfRange` at expiry or with zero volatility (they
/// are infinite or undefined there), `Overflow` if they exceed the Q96 range.
pub fn d1_d2(inputs: &BsInputs) -> Result<(Fixed, Fixed), Error> {
	let c = Core::new(inputs)?;
	match c.d1_d2 {
		Some((d1, d2)) => Ok((
			Fixed::from_inner(q_to_fixed(d1, Rounding::NearestHalfAwayFromZero)?),
			Fixed::from_inner(q_to_fixed(d2, Rounding::NearestHalfAwayFromZero)?),
		)),
		None => Err(Error::InputOutOfRange),
	}
}

/// Sum of `fixed_inner * q96` terms in two's complement 256 bits, rounded once at the end.
struct Acc(U256);

impl Acc {
	const fn new() -> Acc {
		Acc(U256::ZERO)
	}

	/// Adds `x * q / 2^96` (kept exact). Factors are bounded below 2^125 so that a handful of
	/// terms (each < 2^252) cannot wrap 2^255.
	fn add(mut self, x: i128, q: i128) -> Result<Acc, Error> {
		if q.unsigned_abs() >= 1u128 << 125 {
			return Err(Error::Overflow);
		}
		let p = U256::mul_u128(x.unsigned_abs(), q.unsigned_abs());
		let negative = (x < 0) != (q < 0);
		let t = if negative { p.wrapping_neg() } else { p };
		self.0 = self.0.wrapping_add(&t);
		Ok(self)
	}

	fn finish(self) -> Result<Fixed, Error> {
		let negative = self.0.bit(255);
		let mag = if negative { self.0.wrapping_neg() } else { self.0 };
		shr_round(mag, FRAC, negative, Rounding::NearestHalfAwayFromZero).map(Fixed::from_inner)
	}
}

#[inline]
fn qsub(a: i128, b: i128) -> Result<i128, Error> {
	a.checked_sub(b).ok_or(Error::Overflow)
}

#[inline]
fn qadd(a: i128, b: i128) -> Result<i128, Error> {
	a.checked_add(b).ok_or(Error::Overflow)
}

/// Values shared by all outputs.
struct Core {
	s: i128,
	k: i128,
	/// None at expiry.
	live: Option<Live>,
	d1_d2: Option<(i128, i128)>,
}

struct Live {
	t: i128,
	sig: i128,
	r: i128,
	q: i128,
	sqrt_t: i128,
	sst: i128,
	df_r: i128,
	df_q: i128,
	n1: i128,
	n2: i128,
	pdf1: i128,
}

/// |d| is clamped to 2^30 when `num / (sigma sqrt t)` exceeds it (N and n are exactly 0/1 and 0
/// far before that).
const D_CLAMP: i128 = ONE << 30;

impl Core {
	fn new(inp: &BsInputs) -> Result<Core, Error> {
		let s = inp.spot.into_inner();
		let k = inp.strike.into_inner();
		if s <= 0 {
			return Err(Error::NonPositiveSpot);
		}
		if k <= 0 {
			return Err(Error::NonPositiveStrike);
		}
		if inp.volatility.is_negative() {
			return Err(Error::NegativeVolatility);
		}
		if inp.volatility > MAX_VOLATILITY
			|| inp.rate.into_inner().unsigned_abs() > MAX_ABS_RATE.into_inner() as u128
			|| inp.dividend_yield.into_inner().unsigned_abs() > MAX_ABS_RATE.into_inner() as u128
			|| inp.time_seconds > MAX_TIME_SECONDS
		{
			return Err(Error::InputOutOfRange);
		}
		let t_fixed = year_fraction(inp.time_seconds).into_inner();
		if t_fixed == 0 {
			return Ok(Core { s, k, live: None, d1_d2: None });
		}
		let t = q_from_fixed(t_fixed)?;
		let sig = q_from_fixed(inp.volatility.into_inner())?;
		let r = q_from_fixed(inp.rate.into_inner())?;
		let q = q_from_fixed(inp.dividend_yield.into_inner())?;
		let df_r = exp_q(-qmul(r, t)?)?;
		let df_q = exp_q(-qmul(q, t)?)?;
		let sqrt_t = sqrt_q(t)?;
		let sst = qmul(sig, sqrt_t)?;
		// ln(S/K) = ln(S_inner) - ln(K_inner): the 10^18 scales cancel exactly
		let ln_sk = qsub(ln_int_q(s as u128)?, ln_int_q(k as u128)?)?;
		let half_var = qmul(sig, sig)? >> 1;
		let drift = qmul(qadd(qsub(r, q)?, half_var)?, t)?;
		let num = qadd(ln_sk, drift)?;
		let (n1, n2, pdf1, d1_d2) = if sst == 0 {
			// no diffusion: the option is worth its discounted forward intrinsic value
			let v = match num.signum() {
				1 => ONE,
				-1 => 0,
				_ => ONE / 2,
			};
			(v, v, 0, None)
		} else {
			let d1 = match qdiv(num, sst) {
				Ok(d) if d.unsigned_abs() <= D_CLAMP as u128 => d,
				_ => D_CLAMP * num.signum(),
			};
			let d2 = qsub(d1, sst)?;
			(ncdf_q(d1)?, ncdf_q(d2)?, npdf_q(d1)?, Some((d1, d2)))
		};
		Ok(Core {
			s,
			k,
			live: Some(Live { t, sig, r, q, sqrt_t, sst, df_r, df_q, n1, n2, pdf1 }),
			d1_d2,
		})
	}

	fn outputs(&self) -> Result<CallPutGreeks, Error> {
		let (s, k) = (self.s, self.k);
		let l = match &self.live {
			Some(l) => l,
			None => return Ok(at_expiry(s, k)),
		};
		let a = qmul(l.df_q, l.n1)?; // e^{-qt} N(d1)
		let b = qmul(l.df_r, l.n2)?; // e^{-rt} N(d2)
		let ac = qmul(l.df_q, qsub(ONE, l.n1)?)?; // e^{-qt} N(-d1)
		let bc = qmul(l.df_r, qsub(ONE, l.n2)?)?; // e^{-rt} N(-d2)
		let p = qmul(l.df_q, l.pdf1)?; // e^{-qt} n(d1)

		// a far out-of-the-money price is a difference of two terms each accurate to ~1e-28 of
		// itself, which can round to -1e-18; a price is never negative, so clamp at 0
		let call_price = Acc::new().add(s, a)?.add(-k, b)?.finish()?.max(Fixed::ZERO);
		let put_price = Acc::new().add(k, bc)?.add(-s, ac)?.finish()?.max(Fixed::ZERO);
		let call_delta = Fixed::from_inner(q_to_fixed(a, Rounding::NearestHalfAwayFromZero)?);
		let put_delta = Fixed::from_inner(q_to_fixed(-ac, Rounding::NearestHalfAwayFromZero)?);
		let gamma = gamma(p, l.sst, s)?;
		let vega = Acc::new().add(s, qmul(p, l.sqrt_t)?)?.finish()?;
		// S e^{-qt} n(d1) sigma / (2 sqrt t); t > 0 here so sqrt_t >= 1.7e-4
		let decay = qdiv(qmul(p, l.sig)?, l.sqrt_t.checked_mul(2).ok_or(Error::Overflow)?)?;
		let call_theta = Acc::new()
			.add(-s, decay)?
			.add(-k, qmul(l.r, b)?)?
			.add(s, qmul(l.q, a)?)?
			.finish()?;
		let put_theta = Acc::new()
			.add(-s, decay)?
			.add(k, qmul(l.r, bc)?)?
			.add(-s, qmul(l.q, ac)?)?
			.finish()?;
		let call_rho = Acc::new().add(k, qmul(l.t, b)?)?.finish()?;
		let put_rho = Acc::new().add(-k, qmul(l.t, bc)?)?.finish()?;
		Ok(CallPutGreeks {
			call: Greeks {
				price: call_price,
				delta: call_delta,
				gamma,
				vega,
				theta: call_theta,
				rho: call_rho,
			},
			put: Greeks {
				price: put_price,
				delta: put_delta,
				gamma,
				vega,
				theta: put_theta,
				rho: put_rho,
			},
		})
	}
}

/// `p / (S sigma sqrt t)` with `p` and `sst` in Q96 and `s` a Fixed inner, in one rounding:
/// `gamma_inner = p * 10^36 / (sst * s)`.
fn gamma(p: i128, sst: i128, s: i128) -> Result<Fixed, Error> {
	if p == 0 {
		return Ok(Fixed::ZERO);
	}
	if sst <= 0 || p < 0 || s <= 0 {
		return Err(Error::DivisionByZero);
	}
	let num = U256::mul_u128(p as u128, SCALE as u128)
		.checked_mul_u128(SCALE as u128)
		.ok_or(Error::Overflow)?;
	let den = U256::mul_u128(sst as u128, s as u128);
	// bring the divisor into 128 bits; drops < 2^-127 of it
	let shift = den.bits().saturating_sub(128);
	let den = den.shr(shift).to_u128().ok_or(Error::Overflow)?;
	div_round(num.shr(shift), den, false, Rounding::NearestHalfAwayFromZero).map(Fixed::from_inner)
}

/// At expiry: intrinsic values; delta is the step function (0 at the money), the other greeks 0.
fn at_expiry(s: i128, k: i128) -> CallPutGreeks {
	// s, k > 0 so the differences cannot overflow
	let call = Greeks {
		price: Fixed::from_inner(if s > k { s - k } else { 0 }),
		delta: if s > k { Fixed::ONE } else { Fixed::ZERO },
		..Greeks::default()
	};
	let put = Greeks {
		price: Fixed::from_inner(if k > s { k - s } else { 0 }),
		delta: if k > s { Fixed::from_inner(-SCALE) } else { Fixed::ZERO },
		..Greeks::default()
	};
	CallPutGreeks { call, put }
}

/// Price and greeks of the call and of the put on the same inputs.
///
/// Total: every input gives either a defined answer or a named [`Error`]:
/// `NonPositiveSpot`, `NonPositiveStrike`, `NegativeVolatility`, `InputOutOfRange` (beyond the
/// `MAX_*` constants), or `Overflow` (a discount factor above 2^31, i.e. `-r t > 21.4`, or a
/// result beyond `Fixed::MAX`, e.g. the gamma of a near-zero-volatility option at the money).
/// At expiry (`time_seconds == 0`) the intrinsic values are returned; with zero volatility the
/// discounted intrinsic value of the forward.
pub fn call_put_greeks(inputs: &BsInputs) -> Result<CallPutGreeks, Error> {
	Core::new(inputs)?.outputs()
}

#[cfg(test)]
mod tests {
	use super::*;

	fn fx(v: &str) -> Fixed {
		// tiny decimal parser for tests
		let (neg, v) = v.strip_prefix('-').map_or((false, v), |r| (true, r));
		let (i, f) = v.split_once('.').unwrap_or((v, ""));
		let mut f = f.to_string();
		while f.len() < 18 {
			f.push('0');
		}
		let inner = i.parse::<i128>().unwrap() * SCALE + f.parse::<i128>().unwrap_or(0);
		Fixed::from_inner(if neg { -inner } else { inner })
	}

	fn hull() -> BsInputs {
		BsInputs {
			spot: fx("42"),
			strike: fx("40"),
			volatility: fx("0.2"),
			rate: fx("0.1"),
			dividend_yield: Fixed::ZERO,
			time_seconds: SECONDS_PER_YEAR / 2,
		}
	}

	#[test]
	fn hull_textbook() {
		let g = call_put_greeks(&hull()).unwrap();
		assert_eq!(format!("{:.2}", g.call.price.into_inner() as f64 / 1e18), "4.76");
		assert_eq!(format!("{:.2}", g.put.price.into_inner() as f64 / 1e18), "0.81");
	}

	#[test]
	fn expiry_and_zero_vol() {
		let mut i = hull();
		i.time_seconds = 0;
		let g = call_put_greeks(&i).unwrap();
		assert_eq!(g.call.price, fx("2"));
		assert_eq!(g.put.price, Fixed::ZERO);
		assert_eq!(g.call.delta, Fixed::ONE);
		let mut i = hull();
		i.volatility = Fixed::ZERO;
		let g = call_put_greeks(&i).unwrap();
		// 42 - 40 e^{-0.05}
		let want = fx("42")
			.checked_sub(fx("40").checked_mul(fx("-0.05").exp().unwrap(), Rounding::Down).unwrap())
			.unwrap();
		assert!(
			(g.call.price.into_inner() - want.into_inner()).abs() <= 40,
			"{} {}",
			g.call.price,
			want
		);
		assert_eq!(g.put.price, Fixed::ZERO);
		assert_eq!(g.call.gamma, Fixed::ZERO);
		assert!(d1_d2(&i).is_err());
	}

	#[test]
	fn errors() {
		let mut i = hull();
		i.spot = Fixed::ZERO;
		assert_eq!(call_put_greeks(&i), Err(Error::NonPositiveSpot));
		let mut i = hull();
		i.strike = fx("-1");
		assert_eq!(call_put_greeks(&i), Err(Error::NonPositiveStrike));
		let mut i = hull();
		i.volatility = fx("-0.1");
		assert_eq!(call_put_greeks(&i), Err(Error::NegativeVolatility));
		let mut i = hull();
		i.time_seconds = u64::MAX;
		assert_eq!(call_put_greeks(&i), Err(Error::InputOutOfRange));
		let mut i = hull();
		i.rate = fx("-10");
		i.time_seconds = MAX_TIME_SECONDS;
		assert_eq!(call_put_greeks(&i), Err(Error::Overflow));
	}
}
