#!/usr/bin/env bash
# cargo-fuzz, pinned (crates.io): fuzz/run-all.sh and the ClusterFuzzLite build test
# (fuzz/tests/clusterfuzzlite.sh, run by .ci/test) build the fuzz targets with it; zip and
# unzip (Debian) pack and check the seed corpora. Skipped when the pinned version is in place.
# Cost: about 90 s of compiling on 2 cores once (sccache warm; a few minutes cold), then < 1 s.
set -euo pipefail
version=0.13.2
if ! cargo fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $version"; then
  cargo install cargo-fuzz --version "=$version" --locked
fi
if ! command -v zip >/dev/null || ! command -v unzip >/dev/null; then
  apt-get update -qq && apt-get install -y -qq zip unzip
fi
