#!/usr/bin/env bash
# Load benchmark of the HTTP API with wrk (64 connections, keep-alive) on SQLite and on a
# throwaway PostgreSQL server. Prints a Markdown table for docs/benchmarks.md.
#   bench/run.sh            (BENCH_SECS=10 per run, CONNS=64, SKIP_PG=1 to skip PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${BENCH_SECS:-10}
bin=${YUNWEI_BIN:-build/yunwei}
conns=${CONNS:-64}
threads=${WRK_THREADS:-1}

run_backend() {
  local label=$1; shift
  local dir; dir=$(mktemp -d /tmp/yunwei-bench-XXXXXX)
  local pw=bench-admin-password
  YUNWEI_ADMIN_PASSWORD=$pw "$bin" serve --listen 127.0.0.1:0 --data-dir "$dir" "$@" >"$dir/out.log" 2>"$dir/err.log" &
  local pid=$!
  local port=""
  for _ in $(seq 1 100); do
    port=$(grep -ao 'listening on http://127.0.0.1:[0-9]*' "$dir/out.log" 2>/dev/null | sed 's/.*://' || true)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { cat "$dir/err.log" >&2; kill $pid; exit 1; }
  local base=http://127.0.0.1:$port
  local jar=$dir/cookies
  local csrf
  csrf=$(curl -s -c "$jar" -H 'content-type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$pw\"}" $base/api/v1/auth/login | sed 's/.*"csrf_token":"\([^"]*\)".*/\1/')
  local token
  token=$(curl -s -b "$jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
    -d '{"name":"bench"}' $base/api/v1/me/tokens | sed 's/.*"token":"\([^"]*\)".*/\1/')

  measure() {  # name, lua, path, env...
    local name=$1 lua=$2 path=$3; shift 3
    local out run_id="$RANDOM$RANDOM"  # drawn here: $RANDOM in $(...) repeats the parent's value
    out=$(env TOKEN="$token" RUN_ID="$run_id" "$@" wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s --latency -s "bench/wrk/$lua" "$base$path")
    local rps p50 p99 errs
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    errs=$(echo "$out" | awk -F= '/non2xx=/ {print $2}'; echo "$out" | awk '/Non-2xx/ {print $NF}')
    errs=$(echo "$errs" | awk 'NF {print; exit}')
    printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$name" "$rps" "$p50" "$p99" "${errs:-0}"
  }
  measure "GET /healthz" get.lua /healthz
  measure "GET /api/v1/me (token)" get.lua /api/v1/me
  measure "POST /api/v1/users (no password)" create_user.lua /api/v1/users
  conns=4 measure "POST /api/v1/users (with password, argon2id; 4 connections)" create_user.lua /api/v1/users PASSWORD=1
  local rss
  rss=$(ps -o rss= -p $pid)
  kill -TERM $pid
  wait $pid || true
  echo "<!-- $label: server RSS after the runs ${rss} KiB -->"
  rm -rf "$dir"
}

if [ "${1:-}" = "--inner-pg" ]; then
  run_backend postgres --db "$YUNWEI_TEST_PG" --db-pool 16
  exit 0
fi
echo "| backend | request | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
run_backend sqlite
if [ "${SKIP_PG:-0}" != 1 ]; then
  PG_FSYNC=on scripts/with-postgres.sh bench/run.sh --inner-pg
fi
