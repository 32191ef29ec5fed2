#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`/`impl_runtime_apis` expand to large code.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod extensions;
pub mod genesis_config_presets;
pub mod weights;

use alloc::vec::Vec;
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_assets::Call as AssetsCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types, used by the node to be agnostic of the runtime's extrinsic format.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
}

impl_opaque_keys! {
	/// The session keys of a validator: one Aura key (block production), one GRANDPA key (finality).
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

/// The runtime version. Bump `spec_version` on every runtime change and `transaction_version`
/// whenever call encoding changes.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("optionchain"),
	impl_name: alloc::borrow::Cow::Borrowed("optionchain"),
	authoring_version: 1,
	spec_version: 120,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 4,
	system_version: 1,
};

/// Target block time. Trading needs short blocks: an order placed is matched in the next block,
/// so the block time bounds the latency of every trade, cancel and liquidation. See README.md for
/// what a 2 s block costs (less compute per block, more blocks to store and finalize).
pub const MILLI_SECS_PER_BLOCK: u64 = 2000;

/// Aura slot duration; equal to the block time. It cannot change after genesis.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// Blocks per minute, hour and day.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// Smallest unit of the native token (12 decimals): 1 OPT = `UNIT`.
pub const UNIT: Balance = 1_000_000_000_000;
/// 0.001 OPT.
pub const MILLI_UNIT: Balance = 1_000_000_000;
/// 0.000001 OPT.
pub const MICRO_UNIT: Balance = 1_000_000;
/// Existential deposit of the native token.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// Asset id (in pallet-assets) of the settlement asset, a USD stablecoin with 6 decimals.
pub const SETTLEMENT_ASSET_ID: AssetId = 1;
/// Decimals of the settlement asset.
pub const SETTLEMENT_ASSET_DECIMALS: u8 = 6;
/// One US dollar in settlement-asset units.
pub const USD: Balance = 1_000_000;

/// Signature type of transactions.
pub type Signature = MultiSignature;
/// Account identifier: the public key of the signature scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance of the native token and of pallet-assets assets.
pub type Balance = u128;
/// Transaction nonce.
pub type Nonce = u32;
/// Hash type.
pub type Hash = sp_core::H256;
/// Block number.
pub type BlockNumber = u32;
/// Asset identifier in pallet-assets.
pub type AssetId = u32;
/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// Signed block type.
pub type SignedBlock = generic::SignedBlock<Block>;
/// Block identifier type.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions, in order. Every extension validates before any prepares (charges),
/// so a transaction refused by one of them costs nothing.
/// - `CheckOracleFeed` admits `Oracle::feed` only from an operator with a valid feed, and gives
///   feeds their priority; it carries no bytes and passes every other call untouched.
/// - `CheckOperationalClass` (`extensions.rs`) keeps the operational class for top-level feeds
///   and the sudo key's calls: any other operational transaction (a root-only `System` call, or
///   a `Utility`, `Proxy` or `Sudo` call wrapping an operational call, sent by anybody but sudo)
///   is refused at submission; no bytes.
/// - `SkipCheckIfFeeless` skips the payment of calls whose `feeless_if` holds (an operator's
///   feed) and emits `SkipFeelessPayment::FeeSkipped`; wallets see it as the payment extension
///   it wraps (`ChargeTransactionPayment`, with its tip).
/// - `CheckMetadataHash`: signers that verify the metadata (Ledger's generic app, Polkadot
///   Vault) enable it; others send mode `Disabled` (one byte). Enabled mode needs a runtime
///   built with the `metadata-hash` feature.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_oracle::CheckOracleFeed<Runtime>,
	extensions::CheckOperationalClass,
	pallet_skip_feeless_payment::SkipCheckIfFeeless<
		Runtime,
		pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Migrations to run on the next runtime upgrade (each checks the pallet's on-chain storage
/// version, so it runs once).
#[allow(unused_parens)]
type Migrations = (
	pallet_margin::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_margin::migrations::v2::MigrateV1ToV2<Runtime>,
	pallet_margin::migrations::v3::MigrateV2ToV3<Runtime>,
	pallet_margin::migrations::v4::MigrateV3ToV4<Runtime>,
	pallet_margin::migrations::v5::MigrateV4ToV5<Runtime>,
	pallet_oracle::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_options::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_options::migrations::v2::MigrateV1ToV2<Runtime>,
	pallet_options::migrations::v3::MigrateV2ToV3<Runtime>,
	pallet_options::migrations::v4::MigrateV3ToV4<Runtime>,
	pallet_options::migrations::v5::MigrateV4ToV5<Runtime>,
);

/// Executive: dispatches to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(7)]
	pub type Assets = pallet_assets;

	#[runtime::pallet_index(8)]
	pub type Utility = pallet_utility;

	#[runtime::pallet_index(9)]
	pub type Proxy = pallet_proxy;

	#[runtime::pallet_index(10)]
	pub type Oracle = pallet_oracle;

	#[runtime::pallet_index(11)]
	pub type Margin = pallet_margin;

	#[runtime::pallet_index(12)]
	pub type Options = pallet_options;

	#[runtime::pallet_index(13)]
	pub type SkipFeelessPayment = pallet_skip_feeless_payment;
}
