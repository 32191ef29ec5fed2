//! # optionchain-pricing
//!
//! Deterministic, `no_std`, float-free fixed-point mathematics for option pricing in the runtime:
//!
//! - [`Fixed`]: signed 18-decimal fixed point over `i128` (the representation of
//!   `sp_arithmetic::FixedI128`), with checked arithmetic and explicit [`Rounding`];
//! - [`math`]: `exp`, `ln`, `sqrt`, the normal density `npdf` and distribution function `ncdf`,
//!   all correctly rounded to 18 decimals up to ~1e-27 (internally 2^-96 binary fixed point);
//! - [`black_scholes`]: Black-Scholes-Merton (and Black-76) prices and greeks of European calls
//!   and puts.
//!
//! Every function is total: a defined answer or a named [`Error`], never a panic, never a wrap.
//! Results are bit-for-bit identical on every platform (native and `wasm32`).
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(
	not(test),
	deny(
		clippy::unwrap_used,
		clippy::expect_used,
		clippy::panic,
		clippy::indexing_slicing,
		clippy::float_arithmetic
	)
)]

pub mod black_scholes;
mod error;
pub mod fixed;
pub mod math;
mod tables;
mod u256;

pub use black_scholes::{
	call_put_greeks, d1_d2, price, price_and_greeks, year_fraction, BsInputs, CallPutGreeks,
	Greeks, OptionKind, MAX_ABS_RATE, MAX_TIME_SECONDS, MAX_VOLATILITY, SECONDS_PER_YEAR,
};
pub use error::Error;
pub use fixed::{Fixed, Rounding, SCALE};
pub use math::{exp, ln, ncdf, npdf, sqrt};
