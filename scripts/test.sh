#!/usr/bin/env bash
# README command 2: set up, build, and run every test: the Rust unit, property, golden-vector and
# runtime integration tests of the workspace, then the end-to-end tests that start real nodes and
# drive them with polkadot.js (one dev node; a four-validator local network).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/setup.sh"
source "$here/env.sh"
cd "$root"
step() { printf '\n[test] == %s\n' "$*"; }
t0=$(date +%s)
step "build the node (dev profile)"
cargo build -p optionchain-node
step "Rust tests (workspace)"
cargo test --workspace
step "end-to-end tests (polkadot.js against real nodes)"
(cd tests/e2e && npm test)
printf '\n[test] all tests passed in %ss\n' "$(( $(date +%s) - t0 ))"
