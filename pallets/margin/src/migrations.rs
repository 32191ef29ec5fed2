//! Storage migrations of the margin pallet.
//!
//! - **v0 -> v1** ([`v1::MigrateV0ToV1`]): `MarginParameters` gained `maintenance_mark_rate`
//!   (a short put's maintenance is `max(r_m * S, r_mm * mark) + mark`) and
//!   `long_initial_credit` (the part of long options' value that counts towards the initial
//!   requirement). The stored parameters keep every old field; the new ones take their
//!   defaults (0.075 and 0: no credit). A pending change cannot exist in v0.
//! - **v1 -> v2** ([`v2::MigrateV1ToV2`]): the trigger step (`Hot`, `DeadlineIndex`,
//!   `TriggerUnderlyings`, cursors) is new storage, but its invariant (every account with
//!   positions is hot or banded) must hold from the first block: every ledger account with
//!   positions or orders, but the insurance account, is made hot, so the first blocks
//!   evaluate all of them and `on_idle` bands them. Single block: refused by `pre_upgrade` beyond `MAX_ACCOUNTS` accounts (a
//!   larger ledger needs a multi-block migration).
//! - **v2 -> v3** ([`v3::MigrateV2ToV3`]): `AccountInfo` gained `checked_at` (the block in
//!   which the account was last found warm: its resting orders' fills are not evaluated again
//!   in that block). Every ledger entry keeps its fields and starts cold (`checked_at = 0`).
//!   Single block: refused by `pre_upgrade` beyond `v3::MAX_ACCOUNTS` accounts.
//! - **v3 -> v4** ([`v4::MigrateV3ToV4`]): `AccountInfo` gained `warm_spare` (0 for every
//!   entry). Single block, as v3.
//! - **v4 -> v5** ([`v5::MigrateV4ToV5`]): `AccountInfo` gained `positions`, the series in
//!   which the account holds a position (empty here; the options pallet's v5 migration, run
//!   right after, notes them through `MarginAccounts::note_position`). Single block, as v3.

use crate::{
	pallet::*,
	types::{AccountInfo, AccountState, MarginParameters},
};
use frame_support::{
	migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
};
use optionchain_primitives::exchange::Balance;
use optionchain_primitives::exchange::PositionsProvider;
use sp_arithmetic::{FixedI128, FixedU128};

/// The v0 -> v1 migration.
pub mod v1 {
	use super::*;

	/// `MarginParameters` as stored in v0.
	#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
	pub struct MarginParametersV0 {
		/// See [`MarginParameters::initial_rate`].
		pub initial_rate: FixedU128,
		/// See [`MarginParameters::min_initial_rate`].
		pub min_initial_rate: FixedU128,
		/// See [`MarginParameters::maintenance_rate`].
		pub maintenance_rate: FixedU128,
		/// See [`MarginParameters::liquidation_penalty`].
		pub liquidation_penalty: FixedU128,
		/// See [`MarginParameters::insurance_share`].
		pub insurance_share: FixedU128,
		/// See [`MarginParameters::liquidation_buffer`].
		pub liquidation_buffer: FixedU128,
		/// See [`MarginParameters::rate`].
		pub rate: FixedI128,
		/// See [`MarginParameters::dividend_yield`].
		pub dividend_yield: FixedI128,
	}

	impl MarginParametersV0 {
		/// The v1 parameters: every old field kept, the new ones at their defaults.
		pub fn upgrade(self) -> MarginParameters {
			let d = MarginParameters::default();
			MarginParameters {
				initial_rate: self.initial_rate,
				min_initial_rate: self.min_initial_rate,
				maintenance_rate: self.maintenance_rate,
				maintenance_mark_rate: d.maintenance_mark_rate,
				long_initial_credit: d.long_initial_credit,
				liquidation_penalty: self.liquidation_penalty,
				insurance_share: self.insurance_share,
				liquidation_buffer: self.liquidation_buffer,
				rate: self.rate,
				dividend_yield: self.dividend_yield,
			}
		}
	}

	/// Translates the stored `Params` (no version check: use [`MigrateV0ToV1`]).
	pub struct UncheckedMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let db = T::DbWeight::get();
			let translated =
				Params::<T>::translate::<MarginParametersV0, _>(|old| old.map(|o| o.upgrade()));
			if translated.is_err() {
				log::error!(target: crate::LOG_TARGET, "v1: stored parameters do not decode as v0; defaults kept");
				Params::<T>::kill();
			}
			db.reads_writes(1, 1)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let raw = frame_support::storage::unhashed::get_raw(&Params::<T>::hashed_key());
			let old: Option<MarginParametersV0> = match raw {
				Some(bytes) => Some(
					MarginParametersV0::decode(&mut &bytes[..])
						.map_err(|_| "v1 pre_upgrade: Params does not decode as v0")?,
				),
				None => None,
			};
			Ok(old.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let old = Option::<MarginParametersV0>::decode(&mut &state[..])
				.map_err(|_| "v1 post_upgrade: bad pre_upgrade state")?;
			let expected = old.map(|o| o.upgrade()).unwrap_or_default();
			ensure!(Params::<T>::get() == expected, "v1 post_upgrade: parameters not carried over");
			ensure!(
				PendingParams::<T>::get().is_none(),
				"v1 post_upgrade: unexpected pending change"
			);
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

/// The v1 -> v2 migration.
pub mod v2 {
	use super::*;

	/// Most ledger accounts the single-block migration handles, checked by `pre_upgrade`
	/// (1,000 accounts with positions: about 0.1 s of the 0.667 s block at the runtime's ParityDB
	/// weights, 0.33 s at RocksDB's; a larger ledger needs a multi-block migration).
	pub const MAX_ACCOUNTS: u32 = 1_000;

	/// Marks every ledger account with positions or orders (but the insurance account) hot (no
	/// version check: use [`MigrateV1ToV2`]).
	pub struct UncheckedMigrateV1ToV2<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let db = T::DbWeight::get();
			let insurance = Pallet::<T>::insurance_account();
			let now = frame_system::Pallet::<T>::block_number();
			let mut weight = db.reads(1);
			for who in Accounts::<T>::iter_keys() {
				// The key, the portfolio's size.
				weight = weight
					.saturating_add(db.reads(1))
					.saturating_add(T::Positions::portfolio_size_weight());
				if who == insurance || T::Positions::portfolio_size(&who).series == 0 {
					continue;
				}
				// Eligible for banding from this block on. (A counted insert: the presence
				// read, the counter read and write, the value.)
				Hot::<T>::insert(&who, now);
				weight = weight.saturating_add(db.reads_writes(2, 2));
			}
			weight
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let count = AccountCount::<T>::get();
			ensure!(count <= MAX_ACCOUNTS, "v2 pre_upgrade: too many accounts for one block");
			ensure!(Hot::<T>::count() == 0, "v2 pre_upgrade: Hot not empty");
			// Spec 105 declared the index but never wrote it.
			ensure!(Bands::<T>::iter_keys().next().is_none(), "v2 pre_upgrade: bands exist");
			ensure!(TriggerIndex::<T>::iter_keys().next().is_none(), "v2 pre_upgrade: index");
			ensure!(DeadlineIndex::<T>::iter_keys().next().is_none(), "v2 pre_upgrade: deadlines");
			let expected = Accounts::<T>::iter_keys()
				.filter(|w| {
					*w != Pallet::<T>::insurance_account()
						&& T::Positions::portfolio_size(w).series > 0
				})
				.count() as u32;
			Ok(expected.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let expected =
				u32::decode(&mut &state[..]).map_err(|_| "v2 post_upgrade: bad state")?;
			ensure!(Hot::<T>::count() == expected, "v2 post_upgrade: not every account is hot");
			Ok(())
		}
	}

	/// v1 -> v2, run once (checked against the on-chain storage version).
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		UncheckedMigrateV1ToV2<T>,
		crate::pallet::Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// The v2 -> v3 migration.
pub mod v3 {
	use super::*;

	/// Most ledger accounts the single-block migration handles, checked by `pre_upgrade` (a
	/// read and a write each: 5,000 accounts take about 0.15 s of the 0.667 s block at the
	/// runtime's ParityDB weights; a larger ledger needs a multi-block migration).
	pub const MAX_ACCOUNTS: u32 = 5_000;

	/// `AccountInfo` as stored in v2.
	#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
	pub struct AccountInfoV2 {
		/// See [`AccountInfo::collateral`].
		pub collateral: Balance,
		/// See [`AccountInfo::state`].
		pub state: AccountState,
		/// See [`AccountInfo::in_liquidation`].
		pub in_liquidation: bool,
		/// See [`AccountInfo::debt`].
		pub debt: Balance,
	}

	/// `AccountInfo` as stored in v3.
	#[derive(
		Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug, Default,
	)]
	pub struct AccountInfoV3 {
		/// See [`AccountInfo::collateral`].
		pub collateral: Balance,
		/// See [`AccountInfo::state`].
		pub state: AccountState,
		/// See [`AccountInfo::in_liquidation`].
		pub in_liquidation: bool,
		/// See [`AccountInfo::debt`].
		pub debt: Balance,
		/// See [`AccountInfo::checked_at`].
		pub checked_at: u32,
	}

	impl AccountInfoV2 {
		/// The v3 entry: every field kept, cold.
		pub fn upgrade(self) -> AccountInfoV3 {
			AccountInfoV3 {
				collateral: self.collateral,
				state: self.state,
				in_liquidation: self.in_liquidation,
				debt: self.debt,
				checked_at: 0,
			}
		}
	}

	/// Translates every `Accounts` entry (no version check: use [`MigrateV2ToV3`]).
	pub struct UncheckedMigrateV2ToV3<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV2ToV3<T> {
		fn on_runtime_upgrade() -> Weight {
			let db = T::DbWeight::get();
			let mut count: u64 = 0;
			// An entry that does not decode as v2 (none should) is dropped by `translate`:
			// logged, as `try_state` will then report the ledger count.
			let before = AccountCount::<T>::get();
			// Written in the v3 layout (the v3 -> v4 migration runs next, on the same upgrade if
			// the chain was at v2).
			for key in Accounts::<T>::iter_keys().collect::<alloc::vec::Vec<_>>() {
				let hashed = Accounts::<T>::hashed_key_for(&key);
				let Some(raw) = frame_support::storage::unhashed::get_raw(&hashed) else {
					continue;
				};
				match AccountInfoV2::decode(&mut &raw[..]) {
					Ok(old) => {
						count = count.saturating_add(1);
						frame_support::storage::unhashed::put_raw(&hashed, &old.upgrade().encode());
					},
					Err(_) => frame_support::storage::unhashed::kill(&hashed),
				}
			}
			if count != u64::from(before) {
				log::error!(
					target: crate::LOG_TARGET,
					"v3: {count} ledger entries translated, {before} counted"
				);
			}
			// Every entry read and written; the iteration's last read finds no more.
			db.reads_writes(count.saturating_add(1), count)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let count = AccountCount::<T>::get();
			ensure!(count <= MAX_ACCOUNTS, "v3 pre_upgrade: too many accounts for one block");
			let mut old: alloc::vec::Vec<(T::AccountId, AccountInfoV2)> = alloc::vec::Vec::new();
			for key in Accounts::<T>::iter_keys() {
				let raw =
					frame_support::storage::unhashed::get_raw(&Accounts::<T>::hashed_key_for(&key))
						.ok_or("v3 pre_upgrade: an entry vanished")?;
				let v = AccountInfoV2::decode(&mut &raw[..])
					.map_err(|_| "v3 pre_upgrade: an entry does not decode as v2")?;
				old.push((key, v));
			}
			Ok(old.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let old = alloc::vec::Vec::<(T::AccountId, AccountInfoV2)>::decode(&mut &state[..])
				.map_err(|_| "v3 post_upgrade: bad pre_upgrade state")?;
			ensure!(
				Accounts::<T>::iter_keys().count() == old.len(),
				"v3 post_upgrade: the ledger changed size"
			);
			for (who, v) in old {
				let raw =
					frame_support::storage::unhashed::get_raw(&Accounts::<T>::hashed_key_for(&who))
						.ok_or("v3 post_upgrade: an entry vanished")?;
				ensure!(
					AccountInfoV3::decode(&mut &raw[..]).ok() == Some(v.upgrade()),
					"v3 post_upgrade: an entry was not carried over"
				);
			}
			Ok(())
		}
	}

	/// v2 -> v3, run once (checked against the on-chain storage version).
	pub type MigrateV2ToV3<T> = VersionedMigration<
		2,
		3,
		UncheckedMigrateV2ToV3<T>,
		crate::pallet::Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// The v3 -> v4 migration: `AccountInfo` gains `warm_spare` (0: every account starts with no
/// spare recorded, which only sends a warm account's next quote to a full evaluation).
pub mod v4 {
	use super::{v3::AccountInfoV3, *};

	/// Most ledger accounts the single-block migration handles, as v3's.
	pub const MAX_ACCOUNTS: u32 = v3::MAX_ACCOUNTS;

	/// `AccountInfo` as stored in v4.
	#[derive(
		Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug, Default,
	)]
	pub struct AccountInfoV4 {
		/// See [`AccountInfo::collateral`].
		pub collateral: Balance,
		/// See [`AccountInfo::state`].
		pub state: AccountState,
		/// See [`AccountInfo::in_liquidation`].
		pub in_liquidation: bool,
		/// See [`AccountInfo::debt`].
		pub debt: Balance,
		/// See [`AccountInfo::checked_at`].
		pub checked_at: u32,
		/// See [`AccountInfo::warm_spare`].
		pub warm_spare: Balance,
	}

	impl AccountInfoV3 {
		/// The v4 entry: every field kept, no spare recorded.
		pub fn upgrade(self) -> AccountInfoV4 {
			AccountInfoV4 {
				collateral: self.collateral,
				state: self.state,
				in_liquidation: self.in_liquidation,
				debt: self.debt,
				checked_at: self.checked_at,
				warm_spare: 0,
			}
		}
	}

	/// Translates every `Accounts` entry (no version check: use [`MigrateV3ToV4`]).
	pub struct UncheckedMigrateV3ToV4<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV3ToV4<T> {
		fn on_runtime_upgrade() -> Weight {
			let db = T::DbWeight::get();
			let mut count: u64 = 0;
			let before = AccountCount::<T>::get();
			// Written in the v4 layout (the v4 -> v5 migration runs next, on the same upgrade if
			// the chain was at v3).
			for key in Accounts::<T>::iter_keys().collect::<alloc::vec::Vec<_>>() {
				let hashed = Accounts::<T>::hashed_key_for(&key);
				let Some(raw) = frame_support::storage::unhashed::get_raw(&hashed) else {
					continue;
				};
				match AccountInfoV3::decode(&mut &raw[..]) {
					Ok(old) => {
						count = count.saturating_add(1);
						frame_support::storage::unhashed::put_raw(&hashed, &old.upgrade().encode());
					},
					Err(_) => frame_support::storage::unhashed::kill(&hashed),
				}
			}
			if count != u64::from(before) {
				log::error!(
					target: crate::LOG_TARGET,
					"v4: {count} ledger entries translated, {before} counted"
				);
			}
			// Every entry read and written; the iteration's last read finds no more.
			db.reads_writes(count.saturating_add(1), count)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let count = AccountCount::<T>::get();
			ensure!(count <= MAX_ACCOUNTS, "v4 pre_upgrade: too many accounts for one block");
			let mut old: alloc::vec::Vec<(T::AccountId, AccountInfoV3)> = alloc::vec::Vec::new();
			for key in Accounts::<T>::iter_keys() {
				let raw =
					frame_support::storage::unhashed::get_raw(&Accounts::<T>::hashed_key_for(&key))
						.ok_or("v4 pre_upgrade: an entry vanished")?;
				let v = AccountInfoV3::decode(&mut &raw[..])
					.map_err(|_| "v4 pre_upgrade: an entry does not decode as v3")?;
				old.push((key, v));
			}
			Ok(old.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let old = alloc::vec::Vec::<(T::AccountId, AccountInfoV3)>::decode(&mut &state[..])
				.map_err(|_| "v4 post_upgrade: bad pre_upgrade state")?;
			ensure!(
				Accounts::<T>::iter_keys().count() == old.len(),
				"v4 post_upgrade: the ledger changed size"
			);
			for (who, v) in old {
				let raw =
					frame_support::storage::unhashed::get_raw(&Accounts::<T>::hashed_key_for(&who))
						.ok_or("v4 post_upgrade: an entry vanished")?;
				ensure!(
					AccountInfoV4::decode(&mut &raw[..]).ok() == Some(v.upgrade()),
					"v4 post_upgrade: an entry was not carried over"
				);
			}
			Ok(())
		}
	}

	/// v3 -> v4, run once (checked against the on-chain storage version).
	pub type MigrateV3ToV4<T> = VersionedMigration<
		3,
		4,
		UncheckedMigrateV3ToV4<T>,
		crate::pallet::Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}

/// The v4 -> v5 migration: `AccountInfo` gains `positions`, the series in which the account
/// holds a position. Every entry is written with an empty list; the options pallet's own
/// migration then notes each account's positions through
/// [`MarginAccounts::note_position`](optionchain_primitives::exchange::MarginAccounts) (the
/// runtime runs it right after this one), so the margin pallet never reads the options
/// pallet's storage.
pub mod v5 {
	use super::{v4::AccountInfoV4, *};

	/// Most ledger accounts the single-block migration handles, as v3's.
	pub const MAX_ACCOUNTS: u32 = v3::MAX_ACCOUNTS;

	impl AccountInfoV4 {
		/// The v5 entry: every field kept, no series listed yet.
		pub fn upgrade(self) -> AccountInfo {
			AccountInfo {
				collateral: self.collateral,
				state: self.state,
				in_liquidation: self.in_liquidation,
				debt: self.debt,
				checked_at: self.checked_at,
				warm_spare: self.warm_spare,
				positions: Default::default(),
			}
		}
	}

	/// Translates every `Accounts` entry (no version check: use [`MigrateV4ToV5`]).
	pub struct UncheckedMigrateV4ToV5<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV4ToV5<T> {
		fn on_runtime_upgrade() -> Weight {
			let db = T::DbWeight::get();
			let mut count: u64 = 0;
			let before = AccountCount::<T>::get();
			Accounts::<T>::translate::<AccountInfoV4, _>(|_, old| {
				count = count.saturating_add(1);
				Some(old.upgrade())
			});
			if count != u64::from(before) {
				log::error!(
					target: crate::LOG_TARGET,
					"v5: {count} ledger entries translated, {before} counted"
				);
			}
			// Every entry read and written; the iteration's last read finds no more.
			db.reads_writes(count.saturating_add(1), count)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
			let count = AccountCount::<T>::get();
			ensure!(count <= MAX_ACCOUNTS, "v5 pre_upgrade: too many accounts for one block");
			let mut old: alloc::vec::Vec<(T::AccountId, AccountInfoV4)> = alloc::vec::Vec::new();
			for key in Accounts::<T>::iter_keys() {
				let raw =
					frame_support::storage::unhashed::get_raw(&Accounts::<T>::hashed_key_for(&key))
						.ok_or("v5 pre_upgrade: an entry vanished")?;
				let v = AccountInfoV4::decode(&mut &raw[..])
					.map_err(|_| "v5 pre_upgrade: an entry does not decode as v4")?;
				old.push((key, v));
			}
			Ok(old.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let old = alloc::vec::Vec::<(T::AccountId, AccountInfoV4)>::decode(&mut &state[..])
				.map_err(|_| "v5 post_upgrade: bad pre_upgrade state")?;
			ensure!(
				Accounts::<T>::iter_keys().count() == old.len(),
				"v5 post_upgrade: the ledger changed size"
			);
			for (who, v) in old {
				ensure!(
					Accounts::<T>::get(&who) == Some(v.upgrade()),
					"v5 post_upgrade: an entry was not carried over"
				);
			}
			Ok(())
		}
	}

	/// v4 -> v5, run once (checked against the on-chain storage version).
	pub type MigrateV4ToV5<T> = VersionedMigration<
		4,
		5,
		UncheckedMigrateV4ToV5<T>,
		crate::pallet::Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
