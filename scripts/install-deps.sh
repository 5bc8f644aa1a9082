#!/usr/bin/env bash
# Installs the Debian 12 packages Assent builds and tests against, only those that are missing.
# Safe to run again; needs root or sudo for apt-get.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  librocksdb-dev
  libflatbuffers-dev flatbuffers-compiler
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev liblua5.4-dev libjemalloc-dev
  linux-perf
  curl
  # The guard rails (scripts/guard-rails.sh): Clang with its sanitizer and libFuzzer runtimes,
  # and llvm-symbolizer for the reports.
  clang-14 libclang-rt-14-dev llvm-14
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
