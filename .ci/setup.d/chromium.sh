#!/usr/bin/env bash
# Chromium, headless, for mock-aws's page test (mock-aws/tests/it/page.rs loads /_mock-aws/ with
# `chromium --headless --dump-dom` and `--screenshot`). Debian 12's package, pinned to the
# version the test was written against when that version is the candidate (Debian security
# updates replace it; any installed chromium that runs headless is accepted). Skipped when
# chromium is already on PATH (then 0.004 s). Measured: 38 s (apt-get update and install, with
# --no-install-recommends) and about 350 MB installed (chromium 290 MB, chromium-common 66 MB).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
pin=156.0.8078.114-1~deb12u1
apt-get update -qq
if apt-cache policy chromium | grep -q "Candidate: $pin"; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "chromium=$pin"
else
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
fi
chromium --version
