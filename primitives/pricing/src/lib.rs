#![doc = include_str!("../README.md")]
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
