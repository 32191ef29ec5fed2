//! [`PositionsProvider`] for the margin pallet, and the reads behind the runtime API.

use crate::{pallet::*, types::*, weights::WeightInfo};
use alloc::vec::Vec;
use frame_support::{ensure, pallet_prelude::*, traits::Get};
use optionchain_primitives::exchange::{
	Balance, Contracts, MarginAccounts, OrderExposure, Portfolio, PortfolioSize, PositionInfo,
	PositionsProvider, SeriesId,
};

impl<T: Config> PositionsProvider<T::AccountId> for Pallet<T> {
	fn portfolio(who: &T::AccountId) -> Portfolio {
		Self::portfolio_in(who, AccountSeriesIndex::<T>::get(who), true)
	}

	fn positions_in(who: &T::AccountId, series: &[SeriesId]) -> Portfolio {
		Self::portfolio_in(who, series.iter().copied(), false)
	}

	fn max_series_len() -> u32 {
		T::MaxSeriesPerAccount::get()
	}

	fn max_positions_len() -> u32 {
		T::MaxPositionSeriesPerAccount::get()
	}

	fn positions_weight() -> Weight {
		// The `portfolio` benchmark reads an index and two items per series; `positions_in`
		// reads the two items per series (its list comes with the margin ledger entry).
		T::WeightInfo::portfolio(T::MaxPositionSeriesPerAccount::get())
	}

	fn transfer_position(
		from: &T::AccountId,
		to: &T::AccountId,
		series: SeriesId,
		quantity: Contracts,
	) -> DispatchResult {
		Self::do_transfer_position(from, to, series, quantity)
	}

	fn void_orders(who: &T::AccountId) -> u32 {
		Self::do_void_orders(who)
	}

	fn void_orders_weight() -> Weight {
		// The order list's length and the next order id; the entry and the event.
		T::DbWeight::get().reads_writes(2, 2)
	}

	fn portfolio_size(who: &T::AccountId) -> PortfolioSize {
		let len = |l: Option<usize>| u32::try_from(l.unwrap_or(0)).unwrap_or(u32::MAX);
		PortfolioSize {
			series: len(AccountSeriesIndex::<T>::decode_len(who)),
			orders: len(AccountOrders::<T>::decode_len(who)),
			positions: len(Some(T::Margin::position_series(who).len())),
		}
	}

	fn portfolio_size_weight() -> Weight {
		T::DbWeight::get().reads(3)
	}

	fn max_portfolio_len() -> u32 {
		// A position in at most `MaxPositionSeriesPerAccount` series, and an entry of resting
		// orders in at most as many series as it may have orders (one order each).
		let series = T::MaxSeriesPerAccount::get();
		T::MaxPositionSeriesPerAccount::get()
			.min(series)
			.saturating_add(series.min(T::MaxOrdersPerAccount::get()))
	}

	fn portfolio_weight() -> Weight {
		T::WeightInfo::portfolio(T::MaxSeriesPerAccount::get())
	}
}

impl<T: Config> Pallet<T> {
	/// `who`'s positions in `series` (two reads each: its entry and the series), and its
	/// resting-order exposure there if `with_orders`.
	fn portfolio_in(
		who: &T::AccountId,
		series: impl IntoIterator<Item = SeriesId>,
		with_orders: bool,
	) -> Portfolio {
		let mut p = Portfolio::default();
		for series in series {
			let (Some(e), Some(info)) =
				(Positions::<T>::get(series, who), Series::<T>::get(series))
			else {
				continue;
			};
			if e.net != 0 {
				p.positions.push(PositionInfo { series, terms: info.terms, net: e.net });
			}
			if with_orders && e.orders > 0 {
				p.orders.push(Self::exposure_of(series, info.terms, &e));
			}
		}
		p
	}

	/// The resting-order exposure of the entry `e` in `series` (of `terms`), as the margin
	/// pallet evaluates it.
	pub(crate) fn exposure_of(
		series: SeriesId,
		terms: optionchain_primitives::exchange::SeriesTerms,
		e: &AccountSeries,
	) -> OrderExposure {
		OrderExposure {
			series,
			terms,
			sell_contracts: e.sell_contracts,
			buy_contracts: e.buy_contracts,
			buy_premium: e.buy_premium,
			sell_premium: e.sell_premium,
			fee_reserve: Self::fee_reserve(e),
		}
	}

	/// Upper bound of the maker fees `e`'s resting orders pay if all filled: every fill pays
	/// `min(fee per contract * quantity, FeeCap of its premium)`, and a sum of such minima is
	/// at most the minimum of the sums.
	pub(crate) fn fee_reserve(e: &AccountSeries) -> Balance {
		let contracts = e.buy_contracts.saturating_add(e.sell_contracts).max(0);
		let by_contracts =
			T::MakerFeePerContract::get().saturating_mul(u128::try_from(contracts).unwrap_or(0));
		let by_premium = T::FeeCap::get().mul_floor(e.buy_premium.saturating_add(e.sell_premium));
		by_contracts.min(by_premium)
	}

	/// Liquidation transfer (see `PositionsProvider::transfer_position`). The receiver's caps
	/// apply (`TooManySeriesForAccount`, `TooManyPositionSeries`): a keeper at its cap fails
	/// its own `liquidate`; the insurance account (`UncappedAccounts`) never is at one.
	pub fn do_transfer_position(
		from: &T::AccountId,
		to: &T::AccountId,
		series: SeriesId,
		quantity: Contracts,
	) -> DispatchResult {
		ensure!(quantity > 0, Error::<T>::InvalidQuantity);
		ensure!(from != to, Error::<T>::InsufficientPosition);
		let mut info = Series::<T>::get(series).ok_or(Error::<T>::UnknownSeries)?;
		Self::ensure_trading(&info)?;
		let from_net = Self::net_position(series, from);
		ensure!(
			quantity <= from_net.checked_abs().unwrap_or(Contracts::MAX),
			Error::<T>::InsufficientPosition
		);
		let to_from = if from_net > 0 {
			quantity.checked_neg().ok_or(Error::<T>::Overflow)?
		} else {
			quantity
		};
		let to_to = to_from.checked_neg().ok_or(Error::<T>::Overflow)?;
		let mut oi_delta: Contracts = 0;
		for (who, delta) in [(from, to_from), (to, to_to)] {
			let d = Self::mutate_entry(series, who, |e| -> Result<Contracts, DispatchError> {
				let old = e.net;
				e.net = old.checked_add(delta).ok_or(Error::<T>::Overflow)?;
				Ok(e.net.max(0) - old.max(0))
			})?;
			oi_delta = oi_delta.checked_add(d).ok_or(Error::<T>::Overflow)?;
		}
		// A short moving to an account without a long in the series leaves open interest
		// as it was (the usual liquidation): the series is not written.
		if oi_delta != 0 {
			Self::apply_open_interest(&mut info, oi_delta, false)?;
			Series::<T>::insert(series, info);
		}
		Self::deposit_event(Event::PositionTransferred {
			series,
			from: from.clone(),
			to: to.clone(),
			quantity,
		});
		Ok(())
	}

	/// Runtime API: the listed series not yet fully settled, by expiry.
	pub fn api_live_series() -> Vec<SeriesView> {
		LiveSeries::<T>::get()
			.into_iter()
			.filter_map(|(_, id)| Series::<T>::get(id).map(|info| SeriesView { id, info }))
			.collect()
	}

	/// Runtime API: aggregated depth of `series`, at most `max_levels` levels per side. Void
	/// orders (their owner was liquidated, its dead-man's switch fired or its market-maker
	/// protection tripped) and good-till-block
	/// orders good till this block or an earlier one are left out: the book as the next
	/// block's takers find it (a runtime API reads the state at the end of a block).
	pub fn api_book_depth(series: SeriesId, max_levels: u32) -> Option<BookDepth> {
		let underlying = Series::<T>::get(series)?.terms.underlying;
		// Protection is as the next block finds it: a timed freeze may thaw at its start
		// (orders void by a trip stay void).
		let next = Self::block_now().saturating_add(1);
		let levels = |side| {
			let mut out: Vec<BookLevel> = Vec::new();
			for o in Books::<T>::get(series, side) {
				let protection = Self::mmp_state(&o.owner, underlying);
				if Self::is_void(&o)
					|| Self::ends_by_this_block(&o)
					|| Self::mmp_void(protection.as_ref(), o.id, next)
				{
					continue;
				}
				match out.last_mut() {
					Some(l) if l.price == o.price => {
						l.quantity = l.quantity.saturating_add(o.remaining);
						l.orders = l.orders.saturating_add(1);
					},
					_ => {
						if out.len() >= max_levels as usize {
							break;
						}
						out.push(BookLevel { price: o.price, quantity: o.remaining, orders: 1 });
					},
				}
			}
			out
		};
		Some(BookDepth {
			bids: levels(optionchain_primitives::exchange::Side::Buy),
			asks: levels(optionchain_primitives::exchange::Side::Sell),
		})
	}

	/// Runtime API: `who`'s resting orders, in placement order.
	pub fn api_open_orders(who: &T::AccountId) -> Vec<OpenOrder> {
		AccountOrders::<T>::get(who)
			.into_iter()
			.filter_map(|r| {
				let o = Books::<T>::get(r.series, r.side).into_iter().find(|o| o.id == r.id)?;
				Some(OpenOrder {
					id: r.id,
					series: r.series,
					side: r.side,
					price: o.price,
					remaining: o.remaining,
					reduce_only: o.reduce_only,
					good_till: o.good_till,
				})
			})
			.collect()
	}

	/// Runtime API: the volatility-priced orders still resting in `series`, in id order.
	pub fn api_vol_orders(
		series: optionchain_primitives::exchange::SeriesId,
	) -> Vec<VolEntry<T::AccountId>> {
		let Some(list) = VolOrders::<T>::get(series) else { return Vec::new() };
		let resting: Vec<OrderId> = [
			optionchain_primitives::exchange::Side::Buy,
			optionchain_primitives::exchange::Side::Sell,
		]
		.into_iter()
		.flat_map(|side| Books::<T>::get(series, side).into_iter().map(|o| o.id))
		.collect();
		list.into_iter().filter(|e| resting.contains(&e.id)).collect()
	}

	/// Runtime API: `who`'s non-zero positions (unsettled expired series included).
	pub fn api_positions(who: &T::AccountId) -> Vec<PositionInfo> {
		<Self as PositionsProvider<T::AccountId>>::portfolio(who).positions
	}
}
