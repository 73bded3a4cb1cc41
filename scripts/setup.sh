#!/usr/bin/env bash
# Prepares a Debian machine to build, test and run ContextInject. Idempotent: every step checks
# first and skips what is already in place. Runs as root, or as a user with sudo.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
say() { printf '==> %s\n' "$*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# Build tools and the PostgreSQL server (the embedded default and the tests need its binaries).
apt_install ca-certificates curl gcc libc6-dev postgresql

# Rust: the version in rust-toolchain.toml, through rustup.
if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    say "installing Rust with rustup"
    curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain none
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi

# The toolchain pinned in rust-toolchain.toml (rustup may be set not to install it on demand).
toolchain=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' "$(dirname "$0")/../rust-toolchain.toml")
if command -v rustup >/dev/null && ! rustup toolchain list | grep -q "^$toolchain"; then
  say "installing Rust $toolchain"
  rustup toolchain install "$toolchain" --profile minimal
fi

# PostgreSQL listening on 127.0.0.1:5432. There is no systemd on these machines: start the
# Debian cluster directly.
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  say "starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

# A development superuser with a password, since Debian's TCP authentication asks for one.
# Tests create a database each, create the ctxi_app role and tamper with rows on purpose:
# they need a superuser. Never use this role in production.
if ! PGPASSWORD=ctxi_dev psql -h 127.0.0.1 -U ctxi_dev -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; then
  say "creating the ctxi_dev PostgreSQL role"
  as_root runuser -u postgres -- psql -q -d postgres -c \
    "DO \$\$ BEGIN
       IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ctxi_dev') THEN
         CREATE ROLE ctxi_dev LOGIN SUPERUSER PASSWORD 'ctxi_dev';
       END IF;
     END \$\$;"
fi
# The development key-encryption key, made once: a new one would make existing personal data
# unreadable. Production keeps its key in a secret store instead.
kek_file="$(cd "$(dirname "$0")/.." && pwd)/data/kek"
if [ ! -s "$kek_file" ]; then
  say "creating the development key-encryption key in $kek_file"
  mkdir -p "$(dirname "$kek_file")"
  (umask 077 && head -c 32 /dev/urandom | base64 > "$kek_file")
fi
# The dashboard's toolchain (wasm target, wasm-bindgen-cli) and Chromium for the browser tests.
bash "$(dirname "$0")/setup-web.sh"
bash "$(dirname "$0")/setup-mcp-client.sh"
say "setup complete"
