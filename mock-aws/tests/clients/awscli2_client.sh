#!/usr/bin/env bash
# The AWS CLI v2 (Debian's 2.9.19, /usr/bin/aws) with its defaults: only the endpoint, the
# credentials and the region from the environment (an IP endpoint means path-style). s3 mb,
# s3 cp of 20 MiB (multipart: 8 MiB parts), s3 ls, s3 cp back (compared), s3 presign (SigV4 in
# v2), s3 rm, s3 rb. Prints `ok CHECK` per check.
# Usage: awscli2_client.sh ENDPOINT [CERT.pem]
set -euo pipefail
endpoint=$1
cert=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset AWS_CA_BUNDLE AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
a() { /usr/bin/aws --endpoint-url "$endpoint" ${cert:+--ca-bundle "$cert"} --cli-read-timeout 60 --cli-connect-timeout 10 "$@"; }
a s3 mb s3://cli2-bkt >/dev/null
echo "ok s3 mb"
head -c $((20 * 1024 * 1024 + 3)) /dev/urandom > "$tmp/up.bin"
a s3 cp --no-progress "$tmp/up.bin" s3://cli2-bkt/dir/up.bin >/dev/null
echo "ok s3 cp up 20 MiB (multipart)"
a s3 ls s3://cli2-bkt/dir/ | grep -q " up.bin$" || { echo "s3 ls: no up.bin" >&2; exit 1; }
echo "ok s3 ls (ListObjectsV2)"
a s3 cp --no-progress s3://cli2-bkt/dir/up.bin "$tmp/down.bin" >/dev/null
cmp "$tmp/up.bin" "$tmp/down.bin"
echo "ok s3 cp down 20 MiB"
url=$(a s3 presign s3://cli2-bkt/dir/up.bin)
curl -sf --max-time 60 ${cert:+--cacert "$cert"} -o "$tmp/pre.bin" "$url"
cmp "$tmp/up.bin" "$tmp/pre.bin"
echo "ok s3 presign"
a s3 rm s3://cli2-bkt/dir/up.bin >/dev/null
a s3 rb s3://cli2-bkt >/dev/null
echo "ok s3 rm, rb"
