//! `integrity_test` and `try_state`.
//!
//! The invariants are compiled for `try-runtime` builds and for native (`std`) builds, where the
//! unit tests and the runtime integration tests check them after every block; the production wasm
//! (`no_std`, no `try-runtime`) does not carry them.

use crate::pallet::*;
use frame_support::traits::Get;
use sp_arithmetic::Permill;

impl<T: Config> Pallet<T> {
	/// Sanity of the runtime configuration.
	pub(crate) fn do_integrity_test() {
		assert!(T::MaxLiveSeries::get() > 0, "MaxLiveSeries must be > 0");
		assert!(T::MaxOrdersPerSide::get() > 0, "MaxOrdersPerSide must be > 0");
		assert!(T::MaxOrdersPerAccount::get() > 0, "MaxOrdersPerAccount must be > 0");
		assert!(T::MaxSeriesPerAccount::get() > 0, "MaxSeriesPerAccount must be > 0");
		assert!(
			T::MaxPositionSeriesPerAccount::get() > 0
				&& T::MaxPositionSeriesPerAccount::get() <= T::MaxSeriesPerAccount::get(),
			"MaxPositionSeriesPerAccount must be in 1..=MaxSeriesPerAccount"
		);
		// The margin ledger entry lists an account's series with a position.
		assert!(
			T::MaxPositionSeriesPerAccount::get()
				<= <T::Margin as optionchain_primitives::exchange::MarginAccounts<_>>::max_position_series(),
			"MaxPositionSeriesPerAccount must be at most the margin ledger's max_position_series"
		);
		assert!(
			T::MaxSeriesPerAccount::get() <= T::MaxLiveSeries::get(),
			"MaxSeriesPerAccount must be at most MaxLiveSeries"
		);
		// Every series of an account holds a position or an order: more could never be used,
		// and every whole evaluation is charged at it.
		assert!(
			T::MaxSeriesPerAccount::get()
				<= T::MaxPositionSeriesPerAccount::get()
					.saturating_add(T::MaxOrdersPerAccount::get()),
			"MaxSeriesPerAccount must be at most MaxPositionSeriesPerAccount + MaxOrdersPerAccount"
		);
		assert!(T::MaxFillsPerOrder::get() > 0, "MaxFillsPerOrder must be > 0");
		assert!(T::MaxOrderQuantity::get() > 0, "MaxOrderQuantity must be > 0");
		assert!(T::MaxExpiryHorizon::get() > 0, "MaxExpiryHorizon must be > 0");
		assert!(T::UnitsPerUsd::get() > 0, "UnitsPerUsd must be > 0");
		assert!(T::MaxIdleItems::get() > 0, "MaxIdleItems must be > 0");
		assert!(T::MinBlockInterval::get() > 0, "MinBlockInterval must be > 0");
		assert!(T::MaxVolOrdersPerSeries::get() > 0, "MaxVolOrdersPerSeries must be > 0");
		assert!(T::MaxVolSeries::get() > 0, "MaxVolSeries must be > 0");
		assert!(T::MaxVolOrders::get() > 0, "MaxVolOrders must be > 0");
		assert!(T::MaxVolOrdersPerAccount::get() > 0, "MaxVolOrdersPerAccount must be > 0");
		assert!(
			T::FeeCap::get() <= Permill::from_rational(125u32, 1000u32),
			"FeeCap must be at most 12.5 %"
		);
	}
}

#[cfg(any(feature = "try-runtime", feature = "std", test))]
mod checks {
	use crate::{book::*, pallet::*, types::*};
	use alloc::collections::btree_map::BTreeMap;
	use frame_support::{ensure, traits::Get};
	use frame_system::pallet_prelude::BlockNumberFor;
	use optionchain_primitives::{
		exchange::{Balance, Contracts, MarginAccounts, SeriesId, Side},
		UnderlyingId,
	};
	use sp_runtime::TryRuntimeError;

	/// What the resting orders of one account in one series add up to: (orders, buy contracts,
	/// sell contracts, buy premium, sell premium), compared with its `Positions` entry.
	type Aggregates = (u32, Contracts, Contracts, Balance, Balance);

	/// Totals gathered while walking every series, checked against the global indexes.
	#[derive(Default)]
	struct Totals {
		series: u32,
		orders: u64,
		per_underlying: BTreeMap<UnderlyingId, Contracts>,
	}

	impl<T: Config> Pallet<T> {
		/// The invariants listed in the crate docs, one function per group:
		/// 1. every series is indexed (terms, live list), its book sides are in price-time
		///    priority on the tick and not crossed, every resting order is indexed, and its
		///    owner's aggregates match the book ([`Self::check_book`]);
		/// 2. positions: open interest = longs = shorts (unpaid shorts while settling)
		///    ([`Self::check_positions`]);
		/// 3. open interest per underlying is the sum over its series;
		/// 4. the owners' order lists hold exactly the resting orders, each with its place;
		/// 5. the per-account series index lists exactly the position entries, sorted;
		/// 6. the live list and the duplicate index hold exactly the series.
		pub fn do_try_state() -> Result<(), TryRuntimeError> {
			Self::check_listing_rules()?;
			// Every queued order is matched after its block's transactions: none waits for a
			// later block.
			ensure!(
				QueueLength::<T>::get() == 0
					&& QueuedOrders::<T>::iter_keys().next().is_none()
					&& QueuedPerAccount::<T>::iter_keys().next().is_none(),
				"an order is still queued after its block's transactions"
			);
			Self::check_cancel_schedules()?;
			Self::check_expiry_index()?;
			Self::check_mmp()?;
			Self::check_vol_orders()?;
			let mut totals = Totals::default();
			let mut agg: BTreeMap<(u32, T::AccountId), Aggregates> = BTreeMap::new();
			for (id, info) in Series::<T>::iter() {
				totals.series += 1;
				let t = info.terms;
				ensure!(
					SeriesByTerms::<T>::get((
						t.underlying,
						t.strike.into_inner(),
						t.expiry,
						t.kind
					)) == Some(id),
					"series missing from the duplicate index"
				);
				ensure!(
					LiveSeries::<T>::get().contains(&(t.expiry, id)),
					"series missing from LiveSeries"
				);
				totals.orders += u64::from(Self::check_book(id, &info, &mut agg)?);
				Self::check_positions(id, &info, &mut agg)?;
				*totals.per_underlying.entry(t.underlying).or_default() += info.open_interest;
			}
			ensure!(agg.is_empty(), "resting orders without an account entry");
			Self::check_underlying_open_interest(&totals.per_underlying)?;
			Self::check_order_indexes(totals.orders)?;
			Self::check_account_series_index()?;
			Self::check_series_indexes(totals.series)
		}

		/// Both sides of one series' book; adds each resting order to its owner's aggregates and
		/// returns the number of resting orders.
		fn check_book(
			id: u32,
			info: &SeriesInfo,
			agg: &mut BTreeMap<(u32, T::AccountId), Aggregates>,
		) -> Result<u32, TryRuntimeError> {
			let mut count: u32 = 0;
			let mut best = [None, None];
			for (k, side) in [Side::Buy, Side::Sell].into_iter().enumerate() {
				let book = Books::<T>::get(id, side);
				// Orders past their good-till block never fill: the live ones are not crossed.
				best[k] = Self::best_live(&book);
				for (i, o) in book.iter().enumerate() {
					ensure!(o.remaining > 0, "resting order with nothing left");
					ensure!(
						o.price > 0 && o.price % info.price_tick == 0,
						"resting price off the tick"
					);
					if let Some(prev) = i.checked_sub(1).and_then(|j| book.get(j)) {
						ensure!(
							better_price(side, prev.price, o.price)
								|| (prev.price == o.price && prev.id < o.id),
							"book side not in price-time priority"
						);
					}
					// Indexed under its removal block (a good-till-time order moved on by the
					// walk, under a later one).
					if let Some(g) = o.good_till {
						let indexed = match g {
							GoodTill::Block(_) => ExpiringOrders::<T>::get(g.removal_block(), o.id)
								.is_some_and(|w| w == o.owner),
							// (The walk only moves an entry to the next block.)
							GoodTill::Time { .. } => {
								let last =
									Self::block_now().saturating_add(1).max(g.removal_block());
								(g.removal_block()..=last).any(|at| {
									ExpiringOrders::<T>::get(at, o.id).is_some_and(|w| w == o.owner)
								})
							},
						};
						ensure!(indexed, "good-till order missing from the expiry index");
					}
					ensure!(
						AccountOrders::<T>::get(&o.owner).contains(&OrderRef {
							id: o.id,
							series: id,
							side
						}),
						"order missing from its owner's list, or listed elsewhere"
					);
					let premium =
						Self::premium(o.price, o.remaining).map_err(|_| "premium overflow")?;
					let a = agg.entry((id, o.owner.clone())).or_default();
					a.0 += 1;
					match side {
						Side::Buy => {
							a.1 += o.remaining;
							a.3 += premium;
						},
						Side::Sell => {
							a.2 += o.remaining;
							a.4 += premium;
						},
					}
					count += 1;
				}
			}
			if let [Some(bid), Some(ask)] = best {
				ensure!(bid < ask, "crossed book");
			}
			ensure!(count == info.resting_orders, "series order count wrong");
			Ok(count)
		}

		/// The position entries of one series: each indexed, its order aggregates equal to the
		/// book's (taken out of `agg`), open interest the sum of longs, longs equal to shorts (to
		/// the unpaid shorts while the series settles).
		fn check_positions(
			id: u32,
			info: &SeriesInfo,
			agg: &mut BTreeMap<(u32, T::AccountId), Aggregates>,
		) -> Result<(), TryRuntimeError> {
			let (mut longs, mut shorts): (Contracts, Contracts) = (0, 0);
			for (who, e) in Positions::<T>::iter_prefix(id) {
				ensure!(!e.is_empty(), "empty position entry stored");
				ensure!(
					AccountSeriesIndex::<T>::get(&who).contains(&id),
					"position entry missing from the account index"
				);
				let a = agg.remove(&(id, who)).unwrap_or_default();
				ensure!(
					(e.orders, e.buy_contracts, e.sell_contracts, e.buy_premium, e.sell_premium)
						== a,
					"account aggregates disagree with the book"
				);
				longs += e.net.max(0);
				shorts += e.net.min(0).saturating_neg();
			}
			ensure!(longs == info.open_interest, "open interest != sum of longs");
			match info.status {
				SeriesStatus::Settling { unpaid_short_contracts, .. } => ensure!(
					shorts == unpaid_short_contracts,
					"unpaid short contracts != sum of shorts"
				),
				_ => ensure!(longs == shorts, "longs != shorts"),
			}
			Ok(())
		}

		/// `UnderlyingOpenInterest` equals the open interest summed over each underlying's series
		/// and stores no zero.
		fn check_underlying_open_interest(
			per_underlying: &BTreeMap<UnderlyingId, Contracts>,
		) -> Result<(), TryRuntimeError> {
			for (u, oi) in UnderlyingOpenInterest::<T>::iter() {
				ensure!(oi > 0, "zero underlying open interest stored");
				ensure!(per_underlying.get(&u).copied().unwrap_or(0) == oi, "underlying OI wrong");
			}
			for (u, oi) in per_underlying {
				ensure!(
					*oi == 0 || UnderlyingOpenInterest::<T>::get(u) == *oi,
					"underlying OI missing"
				);
			}
			Ok(())
		}

		/// `AccountOrders` holds exactly the `total` resting orders, in placement order: every
		/// book order is in its owner's list with its place (checked with the book), ids are
		/// unique across books (ditto) and strictly increasing within a list, and the lists
		/// hold `total` entries, so no entry is left over.
		fn check_order_indexes(total: u64) -> Result<(), TryRuntimeError> {
			let mut listed: u64 = 0;
			let mut ids = alloc::collections::BTreeSet::new();
			for (_, refs) in AccountOrders::<T>::iter() {
				ensure!(!refs.is_empty(), "empty order list stored");
				ensure!(refs.iter().all(|r| ids.insert(r.id)), "an order id listed twice");
				// Placement order is id order: the orders a liquidation voided are a prefix.
				ensure!(
					refs.iter().zip(refs.iter().skip(1)).all(|(a, b)| a.id < b.id),
					"account order list not in placement order"
				);
				listed += refs.len() as u64;
			}
			ensure!(listed == total, "account order lists disagree with the books");
			let next = NextOrderId::<T>::get();
			for (_, before) in VoidBefore::<T>::iter() {
				ensure!(before <= next, "orders voided that were never placed");
			}
			Ok(())
		}

		/// Dead-man's switches: each account's deadline is listed once under its block, and
		/// nothing else is; the counter is right; no bucket the walk has passed holds one.
		fn check_cancel_schedules() -> Result<(), TryRuntimeError> {
			let next = NextCancelBlock::<T>::get();
			let mut n: u32 = 0;
			for (who, at) in CancelDeadlines::<T>::iter() {
				n = n.saturating_add(1);
				ensure!(DueCancels::<T>::contains_key(at, &who), "a switch missing from its block");
				ensure!(at >= next, "a switch in a block the walk has passed");
			}
			ensure!(n == CancelDeadlines::<T>::count(), "switch counter is wrong");
			let mut per_block: BTreeMap<BlockNumberFor<T>, u32> = BTreeMap::new();
			for (at, _) in DueCancels::<T>::iter_keys() {
				let e = per_block.entry(at).or_default();
				*e = e.saturating_add(1);
			}
			let listed: u32 = per_block.values().sum();
			ensure!(listed == n, "a block lists a switch its account does not have");
			ensure!(
				CancelBucketLen::<T>::iter().count() == per_block.len(),
				"a block's switch count without switches"
			);
			for (at, k) in per_block {
				ensure!(CancelBucketLen::<T>::get(at) == k, "a block's switch count is wrong");
				ensure!(k <= T::MaxCancelsPerBlock::get(), "more switches in a block than allowed");
			}
			Ok(())
		}

		/// Market-maker protection: limits within bounds; an entry without limits only keeps
		/// a watermark; a watermark names placed orders and has its clean-up entry (and the
		/// other way round); while frozen, every order the account has on the underlying is
		/// one the trip voided.
		fn check_mmp() -> Result<(), TryRuntimeError> {
			let next = NextOrderId::<T>::get();
			let now = Self::block_now();
			for (who, underlying, s) in MmpStates::<T>::iter() {
				match s.limits {
					// (Not against `MaxMmpBlocks`: lowering it must not need a migration.)
					Some(l) => {
						ensure!(
							l.window_blocks > 0 && (l.max_contracts > 0 || l.needs_greeks()),
							"market-maker protection without a window or a limit"
						);
						ensure!(
							s.window <= now / l.window_blocks,
							"a protection window ahead of the block"
						);
					},
					None => ensure!(
						s.void_before > 0 && s.frozen.is_none(),
						"a protection entry without limits, watermark or with a freeze"
					),
				}
				ensure!(s.void_before <= next, "a protection voided orders never placed");
				let cleanup = MmpCleanup::<T>::get(&who, underlying);
				ensure!(
					(s.void_before > 0) == cleanup.is_some(),
					"a protection watermark without its clean-up, or the other way round"
				);
				if let Some(c) = cleanup {
					ensure!(c.before == s.void_before, "a clean-up of another watermark");
					ensure!(c.next <= c.before, "a clean-up cursor past its watermark");
					// Behind the cursor, nothing on the underlying below the watermark rests.
					for r in AccountOrders::<T>::get(&who) {
						if r.id >= c.next {
							break;
						}
						let on_it = Series::<T>::get(r.series)
							.is_some_and(|i| i.terms.underlying == underlying);
						ensure!(!on_it, "a void order behind the clean-up's cursor");
					}
				}
				if Self::mmp_frozen(&s, now) {
					for r in AccountOrders::<T>::get(&who) {
						let on_it = Series::<T>::get(r.series)
							.is_some_and(|i| i.terms.underlying == underlying);
						ensure!(
							!on_it || r.id < s.void_before,
							"an order rests where its owner's protection is frozen"
						);
					}
				}
			}
			for (who, underlying, _) in MmpCleanup::<T>::iter() {
				ensure!(
					MmpStates::<T>::contains_key(&who, underlying),
					"a protection clean-up without its entry"
				);
			}
			Ok(())
		}

		/// Good-till-block orders' index: an entry whose order still rests is under the block
		/// after the order's (an order filled before its block may leave its entry), and no
		/// bucket the walk has passed holds one. (Each resting good-till-block order is
		/// indexed: checked with the books.)
		fn check_expiry_index() -> Result<(), TryRuntimeError> {
			let next = NextExpiringBlock::<T>::get();
			for (at, id, who) in ExpiringOrders::<T>::iter() {
				ensure!(at >= next, "an expiring order in a block the walk has passed");
				let Some(r) = AccountOrders::<T>::get(&who).into_iter().find(|r| r.id == id) else {
					continue;
				};
				let good_till = Books::<T>::get(r.series, r.side)
					.into_iter()
					.find(|o| o.id == id)
					.and_then(|o| o.good_till);
				let right = match good_till {
					Some(g @ GoodTill::Block(_)) => g.removal_block() == at,
					// The walk may move one on if blocks came faster than `MinBlockInterval` allows.
					Some(g @ GoodTill::Time { .. }) => g.removal_block() <= at,
					None => false,
				};
				ensure!(right, "an expiry index entry under another block than its order's");
			}
			Ok(())
		}

		/// Volatility-priced orders: each list of a known series, in strictly increasing id
		/// order, volatilities within bounds; the counts within their bounds, `VolOrderCount`
		/// their sum and `VolOrdersOf` each owner's. (An entry may outlive its order until the next block's
		/// repricing removes it.)
		fn check_vol_orders() -> Result<(), TryRuntimeError> {
			let mut total: u32 = 0;
			let mut series: u32 = 0;
			let mut per_owner: BTreeMap<T::AccountId, u32> = BTreeMap::new();
			for (id, list) in VolOrders::<T>::iter() {
				for e in list.iter() {
					*per_owner.entry(e.owner.clone()).or_default() += 1;
				}
				ensure!(Series::<T>::contains_key(id), "volatility orders of an unknown series");
				ensure!(!list.is_empty(), "an empty volatility list is stored");
				ensure!(
					list.windows(2).all(|w| matches!(w, [a, b] if a.id < b.id)),
					"volatility list not in id order"
				);
				ensure!(
					list.iter().all(|e| e.volatility >= MIN_ORDER_VOLATILITY
						&& e.volatility <= MAX_ORDER_VOLATILITY),
					"volatility out of bounds"
				);
				total = total.saturating_add(list.len() as u32);
				series = series.saturating_add(1);
			}
			ensure!(VolOrders::<T>::count() == series, "VolOrders counter wrong");
			ensure!(series <= T::MaxVolSeries::get(), "too many series with volatility orders");
			ensure!(VolOrderCount::<T>::get() == total, "VolOrderCount is not the lists' sum");
			ensure!(total <= T::MaxVolOrders::get(), "too many volatility orders");
			let counted: BTreeMap<T::AccountId, u32> = VolOrdersOf::<T>::iter().collect();
			ensure!(counted == per_owner, "VolOrdersOf is not each owner's count of entries");
			ensure!(
				counted.values().all(|n| *n > 0 && *n <= T::MaxVolOrdersPerAccount::get()),
				"an owner's count of volatility orders out of bounds"
			);
			Ok(())
		}

		/// `AccountSeriesIndex` lists, sorted, exactly the series where an account has an entry.
		fn check_account_series_index() -> Result<(), TryRuntimeError> {
			let mut indexed: u64 = 0;
			for (who, list) in AccountSeriesIndex::<T>::iter() {
				ensure!(!list.is_empty(), "empty series index stored");
				ensure!(
					list.iter().zip(list.iter().skip(1)).all(|(a, b)| a < b),
					"series index not sorted"
				);
				for s in list.iter() {
					ensure!(Positions::<T>::contains_key(s, &who), "index entry without position");
				}
				indexed += list.len() as u64;
			}
			ensure!(
				Positions::<T>::iter().count() as u64 == indexed,
				"position entries not indexed"
			);
			// The margin ledger lists, for each account, exactly the series where its net is
			// not zero (the margin pallet's `try_state` checks the converse), within its cap;
			// the insurance account (uncapped) is not listed.
			let mut held: BTreeMap<T::AccountId, alloc::vec::Vec<SeriesId>> = Default::default();
			for (series, who, e) in Positions::<T>::iter() {
				if e.net != 0 {
					held.entry(who).or_default().push(series);
				}
			}
			for (who, mut list) in held {
				list.sort_unstable();
				let listed = T::Margin::position_series(&who);
				let uncapped =
					<T::UncappedAccounts as frame_support::traits::Contains<_>>::contains(&who);
				if uncapped && listed.is_empty() {
					continue;
				}
				ensure!(listed == list, "a position not listed in the margin ledger");
				ensure!(
					uncapped || list.len() as u32 <= T::MaxPositionSeriesPerAccount::get(),
					"positions beyond MaxPositionSeriesPerAccount"
				);
			}
			Ok(())
		}

		/// `LiveSeries` (sorted) and `SeriesByTerms` hold exactly the `series` listed series.
		fn check_series_indexes(series: u32) -> Result<(), TryRuntimeError> {
			let live = LiveSeries::<T>::get();
			ensure!(
				live.iter().zip(live.iter().skip(1)).all(|(a, b)| a < b),
				"LiveSeries not sorted"
			);
			ensure!(live.len() as u32 == series, "LiveSeries disagrees with Series");
			ensure!(
				SeriesByTerms::<T>::iter().count() as u32 == series,
				"duplicate index disagrees with Series"
			);
			Ok(())
		}
	}
}
