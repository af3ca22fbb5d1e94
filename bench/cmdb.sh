#!/usr/bin/env bash
# CMDB impact analysis through the HTTP API (issue #6): the 100,000-CI / ~300,000-relation
# estate of bench/cmdb_impact.cpp (seeded once into ${DATA_DIR:-/tmp/yunwei-cmdb-bench}), then
# wrk at 8 connections against GET /api/v1/cis/{id}/impact from random hypervisor servers and
# VMs, and GET /api/v1/cis/{id}/dependencies from business services. Prints a Markdown table.
#   bench/cmdb.sh      (BENCH_SECS=10 CONNS=8 YUNWEI_BIN=build/yunwei IMPACT_BIN=build/bench/cmdb_impact)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${BENCH_SECS:-10}
conns=${CONNS:-8}
bin=${YUNWEI_BIN:-build/yunwei}
seed=${IMPACT_BIN:-build/bench/cmdb_impact}
dir=${DATA_DIR:-/tmp/yunwei-cmdb-bench}
mkdir -p "$dir"
# Seeds the estate when the directory is new, and times the walks in process.
"$seed" --data-dir "$dir" --iterations 500 >&2

pw=bench-admin-password
YUNWEI_ADMIN_PASSWORD=$pw "$bin" serve --listen 127.0.0.1:0 --data-dir "$dir" --access-log false \
  >"$dir/out.log" 2>"$dir/err.log" &
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
# The first call loads the graph.
curl -sf -o /dev/null -H "Authorization: Bearer $token" "$base/api/v1/cis/35021/impact?depth=10"

measure() {  # name, path, first id, last id
  local name=$1 path=$2 first=$3 last=$4 out rps p50 p99 errs
  out=$(env TOKEN="$token" FIRST="$first" LAST="$last" RUN_ID="$RANDOM" \
    wrk -t1 -c"$conns" -d"${secs}s" --timeout 10s --latency -s bench/wrk/get_ids.lua "$base$path")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errs=$(echo "$out" | awk -F= '/non2xx=/ {print $2}' | head -1)
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99" "${errs:-0}"
}
echo "| request ($conns connections, ${secs} s) | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
measure "GET /api/v1/cis/{hypervisor}/impact?depth=10" "/api/v1/cis/{id}/impact?depth=10" 35021 38020
measure "GET /api/v1/cis/{vm}/impact?depth=10" "/api/v1/cis/{id}/impact?depth=10" 5021 35020
measure "GET /api/v1/cis/{database}/impact?depth=10" "/api/v1/cis/{id}/impact?depth=10" 1021 5020
