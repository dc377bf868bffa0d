"""A hand-written SigV4 signer, following AWS's documented signing recipe step by step (the way
AWS's Python signing examples are laid out), against a running mock-aws:

  * Kinesis CreateStream and PutRecord (POST, JSON 1.1, Authorization header)
  * DynamoDB CreateTable (POST, JSON 1.0, Authorization header)
  * EC2 DescribeRegions (GET, query parameters, Authorization header)
  * IAM CreateUser (GET, signature in the query string: X-Amz-Algorithm, X-Amz-Credential, ...)

Only the standard library: hashlib and hmac for the crypto, base64 for Kinesis's Data, string concatenation for the
canonical request, http.client to send. No URL library is used to build what is signed.

Usage: python3 handwritten_signer.py http://127.0.0.1:PORT
Exits non-zero with a message on the first request that is not accepted.
"""
import base64
import datetime
import hashlib
import hmac
import http.client
import json
import sys

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"
ALGORITHM = "AWS4-HMAC-SHA256"

endpoint = sys.argv[1]
if not endpoint.startswith("http://"):
    sys.exit("the endpoint must be http://HOST:PORT")
HOST = endpoint[len("http://"):].rstrip("/")


# ---- Step 0: the helpers every SigV4 signer needs -------------------------------------------

def hmac_sha256(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret, date_stamp, region, service):
    """kSecret -> kDate -> kRegion -> kService -> kSigning."""
    k_date = hmac_sha256(("AWS4" + secret).encode("utf-8"), date_stamp)
    k_region = hmac_sha256(k_date, region)
    k_service = hmac_sha256(k_region, service)
    return hmac_sha256(k_service, "aws4_request")


def sha256_hex(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"


def uri_encode(value):
    """RFC 3986 percent-encoding: every byte but the unreserved characters, uppercase hex."""
    out = ""
    for byte in value.encode("utf-8"):
        ch = chr(byte)
        if ch in UNRESERVED:
            out += ch
        else:
            out += "%" + format(byte, "02X")
    return out


def canonical_query(params):
    """Encode each name and value, sort by encoded name (then value), join with '&'."""
    pairs = sorted((uri_encode(k), uri_encode(v)) for k, v in params)
    return "&".join(k + "=" + v for k, v in pairs)


def timestamps():
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")


def send(method, path_and_query, headers, body=b""):
    conn = http.client.HTTPConnection(HOST, timeout=20)
    try:
        conn.request(method, path_and_query, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def expect_ok(what, status, text):
    if status != 200:
        sys.exit(f"{what}: HTTP {status}: {text}")
    print(f"{what}: accepted")
    return text


# ---- Header auth: canonical request, string to sign, signature, Authorization --------------

def header_signed(service, method, query_params, extra_headers, payload, secret=SECRET_KEY):
    amz_date, date_stamp = timestamps()

    # Step 1: the canonical request.
    canonical_uri = "/"
    canonical_querystring = canonical_query(query_params)
    headers = {"host": HOST, "x-amz-date": amz_date}
    for name, value in extra_headers.items():
        headers[name.lower()] = value.strip()
    names = sorted(headers)
    canonical_headers = "".join(n + ":" + headers[n] + "\n" for n in names)
    signed_headers = ";".join(names)
    payload_hash = sha256_hex(payload)
    canonical_request = (
        method + "\n"
        + canonical_uri + "\n"
        + canonical_querystring + "\n"
        + canonical_headers + "\n"
        + signed_headers + "\n"
        + payload_hash
    )

    # Step 2: the string to sign.
    credential_scope = date_stamp + "/" + REGION + "/" + service + "/aws4_request"
    string_to_sign = (
        ALGORITHM + "\n"
        + amz_date + "\n"
        + credential_scope + "\n"
        + sha256_hex(canonical_request)
    )

    # Step 3: the signature.
    key = signing_key(secret, date_stamp, REGION, service)
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()

    # Step 4: the Authorization header.
    authorization = (
        ALGORITHM + " "
        + "Credential=" + ACCESS_KEY + "/" + credential_scope + ", "
        + "SignedHeaders=" + signed_headers + ", "
        + "Signature=" + signature
    )
    out = {"Host": HOST, "X-Amz-Date": amz_date, "Authorization": authorization}
    out.update(extra_headers)
    target = canonical_uri + ("?" + canonical_querystring if canonical_querystring else "")
    return target, out


def json_call(service, target_prefix, content_type, operation, request):
    body = json.dumps(request)
    target, headers = header_signed(
        service,
        "POST",
        [],
        {"Content-Type": content_type, "X-Amz-Target": target_prefix + "." + operation},
        body,
    )
    return send("POST", target, headers, body.encode("utf-8"))


# ---- Query auth: the signature travels in the query string ---------------------------------

def query_signed(service, method, params, expires=60):
    amz_date, date_stamp = timestamps()
    credential_scope = date_stamp + "/" + REGION + "/" + service + "/aws4_request"
    signed_headers = "host"
    all_params = list(params) + [
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", ACCESS_KEY + "/" + credential_scope),
        ("X-Amz-Date", amz_date),
        ("X-Amz-Expires", str(expires)),
        ("X-Amz-SignedHeaders", signed_headers),
    ]
    canonical_querystring = canonical_query(all_params)
    canonical_headers = "host:" + HOST + "\n"
    payload_hash = sha256_hex("")
    canonical_request = (
        method + "\n"
        + "/" + "\n"
        + canonical_querystring + "\n"
        + canonical_headers + "\n"
        + signed_headers + "\n"
        + payload_hash
    )
    string_to_sign = (
        ALGORITHM + "\n"
        + amz_date + "\n"
        + credential_scope + "\n"
        + sha256_hex(canonical_request)
    )
    key = signing_key(SECRET_KEY, date_stamp, REGION, service)
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return "/?" + canonical_querystring + "&X-Amz-Signature=" + signature


# ---- The flows ------------------------------------------------------------------------------

KINESIS_JSON = "application/x-amz-json-1.1"
status, text = json_call(
    "kinesis", "Kinesis_20131202", KINESIS_JSON, "CreateStream",
    {"StreamName": "handwritten-stream", "ShardCount": 1},
)
expect_ok("Kinesis CreateStream", status, text)
data = "hello from a hand-written signer"
b64 = base64.b64encode(data.encode("utf-8")).decode("ascii")
status, text = json_call(
    "kinesis", "Kinesis_20131202", KINESIS_JSON, "PutRecord",
    {"StreamName": "handwritten-stream", "Data": b64, "PartitionKey": "partition-1"},
)
put = json.loads(expect_ok("Kinesis PutRecord", status, text))
assert put["ShardId"] == "shardId-000000000000" and put["SequenceNumber"], put

status, text = json_call(
    "dynamodb", "DynamoDB_20120810", "application/x-amz-json-1.0", "CreateTable",
    {
        "TableName": "handwritten-table",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
    },
)
table = json.loads(expect_ok("DynamoDB CreateTable", status, text))
assert table["TableDescription"]["TableStatus"] == "ACTIVE", table

ec2_params = [("Action", "DescribeRegions"), ("Version", "2016-11-15")]
target, headers = header_signed("ec2", "GET", ec2_params, {}, "")
status, text = send("GET", target, headers)
expect_ok("EC2 DescribeRegions (header auth)", status, text)
assert "<regionName>us-east-1</regionName>" in text, text

# The same request signed with the wrong secret must be refused (the server really verifies).
target, headers = header_signed("ec2", "GET", ec2_params, {}, "", secret="not-the-secret")
status, text = send("GET", target, headers)
assert status == 403 and "<Code>SignatureDoesNotMatch</Code>" in text, (status, text)

target = query_signed(
    "iam", "GET",
    [("Action", "CreateUser"), ("UserName", "hand.written@example"), ("Path", "/signers/"),
     ("Version", "2010-05-08")],
)
status, text = send("GET", target, {"Host": HOST})
expect_ok("IAM CreateUser (query auth)", status, text)
assert "<UserName>hand.written@example</UserName>" in text, text
assert "<Arn>arn:aws:iam::123456789012:user/signers/hand.written@example</Arn>" in text, text
print("hand-written signer flow ok")
