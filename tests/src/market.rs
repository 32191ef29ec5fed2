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

use crate::{oracle_feed, Chain, Trader};
use optionchain_primitives::exchange::Side;
use optionchain_primitives::{exchange::SeriesId, FeedEntry, FixedU128, UnderlyingId};
use optionchain_runtime::{
	Assets, Margin, Options, Oracle, RuntimeCall, RuntimeEvent, SETTLEMENT_ASSET_ID, USD,
};
use pallet_options::{BookDepth, OrderRequest, TimeInForce};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie};
use sp_runtime::{ApplyExtrinsicResult, DispatchError};
use std::collections::BTreeMap;

/// One week in milliseconds (an expiry offset).
pub const WEEK: u64 = 7 * 24 * 60 * 60 * 1000;
/// One day in milliseconds.
pub const DAY: u64 = 24 * 60 * 60 * 1000;

/// The result of a call made through the driver, with the pallet error named when it failed.
#[derive(Clone, PartialEq, Eq)]
pub struct CallResult(pub ApplyExtrinsicResult);

impl core::fmt::Debug for CallResult {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		match &self.0 {
			Ok(Ok(())) => write!(f, "Ok"),
			Ok(Err(e)) => write!(f, "Failed({})", error_name(e)),
			Err(e) => write!(f, "NotIncluded({e:?})"),
		}
	}
}

/// A quote leg in human units: (whole USDC per contract, contracts).
pub type HumanLeg = (u128, i64);

/// A dispatch error by name: `Margin::PriceStale`, `Assets::BalanceLow`, `BadOrigin`.
pub fn error_name(e: &DispatchError) -> String {
	use codec::Decode;
	use frame_support::traits::PalletInfo as _;
	use optionchain_runtime::{Balances, PalletInfo, Runtime, Sudo};
	let DispatchError::Module(m) = e else { return format!("{e:?}") };
	let index = |p| Some(m.index as usize) == p;
	let mut bytes = &m.error[..];
	macro_rules! named {
		($($pallet:ident => $error:ty),*) => {
			$(if index(PalletInfo::index::<$pallet>()) {
				if let Ok(err) = <$error>::decode(&mut bytes) {
					return format!("{}::{:?}", stringify!($pallet), err);
				}
			})*
		};
	}
	named!(
		Oracle => pallet_oracle::Error<Runtime>,
		Margin => pallet_margin::Error<Runtime>,
		Options => pallet_options::Error<Runtime>,
		Assets => pallet_assets::Error<Runtime>,
		Balances => pallet_balances::Error<Runtime>,
		Sudo => pallet_sudo::Error<Runtime>
	);
	format!("{e:?}")
}

/// An order with defaults (good-till-cancelled, neither post-only nor reduce-only), changed by
/// builder methods and placed with [`Market::place`]:
///
/// ```ignore
/// m.place(Bob, Order::sell(call, 2, 150).ioc().reduce_only());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Order {
	series: SeriesId,
	side: Side,
	quantity: i64,
	usdc: u128,
	time_in_force: TimeInForce,
	post_only: bool,
	reduce_only: bool,
}

impl Order {
	fn new(series: SeriesId, side: Side, quantity: i64, usdc: u128) -> Self {
		Order {
			series,
			side,
			quantity,
			usdc,
			time_in_force: TimeInForce::GoodTillCancelled,
			post_only: false,
			reduce_only: false,
		}
	}

	/// Buy `quantity` contracts of `series` at up to `usdc` whole USDC each.
	pub fn buy(series: SeriesId, quantity: i64, usdc: u128) -> Self {
		Self::new(series, Side::Buy, quantity, usdc)
	}

	/// Sell `quantity` contracts of `series` at `usdc` whole USDC each or more.
	pub fn sell(series: SeriesId, quantity: i64, usdc: u128) -> Self {
		Self::new(series, Side::Sell, quantity, usdc)
	}

	/// Immediate-or-cancel: what does not fill at once is dropped.
	pub fn ioc(mut self) -> Self {
		self.time_in_force = TimeInForce::ImmediateOrCancel;
		self
	}

	/// Fill-or-kill: fills completely at once or fails.
	pub fn fok(mut self) -> Self {
		self.time_in_force = TimeInForce::FillOrKill;
		self
	}

	/// Good till block `n`: rests, and never fills from block `n + 1` on.
	pub fn good_till_block(mut self, n: u32) -> Self {
		self.time_in_force = TimeInForce::GoodTillBlock(n);
		self
	}

	/// Good till the moment `t` (ms since the Unix epoch) included.
	pub fn good_till_time(mut self, t: u64) -> Self {
		self.time_in_force = TimeInForce::GoodTillTime(t);
		self
	}

	/// Post-only: refused if it would take liquidity.
	pub fn post_only(mut self) -> Self {
		self.post_only = true;
		self
	}

	/// Reduce-only: may only reduce the owner's position.
	pub fn reduce_only(mut self) -> Self {
		self.reduce_only = true;
		self
	}

	/// The extrinsic's request.
	pub fn request(&self) -> OrderRequest {
		OrderRequest {
			series: self.series,
			side: self.side,
			price: self.usdc * USD,
			quantity: self.quantity,
			time_in_force: self.time_in_force,
			post_only: self.post_only,
			reduce_only: self.reduce_only,
		}
	}
}

/// The first event of the last block that matches a pattern (and guard, `if ...`), evaluated to
/// `=> expression` (to `()` without one); panics naming the pattern and listing the block's events when none does.
///
/// ```ignore
/// let series = expect_event!(m, RuntimeEvent::Options(pallet_options::Event::SeriesListed { series, .. }) => *series);
/// expect_event!(m, RuntimeEvent::Margin(pallet_margin::Event::Liquidated { .. }));
/// ```
#[macro_export]
macro_rules! expect_event {
	($market:expr, $pattern:pat $(if $guard:expr)? => $out:expr) => {{
		let market: &$crate::market::Market = &$market;
		#[allow(unused_variables)]
		let found = market.last_events.iter().find_map(|e| match e {
			$pattern $(if $guard)? => Some($out),
			_ => None,
		});
		match found {
			Some(out) => out,
			None => panic!(
				"the last block emitted no event `{}`; it emitted:\n{}",
				stringify!($pattern),
				market.event_list()
			),
		}
	}};
	($market:expr, $pattern:pat $(if $guard:expr)?) => {
		$crate::expect_event!($market, $pattern $(if $guard)? => ())
	};
}

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
	queued: Vec<(Trader, RuntimeCall)>,
	/// Total issuance of the settlement asset at genesis (conserved).
	issuance: u128,
	/// The results of the calls of the last block, in order.
	pub last_results: Vec<CallResult>,
	/// The events of the last block.
	pub last_events: Vec<RuntimeEvent>,
	/// The last event emitted by the last call of the last block (not by a hook; fee events skipped).
	pub last_call_event: Option<RuntimeEvent>,
}

/// The last event the block's last extrinsic emitted itself: the events that the transaction
/// machinery appends after the call (`System::ExtrinsicSuccess`/`ExtrinsicFailed`,
/// `TransactionPayment::TransactionFeePaid`, and the fee refund's `Balances::Deposit`,
/// `BurnedDebt`, `Rescinded` and `Issued` after it) are skipped.
fn last_call_event(records: &[(frame_system::Phase, RuntimeEvent)]) -> Option<RuntimeEvent> {
	use frame_system::Phase::ApplyExtrinsic;
	let last = records.iter().rev().find_map(|(phase, _)| match phase {
		ApplyExtrinsic(i) => Some(*i),
		_ => None,
	})?;
	let mut events: Vec<&RuntimeEvent> = records
		.iter()
		.filter(|(phase, _)| *phase == ApplyExtrinsic(last))
		.map(|(_, e)| e)
		.collect();
	let paid = events.iter().any(|e| matches!(e, RuntimeEvent::TransactionPayment(_)));
	events.retain(|e| !matches!(e, RuntimeEvent::System(_) | RuntimeEvent::TransactionPayment(_)));
	if paid {
		while let Some(RuntimeEvent::Balances(
			pallet_balances::Event::Deposit { .. }
			| pallet_balances::Event::BurnedDebt { .. }
			| pallet_balances::Event::Rescinded { .. }
			| pallet_balances::Event::Issued { .. },
		)) = events.last()
		{
			events.pop();
		}
	}
	let last_event = events.last().map(|e| (*e).clone());
	// A queued order's last event comes after the block's transactions, when it is matched.
	if let Some(RuntimeEvent::Options(pallet_options::Event::OrderPlaced {
		order_id,
		request,
		..
	})) = &last_event
	{
		if !request.post_only {
			let id = *order_id;
			let of_order = |e: &RuntimeEvent| {
				use pallet_options::Event as E;
				matches!(e, RuntimeEvent::Options(
					E::OrderFilled { taker_order: o, .. }
					| E::OrderRested { order_id: o, .. }
					| E::OrderCancelled { order_id: o, .. }
					| E::OrderRejected { order_id: o, .. }
				) if *o == id)
			};
			return records
				.iter()
				.rev()
				.find(|(phase, e)| *phase == frame_system::Phase::Finalization && of_order(e))
				.map(|(_, e)| e.clone())
				.or(last_event);
		}
	}
	last_event
}

impl Market {
	/// The `development` preset with BTC at 60,000 and ETH at 3,000 USD, fed from the first
	/// block on.
	pub fn dev() -> Self {
		Self::with_traders(0)
	}

	/// [`Market::dev`] plus `n` generated traders ([`Trader::Generated`] `0..n`), each holding
	/// one million USDC.
	pub fn with_traders(n: u32) -> Self {
		let mut feeds = BTreeMap::new();
		let vol = FixedU128::from_inner(1);
		feeds.insert(0, (FixedU128::from_u32(60_000), vol));
		feeds.insert(1, (FixedU128::from_u32(3_000), vol));
		let mut m = Market {
			chain: Chain::with_traders("development", n),
			feeds,
			paused: Vec::new(),
			queued: Vec::new(),
			last_results: Vec::new(),
			last_events: Vec::new(),
			last_call_event: None,
			issuance: 0,
		};
		use frame_support::traits::fungibles::Inspect;
		m.issuance = m.chain.read(|| Assets::total_issuance(SETTLEMENT_ASSET_ID));
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
	pub fn call(&mut self, who: impl Into<Trader>, call: RuntimeCall) -> &mut Self {
		self.queued.push((who.into(), call));
		self
	}

	/// Queue a deposit of `usdc` whole USDC.
	pub fn deposit(&mut self, who: impl Into<Trader>, usdc: u128) -> &mut Self {
		self.call(who, RuntimeCall::Margin(pallet_margin::Call::deposit { amount: usdc * USD }))
	}

	/// Queue a limit order of `quantity` contracts at `usdc` whole USDC per contract.
	pub fn order(
		&mut self,
		who: impl Into<Trader>,
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

	/// Queue `order` (see [`Order`]) from `who`.
	pub fn place(&mut self, who: impl Into<Trader>, order: Order) -> &mut Self {
		let request = order.request();
		self.call(who, RuntimeCall::Options(pallet_options::Call::place_order { request }))
	}

	/// Queue a mass quote from `who`: per series, its new bid and ask as `(whole USDC per
	/// contract, contracts)`; `None` leaves a side as it is, a size of 0 pulls it.
	pub fn quote(
		&mut self,
		who: impl Into<Trader>,
		legs: &[(SeriesId, Option<HumanLeg>, Option<HumanLeg>)],
	) -> &mut Self {
		let leg = |l: Option<HumanLeg>| {
			l.map(|(usdc, quantity)| pallet_options::QuoteLeg { price: usdc * USD, quantity })
		};
		let quotes = legs
			.iter()
			.map(|(series, bid, ask)| pallet_options::QuoteRequest {
				series: *series,
				bid: leg(*bid),
				ask: leg(*ask),
			})
			.collect::<Vec<_>>()
			.try_into()
			.expect("at most MaxQuoteLegs requests");
		self.call(who, RuntimeCall::Options(pallet_options::Call::quote { quotes }))
	}

	/// The book of `series`: up to 10 price levels per side, best first (prices in settlement
	/// units per contract).
	pub fn book(&mut self, series: SeriesId) -> BookDepth {
		self.chain
			.read(|| Options::api_book_depth(series, 10))
			.expect("the series is listed")
	}

	/// Queue a resting (good-till-cancelled) buy.
	pub fn buy(
		&mut self,
		who: impl Into<Trader>,
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
		who: impl Into<Trader>,
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
		let mut fed = 0;
		if !entries.is_empty() {
			for op in [Alice, Bob, Charlie] {
				self.chain.submit(op, oracle_feed(at, entries.clone()));
				fed += 1;
			}
		}
		for (who, call) in core::mem::take(&mut self.queued) {
			self.chain.submit(who, call);
		}
		let mut results = self.chain.produce_block();
		let calls = results.split_off(fed);
		assert!(results.iter().all(|r| matches!(r, Ok(Ok(())))), "feeds apply: {results:?}");
		self.last_results = calls.into_iter().map(CallResult).collect();
		let records = self.chain.event_records();
		self.last_call_event = last_call_event(&records);
		self.last_events = records.into_iter().map(|(_, e)| e).collect();
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
		let issuance = self.issuance;
		self.chain.read(|| {
			Oracle::do_try_state().expect("oracle invariants");
			Margin::do_try_state().expect("margin invariants");
			Options::do_try_state().expect("options invariants");
			use frame_support::traits::fungibles::Inspect;
			assert_eq!(Assets::total_issuance(SETTLEMENT_ASSET_ID), issuance);
		});
	}

	/// `who`'s margin figures (settlement units) and state.
	pub fn margin(&mut self, who: impl Into<Trader>) -> pallet_margin::MarginSummary {
		self.chain
			.read(|| Margin::api_account_margin(who.into().account_id()))
			.expect("the account is in the margin ledger and priced")
	}

	/// `who`'s collateral (settlement units).
	pub fn collateral(&mut self, who: impl Into<Trader>) -> u128 {
		self.chain.read(|| Margin::api_collateral(who.into().account_id()))
	}

	/// `who`'s net positions as `(series, contracts)`.
	pub fn positions(&mut self, who: impl Into<Trader>) -> Vec<(SeriesId, i64)> {
		self.chain
			.read(|| Options::api_positions(&who.into().account_id()))
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
		assert!(
			got == Some(error),
			"call {i} of the last block: expected it to fail with {}, got {:?}",
			error_name(&error),
			self.last_results.get(i)
		);
	}

	/// Panics unless every call of the last block succeeded, naming the first failure.
	pub fn assert_ok(&self) {
		if let Some((i, r)) = self.last_results.iter().enumerate().find(|(_, r)| !r.is_ok()) {
			panic!("call {i} of the last block: {r:?}");
		}
	}

	/// Panics unless the last event emitted by a call of the last block (hooks' events, such as
	/// the oracle's aggregation, are not counted) is `event`.
	pub fn assert_last_event(&self, event: impl Into<RuntimeEvent>) {
		let event = event.into();
		assert!(
			self.last_call_event.as_ref() == Some(&event),
			"last event of the last block's calls: expected {event:?}, got {:?}; the block emitted:\n{}",
			self.last_call_event,
			self.event_list()
		);
	}

	/// The last block's events, one per line (for failure messages).
	pub fn event_list(&self) -> String {
		self.last_events
			.iter()
			.map(|e| format!("  {e:?}"))
			.collect::<Vec<_>>()
			.join("\n")
	}

	/// Whether the last block emitted an event matching `f`.
	pub fn emitted(&self, f: impl Fn(&RuntimeEvent) -> bool) -> bool {
		self.last_events.iter().any(f)
	}
}
