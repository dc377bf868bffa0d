#!/usr/bin/env bash
# Seeds the `verify` and `roundtrip` corpora (and `differential`, which takes the same input
# as `canonical`) from the suite's requests: the `canonical` seeds of ./seed-corpus.sh, each
# behind the fixed-size prefix of the target's input (see src/verify_target.rs and
# src/roundtrip.rs), in the variants that reach the checks (header auth and presigned; the
# harness signing with the real secret, with a decoy secret, from parts, raw; every kind of
# change for roundtrip).
# Usage: fuzz/seed-auth.sh   (writes corpus/{verify,roundtrip,differential}/)
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
./seed-corpus.sh "$tmp/canonical" >/dev/null
mkdir -p corpus/verify corpus/roundtrip corpus/differential
cp -n "$tmp"/canonical/* corpus/differential/
python3 - "$tmp/canonical" <<'PY'
import hashlib, os, sys
src = sys.argv[1]
def put(target, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join("corpus", target, name), "wb") as f:
        f.write(data)
for fn in sorted(os.listdir(src)):
    req = open(os.path.join(src, fn), "rb").read()
    presign = req[0] & 2
    # verify: flags, clock (i32), 7 texts (algorithm, credential, signed headers, signature,
    # date, expires, decoy), then the request.
    for flags in (0x00, 0x40, 0x50, 0x80):
        put("verify", bytes([flags | (0x20 if presign else 0)]) + bytes(4) + b"\0" * 6 + b"decoy\0" + req)
    # roundtrip: extra, time (i32), clock (i32), expires (u32), tamper, at (u16), then 5 texts
    # (data, key, secret, region, service) and the request.
    put("roundtrip", bytes(16) + b"\0" * 5 + req)
    for tamper in range(1, 10):
        put("roundtrip", bytes(13) + bytes([tamper, 1, 0]) + b"x\0" + b"\0" * 4 + req)
PY
echo "seeded: $(ls corpus/verify | wc -l) verify, $(ls corpus/roundtrip | wc -l) roundtrip, $(ls corpus/differential | wc -l) differential"
