#!/usr/bin/env bash
# The Python adapters' packages (harness/adapters/*/requirements.txt), pinned, into the one
# shared venv `.venv` (the venv mock-aws's boto3 is in; harness-v2.sh installs that pin). Idempotent: pip
# is skipped when the installed set already matches the requirement files (a stamp holding
# their hash). Fresh venv: 54 s here with no pip cache (28 s with it; 77 MB, awscrt wheel
# included); a second run: 0.15 s.
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
