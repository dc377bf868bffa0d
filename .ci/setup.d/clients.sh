#!/usr/bin/env bash
# The S3 clients of mock-aws's client suite (mock-aws/tests/it/clients/), pinned:
# - s3cmd 2.3.0, rclone 1.60.1 and the AWS CLI v2 2.9.19 (/usr/bin/aws) from Debian 12 (apt);
# - the MinIO Python client from PyPI, into the venv .venv that 00-base.sh makes;
# - the AWS SDK for JavaScript v3 (client-s3, lib-storage, s3-request-presigner,
#   client-kinesis, client-dynamodb) from npm, at the exact versions of the committed lockfile
#   of mock-aws/tests/clients/js-sdk-v3 (npm ci; skipped when a stamp of that lockfile matches).
# Idempotent: each step is skipped when its pinned version is in place.
# Measured on the shared 2-core machine: s3cmd about 10 s, rclone about 9 s and awscli about
# 21 s from apt (after apt-get update), minio about 5 s from PyPI; about 1 s when all are in
# place. The JS SDK: about 10 s from npm.
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

AWSCLI=2.9.19-1
if [ "$(dpkg-query -W -f='${Version}' awscli 2>/dev/null || true)" != "$AWSCLI" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "awscli=$AWSCLI"
fi

MINIO=7.2.20
if [ "$(.venv/bin/python -c 'import minio; print(minio.__version__)' 2>/dev/null || true)" != "$MINIO" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "minio==$MINIO"
fi

JS=mock-aws/tests/clients/js-sdk-v3
if ! cmp -s "$JS/package-lock.json" "$JS/node_modules/.installed-lock" 2>/dev/null; then
  (cd "$JS" && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.installed-lock)
fi
