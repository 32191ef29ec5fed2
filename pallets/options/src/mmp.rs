//! Market-maker protection (issue 16, item 1): per account and underlying, limits on what the
//! account's resting orders fill over a window of blocks (contracts, absolute delta, absolute
//! vega). A fill that takes a count to its limit trips the protection in the same step, in
//! O(1): one write of [`MmpStates`] and one of [`MmpCleanup`].
//!
//! - **Counting.** Each match step reads the maker's entry for the series' underlying (one
//!   read). A fill of a maker with limits adds its contracts, and `|delta| × contracts` and
//!   `|vega| × contracts` at the series' greeks (priced once per order, at the block's index
//!   price and volatility, rounded up) to the current window. Windows are fixed, starting
//!   every `window_blocks` blocks; the check adds the previous window's counts, so any
//!   `window_blocks` consecutive blocks count in full.
//! - **Trip.** Frozen until a block (or until reset); `void_before` becomes the next order id,
//!   so every order the account has on the underlying then is void. The trip's fill is kept.
//!   A void order never fills: the step that reaches one removes it (`MmpTripped`) and goes
//!   on; `quote` replaces it; `on_idle` removes the rest ([`MmpCleanup`], bounded per block),
//!   and the book API leaves them out.
//! - **Freeze.** While frozen, an order of the account that may rest on the underlying is
//!   refused (`MmpFrozen`) and a `quote` leg there rests nothing (`QuoteLegSkipped`); orders
//!   that cannot rest (immediate-or-cancel, fill-or-kill) still trade, so the account can
//!   hedge. It thaws at the start of block `until` (the trip's block + 1 + `freeze_blocks`),
//!   or at once with `reset_mmp`.
//! - **Budget.** A taker's plan reads each visited maker's entry: it pays for the fills it
//!   will count and for pricing the greeks if a planned maker needs them. A maker with limits
//!   that the plan did not count (it set them after the taker was queued) is passed over,
//!   not filled uncounted.
//! - **Unpriceable series.** If the greeks cannot be priced (no index price) for a maker with
//!   a delta or vega limit, its order is passed over: it neither fills unmeasured nor trips (a
//!   trip would let anybody freeze it for the price of one order).

use crate::{pallet::*, types::*, weights::WeightInfo};
use frame_support::{pallet_prelude::*, traits::Get};
use optionchain_primitives::{
	exchange::{ContractGreeks, Contracts, MarginAccounts},
	UnderlyingId,
};
use sp_arithmetic::{traits::Zero, FixedU128};

impl<T: Config> Pallet<T> {
	/// `who`'s protection on `underlying` (one read).
	pub(crate) fn mmp_state(who: &T::AccountId, underlying: UnderlyingId) -> Option<MmpState> {
		MmpStates::<T>::get(who, underlying)
	}

	/// Whether `state` is frozen in block `now`.
	pub(crate) fn mmp_frozen(state: &MmpState, now: u32) -> bool {
		match state.frozen {
			None => false,
			Some(MmpFreeze::UntilReset) => true,
			Some(MmpFreeze::Until(b)) => now < b,
		}
	}

	/// Whether the order `id` of the owner of `state` (on its underlying) is void: placed
	/// before its last trip, or the owner is frozen there now (then every order it has there
	/// was placed before the trip: none may rest while frozen).
	pub(crate) fn mmp_void(state: Option<&MmpState>, id: OrderId, now: u32) -> bool {
		state.is_some_and(|s| id < s.void_before || Self::mmp_frozen(s, now))
	}

	/// Fail `MmpFrozen` if `who` is frozen on `underlying` (one read).
	pub(crate) fn ensure_not_frozen(
		who: &T::AccountId,
		underlying: UnderlyingId,
	) -> DispatchResult {
		let frozen = Self::mmp_state(who, underlying)
			.is_some_and(|s| Self::mmp_frozen(&s, Self::block_now()));
		ensure!(!frozen, Error::<T>::MmpFrozen);
		Ok(())
	}

	/// One read of a protection entry.
	pub(crate) fn mmp_read_weight() -> Weight {
		T::DbWeight::get().reads(1)
	}

	/// Counting one fill against a maker's limits (its entry written, the trip's clean-up
	/// entry and event), beyond the entry's read.
	pub(crate) fn mmp_fill_weight() -> Weight {
		T::WeightInfo::mmp_fill()
	}

	/// `set_mmp`'s work.
	pub(crate) fn do_set_mmp(
		who: &T::AccountId,
		underlying: UnderlyingId,
		limits: Option<MmpLimits>,
	) -> DispatchResult {
		ensure!(
			UnderlyingConfigs::<T>::contains_key(underlying),
			Error::<T>::UnderlyingNotConfigured
		);
		let state = Self::mmp_state(who, underlying);
		match limits {
			Some(l) => {
				let max = T::MaxMmpBlocks::get();
				let any = l.max_contracts > 0 || l.needs_greeks();
				ensure!(
					l.window_blocks > 0 && l.window_blocks <= max && l.freeze_blocks <= max && any,
					Error::<T>::InvalidMmpLimits
				);
				let mut s = state.unwrap_or_default();
				// A new window length gives the window index another meaning: start afresh.
				if s.limits.map(|old| old.window_blocks) != Some(l.window_blocks) {
					s.current = MmpCounters::default();
					s.previous = MmpCounters::default();
					s.window = Self::block_now() / l.window_blocks;
				}
				s.limits = Some(l);
				MmpStates::<T>::insert(who, underlying, s);
			},
			None => {
				let s = state.filter(|s| s.limits.is_some()).ok_or(Error::<T>::NoMmp)?;
				Self::keep_watermark_only(who, underlying, s.void_before);
			},
		}
		Self::deposit_event(Event::MmpSet { who: who.clone(), underlying, limits });
		Ok(())
	}

	/// Leave of `who`'s entry only its watermark, or nothing if no order is void by it.
	fn keep_watermark_only(who: &T::AccountId, underlying: UnderlyingId, void_before: OrderId) {
		if void_before == 0 {
			MmpStates::<T>::remove(who, underlying);
		} else {
			MmpStates::<T>::insert(who, underlying, MmpState { void_before, ..Default::default() });
		}
	}

	/// `reset_mmp`'s work.
	pub(crate) fn do_reset_mmp(who: &T::AccountId, underlying: UnderlyingId) -> DispatchResult {
		let mut s = Self::mmp_state(who, underlying)
			.filter(|s| s.limits.is_some())
			.ok_or(Error::<T>::NoMmp)?;
		s.frozen = None;
		s.current = MmpCounters::default();
		s.previous = MmpCounters::default();
		MmpStates::<T>::insert(who, underlying, s);
		Self::deposit_event(Event::MmpReset { who: who.clone(), underlying });
		Ok(())
	}

	/// Move `s`'s windows to block `now`'s (the current becomes the previous one if it is
	/// the window just before; both clear after a gap).
	fn roll_window(s: &mut MmpState, window_blocks: u32, now: u32) {
		let index = now / window_blocks.max(1);
		if index == s.window {
			return;
		}
		s.previous =
			if index == s.window.saturating_add(1) { s.current } else { MmpCounters::default() };
		s.current = MmpCounters::default();
		s.window = index;
	}

	/// What `s` counts in block `now` (its current window and the one before), without
	/// changing it.
	pub(crate) fn mmp_counted(s: &MmpState, now: u32) -> MmpCounters {
		let mut rolled = *s;
		if let Some(l) = s.limits {
			Self::roll_window(&mut rolled, l.window_blocks, now);
		}
		rolled.current.plus(&rolled.previous)
	}

	/// Count a fill of `quantity` contracts of `who`'s resting order on `underlying` against
	/// its limits (`state`: its entry, read by the step; `greeks`: the series' per contract,
	/// needed if a delta or vega limit is set), and trip it if a count reaches its limit.
	/// Returns whether it tripped. The caller checked that `state` has limits.
	pub(crate) fn mmp_count_fill(
		who: &T::AccountId,
		underlying: UnderlyingId,
		mut state: MmpState,
		quantity: Contracts,
		greeks: Option<ContractGreeks>,
	) -> bool {
		let Some(limits) = state.limits else { return false };
		let now = Self::block_now();
		Self::roll_window(&mut state, limits.window_blocks, now);
		let q = quantity.unsigned_abs();
		let times = |x: FixedU128| FixedU128::from_inner(x.into_inner().saturating_mul(q.into()));
		let fill = MmpCounters {
			contracts: q,
			delta: greeks.map(|g| times(g.delta)).unwrap_or_default(),
			vega: greeks.map(|g| times(g.vega)).unwrap_or_default(),
		};
		state.current = state.current.plus(&fill);
		let counted = state.current.plus(&state.previous);
		let reached = |count: FixedU128, max: FixedU128| !max.is_zero() && count >= max;
		let trips = (limits.max_contracts > 0 && counted.contracts >= limits.max_contracts)
			|| reached(counted.delta, limits.max_delta)
			|| reached(counted.vega, limits.max_vega);
		if trips {
			Self::mmp_trip(who, underlying, state, counted);
		} else {
			MmpStates::<T>::insert(who, underlying, state);
		}
		trips
	}

	/// Trip `who`'s protection on `underlying` (see the module documentation): frozen, every
	/// order it has there void, counts cleared, its orders' removal queued. Two writes and an
	/// event.
	pub(crate) fn mmp_trip(
		who: &T::AccountId,
		underlying: UnderlyingId,
		mut state: MmpState,
		counted: MmpCounters,
	) {
		let now = Self::block_now();
		// Counted from the next block: the trip's own block stays frozen for the rest of its
		// matching, and `freeze_blocks` whole blocks follow.
		let freeze = state.limits.map(|l| l.freeze_blocks).unwrap_or(0);
		let until = (freeze > 0).then(|| now.saturating_add(1).saturating_add(freeze));
		state.frozen = Some(until.map_or(MmpFreeze::UntilReset, MmpFreeze::Until));
		state.void_before = NextOrderId::<T>::get();
		state.current = MmpCounters::default();
		state.previous = MmpCounters::default();
		MmpStates::<T>::insert(who, underlying, state);
		MmpCleanup::<T>::insert(
			who,
			underlying,
			MmpCleanupCursor { before: state.void_before, next: 0 },
		);
		Self::deposit_event(Event::MmpTripped { who: who.clone(), underlying, counted, until });
	}

	/// The series' per-contract greeks for counting, priced once per order (`out.greeks`).
	pub(crate) fn order_greeks(
		terms: &optionchain_primitives::exchange::SeriesTerms,
		out: &mut PlaceOutcome,
	) -> Option<ContractGreeks> {
		if let Some(g) = out.greeks {
			return g;
		}
		let g = T::Margin::contract_greeks(terms);
		out.greeks = Some(g);
		g
	}

	/// What pricing the greeks cost if `out` priced them.
	pub(crate) fn greeks_weight_of(priced: bool) -> Weight {
		if priced {
			T::Margin::contract_greeks_weight()
		} else {
			Weight::zero()
		}
	}

	/// `on_idle`: remove the orders void by trips ([`MmpCleanup`]), entry by entry in storage
	/// order. A visit reads the entry and its owner's order list (kept in id order) and walks
	/// the orders from the entry's cursor up to its watermark: an order on another underlying
	/// costs the read of its series and moves the cursor on; the first on the entry's is
	/// cancelled (`MmpTripped`, one item, in its own storage layer) and ends the visit. The
	/// cursor is written once per visit, past what was done; an order that cannot be removed
	/// (logged: broken indexes) stops the entry's walk for this block without moving past it,
	/// so its watermark is never cleared while it rests. A finished entry goes, and so does
	/// the watermark it cleaned if nothing newer replaced it. Within `remaining` and `items`.
	/// Returns `used` plus what it used.
	pub(crate) fn clear_mmp_orders(remaining: Weight, mut used: Weight, items: &mut u32) -> Weight {
		let db = T::DbWeight::get();
		// The next key, the entry and its owner's order list; the cursor's write.
		let visit = db.reads_writes(3, 1);
		let series_read = db.reads(1);
		let order = Self::cancel_weight();
		// The watermark's entry, read and written or removed.
		let finish = db.reads_writes(1, 2);
		let fits = |used: Weight, w: Weight| used.saturating_add(w).all_lte(remaining);
		let mut entries = MmpCleanup::<T>::iter_keys();
		let mut current: Option<(T::AccountId, UnderlyingId)> = None;
		while *items > 0 && fits(used, visit.saturating_add(series_read).saturating_add(order)) {
			used = used.saturating_add(visit);
			let Some((who, underlying)) = current.take().or_else(|| entries.next()) else {
				break;
			};
			let Some(mut cursor) = MmpCleanup::<T>::get(&who, underlying) else { continue };
			let list = AccountOrders::<T>::get(&who);
			let mut to_cancel = None;
			let mut exhausted = true;
			let (from, before) = (cursor.next, cursor.before);
			for r in list.iter().filter(|r| r.id >= from && r.id < before) {
				if !fits(used, series_read.saturating_add(order)) {
					exhausted = false;
					break;
				}
				used = used.saturating_add(series_read);
				let on_it =
					Series::<T>::get(r.series).is_some_and(|i| i.terms.underlying == underlying);
				if on_it {
					to_cancel = Some(*r);
					exhausted = false;
					break;
				}
				cursor.next = r.id.saturating_add(1);
			}
			if let Some(r) = to_cancel {
				used = used.saturating_add(order);
				*items = items.saturating_sub(1);
				let done = frame_support::storage::with_storage_layer(|| {
					Self::cancel_listed(r, CancelReason::MmpTripped)
				});
				match done {
					Ok(()) => {
						cursor.next = r.id.saturating_add(1);
						current = Some((who.clone(), underlying));
					},
					Err(e) => log::error!(
						target: crate::LOG_TARGET,
						"removing order {} of {who:?} void by its protection: {e:?}",
						r.id
					),
				}
			}
			if !exhausted {
				MmpCleanup::<T>::insert(&who, underlying, cursor);
				continue;
			}
			if !fits(used, finish) {
				MmpCleanup::<T>::insert(&who, underlying, cursor);
				break;
			}
			used = used.saturating_add(finish);
			MmpCleanup::<T>::remove(&who, underlying);
			if let Some(s) = Self::mmp_state(&who, underlying) {
				if s.void_before == cursor.before {
					if s.limits.is_none() {
						Self::keep_watermark_only(&who, underlying, 0);
					} else {
						MmpStates::<T>::insert(&who, underlying, MmpState { void_before: 0, ..s });
					}
				}
			}
		}
		used
	}

	/// Runtime API: `who`'s protection on `underlying` as the next block finds it (a runtime
	/// API reads the state at the end of a block; a timed freeze may thaw at the next one's
	/// start, and a new window may begin).
	pub fn api_mmp(who: &T::AccountId, underlying: UnderlyingId) -> Option<MmpView> {
		let s = Self::mmp_state(who, underlying)?;
		let now = Self::block_now().saturating_add(1);
		let window_start = s
			.limits
			.map(|l| (now / l.window_blocks.max(1)).saturating_mul(l.window_blocks))
			.unwrap_or(0);
		Some(MmpView {
			limits: s.limits,
			counted: Self::mmp_counted(&s, now),
			window_start,
			frozen: s.frozen,
			frozen_now: Self::mmp_frozen(&s, now),
			void_before: s.void_before,
		})
	}
}
