#!/usr/bin/env bash
# The bundled targets of `sigv4 probe` / `sigv4 probe-report`, pinned, in project-local
# folders (idempotent: each step is skipped when the pinned version is already there).
#   moto[server] 5.2.5 (PyPI) in .probe-tools/moto-venv, with every dependency pinned
#     (harness/probe-targets/moto/requirements.txt)                              ~2.5 min
#   s3rver 3.7.1 (npm) in harness/probe-targets/s3rver/node_modules (npm ci)       ~1 min
#   s3s-fs 0.14.1 (crates.io, feature `binary`) in .probe-tools/s3s-fs: the newest release
#     whose rust-version is <= 1.95 (0.15.0 and later need 1.96): a cold build of 169 crates,
#     5.4 CPU-minutes; 19 min wall on the shared 2-core machine under load (13 min with sccache)
# LocalStack is optional and not installed here: it runs its services in Docker (the probe skips
# it with the reason).
# setup: in parallel
set -euo pipefail
cd "$(dirname "$0")/../.."
tools=.probe-tools
MOTO=5.2.5
S3S_FS=0.14.1
mkdir -p "$tools"

if ! "$tools/moto-venv/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO')" 2>/dev/null; then
  echo "probe.sh: installing moto[server] $MOTO"
  python3 -m venv "$tools/moto-venv"
  "$tools/moto-venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r harness/probe-targets/moto/requirements.txt
fi

lock=harness/probe-targets/s3rver/package-lock.json
if ! cmp -s "$lock" harness/probe-targets/s3rver/node_modules/.installed-lock 2>/dev/null; then
  echo "probe.sh: installing s3rver (npm ci)"
  (cd harness/probe-targets/s3rver && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.installed-lock)
fi

# s3s-fs is built once per machine, outside the clone (a fresh clone, as CI makes, reuses it),
# then copied into the project-local folder the probe runs it from.
cache="${SIGV4_TOOLS_CACHE:-$HOME/.cache/sigv4-yardstick}/s3s-fs-$S3S_FS"
if [ "$("$cache/bin/s3s-fs" --version 2>/dev/null)" != "s3s-fs $S3S_FS" ]; then
  echo "probe.sh: installing s3s-fs $S3S_FS (cargo install into $cache)"
  cargo install s3s-fs --version "$S3S_FS" --features binary --locked --root "$cache"
fi
if [ "$("$tools/s3s-fs/bin/s3s-fs" --version 2>/dev/null)" != "s3s-fs $S3S_FS" ]; then
  mkdir -p "$tools/s3s-fs/bin"
  cp "$cache/bin/s3s-fs" "$tools/s3s-fs/bin/s3s-fs"
fi
