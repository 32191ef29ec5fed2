//! Book and account bookkeeping: book-side ordering, the per-account order lists (with each order's place)
//! and per-(series, account) aggregates. Every helper keeps all of them consistent.

use crate::{pallet::*, types::*};
use frame_support::{ensure, pallet_prelude::*, traits::Contains};
use optionchain_primitives::exchange::{Balance, Contracts, MarginAccounts, SeriesId, Side};

/// The other side.
pub(crate) fn opposite(side: Side) -> Side {
	match side {
		Side::Buy => Side::Sell,
		Side::Sell => Side::Buy,
	}
}

/// Whether an incoming order on `taker_side` at `taker_price` trades with a resting order at
/// `maker_price`.
pub(crate) fn crosses(taker_side: Side, taker_price: Balance, maker_price: Balance) -> bool {
	match taker_side {
		Side::Buy => maker_price <= taker_price,
		Side::Sell => maker_price >= taker_price,
	}
}

/// Whether a resting order at `a` on `side` has strictly better price priority than one at `b`.
pub(crate) fn better_price(side: Side, a: Balance, b: Balance) -> bool {
	match side {
		Side::Buy => a > b,
		Side::Sell => a < b,
	}
}

/// Whether a new order at `price` can rest on `book` (a side of `side`): the side has room, or
/// the price is strictly better than its worst order (which is then evicted).
pub(crate) fn has_room_for<A, S: Get<u32>>(
	book: &BoundedVec<BookOrder<A>, S>,
	side: Side,
	price: Balance,
) -> bool {
	!book.is_full() || book.last().is_some_and(|worst| better_price(side, price, worst.price))
}

/// Contracts by which an order on `side` may reduce a position `net` (0 if it would increase).
pub(crate) fn reducible(side: Side, net: Contracts) -> Contracts {
	match side {
		Side::Buy => net.checked_neg().unwrap_or(Contracts::MAX).max(0),
		Side::Sell => net.max(0),
	}
}

impl<T: Config> Pallet<T> {
	/// Net position of `who` in `series` (0 if none).
	pub fn net_position(series: SeriesId, who: &T::AccountId) -> Contracts {
		Positions::<T>::get(series, who).map(|e| e.net).unwrap_or(0)
	}

	/// Read-modify-write of `who`'s entry in `series`, keeping the account's series index and
	/// its margin ledger's list of series with a position in sync: the entry is created on
	/// demand (failing with `TooManySeriesForAccount` if the index is full) and removed once
	/// empty; a position opened in a series is noted to the margin pallet (failing with its
	/// `TooManyPositionSeries` beyond the account's cap) and a position closed is too.
	pub(crate) fn mutate_entry<R>(
		series: SeriesId,
		who: &T::AccountId,
		f: impl FnOnce(&mut AccountSeries) -> Result<R, DispatchError>,
	) -> Result<R, DispatchError> {
		let existing = Positions::<T>::get(series, who);
		let existed = existing.is_some();
		let mut entry = existing.unwrap_or_default();
		let was_held = existing.as_ref().is_some_and(|e| e.net != 0);
		let r = f(&mut entry)?;
		let held = entry.net != 0;
		// Both caps are checked before anything is written (an uncapped account's are the
		// live series and what its margin ledger entry can list).
		let uncapped = T::UncappedAccounts::contains(who);
		let cap = |c: u32| if uncapped { T::MaxLiveSeries::get() } else { c };
		let len = |l: Option<usize>| u32::try_from(l.unwrap_or(0)).unwrap_or(u32::MAX);
		let position_cap =
			cap(T::MaxPositionSeriesPerAccount::get()).min(T::Margin::max_position_series());
		if held && !was_held {
			// The margin ledger entry this reads is read and written in every fill anyway.
			ensure!(
				len(Some(T::Margin::position_series(who).len())) < position_cap,
				Error::<T>::TooManyPositionSeries
			);
		}
		if !existed && !entry.is_empty() {
			ensure!(
				len(AccountSeriesIndex::<T>::decode_len(who)) < cap(T::MaxSeriesPerAccount::get()),
				Error::<T>::TooManySeriesForAccount
			);
		}
		if held != was_held {
			// Within the cap checked above: writes nothing if it fails.
			T::Margin::note_position(who, series, held, position_cap)?;
		}
		if entry.is_empty() {
			if existed {
				Positions::<T>::remove(series, who);
				AccountSeriesIndex::<T>::mutate_exists(who, |idx| {
					if let Some(list) = idx {
						list.retain(|s| *s != series);
						if list.is_empty() {
							*idx = None;
						}
					}
				});
			}
		} else {
			if !existed {
				AccountSeriesIndex::<T>::try_mutate(who, |list| -> DispatchResult {
					let pos = list.partition_point(|s| *s < series);
					list.try_insert(pos, series)
						.map_err(|_| Error::<T>::TooManySeriesForAccount.into())
				})?;
			}
			Positions::<T>::insert(series, who, entry);
		}
		Ok(r)
	}

	/// Premium of `quantity` contracts at `price`.
	pub(crate) fn premium(price: Balance, quantity: Contracts) -> Result<Balance, DispatchError> {
		let q = Balance::try_from(quantity).map_err(|_| Error::<T>::Overflow)?;
		price.checked_mul(q).ok_or_else(|| Error::<T>::Overflow.into())
	}

	/// Add (`add = true`) or remove `quantity` contracts at `price` of resting exposure on
	/// `side` to/from an account entry.
	pub(crate) fn adjust_exposure(
		e: &mut AccountSeries,
		side: Side,
		price: Balance,
		quantity: Contracts,
		add: bool,
	) -> DispatchResult {
		let premium = Self::premium(price, quantity)?;
		let (contracts, prem) = match side {
			Side::Buy => (&mut e.buy_contracts, &mut e.buy_premium),
			Side::Sell => (&mut e.sell_contracts, &mut e.sell_premium),
		};
		if add {
			*contracts = contracts.checked_add(quantity).ok_or(Error::<T>::Overflow)?;
			*prem = prem.checked_add(premium).ok_or(Error::<T>::Overflow)?;
		} else {
			*contracts = contracts.checked_sub(quantity).ok_or(Error::<T>::Overflow)?;
			*prem = prem.checked_sub(premium).ok_or(Error::<T>::Overflow)?;
			ensure!(*contracts >= 0, Error::<T>::Overflow);
		}
		Ok(())
	}

	/// Put a new resting order into its book side (at its priority), its owner's order list, the
	/// owner's order list and the owner's aggregates. On a full side it evicts the worst order
	/// if the new one has a strictly better price (`BookFull` otherwise); returns whether it
	/// evicted one.
	pub(crate) fn add_resting(
		info: &mut SeriesInfo,
		series: SeriesId,
		side: Side,
		order: BookOrder<T::AccountId>,
	) -> Result<bool, DispatchError> {
		let mut book = Books::<T>::get(series, side);
		let evicted = Self::insert_resting(info, series, side, &mut book, order)?;
		Books::<T>::insert(series, side, book);
		Ok(evicted)
	}

	/// `add_resting` on a side already read (the caller writes it).
	pub(crate) fn insert_resting(
		info: &mut SeriesInfo,
		series: SeriesId,
		side: Side,
		book: &mut BookSideOf<T>,
		order: BookOrder<T::AccountId>,
	) -> Result<bool, DispatchError> {
		// A full side makes room by evicting its worst order (the last: worst price, newest)
		// for a strictly better price, so that far-away orders cannot lock a book.
		ensure!(has_room_for(book, side, order.price), Error::<T>::BookFull);
		let evicted = if book.is_full() {
			let last = book.len().checked_sub(1).ok_or(Error::<T>::BookFull)?;
			let gone = book.remove(last);
			Self::unindex_good_till(&gone);
			Self::unlink_order(info, series, side, &gone)?;
			Self::deposit_event(Event::OrderCancelled {
				order_id: gone.id,
				who: gone.owner.clone(),
				series,
				remaining: gone.remaining,
				reason: CancelReason::Evicted,
			});
			true
		} else {
			false
		};
		// Orders with a better price stay ahead, and so do older ones (smaller ids) at an equal
		// price: a queued order rests after the post-only orders and quotes of its block, some
		// of them newer.
		let pos = book.partition_point(|o| {
			better_price(side, o.price, order.price) || (o.price == order.price && o.id < order.id)
		});
		book.try_insert(pos, order.clone()).map_err(|_| Error::<T>::BookFull)?;
		// The list is kept in id (placement) order: a queued order rests after the post-only
		// orders and quotes its owner placed later in its block, so it is inserted, not pushed.
		AccountOrders::<T>::try_mutate(&order.owner, |list| {
			let at = list.partition_point(|r| r.id < order.id);
			list.try_insert(at, OrderRef { id: order.id, series, side })
				.map_err(|_| Error::<T>::TooManyOrders)
		})?;
		Self::mutate_entry(series, &order.owner, |e| {
			e.orders = e.orders.checked_add(1).ok_or(Error::<T>::Overflow)?;
			Self::adjust_exposure(e, side, order.price, order.remaining, true)
		})?;
		info.resting_orders = info.resting_orders.checked_add(1).ok_or(Error::<T>::Overflow)?;
		Ok(evicted)
	}

	/// A new order id (the global counter: smaller is older).
	pub(crate) fn next_order_id() -> Result<OrderId, DispatchError> {
		let id = NextOrderId::<T>::get();
		NextOrderId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		Ok(id)
	}

	/// Rest a new order of `who` (`add_resting`) and emit `OrderRested`; returns whether it
	/// evicted the side's worst order.
	#[allow(clippy::too_many_arguments)]
	pub(crate) fn rest_new_order(
		info: &mut SeriesInfo,
		who: &T::AccountId,
		order_id: OrderId,
		series: SeriesId,
		side: Side,
		price: Balance,
		remaining: Contracts,
		reduce_only: bool,
		good_till: Option<GoodTill>,
	) -> Result<bool, DispatchError> {
		let order = BookOrder {
			id: order_id,
			owner: who.clone(),
			price,
			remaining,
			reduce_only,
			good_till,
		};
		let evicted = Self::add_resting(info, series, side, order)?;
		if let Some(g) = good_till {
			Self::index_good_till(order_id, who, g.removal_block());
		}
		Self::deposit_event(Event::OrderRested { order_id, series, remaining });
		Ok(evicted)
	}

	/// Trim the resting order at `book[index]` to `to` contracts (at most its remaining; the
	/// caller writes the book): it keeps its place, its owner's aggregates release the cut, and
	/// `OrderReduced` is emitted. Nothing happens if `to` is its remaining.
	pub(crate) fn trim_resting(
		series: SeriesId,
		side: Side,
		book: &mut BookSideOf<T>,
		index: usize,
		to: Contracts,
	) -> DispatchResult {
		let o = book.get_mut(index).ok_or(Error::<T>::UnknownOrder)?;
		let cut = o.remaining.checked_sub(to).ok_or(Error::<T>::Overflow)?;
		if cut == 0 {
			return Ok(());
		}
		o.remaining = to;
		let (id, owner, price) = (o.id, o.owner.clone(), o.price);
		Self::mutate_entry(series, &owner, |e| Self::adjust_exposure(e, side, price, cut, false))?;
		Self::deposit_event(Event::OrderReduced { order_id: id, series, remaining: to });
		Ok(())
	}

	/// A limit price is a non-zero multiple of the series' price tick (`InvalidPrice`).
	pub(crate) fn ensure_on_tick(info: &SeriesInfo, price: Balance) -> DispatchResult {
		ensure!(
			price > 0 && info.price_tick > 0 && price.is_multiple_of(info.price_tick),
			Error::<T>::InvalidPrice
		);
		Ok(())
	}

	/// Bookkeeping of an order that has already been taken out of its book side (the caller
	/// writes the book): owner's order list, owner's aggregates (its `remaining` is
	/// released), series order count. (A good-till index entry stays: see
	/// [`Self::unindex_good_till`].)
	pub(crate) fn unlink_order(
		info: &mut SeriesInfo,
		series: SeriesId,
		side: Side,
		order: &BookOrder<T::AccountId>,
	) -> DispatchResult {
		AccountOrders::<T>::mutate_exists(&order.owner, |list| {
			if let Some(l) = list {
				l.retain(|r| r.id != order.id);
				if l.is_empty() {
					*list = None;
				}
			}
		});
		Self::mutate_entry(series, &order.owner, |e| {
			e.orders = e.orders.checked_sub(1).ok_or(Error::<T>::Overflow)?;
			Self::adjust_exposure(e, side, order.price, order.remaining, false)
		})?;
		info.resting_orders = info.resting_orders.checked_sub(1).ok_or(Error::<T>::Overflow)?;
		Ok(())
	}

	/// Remove a resting order that is held in memory at `book[index]` (the caller writes the
	/// book back) and emit `OrderCancelled` with `reason`.
	pub(crate) fn cancel_in_book(
		info: &mut SeriesInfo,
		series: SeriesId,
		side: Side,
		book: &mut BookSideOf<T>,
		index: usize,
		reason: CancelReason,
	) -> DispatchResult {
		ensure!(index < book.len(), Error::<T>::UnknownOrder);
		let order = book.remove(index);
		Self::unlink_order(info, series, side, &order)?;
		Self::deposit_event(Event::OrderCancelled {
			order_id: order.id,
			who: order.owner,
			series,
			remaining: order.remaining,
			reason,
		});
		Ok(())
	}

	/// Cancel one order by id on behalf of `who` (its owner).
	pub(crate) fn do_cancel_order(
		who: &T::AccountId,
		order_id: OrderId,
		reason: CancelReason,
	) -> DispatchResult {
		let loc = AccountOrders::<T>::get(who)
			.into_iter()
			.find(|r| r.id == order_id)
			.ok_or(Error::<T>::UnknownOrder)?;
		Self::cancel_listed(loc, reason)
	}

	/// Cancel the resting order `loc` of the caller's list (its series and side known: no
	/// search of the list).
	pub(crate) fn cancel_listed(loc: OrderRef, reason: CancelReason) -> DispatchResult {
		let order_id = loc.id;
		let mut info = Series::<T>::get(loc.series).ok_or(Error::<T>::UnknownSeries)?;
		let mut book = Books::<T>::get(loc.series, loc.side);
		let index = book.iter().position(|o| o.id == order_id).ok_or(Error::<T>::UnknownOrder)?;
		if let Some(order) = book.get(index) {
			Self::unindex_good_till(order);
		}
		Self::cancel_in_book(&mut info, loc.series, loc.side, &mut book, index, reason)?;
		Self::write_book(loc.series, loc.side, book);
		Series::<T>::insert(loc.series, info);
		Ok(())
	}

	/// Cancel all of `who`'s orders (on `series` only if given); returns how many were
	/// cancelled and how many of its orders were read but skipped (another series).
	pub(crate) fn do_cancel_all(
		who: &T::AccountId,
		series: Option<SeriesId>,
		reason: CancelReason,
	) -> Result<(u32, u32), DispatchError> {
		let refs = AccountOrders::<T>::get(who);
		let mut n = 0u32;
		let mut skipped = 0u32;
		for r in refs {
			if series.is_some_and(|s| s != r.series) {
				skipped = skipped.saturating_add(1);
				continue;
			}
			Self::cancel_listed(r, reason)?;
			n = n.saturating_add(1);
		}
		Ok((n, skipped))
	}

	/// Whether `order` was voided by a liquidation of its owner or by its owner's dead-man's
	/// switch (see [`VoidBefore`]). One read.
	pub(crate) fn is_void(order: &BookOrder<T::AccountId>) -> bool {
		VoidBefore::<T>::get(&order.owner).is_some_and(|before| order.id < before)
	}

	/// Void every resting order of `who` (its liquidation): none of them fills again, and they
	/// are removed lazily (see [`VoidBefore`]). Returns how many; emits `OrdersVoided` if any.
	/// Two reads and two writes (the entry and the event), whatever the number of orders.
	pub(crate) fn do_void_orders(who: &T::AccountId) -> u32 {
		let orders = Self::void_all_orders(who);
		if orders > 0 {
			Self::deposit_event(Event::OrdersVoided { who: who.clone(), orders });
		}
		orders
	}

	/// [`Self::do_void_orders`] without its event (a dead-man's switch reports its own). Two
	/// reads and one write.
	pub(crate) fn void_all_orders(who: &T::AccountId) -> u32 {
		let orders = AccountOrders::<T>::decode_len(who).unwrap_or(0);
		let orders = u32::try_from(orders).unwrap_or(u32::MAX);
		if orders == 0 {
			return 0;
		}
		VoidBefore::<T>::insert(who, NextOrderId::<T>::get());
		orders
	}

	/// `on_idle`: remove void orders (see [`VoidBefore`]), account by account in storage
	/// order, one order per item (each in its own storage layer), while `items` last and
	/// `remaining` allows; an account with none left loses its entry. An account whose order
	/// cannot be removed (logged; it would mean broken indexes) is passed over for this block,
	/// so that it cannot hold up the others. Returns `used` plus what it used.
	pub(crate) fn clear_void_orders(
		remaining: Weight,
		mut used: Weight,
		items: &mut u32,
	) -> Weight {
		let db = T::DbWeight::get();
		// The next entry (its key and value) and its owner's order list.
		let entry = db.reads(3);
		let order = Self::cancel_weight();
		let fits = |used: Weight, w: Weight| used.saturating_add(w).all_lte(remaining);
		// The iterator asks the state for the key after the previous one each time, so the
		// entries removed on the way do not disturb it; an account stays current while its
		// void orders are being removed.
		let mut entries = VoidBefore::<T>::iter_keys();
		let mut current: Option<T::AccountId> = None;
		while *items > 0 && fits(used, entry.saturating_add(order)) {
			used = used.saturating_add(entry);
			let Some(who) = current.take().or_else(|| entries.next()) else { break };
			let Some(before) = VoidBefore::<T>::get(&who) else { continue };
			match AccountOrders::<T>::get(&who).first().copied() {
				Some(first) if first.id < before => {
					let id = first.id;
					used = used.saturating_add(order);
					*items = items.saturating_sub(1);
					let r = frame_support::storage::with_storage_layer(|| {
						Self::cancel_listed(first, CancelReason::Voided)
					});
					match r {
						Ok(()) => current = Some(who),
						Err(e) => log::error!(
							target: crate::LOG_TARGET,
							"removing void order {id} of {who:?}: {e:?}"
						),
					}
				},
				// None left (orders are listed in placement order, so the void ones are a
				// prefix of the list).
				_ => {
					VoidBefore::<T>::remove(&who);
					used = used.saturating_add(db.writes(1));
				},
			}
		}
		used
	}

	/// Store a book side (removing the key when empty).
	pub(crate) fn write_book(series: SeriesId, side: Side, book: BookSideOf<T>) {
		if book.is_empty() {
			Books::<T>::remove(series, side);
		} else {
			Books::<T>::insert(series, side, book);
		}
	}
}
