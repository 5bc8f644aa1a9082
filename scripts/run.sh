#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts the Assent server on an embedded data
# dir with the example workflows applied, reviewers to sign in as and one run of each example
# waiting for a decision, and prints where to reach the dashboard. Ctrl-C stops it.
#
#   ASSENT_DATA    data directory          (default ./assent-data)
#   ASSENT_LISTEN  address the server uses (default 127.0.0.1:8080)
# The examples call a demo service on 127.0.0.1:9999 (records to delete, payments, emails,
# deployments), which this script starts.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh --target assent

data=${ASSENT_DATA:-./assent-data}
listen=${ASSENT_LISTEN:-127.0.0.1:8080}
demo=127.0.0.1:9999  # the URL in examples/*.json
assent=./build/api/assent
log_dir=$(mktemp -d)
# The reviewers to sign in as, each in the groups that edit (and so decide) the examples:
# alice decides every example, bob shares the payments and changes with her, so one can watch
# the other's decision leave their queue.
reviewers=("alice:finance,privacy,support,ops" "bob:finance,ops")

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

# The examples call a local demo service, so they run without any outside service.
"$assent" demo-service --listen "$demo" >"$log_dir/demo.log" 2>&1 &
pids+=($!)
wait_listening "$log_dir/demo.log" "${pids[-1]}" "demo service"

url="http://$listen"
# --public-url: webhook notifications link to the dashboard's page of each approval.
"$assent" serve --data "$data" --listen "$listen" --public-url "$url" \
  >"$log_dir/server.log" 2>&1 &
pids+=($!)
server_pid=${pids[-1]}
wait_listening "$log_dir/server.log" "$server_pid" "assent server"

export ASSENT_URL="$url"
export ASSENT_TOKEN
ASSENT_TOKEN=${ASSENT_ADMIN_TOKEN:-$(cat "$data/admin-token")}
for example in examples/*.json; do "$assent" apply "$example"; done

# A reviewer's token is shown once, when issued: it is kept in $data/tokens/<id> (mode 0600) so
# that the next start prints the same one. A reviewer without a kept token (removed, or from
# an older data dir) gets a new one.
mkdir -p "$data/tokens"
chmod 700 "$data/tokens"
keep_token() {
  local id=$1 groups=$2 file="$data/tokens/$1" issued
  [ -s "$file" ] && return 0
  if ! issued=$("$assent" users add "$id" --groups "$groups" 2>&1); then
    issued=$("$assent" tokens create "$id" --name run-sh)  # the user was there already
  fi
  (umask 077 && grep -o 'ast_[0-9a-f_]*' <<<"$issued" >"$file")
}
reviewer_lines=""
for reviewer in "${reviewers[@]}"; do
  id=${reviewer%%:*}
  groups=${reviewer#*:}
  keep_token "$id" "$groups"
  reviewer_lines+=$(printf '\n  %-16s %s   (groups %s)' "$id:" "$(cat "$data/tokens/$id")" "$groups")
done

# One run of each example waits for a decision, so every kind of context is in the queue. An
# example that already has one pending (a restart on the same data dir) gets no other.
for example in examples/*.json; do
  name=$(basename "$example" .json)
  if "$assent" approvals --workflow "$name" --limit 1 --json | grep -q '"approvals":\[\]'; then
    "$assent" start "$name" --input "$(cat "examples/inputs/$name.json")" >/dev/null
  fi
done

# The server never prints or logs the token (logs are shipped and kept); this script is the
# one-command set-up on the user's own terminal, which asked for it.
if [ -n "${ASSENT_ADMIN_TOKEN:-}" ]; then
  token_note="the one in \$ASSENT_ADMIN_TOKEN"
else
  token_note="$ASSENT_TOKEN   (kept in $data/admin-token, mode 0600)"
fi

cat <<EOM

Assent is running.
  Dashboard:       $url/   (sign in with a token below)
  API and stream:  $url   (WebSocket: ws://$listen/v1/stream)
  Data directory:  $data

Tokens to sign in with (reviewers' are kept in $data/tokens, mode 0600):
  admin:           $token_note$reviewer_lines

One run of each example waits in the dashboard's queue. From another terminal in this directory:
  ./build/api/assent start invoice-payment --input "\$(cat examples/inputs/invoice-payment.json)"
  ./build/api/assent approvals
  ./build/api/assent approve <approval id> --comment "ok"
  ./build/api/assent watch      # pending approvals, live

Server log follows; Ctrl-C stops it.
EOM
tail -n +1 -f "$log_dir/server.log" &
pids+=($!)
wait "$server_pid"
