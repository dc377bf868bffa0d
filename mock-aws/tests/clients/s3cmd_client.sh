#!/usr/bin/env bash
# s3cmd (Debian's 2.3.0) with its defaults against mock-aws: a config with only the endpoint
# (path-style: host_bucket is the endpoint itself), the credentials, and over TLS the CA file.
# mb, put of 20 MiB (s3cmd sends multipart above its 15 MiB chunk), ls (ListObjects v1 with
# delimiter /), get (compared with the file), info of the bucket and the object (ACL, metadata),
# setacl --acl-public, modify --add-header, sync twice, du, del, rb. Prints `ok CHECK` per check.
# Usage: s3cmd_client.sh ENDPOINT [CERT.pem]
set -euo pipefail
endpoint=$1
cert=${2:-}
hostport=${endpoint#*://}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
https=False
[ -n "$cert" ] && https=True
cat > "$tmp/s3cfg" <<CFG
[default]
access_key = AKIDEXAMPLE
secret_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
host_base = $hostport
host_bucket = $hostport
bucket_location = us-east-1
use_https = $https
ca_certs_file = $cert
check_ssl_certificate = True
CFG
s3() { s3cmd -c "$tmp/s3cfg" --no-progress "$@"; }
s3 mb s3://s3cmd-bkt >/dev/null
echo "ok mb"
head -c $((20 * 1024 * 1024 + 777)) /dev/urandom > "$tmp/up.bin"
s3 put "$tmp/up.bin" s3://s3cmd-bkt/dir/up.bin >/dev/null
verdicts=$(curl -sf --max-time 10 ${cert:+--cacert "$cert"} "$endpoint/_mock-aws/verdicts")
parts=$(echo "$verdicts" | grep -o '"operation":"UploadPart"' | wc -l)
[ "$parts" = 2 ] || { echo "expected a multipart upload of 2 parts, saw $parts UploadPart" >&2; exit 1; }
echo "$verdicts" | grep -q '"outcome":"rejected"' && { echo "a request was rejected: $verdicts" >&2; exit 1; }
echo "ok put 20 MiB (multipart)"
s3 ls s3://s3cmd-bkt | grep -q "DIR *s3://s3cmd-bkt/dir/" || { echo "ls: no dir/" >&2; exit 1; }
s3 ls s3://s3cmd-bkt/dir/ | grep -q "s3://s3cmd-bkt/dir/up.bin" || { echo "ls dir/: no up.bin" >&2; exit 1; }
echo "ok ls (ListObjects v1)"
s3 get s3://s3cmd-bkt/dir/up.bin "$tmp/down.bin" >/dev/null
cmp "$tmp/up.bin" "$tmp/down.bin"
echo "ok get 20 MiB"
binfo=$(s3 info s3://s3cmd-bkt)
echo "$binfo" | grep -q "Payer: *BucketOwner" || { echo "info bucket: $binfo" >&2; exit 1; }
oinfo=$(s3 info s3://s3cmd-bkt/dir/up.bin)
echo "$oinfo" | grep -q "ACL: *mock-aws: FULL_CONTROL" || { echo "info object: $oinfo" >&2; exit 1; }
# s3cmd keeps the file's md5 and attributes in x-amz-meta-s3cmd-attrs (a multipart ETag is not an MD5).
echo "$oinfo" | grep -q "x-amz-meta-s3cmd-attrs: .*md5:$(md5sum < "$tmp/up.bin" | cut -c1-32)" || { echo "info object, metadata: $oinfo" >&2; exit 1; }
echo "ok info (bucket; object ACL and metadata)"
s3 setacl --acl-public s3://s3cmd-bkt/dir/up.bin >/dev/null
s3 modify --add-header=Cache-Control:max-age=9 s3://s3cmd-bkt/dir/up.bin >/dev/null
oinfo=$(s3 info s3://s3cmd-bkt/dir/up.bin)
echo "$oinfo" | grep -q "ACL: *\*anon\*: READ" || { echo "setacl: $oinfo" >&2; exit 1; }
echo "$oinfo" | grep -q "x-amz-meta-s3cmd-attrs: .*md5:" || { echo "modify lost the metadata: $oinfo" >&2; exit 1; }
echo "ok setacl --acl-public, modify --add-header"
mkdir -p "$tmp/tree/sub"; echo one > "$tmp/tree/a.txt"; echo two > "$tmp/tree/sub/b.txt"
s3 sync "$tmp/tree/" s3://s3cmd-bkt/tree/ >/dev/null
again=$(s3 sync "$tmp/tree/" s3://s3cmd-bkt/tree/)
echo "$again" | grep -q "upload:" && { echo "second sync uploaded again: $again" >&2; exit 1; }
du=$(s3 du s3://s3cmd-bkt)
[ "$(echo "$du" | awk '{print $1, $2}')" = "$((20 * 1024 * 1024 + 777 + 8)) 3" ] || { echo "du: $du" >&2; exit 1; }
echo "ok sync, du"
s3 del --recursive --force s3://s3cmd-bkt/ >/dev/null
s3 rb s3://s3cmd-bkt >/dev/null
echo "ok del, rb"
