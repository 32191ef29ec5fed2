//! Storage migrations of the options pallet.
//!
//! - **v0 -> v1** ([`v1::MigrateV0ToV1`]): one map for an account's resting orders. v0 kept
//!   `AccountOrders` (account -> order ids) and `OrderLocations` (order id -> owner, series,
//!   side); a fill that completed a maker's order wrote both. v1's `AccountOrders` holds
//!   `OrderRef { id, series, side }` per order and `OrderLocations` is gone. Every list is
//!   translated in place (same order), each id completed from its location; the locations are
//!   then removed. Single block: refused by `pre_upgrade` beyond `v1::MAX_ORDERS` resting orders.

use crate::{pallet::*, types::OrderRef};
use frame_support::{
	migrations::VersionedMigration, pallet_prelude::*, storage_alias,
	traits::UncheckedOnRuntimeUpgrade, Twox64Concat,
};
use optionchain_primitives::exchange::{SeriesId, Side};

/// The v0 -> v1 migration.
pub mod v1 {
	use super::*;

	/// Most resting orders the single-block migration handles, checked by `pre_upgrade` (a
	/// read and a removal each, plus a read and a write per account: about 0.2 s of the 0.5 s
	/// block at the runtime's ParityDB weights for 5,000 orders).
	pub const MAX_ORDERS: u32 = 5_000;

	/// Where an order rested (v0's `OrderLocations` value).
	#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
	pub struct OrderLocation<AccountId> {
		/// Owner.
		pub owner: AccountId,
		/// Series.
		pub series: SeriesId,
		/// Book side.
		pub side: Side,
	}

	/// v0's order index by id.
	#[storage_alias]
	pub type OrderLocations<T: Config> = StorageMap<
		Pallet<T>,
		Twox64Concat,
		crate::types::OrderId,
		OrderLocation<<T as frame_system::Config>::AccountId>,
		OptionQuery,
	>;

	/// v0's order lists (ids only), under the same storage name as v1's.
	#[storage_alias]
	pub type AccountOrders<T: Config> = StorageMap<
		Pallet<T>,
		Blake2_128Concat,
		<T as frame_system::Config>::AccountId,
		BoundedVec<crate::types::OrderId, <T as Config>::MaxOrdersPerAccount>,
		ValueQuery,
	>;

	/// Translates the order lists and removes the locations (no version check: use
	/// [`MigrateV0ToV1`]).
	pub struct UncheckedMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let db = T::DbWeight::get();
			let mut reads: u64 = 1;
			let mut writes: u64 = 0;
			let mut lost: u64 = 0;
			crate::pallet::AccountOrders::<T>::translate::<
				BoundedVec<crate::types::OrderId, T::MaxOrdersPerAccount>,
				_,
			>(|who, ids| {
				reads = reads.saturating_add(1);
				writes = writes.saturating_add(1);
				let mut refs: BoundedVec<OrderRef, T::MaxOrdersPerAccount> = BoundedVec::new();
				for id in ids {
					reads = reads.saturating_add(1);
					match OrderLocations::<T>::get(id) {
						Some(l) if l.owner == who => {
							// As long as the old list: it fits.
							let _ = refs.try_push(OrderRef { id, series: l.series, side: l.side });
						},
						_ => lost = lost.saturating_add(1),
					}
				}
				(!refs.is_empty()).then_some(refs)
			});
			let removed = OrderLocations::<T>::clear(u32::MAX, None);
			writes = writes.saturating_add(u64::from(removed.backend));
			if lost > 0 {
				log::error!(
					target: crate::LOG_TARGET,
					"v1: {lost} listed orders had no location in their owner's name; dropped from the lists"
				);
			}
			db.reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let orders = OrderLocations::<T>::iter_keys().count() as u32;
			ensure!(orders <= MAX_ORDERS, "v1 pre_upgrade: too many orders for one block");
			let mut expected: alloc::vec::Vec<(T::AccountId, alloc::vec::Vec<OrderRef>)> =
				alloc::vec::Vec::new();
			for (who, ids) in AccountOrders::<T>::iter() {
				let mut refs = alloc::vec::Vec::new();
				for id in ids {
					let l = OrderLocations::<T>::get(id)
						.ok_or("v1 pre_upgrade: a listed order has no location")?;
					ensure!(l.owner == who, "v1 pre_upgrade: a listed order has another owner");
					refs.push(OrderRef { id, series: l.series, side: l.side });
				}
				expected.push((who, refs));
			}
			Ok(expected.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let expected = alloc::vec::Vec::<(T::AccountId, alloc::vec::Vec<OrderRef>)>::decode(
				&mut &state[..],
			)
			.map_err(|_| "v1 post_upgrade: bad pre_upgrade state")?;
			ensure!(
				crate::pallet::AccountOrders::<T>::iter_keys().count() == expected.len(),
				"v1 post_upgrade: the number of order lists changed"
			);
			for (who, refs) in expected {
				ensure!(
					crate::pallet::AccountOrders::<T>::get(&who).into_inner() == refs,
					"v1 post_upgrade: an order list was not carried over"
				);
			}
			ensure!(
				OrderLocations::<T>::iter_keys().next().is_none(),
				"v1 post_upgrade: locations left"
			);
			Ok(())
		}
	}

	/// v0 -> v1, run once (checked against the on-chain storage version).
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
		UncheckedMigrateV0ToV1<T>,
		crate::pallet::Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
