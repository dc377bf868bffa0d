#!/usr/bin/env python3
"""Generate and cross-check this project's SigV4 cases (vectors/cases/).

For every case in cases.py this script
  1. writes the inputs: <case>/context.json and <case>/request.txt;
  2. signs the request with two independent implementations:
       - botocore (SigV4Auth / S3SigV4Auth / SigV4QueryAuth / S3SigV4QueryAuth), and
       - the Rust aws-sigv4 crate, through the small helper binary in /tmp/xcheck
         (source: tools/aws_sigv4_helper.rs, built by tools/build-helper.sh);
  3. asserts that both give the same canonical request, string to sign, signature and
     signing values, and that any value AWS's documentation prints for the case matches;
  4. only then writes the expected files. Nothing comes from this project's signer.

A case may declare a `decision` when the implementations disagree on purpose (see cases.py
and vectors/cases/README.md); the disagreement is then printed, and the expected files come
from the named implementation.

Usage: xcheck.py [--check [--from-files]] [--helper PATH] [CASE...]
  --check        compare the files on disk with what would be written; write nothing.
  --from-files   (with --check) take aws-sigv4's side from the files on disk instead of the
                 helper: re-checks every expected file against botocore and awscrt.
"""

import argparse
import datetime
import hashlib
import hmac
import io
import json
import os
import re
import subprocess
import sys
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

import botocore
import botocore.auth as bauth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cases as case_defs  # noqa: E402

CASES_DIR = os.path.normpath(os.path.join(HERE, "..", "cases"))
DEFAULT_HELPER = "/tmp/xcheck/target/release/xcheck"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


# ---------------------------------------------------------------- request.txt

def parse_request(text):
    """method, target, [(name, value)], body bytes: the suite's request.txt rules."""
    head, sep, body = text.partition("\n\n")
    lines = head.split("\n")
    method, rest = lines[0].split(" ", 1)
    target, version = rest.rsplit(" ", 1)
    assert version.startswith("HTTP/"), lines[0]
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        assert not line[0].isspace(), "continuation lines are not used in our cases"
        name, value = line.split(":", 1)
        headers.append((name, value.strip(" \t")))
    return method, target, headers, body.encode()


def uri_encode(s):
    """RFC 3986 unreserved characters kept, everything else %XX (upper case)."""
    return quote(s, safe="-_.~")


def amz_date(ts):
    return datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").strftime("%Y%m%dT%H%M%SZ")


def epoch(ts):
    d = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp())


def header_value(headers, name):
    for n, v in headers:
        if n.lower() == name:
            return v
    return None


# ---------------------------------------------------------------- aws-sigv4

def sigv4_jobs(case, location):
    c = case["context"]
    method, target, headers, body = parse_request(case["request"])
    creds = c["credentials"]
    job = dict(
        method=method, target=target, headers=[list(h) for h in headers], body_hex=body.hex(),
        access_key=creds["access_key_id"], secret=creds["secret_access_key"],
        region=c["region"], service=c["service"], epoch=epoch(c["timestamp"]),
        location=location, expires=c["expiration_in_seconds"],
        double=c.get("double_uri_encode", True), normalize=c["normalize"],
        sign_body=c["sign_body"], omit_token=c.get("omit_session_token", False),
    )
    if creds.get("token"):
        job["token"] = creds["token"]
    if c.get("payload_hash"):
        job["payload_hash"] = c["payload_hash"]
    return job


def run_sigv4(helper, jobs):
    out = subprocess.run([helper], input=json.dumps(jobs).encode(), capture_output=True, check=True)
    return json.loads(out.stdout)


def signing_key(secret, date, region, service):
    k = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k


def finish_sigv4(case, location, res):
    """Completes aws-sigv4's artifacts: un-redacts the token in the traced canonical request,
    rebuilds the string to sign in header mode (aws-sigv4 traces it only for presigning), and
    proves both are exactly what aws-sigv4 signed (HMAC of the string to sign == its signature)."""
    if "error" in res:
        raise SystemExit(f"{case['name']}/{location}: aws-sigv4 failed: {res['error']}")
    c = case["context"]
    token = c["credentials"].get("token")
    creq = res["canonical_request"]
    assert creq is not None, "no canonical_request in aws-sigv4's trace"
    if token and "** redacted" in creq:
        creq = creq.replace(f"** redacted (length={len(token.encode())}) **", token)
    date = amz_date(c["timestamp"])
    scope = f"{date[:8]}/{c['region']}/{c['service']}/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", date, scope, hashlib.sha256(creq.encode()).hexdigest()])
    if res["string_to_sign"] is not None:
        assert res["string_to_sign"] == sts, (res["string_to_sign"], sts)
    key = signing_key(c["credentials"]["secret_access_key"], date[:8], c["region"], c["service"])
    assert hmac.new(key, sts.encode(), hashlib.sha256).hexdigest() == res["signature"], \
        f"{case['name']}/{location}: reconstructed aws-sigv4 string to sign does not give its signature"
    return dict(canonical_request=creq, string_to_sign=sts, signature=res["signature"],
                headers={n.lower(): v for n, v in res["headers"]},
                params=[(k, v) for k, v in res["params"]])


# ---------------------------------------------------------------- botocore

class _FixedDate:
    """botocore signs with X-Amz-Date even when a Date header is present (the suite's rule)."""

    def _set_necessary_date_headers(self, request):
        if "X-Amz-Date" in request.headers:
            del request.headers["X-Amz-Date"]
        request.headers["X-Amz-Date"] = request.context["timestamp"]


def botocore_sign(case, location, query_mode):
    """Signs with botocore. query_mode 'wire' gives botocore the URL query as sent; 'decoded'
    gives it the form-decoded parameters (request.params), which it encodes itself."""
    c = case["context"]
    method, target, headers, body = parse_request(case["request"])
    s3 = not c.get("double_uri_encode", True)
    assert s3 == (not c["normalize"]), "botocore couples double encoding and normalisation"
    creds = c["credentials"]
    omit = c.get("omit_session_token", False)
    token = creds.get("token")
    cred = Credentials(creds["access_key_id"], creds["secret_access_key"], None if omit else token)
    payload_hash = c.get("payload_hash")
    host = header_value(headers, "host")
    path, _, query = target.partition("?")

    if location == "header":
        base = bauth.S3SigV4Auth if s3 else bauth.SigV4Auth
    else:
        base = bauth.S3SigV4QueryAuth if s3 else bauth.SigV4QueryAuth

    captured = {}

    class Signer(_FixedDate, base):
        def payload(self, request):
            if payload_hash:
                return payload_hash
            return super().payload(request)

        def canonical_request(self, request):
            captured["canonical_request"] = super().canonical_request(request)
            return captured["canonical_request"]

        def string_to_sign(self, request, creq):
            captured["string_to_sign"] = super().string_to_sign(request, creq)
            return captured["string_to_sign"]

        def signature(self, sts, request):
            captured["signature"] = super().signature(sts, request)
            return captured["signature"]

        if location == "query":
            def _modify_request_before_signing(self, request):
                # botocore's presigner re-serialises the operation query through a dict
                # (one value per key, form decoding); keep the request's own query instead
                # and take only botocore's auth parameters.
                saved_params = request.params
                request.params = {}
                super()._modify_request_before_signing(request)
                q = urlsplit(request.url).query
                auth = q[q.index("X-Amz-Algorithm="):]
                p = urlsplit(request.url)
                if saved_params:
                    request.params = list(saved_params) + parse_qsl(auth, keep_blank_values=True)
                    request.url = urlunsplit((p[0], p[1], p[2], "", p[4]))
                else:
                    request.url = urlunsplit((p[0], p[1], p[2], (query + "&" + auth) if query else auth, p[4]))

    hh = HTTPHeaders()
    for n, v in headers:
        hh[n] = v
    if location == "header" and c["sign_body"] and not s3:
        hh["X-Amz-Content-SHA256"] = payload_hash or hashlib.sha256(body).hexdigest()
    url = "http://" + host + path
    params = None
    if query_mode == "decoded" and query:
        params = parse_qsl(query, keep_blank_values=True)
    elif query:
        url += "?" + query
    req = AWSRequest(method=method, url=url, headers=hh, data=body or None, params=params)
    if location == "query":
        req.data = None  # botocore's presigner would move a form body into the query
    signer = Signer(cred, c["service"], c["region"])
    signer._expires = c["expiration_in_seconds"]
    fixed = datetime.datetime.strptime(c["timestamp"], "%Y-%m-%dT%H:%M:%SZ")
    orig = bauth.get_current_datetime
    bauth.get_current_datetime = lambda: fixed
    try:
        signer.add_auth(req)
    finally:
        bauth.get_current_datetime = orig
    out = dict(captured)
    if location == "header":
        out["authorization"] = req.headers["Authorization"]
        out["x-amz-content-sha256"] = req.headers.get("X-Amz-Content-SHA256")
    else:
        qs = urlsplit(req.url).query
        out["params"] = [kv for kv in parse_qsl(qs, keep_blank_values=True) if kv[0].startswith("X-Amz-")]
        if req.params:
            out["params"] = [kv for kv in req.params if kv[0].startswith("X-Amz-")] + \
                [("X-Amz-Signature", captured["signature"])]
    return out


# ---------------------------------------------------------------- awscrt (aws-c-auth)

_CRT_LOG = None


def _crt():
    """Imports awscrt and points its log at a scratch file, once: aws-c-auth logs the canonical
    request and the string to sign it built (at INFO), which is how they are captured."""
    global _CRT_LOG
    import awscrt.io
    if _CRT_LOG is None:
        # A log file is flushed only at exit; the C library's stderr is unbuffered. So file
        # descriptor 2 becomes a scratch file, and Python's own stderr keeps the real one.
        import tempfile
        import atexit
        fd, _CRT_LOG = tempfile.mkstemp(prefix="xcheck-awscrt-", suffix=".log")
        atexit.register(os.remove, _CRT_LOG)
        sys.stderr.flush()
        real = os.dup(2)
        os.dup2(fd, 2)
        os.close(fd)
        sys.stderr = os.fdopen(real, "w", buffering=1)
        awscrt.io.init_logging(awscrt.io.LogLevel.Info, "stderr")
    return _CRT_LOG


_CRT_RECORD = re.compile(r"\n(?=\[(?:TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\] \[)")


def _crt_logged(text, what):
    """The contents of the last `... built <what> ... with contents` record of aws-c-auth's log."""
    marker = f"Signing successfully built {what}"
    at = text.rfind(marker)
    if at < 0:
        return None
    start = text.index("with contents \n", at) + len("with contents \n")
    rest = text[start:]
    m = _CRT_RECORD.search(rest)
    body = rest[:m.start()] if m else rest
    # the record ends with the contents followed by one newline of the logger's own
    assert body.endswith("\n"), repr(body[-20:])
    return body[:-1]


def crt_sign(case, location):
    """Signs with awscrt's aws-c-auth (the C implementation behind the CRT-based SDKs). Returns
    the artifacts, or dict(unsupported=reason) when awscrt cannot express the case."""
    import awscrt.auth as A
    import awscrt.http as H
    c = case["context"]
    if c.get("streaming"):
        return dict(unsupported="awscrt's Python bindings have no chunk-signing API")
    log = _crt()
    method, target, headers, body = parse_request(case["request"])
    creds = c["credentials"]
    provider = A.AwsCredentialsProvider.new_static(
        creds["access_key_id"], creds["secret_access_key"], creds.get("token"))
    when = datetime.datetime.strptime(c["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    query = location == "query"
    cfg = A.AwsSigningConfig(
        algorithm=A.AwsSigningAlgorithm.V4,
        signature_type=A.AwsSignatureType.HTTP_REQUEST_QUERY_PARAMS if query else A.AwsSignatureType.HTTP_REQUEST_HEADERS,
        credentials_provider=provider, region=c["region"], service=c["service"], date=when,
        use_double_uri_encode=c.get("double_uri_encode", True), should_normalize_uri_path=c["normalize"],
        signed_body_value=c.get("payload_hash"),
        signed_body_header_type=A.AwsSignedBodyHeaderType.X_AMZ_CONTENT_SHA_256
        if (c["sign_body"] and not query) else A.AwsSignedBodyHeaderType.NONE,
        expiration_in_seconds=c["expiration_in_seconds"] if query else None,
        omit_session_token=c.get("omit_session_token", False),
    )
    req = H.HttpRequest(method, target, H.HttpHeaders(headers), io.BytesIO(body))
    before = os.path.getsize(log)
    try:
        signed = A.aws_sign_request(req, cfg).result(timeout=30)
    except Exception as e:  # noqa: BLE001 - reported as the oracle's refusal
        return dict(error=f"{type(e).__name__}: {e}")
    # aws-c-auth's logger writes from a background thread: wait for the final record.
    import time
    deadline = time.monotonic() + 10
    while True:
        with open(log, "rb") as f:
            f.seek(before)
            text = f.read().decode("utf-8", "replace")
        # the string-to-sign record is complete once a later record has started
        at = text.rfind("Signing successfully built string-to-sign")
        if (at >= 0 and _CRT_RECORD.search(text[at:])) or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    creq = _crt_logged(text, "canonical request")
    sts = _crt_logged(text, "string-to-sign")
    out = dict(canonical_request=creq, string_to_sign=sts)
    if query:
        q = signed.path.partition("?")[2]
        params = parse_qsl(q, keep_blank_values=True)
        out["params"] = [(k, v) for k, v in params if k.startswith("X-Amz-")]
        out["signature"] = dict(out["params"]).get("X-Amz-Signature")
        out["headers"] = {}
    else:
        out["headers"] = {n.lower(): v for n, v in signed.headers}
        auth = out["headers"].get("authorization", "")
        out["signature"] = auth.rpartition("Signature=")[2]
        out["params"] = []
    # Prove the captured texts are what aws-c-auth signed.
    date = amz_date(c["timestamp"])
    assert sts is not None and creq is not None, "awscrt logged no canonical request / string to sign"
    assert sts.split("\n")[3] == hashlib.sha256(creq.encode()).hexdigest(), "awscrt: logged texts do not chain"
    key = signing_key(creds["secret_access_key"], date[:8], c["region"], c["service"])
    assert hmac.new(key, sts.encode(), hashlib.sha256).hexdigest() == out["signature"], \
        f"{case['name']}/{location}: awscrt's logged string to sign does not give its signature"
    return out


def compare_crt(case, location, sig, crt, report):
    """Returns True when awscrt agrees with aws-sigv4 on every artifact it produced."""
    if "unsupported" in crt or "error" in crt:
        report.append(f"  {location}: awscrt cannot sign it: {crt.get('unsupported') or crt.get('error')}")
        return None
    diffs = [k for k in ("canonical_request", "string_to_sign", "signature") if sig[k] != crt[k]]
    if location == "header":
        for h in ("authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"):
            if sig["headers"].get(h) != crt["headers"].get(h):
                diffs.append(h)
    else:
        strip_token = case["context"].get("omit_session_token")
        a = sorted((k, v) for k, v in sig["params"] if not (strip_token and k == "X-Amz-Security-Token"))
        b = sorted((k, v) for k, v in crt["params"] if not (strip_token and k == "X-Amz-Security-Token"))
        if a != b:
            diffs.append(f"params {a} != {b}")
    if diffs:
        report.append(f"  {location}: awscrt and aws-sigv4 DISAGREE on {', '.join(diffs)}")
        if "canonical_request" in diffs:
            report.append("    aws-sigv4 canonical request:\n      " + sig["canonical_request"].replace("\n", "\n      "))
            report.append("    awscrt    canonical request:\n      " + crt["canonical_request"].replace("\n", "\n      "))
    return not diffs


# ---------------------------------------------------------------- expected files

def signed_request(case, location, art):
    c = case["context"]
    method, target, headers, body = parse_request(case["request"])
    token = c["credentials"].get("token")
    # The original header lines, verbatim (as the suite's signed-request files keep them).
    head_lines = [l for l in case["request"].partition("\n\n")[0].split("\n")[1:] if l]
    if location == "header":
        h = art["headers"]
        lines = [f"{method} {target} HTTP/1.1"] + head_lines
        lines.append("X-Amz-Date:" + h["x-amz-date"])
        if c["sign_body"]:
            lines.append("x-amz-content-sha256:" + h["x-amz-content-sha256"])
        if token:
            lines.append("X-Amz-Security-Token:" + h["x-amz-security-token"])
        lines.append("Authorization:" + h["authorization"])
    else:
        p = dict(art["params"])
        order = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"]
        if token:
            order.append("X-Amz-Security-Token")
        order.append("X-Amz-Signature")
        assert set(order) == set(p), (order, p)
        added = "&".join(f"{k}={uri_encode(p[k])}" for k in order)
        path, _, query = target.partition("?")
        new_target = f"{path}?{query}&{added}" if query else f"{path}?{added}"
        lines = [f"{method} {new_target} HTTP/1.1"] + head_lines
    return ("\n".join(lines) + "\n\n").encode() + body


def compare(case, location, sig, boto, report):
    """Returns True when both implementations agree on every artifact."""
    diffs = []
    for k in ("canonical_request", "string_to_sign", "signature"):
        if sig[k] != boto[k]:
            diffs.append(k)
    if location == "header":
        if sig["headers"]["authorization"] != boto["authorization"]:
            diffs.append("authorization")
        if case["context"]["sign_body"] and sig["headers"].get("x-amz-content-sha256") != boto["x-amz-content-sha256"]:
            diffs.append("x-amz-content-sha256")
    else:
        strip_token = case["context"].get("omit_session_token")
        a = sorted((k, v) for k, v in sig["params"] if not (strip_token and k == "X-Amz-Security-Token"))
        b = sorted((k, str(v)) for k, v in boto["params"])
        if a != b:
            diffs.append(f"params {a} != {b}")
    if diffs:
        report.append(f"  {location}: botocore and aws-sigv4 DISAGREE on {', '.join(diffs)}")
        if "canonical_request" in diffs:
            report.append("    aws-sigv4 canonical request:\n      " + sig["canonical_request"].replace("\n", "\n      "))
            report.append("    botocore  canonical request:\n      " + boto["canonical_request"].replace("\n", "\n      "))
    return not diffs


def check_docs(case, location, sig):
    docs = (case.get("docs") or {}).get(location) or {}
    for k, v in docs.items():
        assert sig[k] == v, f"{case['name']}/{location}: {k} differs from AWS's documentation:\n{sig[k]}\n!=\n{v}"
    return sorted(docs)


def sig_from_files(case, location):
    """The expected files of a case on disk, in the shape of finish_sigv4's result: for
    --from-files, which re-checks them against botocore and awscrt without the aws-sigv4 helper."""
    d = os.path.join(CASES_DIR, case["name"])

    def read(part):
        p = os.path.join(d, f"{location}-{part}.txt")
        if not os.path.exists(p):
            raise SystemExit(f"{case['name']}: {location}-{part}.txt is missing")
        with open(p, "rb") as f:
            return f.read()

    head = read("signed-request").partition(b"\n\n")[0].decode().split("\n")
    out = dict(canonical_request=read("canonical-request").decode(),
               string_to_sign=read("string-to-sign").decode(), signature=read("signature").decode(),
               headers={}, params=[])
    if location == "header":
        out["headers"] = {n.lower(): v for n, _, v in (l.partition(":") for l in head[1:])}
    else:
        query = head[0].split(" ")[1].partition("?")[2]
        out["params"] = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k.startswith("X-Amz-")]
    return out


def drop_header(creq, name):
    """A presigned canonical request without one signed header (line, signed-headers entry and the
    X-Amz-SignedHeaders value in the canonical query)."""
    lines = creq.split("\n")
    signed = lines[-2].split(";")
    rest = [n for n in signed if n != name]
    enc_old, enc_new = uri_encode(";".join(signed)), uri_encode(";".join(rest))
    lines[2] = lines[2].replace("X-Amz-SignedHeaders=" + enc_old, "X-Amz-SignedHeaders=" + enc_new)
    lines = [l for i, l in enumerate(lines) if not (3 <= i < len(lines) - 2 and l.startswith(name + ":"))]
    lines[-2] = ";".join(rest)
    return "\n".join(lines)


def query_line(creq):
    return creq.split("\n")[2]


def case_files(case, helper, report):
    """The files of one case folder. Also sets case["oracles"]: per location, which sources the
    expected files agree with (for the table in ../cases/README.md)."""
    files = {}
    files["context.json"] = (json.dumps(case["context"], indent=4, ensure_ascii=False) + "\n").encode()
    files["request.txt"] = case["request"].encode()
    for location, code in (case.get("errors") or {}).items():
        files[f"{location}-error.txt"] = (code + "\n").encode()
    locations = case["locations"]
    if helper is None:
        results = [None] * len(locations)
    else:
        results = run_sigv4(helper, [sigv4_jobs(case, loc) for loc in locations])
    case["oracles"] = {}
    for location, res in zip(locations, results):
        sig = finish_sigv4(case, location, res) if helper is not None else sig_from_files(case, location)
        mode = case.get("botocore_query", "wire")
        boto = botocore_sign(case, location, mode)
        agree = compare(case, location, sig, boto, report)
        oracles = []
        checked = check_docs(case, location, sig)
        if checked:
            report.append(f"  {location}: matches AWS docs on {', '.join(checked)}")
            oracles.append("AWS docs (" + ", ".join(k.replace("_", " ") for k in checked) + ")")
        oracles.append("aws-sigv4")
        if mode != "wire":
            wire = botocore_sign(case, location, "wire")
            if wire["canonical_request"] != sig["canonical_request"]:
                report.append(f"  {location}: botocore fed the URL query (wire bytes) disagrees with aws-sigv4:")
                report.append("    aws-sigv4: " + query_line(sig["canonical_request"]))
                report.append("    botocore : " + query_line(wire["canonical_request"]))
            report.append(f"  {location}: botocore fed decoded params {'agrees' if agree else 'DISAGREES'}")
        cannot = (case.get("botocore_cannot") or {}).get(location)
        if cannot and not agree:
            # botocore's presigner drops Content-Type before signing: then its canonical request
            # must be aws-sigv4's without that header, and nothing else may differ.
            want = drop_header(sig["canonical_request"], "content-type")
            assert boto["canonical_request"] == want, (boto["canonical_request"], want)
            report.append(f"  {location}: botocore cannot express it ({cannot}); without Content-Type "
                          "it signs exactly aws-sigv4's canonical request less that header")
            oracles.append(f"botocore: cannot express it ({cannot})")
        elif not agree:
            if case.get("decision") != "aws-sigv4":
                print("\n".join(report))
                raise SystemExit(f"{case['name']}/{location}: implementations disagree and no decision recorded")
            report.append(f"  {location}: decision: expected files follow aws-sigv4 ({case['decision_why']})")
        elif mode != "wire":
            oracles.append("botocore (given the decoded parameters; given the URL as sent it signs `"
                           + _param_of_interest(sig, wire) + "`)")
        else:
            oracles.append("botocore")
        crt = crt_sign(case, location)
        crt_agree = compare_crt(case, location, sig, crt, report)
        if crt_agree is None:
            oracles.append("awscrt: cannot express it")
        elif crt_agree:
            oracles.append("awscrt")
        else:
            if not case.get("crt_decision_why"):
                print("\n".join(report))
                raise SystemExit(f"{case['name']}/{location}: awscrt disagrees and no decision recorded")
            report.append(f"  {location}: decision: expected files follow aws-sigv4, not awscrt "
                          f"({case['crt_decision_why']})")
            oracles.append(f"awscrt disagrees (`{_param_of_interest(sig, crt)}`; see Disagreements)")
        case["oracles"][location] = oracles
        files[f"{location}-canonical-request.txt"] = sig["canonical_request"].encode()
        files[f"{location}-string-to-sign.txt"] = sig["string_to_sign"].encode()
        files[f"{location}-signature.txt"] = sig["signature"].encode()
        files[f"{location}-signed-request.txt"] = signed_request(case, location, sig)
    if case.get("decision"):
        files["README.md"] = decision_note(case, report).encode()
    return files


def _param_of_interest(sig, other):
    """The canonical-query parameters in which another implementation's canonical request differs."""
    a = query_line(sig["canonical_request"]).split("&")
    b = query_line(other["canonical_request"]).split("&")
    return "&".join(p for p in b if p not in a) or query_line(other["canonical_request"])


def decision_note(case, report):
    """The note kept in a case folder whose expected values rest on a project decision."""
    return (
        f"# {case['name']}\n\n{case['tests']}.\n\n"
        f"botocore {botocore.__version__} and aws-sigv4 1.6.4 disagree on this request when botocore is "
        f"given the URL as sent; the expected files follow **{case['decision']}**.\n\n"
        f"{case['decision_why']}\n\n"
        + (f"awscrt {_crt_version()} (aws-c-auth) disagrees with aws-sigv4 too: {case['crt_decision_why']}\n\n"
           if case.get("crt_decision_why") else "")
        + "Output of `vectors/tools/xcheck.py` for this case (canonical query line of each):\n\n```text\n"
        + "\n".join(l for l in report if "decision:" not in l)
        + "\n```\n"
    )


def _crt_version():
    import importlib.metadata
    return importlib.metadata.version("awscrt")


def _head_and_body(data):
    head, _, body = data.partition(b"\n\n")
    lines = head.split(b"\n")
    return lines[0], sorted(lines[1:]), body


def suite_selftest(suite_dir, helper):
    """Checks this script's plumbing (request parsing, trace capture, string-to-sign rebuild,
    signed-request layout) against AWS's own suite. Header lines are compared order-insensitively."""
    bad = 0
    for name in sorted(os.listdir(suite_dir)):
        d = os.path.join(suite_dir, name)
        if not os.path.exists(os.path.join(d, "context.json")):
            continue
        context = json.load(open(os.path.join(d, "context.json")))
        context.setdefault("double_uri_encode", name != "get-space-normalized")
        request = open(os.path.join(d, "request.txt"), "rb").read().decode()
        if any(l[:1] in (" ", "\t") for l in request.split("\n\n")[0].split("\n")[1:]):
            print(f"{name}: skipped (continuation lines)")
            continue
        locs = [l for l in ("header", "query") if os.path.exists(os.path.join(d, f"{l}-signature.txt"))]
        case = dict(name=name, request=request, context=context)
        results = run_sigv4(helper, [sigv4_jobs(case, l) for l in locs])
        for loc, res in zip(locs, results):
            if "error" in res:
                print(f"{name}/{loc}: aws-sigv4 cannot sign it: {res['error'][:80]}...")
                continue
            sig = finish_sigv4(case, loc, res)
            problems = []
            for k, f in (("canonical_request", "canonical-request"), ("string_to_sign", "string-to-sign"),
                         ("signature", "signature")):
                if open(os.path.join(d, f"{loc}-{f}.txt")).read() != sig[k]:
                    problems.append(f)
            mine = _head_and_body(signed_request(case, loc, sig))
            theirs = _head_and_body(open(os.path.join(d, f"{loc}-signed-request.txt"), "rb").read())
            if mine != theirs:
                problems.append("signed-request")
            crt = crt_sign(case, loc)
            for k, f in (("canonical_request", "canonical-request"), ("string_to_sign", "string-to-sign"),
                         ("signature", "signature")):
                if open(os.path.join(d, f"{loc}-{f}.txt")).read() != crt.get(k):
                    problems.append(f"awscrt {f}")
            print(f"{name}/{loc}: {'ok' if not problems else 'DIFFERS: ' + ', '.join(problems)}")
            bad += bool(problems)
    print(f"{bad} difference(s)")
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--helper", default=os.environ.get("XCHECK_HELPER", DEFAULT_HELPER))
    ap.add_argument("--suite", metavar="DIR",
                    help="self-test: run this script's aws-sigv4 path over AWS's suite folders in DIR and "
                         "compare with the suite's files (nothing is written)")
    ap.add_argument("--from-files", action="store_true",
                    help="with --check: take aws-sigv4's side from the expected files on disk instead of "
                         "the helper, and re-check them against botocore and awscrt (no Rust build needed)")
    ap.add_argument("cases", nargs="*")
    args = ap.parse_args()
    if args.from_files:
        if not args.check:
            ap.error("--from-files needs --check")
        args.helper = None
    print(f"botocore {botocore.__version__}; awscrt {_crt_version()}; aws-sigv4 "
          + ("from the expected files" if args.helper is None else f"helper {args.helper}"))
    if args.suite:
        return suite_selftest(args.suite, args.helper)
    bad = 0
    done = []
    for case in case_defs.CASES:
        if args.cases and case["name"] not in args.cases:
            continue
        done.append(case)
        report = []
        files = case_files(case, args.helper, report)
        d = os.path.join(CASES_DIR, case["name"])
        print(case["name"])
        for line in report:
            print(line)
        if args.check:
            on_disk = sorted(os.listdir(d)) if os.path.isdir(d) else []
            if on_disk != sorted(files):
                print(f"  files differ: on disk {on_disk}, expected {sorted(files)}")
                bad += 1
            for name, data in files.items():
                p = os.path.join(d, name)
                if not os.path.exists(p) or open(p, "rb").read() != data:
                    print(f"  {name} differs")
                    bad += 1
            continue
        os.makedirs(d, exist_ok=True)
        for name in os.listdir(d):
            if name.endswith(".txt") and name not in files and name != "README.md":
                os.remove(os.path.join(d, name))
        for name, data in files.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
    if not args.cases:
        bad += readme_table(done, args.check)
    else:
        print("(cases named: the table in ../cases/README.md is left as it is)")
    if bad:
        print(f"{bad} difference(s)")
        return 1
    return 0


README = os.path.join(CASES_DIR, "README.md")
TABLE_BEGIN = "<!-- oracles table: written by ../tools/xcheck.py, do not edit -->"
TABLE_END = "<!-- end of oracles table -->"


def protocol_of(case):
    if case.get("protocol"):
        return case["protocol"]
    if case["context"]["service"] == "s3":
        return "S3 (REST-XML)"
    return "generic (`service`)"


def oracles_cell(case):
    """Per location, the sources the expected files agree with."""
    parts = []
    by_loc = case.get("oracles", {})
    groups = {}
    for loc in case["locations"]:
        groups.setdefault(tuple(by_loc[loc]), []).append(loc)
    for oracles, locs in groups.items():
        parts.append(f"{' and '.join(locs)}: {'; '.join(oracles)}")
    for loc, code in (case.get("errors") or {}).items():
        parts.append(f"{loc}: error `{code}` (AWS's documented limit; no implementation refuses it)")
    docs = case.get("docs")
    cell = ". ".join(parts)
    if docs:
        cell = f"[{docs['title']}]({docs['url']}). " + cell
    return cell.replace("|", "\\|")


def readme_table(cases, check):
    """Writes (or with --check compares) the per-case oracles table in ../cases/README.md."""
    rows = ["| case | protocol | locations | what it pins | oracles (sources the expected files agree with) |",
            "| --- | --- | --- | --- | --- |"]
    for case in cases:
        locs = "+".join(case["locations"]) or "-"
        if case.get("errors"):
            locs += ", " + "+".join(f"{l} error" for l in case["errors"])
        rows.append(f"| `{case['name']}` | {protocol_of(case)} | {locs} | {case['tests'].replace('|', chr(92) + '|')} "
                    f"| {oracles_cell(case)} |")
    block = TABLE_BEGIN + "\n" + "\n".join(rows) + "\n" + TABLE_END
    text = open(README, encoding="utf-8").read()
    if TABLE_BEGIN in text:
        a = text.index(TABLE_BEGIN)
        b = text.index(TABLE_END) + len(TABLE_END)
        new = text[:a] + block + text[b:]
    else:
        raise SystemExit(f"{README} has no '{TABLE_BEGIN}' marker")
    if check:
        if new != text:
            print("  ../cases/README.md: the oracles table differs")
            return 1
        return 0
    with open(README, "w", encoding="utf-8") as f:
        f.write(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
