#!/usr/bin/env bash
# README command 1: set up, build, and start the single-validator dev chain on
# ws://127.0.0.1:9944 (extra arguments are passed to the node, e.g. --rpc-port 9945).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/setup.sh"
source "$here/env.sh"
cd "$root"
echo "[dev] building the node (dev profile) into $CARGO_TARGET_DIR"
cargo build -p optionchain-node
port=9944
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do [ "${args[$i]}" = "--rpc-port" ] && port="${args[$((i + 1))]}"; done
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
	echo "[dev] FAILED: port $port is in use (another node?): stop it or pass --rpc-port N" >&2
	exit 1
fi
echo "[dev] starting the dev chain: ws://127.0.0.1:$port (Ctrl-C stops it; state is temporary)"
exec "$OPTIONCHAIN_NODE" --dev --tmp --rpc-cors all "$@"
