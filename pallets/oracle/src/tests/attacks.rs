//! Issue 12: attacks on the oracle, each named after its scenario. Three operators (Alice, Bob,
//! Charlie), quorum 2, heartbeat 60 s, max move 10 %, 3 confirmations, agreement within 5 %
//! (volatility 20 %), volatility move 25 %, 6 s blocks.

use crate::{
	mock::*, types::*, Breakers, Error, Event, ScheduledSettlements, SettlementPrices,
	StuckSettlements, VolatilityBreakers,
};
use frame_support::traits::Time as _;
use frame_support::{assert_noop, assert_ok};
use frame_system::RawOrigin;
use optionchain_primitives::{OracleProvider, PriceStatus};

fn root() -> RuntimeOrigin {
	RawOrigin::Root.into()
}

fn all_feed(price: u128) {
	for who in [ALICE, BOB, CHARLIE] {
		feed_btc(who, price);
	}
}

// ------------------------------------------------------------------ item 1

#[test]
fn one_liar_and_one_silent_operator_cannot_move_the_price() {
	build_and_execute(|| {
		all_feed(100);
		next_block();
		// Charlie goes silent; Bob feeds twice the real price every block for 2 minutes.
		// Before: the two inputs' mean (150) tripped the breaker, confirmed itself in 3 rounds
		// and became canonical and Fresh. Now the two inputs disagree: no round counts.
		for _ in 0..20 {
			feed_btc(ALICE, 100);
			feed_btc(BOB, 200);
			next_block();
			let p = Oracle::index_price(BTC).unwrap();
			assert_eq!(p.price, usd(100));
			assert_ne!(p.status, PriceStatus::CircuitBreaker);
		}
		// (While Charlie's last input was within the heartbeat it outvoted Bob with Alice.)
		assert!(oracle_events().contains(&Event::InputsDisagree {
			underlying: BTC,
			quantity: Quantity::Price,
			fresh: 2,
			required: 2
		}));
		// Charlie's input aged out after 60 s; nothing agreeing since: the price is Stale.
		assert_eq!(Oracle::index_price(BTC).unwrap().status, PriceStatus::Stale);
		assert!(Breakers::<Test>::get(BTC).is_none());
		// Charlie comes back: two honest inputs agree again, Bob is outvoted.
		feed_btc(ALICE, 100);
		feed_btc(BOB, 200);
		feed_btc(CHARLIE, 101);
		next_block();
		let p = Oracle::index_price(BTC).unwrap();
		assert_eq!((p.price, p.status), (usd(101), PriceStatus::Fresh));
	});
}

#[test]
fn a_liar_close_to_the_price_moves_it_at_most_by_the_band() {
	build_and_execute(|| {
		all_feed(100);
		next_block();
		// Bob feeds 104.9 (inside the 5 % agreement) with Charlie silent: the median of the
		// two is 102.45, within 5 % of Alice's honest 100. He cannot walk it further: his next
		// value must agree with the median again.
		for _ in 0..20 {
			feed_btc(ALICE, 100);
			feed(BOB, vec![entry(BTC, units(1049, 10), pct(50))]).unwrap();
			next_block();
			let p = Oracle::index_price(BTC).unwrap();
			assert!(p.price >= usd(100) && p.price <= units(1050, 10), "{:?}", p.price);
		}
	});
}

#[test]
fn a_liars_volatility_cannot_become_canonical() {
	build_and_execute(|| {
		all_feed(100);
		next_block();
		// Charlie silent (his last input ages out); Bob feeds the maximum volatility (10)
		// against Alice's honest 0.6. Before: their mean, 5.3, became canonical at once.
		next_block_after(61_000);
		for _ in 0..3 {
			feed(ALICE, vec![entry(BTC, usd(100), pct(60))]).unwrap();
			feed(BOB, vec![entry(BTC, usd(100), usd(10))]).unwrap();
			next_block();
			assert_eq!(Oracle::volatility(BTC).unwrap().volatility, pct(50));
		}
		assert!(oracle_events().contains(&Event::InputsDisagree {
			underlying: BTC,
			quantity: Quantity::Volatility,
			fresh: 2,
			required: 2
		}));
		// Their prices agree: the price is updated and fresh, only the volatility is held.
		assert_eq!(Oracle::index_price(BTC).unwrap().status, PriceStatus::Fresh);
	});
}

#[test]
fn a_volatility_jump_is_held_by_its_own_breaker() {
	build_and_execute(|| {
		all_feed(100);
		next_block();
		// All three agree that volatility doubled (0.5 -> 1.0, +100 % > 25 %): the volatility is
		// held by its own breaker (the price is not affected) until 3 rounds confirm it.
		let vol = |v| {
			for who in [ALICE, BOB, CHARLIE] {
				feed(who, vec![entry(BTC, usd(100), v)]).unwrap();
			}
			next_block();
		};
		vol(pct(100));
		assert!(oracle_events().contains(&Event::VolatilityBreakerTripped {
			underlying: BTC,
			reference: pct(50),
			candidate: pct(100),
			required: 3
		}));
		let v = Oracle::volatility(BTC).unwrap();
		assert_eq!((v.volatility, v.status), (pct(50), PriceStatus::CircuitBreaker));
		assert_eq!(Oracle::index_price(BTC).unwrap().status, PriceStatus::Fresh);
		vol(pct(100));
		vol(pct(100));
		let v = Oracle::volatility(BTC).unwrap();
		assert_eq!((v.volatility, v.status), (pct(100), PriceStatus::Fresh));
		assert!(VolatilityBreakers::<Test>::get(BTC).is_none());
		// A 20 % move applies at once.
		vol(pct(120));
		assert_eq!(Oracle::volatility(BTC).unwrap().volatility, pct(120));
	});
}

#[test]
fn alternating_lies_cannot_hold_the_market_in_the_circuit_breaker() {
	build_and_execute(|| {
		all_feed(100);
		next_block();
		// Charlie silent; Bob alternates 200 and 50. Before: the mean alternated 150 / 75 and
		// kept re-tripping the breaker, so the market was held in `CircuitBreaker` forever.
		for i in 0..12 {
			feed_btc(ALICE, 100);
			feed_btc(BOB, if i % 2 == 0 { 200 } else { 50 });
			next_block();
			assert_ne!(Oracle::index_price(BTC).unwrap().status, PriceStatus::CircuitBreaker);
		}
		// With Charlie present the honest majority keeps the market live through the lies.
		for i in 0..4 {
			feed_btc(ALICE, 100);
			feed_btc(BOB, if i % 2 == 0 { 200 } else { 50 });
			feed_btc(CHARLIE, 100);
			next_block();
			let p = Oracle::index_price(BTC).unwrap();
			assert_eq!((p.price, p.status), (usd(100), PriceStatus::Fresh));
		}
	});
}

#[test]
fn a_disagreeing_round_drops_a_held_move() {
	build_and_execute(|| {
		all_feed(100);
		next_block();
		all_feed(130);
		next_block();
		assert!(Breakers::<Test>::get(BTC).is_some());
		// The next round disagrees (Charlie silent: his input aged out; Bob lies): the
		// confirmation streak ends.
		next_block_after(61_000);
		feed_btc(ALICE, 130);
		feed_btc(BOB, 260);
		next_block();
		assert!(Breakers::<Test>::get(BTC).is_none());
		assert!(oracle_events()
			.contains(&Event::CircuitBreakerReset { underlying: BTC, price: usd(100) }));
	});
}

// ------------------------------------------------------------------ item 2

#[test]
fn a_stuck_settlement_does_not_stall_the_others() {
	build_and_execute(|| {
		// Three expiries on ETH, never priced, and one on BTC, all at T0 + 60 s; two are fixed
		// per block. Before: the ETH entries stayed first in the schedule and took the whole
		// budget of every block, so BTC was never settled.
		let expiry = T0 + 60_000;
		for e in [expiry, expiry + 1, expiry + 2] {
			assert_ok!(Oracle::schedule_settlement(root(), ETH, e));
		}
		assert_ok!(Oracle::schedule_settlement(root(), BTC, expiry + 3));
		while Timestamp::now() < expiry + 3 {
			all_feed(100);
			next_block();
		}
		all_feed(100);
		next_block();
		next_block();
		assert_eq!(Oracle::settlement_price(BTC, expiry + 3), Some(usd(100)));
		assert!(ScheduledSettlements::<Test>::get().is_empty());
		for e in [expiry, expiry + 1, expiry + 2] {
			let s = StuckSettlements::<Test>::get(ETH, e).expect("stuck");
			assert_eq!((s.reason, s.range), (StuckReason::NoPriceBeforeExpiry, None));
		}
		assert!(oracle_events().contains(&Event::SettlementStuck {
			underlying: ETH,
			expiry,
			reason: StuckReason::NoPriceBeforeExpiry,
			range: None
		}));
		// Nobody reported ETH: no price can be forced; after the grace period it is cancelled.
		assert_noop!(
			Oracle::cancel_settlement(root(), ETH, expiry),
			Error::<Test>::GracePeriodNotOver
		);
		next_block_after(60_000);
		assert_noop!(
			Oracle::force_settlement_price(root(), ETH, expiry, usd(3_000)),
			Error::<Test>::NoFedRange
		);
		assert_ok!(Oracle::cancel_settlement(root(), ETH, expiry));
		assert!(StuckSettlements::<Test>::get(ETH, expiry).is_none());
		assert_noop!(
			Oracle::cancel_settlement(root(), ETH, expiry),
			Error::<Test>::SettlementNotStuck
		);
	});
}

#[test]
fn a_price_first_reported_after_the_expiry_never_settles_it() {
	build_and_execute(|| {
		// ETH gets its first price only after its expiry. Before: the first price after the
		// expiry was taken as its settlement price. Now it is stuck; governance may force a
		// price only inside what operators reported around the expiry, widened by 5 %.
		let expiry = T0 + 6_000;
		assert_ok!(Oracle::schedule_settlement(root(), ETH, expiry));
		next_block();
		for who in [ALICE, BOB, CHARLIE] {
			feed(who, vec![entry(ETH, usd(3_000 + who as u128), pct(50))]).unwrap();
		}
		next_block();
		next_block();
		assert_eq!(Oracle::settlement_price(ETH, expiry), None);
		let stuck = StuckSettlements::<Test>::get(ETH, expiry).expect("stuck");
		assert_eq!(stuck.reason, StuckReason::NoPriceBeforeExpiry);
		// The operators reported 3,001 .. 3,003 within the heartbeat of the expiry.
		assert_eq!(stuck.range, Some((usd(3_001), usd(3_003))));
		next_block_after(60_000);
		// 3,001 x 0.95 = 2,850.95 .. 3,003 x 1.05 = 3,153.15.
		assert_noop!(
			Oracle::force_settlement_price(root(), ETH, expiry, usd(2_850)),
			Error::<Test>::PriceOutsideFedRange
		);
		assert_noop!(
			Oracle::force_settlement_price(root(), ETH, expiry, usd(3_154)),
			Error::<Test>::PriceOutsideFedRange
		);
		assert_noop!(
			Oracle::force_settlement_price(RuntimeOrigin::signed(ALICE), ETH, expiry, usd(3_000)),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_ok!(Oracle::force_settlement_price(root(), ETH, expiry, usd(3_002)));
		assert_eq!(Oracle::settlement_price(ETH, expiry), Some(usd(3_002)));
		assert!(oracle_events().contains(&Event::SettlementPriceForced {
			underlying: ETH,
			expiry,
			price: usd(3_002)
		}));
	});
}

#[test]
fn a_settlement_whose_window_is_lost_is_not_fixed_from_partial_data() {
	build_and_execute(|| {
		// Blocks far faster than `MinBlockInterval` (1 s instead of 6 s) with the price
		// changing every block: the 320 kept observations no longer reach back to the start
		// of the 30 min window when the expiry is fixed (a defensive path: real blocks are
		// never that fast). Before: the TWAP silently averaged what was left.
		let expiry = T0 + 400_000;
		assert_ok!(Oracle::schedule_settlement(root(), BTC, expiry));
		let mut price = 100;
		while Timestamp::now() <= expiry {
			price = if price == 100 { 101 } else { 100 };
			all_feed(price);
			next_block_after(1_000);
		}
		next_block();
		assert_eq!(SettlementPrices::<Test>::get(BTC, expiry), None);
		let s = StuckSettlements::<Test>::get(BTC, expiry).expect("stuck");
		assert_eq!(s.reason, StuckReason::HistoryLost);
		// What the operators agreed on at the expiry (their latest inputs: 101).
		assert_eq!(s.range, Some((usd(101), usd(101))));
	});
}

// ------------------------------------------------------------------ item 4

#[test]
fn freshness_counts_from_the_observation() {
	build_and_execute(|| {
		// Alice and Bob observed 10 s before the block: the price is fresh for 60 s from the
		// observation, not from the inclusion.
		for who in [ALICE, BOB] {
			feed_observed(who, T0 - 10_000, vec![entry(BTC, usd(100), pct(50))]).unwrap();
		}
		next_block();
		next_block_after(43_999);
		// T0 + 49,999 <= T0 - 10,000 + 60,000.
		assert_eq!(Oracle::index_price(BTC).unwrap().status, PriceStatus::Fresh);
		next_block_after(2);
		assert_eq!(Oracle::index_price(BTC).unwrap().status, PriceStatus::Stale);
		// An observation from before a stall is refused, whatever its round.
		assert_noop!(
			feed_observed(ALICE, Timestamp::now() - 12_001, vec![entry(BTC, usd(100), pct(50))]),
			Error::<Test>::FeedTooOld
		);
	});
}

// ------------------------------------------------------------------ item 6

#[test]
fn an_old_candidate_cannot_be_released_by_governance() {
	build_and_execute(|| {
		all_feed(100);
		next_block();
		all_feed(130);
		next_block();
		assert!(Breakers::<Test>::get(BTC).is_some());
		// 61 s later the candidate's inputs are older than the heartbeat.
		next_block_after(61_000);
		assert_noop!(Oracle::release_circuit_breaker(root(), BTC), Error::<Test>::CandidateTooOld);
		// A fresh one can.
		all_feed(130);
		next_block();
		assert_ok!(Oracle::release_circuit_breaker(root(), BTC));
		assert_eq!(Oracle::index_price(BTC).unwrap().price, usd(130));
	});
}

fn units(n: u128, d: u128) -> sp_arithmetic::FixedU128 {
	optionchain_primitives::units::ratio(n, d)
}
