//! Transcendental functions: `exp`, `ln`, `sqrt`, the normal density `npdf` and the normal
//! distribution function `ncdf`.
//!
//! Internally everything is computed in *Q96*: a binary fixed-point `i128` holding `value * 2^96`
//! (resolution 1.26e-29, range ±2^31). Products go through a 256-bit intermediate and are rounded
//! to nearest, so an evaluation of a few hundred operations stays ~1e-27 accurate, and the public
//! 18-decimal results are the exact values rounded once to nearest (half away from zero), except
//! when the exact value lies within ~1e-27 of a rounding boundary.

use crate::{
	fixed::{shr_round, signed_from_magnitude, Fixed, Rounding, SCALE},
	tables::*,
	u256::U256,
	Error,
};

/// Number of fractional bits of the internal format.
pub(crate) const FRAC: u32 = 96;
/// 1.0 in Q96.
pub(crate) const ONE: i128 = 1 << FRAC;
const HALF: i128 = 1 << (FRAC - 1);
/// 10^18 / 2^18 = 5^18: a Fixed inner times 2^96 / 10^18 is inner * 2^78 / 5^18.
const FIVE_POW_18: u128 = 3_814_697_265_625;

// ---------------------------------------------------------------- Q96 primitives

/// `a * b` in Q96, rounded to nearest.
#[inline]
pub(crate) fn qmul(a: i128, b: i128) -> Result<i128, Error> {
	let negative = (a < 0) != (b < 0);
	let p = U256::mul_u128(a.unsigned_abs(), b.unsigned_abs());
	shr_round(p, FRAC, negative, Rounding::NearestHalfAwayFromZero)
}

/// `a / b` in Q96, rounded to nearest.
#[inline]
pub(crate) fn qdiv(a: i128, b: i128) -> Result<i128, Error> {
	if b == 0 {
		return Err(Error::DivisionByZero);
	}
	let negative = (a < 0) != (b < 0);
	let n = U256::from_u128(a.unsigned_abs()).checked_shl(FRAC).ok_or(Error::Overflow)?;
	crate::fixed::div_round(n, b.unsigned_abs(), negative, Rounding::NearestHalfAwayFromZero)
}

#[inline]
fn add(a: i128, b: i128) -> Result<i128, Error> {
	a.checked_add(b).ok_or(Error::Overflow)
}

#[inline]
fn sub(a: i128, b: i128) -> Result<i128, Error> {
	a.checked_sub(b).ok_or(Error::Overflow)
}

/// A Fixed inner (`value * 10^18`) to Q96, rounded to nearest; `Overflow` beyond ±2^31.
#[inline]
pub(crate) fn q_from_fixed(x: i128) -> Result<i128, Error> {
	let n = U256::from_u128(x.unsigned_abs()).checked_shl(78).ok_or(Error::Overflow)?;
	crate::fixed::div_round(n, FIVE_POW_18, x < 0, Rounding::NearestHalfAwayFromZero)
}

/// Q96 to a Fixed inner, rounded by `mode` (cannot overflow: |q| < 2^127 gives |result| < 2^91).
#[inline]
pub(crate) fn q_to_fixed(q: i128, mode: Rounding) -> Result<i128, Error> {
	let p = U256::mul_u128(q.unsigned_abs(), SCALE as u128);
	shr_round(p, FRAC, q < 0, mode)
}

// ---------------------------------------------------------------- exp

/// Splits `e^x = 2^k * m` with `m = e^r`, `r = x - k ln 2`, `|r| <= ln2 / 2` (+ rounding), for
/// `|x| <= 2^12` (callers guarantee this; `Overflow` otherwise).
fn exp_parts(x: i128) -> Result<(i32, i128), Error> {
	if x.unsigned_abs() > (1u128 << (FRAC + 12)) {
		return Err(Error::Overflow);
	}
	// k = round(x / ln 2); |k| < 6000
	let t = qmul(x, INV_LN2)?;
	let k = add(t, HALF)? >> FRAC;
	let r = sub(x, k.checked_mul(LN2).ok_or(Error::Overflow)?)?;
	// Horner: sum_{n<24} r^n / n!, |r| < 0.35 so the remainder is < 1e-32
	let mut p: i128 = 0;
	for c in INV_FACT.iter().rev() {
		p = add(*c, qmul(r, p)?)?;
	}
	let k = i32::try_from(k).map_err(|_| Error::Overflow)?;
	Ok((k, p))
}

/// `e^x` in Q96; `Overflow` when the result exceeds 2^31, 0 when it is below 2^-97.
pub(crate) fn exp_q(x: i128) -> Result<i128, Error> {
	if x < -70 * ONE {
		return Ok(0); // e^-70 < 2^-100
	}
	if x > 22 * ONE {
		return Err(Error::Overflow);
	}
	let (k, m) = exp_parts(x)?;
	// m in [0.70, 1.42] * 2^96, k in [-101, 32]
	if k >= 0 {
		let v = U256::from_u128(m as u128).checked_shl(k as u32).ok_or(Error::Overflow)?;
		v.to_u128().and_then(|v| i128::try_from(v).ok()).ok_or(Error::Overflow)
	} else {
		shr_round(
			U256::from_u128(m as u128),
			k.unsigned_abs(),
			false,
			Rounding::NearestHalfAwayFromZero,
		)
	}
}

/// `e^x`, rounded to nearest. `Overflow` when the result exceeds [`Fixed::MAX`] (x > ~46.58);
/// exactly 0 when `e^x < 5e-19` (x < ~-42.14).
pub fn exp(x: Fixed) -> Result<Fixed, Error> {
	let xi = x.into_inner();
	if xi < -50 * SCALE {
		return Ok(Fixed::ZERO);
	}
	if xi > 50 * SCALE {
		return Err(Error::Overflow);
	}
	let (k, m) = exp_parts(q_from_fixed(xi)?)?;
	// result inner = m * 10^18 * 2^k / 2^96, k in [-73, 73]
	let p = U256::mul_u128(m as u128, SCALE as u128);
	if k >= FRAC as i32 {
		let v = p.checked_shl((k - FRAC as i32) as u32).ok_or(Error::Overflow)?;
		let v = v.to_u128().ok_or(Error::Overflow)?;
		return signed_from_magnitude(v, false).map(Fixed::from_inner);
	}
	let shift = (FRAC as i32 - k) as u32;
	shr_round(p, shift, false, Rounding::NearestHalfAwayFromZero).map(Fixed::from_inner)
}

// ---------------------------------------------------------------- ln

/// `ln(n)` in Q96 for a positive integer `n` (|result| < 89).
pub(crate) fn ln_int_q(n: u128) -> Result<i128, Error> {
	if n == 0 {
		return Err(Error::NonPositiveLogarithm);
	}
	// n = 2^b * m, m in [1, 2) as Q96 (dropping bits below 2^-96 relative: error < 1.3e-29)
	let mut b = 127 - n.leading_zeros() as i128;
	let mut m: i128 = if b >= FRAC as i128 {
		(n >> (b as u32 - FRAC)) as i128
	} else {
		(n << (FRAC - b as u32)) as i128
	};
	if m > SQRT2 {
		// move m to [sqrt2/2, 1): halving a Q96 value drops at most one bit (1.3e-29 relative)
		m = (m + 1) >> 1;
		b += 1;
	}
	// ln m = 2 atanh(s), s = (m - 1)/(m + 1), |s| <= 0.1716, s^2 <= 0.0295
	let s = qdiv(sub(m, ONE)?, add(m, ONE)?)?;
	let s2 = qmul(s, s)?;
	let mut p: i128 = 0;
	for c in INV_ODD.iter().rev() {
		p = add(*c, qmul(s2, p)?)?;
	}
	let ln_m = qmul(s, p)?.checked_mul(2).ok_or(Error::Overflow)?;
	add(b.checked_mul(LN2).ok_or(Error::Overflow)?, ln_m)
}

/// `ln(x)` in Q96 for a Fixed inner `x > 0`.
pub(crate) fn ln_fixed_q(x: i128) -> Result<i128, Error> {
	if x <= 0 {
		return Err(Error::NonPositiveLogarithm);
	}
	sub(ln_int_q(x as u128)?, LN_1E18)
}

/// Natural logarithm, rounded to nearest. `NonPositiveLogarithm` for `x <= 0`.
pub fn ln(x: Fixed) -> Result<Fixed, Error> {
	let q = ln_fixed_q(x.into_inner())?;
	q_to_fixed(q, Rounding::NearestHalfAwayFromZero).map(Fixed::from_inner)
}

// ---------------------------------------------------------------- sqrt

/// `sqrt(x)` in Q96 for `x >= 0` (floor).
pub(crate) fn sqrt_q(x: i128) -> Result<i128, Error> {
	if x < 0 {
		return Err(Error::NegativeSquareRoot);
	}
	let n = U256::from_u128(x as u128).checked_shl(FRAC).ok_or(Error::Overflow)?;
	i128::try_from(n.isqrt()).map_err(|_| Error::Overflow)
}

/// Square root, correctly rounded to nearest. `NegativeSquareRoot` for `x < 0`.
pub fn sqrt(x: Fixed) -> Result<Fixed, Error> {
	let xi = x.into_inner();
	if xi < 0 {
		return Err(Error::NegativeSquareRoot);
	}
	// sqrt(xi / 1e18) * 1e18 = sqrt(xi * 1e18)
	let n = U256::mul_u128(xi as u128, SCALE as u128);
	let y = n.isqrt();
	// round half up: (y + 1/2)^2 = y^2 + y + 1/4, so round up iff n - y^2 > y
	let y2 = U256::mul_u128(y, y);
	let rest = n.wrapping_add(&y2.wrapping_neg()); // n - y^2 >= 0, < 2y + 1
	let up = rest.to_u128().is_none_or(|r| r > y);
	let y = if up { y.checked_add(1).ok_or(Error::Overflow)? } else { y };
	signed_from_magnitude(y, false).map(Fixed::from_inner)
}

// ---------------------------------------------------------------- normal distribution

/// Normal density n(x) in Q96; exactly 0 for |x| > 40 (n(40) < 1e-348).
pub(crate) fn npdf_q(x: i128) -> Result<i128, Error> {
	if x.unsigned_abs() > 40 * (ONE as u128) {
		return Ok(0);
	}
	let half_sq = qmul(x, x)? >> 1;
	qmul(exp_q(-half_sq)?, INV_SQRT_2PI)
}

/// Upper tail Q(z) = 1 - N(z) in Q96 for `z >= 0`; absolute error ~1e-28.
///
/// Taylor expansion around the nearest node `x0 = j/8` (`j <= 96`), with tabulated `Q(x0)` and
/// `n(x0)`: `Q(x0 + h) = Q(x0) - n(x0) h sum_{k>=1} G_{k-1} / k`, where
/// `G_m = (-h)^m He_m(x0) / m!` (Hermite polynomials) obeys
/// `G_m = ((-h) x0 G_{m-1} - h^2 G_{m-2}) / m`. `|h| <= 1/16`, so `|h x0| <= 0.76` and the series
/// converges like `0.76^m / m!`.
fn upper_tail_q(z: i128) -> Result<i128, Error> {
	// z >= 12 + 1/16: Q(z) < 2.3e-33, below the Q96 resolution
	if z >= 12 * ONE + (ONE >> 4) {
		return Ok(0);
	}
	let j = add(z, 1 << (FRAC - 4))? >> (FRAC - 3); // round(8 z), 0..=96
	let h = sub(z, j << (FRAC - 3))?; // |h| <= 1/16
	let ju = usize::try_from(j).map_err(|_| Error::Overflow)?;
	let q0 = *TAIL_Q.get(ju).ok_or(Error::Overflow)?;
	let p0 = *PDF_NODE.get(ju).ok_or(Error::Overflow)?;
	let s = -h;
	let a = s.checked_mul(j).ok_or(Error::Overflow)? >> 3; // s * x0
	let b = qmul(s, s)?; // s^2
					  // sum = G0/1 + G1/2 + G2/3 + ...
	let mut g_prev2 = ONE; // G0
	let mut g_prev = a; // G1
	let mut sum = add(ONE, qmul(a, INV_INT[2])?)?;
	for (m, inv_m) in INV_INT.iter().enumerate().skip(2) {
		if g_prev == 0 && g_prev2 == 0 {
			break;
		}
		let g = qmul(sub(qmul(a, g_prev)?, qmul(b, g_prev2)?)?, *inv_m)?;
		let inv_next = match INV_INT.get(m + 1) {
			Some(v) => *v,
			None => break,
		};
		sum = add(sum, qmul(g, inv_next)?)?;
		g_prev2 = g_prev;
		g_prev = g;
	}
	sub(q0, qmul(p0, qmul(h, sum)?)?)
}

/// N(x) in Q96; absolute error ~1e-28.
pub(crate) fn ncdf_q(x: i128) -> Result<i128, Error> {
	if x >= 0 {
		sub(ONE, upper_tail_q(x)?)
	} else {
		upper_tail_q(x.checked_neg().ok_or(Error::Overflow)?)
	}
}

/// Standard normal density `n(x) = e^(-x^2/2) / sqrt(2 pi)`, rounded to nearest. Total.
pub fn npdf(x: Fixed) -> Fixed {
	let xi = x.into_inner();
	if xi.unsigned_abs() > 40 * (SCALE as u128) {
		return Fixed::ZERO;
	}
	// |x| <= 40 always converts and evaluates; the fallback is unreachable
	q_from_fixed(xi)
		.and_then(npdf_q)
		.and_then(|q| q_to_fixed(q, Rounding::NearestHalfAwayFromZero))
		.map(Fixed::from_inner)
		.unwrap_or(Fixed::ZERO)
}

/// Standard normal distribution function `N(x)`, rounded to nearest (absolute error at most
/// 0.5e-18 + 1e-27). Total: exactly 0 below -12.0625 and 1 above 12.0625.
pub fn ncdf(x: Fixed) -> Fixed {
	let xi = x.into_inner();
	let limit = 12 * SCALE + SCALE / 16;
	if xi >= limit {
		return Fixed::ONE;
	}
	if xi <= -limit {
		return Fixed::ZERO;
	}
	// |x| < 12.07 always converts and evaluates; the fallback is unreachable
	q_from_fixed(xi)
		.and_then(ncdf_q)
		.and_then(|q| q_to_fixed(q, Rounding::NearestHalfAwayFromZero))
		.map(Fixed::from_inner)
		.unwrap_or(if xi < 0 { Fixed::ZERO } else { Fixed::ONE })
}

#[cfg(test)]
mod tests {
	use super::*;

	fn fx(v: i128) -> Fixed {
		Fixed::from_inner(v)
	}

	#[test]
	fn exp_ln_basics() {
		assert_eq!(exp(Fixed::ZERO).unwrap(), Fixed::ONE);
		assert_eq!(exp(Fixed::ONE).unwrap(), fx(2_718_281_828_459_045_235));
		assert_eq!(ln(Fixed::ONE).unwrap(), Fixed::ZERO);
		assert_eq!(ln(fx(2 * SCALE)).unwrap(), fx(693_147_180_559_945_309));
		assert_eq!(ln(Fixed::ZERO), Err(Error::NonPositiveLogarithm));
		assert_eq!(ln(fx(-1)), Err(Error::NonPositiveLogarithm));
		assert_eq!(exp(fx(47 * SCALE)), Err(Error::Overflow));
		assert_eq!(exp(fx(-43 * SCALE)).unwrap(), Fixed::ZERO);
		assert_eq!(exp(Fixed::MIN).unwrap(), Fixed::ZERO);
		assert_eq!(exp(Fixed::MAX), Err(Error::Overflow));
		assert!(ln(Fixed::MAX).is_ok());
		assert!(ln(Fixed::EPSILON).is_ok());
	}

	#[test]
	fn sqrt_basics() {
		assert_eq!(sqrt(fx(4 * SCALE)).unwrap(), fx(2 * SCALE));
		assert_eq!(sqrt(fx(2 * SCALE)).unwrap(), fx(1_414_213_562_373_095_049));
		assert_eq!(sqrt(Fixed::ZERO).unwrap(), Fixed::ZERO);
		assert_eq!(sqrt(fx(-1)), Err(Error::NegativeSquareRoot));
		assert!(sqrt(Fixed::MAX).is_ok());
		assert_eq!(sqrt_q(4 * ONE).unwrap(), 2 * ONE);
	}

	#[test]
	fn ncdf_basics() {
		assert_eq!(ncdf(Fixed::ZERO), fx(SCALE / 2));
		assert_eq!(ncdf(Fixed::MAX), Fixed::ONE);
		assert_eq!(ncdf(Fixed::MIN), Fixed::ZERO);
		assert_eq!(npdf(Fixed::MIN), Fixed::ZERO);
		// N(1) = 0.841344746068542948585...
		assert_eq!(ncdf(Fixed::ONE), fx(841_344_746_068_542_949));
		// symmetry
		for i in -200..200i128 {
			let x = fx(i * 61_000_000_000_000_000 + 12345);
			let s = ncdf(x).into_inner() + ncdf(fx(-x.into_inner())).into_inner();
			assert!((s - SCALE).abs() <= 1, "{i}");
		}
	}
}
