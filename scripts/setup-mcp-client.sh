#!/usr/bin/env bash
# Prepares the official MCP Python client that api/tests/mcp.rs drives `ctxi mcp` with: a venv
# outside the work tree (so git never sees it and fresh clones on this machine reuse it) holding
# the `mcp` version pinned in api/tests/mcp/requirements.txt. Idempotent: pip runs only when the
# venv is missing or holds another version. scripts/setup.sh calls it.
#
# The venv is at $CTXI_TOOLS_DIR/mcp-venv (default ~/.cache/ctxi-tools/mcp-venv); the test finds
# its python the same way, or at $CTXI_MCP_PYTHON.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  echo "error: '$*' needs root, and sudo is not available" >&2; exit 1; fi; }
say() { printf '==> %s\n' "$*" >&2; }

requirements="$root/api/tests/mcp/requirements.txt"
wanted=$(sed -n 's/^mcp==\([^ ]*\).*/\1/p' "$requirements")
if [ -z "$wanted" ]; then
  echo "error: no 'mcp==VERSION' line in $requirements" >&2
  exit 1
fi
venv="${CTXI_TOOLS_DIR:-$HOME/.cache/ctxi-tools}/mcp-venv"
python="$venv/bin/python"

# Python 3.10+ with venv (the mcp SDK needs 3.10). Debian splits venv into python3-venv.
if ! command -v python3 >/dev/null || ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  say "installing python3 and python3-venv"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv
fi
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  echo "error: the mcp client needs Python 3.10 or newer; python3 is $(python3 --version 2>&1)" >&2
  exit 1
fi

if [ ! -x "$python" ]; then
  say "creating the MCP client venv in $venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
fi
have=$("$python" -c 'import importlib.metadata as m; print(m.version("mcp"))' 2>/dev/null || true)
if [ "$have" != "$wanted" ]; then
  say "installing mcp $wanted into $venv (found: ${have:-none})"
  "$python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
fi
say "MCP client ready: $python (mcp $wanted)"
