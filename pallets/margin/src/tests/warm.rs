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
fn migration_v3_keeps_every_ledger_entry_and_starts_it_cold() {
	build_and_execute(|| {
		use crate::migrations::v3::{AccountInfoV2, MigrateV2ToV3};
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
		MigrateV2ToV3::<Test>::on_runtime_upgrade();
		assert_eq!(Margin::on_chain_storage_version(), StorageVersion::new(3));
		assert_eq!(
			Accounts::<Test>::get(BOB),
			Some(AccountInfo {
				collateral: 1_234 * USD,
				state: AccountState::Restricted,
				in_liquidation: true,
				debt: 0,
				checked_at: 0
			})
		);
		assert_eq!(Accounts::<Test>::get(CHARLIE).map(|a| (a.debt, a.checked_at)), Some((7, 0)));
		// Runs once: a later stamp survives a second upgrade.
		Accounts::<Test>::mutate(CHARLIE, |a| a.as_mut().unwrap().checked_at = 5);
		MigrateV2ToV3::<Test>::on_runtime_upgrade();
		assert_eq!(Accounts::<Test>::get(CHARLIE).map(|a| a.checked_at), Some(5));
		// (The hand-written entries are not backed by escrow: remove them for `try_state`.)
		Accounts::<Test>::remove(BOB);
		Accounts::<Test>::remove(CHARLIE);
		AccountCount::<Test>::put(0);
	})
}
