#!/usr/bin/env bash
# The Go, Ruby, PHP, Perl and second Rust adapters of the harness (harness/adapters/
# aws-sdk-go-v1, aws-sdk-go-v2, ruby-aws-sigv4, async-aws, perl-aws-signature4, aws-sign-v4).
# Idempotent and pinned: each library package is installed at the version its adapter's
# README names (Debian 12's), only when another or none is installed; the toolchains (golang-go,
# ruby, php-cli) are Debian 12's, security updates included. The Go binaries are rebuilt only
# when their sources changed (go build's cache), the Rust adapter with its committed lockfile.
# Everything built goes to target/adapters/ (git-ignored).
# Time on the 2-core dev machine (2026-12-03, load average ~11 from other jobs): the apt step
# from nothing installed 2 min 10 s (apt-get update included; it installs ~0.8 GB, mostly Go 1.19 and
# the two Go SDKs' sources); the
# builds from an empty target/adapters 3 min 45 s (Go from a cold cache, the Rust adapter with
# sccache warm); a second run, everything present, 4 s.
set -euo pipefail
cd "$(dirname "$0")/../.."

packages=(golang-go ruby php-cli
  golang-github-aws-aws-sdk-go-dev=1.44.133-1 golang-github-aws-aws-sdk-go-v2-dev=1.17.1-3
  ruby-aws-sigv4=1.5.1-2 php-async-aws-core=1.18.1-1 libaws-signature4-perl=1.02-3)
missing=()
for p in "${packages[@]}"; do
  name=${p%%=*}
  want=${p#"$name"}
  have=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)
  case "$have" in
    "install ok installed ${want#=}"*) ;;
    *) missing+=("$p") ;;
  esac
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing from Debian: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "${missing[@]}"
fi

out=target/adapters
mkdir -p "$out"
gopath="$PWD/$out/gopath"
export GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOCACHE="$PWD/$out/go-cache" GOFLAGS=-trimpath

# aws-sdk-go-v2's SigV4a signer is `internal/v4a`, which Go lets only the SDK import: copy it
# (with the two internal packages it uses) from the Debian package into a private GOPATH,
# with the import paths rewritten. Nothing of it is committed here.
v2=/usr/share/gocode/src/github.com/aws/aws-sdk-go-v2
priv="$gopath/src/sigv4yardstick/awsv2internal"
rm -rf "$priv"
for pkg in v4a sdk strings; do
  (cd "$v2/internal" && find "$pkg" -name '*.go' ! -name '*_test.go') | while read -r f; do
    mkdir -p "$priv/$(dirname "$f")"
    sed -e 's#"github.com/aws/aws-sdk-go-v2/internal/\(v4a\|sdk\|strings\)#"sigv4yardstick/awsv2internal/\1#' \
      "$v2/internal/$f" >"$priv/$f"
  done
done

# Each Go adapter is its own sign.go with the Go template's protocol loop (protocol.go,
# httpreq.go: one copy, in harness/adapters/templates/go), put together in a build folder.
for a in aws-sdk-go-v1 aws-sdk-go-v2; do
  src="$out/src/$a"
  rm -rf "$src" && mkdir -p "$src"
  cp "harness/adapters/$a"/*.go harness/adapters/templates/go/protocol.go \
    harness/adapters/templates/go/httpreq.go "$src/"
  go build -o "$out/$a" "./$src"
done

# The aws-sign-v4 crate: a cargo package of its own (not a workspace member), its lockfile
# committed.
cargo build -q --release --locked --manifest-path harness/adapters/aws-sign-v4/Cargo.toml \
  --target-dir "$out/aws-sign-v4"
