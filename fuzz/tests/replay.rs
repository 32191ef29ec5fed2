//! The fuzzer's corpus, replayed: every seed scenario and every file of `fuzz/corpus/runtime`
//! runs from the set-up state with every invariant checked (a fixed replay: seconds, not the
//! fuzzer). A finding that was fixed stays here as a corpus file.

use optionchain_fuzz::{counters, decode_input, encode_input, run_input, seeds, Harness};

/// One test for both (the event counters are process-wide: a parallel test would add to them).
#[test]
fn the_seeds_reach_their_key_events_and_the_corpus_replays_clean() {
	the_seeds_reach_their_key_events();
	the_corpus_replays_clean();
}

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
	// Every counted event but the first three (blocks, extrinsics, failed).
	for event in &counters::NAMES[3..] {
		assert!(grew(event) > 0, "the seeds reach {event}: {after:?}");
	}
}

/// Inputs of the committed corpus replayed by default: every regression input (`regress-*`,
/// a finding that was fixed) and an even sample of the rest (the whole corpus takes minutes in
/// the dev profile; `FUZZ_REPLAY_ALL=1` replays all of it).
const SAMPLE: usize = 40;

fn the_corpus_replays_clean() {
	let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/runtime");
	let mut files: Vec<_> = std::fs::read_dir(&dir)
		.map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
		.unwrap_or_default();
	files.sort();
	let is_regression = |f: &std::path::PathBuf| {
		f.file_name()
			.and_then(|n| n.to_str())
			.is_some_and(|n| n.starts_with("regress-"))
	};
	let (regressions, rest): (Vec<_>, Vec<_>) = files.into_iter().partition(is_regression);
	assert!(!regressions.is_empty() && !rest.is_empty(), "the committed corpus is there");
	let every = if std::env::var_os("FUZZ_REPLAY_ALL").is_some() {
		1
	} else {
		rest.len().div_ceil(SAMPLE).max(1)
	};
	for f in regressions.iter().chain(rest.iter().step_by(every)) {
		let data = std::fs::read(f).expect("a corpus file reads");
		eprintln!("replaying {}", f.display());
		run_input(&data);
	}
}
