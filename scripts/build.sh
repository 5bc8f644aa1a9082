#!/usr/bin/env bash
# Configures and builds Assent in ./build. Extra arguments are passed to `cmake --build`
# (for example `--target assent`).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" "$@"
