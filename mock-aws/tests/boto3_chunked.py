"""boto3 with its default settings, over HTTPS, uploading to `mock-aws --tls`.

boto3 1.43 sends S3 uploads over HTTPS as `aws-chunked` with
`x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER` and a `x-amz-checksum-crc32`
trailer; the server must decode the body, check the checksum, and store the bytes.

Usage: python3 boto3_chunked.py https://127.0.0.1:PORT CERT.pem
Exits non-zero with a message on the first failure.
"""
import io
import json
import os
import ssl
import sys
import urllib.request

import boto3

endpoint, cert = sys.argv[1], sys.argv[2]
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    verify=cert,
    region_name="us-east-1",
    aws_access_key_id="AKIDEXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
)
s3.create_bucket(Bucket="chunked")

bodies = {
    "small.txt": b"hello world\n",
    "empty": b"",
    # More than one of botocore's chunks, random bytes.
    "big.bin": os.urandom(3 * 1024 * 1024 + 12345),
}
for key, body in bodies.items():
    s3.put_object(Bucket="chunked", Key=key, Body=body)
# A file object (streamed by botocore) and upload_fileobj (s3transfer, single request < 8 MiB).
s3.put_object(Bucket="chunked", Key="fileobj", Body=io.BytesIO(bodies["big.bin"]))
bodies["fileobj"] = bodies["big.bin"]
s3.upload_fileobj(io.BytesIO(bodies["small.txt"] * 1000), "chunked", "transfer")
bodies["transfer"] = bodies["small.txt"] * 1000

for key, body in bodies.items():
    got = s3.get_object(Bucket="chunked", Key=key)["Body"].read()
    assert got == body, f"{key}: read back {len(got)} bytes, sent {len(body)}"

ctx = ssl.create_default_context(cafile=cert)
with urllib.request.urlopen(endpoint + "/_mock-aws/verdicts", context=ctx) as r:
    verdicts = json.load(r)["verdicts"]
puts = [v for v in verdicts if v["operation"] == "PutObject"]
assert len(puts) == len(bodies), puts
for v in puts:
    assert v["outcome"] == "accepted" and v["status"] == 200, v
    streaming = v.get("streaming") or ""
    assert streaming.startswith("STREAMING-UNSIGNED-PAYLOAD-TRAILER: verified"), v
    assert "checksum CRC32 " in streaming, v
print("\n".join(v["streaming"] for v in puts))
