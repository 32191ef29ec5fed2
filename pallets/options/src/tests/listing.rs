//! Series listed by rule (issue 18): `set_listing_rule` and `on_idle`'s listing. The mock has
//! `MaxLiveSeries` = 8 (so a board of at most 4 series), `MaxIdleItems` = 3, a BTC strike tick
//! of 1,000 USD, T0 = 1,000,000 ms and 6 s blocks.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, weights::Weight};
use optionchain_primitives::{
	exchange::OptionKind, testing::MockOracle, units, Moment, PriceStatus,
};
use sp_runtime::DispatchError;

/// One expiry a minute, two kept listed, one strike (a call and a put), 1,000 USD steps.
fn rule() -> ListingRule {
	ListingRule {
		interval: 60_000,
		offset: 0,
		expiries: 2,
		min_lead: 0,
		strikes_each_side: 0,
		strike_step: usd(1_000),
	}
}

/// The live series as (expiry, strike in USD, kind).
fn board() -> Vec<(Moment, u128, OptionKind)> {
	LiveSeries::<Test>::get()
		.into_iter()
		.map(|(_, id)| {
			let t = Series::<Test>::get(id).expect("live").terms;
			(t.expiry, t.strike.into_inner() / usd(1).into_inner(), t.kind)
		})
		.collect()
}

fn listed_events() -> Vec<(Moment, u128, u32)> {
	events()
		.into_iter()
		.filter_map(|e| match e {
			Event::ExpiryListed { expiry, at_the_money, series, .. } => {
				Some((expiry, at_the_money.into_inner() / usd(1).into_inner(), series))
			},
			_ => None,
		})
		.collect()
}

#[test]
fn set_listing_rule_is_governance_and_validates_every_field() {
	build_and_execute(|| {
		assert_noop!(
			Options::set_listing_rule(RuntimeOrigin::signed(ALICE), BTC, Some(rule())),
			DispatchError::BadOrigin
		);
		let root = || RuntimeOrigin::root();
		let bad: Vec<(ListingRule, Error<Test>)> = vec![
			(ListingRule { interval: 59_999, ..rule() }, Error::<Test>::ListingIntervalTooShort),
			(ListingRule { offset: 60_000, ..rule() }, Error::<Test>::ListingOffsetTooLarge),
			(ListingRule { expiries: 0, ..rule() }, Error::<Test>::ListingExpiriesOutOfRange),
			(ListingRule { expiries: 9, ..rule() }, Error::<Test>::ListingExpiriesOutOfRange),
			(
				ListingRule { strikes_each_side: 11, ..rule() },
				Error::<Test>::ListingStrikesOutOfRange,
			),
			(
				ListingRule { strike_step: usd(0), ..rule() },
				Error::<Test>::ListingStrikeStepInvalid,
			),
			(
				ListingRule { strike_step: usd(1_500), ..rule() },
				Error::<Test>::ListingStrikeStepInvalid,
			),
			// 8 expiries 60 days apart: 480 days ahead, beyond the 365-day horizon.
			(
				ListingRule { interval: 60 * DAY, expiries: 8, strikes_each_side: 0, ..rule() },
				Error::<Test>::ListingHorizonTooFar,
			),
			(ListingRule { min_lead: 120_000, ..rule() }, Error::<Test>::ListingLeadTooLong),
			// 3 expiries of 2 series: 6, above half of MaxLiveSeries (4).
			(ListingRule { expiries: 3, ..rule() }, Error::<Test>::ListingBoardTooLarge),
		];
		for (r, e) in bad {
			assert_noop!(Options::set_listing_rule(root(), BTC, Some(r)), e);
		}
		assert_noop!(
			Options::set_listing_rule(root(), 7, Some(rule())),
			Error::<Test>::UnderlyingNotConfigured
		);
		// Valid: stored with the time it was set, announced.
		assert_ok!(Options::set_listing_rule(root(), BTC, Some(rule())));
		assert_eq!(ListingRules::<Test>::get().into_inner(), vec![(BTC, rule(), T0)]);
		assert!(events().contains(&Event::ListingRuleSet { underlying: BTC, rule: Some(rule()) }));
		// The boards add up (at most 4 series): BTC's takes all 4, so ETH's cannot list any;
		// with one BTC expiry (2 series) ETH's single expiry fits, a second would not.
		let eth = ListingRule { expiries: 1, strike_step: usd(50), ..rule() };
		assert_noop!(
			Options::set_listing_rule(root(), ETH, Some(eth)),
			Error::<Test>::ListingBoardTooLarge
		);
		assert_ok!(Options::set_listing_rule(
			root(),
			BTC,
			Some(ListingRule { expiries: 1, ..rule() })
		));
		assert_ok!(Options::set_listing_rule(root(), ETH, Some(eth)));
		assert_noop!(
			Options::set_listing_rule(root(), ETH, Some(ListingRule { expiries: 2, ..eth })),
			Error::<Test>::ListingBoardTooLarge
		);
		// Removed: nothing listed stays listed by it.
		assert_ok!(Options::set_listing_rule(root(), ETH, None));
		assert_eq!(ListingRules::<Test>::get().len(), 1);
		assert!(events().contains(&Event::ListingRuleSet { underlying: ETH, rule: None }));
	});
}

#[test]
fn a_rule_keeps_the_next_expiries_listed_around_the_index() {
	build_and_execute(|| {
		assert_ok!(Options::set_listing_rule(RuntimeOrigin::root(), BTC, Some(rule())));
		// End of block 1 (T0 = 1,000,000): the first expiry after T0 is 17 minutes since the
		// epoch (1,020,000 ms), at most 2 minutes ahead: listed at the money (60,000).
		next_block();
		assert_eq!(
			board(),
			vec![(1_020_000, 60_000, OptionKind::Call), (1_020_000, 60_000, OptionKind::Put)]
		);
		assert_eq!(listed_events(), vec![(1_020_000, 60_000, 2)]);
		// The index moves to 61,499.99: the next expiry (1,080,000) is centred on 61,000.
		MockOracle::set_price(BTC, units::ratio(6_149_999, 100), PriceStatus::Fresh);
		next_block();
		assert_eq!(board().len(), 4);
		assert_eq!(
			&board()[2..],
			&[(1_080_000, 61_000, OptionKind::Call), (1_080_000, 61_000, OptionKind::Put)]
		);
		// Then nothing until the next expiry is within 2 minutes: 1,140,000 - 120,000 =
		// 1,020,000; at 1,012,000 it is not.
		next_block();
		assert_eq!(listed_events().len(), 2);
		assert_eq!(ListingRules::<Test>::get()[0].2, 1_080_000);
		// At 61,500 (rounded half up to 62,000), past the first expiry, whose settlement price
		// is fixed: its series settle and retire (`on_idle` does that first, 3 items a block
		// in the mock), then the third expiry is listed.
		MockOracle::set_price(BTC, usd(61_500), PriceStatus::Fresh);
		MockOracle::set_settlement_price(BTC, 1_020_000, usd(61_000));
		set_time(1_024_000);
		next_block();
		next_block();
		assert_eq!(listed_events().last(), Some(&(1_140_000, 62_000, 2)));
		assert_eq!(
			board(),
			vec![
				(1_080_000, 61_000, OptionKind::Call),
				(1_080_000, 61_000, OptionKind::Put),
				(1_140_000, 62_000, OptionKind::Call),
				(1_140_000, 62_000, OptionKind::Put),
			]
		);
		// Every listing scheduled its settlement as `list_series` does.
		assert_eq!(
			MockOracle::scheduled(),
			vec![(BTC, 1_020_000), (BTC, 1_080_000), (BTC, 1_140_000)]
		);
	});
}

#[test]
fn a_rule_waits_for_a_fresh_index_and_for_room_in_the_block() {
	build_and_execute(|| {
		assert_ok!(Options::set_listing_rule(RuntimeOrigin::root(), BTC, Some(rule())));
		// A stale index: nothing listed, the expiry not passed over.
		MockOracle::set_status(BTC, PriceStatus::Stale);
		next_block();
		assert!(board().is_empty());
		assert_eq!(ListingRules::<Test>::get()[0].2, T0);
		MockOracle::set_status(BTC, PriceStatus::Fresh);
		// Room for one series but not two: the expiry waits, whole.
		let base = <() as crate::weights::WeightInfo>::on_idle_base();
		let one = base
			.saturating_add(db_weight().reads(1))
			.saturating_add(<MockOracle as optionchain_primitives::OracleProvider>::read_weight())
			.saturating_add(Options::rule_listing_weight())
			.saturating_add(Weight::from_parts(1, 0));
		next_block_after(BLOCK_MS, one);
		assert!(board().is_empty());
		// With room: listed.
		next_block();
		assert_eq!(board().len(), 2);
	});
}

#[test]
fn a_strike_listed_by_hand_is_kept_and_a_full_board_passes_the_expiry_over() {
	build_and_execute(|| {
		// The call of the first expiry is listed by hand: the rule lists the put alone.
		assert_ok!(Options::do_list_series(BTC, usd(60_000), 1_020_000, OptionKind::Call));
		assert_ok!(Options::set_listing_rule(RuntimeOrigin::root(), BTC, Some(rule())));
		next_block();
		assert_eq!(listed_events(), vec![(1_020_000, 60_000, 1)]);
		assert_eq!(board().len(), 2);
		// Five more by hand: 7 of 8 live. The next expiry's two series do not fit: it waits
		// (not passed over) until one retires.
		for k in 0..5u128 {
			assert_ok!(Options::do_list_series(
				BTC,
				usd(70_000 + 1_000 * k),
				EXPIRY,
				OptionKind::Call
			));
		}
		next_block();
		assert_eq!(board().len(), 7);
		assert_eq!(ListingRules::<Test>::get()[0].2, 1_020_000);
		assert!(!events().iter().any(|e| matches!(e, Event::ListingHalted { .. })));
		// One of them retires (settled): the expiry is listed.
		let hand = LiveSeries::<Test>::get().into_iter().map(|(_, id)| id).collect::<Vec<_>>();
		Series::<Test>::remove(hand[6]);
		SeriesByTerms::<Test>::remove((BTC, usd(74_000).into_inner(), EXPIRY, OptionKind::Call));
		LiveSeries::<Test>::mutate(|l| l.retain(|(_, id)| *id != hand[6]));
		next_block();
		assert_eq!(listed_events().last(), Some(&(1_080_000, 60_000, 2)));
		// An oracle whose settlement schedule refuses the next expiry: nothing of it is
		// listed, the rule says why and goes on with the expiry after it.
		let full = DispatchError::Exhausted;
		MockOracle::set_schedule_error(Some(full));
		set_time(1_024_000);
		MockOracle::set_settlement_price(BTC, 1_020_000, usd(60_000));
		for _ in 0..3 {
			next_block();
		}
		assert!(events().contains(&Event::ListingHalted {
			underlying: BTC,
			expiry: 1_140_000,
			reason: full
		}));
		assert_eq!(ListingRules::<Test>::get()[0].2, 1_140_000);
		assert!(!board().iter().any(|(e, _, _)| *e == 1_140_000));
		MockOracle::set_schedule_error(None);
	});
}

#[test]
fn a_rule_set_again_on_its_calendar_keeps_what_it_listed() {
	build_and_execute(|| {
		assert_ok!(Options::set_listing_rule(RuntimeOrigin::root(), BTC, Some(rule())));
		next_block();
		next_block();
		assert_eq!(ListingRules::<Test>::get()[0].2, 1_080_000);
		// A narrower rule (one expiry ahead) on the same calendar: the expiries it listed are
		// not listed again.
		let narrower = ListingRule { expiries: 1, ..rule() };
		assert_ok!(Options::set_listing_rule(RuntimeOrigin::root(), BTC, Some(narrower)));
		assert_eq!(ListingRules::<Test>::get()[0].2, 1_080_000);
		next_block();
		assert_eq!(board().len(), 4);
		assert_eq!(listed_events().len(), 2);
		// Another calendar (offset 30 s) starts after now: 1,050,000 is the next of it past
		// 1,018,000 + 0, within one interval.
		let shifted = ListingRule { offset: 30_000, expiries: 1, ..rule() };
		assert_ok!(Options::set_listing_rule(RuntimeOrigin::root(), BTC, Some(shifted)));
		assert_eq!(ListingRules::<Test>::get()[0].2, pallet_timestamp::Now::<Test>::get());
		// Removing a rule that is not there changes nothing.
		System::reset_events();
		assert_ok!(Options::set_listing_rule(RuntimeOrigin::root(), ETH, None));
		assert!(events().is_empty());
	});
}

#[test]
fn the_strike_tick_cannot_leave_a_rules_step() {
	build_and_execute(|| {
		assert_ok!(Options::set_listing_rule(RuntimeOrigin::root(), BTC, Some(rule())));
		// A tick of 2,000 USD does not divide the rule's 1,000 step: refused.
		let mut cfg = UnderlyingConfigs::<Test>::get(BTC).expect("configured");
		cfg.strike_tick = usd(2_000);
		assert_noop!(
			Options::configure_underlying(RuntimeOrigin::root(), BTC, cfg),
			Error::<Test>::ListingStrikeStepInvalid
		);
		// 500 divides it: accepted.
		cfg.strike_tick = usd(500);
		assert_ok!(Options::configure_underlying(RuntimeOrigin::root(), BTC, cfg));
	});
}
