#!/usr/bin/env bash
# The runtime fuzzer (issue 19; fuzz/README.md): scripts/fuzz.sh DURATION [libFuzzer args...]
#
# DURATION in seconds (default 600). Builds fuzz/fuzz_targets/runtime.rs with libFuzzer
# (stable Rust; the project's crates instrumented by scripts/fuzz-rustc.sh), writes the seed
# corpus, and fuzzes for DURATION with one job. The working corpus grows in
# $FUZZ_WORK/corpus (default ~/.cache/optionchain/fuzz), crashes land in $FUZZ_WORK/artifacts,
# and the log (libFuzzer's lines and the key events every minute, "#events t=...") in
# $FUZZ_WORK/fuzz.log. Replay a crash with
#   cargo run -p optionchain-fuzz --bin fuzz-tool -- run ARTIFACT
# and keep it, once fixed, in fuzz/corpus/runtime (the CI replay runs that directory).
#
# FUZZ_BUILD_ONLY=1 only builds. FUZZ_MERGE=1 merges the working corpus into a minimal one
# in fuzz/corpus/runtime (what CI replays) instead of fuzzing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/env.sh"
cd "$root"
duration="${1:-600}"
shift || true
work="${FUZZ_WORK:-$HOME/.cache/optionchain/fuzz}"
mkdir -p "$work/corpus" "$work/artifacts" fuzz/corpus/runtime
triple=x86_64-unknown-linux-gnu
export SKIP_WASM_BUILD=1
RUSTC_WRAPPER="$here/fuzz-rustc.sh" cargo build --profile fuzz --target "$triple" \
	-p optionchain-fuzz --features libfuzzer --bin runtime
cargo build -q -p optionchain-fuzz --bin fuzz-tool
bin="$CARGO_TARGET_DIR/$triple/fuzz/runtime"
tool="$CARGO_TARGET_DIR/debug/fuzz-tool"
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && { echo "built $bin"; exit 0; }
"$tool" seeds "$work/seeds" > /dev/null
if [ "${FUZZ_MERGE:-0}" = 1 ]; then
	mkdir -p fuzz/corpus/runtime
	"$bin" -merge=1 fuzz/corpus/runtime "$work/corpus" "$work/seeds" -rss_limit_mb=8192
	exit 0
fi
echo "fuzzing for ${duration}s; log $work/fuzz.log"
# -timeout: an input that takes 30 s is a finding (a hook that loops); -rss_limit_mb: the
# set-up state is kept in memory; the seeds and the committed corpus start the run.
# libFuzzer stops at a crash: the loop starts it again (at most 100 times) until DURATION is
# spent, so that one finding does not end the run. Each run's last "#events" line holds its
# counts; the summary adds them up per hour.
: > "$work/fuzz.log"
start=$(date +%s)
runs=0
while [ "$runs" -lt 100 ]; do
	left=$(( duration - ($(date +%s) - start) ))
	[ "$left" -gt 0 ] || break
	runs=$(( runs + 1 ))
	echo "[fuzz] run $runs, ${left}s left" | tee -a "$work/fuzz.log"
	from=$(wc -l < "$work/fuzz.log")
	"$bin" "$work/corpus" "$work/seeds" fuzz/corpus/runtime \
		-max_total_time="$left" -timeout=30 -rss_limit_mb=8192 -max_len=65536 \
		-artifact_prefix="$work/artifacts/" -print_final_stats=1 "$@" >> "$work/fuzz.log" 2>&1 || true
	tail -n +"$((from + 1))" "$work/fuzz.log" | grep '#events' | tail -1 | sed "s/^/[fuzz] run $runs ends: /" >> "$work/fuzz.log"
done
elapsed=$(( $(date +%s) - start ))
{
	echo "runs: $runs, seconds: $elapsed"
	echo "executions: $(grep -h 'stat::number_of_executed_units' "$work/fuzz.log" | awk '{s+=$2} END {print s+0}')"
	grep -h '^#[0-9]' "$work/fuzz.log" | tail -1 | sed 's/^/last status: /'
	echo "crashes and timeouts (artifacts): $(ls "$work/artifacts" | wc -l)"
	grep '^\[fuzz\] run [0-9]* ends' "$work/fuzz.log" | sed 's/.*#events t=[0-9]* //' | awk -v secs="$elapsed" '
		{ for (i = 1; i <= NF; i++) { split($i, kv, "="); sum[kv[1]] += kv[2]; order[i] = kv[1] } n = NF }
		END { printf "events per hour:"; for (i = 1; i <= n; i++) printf " %s=%d", order[i], sum[order[i]] * 3600 / (secs > 0 ? secs : 1); print "" }'
} | tee "$work/summary.txt"
