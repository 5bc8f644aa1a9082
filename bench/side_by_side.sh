#!/usr/bin/env bash
# W1 side by side: Assent against Restate on this machine, alternating A B A B, medians.
#
#   bench/side_by_side.sh [ROUNDS=3] [RUNS=20000] [CONCURRENCY=64]
#
# The full run (the figures for README's performance table) is the default:
#   bench/side_by_side.sh                 # 3 rounds of 20,000 runs, 64 in flight (~5 min)
# A quick try:  bench/side_by_side.sh 1 2000 16
#
# Each round runs Assent (`build/bench/assent-bench server`, the real server over HTTP and the
# WebSocket) and then Restate (../shared/peers/restate, copied to build/peers/restate and
# installed there with `npm ci` on first use), both with the same RUNS and CONCURRENCY, and
# keeps each tool's RESULT_JSON line. It prints a table per round, the medians, the ratios
# (runs/s Assent/Restate, e2e p50/p99 Restate/Assent) and fsyncs per run of each server
# (counted by the kernel through perf when perf works), then a `SIDE_BY_SIDE_JSON {...}` line.
# Logs: build/side_by_side/. Exits non-zero if any round reported an error.
set -euo pipefail
ROUNDS=${1:-3}
RUNS=${2:-20000}
CONCURRENCY=${3:-64}
for n in "$ROUNDS" "$RUNS" "$CONCURRENCY"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [ROUNDS] [RUNS] [CONCURRENCY] (positive integers)" >&2; exit 2; }
done
WARMUP=$((RUNS / 10 > 1000 ? RUNS / 10 : 1000))

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PEER_SRC=$(cd .. && pwd)/shared/peers/restate
PEER=$ROOT/build/peers/restate
BENCH=$ROOT/build/bench/assent-bench
OUT=$ROOT/build/side_by_side

die() { echo "side_by_side: $*" >&2; exit 1; }
[ -d "$PEER_SRC" ] || die "the Restate peer harness is not at $PEER_SRC (the repo's parent folder must hold shared/peers/restate)"
command -v python3 >/dev/null || die "python3 is needed to read the results"
command -v node >/dev/null && command -v npm >/dev/null \
  || die "node (>= 20) and npm are needed for the Restate peer; on Debian: apt-get install nodejs npm"
node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' \
  || die "node $(node --version) is too old for the Restate SDK; node >= 20 is needed"

# Always build: incremental, and a stale binary would measure old code.
scripts/build.sh --target assent-bench assent >/dev/null

# The shared harness is read-only: copy it (and refresh it) into build/, install there once.
mkdir -p "$PEER"
cmp -s "$PEER_SRC/package-lock.json" "$PEER/package-lock.json" || rm -rf "$PEER/node_modules"
cp -Rf --no-preserve=mode "$PEER_SRC"/. "$PEER"/
if [ ! -x "$PEER/node_modules/@restatedev/restate-server-linux-x64/bin/restate-server" ] \
   || [ ! -d "$PEER/node_modules/@restatedev/restate-sdk" ]; then
  # Pinned by package-lock.json; --ignore-scripts skips an install-time telemetry hook.
  (cd "$PEER" && npm ci --ignore-scripts --no-audit --no-fund)
fi

# run_one NAME COMMAND...: runs one benchmark, output to the terminal and NAME.log; its
# RESULT_JSON goes to NAME.json (a non-zero exit is judged later from the reported errors).
run_one() {
  local name=$1; shift
  echo "---- $name: $*"
  "$@" 2>&1 | tee "$OUT/$name.log" || true
  { grep '^RESULT_JSON ' "$OUT/$name.log" || true; } | tail -n 1 | cut -d' ' -f2- >"$OUT/$name.json"
  [ -s "$OUT/$name.json" ] || die "$name printed no RESULT_JSON line (see $OUT/$name.log)"
}

rm -rf "$OUT" && mkdir -p "$OUT"
for round in $(seq 1 "$ROUNDS"); do
  run_one "assent-$round" "$BENCH" server --runs "$RUNS" --warmup "$WARMUP" --concurrency "$CONCURRENCY"
  run_one "restate-$round" node "$PEER/driver.mjs" "$RUNS" "$CONCURRENCY"
done

CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
REV=$(git describe --always --dirty 2>/dev/null || echo unknown)
python3 - "$OUT" "$ROUNDS" "$RUNS" "$CONCURRENCY" "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" "${CPU:-unknown}" "$REV" <<'EOF'
import json, statistics, sys
out, rounds, runs, concurrency, date, nproc, cpu, rev = sys.argv[1:]
rounds, runs, concurrency, nproc = int(rounds), int(runs), int(concurrency), int(nproc)

def load(system, i):
    with open(f"{out}/{system}-{i}.json") as f:
        r = json.load(f)
    if system == "assent":
        return dict(runs_per_s=r["runs_per_s"], e2e_p50_ms=r["e2e_p50_ms"], e2e_p99_ms=r["e2e_p99_ms"],
                    fsyncs_per_run=r.get("fsyncs_per_run"), errors=r["errors"])
    return dict(runs_per_s=r["runs_per_s"], e2e_p50_ms=r["e2e_ms"]["p50"], e2e_p99_ms=r["e2e_ms"]["p99"],
                fsyncs_per_run=r.get("restate_server_syncs_per_run"), errors=r["errors"],
                version=r.get("server_version"))

results = {s: [load(s, i) for i in range(1, rounds + 1)] for s in ("assent", "restate")}
fmt = lambda v, p=1: "-" if v is None else f"{v:.{p}f}"

print(f"\nW1 side by side, {date}: {nproc} cores, {cpu}; assent {rev}, {results['restate'][0].get('version')}")
print(f"{rounds} round(s) of {runs} runs, {concurrency} in flight\n")
print(f"{'round':>5}  {'system':<8}{'runs/s':>10}{'e2e p50 ms':>12}{'e2e p99 ms':>12}{'fsyncs/run':>12}{'errors':>8}")
for i in range(rounds):
    for s in results:
        r = results[s][i]
        print(f"{i + 1:>5}  {s:<8}{r['runs_per_s']:>10.0f}{r['e2e_p50_ms']:>12.2f}{r['e2e_p99_ms']:>12.2f}"
              f"{fmt(r['fsyncs_per_run'], 3):>12}{r['errors']:>8}")

def median(system, key):
    values = [r[key] for r in results[system] if r[key] is not None]
    return statistics.median(values) if values else None

med = {s: {k: median(s, k) for k in ("runs_per_s", "e2e_p50_ms", "e2e_p99_ms", "fsyncs_per_run")}
       for s in results}
errors = {s: sum(r["errors"] for r in results[s]) for s in results}
ratio = {"runs_per_s_assent_over_restate": med["assent"]["runs_per_s"] / med["restate"]["runs_per_s"],
         "e2e_p50_restate_over_assent": med["restate"]["e2e_p50_ms"] / med["assent"]["e2e_p50_ms"],
         "e2e_p99_restate_over_assent": med["restate"]["e2e_p99_ms"] / med["assent"]["e2e_p99_ms"]}
print("\nmedians")
for s in med:
    m = med[s]
    print(f"  {s:<8}{m['runs_per_s']:>10.0f} runs/s   e2e p50 {m['e2e_p50_ms']:.2f} ms   "
          f"p99 {m['e2e_p99_ms']:.2f} ms   fsyncs/run {fmt(m['fsyncs_per_run'], 3)}")
print(f"ratios: runs/s Assent/Restate {ratio['runs_per_s_assent_over_restate']:.1f}x; "
      f"e2e p50 Restate/Assent {ratio['e2e_p50_restate_over_assent']:.1f}x, "
      f"p99 {ratio['e2e_p99_restate_over_assent']:.1f}x")
if any(errors.values()):
    print(f"ERRORS: {errors} (see {out}/*.log)")
rounded = lambda d: {k: rounded(v) if isinstance(v, dict) else v if v is None else round(v, 3) for k, v in d.items()}
summary = dict(date=date, nproc=nproc, cpu=cpu, assent_rev=rev, restate=results["restate"][0].get("version"),
               rounds=rounds, runs=runs, concurrency=concurrency, medians=rounded(med), ratios=rounded(ratio),
               errors=errors)
print("SIDE_BY_SIDE_JSON " + json.dumps(summary, separators=(",", ":")))
sys.exit(1 if any(errors.values()) else 0)
EOF
