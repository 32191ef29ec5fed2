//! The four safety outcomes of the issue.

use crate::{mock::*, BreakerReferences, Breakers, Event, Observations, Submissions};
use frame_support::{assert_ok, traits::Time};
use frame_system::RawOrigin;
use optionchain_primitives::{OracleProvider, PriceError, PriceStatus};
use sp_arithmetic::FixedU128;

/// 1. One of three operators, however extreme, cannot move the price outside the honest range.
#[test]
fn one_extreme_operator_cannot_leave_the_honest_range() {
	// max_price is 10^7: the most extreme accepted values are 1 (inner) and 10^7.
	for extreme in [sp_arithmetic::FixedU128::from_inner(1), usd(10_000_000)] {
		build_and_execute(|| {
			feed_btc(ALICE, 100);
			feed_btc(BOB, 102);
			feed(CHARLIE, vec![entry(BTC, extreme, pct(50))]).unwrap();
			next_block();
			let p = Oracle::index_price(BTC).unwrap();
			assert!(p.price >= usd(100) && p.price <= usd(102));
			// High outlier: median is the higher honest value, low outlier the lower one.
			let expected = if extreme > usd(102) { usd(102) } else { usd(100) };
			assert_eq!(p.price, expected);
			// The band does not exceed the honest spread: deviations {2, 0, |x - m|} -> 2.
			assert_eq!(p.confidence, usd(2));
			assert_eq!(p.status, PriceStatus::Fresh);
		});
	}
	// Same once a canonical price exists (the outlier would also be beyond the breaker bound).
	build_and_execute(|| {
		for who in [ALICE, BOB, CHARLIE] {
			feed_btc(who, 100);
		}
		next_block();
		feed_btc(ALICE, 101);
		feed_btc(BOB, 103);
		feed_btc(CHARLIE, 9_999_999);
		next_block();
		let p = Oracle::index_price(BTC).unwrap();
		assert_eq!((p.price, p.status), (usd(103), PriceStatus::Fresh));
	});
}

/// 2. Fewer fresh submissions than the quorum within the heartbeat => Stale.
#[test]
fn fewer_than_quorum_within_heartbeat_is_stale() {
	build_and_execute(|| {
		// Block 1 (T0): Alice and Bob: canonical 100, fresh until T0 + 60 s.
		feed_btc(ALICE, 100);
		feed_btc(BOB, 100);
		next_block();
		assert_eq!(Oracle::index_price(BTC).unwrap().status, PriceStatus::Fresh);
		// Blocks 2..5; block 6 at T0 + 30 s: Charlie alone. Three inputs are fresh, but the
		// 2nd newest is still from T0, so the value stays fresh only until T0 + 60 s.
		for _ in 2..6 {
			next_block();
		}
		assert_eq!(Timestamp::now(), T0 + 30_000);
		feed_btc(CHARLIE, 101);
		next_block();
		// Blocks 7..11; block 11 is at T0 + 60 s: still fresh (age == heartbeat).
		for _ in 7..11 {
			next_block();
		}
		assert_eq!(Timestamp::now(), T0 + 60_000);
		assert_eq!(Oracle::fresh_index_price(BTC).map(|p| p.price), Ok(usd(100)));
		// Block 12 at T0 + 66 s: only Charlie's input is within the heartbeat: Stale.
		next_block();
		let p = Oracle::index_price(BTC).unwrap();
		assert_eq!((p.price, p.status), (usd(100), PriceStatus::Stale));
		assert_eq!(Oracle::fresh_index_price(BTC), Err(PriceError::Stale));
		assert_eq!(Oracle::volatility(BTC).unwrap().status, PriceStatus::Stale);
		// Charlie feeds again: 1 fresh input < quorum 2: nothing changes, old inputs pruned.
		feed_btc(CHARLIE, 102);
		next_block();
		assert!(oracle_events().contains(&Event::QuorumNotReached {
			underlying: BTC,
			fresh: 1,
			quorum: 2
		}));
		assert_eq!(Oracle::index_price(BTC).unwrap().status, PriceStatus::Stale);
		assert_eq!(Submissions::<Test>::get(BTC).len(), 1);
		// Alice feeds within the heartbeat of Charlie's input: quorum again, Fresh.
		feed_btc(ALICE, 102);
		next_block();
		let p = Oracle::index_price(BTC).unwrap();
		assert_eq!((p.price, p.status), (usd(102), PriceStatus::Fresh));
	});
}

fn all_feed(price: u128) {
	for who in [ALICE, BOB, CHARLIE] {
		feed_btc(who, price);
	}
}

/// 3. A move beyond the bound trips the breaker and only follows after 3 confirming rounds.
#[test]
fn big_move_trips_breaker_and_follows_only_when_confirmed() {
	build_and_execute(|| {
		all_feed(100);
		next_block();
		// +20 % > 10 %: tripped, canonical stays 100.
		all_feed(120);
		next_block();
		assert!(oracle_events().contains(&Event::CircuitBreakerTripped {
			underlying: BTC,
			reference: usd(100),
			candidate: usd(120),
			required: 3
		}));
		let p = Oracle::index_price(BTC).unwrap();
		assert_eq!((p.price, p.status), (usd(100), PriceStatus::CircuitBreaker));
		assert_eq!(Oracle::fresh_index_price(BTC), Err(PriceError::CircuitBreaker));
		// Second round beyond the bound.
		all_feed(121);
		next_block();
		assert!(oracle_events().contains(&Event::CircuitBreakerConfirming {
			underlying: BTC,
			candidate: usd(121),
			confirmations: 2,
			required: 3
		}));
		assert_eq!(Oracle::index_price(BTC).unwrap().price, usd(100));
		// Third round: confirmed, the price follows to the latest aggregate.
		all_feed(122);
		next_block();
		assert!(oracle_events().contains(&Event::CircuitBreakerReleased {
			underlying: BTC,
			price: usd(122),
			by_governance: false
		}));
		let p = Oracle::index_price(BTC).unwrap();
		assert_eq!((p.price, p.status), (usd(122), PriceStatus::Fresh));
		assert!(Breakers::<Test>::get(BTC).is_none());
	});
}

/// 3b. A walk of moves each inside the 10 % bound cannot carry the price more than 10 % from
/// where the 60 s window started without confirmation; a new window starts from the price then.
#[test]
fn a_walk_inside_the_per_block_bound_trips_the_window_bound() {
	build_and_execute(|| {
		all_feed(100);
		next_block();
		// +9 %: within 10 % of the price (100) and of the window reference (100).
		all_feed(109);
		next_block();
		assert_eq!(Oracle::index_price(BTC).unwrap().price, usd(109));
		// +9 % again (118.81): within 10 % of 109, but 18.8 % above the window's 100: tripped.
		let walk = FixedU128::from_inner(118_810_000_000_000_000_000);
		for who in [ALICE, BOB, CHARLIE] {
			feed(who, vec![entry(BTC, walk, pct(50))]).expect("valid feed");
		}
		next_block();
		assert!(oracle_events().contains(&Event::CircuitBreakerTripped {
			underlying: BTC,
			reference: usd(100),
			candidate: walk,
			required: 3
		}));
		let p = Oracle::index_price(BTC).unwrap();
		assert_eq!((p.price, p.status), (usd(109), PriceStatus::CircuitBreaker));
		// Back to 109: the breaker resets. 60 s after the window opened (block 1, 10 blocks of
		// 6 s), a new window starts from the price then (109), and 118 is within 10 % of it.
		all_feed(109);
		next_block();
		assert!(Breakers::<Test>::get(BTC).is_none());
		for _ in 0..8 {
			all_feed(109);
			next_block();
		}
		all_feed(118);
		next_block();
		let p = Oracle::index_price(BTC).unwrap();
		assert_eq!((p.price, p.status), (usd(118), PriceStatus::Fresh));
		assert_eq!(BreakerReferences::<Test>::get(BTC).map(|(p, _)| p), Some(usd(109)));
	});
}

#[test]
fn one_block_spike_never_becomes_canonical() {
	build_and_execute(|| {
		all_feed(100);
		next_block();
		all_feed(150);
		next_block();
		assert_eq!(Oracle::index_price(BTC).unwrap().status, PriceStatus::CircuitBreaker);
		all_feed(101);
		next_block();
		assert!(oracle_events()
			.contains(&Event::CircuitBreakerReset { underlying: BTC, price: usd(101) }));
		let p = Oracle::index_price(BTC).unwrap();
		assert_eq!((p.price, p.status), (usd(101), PriceStatus::Fresh));
		// The spike never entered the accumulator.
		assert!(Observations::<Test>::iter_prefix_values(BTC).all(|o| o.price != usd(150)));
	});
}

#[test]
fn direction_change_restarts_confirmation_and_governance_can_release() {
	build_and_execute(|| {
		all_feed(100);
		next_block();
		all_feed(120);
		next_block();
		all_feed(80);
		next_block();
		// Downward move: a new trip, confirmations restart at 1.
		assert_eq!(
			Breakers::<Test>::get(BTC).map(|b| (b.upwards, b.confirmations)),
			Some((false, 1))
		);
		assert_eq!(
			oracle_events()
				.iter()
				.filter(|e| matches!(e, Event::CircuitBreakerTripped { .. }))
				.count(),
			2
		);
		assert_ok!(Oracle::release_circuit_breaker(RawOrigin::Root.into(), BTC));
		assert!(oracle_events().contains(&Event::CircuitBreakerReleased {
			underlying: BTC,
			price: usd(80),
			by_governance: true
		}));
		assert_eq!(Oracle::index_price(BTC).unwrap().price, usd(80));
		assert_eq!(Oracle::index_price(BTC).unwrap().status, PriceStatus::Fresh);
	});
}

/// 4. Removing an operator drops its pending submissions.
#[test]
fn removing_an_operator_drops_its_pending_submissions() {
	build_and_execute(|| {
		// Alice and Charlie feed in block 1; Charlie's value would make the median 150.
		feed(ALICE, vec![entry(BTC, usd(100), pct(50)), entry(ETH, usd(3_000), pct(60))]).unwrap();
		feed(CHARLIE, vec![entry(BTC, usd(200), pct(50)), entry(ETH, usd(9_000), pct(60))])
			.unwrap();
		assert_ok!(Oracle::remove_operator(RawOrigin::Root.into(), CHARLIE));
		assert!(oracle_events().contains(&Event::OperatorRemoved { operator: CHARLIE, dropped: 2 }));
		assert!(Submissions::<Test>::get(BTC).iter().all(|s| s.operator != CHARLIE));
		assert!(Submissions::<Test>::get(ETH).iter().all(|s| s.operator != CHARLIE));
		next_block();
		// Only Alice's submission is left: below quorum, no price at all.
		assert_eq!(Oracle::index_price(BTC), None);
		assert!(oracle_events().contains(&Event::QuorumNotReached {
			underlying: BTC,
			fresh: 1,
			quorum: 2
		}));
		// Bob joins in block 2: (100 + 101) / 2 = 100.5 -- Charlie's 200 does not count.
		feed_btc(BOB, 101);
		next_block();
		assert_eq!(
			Oracle::index_price(BTC).unwrap().price,
			optionchain_primitives::units::ratio(1005, 10)
		);
	});
}
