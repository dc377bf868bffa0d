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

Usage: xcheck.py [--check] [--helper PATH] [CASE...]
  --check   compare the files on disk with what would be written; write nothing.
"""

import argparse
import datetime
import hashlib
import hmac
import json
import os
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


def case_files(case, helper, report):
    files = {}
    files["context.json"] = (json.dumps(case["context"], indent=4, ensure_ascii=False) + "\n").encode()
    files["request.txt"] = case["request"].encode()
    for location, code in (case.get("errors") or {}).items():
        files[f"{location}-error.txt"] = (code + "\n").encode()
    locations = case["locations"]
    results = run_sigv4(helper, [sigv4_jobs(case, loc) for loc in locations])
    for location, res in zip(locations, results):
        sig = finish_sigv4(case, location, res)
        mode = case.get("botocore_query", "wire") if location == "header" or True else "wire"
        boto = botocore_sign(case, location, mode)
        agree = compare(case, location, sig, boto, report)
        if mode != "wire":
            wire = botocore_sign(case, location, "wire")
            if wire["canonical_request"] != sig["canonical_request"]:
                report.append(f"  {location}: botocore fed the URL query (wire bytes) disagrees with aws-sigv4:")
                report.append("    aws-sigv4: " + sig["canonical_request"].split("\n")[2])
                report.append("    botocore : " + wire["canonical_request"].split("\n")[2])
            report.append(f"  {location}: botocore fed decoded params {'agrees' if agree else 'DISAGREES'}")
        checked = check_docs(case, location, sig)
        if checked:
            report.append(f"  {location}: matches AWS docs on {', '.join(checked)}")
        if not agree:
            if case.get("decision") != "aws-sigv4":
                raise SystemExit(f"{case['name']}/{location}: implementations disagree and no decision recorded")
            report.append(f"  {location}: decision: expected files follow aws-sigv4 ({case['decision_why']})")
        files[f"{location}-canonical-request.txt"] = sig["canonical_request"].encode()
        files[f"{location}-string-to-sign.txt"] = sig["string_to_sign"].encode()
        files[f"{location}-signature.txt"] = sig["signature"].encode()
        files[f"{location}-signed-request.txt"] = signed_request(case, location, sig)
    if case.get("decision"):
        files["README.md"] = decision_note(case, report).encode()
    return files


def decision_note(case, report):
    """The note kept in a case folder whose expected values rest on a project decision."""
    return (
        f"# {case['name']}\n\n{case['tests']}.\n\n"
        f"botocore {botocore.__version__} and aws-sigv4 1.6.4 disagree on this request when botocore is "
        f"given the URL as sent; the expected files follow **{case['decision']}**.\n\n"
        f"{case['decision_why']}\n\n"
        "Output of `vectors/tools/xcheck.py` for this case (canonical query line of each):\n\n```text\n"
        + "\n".join(l for l in report if "decision:" not in l)
        + "\n```\n"
    )


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
    ap.add_argument("cases", nargs="*")
    args = ap.parse_args()
    print(f"botocore {botocore.__version__}; aws-sigv4 helper {args.helper}")
    if args.suite:
        return suite_selftest(args.suite, args.helper)
    bad = 0
    for case in case_defs.CASES:
        if args.cases and case["name"] not in args.cases:
            continue
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
    if bad:
        print(f"{bad} difference(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
