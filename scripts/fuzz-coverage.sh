#!/usr/bin/env bash
# Line coverage of the three pallets by the fuzzer's corpus (fuzz/README.md):
#   scripts/fuzz-coverage.sh [CORPUS_DIR...]   (default: the working corpus and the committed one)
# Builds fuzz-tool with LLVM source-based coverage on the project's crates (profile
# fuzz-coverage; needs the toolchain's llvm-tools: rustup component add llvm-tools), replays
# every input, and prints llvm-cov's report for pallets/ and primitives/; the full report is
# written to $FUZZ_WORK/coverage.txt.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
cd "$root"
work="${FUZZ_WORK:-$HOME/.cache/optionchain/fuzz}"
triple=x86_64-unknown-linux-gnu
export SKIP_WASM_BUILD=1
FUZZ_INSTRUMENT=coverage RUSTC_WRAPPER="$here/fuzz-rustc.sh" cargo build --profile fuzz-coverage \
	--target "$triple" -p optionchain-fuzz --bin fuzz-tool
bin="$CARGO_TARGET_DIR/$triple/fuzz-coverage/fuzz-tool"
tools="$(rustc --print sysroot)/lib/rustlib/$triple/bin"
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=("$work/corpus" "$work/seeds" fuzz/corpus/runtime)
prof="$work/profraw"
rm -rf "$prof"
mkdir -p "$prof"
# One process per 200 inputs (a panic would end a process: the corpus has none).
find "${dirs[@]}" -maxdepth 1 -type f 2>/dev/null | sort | xargs -r -n 200 sh -c \
	'LLVM_PROFILE_FILE="'"$prof"'/%p.profraw" "'"$bin"'" run "$@" > /dev/null' sh
"$tools/llvm-profdata" merge -sparse "$prof"/*.profraw -o "$work/coverage.profdata"
"$tools/llvm-cov" report "$bin" -instr-profile="$work/coverage.profdata" \
	-ignore-filename-regex='(\.cargo|rustc|/tests?/|mock\.rs|benchmarking\.rs|fuzz/)' > "$work/coverage.txt"
grep -E "^(pallets|primitives|runtime)/|^TOTAL|^Filename" "$work/coverage.txt" | sed 's/  */ /g'
