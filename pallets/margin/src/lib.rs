//! # Margin pallet
//!
//! Money of the optionchain exchange: a collateral ledger in the settlement asset (pallet-assets,
//! USDC), the initial and maintenance requirements of every account, margin calls, permissionless
//! and keeper-less liquidation, the insurance fund and explicit socialisation of losses. The
//! options pallet (positions and orders) talks to it through
//! [`optionchain_primitives::exchange::MarginAccounts`], implemented by [`Pallet`]; this pallet
//! reads positions through [`optionchain_primitives::exchange::PositionsProvider`].
//!
//! See `README.md` for formulas, rounding and invariants.
//!
//! ## Invariants (checked by `try_state`, after every unit test)
//! - the escrow account's real asset balance is at least the sum of all ledger collateral
//!   (including the insurance and fee accounts) plus the signed settlement clearing total (more
//!   only by what somebody sent to the escrow account directly);
//! - the clearing total equals the sum of the per-series clearing entries, each of which is
//!   positive (shorts pay in before longs are paid out of it);
//! - `AccountCount` equals the number of ledger entries;
//! - an account in debt to the insurance fund holds no collateral; the fund owes nothing;
//! - the stored parameters are valid; the insurance account is never under liquidation.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod accounts;
mod api;
mod invariants;
mod ledger;
mod liquidation;
pub mod migrations;
mod risk;
pub mod types;
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
	/// `long_initial_credit`; see [`crate::migrations`]).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

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

		/// Smallest deposit that opens a ledger entry (later deposits of an account in the
		/// ledger may be smaller).
		#[pallet::constant]
		type MinDeposit: Get<Balance>;

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

	/// Settlement clearing entry per series: `-Σ credits + Σ debits` applied so far (returns to
	/// zero when every position of the series is settled, unless a loss was socialised).
	#[pallet::storage]
	pub type Clearing<T: Config> = StorageMap<_, Twox64Concat, SeriesId, i128, OptionQuery>;

	/// Sum of [`Clearing`].
	#[pallet::storage]
	pub type ClearingTotal<T: Config> = StorageValue<_, i128, ValueQuery>;

	/// Risk parameters.
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, MarginParameters, ValueQuery>;

	/// A change of the risk parameters waiting for its notice period to end.
	#[pallet::storage]
	pub type PendingParams<T: Config> =
		StorageValue<_, PendingParameters<BlockNumberFor<T>>, OptionQuery>;

	/// Raw storage key of the last account visited by the `on_idle` sweep.
	#[pallet::storage]
	pub type SweepCursor<T: Config> = StorageValue<_, BoundedVec<u8, ConstU32<256>>, OptionQuery>;

	/// Events of the margin pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `who` deposited `amount` of the settlement asset.
		Deposited { who: T::AccountId, amount: Balance },
		/// `who` withdrew `amount`.
		Withdrawn { who: T::AccountId, amount: Balance },
		/// `amount` was added to the insurance fund by `who`.
		InsuranceFunded { who: T::AccountId, amount: Balance },
		/// Collateral moved between ledger accounts (premium).
		Transferred { from: T::AccountId, to: T::AccountId, amount: Balance },
		/// A trading fee was charged.
		FeeCharged { who: T::AccountId, amount: Balance },
		/// A settlement cash flow was applied (`amount > 0` credit).
		Settled { who: T::AccountId, series: SeriesId, amount: i128 },
		/// The account's margin state changed.
		StateChanged { who: T::AccountId, from: AccountState, to: AccountState },
		/// Margin call: the account is below its initial requirement (restricted).
		MarginCalled { who: T::AccountId, equity: i128, initial: Balance, maintenance: Balance },
		/// `quantity` contracts of `series` of `account` were taken over by `liquidator` at mark
		/// `value` (what the liquidator received: negative for a short, paid by `account`).
		Liquidated {
			account: T::AccountId,
			liquidator: T::AccountId,
			series: SeriesId,
			quantity: Contracts,
			value: i128,
		},
		/// `account` paid the liquidation `penalty` to `liquidator` (limited to what it had left),
		/// of which `insurance_fee` went on to the insurance fund.
		PenaltyCharged {
			account: T::AccountId,
			liquidator: T::AccountId,
			penalty: Balance,
			insurance_fee: Balance,
		},
		/// The account is back above maintenance plus buffer: its liquidation ended.
		LiquidationEnded { account: T::AccountId },
		/// The `on_idle` sweep handed `positions` positions of `account` to the insurance fund.
		AccountSwept { account: T::AccountId, positions: u32 },
		/// The insurance fund advanced `amount` that `account` could not pay (a settlement or
		/// liquidation shortfall); `account` now owes it to the fund and repays it from its next
		/// credits (deposits, premiums, settlement payouts).
		BadDebtCovered { account: T::AccountId, amount: Balance },
		/// `account` repaid `amount` of its debt to the insurance fund.
		DebtRepaid { account: T::AccountId, amount: Balance },
		/// `account` now owes the insurance fund `amount` more: a shortfall of its settlement or
		/// liquidation payments (advanced by the fund, or borne by the longs / the liquidator
		/// when the fund could not; any repayment goes to the fund).
		DebtRecorded { account: T::AccountId, amount: Balance },
		/// The short `account` could not pay `amount` of its settlement of `series` and the
		/// insurance fund could not advance it: the series' longs bear it (pro rata, reported by
		/// `LossSocialised` for each of them).
		SettlementShortfall { account: T::AccountId, series: SeriesId, amount: Balance },
		/// `bearer` received `amount` less than it was due: its share of a loss neither the
		/// debtor nor the insurance fund could pay (a long of a settling series whose shorts
		/// fell short, or a liquidator taking over a bankrupt account's short).
		LossSocialised { bearer: T::AccountId, series: SeriesId, amount: Balance },
		/// The risk parameters changed (they apply from this block on).
		ParametersUpdated { params: MarginParameters },
		/// A change of the risk parameters was announced: it applies in block `effective_at`.
		ParametersScheduled { params: MarginParameters, effective_at: BlockNumberFor<T> },
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
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Applies announced risk parameters whose notice period ended.
		fn on_initialize(n: BlockNumberFor<T>) -> Weight {
			Self::apply_pending_parameters(n)
		}

		/// Keeper-less liquidation: visits up to `MaxSweepPerBlock` ledger accounts (as far as
		/// `remaining` allows), continuing from the cursor, and hands the positions of
		/// liquidatable accounts to the insurance account.
		fn on_idle(_n: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::sweep(remaining)
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
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::deposit())]
		pub fn deposit(origin: OriginFor<T>, #[pallet::compact] amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_deposit(&who, amount)
		}

		/// Withdraw `amount` of collateral. Only while the account stays at or above its
		/// initial requirement afterwards, with fresh prices for every underlying it holds.
		#[pallet::call_index(1)]
		#[pallet::weight(Pallet::<T>::withdraw_weight())]
		pub fn withdraw(
			origin: OriginFor<T>,
			#[pallet::compact] amount: Balance,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(&who, amount)
		}

		/// Take over `quantity` contracts of `account`'s position in `series` at mark price
		/// with the liquidation penalty in the caller's favour. `account` must be liquidatable
		/// with fresh prices for all its underlyings; its resting orders are cancelled; the
		/// caller must end at or above its initial requirement.
		#[pallet::call_index(2)]
		#[pallet::weight(Pallet::<T>::liquidate_weight())]
		pub fn liquidate(
			origin: OriginFor<T>,
			account: T::AccountId,
			series: SeriesId,
			quantity: Contracts,
		) -> DispatchResult {
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
