//! Storage migrations of the options pallet.
//!
//! - **v0 -> v1** ([`v1::MigrateV0ToV1`]): one map for an account's resting orders. v0 kept
//!   `AccountOrders` (account -> order ids) and `OrderLocations` (order id -> owner, series,
//!   side); a fill that completed a maker's order wrote both. v1's `AccountOrders` holds
//!   `OrderRef { id, series, side }` per order and `OrderLocations` is gone. The lists are
//!   rebuilt from the books (the truth: an order is where its book holds it), in placement
//!   order; the old lists and locations are removed. `pre_upgrade` checks that v0's lists and
//!   locations agree with the books. Single block: refused by `pre_upgrade` beyond
//!   `v1::MAX_ORDERS` resting orders.
//! - **v1 -> v2** ([`v2::MigrateV1ToV2`]): a resting order carries its good-till block
//!   (`BookOrder::good_till`, issue 16). Every book side is rewritten with `None` (every order
//!   before v2 is good till cancelled); ids, owners, prices, sizes and order are unchanged, and
//!   so is every other item; the good-till index walk (`NextExpiringBlock`) starts at the
//!   current block. Single block: refused by `pre_upgrade` beyond `v1::MAX_ORDERS`
//!   resting orders.
//! - **v2 -> v3** ([`v3::MigrateV2ToV3`]): a resting order's good-till is a block or a time
//!   (`BookOrder::good_till: Option<GoodTill>`, good-till-time orders, issue 16); every
//!   `Some(n)` becomes `Some(GoodTill::Block(n))`. Book sides are also put in price-then-id
//!   order, and order lists in id order: before v3 a queued order that rested after its
//!   owner's (or anybody's, at its price) post-only orders of its block was appended after
//!   them, newer ids first. Single block: refused by `pre_upgrade` beyond `v1::MAX_ORDERS`
//!   resting orders.
//! - **v3 -> v4** ([`v4::MigrateV3ToV4`]): a new index of the series in which an account
//!   holds a position (`PositionSeriesIndex`, issue 15 item 8: positions are capped apart from
//!   series with resting orders only, and the maintenance view reads them alone). Built from
//!   `Positions`; nothing else changes. Single block: a read per entry, a write per account
//!   with a position.
//! - **v4 -> v5** ([`v5::MigrateV4ToV5`]): that index moves to the margin ledger entry, which
//!   every fill writes anyway (`AccountInfo::positions`, margin storage v5, which must run
//!   first): each listed series is noted through `MarginAccounts::note_position` and the
//!   index is removed, so a fill no longer reads and writes it. Single block: a write per
//!   listed series, refused by `pre_upgrade` beyond `v4::MAX_ENTRIES`.

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
	/// read and a removal each, plus a read and a write per account: about 0.2 s of the
	/// 0.667 s block at the runtime's ParityDB weights for 5,000 orders).
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

	/// Every account's resting orders as the books hold them (the truth), in placement (id)
	/// order, and the number of book sides read.
	pub fn expected_lists<T: Config>(
	) -> (alloc::collections::BTreeMap<T::AccountId, alloc::vec::Vec<OrderRef>>, usize) {
		let mut lists: alloc::collections::BTreeMap<T::AccountId, alloc::vec::Vec<OrderRef>> =
			alloc::collections::BTreeMap::new();
		let mut sides: usize = 0;
		// Books in their v0/v1 layout (v2 added a field): read through v2's alias of it.
		for (series, side, book) in super::v2::Books::<T>::iter() {
			sides = sides.saturating_add(1);
			for o in book {
				lists.entry(o.owner).or_default().push(OrderRef { id: o.id, series, side });
			}
		}
		for refs in lists.values_mut() {
			refs.sort_by_key(|r| r.id);
		}
		(lists, sides)
	}

	/// Rebuilds the order lists from the books and removes the old lists and locations (no
	/// version check: use [`MigrateV0ToV1`]).
	pub struct UncheckedMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let db = T::DbWeight::get();
			let lists = expected_lists::<T>();
			let mut reads = u64::try_from(lists.1).unwrap_or(u64::MAX);
			// The old lists and locations go; the new lists are written from the books.
			let old_lists = AccountOrders::<T>::clear(u32::MAX, None);
			let old_locations = OrderLocations::<T>::clear(u32::MAX, None);
			reads = reads
				.saturating_add(u64::from(old_lists.loops))
				.saturating_add(u64::from(old_locations.loops));
			let mut writes =
				u64::from(old_lists.unique).saturating_add(u64::from(old_locations.unique));
			let mut lost: usize = 0;
			for (who, refs) in lists.0 {
				let n = refs.len();
				let bounded: BoundedVec<OrderRef, T::MaxOrdersPerAccount> =
					BoundedVec::truncate_from(refs);
				lost = lost.saturating_add(n.saturating_sub(bounded.len()));
				crate::pallet::AccountOrders::<T>::insert(who, bounded);
				writes = writes.saturating_add(1);
			}
			if lost > 0 {
				log::error!(
					target: crate::LOG_TARGET,
					"v1: {lost} resting orders beyond an account's bound left out of its list"
				);
			}
			db.reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let orders = OrderLocations::<T>::iter_keys().count() as u32;
			ensure!(orders <= MAX_ORDERS, "v1 pre_upgrade: too many orders for one block");
			let (expected, _) = expected_lists::<T>();
			// v0's lists agree with the books (the migration rebuilds them from the books).
			ensure!(
				AccountOrders::<T>::iter_keys().count() == expected.len(),
				"v1 pre_upgrade: order lists disagree with the books"
			);
			for (who, refs) in expected.iter() {
				let ids: alloc::vec::Vec<_> = refs.iter().map(|r| r.id).collect();
				ensure!(
					AccountOrders::<T>::get(who).into_inner() == ids,
					"v1 pre_upgrade: an order list disagrees with the books"
				);
				for r in refs {
					ensure!(
						OrderLocations::<T>::get(r.id)
							== Some(OrderLocation {
								owner: who.clone(),
								series: r.series,
								side: r.side
							}),
						"v1 pre_upgrade: an order location disagrees with the books"
					);
				}
			}
			Ok(expected.into_iter().collect::<alloc::vec::Vec<_>>().encode())
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

/// The v1 -> v2 migration.
pub mod v2 {
	pub use super::v3::BookOrderV2;
	use super::*;
	use crate::types::OrderId;
	use optionchain_primitives::exchange::{Balance, Contracts};

	/// A resting order as v1 stored it (no good-till block).
	#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
	pub struct BookOrderV1<AccountId> {
		/// Order id.
		pub id: OrderId,
		/// Owner.
		pub owner: AccountId,
		/// Limit price, settlement-asset units per contract.
		pub price: Balance,
		/// Contracts still open.
		pub remaining: Contracts,
		/// Reduce-only.
		pub reduce_only: bool,
	}

	impl<AccountId> From<BookOrderV1<AccountId>> for BookOrderV2<AccountId> {
		fn from(o: BookOrderV1<AccountId>) -> Self {
			BookOrderV2 {
				id: o.id,
				owner: o.owner,
				price: o.price,
				remaining: o.remaining,
				reduce_only: o.reduce_only,
				good_till: None,
			}
		}
	}

	/// v1's book sides, under the same storage name as v2's.
	#[storage_alias]
	pub type Books<T: Config> = StorageDoubleMap<
		Pallet<T>,
		Twox64Concat,
		SeriesId,
		Twox64Concat,
		Side,
		BoundedVec<
			BookOrderV1<<T as frame_system::Config>::AccountId>,
			<T as Config>::MaxOrdersPerSide,
		>,
		ValueQuery,
	>;

	/// Rewrites every book side with `good_till: None` (no version check: use
	/// [`MigrateV1ToV2`]).
	pub struct UncheckedMigrateV1ToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut sides: u64 = 0;
			// Into v2's layout (a later migration takes it on from there).
			super::v3::Books::<T>::translate::<
				BoundedVec<BookOrderV1<T::AccountId>, T::MaxOrdersPerSide>,
				_,
			>(|_, _, old| {
				sides = sides.saturating_add(1);
				let new: alloc::vec::Vec<BookOrderV2<T::AccountId>> =
					old.into_iter().map(Into::into).collect();
				// The same length and bound: it always fits.
				Some(BoundedVec::truncate_from(new))
			});
			// The good-till index walk starts at the current block (not at genesis).
			crate::pallet::NextExpiringBlock::<T>::put(crate::pallet::Pallet::<T>::block_now());
			T::DbWeight::get().reads_writes(sides, sides.saturating_add(1))
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let mut all: alloc::vec::Vec<(
				SeriesId,
				Side,
				alloc::vec::Vec<BookOrderV1<T::AccountId>>,
			)> = alloc::vec::Vec::new();
			let mut orders: usize = 0;
			for (series, side, book) in Books::<T>::iter() {
				orders = orders.saturating_add(book.len());
				all.push((series, side, book.into_inner()));
			}
			ensure!(
				orders <= v1::MAX_ORDERS as usize,
				"v2 pre_upgrade: too many orders for one block"
			);
			Ok(all.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = alloc::vec::Vec::<(
				SeriesId,
				Side,
				alloc::vec::Vec<BookOrderV1<T::AccountId>>,
			)>::decode(&mut &state[..])
			.map_err(|_| "v2 post_upgrade: bad pre_upgrade state")?;
			ensure!(
				super::v3::Books::<T>::iter_keys().count() == before.len(),
				"v2 post_upgrade: the number of book sides changed"
			);
			for (series, side, orders) in before {
				let now = super::v3::Books::<T>::get(series, side).into_inner();
				let expected: alloc::vec::Vec<BookOrderV2<T::AccountId>> =
					orders.into_iter().map(Into::into).collect();
				ensure!(now == expected, "v2 post_upgrade: a book side was not carried over");
			}
			Ok(())
		}
	}

	/// v1 -> v2, run once (checked against the on-chain storage version).
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		UncheckedMigrateV1ToV2<T>,
		crate::pallet::Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// The v2 -> v3 migration.
pub mod v3 {
	use super::*;
	use crate::{
		book::better_price,
		types::{BookOrder, GoodTill, OrderId},
	};
	use optionchain_primitives::exchange::{Balance, Contracts};

	/// A resting order as v2 stored it (a good-till block only).
	#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
	pub struct BookOrderV2<AccountId> {
		/// Order id.
		pub id: OrderId,
		/// Owner.
		pub owner: AccountId,
		/// Limit price, settlement-asset units per contract.
		pub price: Balance,
		/// Contracts still open.
		pub remaining: Contracts,
		/// Reduce-only.
		pub reduce_only: bool,
		/// The last block in which it may fill.
		pub good_till: Option<u32>,
	}

	impl<AccountId> From<BookOrderV2<AccountId>> for BookOrder<AccountId> {
		fn from(o: BookOrderV2<AccountId>) -> Self {
			BookOrder {
				id: o.id,
				owner: o.owner,
				price: o.price,
				remaining: o.remaining,
				reduce_only: o.reduce_only,
				good_till: o.good_till.map(GoodTill::Block),
			}
		}
	}

	/// v2's book sides, under the same storage name as v3's.
	#[storage_alias]
	pub type Books<T: Config> = StorageDoubleMap<
		Pallet<T>,
		Twox64Concat,
		SeriesId,
		Twox64Concat,
		Side,
		BoundedVec<
			BookOrderV2<<T as frame_system::Config>::AccountId>,
			<T as Config>::MaxOrdersPerSide,
		>,
		ValueQuery,
	>;

	/// `orders` of a `side` in price-time priority: better prices first, then smaller ids.
	pub fn in_priority<A>(
		side: Side,
		mut orders: alloc::vec::Vec<BookOrder<A>>,
	) -> alloc::vec::Vec<BookOrder<A>> {
		orders.sort_by(|a, b| {
			if a.price == b.price {
				a.id.cmp(&b.id)
			} else if better_price(side, a.price, b.price) {
				core::cmp::Ordering::Less
			} else {
				core::cmp::Ordering::Greater
			}
		});
		orders
	}

	/// Rewrites every book side in v3's layout and priority, and every order list in id
	/// order (no version check: use [`MigrateV2ToV3`]).
	pub struct UncheckedMigrateV2ToV3<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV2ToV3<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut sides: u64 = 0;
			crate::pallet::Books::<T>::translate::<
				BoundedVec<BookOrderV2<T::AccountId>, T::MaxOrdersPerSide>,
				_,
			>(|_, side, old| {
				sides = sides.saturating_add(1);
				let new = in_priority(side, old.into_iter().map(Into::into).collect());
				// The same length and bound: it always fits.
				Some(BoundedVec::truncate_from(new))
			});
			let mut lists: u64 = 0;
			crate::pallet::AccountOrders::<T>::translate_values::<
				BoundedVec<OrderRef, T::MaxOrdersPerAccount>,
				_,
			>(|mut list| {
				lists = lists.saturating_add(1);
				list.sort_by_key(|r| r.id);
				Some(list)
			});
			let n = sides.saturating_add(lists);
			T::DbWeight::get().reads_writes(n, n)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let mut all: alloc::vec::Vec<(
				SeriesId,
				Side,
				alloc::vec::Vec<BookOrderV2<T::AccountId>>,
			)> = alloc::vec::Vec::new();
			let mut orders: usize = 0;
			for (series, side, book) in Books::<T>::iter() {
				orders = orders.saturating_add(book.len());
				all.push((series, side, book.into_inner()));
			}
			ensure!(
				orders <= v1::MAX_ORDERS as usize,
				"v3 pre_upgrade: too many orders for one block"
			);
			Ok(all.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = alloc::vec::Vec::<(
				SeriesId,
				Side,
				alloc::vec::Vec<BookOrderV2<T::AccountId>>,
			)>::decode(&mut &state[..])
			.map_err(|_| "v3 post_upgrade: bad pre_upgrade state")?;
			ensure!(
				crate::pallet::Books::<T>::iter_keys().count() == before.len(),
				"v3 post_upgrade: the number of book sides changed"
			);
			for (series, side, orders) in before {
				let now = crate::pallet::Books::<T>::get(series, side).into_inner();
				let expected = in_priority(side, orders.into_iter().map(Into::into).collect());
				ensure!(now == expected, "v3 post_upgrade: a book side was not carried over");
			}
			for (_, list) in crate::pallet::AccountOrders::<T>::iter() {
				ensure!(
					list.iter().zip(list.iter().skip(1)).all(|(a, b)| a.id < b.id),
					"v3 post_upgrade: an order list not in id order"
				);
			}
			Ok(())
		}
	}

	/// v2 -> v3, run once (checked against the on-chain storage version).
	pub type MigrateV2ToV3<T> = VersionedMigration<
		2,
		3,
		UncheckedMigrateV2ToV3<T>,
		crate::pallet::Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// The v3 -> v4 migration.
pub mod v4 {
	use super::*;
	use crate::pallet::Positions;

	/// The index of v4 (removed by v5, which hands it to the margin ledger).
	#[storage_alias]
	pub type PositionSeriesIndex<T: Config> = StorageMap<
		Pallet<T>,
		Blake2_128Concat,
		<T as frame_system::Config>::AccountId,
		BoundedVec<SeriesId, <T as Config>::MaxLiveSeries>,
		ValueQuery,
	>;

	/// Builds every account's `PositionSeriesIndex` from its entries in [`Positions`] (no
	/// version check: use [`MigrateV3ToV4`]). Nothing else changes. An account above
	/// `MaxPositionSeriesPerAccount` (possible only if the cap was lowered with it) keeps its
	/// positions, all indexed up to `MaxLiveSeries` (they can only be reduced); single block:
	/// a read per entry and a write per account with a position, refused by `pre_upgrade`
	/// beyond [`MAX_ENTRIES`].
	pub struct UncheckedMigrateV3ToV4<T>(core::marker::PhantomData<T>);

	/// Most `Positions` entries the single-block migration handles, checked by `pre_upgrade`
	/// (at the runtime's ParityDB weights: 10,000 reads and at most 10,000 writes, about 0.31 s
	/// of the 0.667 s block).
	pub const MAX_ENTRIES: u32 = 10_000;

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV3ToV4<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut held: alloc::collections::btree_map::BTreeMap<
				T::AccountId,
				alloc::vec::Vec<SeriesId>,
			> = Default::default();
			let mut entries: u64 = 0;
			for (series, who, e) in Positions::<T>::iter() {
				entries = entries.saturating_add(1);
				if e.net != 0 {
					held.entry(who).or_default().push(series);
				}
			}
			let accounts = held.len() as u64;
			for (who, mut list) in held {
				list.sort_unstable();
				// At most `MaxLiveSeries` series exist, so it always fits.
				PositionSeriesIndex::<T>::insert(who, BoundedVec::truncate_from(list));
			}
			T::DbWeight::get().reads_writes(entries, accounts)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			ensure!(
				PositionSeriesIndex::<T>::iter_keys().next().is_none(),
				"v4 pre_upgrade: a position index exists already"
			);
			let entries = Positions::<T>::iter_keys().count();
			ensure!(
				entries <= MAX_ENTRIES as usize,
				"v4 pre_upgrade: too many position entries for one block"
			);
			let held = Positions::<T>::iter_values().filter(|e| e.net != 0).count() as u64;
			Ok(held.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let held = u64::decode(&mut &state[..])
				.map_err(|_| "v4 post_upgrade: bad pre_upgrade state")?;
			let mut indexed: u64 = 0;
			for (who, list) in PositionSeriesIndex::<T>::iter() {
				ensure!(
					list.iter().zip(list.iter().skip(1)).all(|(a, b)| a < b),
					"v4 post_upgrade: an index not sorted"
				);
				for s in list.iter() {
					ensure!(
						Positions::<T>::get(s, &who).is_some_and(|e| e.net != 0),
						"v4 post_upgrade: an index entry without a position"
					);
				}
				indexed = indexed.saturating_add(list.len() as u64);
			}
			ensure!(indexed == held, "v4 post_upgrade: positions not indexed");
			Ok(())
		}
	}

	/// v3 -> v4, run once (checked against the on-chain storage version).
	pub type MigrateV3ToV4<T> = VersionedMigration<
		3,
		4,
		UncheckedMigrateV3ToV4<T>,
		crate::pallet::Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// The v4 -> v5 migration.
pub mod v5 {
	use super::{v4::PositionSeriesIndex, *};
	#[cfg(feature = "try-runtime")]
	use frame_support::traits::Contains;
	use optionchain_primitives::exchange::MarginAccounts;

	/// Notes every series of every account's `PositionSeriesIndex` to the margin ledger
	/// ([`MarginAccounts::note_position`]) and removes the index (no version check: use
	/// [`MigrateV4ToV5`]). Each account's series are noted up to what a ledger entry can
	/// list (`max_position_series`, 64), not its cap: before v4 no account could hold
	/// positions in more than `MaxSeriesPerAccount` = 32 series, and since v4 no capped
	/// account in more than `MaxPositionSeriesPerAccount` = 32, so every note fits; an account
	/// above (possible only with other constants) would have positions its maintenance view
	/// misses, so `pre_upgrade` refuses the upgrade then, and a failed note is logged and
	/// caught by `post_upgrade`. The uncapped (insurance) account is noted too, which the
	/// margin pallet ignores.
	pub struct UncheckedMigrateV4ToV5<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV4ToV5<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut accounts: u64 = 0;
			let mut notes: u64 = 0;
			for (who, list) in PositionSeriesIndex::<T>::drain() {
				accounts = accounts.saturating_add(1);
				let cap = T::Margin::max_position_series();
				for series in list {
					notes = notes.saturating_add(1);
					if T::Margin::note_position(&who, series, true, cap).is_err() {
						log::error!(
							target: crate::LOG_TARGET,
							"v5: series {series} of an account not listed (over its cap)"
						);
					}
				}
			}
			// The index read and removed per account; each note reads and writes a ledger
			// entry (at most one per account, counted per note).
			T::DbWeight::get().reads_writes(
				accounts.saturating_add(notes).saturating_add(1),
				accounts.saturating_add(notes),
			)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let mut old: alloc::vec::Vec<(T::AccountId, alloc::vec::Vec<SeriesId>)> =
				alloc::vec::Vec::new();
			let mut entries: u32 = 0;
			for (who, list) in PositionSeriesIndex::<T>::iter() {
				entries = entries.saturating_add(list.len() as u32);
				ensure!(
					T::UncappedAccounts::contains(&who)
						|| list.len() as u32 <= T::Margin::max_position_series(),
					"v5 pre_upgrade: an account holds positions in more series than a ledger \
					 entry lists"
				);
				old.push((who, list.into_inner()));
			}
			ensure!(
				entries <= v4::MAX_ENTRIES,
				"v5 pre_upgrade: too many listed positions for one block"
			);
			Ok(old.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let old = alloc::vec::Vec::<(T::AccountId, alloc::vec::Vec<SeriesId>)>::decode(
				&mut &state[..],
			)
			.map_err(|_| "v5 post_upgrade: bad pre_upgrade state")?;
			ensure!(
				PositionSeriesIndex::<T>::iter_keys().next().is_none(),
				"v5 post_upgrade: the old index is left"
			);
			for (who, list) in old {
				let listed = T::Margin::position_series(&who);
				ensure!(
					listed == list || (T::UncappedAccounts::contains(&who) && listed.is_empty()),
					"v5 post_upgrade: an account's positions are not listed"
				);
			}
			Ok(())
		}
	}

	/// v4 -> v5, run once (checked against the on-chain storage version).
	pub type MigrateV4ToV5<T> = VersionedMigration<
		4,
		5,
		UncheckedMigrateV4ToV5<T>,
		crate::pallet::Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
