#!/usr/bin/env bash
# The S3 clients of mock-aws's client suite (mock-aws/tests/it/clients/), pinned:
# - s3cmd 2.3.0 and rclone 1.60.1 from Debian 12 (apt);
# - the MinIO Python client from PyPI, into the venv .venv that 00-base.sh makes.
# Idempotent: each step is skipped when its pinned version is in place.
# Measured on the shared 2-core machine: s3cmd about 10 s and rclone about 9 s from apt (after
# apt-get update), minio about 5 s from PyPI; about 1 s when all are in place.
set -euo pipefail
cd "$(dirname "$0")/../.."

S3CMD=2.3.0-1
if [ "$(dpkg-query -W -f='${Version}' s3cmd 2>/dev/null || true)" != "$S3CMD" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "s3cmd=$S3CMD"
fi

RCLONE=1.60.1+dfsg-2+b5
if [ "$(dpkg-query -W -f='${Version}' rclone 2>/dev/null || true)" != "$RCLONE" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "rclone=$RCLONE"
fi

MINIO=7.2.20
if [ "$(.venv/bin/python -c 'import minio; print(minio.__version__)' 2>/dev/null || true)" != "$MINIO" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "minio==$MINIO"
fi
