//! Property tests: totality (no panic on any input), no-arbitrage bounds, put-call parity and
//! monotonicity of the price in spot, strike, volatility and time.

use optionchain_pricing::{
	call_put_greeks, exp, ln, ncdf, npdf, sqrt, BsInputs, CallPutGreeks, Error, Fixed, Rounding,
	SCALE, SECONDS_PER_YEAR,
};
use proptest::prelude::*;

const N: Rounding = Rounding::NearestHalfAwayFromZero;

fn cfg() -> ProptestConfig {
	// 384 cases per property by default (the suite then runs in about a second in the dev
	// profile); PROPTEST_CASES overrides for a longer soak
	let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(384);
	ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// A positive Fixed spread over many orders of magnitude: m * 10^k inner units, 1e-12 .. ~1e12.
fn magnitude() -> impl Strategy<Value = Fixed> {
	(1i128..1_000_000, 0u32..=24).prop_map(|(m, k)| Fixed::from_inner(m * 10i128.pow(k)))
}

/// Fixed in [lo, hi] (in units of 1e-6).
fn between(lo: i64, hi: i64) -> impl Strategy<Value = Fixed> {
	(lo..=hi).prop_map(|u| Fixed::from_inner(u as i128 * 1_000_000_000_000))
}

/// Any i128 at all, with extra weight on edge values.
fn any_fixed() -> impl Strategy<Value = Fixed> {
	prop_oneof![
		any::<i128>().prop_map(Fixed::from_inner),
		Just(Fixed::MAX),
		Just(Fixed::MIN),
		Just(Fixed::ZERO),
		Just(Fixed::EPSILON),
		(-100i128..100).prop_map(|x| Fixed::from_inner(x * SCALE / 4)),
	]
}

fn inputs() -> impl Strategy<Value = BsInputs> {
	(
		magnitude(),
		magnitude(),
		between(0, 5_000_000),
		between(-500_000, 1_000_000),
		between(-200_000, 500_000),
		0u64..=30 * SECONDS_PER_YEAR,
	)
		.prop_map(|(spot, strike, volatility, rate, dividend_yield, time_seconds)| BsInputs {
			spot,
			strike,
			volatility,
			rate,
			dividend_yield,
			time_seconds,
		})
}

fn discount(rate: Fixed, t: Fixed) -> Option<Fixed> {
	exp(rate.checked_mul(t, N).ok()?.checked_neg().ok()?).ok()
}

fn mul(a: Fixed, b: Fixed) -> Option<i128> {
	a.checked_mul(b, N).ok().map(Fixed::into_inner)
}

proptest! {
	#![proptest_config(cfg())]

	/// Totality: any input whatsoever gives Ok or a named error, never a panic.
	#[test]
	fn never_panics(spot in any_fixed(), strike in any_fixed(), vol in any_fixed(), rate in any_fixed(), q in any_fixed(), t in any::<u64>()) {
		let i = BsInputs { spot, strike, volatility: vol, rate, dividend_yield: q, time_seconds: t };
		let _ = call_put_greeks(&i);
		let i = BsInputs { time_seconds: t % (200 * SECONDS_PER_YEAR), ..i };
		let _ = call_put_greeks(&i);
		let _ = (exp(spot), ln(spot), sqrt(spot), ncdf(spot), npdf(spot));
		let _ = spot.checked_mul(strike, Rounding::Up);
		let _ = spot.checked_div(strike, Rounding::Down);
	}

	/// Inside the supported domain, spot and strike from 1e-12 to 1e12: prices exist unless a
	/// result genuinely exceeds the range (only the documented Overflow), and they respect the
	/// no-arbitrage bounds max(S e^-qt - K e^-rt, 0) <= C <= S e^-qt, and likewise for the put.
	#[test]
	fn no_arbitrage_bounds_and_parity(i in inputs()) {
		let out = match call_put_greeks(&i) {
			Ok(o) => o,
			Err(e) => { prop_assert_eq!(e, Error::Overflow); return Ok(()); }
		};
		let t = i.time_years();
		let (Some(dq), Some(dr)) = (discount(i.dividend_yield, t), discount(i.rate, t)) else { return Ok(()) };
		let (Some(fwd), Some(pvk)) = (mul(i.spot, dq), mul(i.strike, dr)) else { return Ok(()) };
		let (s, k) = (i.spot.into_inner(), i.strike.into_inner());
		// the reference values carry 0.5 ulp of e^x (times S or K) and 0.5 ulp of the rounded
		// exponent r t (relative, times the discounted value)
		let eps = (s + k + fwd.abs() + pvk.abs()) / SCALE + 4;
		let (c, p) = (out.call.price.into_inner(), out.put.price.into_inner());
		prop_assert!(c >= 0 && p >= 0, "negative price {c} {p}");
		prop_assert!(c >= fwd - pvk - eps, "call {c} below forward intrinsic {}", fwd - pvk);
		prop_assert!(p >= pvk - fwd - eps, "put {p} below forward intrinsic {}", pvk - fwd);
		prop_assert!(c <= fwd + eps, "call {c} above S e^-qt {fwd}");
		prop_assert!(p <= pvk + eps, "put {p} above K e^-rt {pvk}");
		// put-call parity, 1e-15 * spot (+ the reference's own rounding)
		let parity = (c - p) - (fwd - pvk);
		prop_assert!(parity.abs() <= s / 1_000_000_000_000_000 + eps, "parity off by {parity}");
		// greeks signs and ranges
		let dq_i = dq.into_inner() + dq.into_inner() / SCALE + 2; // + the reference's rounding
		prop_assert!(out.call.delta.into_inner() >= 0 && out.call.delta.into_inner() <= dq_i);
		prop_assert!(out.put.delta.into_inner() <= 0 && out.put.delta.into_inner() >= -dq_i);
		prop_assert!(out.call.gamma.into_inner() >= 0 && out.call.vega.into_inner() >= 0);
		prop_assert!(out.call.rho.into_inner() >= 0 && out.put.rho.into_inner() <= 0);
	}

	/// The price is monotone: calls rise with spot, puts fall; calls fall with strike, puts rise;
	/// both rise with volatility. Outputs are rounded to nearest from an internal precision of about
/// 1e-27 relative to max(S, K), so the slack is 1 ulp + max(S, K) * 1e-27.
	#[test]
	fn monotone_in_spot_strike_vol(i in inputs(), bump in 1i128..1_000_000_000_000_000_000) {
		let Ok(base) = call_put_greeks(&i) else { return Ok(()) };
		let up = |f: Fixed| f.checked_add(Fixed::from_inner(bump.min(f.into_inner()))).ok();
		let check = |o: &CallPutGreeks| (o.call.price.into_inner(), o.put.price.into_inner());
		let (c0, p0) = check(&base);
		// slack, in ulps (1e-18): 1 + 1e-27 * max(S, K) (S, K are inner units, so / 1e9); the
		// spot or strike bump of up to 1.0 only moves the bound by that factor
		let sl = 2 + i.spot.into_inner().max(i.strike.into_inner()) / 500_000_000;
		if let Some(s) = up(i.spot) {
			if let Ok(o) = call_put_greeks(&BsInputs { spot: s, ..i }) {
				let (c1, p1) = check(&o);
				prop_assert!(c1 >= c0 - sl, "call not increasing in spot: {c0} -> {c1}");
				prop_assert!(p1 <= p0 + sl, "put not decreasing in spot: {p0} -> {p1}");
			}
		}
		if let Some(k) = up(i.strike) {
			if let Ok(o) = call_put_greeks(&BsInputs { strike: k, ..i }) {
				let (c1, p1) = check(&o);
				prop_assert!(c1 <= c0 + sl, "call not decreasing in strike: {c0} -> {c1}");
				prop_assert!(p1 >= p0 - sl, "put not increasing in strike: {p0} -> {p1}");
			}
		}
		let v = i.volatility.checked_add(Fixed::from_inner(bump.min(SCALE))).unwrap();
		if v <= optionchain_pricing::MAX_VOLATILITY {
			if let Ok(o) = call_put_greeks(&BsInputs { volatility: v, ..i }) {
				let (c1, p1) = check(&o);
				prop_assert!(c1 >= c0 - sl, "call not increasing in vol: {c0} -> {c1}");
				prop_assert!(p1 >= p0 - sl, "put not increasing in vol: {p0} -> {p1}");
			}
		}
	}

	/// Longer time is worth more: for both options when r = q = 0, for calls when r >= 0 = q.
	#[test]
	fn monotone_in_time(i in inputs(), extra in 1u64..=2 * SECONDS_PER_YEAR) {
		let i0 = BsInputs { rate: Fixed::from_inner(i.rate.into_inner().abs()), dividend_yield: Fixed::ZERO, ..i };
		let i1 = BsInputs { time_seconds: i.time_seconds + extra, ..i0 };
		let sl = 2 + i.spot.into_inner().max(i.strike.into_inner()) / 500_000_000;
		if let (Ok(a), Ok(b)) = (call_put_greeks(&i0), call_put_greeks(&i1)) {
			prop_assert!(b.call.price.into_inner() >= a.call.price.into_inner() - sl, "call not increasing in time");
		}
		let z0 = BsInputs { rate: Fixed::ZERO, ..i0 };
		let z1 = BsInputs { time_seconds: i.time_seconds + extra, ..z0 };
		if let (Ok(a), Ok(b)) = (call_put_greeks(&z0), call_put_greeks(&z1)) {
			prop_assert!(b.call.price.into_inner() >= a.call.price.into_inner() - sl);
			prop_assert!(b.put.price.into_inner() >= a.put.price.into_inner() - sl, "put not increasing in time");
		}
	}

	/// N is monotone, within [0, 1], and symmetric; exp and ln are inverse.
	#[test]
	fn elementary_properties(x in -13_000_000i64..13_000_000, dx in 1i64..1000) {
		let a = Fixed::from_inner(x as i128 * 1_000_000_000_000);
		let b = Fixed::from_inner((x + dx) as i128 * 1_000_000_000_000);
		let (na, nb) = (ncdf(a).into_inner(), ncdf(b).into_inner());
		prop_assert!(0 <= na && na <= nb && nb <= SCALE);
		let neg = ncdf(a.checked_neg().unwrap()).into_inner();
		prop_assert!((na + neg - SCALE).abs() <= 1);
		let small = Fixed::from_inner(x as i128 * 1_000_000_000); // |small| < 13
		let e = exp(small).unwrap();
		if e.into_inner() > 1_000_000 {
			let back = ln(e).unwrap().into_inner() - small.into_inner();
			// e carries 0.5 ulp, i.e. a relative error of 0.5e-18 / e
			prop_assert!(back.abs() <= 1 + SCALE / (2 * e.into_inner()) + 1, "ln(exp(x)) - x = {back}");
		}
	}
}
