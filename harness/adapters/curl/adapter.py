#!/usr/bin/env python3
"""sigv4 harness adapter (protocol 1, harness/PROTOCOL.md) for curl's --aws-sigv4.

curl only sends requests, so for each case this program listens on 127.0.0.1 (a fresh
port), runs `curl --aws-sigv4 aws:amz:REGION:SERVICE --user AK:SECRET` against it with the
case's method, target, headers and body, captures the raw request curl sends, answers
`HTTP/1.1 200 OK` with an empty body, and returns the captured request as `signed`.

curl signs with the clock, so curl runs under libfaketime (`faketime -f "YYYY-MM-DD hh:mm:ss"`,
TZ=UTC, the clock frozen at the case's time; the monotonic clock left real so that curl's
timeouts work). Standard library only.
"""

import base64
import datetime
import os
import re
import shutil
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import sigv4_adapter as sa  # noqa: E402  (the shared protocol loop)
from sigv4_adapter import Refused, Unsupported  # noqa: E402,F401

CURL_TIMEOUT = 5  # seconds for one curl run (connect + send + answer)


def curl_version():
    out = subprocess.run(["curl", "--version"], capture_output=True, text=True, timeout=5).stdout
    return out.split()[1] if out else "unknown"


def parse_time(text):
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise ValueError(f"time {text!r} has no UTC offset")
    t = t.astimezone(datetime.timezone.utc)
    if t.microsecond:
        raise Unsupported("curl signs whole seconds")
    return t


def path_needs_normalising(path):
    segs = path.split("/")[1:]
    return any(s in (".", "..") for s in segs) or "//" in path


def read_request(conn):
    """Reads one HTTP/1.1 request (head + Content-Length body) from conn; returns the bytes."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    want = int(m.group(1)) if m else 0
    while len(body) < want:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def capture(args, body, env):
    """Runs curl with args (the URL holds PORT) against a one-shot listener; returns raw bytes."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(CURL_TIMEOUT)
    port = srv.getsockname()[1]
    args = [a.replace("{PORT}", str(port)) for a in args]
    got = {}

    def serve():
        try:
            conn, _ = srv.accept()
            conn.settimeout(CURL_TIMEOUT)
            with conn:
                got["raw"] = read_request(conn)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        except OSError as e:
            got["error"] = str(e)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        p = subprocess.run(args, input=body, capture_output=True, env=env, timeout=CURL_TIMEOUT + 2)
    finally:
        t.join(CURL_TIMEOUT + 1)
        srv.close()
    if "raw" not in got:
        err = p.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"curl sent nothing (exit {p.returncode}): {err or got.get('error')}")
    return got["raw"]


def parse_raw(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", errors="surrogateescape").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append([name, value.strip(" \t")])
    return method, target, headers, body


def sign(case):
    req = case["request"]
    settings = case["settings"]
    creds = case["credentials"]
    if settings["location"] != "header":
        raise Unsupported("curl cannot presign (it signs with an Authorization header only)")
    if not shutil.which("faketime"):
        raise RuntimeError("faketime is not installed (run `bash .ci/test`)")
    when = parse_time(case["time"])
    target = req["target"]
    path = target.split("?", 1)[0]
    if settings["uri_encoding"] == "double" and "%" in path:
        raise Unsupported("curl signs the path as sent (no switch to encode it again)")
    args = ["curl", "--silent", "--show-error", "--max-time", str(CURL_TIMEOUT)]
    if settings["normalize_path"]:
        if path_needs_normalising(path):
            raise Unsupported("curl cannot sign a normalised path while sending the path as given "
                              "(without --path-as-is it rewrites the path it sends)")
    args.append("--path-as-is")
    token = creds.get("session_token")
    if token and settings.get("session_token", "include") != "include":
        raise Unsupported("curl has no session-token mode: the token is a header it signs like any other")
    body = base64.b64decode(req.get("body_b64") or "", validate=True)
    headers = [(n, v) for n, v in req["headers"]]
    names = {n.lower() for n, _ in headers}
    payload = settings["payload"]
    mode = payload["mode"]
    extra = []
    # curl hashes the body itself; a caller-set x-amz-content-sha256 header is signed and
    # used as the payload hash.
    if settings.get("content_sha256_header"):
        import hashlib
        value = {"hash": lambda: hashlib.sha256(body).hexdigest(),
                 "unsigned": lambda: "UNSIGNED-PAYLOAD",
                 "precomputed": lambda: payload["value"]}[mode]()
        extra.append(("x-amz-content-sha256", value))
    elif mode != "hash":
        raise Unsupported("curl takes a payload hash other than the body's only from an x-amz-content-sha256 header it signs")
    if token:
        extra.append(("x-amz-security-token", token))
    creds_arg = f"{creds['access_key_id']}:{creds['secret_access_key']}"
    args += ["--aws-sigv4", f"aws:amz:{case['region']}:{case['service']}", "--user", creds_arg]
    method = req["method"]
    args += ["--request", method]
    for n, v in headers + extra:
        if any(c in n + v for c in "\r\n\0"):
            raise ValueError(f"header {n!r}: curl cannot send CR, LF or NUL in a header")
        args += ["--header", f"{n};" if v == "" else f"{n}: {v}"]
    # curl adds User-Agent and Accept (unsigned) when the case has none; they are left on the
    # wire: removing them with `--header "User-Agent:"` makes curl 7.88 sign them as empty.
    if body:
        args += ["--data-binary", "@-"]
        if "content-type" not in names:
            # curl's default form type is not the case's; curl 7.88 then signs an empty
            # content-type that it does not send (a finding, see README.md).
            args += ["--header", "Content-Type:"]
    if not target.startswith("/"):
        raise ValueError(f"target {target!r} does not start with /")
    args.append("http://127.0.0.1:{PORT}" + target)
    env = dict(os.environ, TZ="UTC", DONT_FAKE_MONOTONIC="1")
    raw = capture(["faketime", "-f", when.strftime("%Y-%m-%d %H:%M:%S")] + args, body, env)
    s_method, s_target, s_headers, s_body = parse_raw(raw)
    auth = next((v for n, v in s_headers if n.lower() == "authorization"), None)
    if auth is None:
        raise RuntimeError("curl sent no Authorization header")
    check_signed_headers(settings.get("signed_headers"), headers, auth)
    out = {"status": "ok",
           "signed": {"method": s_method, "target": s_target, "headers": s_headers,
                      "body_b64": base64.b64encode(s_body).decode()}}
    m = re.search(r"Signature=([0-9a-f]{64})", auth)
    if m:
        out["signature"] = m.group(1)
    return out


def check_signed_headers(wanted, original, auth):
    """curl has no switch for the signed-header set (it signs every header given with -H)."""
    if wanted is None:
        return
    m = re.search(r"SignedHeaders=([^,]*)", auth)
    present = {n.lower() for n, _ in original}
    chosen = {n for n in (m.group(1) if m else "").split(";") if n} - {"host"}
    chosen = {n for n in chosen if n in present or not n.startswith("x-amz-")}
    want = {n.lower() for n in wanted} - {"host"}
    if chosen != want:
        raise Unsupported(f"curl signs {sorted(chosen)} of this request and has no switch to sign {sorted(want)}")


def main():
    sa.run({"name": "curl", "version": curl_version(), "language": "c", "reveals": ["signature"]}, sign)


if __name__ == "__main__":
    main()
