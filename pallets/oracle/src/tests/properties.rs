//! Property test of the oracle's fault tolerance (issue 12): `n` operators (3 to 5), each
//! honest (the true price and volatility within ±1 % every block), lying (any value, fed or not
//! in any block) or silent, for 30 blocks of 6 s; quorum `n / 2 + 1`.
//!
//! - Fewer than `n / 2` faulty (lying or silent): the price and the volatility stay `Fresh`
//!   every block, inside the honest inputs' range.
//! - At most half lying (whatever the silent ones): whenever the price (volatility) is
//!   canonical, it is within the agreement band of an honest input:
//!   `[h_min / (1 + d), h_max / (1 - d)]`; it may go `Stale`. (A majority of liars controls
//!   any oracle; no claim is made then.)

use crate::{mock::*, types::*};
use optionchain_primitives::{OracleProvider, PriceStatus};
use proptest::prelude::*;
use sp_arithmetic::{FixedU128, Permill};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
	Honest,
	Liar,
	Silent,
}

fn role() -> impl Strategy<Value = Role> {
	prop_oneof![2 => Just(Role::Honest), 1 => Just(Role::Liar), 1 => Just(Role::Silent)]
}

/// A small deterministic generator (the case's seed drives every lie and every noise).
struct Lcg(u64);
impl Lcg {
	fn next(&mut self) -> u64 {
		self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
		self.0 >> 11
	}
	fn below(&mut self, n: u64) -> u64 {
		self.next() % n.max(1)
	}
}

const TRUE_PRICE: u128 = 1_000;

/// `base` × (1 + k / 1000) with k in [-10, 10]: within ±1 %.
fn honest(base: FixedU128, rng: &mut Lcg) -> FixedU128 {
	let k = rng.below(21) as u128;
	FixedU128::from_inner(base.into_inner() / 1000 * (990 + k))
}

/// Any accepted value, often close to `base` (where lies do the most harm).
fn lie(base: FixedU128, max: FixedU128, rng: &mut Lcg) -> FixedU128 {
	let v = match rng.below(4) {
		// Anywhere up to the bound.
		0 => FixedU128::from_inner(1 + (rng.next() as u128 * 1_000_000_007) % max.into_inner()),
		// Within ±20 % of the truth.
		1 | 2 => FixedU128::from_inner(base.into_inner() / 1000 * (800 + rng.below(401) as u128)),
		// Just outside the agreement band either way.
		_ => FixedU128::from_inner(
			base.into_inner() / 1000 * if rng.below(2) == 0 { 949 } else { 1051 },
		),
	};
	v.min(max).max(FixedU128::from_inner(1))
}

fn within(v: FixedU128, lo: FixedU128, hi: FixedU128, d: Permill) -> bool {
	// lo / (1 + d) <= v <= hi / (1 - d), in integers: v (1 + d) >= lo and v (1 - d) <= hi.
	let v = v.into_inner();
	let up = v.saturating_add(d.mul_ceil(v));
	let down = v.saturating_sub(d.mul_floor(v));
	up >= lo.into_inner() && down <= hi.into_inner()
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

	#[test]
	fn faulty_minorities_cannot_move_the_price(
		roles in proptest::collection::vec(role(), 3..=5),
		seed in any::<u64>(),
	) {
		let n = roles.len() as u32;
		let ops: Vec<u64> = (1..=u64::from(n)).collect();
		let p = UnderlyingParams { quorum: n / 2 + 1, ..params() };
		let honest_n = roles.iter().filter(|r| **r == Role::Honest).count() as u32;
		let liars = roles.iter().filter(|r| **r == Role::Liar).count() as u32;
		let live = honest_n * 2 > n;
		let safe = liars * 2 <= n;
		ExtBuilder::default().operators(ops.clone()).params(BTC, p).params(ETH, p).build_and_execute(|| {
			let mut rng = Lcg(seed);
			let truth = (usd(TRUE_PRICE), pct(50));
			// The honest range of everything fed (prices, volatilities).
			let (mut p_lo, mut p_hi) = (FixedU128::from_inner(u128::MAX), FixedU128::from_inner(0));
			let (mut v_lo, mut v_hi) = (p_lo, p_hi);
			for block in 0..30 {
				for (i, who) in ops.iter().enumerate() {
					let (price, vol) = match roles[i] {
						Role::Silent => continue,
						Role::Honest => {
							let (pr, vo) = (honest(truth.0, &mut rng), honest(truth.1, &mut rng));
							p_lo = p_lo.min(pr);
							p_hi = p_hi.max(pr);
							v_lo = v_lo.min(vo);
							v_hi = v_hi.max(vo);
							(pr, vo)
						},
						Role::Liar => {
							if rng.below(3) == 0 {
								continue;
							}
							(lie(truth.0, usd(10_000_000), &mut rng), lie(truth.1, usd(10), &mut rng))
						},
					};
					feed(*who, vec![entry(BTC, price, vol)]).expect("a valid feed");
				}
				next_block();
				let price = Oracle::index_price(BTC);
				let vol = Oracle::volatility(BTC);
				if live {
					let price = price.expect("a live price");
					let vol = vol.expect("a live volatility");
					assert_eq!(price.status, PriceStatus::Fresh, "block {block}: {roles:?}");
					assert_eq!(vol.status, PriceStatus::Fresh, "block {block}: {roles:?}");
					assert!(price.price >= p_lo && price.price <= p_hi, "{roles:?}: {price:?}");
					assert!(vol.volatility >= v_lo && vol.volatility <= v_hi, "{roles:?}: {vol:?}");
				}
				if safe {
					if let Some(price) = price {
						assert!(
							within(price.price, p_lo, p_hi, p.max_dispersion),
							"block {block}: {roles:?}: {price:?} outside {p_lo:?}..{p_hi:?}"
						);
					}
					if let Some(vol) = vol {
						assert!(
							within(vol.volatility, v_lo, v_hi, p.max_volatility_dispersion),
							"block {block}: {roles:?}: {vol:?} outside {v_lo:?}..{v_hi:?}"
						);
					}
				}
			}
		});
	}
}
