//! The oracle in the real runtime: operators feed through feeless general transactions, the
//! canonical price is the median at the end of the block, non-operators are refused before
//! inclusion.

use optionchain_integration_tests::{general, oracle_feed, Chain};
use optionchain_primitives::{FeedEntry, FixedU128, PriceStatus};
use optionchain_runtime::{
	genesis_config_presets::{BTC, ETH},
	Balances, Executive, Oracle, RuntimeEvent,
};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave};
use sp_runtime::transaction_validity::{
	InvalidTransaction, TransactionSource, TransactionValidityError,
};

fn usd(n: u128) -> FixedU128 {
	FixedU128::from_u32(n as u32)
}

fn entries(btc: u128, eth: u128, vol_pct: u128) -> Vec<FeedEntry> {
	let vol = FixedU128::from_rational(vol_pct, 100);
	vec![
		FeedEntry { underlying: BTC, price: usd(btc), volatility: vol },
		FeedEntry { underlying: ETH, price: usd(eth), volatility: vol },
	]
}

#[test]
fn three_operators_feed_and_the_median_becomes_canonical() {
	let mut chain = Chain::new("development");
	chain.produce_block(); // block 1: no prices yet
	assert_eq!(chain.read(Oracle::api_underlyings), vec![BTC, ETH]);
	assert_eq!(chain.read(|| Oracle::api_index_price(BTC)), None);

	let natives: Vec<u128> = chain.read(|| {
		[Alice, Bob, Charlie]
			.map(|k| Balances::free_balance(k.to_account_id()))
			.to_vec()
	});
	let at = chain.next_number();
	let feeds = chain.read(|| {
		vec![
			oracle_feed(Alice, at, entries(100_000, 4_000, 60)),
			oracle_feed(Bob, at, entries(100_100, 4_010, 62)),
			oracle_feed(Charlie, at, entries(99_900, 3_990, 58)),
		]
	});
	for f in feeds {
		chain.push(general(f));
	}
	let results = chain.produce_block();
	assert_eq!(results, vec![Ok(Ok(())); 3]);

	let btc = chain.read(|| Oracle::api_index_price(BTC)).expect("BTC priced");
	assert_eq!(btc.price, usd(100_000), "median of 99,900 / 100,000 / 100,100");
	assert_eq!(btc.confidence, usd(100), "median absolute deviation");
	assert_eq!(btc.status, PriceStatus::Fresh);
	assert_eq!(btc.block, at);
	let eth = chain.read(|| Oracle::api_index_price(ETH)).expect("ETH priced");
	assert_eq!(eth.price, usd(4_000));
	let vol = chain.read(|| Oracle::api_volatility(BTC)).expect("BTC vol");
	assert_eq!(vol.volatility, FixedU128::from_rational(60, 100));

	// Feeds are free for operators.
	let after: Vec<u128> = chain.read(|| {
		[Alice, Bob, Charlie]
			.map(|k| Balances::free_balance(k.to_account_id()))
			.to_vec()
	});
	assert_eq!(after, natives);
	assert!(chain.events().iter().any(|e| matches!(e, RuntimeEvent::Oracle(_))));
}

#[test]
fn a_non_operator_feed_is_refused_before_it_costs_block_space() {
	let mut chain = Chain::new("development");
	chain.produce_block();
	let at = chain.next_number();
	chain.read(|| {
		let xt = general(oracle_feed(Dave, at, entries(1, 1, 1)));
		let parent = frame_system::Pallet::<optionchain_runtime::Runtime>::parent_hash();
		assert_eq!(
			Executive::validate_transaction(TransactionSource::External, xt.clone(), parent),
			Err(TransactionValidityError::Invalid(InvalidTransaction::BadSigner))
		);
	});
}

/// Issue 12: one of three operators lies (twice the price, the maximum volatility) and another
/// is silent, for 10 minutes of 2 s blocks. The canonical price and volatility never leave the
/// honest values (Alice's: 60,000 and 0.6); they go `Stale` once Charlie's last input ages out,
/// and never `Fresh` at Bob's values. Then Charlie returns and the market is live again.
#[test]
fn a_liar_and_a_silent_operator_cannot_move_the_price_for_ten_minutes() {
	let mut chain = Chain::new("development");
	chain.produce_block();
	let feed = |chain: &mut Chain, ops: &[(sp_keyring::Sr25519Keyring, u128, u128)]| {
		let at = chain.next_number();
		let feeds = chain.read(|| {
			ops.iter()
				.map(|(op, price, vol)| {
					oracle_feed(
						*op,
						at,
						vec![FeedEntry {
							underlying: BTC,
							price: usd(*price),
							volatility: FixedU128::from_rational(*vol, 100),
						}],
					)
				})
				.collect::<Vec<_>>()
		});
		for f in feeds {
			chain.push(general(f));
		}
		let results = chain.produce_block();
		assert!(results.iter().all(|r| r == &Ok(Ok(()))), "{results:?}");
	};
	feed(&mut chain, &[(Alice, 60_000, 60), (Bob, 60_000, 60), (Charlie, 60_000, 60)]);
	let honest = (usd(60_000), FixedU128::from_rational(60, 100));
	let mut stale_seen = false;
	for _ in 0..300 {
		feed(&mut chain, &[(Alice, 60_000, 60), (Bob, 120_000, 1_000)]);
		let p = chain.read(|| Oracle::api_index_price(BTC)).expect("priced");
		let v = chain.read(|| Oracle::api_volatility(BTC)).expect("priced");
		assert_eq!((p.price, v.volatility), honest, "the canonical values never move");
		assert_ne!(p.status, PriceStatus::CircuitBreaker);
		stale_seen |= p.status == PriceStatus::Stale;
		chain.read(|| Oracle::do_try_state().expect("oracle invariants"));
	}
	assert!(stale_seen, "without an agreeing majority the price goes stale");
	assert_eq!(chain.read(|| Oracle::api_index_price(BTC)).unwrap().status, PriceStatus::Stale);
	// Charlie is back: Alice and Charlie agree, Bob is outvoted; fresh again.
	feed(&mut chain, &[(Alice, 60_000, 60), (Bob, 120_000, 1_000), (Charlie, 60_100, 61)]);
	let p = chain.read(|| Oracle::api_index_price(BTC)).unwrap();
	assert_eq!((p.price, p.status), (usd(60_100), PriceStatus::Fresh));
}

/// Issue 12: every preset's quorum is a strict majority of its operators (a minority of
/// operators, lying or silent, can neither move the price nor confirm a move).
#[test]
fn every_preset_quorum_is_a_strict_majority() {
	for preset in ["development", "local_testnet"] {
		let mut chain = Chain::new(preset);
		chain.read(|| {
			let operators =
				pallet_oracle::Operators::<optionchain_runtime::Runtime>::get().len() as u32;
			assert!(operators >= 3, "{preset}: at least three operators");
			for id in Oracle::api_underlyings() {
				let p =
					pallet_oracle::Underlyings::<optionchain_runtime::Runtime>::get(id).unwrap();
				assert!(p.quorum * 2 > operators, "{preset}: quorum {} of {operators}", p.quorum);
			}
		});
	}
}
