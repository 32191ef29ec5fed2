#!/usr/bin/env bash
# README command 1: set up, build, and start the single-validator dev chain on
# ws://127.0.0.1:9944 (extra arguments are passed to the node, e.g. --rpc-port 9945), with the
# price feeder that moves BTC and ETH every block (OPTIONCHAIN_FEEDER=0: the node alone).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/setup.sh"
source "$here/env.sh"
cd "$root"
echo "[dev] building the node (dev profile) into $CARGO_TARGET_DIR"
cargo build -p optionchain-node
port=9944
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
	case "${args[$i]}" in
	--rpc-port) port="${args[$((i + 1))]:-$port}" ;;
	--rpc-port=*) port="${args[$i]#--rpc-port=}" ;;
	esac
done
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
	echo "[dev] FAILED: port $port is in use (another node?): stop it or pass --rpc-port N" >&2
	exit 1
fi
echo "[dev] starting the dev chain: ws://127.0.0.1:$port (Ctrl-C stops it; state is temporary)"
if [ "${OPTIONCHAIN_FEEDER:-1}" = 0 ]; then
	exec "$OPTIONCHAIN_NODE" --dev --tmp --rpc-cors all "$@"
fi
# The price feeder (tests/e2e/feeder.js): the operators Alice, Bob and Charlie feed a seeded
# random walk of BTC and ETH every block, so prices move and never go stale; first, as sudo,
# it sets the dev board's listing rules (the chain then lists an expiry every 10 minutes). It
# lives and dies with the node. OPTIONCHAIN_FEEDER=0 starts the node alone (to feed by hand);
# OPTIONCHAIN_WALK_SEED and OPTIONCHAIN_WALK_SCALE choose the walk.
"$OPTIONCHAIN_NODE" --dev --tmp --rpc-cors all "$@" &
node_pid=$!
feeder_pid=
stop() {
	trap - EXIT INT TERM
	if [ -n "$feeder_pid" ]; then kill "$feeder_pid" 2>/dev/null || true; fi
	if [ -n "${maker_pid:-}" ]; then kill "$maker_pid" 2>/dev/null || true; fi
	if [ -n "${ui_pid:-}" ]; then kill "$ui_pid" 2>/dev/null || true; fi
	kill "$node_pid" 2>/dev/null || true
	wait 2>/dev/null || true
}
trap stop EXIT
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
up=0
for _ in $(seq 1 240); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=1; break; fi
	kill -0 "$node_pid" 2>/dev/null || { echo "[dev] FAILED: the node stopped during startup" >&2; exit 1; }
	sleep 0.5
done
[ "$up" = 1 ] || { echo "[dev] FAILED: the node's RPC port $port did not open in 120 s" >&2; exit 1; }
echo "[dev] starting the price feeder (OPTIONCHAIN_FEEDER=0 to feed by hand)"
node "$root/tests/e2e/feeder.js" --ws "ws://127.0.0.1:$port" --board //Alice \
	--seed "${OPTIONCHAIN_WALK_SEED:-optionchain-dev}" --scale "${OPTIONCHAIN_WALK_SCALE:-1}" &
feeder_pid=$!
maker_pid=
if [ "${OPTIONCHAIN_MAKER:-1}" != 0 ]; then
	# The demo market maker (tests/e2e/maker.js): Eve and Ferdie quote both sides of every
	# listed series around the mark, every other block.
	echo "[dev] starting the demo market maker (Eve and Ferdie; OPTIONCHAIN_MAKER=0 to leave it out)"
	node "$root/tests/e2e/maker.js" --ws "ws://127.0.0.1:$port" &
	maker_pid=$!
fi
ui_pid=
if [ "${OPTIONCHAIN_UI:-1}" != 0 ]; then
	# The trading screen (ui/): bundled, then served on loopback next to the node.
	ui_port="${OPTIONCHAIN_UI_PORT:-8000}"
	if (exec 3<>"/dev/tcp/127.0.0.1/$ui_port") 2>/dev/null; then
		echo "[dev] FAILED: port $ui_port (the trading screen) is in use: OPTIONCHAIN_UI_PORT=N moves it" >&2
		exit 1
	fi
	node "$root/ui/build.js" || { echo "[dev] FAILED: the trading screen did not build (ui/build.js)" >&2; exit 1; }
	node "$root/ui/serve.js" --port "$ui_port" &
	ui_pid=$!
	echo "[dev] the trading screen: http://127.0.0.1:$ui_port/?ws=ws://127.0.0.1:$port (OPTIONCHAIN_UI_PORT to move it, OPTIONCHAIN_UI=0 to leave it out)"
fi
# The node ends the session; a helper that stops is reported and the node runs on.
while kill -0 "$node_pid" 2>/dev/null; do
	wait -n || true
	if [ -n "$feeder_pid" ] && ! kill -0 "$feeder_pid" 2>/dev/null && kill -0 "$node_pid" 2>/dev/null; then
		echo "[dev] WARNING: the price feeder stopped (see its messages above): prices go stale in 60 s; the node runs on" >&2
		feeder_pid=
	fi
	if [ -n "$maker_pid" ] && ! kill -0 "$maker_pid" 2>/dev/null && kill -0 "$node_pid" 2>/dev/null; then
		echo "[dev] WARNING: the demo market maker stopped (see its messages above); the node runs on" >&2
		maker_pid=
	fi
	if [ -n "$ui_pid" ] && ! kill -0 "$ui_pid" 2>/dev/null && kill -0 "$node_pid" 2>/dev/null; then
		echo "[dev] WARNING: the trading screen's server stopped (see its messages above); the node runs on" >&2
		ui_pid=
	fi
done
