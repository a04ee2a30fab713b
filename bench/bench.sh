#!/usr/bin/env bash
# bench.sh — what `make bench` runs: throughput on generated extracts, one
# table.  Each dataset (transactions, customers, ledger; CBZ_BENCH_MB MiB each,
# default 50) is generated into a temporary directory, then every tool in
# TOOLS is timed on it.  A tool is a function tool_NAME FILE COPYBOOK that runs
# the tool once and writes nothing we keep; to add a row kind (compression,
# say), write tool_<name> and add <name> to TOOLS.
#
#   convert   cobzip convert to CSV, one thread (MB/s per core)
#   iconv     iconv -f IBM037 -t UTF-8, the reference point
#
# MB/s counts the input file's bytes (MB = 2^20 bytes); the time is the best
# of CBZ_BENCH_REPEAT runs (default 1).  "ratio" is convert / iconv.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${CBZ_BIN:-$root/build/cobzip}
GEN=${CBZ_GEN:-$root/build/cbzgen}
MB=${CBZ_BENCH_MB:-50}
REPEAT=${CBZ_BENCH_REPEAT:-1}
DATASETS=(transactions customers ledger)
TOOLS=(convert iconv)

die() { echo "bench: $*" >&2; exit 1; }
for b in "$BIN" "$GEN"; do [ -x "$b" ] || die "missing $b (run make)"; done
command -v iconv >/dev/null 2>&1 || die "iconv is missing (libc-bin)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cbz-bench.XXXXXX") || die "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT

threads_opt=()
if "$BIN" convert --help 2>/dev/null | grep -q -- '--threads'; then threads_opt=(--threads 1); fi

tool_convert() { "$BIN" convert -c "$2" --format csv "${threads_opt[@]}" "$1" -o - >/dev/null; }
tool_iconv() { iconv -f IBM037 -t UTF-8 "$1" >/dev/null; }

now() { date +%s.%N; }
# seconds TOOL FILE COPYBOOK: best wall time of REPEAT runs, or "fail".
seconds() {
    local tool=$1 best="" t0 t1 s i
    for ((i = 0; i < REPEAT; i++)); do
        t0=$(now)
        if ! "tool_$tool" "$2" "$3" 2>"$tmp/$tool.err"; then
            echo "bench: $tool failed on $(basename "$2"): $(tail -1 "$tmp/$tool.err")" >&2
            echo fail
            return
        fi
        t1=$(now)
        s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
        if [ -z "$best" ] || awk -v s="$s" -v b="$best" 'BEGIN { exit !(s < b) }'; then best=$s; fi
    done
    echo "$best"
}
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s == "fail") { print "-"; exit } if (s <= 0) s = 0.0001; printf "%.1f", b / 1048576 / s }'; }

printf '%-14s %8s' dataset MB
for t in "${TOOLS[@]}"; do printf ' %12s' "$t MB/s"; done
printf ' %8s\n' ratio
for ds in "${DATASETS[@]}"; do
    file="$tmp/$ds.dat" cpy="$root/copybooks/$ds.cpy"
    "$GEN" "$ds" --size-mb "$MB" --seed 1 -o "$file" || die "cbzgen $ds failed"
    bytes=$(stat -c %s "$file")
    printf '%-14s %8.1f' "$ds" "$(awk -v b="$bytes" 'BEGIN { print b / 1048576 }')"
    declare -A rate=()
    for t in "${TOOLS[@]}"; do
        rate[$t]=$(mbps "$bytes" "$(seconds "$t" "$file" "$cpy")")
        printf ' %12s' "${rate[$t]}"
    done
    printf ' %8s\n' "$(awk -v c="${rate[convert]}" -v i="${rate[iconv]}" \
        'BEGIN { if (c == "-" || i == "-" || i == 0) print "-"; else printf "%.2f", c / i }')"
    unset rate
    rm -f "$file"
done
