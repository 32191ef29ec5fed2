//! End-of-block aggregation: median, confidence band, quorum/heartbeat and circuit breaker.
//!
//! ## Median of an even count
//! With an even number of inputs the median is the mean of the two middle values (rounded
//! down to 10^-18). Both middle values of a sorted list lie within the honest range as long as
//! honest operators are a strict majority, so the mean does too; unlike the lower (or upper)
//! median it is not biased downwards (upwards), which matters because settlement of calls and
//! puts is symmetric.
//!
//! ## Confidence band
//! The half-width is the median absolute deviation (MAD) of the inputs from the median, taken
//! with the same median rule. It is robust: one extreme operator out of three cannot widen the
//! band beyond the honest spread (see the tests).

use crate::{pallet::*, types::*, weights::WeightInfo};
use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{Get, Time},
};
use optionchain_primitives::{Moment, Price, UnderlyingId};
use sp_arithmetic::FixedU128;
use sp_runtime::traits::{Saturating, UniqueSaturatedInto};

/// Median of `values` (sorted in place). Even count: mean of the two middle values, rounded
/// down. `None` if empty.
pub fn median(values: &mut [FixedU128]) -> Option<FixedU128> {
	values.sort();
	let n = values.len();
	let upper = *values.get(n / 2)?;
	if n % 2 == 1 {
		return Some(upper);
	}
	let lower = *values.get(n / 2 - 1)?;
	Some(mean_of_two(lower, upper))
}

/// `(a + b) / 2` rounded down, without overflow.
pub fn mean_of_two(a: FixedU128, b: FixedU128) -> FixedU128 {
	let (a, b) = (a.into_inner(), b.into_inner());
	FixedU128::from_inner(a / 2 + b / 2 + (a % 2 + b % 2) / 2)
}

/// `|a - b|`.
pub fn abs_diff(a: FixedU128, b: FixedU128) -> FixedU128 {
	if a >= b {
		a.saturating_sub(b)
	} else {
		b.saturating_sub(a)
	}
}

/// Median and median absolute deviation of `values`. `None` if empty.
pub fn median_and_mad(values: &[FixedU128]) -> Option<(FixedU128, FixedU128)> {
	let mut v: Vec<FixedU128> = values.to_vec();
	let m = median(&mut v)?;
	let mut dev: Vec<FixedU128> = v.iter().map(|x| abs_diff(*x, m)).collect();
	let mad = median(&mut dev)?;
	Some((m, mad))
}

impl<T: Config> Pallet<T> {
	/// Weight reserved in `on_initialize` for the part of `on_finalize` feeds do not prepay.
	pub(crate) fn on_finalize_reserved_weight() -> Weight {
		T::WeightInfo::aggregate(0, T::MaxOperators::get())
			.saturating_add(T::WeightInfo::fix_settlements(T::MaxSettlementsPerBlock::get()))
	}

	/// Aggregates every underlying that received a submission in this block.
	pub(crate) fn aggregate_touched() {
		let touched = Touched::<T>::take();
		for id in touched {
			Self::aggregate_one(id);
		}
	}

	/// Aggregates one underlying from its operators' latest submissions.
	pub(crate) fn aggregate_one(id: UnderlyingId) {
		let Some(params) = Underlyings::<T>::get(id) else {
			frame_support::defensive!("touched underlying is registered; qed");
			return;
		};
		let now = T::Time::now();
		let block: u32 = frame_system::Pallet::<T>::block_number().unique_saturated_into();

		// Drop submissions older than the heartbeat; the rest are the fresh inputs.
		let mut subs = Submissions::<T>::get(id);
		let before = subs.len();
		subs.retain(|s| s.timestamp.saturating_add(params.heartbeat) >= now);
		if subs.len() != before {
			if subs.is_empty() {
				Submissions::<T>::remove(id);
			} else {
				Submissions::<T>::insert(id, &subs);
			}
		}

		let fresh = subs.len() as u32;
		if fresh < params.quorum {
			Self::deposit_event(Event::<T>::QuorumNotReached {
				underlying: id,
				fresh,
				quorum: params.quorum,
			});
			return;
		}

		let prices: Vec<FixedU128> = subs.iter().map(|s| s.price).collect();
		let vols: Vec<FixedU128> = subs.iter().map(|s| s.volatility).collect();
		let mut times: Vec<Moment> = subs.iter().map(|s| s.timestamp).collect();
		times.sort_unstable_by(|a, b| b.cmp(a));
		// The quorum-th newest input decides how long a quorum stays within the heartbeat.
		let quorum_index = (params.quorum as usize).saturating_sub(1);
		let fresh_until =
			times.get(quorum_index).copied().unwrap_or(now).saturating_add(params.heartbeat);

		let (Some((price, price_band)), Some((vol, vol_band))) =
			(median_and_mad(&prices), median_and_mad(&vols))
		else {
			frame_support::defensive!("quorum >= 1 inputs; qed");
			return;
		};

		let vol_agg = Aggregate {
			value: vol,
			confidence: vol_band,
			updated_at: now,
			block,
			fresh_until,
			sources: fresh,
		};
		Volatilities::<T>::insert(id, vol_agg);
		Self::deposit_event(Event::<T>::VolatilityUpdated {
			underlying: id,
			volatility: vol,
			confidence: vol_band,
			sources: fresh,
		});

		let price_agg = Aggregate { value: price, confidence: price_band, ..vol_agg };
		Self::apply_price(id, &params, price_agg);
	}

	/// The window reference of `id` at `now`: the canonical price at the start of the current
	/// `BreakerWindow`; a new window starts (at `current`) once the last one has elapsed.
	fn window_reference(id: UnderlyingId, current: Price, now: Moment) -> Price {
		match BreakerReferences::<T>::get(id) {
			Some((price, since)) if now.saturating_sub(since) < T::BreakerWindow::get() => price,
			_ => {
				BreakerReferences::<T>::insert(id, (current, now));
				current
			},
		}
	}

	/// Makes `agg` canonical, or holds it behind the circuit breaker: it must be within
	/// `max_move` of the canonical price and of the window reference.
	fn apply_price(id: UnderlyingId, params: &UnderlyingParams, agg: Aggregate) {
		let Some(current) = IndexPrices::<T>::get(id) else {
			Self::set_canonical(id, agg);
			return;
		};
		let now = T::Time::now();
		let window = Self::window_reference(id, current.value, now);
		let within = |base: Price| {
			abs_diff(agg.value, base) <= FixedU128::from_inner(params.max_move.mul_floor(base.into_inner()))
		};
		if within(current.value) && within(window) {
			if Breakers::<T>::take(id).is_some() {
				Self::deposit_event(Event::<T>::CircuitBreakerReset {
					underlying: id,
					price: agg.value,
				});
			}
			Self::set_canonical(id, agg);
			return;
		}
		// The reference the move is measured against: the one it leaves.
		let reference = if within(current.value) { window } else { current.value };
		let upwards = agg.value >= reference;

		let required = params.confirmations;
		let breaker = match Breakers::<T>::get(id) {
			Some(b) if b.upwards == upwards => Breaker {
				candidate: agg,
				upwards,
				confirmations: b.confirmations.saturating_add(1),
				tripped_at: b.tripped_at,
			},
			_ => {
				Self::deposit_event(Event::<T>::CircuitBreakerTripped {
					underlying: id,
					reference,
					candidate: agg.value,
					required,
				});
				Breaker { candidate: agg, upwards, confirmations: 1, tripped_at: agg.block }
			},
		};
		if breaker.confirmations >= required {
			Breakers::<T>::remove(id);
			Self::release_breaker(id, agg, now, false);
		} else {
			if breaker.confirmations > 1 {
				Self::deposit_event(Event::<T>::CircuitBreakerConfirming {
					underlying: id,
					candidate: agg.value,
					confirmations: breaker.confirmations,
					required,
				});
			}
			Breakers::<T>::insert(id, breaker);
		}
	}

	/// Makes a held move canonical (confirmed by enough rounds, or released by governance;
	/// the caller has removed the breaker): a new breaker window starts from it.
	pub(crate) fn release_breaker(id: UnderlyingId, agg: Aggregate, now: Moment, by_governance: bool) {
		BreakerReferences::<T>::insert(id, (agg.value, now));
		Self::set_canonical(id, agg);
		Self::deposit_event(Event::<T>::CircuitBreakerReleased {
			underlying: id,
			price: agg.value,
			by_governance,
		});
	}

	/// Writes a new canonical price and records it in the accumulator.
	pub(crate) fn set_canonical(id: UnderlyingId, agg: Aggregate) {
		IndexPrices::<T>::insert(id, agg);
		Self::record_observation(id, T::Time::now(), agg.value);
		Self::deposit_event(Event::<T>::IndexPriceUpdated {
			underlying: id,
			price: agg.value,
			confidence: agg.confidence,
			sources: agg.sources,
		});
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl<T: Config> Pallet<T> {
	/// Benchmarks only: makes `price` and `volatility` the canonical, fresh aggregates of `id`
	/// at the current block, exactly as an aggregation round in which `quorum` operators
	/// submitted these values would write them (volatility, then the price through
	/// `set_canonical`, which records the observation), bypassing the circuit breaker (a tripped
	/// breaker is cleared). Registers `id` with default parameters if it is unknown.
	pub fn set_price_for_benchmarks(
		id: UnderlyingId,
		price: optionchain_primitives::Price,
		volatility: optionchain_primitives::Volatility,
	) -> DispatchResult {
		let params = match Underlyings::<T>::get(id) {
			Some(p) => p,
			None => {
				let p = UnderlyingParams::default();
				Self::do_register_underlying(id, p)?;
				p
			},
		};
		let now = T::Time::now();
		let block: u32 = frame_system::Pallet::<T>::block_number().unique_saturated_into();
		let vol_agg = Aggregate {
			value: volatility,
			confidence: FixedU128::from_inner(0),
			updated_at: now,
			block,
			fresh_until: now.saturating_add(params.heartbeat),
			sources: params.quorum,
		};
		Volatilities::<T>::insert(id, vol_agg);
		Self::deposit_event(Event::<T>::VolatilityUpdated {
			underlying: id,
			volatility,
			confidence: vol_agg.confidence,
			sources: vol_agg.sources,
		});
		Breakers::<T>::remove(id);
		BreakerReferences::<T>::insert(id, (price, now));
		Self::set_canonical(id, Aggregate { value: price, ..vol_agg });
		Ok(())
	}
}
