#!/usr/bin/env bash
# The base of the test set-up (run by .ci/setup from the workspace root):
# - a Python venv at .venv with the pinned boto3 and awscli (mock-aws's end-to-end tests,
#   mock-aws/tests/requirements.txt) and the botocore adapter's pin, from PyPI;
# - curl (with --aws-sigv4, 7.75+: a client in mock-aws's end-to-end tests and a harness
#   adapter) and faketime (libfaketime: the curl adapter fixes curl's clock with it), from
#   Debian if missing;
# - the node adapters' packages (smithy, aws4) at the exact versions of the committed
#   lockfile, from the npm registry (npm ci).
# The aws-sigv4 package, which carries AWS's signing test suite, comes from crates.io with the
# other Rust dependencies. Each step is skipped when what it installs is already there (the
# pip and npm steps compare a stamp of their pin files).
set -euo pipefail
cd "$(dirname "$0")/../.."

requirements=(mock-aws/tests/requirements.txt harness/adapters/botocore/requirements.txt)
if ! .venv/bin/python -c 'import sys' 2>/dev/null; then
  python3 -m venv .venv
fi
stamp=.venv/.installed-requirements
if ! cat "${requirements[@]}" | cmp -s - "$stamp" 2>/dev/null; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    "${requirements[@]/#/-r}"
  cat "${requirements[@]}" > "$stamp"
fi

if ! command -v curl >/dev/null || ! command -v faketime >/dev/null; then
  apt-get update -qq && apt-get install -y -qq curl faketime
fi

if ! cmp -s harness/adapters/node/package-lock.json harness/adapters/node/node_modules/.installed-lock 2>/dev/null; then
  (cd harness/adapters/node && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.installed-lock)
fi
