//! The fuzzer's corpus, replayed: every seed scenario and every file of `fuzz/corpus/runtime`
//! runs from the set-up state with every invariant checked (a fixed replay: seconds, not the
//! fuzzer). A finding that was fixed stays here as a corpus file.

use optionchain_fuzz::{counters, decode_input, encode_input, run_input, seeds, Harness};

#[test]
fn the_seeds_reach_their_key_events() {
	let before = counters::snapshot();
	for (name, blocks) in seeds() {
		let data = encode_input(&blocks);
		assert_eq!(decode_input(&data), blocks, "seed {name} decodes as written");
		let mut h = Harness::new();
		h.run(&blocks);
	}
	let after = counters::snapshot();
	let grew = |name: &str| {
		let i = counters::NAMES.iter().position(|n| *n == name).expect("a counter");
		after[i].1 - before[i].1
	};
	for event in [
		"fill",
		"margin_call",
		"liquidation",
		"breaker_trip",
		"breaker_release",
		"settlement",
		"mmp_trip",
		"listed",
	] {
		assert!(grew(event) > 0, "the seeds reach {event}: {after:?}");
	}
}

#[test]
fn the_corpus_replays_clean() {
	let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/runtime");
	let mut files: Vec<_> = std::fs::read_dir(&dir)
		.map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
		.unwrap_or_default();
	files.sort();
	for f in &files {
		let data = std::fs::read(f).expect("a corpus file reads");
		run_input(&data);
	}
}
