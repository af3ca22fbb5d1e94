#!/usr/bin/env bash
# Start-to-ready time and idle memory of `yunwei serve` on an empty SQLite database:
# first start (creates the schema, default teams and the admin account) and a restart.
#   bench/startup.sh [runs, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${YUNWEI_BIN:-build/yunwei}
runs=${1:-5}

one() {  # data dir -> prints "ms rss_kib"
  local dir=$1
  local start end port=""
  start=$(date +%s%N)
  "$bin" serve --listen 127.0.0.1:0 --data-dir "$dir" >"$dir/out.log" 2>&1 &
  local pid=$!
  while true; do
    port=$(grep -ao 'listening on http://127.0.0.1:[0-9]*' "$dir/out.log" 2>/dev/null | sed 's/.*://' || true)
    if [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
    sleep 0.002
  done
  end=$(date +%s%N)
  sleep 1  # let it settle idle
  local rss; rss=$(ps -o rss= -p $pid | tr -d ' ')
  kill -TERM $pid; wait $pid || true
  echo "$(( (end - start) / 1000000 )) $rss"
}

printf '%-14s %8s %10s\n' run ready_ms idle_rss_kib
for i in $(seq 1 "$runs"); do
  dir=$(mktemp -d /tmp/yunwei-start-XXXXXX)
  read -r ms rss < <(one "$dir")
  printf '%-14s %8s %10s\n' "first-start" "$ms" "$rss"
  read -r ms rss < <(one "$dir")
  printf '%-14s %8s %10s\n' "restart" "$ms" "$rss"
  rm -rf "$dir"
done
