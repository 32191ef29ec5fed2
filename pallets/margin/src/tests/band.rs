//! Trigger bands (`band.rs`): hand-worked edges, the interior dip that makes an edges-only
//! check unsound, and a property test that checks the band against the chain's own
//! evaluation on a dense grid of prices, volatilities and times inside it (interior points,
//! strikes and both underlyings moved together, not only the edges).
//!
//! Amounts in settlement units (1 USD = 10^6); contract size 1.

use crate::{band::Band, mock::*, *};
use frame_support::{assert_ok, traits::fungibles::Mutate};
use optionchain_pricing::Fixed;
use optionchain_primitives::{
	exchange::{OptionKind, SeriesTerms},
	testing::MockOracle as MockOracleImpl,
	Moment, PriceStatus, UnderlyingId,
};
use proptest::prelude::*;
use sp_arithmetic::{FixedI128, FixedU128};

const MINUTE: Moment = 60_000;

fn fx(usd: &str) -> Fixed {
	// "62650.4" -> 18-decimal inner value.
	let (int, frac) = usd.split_once('.').unwrap_or((usd, ""));
	let mut inner: i128 = int.parse::<i128>().unwrap() * 1_000_000_000_000_000_000;
	let mut scale = 100_000_000_000_000_000i128;
	for c in frac.chars() {
		inner += i128::from(c.to_digit(10).unwrap() as u8) * scale;
		scale /= 10;
	}
	Fixed::from_inner(inner)
}

fn to_u128(x: Fixed) -> FixedU128 {
	FixedU128::from_inner(u128::try_from(x.into_inner()).unwrap())
}

fn set_market(u: UnderlyingId, spot: Fixed, vol: Fixed) {
	MockOracleImpl::set_price(u, to_u128(spot), PriceStatus::Fresh);
	MockOracleImpl::set_volatility(u, to_u128(vol), PriceStatus::Fresh);
}

fn short(who: AccountId, t: SeriesTerms, q: i64) {
	let s = MockPositions::add_series(t);
	MockPositions::trade(DAVE, who, s, q);
}

fn long(who: AccountId, t: SeriesTerms, q: i64) {
	let s = MockPositions::add_series(t);
	MockPositions::trade(who, DAVE, s, q);
}

/// Equity minus maintenance as the chain computes it now.
fn f_now(who: AccountId) -> i128 {
	let r = Margin::risk_of(&who).unwrap();
	r.equity - i128::try_from(r.maintenance).unwrap()
}

/// Parameter changes take an hour's notice (3,600 blocks of at least 1 s): bands may last up
/// to 3,599 s less 1 ms.
fn with_notice() {
	ParameterNotice::set(3_600);
}

fn band(who: AccountId, horizon: Moment, vol_move: Fixed) -> Option<Band> {
	Margin::band_of(&who, horizon, vol_move, 16).unwrap()
}

#[test]
fn short_call_band_edge_is_where_cost_meets_cash() {
	build_and_execute(|| {
		with_notice();
		// Short 1 call K = 60,000 at S = 50,000, volatility 0 (mark = intrinsic), cash 10,000.
		// Cost (liability + maintenance) = 2 (S - 60,000)+ + 0.075 S; allowance 7 units per
		// point. The band ends where 2.075 S - 120,000 = 9,999.999993: S = 62,650.6024...
		set_market(BTC, fx("50000"), Fixed::ZERO);
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), 10_000 * USD));
		short(ALICE, call(BTC, 60_000, EXPIRY), 1);
		let b = band(ALICE, 10 * MINUTE, Fixed::ZERO).unwrap();
		// Slack: 10,000 - 3,750 - 7 units.
		assert_eq!(b.slack, 6_249_999_993);
		assert_eq!(b.deadline, T0 + 10 * MINUTE);
		let u = b.underlyings[0];
		assert_eq!(u.underlying, BTC);
		// Bisected 16 times from [62,500, 75,000]: within 12,500 / 2^16 = 0.19 of the edge.
		assert!(u.hi.into_inner() <= fx("62650.6024").into_inner(), "{}", u.hi);
		assert!(u.hi.into_inner() >= fx("62650.41").into_inner(), "{}", u.hi);
		// Below the strike the cost only falls: verified down to the last grid point.
		assert_eq!(u.lo, fx("97.65625"));
		// The chain agrees at the edge and one dollar past it.
		set_market(BTC, u.hi, Fixed::ZERO);
		assert!(f_now(ALICE) >= 0);
		set_market(BTC, fx("62651.61"), Fixed::ZERO);
		assert!(f_now(ALICE) < 0);
	})
}

#[test]
fn short_put_band_has_both_edges() {
	build_and_execute(|| {
		with_notice();
		// Short 1 put K = 40,000 at S = 50,000, volatility 0, cash 5,000. Below the strike the
		// cost is 2 (40,000 - S) + 0.075 S (its 0.075 S beats 0.075 of the mark): the edge is
		// S = 75,000.000007 / 1.925 = 38,961.0389...; above it the cost is 0.075 S: the edge
		// is 4,999.999993 / 0.075 = 66,666.6665...
		set_market(BTC, fx("50000"), Fixed::ZERO);
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), 5_000 * USD));
		short(ALICE, put(BTC, 40_000, EXPIRY), 1);
		let u = band(ALICE, 10 * MINUTE, Fixed::ZERO).unwrap().underlyings[0];
		assert!(u.lo.into_inner() >= fx("38961.0389").into_inner(), "{}", u.lo);
		assert!(u.lo.into_inner() <= fx("38961.24").into_inner(), "{}", u.lo);
		assert!(u.hi.into_inner() <= fx("66666.6666").into_inner(), "{}", u.hi);
		assert!(u.hi.into_inner() >= fx("66666.47").into_inner(), "{}", u.hi);
	})
}

#[test]
fn no_band_without_slack_or_under_liquidation_or_unsettled() {
	build_and_execute(|| {
		with_notice();
		set_market(BTC, fx("50000"), Fixed::ZERO);
		// Maintenance 3,750 against cash 3,700: no slack.
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), 3_700 * USD));
		short(ALICE, call(BTC, 60_000, EXPIRY), 1);
		assert_eq!(band(ALICE, 10 * MINUTE, Fixed::ZERO), None);
		// With 3,760 the slack is 10 USD less the allowance: a band, a narrow one.
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), 60 * USD));
		let u = band(ALICE, 10 * MINUTE, Fixed::ZERO).unwrap().underlyings[0];
		assert!(u.hi.into_inner() < fx("50200").into_inner(), "{}", u.hi);
		// Once expired and not settled: no band (its value jumps when the price is fixed).
		Timestamp::set_timestamp(EXPIRY);
		assert_eq!(band(ALICE, 10 * MINUTE, Fixed::ZERO), None);
		// Settled at 50,000: the short is worth nothing and needs nothing; no positions left
		// to band, so the box is empty and the slack is the cash.
		MockOracleImpl::set_settlement_price(BTC, EXPIRY, usd(50_000));
		let b = band(ALICE, 10 * MINUTE, Fixed::ZERO).unwrap();
		assert_eq!(b.slack, 3_760 * USD as i128);
		assert!(b.underlyings.is_empty());
	})
}

#[test]
fn deadline_stops_before_the_earliest_expiry() {
	build_and_execute(|| {
		with_notice();
		set_market(BTC, fx("60000"), fx("0.5"));
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), 20_000 * USD));
		short(ALICE, call(BTC, 70_000, T0 + 5 * MINUTE), 1);
		let b = band(ALICE, 60 * MINUTE, fx("0.1")).unwrap();
		assert_eq!(b.deadline, T0 + 5 * MINUTE - 1);
		let u = b.underlyings[0];
		assert_eq!((u.vol_lo, u.vol_hi), (fx("0.45"), fx("0.55")));
	})
}

/// Long 3 straddles at 60,000 with short wings (a call at 70,000, a put at 50,000), one day to
/// expiry, volatility 50 %, cash 4,000, index at 66,000. Equity minus maintenance is positive
/// at 54,000 and at 66,000 but negative at the straddles' strike in between: a band checked at
/// its edges only would hold [54,000, 66,000]. The band stops above the dip.
#[test]
fn interior_dip_is_not_inside_the_band() {
	build_and_execute(|| {
		with_notice();
		let day = T0 + 86_400_000;
		set_market(BTC, fx("66000"), fx("0.5"));
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), 4_000 * USD));
		long(ALICE, call(BTC, 60_000, day), 3);
		long(ALICE, put(BTC, 60_000, day), 3);
		short(ALICE, call(BTC, 70_000, day), 1);
		short(ALICE, put(BTC, 50_000, day), 1);
		let at = |s: &str| {
			set_market(BTC, fx(s), fx("0.5"));
			f_now(ALICE)
		};
		assert!(at("54000") > 0);
		assert!(at("60000") < 0);
		assert!(at("66000") > 0);
		let u = band(ALICE, 10 * MINUTE, Fixed::ZERO).unwrap().underlyings[0];
		assert!(u.lo.into_inner() > fx("60000").into_inner(), "{}", u.lo);
		assert!(at(&format!("{}", u.lo)) >= 0);
	})
}

// ------------------------------------------------------------------ property test

#[derive(Debug, Clone)]
struct Pos {
	eth: bool,
	call: bool,
	strike_pct: u32,
	expiry_days: u64,
	net: i64,
}

fn pos() -> impl Strategy<Value = Pos> {
	(any::<bool>(), any::<bool>(), 60u32..=140, prop::sample::select(vec![1u64, 7, 30]), -5i64..=5)
		.prop_filter("non-zero", |t| t.4 != 0)
		.prop_map(|(eth, call, strike_pct, expiry_days, net)| Pos {
			eth,
			call,
			strike_pct,
			expiry_days,
			net,
		})
}

#[derive(Debug, Clone)]
struct Case {
	positions: Vec<Pos>,
	btc_vol_pct: u32,
	eth_vol_pct: u32,
	vol_move_pct: u32,
	horizon_min: u64,
	rate_pct: u32,
	yield_pct: u32,
	pending_maintenance_pct: Option<u32>,
	extra_usd: u32,
	adversarial: u8,
	/// Contract size: 1, 0.1 or 0.001 of the underlying; contracts multiplied by `scale`.
	size: u8,
	scale: i64,
	seed: u64,
}

fn case() -> impl Strategy<Value = Case> {
	(
		prop::collection::vec(pos(), 1..6),
		20u32..=120,
		20u32..=120,
		prop::sample::select(vec![0u32, 10, 25]),
		prop::sample::select(vec![1u64, 10, 60]),
		prop::sample::select(vec![0u32, 0, 5]),
		prop::sample::select(vec![0u32, 0, 3]),
		prop::option::of(5u32..=10),
		// Tight accounts (a few USD above maintenance: bands that time decay alone can use up)
		// as often as comfortable ones.
		prop_oneof![1u32..=50, 50u32..=20_000],
		0u8..4,
		(0u8..3, prop::sample::select(vec![1i64, 1, 10, 1_000]), any::<u64>()),
	)
		.prop_map(
			|(
				positions,
				btc_vol_pct,
				eth_vol_pct,
				vol_move_pct,
				horizon_min,
				rate_pct,
				yield_pct,
				pending_maintenance_pct,
				extra_usd,
				adversarial,
				(size, scale, seed),
			)| Case {
				positions,
				btc_vol_pct,
				eth_vol_pct,
				vol_move_pct,
				horizon_min,
				rate_pct,
				yield_pct,
				pending_maintenance_pct,
				extra_usd,
				adversarial,
				size,
				scale,
				seed,
			},
		)
}

const BTC_SPOT: u128 = 60_000;
const ETH_SPOT: u128 = 3_000;

/// The case's positions, plus one of the adversarial shapes: a long straddle with short wings,
/// a calendar (short near-dated, long far-dated at the same strike, index 5 % below it), or
/// the same book on both underlyings (moved together by the grid).
fn positions_of(c: &Case) -> Vec<Pos> {
	let mut v = c.positions.clone();
	let p =
		|eth, call, strike_pct, expiry_days, net| Pos { eth, call, strike_pct, expiry_days, net };
	match c.adversarial {
		1 => v.extend([
			p(false, true, 100, 7, 3),
			p(false, false, 100, 7, 3),
			p(false, true, 115, 7, -1),
			p(false, false, 85, 7, -1),
		]),
		2 => v.extend([p(false, true, 105, 1, -2), p(false, true, 105, 30, 2)]),
		3 => v.extend([p(false, true, 100, 7, -2), p(true, true, 100, 7, -2)]),
		_ => {},
	}
	v
}

fn pct(n: u32) -> Fixed {
	Fixed::from_inner(i128::from(n) * 10_000_000_000_000_000)
}

/// Sample prices in `[lo, hi]`: both edges, the index now, every strike inside (and one unit
/// either side), and `n` points spaced geometrically from the index to each edge.
fn samples(
	lo: Fixed,
	hi: Fixed,
	spot: Fixed,
	strikes: &[Fixed],
	n: u32,
	seed: u64,
	grid: bool,
) -> Vec<Fixed> {
	let (l, h, s) = (lo.into_inner(), hi.into_inner(), spot.into_inner());
	let mut v = vec![l, h, s];
	// The band's own grid points near the index (1/128 steps) and one unit of 10^-18 either
	// side, where the rounding of adjacent checked points meets.
	for k in 1..=if grid { 8i128 } else { 0 } {
		for p in [s + s / 128 * k, s - s / 128 * k] {
			v.extend([p - 1, p, p + 1]);
		}
	}
	// Pseudo-random points (a fixed linear congruential sequence from the case's seed).
	let mut r = seed | 1;
	for _ in 0..n {
		r = r
			.wrapping_mul(6_364_136_223_846_793_005)
			.wrapping_add(1_442_695_040_888_963_407);
		let f = i128::from(r >> 11);
		v.push(l + (h - l) / (1i128 << 53) * f);
	}
	for k in strikes {
		for d in [-1i128, 0, 1] {
			v.push(k.into_inner() + d * 1_000_000_000_000_000_000);
		}
	}
	for i in 1..n {
		let i = i128::from(i);
		let n = i128::from(n);
		v.push(s - (s - l) / n * i);
		v.push(s + (h - s) / n * i);
		// Geometric-ish near the index: where most of the risk is.
		v.push(s - (s - l) / (n * n) * i * i);
		v.push(s + (h - s) / (n * n) * i * i);
	}
	v.retain(|x| *x >= l && *x <= h && *x > 0);
	v.sort();
	v.dedup();
	v.into_iter().map(Fixed::from_inner).collect()
}

// `run` is a closure so that `?` works inside `build_and_execute`.
#[allow(clippy::redundant_closure_call)]
fn check_case(c: Case) -> Result<(), TestCaseError> {
	let positions = positions_of(&c);
	let mut ok = Ok(());
	build_and_execute(|| {
		with_notice();
		assert_ok!(<Assets as Mutate<AccountId>>::mint_into(USDC, &ALICE, 1_000_000_000 * USD));
		let mut params = MarginParameters::default();
		params.rate = FixedI128::from_inner(i128::from(c.rate_pct) * 10_000_000_000_000_000);
		params.dividend_yield =
			FixedI128::from_inner(i128::from(c.yield_pct) * 10_000_000_000_000_000);
		Params::<Test>::put(params);
		let pending = c.pending_maintenance_pct.map(|m| {
			let mut p = params;
			p.maintenance_rate = FixedU128::from_inner(u128::from(m) * 10_000_000_000_000_000);
			p.maintenance_mark_rate = p.maintenance_rate;
			p
		});
		if let Some(p) = &pending {
			PendingParams::<Test>::put(PendingParameters { params: *p, effective_at: 1_000 });
		}
		let spot = |eth: bool| if eth { ETH_SPOT } else { BTC_SPOT };
		let vol0 = |eth: bool| pct(if eth { c.eth_vol_pct } else { c.btc_vol_pct });
		set_market(BTC, Fixed::from_inner(BTC_SPOT as i128 * 10i128.pow(18)), vol0(false));
		set_market(ETH, Fixed::from_inner(ETH_SPOT as i128 * 10i128.pow(18)), vol0(true));
		let mut strikes: Vec<(UnderlyingId, Fixed)> = vec![];
		for p in &positions {
			let u = if p.eth { ETH } else { BTC };
			let strike = spot(p.eth) * u128::from(p.strike_pct) / 100;
			let mut t = terms(
				u,
				if p.call { OptionKind::Call } else { OptionKind::Put },
				strike,
				T0 + p.expiry_days * 86_400_000,
			);
			t.contract_size = FixedU128::from_inner(
				[1_000_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000]
					[usize::from(c.size)],
			);
			let net = p.net * c.scale;
			if net > 0 {
				long(ALICE, t, net)
			} else {
				short(ALICE, t, -net)
			}
			strikes.push((u, Fixed::from_inner(strike as i128 * 10i128.pow(18))));
		}
		// Cash so that the account starts `extra_usd` above maintenance (at least MinDeposit).
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), 10 * USD));
		let need = i128::from(c.extra_usd) * USD as i128 - f_now(ALICE);
		if need > 0 {
			assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), need as u128));
		}
		let horizon = c.horizon_min * MINUTE;
		let Some(b) = band(ALICE, horizon, pct(c.vol_move_pct)) else {
			// No band only when the worst corner now has no slack: then the box's worst
			// corner is at most the allowances above maintenance. Checked loosely: the
			// account starts at most `extra_usd` above maintenance.
			return;
		};
		let now = T0;
		let times = [now, now + (b.deadline - now) / 2, b.deadline];
		// Per underlying the price samples; the second underlying gets fewer (the grid is
		// their product).
		let mut per_u: Vec<(UnderlyingId, Vec<Fixed>, [Fixed; 3])> = vec![];
		for (i, u) in b.underlyings.iter().enumerate() {
			let ks: Vec<Fixed> =
				strikes.iter().filter(|(x, _)| *x == u.underlying).map(|(_, k)| *k).collect();
			let spot =
				Fixed::from_inner(spot(u.underlying == ETH) as i128 * 1_000_000_000_000_000_000);
			// Two underlyings: their product, so fewer points each and no grid neighbours.
			let two = b.underlyings.len() > 1;
			let n = if !two {
				10
			} else if i == 0 {
				6
			} else {
				3
			};
			let mid = Fixed::from_inner((u.vol_lo.into_inner() + u.vol_hi.into_inner()) / 2);
			per_u.push((
				u.underlying,
				samples(u.lo, u.hi, spot, &ks, n, c.seed.wrapping_add(i as u64), !two),
				[u.vol_lo, mid, u.vol_hi],
			));
		}
		let param_sets: Vec<MarginParameters> = core::iter::once(params).chain(pending).collect();
		let check = |ps: &[(UnderlyingId, Fixed, Fixed)], t: Moment| -> Result<(), TestCaseError> {
			Timestamp::set_timestamp(t);
			for (u, s, v) in ps {
				set_market(*u, *s, *v);
			}
			for p in &param_sets {
				Params::<Test>::put(*p);
				let f = f_now(ALICE);
				prop_assert!(
					f >= 0,
					"inside the band and below maintenance: f = {} at {:?}, t = {}, band {:?}",
					f,
					ps.iter()
						.map(|(u, s, v)| (*u, format!("{s}"), format!("{v}")))
						.collect::<Vec<_>>(),
					t - now,
					b
				);
			}
			Params::<Test>::put(params);
			Ok(())
		};
		let run = || -> Result<(), TestCaseError> {
			match per_u.as_slice() {
				[(u, xs, vs)] => {
					for x in xs {
						for v in vs {
							for t in times {
								check(&[(*u, *x, *v)], t)?;
							}
						}
					}
				},
				[(u1, xs1, vs1), (u2, xs2, vs2)] => {
					for x1 in xs1 {
						for x2 in xs2 {
							for (v1, v2) in [
								(vs1[0], vs2[0]),
								(vs1[2], vs2[2]),
								(vs1[0], vs2[2]),
								(vs1[1], vs2[1]),
							] {
								for t in [times[0], times[2]] {
									check(&[(*u1, *x1, v1), (*u2, *x2, v2)], t)?;
								}
							}
						}
					}
				},
				_ => {},
			}
			Ok(())
		};
		ok = run();
		// Leave the account as try_state expects it.
		Timestamp::set_timestamp(now);
	});
	ok
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

	/// The band is conservative: anywhere inside it (prices on a dense grid including the
	/// strikes and interior points, both underlyings moved together, volatilities at the
	/// box's ends and middle, times from now to the deadline, every parameter set that may
	/// apply) the chain's own evaluation finds the account at or above maintenance.
	#[test]
	fn band_is_conservative(c in case()) {
		check_case(c)?;
	}
}

#[test]
fn buckets_are_monotone_and_at_most_one_128th_wide() {
	use crate::band::bucket;
	assert_eq!(bucket(0), 0);
	assert_eq!(bucket(127), 127);
	assert_eq!(bucket(128), 7 * 128);
	assert_eq!(bucket(255), 7 * 128 + 127);
	assert_eq!(bucket(256), 8 * 128);
	assert_eq!(bucket(u128::MAX), 127 * 128 + 127);
	// 60,000 USD = 6e22 = 2^75 * 1.588...: exponent 75, mantissa floor(0.588 * 128) = 75.
	assert_eq!(bucket(60_000 * 10u128.pow(18)), 75 * 128 + 75);
	// Every bucket boundary: the last value of a bucket and the first of the next.
	for e in 7..128u32 {
		for m in 0..128u128 {
			let first = (1u128 << e) + (m << (e - 7));
			assert_eq!(bucket(first), (e * 128 + m as u32) as u16);
			if (e, m) != (7, 0) {
				// (Below 128 each value is its own bucket: 127 then 7 * 128.)
				assert_eq!(bucket(first - 1) + 1, bucket(first), "boundary {e} {m}");
			}
			// Width relative to the bucket's first value: (2^(e-7)) / first <= 1/128.
			assert!((1u128 << (e - 7)) * 128 <= first);
		}
	}
}

proptest! {
	#[test]
	fn bucket_is_monotone(a in any::<u128>(), b in any::<u128>()) {
		let (x, y) = if a <= b { (a, b) } else { (b, a) };
		prop_assert!(crate::band::bucket(x) <= crate::band::bucket(y));
	}
}

// ------------------------------------------------- review findings (helper-12, 2026-12-03)

/// A put on BTC with an arbitrary contract size (inner value of a FixedU128).
fn tiny_put(strike: u128, expiry: Moment, cs_inner: u128) -> SeriesTerms {
	SeriesTerms {
		underlying: BTC,
		strike: usd(strike),
		expiry,
		kind: OptionKind::Put,
		contract_size: FixedU128::from_inner(cs_inner),
	}
}

/// Short `q` puts K = 100,000 (30 days, vol 50 %, r = q = 0), index S0 in 122,000..127,900
/// (put delta between -0.075 and -0.0375: 2 * mark + 0.075 S falls while 0.075 S + mark rises).
/// Cash so that equity - maintenance = `target` units now. Then scan the band near S0 with
/// `step` (inner) from the index and from both edges, and assert that every S0 gets a band and none
/// holds a point below maintenance.
fn assert_tiny_bands_hold(cs_inner: u128, q: i64, step: i128, target: i128) {
	let expiry = T0 + 30 * 86_400_000;
	let vol = fx("0.5");
	let mut found = Vec::new();
	let mut banded = 0;
	for i in 0..40i128 {
		let s0 = Fixed::from_inner(122_000 * 10i128.pow(18) + i * 150_370_000_000_000_000_000);
		build_and_execute(|| {
			set_market(BTC, s0, vol);
			short(ALICE, tiny_put(100_000, expiry, cs_inner), q);
			assert_ok!(<Assets as Mutate<AccountId>>::mint_into(USDC, &ALICE, 10u128.pow(18)));
			assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), 10 * USD));
			let need = target - f_now(ALICE);
			assert!(need > 0);
			assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), need as u128));
			assert_eq!(f_now(ALICE), target);
			let Some(b) = Margin::band_of(&ALICE, 0, Fixed::ZERO, 16).unwrap() else {
				return;
			};
			banded += 1;
			let u = b.underlyings[0];
			let (lo, hi, s) = (u.lo.into_inner(), u.hi.into_inner(), s0.into_inner());
			'scan: for k in 0..400i128 {
				for y in [s + k * step, s - k * step, lo + k * step, hi - k * step] {
					if y < lo || y > hi {
						continue;
					}
					set_market(BTC, Fixed::from_inner(y), vol);
					let f = f_now(ALICE);
					if f < 0 {
						found.push(format!(
							"S0 {s0}: at {} f = {f}; band [{}, {}], slack {}",
							Fixed::from_inner(y),
							u.lo,
							u.hi,
							b.slack
						));
						break 'scan;
					}
				}
			}
			set_market(BTC, s0, vol);
		});
	}
	assert_eq!(banded, 40);
	assert!(
		found.is_empty(),
		"{} of 40 bands hold a point below maintenance: {found:#?}",
		found.len()
	);
}

/// 10^18 contracts of 10^-18 BTC (one BTC in all, cost ~10,000 USD): every per-contract
/// figure is rounded to 10^-18 USD, i.e. the position's liability and requirement move in
/// whole-USD steps (10^6 units), while the allowance was 4 units: with 100 units of slack, 10
/// of 40 bands held a point below maintenance. The allowance now counts 8 ulps per contract and
/// per unit (about 9 USD here), so such an account gets no band at 100 units; at 20 USD every
/// case has a band, scanned in 0.5 USD steps from the index and from both edges.
#[test]
fn tiny_contracts_whole_usd_steps_inside_band() {
	assert_tiny_bands_hold(1, 1_000_000_000_000_000_000, 500_000_000_000_000_000, 20 * USD as i128);
}

/// 9 * 10^18 contracts of 10^-12 BTC (1.25e-7 USD per contract; listing accepts it): steps of
/// 9 USD against an allowance of ~1.1 USD before the fix.
#[test]
fn tiny_contracts_nine_usd_steps_inside_band() {
	assert_tiny_bands_hold(
		1_000_000,
		9_000_000_000_000_000_000,
		1_000_000_000_000,
		300 * USD as i128,
	);
}

/// A parameter change announced after the band is computed applies no sooner than the
/// notice (10 blocks of at least 1 s here; the first block's `on_initialize` sees the time of
/// the block before, possibly 9 s from now exactly): the band's deadline ends 1 ms before,
/// whatever the horizon asked for.
/// Before the fix a 2 h band held across a change that put the account below maintenance
/// one minute later.
#[test]
fn band_ends_before_a_parameter_change_announced_after_it_could_apply() {
	build_and_execute(|| {
		ParameterNotice::set(10);
		set_market(BTC, fx("50000"), Fixed::ZERO);
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), 4_000 * USD));
		short(ALICE, call(BTC, 60_000, EXPIRY), 1);
		let b = band(ALICE, 120 * MINUTE, Fixed::ZERO).unwrap();
		assert_eq!(b.deadline, T0 + 8_999);
		let mut p = MarginParameters::default();
		p.maintenance_rate = FixedU128::from_inner(100_000_000_000_000_000); // 0.10
		assert_ok!(Margin::set_parameters(RuntimeOrigin::root(), p));
		// Announced: the pending set counts at once, the band is gone (5,000 > 4,000).
		assert_eq!(band(ALICE, 120 * MINUTE, Fixed::ZERO), None);
		// Without notice the band ends now.
		PendingParams::<Test>::kill();
		ParameterNotice::set(0);
		assert_eq!(band(ALICE, 120 * MINUTE, Fixed::ZERO).unwrap().deadline, T0);
	})
}

/// Prices beyond the fixed-point range far from the index end the band where it verified
/// instead of failing it: a long-only account on an underlying priced near the top of the
/// range still gets a band.
#[test]
fn unpriceable_grid_points_end_the_band_instead_of_failing_it() {
	build_and_execute(|| {
		with_notice();
		// 10^18 USD: 256 times it is beyond what 18-decimal i128 prices can hold (1.7 * 10^20).
		let huge = Fixed::from_inner(1_000_000_000_000_000_000 * 1_000_000_000_000_000_000);
		set_market(BTC, huge, fx("0.5"));
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(ALICE), 1_000 * USD));
		let s = MockPositions::add_series(SeriesTerms {
			underlying: BTC,
			strike: FixedU128::from_inner(1_000_000_000_000_000_000 * 1_000_000_000_000_000_000),
			expiry: EXPIRY,
			kind: OptionKind::Put,
			contract_size: FixedU128::from_inner(1),
		});
		MockPositions::trade(ALICE, DAVE, s, 1);
		let u = band(ALICE, 10 * MINUTE, Fixed::ZERO).unwrap().underlyings[0];
		// Verified up to the last grid point that can be priced (128 times), down to 1/512.
		assert_eq!(u.hi.into_inner(), huge.into_inner() * 128);
		assert_eq!(u.lo.into_inner(), huge.into_inner() / 512);
	})
}

#[test]
fn a_request_with_an_underlying_twice_is_refused() {
	build_and_execute(|| {
		let m = crate::band::BandMarket {
			underlying: BTC,
			spot: fx("60000"),
			vol_lo: fx("0.5"),
			vol_hi: fx("0.5"),
		};
		let params = [MarginParameters::default()];
		let req = crate::band::BandRequest {
			cash: 1_000,
			now: T0,
			deadline: T0,
			params: &params,
			positions: &[],
			markets: &[m, m],
			refinements: 0,
		};
		assert!(matches!(Margin::band(&req), Err(Error::<Test>::InvalidBandRequest)));
		let once = crate::band::BandRequest { markets: &[m], ..req.clone() };
		assert!(Margin::band(&once).unwrap().is_some());
	})
}
