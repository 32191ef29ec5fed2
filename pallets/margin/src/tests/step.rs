//! The trigger step (`step.rs`): an account whose band the price leaves is liquidated in the
//! next block's `on_initialize`, before any extrinsic, without any sweep; a hot account is
//! re-evaluated in every block; a passed deadline re-evaluates; what does not fit the reserve
//! waits, most breached first; a tight band stays hot; a withdrawal makes a banded account
//! hot. `try_state` (after every test) checks that every account with positions is hot or
//! banded and that no account inside its band is below maintenance.
//!
//! Amounts in settlement units (1 USD = 10^6); contract size 1; volatility 50 %.

use crate::{
	band::CHAIN_BAND_REFINEMENTS,
	mock::*,
	step::REBAND_BACKOFF,
	trigger::{bucket_of, order_key, EdgeKind, IndexKey, StoredBand},
	*,
};
use frame_support::assert_ok;
use optionchain_pricing::Fixed;
use optionchain_primitives::{
	exchange::PositionsProvider, testing::MockOracle as MockOracleImpl, PriceStatus,
};
use sp_arithmetic::FixedU128;

const HALF: u128 = 500_000_000_000_000_000;

/// BTC at `usd` with volatility 50 %, fresh.
fn btc(usd_price: u128) {
	MockOracleImpl::set_price(BTC, usd(usd_price), PriceStatus::Fresh);
	MockOracleImpl::set_volatility(BTC, FixedU128::from_inner(HALF), PriceStatus::Fresh);
}

fn usd(x: u128) -> FixedU128 {
	FixedU128::from_u32(x as u32)
}

/// Block `n`, one second after block `n - 1`: its `on_initialize` (the trigger step) only.
fn start_block(n: u64) -> W {
	System::set_block_number(n);
	System::reset_events();
	let w = Margin::on_initialize(n);
	Timestamp::set_timestamp(T0 + (n - 1) * 1_000);
	w
}

/// The end of the current block: `on_idle` with plenty of weight.
fn end_block() {
	idle();
	Margin::do_try_state().expect("try_state after every block");
}

fn swept(who: AccountId) -> bool {
	margin_events()
		.iter()
		.any(|e| matches!(e, Event::AccountSwept { account, .. } if *account == who))
}

/// `who` deposits `cash` USD and sells one call K = 60,000 expiring in a day to DAVE.
fn short_call(who: AccountId, cash: u128) -> u32 {
	assert_ok!(Margin::deposit(RuntimeOrigin::signed(who), cash * USD));
	let s = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
	MockPositions::trade(DAVE, who, s, 1);
	s
}

/// DAVE holds the longs: give it enough money never to be liquidatable.
fn fund_dave() {
	assert_ok!(Margin::deposit(RuntimeOrigin::signed(DAVE), 1_000_000 * USD));
}

/// An hour's notice for parameter changes (so bands may last their 30 minutes), BTC at 50,000
/// with volatility 50 %, and DAVE funded.
fn market() {
	ParameterNotice::set(3_600);
	btc(50_000);
	fund_dave();
}

/// The end of block 1, then block 2: accounts that traded in block 1 are evaluated by its
/// step and banded by its `on_idle`.
fn band_in_block_2() {
	end_block();
	start_block(2);
	end_block();
}

/// The band the chain stores for `who` now.
fn expected_band(who: AccountId) -> StoredBand {
	let vol_move = Fixed::from_inner(250_000_000_000_000_000);
	let b = Margin::band_of(&who, 30 * 60 * 1000, vol_move, CHAIN_BAND_REFINEMENTS)
		.unwrap()
		.unwrap();
	StoredBand::from_band(&b).unwrap()
}

#[test]
fn a_crossed_band_is_liquidated_before_the_next_blocks_extrinsics() {
	ExtBuilder::default().build_and_execute(|| {
		market();
		// Alice: 10,000 USD against one short call; Bob: 40,000 USD against the same.
		short_call(ALICE, 10_000);
		short_call(BOB, 40_000);
		// Block 1: both traded, so both are hot; not banded in the block they changed.
		assert!(Hot::<Test>::contains_key(ALICE) && Hot::<Test>::contains_key(BOB));
		end_block();
		assert!(Bands::<Test>::get(ALICE).is_none());
		// Block 2: the step evaluates them (healthy: nothing happens); `on_idle` bands them.
		start_block(2);
		assert!(margin_events().is_empty());
		let alice = expected_band(ALICE);
		end_block();
		assert_eq!(Bands::<Test>::get(ALICE), Some(alice.clone()));
		assert!(!Hot::<Test>::contains_key(ALICE) && !Hot::<Test>::contains_key(DAVE));
		let bob = Bands::<Test>::get(BOB).unwrap();
		assert!(bob.edges[0].price_hi > alice.edges[0].price_hi);
		// Block 3: a 1 % move stays inside both bands: the step evaluates nobody.
		btc(50_500);
		end_block();
		start_block(3);
		assert!(margin_events().is_empty());
		end_block();
		// The price jumps to 70,000 at the end of block 3: past Alice's edge (below
		// maintenance there), inside Bob's.
		btc(70_000);
		assert!(bucket_of(Fixed::from_inner(70_000 * 10i128.pow(18))) >= alice.edges[0].price_hi);
		let r = Margin::risk_of(&ALICE).unwrap();
		assert!(r.equity < i128::try_from(r.maintenance).unwrap());
		// Block 4's `on_initialize` alone (no sweep, no extrinsic) liquidates Alice; Bob
		// keeps his band and is not evaluated.
		start_block(4);
		assert!(swept(ALICE));
		assert!(!margin_events().iter().any(|e| matches!(e,
			Event::StateChanged { who, .. } | Event::MarginCalled { who, .. } if *who == BOB)));
		// The entry that found Alice is gone; her band stays, stale, with its other entries
		// (she is hot: evaluated in every block until banded again).
		let hi = alice.edges[0].price_hi;
		let key = IndexKey { bucket: order_key(EdgeKind::PriceHi, hi).to_be_bytes(), who: ALICE };
		assert!(!TriggerIndex::<Test>::contains_key((BTC, EdgeKind::PriceHi), key));
		assert_eq!(Bands::<Test>::get(ALICE), Some(alice.clone()));
		assert_eq!(TriggerIndex::<Test>::iter().filter(|(_, k, _)| k.who == ALICE).count(), 3);
		assert!(Hot::<Test>::contains_key(ALICE));
		assert!(Bands::<Test>::get(BOB).is_some());
		end_block();
	})
}

#[test]
fn a_hot_account_is_re_evaluated_in_every_block() {
	ExtBuilder::default().build_and_execute(|| {
		market();
		// Alice sells in block 1 and the price jumps at its end (after `on_idle`, as the
		// oracle's `on_finalize` aggregates): never banded, liquidated by block 2's step.
		short_call(ALICE, 10_000);
		end_block();
		btc(70_000);
		start_block(2);
		assert!(swept(ALICE));
		end_block();
	})
}

#[test]
fn a_withdrawal_makes_a_banded_account_hot() {
	ExtBuilder::default().build_and_execute(|| {
		market();
		short_call(ALICE, 20_000);
		band_in_block_2();
		let band = Bands::<Test>::get(ALICE).unwrap();
		assert!(!Hot::<Test>::contains_key(ALICE));
		// Block 3: Alice withdraws most of her money (8,000 left: above initial, 0.15 x 50,000,
		// at 50,000).
		start_block(3);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), 12_000 * USD));
		assert_eq!(Hot::<Test>::get(ALICE), Some(4));
		end_block();
		// A move inside her old band but past what her money now covers: she is hot, so
		// block 4's step finds her anyway.
		btc(64_000);
		let b64 = bucket_of(Fixed::from_inner(64_000 * 10i128.pow(18)));
		assert!(b64 < band.edges[0].price_hi);
		let r = Margin::risk_of(&ALICE).unwrap();
		assert!(r.equity < i128::try_from(r.maintenance).unwrap(), "{r:?}");
		start_block(4);
		assert!(swept(ALICE));
		end_block();
	})
}

#[test]
fn a_passed_deadline_re_evaluates_the_account() {
	ExtBuilder::default().build_and_execute(|| {
		market();
		short_call(ALICE, 20_000);
		band_in_block_2();
		let deadline = Bands::<Test>::get(ALICE).unwrap().deadline;
		// Horizon 30 minutes from block 2's time.
		assert_eq!(deadline, T0 + 1_000 + 30 * 60 * 1000);
		// Block 3 at the deadline exactly: still banded.
		Timestamp::set_timestamp(deadline);
		start_block(3);
		Timestamp::set_timestamp(deadline);
		assert!(Bands::<Test>::get(ALICE).is_some());
		// One millisecond later the band ran out: block 4's step re-evaluates her (healthy),
		// removes the deadline's entry, and she is hot (her band stale) until `on_idle` bands
		// her again.
		Timestamp::set_timestamp(deadline + 1);
		System::set_block_number(4);
		Margin::on_initialize(4);
		assert_eq!(DeadlineIndex::<Test>::iter_keys().count(), 0);
		assert!(Bands::<Test>::get(ALICE).is_some());
		// Just evaluated, so this block's `on_idle` may band it again.
		assert_eq!(Hot::<Test>::get(ALICE), Some(4));
		end_block();
		assert!(Bands::<Test>::get(ALICE).is_some());
		assert!(!Hot::<Test>::contains_key(ALICE));
	})
}

#[test]
fn what_does_not_fit_the_reserve_waits_most_breached_first() {
	ExtBuilder::default().build_and_execute(|| {
		market();
		// Five accounts, the less money the lower their band's high edge.
		let who = [11u64, 12, 13, 14, 15];
		for (i, w) in who.iter().enumerate() {
			assert_ok!(<Assets as frame_support::traits::fungibles::Mutate<_>>::mint_into(
				USDC,
				w,
				100_000 * USD
			));
			short_call(*w, 10_000 + 5_000 * i as u128);
		}
		band_in_block_2();
		assert_eq!(Hot::<Test>::count(), 0);
		let edges: Vec<u16> =
			who.iter().map(|w| Bands::<Test>::get(w).unwrap().edges[0].price_hi).collect();
		assert!(edges.windows(2).all(|p| p[0] < p[1]), "{edges:?}");
		// A reserve for two liquidations a block: each is admitted by its bound (the sweep's
		// at its size, the entry's removal and the hot mark) and charged its path
		// (`trigger_liquidations`' line and the fund's side of its series), so room for one
		// bound and two charges (the step's own reads in the block, the markets and the due
		// batches, come to about one charge besides `base`).
		let (read, _, liquidation) = Margin::visit_bounds(&11);
		let per = read.saturating_add(liquidation).saturating_add(Margin::found_weight());
		let size = <MockPositions as PositionsProvider<u64>>::portfolio_size(&11);
		let charge = Margin::step_visit_weight(size, true, 1)
			.saturating_add(Margin::insurance_side_weight(1));
		let base = db_weight().reads(3 + 2 + 17);
		// (Any proof size, as on the runtime: a solochain.)
		TriggerReserve::set(
			base.saturating_add(per)
				.saturating_add(charge.saturating_mul(2))
				.set_proof_size(u64::MAX),
		);
		btc(80_000);
		// Block 3: the two most breached (lowest edges) go first (the first with the 75 % of the
		// reserve crossings may use first, the second with what the other phases left). (No
		// `on_idle` from here on: its sweep would take the others.)
		let check = || Margin::do_try_state().expect("try_state after every block");
		let w = start_block(3);
		assert!(w.all_lte(TriggerReserve::get()));
		assert!(swept(11) && swept(12) && !swept(13));
		System::assert_has_event(
			Event::TriggersPending { evaluated: 2, hot_pending: 0, crossings_pending: true }.into(),
		);
		check();
		// Then the others, most breached first; from block 4 on, the hot accounts (11 and
		// 12, liquidated) take their share of the reserve too.
		let mut order = vec![];
		for b in 4..10 {
			start_block(b);
			order.extend(who.iter().filter(|w| swept(**w)).map(|w| (*w, b)));
			check();
		}
		let blocks: Vec<u64> = [13, 14, 15]
			.iter()
			.map(|w| order.iter().find(|(x, _)| x == w).map(|(_, b)| *b).expect("liquidated"))
			.collect();
		assert!(blocks.windows(2).all(|p| p[0] <= p[1]), "{order:?}");
		assert_eq!(blocks[0], 4, "{order:?}");
	})
}

#[test]
fn a_tight_band_stays_hot() {
	ExtBuilder::default().build_and_execute(|| {
		market();
		// 3,770 USD against a short call K = 60,000 at 50,000 (maintenance 0.075 x 50,000 =
		// 3,750 plus a mark of almost nothing): healthy, but the band's high edge would be
		// about 50,260, in the index price's own bucket or the next.
		short_call(ALICE, 3_770);
		let r = Margin::risk_of(&ALICE).unwrap();
		assert!(r.equity >= i128::try_from(r.maintenance).unwrap(), "{r:?}");
		band_in_block_2();
		assert!(Bands::<Test>::get(ALICE).is_none());
		assert_eq!(Hot::<Test>::get(ALICE), Some(2 + u64::from(REBAND_BACKOFF)));
	})
}

/// Review finding: an account holding only an expired series whose settlement price is fixed
/// needs no band (its value is a constant until settlement, which moves money and marks it):
/// it leaves the hot list, and `try_state` accepts it.
#[test]
fn an_expired_priced_position_needs_no_band() {
	ExtBuilder::default().build_and_execute(|| {
		market();
		let s = short_call(ALICE, 20_000);
		end_block();
		// Past the expiry, the settlement price fixed at 50,000 (worthless call).
		Timestamp::set_timestamp(EXPIRY + 1_000);
		MockOracleImpl::set_settlement_price(BTC, EXPIRY, usd(50_000));
		System::set_block_number(2);
		end_block();
		assert_eq!(MockPositions::net(ALICE, s), -1);
		assert!(!Hot::<Test>::contains_key(ALICE) && Bands::<Test>::get(ALICE).is_none());
	})
}

/// Review finding: an account partly liquidated, then back above its liquidation target
/// without a further liquidation (here a deposit), leaves the liquidation at its next
/// evaluation; before, the flag stayed set and the account could never be banded again.
#[test]
fn a_recovered_account_leaves_the_liquidation_and_is_banded_again() {
	ExtBuilder::default().build_and_execute(|| {
		ParameterNotice::set(3_600);
		set_btc(60_000);
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 20_000 * USD));
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(CHARLIE), 100_000 * USD));
		let s = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
		MockPositions::trade(ALICE, BOB, s, 2);
		// At 66,000 one contract taken leaves Bob below his target (as in
		// `liquidation_continues_while_below_buffer`).
		set_btc(66_000);
		assert_ok!(Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, s, 1));
		assert!(Accounts::<Test>::get(BOB).unwrap().in_liquidation);
		// Bob deposits enough: the deposit's evaluation is the next one (the trigger step's).
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 10_000 * USD));
		btc(66_000);
		end_block();
		start_block(2);
		System::assert_has_event(Event::LiquidationEnded { account: BOB }.into());
		assert!(!Accounts::<Test>::get(BOB).unwrap().in_liquidation);
		end_block();
		assert!(Bands::<Test>::get(BOB).is_some() && !Hot::<Test>::contains_key(BOB));
	})
}

/// Review finding (helper-18): an account waiting out a re-band backoff keeps it when the step
/// finds an entry of its stale band (each further entry would otherwise make `on_idle` retry
/// the band at once); and the re-band bound covers the removal of a stale band larger than
/// the account's portfolio now.
#[test]
fn a_found_stale_entry_keeps_the_backoff() {
	ExtBuilder::default().build_and_execute(|| {
		market();
		short_call(ALICE, 20_000);
		band_in_block_2();
		let deadline = Bands::<Test>::get(ALICE).unwrap().deadline;
		// Hot again and waiting out a backoff, its band (now stale) still indexed.
		let backoff = 3 + u64::from(REBAND_BACKOFF);
		Hot::<Test>::insert(ALICE, backoff);
		Timestamp::set_timestamp(deadline + 1);
		System::set_block_number(3);
		Margin::on_initialize(3);
		// The deadline's entry found her (evaluated, healthy) and is gone; the backoff stays.
		assert_eq!(DeadlineIndex::<Test>::iter_keys().count(), 0);
		assert_eq!(Hot::<Test>::get(ALICE), Some(backoff));
		assert!(Bands::<Test>::get(ALICE).is_some());
		// A one-entry account with a stale band of 16 boxes: 64 removals, 4 entries written,
		// the deadline's 2, the band, the underlyings list, the hot entry and its counter.
		let w = Margin::reband_weight_for(1, 16).saturating_sub(Margin::reband_weight_for(1, 0));
		assert_eq!(w, db_weight().writes(4 * 16 - 4));
	})
}
