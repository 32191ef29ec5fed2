//! `Fixed`: a signed decimal fixed-point number over `i128` with 18 decimals.

use crate::{u256::U256, Error};
use sp_arithmetic::{FixedI128, FixedU128};

/// 10^18, the scale of [`Fixed`].
pub const SCALE: i128 = 1_000_000_000_000_000_000;
const SCALE_U: u128 = SCALE as u128;

/// How a result that is not exactly representable is rounded to the 18th decimal.
///
/// Which direction protects the protocol: round what the protocol *receives or requires*
/// (premiums charged, margin required, collateral haircuts) [`Rounding::Up`], and what it *pays out
/// or credits* (premiums paid, collateral value, withdrawable balances) [`Rounding::Down`]. Then
/// every rounding error is in the protocol's favour and cannot be farmed by splitting positions.
/// [`Rounding::NearestHalfAwayFromZero`] is unbiased in magnitude and is what the pricing functions
/// use for their outputs (it is also the rule of the golden vectors).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rounding {
	/// Towards negative infinity (floor).
	Down,
	/// Towards positive infinity (ceiling).
	Up,
	/// To the nearest representable value; exact halves go away from zero.
	NearestHalfAwayFromZero,
}

/// A signed fixed-point number: the value is `inner / 10^18`.
///
/// Same representation as `sp_arithmetic::FixedI128`, so conversions to and from it are exact.
/// Range: about ±1.7e20 with a resolution of 1e-18. All arithmetic is checked and returns
/// [`Error`] instead of panicking or wrapping.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fixed(i128);

/// Applies `mode` to a non-negative magnitude `q` (already truncated) whose discarded part is
/// described by `nonzero_rest` (anything was discarded) and `half_or_more` (the discarded part is
/// at least one half), for a result of sign `negative`; returns the signed `i128`.
#[inline]
pub(crate) fn finish_rounding(
	q: U256,
	nonzero_rest: bool,
	half_or_more: bool,
	negative: bool,
	mode: Rounding,
) -> Result<i128, Error> {
	let bump = match mode {
		Rounding::NearestHalfAwayFromZero => half_or_more,
		Rounding::Down => negative && nonzero_rest,
		Rounding::Up => !negative && nonzero_rest,
	};
	let mag = q.to_u128().ok_or(Error::Overflow)?;
	let mag = if bump { mag.checked_add(1).ok_or(Error::Overflow)? } else { mag };
	signed_from_magnitude(mag, negative)
}

/// `±mag` as `i128`, `Overflow` if it does not fit.
#[inline]
pub(crate) fn signed_from_magnitude(mag: u128, negative: bool) -> Result<i128, Error> {
	if negative {
		if mag <= i128::MAX as u128 {
			Ok(-(mag as i128))
		} else if mag == 1u128 << 127 {
			Ok(i128::MIN)
		} else {
			Err(Error::Overflow)
		}
	} else if mag <= i128::MAX as u128 {
		Ok(mag as i128)
	} else {
		Err(Error::Overflow)
	}
}

/// `±(n / d)` rounded by `mode`.
#[inline]
pub(crate) fn div_round(n: U256, d: u128, negative: bool, mode: Rounding) -> Result<i128, Error> {
	let (q, r) = n.div_rem_u128(d).ok_or(Error::DivisionByZero)?;
	// r >= d - r  <=>  2r >= d, without overflow
	finish_rounding(q, r != 0, r >= d - r, negative, mode)
}

/// `±(n / 2^shift)` rounded by `mode`.
#[inline]
pub(crate) fn shr_round(
	n: U256,
	shift: u32,
	negative: bool,
	mode: Rounding,
) -> Result<i128, Error> {
	if shift == 0 {
		let mag = n.to_u128().ok_or(Error::Overflow)?;
		return signed_from_magnitude(mag, negative);
	}
	let q = n.shr(shift);
	finish_rounding(q, n.any_low_bits(shift), n.bit(shift - 1), negative, mode)
}

impl Fixed {
	/// Number of decimals.
	pub const DECIMALS: u32 = 18;
	/// Zero.
	pub const ZERO: Fixed = Fixed(0);
	/// One.
	pub const ONE: Fixed = Fixed(SCALE);
	/// The largest value, about 1.7e20.
	pub const MAX: Fixed = Fixed(i128::MAX);
	/// The smallest (most negative) value.
	pub const MIN: Fixed = Fixed(i128::MIN);
	/// The smallest positive value, 1e-18.
	pub const EPSILON: Fixed = Fixed(1);

	/// From the raw representation (`value * 10^18`).
	#[inline]
	pub const fn from_inner(inner: i128) -> Fixed {
		Fixed(inner)
	}

	/// The raw representation (`value * 10^18`).
	#[inline]
	pub const fn into_inner(self) -> i128 {
		self.0
	}

	/// An integer, `Overflow` beyond about ±1.7e20.
	#[inline]
	pub const fn from_integer(n: i128) -> Result<Fixed, Error> {
		match n.checked_mul(SCALE) {
			Some(v) => Ok(Fixed(v)),
			None => Err(Error::Overflow),
		}
	}

	/// `n / d` rounded by `mode`.
	pub fn from_rational(n: i128, d: i128, mode: Rounding) -> Result<Fixed, Error> {
		if d == 0 {
			return Err(Error::DivisionByZero);
		}
		let negative = (n < 0) != (d < 0) && n != 0;
		let num = U256::mul_u128(n.unsigned_abs(), SCALE_U);
		div_round(num, d.unsigned_abs(), negative, mode).map(Fixed)
	}

	/// True if the value is zero.
	#[inline]
	pub const fn is_zero(self) -> bool {
		self.0 == 0
	}

	/// True if the value is negative.
	#[inline]
	pub const fn is_negative(self) -> bool {
		self.0 < 0
	}

	/// True if the value is positive.
	#[inline]
	pub const fn is_positive(self) -> bool {
		self.0 > 0
	}

	/// `self + rhs`.
	#[inline]
	pub const fn checked_add(self, rhs: Fixed) -> Result<Fixed, Error> {
		match self.0.checked_add(rhs.0) {
			Some(v) => Ok(Fixed(v)),
			None => Err(Error::Overflow),
		}
	}

	/// `self - rhs`.
	#[inline]
	pub const fn checked_sub(self, rhs: Fixed) -> Result<Fixed, Error> {
		match self.0.checked_sub(rhs.0) {
			Some(v) => Ok(Fixed(v)),
			None => Err(Error::Overflow),
		}
	}

	/// `-self` (`Overflow` only for [`Fixed::MIN`]).
	#[inline]
	pub const fn checked_neg(self) -> Result<Fixed, Error> {
		match self.0.checked_neg() {
			Some(v) => Ok(Fixed(v)),
			None => Err(Error::Overflow),
		}
	}

	/// `|self|` (`Overflow` only for [`Fixed::MIN`]).
	#[inline]
	pub const fn checked_abs(self) -> Result<Fixed, Error> {
		match self.0.checked_abs() {
			Some(v) => Ok(Fixed(v)),
			None => Err(Error::Overflow),
		}
	}

	/// `self * rhs`, exact through a 256-bit product, then rounded once by `mode`.
	pub fn checked_mul(self, rhs: Fixed, mode: Rounding) -> Result<Fixed, Error> {
		let negative = (self.0 < 0) != (rhs.0 < 0) && self.0 != 0 && rhs.0 != 0;
		let p = U256::mul_u128(self.0.unsigned_abs(), rhs.0.unsigned_abs());
		div_round(p, SCALE_U, negative, mode).map(Fixed)
	}

	/// `self / rhs`, exact through a 256-bit dividend, then rounded once by `mode`.
	pub fn checked_div(self, rhs: Fixed, mode: Rounding) -> Result<Fixed, Error> {
		if rhs.0 == 0 {
			return Err(Error::DivisionByZero);
		}
		let negative = (self.0 < 0) != (rhs.0 < 0) && self.0 != 0;
		let n = U256::mul_u128(self.0.unsigned_abs(), SCALE_U);
		div_round(n, rhs.0.unsigned_abs(), negative, mode).map(Fixed)
	}

	/// `self * n` for an integer `n`.
	#[inline]
	pub const fn checked_mul_int(self, n: i128) -> Result<Fixed, Error> {
		match self.0.checked_mul(n) {
			Some(v) => Ok(Fixed(v)),
			None => Err(Error::Overflow),
		}
	}

	/// `e^self`, rounded to nearest. `Overflow` above about 46.58; 0 below about -42.14.
	#[inline]
	pub fn exp(self) -> Result<Fixed, Error> {
		crate::math::exp(self)
	}

	/// Natural logarithm, rounded to nearest. `NonPositiveLogarithm` for `self <= 0`.
	#[inline]
	pub fn ln(self) -> Result<Fixed, Error> {
		crate::math::ln(self)
	}

	/// Square root, rounded to nearest. `NegativeSquareRoot` for `self < 0`.
	#[inline]
	pub fn sqrt(self) -> Result<Fixed, Error> {
		crate::math::sqrt(self)
	}

	/// Standard normal density n(self), rounded to nearest.
	#[inline]
	pub fn npdf(self) -> Fixed {
		crate::math::npdf(self)
	}

	/// Standard normal distribution function N(self), rounded to nearest.
	#[inline]
	pub fn ncdf(self) -> Fixed {
		crate::math::ncdf(self)
	}
}

impl From<FixedI128> for Fixed {
	/// Exact: both have 18 decimals over `i128`.
	fn from(x: FixedI128) -> Fixed {
		Fixed(x.into_inner())
	}
}

impl From<Fixed> for FixedI128 {
	/// Exact: both have 18 decimals over `i128`.
	fn from(x: Fixed) -> FixedI128 {
		FixedI128::from_inner(x.0)
	}
}

impl TryFrom<FixedU128> for Fixed {
	type Error = Error;
	/// Exact; `NotRepresentable` above `Fixed::MAX` (about 1.7e20).
	fn try_from(x: FixedU128) -> Result<Fixed, Error> {
		i128::try_from(x.into_inner()).map(Fixed).map_err(|_| Error::NotRepresentable)
	}
}

impl TryFrom<Fixed> for FixedU128 {
	type Error = Error;
	/// Exact; `NotRepresentable` for negative values.
	fn try_from(x: Fixed) -> Result<FixedU128, Error> {
		u128::try_from(x.0)
			.map(FixedU128::from_inner)
			.map_err(|_| Error::NotRepresentable)
	}
}

impl core::fmt::Display for Fixed {
	/// Plain decimal notation with trailing zeros removed, e.g. `-4.75`, `0.000000000000000001`.
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		let mag = self.0.unsigned_abs();
		let int = mag / SCALE_U;
		let mut frac = mag % SCALE_U;
		if self.0 < 0 {
			f.write_str("-")?;
		}
		write!(f, "{int}")?;
		if frac != 0 {
			let mut width = 18usize;
			while frac.is_multiple_of(10) {
				frac /= 10;
				width -= 1;
			}
			write!(f, ".{frac:0width$}")?;
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use Rounding::*;

	fn f(x: i128) -> Fixed {
		Fixed::from_inner(x)
	}

	#[test]
	fn mul_rounding_modes() {
		// 1e-18 * 0.5 = 5e-19
		let half = Fixed::from_rational(1, 2, Down).unwrap();
		assert_eq!(f(1).checked_mul(half, Down).unwrap(), f(0));
		assert_eq!(f(1).checked_mul(half, Up).unwrap(), f(1));
		assert_eq!(f(1).checked_mul(half, NearestHalfAwayFromZero).unwrap(), f(1));
		assert_eq!(f(-1).checked_mul(half, Down).unwrap(), f(-1));
		assert_eq!(f(-1).checked_mul(half, Up).unwrap(), f(0));
		assert_eq!(f(-1).checked_mul(half, NearestHalfAwayFromZero).unwrap(), f(-1));
		let third = Fixed::from_rational(1, 3, NearestHalfAwayFromZero).unwrap();
		assert_eq!(third, f(333_333_333_333_333_333));
		assert_eq!(
			Fixed::from_rational(-2, 3, NearestHalfAwayFromZero).unwrap(),
			f(-666_666_666_666_666_667)
		);
		assert_eq!(Fixed::from_rational(-2, 3, Up).unwrap(), f(-666_666_666_666_666_666));
		assert_eq!(Fixed::from_rational(-2, 3, Down).unwrap(), f(-666_666_666_666_666_667));
	}

	#[test]
	fn mul_div_large_and_checked() {
		let big = Fixed::from_integer(10_000_000_000).unwrap(); // 1e10
		let p = big.checked_mul(big, Down).unwrap(); // 1e20 fits
		assert_eq!(p, Fixed::from_integer(100_000_000_000_000_000_000).unwrap());
		assert_eq!(p.checked_mul(big, Down), Err(Error::Overflow));
		assert_eq!(p.checked_div(big, Down).unwrap(), big);
		assert_eq!(Fixed::ONE.checked_div(Fixed::ZERO, Down), Err(Error::DivisionByZero));
		assert_eq!(Fixed::MAX.checked_add(Fixed::EPSILON), Err(Error::Overflow));
		assert_eq!(Fixed::MIN.checked_neg(), Err(Error::Overflow));
		assert_eq!(Fixed::MIN.checked_mul(Fixed::ONE, Down).unwrap(), Fixed::MIN);
		assert_eq!(Fixed::MIN.checked_div(Fixed::ONE, Up).unwrap(), Fixed::MIN);
		assert_eq!(Fixed::MIN.checked_div(f(-SCALE), Up), Err(Error::Overflow));
		assert_eq!(
			Fixed::ONE.checked_div(f(3), Up).unwrap(),
			f(333_333_333_333_333_333_333_333_333_333_333_334)
		);
	}

	#[test]
	fn sp_arithmetic_roundtrip() {
		for x in [0i128, 1, -1, i128::MAX, i128::MIN, 4_750_000_000_000_000_000] {
			let a: FixedI128 = Fixed::from_inner(x).into();
			assert_eq!(a.into_inner(), x);
			assert_eq!(Fixed::from(a).into_inner(), x);
		}
		let u = FixedU128::from_inner(u128::MAX);
		assert_eq!(Fixed::try_from(u), Err(Error::NotRepresentable));
		let u = FixedU128::from_inner(i128::MAX as u128);
		assert_eq!(Fixed::try_from(u).unwrap(), Fixed::MAX);
		assert_eq!(FixedU128::try_from(f(-1)), Err(Error::NotRepresentable));
		assert_eq!(FixedU128::try_from(f(7)).unwrap().into_inner(), 7);
	}

	#[test]
	fn display() {
		assert_eq!(format!("{}", f(-4_750_000_000_000_000_000)), "-4.75");
		assert_eq!(format!("{}", f(1)), "0.000000000000000001");
		assert_eq!(format!("{}", Fixed::ZERO), "0");
		assert_eq!(format!("{}", Fixed::from_integer(42).unwrap()), "42");
	}
}
