"""Definitions of this project's own SigV4 cases (inputs only, never expected values).

Each entry is the input of one folder under vectors/cases/: the request, the signing
context, the locations to produce, and, for cases taken from AWS's documentation, the
values the documentation prints. xcheck.py turns these into folders and computes the
expected files with botocore and the aws-sigv4 crate.
"""

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TS = "2015-08-30T12:36:00Z"

# The S3 documentation's example credentials and time.
DOC_AKID = "AKIAIOSFODNN7EXAMPLE"
DOC_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
DOC_TS = "2013-05-24T00:00:00Z"

S3_HEADER_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html"
S3_QUERY_DOC = "https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html"

# A session token with '/', '+' and '=' so that its query encoding is exercised.
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE/Session+Token//AbCd=="


def ctx(**kw):
    """A context.json body: the suite's fields in the suite's order, then ours."""
    c = {
        "credentials": {"access_key_id": AKID, "secret_access_key": SECRET},
        "expiration_in_seconds": 3600,
        "normalize": True,
        "region": "us-east-1",
        "service": "service",
        "sign_body": False,
        "timestamp": TS,
    }
    token = kw.pop("token", None)
    if token:
        c["credentials"]["token"] = token
    for k in ("access_key_id", "secret_access_key"):
        if k in kw:
            c["credentials"][k] = kw.pop(k)
    c.update(kw)
    return c


def s3ctx(**kw):
    base = dict(service="s3", normalize=False, sign_body=True, double_uri_encode=False)
    base.update(kw)
    return ctx(**base)


def doc_s3ctx(**kw):
    return s3ctx(access_key_id=DOC_AKID, secret_access_key=DOC_SECRET, timestamp=DOC_TS, **kw)


BUCKET_HOST = "Host:examplebucket.s3.amazonaws.com"
SVC_HOST = "Host:example.amazonaws.com"

# AWS General Reference, "Signature Version 4 signing process" (the pages since replaced by the
# IAM User Guide's "Create a signed AWS API request"): a worked IAM ListUsers example with fixed
# inputs and every intermediate value printed. Two revisions: 2015-08-30 (GET, query in the URL,
# plus a presigned form with X-Amz-Expires=60) and the older 2011-09-09 one (form POST).
GR = "https://docs.aws.amazon.com/general/latest/gr/"
FORM = "Content-Type:application/x-www-form-urlencoded; charset=utf-8"
# SHA-256 of the empty body.
EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def svc(service, region="us-east-1", **kw):
    """A context for a real (non-S3) service: normalised path, path encoded twice, no
    x-amz-content-sha256 (sign_body false), as botocore's SigV4Auth signs them."""
    return ctx(service=service, region=region, **kw)


def json_request(host, target, content_type, body, path="/"):
    """A JSON-protocol request as the SDKs send it: POST, X-Amz-Target, a JSON Content-Type."""
    return (f"POST {path} HTTP/1.1\nHost:{host}\nContent-Type:{content_type}\n"
            f"X-Amz-Target:{target}\n\n{body}")

CASES = [
    # ---- AWS documentation examples (S3 API reference) ----
    dict(
        name="s3-get-object-range",
        tests="S3 GET Object with a Range header (docs example)",
        request=f"GET /test.txt HTTP/1.1\n{BUCKET_HOST}\nRange:bytes=0-9\n",
        context=doc_s3ctx(),
        locations=["header"],
        docs=dict(
            url=S3_HEADER_DOC,
            title="Authenticating Requests: Using the Authorization Header (AWS Signature Version 4), Example: GET Object",
            header=dict(
                canonical_request="GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
                "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
                "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                string_to_sign="AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
                "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
                signature="f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            ),
        ),
    ),
    dict(
        name="s3-put-object",
        tests="S3 PUT Object: body hash, Date header signed, `$` in the key sent as %24",
        request="PUT /test%24file.text HTTP/1.1\n" + BUCKET_HOST + "\n"
        "Date:Fri, 24 May 2013 00:00:00 GMT\nx-amz-storage-class:REDUCED_REDUNDANCY\n\nWelcome to Amazon S3.",
        context=doc_s3ctx(),
        locations=["header"],
        docs=dict(
            url=S3_HEADER_DOC,
            title="Authenticating Requests: Using the Authorization Header (AWS Signature Version 4), Example: PUT Object",
            header=dict(signature="98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
        ),
    ),
    dict(
        name="s3-get-bucket-lifecycle",
        tests="S3 GET Bucket lifecycle: valueless sub-resource `?lifecycle` signs as `lifecycle=`",
        request=f"GET /?lifecycle HTTP/1.1\n{BUCKET_HOST}\n",
        context=doc_s3ctx(),
        locations=["header"],
        docs=dict(
            url=S3_HEADER_DOC,
            title="Authenticating Requests: Using the Authorization Header (AWS Signature Version 4), Example: GET Bucket Lifecycle",
            header=dict(signature="fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
        ),
    ),
    dict(
        name="s3-list-objects",
        tests="S3 GET Bucket (List Objects) with `?max-keys=2&prefix=J`",
        request=f"GET /?max-keys=2&prefix=J HTTP/1.1\n{BUCKET_HOST}\n",
        context=doc_s3ctx(),
        locations=["header"],
        docs=dict(
            url=S3_HEADER_DOC,
            title="Authenticating Requests: Using the Authorization Header (AWS Signature Version 4), Example: GET Bucket (List Objects)",
            header=dict(signature="34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
        ),
    ),
    dict(
        name="s3-presigned-get",
        tests="S3 presigned GET, 86400 s, UNSIGNED-PAYLOAD (docs example)",
        request=f"GET /test.txt HTTP/1.1\n{BUCKET_HOST}\n",
        context=doc_s3ctx(expiration_in_seconds=86400, payload_hash="UNSIGNED-PAYLOAD"),
        locations=["query"],
        docs=dict(
            url=S3_QUERY_DOC,
            title="Authenticating Requests: Using Query Parameters (AWS Signature Version 4), example presigned URL",
            query=dict(signature="aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"),
        ),
    ),
    # ---- S3 object keys: single encoding, no normalisation ----
    dict(
        name="s3-key-dot-segments",
        tests="S3 key with `..` and `.` segments: kept as sent (no normalisation)",
        request=f"GET /photos/../2024/./cat.jpg HTTP/1.1\n{BUCKET_HOST}\n",
        context=s3ctx(payload_hash="UNSIGNED-PAYLOAD"),
        locations=["header", "query"],
    ),
    dict(
        name="s3-key-double-slash",
        tests="S3 key with `//` and `///`: kept as sent",
        request=f"GET /photos//2024///cat.jpg HTTP/1.1\n{BUCKET_HOST}\n",
        context=s3ctx(payload_hash="UNSIGNED-PAYLOAD"),
        locations=["header", "query"],
    ),
    dict(
        name="s3-key-plus",
        tests="S3 key `a+b.txt`, sent as `/a%2Bb.txt` (SDKs encode a key's `+`): signs `%2B`, not `%252B`",
        request=f"GET /a%2Bb.txt HTTP/1.1\n{BUCKET_HOST}\n",
        context=s3ctx(payload_hash="UNSIGNED-PAYLOAD"),
        locations=["header", "query"],
    ),
    dict(
        name="s3-key-space",
        tests="S3 key `my photo.jpg`, sent as `/my%20photo.jpg`: signs `%20` once",
        request=f"GET /my%20photo.jpg HTTP/1.1\n{BUCKET_HOST}\n",
        context=s3ctx(payload_hash="UNSIGNED-PAYLOAD"),
        locations=["header", "query"],
    ),
    dict(
        name="s3-key-utf8",
        tests="S3 key `\u1234/\u00e9t\u00e9.txt` sent UTF-8 percent-encoded: signs the wire form once",
        request=f"GET /%E1%88%B4/%C3%A9t%C3%A9.txt HTTP/1.1\n{BUCKET_HOST}\n",
        context=s3ctx(payload_hash="UNSIGNED-PAYLOAD"),
        locations=["header", "query"],
    ),
    # ---- non-S3 ----
    dict(
        name="double-encode-space",
        tests="Non-S3 path `/example%20space/` is encoded again: `/example%2520space/`",
        request=f"GET /example%20space/ HTTP/1.1\n{SVC_HOST}\n",
        context=ctx(),
        locations=["header", "query"],
    ),
    dict(
        name="get-query-repeated-keys",
        tests="Repeated query keys sorted by key, then value: `?b=2&a=3&a=1` -> `a=1&a=3&b=2`",
        request=f"GET /?b=2&a=3&a=1 HTTP/1.1\n{SVC_HOST}\n",
        context=ctx(),
        locations=["header", "query"],
    ),
    dict(
        name="get-query-valueless-key",
        tests="Valueless key `?acl` signs as `acl=`",
        request=f"GET /?acl HTTP/1.1\n{SVC_HOST}\n",
        context=ctx(),
        locations=["header", "query"],
    ),
    dict(
        name="get-query-empty-value",
        tests="Empty value `?k=` signs as `k=`",
        request=f"GET /?k= HTTP/1.1\n{SVC_HOST}\n",
        context=ctx(),
        locations=["header", "query"],
    ),
    dict(
        name="get-query-tilde",
        tests="`~` in a query key and value stays `~`",
        request=f"GET /?k~ey=v~al HTTP/1.1\n{SVC_HOST}\n",
        context=ctx(),
        locations=["header", "query"],
    ),
    dict(
        name="get-query-tilde-encoded",
        tests="`%7E` on the wire signs as `~` (decoded, then encoded canonically)",
        request=f"GET /?k=%7Ev HTTP/1.1\n{SVC_HOST}\n",
        context=ctx(),
        locations=["header", "query"],
        botocore_query="decoded",
        decision="aws-sigv4",
        decision_why="SigV4 encodes each decoded name and value with the unreserved set, so `~` is never "
        "percent-encoded; botocore signs the wire bytes of a URL query as they are (`%7E`), and agrees "
        "once fed the decoded parameters.",
    ),
    dict(
        name="get-query-encoded-plus",
        tests="`%2B` on the wire stays `%2B` (a real plus)",
        request=f"GET /?k=a%2Bb HTTP/1.1\n{SVC_HOST}\n",
        context=ctx(),
        locations=["header", "query"],
    ),
    dict(
        name="get-query-raw-plus",
        tests="Raw `+` in a query value is a space: `?k=a+b` signs as `k=a%20b` (project decision)",
        request=f"GET /?k=a+b HTTP/1.1\n{SVC_HOST}\n",
        context=ctx(),
        locations=["header", "query"],
        botocore_query="decoded",
        decision="aws-sigv4",
        crt_decision_why="aws-c-auth percent-decodes the query without form semantics, so a raw `+` "
        "stays a plus and signs as `%2B` (as reqsign does); the project reads it as a space, as AWS "
        "services form-decode the query.",
        decision_why="Project decision: `+` in a query string is a space. AWS services read the query with "
        "form decoding, and AWS's own aws-sigv4 (Rust) and aws-sdk-go-v2 sign it as `%20`. botocore, fed the "
        "URL, signs the wire bytes (`k=a+b`); fed the form-decoded parameters it agrees with aws-sigv4.",
    ),
    dict(
        name="get-header-value-spaces",
        tests="Header value runs of spaces collapse: `a   b    c` -> `a b c`",
        request=f"GET / HTTP/1.1\n{SVC_HOST}\nMy-Header:a   b    c\n",
        context=ctx(),
        locations=["header", "query"],
    ),
    dict(
        name="get-host-port",
        tests="Host with a non-default port is signed with the port",
        request="GET / HTTP/1.1\nHost:example.amazonaws.com:8443\n",
        context=ctx(),
        locations=["header", "query"],
    ),
    dict(
        name="get-session-token-signed",
        tests="Session token signed (x-amz-security-token header / X-Amz-Security-Token param)",
        request=f"GET / HTTP/1.1\n{SVC_HOST}\n",
        context=ctx(token=TOKEN),
        locations=["header", "query"],
    ),
    dict(
        name="get-session-token-omitted",
        tests="omit_session_token: token added after signing, not in the signature",
        request=f"GET / HTTP/1.1\n{SVC_HOST}\n",
        context=ctx(token=TOKEN, omit_session_token=True),
        locations=["header", "query"],
    ),
    dict(
        name="get-presign-max-expires",
        tests="Presign with X-Amz-Expires=604800 (the maximum) succeeds",
        request=f"GET / HTTP/1.1\n{SVC_HOST}\n",
        context=ctx(expiration_in_seconds=604800),
        locations=["header", "query"],
    ),
    dict(
        name="get-presign-expires-too-long",
        tests="Presign with X-Amz-Expires=604801 must fail (`expires-out-of-range`); header auth ignores expiry",
        request=f"GET / HTTP/1.1\n{SVC_HOST}\n",
        context=ctx(expiration_in_seconds=604801),
        locations=["header"],
        errors=dict(query="expires-out-of-range"),
        error_source=S3_QUERY_DOC + " (X-Amz-Expires: minimum 1, maximum 604800 seconds, seven days)",
    ),
    dict(
        name="put-unsigned-payload",
        tests="payload_hash UNSIGNED-PAYLOAD with sign_body: the body is not hashed; "
        "x-amz-content-sha256:UNSIGNED-PAYLOAD is signed",
        request=f"PUT /file HTTP/1.1\n{SVC_HOST}\nContent-Length:5\n\nhello",
        context=ctx(sign_body=True, payload_hash="UNSIGNED-PAYLOAD"),
        locations=["header"],
    ),
    # ---- real non-S3 request shapes (issue: JSON, query and REST protocols) ----
    # JSON protocol: POST /, X-Amz-Target, a body, header auth, no x-amz-content-sha256.
    dict(
        name="kinesis-put-record",
        protocol="JSON 1.1 (Kinesis)",
        tests="Kinesis PutRecord: `application/x-amz-json-1.1`, `X-Amz-Target`, the JSON body hashed, "
        "no x-amz-content-sha256",
        request=json_request("kinesis.us-east-1.amazonaws.com", "Kinesis_20131202.PutRecord",
                             "application/x-amz-json-1.1",
                             '{"StreamName":"my-stream","Data":"aGVsbG8gd29ybGQ=","PartitionKey":"partition-1"}'),
        context=svc("kinesis"),
        locations=["header"],
    ),
    dict(
        name="kinesis-put-records",
        protocol="JSON 1.1 (Kinesis)",
        tests="Kinesis PutRecords: a body with non-ASCII (`clé`, hashed as UTF-8) and a final newline, "
        "a `Content-Length` header signed",
        request=("POST / HTTP/1.1\nHost:kinesis.eu-west-1.amazonaws.com\n"
                 "Content-Type:application/x-amz-json-1.1\nX-Amz-Target:Kinesis_20131202.PutRecords\n"
                 "Content-Length:{n}\n\n{body}").format(
            n=len('{"StreamName":"my-stream","Records":[{"Data":"Zmlyc3Q=","PartitionKey":"cl\u00e9-1"},'
                  '{"Data":"c2Vjb25k","PartitionKey":"cl\u00e9-2"}]}\n'.encode()),
            body='{"StreamName":"my-stream","Records":[{"Data":"Zmlyc3Q=","PartitionKey":"cl\u00e9-1"},'
                 '{"Data":"c2Vjb25k","PartitionKey":"cl\u00e9-2"}]}\n'),
        context=svc("kinesis", region="eu-west-1"),
        locations=["header"],
    ),
    dict(
        name="dynamodb-create-table",
        protocol="JSON 1.0 (DynamoDB)",
        tests="DynamoDB CreateTable: `application/x-amz-json-1.0`, a pretty-printed multi-line JSON body",
        request=json_request(
            "dynamodb.us-east-1.amazonaws.com", "DynamoDB_20120810.CreateTable", "application/x-amz-json-1.0",
            '{\n  "TableName": "Music",\n'
            '  "KeySchema": [{"AttributeName": "Artist", "KeyType": "HASH"}],\n'
            '  "AttributeDefinitions": [{"AttributeName": "Artist", "AttributeType": "S"}],\n'
            '  "BillingMode": "PAY_PER_REQUEST"\n}'),
        context=svc("dynamodb"),
        locations=["header"],
    ),
    dict(
        name="dynamodb-put-item",
        protocol="JSON 1.0 (DynamoDB)",
        tests="DynamoDB PutItem: `application/x-amz-json-1.0`, `X-Amz-Target`, body hashed",
        request=json_request(
            "dynamodb.us-east-1.amazonaws.com", "DynamoDB_20120810.PutItem", "application/x-amz-json-1.0",
            '{"TableName":"Music","Item":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"}}}'),
        context=svc("dynamodb"),
        locations=["header"],
    ),
    dict(
        name="dynamodb-put-item-session-token",
        protocol="JSON 1.0 (DynamoDB)",
        tests="DynamoDB PutItem with a session token: `x-amz-security-token` signed with the JSON headers",
        request=json_request(
            "dynamodb.us-east-1.amazonaws.com", "DynamoDB_20120810.PutItem", "application/x-amz-json-1.0",
            '{"TableName":"Music","Item":{"Artist":{"S":"No One You Know"},"SongTitle":{"S":"Call Me Today"}}}'),
        context=svc("dynamodb", token=TOKEN),
        locations=["header"],
    ),
    # Query protocol: Action=...&Version=... in the URL (GET) or a form body (POST).
    dict(
        name="sts-get-caller-identity-get",
        protocol="query (STS)",
        tests="STS GetCallerIdentity as a GET with `Action` and `Version` in the query; header and presigned",
        request="GET /?Action=GetCallerIdentity&Version=2011-06-15 HTTP/1.1\nHost:sts.amazonaws.com\n",
        context=svc("sts"),
        locations=["header", "query"],
    ),
    dict(
        name="sts-get-caller-identity-post",
        protocol="query (STS)",
        tests="STS GetCallerIdentity as a form POST: `application/x-www-form-urlencoded; charset=utf-8` "
        "signed with its parameter, the form body hashed, empty canonical query",
        request=f"POST / HTTP/1.1\nHost:sts.amazonaws.com\n{FORM}\n\nAction=GetCallerIdentity&Version=2011-06-15",
        context=svc("sts"),
        locations=["header"],
    ),
    dict(
        name="sts-get-caller-identity-session-token",
        protocol="query (STS)",
        tests="STS form POST with a session token (`x-amz-security-token` signed)",
        request=f"POST / HTTP/1.1\nHost:sts.us-west-2.amazonaws.com\n{FORM}\n\n"
        "Action=GetCallerIdentity&Version=2011-06-15",
        context=svc("sts", region="us-west-2", token=TOKEN),
        locations=["header"],
    ),
    dict(
        name="sts-presigned-eks-token",
        protocol="query (STS)",
        tests="The presigned STS GetCallerIdentity of an EKS token: `x-k8s-aws-id` signed, "
        "`X-Amz-Security-Token` in the signed query, `X-Amz-Expires=60`",
        request="GET /?Action=GetCallerIdentity&Version=2011-06-15 HTTP/1.1\nHost:sts.us-west-2.amazonaws.com\n"
        "x-k8s-aws-id:my-cluster\n",
        context=svc("sts", region="us-west-2", token=TOKEN, expiration_in_seconds=60),
        locations=["query"],
    ),
    dict(
        name="ec2-describe-regions",
        protocol="EC2 query",
        tests="EC2 DescribeRegions as botocore sends it: a form POST with `RegionName.N` list parameters",
        request=f"POST / HTTP/1.1\nHost:ec2.us-east-1.amazonaws.com\n{FORM}\n\n"
        "Action=DescribeRegions&Version=2016-11-15&RegionName.1=us-east-1&RegionName.2=eu-west-1",
        context=svc("ec2"),
        locations=["header"],
    ),
    dict(
        name="iam-list-users",
        protocol="query (IAM)",
        tests="IAM ListUsers, AWS's worked example (2015 revision): GET with a signed "
        "`Content-Type: application/x-www-form-urlencoded; charset=utf-8`; presigned with X-Amz-Expires=60",
        request=f"GET /?Action=ListUsers&Version=2010-05-08 HTTP/1.1\nHost:iam.amazonaws.com\n{FORM}\n",
        context=svc("iam", expiration_in_seconds=60),
        locations=["header", "query"],
        botocore_cannot=dict(query="its presigner deletes a Content-Type of exactly "
                             "`application/x-www-form-urlencoded; charset=utf-8`, the value it sets itself "
                             "for query-protocol calls, before signing"),
        docs=dict(
            url=GR + "sigv4-create-canonical-request.html",
            title="AWS General Reference, Signature Version 4 signing process (2015 revision): Task 1 "
            "(sigv4-create-canonical-request), Task 2 (sigv4-create-string-to-sign), Task 3 "
            "(sigv4-calculate-signature), Signed requests examples (sigv4-signed-request-examples)",
            header=dict(
                canonical_request="GET\n/\nAction=ListUsers&Version=2010-05-08\n"
                "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\n"
                "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n" + EMPTY,
                string_to_sign="AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
                "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59",
                signature="5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            ),
            query=dict(signature="37ac2f4fde00b0ac9bd9eadeb459b1bbee224158d66e7ae5fcadb70b2d181d02"),
        ),
    ),
    dict(
        name="iam-list-users-post",
        protocol="query (IAM)",
        tests="IAM ListUsers, AWS's worked example (2011 revision): form POST, header spelled `Content-type`",
        request="POST / HTTP/1.1\nHost:iam.amazonaws.com\nContent-type:application/x-www-form-urlencoded; "
        "charset=utf-8\n\nAction=ListUsers&Version=2010-05-08",
        context=svc("iam", timestamp="2011-09-09T23:36:00Z"),
        locations=["header"],
        docs=dict(
            url=GR + "sigv4-signed-request-examples.html",
            title="AWS General Reference, Signature Version 4 signing process (2011 revision): Task 1 "
            "(sigv4-create-canonical-request), Task 2 (sigv4-create-string-to-sign), Signed requests "
            "examples (sigv4-signed-request-examples)",
            header=dict(
                canonical_request="POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\n"
                "host:iam.amazonaws.com\nx-amz-date:20110909T233600Z\n\ncontent-type;host;x-amz-date\n"
                "b6359072c78d70ebee1e81adcbab4f01bf2c23245fa365ef83fe8f1f955085e2",
                string_to_sign="AWS4-HMAC-SHA256\n20110909T233600Z\n20110909/us-east-1/iam/aws4_request\n"
                "3511de7e95d28ecd39e9513b642aee07e54f4941150d8df8bf94b328ef7e55e2",
                signature="ced6826de92d2bdeed8f846f0bf508e8559e98e4b0199114b84c54174deb456c",
            ),
        ),
    ),
    dict(
        name="iam-create-user",
        protocol="query (IAM)",
        tests="IAM CreateUser GET: parameters out of order, `Path` with `%2F` kept encoded; header and presigned",
        request="GET /?Action=CreateUser&UserName=Bob&Path=%2Fdivision_abc%2Fsubdivision_xyz%2F&Version=2010-05-08 "
        "HTTP/1.1\nHost:iam.amazonaws.com\n",
        context=svc("iam"),
        locations=["header", "query"],
    ),
    # REST protocols: execute-api (API Gateway) and Lambda.
    dict(
        name="execute-api-get-path-spaces-colons",
        protocol="REST (execute-api)",
        tests="API Gateway GET: path with `%20` (signed `%2520`) and raw `:` (signed `%3A`), "
        "query unsorted with `%20` and `%3A`",
        request="GET /prod/items/my%20item:v1/notes?name=my%20item&filter=status%3Aopen&limit=10 HTTP/1.1\n"
        "Host:a1b2c3d4e5.execute-api.us-east-1.amazonaws.com\n",
        context=svc("execute-api"),
        locations=["header", "query"],
    ),
    dict(
        name="execute-api-get-session-token",
        protocol="REST (execute-api)",
        tests="API Gateway GET with a session token: header `x-amz-security-token` / query "
        "`X-Amz-Security-Token` signed",
        request="GET /prod/pets/dog:rex?view=full HTTP/1.1\nHost:a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com\n",
        context=svc("execute-api", region="eu-central-1", token=TOKEN),
        locations=["header", "query"],
    ),
    dict(
        name="execute-api-post-json-charset",
        protocol="REST (execute-api)",
        tests="API Gateway POST with `Content-Type: application/json; charset=utf-8` (a Content-Type "
        "with parameters, signed as sent) and a UTF-8 JSON body",
        request="POST /prod/orders HTTP/1.1\nHost:a1b2c3d4e5.execute-api.us-east-1.amazonaws.com\n"
        "Content-Type:application/json; charset=utf-8\n\n"
        '{"item":"caf\u00e9 cr\u00e8me","qty":2}',
        context=svc("execute-api"),
        locations=["header"],
    ),
    dict(
        name="lambda-invoke",
        protocol="REST-JSON (Lambda)",
        tests="Lambda Invoke `/2015-03-31/functions/my-function:alias/invocations` with a raw `:` "
        "(signed `%3A`), `X-Amz-Invocation-Type`, a JSON body",
        request="POST /2015-03-31/functions/my-function:alias/invocations HTTP/1.1\n"
        "Host:lambda.us-east-1.amazonaws.com\nContent-Type:application/json\n"
        "X-Amz-Invocation-Type:RequestResponse\nX-Amz-Log-Type:Tail\n\n"
        '{"key1":"value1","key2":"value2"}',
        context=svc("lambda"),
        locations=["header"],
    ),
    dict(
        name="lambda-invoke-encoded-colon",
        protocol="REST-JSON (Lambda)",
        tests="Lambda Invoke as the SDKs send it: the function name's `:` sent as `%3A`, so it "
        "signs `%253A` (the path encoded twice)",
        request="POST /2015-03-31/functions/my-function%3Aalias/invocations HTTP/1.1\n"
        "Host:lambda.us-east-1.amazonaws.com\nX-Amz-Invocation-Type:Event\n\n"
        '{"key1":"value1"}',
        context=svc("lambda"),
        locations=["header"],
    ),
]
