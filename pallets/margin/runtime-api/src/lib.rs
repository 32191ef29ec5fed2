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
pub use pallet_margin::{AccountState, MarginSummary, SeriesQuote};
pub use sp_arithmetic::{FixedI128, FixedU128};

sp_api::decl_runtime_apis! {
	/// Reads of the margin pallet at the state of a block.
	///
	/// Version 2: `MarginSummary` gained `initial_equity`.
	#[api_version(2)]
	pub trait MarginApi<AccountId>
	where
		AccountId: Codec,
	{
		/// Collateral of `who` in the margin ledger.
		fn collateral(who: AccountId) -> Balance;

		/// Collateral, equity, initial and maintenance requirements and state of `who`.
		/// `None` if a price needed to value the portfolio is unavailable.
		fn account_margin(who: AccountId) -> Option<MarginSummary>;

		/// Mark price and greeks of one contract of a series with the given terms, at the
		/// current index price, volatility and time. `None` if no price/volatility exists or
		/// the terms are invalid.
		fn series_quote(terms: SeriesTerms) -> Option<SeriesQuote>;

		/// The insurance fund's balance.
		fn insurance_fund() -> Balance;
	}
}
