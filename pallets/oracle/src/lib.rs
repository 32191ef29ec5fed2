#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod aggregation;
pub mod extension;
mod feed;
mod governance;
mod invariants;
pub mod migrations;
mod provider;
mod twap;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use extension::CheckOracleFeed;
pub use types::*;
pub use weights::WeightInfo;

/// Creates operator accounts and sets the time, for the benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// A new account (distinct for each `seed`).
	fn operator(seed: u32) -> AccountId;
	/// Sets the block timestamp (ms), e.g. `pallet_timestamp::Pallet::<Runtime>::set_timestamp`.
	fn set_time(now: optionchain_primitives::Moment);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{BuildGenesisConfig, Time},
	};
	use frame_system::pallet_prelude::*;
	use optionchain_primitives::{FeedEntry, Moment, Price, UnderlyingId};

	/// The in-code storage version (1: `UnderlyingParams` gained the agreement and volatility
	/// bounds; see [`crate::migrations`]).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the oracle pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Source of the block timestamp in milliseconds (`pallet_timestamp::Pallet<Runtime>`).
		type Time: Time<Moment = Moment>;

		/// Origin that registers underlyings, manages operators, schedules settlements and can
		/// confirm a move held by the circuit breaker (root in dev).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Maximum number of registered underlyings.
		#[pallet::constant]
		type MaxUnderlyings: Get<u32>;

		/// Maximum number of operators.
		#[pallet::constant]
		type MaxOperators: Get<u32>;

		/// Maximum number of entries in one feed (`<= MaxUnderlyings`). A feed with more than
		/// `MaxUnderlyings` entries does not even decode.
		#[pallet::constant]
		type MaxFeedEntries: Get<u32>;

		/// Window of the circuit breaker's second reference (ms): each new aggregate is compared
		/// with the canonical price now and with the canonical price at the start of the current
		/// window, so that a run of moves each inside `max_move` cannot carry the price further
		/// than `max_move` per window without being confirmed.
		#[pallet::constant]
		type BreakerWindow: Get<Moment>;

		/// Capacity of each underlying's ring buffer of price observations. One observation is
		/// written per block in which the canonical price changes, so this must cover the
		/// longest settlement window (e.g. 30 min / 6 s = 300 blocks) with margin.
		#[pallet::constant]
		type MaxObservations: Get<u32>;

		/// Maximum number of settlements waiting to be fixed (all underlyings together).
		#[pallet::constant]
		type MaxScheduledSettlements: Get<u32>;

		/// Maximum number of settlement prices fixed in one block (the rest waits for the next
		/// block; the result does not depend on which block fixes it).
		#[pallet::constant]
		type MaxSettlementsPerBlock: Get<u32>;

		/// Shortest time between two blocks (ms): Aura's slot duration. With
		/// `MaxObservations` it bounds the history kept (`Pallet::history_span`), which bounds
		/// the settlement windows governance may set.
		#[pallet::constant]
		type MinBlockInterval: Get<Moment>;

		/// Time after an expiry (ms) before governance may force or cancel its stuck
		/// settlement.
		#[pallet::constant]
		type SettlementGracePeriod: Get<Moment>;

		/// Number of blocks after its round `at` during which a feed can be included.
		#[pallet::constant]
		type FeedLifetime: Get<BlockNumberFor<Self>>;

		/// Transaction-pool priority of feeds, given by [`CheckOracleFeed`] (plus the feed's
		/// round, so that an operator's newer feed sent with the same nonce replaces its older
		/// one in the pool).
		#[pallet::constant]
		type FeedPriority: Get<TransactionPriority>;

		/// Oldest accepted observation (ms): a feed whose `observed_at` is more than this before
		/// the including block's timestamp (or more than this after it) is refused.
		#[pallet::constant]
		type MaxFeedAge: Get<Moment>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;

		/// Creates operator accounts for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Bounded feed entries as they appear in the call (decoding fails above `MaxUnderlyings`).
	pub type FeedEntriesOf<T> = BoundedVec<FeedEntry, <T as Config>::MaxUnderlyings>;
	/// The latest submissions for one underlying, at most one per operator.
	pub type SubmissionsOf<T> =
		BoundedVec<Submission<<T as frame_system::Config>::AccountId>, <T as Config>::MaxOperators>;

	/// Parameters of each registered underlying.
	#[pallet::storage]
	pub type Underlyings<T: Config> =
		StorageMap<_, Twox64Concat, UnderlyingId, UnderlyingParams, OptionQuery>;

	/// The registered underlyings, in registration order.
	#[pallet::storage]
	pub type UnderlyingList<T: Config> =
		StorageValue<_, BoundedVec<UnderlyingId, T::MaxUnderlyings>, ValueQuery>;

	/// The operators allowed to feed.
	#[pallet::storage]
	pub type Operators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxOperators>, ValueQuery>;

	/// Replay protection: the round and inclusion block of each operator's last accepted feed.
	/// Kept when an operator is removed, so its old signed feeds stay unusable if re-added.
	#[pallet::storage]
	pub type LastFeeds<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, LastFeed<BlockNumberFor<T>>, OptionQuery>;

	/// Each operator's latest submission per underlying (pruned once older than the heartbeat).
	#[pallet::storage]
	pub type Submissions<T: Config> =
		StorageMap<_, Twox64Concat, UnderlyingId, SubmissionsOf<T>, ValueQuery>;

	/// Underlyings that received a submission in the current block; emptied in `on_finalize`.
	#[pallet::storage]
	pub type Touched<T: Config> =
		StorageValue<_, BoundedVec<UnderlyingId, T::MaxUnderlyings>, ValueQuery>;

	/// The canonical index price of each underlying (`value` and `confidence` in USD per unit
	/// of the underlying, 18-decimal fixed point; times in ms since the Unix epoch).
	#[pallet::storage]
	pub type IndexPrices<T: Config> =
		StorageMap<_, Twox64Concat, UnderlyingId, Aggregate, OptionQuery>;

	/// The canonical ATM implied volatility of each underlying (`value` and `confidence` as an
	/// annualised fraction, 0.65 = 65 %, 18-decimal fixed point; times in ms since the Unix
	/// epoch).
	#[pallet::storage]
	pub type Volatilities<T: Config> =
		StorageMap<_, Twox64Concat, UnderlyingId, Aggregate, OptionQuery>;

	/// Tripped circuit breakers.
	#[pallet::storage]
	pub type Breakers<T: Config> = StorageMap<_, Twox64Concat, UnderlyingId, Breaker, OptionQuery>;

	/// Tripped circuit breakers of the volatility.
	#[pallet::storage]
	pub type VolatilityBreakers<T: Config> =
		StorageMap<_, Twox64Concat, UnderlyingId, Breaker, OptionQuery>;

	/// The circuit breaker's window reference per underlying: the canonical price at the start
	/// of the current `BreakerWindow` (USD per unit of the underlying, 18-decimal fixed point),
	/// and that start (ms since the Unix epoch).
	#[pallet::storage]
	pub type BreakerReferences<T: Config> =
		StorageMap<_, Twox64Concat, UnderlyingId, (Price, Moment), OptionQuery>;

	/// Position of each underlying's ring buffer of observations.
	#[pallet::storage]
	pub type Rings<T: Config> = StorageMap<_, Twox64Concat, UnderlyingId, Ring, ValueQuery>;

	/// Ring buffer slots: `(underlying, slot) -> observation`, `slot < MaxObservations`.
	#[pallet::storage]
	pub type Observations<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		UnderlyingId,
		Twox64Concat,
		u32,
		Observation,
		OptionQuery,
	>;

	/// Settlements waiting to be fixed, sorted by `(expiry, underlying)` (expiries in ms since
	/// the Unix epoch).
	#[pallet::storage]
	pub type ScheduledSettlements<T: Config> =
		StorageValue<_, BoundedVec<ScheduledSettlement, T::MaxScheduledSettlements>, ValueQuery>;

	/// Due settlements that could not be fixed from the kept history: `(underlying, expiry in
	/// ms) -> why, and the range operators reported around the expiry`. Out of the schedule.
	#[pallet::storage]
	pub type StuckSettlements<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		UnderlyingId,
		Blake2_128Concat,
		Moment,
		StuckSettlement,
		OptionQuery,
	>;

	/// Fixed settlement prices: `(underlying, expiry in ms since the Unix epoch) -> record`
	/// (price in USD per unit of the underlying, 18-decimal fixed point). Never overwritten.
	#[pallet::storage]
	pub type SettlementPrices<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		UnderlyingId,
		Blake2_128Concat,
		Moment,
		SettlementRecord,
		OptionQuery,
	>;

	/// Events of the oracle pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An underlying was registered.
		UnderlyingRegistered {
			/// The newly registered underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// Its parameters (see `UnderlyingParams`): `heartbeat` and `settlement_window` in
			/// milliseconds, `max_price` in USD per unit of the underlying and `max_volatility` as
			/// an annualised fraction (both 18-decimal fixed point), `max_move`, `max_dispersion`,
			/// `max_volatility_dispersion` and `max_volatility_move` as `Permill` fractions,
			/// `quorum` and `confirmations` as counts.
			params: UnderlyingParams,
		},
		/// An underlying's parameters were changed.
		UnderlyingUpdated {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// Its new parameters (see `UnderlyingParams`): `heartbeat` and `settlement_window` in
			/// milliseconds, `max_price` in USD per unit of the underlying and `max_volatility` as
			/// an annualised fraction (both 18-decimal fixed point), `max_move`, `max_dispersion`,
			/// `max_volatility_dispersion` and `max_volatility_move` as `Permill` fractions,
			/// `quorum` and `confirmations` as counts.
			params: UnderlyingParams,
		},
		/// An operator was added.
		OperatorAdded {
			/// The new operator's account.
			operator: T::AccountId,
		},
		/// An operator was removed; `dropped` of its submissions were discarded.
		OperatorRemoved {
			/// The removed operator's account.
			operator: T::AccountId,
			/// Number of its submissions discarded (at most one per underlying).
			dropped: u32,
		},
		/// An operator's feed of `entries` underlyings for round `round` was accepted.
		FeedAccepted {
			/// The operator that signed the feed.
			operator: T::AccountId,
			/// The feed's round `at`: a block number, at most the including block and at most
			/// `FeedLifetime` blocks before it.
			round: BlockNumberFor<T>,
			/// Number of underlyings in the feed (one price and one volatility each). (Not
			/// `entries`: polkadot.js shows that reserved name as `entries_`.)
			underlyings: u32,
		},
		/// A new canonical index price (median of `sources` submissions, band ±`confidence`).
		IndexPriceUpdated {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// The new canonical index price (median of the fresh inputs), USD per unit of the
			/// underlying, 18-decimal fixed point (`FixedU128`).
			price: Price,
			/// Half-width of the confidence band around `price` (median absolute deviation of the
			/// inputs), USD per unit of the underlying, 18-decimal fixed point (`FixedU128`).
			confidence: Price,
			/// Number of fresh operator inputs in the round that produced `price`.
			sources: u32,
		},
		/// A new canonical implied volatility.
		VolatilityUpdated {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// The new canonical ATM implied volatility (median of the fresh inputs), annualised,
			/// as a fraction (0.65 = 65 %), 18-decimal fixed point (`FixedU128`).
			volatility: Price,
			/// Half-width of the confidence band around `volatility` (median absolute deviation of
			/// the inputs), annualised fraction, 18-decimal fixed point (`FixedU128`).
			confidence: Price,
			/// Number of fresh operator inputs in the round that produced `volatility`.
			sources: u32,
		},
		/// An underlying had submissions this block but fewer than `quorum` (the round's required
		/// inputs: `max(quorum, operators / 2 + 1)`) within the heartbeat: nothing changed (its
		/// value goes `Stale` when its inputs age out).
		QuorumNotReached {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// Number of submissions for the underlying younger than its heartbeat.
			fresh: u32,
			/// Number of inputs the round needed: `max(quorum, operators / 2 + 1)`, the
			/// underlying's `quorum` raised to a strict majority of the operators.
			quorum: u32,
		},
		/// The aggregate moved beyond `max_move` of the canonical price or of the breaker window's
		/// reference: the canonical price stays unchanged until `required` consecutive rounds
		/// confirm the move.
		CircuitBreakerTripped {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// The price the move was measured against and exceeds: the canonical price, or, if the
			/// aggregate is within `max_move` of that, the window reference (the canonical price at
			/// the start of the current `BreakerWindow`); USD per unit of the underlying,
			/// 18-decimal fixed point (`FixedU128`).
			reference: Price,
			/// The round's aggregate (median of the fresh inputs), now held by the breaker, USD per
			/// unit of the underlying, 18-decimal fixed point (`FixedU128`).
			candidate: Price,
			/// Consecutive rounds beyond the bound on the same side (the tripping one included)
			/// needed to confirm the move: the underlying's `confirmations`.
			required: u32,
		},
		/// Another round beyond the bound on the same side.
		CircuitBreakerConfirming {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// This round's aggregate, now the held candidate, USD per unit of the underlying,
			/// 18-decimal fixed point (`FixedU128`).
			candidate: Price,
			/// Consecutive rounds beyond the bound on the same side so far, the tripping one
			/// included (at least 2 and below `required`).
			confirmations: u32,
			/// Consecutive rounds beyond the bound on the same side (the tripping one included)
			/// needed to confirm the move: the underlying's `confirmations`.
			required: u32,
		},
		/// The move was confirmed (by rounds, or by governance) and is now canonical.
		CircuitBreakerReleased {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// The confirmed price, now canonical, USD per unit of the underlying, 18-decimal fixed
			/// point (`FixedU128`).
			price: Price,
			/// `true` if governance released it (`release_circuit_breaker`), `false` if
			/// `confirmations` consecutive rounds confirmed it.
			by_governance: bool,
		},
		/// An aggregate came back within the bound (it becomes canonical), or a round's inputs
		/// disagreed or lacked quorum (the canonical price stays): the breaker is cleared, the held
		/// move dropped; the canonical price is now `price`.
		CircuitBreakerReset {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// The canonical price after the reset (the round's aggregate if it came back within
			/// the bound, otherwise the unchanged canonical price), USD per unit of the underlying,
			/// 18-decimal fixed point (`FixedU128`).
			price: Price,
		},
		/// The volatility moved beyond `max_volatility_move`: it stays at `reference` until
		/// `required` consecutive agreeing rounds confirm the move.
		VolatilityBreakerTripped {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// The canonical volatility the move was measured against, which stays canonical,
			/// annualised, as a fraction (0.65 = 65 %), 18-decimal fixed point (`FixedU128`).
			reference: Price,
			/// The round's aggregate volatility, now held by the breaker, annualised, as a fraction
			/// (0.65 = 65 %), 18-decimal fixed point (`FixedU128`).
			candidate: Price,
			/// Consecutive rounds beyond the bound on the same side (the tripping one included)
			/// needed to confirm the move: the underlying's `confirmations`.
			required: u32,
		},
		/// Another round beyond the volatility bound on the same side.
		VolatilityBreakerConfirming {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// This round's aggregate volatility, now the held candidate, annualised, as a fraction
			/// (0.65 = 65 %), 18-decimal fixed point (`FixedU128`).
			candidate: Price,
			/// Consecutive rounds beyond the bound on the same side so far, the tripping one
			/// included (at least 2 and below `required`).
			confirmations: u32,
			/// Consecutive rounds beyond the bound on the same side (the tripping one included)
			/// needed to confirm the move: the underlying's `confirmations`.
			required: u32,
		},
		/// The volatility move was confirmed (by rounds, or by governance).
		VolatilityBreakerReleased {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// The confirmed volatility, now canonical, annualised, as a fraction (0.65 = 65 %),
			/// 18-decimal fixed point (`FixedU128`).
			volatility: Price,
			/// `true` if governance released it (`release_circuit_breaker`), `false` if
			/// `confirmations` consecutive rounds confirmed it.
			by_governance: bool,
		},
		/// The volatility's breaker was cleared and its held move dropped: an aggregate came back
		/// within the bound (it becomes canonical), or a round's inputs disagreed or lacked quorum
		/// (the canonical volatility stays).
		VolatilityBreakerReset {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// The canonical volatility after the reset (the round's aggregate if it came back
			/// within the bound, otherwise the unchanged canonical volatility), annualised, as a
			/// fraction (0.65 = 65 %), 18-decimal fixed point (`FixedU128`).
			volatility: Price,
		},
		/// `fresh` inputs reached the round's `required` count but fewer than `required` of them
		/// agree (within the dispersion bound) on `quantity`: nothing changed, a held move of it
		/// was dropped.
		InputsDisagree {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// Which aggregate disagreed: the index price (bound `max_dispersion`) or the
			/// volatility (bound `max_volatility_dispersion`).
			quantity: Quantity,
			/// Number of submissions for the underlying younger than its heartbeat.
			fresh: u32,
			/// Number of inputs that had to agree: `max(quorum, operators / 2 + 1)`, the
			/// underlying's `quorum` raised to a strict majority of the operators.
			required: u32,
		},
		/// A settlement price was requested for `(underlying, expiry)`.
		SettlementScheduled {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// The expiry, in milliseconds since the Unix epoch.
			expiry: Moment,
			/// Averaging window in milliseconds (the underlying's `settlement_window` when
			/// scheduled): the price will be the TWAP over `[expiry - window, expiry]`.
			window: Moment,
		},
		/// A settlement price was fixed: TWAP over `[from, to]` (also emitted, with
		/// `from = to = expiry`, just before `SettlementPriceForced`).
		SettlementPriceFixed {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// The expiry, in milliseconds since the Unix epoch.
			expiry: Moment,
			/// The settlement price (time-weighted average of the canonical index price; never
			/// changed afterwards), USD per unit of the underlying, 18-decimal fixed point
			/// (`FixedU128`).
			price: Price,
			/// Start of the averaged interval, in milliseconds since the Unix epoch:
			/// `expiry - window`, or later if the underlying's kept price history starts later
			/// (`expiry` for a forced price).
			from: Moment,
			/// End of the averaged interval, in milliseconds since the Unix epoch: the expiry.
			to: Moment,
		},
		/// A due settlement could not be fixed from the kept history (`reason`); it left the
		/// schedule and waits for governance (`force_settlement_price` inside `range`, the
		/// lowest and highest price operators reported around the expiry, or
		/// `cancel_settlement`).
		SettlementStuck {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// The expiry, in milliseconds since the Unix epoch.
			expiry: Moment,
			/// Why it could not be fixed (see `StuckReason`).
			reason: StuckReason,
			/// Lowest and highest price a strict majority of the operators (and at least `quorum`)
			/// agreed on within the heartbeat of the expiry, USD per unit of the underlying,
			/// 18-decimal fixed point (`FixedU128`); `None` if no majority agreed (then it can only
			/// be cancelled).
			range: Option<(Price, Price)>,
		},
		/// Governance set the settlement price of a stuck expiry.
		SettlementPriceForced {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// The expiry, in milliseconds since the Unix epoch.
			expiry: Moment,
			/// The settlement price governance set, USD per unit of the underlying, 18-decimal
			/// fixed point (`FixedU128`).
			price: Price,
		},
		/// Governance cancelled a stuck settlement (no price will ever be fixed for it).
		SettlementCancelled {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// The expiry, in milliseconds since the Unix epoch.
			expiry: Moment,
		},
	}

	/// Errors of the oracle pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The underlying is not registered.
		UnknownUnderlying,
		/// The underlying is already registered.
		UnderlyingAlreadyRegistered,
		/// `MaxUnderlyings` underlyings are already registered.
		TooManyUnderlyings,
		/// `quorum` is 0 or larger than `MaxOperators`.
		InvalidQuorum,
		/// `quorum` must be a strict majority of the operators (`2 * quorum > operators`),
		/// and reachable (`quorum <= operators`, once there are operators).
		QuorumNotMajority,
		/// `max_dispersion` or `max_volatility_dispersion` is 0 or above 50 %.
		InvalidMaxDispersion,
		/// `max_volatility_move` is 0.
		InvalidMaxVolatilityMove,
		/// `heartbeat` is 0 or longer than 10 minutes.
		InvalidHeartbeat,
		/// `max_move` is 0.
		InvalidMaxMove,
		/// `confirmations` is smaller than 2.
		InvalidConfirmations,
		/// `settlement_window` is 0 or longer than the history kept (`history_span`).
		InvalidSettlementWindow,
		/// `max_price` is 0 or above the hard cap of 10^12 USD.
		InvalidMaxPrice,
		/// `max_volatility` is 0 or above the hard cap of 100.
		InvalidMaxVolatility,
		/// The account is already an operator.
		AlreadyOperator,
		/// `MaxOperators` operators already exist.
		TooManyOperators,
		/// The account is not an operator.
		NotOperator,
		/// The feed has no entries.
		EmptyFeed,
		/// The feed has more than `MaxFeedEntries` entries.
		TooManyEntries,
		/// The feed lists the same underlying twice.
		DuplicateEntry,
		/// A submitted price is zero.
		ZeroPrice,
		/// A submitted price is above the underlying's `max_price`.
		PriceOutOfBounds,
		/// A submitted volatility is zero.
		ZeroVolatility,
		/// A submitted volatility is above the underlying's `max_volatility`.
		VolatilityOutOfBounds,
		/// The feed's round is in the future.
		FeedFromFuture,
		/// The feed's round is more than `FeedLifetime` blocks old.
		FeedExpired,
		/// The feed's round is not newer than the operator's last accepted round (replay).
		FeedReplayed,
		/// The operator already fed in this block.
		AlreadySubmitted,
		/// The feed's observation is older than `MaxFeedAge`.
		FeedTooOld,
		/// The feed's observation time is more than `MaxFeedAge` in the future.
		ObservedInFuture,
		/// The settlement schedule is full.
		TooManyScheduledSettlements,
		/// The expiry is 0.
		InvalidExpiry,
		/// The expiry is before the current block's timestamp.
		ExpiryInPast,
		/// No stuck settlement exists for this underlying and expiry.
		SettlementNotStuck,
		/// The settlement grace period after the expiry has not passed yet.
		GracePeriodNotOver,
		/// Nobody reported a price around the expiry: a price cannot be forced (cancel it).
		NoFedRange,
		/// The forced price is outside the range operators reported around the expiry (widened
		/// by `max_dispersion`).
		PriceOutsideFedRange,
		/// Neither of the underlying's circuit breakers is tripped.
		CircuitBreakerNotTripped,
		/// The held move's candidate is older than the heartbeat: it is no longer what the
		/// operators report and cannot be released.
		CandidateTooOld,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Reserves the weight of `on_finalize` that is not prepaid by feeds: the aggregation
		/// base cost and fixing up to `MaxSettlementsPerBlock` settlements. (The per-underlying
		/// aggregation cost is charged to the feed that first touches the underlying.)
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			Self::on_finalize_reserved_weight()
		}

		/// Fixes due settlement prices, then aggregates the underlyings fed in this block.
		fn on_finalize(_n: BlockNumberFor<T>) {
			Self::fix_due_settlements();
			Self::aggregate_touched();
		}

		fn integrity_test() {
			Self::do_integrity_test();
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Feed prices and ATM implied volatilities of several underlyings, as the signing
		/// operator.
		///
		/// An ordinary signed extrinsic (`api.tx.oracle.feed(at, observedAt, entries)` in
		/// polkadot.js), in the operational class, free for operators (`feeless_if`, applied by
		/// the runtime's `SkipCheckIfFeeless` around the payment extension). The runtime's
		/// [`CheckOracleFeed`] extension runs every check below before a feed enters the pool
		/// or a block, so a feed from anybody else, or an invalid one, is refused at submission
		/// and never charged; the account nonce and the round keep replay protection.
		///
		/// - `at`: the feed's round, a block number `<=` the including block, at most
		///   `FeedLifetime` blocks old, and larger than the operator's previous round.
		/// - `observed_at`: when the operator observed the values, in ms since the Unix epoch; at
		///   most `MaxFeedAge` before (or after) the including block's timestamp. Freshness and
		///   the heartbeat count from it.
		/// - `entries`: one per underlying, at most `MaxFeedEntries`; `price` in USD per unit of
		///   the underlying and `volatility` as a fraction a year (0.60 = 60 %), both with 18
		///   decimals.
		///
		/// At most one feed per operator per block.
		#[pallet::call_index(0)]
		#[pallet::weight((Pallet::<T>::feed_weight(entries.len() as u32), DispatchClass::Operational))]
		#[pallet::feeless_if(|origin: &OriginFor<T>, _at: &BlockNumberFor<T>, _observed_at: &Moment, _entries: &FeedEntriesOf<T>| -> bool {
			Pallet::<T>::is_operator_origin(origin)
		})]
		pub fn feed(
			origin: OriginFor<T>,
			at: BlockNumberFor<T>,
			observed_at: Moment,
			entries: FeedEntriesOf<T>,
		) -> DispatchResultWithPostInfo {
			let operator = ensure_signed(origin)?;
			Self::do_feed(operator, at, observed_at, entries)
		}

		/// Register an underlying with its parameters.
		///
		/// - `params`: `heartbeat` and `settlement_window` in ms, `max_price` in USD per unit of
		///   the underlying and `max_volatility` as an annualised fraction (both 18-decimal fixed
		///   point), the dispersion and move bounds as `Permill` (parts per million).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::register_underlying())]
		pub fn register_underlying(
			origin: OriginFor<T>,
			underlying: UnderlyingId,
			params: UnderlyingParams,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_register_underlying(underlying, params)
		}

		/// Change an underlying's parameters (units as in `register_underlying`). Scheduled
		/// settlements keep the window they were scheduled with.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::update_underlying())]
		pub fn update_underlying(
			origin: OriginFor<T>,
			underlying: UnderlyingId,
			params: UnderlyingParams,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_update_underlying(underlying, params)
		}

		/// Add an operator.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::add_operator())]
		pub fn add_operator(origin: OriginFor<T>, operator: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_add_operator(operator)
		}

		/// Remove an operator and drop all its submissions, including the pending ones of the
		/// current block.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::remove_operator(T::MaxUnderlyings::get()))]
		pub fn remove_operator(origin: OriginFor<T>, operator: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_remove_operator(operator)
		}

		/// Ask for the settlement price of `underlying` at `expiry` (ms since the Unix epoch) to
		/// be fixed. Idempotent. (The options pallet does the same through `OracleProvider`.)
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::schedule_settlement())]
		pub fn schedule_settlement(
			origin: OriginFor<T>,
			underlying: UnderlyingId,
			expiry: Moment,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_schedule_settlement(underlying, expiry)
		}

		/// Set the settlement price of a stuck expiry of `underlying`, at least
		/// `SettlementGracePeriod` after the expiry and only inside the range operators reported
		/// around it (widened by `max_dispersion`), so that one governance key cannot pay itself.
		///
		/// - `expiry`: the stuck expiry, ms since the Unix epoch.
		/// - `price`: USD per unit of the underlying, 18-decimal fixed point.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::force_settlement_price())]
		pub fn force_settlement_price(
			origin: OriginFor<T>,
			underlying: UnderlyingId,
			expiry: Moment,
			price: Price,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_force_settlement_price(underlying, expiry, price)
		}

		/// Cancel a stuck settlement of `underlying` at `expiry` (ms since the Unix epoch), at
		/// least `SettlementGracePeriod` after the expiry.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::cancel_settlement())]
		pub fn cancel_settlement(
			origin: OriginFor<T>,
			underlying: UnderlyingId,
			expiry: Moment,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_cancel_settlement(underlying, expiry)
		}

		/// Confirm the move held by a tripped circuit breaker: the candidate becomes canonical.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::release_circuit_breaker())]
		pub fn release_circuit_breaker(
			origin: OriginFor<T>,
			underlying: UnderlyingId,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_release_circuit_breaker(underlying)
		}
	}

	/// Genesis state: underlyings and operators.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Underlyings to register, with their parameters.
		pub underlyings: Vec<(UnderlyingId, UnderlyingParams)>,
		/// Initial operators.
		pub operators: Vec<T::AccountId>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (id, params) in &self.underlyings {
				if let Err(e) = Pallet::<T>::do_register_underlying(*id, *params) {
					panic!("oracle genesis: cannot register underlying {id}: {e:?}");
				}
			}
			for who in &self.operators {
				if let Err(e) = Pallet::<T>::do_add_operator(who.clone()) {
					panic!("oracle genesis: cannot add operator {who:?}: {e:?}");
				}
			}
		}
	}
}
