//! [`OracleProvider`] for other pallets and the helpers behind the runtime API.

use crate::{pallet::*, types::*, weights::WeightInfo};
use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, traits::Time};
use optionchain_primitives::{
	IndexPrice, IndexVolatility, Moment, OracleProvider, Price, PriceStatus, UnderlyingId,
};

impl<T: Config> Pallet<T> {
	/// Status of an aggregate at the current block's timestamp.
	fn status_of(agg: &Aggregate, breaker: bool) -> PriceStatus {
		if breaker {
			PriceStatus::CircuitBreaker
		} else if T::Time::now() > agg.fresh_until {
			PriceStatus::Stale
		} else {
			PriceStatus::Fresh
		}
	}

	/// The canonical index price with its status (runtime API helper).
	pub fn api_index_price(id: UnderlyingId) -> Option<IndexPrice> {
		let agg = IndexPrices::<T>::get(id)?;
		Some(IndexPrice {
			price: agg.value,
			confidence: agg.confidence,
			status: Self::status_of(&agg, Breakers::<T>::contains_key(id)),
			updated_at: agg.updated_at,
			block: agg.block,
		})
	}

	/// The canonical volatility with its status (runtime API helper).
	pub fn api_volatility(id: UnderlyingId) -> Option<IndexVolatility> {
		let agg = Volatilities::<T>::get(id)?;
		Some(IndexVolatility {
			volatility: agg.value,
			confidence: agg.confidence,
			status: Self::status_of(&agg, VolatilityBreakers::<T>::contains_key(id)),
			updated_at: agg.updated_at,
			block: agg.block,
		})
	}

	/// TWAP over the last `window_ms` (runtime API helper).
	pub fn api_twap(id: UnderlyingId, window_ms: Moment) -> Option<Price> {
		Self::twap(id, window_ms)
	}

	/// A fixed settlement price (runtime API helper).
	pub fn api_settlement_price(id: UnderlyingId, expiry: Moment) -> Option<Price> {
		SettlementPrices::<T>::get(id, expiry).map(|r| r.price)
	}

	/// The registered underlyings (runtime API helper).
	pub fn api_underlyings() -> Vec<UnderlyingId> {
		UnderlyingList::<T>::get().into_inner()
	}
}

impl<T: Config> OracleProvider for Pallet<T> {
	fn index_price(id: UnderlyingId) -> Option<IndexPrice> {
		Self::api_index_price(id)
	}

	fn volatility(id: UnderlyingId) -> Option<IndexVolatility> {
		Self::api_volatility(id)
	}

	fn settlement_price(id: UnderlyingId, expiry: Moment) -> Option<Price> {
		Self::api_settlement_price(id, expiry)
	}

	fn schedule_settlement(id: UnderlyingId, expiry: Moment) -> DispatchResult {
		Self::do_schedule_settlement(id, expiry)
	}

	fn read_weight() -> Weight {
		// Aggregate + breaker + timestamp.
		T::DbWeight::get().reads(3)
	}

	fn schedule_weight() -> Weight {
		T::WeightInfo::schedule_settlement()
	}

	fn underlying_count() -> u32 {
		UnderlyingList::<T>::decode_len().unwrap_or(0).try_into().unwrap_or(u32::MAX)
	}

	fn underlying_count_weight() -> Weight {
		T::DbWeight::get().reads(1)
	}

	fn max_underlyings() -> u32 {
		T::MaxUnderlyings::get()
	}
}
