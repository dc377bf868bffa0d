#!/usr/bin/env bash
# The Python oracles of vectors/tools (xcheck.py, review_snapshots.py) and of vectors/tests/oracles.rs:
# botocore (pinned as in mock-aws/tests/requirements.txt) and awscrt, from PyPI, into .venv.
# Idempotent: pip leaves pinned versions that are already installed alone (about 5 s the first time).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! .venv/bin/python -c 'import sys' 2>/dev/null; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r vectors/tools/requirements.txt
