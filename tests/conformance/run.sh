#!/usr/bin/env bash
# run.sh — Cobrix conformance (TAP): runs the cases of cases.txt through
# `cobzip convert --format jsonl` and compares with Cobrix's expected output
# (normalise.py says how).  Data is read in place from
# $CBZ_SHARED/conformance/cobrix/data, never copied into the repository.
# Ends with "# conformance: P of N cases pass".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CBZ_BIN=${CBZ_BIN:-$root/build/cobzip}
CBZ_SHARED=${CBZ_SHARED:-$root/../shared}
data="$CBZ_SHARED/conformance/cobrix/data"

missing() {
    if [ "${CI:-}" = true ]; then
        echo "not ok - conformance prerequisites ($1; CI requires it)"
        exit 1
    fi
    echo "ok - conformance # SKIP $1"
    exit 0
}
command -v python3 >/dev/null 2>&1 || missing "python3 is missing"
[ -d "$data" ] || missing "no Cobrix data at $data (set CBZ_SHARED)"
if [ ! -x "$CBZ_BIN" ]; then
    echo "not ok - conformance prerequisites (no cobzip binary at $CBZ_BIN: run make)"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cbz-conformance.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
python3 "$here/normalise.py" --cobzip "$CBZ_BIN" --data "$data" --cases "$here/cases.txt" \
    --workdir "$tmp" "$@"
