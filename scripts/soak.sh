#!/usr/bin/env bash
# The four-validator soak (issue 19, item 3): `scripts/soak.sh [MINUTES] [soak.js flags...]`
# (default 30 minutes of load; setup and the final checks add about two). A `local` network of
# four validators on loopback under trading load while, every 3 minutes, one validator is
# killed and restarted, frozen for a minute, or purged and resynced; hard checks every minute
# and at the end (tests/e2e/lib/soak.js). The figures go to docs/soak-latest.json (override
# with --out FILE) and are printed; the node logs stay in the run dir it prints. Exits 1 when a
# check failed. Uses the already built node ($OPTIONCHAIN_NODE, scripts/env.sh): it builds
# nothing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
minutes=30
if [ $# -gt 0 ] && [[ "$1" != --* ]]; then
	minutes="$1"
	shift
fi
if [ ! -x "$OPTIONCHAIN_NODE" ]; then
	echo "[soak] FAILED: no node binary at $OPTIONCHAIN_NODE: build it first (cargo build -p optionchain-node) or set OPTIONCHAIN_NODE" >&2
	exit 1
fi
e2e="$root/tests/e2e"
if [ ! -d "$e2e/node_modules/@polkadot/api" ]; then
	echo "[soak] installing the e2e Node.js packages (npm ci, from package-lock.json)"
	(cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
out="$root/docs/soak-latest.json"
for a in "$@"; do
	if [ "$a" = --out ]; then out=; fi
done
echo "[soak] $minutes minutes with $OPTIONCHAIN_NODE"
cd "$e2e"
# The soak's own SIGINT/SIGTERM handling stops every node and helper it started.
if [ -n "$out" ]; then
	exec node soak.js --minutes "$minutes" --out "$out" "$@"
else
	exec node soak.js --minutes "$minutes" "$@"
fi
