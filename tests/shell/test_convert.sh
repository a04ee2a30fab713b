#!/usr/bin/env bash
# test_convert.sh — TAP-style tests of `cobzip convert` and `cobzip encode`:
# round trips (F EBCDIC with DISPLAY/COMP-3/COMP/OCCURS; V and VB with ODO and
# REDEFINES chosen by --select; JSONL), rejects with return codes 4 and 8,
# wrong file size (8), no overwrite without --force (12), --help.
# Fixtures are generated here with printf and iconv; all are a few bytes.
set -u
BIN=${CBZ_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/cobzip}
T=$(mktemp -d /tmp/cbz_convert_test.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1 ($2)"; }
check() { # check NAME CONDITION-STATUS WHY
    if [ "$2" -eq 0 ]; then ok "$1"; else notok "$1" "$3"; fi
}
e() { printf '%s' "$1" | iconv -f ASCII -t IBM037; }   # text in EBCDIC

# --- fixture 1: F, EBCDIC, DISPLAY signed/unsigned, COMP-3, COMP, OCCURS, FILLER
cat > "$T/cust.cpy" <<'CPY'
      * customer record, 36 bytes
       01 CUST.
          05 CUST-ID      PIC 9(6).
          05 NAME         PIC X(10).
          05 BALANCE      PIC S9(7)V99 COMP-3.
          05 DELTA        PIC S9(3).
          05 COUNT-B      PIC S9(4) COMP.
          05 PHONE        PIC X(4) OCCURS 2 TIMES.
          05 FILLER       PIC X(2).
CPY
{
    e "000123"; e "SMITH, J  "; printf '\x00\x12\x34\x56\x7c'; e "01"; printf '\xd2'; printf '\x01\x2c'; e "12345678"; e "  "
    e "999999"; e 'Q"UOTE    '; printf '\x99\x99\x99\x99\x9d'; e "00"; printf '\xc0'; printf '\xff\xfe'; e "ABCD    "; e "  "
} > "$T/cust.dat"

"$BIN" convert -c "$T/cust.cpy" "$T/cust.dat" -o "$T/cust.csv" 2>"$T/err"; rc=$?
check "convert F EBCDIC to CSV exits 0" $([ $rc -eq 0 ]; echo $?) "rc=$rc: $(cat "$T/err")"
head -1 "$T/cust.csv" | tr -d '\r' > "$T/hdr"
check "CSV header: elementary names, OCCURS subscripts, no FILLER" \
    $(grep -qx 'CUST-ID,NAME,BALANCE,DELTA,COUNT-B,PHONE(1),PHONE(2)' "$T/hdr"; echo $?) "got $(cat "$T/hdr")"
check "CSV values exact at scale, signed, quoted" \
    $(grep -q '^123,"SMITH, J",12345.67,-12,300,1234,5678' "$T/cust.csv" && grep -q '^999999,"Q""UOTE",-9999999.99,0,-2,ABCD,' "$T/cust.csv"; echo $?) \
    "got $(tr '\r\n' '|' < "$T/cust.csv")"
"$BIN" encode -c "$T/cust.cpy" "$T/cust.csv" -o "$T/cust.back" 2>"$T/err"; rc=$?
check "encode CSV back to F exits 0" $([ $rc -eq 0 ]; echo $?) "rc=$rc: $(cat "$T/err")"
check "F round trip convert -> encode is byte-identical" $(cmp -s "$T/cust.dat" "$T/cust.back"; echo $?) "$(cmp "$T/cust.dat" "$T/cust.back" 2>&1)"

"$BIN" convert -q -c "$T/cust.cpy" "$T/cust.dat" -o "$T/cust.jsonl" 2>"$T/err"; rc=$?
check "convert to JSONL (format from the extension)" \
    $([ $rc -eq 0 ] && head -1 "$T/cust.jsonl" | grep -qF '{"CUST":{"CUST-ID":123,"NAME":"SMITH, J","BALANCE":12345.67,"DELTA":-12,"COUNT-B":300,"PHONE":["1234","5678"]}}'; echo $?) \
    "rc=$rc, got $(head -1 "$T/cust.jsonl")"
"$BIN" encode -q -c "$T/cust.cpy" "$T/cust.jsonl" -o "$T/cust.back2" 2>"$T/err"; rc=$?
check "JSONL round trip is byte-identical (FILLER back as EBCDIC spaces)" \
    $([ $rc -eq 0 ] && cmp -s "$T/cust.dat" "$T/cust.back2"; echo $?) "rc=$rc $(cat "$T/err")"

cat "$T/cust.dat" | "$BIN" convert -q -c "$T/cust.cpy" --format jsonl - -o - > "$T/stdout.jsonl" 2>"$T/err"; rc=$?
check "stdin to stdout" $([ $rc -eq 0 ] && cmp -s "$T/stdout.jsonl" "$T/cust.jsonl"; echo $?) "rc=$rc $(cat "$T/err")"

"$BIN" convert -c "$T/cust.cpy" --fillers "$T/cust.dat" -o "$T/fill.csv" 2>/dev/null
check "--fillers keeps FILLER columns" $(head -1 "$T/fill.csv" | grep -q ',FILLER' ; echo $?) "$(head -1 "$T/fill.csv")"

# --- no overwrite without --force
"$BIN" convert -q -c "$T/cust.cpy" "$T/cust.dat" -o "$T/cust.csv" 2>"$T/err"; rc=$?
check "existing output refused without --force (12)" $([ $rc -eq 12 ] && grep -q -- '--force' "$T/err"; echo $?) "rc=$rc $(cat "$T/err")"
"$BIN" convert -q --force -c "$T/cust.cpy" "$T/cust.dat" -o "$T/cust.csv" 2>"$T/err"; rc=$?
check "--force replaces the output" $([ $rc -eq 0 ]; echo $?) "rc=$rc $(cat "$T/err")"
check "no temporary files left beside the output" $(ls -A "$T" | grep -q '\.tmp\.' ; [ $? -ne 0 ]; echo $?) "$(ls -A "$T")"

# --- wrong file size for the LRECL
{ cat "$T/cust.dat"; printf 'X'; } > "$T/bad.dat"
"$BIN" convert -q -c "$T/cust.cpy" "$T/bad.dat" -o "$T/bad.csv" 2>"$T/err"; rc=$?
check "wrong file size: exit 8 naming size, LRECL and remainder" \
    $([ $rc -eq 8 ] && grep -q 'file size 73' "$T/err" && grep -q 'LRECL 36' "$T/err" && grep -q 'remainder 1' "$T/err" && [ ! -e "$T/bad.csv" ]; echo $?) \
    "rc=$rc $(cat "$T/err")"
cat "$T/bad.dat" | "$BIN" convert -q -c "$T/cust.cpy" - -o "$T/bad2.csv" 2>"$T/err"; rc=$?
check "wrong size on stdin: exit 8" $([ $rc -eq 8 ] && grep -q 'LRECL 36' "$T/err"; echo $?) "rc=$rc $(cat "$T/err")"

# --- fixture 2: V, ODO and REDEFINES chosen by a segment field
cat > "$T/seg.cpy" <<'CPY'
       01 SEG.
          05 SEG-ID       PIC X.
          05 N            PIC 9.
          05 AMTS         PIC S9(3)V9 COMP-3
                          OCCURS 0 TO 3 TIMES DEPENDING ON N.
          05 BODY         PIC X(6).
          05 BODY-NUM REDEFINES BODY.
             10 NUM-A     PIC 9(3).
             10 NUM-B     PIC 9(3).
CPY
{
    printf '\x00\x12\x00\x00'; e "C2"; printf '\x00\x12\x5c\x00\x03\x0d'; e "ABCDEF"
    printf '\x00\x0c\x00\x00'; e "D0123456"
    printf '\x00\x0f\x00\x00'; e "C1"; printf '\x09\x99\x9c'; e "XY    "
} > "$T/seg.dat"
"$BIN" convert -q -c "$T/seg.cpy" --recfm V --select 'SEG-ID=C:BODY' --select 'SEG-ID=D:BODY-NUM' \
    "$T/seg.dat" -o "$T/seg.csv" 2>"$T/err"; rc=$?
check "V with ODO and --select: exit 0" $([ $rc -eq 0 ]; echo $?) "rc=$rc $(cat "$T/err")"
tr -d '\r' < "$T/seg.csv" > "$T/seg.lf"
check "ODO: columns for the maximum, empty past the counter; --select picks views" \
    $(grep -qx 'SEG-ID,N,AMTS(1),AMTS(2),AMTS(3),BODY,NUM-A,NUM-B' "$T/seg.lf" &&
      grep -qx 'C,2,12.5,-3.0,,ABCDEF,,' "$T/seg.lf" && grep -qx 'D,0,,,,,123,456' "$T/seg.lf" &&
      grep -qx 'C,1,999.9,,,XY,,' "$T/seg.lf"; echo $?) "got $(tr '\n' '|' < "$T/seg.lf")"
"$BIN" encode -q -c "$T/seg.cpy" --recfm V "$T/seg.csv" -o "$T/seg.back" 2>"$T/err"; rc=$?
check "V round trip with ODO and REDEFINES is byte-identical" \
    $([ $rc -eq 0 ] && cmp -s "$T/seg.dat" "$T/seg.back"; echo $?) "rc=$rc $(cat "$T/err") $(cmp "$T/seg.dat" "$T/seg.back" 2>&1)"
"$BIN" convert -q -c "$T/seg.cpy" --recfm V --select 'SEG-ID=C:BODY' --select 'SEG-ID=D:BODY-NUM' \
    --format jsonl "$T/seg.dat" -o "$T/seg.jsonl" 2>"$T/err"
check "JSONL: ODO array has the counter's length, chosen view only" \
    $(grep -qxF '{"SEG":{"SEG-ID":"C","N":2,"AMTS":[12.5,-3.0],"BODY":"ABCDEF"}}' "$T/seg.jsonl" &&
      grep -qxF '{"SEG":{"SEG-ID":"D","N":0,"AMTS":[],"BODY-NUM":{"NUM-A":123,"NUM-B":456}}}' "$T/seg.jsonl"; echo $?) \
    "got $(cat "$T/seg.jsonl")"
"$BIN" encode -q -c "$T/seg.cpy" --recfm VB "$T/seg.jsonl" -o "$T/seg.vb" 2>"$T/err"; rc=$?
"$BIN" convert -q -c "$T/seg.cpy" --recfm VB --select 'SEG-ID=C:BODY' --select 'SEG-ID=D:BODY-NUM' \
    "$T/seg.vb" -o "$T/seg_vb.csv" 2>>"$T/err"; rc2=$?
check "JSONL -> VB -> CSV gives the same CSV" \
    $([ $rc -eq 0 ] && [ $rc2 -eq 0 ] && cmp -s "$T/seg.csv" "$T/seg_vb.csv"; echo $?) "rc=$rc/$rc2 $(cat "$T/err")"
check "VB file starts with a BDW" $([ "$(head -c 4 "$T/seg.vb" | od -An -tx1 | tr -d ' ')" = "00310000" ]; echo $?) \
    "$(head -c 8 "$T/seg.vb" | od -An -tx1)"
"$BIN" encode -q -c "$T/seg.cpy" --recfm V --rdw le --rdw-length payload "$T/seg.csv" -o "$T/seg.le" 2>"$T/err"
"$BIN" convert -q -c "$T/seg.cpy" --recfm V --rdw le --rdw-length payload --select 'SEG-ID=C:BODY' \
    --select 'SEG-ID=D:BODY-NUM' "$T/seg.le" -o "$T/seg_le.csv" 2>>"$T/err"
check "little-endian payload-only RDW round trip" \
    $(cmp -s "$T/seg.csv" "$T/seg_le.csv" && [ "$(head -c 4 "$T/seg.le" | od -An -tx1 | tr -d ' ')" = "00000e00" ]; echo $?) "$(cat "$T/err")"

# --- rejects: without --select the numeric view of text is invalid
"$BIN" convert -c "$T/seg.cpy" --recfm V "$T/seg.dat" -o "$T/rej.csv" 2>"$T/err"; rc=$?
check "invalid values: exit 4, report OUTPUT.rejects" \
    $([ $rc -eq 4 ] && [ -s "$T/rej.csv.rejects" ] && grep -q 'rejected' "$T/err"; echo $?) "rc=$rc $(cat "$T/err")"
check "reject lines: record, file offset, field, raw hex" \
    $(grep -qP '^1\t12\tNUM-A\tC1C2C3\t' "$T/rej.csv.rejects"; echo $?) "got $(cat "$T/rej.csv.rejects")"
check "rejected values are empty cells" $(tr -d '\r' < "$T/rej.csv" | grep -qx 'C,2,12.5,-3.0,,ABCDEF,,'; echo $?) "$(cat "$T/rej.csv")"
"$BIN" convert -q -c "$T/seg.cpy" --recfm V --max-errors 1 --rejects "$T/r.txt" "$T/seg.dat" -o "$T/rej2.csv" 2>"$T/err"; rc=$?
check "past --max-errors: exit 8, output not written, report kept" \
    $([ $rc -eq 8 ] && [ ! -e "$T/rej2.csv" ] && [ -s "$T/r.txt" ] && grep -q 'max-errors' "$T/err"; echo $?) "rc=$rc $(cat "$T/err")"
"$BIN" convert -q -c "$T/cust.cpy" --rejects "$T/none.txt" "$T/cust.dat" -o "$T/c3.csv" 2>"$T/err"; rc=$?
check "--rejects FILE is created even with no rejects" $([ $rc -eq 0 ] && [ "$(wc -l < "$T/none.txt")" -eq 1 ]; echo $?) "rc=$rc"

# --- encode rejects a value that does not fit
printf 'SEG-ID,N,BODY\r\nC,12,ABC\r\n' > "$T/badval.csv"
"$BIN" encode -c "$T/seg.cpy" --recfm V "$T/badval.csv" -o "$T/badval.dat" 2>"$T/err"; rc=$?
check "encode: a value that does not fit is rejected (exit 4)" $([ $rc -eq 4 ] && grep -q 'N' "$T/badval.dat.rejects"; echo $?) "rc=$rc $(cat "$T/err")"
printf 'SEG-ID,NOPE\r\nC,1\r\n' > "$T/badcol.csv"
"$BIN" encode -q -c "$T/seg.cpy" --recfm V "$T/badcol.csv" -o "$T/badcol.dat" 2>"$T/err"; rc=$?
check "encode: unknown header column is an error (8)" $([ $rc -eq 8 ] && grep -q NOPE "$T/err" && [ ! -e "$T/badcol.dat" ]; echo $?) "rc=$rc $(cat "$T/err")"

# --- --variable-occurs: records back to back, each as long as its (nested) ODO counters say
cat > "$T/nest.cpy" <<'CPY'
       01 RECORD.
          02 CNT PIC 9(1).
          02 GRP OCCURS 0 TO 2 TIMES DEPENDING ON CNT.
             03 INNER-CNT PIC 9(1).
             03 INNER OCCURS 0 TO 3 TIMES DEPENDING ON INNER-CNT.
                04 FLD PIC X.
CPY
printf '01012AB21A2BC' > "$T/nest.dat"
"$BIN" convert -q -c "$T/nest.cpy" --codepage ascii --variable-occurs --format jsonl "$T/nest.dat" -o "$T/nest.jsonl" 2>"$T/err"; rc=$?
check "--variable-occurs frames records by their nested ODO counters" \
    $([ $rc -eq 0 ] && [ "$(wc -l < "$T/nest.jsonl")" -eq 4 ] &&
      grep -qxF '{"RECORD":{"CNT":2,"GRP":[{"INNER-CNT":1,"INNER":[{"FLD":"A"}]},{"INNER-CNT":2,"INNER":[{"FLD":"B"},{"FLD":"C"}]}]}}' "$T/nest.jsonl"; echo $?) \
    "rc=$rc $(cat "$T/err") $(cat "$T/nest.jsonl")"
"$BIN" encode -q -c "$T/nest.cpy" --codepage ascii --variable-occurs "$T/nest.jsonl" -o "$T/nest.back" 2>"$T/err"; rc=$?
check "--variable-occurs round trip is byte-identical" $([ $rc -eq 0 ] && cmp -s "$T/nest.dat" "$T/nest.back"; echo $?) "rc=$rc $(cat "$T/err")"
printf '2' >> "$T/nest.dat"
"$BIN" convert -q -c "$T/nest.cpy" --codepage ascii --variable-occurs "$T/nest.dat" -o "$T/nest2.csv" 2>"$T/err"; rc=$?
check "--variable-occurs: a truncated last record is exit 8" $([ $rc -eq 8 ] && grep -q 'record 5' "$T/err"; echo $?) "rc=$rc $(cat "$T/err")"

# --- a real V file (Cobrix test14: little-endian RDW counting its header,
#     segments of different lengths chosen by SEGMENT-ID), when the shared data is there
C14=${CBZ_SHARED:-/work/shared}/conformance/cobrix/data
if [ -f "$C14/test14_copybook.cob" ]; then
    "$BIN" convert -q -c "$C14/test14_copybook.cob" --recfm V --rdw le --select 'SEGMENT-ID=C,D:STATIC-DETAILS' \
        --select 'SEGMENT-ID=P:CONTACTS' "$C14/test14_data/COMP.DETAILS.JUL02.DATA.dat" -o "$T/t14.jsonl" 2>"$T/err"; rc=$?
    "$BIN" encode -q -c "$C14/test14_copybook.cob" --recfm V --rdw le "$T/t14.jsonl" -o "$T/t14.dat" 2>>"$T/err"; rc2=$?
    # rc 4: TAXPAYER-NUM (PIC 9(8) COMP over text) holds more digits than its PIC
    check "Cobrix test14 (V, segments) convert -> encode is byte-identical" \
        $([ $rc -le 4 ] && [ $rc2 -eq 0 ] && cmp -s "$C14/test14_data/COMP.DETAILS.JUL02.DATA.dat" "$T/t14.dat"; echo $?) \
        "rc=$rc/$rc2 $(cat "$T/err")"
fi


# --- --threads: the output (and the reject report) is the same for any thread
#     count; small chunks so that every run has many chunks
GEN=${CBZ_GEN:-$(cd "$(dirname "$0")/../.." && pwd)/build/cbzgen}
ROOT=${CBZ_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -x "$GEN" ]; then
    "$GEN" transactions --records 3000 --seed 3 -o "$T/tx.dat" >/dev/null 2>&1
    "$GEN" ledger --records 400 --seed 3 -o "$T/lg.dat" >/dev/null 2>&1
    "$GEN" vb --records 2000 --seed 3 -o "$T/vb.dat" >/dev/null 2>&1
    # a few bad values: spaces over a zoned field in records 7 and 2500
    python3 - "$T/tx.dat" "$T/txbad.dat" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
for rec in (6, 2499):
    d[rec * 150:rec * 150 + 12] = b'\x40' * 12
open(sys.argv[2], 'wb').write(d)
PY
    for spec in "tx.dat transactions.cpy csv" "tx.dat transactions.cpy jsonl" "lg.dat ledger.cpy csv" \
                "lg.dat ledger.cpy jsonl" "vb.dat vb.cpy jsonl --recfm VB --select SEGMENT-ID=H:HEADER-SEG --select SEGMENT-ID=D:DETAIL-SEG" "txbad.dat transactions.cpy csv"; do
        set -- $spec
        f=$1 cpy=$2 fmt=$3; shift 3
        same=0 rcs=""
        for t in 1 2 3; do
            "$BIN" convert -q -c "$ROOT/copybooks/$cpy" "$@" --format $fmt --threads $t --chunk-size 20000 \
                --force "$T/$f" -o "$T/thr$t.out" --rejects "$T/thr$t.rej" 2>"$T/err"; rc=$?
            rcs="$rcs $rc"
            [ $t -gt 1 ] && { cmp -s "$T/thr1.out" "$T/thr$t.out" && cmp -s "$T/thr1.rej" "$T/thr$t.rej" || same=1; }
        done
        [ "$f" = txbad.dat ] && want=" 4 4 4" || want=" 0 0 0"
        check "--threads 1, 2, 3 give byte-identical output and rejects ($f, $fmt)" \
            $([ "$rcs" = "$want" ] && [ $same -eq 0 ] && [ -s "$T/thr1.out" ]; echo $?) "rc=$rcs same=$same $(cat "$T/err")"
    done
    check "rejects are reported in record order with their file offsets" \
        $(awk -F'\t' 'NR==2 && $1==7 && $2==900 {a=1} NR==3 && $1==2500 && $2==374850 {b=1} END {exit !(a && b)}' \
          "$T/thr3.rej"; echo $?) "$(head -3 "$T/thr3.rej")"
    "$BIN" convert -q -c "$ROOT/copybooks/transactions.cpy" --threads 1 "$T/tx.dat" -o "$T/one.csv" 2>"$T/err"
    "$BIN" convert -q -c "$ROOT/copybooks/transactions.cpy" --threads 2 --chunk-size 4096 "$T/tx.dat" -o "$T/many.csv" 2>"$T/err"
    check "a chunk smaller than a batch of records still converts every record" \
        $(cmp -s "$T/one.csv" "$T/many.csv" && [ "$(wc -l < "$T/one.csv")" -eq 3001 ]; echo $?) "$(cat "$T/err")"
    # stdin streams (no mmap): same output
    sel="--select SEGMENT-ID=H:HEADER-SEG --select SEGMENT-ID=D:DETAIL-SEG"
    cat "$T/vb.dat" | "$BIN" convert -q -c "$ROOT/copybooks/vb.cpy" --recfm VB $sel --format jsonl --threads 3 \
        --chunk-size 3000 - -o "$T/vbin.out" 2>"$T/err"; rc=$?
    "$BIN" convert -q -c "$ROOT/copybooks/vb.cpy" --recfm VB $sel --format jsonl --threads 1 "$T/vb.dat" -o "$T/vbfile.out" 2>>"$T/err"
    check "stdin input (streamed in chunks) gives the same output as the mapped file" \
        $([ $rc -eq 0 ] && cmp -s "$T/vbin.out" "$T/vbfile.out"; echo $?) "rc=$rc $(cat "$T/err")"
    "$BIN" convert -q -c "$ROOT/copybooks/transactions.cpy" --threads 3 --chunk-size 5000 --max-errors 1 \
        "$T/txbad.dat" -o "$T/lim.csv" 2>"$T/err"; rc=$?
    check "--max-errors with threads: exit 8 at the reject past the limit" \
        $([ $rc -eq 8 ] && grep -q 'stopped at record 2500' "$T/err" && [ ! -e "$T/lim.csv" ]; echo $?) "rc=$rc $(cat "$T/err")"
    # gzip / bzip2 input
    gzip -c "$T/tx.dat" > "$T/tx.dat.gz"; bzip2 -c "$T/tx.dat" > "$T/tx.dat.bz2"
    for z in gz bz2; do
        "$BIN" convert -q -c "$ROOT/copybooks/transactions.cpy" --threads 2 --chunk-size 20000 "$T/tx.dat.$z" \
            -o "$T/z.csv" --force 2>"$T/err"; rc=$?
        check "a .$z input is decompressed on the fly (same CSV)" \
            $([ $rc -eq 0 ] && cmp -s "$T/one.csv" "$T/z.csv"; echo $?) "rc=$rc $(cat "$T/err")"
    done
    head -c 20000 "$T/tx.dat.gz" > "$T/cut.gz"
    "$BIN" convert -q -c "$ROOT/copybooks/transactions.cpy" "$T/cut.gz" -o "$T/cut.csv" 2>"$T/err"; rc=$?
    check "a truncated gzip input is exit 8 naming gzip" \
        $([ $rc -eq 8 ] && grep -q 'gzip' "$T/err" && [ ! -e "$T/cut.csv" ]; echo $?) "rc=$rc $(cat "$T/err")"
    "$BIN" convert -q -c "$ROOT/copybooks/transactions.cpy" --threads 0 "$T/tx.dat" -o "$T/t0.csv" 2>"$T/err"; rc=$?
    check "--threads 0 (all cores) works" $([ $rc -eq 0 ] && cmp -s "$T/one.csv" "$T/t0.csv"; echo $?) "rc=$rc"
    "$BIN" convert -q -c "$ROOT/copybooks/transactions.cpy" --threads x "$T/tx.dat" -o "$T/tx.csv" 2>"$T/err"; rc=$?
    check "--threads x is a usage error (12)" $([ $rc -eq 12 ]; echo $?) "rc=$rc"
else
    notok "--threads tests" "no generator at $GEN"
fi

# --- file header and trailer: --file-start-offset / --file-end-offset
{ printf 'HDR-0123456789'; cat "$T/cust.dat"; printf 'TRAILER!'; } > "$T/hdr.dat"
"$BIN" convert -q -c "$T/cust.cpy" "$T/cust.dat" -o "$T/plain.csv" 2>"$T/err"
"$BIN" convert -q -c "$T/cust.cpy" --file-start-offset 14 --file-end-offset 8 "$T/hdr.dat" -o "$T/hdr.csv" 2>"$T/err"; rc=$?
check "--file-start-offset/--file-end-offset skip a header and a trailer (F)" \
    $([ $rc -eq 0 ] && cmp -s "$T/plain.csv" "$T/hdr.csv"; echo $?) "rc=$rc $(cat "$T/err")"
cat "$T/hdr.dat" | "$BIN" convert -q -c "$T/cust.cpy" --file-start-offset 14 --file-end-offset 8 - -o "$T/hdrin.csv" 2>"$T/err"; rc=$?
check "header/trailer offsets on stdin" $([ $rc -eq 0 ] && cmp -s "$T/plain.csv" "$T/hdrin.csv"; echo $?) "rc=$rc $(cat "$T/err")"
"$BIN" convert -q -c "$T/cust.cpy" "$T/hdr.dat" -o "$T/nohdr.csv" 2>"$T/err"; rc=$?
check "without the offsets the size is wrong for the LRECL (8)" \
    $([ $rc -eq 8 ] && grep -q 'not a multiple of LRECL 36' "$T/err"; echo $?) "rc=$rc $(cat "$T/err")"
"$BIN" convert -q -c "$T/cust.cpy" --file-start-offset 14 --file-end-offset 9 "$T/hdr.dat" -o "$T/bad.csv" 2>"$T/err"; rc=$?
check "offsets that leave a partial record: exit 8 naming the skipped bytes" \
    $([ $rc -eq 8 ] && grep -q 'after the header and trailer' "$T/err"; echo $?) "rc=$rc $(cat "$T/err")"
"$BIN" convert -q -c "$T/cust.cpy" --file-start-offset 60 --file-end-offset 50 "$T/hdr.dat" -o "$T/bad.csv" 2>"$T/err"; rc=$?
check "offsets larger than the file: exit 8" \
    $([ $rc -eq 8 ] && grep -q 'less than the header and trailer' "$T/err"; echo $?) "rc=$rc $(cat "$T/err")"
cat "$T/hdr.dat" | "$BIN" convert -q -c "$T/cust.cpy" --file-start-offset 60 --file-end-offset 50 - -o "$T/bad.csv" 2>"$T/err"; rc=$?
check "offsets larger than stdin: exit 8" $([ $rc -eq 8 ] && grep -q 'header or trailer' "$T/err"; echo $?) "rc=$rc $(cat "$T/err")"

# --- ODO counters holding codes (--occurs-map), and --static-occurs
cat > "$T/om.cpy" <<'CPY'
       01 REC.
          05 ID     PIC 9.
          05 KIND   PIC X.
          05 T1     OCCURS 0 TO 2 TIMES DEPENDING ON KIND.
             10 V1  PIC X.
          05 T2     OCCURS 0 TO 2 TIMES DEPENDING ON KIND.
             10 V2  PIC X.
CPY
printf '1AX2BXYZ' > "$T/om.dat"
"$BIN" convert -q -c "$T/om.cpy" --codepage ascii --variable-occurs --occurs-map 'T1=A:0,B:1' --occurs-map 'T2=A:1,B:2' \
    --format jsonl "$T/om.dat" -o "$T/om.jsonl" 2>"$T/err"; rc=$?
check "--occurs-map: counter codes give the element counts" \
    $([ $rc -eq 0 ] && grep -qxF '{"REC":{"ID":2,"KIND":"B","T1":[{"V1":"X"}],"T2":[{"V2":"Y"},{"V2":"Z"}]}}' "$T/om.jsonl" &&
      grep -qxF '{"REC":{"ID":1,"KIND":"A","T1":[],"T2":[{"V2":"X"}]}}' "$T/om.jsonl"; echo $?) "rc=$rc $(cat "$T/err" "$T/om.jsonl")"
"$BIN" encode -q -c "$T/om.cpy" --codepage ascii --variable-occurs --occurs-map 'T1=A:0,B:1' --occurs-map 'T2=A:1,B:2' \
    "$T/om.jsonl" -o "$T/om.back" 2>"$T/err"; rc=$?
check "--occurs-map round trip through encode is byte-identical" $([ $rc -eq 0 ] && cmp -s "$T/om.dat" "$T/om.back"; echo $?) "rc=$rc $(cat "$T/err")"
printf '1CXXXX' > "$T/om2.dat"
"$BIN" convert -q -c "$T/om.cpy" --codepage ascii --static-occurs --occurs-map 'T1=A:0,B:1' --occurs-map 'T2=A:1,B:2' \
    --format jsonl "$T/om2.dat" -o "$T/om2.jsonl" --rejects "$T/om2.rej" 2>"$T/err"; rc=$?
check "--occurs-map: a code not listed is a reject (4)" \
    $([ $rc -eq 4 ] && grep -q "holds 'C', a value --occurs-map does not list" "$T/om2.rej"; echo $?) "rc=$rc $(cat "$T/err")"
printf '1AQRX 2BXQYZ' > "$T/om3.dat"
"$BIN" convert -q -c "$T/om.cpy" --codepage ascii --static-occurs --occurs-map 'T1=A:0,B:1' --occurs-map 'T2=A:1,B:2' \
    --format jsonl "$T/om3.dat" -o "$T/om3.jsonl" 2>"$T/err"; rc=$?
check "--static-occurs: fields after an ODO table stay at their static offsets" \
    $([ $rc -eq 0 ] && grep -qxF '{"REC":{"ID":1,"KIND":"A","T1":[],"T2":[{"V2":"X"}]}}' "$T/om3.jsonl" &&
      grep -qxF '{"REC":{"ID":2,"KIND":"B","T1":[{"V1":"X"}],"T2":[{"V2":"Y"},{"V2":"Z"}]}}' "$T/om3.jsonl"; echo $?) \
    "rc=$rc $(cat "$T/err" "$T/om3.jsonl")"
for bad in 'T1=A' 'T1=A:3' 'NOPE=A:1' 'ID=A:1' 'T1=A:x'; do
    "$BIN" convert -q -c "$T/om.cpy" --codepage ascii --occurs-map "$bad" "$T/om3.dat" -o "$T/x.csv" 2>"$T/err"; rc=$?
    check "--occurs-map '$bad' is a usage error (12)" $([ $rc -eq 12 ] && grep -q -- '--occurs-map' "$T/err"; echo $?) "rc=$rc $(cat "$T/err")"
done

# --- help
for c in convert encode; do
    "$BIN" $c --help > "$T/help" 2>&1; rc=$?
    check "$c --help answers fully" $([ $rc -eq 0 ] && grep -q -- '--max-errors' "$T/help" && grep -q -- '--recfm' "$T/help" &&
        grep -q 'return codes' "$T/help" && grep -q -- '--format' "$T/help"; echo $?) "rc=$rc"
done
"$BIN" convert -c "$T/cust.cpy" "$T/cust.dat" 2>"$T/err"; rc=$?
check "missing -o is a usage error (12)" $([ $rc -eq 12 ]; echo $?) "rc=$rc"
exit 0
