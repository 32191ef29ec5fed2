//! Accumulator, TWAP and settlement prices.

use crate::{mock::*, types::*, Event, Rings, ScheduledSettlements, SettlementPrices};
use frame_support::{assert_ok, traits::Time};
use frame_system::RawOrigin;
use optionchain_primitives::{units, OracleProvider};
use sp_arithmetic::FixedU128;

fn both_feed(price: u128) {
	feed_btc(ALICE, price);
	feed_btc(BOB, price);
}

#[test]
fn twap_over_windows_with_gaps() {
	build_and_execute(|| {
		// T0: 100; T0+10s: 105; no fresh price for 50 s (gap: 105 carried forward);
		// T0+60s: 110; now = T0+100s.
		both_feed(100);
		next_block_after(10_000);
		both_feed(105);
		next_block_after(20_000); // T0+30s: nothing fed
		next_block_after(30_000); // T0+60s
		both_feed(110);
		next_block_after(40_000); // T0+100s
		assert_eq!(Timestamp::now(), T0 + 100_000);

		// [T0, T0+100s]: 100·10 000 + 105·50 000 + 110·40 000 = 10 650 000 -> /100 000 = 106.5
		assert_eq!(Oracle::twap(BTC, 100_000), Some(units::ratio(1065, 10)));
		// [T0+50s, T0+100s]: 105·10 000 + 110·40 000 = 5 450 000 -> /50 000 = 109
		assert_eq!(Oracle::twap(BTC, 50_000), Some(usd(109)));
		// Longer than the history: averaged over the retained part [T0, now].
		assert_eq!(Oracle::twap(BTC, 200_000), Some(units::ratio(1065, 10)));
		// Inside the history: [T0+5s, T0+15s] = (100·5 000 + 105·5 000) / 10 000 = 102.5
		assert_eq!(
			Oracle::twap_between(BTC, T0 + 5_000, T0 + 15_000),
			Some((units::ratio(1025, 10), T0 + 5_000, T0 + 15_000))
		);
		// Point value.
		assert_eq!(
			Oracle::twap_between(BTC, T0 + 20_000, T0 + 20_000),
			Some((usd(105), T0 + 20_000, T0 + 20_000))
		);
		assert_eq!(Oracle::twap(BTC, 0), None);
		assert_eq!(Oracle::twap(BTC, MAX_WINDOW + 1), None);
		assert_eq!(Oracle::twap(ETH, 1_000), None);
		assert_eq!(Rings::<Test>::get(BTC).len, 3);
	});
}

#[test]
fn ring_buffer_wraps_and_twap_uses_retained_history() {
	build_and_execute(|| {
		// 330 price changes into a ring of 320, one per 6 s block, alternating 100 / 101.
		for i in 0..330u128 {
			both_feed(100 + i % 2);
			next_block();
		}
		let ring = Rings::<Test>::get(BTC);
		assert_eq!((ring.len, ring.next), (320, 10));
		// Oldest retained observation: the 11th change at T0 + 10·6 s (price 100). Now =
		// T0 + 1 980 s. [T0+60s, T0+1980s]: 320 intervals of 6 s, 160 at 100 and 160 at 101.
		assert_eq!(Oracle::twap(BTC, 3_000_000), Some(units::ratio(1005, 10)));
		// Last 6 s: 101 in effect since T0+1 974 s.
		assert_eq!(Oracle::twap(BTC, 6_000), Some(usd(101)));
	});
}

#[test]
fn settlement_price_at_expiry_between_two_blocks() {
	ExtBuilder::default()
		.params(BTC, UnderlyingParams { settlement_window: 60_000, ..params() })
		.build_and_execute(|| {
			let expiry = T0 + 75_000;
			// The options pallet asks through the trait.
			assert_ok!(<Oracle as OracleProvider>::schedule_settlement(BTC, expiry));
			both_feed(100); // T0
			next_block_after(30_000);
			both_feed(104); // T0+30s
			next_block_after(40_000);
			both_feed(108); // T0+70s, still before the expiry
			next_block_after(10_000); // T0+80s: first block at or after the expiry
			assert_eq!(Oracle::settlement_price(BTC, expiry), None);
			both_feed(115); // after the expiry: must not count
			next_block_after(6_000);

			// [T0+15s, T0+75s]: 100·15 000 + 104·40 000 + 108·5 000 = 6 200 000 -> /60 000
			// = 103.333… (rounded down at 10^-18)
			let expected = FixedU128::from_inner(103_333_333_333_333_333_333);
			assert_eq!(Oracle::settlement_price(BTC, expiry), Some(expected));
			assert_eq!(
				SettlementPrices::<Test>::get(BTC, expiry),
				Some(SettlementRecord { price: expected, from: T0 + 15_000, to: expiry, block: 4 })
			);
			assert!(oracle_events().contains(&Event::SettlementPriceFixed {
				underlying: BTC,
				expiry,
				price: expected,
				from: T0 + 15_000,
				to: expiry
			}));
			// Never changed afterwards; rescheduling is a no-op.
			both_feed(116);
			next_block();
			assert_ok!(Oracle::schedule_settlement(RawOrigin::Root.into(), BTC, expiry));
			assert!(ScheduledSettlements::<Test>::get().is_empty());
			next_block();
			assert_eq!(Oracle::settlement_price(BTC, expiry), Some(expected));
		});
}

#[test]
fn settlement_exists_despite_stale_gap_and_per_block_limit() {
	build_and_execute(|| {
		// Three expiries scheduled ahead; at most 2 fixed per block.
		for e in [T0 + 500_000, T0 + 1_000_000, T0 + 1_900_000] {
			assert_ok!(Oracle::schedule_settlement(RawOrigin::Root.into(), BTC, e));
		}
		both_feed(100); // T0
		next_block_after(1_000_000); // long gap: the price goes stale, 100 carried forward
		both_feed(102); // T0 + 1 000 s

		// End of this block: the first two are due and fixed (before 102 is aggregated).
		next_block_after(1_000_000); // T0 + 2 000 s
		assert_eq!(ScheduledSettlements::<Test>::get().len(), 1);
		next_block();
		assert!(ScheduledSettlements::<Test>::get().is_empty());
		// Window 30 min = 1 800 s. Expiry T0+500 s: history starts at T0 -> average over
		// [T0, T0+500 s] = 100.
		assert_eq!(Oracle::settlement_price(BTC, T0 + 500_000), Some(usd(100)));
		assert_eq!(SettlementPrices::<Test>::get(BTC, T0 + 500_000).map(|r| r.from), Some(T0));
		// Expiry T0+1 000 s: [T0, T0+1 000 s], all at 100 (102 starts at the expiry).
		assert_eq!(Oracle::settlement_price(BTC, T0 + 1_000_000), Some(usd(100)));
		// Expiry T0+1 900 s: [T0+100 s, T0+1 900 s] = (100·900 + 102·900) / 1 800 = 101
		assert_eq!(Oracle::settlement_price(BTC, T0 + 1_900_000), Some(usd(101)));
	});
}

#[test]
fn settlement_of_a_never_priced_underlying_is_stuck_not_fixed_from_later_prices() {
	build_and_execute(|| {
		assert_ok!(Oracle::schedule_settlement(RawOrigin::Root.into(), ETH, T0));
		next_block();
		let stuck = crate::StuckSettlements::<Test>::get(ETH, T0).expect("stuck");
		assert_eq!((stuck.reason, stuck.range), (StuckReason::NoPriceBeforeExpiry, None));
		assert!(ScheduledSettlements::<Test>::get().is_empty());
		// ETH first priced in block 2 (T0+6 s): that price is after the expiry and never
		// becomes its settlement price (before: it did).
		feed(ALICE, vec![entry(ETH, usd(3_000), pct(70))]).unwrap();
		feed(BOB, vec![entry(ETH, usd(3_000), pct(70))]).unwrap();
		next_block();
		next_block();
		assert_eq!(SettlementPrices::<Test>::get(ETH, T0), None);
	});
}
