//! Warm makers (issue 15, item 3): an account evaluated in this block whose spare initial
//! equity covers the mark value of its resting sells (plus 4 units per resting contract) is not
//! evaluated again when its resting orders fill in the same block; at the boundary, fills at
//! any price inside the orders keep it at or above its initial requirement.
//!
//! Figures by hand: BTC at 60,000 USD with volatility 0 and no rate, so a 50,000 call's mark is
//! its intrinsic value, 10,000 USD; a short of it needs `15 % * 60,000 + 10,000 = 19,000` USD
//! initial. Bob rests a sell of 2: initial 38,000 USD, resting-fill cost `W = 2 * 10,000` USD
//! `+ 2 * 4` units.

use crate::{mock::*, *};
use frame_support::{assert_ok, weights::Weight};
use optionchain_primitives::exchange::{MarginAccounts, MarginCheckError};

const SPARE_UNITS: u128 = 8;

/// Bob with `collateral` and a resting sell of 2 ITM calls; returns the series.
fn bob_resting_two_asks(collateral: u128) -> u32 {
	let s = MockPositions::add_series(call(BTC, 50_000, EXPIRY));
	assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), collateral));
	MockPositions::set_orders(BOB, s, 2, 0, 0);
	assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), 100_000 * USD));
	s
}

fn checked_at(who: AccountId) -> u32 {
	Accounts::<Test>::get(who).map(|a| a.checked_at).unwrap_or(0)
}

/// Alice lifts one of Bob's asks at `premium` USD, as the options pallet's fill does.
fn fill_one(s: u32, premium: u128, sells_left: i64) {
	assert_ok!(<Margin as MarginAccounts<AccountId>>::transfer(&ALICE, &BOB, premium * USD));
	MockPositions::trade(ALICE, BOB, s, 1);
	MockPositions::set_orders(BOB, s, sells_left, 0, 0);
}

fn maker_check() -> Result<Weight, MarginCheckError> {
	<Margin as MarginAccounts<AccountId>>::ensure_maker_margin(&BOB, true, None)
}

#[test]
fn the_resting_fill_cost_is_the_asks_mark_value_plus_four_units_per_contract() {
	build_and_execute(|| {
		let s = bob_resting_two_asks(60_000 * USD);
		MockPositions::set_orders(BOB, s, 2, 3, 300 * USD);
		let r = Margin::risk_of(&BOB).unwrap();
		// 2 * 10,000 USD of marks; 5 resting contracts * 4 units.
		assert_eq!(Margin::resting_fill_cost(&r).unwrap(), 20_000 * USD + 5 * 4);
		assert_eq!(r.initial, 38_000 * USD + 300 * USD);
	})
}

#[test]
fn a_maker_evaluated_in_its_block_is_not_evaluated_again_for_its_fills() {
	build_and_execute(|| {
		// Exactly covered: 38,000 initial + 20,000 of marks + 8 units.
		let s = bob_resting_two_asks(58_000 * USD + SPARE_UNITS);
		assert_eq!(checked_at(BOB), 0);
		assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, true, None));
		assert_eq!(checked_at(BOB), 1);
		// Both asks filled at 100 USD, far below the mark: no evaluation (zero weight), and the
		// account still meets its initial requirement (the debug build checks it after each).
		fill_one(s, 100, 1);
		assert_eq!(maker_check().unwrap(), Weight::zero());
		fill_one(s, 100, 0);
		assert_eq!(maker_check().unwrap(), Weight::zero());
		let r = Margin::risk_of(&BOB).unwrap();
		// 58,000 + 200 - 2 * 10,000 of liability; 2 * 19,000 of requirement.
		assert_eq!(r.initial_equity, (38_200 * USD + SPARE_UNITS) as i128);
		assert_eq!(r.initial, 38_000 * USD);
		// The fill's premium kept it warm.
		assert_eq!(checked_at(BOB), 1);
		// In the next block prices may have moved: evaluated again.
		System::set_block_number(2);
		assert!(maker_check().unwrap().ref_time() > 0);
	})
}

#[test]
fn a_maker_one_unit_short_of_the_cover_is_evaluated_at_every_fill() {
	build_and_execute(|| {
		let s = bob_resting_two_asks(58_000 * USD + SPARE_UNITS - 1);
		assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, true, None));
		assert_eq!(checked_at(BOB), 0);
		fill_one(s, 100, 1);
		assert!(maker_check().unwrap().ref_time() > 0);
	})
}

#[test]
fn without_the_cover_a_fill_below_the_mark_is_caught_by_the_evaluation() {
	build_and_execute(|| {
		// Exactly the initial requirement: meets it, not warm.
		let s = bob_resting_two_asks(38_000 * USD);
		assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, true, None));
		assert_eq!(checked_at(BOB), 0);
		// Selling a 10,000 USD call for 100 USD loses 9,900 of equity: below initial.
		fill_one(s, 100, 1);
		assert!(matches!(maker_check(), Err(MarginCheckError::BelowInitial)));
	})
}

#[test]
fn any_other_debit_makes_a_warm_account_cold() {
	build_and_execute(|| {
		bob_resting_two_asks(70_000 * USD);
		assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, true, None));
		assert_eq!(checked_at(BOB), 1);
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(BOB), 1_000 * USD));
		assert_eq!(checked_at(BOB), 0);
		assert!(maker_check().unwrap().ref_time() > 0);
		// The check stamped it again; a debt (a settlement it could not pay) clears it.
		assert_eq!(checked_at(BOB), 1);
		assert_ok!(Margin::add_debt(&BOB, 1));
		assert_eq!(checked_at(BOB), 0);
		// (A debt with collateral is not a state the ledger reaches: set off for `try_state`.)
		assert_ok!(Margin::reduce_debt(&BOB, 1));
		// A check that passes without the cover clears a stamp too.
		assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, true, None));
		assert_eq!(checked_at(BOB), 1);
		// 3 asks: 57,000 initial, 30,000 of marks, 69,000 of collateral.
		MockPositions::set_orders(BOB, 0, 3, 0, 0);
		assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, true, None));
		assert_eq!(checked_at(BOB), 0);
	})
}

#[test]
fn a_long_paid_less_than_due_makes_a_warm_account_cold() {
	build_and_execute(|| {
		bob_resting_two_asks(70_000 * USD);
		assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, true, None));
		assert_eq!(checked_at(BOB), 1);
		// Series 3's shorts paid 1,000 USD in; Bob's long is due 4,000 (`settle_account` runs
		// in the extrinsic phase: the loss lands mid-block).
		assert_ok!(<Margin as MarginAccounts<AccountId>>::settle_short(&ALICE, 3, 1_000 * USD));
		assert_eq!(
			<Margin as MarginAccounts<AccountId>>::settle_long(&BOB, 3, 4_000 * USD, 1, 1),
			Ok(1_000 * USD)
		);
		assert_eq!(checked_at(BOB), 0);
	})
}

#[test]
fn a_stale_price_or_a_reducing_check_never_makes_or_uses_a_warm_maker() {
	build_and_execute(|| {
		bob_resting_two_asks(70_000 * USD);
		assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, true, None));
		assert_eq!(checked_at(BOB), 1);
		// A reduce-only maker under a margin call is compared with its figures: always evaluated.
		let (before, _) = <Margin as MarginAccounts<AccountId>>::margin_snapshot(&BOB).unwrap();
		assert!(
			<Margin as MarginAccounts<AccountId>>::ensure_maker_margin(&BOB, false, Some(&before))
				.unwrap()
				.ref_time() > 0
		);
		// On a stale price the evaluation passes a risk-reducing check but makes nothing warm.
		MockOracle::set_status(BTC, optionchain_primitives::PriceStatus::Stale);
		assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, false, None));
		assert_eq!(checked_at(BOB), 0);
	})
}

#[test]
fn a_parameter_change_voids_every_stamp_of_its_block() {
	build_and_execute(|| {
		bob_resting_two_asks(100_000 * USD);
		assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, true, None));
		assert_eq!(checked_at(BOB), 1);
		// Governance raises the initial rate mid-block (the mock's notice is 0: at once; with a
		// notice, the announced rate counts at once): initial 2 * 28,000, cover 20,000 + 8 units.
		let mut p = Params::<Test>::get();
		p.initial_rate = sp_arithmetic::FixedU128::from_rational(30, 100);
		assert_ok!(Margin::set_parameters(RuntimeOrigin::root(), p));
		assert!(maker_check().unwrap().ref_time() > 0);
		// Nobody becomes warm again in this block; in the next one an evaluation stamps.
		assert_eq!(checked_at(BOB), 0);
		System::set_block_number(2);
		assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, true, None));
		assert_eq!(checked_at(BOB), 2);
		assert_eq!(maker_check().unwrap(), Weight::zero());
	})
}

#[test]
fn an_expired_position_without_its_settlement_price_rules_warmth_out() {
	build_and_execute(|| {
		let s = bob_resting_two_asks(70_000 * USD);
		// Bob also holds a short of a series that expired, its settlement price not yet fixed
		// (governance could force it within the block).
		let old = MockPositions::add_series(call(BTC, 50_000, T0 + 1_000));
		MockPositions::trade(ALICE, BOB, old, 1);
		Timestamp::set_timestamp(T0 + 2_000);
		assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, true, None));
		assert_eq!(checked_at(BOB), 0);
		// Fixed: its value is settled, Bob can be warm.
		MockOracle::set_settlement_price(BTC, T0 + 1_000, usd(60_000));
		assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, true, None));
		assert_eq!(checked_at(BOB), 1);
		let _ = s;
	})
}

/// The same for resting sells of an expired series whose settlement price is not fixed: a
/// forced price would move their share of `W` (helper-43).
#[test]
fn expired_resting_sells_without_their_settlement_price_rule_warmth_out() {
	build_and_execute(|| {
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 70_000 * USD));
		let old = MockPositions::add_series(call(BTC, 50_000, T0 + 1_000));
		MockPositions::set_orders(BOB, old, 2, 0, 0);
		Timestamp::set_timestamp(T0 + 2_000);
		assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, true, None));
		assert_eq!(checked_at(BOB), 0);
		MockOracle::set_settlement_price(BTC, T0 + 1_000, usd(60_000));
		assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, true, None));
		assert_eq!(checked_at(BOB), 1);
	})
}

/// `settle_account` (anybody may call it) settles an expired position mid-block, which moves
/// money outside a fill and clears the stamp; the options pallet then calls `warm_again` for an
/// account that was warm, which evaluates it and stamps it again if it still qualifies.
#[test]
fn warm_again_restamps_an_account_a_settlement_made_cold_if_it_still_qualifies() {
	build_and_execute(|| {
		bob_resting_two_asks(70_000 * USD);
		// Bob's short of an expired call, settled at 60,000: 10,000 USD owed, counted in
		// equity; no requirement. Equity 60,000, initial 2 x 19,000, cover 20,000 + 8 units.
		let old = MockPositions::add_series(call(BTC, 50_000, T0 + 1_000));
		MockPositions::trade(ALICE, BOB, old, 1);
		Timestamp::set_timestamp(T0 + 2_000);
		MockOracle::set_settlement_price(BTC, T0 + 1_000, usd(60_000));
		assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, true, None));
		assert_eq!(checked_at(BOB), 1);
		// The settlement: Bob pays 10,000 in, the options pallet clears his entry.
		assert_eq!(
			<Margin as MarginAccounts<AccountId>>::settle_short(&BOB, old, 10_000 * USD),
			Ok(10_000 * USD)
		);
		MockPositions::trade(BOB, ALICE, old, 1);
		assert_eq!(checked_at(BOB), 0);
		// Evaluated again: the same 60,000 of equity, warm again; his fills need no check.
		let w = <Margin as MarginAccounts<AccountId>>::warm_again(&BOB);
		assert_eq!(w, Margin::check_weight(&Margin::risk_of(&BOB).unwrap()));
		assert!(w.ref_time() > 0);
		assert_eq!(checked_at(BOB), 1);
		assert_eq!(maker_check().unwrap(), Weight::zero());
		// An account that no longer qualifies (here: in debt) stays cold.
		assert_ok!(Margin::add_debt(&BOB, 1));
		<Margin as MarginAccounts<AccountId>>::warm_again(&BOB);
		assert_eq!(checked_at(BOB), 0);
		// (A debt with collateral is not a state the ledger reaches: set off for `try_state`.)
		assert_ok!(Margin::reduce_debt(&BOB, 1));
	})
}

#[test]
fn an_account_in_debt_is_never_warm() {
	build_and_execute(|| {
		// Longs credited in full: 2 ITM calls worth 20,000 cover a debt of 100 many times.
		let mut p = Params::<Test>::get();
		p.long_initial_credit = sp_arithmetic::FixedU128::from_u32(1);
		Params::<Test>::put(p);
		let s = MockPositions::add_series(call(BTC, 50_000, EXPIRY));
		MockPositions::trade(BOB, ALICE, s, 2);
		assert_ok!(Margin::add_debt(&BOB, 100 * USD));
		let r = Margin::risk_of(&BOB).unwrap();
		assert_eq!(r.initial_equity, 19_900 * USD as i128);
		assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, true, None));
		assert_eq!(checked_at(BOB), 0);
	})
}

#[test]
fn migrations_v3_to_v5_keep_every_ledger_entry_and_start_it_cold() {
	build_and_execute(|| {
		use crate::migrations::{
			v3::{AccountInfoV2, AccountInfoV3, MigrateV2ToV3},
			v4::{AccountInfoV4, MigrateV3ToV4},
			v5::MigrateV4ToV5,
		};
		use codec::Encode;
		use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
		let old = AccountInfoV2 {
			collateral: 1_234 * USD,
			state: AccountState::Restricted,
			in_liquidation: true,
			debt: 0,
		};
		let other = AccountInfoV2 {
			collateral: 0,
			state: AccountState::Healthy,
			in_liquidation: false,
			debt: 7,
		};
		for (who, v) in [(BOB, old), (CHARLIE, other)] {
			frame_support::storage::unhashed::put_raw(
				&Accounts::<Test>::hashed_key_for(who),
				&v.encode(),
			);
		}
		AccountCount::<Test>::put(2);
		StorageVersion::new(2).put::<Margin>();
		// (With try-runtime: each migration's own checks before and after.)
		#[cfg(feature = "try-runtime")]
		use frame_support::traits::UncheckedOnRuntimeUpgrade;
		#[cfg(feature = "try-runtime")]
		let state = crate::migrations::v3::UncheckedMigrateV2ToV3::<Test>::pre_upgrade().expect("pre");
		MigrateV2ToV3::<Test>::on_runtime_upgrade();
		#[cfg(feature = "try-runtime")]
		crate::migrations::v3::UncheckedMigrateV2ToV3::<Test>::post_upgrade(state).expect("post");
		assert_eq!(Margin::on_chain_storage_version(), StorageVersion::new(3));
		// Stored in the v3 layout (v4 follows on the same upgrade).
		let v3 = |who: u64| {
			let raw =
				frame_support::storage::unhashed::get_raw(&Accounts::<Test>::hashed_key_for(who))
					.unwrap();
			<AccountInfoV3 as codec::Decode>::decode(&mut &raw[..]).unwrap()
		};
		assert_eq!(
			v3(BOB),
			AccountInfoV3 {
				collateral: 1_234 * USD,
				state: AccountState::Restricted,
				in_liquidation: true,
				debt: 0,
				checked_at: 0
			}
		);
		assert_eq!((v3(CHARLIE).debt, v3(CHARLIE).checked_at), (7, 0));
		// Runs once: a later stamp survives a second upgrade.
		let mut c = v3(CHARLIE);
		c.checked_at = 5;
		frame_support::storage::unhashed::put_raw(
			&Accounts::<Test>::hashed_key_for(CHARLIE),
			&c.encode(),
		);
		MigrateV2ToV3::<Test>::on_runtime_upgrade();
		assert_eq!(v3(CHARLIE).checked_at, 5);
		// Then v3 -> v4: every field kept, no spare recorded.
		#[cfg(feature = "try-runtime")]
		let state = crate::migrations::v4::UncheckedMigrateV3ToV4::<Test>::pre_upgrade().expect("pre");
		MigrateV3ToV4::<Test>::on_runtime_upgrade();
		#[cfg(feature = "try-runtime")]
		crate::migrations::v4::UncheckedMigrateV3ToV4::<Test>::post_upgrade(state).expect("post");
		assert_eq!(Margin::on_chain_storage_version(), StorageVersion::new(4));
		// Stored in the v4 layout (v5 follows on the same upgrade).
		let v4 = |who: u64| {
			let raw =
				frame_support::storage::unhashed::get_raw(&Accounts::<Test>::hashed_key_for(who))
					.unwrap();
			<AccountInfoV4 as codec::Decode>::decode(&mut &raw[..]).unwrap()
		};
		assert_eq!(
			v4(BOB),
			AccountInfoV4 {
				collateral: 1_234 * USD,
				state: AccountState::Restricted,
				in_liquidation: true,
				debt: 0,
				checked_at: 0,
				warm_spare: 0,
			}
		);
		assert_eq!((v4(CHARLIE).debt, v4(CHARLIE).checked_at, v4(CHARLIE).warm_spare), (7, 5, 0));
		// Runs once: a spare recorded later survives a second upgrade.
		let mut c = v4(CHARLIE);
		c.warm_spare = 9;
		frame_support::storage::unhashed::put_raw(
			&Accounts::<Test>::hashed_key_for(CHARLIE),
			&c.encode(),
		);
		MigrateV3ToV4::<Test>::on_runtime_upgrade();
		assert_eq!(v4(CHARLIE).warm_spare, 9);
		// Then v4 -> v5: every field kept, no series listed (the options pallet's migration
		// lists them).
		#[cfg(feature = "try-runtime")]
		let state = crate::migrations::v5::UncheckedMigrateV4ToV5::<Test>::pre_upgrade().expect("pre");
		MigrateV4ToV5::<Test>::on_runtime_upgrade();
		#[cfg(feature = "try-runtime")]
		crate::migrations::v5::UncheckedMigrateV4ToV5::<Test>::post_upgrade(state).expect("post");
		assert_eq!(Margin::on_chain_storage_version(), StorageVersion::new(5));
		assert_eq!(
			Accounts::<Test>::get(BOB),
			Some(AccountInfo {
				collateral: 1_234 * USD,
				state: AccountState::Restricted,
				in_liquidation: true,
				debt: 0,
				checked_at: 0,
				warm_spare: 0,
				positions: Default::default(),
			})
		);
		assert_eq!(
			Accounts::<Test>::get(CHARLIE).map(|a| (a.debt, a.checked_at, a.warm_spare)),
			Some((7, 5, 9))
		);
		// Runs once: a series listed later survives a second upgrade.
		assert_ok!(<Margin as MarginAccounts<AccountId>>::note_position(&CHARLIE, 3, true, 8));
		MigrateV4ToV5::<Test>::on_runtime_upgrade();
		assert_eq!(Accounts::<Test>::get(CHARLIE).map(|a| a.positions.into_inner()), Some(vec![3]));
		// (The hand-written entries are not backed by escrow: remove them for `try_state`.)
		Accounts::<Test>::remove(BOB);
		Accounts::<Test>::remove(CHARLIE);
		AccountCount::<Test>::put(0);
	})
}

mod property {
	//! At fixed prices, any sequence of fills inside a warm maker's resting orders (random
	//! series, prices to the unit, sizes, existing positions, volatility; contracts of 0.1 BTC so
	//! that marks and requirements round) leaves it at or above its initial requirement,
	//! starting from the least collateral that makes it warm (spare = `W` exactly).

	use super::*;
	use optionchain_primitives::{exchange::Contracts, PriceStatus};
	use proptest::prelude::*;

	/// Per contract, and the cap on the premium (the runtime's maker fee: 0.30 USDC, 12.5 %).
	const FEE_PER_CONTRACT: u128 = 300_000;
	const FEE_CAP_PERCENT: u128 = 125;

	#[derive(Debug, Clone)]
	struct Resting {
		series: usize,
		sell: bool,
		/// Settlement units (6 decimals) per contract of 0.1 BTC.
		price: u128,
		qty: i64,
	}

	fn fee(q: i64, premium: u128) -> u128 {
		(FEE_PER_CONTRACT * q as u128).min(premium * FEE_CAP_PERCENT / 1000)
	}

	/// The options pallet's exposure of `orders` in series `s` for BOB.
	fn expose(series: &[u32], orders: &[Resting], s: usize) {
		let (mut sell, mut buy, mut buy_premium, mut sell_premium) = (0i64, 0i64, 0u128, 0u128);
		for o in orders.iter().filter(|o| o.series == s && o.qty > 0) {
			let premium = o.price * o.qty as u128;
			if o.sell {
				sell += o.qty;
				sell_premium += premium;
			} else {
				buy += o.qty;
				buy_premium += premium;
			}
		}
		MockPositions::set_orders(BOB, series[s], sell, buy, buy_premium);
		let by_contracts = FEE_PER_CONTRACT * (sell + buy) as u128;
		let by_premium = (buy_premium + sell_premium) * FEE_CAP_PERCENT / 1000;
		MockPositions::set_fee_reserve(BOB, series[s], by_contracts.min(by_premium));
	}

	fn resting() -> impl Strategy<Value = Resting> {
		(0usize..3, any::<bool>(), 1u128..1_200_000_000, 1i64..4)
			.prop_map(|(series, sell, price, qty)| Resting { series, sell, price, qty })
	}

	proptest! {
		#![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

		#[test]
		fn fills_inside_a_warm_makers_orders_keep_it_at_or_above_initial(
			price in 50u128..70,
			vol_percent in 0u128..120,
			nets in proptest::collection::vec(-2i64..3, 3),
			orders in proptest::collection::vec(resting(), 1..6),
			fills in proptest::collection::vec((0usize..6, 1i64..4), 1..12),
		) {
			ExtBuilder::default().build().execute_with(|| -> Result<(), TestCaseError> {
				let mut orders = orders.clone();
				MockOracle::set_price(BTC, usd(price * 1_000), PriceStatus::Fresh);
				MockOracle::set_volatility(
					BTC,
					sp_arithmetic::FixedU128::from_rational(vol_percent, 100),
					PriceStatus::Fresh,
				);
				let series: Vec<u32> = [
					call(BTC, 60_000, EXPIRY),
					put(BTC, 55_000, EXPIRY),
					call(BTC, 66_000, EXPIRY),
				]
				.into_iter()
				// Contracts of 0.1 BTC: marks and requirements round.
				.map(|t| MockPositions::add_series(optionchain_primitives::exchange::SeriesTerms {
					contract_size: sp_arithmetic::FixedU128::from_rational(1, 10),
					..t
				}))
				.collect();
				assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), 500_000 * USD));
				assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), 10 * USD));
				for (i, n) in nets.iter().enumerate() {
					if *n > 0 {
						MockPositions::trade(BOB, ALICE, series[i], *n);
					} else if *n < 0 {
						MockPositions::trade(ALICE, BOB, series[i], -*n);
					}
				}
				for s in 0..3 {
					expose(&series, &orders, s);
				}
				// The least collateral that makes Bob warm: spare initial equity == W.
				let r = Margin::risk_of(&BOB).unwrap();
				let w = Margin::resting_fill_cost(&r).unwrap() as i128;
				let need = w - (r.initial_equity - r.initial as i128);
				if need > 0 {
					assert_ok!(Margin::deposit(RuntimeOrigin::signed(BOB), need as u128));
				}
				let r = Margin::risk_of(&BOB).unwrap();
				prop_assume!(r.initial_equity - r.initial as i128 == w);
				assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(&BOB, true, None));
				assert_eq!(checked_at(BOB), 1);
				for (pick, q) in fills.iter() {
					let len = orders.len().max(1);
					let Some(o) = orders.get_mut(pick % len) else { continue };
					let q: Contracts = (*q).min(o.qty);
					if q == 0 {
						continue;
					}
					let premium = o.price * q as u128;
					let s = series[o.series];
					// Alice is the taker: the premium, both fees, the positions.
					if o.sell {
						assert_ok!(<Margin as MarginAccounts<AccountId>>::transfer(&ALICE, &BOB, premium));
						MockPositions::trade(ALICE, BOB, s, q);
					} else {
						assert_ok!(<Margin as MarginAccounts<AccountId>>::transfer(&BOB, &ALICE, premium));
						MockPositions::trade(BOB, ALICE, s, q);
					}
					let f = fee(q, premium);
					assert_ok!(<Margin as MarginAccounts<AccountId>>::charge_fee(&BOB, f));
					assert_ok!(<Margin as MarginAccounts<AccountId>>::charge_fee(&ALICE, f));
					o.qty -= q;
					let series_index = o.series;
					expose(&series, &orders, series_index);
					// Still warm, not evaluated (zero weight; the debug build evaluates it and
					// panics below initial), and at or above initial.
					assert_eq!(maker_check().unwrap(), Weight::zero());
					let r = Margin::risk_of(&BOB).unwrap();
					prop_assert!(
						r.initial_equity >= r.initial as i128,
						"below initial after a fill: {} < {}",
						r.initial_equity,
						r.initial
					);
				}
				Margin::do_try_state().expect("try_state holds");
				Ok(())
			})?;
		}
	}
}

mod quote {
	//! A warm account's `quote` checked on its quoted series alone (`quote_warm`): the spare
	//! recorded at its evaluation, less the change of `IM + W` on those series, is exactly the
	//! spare a full evaluation finds when nothing else changed, and a change beyond it is left
	//! to a full evaluation.
	use super::*;
	use optionchain_primitives::{
		exchange::{OrderExposure, PositionsProvider, QuoteChange},
		testing::MockOracle,
		PriceStatus,
	};

	fn spare(who: AccountId) -> u128 {
		Accounts::<Test>::get(who).map(|a| a.warm_spare).unwrap_or(0)
	}

	/// The spare a full evaluation of `who` finds now (`None`: not warm).
	fn real_spare(who: AccountId) -> Option<u128> {
		Margin::warm_spare_of(&Margin::risk_of(&who).unwrap()).unwrap()
	}

	fn exposure(who: AccountId, s: u32) -> OrderExposure {
		MockPositions::portfolio(&who)
			.orders
			.into_iter()
			.find(|o| o.series == s)
			.unwrap_or(OrderExposure {
				series: s,
				terms: MockSeries::get(s).unwrap(),
				sell_contracts: 0,
				buy_contracts: 0,
				buy_premium: 0,
				sell_premium: 0,
				fee_reserve: 0,
			})
	}

	fn net(who: AccountId, s: u32) -> i64 {
		MockPositions::portfolio(&who)
			.positions
			.into_iter()
			.find(|p| p.series == s)
			.map(|p| p.net)
			.unwrap_or(0)
	}

	/// Bob's orders in `s` become `(sell, buy, buy_premium)`, as a quote would leave them;
	/// returns the quote's change.
	fn requote(s: u32, sell: i64, buy: i64, premium: u128) -> QuoteChange {
		let before = exposure(BOB, s);
		MockPositions::set_orders(BOB, s, sell, buy, premium);
		QuoteChange {
			terms: MockSeries::get(s).unwrap(),
			net: net(BOB, s),
			before,
			after: exposure(BOB, s),
		}
	}

	fn quote_check(changes: &[QuoteChange]) -> bool {
		<Margin as MarginAccounts<AccountId>>::ensure_quote_margin_warm(&BOB, changes).0
	}

	#[test]
	fn a_requote_is_checked_on_its_series_to_the_unit() {
		build_and_execute(|| {
			// Bob: two asks of the 50,000 call (mark 10,000) and a short 55,000 call (mark
			// 5,000), with 200,000 USD.
			let s = bob_resting_two_asks(200_000 * USD);
			let t = MockPositions::add_series(call(BTC, 55_000, EXPIRY));
			MockPositions::trade(ALICE, BOB, t, 1);
			assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(
				&BOB, true, None
			));
			assert_eq!(checked_at(BOB), 1);
			// IE = 200,000 - 5,000; IM = 2 * 19,000 + (9,000 + 5,000); W = 20,000 + 8 units.
			let spare0 = 195_000 * USD - 52_000 * USD - 20_000 * USD - SPARE_UNITS;
			assert_eq!(spare(BOB), spare0);
			assert_eq!(real_spare(BOB), Some(spare0));
			// A re-quote: three asks in `s` (one more: 19,000 + 10,000 + 4 units) and a bid of
			// 2 at 300 USD in `t` (600 USD of premium and 8 units).
			let changes = [requote(s, 3, 0, 0), requote(t, 1, 2, 600 * USD)];
			assert!(quote_check(&changes));
			// The ask of `t` sells against Bob's short: margined beyond it (net -1, sell 1:
			// a short of 2 after, 14,000 more) plus its mark value (5,000) and 4 units.
			let change = 29_000 * USD + 4 + 600 * USD + 8 + 14_000 * USD + 5_000 * USD + 4;
			assert_eq!(spare(BOB), spare0 - change);
			// Exactly what a full evaluation finds: nothing else changed.
			assert_eq!(real_spare(BOB), Some(spare0 - change));
			assert_eq!(checked_at(BOB), 1);
		})
	}

	#[test]
	fn a_requote_beyond_the_spare_is_left_to_a_full_evaluation() {
		build_and_execute(|| {
			let s = bob_resting_two_asks(58_000 * USD + SPARE_UNITS + 100);
			assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(
				&BOB, true, None
			));
			assert_eq!(spare(BOB), 100);
			// 101 units more of bids: beyond the spare. Not decided, nothing recorded.
			let over = requote(s, 2, 1, 101 - 4);
			assert!(!quote_check(&[over]));
			assert_eq!(spare(BOB), 100);
			// The full evaluation decides: Bob still meets his initial requirement (the spare
			// is the margin beyond the cover of his resting orders), but is no longer warm.
			assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(
				&BOB, true, None
			));
			assert_eq!((checked_at(BOB), spare(BOB)), (0, 0));
			// Exactly the spare: decided, nothing left.
			MockPositions::set_orders(BOB, s, 2, 0, 0);
			assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(
				&BOB, true, None
			));
			assert_eq!(spare(BOB), 100);
			assert!(quote_check(&[requote(s, 2, 1, 100 - 4)]));
			assert_eq!((spare(BOB), real_spare(BOB)), (0, Some(0)));
		})
	}

	#[test]
	fn a_cold_account_or_a_stale_price_is_left_to_a_full_evaluation() {
		build_and_execute(|| {
			let s = bob_resting_two_asks(100_000 * USD);
			// Never evaluated in this block: cold.
			assert!(!quote_check(&[requote(s, 3, 0, 0)]));
			assert_ok!(<Margin as MarginAccounts<AccountId>>::ensure_initial_margin(
				&BOB, true, None
			));
			let before = spare(BOB);
			MockOracle::set_status(BTC, PriceStatus::Stale);
			assert!(!quote_check(&[requote(s, 4, 0, 0)]));
			assert_eq!(spare(BOB), before);
			MockOracle::set_status(BTC, PriceStatus::Fresh);
		})
	}
}
