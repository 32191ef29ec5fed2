#!/usr/bin/env bash
# README command 2: set up, build, and run every test: formatting, the Rust unit, property,
# golden-vector and runtime integration tests of the workspace, the pallets' benchmark tests and
# migration checks, the runtime with its benchmark and try-runtime features, then the
# end-to-end tests that start real nodes and drive them with polkadot.js (one dev node; a
# four-validator local network).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/setup.sh"
source "$here/env.sh"
cd "$root"
t0=$(date +%s)
ts=$t0
first=1
# Each step prints the seconds the previous one took (the README's CI budget table comes from these).
step() {
	local now; now=$(date +%s)
	[ "$first" = 1 ] || printf '[test] step took %ss\n' "$(( now - ts ))"
	first=0
	ts=$now
	printf '\n[test] == %s\n' "$*"
}
step "formatting (rustfmt.toml) and lints (clippy, warnings are errors)"
cargo fmt --all -- --check
SKIP_WASM_BUILD=1 cargo clippy --workspace --all-targets -- -D warnings
step "build the node (dev profile)"
cargo build -p optionchain-node
step "Rust tests (workspace)"
cargo test --workspace
step "benchmark tests of the pallets (runtime-benchmarks) and the migrations' checks (try-runtime)"
SKIP_WASM_BUILD=1 cargo test -p pallet-oracle -p pallet-margin -p pallet-options --features runtime-benchmarks,try-runtime
step "the runtime with runtime-benchmarks and try-runtime (native check)"
SKIP_WASM_BUILD=1 cargo check -p optionchain-runtime --features runtime-benchmarks,try-runtime
step "end-to-end tests (polkadot.js against real nodes)"
(cd tests/e2e && npm test)
printf '[test] step took %ss\n' "$(( $(date +%s) - ts ))"
printf '\n[test] all tests passed in %ss\n' "$(( $(date +%s) - t0 ))"
