#!/usr/bin/env bash
# The S3 clients of mock-aws's client suite (mock-aws/tests/it/clients/), pinned:
# - s3cmd 2.3.0, rclone 1.60.1 and the AWS CLI v2 2.9.19 (/usr/bin/aws) from Debian 12 (apt);
# - the MinIO Python client from PyPI, into the venv .venv that 00-base.sh makes;
# - the AWS SDK for Go v1 1.44.133 (its Debian source package, used in GOPATH mode with
#   Debian's Go 1.19) and the AWS SDK for Ruby's aws-sdk-s3 1.117.2 / aws-sdk-core 3.168.1
#   (Debian 12, with Ruby 3.1); the Go client is built by its test into target/;
# - the AWS SDK for JavaScript v3 (client-s3, lib-storage, s3-request-presigner,
#   client-kinesis, client-dynamodb) from npm, at the exact versions of the committed lockfile
#   of mock-aws/tests/clients/js-sdk-v3 (npm ci; skipped when a stamp of that lockfile matches).
# Idempotent: each step is skipped when its pinned version is in place.
# Measured on the shared 2-core machine: s3cmd about 10 s, rclone about 9 s and awscli about
# 21 s from apt (after apt-get update), minio about 5 s from PyPI, the Ruby SDK's five packages
# about 7 s (Go and its SDK were in place: adapters-other.sh installs the same ones), the JS SDK
# about 10 s from npm; about 1 s when all are in place. The Go client's first build (its test)
# takes about 90 s more.
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

# The AWS SDK for Go v1 and the Ruby aws-sdk-s3 (apt; each pinned package installed only when
# another version or none is in place; golang-go and ruby are Debian 12's).
sdks=(golang-go golang-github-aws-aws-sdk-go-dev=1.44.133-1 ruby
  ruby-aws-sdk-s3=1.117.2-1 ruby-aws-sdk-core=3.168.1-2)
missing=()
for p in "${sdks[@]}"; do
  name=${p%%=*}
  want=${p#"$name"}
  case "$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)" in
    "install ok installed ${want#=}"*) ;;
    *) missing+=("$p") ;;
  esac
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "${missing[@]}"
fi

JS=mock-aws/tests/clients/js-sdk-v3
if ! cmp -s "$JS/package-lock.json" "$JS/node_modules/.installed-lock" 2>/dev/null; then
  (cd "$JS" && npm ci --no-audit --no-fund --loglevel=error && cp package-lock.json node_modules/.installed-lock)
fi
