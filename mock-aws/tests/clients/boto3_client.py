"""boto3 with its defaults against mock-aws: the user's flow (create a bucket, upload_file of
20 MiB, which s3transfer sends as a multipart upload of 8 MiB parts, list, download_file of
it, which s3transfer reads with ranged GETs, a SigV2 presigned URL as boto3 makes for S3 by
default), then multipart's low-level operations and S3's errors for them.

The expected values come from outside mock-aws: the object's bytes are the file's; its ETag
is S3's documented multipart ETag computed here with hashlib (MD5 of the parts' binary MD5s,
`-N`); the error codes are S3's (API reference, CompleteMultipartUpload "Errors").

Usage: python3 boto3_client.py ENDPOINT [CERT.pem]; prints one line `ok OPERATION` per check.
"""
import hashlib
import json
import os
import ssl
import sys
import tempfile
import urllib.request

import boto3
import botocore
from botocore.config import Config

endpoint = sys.argv[1]
cert = sys.argv[2] if len(sys.argv) > 2 else None
MiB = 1024 * 1024


def client(**config):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        verify=cert if cert else True,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        config=Config(**config) if config else None,
    )


def ok(what):
    print("ok", what, flush=True)


def expect_error(code, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except botocore.exceptions.ClientError as e:
        got = e.response["Error"]["Code"]
        assert got == code, f"expected {code}, got {got}: {e}"
        return
    raise AssertionError(f"expected {code}, the call succeeded")


s3 = client()
s3.create_bucket(Bucket="bkt3")
# us-east-1: creating a bucket you already own answers 200 (S3 API reference, CreateBucket).
s3.create_bucket(Bucket="bkt3")
ok("CreateBucket")
assert s3.get_bucket_location(Bucket="bkt3")["LocationConstraint"] is None
ok("GetBucketLocation")

data = os.urandom(20 * MiB + 12345)
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "up.bin")
    with open(src, "wb") as f:
        f.write(data)
    s3.upload_file(src, "bkt3", "dir/big.bin")
    ok("upload_file (multipart)")
    head = s3.head_object(Bucket="bkt3", Key="dir/big.bin")
    assert head["ContentLength"] == len(data), head
    # s3transfer's default part size is 8 MiB.
    md5s = b"".join(hashlib.md5(data[i : i + 8 * MiB]).digest() for i in range(0, len(data), 8 * MiB))
    n = (len(data) + 8 * MiB - 1) // (8 * MiB)
    want = '"%s-%d"' % (hashlib.md5(md5s).hexdigest(), n)
    assert head["ETag"] == want, (head["ETag"], want)
    ok("multipart ETag")
    dst = os.path.join(tmp, "down.bin")
    s3.download_file("bkt3", "dir/big.bin", dst)
    with open(dst, "rb") as f:
        assert f.read() == data, "download_file differs"
    ok("download_file (ranged GETs)")
got = s3.get_object(Bucket="bkt3", Key="dir/big.bin")["Body"].read()
assert got == data
ok("GetObject")
keys = [o["Key"] for o in s3.list_objects_v2(Bucket="bkt3")["Contents"]]
assert keys == ["dir/big.bin"], keys
listing = s3.list_objects(Bucket="bkt3", Delimiter="/")
assert [p["Prefix"] for p in listing["CommonPrefixes"]] == ["dir/"], listing
ok("ListObjects")

# Low-level multipart, with S3's errors.
key = "low/level"
up = s3.create_multipart_upload(Bucket="bkt3", Key=key)["UploadId"]
p1 = os.urandom(5 * MiB)
p2 = b"tail"
e1 = s3.upload_part(Bucket="bkt3", Key=key, UploadId=up, PartNumber=1, Body=p1)["ETag"]
e2 = s3.upload_part(Bucket="bkt3", Key=key, UploadId=up, PartNumber=2, Body=p2)["ETag"]
assert e1 == '"%s"' % hashlib.md5(p1).hexdigest(), e1
parts = s3.list_parts(Bucket="bkt3", Key=key, UploadId=up)["Parts"]
assert [(p["PartNumber"], p["Size"], p["ETag"]) for p in parts] == [(1, len(p1), e1), (2, 4, e2)], parts
ok("ListParts")
uploads = s3.list_multipart_uploads(Bucket="bkt3")["Uploads"]
assert [(u["Key"], u["UploadId"]) for u in uploads] == [(key, up)], uploads
ok("ListMultipartUploads")
expect_error(
    "InvalidPartOrder", s3.complete_multipart_upload, Bucket="bkt3", Key=key, UploadId=up,
    MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]},
)
expect_error(
    "InvalidPart", s3.complete_multipart_upload, Bucket="bkt3", Key=key, UploadId=up,
    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e2}, {"PartNumber": 2, "ETag": e2}]},
)
expect_error(
    "InvalidPart", s3.complete_multipart_upload, Bucket="bkt3", Key=key, UploadId=up,
    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 3, "ETag": e2}]},
)
# A part under 5 MiB that is not the last.
s3.upload_part(Bucket="bkt3", Key=key, UploadId=up, PartNumber=3, Body=b"x")
expect_error(
    "EntityTooSmall", s3.complete_multipart_upload, Bucket="bkt3", Key=key, UploadId=up,
    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2},
                               {"PartNumber": 3, "ETag": '"%s"' % hashlib.md5(b"x").hexdigest()}]},
)
ok("CompleteMultipartUpload errors")
done = s3.complete_multipart_upload(
    Bucket="bkt3", Key=key, UploadId=up,
    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]},
)
want = '"%s-2"' % hashlib.md5(hashlib.md5(p1).digest() + hashlib.md5(p2).digest()).hexdigest()
assert done["ETag"] == want, (done, want)
assert s3.get_object(Bucket="bkt3", Key=key)["Body"].read() == p1 + p2
ok("CompleteMultipartUpload")
expect_error("NoSuchUpload", s3.list_parts, Bucket="bkt3", Key=key, UploadId=up)
up = s3.create_multipart_upload(Bucket="bkt3", Key="aborted")["UploadId"]
s3.abort_multipart_upload(Bucket="bkt3", Key="aborted", UploadId=up)
expect_error("NoSuchUpload", s3.upload_part, Bucket="bkt3", Key="aborted", UploadId=up, PartNumber=1, Body=b"x")
ok("AbortMultipartUpload")

if cert:
    # Over HTTPS, with checksums only when required, botocore sends parts as UNSIGNED-PAYLOAD.
    plain = client(request_checksum_calculation="when_required")
    up = plain.create_multipart_upload(Bucket="bkt3", Key="unsigned")["UploadId"]
    e = plain.upload_part(Bucket="bkt3", Key="unsigned", UploadId=up, PartNumber=1, Body=b"u" * 100)["ETag"]
    plain.complete_multipart_upload(
        Bucket="bkt3", Key="unsigned", UploadId=up, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e}]}
    )
    assert plain.get_object(Bucket="bkt3", Key="unsigned")["Body"].read() == b"u" * 100
    ok("UploadPart UNSIGNED-PAYLOAD")

# The verdict log: every request verified, the part uploads' payload modes.
ctx = ssl.create_default_context(cafile=cert) if cert else None
with urllib.request.urlopen(endpoint + "/_mock-aws/verdicts", context=ctx) as r:
    verdicts = json.load(r)["verdicts"]
bad = [v for v in verdicts if v["outcome"] != "accepted"]
assert not bad, bad
parts = [v for v in verdicts if v["operation"] == "UploadPart"]
if cert:
    assert any((v.get("streaming") or "").startswith("STREAMING-UNSIGNED-PAYLOAD-TRAILER: verified") for v in parts), parts
ok("verdicts")

# boto3's default presigned URL for S3 is SigV2 (AWSAccessKeyId, Signature, Expires).
s3.put_object(Bucket="bkt3", Key="pre", Body=b"presigned v2")
url = s3.generate_presigned_url("get_object", Params={"Bucket": "bkt3", "Key": "pre"}, ExpiresIn=300)
assert "AWSAccessKeyId=" in url and "Signature=" in url, url
with urllib.request.urlopen(url, context=ctx) as r:
    assert r.read() == b"presigned v2"
ok("presigned GET (SigV2)")
# Header-signed SigV2 (signature_version="s3"), and a wrong secret: S3's StringToSign.
v2 = client(signature_version="s3")
assert v2.get_object(Bucket="bkt3", Key="pre")["Body"].read() == b"presigned v2"
bad = boto3.client("s3", endpoint_url=endpoint, verify=cert if cert else True, region_name="us-east-1",
                   aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="wrong",
                   config=Config(signature_version="s3"))
try:
    bad.get_object(Bucket="bkt3", Key="pre")
    raise AssertionError("a wrong SigV2 secret was accepted")
except botocore.exceptions.ClientError as e:
    assert e.response["Error"]["Code"] == "SignatureDoesNotMatch", e.response
with urllib.request.urlopen(endpoint + "/_mock-aws/verdicts", context=ctx) as r:
    last = json.load(r)["verdicts"][-1]
assert last["verifier_code"] == "sigv2-signature-mismatch", last
assert last["canonical_request"].startswith("GET\n"), last
ok("GetObject (SigV2 header)")
