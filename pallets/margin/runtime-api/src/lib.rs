#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

use codec::Codec;
pub use optionchain_primitives::{
	exchange::{Balance, SeriesTerms, SignedBalance},
	Price, PriceStatus,
};
/// The API's types are the pallet's (one rule for the runtime-API crates: an API crate defines
/// no types; it takes its pallet's from the pallet and the shared ones from
/// `optionchain-primitives`).
pub use pallet_margin::{AccountState, MarginSummary, SafeRange, SeriesQuote, TriggerBandView};
pub use sp_arithmetic::{FixedI128, FixedU128};

sp_api::decl_runtime_apis! {
	/// Reads of the margin pallet at the state of a block. Amounts are settlement-asset units
	/// (USDC, 6 decimals: 1_000_000 = 1 USDC = 1 USD); prices, greeks and volatilities are
	/// 18-decimal fixed point (`FixedU128` / `FixedI128`: the encoded integer is the value times
	/// 10^18).
	///
	/// Version 2: `MarginSummary` gained `initial_equity`. Version 3: `trigger_band`.
	#[api_version(3)]
	pub trait MarginApi<AccountId>
	where
		AccountId: Codec,
	{
		/// Collateral of `who` in the margin ledger, settlement-asset units (USDC, 6 decimals).
		fn collateral(who: AccountId) -> Balance;

		/// Collateral, equity, initial and maintenance requirements and state of `who`, every
		/// amount in settlement-asset units (USDC, 6 decimals; equity signed). `None` if a price
		/// needed to value the portfolio is unavailable.
		fn account_margin(who: AccountId) -> Option<MarginSummary>;

		/// Mark price and greeks of one contract of a series with the given `terms` (strike in
		/// USD per unit of the underlying and contract size in units of the underlying, both
		/// 18-decimal fixed point; expiry in ms since the Unix epoch), at the current index
		/// price, volatility and time. Every figure is 18-decimal fixed point in USD, not in
		/// settlement-asset units: mark in USD per contract, delta in units of the underlying,
		/// gamma in units of the underlying per 1 USD of index price, vega in USD per 1.00 of
		/// volatility, theta in USD per year, rho in USD per 1.00 of rate (see `SeriesQuote`).
		/// `None` if no price/volatility exists or the terms are invalid.
		fn series_quote(terms: SeriesTerms) -> Option<SeriesQuote>;

		/// The insurance fund's balance, settlement-asset units (USDC, 6 decimals).
		fn insurance_fund() -> Balance;

		/// `who`'s trigger band: a range of index prices (USD per unit of the underlying) and
		/// volatilities (annualised fractions), both 18-decimal fixed point, per underlying
		/// held inside which the account cannot fall below maintenance within
		/// `horizon_seconds` (cut before the earliest expiry held), allowing volatility to
		/// move by up to `volatility_move_percent` % (at most 100) of its level now. Proven
		/// on whole intervals, not only at the edges (see the margin pallet's `band` module).
		/// `None` without a band: no slack at the box's worst corner now, under liquidation,
		/// an expired series not settled yet, or a price missing. `until` is in ms since the
		/// Unix epoch, `slack` in settlement-asset units (USDC, 6 decimals).
		fn trigger_band(
			who: AccountId,
			horizon_seconds: u32,
			volatility_move_percent: u32,
		) -> Option<TriggerBandView>;
	}
}
