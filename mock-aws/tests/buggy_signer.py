"""A hand-written SigV4 signer with the typical bugs of hand-written signers, each behind a
switch, laid out as AWS's Python signing samples are (standard library only: hashlib, hmac,
http.client, string concatenation for the canonical request). It sends Kinesis PutRecord,
DynamoDB CreateTable, STS GetCallerIdentity and API Gateway (execute-api) GET requests to a
running mock-aws with one bug on at a time (and two at once on execute-api), and prints one
JSON object per request: {"name", "bugs", "status", "error_type", "content_type", "body"}.

The bugs (what hand-written signers get wrong):
  untrimmed      header values signed as given ("  my   note  "), outer spaces included,
                 where SigV4 trims them and collapses inner runs of spaces
  ct-rewritten   Content-Type signed as application/x-amz-json-1.x (or the form type), then
                 sent with "; charset=utf-8" appended (as some HTTP libraries do)
  empty-hash     the hash of an empty body signed for a request that has one
  path-once      the path encoded once (as sent) where non-S3 services encode it twice
  query-unsorted the query parameters signed in the order given, not sorted
  token-unsigned X-Amz-Security-Token sent but left out of the signature
  secret-newline the secret key with a trailing newline (read from a file)
  wrong-secret   another secret altogether (nothing explains it)

Usage: python3 buggy_signer.py http://127.0.0.1:PORT
"""
import datetime
import hashlib
import hmac
import http.client
import json
import sys

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
# A second credential, configured in mock-aws with a session token.
TOKEN_ACCESS_KEY = "ASIAEXAMPLETOKEN"
TOKEN_SECRET = "tokenSecretEXAMPLEKEY"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLETOKEN"
REGION = "us-east-1"
ALGORITHM = "AWS4-HMAC-SHA256"

endpoint = sys.argv[1]
HOST = endpoint[len("http://"):].rstrip("/")

UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"


def uri_encode(value, keep_slash=False):
    out = ""
    for byte in value.encode("utf-8"):
        ch = chr(byte)
        if ch in UNRESERVED or (keep_slash and ch == "/"):
            out += ch
        else:
            out += "%" + format(byte, "02X")
    return out


def hmac_sha256(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret, date_stamp, service):
    k = hmac_sha256(("AWS4" + secret).encode("utf-8"), date_stamp)
    k = hmac_sha256(k, REGION)
    k = hmac_sha256(k, service)
    return hmac_sha256(k, "aws4_request")


def sha256_hex(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def sign(service, method, raw_path, query, headers, body, bugs):
    """Returns the request-target and the headers to send."""
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, date_stamp = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    access_key, secret = ACCESS_KEY, SECRET_KEY
    send_headers = dict(headers)
    send_headers["Host"] = HOST
    send_headers["X-Amz-Date"] = amz_date
    if "token-unsigned" in bugs:
        access_key, secret = TOKEN_ACCESS_KEY, TOKEN_SECRET
    if "secret-newline" in bugs:
        secret = secret + "\n"
    if "wrong-secret" in bugs:
        secret = "not/the/secretEXAMPLEKEY"

    # Step 1: the canonical request.
    wire_path = "/".join(uri_encode(seg) for seg in raw_path.split("/"))
    if "path-once" in bugs:
        canonical_uri = wire_path
    else:
        canonical_uri = "/".join(uri_encode(seg) for seg in wire_path.split("/"))
    pairs = [(uri_encode(k), uri_encode(v)) for k, v in query]
    wire_query = "&".join(k + "=" + v for k, v in pairs)
    if "query-unsorted" not in bugs:
        pairs = sorted(pairs)
    canonical_querystring = "&".join(k + "=" + v for k, v in pairs)
    signed = {}
    for name, value in send_headers.items():
        signed[name.lower()] = value if "untrimmed" in bugs else " ".join(value.split())
    if "token-unsigned" in bugs:
        send_headers["X-Amz-Security-Token"] = SESSION_TOKEN
    names = sorted(signed)
    canonical_headers = "".join(n + ":" + signed[n] + "\n" for n in names)
    signed_headers = ";".join(names)
    payload_hash = sha256_hex(b"" if "empty-hash" in bugs else body)
    canonical_request = "\n".join(
        [method, canonical_uri, canonical_querystring, canonical_headers, signed_headers, payload_hash]
    )

    # Step 2: the string to sign.
    scope = date_stamp + "/" + REGION + "/" + service + "/aws4_request"
    string_to_sign = "\n".join([ALGORITHM, amz_date, scope, sha256_hex(canonical_request)])

    # Step 3: the signature; step 4: the Authorization header.
    key = signing_key(secret, date_stamp, service)
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    send_headers["Authorization"] = (
        ALGORITHM + " Credential=" + access_key + "/" + scope
        + ", SignedHeaders=" + signed_headers + ", Signature=" + signature
    )
    if "ct-rewritten" in bugs:
        send_headers["Content-Type"] = send_headers["Content-Type"] + "; charset=utf-8"
    target = wire_path + ("?" + wire_query if wire_query else "")
    return target, send_headers


def send(name, bugs, service, method, raw_path, query, headers, body=b""):
    target, send_headers = sign(service, method, raw_path, query, headers, body, bugs)
    conn = http.client.HTTPConnection(HOST, timeout=20)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for n, v in send_headers.items():
            conn.putheader(n, v)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        print(json.dumps({
            "name": name,
            "bugs": sorted(bugs),
            "status": resp.status,
            "error_type": resp.getheader("x-amzn-ErrorType"),
            "content_type": resp.getheader("Content-Type"),
            "body": text,
        }), flush=True)
    finally:
        conn.close()


NOTE = {"X-Client-Note": "  my   note  "}


def kinesis(bugs):
    body = json.dumps({"StreamName": "s", "Data": "aGVsbG8=", "PartitionKey": "p"}).encode()
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.PutRecord"}
    headers.update(NOTE)
    send("kinesis", bugs, "kinesis", "POST", "/", [], headers, body)


def dynamodb(bugs):
    body = json.dumps({
        "TableName": "t",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }).encode()
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.CreateTable"}
    headers.update(NOTE)
    send("dynamodb", bugs, "dynamodb", "POST", "/", [], headers, body)


def sts_post(bugs):
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    headers.update(NOTE)
    send("sts", bugs, "sts", "POST", "/", [], headers, body)


def sts_get(bugs):
    send("sts-get", bugs, "sts", "GET", "/",
         [("Version", "2011-06-15"), ("Action", "GetCallerIdentity")], dict(NOTE))


def execute_api(bugs):
    send("execute-api", bugs, "execute-api", "GET", "/prod/items/a b:c",
         [("sort", "desc"), ("limit", "10")], dict(NOTE))


for bug, calls in [
    ("untrimmed", [kinesis, dynamodb, sts_post, execute_api]),
    ("ct-rewritten", [kinesis, dynamodb, sts_post]),
    ("empty-hash", [kinesis, dynamodb, sts_post]),
    ("path-once", [execute_api]),
    ("query-unsorted", [sts_get, execute_api]),
    ("token-unsigned", [kinesis, dynamodb, sts_post, execute_api]),
    ("secret-newline", [kinesis, dynamodb, sts_post, execute_api]),
    ("wrong-secret", [kinesis, dynamodb, sts_post, execute_api]),
]:
    for call in calls:
        call({bug})
execute_api({"query-unsorted", "path-once"})
# And a correct request to each, for contrast.
for call in [kinesis, dynamodb, sts_post, sts_get, execute_api]:
    call(set())
