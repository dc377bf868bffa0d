"""boto3 against a running mock-aws: STS, DynamoDB, S3 and a presigned GET fetched with urllib.

Usage: python3 boto3_flow.py http://127.0.0.1:PORT
Exits non-zero with a message on the first failure.
"""
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

# A wrong secret: boto3 raises ClientError with the right code.
bad = dict(kw, aws_secret_access_key="wrong")
for client, call, code in [
    (boto3.client("s3", **bad), lambda c: c.list_buckets(), "SignatureDoesNotMatch"),
    (boto3.client("dynamodb", **bad), lambda c: c.list_tables(), "InvalidSignatureException"),
    (boto3.client("sts", **bad), lambda c: c.get_caller_identity(), "SignatureDoesNotMatch"),
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
