#!/usr/bin/env bash
# Regenerates the weights: builds the node with the production profile (release + fat LTO + one
# codegen unit, wasm built with the same profile) and the runtime-benchmarks feature in its own
# target dir, records `benchmark machine`, then runs `benchmark pallet` for each pallet named
# (default: our three) with STEPS (default 50) and REPEAT (default 20), writing
# pallets/<name>/src/weights.rs for ours and benchmarks/<pallet>.rs for FRAME's (kept for
# comparison, the runtime uses FRAME's shipped weights). Run it on an otherwise idle machine:
# nothing else building or running. Logs and the raw JSON go to benchmarks/.
#
#   ./scripts/bench.sh                          # pallet_oracle pallet_margin pallet_options
#   ./scripts/bench.sh pallet_oracle            # one pallet
#   ./scripts/bench.sh storage                  # DbWeight (ParityDB, 100,000 accounts)
#   ./scripts/bench.sh overhead                 # block and extrinsic base weights
#   ./scripts/bench.sh pallet_assets:transfer   # one extrinsic of a pallet (FRAME's, for ratios)
#   STEPS=10 REPEAT=5 ./scripts/bench.sh ...    # a quick look (never commit such weights)
#   ./scripts/bench.sh build                    # build only
#   BENCH_REUSE_NODE=1 ./scripts/bench.sh ...   # rebuild only the runtime's wasm
#   BENCH_RAW=1 ./scripts/bench.sh pallet_margin  # a raw run to benchmarks/, weights.rs untouched
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
cd "$root"
# Its own target dir: the production profile shares nothing with the dev builds. The last
# component must be `target` (the wasm builder finds the profile from the path).
export CARGO_TARGET_DIR="${BENCH_TARGET_DIR:-$HOME/.cache/optionchain/production/target}"
export WASM_BUILD_TYPE=production
steps="${STEPS:-50}"
repeat="${REPEAT:-20}"
pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=(pallet_oracle pallet_margin pallet_options)
out="$root/benchmarks"
mkdir -p "$out"

say() { printf '[bench] %s\n' "$*"; }
t0=$(date +%s)
# `benchmark storage`/`overhead` bring in frame-storage-access-test-runtime, whose wasm build looks
# itself up in the workspace named by WASM_BUILD_WORKSPACE_HINT. Our workspace only lists it with
# the runtime-benchmarks feature (cargo metadata resolves default features), so the hint is a
# throw-away workspace that depends on the runtime and on that crate, with our Cargo.lock.
hint="$(dirname "$CARGO_TARGET_DIR")/workspace-hint"
mkdir -p "$(dirname "$hint")"
sat_version="$(awk '/^name = "frame-storage-access-test-runtime"/{getline; gsub(/"/, "", $3); print $3}' Cargo.lock)"
[ -n "$sat_version" ] || { say "frame-storage-access-test-runtime is not in Cargo.lock"; exit 1; }
# Built aside and moved in only when it differs: the wasm builder reruns (and the node relinks,
# 18 minutes) whenever the hint's Cargo.lock changes, and `cargo metadata` prunes that lock,
# so it is pruned here first to compare like with like.
fresh="$(mktemp -d)"
mkdir -p "$fresh/src"
: > "$fresh/src/lib.rs"
cat > "$fresh/Cargo.toml" <<TOML
[workspace]

[package]
name = "optionchain-bench-workspace-hint"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
optionchain-runtime = { path = "$root/runtime" }
frame-storage-access-test-runtime = "=$sat_version"
TOML
cp Cargo.lock "$fresh/Cargo.lock"
(cd "$fresh" && cargo metadata --format-version 1 > /dev/null)
if ! cmp -s "$fresh/Cargo.toml" "$hint/Cargo.toml" || ! cmp -s "$fresh/Cargo.lock" "$hint/Cargo.lock"; then
	rm -rf "$hint" && mv "$fresh" "$hint"
else
	rm -rf "$fresh"
fi
export WASM_BUILD_WORKSPACE_HINT="$hint"

node="$CARGO_TARGET_DIR/production/optionchain-node"
# The benchmarks measure the wasm runtime (`--runtime`); the node only hosts the benchmark CLI.
# BENCH_REUSE_NODE=1 rebuilds only the runtime's wasm and keeps a node already built (a runtime
# change otherwise relinks the node with fat LTO: about 18 minutes on 2 cores).
if [ "${BENCH_REUSE_NODE:-0}" = 1 ] && [ -x "$node" ]; then
	say "building the runtime (profile production, runtime-benchmarks), reusing $node"
	cargo build --profile production -p optionchain-runtime --features runtime-benchmarks
else
	say "building the node (profile production, runtime-benchmarks) in $CARGO_TARGET_DIR"
	cargo build --profile production -p optionchain-node --features runtime-benchmarks
fi
wasm="$CARGO_TARGET_DIR/production/wbuild/optionchain-runtime/optionchain_runtime.compact.compressed.wasm"
[ -f "$wasm" ] || wasm="$CARGO_TARGET_DIR/production/wbuild/optionchain-runtime/optionchain_runtime.wasm"
say "built in $(( $(date +%s) - t0 ))s; runtime $wasm"

[ "${pallets[*]}" != build ] || { say "built in $(( $(date +%s) - t0 ))s"; exit 0; }
# The machine of a full run is benchmarks/machine.txt (the record of the weights in use); a
# partial or raw run keeps its own, benchmarks/machine.<UTC date and time>-run.txt.
machine_out="$out/machine.txt"
for spec in "${pallets[@]}"; do
	case "$spec" in *:*) machine_out="$out/machine.$(date -u +%F-%H%M)-run.txt" ;; esac
done
[ "${BENCH_RAW:-0}" != 1 ] || machine_out="$out/machine.$(date -u +%F-%H%M)-run.txt"
say "benchmark machine -> ${machine_out#"$root"/}"
{
	echo "# $(date -u +%FT%TZ) $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
	echo "# git $(git rev-parse --short HEAD)$(git diff --quiet || echo '+dirty')"
	"$node" benchmark machine --allow-fail 2>&1 || true
} > "$machine_out"
cat "$machine_out"

# The runtime's DbWeight: `benchmark storage` on a ParityDB holding the development genesis plus
# BENCH_ACCOUNTS (default 100,000) accounts with native and USDC balances (the state size the
# liquidation issue targets), output to runtime/src/weights/paritydb_weights.rs.
storage_weights() {
	local accounts="${BENCH_ACCOUNTS:-100000}" dir
	dir="$(dirname "$CARGO_TARGET_DIR")/storage-bench"
	rm -rf "$dir" && mkdir -p "$dir"
	"$node" build-spec --chain dev 2>/dev/null > "$dir/dev.json"
	python3 - "$dir/dev.json" "$dir/spec.json" "$accounts" <<'PY'
import hashlib, json, sys
ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
def b58(b):
    n = int.from_bytes(b, "big"); out = ""
    while n: n, r = divmod(n, 58); out = ALPHABET[r] + out
    return "1" * (len(b) - len(b.lstrip(b"\0"))) + out
def ss58(pk):
    body = bytes([42]) + pk
    return b58(body + hashlib.blake2b(b"SS58PRE" + body, digest_size=64).digest()[:2])
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
spec = json.load(open(src))
patch = spec["genesis"]["runtimeGenesis"]["patch"]
for i in range(n):
    who = ss58(hashlib.blake2b(b"optionchain-bench-%d" % i, digest_size=32).digest())
    patch["balances"]["balances"].append([who, 10**15])
    patch["assets"]["accounts"].append([1, who, 10**9])
json.dump(spec, open(dst, "w"))
PY
	"$node" benchmark storage --chain "$dir/spec.json" --base-path "$dir/db" --database paritydb \
		--state-version 1 --weight-path "$out" > "$out/storage.log" 2>&1 ||
		{ tail -20 "$out/storage.log"; say "FAILED: storage (see benchmarks/storage.log)"; exit 1; }
	mkdir -p runtime/src/weights
	sed 's/sp_weights/frame_support::weights/g' "$out/paritydb_weights.rs" > runtime/src/weights/paritydb_weights.rs
	rm -rf "$dir"
}

# The block and extrinsic base weights: `benchmark overhead` (an empty block, and blocks full of
# `System::remark`) on the development preset, output to runtime/src/weights/{block,extrinsic}_weights.rs.
overhead_weights() {
	local dir
	dir="$(mktemp -d)"
	"$node" benchmark overhead --runtime "$wasm" --genesis-builder=runtime \
		--genesis-builder-preset=development --weight-path "$dir" --warmup 10 --repeat 100 \
		> "$out/overhead.log" 2>&1 ||
		{ tail -20 "$out/overhead.log"; say "FAILED: overhead (see benchmarks/overhead.log)"; exit 1; }
	mkdir -p runtime/src/weights
	for f in block_weights.rs extrinsic_weights.rs; do
		sed 's/sp_weights/frame_support::weights/g' "$dir/$f" > "runtime/src/weights/$f"
	done
	rm -rf "$dir"
}

for spec in "${pallets[@]}"; do
	[ "$spec" != build ] || continue
	pallet="${spec%%:*}"
	extrinsic='*'
	[ "$spec" = "$pallet" ] || extrinsic="${spec#*:}"
	if [ "$pallet" = overhead ]; then
		say "overhead: block and extrinsic base weights -> runtime/src/weights/"
		t1=$(date +%s)
		overhead_weights
		say "overhead done in $(( $(date +%s) - t1 ))s"
		continue
	fi
	if [ "$pallet" = storage ]; then
		say "storage: DbWeight -> runtime/src/weights/paritydb_weights.rs"
		t1=$(date +%s)
		storage_weights
		say "storage done in $(( $(date +%s) - t1 ))s"
		continue
	fi
	case "$pallet" in
		pallet_oracle | pallet_margin | pallet_options)
			output="pallets/${pallet#pallet_}/src/weights.rs" ;;
		*) output="benchmarks/$pallet.rs" ;;
	esac
	# A run of some extrinsics only, or BENCH_RAW=1: a raw run kept beside the others
	# (benchmarks/<pallet>.<UTC date and time>-run.rs), never over a pallet's weights.rs, whose
	# other functions it would drop. Merge it by hand (scaled, see the README's weights notes).
	if [ "$extrinsic" != '*' ] || [ "${BENCH_RAW:-0}" = 1 ]; then
		output="benchmarks/$pallet.$(date -u +%F-%H%M).${extrinsic//\*/all}-run.rs"
	fi
	say "$pallet ($extrinsic): steps $steps, repeat $repeat -> $output"
	t1=$(date +%s)
	"$node" benchmark pallet \
		--runtime "$wasm" \
		--genesis-builder=runtime \
		--genesis-builder-preset=development \
		--pallet "$pallet" \
		--extrinsic "$extrinsic" \
		--steps "$steps" \
		--repeat "$repeat" \
		--output "$output" \
		--template .maintain/frame-weight-template.hbs \
		--json-file "$out/$pallet.json" > "$out/$pallet.log" 2>&1 ||
		{ tail -20 "$out/$pallet.log"; say "FAILED: $pallet (see benchmarks/$pallet.log)"; exit 1; }
	say "$pallet done in $(( $(date +%s) - t1 ))s"
done
say "all done in $(( $(date +%s) - t0 ))s"
