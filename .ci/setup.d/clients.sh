#!/usr/bin/env bash
# The S3 clients of mock-aws's client suite (mock-aws/tests/it/clients/), pinned:
# - s3cmd 2.3.0, rclone 1.60.1 and the AWS CLI v2 2.9.19 (/usr/bin/aws) from Debian 12 (apt);
# - the MinIO Python client from PyPI, into the venv .venv that 00-base.sh makes.
# Idempotent: each step is skipped when its pinned version is in place.
# Measured on the shared 2-core machine: s3cmd about 10 s, rclone about 9 s and awscli about
# 21 s from apt (after apt-get update), minio about 5 s from PyPI; about 1 s when all are in
# place.
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
