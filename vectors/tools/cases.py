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
]
