//! Dead-man's switch (issue 16, item 2): `schedule_cancel(at)` arms a deadline; unless its
//! owner calls it again before block `at`, every resting order the owner has then is voided
//! at the start of block `at` (before that block's transactions and takers): none of them
//! fills again, and they are removed lazily as a liquidation's void orders are (see
//! [`VoidBefore`]). Firing costs the same whatever the number of orders.
//!
//! Deadlines are kept twice: by account ([`CancelDeadlines`], one per account) and by block
//! ([`DueCancels`]), so that a block finds its due switches without a scan. [`NextCancelBlock`]
//! is the first block whose bucket may still hold switches: `on_initialize` walks the buckets
//! from there up to the current block, firing at most `MaxCancelsPerBlock` switches and
//! reading at most [`MAX_CANCEL_BUCKETS`] buckets per block; what is left fires in the next
//! blocks, oldest bucket first.

use crate::{pallet::*, weights::WeightInfo};
use frame_support::{
	dispatch::{DispatchErrorWithPostInfo, WithPostDispatchInfo},
	ensure,
	pallet_prelude::*,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::One, Saturating};

/// At most this many buckets of [`DueCancels`] are read per block (one read each).
pub const MAX_CANCEL_BUCKETS: u32 = 64;

impl<T: Config> Pallet<T> {
	/// `schedule_cancel`: arm, move or (`None`) disarm `who`'s switch.
	pub(crate) fn do_schedule_cancel(
		who: &T::AccountId,
		at: Option<BlockNumberFor<T>>,
	) -> Result<(), DispatchErrorWithPostInfo> {
		let now = frame_system::Pallet::<T>::block_number();
		let old = CancelDeadlines::<T>::get(who);
		let Some(at) = at else {
			let old =
				old.ok_or(Error::<T>::NoCancelScheduled.with_weight(T::DbWeight::get().reads(1)))?;
			CancelDeadlines::<T>::remove(who);
			DueCancels::<T>::remove(old, who);
			Self::deposit_event(Event::CancelScheduleCleared { who: who.clone() });
			return Ok(());
		};
		let refused = |e: Error<T>| e.with_weight(T::DbWeight::get().reads(1));
		ensure!(at > now, refused(Error::<T>::CancelDeadlinePassed));
		ensure!(
			at <= now.saturating_add(T::MaxCancelDelay::get()),
			refused(Error::<T>::CancelDeadlineTooFar)
		);
		if let Some(old) = old {
			DueCancels::<T>::remove(old, who);
		} else if CancelDeadlines::<T>::count() == 0 {
			// No bucket holds a switch: the walk starts at the first one there is.
			NextCancelBlock::<T>::put(at);
		}
		if NextCancelBlock::<T>::get() > at {
			NextCancelBlock::<T>::put(at);
		}
		CancelDeadlines::<T>::insert(who, at);
		DueCancels::<T>::insert(at, who, ());
		Self::deposit_event(Event::CancelScheduled { who: who.clone(), at });
		Ok(())
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
		while next <= now && buckets < MAX_CANCEL_BUCKETS && fired < max {
			buckets = buckets.saturating_add(1);
			// Entries are removed as they fire: the bucket's first key each time.
			let mut emptied = true;
			while let Some(who) = DueCancels::<T>::iter_key_prefix(next).next() {
				if fired >= max {
					emptied = false;
					break;
				}
				fired = fired.saturating_add(1);
				DueCancels::<T>::remove(next, &who);
				CancelDeadlines::<T>::remove(&who);
				let orders = Self::void_all_orders(&who);
				Self::deposit_event(Event::CancelScheduleFired { who, at: next, orders });
			}
			if !emptied {
				break;
			}
			next = next.saturating_add(One::one());
		}
		if next != start {
			NextCancelBlock::<T>::put(next);
		}
		// The walk's position (read, maybe written), and the fired switches with the bucket
		// reads (one per bucket, and one more per switch fired: the next key).
		used.saturating_add(T::WeightInfo::fire_cancel_schedules(fired))
			.saturating_add(db.reads(u64::from(buckets)))
	}

	/// Weight declared for `on_initialize` at most: `MaxCancelsPerBlock` switches over
	/// [`MAX_CANCEL_BUCKETS`] buckets.
	pub fn fire_cancel_schedules_max_weight() -> Weight {
		T::DbWeight::get()
			.reads(1u64.saturating_add(MAX_CANCEL_BUCKETS.into()))
			.saturating_add(T::WeightInfo::fire_cancel_schedules(T::MaxCancelsPerBlock::get()))
	}
}
