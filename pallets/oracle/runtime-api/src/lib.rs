#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
pub use optionchain_primitives::{
	FeedEntry, IndexPrice, IndexVolatility, Moment, Price, PriceStatus, UnderlyingId,
};

sp_api::decl_runtime_apis! {
	/// Reads of the oracle's canonical values at the state of a block. Prices are USD per unit
	/// of the underlying and volatilities annualised fractions (0.65 = 65 %), both `FixedU128`
	/// 18-decimal fixed point (the encoded integer is the value times 10^18); times are ms since
	/// the Unix epoch.
	///
	/// Version 2: `feed_payload` takes the observation time. Version 3: `feed_payload` is
	/// gone (feeds are ordinary signed extrinsics, nothing else is signed), and with it the
	/// trait's type parameters.
	#[api_version(3)]
	pub trait OracleApi {
		/// The canonical index price of `id`, with its status and confidence band: `price` and
		/// `confidence` in USD per unit of the underlying, 18-decimal fixed point, `updated_at`
		/// in ms since the Unix epoch. `None` if the underlying is unknown or was never priced.
		fn index_price(id: UnderlyingId) -> Option<IndexPrice>;

		/// The canonical ATM implied volatility of `id`, with its status and confidence band:
		/// `volatility` and `confidence` as an annualised fraction (0.65 = 65 %), 18-decimal
		/// fixed point, `updated_at` in ms since the Unix epoch. `None` if the underlying is
		/// unknown or its volatility was never aggregated.
		fn volatility(id: UnderlyingId) -> Option<IndexVolatility>;

		/// The time-weighted average of the canonical index price over the last `window_ms`
		/// milliseconds before the block's timestamp, USD per unit of the underlying, 18-decimal
		/// fixed point. `None` if there is no price history or the window is 0 or longer than the
		/// maximum (24 h). If the retained history is shorter than the window, the average covers
		/// the retained part.
		fn twap(id: UnderlyingId, window_ms: Moment) -> Option<Price>;

		/// The settlement price fixed for `(id, expiry)` (`expiry` in ms since the Unix epoch),
		/// USD per unit of the underlying, 18-decimal fixed point; `None` until it is fixed.
		fn settlement_price(id: UnderlyingId, expiry: Moment) -> Option<Price>;

		/// The underlyings registered with the oracle.
		fn underlyings() -> Vec<UnderlyingId>;
	}
}
