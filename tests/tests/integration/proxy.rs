//! Trading keys (issue 17 item 4): an account adds a `Trading` proxy, which places, batches and
//! cancels orders for it and cannot withdraw or transfer its money or add proxies.

use optionchain_integration_tests::{
	expect_event,
	market::{Market, WEEK},
};
use optionchain_primitives::exchange::Side;
use optionchain_runtime::{
	configs::proxy::ProxyType, genesis_config_presets::BTC, Runtime, RuntimeCall, RuntimeEvent,
	SETTLEMENT_ASSET_ID, USD,
};
use pallet_options::{OrderRequest, TimeInForce};
use sp_keyring::Sr25519Keyring::{Bob, Dave};
use sp_runtime::{DispatchError, MultiAddress};

fn as_bob(call: RuntimeCall) -> RuntimeCall {
	RuntimeCall::Proxy(pallet_proxy::Call::proxy {
		real: MultiAddress::Id(Bob.to_account_id()),
		force_proxy_type: None,
		call: Box::new(call),
	})
}

fn bid(series: u32, usdc: u128) -> RuntimeCall {
	RuntimeCall::Options(pallet_options::Call::place_order {
		request: OrderRequest {
			series,
			side: Side::Buy,
			price: usdc * USD,
			quantity: 1,
			time_in_force: TimeInForce::GoodTillCancelled,
			post_only: true,
			reduce_only: false,
		},
	})
}

fn proxy_result(m: &Market) -> Result<(), DispatchError> {
	expect_event!(m, RuntimeEvent::Proxy(pallet_proxy::Event::ProxyExecuted { result }) => *result)
}

#[test]
fn a_trading_key_trades_for_its_owner_and_cannot_take_money_out() {
	let mut m = Market::dev();
	let call = m.list_call(BTC, 60_000, WEEK);
	m.deposit(Bob, 5_000).next_block();
	let add = pallet_proxy::Call::add_proxy {
		delegate: MultiAddress::Id(Dave.to_account_id()),
		proxy_type: ProxyType::Trading,
		delay: 0,
	};
	m.call(Bob, RuntimeCall::Proxy(add)).next_block().assert_ok();
	// Dave bids for Bob, then two more in one batch: the orders are Bob's.
	m.call(Dave, as_bob(bid(call, 10))).next_block().assert_ok();
	assert_eq!(proxy_result(&m), Ok(()));
	let batch = RuntimeCall::Utility(pallet_utility::Call::batch_all {
		calls: vec![bid(call, 11), bid(call, 12)],
	});
	m.call(Dave, as_bob(batch)).next_block().assert_ok();
	assert_eq!(proxy_result(&m), Ok(()));
	assert_eq!(m.book(call).bids.len(), 3);
	let owners = m.chain.read(|| {
		pallet_options::Books::<Runtime>::get(call, Side::Buy)
			.iter()
			.map(|o| o.owner.clone())
			.collect::<Vec<_>>()
	});
	assert_eq!(owners, vec![Bob.to_account_id(); 3]);
	// Withdrawing, transferring or adding a proxy through the trading key is filtered.
	let filtered: DispatchError =
		frame_system::Error::<optionchain_runtime::Runtime>::CallFiltered.into();
	let withdraw = RuntimeCall::Margin(pallet_margin::Call::withdraw { amount: USD });
	let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
		dest: MultiAddress::Id(Dave.to_account_id()),
		value: 1,
	});
	let usdc = RuntimeCall::Assets(pallet_assets::Call::transfer {
		id: SETTLEMENT_ASSET_ID.into(),
		target: Dave.to_account_id().into(),
		amount: USD,
	});
	let escalate = RuntimeCall::Proxy(pallet_proxy::Call::add_proxy {
		delegate: MultiAddress::Id(Dave.to_account_id()),
		proxy_type: ProxyType::Any,
		delay: 0,
	});
	let loose_batch =
		RuntimeCall::Utility(pallet_utility::Call::batch { calls: vec![bid(call, 13)] });
	for (i, call) in [withdraw, transfer, usdc, escalate, loose_batch].into_iter().enumerate() {
		m.call(Dave, as_bob(call)).next_block().assert_ok();
		assert_eq!(proxy_result(&m), Err(filtered), "call {i}");
	}
	// A filtered call inside a batch fails the batch.
	let sneaky = RuntimeCall::Utility(pallet_utility::Call::batch_all {
		calls: vec![
			bid(call, 13),
			RuntimeCall::Margin(pallet_margin::Call::withdraw { amount: USD }),
		],
	});
	m.call(Dave, as_bob(sneaky)).next_block().assert_ok();
	assert_eq!(proxy_result(&m), Err(filtered));
	assert_eq!(m.book(call).bids.len(), 3);
	assert_eq!(m.collateral(Bob), 5_000 * USD);
	// And it cancels them all.
	let cancel = RuntimeCall::Options(pallet_options::Call::cancel_all { series: None });
	m.call(Dave, as_bob(cancel)).next_block().assert_ok();
	assert_eq!(proxy_result(&m), Ok(()));
	assert!(m.book(call).bids.is_empty());
}

/// A market maker's quoting client holds only the trading key, so the dead-man's switch it
/// renews and the protection it resets must be reachable with it: both act for the owner.
#[test]
fn a_trading_key_arms_its_owners_dead_mans_switch_and_resets_its_protection() {
	let mut m = Market::dev();
	let add = pallet_proxy::Call::add_proxy {
		delegate: MultiAddress::Id(Dave.to_account_id()),
		proxy_type: ProxyType::Trading,
		delay: 0,
	};
	m.call(Bob, RuntimeCall::Proxy(add)).next_block().assert_ok();
	let at = m.chain.next_number() + 10;
	let arm = RuntimeCall::Options(pallet_options::Call::schedule_cancel { at: Some(at) });
	m.call(Dave, as_bob(arm)).next_block().assert_ok();
	assert_eq!(proxy_result(&m), Ok(()));
	expect_event!(m, RuntimeEvent::Options(pallet_options::Event::CancelScheduled { who, at: a }) => {
		assert_eq!((who, *a), (&Bob.to_account_id(), at));
	});
	// No protection was set: the owner's reset is refused with the pallet's error, not filtered.
	let reset = RuntimeCall::Options(pallet_options::Call::reset_mmp { underlying: BTC });
	m.call(Dave, as_bob(reset.clone())).next_block().assert_ok();
	assert_eq!(proxy_result(&m), Err(pallet_options::Error::<Runtime>::NoMmp.into()));
	// The key sets the owner's limits, which the owner's state then holds, and resets them.
	let limits = pallet_options::MmpLimits {
		window_blocks: 10,
		max_contracts: 50,
		max_delta: sp_runtime::FixedU128::from_inner(0),
		max_vega: sp_runtime::FixedU128::from_inner(0),
		freeze_blocks: 0,
	};
	let set = RuntimeCall::Options(pallet_options::Call::set_mmp {
		underlying: BTC,
		limits: Some(limits),
	});
	m.call(Dave, as_bob(set)).next_block().assert_ok();
	assert_eq!(proxy_result(&m), Ok(()));
	let state = m.chain.read(|| {
		optionchain_runtime::Options::api_mmp(&Bob.to_account_id(), BTC).and_then(|v| v.limits)
	});
	assert_eq!(state, Some(limits));
	m.call(Dave, as_bob(reset)).next_block().assert_ok();
	assert_eq!(proxy_result(&m), Ok(()));
	// Dave's own account has no protection: the key acted for Bob only.
	assert!(m
		.chain
		.read(|| optionchain_runtime::Options::api_mmp(&Dave.to_account_id(), BTC))
		.is_none());
}

#[test]
fn a_pure_proxy_can_only_be_a_full_one() {
	let mut m = Market::dev();
	let pure = |proxy_type| {
		RuntimeCall::Proxy(pallet_proxy::Call::create_pure { proxy_type, delay: 0, index: 0 })
	};
	m.call(Bob, pure(ProxyType::Trading)).next_block();
	m.assert_failed(0, frame_system::Error::<Runtime>::CallFiltered);
	m.call(Bob, pure(ProxyType::Any)).next_block().assert_ok();
}
