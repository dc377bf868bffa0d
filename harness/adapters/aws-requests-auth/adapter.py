#!/usr/bin/env python3
"""sigv4 harness adapter (protocol 1) for aws-requests-auth: AWSRequestsAuth(access_key,
secret, host, region, service, aws_token)(prepared) on a requests PreparedRequest.

Time: the library reads the clock (`datetime.datetime.utcnow()` in aws_requests_auth.aws_auth);
the adapter replaces that module's `datetime` with one whose clock is frozen at the case's time
for the call. The library signs `host;x-amz-date` (and `x-amz-security-token`) only, and adds
an unsigned x-amz-content-sha256. The canonical request and string to sign are not returned by
the library (they are locals of get_aws_request_headers), so the adapter reveals the signature.
"""

import os
import re
import sys
from importlib.metadata import version

import aws_requests_auth.aws_auth as ara
import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import sigv4_adapter as sa  # noqa: E402  (the shared protocol loop)
from sigv4_adapter import Unsupported  # noqa: E402


def sign(msg):
    req = msg["request"]
    settings = msg["settings"]
    creds = msg["credentials"]
    if settings["location"] != "header":
        raise Unsupported("aws-requests-auth signs with an Authorization header only (no presigning)")
    if settings["payload"]["mode"] != "hash":
        raise Unsupported("aws-requests-auth always signs the SHA-256 of the body")
    if settings.get("content_sha256_header"):
        raise Unsupported("aws-requests-auth adds x-amz-content-sha256 but never signs it")
    token = creds.get("session_token") or None
    if token and settings.get("session_token", "include") != "include":
        raise Unsupported("aws-requests-auth always signs the session token")
    wanted = settings.get("signed_headers")
    if wanted is not None and {n.lower() for n in wanted} - {"host"}:
        raise Unsupported("aws-requests-auth signs host and x-amz-date only (no switch for other headers)")
    target = req["target"]
    path = target.split("?", 1)[0] or "/"
    # get_canonical_path quotes the path as sent again ('%' -> '%25'): double encoding, no
    # normalisation. Single encoding is the same bytes only for a path without '%'.
    if settings["uri_encoding"] == "single" and "%" in path:
        raise Unsupported("aws-requests-auth encodes the path as sent again (no single-encoding switch)")
    if settings["normalize_path"] and sa.path_needs_normalising(path):
        raise Unsupported("aws-requests-auth does not normalise the path")

    headers = [(n, v) for n, v in req["headers"]]
    lower = [n.lower() for n, _ in headers]
    if len(set(lower)) != len(lower):
        raise Unsupported("requests holds one value per header name (a repeated header cannot be given)")
    host = sa.header(headers, "host")
    if host is None:
        raise ValueError("adapter: the request has no Host header")
    body = sa.body_of(msg)
    prepared = requests.Request(method=req["method"], url=f"http://{host}/", headers=dict(headers),
                                data=body or None).prepare()
    prepared.url = f"http://{host}{target}"  # as given (requests would re-quote it)
    auth = ara.AWSRequestsAuth(aws_access_key=creds["access_key_id"], aws_secret_access_key=creds["secret_access_key"],
                               aws_host=host, aws_region=msg["region"], aws_service=msg["service"], aws_token=token)
    with sa.patched(ara, "datetime", sa.frozen_datetime_module(sa.parse_time(msg["time"]))):
        auth(prepared)

    prefix = f"http://{host}"
    out_body = prepared.body if isinstance(prepared.body, bytes) else (prepared.body or "").encode()
    out = {"signed": {"method": prepared.method, "target": prepared.url[len(prefix):],
                      "headers": [[n, v] for n, v in prepared.headers.items()], "body_b64": sa.b64(out_body)}}
    m = re.search(r"Signature=([0-9a-f]{64})", prepared.headers.get("Authorization", ""))
    if m:
        out["signature"] = m.group(1)
    return out


def main():
    sa.run({"name": "aws-requests-auth", "version": version("aws-requests-auth"), "language": "python",
            "reveals": ["signature"]}, sign)


if __name__ == "__main__":
    main()
