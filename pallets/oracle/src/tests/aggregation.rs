use crate::{aggregation::*, mock::*, Event, IndexPrices};
use optionchain_primitives::{units, OracleProvider, PriceStatus};
use sp_arithmetic::FixedU128;

#[test]
fn median_and_mad_pure() {
	assert_eq!(median(&mut []), None);
	assert_eq!(median(&mut [usd(7)]), Some(usd(7)));
	// odd: sorted {1, 3, 9} -> 3
	assert_eq!(median(&mut [usd(9), usd(1), usd(3)]), Some(usd(3)));
	// even: sorted {1, 3, 9, 10} -> (3 + 9) / 2 = 6
	assert_eq!(median(&mut [usd(10), usd(1), usd(9), usd(3)]), Some(usd(6)));
	// rounding down at 10^-18: (1 + 2) / 2 = 1.5 -> 1 (inner units)
	assert_eq!(
		mean_of_two(FixedU128::from_inner(1), FixedU128::from_inner(2)),
		FixedU128::from_inner(1)
	);
	// no overflow at the top of the range
	assert_eq!(
		mean_of_two(FixedU128::from_inner(u128::MAX), FixedU128::from_inner(u128::MAX)),
		FixedU128::from_inner(u128::MAX)
	);
	// {100, 103, 110}: median 103, deviations {3, 0, 7} -> MAD 3
	assert_eq!(median_and_mad(&[usd(100), usd(103), usd(110)]), Some((usd(103), usd(3))));
}

#[test]
fn odd_count_median_and_band() {
	build_and_execute(|| {
		feed(ALICE, vec![entry(BTC, usd(100), pct(50))]).unwrap();
		feed(BOB, vec![entry(BTC, usd(103), pct(60))]).unwrap();
		feed(CHARLIE, vec![entry(BTC, usd(110), pct(70))]).unwrap();
		// Nothing is canonical before the end of the block.
		assert_eq!(Oracle::index_price(BTC), None);
		next_block();

		let p = Oracle::index_price(BTC).unwrap();
		// median {100, 103, 110} = 103; |x - 103| = {3, 0, 7} -> MAD 3
		assert_eq!(p.price, usd(103));
		assert_eq!(p.confidence, usd(3));
		assert_eq!(p.status, PriceStatus::Fresh);
		assert_eq!((p.updated_at, p.block), (T0, 1));

		let v = Oracle::volatility(BTC).unwrap();
		// median {0.5, 0.6, 0.7} = 0.6; deviations {0.1, 0, 0.1} -> 0.1
		assert_eq!(v.volatility, pct(60));
		assert_eq!(v.confidence, pct(10));
		assert_eq!(v.status, PriceStatus::Fresh);
		assert!(oracle_events().contains(&Event::IndexPriceUpdated {
			underlying: BTC,
			price: usd(103),
			confidence: usd(3),
			sources: 3
		}));
		// ETH was not fed.
		assert_eq!(Oracle::index_price(ETH), None);
	});
}

#[test]
fn even_count_median_is_mean_of_middle_two() {
	// Four operators need a quorum of 3 (a strict majority).
	let q3 = crate::types::UnderlyingParams { quorum: 3, ..params() };
	ExtBuilder::default()
		.operators(vec![ALICE, BOB, CHARLIE, DAVE])
		.params(BTC, q3)
		.params(ETH, q3)
		.build_and_execute(|| {
			feed_btc(ALICE, 100);
			feed_btc(BOB, 101);
			feed_btc(CHARLIE, 104);
			feed_btc(DAVE, 110);
			next_block();
			let p = Oracle::index_price(BTC).unwrap();
			// sorted {100, 101, 104, 110}: (101 + 104) / 2 = 102.5
			assert_eq!(p.price, units::ratio(1025, 10));
			// |x - 102.5| = {2.5, 1.5, 1.5, 7.5} -> sorted {1.5, 1.5, 2.5, 7.5} -> (1.5 + 2.5) / 2 = 2
			assert_eq!(p.confidence, usd(2));
			// (110 is 7.3 % from the median, beyond the 5 % agreement: 3 of 4 agree, as required.)
		});
}

#[test]
fn two_submissions_median_and_band() {
	build_and_execute(|| {
		feed_btc(ALICE, 100);
		feed_btc(BOB, 101);
		next_block();
		let p = Oracle::index_price(BTC).unwrap();
		// (100 + 101) / 2 = 100.5; deviations {0.5, 0.5} -> 0.5
		assert_eq!(p.price, units::ratio(1005, 10));
		assert_eq!(p.confidence, units::ratio(5, 10));
	});
}

#[test]
fn latest_submission_per_operator_counts_across_blocks() {
	build_and_execute(|| {
		feed_btc(ALICE, 100);
		feed_btc(BOB, 102);
		next_block();
		// Block 2: only Charlie feeds; Alice's and Bob's block-1 values are within the
		// heartbeat: median {100, 102, 104} = 102.
		feed_btc(CHARLIE, 104);
		next_block();
		assert_eq!(IndexPrices::<Test>::get(BTC).unwrap().value, usd(102));
		assert_eq!(IndexPrices::<Test>::get(BTC).unwrap().sources, 3);
	});
}

#[test]
fn one_feed_sets_several_underlyings() {
	build_and_execute(|| {
		for (who, btc, eth) in
			[(ALICE, 60_000, 3_000), (BOB, 60_010, 3_001), (CHARLIE, 60_020, 3_002)]
		{
			feed(who, vec![entry(BTC, usd(btc), pct(50)), entry(ETH, usd(eth), pct(70))]).unwrap();
		}
		next_block();
		assert_eq!(Oracle::index_price(BTC).unwrap().price, usd(60_010));
		assert_eq!(Oracle::index_price(BTC).unwrap().confidence, usd(10));
		assert_eq!(Oracle::index_price(ETH).unwrap().price, usd(3_001));
		assert_eq!(Oracle::volatility(ETH).unwrap().volatility, pct(70));
		assert_eq!(Oracle::volatility(ETH).unwrap().confidence, pct(0));
	});
}
