//! The bad-input sweep (issue 19, item 4): every call of the oracle, margin and options pallets
//! submitted through the runtime (signed, with fees, through `Executive`) with boundary and
//! malformed arguments: zero, the maximum, off the tick, unknown ids, past and far times, and
//! the wrong origin. Each must fail with its named error and change nothing of the exchange's
//! state (the oracle, margin, options and assets pallets' storage; the fee and the nonce are
//! the only changes), or be refused before inclusion (`Invalid`). Vectors over their bound
//! cannot even be decoded as a call, so no node accepts them.
//!
//! The state is the fuzzer's set-up ([`optionchain_fuzz::setup`]): eleven series, funded
//! traders (Bob ... trader 1), resting quotes from Bob and Charlie. Traders by index: 0 Bob,
//! 1 Charlie, 2 Dave, 3 Eve, 4 Ferdie, 5-7 generated traders (7 has no ledger entry).

use codec::{Compact, Decode, Encode};
use frame_support::traits::GetCallName;
use optionchain_fuzz::{trader_account, traders, Applied, FeedChange, Harness, Skip};
use optionchain_integration_tests::{oracle_feed_observed, Trader};
use optionchain_primitives::{
	exchange::{OptionKind, Side},
	FeedEntry, FixedU128,
};
use optionchain_runtime::{Runtime, RuntimeCall, USD};
use pallet_options::{
	ListingRule, MmpLimits, OrderRequest, QuoteLeg, QuoteRequest, TimeInForce, UnderlyingConfig,
	VolOrderRequest,
};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Dave};
use sp_runtime::{
	traits::{Saturating, Zero},
	Permill,
};

/// Who submits a case.
#[derive(Clone, Copy, Debug)]
enum By {
	/// Trader `i` (see the module doc), signed.
	Trader(u8),
	/// A development account, signed.
	Dev(sp_keyring::Sr25519Keyring),
	/// Governance: `sudo.sudo` from Alice.
	Sudo,
}

/// What a case must end in.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
	/// Included, failed with this error, nothing of the exchange changed.
	Error(&'static str),
	/// Refused before inclusion.
	Invalid,
}
use Expect::{Error, Invalid};

struct Case {
	name: &'static str,
	by: By,
	call: RuntimeCall,
	expect: Expect,
}

fn case(name: &'static str, by: By, call: RuntimeCall, expect: Expect) -> Case {
	Case { name, by, call, expect }
}

const BTC: u32 = 0;
const ETH: u32 = 1;
const T7: u8 = 7;

fn usd(n: u32) -> FixedU128 {
	FixedU128::from_u32(n)
}

fn order(series: u32, side: Side, price: u128, quantity: i64) -> OrderRequest {
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

fn o(c: pallet_oracle::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Oracle(c)
}
fn m(c: pallet_margin::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Margin(c)
}
fn x(c: pallet_options::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Options(c)
}

fn params() -> pallet_oracle::UnderlyingParams {
	pallet_oracle::UnderlyingParams::default()
}

fn config() -> UnderlyingConfig {
	UnderlyingConfig {
		strike_tick: usd(1_000),
		contract_size: FixedU128::from_rational(1, 10),
		price_tick: USD / 100,
		max_series_open_interest: 1_000_000,
		max_underlying_open_interest: 10_000_000,
	}
}

fn rule() -> ListingRule {
	ListingRule {
		interval: 600_000,
		offset: 0,
		expiries: 2,
		min_lead: 60_000,
		strikes_each_side: 1,
		strike_step: usd(1_000),
	}
}

fn leg(usdc: u128, quantity: i64) -> Option<QuoteLeg> {
	Some(QuoteLeg { price: usdc * USD, quantity })
}

fn quote(legs: Vec<QuoteRequest>) -> RuntimeCall {
	x(pallet_options::Call::quote { quotes: legs.try_into().expect("within MaxQuoteLegs") })
}

fn q(series: u32, bid: Option<QuoteLeg>, ask: Option<QuoteLeg>) -> QuoteRequest {
	QuoteRequest { series, bid, ask }
}

/// Every case, in the state after the set-up, at block `number` and time `now` (ms). One line
/// per case: a table.
#[rustfmt::skip]
fn cases(number: u32, now: u64, bob_order: u64) -> Vec<Case> {
	use pallet_margin::Call as M;
	use pallet_options::Call as O;
	use pallet_oracle::Call as R;
	use By::{Sudo, Trader as T};
	let entry = |price: FixedU128, volatility: FixedU128| FeedEntry { underlying: BTC, price, volatility };
	let good_vol = FixedU128::from_rational(1, 2);
	let feed = |at: u32, observed: u64, entries: Vec<FeedEntry>| oracle_feed_observed(at, observed, entries);
	let alice = Trader::Dev(Alice).account_id();
	let dave = Trader::Dev(Dave).account_id();
	let bob = Trader::Dev(Bob).account_id();
	let hour = 3_600_000u64;
	let year = 366 * 24 * hour;
	let mut margin_params = pallet_margin::MarginParameters::default();
	margin_params.maintenance_rate = margin_params.initial_rate.saturating_add(usd(1));
	vec![
		// --- oracle ---
		case("feed from an account that is not an operator", By::Dev(Dave), feed(number, now, vec![entry(usd(60_000), good_vol)]), Invalid),
		case("feed with no entry", By::Dev(Bob), feed(number, now, vec![]), Invalid),
		case("feed at price zero", By::Dev(Bob), feed(number, now, vec![entry(FixedU128::zero(), good_vol)]), Invalid),
		case("feed above the maximum price", By::Dev(Bob), feed(number, now, vec![entry(FixedU128::from_inner(u128::MAX), good_vol)]), Invalid),
		case("feed at volatility zero", By::Dev(Bob), feed(number, now, vec![entry(usd(60_000), FixedU128::zero())]), Invalid),
		case("feed of an unknown underlying", By::Dev(Bob), feed(number, now, vec![FeedEntry { underlying: 9, price: usd(1), volatility: good_vol }]), Invalid),
		case("feed twice the same underlying", By::Dev(Bob), feed(number, now, vec![entry(usd(60_000), good_vol), entry(usd(60_000), good_vol)]), Invalid),
		case("feed for a future round", By::Dev(Bob), feed(number + 1, now, vec![entry(usd(60_000), good_vol)]), Invalid),
		case("feed for an expired round", By::Dev(Bob), feed(0, now, vec![entry(usd(60_000), good_vol)]), Invalid),
		case("feed observed in the future", By::Dev(Bob), feed(number, now + hour, vec![entry(usd(60_000), good_vol)]), Invalid),
		case("feed observed long ago", By::Dev(Bob), feed(number, now - hour, vec![entry(usd(60_000), good_vol)]), Invalid),
		case("register an underlying, signed", T(0), o(R::register_underlying { underlying: 5, params: params() }), Error("BadOrigin")),
		case("register an underlying twice", Sudo, o(R::register_underlying { underlying: BTC, params: params() }), Error("Oracle::UnderlyingAlreadyRegistered")),
		case("register with quorum zero", Sudo, o(R::register_underlying { underlying: 5, params: pallet_oracle::UnderlyingParams { quorum: 0, ..params() } }), Error("Oracle::InvalidQuorum")),
		case("register with heartbeat zero", Sudo, o(R::register_underlying { underlying: 5, params: pallet_oracle::UnderlyingParams { heartbeat: 0, ..params() } }), Error("Oracle::InvalidHeartbeat")),
		case("register with max move zero", Sudo, o(R::register_underlying { underlying: 5, params: pallet_oracle::UnderlyingParams { max_move: Permill::zero(), ..params() } }), Error("Oracle::InvalidMaxMove")),
		case("register with max price zero", Sudo, o(R::register_underlying { underlying: 5, params: pallet_oracle::UnderlyingParams { max_price: FixedU128::zero(), ..params() } }), Error("Oracle::InvalidMaxPrice")),
		case("register with settlement window zero", Sudo, o(R::register_underlying { underlying: 5, params: pallet_oracle::UnderlyingParams { settlement_window: 0, ..params() } }), Error("Oracle::InvalidSettlementWindow")),
		case("update an unknown underlying", Sudo, o(R::update_underlying { underlying: 9, params: params() }), Error("Oracle::UnknownUnderlying")),
		case("update with confirmations zero", Sudo, o(R::update_underlying { underlying: BTC, params: pallet_oracle::UnderlyingParams { confirmations: 0, ..params() } }), Error("Oracle::InvalidConfirmations")),
		case("update, signed", T(1), o(R::update_underlying { underlying: BTC, params: params() }), Error("BadOrigin")),
		case("add an operator twice", Sudo, o(R::add_operator { operator: bob.clone() }), Error("Oracle::AlreadyOperator")),
		case("add an operator, signed", T(2), o(R::add_operator { operator: dave.clone() }), Error("BadOrigin")),
		case("remove an account that is not an operator", Sudo, o(R::remove_operator { operator: dave.clone() }), Error("Oracle::NotOperator")),
		case("remove an operator, signed", T(0), o(R::remove_operator { operator: alice.clone() }), Error("BadOrigin")),
		case("schedule a settlement of an unknown underlying", Sudo, o(R::schedule_settlement { underlying: 9, expiry: now + hour }), Error("Oracle::UnknownUnderlying")),
		case("schedule a settlement in the past", Sudo, o(R::schedule_settlement { underlying: BTC, expiry: now - hour }), Error("Oracle::ExpiryInPast")),
		case("schedule a settlement at time zero", Sudo, o(R::schedule_settlement { underlying: BTC, expiry: 0 }), Error("Oracle::InvalidExpiry")),
		case("schedule a settlement, signed", T(3), o(R::schedule_settlement { underlying: BTC, expiry: now + hour }), Error("BadOrigin")),
		case("force a price of a settlement not stuck", Sudo, o(R::force_settlement_price { underlying: BTC, expiry: now + hour, price: usd(60_000) }), Error("Oracle::SettlementNotStuck")),
		case("force a price, signed", T(0), o(R::force_settlement_price { underlying: BTC, expiry: now + hour, price: usd(1) }), Error("BadOrigin")),
		case("cancel a settlement not stuck", Sudo, o(R::cancel_settlement { underlying: BTC, expiry: now + hour }), Error("Oracle::SettlementNotStuck")),
		case("cancel a settlement, signed", T(4), o(R::cancel_settlement { underlying: BTC, expiry: now + hour }), Error("BadOrigin")),
		case("release a breaker that is not tripped", Sudo, o(R::release_circuit_breaker { underlying: BTC }), Error("Oracle::CircuitBreakerNotTripped")),
		case("release the breaker of an unknown underlying", Sudo, o(R::release_circuit_breaker { underlying: 9 }), Error("Oracle::UnknownUnderlying")),
		case("release a breaker, signed", T(0), o(R::release_circuit_breaker { underlying: BTC }), Error("BadOrigin")),
		// --- margin ---
		case("deposit zero", T(0), m(M::deposit { amount: 0 }), Error("Margin::ZeroAmount")),
		case("deposit more than held", T(0), m(M::deposit { amount: u128::MAX }), Error("Margin::InsufficientBalance")),
		case("deposit one more than held", T(5), m(M::deposit { amount: 998_000 * USD + 1 }), Error("Margin::InsufficientBalance")),
		case("open a ledger entry below the minimum", T(T7), m(M::deposit { amount: USD }), Error("Margin::DepositBelowMinimum")),
		case("withdraw zero", T(0), m(M::withdraw { amount: 0 }), Error("Margin::ZeroAmount")),
		case("withdraw more than the collateral", T(4), m(M::withdraw { amount: u128::MAX }), Error("Margin::InsufficientCollateral")),
		case("withdraw without a ledger entry", T(T7), m(M::withdraw { amount: USD }), Error("Margin::InsufficientCollateral")),
		case("withdraw leaving dust", T(5), m(M::withdraw { amount: 1_995 * USD }), Error("Margin::WithdrawalLeavesDust")),
		case("liquidate oneself", T(0), m(M::liquidate { account: bob.clone(), series: 1, quantity: 1 }), Error("Margin::CannotLiquidateSelf")),
		case("liquidate a healthy account", T(2), m(M::liquidate { account: bob.clone(), series: 1, quantity: 1 }), Error("Margin::NotLiquidatable")),
		case("liquidate zero contracts", T(2), m(M::liquidate { account: bob.clone(), series: 1, quantity: 0 }), Error("Margin::ZeroQuantity")),
		case("liquidate a negative quantity", T(2), m(M::liquidate { account: bob.clone(), series: 1, quantity: -1 }), Error("Margin::ZeroQuantity")),
		case("liquidate the insurance fund", T(2), m(M::liquidate { account: optionchain_runtime::Margin::insurance_account(), series: 1, quantity: 1 }), Error("Margin::CannotLiquidateInsurance")),
		case("liquidate an account without a ledger entry", T(2), m(M::liquidate { account: trader_account(T7), series: 1, quantity: 1 }), Error("Margin::NotLiquidatable")),
		case("set parameters, signed", T(0), m(M::set_parameters { params: pallet_margin::MarginParameters::default() }), Error("BadOrigin")),
		case("set a maintenance rate above the initial", Sudo, m(M::set_parameters { params: margin_params }), Error("Margin::InvalidMarginRates")),
		case("fund the insurance with zero", T(0), m(M::fund_insurance { amount: 0 }), Error("Margin::ZeroAmount")),
		case("fund the insurance with more than held", T(0), m(M::fund_insurance { amount: u128::MAX }), Error("Margin::InsufficientBalance")),
		// --- options ---
		case("configure, signed", T(0), x(O::configure_underlying { underlying: BTC, config: config() }), Error("BadOrigin")),
		case("configure with a zero strike tick", Sudo, x(O::configure_underlying { underlying: BTC, config: UnderlyingConfig { strike_tick: FixedU128::zero(), ..config() } }), Error("Options::InvalidUnderlyingConfig")),
		case("configure with a zero price tick", Sudo, x(O::configure_underlying { underlying: BTC, config: UnderlyingConfig { price_tick: 0, ..config() } }), Error("Options::InvalidUnderlyingConfig")),
		case("configure with a zero contract size", Sudo, x(O::configure_underlying { underlying: BTC, config: UnderlyingConfig { contract_size: FixedU128::zero(), ..config() } }), Error("Options::InvalidUnderlyingConfig")),
		case("configure with open-interest caps zero", Sudo, x(O::configure_underlying { underlying: BTC, config: UnderlyingConfig { max_series_open_interest: 0, ..config() } }), Error("Options::InvalidUnderlyingConfig")),
		case("configure a contract so large margins overflow", Sudo, x(O::configure_underlying { underlying: BTC, config: UnderlyingConfig { contract_size: FixedU128::from_inner(u128::MAX), ..config() } }), Error("Options::SeriesTooLarge")),
		case("list, signed", T(0), x(O::list_series { underlying: BTC, strike: usd(61_000), expiry: now + hour, kind: OptionKind::Call }), Error("BadOrigin")),
		case("list a strike off the tick", Sudo, x(O::list_series { underlying: BTC, strike: usd(60_500), expiry: now + hour, kind: OptionKind::Call }), Error("Options::InvalidStrike")),
		case("list a strike of zero", Sudo, x(O::list_series { underlying: BTC, strike: FixedU128::zero(), expiry: now + hour, kind: OptionKind::Call }), Error("Options::InvalidStrike")),
		case("list an expiry in the past", Sudo, x(O::list_series { underlying: BTC, strike: usd(61_000), expiry: now - 1, kind: OptionKind::Call }), Error("Options::ExpiryInPast")),
		case("list an expiry too far", Sudo, x(O::list_series { underlying: BTC, strike: usd(61_000), expiry: now + year + hour, kind: OptionKind::Call }), Error("Options::ExpiryTooFar")),
		case("list an unconfigured underlying", Sudo, x(O::list_series { underlying: 9, strike: usd(61_000), expiry: now + hour, kind: OptionKind::Call }), Error("Options::UnderlyingNotConfigured")),
		case("list a series twice", Sudo, x(O::list_series { underlying: ETH, strike: usd(3_200), expiry: now + 168 * hour + hour / 2 - 2 * 2_000, kind: OptionKind::Call }), Error("Options::DuplicateSeries")),
		case("order at price zero", T(2), x(O::place_order { request: order(1, Side::Buy, 0, 1) }), Error("Options::InvalidPrice")),
		case("order off the price tick", T(2), x(O::place_order { request: order(1, Side::Buy, USD + 1, 1) }), Error("Options::InvalidPrice")),
		case("post-only buy at the maximum price", T(2), x(O::place_order { request: OrderRequest { post_only: true, ..order(8, Side::Buy, u128::MAX / 10_000 * 10_000, 1) } }), Error("Margin::Overflow")),
		case("order of zero contracts", T(2), x(O::place_order { request: order(1, Side::Buy, 100 * USD, 0) }), Error("Options::InvalidQuantity")),
		case("order of negative contracts", T(2), x(O::place_order { request: order(1, Side::Buy, 100 * USD, -5) }), Error("Options::InvalidQuantity")),
		case("order of the maximum contracts", T(2), x(O::place_order { request: order(1, Side::Buy, 100 * USD, i64::MAX) }), Error("Options::InvalidQuantity")),
		case("order in an unknown series", T(2), x(O::place_order { request: order(99, Side::Buy, 100 * USD, 1) }), Error("Options::UnknownSeries")),
		case("order good till a past block", T(2), x(O::place_order { request: OrderRequest { time_in_force: TimeInForce::GoodTillBlock(1), ..order(1, Side::Buy, 100 * USD, 1) } }), Error("Options::GoodTillPassed")),
		case("order good till a block too far", T(2), x(O::place_order { request: OrderRequest { time_in_force: TimeInForce::GoodTillBlock(u32::MAX), ..order(1, Side::Buy, 100 * USD, 1) } }), Error("Options::GoodTillTooFar")),
		case("order good till a past time", T(2), x(O::place_order { request: OrderRequest { time_in_force: TimeInForce::GoodTillTime(now - 1), ..order(1, Side::Buy, 100 * USD, 1) } }), Error("Options::GoodTillPassed")),
		case("post-only order that would take", T(2), x(O::place_order { request: OrderRequest { post_only: true, ..order(1, Side::Buy, 200 * USD, 1) } }), Error("Options::PostOnlyWouldTake")),
		case("reduce-only order without a position", T(2), x(O::place_order { request: OrderRequest { reduce_only: true, ..order(1, Side::Buy, 100 * USD, 1) } }), Error("Options::ReduceOnlyWouldIncrease")),
		case("order without collateral", T(T7), x(O::place_order { request: OrderRequest { post_only: true, ..order(1, Side::Sell, 500 * USD, 1) } }), Error("Options::TakerInsufficientMargin")),
		case("cancel an unknown order", T(0), x(O::cancel_order { order_id: u64::MAX }), Error("Options::UnknownOrder")),
		case("cancel someone else's order", T(2), x(O::cancel_order { order_id: bob_order }), Error("Options::UnknownOrder")),
		case("cancel all in an unknown series", T(2), x(O::cancel_all { series: Some(99) }), Error("Options::UnknownSeries")),
		case("replace an unknown order", T(0), x(O::replace_order { order_id: u64::MAX, request: order(1, Side::Buy, 100 * USD, 1) }), Error("Options::UnknownOrder")),
		case("replace someone else's order", T(2), x(O::replace_order { order_id: bob_order, request: order(1, Side::Buy, 100 * USD, 1) }), Error("Options::UnknownOrder")),
		case("replace with an invalid order", T(0), x(O::replace_order { order_id: bob_order, request: order(1, Side::Buy, 0, 1) }), Error("Options::InvalidPrice")),
		case("quote nothing", T(0), quote(vec![]), Error("Options::EmptyQuote")),
		case("quote a series twice", T(0), quote(vec![q(1, leg(100, 1), None), q(1, None, leg(200, 1))]), Error("Options::DuplicateQuoteSeries")),
		case("quote crossed", T(0), quote(vec![q(1, leg(200, 1), leg(100, 1))]), Error("Options::CrossedQuote")),
		case("quote at price zero", T(0), quote(vec![q(1, leg(0, 1), None)]), Error("Options::InvalidPrice")),
		case("quote off the tick", T(0), quote(vec![q(1, Some(QuoteLeg { price: 100 * USD + 1, quantity: 1 }), None)]), Error("Options::InvalidPrice")),
		case("quote a negative size", T(0), quote(vec![q(1, leg(100, -1), None)]), Error("Options::InvalidQuantity")),
		case("quote an unknown series", T(0), quote(vec![q(99, leg(100, 1), None)]), Error("Options::UnknownSeries")),
		case("quote beyond the collateral", T(6), quote(vec![q(1, None, leg(1_000, 10_000))]), Error("Options::QuoteInsufficientMargin")),
		case("settle a series not expired", T(2), x(O::settle_account { who: bob.clone(), series: 1 }), Error("Options::SeriesNotExpired")),
		case("settle an unknown series", T(2), x(O::settle_account { who: bob.clone(), series: 99 }), Error("Options::UnknownSeries")),
		case("expire the orders of a live series", T(2), x(O::expire_orders { series: 1, limit: 10 }), Error("Options::SeriesNotExpired")),
		case("expire the orders of an unknown series", T(2), x(O::expire_orders { series: 99, limit: 10 }), Error("Options::UnknownSeries")),
		// Declared for u32::MAX removals: more than a block holds, refused at the door.
		case("expire the maximum of orders", T(2), x(O::expire_orders { series: 0, limit: u32::MAX }), Invalid),
		case("schedule a cancel in the past", T(2), x(O::schedule_cancel { at: Some(1) }), Error("Options::CancelDeadlinePassed")),
		case("schedule a cancel too far", T(2), x(O::schedule_cancel { at: Some(u32::MAX) }), Error("Options::CancelDeadlineTooFar")),
		case("disarm a cancel never armed", T(2), x(O::schedule_cancel { at: None }), Error("Options::NoCancelScheduled")),
		case("protection on an unconfigured underlying", T(2), x(O::set_mmp { underlying: 9, limits: Some(MmpLimits { window_blocks: 10, max_contracts: 1, max_delta: FixedU128::zero(), max_vega: FixedU128::zero(), freeze_blocks: 1 }) }), Error("Options::UnderlyingNotConfigured")),
		case("protection over a window of zero", T(2), x(O::set_mmp { underlying: BTC, limits: Some(MmpLimits { window_blocks: 0, max_contracts: 1, max_delta: FixedU128::zero(), max_vega: FixedU128::zero(), freeze_blocks: 1 }) }), Error("Options::InvalidMmpLimits")),
		case("remove protection never set", T(2), x(O::set_mmp { underlying: BTC, limits: None }), Error("Options::NoMmp")),
		case("reset protection never set", T(2), x(O::reset_mmp { underlying: BTC }), Error("Options::NoMmp")),
		case("listing rule, signed", T(0), x(O::set_listing_rule { underlying: BTC, rule: Some(rule()) }), Error("BadOrigin")),
		case("listing rule of an unconfigured underlying", Sudo, x(O::set_listing_rule { underlying: 9, rule: Some(rule()) }), Error("Options::UnderlyingNotConfigured")),
		case("listing every second", Sudo, x(O::set_listing_rule { underlying: BTC, rule: Some(ListingRule { interval: 1_000, ..rule() }) }), Error("Options::ListingIntervalTooShort")),
		case("listing offset beyond the interval", Sudo, x(O::set_listing_rule { underlying: BTC, rule: Some(ListingRule { offset: 600_000, ..rule() }) }), Error("Options::ListingOffsetTooLarge")),
		case("listing zero expiries", Sudo, x(O::set_listing_rule { underlying: BTC, rule: Some(ListingRule { expiries: 0, ..rule() }) }), Error("Options::ListingExpiriesOutOfRange")),
		case("listing the maximum of strikes", Sudo, x(O::set_listing_rule { underlying: BTC, rule: Some(ListingRule { strikes_each_side: u32::MAX, ..rule() }) }), Error("Options::ListingStrikesOutOfRange")),
		case("listing a strike step off the tick", Sudo, x(O::set_listing_rule { underlying: BTC, rule: Some(ListingRule { strike_step: usd(1_500), ..rule() }) }), Error("Options::ListingStrikeStepInvalid")),
		case("listing a year of expiries", Sudo, x(O::set_listing_rule { underlying: BTC, rule: Some(ListingRule { interval: year, expiries: 2, ..rule() }) }), Error("Options::ListingHorizonTooFar")),
		case("listing with a lead beyond the horizon", Sudo, x(O::set_listing_rule { underlying: BTC, rule: Some(ListingRule { min_lead: u64::MAX, ..rule() }) }), Error("Options::ListingLeadTooLong")),
		case("volatility order at zero", T(2), x(O::place_vol_order { request: VolOrderRequest { series: 4, side: Side::Buy, volatility: FixedU128::zero(), quantity: 1, time_in_force: TimeInForce::GoodTillCancelled, reduce_only: false } }), Error("Options::InvalidVolatility")),
		case("volatility order immediate or cancel", T(2), x(O::place_vol_order { request: VolOrderRequest { series: 4, side: Side::Buy, volatility: good_vol, quantity: 1, time_in_force: TimeInForce::ImmediateOrCancel, reduce_only: false } }), Error("Options::InvalidTimeInForce")),
		case("volatility order in an unknown series", T(2), x(O::place_vol_order { request: VolOrderRequest { series: 99, side: Side::Buy, volatility: good_vol, quantity: 1, time_in_force: TimeInForce::GoodTillCancelled, reduce_only: false } }), Error("Options::UnknownSeries")),
		case("volatility order of zero contracts", T(2), x(O::place_vol_order { request: VolOrderRequest { series: 4, side: Side::Buy, volatility: good_vol, quantity: 0, time_in_force: TimeInForce::GoodTillCancelled, reduce_only: false } }), Error("Options::InvalidQuantity")),
	]
}

/// The call a case dispatches (the inner one of a `sudo`).
fn submit(h: &mut Harness, c: &Case) -> Applied {
	match c.by {
		By::Trader(i) => h.apply(traders()[usize::from(i)], c.call.clone()),
		By::Dev(k) => h.apply(Trader::Dev(k), c.call.clone()),
		By::Sudo => h.apply(
			Trader::Dev(Alice),
			RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(c.call.clone()) }),
		),
	}
}

#[test]
fn every_call_refuses_bad_input_by_name_and_changes_nothing() {
	let mut h = Harness::new();
	h.open_block(Skip::Next);
	let (number, now) = h.now();
	// One of Bob's resting orders (from the set-up's quotes).
	let bob_order = h.read(|| {
		pallet_options::Pallet::<Runtime>::api_open_orders(&Trader::Dev(Bob).account_id())
			.first()
			.map(|o| o.id)
			.expect("Bob quotes in the set-up")
	});
	let cases = cases(number, now, bob_order);
	let mut failures = Vec::new();
	let mut covered = std::collections::BTreeSet::new();
	for (i, c) in cases.iter().enumerate() {
		// A fresh block every 16 cases: the declared weights of the order calls add up.
		if i > 0 && i % 16 == 0 {
			h.close_block();
			h.open_block(Skip::Next);
		}
		covered.insert(optionchain_fuzz::call_name(&c.call));
		let a = submit(&mut h, c);
		let got = if a.included {
			match &a.error {
				Some(e) => Error(Box::leak(e.clone().into_boxed_str())),
				None => Error("(succeeded)"),
			}
		} else {
			Invalid
		};
		if got != c.expect {
			failures.push(format!("{}: expected {:?}, got {:?}", c.name, c.expect, got));
		}
		if !a.changed.is_empty() {
			failures.push(format!("{}: changed {} exchange keys", c.name, a.changed.len()));
		}
	}
	h.close_block();
	// Every call of the three pallets has a case.
	let mut all = std::collections::BTreeSet::new();
	for (pallet, names) in [
		("Oracle", pallet_oracle::Call::<Runtime>::get_call_names()),
		("Margin", pallet_margin::Call::<Runtime>::get_call_names()),
		("Options", pallet_options::Call::<Runtime>::get_call_names()),
	] {
		for n in names {
			all.insert(format!("{pallet}.{n}"));
		}
	}
	let missing: Vec<_> = all.difference(&covered).collect();
	assert!(missing.is_empty(), "calls without a bad-input case: {missing:?}");
	assert!(
		failures.is_empty(),
		"{} of {} cases:\n{}",
		failures.len(),
		cases.len(),
		failures.join("\n")
	);
}

/// Every signed call sent bare (no signature): the transaction pool refuses it
/// (`validate_transaction`). A block author may still put a bare call in its own block (FRAME's
/// `pre_dispatch` lets non-inherent bare calls through, the pool being the gate): it then fails
/// with `BadOrigin`, pays nothing and changes nothing of the exchange.
#[test]
fn every_signed_call_sent_unsigned_is_refused() {
	use sp_runtime::transaction_validity::TransactionSource;
	let mut h = Harness::new();
	h.open_block(Skip::Next);
	let (number, now) = h.now();
	let parent = h.read(frame_system::Pallet::<Runtime>::parent_hash);
	for c in cases(number, now, 0).into_iter().filter(|c| !matches!(c.by, By::Sudo)) {
		let bare = optionchain_runtime::UncheckedExtrinsic::new_bare(c.call.clone());
		let validity = h.read(|| {
			sp_io::storage::start_transaction();
			let v = optionchain_runtime::Executive::validate_transaction(
				TransactionSource::External,
				bare.clone(),
				parent,
			);
			sp_io::storage::rollback_transaction();
			v
		});
		assert!(validity.is_err(), "{}: the pool accepts it bare: {validity:?}", c.name);
		let a = h.apply_xt(c.name.into(), move |_| bare, None);
		if a.included {
			assert_eq!(a.error.as_deref(), Some("BadOrigin"), "{}: bare in a block", c.name);
			assert!(a.changed.is_empty(), "{}: bare in a block changed the exchange", c.name);
		}
	}
	h.close_block();
}

/// A sell at the maximum price on the tick (in series 8, where nobody else sells) rests (prices are not capped: nobody can pay it);
/// a buyer who takes it is refused by name (it cannot pay the premium).
#[test]
fn a_sell_at_the_maximum_price_rests_and_a_taker_is_refused_by_name() {
	let mut h = Harness::new();
	let price = u128::MAX / 10_000 * 10_000;
	h.open_block(Skip::Next);
	let a = h.apply(
		traders()[2],
		x(pallet_options::Call::place_order { request: order(8, Side::Sell, price, 1) }),
	);
	assert_eq!((a.included, a.error), (true, None));
	h.close_block();
	let dave = Trader::Dev(Dave).account_id();
	let resting = h.read(|| pallet_options::Pallet::<Runtime>::api_open_orders(&dave));
	assert!(resting.iter().any(|o| o.price == price), "the sell rests: {resting:?}");
	h.open_block(Skip::Next);
	let a = h.apply(
		traders()[0],
		x(pallet_options::Call::place_order {
			request: OrderRequest {
				time_in_force: TimeInForce::ImmediateOrCancel,
				..order(8, Side::Buy, price, 1)
			},
		}),
	);
	assert!(a.included);
	h.close_block();
	let rejected = h.read(|| {
		frame_system::Pallet::<Runtime>::events()
			.into_iter()
			.find_map(|r| match r.event {
				optionchain_runtime::RuntimeEvent::Options(
					pallet_options::Event::OrderRejected { error, .. },
				) => Some(optionchain_fuzz::error_name(&error)),
				_ => None,
			})
	});
	// The premium cannot be paid from its collateral.
	assert_eq!(rejected.as_deref(), Some("Margin::InsufficientCollateral"));
}

#[test]
fn vectors_over_their_bound_do_not_decode() {
	// `options.quote` with MaxQuoteLegs + 1 legs, and `oracle.feed` with MaxFeedEntries + 1
	// entries, encoded by hand: the call does not decode, so no node accepts the extrinsic.
	let legs: u32 = <<Runtime as pallet_options::Config>::MaxQuoteLegs as Get<u32>>::get() + 1;
	let request = QuoteRequest { series: 1, bid: leg(100, 1), ask: None };
	let mut bytes = vec![12u8, 8];
	Compact(legs).encode_to(&mut bytes);
	for _ in 0..legs {
		request.encode_to(&mut bytes);
	}
	assert!(RuntimeCall::decode(&mut &bytes[..]).is_err(), "an oversized quote decodes");
	let entries: u32 = <<Runtime as pallet_oracle::Config>::MaxFeedEntries as Get<u32>>::get() + 1;
	let entry = FeedEntry { underlying: 0, price: usd(1), volatility: usd(1) };
	let mut bytes = vec![10u8, 0];
	1u32.encode_to(&mut bytes);
	0u64.encode_to(&mut bytes);
	Compact(entries).encode_to(&mut bytes);
	for _ in 0..entries {
		entry.encode_to(&mut bytes);
	}
	assert!(RuntimeCall::decode(&mut &bytes[..]).is_err(), "an oversized feed decodes");
	// The same encodings at their bound do decode (the test builds them right).
	let mut ok = vec![12u8, 8];
	Compact(legs - 1).encode_to(&mut ok);
	for _ in 0..legs - 1 {
		request.encode_to(&mut ok);
	}
	assert!(RuntimeCall::decode(&mut &ok[..]).is_ok(), "a full quote decodes");
}

use frame_support::traits::Get;

/// Refusals that need a state the set-up does not have, played through the runtime as the
/// table's cases are (named error, nothing of the exchange changed): a healthy account that
/// holds a position is not liquidatable; after the expiry, a long settled before the shorts
/// are collected, an account with nothing, and a position settled twice; a series whose
/// settlement is stuck; a stuck settlement forced or cancelled within its grace period, forced
/// with no fed range, and forced outside the range the operators fed.
#[test]
fn refusals_in_deep_states() {
	use optionchain_fuzz::FuzzBlock;
	use optionchain_runtime::AccountId;
	let mut h = Harness::new();
	let expect = |h: &mut Harness, name: &str, by: Trader, call: RuntimeCall, error: &str| {
		let a = h.apply(by, call);
		assert!(a.included, "{name}: refused before inclusion");
		assert_eq!(a.error.as_deref(), Some(error), "{name}");
		assert!(a.changed.is_empty(), "{name}: changed {} exchange keys", a.changed.len());
	};
	let t = traders();
	let dave = t[2].account_id();
	let bob = t[0].account_id();
	// Dave buys 2 of series 1 (BTC, at the money, the set-up's first expiry) from Bob's ask.
	h.open_block(Skip::Next);
	let a = h.apply(
		t[2],
		x(pallet_options::Call::place_order { request: order(1, Side::Buy, 165 * USD, 2) }),
	);
	assert_eq!((a.included, a.error), (true, None));
	h.close_block();
	let held = h.read(|| pallet_options::Pallet::<Runtime>::api_positions(&dave));
	assert_eq!(held.iter().map(|p| (p.series, p.net)).collect::<Vec<_>>(), vec![(1, 2)]);
	h.open_block(Skip::Next);
	expect(
		&mut h,
		"liquidate a healthy account that holds a position",
		t[3],
		m(pallet_margin::Call::liquidate { account: dave.clone(), series: 1, quantity: 1 }),
		"Margin::NotLiquidatable",
	);
	h.close_block();
	let expiry = h.read(|| pallet_options::Series::<Runtime>::get(1).expect("listed").terms.expiry);
	// BTC up 2 %: the call expires in the money. Then a minute a block, fed, until the block
	// that fixes the settlement price (its `on_idle`, which settles positions, ran before).
	h.run_block(&FuzzBlock {
		skip: Skip::Next,
		feeds: vec![FeedChange::Move { underlying: 0, permille: 20 }],
		actions: vec![],
	});
	let minute = FuzzBlock { skip: Skip::Minutes(1), feeds: vec![], actions: vec![] };
	let fixed =
		|h: &mut Harness| h.read(|| pallet_oracle::SettlementPrices::<Runtime>::get(0, expiry));
	while fixed(&mut h).is_none() {
		assert!(h.now().1 < expiry + 3_600_000, "the settlement price is fixed within the hour");
		h.run_block(&minute);
	}
	// The next block's transactions, before its `on_idle` settles anybody.
	let settle =
		|who: &AccountId| x(pallet_options::Call::settle_account { who: who.clone(), series: 1 });
	h.open_block(Skip::Next);
	expect(
		&mut h,
		"settle a long before the shorts are collected",
		t[3],
		settle(&dave),
		"Options::ShortsBeingCollected",
	);
	expect(
		&mut h,
		"settle an account without a position",
		t[3],
		settle(&t[4].account_id()),
		"Options::NothingToSettle",
	);
	let a = h.apply(t[3], settle(&bob));
	assert_eq!((a.included, a.error), (true, None), "the short settles");
	expect(
		&mut h,
		"settle a position already settled",
		t[3],
		settle(&bob),
		"Options::NothingToSettle",
	);
	h.close_block();
	// Series 4 (BTC, the next day): one jump past its expiry, in whose block nobody feeds, so
	// its settlement is stuck with no fed range; the block lands within the hour after the
	// expiry, inside the grace period. Then series 8 (BTC, the next week): the same jump with
	// the operators feeding, so the range is what they fed after the expiry.
	let hour = 3_600_000u64;
	let jump_past = |h: &mut Harness, series: u32, feeds: Vec<FeedChange>| {
		let expiry =
			h.read(|| pallet_options::Series::<Runtime>::get(series).expect("listed").terms.expiry);
		let hours = u8::try_from((expiry - h.now().1) / hour + 1).expect("within ten days");
		h.run_block(&FuzzBlock { skip: Skip::Hours(hours), feeds, actions: vec![] });
		let now = h.now().1;
		assert!(now > expiry && now < expiry + hour, "{now} in the hour after {expiry}");
		let stuck = h.read(|| pallet_oracle::StuckSettlements::<Runtime>::get(0, expiry));
		(expiry, stuck.expect("stuck").range)
	};
	let sudo = |c: pallet_oracle::Call<Runtime>| {
		RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(o(c)) })
	};
	let force = |expiry: u64, price: u32| {
		sudo(pallet_oracle::Call::force_settlement_price {
			underlying: 0,
			expiry,
			price: usd(price),
		})
	};
	let cancel =
		|expiry: u64| sudo(pallet_oracle::Call::cancel_settlement { underlying: 0, expiry });
	let alice = Trader::Dev(Alice);
	let silent = (0..3).map(|operator| FeedChange::Silence { operator }).collect();
	let (day, range) = jump_past(&mut h, 4, silent);
	assert_eq!(range, None);
	h.open_block(Skip::Next);
	expect(
		&mut h,
		"settle a series whose price is stuck",
		t[3],
		x(pallet_options::Call::settle_account { who: bob.clone(), series: 4 }),
		"Options::SettlementPriceNotFixed",
	);
	expect(
		&mut h,
		"force a stuck price within the grace period",
		alice,
		force(day, 60_000),
		"Oracle::GracePeriodNotOver",
	);
	expect(
		&mut h,
		"cancel a stuck settlement within the grace period",
		alice,
		cancel(day),
		"Oracle::GracePeriodNotOver",
	);
	h.close_block();
	h.run_block(&FuzzBlock { skip: Skip::Hours(1), feeds: vec![], actions: vec![] });
	h.open_block(Skip::Next);
	expect(
		&mut h,
		"force a stuck price nobody fed around",
		alice,
		force(day, 60_000),
		"Oracle::NoFedRange",
	);
	h.close_block();
	let (week, range) = jump_past(&mut h, 8, vec![]);
	let (lo, _) = range.expect("the operators fed around the expiry");
	// Half of what they fed: outside it, however wide the dispersion allowed.
	let half = u32::try_from(lo.into_inner() / USD / 2_000_000_000_000).expect("a USD price");
	assert!(half > 20_000, "fed {range:?}");
	h.run_block(&FuzzBlock { skip: Skip::Hours(1), feeds: vec![], actions: vec![] });
	h.open_block(Skip::Next);
	expect(
		&mut h,
		"force a stuck price outside what was fed",
		alice,
		force(week, half),
		"Oracle::PriceOutsideFedRange",
	);
	h.close_block();
}
