//! Every named error, via `assert_noop!`.

use crate::{mock::*, types::*, Error};
use frame_support::traits::Time as _;
use frame_support::{assert_noop, assert_ok};
use frame_system::RawOrigin;
use sp_arithmetic::Permill;
use sp_runtime::DispatchError;

fn root() -> RuntimeOrigin {
	RawOrigin::Root.into()
}

fn feed_at(
	operator: u64,
	at: u64,
	v: Vec<optionchain_primitives::FeedEntry>,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Oracle::feed(RuntimeOrigin::signed(operator), at, Timestamp::now(), entries(v))
}

fn btc(price: sp_arithmetic::FixedU128) -> Vec<optionchain_primitives::FeedEntry> {
	vec![entry(BTC, price, pct(50))]
}

#[test]
fn feed_errors() {
	build_and_execute(|| {
		assert_noop!(feed(ALICE, vec![]), Error::<Test>::EmptyFeed);
		assert_noop!(
			feed(ALICE, vec![entry(BTC, usd(1), pct(1)); 5]),
			Error::<Test>::TooManyEntries
		);
		assert_noop!(feed(DAVE, btc(usd(1))), Error::<Test>::NotOperator);
		assert_noop!(feed_at(ALICE, 2, btc(usd(1))), Error::<Test>::FeedFromFuture);
		assert_noop!(feed(ALICE, vec![entry(9, usd(1), pct(1))]), Error::<Test>::UnknownUnderlying);
		assert_noop!(
			feed(
				ALICE,
				vec![
					entry(BTC, usd(1), pct(1)),
					entry(ETH, usd(1), pct(1)),
					entry(BTC, usd(2), pct(1))
				]
			),
			Error::<Test>::DuplicateEntry
		);
		assert_noop!(feed(ALICE, btc(usd(0))), Error::<Test>::ZeroPrice);
		assert_noop!(feed(ALICE, btc(usd(10_000_001))), Error::<Test>::PriceOutOfBounds);
		assert_noop!(feed(ALICE, vec![entry(BTC, usd(1), pct(0))]), Error::<Test>::ZeroVolatility);
		assert_noop!(
			feed(ALICE, vec![entry(BTC, usd(1), usd(11))]),
			Error::<Test>::VolatilityOutOfBounds
		);
		// Only a signed origin feeds (a general transaction, unsigned or root has no operator).
		for origin in [RuntimeOrigin::none(), root(), RawOrigin::Authorized.into()] {
			assert_noop!(
				Oracle::feed(origin, 1, T0, entries(btc(usd(1)))),
				DispatchError::BadOrigin
			);
		}
		// MaxFeedAge = 12 s, either way.
		assert_noop!(feed_observed(ALICE, T0 - 12_001, btc(usd(1))), Error::<Test>::FeedTooOld);
		assert_noop!(
			feed_observed(ALICE, T0 + 12_001, btc(usd(1))),
			Error::<Test>::ObservedInFuture
		);

		// Duplicate in the same block, then replay of the same round in a later block.
		assert_ok!(feed(ALICE, btc(usd(100))));
		assert_noop!(feed(ALICE, btc(usd(101))), Error::<Test>::AlreadySubmitted);
		next_block();
		assert_noop!(feed_at(ALICE, 1, btc(usd(100))), Error::<Test>::FeedReplayed);
		// Round 2 is fine in block 2; in block 8 a round-2 feed is 6 > 5 blocks old.
		for _ in 2..8 {
			next_block();
		}
		assert_noop!(feed_at(BOB, 2, btc(usd(100))), Error::<Test>::FeedExpired);
		assert_ok!(feed_at(BOB, 3, btc(usd(100))));
	});
}

#[test]
fn governance_errors() {
	build_and_execute(|| {
		let p = params();
		assert_noop!(
			Oracle::register_underlying(RuntimeOrigin::signed(ALICE), 7, p),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Oracle::register_underlying(root(), BTC, p),
			Error::<Test>::UnderlyingAlreadyRegistered
		);
		let bad = |f: fn(&mut UnderlyingParams)| {
			let mut q = params();
			f(&mut q);
			q
		};
		let cases: Vec<(UnderlyingParams, DispatchError)> = vec![
			(bad(|q| q.quorum = 0), Error::<Test>::InvalidQuorum.into()),
			(bad(|q| q.quorum = 6), Error::<Test>::InvalidQuorum.into()),
			// 3 operators: 1 is not a strict majority, 4 is unreachable.
			(bad(|q| q.quorum = 1), Error::<Test>::QuorumNotMajority.into()),
			(bad(|q| q.quorum = 4), Error::<Test>::QuorumNotMajority.into()),
			(bad(|q| q.heartbeat = 0), Error::<Test>::InvalidHeartbeat.into()),
			(bad(|q| q.heartbeat = MAX_HEARTBEAT + 1), Error::<Test>::InvalidHeartbeat.into()),
			(
				bad(|q| q.max_dispersion = Permill::zero()),
				Error::<Test>::InvalidMaxDispersion.into(),
			),
			(
				bad(|q| q.max_dispersion = Permill::from_percent(51)),
				Error::<Test>::InvalidMaxDispersion.into(),
			),
			(
				bad(|q| q.max_volatility_dispersion = Permill::zero()),
				Error::<Test>::InvalidMaxDispersion.into(),
			),
			(
				bad(|q| q.max_volatility_move = Permill::zero()),
				Error::<Test>::InvalidMaxVolatilityMove.into(),
			),
			// The mock keeps (320 - 2 - 2) x 6 s of history: a longer window is refused.
			(
				bad(|q| q.settlement_window = 316 * 6_000 + 1),
				Error::<Test>::InvalidSettlementWindow.into(),
			),
			(bad(|q| q.max_move = Permill::zero()), Error::<Test>::InvalidMaxMove.into()),
			(bad(|q| q.confirmations = 1), Error::<Test>::InvalidConfirmations.into()),
			(bad(|q| q.settlement_window = 0), Error::<Test>::InvalidSettlementWindow.into()),
			(
				bad(|q| q.settlement_window = MAX_WINDOW + 1),
				Error::<Test>::InvalidSettlementWindow.into(),
			),
			(bad(|q| q.max_price = usd(0)), Error::<Test>::InvalidMaxPrice.into()),
			(bad(|q| q.max_price = usd(PRICE_CAP + 1)), Error::<Test>::InvalidMaxPrice.into()),
			(bad(|q| q.max_volatility = usd(0)), Error::<Test>::InvalidMaxVolatility.into()),
			(
				bad(|q| q.max_volatility = usd(VOLATILITY_CAP + 1)),
				Error::<Test>::InvalidMaxVolatility.into(),
			),
		];
		for (q, e) in cases {
			assert_noop!(Oracle::register_underlying(root(), 7, q), e);
			assert_noop!(Oracle::update_underlying(root(), BTC, q), e);
		}
		assert_noop!(Oracle::update_underlying(root(), 7, p), Error::<Test>::UnknownUnderlying);
		for id in 2..8 {
			assert_ok!(Oracle::register_underlying(root(), id, p));
		}
		assert_noop!(Oracle::register_underlying(root(), 8, p), Error::<Test>::TooManyUnderlyings);

		assert_noop!(Oracle::add_operator(root(), ALICE), Error::<Test>::AlreadyOperator);
		// A fourth operator would leave quorum 2 at half the operators.
		assert_noop!(Oracle::add_operator(root(), DAVE), Error::<Test>::QuorumNotMajority);
		for id in 0..8 {
			assert_ok!(Oracle::update_underlying(root(), id, UnderlyingParams { quorum: 3, ..p }));
		}
		assert_ok!(Oracle::add_operator(root(), DAVE));
		assert_ok!(Oracle::add_operator(root(), EVE));
		assert_noop!(Oracle::add_operator(root(), 6), Error::<Test>::TooManyOperators);
		assert_noop!(Oracle::remove_operator(root(), 6), Error::<Test>::NotOperator);
		// Quorum 3 of 5: removing three operators would make it unreachable.
		assert_ok!(Oracle::remove_operator(root(), EVE));
		assert_ok!(Oracle::remove_operator(root(), DAVE));
		assert_noop!(Oracle::remove_operator(root(), CHARLIE), Error::<Test>::QuorumNotMajority);
		assert_noop!(
			Oracle::add_operator(RuntimeOrigin::signed(ALICE), 6),
			DispatchError::BadOrigin
		);

		assert_noop!(
			Oracle::release_circuit_breaker(root(), BTC),
			Error::<Test>::CircuitBreakerNotTripped
		);
		assert_noop!(Oracle::release_circuit_breaker(root(), 9), Error::<Test>::UnknownUnderlying);

		assert_noop!(Oracle::schedule_settlement(root(), BTC, 0), Error::<Test>::InvalidExpiry);
		assert_noop!(Oracle::schedule_settlement(root(), BTC, T0 - 1), Error::<Test>::ExpiryInPast);
		assert_noop!(Oracle::schedule_settlement(root(), 9, T0), Error::<Test>::UnknownUnderlying);
		for i in 0..4 {
			assert_ok!(Oracle::schedule_settlement(root(), BTC, T0 + 1_000_000 + i));
		}
		// Idempotent for an already scheduled expiry, full for a new one.
		assert_ok!(Oracle::schedule_settlement(root(), BTC, T0 + 1_000_000));
		assert_noop!(
			Oracle::schedule_settlement(root(), BTC, T0 + 2_000_000),
			Error::<Test>::TooManyScheduledSettlements
		);
	});
}

#[test]
fn governance_events() {
	build_and_execute(|| {
		let p = params();
		assert_ok!(Oracle::register_underlying(root(), 7, p));
		let q = UnderlyingParams { quorum: 3, ..p };
		assert_ok!(Oracle::update_underlying(root(), 7, q));
		assert_ok!(Oracle::update_underlying(root(), 7, p));
		assert_ok!(Oracle::remove_operator(root(), CHARLIE));
		assert_ok!(Oracle::add_operator(root(), DAVE));
		assert_ok!(Oracle::schedule_settlement(root(), 7, T0 + 5));
		assert_eq!(
			oracle_events(),
			vec![
				crate::Event::UnderlyingRegistered { underlying: 7, params: p },
				crate::Event::UnderlyingUpdated { underlying: 7, params: q },
				crate::Event::UnderlyingUpdated { underlying: 7, params: p },
				crate::Event::OperatorRemoved { operator: CHARLIE, dropped: 0 },
				crate::Event::OperatorAdded { operator: DAVE },
				crate::Event::SettlementScheduled {
					underlying: 7,
					expiry: T0 + 5,
					window: DEFAULT_SETTLEMENT_WINDOW
				},
			]
		);
	});
}
