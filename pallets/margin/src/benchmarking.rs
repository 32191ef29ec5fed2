//! Benchmarks of `pallet-margin` (frame-benchmarking v2). Worst cases: the maximum portfolio
//! (`PositionsProvider::max_portfolio_len` short positions) with a non-zero volatility, so that
//! every position costs a full Black-Scholes evaluation.

use super::*;
use crate::Pallet as Margin;
use frame_benchmarking::v2::*;
use frame_support::{assert_ok, traits::Get, weights::Weight};
use frame_system::RawOrigin;
use optionchain_pricing::{call_put_greeks, BsInputs, Fixed, Rounding};
use optionchain_primitives::{
	exchange::{Balance, MarginAccounts, PositionsProvider},
	units, UnderlyingId,
};

const U: UnderlyingId = 0;

fn usd<T: Config>(n: u128) -> Balance {
	n.saturating_mul(T::UnitsPerUsd::get())
}

fn price<T: Config>(p: u128) {
	T::BenchmarkHelper::set_price(U, units::whole(p), units::ratio(50, 100));
}

fn funded<T: Config>(name: &'static str, i: u32, deposit_usd: u128) -> T::AccountId {
	let who: T::AccountId = account(name, i, 0);
	T::BenchmarkHelper::fund(&who, usd::<T>(deposit_usd.saturating_mul(2).max(10_000)));
	if deposit_usd > 0 {
		assert_ok!(Margin::<T>::deposit(
			RawOrigin::Signed(who.clone()).into(),
			usd::<T>(deposit_usd)
		));
	}
	who
}

/// A victim with `n` short calls, liquidatable after a price jump; returns (victim, series).
/// The victim deposits 2,000 USD per portfolio entry: enough for the initial requirement of a
/// one-contract short call at 60,000 (a runtime opens the positions through real fills, with
/// margin checks), far too little once the index jumps to 200,000.
fn liquidatable<T: Config>(n: u32) -> (T::AccountId, alloc::vec::Vec<u32>) {
	price::<T>(60_000);
	let victim = funded::<T>("victim", 0, 2_000u128.saturating_mul(n.into()));
	let counterparty = funded::<T>("long", 0, 0);
	let series = T::BenchmarkHelper::open_positions(&victim, &counterparty, U, n);
	price::<T>(200_000);
	(victim, series)
}

/// A band of one box on `U`: prices `[price_lo, price_hi]` (buckets), any volatility, a
/// deadline far away.
fn band_of_one_box(price_lo: u16, price_hi: u16) -> crate::trigger::StoredBand {
	crate::trigger::StoredBand {
		deadline: u64::MAX / 2,
		edges: alloc::vec![crate::trigger::EdgeBuckets {
			underlying: U,
			price_lo,
			price_hi,
			vol_lo: 0,
			vol_hi: u16::MAX,
		}]
		.try_into()
		.unwrap_or_default(),
	}
}

/// 1,000 banded accounts whose band no price the benchmarks set can leave.
fn far_bands<T: Config>() {
	let far = band_of_one_box(0, u16::MAX - 1);
	assert!(Margin::<T>::register_underlyings(&far).is_some());
	for i in 0..1_000 {
		let filler: T::AccountId = account("filler", i, 0);
		Margin::<T>::set_band(&filler, Some(far.clone()));
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn deposit() {
		let who = funded::<T>("caller", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), usd::<T>(1_000));
		assert_eq!(Margin::<T>::collateral_of(&who), usd::<T>(1_000));
	}

	#[benchmark]
	fn withdraw(n: Linear<1, { T::Positions::max_portfolio_len() }>) {
		price::<T>(60_000);
		let who = funded::<T>("caller", 0, 10_000_000);
		let long = funded::<T>("long", 0, 0);
		T::BenchmarkHelper::open_positions(&who, &long, U, n);
		// Real fills move premiums and fees: compare with the collateral after them.
		let before = Margin::<T>::collateral_of(&who);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), usd::<T>(1));
		assert_eq!(Margin::<T>::collateral_of(&who), before - usd::<T>(1));
	}

	#[benchmark]
	fn liquidate(n: Linear<1, { T::Positions::max_positions_len() }>) {
		let (victim, series) = liquidatable::<T>(n);
		let liquidator = funded::<T>("liquidator", 0, 1_000_000_000);
		let s = series[0];
		#[extrinsic_call]
		_(RawOrigin::Signed(liquidator), victim, s, 1);
	}

	#[benchmark]
	fn set_parameters() {
		let p = MarginParameters::default();
		#[extrinsic_call]
		_(RawOrigin::Root, p);
	}

	/// A margin check of `n` short positions (each a portfolio entry with its own series read
	/// and Black-Scholes evaluation). A resting-order entry costs less than a position entry
	/// (no reads of its own), so `margin_check(positions + order entries)` bounds a portfolio
	/// with orders from above; the range stops at the positions an account can hold, where the
	/// cost is linear (beyond it the helper adds order entries, which would bend the fit).
	#[benchmark]
	fn margin_check(n: Linear<1, { T::Positions::max_positions_len() }>) {
		price::<T>(60_000);
		let who = funded::<T>("caller", 0, 10_000_000);
		let long = funded::<T>("long", 0, 0);
		T::BenchmarkHelper::open_positions(&who, &long, U, n);
		#[block]
		{
			assert_ok!(<Margin<T> as MarginAccounts<T::AccountId>>::ensure_initial_margin(
				&who, true, None
			)
			.map_err(|_| "margin check"));
		}
	}

	/// A margin check of an account with `s` series on one underlying, each holding a
	/// one-contract short position, a resting bid and a resting ask: the most one series
	/// costs an evaluation (its two portfolio reads, one Black-Scholes evaluation, the
	/// position's figures and both sides' order figures). It bounds any portfolio of `s`
	/// series, whatever its positions and orders.
	#[benchmark]
	fn margin_check_series(s: Linear<1, { T::Positions::max_positions_len() }>) {
		price::<T>(60_000);
		let who = funded::<T>("caller", 0, 10_000_000);
		let long = funded::<T>("long", 0, 0);
		for id in T::BenchmarkHelper::open_positions(&who, &long, U, s) {
			T::BenchmarkHelper::rest_quote(&who, id);
		}
		#[block]
		{
			assert_ok!(<Margin<T> as MarginAccounts<T::AccountId>>::ensure_initial_margin(
				&who, true, None
			)
			.map_err(|_| "margin check"));
		}
	}

	/// An evaluation of an account of `s` series, each a one-contract short of a series that
	/// has expired, its settlement price not fixed yet: each series also reads its settlement
	/// price, and is priced at expiry. Its per-series cost, against `margin_check_series`'s,
	/// says whether that benchmark bounds expired series too.
	#[benchmark]
	fn margin_check_expired(s: Linear<1, { T::Positions::max_positions_len() }>) {
		price::<T>(60_000);
		let who = funded::<T>("caller", 0, 10_000_000);
		let long = funded::<T>("long", 0, 0);
		T::BenchmarkHelper::open_positions(&who, &long, U, s);
		// Past every expiry the helpers list (at most a year ahead).
		let now = <T::Time as frame_support::traits::Time>::now();
		T::BenchmarkHelper::set_time(now.saturating_add(366 * 24 * 60 * 60 * 1000));
		#[block]
		{
			assert!(Margin::<T>::risk_of(&who).is_ok(), "evaluation");
		}
	}

	/// A check of an account of `s` series (as in `margin_check_series`) after the check of
	/// another account of one series in the same execution, as a taker's order checks the
	/// cold makers it meets: `margin_check_further(s) - margin_check_series(1)` is what a
	/// further check costs (the risk parameters, the time and the oracle's entries of the
	/// underlying are read already).
	#[benchmark]
	fn margin_check_further(s: Linear<1, { T::Positions::max_positions_len() }>) {
		// The first account's series is not one of the caller's (listed at another index
		// price: strikes from 200,000): the caller's series and entries are its own reads.
		price::<T>(200_000);
		let long = funded::<T>("long", 0, 0);
		let first = funded::<T>("first", 0, 10_000_000);
		for id in T::BenchmarkHelper::open_positions(&first, &long, U, 1) {
			T::BenchmarkHelper::rest_quote(&first, id);
		}
		price::<T>(60_000);
		let who = funded::<T>("caller", 0, 10_000_000);
		for id in T::BenchmarkHelper::open_positions(&who, &long, U, s) {
			T::BenchmarkHelper::rest_quote(&who, id);
		}
		#[block]
		{
			for account in [&first, &who] {
				assert_ok!(<Margin<T> as MarginAccounts<T::AccountId>>::ensure_initial_margin(
					account, true, None
				)
				.map_err(|_| "margin check"));
			}
		}
	}

	/// A trigger band (`band_of`) of an account of `n` one-contract short calls on one
	/// underlying (strikes 60,000 + 1,000 i, index 60,000), with the refinements used on chain
	/// and a 25 % volatility box: one price per position per grid point, the low side verified
	/// down to its last grid point, the high side up to where the shorts use the slack up, then
	/// bisected.
	#[benchmark]
	fn trigger_band(n: Linear<1, { T::Positions::max_positions_len() }>) {
		price::<T>(60_000);
		let who = funded::<T>("caller", 0, 10_000_000);
		let long = funded::<T>("long", 0, 0);
		T::BenchmarkHelper::open_positions(&who, &long, U, n);
		let vol_move = Fixed::from_inner(250_000_000_000_000_000);
		let band;
		#[block]
		{
			band =
				Margin::<T>::band_of(&who, 600_000, vol_move, crate::band::CHAIN_BAND_REFINEMENTS);
		}
		assert!(matches!(band, Ok(Some(_))));
	}

	/// The trigger step (margin `on_initialize`) with `k` banded accounts whose band the index
	/// price has left (each one short call, healthy: evaluated and made hot, the entry that found it removed) among
	/// 1,000 banded accounts whose band it has not (never read: the edge lists are ordered by
	/// breach), no hot account. What it adds to the evaluations it makes, per account: the
	/// index read, the removal of the entry that found it (its band stays, stale) and the hot
	/// mark.
	#[benchmark]
	fn trigger_step(k: Linear<0, 64>) {
		use crate::trigger::bucket_of;
		price::<T>(60_000);
		let spot = Fixed::from_integer(60_000).unwrap_or(Fixed::ZERO);
		let pb = bucket_of(spot);
		let long = funded::<T>("long", 0, 1_000_000_000);
		let band = band_of_one_box;
		far_bands::<T>();
		let mut due = alloc::vec::Vec::new();
		for i in 0..k {
			let who = funded::<T>("writer", i, 100_000);
			T::BenchmarkHelper::open_positions(&who, &long, U, 1);
			// Its high edge is the index price's bucket: due.
			Margin::<T>::set_band(&who, Some(band(0, pb)));
			due.push(who);
		}
		let _ = Hot::<T>::clear(u32::MAX, None);
		let n = frame_system::Pallet::<T>::block_number();
		#[block]
		{
			Margin::<T>::trigger_step(n);
		}
		for who in due.iter() {
			assert!(Hot::<T>::contains_key(who));
		}
		// Only the entries that found them were removed.
		let entries = 4u32.saturating_mul(1_000u32.saturating_add(k)).saturating_sub(k);
		assert_eq!(TriggerIndex::<T>::iter_keys().count() as u32, entries);
	}

	/// The trigger step liquidating `k` accounts, each short one call (all in the same series,
	/// as the writers of one call are) with ten resting bids in a second series (two series,
	/// four portfolio entries), whose band's high edge the price just crossed: per account,
	/// the index entry, the evaluation, its orders voided, the plan's contracts taken over by
	/// the insurance account and paid for, the penalty, the entry's removal and the hot mark.
	/// The insurance account's entries are written once per step (counted once), the
	/// accounts' own entries per account. Among 1,000 bands the price did not leave. (At most
	/// 24 accounts: their bids fill one book side.)
	#[benchmark]
	fn trigger_liquidations(k: Linear<0, 24>) {
		use crate::trigger::bucket_of;
		price::<T>(60_000);
		let long = funded::<T>("long", 0, 1_000_000_000);
		let band = band_of_one_box;
		far_bands::<T>();
		// Two series: the writers' call and the one they bid in.
		let maker = funded::<T>("maker", 0, 10_000);
		let series = T::BenchmarkHelper::open_positions(&maker, &long, U, 2);
		let bid_series = series.last().copied().unwrap_or_default();
		let mut writers = alloc::vec::Vec::new();
		for i in 0..k {
			// Enough for a one-contract short call at 60,000, far too little at 200,000.
			let who = funded::<T>("writer", i, 4_000);
			T::BenchmarkHelper::open_positions(&who, &long, U, 1);
			T::BenchmarkHelper::rest_bids(&who, bid_series, 10);
			writers.push(who);
		}
		price::<T>(200_000);
		let pb = bucket_of(Fixed::from_integer(200_000).unwrap_or(Fixed::ZERO));
		for who in writers.iter() {
			// Its high edge is below the index price's bucket now: due.
			Margin::<T>::set_band(who, Some(band(0, pb.saturating_sub(1))));
		}
		let _ = Hot::<T>::clear(u32::MAX, None);
		let n = frame_system::Pallet::<T>::block_number();
		#[block]
		{
			Margin::<T>::trigger_step(n);
		}
		for who in writers.iter() {
			assert!(Hot::<T>::contains_key(who));
			assert!(T::Positions::portfolio(who).positions.is_empty());
		}
		let entries = 4u32.saturating_mul(1_000u32.saturating_add(k)).saturating_sub(k);
		assert_eq!(TriggerIndex::<T>::iter_keys().count() as u32, entries);
	}

	#[benchmark]
	fn sweep_base() {
		#[block]
		{
			Margin::<T>::sweep(Weight::MAX);
		}
	}

	#[benchmark]
	fn sweep_account(n: Linear<1, { T::Positions::max_positions_len() }>) {
		let (victim, _) = liquidatable::<T>(n);
		#[block]
		{
			assert!(matches!(
				Margin::<T>::sweep_account(&victim, true),
				Ok(crate::liquidation::Visit::Liquidated(..))
			));
		}
		assert!(T::Positions::portfolio(&victim).positions.is_empty());
	}

	/// One `optionchain_pricing::call_put_greeks` evaluation (call and put, price and five
	/// greeks each) with realistic inputs: S = 60,000, K = 65,000, sigma = 0.5, r = q = 0,
	/// T = 30 days. Not the weight of a call: the reference figure for the pricing library.
	#[benchmark]
	fn black_scholes_greeks() -> Result<(), BenchmarkError> {
		let e = |_| BenchmarkError::Stop("pricing inputs");
		let inputs = BsInputs {
			spot: Fixed::from_integer(60_000).map_err(e)?,
			strike: Fixed::from_integer(65_000).map_err(e)?,
			volatility: Fixed::from_rational(1, 2, Rounding::Down).map_err(e)?,
			rate: Fixed::ZERO,
			dividend_yield: Fixed::ZERO,
			time_seconds: 30 * 86_400,
		};
		let out;
		#[block]
		{
			out = call_put_greeks(core::hint::black_box(&inputs));
		}
		let g = out.map_err(|_| BenchmarkError::Stop("pricing failed"))?;
		assert!(g.call.price.is_positive() && g.put.price.is_positive());
		Ok(())
	}

	impl_benchmark_test_suite!(
		Margin,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
