//! Issue 11: attack and risk-manager scenarios against the margin rules, each named after the
//! scenario. Volatility 0 and rate 0 (unless said) make the mark the intrinsic value exactly;
//! contract size 1; amounts in settlement units (1 USD = 10^6).
use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungibles::Mutate, Hooks},
};
use optionchain_primitives::{
	exchange::{MarginAccounts, MarginCheckError, MarginSnapshot},
	PriceStatus,
};
use sp_arithmetic::{FixedI128, FixedU128};

fn usd_i(n: i128) -> i128 {
	n * USD as i128
}

fn figures(who: AccountId) -> (i128, u128, u128, AccountState) {
	let m = Margin::api_account_margin(who).unwrap();
	(m.equity, m.initial, m.maintenance, m.state)
}

// ------------------------------------------------------------------ item 1

#[test]
fn a_resting_bid_reserves_its_maker_fee() {
	build_and_execute(|| {
		// 10 USDC and a resting bid for 1 contract at 10 USDC: the premium (10) and the maker
		// fee (0.30) are both reserved, so the bid cannot rest on 10 USDC.
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 10 * USD));
		let s = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
		MockPositions::set_orders(BOB, s, 0, 1, 10 * USD);
		assert_ok!(Margin::ensure_initial_margin(&BOB, true, None));
		MockPositions::set_fee_reserve(BOB, s, 300_000);
		assert_eq!(Margin::risk_of(&BOB).unwrap().initial, 10_300_000);
		assert_eq!(
			Margin::ensure_initial_margin(&BOB, true, None),
			Err(MarginCheckError::BelowInitial)
		);
	})
}

// ------------------------------------------------------------------ item 2

#[test]
fn a_fully_cash_secured_put_is_never_liquidatable() {
	build_and_execute(|| {
		// Bob writes 1 put K = 3,000 and holds exactly the strike, 3,000 USDC.
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 3_000 * USD));
		let s = MockPositions::add_series(put(BTC, 3_000, EXPIRY));
		MockPositions::trade(ALICE, BOB, s, 1);
		// S = 1,500: mark 1,500, equity 3,000 - 1,500 = 1,500. The formula gives maintenance
		// 0.075 * 1,500 + 1,500 = 1,612.5 and initial 0.15 * 1,500 + 1,500 = 1,725, but a put
		// never needs more cash than its strike: both are capped at K - mark = 1,500.
		set_btc(1_500);
		assert_eq!(figures(BOB), (usd_i(1_500), 1_500 * USD, 1_500 * USD, AccountState::Healthy));
		// S = 1 (a crash to almost zero): mark 2,999, equity 1, requirements 1.
		set_btc(1);
		assert_eq!(figures(BOB), (usd_i(1), USD, USD, AccountState::Healthy));
		sweep_all();
		assert_eq!(MockPositions::net(BOB, s), -1);
		assert_eq!(Margin::collateral_of(&BOB), 3_000 * USD);
		// One unit less than the strike and the crash makes it liquidatable.
		let t = MockPositions::add_series(put(BTC, 3_000, EXPIRY + 1));
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(CHARLIE), 3_000 * USD - 1));
		MockPositions::trade(ALICE, CHARLIE, t, 1);
		assert_eq!(Margin::api_account_margin(CHARLIE).unwrap().state, AccountState::Liquidatable);
	})
}

#[test]
fn a_cash_secured_put_with_a_fractional_contract_needs_no_more_than_the_strike() {
	build_and_execute(|| {
		// Contract size 0.1, S = 1,000 and a Black-Scholes mark with many decimals (about
		// 2,000 per unit: the formula's maintenance of about 2,150 exceeds K - mark): the cap
		// is taken on the rounded liability, so 7 contracts of K = 3,000 need exactly 2,100.
		MockOracle::set_price(BTC, usd(1_000), PriceStatus::Fresh);
		MockOracle::set_volatility(BTC, FixedU128::from_rational(8, 10), PriceStatus::Fresh);
		let mut t = put(BTC, 3_000, EXPIRY);
		t.contract_size = FixedU128::from_rational(1, 10);
		let s = MockPositions::add_series(t);
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 2_100 * USD));
		MockPositions::trade(ALICE, BOB, s, 7);
		let r = Margin::risk_of(&BOB).unwrap();
		let liability = 2_100 * USD as i128 - r.equity;
		assert_eq!(r.initial as i128 + liability, 2_100 * USD as i128);
		assert_eq!(r.maintenance as i128 + liability, 2_100 * USD as i128);
		assert_eq!(Margin::api_account_margin(BOB).unwrap().state, AccountState::Healthy);
	})
}

// ------------------------------------------------------------------ item 3

#[test]
fn an_expired_uncollected_short_counts_its_intrinsic_value_once() {
	build_and_execute(|| {
		// Bob: 10,000 USDC, short 1 call K = 60,000; at expiry S = 70,000: he owes 10,000 and
		// holds 10,000. Equity 0 with no requirement left: he can pay, nothing to liquidate.
		// (Before: requirement 10,000 on top of the 10,000 in equity: liquidatable.)
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 10_000 * USD));
		let s = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
		MockPositions::trade(ALICE, BOB, s, 1);
		Timestamp::set_timestamp(EXPIRY);
		set_btc(70_000);
		MockOracle::set_settlement_price(BTC, EXPIRY, usd(70_000));
		assert_eq!(figures(BOB), (0, 0, 0, AccountState::Healthy));
		sweep_all();
		assert_eq!(MockPositions::net(BOB, s), -1);
	})
}

#[test]
fn an_expired_short_keeps_a_buffer_until_its_settlement_price_is_fixed() {
	build_and_execute(|| {
		// At expiry, before the oracle fixes the settlement price (a TWAP that may differ from
		// the index), the writer owes the intrinsic value at the index (10,000 at 70,000) and
		// keeps 0.075 x 70,000 = 5,250 of initial requirement: it cannot withdraw money it may
		// still owe. Once the price is fixed, the buffer goes.
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 20_000 * USD));
		let s = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
		MockPositions::trade(ALICE, BOB, s, 1);
		Timestamp::set_timestamp(EXPIRY);
		set_btc(70_000);
		assert_eq!(figures(BOB), (usd_i(10_000), 5_250 * USD, 0, AccountState::Healthy));
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(BOB), 4_750 * USD + 1).map_err(|e| e.error),
			Error::<Test>::InsufficientMargin
		);
		MockOracle::set_settlement_price(BTC, EXPIRY, usd(70_000));
		assert_eq!(figures(BOB), (usd_i(10_000), 0, 0, AccountState::Healthy));
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(BOB), 10_000 * USD));
	})
}

// ------------------------------------------------------------------ item 4

#[test]
fn put_maintenance_counts_a_share_of_the_mark() {
	build_and_execute(|| {
		// Rate 100 %, one year, S = 100, K = 1,000, volatility 0: the put is worth
		// 1,000 * e^-1 - 100 = 267.879441171... > S. Maintenance
		// max(0.075 * 100, 0.075 * 267.879441) + 267.879441 = 20.090958 + 267.879441
		// = 287.970399... -> 287.970400 (up); before: 7.5 + 267.879441... = 275.379442. The cap
		// K - mark = 732.12 does not bind.
		let mut p = MarginParameters::default();
		p.rate = FixedI128::from_u32(1);
		assert_ok!(Margin::set_parameters(RuntimeOrigin::root(), p));
		set_btc(100);
		let s = MockPositions::add_series(put(BTC, 1_000, T0 + 31_536_000_000));
		MockPositions::trade(ALICE, BOB, s, 1);
		let r = Margin::risk_of(&BOB).unwrap();
		assert_eq!(r.equity, -267_879_442);
		assert_eq!(r.maintenance, 287_970_400);
		// Initial: 0.15 * 100 + mark = 282.879442 is below maintenance, so maintenance.
		assert_eq!(r.initial, 287_970_400);
		// The rate of the mark is a parameter of its own.
		p.maintenance_mark_rate = FixedU128::from_rational(1, 10);
		assert_ok!(Margin::set_parameters(RuntimeOrigin::root(), p));
		// 0.1 * 267.879441171 = 26.787944117 + 267.879441171 = 294.667385288 -> 294.667386.
		assert_eq!(Margin::risk_of(&BOB).unwrap().maintenance, 294_667_386);
	})
}

// ------------------------------------------------------------------ item 5

#[test]
fn a_restricted_account_may_reduce_its_risk() {
	build_and_execute(|| {
		// Bob: 21,000 USDC, short 3 ATM calls. S = 61,000: mark 1,000; initial 3 * 10,150 =
		// 30,450, maintenance 3 * 5,575 = 16,725, equity 18,000: restricted (margin call).
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 21_000 * USD));
		let s = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
		MockPositions::trade(ALICE, BOB, s, 3);
		set_btc(61_000);
		assert_eq!(
			figures(BOB),
			(usd_i(18_000), 30_450 * USD, 16_725 * USD, AccountState::Restricted)
		);
		let (before, _) = Margin::margin_snapshot(&BOB).unwrap();
		assert_eq!(
			before,
			MarginSnapshot {
				initial: 30_450 * USD,
				initial_deficit: usd_i(12_450),
				maintenance_deficit: usd_i(-1_275),
			}
		);
		// He buys 1 back at 1,100 with a 10 fee: equity 17,890, initial 20,300: still below
		// initial, so the plain check refuses; but initial (20,300), initial deficit (2,410)
		// and maintenance deficit (11,150 - 17,890 = -6,740) all fell: it reduced his risk.
		assert_ok!(Margin::transfer(&BOB, &ALICE, 1_100 * USD));
		assert_ok!(Margin::charge_fee(&BOB, 10 * USD));
		MockPositions::trade(BOB, ALICE, s, 1);
		assert_eq!(
			Margin::ensure_initial_margin(&BOB, true, None),
			Err(MarginCheckError::BelowInitial)
		);
		assert_ok!(Margin::ensure_initial_margin(&BOB, true, Some(&before)));
		// Selling two more instead raises the requirement: refused even against `before`.
		MockPositions::trade(ALICE, BOB, s, 2);
		assert_eq!(
			Margin::ensure_initial_margin(&BOB, true, Some(&before)),
			Err(MarginCheckError::BelowInitial)
		);
	})
}

#[test]
fn a_restricted_account_cannot_pay_away_its_equity_while_closing() {
	build_and_execute(|| {
		// Bob (as above: 21,000 USDC, 3 short ATM calls, S = 61,000, restricted) buys 1 back
		// from a friend at 7,000 (6,000 over mark): his initial requirement (20,300) and
		// initial deficit (20,300 - 12,000 = 8,300) fall, but his maintenance deficit grows
		// (11,150 - 12,000 = -850 > -1,275): equity moved to the friend. Refused.
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 21_000 * USD));
		let s = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
		MockPositions::trade(ALICE, BOB, s, 3);
		set_btc(61_000);
		let (before, _) = Margin::margin_snapshot(&BOB).unwrap();
		assert_ok!(Margin::transfer(&BOB, &ALICE, 7_000 * USD));
		MockPositions::trade(BOB, ALICE, s, 1);
		assert_eq!(
			Margin::ensure_initial_margin(&BOB, true, Some(&before)),
			Err(MarginCheckError::BelowInitial)
		);
		// At 1,400 (maintenance deficit 11,150 - 17,600 = -6,450) the same buy-back passes.
		assert_ok!(Margin::transfer(&ALICE, &BOB, 5_600 * USD));
		assert_ok!(Margin::ensure_initial_margin(&BOB, true, Some(&before)));
	})
}

#[test]
fn a_liquidatable_account_cannot_use_the_reduction_exemption() {
	build_and_execute(|| {
		// Bob: 1,000 USDC, short 10 calls K = 3,000 with ETH at 3,150 (mark 150, maintenance
		// 236.25 + 150 = 386.25 each): equity 1,000 - 1,500 = -500 < 3,862.50. Buying one back
		// from a friend at 524 would not grow his maintenance deficit, but every unit above mark
		// would come out of the insurance fund: below maintenance there is no exemption.
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 1_000 * USD));
		MockOracle::set_price(ETH, usd(3_150), PriceStatus::Fresh);
		MockOracle::set_volatility(ETH, FixedU128::from_inner(0), PriceStatus::Fresh);
		let s = MockPositions::add_series(call(ETH, 3_000, EXPIRY));
		MockPositions::trade(ALICE, BOB, s, 10);
		let (before, _) = Margin::margin_snapshot(&BOB).unwrap();
		assert!(before.maintenance_deficit > 0);
		assert_ok!(Margin::transfer(&BOB, &ALICE, 524 * USD));
		MockPositions::trade(BOB, ALICE, s, 1);
		assert_eq!(
			Margin::ensure_initial_margin(&BOB, false, Some(&before)),
			Err(MarginCheckError::BelowInitial)
		);
	})
}

// ------------------------------------------------------------------ item 6

/// Bob: `coll` USD, short 1 ATM BTC call, long 1 ETH call K = 3,000 with ETH at 3,500 (worth
/// 500), and ETH's oracle held by its circuit breaker.
fn stale_eth_setup(coll: u128) -> (u32, u32) {
	assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), coll * USD));
	assert_ok!(Margin::deposit(RuntimeOrigin::signed(CHARLIE), 100_000 * USD));
	MockOracle::set_price(ETH, usd(3_500), PriceStatus::Fresh);
	MockOracle::set_volatility(ETH, FixedU128::from_inner(0), PriceStatus::Fresh);
	let btc = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
	let eth = MockPositions::add_series(call(ETH, 3_000, EXPIRY));
	MockPositions::trade(ALICE, BOB, btc, 1);
	MockPositions::trade(BOB, ALICE, eth, 1);
	(btc, eth)
}

#[test]
fn a_stale_second_underlying_does_not_shield_an_underwater_book() {
	build_and_execute(|| {
		let (btc, eth) = stale_eth_setup(9_000);
		assert_ok!(Margin::fund_insurance(RuntimeOrigin::signed(DAVE), 1_000 * USD));
		// Fresh: equity 9,000 + 500 = 9,500.
		assert_eq!(Margin::risk_of(&BOB).unwrap().equity, usd_i(9_500));
		MockOracle::set_price(ETH, usd(3_500), PriceStatus::CircuitBreaker);
		// S = 64,000: the BTC short owes 4,000; the ETH long counts at its last mark for
		// maintenance (5,500 < 8,800: liquidatable) and nothing for initial (5,000). Before this
		// fix nobody could liquidate Bob while ETH's breaker held.
		set_btc(64_000);
		let r = Margin::risk_of(&BOB).unwrap();
		assert_eq!((r.equity, r.initial_equity), (usd_i(5_500), usd_i(5_000)));
		assert_eq!(Margin::api_account_margin(BOB).unwrap().state, AccountState::Liquidatable);
		// A keeper may take the BTC short; not the stale ETH long.
		assert_noop!(
			Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, eth, 1).map_err(|e| e.error),
			Error::<Test>::PriceStale
		);
		sweep_all();
		assert_eq!(MockPositions::net(BOB, btc), 0);
		assert_eq!(MockPositions::net(Margin::insurance_account(), btc), -1);
		assert_eq!(MockPositions::net(BOB, eth), 1);
		// Bob paid 4,000 for the short and 5 % of its 8,800 maintenance (440).
		assert_eq!(Margin::collateral_of(&BOB), 4_560 * USD);
	})
}

#[test]
fn a_keeper_liquidates_the_fresh_short_of_an_account_with_a_stale_underlying() {
	build_and_execute(|| {
		let (btc, _) = stale_eth_setup(9_000);
		MockOracle::set_price(ETH, usd(3_500), PriceStatus::Stale);
		set_btc(64_000);
		assert_ok!(Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, btc, 1));
		assert_eq!(MockPositions::net(CHARLIE, btc), -1);
		assert_eq!(Margin::collateral_of(&BOB), 4_560 * USD);
		// Charlie: 100,000 + 4,000 + 440 - 220 to the fund.
		assert_eq!(Margin::collateral_of(&CHARLIE), 104_220 * USD);
	})
}

#[test]
fn the_liquidators_own_check_needs_fresh_prices() {
	build_and_execute(|| {
		let (btc, eth) = stale_eth_setup(9_000);
		// Charlie holds a position on ETH, whose price is stale: he cannot take risk now.
		MockPositions::trade(CHARLIE, ALICE, eth, 1);
		MockOracle::set_price(ETH, usd(3_500), PriceStatus::Stale);
		set_btc(64_000);
		assert_noop!(
			Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, btc, 1).map_err(|e| e.error),
			Error::<Test>::PriceStale
		);
	})
}

#[test]
fn one_tripped_breaker_does_not_make_accounts_liquidatable() {
	build_and_execute(|| {
		// Bob: 3,000 USDC, short 1 ATM BTC call (maintenance 4,500), long ETH calls worth
		// 5,000 (10 calls K = 3,000 at 3,500). A spike trips ETH's breaker: the longs still
		// count at their last mark for maintenance (equity 8,000: not liquidatable) but back
		// no new risk (initial equity 3,000 < 9,000: restricted).
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 3_000 * USD));
		MockOracle::set_price(ETH, usd(3_500), PriceStatus::Fresh);
		MockOracle::set_volatility(ETH, FixedU128::from_inner(0), PriceStatus::Fresh);
		let btc = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
		let eth = MockPositions::add_series(call(ETH, 3_000, EXPIRY));
		MockPositions::trade(ALICE, BOB, btc, 1);
		MockPositions::trade(BOB, ALICE, eth, 10);
		MockOracle::set_price(ETH, usd(3_500), PriceStatus::CircuitBreaker);
		let m = Margin::api_account_margin(BOB).unwrap();
		assert_eq!(
			(m.equity, m.initial_equity, m.maintenance, m.state),
			(usd_i(8_000), usd_i(3_000), 4_500 * USD, AccountState::Restricted)
		);
		sweep_all();
		assert_eq!(MockPositions::net(BOB, btc), -1);
		assert_eq!(Margin::collateral_of(&BOB), 3_000 * USD);
	})
}

// ------------------------------------------------------------------ item 7

/// Bob: 45,000 USDC, short 4 ATM calls; S = 64,000: mark 4,000, maintenance 8,800 each
/// (35,200), equity 29,000: liquidatable. Target 1.1 * 35,200 = 38,720; each contract taken
/// releases 8,800 of maintenance and costs 440 of penalty: he needs
/// ceil((38,720 - 29,000) / (1.1 - 0.05)) = 9,257.142858 released: 2 contracts.
fn four_shorts() -> u32 {
	assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 45_000 * USD));
	assert_ok!(Margin::deposit(RuntimeOrigin::signed(CHARLIE), 100_000 * USD));
	let s = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
	MockPositions::trade(ALICE, BOB, s, 4);
	set_btc(64_000);
	s
}

#[test]
fn the_sweep_liquidates_only_what_is_needed() {
	build_and_execute(|| {
		let s = four_shorts();
		let r = Margin::risk_of(&BOB).unwrap();
		// (Plus 3 units of slack for rounding.)
		assert_eq!(Margin::maintenance_to_release(&r).unwrap(), 9_257_142_861);
		sweep_all();
		// 2 of 4 taken: Bob paid 2 * 4,000 + 5 % of 17,600 = 8,880.
		assert_eq!(MockPositions::net(BOB, s), -2);
		assert_eq!(MockPositions::net(Margin::insurance_account(), s), -2);
		assert_eq!(Margin::collateral_of(&BOB), 36_120 * USD);
		assert_eq!(Margin::insurance_fund(), 8_880 * USD);
		// Equity 36,120 - 8,000 = 28,120 >= 1.1 * 17,600 = 19,360: liquidation over.
		assert!(margin_events().contains(&Event::LiquidationEnded { account: BOB }));
		assert!(margin_events().contains(&Event::PenaltyCharged {
			account: BOB,
			liquidator: Margin::insurance_account(),
			penalty: 880 * USD,
			insurance_fee: 0,
		}));
		// Initial 2 x (0.15 x 64,000 + 4,000) = 27,200 <= 28,120: healthy again.
		assert_eq!(figures(BOB).3, AccountState::Healthy);
	})
}

#[test]
fn a_keeper_takes_only_what_is_needed() {
	build_and_execute(|| {
		let s = four_shorts();
		// Charlie asks for all 4: he gets 2.
		assert_ok!(Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, s, 4));
		assert_eq!(MockPositions::net(BOB, s), -2);
		assert_eq!(MockPositions::net(CHARLIE, s), -2);
		// Charlie: + 8,000 for the shorts + 880 penalty - 440 to the fund.
		assert_eq!(Margin::collateral_of(&CHARLIE), 108_440 * USD);
		assert_eq!(Margin::collateral_of(&BOB), 36_120 * USD);
		assert_noop!(
			Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, s, 1).map_err(|e| e.error),
			Error::<Test>::NotLiquidatable
		);
	})
}

#[test]
fn the_sweep_takes_the_largest_risk_first() {
	build_and_execute(|| {
		// Bob: 12,000 USDC, short 1 call K = 70,000 (OTM at 64,000: maintenance 4,800) and 1
		// call K = 60,000 (maintenance 8,800). Equity 8,000, maintenance 13,600: to release
		// ceil((14,960 - 8,000) / 1.05) = 6,628.571429: the K = 60,000 call alone.
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 12_000 * USD));
		let otm = MockPositions::add_series(call(BTC, 70_000, EXPIRY));
		let itm = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
		MockPositions::trade(ALICE, BOB, otm, 1);
		MockPositions::trade(ALICE, BOB, itm, 1);
		set_btc(64_000);
		sweep_all();
		assert_eq!(MockPositions::net(BOB, itm), 0);
		assert_eq!(MockPositions::net(BOB, otm), -1);
		// Paid 4,000 + 440.
		assert_eq!(Margin::collateral_of(&BOB), 7_560 * USD);
	})
}

#[test]
fn a_long_is_liquidated_only_to_repay_debt() {
	build_and_execute(|| {
		let s = four_shorts();
		let eth = MockPositions::add_series(call(ETH, 3_000, EXPIRY));
		MockOracle::set_price(ETH, usd(3_500), PriceStatus::Fresh);
		MockOracle::set_volatility(ETH, FixedU128::from_inner(0), PriceStatus::Fresh);
		MockPositions::trade(BOB, ALICE, eth, 1);
		// A long does not lower the requirement while shorts remain.
		assert_noop!(
			Margin::liquidate(RuntimeOrigin::signed(CHARLIE), BOB, eth, 1).map_err(|e| e.error),
			Error::<Test>::LiquidationNotNeeded
		);
		let _ = s;
	})
}

// ------------------------------------------------------------------ item 8

#[test]
fn the_ledger_cannot_be_filled_to_lock_people_out() {
	build_and_execute(|| {
		// 200 accounts with the minimum deposit (more than any fixed cap the mock had).
		for who in 1_000..1_200u64 {
			assert_ok!(<Assets as Mutate<AccountId>>::mint_into(USDC, &who, 10 * USD));
			assert_ok!(Margin::deposit(RuntimeOrigin::signed(who), 10 * USD));
		}
		assert_eq!(AccountCount::<Test>::get(), 200);
		// A newcomer still deposits, and the fee account still receives its first fee.
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), 10 * USD));
		assert_ok!(Margin::charge_fee(&ALICE, USD));
		assert_eq!(Margin::collateral_of(&FEES), USD);
		assert_eq!(AccountCount::<Test>::get(), 202);
	})
}

// ------------------------------------------------------------------ item 9

#[test]
fn longs_count_for_maintenance_but_not_for_initial() {
	build_and_execute(|| {
		// Bob: 10 USDC, long 1 call K = 54,000 (worth 6,000), short 1 call K = 66,000
		// (initial 6,000, maintenance 4,500). Equity 6,010 covers maintenance, but no cash
		// backs the short: restricted, and he cannot add risk.
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 10 * USD));
		let long = MockPositions::add_series(call(BTC, 54_000, EXPIRY));
		let short = MockPositions::add_series(call(BTC, 66_000, EXPIRY));
		MockPositions::trade(BOB, ALICE, long, 1);
		MockPositions::trade(ALICE, BOB, short, 1);
		let m = Margin::api_account_margin(BOB).unwrap();
		assert_eq!(
			(m.equity, m.initial_equity, m.initial, m.maintenance, m.state),
			(usd_i(6_010), usd_i(10), 6_000 * USD, 4_500 * USD, AccountState::Restricted)
		);
		assert_eq!(
			Margin::ensure_initial_margin(&BOB, true, None),
			Err(MarginCheckError::BelowInitial)
		);
		// Governance may grant credit (here: full).
		let mut p = MarginParameters::default();
		p.long_initial_credit = FixedU128::from_u32(1);
		assert_ok!(Margin::set_parameters(RuntimeOrigin::root(), p));
		assert_eq!(Margin::api_account_margin(BOB).unwrap().state, AccountState::Healthy);
		p.long_initial_credit = FixedU128::from_rational(11, 10);
		assert_noop!(
			Margin::set_parameters(RuntimeOrigin::root(), p),
			Error::<Test>::InvalidLongCredit
		);
	})
}

// ------------------------------------------------------------------ item 10

#[test]
fn a_donation_to_the_escrow_does_not_break_the_books() {
	build_and_execute(|| {
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 100 * USD));
		let escrow = Margin::escrow_account();
		assert_ok!(<Assets as Mutate<AccountId>>::transfer(
			USDC,
			&ALICE,
			&escrow,
			5 * USD,
			frame_support::traits::tokens::Preservation::Expendable
		));
		assert_ok!(Margin::do_try_state());
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(BOB), 100 * USD));
		assert_eq!(Margin::escrow_balance(), 5 * USD);
	})
}

#[test]
fn a_parameter_change_applies_only_after_its_notice() {
	build_and_execute(|| {
		ParameterNotice::set(10);
		// Bob: 5,000 USDC, short 1 ATM call: maintenance 4,500, healthy.
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 5_000 * USD));
		let s = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
		MockPositions::trade(ALICE, BOB, s, 1);
		let mut p = MarginParameters::default();
		p.maintenance_rate = FixedU128::from_rational(1, 10);
		assert_ok!(Margin::set_parameters(RuntimeOrigin::root(), p));
		System::assert_last_event(
			Event::ParametersScheduled { params: p, effective_at: 11 }.into(),
		);
		// Announced, not applied: Bob is not liquidatable and has 10 blocks to act.
		assert_eq!(Params::<Test>::get(), MarginParameters::default());
		assert_eq!(figures(BOB).2, 4_500 * USD);
		// Block 10's trigger step re-evaluates Bob (hot: it traded) under the old rule.
		Margin::on_initialize(10);
		assert_eq!(Params::<Test>::get(), MarginParameters::default());
		assert_eq!(figures(BOB).3, AccountState::Restricted);
		let swept = |e: &Event<Test>| matches!(e, Event::AccountSwept { account: BOB, .. });
		assert!(!margin_events().iter().any(swept));
		// In block 11 the rule applies first: 0.1 * 60,000 = 6,000 > 5,000, Bob is
		// liquidatable, and the same block's trigger step liquidates it before any extrinsic.
		Margin::on_initialize(11);
		assert_eq!(Params::<Test>::get(), p);
		System::assert_has_event(Event::ParametersUpdated { params: p }.into());
		System::assert_has_event(Event::AccountSwept { account: BOB, positions: 1 }.into());
		assert_eq!(MockPositions::net(BOB, s), 0);
		assert!(PendingParams::<Test>::get().is_none());
	})
}

#[test]
fn a_position_opened_during_the_notice_meets_the_announced_rule() {
	build_and_execute(|| {
		ParameterNotice::set(10);
		let mut p = MarginParameters::default();
		p.initial_rate = FixedU128::from_rational(2, 10);
		p.maintenance_rate = FixedU128::from_rational(1, 10);
		assert_ok!(Margin::set_parameters(RuntimeOrigin::root(), p));
		// During the notice an ATM short needs the larger initial: 0.2 x 60,000 = 12,000
		// (not 9,000), so it is still healthy when the new maintenance (6,000) applies.
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 9_000 * USD));
		let s = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
		MockPositions::trade(ALICE, BOB, s, 1);
		let m = Margin::api_account_margin(BOB).unwrap();
		assert_eq!((m.initial, m.maintenance), (12_000 * USD, 4_500 * USD));
		assert_eq!(
			Margin::ensure_initial_margin(&BOB, true, None),
			Err(MarginCheckError::BelowInitial)
		);
	})
}

#[test]
fn negative_rates_are_refused() {
	build_and_execute(|| {
		// A negative rate makes a deep put worth more than its strike (the put cap would then
		// ask nothing); a negative dividend yield a call worth more than the index.
		let mut p = MarginParameters::default();
		p.rate = FixedI128::from_inner(-10_000_000_000_000_000);
		assert_noop!(
			Margin::set_parameters(RuntimeOrigin::root(), p),
			Error::<Test>::InvalidInterestRate
		);
		p.rate = FixedI128::from_u32(0);
		p.dividend_yield = FixedI128::from_inner(-10_000_000_000_000_000);
		assert_noop!(
			Margin::set_parameters(RuntimeOrigin::root(), p),
			Error::<Test>::InvalidInterestRate
		);
		p.dividend_yield = FixedI128::from_rational(11, 10);
		assert_noop!(
			Margin::set_parameters(RuntimeOrigin::root(), p),
			Error::<Test>::InvalidInterestRate
		);
	})
}

#[test]
fn migration_v1_keeps_the_stored_parameters() {
	build_and_execute(|| {
		use codec::Encode;
		use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
		let old = crate::migrations::v1::MarginParametersV0 {
			initial_rate: FixedU128::from_rational(2, 10),
			min_initial_rate: FixedU128::from_rational(1, 10),
			maintenance_rate: FixedU128::from_rational(5, 100),
			liquidation_penalty: FixedU128::from_rational(3, 100),
			insurance_share: FixedU128::from_rational(1, 2),
			liquidation_buffer: FixedU128::from_rational(1, 10),
			rate: FixedI128::from_rational(1, 100),
			dividend_yield: FixedI128::from_inner(0),
		};
		frame_support::storage::unhashed::put_raw(&Params::<Test>::hashed_key(), &old.encode());
		StorageVersion::new(0).put::<Margin>();
		crate::migrations::v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Margin::on_chain_storage_version(), StorageVersion::new(1));
		let new = Params::<Test>::get();
		assert_eq!(new, old.upgrade());
		assert_eq!(new.maintenance_rate, FixedU128::from_rational(5, 100));
		assert_eq!(new.maintenance_mark_rate, FixedU128::from_rational(75, 1000));
		assert_eq!(new.long_initial_credit, FixedU128::from_inner(0));
		// Runs once: a second upgrade leaves later changes alone.
		let mut later = new;
		later.long_initial_credit = FixedU128::from_rational(1, 2);
		Params::<Test>::put(later);
		crate::migrations::v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(Params::<Test>::get(), later);
	})
}

#[test]
fn migration_v2_makes_every_ledger_account_hot() {
	build_and_execute(|| {
		use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
		// A v1 ledger: Bob with a short call, Charlie with money only, the insurance fund;
		// no hot list (v1 had none).
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 5_000 * USD));
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(CHARLIE), 100 * USD));
		assert_ok!(Margin::fund_insurance(RuntimeOrigin::signed(CHARLIE), 50 * USD));
		let s = MockPositions::add_series(call(BTC, 60_000, EXPIRY));
		MockPositions::trade(MARKET, BOB, s, 1);
		let _ = Hot::<Test>::clear(u32::MAX, None);
		assert_eq!(Hot::<Test>::count(), 0);
		assert!(
			Margin::do_try_state().is_err(),
			"Bob has a position and is neither hot nor banded"
		);
		StorageVersion::new(1).put::<Margin>();
		crate::migrations::v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(Margin::on_chain_storage_version(), StorageVersion::new(2));
		let mut hot: Vec<AccountId> = Hot::<Test>::iter_keys().collect();
		hot.sort();
		// Every ledger account with positions but the insurance fund's (the market has no
		// ledger entry, Charlie no position).
		assert_eq!(hot, vec![BOB]);
		assert_ok!(Margin::do_try_state());
		// Runs once.
		let _ = Hot::<Test>::clear(u32::MAX, None);
		crate::migrations::v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(Hot::<Test>::count(), 0);
		// (Bob is hot again for the closing `try_state`.)
		Margin::touch(&BOB);
	})
}
