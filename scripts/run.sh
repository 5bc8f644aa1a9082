#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts the Assent server on an embedded data
# dir with the example workflows applied, and prints where to reach it. Ctrl-C stops it.
#
#   ASSENT_DATA    data directory          (default ./assent-data)
#   ASSENT_LISTEN  address the server uses (default 127.0.0.1:8080)
# The example's `pay` step posts to a demo payee on 127.0.0.1:9999, which this script starts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh --target assent

data=${ASSENT_DATA:-./assent-data}
listen=${ASSENT_LISTEN:-127.0.0.1:8080}
payee=127.0.0.1:9999  # the URL in examples/invoice-payment.json
assent=./build/api/assent
log_dir=$(mktemp -d)

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$log_dir"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits (bounded) until a process prints its "listening on" line, or fails with its output.
wait_listening() {
  local log=$1 pid=$2 what=$3
  for _ in $(seq 1 200); do
    grep -q "listening on" "$log" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "$what failed to start:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.05
  done
  echo "$what did not start within 10 s:" >&2; cat "$log" >&2; exit 1
}

# The example's `pay` step posts to a local demo payee, so it runs without any outside service.
"$assent" demo-payee --listen "$payee" >"$log_dir/payee.log" 2>&1 &
pids+=($!)
wait_listening "$log_dir/payee.log" "${pids[-1]}" "demo payee"

"$assent" serve --data "$data" --listen "$listen" >"$log_dir/server.log" 2>&1 &
pids+=($!)
wait_listening "$log_dir/server.log" "${pids[-1]}" "assent server"

url="http://$listen"
export ASSENT_URL="$url"
export ASSENT_TOKEN
ASSENT_TOKEN=${ASSENT_ADMIN_TOKEN:-$(cat "$data/admin-token")}
for example in examples/*.json; do "$assent" apply "$example"; done

# The server never prints or logs the token (logs are shipped and kept); this script is the
# one-command set-up on the user's own terminal, which asked for it.
if [ -n "${ASSENT_ADMIN_TOKEN:-}" ]; then
  token_note="the one in \$ASSENT_ADMIN_TOKEN"
else
  token_note="$ASSENT_TOKEN   (kept in $data/admin-token, mode 0600)"
fi

cat <<EOM

Assent is running.
  API and stream:  $url   (WebSocket: ws://$listen/v1/stream)
  Admin token:     $token_note
  Data directory:  $data

Try it, from another terminal in this directory:
  ./build/api/assent start invoice-payment --input '{"invoice_id":"INV-1","amount":7200,"vendor":"ACME"}'
  ./build/api/assent approvals
  ./build/api/assent approve <approval id> --comment "ok"
  ./build/api/assent watch      # pending approvals, live

Server log follows; Ctrl-C stops it.
EOM
tail -n +1 -f "$log_dir/server.log" &
pids+=($!)
wait "${pids[1]}"
