#!/usr/bin/env bash
# The test command: installs what is missing, builds everything, runs every test with ctest,
# then the guard rails (scripts/guard-rails.sh all): the tests again under AddressSanitizer +
# UBSan, the concurrency tests under ThreadSanitizer, and each fuzz target for 12 s (15 targets:
# with the browser tests the whole command must stay under 45 minutes on CI's 2 cores, where it
# took 46.4 min with 40 s each, 43.1 min with 25 s, and 44.7 min with 20 s before the notify
# step, hooks, edits, retries and schedules added their tests; longer campaigns:
# scripts/guard-rails.sh fuzz --seconds N).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
(cd build && ctest --output-on-failure --timeout 600 -j"$(nproc)")
scripts/guard-rails.sh all --seconds 12
