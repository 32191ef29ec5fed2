#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod book;
mod good_till;
mod governance;
mod invariants;
mod listing;
mod matching;
pub mod migrations;
mod mmp;
mod provider;
mod quote;
mod schedule;
mod settlement;
pub mod types;
mod vol;
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
pub const LOG_TARGET: &str = "runtime::options";

/// Sets up the world the benchmarks need (the runtime's margin and oracle pallets).
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Make `underlying` known to the oracle with a fresh index price, so that series can be
	/// listed on it and risk can be taken.
	fn setup_underlying(underlying: optionchain_primitives::UnderlyingId);
	/// Make `underlying`'s fresh index price `price` (USD per unit, 18 decimals).
	fn set_index_price(
		underlying: optionchain_primitives::UnderlyingId,
		price: optionchain_primitives::Price,
	);
	/// Give `who` a large amount of collateral.
	fn fund(who: &AccountId);
	/// Set the block timestamp (ms).
	fn set_time(now: optionchain_primitives::Moment);
	/// Fix the oracle's settlement price of `(underlying, expiry)`.
	fn fix_settlement_price(
		underlying: optionchain_primitives::UnderlyingId,
		expiry: optionchain_primitives::Moment,
		price: optionchain_primitives::Price,
	);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		dispatch::WithPostDispatchInfo,
		pallet_prelude::*,
		traits::{BuildGenesisConfig, Contains, Time},
	};
	use frame_system::pallet_prelude::*;
	use optionchain_primitives::{
		exchange::{Balance, Contracts, MarginAccounts, OptionKind, SeriesId, Side, SignedBalance},
		Moment, OracleProvider, Price, UnderlyingId,
	};
	use sp_arithmetic::Permill;

	/// The in-code storage version.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(5);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the options pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Source of the block timestamp in milliseconds (`pallet_timestamp::Pallet<Runtime>`).
		type Time: Time<Moment = Moment>;

		/// The oracle: settlement prices (and scheduling them when a series is listed).
		type Oracle: OracleProvider;

		/// The margin ledger: every premium, fee and settlement cash flow, and the margin
		/// checks (the margin pallet in the runtime).
		type Margin: MarginAccounts<Self::AccountId>;

		/// Origin that configures underlyings and lists series (root in dev).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Maximum number of series not yet fully settled.
		#[pallet::constant]
		type MaxLiveSeries: Get<u32>;

		/// Maximum number of resting orders on one side of one series' book.
		#[pallet::constant]
		type MaxOrdersPerSide: Get<u32>;

		/// Maximum number of resting orders of one account (all series).
		#[pallet::constant]
		type MaxOrdersPerAccount: Get<u32>;

		/// Maximum number of series in which one account has a position or resting orders.
		#[pallet::constant]
		type MaxSeriesPerAccount: Get<u32>;

		/// Maximum number of series in which one account holds a position (a net other than
		/// zero): what sizes its maintenance evaluation, its trigger band and its liquidation.
		/// At most `MaxSeriesPerAccount`; series with resting orders only do not count.
		#[pallet::constant]
		type MaxPositionSeriesPerAccount: Get<u32>;

		/// Accounts exempt from `MaxSeriesPerAccount` and `MaxPositionSeriesPerAccount` (up
		/// to `MaxLiveSeries` series): the
		/// margin pallet's insurance account, which takes over the positions of every account
		/// the keeper-less liquidation sweeps and is never margin-checked.
		type UncappedAccounts: Contains<Self::AccountId>;

		/// Maximum number of match steps (fills, plus resting orders cancelled by self-trade
		/// prevention or reduce-only trimming) in one placement.
		#[pallet::constant]
		type MaxFillsPerOrder: Get<u32>;

		/// Maximum number of orders queued in one block for matching after its transactions
		/// (`place_order` / `replace_order` of orders that may take liquidity); further ones
		/// are refused with `QueueFull`. Set it above what a full block's weight admits.
		#[pallet::constant]
		type MaxQueuedOrders: Get<u32>;

		/// Maximum number of legs (sides quoted, in at most as many series) of one `quote`.
		#[pallet::constant]
		type MaxQuoteLegs: Get<u32>;

		/// Maximum quantity of one order, in contracts.
		#[pallet::constant]
		type MaxOrderQuantity: Get<Contracts>;

		/// Latest admissible expiry, relative to now (ms).
		#[pallet::constant]
		type MaxExpiryHorizon: Get<Moment>;

		/// Maker fee per contract, settlement-asset units (USDC, 6 decimals), capped at `FeeCap`
		/// of the premium.
		#[pallet::constant]
		type MakerFeePerContract: Get<Balance>;

		/// Taker fee per contract, settlement-asset units (USDC, 6 decimals), capped at `FeeCap`
		/// of the premium.
		#[pallet::constant]
		type TakerFeePerContract: Get<Balance>;

		/// Cap of each fee as a fraction of the fill's premium (at most 12.5 %).
		#[pallet::constant]
		type FeeCap: Get<Permill>;

		/// Settlement-asset units per USD (`1_000_000` for USDC).
		#[pallet::constant]
		type UnitsPerUsd: Get<Balance>;

		/// Maximum number of work items (orders removed or positions settled) per `on_idle`
		/// (further bounded by the remaining weight).
		#[pallet::constant]
		type MaxIdleItems: Get<u32>;

		/// The farthest block a dead-man's switch (`schedule_cancel`) or a good-till-block
		/// order may name, in blocks after the current one.
		#[pallet::constant]
		type MaxCancelDelay: Get<BlockNumberFor<Self>>;

		/// Dead-man's switch: at most this many switches may be armed for one block, and all
		/// of them fire at its start.
		#[pallet::constant]
		type MaxCancelsPerBlock: Get<u32>;

		/// The slot duration `I`, ms: block `b` is stamped at least `(b - a) × I - (I - 1)` after
		/// block `a` (slots strictly increase and a block is stamped within its slot).
		/// Good-till-time orders are removed from the first block surely past their time, and
		/// may be placed at most `MaxCancelDelay × MinBlockInterval` ahead.
		#[pallet::constant]
		type MinBlockInterval: Get<Moment>;

		/// Market-maker protection: the longest window and the longest timed freeze, in
		/// blocks.
		#[pallet::constant]
		type MaxMmpBlocks: Get<u32>;

		/// Volatility-priced orders (`place_vol_order`) resting in one series, both sides.
		#[pallet::constant]
		type MaxVolOrdersPerSeries: Get<u32>;

		/// Volatility-priced orders resting in all series: every one is priced again at the
		/// start of every block, so this bounds that work (see [`VolOrders`]).
		#[pallet::constant]
		type MaxVolOrders: Get<u32>;

		/// Series holding volatility-priced orders at once.
		#[pallet::constant]
		type MaxVolSeries: Get<u32>;

		/// Volatility-priced orders one account may have resting.
		#[pallet::constant]
		type MaxVolOrdersPerAccount: Get<u32>;

		/// Smallest premium of a new volatility-priced order (its premium per contract at
		/// placement times its contracts), settlement-asset units (USDC, 6 decimals): the
		/// places are few and shared, so holding one costs some capital.
		#[pallet::constant]
		type MinVolOrderPremium: Get<Balance>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;

		/// Sets up oracle and margin state for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// One side of a book.
	pub type BookSideOf<T> = BoundedVec<
		BookOrder<<T as frame_system::Config>::AccountId>,
		<T as Config>::MaxOrdersPerSide,
	>;

	/// Trading parameters of each configured underlying.
	#[pallet::storage]
	pub type UnderlyingConfigs<T: Config> =
		StorageMap<_, Twox64Concat, UnderlyingId, UnderlyingConfig, OptionQuery>;

	/// The next series id.
	#[pallet::storage]
	pub type NextSeriesId<T: Config> = StorageValue<_, SeriesId, ValueQuery>;

	/// Every series not yet fully settled.
	#[pallet::storage]
	pub type Series<T: Config> = StorageMap<_, Twox64Concat, SeriesId, SeriesInfo, OptionQuery>;

	/// Duplicate check: `(underlying, strike inner (USD per unit × 10^18), expiry (ms), kind)
	/// -> series`. Removed with the series once fully settled.
	#[pallet::storage]
	pub type SeriesByTerms<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		(UnderlyingId, u128, Moment, OptionKind),
		SeriesId,
		OptionQuery,
	>;

	/// The series not yet fully settled as `(expiry in ms since the Unix epoch, id)`, ascending
	/// (so the due ones are a prefix: `on_idle` reads one value to find its work).
	#[pallet::storage]
	pub type LiveSeries<T: Config> =
		StorageValue<_, BoundedVec<(Moment, SeriesId), T::MaxLiveSeries>, ValueQuery>;

	/// The listing rules (`set_listing_rule`), ascending by underlying, each with the latest
	/// expiry (ms since the Unix epoch) the rule has dealt with: listed, or passed over when it
	/// could not be listed (`ListingHalted`). At most [`listing::MAX_LISTING_RULES`].
	#[pallet::storage]
	pub type ListingRules<T: Config> = StorageValue<
		_,
		BoundedVec<(UnderlyingId, ListingRule, Moment), ConstU32<{ listing::MAX_LISTING_RULES }>>,
		ValueQuery,
	>;

	/// Open interest of all series of an underlying together, in contracts.
	#[pallet::storage]
	pub type UnderlyingOpenInterest<T: Config> =
		StorageMap<_, Twox64Concat, UnderlyingId, Contracts, ValueQuery>;

	/// The books: `(series, side) -> resting orders` sorted by priority (bids: price
	/// descending; asks: price ascending; then order id ascending).
	#[pallet::storage]
	pub type Books<T: Config> =
		StorageDoubleMap<_, Twox64Concat, SeriesId, Twox64Concat, Side, BookSideOf<T>, ValueQuery>;

	/// The next order id.
	#[pallet::storage]
	pub type NextOrderId<T: Config> = StorageValue<_, OrderId, ValueQuery>;

	/// Each account's resting orders with their series and side, in placement order (one map
	/// for the owner's bound, its cancellation by id and its cancel-all; storage v1: it
	/// replaced `AccountOrders` of ids plus `OrderLocations`).
	#[pallet::storage]
	pub type AccountOrders<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<OrderRef, T::MaxOrdersPerAccount>,
		ValueQuery,
	>;

	/// Accounts whose resting orders were voided by a liquidation or by their dead-man's switch
	/// (`schedule_cancel`): every order of the account
	/// with an id below the value (all it had then) never fills again. A taker that reaches
	/// one removes it (`OrderCancelled`, `Voided`) and goes on; the owner may cancel them;
	/// `on_idle` removes the rest, account by account in storage order, and then the entry. Until removed, a
	/// void order still counts towards its owner's initial requirement (it never lowers it),
	/// never towards maintenance, and takes one of its `MaxOrdersPerAccount` places (a maker
	/// that restarts after its switch fired may `cancel_all` first). Orders placed after the
	/// liquidation or the switch are not void.
	#[pallet::storage]
	pub type VoidBefore<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, OrderId, OptionQuery>;

	/// Dead-man's switches: `account -> block`. Unless the account calls `schedule_cancel`
	/// again before that block, every resting order it has at the block's start is voided
	/// (see [`VoidBefore`]).
	#[pallet::storage]
	pub type CancelDeadlines<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, T::AccountId, BlockNumberFor<T>, OptionQuery>;

	/// The same switches by block: `(block, account)` for each entry of [`CancelDeadlines`].
	#[pallet::storage]
	pub type DueCancels<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		Blake2_128Concat,
		T::AccountId,
		(),
		OptionQuery,
	>;

	/// Market-maker protection (`set_mmp`), per account and underlying: its limits, what its
	/// fills as maker counted in the current and the previous window, its freeze, and the
	/// watermark of its last trip. When a fill of one of the account's resting orders takes a
	/// count to its limit, the account trips there: frozen (no order of it rests on the
	/// underlying until it thaws or is reset; immediate orders, to hedge, still trade) and
	/// every order it then had on the underlying is void (`void_before`): a taker that
	/// reaches one removes it (`OrderCancelled`, `MmpTripped`) and goes on, and `on_idle`
	/// removes the rest (see [`MmpCleanup`]). One read per match step, one write per counted
	/// fill: the trip itself is O(1).
	#[pallet::storage]
	pub type MmpStates<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		UnderlyingId,
		MmpState,
		OptionQuery,
	>;

	/// Tripped protections whose void orders `on_idle` is removing (see [`MmpStates`]): the
	/// trip's watermark and the next order id to look at in the owner's list.
	#[pallet::storage]
	pub type MmpCleanup<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		UnderlyingId,
		MmpCleanupCursor,
		OptionQuery,
	>;

	/// The volatility of each volatility-priced order of a series (`place_vol_order`), in id
	/// order. Such an order rests in [`Books`] like any other; after the block's inherents
	/// (`PostInherents`, so at the block's timestamp and index price) it is priced again: its
	/// premium at its volatility, rounded to the tick in its owner's favour, an ask at least a
	/// tick above the best bid of premium-priced orders and a bid at least a tick below the
	/// best ask (the book never crosses), its side put in price-then-id order and its owner's
	/// reserved premium adjusted. Entries of orders that left the book (filled, cancelled) go
	/// then too. Bounded by `MaxVolOrdersPerSeries`, `MaxVolSeries` and, in all,
	/// `MaxVolOrders` ([`VolOrderCount`]).
	#[pallet::storage]
	pub type VolOrders<T: Config> = CountedStorageMap<
		_,
		Twox64Concat,
		SeriesId,
		BoundedVec<VolEntry<T::AccountId>, T::MaxVolOrdersPerSeries>,
		OptionQuery,
	>;

	/// Number of [`VolOrders`] entries in all series.
	#[pallet::storage]
	pub type VolOrderCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Number of [`VolOrders`] entries of each account (at most `MaxVolOrdersPerAccount`).
	#[pallet::storage]
	pub type VolOrdersOf<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Number of [`DueCancels`] entries per block (at most `MaxCancelsPerBlock`).
	#[pallet::storage]
	pub type CancelBucketLen<T: Config> =
		StorageMap<_, Twox64Concat, BlockNumberFor<T>, u32, ValueQuery>;

	/// No entry of [`DueCancels`] is in a block before this one (where `on_initialize` goes on
	/// firing switches).
	#[pallet::storage]
	pub type NextCancelBlock<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Resting good-till-block orders by the first block in which they can no longer fill:
	/// `(block, order id) -> owner`, for their removal by `on_idle`. An entry goes with its
	/// order when its owner removes it (or it is evicted or cleared as void); one whose order
	/// was filled or removed by a taker's step stays until the walk drops it.
	#[pallet::storage]
	pub type ExpiringOrders<T: Config> =
		StorageDoubleMap<_, Twox64Concat, u32, Twox64Concat, OrderId, T::AccountId, OptionQuery>;

	/// No entry of [`ExpiringOrders`] is in a block before this one (where `on_idle` goes on
	/// removing them).
	#[pallet::storage]
	pub type NextExpiringBlock<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// `(series, account) -> net position and resting-order aggregates`. Absent when empty.
	#[pallet::storage]
	pub type Positions<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		SeriesId,
		Blake2_128Concat,
		T::AccountId,
		AccountSeries,
		OptionQuery,
	>;

	/// The series in which an account has an entry in [`Positions`], ascending.
	#[pallet::storage]
	pub type AccountSeriesIndex<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<SeriesId, T::MaxLiveSeries>,
		ValueQuery,
	>;

	/// Collection phase of a settling series: raw storage key of the last [`Positions`] entry
	/// `on_idle` visited looking for shorts.
	#[pallet::storage]
	pub type SettlementCursor<T: Config> =
		StorageMap<_, Twox64Concat, SeriesId, BoundedVec<u8, ConstU32<256>>, OptionQuery>;

	/// This block's orders that may take liquidity, by arrival index, waiting to be matched
	/// after the block's transactions (`PostTransactions`): so every cancel, replace and quote
	/// of a block applies before any of its takers. Empty between blocks.
	#[pallet::storage]
	pub type QueuedOrders<T: Config> =
		StorageMap<_, Twox64Concat, u32, QueuedOrder<T::AccountId>, OptionQuery>;

	/// Number of orders queued in this block (the next arrival index). Absent between blocks.
	#[pallet::storage]
	pub type QueueLength<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Each account's orders queued in this block and not matched yet (empty between blocks):
	/// an order's plan counts one series more for each, since its owner's earlier queued
	/// orders may add their series to its margin check before it is matched.
	#[pallet::storage]
	pub type QueuedPerAccount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Events of the options pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An underlying's trading parameters were set.
		UnderlyingConfigured {
			/// The underlying (the oracle's `UnderlyingId`).
			underlying: UnderlyingId,
			/// Its trading parameters: `strike_tick` in USD per unit of the underlying and
			/// `contract_size` in units of the underlying per contract (both 18-decimal fixed
			/// point), `price_tick` in settlement-asset units (USDC, 6 decimals) per contract,
			/// open-interest caps in contracts.
			config: UnderlyingConfig,
		},
		/// A series was listed.
		SeriesListed {
			/// The id allocated to the new series (`SeriesId`).
			series: SeriesId,
			/// Its terms: underlying, strike (USD per unit of the underlying, 18-decimal fixed
			/// point), expiry (milliseconds since the Unix epoch), call or put, contract size
			/// (units of the underlying per contract, 18-decimal fixed point).
			terms: optionchain_primitives::exchange::SeriesTerms,
			/// Order price tick of the series, settlement-asset units (USDC, 6 decimals) per
			/// contract.
			price_tick: Balance,
		},
		/// An order was accepted. A post-only order rests (or is refused) at once; any other
		/// order is queued and matched after every transaction of the block, in arrival order:
		/// its fills, resting remainder, cancellation or rejection (`OrderRejected`) follow in
		/// the block's finalization events.
		OrderPlaced {
			/// Id of the new order (a global counter: smaller is older).
			order_id: OrderId,
			/// The account placing the order.
			who: T::AccountId,
			/// The order as submitted: series, side, limit price in settlement-asset units (USDC, 6
			/// decimals) per contract, quantity in contracts, time in force, post-only and
			/// reduce-only flags.
			request: OrderRequest,
		},
		/// A fill: `quantity` contracts at `price` (the maker's) between the resting `maker`
		/// order and the incoming `taker` order; `taker_side` is the taker's side.
		OrderFilled {
			/// The series (`SeriesId`).
			series: SeriesId,
			/// Id of the resting (maker) order.
			maker_order: OrderId,
			/// Id of the incoming (taker) order.
			taker_order: OrderId,
			/// Owner of the maker order.
			maker: T::AccountId,
			/// Owner of the taker order.
			taker: T::AccountId,
			/// The taker's side: `Buy` if the taker bought (and paid the premium), `Sell` if it
			/// sold.
			taker_side: Side,
			/// Fill price, the maker order's limit price, settlement-asset units (USDC, 6 decimals)
			/// per contract.
			price: Balance,
			/// Contracts filled (> 0).
			quantity: Contracts,
			/// `price × quantity`, paid by the buyer to the seller, settlement-asset units (USDC, 6
			/// decimals: 1_000_000 = 1 USD).
			premium: Balance,
			/// Fee charged to the maker: `min(MakerFeePerContract × quantity, FeeCap × premium)`,
			/// settlement-asset units (USDC, 6 decimals: 1_000_000 = 1 USD).
			maker_fee: Balance,
			/// Fee charged to the taker: `min(TakerFeePerContract × quantity, FeeCap × premium)`,
			/// settlement-asset units (USDC, 6 decimals: 1_000_000 = 1 USD).
			taker_fee: Balance,
		},
		/// The unfilled remainder of an order now rests in the book.
		OrderRested {
			/// Id of the order.
			order_id: OrderId,
			/// The series (`SeriesId`).
			series: SeriesId,
			/// Contracts now resting (the unfilled remainder, > 0).
			remaining: Contracts,
		},
		/// An order left the book (or its remainder was dropped) without filling.
		OrderCancelled {
			/// Id of the order.
			order_id: OrderId,
			/// Owner of the order.
			who: T::AccountId,
			/// The series (`SeriesId`).
			series: SeriesId,
			/// Contracts the order still had open (its unfilled remainder).
			remaining: Contracts,
			/// Why it was cancelled (see `CancelReason`).
			reason: CancelReason,
		},
		/// A resting order was trimmed: a reduce-only order to its owner's smaller position, or
		/// a quoted order to the smaller size of a `quote` leg at the same price (it keeps its
		/// time priority).
		OrderReduced {
			/// Id of the order.
			order_id: OrderId,
			/// The series (`SeriesId`).
			series: SeriesId,
			/// Contracts the order still has open after the trim: its owner's position in the
			/// reducing direction (> 0).
			remaining: Contracts,
		},
		/// A leg of a `quote` rested nothing (the caller's previous orders on that side were
		/// cancelled all the same).
		QuoteLegSkipped {
			/// The quoting account.
			who: T::AccountId,
			/// The series (`SeriesId`).
			series: SeriesId,
			/// The leg's side: `Buy` for the bid, `Sell` for the ask.
			side: Side,
			/// The leg's price, settlement-asset units (USDC, 6 decimals) per contract.
			price: Balance,
			/// Why (see `QuoteSkipReason`).
			reason: QuoteSkipReason,
		},
		/// A `quote` call was applied.
		Quoted {
			/// The quoting account.
			who: T::AccountId,
			/// Legs in the call (sides quoted).
			legs: u32,
		},
		/// A queued order failed when it was matched after the block's transactions: nothing of
		/// it was kept (no fill, nothing rests). Its weight was paid when it was queued.
		OrderRejected {
			/// Id of the order (from its `OrderPlaced`).
			order_id: OrderId,
			/// Owner of the order.
			who: T::AccountId,
			/// Why: the error the order would have failed with had it been matched at once
			/// (`TakerInsufficientMargin`, `FillOrKillNotFilled`, `SeriesExpired`, ...).
			error: DispatchError,
		},
		/// The series expired and all its resting orders were removed.
		SeriesExpired {
			/// The series that expired (`SeriesId`).
			series: SeriesId,
		},
		/// The settlement price is fixed: settlement of the series' positions begins.
		SeriesSettlementStarted {
			/// The series (`SeriesId`).
			series: SeriesId,
			/// The oracle's settlement price for the series' underlying and expiry, USD per unit of
			/// the underlying, 18-decimal fixed point (`FixedU128`).
			settlement_price: Price,
			/// Intrinsic value of one contract at `settlement_price`, rounded down once,
			/// settlement-asset units (USDC, 6 decimals: 1_000_000 = 1 USD): what each short
			/// contract pays and each long contract is due.
			payout_per_contract: Balance,
		},
		/// A position was settled: `amount` credited (> 0) or debited (< 0).
		PositionSettled {
			/// The series (`SeriesId`).
			series: SeriesId,
			/// Owner of the position.
			who: T::AccountId,
			/// The settled net position, in contracts (`> 0` long, `< 0` short); now 0.
			net: Contracts,
			/// Signed settlement-asset units (USDC, 6 decimals: 1_000_000 = 1 USD): for a long,
			/// what it was paid (at most `net × payout_per_contract`, less if the shorts fell
			/// short); for a short, minus what it owed (`|net| × payout_per_contract`).
			amount: SignedBalance,
		},
		/// Every position of the series was settled; the series is removed.
		SeriesSettled {
			/// The series, now removed (`SeriesId`).
			series: SeriesId,
		},
		/// A liquidation voided `who`'s `orders` resting orders: they never fill again and are
		/// removed lazily (see `VoidBefore`).
		OrdersVoided {
			/// The liquidated account.
			who: T::AccountId,
			/// Resting orders voided.
			orders: u32,
		},
		/// `who` armed or moved its dead-man's switch: unless it calls `schedule_cancel` again
		/// before block `at`, every resting order it has at the start of that block is
		/// cancelled.
		CancelScheduled {
			/// The account.
			who: T::AccountId,
			/// The block (2 s apart on this chain) at whose start its orders are cancelled.
			at: BlockNumberFor<T>,
		},
		/// `who` disarmed its dead-man's switch.
		CancelScheduleCleared {
			/// The account.
			who: T::AccountId,
		},
		/// `who`'s dead-man's switch, armed for block `at`, fired: its `orders` resting orders
		/// are void (they never fill again and are removed lazily, each with `OrderCancelled`
		/// and reason `Voided`).
		CancelScheduleFired {
			/// The account.
			who: T::AccountId,
			/// The block it was armed for (it fires then, or in the next blocks if more than
			/// `MaxCancelsPerBlock` switches were due together).
			at: BlockNumberFor<T>,
			/// Resting orders voided.
			orders: u32,
		},
		/// `who` set (`Some`) or removed (`None`) its market-maker protection on `underlying`.
		MmpSet {
			/// The account.
			who: T::AccountId,
			/// The underlying (the oracle's `UnderlyingId`).
			underlying: UnderlyingId,
			/// The limits: window and freeze in blocks, contracts, delta in units of the
			/// underlying and vega in USD per 1.00 of volatility (both 18-decimal fixed point).
			limits: Option<MmpLimits>,
		},
		/// `who` reset its market-maker protection on `underlying`: thawed, counts cleared.
		/// (Orders void by an earlier trip stay void.)
		MmpReset {
			/// The account.
			who: T::AccountId,
			/// The underlying.
			underlying: UnderlyingId,
		},
		/// A fill took `who`'s count on `underlying` to a limit: it is frozen there, and every
		/// order it had on the underlying is void (removed lazily, `OrderCancelled` with reason
		/// `MmpTripped`).
		MmpTripped {
			/// The maker.
			who: T::AccountId,
			/// The underlying.
			underlying: UnderlyingId,
			/// What was counted, with the fill that tripped it (contracts; delta in units of the
			/// underlying and vega in USD per 1.00 of volatility, 18-decimal fixed point).
			counted: MmpCounters,
			/// Frozen before this block (it thaws at its start); `None`: until reset.
			until: Option<u32>,
		},
		/// `who` placed a volatility-priced order: it rests at `price`, the premium of one
		/// contract at `volatility` now, and is priced again at the start of every block.
		VolOrderPlaced {
			/// The order (its `OrderPlaced` and `OrderRested` events come first).
			order_id: OrderId,
			/// Its owner.
			who: T::AccountId,
			/// The series.
			series: SeriesId,
			/// Buy or sell.
			side: Side,
			/// Volatility per year, 18-decimal fixed point (0.55 is 55 %).
			volatility: Price,
			/// Its premium in this block: settlement-asset units (USDC, 6 decimals) per
			/// contract.
			price: Balance,
		},
		/// The volatility-priced orders of `series` whose premium moved at the start of this
		/// block, with their new premiums (settlement-asset units per contract).
		VolOrdersRepriced {
			/// The series.
			series: SeriesId,
			/// `(order id, premium)` of each order that moved, the premium in settlement-asset
			/// units (USDC, 6 decimals) per contract.
			prices: BoundedVec<(OrderId, Balance), T::MaxVolOrdersPerSeries>,
		},
		/// Liquidation moved `quantity` contracts from `from` to `to` (see
		/// `PositionsProvider::transfer_position`).
		PositionTransferred {
			/// The series (`SeriesId`).
			series: SeriesId,
			/// The liquidated account, whose position shrinks.
			from: T::AccountId,
			/// The account taking the contracts over (the liquidator, or the insurance account in
			/// the margin pallet's sweep).
			to: T::AccountId,
			/// Contracts moved (> 0): a short of `from` becomes a short of `to`, a long a long.
			quantity: Contracts,
		},
		/// Governance set (`Some`) or removed (`None`) the listing rule of `underlying`
		/// (`set_listing_rule`); removing it keeps the series it listed.
		ListingRuleSet {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// The rule (see [`ListingRule`] for its units), or `None`.
			rule: Option<ListingRule>,
		},
		/// A listing rule listed the series of one expiry (each also has its `SeriesListed`).
		ExpiryListed {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// The expiry, milliseconds since the Unix epoch.
			expiry: Moment,
			/// The at-the-money strike the grid is centred on (the index price rounded to the
			/// rule's strike step): USD per unit of the underlying, 18-decimal fixed point.
			at_the_money: Price,
			/// Series listed (the grid's strikes already listed by hand are not counted).
			series: u32,
		},
		/// A listing rule could not list an expiry (no series of it is listed; the rule goes
		/// on with the next expiry): `TooManySeries` while `MaxLiveSeries` series are live,
		/// or the oracle's settlement schedule is full.
		ListingHalted {
			/// The underlying (`UnderlyingId`).
			underlying: UnderlyingId,
			/// The expiry passed over, milliseconds since the Unix epoch.
			expiry: Moment,
			/// Why.
			reason: DispatchError,
		},
	}

	/// Errors of the options pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The underlying has no trading parameters.
		UnderlyingNotConfigured,
		/// A parameter of the underlying configuration is zero or out of range.
		InvalidUnderlyingConfig,
		/// The strike is zero or not a multiple of the strike tick.
		InvalidStrike,
		/// The expiry is not in the future.
		ExpiryInPast,
		/// The expiry is beyond the maximum horizon.
		ExpiryTooFar,
		/// A series with these terms exists.
		DuplicateSeries,
		/// `MaxLiveSeries` series are live.
		TooManySeries,
		/// The series does not exist.
		UnknownSeries,
		/// The series has expired (or is settling): no trading.
		SeriesExpired,
		/// The series has not expired yet.
		SeriesNotExpired,
		/// The settlement price is not fixed yet.
		SettlementPriceNotFixed,
		/// The account has no position to settle in this series.
		NothingToSettle,
		/// The series' shorts are still being collected; its longs are paid afterwards (by
		/// `on_idle` within a few blocks, or by `settle_account` once collection is done).
		ShortsBeingCollected,
		/// The price is zero or not a multiple of the series' price tick.
		InvalidPrice,
		/// The quantity is zero, negative, or above `MaxOrderQuantity`.
		InvalidQuantity,
		/// Post-only is only allowed with good-till-cancelled.
		InvalidTimeInForce,
		/// A post-only order would have taken liquidity.
		PostOnlyWouldTake,
		/// A reduce-only order is larger than the position it reduces (or there is none).
		ReduceOnlyWouldIncrease,
		/// A fill-or-kill order could not be filled completely.
		FillOrKillNotFilled,
		/// The book side is full (`MaxOrdersPerSide`).
		BookFull,
		/// The account has `MaxOrdersPerAccount` resting orders.
		TooManyOrders,
		/// The account has entries in `MaxSeriesPerAccount` series.
		TooManySeriesForAccount,
		/// The caller has no resting order with this id (it never existed, is filled or
		/// cancelled, or belongs to another account).
		UnknownOrder,
		/// The trade would take the series' or the underlying's open interest above its cap.
		OpenInterestCapExceeded,
		/// The taker would be below its initial margin requirement after its order (and the
		/// order did not lower the risk of an account under a margin call).
		TakerInsufficientMargin,
		/// The strike, the contract size and the open-interest cap allow a position whose
		/// margin figures would overflow the arithmetic (nobody holding it could be evaluated or
		/// liquidated): list a smaller strike or contract size, or lower the cap.
		SeriesTooLarge,
		/// The amount exceeds the account's position (liquidation transfer).
		InsufficientPosition,
		/// A `quote` with no request, or a request with neither a bid nor an ask.
		EmptyQuote,
		/// A `quote` with more than `MaxQuoteLegs` legs.
		TooManyQuoteLegs,
		/// A `quote` names the same series twice.
		DuplicateQuoteSeries,
		/// A `quote` request's bid is at or above its ask (both with a size).
		CrossedQuote,
		/// After its `quote`, the caller would be below its initial margin requirement.
		QuoteInsufficientMargin,
		/// Arithmetic overflow.
		Overflow,
		/// The queued order's owner holds positions or orders in more series than its plan
		/// allowed for (its series when submitted, the order's, and one for each of its orders
		/// queued before it): its margin check would cost more than was paid for it. Submit
		/// it again.
		OrderOutgrewBudget,
		/// The queued order's owner was liquidated in its block before it was matched (its
		/// orders from before the liquidation are void).
		OwnerLiquidated,
		/// `MaxQueuedOrders` orders that may take liquidity are queued in this block already:
		/// submit it in the next block (or post-only).
		QueueFull,
		/// A good-till-block order names a block before the current one.
		GoodTillPassed,
		/// A good-till-block order names a block more than `MaxCancelDelay` blocks ahead.
		GoodTillTooFar,
		/// `schedule_cancel`: the block named is not after the current block.
		CancelDeadlinePassed,
		/// `schedule_cancel`: the block named is more than `MaxCancelDelay` blocks ahead.
		CancelDeadlineTooFar,
		/// `schedule_cancel`: `MaxCancelsPerBlock` switches are armed for that block already;
		/// name another (an armed switch stays as it was).
		CancelBucketFull,
		/// `schedule_cancel(None)`: no dead-man's switch is armed.
		NoCancelScheduled,
		/// `set_mmp`: a window of 0 or more than `MaxMmpBlocks` blocks, a freeze of more than
		/// `MaxMmpBlocks` blocks, or no limit set (contracts, delta and vega all 0).
		InvalidMmpLimits,
		/// `set_mmp(None)` or `reset_mmp`: the account has no market-maker protection on the
		/// underlying (nor a freeze to lift).
		NoMmp,
		/// The account's market-maker protection on the series' underlying is frozen: an order
		/// that may rest is refused until it thaws (`reset_mmp` lifts it at once); immediate
		/// orders (immediate-or-cancel, fill-or-kill) may still trade.
		MmpFrozen,
		/// `place_vol_order`: a volatility outside 0.01 to 10.00 (1 % to 1,000 % a year).
		InvalidVolatility,
		/// `place_vol_order`: the series cannot be priced now (no fresh index price), or a
		/// bid's premium rounds down to zero.
		VolatilityUnpriced,
		/// `place_vol_order`: the series holds `MaxVolOrdersPerSeries` volatility-priced
		/// orders, `MaxVolSeries` series hold some, `MaxVolOrders` rest in all, or the caller
		/// has `MaxVolOrdersPerAccount` (the series' orders that filled or were cancelled are
		/// counted out first; others free their place at the start of the next block).
		VolOrdersFull,
		/// `place_vol_order`: its premium (per contract at placement, times its contracts) is
		/// below `MinVolOrderPremium`.
		VolOrderTooSmall,
		/// A maker the margin pallet reported warm (its fills covered in this block) could not
		/// fill as one: an inconsistency between the pallets. The placement fails; nothing of it
		/// is kept.
		MakerNotWarm,
		/// The account holds positions in `MaxPositionSeriesPerAccount` series: a trade that
		/// would open one in another series is refused (a maker's order that would is
		/// cancelled instead). Closing a position frees its place.
		TooManyPositionSeries,
		/// `set_listing_rule`: the interval between expiries is shorter than one minute.
		ListingIntervalTooShort,
		/// `set_listing_rule`: the offset of the expiries is not below their interval.
		ListingOffsetTooLarge,
		/// `set_listing_rule`: the number of expiries kept listed is 0 or above
		/// `listing::MAX_RULE_EXPIRIES` (8).
		ListingExpiriesOutOfRange,
		/// `set_listing_rule`: more strikes on each side than `listing::MAX_RULE_STRIKES`
		/// (10).
		ListingStrikesOutOfRange,
		/// `set_listing_rule`: the strike step is zero or not a multiple of the underlying's
		/// strike tick; `configure_underlying`: the new strike tick does not divide the step of
		/// the underlying's listing rule (change or remove the rule first).
		ListingStrikeStepInvalid,
		/// `set_listing_rule`: the last expiry kept listed (`expiries * interval` ahead) is
		/// beyond `MaxExpiryHorizon`.
		ListingHorizonTooFar,
		/// `set_listing_rule`: the minimum lead is not below `expiries * interval`, so the
		/// rule would never list anything.
		ListingLeadTooLong,
		/// `set_listing_rule`: `listing::MAX_LISTING_RULES` (16) underlyings have a rule.
		TooManyListingRules,
		/// `set_listing_rule`: the rules' boards together (`expiries * (2 * strikes + 1) * 2`
		/// series each) would exceed half of `MaxLiveSeries` (the other half is kept for
		/// expired series not settled yet and series listed by hand).
		ListingBoardTooLarge,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Removes the resting orders of expired series and settles positions of series whose
		/// settlement price is fixed, in bounded batches within `remaining_weight`.
		/// Fires the dead-man's switches due (`schedule_cancel`), before the block's
		/// transactions.
		/// Also reserves the weight of pricing the volatility-priced orders again after the
		/// block's inherents (`PostInherents`).
		fn on_initialize(n: BlockNumberFor<T>) -> Weight {
			Self::fire_cancel_schedules(n).saturating_add(Self::reprice_reserve())
		}

		fn on_idle(_n: BlockNumberFor<T>, remaining_weight: Weight) -> Weight {
			Self::do_on_idle(remaining_weight)
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
		/// Set (or change) the trading parameters of `underlying`. Changes apply to series
		/// listed afterwards (contract size, price tick) and to trades afterwards (OI caps).
		/// Refused (`SeriesTooLarge`) if a live series of the underlying could then reach a
		/// position whose margin figures overflow, and (`ListingStrikeStepInvalid`) if the new
		/// strike tick does not divide the strike step of the underlying's listing rule.
		///
		/// - `config`: `strike_tick` in USD per unit of the underlying and `contract_size` in
		///   units of the underlying per contract (both 18-decimal fixed point), `price_tick` in
		///   settlement-asset units (USDC, 6 decimals) per contract, open-interest caps in
		///   contracts.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::configure_underlying().saturating_add(
			// Each live series, and the listing rules.
			T::DbWeight::get().reads(u64::from(T::MaxLiveSeries::get()).saturating_add(2))
		))]
		pub fn configure_underlying(
			origin: OriginFor<T>,
			underlying: UnderlyingId,
			config: UnderlyingConfig,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_configure_underlying(underlying, config)
		}

		/// List a series. Checks: the underlying is configured, the strike is on its tick, the
		/// expiry is in the future and within `MaxExpiryHorizon`, no duplicate, fewer than
		/// `MaxLiveSeries` live series; asks the oracle to fix a settlement price at `expiry`.
		///
		/// - `strike`: USD per unit of the underlying, 18-decimal fixed point (60,000 USD is
		///   `60_000 × 10^18`), a multiple of the underlying's `strike_tick`.
		/// - `expiry`: ms since the Unix epoch.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::list_series().saturating_add(T::Oracle::schedule_weight()))]
		pub fn list_series(
			origin: OriginFor<T>,
			underlying: UnderlyingId,
			strike: Price,
			expiry: Moment,
			kind: OptionKind,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_list_series(underlying, strike, expiry, kind).map(|_| ())
		}

		/// Place a limit order (price in settlement-asset units, USDC with 6 decimals, per
		/// contract; quantity in contracts).
		///
		/// A post-only order rests at once, or fails `PostOnlyWouldTake`; charged for its real
		/// work. Any other order is checked (quantity, series, tick, time in force, reduce-only,
		/// a fresh price), given its id (`OrderPlaced`) and queued: after every transaction of
		/// the block, so after the block's cancels, replaces and quotes, the queue is matched in
		/// arrival order against the opposite side; the remainder rests or is cancelled as its
		/// time in force says, and an order that fails then changes nothing (`OrderRejected`).
		/// Its match budget is planned from the book at submission: the steps it needs to fill
		/// there (`MaxFillsPerOrder` if the book cannot fill it) and the makers on those steps
		/// that are not warm; it is charged for that budget at submission (the deferred work
		/// cannot be refunded), and matching stops where the budget ends (`FillLimitReached`).
		/// A queued order cannot be cancelled (`UnknownOrder`): it is matched in its block.
		#[pallet::call_index(2)]
		#[pallet::weight(Pallet::<T>::declared_place_weight(request))]
		pub fn place_order(
			origin: OriginFor<T>,
			request: OrderRequest,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let (_, used) = Self::do_submit_order(&who, request)?;
			Ok(Some(used).into())
		}

		/// Cancel one of the caller's resting orders.
		#[pallet::call_index(3)]
		#[pallet::weight(Pallet::<T>::cancel_weight())]
		pub fn cancel_order(origin: OriginFor<T>, order_id: OrderId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_order(&who, order_id, CancelReason::ByOwner)
		}

		/// Cancel all of the caller's resting orders, on `series` only or everywhere (`None`).
		/// A series id never given out (at or above `NextSeriesId`) is refused (`UnknownSeries`);
		/// a retired series cancels nothing and succeeds, so that a `batch_all` that cancels on a
		/// series which retired between its signing and its block is not reverted.
		#[pallet::call_index(4)]
		#[pallet::weight(Pallet::<T>::cancel_all_weight(T::MaxOrdersPerAccount::get())
			.saturating_add(T::DbWeight::get().reads(1)))]
		pub fn cancel_all(
			origin: OriginFor<T>,
			series: Option<SeriesId>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let series_read = T::DbWeight::get().reads(u64::from(series.is_some()));
			if let Some(s) = series {
				ensure!(
					s < NextSeriesId::<T>::get(),
					Error::<T>::UnknownSeries.with_weight(series_read)
				);
			}
			let (n, _skipped) = Self::do_cancel_all(&who, series, CancelReason::ByOwner)?;
			// The caller's orders in other series are listed with their series: passed over
			// without a read.
			Ok(Some(Self::cancel_all_weight(n).saturating_add(series_read)).into())
		}

		/// Atomically cancel the caller's resting order `order_id` and place `request` (as
		/// `place_order`: at once if post-only, else queued); if the placement fails, the old
		/// order stays. (A queued order that fails when matched leaves the old one cancelled.)
		#[pallet::call_index(5)]
		#[pallet::weight(
			Pallet::<T>::cancel_weight().saturating_add(Pallet::<T>::declared_place_weight(request))
		)]
		pub fn replace_order(
			origin: OriginFor<T>,
			order_id: OrderId,
			request: OrderRequest,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			// A failed cancellation did at most what a cancellation does.
			let cancel = Self::cancel_weight();
			Self::do_cancel_order(&who, order_id, CancelReason::ByOwner)
				.map_err(|e| e.with_weight(cancel))?;
			let (_, used) = Self::do_submit_order(&who, request).map_err(|mut e| {
				e.post_info.actual_weight =
					e.post_info.actual_weight.map(|w| w.saturating_add(cancel));
				e
			})?;
			Ok(Some(cancel.saturating_add(used)).into())
		}

		/// Mass quote: replace the caller's bid and/or ask in up to `MaxQuoteLegs` sides (each
		/// series at most once), atomically, with one margin evaluation for the whole call.
		///
		/// Per leg: the caller's resting orders on that side of the series are cancelled
		/// (`Requoted`) and one post-only good-till-cancelled order of the leg's size rests at the
		/// leg's price (a size of 0 only pulls the side). A leg that keeps the price of the
		/// caller's single order on that side with an equal or smaller size trims that order in
		/// place and keeps its time priority; any other change is a new order at the back of its
		/// price level. A leg that would take liquidity (its price reaches the other side's best
		/// order, the caller's own included) or finds its side full of better prices rests
		/// nothing (`QuoteLegSkipped`); the other legs go ahead. Prices in settlement-asset
		/// units (USDC, 6 decimals) per contract, sizes in contracts.
		///
		/// Bad input fails the call with nothing changed: `EmptyQuote`, `TooManyQuoteLegs`,
		/// `DuplicateQuoteSeries`, `CrossedQuote`, `InvalidPrice` (zero or off the tick),
		/// `InvalidQuantity`, `UnknownSeries`, `SeriesExpired`; so does a caller below its
		/// initial requirement afterwards (`QuoteInsufficientMargin`; a call that only pulls or
		/// shrinks is not checked). Charged for its legs, for cancelling as many of the
		/// caller's orders as it may hold (`MaxOrdersPerAccount`) and for a check at the maximum
		/// portfolio; refunded to the orders cancelled and the check made.
		#[pallet::call_index(8)]
		#[pallet::weight(Pallet::<T>::declared_quote_weight(quotes))]
		pub fn quote(
			origin: OriginFor<T>,
			quotes: BoundedVec<QuoteRequest, T::MaxQuoteLegs>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let outcome = Self::do_quote(&who, &quotes)?;
			Ok(Some(Self::actual_quote_weight(&outcome)).into())
		}

		/// Settle `who`'s position in an expired `series` whose settlement price is fixed.
		/// Permissionless; the position is paid exactly once (by this call or by `on_idle`).
		/// If `who` was warm in this block (a maker evaluated at this block's prices), it is
		/// evaluated again, at the caller's cost, and stays warm if it still qualifies: the
		/// takers of the block planned against its resting orders still fill them.
		#[pallet::call_index(6)]
		#[pallet::weight(Pallet::<T>::settle_account_weight())]
		pub fn settle_account(
			origin: OriginFor<T>,
			who: T::AccountId,
			series: SeriesId,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			Self::do_settle_account(&who, series)
		}

		/// Remove up to `limit` resting orders of an expired series (what `on_idle` does, for
		/// when blocks are full). Permissionless.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::expire_orders(*limit))]
		pub fn expire_orders(
			origin: OriginFor<T>,
			series: SeriesId,
			limit: u32,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let n = Self::do_expire_orders(series, limit)?;
			Ok(Some(T::WeightInfo::expire_orders(n)).into())
		}

		/// Dead-man's switch. `Some(at)` arms it (or moves it): unless the caller calls this
		/// again before block `at`, every resting order it has at the start of block `at` is
		/// cancelled, before that block's transactions (voided at once: none fills again;
		/// removed lazily, each with `OrderCancelled`, reason `Voided`). Orders placed in block
		/// `at` or later are not affected; the switch is then disarmed. `None` disarms it.
		/// `at` is a block number (blocks are 2 s apart on this chain), after the current block
		/// and at most `MaxCancelDelay` blocks ahead. At most `MaxCancelsPerBlock` switches
		/// may be armed for one block (all of them fire at its start); arming in a full block
		/// fails and leaves an armed switch as it was.
		///
		/// Errors: `CancelDeadlinePassed`, `CancelDeadlineTooFar`, `CancelBucketFull`,
		/// `NoCancelScheduled`.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::schedule_cancel())]
		pub fn schedule_cancel(
			origin: OriginFor<T>,
			at: Option<BlockNumberFor<T>>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_schedule_cancel(&who, at)?;
			Ok(().into())
		}

		/// Market-maker protection on `underlying`: `Some(limits)` sets (or changes) the
		/// caller's limits, `None` removes them (and lifts a freeze).
		///
		/// Fills of the caller's resting orders on the underlying's series are counted over a
		/// window of `window_blocks` blocks: contracts, absolute delta (units of the underlying,
		/// 18-decimal fixed point) and absolute vega (USD per 1.00 of volatility, 18-decimal),
		/// at the series' greeks at the block's index price and volatility. A limit of 0 is not
		/// checked. When a fill takes a count to its limit, the caller trips there in the same
		/// block (`MmpTripped`): every order it has on the underlying is void at once, and it is
		/// frozen for the rest of the block and `freeze_blocks` more (0: until `reset_mmp`),
		/// during which an order of it
		/// that may rest there is refused (`MmpFrozen`) and a `quote` leg rests nothing. Changing
		/// the window clears the counts; a freeze stays. Only fills as maker count.
		///
		/// Errors: `UnderlyingNotConfigured`, `InvalidMmpLimits`, `NoMmp`.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::set_mmp())]
		pub fn set_mmp(
			origin: OriginFor<T>,
			underlying: UnderlyingId,
			limits: Option<MmpLimits>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_mmp(&who, underlying, limits)
		}

		/// Reset the caller's market-maker protection on `underlying`: lift its freeze and clear
		/// its counts. Orders void by the trip stay void (they are being removed).
		///
		/// Errors: `NoMmp`.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::reset_mmp())]
		pub fn reset_mmp(origin: OriginFor<T>, underlying: UnderlyingId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_reset_mmp(&who, underlying)
		}

		/// Set (`Some`) or remove (`None`) the rule by which the chain lists series of
		/// `underlying` by itself (governance). While a rule is set, `on_idle` keeps its next
		/// `expiries` expiries listed: once an expiry of its calendar is at most `expiries *
		/// interval` ahead (and at least `min_lead`), and the underlying's index price is
		/// fresh, it lists a call and a put at each strike of the grid around the index
		/// (`ExpiryListed`, a `SeriesListed` each; strikes already listed are kept), all of one
		/// expiry in one block or none. Expired series settle and retire as any. See
		/// [`ListingRule`] for the fields and their units.
		///
		/// Refused, changing nothing: `UnderlyingNotConfigured`, `ListingIntervalTooShort`,
		/// `ListingOffsetTooLarge`, `ListingExpiriesOutOfRange`, `ListingStrikesOutOfRange`,
		/// `ListingStrikeStepInvalid`, `ListingHorizonTooFar`, `ListingLeadTooLong`,
		/// `TooManyListingRules`, `ListingBoardTooLarge`. Emits `ListingRuleSet` (removing no
		/// rule changes nothing and emits nothing). A rule set again on the same calendar
		/// (`interval`, `offset`) keeps the expiries it listed; a new calendar starts from the
		/// next expiry after now.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::set_listing_rule())]
		pub fn set_listing_rule(
			origin: OriginFor<T>,
			underlying: UnderlyingId,
			rule: Option<ListingRule>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_set_listing_rule(underlying, rule)
		}

		/// Place an order priced in implied volatility (see [`VolOrderRequest`]): it rests at
		/// the premium of one contract at `volatility`, and at the start of every block its
		/// premium follows the index price and the time to expiry (the margin engine's
		/// Black-Scholes, rounded to the tick in the owner's favour), with no requote. It is
		/// otherwise a resting order like any other: price-then-id priority at its premium,
		/// filled at it, cancelled, replaced, voided and expired as any, reserved by the margin
		/// engine at its current premium.
		///
		/// Refused, changing nothing: `InvalidVolatility`, `InvalidTimeInForce` (it must
		/// rest), `VolatilityUnpriced`, `VolOrdersFull`, `PostOnlyWouldTake` (its premium
		/// reaches the other side's best order), and every error of a post-only `place_order`.
		/// Emits `OrderPlaced`, `OrderRested` and `VolOrderPlaced`.
		#[pallet::call_index(12)]
		#[pallet::weight(Pallet::<T>::declared_vol_order_weight(request))]
		pub fn place_vol_order(
			origin: OriginFor<T>,
			request: VolOrderRequest,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let (_, used) = Self::do_place_vol_order(&who, request)?;
			Ok(Some(used).into())
		}
	}

	/// Genesis state: underlying configurations.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Underlyings to configure.
		pub underlyings: Vec<(UnderlyingId, UnderlyingConfig)>,
		/// Listing rules to set (after the underlyings are configured).
		#[serde(default)]
		pub listing_rules: Vec<(UnderlyingId, ListingRule)>,
		#[serde(skip)]
		pub _phantom: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (id, config) in &self.underlyings {
				if let Err(e) = Pallet::<T>::do_configure_underlying(*id, *config) {
					panic!("options genesis: cannot configure underlying {id}: {e:?}");
				}
			}
			for (id, rule) in &self.listing_rules {
				if let Err(e) = Pallet::<T>::do_set_listing_rule(*id, Some(*rule)) {
					panic!("options genesis: invalid listing rule of underlying {id}: {e:?}");
				}
			}
		}
	}

	/// Matches the block's queued orders after its transactions (wire it as
	/// `frame_system::Config::PostTransactions`). Its weight was charged to the orders'
	/// submitters.
	/// Prices the volatility-priced orders again after the block's inherents, so at the
	/// block's timestamp (wire it as `frame_system::Config::PostInherents`). Its weight was
	/// reserved by `on_initialize`.
	impl<T: Config> frame_support::traits::PostInherents for Pallet<T> {
		fn post_inherents() {
			Self::reprice_vol_orders();
		}
	}

	impl<T: Config> frame_support::traits::PostTransactions for Pallet<T> {
		fn post_transactions() {
			Self::match_queue();
		}
	}

	impl<T: Config> Pallet<T> {
		/// Current time (ms).
		pub(crate) fn now() -> Moment {
			T::Time::now()
		}
	}
}
