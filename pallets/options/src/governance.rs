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
			config.strike_tick.into_inner() > 0
				&& config.contract_size.into_inner() > 0
				&& config.price_tick > 0
				&& config.max_series_open_interest > 0
				&& config.max_underlying_open_interest >= config.max_series_open_interest,
			Error::<T>::InvalidUnderlyingConfig
		);
		// A listing rule's strike step stays on the strike tick.
		if let Some((_, rule, _)) =
			ListingRules::<T>::get().into_iter().find(|(u, _, _)| *u == underlying)
		{
			ensure!(
				rule.strike_step.into_inner().is_multiple_of(config.strike_tick.into_inner()),
				Error::<T>::ListingStrikeStepInvalid
			);
		}
		// Every live series of the underlying must stay within the arithmetic's range under the
		// new open-interest cap.
		Self::ensure_series_size(config.contract_size, Price::from_inner(0), &config)?;
		for (_, id) in LiveSeries::<T>::get() {
			if let Some(info) = Series::<T>::get(id) {
				if info.terms.underlying == underlying {
					Self::ensure_series_size(info.terms.contract_size, info.terms.strike, &config)?;
				}
			}
		}
		UnderlyingConfigs::<T>::insert(underlying, config);
		Self::deposit_event(Event::UnderlyingConfigured { underlying, config });
		Ok(())
	}

	/// Largest position figure (USD) a series may reach: margin figures of a position are at
	/// most twice the larger of the index price and the strike, times the contract size and the
	/// contracts; kept below the pricing arithmetic's range (about 1.7 * 10^20 USD) so that
	/// every holder can always be evaluated (and liquidated). Sums of figures are taken in
	/// settlement units (`u128`), far from overflowing.
	pub const MAX_POSITION_VALUE_USD: u128 = 100_000_000_000_000_000_000;

	/// Fail with `SeriesTooLarge` unless a series of `contract_size` and `strike` under
	/// `config` keeps every position's figures within [`Self::MAX_POSITION_VALUE_USD`]: with
	/// the index at its hard cap (`MAX_INDEX_PRICE_USD`) and the series' open-interest cap
	/// plus what one account's resting sells can add up to.
	pub(crate) fn ensure_series_size(
		contract_size: Price,
		strike: Price,
		config: &UnderlyingConfig,
	) -> DispatchResult {
		use sp_arithmetic::{
			helpers_128bit::multiply_by_rational_with_rounding, per_things::Rounding,
		};
		const ONE: u128 = 1_000_000_000_000_000_000;
		let cap = optionchain_primitives::MAX_INDEX_PRICE_USD.saturating_mul(ONE);
		let price = strike.into_inner().max(cap);
		let orders = u128::from(T::MaxOrdersPerAccount::get())
			.saturating_mul(u128::try_from(T::MaxOrderQuantity::get()).unwrap_or(u128::MAX));
		let oi = u128::try_from(config.max_series_open_interest).unwrap_or(u128::MAX);
		// A position of up to the cap plus resting sells of up to `orders` contracts.
		let contracts = oi.saturating_add(orders);
		let ok = multiply_by_rational_with_rounding(
			price,
			contract_size.into_inner(),
			ONE,
			Rounding::Up,
		)
		.and_then(|per_contract| per_contract.checked_mul(contracts))
		.and_then(|v| v.checked_mul(2))
		.is_some_and(|v| v <= Self::MAX_POSITION_VALUE_USD.saturating_mul(ONE));
		ensure!(ok, Error::<T>::SeriesTooLarge);
		Ok(())
	}

	/// Validate and list a series; returns its id.
	pub fn do_list_series(
		underlying: UnderlyingId,
		strike: Price,
		expiry: Moment,
		kind: OptionKind,
	) -> Result<SeriesId, DispatchError> {
		let cfg =
			UnderlyingConfigs::<T>::get(underlying).ok_or(Error::<T>::UnderlyingNotConfigured)?;
		let tick = cfg.strike_tick.into_inner();
		ensure!(
			strike.into_inner() > 0 && tick > 0 && strike.into_inner().is_multiple_of(tick),
			Error::<T>::InvalidStrike
		);
		let now = Self::now();
		ensure!(expiry > now, Error::<T>::ExpiryInPast);
		ensure!(expiry <= now.saturating_add(T::MaxExpiryHorizon::get()), Error::<T>::ExpiryTooFar);
		let key = (underlying, strike.into_inner(), expiry, kind);
		ensure!(!SeriesByTerms::<T>::contains_key(key), Error::<T>::DuplicateSeries);
		Self::ensure_series_size(cfg.contract_size, strike, &cfg)?;

		let id = NextSeriesId::<T>::get();
		LiveSeries::<T>::try_mutate(|live| {
			let pos = live.partition_point(|e| *e < (expiry, id));
			live.try_insert(pos, (expiry, id)).map_err(|_| Error::<T>::TooManySeries)
		})?;
		NextSeriesId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		T::Oracle::schedule_settlement(underlying, expiry)?;

		let terms =
			SeriesTerms { underlying, strike, expiry, kind, contract_size: cfg.contract_size };
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
