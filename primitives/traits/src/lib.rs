#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
pub use sp_arithmetic::FixedU128;
use sp_runtime::DispatchResult;
use sp_weights::Weight;

extern crate alloc;

pub mod exchange;
#[cfg(feature = "testing")]
pub mod testing;

/// Hard upper bound of any index price, in whole USD per unit of the underlying (10^12): the
/// oracle refuses a larger `max_price` for any underlying, so every price a pallet reads is at
/// most this. The options pallet sizes its listing checks by it.
pub const MAX_INDEX_PRICE_USD: u128 = 1_000_000_000_000;

/// Identifier of an underlying asset (BTC = 0, ETH = 1 in the dev runtime).
pub type UnderlyingId = u32;
/// Milliseconds since the Unix epoch (the unit of `pallet-timestamp`); a duration of this type
/// is in milliseconds too.
pub type Moment = u64;
/// USD per one unit of the underlying, 18-decimal fixed point (`FixedU128`: the encoded inner
/// value is the price times 10^18, so 60,000 USD is `60_000 × 10^18`).
pub type Price = FixedU128;
/// Annualised implied volatility as a fraction (0.65 = 65 %), 18-decimal fixed point
/// (`FixedU128`: 0.65 is `650_000_000_000_000_000`).
pub type Volatility = FixedU128;

/// How far a reader may trust a canonical value.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum PriceStatus {
	/// Computed from at least `quorum` operator submissions that are all younger than the
	/// asset's heartbeat. Safe to use.
	Fresh,
	/// Fewer than `quorum` submissions within the heartbeat back the value: the number is the
	/// last canonical one and may be arbitrarily old. Do not take risk on it.
	Stale,
	/// The latest aggregate moved beyond the per-block bound and has not been confirmed yet; the
	/// number is the last value before the move. Do not liquidate or take risk on it.
	CircuitBreaker,
}

/// The canonical index price of an underlying in the current block.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct IndexPrice {
	/// Median of the operators' submissions: USD per unit of the underlying, 18-decimal fixed
	/// point.
	pub price: Price,
	/// Half-width of the confidence band around `price`: the median absolute deviation of the
	/// submissions from `price`, USD per unit of the underlying, 18-decimal fixed point. The
	/// band is `[price - confidence, price + confidence]`.
	pub confidence: Price,
	/// Whether the value may be used (see [`PriceStatus`]).
	pub status: PriceStatus,
	/// Timestamp of the block in which `price` became canonical, ms since the Unix epoch.
	pub updated_at: Moment,
	/// Number of the block in which `price` became canonical.
	pub block: u32,
}

impl IndexPrice {
	/// The price if and only if it is [`PriceStatus::Fresh`].
	pub fn fresh(&self) -> Option<Price> {
		(self.status == PriceStatus::Fresh).then_some(self.price)
	}
}

/// The canonical at-the-money implied volatility of an underlying in the current block.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct IndexVolatility {
	/// Median of the operators' submissions: annualised fraction (0.65 = 65 %), 18-decimal
	/// fixed point.
	pub volatility: Volatility,
	/// Half-width of the confidence band (median absolute deviation), annualised fraction,
	/// 18-decimal fixed point.
	pub confidence: Volatility,
	/// Whether the value may be used: `CircuitBreaker` while a volatility move beyond the
	/// underlying's bound waits for confirmation.
	pub status: PriceStatus,
	/// Timestamp of the block in which the value became canonical, ms since the Unix epoch.
	pub updated_at: Moment,
	/// Number of the block in which the value became canonical.
	pub block: u32,
}

impl IndexVolatility {
	/// The volatility if and only if it is [`PriceStatus::Fresh`].
	pub fn fresh(&self) -> Option<Volatility> {
		(self.status == PriceStatus::Fresh).then_some(self.volatility)
	}
}

/// One operator observation for one underlying, as submitted in a feed extrinsic.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct FeedEntry {
	/// The underlying the values are for.
	pub underlying: UnderlyingId,
	/// Index price, USD per unit of the underlying, 18-decimal fixed point. Must be non-zero and
	/// at most the asset's bound.
	pub price: Price,
	/// ATM implied volatility, annualised fraction (0.65 = 65 %), 18-decimal fixed point. Must
	/// be non-zero and at most the bound.
	pub volatility: Volatility,
}

/// Why a reader could not get a usable value.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum PriceError {
	/// Unknown underlying, or no value was ever aggregated for it.
	Unavailable,
	/// The value is stale (see [`PriceStatus::Stale`]).
	Stale,
	/// The circuit breaker holds the value (see [`PriceStatus::CircuitBreaker`]).
	CircuitBreaker,
}

impl From<PriceStatus> for PriceError {
	fn from(s: PriceStatus) -> Self {
		match s {
			PriceStatus::Stale => PriceError::Stale,
			PriceStatus::CircuitBreaker => PriceError::CircuitBreaker,
			// Not an error; mapped for completeness only.
			PriceStatus::Fresh => PriceError::Unavailable,
		}
	}
}

/// Read access to the oracle for other pallets.
///
/// Implemented by `pallet_oracle::Pallet<T>`; mocked by [`testing::MockOracle`] (feature
/// `testing`). Callers must include [`OracleProvider::read_weight`] once per read in the weight
/// of their own calls (their benchmarks should run against the real oracle).
pub trait OracleProvider {
	/// The canonical index price (USD per unit of the underlying, 18 decimals), with its status
	/// and confidence. `None` if the underlying is unknown or was never priced. Never returns
	/// an old number as if it were current: check `status` (or use
	/// [`Self::fresh_index_price`]).
	fn index_price(id: UnderlyingId) -> Option<IndexPrice>;

	/// The canonical ATM implied volatility (annualised fraction, 18 decimals), with its status
	/// and confidence.
	fn volatility(id: UnderlyingId) -> Option<IndexVolatility>;

	/// The settlement price (USD per unit of the underlying, 18 decimals) of `id` for the expiry
	/// `expiry` (ms since the Unix epoch): the time-weighted average of the index price over
	/// `[expiry - window, expiry]`, fixed by the first block whose timestamp is `>= expiry` and
	/// never changed afterwards. `None` until it is fixed.
	fn settlement_price(id: UnderlyingId, expiry: Moment) -> Option<Price>;

	/// Ask the oracle to fix a settlement price for `(id, expiry)`. Idempotent: scheduling an
	/// expiry that is already scheduled or fixed succeeds without change. Fails if the
	/// underlying is unknown or the schedule is full.
	fn schedule_settlement(id: UnderlyingId, expiry: Moment) -> DispatchResult;

	/// Worst-case weight of one of the read functions above.
	fn read_weight() -> Weight;

	/// Underlyings registered (one storage read, [`Self::underlying_count_weight`]). They are
	/// never removed, so no portfolio spans more underlyings than this. The default knows no
	/// bound.
	fn underlying_count() -> u32 {
		u32::MAX
	}

	/// Weight of [`Self::underlying_count`].
	fn underlying_count_weight() -> Weight {
		Weight::zero()
	}

	/// The most underlyings the oracle can ever register (a constant): no portfolio spans
	/// more. The default knows no bound.
	fn max_underlyings() -> u32 {
		u32::MAX
	}

	/// Worst-case weight of [`Self::schedule_settlement`].
	fn schedule_weight() -> Weight;

	/// The index price only if it is [`PriceStatus::Fresh`]; otherwise the reason.
	fn fresh_index_price(id: UnderlyingId) -> Result<IndexPrice, PriceError> {
		let p = Self::index_price(id).ok_or(PriceError::Unavailable)?;
		match p.status {
			PriceStatus::Fresh => Ok(p),
			s => Err(s.into()),
		}
	}

	/// The volatility only if it is [`PriceStatus::Fresh`]; otherwise the reason.
	fn fresh_volatility(id: UnderlyingId) -> Result<IndexVolatility, PriceError> {
		let v = Self::volatility(id).ok_or(PriceError::Unavailable)?;
		match v.status {
			PriceStatus::Fresh => Ok(v),
			s => Err(s.into()),
		}
	}
}

/// Fixed-point helpers used in tests and genesis presets.
pub mod units {
	use super::FixedU128;
	use sp_arithmetic::FixedPointNumber;

	/// `n` whole USD (or whole units of volatility), saturating at the maximum.
	pub fn whole(n: u128) -> FixedU128 {
		FixedU128::saturating_from_integer(n)
	}

	/// `n / d` as a fixed-point number (rounded down); `0` if `d == 0` or on overflow.
	pub fn ratio(n: u128, d: u128) -> FixedU128 {
		FixedU128::checked_from_rational(n, d).unwrap_or_default()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	struct Fixed;
	impl OracleProvider for Fixed {
		fn index_price(id: UnderlyingId) -> Option<IndexPrice> {
			let status = match id {
				0 => PriceStatus::Fresh,
				1 => PriceStatus::Stale,
				2 => PriceStatus::CircuitBreaker,
				_ => return None,
			};
			Some(IndexPrice {
				price: units::whole(100),
				confidence: units::ratio(1, 2),
				status,
				updated_at: 0,
				block: 0,
			})
		}
		fn volatility(_: UnderlyingId) -> Option<IndexVolatility> {
			None
		}
		fn settlement_price(_: UnderlyingId, _: Moment) -> Option<Price> {
			None
		}
		fn schedule_settlement(_: UnderlyingId, _: Moment) -> DispatchResult {
			Ok(())
		}
		fn read_weight() -> Weight {
			Weight::zero()
		}
		fn schedule_weight() -> Weight {
			Weight::zero()
		}
	}

	#[test]
	fn fresh_helpers_refuse_non_fresh_values() {
		assert_eq!(Fixed::fresh_index_price(0).map(|p| p.price), Ok(units::whole(100)));
		assert_eq!(Fixed::fresh_index_price(1), Err(PriceError::Stale));
		assert_eq!(Fixed::fresh_index_price(2), Err(PriceError::CircuitBreaker));
		assert_eq!(Fixed::fresh_index_price(3), Err(PriceError::Unavailable));
		assert_eq!(Fixed::fresh_volatility(0), Err(PriceError::Unavailable));
		assert_eq!(Fixed::index_price(1).and_then(|p| p.fresh()), None);
		assert_eq!(Fixed::index_price(0).and_then(|p| p.fresh()), Some(units::whole(100)));
	}

	#[test]
	fn units_are_exact() {
		assert_eq!(units::whole(3).into_inner(), 3_000_000_000_000_000_000);
		assert_eq!(units::ratio(65, 100).into_inner(), 650_000_000_000_000_000);
		assert_eq!(units::ratio(1, 0), FixedU128::default());
	}
}
