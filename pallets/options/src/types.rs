//! Types of the options pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::weights::Weight;
use optionchain_primitives::{
	exchange::{Balance, Contracts, SeriesTerms, Side},
	Moment, Price,
};
use scale_info::TypeInfo;
use sp_arithmetic::traits::{Saturating, Zero};

/// Identifier of an order; allocated from a global counter, so a smaller id is an older order
/// (this is the *time* in price-time priority).
pub type OrderId = u64;

/// Per-underlying trading parameters, set by governance.
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
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde")]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UnderlyingConfig {
	/// Strikes must be a non-zero multiple of this: USD per unit of the underlying, 18-decimal
	/// fixed point.
	pub strike_tick: Price,
	/// Units of the underlying per contract (e.g. 0.1 BTC, `10^17`), 18-decimal fixed point, of
	/// every series listed from now on.
	pub contract_size: Price,
	/// Order prices must be a non-zero multiple of this: settlement-asset units (USDC, 6
	/// decimals) per contract.
	pub price_tick: Balance,
	/// Open-interest cap of each series of this underlying, in contracts.
	pub max_series_open_interest: Contracts,
	/// Open-interest cap of all series of this underlying together, in contracts.
	pub max_underlying_open_interest: Contracts,
}

/// A rule by which the chain lists series of one underlying by itself (`set_listing_rule`):
/// it keeps the next `expiries` expiries of a regular calendar listed, each with a grid of
/// strikes around the index price at the time it is listed, a call and a put at each strike.
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
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde")]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListingRule {
	/// Time between two listed expiries, milliseconds (at least one minute): 86,400,000 lists
	/// one expiry a day, 604,800,000 one a week.
	pub interval: Moment,
	/// The expiries are `k * interval + offset` milliseconds since the Unix epoch (`offset <
	/// interval`): with a daily interval, 28,800,000 puts them at 08:00 UTC.
	pub offset: Moment,
	/// How many expiries are kept listed ahead: an expiry is listed once it is at most
	/// `expiries * interval` away.
	pub expiries: u32,
	/// An expiry closer than this (milliseconds) is not listed any more.
	pub min_lead: Moment,
	/// Strikes listed on each side of the at-the-money strike (the index price rounded to the
	/// nearest multiple of `strike_step`): `2 * strikes_each_side + 1` strikes, a call and a
	/// put at each.
	pub strikes_each_side: u32,
	/// Distance between two listed strikes: USD per unit of the underlying, 18-decimal fixed
	/// point, a non-zero multiple of the underlying's strike tick.
	pub strike_step: Price,
}

/// Life cycle of a series.
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
pub enum SeriesStatus {
	/// Listed. Trades while the block timestamp is before the expiry.
	Trading,
	/// The expiry has passed and every resting order has been removed; waiting for the
	/// oracle's settlement price.
	Expired,
	/// The settlement price is fixed; positions are being settled at `payout_per_contract`
	/// (per contract). First every short pays in (collection), then the longs are paid out of
	/// what was collected (payout).
	Settling {
		/// The oracle's settlement price, USD per unit of the underlying, 18-decimal fixed
		/// point.
		settlement_price: Price,
		/// Intrinsic value of one contract, settlement-asset units (USDC, 6 decimals), rounded
		/// down once.
		payout_per_contract: Balance,
		/// Short contracts not collected yet (a count of contracts); the longs are paid once it
		/// is 0.
		unpaid_short_contracts: Contracts,
	},
}

/// A listed series.
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
pub struct SeriesInfo {
	/// Economic terms.
	pub terms: SeriesTerms,
	/// Order price tick, settlement-asset units (USDC, 6 decimals) per contract.
	pub price_tick: Balance,
	/// Where the series is in its life cycle.
	pub status: SeriesStatus,
	/// Open interest in contracts: the sum of all long positions (= the sum of all short
	/// positions).
	pub open_interest: Contracts,
	/// Number of resting orders on both sides of the book.
	pub resting_orders: u32,
}

/// A resting order, as held in its book side.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct BookOrder<AccountId> {
	/// Order id (time priority: smaller is older).
	pub id: OrderId,
	/// Owner.
	pub owner: AccountId,
	/// Limit price, settlement-asset units (USDC, 6 decimals) per contract.
	pub price: Balance,
	/// Contracts still open (> 0).
	pub remaining: Contracts,
	/// Whether the order may only reduce its owner's position.
	pub reduce_only: bool,
	/// Till when it may fill (a good-till-block or good-till-time order); `None`: good till
	/// cancelled.
	pub good_till: Option<GoodTill>,
}

/// Till when a resting order may fill.
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
pub enum GoodTill {
	/// Till block number `n` included (blocks are 2 s apart): it never fills from block `n + 1`
	/// on, when `on_idle` removes it.
	Block(u32),
	/// Till the moment `until` (ms since the Unix epoch) included: it never fills in a block
	/// whose timestamp is later. `on_idle` removes it from `removal_block`, the first block
	/// whose timestamp is surely later (blocks are in strictly increasing slots of
	/// `MinBlockInterval`); if blocks come slower, it is dead (never fills, left out of the
	/// book API and of best prices) until then.
	Time {
		/// The last moment it may fill, ms since the Unix epoch.
		until: Moment,
		/// The block (number) from which `on_idle` removes it.
		removal_block: u32,
	},
}

impl GoodTill {
	/// The block under which the order is indexed for its removal.
	pub fn removal_block(&self) -> u32 {
		match self {
			Self::Block(n) => n.saturating_add(1),
			Self::Time { removal_block, .. } => *removal_block,
		}
	}
}

/// One resting order of an account, and where it rests (for cancellation by id): an entry of
/// the owner's order list ([`crate::AccountOrders`]).
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
pub struct OrderRef {
	/// The order id.
	pub id: OrderId,
	/// Series.
	pub series: optionchain_primitives::exchange::SeriesId,
	/// Book side.
	pub side: Side,
}

/// An account's state in one series: net position and the aggregates of its resting orders.
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
	Default,
)]
pub struct AccountSeries {
	/// Net contracts: `> 0` long, `< 0` short.
	pub net: Contracts,
	/// Number of resting orders.
	pub orders: u32,
	/// Contracts on resting buy orders.
	pub buy_contracts: Contracts,
	/// Contracts on resting sell orders.
	pub sell_contracts: Contracts,
	/// Premium of the resting buy orders if all filled, settlement-asset units (USDC, 6
	/// decimals).
	pub buy_premium: Balance,
	/// Premium of the resting sell orders if all filled, settlement-asset units (USDC, 6
	/// decimals).
	pub sell_premium: Balance,
}

impl AccountSeries {
	/// Nothing left: the entry can be removed.
	pub fn is_empty(&self) -> bool {
		self.net == 0 && self.orders == 0
	}
}

/// Time in force of an order.
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
pub enum TimeInForce {
	/// Good till cancelled: the unfilled remainder rests in the book.
	GoodTillCancelled,
	/// Immediate or cancel: fill what is possible now, cancel the rest.
	ImmediateOrCancel,
	/// Fill or kill: fill the whole quantity now or fail without any change.
	FillOrKill,
	/// Good till block `n` (a block number; blocks are 2 s apart on this chain): the unfilled
	/// remainder rests as a good-till-cancelled one does, and from block `n + 1` on it never
	/// fills; it is then removed (`OrderCancelled`, reason `GoodTillReached`) by `on_idle` or
	/// by a taker that reaches it. `n` is the current block or later, at most
	/// `MaxCancelDelay` blocks ahead.
	GoodTillBlock(u32),
	/// Good till time `t` (ms since the Unix epoch) included: as `GoodTillBlock`, but it never
	/// fills in a block whose timestamp is later than `t`. `t` is the current block's
	/// timestamp or later, at most `MaxCancelDelay × MinBlockInterval` ms ahead (a day on this
	/// chain: 43,200 slots of 2 s).
	GoodTillTime(Moment),
}

impl TimeInForce {
	/// Whether an unfilled remainder rests in the book (good till cancelled, a block or a
	/// time).
	pub fn rests(&self) -> bool {
		matches!(self, Self::GoodTillCancelled | Self::GoodTillBlock(_) | Self::GoodTillTime(_))
	}

	/// Whether a resting remainder expires (good till a block or a time): it is indexed for
	/// its removal.
	pub fn expires(&self) -> bool {
		matches!(self, Self::GoodTillBlock(_) | Self::GoodTillTime(_))
	}
}

/// An order as submitted.
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
pub struct OrderRequest {
	/// Series to trade.
	pub series: optionchain_primitives::exchange::SeriesId,
	/// Buy or sell.
	pub side: Side,
	/// Limit price, settlement-asset units (USDC, 6 decimals) per contract (a non-zero multiple
	/// of the tick).
	pub price: Balance,
	/// Contracts (> 0, at most `MaxOrderQuantity`).
	pub quantity: Contracts,
	/// Time in force.
	pub time_in_force: TimeInForce,
	/// Reject the order (changing nothing) if any part of it would take liquidity. Only with
	/// `GoodTillCancelled`.
	pub post_only: bool,
	/// The order may only reduce its owner's position: rejected if larger than the position
	/// (in the reducing direction) at placement; a resting reduce-only order is trimmed or
	/// cancelled when the position shrank in the meantime.
	pub reduce_only: bool,
}

/// Lowest volatility a volatility-priced order may carry: 0.01 (1 % a year), 18 decimals.
pub const MIN_ORDER_VOLATILITY: Price = Price::from_inner(10_000_000_000_000_000);
/// Highest volatility a volatility-priced order may carry: 10.00 (1,000 % a year).
pub const MAX_ORDER_VOLATILITY: Price = Price::from_inner(10_000_000_000_000_000_000);

/// A resting order priced in implied volatility (`place_vol_order`), as submitted.
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
pub struct VolOrderRequest {
	/// Series to trade.
	pub series: optionchain_primitives::exchange::SeriesId,
	/// Buy or sell.
	pub side: Side,
	/// Implied volatility per year, 18-decimal fixed point (`FixedU128`: 0.55 is 55 %),
	/// from [`MIN_ORDER_VOLATILITY`] to [`MAX_ORDER_VOLATILITY`]. In every block the order's
	/// limit is the premium of one contract at this volatility, the block's index price and
	/// time to expiry, rounded to the tick in the owner's favour (a bid down, an ask up).
	pub volatility: Price,
	/// Contracts (> 0, at most `MaxOrderQuantity`).
	pub quantity: Contracts,
	/// Time in force: one that rests (good-till-cancelled, -block or -time). The order never
	/// takes liquidity: refused (`PostOnlyWouldTake`) if its premium now crosses the book.
	pub time_in_force: TimeInForce,
	/// As [`OrderRequest::reduce_only`].
	pub reduce_only: bool,
}

/// A resting order's volatility ([`crate::VolOrders`]): the order is in its series' book
/// (`Books`) at the premium of its volatility in the current block.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct VolEntry<AccountId> {
	/// The order.
	pub id: OrderId,
	/// Its owner (whose count of volatility-priced orders it is in).
	pub owner: AccountId,
	/// Its implied volatility, annualised fraction (0.55 = 55 %), 18-decimal fixed point.
	pub volatility: Price,
}

/// One side of a quote: the caller's whole resting interest on that side of the series
/// becomes one post-only order of `quantity` contracts at `price`.
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
pub struct QuoteLeg {
	/// Limit price, settlement-asset units (USDC, 6 decimals) per contract: a non-zero
	/// multiple of the series' price tick.
	pub price: Balance,
	/// Contracts, at most `MaxOrderQuantity`; 0 pulls the side (the caller's orders on it are
	/// cancelled, nothing new rests).
	pub quantity: Contracts,
}

/// What `quote` does in one series: each side given (`Some`) is replaced by its leg; a side
/// not given (`None`) is left as it is.
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
pub struct QuoteRequest {
	/// The series (each at most once per call).
	pub series: optionchain_primitives::exchange::SeriesId,
	/// The caller's new bid in the series.
	pub bid: Option<QuoteLeg>,
	/// The caller's new ask in the series.
	pub ask: Option<QuoteLeg>,
}

/// Why one leg of a `quote` rests nothing (the caller's previous orders on that side are
/// gone all the same, and the other legs go ahead).
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
pub enum QuoteSkipReason {
	/// Post-only: its price reaches the best order of the other side (the caller's own
	/// included), so it would take liquidity.
	WouldTake,
	/// Its side is full and its price is not strictly better than the side's worst order.
	BookFull,
	/// The caller's market-maker protection on the series' underlying is frozen (tripped and
	/// neither reset nor expired): nothing rests there until it thaws.
	MmpFrozen,
}

/// What a `quote` call did (its weight is computed from it).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct QuoteOutcome {
	/// Legs in the call.
	pub legs: u32,
	/// The caller's orders cancelled by the call (any number per leg).
	pub cancelled: u32,
	/// Others' orders on the book sides the call read (each quoted side, and the opposite side
	/// of a one-sided request, read for its best price): the benchmark's sides hold only the
	/// caller's orders, each further order is charged at the `quote_depth` benchmark's rate.
	pub depth: u32,
	/// Requests with one leg that rest something (each reads the opposite side for its best
	/// price).
	pub one_sided: u32,
	/// Others' orders evicted from full sides by better-priced new orders.
	pub evicted: u32,
	/// The caller's cancelled orders that were good till a block (their index entries went).
	pub unindexed: u32,
	/// Quoted series whose entry the call wrote and that the caller still holds: the margin
	/// check reads their entry and series again from the block's overlay, not the database.
	pub quoted_held: u32,
	/// Weight of that check at the caller's real portfolio size, beyond what the benchmark
	/// contains.
	pub margin_weight: Weight,
	/// The caller's market-maker protection entries read (one per underlying quoted).
	pub mmp_reads: u32,
	/// Volatility lists read: whether an order a leg would keep is volatility-priced (such
	/// an order is replaced, not kept).
	pub vol_reads: u32,
	/// Series whose entry the call wrote (its count of resting orders changed). A request
	/// that replaces each of the caller's orders on its sides with one leaves it unchanged:
	/// the `quote` benchmark's legs write no series.
	pub series_written: u32,
}

/// Why an order left the book without being filled.
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
pub enum CancelReason {
	/// Its owner cancelled it (or replaced it).
	ByOwner,
	/// An incoming order of the same owner would have matched it (self-trade prevention:
	/// the resting order is cancelled, the incoming one continues).
	SelfTrade,
	/// The unfilled remainder of an immediate-or-cancel order.
	ImmediateOrCancelRemainder,
	/// The order's match budget (its steps, at most `MaxFillsPerOrder`, and the makers not
	/// yet evaluated in the block that it may fill, both fixed when it was queued) was spent
	/// while its remainder still crossed the book; resting it would cross the book, so it is
	/// cancelled.
	FillLimitReached,
	/// A reduce-only order whose owner's position no longer allows it.
	ReduceOnly,
	/// The series expired.
	Expired,
	/// Cancelled because of its owner's margin: a maker that can no longer carry it (a fill
	/// failed its margin check). (A liquidation voids orders instead: `Voided`.)
	ByMargin,
	/// The book side was full and a strictly better-priced order took its place (the worst
	/// order of a full side is evicted, so far-away orders cannot lock a book).
	Evicted,
	/// A taker reached the order but its owner could not pay the premium or the maker fee
	/// from its collateral (the fill was undone and matching went on).
	MakerCannotPay,
	/// Its owner's `quote` replaced it (a leg on its side of its series with another price or
	/// a larger size, or a zero size to pull it).
	Requoted,
	/// Its owner was liquidated after placing it, or its owner's dead-man's switch fired: the
	/// order was void (it could not fill) and was removed by a taker that reached it, or by
	/// `on_idle` (the owner's own cancels say `ByOwner`).
	Voided,
	/// A good-till-block order past its block: it could not fill and was removed by
	/// `on_idle` or by a taker that reached it.
	GoodTillReached,
	/// Its owner's market-maker protection on the series' underlying tripped after the order
	/// was placed (see `MmpStates`): the order could not fill and was removed by a taker that
	/// reached it or by `on_idle`.
	MmpTripped,
	/// A volatility-priced order that could not be priced at the start of a block: no fresh
	/// index price or volatility for its underlying, or a bid whose premium (rounded down to
	/// the tick, and kept a tick below the best ask) is zero.
	VolatilityUnpriced,
	/// A taker reached the order but the fill would have opened a position for its owner in
	/// one series more than `MaxPositionSeriesPerAccount` (the fill was undone and matching
	/// went on). Its owner closes a position to quote that series again.
	PositionSeriesCap,
}

/// Outcome of a placement, returned by the matching engine.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct PlaceOutcome {
	/// Fills made.
	pub fills: u32,
	/// Resting orders cancelled by self-trade prevention or reduce-only trimming.
	pub cancels: u32,
	/// Weight of the margin checks made (each at its account's real portfolio size) beyond the
	/// one-entry checks already in the `place_order` benchmark.
	pub margin_weight: Weight,
	/// Whether a remainder rests in the book.
	pub rested: bool,
	/// Whether resting it evicted the worst order of a full book side.
	pub evicted: bool,
	/// Whether the rested remainder is a good-till-block order (indexed for its removal).
	pub good_till: bool,
	/// Fills retried after a reduce-only maker's margin check failed (each cost one more
	/// fill and margin check).
	pub retries: u32,
	/// Makers not warm when reached and evaluated.
	pub cold: u32,
	/// The weight of their evaluations, at their sizes.
	pub cold_checks: Weight,
	/// Cold makers whose size was read (at most the budget's `cold`).
	pub sized: u32,
	/// Orders of makers not warm passed over (their evaluation, or a reduce-only maker's retry,
	/// was beyond the order's budget), at most `MaxFillsPerOrder`; and orders of makers with
	/// market-maker protection beyond the budget's `mmp_fills` or `greeks`. Not match steps.
	pub skipped: u32,
	/// Market-maker protection entries read (one per match step and per resting check).
	pub mmp_reads: u32,
	/// Fills counted against a maker's protection limits (each writes its entry, and its
	/// clean-up entry if it trips).
	pub mmp_fills: u32,
	/// The series' per-contract greeks, once priced for a maker with a delta or vega limit
	/// (`Some(None)`: they could not be priced).
	pub greeks: Option<Option<optionchain_primitives::exchange::ContractGreeks>>,
}

impl PlaceOutcome {
	/// Match steps made: fills and cancellations.
	pub fn steps(&self) -> u32 {
		self.fills.saturating_add(self.cancels)
	}
}

/// What matching an order may spend: fixed when the order is queued, from the book as it was
/// then (see [`crate::Pallet::plan_match`]), and charged to its submitter then.
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
pub struct MatchBudget {
	/// Match steps (fills and cancellations of resting orders), at most `MaxFillsPerOrder`.
	pub steps: u32,
	/// Makers it may fill that are not warm (each one margin evaluation).
	pub cold: u32,
	/// The weight of those evaluations, each at its maker's portfolio size when planned (its
	/// series, one more for each of its orders queued before this one, and at most the
	/// registered underlyings). A cold maker whose evaluation (at its size then) no longer
	/// fits is passed over.
	pub cold_checks: Weight,
	/// Retries of a reduce-only cold maker under a margin call (each a step, its figures and a
	/// second check, included in `cold_checks`), at most `MAX_MAKER_RETRIES`.
	pub retries: u32,
	/// Series of the taker's own check: its series when planned, the order's, and one for each
	/// of its orders queued before this one.
	pub taker_series: u32,
	/// At most the underlyings a cold maker's portfolio spans (the oracle's registered
	/// underlyings when planned): sizes each cold maker's check.
	pub underlyings: u32,
	/// Fills it may count against makers' market-maker protection (those planned against
	/// makers with limits); a further maker with limits is passed over.
	pub mmp_fills: u32,
	/// Whether it may price the series' greeks (a planned maker has a delta or vega limit);
	/// if not, a maker with such a limit is passed over.
	pub greeks: bool,
}

/// An order that may take liquidity, queued by `place_order` (or `replace_order`) and matched
/// after every transaction of its block, in arrival order (makers before takers).
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct QueuedOrder<AccountId> {
	/// The id it was given when queued (`OrderPlaced`).
	pub order_id: OrderId,
	/// Its owner.
	pub who: AccountId,
	/// The order as submitted.
	pub request: OrderRequest,
	/// What its matching may spend (already paid).
	pub budget: MatchBudget,
}

/// One aggregated price level of a book side (runtime API).
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct BookLevel {
	/// Price, settlement-asset units (USDC, 6 decimals) per contract.
	pub price: Balance,
	/// Contracts resting at this price.
	pub quantity: Contracts,
	/// Number of orders at this price.
	pub orders: u32,
}

/// Aggregated depth of one series (runtime API).
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default)]
pub struct BookDepth {
	/// Bids, best (highest) first.
	pub bids: alloc::vec::Vec<BookLevel>,
	/// Asks, best (lowest) first.
	pub asks: alloc::vec::Vec<BookLevel>,
}

/// An open order of an account (runtime API).
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct OpenOrder {
	/// Order id.
	pub id: OrderId,
	/// Series.
	pub series: optionchain_primitives::exchange::SeriesId,
	/// Side.
	pub side: Side,
	/// Limit price, settlement-asset units (USDC, 6 decimals) per contract (a
	/// volatility-priced order's premium in the block read).
	pub price: Balance,
	/// Contracts still open.
	pub remaining: Contracts,
	/// Reduce-only flag.
	pub reduce_only: bool,
	/// Till when it may fill (`None`: good till cancelled).
	pub good_till: Option<GoodTill>,
}

/// A listed series as shown by the runtime API.
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct SeriesView {
	/// Series id.
	pub id: optionchain_primitives::exchange::SeriesId,
	/// Its record.
	pub info: SeriesInfo,
}

/// Market-maker protection limits of one account on one underlying (`set_mmp`). Fills of the
/// account's resting orders (as maker) on the underlying's series are counted over a window of
/// `window_blocks` blocks; when a count reaches its limit the account is frozen there.
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
pub struct MmpLimits {
	/// The window, in blocks (2 s each on this chain), at least 1 and at most `MaxMmpBlocks`.
	/// Windows start every `window_blocks` blocks (at block numbers that are multiples of
	/// it); a fill counts in its window and the next, so any `window_blocks` consecutive
	/// blocks are counted in full and no fill counts for longer than `2 × window_blocks`.
	pub window_blocks: u32,
	/// Contracts filled; 0: no limit.
	pub max_contracts: u64,
	/// Absolute delta filled (the sum over fills of `|delta| × contracts`), units of the
	/// underlying, 18-decimal fixed point (`5 × 10^18` = 5 BTC); 0: no limit. Delta and vega
	/// are priced and counted only while a delta or a vega limit is set.
	pub max_delta: Price,
	/// Absolute vega filled (the sum over fills of `|vega| × contracts`), USD per 1.00 (100
	/// points) of volatility, 18-decimal fixed point; 0: no limit.
	pub max_vega: Price,
	/// Blocks the account stays frozen after the block of a trip (which is frozen for the rest
	/// of its matching), at
	/// most `MaxMmpBlocks`; 0: until the owner resets it (`reset_mmp`).
	pub freeze_blocks: u32,
}

impl MmpLimits {
	/// Whether counting a fill needs the series' greeks.
	pub fn needs_greeks(&self) -> bool {
		!self.max_delta.is_zero() || !self.max_vega.is_zero()
	}
}

/// What an account's fills on one underlying counted in one protection window.
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
	Default,
)]
pub struct MmpCounters {
	/// Contracts filled.
	pub contracts: u64,
	/// Absolute delta filled, units of the underlying, 18-decimal fixed point.
	pub delta: Price,
	/// Absolute vega filled, USD per 1.00 of volatility, 18-decimal fixed point.
	pub vega: Price,
}

impl MmpCounters {
	/// The sum of two windows' counts (saturating).
	pub fn plus(&self, other: &MmpCounters) -> MmpCounters {
		MmpCounters {
			contracts: self.contracts.saturating_add(other.contracts),
			delta: self.delta.saturating_add(other.delta),
			vega: self.vega.saturating_add(other.vega),
		}
	}
}

/// How long a tripped account stays frozen on an underlying.
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
pub enum MmpFreeze {
	/// Frozen before this block (it thaws at its start).
	Until(u32),
	/// Frozen until the owner calls `reset_mmp` (or removes its limits).
	UntilReset,
}

/// Market-maker protection of one account on one underlying ([`crate::MmpStates`]).
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
	Default,
)]
pub struct MmpState {
	/// The limits; `None` once removed while orders of an earlier trip are still being
	/// cleaned up (the entry then only keeps `void_before`).
	pub limits: Option<MmpLimits>,
	/// The current window's index (block number / `window_blocks`).
	pub window: u32,
	/// Counted in the current window.
	pub current: MmpCounters,
	/// Counted in the window before it.
	pub previous: MmpCounters,
	/// Set by a trip; `None`: not frozen.
	pub frozen: Option<MmpFreeze>,
	/// The account's orders on this underlying with a smaller id (all it had when it last
	/// tripped) never fill; 0 when there are none left.
	pub void_before: OrderId,
}

/// Where `on_idle`'s removal of a tripped account's orders on one underlying stands
/// ([`crate::MmpCleanup`]).
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
pub struct MmpCleanupCursor {
	/// The trip's watermark: the orders below it are removed.
	pub before: OrderId,
	/// The next order id to look at in the owner's list.
	pub next: OrderId,
}

/// An account's market-maker protection on one underlying, as the runtime API shows it: as the
/// block after the one read finds it.
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct MmpView {
	/// The limits (`None`: removed).
	pub limits: Option<MmpLimits>,
	/// What a fill in the next block counts on top of: its window and the one before it.
	pub counted: MmpCounters,
	/// The first block (number) of the next block's window.
	pub window_start: u32,
	/// The freeze set by the last trip, if any.
	pub frozen: Option<MmpFreeze>,
	/// Whether the account is frozen there in the next block (nothing of it may rest on the
	/// underlying).
	pub frozen_now: bool,
	/// Its orders on the underlying with a smaller id never fill (0: none).
	pub void_before: OrderId,
}
