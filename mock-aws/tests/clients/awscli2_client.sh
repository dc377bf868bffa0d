#!/usr/bin/env bash
# The AWS CLI v2 (Debian's 2.9.19, /usr/bin/aws) with its defaults: only the endpoint, the
# credentials and the region from the environment (an IP endpoint means path-style). s3 mb,
# s3 cp of 20 MiB (multipart: 8 MiB parts), s3 ls, s3 cp back (compared), s3 presign (SigV4 in
# v2), s3 cp --metadata --acl public-read, an S3-to-S3 copy of 20 MiB (UploadPartCopy) with
# get-object-attributes, s3 sync up and down, s3 rm, s3 rb. Prints `ok CHECK` per check.
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
echo small > "$tmp/small.txt"
a s3 cp --no-progress --metadata k1=v1 --acl public-read "$tmp/small.txt" s3://cli2-bkt/small.txt >/dev/null
[ "$(a s3api head-object --bucket cli2-bkt --key small.txt --query Metadata.k1 --output text)" = v1 ] || { echo "cp --metadata not kept" >&2; exit 1; }
[ "$(a s3api get-object-acl --bucket cli2-bkt --key small.txt --query "Grants[?Grantee.URI=='http://acs.amazonaws.com/groups/global/AllUsers'].Permission" --output text)" = READ ] || { echo "cp --acl public-read not kept" >&2; exit 1; }
echo "ok s3 cp --metadata --acl public-read"
# An S3-to-S3 copy of 20 MiB is a multipart copy (UploadPartCopy of 8 MiB ranges).
a s3 cp --no-progress s3://cli2-bkt/dir/up.bin s3://cli2-bkt/dir/copy.bin >/dev/null
attrs=$(a s3api get-object-attributes --bucket cli2-bkt --key dir/copy.bin --object-attributes ObjectSize ObjectParts --query '[ObjectSize, ObjectParts.TotalPartsCount]' --output text)
[ "$attrs" = "$((20 * 1024 * 1024 + 3))	3" ] || { echo "get-object-attributes: $attrs" >&2; exit 1; }
echo "ok s3 cp s3-to-s3 20 MiB (UploadPartCopy), get-object-attributes"
mkdir -p "$tmp/tree/sub"; echo one > "$tmp/tree/a.txt"; echo two > "$tmp/tree/sub/b.txt"
# sync uploads a file again when it is newer than the object; S3's LastModified has whole
# seconds, so a file written in the same second as its upload would look newer: date it back.
touch -d '-1 minute' "$tmp/tree/a.txt" "$tmp/tree/sub/b.txt"
a s3 sync --no-progress "$tmp/tree" s3://cli2-bkt/tree >/dev/null
[ -z "$(a s3 sync --no-progress "$tmp/tree" s3://cli2-bkt/tree)" ] || { echo "second s3 sync copied again" >&2; exit 1; }
a s3 sync --no-progress s3://cli2-bkt/tree "$tmp/back" >/dev/null
diff -r "$tmp/tree" "$tmp/back"
echo "ok s3 sync up and down"
a s3 rm --recursive s3://cli2-bkt/ >/dev/null
a s3 rb s3://cli2-bkt >/dev/null
echo "ok s3 rm, rb"
