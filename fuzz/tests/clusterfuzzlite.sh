#!/usr/bin/env bash
# Runs .clusterfuzzlite/build.sh as ClusterFuzzLite / OSS-Fuzz would, on this machine: $SRC
# holding the checkout as sigv4/, a temporary $OUT, the engine's compiler variables, and
# SANITIZER=none (stable Rust has no ASan; fuzz/README.md), FUZZING_ENGINE=libfuzzer. Then checks
# that every fuzz/fuzz_targets/*.rs gave an executable in $OUT that runs its unpacked seed
# corpus and then 10 generated inputs, with its seed corpus zip, dictionary and options file beside it.
# Bounded: one release build of the fuzz workspace (a few minutes cold, seconds warm), then at
# most 120 s per target. Called by .ci/test.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "clusterfuzzlite test: cargo-fuzz is missing; run \`bash .ci/setup\` (.ci/setup.d/fuzz.sh installs it)" >&2
  exit 1
fi
for tool in zip unzip; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "clusterfuzzlite test: $tool is missing; run \`bash .ci/setup\`" >&2
    exit 1
  }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/out"
ln -s "$repo" "$work/src/sigv4"

# What the engine sets (base-builder's clang flags are replaced by the host compiler's; the
# sanitizer flags do not apply to Rust, cargo-fuzz adds its own).
start=$SECONDS
env SRC="$work/src" OUT="$work/out" SANITIZER=none FUZZING_ENGINE=libfuzzer \
  CC="${CC:-cc}" CXX="${CXX:-c++}" CFLAGS="-O1 -fno-omit-frame-pointer" \
  CXXFLAGS="-O1 -fno-omit-frame-pointer" RUSTFLAGS="-Cdebuginfo=1 -Cforce-frame-pointers" \
  bash "$repo/.clusterfuzzlite/build.sh"
echo "clusterfuzzlite test: build.sh took $((SECONDS - start)) s"

status=0
fail() { echo "clusterfuzzlite test: FAIL: $*" >&2; status=1; }
count=0
for src in "$repo"/fuzz/fuzz_targets/*.rs; do
  t=$(basename "$src" .rs)
  count=$((count + 1))
  out="$work/out"
  [ -x "$out/$t" ] || { fail "$t: no executable $out/$t"; continue; }
  [ -s "$out/${t}_seed_corpus.zip" ] || { fail "$t: no ${t}_seed_corpus.zip"; continue; }
  [ -s "$out/$t.dict" ] || fail "$t: no $t.dict"
  grep -qx "dict = $t.dict" "$out/$t.options" 2>/dev/null || fail "$t: $t.options does not name $t.dict"
  seeds="$work/seeds-$t"
  mkdir -p "$seeds"
  unzip -q "$out/${t}_seed_corpus.zip" -d "$seeds"
  n=$(find "$seeds" -type f | wc -l)
  want=$(find "$repo/fuzz/corpus/$t" -type f | wc -l)
  [ "$n" -eq "$want" ] || fail "$t: the zip holds $n seeds, fuzz/corpus/$t has $want"
  log="$work/$t.log"
  # -runs counts every execution: the empty input and the n seeds (INITED at n+1), then 10.
  runs=$((n + 11))
  if ! timeout 120 "$out/$t" -runs="$runs" -dict="$out/$t.dict" "$seeds" >"$log" 2>&1; then
    tail -20 "$log" >&2
    fail "$t: the fuzzer did not run its seeds and 10 inputs"
    continue
  fi
  # libFuzzer prints "Done N runs" when -runs is reached.
  grep -q "^Done $runs runs" "$log" || { tail -5 "$log" >&2; fail "$t: no 'Done $runs runs' in its output"; continue; }
  echo "clusterfuzzlite test: $t ok ($n seeds, then 10 runs)"
done
[ "$count" -gt 0 ] || fail "no fuzz/fuzz_targets/*.rs"
[ $status -eq 0 ] && echo "clusterfuzzlite test: $count targets ok"
exit $status
