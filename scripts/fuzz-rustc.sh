#!/usr/bin/env bash
# RUSTC_WRAPPER for the fuzzer build (scripts/fuzz.sh): the project's own crates are compiled
# with libFuzzer's coverage instrumentation (edges, 8-bit counters, comparisons), debug
# assertions and overflow checks; the ~400 dependencies without (their branches would only
# dilute the fuzzer's feedback and slow every execution). With FUZZ_INSTRUMENT=coverage
# (scripts/fuzz-coverage.sh) the same crates get LLVM's source-based coverage instead.
set -euo pipefail
rustc="$1"
shift
crate=""
prev=""
for a in "$@"; do
	[ "$prev" = "--crate-name" ] && crate="$a"
	prev="$a"
done
case "$crate" in
pallet_oracle | pallet_margin | pallet_options | optionchain_pricing | optionchain_primitives | optionchain_runtime | optionchain_fuzz | runtime | fuzz_tool)
	if [ "${FUZZ_INSTRUMENT:-libfuzzer}" = coverage ]; then
		exec "$rustc" "$@" -Cinstrument-coverage
	fi
	exec "$rustc" "$@" \
		-Cpasses=sancov-module \
		-Cllvm-args=-sanitizer-coverage-level=4 \
		-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
		-Cllvm-args=-sanitizer-coverage-pc-table \
		-Cllvm-args=-sanitizer-coverage-trace-compares \
		--cfg fuzzing -Cdebug-assertions -Coverflow-checks
	;;
*)
	exec "$rustc" "$@"
	;;
esac
