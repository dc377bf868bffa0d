#!/usr/bin/env bash
# Regenerates the seed corpus of the `canonical` target from the suite's request files:
# AWS's suite (inside the aws-sigv4 package) and our own vectors/cases/*/request.txt, if any.
# Usage: fuzz/seed-corpus.sh [OUT_DIR]   (default fuzz/corpus/canonical)
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-corpus/canonical}"
cargo fetch -q
suite="${SIGV4_SUITE_DIR:-}"
if [ -z "$suite" ]; then
    pkg=$(cargo metadata --format-version 1 2>/dev/null \
        | grep -o '"manifest_path":"[^"]*/aws-sigv4-[0-9.]*/Cargo.toml"' | head -1 \
        | sed 's/"manifest_path":"//; s#/Cargo.toml"##')
    suite="$pkg/aws-signing-test-suite/v4"
fi
shopt -s nullglob
files=("$suite"/*/request.txt ../vectors/cases/*/request.txt)
[ ${#files[@]} -gt 0 ] || { echo "no request.txt found (suite: $suite)" >&2; exit 1; }
cargo run -q --example seed_corpus -- "$out" "${files[@]}"
