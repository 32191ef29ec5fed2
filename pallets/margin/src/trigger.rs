//! The trigger index (issue 14, step 13 of `design/trigger-bands-and-lean-engine.md`): every
//! stored trigger band's edges, keyed by underlying, edge kind and the edge's [`bucket`], so
//! that when an underlying's canonical price or volatility moves from one bucket to another,
//! exactly the accounts whose band edge lies in the buckets crossed are found, in bucket order,
//! with one storage read per account found plus one, whatever the number of accounts indexed.
//!
//! Semantics of an entry (its bucket `b`, the canonical value's bucket `c`):
//! - `PriceLo` / `VolLo` (the band's `lo` / `vol_lo`): due when `c <= b`. A value below the edge
//!   has a bucket at most the edge's (buckets are monotone), so a crossing is never missed; it
//!   may be found up to one bucket (1/128) early.
//! - `PriceHi` / `VolHi`: due when `c >= b`.
//!
//! A move from bucket `l` (the level last processed) down to `c < l` visits the `Lo` entries in
//! `[c, l]`; a move up to `c > l` the `Hi` entries in `[l, c]`. Entries are ordered by the
//! bucket's big-endian bytes under the identity hasher, so a visit is one ordered iteration of
//! the underlying's prefix from the first bucket of the range, stopped past its last.
//!
//! Not wired into the hooks yet: the trigger step (step 14) re-evaluates the accounts found,
//! and every change of a portfolio re-bands its account (the band of a changed portfolio is
//! stale).

use crate::{
	band::{bucket, repeats, Band},
	pallet::*,
};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::pallet_prelude::*;
use optionchain_primitives::{Moment, UnderlyingId};
use scale_info::TypeInfo;
use sp_runtime::traits::TrailingZeroInput;

/// Most underlyings a stored band covers (an account holding more has no band: it is
/// re-evaluated by the sweep only).
pub const MAX_BAND_UNDERLYINGS: u32 = 16;

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

/// The second key of a [`TriggerIndex`] entry: the edge's bucket, big-endian so that entries
/// iterate in bucket order under the identity hasher, then the account.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct IndexKey<AccountId> {
	/// `bucket.to_be_bytes()`.
	pub bucket: [u8; 2],
	/// The account.
	pub who: AccountId,
}

/// The buckets of one underlying's box in a stored band.
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
	/// Last block time the band holds for (ms).
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
fn bucket_of(x: optionchain_pricing::Fixed) -> u16 {
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
	/// Store `who`'s band (or remove it with `None`) and update the index by difference: only
	/// the entries whose bucket changed are removed and inserted.
	pub fn set_band(who: &T::AccountId, new: Option<StoredBand>) -> Touched {
		// A band without edges triggers nothing: not stored.
		let new = new.filter(|b| !b.edges.is_empty());
		let mut t = Touched { reads: 1, writes: 0 };
		let old = Bands::<T>::get(who);
		if old == new {
			return t;
		}
		let key = |b: u16| IndexKey { bucket: b.to_be_bytes(), who: who.clone() };
		let old_entries: Vec<_> = old.iter().flat_map(|b| b.entries()).collect();
		let new_entries: Vec<_> = new.iter().flat_map(|b| b.entries()).collect();
		for (k1, b) in old_entries.iter() {
			if !new_entries.contains(&(*k1, *b)) {
				TriggerIndex::<T>::remove(k1, key(*b));
				t.writes = t.writes.saturating_add(1);
			}
		}
		for (k1, b) in new_entries.iter() {
			if !old_entries.contains(&(*k1, *b)) {
				TriggerIndex::<T>::insert(k1, key(*b), ());
				t.writes = t.writes.saturating_add(1);
			}
		}
		match new {
			Some(b) => Bands::<T>::insert(who, b),
			None => Bands::<T>::remove(who),
		}
		t.writes = t.writes.saturating_add(1);
		t
	}

	/// The accounts with an entry of `kind` on `underlying` in buckets `from..=to`, in bucket
	/// order then by key, at most `max` of them, and whether the range was exhausted. One read
	/// per account found plus one (the read that finds the range's end).
	pub fn due_accounts(
		underlying: UnderlyingId,
		kind: EdgeKind,
		from: u16,
		to: u16,
		max: u32,
	) -> (Vec<(u16, T::AccountId)>, bool, Touched) {
		let mut found = Vec::new();
		let mut t = Touched::default();
		if from > to {
			return (found, true, t);
		}
		// (Every account type of this chain decodes from zeroes; one that did not would report
		// the range as not exhausted, so that a caller never moves past it unvisited.)
		let Ok(zero) = T::AccountId::decode(&mut TrailingZeroInput::zeroes()) else {
			return (found, false, t);
		};
		// The raw key of the first bucket: the key of (from, zero) without the account.
		let probe = IndexKey { bucket: from.to_be_bytes(), who: zero.clone() };
		let mut start = TriggerIndex::<T>::hashed_key_for((underlying, kind), &probe);
		start.truncate(start.len().saturating_sub(zero.encoded_size()));
		let mut iter = TriggerIndex::<T>::iter_key_prefix_from((underlying, kind), start);
		loop {
			t.reads = t.reads.saturating_add(1);
			let Some(k) = iter.next() else { return (found, true, t) };
			let b = u16::from_be_bytes(k.bucket);
			if b > to {
				return (found, true, t);
			}
			if found.len() >= max as usize {
				return (found, false, t);
			}
			found.push((b, k.who));
		}
	}

	/// The index and the stored bands agree: every band's entries are indexed, every entry
	/// belongs to a band. (try-runtime and tests: iterates everything.)
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub(crate) fn check_trigger_index() -> Result<(), &'static str> {
		let mut entries = 0usize;
		for (who, band) in Bands::<T>::iter() {
			ensure!(!band.edges.is_empty(), "a stored band without edges");
			for (k1, b) in band.entries() {
				let key = IndexKey { bucket: b.to_be_bytes(), who: who.clone() };
				ensure!(TriggerIndex::<T>::contains_key(k1, key), "a band edge is not indexed");
				entries += 1;
			}
		}
		let mut indexed = 0usize;
		for ((u, kind), key, ()) in TriggerIndex::<T>::iter() {
			let b = u16::from_be_bytes(key.bucket);
			let band = Bands::<T>::get(&key.who).ok_or("an index entry without a band")?;
			ensure!(
				band.entries().any(|(k1, bb)| k1 == (u, kind) && bb == b),
				"an index entry the band does not have"
			);
			indexed += 1;
		}
		// A band's entries are distinct (one box per underlying, four kinds).
		ensure!(indexed == entries, "index entries and band edges differ in number");
		Ok(())
	}
}
