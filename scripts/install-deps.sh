#!/usr/bin/env bash
# Installs the Debian 12 packages Yunwei needs. Idempotent: skips apt when all are present.
#   scripts/install-deps.sh build   packages to build and run
#   scripts/install-deps.sh test    build + test packages (PostgreSQL server, wrk, Chromium)
set -euo pipefail
what=${1:-build}
build_pkgs=(build-essential cmake ninja-build pkg-config ccache git ca-certificates
  libboost-dev nlohmann-json3-dev libsqlite3-dev libpq-dev libsodium-dev libspdlog-dev
  libcli11-dev libtomlplusplus-dev libhowardhinnant-date-dev tzdata libgtest-dev libgmock-dev
  libbenchmark-dev nodejs)
test_pkgs=(postgresql postgresql-contrib wrk chromium fonts-wqy-microhei procps curl)
pkgs=("${build_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from another apt source (NodeSource's nodejs bundles npm); accept any
# node and npm already on PATH.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}")
fi
read -r -a missing <<<"${missing[*]}"
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]} (run as root, or install them)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
# Debian's own nodejs package ships npm separately.
if ! command -v npm >/dev/null; then
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends npm
fi
