//! The oracle in the real runtime: operators feed with ordinary signed extrinsics that are free
//! for them and operational, the canonical price is the median at the end of the block, anybody
//! else's feed is refused at submission without a fee, and feeds land when the normal class is
//! full.

use codec::Encode;
use frame_support::dispatch::{DispatchClass, GetDispatchInfo};
use optionchain_integration_tests::{
	new_header, oracle_feed, sign, sign_with, timestamp_inherent, tx_extension_with, Chain,
};
use optionchain_primitives::{FeedEntry, FixedU128, PriceStatus};
use optionchain_runtime::{
	genesis_config_presets::{BTC, ETH},
	Balances, Executive, Oracle, Runtime, RuntimeCall, RuntimeEvent, System, UNIT,
};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve};
use sp_runtime::{
	traits::{Header as _, TransactionExtension},
	transaction_validity::{
		InvalidTransaction, TransactionSource, TransactionValidityError, UnknownTransaction,
	},
	Weight,
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

/// `Executive::validate_transaction` as the pool runs it: in a throw-away storage layer (it
/// initialises the next block's number, which a node discards).
fn pool_validity(
	xt: optionchain_runtime::UncheckedExtrinsic,
) -> sp_runtime::transaction_validity::TransactionValidity {
	sp_io::storage::start_transaction();
	let parent = frame_system::Pallet::<Runtime>::parent_hash();
	let r = Executive::validate_transaction(TransactionSource::External, xt, parent);
	sp_io::storage::rollback_transaction();
	r
}

/// Free balance and nonce of `who`.
fn purse(chain: &mut Chain, who: Sr25519Keyring) -> (u128, u32) {
	chain.read(|| {
		let a = who.to_account_id();
		(Balances::free_balance(&a), System::account_nonce(&a))
	})
}

#[test]
fn three_operators_feed_and_the_median_becomes_canonical() {
	let mut chain = Chain::new("development");
	chain.produce_block(); // block 1: no prices yet
	assert_eq!(chain.read(Oracle::api_underlyings), vec![BTC, ETH]);
	assert_eq!(chain.read(|| Oracle::api_index_price(BTC)), None);

	let before: Vec<(u128, u32)> =
		[Alice, Bob, Charlie].into_iter().map(|k| purse(&mut chain, k)).collect();
	let at = chain.next_number();
	chain.submit(Alice, oracle_feed(at, entries(100_000, 4_000, 60)));
	chain.submit(Bob, oracle_feed(at, entries(100_100, 4_010, 62)));
	chain.submit(Charlie, oracle_feed(at, entries(99_900, 3_990, 58)));
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

	// Feeds are free for operators: the balance is unchanged, the nonce moves by one, and the
	// payment extension says it skipped the fee, once per feed.
	let after: Vec<(u128, u32)> =
		[Alice, Bob, Charlie].into_iter().map(|k| purse(&mut chain, k)).collect();
	for (b, a) in before.iter().zip(&after) {
		assert_eq!((a.0, a.1), (b.0, b.1 + 1));
	}
	let events = chain.events();
	let skipped = events
		.iter()
		.filter(|e| {
			matches!(
				e,
				RuntimeEvent::SkipFeelessPayment(
					pallet_skip_feeless_payment::Event::FeeSkipped { .. }
				)
			)
		})
		.count();
	assert_eq!(skipped, 3);
	let accepted = events
		.iter()
		.filter(|e| matches!(e, RuntimeEvent::Oracle(pallet_oracle::Event::FeedAccepted { .. })))
		.count();
	assert_eq!(accepted, 3);
}

#[test]
fn a_non_operator_feed_is_refused_at_submission_and_costs_nothing() {
	let mut chain = Chain::new("development");
	chain.produce_block();
	let at = chain.next_number();
	let before = purse(&mut chain, Dave);
	chain.read(|| {
		let xt = sign(Dave, oracle_feed(at, entries(1, 1, 1)), 0);
		assert_eq!(
			pool_validity(xt),
			Err(TransactionValidityError::Invalid(InvalidTransaction::BadSigner))
		);
	});
	// A block author cannot include it either: applying it is invalid, and the block is made
	// without it.
	chain.submit(Dave, oracle_feed(at, entries(1, 1, 1)));
	let results = chain.author_block();
	assert_eq!(
		results,
		vec![Err(TransactionValidityError::Invalid(InvalidTransaction::BadSigner))]
	);
	assert_eq!(chain.blocks.last().map(|b| b.extrinsics.len()), Some(1), "the timestamp only");
	assert_eq!(purse(&mut chain, Dave), before, "no fee, no nonce");
	assert_eq!(chain.read(|| Oracle::api_index_price(BTC)), None);
}

/// An operator's feed outranks any paying transaction in the pool, and is operational.
#[test]
fn feeds_go_first_in_the_pool() {
	let mut chain = Chain::new("development");
	chain.produce_block();
	let at = chain.next_number();
	chain.read(|| {
		let feed = sign(Alice, oracle_feed(at, entries(100_000, 4_000, 60)), 0);
		assert_eq!(feed.function.get_dispatch_info().class, DispatchClass::Operational);
		let feed = pool_validity(feed).expect("an operator's feed is valid");
		// A transfer with a 1 OPT tip (the tip scaled by the transfers a block holds).
		let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: Dave.to_account_id().into(),
			value: UNIT,
		});
		let tipped = sign_with(Eve, transfer, tx_extension_with(0, UNIT, false));
		let tipped = pool_validity(tipped).expect("a tipped transfer is valid");
		assert!(feed.priority > tipped.priority, "{} > {}", feed.priority, tipped.priority);
		// Priority = FeedPriority (u64::MAX / 2) + the round; tags: the nonce's and the
		// operator's round (one pending feed per operator and round).
		assert_eq!(feed.priority, u64::MAX / 2 + u64::from(at));
		assert_eq!(
			feed.provides,
			vec![
				(Alice.to_account_id(), 0u32).encode(),
				("OracleFeed", (Alice.to_account_id(), at)).encode()
			]
		);
	});
}

/// Issue 17: prices land in every block however full the normal class is. A normal extrinsic
/// fills the normal class to the last unit of weight the block allows (after the hooks'
/// reserve), a paying transfer is then refused for lack of room, and the three operators' feeds
/// still apply in the operational reserve and make the price.
#[test]
fn feeds_land_when_the_normal_class_is_full() {
	let mut chain = Chain::new("development");
	chain.produce_block();
	let number = chain.next_number();
	let parent = chain.parent.as_ref().map(|h| h.hash()).expect("block 1");
	chain.read(|| {
		Executive::initialize_block(&new_header(number, parent));
		let r = Executive::apply_extrinsic(timestamp_inherent(Chain::timestamp_of(number)));
		assert_eq!(r, Ok(Ok(())));

		// Alice is the dev chain's sudo key: remarks declared as heavy as the room left for
		// normal extrinsics (the class's limit and the block's, less each extrinsic's base
		// weight and its extensions' weights; one extrinsic is at most `max_extrinsic`).
		let limits = <Runtime as frame_system::Config>::BlockWeights::get();
		let normal = limits.get(DispatchClass::Normal);
		let filler = |w: Weight| {
			RuntimeCall::Sudo(pallet_sudo::Call::sudo_unchecked_weight {
				call: Box::new(RuntimeCall::System(frame_system::Call::remark { remark: vec![] })),
				weight: w,
			})
		};
		let extensions = tx_extension_with(0, 0, false).weight(&filler(Weight::zero())).ref_time();
		let mut nonce = 0;
		loop {
			let used = System::block_weight();
			let room = normal
				.max_total
				.expect("a normal limit")
				.saturating_sub(*used.get(DispatchClass::Normal))
				.min(limits.max_block.saturating_sub(used.total()))
				.ref_time();
			let fits = room.saturating_sub(normal.base_extrinsic.ref_time() + extensions).min(
				normal.max_extrinsic.expect("a normal extrinsic limit").ref_time() - extensions,
			);
			if fits == 0 {
				break;
			}
			let r =
				Executive::apply_extrinsic(sign(Alice, filler(Weight::from_parts(fits, 0)), nonce));
			assert!(r.is_ok(), "the filler fits: {r:?}");
			nonce += 1;
		}
		assert!(nonce >= 1);
		// Normal is full.
		let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
			dest: Dave.to_account_id().into(),
			value: UNIT,
		});
		assert_eq!(
			Executive::apply_extrinsic(sign(Eve, transfer, 0)),
			Err(TransactionValidityError::Invalid(InvalidTransaction::ExhaustsResources))
		);
		// The feeds still land.
		for (op, nonce) in [(Alice, nonce), (Bob, 0), (Charlie, 0)] {
			let r = Executive::apply_extrinsic(sign(
				op,
				oracle_feed(number, entries(100_000, 4_000, 60)),
				nonce,
			));
			assert_eq!(r, Ok(Ok(())), "{op:?}'s feed applies");
		}
		let header = Executive::finalize_block();
		assert_eq!(*header.number(), number);
		let p = Oracle::api_index_price(BTC).expect("priced");
		assert_eq!((p.price, p.status, p.block), (usd(100_000), PriceStatus::Fresh, number));
		Oracle::do_try_state().expect("oracle invariants");
	});
}

/// Review of spec 114: the operational reserve is for feeds. Any call can be operational in
/// FRAME (root-only `System` calls declare it; `Utility`, `Proxy` and `Sudo` take the class of what
/// they wrap), so without `CheckOperationalClass` anybody could pay an ordinary fee to take the
/// reserve with calls that only fail. Refused at submission unless a top-level feed or the sudo
/// key's.
/// A non-sudo `sudo_unchecked_weight` around an operational call, declaring a quarter of the
/// block: the class is its inner call's, so it would take the feeds' whole reserve.
fn reserve_grab() -> RuntimeCall {
	RuntimeCall::Sudo(pallet_sudo::Call::sudo_unchecked_weight {
		call: Box::new(RuntimeCall::System(frame_system::Call::set_heap_pages { pages: 64 })),
		weight: Weight::from_parts(500_000_000_000, 0),
	})
}

#[test]
fn the_operational_class_is_for_feeds_and_the_sudo_key() {
	let mut chain = Chain::new("development");
	chain.produce_block();
	let at = chain.next_number();
	chain.read(|| {
		let feed = oracle_feed(at, entries(100_000, 4_000, 60));
		let batch =
			RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: vec![feed.clone()] });
		let heap = RuntimeCall::System(frame_system::Call::set_heap_pages { pages: 64 });
		for call in [&batch, &heap] {
			assert_eq!(call.get_dispatch_info().class, DispatchClass::Operational);
		}
		let refused = Err(TransactionValidityError::Invalid(InvalidTransaction::Call));
		// Bob is an operator, not the sudo key: his feed in a batch is refused, his feed is not.
		assert_eq!(pool_validity(sign(Bob, batch.clone(), 0)), refused);
		assert!(pool_validity(sign(Bob, feed, 0)).is_ok());
		// A root-only call sent by an ordinary account.
		assert_eq!(pool_validity(sign(Eve, heap.clone(), 0)), refused);
		// The sudo key (Alice) may send operational calls, wrapped or not.
		let sudo_heap = RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(heap) });
		assert_eq!(sudo_heap.get_dispatch_info().class, DispatchClass::Operational);
		assert!(pool_validity(sign(Alice, sudo_heap, 0)).is_ok());
		assert!(pool_validity(sign(Alice, batch, 0)).is_ok());
		// Normal transactions are untouched.
		let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![1] });
		assert!(pool_validity(sign(Eve, remark.clone(), 0)).is_ok());
		// The cheapest way to take the whole reserve before this rule: a non-sudo
		// `sudo_unchecked_weight` declaring a quarter of the block (it would fail `RequireSudo`,
		// after taking its place and paying an ordinary fee).
		let grab = reserve_grab();
		assert_eq!(grab.get_dispatch_info().class, DispatchClass::Operational);
		assert_eq!(pool_validity(sign(Eve, grab.clone(), 0)), refused);
		// The extension's weight: one read (the sudo key) for a non-feed operational call only.
		let db = <Runtime as frame_system::Config>::DbWeight::get();
		let ext = optionchain_runtime::extensions::CheckOperationalClass;
		assert_eq!(ext.weight(&grab), db.reads(1));
		assert_eq!(ext.weight(&oracle_feed(at, entries(100_000, 4_000, 60))), Weight::zero());
		assert_eq!(ext.weight(&remark), Weight::zero());
		// A signed call in the mandatory class (an inherent's, wrapped in a proxy) is refused,
		// whoever sends it: that class has no weight limit.
		let mandatory = RuntimeCall::Proxy(pallet_proxy::Call::proxy {
			real: sp_runtime::MultiAddress::Id(Alice.to_account_id()),
			force_proxy_type: None,
			call: Box::new(RuntimeCall::Timestamp(pallet_timestamp::Call::set { now: 1 })),
		});
		assert_eq!(mandatory.get_dispatch_info().class, DispatchClass::Mandatory);
		let bad_mandatory =
			Err(TransactionValidityError::Invalid(InvalidTransaction::MandatoryValidation));
		assert_eq!(pool_validity(sign(Eve, mandatory.clone(), 0)), bad_mandatory);
		assert_eq!(pool_validity(sign(Alice, mandatory, 0)), bad_mandatory);
	});
	// In a block too: Eve's grab cannot be included, costs her nothing and uses no nonce.
	let before = purse(&mut chain, Eve);
	let xt = chain.read(|| sign(Eve, reserve_grab(), 0));
	chain.push(xt);
	let results = chain.author_block();
	assert_eq!(results, vec![Err(TransactionValidityError::Invalid(InvalidTransaction::Call))]);
	assert_eq!(purse(&mut chain, Eve), before);
	// Without a sudo key, only feeds are left in the class.
	chain.submit(Alice, RuntimeCall::Sudo(pallet_sudo::Call::remove_key {}));
	chain.produce_block();
	let at = chain.next_number();
	chain.read(|| {
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		let heap = RuntimeCall::System(frame_system::Call::set_heap_pages { pages: 64 });
		let sudo_heap = RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(heap) });
		let refused = Err(TransactionValidityError::Invalid(InvalidTransaction::Call));
		assert_eq!(pool_validity(sign(Alice, sudo_heap, 1)), refused);
		assert!(pool_validity(sign(Bob, oracle_feed(at, entries(100_000, 4_000, 60)), 0)).is_ok());
	});
}

/// `CheckMetadataHash`: a wallet that does not verify the metadata sends mode `Disabled` (every
/// test's transactions); mode `Enabled` needs a runtime built with the `metadata-hash` feature,
/// which the native test runtime is not, so it is refused, not silently accepted. (Built with
/// the runtime's `metadata-hash` feature, e.g. `--all-features`, the runtime carries a hash and
/// this test does not apply.)
#[test]
fn metadata_hash_mode_enabled_needs_a_metadata_hash_build() {
	let mut chain = Chain::new("development");
	chain.produce_block();
	chain.read(|| {
		let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![7] });
		// A signer cannot even build the payload of mode `Enabled` from this runtime: it has no
		// hash to add. An extrinsic that claims the mode anyway (signed over mode `Disabled`'s
		// payload) is refused.
		assert_eq!(
			optionchain_runtime::SignedPayload::new(remark.clone(), tx_extension_with(0, 0, true))
				.err(),
			Some(TransactionValidityError::Unknown(UnknownTransaction::CannotLookup))
		);
		let disabled = sign_with(Eve, remark.clone(), tx_extension_with(0, 0, false));
		let sp_runtime::generic::Preamble::Signed(address, signature, _) =
			disabled.preamble.clone()
		else {
			unreachable!("signed")
		};
		let enabled = optionchain_runtime::UncheckedExtrinsic::new_signed(
			remark,
			address,
			signature,
			tx_extension_with(0, 0, true),
		);
		assert_eq!(
			pool_validity(enabled),
			Err(TransactionValidityError::Unknown(UnknownTransaction::CannotLookup))
		);
		assert!(pool_validity(disabled).is_ok());
	});
	assert_eq!(optionchain_runtime::VERSION.transaction_version, 4);
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
		for (op, price, vol) in ops {
			let entry = FeedEntry {
				underlying: BTC,
				price: usd(*price),
				volatility: FixedU128::from_rational(*vol, 100),
			};
			chain.submit(*op, oracle_feed(at, vec![entry]));
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
