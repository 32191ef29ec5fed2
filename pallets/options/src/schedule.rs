//! Dead-man's switch (issue 16, item 2): `schedule_cancel(at)` arms a deadline; unless its
//! owner calls it again before block `at`, every resting order the owner has then is voided
//! at the start of block `at` (before that block's transactions and takers): none of them
//! fills again, and they are removed lazily as a liquidation's void orders are (see
//! [`VoidBefore`]). Firing costs the same whatever the number of orders.
//!
//! Deadlines are kept twice: by account ([`CancelDeadlines`], one per account) and by block
//! ([`DueCancels`], at most `MaxCancelsPerBlock` per block, counted in [`CancelBucketLen`]), so
//! that a block finds its due switches without a scan and all of them fire in it: arming in a
//! full block fails (`CancelBucketFull`) and leaves an armed switch as it was, so nobody can
//! make anybody's switch fire late. [`NextCancelBlock`] is the first block whose bucket may
//! still hold switches: `on_initialize` walks the buckets from there up to the current block,
//! firing at most `MaxCancelsPerBlock` switches and reading at most [`MAX_CANCEL_BUCKETS`]
//! buckets per block (both limits are only reached when a walk is behind, which arming never
//! lets happen: the walk stands at the current block after every block).

use crate::{pallet::*, weights::WeightInfo};
use frame_support::{
	dispatch::{DispatchErrorWithPostInfo, WithPostDispatchInfo},
	ensure,
	pallet_prelude::*,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::One, Saturating};

/// At most this many buckets of [`DueCancels`] are read per block.
pub const MAX_CANCEL_BUCKETS: u32 = 64;

impl<T: Config> Pallet<T> {
	/// `schedule_cancel`: arm, move or (`None`) disarm `who`'s switch.
	pub(crate) fn do_schedule_cancel(
		who: &T::AccountId,
		at: Option<BlockNumberFor<T>>,
	) -> Result<(), DispatchErrorWithPostInfo> {
		let now = frame_system::Pallet::<T>::block_number();
		let old = CancelDeadlines::<T>::get(who);
		let refused = |e: Error<T>, reads: u64| e.with_weight(T::DbWeight::get().reads(reads));
		let Some(at) = at else {
			let old = old.ok_or(refused(Error::<T>::NoCancelScheduled, 1))?;
			CancelDeadlines::<T>::remove(who);
			Self::unlist_switch(old, who);
			Self::deposit_event(Event::CancelScheduleCleared { who: who.clone() });
			return Ok(());
		};
		ensure!(at > now, refused(Error::<T>::CancelDeadlinePassed, 1));
		ensure!(
			at <= now.saturating_add(T::MaxCancelDelay::get()),
			refused(Error::<T>::CancelDeadlineTooFar, 1)
		);
		if old == Some(at) {
			Self::deposit_event(Event::CancelScheduled { who: who.clone(), at });
			return Ok(());
		}
		let len = CancelBucketLen::<T>::get(at);
		ensure!(len < T::MaxCancelsPerBlock::get(), refused(Error::<T>::CancelBucketFull, 2));
		if let Some(old) = old {
			Self::unlist_switch(old, who);
		} else if CancelDeadlines::<T>::count() == 0 {
			// No bucket holds a switch: the walk starts at the first one there is.
			NextCancelBlock::<T>::put(at);
		}
		if NextCancelBlock::<T>::get() > at {
			NextCancelBlock::<T>::put(at);
		}
		CancelDeadlines::<T>::insert(who, at);
		DueCancels::<T>::insert(at, who, ());
		CancelBucketLen::<T>::insert(at, len.saturating_add(1));
		Self::deposit_event(Event::CancelScheduled { who: who.clone(), at });
		Ok(())
	}

	/// Remove `who`'s switch from block `at`'s bucket.
	fn unlist_switch(at: BlockNumberFor<T>, who: &T::AccountId) {
		DueCancels::<T>::remove(at, who);
		CancelBucketLen::<T>::mutate_exists(at, |n| {
			*n = n.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
		});
	}

	/// `on_initialize`: fire the switches due by block `now` (see the module documentation).
	/// Returns the weight used.
	pub(crate) fn fire_cancel_schedules(now: BlockNumberFor<T>) -> Weight {
		let db = T::DbWeight::get();
		// The counter.
		let used = db.reads(1);
		if CancelDeadlines::<T>::count() == 0 {
			return used;
		}
		let start = NextCancelBlock::<T>::get();
		let mut next = start;
		let mut fired = 0u32;
		let mut buckets = 0u32;
		let max = T::MaxCancelsPerBlock::get();
		while next <= now && buckets < MAX_CANCEL_BUCKETS {
			buckets = buckets.saturating_add(1);
			// One iterator per bucket: each key read starts after the previous one (a new
			// iterator would step over every key removed before it, one read each).
			let mut keys = DueCancels::<T>::iter_key_prefix(next);
			let mut here = 0u32;
			let mut emptied = false;
			loop {
				if fired >= max {
					break;
				}
				let Some(who) = keys.next() else {
					emptied = true;
					break;
				};
				fired = fired.saturating_add(1);
				here = here.saturating_add(1);
				DueCancels::<T>::remove(next, &who);
				CancelDeadlines::<T>::remove(&who);
				let orders = Self::void_all_orders(&who);
				Self::deposit_event(Event::CancelScheduleFired { who, at: next, orders });
			}
			if emptied {
				CancelBucketLen::<T>::remove(next);
				next = next.saturating_add(One::one());
			} else {
				CancelBucketLen::<T>::mutate_exists(next, |n| {
					*n = n.map(|n| n.saturating_sub(here)).filter(|n| *n > 0);
				});
				break;
			}
		}
		if next != start {
			NextCancelBlock::<T>::put(next);
		}
		// The walk's position (read, maybe written) and the fired switches are in the
		// benchmark; each bucket walked reads its first key after the last and its length,
		// and writes the length.
		used.saturating_add(T::WeightInfo::fire_cancel_schedules(fired))
			.saturating_add(db.reads_writes(u64::from(buckets).saturating_mul(2), buckets.into()))
	}

	/// Weight of `on_initialize` at most: `MaxCancelsPerBlock` switches over
	/// [`MAX_CANCEL_BUCKETS`] buckets.
	pub fn fire_cancel_schedules_max_weight() -> Weight {
		let buckets = u64::from(MAX_CANCEL_BUCKETS);
		T::DbWeight::get()
			.reads_writes(1u64.saturating_add(buckets.saturating_mul(2)), buckets)
			.saturating_add(T::WeightInfo::fire_cancel_schedules(T::MaxCancelsPerBlock::get()))
	}
}
