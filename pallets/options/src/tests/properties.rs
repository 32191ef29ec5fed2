//! Property test: random order sequences never panic, keep every `try_state` invariant and
//! conserve funds, and expiry + settlement afterwards pays every position exactly once. The
//! sequences include makers whose money went elsewhere (they cannot pay their fills) and
//! accounts under a margin call (only risk-reducing actions pass).

use crate::{mock::*, *};
use frame_support::traits::Hooks;
use optionchain_primitives::exchange::{MarginAccounts, OptionKind, Side};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
	Place {
		who: u64,
		series: u8,
		buy: bool,
		price: u8,
		qty: u8,
		tif: u8,
		post: bool,
		reduce: bool,
	},
	Cancel {
		who: u64,
		id: u8,
	},
	CancelAll {
		who: u64,
		series: Option<u8>,
	},
	Replace {
		who: u64,
		id: u8,
		price: u8,
		qty: u8,
	},
	/// `who` sends all but `keep` USDC of its collateral away (to an account that never trades).
	Drain {
		who: u64,
		keep: u8,
	},
	/// `who` falls under (or leaves) a margin call.
	Restrict {
		who: u64,
		on: bool,
	},
	/// The block ends (`on_idle` included) and the next starts.
	NextBlock,
}

/// Receives drained money.
const SINK: u64 = 800;

fn op() -> impl Strategy<Value = Op> {
	let who = 1u64..=5;
	prop_oneof![
		6 => (who.clone(), 0u8..2, any::<bool>(), 1u8..12, 1u8..6, 0u8..5, any::<bool>(), any::<bool>())
			.prop_map(|(who, series, buy, price, qty, tif, post, reduce)| Op::Place {
				who, series, buy, price, qty, tif, post, reduce
			}),
		2 => (who.clone(), 0u8..40).prop_map(|(who, id)| Op::Cancel { who, id }),
		1 => (who.clone(), proptest::option::of(0u8..2)).prop_map(|(who, series)| Op::CancelAll { who, series }),
		1 => (who.clone(), 0u8..40, 1u8..12, 1u8..6).prop_map(|(who, id, price, qty)| Op::Replace { who, id, price, qty }),
		1 => (who.clone(), 0u8..30).prop_map(|(who, keep)| Op::Drain { who, keep }),
		1 => (who, any::<bool>()).prop_map(|(who, on)| Op::Restrict { who, on }),
		1 => Just(Op::NextBlock),
	]
}

fn request(
	series: u32,
	buy: bool,
	price: u8,
	qty: u8,
	tif: u8,
	post: bool,
	reduce: bool,
) -> OrderRequest {
	OrderRequest {
		series,
		side: if buy { Side::Buy } else { Side::Sell },
		price: u128::from(price) * USDC,
		quantity: i64::from(qty),
		time_in_force: match tif {
			0 => TimeInForce::GoodTillCancelled,
			1 => TimeInForce::ImmediateOrCancel,
			2 => TimeInForce::FillOrKill,
			// Good till this block or the next (they pass while the flow goes on).
			t => TimeInForce::GoodTillBlock(System::block_number() as u32 + u32::from(t) - 3),
		},
		post_only: post,
		reduce_only: reduce,
	}
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
	#[test]
	fn random_order_flow_keeps_invariants(ops in proptest::collection::vec(op(), 1..60), settle_price in 55u128..66) {
		build_and_execute(|| {
			let call = list(60_000, OptionKind::Call);
			let put = list(60_000, OptionKind::Put);
			let ids = [call, put];
			for op in ops {
				let _ = match op {
					Op::Place { who, series, buy, price, qty, tif, post, reduce } =>
						place(who, request(ids[series as usize % 2], buy, price, qty, tif, post, reduce)).map(|_| ()).map_err(|e| e.error),
					Op::Cancel { who, id } => Options::cancel_order(RuntimeOrigin::signed(who), id.into()),
					Op::CancelAll { who, series } =>
						Options::cancel_all(RuntimeOrigin::signed(who), series.map(|s| ids[s as usize % 2])).map(|_| ()).map_err(|e| e.error),
					Op::Replace { who, id, price, qty } =>
						Options::replace_order(RuntimeOrigin::signed(who), id.into(), request(call, true, price, qty, 0, false, false)).map(|_| ()).map_err(|e| e.error),
					Op::Drain { who, keep } => {
						let away = MockMargin::collateral(&who).saturating_sub(u128::from(keep) * USDC);
						MockMargin::transfer(&who, &SINK, away)
					},
					Op::Restrict { who, on } => {
						MockMargin::reject_margin(who, on);
						Ok(())
					},
					Op::NextBlock => {
						next_block();
						Ok(())
					},
				};
				// (A replacement's new order may be queued: the block's transactions end.)
				end_transactions();
				Options::do_try_state().expect("invariants hold after every operation");
				assert_funds_conserved();
			}
			for who in 1..=5u64 {
				MockMargin::reject_margin(who, false);
			}
			// Expire and settle everything through on_idle and a few manual settlements.
			set_time(EXPIRY);
			optionchain_primitives::testing::MockOracle::set_settlement_price(BTC, EXPIRY, usd(settle_price * 1_000));
			let _ = Options::settle_account(RuntimeOrigin::signed(EVE), ALICE, call);
			let _ = Options::settle_account(RuntimeOrigin::signed(EVE), BOB, put);
			for _ in 0..40 {
				next_block();
				Options::do_try_state().expect("invariants hold during settlement");
			}
			assert!(crate::Series::<Test>::iter().next().is_none(), "all series settled");
			for s in ids {
				assert_eq!(Clearing::get(s), 0, "longs' receipts equal shorts' payments");
				for who in 1..=5u64 {
					assert!(SettleCalls::get((s, who)) <= 1, "paid at most once");
				}
			}
			let _ = Options::on_idle(1, frame_support::weights::Weight::MAX);
		});
	}
}
