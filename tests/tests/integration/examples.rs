//! Five short tests to copy, written with the `Market` driver (see `tests/README.md`). Prices
//! are fed with a volatility of 10^-18, so marks are intrinsic values; BTC contracts are 0.1 BTC;
//! amounts in settlement units (1 USDC = 10^6). The margin call is `newcomer.rs`.

use optionchain_integration_tests::{
	expect_event,
	market::{Market, Order, DAY, WEEK},
};
use optionchain_runtime::{genesis_config_presets::BTC, Runtime, RuntimeEvent};
use sp_keyring::Sr25519Keyring::{Bob, Charlie};

/// A trade: Bob writes a call to Charlie at 100 USDC; fees 0.30 each.
#[test]
fn a_trade() {
	let mut m = Market::dev();
	let call = m.list_call(BTC, 62_000, WEEK);
	m.deposit(Bob, 1_000).deposit(Charlie, 1_000).next_block();
	m.sell(Bob, call, 1, 100).buy(Charlie, call, 1, 100).next_block();
	assert_eq!(m.positions(Bob), vec![(call, -1)]);
	assert_eq!(m.positions(Charlie), vec![(call, 1)]);
	assert_eq!((m.collateral(Bob), m.collateral(Charlie)), (1_099_700_000, 899_700_000));
	m.assert_reimports();
}

/// A liquidation by the keeper-less sweep: +10 % takes Bob below maintenance.
#[test]
fn a_liquidation_by_the_sweep() {
	let mut m = Market::dev();
	let call = m.list_call(BTC, 60_000, WEEK);
	m.deposit(Bob, 1_000).deposit(Charlie, 1_000).next_block();
	m.sell(Bob, call, 1, 100).buy(Charlie, call, 1, 100).next_block();
	// Mark 600, equity 1,099.70 - 600 = 499.70 < maintenance 495 + 600 = 1,095. The sweep (in
	// the block after the price) hands the short to the insurance fund: Bob pays 600 and the
	// penalty 5 % of 1,095 = 54.75.
	m.move_price(BTC, 10).advance_blocks(1).next_block();
	let fund = m.insurance_account();
	let penalty = expect_event!(m, RuntimeEvent::Margin(pallet_margin::Event::PenaltyCharged { liquidator, penalty, .. }) if *liquidator == fund => *penalty);
	assert_eq!(penalty, 54_750_000);
	assert!(m.positions(Bob).is_empty());
	assert_eq!(m.chain.read(|| optionchain_runtime::Options::api_positions(&fund)).len(), 1);
	assert_eq!(m.collateral(Bob), 1_099_700_000 - 600_000_000 - 54_750_000);
}

/// A settlement: the call expires 200 USDC in the money (60,000 vs 58,000, 0.1 BTC).
#[test]
fn a_settlement() {
	let mut m = Market::dev();
	let call = m.list_call(BTC, 58_000, 20_000);
	// (Writing it needs 0.15 x 6,000 + 200 = 1,100 of initial margin.)
	m.deposit(Bob, 2_000).deposit(Charlie, 1_000).next_block();
	m.sell(Bob, call, 1, 150).buy(Charlie, call, 1, 150).next_block();
	let expiry = m.expiry_of(call);
	m.advance_to(expiry + 10_000);
	assert!(m.positions(Bob).is_empty() && m.positions(Charlie).is_empty());
	assert_eq!(m.collateral(Bob), 2_000_000_000 + 149_700_000 - 200_000_000);
	assert_eq!(m.collateral(Charlie), 1_000_000_000 - 150_300_000 + 200_000_000);
}

/// A stale oracle: 60 s without feeds, and nobody can take new risk on BTC.
#[test]
fn a_stale_oracle() {
	let mut m = Market::dev();
	let call = m.list_call(BTC, 62_000, DAY);
	m.deposit(Bob, 1_000).next_block();
	m.stop_feeding(BTC).advance_blocks(31);
	m.sell(Bob, call, 1, 100).next_block();
	m.assert_failed(0, pallet_margin::Error::<optionchain_runtime::Runtime>::PriceStale);
	m.resume_feeding(BTC).advance_blocks(1);
	m.sell(Bob, call, 1, 100).next_block();
	assert!(m.last_results[0].is_ok());
}

/// Orders with options, the book, and the events: a post-only ask rests; a fill-or-kill bid
/// for more than the book holds fails by name and changes nothing; an immediate-or-cancel bid
/// takes what is there.
#[test]
fn orders_the_book_and_events() {
	let mut m = Market::dev();
	let call = m.list_call(BTC, 62_000, WEEK);
	// (Writing two needs 2 x 700 of initial margin.)
	m.deposit(Bob, 2_000).deposit(Charlie, 1_000).next_block();
	m.place(Bob, Order::sell(call, 2, 120).post_only()).next_block().assert_ok();
	let (ask, bids) = (m.book(call).asks, m.book(call).bids);
	assert_eq!((ask[0].price, ask[0].quantity, bids.len()), (120_000_000, 2, 0));
	m.place(Charlie, Order::buy(call, 3, 120).fok()).next_block();
	m.assert_failed(0, pallet_options::Error::<Runtime>::FillOrKillNotFilled);
	m.place(Charlie, Order::buy(call, 3, 120).ioc()).next_block();
	let quantity = expect_event!(m, RuntimeEvent::Options(pallet_options::Event::OrderFilled { quantity, .. }) => *quantity);
	assert_eq!(quantity, 2);
	// The unfilled contract of the IOC order is dropped: its cancellation is the last event of
	// the call's order (matched after the block's transactions). The rejected fill-or-kill
	// order had id 1: a queued order keeps its id whatever becomes of it.
	m.assert_last_event(pallet_options::Event::<Runtime>::OrderCancelled {
		order_id: 2,
		who: Charlie.to_account_id(),
		series: call,
		remaining: 1,
		reason: pallet_options::CancelReason::ImmediateOrCancelRemainder,
	});
	assert!(m.book(call).asks.is_empty());
}
