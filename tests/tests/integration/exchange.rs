//! A whole trade through the real runtime: deposit, a price from three operators, a series
//! listed by sudo, an order matched on the book with premium and fees through the margin
//! ledger, the oracle fixing the settlement price at expiry, and cash settlement. Every number
//! is worked out by hand; the settlement asset is conserved to the unit.

use frame_support::traits::fungibles::Inspect;
use optionchain_integration_tests::{oracle_feed, Chain};
use optionchain_primitives::{
	exchange::{OptionKind, Side},
	FeedEntry, FixedU128,
};
use optionchain_runtime::{
	configs::exchange::MarginFeeAccount,
	genesis_config_presets::{BTC, DEV_USD_ENDOWMENT},
	Assets, Margin, Options, Oracle, RuntimeCall, RuntimeEvent, SETTLEMENT_ASSET_ID, USD,
};
use pallet_options::{OrderRequest, TimeInForce};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave};

fn feed_btc(chain: &mut Chain, price: u32) {
	let at = chain.next_number();
	let vol = FixedU128::from_rational(50, 100);
	let entry = FeedEntry { underlying: BTC, price: FixedU128::from_u32(price), volatility: vol };
	for op in [Alice, Bob, Charlie] {
		chain.submit(op, oracle_feed(at, vec![entry]));
	}
}

fn collateral(chain: &mut Chain, who: Sr25519Keyring) -> u128 {
	chain.read(|| Margin::api_collateral(who.to_account_id()))
}

fn check_invariants(chain: &mut Chain) {
	chain.read(|| {
		Oracle::do_try_state().expect("oracle invariants");
		Margin::do_try_state().expect("margin invariants (escrow == ledger)");
		Options::do_try_state().expect("options invariants (book sorted, totals)");
		assert_eq!(Assets::total_issuance(SETTLEMENT_ASSET_ID), 6 * DEV_USD_ENDOWMENT);
	});
}

#[test]
fn a_call_is_traded_expires_and_settles_with_exact_cash_flows() {
	let mut chain = Chain::new("development");
	chain.produce_block();

	// Bob (writer) and Charlie (buyer) deposit 100,000 USDC each; operators price BTC at 68,000.
	for who in [Bob, Charlie] {
		chain.submit(
			who,
			RuntimeCall::Margin(pallet_margin::Call::deposit { amount: 100_000 * USD }),
		);
	}
	feed_btc(&mut chain, 68_000);
	chain.produce_block();
	assert_eq!(collateral(&mut chain, Bob), 100_000 * USD);
	assert_eq!(
		chain.read(|| Assets::balance(SETTLEMENT_ASSET_ID, Bob.to_account_id())),
		DEV_USD_ENDOWMENT - 100_000 * USD
	);
	check_invariants(&mut chain);

	// Sudo lists a BTC 65,000 call expiring 20 s from now (contract size 0.1 BTC).
	let now = Chain::timestamp_of(chain.next_number());
	let expiry = now + 20_000;
	chain.submit(
		Alice,
		RuntimeCall::Sudo(pallet_sudo::Call::sudo {
			call: Box::new(RuntimeCall::Options(pallet_options::Call::list_series {
				underlying: BTC,
				strike: FixedU128::from_u32(65_000),
				expiry,
				kind: OptionKind::Call,
			})),
		}),
	);
	chain.produce_block();
	let series = chain.read(Options::api_live_series).first().expect("listed").id;

	// Bob rests a sell of 10 at 310 USDC; Charlie takes it.
	let order = |side, time_in_force| OrderRequest {
		series,
		side,
		price: 310 * USD,
		quantity: 10,
		time_in_force,
		post_only: false,
		reduce_only: false,
	};
	chain.submit(
		Bob,
		RuntimeCall::Options(pallet_options::Call::place_order {
			request: order(Side::Sell, TimeInForce::GoodTillCancelled),
		}),
	);
	chain.produce_block();
	chain.submit(
		Charlie,
		RuntimeCall::Options(pallet_options::Call::place_order {
			request: order(Side::Buy, TimeInForce::ImmediateOrCancel),
		}),
	);
	let results = chain.produce_block();
	assert_eq!(results, vec![Ok(Ok(()))]);
	let fill = chain
		.events()
		.into_iter()
		.find_map(|e| match e {
			RuntimeEvent::Options(pallet_options::Event::OrderFilled {
				premium,
				maker_fee,
				taker_fee,
				quantity,
				maker,
				taker,
				..
			}) => Some((premium, maker_fee, taker_fee, quantity, maker, taker)),
			_ => None,
		})
		.expect("a fill");
	// 10 contracts x 310 USDC; fees 0.30 USDC per contract each (below the 12.5 % cap).
	assert_eq!(
		fill,
		(3_100 * USD, 3 * USD, 3 * USD, 10, Bob.to_account_id(), Charlie.to_account_id())
	);
	assert_eq!(collateral(&mut chain, Bob), 100_000 * USD + 3_100 * USD - 3 * USD);
	assert_eq!(collateral(&mut chain, Charlie), 100_000 * USD - 3_100 * USD - 3 * USD);
	assert_eq!(chain.read(|| Margin::api_collateral(MarginFeeAccount::get())), 6 * USD);
	let bob_positions = chain.read(|| Options::api_positions(&Bob.to_account_id()));
	assert_eq!(bob_positions.iter().map(|p| p.net).collect::<Vec<_>>(), vec![-10]);
	let summary = chain
		.read(|| Margin::api_account_margin(Bob.to_account_id()))
		.expect("Bob has a margin account");
	assert!(summary.initial > summary.maintenance && summary.maintenance > 0);
	check_invariants(&mut chain);

	// Blocks pass (the price stays fresh: heartbeat 60 s) until the expiry; the oracle fixes
	// the settlement price (TWAP of a constant 68,000) and on_idle pays every position.
	while Chain::timestamp_of(chain.next_number()) < expiry + 4_000 {
		chain.produce_block();
	}
	assert_eq!(
		chain.read(|| Oracle::api_settlement_price(BTC, expiry)),
		Some(FixedU128::from_u32(68_000))
	);
	// (68,000 - 65,000) x 0.1 = 300 USDC per contract, 3,000 USDC for 10.
	for _ in 0..3 {
		chain.produce_block();
	}
	assert_eq!(collateral(&mut chain, Bob), 100_000 * USD + 3_100 * USD - 3 * USD - 3_000 * USD);
	assert_eq!(
		collateral(&mut chain, Charlie),
		100_000 * USD - 3_100 * USD - 3 * USD + 3_000 * USD
	);
	assert!(chain.read(|| Options::api_positions(&Bob.to_account_id())).is_empty());
	assert!(chain.read(|| Options::api_positions(&Charlie.to_account_id())).is_empty());
	check_invariants(&mut chain);

	// Charlie withdraws everything he holds in the margin ledger.
	let all = collateral(&mut chain, Charlie);
	chain.submit(Charlie, RuntimeCall::Margin(pallet_margin::Call::withdraw { amount: all }));
	assert_eq!(chain.produce_block(), vec![Ok(Ok(()))]);
	assert_eq!(
		chain.read(|| Assets::balance(SETTLEMENT_ASSET_ID, Charlie.to_account_id())),
		DEV_USD_ENDOWMENT - 3_100 * USD - 3 * USD + 3_000 * USD
	);
	check_invariants(&mut chain);
}

#[test]
fn a_price_move_takes_a_writer_from_healthy_to_swept_and_the_books_balance() {
	use pallet_margin::AccountState;
	let mut chain = Chain::new("development");
	chain.produce_block();
	// Bob writes with 1,000 USDC, Charlie buys with 100,000, Dave funds the insurance fund.
	chain.submit(Bob, RuntimeCall::Margin(pallet_margin::Call::deposit { amount: 1_000 * USD }));
	chain.submit(
		Charlie,
		RuntimeCall::Margin(pallet_margin::Call::deposit { amount: 100_000 * USD }),
	);
	chain.submit(
		Dave,
		RuntimeCall::Margin(pallet_margin::Call::fund_insurance { amount: 5_000 * USD }),
	);
	feed_btc(&mut chain, 60_000);
	assert_eq!(chain.produce_block(), vec![Ok(Ok(())); 6]);
	let now = Chain::timestamp_of(chain.next_number());
	chain.submit(
		Alice,
		RuntimeCall::Sudo(pallet_sudo::Call::sudo {
			call: Box::new(RuntimeCall::Options(pallet_options::Call::list_series {
				underlying: BTC,
				strike: FixedU128::from_u32(65_000),
				expiry: now + 7 * 86_400_000,
				kind: OptionKind::Call,
			})),
		}),
	);
	feed_btc(&mut chain, 60_000);
	chain.produce_block();
	let series = chain.read(Options::api_live_series).first().expect("listed").id;
	let order = |side, time_in_force| OrderRequest {
		series,
		side,
		price: 100 * USD,
		quantity: 1,
		time_in_force,
		post_only: false,
		reduce_only: false,
	};
	chain.submit(
		Bob,
		RuntimeCall::Options(pallet_options::Call::place_order {
			request: order(Side::Sell, TimeInForce::GoodTillCancelled),
		}),
	);
	feed_btc(&mut chain, 60_000);
	chain.produce_block();
	chain.submit(
		Charlie,
		RuntimeCall::Options(pallet_options::Call::place_order {
			request: order(Side::Buy, TimeInForce::ImmediateOrCancel),
		}),
	);
	feed_btc(&mut chain, 60_000);
	assert_eq!(chain.produce_block(), vec![Ok(Ok(())); 4]);
	// Premium 100, fee 0.30 each.
	assert_eq!(collateral(&mut chain, Bob), 1_099_700_000);
	let bob = Bob.to_account_id();
	let state =
		|chain: &mut Chain| chain.read(|| Margin::api_account_margin(bob.clone())).map(|m| m.state);
	assert_eq!(state(&mut chain), Some(AccountState::Healthy));
	check_invariants(&mut chain);

	// BTC rises 2,000 USD a block (3 %, inside the oracle's 10 % move limit) until the
	// keeper-less sweep takes Bob's short.
	let mut states = vec![AccountState::Healthy];
	let mut events = Vec::new();
	let mut price = 60_000;
	while chain.read(|| !Options::api_positions(&bob).is_empty()) {
		assert!(price < 80_000, "Bob was never liquidated");
		price += 2_000;
		feed_btc(&mut chain, price);
		chain.produce_block();
		events.extend(chain.events());
		if let Some(s) = state(&mut chain) {
			if states.last() != Some(&s) {
				states.push(s);
			}
		}
	}
	assert!(states.contains(&AccountState::Restricted), "a margin call came first: {states:?}");
	assert!(events.iter().any(|e| matches!(e, RuntimeEvent::Margin(pallet_margin::Event::MarginCalled { who, .. }) if *who == bob)));
	let insurance = chain.read(Margin::insurance_account);
	let value = events
		.iter()
		.find_map(|e| match e {
			RuntimeEvent::Margin(pallet_margin::Event::Liquidated {
				account,
				liquidator,
				value,
				..
			}) if *account == bob && *liquidator == insurance => Some(*value),
			_ => None,
		})
		.expect("the sweep liquidated Bob");
	let (penalty, fee) = events
		.iter()
		.find_map(|e| match e {
			RuntimeEvent::Margin(pallet_margin::Event::PenaltyCharged {
				account,
				liquidator,
				penalty,
				insurance_fee,
			}) if *account == bob && *liquidator == insurance => Some((*penalty, *insurance_fee)),
			_ => None,
		})
		.expect("caught before bankruptcy, Bob paid a penalty");
	// The fund now holds the short; Bob paid its mark value and the penalty, all to the fund.
	assert_eq!(
		chain
			.read(|| Options::api_positions(&insurance))
			.iter()
			.map(|p| p.net)
			.collect::<Vec<_>>(),
		vec![-1]
	);
	assert!(value < 0 && penalty > 0 && fee == 0);
	let paid = value.unsigned_abs() + penalty;
	assert_eq!(collateral(&mut chain, Bob), 1_099_700_000 - paid);
	assert_eq!(chain.read(Margin::insurance_fund), 5_000 * USD + paid);
	assert_eq!(chain.read(|| Margin::debt_of(&bob)), 0);
	check_invariants(&mut chain);
}
