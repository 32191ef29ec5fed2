//! Storage migrations of the oracle pallet.
//!
//! - **v0 -> v1** ([`v1::MigrateV0ToV1`]): `UnderlyingParams` gained `max_dispersion`,
//!   `max_volatility_dispersion` and `max_volatility_move` (agreement of a round's inputs and
//!   the volatility's own circuit breaker). Every stored field is kept, except that a heartbeat
//!   above [`MAX_HEARTBEAT`] and a settlement window above the kept history are clamped (they
//!   are no longer valid) and a quorum that is not a strict majority of the operators is
//!   raised to one; the new fields take their defaults. Scheduled settlements' windows are
//!   clamped to the kept history.

use crate::{pallet::*, types::*};
use frame_support::{
	migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
};
use optionchain_primitives::{Moment, Price, Volatility};
use sp_arithmetic::Permill;

/// The v0 -> v1 migration.
pub mod v1 {
	use super::*;

	/// `UnderlyingParams` as stored in v0.
	#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
	pub struct UnderlyingParamsV0 {
		/// See [`UnderlyingParams::quorum`].
		pub quorum: u32,
		/// See [`UnderlyingParams::heartbeat`].
		pub heartbeat: Moment,
		/// See [`UnderlyingParams::max_move`].
		pub max_move: Permill,
		/// See [`UnderlyingParams::confirmations`].
		pub confirmations: u32,
		/// See [`UnderlyingParams::settlement_window`].
		pub settlement_window: Moment,
		/// See [`UnderlyingParams::max_price`].
		pub max_price: Price,
		/// See [`UnderlyingParams::max_volatility`].
		pub max_volatility: Volatility,
	}

	impl UnderlyingParamsV0 {
		/// The v1 parameters (see the module docs); `history` is the kept history (ms),
		/// `operators` the number of operators (the quorum is raised to a strict majority).
		pub fn upgrade(self, history: Moment, operators: u32) -> UnderlyingParams {
			let d = UnderlyingParams::default();
			UnderlyingParams {
				quorum: self.quorum.max(operators / 2 + 1),
				heartbeat: self.heartbeat.min(MAX_HEARTBEAT),
				max_move: self.max_move,
				confirmations: self.confirmations,
				settlement_window: self.settlement_window.min(history).max(1),
				max_price: self.max_price,
				max_volatility: self.max_volatility,
				max_dispersion: d.max_dispersion,
				max_volatility_dispersion: d.max_volatility_dispersion,
				max_volatility_move: d.max_volatility_move,
			}
		}
	}

	/// Translates every stored `Underlyings` entry (no version check: use [`MigrateV0ToV1`]).
	pub struct UncheckedMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let history = Pallet::<T>::history_span();
			let operators = Pallet::<T>::operator_count();
			let mut n = 0u64;
			Underlyings::<T>::translate::<UnderlyingParamsV0, _>(|_, old| {
				n = n.saturating_add(1);
				Some(old.upgrade(history, operators))
			});
			// Scheduled settlements keep their window, clamped to the kept history (a longer
			// one could only get stuck).
			ScheduledSettlements::<T>::mutate(|s| {
				for x in s.iter_mut() {
					x.window = x.window.min(history).max(1);
				}
			});
			T::DbWeight::get().reads_writes(n.saturating_add(3), n.saturating_add(1))
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let mut old = alloc::vec::Vec::new();
			for id in UnderlyingList::<T>::get() {
				let key = Underlyings::<T>::hashed_key_for(id);
				let raw = frame_support::storage::unhashed::get_raw(&key)
					.ok_or("v1 pre_upgrade: listed underlying without params")?;
				let p = UnderlyingParamsV0::decode(&mut &raw[..])
					.map_err(|_| "v1 pre_upgrade: params do not decode as v0")?;
				old.push((id, p));
			}
			Ok(old.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let old = alloc::vec::Vec::<(optionchain_primitives::UnderlyingId, UnderlyingParamsV0)>::decode(
				&mut &state[..],
			)
			.map_err(|_| "v1 post_upgrade: bad pre_upgrade state")?;
			let history = Pallet::<T>::history_span();
			let operators = Pallet::<T>::operator_count();
			for (id, p) in old {
				ensure!(
					Underlyings::<T>::get(id) == Some(p.upgrade(history, operators)),
					"v1 post_upgrade: parameters not carried over"
				);
			}
			Ok(())
		}
	}

	/// v0 -> v1, run once (checked against the on-chain storage version).
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
		UncheckedMigrateV0ToV1<T>,
		crate::pallet::Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
