"""The MinIO Python client with its defaults against mock-aws (no region given): make_bucket, fput_object of 20 MiB (multipart), list_objects,
fget_object (compared with the file), a presigned GET (SigV4), remove_object, remove_bucket.

Usage: python3 minio_client.py ENDPOINT [CERT.pem]; prints `ok CHECK` per check.
"""
import hashlib
import os
import sys
import tempfile
import urllib.request
import ssl

import urllib3
from minio import Minio

endpoint = sys.argv[1]
cert = sys.argv[2] if len(sys.argv) > 2 else None
secure = endpoint.startswith("https://")
host = endpoint.split("://", 1)[1]
http = urllib3.PoolManager(
    timeout=urllib3.Timeout(connect=10, read=60),
    cert_reqs="CERT_REQUIRED" if cert else None,
    ca_certs=cert,
)
mc = Minio(host, access_key="AKIDEXAMPLE", secret_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
           secure=secure, http_client=http)


def ok(what):
    print("ok", what, flush=True)


mc.make_bucket("minio-bkt")
assert mc.bucket_exists("minio-bkt")
ok("make_bucket, bucket_exists")
data = os.urandom(20 * 1024 * 1024 + 99)
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "up.bin")
    with open(src, "wb") as f:
        f.write(data)
    r = mc.fput_object("minio-bkt", "dir/up.bin", src)
    # minio-py's part size for a 20 MiB file is its minimum, 5 MiB; S3's multipart ETag rule.
    part = 5 * 1024 * 1024
    md5s = b"".join(hashlib.md5(data[i : i + part]).digest() for i in range(0, len(data), part))
    want = "%s-%d" % (hashlib.md5(md5s).hexdigest(), (len(data) + part - 1) // part)
    assert r.etag.strip('"') == want, (r.etag, want)
    ok("fput_object 20 MiB (multipart)")
    names = [o.object_name for o in mc.list_objects("minio-bkt", recursive=True)]
    assert names == ["dir/up.bin"], names
    ok("list_objects")
    dst = os.path.join(tmp, "down.bin")
    mc.fget_object("minio-bkt", "dir/up.bin", dst)
    with open(dst, "rb") as f:
        assert f.read() == data
    ok("fget_object 20 MiB")
url = mc.presigned_get_object("minio-bkt", "dir/up.bin")
ctx = ssl.create_default_context(cafile=cert) if cert else None
with urllib.request.urlopen(url, context=ctx, timeout=60) as resp:
    assert resp.read() == data
ok("presigned GET (SigV4)")
mc.remove_object("minio-bkt", "dir/up.bin")
mc.remove_bucket("minio-bkt")
ok("remove_object, remove_bucket")
