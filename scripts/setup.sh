#!/usr/bin/env bash
# Idempotent setup of everything the build and the tests need on a Debian machine:
# protoc (protobuf-compiler), the wasm32v1-none target and rust-src, the Node.js packages of
# the end-to-end tests and of the trading screen (from the committed package-lock.json files),
# Debian's Chromium for the browser test. Says what it does; stops with one
# clear line on the first failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say()  { printf '[setup] %s\n' "$*"; }
fail() { printf '[setup] FAILED: %s\n' "$*" >&2; exit 1; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
		fail "need root (or sudo) to run: $*"; fi
}

# 1. Rust toolchain
command -v cargo >/dev/null || fail "cargo not found: install Rust with rustup (https://rustup.rs)"
command -v rustup >/dev/null || fail "rustup not found: the wasm target and rust-src are installed with rustup"

# 2. protoc (litep2p and the networking crates compile .proto files)
if command -v protoc >/dev/null; then
	say "protoc present ($(protoc --version))"
else
	say "installing protoc (Debian package protobuf-compiler)"
	as_root apt-get install -y -qq protobuf-compiler >/dev/null 2>&1 ||
		{ as_root apt-get update -qq >/dev/null 2>&1 && as_root apt-get install -y -qq protobuf-compiler >/dev/null 2>&1; } ||
		fail "could not install protobuf-compiler with apt-get"
	command -v protoc >/dev/null || fail "protoc still missing after installing protobuf-compiler"
fi

# 3. The wasm target and rust-src (the runtime is compiled to wasm32v1-none)
if rustup target list --installed | grep -qx wasm32v1-none; then
	say "rust target wasm32v1-none present"
else
	say "adding rust target wasm32v1-none"
	rustup target add wasm32v1-none >/dev/null 2>&1 || fail "rustup target add wasm32v1-none failed"
fi
if rustup component list --installed | grep -q '^rust-src'; then
	say "rust-src present"
else
	say "adding rustup component rust-src"
	rustup component add rust-src >/dev/null 2>&1 || fail "rustup component add rust-src failed"
fi
for comp in rustfmt clippy; do
	if rustup component list --installed | grep -q "^$comp"; then
		say "$comp present"
	else
		say "adding rustup component $comp"
		rustup component add "$comp" >/dev/null 2>&1 || fail "rustup component add $comp failed"
	fi
done

# 4. Node.js packages for the end-to-end tests
command -v node >/dev/null || fail "node (Node.js >= 18) not found: install Debian's nodejs package"
command -v npm >/dev/null || fail "npm not found: install Debian's npm package"
e2e="$root/tests/e2e"
stamp="$e2e/node_modules/.optionchain-package-lock.json"
if [ -d "$e2e/node_modules/@polkadot/api" ] && cmp -s "$e2e/package-lock.json" "$stamp" 2>/dev/null; then
	say "e2e Node.js packages present (match package-lock.json)"
else
	say "installing e2e Node.js packages (npm ci, from package-lock.json)"
	(cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm ci in tests/e2e failed"
	cp "$e2e/package-lock.json" "$stamp"
fi

# 4b. The trading screen's packages (ui/, from its package-lock.json; bundled by ui/build.js)
ui="$root/ui"
uistamp="$ui/node_modules/.optionchain-package-lock.json"
if [ -d "$ui/node_modules/esbuild" ] && cmp -s "$ui/package-lock.json" "$uistamp" 2>/dev/null; then
	say "ui Node.js packages present (match ui/package-lock.json)"
else
	say "installing ui Node.js packages (npm ci, from ui/package-lock.json)"
	(cd "$ui" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm ci in ui failed"
	cp "$ui/package-lock.json" "$uistamp"
fi

# 4c. Debian's Chromium for the trading screen's browser test (puppeteer-core drives it)
if command -v chromium >/dev/null; then
	say "chromium present ($(chromium --version 2>/dev/null | head -1))"
else
	say "installing chromium (Debian package, for the browser test)"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 ||
		{ as_root apt-get update -qq >/dev/null 2>&1 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; } ||
		fail "could not install chromium with apt-get"
fi

# 5. Python's substrate-interface for the e2e suite's Python check (a virtual environment in
# tests/e2e/.venv, from tests/e2e/py/requirements.txt)
command -v python3 >/dev/null || fail "python3 not found: install Debian's python3 and python3-venv packages"
venv="$e2e/.venv"
pystamp="$venv/.optionchain-requirements.txt"
if [ -x "$venv/bin/python" ] && cmp -s "$e2e/py/requirements.txt" "$pystamp" 2>/dev/null; then
	say "e2e Python packages present (match tests/e2e/py/requirements.txt)"
else
	say "installing e2e Python packages (substrate-interface) into tests/e2e/.venv"
	python3 -m venv "$venv" >/dev/null 2>&1 || fail "python3 -m venv failed: install Debian's python3-venv package"
	"$venv/bin/pip" install -q --disable-pip-version-check --only-binary=:all: -r "$e2e/py/requirements.txt" >/dev/null ||
		fail "pip install -r tests/e2e/py/requirements.txt failed"
	cp "$e2e/py/requirements.txt" "$pystamp"
fi
say "done"
