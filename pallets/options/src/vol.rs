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
//! live premium-priced bid; then bids at least a tick below the best live ask
//! (volatility-priced asks included), so volatility-priced orders do not cross each other
//! either (a bid at a higher volatility than an ask may rest below it at placement: rounding
//! to the tick can put both premiums on one side of a tick; the clamp keeps it below later).
//! Live: not past its good-till, the rule of the post-only check and of `try_state`. A bid
//! kept below a one-tick ask, or rounded down to zero, is cancelled (`VolatilityUnpriced`), as
//! is every volatility-priced order of a series that cannot be priced (no fresh index price):
//! none ever fills at a stale premium. One past its good-till is cancelled
//! (`GoodTillReached`).
//!
//! **Rounding in time.** The model takes whole seconds: with a fraction of a second to expiry
//! the margin pallet prices both whole seconds around it and takes the owner's side.
//!
//! **Margin.** Repricing moves the owner's reserved premium of the order
//! (`AccountSeries::{buy,sell}_premium`) with its price, so the margin engine reserves each
//! order at the block's premium. It happens before any transaction of the block, so before
//! any account of the block is stamped warm.
//!
//! **Bounded work.** At most `MaxVolOrders` orders in at most `MaxVolSeries` series: the
//! weight of pricing them all is reserved in `on_initialize` from the stored counts. The places
//! are shared, so each costs capital (`MinVolOrderPremium` of premium at placement, and the
//! margin that needs) and one account holds at most `MaxVolOrdersPerAccount`.

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

/// A series' list of volatility-priced orders.
pub(crate) type VolListOf<T> = BoundedVec<
	VolEntry<<T as frame_system::Config>::AccountId>,
	<T as crate::Config>::MaxVolOrdersPerSeries,
>;

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
	/// Weight charged up front for `place_vol_order(req)`: its own work (pricing, the
	/// volatility list and counters), counting the series' gone orders out, and a post-only
	/// placement.
	pub fn declared_vol_order_weight(req: &VolOrderRequest) -> Weight {
		Self::vol_order_extra_weight()
			.saturating_add(Self::vol_prune_weight(T::MaxVolOrdersPerSeries::get()))
			.saturating_add(Self::declared_place_weight(&Self::vol_as_order(req, 0)))
	}

	/// `place_vol_order`'s work beyond the post-only placement: what its benchmark (the
	/// whole call: the pricing, the series, `VolOrders` and its counter, `VolOrderCount`, the
	/// caller's count) measures beyond `place_order(0)`.
	pub(crate) fn vol_order_extra_weight() -> Weight {
		T::WeightInfo::place_vol_order().saturating_sub(Self::place_steps_weight(0))
	}

	/// Counting out the entries of a series whose orders left the book, `gone` of them: its
	/// two sides read, its list, `VolOrderCount` and the map's counter (a list emptied)
	/// written, each gone entry's owner count read and written.
	pub(crate) fn vol_prune_weight(gone: u32) -> Weight {
		T::DbWeight::get()
			.reads_writes(3, 3)
			.saturating_add(T::DbWeight::get().reads_writes(gone.into(), gone.into()))
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

	/// Whether `who` may add a volatility-priced order to `series` (reads the list's length,
	/// the counts).
	fn vol_room(series: SeriesId, who: &T::AccountId) -> bool {
		let in_series = match VolOrders::<T>::decode_len(series) {
			Some(n) => (n as u32) < T::MaxVolOrdersPerSeries::get(),
			None => VolOrders::<T>::count() < T::MaxVolSeries::get(),
		};
		in_series
			&& VolOrderCount::<T>::get() < T::MaxVolOrders::get()
			&& VolOrdersOf::<T>::get(who) < T::MaxVolOrdersPerAccount::get()
	}

	/// `place_vol_order`'s work. Returns the new order's id and the weight used.
	pub(crate) fn do_place_vol_order(
		who: &T::AccountId,
		req: VolOrderRequest,
	) -> Result<(OrderId, Weight), DispatchErrorWithPostInfo> {
		let mut extra = Self::vol_order_extra_weight();
		let fail = |e: Error<T>, w: Weight| e.with_weight(w);
		ensure!(
			req.volatility >= MIN_ORDER_VOLATILITY && req.volatility <= MAX_ORDER_VOLATILITY,
			fail(Error::<T>::InvalidVolatility, extra)
		);
		ensure!(req.time_in_force.rests(), fail(Error::<T>::InvalidTimeInForce, extra));
		ensure!(
			req.quantity > 0 && req.quantity <= T::MaxOrderQuantity::get(),
			fail(Error::<T>::InvalidQuantity, extra)
		);
		let info = Series::<T>::get(req.series).ok_or(fail(Error::<T>::UnknownSeries, extra))?;
		Self::ensure_trading(&info).map_err(|e| e.with_weight(extra))?;
		let premium =
			T::Margin::contract_premiums(&info.terms, &[(req.volatility, vol_rounding(req.side))])
				.and_then(|p| p.first().copied())
				.ok_or(fail(Error::<T>::VolatilityUnpriced, extra))?;
		let price = on_tick(req.side, premium, info.price_tick)
			.filter(|p| *p > 0)
			.ok_or(fail(Error::<T>::VolatilityUnpriced, extra))?;
		let value = Self::premium(price, req.quantity).map_err(|e| e.with_weight(extra))?;
		ensure!(value >= T::MinVolOrderPremium::get(), fail(Error::<T>::VolOrderTooSmall, extra));
		// Full: the series' orders that left the book (a maker refreshing its board in one
		// block) are counted out first.
		if !Self::vol_room(req.series, who) {
			let gone = Self::prune_vol_series(req.series);
			extra = extra.saturating_add(Self::vol_prune_weight(gone));
			ensure!(Self::vol_room(req.series, who), fail(Error::<T>::VolOrdersFull, extra));
		}
		let (order_id, out) =
			Self::do_place_order(who, Self::vol_as_order(&req, price)).map_err(|mut e| {
				e.post_info.actual_weight =
					e.post_info.actual_weight.map(|w| w.saturating_add(extra));
				e
			})?;
		let used = extra.saturating_add(Self::actual_place_weight(&out));
		// The new id is the largest: pushed, the list stays in id order.
		let mut list = VolOrders::<T>::get(req.series).unwrap_or_default();
		list.try_push(VolEntry { id: order_id, owner: who.clone(), volatility: req.volatility })
			.map_err(|_| Error::<T>::VolOrdersFull.with_weight(used))?;
		VolOrders::<T>::insert(req.series, list);
		VolOrderCount::<T>::mutate(|n| *n = n.saturating_add(1));
		VolOrdersOf::<T>::mutate(who, |n| *n = n.saturating_add(1));
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

	/// The ids of the orders resting in `books` (both sides of a series), sorted.
	fn resting_ids(books: [&BookSideOf<T>; 2]) -> Vec<OrderId> {
		let mut ids: Vec<OrderId> = books.iter().flat_map(|b| b.iter().map(|o| o.id)).collect();
		ids.sort_unstable();
		ids
	}

	/// Keep `series`' entries whose order is among `resting` (sorted ids): the others are
	/// counted out of `VolOrderCount` and their owners' counts. Writes the list (removed when
	/// empty) if it changed; returns how many are left and how many went.
	fn keep_vol_entries(
		series: SeriesId,
		entries: VolListOf<T>,
		resting: &[OrderId],
	) -> (u32, u32) {
		let before = entries.len();
		let (kept, gone): (Vec<_>, Vec<_>) =
			entries.into_iter().partition(|e| resting.binary_search(&e.id).is_ok());
		for e in gone.iter() {
			VolOrdersOf::<T>::mutate_exists(&e.owner, |n| {
				let left = n.unwrap_or(0).saturating_sub(1);
				*n = (left > 0).then_some(left);
			});
		}
		let gone_n = u32::try_from(gone.len()).unwrap_or(u32::MAX);
		if gone_n > 0 {
			VolOrderCount::<T>::mutate(|n| *n = n.saturating_sub(gone_n));
		}
		let left = u32::try_from(kept.len()).unwrap_or(u32::MAX);
		if kept.is_empty() {
			VolOrders::<T>::remove(series);
		} else if kept.len() != before {
			VolOrders::<T>::insert(series, BoundedVec::truncate_from(kept));
		}
		(left, gone_n)
	}

	/// Count out `series`' entries whose orders left the book. Returns how many went.
	pub(crate) fn prune_vol_series(series: SeriesId) -> u32 {
		let Some(entries) = VolOrders::<T>::get(series) else { return 0 };
		let (bids, asks) =
			(Books::<T>::get(series, Side::Buy), Books::<T>::get(series, Side::Sell));
		Self::keep_vol_entries(series, entries, &Self::resting_ids([&bids, &asks])).1
	}

	/// The weight of pricing again `orders` volatility-priced orders in `series` series: the
	/// benchmark (storage and execution), one pricing call per series (its fixed part) and
	/// one volatility priced per order (`contract_premiums_weight` counts the two evaluations
	/// a fraction of a second needs), and the good-till index entry of each order cancelled.
	pub fn reprice_weight(series: u32, orders: u32) -> Weight {
		T::WeightInfo::reprice_vol_orders(series, orders)
			.saturating_add(T::Margin::contract_premiums_weight(0).saturating_mul(series.into()))
			.saturating_add(T::Margin::contract_premiums_weight(orders))
			.saturating_sub(T::Margin::contract_premiums_weight(0))
			.saturating_add(Self::unlink_weight().saturating_mul(orders.into()))
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
	/// indexes, which `try_state` reports) changes nothing and keeps its orders at their last
	/// premium.
	pub(crate) fn reprice_vol_orders() {
		if VolOrders::<T>::count() == 0 {
			return;
		}
		let all: Vec<(SeriesId, VolListOf<T>)> = VolOrders::<T>::iter().collect();
		for (series, entries) in all {
			let done = with_transaction(|| match Self::reprice_series(series, entries) {
				Ok(()) => TransactionOutcome::Commit(Ok(())),
				Err(e) => TransactionOutcome::Rollback(Err(e)),
			});
			if let Err(e) = done {
				log::error!(
					target: crate::LOG_TARGET,
					"repricing the volatility orders of series {series} failed: {e:?}"
				);
			}
		}
	}

	/// Price `series`' volatility-priced orders again.
	fn reprice_series(series: SeriesId, entries: VolListOf<T>) -> Result<(), DispatchError> {
		let mut asks = Books::<T>::get(series, Side::Sell);
		let mut bids = Books::<T>::get(series, Side::Buy);
		let info = Series::<T>::get(series);
		// An expired (or unknown) series' orders are removed with it; they cannot trade.
		let Some(mut info) = info.filter(|i| Self::ensure_trading(i).is_ok()) else {
			Self::keep_vol_entries(series, entries, &[]);
			return Ok(());
		};
		let vol_of = |id: OrderId| -> Option<Price> {
			entries
				.binary_search_by_key(&id, |e| e.id)
				.ok()
				.and_then(|i| entries.get(i))
				.map(|e| e.volatility)
		};
		let (block, now) = (Self::block_now(), Self::now());
		let live = |o: &BookOrder<T::AccountId>| !Self::is_past(o.good_till, block, now);
		// What to price: each live order's (volatility, rounding) once.
		let mut wanted: Vec<(Price, PremiumRounding)> = Vec::new();
		for (side, book) in [(Side::Sell, &asks), (Side::Buy, &bids)] {
			for o in book.iter().filter(|o| live(o)) {
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
		// The new price of each volatility-priced order of a side (`Err`: cancelled, why).
		type Priced = Vec<(usize, Result<Balance, CancelReason>)>;
		let price_side = |side: Side, book: &BookSideOf<T>, bound: &dyn Fn(Balance) -> Balance| {
			book.iter()
				.enumerate()
				.filter_map(|(i, o)| {
					let v = vol_of(o.id)?;
					if !live(o) {
						return Some((i, Err(CancelReason::GoodTillReached)));
					}
					let p = premium_of(side, v)
						.and_then(|p| on_tick(side, p, tick))
						.map(bound)
						.filter(|p| *p > 0)
						.ok_or(CancelReason::VolatilityUnpriced);
					Some((i, p))
				})
				.collect::<Priced>()
		};
		// Asks: at least a tick above the best live premium-priced bid.
		let floor = bids
			.iter()
			.find(|o| live(o) && vol_of(o.id).is_none())
			.map(|o| o.price.saturating_add(tick))
			.unwrap_or(0);
		let ask_prices = price_side(Side::Sell, &asks, &|p| p.max(floor));
		let mut moved: Vec<(OrderId, Balance)> = Vec::new();
		let ask_changed =
			Self::apply_prices(&mut info, series, Side::Sell, &mut asks, &ask_prices, &mut moved)?;
		// Bids: at least a tick below the best live ask, premium- or volatility-priced (a bid
		// that cannot be is cancelled).
		let ceiling = asks
			.iter()
			.find(|o| live(o))
			.map(|o| o.price.saturating_sub(tick))
			.unwrap_or(Balance::MAX);
		let bid_prices = price_side(Side::Buy, &bids, &|p| p.min(ceiling));
		let bid_changed =
			Self::apply_prices(&mut info, series, Side::Buy, &mut bids, &bid_prices, &mut moved)?;
		let cancelled = ask_prices.iter().chain(bid_prices.iter()).any(|(_, p)| p.is_err());
		let resting = Self::resting_ids([&asks, &bids]);
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
		Self::keep_vol_entries(series, entries, &resting);
		if !moved.is_empty() {
			moved.sort_unstable();
			Self::deposit_event(Event::VolOrdersRepriced {
				series,
				prices: BoundedVec::truncate_from(moved),
			});
		}
		Ok(())
	}

	/// Set the new prices of `book`'s volatility-priced orders (`prices`: index and new
	/// price, or why it is cancelled), moving each owner's reserved premium with its price
	/// (each move noted in `moved`), and put the side back in price-then-id order. Returns
	/// whether the side changed (the caller writes it).
	fn apply_prices(
		info: &mut SeriesInfo,
		series: SeriesId,
		side: Side,
		book: &mut BookSideOf<T>,
		prices: &[(usize, Result<Balance, CancelReason>)],
		moved: &mut Vec<(OrderId, Balance)>,
	) -> Result<bool, DispatchError> {
		let mut changed = false;
		for (i, p) in prices {
			let Ok(p) = p else { continue };
			let o = book.get_mut(*i).ok_or(Error::<T>::UnknownOrder)?;
			if o.price == *p {
				continue;
			}
			let (old, remaining) = (o.price, o.remaining);
			o.price = *p;
			moved.push((o.id, *p));
			let owner = o.owner.clone();
			Self::mutate_entry(series, &owner, |e| {
				Self::adjust_exposure(e, side, old, remaining, false)?;
				Self::adjust_exposure(e, side, *p, remaining, true)
			})?;
			changed = true;
		}
		// Cancelled from the back, so that the indices before stay valid; a good-till order's
		// index entry goes with it.
		for (i, p) in prices.iter().rev() {
			if let Err(reason) = p {
				if let Some(o) = book.get(*i) {
					Self::unindex_good_till(o);
				}
				Self::cancel_in_book(info, series, side, book, *i, *reason)?;
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
