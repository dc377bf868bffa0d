"""boto3 against a running mock-aws: every operation of STS, DynamoDB, Kinesis, EC2, IAM and S3
(path-style and virtual-hosted), S3 and IAM presigned GETs fetched with urllib, and error codes.

Usage: python3 boto3_flow.py http://127.0.0.1:PORT
Exits non-zero with a message on the first failure.
"""
import socket
import sys
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
kw = dict(
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="AKIDEXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    config=Config(
        retries={"max_attempts": 1},
        s3={"addressing_style": "path"},
        # boto3 presigns S3 URLs with SigV2 unless told otherwise; mock-aws verifies SigV4.
        signature_version="s3v4",
    ),
)

sts = boto3.client("sts", **kw)
ident = sts.get_caller_identity()
assert ident["Account"] == "123456789012", ident

ddb = boto3.client("dynamodb", **kw)
ddb.create_table(
    TableName="boto-table",
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    BillingMode="PAY_PER_REQUEST",
)
ddb.put_item(TableName="boto-table", Item={"pk": {"S": "k:1"}, "v": {"N": "7"}})
got = ddb.get_item(TableName="boto-table", Key={"pk": {"S": "k:1"}})
assert got["Item"] == {"pk": {"S": "k:1"}, "v": {"N": "7"}}, got
assert "boto-table" in ddb.list_tables()["TableNames"]
assert ddb.describe_table(TableName="boto-table")["Table"]["TableStatus"] == "ACTIVE"

s3 = boto3.client("s3", **kw)
s3.create_bucket(Bucket="boto-bucket")
body = bytes(range(256)) * 100
s3.put_object(Bucket="boto-bucket", Key="dir/obj one.bin", Body=body)
got = s3.get_object(Bucket="boto-bucket", Key="dir/obj one.bin")["Body"].read()
assert got == body, "object not byte-identical"
assert any(b["Name"] == "boto-bucket" for b in s3.list_buckets()["Buckets"])
url = s3.generate_presigned_url(
    "get_object", Params={"Bucket": "boto-bucket", "Key": "dir/obj one.bin"}, ExpiresIn=300
)
with urllib.request.urlopen(url, timeout=20) as r:
    assert r.read() == body, "presigned GET not byte-identical"

# ListObjectsV2: prefix, MaxKeys, ContinuationToken, and the paginator.
for k in ["logs/1", "logs/2", "logs/3", "logs/sub/4", "other+key x"]:
    s3.put_object(Bucket="boto-bucket", Key=k, Body=k.encode())
page = s3.list_objects_v2(Bucket="boto-bucket", Prefix="logs/", MaxKeys=2)
assert [o["Key"] for o in page["Contents"]] == ["logs/1", "logs/2"], page
assert page["IsTruncated"] and page["KeyCount"] == 2, page
page2 = s3.list_objects_v2(
    Bucket="boto-bucket", Prefix="logs/", MaxKeys=2, ContinuationToken=page["NextContinuationToken"]
)
assert [o["Key"] for o in page2["Contents"]] == ["logs/3", "logs/sub/4"], page2
assert not page2["IsTruncated"], page2
listed = [
    o["Key"]
    for p in s3.get_paginator("list_objects_v2").paginate(
        Bucket="boto-bucket", PaginationConfig={"PageSize": 2}
    )
    for o in p.get("Contents", [])
]
assert listed == sorted(["dir/obj one.bin", "logs/1", "logs/2", "logs/3", "logs/sub/4", "other+key x"]), listed
rolled = s3.list_objects_v2(Bucket="boto-bucket", Prefix="logs/", Delimiter="/")
assert [p["Prefix"] for p in rolled["CommonPrefixes"]] == ["logs/sub/"], rolled
assert rolled["Contents"][0]["Size"] == len(b"logs/1"), rolled

# Virtual-hosted style: bucket.localhost:PORT (resolved to loopback here; glibc does not).
_getaddrinfo = socket.getaddrinfo


def _loopback_localhost(host, *args, **kwargs):
    if host == "localhost" or str(host).endswith(".localhost"):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_localhost
port = endpoint.rsplit(":", 1)[1].rstrip("/")
vkw = dict(
    kw,
    endpoint_url=f"http://localhost:{port}",
    config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "virtual"}, signature_version="s3v4"),
)
vs3 = boto3.client("s3", **vkw)
vs3.create_bucket(Bucket="virtual-bucket")
vs3.put_object(Bucket="virtual-bucket", Key="v/k 1", Body=b"virtual")
assert vs3.get_object(Bucket="virtual-bucket", Key="v/k 1")["Body"].read() == b"virtual"
assert vs3.head_object(Bucket="virtual-bucket", Key="v/k 1")["ContentLength"] == 7
assert [o["Key"] for o in vs3.list_objects_v2(Bucket="virtual-bucket")["Contents"]] == ["v/k 1"]
assert s3.get_object(Bucket="virtual-bucket", Key="v/k 1")["Body"].read() == b"virtual"
vurl = vs3.generate_presigned_url("get_object", Params={"Bucket": "virtual-bucket", "Key": "v/k 1"}, ExpiresIn=300)
assert "//virtual-bucket.localhost:" in vurl, vurl
with urllib.request.urlopen(vurl, timeout=20) as r:
    assert r.read() == b"virtual"
vs3.delete_object(Bucket="virtual-bucket", Key="v/k 1")
assert vs3.list_objects_v2(Bucket="virtual-bucket")["KeyCount"] == 0

# Kinesis: every operation; records come back in order per shard, Data byte-identical.
kin = boto3.client("kinesis", **kw)
kin.create_stream(StreamName="boto-stream", ShardCount=2)
summ = kin.describe_stream_summary(StreamName="boto-stream")["StreamDescriptionSummary"]
assert summ["StreamStatus"] == "ACTIVE" and summ["OpenShardCount"] == 2, summ
assert "boto-stream" in kin.list_streams()["StreamNames"]
first = kin.put_record(StreamName="boto-stream", Data=b"\x00first\xff", PartitionKey="pk-0")
assert first["ShardId"].startswith("shardId-"), first
sent = [b"\x00first\xff"] + [f"rec-{i}".encode() * (i + 1) for i in range(20)]
out = kin.put_records(
    StreamName="boto-stream",
    Records=[{"Data": d, "PartitionKey": f"pk-{i % 7}"} for i, d in enumerate(sent[1:], 1)],
)
assert out["FailedRecordCount"] == 0 and len(out["Records"]) == 20, out
got_all = []
for shard in ["shardId-000000000000", "shardId-000000000001"]:
    it = kin.get_shard_iterator(StreamName="boto-stream", ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    seqs = []
    while True:
        res = kin.get_records(ShardIterator=it, Limit=3)
        if not res["Records"]:
            break
        for rec in res["Records"]:
            seqs.append(int(rec["SequenceNumber"]))
            got_all.append(rec["Data"])
        it = res["NextShardIterator"]
    assert seqs == sorted(seqs), seqs
assert sorted(got_all) == sorted(sent), (got_all, sent)
try:
    kin.put_record(StreamName="no-stream", Data=b"x", PartitionKey="k")
except ClientError as e:
    assert e.response["Error"]["Code"] == "ResourceNotFoundException", e.response
else:
    raise AssertionError("put_record to a missing stream succeeded")

# EC2 DescribeRegions (query protocol, EC2's own error shape).
ec2 = boto3.client("ec2", **kw)
regions = [r["RegionName"] for r in ec2.describe_regions()["Regions"]]
assert "us-east-1" in regions and "af-south-1" not in regions, regions
assert "af-south-1" in [r["RegionName"] for r in ec2.describe_regions(AllRegions=True)["Regions"]]
one = ec2.describe_regions(RegionNames=["eu-west-1"])["Regions"]
assert one == [{"RegionName": "eu-west-1", "Endpoint": "ec2.eu-west-1.amazonaws.com", "OptInStatus": "opt-in-not-required"}], one
try:
    ec2.describe_regions(RegionNames=["mars-north-1"])
except ClientError as e:
    assert e.response["Error"]["Code"] == "InvalidParameterValue", e.response
    assert e.response["ResponseMetadata"]["RequestId"].startswith("MOCKAWS"), e.response
else:
    raise AssertionError("unknown region accepted")

# IAM: CreateUser, GetUser, ListUsers; EntityAlreadyExists, NoSuchEntity; a presigned GET.
iam = boto3.client("iam", **kw)
user = iam.create_user(UserName="boto-user", Path="/dev/")["User"]
assert user["Arn"] == "arn:aws:iam::123456789012:user/dev/boto-user", user
assert iam.get_user(UserName="boto-user")["User"]["UserId"] == user["UserId"]
assert iam.get_user()["User"]["UserName"] == "AKIDEXAMPLE"
iam.create_user(UserName="second-user")
assert [u["UserName"] for u in iam.list_users()["Users"]] == ["boto-user", "second-user"]
assert [u["UserName"] for u in iam.list_users(PathPrefix="/dev/")["Users"]] == ["boto-user"]
paged = [u["UserName"] for p in iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 1}) for u in p["Users"]]
assert paged == ["boto-user", "second-user"], paged
for call, code in [
    (lambda: iam.create_user(UserName="BOTO-USER"), "EntityAlreadyExists"),
    (lambda: iam.get_user(UserName="ghost"), "NoSuchEntity"),
]:
    try:
        call()
    except ClientError as e:
        assert e.response["Error"]["Code"] == code, e.response
    else:
        raise AssertionError(f"{code}: the call succeeded")
# Presigned with IAM's own signer (SigV4 query auth, payload hash of the empty body), for GET.
iam_v4 = boto3.client("iam", **dict(kw, config=Config(retries={"max_attempts": 1})))
iam_url = iam_v4.generate_presigned_url("list_users", Params={}, ExpiresIn=300, HttpMethod="GET")
assert "X-Amz-Signature=" in iam_url and "Action=ListUsers" in iam_url, iam_url
with urllib.request.urlopen(iam_url, timeout=20) as r:
    text = r.read().decode()
    assert "<UserName>second-user</UserName>" in text, text
iam_url = iam_v4.generate_presigned_url(
    "get_user", Params={"UserName": "second-user"}, ExpiresIn=300, HttpMethod="GET"
)
with urllib.request.urlopen(iam_url, timeout=20) as r:
    assert "<UserName>second-user</UserName>" in r.read().decode()

# A wrong secret: boto3 raises ClientError with the right code.
bad = dict(kw, aws_secret_access_key="wrong")
for client, call, code in [
    (boto3.client("s3", **bad), lambda c: c.list_buckets(), "SignatureDoesNotMatch"),
    (boto3.client("dynamodb", **bad), lambda c: c.list_tables(), "InvalidSignatureException"),
    (boto3.client("sts", **bad), lambda c: c.get_caller_identity(), "SignatureDoesNotMatch"),
    (boto3.client("kinesis", **bad), lambda c: c.list_streams(), "InvalidSignatureException"),
    (boto3.client("ec2", **bad), lambda c: c.describe_regions(), "SignatureDoesNotMatch"),
    (boto3.client("iam", **bad), lambda c: c.list_users(), "SignatureDoesNotMatch"),
    (boto3.client("ec2", **dict(kw, aws_access_key_id="AKIDNOBODY")), lambda c: c.describe_regions(), "AuthFailure"),
]:
    try:
        call(client)
    except ClientError as e:
        assert e.response["Error"]["Code"] == code, e.response
    else:
        raise AssertionError(f"{code}: the call succeeded")
try:
    boto3.client("dynamodb", **dict(kw, aws_access_key_id="AKIDNOBODY")).list_tables()
except ClientError as e:
    assert e.response["Error"]["Code"] == "UnrecognizedClientException", e.response
else:
    raise AssertionError("unknown key accepted")
print("boto3 flow ok")
