#!/usr/bin/env bash
# rclone (Debian's 1.60.1) with its defaults for an S3 endpoint of provider Other, configured
# by environment only (a remote `mock`: endpoint, credentials, region; path-style is rclone's
# default for Other): mkdir, copyto of 20 MiB (one PutObject: rclone goes multipart only
# above its 200 MiB upload cutoff), lsf (ListObjects v1 with delimiter /), cat (compared with
# the file), lsjson --metadata (the mtime kept in x-amz-meta-mtime), sync / check / md5sum /
# size / purge of a small tree, deletefile, rmdir. Prints `ok CHECK` per check.
# Usage: rclone_client.sh ENDPOINT [CERT.pem]
set -euo pipefail
endpoint=$1
cert=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The AWS SDK inside rclone would load an AWS_CA_BUNDLE of the environment; --ca-cert is ours.
unset AWS_CA_BUNDLE AWS_PROFILE AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
export RCLONE_CONFIG="$tmp/none.conf"
export RCLONE_CONFIG_MOCK_TYPE=s3 RCLONE_CONFIG_MOCK_PROVIDER=Other
export RCLONE_CONFIG_MOCK_ENDPOINT="$endpoint" RCLONE_CONFIG_MOCK_REGION=us-east-1
export RCLONE_CONFIG_MOCK_ACCESS_KEY_ID=AKIDEXAMPLE
export RCLONE_CONFIG_MOCK_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
rc() { rclone -q --retries 1 --low-level-retries 1 --contimeout 10s --timeout 60s ${cert:+--ca-cert "$cert"} "$@"; }
rc mkdir mock:rclone-bkt
echo "ok mkdir"
head -c $((20 * 1024 * 1024 + 5)) /dev/urandom > "$tmp/up.bin"
touch -d "2001-02-03 04:05:06 UTC" "$tmp/up.bin"
rc copyto "$tmp/up.bin" mock:rclone-bkt/dir/up.bin
echo "ok copyto 20 MiB (one PutObject)"
[ "$(rc lsf mock:rclone-bkt)" = "dir/" ] || { echo "lsf: $(rc lsf mock:rclone-bkt)" >&2; exit 1; }
[ "$(rc lsf mock:rclone-bkt/dir)" = "up.bin" ] || { echo "lsf dir" >&2; exit 1; }
echo "ok lsf (ListObjects v1)"
rc cat mock:rclone-bkt/dir/up.bin > "$tmp/down.bin"
cmp "$tmp/up.bin" "$tmp/down.bin"
echo "ok cat 20 MiB"
# rclone keeps the file's modification time in x-amz-meta-mtime and reads it back.
meta=$(rc lsjson --metadata mock:rclone-bkt/dir/up.bin)
echo "$meta" | grep -q '"mtime":"' || { echo "lsjson --metadata: $meta" >&2; exit 1; }
[ "$(TZ=UTC0 rc lsf --format t mock:rclone-bkt/dir/up.bin)" = "2001-02-03 04:05:06" ] || { echo "mtime not kept: $meta" >&2; exit 1; }
echo "ok lsjson --metadata (x-amz-meta-mtime)"
mkdir -p "$tmp/tree/sub"; echo one > "$tmp/tree/a.txt"; echo two > "$tmp/tree/sub/b.txt"
rc sync "$tmp/tree" mock:rclone-bkt/tree
rc check "$tmp/tree" mock:rclone-bkt/tree
[ "$(rc md5sum mock:rclone-bkt/tree | sort)" = "$(cd "$tmp/tree" && md5sum a.txt sub/b.txt | sed 's/  / /;s/ /  /' | sort)" ] || { echo "md5sum: $(rc md5sum mock:rclone-bkt/tree)" >&2; exit 1; }
rc size --json mock:rclone-bkt/tree | grep -q '"count":2,"bytes":8' || { echo "size: $(rc size --json mock:rclone-bkt/tree)" >&2; exit 1; }
rc purge mock:rclone-bkt/tree
echo "ok sync, check, md5sum, size"
rc deletefile mock:rclone-bkt/dir/up.bin
rc rmdir mock:rclone-bkt
echo "ok deletefile, rmdir"
