#!/usr/bin/env bash
# Builds the dashboard into web-yew/dist/: index.html, boot.js, style.css and wasm-bindgen's
# `--target web` output (dashboard.js, dashboard_bg.wasm). `ctxi serve` serves that folder.
#
#   bash scripts/build-web.sh            # debug build
#   bash scripts/build-web.sh --release  # release build, shrunk with wasm-opt -Oz when available
#
# Needs what scripts/setup-web.sh installs. Idempotent: cargo rebuilds only what changed, and
# dist/ is replaced as a whole, so no file of an older build lingers.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ -x "$HOME/.cargo/bin/cargo" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi

profile=debug
cargo_flags=()
case "${1:-}" in
  "") ;;
  --release)
    profile=release
    cargo_flags=(--release)
    # Size over speed for the download, only for this wasm build: the workspace's release
    # profile (and the server's binary) stay as they are.
    export CARGO_PROFILE_RELEASE_OPT_LEVEL=z CARGO_PROFILE_RELEASE_LTO=true CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
    ;;
  *) echo "usage: $0 [--release]" >&2; exit 2 ;;
esac

wanted=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$wanted" ]; then
  echo "error: wasm-bindgen $wanted is needed (found: ${have:-none}); run: bash scripts/setup-web.sh" >&2
  exit 1
fi

echo "==> building the dashboard ($profile, wasm32-unknown-unknown)" >&2
cargo build -p web-yew --bin dashboard --target wasm32-unknown-unknown "${cargo_flags[@]}"
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
wasm="$target_dir/wasm32-unknown-unknown/$profile/dashboard.wasm"

# Build next to dist/ and swap at the end, so a failed build leaves the previous dist/ intact.
out="web-yew/dist.new"
rm -rf "$out"
mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" "$wasm"

if [ "$profile" = release ]; then
  wasm_opt="${CTXI_TOOLS_DIR:-$HOME/.cache/ctxi-tools}/node_modules/.bin/wasm-opt"
  [ -x "$wasm_opt" ] || wasm_opt=$(command -v wasm-opt || true)
  # Debian's binaryen (108) cannot parse current Rust wasm: only use a recent one.
  if [ -n "$wasm_opt" ] && "$wasm_opt" --version | grep -qE 'version (1[2-9][0-9]|[2-9][0-9]{2})'; then
    echo "==> wasm-opt -Oz" >&2
    "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      -o "$out/dashboard_bg.wasm.opt" "$out/dashboard_bg.wasm"
    mv "$out/dashboard_bg.wasm.opt" "$out/dashboard_bg.wasm"
  else
    echo "==> wasm-opt 120 or later not found (bash scripts/setup-web.sh installs it): not shrinking" >&2
  fi
fi

cp web-yew/static/index.html web-yew/static/boot.js web-yew/static/style.css "$out/"
rm -rf web-yew/dist
mv "$out" web-yew/dist
echo "==> dashboard built in web-yew/dist ($(du -sh web-yew/dist | cut -f1)):" >&2
ls -l web-yew/dist >&2
