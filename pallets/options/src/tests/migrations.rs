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
		crate::migrations::v4::MigrateV3ToV4::<Test>::on_runtime_upgrade();
		assert_eq!(Options::on_chain_storage_version(), StorageVersion::new(4));
		crate::migrations::v5::MigrateV4ToV5::<Test>::on_runtime_upgrade();
		assert_eq!(Options::on_chain_storage_version(), StorageVersion::new(5));
		assert_ok!(Options::cancel_order(RuntimeOrigin::signed(ALICE), 2));
	})
}

#[test]
fn migrations_v4_and_v5_list_the_series_with_a_position_in_the_margin_ledger() {
	use crate::migrations::{
		v4::{MigrateV3ToV4, PositionSeriesIndex},
		v5::MigrateV4ToV5,
	};
	#[cfg(feature = "try-runtime")]
	use {
		crate::migrations::{v4::UncheckedMigrateV3ToV4, v5::UncheckedMigrateV4ToV5},
		frame_support::traits::UncheckedOnRuntimeUpgrade,
	};
	build_and_execute(|| {
		// DAVE is long in two series and bids in a third; ALICE short in the two; BOB only
		// rests an ask.
		let s: Vec<_> = (0..3u128).map(|k| list(60_000 + 1_000 * k, OptionKind::Call)).collect();
		gtc(DAVE, s[2], Side::Buy, 10 * USDC, 1);
		gtc(BOB, s[2], Side::Sell, 50 * USDC, 1);
		for x in &s[..2] {
			gtc(ALICE, *x, Side::Sell, 10 * USDC, 1);
			gtc(DAVE, *x, Side::Buy, 10 * USDC, 1);
		}
		let mut expected: Vec<_> = Listed::iter().collect();
		expected.sort();
		assert_eq!(expected, vec![(ALICE, s[..2].to_vec()), (DAVE, s[..2].to_vec())]);
		// v3 had no list anywhere (the margin ledger's is new with v5 too).
		let _ = Listed::clear(u32::MAX, None);
		StorageVersion::new(3).put::<Options>();
		#[cfg(feature = "try-runtime")]
		let state = UncheckedMigrateV3ToV4::<Test>::pre_upgrade().expect("pre_upgrade");
		let weight = MigrateV3ToV4::<Test>::on_runtime_upgrade();
		#[cfg(feature = "try-runtime")]
		assert_ok!(UncheckedMigrateV3ToV4::<Test>::post_upgrade(state));
		assert_eq!(Options::on_chain_storage_version(), StorageVersion::new(4));
		let mut v4: Vec<_> =
			PositionSeriesIndex::<Test>::iter().map(|(w, l)| (w, l.into_inner())).collect();
		v4.sort();
		assert_eq!(v4, expected);
		// Six entries read (DAVE 3, ALICE 2, BOB 1), two accounts written, and the version.
		assert_eq!(weight, db_weight().reads_writes(6 + 1, 2 + 1));
		// v4 -> v5: the index is handed to the margin ledger and removed.
		#[cfg(feature = "try-runtime")]
		let state = UncheckedMigrateV4ToV5::<Test>::pre_upgrade().expect("pre_upgrade");
		let weight = MigrateV4ToV5::<Test>::on_runtime_upgrade();
		#[cfg(feature = "try-runtime")]
		assert_ok!(UncheckedMigrateV4ToV5::<Test>::post_upgrade(state));
		assert_eq!(Options::on_chain_storage_version(), StorageVersion::new(5));
		assert!(PositionSeriesIndex::<Test>::iter_keys().next().is_none());
		let mut listed: Vec<_> = Listed::iter().collect();
		listed.sort();
		assert_eq!(listed, expected);
		// Two indexes read and removed, four notes (a ledger entry read and written each),
		// the drain's last read, and the version.
		assert_eq!(weight, db_weight().reads_writes(2 + 4 + 1 + 1, 2 + 4 + 1));
		// Each runs once.
		MigrateV3ToV4::<Test>::on_runtime_upgrade();
		MigrateV4ToV5::<Test>::on_runtime_upgrade();
		assert!(PositionSeriesIndex::<Test>::iter_keys().next().is_none());
		let mut again: Vec<_> = Listed::iter().collect();
		again.sort();
		assert_eq!(again, expected);
	})
}
