#!/usr/bin/env python3
"""sigv4 harness adapter (protocols 1 and 2) for botocore's CRT signers (botocore.crt.auth):
CrtSigV4Auth / CrtS3SigV4Auth / CrtSigV4QueryAuth / CrtS3SigV4QueryAuth for SigV4 and
CrtSigV4AsymAuth / CrtS3SigV4AsymAuth / CrtSigV4AsymQueryAuth / CrtS3SigV4AsymQueryAuth for
SigV4a. botocore uses these classes when awscrt is installed (SigV4a has no other signer in
botocore). They hand the request to awscrt.auth.aws_sign_request.

The request mapping and the settings rules are the botocore adapter's (../botocore/adapter.py,
imported), with these classes in place of botocore.auth's. The time: the CRT classes read
`get_current_datetime(remove_tzinfo=False)` as imported into botocore.crt.auth; that name is
replaced for the call. The CRT exposes no canonical request or string to sign, so the adapter
reveals the signature only (parsed from the signed request).
"""

import importlib.util
import os
import re
import sys

import awscrt  # noqa: F401  (botocore.crt.auth needs it; fail early with a clear ImportError)
import botocore
import botocore.auth  # noqa: F401  (first: botocore.auth and botocore.crt.auth import each other)
import botocore.crt.auth as crt_auth

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
import sigv4_adapter as sa  # noqa: E402  (the shared protocol loop)

_spec = importlib.util.spec_from_file_location("botocore_adapter", os.path.join(HERE, "..", "botocore", "adapter.py"))
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)

SIGV4 = {
    ("header", False): crt_auth.CrtSigV4Auth, ("header", True): crt_auth.CrtS3SigV4Auth,
    ("query", False): crt_auth.CrtSigV4QueryAuth, ("query", True): crt_auth.CrtS3SigV4QueryAuth,
}
SIGV4A = {
    ("header", False): crt_auth.CrtSigV4AsymAuth, ("header", True): crt_auth.CrtS3SigV4AsymAuth,
    ("query", False): crt_auth.CrtSigV4AsymQueryAuth, ("query", True): crt_auth.CrtS3SigV4AsymQueryAuth,
}


def patch_clock(fixed):
    """Replaces get_current_datetime in botocore.crt.auth (what the CRT classes call, with
    remove_tzinfo=False) with the case's time; returns the function that undoes it."""
    saved = crt_auth.get_current_datetime

    def fixed_now(remove_tzinfo=True):
        return fixed.replace(tzinfo=None) if remove_tzinfo else fixed

    crt_auth.get_current_datetime = fixed_now
    return lambda: setattr(crt_auth, "get_current_datetime", saved)


def sign(msg):
    classes = SIGV4A if sa.algorithm(msg) == "sigv4a" else SIGV4
    out = base.sign(msg, classes=classes, patch_clock=patch_clock)
    signed = out["signed"]
    if msg["settings"]["location"] == "header":
        m = re.search(r"Signature=([0-9a-f]+)", sa.header(signed["headers"], "authorization") or "")
    else:
        m = re.search(r"[?&]X-Amz-Signature=([0-9a-f]+)", signed["target"])
    if m:
        out["signature"] = m.group(1)
    return out


def main():
    sa.run({"name": "botocore-crt", "version": f"{botocore.__version__} (awscrt {base_version()})",
            "language": "python", "reveals": ["signature"]},
           sign, protocols=(1, 2), algorithms=("sigv4", "sigv4a"))


def base_version():
    from importlib.metadata import version
    return version("awscrt")


if __name__ == "__main__":
    main()
