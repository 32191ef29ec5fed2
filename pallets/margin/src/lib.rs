#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod accounts;
mod api;
pub mod band;
mod invariants;
mod ledger;
mod liquidation;
pub mod migrations;
mod risk;
pub(crate) mod step;
pub mod trigger;
pub mod types;
mod warm;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use types::*;
pub use weights::WeightInfo;

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::margin";

/// Most liquidatable accounts the sweep keeps waiting for room (`SweepDeferred`).
pub const MAX_SWEEP_DEFERRED: u32 = 8;

/// Settlement-asset units a warm account's spare initial equity must hold per resting
/// contract beyond the mark value of its resting sells: what one fill can cost through
/// rounding (the short liability and the long credit rounded once each, a put's capped
/// requirement by one unit), at most 3 units, and each fill takes at least one contract.
pub const WARM_ROUNDING_PER_CONTRACT: u128 = 4;

/// The most series a ledger entry lists positions in (`AccountInfo::positions`): at least the
/// options pallet's `MaxPositionSeriesPerAccount` (its integrity test checks it).
pub const MAX_POSITION_SERIES: u32 = 64;

/// Sets up state for the benchmarks (the runtime implements it with the real options pallet,
/// oracle and assets).
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Give `who` `amount` of the settlement asset (creating the asset if needed).
	fn fund(who: &AccountId, amount: optionchain_primitives::exchange::Balance);
	/// Make the price of `underlying` fresh at `price` with volatility `volatility`.
	fn set_price(
		underlying: optionchain_primitives::UnderlyingId,
		price: optionchain_primitives::Price,
		volatility: optionchain_primitives::Volatility,
	);
	/// Give `short` `n` one-contract short positions in `n` distinct series on `underlying`
	/// (and `long` the opposite longs), as fills would; returns the series ids.
	fn open_positions(
		short: &AccountId,
		long: &AccountId,
		underlying: optionchain_primitives::UnderlyingId,
		n: u32,
	) -> alloc::vec::Vec<optionchain_primitives::exchange::SeriesId>;
	/// Rest `count` one-contract bids of `who` in `series` at the lowest price of its tick
	/// (far from any ask: they never fill), as `place_order` would.
	fn rest_bids(who: &AccountId, series: optionchain_primitives::exchange::SeriesId, count: u32);
	/// Rest a one-contract bid and a one-contract ask of `who` in `series`, both far from the
	/// other side (they never fill), as `place_order` would: a two-sided quote.
	fn rest_quote(who: &AccountId, series: optionchain_primitives::exchange::SeriesId);
	/// Set the time (ms since the Unix epoch), as the next block's timestamp would.
	fn set_time(now: optionchain_primitives::Moment);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{fungibles, Time},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use optionchain_primitives::{
		exchange::{Balance, Contracts, PositionsProvider, SeriesId},
		Moment, OracleProvider,
	};

	/// The in-code storage version (1: `MarginParameters` gained `maintenance_mark_rate` and
	/// `long_initial_credit`; 2: every ledger account hot for the trigger step; 3: `checked_at`;
	/// 4: `warm_spare`; 5: the listed position series; see [`crate::migrations`]).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(5);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the margin pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The assets pallet holding the settlement asset.
		type Assets: fungibles::Mutate<Self::AccountId, Balance = Balance>;

		/// Id of the settlement asset (USDC, 6 decimals, `is_sufficient`).
		#[pallet::constant]
		type SettlementAsset: Get<AssetIdOf<Self>>;

		/// Settlement-asset units per USD (`1_000_000` for 6 decimals).
		#[pallet::constant]
		type UnitsPerUsd: Get<Balance>;

		/// Prices and volatilities.
		type Oracle: OracleProvider;

		/// Positions and resting orders (the options pallet).
		type Positions: PositionsProvider<Self::AccountId>;

		/// Block timestamp in milliseconds.
		type Time: Time<Moment = Moment>;

		/// Origin that changes the risk parameters (root in dev).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Id of the escrow account holding every unit of the ledger.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Id of the (keyless) insurance fund account; must differ from `PalletId`.
		#[pallet::constant]
		type InsurancePalletId: Get<PalletId>;

		/// Ledger account that receives trading fees.
		type FeeAccount: Get<Self::AccountId>;

		/// Blocks between a change of the risk parameters (`set_parameters`, announced by
		/// `ParametersScheduled`) and the block in which it applies, so that nobody is
		/// liquidated by a rule that did not exist when they last could act (0: at once).
		#[pallet::constant]
		type ParameterNotice: Get<BlockNumberFor<Self>>;

		/// Shortest time between two blocks (ms; `pallet_timestamp`'s `MinimumPeriod`): a
		/// parameter change announced now applies no sooner than `ParameterNotice` blocks of
		/// this length, so a trigger band (`band_of`) ends before then.
		#[pallet::constant]
		type MinBlockInterval: Get<Moment>;

		/// Smallest deposit that opens a ledger entry, settlement-asset units (USDC, 6 decimals;
		/// later deposits of an account in the ledger may be smaller).
		#[pallet::constant]
		type MinDeposit: Get<Balance>;

		/// Weight the trigger step may use in every block's `on_initialize`, before any
		/// extrinsic (re-evaluating the accounts whose band was left and every hot account,
		/// margin-calling and liquidating those that breached). With `NORMAL_DISPATCH_RATIO`
		/// of the block for normal extrinsics and the other hooks, it is what keeps a full block
		/// from delaying liquidations; it must cover one evaluation and one liquidation of the
		/// largest portfolio (`integrity_test`).
		#[pallet::constant]
		type TriggerReserve: Get<Weight>;

		/// Longest time a trigger band holds for (ms): an account quiet for longer is
		/// re-evaluated and banded again.
		#[pallet::constant]
		type BandHorizon: Get<Moment>;

		/// Volatility move a trigger band allows each way, as a fraction of each underlying's
		/// volatility when the band is computed (a move beyond it re-evaluates the account).
		#[pallet::constant]
		type BandVolatilityMove: Get<sp_runtime::Perbill>;

		/// Maximum number of accounts the `on_idle` sweep visits in one block.
		#[pallet::constant]
		type MaxSweepPerBlock: Get<u32>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;

		/// Sets up positions, prices and funds for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The margin ledger: collateral and margin state of every account that ever deposited,
	/// received money or traded (removed again once empty).
	#[pallet::storage]
	pub type Accounts<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, AccountInfo, OptionQuery>;

	/// Number of entries in [`Accounts`].
	#[pallet::storage]
	pub type AccountCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Settlement clearing entry per series: `-Σ credits + Σ debits` applied so far, signed
	/// settlement-asset units (USDC, 6 decimals; returns to zero when every position of the
	/// series is settled, unless a loss was socialised).
	#[pallet::storage]
	pub type Clearing<T: Config> = StorageMap<_, Twox64Concat, SeriesId, i128, OptionQuery>;

	/// Sum of [`Clearing`], signed settlement-asset units (USDC, 6 decimals).
	#[pallet::storage]
	pub type ClearingTotal<T: Config> = StorageValue<_, i128, ValueQuery>;

	/// Risk parameters.
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, MarginParameters, ValueQuery>;

	/// The last block in which risk parameters were announced or changed (0: never). A
	/// change counts in evaluations at once (an announced change raises the initial
	/// requirement until it applies), so no account is warm for the rest of that block.
	#[pallet::storage]
	pub type WarmVoidAt<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// A change of the risk parameters waiting for its notice period to end.
	#[pallet::storage]
	pub type PendingParams<T: Config> =
		StorageValue<_, PendingParameters<BlockNumberFor<T>>, OptionQuery>;

	/// Raw storage key of the last account visited by the `on_idle` sweep.
	#[pallet::storage]
	pub type SweepCursor<T: Config> = StorageValue<_, BoundedVec<u8, ConstU32<256>>, OptionQuery>;

	/// Liquidatable accounts the sweep found without room for their liquidation (oldest
	/// first): each later sweep liquidates them first, as soon as one fits, while the round
	/// robin goes on past them. Full, the sweep stops before the next such account instead.
	#[pallet::storage]
	pub type SweepDeferred<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, ConstU32<MAX_SWEEP_DEFERRED>>, ValueQuery>;

	/// Stored trigger bands (the buckets of their edges and their deadline), one per account in
	/// the trigger index (`trigger.rs`).
	#[pallet::storage]
	pub type Bands<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, crate::trigger::StoredBand, OptionQuery>;

	/// The trigger index: per underlying and edge kind, the accounts with a band edge in each
	/// bucket, iterated in bucket order (`trigger.rs`).
	#[pallet::storage]
	pub type TriggerIndex<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		(optionchain_primitives::UnderlyingId, crate::trigger::EdgeKind),
		Identity,
		crate::trigger::IndexKey<T::AccountId>,
		(),
		OptionQuery,
	>;

	/// Hot accounts (`step.rs`): changed since their trigger band was computed, or without a
	/// band worth keeping. The trigger step evaluates each of them in every block; the value
	/// is the first block in which `on_idle` may band it.
	#[pallet::storage]
	pub type Hot<T: Config> =
		CountedStorageMap<_, Twox64Concat, T::AccountId, BlockNumberFor<T>, OptionQuery>;

	/// Raw [`Hot`] key of the last account the trigger step's round robin visited in a block
	/// it could not finish (the next step starts after it).
	#[pallet::storage]
	pub type HotCursor<T: Config> = StorageValue<_, BoundedVec<u8, ConstU32<256>>, OptionQuery>;

	/// Raw [`Hot`] key of the last account `on_idle` looked at for banding.
	#[pallet::storage]
	pub type RebandCursor<T: Config> = StorageValue<_, BoundedVec<u8, ConstU32<256>>, OptionQuery>;

	/// Trigger index of band deadlines: `(deadline, account)`, earliest first.
	#[pallet::storage]
	pub type DeadlineIndex<T: Config> =
		StorageMap<_, Identity, crate::trigger::DeadlineKey<T::AccountId>, (), OptionQuery>;

	/// The underlyings whose edge lists the trigger step reads (every underlying of a stored
	/// band; never shrinks, at most `MAX_TRIGGER_UNDERLYINGS`).
	#[pallet::storage]
	pub type TriggerUnderlyings<T: Config> = StorageValue<
		_,
		BoundedVec<
			optionchain_primitives::UnderlyingId,
			ConstU32<{ crate::trigger::MAX_TRIGGER_UNDERLYINGS }>,
		>,
		ValueQuery,
	>;

	/// Events of the margin pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` deposited `amount` of the settlement asset.
		Deposited {
			/// The depositing account.
			who: T::AccountId,
			/// Amount moved from the account's asset balance into the ledger (its debt to the
			/// insurance fund, if any, is repaid from it first), settlement-asset units (USDC, 6
			/// decimals: 1_000_000 = 1 USD).
			amount: Balance,
		},
		/// `who` withdrew `amount`.
		Withdrawn {
			/// The withdrawing account.
			who: T::AccountId,
			/// Amount moved from the ledger to the account's asset balance, settlement-asset units
			/// (USDC, 6 decimals: 1_000_000 = 1 USD).
			amount: Balance,
		},
		/// `amount` was added to the insurance fund by `who`.
		InsuranceFunded {
			/// The donating account.
			who: T::AccountId,
			/// Amount added to the insurance fund, settlement-asset units (USDC, 6 decimals:
			/// 1_000_000 = 1 USD).
			amount: Balance,
		},
		/// A settlement cash flow was applied (`amount > 0` credit).
		Settled {
			/// The account whose position was settled.
			who: T::AccountId,
			/// The settling series (`SeriesId`).
			series: SeriesId,
			/// The cash flow, signed settlement-asset units (USDC, 6 decimals: 1_000_000 = 1 USD):
			/// for a long, `+` what it was paid (less than due if the shorts fell short, see
			/// `LossSocialised`); for a short, `-` what it owed (`|net|` times the payout per
			/// contract), including any part advanced by the insurance fund or left unpaid.
			amount: i128,
		},
		/// The account's margin state changed.
		StateChanged {
			/// The account.
			who: T::AccountId,
			/// Its previous margin state (`Healthy`, `Restricted` or `Liquidatable`).
			from: AccountState,
			/// Its new margin state.
			to: AccountState,
		},
		/// Margin call: the account is below its initial requirement (restricted).
		MarginCalled {
			/// The account, now `Restricted`.
			who: T::AccountId,
			/// Its equity: collateral minus debt plus the mark-to-market value of its positions,
			/// rounded down, signed settlement-asset units (USDC, 6 decimals: 1_000_000 = 1 USD).
			/// At or above `maintenance`. It may exceed `initial`: the state compares `initial`
			/// with the initial equity, which counts long options only at the `long_initial_credit`
			/// fraction of their value.
			equity: i128,
			/// The initial requirement of its positions (rounded up; resting orders never
			/// margin-call an account), settlement-asset units (USDC, 6 decimals: 1_000_000 =
			/// 1 USD).
			initial: Balance,
			/// Its maintenance requirement (positions, rounded up), settlement-asset units (USDC, 6
			/// decimals: 1_000_000 = 1 USD).
			maintenance: Balance,
		},
		/// `quantity` contracts of `series` of `account` were taken over by `liquidator` at mark
		/// `value` (what the liquidator received: negative for a short, paid by `account`).
		Liquidated {
			/// The liquidated account.
			account: T::AccountId,
			/// The account that took the contracts over: the caller of `liquidate`, or the
			/// insurance account in the `on_idle` sweep.
			liquidator: T::AccountId,
			/// The series (`SeriesId`).
			series: SeriesId,
			/// Contracts taken over (> 0), whether the position was long or short.
			quantity: Contracts,
			/// Mark value of the contracts taken over, from the liquidator's side, rounded against
			/// `account`, signed settlement-asset units (USDC, 6 decimals: 1_000_000 = 1 USD):
			/// positive for a long (the liquidator paid it to `account`, or the insurance account
			/// set it off against `account`'s debt), negative for a short (`account` paid its
			/// absolute value to the liquidator; see `BadDebtCovered` and `LossSocialised` for what
			/// it lacked).
			value: i128,
		},
		/// `account` paid the liquidation `penalty` to `liquidator` (limited to what it had left),
		/// of which `insurance_fee` went on to the insurance fund.
		PenaltyCharged {
			/// The liquidated account that paid the penalty.
			account: T::AccountId,
			/// The account that received it.
			liquidator: T::AccountId,
			/// Penalty paid: `liquidation_penalty` times the maintenance requirement of the shorts
			/// taken over, limited to the account's collateral and remaining equity,
			/// settlement-asset units (USDC, 6 decimals: 1_000_000 = 1 USD).
			penalty: Balance,
			/// Part of `penalty` the liquidator passed on to the insurance fund (`insurance_share`
			/// of it; 0 when the liquidator is the insurance account), settlement-asset units
			/// (USDC, 6 decimals: 1_000_000 = 1 USD).
			insurance_fee: Balance,
		},
		/// The account is back above maintenance plus buffer: its liquidation ended.
		LiquidationEnded {
			/// The account, no longer under liquidation.
			account: T::AccountId,
		},
		/// The `on_idle` sweep handed `positions` positions of `account` to the insurance fund.
		AccountSwept {
			/// The liquidatable account the sweep visited.
			account: T::AccountId,
			/// Number of its positions taken over, in whole or in part, by the insurance account
			/// (shorts, then longs to repay its debt).
			positions: u32,
		},
		/// The insurance fund advanced `amount` that `account` could not pay (a settlement or
		/// liquidation shortfall); `account` now owes it to the fund and repays it from its next
		/// credits (deposits, premiums, settlement payouts).
		BadDebtCovered {
			/// The account whose shortfall was covered (now in debt to the fund).
			account: T::AccountId,
			/// Amount the fund advanced (or, when the fund itself was owed, received less),
			/// settlement-asset units (USDC, 6 decimals: 1_000_000 = 1 USD).
			amount: Balance,
		},
		/// `account` repaid `amount` of its debt to the insurance fund.
		DebtRepaid {
			/// The indebted account.
			account: T::AccountId,
			/// Debt repaid to the insurance fund (from a credit of the account, or set off against
			/// a long the fund took over), settlement-asset units (USDC, 6 decimals: 1_000_000 = 1
			/// USD).
			amount: Balance,
		},
		/// `account` now owes the insurance fund `amount` more: a shortfall of its settlement or
		/// liquidation payments (advanced by the fund, or borne by the longs / the liquidator
		/// when the fund could not; any repayment goes to the fund).
		DebtRecorded {
			/// The account now owing the insurance fund more.
			account: T::AccountId,
			/// Increase of its debt, settlement-asset units (USDC, 6 decimals: 1_000_000 = 1 USD).
			amount: Balance,
		},
		/// The short `account` could not pay `amount` of its settlement of `series` and the
		/// insurance fund could not advance it: the series' longs bear it (pro rata, reported by
		/// `LossSocialised` for each of them).
		SettlementShortfall {
			/// The short that could not pay.
			account: T::AccountId,
			/// The settling series (`SeriesId`).
			series: SeriesId,
			/// Unpaid part of its settlement that the insurance fund could not advance either,
			/// settlement-asset units (USDC, 6 decimals: 1_000_000 = 1 USD).
			amount: Balance,
		},
		/// `bearer` received `amount` less than it was due: its share of a loss neither the
		/// debtor nor the insurance fund could pay (a long of a settling series whose shorts
		/// fell short, or a liquidator taking over a bankrupt account's short).
		LossSocialised {
			/// The account that received less than it was due.
			bearer: T::AccountId,
			/// The series being settled or liquidated (`SeriesId`).
			series: SeriesId,
			/// How much less it received, settlement-asset units (USDC, 6 decimals: 1_000_000 = 1
			/// USD).
			amount: Balance,
		},
		/// The risk parameters changed (they apply from this block on).
		ParametersUpdated {
			/// The risk parameters now in force (fractions as 18-decimal fixed point, 0.15 = 15 %;
			/// `rate` and `dividend_yield` per year, continuously compounded).
			params: MarginParameters,
		},
		/// The trigger step used its whole reserve (`TriggerReserve`) with accounts left to
		/// re-evaluate: they come first in the next block.
		TriggersPending {
			/// Accounts re-evaluated in this block's step.
			evaluated: u32,
			/// Hot accounts (changed recently, or without a band) not re-evaluated in this
			/// block.
			hot_pending: u32,
			/// Whether accounts whose band the price, volatility or time left are still
			/// waiting (they go before the hot accounts).
			crossings_pending: bool,
		},
		/// A change of the risk parameters was announced: it applies in block `effective_at`.
		ParametersScheduled {
			/// The announced risk parameters (fractions as 18-decimal fixed point, 0.15 = 15 %;
			/// `rate` and `dividend_yield` per year, continuously compounded).
			params: MarginParameters,
			/// Block number from which they apply: the announcing block plus `ParameterNotice`.
			effective_at: BlockNumberFor<T>,
		},
	}

	/// Errors of the margin pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The amount is zero.
		ZeroAmount,
		/// The account's collateral is smaller than the amount.
		InsufficientCollateral,
		/// The account's equity would be below its initial requirement.
		InsufficientMargin,
		/// A price or volatility needed is stale, circuit-broken or missing.
		PriceStale,
		/// No price or volatility exists for an underlying of the portfolio.
		PriceUnavailable,
		/// The pricing library rejected the inputs (e.g. expiry beyond 100 years).
		PricingFailed,
		/// An arithmetic overflow.
		Overflow,
		/// The account is not liquidatable.
		NotLiquidatable,
		/// An account cannot liquidate itself.
		CannotLiquidateSelf,
		/// The insurance account cannot be liquidated.
		CannotLiquidateInsurance,
		/// The quantity is zero or negative.
		ZeroQuantity,
		/// The account has no position in the series.
		PositionNotFound,
		/// The quantity exceeds the position.
		QuantityTooLarge,
		/// The series is expired (settled, not liquidated).
		SeriesExpired,
		/// The liquidator would end below its initial requirement.
		LiquidatorBelowInitial,
		/// Margin rates must satisfy `0 < maintenance <= min_initial <= initial <= 1` and
		/// `maintenance_mark_rate <= 1`.
		InvalidMarginRates,
		/// The credit for long options in the initial requirement must be at most 1.
		InvalidLongCredit,
		/// Taking this position over would not bring the account closer to its liquidation
		/// target: a long while the account still has shorts on fresh underlyings, or a long
		/// of an account that owes nothing.
		LiquidationNotNeeded,
		/// The liquidation penalty must be at most 0.5.
		InvalidPenalty,
		/// The insurance share must be at most 1.
		InvalidInsuranceShare,
		/// The liquidation buffer must be at most 1.
		InvalidBuffer,
		/// The rate and the dividend yield must be within [0, 1] (per year).
		InvalidInterestRate,
		/// The escrow account's balance does not cover the withdrawal (a broken invariant).
		EscrowInsufficient,
		/// A deposit opening a ledger entry must be at least `MinDeposit`.
		DepositBelowMinimum,
		/// A withdrawal must leave either nothing or at least `MinDeposit`.
		WithdrawalLeavesDust,
		/// Settlement payout: the contracts exceed the unpaid contracts, or the clearing entry
		/// is negative (the series' shorts are not collected yet).
		InvalidSettlement,
		/// A trigger band was asked for with inconsistent inputs (a position expiring before
		/// the deadline, a missing market, an empty volatility box, too many refinements).
		InvalidBandRequest,
		/// The account would hold positions in more series than its cap.
		TooManyPositionSeries,
		/// The caller holds less of the settlement asset than it deposits or donates.
		InsufficientBalance,
		/// The caller's settlement-asset account, or the asset itself, is frozen by the asset's
		/// freezer: nothing can be deposited or donated from it until it is thawed.
		SettlementAssetFrozen,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Applies announced risk parameters whose notice period ended, then runs the trigger
		/// step (`step.rs`): re-evaluates, within `TriggerReserve`, the accounts whose trigger
		/// band the last canonical price, volatility or time left, then every hot account,
		/// margin-calling or liquidating those that breached, before any extrinsic.
		fn on_initialize(n: BlockNumberFor<T>) -> Weight {
			Self::apply_pending_parameters(n).saturating_add(Self::trigger_step(n))
		}

		/// Bands hot accounts not changed in this block (with at most half of `remaining`),
		/// then the keeper-less sweep (safety net): visits up to `MaxSweepPerBlock` ledger
		/// accounts (as far as the rest allows), continuing from the cursor, and hands the
		/// positions of liquidatable accounts to the insurance account.
		fn on_idle(n: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let banded = Self::reband_idle(n, remaining.saturating_div(2));
			banded.saturating_add(Self::sweep(remaining.saturating_sub(banded)))
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
		/// Deposit `amount` of the settlement asset as collateral.
		///
		/// - `amount`: settlement-asset units (USDC, 6 decimals: 1_000_000 = 1 USDC); one that
		///   opens a ledger entry must be at least `MinDeposit`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::deposit())]
		pub fn deposit(origin: OriginFor<T>, #[pallet::compact] amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_deposit(&who, amount)
		}

		/// Withdraw `amount` of collateral. Only while the account stays at or above its
		/// initial requirement afterwards, with fresh prices for every underlying it holds.
		/// A refusal is charged the evaluation it made, at the account's real size.
		///
		/// - `amount`: settlement-asset units (USDC, 6 decimals: 1_000_000 = 1 USDC); it must
		///   leave nothing or at least `MinDeposit`.
		#[pallet::call_index(1)]
		#[pallet::weight(Pallet::<T>::withdraw_weight())]
		pub fn withdraw(
			origin: OriginFor<T>,
			#[pallet::compact] amount: Balance,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(&who, amount)
		}

		/// Take over `quantity` contracts of `account`'s position in `series` at mark price
		/// with the liquidation penalty in the caller's favour. `account` must be liquidatable
		/// with fresh prices for all its underlyings; its resting orders are voided; the
		/// caller must end at or above its initial requirement. A refusal is charged the
		/// evaluations it made, at the accounts' real sizes.
		///
		/// - `quantity`: contracts to take over (> 0, at most `account`'s position).
		#[pallet::call_index(2)]
		#[pallet::weight(Pallet::<T>::liquidate_weight())]
		pub fn liquidate(
			origin: OriginFor<T>,
			account: T::AccountId,
			series: SeriesId,
			quantity: Contracts,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_liquidate(&who, &account, series, quantity)
		}

		/// Change the risk parameters (fractions, 18 decimals: 0.15 = 15 %). The change is
		/// announced now (`ParametersScheduled`) and applies `ParameterNotice` blocks later
		/// (`ParametersUpdated`); a later call replaces a change not yet applied.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_parameters())]
		pub fn set_parameters(origin: OriginFor<T>, params: MarginParameters) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::validate_parameters(&params)?;
			Self::schedule_parameters(params);
			Ok(())
		}

		/// Add `amount` of the caller's settlement asset to the insurance fund (a donation).
		///
		/// - `amount`: settlement-asset units (USDC, 6 decimals: 1_000_000 = 1 USDC).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::deposit())]
		pub fn fund_insurance(
			origin: OriginFor<T>,
			#[pallet::compact] amount: Balance,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_fund_insurance(&who, amount)
		}
	}
}
