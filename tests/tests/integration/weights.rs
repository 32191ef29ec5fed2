//! Runtime configuration sanity: the worst-case weight of every exchange call fits in one
//! normal-class extrinsic of a 2 s block (a call that cannot fit could never be included).

use frame_support::dispatch::GetDispatchInfo;
use optionchain_primitives::{
	exchange::{OptionKind, Side},
	FeedEntry, FixedU128,
};
use optionchain_runtime::{configs::RuntimeBlockWeights, AccountId, RuntimeCall};
use pallet_options::{OrderRequest, TimeInForce};

fn order() -> OrderRequest {
	OrderRequest {
		series: 0,
		side: Side::Buy,
		price: 1,
		quantity: 1,
		time_in_force: TimeInForce::GoodTillCancelled,
		post_only: false,
		reduce_only: false,
	}
}

#[test]
fn every_exchange_call_fits_in_a_block() {
	let who = AccountId::new([1; 32]);
	let max_entries = 16;
	let entries: Vec<FeedEntry> = (0..max_entries)
		.map(|i| FeedEntry {
			underlying: i,
			price: FixedU128::from_u32(1),
			volatility: FixedU128::from_u32(1),
		})
		.collect();
	let calls = vec![
		RuntimeCall::Oracle(pallet_oracle::Call::feed {
			operator: who.clone(),
			at: 0,
			observed_at: 0,
			entries: entries.try_into().unwrap(),
			signature: sp_runtime::MultiSignature::Sr25519(sp_core::sr25519::Signature::from_raw(
				[0; 64],
			)),
		}),
		RuntimeCall::Margin(pallet_margin::Call::deposit { amount: 1 }),
		RuntimeCall::Margin(pallet_margin::Call::withdraw { amount: 1 }),
		RuntimeCall::Margin(pallet_margin::Call::liquidate {
			account: who.clone(),
			series: 0,
			quantity: 1,
		}),
		RuntimeCall::Options(pallet_options::Call::list_series {
			underlying: 0,
			strike: FixedU128::from_u32(1),
			expiry: 0,
			kind: OptionKind::Call,
		}),
		RuntimeCall::Options(pallet_options::Call::place_order { request: order() }),
		RuntimeCall::Options(pallet_options::Call::replace_order { order_id: 0, request: order() }),
		RuntimeCall::Options(pallet_options::Call::cancel_all { series: None }),
		RuntimeCall::Options(pallet_options::Call::settle_account { who, series: 0 }),
		// The largest quote: 32 legs, bid and ask in 16 series.
		RuntimeCall::Options(pallet_options::Call::quote {
			quotes: (0..16)
				.map(|series| {
					let leg = Some(pallet_options::QuoteLeg { price: 1, quantity: 1 });
					pallet_options::QuoteRequest { series, bid: leg, ask: leg }
				})
				.collect::<Vec<_>>()
				.try_into()
				.expect("16 requests"),
		}),
	];
	let limits = RuntimeBlockWeights::get();
	let max = limits
		.get(frame_support::dispatch::DispatchClass::Normal)
		.max_extrinsic
		.expect("normal class has a limit");
	for call in calls {
		let info = call.get_dispatch_info();
		if matches!(call, RuntimeCall::Options(pallet_options::Call::quote { .. })) {
			eprintln!(
				"quote(32 legs): {} ps; {} such calls fit the normal-class max_extrinsic",
				info.total_weight().ref_time(),
				max.ref_time() / info.total_weight().ref_time().max(1)
			);
		}
		assert!(
			info.total_weight().all_lte(max),
			"{:?} weighs {} ps, above the extrinsic limit {} ps",
			call,
			info.total_weight().ref_time(),
			max.ref_time()
		);
	}
}
