#!/usr/bin/env bash
# Installs the Debian 12 packages Assent builds and tests against, only those that are missing,
# then the browser tests' npm packages (package-lock.json) when they are not installed yet.
# Safe to run again; needs root or sudo for apt-get, and the npm registry for `npm ci`.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  # LLVM's linker: the build links with it (CMakeLists.txt says why).
  lld
  librocksdb-dev
  libflatbuffers-dev flatbuffers-compiler
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev liblua5.4-dev libjemalloc-dev
  # Schedules' time zones: Howard Hinnant's date/tz library (libstdc++ 12 has no std::chrono
  # tzdb), reading the system's time zone database, which tzdata installs in /usr/share/zoneinfo.
  libhowardhinnant-date-dev tzdata
  linux-perf
  curl
  # The outside-agent example (examples/agent_gate.py) and its test.
  python3
  # The guard rails (scripts/guard-rails.sh): Clang with its sanitizer and libFuzzer runtimes,
  # and llvm-symbolizer for the reports.
  clang-14 libclang-rt-14-dev llvm-14
  # The dashboard's browser tests (tests/browser) drive Debian's Chromium.
  chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm run the browser tests. Checked as commands, not packages: a machine may have
# them from elsewhere (NodeSource's nodejs bundles npm, and Debian's npm would conflict with it).
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# playwright-core, exactly as package-lock.json pins it, into ./node_modules. `npm ci` starts
# from an empty node_modules, so it runs only when the lock changed since the last install.
cd "$(dirname "$0")/.."
stamp=node_modules/.installed-package-lock.json
if ! cmp -s package-lock.json "$stamp"; then
  echo "installing the browser tests' npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
