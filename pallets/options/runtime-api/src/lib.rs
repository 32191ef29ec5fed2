#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use optionchain_primitives::exchange::{PositionInfo, SeriesId};
pub use optionchain_primitives::UnderlyingId;
pub use pallet_options::{BookDepth, BookLevel, MmpView, OpenOrder, SeriesView, VolEntry};

sp_api::decl_runtime_apis! {
	/// Reads of the options exchange at the state of a block. Order prices and premiums are
	/// settlement-asset units (USDC, 6 decimals: 1_000_000 = 1 USDC) per contract; quantities
	/// and positions whole contracts; strikes (USD per unit of the underlying), contract sizes
	/// (units of the underlying) and volatilities (annualised fractions) 18-decimal fixed point;
	/// expiries ms since the Unix epoch.
	///
	/// Version 2 added `mmp`, version 3 `vol_orders` (a runtime implements the latest version
	/// it declares).
	#[api_version(2)]
	pub trait OptionsApi<AccountId>
	where
		AccountId: Codec,
	{
		/// The listed series not yet fully settled (trading, expired or settling), by expiry:
		/// terms (strike in USD per unit of the underlying and contract size in units of the
		/// underlying, 18-decimal fixed point; expiry in ms), price tick in settlement-asset units
		/// (USDC, 6 decimals) per contract, open interest in contracts.
		fn live_series() -> Vec<SeriesView>;

		/// Aggregated depth of `series`: at most `max_levels` price levels per side, best first;
		/// each level's price in settlement-asset units (USDC, 6 decimals) per contract and its
		/// quantity in contracts. `None` if the series does not exist.
		fn book_depth(series: SeriesId, max_levels: u32) -> Option<BookDepth>;

		/// `who`'s resting orders, in placement order: limit prices in settlement-asset units
		/// (USDC, 6 decimals) per contract, remaining quantities in contracts.
		fn open_orders(who: AccountId) -> Vec<OpenOrder>;

		/// `who`'s non-zero net positions (including expired series not yet settled): net
		/// contracts (`> 0` long, `< 0` short) with the series' terms (strike in USD per unit of
		/// the underlying, contract size in units of the underlying, both 18-decimal fixed
		/// point; expiry in ms since the Unix epoch).
		fn positions(who: AccountId) -> Vec<PositionInfo>;

		/// `who`'s market-maker protection on `underlying` as the next block finds it: limits,
		/// what a fill then counts on top of (contracts; delta in units of the underlying and
		/// vega in USD per 1.00 of volatility, 18-decimal fixed point), the freeze (block
		/// numbers) and the trip's watermark. `None` if it never set one (or removed it with
		/// nothing left to clean up).
		#[api_version(2)]
		fn mmp(who: AccountId, underlying: UnderlyingId) -> Option<MmpView>;

		/// The volatility-priced orders resting in `series` (`place_vol_order`), in id order:
		/// each order's id, owner and volatility (annualised fraction, 0.55 = 55 %, 18-decimal
		/// fixed point). Their premiums of the block (settlement-asset units per contract) are in
		/// `book_depth` and `open_orders`.
		#[api_version(3)]
		fn vol_orders(series: SeriesId) -> Vec<VolEntry<AccountId>>;
	}
}
