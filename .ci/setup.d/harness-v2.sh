#!/usr/bin/env bash
# What the tests and the bundled harness adapters (harness/adapters/) need, pinned and
# idempotent (a second run installs nothing):
# - a Python venv .venv with mock-aws's pinned boto3/awscli and the botocore adapter's pin (PyPI);
# - curl (a client of mock-aws's tests and the curl adapter) and faketime (which fixes curl's
#   clock), from Debian;
# - the node adapters' packages, exact versions from the committed lockfile (npm ci);
# - the Rust adapters' binaries (sigv4-adapters), so a first `sigv4 check` does not wait for
#   cargo. Time on a fresh machine: about 1 min for the venv and npm, plus the cargo build.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! .venv/bin/python -c 'import sys' 2>/dev/null; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r mock-aws/tests/requirements.txt \
  -r harness/adapters/botocore/requirements.txt
if ! command -v curl >/dev/null || ! command -v faketime >/dev/null; then
  apt-get update -qq && apt-get install -y -qq curl faketime
fi
if ! cmp -s harness/adapters/node/package-lock.json harness/adapters/node/node_modules/.installed-lock 2>/dev/null; then
  (cd harness/adapters/node && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.installed-lock)
fi
cargo build --locked -q -p sigv4-adapters --bins
