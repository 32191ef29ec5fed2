//! Storage and call types of the oracle pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{Deserialize, Serialize};
use optionchain_primitives::{Moment, Price, UnderlyingId, Volatility};
use scale_info::TypeInfo;
use sp_arithmetic::{FixedPointNumber, FixedU128, Permill};

/// Thirty minutes in milliseconds: the default settlement averaging window (as Deribit's).
pub const DEFAULT_SETTLEMENT_WINDOW: Moment = 30 * 60 * 1000;
/// Longest accepted heartbeat: 10 minutes in milliseconds (a price backed by inputs older
/// than that is not a price).
pub const MAX_HEARTBEAT: Moment = 10 * 60 * 1000;
/// Longest accepted TWAP or settlement window: 24 hours in milliseconds (a settlement window is
/// further bounded by the kept history, `Pallet::history_span`).
///
/// Together with [`PRICE_CAP`] this keeps the integral of the price over any window below
/// `2^128`, which is what makes the wrapping accumulator exact (see `twap.rs`).
pub const MAX_WINDOW: Moment = 24 * 60 * 60 * 1000;
/// Hard upper bound for any asset's `max_price`: 10^12 USD per unit.
pub const PRICE_CAP: u128 = optionchain_primitives::MAX_INDEX_PRICE_USD;
/// Hard upper bound for any asset's `max_volatility`: 100 (10 000 % annualised).
pub const VOLATILITY_CAP: u128 = 100;

/// Governance-set parameters of an underlying.
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
	Serialize,
	Deserialize,
)]
#[serde(crate = "frame_support::__private::serde")]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnderlyingParams {
	/// Minimum number of operator submissions, each younger than `heartbeat`, needed for a
	/// fresh canonical value. `1 <= quorum <= MaxOperators` and a strict majority of the
	/// operators (`2 * quorum > operators`): a round needs `max(quorum, operators / 2 + 1)`
	/// agreeing inputs, so a minority of operators (lying or silent) can neither move the price
	/// nor confirm a move.
	pub quorum: u32,
	/// Maximum age (ms) of a submission counted towards the quorum; also how long a canonical
	/// value stays `Fresh` after its quorum-th newest input. Non-zero.
	pub heartbeat: Moment,
	/// Largest move of the price, relative to the current canonical price, that an aggregation
	/// round may apply at once, as a fraction (`Permill`: parts per million, 100_000 = 10 %). A
	/// larger move trips the circuit breaker. Non-zero.
	pub max_move: Permill,
	/// Number of consecutive aggregation rounds (including the one that tripped it) that must
	/// all be beyond the bound, on the same side, before the price follows. At least 2, so a
	/// one-block spike can never become canonical.
	pub confirmations: u32,
	/// Settlement averaging window (ms): the settlement price for expiry `T` is the TWAP over
	/// `[T - window, T]`. `1 ..= MAX_WINDOW`.
	pub settlement_window: Moment,
	/// Submissions above this price are rejected as absurd: USD per unit of the underlying,
	/// 18-decimal fixed point. `0 < max_price <= PRICE_CAP` (10^12 USD).
	pub max_price: Price,
	/// Submissions above this volatility are rejected as absurd: annualised fraction (1.0 =
	/// 100 %), 18-decimal fixed point. `0 < max_volatility <= VOLATILITY_CAP` (100).
	pub max_volatility: Volatility,
	/// Agreement of a round's price inputs: an input agrees when it is within this fraction
	/// (`Permill`: parts per million) of the median of all fresh inputs. A round counts
	/// (updates the price, or confirms a move held by the circuit breaker) only when at least a
	/// strict majority of the operators (and at least `quorum`) agree; the new price is the
	/// median of the fresh inputs. `0 < max_dispersion <= 50 %`.
	pub max_dispersion: Permill,
	/// The same for the volatility inputs (`Permill`: parts per million).
	/// `0 < max_volatility_dispersion <= 50 %`.
	pub max_volatility_dispersion: Permill,
	/// Largest move of the volatility, relative to the canonical volatility, that a round may
	/// apply at once (`Permill`: parts per million); a larger one trips the volatility's own
	/// circuit breaker (confirmed by `confirmations` agreeing rounds on the same side).
	/// Non-zero.
	pub max_volatility_move: Permill,
}

impl Default for UnderlyingParams {
	fn default() -> Self {
		Self {
			quorum: 2,
			heartbeat: 60_000,
			max_move: Permill::from_percent(10),
			confirmations: 3,
			settlement_window: DEFAULT_SETTLEMENT_WINDOW,
			max_price: FixedU128::saturating_from_integer(10_000_000u128),
			max_volatility: FixedU128::saturating_from_integer(10u128),
			max_dispersion: Permill::from_percent(2),
			max_volatility_dispersion: Permill::from_percent(10),
			max_volatility_move: Permill::from_percent(25),
		}
	}
}

/// The latest submission of one operator for one underlying.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Submission<AccountId> {
	/// The operator.
	pub operator: AccountId,
	/// Submitted index price, USD per unit of the underlying, 18-decimal fixed point.
	pub price: Price,
	/// Submitted ATM implied volatility, annualised fraction (0.65 = 65 %), 18-decimal fixed
	/// point.
	pub volatility: Volatility,
	/// When the operator observed the values, ms since the Unix epoch: the feed's
	/// `observed_at`, capped at the including block's timestamp (freshness counts from it).
	pub timestamp: Moment,
	/// Number of the block that included the submission.
	pub block: u32,
}

/// A canonical aggregate (price or volatility).
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Aggregate {
	/// Median of the inputs, 18-decimal fixed point: USD per unit of the underlying for a
	/// price (`IndexPrices`), annualised fraction (0.65 = 65 %) for a volatility
	/// (`Volatilities`).
	pub value: FixedU128,
	/// Median absolute deviation of the inputs from `value` (half-width of the band), in the
	/// unit of `value` (USD per unit, or annualised fraction), 18-decimal fixed point.
	pub confidence: FixedU128,
	/// Timestamp of the block in which the value was aggregated, ms since the Unix epoch.
	pub updated_at: Moment,
	/// Number of the block in which the value was aggregated.
	pub block: u32,
	/// After this moment (ms since the Unix epoch) fewer than `quorum` of the inputs are within
	/// the heartbeat: the value is `Stale`. Equals the timestamp of the quorum-th newest input
	/// plus the heartbeat.
	pub fresh_until: Moment,
	/// Number of inputs.
	pub sources: u32,
}

/// The two aggregated quantities of an underlying.
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
pub enum Quantity {
	/// The index price.
	Price,
	/// The ATM implied volatility.
	Volatility,
}

/// State of a tripped circuit breaker.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Breaker {
	/// The latest aggregate beyond the bound (becomes canonical once confirmed).
	pub candidate: Aggregate,
	/// `true` if the move is upwards.
	pub upwards: bool,
	/// Consecutive rounds beyond the bound on the same side, including the tripping one.
	pub confirmations: u32,
	/// Block in which the breaker tripped.
	pub tripped_at: u32,
}

/// One point of the price-time accumulator.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Observation {
	/// Moment of the observation, ms since the Unix epoch; strictly increasing along the ring.
	pub timestamp: Moment,
	/// `∫ price dt` from the first observation up to `timestamp`, in price-inner units (10^-18
	/// USD per unit of the underlying) × ms, modulo 2^128 (Uniswap v2 style: only differences
	/// are meaningful).
	pub cumulative: u128,
	/// The canonical price in effect from `timestamp` until the next observation, USD per unit
	/// of the underlying, 18-decimal fixed point.
	pub price: Price,
}

/// Position of an underlying's ring buffer of observations.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Default, Debug)]
pub struct Ring {
	/// Slot the next observation is written to.
	pub next: u32,
	/// Number of valid observations (`<= MaxObservations`).
	pub len: u32,
}

/// A settlement waiting for the first block with `timestamp >= expiry`.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct ScheduledSettlement {
	/// The expiry, ms since the Unix epoch.
	pub expiry: Moment,
	/// The underlying.
	pub underlying: UnderlyingId,
	/// Averaging window in ms, taken from the underlying's parameters when scheduled.
	pub window: Moment,
}

/// Why a due settlement could not be fixed from the kept history.
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
pub enum StuckReason {
	/// The underlying had no canonical price at or before the expiry (never priced, or first
	/// priced after it): no price after the expiry may stand in for it.
	NoPriceBeforeExpiry,
	/// The kept history no longer reaches the start of the averaging window.
	HistoryLost,
	/// No fresh price at all during the averaging window (the last canonical price was backed
	/// by fresh inputs only before it): the average would be a price nobody reported then.
	NoFreshPrice,
}

/// A due settlement that could not be fixed: out of the schedule (it holds back nothing),
/// waiting for governance to force a price inside `range` or to cancel it.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct StuckSettlement {
	/// The averaging window it was scheduled with, in ms.
	pub window: Moment,
	/// Why it is stuck.
	pub reason: StuckReason,
	/// Lowest and highest price a strict majority of the operators agreed on within the
	/// heartbeat of the expiry, USD per unit of the underlying, 18-decimal fixed point; `None`
	/// if no majority agreed then.
	pub range: Option<(Price, Price)>,
	/// When it got stuck (block timestamp, ms since the Unix epoch).
	pub since: Moment,
}

/// A fixed settlement price. Never changed once written.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct SettlementRecord {
	/// The time-weighted average price, USD per unit of the underlying, 18-decimal fixed point.
	pub price: Price,
	/// Start of the averaged interval, ms since the Unix epoch: `expiry - window`, or later if
	/// the retained history (or the asset's price history) starts later.
	pub from: Moment,
	/// End of the averaged interval, ms since the Unix epoch: the expiry, or later only if the
	/// asset had no price before the expiry (then the first known price is used).
	pub to: Moment,
	/// Block that fixed the price.
	pub block: u32,
}

/// Replay protection state of an operator.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct LastFeed<BlockNumber> {
	/// Round (`at`) of the last accepted feed; the next must have a larger one.
	pub round: BlockNumber,
	/// Block that included the last accepted feed.
	pub block: BlockNumber,
}
