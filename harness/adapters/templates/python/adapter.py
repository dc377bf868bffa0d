#!/usr/bin/env python3
"""A sigv4 harness adapter for MY-LIBRARY (copy of harness/adapters/templates/python).

The protocol (harness/PROTOCOL.md) is done by the shared loop ../python/sigv4_adapter.py:
it reads the harness's JSON lines, answers `hello`, echoes ids, turns exceptions into answers.
Fill in `sign` below; nothing else needs to change.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# harness/adapters/<name>/ -> ../python; harness/adapters/templates/python/ -> ../../python
for d in (os.path.join(HERE, "..", "python"), os.path.join(HERE, "..", "..", "python")):
    if os.path.isfile(os.path.join(d, "sigv4_adapter.py")):
        sys.path.insert(0, d)
        break
import sigv4_adapter as sa  # noqa: E402
from sigv4_adapter import Unsupported  # noqa: E402

NAME = "my-library"   # the folder's name (sigv4 check --adapter-name NAME)
VERSION = "0.0.0"     # the wrapped library's version, e.g. importlib.metadata.version("...")


def sign(msg):
    """One `sign` message -> the answer's fields. The message (harness/PROTOCOL.md):

    msg["request"]      {"method", "target" (path and raw query, as on the wire: hand it to the
                        library as is), "headers" [[name, value], ...], "body_b64"}
    msg["credentials"]  {"access_key_id", "secret_access_key", "session_token" (or None)}
    msg["time"]         RFC 3339 UTC: sign at this time, never the clock (sa.parse_time(...);
                        if the library reads the clock, patch it where it reads it, e.g.
                        `with sa.patched(lib_module, "datetime", sa.frozen_datetime_module(t)):`)
    msg["region"], msg["service"]
    msg["settings"]     {"location": "header"|"query", "expires_in", "uri_encoding":
                        "double"|"single", "normalize_path", "payload": {"mode": "hash"|
                        "unsigned"|"precomputed", "value"}, "content_sha256_header",
                        "session_token": "include"|"after-signing", "signed_headers": None|[...]}

    Raise Unsupported("why") for any setting the library has no switch for (never approximate
    it); any other exception becomes an `error` answer (the library refused the input).
    Return {"signed": {"method", "target", "headers": [[n, v], ...], "body_b64"}} plus
    "canonical_request" / "string_to_sign" / "signature" where the library exposes them (list
    those in REVEALS).
    """
    settings = msg["settings"]
    if settings["location"] == "query":
        raise Unsupported("presigning is not written yet")
    body = sa.body_of(msg)          # bytes
    when = sa.parse_time(msg["time"])  # aware UTC datetime
    del body, when
    # signed = my_library.sign(...)
    # return {"signed": {"method": ..., "target": ..., "headers": [...], "body_b64": sa.b64(body)}}
    raise Unsupported("this adapter is the template: fill in sign()")


REVEALS = []  # e.g. ["canonical_request", "string_to_sign", "signature"]

if __name__ == "__main__":
    # For SigV4a too: sa.run(..., protocols=(1, 2), algorithms=("sigv4", "sigv4a")) and read
    # sa.algorithm(msg) ("sigv4" or "sigv4a"; for sigv4a msg["region"] is the region set).
    sa.run({"name": NAME, "version": VERSION, "language": "python", "reveals": REVEALS}, sign)
