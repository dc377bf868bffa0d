"""A signer that signs one payload and sends another, for large S3 bodies the server streams
to storage (PutObject to --data-dir, UploadPart) instead of reading into memory. botocore's
SigV4Auth signs each request; http.client sends it with a different body or header than the
one signed. The server's answers must rest on the body it really received, hashed here with
hashlib:

- `x-amz-content-sha256` claims the empty body's hash for a 20 MiB body: S3's
  `XAmzContentSHA256Mismatch` 400 with S3's `ClientComputedContentSHA256` (the header's) and
  `S3ComputedContentSHA256` (the real body's);
- the empty body's hash signed, the real body's hash declared in `x-amz-content-sha256`
  (a body set after signing): `SignatureDoesNotMatch` 403 whose server canonical request ends
  with the real body's hash (not the empty body's), diagnosed `payload-hash-of-empty-body`;
- the same for a 6 MiB UploadPart;
- the hash of another body of the same length signed and declared: `XAmzContentSHA256Mismatch`,
  the computed hash the real body's, and no diagnosis claiming a mistake;
- the same signed but not declared: `SignatureDoesNotMatch`, unexplained (no mistake claimed),
  with a note naming the received body's hash as the payload line to compare;
- nothing is stored by a refused upload.

Usage: python3 s3_streamed_mismatch.py http://127.0.0.1:PORT
Prints `ok CHECK` per check; exits non-zero with a message on the first failure.
"""
import hashlib
import html
import http.client
import json
import re
import sys
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

endpoint = sys.argv[1]
split = urllib.parse.urlsplit(endpoint)
creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
EMPTY = hashlib.sha256(b"").hexdigest()


def send(method, path, body, signed_body, signed_headers=None, after=None):
    """Signs `method path` over `signed_body` with `signed_headers`, then sends `body` with
    the headers in `after` set too."""
    req = AWSRequest(method=method, url=endpoint + path, data=signed_body, headers=dict(signed_headers or {}))
    SigV4Auth(creds, "s3", "us-east-1").add_auth(req)
    headers = {k: v for k, v in req.headers.items()}
    headers.update(after or {})
    headers["Content-Length"] = str(len(body))
    conn = http.client.HTTPConnection(split.hostname, split.port, timeout=60)
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read().decode("utf-8", "replace")
    conn.close()
    return r.status, data


def tag(xml, name):
    m = re.search(f"<{name}>(.*?)</{name}>", xml, re.S)
    return m.group(1) if m else None


def verdicts():
    conn = http.client.HTTPConnection(split.hostname, split.port, timeout=60)
    conn.request("GET", "/_mock-aws/verdicts")
    doc = json.loads(conn.getresponse().read())
    conn.close()
    return doc["verdicts"]


def ok(name):
    print("ok", name, flush=True)


def pattern(n, seed):
    return hashlib.shake_256(b"seed %d" % seed).digest(n)


status, text = send("PUT", "/streamed", b"", b"", {"X-Amz-Content-SHA256": EMPTY})
assert status == 200, (status, text)

big = pattern(20 * 1024 * 1024, 1)
real = hashlib.sha256(big).hexdigest()

# 1. The header claims the empty body's hash; the 20 MiB body is streamed and hashed.
status, text = send("PUT", "/streamed/claims-empty", big, b"", {"X-Amz-Content-SHA256": EMPTY})
assert status == 400 and tag(text, "Code") == "XAmzContentSHA256Mismatch", (status, text)
assert tag(text, "ClientComputedContentSHA256") == EMPTY, text
assert tag(text, "S3ComputedContentSHA256") == real, text
ok("declared empty hash: XAmzContentSHA256Mismatch with the real body's hash")

# 2. The empty body's hash signed (no x-amz-content-sha256 when signing, as a signer that
# hashed the body it had, none), the real hash declared after signing: the header is right,
# the signature is over the empty body's hash.
status, text = send("PUT", "/streamed/empty-signed", big, b"", after={"x-amz-content-sha256": real})
assert status == 403 and tag(text, "Code") == "SignatureDoesNotMatch", (status, text)
cr = tag(text, "CanonicalRequest")
assert cr is not None and cr.rstrip().endswith(real), cr
assert tag(text, "MockAwsDiagnosisCode") == "payload-hash-of-empty-body", text
v = verdicts()[-1]
assert v["diagnosis_code"] == "payload-hash-of-empty-body" and v["canonical_request"].endswith(real), v
ok("PutObject: empty body's hash signed, diagnosed on the real body's hash")

# 3. The same for an UploadPart of 6 MiB.
status, text = send("POST", "/streamed/mp?uploads", b"", b"", {"X-Amz-Content-SHA256": EMPTY})
assert status == 200, (status, text)
upload_id = tag(text, "UploadId")
part = pattern(6 * 1024 * 1024, 2)
part_hash = hashlib.sha256(part).hexdigest()
path = f"/streamed/mp?partNumber=1&uploadId={upload_id}"
status, text = send("PUT", path, part, b"", after={"x-amz-content-sha256": part_hash})
assert status == 403 and tag(text, "Code") == "SignatureDoesNotMatch", (status, text)
assert tag(text, "CanonicalRequest").rstrip().endswith(part_hash), text
assert tag(text, "MockAwsDiagnosisCode") == "payload-hash-of-empty-body", text
ok("UploadPart: empty body's hash signed, diagnosed on the real body's hash")

# 4. Another body's hash signed and declared: the body is not the one signed.
other = pattern(len(big), 3)
other_hash = hashlib.sha256(other).hexdigest()
status, text = send("PUT", "/streamed/other", big, other, {"X-Amz-Content-SHA256": other_hash})
assert status == 400 and tag(text, "Code") == "XAmzContentSHA256Mismatch", (status, text)
assert tag(text, "ClientComputedContentSHA256") == other_hash, text
assert tag(text, "S3ComputedContentSHA256") == real, text
assert tag(text, "MockAwsDiagnosisCode") is None, text
ok("another body's hash declared: XAmzContentSHA256Mismatch, no mistake claimed")

# 4b. Another body's hash signed, none declared (a hand-made signer): no known mistake, and the
# answer says the payload line is the received body's hash, the likely difference.
status, text = send("PUT", "/streamed/other", big, other)
assert status == 403 and tag(text, "Code") == "SignatureDoesNotMatch", (status, text)
assert tag(text, "CanonicalRequest").rstrip().endswith(real), text
assert tag(text, "MockAwsDiagnosisCode") == "unexplained", text
message = html.unescape(tag(text, "Message"))
assert f"the payload hash in the server's canonical request, {real}, is the SHA-256 of the body as the server received it" in message, message
v = verdicts()[-1]
assert v["diagnosis_code"] == "unexplained" and real in v["diagnosis"], v
ok("another body's hash signed, none declared: the received body's hash named")

# 5. A right signature over the real body still goes through, then nothing refused was kept.
status, text = send("PUT", path, part, part)
assert status == 200, (status, text)
status, text = send("GET", "/streamed?list-type=2", b"", b"")
assert status == 200 and tag(text, "KeyCount") == "0", text
ok("refused uploads not stored")
