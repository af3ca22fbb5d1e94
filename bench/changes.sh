#!/usr/bin/env bash
# Change conflict checks through the HTTP API (issue #7): the 100,000-CI estate of
# bench/support/cmdb_estate.h with 10,000 scheduled change tickets, two freeze windows and a
# weekend maintenance window per business service, plus 1,000 probe changes drawn the same way
# (bench/change_conflicts.cpp --seed-tickets; seeded once into ${DATA_DIR:-/tmp/yunwei-change-bench}),
# then wrk at 8 connections against GET /api/v1/tickets/{probe}/conflicts. Prints a Markdown table.
#   bench/changes.sh   (BENCH_SECS=10 CONNS=8 YUNWEI_BIN=build/yunwei CONFLICTS_BIN=build/bench/change_conflicts)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${BENCH_SECS:-10}
conns=${CONNS:-8}
bin=${YUNWEI_BIN:-build/yunwei}
seed=${CONFLICTS_BIN:-build/bench/change_conflicts}
dir=${DATA_DIR:-/tmp/yunwei-change-bench}
mkdir -p "$dir"
# Seeds the estate and the changes when the directory is new, and times the checks in process.
"$seed" --data-dir "$dir" --iterations 500 --seed-tickets 1000 >&2

YUNWEI_ADMIN_PASSWORD=bench-admin-password "$bin" serve --listen 127.0.0.1:0 --data-dir "$dir" \
  --access-log false >"$dir/out.log" 2>"$dir/err.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 200); do
  port=$(grep -ao 'listening on http://127.0.0.1:[0-9]*' "$dir/out.log" 2>/dev/null | sed 's/.*://' || true)
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { cat "$dir/err.log" >&2; exit 1; }
base=http://127.0.0.1:$port
token=$("$bin" admin create-token --username admin --name bench --data-dir "$dir" 2>/dev/null |
  grep -o 'yw_[A-Za-z0-9_-]*' | head -1)
[ -n "$token" ] || { echo "could not create an API token" >&2; exit 1; }
# The first call loads the relation graph and builds the change index.
t0=$(date +%s%N)
curl -sf -o /dev/null -H "Authorization: Bearer $token" "$base/api/v1/tickets/CHG-010001/conflicts"
echo "first check (graph and index built): $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2

out=$(env TOKEN="$token" FIRST=10001 LAST=11000 RUN_ID="$RANDOM" \
  wrk -t1 -c"$conns" -d"${secs}s" --timeout 10s --latency -s bench/wrk/get_ids.lua \
  "$base/api/v1/tickets/CHG-{id6}/conflicts")
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
p50=$(echo "$out" | awk '$1=="50%" {print $2}')
p99=$(echo "$out" | awk '$1=="99%" {print $2}')
errs=$(echo "$out" | awk -F= '/non2xx=/ {print $2}' | head -1)
echo "| request ($conns connections, ${secs} s) | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
printf '| %s | %s | %s | %s | %s |\n' "GET /api/v1/tickets/{change}/conflicts (10,000 scheduled, 100,000 CIs)" \
  "$rps" "$p50" "$p99" "${errs:-0}"
