#!/usr/bin/env bash
# Service desk load benchmark (issue #4): a database with COUNT tickets (default 1,000,000),
# then wrk at 64 connections against POST /api/v1/tickets, GET /api/v1/tickets/{number}, a
# filtered list page (team + status, 50 rows) and searches for a two-character Chinese word.
# Runs on SQLite and on a throwaway PostgreSQL (fsync on). Prints a Markdown table.
#   bench/tickets.sh     (COUNT=1000000 BENCH_SECS=10 CONNS=64 SKIP_PG=1 SKIP_SQLITE=1)
# Seeding 1,000,000 tickets takes a few minutes; the SQLite copy is cached in
# ${SEED_CACHE:-/tmp/yunwei-seed-$COUNT} and reused while it exists.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${BENCH_SECS:-10}
count=${COUNT:-1000000}
bin=${YUNWEI_BIN:-build/yunwei}
seed=${SEED_BIN:-build/bench/seed_tickets}
conns=${CONNS:-64}
threads=${WRK_THREADS:-1}
cache=${SEED_CACHE:-/tmp/yunwei-seed-$count}

run_backend() {
  local label=$1 dir=$2; shift 2
  local pw=bench-admin-password
  YUNWEI_ADMIN_PASSWORD=$pw "$bin" serve --listen 127.0.0.1:0 --data-dir "$dir" --access-log false "$@" \
    >"$dir/out.log" 2>"$dir/err.log" &
  local pid=$!
  local port=""
  for _ in $(seq 1 200); do
    port=$(grep -ao 'listening on http://127.0.0.1:[0-9]*' "$dir/out.log" 2>/dev/null | sed 's/.*://' || true)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { cat "$dir/err.log" >&2; kill $pid; exit 1; }
  local base=http://127.0.0.1:$port
  local token
  token=$("$bin" admin create-token --username admin --name bench --data-dir "$dir" "$@" 2>/dev/null |
    grep -o 'yw_[A-Za-z0-9_-]*' | head -1)
  [ -n "$token" ] || { echo "could not create an API token" >&2; kill $pid; exit 1; }
  local teams
  teams=$(curl -s -H "Authorization: Bearer $token" "$base/api/v1/teams?limit=10" |
    grep -o '"id":[0-9]*' | sed 's/"id"://' | tr '\n' ' ')

  measure() {  # name, lua, path, env...
    local name=$1 lua=$2 path=$3; shift 3
    local out run_id="$RANDOM$RANDOM"
    out=$(env TOKEN="$token" RUN_ID="$run_id" COUNT="$count" TEAMS="$teams" "$@" \
      wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s --latency -s "bench/wrk/$lua" "$base$path")
    local rps p50 p99 errs
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    errs=$(echo "$out" | awk -F= '/non2xx=/ {print $2}' | head -1)
    printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$name" "$rps" "$p50" "$p99" "${errs:-0}"
  }
  local q=%E7%BD%91%E7%BB%9C  # 网络
  # The latency targets at an interactive load (8 connections), then everything at 64.
  conns=8 measure "GET /api/v1/tickets?team_id&status=assigned&limit=50 (8 connections)" get_path.lua \
    "/api/v1/tickets?team_id={team}&status=assigned&limit=50"
  conns=8 measure "GET /api/v1/search?q=网络 (8 connections)" get_path.lua "/api/v1/search?q=$q&limit=20"
  measure "GET /api/v1/tickets/{number}" get_ticket.lua /
  measure "GET /api/v1/tickets?team_id&status=assigned&limit=50" get_path.lua \
    "/api/v1/tickets?team_id={team}&status=assigned&limit=50"
  measure "GET /api/v1/search?q=网络 (ranked, snippets, 20 hits)" get_path.lua "/api/v1/search?q=$q&limit=20"
  measure "GET /api/v1/tickets?q=网络&limit=50 (newest first)" get_path.lua "/api/v1/tickets?q=$q&limit=50"
  measure "POST /api/v1/tickets" create_ticket.lua /api/v1/tickets
  local rss
  rss=$(ps -o rss= -p $pid)
  kill -TERM $pid
  wait $pid || true
  echo "<!-- $label: server RSS after the runs ${rss} KiB -->"
}

if [ "${1:-}" = "--inner-pg" ]; then
  dir=$(mktemp -d /tmp/yunwei-bench-pg-XXXXXX)
  start=$(date +%s)
  "$seed" --db "$YUNWEI_TEST_PG" --count "$count" >/dev/null
  echo "<!-- postgres: seeded $count tickets in $(( $(date +%s) - start )) s -->"
  run_backend postgres "$dir" --db "$YUNWEI_TEST_PG" --db-pool 16
  rm -rf "$dir"
  exit 0
fi

echo "| backend | request | req/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|"
if [ "${SKIP_SQLITE:-0}" != 1 ]; then
  if [ ! -f "$cache/yunwei.db" ]; then
    rm -rf "$cache" && mkdir -p "$cache"
    start=$(date +%s)
    "$seed" --data-dir "$cache" --count "$count" >/dev/null
    echo "<!-- sqlite: seeded $count tickets in $(( $(date +%s) - start )) s -->"
  fi
  dir=$(mktemp -d /tmp/yunwei-bench-XXXXXX)
  cp "$cache"/yunwei.db* "$dir"/
  run_backend sqlite "$dir"
  rm -rf "$dir"
fi
if [ "${SKIP_PG:-0}" != 1 ]; then
  PG_FSYNC=on scripts/with-postgres.sh bench/tickets.sh --inner-pg
fi
