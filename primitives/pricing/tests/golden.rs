//! Golden-vector tests against `tests/data/black_scholes.json` (scipy float64 reference,
//! vendored from the workplace's `shared/golden/`, so a clone anywhere passes).
//!
//! Run `cargo test -p optionchain-pricing --test golden -- --nocapture` to print the measured
//! maximum errors (the numbers quoted in the README).

use optionchain_pricing::{
	call_put_greeks, d1_d2, exp, ln, ncdf, npdf, sqrt, BsInputs, Fixed, Greeks, Rounding, SCALE,
};
use serde_json::Value;

/// The vendored golden vectors, compiled into the test (a file the compiler tracks: the test
/// binary never points at a clone that moved or was deleted).
const GOLDEN: &str = include_str!("data/black_scholes.json");

fn golden() -> Value {
	serde_json::from_str(GOLDEN).expect("golden file is JSON")
}

fn int(v: &Value) -> i128 {
	v.as_str().expect("fixed values are strings").parse::<i128>().expect("integer")
}

fn fixed(v: &Value) -> Fixed {
	Fixed::from_inner(int(v))
}

/// The exact value of an f64, times 10^36, as an integer (Rust prints f64 exactly at any
/// requested precision). `None` if it does not fit (|v| >= 1.7e2).
fn f64_times_1e36(v: f64) -> Option<i128> {
	let s = format!("{:.36}", v.abs());
	let (i, f) = s.split_once('.')?;
	let i: i128 = i.parse().ok()?;
	let f: i128 = f.parse().ok()?;
	let m = i.checked_mul(10i128.pow(36))?.checked_add(f)?;
	Some(if v < 0.0 { -m } else { m })
}

/// |got - want| in units of 1e-36, `want` being the exact binary value of an f64.
fn err_vs_f64(got: Fixed, want: f64) -> f64 {
	let w = f64_times_1e36(want).expect("small value");
	let g = got.into_inner() * 1_000_000_000_000_000_000;
	(g - w).abs() as f64 * 1e-36
}

#[derive(Default)]
struct Stat {
	max_abs: f64,
	max_ratio: f64, // error / tolerance
	worst: String,
}

impl Stat {
	fn add(&mut self, abs: f64, tol: f64, what: &str) {
		if abs > self.max_abs {
			self.max_abs = abs;
		}
		let ratio = abs / tol;
		if ratio > self.max_ratio {
			self.max_ratio = ratio;
			self.worst = what.to_string();
		}
	}
}

#[test]
fn ncdf_and_npdf_within_1e_16_of_golden() {
	let g = golden();
	let mut cdf = Stat::default();
	let mut pdf = Stat::default();
	let mut n = 0;
	for e in g["elementary"]["ncdf"].as_array().expect("ncdf array") {
		let x = fixed(&e["x_fixed"]);
		let got = ncdf(x);
		let want = e["cdf"].as_f64().expect("cdf");
		let err = err_vs_f64(got, want);
		cdf.add(err, 1e-16, &format!("x={}", e["x"]));
		assert!(err <= 1e-16, "N({}) = {} vs golden {want:e}: error {err:e}", e["x"], got);
		// the golden's rounded fixed value is itself up to 1.4e-16 off (it is the f64's
		// shortest repr, rounded); it must agree with ours within that + 1 ulp
		let want_fixed = int(&e["cdf_fixed"]);
		assert!((got.into_inner() - want_fixed).abs() <= 150, "N({}) fixed", e["x"]);

		let got = npdf(x);
		let want = e["pdf"].as_f64().expect("pdf");
		let err = err_vs_f64(got, want);
		pdf.add(err, 1e-16, &format!("x={}", e["x"]));
		assert!(err <= 1e-16, "n({}) = {} vs golden {want:e}: error {err:e}", e["x"], got);
		n += 1;
	}
	assert!(n >= 100);
	println!(
		"GOLDEN ncdf: {n} points, max |got - golden f64| = {:.3e} (at {})",
		cdf.max_abs, cdf.worst
	);
	println!(
		"GOLDEN npdf: {n} points, max |got - golden f64| = {:.3e} (at {})",
		pdf.max_abs, pdf.worst
	);
	for e in g["elementary"]["ncdf"].as_array().expect("ncdf array") {
		let x = fixed(&e["x_fixed"]);
		println!("DUMP ncdf {} {} {}", x.into_inner(), ncdf(x).into_inner(), npdf(x).into_inner());
	}
}

#[test]
fn exp_ln_sqrt_match_golden() {
	let g = golden();
	type F = fn(Fixed) -> Result<Fixed, optionchain_pricing::Error>;
	let funcs: [(&str, F); 3] = [("exp", exp), ("ln", ln), ("sqrt", sqrt)];
	for (name, f) in funcs {
		let mut worst_rel = 0f64;
		let mut worst_abs = 0i128;
		for e in g["elementary"][name].as_array().expect("array") {
			let x = fixed(&e["x_fixed"]);
			let got = f(x)
				.unwrap_or_else(|err| panic!("{name}({}) failed: {err:?}", e["x"]))
				.into_inner();
			let want = int(&e["y_fixed"]);
			// the golden is float64: ~1e-16 relative, plus the f64 rounding of the input
			// (ln(1.000001) is off by 8e-17 absolute), so: 1e-15 relative + 1e-16 absolute
			let tol = want.abs() / 1_000_000_000_000_000 + 100;
			let d = (got - want).abs();
			assert!(d <= tol, "{name}({}) = {got} want {want} (diff {d}, tol {tol})", e["x"]);
			worst_abs = worst_abs.max(d);
			if want != 0 {
				worst_rel = worst_rel.max(d as f64 / want.abs() as f64);
			}
			println!("DUMP {name} {} {got}", x.into_inner());
		}
		println!(
			"GOLDEN {name}: max |got - golden| = {worst_abs} ulp(1e-18), max relative {worst_rel:.3e}"
		);
	}
}

fn inputs(c: &Value) -> BsInputs {
	let i = &c["inputs_fixed"];
	let t_seconds = c["inputs"]["t_seconds"].as_u64().expect("t_seconds");
	let b = BsInputs {
		spot: fixed(&i["spot"]),
		strike: fixed(&i["strike"]),
		volatility: fixed(&i["vol"]),
		rate: fixed(&i["rate"]),
		dividend_yield: fixed(&i["q"]),
		time_seconds: t_seconds,
	};
	// the time conversion rule of the golden file
	assert_eq!(b.time_years().into_inner(), int(&i["t_years"]), "t_years of {}", c["id"]);
	b
}

#[test]
fn black_scholes_every_case_within_tolerance() {
	let g = golden();
	let cases = g["cases"].as_array().expect("cases");
	assert!(cases.len() >= 100);
	let names = [
		"call",
		"put",
		"delta_call",
		"delta_put",
		"gamma",
		"vega",
		"theta_call",
		"theta_put",
		"rho_call",
		"rho_put",
		"d1",
		"d2",
	];
	let mut stats: Vec<Stat> = names.iter().map(|_| Stat::default()).collect();
	let mut parity_worst = 0f64;
	for c in cases {
		let id = c["id"].as_str().expect("id");
		let inp = inputs(c);
		let out = call_put_greeks(&inp).unwrap_or_else(|e| panic!("{id}: {e:?}"));
		let (d1, d2) = d1_d2(&inp).unwrap_or_else(|e| panic!("{id}: {e:?}"));
		let got = |n: &str| -> i128 {
			let pick = |g: &Greeks, f: &str| match f {
				"price" => g.price,
				"delta" => g.delta,
				"gamma" => g.gamma,
				"vega" => g.vega,
				"theta" => g.theta,
				"rho" => g.rho,
				_ => unreachable!(),
			};
			let v = match n {
				"call" => out.call.price,
				"put" => out.put.price,
				"d1" => d1,
				"d2" => d2,
				"gamma" => out.call.gamma,
				"vega" => out.call.vega,
				other => {
					let (f, k) = other.split_once('_').expect("x_call / x_put");
					pick(if k == "call" { &out.call } else { &out.put }, f)
				},
			};
			v.into_inner()
		};
		let spot = inp.spot.into_inner();
		for (idx, n) in names.iter().enumerate() {
			let want = int(&c["outputs_fixed"][*n]);
			let g = got(n);
			// scale in inner units: spot (prices, vega, theta, rho), 1 (delta, d1, d2), 1/spot (gamma)
			let scale = match *n {
				"gamma" => SCALE * SCALE / spot,
				"delta_call" | "delta_put" | "d1" | "d2" => SCALE,
				_ => spot,
			};
			// 1e-12 * max(scale, |want|) + 4e-18
			let tol = scale.max(want.abs()) / 1_000_000_000_000 + 4;
			let d = (g - want).abs();
			stats[idx].add(d as f64 * 1e-18, tol as f64 * 1e-18, id);
			assert!(d <= tol, "{id} {n}: got {g} want {want} diff {d} tol {tol}");
			println!("DUMP case {id} {n} {g}");
		}
		// the shared greeks are identical for call and put
		assert_eq!(out.call.gamma, out.put.gamma);
		assert_eq!(out.call.vega, out.put.vega);
		// put-call parity: C - P = S e^{-qt} - K e^{-rt}, to 1e-15 * spot
		let t = inp.time_years();
		let dq = inp
			.dividend_yield
			.checked_mul(t, Rounding::NearestHalfAwayFromZero)
			.unwrap()
			.checked_neg()
			.unwrap();
		let dr = inp
			.rate
			.checked_mul(t, Rounding::NearestHalfAwayFromZero)
			.unwrap()
			.checked_neg()
			.unwrap();
		let fwd = inp
			.spot
			.checked_mul(exp(dq).unwrap(), Rounding::NearestHalfAwayFromZero)
			.unwrap();
		let pv_k = inp
			.strike
			.checked_mul(exp(dr).unwrap(), Rounding::NearestHalfAwayFromZero)
			.unwrap();
		let lhs = out.call.price.into_inner() - out.put.price.into_inner();
		let rhs = fwd.into_inner() - pv_k.into_inner();
		let tol = spot / 1_000_000_000_000_000;
		assert!((lhs - rhs).abs() <= tol.max(4), "{id}: parity {lhs} vs {rhs}");
		parity_worst = parity_worst.max((lhs - rhs).abs() as f64 / spot as f64);
	}
	for (n, s) in names.iter().zip(stats.iter()) {
		println!(
			"GOLDEN {n:<10}: max |got - golden| = {:.3e}, max error/tolerance = {:.3e} (at {})",
			s.max_abs, s.max_ratio, s.worst
		);
	}
	println!("GOLDEN parity: max |C - P - (S e^-qt - K e^-rt)| / spot = {parity_worst:.3e}");
}

#[test]
fn textbook_anchors() {
	let g = golden();
	// (case id, call or put, printed value, decimals printed in the book)
	let anchors: [(&str, &str, f64, i32); 8] = [
		("hull_bsm_example", "call", 4.76, 2),
		("hull_bsm_example", "put", 0.81, 2),
		("hull_greeks_example", "call", 2.40, 2),
		("haug_gbsm_call", "call", 2.1334, 4),
		("haug_merton_put", "put", 2.4648, 4),
		("haug_black76", "call", 1.7011, 4),
		("haug_black76", "put", 1.7011, 4),
		("hull_greeks_example", "delta", 0.522, 3),
	];
	for (id, what, value, decimals) in anchors {
		let c = g["cases"].as_array().unwrap().iter().find(|c| c["id"] == id).expect(id);
		let out = call_put_greeks(&inputs(c)).unwrap();
		let got = match what {
			"call" => out.call.price,
			"put" => out.put.price,
			"delta" => out.call.delta,
			_ => unreachable!(),
		};
		let got = got.into_inner() as f64 / 1e18;
		let half = 0.5 * 10f64.powi(-decimals) + 1e-12;
		assert!((got - value).abs() <= half, "{id} {what}: {got} does not round to {value}");
	}
	// Hull's d1, d2 (4 decimals)
	let c = g["cases"]
		.as_array()
		.unwrap()
		.iter()
		.find(|c| c["id"] == "hull_bsm_example")
		.unwrap();
	let (d1, d2) = d1_d2(&inputs(c)).unwrap();
	assert_eq!(format!("{:.4}", d1.into_inner() as f64 / 1e18), "0.7693");
	assert_eq!(format!("{:.4}", d2.into_inner() as f64 / 1e18), "0.6278");
	// Black-76 constructor gives the same as q = r
	let b = BsInputs::black76(
		Fixed::from_integer(19).unwrap(),
		Fixed::from_integer(19).unwrap(),
		Fixed::from_inner(280_000_000_000_000_000),
		Fixed::from_inner(100_000_000_000_000_000),
		23_652_000,
	);
	assert_eq!(
		call_put_greeks(&b).unwrap(),
		call_put_greeks(&inputs(c_by_id(&g, "haug_black76"))).unwrap()
	);
}

fn c_by_id<'a>(g: &'a Value, id: &str) -> &'a Value {
	g["cases"].as_array().unwrap().iter().find(|c| c["id"] == id).expect(id)
}
