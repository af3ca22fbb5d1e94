#!/usr/bin/env bash
# Installs the Debian 12 packages Yunwei needs. Idempotent: skips apt when all are present.
#   scripts/install-deps.sh build   packages to build and run
#   scripts/install-deps.sh test    build + test packages (PostgreSQL server, wrk, Chromium)
set -euo pipefail
what=${1:-build}
build_pkgs=(build-essential cmake ninja-build pkg-config ccache git ca-certificates
  libboost-dev nlohmann-json3-dev libsqlite3-dev libpq-dev libsodium-dev libspdlog-dev
  libcli11-dev libtomlplusplus-dev libhowardhinnant-date-dev tzdata libgtest-dev libgmock-dev
  libbenchmark-dev nodejs npm)
test_pkgs=(postgresql postgresql-contrib wrk chromium fonts-wqy-microhei procps curl)
pkgs=("${build_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The machine may ship Node.js from elsewhere; accept it when node and npm are on PATH.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]}"
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]} (run as root, or install them)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
