//! The interface between the **options** pallet (where positions and orders live) and the
//! **margin** pallet (where money lives). Neither pallet crate depends on the other: the options
//! pallet takes `type Margin: MarginAccounts<AccountId>`, the margin pallet takes
//! `type Positions: PositionsProvider<AccountId>`, and the runtime wires `Options` into one and
//! `Margin` into the other.
//!
//! ## Units
//! - Money ([`Balance`]): integer units of the settlement asset (USDC, 6 decimals: `1_000_000` =
//!   1 USD). Premiums, fees, payouts and collateral are all in these units.
//! - Quantities ([`Contracts`]): whole contracts. A contract is `contract_size` units of the
//!   underlying (see [`SeriesTerms`]). Net positions are signed: `> 0` long, `< 0` short.
//! - Order prices: [`Balance`] per contract (USDC units per contract).
//! - Strikes: [`Price`] (USD per unit of underlying, 18 decimals), as oracle prices.
//!
//! ## Atomicity
//! Every mutating function either succeeds completely or returns an error having changed
//! nothing (callers run inside a storage transaction anyway, as every extrinsic does).

use crate::{Moment, Price, UnderlyingId};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::{DispatchError, DispatchResult};
use sp_weights::Weight;

/// Integer units of the settlement asset (USDC, 6 decimals: `1_000_000` = 1 USDC = 1 USD).
pub type Balance = u128;
/// Signed amount of the settlement asset, USDC with 6 decimals as [`Balance`] (a settlement
/// cash flow: `> 0` received).
pub type SignedBalance = i128;
/// Number of whole contracts (signed for net positions); one contract is
/// [`SeriesTerms::contract_size`] units of the underlying.
pub type Contracts = i64;
/// Identifier of an option series, allocated by the options pallet.
pub type SeriesId = u32;

/// Call or put.
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
	PartialOrd,
	Ord,
)]
pub enum OptionKind {
	/// Right to buy at the strike: pays `max(S - K, 0)` per unit of underlying at expiry.
	Call,
	/// Right to sell at the strike: pays `max(K - S, 0)` per unit of underlying at expiry.
	Put,
}

/// Side of an order.
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
pub enum Side {
	/// Buy (go long / reduce a short).
	Buy,
	/// Sell (go short / reduce a long).
	Sell,
}

/// The economic terms of a European, cash-settled option series.
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
pub struct SeriesTerms {
	/// The underlying (oracle id).
	pub underlying: UnderlyingId,
	/// Strike, USD per unit of the underlying, 18-decimal fixed point.
	pub strike: Price,
	/// Expiry, ms since the Unix epoch; the settlement price is the oracle's for this moment.
	pub expiry: Moment,
	/// Call or put.
	pub kind: OptionKind,
	/// Units of the underlying per contract, 18-decimal fixed point (0.1 BTC is `10^17`).
	pub contract_size: Price,
}

/// One net position of an account, with the terms the margin pallet needs to price it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct PositionInfo {
	/// The series.
	pub series: SeriesId,
	/// Its terms.
	pub terms: SeriesTerms,
	/// Net position in contracts: `> 0` long, `< 0` short. Never 0 in a portfolio.
	pub net: Contracts,
}

/// What an account's resting orders could add to its risk, per series: margin requires
/// resting **sell** orders as if filled (a maker cannot over-commit), and resting buy orders
/// must be able to pay their premium.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct OrderExposure {
	/// The series.
	pub series: SeriesId,
	/// Its terms.
	pub terms: SeriesTerms,
	/// Total contracts on resting sell orders (>= 0).
	pub sell_contracts: Contracts,
	/// Total contracts on resting buy orders (>= 0).
	pub buy_contracts: Contracts,
	/// Premium the resting buy orders would pay if all filled, settlement-asset units (USDC, 6
	/// decimals).
	pub buy_premium: Balance,
	/// Premium the resting sell orders would receive if all filled, settlement-asset units
	/// (USDC, 6 decimals).
	pub sell_premium: Balance,
	/// Upper bound of the maker fees the resting orders would pay if all filled,
	/// settlement-asset units (USDC, 6 decimals): reserved like the premium of a buy, so that a
	/// maker can pay for every fill of its resting orders when its margin was checked.
	pub fee_reserve: Balance,
}

/// Everything at risk in one account: its net positions and its resting orders.
/// Both lists are bounded by the options pallet's per-account limits.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default)]
pub struct Portfolio {
	/// Net positions (non-zero), sorted by series id.
	pub positions: Vec<PositionInfo>,
	/// Resting order exposure per series, sorted by series id.
	pub orders: Vec<OrderExposure>,
}

/// Per-contract sensitivities of a series at the current block's index price and volatility
/// (the margin engine's Black-Scholes inputs), as absolute values rounded up: what one
/// contract traded adds to a market maker's traded delta and vega (market-maker protection).
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct ContractGreeks {
	/// `|delta|` of one contract: units of the underlying, 18-decimal fixed point
	/// (`FixedU128`; a 0.1 BTC contract at delta 0.5 is `0.05 × 10^18`).
	pub delta: Price,
	/// `|vega|` of one contract: USD per 1.00 (100 points) of volatility, 18-decimal fixed
	/// point (`FixedU128`), as the margin runtime API's `series_quote` reports it.
	pub vega: Price,
}

/// Which way a volatility-priced order's premium is rounded to the settlement unit: always in
/// its owner's favour, so that it never trades beyond its volatility (an ask rounds up, a bid
/// down).
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum PremiumRounding {
	/// Toward zero (a bid: never pays more than its volatility's premium).
	Down,
	/// Away from zero (an ask: never receives less).
	Up,
}

/// An account's margin figures before an action, compared with its figures afterwards to
/// decide whether the action reduced its risk (see [`MarginAccounts::ensure_initial_margin`]).
/// Resting orders are left out: only positions and money count.
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct MarginSnapshot {
	/// Initial requirement of the positions, settlement-asset units (USDC, 6 decimals).
	pub initial: Balance,
	/// Initial requirement of the positions minus the equity that counts towards it, signed
	/// settlement-asset units (USDC, 6 decimals).
	pub initial_deficit: i128,
	/// Maintenance requirement minus equity, signed settlement-asset units (USDC, 6 decimals).
	pub maintenance_deficit: i128,
}

/// Why a margin check refused an account.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MarginCheckError {
	/// The account would be below its initial requirement (and the action did not reduce
	/// its risk).
	BelowInitial,
	/// Anything else (a stale price, an arithmetic overflow, ...): the cause is kept.
	Other(DispatchError),
}

impl From<DispatchError> for MarginCheckError {
	fn from(e: DispatchError) -> Self {
		MarginCheckError::Other(e)
	}
}

/// One series of a `quote` call as its margin check sees it: the caller's net position in the
/// series (a quote's legs never take, so it is unchanged) and its resting-order exposure there
/// before and after the call.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct QuoteChange {
	/// The series' terms.
	pub terms: SeriesTerms,
	/// Net contracts held in the series: `> 0` long, `< 0` short.
	pub net: Contracts,
	/// The resting orders in the series before the call.
	pub before: OrderExposure,
	/// The resting orders in the series after the call.
	pub after: OrderExposure,
}

/// How much an account holds, for weights charged by its real size.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct PortfolioSize {
	/// Series in which it has a position or resting orders (each is at most two portfolio
	/// entries: the position and the orders' exposure).
	pub series: u32,
	/// Resting orders.
	pub orders: u32,
	/// Series in which it holds a position (a subset of `series`): what sizes its maintenance
	/// view ([`PositionsProvider::positions`]).
	pub positions: u32,
}

impl PortfolioSize {
	/// Upper bound of the account's portfolio entries (`positions + orders` of [`Portfolio`]).
	pub fn entries(&self) -> u32 {
		self.series.saturating_mul(2)
	}
}

/// Implemented by the **options** pallet, used by the **margin** pallet.
pub trait PositionsProvider<AccountId> {
	/// The account's positions and resting-order exposure. Expired series whose positions are
	/// not settled yet are included (they are valued at intrinsic value by the margin pallet).
	fn portfolio(who: &AccountId) -> Portfolio;

	/// The account's positions in `series` alone ([`Self::portfolio`] without its resting
	/// orders, which never count towards maintenance): the margin pallet passes the series it
	/// lists for `who` ([`MarginAccounts::position_series`]), at most `max_positions_len`,
	/// however many series the account has orders in.
	fn positions_in(who: &AccountId, series: &[SeriesId]) -> Portfolio;

	/// Upper bound of `positions(who).positions.len()` for an account that is not exempt
	/// from the caps (the insurance account is), for weights.
	fn max_positions_len() -> u32;

	/// Weight of one `positions` read at the maximum size.
	fn positions_weight() -> Weight;

	/// Liquidation: move `quantity` contracts of `series` from `from` to `to`, in the direction
	/// that reduces `from`'s position toward zero (a short of `from` becomes a short of `to`).
	/// Fails if `quantity` exceeds `|net(from)|` or the series is expired. Open interest changes
	/// accordingly. Emits the options pallet's position-transfer event. No money moves here: the
	/// margin pallet pays the liquidation price itself.
	fn transfer_position(
		from: &AccountId,
		to: &AccountId,
		series: SeriesId,
		quantity: Contracts,
	) -> DispatchResult;

	/// Liquidation: void every resting order of `who` (all series) in constant work: none of
	/// them fills again, and they are removed lazily (by a taker that reaches one, by their
	/// owner, or in bounded background work). Until removed they may still count towards the
	/// initial requirement of `who`'s [`Self::portfolio`] (never towards maintenance). Returns
	/// how many were voided.
	fn void_orders(who: &AccountId) -> u32;

	/// Weight of one `void_orders`, whatever the number of orders.
	fn void_orders_weight() -> Weight;

	/// `who`'s size, read cheaply (length prefixes only: [`Self::portfolio_size_weight`]).
	fn portfolio_size(who: &AccountId) -> PortfolioSize;

	/// Weight of one `portfolio_size`.
	fn portfolio_size_weight() -> Weight;

	/// Upper bound of `portfolio(who).positions.len() + portfolio(who).orders.len()`, for
	/// weights.
	fn max_portfolio_len() -> u32;

	/// Upper bound of the distinct series of `portfolio(who)` (each holds one or two of its
	/// entries), for weights.
	fn max_series_len() -> u32;

	/// Weight of one `portfolio` read at the maximum size.
	fn portfolio_weight() -> Weight;
}

/// Implemented by the **margin** pallet, used by the **options** pallet. All money of trading
/// and settlement moves through here; the margin pallet keeps every unit really held on chain.
pub trait MarginAccounts<AccountId> {
	/// Collateral (settlement-asset units) credited to `who` in the margin ledger.
	fn collateral(who: &AccountId) -> Balance;

	/// Pay `amount` of collateral from `payer` to `payee`: a fill's premium (only fills use
	/// it: an account warm in this block stays warm, see [`Self::ensure_maker_margin`]). Fails
	/// with an error if `payer` has less collateral.
	fn transfer(payer: &AccountId, payee: &AccountId, amount: Balance) -> DispatchResult;

	/// Charge a fill's trading fee of `amount` from `who` to the fee account (as
	/// [`Self::transfer`], it keeps a warm account warm).
	fn charge_fee(who: &AccountId, amount: Balance) -> DispatchResult;

	/// Fail ([`MarginCheckError::BelowInitial`]) unless `who`'s equity is at or above its
	/// initial requirement, computed from `PositionsProvider::portfolio` *now*, or the action
	/// since `reducing_from` (a [`Self::margin_snapshot`] taken before it) reduced `who`'s risk:
	/// its positions' initial requirement did not grow and neither its initial nor its
	/// maintenance deficit grew (an account under a margin call may close positions, but not
	/// at a price that moves its equity to somebody else).
	/// With `require_fresh` it also fails (`PriceStale`, in [`MarginCheckError::Other`]) unless
	/// the price of every underlying `who` holds or has orders on is fresh: a stale price must
	/// not value a portfolio that takes on new risk. Risk-reducing actions (reduce-only orders)
	/// pass `false`. The options pallet calls it once per extrinsic for the taker and once for
	/// each maker whose resting order was filled. Returns the weight really used (the
	/// portfolio's size).
	fn ensure_initial_margin(
		who: &AccountId,
		require_fresh: bool,
		reducing_from: Option<&MarginSnapshot>,
	) -> Result<Weight, MarginCheckError>;

	/// [`Self::ensure_initial_margin`] for a maker whose resting order was just filled (after
	/// the fill's premium and fees): when `reducing_from` is `None` and `who` is *warm* (the
	/// margin pallet evaluated it in this block and found its spare margin covering every fill
	/// of its resting orders at this block's prices), it passes without an evaluation and
	/// returns zero weight; otherwise it is [`Self::ensure_initial_margin`]. The default is the
	/// full check.
	fn ensure_maker_margin(
		who: &AccountId,
		require_fresh: bool,
		reducing_from: Option<&MarginSnapshot>,
	) -> Result<Weight, MarginCheckError> {
		Self::ensure_initial_margin(who, require_fresh, reducing_from)
	}

	/// A `quote` call's check of `who` on the series it changed alone, when `who` is warm in
	/// this block: `(true, weight)` if the spare recorded at its evaluation covers the change
	/// of its initial requirement and warm cover (it stays warm, with that spare less the
	/// change), `(false, weight)` if a full [`Self::ensure_initial_margin`] must decide (not
	/// warm, a price not fresh, or the spare short). The default never decides.
	fn ensure_quote_margin_warm(who: &AccountId, changes: &[QuoteChange]) -> (bool, Weight) {
		let _ = (who, changes);
		(false, Weight::zero())
	}

	/// At most the weight of [`Self::ensure_quote_margin_warm`] for `series` changed series.
	fn quote_margin_warm_weight(series: u32) -> Weight {
		let _ = series;
		Weight::zero()
	}

	/// Whether `who` is warm in this block (see [`Self::ensure_maker_margin`]): a fill of its
	/// resting orders that it can pay for needs no storage layer of its own, as its margin check
	/// cannot fail. The default is `false` (every maker is checked).
	fn is_warm_maker(_who: &AccountId) -> bool {
		false
	}

	/// Evaluate `who` again and make it warm if it qualifies at this block's prices (see
	/// [`Self::ensure_maker_margin`]): for an account that was warm before a settlement of its
	/// expired position, which moves its money outside a fill and so makes it cold. Anybody
	/// may settle anybody's expired position (`settle_account`); without this, a third party
	/// could make a warm maker's resting orders unmatchable for the takers of its block that
	/// were planned against it. It never fails: an account that cannot be evaluated stays
	/// cold. Returns the weight used (at most [`Self::margin_check_weight`]). The default does
	/// nothing.
	fn warm_again(_who: &AccountId) -> Weight {
		Weight::zero()
	}

	/// `who`'s margin figures now, to pass to [`Self::ensure_initial_margin`] after a
	/// risk-reducing action; with the weight really used.
	fn margin_snapshot(who: &AccountId) -> Result<(MarginSnapshot, Weight), DispatchError>;

	/// Fail unless prices for `underlying` are fresh enough to take on new risk there (the
	/// margin pallet refuses risk-increasing actions on a stale or circuit-broken oracle).
	fn ensure_can_increase_risk(who: &AccountId, underlying: UnderlyingId) -> DispatchResult;

	/// The series in which `who` holds a position, as listed in its margin ledger entry
	/// (ascending; the insurance account's are not listed: it is never evaluated by them).
	/// One read of that entry, which every fill, settlement and liquidation writes anyway.
	fn position_series(who: &AccountId) -> Vec<SeriesId>;

	/// Note that `who` now holds (`held`) or no longer holds a position in `series`: the
	/// options pallet calls it whenever a net position becomes or stops being zero. Fails
	/// when `who` would hold positions in more than `cap` series (the insurance account is not
	/// listed and never fails). No database access of its own in a fill: the ledger entry
	/// is read and written there for the premium and fees.
	fn note_position(who: &AccountId, series: SeriesId, held: bool, cap: u32) -> DispatchResult;

	/// The most series a ledger entry can list ([`Self::position_series`]).
	fn max_position_series() -> u32;

	/// Settlement at expiry, **collection phase**: the short `who` owes `owed` for its position
	/// in `series`. It is taken from `who`'s collateral; what `who` lacks is advanced by the
	/// insurance fund (and owed by `who` to the fund, repaid from its next credits); what the
	/// fund lacks stays unpaid and is borne by the series' longs in the payout phase (reported
	/// by an event). Everything collected goes to the settlement clearing entry of `series`.
	/// Returns the amount collected.
	fn settle_short(
		who: &AccountId,
		series: SeriesId,
		owed: Balance,
	) -> Result<Balance, DispatchError>;

	/// Settlement at expiry, **payout phase** (after every short of `series` was collected): the
	/// long `who` holds `contracts` of the `unpaid_contracts` long contracts not yet paid and is
	/// due `due`. It receives `min(due, floor(clearing * contracts / unpaid_contracts))` from the
	/// clearing entry of `series`: everything when the shorts paid in full, a pro-rata share of
	/// what was collected otherwise (the last long takes exactly what is left, so the clearing
	/// entry ends at zero). A shortfall is reported as a socialised loss of `who`. Returns the
	/// amount paid.
	fn settle_long(
		who: &AccountId,
		series: SeriesId,
		due: Balance,
		contracts: Contracts,
		unpaid_contracts: Contracts,
	) -> Result<Balance, DispatchError>;

	/// `terms`' [`ContractGreeks`] at this block's index price and volatility (at the
	/// settlement price, or the index until it is fixed, from expiry on). `None` if the series
	/// cannot be priced (no index price or volatility).
	fn contract_greeks(terms: &SeriesTerms) -> Option<ContractGreeks>;

	/// Weight of [`Self::contract_greeks`].
	fn contract_greeks_weight() -> Weight;

	/// Premiums of one contract of `terms` at this block's index price and time to expiry,
	/// one per requested volatility (`FixedU128`, 18-decimal fraction per year: 0.55 is
	/// 55 %), with the margin engine's Black-Scholes (its rate and dividend yield): the model's
	/// price per unit of the underlying times the contract size, in settlement units (USDC,
	/// 6 decimals), each rounded as asked (never in the caller's disfavour: the model's time is
	/// whole seconds, so a fraction of one is priced both ways and the asked one taken).
	/// `None` if the series cannot be priced now: no fresh index price (the oracle's
	/// volatility is not used), expired, or a volatility out of the model's range (the whole
	/// request fails: the caller prices a series at once).
	fn contract_premiums(
		terms: &SeriesTerms,
		volatilities: &[(Price, PremiumRounding)],
	) -> Option<Vec<Balance>>;

	/// Weight of [`Self::contract_premiums`] for `n` volatilities (each priced at most twice).
	fn contract_premiums_weight(n: u32) -> Weight;

	/// Weight of one `ensure_initial_margin` at the maximum portfolio size.
	fn margin_check_weight() -> Weight;

	/// Weight of one `ensure_initial_margin` of a portfolio of `entries` entries (positions
	/// plus series with resting orders).
	fn margin_check_weight_for(entries: u32) -> Weight;

	/// At most the weight of one `ensure_initial_margin` of an account with a position or
	/// resting orders in `series` series (at most two entries and one underlying per series).
	fn margin_check_weight_for_series(series: u32) -> Weight {
		Self::margin_check_weight_for(series.saturating_mul(2))
	}

	/// At most the number of underlyings any portfolio spans now (the default: no bound but
	/// the series).
	fn underlyings_bound() -> u32 {
		u32::MAX
	}

	/// Weight of [`Self::underlyings_bound`].
	fn underlyings_bound_weight() -> Weight {
		Weight::zero()
	}

	/// At most the weight of one `ensure_initial_margin` of an account with a position or
	/// resting orders in `series` series on one underlying, run in an execution in which
	/// another margin check already ran (its reads of the risk parameters, the time and the
	/// oracle's entries of that underlying are made). The markets of further underlyings are
	/// charged once per execution, by [`Self::markets_weight`]. The default: a first check.
	fn further_margin_check_weight(series: u32) -> Weight {
		Self::margin_check_weight_for_series(series)
	}

	/// The reads of the markets (index price and volatility) of `underlyings` underlyings
	/// beyond the first: made at most once in one execution, whatever the number of margin
	/// checks in it. The default: nothing (its [`Self::further_margin_check_weight`] counts
	/// them per check).
	fn markets_weight(underlyings: u32) -> Weight {
		let _ = underlyings;
		Weight::zero()
	}

	/// [`Self::margin_check_weight_for_series`] of a portfolio known to span at most
	/// `underlyings` underlyings.
	fn margin_check_weight_for_portfolio(series: u32, underlyings: u32) -> Weight {
		let _ = underlyings;
		Self::margin_check_weight_for_series(series)
	}
}
