#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use optionchain_primitives::exchange::{PositionInfo, SeriesId};
pub use optionchain_primitives::UnderlyingId;
pub use pallet_options::{BookDepth, BookLevel, MmpView, OpenOrder, SeriesView, VolEntry};

sp_api::decl_runtime_apis! {
	/// Reads of the options exchange at the state of a block. Version 2 added `mmp`, version
	/// 3 `vol_orders` (a runtime implements the latest version it declares).
	#[api_version(2)]
	pub trait OptionsApi<AccountId>
	where
		AccountId: Codec,
	{
		/// The listed series not yet fully settled (trading, expired or settling), by expiry.
		fn live_series() -> Vec<SeriesView>;

		/// Aggregated depth of `series`: at most `max_levels` price levels per side, best first.
		/// `None` if the series does not exist.
		fn book_depth(series: SeriesId, max_levels: u32) -> Option<BookDepth>;

		/// `who`'s resting orders, in placement order.
		fn open_orders(who: AccountId) -> Vec<OpenOrder>;

		/// `who`'s non-zero net positions (including expired series not yet settled).
		fn positions(who: AccountId) -> Vec<PositionInfo>;

		/// `who`'s market-maker protection on `underlying` as the next block finds it: limits,
		/// what a fill then counts on top of, the freeze and the trip's watermark. `None` if it never
		/// set one (or removed it with nothing left to clean up).
		#[api_version(2)]
		fn mmp(who: AccountId, underlying: UnderlyingId) -> Option<MmpView>;

		/// The volatility-priced orders resting in `series` (`place_vol_order`), in id order:
		/// each order's id, owner and volatility (18-decimal fraction a year). Their premiums of the
		/// block are in `book_depth` and `open_orders`.
		#[api_version(3)]
		fn vol_orders(series: SeriesId) -> Vec<VolEntry<AccountId>>;
	}
}
