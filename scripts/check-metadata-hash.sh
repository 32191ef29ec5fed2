#!/usr/bin/env bash
# Builds the node with the runtime's `metadata-hash` feature (the metadata hash computed and
# compiled into the runtime, as release builds do) and checks, on a dev node of it, that a
# transaction signed with CheckMetadataHash mode Enabled and the RFC-78 digest of the metadata
# is accepted and one with another hash is refused (tests/e2e/metadata-hash-check.js). Outside
# CI: the feature builds the wasm runtime twice (about 10 minutes on this machine); the next
# plain `cargo build -p optionchain-node` rebuilds the runtime without it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/setup.sh"
source "$here/env.sh"
cd "$root"
cargo build -p optionchain-node --features metadata-hash
cp "$CARGO_TARGET_DIR/debug/optionchain-node" "$CARGO_TARGET_DIR/debug/optionchain-node-metadata-hash"
cd tests/e2e
OPTIONCHAIN_NODE="$CARGO_TARGET_DIR/debug/optionchain-node-metadata-hash" node metadata-hash-check.js
