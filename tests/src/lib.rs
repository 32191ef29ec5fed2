#![doc = include_str!("../README.md")]

use codec::Encode;
use optionchain_runtime::{
	Address, Block, Executive, Header, Runtime, RuntimeCall, RuntimeEvent, RuntimeGenesisConfig,
	SignedPayload, System, TxExtension, UncheckedExtrinsic, SLOT_DURATION,
};
use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
use sp_core::H256;
use sp_io::TestExternalities;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	generic::{Digest, DigestItem, Era},
	traits::{Block as BlockT, Header as HeaderT},
	ApplyExtrinsicResult, BuildStorage,
};

pub mod market;

/// Timestamp of the first block authored in tests (ms since the unix epoch): 2026-01-01 00:00 UTC.
pub const GENESIS_TIME_MS: u64 = 1_767_225_600_000;

/// Merge the JSON `patch` into `base` (objects merged key by key, everything else replaced),
/// the way the node applies a preset to the default genesis config.
pub fn json_merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(b), serde_json::Value::Object(p)) => {
			for (k, v) in p {
				json_merge(b.entry(k).or_insert(serde_json::Value::Null), v);
			}
		},
		(b, p) => *b = p,
	}
}

/// The full genesis config of the named preset (`development`, `local_testnet`).
pub fn preset_genesis(preset: &str) -> RuntimeGenesisConfig {
	let patch = optionchain_runtime::genesis_config_presets::get_preset(&preset.into())
		.unwrap_or_else(|| panic!("preset {preset} exists"));
	let patch: serde_json::Value = serde_json::from_slice(&patch).expect("preset is JSON");
	let mut full = serde_json::to_value(RuntimeGenesisConfig::default()).expect("default is JSON");
	json_merge(&mut full, patch);
	serde_json::from_value(full).expect("preset matches the runtime genesis config")
}

/// Externalities holding the genesis state of the named preset.
pub fn new_ext(preset: &str) -> TestExternalities {
	new_ext_with_traders(preset, 0)
}

/// Native balance of each generated trader at genesis (as the development accounts').
pub const TRADER_NATIVE: u128 = 1_000_000_000_000_000_000;
/// Settlement-asset balance (units of 10^-6 USDC) of each generated trader at genesis: one
/// million USDC, as the development accounts'.
pub const TRADER_USDC: u128 = 1_000_000_000_000;

/// [`new_ext`] with `traders` generated accounts ([`Trader::Generated`] `0..traders`), each
/// holding [`TRADER_NATIVE`] and [`TRADER_USDC`].
pub fn new_ext_with_traders(preset: &str, traders: u32) -> TestExternalities {
	let mut genesis = preset_genesis(preset);
	for i in 0..traders {
		let who = Trader::Generated(i).account_id();
		genesis.balances.balances.push((who.clone(), TRADER_NATIVE));
		genesis
			.assets
			.accounts
			.push((optionchain_runtime::SETTLEMENT_ASSET_ID, who, TRADER_USDC));
	}
	let storage = genesis.build_storage().expect("genesis builds");
	TestExternalities::new(storage)
}

/// Who signs a transaction: one of the well-known development accounts (`Alice`, `Bob`, ...,
/// funded by the presets) or a generated trader `i` (secret URI `//trader<i>`, funded by
/// [`new_ext_with_traders`]). Every `who` parameter of the driver takes either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trader {
	/// A development account.
	Dev(Sr25519Keyring),
	/// Generated trader `i`.
	Generated(u32),
}

impl From<Sr25519Keyring> for Trader {
	fn from(k: Sr25519Keyring) -> Self {
		Trader::Dev(k)
	}
}

impl Trader {
	/// The signing key.
	pub fn pair(&self) -> sp_core::sr25519::Pair {
		use sp_core::Pair;
		match self {
			Trader::Dev(k) => k.pair(),
			Trader::Generated(i) => {
				sp_core::sr25519::Pair::from_string(&format!("//trader{i}"), None)
					.expect("a valid derivation path")
			},
		}
	}

	/// The account.
	pub fn account_id(&self) -> optionchain_runtime::AccountId {
		match self {
			Trader::Dev(k) => k.to_account_id(),
			Trader::Generated(_) => sp_core::Pair::public(&self.pair()).into(),
		}
	}
}

/// A chain being authored inside test externalities, block by block.
pub struct Chain {
	/// The state.
	pub ext: TestExternalities,
	/// Header of the last finalized (sealed) block, `None` at genesis.
	pub parent: Option<Header>,
	/// Blocks authored so far (to be re-executed by an importing node).
	pub blocks: Vec<Block>,
	pending: Vec<UncheckedExtrinsic>,
}

impl Chain {
	/// A chain at the genesis of `preset`.
	pub fn new(preset: &str) -> Self {
		Self::with_traders(preset, 0)
	}

	/// A chain at the genesis of `preset` plus `traders` funded generated traders.
	pub fn with_traders(preset: &str, traders: u32) -> Self {
		Chain {
			ext: new_ext_with_traders(preset, traders),
			parent: None,
			blocks: Vec::new(),
			pending: Vec::new(),
		}
	}

	/// Number of the next block.
	pub fn next_number(&self) -> u32 {
		self.parent.as_ref().map(|h| h.number + 1).unwrap_or(1)
	}

	/// Timestamp of block `n` (2 s apart).
	pub fn timestamp_of(n: u32) -> u64 {
		GENESIS_TIME_MS + u64::from(n) * SLOT_DURATION
	}

	/// Sign `call` by `who` with its current nonce and queue it for the next block.
	pub fn submit(&mut self, who: impl Into<Trader>, call: RuntimeCall) {
		let who: Trader = who.into();
		let account = who.account_id();
		let nonce_offset = self
			.pending
			.iter()
			.filter(|x| matches!(&x.preamble, sp_runtime::generic::Preamble::Signed(a, ..) if *a == Address::Id(account.clone())))
			.count() as u32;
		let xt = self.ext.execute_with(|| {
			let nonce = System::account_nonce(account.clone()) + nonce_offset;
			sign(who, call, nonce)
		});
		self.pending.push(xt);
	}

	/// Queue an already built extrinsic for the next block.
	pub fn push(&mut self, xt: UncheckedExtrinsic) {
		self.pending.push(xt);
	}

	/// Author the next block with the queued extrinsics; returns each extrinsic's result.
	/// Panics if an extrinsic is invalid (cannot be included), as block authoring would drop it.
	pub fn produce_block(&mut self) -> Vec<ApplyExtrinsicResult> {
		let results = self.author_block();
		for r in &results {
			assert!(r.is_ok(), "extrinsic is valid: {r:?}");
		}
		results
	}

	/// Author the next block with the queued extrinsics as a block author does: an extrinsic
	/// that is invalid when applied is left out of the block (its changes rolled back).
	/// Returns every queued extrinsic's result, in order.
	pub fn author_block(&mut self) -> Vec<ApplyExtrinsicResult> {
		let number = self.next_number();
		let parent_hash = self.parent.as_ref().map(|h| h.hash()).unwrap_or_else(|| {
			self.ext.execute_with(|| frame_system::BlockHash::<Runtime>::get(0))
		});
		let pending = core::mem::take(&mut self.pending);
		let header = new_header(number, parent_hash);
		let (sealed, results, extrinsics) = self.ext.execute_with(|| {
			Executive::initialize_block(&header);
			let mut extrinsics = vec![timestamp_inherent(Self::timestamp_of(number))];
			let r = Executive::apply_extrinsic(extrinsics[0].clone());
			assert!(matches!(r, Ok(Ok(()))), "timestamp inherent applies: {r:?}");
			let mut results = Vec::new();
			let mut included = Vec::new();
			for xt in pending {
				sp_io::storage::start_transaction();
				let r = Executive::apply_extrinsic(xt.clone());
				if r.is_ok() {
					sp_io::storage::commit_transaction();
					included.push(results.len());
					extrinsics.push(xt);
				} else {
					sp_io::storage::rollback_transaction();
				}
				results.push(r);
			}
			(Executive::finalize_block(), (results, included), extrinsics)
		});
		let (mut results, included) = results;
		self.ext.commit_all().expect("commit");
		self.blocks.push(Block::new(sealed.clone(), extrinsics));
		self.parent = Some(sealed);
		// An order queued by an extrinsic and rejected when matched after the block's
		// transactions is reported as that extrinsic's error (extrinsic 0 is the timestamp).
		let records = self.event_records();
		let placed: std::collections::BTreeMap<u64, usize> = records
			.iter()
			.filter_map(|(phase, e)| match (phase, e) {
				(
					frame_system::Phase::ApplyExtrinsic(x),
					RuntimeEvent::Options(pallet_options::Event::OrderPlaced { order_id, .. }),
				) => (*x as usize)
					.checked_sub(1)
					.and_then(|j| included.get(j))
					.map(|j| (*order_id, *j)),
				_ => None,
			})
			.collect();
		for (_, e) in &records {
			if let RuntimeEvent::Options(pallet_options::Event::OrderRejected {
				order_id,
				error,
				..
			}) = e
			{
				if let Some(r) = placed.get(order_id).and_then(|j| results.get_mut(*j)) {
					*r = Ok(Err(*error));
				}
			}
		}
		results
	}

	/// Events of the last block, with the phase that emitted each (an extrinsic's index, or
	/// the block's initialisation or finalisation).
	pub fn event_records(&mut self) -> Vec<(frame_system::Phase, RuntimeEvent)> {
		self.ext
			.execute_with(|| System::events().into_iter().map(|r| (r.phase, r.event)).collect())
	}

	/// Events of the last block.
	pub fn events(&mut self) -> Vec<RuntimeEvent> {
		self.ext
			.execute_with(|| System::events().into_iter().map(|r| r.event).collect())
	}

	/// Run `f` against the current state.
	pub fn read<R>(&mut self, f: impl FnOnce() -> R) -> R {
		self.ext.execute_with(f)
	}
}

/// A fresh header for block `number` carrying Aura's pre-runtime slot digest.
pub fn new_header(number: u32, parent_hash: H256) -> Header {
	let slot = Slot::from(Chain::timestamp_of(number) / SLOT_DURATION);
	let digest = Digest { logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())] };
	Header::new(number, Default::default(), Default::default(), parent_hash, digest)
}

/// The `timestamp.set` inherent (a bare extrinsic).
pub fn timestamp_inherent(now: u64) -> UncheckedExtrinsic {
	UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(pallet_timestamp::Call::set { now }))
}

/// The transaction extensions a wallet (polkadot.js) attaches, for `nonce` and no tip.
pub fn tx_extension(nonce: u32) -> TxExtension {
	tx_extension_with(nonce, 0, false)
}

/// [`tx_extension`] with a `tip` (native units) and `CheckMetadataHash` in mode `Enabled` or
/// `Disabled` (what a wallet sends unless it verifies the metadata).
pub fn tx_extension_with(nonce: u32, tip: u128, metadata_hash: bool) -> TxExtension {
	(
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(Era::Immortal),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_oracle::CheckOracleFeed::<Runtime>::new(),
		optionchain_runtime::extensions::CheckOperationalClass,
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(tip).into(),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(metadata_hash),
		frame_system::WeightReclaim::<Runtime>::new(),
	)
}

/// Sign `call` as `who` with `nonce` (must run inside externalities: the signed payload includes
/// the genesis hash and runtime versions read from state).
pub fn sign(who: impl Into<Trader>, call: RuntimeCall, nonce: u32) -> UncheckedExtrinsic {
	sign_with(who, call, tx_extension(nonce))
}

/// Sign `call` as `who` with the extensions `ext` (see [`tx_extension_with`]).
pub fn sign_with(
	who: impl Into<Trader>,
	call: RuntimeCall,
	ext: TxExtension,
) -> UncheckedExtrinsic {
	let who: Trader = who.into();
	let payload = SignedPayload::new(call.clone(), ext.clone()).expect("payload builds");
	let signature = payload.using_encoded(|bytes| sp_core::Pair::sign(&who.pair(), bytes));
	UncheckedExtrinsic::new_signed(call, Address::Id(who.account_id()), signature.into(), ext)
}

/// An oracle feed of `entries` for round `at`, observed at the round's block time: an ordinary
/// call, signed by the operator (e.g. with [`Chain::submit`]).
pub fn oracle_feed(at: u32, entries: Vec<optionchain_primitives::FeedEntry>) -> RuntimeCall {
	oracle_feed_observed(at, Chain::timestamp_of(at), entries)
}

/// [`oracle_feed`] observed at `observed_at` (ms since the Unix epoch).
pub fn oracle_feed_observed(
	at: u32,
	observed_at: u64,
	entries: Vec<optionchain_primitives::FeedEntry>,
) -> RuntimeCall {
	RuntimeCall::Oracle(pallet_oracle::Call::feed {
		at,
		observed_at,
		entries: entries.try_into().expect("within MaxFeedEntries"),
	})
}

/// Re-execute `blocks` from the genesis of `preset` as an importing node does
/// (`Executive::execute_block` checks the state root and extrinsics root of every header)
/// and return the final state root.
pub fn import_blocks(preset: &str, blocks: &[Block]) -> H256 {
	let mut ext = new_ext(preset);
	for b in blocks {
		ext.execute_with(|| Executive::execute_block(b.clone().into()));
		ext.commit_all().expect("commit");
	}
	blocks.last().map(|b| *b.header().state_root()).unwrap_or_default()
}
