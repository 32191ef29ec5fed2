//! The one error type of the crate.

/// Why a computation has no defined result. Every fallible function of the crate returns it;
/// nothing panics and nothing wraps silently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
	/// A result or an intermediate value does not fit its fixed-point representation.
	Overflow,
	/// Division by zero.
	DivisionByZero,
	/// Logarithm of zero or of a negative number.
	NonPositiveLogarithm,
	/// Square root of a negative number.
	NegativeSquareRoot,
	/// Black-Scholes: the spot (or forward) price is zero or negative.
	NonPositiveSpot,
	/// Black-Scholes: the strike is zero or negative.
	NonPositiveStrike,
	/// Black-Scholes: the volatility is negative.
	NegativeVolatility,
	/// Black-Scholes: an input is outside the supported range (see `black_scholes::MAX_*`).
	InputOutOfRange,
	/// A conversion target cannot represent the value (e.g. a negative number into `FixedU128`).
	NotRepresentable,
}

impl core::fmt::Display for Error {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		let s = match self {
			Error::Overflow => "fixed-point overflow",
			Error::DivisionByZero => "division by zero",
			Error::NonPositiveLogarithm => "logarithm of a non-positive number",
			Error::NegativeSquareRoot => "square root of a negative number",
			Error::NonPositiveSpot => "spot must be positive",
			Error::NonPositiveStrike => "strike must be positive",
			Error::NegativeVolatility => "volatility must not be negative",
			Error::InputOutOfRange => "input outside the supported range",
			Error::NotRepresentable => "value not representable in the target type",
		};
		f.write_str(s)
	}
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
