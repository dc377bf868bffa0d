#!/usr/bin/env bash
# The node adapters' packages (harness/adapters/node/package.json), exact versions from the
# committed package-lock.json, from the npm registry (`npm ci`). Idempotent: skipped when
# node_modules was installed from this very lockfile. Fresh node_modules: about 15 s here
# (68 MB; aws-crt ships its prebuilt linux-x64 .node inside the package).
set -euo pipefail
cd "$(dirname "$0")/../../harness/adapters/node"
if ! cmp -s package-lock.json node_modules/.installed-lock 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.installed-lock
fi
