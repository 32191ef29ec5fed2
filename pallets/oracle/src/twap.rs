//! Cumulative price-time accumulator (Uniswap v2 style), TWAP and settlement prices.
//!
//! Each underlying has a ring buffer of at most `MaxObservations` [`Observation`]s, written
//! whenever the canonical price changes. An observation holds `cumulative`, the integral of the
//! canonical price from the first observation to its timestamp (price inner units × ms), and
//! the price in effect from then on. The integral up to any moment `t` inside the history is
//! `obs.cumulative + obs.price × (t - obs.timestamp)` for the last observation at or before
//! `t`, found by binary search over the ring: O(log n) storage reads.
//!
//! ## Overflow
//! `cumulative` is kept modulo 2^128 (wrapping, as Uniswap v2): only differences are used, and
//! a difference is exact as long as the true integral over the window is below 2^128. Prices
//! are capped at `PRICE_CAP` = 10^12 USD (10^30 inner) and windows at `MAX_WINDOW` = 24 h
//! (8.64·10^7 ms), so any window integral is below 8.64·10^37 < 2^128 ≈ 3.4·10^38.
//!
//! ## Gaps
//! Between observations the last canonical price is carried forward. Blocks without a fresh
//! price (no quorum, stale, or a held circuit breaker) therefore count at the last canonical
//! price for their whole duration, so a settlement price always exists once the underlying has
//! ever been priced, and a spike held by the breaker never enters it.

use crate::{pallet::*, types::*};
use frame_support::{pallet_prelude::*, traits::Time};
use optionchain_primitives::{Moment, Price, UnderlyingId};
use sp_arithmetic::FixedU128;
use sp_runtime::traits::UniqueSaturatedInto;

impl<T: Config> Pallet<T> {
	/// Ring capacity (at least 1).
	pub(crate) fn ring_capacity() -> u32 {
		T::MaxObservations::get().max(1)
	}

	/// Slot of the `i`-th oldest observation.
	fn slot(ring: &Ring, i: u32) -> u32 {
		let cap = Self::ring_capacity();
		// `next + cap - len + i`, all < 3·cap, cannot overflow u64.
		((ring.next as u64 + cap as u64 - ring.len as u64 + i as u64) % cap as u64) as u32
	}

	/// The `i`-th oldest observation.
	pub(crate) fn observation(id: UnderlyingId, ring: &Ring, i: u32) -> Option<Observation> {
		Observations::<T>::get(id, Self::slot(ring, i))
	}

	/// Appends the price in effect from `now` to the ring.
	pub(crate) fn record_observation(id: UnderlyingId, now: Moment, price: Price) {
		let mut ring = Rings::<T>::get(id);
		let cap = Self::ring_capacity();
		let last = match ring.len.checked_sub(1) {
			Some(i) => Self::observation(id, &ring, i),
			None => None,
		};
		let cumulative = match last {
			None => 0,
			Some(last) if last.price == price => return,
			Some(last) if now <= last.timestamp => {
				// Same moment (timestamps never go backwards): replace the price in effect.
				let slot = Self::slot(&ring, ring.len.saturating_sub(1));
				Observations::<T>::insert(id, slot, Observation { price, ..last });
				return;
			},
			Some(last) => last.cumulative.wrapping_add(
				last.price.into_inner().wrapping_mul(u128::from(now - last.timestamp)),
			),
		};
		Observations::<T>::insert(id, ring.next, Observation { timestamp: now, cumulative, price });
		ring.next = ring.next.saturating_add(1) % cap;
		ring.len = ring.len.saturating_add(1).min(cap);
		Rings::<T>::insert(id, ring);
	}

	/// Index of the newest observation at or before `t` (`None` if all are after `t`).
	fn search(id: UnderlyingId, ring: &Ring, t: Moment) -> Option<(u32, Observation)> {
		let first = Self::observation(id, ring, 0)?;
		if first.timestamp > t {
			return None;
		}
		// Invariant: obs(lo) <= t; answer in [lo, hi].
		let (mut lo, mut hi, mut best) = (0u32, ring.len.saturating_sub(1), first);
		while lo < hi {
			let mid = lo + (hi - lo).div_ceil(2);
			match Self::observation(id, ring, mid) {
				Some(o) if o.timestamp <= t => {
					lo = mid;
					best = o;
				},
				Some(_) => hi = mid - 1,
				None => {
					frame_support::defensive!("ring slots below len are filled; qed");
					return None;
				},
			}
		}
		Some((lo, best))
	}

	/// `∫ price dt` up to `t` (mod 2^128), for `t` at or after the oldest observation.
	fn cumulative_at(id: UnderlyingId, ring: &Ring, t: Moment) -> Option<u128> {
		let (_, o) = Self::search(id, ring, t)?;
		Some(o.cumulative.wrapping_add(
			o.price.into_inner().wrapping_mul(u128::from(t.saturating_sub(o.timestamp))),
		))
	}

	/// Time-weighted average of the canonical price over `[from, to]`, with the interval
	/// actually averaged. The start is clamped to the oldest retained observation. If there is
	/// no observation at or before `to`, the oldest observation's price is returned with
	/// `from = to = its timestamp` (the first price known after `to`). `None` if the
	/// underlying was never priced.
	pub fn twap_between(
		id: UnderlyingId,
		from: Moment,
		to: Moment,
	) -> Option<(Price, Moment, Moment)> {
		let ring = Rings::<T>::get(id);
		let oldest = Self::observation(id, &ring, 0)?;
		if oldest.timestamp > to {
			return Some((oldest.price, oldest.timestamp, oldest.timestamp));
		}
		let from = from.max(oldest.timestamp).min(to);
		if from == to {
			let (_, o) = Self::search(id, &ring, to)?;
			return Some((o.price, from, to));
		}
		let integral =
			Self::cumulative_at(id, &ring, to)?.wrapping_sub(Self::cumulative_at(id, &ring, from)?);
		let avg = integral / u128::from(to - from);
		Some((FixedU128::from_inner(avg), from, to))
	}

	/// TWAP over the last `window` ms before the current block's timestamp.
	pub fn twap(id: UnderlyingId, window: Moment) -> Option<Price> {
		if window == 0 || window > MAX_WINDOW {
			return None;
		}
		let now = T::Time::now();
		Self::twap_between(id, now.saturating_sub(window), now).map(|(p, _, _)| p)
	}

	/// The settlement window the kept history always covers (ms): the ring holds
	/// `MaxObservations` observations, at most one per block and blocks at least
	/// `MinBlockInterval` apart, and a due settlement waits at most
	/// `ceil(MaxScheduledSettlements / MaxSettlementsPerBlock)` blocks for its turn (stuck
	/// entries leave the schedule), so `(MaxObservations - backlog - 2) * MinBlockInterval`
	/// of history before any expiry is still kept when it is fixed.
	pub fn history_span() -> Moment {
		let per_block = T::MaxSettlementsPerBlock::get().max(1);
		let backlog = T::MaxScheduledSettlements::get().div_ceil(per_block);
		let blocks = T::MaxObservations::get().saturating_sub(backlog).saturating_sub(2);
		u64::from(blocks).saturating_mul(T::MinBlockInterval::get())
	}

	/// Fixes up to `MaxSettlementsPerBlock` due settlements (expiry `<=` block timestamp),
	/// oldest first. A due settlement that cannot be fixed from the kept history (no price
	/// before its expiry, or its window no longer kept) leaves the schedule as stuck
	/// (`SettlementStuck`), so it never holds back the others; governance settles it
	/// (`force_settlement_price`) or cancels it. Returns the number attempted.
	pub(crate) fn fix_due_settlements() -> u32 {
		let now = T::Time::now();
		let mut schedule = ScheduledSettlements::<T>::get();
		if schedule.first().is_none_or(|s| s.expiry > now) {
			return 0;
		}
		let max = T::MaxSettlementsPerBlock::get();
		let block: u32 = frame_system::Pallet::<T>::block_number().unique_saturated_into();
		let mut attempted = 0u32;
		schedule.retain(|s| {
			if s.expiry > now || attempted >= max {
				return true;
			}
			attempted = attempted.saturating_add(1);
			Self::fix_settlement(s, block, now);
			false
		});
		ScheduledSettlements::<T>::put(schedule);
		attempted
	}

	/// Fixes one due settlement from the kept history, or records it as stuck.
	fn fix_settlement(s: &ScheduledSettlement, block: u32, now: Moment) {
		if SettlementPrices::<T>::contains_key(s.underlying, s.expiry) {
			frame_support::defensive!("fixed settlements are not scheduled; qed");
			return;
		}
		let ring = Rings::<T>::get(s.underlying);
		let start = s.expiry.saturating_sub(s.window);
		// The canonical price was last backed by fresh inputs until `fresh_until`: if that is
		// before the window, the whole window would average a price nobody reported in it.
		let fresh_in_window =
			IndexPrices::<T>::get(s.underlying).is_some_and(|c| c.fresh_until >= start);
		let reason = match Self::observation(s.underlying, &ring, 0) {
			None => Some(StuckReason::NoPriceBeforeExpiry),
			Some(o) if o.timestamp > s.expiry => Some(StuckReason::NoPriceBeforeExpiry),
			// The ring wrapped past the window's start: part of the window is lost.
			Some(o) if o.timestamp > start && ring.len >= Self::ring_capacity() => {
				Some(StuckReason::HistoryLost)
			},
			Some(_) if !fresh_in_window => Some(StuckReason::NoFreshPrice),
			Some(_) => None,
		};
		if let Some(reason) = reason {
			let range = Self::fed_range(s.underlying, s.expiry);
			StuckSettlements::<T>::insert(
				s.underlying,
				s.expiry,
				StuckSettlement { window: s.window, reason, range, since: now },
			);
			Self::deposit_event(Event::<T>::SettlementStuck {
				underlying: s.underlying,
				expiry: s.expiry,
				reason,
				range,
			});
			return;
		}
		match Self::twap_between(s.underlying, start, s.expiry) {
			Some((price, from, to)) => {
				Self::write_settlement(s.underlying, s.expiry, price, from, to, block)
			},
			None => {
				frame_support::defensive!("a price exists before the expiry; qed");
			},
		}
	}

	/// Records a fixed settlement price.
	pub(crate) fn write_settlement(
		id: UnderlyingId,
		expiry: Moment,
		price: Price,
		from: Moment,
		to: Moment,
		block: u32,
	) {
		SettlementPrices::<T>::insert(id, expiry, SettlementRecord { price, from, to, block });
		Self::deposit_event(Event::<T>::SettlementPriceFixed {
			underlying: id,
			expiry,
			price,
			from,
			to,
		});
	}

	/// The range of what a majority of the operators agreed on around `expiry`, for governance
	/// to settle a stuck expiry inside it: the submissions observed within the heartbeat of the
	/// expiry that agree (within `max_dispersion` of their median), if at least a strict
	/// majority of the operators (and the quorum) agree; a liar's outlier never widens it.
	/// `None` otherwise.
	fn fed_range(id: UnderlyingId, expiry: Moment) -> Option<(Price, Price)> {
		let params = Underlyings::<T>::get(id)?;
		let near = |t: Moment| {
			t.saturating_add(params.heartbeat) >= expiry
				&& t <= expiry.saturating_add(params.heartbeat)
		};
		let inputs: alloc::vec::Vec<(Price, Moment)> = Submissions::<T>::get(id)
			.iter()
			.filter(|s| near(s.timestamp))
			.map(|s| (s.price, s.timestamp))
			.collect();
		let required = Self::required_inputs(params.quorum, Self::operator_count());
		let (_, _, agree) = Self::agreeing(&inputs, params.max_dispersion, required)?;
		let lo = agree.iter().map(|(p, _)| *p).min()?;
		let hi = agree.iter().map(|(p, _)| *p).max()?;
		Some((lo, hi))
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl<T: Config> Pallet<T> {
	/// Benchmarks only: fixes the settlement price of `(id, expiry)` at `price`, writing the
	/// record `fix_settlement` would write (interval `[expiry - window, expiry]`, the window of
	/// the schedule entry or else of the underlying) and removing the schedule entry. A price
	/// already fixed is left as it is (settlement prices are never overwritten).
	pub fn set_settlement_price_for_benchmarks(
		id: UnderlyingId,
		expiry: Moment,
		price: Price,
	) -> DispatchResult {
		if SettlementPrices::<T>::contains_key(id, expiry) {
			return Ok(());
		}
		let params = Underlyings::<T>::get(id).ok_or(Error::<T>::UnknownUnderlying)?;
		let mut schedule = ScheduledSettlements::<T>::get();
		let window = schedule
			.iter()
			.find(|s| s.underlying == id && s.expiry == expiry)
			.map_or(params.settlement_window, |s| s.window);
		schedule.retain(|s| !(s.underlying == id && s.expiry == expiry));
		ScheduledSettlements::<T>::put(schedule);
		let block: u32 = frame_system::Pallet::<T>::block_number().unique_saturated_into();
		let from = expiry.saturating_sub(window);
		SettlementPrices::<T>::insert(
			id,
			expiry,
			SettlementRecord { price, from, to: expiry, block },
		);
		Self::deposit_event(Event::<T>::SettlementPriceFixed {
			underlying: id,
			expiry,
			price,
			from,
			to: expiry,
		});
		Ok(())
	}
}
