//! `MarginAccounts::contract_premiums` (the options pallet's volatility-priced orders) against
//! the golden vectors' `hull_bsm_example`: S = 42, K = 40, half a year (15,768,000 s), 20 %
//! volatility, a 10 % rate, no dividend: call 4.759422392871532 USD, put 0.8085993729000922
//! USD. Contract size 1: in settlement units (10^-6 USD) the call is 4,759,422.39...: rounded
//! up 4,759,423, down 4,759,422; the put 808,599.37...: 808,600 and 808,599.

use crate::{mock::*, *};
use optionchain_primitives::{
	exchange::{MarginAccounts, OptionKind, PremiumRounding, SeriesTerms},
	testing::MockOracle as MockOracleImpl,
	PriceStatus,
};
use sp_arithmetic::{FixedI128, FixedU128};

const HALF_YEAR_MS: u64 = 15_768_000_000;

fn golden(kind: OptionKind) -> SeriesTerms {
	MockOracleImpl::set_price(BTC, usd(42), PriceStatus::Fresh);
	Params::<Test>::mutate(|p| p.rate = FixedI128::from_rational(1, 10));
	terms(BTC, kind, 40, T0 + HALF_YEAR_MS)
}

fn premiums(t: &SeriesTerms, v: FixedU128) -> Option<Vec<u128>> {
	<Margin as MarginAccounts<AccountId>>::contract_premiums(
		t,
		&[(v, PremiumRounding::Up), (v, PremiumRounding::Down)],
	)
}

fn twenty() -> FixedU128 {
	FixedU128::from_rational(20, 100)
}

#[test]
fn the_golden_case_rounded_each_way() {
	build_and_execute(|| {
		let call = golden(OptionKind::Call);
		assert_eq!(premiums(&call, twenty()), Some(vec![4_759_423, 4_759_422]));
		let put = golden(OptionKind::Put);
		assert_eq!(premiums(&put, twenty()), Some(vec![808_600, 808_599]));
	})
}

#[test]
fn only_a_fresh_index_is_needed_and_only_before_expiry() {
	build_and_execute(|| {
		let call = golden(OptionKind::Call);
		// The oracle's volatility is not used: broken or not, the order brings its own.
		MockOracleImpl::set_volatility(BTC, twenty(), PriceStatus::CircuitBreaker);
		assert_eq!(premiums(&call, twenty()), Some(vec![4_759_423, 4_759_422]));
		// A stale index prices nothing.
		MockOracleImpl::set_status(BTC, PriceStatus::Stale);
		assert_eq!(premiums(&call, twenty()), None);
		MockOracleImpl::set_status(BTC, PriceStatus::Fresh);
		// Nor does a volatility beyond the model's range (100, i.e. 10,000 %).
		assert_eq!(premiums(&call, FixedU128::from_u32(101)), None);
		// At expiry: no time value to price.
		Timestamp::set_timestamp(T0 + HALF_YEAR_MS);
		assert_eq!(premiums(&call, twenty()), None);
	})
}

/// The model takes whole seconds. With 999 ms to expiry, at the money (S = K = 40): at 0 s the
/// call is worth its intrinsic value, 0; at 1 s about 0.4 × 40 × 0.2 × sqrt(1 / 31,536,000) =
/// 0.000568 USD. An ask takes the higher (568 units and more), a bid the lower (0): neither
/// trades beyond its volatility because of the truncation.
#[test]
fn a_fraction_of_a_second_is_priced_both_ways() {
	build_and_execute(|| {
		MockOracleImpl::set_price(BTC, usd(40), PriceStatus::Fresh);
		let t = terms(BTC, OptionKind::Call, 40, T0 + 999);
		let p = premiums(&t, twenty()).unwrap();
		assert!(p[0] >= 568 && p[0] <= 570, "ask {}", p[0]);
		assert_eq!(p[1], 0);
		// A whole second left: both at 1 s, one unit apart.
		let t = terms(BTC, OptionKind::Call, 40, T0 + 1_000);
		let p = premiums(&t, twenty()).unwrap();
		assert!(p[0] >= 568 && p[0] - p[1] == 1, "{p:?}");
	})
}

/// helper-35 finding 7a: a deep in-the-money put with a 10 % rate is worth less a second later
/// (the strike discounted): S = 30, K = 40, 999 ms left. At 0 s it is worth its intrinsic 10
/// USD, at 1 s 40 × e^(-0.1 / 31,536,000) - 30 = 9.99999987 USD. The ask takes the higher
/// (10 USD and one 10^-18 rounded up: 10,000,001 units), the bid the lower (9,999,999).
#[test]
fn a_fraction_of_a_second_on_a_put_worth_less_later() {
	build_and_execute(|| {
		MockOracleImpl::set_price(BTC, usd(30), PriceStatus::Fresh);
		Params::<Test>::mutate(|p| p.rate = FixedI128::from_rational(1, 10));
		let t = terms(BTC, OptionKind::Put, 40, T0 + 999);
		assert_eq!(premiums(&t, twenty()), Some(vec![10_000_001, 9_999_999]));
	})
}

#[test]
fn the_weight_counts_two_evaluations_per_volatility() {
	build_and_execute(|| {
		let w = |n| <Margin as MarginAccounts<AccountId>>::contract_premiums_weight(n);
		let one = <Test as Config>::WeightInfo::black_scholes_greeks();
		// Two evaluations per volatility at most.
		assert_eq!(w(3) - w(1), one * 4);
	})
}
