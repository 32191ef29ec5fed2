//! The runtime fuzzer's harness (issue 19).
//!
//! An input is a SCALE-encoded sequence of [`FuzzBlock`]s. Each block advances the clock
//! (2 s, or minutes or hours more), lets the three development operators feed both underlyings
//! (prices the input moves, operators it silences or makes lie), and then applies the input's
//! [`Action`]s as real signed extrinsics through `Executive`, exactly as a block author does: a
//! transaction that is invalid is left out with its changes rolled back, one that fails is
//! included and charged. Governance calls go through `sudo` from Alice. Every call of the
//! runtime can be reached: the domain actions draw accounts, series, orders and prices from
//! small sets so that the fuzzer reaches deep states quickly, and [`Action::Signed`] and
//! [`Gov`] carry any encoded call.
//!
//! The harness checks, and panics (a finding) when one fails (after every extrinsic, the
//! first; after every block, the others):
//! - the extrinsic's charged weight covers the storage it touched: `reads × DbWeight.read +
//!   writes × DbWeight.write`, counting the distinct keys of the oracle, margin, options and
//!   assets pallets it read from the committed state (a trie recorder) and wrote (the
//!   overlay), is at most the weight its `ExtrinsicSuccess`/`ExtrinsicFailed` event reports;
//! - every exchange pallet's `try_state` (escrow balance == margin ledger among them);
//! - the settlement asset's total issuance is what it was at genesis;
//! - the block's weight is within the block limit.
//!
//! A panic anywhere in the runtime is a finding too (libFuzzer reports it as a crash).

use codec::{Decode, Encode};
use frame_support::traits::fungibles::Inspect;
use optionchain_integration_tests::{
	new_ext_with_traders, oracle_feed_observed, sign, timestamp_inherent, Trader,
};
use optionchain_primitives::{exchange::Side, FeedEntry, FixedU128, UnderlyingId};
use optionchain_runtime::{
	AccountId, Assets, Executive, Header, Margin, Options, Oracle, Runtime, RuntimeCall,
	RuntimeEvent, System, SETTLEMENT_ASSET_ID, SLOT_DURATION, USD,
};
use pallet_options::{OrderRequest, QuoteLeg, QuoteRequest, TimeInForce, VolOrderRequest};
use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
use sp_core::H256;
use sp_io::TestExternalities;
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve, Ferdie};
use sp_runtime::{
	generic::{Digest, DigestItem},
	traits::Header as _,
	DispatchError,
};
use std::sync::atomic::{AtomicU64, Ordering};

/// Blocks run of one input at most (the rest is ignored).
pub const MAX_BLOCKS: usize = 48;
/// Actions run of one block at most (the rest is ignored).
pub const MAX_ACTIONS: usize = 24;
/// Nesting depth allowed when decoding an input (calls inside `utility.batch` inside ...).
pub const DECODE_DEPTH: u32 = 8;
/// Order and quote prices are taken modulo this many cents (2,000 USD a contract: every
/// premium of the set-up's series and then some), sizes modulo this many contracts: most
/// random values then make orders the traders can pay, and so fills, rests and margin calls.
/// Absurd prices and sizes are still reached through `Action::Signed`.
pub const MAX_CENTS: u32 = 200_000;
/// See [`MAX_CENTS`].
pub const MAX_CONTRACTS: u16 = 100;
/// Generated traders funded at genesis besides the development accounts.
pub const GENERATED_TRADERS: u32 = 3;
/// Underlyings the operators feed: 0 = BTC, 1 = ETH.
pub const UNDERLYINGS: [UnderlyingId; 2] = [0, 1];
/// Starting prices (whole USD) of BTC and ETH.
pub const START_PRICES: [u32; 2] = [60_000, 3_000];

/// The accounts that trade: `who` bytes of actions pick one of these (modulo 8). Alice is left
/// out: she is sudo, an operator and the settlement asset's owner, whose powers are trusted.
pub fn traders() -> [Trader; 8] {
	[
		Trader::Dev(Bob),
		Trader::Dev(Charlie),
		Trader::Dev(Dave),
		Trader::Dev(Eve),
		Trader::Dev(Ferdie),
		Trader::Generated(0),
		Trader::Generated(1),
		Trader::Generated(2),
	]
}

/// The development operators (they feed every block unless silenced).
pub const OPERATORS: [Sr25519Keyring; 3] = [Alice, Bob, Charlie];

/// How much time passes before a block, on top of the 2 s slot.
#[derive(Encode, Decode, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
	/// The next slot.
	Next,
	/// `n` minutes more.
	Minutes(u8),
	/// `n` hours more.
	Hours(u8),
}

/// What the operators report in a block, besides their usual feed.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub enum FeedChange {
	/// Every operator moves `underlying`'s price by `permille` ‰ (from the next block on).
	Move { underlying: u8, permille: i16 },
	/// Every operator feeds `underlying`'s volatility at `percent` % (from the next block on; 0
	/// is fed as the smallest value the oracle accepts).
	Volatility { underlying: u8, percent: u8 },
	/// The operators stop feeding `underlying` from the next block on (its price goes stale).
	Pause { underlying: u8 },
	/// The operators feed `underlying` again from the next block on.
	Resume { underlying: u8 },
	/// `operator` does not feed in this block.
	Silence { operator: u8 },
	/// `operator` reports `underlying` off by `permille` ‰ in this block.
	Outlier { operator: u8, underlying: u8, permille: i16 },
}

/// A limit order in the harness's units.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct Ord {
	/// A series id (modulo 16: the set-up's series, the listed ones after them, unknown ids).
	pub series: u8,
	/// Buy or sell.
	pub buy: bool,
	/// Limit price in cents of USDC per contract (the dev price tick is one cent), modulo
	/// [`MAX_CENTS`].
	pub cents: u32,
	/// Contracts, modulo [`MAX_CONTRACTS`].
	pub quantity: u16,
	/// 0 good till cancelled, 1 immediate or cancel, 2 fill or kill, 3 good till a block
	/// `ahead` blocks away, 4 good till a time `ahead` minutes away.
	pub tif: u8,
	/// Blocks or minutes ahead for `tif` 3 and 4.
	pub ahead: u8,
	/// Post-only.
	pub post_only: bool,
	/// Reduce-only.
	pub reduce_only: bool,
}

/// One side of a quote: (cents per contract, contracts).
pub type Leg = Option<(u32, u16)>;

/// A governance call, dispatched through `sudo.sudo` by Alice.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub enum Gov {
	/// Any oracle call.
	Oracle(pallet_oracle::Call<Runtime>),
	/// Any margin call.
	Margin(pallet_margin::Call<Runtime>),
	/// Any options call.
	Options(pallet_options::Call<Runtime>),
	/// Confirm the move held by `underlying`'s tripped circuit breaker.
	ReleaseBreaker { underlying: u8 },
	/// List a series: strike `strike_steps` strike ticks (BTC 1,000, ETH 50 USD) from the
	/// start price, expiring `hours` hours (and 30 minutes) after the block.
	List { underlying: u8, strike_steps: i8, hours: u8, put: bool },
}

/// One transaction of a block.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub enum Action {
	/// `margin.deposit` of `usdc` whole USDC.
	Deposit { who: u8, usdc: u32 },
	/// `margin.withdraw` of `usdc` whole USDC.
	Withdraw { who: u8, usdc: u32 },
	/// `margin.fund_insurance` of `usdc` whole USDC.
	FundInsurance { who: u8, usdc: u32 },
	/// `margin.liquidate` of `victim`'s position in `series`.
	Liquidate { who: u8, victim: u8, series: u8, quantity: u16 },
	/// `options.place_order`.
	Place { who: u8, order: Ord },
	/// `options.cancel_order` of a recent order (by index among the ids seen), or a raw id.
	Cancel { who: u8, order: u8 },
	/// `options.cancel_all`.
	CancelAll { who: u8, series: Option<u8> },
	/// `options.replace_order`.
	Replace { who: u8, order: u8, new: Ord },
	/// `options.quote`: (series, bid, ask) per leg.
	Quote { who: u8, legs: Vec<(u8, Leg, Leg)> },
	/// `options.settle_account` of `account`'s position in `series`.
	Settle { who: u8, account: u8, series: u8 },
	/// `options.expire_orders`.
	Expire { who: u8, series: u8, limit: u8 },
	/// `options.schedule_cancel` `ahead` blocks from now (or disarm).
	ScheduleCancel { who: u8, ahead: Option<u16> },
	/// `options.set_mmp`: (window blocks, contracts, delta, vega, freeze blocks).
	SetMmp { who: u8, underlying: u8, limits: Option<(u8, u16, u32, u32, u8)> },
	/// `options.reset_mmp`.
	ResetMmp { who: u8, underlying: u8 },
	/// `options.place_vol_order` at `vol_percent` %.
	VolOrder { who: u8, series: u8, buy: bool, vol_percent: u8, quantity: u16, tif: u8 },
	/// `assets.transfer` of `usdc` whole USDC of the settlement asset to another trader.
	Transfer { who: u8, to: u8, usdc: u32 },
	/// A governance call.
	Gov(Gov),
	/// Any call, signed by a trader.
	Signed { who: u8, call: RuntimeCall },
}

/// One block of an input.
#[derive(Encode, Decode, Clone, Debug, PartialEq, Eq)]
pub struct FuzzBlock {
	/// Time before it.
	pub skip: Skip,
	/// What changes in the operators' feeds.
	pub feeds: Vec<FeedChange>,
	/// Its transactions, after the feeds.
	pub actions: Vec<Action>,
}

/// Decode an input: as many whole blocks as decode (at most [`MAX_BLOCKS`]), leniently (see
/// [`lenient`]): a SCALE encoding of blocks decodes to them, and almost any other bytes decode
/// to some blocks too.
pub fn decode_input(mut data: &[u8]) -> Vec<FuzzBlock> {
	let mut blocks = Vec::new();
	while !data.is_empty() && blocks.len() < MAX_BLOCKS {
		match lenient::block(&mut data) {
			Some(b) => blocks.push(b),
			None => break,
		}
	}
	blocks
}

pub mod lenient;

/// Encode blocks as an input.
pub fn encode_input(blocks: &[FuzzBlock]) -> Vec<u8> {
	blocks.iter().flat_map(|b| b.encode()).collect()
}

/// Key events, counted over every block run (process-wide).
pub mod counters {
	use super::*;

	/// Names of the counted events, in [`COUNTS`] order.
	pub const NAMES: [&str; 14] = [
		"blocks",
		"extrinsics",
		"failed",
		"fill",
		"margin_call",
		"liquidation",
		"sweep",
		"shortfall",
		"socialised_loss",
		"breaker_trip",
		"breaker_release",
		"settlement",
		"mmp_trip",
		"listed",
	];
	/// The counts.
	pub static COUNTS: [AtomicU64; 14] = [const { AtomicU64::new(0) }; 14];

	pub(crate) fn bump(i: usize) {
		if let Some(c) = COUNTS.get(i) {
			c.fetch_add(1, Ordering::Relaxed);
		}
	}

	/// The counts now, with their names.
	pub fn snapshot() -> Vec<(&'static str, u64)> {
		NAMES
			.iter()
			.zip(COUNTS.iter())
			.map(|(n, c)| (*n, c.load(Ordering::Relaxed)))
			.collect()
	}

	pub(crate) fn count_events(events: &[RuntimeEvent]) {
		use pallet_margin::Event as M;
		use pallet_options::Event as O;
		use pallet_oracle::Event as R;
		bump(0);
		for e in events {
			let i = match e {
				RuntimeEvent::Options(O::OrderFilled { .. }) => 3,
				RuntimeEvent::Margin(M::MarginCalled { .. }) => 4,
				RuntimeEvent::Margin(M::Liquidated { .. }) => 5,
				RuntimeEvent::Margin(M::AccountSwept { .. }) => 6,
				RuntimeEvent::Margin(M::SettlementShortfall { .. }) => 7,
				RuntimeEvent::Margin(M::LossSocialised { .. }) => 8,
				RuntimeEvent::Oracle(
					R::CircuitBreakerTripped { .. } | R::VolatilityBreakerTripped { .. },
				) => 9,
				RuntimeEvent::Oracle(
					R::CircuitBreakerReleased { .. } | R::VolatilityBreakerReleased { .. },
				) => 10,
				RuntimeEvent::Options(O::SeriesSettled { .. }) => 11,
				RuntimeEvent::Options(O::MmpTripped { .. }) => 12,
				RuntimeEvent::Options(O::SeriesListed { .. }) => 13,
				_ => continue,
			};
			bump(i);
		}
	}
}

/// The in-memory state of test externalities.
type Backend = sp_state_machine::InMemoryBackend<sp_core::Blake2Hasher>;

/// The state after the set-up blocks, shared by every input.
#[derive(Clone)]
struct Snapshot {
	backend: Backend,
	number: u32,
	parent_hash: H256,
	now: u64,
	orders: Vec<u64>,
	issuance: u128,
}

/// Whether `key` belongs to the oracle, margin, options or assets pallet.
fn is_exchange_key(key: &[u8]) -> bool {
	thread_local! {
		static PREFIXES: [[u8; 16]; 4] = [
			sp_io::hashing::twox_128(b"Oracle"),
			sp_io::hashing::twox_128(b"Margin"),
			sp_io::hashing::twox_128(b"Options"),
			sp_io::hashing::twox_128(b"Assets"),
		];
	}
	PREFIXES.with(|ps| ps.iter().any(|p| key.starts_with(p)))
}

/// What became of an extrinsic.
#[derive(Clone, Debug)]
pub struct Applied {
	/// `pallet.call`.
	pub described: String,
	/// Whether it was included (valid); an invalid one changes nothing.
	pub included: bool,
	/// The error by name if it failed (`Options::InvalidPrice`, `BadOrigin`), or the error of
	/// the call a `sudo` dispatched.
	pub error: Option<String>,
	/// Storage keys of the oracle, margin, options and assets pallets whose value it changed.
	pub changed: Vec<Vec<u8>>,
}

/// A chain under the fuzzer.
pub struct Harness {
	ext: TestExternalities,
	number: u32,
	parent_hash: H256,
	now: u64,
	prices: [u128; 2],
	vols: [u128; 2],
	paused: [bool; 2],
	orders: Vec<u64>,
	issuance: u128,
	/// Check the weight each extrinsic reports against the storage it wrote.
	pub audit_weights: bool,
}

/// Settlement units of `usdc` whole USDC.
fn usdc(n: u32) -> u128 {
	u128::from(n) * USD
}

fn series_id(s: u8) -> u32 {
	u32::from(s % 16)
}

fn underlying(u: u8) -> UnderlyingId {
	u32::from(u % 3)
}

fn trader(who: u8) -> Trader {
	let t = traders();
	t[usize::from(who) % t.len()]
}

impl Harness {
	fn fresh() -> Self {
		let mut prices = [0u128; 2];
		for (p, usd) in prices.iter_mut().zip(START_PRICES) {
			*p = FixedU128::from_u32(usd).into_inner();
		}
		let vol = FixedU128::from_rational(1, 2).into_inner();
		Harness {
			ext: new_ext_with_traders("development", GENERATED_TRADERS),
			number: 0,
			parent_hash: H256::zero(),
			now: optionchain_integration_tests::GENESIS_TIME_MS,
			prices,
			vols: [vol, vol],
			paused: [false; 2],
			orders: Vec::new(),
			issuance: 0,
			audit_weights: true,
		}
	}

	fn snapshot() -> Snapshot {
		thread_local! {
			static SNAP: std::cell::OnceCell<Snapshot> = const { std::cell::OnceCell::new() };
		}
		SNAP.with(|cell| {
			cell.get_or_init(|| {
				let mut h = Self::fresh();
				h.parent_hash = h.ext.execute_with(|| frame_system::BlockHash::<Runtime>::get(0));
				h.issuance = h.ext.execute_with(|| Assets::total_issuance(SETTLEMENT_ASSET_ID));
				for block in setup() {
					h.run_block(&block);
				}
				Snapshot {
					backend: h.ext.as_backend(),
					number: h.number,
					parent_hash: h.parent_hash,
					now: h.now,
					orders: h.orders.clone(),
					issuance: h.issuance,
				}
			})
			.clone()
		})
	}

	/// A chain in the state the set-up blocks ([`setup`]) leave.
	pub fn new() -> Self {
		let s = Self::snapshot();
		let mut h = Self::fresh();
		h.ext = TestExternalities::new_empty();
		h.ext.backend = s.backend;
		h.number = s.number;
		h.parent_hash = s.parent_hash;
		h.now = s.now;
		h.orders = s.orders;
		h.issuance = s.issuance;
		h
	}

	/// Run every block of `blocks`.
	pub fn run(&mut self, blocks: &[FuzzBlock]) {
		for b in blocks {
			self.run_block(b);
		}
	}

	fn feed_calls(&self, block: &FuzzBlock) -> Vec<(Trader, RuntimeCall)> {
		let mut silenced = [false; 3];
		let mut outliers: Vec<(usize, usize, i16)> = Vec::new();
		for f in &block.feeds {
			match f {
				FeedChange::Silence { operator } => {
					if let Some(s) = silenced.get_mut(usize::from(*operator) % 3) {
						*s = true;
					}
				},
				FeedChange::Outlier { operator, underlying, permille } => outliers.push((
					usize::from(*operator) % 3,
					usize::from(*underlying) % 2,
					*permille,
				)),
				_ => {},
			}
		}
		let mut calls = Vec::new();
		for (o, op) in OPERATORS.iter().enumerate() {
			if silenced.get(o).copied().unwrap_or(false) {
				continue;
			}
			let entries: Vec<FeedEntry> = (0..2)
				.filter(|u| !self.paused[*u])
				.map(|u| {
					let mut price = self.prices[u];
					for (oo, uu, pm) in &outliers {
						if *oo == o && *uu == u {
							price = scale(price, *pm);
						}
					}
					FeedEntry {
						underlying: UNDERLYINGS[u],
						price: FixedU128::from_inner(price),
						volatility: FixedU128::from_inner(self.vols[u]),
					}
				})
				.collect();
			if !entries.is_empty() {
				calls.push((
					Trader::Dev(*op),
					oracle_feed_observed(self.number + 1, self.now_of_next(block), entries),
				));
			}
		}
		calls
	}

	fn now_of_next(&self, block: &FuzzBlock) -> u64 {
		let extra = match block.skip {
			Skip::Next => 0,
			Skip::Minutes(m) => u64::from(m) * 60_000,
			Skip::Hours(h) => u64::from(h) * 3_600_000,
		};
		self.now + SLOT_DURATION + extra
	}

	fn apply_feed_changes(&mut self, block: &FuzzBlock) {
		for f in &block.feeds {
			match f {
				FeedChange::Move { underlying, permille } => {
					let u = usize::from(*underlying) % 2;
					self.prices[u] = scale(self.prices[u], *permille);
				},
				FeedChange::Volatility { underlying, percent } => {
					let u = usize::from(*underlying) % 2;
					self.vols[u] = if *percent == 0 {
						1
					} else {
						FixedU128::from_rational(u128::from(*percent), 100).into_inner()
					};
				},
				FeedChange::Pause { underlying } => {
					self.paused[usize::from(*underlying) % 2] = true
				},
				FeedChange::Resume { underlying } => {
					self.paused[usize::from(*underlying) % 2] = false
				},
				_ => {},
			}
		}
	}

	fn order_id(&self, i: u8) -> u64 {
		if self.orders.is_empty() || i >= 200 {
			u64::from(i)
		} else {
			self.orders[usize::from(i) % self.orders.len()]
		}
	}

	fn request(&self, o: &Ord) -> OrderRequest {
		let time_in_force = match o.tif % 5 {
			0 => TimeInForce::GoodTillCancelled,
			1 => TimeInForce::ImmediateOrCancel,
			2 => TimeInForce::FillOrKill,
			3 => TimeInForce::GoodTillBlock(self.number + 1 + u32::from(o.ahead)),
			_ => TimeInForce::GoodTillTime(self.now + u64::from(o.ahead) * 60_000),
		};
		OrderRequest {
			series: series_id(o.series),
			side: if o.buy { Side::Buy } else { Side::Sell },
			price: u128::from(o.cents % MAX_CENTS) * (USD / 100),
			quantity: i64::from(o.quantity % MAX_CONTRACTS),
			time_in_force,
			post_only: o.post_only,
			reduce_only: o.reduce_only,
		}
	}

	/// The extrinsic of `action`: its signer and call.
	fn call_of(&self, action: &Action) -> (Trader, RuntimeCall) {
		use pallet_margin::Call as M;
		use pallet_options::Call as O;
		let sudo = |call: RuntimeCall| {
			(
				Trader::Dev(Alice),
				RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(call) }),
			)
		};
		match action {
			Action::Deposit { who, usdc: n } => {
				(trader(*who), RuntimeCall::Margin(M::deposit { amount: usdc(*n) }))
			},
			Action::Withdraw { who, usdc: n } => {
				(trader(*who), RuntimeCall::Margin(M::withdraw { amount: usdc(*n) }))
			},
			Action::FundInsurance { who, usdc: n } => {
				(trader(*who), RuntimeCall::Margin(M::fund_insurance { amount: usdc(*n) }))
			},
			Action::Liquidate { who, victim, series, quantity } => (
				trader(*who),
				RuntimeCall::Margin(M::liquidate {
					account: trader(*victim).account_id(),
					series: series_id(*series),
					quantity: i64::from(*quantity),
				}),
			),
			Action::Place { who, order } => (
				trader(*who),
				RuntimeCall::Options(O::place_order { request: self.request(order) }),
			),
			Action::Cancel { who, order } => (
				trader(*who),
				RuntimeCall::Options(O::cancel_order { order_id: self.order_id(*order) }),
			),
			Action::CancelAll { who, series } => (
				trader(*who),
				RuntimeCall::Options(O::cancel_all { series: series.map(series_id) }),
			),
			Action::Replace { who, order, new } => (
				trader(*who),
				RuntimeCall::Options(O::replace_order {
					order_id: self.order_id(*order),
					request: self.request(new),
				}),
			),
			Action::Quote { who, legs } => {
				let leg = |l: &Leg| {
					l.map(|(cents, q)| QuoteLeg {
						price: u128::from(cents % MAX_CENTS) * (USD / 100),
						quantity: i64::from(q % MAX_CONTRACTS),
					})
				};
				let quotes: Vec<QuoteRequest> = legs
					.iter()
					.take(40)
					.map(|(s, b, a)| QuoteRequest {
						series: series_id(*s),
						bid: leg(b),
						ask: leg(a),
					})
					.collect();
				// More legs than allowed: the call cannot be encoded; send the allowed ones.
				let quotes = frame_support::BoundedVec::truncate_from(quotes);
				(trader(*who), RuntimeCall::Options(O::quote { quotes }))
			},
			Action::Settle { who, account, series } => (
				trader(*who),
				RuntimeCall::Options(O::settle_account {
					who: trader(*account).account_id(),
					series: series_id(*series),
				}),
			),
			Action::Expire { who, series, limit } => (
				trader(*who),
				RuntimeCall::Options(O::expire_orders {
					series: series_id(*series),
					limit: u32::from(*limit),
				}),
			),
			Action::ScheduleCancel { who, ahead } => (
				trader(*who),
				RuntimeCall::Options(O::schedule_cancel {
					at: ahead.map(|a| self.number + u32::from(a)),
				}),
			),
			Action::SetMmp { who, underlying: u, limits } => (
				trader(*who),
				RuntimeCall::Options(O::set_mmp {
					underlying: underlying(*u),
					limits: limits.map(|(w, c, d, v, f)| pallet_options::MmpLimits {
						window_blocks: u32::from(w),
						max_contracts: u64::from(c),
						max_delta: FixedU128::from_rational(u128::from(d), 100),
						max_vega: FixedU128::from_u32(v),
						freeze_blocks: u32::from(f),
					}),
				}),
			),
			Action::ResetMmp { who, underlying: u } => {
				(trader(*who), RuntimeCall::Options(O::reset_mmp { underlying: underlying(*u) }))
			},
			Action::VolOrder { who, series, buy, vol_percent, quantity, tif } => (
				trader(*who),
				RuntimeCall::Options(O::place_vol_order {
					request: VolOrderRequest {
						series: series_id(*series),
						side: if *buy { Side::Buy } else { Side::Sell },
						volatility: FixedU128::from_rational(u128::from(*vol_percent), 100),
						quantity: i64::from(*quantity % MAX_CONTRACTS),
						time_in_force: match tif % 3 {
							0 => TimeInForce::GoodTillCancelled,
							1 => TimeInForce::GoodTillBlock(self.number + 30),
							_ => TimeInForce::ImmediateOrCancel,
						},
						reduce_only: false,
					},
				}),
			),
			Action::Transfer { who, to, usdc: n } => (
				trader(*who),
				RuntimeCall::Assets(pallet_assets::Call::transfer {
					id: codec::Compact(SETTLEMENT_ASSET_ID),
					target: optionchain_runtime::Address::Id(trader(*to).account_id()),
					amount: usdc(*n),
				}),
			),
			Action::Gov(g) => match g {
				Gov::Oracle(c) => sudo(RuntimeCall::Oracle(c.clone())),
				Gov::Margin(c) => sudo(RuntimeCall::Margin(c.clone())),
				Gov::Options(c) => sudo(RuntimeCall::Options(c.clone())),
				Gov::ReleaseBreaker { underlying: u } => {
					sudo(RuntimeCall::Oracle(pallet_oracle::Call::release_circuit_breaker {
						underlying: underlying(*u),
					}))
				},
				Gov::List { underlying: u, strike_steps, hours, put } => {
					let u = underlying(*u);
					let (start, tick) = if u == 0 { (60_000i64, 1_000i64) } else { (3_000, 50) };
					let strike = (start + i64::from(*strike_steps) * tick).max(0) as u32;
					sudo(RuntimeCall::Options(O::list_series {
						underlying: u,
						strike: FixedU128::from_u32(strike),
						expiry: self.now + u64::from(*hours) * 3_600_000 + 1_800_000,
						kind: if *put {
							optionchain_primitives::exchange::OptionKind::Put
						} else {
							optionchain_primitives::exchange::OptionKind::Call
						},
					}))
				},
			},
			Action::Signed { who, call } => (trader(*who), call.clone()),
		}
	}

	/// Author one block (it is not re-imported): the feeds, then the actions, then
	/// finalisation; check every invariant.
	pub fn run_block(&mut self, block: &FuzzBlock) {
		let feeds = self.feed_calls(block);
		self.apply_feed_changes(block);
		self.open_block(block.skip);
		let actions = block.actions.iter().take(MAX_ACTIONS).map(|a| self.call_of(a));
		let calls: Vec<(Trader, RuntimeCall)> = feeds.into_iter().chain(actions).collect();
		for (who, call) in calls {
			self.apply(who, call);
		}
		self.close_block();
	}

	/// Start the next block, `skip` after the last one, with its timestamp inherent.
	pub fn open_block(&mut self, skip: Skip) {
		let now = self.now_of_next(&FuzzBlock { skip, feeds: vec![], actions: vec![] });
		let number = self.number + 1;
		let slot = Slot::from(now / SLOT_DURATION);
		let digest = Digest { logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())] };
		let header =
			Header::new(number, Default::default(), Default::default(), self.parent_hash, digest);
		self.ext.execute_with(|| {
			Executive::initialize_block(&header);
			let r = Executive::apply_extrinsic(timestamp_inherent(now));
			assert!(matches!(r, Ok(Ok(()))), "timestamp inherent applies: {r:?}");
			// The post-inherent hook (the options pallet reprices volatility orders) runs here,
			// as the first transaction would run it, so that its reads and writes (reserved in
			// `on_initialize`) are not audited against that transaction's weight.
			Executive::inherents_applied();
		});
		self.number = number;
		self.now = now;
		self.ext.commit_all().expect("the overlay commits");
	}

	/// Finalise the open block (hooks, `on_idle`), seal it and check every invariant.
	pub fn close_block(&mut self) {
		let (sealed, events) = self.ext.execute_with(|| {
			let sealed = Executive::finalize_block();
			(sealed, System::events().into_iter().map(|r| r.event).collect::<Vec<_>>())
		});
		self.ext.commit_all().expect("the overlay commits");
		self.parent_hash = sealed.hash();
		for e in &events {
			if let RuntimeEvent::Options(pallet_options::Event::OrderPlaced { order_id, .. }) = e {
				if self.orders.len() >= 64 {
					self.orders.remove(0);
				}
				self.orders.push(*order_id);
			}
		}
		counters::count_events(&events);
		self.check_block();
	}

	/// The block number and timestamp (ms) of the open or last block.
	pub fn now(&self) -> (u32, u64) {
		(self.number, self.now)
	}

	/// Run `f` against the current state.
	pub fn read<R>(&mut self, f: impl FnOnce() -> R) -> R {
		self.ext.execute_with(f)
	}

	/// Apply one signed extrinsic in the open block as a block author does (left out, its
	/// changes rolled back, if it is invalid); check that its weight covers what it wrote.
	pub fn apply(&mut self, who: Trader, call: RuntimeCall) -> Applied {
		let account = who.account_id();
		self.apply_xt(call_name(&call), move |nonce| sign(who, call, nonce), Some(account))
	}

	/// [`Self::apply`] for an extrinsic built by `build` from the signer's nonce (`account`,
	/// or 0 for a bare one).
	pub fn apply_xt(
		&mut self,
		described: String,
		build: impl FnOnce(u32) -> optionchain_runtime::UncheckedExtrinsic,
		account: Option<AccountId>,
	) -> Applied {
		// Every key read from the committed state (the overlay is empty: each extrinsic starts
		// after a commit) is recorded.
		let recorder = sp_trie::recorder::Recorder::<sp_core::Blake2Hasher>::default();
		let applied = self.ext.execute_with_recorder(recorder.clone(), || {
			let nonce = account.as_ref().map(System::account_nonce).unwrap_or_default();
			let xt = build(nonce);
			let index = System::extrinsic_index().unwrap_or_default();
			sp_io::storage::start_transaction();
			let r = Executive::apply_extrinsic(xt);
			match r {
				Ok(_) => {
					sp_io::storage::commit_transaction();
					Ok(index)
				},
				Err(e) => {
					sp_io::storage::rollback_transaction();
					Err(e)
				},
			}
		});
		counters::bump(1);
		let verbose = verbose();
		let index = match applied {
			Ok(index) => index,
			Err(e) => {
				if verbose {
					eprintln!("  #{} {described}: invalid ({e:?}), left out", self.number);
				}
				return Applied { described, included: false, error: None, changed: vec![] };
			},
		};
		let (weight, error) = self.ext.execute_with(|| extrinsic_outcome(index));
		if error.is_some() {
			counters::bump(2);
		}
		let (written, changed) = self.exchange_keys_written();
		if self.audit_weights {
			// The signer's nonce is read before the extrinsic: the recorded keys of the
			// exchange are the extrinsic's own.
			let read = recorder
				.recorded_keys()
				.into_values()
				.flat_map(|keys| keys.into_keys())
				.filter(|k| is_exchange_key(k))
				.count() as u64;
			let floor =
				<Runtime as frame_system::Config>::DbWeight::get().reads_writes(read, written);
			if verbose {
				eprintln!(
					"  #{} {described}: {} (read {read}, wrote {written}, charged {} µs)",
					self.number,
					error.as_deref().unwrap_or("ok"),
					weight.ref_time() / 1_000_000,
				);
			}
			assert!(
				floor.ref_time() <= weight.ref_time(),
				"{described} read {read} and wrote {written} keys of the exchange ({} ps at \
				 least) but was charged {} ps",
				floor.ref_time(),
				weight.ref_time(),
			);
		}
		// The next extrinsic's writes are counted from an empty overlay.
		self.ext.commit_all().expect("the overlay commits");
		Applied { described, included: true, error, changed }
	}

	/// Keys of the oracle, margin, options and assets pallets written in the overlay (since the
	/// last commit), and those of them whose value differs from the committed state.
	fn exchange_keys_written(&mut self) -> (u64, Vec<Vec<u8>>) {
		use sp_state_machine::Backend as _;
		let keys: Vec<Vec<u8>> = self
			.ext
			.overlayed_changes()
			.changes()
			.map(|(k, _)| k.clone())
			.filter(|k| is_exchange_key(k))
			.collect();
		let now: Vec<Option<Vec<u8>>> = self.ext.execute_with(|| {
			keys.iter().map(|k| sp_io::storage::get(k).map(|v| v.to_vec())).collect()
		});
		let changed = keys
			.iter()
			.zip(now)
			.filter(|(k, v)| self.ext.backend.storage(k).ok().flatten() != *v)
			.map(|(k, _)| k.clone())
			.collect();
		(keys.len() as u64, changed)
	}

	/// Every invariant after a block.
	fn check_block(&mut self) {
		let issuance = self.issuance;
		self.ext.execute_with(|| {
			if let Err(e) = Oracle::do_try_state() {
				panic!("oracle try_state: {e:?}");
			}
			if let Err(e) = Margin::do_try_state() {
				panic!("margin try_state: {e:?}");
			}
			if let Err(e) = Options::do_try_state() {
				panic!("options try_state: {e:?}");
			}
			assert_eq!(
				Assets::total_issuance(SETTLEMENT_ASSET_ID),
				issuance,
				"settlement asset issuance changed"
			);
			let limits = <Runtime as frame_system::Config>::BlockWeights::get();
			let used = System::block_weight();
			let total = used.total();
			assert!(
				total.all_lte(limits.max_block),
				"block weight {total:?} over the limit {:?}",
				limits.max_block
			);
		});
	}
}

impl Default for Harness {
	fn default() -> Self {
		Self::new()
	}
}

/// Whether `FUZZ_VERBOSE` is set: every extrinsic's outcome is printed.
fn verbose() -> bool {
	thread_local! {
		static V: bool = std::env::var_os("FUZZ_VERBOSE").is_some();
	}
	V.with(|v| *v)
}

/// The weight extrinsic `index`'s `ExtrinsicSuccess`/`ExtrinsicFailed` event reports, and its
/// error by name (`None`: it succeeded). A `sudo` call whose call failed reports that error.
fn extrinsic_outcome(index: u32) -> (sp_runtime::Weight, Option<String>) {
	let mut sudo_error = None;
	for r in System::events() {
		if r.phase != frame_system::Phase::ApplyExtrinsic(index) {
			continue;
		}
		match r.event {
			RuntimeEvent::Sudo(pallet_sudo::Event::Sudid { sudo_result: Err(e) }) => {
				sudo_error = Some(error_name(&e))
			},
			RuntimeEvent::System(frame_system::Event::ExtrinsicSuccess { dispatch_info }) => {
				return (dispatch_info.weight, sudo_error)
			},
			RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
				dispatch_info,
				dispatch_error,
			}) => return (dispatch_info.weight, Some(error_name(&dispatch_error))),
			_ => {},
		}
	}
	panic!("extrinsic {index} applied without an ExtrinsicSuccess/ExtrinsicFailed event")
}

/// `pallet.call` of a call, for reports.
pub fn call_name(call: &RuntimeCall) -> String {
	use frame_support::traits::GetCallMetadata;
	let m = call.get_call_metadata();
	format!("{}.{}", m.pallet_name, m.function_name)
}

/// `price` (18-decimal inner) moved by `permille` ‰, at least 1 and at most 10^12 USD.
fn scale(price: u128, permille: i16) -> u128 {
	let factor = (1000 + i128::from(permille)).max(1) as u128;
	(price / 1000)
		.saturating_mul(factor)
		.clamp(1, 1_000_000_000_000 * 10u128.pow(18))
}

/// Run an input from the set-up state; panics on a finding.
pub fn run_input(data: &[u8]) {
	let blocks = decode_input(data);
	if blocks.is_empty() {
		return;
	}
	let mut h = Harness::new();
	h.run(&blocks);
}

/// A pallet error's name, for reports.
pub fn error_name(e: &DispatchError) -> String {
	optionchain_integration_tests::market::error_name(e)
}

/// The blocks that every input starts from: collateral for the traders, eleven series (BTC
/// calls at 55,000, 60,000 and 65,000 USD and a put at 60,000 expiring in an hour; a BTC call and
/// put a day out; an ETH call and put at 3,000 USD in an hour; series 8 to 10 a week out),
/// and a two-sided book quoted by Bob and Charlie.
pub fn setup() -> Vec<FuzzBlock> {
	let list = |underlying, strike_steps, hours, put| {
		Action::Gov(Gov::List { underlying, strike_steps, hours, put })
	};
	let deposits = vec![
		Action::Deposit { who: 0, usdc: 200_000 },
		Action::Deposit { who: 1, usdc: 200_000 },
		Action::Deposit { who: 2, usdc: 50_000 },
		Action::Deposit { who: 3, usdc: 5_000 },
		Action::Deposit { who: 4, usdc: 20_000 },
		Action::Deposit { who: 5, usdc: 2_000 },
		Action::Deposit { who: 6, usdc: 500 },
	];
	let series = vec![
		list(0, -5, 0, false),
		list(0, 0, 0, false),
		list(0, 5, 0, false),
		list(0, 0, 0, true),
		list(0, 0, 24, false),
		list(0, -5, 24, true),
		list(1, 0, 0, false),
		list(1, 0, 0, true),
		list(0, 10, 168, false),
		list(0, -10, 168, true),
		list(1, 4, 168, false),
	];
	let q = |s: u8, bid: u32, ask: u32| (s, Some((bid * 100, 5)), Some((ask * 100, 5)));
	let quotes = vec![
		Action::Quote {
			who: 0,
			legs: vec![
				q(0, 540, 560),
				q(1, 150, 165),
				q(2, 10, 14),
				q(3, 150, 165),
				q(4, 1_000, 1_100),
				q(5, 150, 180),
				q(6, 40, 45),
				q(7, 40, 45),
			],
		},
		Action::Quote { who: 1, legs: vec![q(1, 148, 168), q(3, 145, 170), q(6, 38, 47)] },
	];
	vec![
		FuzzBlock { skip: Skip::Next, feeds: vec![], actions: deposits },
		FuzzBlock { skip: Skip::Next, feeds: vec![], actions: series },
		FuzzBlock { skip: Skip::Next, feeds: vec![], actions: quotes },
	]
}

/// The seed corpus: scenarios of the integration tests, as inputs.
pub fn seeds() -> Vec<(&'static str, Vec<FuzzBlock>)> {
	seeds::all()
}

pub mod seeds;

/// The set-up state's series and accounts, for tests.
pub fn trader_account(who: u8) -> AccountId {
	trader(who).account_id()
}
