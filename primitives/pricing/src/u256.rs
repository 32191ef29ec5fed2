//! Minimal unsigned 256-bit arithmetic: exactly what the fixed-point code needs and no more.
//!
//! Four little-endian `u64` limbs. Every function is total: multiplication of two `u128` cannot
//! overflow 256 bits, the few operations that can overflow return `Option`, and division by zero
//! is reported as `None`. Nothing here panics or wraps silently.

/// An unsigned 256-bit integer, little-endian 64-bit limbs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct U256(pub [u64; 4]);

#[inline(always)]
const fn lo64(x: u128) -> u64 {
	x as u64
}

#[inline(always)]
const fn hi64(x: u128) -> u64 {
	(x >> 64) as u64
}

/// One step of Knuth's algorithm D: divides the 3-digit window `(u2, u1, u0)` (with
/// `(u2, u1) < (v1, v0)`) by the normalised 2-digit divisor `(v1, v0)` (`v1 >= 2^63`); returns the
/// quotient digit and the 2-digit remainder `(high, low)`.
#[inline(always)]
fn div_step(u2: u64, u1: u64, u0: u64, v1: u64, v0: u64) -> (u64, (u64, u64)) {
	const B: u128 = 1u128 << 64;
	let (v1w, v0w) = (v1 as u128, v0 as u128);
	let num = ((u2 as u128) << 64) | (u1 as u128);
	let mut qhat = num / v1w;
	let mut rhat = num % v1w;
	loop {
		if qhat >= B || qhat * v0w > ((rhat << 64) | (u0 as u128)) {
			qhat -= 1;
			rhat += v1w;
			if rhat < B {
				continue;
			}
		}
		break;
	}
	// multiply and subtract qhat * (v1, v0) from (u2, u1, u0); qhat < 2^64 here
	let p0 = qhat * v0w;
	let p1 = qhat * v1w;
	let (r0, b0) = u0.overflowing_sub(lo64(p0));
	let mid = (hi64(p0) as u128) + (lo64(p1) as u128); // < 2^65
	let (r1a, b1a) = u1.overflowing_sub(lo64(mid));
	let (r1, b1b) = r1a.overflowing_sub(b0 as u64);
	let top = (hi64(p1) as u128) + (hi64(mid) as u128) + (b1a as u128) + (b1b as u128);
	// the third digit of the remainder is zero (remainder < divisor); only its borrow matters
	let (_, b2) = u2.overflowing_sub(lo64(top));
	let negative = b2 || hi64(top) != 0;
	let mut qd = qhat as u64;
	let (mut r0, mut r1) = (r0, r1);
	if negative {
		// add back (probability ~2/2^64)
		qd = qd.wrapping_sub(1);
		let t0 = (r0 as u128) + v0w;
		r0 = lo64(t0);
		let t1 = (r1 as u128) + v1w + (hi64(t0) as u128);
		r1 = lo64(t1);
	}
	(qd, (r1, r0))
}

impl U256 {
	/// Zero.
	pub const ZERO: U256 = U256([0; 4]);

	/// Widens a `u128`.
	#[inline(always)]
	pub const fn from_u128(x: u128) -> U256 {
		U256([lo64(x), hi64(x), 0, 0])
	}

	/// The low 128 bits.
	#[inline(always)]
	pub const fn low_u128(&self) -> u128 {
		(self.0[0] as u128) | ((self.0[1] as u128) << 64)
	}

	/// The high 128 bits.
	#[inline(always)]
	pub const fn high_u128(&self) -> u128 {
		(self.0[2] as u128) | ((self.0[3] as u128) << 64)
	}

	/// Builds from high and low halves.
	#[inline(always)]
	pub const fn from_halves(hi: u128, lo: u128) -> U256 {
		U256([lo64(lo), hi64(lo), lo64(hi), hi64(hi)])
	}

	/// The value as `u128`, if it fits.
	#[inline(always)]
	pub const fn to_u128(self) -> Option<u128> {
		if self.0[2] == 0 && self.0[3] == 0 {
			Some(self.low_u128())
		} else {
			None
		}
	}

	/// True for zero.
	#[inline(always)]
	pub const fn is_zero(&self) -> bool {
		self.0[0] == 0 && self.0[1] == 0 && self.0[2] == 0 && self.0[3] == 0
	}

	/// Number of significant bits (0 for zero).
	#[inline]
	pub const fn bits(&self) -> u32 {
		let hi = self.high_u128();
		if hi != 0 {
			256 - hi.leading_zeros()
		} else {
			128 - self.low_u128().leading_zeros()
		}
	}

	/// The full 256-bit product of two `u128` (cannot overflow).
	#[inline]
	pub const fn mul_u128(a: u128, b: u128) -> U256 {
		let (a0, a1) = (lo64(a) as u128, hi64(a) as u128);
		let (b0, b1) = (lo64(b) as u128, hi64(b) as u128);
		let p00 = a0 * b0; // each partial product < 2^128
		let p01 = a0 * b1;
		let p10 = a1 * b0;
		let p11 = a1 * b1;
		// middle column: hi64(p00) + lo64(p01) + lo64(p10) < 3 * 2^64, fits u128
		let mid = (hi64(p00) as u128) + (lo64(p01) as u128) + (lo64(p10) as u128);
		let lo = (lo64(p00) as u128) | ((lo64(mid) as u128) << 64);
		// p11 + hi64(p01) + hi64(p10) + hi64(mid) <= (2^64-1)^2 + 3*(2^64-1) < 2^128
		let hi = p11 + (hi64(p01) as u128) + (hi64(p10) as u128) + (hi64(mid) as u128);
		U256::from_halves(hi, lo)
	}

	/// `self * m`, `None` on overflow of 256 bits.
	#[inline]
	pub fn checked_mul_u128(&self, m: u128) -> Option<U256> {
		let lo = U256::mul_u128(self.low_u128(), m);
		let hi = U256::mul_u128(self.high_u128(), m);
		if hi.high_u128() != 0 {
			return None;
		}
		let (h, c) = lo.high_u128().overflowing_add(hi.low_u128());
		if c {
			return None;
		}
		Some(U256::from_halves(h, lo.low_u128()))
	}

	/// Wrapping (two's complement) addition.
	#[inline]
	pub const fn wrapping_add(&self, o: &U256) -> U256 {
		let (lo, c) = self.low_u128().overflowing_add(o.low_u128());
		let hi = self.high_u128().wrapping_add(o.high_u128()).wrapping_add(c as u128);
		U256::from_halves(hi, lo)
	}

	/// Two's complement negation.
	#[inline]
	pub const fn wrapping_neg(&self) -> U256 {
		let inv = U256::from_halves(!self.high_u128(), !self.low_u128());
		inv.wrapping_add(&U256::from_u128(1))
	}

	/// Logical shift right; shifts of 256 or more give zero.
	#[inline]
	pub const fn shr(&self, n: u32) -> U256 {
		let (hi, lo) = (self.high_u128(), self.low_u128());
		if n == 0 {
			*self
		} else if n < 128 {
			U256::from_halves(hi >> n, (lo >> n) | (hi << (128 - n)))
		} else if n < 256 {
			U256::from_halves(0, hi >> (n - 128))
		} else {
			U256::ZERO
		}
	}

	/// Logical shift left, `None` if any set bit would be lost.
	#[inline]
	pub const fn checked_shl(&self, n: u32) -> Option<U256> {
		if self.is_zero() {
			return Some(U256::ZERO);
		}
		if n >= 256 || self.bits() + n > 256 {
			return None;
		}
		let (hi, lo) = (self.high_u128(), self.low_u128());
		Some(if n == 0 {
			*self
		} else if n < 128 {
			U256::from_halves((hi << n) | (lo >> (128 - n)), lo << n)
		} else {
			U256::from_halves(lo << (n - 128), 0)
		})
	}

	/// Bit `n` (0 = least significant); false for `n >= 256`.
	#[inline]
	pub const fn bit(&self, n: u32) -> bool {
		if n >= 256 {
			return false;
		}
		let limb = if n < 128 { self.low_u128() } else { self.high_u128() };
		(limb >> (n % 128)) & 1 == 1
	}

	/// True if any of the low `n` bits is set.
	#[inline]
	pub const fn any_low_bits(&self, n: u32) -> bool {
		if n == 0 {
			false
		} else if n >= 256 {
			!self.is_zero()
		} else if n <= 128 {
			let mask = if n == 128 { u128::MAX } else { (1u128 << n) - 1 };
			self.low_u128() & mask != 0
		} else {
			let mask = (1u128 << (n - 128)) - 1;
			self.low_u128() != 0 || self.high_u128() & mask != 0
		}
	}

	/// Quotient and remainder of the division by a `u128`; `None` for a zero divisor.
	///
	/// Knuth's algorithm D (TAOCP 4.3.1) on 64-bit digits, as in Hacker's Delight `divmnu`.
	pub fn div_rem_u128(&self, d: u128) -> Option<(U256, u128)> {
		if d == 0 {
			return None;
		}
		let n = self.0;
		if d >> 64 == 0 {
			// short division by a single digit
			let d = d as u64 as u128;
			let mut q = [0u64; 4];
			let mut rem: u128 = 0;
			for (qi, ni) in q.iter_mut().zip(n.iter()).rev() {
				let cur = (rem << 64) | (*ni as u128);
				*qi = (cur / d) as u64;
				rem = cur % d;
			}
			return Some((U256(q), rem));
		}
		// two-digit divisor: normalise so that its top bit is set
		let s = d.leading_zeros(); // 0..=63
		let dn = d << s;
		let (v1, v0) = (hi64(dn), lo64(dn));
		let [n0, n1, n2, n3] = n;
		let (u4, u3, u2, u1, u0) = if s == 0 {
			(0, n3, n2, n1, n0)
		} else {
			(
				n3 >> (64 - s),
				(n3 << s) | (n2 >> (64 - s)),
				(n2 << s) | (n1 >> (64 - s)),
				(n1 << s) | (n0 >> (64 - s)),
				n0 << s,
			)
		};
		// quotient digits 2, 1, 0; each step divides a 3-digit window by (v1, v0)
		let (q2, r) = div_step(u4, u3, u2, v1, v0);
		let (q1, r) = div_step(r.0, r.1, u1, v1, v0);
		let (q0, r) = div_step(r.0, r.1, u0, v1, v0);
		let rem = (((r.0 as u128) << 64) | (r.1 as u128)) >> s;
		Some((U256([q0, q1, q2, 0]), rem))
	}

	/// Floor of the square root (Newton's method from an over-estimate; exact).
	pub fn isqrt(&self) -> u128 {
		if self.is_zero() {
			return 0;
		}
		let b = self.bits();
		// 2^ceil(b/2) >= sqrt(self); for b >= 255 use u128::MAX which is >= sqrt(2^256-1)
		let mut x: u128 = if b >= 255 { u128::MAX } else { 1u128 << b.div_ceil(2) };
		loop {
			// y = (x + self / x) / 2, in 256 bits (self / x may exceed 2^128 near the end)
			let q = match self.div_rem_u128(x) {
				Some((q, _)) => q,
				None => return 0,
			};
			let y = U256::from_u128(x).wrapping_add(&q).shr(1);
			let y = match y.to_u128() {
				Some(y) if y < x => y,
				_ => return x,
			};
			x = y;
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn mul_and_div_roundtrip() {
		let cases: [(u128, u128, u128); 6] = [
			(u128::MAX, u128::MAX, u128::MAX),
			(u128::MAX, 3, 7),
			(123456789012345678901234567890, 987654321098765432109876543210, 1 << 64),
			((1 << 127) + 12345, (1 << 100) + 999, (1 << 90) + 17),
			(1_000_000_000_000_000_000, 79228162514264337593543950336, 1_000_000_000_000_000_000),
			(u128::MAX - 1, u128::MAX - 2, u128::MAX - 3),
		];
		for (a, b, d) in cases {
			let p = U256::mul_u128(a, b);
			let (q, r) = p.div_rem_u128(d).unwrap();
			assert!(r < d);
			// q * d + r == p
			let back = q.checked_mul_u128(d).unwrap().wrapping_add(&U256::from_u128(r));
			assert_eq!(back, p, "{a} {b} {d}");
		}
	}

	#[test]
	fn division_matches_u128() {
		let vals =
			[1u128, 2, 3, 0xffff_ffff_ffff_ffff, 1 << 64, (1 << 64) + 1, 1 << 127, u128::MAX];
		for &a in &vals {
			for &d in &vals {
				let (q, r) = U256::from_u128(a).div_rem_u128(d).unwrap();
				assert_eq!(q.to_u128(), Some(a / d));
				assert_eq!(r, a % d);
			}
		}
		assert!(U256::from_u128(5).div_rem_u128(0).is_none());
	}

	#[test]
	fn isqrt_exact() {
		for &x in &[0u128, 1, 2, 3, 4, 15, 16, 17, u64::MAX as u128, u128::MAX, 1 << 127] {
			let s = U256::mul_u128(x, x).isqrt();
			assert_eq!(s, x);
			if x > 0 {
				let below = U256::mul_u128(x, x).wrapping_add(&U256([u64::MAX; 4])); // x^2 - 1
				assert_eq!(below.isqrt(), x - 1);
			}
		}
		assert_eq!(U256([u64::MAX; 4]).isqrt(), u128::MAX);
	}

	#[test]
	fn shifts() {
		let x = U256::mul_u128(u128::MAX, 12345);
		assert_eq!(x.checked_shl(10).unwrap().shr(10), x);
		assert!(x.checked_shl(200).is_none());
		assert_eq!(U256::from_u128(1).checked_shl(255).unwrap().bits(), 256);
		assert!(U256::from_u128(8).any_low_bits(4));
		assert!(!U256::from_u128(8).any_low_bits(3));
	}

	#[test]
	fn random_division_identity() {
		let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
		let mut next = || {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			x
		};
		for i in 0..200_000u32 {
			let n = U256([next(), next(), next(), next()]).shr(next() as u32 % 256);
			let mut d = ((next() as u128) << 64 | next() as u128) >> (next() % 128);
			if i % 7 == 0 {
				d |= 0xffff_ffff_ffff_ffff << 64; // divisors with a full top digit
			}
			if d == 0 {
				continue;
			}
			let (q, r) = n.div_rem_u128(d).unwrap();
			assert!(r < d);
			let back = q.checked_mul_u128(d).unwrap().wrapping_add(&U256::from_u128(r));
			assert_eq!(back, n);
		}
	}
}
