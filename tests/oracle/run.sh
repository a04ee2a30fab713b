#!/usr/bin/env bash
# run.sh — the GnuCOBOL oracle (TAP).  Each oracle program (tests/oracle/*.cob)
# is compiled with cobc, writes a record file for its copybook and DISPLAYs the
# value of every field of every record; oracle.py then checks that
# `cobzip convert` reads the same values from the file as written (ASCII) and
# from the same records translated to EBCDIC cp037.
#
# cobc flags: -fbinary-size=2-4-8 and -fbinary-byteorder=big-endian give IBM's
# binary sizes and byte order; display.cpy is compiled twice, with GnuCOBOL's
# ASCII sign overpunch (negative 'p'..'y') and with -fsign=EBCDIC (IBM-style
# '{' 'A'..'I' / '}' 'J'..'R' in an ASCII file).  -std=ibm is not used: it
# chooses 1-byte binaries for 1-2 digits and changes DISPLAY formats.
#
# Needs cobc and python3.  Outside CI a missing cobc is a SKIP; with CI=true it
# is a failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CBZ_BIN=${CBZ_BIN:-$root/build/cobzip}
COBC_FLAGS=(-x -fbinary-size=2-4-8 -fbinary-byteorder=big-endian -I "$here")

missing() {
    if [ "${CI:-}" = true ]; then
        echo "not ok - oracle prerequisites ($1 is missing; CI requires it)"
        exit 1
    fi
    echo "ok - oracle # SKIP $1 is missing (install gnucobol3 / python3)"
    exit 0
}
command -v cobc >/dev/null 2>&1 || missing cobc
command -v python3 >/dev/null 2>&1 || missing python3
if [ ! -x "$CBZ_BIN" ]; then
    echo "not ok - oracle prerequisites (no cobzip binary at $CBZ_BIN: run make)"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cbz-oracle.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0

# oracle NAME PROGRAM COPYBOOK DATAFILE "EXTRA COBC FLAGS" VARIANT...
oracle() {
    local name=$1 prog=$2 cpy=$3 dat=$4 extra=$5
    shift 5
    local dir="$tmp/$name" v vargs=()
    mkdir -p "$dir"
    # shellcheck disable=SC2086
    if ! cobc "${COBC_FLAGS[@]}" $extra -o "$dir/$prog" "$here/$prog.cob" >"$dir/cobc.log" 2>&1; then
        echo "not ok - oracle $name (cobc failed: $(head -1 "$dir/cobc.log"))"
        status=1
        return
    fi
    if ! (cd "$dir" && "./$prog" >"$dir/listing.txt" 2>"$dir/run.log"); then
        echo "not ok - oracle $name ($prog failed: $(head -1 "$dir/run.log"))"
        status=1
        return
    fi
    for v in "$@"; do vargs+=(--variant "$v"); done
    python3 "$here/oracle.py" --cobzip "$CBZ_BIN" --name "$name" --listing "$dir/listing.txt" \
        --data "$dir/$dat" --copybook "$here/$cpy" --workdir "$dir" "${vargs[@]}" || status=1
}

oracle display          oradisp display.cpy display.dat ""              ascii ebcdic
oracle display-ibmsign  oradisp display.cpy display.dat "-fsign=EBCDIC" ascii
oracle binary           orabin  binary.cpy  binary.dat  ""              ascii ebcdic
oracle packed           orapack packed.cpy  packed.dat  ""              ascii ebcdic
oracle native           oranat  native.cpy  native.dat  ""              ascii ebcdic
exit $status
