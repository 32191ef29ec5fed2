//! Criterion benchmarks: one price-with-greeks evaluation (call and put together, as the
//! margin engine uses it), and the elementary functions.
//!
//! `cargo bench -p optionchain-pricing --bench pricing -- --measurement-time 3 --warm-up-time 1`

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use optionchain_pricing::{
	call_put_greeks, exp, ln, ncdf, npdf, price_and_greeks, sqrt, BsInputs, Fixed, OptionKind,
};

fn fx(inner: i128) -> Fixed {
	Fixed::from_inner(inner)
}

fn inputs() -> [BsInputs; 4] {
	let e = 1_000_000_000_000_000_000i128;
	[
		// Hull's example: S=42 K=40 r=10% sigma=20% T=0.5y
		BsInputs {
			spot: fx(42 * e),
			strike: fx(40 * e),
			volatility: fx(e / 5),
			rate: fx(e / 10),
			dividend_yield: fx(0),
			time_seconds: 15_768_000,
		},
		// a one-day at-the-money BTC-like option
		BsInputs {
			spot: fx(100_000 * e),
			strike: fx(100_000 * e),
			volatility: fx(e),
			rate: fx(e / 20),
			dividend_yield: fx(0),
			time_seconds: 86_400,
		},
		// Black-76, deep out of the money
		BsInputs::black76(fx(100 * e), fx(180 * e), fx(3 * e / 10), fx(e / 20), 31_536_000),
		// with a dividend yield, in the money
		BsInputs {
			spot: fx(100 * e),
			strike: fx(95 * e),
			volatility: fx(e / 5),
			rate: fx(e / 10),
			dividend_yield: fx(e / 20),
			time_seconds: 15_768_000,
		},
	]
}

fn bench(c: &mut Criterion) {
	let ins = inputs();
	c.bench_function("call_put_greeks (price + 5 greeks, call and put)", |b| {
		let mut i = 0usize;
		b.iter(|| {
			i = (i + 1) % ins.len();
			black_box(call_put_greeks(black_box(&ins[i])))
		})
	});
	c.bench_function("price_and_greeks (call)", |b| {
		b.iter(|| black_box(price_and_greeks(black_box(&ins[0]), OptionKind::Call)))
	});
	c.bench_function("portfolio of 32 positions", |b| {
		b.iter(|| {
			for k in 0..32 {
				black_box(call_put_greeks(black_box(&ins[k % 4])).ok());
			}
		})
	});
	let x = fx(1_234_567_890_123_456_789);
	c.bench_function("ncdf", |b| b.iter(|| black_box(ncdf(black_box(x)))));
	c.bench_function("npdf", |b| b.iter(|| black_box(npdf(black_box(x)))));
	c.bench_function("exp", |b| b.iter(|| black_box(exp(black_box(x)))));
	c.bench_function("ln", |b| b.iter(|| black_box(ln(black_box(x)))));
	c.bench_function("sqrt", |b| b.iter(|| black_box(sqrt(black_box(x)))));
}

criterion_group!(benches, bench);
criterion_main!(benches);
