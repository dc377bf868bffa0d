#!/usr/bin/env python3
"""sigv4 harness adapter (protocol 1, harness/PROTOCOL.md) for botocore's SigV4 signers.

Reads one JSON case per line on stdin, answers one JSON line per case on stdout.
Signs with botocore.auth.SigV4Auth / S3SigV4Auth (header) and SigV4QueryAuth /
S3SigV4QueryAuth (query) on a botocore.awsrequest.AWSRequest, at the case's time
(botocore.auth.get_current_datetime is replaced for the call), and reports the canonical
request and string to sign botocore computed (captured from its own methods).
"""

import base64
import hashlib
import os
import sys

import botocore
import botocore.auth as bauth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.config import Config
from botocore.credentials import Credentials

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import sigv4_adapter as sa  # noqa: E402  (the shared protocol loop)
from sigv4_adapter import Refused, Unsupported  # noqa: E402,F401


def parse_time(text):
    """RFC 3339 → aware UTC datetime (patch_clock hands botocore the naive one it expects)."""
    return sa.parse_time(text)


def header(headers, name):
    for n, v in headers:
        if n.lower() == name:
            return v
    return None


# The signer classes by (location, S3 rules); botocore-crt passes its CRT classes instead.
CLASSES = {
    ("header", False): bauth.SigV4Auth, ("header", True): bauth.S3SigV4Auth,
    ("query", False): bauth.SigV4QueryAuth, ("query", True): bauth.S3SigV4QueryAuth,
}


def patch_clock(fixed):
    """Replaces botocore.auth.get_current_datetime (what SigV4Auth reads) with the case's
    time; returns the function that undoes it."""
    saved = bauth.get_current_datetime
    bauth.get_current_datetime = lambda *a, **k: fixed.replace(tzinfo=None)
    return lambda: setattr(bauth, "get_current_datetime", saved)


def choose_class(settings, classes=CLASSES):
    location = settings["location"]
    double = settings["uri_encoding"] == "double"
    if double != settings["normalize_path"]:
        # SigV4Auth encodes the path again and normalises it; the S3 classes do neither.
        raise Unsupported(
            "botocore couples the path rules: SigV4Auth encodes twice and normalises, "
            "S3SigV4Auth encodes once and does not normalise; "
            f"uri_encoding={settings['uri_encoding']} with normalize_path={settings['normalize_path']} "
            "has no signer")
    if location in ("header", "query"):
        return classes[(location, not double)]
    raise ValueError(f"unknown location {location!r}")


def sign(case, classes=CLASSES, patch_clock=patch_clock):
    req = case["request"]
    settings = case["settings"]
    creds = case["credentials"]
    body = base64.b64decode(req.get("body_b64") or "", validate=True)
    headers = [(n, v) for n, v in req["headers"]]
    cls = choose_class(settings, classes)
    s3 = cls in (classes[("header", True)], classes[("query", True)])
    query = settings["location"] == "query"

    if settings.get("session_token", "include") != "include" and creds.get("session_token"):
        raise Unsupported("botocore always signs the session token (no after-signing mode)")

    payload = settings["payload"]
    mode = payload["mode"]
    want_header = bool(settings.get("content_sha256_header"))
    scheme = "http"
    context = {}
    extra_headers = []
    if s3 and not query:
        # S3SigV4Auth always adds X-Amz-Content-SHA256 with its own payload() value.
        if not want_header:
            raise Unsupported("S3SigV4Auth always adds and signs X-Amz-Content-SHA256")
        if mode == "precomputed":
            raise Unsupported("S3SigV4Auth recomputes X-Amz-Content-SHA256 (no precomputed hash)")
        if mode == "unsigned":
            # The client-config switch: s3={'payload_signing_enabled': False}, over https.
            scheme = "https"
            context["client_config"] = Config(s3={"payload_signing_enabled": False})
    elif s3 and query:
        # S3SigV4QueryAuth signs UNSIGNED-PAYLOAD, always.
        if mode != "unsigned":
            raise Unsupported("S3SigV4QueryAuth always signs UNSIGNED-PAYLOAD")
        if want_header:
            raise Unsupported("S3SigV4QueryAuth does not add X-Amz-Content-SHA256")
    else:
        # SigV4Auth / SigV4QueryAuth: payload() hashes the body; an X-Amz-Content-SHA256 header
        # set by the caller is signed and used as the payload hash; the request-context switch
        # payload_signing_enabled=False (over https) adds X-Amz-Content-SHA256: UNSIGNED-PAYLOAD.
        if mode == "hash":
            if want_header:
                extra_headers.append(("X-Amz-Content-SHA256", hashlib.sha256(body).hexdigest()))
        elif mode == "precomputed":
            if not want_header:
                raise Unsupported("SigV4Auth takes a precomputed payload hash only from an X-Amz-Content-SHA256 header")
            extra_headers.append(("X-Amz-Content-SHA256", payload["value"]))
        elif mode == "unsigned":
            if not want_header:
                raise Unsupported("SigV4Auth signs UNSIGNED-PAYLOAD only with the X-Amz-Content-SHA256 header it adds")
            scheme = "https"
            context["payload_signing_enabled"] = False
        else:
            raise ValueError(f"unknown payload mode {mode!r}")

    host = header(headers, "host")
    if host is None:
        raise ValueError("adapter: the request has no Host header (botocore would take it from the URL)")
    hh = HTTPHeaders()
    for n, v in headers + extra_headers:
        hh[n] = v
    target = req["target"]
    url = f"{scheme}://{host}{target}"
    aws_req = AWSRequest(method=req["method"], url=url, headers=hh, data=body or None)
    aws_req.context.update(context)

    captured = {}

    class Capturing(cls):
        def canonical_request(self, request):
            captured["canonical_request"] = super().canonical_request(request)
            return captured["canonical_request"]

        def string_to_sign(self, request, canonical_request):
            captured["string_to_sign"] = super().string_to_sign(request, canonical_request)
            return captured["string_to_sign"]

        def signature(self, string_to_sign, request):
            captured["signature"] = super().signature(string_to_sign, request)
            return captured["signature"]

    credentials = Credentials(creds["access_key_id"], creds["secret_access_key"], creds.get("session_token"))
    if query:
        expires = settings.get("expires_in")
        signer = Capturing(credentials, case["service"], case["region"], expires=expires if expires is not None else 3600)
    else:
        signer = Capturing(credentials, case["service"], case["region"])

    restore = patch_clock(parse_time(case["time"]))
    try:
        signer.add_auth(aws_req)
    finally:
        restore()

    signed_url = aws_req.url
    prefix = f"{scheme}://{host}"
    if not signed_url.startswith(prefix):
        raise ValueError(f"adapter: botocore rewrote the URL to {signed_url!r}")
    signed_headers = list(aws_req.headers.items())
    check_signed_headers(settings.get("signed_headers"), headers, signed_headers, signed_url, query)
    out_body = aws_req.data if isinstance(aws_req.data, bytes) else (aws_req.data or "").encode()
    return {
        "status": "ok",
        "signed": {
            "method": aws_req.method,
            "target": signed_url[len(prefix):],
            "headers": [[n, v] for n, v in signed_headers],
            "body_b64": base64.b64encode(out_body).decode(),
        },
        **captured,
    }


def check_signed_headers(wanted, original, signed_headers, url, query):
    """botocore has no switch for the signed-header set: answer unsupported when its default
    choice (every header but its blacklist) is not the one the case asks for."""
    if wanted is None:
        return
    if query:
        from urllib.parse import parse_qs, urlsplit
        names = parse_qs(urlsplit(url).query).get("X-Amz-SignedHeaders", [""])[0]
    else:
        auth = header(signed_headers, "authorization") or ""
        names = auth.split("SignedHeaders=", 1)[1].split(",", 1)[0] if "SignedHeaders=" in auth else ""
    present = {n.lower() for n, _ in original}
    chosen = {n for n in names.split(";") if n} - {"host"}
    # headers botocore added itself (x-amz-date, x-amz-security-token, x-amz-content-sha256)
    chosen = {n for n in chosen if n in present or not n.startswith("x-amz-")}
    want = {n.lower() for n in wanted} - {"host"}
    if chosen != want:
        raise Unsupported(
            f"botocore signs {sorted(chosen)} of this request and has no switch to sign {sorted(want)}")


def main():
    sa.run({"name": "botocore", "version": botocore.__version__, "language": "python",
            "reveals": ["canonical_request", "string_to_sign", "signature"]}, sign)


if __name__ == "__main__":
    main()
