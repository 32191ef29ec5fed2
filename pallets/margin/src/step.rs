//! The trigger step (margin `on_initialize`, step 14 of `design/trigger-bands-and-lean-engine.md`)
//! and the banding of quiet accounts (`on_idle`).
//!
//! Every account with positions is in exactly one of two places (checked by `try_state`):
//! - **banded**: it has a trigger band ([`Bands`], [`crate::trigger`]) computed after its last
//!   change, under which it cannot fall below maintenance while every underlying's price and
//!   volatility stay inside the band's boxes and block time does not pass the deadline;
//! - **hot** ([`Hot`]): its portfolio or money changed since its band was computed (any fill,
//!   debit, debt or liquidation marks it, see [`Pallet::touch`]), or it has no band it can keep
//!   (no slack, under liquidation, an expired series not yet priced, a band too tight to be
//!   worth indexing).
//!
//! In every block, before any extrinsic, the trigger step re-evaluates within
//! `Config::TriggerReserve`:
//! 1. the banded accounts whose band the canonical price or volatility left (the due prefix of
//!    each edge list, most breached first; with up to 75 % of the reserve),
//! 2. the banded accounts whose band's deadline passed (earliest first; up to 90 %),
//! 3. every hot account (round robin from a cursor, so that when they do not all fit, each
//!    waits at most `ceil(hot / fitting)` blocks),
//! 4. crossings and deadlines still waiting, with what is left.
//!
//! Each is margin-called (state recorded) or liquidated by the sweep's own visit
//! ([`Pallet::sweep_account`]), with the same two-phase admission. An account found by a due
//! entry becomes hot and loses that entry only: its band stays, stale (a hot account's band
//! is never relied on), with its other entries, until the next banding replaces them all or the
//! step finds and removes them one by one. When the reserve runs out, what is left stays where it was
//! (due entries at the front of their lists, the hot cursor before the first account not
//! visited) and `TriggersPending` says so. `on_idle` bands hot accounts that were not changed
//! in the current block (earliest first from a cursor), as far as half of its weight allows;
//! the round-robin sweep (safety net) gets the rest.

use crate::{
	band::CHAIN_BAND_REFINEMENTS,
	liquidation::Visit,
	pallet::*,
	trigger::{
		bucket_of, order_key, DeadlineKey, EdgeKind, IndexKey, StoredBand, Touched,
		MAX_BAND_UNDERLYINGS,
	},
	WeightInfo,
};
use alloc::collections::BTreeSet;
use frame_support::{pallet_prelude::*, traits::Time, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use optionchain_pricing::Fixed;
use optionchain_primitives::{
	exchange::{PortfolioSize, PositionsProvider, SeriesId},
	OracleProvider, UnderlyingId,
};
use sp_runtime::{traits::One, Saturating};

/// Blocks a hot account waits before `on_idle` tries again to band it after a try that gave
/// no band worth keeping (no slack, too tight, under liquidation).
pub const REBAND_BACKOFF: u32 = 8;

/// Entries read from an edge list or the deadline list at a time.
const DUE_BATCH: u32 = 16;

/// What the caller of a visit does next.
enum Next {
	/// Go on with the next account.
	Continue,
	/// The reserve is used up (or the account's liquidation does not fit): stop the step.
	Stop,
}

/// What a trigger step has done so far.
struct StepCounters<T: Config> {
	/// Weight used.
	used: Weight,
	/// Accounts visited.
	seen: BTreeSet<T::AccountId>,
	/// Accounts evaluated.
	evaluated: u32,
	/// Series in which a liquidation of this step gave the insurance account positions.
	taken: BTreeSet<SeriesId>,
}

impl<T: Config> Pallet<T> {
	/// Mark `who` hot: its portfolio or money changed, so its band (if any) is stale; the
	/// trigger step evaluates it in every block from the next on, and `on_idle` may band it
	/// again from the next block on (the insurance account is never hot: it is never
	/// liquidated). One read and at most two writes ([`Self::touch_weight`]).
	pub(crate) fn touch(who: &T::AccountId) {
		if *who == Self::insurance_account() {
			return;
		}
		let next = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
		Hot::<T>::insert(who, next);
	}

	/// Weight of [`Self::touch`]: the counted map's presence read, the entry and the counter.
	pub fn touch_weight() -> Weight {
		T::DbWeight::get().reads_writes(2, 2)
	}

	fn touched_weight(t: Touched) -> Weight {
		T::DbWeight::get().reads_writes(t.reads, t.writes)
	}

	/// One round of the hot list from `cursor` (the raw key of the last account visited):
	/// the entries after it to the end, then from the start up to it (inclusive: it is due
	/// again). The iterators ask the state for the next key each time, so the entries a visit
	/// removes or re-inserts do not disturb them; the two halves are disjoint.
	fn hot_round(
		cursor: Option<alloc::vec::Vec<u8>>,
	) -> impl Iterator<Item = (T::AccountId, BlockNumberFor<T>)> {
		let first = match cursor.clone() {
			Some(c) => Hot::<T>::iter_from(c),
			None => Hot::<T>::iter(),
		};
		let wrap = cursor.into_iter().flat_map(|c| {
			Hot::<T>::iter().take_while(move |(k, _)| Hot::<T>::hashed_key_for(k) <= c)
		});
		first.chain(wrap)
	}

	/// `who`'s raw `Hot` key, as a cursor (`None`, restarting the round, if it were too long).
	fn hot_key(who: &T::AccountId) -> Option<BoundedVec<u8, ConstU32<256>>> {
		BoundedVec::try_from(Hot::<T>::hashed_key_for(who)).ok()
	}

	/// The buckets of the canonical price and volatility of `u` now, if it has both.
	fn current_buckets(u: UnderlyingId) -> Option<(u16, u16)> {
		let m = Self::market(u).ok()?;
		Some((bucket_of(m.spot), bucket_of(m.vol)))
	}

	/// What the trigger step adds to a visit of an account found by a due index entry: the
	/// entry's removal and the hot mark. (Its band stays, stale, with its other entries: the
	/// step removes each as it finds it, and the next banding replaces them all.)
	pub fn found_weight() -> Weight {
		T::DbWeight::get().writes(1).saturating_add(Self::touch_weight())
	}

	/// Visit `who` for the trigger step, charging `c.used`, within `limit`: `Stop` (nothing
	/// changed but the reads charged, or the state recorded of a liquidatable account whose
	/// liquidation does not fit) when it does not fit; otherwise evaluated, margin-called or
	/// liquidated, and, when `found` (by a due index entry, which the caller removes), the
	/// account made hot, eligible for banding again in this block's `on_idle` (`Hot = n`: it
	/// was just evaluated). Its band, if any, stays as it is: stale from now on.
	///
	/// Admission is by upper bounds (the evaluation, the liquidation at the account's size,
	/// the entry's removal); the charge is what the path taken costs by its own benchmark
	/// ([`Self::step_visit_weight`]): an evaluation or a liquidation in the step, plus what
	/// the account has beyond the benchmarked one.
	fn trigger_visit(
		who: &T::AccountId,
		found: bool,
		n: BlockNumberFor<T>,
		c: &mut StepCounters<T>,
		limit: Weight,
	) -> Next {
		let db = T::DbWeight::get();
		let reads = T::Positions::portfolio_size_weight().saturating_add(db.reads(1));
		if !limit.all_gte(c.used.saturating_add(reads)) {
			return Next::Stop;
		}
		let insurance = *who == Self::insurance_account();
		let size =
			if insurance { PortfolioSize::default() } else { T::Positions::portfolio_size(who) };
		let (read, evaluation, liquidation) = Self::bounds_for(insurance, size);
		let used = c.used.saturating_add(read);
		let found_bound = if found { Self::found_weight() } else { Weight::zero() };
		// Each bound covers the path's charge too.
		let entries = Self::maintenance_entries(size);
		let evaluation_bound = evaluation
			.saturating_add(found_bound)
			.max(Self::step_visit_weight(size, false, entries));
		let liquidation_bound = liquidation.saturating_add(found_bound).max(
			Self::step_visit_weight(size, true, entries)
				.saturating_add(Self::insurance_side_weight(entries)),
		);
		if !limit.all_gte(used.saturating_add(evaluation_bound)) {
			c.used = used;
			return Next::Stop;
		}
		let room = limit.all_gte(used.saturating_add(liquidation_bound));
		let (w, visit) = Self::visit_account_as(who, room, evaluation, liquidation);
		if let Some(Visit::NoRoom(_)) = visit {
			// Marked liquidatable (a keeper may take it); still indexed or hot, so it is the
			// first account the next step visits.
			c.used = used.saturating_add(w);
			return Next::Stop;
		}
		// Found: eligible for banding in this block's `on_idle`, unless it waits out a
		// backoff (a stale band's further entries must not make it retry at once).
		if found
			&& !insurance
			&& Hot::<T>::get(who).is_none_or(|v| v <= n.saturating_add(One::one()))
		{
			Hot::<T>::insert(who, n);
		}
		let by_path = match &visit {
			Some(Visit::Evaluated(_, underlyings)) if !insurance => {
				Some(Self::step_visit_weight(size, false, *underlyings))
			},
			Some(Visit::Liquidated(_, series, underlyings)) => {
				let mut new = 0u32;
				for s in series {
					if c.taken.insert(*s) {
						new = new.saturating_add(1);
					}
				}
				Some(
					Self::step_visit_weight(size, true, *underlyings)
						.saturating_add(Self::insurance_side_weight(new)),
				)
			},
			_ => None,
		};
		c.used = match by_path {
			Some(charge) => used.saturating_add(charge),
			// A plan with nothing tradable, a failed visit, the insurance account: what it
			// used or its bound, and the entry's removal and the hot mark.
			None => used.saturating_add(w).saturating_add(found_bound),
		};
		Next::Continue
	}

	/// What the trigger step charges for visiting an account of `size` found by a due index
	/// entry (removed, the account marked hot) with a portfolio on `underlyings` underlyings
	/// (after the visit: the evaluation's count; before it, as a bound: the account's
	/// entries), by the path's benchmark:
	/// - evaluated (healthy or margin-called): one account of `trigger_step` (a one-position
	///   account found by one entry), plus the margin check of its further entries and their
	///   underlyings' reads;
	/// - liquidated: one account of `trigger_liquidations` (a one-position account with ten
	///   resting bids in another series: its evaluation, its orders voided, its short taken
	///   over by the insurance account and paid for, the penalty, the entry that found it
	///   removed), plus the sweep's per-position cost of its further positions (its
	///   maintenance view: orders are never evaluated) and their underlyings' reads (twice),
	///   and its index of series with a position;
	/// - evaluated also carries two writes, always: a state that changes (a margin call, the
	///   end of a liquidation) writes the ledger entry and emits events, and the benchmark's
	///   accounts stay healthy.
	///
	/// (A hot account visited by the hot phase is charged the same: an upper bound, as it has
	/// no entry to remove.) The insurance account's side of a liquidation is charged once per
	/// series and step ([`Self::insurance_side_weight`]): the benchmark's accounts share their
	/// series, so their repeated writes of the fund's entries are not in its per-account
	/// figure.
	pub fn step_visit_weight(size: PortfolioSize, liquidated: bool, underlyings: u32) -> Weight {
		// The maintenance view: positions alone.
		let entries = Self::maintenance_entries(size);
		let db = T::DbWeight::get();
		if liquidated {
			T::WeightInfo::trigger_liquidations(1)
				.saturating_sub(T::WeightInfo::trigger_liquidations(0))
				.saturating_add(
					T::WeightInfo::sweep_account(entries.max(1))
						.saturating_sub(T::WeightInfo::sweep_account(1)),
				)
				// (The list of series with a position it loses those taken from is in its
				// ledger entry, which the liquidation writes anyway.)
				.saturating_add(Self::extra_underlyings_weight(underlyings).saturating_mul(2))
		} else {
			// The further positions' evaluation (`evaluation_weight`: by entries or by series,
			// whichever is less). The benchmark's account holds one short and no order, in a
			// series it shares with the others: its evaluation is `margin_check(1)` less the
			// series' read (helper-45).
			let base = T::WeightInfo::margin_check(1).saturating_sub(db.reads(1));
			let further =
				Self::evaluation_weight(entries.max(1), entries.max(1)).saturating_sub(base);
			T::WeightInfo::trigger_step(1)
				.saturating_sub(T::WeightInfo::trigger_step(0))
				.saturating_add(further)
				.saturating_add(Self::extra_underlyings_weight(underlyings))
				// The benchmark's accounts stay healthy: a state that changes (a margin call,
				// the end of a liquidation) writes the ledger entry and emits its events.
				.saturating_add(db.writes(2))
		}
	}

	/// The insurance account's side of liquidations in `series` series it had not taken
	/// positions in yet in this step: its position entry, the series' open interest and its
	/// series index, each read and written once, and one more of each as a margin (its
	/// ledger entry lists no series since spec 117; kept rather than re-derived).
	pub fn insurance_side_weight(series: u32) -> Weight {
		let s = u64::from(series);
		T::DbWeight::get().reads_writes(4u64.saturating_mul(s), 4u64.saturating_mul(s))
	}

	/// An account found by a due index entry (which the caller removes when this returns
	/// `Continue`): visited, unless the step visited it already. The entry's removal is
	/// charged here for an account visited already, within its visit's admission otherwise.
	fn due_visit(
		who: &T::AccountId,
		n: BlockNumberFor<T>,
		c: &mut StepCounters<T>,
		limit: Weight,
	) -> Next {
		if c.seen.contains(who) {
			let removal = T::DbWeight::get().writes(1);
			if !limit.all_gte(c.used.saturating_add(removal)) {
				return Next::Stop;
			}
			c.used = c.used.saturating_add(removal);
			return Next::Continue;
		}
		let next = Self::trigger_visit(who, true, n, c, limit);
		if let Next::Continue = next {
			c.evaluated = c.evaluated.saturating_add(1);
			c.seen.insert(who.clone());
		}
		next
	}

	/// Phase 1 of the step: the entries of every edge list due at the canonical price and
	/// volatility now, list by list, each from its most breached entry. Returns whether it
	/// stopped with due entries left.
	fn visit_crossings(n: BlockNumberFor<T>, c: &mut StepCounters<T>, limit: Weight) -> bool {
		let db = T::DbWeight::get();
		let underlyings = TriggerUnderlyings::<T>::get();
		for u in underlyings.iter() {
			let market_reads = T::Oracle::read_weight().saturating_mul(2);
			if !limit.all_gte(c.used.saturating_add(market_reads)) {
				return true;
			}
			c.used = c.used.saturating_add(market_reads);
			let Some((pb, vb)) = Self::current_buckets(*u) else { continue };
			for (kind, current) in [
				(EdgeKind::PriceLo, pb),
				(EdgeKind::PriceHi, pb),
				(EdgeKind::VolLo, vb),
				(EdgeKind::VolHi, vb),
			] {
				loop {
					let batch_read = db.reads(u64::from(DUE_BATCH).saturating_add(1));
					if !limit.all_gte(c.used.saturating_add(batch_read)) {
						return true;
					}
					let (found, done, t) = Self::due_entries(*u, kind, current, DUE_BATCH);
					c.used = c.used.saturating_add(Self::touched_weight(t));
					for (b, who) in found {
						if let Next::Stop = Self::due_visit(&who, n, c, limit) {
							return true;
						}
						let key = IndexKey { bucket: order_key(kind, b).to_be_bytes(), who };
						TriggerIndex::<T>::remove((*u, kind), key);
					}
					if done {
						break;
					}
				}
			}
		}
		false
	}

	/// Phase 2: the bands whose deadline is before `now`, earliest first. Returns whether it
	/// stopped with some left.
	fn visit_deadlines(n: BlockNumberFor<T>, c: &mut StepCounters<T>, limit: Weight) -> bool {
		let db = T::DbWeight::get();
		let now = T::Time::now();
		loop {
			let batch_read = db.reads(u64::from(DUE_BATCH).saturating_add(1));
			if !limit.all_gte(c.used.saturating_add(batch_read)) {
				return true;
			}
			let (found, done, t) = Self::due_deadlines(now, DUE_BATCH);
			c.used = c.used.saturating_add(Self::touched_weight(t));
			for (at, who) in found {
				if let Next::Stop = Self::due_visit(&who, n, c, limit) {
					return true;
				}
				DeadlineIndex::<T>::remove(DeadlineKey { at: at.to_be_bytes(), who });
			}
			if done {
				return false;
			}
		}
	}

	/// Phase 3: every hot account not visited yet in this step, round robin from the cursor
	/// (the last account visited by a step that could not finish). Returns whether it stopped
	/// with some left.
	fn visit_hot(n: BlockNumberFor<T>, c: &mut StepCounters<T>, limit: Weight) -> bool {
		let db = T::DbWeight::get();
		let cursor = HotCursor::<T>::get().map(|c| c.into_inner());
		let key_read = db.reads(1);
		let mut last: Option<T::AccountId> = None;
		let mut keys = Self::hot_round(cursor).map(|(k, _)| k);
		let mut stopped = false;
		loop {
			if !limit.all_gte(c.used.saturating_add(key_read)) {
				stopped = true;
				break;
			}
			c.used = c.used.saturating_add(key_read);
			let Some(who) = keys.next() else { break };
			if c.seen.contains(&who) {
				last = Some(who);
				continue;
			}
			if let Next::Stop = Self::trigger_visit(&who, false, n, c, limit) {
				stopped = true;
				break;
			}
			c.evaluated = c.evaluated.saturating_add(1);
			c.seen.insert(who.clone());
			last = Some(who);
		}
		if stopped {
			// The next step starts after the last account visited (the write is reserved
			// at the start of the step).
			if let Some(who) = last {
				HotCursor::<T>::set(Self::hot_key(&who));
			}
		}
		stopped
	}

	/// The trigger step of block `n` (see the module doc). Returns the weight used, at most
	/// `TriggerReserve`. Crossings may use 75 % of the reserve, deadlines up to 90 %, the hot
	/// accounts the rest (so that neither kind starves the others); what is left after the
	/// hot accounts goes back to crossings and deadlines still waiting.
	pub(crate) fn trigger_step(n: BlockNumberFor<T>) -> Weight {
		let db = T::DbWeight::get();
		let limit = T::TriggerReserve::get();
		// The underlyings list, the hot count and the cursor read; the cursor and the event
		// written at the end, if it stops.
		let start = db.reads_writes(3, 2);
		if !limit.all_gte(start) {
			return Weight::zero();
		}
		let mut c = StepCounters::<T> {
			used: start,
			seen: BTreeSet::new(),
			evaluated: 0,
			taken: BTreeSet::new(),
		};
		let share = |p: u8| sp_runtime::Percent::from_percent(p) * limit;
		let mut crossings = Self::visit_crossings(n, &mut c, share(75));
		let mut deadlines = Self::visit_deadlines(n, &mut c, share(90));
		let hot = Self::visit_hot(n, &mut c, limit);
		if crossings {
			crossings = Self::visit_crossings(n, &mut c, limit);
		}
		if deadlines {
			deadlines = Self::visit_deadlines(n, &mut c, limit);
		}
		if crossings || deadlines || hot {
			// (The accounts the crossings and deadlines visited are hot now, and were
			// evaluated.)
			let visited = u32::try_from(c.seen.len()).unwrap_or(u32::MAX);
			let hot_pending = Hot::<T>::count().saturating_sub(visited);
			Self::deposit_event(Event::TriggersPending {
				evaluated: c.evaluated,
				hot_pending,
				crossings_pending: crossings || deadlines,
			});
		}
		c.used
	}

	/// Whether a band is too tight to index: a price edge within one bucket of the index price
	/// now (due at once, or after the next tick), or a volatility edge due now. Such an
	/// account stays hot. (Volatility edges get no margin: at a volatility of a few units of
	/// 10^-18, as on a test chain, every bucket is one unit wide, and the box still triggers
	/// on any real move.)
	fn too_tight(band: &StoredBand) -> bool {
		band.edges.iter().any(|e| match Self::current_buckets(e.underlying) {
			None => true,
			Some((pb, vb)) => {
				e.price_lo.saturating_add(1) >= pb
					|| e.price_hi <= pb.saturating_add(1)
					|| e.vol_lo >= vb
					|| e.vol_hi <= vb
			},
		})
	}

	/// Upper bound of banding an account of `entries` positions whose stored band
	/// (stale, or none) has `old_boxes` underlyings: the band (`trigger_band`), the market
	/// reads of further underlyings, the index update (the old band's entries removed, every
	/// entry of the new one, at most one box per entry, and the deadline written), the
	/// underlying list, the current buckets' reads, the hot entry, and the portfolio read that
	/// finds an account without positions.
	pub fn reband_weight_for(entries: u32, old_boxes: u32) -> Weight {
		// At most one box per entry: its 4 entries written; the old band's 4 per box removed
		// (a portfolio that shrank since its band was stored leaves a larger old band).
		let boxes = u64::from(entries.clamp(1, MAX_BAND_UNDERLYINGS));
		let old = u64::from(old_boxes.min(MAX_BAND_UNDERLYINGS)).max(boxes);
		// (The deadline's 2, the band, the underlyings list, the hot entry and its counter.)
		let writes = 4u64
			.saturating_mul(boxes)
			.saturating_add(4u64.saturating_mul(old))
			.saturating_add(6);
		let reads = 2u64.saturating_mul(boxes).saturating_add(4);
		T::WeightInfo::trigger_band(entries.max(1))
			.saturating_add(Self::extra_underlyings_weight(entries))
			.saturating_add(T::Positions::positions_weight())
			.saturating_add(T::DbWeight::get().reads_writes(reads, writes))
	}

	/// Band `who` now (it is hot and was not changed in block `n`): store its band and make
	/// it cold; or, with no band worth keeping, leave it hot and try again after
	/// [`REBAND_BACKOFF`] blocks. An account without positions needs no band: it leaves the
	/// hot list (only a change of its money or positions, which marks it again, can bring it
	/// below maintenance).
	pub(crate) fn reband(who: &T::AccountId, n: BlockNumberFor<T>) {
		let backoff = || Hot::<T>::insert(who, n.saturating_add(REBAND_BACKOFF.into()));
		let listed = Accounts::<T>::get(who).map(|a| a.positions).unwrap_or_default();
		if T::Positions::positions_in(who, &listed).positions.is_empty() {
			Self::set_band(who, None);
			Hot::<T>::remove(who);
			return;
		}
		let vol_move = Fixed::from_inner(
			i128::from(T::BandVolatilityMove::get().deconstruct()).saturating_mul(1_000_000_000),
		);
		let band = match Self::band_of(who, T::BandHorizon::get(), vol_move, CHAIN_BAND_REFINEMENTS)
		{
			Ok(Some(b)) => b,
			_ => return backoff(),
		};
		if band.underlyings.is_empty() {
			// Only expired series priced already: constant until their settlement, which
			// moves money (and marks the account) or pays it.
			Self::set_band(who, None);
			Hot::<T>::remove(who);
			return;
		}
		let Some(stored) = StoredBand::from_band(&band) else { return backoff() };
		if Self::too_tight(&stored) || Self::register_underlyings(&stored).is_none() {
			return backoff();
		}
		Self::set_band(who, Some(stored));
		Hot::<T>::remove(who);
	}

	/// `on_idle`: band the hot accounts not changed in block `n` (whose entry is `<= n`),
	/// round robin from the cursor, while the next one's bound (from its real size) fits what
	/// is left of `limit` (one larger than all of `limit` is passed over until the round comes
	/// back).
	pub(crate) fn reband_idle(n: BlockNumberFor<T>, limit: Weight) -> Weight {
		let db = T::DbWeight::get();
		let key_read = db.reads(1);
		// The account's portfolio size and its stored band.
		let size_read = T::Positions::portfolio_size_weight().saturating_add(db.reads(1));
		// The cursor's read and write.
		let mut used = db.reads_writes(1, 1);
		if !limit.all_gte(used.saturating_add(key_read).saturating_add(size_read)) {
			return Weight::zero();
		}
		let cursor = RebandCursor::<T>::get().map(|c| c.into_inner());
		let mut last: Option<T::AccountId> = None;
		for (who, after) in Self::hot_round(cursor) {
			if !limit.all_gte(used.saturating_add(key_read).saturating_add(size_read)) {
				break;
			}
			used = used.saturating_add(key_read);
			if after > n {
				last = Some(who);
				continue;
			}
			let size = T::Positions::portfolio_size(&who);
			let old_boxes = Bands::<T>::get(&who).map(|b| b.edges.len()).unwrap_or(0);
			used = used.saturating_add(size_read);
			let bound = Self::reband_weight_for(
				Self::maintenance_entries(size),
				u32::try_from(old_boxes).unwrap_or(u32::MAX),
			);
			if !limit.all_gte(used.saturating_add(bound)) {
				if bound.any_gt(limit) {
					// Larger than this block's whole budget: passed over (it waits for a
					// block with room), so that it cannot hold the cursor.
					last = Some(who);
					continue;
				}
				break;
			}
			Self::reband(&who, n);
			used = used.saturating_add(bound);
			last = Some(who);
		}
		if let Some(who) = last {
			RebandCursor::<T>::set(Self::hot_key(&who));
		}
		used
	}

	/// `try_state`: the hot list's counter is right; every ledger account with a position
	/// (except the insurance account) is hot or banded; and the trigger index's promise holds
	/// now: a banded account that is not hot, whose band no price, volatility or deadline has
	/// left, is at or above its maintenance requirement.
	#[cfg(any(feature = "try-runtime", feature = "std", test))]
	pub(crate) fn check_hot_or_banded() -> Result<(), &'static str> {
		ensure!(Hot::<T>::iter_keys().count() == Hot::<T>::count() as usize, "Hot count mismatch");
		let insurance = Self::insurance_account();
		let now = T::Time::now();
		for (who, info) in Accounts::<T>::iter() {
			if who == insurance || Hot::<T>::contains_key(&who) {
				continue;
			}
			// Positions that can still move: not expired, or expired with no settlement
			// price yet (an expired one whose price is fixed is a constant until it is
			// settled, which moves money and marks the account).
			let holds =
				T::Positions::positions_in(&who, &info.positions).positions.iter().any(|p| {
					p.net != 0
						&& (now < p.terms.expiry
							|| T::Oracle::settlement_price(p.terms.underlying, p.terms.expiry)
								.is_none())
				});
			let Some(band) = Bands::<T>::get(&who) else {
				ensure!(!holds, "an account with positions is neither hot nor banded");
				continue;
			};
			let inside = band.deadline >= now
				&& band.edges.iter().all(|e| match Self::current_buckets(e.underlying) {
					None => false,
					Some((pb, vb)) => {
						e.price_lo < pb && pb < e.price_hi && e.vol_lo < vb && vb < e.vol_hi
					},
				});
			if inside {
				let risk = Self::positions_risk_of(&who)
					.map_err(|_| "a banded account cannot be evaluated")?;
				let maintenance =
					i128::try_from(risk.maintenance).map_err(|_| "maintenance overflows")?;
				ensure!(
					risk.equity >= maintenance,
					"an account inside its band is below maintenance"
				);
			}
		}
		Ok(())
	}
}
