//! A live chain's blocks replayed natively on a snapshot of its state (issue 20, the
//! try-runtime check): `tests/e2e/test/upgrade.test.js` upgrades a dev chain from the previous
//! release and writes the state at the upgrade's block (all key-value pairs, the new code
//! included) and every block after it, through a fill, the expiry and the settlement of two
//! series (at least ten), to the JSON file named by `OPTIONCHAIN_SNAPSHOT`;
//! this test loads the state, checks its root against the block's header, then executes each
//! block with this build's native runtime as an importing node does (first, on a copy of the
//! state, the upgrade's migrations alone, whose weight must fit in a block) (`Executive::execute_block`
//! checks the extrinsics root and the state root of every header, so native and on-chain
//! execution agree, the migrations of the first block included) and after each block runs every
//! exchange pallet's `try_state` and checks the settlement asset's supply.
//!
//! Without `OPTIONCHAIN_SNAPSHOT` there is nothing to replay (the e2e test runs it with the
//! variable set: `cargo test --workspace --test integration snapshot -- --ignored`).

use codec::Decode;
use frame_support::storage::StoragePrefixedMap;
use frame_support::traits::{
	fungibles::Inspect, GetStorageVersion, PalletInfoAccess, StorageVersion,
};
use optionchain_runtime::{
	Assets, Block, Executive, Margin, Options, Oracle, Runtime, RuntimeEvent, SETTLEMENT_ASSET_ID,
};
use sp_core::H256;
use sp_runtime::{generic::DigestItem, traits::Header as _};
use std::collections::BTreeMap;

fn unhex(s: &str) -> Vec<u8> {
	sp_core::bytes::from_hex(s).expect("a hex string")
}

#[test]
#[ignore = "replays the snapshot written by tests/e2e/test/upgrade.test.js"]
fn a_live_chain_replays_natively_with_every_invariant() {
	let Some(path) = std::env::var_os("OPTIONCHAIN_SNAPSHOT") else {
		eprintln!("OPTIONCHAIN_SNAPSHOT is not set: nothing to replay");
		return;
	};
	let json: serde_json::Value =
		serde_json::from_slice(&std::fs::read(&path).expect("the snapshot reads"))
			.expect("the snapshot is JSON");
	let mut storage = sp_core::storage::Storage::default();
	for pair in json["pairs"].as_array().expect("pairs") {
		let (k, v) = (pair[0].as_str().expect("a key"), pair[1].as_str().expect("a value"));
		storage.top.insert(unhex(k), unhex(v));
	}
	// (`TestExternalities::new` would set `:code` to nothing.)
	let code = storage
		.top
		.get(sp_core::storage::well_known_keys::CODE)
		.cloned()
		.unwrap_or_default();
	let mut copy = sp_io::TestExternalities::new_with_code(&code, storage.clone());
	let mut ext = sp_io::TestExternalities::new_with_code(&code, storage);
	let root = ext.execute_with(|| {
		H256::decode(&mut &sp_io::storage::root(sp_core::storage::StateVersion::V1)[..])
			.expect("a root")
	});

	let expected = H256::from_slice(&unhex(json["stateRoot"].as_str().expect("stateRoot")));
	assert_eq!(root, expected, "the snapshot is the whole state of its block");
	// The migrations the first block runs, on a copy of the state: within a block's weight,
	// and lossless where no migration runs: every pallet of the exchange whose storage version
	// the upgrade leaves as it is keeps each of its keys byte for byte (a pallet whose version
	// moves is checked by its migration's `pre_upgrade`/`post_upgrade` tests).
	let before = copy.execute_with(exchange_storage);
	let upgrade = copy.execute_with(Executive::execute_on_runtime_upgrade);
	let max = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
	assert!(upgrade.all_lte(max), "the upgrade's migrations weigh {upgrade:?}, more than a block");
	eprintln!("on_runtime_upgrade: {upgrade:?} of {max:?}");
	let after = copy.execute_with(exchange_storage);
	for ((name, v0, kv0), (_, v1, kv1)) in before.iter().zip(after.iter()) {
		if v0 != v1 {
			eprintln!("{name}: storage version {v0:?} -> {v1:?}, migrated");
			continue;
		}
		let changed = kv0.iter().filter(|(k, v)| kv1.get(*k) != Some(v)).count();
		let added = kv1.keys().filter(|k| !kv0.contains_key(*k)).count();
		assert_eq!(
			(changed, added),
			(0, 0),
			"{name}: no migration (storage version {v0:?}), yet keys changed or went (first \
			 number) or appeared (second)"
		);
		eprintln!("{name}: storage version {v0:?}, {} keys kept byte for byte", kv0.len());
	}
	// After the migrations, every exchange pallet's stored version is the one its code
	// declares (a layout change with its version bumped but no migration fails here), and every
	// value of the exchange's main maps decodes under the new runtime (a type changed without
	// a migration and without a version bump fails here: the byte-for-byte check above cannot
	// see it, nothing having been written).
	copy.execute_with(|| {
		for (name, on_chain, in_code) in [
			("Oracle", Oracle::on_chain_storage_version(), Oracle::in_code_storage_version()),
			("Margin", Margin::on_chain_storage_version(), Margin::in_code_storage_version()),
			("Options", Options::on_chain_storage_version(), Options::in_code_storage_version()),
		] {
			assert_eq!(on_chain, in_code, "{name}: stored version after the upgrade");
		}
		let decoded = [
			("Oracle::Underlyings", undecodable::<pallet_oracle::Underlyings<Runtime>, _>()),
			("Oracle::IndexPrices", undecodable::<pallet_oracle::IndexPrices<Runtime>, _>()),
			("Oracle::Submissions", undecodable::<pallet_oracle::Submissions<Runtime>, _>()),
			("Margin::Accounts", undecodable::<pallet_margin::Accounts<Runtime>, _>()),
			("Margin::Bands", undecodable::<pallet_margin::Bands<Runtime>, _>()),
			("Options::Series", undecodable::<pallet_options::Series<Runtime>, _>()),
			("Options::Books", undecodable::<pallet_options::Books<Runtime>, _>()),
			("Options::AccountOrders", undecodable::<pallet_options::AccountOrders<Runtime>, _>()),
			("Options::Positions", undecodable::<pallet_options::Positions<Runtime>, _>()),
		];
		for (item, (stored, bad)) in decoded {
			assert_eq!(bad, 0, "{item}: {bad} of {stored} values do not decode after the upgrade");
			eprintln!("{item}: {stored} values decode");
		}
	});
	let supply = ext.execute_with(|| Assets::total_issuance(SETTLEMENT_ASSET_ID));
	let blocks = json["blocks"].as_array().expect("blocks");
	assert!(!blocks.is_empty(), "blocks to replay");
	let (mut fills, mut paid, mut settled) = (0, 0, 0);
	for b in blocks {
		let mut block = Block::decode(&mut &unhex(b.as_str().expect("a block"))[..])
			.expect("a block of this runtime");
		// The author's seal is checked by the node, not the runtime: an importer strips it.
		block.header.digest.logs.retain(|d| !matches!(d, DigestItem::Seal(..)));
		let number = *block.header.number();
		ext.execute_with(|| Executive::execute_block(block.into()));
		ext.commit_all().expect("commit");
		ext.execute_with(|| {
			Oracle::do_try_state().unwrap_or_else(|e| panic!("#{number}: oracle: {e:?}"));
			Margin::do_try_state().unwrap_or_else(|e| panic!("#{number}: margin: {e:?}"));
			Options::do_try_state().unwrap_or_else(|e| panic!("#{number}: options: {e:?}"));
			assert_eq!(Assets::total_issuance(SETTLEMENT_ASSET_ID), supply, "#{number}: supply");
			for r in frame_system::Pallet::<Runtime>::events() {
				match r.event {
					RuntimeEvent::Options(pallet_options::Event::OrderFilled { .. }) => fills += 1,
					RuntimeEvent::Options(pallet_options::Event::PositionSettled { .. }) => {
						paid += 1
					},
					RuntimeEvent::Options(pallet_options::Event::SeriesSettled { .. }) => {
						settled += 1
					},
					_ => {},
				}
			}
		});
	}
	// What the replayed blocks did, for the e2e test to check that they traded and settled.
	println!(
		"replayed {} blocks: {fills} fills, {paid} positions settled, {settled} series settled",
		blocks.len()
	);
}

/// Each exchange pallet's name, on-chain storage version and every key-value pair under its
/// prefix.
#[allow(clippy::type_complexity)]
fn exchange_storage() -> Vec<(&'static str, StorageVersion, BTreeMap<Vec<u8>, Vec<u8>>)> {
	fn of<P: PalletInfoAccess + GetStorageVersion<InCodeStorageVersion = StorageVersion>>(
	) -> (&'static str, StorageVersion, BTreeMap<Vec<u8>, Vec<u8>>) {
		let prefix = sp_io::hashing::twox_128(P::name().as_bytes());
		let pairs = keys_under(&prefix)
			.into_iter()
			.map(|k| {
				let value = sp_io::storage::get(&k).map(|v| v.to_vec()).unwrap_or_default();
				(k, value)
			})
			.collect();
		(P::name(), P::on_chain_storage_version(), pairs)
	}
	vec![of::<Oracle>(), of::<Margin>(), of::<Options>(), of::<Assets>()]
}

/// How many values map `M` stores, and how many of them do not decode as its value type.
fn undecodable<M: StoragePrefixedMap<V>, V: codec::FullCodec>() -> (usize, usize) {
	let stored = keys_under(&M::final_prefix()).len();
	// (`iter_values` skips a value that does not decode.)
	let decoded = M::iter_values().count();
	(stored, stored.saturating_sub(decoded))
}

/// Every key of the state that starts with `prefix`, in order.
fn keys_under(prefix: &[u8]) -> Vec<Vec<u8>> {
	let mut keys = Vec::new();
	let mut key = prefix.to_vec();
	while let Some(next) = sp_io::storage::next_key(&key) {
		if !next.starts_with(prefix) {
			break;
		}
		keys.push(next.clone());
		key = next;
	}
	keys
}
