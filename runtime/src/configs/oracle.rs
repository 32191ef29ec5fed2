//! The oracle: operators' prices aggregated per block into the canonical index price.

use crate::{AccountId, Runtime, Timestamp};
use frame_support::{
	parameter_types,
	traits::{ConstU32, ConstU64},
};
use frame_system::EnsureRoot;
use sp_runtime::transaction_validity::TransactionPriority;

parameter_types! {
	/// Operator feeds go ahead of ordinary transactions: prices protect everybody's margin.
	pub const OracleFeedPriority: TransactionPriority = TransactionPriority::MAX / 2;
}

impl pallet_oracle::Config for Runtime {
	type Time = Timestamp;
	type GovernanceOrigin = EnsureRoot<AccountId>;
	type MaxUnderlyings = ConstU32<16>;
	type MaxOperators = ConstU32<16>;
	type MaxFeedEntries = ConstU32<16>;
	/// 1,200 observations: 40 minutes of 2 s blocks, more than the 30-minute settlement window.
	/// The circuit breaker bounds moves per block and per minute (`max_move` each).
	type BreakerWindow = ConstU64<60_000>;
	type MaxObservations = ConstU32<1200>;
	type MaxScheduledSettlements = ConstU32<256>;
	type MaxSettlementsPerBlock = ConstU32<8>;
	/// A feed's round is valid for 5 blocks (10 s).
	type FeedLifetime = ConstU32<5>;
	type FeedPriority = OracleFeedPriority;
	/// An observation is accepted up to 10 s (5 blocks) after it was made.
	type MaxFeedAge = ConstU64<10_000>;
	/// Aura's slot: blocks are at least 2 s apart, so the 1,200 observations keep at least
	/// (1,200 - 32 - 2) x 2 s = 38.9 min of history before any expiry.
	type MinBlockInterval = ConstU64<{ crate::SLOT_DURATION }>;
	/// Governance may settle or cancel a stuck expiry one hour after it.
	type SettlementGracePeriod = ConstU64<3_600_000>;
	type WeightInfo = pallet_oracle::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = OracleBenchmarkHelper;
}

/// Benchmark operator accounts.
#[cfg(feature = "runtime-benchmarks")]
pub struct OracleBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_oracle::BenchmarkHelper<AccountId> for OracleBenchmarkHelper {
	fn operator(seed: u32) -> AccountId {
		frame_benchmarking::account("oracle-operator", seed, 0)
	}
	/// Writes the timestamp only (`set_timestamp` would trip Aura's slot check).
	fn set_time(now: u64) {
		pallet_timestamp::Now::<Runtime>::put(now)
	}
}
