//! The seed corpus: the integration tests' scenarios written as fuzzer inputs (they run after
//! [`crate::setup`]). Each should reach its key events; `tests/replay.rs` checks that they do.

use crate::{Action, FeedChange, FuzzBlock, Gov, Ord, Skip};

fn block(actions: Vec<Action>) -> FuzzBlock {
	FuzzBlock { skip: Skip::Next, feeds: vec![], actions }
}

fn feeds(feeds: Vec<FeedChange>, actions: Vec<Action>) -> FuzzBlock {
	FuzzBlock { skip: Skip::Next, feeds, actions }
}

fn minutes(n: u8) -> FuzzBlock {
	FuzzBlock { skip: Skip::Minutes(n), feeds: vec![], actions: vec![] }
}

/// A limit order: `series`, buy or sell, whole USDC per contract, contracts, time in force.
fn ord(series: u8, buy: bool, usdc: u32, quantity: u16, tif: u8) -> Ord {
	Ord {
		series,
		buy,
		cents: usdc * 100,
		quantity,
		tif,
		ahead: 20,
		post_only: false,
		reduce_only: false,
	}
}

/// Trades in the hour's series, their expiry, the settlement window and the settlement
/// (exchange.rs: a trade settles at the averaged price).
fn trade_and_settle() -> Vec<FuzzBlock> {
	let mut b = vec![
		block(vec![
			Action::Place { who: 2, order: ord(1, true, 165, 2, 0) },
			Action::Place { who: 4, order: ord(3, false, 150, 1, 1) },
			Action::Place { who: 2, order: ord(6, true, 45, 3, 2) },
		]),
		feeds(vec![FeedChange::Move { underlying: 0, permille: 20 }], vec![]),
	];
	// 40 blocks a minute apart: through the expiry (30 minutes after the set-up) and the
	// settlement window.
	for i in 0..40 {
		let mut m = minutes(1);
		if i == 35 {
			m.actions = vec![
				Action::Settle { who: 0, account: 2, series: 1 },
				Action::Expire { who: 5, series: 0, limit: 10 },
			];
		}
		b.push(m);
	}
	b
}

/// A seller with little collateral, then the price runs: margin call, sweep, liquidation
/// (liquidation.rs).
fn margin_call_and_liquidation() -> Vec<FuzzBlock> {
	let mut b = vec![block(vec![
		Action::Place { who: 3, order: ord(1, false, 148, 8, 1) },
		Action::Place { who: 6, order: ord(4, false, 1_000, 1, 1) },
	])];
	for _ in 0..12 {
		b.push(feeds(vec![FeedChange::Move { underlying: 0, permille: 18 }], vec![]));
	}
	b.push(block(vec![
		Action::Liquidate { who: 0, victim: 3, series: 1, quantity: 2 },
		Action::Liquidate { who: 1, victim: 6, series: 4, quantity: 1 },
		Action::Withdraw { who: 3, usdc: 100 },
	]));
	b.extend((0..5).map(|_| block(vec![])));
	b
}

/// A jump that trips the circuit breaker, confirmations, and a governance release
/// (oracle.rs).
fn breaker() -> Vec<FuzzBlock> {
	vec![
		feeds(vec![FeedChange::Move { underlying: 0, permille: 300 }], vec![]),
		block(vec![Action::Place { who: 2, order: ord(1, true, 170, 1, 1) }]),
		block(vec![Action::Gov(Gov::ReleaseBreaker { underlying: 0 })]),
		feeds(vec![FeedChange::Volatility { underlying: 1, percent: 200 }], vec![]),
		block(vec![]),
		block(vec![Action::Gov(Gov::ReleaseBreaker { underlying: 1 })]),
		block(vec![Action::Place { who: 2, order: ord(1, true, 170, 1, 1) }]),
	]
}

/// The market maker's tools: protection limits that trip, quotes, a dead-man's switch, a
/// volatility order, replace and cancel (toolkit.rs, quote.rs).
fn maker_tools() -> Vec<FuzzBlock> {
	vec![
		block(vec![
			Action::SetMmp { who: 0, underlying: 0, limits: Some((10, 3, 0, 0, 2)) },
			Action::ScheduleCancel { who: 1, ahead: Some(6) },
			Action::VolOrder { who: 4, series: 4, buy: true, vol_percent: 40, quantity: 2, tif: 0 },
		]),
		block(vec![
			Action::Place { who: 2, order: ord(1, true, 165, 2, 1) },
			Action::Place { who: 4, order: ord(0, true, 560, 2, 1) },
		]),
		block(vec![
			Action::Quote {
				who: 0,
				legs: vec![(1, Some((15_000, 3)), Some((16_600, 3))), (2, None, Some((1_500, 0)))],
			},
			Action::Replace {
				who: 1,
				order: 0,
				new: Ord { post_only: true, ..ord(1, true, 149, 2, 0) },
			},
			Action::ResetMmp { who: 0, underlying: 0 },
		]),
		block(vec![
			Action::Cancel { who: 1, order: 1 },
			Action::CancelAll { who: 1, series: Some(6) },
		]),
		block(vec![]),
		block(vec![]),
		block(vec![]),
		block(vec![Action::ScheduleCancel { who: 1, ahead: None }]),
	]
}

/// Feeds that stop (stale prices refuse withdrawals and orders), a silent operator and a
/// lying one (oracle.rs, hardening.rs).
fn stale_and_outliers() -> Vec<FuzzBlock> {
	vec![
		feeds(vec![FeedChange::Pause { underlying: 0 }], vec![]),
		FuzzBlock {
			skip: Skip::Minutes(3),
			feeds: vec![FeedChange::Silence { operator: 2 }],
			actions: vec![
				Action::Withdraw { who: 0, usdc: 1_000 },
				Action::Place { who: 2, order: ord(1, true, 165, 1, 1) },
			],
		},
		feeds(
			vec![
				FeedChange::Resume { underlying: 0 },
				FeedChange::Outlier { operator: 1, underlying: 0, permille: 80 },
			],
			vec![Action::Withdraw { who: 0, usdc: 1_000 }],
		),
		feeds(vec![FeedChange::Outlier { operator: 0, underlying: 1, permille: -500 }], vec![]),
	]
}

/// Money moving outside the book: transfers, donations to the insurance fund, an ordinary
/// transfer of the native token, a listing rule (foundation.rs, examples.rs).
fn funds_and_governance() -> Vec<FuzzBlock> {
	use optionchain_primitives::FixedU128;
	let rule = pallet_options::ListingRule {
		interval: 600_000,
		offset: 0,
		expiries: 2,
		min_lead: 60_000,
		strikes_each_side: 1,
		strike_step: FixedU128::from_u32(1_000),
	};
	vec![
		block(vec![
			Action::Transfer { who: 0, to: 7, usdc: 5_000 },
			Action::Deposit { who: 7, usdc: 4_000 },
			Action::FundInsurance { who: 1, usdc: 1_000 },
			Action::Signed {
				who: 2,
				call: optionchain_runtime::RuntimeCall::Balances(
					pallet_balances::Call::transfer_keep_alive {
						dest: optionchain_runtime::Address::Id(crate::trader_account(5)),
						value: 1_000_000,
					},
				),
			},
			Action::Gov(Gov::Options(pallet_options::Call::set_listing_rule {
				underlying: 0,
				rule: Some(rule),
			})),
		]),
		block(vec![]),
		block(vec![Action::Gov(Gov::List {
			underlying: 1,
			strike_steps: -2,
			hours: 2,
			put: true,
		})]),
	]
}

/// A seller far beyond its collateral when the price gaps up through a released breaker: a
/// loss beyond its collateral (insurance, socialised), and at expiry a short that cannot pay
/// in full (settlement shortfall) (liquidation.rs, hardening.rs).
fn bankruptcy() -> Vec<FuzzBlock> {
	let mut b = vec![
		block(vec![
			Action::Place { who: 3, order: ord(1, false, 148, 4, 1) },
			Action::Place { who: 5, order: ord(0, false, 540, 1, 1) },
		]),
		feeds(vec![FeedChange::Move { underlying: 0, permille: 300 }], vec![]),
		block(vec![Action::Gov(Gov::ReleaseBreaker { underlying: 0 })]),
	];
	b.extend((0..4).map(|_| block(vec![])));
	b.push(block(vec![Action::Liquidate { who: 0, victim: 3, series: 1, quantity: 8 }]));
	// Through the expiry and the settlement window, a minute a block.
	b.extend((0..36).map(|_| minutes(1)));
	b
}

/// Every seed, by name.
pub fn all() -> Vec<(&'static str, Vec<FuzzBlock>)> {
	vec![
		("trade-and-settle", trade_and_settle()),
		("margin-call-and-liquidation", margin_call_and_liquidation()),
		("breaker", breaker()),
		("maker-tools", maker_tools()),
		("stale-and-outliers", stale_and_outliers()),
		("funds-and-governance", funds_and_governance()),
		("bankruptcy", bankruptcy()),
	]
}
