//! `integrity_test` and `try_state`.

use crate::{pallet::*, types::*, weights::WeightInfo};
use frame_support::{dispatch::DispatchClass, traits::Get};
use sp_runtime::traits::Zero;

impl<T: Config> Pallet<T> {
	/// Sanity of the runtime configuration.
	pub(crate) fn do_integrity_test() {
		assert!(T::MaxUnderlyings::get() > 0, "MaxUnderlyings must be > 0");
		assert!(T::MaxOperators::get() > 0, "MaxOperators must be > 0");
		assert!(
			T::MaxFeedEntries::get() > 0 && T::MaxFeedEntries::get() <= T::MaxUnderlyings::get(),
			"0 < MaxFeedEntries <= MaxUnderlyings"
		);
		assert!(T::MaxObservations::get() >= 2, "MaxObservations must be >= 2");
		assert!(T::MaxScheduledSettlements::get() > 0, "MaxScheduledSettlements must be > 0");
		assert!(T::MaxSettlementsPerBlock::get() > 0, "MaxSettlementsPerBlock must be > 0");
		assert!(!T::FeedLifetime::get().is_zero(), "FeedLifetime must be > 0");
		assert!(T::MaxFeedAge::get() > 0, "MaxFeedAge must be > 0");
		assert!(T::MinBlockInterval::get() > 0, "MinBlockInterval must be > 0");
		assert!(
			Self::history_span() >= DEFAULT_SETTLEMENT_WINDOW,
			"the kept history must cover the default settlement window"
		);
		// Every operator's largest feed fits the operational class's reserve together, so that
		// prices land in every block however full the normal class is.
		let class = <T as frame_system::Config>::BlockWeights::get();
		let operational = class.get(DispatchClass::Operational);
		let n = T::MaxFeedEntries::get();
		let one = Self::feed_weight(n)
			.saturating_add(T::WeightInfo::validate_feed(n))
			.saturating_add(operational.base_extrinsic);
		let all = one.saturating_mul(u64::from(T::MaxOperators::get()));
		if let Some(room) = operational.reserved.or(operational.max_total) {
			assert!(
				all.all_lte(room),
				"MaxOperators feeds of MaxFeedEntries must fit the operational reserve: {all:?} > {room:?}"
			);
		}
	}
}

/// Compiled for `try-runtime` and native (`std`) builds, where the tests check the invariants
/// after every block; the production wasm does not carry them.
#[cfg(any(feature = "try-runtime", feature = "std", test))]
mod checks {
	use crate::{pallet::*, types::*};
	use frame_support::{ensure, traits::Get};

	impl<T: Config> Pallet<T> {
		/// The invariants listed in the crate docs.
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let ops = Operators::<T>::get();
			for (i, o) in ops.iter().enumerate() {
				ensure!(!ops.iter().take(i).any(|p| p == o), "duplicate operator");
			}

			let list = UnderlyingList::<T>::get();
			for (i, id) in list.iter().enumerate() {
				ensure!(!list.iter().take(i).any(|p| p == id), "duplicate underlying");
				let params = Underlyings::<T>::get(id).ok_or("listed underlying has no params")?;
				ensure!(Self::validate_params(&params).is_ok(), "invalid params stored");
				ensure!(
					Self::ensure_majority(params.quorum, ops.len() as u32).is_ok(),
					"quorum is not a strict majority of the operators"
				);
			}
			ensure!(
				Underlyings::<T>::iter_keys().count() == list.len(),
				"underlying map and list differ"
			);

			for (id, subs) in Submissions::<T>::iter() {
				ensure!(list.contains(&id), "submission for unknown underlying");
				ensure!(!subs.is_empty(), "empty submissions stored");
				for (i, s) in subs.iter().enumerate() {
					ensure!(ops.contains(&s.operator), "submission from a non-operator");
					ensure!(
						!subs.iter().take(i).any(|p| p.operator == s.operator),
						"two submissions from one operator"
					);
				}
			}

			ensure!(Touched::<T>::get().is_empty(), "Touched not emptied at end of block");

			let schedule = ScheduledSettlements::<T>::get();
			for w in schedule.windows(2) {
				if let [a, b] = w {
					ensure!(
						(a.expiry, a.underlying) < (b.expiry, b.underlying),
						"schedule not sorted"
					);
				}
			}
			for s in schedule.iter() {
				ensure!(
					list.contains(&s.underlying),
					"scheduled settlement for unknown underlying"
				);
				ensure!(
					!SettlementPrices::<T>::contains_key(s.underlying, s.expiry),
					"scheduled settlement already fixed"
				);
			}

			for (id, expiry, _) in StuckSettlements::<T>::iter() {
				ensure!(
					!SettlementPrices::<T>::contains_key(id, expiry),
					"stuck settlement already fixed"
				);
				ensure!(
					!schedule.iter().any(|s| s.underlying == id && s.expiry == expiry),
					"stuck settlement still scheduled"
				);
			}

			let cap = T::MaxObservations::get();
			for (id, ring) in Rings::<T>::iter() {
				ensure!(ring.len <= cap && ring.next < cap, "ring position out of bounds");
				let mut prev: Option<Observation> = None;
				for i in 0..ring.len {
					let slot = ((ring.next as u64 + cap as u64 - ring.len as u64 + i as u64)
						% cap as u64) as u32;
					let o = Observations::<T>::get(id, slot).ok_or("missing observation")?;
					if let Some(p) = prev {
						ensure!(o.timestamp > p.timestamp, "observations not increasing");
						ensure!(
							o.cumulative
								== p.cumulative.wrapping_add(
									p.price
										.into_inner()
										.wrapping_mul(u128::from(o.timestamp - p.timestamp))
								),
							"cumulative does not match"
						);
					}
					prev = Some(o);
				}
				let canonical = IndexPrices::<T>::get(id).ok_or("ring without canonical price")?;
				ensure!(
					prev.map(|o| o.price) == Some(canonical.value),
					"newest observation differs from canonical price"
				);
			}
			ensure!(
				Observations::<T>::iter_keys().all(|(_, slot)| slot < cap),
				"observation slot out of bounds"
			);

			for (id, _) in Breakers::<T>::iter() {
				ensure!(IndexPrices::<T>::contains_key(id), "breaker without canonical price");
			}
			for (id, _) in VolatilityBreakers::<T>::iter() {
				ensure!(
					Volatilities::<T>::contains_key(id),
					"breaker without canonical volatility"
				);
			}
			Ok(())
		}
	}
}
