#!/usr/bin/env bash
# run-sample.sh — what `make run` runs: generate the built-in sample extract
# (card transactions, EBCDIC cp037, RECFM FB) into sample/, compress it into a
# dataset, verify it, restore it and compare SHA-256, compare the ratio with
# gzip -9 and xz -9 on the same file; then convert it to CSV and JSON Lines,
# encode both back to records, check those round trips too, and print a
# summary.
#
#   CBZ_SAMPLE_RECORDS   records to generate (default 50000)
#   CBZ_BIN, CBZ_GEN     the cobzip and cbzgen binaries (default build/)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${CBZ_BIN:-$root/build/cobzip}
GEN=${CBZ_GEN:-$root/build/cbzgen}
RECORDS=${CBZ_SAMPLE_RECORDS:-50000}
CPY="$root/copybooks/transactions.cpy"
dir="$root/sample"

die() { echo "run-sample: $*" >&2; exit 1; }
for b in "$BIN" "$GEN"; do [ -x "$b" ] || die "missing $b (run make)"; done
command -v sha256sum >/dev/null 2>&1 || die "sha256sum is missing (coreutils)"
mkdir -p "$dir" || die "cannot create $dir"

now() { date +%s.%N; }
# step NAME COMMAND...: runs COMMAND, remembers its seconds in $last_secs.
step() {
    local name=$1 t0 t1
    shift
    t0=$(now)
    if ! "$@"; then die "step '$name' failed: $*"; fi
    t1=$(now)
    last_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}
size() { stat -c %s "$1"; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s <= 0) s = 0.001; printf "%.1f", b / 1048576 / s }'; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

dat="$dir/transactions.dat"
step generate "$GEN" transactions --records "$RECORDS" --seed 1 --force -o "$dat"
gen_secs=$last_secs
"$BIN" layout -c "$CPY" >"$dir/transactions.layout.txt" || die "cobzip layout failed"

step convert-csv "$BIN" convert -c "$CPY" --format csv --force "$dat" -o "$dir/transactions.csv"
csv_secs=$last_secs
step convert-jsonl "$BIN" convert -c "$CPY" --format jsonl --force "$dat" -o "$dir/transactions.jsonl"
jsonl_secs=$last_secs
step encode-csv "$BIN" encode -c "$CPY" --format csv --force "$dir/transactions.csv" -o "$dir/transactions.from-csv.dat"
enc_csv_secs=$last_secs
step encode-jsonl "$BIN" encode -c "$CPY" --format jsonl --force "$dir/transactions.jsonl" -o "$dir/transactions.from-jsonl.dat"
enc_jsonl_secs=$last_secs

orig=$(sha "$dat")
ds="$dir/transactions.cobzip"
step compress "$BIN" compress -q -c "$CPY" --recfm FB --force "$dat" -o "$ds"
comp_secs=$last_secs
step verify "$BIN" verify -q "$ds"
verify_secs=$last_secs
rm -rf "$dir/restored"
step decompress "$BIN" decompress -q --force "$ds" -o "$dir/restored"
decomp_secs=$last_secs
member="$ds/transactions.dat.cobz"
gzip_bytes=$(gzip -9 -c "$dat" | wc -c)
xz_bytes=$(xz -9 -T1 -c "$dat" | wc -c)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rc=0
verdict() {
    if [ "$(sha "$1")" = "$orig" ]; then echo "identical"; else echo "DIFFERENT"; rc=1; fi
}
restore_verdict=$(verdict "$dir/restored/transactions.dat")
csv_verdict=$(verdict "$dir/transactions.from-csv.dat")
jsonl_verdict=$(verdict "$dir/transactions.from-jsonl.dat")

bytes=$(size "$dat")
echo
echo "cobzip sample: $RECORDS card transactions (copybooks/transactions.cpy, cp037, LRECL 150)"
printf '  %-28s %12s %9s %10s\n' step bytes seconds "MB/s"
printf '  %-28s %12d %9s %10s\n' "generate (cbzgen)" "$bytes" "$gen_secs" "$(mbps "$bytes" "$gen_secs")"
printf '  %-28s %12d %9s %10s\n' "compress (dataset)" "$(size "$member")" "$comp_secs" "$(mbps "$bytes" "$comp_secs")"
printf '  %-28s %12s %9s %10s\n' "verify (decode + SHA-256)" "" "$verify_secs" "$(mbps "$bytes" "$verify_secs")"
printf '  %-28s %12d %9s %10s\n' "decompress" "$(size "$dir/restored/transactions.dat")" "$decomp_secs" "$(mbps "$bytes" "$decomp_secs")"
printf '  %-28s %12d %9s %10s\n' "convert -> CSV" "$(size "$dir/transactions.csv")" "$csv_secs" "$(mbps "$bytes" "$csv_secs")"
printf '  %-28s %12d %9s %10s\n' "convert -> JSONL" "$(size "$dir/transactions.jsonl")" "$jsonl_secs" "$(mbps "$bytes" "$jsonl_secs")"
printf '  %-28s %12d %9s %10s\n' "encode CSV -> records" "$(size "$dir/transactions.from-csv.dat")" "$enc_csv_secs" "$(mbps "$bytes" "$enc_csv_secs")"
printf '  %-28s %12d %9s %10s\n' "encode JSONL -> records" "$(size "$dir/transactions.from-jsonl.dat")" "$enc_jsonl_secs" "$(mbps "$bytes" "$enc_jsonl_secs")"
echo "  (MB/s counts the record file's bytes, MB = 2^20 bytes)"
echo "  SHA-256 original          $orig"
echo "  restore from dataset      $restore_verdict"
echo "  ratio cobzip $(ratio "$bytes" "$(size "$member")")   gzip -9 $(ratio "$bytes" "$gzip_bytes")   xz -9 $(ratio "$bytes" "$xz_bytes")   (cobzip / xz -9 = $(ratio "$xz_bytes" "$(size "$member")"))"
echo "  round trip via CSV        $csv_verdict"
echo "  round trip via JSONL      $jsonl_verdict"
echo "  files in $dir"
echo
"$BIN" info "$ds" || rc=1
exit $rc
