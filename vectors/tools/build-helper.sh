#!/usr/bin/env bash
# Builds the aws-sigv4 side of the cross-check in a scratch project outside the repository
# (default /tmp/xcheck), so the workspace never depends on it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-/tmp/xcheck}"
mkdir -p "$dir/src"
repo="$(cd "$here/../.." && pwd)"
sed "s|@REPO@|$repo|" "$here/helper-Cargo.toml.in" > "$dir/Cargo.toml"
cp "$here/aws_sigv4_helper.rs" "$dir/src/main.rs"
cd "$dir"
cargo build --release --quiet || cargo build --release --offline --quiet
echo "$dir/target/release/xcheck"
