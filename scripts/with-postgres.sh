#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server on loopback and YUNWEI_TEST_PG set to a
# role that may create databases. The server and its files are removed afterwards.
#   scripts/with-postgres.sh ctest --output-on-failure
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "with-postgres: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

dir=$(mktemp -d /tmp/yunwei-pg-XXXXXX)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$dir"
  as_pg=(runuser -u postgres --)
fi
# A free loopback port below the kernel's ephemeral range (32768+), so no client socket of a
# concurrent test can hold it: nothing answers a connect to it.
free_port() {
  local candidate
  for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 12000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$candidate) 2>/dev/null; then echo $candidate; return; fi
  done
  echo "with-postgres: no free port found" >&2
  exit 1
}

cleanup() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${as_pg[@]}" "$pg_bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
  { cat "$dir/initdb.log" >&2; exit 1; }
started=
for _ in 1 2 3; do
  port=$(free_port)
  if "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off} -c max_connections=300" \
    start >/dev/null; then
    started=1
    break
  fi
done
[ -n "$started" ] || { cat "$dir/server.log" >&2; exit 1; }
"${as_pg[@]}" "$pg_bin/psql" -h "$dir" -p "$port" -U postgres -q -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE yunwei LOGIN CREATEDB PASSWORD 'yunwei'" -c "CREATE DATABASE yunwei OWNER yunwei" >/dev/null

export YUNWEI_TEST_PG="postgres://yunwei:yunwei@127.0.0.1:$port/yunwei"
echo "with-postgres: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
