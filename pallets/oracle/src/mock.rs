//! Mock runtime: frame-system, pallet-timestamp and the oracle.

use crate::{self as pallet_oracle, types::*, FeedEntriesOf};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Hooks, Time},
};
use frame_system::EnsureRoot;
use optionchain_primitives::{units, FeedEntry, Moment, UnderlyingId};
use sp_arithmetic::{FixedU128, Permill};
use sp_runtime::{BuildStorage, DispatchResultWithInfo};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Oracle: pallet_oracle,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

impl pallet_timestamp::Config for Test {
	type Moment = Moment;
	type OnTimestampSet = ();
	type MinimumPeriod = ConstU64<1>;
	type WeightInfo = ();
}

parameter_types! {
	pub const FeedPriority: u64 = 1 << 60;
}

/// Benchmark helper for the mock.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for MockBenchmarkHelper {
	fn operator(seed: u32) -> u64 {
		1_000 + u64::from(seed)
	}
	fn set_time(now: Moment) {
		Timestamp::set_timestamp(now);
	}
}

impl pallet_oracle::Config for Test {
	type Time = Timestamp;
	type GovernanceOrigin = EnsureRoot<u64>;
	type MaxUnderlyings = ConstU32<8>;
	type MaxOperators = ConstU32<5>;
	type MaxFeedEntries = ConstU32<4>;
	type BreakerWindow = ConstU64<60_000>;
	/// (320 - 2 - 2) x 6 s = 31.6 min of history: covers the 30 min settlement window.
	type MaxObservations = ConstU32<320>;
	type MaxScheduledSettlements = ConstU32<4>;
	type MaxSettlementsPerBlock = ConstU32<2>;
	type FeedLifetime = ConstU64<5>;
	type FeedPriority = FeedPriority;
	type MaxFeedAge = ConstU64<12_000>;
	type MinBlockInterval = ConstU64<6_000>;
	type SettlementGracePeriod = ConstU64<60_000>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

pub const BTC: UnderlyingId = 0;
pub const ETH: UnderlyingId = 1;
pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const CHARLIE: u64 = 3;
pub const DAVE: u64 = 4;
pub const EVE: u64 = 5;
/// Timestamp of block 1.
pub const T0: Moment = 1_000_000;
/// Block time of `next_block`.
pub const BLOCK_MS: Moment = 6_000;

/// `n` whole USD.
pub fn usd(n: u128) -> FixedU128 {
	units::whole(n)
}

/// `n / 100`.
pub fn pct(n: u128) -> FixedU128 {
	units::ratio(n, 100)
}

/// Parameters used for BTC and ETH in the tests: quorum 2, heartbeat 60 s, max move 10 %,
/// 3 confirmations, 30 min window, max price 10^7, max vol 10.
pub fn params() -> UnderlyingParams {
	UnderlyingParams {
		quorum: 2,
		heartbeat: 60_000,
		max_move: Permill::from_percent(10),
		confirmations: 3,
		settlement_window: DEFAULT_SETTLEMENT_WINDOW,
		max_price: usd(10_000_000),
		max_volatility: usd(10),
		max_dispersion: Permill::from_percent(5),
		max_volatility_dispersion: Permill::from_percent(20),
		max_volatility_move: Permill::from_percent(25),
	}
}

pub struct ExtBuilder {
	underlyings: Vec<(UnderlyingId, UnderlyingParams)>,
	operators: Vec<u64>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			underlyings: vec![(BTC, params()), (ETH, params())],
			operators: vec![ALICE, BOB, CHARLIE],
		}
	}
}

impl ExtBuilder {
	/// The operators at genesis.
	pub fn operators(mut self, ops: Vec<u64>) -> Self {
		self.operators = ops;
		self
	}

	pub fn params(mut self, id: UnderlyingId, p: UnderlyingParams) -> Self {
		for u in self.underlyings.iter_mut().filter(|u| u.0 == id) {
			u.1 = p;
		}
		self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			oracle: pallet_oracle::GenesisConfig {
				underlyings: self.underlyings,
				operators: self.operators,
			},
		}
		.build_storage()
		.expect("valid genesis");
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			Timestamp::set_timestamp(T0);
			Oracle::on_initialize(1);
		});
		ext
	}

	/// Runs `test`, ends the block, then checks every invariant.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Oracle::on_finalize(System::block_number());
			Oracle::do_try_state().expect("try_state must hold after every test");
		})
	}
}

/// Default externalities with the try_state check at the end.
pub fn build_and_execute(test: impl FnOnce()) {
	ExtBuilder::default().build_and_execute(test)
}

/// Ends the current block (aggregation) and starts the next one `dt` ms later.
pub fn next_block_after(dt: Moment) {
	let n = System::block_number();
	Oracle::on_finalize(n);
	System::set_block_number(n + 1);
	Timestamp::set_timestamp(Timestamp::now() + dt);
	Oracle::on_initialize(n + 1);
}

/// Ends the current block and starts the next one `BLOCK_MS` later.
pub fn next_block() {
	next_block_after(BLOCK_MS)
}

/// A feed entry.
pub fn entry(underlying: UnderlyingId, price: FixedU128, volatility: FixedU128) -> FeedEntry {
	FeedEntry { underlying, price, volatility }
}

/// Bounded entries.
pub fn entries(v: Vec<FeedEntry>) -> FeedEntriesOf<Test> {
	v.try_into().expect("at most MaxUnderlyings entries in tests")
}

/// Dispatches `operator`'s feed for round = current block, observed now (the checks of
/// `CheckOracleFeed` run again in the dispatch).
pub fn feed(
	operator: u64,
	v: Vec<FeedEntry>,
) -> DispatchResultWithInfo<frame_support::dispatch::PostDispatchInfo> {
	feed_observed(operator, Timestamp::now(), v)
}

/// Like [`feed`], observed at `observed_at` (ms).
pub fn feed_observed(
	operator: u64,
	observed_at: Moment,
	v: Vec<FeedEntry>,
) -> DispatchResultWithInfo<frame_support::dispatch::PostDispatchInfo> {
	let at = System::block_number();
	Oracle::feed(RuntimeOrigin::signed(operator), at, observed_at, entries(v))
}

/// Feeds `price` (and 50 % vol) for BTC.
pub fn feed_btc(operator: u64, price: u128) {
	feed(operator, vec![entry(BTC, usd(price), pct(50))]).expect("valid feed");
}

/// Events of this pallet emitted so far.
pub fn oracle_events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Oracle(e) => Some(e),
			_ => None,
		})
		.collect()
}
