#!/usr/bin/env bash
# install-deps.sh — installs the Debian packages cobzip builds, tests and
# benchmarks with, only when something is missing (a fresh Debian 12 machine).
set -euo pipefail

need=()
have_header() { [ -e "/usr/include/$1" ]; }
have_cmd() { command -v "$1" >/dev/null 2>&1; }

have_header csv.h        || need+=(libcsv-dev)
have_header yaml.h       || need+=(libyaml-dev)
have_header zstd.h       || need+=(libzstd-dev)
have_header openssl/sha.h || need+=(libssl-dev)
have_header xxhash.h     || need+=(libxxhash-dev)
have_header CUnit/CUnit.h || need+=(libcunit1-dev)
have_cmd cobc            || need+=(gnucobol3)
have_cmd zstd            || need+=(zstd)
have_cmd xz              || need+=(xz-utils)
have_cmd gzip            || need+=(gzip)
have_cmd iconv           || need+=(libc-bin)
have_cmd python3         || need+=(python3)
have_cmd sha256sum       || need+=(coreutils)
have_cmd script          || need+=(bsdutils)
if [ "${CBZ_WANT_CHROMIUM:-0}" = 1 ]; then have_cmd chromium || need+=(chromium); fi

if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "install-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
