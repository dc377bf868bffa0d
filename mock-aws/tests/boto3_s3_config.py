"""boto3 against a running mock-aws: what S3 keeps with objects and buckets besides their bytes,
one section per family, each checked on the dict botocore parses from mock-aws's answer (an
independent reading of S3's response shapes). Expected values and error codes are S3's, from
its API reference (each operation's page, "Response Syntax" and "Errors") and the user guide:
user metadata limited to 2 KB ("Working with object metadata"), default encryption SSE-S3
AES256 on every bucket since January 2023 ("Setting default server-side encryption behavior"),
canned ACL grants ("Access control list (ACL) overview").

Usage: python3 boto3_s3_config.py http://127.0.0.1:PORT
Prints `ok FAMILY` per family; exits non-zero with a message on the first failure.
"""
import base64
import datetime
import hashlib
import json
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="AKIDEXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}),
)


def code_of(call, *args, **kw):
    try:
        call(*args, **kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError(f"{call.__name__} succeeded; an error was expected")


B = "cfg-bucket"
s3.create_bucket(Bucket=B)

# Metadata: user metadata and the headers S3 stores, on HEAD and GET; CopyObject's directive;
# multipart; the 2 KB limit.
expires = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
s3.put_object(
    Bucket=B,
    Key="meta.txt",
    Body=b"hello",
    ContentType="text/plain",
    Metadata={"colour": "blue", "Mixed-Case": "v"},
    CacheControl="max-age=60",
    ContentDisposition='attachment; filename="m.txt"',
    ContentEncoding="identity",
    ContentLanguage="en-GB",
    Expires=expires,
)
for got in (s3.head_object(Bucket=B, Key="meta.txt"), s3.get_object(Bucket=B, Key="meta.txt")):
    # S3 lowercases the metadata names (it keeps them as HTTP header names).
    assert got["Metadata"] == {"colour": "blue", "mixed-case": "v"}, got
    assert got["CacheControl"] == "max-age=60", got
    assert got["ContentDisposition"] == 'attachment; filename="m.txt"', got
    assert got["ContentEncoding"] == "identity", got
    assert got["ContentLanguage"] == "en-GB", got
    assert got["ContentType"] == "text/plain", got
    assert got["ServerSideEncryption"] == "AES256", got
s3.copy_object(Bucket=B, Key="copy.txt", CopySource={"Bucket": B, "Key": "meta.txt"})
got = s3.head_object(Bucket=B, Key="copy.txt")
assert got["Metadata"] == {"colour": "blue", "mixed-case": "v"} and got["ContentType"] == "text/plain", got
s3.copy_object(
    Bucket=B,
    Key="copy.txt",
    CopySource={"Bucket": B, "Key": "meta.txt"},
    MetadataDirective="REPLACE",
    Metadata={"new": "1"},
    ContentType="application/x-new",
)
got = s3.head_object(Bucket=B, Key="copy.txt")
assert got["Metadata"] == {"new": "1"} and got["ContentType"] == "application/x-new", got
assert "CacheControl" not in got, got
assert code_of(
    s3.copy_object, Bucket=B, Key="meta.txt", CopySource={"Bucket": B, "Key": "meta.txt"}
) == ("InvalidRequest", 400)
up = s3.create_multipart_upload(
    Bucket=B, Key="mp.bin", Metadata={"part": "yes"}, ContentType="application/x-mp", CacheControl="no-cache"
)
etag = s3.upload_part(Bucket=B, Key="mp.bin", UploadId=up["UploadId"], PartNumber=1, Body=b"x" * 100)["ETag"]
s3.complete_multipart_upload(
    Bucket=B,
    Key="mp.bin",
    UploadId=up["UploadId"],
    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
)
got = s3.head_object(Bucket=B, Key="mp.bin")
assert got["Metadata"] == {"part": "yes"} and got["ContentType"] == "application/x-mp", got
assert got["CacheControl"] == "no-cache", got
assert code_of(s3.put_object, Bucket=B, Key="big-meta", Body=b"", Metadata={"m": "v" * 2100}) == (
    "MetadataTooLarge",
    400,
)
# GetObject's response-* parameters set the answer's headers in place of the stored ones.
got = s3.get_object(
    Bucket=B, Key="meta.txt", ResponseContentType="application/x-over", ResponseCacheControl="no-store"
)
assert got["ContentType"] == "application/x-over" and got["CacheControl"] == "no-store", got
assert got["ContentLanguage"] == "en-GB", got
print("ok metadata")

# UploadPartCopy: a part copied from a range of another object (CopySourceRange, inclusive).
src = bytes(range(256)) * 40
s3.put_object(Bucket=B, Key="src.bin", Body=src)
up = s3.create_multipart_upload(Bucket=B, Key="pc.bin")
cp = s3.upload_part_copy(
    Bucket=B,
    Key="pc.bin",
    UploadId=up["UploadId"],
    PartNumber=1,
    CopySource={"Bucket": B, "Key": "src.bin"},
    CopySourceRange="bytes=10-1009",
)
assert cp["CopyPartResult"]["ETag"] == '"' + hashlib.md5(src[10:1010]).hexdigest() + '"', cp
s3.complete_multipart_upload(
    Bucket=B,
    Key="pc.bin",
    UploadId=up["UploadId"],
    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": cp["CopyPartResult"]["ETag"]}]},
)
assert s3.get_object(Bucket=B, Key="pc.bin")["Body"].read() == src[10:1010]
bad = s3.create_multipart_upload(Bucket=B, Key="pc2.bin")["UploadId"]
assert code_of(
    s3.upload_part_copy,
    Bucket=B,
    Key="pc2.bin",
    UploadId=bad,
    PartNumber=1,
    CopySource={"Bucket": B, "Key": "src.bin"},
    CopySourceRange=f"bytes=0-{len(src)}",
) == ("InvalidArgument", 400)
print("ok upload part copy")

# Versioning: the status is kept; each key's one version is `null`, the latest.
assert "Status" not in s3.get_bucket_versioning(Bucket=B)
s3.put_bucket_versioning(Bucket=B, VersioningConfiguration={"Status": "Enabled"})
assert s3.get_bucket_versioning(Bucket=B)["Status"] == "Enabled"
vs = s3.list_object_versions(Bucket=B, Prefix="meta")
assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in vs["Versions"]] == [("meta.txt", "null", True)], vs
s3.put_bucket_versioning(Bucket=B, VersioningConfiguration={"Status": "Suspended"})
assert s3.get_bucket_versioning(Bucket=B)["Status"] == "Suspended"
print("ok versioning")

# Object tags: x-amz-tagging on PutObject, TagCount on GET, Get/Put/DeleteObjectTagging.
s3.put_object(Bucket=B, Key="tagged", Body=b"t", Tagging="team=a&env=dev%20x")
assert s3.get_object_tagging(Bucket=B, Key="tagged")["TagSet"] == [
    {"Key": "team", "Value": "a"},
    {"Key": "env", "Value": "dev x"},
]
assert s3.get_object(Bucket=B, Key="tagged")["TagCount"] == 2
s3.put_object_tagging(Bucket=B, Key="tagged", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
assert s3.get_object_tagging(Bucket=B, Key="tagged")["TagSet"] == [{"Key": "k", "Value": "v"}]
s3.delete_object_tagging(Bucket=B, Key="tagged")
assert s3.get_object_tagging(Bucket=B, Key="tagged")["TagSet"] == []
eleven = [{"Key": f"k{i}", "Value": "v"} for i in range(11)]
assert code_of(s3.put_object_tagging, Bucket=B, Key="tagged", Tagging={"TagSet": eleven})[1] == 400
assert code_of(s3.get_object_tagging, Bucket=B, Key="nope") == ("NoSuchKey", 404)
print("ok object tagging")

# Bucket tags: NoSuchTagSet when none.
assert code_of(s3.get_bucket_tagging, Bucket=B) == ("NoSuchTagSet", 404)
s3.put_bucket_tagging(Bucket=B, Tagging={"TagSet": [{"Key": "cost", "Value": "42"}]})
assert s3.get_bucket_tagging(Bucket=B)["TagSet"] == [{"Key": "cost", "Value": "42"}]
s3.delete_bucket_tagging(Bucket=B)
assert code_of(s3.get_bucket_tagging, Bucket=B) == ("NoSuchTagSet", 404)
print("ok bucket tagging")

# ACLs: the owner (ListBuckets's) has FULL_CONTROL; canned ACLs add their grants.
owner = s3.list_buckets()["Owner"]
acl = s3.get_bucket_acl(Bucket=B)
assert acl["Owner"]["ID"] == owner["ID"], (acl, owner)
assert [(g["Grantee"]["Type"], g["Grantee"].get("ID"), g["Permission"]) for g in acl["Grants"]] == [
    ("CanonicalUser", owner["ID"], "FULL_CONTROL")
], acl
s3.put_object(Bucket=B, Key="public", Body=b"p", ACL="public-read")
grants = s3.get_object_acl(Bucket=B, Key="public")["Grants"]
assert {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"} in [
    g["Grantee"] for g in grants if g["Permission"] == "READ"
], grants
s3.put_object_acl(Bucket=B, Key="public", ACL="private")
assert [g["Permission"] for g in s3.get_object_acl(Bucket=B, Key="public")["Grants"]] == ["FULL_CONTROL"]
s3.put_bucket_acl(Bucket=B, ACL="public-read-write")
perms = sorted(g["Permission"] for g in s3.get_bucket_acl(Bucket=B)["Grants"])
assert perms == ["FULL_CONTROL", "READ", "WRITE"], perms
s3.put_bucket_acl(
    Bucket=B,
    AccessControlPolicy={
        "Owner": {"ID": owner["ID"]},
        "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]}, "Permission": "READ"}],
    },
)
assert [g["Permission"] for g in s3.get_bucket_acl(Bucket=B)["Grants"]] == ["READ"]
print("ok acl")

# Bucket policy: NoSuchBucketPolicy when none; the document back as sent; MalformedPolicy.
assert code_of(s3.get_bucket_policy, Bucket=B) == ("NoSuchBucketPolicy", 404)
policy = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{B}/*"}],
    }
)
s3.put_bucket_policy(Bucket=B, Policy=policy)
assert json.loads(s3.get_bucket_policy(Bucket=B)["Policy"]) == json.loads(policy)
assert code_of(s3.put_bucket_policy, Bucket=B, Policy="not json") == ("MalformedPolicy", 400)
s3.delete_bucket_policy(Bucket=B)
assert code_of(s3.get_bucket_policy, Bucket=B) == ("NoSuchBucketPolicy", 404)
print("ok policy")

# CORS.
assert code_of(s3.get_bucket_cors, Bucket=B) == ("NoSuchCORSConfiguration", 404)
rule = {"AllowedMethods": ["GET", "PUT"], "AllowedOrigins": ["https://example.com"], "MaxAgeSeconds": 300}
s3.put_bucket_cors(Bucket=B, CORSConfiguration={"CORSRules": [rule]})
got = s3.get_bucket_cors(Bucket=B)["CORSRules"]
assert got == [rule], got
s3.delete_bucket_cors(Bucket=B)
assert code_of(s3.get_bucket_cors, Bucket=B) == ("NoSuchCORSConfiguration", 404)
print("ok cors")

# Lifecycle.
assert code_of(s3.get_bucket_lifecycle_configuration, Bucket=B) == ("NoSuchLifecycleConfiguration", 404)
lc = {"ID": "expire-logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Expiration": {"Days": 7}}
s3.put_bucket_lifecycle_configuration(Bucket=B, LifecycleConfiguration={"Rules": [lc]})
got = s3.get_bucket_lifecycle_configuration(Bucket=B)["Rules"]
assert got == [lc], got
s3.delete_bucket_lifecycle(Bucket=B)
assert code_of(s3.get_bucket_lifecycle_configuration, Bucket=B) == ("NoSuchLifecycleConfiguration", 404)
print("ok lifecycle")

# Default encryption: SSE-S3 AES256 unless set.
rules = s3.get_bucket_encryption(Bucket=B)["ServerSideEncryptionConfiguration"]["Rules"]
assert rules[0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}, rules
print("ok encryption")

# GetObjectAttributes: ETag (unquoted), ObjectSize, StorageClass, the parts of a multipart
# object, the checksum kept.
s3.put_object(Bucket=B, Key="attrs", Body=b"12345", ChecksumAlgorithm="SHA256", StorageClass="STANDARD_IA")
head = s3.head_object(Bucket=B, Key="attrs")
assert head["StorageClass"] == "STANDARD_IA", head
at = s3.get_object_attributes(
    Bucket=B, Key="attrs", ObjectAttributes=["ETag", "ObjectSize", "StorageClass", "Checksum"]
)
assert at["ETag"] == head["ETag"].strip('"'), (at, head)
assert at["ObjectSize"] == 5 and at["StorageClass"] == "STANDARD_IA", at
# SHA-256 of "12345", base64 (computed by Python's hashlib, not by mock-aws).
assert at["Checksum"]["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(b"12345").digest()).decode(), at
mp = s3.get_object_attributes(Bucket=B, Key="mp.bin", ObjectAttributes=["ObjectParts", "ObjectSize"])
assert mp["ObjectParts"]["TotalPartsCount"] == 1 and mp["ObjectSize"] == 100, mp
print("ok attributes")

# Website, logging, request payment.
assert code_of(s3.get_bucket_website, Bucket=B) == ("NoSuchWebsiteConfiguration", 404)
s3.put_bucket_website(Bucket=B, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
assert s3.get_bucket_website(Bucket=B)["IndexDocument"] == {"Suffix": "index.html"}
s3.delete_bucket_website(Bucket=B)
assert code_of(s3.get_bucket_website, Bucket=B) == ("NoSuchWebsiteConfiguration", 404)
assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=B)
assert s3.get_bucket_request_payment(Bucket=B)["Payer"] == "BucketOwner"
print("ok website, logging, request payment")
