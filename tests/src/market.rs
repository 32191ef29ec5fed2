//! [`Market`]: a domain driver for runtime integration tests (issue 13, first part).
//!
//! A dev chain (the `development` preset) whose three operators feed every underlying's price
//! and volatility in every block by themselves, so prices never go stale; calls in human units
//! (whole USD prices, USDC amounts, contracts); and after every block the invariants of every
//! pallet (`try_state`) and the conservation of the settlement asset are checked.
//!
//! ```ignore
//! let mut m = Market::dev();
//! let call = m.list_call(BTC, 60_000, WEEK);
//! m.deposit(Bob, 2_000).deposit(Charlie, 10_000).next_block();
//! m.sell(Bob, call, 1, 100).buy(Charlie, call, 1, 100).next_block();
//! m.move_price(BTC, 10).next_block();
//! assert_eq!(m.margin(Bob).state, AccountState::Restricted);
//! ```
//!
//! The volatility fed by default is 10^-18 (the smallest the oracle accepts): marks are then
//! the intrinsic values exactly, so expected numbers can be worked out by hand. Set another with
//! [`Market::set_volatility`].

use crate::{general, oracle_feed, Chain};
use optionchain_primitives::{exchange::SeriesId, FeedEntry, FixedU128, UnderlyingId};
use optionchain_runtime::{
	genesis_config_presets::DEV_USD_ENDOWMENT, Assets, Margin, Options, Oracle, RuntimeCall,
	RuntimeEvent, SETTLEMENT_ASSET_ID, USD,
};
use pallet_options::{OrderRequest, TimeInForce};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie};
use sp_runtime::{ApplyExtrinsicResult, DispatchError};
use std::collections::BTreeMap;

/// One week in milliseconds (an expiry offset).
pub const WEEK: u64 = 7 * 24 * 60 * 60 * 1000;
/// One day in milliseconds.
pub const DAY: u64 = 24 * 60 * 60 * 1000;

/// The result of a call made through the driver, with the pallet error named when it failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallResult(pub ApplyExtrinsicResult);

impl CallResult {
	/// Whether the call was included and succeeded.
	pub fn is_ok(&self) -> bool {
		matches!(self.0, Ok(Ok(())))
	}

	/// The dispatch error, if the call failed.
	pub fn error(&self) -> Option<DispatchError> {
		match &self.0 {
			Ok(Err(e)) => Some(*e),
			_ => None,
		}
	}
}

/// A dev chain driven in human units (see the module docs).
pub struct Market {
	/// The underlying chain (blocks, state, re-import).
	pub chain: Chain,
	/// Price (whole USD) and volatility each underlying is fed at.
	feeds: BTreeMap<UnderlyingId, (FixedU128, FixedU128)>,
	/// Underlyings the operators stopped feeding.
	paused: Vec<UnderlyingId>,
	/// Calls for the next block, in order.
	queued: Vec<(Sr25519Keyring, RuntimeCall)>,
	/// The results of the calls of the last block, in order.
	pub last_results: Vec<CallResult>,
	/// The events of the last block.
	pub last_events: Vec<RuntimeEvent>,
}

impl Market {
	/// The `development` preset with BTC at 60,000 and ETH at 3,000 USD, fed from the first
	/// block on.
	pub fn dev() -> Self {
		let mut feeds = BTreeMap::new();
		let vol = FixedU128::from_inner(1);
		feeds.insert(0, (FixedU128::from_u32(60_000), vol));
		feeds.insert(1, (FixedU128::from_u32(3_000), vol));
		let mut m = Market {
			chain: Chain::new("development"),
			feeds,
			paused: Vec::new(),
			queued: Vec::new(),
			last_results: Vec::new(),
			last_events: Vec::new(),
		};
		m.next_block();
		m
	}

	/// Feed `underlying` at `usd` (whole USD) from the next block on.
	pub fn set_price(&mut self, underlying: UnderlyingId, usd: u32) -> &mut Self {
		let e = self
			.feeds
			.entry(underlying)
			.or_insert((FixedU128::from_u32(usd), FixedU128::from_inner(1)));
		e.0 = FixedU128::from_u32(usd);
		self
	}

	/// Move `underlying`'s fed price by `percent` (may be negative) from the next block on.
	pub fn move_price(&mut self, underlying: UnderlyingId, percent: i32) -> &mut Self {
		if let Some(e) = self.feeds.get_mut(&underlying) {
			let inner = e.0.into_inner();
			let moved = if percent >= 0 {
				inner / 100 * (100 + percent.unsigned_abs() as u128)
			} else {
				inner / 100 * (100 - percent.unsigned_abs().min(99) as u128)
			};
			e.0 = FixedU128::from_inner(moved);
		}
		self
	}

	/// Feed `underlying`'s volatility at `percent` % (annualised) from the next block on.
	pub fn set_volatility(&mut self, underlying: UnderlyingId, percent: u32) -> &mut Self {
		if let Some(e) = self.feeds.get_mut(&underlying) {
			e.1 = FixedU128::from_rational(u128::from(percent), 100);
		}
		self
	}

	/// The operators stop feeding `underlying` (its price goes stale after the heartbeat).
	pub fn stop_feeding(&mut self, underlying: UnderlyingId) -> &mut Self {
		self.paused.push(underlying);
		self
	}

	/// The operators feed `underlying` again.
	pub fn resume_feeding(&mut self, underlying: UnderlyingId) -> &mut Self {
		self.paused.retain(|u| *u != underlying);
		self
	}

	/// The expiry (ms) of `series`.
	pub fn expiry_of(&mut self, series: SeriesId) -> u64 {
		self.chain
			.read(Options::api_live_series)
			.into_iter()
			.find(|s| s.id == series)
			.map(|s| s.info.terms.expiry)
			.expect("a live series")
	}

	/// The insurance fund's ledger account.
	pub fn insurance_account(&mut self) -> optionchain_runtime::AccountId {
		self.chain.read(Margin::insurance_account)
	}

	/// Queue `call` signed by `who` for the next block.
	pub fn call(&mut self, who: Sr25519Keyring, call: RuntimeCall) -> &mut Self {
		self.queued.push((who, call));
		self
	}

	/// Queue a deposit of `usdc` whole USDC.
	pub fn deposit(&mut self, who: Sr25519Keyring, usdc: u128) -> &mut Self {
		self.call(who, RuntimeCall::Margin(pallet_margin::Call::deposit { amount: usdc * USD }))
	}

	/// Queue a limit order of `quantity` contracts at `usdc` whole USDC per contract.
	pub fn order(
		&mut self,
		who: Sr25519Keyring,
		series: SeriesId,
		side: optionchain_primitives::exchange::Side,
		quantity: i64,
		usdc: u128,
		time_in_force: TimeInForce,
	) -> &mut Self {
		let request = OrderRequest {
			series,
			side,
			price: usdc * USD,
			quantity,
			time_in_force,
			post_only: false,
			reduce_only: false,
		};
		self.call(who, RuntimeCall::Options(pallet_options::Call::place_order { request }))
	}

	/// Queue a resting (good-till-cancelled) buy.
	pub fn buy(
		&mut self,
		who: Sr25519Keyring,
		series: SeriesId,
		quantity: i64,
		usdc: u128,
	) -> &mut Self {
		use optionchain_primitives::exchange::Side;
		self.order(who, series, Side::Buy, quantity, usdc, TimeInForce::GoodTillCancelled)
	}

	/// Queue a resting (good-till-cancelled) sell.
	pub fn sell(
		&mut self,
		who: Sr25519Keyring,
		series: SeriesId,
		quantity: i64,
		usdc: u128,
	) -> &mut Self {
		use optionchain_primitives::exchange::Side;
		self.order(who, series, Side::Sell, quantity, usdc, TimeInForce::GoodTillCancelled)
	}

	/// List a call (governance, through sudo) on `underlying` at `strike` whole USD expiring
	/// `expires_in` ms after the next block; produces that block and returns the series.
	pub fn list_call(
		&mut self,
		underlying: UnderlyingId,
		strike: u32,
		expires_in: u64,
	) -> SeriesId {
		self.list(
			underlying,
			strike,
			expires_in,
			optionchain_primitives::exchange::OptionKind::Call,
		)
	}

	/// List a put (see [`Self::list_call`]).
	pub fn list_put(&mut self, underlying: UnderlyingId, strike: u32, expires_in: u64) -> SeriesId {
		self.list(underlying, strike, expires_in, optionchain_primitives::exchange::OptionKind::Put)
	}

	fn list(
		&mut self,
		underlying: UnderlyingId,
		strike: u32,
		expires_in: u64,
		kind: optionchain_primitives::exchange::OptionKind,
	) -> SeriesId {
		let expiry = Chain::timestamp_of(self.chain.next_number()) + expires_in;
		let list = RuntimeCall::Options(pallet_options::Call::list_series {
			underlying,
			strike: FixedU128::from_u32(strike),
			expiry,
			kind,
		});
		self.call(Alice, RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(list) }));
		self.next_block();
		self.last_events
			.iter()
			.find_map(|e| match e {
				RuntimeEvent::Options(pallet_options::Event::SeriesListed { series, .. }) => {
					Some(*series)
				},
				_ => None,
			})
			.unwrap_or_else(|| panic!("series not listed: {:?}", self.last_events))
	}

	/// Produce the next block: the operators' feeds first, then the queued calls. Panics if a
	/// feed fails or if an invariant breaks; returns the queued calls' results.
	pub fn next_block(&mut self) -> &mut Self {
		let at = self.chain.next_number();
		let entries: Vec<FeedEntry> = self
			.feeds
			.iter()
			.filter(|(u, _)| !self.paused.contains(u))
			.map(|(u, (price, volatility))| FeedEntry {
				underlying: *u,
				price: *price,
				volatility: *volatility,
			})
			.collect();
		let feeds = if entries.is_empty() {
			Vec::new()
		} else {
			self.chain.read(|| {
				[Alice, Bob, Charlie].map(|op| oracle_feed(op, at, entries.clone())).to_vec()
			})
		};
		let fed = feeds.len();
		for f in feeds {
			self.chain.push(general(f));
		}
		for (who, call) in core::mem::take(&mut self.queued) {
			self.chain.submit(who, call);
		}
		let mut results = self.chain.produce_block();
		let calls = results.split_off(fed);
		assert!(results.iter().all(|r| matches!(r, Ok(Ok(())))), "feeds apply: {results:?}");
		self.last_results = calls.into_iter().map(CallResult).collect();
		self.last_events = self.chain.events();
		self.check();
		self
	}

	/// Produce `n` blocks.
	pub fn advance_blocks(&mut self, n: u32) -> &mut Self {
		for _ in 0..n {
			self.next_block();
		}
		self
	}

	/// Produce blocks until the next block's timestamp is at least `moment` (ms).
	pub fn advance_to(&mut self, moment: u64) -> &mut Self {
		while Chain::timestamp_of(self.chain.next_number()) < moment {
			self.next_block();
		}
		self
	}

	/// Every pallet's invariants and the conservation of the settlement asset.
	pub fn check(&mut self) {
		self.chain.read(|| {
			Oracle::do_try_state().expect("oracle invariants");
			Margin::do_try_state().expect("margin invariants");
			Options::do_try_state().expect("options invariants");
			use frame_support::traits::fungibles::Inspect;
			assert_eq!(Assets::total_issuance(SETTLEMENT_ASSET_ID), 6 * DEV_USD_ENDOWMENT);
		});
	}

	/// `who`'s margin figures (settlement units) and state.
	pub fn margin(&mut self, who: Sr25519Keyring) -> pallet_margin::MarginSummary {
		self.chain
			.read(|| Margin::api_account_margin(who.to_account_id()))
			.expect("the account is in the margin ledger and priced")
	}

	/// `who`'s collateral (settlement units).
	pub fn collateral(&mut self, who: Sr25519Keyring) -> u128 {
		self.chain.read(|| Margin::api_collateral(who.to_account_id()))
	}

	/// `who`'s net positions as `(series, contracts)`.
	pub fn positions(&mut self, who: Sr25519Keyring) -> Vec<(SeriesId, i64)> {
		self.chain
			.read(|| Options::api_positions(&who.to_account_id()))
			.into_iter()
			.map(|p| (p.series, p.net))
			.collect()
	}

	/// Re-execute every block produced so far from genesis, as an importing node does, and
	/// check that it reaches the same state root.
	pub fn assert_reimports(&mut self) {
		let root = crate::import_blocks("development", &self.chain.blocks);
		let head = self.chain.parent.as_ref().map(|h| *sp_runtime::traits::Header::state_root(h));
		assert_eq!(Some(root), head, "re-imported blocks reach the same state root");
	}

	/// Panics unless the `i`-th call of the last block failed with `error` (a pallet error,
	/// e.g. `pallet_margin::Error::<Runtime>::PriceStale`).
	pub fn assert_failed(&self, i: usize, error: impl Into<DispatchError>) {
		let error = error.into();
		let got = self.last_results.get(i).and_then(|r| r.error());
		assert_eq!(got, Some(error), "call {i} of the last block: {:?}", self.last_results.get(i));
	}

	/// Whether the last block emitted an event matching `f`.
	pub fn emitted(&self, f: impl Fn(&RuntimeEvent) -> bool) -> bool {
		self.last_events.iter().any(f)
	}
}
