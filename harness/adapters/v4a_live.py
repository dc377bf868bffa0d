#!/usr/bin/env python3
"""SigV4a check of bundled adapters against this project's verifier, for adapters that speak
protocol 2 (until `sigv4 check` runs AWS's v4a suite through them).

Run it under `sigv4 live`, which starts a fresh mock-aws (it re-verifies every signature,
SigV4a included, with the ECDSA key derived from the credentials) and sets AWS_ENDPOINT_URL:

    cargo run -q -p sigv4-harness -- live -- python3 harness/adapters/v4a_live.py awscrt signature-v4a ...

For each adapter (started with its adapter.json command from the repository root):
1. AWS's v4a suite case `get-vanilla` (header and query) is signed at the suite's time; where the
   adapter reveals them, its canonical request and string to sign are compared byte for byte with
   the suite's files (the ECDSA signature itself is randomised, so it is not compared).
2. An STS GetCallerIdentity GET to mock-aws is signed with SigV4a (region set `us-east-1`) at the
   current time, header and query, and sent; mock-aws's verdict decides (`sigv4 live` prints it
   and exits 1 on any rejected signature). An adapter's `unsupported` answer is reported and skipped.
Exit status 1 when a comparison in step 1 differs or a request in step 2 is rejected.
Standard library only. AWS's suite is found with `cargo metadata` or at $SIGV4_SUITE_DIR (its v4 folder).
"""
import datetime
import http.client
import json
import os
import subprocess
import sys
import urllib.parse

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
AK = "AKIDEXAMPLE"
# V4A_LIVE_SECRET: sign with another secret, to see mock-aws reject the signatures (a negative control).
SK = os.environ.get("V4A_LIVE_SECRET", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")


def suite_v4a():
    if os.environ.get("SIGV4_SUITE_DIR"):
        return os.path.join(os.path.dirname(os.environ["SIGV4_SUITE_DIR"].rstrip("/")), "v4a")
    meta = json.loads(subprocess.run(["cargo", "metadata", "--format-version", "1", "--locked"],
                                     cwd=ROOT, capture_output=True, check=True).stdout)
    for p in meta["packages"]:
        if p["name"] == "aws-sigv4":
            return os.path.join(os.path.dirname(p["manifest_path"]), "aws-signing-test-suite", "v4a")
    raise SystemExit("aws-sigv4 is not in cargo metadata")


class Adapter:
    def __init__(self, name):
        spec = json.load(open(os.path.join(ROOT, "harness", "adapters", name, "adapter.json")))
        self.proc = subprocess.Popen(["sh", "-c", spec["command"]], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.hello = self.ask({"protocol": 1, "op": "hello", "id": "hello"})

    def ask(self, msg):
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the adapter exited")
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def message(mid, location, target, headers, time, service, region):
    return {"protocol": 2, "op": "sign", "id": mid,
            "request": {"method": "GET", "target": target, "headers": headers, "body_b64": ""},
            "credentials": {"access_key_id": AK, "secret_access_key": SK, "session_token": None},
            "time": time, "region": region, "service": service,
            "settings": {"algorithm": "sigv4a", "location": location,
                         "expires_in": 3600 if location == "query" else None,
                         "uri_encoding": "double", "normalize_path": True, "payload": {"mode": "hash"},
                         "content_sha256_header": False, "session_token": "include", "signed_headers": None}}


def main(names):
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        raise SystemExit("AWS_ENDPOINT_URL is not set: run this under `sigv4 live -- ...`")
    ep = urllib.parse.urlsplit(endpoint)
    vanilla = os.path.join(suite_v4a(), "get-vanilla")
    bad = 0
    for name in names:
        a = Adapter(name)
        h = a.hello
        if 2 not in h.get("protocols", []) or "sigv4a" not in h.get("algorithms", []):
            print(f"{name}: does not sign SigV4a (hello: {h})")
            bad += 1
            a.close()
            continue
        print(f"{name} {h.get('version')}:")
        for loc in ("header", "query"):
            ans = a.ask(message(f"aws-v4a/get-vanilla/{loc}", loc, "/", [["Host", "example.amazonaws.com"]],
                                "2015-08-30T12:36:00Z", "service", "us-east-1"))
            if ans["status"] != "ok":
                print(f"  suite get-vanilla/{loc}: {ans['status']}: {ans.get('reason') or ans.get('message')}")
                continue
            for field, fname in (("canonical_request", "canonical-request"), ("string_to_sign", "string-to-sign")):
                if field in ans:
                    want = open(os.path.join(vanilla, f"{loc}-{fname}.txt")).read()
                    same = ans[field] == want
                    bad += not same
                    print(f"  suite get-vanilla/{loc}: {fname} {'matches' if same else 'DIFFERS'}")
            now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            target = "/?Action=GetCallerIdentity&Version=2011-06-15"
            ans = a.ask(message(f"live/{loc}", loc, target, [["Host", ep.netloc]], now, "sts", "us-east-1"))
            if ans["status"] != "ok":
                print(f"  live {loc}: {ans['status']}: {ans.get('reason') or ans.get('message')}")
                continue
            signed = ans["signed"]
            conn = http.client.HTTPConnection(ep.hostname, ep.port, timeout=10)
            conn.putrequest(signed["method"], signed["target"], skip_host=True, skip_accept_encoding=True)
            for n, v in signed["headers"]:
                conn.putheader(n, v)
            conn.endheaders()
            resp = conn.getresponse()
            body = resp.read().decode(errors="replace")
            conn.close()
            ok = resp.status == 200
            bad += not ok
            print(f"  live {loc}: HTTP {resp.status}" + ("" if ok else f": {body[:300]}"))
        a.close()
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    sys.exit(main(sys.argv[1:]))
