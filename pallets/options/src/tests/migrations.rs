//! Storage v0 -> v1: the order lists gain each order's series and side; `OrderLocations` goes.

use crate::{
	migrations::{
		v1::{self, MigrateV0ToV1, OrderLocation, OrderLocations},
		v2::{self, BookOrderV1, MigrateV1ToV2},
	},
	mock::*,
	*,
};
use frame_support::{
	assert_ok,
	traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
	BoundedVec,
};
use optionchain_primitives::exchange::{OptionKind, Side};

#[test]
fn migration_v1_merges_the_order_index_into_the_owners_lists() {
	build_and_execute(|| {
		let s1 = list(60_000, OptionKind::Call);
		let s2 = list(61_000, OptionKind::Put);
		gtc(ALICE, s1, Side::Buy, 10 * USDC, 1); // 0
		gtc(BOB, s1, Side::Sell, 20 * USDC, 2); // 1
		gtc(ALICE, s2, Side::Sell, 30 * USDC, 1); // 2
		let lists: Vec<(u64, Vec<OrderRef>)> =
			[ALICE, BOB].map(|w| (w, AccountOrders::<Test>::get(w).into_inner())).to_vec();
		assert_eq!(
			lists[0].1,
			vec![
				OrderRef { id: 0, series: s1, side: Side::Buy },
				OrderRef { id: 2, series: s2, side: Side::Sell }
			]
		);
		// The same orders as v0 stored them: ids per account, locations by id.
		for (who, refs) in &lists {
			let ids: BoundedVec<OrderId, frame_support::traits::ConstU32<12>> =
				refs.iter().map(|r| r.id).collect::<Vec<_>>().try_into().unwrap();
			v1::AccountOrders::<Test>::insert(who, ids);
			for r in refs {
				OrderLocations::<Test>::insert(
					r.id,
					OrderLocation { owner: *who, series: r.series, side: r.side },
				);
			}
		}
		// The books as v0 and v1 stored them (no good-till field).
		for (series, side, book) in crate::Books::<Test>::iter().collect::<Vec<_>>() {
			let old: Vec<BookOrderV1<u64>> = book
				.into_iter()
				.map(|o| BookOrderV1 {
					id: o.id,
					owner: o.owner,
					price: o.price,
					remaining: o.remaining,
					reduce_only: o.reduce_only,
				})
				.collect();
			v2::Books::<Test>::insert(series, side, BoundedVec::truncate_from(old));
		}
		StorageVersion::new(0).put::<Options>();
		MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Options::on_chain_storage_version(), StorageVersion::new(1));
		for (who, refs) in &lists {
			assert_eq!(&AccountOrders::<Test>::get(who).into_inner(), refs);
		}
		assert!(OrderLocations::<Test>::iter_keys().next().is_none());
		// Runs once.
		MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(AccountOrders::<Test>::get(BOB).into_inner(), lists[1].1);
		// Then v1 -> v2 -> v3, as the runtime's list runs them; the orders still cancel by id.
		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(Options::on_chain_storage_version(), StorageVersion::new(2));
		crate::migrations::v3::MigrateV2ToV3::<Test>::on_runtime_upgrade();
		assert_eq!(Options::on_chain_storage_version(), StorageVersion::new(3));
		assert_ok!(Options::cancel_order(RuntimeOrigin::signed(ALICE), 2));
	})
}
