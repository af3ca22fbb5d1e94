#!/bin/sh
# ctest's web_browser: installs playwright-core (npm ci, only when node_modules is missing or
# package-lock.json changed since the last install), then runs the browser tests.
#   run.sh [npm] [node]      env: YUNWEI_BINARY, YUNWEI_SCREENSHOTS (see web.test.mjs)
set -eu
NPM=${1:-npm}
NODE=${2:-node}
cd "$(dirname "$0")"

CHROMIUM=${YUNWEI_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  echo "web_browser: $CHROMIUM not found (apt-get install chromium fonts-wqy-microhei); skipped" >&2
  exit 77
fi

STAMP=node_modules/.yunwei-package-lock.json
if [ ! -f node_modules/playwright-core/package.json ] || ! cmp -s package-lock.json "$STAMP"; then
  "$NPM" ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$STAMP"
fi

exec "$NODE" --test *.test.mjs
