#!/usr/bin/env bash
# Sets up the machine (idempotently) and runs every test against a real PostgreSQL; each test
# creates and drops its own database on this server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://ctxi_dev:ctxi_dev@127.0.0.1:5432/postgres}"
# The browser tests drive `ctxi serve` with the built dashboard.
bash scripts/build-web.sh
cargo test --workspace --locked
