//! Orders priced in implied volatility (issue 16, item 4).
//!
//! A volatility-priced order rests in its series' book like any other order, at a premium. What
//! makes it different is [`VolOrders`]: after every block's inherents (so at the block's
//! timestamp, with the index price the oracle aggregated at the end of the previous block,
//! which is the price the margin engine uses all block), the pallet prices it again with the
//! margin engine's Black-Scholes (`MarginAccounts::contract_premiums`) and puts it back in its
//! side in price-then-id order. Everything else (matching, priority, the book API, margin
//! reserves, cancels, voids, expiry, market-maker protection) sees an ordinary order at the
//! block's premium, so matching against it is exact and a maker's board follows the index
//! without a requote.
//!
//! **Rounding in the owner's favour.** A bid's premium is rounded down, to the settlement unit
//! and then to the tick; an ask's up (and at least one tick). A bid never pays more than its
//! volatility's premium, an ask never receives less.
//!
//! **The book never crosses.** Asks are priced first and kept at least a tick above the best
//! premium-priced bid; then bids at least a tick below the best ask (volatility-priced asks
//! included). Volatility-priced orders never cross each other: for one series the premium
//! increases with the volatility, a bid rounds down and an ask up, and a new order that would
//! take is refused (post-only). A bid kept below a one-tick ask, or rounded down to zero, is
//! cancelled (`VolatilityUnpriced`), as is every volatility-priced order of a series that
//! cannot be priced (no fresh index price or volatility): none ever fills at a stale premium.
//!
//! **Margin.** Repricing moves the owner's reserved premium of the order
//! (`AccountSeries::{buy,sell}_premium`) with its price, so the margin engine reserves each
//! order at the block's premium. It happens before any transaction of the block, so before
//! any account of the block is stamped warm.
//!
//! **Bounded work.** At most `MaxVolOrders` orders in at most `MaxVolSeries` series: the
//! weight of pricing them all is reserved in `on_initialize` from the stored counts.

use crate::{pallet::*, types::*, WeightInfo};
use alloc::vec::Vec;
use frame_support::{
	dispatch::{DispatchErrorWithPostInfo, WithPostDispatchInfo},
	ensure,
	pallet_prelude::*,
	storage::with_transaction,
};
use optionchain_primitives::{
	exchange::{Balance, MarginAccounts, PremiumRounding, SeriesId, Side},
	Price,
};
use sp_runtime::TransactionOutcome;

/// How a side's premium is rounded: in the owner's favour.
pub(crate) fn vol_rounding(side: Side) -> PremiumRounding {
	match side {
		Side::Buy => PremiumRounding::Down,
		Side::Sell => PremiumRounding::Up,
	}
}

/// `premium` (settlement units) on the tick in the owner's favour: a bid down (possibly to
/// zero), an ask up and at least one tick. `None` on a zero tick or an overflow.
pub(crate) fn on_tick(side: Side, premium: Balance, tick: Balance) -> Option<Balance> {
	if tick == 0 {
		return None;
	}
	match side {
		Side::Buy => premium.checked_div(tick)?.checked_mul(tick),
		Side::Sell => premium.div_ceil(tick).max(1).checked_mul(tick),
	}
}

impl<T: Config> Pallet<T> {
	/// Weight charged up front for `place_vol_order(req)`: the series' pricing, the
	/// volatility list's and counters' reads and writes, and a post-only placement.
	pub fn declared_vol_order_weight(req: &VolOrderRequest) -> Weight {
		Self::vol_order_extra_weight()
			.saturating_add(Self::declared_place_weight(&Self::vol_as_order(req, 0)))
	}

	/// `place_vol_order`'s work beyond the post-only placement: what its benchmark (the
	/// whole call: the pricing, the series, `VolOrders` and its counter, `VolOrderCount`)
	/// measures beyond `place_order(0)`.
	pub(crate) fn vol_order_extra_weight() -> Weight {
		T::WeightInfo::place_vol_order().saturating_sub(T::WeightInfo::place_order(0))
	}

	/// The post-only order `req` is placed as, at `price`.
	fn vol_as_order(req: &VolOrderRequest, price: Balance) -> OrderRequest {
		OrderRequest {
			series: req.series,
			side: req.side,
			price,
			quantity: req.quantity,
			time_in_force: req.time_in_force,
			post_only: true,
			reduce_only: req.reduce_only,
		}
	}

	/// `place_vol_order`'s work. Returns the new order's id and the weight used.
	pub(crate) fn do_place_vol_order(
		who: &T::AccountId,
		req: VolOrderRequest,
	) -> Result<(OrderId, Weight), DispatchErrorWithPostInfo> {
		let extra = Self::vol_order_extra_weight();
		let fail = |e: Error<T>| e.with_weight(extra);
		ensure!(
			req.volatility >= MIN_ORDER_VOLATILITY && req.volatility <= MAX_ORDER_VOLATILITY,
			fail(Error::<T>::InvalidVolatility)
		);
		ensure!(req.time_in_force.rests(), fail(Error::<T>::InvalidTimeInForce));
		let info = Series::<T>::get(req.series).ok_or(fail(Error::<T>::UnknownSeries))?;
		Self::ensure_trading(&info).map_err(|e| e.with_weight(extra))?;
		let list = VolOrders::<T>::get(req.series);
		let room = match &list {
			Some(l) => !l.is_full(),
			None => VolOrders::<T>::count() < T::MaxVolSeries::get(),
		};
		ensure!(
			room && VolOrderCount::<T>::get() < T::MaxVolOrders::get(),
			fail(Error::<T>::VolOrdersFull)
		);
		let premium =
			T::Margin::contract_premiums(&info.terms, &[(req.volatility, vol_rounding(req.side))])
				.and_then(|p| p.first().copied())
				.ok_or(fail(Error::<T>::VolatilityUnpriced))?;
		let price = on_tick(req.side, premium, info.price_tick)
			.filter(|p| *p > 0)
			.ok_or(fail(Error::<T>::VolatilityUnpriced))?;
		let (order_id, out) =
			Self::do_place_order(who, Self::vol_as_order(&req, price)).map_err(|mut e| {
				e.post_info.actual_weight =
					e.post_info.actual_weight.map(|w| w.saturating_add(extra));
				e
			})?;
		let used = extra.saturating_add(Self::actual_place_weight(&out));
		// The new id is the largest: pushed, the list stays in id order.
		let mut list = list.unwrap_or_default();
		list.try_push(VolEntry { id: order_id, volatility: req.volatility })
			.map_err(|_| Error::<T>::VolOrdersFull.with_weight(used))?;
		VolOrders::<T>::insert(req.series, list);
		VolOrderCount::<T>::mutate(|n| *n = n.saturating_add(1));
		Self::deposit_event(Event::VolOrderPlaced {
			order_id,
			who: who.clone(),
			series: req.series,
			side: req.side,
			volatility: req.volatility,
			price,
		});
		Ok((order_id, used))
	}

	/// The weight of pricing again `orders` volatility-priced orders in `series` series
	/// (including the counts' reads).
	pub(crate) fn reprice_weight(series: u32, orders: u32) -> Weight {
		T::WeightInfo::reprice_vol_orders(series, orders)
			.saturating_add(T::Margin::contract_premiums_weight(0).saturating_mul(series.into()))
			.saturating_add(T::Margin::contract_premiums_weight(orders))
			.saturating_sub(T::Margin::contract_premiums_weight(0))
	}

	/// `on_initialize`: the weight of the repricing after the inherents, from the stored
	/// counts (no transaction runs before it).
	pub(crate) fn reprice_reserve() -> Weight {
		let series = VolOrders::<T>::count();
		if series == 0 {
			return T::DbWeight::get().reads(1);
		}
		let orders = VolOrderCount::<T>::get();
		T::DbWeight::get().reads(2).saturating_add(Self::reprice_weight(series, orders))
	}

	/// `PostInherents`: price every volatility-priced order again (see the module
	/// documentation). Each series in its own storage layer: one that fails (logged: broken
	/// indexes) changes nothing and keeps its orders and entries as they were.
	pub(crate) fn reprice_vol_orders() {
		if VolOrders::<T>::count() == 0 {
			return;
		}
		let all: Vec<(SeriesId, BoundedVec<VolEntry, T::MaxVolOrdersPerSeries>)> =
			VolOrders::<T>::iter().collect();
		let mut count: u32 = 0;
		for (series, entries) in all {
			let kept = with_transaction(|| match Self::reprice_series(series, &entries) {
				Ok(kept) => TransactionOutcome::Commit(Ok(kept)),
				Err(e) => TransactionOutcome::Rollback(Err(e)),
			});
			match kept {
				Ok(kept) => count = count.saturating_add(kept),
				Err(e) => {
					log::error!(
						target: crate::LOG_TARGET,
						"repricing the volatility orders of series {series} failed: {e:?}"
					);
					count = count.saturating_add(u32::try_from(entries.len()).unwrap_or(u32::MAX));
				},
			}
		}
		VolOrderCount::<T>::put(count);
	}

	/// Price `series`' volatility-priced orders again; returns how many are left.
	fn reprice_series(
		series: SeriesId,
		entries: &BoundedVec<VolEntry, T::MaxVolOrdersPerSeries>,
	) -> Result<u32, DispatchError> {
		let Some(mut info) = Series::<T>::get(series) else {
			VolOrders::<T>::remove(series);
			return Ok(0);
		};
		// An expired series' orders are removed with it; they can no longer trade.
		if Self::ensure_trading(&info).is_err() {
			VolOrders::<T>::remove(series);
			return Ok(0);
		}
		let vol_of = |id: OrderId| -> Option<Price> {
			entries
				.binary_search_by_key(&id, |e| e.id)
				.ok()
				.and_then(|i| entries.get(i))
				.map(|e| e.volatility)
		};
		let mut asks = Books::<T>::get(series, Side::Sell);
		let mut bids = Books::<T>::get(series, Side::Buy);
		// What to price: each (volatility, rounding) once.
		let mut wanted: Vec<(Price, PremiumRounding)> = Vec::new();
		for (side, book) in [(Side::Sell, &asks), (Side::Buy, &bids)] {
			for o in book.iter() {
				if let Some(v) = vol_of(o.id) {
					let w = (v, vol_rounding(side));
					if !wanted.contains(&w) {
						wanted.push(w);
					}
				}
			}
		}
		let premiums = if wanted.is_empty() {
			Some(Vec::new())
		} else {
			T::Margin::contract_premiums(&info.terms, &wanted).filter(|p| p.len() == wanted.len())
		};
		let premium_of = |side: Side, v: Price| -> Option<Balance> {
			let premiums = premiums.as_ref()?;
			let i = wanted.iter().position(|w| *w == (v, vol_rounding(side)))?;
			premiums.get(i).copied()
		};
		let tick = info.price_tick;
		// Asks: at least a tick above the best premium-priced bid.
		let best_fixed_bid = bids.iter().find(|o| vol_of(o.id).is_none()).map(|o| o.price);
		let floor = best_fixed_bid.map(|b| b.saturating_add(tick)).unwrap_or(0);
		let ask_prices: Vec<(usize, Option<Balance>)> = asks
			.iter()
			.enumerate()
			.filter_map(|(i, o)| {
				let v = vol_of(o.id)?;
				let p = premium_of(Side::Sell, v).and_then(|p| on_tick(Side::Sell, p, tick));
				Some((i, p.map(|p| p.max(floor))))
			})
			.collect();
		let ask_changed =
			Self::apply_prices(&mut info, series, Side::Sell, &mut asks, &ask_prices)?;
		// Bids: at least a tick below the best ask, premium- or volatility-priced (a bid
		// that cannot be is cancelled).
		let ceiling = asks.first().map(|o| o.price.saturating_sub(tick)).unwrap_or(Balance::MAX);
		let bid_prices: Vec<(usize, Option<Balance>)> = bids
			.iter()
			.enumerate()
			.filter_map(|(i, o)| {
				let v = vol_of(o.id)?;
				let p = premium_of(Side::Buy, v).and_then(|p| on_tick(Side::Buy, p, tick));
				Some((i, p.map(|p| p.min(ceiling)).filter(|p| *p > 0)))
			})
			.collect();
		let bid_changed = Self::apply_prices(&mut info, series, Side::Buy, &mut bids, &bid_prices)?;
		let cancelled = ask_prices.iter().chain(bid_prices.iter()).any(|(_, p)| p.is_none());
		// The ids still resting, in id order.
		let mut still: Vec<OrderId> = asks
			.iter()
			.chain(bids.iter())
			.map(|o| o.id)
			.filter(|id| vol_of(*id).is_some())
			.collect();
		still.sort_unstable();
		for (side, book, changed) in
			[(Side::Sell, asks, ask_changed), (Side::Buy, bids, bid_changed)]
		{
			if changed {
				Self::write_book(series, side, book);
			}
		}
		if cancelled {
			Series::<T>::insert(series, info);
		}
		let kept: BoundedVec<VolEntry, T::MaxVolOrdersPerSeries> = BoundedVec::truncate_from(
			entries.iter().filter(|e| still.binary_search(&e.id).is_ok()).copied().collect(),
		);
		let n = u32::try_from(kept.len()).unwrap_or(u32::MAX);
		if kept.is_empty() {
			VolOrders::<T>::remove(series);
		} else if kept.len() != entries.len() {
			VolOrders::<T>::insert(series, kept);
		}
		Ok(n)
	}

	/// Set the new prices of `book`'s volatility-priced orders (`prices`: index and new price,
	/// `None` to cancel it, `VolatilityUnpriced`), moving each owner's reserved premium with
	/// its price, and put the side back in price-then-id order. Returns whether the side
	/// changed (the caller writes it).
	fn apply_prices(
		info: &mut SeriesInfo,
		series: SeriesId,
		side: Side,
		book: &mut BookSideOf<T>,
		prices: &[(usize, Option<Balance>)],
	) -> Result<bool, DispatchError> {
		let mut changed = false;
		for (i, p) in prices {
			let Some(p) = p else { continue };
			let o = book.get_mut(*i).ok_or(Error::<T>::UnknownOrder)?;
			if o.price == *p {
				continue;
			}
			let (old, remaining) = (o.price, o.remaining);
			o.price = *p;
			let owner = o.owner.clone();
			Self::mutate_entry(series, &owner, |e| {
				Self::adjust_exposure(e, side, old, remaining, false)?;
				Self::adjust_exposure(e, side, *p, remaining, true)
			})?;
			changed = true;
		}
		// Cancelled from the back, so that the indices before stay valid.
		for (i, p) in prices.iter().rev() {
			if p.is_none() {
				Self::cancel_in_book(
					info,
					series,
					side,
					book,
					*i,
					CancelReason::VolatilityUnpriced,
				)?;
				changed = true;
			}
		}
		if changed {
			Self::sort_side(side, book);
		}
		Ok(changed)
	}

	/// Put `book` (a side of `side`) in price-then-id order: a better price first, then the
	/// older order.
	pub(crate) fn sort_side(side: Side, book: &mut BookSideOf<T>) {
		book.sort_by(|a, b| {
			let by_price = match side {
				Side::Buy => b.price.cmp(&a.price),
				Side::Sell => a.price.cmp(&b.price),
			};
			by_price.then(a.id.cmp(&b.id))
		});
	}

	/// Whether order `id` of `series` is volatility-priced (one read).
	pub(crate) fn is_vol_order(series: SeriesId, id: OrderId) -> bool {
		VolOrders::<T>::get(series).is_some_and(|l| l.binary_search_by_key(&id, |e| e.id).is_ok())
	}
}
