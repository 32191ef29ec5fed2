//! The trigger index (`trigger.rs`): entries follow the stored bands (in full for an account
//! that is not hot, a subset for a hot one), a visit
//! returns exactly the accounts whose edge lies in the buckets crossed, in bucket order, with
//! one read per account plus one; a property test against a brute-force scan of the bands.

use crate::{
	mock::*,
	trigger::{order_key, DeadlineKey, EdgeBuckets, EdgeKind, IndexKey, StoredBand, Touched},
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

fn set(who: AccountId, band: Option<StoredBand>) -> Touched {
	if let Some(b) = &band {
		Margin::register_underlyings(b).unwrap();
	}
	Margin::set_band(&who, band)
}

fn due(u: u32, kind: EdgeKind, current: u16, max: u32) -> (Vec<(u16, AccountId)>, bool, Touched) {
	Margin::due_entries(u, kind, current, max)
}

#[test]
fn visits_return_the_crossed_edges_most_breached_first() {
	build_and_execute(|| {
		// BTC price buckets: ALICE [100, 120], BOB [110, 130], CHARLIE [90, 140].
		set(ALICE, Some(stored(1, &[(BTC, 100, 120, 10, 20)])));
		set(BOB, Some(stored(2, &[(BTC, 110, 130, 10, 20)])));
		set(CHARLIE, Some(stored(3, &[(BTC, 90, 140, 10, 20), (ETH, 5, 6, 7, 8)])));
		Margin::check_trigger_index().unwrap();
		// The price falls to bucket 95: lo edges at or above it are due, the highest first:
		// BOB (110), ALICE (100); not CHARLIE (90). One read per account plus one.
		let (found, done, t) = due(BTC, EdgeKind::PriceLo, 95, 10);
		assert_eq!(found, vec![(110, BOB), (100, ALICE)]);
		assert!(done);
		assert_eq!(t, Touched { reads: 3, writes: 0 });
		// It rises to 135: hi edges at or below it, the lowest first: ALICE (120), BOB (130).
		let (found, ..) = due(BTC, EdgeKind::PriceHi, 135, 10);
		assert_eq!(found, vec![(120, ALICE), (130, BOB)]);
		// At most one: the rest is left for later.
		let (found, done, t) = due(BTC, EdgeKind::PriceHi, 150, 1);
		assert_eq!((found, done, t.reads), (vec![(120, ALICE)], false, 2));
		// Everything of the kind, nothing of another underlying.
		let (found, ..) = due(ETH, EdgeKind::VolHi, u16::MAX, 10);
		assert_eq!(found, vec![(8, CHARLIE)]);
		// Between the edges nothing is due: one read. An edge is due in its own bucket.
		let (found, done, t) = due(BTC, EdgeKind::PriceLo, 111, 10);
		assert_eq!((found.len(), done, t.reads), (0, true, 1));
		assert_eq!(due(BTC, EdgeKind::PriceLo, 110, 10).0, vec![(110, BOB)]);
		assert_eq!(due(BTC, EdgeKind::PriceHi, 119, 10).0, vec![]);
		// Deadlines before 3 ms: ALICE (1), BOB (2), earliest first.
		let (found, done, t) = Margin::due_deadlines(3, 10);
		assert_eq!((found, done, t.reads), (vec![(1, ALICE), (2, BOB)], true, 3));
		assert_eq!(Margin::due_deadlines(1, 10).0, vec![]);
	})
}

#[test]
fn a_band_is_indexed_in_full_and_the_old_bands_other_entries_removed() {
	build_and_execute(|| {
		// Four entries, the deadline and the band.
		let t = set(ALICE, Some(stored(1, &[(BTC, 100, 120, 10, 20)])));
		assert_eq!(t, Touched { reads: 1, writes: 6 });
		// Only the high edge moved: the old one removed, the four written, the deadline, the
		// band.
		let t = set(ALICE, Some(stored(1, &[(BTC, 100, 125, 10, 20)])));
		assert_eq!(t, Touched { reads: 1, writes: 7 });
		assert_eq!(due(BTC, EdgeKind::PriceHi, 200, 10).0, vec![(125, ALICE)]);
		// A new deadline: the old one removed, the new one written.
		let t = set(ALICE, Some(stored(2, &[(BTC, 100, 125, 10, 20)])));
		assert_eq!(t, Touched { reads: 1, writes: 7 });
		assert_eq!(DeadlineIndex::<Test>::iter_keys().count(), 1);
		// The trigger step removes the entry that finds an account and leaves its band,
		// stale, with its other entries (the account is hot).
		let hi = IndexKey { bucket: order_key(EdgeKind::PriceHi, 125).to_be_bytes(), who: ALICE };
		TriggerIndex::<Test>::remove((BTC, EdgeKind::PriceHi), hi.clone());
		Hot::<Test>::insert(ALICE, 1);
		Margin::check_trigger_index().unwrap();
		// The same band again (banded anew with the same edges): every entry is written, so
		// the one removed is back.
		let t = set(ALICE, Some(stored(2, &[(BTC, 100, 125, 10, 20)])));
		assert_eq!(t, Touched { reads: 1, writes: 6 });
		assert!(TriggerIndex::<Test>::contains_key((BTC, EdgeKind::PriceHi), hi));
		Hot::<Test>::remove(ALICE);
		Margin::check_trigger_index().unwrap();
		// Removed: four entries, the deadline and the band.
		let t = Margin::set_band(&ALICE, None);
		assert_eq!(t, Touched { reads: 1, writes: 6 });
		assert_eq!(TriggerIndex::<Test>::iter().count(), 0);
		// Nothing to remove: one read.
		assert_eq!(Margin::set_band(&ALICE, None), Touched { reads: 1, writes: 0 });
		Margin::check_trigger_index().unwrap();
	})
}

/// `try_state` refuses a band of an account that is not hot whose entry is missing (only a
/// hot account's band may be partly indexed).
#[test]
fn a_cold_band_must_be_indexed_in_full() {
	build_and_execute(|| {
		set(ALICE, Some(stored(1, &[(BTC, 100, 120, 10, 20)])));
		let lo = IndexKey { bucket: order_key(EdgeKind::PriceLo, 100).to_be_bytes(), who: ALICE };
		TriggerIndex::<Test>::remove((BTC, EdgeKind::PriceLo), lo);
		assert_eq!(Margin::check_trigger_index(), Err("a band edge is not indexed"));
		Hot::<Test>::insert(ALICE, 1);
		Margin::check_trigger_index().unwrap();
		Hot::<Test>::remove(ALICE);
		DeadlineIndex::<Test>::remove(DeadlineKey { at: 1u64.to_be_bytes(), who: ALICE });
		assert_eq!(Margin::check_trigger_index(), Err("a band's deadline is not indexed"));
		// (Removed, for the test's closing `try_state`.)
		Margin::set_band(&ALICE, None);
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
		set(ALICE, Some(stored(1, &[(BTC, 1, 2, 3, 4)])));
		let empty = StoredBand { deadline: 1, edges: Default::default() };
		let t = Margin::set_band(&ALICE, Some(empty));
		assert_eq!(t, Touched { reads: 1, writes: 6 });
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
	/// After any sequence of band changes the index matches the bands, and every visit at
	/// every current bucket returns what a scan of all bands finds due, most breached first
	/// (then by key), one read per account plus one.
	#[test]
	fn index_matches_a_scan_of_the_bands(ops in prop::collection::vec(op(), 1..30), visits in prop::collection::vec((0u32..3, 0u8..4, 0u16..45, 1u32..6), 1..10)) {
		build_and_execute(|| {
			for o in &ops {
				match o {
					Op::Set { who, edges } => { set(*who, Some(stored(1, edges))); },
					Op::Clear { who } => { Margin::set_band(who, None); },
				}
			}
			Margin::check_trigger_index().unwrap();
			let kinds = [EdgeKind::PriceLo, EdgeKind::PriceHi, EdgeKind::VolLo, EdgeKind::VolHi];
			for (u, k, c, max) in &visits {
				let kind = kinds[usize::from(*k)];
				let is_due = |b: u16| if kind.is_lo() { *c <= b } else { *c >= b };
				let mut expected: Vec<(u16, AccountId)> = Bands::<Test>::iter()
					.flat_map(|(who, band)| {
						band.edges.iter().filter(|e| e.underlying == *u).flat_map(|e| e.entries()).filter(|(kk, bb)| *kk == kind && is_due(*bb)).map(|(_, bb)| (bb, who)).collect::<Vec<_>>()
					})
					.collect();
				expected.sort_by_key(|(bb, who)| (if kind.is_lo() { !*bb } else { *bb }, who.encode()));
				let (found, done, t) = due(*u, kind, *c, *max);
				let n = expected.len().min(*max as usize);
				assert_eq!(found, expected[..n].to_vec());
				assert_eq!(done, expected.len() <= *max as usize);
				assert_eq!(t.reads, n as u64 + 1);
			}
		});
	}
}
