//! Mass quote: a market maker replaces its bids and asks in many series in one call, with one
//! margin evaluation for the call.

use crate::{
	book::{crosses, has_room_for},
	pallet::*,
	types::*,
	weights::WeightInfo,
};
use alloc::vec::Vec;
use frame_support::{
	dispatch::{DispatchErrorWithPostInfo, WithPostDispatchInfo},
	pallet_prelude::*,
	traits::Get,
	weights::Weight,
};
use optionchain_primitives::{
	exchange::{MarginAccounts, MarginCheckError, QuoteChange, SeriesId, Side},
	UnderlyingId,
};

/// Index of a side in the per-request arrays.
fn slot(side: Side) -> usize {
	match side {
		Side::Buy => 0,
		Side::Sell => 1,
	}
}

impl<T: Config> Pallet<T> {
	/// Number of legs (sides given) of a call.
	fn legs_of(quotes: &[QuoteRequest]) -> u32 {
		quotes.iter().fold(0u32, |n, q| {
			n.saturating_add(u32::from(q.bid.is_some()))
				.saturating_add(u32::from(q.ask.is_some()))
		})
	}

	/// Weight of `depth` further orders on the book sides a call reads: the slope of the
	/// `quote_depth` benchmark (one leg on a side holding `d` others' orders).
	fn depth_weight(depth: u32) -> Weight {
		T::WeightInfo::quote_depth(depth).saturating_sub(T::WeightInfo::quote_depth(0))
	}

	/// Weight of a call that did `o` (its legs, cancelled orders, depth, one-sided requests
	/// and evictions; the check is added by the caller): the benchmark (each leg cancels the
	/// caller's only order on its side and rests a new one, the first side holds the further
	/// orders, cancelled with it; its margin check at the benchmark's portfolio), the others'
	/// orders on the sides read, the opposite side's read of each one-sided request that rests
	/// something, a `cancel_order` for each order a new one evicted from a full side, and the
	/// read of the caller's void entry (whether an order it would keep was voided), which the
	/// benchmark does not make (its legs never keep an order).
	fn quote_weight(o: &QuoteOutcome) -> Weight {
		let legs = o.legs.min(T::MaxQuoteLegs::get());
		let extra = o.cancelled.min(T::MaxOrdersPerAccount::get()).saturating_sub(legs);
		T::WeightInfo::quote(legs, extra)
			.saturating_add(Self::depth_weight(o.depth))
			.saturating_add(Self::cancel_weight().saturating_mul(u64::from(o.evicted)))
			.saturating_add(Self::unlink_weight().saturating_mul(u64::from(o.unindexed)))
			.saturating_add(T::DbWeight::get().reads(u64::from(o.one_sided).saturating_add(1)))
			// The benchmark writes the caller's position entry once per two legs (its requests
			// are two-sided); a one-sided request writes it for its one leg.
			.saturating_add(T::DbWeight::get().writes(o.one_sided.into()))
			.saturating_add(Self::mmp_read_weight().saturating_mul(o.mmp_reads.into()))
			.saturating_add(T::DbWeight::get().reads(o.vol_reads.into()))
			.saturating_add(T::DbWeight::get().writes(o.series_written.into()))
	}

	/// The most a call of `quotes` may do: cancel as many of the caller's orders as an account
	/// may hold and read two full book sides per request.
	fn worst_outcome(quotes: &[QuoteRequest]) -> QuoteOutcome {
		let requests = u32::try_from(quotes.len()).unwrap_or(u32::MAX);
		QuoteOutcome {
			legs: Self::legs_of(quotes),
			cancelled: T::MaxOrdersPerAccount::get(),
			depth: requests.saturating_mul(2).saturating_mul(T::MaxOrdersPerSide::get()),
			one_sided: Self::one_sided_of(quotes),
			evicted: Self::legs_of(quotes),
			unindexed: T::MaxOrdersPerAccount::get(),
			mmp_reads: requests,
			vol_reads: Self::legs_of(quotes),
			series_written: requests,
			..Default::default()
		}
	}

	/// Requests of `quotes` with exactly one leg.
	fn one_sided_of(quotes: &[QuoteRequest]) -> u32 {
		let n = quotes.iter().filter(|q| q.bid.is_some() != q.ask.is_some()).count();
		u32::try_from(n).unwrap_or(u32::MAX)
	}

	/// Weight charged up front for `quote(quotes)`: its legs, the cancellation of as many of
	/// the caller's orders as an account may hold, full book sides, and a margin check at the
	/// maximum portfolio.
	pub fn declared_quote_weight(quotes: &[QuoteRequest]) -> Weight {
		let requests = u32::try_from(quotes.len()).unwrap_or(u32::MAX);
		// A warm caller whose recorded spare falls short is checked on its series first.
		Self::quote_weight(&Self::worst_outcome(quotes))
			.saturating_add(Self::extra_check_weight(T::Margin::margin_check_weight()))
			.saturating_add(T::Margin::quote_margin_warm_weight(requests))
	}

	/// Weight of what a `quote` call did.
	pub fn actual_quote_weight(o: &QuoteOutcome) -> Weight {
		Self::quote_weight(o).saturating_add(o.margin_weight)
	}

	/// The part of a check of the caller's portfolio (weighing `check`) beyond the benchmark's
	/// that a call pays: the benchmark's check has one quoted entry; the reads of the other
	/// `quoted_held - 1` quoted series that the caller holds are overlay hits.
	pub fn quote_check_weight(check: Weight, quoted_held: u32) -> Weight {
		let again = u64::from(quoted_held.saturating_sub(1)).saturating_mul(2);
		Self::extra_check_weight(check).saturating_sub(T::DbWeight::get().reads(again))
	}

	/// Checks the call's shape and every request (nothing is written); returns each request's
	/// series and the number of legs. An error carries the reads made.
	fn validate_quote(
		quotes: &[QuoteRequest],
	) -> Result<(Vec<SeriesInfo>, u32), DispatchErrorWithPostInfo> {
		let nothing = Weight::zero();
		ensure!(!quotes.is_empty(), Error::<T>::EmptyQuote.with_weight(nothing));
		ensure!(
			quotes.iter().all(|q| q.bid.is_some() || q.ask.is_some()),
			Error::<T>::EmptyQuote.with_weight(nothing)
		);
		let legs = Self::legs_of(quotes);
		ensure!(legs <= T::MaxQuoteLegs::get(), Error::<T>::TooManyQuoteLegs.with_weight(nothing));
		// At most `MaxQuoteLegs` requests (each has a leg).
		let mut ids: Vec<SeriesId> = quotes.iter().map(|q| q.series).collect();
		ids.sort_unstable();
		ensure!(
			ids.windows(2).all(|w| w.first() != w.get(1)),
			Error::<T>::DuplicateQuoteSeries.with_weight(nothing)
		);
		let mut infos = Vec::with_capacity(quotes.len());
		for (read, q) in (1u64..).zip(quotes.iter()) {
			let used = T::DbWeight::get().reads(read);
			let info =
				Series::<T>::get(q.series).ok_or(Error::<T>::UnknownSeries.with_weight(used))?;
			Self::ensure_trading(&info).map_err(|e| e.with_weight(used))?;
			for leg in [q.bid, q.ask].into_iter().flatten() {
				ensure!(
					leg.quantity >= 0 && leg.quantity <= T::MaxOrderQuantity::get(),
					Error::<T>::InvalidQuantity.with_weight(used)
				);
				Self::ensure_on_tick(&info, leg.price).map_err(|e| e.with_weight(used))?;
			}
			if let (Some(bid), Some(ask)) = (q.bid, q.ask) {
				ensure!(
					bid.quantity == 0 || ask.quantity == 0 || bid.price < ask.price,
					Error::<T>::CrossedQuote.with_weight(used)
				);
			}
			infos.push(info);
		}
		Ok((infos, legs))
	}

	/// `quote` (see the call's documentation). Must run inside a storage transaction (every
	/// extrinsic does): an error undoes every leg.
	pub(crate) fn do_quote(
		who: &T::AccountId,
		quotes: &[QuoteRequest],
	) -> Result<QuoteOutcome, DispatchErrorWithPostInfo> {
		let (infos, legs) = Self::validate_quote(quotes)?;
		let mut out = QuoteOutcome { legs, ..Default::default() };
		// Once legs are applied, a failure inside a leg is charged the worst case of the
		// call's legs (without a check); a failed check, the legs as done and a full check.
		let worst = Self::quote_weight(&Self::worst_outcome(quotes));
		let mut rested = false;
		// The caller's market-maker protection, read once per underlying quoted.
		let mut protections: Vec<(UnderlyingId, Option<MmpState>)> = Vec::new();
		// Each quoted series' entry before and after: a warm caller is checked on them alone.
		let mut changes: Vec<QuoteChange> = Vec::with_capacity(quotes.len());
		for (q, mut info) in quotes.iter().zip(infos) {
			let entry_before = Positions::<T>::get(q.series, who).unwrap_or_default();
			let underlying = info.terms.underlying;
			let protection = match protections.iter().find(|(u, _)| *u == underlying) {
				Some((_, p)) => *p,
				None => {
					let p = Self::mmp_state(who, underlying);
					out.mmp_reads = out.mmp_reads.saturating_add(1);
					protections.push((underlying, p));
					p
				},
			};
			let before = info;
			let applied = Self::quote_series(who, q, &mut info, protection.as_ref(), &mut out)
				.map_err(|e| e.with_weight(worst))?;
			let entry_after = Positions::<T>::get(q.series, who).unwrap_or_default();
			changes.push(QuoteChange {
				terms: info.terms,
				net: entry_after.net,
				before: Self::exposure_of(q.series, info.terms, &entry_before),
				after: Self::exposure_of(q.series, info.terms, &entry_after),
			});
			rested |= applied.rested;
			if applied.touched && Positions::<T>::contains_key(q.series, who) {
				out.quoted_held = out.quoted_held.saturating_add(1);
			}
			// A request that replaces each of the caller's orders with one leaves the series'
			// count of resting orders, hence its entry, as it was.
			if info != before {
				Series::<T>::insert(q.series, info);
				out.series_written = out.series_written.saturating_add(1);
			}
		}
		// One evaluation for the call, if it rested anything new (pulling or shrinking orders
		// only lowers the requirement). Stale prices fail it (`PriceStale`).
		// A caller warm in this block (a market maker re-quoting) is checked on the quoted
		// series alone when its recorded spare covers the change; otherwise in full.
		if rested {
			let (decided, warm) = T::Margin::ensure_quote_margin_warm(who, &changes);
			if decided {
				// In place of the one-entry check the `quote` benchmark measured.
				out.margin_weight = Self::extra_check_weight(warm);
			} else {
				let w = T::Margin::ensure_initial_margin(who, true, None).map_err(|e| {
					let e: DispatchError = match e {
						MarginCheckError::BelowInitial => {
							Error::<T>::QuoteInsufficientMargin.into()
						},
						MarginCheckError::Other(e) => e,
					};
					let full = Self::extra_check_weight(T::Margin::margin_check_weight());
					e.with_weight(
						Self::quote_weight(&out).saturating_add(full).saturating_add(warm),
					)
				})?;
				out.margin_weight =
					Self::quote_check_weight(w, out.quoted_held).saturating_add(warm);
			}
		}
		Self::deposit_event(Event::Quoted { who: who.clone(), legs });
		Ok(out)
	}

	/// Applies one request to `info`'s series (the caller writes `info`): first each quoted
	/// side is cleared of the caller's orders (or its single order at the leg's price trimmed
	/// in place), then the new orders rest unless they would take or find their side full.
	/// Returns whether a new order rested and whether the caller's entry in the series was
	/// written; counts in `out` the caller's orders it cancelled and others' orders on the
	/// sides it read.
	fn quote_series(
		who: &T::AccountId,
		q: &QuoteRequest,
		info: &mut SeriesInfo,
		protection: Option<&MmpState>,
		out: &mut QuoteOutcome,
	) -> Result<AppliedRequest, DispatchError> {
		let series = q.series;
		let now = Self::block_now();
		// Frozen by the caller's market-maker protection: its legs pull, nothing rests.
		let frozen = protection.is_some_and(|p| Self::mmp_frozen(p, now));
		let mut applied = AppliedRequest::default();
		let mut books: [Option<BookSideOf<T>>; 2] = [None, None];
		let mut to_rest: [Option<QuoteLeg>; 2] = [None, None];
		for (side, leg) in [(Side::Buy, q.bid), (Side::Sell, q.ask)] {
			let Some(leg) = leg else { continue };
			let mut book = Books::<T>::get(series, side);
			let own: Vec<usize> = book
				.iter()
				.enumerate()
				.filter(|(_, o)| &o.owner == who)
				.map(|(i, _)| i)
				.collect();
			let others = book.len().saturating_sub(own.len());
			out.depth = out.depth.saturating_add(u32::try_from(others).unwrap_or(u32::MAX));
			let keep = match own.as_slice() {
				[i] => book.get(*i).is_some_and(|o| {
					leg.quantity > 0
						&& !o.reduce_only && o.price == leg.price
						&& leg.quantity <= o.remaining
						// A void order (its owner was liquidated since, or its protection
						// tripped) is replaced, not kept.
						&& !Self::is_void(o)
						&& !Self::mmp_void(protection, o.id, now)
						// A good-till-block order is not kept either: a quote rests till
						// cancelled.
						&& o.good_till.is_none()
				}),
				_ => false,
			};
			// Nor is a volatility-priced order: the leg's premium is fixed (one read, made
			// only for an order that would be kept).
			let keep = keep
				&& own.first().and_then(|i| book.get(*i)).is_some_and(|o| {
					out.vol_reads = out.vol_reads.saturating_add(1);
					!Self::is_vol_order(series, o.id)
				});
			if keep {
				if let Some(i) = own.first().copied() {
					applied.touched |= book.get(i).is_some_and(|o| o.remaining != leg.quantity);
					Self::trim_resting(series, side, &mut book, i, leg.quantity)?;
				}
			} else {
				// The caller's orders leave the side in one pass (each removal on its own would
				// shift the side again).
				if !own.is_empty() {
					let mut gone = Vec::with_capacity(own.len());
					book.retain(|o| {
						let mine = &o.owner == who;
						if mine {
							gone.push(o.clone());
						}
						!mine
					});
					for order in gone {
						if order.good_till.is_some() {
							Self::unindex_good_till(&order);
							out.unindexed = out.unindexed.saturating_add(1);
						}
						Self::unlink_order(info, series, side, &order)?;
						Self::deposit_event(Event::OrderCancelled {
							order_id: order.id,
							who: order.owner,
							series,
							remaining: order.remaining,
							reason: CancelReason::Requoted,
						});
						out.cancelled = out.cancelled.saturating_add(1);
					}
					applied.touched = true;
				}
				if leg.quantity > 0 {
					to_rest[slot(side)] = Some(leg);
				}
			}
			books[slot(side)] = Some(book);
		}
		if to_rest == [None, None] {
			// Pulls and trims only: nothing can cross.
			for side in [Side::Buy, Side::Sell] {
				if let Some(book) = books[slot(side)].take() {
					Self::write_book(series, side, book);
				}
			}
			return Ok(applied);
		}
		// The best price of each side once the caller's replaced orders are gone (a side not
		// quoted is read whole: one read more, its orders count towards the depth).
		let mut best = |side: Side, books: &[Option<BookSideOf<T>>; 2]| match &books[slot(side)] {
			Some(b) => Self::best_live(b),
			None => {
				let b = Books::<T>::get(series, side);
				out.one_sided = out.one_sided.saturating_add(1);
				out.depth = out.depth.saturating_add(u32::try_from(b.len()).unwrap_or(u32::MAX));
				Self::best_live(&b)
			},
		};
		let best = [best(Side::Buy, &books), best(Side::Sell, &books)];
		for side in [Side::Buy, Side::Sell] {
			let Some(leg) = to_rest[slot(side)] else { continue };
			let other = match side {
				Side::Buy => best[1],
				Side::Sell => best[0],
			};
			let skip = |reason| {
				Self::deposit_event(Event::QuoteLegSkipped {
					who: who.clone(),
					series,
					side,
					price: leg.price,
					reason,
				})
			};
			if frozen {
				skip(QuoteSkipReason::MmpFrozen);
				continue;
			}
			if other.is_some_and(|p| crosses(side, leg.price, p)) {
				skip(QuoteSkipReason::WouldTake);
				continue;
			}
			let Some(book) = books[slot(side)].as_mut() else { continue };
			if !has_room_for(book, side, leg.price) {
				skip(QuoteSkipReason::BookFull);
				continue;
			}
			let order_id = Self::next_order_id()?;
			let request = OrderRequest {
				series,
				side,
				price: leg.price,
				quantity: leg.quantity,
				time_in_force: TimeInForce::GoodTillCancelled,
				post_only: true,
				reduce_only: false,
			};
			Self::deposit_event(Event::OrderPlaced { order_id, who: who.clone(), request });
			let order = BookOrder {
				id: order_id,
				owner: who.clone(),
				price: leg.price,
				remaining: leg.quantity,
				reduce_only: false,
				good_till: None,
			};
			// A full side evicts its worst order for a better price.
			if Self::insert_resting(info, series, side, book, order)? {
				out.evicted = out.evicted.saturating_add(1);
			}
			Self::deposit_event(Event::OrderRested { order_id, series, remaining: leg.quantity });
			applied.rested = true;
			applied.touched = true;
		}
		for side in [Side::Buy, Side::Sell] {
			if let Some(book) = books[slot(side)].take() {
				Self::write_book(series, side, book);
			}
		}
		Ok(applied)
	}
}

/// What one request of a `quote` did.
#[derive(Default)]
struct AppliedRequest {
	/// A new order rested.
	rested: bool,
	/// The caller's entry in the series was written (an order cancelled, trimmed or rested).
	touched: bool,
}
