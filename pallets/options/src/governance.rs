//! Governance: underlying configuration and series listing.

use crate::{pallet::*, types::*};
use frame_support::{ensure, pallet_prelude::*, traits::Get};
use optionchain_primitives::{
	exchange::{OptionKind, SeriesId, SeriesTerms},
	Moment, OracleProvider, Price, UnderlyingId,
};

impl<T: Config> Pallet<T> {
	/// Validate and store an underlying's trading parameters.
	pub fn do_configure_underlying(
		underlying: UnderlyingId,
		config: UnderlyingConfig,
	) -> DispatchResult {
		ensure!(
			config.strike_tick.into_inner() > 0 &&
				config.contract_size.into_inner() > 0 &&
				config.price_tick > 0 &&
				config.max_series_open_interest > 0 &&
				config.max_underlying_open_interest >= config.max_series_open_interest,
			Error::<T>::InvalidUnderlyingConfig
		);
		UnderlyingConfigs::<T>::insert(underlying, config);
		Self::deposit_event(Event::UnderlyingConfigured { underlying, config });
		Ok(())
	}

	/// Validate and list a series; returns its id.
	pub fn do_list_series(
		underlying: UnderlyingId,
		strike: Price,
		expiry: Moment,
		kind: OptionKind,
	) -> Result<SeriesId, DispatchError> {
		let cfg = UnderlyingConfigs::<T>::get(underlying).ok_or(Error::<T>::UnderlyingNotConfigured)?;
		let tick = cfg.strike_tick.into_inner();
		ensure!(
			strike.into_inner() > 0 && tick > 0 && strike.into_inner() % tick == 0,
			Error::<T>::InvalidStrike
		);
		let now = Self::now();
		ensure!(expiry > now, Error::<T>::ExpiryInPast);
		ensure!(
			expiry <= now.saturating_add(T::MaxExpiryHorizon::get()),
			Error::<T>::ExpiryTooFar
		);
		let key = (underlying, strike.into_inner(), expiry, kind);
		ensure!(!SeriesByTerms::<T>::contains_key(key), Error::<T>::DuplicateSeries);

		let id = NextSeriesId::<T>::get();
		LiveSeries::<T>::try_mutate(|live| {
			let pos = live.partition_point(|e| *e < (expiry, id));
			live.try_insert(pos, (expiry, id)).map_err(|_| Error::<T>::TooManySeries)
		})?;
		NextSeriesId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		T::Oracle::schedule_settlement(underlying, expiry)?;

		let terms = SeriesTerms { underlying, strike, expiry, kind, contract_size: cfg.contract_size };
		Series::<T>::insert(
			id,
			SeriesInfo {
				terms,
				price_tick: cfg.price_tick,
				status: SeriesStatus::Trading,
				open_interest: 0,
				resting_orders: 0,
			},
		);
		SeriesByTerms::<T>::insert(key, id);
		Self::deposit_event(Event::SeriesListed { series: id, terms, price_tick: cfg.price_tick });
		Ok(id)
	}
}
