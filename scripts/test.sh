#!/usr/bin/env bash
# Builds everything (warnings are errors) and runs every test: unit, API end-to-end on SQLite
# and on a real PostgreSQL server started for the run, and the browser tests when present.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
jobs=${JOBS:-2}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DYUNWEI_WERROR=ON \
  -DYUNWEI_BUILD_TESTS=ON -DYUNWEI_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j "$jobs"

scripts/with-postgres.sh ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 300
