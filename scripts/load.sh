#!/usr/bin/env bash
# Load tool (issue 15): a dev node under a market makers' and takers' load, then the same
# number of blocks of plain USDC transfers; prints one table (fills, quote legs and transfers
# per block, block build time, inclusion latency, finality lag). Uses the production-profile
# node of scripts/bench.sh when it exists (the speed a validator would have), else a release
# build, else the dev build; OPTIONCHAIN_NODE overrides. Extra arguments go to tests/e2e/load.js:
#
#   ./scripts/load.sh                               # 20 blocks per run, 4 makers, 8 takers x 40
#   ./scripts/load.sh --blocks 30 --per-taker 80
#   ./scripts/load.sh --base-path /tmp/load-db      # keep the chain, then re-execute its blocks:
#   optionchain-node benchmark block --chain dev --base-path /tmp/load-db --from 10 --to 30
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
chosen="${OPTIONCHAIN_NODE:-}"
source "$here/env.sh"
cd "$root/tests/e2e"
if [ -n "$chosen" ]; then
	export OPTIONCHAIN_NODE="$chosen"
else
	for bin in "$HOME/.cache/optionchain/production/target/production/optionchain-node" \
		"$CARGO_TARGET_DIR/release/optionchain-node"; do
		if [ -x "$bin" ]; then export OPTIONCHAIN_NODE="$bin"; break; fi
	done
fi
[ -x "${OPTIONCHAIN_NODE:-}" ] || { echo "[load] no node binary: build one (scripts/bench.sh or cargo build --release -p optionchain-node)" >&2; exit 1; }
[ -d node_modules ] || npm ci --no-audit --no-fund
echo "[load] node: $OPTIONCHAIN_NODE"
exec node load.js "$@"
