//! The trigger index (`trigger.rs`): entries follow the stored bands by difference, a visit
//! returns exactly the accounts whose edge lies in the buckets crossed, in bucket order, with
//! one read per account plus one; a property test against a brute-force scan of the bands.

use crate::{
	mock::*,
	trigger::{EdgeBuckets, EdgeKind, StoredBand, Touched},
	*,
};
use codec::Encode;
use proptest::prelude::*;

fn stored(deadline: u64, edges: &[(u32, u16, u16, u16, u16)]) -> StoredBand {
	StoredBand {
		deadline,
		edges: edges
			.iter()
			.map(|(u, pl, ph, vl, vh)| EdgeBuckets {
				underlying: *u,
				price_lo: *pl,
				price_hi: *ph,
				vol_lo: *vl,
				vol_hi: *vh,
			})
			.collect::<Vec<_>>()
			.try_into()
			.unwrap(),
	}
}

fn due(
	u: u32,
	kind: EdgeKind,
	from: u16,
	to: u16,
	max: u32,
) -> (Vec<(u16, AccountId)>, bool, Touched) {
	Margin::due_accounts(u, kind, from, to, max)
}

#[test]
fn visits_return_the_crossed_edges_in_bucket_order() {
	build_and_execute(|| {
		// BTC price buckets: ALICE [100, 120], BOB [110, 130], CHARLIE [90, 140].
		Margin::set_band(&ALICE, Some(stored(1, &[(BTC, 100, 120, 10, 20)])));
		Margin::set_band(&BOB, Some(stored(1, &[(BTC, 110, 130, 10, 20)])));
		Margin::set_band(&CHARLIE, Some(stored(1, &[(BTC, 90, 140, 10, 20), (ETH, 5, 6, 7, 8)])));
		Margin::check_trigger_index().unwrap();
		// A move down from 115 to 95: lo edges in [95, 115]: ALICE (100), BOB (110).
		let (found, done, t) = due(BTC, EdgeKind::PriceLo, 95, 115, 10);
		assert_eq!(found, vec![(100, ALICE), (110, BOB)]);
		assert!(done);
		assert_eq!(t, Touched { reads: 3, writes: 0 });
		// Up from 115 to 135: hi edges in [115, 135]: ALICE (120), BOB (130).
		let (found, ..) = due(BTC, EdgeKind::PriceHi, 115, 135, 10);
		assert_eq!(found, vec![(120, ALICE), (130, BOB)]);
		// At most one: the rest is left for later.
		let (found, done, t) = due(BTC, EdgeKind::PriceHi, 115, 150, 1);
		assert_eq!((found, done, t.reads), (vec![(120, ALICE)], false, 2));
		// Bucket 0 up to the top: everything of the kind, nothing of another underlying.
		let (found, ..) = due(ETH, EdgeKind::VolHi, 0, u16::MAX, 10);
		assert_eq!(found, vec![(8, CHARLIE)]);
		// Nothing crossed: one read.
		let (found, done, t) = due(BTC, EdgeKind::PriceLo, 101, 109, 10);
		assert_eq!((found.len(), done, t.reads), (0, true, 1));
		let (found, done, t) = due(BTC, EdgeKind::PriceLo, 200, 100, 10);
		assert_eq!((found.len(), done, t.reads), (0, true, 0));
	})
}

#[test]
fn bands_update_the_index_by_difference() {
	build_and_execute(|| {
		let t = Margin::set_band(&ALICE, Some(stored(1, &[(BTC, 100, 120, 10, 20)])));
		assert_eq!(t, Touched { reads: 1, writes: 5 });
		// Only the high edge moved: one removal, one insertion, the band.
		let t = Margin::set_band(&ALICE, Some(stored(2, &[(BTC, 100, 125, 10, 20)])));
		assert_eq!(t, Touched { reads: 1, writes: 3 });
		assert_eq!(due(BTC, EdgeKind::PriceHi, 0, 200, 10).0, vec![(125, ALICE)]);
		// Unchanged: one read, nothing written.
		let t = Margin::set_band(&ALICE, Some(stored(2, &[(BTC, 100, 125, 10, 20)])));
		assert_eq!(t, Touched { reads: 1, writes: 0 });
		// Removed: four entries and the band.
		let t = Margin::set_band(&ALICE, None);
		assert_eq!(t, Touched { reads: 1, writes: 5 });
		assert_eq!(TriggerIndex::<Test>::iter().count(), 0);
		Margin::check_trigger_index().unwrap();
	})
}

#[test]
fn a_band_without_underlyings_or_with_one_twice_is_not_stored() {
	use crate::band::{Band, UnderlyingBand};
	use optionchain_pricing::Fixed;
	let band = Band { deadline: 1, slack: 5, underlyings: vec![] };
	assert_eq!(StoredBand::from_band(&band), None);
	let u = |underlying| UnderlyingBand {
		underlying,
		lo: Fixed::from_inner(100),
		hi: Fixed::from_inner(200),
		vol_lo: Fixed::ZERO,
		vol_hi: Fixed::ONE,
	};
	let twice = Band { deadline: 1, slack: 5, underlyings: vec![u(BTC), u(ETH), u(BTC)] };
	assert_eq!(StoredBand::from_band(&twice), None);
	let once = Band { deadline: 1, slack: 5, underlyings: vec![u(BTC), u(ETH)] };
	assert_eq!(StoredBand::from_band(&once).map(|b| b.edges.len()), Some(2));
	build_and_execute(|| {
		// An empty band is a removal.
		Margin::set_band(&ALICE, Some(stored(1, &[(BTC, 1, 2, 3, 4)])));
		let empty = StoredBand { deadline: 1, edges: Default::default() };
		let t = Margin::set_band(&ALICE, Some(empty));
		assert_eq!(t, Touched { reads: 1, writes: 5 });
		assert_eq!(Bands::<Test>::get(ALICE), None);
	});
}

#[derive(Debug, Clone)]
enum Op {
	Set { who: u64, edges: Vec<(u32, u16, u16, u16, u16)> },
	Clear { who: u64 },
}

fn op() -> impl Strategy<Value = Op> {
	let edge = (0u32..3, 0u16..40, 0u16..40, 0u16..40, 0u16..40);
	prop_oneof![
		4 => (1u64..8, prop::collection::vec(edge, 1..3)).prop_map(|(who, mut edges)| {
			edges.sort_by_key(|e| e.0);
			edges.dedup_by_key(|e| e.0);
			Op::Set { who, edges }
		}),
		1 => (1u64..8).prop_map(|who| Op::Clear { who }),
	]
}

proptest! {
	/// After any sequence of band changes the index matches the bands, and every visit of
	/// every range returns what a scan of all bands finds, in bucket then key order, one read
	/// per account plus one.
	#[test]
	fn index_matches_a_scan_of_the_bands(ops in prop::collection::vec(op(), 1..30), ranges in prop::collection::vec((0u32..3, 0u8..4, 0u16..45, 0u16..45, 1u32..6), 1..10)) {
		build_and_execute(|| {
			for o in &ops {
				match o {
					Op::Set { who, edges } => { Margin::set_band(who, Some(stored(1, edges))); },
					Op::Clear { who } => { Margin::set_band(who, None); },
				}
			}
			Margin::check_trigger_index().unwrap();
			let kinds = [EdgeKind::PriceLo, EdgeKind::PriceHi, EdgeKind::VolLo, EdgeKind::VolHi];
			for (u, k, a, b, max) in &ranges {
				let kind = kinds[usize::from(*k)];
				let (from, to) = (*a.min(b), *a.max(b));
				let mut expected: Vec<(u16, AccountId)> = Bands::<Test>::iter()
					.flat_map(|(who, band)| {
						band.edges.iter().filter(|e| e.underlying == *u).flat_map(|e| e.entries()).filter(|(kk, bb)| *kk == kind && *bb >= from && *bb <= to).map(|(_, bb)| (bb, who)).collect::<Vec<_>>()
					})
					.collect();
				expected.sort_by_key(|(bb, who)| (*bb, who.encode()));
				let (found, done, t) = due(*u, kind, from, to, *max);
				let n = expected.len().min(*max as usize);
				assert_eq!(found, expected[..n].to_vec());
				assert_eq!(done, expected.len() <= *max as usize);
				assert_eq!(t.reads, n as u64 + 1);
			}
		});
	}
}
