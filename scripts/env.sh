# Sourced by the scripts: one persistent target dir outside the clone, so that CI and later
# builds on this machine reuse earlier work. Override with CARGO_TARGET_DIR.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/optionchain/target}"
# The wasm builder must find the workspace's Cargo.lock although the target dir is elsewhere.
export WASM_BUILD_WORKSPACE_HINT="$root"
export OPTIONCHAIN_NODE="${OPTIONCHAIN_NODE:-$CARGO_TARGET_DIR/debug/optionchain-node}"
