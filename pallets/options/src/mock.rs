//! Mock runtime: frame-system, pallet-timestamp, the options pallet, the `MockOracle` of
//! `optionchain-primitives` and [`MockMargin`], an in-memory margin ledger.

use crate::{self as pallet_options, types::*};
use frame_support::{
	derive_impl,
	pallet_prelude::{Twox64Concat, ValueQuery},
	parameter_types,
	traits::{ConstU32, ConstU64, Hooks, Time},
	weights::Weight,
};
use frame_system::EnsureRoot;
use optionchain_primitives::{
	exchange::{
		Balance, ContractGreeks, Contracts, MarginAccounts, MarginCheckError, MarginSnapshot,
		OptionKind, PremiumRounding, SeriesId, SeriesTerms, Side, SignedBalance,
	},
	testing::MockOracle,
	units, Moment, PriceStatus, UnderlyingId,
};
use sp_arithmetic::{FixedU128, Permill};
use sp_runtime::{BuildStorage, DispatchError, DispatchResult};
use std::{cell::RefCell, collections::BTreeSet};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Timestamp: pallet_timestamp,
		Options: pallet_options,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type DbWeight = frame_support::weights::constants::RocksDbWeight;
	type PostInherents = Options;
	type PostTransactions = Options;
}

impl pallet_timestamp::Config for Test {
	type Moment = Moment;
	type OnTimestampSet = ();
	type MinimumPeriod = ConstU64<1>;
	type WeightInfo = ();
}

pub const ALICE: u64 = 1;
pub const BOB: u64 = 2;
pub const CHARLIE: u64 = 3;
pub const DAVE: u64 = 4;
pub const EVE: u64 = 5;
/// Receives the trading fees.
pub const FEE_ACCOUNT: u64 = 900;
/// Covers settlement debits larger than an account's collateral.
pub const INSURANCE: u64 = 902;
pub const BTC: UnderlyingId = 0;
pub const ETH: UnderlyingId = 1;
/// Timestamp of block 1.
pub const T0: Moment = 1_000_000;
pub const BLOCK_MS: Moment = 6_000;
pub const DAY: Moment = 86_400_000;
/// Expiry used by most tests.
pub const EXPIRY: Moment = T0 + DAY;
/// One USDC in settlement-asset units.
pub const USDC: Balance = 1_000_000;

// ---------------------------------------------------------------------------------------------
// Mock margin: balances in (rolled-back-able) storage, switches in thread-local state.

#[frame_support::storage_alias]
pub type Ledger = StorageMap<MockMargin, Twox64Concat, u64, Balance, ValueQuery>;
/// Net settlement clearing entry per series: `+` received from shorts, `-` paid to longs.
/// The series each account holds a position in, as the margin ledger lists them.
#[frame_support::storage_alias]
pub type Listed = StorageMap<MockMargin, Twox64Concat, u64, Vec<SeriesId>, ValueQuery>;

#[frame_support::storage_alias]
pub type Clearing = StorageMap<MockMargin, Twox64Concat, SeriesId, SignedBalance, ValueQuery>;
/// Number of `settle` calls per (series, account): to prove nobody is paid twice.
#[frame_support::storage_alias]
pub type SettleCalls = StorageMap<MockMargin, Twox64Concat, (SeriesId, u64), u32, ValueQuery>;

#[derive(Default)]
struct Switches {
	reject_margin: BTreeSet<u64>,
	stale: BTreeSet<UnderlyingId>,
	/// Makers not evaluated in this block (the margin pallet's cold makers): their fills are
	/// checked. Every other maker is warm.
	cold: BTreeSet<u64>,
	/// The accounts `warm_again` was called for, in order.
	warmed_again: Vec<u64>,
	/// What `contract_greeks` returns (`None`: the default, [`default_greeks`]).
	greeks: Option<Option<ContractGreeks>>,
	/// How many times `contract_greeks` was called.
	greeks_calls: u32,
	/// The risk-free rate `contract_premiums` prices with (default 0).
	rate: FixedU128,
	/// How many volatilities `contract_premiums` priced.
	premiums_priced: u32,
}

/// The mock's per-contract greeks unless a test sets others: `|delta|` 0.05 (a 0.1 BTC
/// contract at delta 0.5), `|vega|` 20 USD per 1.00 of volatility.
pub fn default_greeks() -> ContractGreeks {
	ContractGreeks { delta: units::ratio(5, 100), vega: usd(20) }
}

std::thread_local! {
	static SWITCHES: RefCell<Switches> = RefCell::new(Switches::default());
}

/// Configurable in-memory `MarginAccounts`.
pub struct MockMargin;

impl MockMargin {
	/// Make `ensure_initial_margin(who)` fail (or pass again).
	pub fn reject_margin(who: u64, reject: bool) {
		SWITCHES.with(|s| {
			let mut s = s.borrow_mut();
			if reject {
				s.reject_margin.insert(who);
			} else {
				s.reject_margin.remove(&who);
			}
		});
	}
	/// Make `who` a cold maker (its fills are checked, at the mock's one-entry weight) or a
	/// warm one again.
	pub fn set_cold(who: u64, cold: bool) {
		SWITCHES.with(|s| {
			let mut s = s.borrow_mut();
			if cold {
				s.cold.insert(who);
			} else {
				s.cold.remove(&who);
			}
		});
	}
	/// Make `contract_greeks` return `greeks` (`None`: the series cannot be priced).
	pub fn set_greeks(greeks: Option<ContractGreeks>) {
		SWITCHES.with(|s| s.borrow_mut().greeks = Some(greeks));
	}
	/// How many times `contract_greeks` was called since the last call of this function.
	pub fn take_greeks_calls() -> u32 {
		SWITCHES.with(|s| core::mem::take(&mut s.borrow_mut().greeks_calls))
	}
	/// Make `contract_premiums` price with the risk-free rate `rate` (a fraction a year).
	pub fn set_rate(rate: FixedU128) {
		SWITCHES.with(|s| s.borrow_mut().rate = rate);
	}
	/// How many volatilities `contract_premiums` priced since the last call of this function.
	pub fn take_premiums_priced() -> u32 {
		SWITCHES.with(|s| core::mem::take(&mut s.borrow_mut().premiums_priced))
	}
	/// The accounts `warm_again` was called for since the last call of this function.
	pub fn take_warmed_again() -> Vec<u64> {
		SWITCHES.with(|s| core::mem::take(&mut s.borrow_mut().warmed_again))
	}
	/// Make `ensure_can_increase_risk` fail for `underlying`.
	pub fn set_stale(underlying: UnderlyingId, stale: bool) {
		SWITCHES.with(|s| {
			let mut s = s.borrow_mut();
			if stale {
				s.stale.insert(underlying);
			} else {
				s.stale.remove(&underlying);
			}
		});
	}
	/// The mock's risk figure of `who`: the sum of its absolute net positions.
	pub fn exposure(who: u64) -> Balance {
		pallet_options::Positions::<Test>::iter()
			.filter(|(_, a, _)| *a == who)
			.map(|(_, _, e)| u128::from(e.net.unsigned_abs()))
			.sum()
	}
	pub fn fund(who: u64, amount: Balance) {
		Ledger::mutate(who, |b| *b += amount);
	}
	/// Sum of all balances plus all clearing entries (must never change).
	pub fn total() -> i128 {
		let balances: Balance = Ledger::iter_values().sum();
		let clearing: i128 = Clearing::iter_values().sum();
		balances as i128 + clearing
	}
}

impl MarginAccounts<u64> for MockMargin {
	fn collateral(who: &u64) -> Balance {
		Ledger::get(who)
	}
	fn position_series(who: &u64) -> Vec<SeriesId> {
		Listed::get(who)
	}
	/// As the margin pallet's: the insurance account is not listed; at most `cap` series and
	/// never more than `max_position_series`.
	fn note_position(who: &u64, series: SeriesId, held: bool, cap: u32) -> DispatchResult {
		if *who == INSURANCE {
			return Ok(());
		}
		Listed::try_mutate_exists(who, |l| {
			let mut list = l.take().unwrap_or_default();
			let at = list.partition_point(|s| *s < series);
			let listed = list.get(at) == Some(&series);
			if held && !listed {
				if list.len() as u32 >= cap.min(Self::max_position_series()) {
					return Err(DispatchError::Other("listed beyond the cap"));
				}
				list.insert(at, series);
			} else if !held && listed {
				list.remove(at);
			}
			*l = (!list.is_empty()).then_some(list);
			Ok(())
		})
	}
	fn max_position_series() -> u32 {
		64
	}
	fn transfer(payer: &u64, payee: &u64, amount: Balance) -> DispatchResult {
		let b = Ledger::get(payer);
		let nb = b.checked_sub(amount).ok_or(INSUFFICIENT_COLLATERAL)?;
		Ledger::insert(payer, nb);
		Ledger::mutate(payee, |x| *x += amount);
		Ok(())
	}
	fn charge_fee(who: &u64, amount: Balance) -> DispatchResult {
		Self::transfer(who, &FEE_ACCOUNT, amount)
	}
	fn ensure_initial_margin(
		who: &u64,
		require_fresh: bool,
		reducing_from: Option<&MarginSnapshot>,
	) -> Result<Weight, MarginCheckError> {
		if require_fresh && SWITCHES.with(|s| !s.borrow().stale.is_empty()) {
			return Err(MarginCheckError::Other(PRICE_STALE));
		}
		if SWITCHES.with(|s| s.borrow().reject_margin.contains(who)) {
			// An account under a margin call passes when the action lowered its figures
			// (the mock's figures: the account's total absolute position).
			let reduced = reducing_from.is_some_and(|b| Self::exposure(*who) <= b.initial);
			if !reduced {
				return Err(MarginCheckError::BelowInitial);
			}
		}
		Ok(Weight::from_parts(1_000, 0))
	}
	fn is_warm_maker(who: &u64) -> bool {
		SWITCHES.with(|s| {
			let s = s.borrow();
			s.stale.is_empty() && !s.reject_margin.contains(who) && !s.cold.contains(who)
		})
	}
	fn ensure_maker_margin(
		who: &u64,
		require_fresh: bool,
		reducing_from: Option<&MarginSnapshot>,
	) -> Result<Weight, MarginCheckError> {
		if Self::is_warm_maker(who) && reducing_from.is_none() {
			return Ok(Weight::zero());
		}
		Self::ensure_initial_margin(who, require_fresh, reducing_from)
	}
	/// Recorded; reports the one-entry check's weight.
	fn warm_again(who: &u64) -> Weight {
		SWITCHES.with(|s| s.borrow_mut().warmed_again.push(*who));
		Weight::from_parts(1_000, 0)
	}
	fn margin_snapshot(who: &u64) -> Result<(MarginSnapshot, Weight), DispatchError> {
		let initial = Self::exposure(*who);
		Ok((
			MarginSnapshot { initial, initial_deficit: 0, maintenance_deficit: 0 },
			Weight::from_parts(1_000, 0),
		))
	}
	fn ensure_can_increase_risk(_who: &u64, underlying: UnderlyingId) -> DispatchResult {
		if SWITCHES.with(|s| s.borrow().stale.contains(&underlying)) {
			return Err(PRICE_STALE);
		}
		Ok(())
	}
	fn settle_short(who: &u64, series: SeriesId, owed: Balance) -> Result<Balance, DispatchError> {
		SettleCalls::mutate((series, *who), |n| *n += 1);
		let b = Ledger::get(who);
		let from_who = b.min(owed);
		Ledger::insert(who, b - from_who);
		// The mock's insurance fund advances the rest (tests fund it).
		let ins = Ledger::get(INSURANCE);
		let advanced = ins.min(owed - from_who);
		Ledger::insert(INSURANCE, ins - advanced);
		Clearing::mutate(series, |c| *c += (from_who + advanced) as i128);
		Ok(from_who + advanced)
	}
	fn settle_long(
		who: &u64,
		series: SeriesId,
		due: Balance,
		contracts: Contracts,
		unpaid: Contracts,
	) -> Result<Balance, DispatchError> {
		SettleCalls::mutate((series, *who), |n| *n += 1);
		let clearing = Clearing::get(series);
		if clearing < 0 || contracts <= 0 || contracts > unpaid {
			return Err(DispatchError::Other("MockInvalidSettlement"));
		}
		let share = clearing as u128 * contracts as u128 / unpaid as u128;
		let paid = due.min(share);
		Ledger::mutate(who, |b| *b += paid);
		Clearing::mutate(series, |c| *c -= paid as i128);
		Ok(paid)
	}
	fn contract_greeks(_terms: &SeriesTerms) -> Option<ContractGreeks> {
		SWITCHES.with(|s| {
			let mut s = s.borrow_mut();
			s.greeks_calls += 1;
			s.greeks.unwrap_or(Some(default_greeks()))
		})
	}
	fn contract_greeks_weight() -> Weight {
		Weight::from_parts(50_000, 0)
	}
	/// Black-Scholes of the pricing crate (as the margin pallet's) at the mock oracle's index
	/// price (fresh only), the timestamp, the rate set by [`MockMargin::set_rate`] and no
	/// dividend yield; rounded as the margin pallet rounds.
	fn contract_premiums(
		terms: &SeriesTerms,
		volatilities: &[(FixedU128, PremiumRounding)],
	) -> Option<Vec<Balance>> {
		use optionchain_pricing::{price, BsInputs, Fixed, OptionKind as K, Rounding};
		let p =
			<MockOracle as optionchain_primitives::OracleProvider>::index_price(terms.underlying)?;
		let now = Timestamp::now();
		if p.status != PriceStatus::Fresh || now >= terms.expiry {
			return None;
		}
		let rate = SWITCHES.with(|s| s.borrow().rate);
		let fx = |x: FixedU128| Fixed::try_from(x).ok();
		let mut inputs = BsInputs {
			spot: fx(p.price)?,
			strike: fx(terms.strike)?,
			volatility: Fixed::from_inner(0),
			rate: fx(rate)?,
			dividend_yield: Fixed::from_inner(0),
			time_seconds: (terms.expiry - now) / 1000,
		};
		let kind = match terms.kind {
			OptionKind::Call => K::Call,
			OptionKind::Put => K::Put,
		};
		let cs = fx(terms.contract_size)?;
		let fraction = !(terms.expiry - now).is_multiple_of(1000);
		let mut out = Vec::new();
		for (v, rounding) in volatilities {
			inputs.volatility = fx(*v)?;
			let mut unit = price(&inputs, kind).ok()?.into_inner();
			if fraction {
				let later = BsInputs { time_seconds: inputs.time_seconds + 1, ..inputs };
				let other = price(&later, kind).ok()?.into_inner();
				unit = match rounding {
					PremiumRounding::Up => unit.max(other),
					PremiumRounding::Down => unit.min(other),
				};
			}
			let (unit, r) = match rounding {
				PremiumRounding::Up => (unit + 1, Rounding::Up),
				PremiumRounding::Down => ((unit - 1).max(0), Rounding::Down),
			};
			let per = Fixed::from_inner(unit).checked_mul(cs, r).ok()?.into_inner() as u128;
			// 10^18 per USD to 10^6 per USD.
			let units = match r {
				Rounding::Up => per.div_ceil(1_000_000_000_000),
				_ => per / 1_000_000_000_000,
			};
			out.push(units);
		}
		SWITCHES.with(|s| s.borrow_mut().premiums_priced += volatilities.len() as u32);
		Some(out)
	}
	/// 20,000 for the call, 100,000 per volatility (two evaluations of 50,000).
	fn contract_premiums_weight(n: u32) -> Weight {
		Weight::from_parts(20_000 + 100_000 * u64::from(n), 0)
	}
	fn margin_check_weight() -> Weight {
		Weight::from_parts(1_000_000, 0)
	}
	fn margin_check_weight_for(entries: u32) -> Weight {
		Weight::from_parts(1_000 * u64::from(entries), 0)
	}
	/// As the runtime's benchmark: with the reads of the order's series and the maker's entry
	/// in it (which the fill made just before, `cold_check_weight` takes them off again).
	fn further_margin_check_weight(series: u32) -> Weight {
		Self::margin_check_weight_for_series(series)
			.saturating_add(<Test as frame_system::Config>::DbWeight::get().reads(2))
	}
}

// ---------------------------------------------------------------------------------------------

parameter_types! {
	pub const InsuranceAccount: u64 = INSURANCE;
	pub const FeeCap: Permill = Permill::from_parts(125_000);
	pub const MaxOrderQuantity: Contracts = 1_000_000;
	pub const MaxExpiryHorizon: Moment = 365 * DAY;
	pub const MakerFee: Balance = 100_000;
	pub const TakerFee: Balance = 300_000;
	pub const UnitsPerUsd: Balance = USDC;
	pub const MinVolOrderPremium: Balance = USDC / 10;
}

/// Benchmark helper for the mock.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for MockBenchmarkHelper {
	fn setup_underlying(underlying: UnderlyingId) {
		MockOracle::set_price(underlying, units::whole(60_000), PriceStatus::Fresh);
	}
	fn set_index_price(underlying: UnderlyingId, price: FixedU128) {
		MockOracle::set_price(underlying, price, PriceStatus::Fresh);
	}
	fn fund(who: &u64) {
		MockMargin::fund(*who, 1_000_000_000 * USDC);
	}
	fn set_time(now: Moment) {
		Timestamp::set_timestamp(now);
	}
	fn fix_settlement_price(underlying: UnderlyingId, expiry: Moment, price: FixedU128) {
		MockOracle::set_settlement_price(underlying, expiry, price);
	}
}

impl pallet_options::Config for Test {
	type Time = Timestamp;
	type Oracle = MockOracle;
	type Margin = MockMargin;
	type GovernanceOrigin = EnsureRoot<u64>;
	type MaxLiveSeries = ConstU32<8>;
	type MaxOrdersPerSide = ConstU32<16>;
	type MaxOrdersPerAccount = ConstU32<12>;
	type MaxSeriesPerAccount = ConstU32<6>;
	type MaxPositionSeriesPerAccount = ConstU32<4>;
	type UncappedAccounts = frame_support::traits::Equals<InsuranceAccount>;
	type MaxFillsPerOrder = ConstU32<4>;
	type MaxQuoteLegs = ConstU32<4>;
	type MaxQueuedOrders = ConstU32<16>;
	type MaxOrderQuantity = MaxOrderQuantity;
	type MaxExpiryHorizon = MaxExpiryHorizon;
	type MakerFeePerContract = MakerFee;
	type TakerFeePerContract = TakerFee;
	type FeeCap = FeeCap;
	type UnitsPerUsd = UnitsPerUsd;
	type MaxIdleItems = ConstU32<3>;
	type MaxCancelDelay = frame_support::traits::ConstU64<100>;
	type MaxCancelsPerBlock = ConstU32<2>;
	type MaxMmpBlocks = ConstU32<50>;
	type MaxVolOrdersPerSeries = ConstU32<4>;
	type MaxVolOrders = ConstU32<6>;
	type MaxVolSeries = ConstU32<3>;
	type MaxVolOrdersPerAccount = ConstU32<5>;
	type MinVolOrderPremium = MinVolOrderPremium;
	/// The mock's blocks are `BLOCK_MS` apart (`next_block`).
	type MinBlockInterval = ConstU64<BLOCK_MS>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// `n` whole USD as a price.
pub fn usd(n: u128) -> FixedU128 {
	units::whole(n)
}

/// BTC: strike tick 1,000 USD, contract 0.1 BTC, price tick 1 USDC, OI caps 100 / 150.
pub fn btc_config() -> UnderlyingConfig {
	UnderlyingConfig {
		strike_tick: usd(1_000),
		contract_size: units::ratio(1, 10),
		price_tick: USDC,
		max_series_open_interest: 100,
		max_underlying_open_interest: 150,
	}
}

/// ETH: strike tick 50 USD, contract 1 ETH, price tick 0.1 USDC, OI caps 1,000 / 1,000.
pub fn eth_config() -> UnderlyingConfig {
	UnderlyingConfig {
		strike_tick: usd(50),
		contract_size: usd(1),
		price_tick: USDC / 10,
		max_series_open_interest: 1_000,
		max_underlying_open_interest: 1_000,
	}
}

/// Collateral of each trader at genesis.
pub const FUNDING: Balance = 1_000_000 * USDC;

thread_local! {
	static INITIAL_TOTAL: RefCell<i128> = const { RefCell::new(0) };
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		options: pallet_options::GenesisConfig {
			underlyings: vec![(BTC, btc_config()), (ETH, eth_config())],
			listing_rules: vec![],
			_phantom: Default::default(),
		},
	}
	.build_storage()
	.expect("valid genesis");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		Timestamp::set_timestamp(T0);
		MockOracle::reset();
		MockOracle::set_price(BTC, usd(60_000), PriceStatus::Fresh);
		MockOracle::set_price(ETH, usd(3_000), PriceStatus::Fresh);
		for who in [ALICE, BOB, CHARLIE, DAVE, EVE] {
			MockMargin::fund(who, FUNDING);
		}
		MockMargin::fund(INSURANCE, FUNDING);
		INITIAL_TOTAL.with(|t| *t.borrow_mut() = MockMargin::total());
	});
	ext
}

/// Fund `who` after genesis (keeps the conservation check exact).
pub fn mint(who: u64, amount: Balance) {
	MockMargin::fund(who, amount);
	INITIAL_TOTAL.with(|t| *t.borrow_mut() += amount as i128);
}

/// The mock margin's error for a payment its payer's collateral does not cover (an error
/// that keeps its identity through an `OrderRejected` event).
pub const INSUFFICIENT_COLLATERAL: DispatchError =
	DispatchError::Token(sp_runtime::TokenError::FundsUnavailable);
/// The mock margin's error for a stale price.
pub const PRICE_STALE: DispatchError = DispatchError::Unavailable;

/// Funds are conserved: nothing was created or destroyed in the mock ledger.
pub fn assert_funds_conserved() {
	let initial = INITIAL_TOTAL.with(|t| *t.borrow());
	assert_eq!(MockMargin::total(), initial, "funds not conserved");
}

/// Runs `test`, then checks every invariant and the conservation of funds.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Options::do_try_state().expect("try_state must hold after every test");
		assert_funds_conserved();
	})
}

/// Starts the next block `dt` ms later, running `on_idle` with `idle` weight at the end of the
/// current one.
pub fn next_block_after(dt: Moment, idle: Weight) {
	let n = System::block_number();
	end_transactions();
	Options::on_idle(n, idle);
	System::set_block_number(n + 1);
	Timestamp::set_timestamp(Timestamp::now() + dt);
	Options::on_initialize(n + 1);
	<Options as frame_support::traits::PostInherents>::post_inherents();
}

pub fn next_block() {
	next_block_after(BLOCK_MS, Weight::MAX)
}

/// Jump to `t` (ms) without running `on_idle`.
pub fn set_time(t: Moment) {
	Timestamp::set_timestamp(t);
}

/// List a BTC series expiring at `EXPIRY` with strike `strike` USD.
pub fn list(strike: u128, kind: OptionKind) -> SeriesId {
	Options::do_list_series(BTC, usd(strike), EXPIRY, kind).expect("listing works")
}

pub fn req(series: SeriesId, side: Side, price: Balance, quantity: Contracts) -> OrderRequest {
	OrderRequest {
		series,
		side,
		price,
		quantity,
		time_in_force: TimeInForce::GoodTillCancelled,
		post_only: false,
		reduce_only: false,
	}
}

/// Place through the extrinsic (transactional) without matching the queue.
pub fn submit(who: u64, r: OrderRequest) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Options::place_order(RuntimeOrigin::signed(who), r)
}

/// The end of the block's transactions: matches the queued orders (`PostTransactions`).
pub fn end_transactions() {
	<Options as frame_support::traits::PostTransactions>::post_transactions();
	assert_eq!(crate::QueueLength::<Test>::get(), 0);
}

/// Place through the extrinsic (transactional) as if it were the block's last transaction:
/// a queued order is matched at once. An order rejected when matched returns its error, with
/// the weight charged at submission.
pub fn place(who: u64, r: OrderRequest) -> frame_support::dispatch::DispatchResultWithPostInfo {
	let before = System::events().len();
	let submitted = submit(who, r)?;
	end_transactions();
	let rejected = System::events().into_iter().skip(before).find_map(|e| match e.event {
		RuntimeEvent::Options(crate::Event::OrderRejected { error, .. }) => Some(error),
		_ => None,
	});
	match rejected {
		Some(error) => {
			Err(frame_support::dispatch::DispatchErrorWithPostInfo { post_info: submitted, error })
		},
		None => Ok(submitted),
	}
}

/// An immediate-or-cancel `req`.
pub fn ioc(series: SeriesId, side: Side, price: Balance, quantity: Contracts) -> OrderRequest {
	OrderRequest {
		time_in_force: TimeInForce::ImmediateOrCancel,
		..req(series, side, price, quantity)
	}
}

/// `(order id, reason)` of every `OrderCancelled` emitted so far.
pub fn reasons() -> Vec<(OrderId, crate::CancelReason)> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			crate::Event::OrderCancelled { order_id, reason, .. } => Some((order_id, reason)),
			_ => None,
		})
		.collect()
}

/// GTC limit order through the extrinsic; panics on failure.
pub fn gtc(who: u64, series: SeriesId, side: Side, price: Balance, qty: Contracts) {
	place(who, req(series, side, price, qty)).expect("order accepted");
}

/// The match budget of `steps` steps, cold makers in `cold_series` series each, and a taker
/// check at `taker_series` series.
pub fn budget(steps: u32, cold_series: &[u32], taker_series: u32) -> MatchBudget {
	use optionchain_primitives::exchange::MarginAccounts;
	MatchBudget {
		steps,
		cold: cold_series.len() as u32,
		cold_checks: cold_series
			.iter()
			.map(|n| MockMargin::margin_check_weight_for_series(*n))
			.fold(Weight::zero(), |a, b| a + b),
		retries: 0,
		taker_series,
		underlyings: u32::MAX,
		mmp_fills: 0,
		greeks: false,
	}
}

/// Every storage entry but `System`'s and the order counter: what a refused or rejected
/// order must leave unchanged.
pub fn market_state() -> Vec<(Vec<u8>, Vec<u8>)> {
	let system = sp_io::hashing::twox_128(b"System");
	let next_id = crate::NextOrderId::<Test>::hashed_key();
	let mut entries = Vec::new();
	let mut key = Vec::new();
	while let Some(next) = sp_io::storage::next_key(&key) {
		if !next.starts_with(&system) && next != next_id {
			let value = sp_io::storage::get(&next).map(|v| v.to_vec()).unwrap_or_default();
			entries.push((next.clone(), value));
		}
		key = next;
	}
	entries
}

/// `place` fails with `error` (refused at submission, or rejected when matched) and the
/// market is unchanged.
pub fn assert_rejected(
	place: impl FnOnce() -> frame_support::dispatch::DispatchResultWithPostInfo,
	error: impl Into<DispatchError>,
) {
	let before = market_state();
	assert_eq!(place().map_err(|e| e.error), Err(error.into()));
	assert!(market_state() == before, "a refused or rejected order changed the market");
}

/// The book side as `(order id, owner, price, remaining)`.
pub fn book(series: SeriesId, side: Side) -> Vec<(OrderId, u64, Balance, Contracts)> {
	crate::Books::<Test>::get(series, side)
		.into_iter()
		.map(|o| (o.id, o.owner, o.price, o.remaining))
		.collect()
}

pub fn net(series: SeriesId, who: u64) -> Contracts {
	Options::net_position(series, &who)
}

pub fn balance(who: u64) -> Balance {
	Ledger::get(who)
}

/// Events of this pallet emitted so far.
pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Options(e) => Some(e),
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
