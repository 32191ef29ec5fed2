//! The trigger index (issue 14, steps 13 and 14 of `design/trigger-bands-and-lean-engine.md`):
//! every stored trigger band's edges, keyed by underlying, edge kind and the edge's [`bucket`],
//! and every band's deadline, so that the trigger step (`step.rs`) finds exactly the accounts
//! whose band the canonical price, volatility or time has left, most breached first, with one
//! storage read per account found plus one per list, whatever the number of accounts indexed.
//!
//! Semantics of an entry (its bucket `b`, the canonical value's bucket `c`):
//! - `PriceLo` / `VolLo` (the band's `lo` / `vol_lo`): due when `c <= b`. A value below the edge
//!   has a bucket at most the edge's (buckets are monotone), so a crossing is never missed; it
//!   may be found up to one bucket (1/128) early.
//! - `PriceHi` / `VolHi`: due when `c >= b`.
//!
//! **Order.** An entry's key starts with its *order key*: `b` for a `Hi` entry, `!b` (that is
//! `u16::MAX - b`) for a `Lo` entry, big-endian under the identity hasher. So every list
//! iterates from its most breached entry (the highest `lo`, the lowest `hi`), and the due
//! entries of a list are exactly its prefix with order key `<=` the current value's: a visit
//! reads from the start of the list and stops at the first entry not due. No level or cursor
//! is kept: the trigger step removes every entry it visits (the account is re-evaluated, and
//! re-banded later), so what a step could not finish is simply still at the front next block.
//!
//! **Deadlines.** [`DeadlineIndex`] keys `(deadline, account)`, big-endian: the accounts whose
//! band ran out are its prefix with deadline `<` now.

use crate::{
	band::{bucket, repeats, Band},
	pallet::*,
};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::pallet_prelude::*;
use optionchain_primitives::{Moment, UnderlyingId};
use scale_info::TypeInfo;

/// Most underlyings a stored band covers (an account holding more has no band: it is
/// re-evaluated by the sweep only).
pub const MAX_BAND_UNDERLYINGS: u32 = 16;

/// Most underlyings the trigger index lists (`TriggerUnderlyings`); a band on a further one is
/// not stored (its account stays hot).
pub const MAX_TRIGGER_UNDERLYINGS: u32 = 64;

/// Which edge of a band an index entry stands for.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
)]
pub enum EdgeKind {
	/// The lowest index price of the band: due when the price's bucket falls to it.
	PriceLo,
	/// The highest index price: due when the price's bucket rises to it.
	PriceHi,
	/// The lowest volatility.
	VolLo,
	/// The highest volatility.
	VolHi,
}

impl EdgeKind {
	/// Whether entries of this kind are due on a move down (else on a move up).
	pub fn is_lo(self) -> bool {
		matches!(self, EdgeKind::PriceLo | EdgeKind::VolLo)
	}
}

/// The second key of a [`TriggerIndex`] entry: the edge's order key ([`order_key`]),
/// big-endian so that entries iterate most breached first under the identity hasher, then the
/// account.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct IndexKey<AccountId> {
	/// `order_key(kind, bucket).to_be_bytes()`.
	pub bucket: [u8; 2],
	/// The account.
	pub who: AccountId,
}

/// The order key of an edge of `kind` in bucket `b`: `b` for a `Hi` edge, `!b` for a `Lo` edge
/// (so that both kinds of list start with their most breached entry). Its own inverse.
pub fn order_key(kind: EdgeKind, b: u16) -> u16 {
	if kind.is_lo() {
		!b
	} else {
		b
	}
}

/// The key of a [`DeadlineIndex`] entry: the band's deadline (ms), big-endian so that entries
/// iterate earliest first under the identity hasher, then the account.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct DeadlineKey<AccountId> {
	/// `deadline.to_be_bytes()`: the band's deadline, ms since the Unix epoch (`u64`,
	/// big-endian).
	pub at: [u8; 8],
	/// The account.
	pub who: AccountId,
}

/// The buckets of one underlying's box in a stored band: `band::bucket` of each edge's
/// 18-decimal inner value (USD per unit of the underlying for prices, annualised fraction for
/// volatilities), a log scale with buckets at most 1/128 of their values wide.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct EdgeBuckets {
	/// The underlying.
	pub underlying: UnderlyingId,
	/// `bucket(lo)`.
	pub price_lo: u16,
	/// `bucket(hi)`.
	pub price_hi: u16,
	/// `bucket(vol_lo)`.
	pub vol_lo: u16,
	/// `bucket(vol_hi)`.
	pub vol_hi: u16,
}

impl EdgeBuckets {
	/// The four index entries `(kind, bucket)` of this box.
	pub fn entries(&self) -> [(EdgeKind, u16); 4] {
		[
			(EdgeKind::PriceLo, self.price_lo),
			(EdgeKind::PriceHi, self.price_hi),
			(EdgeKind::VolLo, self.vol_lo),
			(EdgeKind::VolHi, self.vol_hi),
		]
	}
}

/// A band as the index stores it.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct StoredBand {
	/// Last block time the band holds for, ms since the Unix epoch.
	pub deadline: Moment,
	/// One box per underlying held.
	pub edges: BoundedVec<EdgeBuckets, ConstU32<MAX_BAND_UNDERLYINGS>>,
}

/// Storage reads and writes an index operation made (for the weight of its caller).
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct Touched {
	/// Storage reads.
	pub reads: u64,
	/// Storage writes (insertions and removals).
	pub writes: u64,
}

/// Bucket of a non-negative 18-decimal value (a negative one is bucket 0).
pub(crate) fn bucket_of(x: optionchain_pricing::Fixed) -> u16 {
	bucket(u128::try_from(x.into_inner()).unwrap_or(0))
}

impl StoredBand {
	/// The stored form of `band`, or `None` if it covers no underlying (nothing to trigger),
	/// more than the index holds, or one underlying twice (one box per underlying: the index
	/// keys an entry by underlying and edge kind).
	pub fn from_band(band: &Band) -> Option<StoredBand> {
		if band.underlyings.is_empty() {
			return None;
		}
		if repeats(band.underlyings.iter().map(|u| u.underlying)) {
			return None;
		}
		let edges: Vec<EdgeBuckets> = band
			.underlyings
			.iter()
			.map(|u| EdgeBuckets {
				underlying: u.underlying,
				price_lo: bucket_of(u.lo),
				price_hi: bucket_of(u.hi),
				vol_lo: bucket_of(u.vol_lo),
				vol_hi: bucket_of(u.vol_hi),
			})
			.collect();
		Some(StoredBand { deadline: band.deadline, edges: BoundedVec::try_from(edges).ok()? })
	}

	fn entries(&self) -> impl Iterator<Item = ((UnderlyingId, EdgeKind), u16)> + '_ {
		self.edges
			.iter()
			.flat_map(|e| e.entries().into_iter().map(move |(k, b)| ((e.underlying, k), b)))
	}
}

impl<T: Config> Pallet<T> {
	/// Store `who`'s band (or remove it with `None`) and index it: the old band's entries
	/// that the new one does not have are removed, and every entry of the new one (and its
	/// deadline) is written, whether or not the old band had it: the trigger step removes the
	/// entries it finds one by one and leaves the rest of a stale band (a hot account's) in
	/// place, so an entry both bands share may be gone. The band's underlyings must be
	/// registered ([`Self::register_underlyings`]).
	pub fn set_band(who: &T::AccountId, new: Option<StoredBand>) -> Touched {
		// A band without edges triggers nothing: not stored.
		let new = new.filter(|b| !b.edges.is_empty());
		let mut t = Touched { reads: 1, writes: 0 };
		let old = Bands::<T>::get(who);
		if old.is_none() && new.is_none() {
			return t;
		}
		let key = |k: EdgeKind, b: u16| IndexKey {
			bucket: order_key(k, b).to_be_bytes(),
			who: who.clone(),
		};
		let old_entries: Vec<_> = old.iter().flat_map(|b| b.entries()).collect();
		let new_entries: Vec<_> = new.iter().flat_map(|b| b.entries()).collect();
		for (k1, b) in old_entries.iter() {
			if !new_entries.contains(&(*k1, *b)) {
				TriggerIndex::<T>::remove(k1, key(k1.1, *b));
				t.writes = t.writes.saturating_add(1);
			}
		}
		for (k1, b) in new_entries.iter() {
			TriggerIndex::<T>::insert(k1, key(k1.1, *b), ());
			t.writes = t.writes.saturating_add(1);
		}
		let old_at = old.as_ref().map(|b| b.deadline);
		let new_at = new.as_ref().map(|b| b.deadline);
		let dkey = |at: Moment| DeadlineKey { at: at.to_be_bytes(), who: who.clone() };
		if let Some(at) = old_at.filter(|at| Some(*at) != new_at) {
			DeadlineIndex::<T>::remove(dkey(at));
			t.writes = t.writes.saturating_add(1);
		}
		if let Some(at) = new_at {
			DeadlineIndex::<T>::insert(dkey(at), ());
			t.writes = t.writes.saturating_add(1);
		}
		match new {
			Some(b) => Bands::<T>::insert(who, b),
			None => Bands::<T>::remove(who),
		}
		t.writes = t.writes.saturating_add(1);
		t
	}

	/// Add the underlyings of `band` to [`TriggerUnderlyings`] (the lists the trigger step
	/// reads); `None` (nothing written) if they do not all fit.
	pub fn register_underlyings(band: &StoredBand) -> Option<Touched> {
		let mut list = TriggerUnderlyings::<T>::get();
		let mut changed = false;
		for e in band.edges.iter() {
			if !list.contains(&e.underlying) {
				list.try_push(e.underlying).ok()?;
				changed = true;
			}
		}
		if changed {
			TriggerUnderlyings::<T>::put(list);
		}
		Some(Touched { reads: 1, writes: u64::from(changed) })
	}

	/// The accounts with an entry of `kind` on `underlying` that is due when the canonical
	/// value is in bucket `current`, most breached first, at most `max` of them, and whether
	/// every due entry was returned. One read per entry returned plus one (the read that finds
	/// the first entry not due, or the list's end).
	pub fn due_entries(
		underlying: UnderlyingId,
		kind: EdgeKind,
		current: u16,
		max: u32,
	) -> (Vec<(u16, T::AccountId)>, bool, Touched) {
		let mut found = Vec::new();
		let mut t = Touched::default();
		let limit = order_key(kind, current);
		let mut iter = TriggerIndex::<T>::iter_key_prefix((underlying, kind));
		loop {
			t.reads = t.reads.saturating_add(1);
			let Some(k) = iter.next() else { return (found, true, t) };
			let o = u16::from_be_bytes(k.bucket);
			if o > limit {
				return (found, true, t);
			}
			if found.len() >= max as usize {
				return (found, false, t);
			}
			found.push((order_key(kind, o), k.who));
		}
	}

	/// The accounts whose band's deadline is before `now` (with the deadline), earliest first,
	/// at most `max`, and whether every one was returned. One read per account returned plus one.
	pub fn due_deadlines(now: Moment, max: u32) -> (Vec<(Moment, T::AccountId)>, bool, Touched) {
		let mut found = Vec::new();
		let mut t = Touched::default();
		let mut iter = DeadlineIndex::<T>::iter_keys();
		loop {
			t.reads = t.reads.saturating_add(1);
			let Some(k) = iter.next() else { return (found, true, t) };
			let at = Moment::from_be_bytes(k.at);
			if at >= now {
				return (found, true, t);
			}
			if found.len() >= max as usize {
				return (found, false, t);
			}
			found.push((at, k.who));
		}
	}

	/// The index and the stored bands agree: every entry belongs to a stored band (its edge
	/// or its deadline), and every band of an account that is not hot is indexed in full. (A
	/// hot account's band is stale: the trigger step evaluates the account in every block,
	/// and removes the stale band's entries one by one as it finds them, or the next banding
	/// replaces them all.) (try-runtime and tests: iterates everything.)
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub(crate) fn check_trigger_index() -> Result<(), &'static str> {
		for (who, band) in Bands::<T>::iter() {
			ensure!(!band.edges.is_empty(), "a stored band without edges");
			let registered = TriggerUnderlyings::<T>::get();
			for (k1, _) in band.entries() {
				ensure!(registered.contains(&k1.0), "a band's underlying is not registered");
			}
			if Hot::<T>::contains_key(&who) {
				continue;
			}
			let dkey = DeadlineKey { at: band.deadline.to_be_bytes(), who: who.clone() };
			ensure!(DeadlineIndex::<T>::contains_key(dkey), "a band's deadline is not indexed");
			for (k1, b) in band.entries() {
				let key = IndexKey { bucket: order_key(k1.1, b).to_be_bytes(), who: who.clone() };
				ensure!(TriggerIndex::<T>::contains_key(k1, key), "a band edge is not indexed");
			}
		}
		for ((u, kind), key, ()) in TriggerIndex::<T>::iter() {
			let b = order_key(kind, u16::from_be_bytes(key.bucket));
			let band = Bands::<T>::get(&key.who).ok_or("an index entry without a band")?;
			ensure!(
				band.entries().any(|(k1, bb)| k1 == (u, kind) && bb == b),
				"an index entry the band does not have"
			);
		}
		for key in DeadlineIndex::<T>::iter_keys() {
			let band = Bands::<T>::get(&key.who).ok_or("a deadline entry without a band")?;
			ensure!(
				band.deadline.to_be_bytes() == key.at,
				"a deadline entry the band does not have"
			);
		}
		Ok(())
	}
}
