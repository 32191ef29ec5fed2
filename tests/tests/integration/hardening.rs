//! Issue 11 through the real runtime and signed extrinsics: a cheap bid cannot block a market,
//! a fully cash-secured put survives a crash, and the sweep takes only what brings an account
//! back to its liquidation target.
//!
//! The operators feed a volatility of 10^-18 (the smallest the oracle accepts): the marks are
//! then the options' intrinsic values exactly, so every number below is worked out by hand.
//! BTC contracts are 0.1 BTC.

use frame_support::traits::fungibles::Inspect;
use optionchain_integration_tests::{oracle_feed, Chain};
use optionchain_primitives::{
	exchange::{OptionKind, SeriesId, Side},
	FeedEntry, FixedU128, PriceStatus,
};
use optionchain_runtime::{
	genesis_config_presets::{BTC, DEV_USD_ENDOWMENT},
	Assets, Margin, Options, Oracle, Runtime, RuntimeCall, RuntimeEvent, SETTLEMENT_ASSET_ID, USD,
};
use pallet_margin::{AccountState, MarginSummary};
use pallet_options::{OrderRequest, TimeInForce};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve};
use sp_runtime::{ApplyExtrinsicResult, DispatchError};

/// Queue the three operators' feeds of BTC at `price` USD for the next block.
fn feed(chain: &mut Chain, price: u32) {
	let at = chain.next_number();
	let entry = FeedEntry {
		underlying: BTC,
		price: FixedU128::from_u32(price),
		volatility: FixedU128::from_inner(1),
	};
	for op in [Alice, Bob, Charlie] {
		chain.submit(op, oracle_feed(at, vec![entry]));
	}
}

/// Produce a block with the operators' feeds at `price` and the queued calls; returns the
/// results of the queued calls (after the three feeds) and the block's events.
fn block(
	chain: &mut Chain,
	price: u32,
	calls: Vec<(Sr25519Keyring, RuntimeCall)>,
) -> (Vec<ApplyExtrinsicResult>, Vec<RuntimeEvent>) {
	// Feeds first, then the calls, as a validator orders operational and normal extrinsics.
	feed(chain, price);
	for (who, call) in calls {
		chain.submit(who, call);
	}
	let mut results = chain.produce_block();
	let calls_results = results.split_off(3);
	assert!(results.iter().all(|r| matches!(r, Ok(Ok(())))), "feeds apply: {results:?}");
	let events = chain.events();
	check_invariants(chain);
	(calls_results, events)
}

fn check_invariants(chain: &mut Chain) {
	chain.read(|| {
		Oracle::do_try_state().expect("oracle invariants");
		Margin::do_try_state().expect("margin invariants");
		Options::do_try_state().expect("options invariants");
		assert_eq!(Assets::total_issuance(SETTLEMENT_ASSET_ID), 6 * DEV_USD_ENDOWMENT);
	});
}

fn deposit(who: Sr25519Keyring, usdc: u128) -> (Sr25519Keyring, RuntimeCall) {
	(who, RuntimeCall::Margin(pallet_margin::Call::deposit { amount: usdc }))
}

fn order(
	who: Sr25519Keyring,
	series: SeriesId,
	side: Side,
	price: u128,
	quantity: i64,
	time_in_force: TimeInForce,
) -> (Sr25519Keyring, RuntimeCall) {
	let request = OrderRequest {
		series,
		side,
		price,
		quantity,
		time_in_force,
		post_only: false,
		reduce_only: false,
	};
	(who, RuntimeCall::Options(pallet_options::Call::place_order { request }))
}

/// A chain at 60,000 USD per BTC with `strike` `kind` listed for a week; returns the series.
fn market(chain: &mut Chain, strike: u32, kind: OptionKind) -> SeriesId {
	block(chain, 60_000, vec![]);
	let expiry = Chain::timestamp_of(chain.next_number()) + 7 * 86_400_000;
	let list = RuntimeCall::Options(pallet_options::Call::list_series {
		underlying: BTC,
		strike: FixedU128::from_u32(strike),
		expiry,
		kind,
	});
	let (r, _) = block(
		chain,
		60_000,
		vec![(Alice, RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(list) }))],
	);
	assert_eq!(r, vec![Ok(Ok(()))]);
	chain.read(Options::api_live_series).first().expect("listed").id
}

fn margin(chain: &mut Chain, who: Sr25519Keyring) -> MarginSummary {
	chain
		.read(|| Margin::api_account_margin(who.to_account_id()))
		.expect("in the ledger")
}

fn collateral(chain: &mut Chain, who: Sr25519Keyring) -> u128 {
	chain.read(|| Margin::api_collateral(who.to_account_id()))
}

fn failed_with(r: &ApplyExtrinsicResult) -> Option<DispatchError> {
	match r {
		Ok(Err(e)) => Some(*e),
		_ => None,
	}
}

#[test]
fn a_ten_usdc_bid_cannot_block_a_market() {
	let mut chain = Chain::new("development");
	let s = market(&mut chain, 60_000, OptionKind::Call);
	// Dave deposits 10 USDC and bids 1 contract at 10 USDC: the premium and the 0.30 maker
	// fee are reserved, 10.30 > 10: refused. (Before: the bid rested and every sell that
	// reached it failed on the maker fee, so nobody could sell below it.)
	block(&mut chain, 60_000, vec![deposit(Dave, 10 * USD), deposit(Eve, 10_000 * USD)]);
	let (r, _) = block(
		&mut chain,
		60_000,
		vec![order(Dave, s, Side::Buy, 10 * USD, 1, TimeInForce::GoodTillCancelled)],
	);
	assert_eq!(
		failed_with(&r[0]),
		Some(pallet_options::Error::<Runtime>::TakerInsufficientMargin.into())
	);
	// At 9.70 the bid and its fee fit in 10 USDC: it rests, and a seller fills it.
	// (The bid rests first: a taker fills a maker that is not warm, as Dave with no spare
	// collateral is not, only if it planned that maker's evaluation when it was submitted.)
	let (r, _) = block(
		&mut chain,
		60_000,
		vec![order(Dave, s, Side::Buy, 970 * USD / 100, 1, TimeInForce::GoodTillCancelled)],
	);
	assert_eq!(r, vec![Ok(Ok(()))]);
	let (r, events) = block(
		&mut chain,
		60_000,
		vec![order(Eve, s, Side::Sell, 970 * USD / 100, 1, TimeInForce::ImmediateOrCancel)],
	);
	assert_eq!(r, vec![Ok(Ok(()))]);
	assert!(events.iter().any(|e| matches!(
		e,
		RuntimeEvent::Options(pallet_options::Event::OrderFilled { premium, maker_fee, .. })
			if *premium == 970 * USD / 100 && *maker_fee == 300_000
	)));
	assert_eq!(collateral(&mut chain, Dave), 0);
	assert_eq!(collateral(&mut chain, Eve), 10_000 * USD + 970 * USD / 100 - 300_000);
}

#[test]
fn a_fully_cash_secured_put_survives_a_crash() {
	let mut chain = Chain::new("development");
	let s = market(&mut chain, 60_000, OptionKind::Put);
	// Bob holds the whole strike of 1 put (60,000 x 0.1 = 6,000 USDC) and sells it to
	// Charlie at 100 USDC (0.30 fee each).
	block(&mut chain, 60_000, vec![deposit(Bob, 6_000 * USD), deposit(Charlie, 10_000 * USD)]);
	let (r, _) = block(
		&mut chain,
		60_000,
		vec![
			order(Bob, s, Side::Sell, 100 * USD, 1, TimeInForce::GoodTillCancelled),
			order(Charlie, s, Side::Buy, 100 * USD, 1, TimeInForce::ImmediateOrCancel),
		],
	);
	assert_eq!(r, vec![Ok(Ok(())), Ok(Ok(()))]);
	assert_eq!(collateral(&mut chain, Bob), 6_099_700_000);
	// BTC halves. The circuit breaker holds the move for its confirmations, then releases it;
	// the sweep runs every block.
	let mut events = Vec::new();
	for _ in 0..40 {
		let (_, e) = block(&mut chain, 30_000, vec![]);
		events.extend(e);
		let p = chain.read(|| Oracle::api_index_price(BTC)).expect("priced");
		if p.status == PriceStatus::Fresh && p.price == FixedU128::from_u32(30_000) {
			break;
		}
	}
	for _ in 0..3 {
		events.extend(block(&mut chain, 30_000, vec![]).1);
	}
	assert_eq!(chain.read(|| Oracle::api_index_price(BTC)).unwrap().status, PriceStatus::Fresh);
	// Mark 30,000 x 0.1 = 3,000 owed; equity 6,099.70 - 3,000 = 3,099.70. The formula would
	// ask 0.075 x 3,000 + 3,000 = 3,225 of maintenance (liquidatable before this fix); a put
	// never needs more cash than its strike: 6,000 - 3,000 = 3,000.
	let m = margin(&mut chain, Bob);
	assert_eq!(
		(m.equity, m.initial, m.maintenance, m.state),
		(3_099_700_000, 3_000 * USD, 3_000 * USD, AccountState::Healthy)
	);
	assert!(!events
		.iter()
		.any(|e| matches!(e, RuntimeEvent::Margin(pallet_margin::Event::Liquidated { .. }))));
	let nets: Vec<_> = chain
		.read(|| Options::api_positions(&Bob.to_account_id()))
		.iter()
		.map(|p| p.net)
		.collect();
	assert_eq!(nets, vec![-1]);
}

#[test]
fn the_sweep_takes_only_what_is_needed() {
	let mut chain = Chain::new("development");
	let s = market(&mut chain, 60_000, OptionKind::Call);
	// Bob deposits 4,500 and sells 4 ATM calls to Charlie at 10 USDC (fees 0.30 each):
	// 4,500 + 40 - 1.20 = 4,538.80.
	block(&mut chain, 60_000, vec![deposit(Bob, 4_500 * USD), deposit(Charlie, 10_000 * USD)]);
	let (r, _) = block(
		&mut chain,
		60_000,
		vec![
			order(Bob, s, Side::Sell, 10 * USD, 4, TimeInForce::GoodTillCancelled),
			order(Charlie, s, Side::Buy, 10 * USD, 4, TimeInForce::ImmediateOrCancel),
		],
	);
	assert_eq!(r, vec![Ok(Ok(())), Ok(Ok(()))]);
	assert_eq!(collateral(&mut chain, Bob), 4_538_800_000);
	let fund = chain.read(Margin::insurance_fund);
	// BTC 64,000 (+6.7 %, inside the move limit): per contract mark 400, maintenance
	// 0.075 x 6,400 + 400 = 880. Equity 4,538.80 - 1,600 = 2,938.80 < 3,520: liquidatable.
	// Target 1.1 x 3,520 = 3,872: release ceil(933.20 / 1.05) = 888.761905 of maintenance,
	// i.e. 2 contracts (1 releases only 880). Before this fix the sweep took all 4.
	let mut events = Vec::new();
	for _ in 0..3 {
		events.extend(block(&mut chain, 64_000, vec![]).1);
	}
	let bob = Bob.to_account_id();
	let insurance = chain.read(Margin::insurance_account);
	let taken: Vec<_> = events
		.iter()
		.filter_map(|e| match e {
			RuntimeEvent::Margin(pallet_margin::Event::Liquidated {
				account,
				liquidator,
				quantity,
				value,
				..
			}) if *account == bob && *liquidator == insurance => Some((*quantity, *value)),
			_ => None,
		})
		.collect();
	assert_eq!(taken, vec![(2, -800 * USD as i128)]);
	// Penalty 5 % of 2 x 880 = 88, all to the fund (it is the liquidator).
	assert!(events.iter().any(|e| matches!(
		e,
		RuntimeEvent::Margin(pallet_margin::Event::PenaltyCharged { penalty, insurance_fee: 0, .. })
			if *penalty == 88 * USD
	)));
	assert!(events.iter().any(|e| matches!(
		e,
		RuntimeEvent::Margin(pallet_margin::Event::LiquidationEnded { account }) if *account == bob
	)));
	assert_eq!(collateral(&mut chain, Bob), 3_650_800_000);
	assert_eq!(chain.read(Margin::insurance_fund), fund + 888 * USD);
	let nets: Vec<_> = chain.read(|| Options::api_positions(&bob)).iter().map(|p| p.net).collect();
	assert_eq!(nets, vec![-2]);
	// Equity 3,650.80 - 800 = 2,850.80 >= 1.1 x 1,760: no longer liquidatable.
	let m = margin(&mut chain, Bob);
	assert_eq!((m.equity, m.maintenance), (2_850_800_000, 1_760 * USD));
	assert_ne!(m.state, AccountState::Liquidatable);
	let _ = chain.read(|| Assets::balance(SETTLEMENT_ASSET_ID, bob.clone()));
}
