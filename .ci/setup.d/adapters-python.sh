#!/usr/bin/env bash
# The Python adapters' packages (harness/adapters/*/requirements.txt), pinned, into the one
# shared venv `.venv` (the same venv .ci/test makes for mock-aws's boto3). Idempotent: pip
# is skipped when the installed set already matches the requirement files (a stamp holding
# their hash). Fresh venv: about 35 s on this machine (wheels from PyPI, awscrt included).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! .venv/bin/python -c 'import sys' 2>/dev/null; then
  python3 -m venv .venv
fi
reqs=(harness/adapters/*/requirements.txt)
stamp=.venv/.adapters-python-installed
want=$(cat "${reqs[@]}" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
args=()
for r in "${reqs[@]}"; do args+=(-r "$r"); done
.venv/bin/python -m pip install --quiet --disable-pip-version-check "${args[@]}"
echo "$want" > "$stamp"
