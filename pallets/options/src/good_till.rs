//! Good-till-block orders (issue 16, item 3): an order placed with
//! `TimeInForce::GoodTillBlock(n)` rests like a good-till-cancelled one and never fills from
//! block `n + 1` on. Each resting one is indexed under that block ([`ExpiringOrders`]), and
//! `on_idle` removes it there (`OrderCancelled`, reason `GoodTillReached`), walking the blocks'
//! buckets from [`NextExpiringBlock`] up to the current block within its weight and items, at
//! most [`MAX_EXPIRY_BUCKETS`] buckets per block. Until then a taker that reaches it removes it
//! as a match step, a `quote` on its side replaces it, and the book API leaves it out. An
//! index entry whose order is gone (filled or cancelled before its block) is dropped when its
//! bucket is walked: fills and cancellations do not pay to remove it.

use crate::{pallet::*, types::*, weights::WeightInfo};
use frame_support::{pallet_prelude::*, traits::Get};
use sp_runtime::traits::UniqueSaturatedInto;

/// At most this many buckets of [`ExpiringOrders`] are read per `on_idle`.
pub const MAX_EXPIRY_BUCKETS: u32 = 64;

impl<T: Config> Pallet<T> {
	/// The current block number (the runtime's block numbers are `u32`).
	pub(crate) fn block_now() -> u32 {
		frame_system::Pallet::<T>::block_number().unique_saturated_into()
	}

	/// Whether `order` is a good-till-block order past its block (it never fills again).
	pub(crate) fn is_past_good_till(order: &BookOrder<T::AccountId>) -> bool {
		order.good_till.is_some_and(|n| Self::block_now() > n)
	}

	/// Whether `order` is a good-till-block order that cannot fill after the current block
	/// (what the book API leaves out: it reads the state at the end of a block).
	pub(crate) fn ends_by_this_block(order: &BookOrder<T::AccountId>) -> bool {
		order.good_till.is_some_and(|n| n <= Self::block_now())
	}

	/// Index the new resting order `order_id` of `who`, good till block `n`, for its removal
	/// from block `n + 1` on. Two reads and three writes ([`Self::good_till_weight`]).
	pub(crate) fn index_good_till(order_id: OrderId, who: &T::AccountId, n: u32) {
		let at = n.saturating_add(1);
		let count = ExpiringOrderCount::<T>::get();
		// With no entry anywhere the walk may start at this one's block; otherwise it must not
		// have passed it (it has not: `at` is after the current block).
		if count == 0 || NextExpiringBlock::<T>::get() > at {
			NextExpiringBlock::<T>::put(at);
		}
		ExpiringOrders::<T>::insert(at, order_id, who);
		ExpiringOrderCount::<T>::put(count.saturating_add(1));
	}

	/// What indexing a resting good-till-block order costs: the counter and the walk's
	/// position (read, written) and the entry.
	pub fn good_till_weight() -> Weight {
		T::DbWeight::get().reads_writes(2, 3)
	}

	/// `on_idle`: remove the good-till-block orders past their block (see the module
	/// documentation), one per item, each in its own storage layer, while `items` last and
	/// `remaining` allows. Returns `used` plus what it used.
	pub(crate) fn clear_expired_orders(
		remaining: Weight,
		mut used: Weight,
		items: &mut u32,
	) -> Weight {
		let db = T::DbWeight::get();
		let fits = |used: Weight, w: Weight| used.saturating_add(w).all_lte(remaining);
		// The counter and the walk's position, read; the position written.
		let start_w = db.reads_writes(2, 1);
		if !fits(used, start_w) {
			return used;
		}
		used = used.saturating_add(db.reads(1));
		let count = ExpiringOrderCount::<T>::get();
		if count == 0 {
			return used;
		}
		used = used.saturating_add(db.reads_writes(1, 1));
		let now = Self::block_now();
		let start = NextExpiringBlock::<T>::get();
		let mut next = start;
		let mut left = count;
		// The next entry's key and value, its removal (and the counter's), the owner's order
		// list, and the cancellation.
		let item = db.reads_writes(2, 2).saturating_add(T::WeightInfo::cancel_order());
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
				used = used.saturating_add(item);
				*items = items.saturating_sub(1);
				ExpiringOrders::<T>::remove(next, order_id);
				left = left.saturating_sub(1);
				let r = frame_support::storage::with_storage_layer(|| {
					match AccountOrders::<T>::get(&who).into_iter().find(|r| r.id == order_id) {
						Some(r) => Self::cancel_listed(r, CancelReason::GoodTillReached),
						// Filled or cancelled before its block.
						None => Ok(()),
					}
				});
				if let Err(e) = r {
					log::error!(
						target: crate::LOG_TARGET,
						"removing good-till-block order {order_id} of {who:?}: {e:?}"
					);
				}
			}
			next = next.saturating_add(1);
		}
		if left != count {
			ExpiringOrderCount::<T>::put(left);
		}
		if next != start {
			NextExpiringBlock::<T>::put(next);
		}
		used
	}
}
