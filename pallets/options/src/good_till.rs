//! Good-till-block and good-till-time orders (issue 16, item 3): an order placed with
//! `TimeInForce::GoodTillBlock(n)` rests like a good-till-cancelled one and never fills from
//! block `n + 1` on; one placed with `GoodTillTime(t)` never fills in a block stamped after `t`.
//! The block or time is in the book entry ([`GoodTill`]), so a match step checks it without a
//! read.
//!
//! Each resting one is indexed under its removal block ([`ExpiringOrders`]): `n + 1`, or for a
//! time the first block surely stamped after it (see [`Pallet::good_till_of`]); were such an
//! order not past its time there (blocks faster than `MinBlockInterval` allows), the walk moves
//! its entry to the next block. The entry goes with
//! the order when its owner takes it out of the book (a cancellation, `cancel_all`, a
//! replacement, a requote) or when it is evicted or voided and removed: one write, charged to
//! those paths. An order that leaves the book by a fill, a taker's step (a self-trade
//! included) or with its expired series leaves its entry (those paths do not pay for it); the
//! walk drops such an entry for two reads and a write, counted against its weight but not its
//! items, so stale entries cannot use up the items that remove live orders.
//! `on_idle` walks the blocks' buckets from [`NextExpiringBlock`] up to the current block,
//! within its weight and items and at most [`MAX_EXPIRY_BUCKETS`] buckets per block, and
//! removes each order still resting (`OrderCancelled`, reason `GoodTillReached`). Until then a
//! taker that reaches one removes it as a match step, a `quote` on its side replaces it, and
//! the book API and best prices leave it out.

use crate::{pallet::*, types::*, weights::WeightInfo};
use frame_support::{pallet_prelude::*, traits::Get};
use optionchain_primitives::Moment;
use sp_runtime::traits::UniqueSaturatedInto;

/// At most this many buckets of [`ExpiringOrders`] are read per `on_idle`.
pub const MAX_EXPIRY_BUCKETS: u32 = 64;

impl<T: Config> Pallet<T> {
	/// The current block number (the runtime's block numbers are `u32`).
	pub(crate) fn block_now() -> u32 {
		frame_system::Pallet::<T>::block_number().unique_saturated_into()
	}

	/// Whether `good_till` has passed in block `block` at time `now_ms`.
	pub(crate) fn is_past(good_till: Option<GoodTill>, block: u32, now_ms: Moment) -> bool {
		match good_till {
			None => false,
			Some(GoodTill::Block(n)) => block > n,
			Some(GoodTill::Time { until, .. }) => now_ms > until,
		}
	}

	/// Whether `order` is a good-till-block or good-till-time order past its block or time (it
	/// never fills again).
	pub(crate) fn is_past_good_till(order: &BookOrder<T::AccountId>) -> bool {
		order.good_till.is_some() && Self::is_past(order.good_till, Self::block_now(), Self::now())
	}

	/// Whether `order` cannot fill after the current block (what the book API leaves out: it
	/// reads the state at the end of a block): good till this block or an earlier one, or till
	/// a time before the next block's earliest timestamp (this one's plus 1 ms: the next slot
	/// may start at once).
	pub(crate) fn ends_by_this_block(order: &BookOrder<T::AccountId>) -> bool {
		match order.good_till {
			None => false,
			Some(GoodTill::Block(n)) => n <= Self::block_now(),
			Some(GoodTill::Time { until, .. }) => until <= Self::now(),
		}
	}

	/// The best price of `book` among orders not past their good-till block or time (which
	/// never fill again: a post-only order or a quote may cross them, and a remainder rests
	/// behind them). No read but the block number's and the timestamp's, once each. (A void
	/// order still counts: telling it costs a read per order.)
	pub(crate) fn best_live(
		book: &BookSideOf<T>,
	) -> Option<optionchain_primitives::exchange::Balance> {
		let (block, now_ms) = (Self::block_now(), Self::now());
		book.iter()
			.find(|o| !Self::is_past(o.good_till, block, now_ms))
			.map(|o| o.price)
	}

	/// What `req` rests with if it expires: its block, or its time and the first block whose
	/// timestamp is surely later. With `I` = `MinBlockInterval`, a block `k` blocks after the
	/// current one is stamped at least `k × I - (I - 1)` later (`I` is the slot: slots strictly
	/// increase and a block is stamped within its slot), so with `d` = `until - now` the first
	/// `k` with `k × I - (I - 1) > d` is `(d + I - 1) / I + 1` (rounded down): at the 2 s
	/// blocks of this chain, one or two blocks after the order dies.
	pub(crate) fn good_till_of(req: &OrderRequest) -> Option<GoodTill> {
		match req.time_in_force {
			TimeInForce::GoodTillBlock(n) => Some(GoodTill::Block(n)),
			TimeInForce::GoodTillTime(until) => {
				let interval = T::MinBlockInterval::get();
				let blocks = until
					.saturating_sub(Self::now())
					.saturating_add(interval.saturating_sub(1))
					.checked_div(interval)
					.unwrap_or(u64::MAX);
				let blocks: u32 = blocks.try_into().unwrap_or(u32::MAX);
				let removal_block = Self::block_now().saturating_add(blocks).saturating_add(1);
				Some(GoodTill::Time { until, removal_block })
			},
			_ => None,
		}
	}

	/// Index the new resting order `order_id` of `who`, to be removed from block `at` on: one
	/// read and two writes at most ([`Self::good_till_weight`]).
	pub(crate) fn index_good_till(order_id: OrderId, who: &T::AccountId, at: u32) {
		// The walk stands at most at the next block (`at` is after the current one) unless
		// nothing was indexed since genesis.
		if NextExpiringBlock::<T>::get() > at {
			NextExpiringBlock::<T>::put(at);
		}
		ExpiringOrders::<T>::insert(at, order_id, who);
	}

	/// The index entry of `order` goes (see the module documentation): one write, part of
	/// [`Self::cancel_weight`].
	pub(crate) fn unindex_good_till(order: &BookOrder<T::AccountId>) {
		if let Some(g) = order.good_till {
			ExpiringOrders::<T>::remove(g.removal_block(), order.id);
		}
	}

	/// What indexing a resting good-till-block order costs: the walk's position (read,
	/// written) and the entry.
	pub fn good_till_weight() -> Weight {
		T::DbWeight::get().reads_writes(1, 2)
	}

	/// What taking an order out of its book costs beyond the benchmarks of good-till-cancelled
	/// orders: its index entry's removal, if it has one (charged to every removal).
	pub fn unlink_weight() -> Weight {
		T::DbWeight::get().writes(1)
	}

	/// A cancellation (`cancel_order`'s benchmark) and the index entry's removal.
	pub fn cancel_weight() -> Weight {
		T::WeightInfo::cancel_order().saturating_add(Self::unlink_weight())
	}

	/// `cancel_all` of `n` orders, with their index entries.
	pub fn cancel_all_weight(n: u32) -> Weight {
		// The benchmark measured before 2026-12-06 spread its orders over 32 series' 64 sides:
		// beyond 64 orders they shared sides already read. Since an account's orders may each
		// be in a series of its own (`MaxSeriesPerAccount` 160), each cancellation may read and
		// write its side, its series and its position entry anew (helper-47).
		let n64 = u64::from(n);
		T::WeightInfo::cancel_all(n)
			.saturating_add(Self::unlink_weight().saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads_writes(2 * n64, 2 * n64))
	}

	/// `on_idle`: remove the good-till orders past their block or time (see the module
	/// documentation), one per item, each in its own storage layer, while `items` last and
	/// `remaining` allows. Returns `used` plus what it used.
	pub(crate) fn clear_expired_orders(
		remaining: Weight,
		mut used: Weight,
		items: &mut u32,
	) -> Weight {
		let db = T::DbWeight::get();
		let fits = |used: Weight, w: Weight| used.saturating_add(w).all_lte(remaining);
		// The walk's position, read and written.
		let start_w = db.reads_writes(1, 1);
		if !fits(used, start_w) {
			return used;
		}
		used = used.saturating_add(start_w);
		let now = Self::block_now();
		let start = NextExpiringBlock::<T>::get();
		let mut next = start;
		// The next entry's key and value, the owner's order list, and the cancellation (which
		// removes the entry); for an order that is gone, the entry's removal instead.
		let lookup = db.reads(2);
		let item = lookup.saturating_add(Self::cancel_weight());
		let bucket = db.reads(1);
		let mut buckets = 0u32;
		'walk: while next <= now && buckets < MAX_EXPIRY_BUCKETS && fits(used, bucket) {
			used = used.saturating_add(bucket);
			buckets = buckets.saturating_add(1);
			// One iterator per bucket: each key read starts after the previous one (a new
			// iterator would step over every key removed before it, one read each). An item
			// is taken only once it is paid for: a bucket left part-way is walked again from
			// its first remaining key.
			let mut entries = ExpiringOrders::<T>::iter_prefix(next);
			loop {
				if *items == 0 || !fits(used, item) {
					break 'walk;
				}
				let Some((order_id, who)) = entries.next() else { break };
				let Some(r) = AccountOrders::<T>::get(&who).into_iter().find(|r| r.id == order_id)
				else {
					// Filled, or removed by a taker's step or with its series, before its block:
					// a stale entry costs the walk its weight, not one of its items.
					ExpiringOrders::<T>::remove(next, order_id);
					used = used.saturating_add(lookup).saturating_add(Self::unlink_weight());
					continue;
				};
				*items = items.saturating_sub(1);
				used = used.saturating_add(item);
				// A good-till-time order is indexed under the first block whose timestamp is
				// surely past its time; were it not past (blocks closer than
				// `MinBlockInterval` allows: the slots forbid it), it moves to the next
				// block's bucket (a write, within the item's cancellation).
				let order =
					Books::<T>::get(r.series, r.side).into_iter().find(|o| o.id == order_id);
				let live_time = order.as_ref().is_some_and(|o| {
					matches!(o.good_till, Some(GoodTill::Time { .. }))
						&& !Self::is_past_good_till(o)
				});
				if live_time {
					ExpiringOrders::<T>::remove(next, order_id);
					ExpiringOrders::<T>::insert(now.saturating_add(1), order_id, &who);
					continue;
				}
				// A moved entry is not under the order's removal block: the cancellation
				// removes that one, this one goes too.
				if order.and_then(|o| o.good_till).is_some_and(|g| g.removal_block() != next) {
					ExpiringOrders::<T>::remove(next, order_id);
					used = used.saturating_add(Self::unlink_weight());
				}
				let done = frame_support::storage::with_storage_layer(|| {
					Self::cancel_listed(r, CancelReason::GoodTillReached)
				});
				if let Err(e) = done {
					// Unreachable (broken indexes): drop the entry so that the walk goes on;
					// `try_state` reports the order left without one.
					ExpiringOrders::<T>::remove(next, order_id);
					log::error!(
						target: crate::LOG_TARGET,
						"removing good-till order {order_id} of {who:?}: {e:?}"
					);
				}
			}
			next = next.saturating_add(1);
		}
		if next != start {
			NextExpiringBlock::<T>::put(next);
		}
		used
	}
}
