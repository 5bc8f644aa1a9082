#!/usr/bin/env bash
# The guard rails: the test suite under sanitizers, and the fuzz targets. scripts/test.sh runs
# all three parts after the normal build and tests; run one part on its own with
#
#   scripts/guard-rails.sh asan                   # every test under AddressSanitizer + UBSan
#   scripts/guard-rails.sh tsan                   # the `concurrency` tests under ThreadSanitizer
#   scripts/guard-rails.sh fuzz [--seconds N] [--target NAME]
#                                                 # each fuzz target for N seconds (default 60)
#   scripts/guard-rails.sh all [--seconds N]      # the three, in that order
#
# Built with Clang 14 in two build dirs: build-asan (ASan + UBSan, with libFuzzer's coverage
# instrumentation, so the fuzz targets share its build: a third build took CI 8 min) and
# build-tsan. Neither builds the benchmarks. A fuzz run keeps what it learns in
# build-asan/corpus/<target> (the checked-in seeds in tests/fuzz/corpus are only read) and writes
# any crashing input to build-asan/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
part=$1
shift
seconds=60
only=""
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --target) only=$2; shift 2 ;;
    *) usage ;;
  esac
done

jobs=$(nproc)
# -O1: the sanitizers' advice (fast enough to run, stack traces still whole); line tables are
# all a report needs and compile much faster than full debug info. No NDEBUG: asserts stay on.
configure() {
  local dir=$1
  shift
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" -DASSENT_BUILD_BENCH=OFF \
    "$@" >/dev/null
}
configure_asan() {
  configure build-asan -DASSENT_SANITIZE=address,undefined -DASSENT_FUZZ=ON
}

# Every finding stops the process with its report. llvm-symbolizer (from llvm-14, on PATH here)
# turns addresses into file:line.
export PATH="/usr/lib/llvm-14/bin:$PATH"
export ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:strict_init_order=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# tests/tsan.supp: false positives from inside uninstrumented RocksDB, each explained there.
# No inlined frames: with them, llvm-symbolizer's answer for a frame deep in Boost.Asio overflows
# TSan's buffer and the frames of a report shift, so suppressions stop matching.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:symbolize_inline_frames=0"
TSAN_OPTIONS+=":suppressions=$PWD/tests/tsan.supp"

# Runs a command and says how long it took; returns its status (also where errexit is off).
timed() {
  local what=$1 start=$SECONDS status=0
  shift
  "$@" || status=$?
  echo "guard-rails: $what took $((SECONDS - start)) s"
  return $status
}

asan() {
  configure_asan
  timed "asan build" cmake --build build-asan -j"$jobs"
  # The layering probes check what compiles, not what runs: the normal build has them. The
  # browser tests drive the page through REST and the stream, whose server code the e2e tests
  # cover here; their timings (100,000 approvals) mean nothing under a sanitizer. The fuzz
  # targets' seeds are replayed by the fuzz part here (ctest -L fuzz_corpus in normal builds).
  (cd build-asan &&
    timed "asan tests" ctest --output-on-failure --timeout 900 -j"$jobs" -LE "layering|browser")
}

tsan() {
  configure build-tsan -DASSENT_SANITIZE=thread
  timed "tsan build" cmake --build build-tsan -j"$jobs" --target concurrency_tests
  (cd build-tsan &&
    timed "tsan tests" ctest --output-on-failure --timeout 900 -j"$jobs" -L concurrency)
}

# One target for $seconds: new inputs go to the first directory, so the checked-in seeds are
# only read. The fuzzer's output goes to build-asan/<target>.log.
fuzz_one() {
  local name=$1
  local options=(-max_total_time="$seconds" -timeout=10 -print_final_stats=1
                 -artifact_prefix="build-asan/artifacts/$name-")
  # A target's dictionaries (tests/fuzz/dicts/<target>.dict and <target>.<part>.dict), merged
  # into one: libFuzzer reads a single -dict.
  local dicts=()
  for dict in "tests/fuzz/dicts/$name.dict" "tests/fuzz/dicts/$name".*.dict; do
    [[ -f "$dict" ]] && dicts+=("$dict")
  done
  if (( ${#dicts[@]} > 0 )); then
    cat "${dicts[@]}" >"build-asan/$name.dict"
    options+=(-dict="build-asan/$name.dict")
  fi
  mkdir -p "build-asan/corpus/$name"
  "build-asan/tests/fuzz/$name" "${options[@]}" "build-asan/corpus/$name" \
    "tests/fuzz/corpus/$name" >"build-asan/$name.log" 2>&1
}

fuzz() {
  configure_asan
  timed "fuzz build" cmake --build build-asan -j"$jobs" --target fuzzers
  mkdir -p build-asan/artifacts
  local failed=()
  for seeds in tests/fuzz/corpus/*/; do
    local name
    name=$(basename "$seeds")
    [ -z "$only" ] || [ "$name" = "$only" ] || continue
    if timed "fuzz $name ($seconds s)" fuzz_one "$name"; then
      grep -E "^stat::(number_of_executed_units|new_units_added)" "build-asan/$name.log" || true
    else
      tail -n 60 "build-asan/$name.log"
      failed+=("$name")
    fi
  done
  if [ ${#failed[@]} -gt 0 ]; then
    echo "guard-rails: fuzz targets failed: ${failed[*]} (inputs in build-asan/artifacts)" >&2
    return 1
  fi
}

case $part in
  asan) asan ;;
  tsan) tsan ;;
  fuzz) fuzz ;;
  all) asan; tsan; fuzz ;;
  *) usage ;;
esac
