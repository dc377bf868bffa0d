#!/bin/bash -eu
# Builds every cargo-fuzz target of fuzz/ into $OUT, the way ClusterFuzzLite and OSS-Fuzz call
# it (inside the base-builder-rust image: $SRC holds the checkout at $SRC/sigv4, $OUT receives
# the fuzzers, $SANITIZER and $FUZZING_ENGINE say what to build; $CC, $CXX, $CFLAGS, $CXXFLAGS
# and $RUSTFLAGS are the engine's and reach cargo and the cc crate that compiles libFuzzer).
#
# For each target T of `cargo fuzz list`, $OUT gets:
#   T                   the fuzzer binary
#   T_seed_corpus.zip   fuzz/corpus/T/, flat (the engine unpacks it as the first corpus)
#   T.dict              fuzz/canonical.dict plus fuzz/T.dict where there is one (libFuzzer
#                       takes one dictionary; fuzz/run-all.sh merges them the same way)
#   T.options           libFuzzer flags the engine passes: the dictionary, and for canonical
#                       -max_len=256 (fuzz/README.md, "Throughput of canonical")
#
# .clusterfuzzlite/README.md says how to run it locally; fuzz/tests/clusterfuzzlite.sh runs it
# with the engine's variables on this machine (SANITIZER=none: stable Rust has no ASan).
: "${SRC:?set by the engine: the folder holding the checkout (sigv4/)}"
: "${OUT:?set by the engine: where the fuzzers go}"
SANITIZER="${SANITIZER:-address}"
FUZZING_ENGINE="${FUZZING_ENGINE:-libfuzzer}"

if [ "$FUZZING_ENGINE" != libfuzzer ]; then
  echo "build.sh: cargo-fuzz builds libFuzzer targets only (FUZZING_ENGINE=$FUZZING_ENGINE)" >&2
  exit 1
fi
# cargo-fuzz's --sanitizer takes address, leak, memory, thread or none. Rust has no UBSan, and
# a coverage build is instrumented through $RUSTFLAGS (the engine's), so both build with none.
case "$SANITIZER" in
  address | leak | memory | thread | none) sanitizer="$SANITIZER" ;;
  undefined | coverage | introspector) sanitizer=none ;;
  *) echo "build.sh: unknown SANITIZER=$SANITIZER" >&2; exit 1 ;;
esac

cd "$SRC/sigv4/fuzz"
targets=$(cargo fuzz list)
[ -n "$targets" ] || { echo "build.sh: cargo fuzz list found no target" >&2; exit 1; }

# All targets in one build (one set of flags, so the dependencies build once).
cargo fuzz build -O --sanitizer "$sanitizer"

host=$(rustc -vV | sed -n 's/^host: //p')
bin_dir="${CARGO_TARGET_DIR:-target}/$host/release"
mkdir -p "$OUT"
for t in $targets; do
  cp "$bin_dir/$t" "$OUT/$t"
  if [ -d "corpus/$t" ] && [ -n "$(ls -A "corpus/$t")" ]; then
    rm -f "$OUT/${t}_seed_corpus.zip"
    (cd "corpus/$t" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
  fi
  cat canonical.dict > "$OUT/$t.dict"
  if [ "$t" != canonical ] && [ -f "$t.dict" ]; then
    cat "$t.dict" >> "$OUT/$t.dict"
  fi
  {
    echo "[libfuzzer]"
    echo "dict = $t.dict"
    if [ "$t" = canonical ]; then
      echo "max_len = 256"
    fi
  } > "$OUT/$t.options"
  echo "build.sh: $OUT/$t"
done
