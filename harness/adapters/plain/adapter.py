#!/usr/bin/env python3
"""The `plain` adapter: a SigV4 signer written from AWS's documented recipe, speaking the
sigv4 harness protocol v1 (harness/PROTOCOL.md) on stdin/stdout.

It follows the steps of AWS's "Create a signed AWS API request" page and the style of AWS's
Python signing samples: hashlib and hmac, string concatenation, urllib.parse.quote. No AWS
library. It is a second, deliberately naive implementation, so it is expected to differ from
the reference on some corner cases; `sigv4 report` shows where.

PLAIN_ADAPTER_BREAK=<rule> breaks exactly one rule, for the harness's own tests:
  path-encode-once   encode the path once even where the settings say twice
  unsorted-query     keep the query parameters in arrival order
  empty-body-hash    sign the SHA-256 of an empty body instead of the body's
  empty-body-hash-without-sha256-header
                     the same, but only where no x-amz-content-sha256 header is sent (JSON and
                     query-protocol POSTs), as a signer tested on GETs and S3 alone would
  content-type-rewritten
                     sign the Content-Type given, then send another one, as an HTTP library that
                     rewrites it after signing would: `; charset=utf-8` appended to a value
                     without parameters, the parameters dropped from one with them
  add-content-sha256 (header auth) always add and sign X-Amz-Content-Sha256 with the payload
                     hash, as signers that always send it do: a difference AWS accepts
  change-target      sign and send the target with an extra query parameter `plain-added=1`:
                     a signature that verifies, over a request that is not the case's
PLAIN_ADAPTER_REVEAL=none makes it reveal nothing but the signed request (as an adapter of a
library without hooks would), so the harness must reconstruct the canonical request.
"""

import base64
import hashlib
import hmac
import os
import sys
from urllib.parse import quote, unquote_to_bytes

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import sigv4_adapter as sa  # noqa: E402  (the shared protocol loop)
from sigv4_adapter import Refused, Unsupported  # noqa: E402,F401

NAME = "plain"
VERSION = "1"
BREAK = os.environ.get("PLAIN_ADAPTER_BREAK", "")
REVEAL = os.environ.get("PLAIN_ADAPTER_REVEAL", "all") != "none"
UNRESERVED = "-_.~"


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def hmac_sha256(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret, date_stamp, region, service):
    k_date = hmac_sha256(("AWS4" + secret).encode("utf-8"), date_stamp)
    k_region = hmac.new(k_date, region.encode("utf-8"), hashlib.sha256).digest()
    k_service = hmac.new(k_region, service.encode("utf-8"), hashlib.sha256).digest()
    return hmac.new(k_service, b"aws4_request", hashlib.sha256).digest()


def uri_encode(data):
    """RFC 3986 percent-encoding of bytes or str: unreserved characters kept, the rest %XX."""
    return quote(data, safe=UNRESERVED)


def remove_dot_segments(path):
    out = []
    for seg in path.split("/"):
        if seg == "..":
            if out:
                out.pop()
        elif seg not in (".", ""):
            out.append(seg)
    normalized = "/" + "/".join(out)
    if path.endswith("/") and normalized != "/":
        normalized += "/"
    return normalized


def canonical_uri(path, settings):
    if path == "":
        path = "/"
    if settings["normalize_path"]:
        path = remove_dot_segments(path)
    double = settings["uri_encoding"] == "double" and BREAK != "path-encode-once"
    segments = path.split("/")
    if double:
        # Each segment of the path as sent (already encoded once) is encoded again.
        return "/".join(uri_encode(s) for s in segments)
    # S3: the path is encoded once: decode what the client encoded, encode it once.
    return "/".join(uri_encode(unquote_to_bytes(s)) for s in segments)


def parse_query(query):
    """Splits a raw query into decoded (name, value) pairs, in arrival order. A '+' is a
    space, as in HTML forms (what urllib.parse.parse_qsl does)."""
    pairs = []
    if not query:
        return pairs
    for part in query.split("&"):
        if part == "":
            continue
        name, _, value = part.partition("=")
        pairs.append(
            (
                unquote_to_bytes(name.replace("+", " ")),
                unquote_to_bytes(value.replace("+", " ")),
            )
        )
    return pairs


def canonical_query(pairs):
    encoded = [(uri_encode(k), uri_encode(v)) for k, v in pairs]
    if BREAK != "unsorted-query":
        encoded.sort()
    return "&".join(k + "=" + v for k, v in encoded)


def canonical_headers(headers):
    """headers: [(name, value)]. Lowercase names, values trimmed with inner whitespace
    collapsed, repeated names joined with ','; sorted by name."""
    merged = {}
    order = []
    for name, value in headers:
        lname = name.lower()
        value = " ".join(value.split())
        if lname in merged:
            merged[lname] = merged[lname] + "," + value
        else:
            merged[lname] = value
            order.append(lname)
    names = sorted(order)
    text = "".join(n + ":" + merged[n] + "\n" for n in names)
    return text, ";".join(names)


def rewritten_content_type(value):
    """What an HTTP library that normalises Content-Type after signing sends instead."""
    media_type, sep, _ = value.partition(";")
    return media_type.strip() if sep else value + "; charset=utf-8"


def sign(msg):
    req = msg["request"]
    creds = msg["credentials"]
    s = msg["settings"]
    method = req["method"]
    target = req["target"]
    body = base64.b64decode(req["body_b64"])
    headers = [(h[0], h[1]) for h in req["headers"]]
    token = creds.get("session_token")
    location = s["location"]

    if token and s["session_token"] != "include":
        raise Unsupported("a session token added after signing is not implemented")
    if s.get("signed_headers") is not None:
        raise Unsupported("choosing the signed headers is not implemented")
    if "#" in target:
        target = target.split("#", 1)[0]
    if BREAK == "change-target":
        target = target + ("&" if "?" in target else "?") + "plain-added=1"
    path, _, query = target.partition("?")

    # Step 0: the time, from the message (never the clock).
    t = msg["time"]  # 2015-08-30T12:36:00Z
    amz_date = t[0:4] + t[5:7] + t[8:10] + "T" + t[11:13] + t[14:16] + t[17:19] + "Z"
    date_stamp = amz_date[:8]
    scope = date_stamp + "/" + msg["region"] + "/" + msg["service"] + "/aws4_request"

    payload = s["payload"]
    empty_body = BREAK == "empty-body-hash" or (
        BREAK == "empty-body-hash-without-sha256-header"
        and not (location == "header" and s["content_sha256_header"])
    )
    if payload["mode"] == "hash":
        payload_hash = sha256_hex(b"" if empty_body else body)
    elif payload["mode"] == "unsigned":
        payload_hash = "UNSIGNED-PAYLOAD"
    else:
        payload_hash = payload["value"]

    pairs = parse_query(query)
    added_headers = []
    if location == "header":
        added_headers.append(("X-Amz-Date", amz_date))
        if s["content_sha256_header"] or BREAK == "add-content-sha256":
            added_headers.append(("X-Amz-Content-Sha256", payload_hash))
        if token:
            added_headers.append(("X-Amz-Security-Token", token))
        to_sign = headers + added_headers
        header_text, signed_headers = canonical_headers(to_sign)
    else:
        expires = s["expires_in"]
        if not isinstance(expires, int) or expires < 1 or expires > 604800:
            raise Refused("X-Amz-Expires must be between 1 and 604800 seconds")
        header_text, signed_headers = canonical_headers(headers)
        added = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", creds["access_key_id"] + "/" + scope),
            ("X-Amz-Date", amz_date),
            ("X-Amz-Expires", str(expires)),
        ]
        if token:
            added.append(("X-Amz-Security-Token", token))
        added.append(("X-Amz-SignedHeaders", signed_headers))
        pairs = pairs + [(k.encode(), v.encode()) for k, v in added]

    # Step 1: the canonical request.
    canonical_request = (
        method + "\n"
        + canonical_uri(path, s) + "\n"
        + canonical_query(pairs) + "\n"
        + header_text + "\n"
        + signed_headers + "\n"
        + payload_hash
    )
    # Step 2: the string to sign.
    string_to_sign = (
        "AWS4-HMAC-SHA256\n"
        + amz_date + "\n"
        + scope + "\n"
        + sha256_hex(canonical_request.encode("utf-8"))
    )
    # Steps 3 and 4: the signing key and the signature.
    key = signing_key(creds["secret_access_key"], date_stamp, msg["region"], msg["service"])
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()

    # Step 5: add the signature to the request.
    if location == "header":
        authorization = (
            "AWS4-HMAC-SHA256 Credential=" + creds["access_key_id"] + "/" + scope
            + ", SignedHeaders=" + signed_headers
            + ", Signature=" + signature
        )
        signed = {
            "method": method,
            "target": target,
            "headers": [list(h) for h in headers + added_headers]
            + [["Authorization", authorization]],
        }
    else:
        extra = "&".join(
            uri_encode(k) + "=" + uri_encode(v) for k, v in added
        ) + "&X-Amz-Signature=" + signature
        sep = "&" if query else "?"
        base = target if not target.endswith("?") else target[:-1]
        signed = {"method": method, "target": base + sep + extra, "headers": [list(h) for h in headers]}
    if BREAK == "content-type-rewritten":
        signed["headers"] = [[n, rewritten_content_type(v) if n.lower() == "content-type" else v]
                             for n, v in signed["headers"]]
    out = {"status": "ok", "signed": signed}
    if REVEAL:
        out["canonical_request"] = canonical_request
        out["string_to_sign"] = string_to_sign
        out["signature"] = signature
    return out


HELLO = {"name": NAME, "version": VERSION, "language": "python",
         "reveals": ["canonical_request", "string_to_sign", "signature"] if REVEAL else []}


def answer(msg):
    """One parsed message -> its answer (for wrappers such as the harness's own tests)."""
    return sa.Adapter(HELLO, sign, (1,), ("sigv4",), ()).answer_message(msg)


def main():
    sa.run(HELLO, sign)


if __name__ == "__main__":
    main()
