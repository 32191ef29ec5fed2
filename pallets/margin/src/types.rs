//! Types of the margin pallet.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::traits::fungibles;
use frame_support::{traits::ConstU32, BoundedVec};
use optionchain_primitives::exchange::{Balance, SeriesId};
use optionchain_primitives::{exchange::SignedBalance, Price};
use scale_info::TypeInfo;
use sp_arithmetic::{FixedI128, FixedPointNumber as _, FixedU128};

/// Asset id type of the configured `fungibles` implementation.
pub type AssetIdOf<T> = <<T as crate::Config>::Assets as fungibles::Inspect<
	<T as frame_system::Config>::AccountId,
>>::AssetId;

/// Governance-changeable risk parameters: every field is a fraction as an 18-decimal fixed point
/// number (`FixedU128` / `FixedI128`: 0.15 = 15 % is `150_000_000_000_000_000`).
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
pub struct MarginParameters {
	/// Initial rate of a short at the money, as a fraction of the index price, 18-decimal fixed
	/// point (default 0.15 = 15 %).
	pub initial_rate: FixedU128,
	/// Floor of the initial rate once reduced by the out-of-the-money amount, fraction of the
	/// index price, 18-decimal fixed point (default 0.10 = 10 %).
	pub min_initial_rate: FixedU128,
	/// Maintenance rate of a short, as a fraction of the index price, 18-decimal fixed point
	/// (default 0.075 = 7.5 %).
	pub maintenance_rate: FixedU128,
	/// Maintenance rate of a short put, as a fraction of its mark price, 18-decimal fixed point
	/// (default 0.075 = 7.5 %): a put's maintenance is
	/// `max(maintenance_rate * S, maintenance_mark_rate * mark) + mark` (Deribit's form).
	pub maintenance_mark_rate: FixedU128,
	/// Fraction of the mark value of long options that counts towards the initial requirement,
	/// 18-decimal fixed point (default 0: no credit, as Derive). Maintenance always counts longs
	/// at their full mark.
	pub long_initial_credit: FixedU128,
	/// Liquidation penalty, as a fraction of the maintenance requirement of the short contracts
	/// taken over, 18-decimal fixed point (default 0.05 = 5 %), paid by the liquidated account
	/// out of what is left of its collateral once the contracts' value is paid (never by the
	/// insurance fund). Longs are taken over at mark without penalty (selling a long never
	/// lowers a requirement).
	pub liquidation_penalty: FixedU128,
	/// Fraction of the penalty paid to the insurance fund, 18-decimal fixed point (default 0.5
	/// = 50 %); the liquidator keeps the rest.
	pub insurance_share: FixedU128,
	/// An account under liquidation stays liquidatable until its equity is at least
	/// `maintenance * (1 + liquidation_buffer)`: a fraction, 18-decimal fixed point (default
	/// 0.1 = 10 %).
	pub liquidation_buffer: FixedU128,
	/// Risk-free rate for the mark price, continuously compounded, a fraction per year
	/// (0.05 = 5 %), 18-decimal fixed point, within [0, 1] (default 0).
	pub rate: FixedI128,
	/// Dividend / convenience yield of the underlying for the mark price, continuously
	/// compounded, a fraction per year, 18-decimal fixed point, within [0, 1] (default 0).
	pub dividend_yield: FixedI128,
}

impl Default for MarginParameters {
	fn default() -> Self {
		Self {
			initial_rate: FixedU128::saturating_from_rational(15, 100),
			min_initial_rate: FixedU128::saturating_from_rational(10, 100),
			maintenance_rate: FixedU128::saturating_from_rational(75, 1000),
			maintenance_mark_rate: FixedU128::saturating_from_rational(75, 1000),
			long_initial_credit: FixedU128::from_inner(0),
			liquidation_penalty: FixedU128::saturating_from_rational(5, 100),
			insurance_share: FixedU128::saturating_from_rational(50, 100),
			liquidation_buffer: FixedU128::saturating_from_rational(10, 100),
			rate: FixedI128::from_inner(0),
			dividend_yield: FixedI128::from_inner(0),
		}
	}
}

/// A change of the risk parameters, announced and applied after a notice period.
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
pub struct PendingParameters<BlockNumber> {
	/// The new parameters.
	pub params: MarginParameters,
	/// The first block (block number, 2 s blocks on this chain) in which they apply.
	pub effective_at: BlockNumber,
}

/// One account in the margin ledger.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub struct AccountInfo {
	/// Collateral, settlement-asset units (USDC, 6 decimals: 1_000_000 = 1 USD).
	pub collateral: Balance,
	/// The state recorded at the last evaluation (for margin-call events).
	pub state: AccountState,
	/// A liquidation started and the account is not yet back above maintenance plus buffer.
	pub in_liquidation: bool,
	/// What the account owes the insurance fund, settlement-asset units (USDC, 6 decimals):
	/// shortfalls of its settlement or liquidation payments that the fund advanced. Every later
	/// credit of the account repays it first, so `debt > 0` implies `collateral == 0`. Counted
	/// against equity.
	pub debt: Balance,
	/// The block (number) in which the account was last found *warm* (0: never): evaluated, at
	/// or above its initial requirement on fresh prices, with spare initial equity covering the
	/// mark value of its resting sells plus [`crate::WARM_ROUNDING_PER_CONTRACT`] per resting
	/// contract. Within that block (prices, time and parameters fixed) no fill of its resting
	/// orders can take it below its initial requirement, so a fill of its orders as a maker
	/// is not evaluated again. Any debit other than a fill's premium or fee clears it; every
	/// evaluation of `ensure_initial_margin` sets or clears it.
	pub checked_at: u32,
	/// While the account is warm (`checked_at` is this block): its spare initial equity beyond
	/// that cover at the evaluation that stamped it, `IE - IM - W` in settlement-asset units
	/// (USDC, 6 decimals), less what the `quote` calls checked against it since took. Fills
	/// of its resting orders never lower `IE - IM - W` (each lowers `IE - IM` by at most its
	/// share of `W`), so it is a lower bound of the account's real spare: a quote whose change
	/// of `IM + W` it covers is checked on the quoted series alone (`warm.rs`).
	pub warm_spare: Balance,
	/// The series in which it holds a position, ascending (storage v5): its maintenance view
	/// reads these alone. The options pallet notes each opening and closing
	/// (`MarginAccounts::note_position`); kept here because every fill, settlement and
	/// liquidation writes this entry anyway. Not kept for the insurance account.
	pub positions: BoundedVec<SeriesId, ConstU32<{ crate::MAX_POSITION_SERIES }>>,
}

/// One position as evaluated.
#[derive(Clone, Debug)]
pub struct PositionFigures {
	/// The position (series, terms, net contracts).
	pub position: optionchain_primitives::exchange::PositionInfo,
	/// Per-unit mark and requirements.
	pub unit: crate::risk::UnitFigures,
	/// Its underlying's price and volatility are fresh (it may be liquidated).
	pub fresh: bool,
	/// Maintenance requirement of the whole position (0 for a long), units.
	pub maintenance: Balance,
}

impl PositionFigures {
	/// A short a liquidation can take over now: on a fresh underlying, not expired, carrying a
	/// maintenance requirement.
	pub fn takable_short(&self) -> bool {
		self.position.net < 0 && self.fresh && !self.unit.expired && self.maintenance > 0
	}

	/// A long a liquidation can take over now (to repay debt): fresh, not expired.
	pub fn takable_long(&self) -> bool {
		self.position.net > 0 && self.fresh && !self.unit.expired
	}
}

/// The outcome of a margin evaluation.
#[derive(Clone, Debug, Default)]
pub struct Risk {
	/// Collateral used.
	pub collateral: Balance,
	/// Collateral - debt + mark-to-market (value of longs minus liability of shorts), rounded
	/// down; positions on stale underlyings at their last mark.
	pub equity: i128,
	/// The equity that counts towards the initial requirement: `equity` with long options
	/// counted at `long_initial_credit` of their value (longs on stale underlyings: nothing).
	pub initial_equity: i128,
	/// Initial requirement (positions and resting orders), rounded up.
	pub initial: Balance,
	/// Initial requirement of the positions alone.
	pub initial_positions: Balance,
	/// Each position's figures, in portfolio order.
	pub positions: alloc::vec::Vec<PositionFigures>,
	/// Maintenance requirement, rounded up.
	pub maintenance: Balance,
	/// Whether every price and volatility used was fresh.
	pub all_fresh: bool,
	/// Number of portfolio entries evaluated (positions and series with resting orders): the
	/// `n` of the `margin_check` weight.
	pub entries: u32,
	/// Number of distinct series among the entries (a position and resting orders in one
	/// series are two entries of one series): the portfolio reads two storage items per
	/// series, not per entry.
	pub series: u32,
	/// Number of distinct underlyings priced.
	pub underlyings: u32,
	/// Each series' resting-order exposure, with its unit figures if it has sells.
	pub orders: alloc::vec::Vec<OrderFigures>,
	/// Longs of expired series (not paid yet) counted at their value (see
	/// `Pallet::evaluate`).
	pub count_expired_longs: bool,
}

/// One series' resting orders as evaluated.
#[derive(Clone, Debug)]
pub struct OrderFigures {
	/// What the orders could add (series, terms, contracts, premium, fee reserve).
	pub exposure: optionchain_primitives::exchange::OrderExposure,
	/// Per-unit requirements of the series (when the orders include sells).
	pub unit: Option<crate::risk::UnitFigures>,
}

/// Margin state of an account.
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
pub enum AccountState {
	/// Equity at or above the initial requirement.
	#[default]
	Healthy,
	/// Maintenance <= equity < initial: only risk-reducing actions (margin call).
	Restricted,
	/// Equity below maintenance (or an ongoing liquidation not yet back above maintenance plus
	/// the buffer): anybody may liquidate.
	Liquidatable,
}

/// An account's margin figures (`MarginApi::account_margin`), every amount in settlement-asset
/// units: USDC with 6 decimals (1_000_000 = 1 USDC = 1 USD).
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct MarginSummary {
	/// Collateral in the margin ledger, settlement-asset units (USDC, 6 decimals).
	pub collateral: Balance,
	/// Collateral minus debt plus the mark-to-market value of all positions, rounded down
	/// (negative possible), signed settlement-asset units (USDC, 6 decimals); compared with
	/// `maintenance`.
	pub equity: SignedBalance,
	/// The equity that counts towards the initial requirement: long options count only at the
	/// `long_initial_credit` fraction of their value; signed settlement-asset units (USDC, 6
	/// decimals); compared with `initial`.
	pub initial_equity: SignedBalance,
	/// Initial requirement (positions and resting orders), rounded up, settlement-asset units
	/// (USDC, 6 decimals).
	pub initial: Balance,
	/// Maintenance requirement (positions), rounded up, settlement-asset units (USDC, 6
	/// decimals).
	pub maintenance: Balance,
	/// The resulting state.
	pub state: AccountState,
}

/// Mark price and greeks of one contract of a series (`MarginApi::series_quote`): the margin
/// engine's per-unit Black-Scholes values multiplied by the contract size, each rounded to the
/// nearest 10^-18. Every field is an 18-decimal fixed point number (`FixedU128` / `FixedI128`:
/// the encoded integer is the value times 10^18), in USD, not in settlement-asset units. Vega
/// per 1.00 of volatility, theta per year (365 days), rho per 1.00 of rate.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct SeriesQuote {
	/// Mark price (model value) of one contract, USD, 18-decimal fixed point (times 10^6 for
	/// USDC units).
	pub mark: FixedU128,
	/// Delta of one contract: units of the underlying (dValue/dIndex times the contract size;
	/// negative for a put), 18-decimal fixed point.
	pub delta: FixedI128,
	/// Gamma of one contract: change of its delta (units of the underlying) per 1 USD rise of
	/// the index price, 18-decimal fixed point.
	pub gamma: FixedI128,
	/// Vega of one contract: USD per 1.00 (100 percentage points) of volatility, 18-decimal
	/// fixed point (divide by 100 for USD per volatility point).
	pub vega: FixedI128,
	/// Theta of one contract: change of its value as time passes, USD per year (365 days;
	/// divide by 365 for per day), 18-decimal fixed point; usually negative.
	pub theta: FixedI128,
	/// Rho of one contract: USD per 1.00 (100 percentage points) of the rate, 18-decimal fixed
	/// point.
	pub rho: FixedI128,
	/// The oracle's index price now, USD per unit of the underlying, 18-decimal fixed point
	/// (from expiry on the model uses the settlement price once it is fixed).
	pub index_price: Price,
	/// The oracle's volatility used, annualised fraction (0.65 = 65 %), 18-decimal fixed point.
	pub volatility: FixedU128,
	/// Whether both the price and the volatility are fresh (otherwise the quote is indicative).
	pub fresh: bool,
}

/// One underlying's box in a trigger band: while its index price and volatility stay inside,
/// the account cannot fall below maintenance before the band's `until`.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct SafeRange {
	/// The underlying.
	pub underlying: optionchain_primitives::UnderlyingId,
	/// Lowest index price of the box, USD per unit of the underlying, 18-decimal fixed point.
	pub price_lo: Price,
	/// Highest index price of the box, USD per unit of the underlying, 18-decimal fixed point.
	pub price_hi: Price,
	/// Lowest volatility of the box, annualised fraction (0.5 = 50 % a year), 18-decimal fixed
	/// point.
	pub volatility_lo: FixedU128,
	/// Highest volatility of the box, annualised fraction, 18-decimal fixed point.
	pub volatility_hi: FixedU128,
}

/// An account's trigger band (`MarginApi::trigger_band`): as long as every underlying it
/// holds stays inside its [`SafeRange`] and block time does not pass `until`, the account stays
/// at or above its maintenance requirement, whatever the path inside the box. Conservative:
/// leaving the box does not mean the account is liquidatable.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct TriggerBandView {
	/// Last block time the band holds for (ms since the Unix epoch): the horizon asked for,
	/// cut to one millisecond before the earliest expiry held.
	pub until: optionchain_primitives::Moment,
	/// Equity minus maintenance at the box's worst corner now, after rounding allowances,
	/// settlement-asset units (USDC, 6 decimals): what the moves inside the box may use up.
	pub slack: Balance,
	/// One box per underlying with a position that has not expired.
	pub underlyings: alloc::vec::Vec<SafeRange>,
}
