#!/usr/bin/env python3
"""sigv4 harness adapter (protocols 1 and 2) for awscrt, the Python bindings of aws-c-auth
(the AWS Common Runtime signer under the newer AWS SDKs).

Signs with awscrt.auth.aws_sign_request(HttpRequest, AwsSigningConfig(...)): SigV4
(AwsSigningAlgorithm.V4) and SigV4a (V4_ASYMMETRIC), header and query. The time is the
config's `date` argument (the case's time; awscrt reads the clock only when `date` is None).
aws-c-auth exposes no canonical request or string to sign through the Python bindings, so the
adapter reveals the signature only.
"""

import io
import os
import re
import sys

import awscrt
import awscrt.auth as auth
import awscrt.http as http

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import sigv4_adapter as sa  # noqa: E402  (the shared protocol loop)


def version():
    try:
        from importlib.metadata import version as v
        return v("awscrt")
    except Exception:  # pragma: no cover
        return getattr(awscrt, "__version__", "unknown")


def sign(msg):
    req = msg["request"]
    settings = msg["settings"]
    creds = msg["credentials"]
    alg = sa.algorithm(msg)
    location = settings["location"]
    if location == "header":
        sig_type = auth.AwsSignatureType.HTTP_REQUEST_HEADERS
        expires = None
    elif location == "query":
        sig_type = auth.AwsSignatureType.HTTP_REQUEST_QUERY_PARAMS
        expires = settings.get("expires_in")
        if expires is None:
            expires = 3600
        if not isinstance(expires, int) or isinstance(expires, bool) or expires < 1:
            # AwsSigningConfig asserts expiration_in_seconds > 0 (None means "no X-Amz-Expires").
            raise sa.Refused(f"awscrt takes expiration_in_seconds > 0, not {expires!r}")
    else:
        raise ValueError(f"unknown location {location!r}")

    payload = settings["payload"]
    mode = payload["mode"]
    if mode == "hash":
        body_value = None  # aws-c-auth hashes the body stream
    elif mode == "unsigned":
        body_value = auth.AwsSignedBodyValue.UNSIGNED_PAYLOAD
    elif mode == "precomputed":
        body_value = payload["value"]
        if not isinstance(body_value, str) or body_value == "":
            raise sa.Refused("awscrt takes a non-empty signed_body_value")
    else:
        raise ValueError(f"unknown payload mode {mode!r}")
    body_header = (auth.AwsSignedBodyHeaderType.X_AMZ_CONTENT_SHA_256
                   if settings.get("content_sha256_header") else auth.AwsSignedBodyHeaderType.NONE)

    token = creds.get("session_token") or None
    token_mode = settings.get("session_token", "include")
    if token_mode not in ("include", "after-signing"):
        raise ValueError(f"unknown session_token mode {token_mode!r}")

    wanted = settings.get("signed_headers")
    should_sign = None
    if wanted is not None:
        allowed = {n.lower() for n in wanted} | {"host"}

        def should_sign(name, **_kwargs):
            # Headers aws-c-auth adds itself (x-amz-date, x-amz-security-token, ...) are
            # signed whatever this returns.
            return name.lower() in allowed

    body = sa.body_of(msg)
    crt_headers = http.HttpHeaders([(n, v) for n, v in req["headers"]])
    crt_req = http.HttpRequest(method=req["method"], path=req["target"], headers=crt_headers,
                               body_stream=io.BytesIO(body))
    provider = auth.AwsCredentialsProvider.new_static(creds["access_key_id"], creds["secret_access_key"], token)
    config = auth.AwsSigningConfig(
        algorithm=auth.AwsSigningAlgorithm.V4_ASYMMETRIC if alg == "sigv4a" else auth.AwsSigningAlgorithm.V4,
        signature_type=sig_type,
        credentials_provider=provider,
        region=msg["region"],
        service=msg["service"],
        date=sa.parse_time(msg["time"]),
        should_sign_header=should_sign,
        use_double_uri_encode=settings["uri_encoding"] == "double",
        should_normalize_uri_path=bool(settings["normalize_path"]),
        signed_body_value=body_value,
        signed_body_header_type=body_header,
        expiration_in_seconds=expires,
        omit_session_token=token_mode == "after-signing",
    )
    auth.aws_sign_request(crt_req, config).result(timeout=10)

    headers = [[n, v] for n, v in crt_req.headers]
    out = {"signed": {"method": crt_req.method, "target": crt_req.path, "headers": headers,
                      "body_b64": sa.b64(body)}}
    if location == "header":
        m = re.search(r"Signature=([0-9a-f]+)", sa.header(headers, "authorization") or "")
    else:
        m = re.search(r"[?&]X-Amz-Signature=([0-9a-f]+)", crt_req.path)
    if m:
        out["signature"] = m.group(1)
    return out


def main():
    sa.run({"name": "awscrt", "version": version(), "language": "python", "reveals": ["signature"]},
           sign, protocols=(1, 2), algorithms=("sigv4", "sigv4a"))


if __name__ == "__main__":
    main()
