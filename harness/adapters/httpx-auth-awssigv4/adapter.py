#!/usr/bin/env python3
"""sigv4 harness adapter (protocol 1) for httpx-auth-awssigv4: SigV4Auth(access_key, secret,
service, region, token)(httpx.Request).

Time: the library reads the clock (`datetime.utcnow()`, `from datetime import datetime` in
httpx_auth_awssigv4.auth); the adapter replaces that module's `datetime` with a class whose
clock is frozen at the case's time for the call. The library signs `host;x-amz-date` only and
adds the session token after signing (unsigned). The canonical request is captured from its
own get_canonical_request; the string to sign is a local of __call__ and is not revealed.
"""

import os
import re
import sys
from importlib.metadata import version

import httpx
import httpx_auth_awssigv4.auth as hxs

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import sigv4_adapter as sa  # noqa: E402  (the shared protocol loop)
from sigv4_adapter import Unsupported  # noqa: E402


def sign(msg):
    req = msg["request"]
    settings = msg["settings"]
    creds = msg["credentials"]
    if settings["location"] != "header":
        raise Unsupported("httpx-auth-awssigv4 signs with an Authorization header only (no presigning)")
    if settings["payload"]["mode"] != "hash":
        raise Unsupported("httpx-auth-awssigv4 always signs the SHA-256 of the body")
    if settings.get("content_sha256_header"):
        raise Unsupported("httpx-auth-awssigv4 never adds x-amz-content-sha256")
    token = creds.get("session_token") or None
    if token and settings.get("session_token", "include") == "include":
        raise Unsupported("httpx-auth-awssigv4 adds the session token after signing (never signs it)")
    wanted = settings.get("signed_headers")
    if wanted is not None and {n.lower() for n in wanted} - {"host"}:
        raise Unsupported("httpx-auth-awssigv4 signs host and x-amz-date only (no switch for other headers)")
    target = req["target"]
    path = target.split("?", 1)[0] or "/"
    if settings["normalize_path"] and sa.path_needs_normalising(path):
        raise Unsupported("httpx-auth-awssigv4 does not normalise the path")

    headers = [(n, v) for n, v in req["headers"]]
    host = sa.header(headers, "host")
    if host is None:
        raise ValueError("adapter: the request has no Host header")
    request = httpx.Request(req["method"], f"http://{host}{target}", headers=headers, content=sa.body_of(msg))

    captured = {}

    class Capturing(hxs.SigV4Auth):
        def get_canonical_request(self, request, timestamp):
            captured["canonical_request"] = super().get_canonical_request(request, timestamp)
            return captured["canonical_request"]

    auth = Capturing(creds["access_key_id"], creds["secret_access_key"], msg["service"], msg["region"], token)
    with sa.patched(hxs, "datetime", sa.frozen_datetime_class(sa.parse_time(msg["time"]))):
        signed = auth(request)

    out = {"signed": {"method": signed.method, "target": signed.url.raw_path.decode("ascii"),
                      "headers": [[n.decode("latin-1"), v.decode("latin-1")] for n, v in signed.headers.raw],
                      "body_b64": sa.b64(signed.content)}, **captured}
    m = re.search(r"Signature=([0-9a-f]{64})", signed.headers.get("authorization", ""))
    if m:
        out["signature"] = m.group(1)
    return out


def main():
    sa.run({"name": "httpx-auth-awssigv4", "version": version("httpx-auth-awssigv4"), "language": "python",
            "reveals": ["canonical_request", "signature"]}, sign)


if __name__ == "__main__":
    main()
