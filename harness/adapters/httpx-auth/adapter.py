#!/usr/bin/env python3
"""sigv4 harness adapter (protocol 1) for httpx-auth's AWS4Auth(access_id, secret, region,
service, security_token=..., include_headers={...}): `next(auth.auth_flow(httpx.Request))`.

Time: the library reads the clock (`datetime.datetime.now(datetime.timezone.utc)` in
httpx_auth._aws); the adapter replaces that module's `datetime` with one whose clock is frozen
at the case's time for the call. The library always adds and signs x-amz-content-sha256 (the
SHA-256 of the body) and signs host, content-type and every x-amz-* header; `include_headers`
adds the case's other headers. The canonical request is captured from the library's own
`_canonical_request`, the string to sign from `_string_to_sign`.
"""

import os
import re
import sys
from importlib.metadata import version

import httpx
import httpx_auth._aws as hx

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import sigv4_adapter as sa  # noqa: E402  (the shared protocol loop)
from sigv4_adapter import Unsupported  # noqa: E402

ALWAYS_SIGNED = ("host", "content-type")  # plus every x-amz-* but x-amz-client-context


def sign(msg):
    req = msg["request"]
    settings = msg["settings"]
    creds = msg["credentials"]
    if settings["location"] != "header":
        raise Unsupported("httpx-auth's AWS4Auth signs with an Authorization header only (no presigning)")
    if settings["payload"]["mode"] != "hash":
        raise Unsupported("httpx-auth always signs the SHA-256 of the body (it sets x-amz-content-sha256 itself)")
    token = creds.get("session_token") or None
    if token and settings.get("session_token", "include") != "include":
        raise Unsupported("httpx-auth always signs the session token (an x-amz-* header)")
    service = msg["service"]
    is_s3 = service.lower() == "s3"
    target = req["target"]
    path = target.split("?", 1)[0] or "/"
    # canonical_uri encodes httpx's decoded path once (single encoding) and normalises it
    # unless the service is s3: double encoding differs for a path with '%'.
    if settings["uri_encoding"] == "double" and "%" in path:
        raise Unsupported("httpx-auth encodes the decoded path once (no double-encoding switch)")
    if bool(settings["normalize_path"]) == is_s3 and sa.path_needs_normalising(path):
        raise Unsupported("httpx-auth normalises the path for every service but s3 (no switch); "
                          f"normalize_path={settings['normalize_path']} for service {service!r}")

    headers = [(n, v) for n, v in req["headers"]]
    names = {n.lower() for n, _ in headers}
    wanted = settings.get("signed_headers")
    if wanted is None:
        include = set(names)
    else:
        include = {n.lower() for n in wanted}
        forced = {n for n in names if n in ALWAYS_SIGNED or (n.startswith("x-amz-") and n != "x-amz-client-context")}
        if forced - include - {"host"}:
            raise Unsupported(f"httpx-auth always signs {sorted(forced - include - {'host'})} (host, content-type, x-amz-*)")
    if sa.header(headers, "host") is None:
        raise ValueError("adapter: the request has no Host header")
    host = sa.header(headers, "host")
    request = httpx.Request(req["method"], f"http://{host}{target}", headers=headers, content=sa.body_of(msg))

    captured = {}
    real_sts = hx._string_to_sign

    def capturing_sts(r, canonical_request, scope):
        captured["canonical_request"] = canonical_request
        captured["string_to_sign"] = real_sts(r, canonical_request, scope)
        return captured["string_to_sign"]

    kwargs = {"include_headers": include}
    if token:
        kwargs["security_token"] = token
    auth = hx.AWS4Auth(creds["access_key_id"], creds["secret_access_key"], msg["region"], service, **kwargs)
    with sa.patched(hx, "datetime", sa.frozen_datetime_module(sa.parse_time(msg["time"]))), \
            sa.patched(hx, "_string_to_sign", capturing_sts):
        signed = next(auth.auth_flow(request))

    raw_target = signed.url.raw_path.decode("ascii")
    out = {"signed": {"method": signed.method, "target": raw_target,
                      "headers": [[n.decode("latin-1"), v.decode("latin-1")] for n, v in signed.headers.raw],
                      "body_b64": sa.b64(signed.content)}, **captured}
    m = re.search(r"Signature=([0-9a-f]{64})", signed.headers.get("authorization", ""))
    if m:
        out["signature"] = m.group(1)
    return out


def main():
    sa.run({"name": "httpx-auth", "version": version("httpx-auth"), "language": "python",
            "reveals": ["canonical_request", "string_to_sign", "signature"]}, sign)


if __name__ == "__main__":
    main()
