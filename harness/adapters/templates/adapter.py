#!/usr/bin/env python3
"""A template adapter for the sigv4 harness (harness/PROTOCOL.md), Python 3 standard library
only. The protocol loop is done: copy this file, fill in `sign`, and run
`sigv4 check --adapter 'python3 path/to/adapter.py'`.

`sign(msg)` gets the whole `sign` message (a dict: request, credentials, time, region,
service, settings) and returns one of:
  {"status": "ok", "signed": {"method": ..., "target": ..., "headers": [[name, value], ...]},
   "canonical_request": ..., "string_to_sign": ..., "signature": ...}   (the last three optional)
  {"status": "unsupported", "reason": "..."}   a setting your library cannot express
  {"status": "error", "message": "..."}        your library refused the input
Sign at msg["time"], never the clock. raise Unsupported("why") is a shortcut for the second.
"""

import json
import sys

NAME = "my-signer"         # the implementation's name
VERSION = "0.0.0"          # its version (pin it)
LANGUAGE = "python"
REVEALS = []               # e.g. ["canonical_request", "string_to_sign", "signature"]
# Protocol 2 (SigV4a, aws-chunked): list 2 here and what you sign; leave as is for protocol 1.
PROTOCOLS = [1]
ALGORITHMS = ["sigv4"]     # add "sigv4a" if your library signs AWS4-ECDSA-P256-SHA256
FEATURES = []              # add "chunked" if it returns chunk signatures


class Unsupported(Exception):
    pass


def sign(msg):
    """Fill in: sign msg["request"] with your library under msg["settings"]."""
    raise Unsupported("this adapter is a template: fill in sign()")


def answer(msg):
    mid = msg.get("id") if isinstance(msg, dict) else None
    proto = msg.get("protocol") if isinstance(msg, dict) else None
    if proto not in PROTOCOLS:
        return {"protocol": 1, "id": mid, "status": "error",
                "message": "protocol %s not supported" % (proto,)}
    op = msg.get("op")
    if op == "hello":
        out = {"status": "ok", "name": NAME, "version": VERSION, "language": LANGUAGE,
               "reveals": REVEALS}
        if 2 in PROTOCOLS:
            out.update(protocols=PROTOCOLS, algorithms=ALGORITHMS, features=FEATURES)
    elif op == "sign":
        algorithm = msg.get("settings", {}).get("algorithm", "sigv4")
        try:
            if algorithm not in ALGORITHMS:
                raise Unsupported("%s is not implemented" % algorithm)
            out = sign(msg)
        except Unsupported as e:
            out = {"status": "unsupported", "reason": str(e)}
        except Exception as e:  # the library's own errors: report them, never crash
            out = {"status": "error", "message": "%s: %s" % (type(e).__name__, e)}
    else:
        out = {"status": "error", "message": "unknown op %r" % (op,)}
    out["protocol"] = proto
    out["id"] = mid
    return out


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            msg = json.loads(line)
        except ValueError as e:
            out = {"protocol": 1, "id": None, "status": "error", "message": "not JSON: %s" % e}
        else:
            out = answer(msg)
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
