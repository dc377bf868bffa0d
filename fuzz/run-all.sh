#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 30). On a crash, prints the artifact and
# the exact replay command, and exits non-zero. cargo-fuzz comes from `bash .ci/setup`
# (.ci/setup.d/fuzz.sh, pinned).
# Usage: fuzz/run-all.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-30}"
command -v cargo-fuzz >/dev/null 2>&1 || bash ../.ci/setup.d/fuzz.sh
# --sanitizer none: works on a stable toolchain (ASan needs -Z flags; see README.md).
status=0
for target in $(cargo fuzz list); do
    flags=(--sanitizer none)
    opts=()
    # canonical: no compare tracing, no debug assertions (-O; overflow checks stay on, see
    # Cargo.toml) and inputs up to 256 bytes (README.md, "Throughput of canonical": the same
    # coverage, several times the runs; the dictionary supplies the tokens).
    if [ "$target" = canonical ]; then
        flags+=(-O --no-trace-compares)
        opts+=(-max_len=256)
    fi
    mkdir -p "corpus/$target" "artifacts/$target"
    work=$(mktemp -d)   # new units go here, so corpus/ stays commit-sized
    # One dictionary per run (libFuzzer takes one -dict): canonical.dict plus TARGET.dict.
    cat canonical.dict > "$work.dict"
    if [ "$target" != canonical ] && [ -f "$target.dict" ]; then
        cat "$target.dict" >> "$work.dict"
    fi
    dict=("-dict=$work.dict")
    echo "== $target: ${secs}s"
    before=$(ls "artifacts/$target" | sort)
    if ! cargo fuzz run "$target" "${flags[@]}" "$work" "corpus/$target" -- \
        "${dict[@]}" "${opts[@]}" -max_total_time="$secs" -print_final_stats=1; then
        status=1
    fi
    rm -rf "$work" "$work.dict"
    for a in $(comm -13 <(echo "$before") <(ls "artifacts/$target" | sort)); do
        status=1
        echo "!! $target crashed: fuzz/artifacts/$target/$a"
        echo "   replay:   cargo fuzz run $target ${flags[*]} artifacts/$target/$a"
        case "$target" in canonical | differential)
            echo "   explain:  cargo run --example explain -- artifacts/$target/$a" ;;
        esac
        echo "   minimise: cargo fuzz tmin $target ${flags[*]} artifacts/$target/$a"
    done
done
exit $status
