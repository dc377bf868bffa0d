#!/usr/bin/env python3
"""Hand smoke test of the bundled adapters: starts each adapter with its adapter.json
command (sh -c, from the repository root), sends hello and AWS's get-vanilla case
(header and query location) and checks the signatures against AWS's suite files.

Usage: python3 harness/adapters/smoke.py [ADAPTER...]   (default: every folder with an adapter.json)
Needs `bash .ci/test` to have installed .venv, node_modules and curl. AWS's suite is found
with `cargo metadata` (the aws-sigv4 package) or at $SIGV4_SUITE_DIR.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
ADAPTERS = os.path.join(ROOT, "harness", "adapters")


def suite_dir():
    if os.environ.get("SIGV4_SUITE_DIR"):
        return os.environ["SIGV4_SUITE_DIR"]
    meta = json.loads(subprocess.run(["cargo", "metadata", "--format-version", "1", "--locked"],
                                     cwd=ROOT, capture_output=True, check=True).stdout)
    for p in meta["packages"]:
        if p["name"] == "aws-sigv4":
            return os.path.join(os.path.dirname(p["manifest_path"]), "aws-signing-test-suite", "v4")
    raise SystemExit("aws-sigv4 is not in cargo metadata")


def case(location):
    return {
        "protocol": 1, "op": "sign", "id": f"aws/get-vanilla/{location}",
        "request": {"method": "GET", "target": "/", "headers": [["Host", "example.amazonaws.com"]], "body_b64": ""},
        "credentials": {"access_key_id": "AKIDEXAMPLE",
                        "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session_token": None},
        "time": "2015-08-30T12:36:00Z", "region": "us-east-1", "service": "service",
        "settings": {"location": location, "expires_in": 3600 if location == "query" else None,
                     "uri_encoding": "double", "normalize_path": True, "payload": {"mode": "hash"},
                     "content_sha256_header": False, "session_token": "include", "signed_headers": None},
    }


def run(name, suite):
    spec = json.load(open(os.path.join(ADAPTERS, name, "adapter.json")))
    lines = [{"protocol": 1, "op": "hello", "id": "hello"}, case("header"), case("query")]
    stdin = "".join(json.dumps(m) + "\n" for m in lines)
    p = subprocess.run(["sh", "-c", spec["command"]], cwd=ROOT, input=stdin.encode(),
                       capture_output=True, timeout=300)
    out = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    ok = p.returncode == 0 and len(out) == 3
    if not ok:
        print(f"{name}: exit {p.returncode}, {len(out)} answers\n{p.stderr.decode()[-2000:]}")
        return False
    hello = out[0]
    print(f"{name}: hello -> {hello.get('name')} {hello.get('version')} ({hello.get('language')}), reveals {hello.get('reveals')}")
    for ans, loc in zip(out[1:], ("header", "query")):
        want = open(os.path.join(suite, "get-vanilla", f"{loc}-signature.txt")).read().strip()
        if ans["status"] == "ok":
            got = ans.get("signature")
            if got is None:  # the adapter does not reveal it: read it from the signed request
                text = json.dumps(ans["signed"])
                got = want if want in text else "(not in signed request)"
            good = got == want
            print(f"  {loc}: {'PASS' if good else 'FAIL'} signature {got}")
            if not good:
                print("   ", json.dumps(ans)[:2000])
            ok &= good
        else:
            print(f"  {loc}: {ans['status']}: {ans.get('reason') or ans.get('message')}")
            ok &= ans["status"] == "unsupported"  # reported, not a failure (reqsign, curl)
    return ok


def main():
    names = sys.argv[1:] or sorted(d for d in os.listdir(ADAPTERS)
                                   if os.path.exists(os.path.join(ADAPTERS, d, "adapter.json")))
    suite = suite_dir()
    bad = [n for n in names if not run(n, suite)]
    print("all passed" if not bad else f"FAILED: {', '.join(bad)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
