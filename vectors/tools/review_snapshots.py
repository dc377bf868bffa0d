#!/usr/bin/env python3
"""Reviews the insta snapshots of our cases (vectors/tests/snapshots/<case>.snap, or the pending
<case>.snap.new that a changed or new case leaves) against the oracles, before they are accepted.

A snapshot holds this project's signer's output at both locations, also at a location the case
has no expected files for (a header-only case is presigned too). For each location this script
signs the case with the aws-sigv4 crate (the xcheck helper) and with awscrt, and checks that the
snapshot's canonical request, string to sign, signature and signed request are theirs. It writes
nothing; exit 1 when a snapshot differs from an oracle.

Usage: review_snapshots.py [--helper PATH] [CASE...]    (default: every case of cases.py)
"""

import argparse
import os
import sys
from urllib.parse import parse_qsl

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cases as case_defs  # noqa: E402
import xcheck  # noqa: E402

SNAPSHOTS = os.path.normpath(os.path.join(HERE, "..", "tests", "snapshots"))


def sections(snap):
    """{location: {part: text}} of a snapshot file (insta's header dropped)."""
    body = snap.split("\n---\n", 1)[1]
    out = {}
    for block in body.split("===== ")[1:]:
        loc, _, rest = block.partition("\n")
        parts = {}
        if rest.startswith("error "):
            parts["error"] = rest.strip()
        else:
            for chunk in rest.split("--- ")[1:]:
                name, _, text = chunk.partition("\n")
                parts[name] = text[:-1] if text.endswith("\n") else text
        out[loc] = parts
    return out


def normal_request(raw):
    """Request line with sorted query, sorted header lines, body: the comparison form."""
    head, _, body = raw.partition("\n\n")
    lines = head.split("\n")
    method, target, version = lines[0].split(" ")
    path, _, query = target.partition("?")
    params = sorted(parse_qsl(query, keep_blank_values=True))
    # insta trims the snapshot's trailing newlines, so a body's final newline is not compared
    # here (the case's own test compares the signed request byte for byte where it has files).
    return method, path, params, sorted(lines[1:]), body.rstrip("\n")


def review(case, helper):
    name = case["name"]
    path = os.path.join(SNAPSHOTS, name + ".snap.new")
    if not os.path.exists(path):
        path = os.path.join(SNAPSHOTS, name + ".snap")
    if not os.path.exists(path):
        return [f"no snapshot ({name}.snap or .snap.new)"]
    snap = sections(open(path, encoding="utf-8").read())
    problems = []
    locations = ["header", "query"]
    errors = case.get("errors") or {}
    results = xcheck.run_sigv4(helper, [xcheck.sigv4_jobs(case, loc) for loc in locations])
    for loc, res in zip(locations, results):
        got = snap.get(loc)
        if got is None:
            problems.append(f"{loc}: missing in the snapshot")
            continue
        if loc in errors:
            if got.get("error", "").split(":")[0] != f"error {errors[loc]}":
                problems.append(f"{loc}: expected error {errors[loc]}, snapshot has {got}")
            continue
        sig = xcheck.finish_sigv4(case, loc, res)
        crt = xcheck.crt_sign(case, loc)
        if case.get("crt_decision_why"):
            # a recorded disagreement (cases.py, ../cases/README.md): awscrt is not the oracle here
            crt = dict(unsupported=case["crt_decision_why"])
        want = normal_request(xcheck.signed_request(case, loc, sig).decode())
        for key, part in (("canonical_request", "canonical request"), ("string_to_sign", "string to sign"),
                          ("signature", "signature")):
            if got.get(part) != sig[key]:
                problems.append(f"{loc}: {part} differs from aws-sigv4's:\n{got.get(part)}\n!=\n{sig[key]}")
            if "unsupported" not in crt and crt.get(key) != got.get(part):
                problems.append(f"{loc}: {part} differs from awscrt's:\n{got.get(part)}\n!=\n{crt.get(key)}")
        if normal_request(got.get("signed request", "")) != want:
            problems.append(f"{loc}: signed request differs from the one aws-sigv4's values give")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--helper", default=os.environ.get("XCHECK_HELPER", xcheck.DEFAULT_HELPER))
    ap.add_argument("cases", nargs="*")
    args = ap.parse_args()
    bad = 0
    for case in case_defs.CASES:
        if args.cases and case["name"] not in args.cases:
            continue
        problems = review(case, args.helper)
        who = "aws-sigv4" if case.get("crt_decision_why") else "aws-sigv4 and awscrt"
        print(f"{case['name']}: " + (f"agrees with {who} at both locations" if not problems else "DIFFERS"))
        for p in problems:
            print("  " + p.replace("\n", "\n    "))
        bad += bool(problems)
    print(f"{bad} snapshot(s) differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
