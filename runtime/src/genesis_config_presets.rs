//! Genesis presets (`sp-genesis-builder`): `development` and `local_testnet`.
//!
//! * `development`: Alice is the only Aura/GRANDPA authority and the sudo key; the well-known dev
//!   accounts hold native tokens (for fees) and the settlement asset.
//! * `local_testnet`: Alice, Bob, Charlie and Dave are authorities. GRANDPA finalizes with more
//!   than two thirds of the voters, so four is the smallest set that survives one faulty node.

use crate::{
	AccountId, AssetsConfig, BalancesConfig, OptionsConfig, OracleConfig, RuntimeGenesisConfig,
	SudoConfig, SETTLEMENT_ASSET_DECIMALS, SETTLEMENT_ASSET_ID, UNIT, USD,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::FixedU128;

/// Native tokens given to each dev account: enough for any number of fees in tests.
pub const DEV_NATIVE_ENDOWMENT: u128 = 1_000_000 * UNIT;
/// Settlement asset given to each dev account: 1,000,000 USD.
pub const DEV_USD_ENDOWMENT: u128 = 1_000_000 * USD;
/// Minimum balance of the settlement asset: one micro-dollar, so that no payout is ever dust.
pub const SETTLEMENT_ASSET_MIN_BALANCE: u128 = 1;
/// Name of the settlement asset.
pub const SETTLEMENT_ASSET_NAME: &[u8] = b"USD Coin";
/// Symbol of the settlement asset.
pub const SETTLEMENT_ASSET_SYMBOL: &[u8] = b"USDC";

fn testnet_genesis(
	initial_authorities: Vec<(AuraId, GrandpaId)>,
	endowed_accounts: Vec<AccountId>,
	root: AccountId,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed_accounts
				.iter()
				.cloned()
				.map(|k| (k, DEV_NATIVE_ENDOWMENT))
				.collect::<Vec<_>>(),
		},
		aura: pallet_aura::GenesisConfig {
			authorities: initial_authorities.iter().map(|x| x.0.clone()).collect::<Vec<_>>(),
		},
		grandpa: pallet_grandpa::GenesisConfig {
			authorities: initial_authorities.iter().map(|x| (x.1.clone(), 1)).collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: Some(root.clone()) },
		oracle: OracleConfig {
			underlyings: vec![
				(BTC, pallet_oracle::UnderlyingParams::default()),
				(ETH, pallet_oracle::UnderlyingParams::default()),
			],
			operators: oracle_operators(),
		},
		options: OptionsConfig { underlyings: vec![(BTC, btc_options()), (ETH, eth_options())] },
		assets: AssetsConfig {
			// id, owner, is_sufficient, min_balance
			assets: vec![(SETTLEMENT_ASSET_ID, root, true, SETTLEMENT_ASSET_MIN_BALANCE)],
			// id, name, symbol, decimals
			metadata: vec![(
				SETTLEMENT_ASSET_ID,
				SETTLEMENT_ASSET_NAME.to_vec(),
				SETTLEMENT_ASSET_SYMBOL.to_vec(),
				SETTLEMENT_ASSET_DECIMALS
			)],
			accounts: endowed_accounts
				.iter()
				.cloned()
				.map(|k| (SETTLEMENT_ASSET_ID, k, DEV_USD_ENDOWMENT))
				.collect::<Vec<_>>(),
		},
	})
}

/// Aura uses the sr25519 dev key, GRANDPA the ed25519 dev key of the same name (`//Alice`, ...),
/// which is what `--alice` puts in the node's keystore.
fn authority(aura: Sr25519Keyring, grandpa: Ed25519Keyring) -> (AuraId, GrandpaId) {
	(aura.public().into(), grandpa.public().into())
}

/// Oracle id of BTC in the dev presets.
pub const BTC: u32 = 0;
/// Oracle id of ETH in the dev presets.
pub const ETH: u32 = 1;

/// BTC options: strikes on a 1,000 USD grid, 0.1 BTC per contract, premiums on a 0.01 USDC
/// tick, at most 100,000 contracts open per series and 1,000,000 per underlying.
pub fn btc_options() -> pallet_options::UnderlyingConfig {
	pallet_options::UnderlyingConfig {
		strike_tick: FixedU128::from_u32(1_000),
		contract_size: FixedU128::from_rational(1, 10),
		price_tick: USD / 100,
		max_series_open_interest: 100_000,
		max_underlying_open_interest: 1_000_000,
	}
}

/// ETH options: strikes on a 50 USD grid, 1 ETH per contract, premiums on a 0.01 USDC tick.
pub fn eth_options() -> pallet_options::UnderlyingConfig {
	pallet_options::UnderlyingConfig {
		strike_tick: FixedU128::from_u32(50),
		contract_size: FixedU128::from_u32(1),
		price_tick: USD / 100,
		max_series_open_interest: 100_000,
		max_underlying_open_interest: 1_000_000,
	}
}

/// Oracle operators in the dev presets: Alice, Bob and Charlie.
pub fn oracle_operators() -> Vec<AccountId> {
	vec![
		Sr25519Keyring::Alice.to_account_id(),
		Sr25519Keyring::Bob.to_account_id(),
		Sr25519Keyring::Charlie.to_account_id(),
	]
}

/// The dev accounts endowed at genesis: Alice..Ferdie.
pub fn dev_accounts() -> Vec<AccountId> {
	[
		Sr25519Keyring::Alice,
		Sr25519Keyring::Bob,
		Sr25519Keyring::Charlie,
		Sr25519Keyring::Dave,
		Sr25519Keyring::Eve,
		Sr25519Keyring::Ferdie,
	]
	.into_iter()
	.map(|k| k.to_account_id())
	.collect()
}

/// `development`: a single authority (Alice), Alice is sudo.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// `local_testnet`: Alice, Bob, Charlie and Dave are authorities; Alice is sudo.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			authority(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			authority(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		dev_accounts(),
		Sr25519Keyring::Alice.to_account_id(),
	)
}

/// Provides the JSON representation of the preset `id`, if it exists.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialization to json is expected to work. qed.")
			.into_bytes(),
	)
}

/// The names of the available presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
