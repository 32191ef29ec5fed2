//! Foundation: the runtime built from its presets executes real signed extrinsics.

use frame_support::traits::fungibles::Inspect;
use optionchain_integration_tests::{import_blocks, preset_genesis, sign, Chain};
use optionchain_runtime::{
	genesis_config_presets::{DEV_NATIVE_ENDOWMENT, DEV_USD_ENDOWMENT},
	Assets, Aura, Balances, Executive, Grandpa, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin,
	System, SETTLEMENT_ASSET_DECIMALS, SETTLEMENT_ASSET_ID, USD,
};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave, Eve, Ferdie};
use sp_runtime::{
	traits::Header as _,
	transaction_validity::{InvalidTransaction, TransactionValidityError},
	BuildStorage, DispatchError,
};

fn usd(who: sp_keyring::Sr25519Keyring) -> u128 {
	Assets::balance(SETTLEMENT_ASSET_ID, who.to_account_id())
}

#[test]
fn development_preset_builds_the_expected_genesis() {
	let mut chain = Chain::new("development");
	chain.read(|| {
		<optionchain_runtime::AllPalletsWithSystem as frame_support::traits::IntegrityTest>::integrity_test();
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 1);
		assert_eq!(Grandpa::grandpa_authorities().len(), 1);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(Alice.to_account_id()));
		assert_eq!(Aura::slot_duration(), 2000, "2 s blocks");
		for k in [Alice, Bob, Charlie, Dave, Eve, Ferdie] {
			assert_eq!(Balances::free_balance(k.to_account_id()), DEV_NATIVE_ENDOWMENT);
			assert_eq!(usd(k), 1_000_000 * USD);
		}
		assert_eq!(DEV_USD_ENDOWMENT, 1_000_000_000_000);
		assert_eq!(Assets::total_issuance(SETTLEMENT_ASSET_ID), 6 * DEV_USD_ENDOWMENT);
		assert_eq!(
			<Assets as frame_support::traits::fungibles::metadata::Inspect<_>>::decimals(
				SETTLEMENT_ASSET_ID
			),
			SETTLEMENT_ASSET_DECIMALS
		);
		assert_eq!(SETTLEMENT_ASSET_DECIMALS, 6);
	});
}

#[test]
fn local_testnet_preset_has_four_authorities() {
	let g = preset_genesis("local_testnet");
	assert_eq!(g.aura.authorities.len(), 4);
	assert_eq!(g.grandpa.authorities.len(), 4);
	let mut ext = sp_io::TestExternalities::new(g.build_storage().unwrap());
	ext.execute_with(|| {
		assert_eq!(Grandpa::grandpa_authorities().iter().map(|(_, w)| *w).sum::<u64>(), 4);
	});
}

#[test]
fn signed_settlement_asset_transfer_moves_exact_amounts_and_charges_the_fee() {
	let mut chain = Chain::new("development");
	let alice_native = chain.read(|| Balances::free_balance(Alice.to_account_id()));
	chain.produce_block();

	let amount = 250 * USD + 1; // 250.000001 USDC
	chain.submit(
		Alice,
		RuntimeCall::Assets(pallet_assets::Call::transfer_keep_alive {
			id: SETTLEMENT_ASSET_ID.into(),
			target: Bob.to_account_id().into(),
			amount,
		}),
	);
	let results = chain.produce_block();
	assert_eq!(results, vec![Ok(Ok(()))]);

	let events = chain.events();
	assert!(events.contains(&RuntimeEvent::Assets(pallet_assets::Event::Transferred {
		asset_id: SETTLEMENT_ASSET_ID,
		from: Alice.to_account_id(),
		to: Bob.to_account_id(),
		amount,
	})));
	let fee = events
		.iter()
		.find_map(|e| match e {
			RuntimeEvent::TransactionPayment(
				pallet_transaction_payment::Event::TransactionFeePaid { who, actual_fee, tip },
			) if *who == Alice.to_account_id() => {
				assert_eq!(*tip, 0);
				Some(*actual_fee)
			},
			_ => None,
		})
		.expect("fee paid event");
	assert!(fee > 0);

	chain.read(|| {
		assert_eq!(usd(Alice), DEV_USD_ENDOWMENT - amount);
		assert_eq!(usd(Bob), DEV_USD_ENDOWMENT + amount);
		assert_eq!(Assets::total_issuance(SETTLEMENT_ASSET_ID), 6 * DEV_USD_ENDOWMENT);
		// The fee is paid in the native token, not in the settlement asset.
		assert_eq!(Balances::free_balance(Alice.to_account_id()), alice_native - fee);
		assert_eq!(System::account_nonce(Alice.to_account_id()), 1);
	});
}

#[test]
fn a_tampered_signature_is_rejected() {
	let mut chain = Chain::new("development");
	chain.produce_block();
	chain.read(|| {
		let call = RuntimeCall::Assets(pallet_assets::Call::transfer {
			id: SETTLEMENT_ASSET_ID.into(),
			target: Bob.to_account_id().into(),
			amount: USD,
		});
		let mut xt = sign(Alice, call, 0);
		// Re-sign the same payload with Charlie's key, but claim to be Alice.
		let charlie = sign(Charlie, xt.function.clone(), 0);
		if let (
			sp_runtime::generic::Preamble::Signed(_, sig, _),
			sp_runtime::generic::Preamble::Signed(_, csig, _),
		) = (&mut xt.preamble, &charlie.preamble)
		{
			*sig = csig.clone();
		}
		assert_eq!(
			Executive::apply_extrinsic(xt),
			Err(TransactionValidityError::Invalid(InvalidTransaction::BadProof))
		);
		assert_eq!(usd(Alice), DEV_USD_ENDOWMENT);
	});
}

#[test]
fn only_governance_creates_assets() {
	let mut chain = Chain::new("development");
	chain.read(|| {
		assert_eq!(
			Assets::create(
				RuntimeOrigin::signed(Bob.to_account_id()),
				7.into(),
				Bob.to_account_id().into(),
				1
			),
			Err(DispatchError::BadOrigin)
		);
		assert!(Assets::force_create(
			RuntimeOrigin::root(),
			7.into(),
			Bob.to_account_id().into(),
			true,
			1
		)
		.is_ok());
	});
}

#[test]
fn authored_blocks_re_execute_to_the_same_state_root() {
	let mut chain = Chain::new("development");
	for i in 0..3u128 {
		chain.submit(
			Bob,
			RuntimeCall::Assets(pallet_assets::Call::transfer {
				id: SETTLEMENT_ASSET_ID.into(),
				target: Dave.to_account_id().into(),
				amount: (i + 1) * USD,
			}),
		);
		chain.submit(
			Eve,
			RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
				dest: Ferdie.to_account_id().into(),
				value: 1_000,
			}),
		);
		chain.produce_block();
	}
	let authored_root = *chain.parent.as_ref().unwrap().state_root();
	let imported_root = import_blocks("development", &chain.blocks);
	assert_eq!(authored_root, imported_root);
	assert_eq!(chain.blocks.len(), 3);
	chain.read(|| assert_eq!(usd(Dave), DEV_USD_ENDOWMENT + 6 * USD));
}
