//! libFuzzer entry point: every input runs from the set-up state (see `optionchain_fuzz`).
//! Built and run by `scripts/fuzz.sh`; every 60 s it prints the key events counted so far
//! (`#events t=<seconds> blocks=... fill=...`), which the script turns into counts per hour.
#![no_main]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static STARTED: AtomicU64 = AtomicU64::new(0);
static LAST: AtomicU64 = AtomicU64::new(0);

fn report() {
	let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
	if STARTED.load(Ordering::Relaxed) == 0 {
		STARTED.store(now, Ordering::Relaxed);
		LAST.store(now, Ordering::Relaxed);
	}
	if now >= LAST.load(Ordering::Relaxed) + 60 {
		LAST.store(now, Ordering::Relaxed);
		let counts: Vec<String> = optionchain_fuzz::counters::snapshot()
			.into_iter()
			.map(|(n, c)| format!("{n}={c}"))
			.collect();
		eprintln!("#events t={} {}", now - STARTED.load(Ordering::Relaxed), counts.join(" "));
	}
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
	report();
	optionchain_fuzz::run_input(data);
});
