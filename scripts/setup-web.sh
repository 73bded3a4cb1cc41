#!/usr/bin/env bash
# Prepares a Debian machine to build the dashboard (web-yew) and run its browser tests.
# Idempotent: every step checks first and skips what is already in place, so a second run does
# nothing. Runs as root, or as a user with sudo. scripts/setup.sh calls it.
#
# Installs: the wasm32 Rust target; wasm-bindgen-cli at exactly the version of the wasm-bindgen
# crate in Cargo.lock (the CLI refuses wasm built by another version); Debian's chromium and
# chromium-driver; and, when npm is there, binaryen's wasm-opt (Debian's is too old to parse
# current Rust wasm) into $CTXI_TOOLS_DIR (default ~/.cache/ctxi-tools) for release builds.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "error: '$*' needs root, and sudo is not available" >&2; exit 1; fi; }
say() { printf '==> %s\n' "$*" >&2; }

if [ -x "$HOME/.cargo/bin/cargo" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
if ! command -v cargo >/dev/null || ! command -v rustup >/dev/null; then
  echo "error: cargo and rustup are needed; run scripts/setup.sh first" >&2
  exit 1
fi

# The wasm target, for the toolchain pinned in rust-toolchain.toml (rustup reads it from $root).
cd "$root"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the Rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli, the version the lockfile pins. Not --locked: the registry's mirror lags
# the CLI's own lockfile here, and that install fails.
wanted=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$wanted" ]; then
  echo "error: no wasm-bindgen entry in Cargo.lock" >&2
  exit 1
fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$wanted" ]; then
  say "installing wasm-bindgen-cli $wanted (found: ${have:-none}); this compiles for a few minutes"
  cargo install wasm-bindgen-cli --version "$wanted" --force
fi

# Debian's Chromium and its WebDriver, for the browser tests.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  say "installing chromium and chromium-driver"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi

# Optional, for release builds only: wasm-opt from npm's binaryen, outside the work tree so
# that git never sees it and fresh clones on this machine reuse it. Quietly skipped without npm.
binaryen_version=132
tools="${CTXI_TOOLS_DIR:-$HOME/.cache/ctxi-tools}"
if command -v npm >/dev/null; then
  if ! "$tools/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version $binaryen_version"; then
    say "installing wasm-opt (npm binaryen@$binaryen_version) into $tools"
    mkdir -p "$tools"
    npm install --silent --no-audit --no-fund --prefix "$tools" "binaryen@$binaryen_version"
  fi
fi
say "web setup complete"
