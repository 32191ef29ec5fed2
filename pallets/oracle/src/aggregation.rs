//! End-of-block aggregation: median, confidence band, quorum/heartbeat and circuit breaker.
//!
//! ## Median of an even count
//! With an even number of inputs the median is the mean of the two middle values (rounded
//! down to 10^-18). Both middle values of a sorted list lie within the honest range as long as
//! honest operators are a strict majority, so the mean does too; unlike the lower (or upper)
//! median it is not biased downwards (upwards), which matters because settlement of calls and
//! puts is symmetric.
//!
//! ## Agreement
//! A round counts only when at least `max(quorum, operators / 2 + 1)` fresh inputs agree:
//! each within `max_dispersion` of the median of all fresh inputs. The new value is that
//! median. While at most half the operators lie, an agreeing set always
//! contains an honest input `h`, and the new value (the median `m` of all fresh inputs) is
//! within `d·m` of it: `h / (1 + d) <= m <= h / (1 - d)`, the honest range widened by the band
//! `d` (relative). A liar alone, or a liar plus a silent operator of three, can therefore not
//! move the price beyond that band; disagreeing rounds leave it to go `Stale`.
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
use sp_arithmetic::{FixedU128, Permill};
use sp_runtime::traits::{Saturating, UniqueSaturatedInto};

/// An agreeing round: the median and the band (MAD) of all inputs, and the agreeing inputs
/// with their observation times, newest first.
pub type Agreement = (FixedU128, FixedU128, Vec<(FixedU128, Moment)>);

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
		let max = T::MaxSettlementsPerBlock::get();
		// A due settlement is either fixed or recorded as stuck: reserve the dearer of the two.
		T::WeightInfo::aggregate(0, T::MaxOperators::get()).saturating_add(
			T::WeightInfo::fix_settlements(max).max(T::WeightInfo::fix_settlements_stuck(max)),
		)
	}

	/// Aggregates every underlying that received a submission in this block.
	pub(crate) fn aggregate_touched() {
		let touched = Touched::<T>::take();
		if touched.is_empty() {
			return;
		}
		let operators = Self::operator_count();
		for id in touched {
			Self::aggregate_one(id, operators);
		}
	}

	/// Inputs a round needs: `quorum`, and at least a strict majority of the `operators`.
	pub fn required_inputs(quorum: u32, operators: u32) -> u32 {
		quorum.max(operators / 2 + 1)
	}

	/// Whether the inputs of `values` (with their timestamps) agree: at least `required` of
	/// them within `max_dispersion` of the median of all. Returns the median and the band
	/// (MAD) of all the inputs and the agreeing inputs, newest first; `None` if fewer than
	/// `required` agree.
	pub fn agreeing(
		values: &[(FixedU128, Moment)],
		max_dispersion: Permill,
		required: u32,
	) -> Option<Agreement> {
		let all: Vec<FixedU128> = values.iter().map(|(v, _)| *v).collect();
		let (m, band) = median_and_mad(&all)?;
		let tolerance = FixedU128::from_inner(max_dispersion.mul_floor(m.into_inner()));
		let mut agree: Vec<(FixedU128, Moment)> =
			values.iter().copied().filter(|(v, _)| abs_diff(*v, m) <= tolerance).collect();
		if (agree.len() as u32) < required {
			return None;
		}
		agree.sort_unstable_by_key(|(_, t)| core::cmp::Reverse(*t));
		Some((m, band, agree))
	}

	/// Aggregates one underlying from its operators' latest submissions. A round counts only
	/// if at least `max(quorum, operators / 2 + 1)` inputs are fresh and as many agree (within
	/// `max_dispersion` of their median), separately for the price and the volatility; the new
	/// value is the median of the fresh inputs. A round that does not count changes nothing
	/// (the value goes `Stale` once its inputs age out) and clears a tripped breaker (a move is
	/// confirmed only by consecutive agreeing rounds).
	pub(crate) fn aggregate_one(id: UnderlyingId, operators: u32) {
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
		let required = Self::required_inputs(params.quorum, operators);
		if fresh < required {
			Self::deposit_event(Event::<T>::QuorumNotReached {
				underlying: id,
				fresh,
				quorum: required,
			});
			// Not a counting round: a held move must be confirmed by consecutive ones.
			Self::clear_breaker(id, Quantity::Price, None);
			Self::clear_breaker(id, Quantity::Volatility, None);
			return;
		}

		let prices: Vec<(FixedU128, Moment)> =
			subs.iter().map(|s| (s.price, s.timestamp)).collect();
		let vols: Vec<(FixedU128, Moment)> =
			subs.iter().map(|s| (s.volatility, s.timestamp)).collect();
		// The `required`-th newest agreeing input decides how long the value stays fresh.
		let fresh_until = |agree: &[(FixedU128, Moment)]| {
			agree
				.get((required as usize).saturating_sub(1))
				.map(|(_, t)| *t)
				.unwrap_or(now)
				.saturating_add(params.heartbeat)
		};
		let mk = |value, confidence, times: &[(FixedU128, Moment)]| Aggregate {
			value,
			confidence,
			updated_at: now,
			block,
			fresh_until: fresh_until(times),
			sources: fresh,
		};

		match Self::agreeing(&vols, params.max_volatility_dispersion, required) {
			Some((vol, band, times)) => {
				let agg = mk(vol, band, &times);
				Self::gate(id, Quantity::Volatility, &params, agg);
			},
			None => Self::disagree(id, Quantity::Volatility, fresh, required),
		}
		match Self::agreeing(&prices, params.max_dispersion, required) {
			Some((price, band, times)) => {
				let agg = mk(price, band, &times);
				Self::gate(id, Quantity::Price, &params, agg);
			},
			None => Self::disagree(id, Quantity::Price, fresh, required),
		}
	}

	/// A round whose inputs disagree: nothing changes; a tripped breaker is cleared.
	fn disagree(id: UnderlyingId, q: Quantity, fresh: u32, required: u32) {
		Self::deposit_event(Event::<T>::InputsDisagree {
			underlying: id,
			quantity: q,
			fresh,
			required,
		});
		Self::clear_breaker(id, q, None);
	}

	/// Removes `q`'s tripped breaker of `id`, if any (`CircuitBreakerReset` at `value`, the
	/// value that becomes canonical, or else at the canonical value, which stays).
	fn clear_breaker(id: UnderlyingId, q: Quantity, value: Option<FixedU128>) {
		let (had, canonical) = match q {
			Quantity::Price => (Breakers::<T>::take(id).is_some(), IndexPrices::<T>::get(id)),
			Quantity::Volatility => {
				(VolatilityBreakers::<T>::take(id).is_some(), Volatilities::<T>::get(id))
			},
		};
		if had {
			let value = value.or(canonical.map(|a| a.value)).unwrap_or_default();
			Self::deposit_event(match q {
				Quantity::Price => Event::<T>::CircuitBreakerReset { underlying: id, price: value },
				Quantity::Volatility => {
					Event::<T>::VolatilityBreakerReset { underlying: id, volatility: value }
				},
			});
		}
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

	/// Makes `agg` canonical for `q`, or holds it behind `q`'s circuit breaker. A price must be
	/// within `max_move` of the canonical price and of the window reference; a volatility
	/// within `max_volatility_move` of the canonical volatility.
	fn gate(id: UnderlyingId, q: Quantity, params: &UnderlyingParams, agg: Aggregate) {
		let current = match q {
			Quantity::Price => IndexPrices::<T>::get(id),
			Quantity::Volatility => Volatilities::<T>::get(id),
		};
		let Some(current) = current else {
			Self::set_canonical_quantity(id, q, agg);
			return;
		};
		let now = T::Time::now();
		let (max_move, window) = match q {
			Quantity::Price => (params.max_move, Self::window_reference(id, current.value, now)),
			Quantity::Volatility => (params.max_volatility_move, current.value),
		};
		let within = |base: FixedU128| {
			abs_diff(agg.value, base)
				<= FixedU128::from_inner(max_move.mul_floor(base.into_inner()))
		};
		if within(current.value) && within(window) {
			Self::clear_breaker(id, q, Some(agg.value));
			Self::set_canonical_quantity(id, q, agg);
			return;
		}
		// The reference the move is measured against: the one it leaves.
		let reference = if within(current.value) { window } else { current.value };
		let upwards = agg.value >= reference;

		let required = params.confirmations;
		let held = match q {
			Quantity::Price => Breakers::<T>::get(id),
			Quantity::Volatility => VolatilityBreakers::<T>::get(id),
		};
		let breaker = match held {
			Some(b) if b.upwards == upwards => Breaker {
				candidate: agg,
				upwards,
				confirmations: b.confirmations.saturating_add(1),
				tripped_at: b.tripped_at,
			},
			_ => {
				Self::deposit_event(match q {
					Quantity::Price => Event::<T>::CircuitBreakerTripped {
						underlying: id,
						reference,
						candidate: agg.value,
						required,
					},
					Quantity::Volatility => Event::<T>::VolatilityBreakerTripped {
						underlying: id,
						reference,
						candidate: agg.value,
						required,
					},
				});
				Breaker { candidate: agg, upwards, confirmations: 1, tripped_at: agg.block }
			},
		};
		if breaker.confirmations >= required {
			match q {
				Quantity::Price => {
					Breakers::<T>::remove(id);
					Self::release_breaker(id, agg, now, false);
				},
				Quantity::Volatility => {
					VolatilityBreakers::<T>::remove(id);
					Self::release_volatility(id, agg, false);
				},
			}
		} else {
			if breaker.confirmations > 1 {
				let (candidate, confirmations) = (agg.value, breaker.confirmations);
				Self::deposit_event(match q {
					Quantity::Price => Event::<T>::CircuitBreakerConfirming {
						underlying: id,
						candidate,
						confirmations,
						required,
					},
					Quantity::Volatility => Event::<T>::VolatilityBreakerConfirming {
						underlying: id,
						candidate,
						confirmations,
						required,
					},
				});
			}
			match q {
				Quantity::Price => Breakers::<T>::insert(id, breaker),
				Quantity::Volatility => VolatilityBreakers::<T>::insert(id, breaker),
			}
		}
	}

	fn set_canonical_quantity(id: UnderlyingId, q: Quantity, agg: Aggregate) {
		match q {
			Quantity::Price => Self::set_canonical(id, agg),
			Quantity::Volatility => Self::set_volatility(id, agg),
		}
	}

	/// Writes a new canonical volatility.
	pub(crate) fn set_volatility(id: UnderlyingId, agg: Aggregate) {
		Volatilities::<T>::insert(id, agg);
		Self::deposit_event(Event::<T>::VolatilityUpdated {
			underlying: id,
			volatility: agg.value,
			confidence: agg.confidence,
			sources: agg.sources,
		});
	}

	/// Makes a held volatility move canonical (confirmed by rounds, or released by governance;
	/// the caller has removed the breaker).
	pub(crate) fn release_volatility(id: UnderlyingId, agg: Aggregate, by_governance: bool) {
		Self::set_volatility(id, agg);
		Self::deposit_event(Event::<T>::VolatilityBreakerReleased {
			underlying: id,
			volatility: agg.value,
			by_governance,
		});
	}

	/// Makes a held move canonical (confirmed by enough rounds, or released by governance;
	/// the caller has removed the breaker): a new breaker window starts from it.
	pub(crate) fn release_breaker(
		id: UnderlyingId,
		agg: Aggregate,
		now: Moment,
		by_governance: bool,
	) {
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
