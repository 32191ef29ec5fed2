//! Mock runtime: frame-system, balances, assets (settlement asset 1, sufficient, min balance 1),
#![allow(dead_code)]
//! timestamp, the margin pallet, `MockOracle` and a configurable in-memory `PositionsProvider`.

use crate::{self as pallet_margin};
use core::cell::RefCell;
use frame_support::pallet_prelude::{OptionQuery, Twox64Concat, ValueQuery};
use frame_support::{
	derive_impl, parameter_types,
	traits::{fungibles::Inspect, AsEnsureOriginWithArg, ConstU128, ConstU32, ConstU64, Hooks},
	weights::Weight,
	PalletId,
};
pub use frame_support::{traits::Hooks as _, weights::Weight as W};
use frame_system::{EnsureRoot, EnsureSigned};
use optionchain_primitives::exchange::MarginAccounts;
pub use optionchain_primitives::testing::MockOracle;
use optionchain_primitives::{
	exchange::*, testing::MockOracle as MockOracleImpl, units, Moment, PriceStatus, UnderlyingId,
};
use sp_arithmetic::FixedU128;
use sp_runtime::{BuildStorage, DispatchError, DispatchResult};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Assets: pallet_assets,
		Timestamp: pallet_timestamp,
		Margin: pallet_margin,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u128>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = u128;
	type AccountStore = System;
	type ExistentialDeposit = ConstU128<1>;
}

#[derive_impl(pallet_assets::config_preludes::TestDefaultConfig)]
impl pallet_assets::Config for Test {
	type Balance = u128;
	type Currency = Balances;
	type CreateOrigin = AsEnsureOriginWithArg<EnsureSigned<u64>>;
	type ForceOrigin = EnsureRoot<u64>;
	type Freezer = ();
	type AssetDeposit = ConstU128<1>;
	type AssetAccountDeposit = ConstU128<1>;
	type MetadataDepositBase = ConstU128<1>;
	type MetadataDepositPerByte = ConstU128<1>;
	type ApprovalDeposit = ConstU128<1>;
}

impl pallet_timestamp::Config for Test {
	type Moment = Moment;
	type OnTimestampSet = ();
	type MinimumPeriod = ConstU64<1>;
	type WeightInfo = ();
}

pub const USDC: u32 = 1;
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
pub const DAVE: AccountId = 4;
pub const FEES: AccountId = 99;
/// A counterparty outside the ledger (never listed, never evaluated): the rest of the market.
pub const MARKET: AccountId = 98;
pub const BTC: UnderlyingId = 0;
pub const ETH: UnderlyingId = 1;
/// Timestamp of block 1 (ms).
pub const T0: Moment = 1_000_000;
/// 1 USD in settlement units.
pub const USD: u128 = 1_000_000;

parameter_types! {
	pub const SettlementAsset: u32 = USDC;
	pub const MarginPalletId: PalletId = PalletId(*b"oc/margn");
	pub const InsurancePalletId: PalletId = PalletId(*b"oc/insur");
	pub const FeeAccount: AccountId = FEES;
	/// Blocks of notice before a parameter change applies (0 in most tests).
	pub static ParameterNotice: u64 = 0;
	/// The trigger step's weight per block (shrunk by the tests of its carry-over).
	pub static TriggerReserve: Weight = Weight::from_parts(1_000_000_000_000, u64::MAX);
	pub const BandVolatilityMove: sp_runtime::Perbill = sp_runtime::Perbill::from_percent(25);
}

impl pallet_margin::Config for Test {
	type Assets = Assets;
	type SettlementAsset = SettlementAsset;
	type UnitsPerUsd = ConstU128<USD>;
	type Oracle = MockOracleImpl;
	type Positions = MockPositions;
	type Time = Timestamp;
	type GovernanceOrigin = EnsureRoot<u64>;
	type PalletId = MarginPalletId;
	type InsurancePalletId = InsurancePalletId;
	type FeeAccount = FeeAccount;
	type ParameterNotice = ParameterNotice;
	type MinBlockInterval = ConstU64<1_000>;
	type MinDeposit = ConstU128<{ 10 * USD }>;
	type MaxSweepPerBlock = ConstU32<2>;
	type TriggerReserve = TriggerReserve;
	type BandHorizon = ConstU64<{ 30 * 60 * 1000 }>;
	type BandVolatilityMove = BandVolatilityMove;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

// ---------------------------------------------------------------- mock positions

// The mock's positions and orders live in storage, as the options pallet's do: a call that
// fails inside a storage layer (a refused liquidation, a sweep's failed take-over) leaves them
// as they were.
#[frame_support::storage_alias]
pub type MockSeries = StorageMap<MockPos, Twox64Concat, SeriesId, SeriesTerms, OptionQuery>;
#[frame_support::storage_alias]
type MockNextSeries = StorageValue<MockPos, SeriesId, ValueQuery>;
#[frame_support::storage_alias]
type MockNets = StorageDoubleMap<
	MockPos,
	Twox64Concat,
	AccountId,
	Twox64Concat,
	SeriesId,
	Contracts,
	OptionQuery,
>;
#[frame_support::storage_alias]
type MockOrders = StorageMap<MockPos, Twox64Concat, AccountId, Vec<OrderExposure>, ValueQuery>;
/// Orders voided by a liquidation: still in the portfolio (as the options pallet keeps them
/// until its `on_idle` removes them), never changed again.
#[frame_support::storage_alias]
type MockVoid = StorageMap<MockPos, Twox64Concat, AccountId, Vec<OrderExposure>, ValueQuery>;

std::thread_local! {
	/// Calls of `MockPositions::portfolio` (one per evaluation or band), for the simulation's
	/// report.
	pub static PORTFOLIO_READS: RefCell<u64> = const { RefCell::new(0) };
}

/// `PositionsProvider` over the mock's storage.
pub struct MockPositions;

impl MockPositions {
	/// Register a series and return its id.
	pub fn add_series(terms: SeriesTerms) -> SeriesId {
		let id = MockNextSeries::get();
		MockNextSeries::put(id + 1);
		MockSeries::insert(id, terms);
		id
	}
	fn add_net(who: AccountId, series: SeriesId, delta: Contracts) {
		let was = Self::net(who, series) != 0;
		MockNets::mutate_exists(who, series, |n| {
			let v = n.unwrap_or(0) + delta;
			*n = (v != 0).then_some(v);
		});
		let held = Self::net(who, series) != 0;
		// As the options pallet's `mutate_entry`: the ledger entry lists the series (and is
		// created if need be). `MARKET` alone is left out: it stands for the rest of the
		// market, which the tests that trade with it do not evaluate.
		if was != held && who != MARKET {
			<crate::Pallet<Test> as MarginAccounts<AccountId>>::note_position(
				&who,
				series,
				held,
				crate::MAX_POSITION_SERIES,
			)
			.expect("within the cap");
		}
	}
	/// `who`'s position in `series` moved by `delta` against `MARKET`, without the ledger
	/// listing it: for accounts that tests only need to exist in a list (the sweep's deferred
	/// accounts), which the sweep must not reach by its cursor.
	pub fn add_unlisted(who: AccountId, series: SeriesId, delta: Contracts) {
		MockNets::mutate_exists(who, series, |n| {
			let v = n.unwrap_or(0) + delta;
			*n = (v != 0).then_some(v);
		});
		Self::add_net(MARKET, series, -delta);
	}
	/// A fill: `buyer` +q, `seller` -q.
	pub fn trade(buyer: AccountId, seller: AccountId, series: SeriesId, q: Contracts) {
		Self::add_net(buyer, series, q);
		Self::add_net(seller, series, -q);
		// As the options pallet's margin checks after a fill do.
		crate::Pallet::<Test>::touch(&buyer);
		crate::Pallet::<Test>::touch(&seller);
	}
	/// Set `who`'s resting orders in `series`.
	pub fn set_orders(
		who: AccountId,
		series: SeriesId,
		sell: Contracts,
		buy: Contracts,
		buy_premium: Balance,
	) {
		let terms = MockSeries::get(series).expect("a listed series");
		MockOrders::mutate(who, |list| {
			list.retain(|o| o.series != series);
			list.push(OrderExposure {
				series,
				terms,
				sell_contracts: sell,
				buy_contracts: buy,
				buy_premium,
				sell_premium: 0,
				fee_reserve: 0,
			});
			list.sort_by_key(|o| o.series);
		});
	}
	/// Set the maker-fee reserve of `who`'s resting orders in `series` (after `set_orders`).
	pub fn set_fee_reserve(who: AccountId, series: SeriesId, fee_reserve: Balance) {
		MockOrders::mutate(who, |list| {
			if let Some(o) = list.iter_mut().find(|o| o.series == series) {
				o.fee_reserve = fee_reserve;
			}
		});
	}
	pub fn net(who: AccountId, series: SeriesId) -> Contracts {
		MockNets::get(who, series).unwrap_or(0)
	}
	/// `who`'s live (not void) resting-order entries.
	pub fn orders_of(who: AccountId) -> usize {
		MockOrders::decode_len(who).unwrap_or(0)
	}
	/// `who`'s void order entries (not removed yet).
	pub fn void_of(who: AccountId) -> usize {
		MockVoid::decode_len(who).unwrap_or(0)
	}
	/// Remove `who`'s void orders (the options pallet's `on_idle`).
	pub fn remove_void(who: AccountId) {
		MockVoid::remove(who);
	}
	/// `who`'s positions, by series.
	fn nets_of(who: AccountId) -> Vec<(SeriesId, Contracts)> {
		let mut nets: Vec<(SeriesId, Contracts)> = MockNets::iter_prefix(who).collect();
		nets.sort_by_key(|(s, _)| *s);
		nets
	}
}

impl PositionsProvider<AccountId> for MockPositions {
	fn portfolio(who: &AccountId) -> Portfolio {
		PORTFOLIO_READS.with(|c| *c.borrow_mut() += 1);
		let positions = Self::nets_of(*who)
			.into_iter()
			.filter(|(_, n)| *n != 0)
			.map(|(s, net)| PositionInfo {
				series: s,
				terms: MockSeries::get(s).expect("a listed series"),
				net,
			})
			.collect();
		// Live and void orders, one exposure per series (as the options pallet sums them).
		let mut orders: Vec<OrderExposure> = Vec::new();
		for o in MockVoid::get(who).into_iter().chain(MockOrders::get(who)) {
			match orders.iter_mut().find(|e| e.series == o.series) {
				Some(e) => {
					e.sell_contracts += o.sell_contracts;
					e.buy_contracts += o.buy_contracts;
					e.buy_premium += o.buy_premium;
					e.fee_reserve += o.fee_reserve;
				},
				None => orders.push(o),
			}
		}
		orders.sort_by_key(|o| o.series);
		Portfolio { positions, orders }
	}
	fn positions_in(who: &AccountId, series: &[SeriesId]) -> Portfolio {
		let mut positions = Self::portfolio(who).positions;
		positions.retain(|p| series.contains(&p.series));
		Portfolio { positions, orders: Vec::new() }
	}
	fn max_positions_len() -> u32 {
		8
	}
	fn max_series_len() -> u32 {
		8
	}
	fn positions_weight() -> Weight {
		Self::portfolio_weight()
	}
	fn transfer_position(
		from: &AccountId,
		to: &AccountId,
		series: SeriesId,
		quantity: Contracts,
	) -> DispatchResult {
		let net = Self::net(*from, series);
		if quantity <= 0 || quantity > net.abs() {
			return Err(DispatchError::Other("bad quantity"));
		}
		let signed = if net < 0 { -quantity } else { quantity };
		Self::add_net(*from, series, -signed);
		Self::add_net(*to, series, signed);
		Ok(())
	}
	fn void_orders(who: &AccountId) -> u32 {
		// Kept in the portfolio, void, until removed (`remove_void`), as the options pallet does.
		let live = MockOrders::take(who);
		let n = live.len() as u32;
		MockVoid::mutate(who, |v| v.extend(live));
		n
	}
	fn void_orders_weight() -> Weight {
		Weight::from_parts(20_000, 10)
	}
	fn portfolio_size(who: &AccountId) -> PortfolioSize {
		let orders = (Self::orders_of(*who) + Self::void_of(*who)) as u32;
		let series = MockNets::iter_prefix(who).count() as u32;
		let positions = MockNets::iter_prefix(who).filter(|(_, n)| *n != 0).count() as u32;
		PortfolioSize { series: series.saturating_add(orders), orders, positions }
	}
	fn portfolio_size_weight() -> Weight {
		<<Test as frame_system::Config>::DbWeight as frame_support::traits::Get<
			frame_support::weights::RuntimeDbWeight,
		>>::get()
		.reads(2)
	}
	fn max_portfolio_len() -> u32 {
		16
	}
	fn portfolio_weight() -> Weight {
		Weight::from_parts(1_000_000, 1_000)
	}
}

#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockBenchmarkHelper {
	fn fund(who: &AccountId, amount: Balance) {
		use frame_support::traits::fungibles::Mutate;
		let _ = <Assets as Mutate<AccountId>>::mint_into(USDC, who, amount);
	}
	fn set_price(u: UnderlyingId, price: optionchain_primitives::Price, vol: FixedU128) {
		MockOracleImpl::set_price(u, price, PriceStatus::Fresh);
		MockOracleImpl::set_volatility(u, vol, PriceStatus::Fresh);
	}
	fn open_positions(
		short: &AccountId,
		long: &AccountId,
		u: UnderlyingId,
		n: u32,
	) -> Vec<SeriesId> {
		(0..n)
			.map(|i| {
				let s =
					MockPositions::add_series(call(u, 60_000 + 1_000 * i as u128, T0 + 86_400_000));
				MockPositions::trade(*long, *short, s, 1);
				s
			})
			.collect()
	}
	fn rest_bids(who: &AccountId, series: SeriesId, count: u32) {
		MockPositions::set_orders(*who, series, 0, Contracts::from(count), Balance::from(count));
	}
	fn rest_quote(who: &AccountId, series: SeriesId) {
		MockPositions::set_orders(*who, series, 1, 1, 1);
	}
	fn set_time(now: Moment) {
		Timestamp::set_timestamp(now);
	}
}

// ---------------------------------------------------------------- helpers

pub fn usd(n: u128) -> FixedU128 {
	units::whole(n)
}

pub fn terms(u: UnderlyingId, kind: OptionKind, strike: u128, expiry: Moment) -> SeriesTerms {
	SeriesTerms { underlying: u, strike: usd(strike), expiry, kind, contract_size: usd(1) }
}
pub fn call(u: UnderlyingId, strike: u128, expiry: Moment) -> SeriesTerms {
	terms(u, OptionKind::Call, strike, expiry)
}
pub fn put(u: UnderlyingId, strike: u128, expiry: Moment) -> SeriesTerms {
	terms(u, OptionKind::Put, strike, expiry)
}
/// An expiry one day after T0.
pub const EXPIRY: Moment = T0 + 86_400_000;

/// Fresh price `p` with volatility 0 (so that mark = intrinsic value exactly).
pub fn set_btc(p: u128) {
	MockOracleImpl::set_price(BTC, usd(p), PriceStatus::Fresh);
	MockOracleImpl::set_volatility(BTC, FixedU128::from_inner(0), PriceStatus::Fresh);
}

pub fn asset_balance(who: AccountId) -> u128 {
	<Assets as Inspect<AccountId>>::balance(USDC, &who)
}

pub struct ExtBuilder {
	balances: Vec<(AccountId, u128)>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			balances: vec![
				(ALICE, 1_000_000 * USD),
				(BOB, 1_000_000 * USD),
				(CHARLIE, 1_000_000 * USD),
				(DAVE, 1_000_000 * USD),
			],
		}
	}
}

impl ExtBuilder {
	pub fn build(self) -> sp_io::TestExternalities {
		MockOracleImpl::reset();
		ParameterNotice::set(0);
		TriggerReserve::set(Weight::from_parts(1_000_000_000_000, u64::MAX));
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			balances: pallet_balances::GenesisConfig {
				balances: vec![(ALICE, 1_000), (BOB, 1_000), (CHARLIE, 1_000), (DAVE, 1_000)],
				..Default::default()
			},
			assets: pallet_assets::GenesisConfig {
				assets: vec![(USDC, ALICE, true, 1)],
				metadata: vec![],
				accounts: self.balances.iter().map(|(a, b)| (USDC, *a, *b)).collect(),
				next_asset_id: None,
				reserves: vec![],
			},
		}
		.build_storage()
		.expect("valid genesis");
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			Timestamp::set_timestamp(T0);
			set_btc(60_000);
		});
		ext
	}

	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Margin::do_try_state().expect("try_state must hold after every test");
		})
	}
}

pub fn build_and_execute(test: impl FnOnce()) {
	ExtBuilder::default().build_and_execute(test)
}

/// Run `on_idle` with plenty of weight.
pub fn idle() -> Weight {
	Margin::on_idle(System::block_number(), Weight::MAX)
}

/// Run `on_idle` until the sweep has visited every account once.
pub fn sweep_all() {
	idle();
	for _ in 0..100 {
		if crate::SweepCursor::<Test>::get().is_none() {
			break;
		}
		idle();
	}
}

pub fn margin_events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Margin(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// The mock's storage weights.
pub fn db_weight() -> frame_support::weights::RuntimeDbWeight {
	<<Test as frame_system::Config>::DbWeight as frame_support::traits::Get<
		frame_support::weights::RuntimeDbWeight,
	>>::get()
}
