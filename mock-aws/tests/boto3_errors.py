"""boto3 against mock-aws with a wrong secret: every protocol's error body now carries extra
fields (CanonicalRequest, StringToSign, MockAwsDiagnosis, ...); botocore must still parse each
into a ClientError with the right code and AWS's message. Prints one line per client:
`SERVICE CODE HTTP-STATUS MESSAGE-PREFIX`.

Usage: python boto3_errors.py http://127.0.0.1:PORT
"""
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
session = boto3.session.Session(
    aws_access_key_id="AKIDEXAMPLE",
    aws_secret_access_key="not-the-secret",
    region_name="us-east-1",
)
cfg = Config(retries={"max_attempts": 1}, connect_timeout=10, read_timeout=20)


def client(name):
    return session.client(name, endpoint_url=endpoint, config=cfg)


calls = [
    ("sts", lambda: client("sts").get_caller_identity()),
    ("iam", lambda: client("iam").list_users()),
    ("ec2", lambda: client("ec2").describe_regions()),
    ("dynamodb", lambda: client("dynamodb").list_tables()),
    ("kinesis", lambda: client("kinesis").list_streams()),
    ("lambda", lambda: client("lambda").invoke(FunctionName="f", Payload=b"{}")),
    ("s3", lambda: client("s3").list_buckets()),
]
for name, call in calls:
    try:
        call()
        print(f"{name} NO-ERROR")
    except ClientError as e:
        err = e.response["Error"]
        status = e.response["ResponseMetadata"]["HTTPStatusCode"]
        print(f"{name} {err.get('Code')} {status} {err.get('Message', '')[:40]}")

# A verified Lambda Invoke: mock-aws does not emulate Lambda, and says so in its shape.
good = boto3.session.Session(
    aws_access_key_id="AKIDEXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    region_name="us-east-1",
)
try:
    good.client("lambda", endpoint_url=endpoint, config=cfg).invoke(FunctionName="f", Payload=b"{}")
    print("lambda-verified NO-ERROR")
except ClientError as e:
    err = e.response["Error"]
    status = e.response["ResponseMetadata"]["HTTPStatusCode"]
    print(f"lambda-verified {err.get('Code')} {status} {err.get('Message', '')[:40]}")
