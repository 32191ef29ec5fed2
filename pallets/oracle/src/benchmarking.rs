//! Benchmarks (frame-benchmarking v2). Every benchmark sets up its worst case: full operator
//! set, full underlying list, full rings.

use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get, Time},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use optionchain_primitives::{FeedEntry, Moment, UnderlyingId};
use sp_arithmetic::{FixedPointNumber, FixedU128};

/// Time the benchmarks run at (ms).
const NOW: Moment = 1_000_000_000;

fn params(quorum: u32) -> UnderlyingParams {
	UnderlyingParams { quorum, ..Default::default() }
}

fn price(i: u32) -> FixedU128 {
	FixedU128::saturating_from_integer(60_000u128 + u128::from(i))
}

/// Makes `count` underlyings registered (keeps existing ones) and returns the first `count`.
fn underlyings<T: Config>(count: u32) -> Vec<UnderlyingId> {
	// Written directly: the set-up does not follow the quorum-majority rule.
	let mut next = 1_000u32;
	while (UnderlyingList::<T>::get().len() as u32) < count {
		if !Underlyings::<T>::contains_key(next) {
			UnderlyingList::<T>::mutate(|l| {
				let _ = l.try_push(next);
			});
			Underlyings::<T>::insert(next, params(1));
		}
		next += 1;
	}
	UnderlyingList::<T>::get().into_iter().take(count as usize).collect()
}

/// Replaces the operator set with `count` benchmark operators.
fn operators<T: Config>(count: u32) -> Vec<T::AccountId> {
	// Written directly: the set-up does not follow the quorum-majority rule of
	// `add_operator` (the aggregation requires a majority of operators anyway).
	let ops: Vec<T::AccountId> = (0..count).map(T::BenchmarkHelper::operator).collect();
	Operators::<T>::put(BoundedVec::truncate_from(ops.clone()));
	ops
}

/// Sets every registered underlying's quorum to a strict majority of `MaxOperators` (written
/// directly), so that operators can be added and removed in the benchmarks.
fn majority_quorums<T: Config>() {
	let q = T::MaxOperators::get() / 2 + 1;
	for id in UnderlyingList::<T>::get() {
		Underlyings::<T>::mutate(id, |p| {
			if let Some(p) = p {
				p.quorum = q;
			}
		});
	}
}

fn start<T: Config>() -> BlockNumberFor<T> {
	T::BenchmarkHelper::set_time(NOW);
	let n: BlockNumberFor<T> = 10u32.into();
	frame_system::Pallet::<T>::set_block_number(n);
	n
}

/// Stores a fresh submission of each operator for `id` at about `base` USD and `vol`.
fn fill_submissions_at<T: Config>(
	id: UnderlyingId,
	ops: &[T::AccountId],
	base: u128,
	vol: FixedU128,
) {
	let now = T::Time::now();
	let subs: Vec<_> = ops
		.iter()
		.enumerate()
		.map(|(i, o)| Submission {
			operator: o.clone(),
			price: FixedU128::saturating_from_integer(base + i as u128),
			volatility: vol,
			timestamp: now,
			block: 10,
		})
		.collect();
	Submissions::<T>::insert(id, SubmissionsOf::<T>::truncate_from(subs));
}

/// Stores a fresh submission of each operator for `id`.
fn fill_submissions<T: Config>(id: UnderlyingId, ops: &[T::AccountId]) {
	let now = T::Time::now();
	let subs: Vec<_> = ops
		.iter()
		.enumerate()
		.map(|(i, o)| Submission {
			operator: o.clone(),
			price: price(i as u32),
			volatility: FixedU128::from_rational(1, 2),
			timestamp: now,
			block: 10,
		})
		.collect();
	let subs: SubmissionsOf<T> = BoundedVec::truncate_from(subs);
	Submissions::<T>::insert(id, subs);
}

/// Fills `id`'s ring (and sets a canonical price equal to the newest observation).
fn fill_ring<T: Config>(id: UnderlyingId, until: Moment) {
	let cap = T::MaxObservations::get();
	let start = until.saturating_sub(u64::from(cap) * 6_000);
	for i in 0..cap {
		Pallet::<T>::record_observation(id, start + u64::from(i) * 6_000, price(i % 2));
	}
	let last = price((cap - 1) % 2);
	IndexPrices::<T>::insert(
		id,
		Aggregate {
			value: last,
			confidence: FixedU128::from_inner(0),
			updated_at: until,
			block: 10,
			fresh_until: until + 60_000,
			sources: 1,
		},
	);
}

fn feed_call<T: Config>(n: u32) -> (T::AccountId, BlockNumberFor<T>, FeedEntriesOf<T>) {
	let at = start::<T>();
	let ids = underlyings::<T>(T::MaxUnderlyings::get());
	let ops = operators::<T>(T::MaxOperators::get());
	for id in &ids {
		fill_submissions::<T>(*id, &ops[..ops.len() - 1]);
	}
	let operator = ops[ops.len() - 1].clone();
	let entries: Vec<FeedEntry> = ids
		.iter()
		.take(n as usize)
		.map(|id| FeedEntry {
			underlying: *id,
			price: price(7),
			volatility: FixedU128::from_rational(6, 10),
		})
		.collect();
	let entries: FeedEntriesOf<T> = BoundedVec::truncate_from(entries);
	(operator, at, entries)
}

/// A stuck settlement of the first underlying at `NOW - SettlementGracePeriod` (just past its
/// grace period) with an operators' range around `price(0..2)`.
fn stuck_settlement<T: Config>() -> UnderlyingId {
	start::<T>();
	let id = underlyings::<T>(T::MaxUnderlyings::get())[0];
	let expiry = NOW - T::SettlementGracePeriod::get();
	StuckSettlements::<T>::insert(
		id,
		expiry,
		StuckSettlement {
			window: 60_000,
			reason: StuckReason::NoPriceBeforeExpiry,
			range: Some((price(0), price(2))),
			since: expiry,
		},
	);
	id
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn feed(n: Linear<1, { T::MaxFeedEntries::get() }>) {
		let (operator, at, entries) = feed_call::<T>(n);
		let first = entries[0].underlying;

		#[extrinsic_call]
		_(RawOrigin::Signed(operator.clone()), at, NOW, entries);

		assert!(Submissions::<T>::get(first).iter().any(|s| s.operator == operator));
	}

	#[benchmark]
	fn validate_feed(n: Linear<1, { T::MaxFeedEntries::get() }>) -> Result<(), BenchmarkError> {
		let (operator, at, entries) = feed_call::<T>(n);

		// What `CheckOracleFeed` runs for a feed (with the operators' `feeless_if` read).
		#[block]
		{
			let origin: T::RuntimeOrigin = RawOrigin::Signed(operator.clone()).into();
			if !Pallet::<T>::is_operator_origin(&origin) {
				return Err("the operator is feeless".into());
			}
			Pallet::<T>::validate_feed(&operator, at, NOW, &entries)
				.map_err(|_| "feed must be valid")?;
		}
		Ok(())
	}

	#[benchmark]
	fn aggregate(
		a: Linear<0, { T::MaxUnderlyings::get() }>,
		o: Linear<1, { T::MaxOperators::get() }>,
	) {
		start::<T>();
		let ids = underlyings::<T>(T::MaxUnderlyings::get());
		// `o` operators, all feeding: a round with every input.
		let ops = operators::<T>(o);
		let mut touched: BoundedVec<UnderlyingId, T::MaxUnderlyings> = BoundedVec::new();
		let p = params(o / 2 + 1);
		for id in ids.iter().take(a as usize) {
			Underlyings::<T>::insert(*id, p);
			// The worst case of a round: a submission pruned (when the rest still reach the
			// required count), and both the price (+50 %) and the volatility (+100 %) moves
			// confirmed by this round: each breaker is released, the price written with its
			// observation and window reference.
			fill_submissions_at::<T>(*id, &ops[..o as usize], 90_000, FixedU128::from_u32(1));
			if o >= 3 {
				Submissions::<T>::mutate(*id, |subs| {
					if let Some(first) = subs.get_mut(0) {
						first.timestamp = NOW - p.heartbeat - 1;
					}
				});
			}
			fill_ring::<T>(*id, NOW - 6_000);
			let held = |value: FixedU128| Breaker {
				candidate: Aggregate {
					value,
					confidence: FixedU128::from_inner(0),
					updated_at: NOW - 6_000,
					block: 9,
					fresh_until: NOW + 60_000,
					sources: o,
				},
				upwards: true,
				confirmations: p.confirmations - 1,
				tripped_at: 8,
			};
			Breakers::<T>::insert(*id, held(FixedU128::saturating_from_integer(90_000u128)));
			Volatilities::<T>::insert(
				*id,
				Aggregate {
					value: FixedU128::from_rational(1, 2),
					confidence: FixedU128::from_inner(0),
					updated_at: NOW - 12_000,
					block: 8,
					fresh_until: NOW + 60_000,
					sources: o,
				},
			);
			VolatilityBreakers::<T>::insert(*id, held(FixedU128::from_u32(1)));
			let _ = touched.try_push(*id);
		}
		Touched::<T>::put(touched);

		#[block]
		{
			Pallet::<T>::aggregate_touched();
		}

		assert!(Touched::<T>::get().is_empty());
		if let Some(id) = ids.first().filter(|_| a > 0) {
			assert_eq!(IndexPrices::<T>::get(id).map(|p| p.updated_at), Some(NOW));
			assert!(Breakers::<T>::get(id).is_none() && VolatilityBreakers::<T>::get(id).is_none());
		}
	}

	#[benchmark]
	fn fix_settlements(s: Linear<0, { T::MaxSettlementsPerBlock::get() }>) {
		start::<T>();
		// `s` due expiries on `s` different underlyings, each with a full ring of
		// observations (the longest binary searches).
		let ids = underlyings::<T>(s.max(1));
		let mut due: Vec<ScheduledSettlement> = Vec::new();
		for (i, id) in ids.iter().take(s as usize).enumerate() {
			fill_ring::<T>(*id, NOW - 6_000);
			let window = Underlyings::<T>::get(id).map(|p| p.settlement_window).unwrap_or_default();
			// Written directly (scheduling refuses past expiries).
			due.push(ScheduledSettlement {
				expiry: NOW - 100_000 - i as u64 * 7_000,
				underlying: *id,
				window,
			});
		}
		due.sort_by_key(|x| (x.expiry, x.underlying));
		ScheduledSettlements::<T>::put(BoundedVec::truncate_from(due));

		#[block]
		{
			Pallet::<T>::fix_due_settlements();
		}

		assert_eq!(ScheduledSettlements::<T>::get().len(), 0);
	}

	#[benchmark]
	fn fix_settlements_stuck(s: Linear<0, { T::MaxSettlementsPerBlock::get() }>) {
		start::<T>();
		// `s` due expiries on `s` different underlyings that cannot be fixed (no observation
		// before the expiry), each with every operator's input near the expiry, all agreeing:
		// the longest computation of the range governance may later force a price in.
		let ids = underlyings::<T>(s.max(1));
		let ops = operators::<T>(T::MaxOperators::get());
		let mut due: Vec<ScheduledSettlement> = Vec::new();
		for (i, id) in ids.iter().take(s as usize).enumerate() {
			Underlyings::<T>::insert(*id, params(ops.len() as u32 / 2 + 1));
			fill_ring::<T>(*id, NOW - 6_000);
			let expiry = NOW - 6_000 - u64::from(T::MaxObservations::get()) * 6_000 - 1 - i as u64;
			fill_submissions::<T>(*id, &ops);
			Submissions::<T>::mutate(*id, |subs| {
				for sub in subs.iter_mut() {
					sub.timestamp = expiry;
				}
			});
			let window = Underlyings::<T>::get(id).map(|p| p.settlement_window).unwrap_or_default();
			due.push(ScheduledSettlement { expiry, underlying: *id, window });
		}
		due.sort_by_key(|x| (x.expiry, x.underlying));
		ScheduledSettlements::<T>::put(BoundedVec::truncate_from(due));

		#[block]
		{
			Pallet::<T>::fix_due_settlements();
		}

		assert_eq!(ScheduledSettlements::<T>::get().len(), 0);
		assert_eq!(StuckSettlements::<T>::iter().count() as u32, s);
		assert!(StuckSettlements::<T>::iter().all(|(_, _, st)| st.range.is_some()));
	}

	#[benchmark]
	fn force_settlement_price() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let id = stuck_settlement::<T>();
		let expiry = NOW - T::SettlementGracePeriod::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, expiry, price(1));

		assert!(SettlementPrices::<T>::contains_key(id, expiry));
		assert!(!StuckSettlements::<T>::contains_key(id, expiry));
		Ok(())
	}

	#[benchmark]
	fn cancel_settlement() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let id = stuck_settlement::<T>();
		let expiry = NOW - T::SettlementGracePeriod::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, expiry);

		assert!(!StuckSettlements::<T>::contains_key(id, expiry));
		Ok(())
	}

	#[benchmark]
	fn register_underlying() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		underlyings::<T>(T::MaxUnderlyings::get() - 1);
		let id = 5_000;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, params(2));

		assert!(Underlyings::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn update_underlying() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let id = underlyings::<T>(1)[0];

		let q = Operators::<T>::get().len() as u32 / 2 + 1;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, params(q));

		assert_eq!(Underlyings::<T>::get(id).map(|p| p.quorum), Some(q));
		Ok(())
	}

	#[benchmark]
	fn add_operator() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		operators::<T>(T::MaxOperators::get() - 1);
		underlyings::<T>(T::MaxUnderlyings::get());
		majority_quorums::<T>();
		let who = T::BenchmarkHelper::operator(10_000);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(Operators::<T>::get().contains(&who));
		Ok(())
	}

	#[benchmark]
	fn remove_operator(u: Linear<1, { T::MaxUnderlyings::get() }>) -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		start::<T>();
		let ids = underlyings::<T>(u);
		let ops = operators::<T>(T::MaxOperators::get());
		majority_quorums::<T>();
		for id in &ids {
			fill_submissions::<T>(*id, &ops);
		}
		let who = ops[ops.len() - 1].clone();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(!Operators::<T>::get().contains(&who));
		Ok(())
	}

	#[benchmark]
	fn schedule_settlement() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		start::<T>();
		let id = underlyings::<T>(1)[0];
		for i in 0..T::MaxScheduledSettlements::get().saturating_sub(1) {
			let _ = Pallet::<T>::do_schedule_settlement(id, NOW + 1_000_000 + u64::from(i));
		}

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, NOW + 10);

		assert_eq!(ScheduledSettlements::<T>::get().first().map(|s| s.expiry), Some(NOW + 10));
		Ok(())
	}

	#[benchmark]
	fn release_circuit_breaker() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		start::<T>();
		let id = underlyings::<T>(1)[0];
		fill_ring::<T>(id, NOW - 6_000);
		let candidate = Aggregate {
			value: FixedU128::saturating_from_integer(90_000u128),
			confidence: FixedU128::from_inner(0),
			updated_at: NOW,
			block: 10,
			fresh_until: NOW + 60_000,
			sources: 3,
		};
		Breakers::<T>::insert(
			id,
			Breaker { candidate, upwards: true, confirmations: 1, tripped_at: 10 },
		);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);

		assert_eq!(IndexPrices::<T>::get(id).map(|p| p.value), Some(candidate.value));
		Ok(())
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}

/// Native wall-clock timing of the two heaviest paths at the mock's maximum sizes, used to
/// derive the `ref_time` constants of `weights.rs` (see the README). Run with
/// `cargo test -p pallet-oracle --features runtime-benchmarks -- --ignored --nocapture timing`.
#[cfg(test)]
mod timing {
	use super::*;
	use crate::mock::{ExtBuilder, Test};
	use std::time::Instant;

	fn time<S: FnMut() -> R, R, F: FnMut(R)>(label: &str, runs: u32, mut setup: S, mut f: F) {
		let mut best = u128::MAX;
		let mut total = 0u128;
		for _ in 0..runs {
			ExtBuilder::default().build().execute_with(|| {
				let input = setup();
				let t = Instant::now();
				f(input);
				let ns = t.elapsed().as_nanos();
				best = best.min(ns);
				total += ns;
			});
		}
		std::println!("TIMING {label}: best {best} ns, mean {} ns", total / u128::from(runs));
	}

	#[test]
	#[ignore]
	fn timing() {
		let n = <Test as Config>::MaxFeedEntries::get();
		time(
			"feed(n=max)",
			50,
			|| feed_call::<Test>(n),
			|(o, at, e)| {
				Pallet::<Test>::feed(RawOrigin::Signed(o).into(), at, NOW, e).unwrap();
			},
		);
		time(
			"feed(n=1)",
			50,
			|| feed_call::<Test>(1),
			|(o, at, e)| {
				Pallet::<Test>::feed(RawOrigin::Signed(o).into(), at, NOW, e).unwrap();
			},
		);
		time(
			"validate_feed(n=max)",
			50,
			|| feed_call::<Test>(n),
			|(o, at, e)| {
				Pallet::<Test>::validate_feed(&o, at, NOW, &e).unwrap();
			},
		);
		let (max_a, max_o) =
			(<Test as Config>::MaxUnderlyings::get(), <Test as Config>::MaxOperators::get());
		for (a, o) in [(0, max_o), (1, 1), (1, max_o), (max_a, 1), (max_a, max_o)] {
			time(
				&std::format!("aggregate(a={a}, o={o})"),
				50,
				|| {
					start::<Test>();
					let ids = underlyings::<Test>(max_a);
					let ops = operators::<Test>(max_o);
					let mut touched: BoundedVec<UnderlyingId, <Test as Config>::MaxUnderlyings> =
						BoundedVec::new();
					for id in ids.iter().take(a as usize) {
						let _ = Pallet::<Test>::do_update_underlying(*id, params(o));
						fill_submissions::<Test>(*id, &ops[..o as usize]);
						fill_ring::<Test>(*id, NOW - 6_000);
						let _ = touched.try_push(*id);
					}
					Touched::<Test>::put(touched);
				},
				|_| Pallet::<Test>::aggregate_touched(),
			);
		}
		let s = <Test as Config>::MaxSettlementsPerBlock::get();
		time(
			"fix_settlements(s=max)",
			50,
			|| {
				start::<Test>();
				let id = underlyings::<Test>(1)[0];
				fill_ring::<Test>(id, NOW - 6_000);
				let mut due: Vec<ScheduledSettlement> = (0..s)
					.map(|i| ScheduledSettlement {
						expiry: NOW - 100_000 - u64::from(i) * 7_000,
						underlying: id,
						window: 60_000,
					})
					.collect();
				due.sort_by_key(|x| (x.expiry, x.underlying));
				ScheduledSettlements::<Test>::put(BoundedVec::truncate_from(due));
			},
			|_| {
				Pallet::<Test>::fix_due_settlements();
			},
		);
	}
}
