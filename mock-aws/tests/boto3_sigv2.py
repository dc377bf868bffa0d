"""Each verdict names its signing scheme: boto3 against a running mock-aws signs S3 requests
with SigV4 (signature_version="s3v4"), SigV2 in the header (signature_version="s3") and SigV2
presigned URLs (boto3's default presign for S3), and urllib sends one unsigned request; the
verdict log must label each (`auth`, `presigned`). A SigV2 request with a wrong secret must be
refused with S3's `SignatureDoesNotMatch`, its `<StringToSign>` the one botocore's own SigV2
signer (`HmacV1Auth`) signed (captured as it signs), and a diagnosis that says it is SigV2 and
what SigV4 is.

Usage: python3 boto3_sigv2.py http://127.0.0.1:PORT
Prints `ok CHECK` per check; exits non-zero with a message on the first failure.
"""
import json
import sys
import urllib.error
import urllib.request

import boto3
import botocore.auth
import botocore.exceptions
from botocore.config import Config

endpoint = sys.argv[1]
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

# botocore's SigV2 string to sign, as it signs it.
signed_strings = []
_sign_string = botocore.auth.HmacV1Auth.sign_string


def _spy(self, string_to_sign):
    signed_strings.append(string_to_sign)
    return _sign_string(self, string_to_sign)


botocore.auth.HmacV1Auth.sign_string = _spy


def client(secret=SECRET, **cfg):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key=secret,
        config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}, **cfg),
    )


def last_verdict():
    with urllib.request.urlopen(endpoint + "/_mock-aws/verdicts") as r:
        return json.load(r)["verdicts"][-1]


def ok(name):
    print("ok", name, flush=True)


v4 = client(signature_version="s3v4")
v4.create_bucket(Bucket="labels")
v4.put_object(Bucket="labels", Key="k", Body=b"labelled")
v = last_verdict()
assert (v["auth"], v["presigned"], v["outcome"]) == ("SigV4", False, "accepted"), v
ok("SigV4 header")

url = v4.generate_presigned_url("get_object", Params={"Bucket": "labels", "Key": "k"}, ExpiresIn=300)
assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in url, url
with urllib.request.urlopen(url) as r:
    assert r.read() == b"labelled"
v = last_verdict()
assert (v["auth"], v["presigned"], v["outcome"]) == ("SigV4", True, "accepted"), v
ok("SigV4 presigned")

# boto3's default presign for S3 is SigV2.
url = client().generate_presigned_url("get_object", Params={"Bucket": "labels", "Key": "k"}, ExpiresIn=300)
assert "AWSAccessKeyId=" in url and "Signature=" in url and "X-Amz-" not in url, url
with urllib.request.urlopen(url) as r:
    assert r.read() == b"labelled"
v = last_verdict()
assert (v["auth"], v["presigned"], v["outcome"], v["verifier_code"]) == ("SigV2", True, "accepted", "sigv2"), v
assert v["string_to_sign"] == signed_strings[-1], (v["string_to_sign"], signed_strings[-1])
ok("SigV2 presigned")

assert client(signature_version="s3").get_object(Bucket="labels", Key="k")["Body"].read() == b"labelled"
v = last_verdict()
assert (v["auth"], v["presigned"], v["outcome"]) == ("SigV2", False, "accepted"), v
assert v["string_to_sign"] == signed_strings[-1], (v["string_to_sign"], signed_strings[-1])
ok("SigV2 header")

try:
    client(secret="not-the-secret", signature_version="s3").get_object(Bucket="labels", Key="k")
    raise AssertionError("a SigV2 request with a wrong secret was accepted")
except botocore.exceptions.ClientError as e:
    err = e.response["Error"]
    assert err["Code"] == "SignatureDoesNotMatch", err
    assert err["StringToSign"] == signed_strings[-1], (err["StringToSign"], signed_strings[-1])
    assert "this is SigV2" in err["Message"] and "SigV4 is" in err["Message"], err["Message"]
v = last_verdict()
assert (v["auth"], v["presigned"], v["outcome"], v["verifier_code"]) == (
    "SigV2", False, "rejected", "sigv2-signature-mismatch"), v
assert v["string_to_sign"] == signed_strings[-1], v
assert "this is SigV2" in v["diagnosis"] and "SigV4 is" in v["diagnosis"], v["diagnosis"]
ok("SigV2 mismatch")

try:
    urllib.request.urlopen(endpoint + "/labels/k")
    raise AssertionError("an unsigned GET was answered 200")
except urllib.error.HTTPError as e:
    assert e.code in (400, 403), e.code
v = last_verdict()
assert (v["auth"], v["presigned"], v["outcome"]) == ("unsigned", False, "rejected"), v
ok("unsigned")
