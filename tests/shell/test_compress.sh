#!/usr/bin/env bash
# test_compress.sh — compress / decompress / verify / info / cat round trips:
# generated data, Cobrix files, files that break their copybook, random and
# empty files, stdin, thread-count determinism, dataset manifests, --force.
set -u
B=${CBZ_BIN:-build/cobzip}
G=${CBZ_GEN:-build/cbzgen}
ROOT=${CBZ_ROOT:-.}
C=${CBZ_SHARED:-../shared}/conformance/cobrix/data
T=$(mktemp -d /tmp/cbz_compress.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1 ($2)"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# round_trip NAME INPUT [compress options...]: compress, verify, decompress, compare.
round_trip() {
    local name=$1 in=$2; shift 2
    n=$((n + 1))
    local ds="$T/ds$n" out="$T/out$n"
    if ! "$B" compress -q "$@" "$in" -o "$ds" 2>"$T/err"; then notok "$name" "compress rc=$? $(head -c 300 "$T/err")"; return; fi
    if ! "$B" verify -q "$ds" >/dev/null 2>"$T/err"; then notok "$name" "verify: $(head -c 300 "$T/err")"; return; fi
    if ! "$B" decompress -q "$ds" -o "$out" 2>"$T/err"; then notok "$name" "decompress: $(head -c 300 "$T/err")"; return; fi
    local base; base=$(basename "$in")
    if [ "$(sha "$in")" = "$(sha "$out/$base")" ]; then ok "$name"; else notok "$name" "restored bytes differ"; fi
}

# Generated data with their copybooks.
if [ -x "$G" ]; then
    "$G" transactions --records 3000 -o "$T/tx.dat" >/dev/null
    "$G" customers --records 800 -o "$T/cust.dat" >/dev/null
    "$G" ledger --records 400 -o "$T/ledger.dat" >/dev/null
    "$G" vb --records 3000 -o "$T/vb.dat" >/dev/null
    round_trip "transactions (FB 150, copybook)" "$T/tx.dat" -c "$ROOT/copybooks/transactions.cpy" --recfm FB --chunk-size 100000
    round_trip "customers (FB 360, OCCURS)" "$T/cust.dat" -c "$ROOT/copybooks/customers.cpy" --recfm FB --chunk-size 100000
    round_trip "ledger (ODO)" "$T/ledger.dat" -c "$ROOT/copybooks/ledger.cpy" --recfm FB
    round_trip "vb (VB, segments)" "$T/vb.dat" -c "$ROOT/copybooks/vb.cpy" --recfm VB --chunk-size 50000
    round_trip "transactions at level 19" "$T/tx.dat" -c "$ROOT/copybooks/transactions.cpy" --level 19
    round_trip "transactions, --lrecl only (byte planes)" "$T/tx.dat" --lrecl 150
    round_trip "transactions, generic (no copybook, no lrecl)" "$T/tx.dat"
    round_trip "vb read as V without copybook" "$T/vb.dat" --recfm V

    # Files that break their copybook.
    python3 - "$T/tx.dat" "$T/tx_bad.dat" <<'PY'
import sys, random
d = bytearray(open(sys.argv[1], 'rb').read())
r = random.Random(7)
for rec in range(0, len(d) // 150, 3):
    o = rec * 150
    for i in range(12): d[o + i] = r.randrange(256)       # zoned 9(12): random bytes
    d[o + 12 + 7] = (d[o + 12 + 7] & 0xF0) | 0x0B         # packed sign nibble B
    d[o + 12 + 2] = 0xAB                                   # packed digit nibbles > 9
open(sys.argv[2], 'wb').write(bytes(d[:-77]))             # and a short last record
PY
    round_trip "bad values, bad nibbles, short last record" "$T/tx_bad.dat" -c "$ROOT/copybooks/transactions.cpy" --chunk-size 50000
    round_trip "wrong LRECL (149 for 150)" "$T/tx.dat" -c "$ROOT/copybooks/transactions.cpy" --lrecl 149
    head -c 100000 "$T/vb.dat" > "$T/vb_cut.dat"
    round_trip "VB cut in the middle of a block" "$T/vb_cut.dat" -c "$ROOT/copybooks/vb.cpy" --recfm VB
    round_trip "VB file read as F" "$T/vb.dat" -c "$ROOT/copybooks/transactions.cpy"

    # Same member bytes for 1, 2 and 3 threads.
    for t in 1 2 3; do "$B" compress -q -c "$ROOT/copybooks/transactions.cpy" --chunk-size 60000 --threads $t "$T/tx.dat" -o "$T/thr$t"; done
    if cmp -s "$T/thr1/tx.dat.cobz" "$T/thr2/tx.dat.cobz" && cmp -s "$T/thr1/tx.dat.cobz" "$T/thr3/tx.dat.cobz"; then
        ok "member bytes identical for 1, 2, 3 threads"
    else notok "member bytes identical for 1, 2, 3 threads" "differ"; fi

    # stdin (stream input, no mmap) restores the same bytes.
    "$B" compress -q -c "$ROOT/copybooks/vb.cpy" --recfm VB --chunk-size 30000 - -o "$T/dsin" < "$T/vb.dat"
    "$B" decompress -q "$T/dsin/stdin.cobz" -o "$T/vb.stdin"
    if cmp -s "$T/vb.dat" "$T/vb.stdin"; then ok "stdin input round trip"; else notok "stdin input round trip" "differ"; fi

    # cat: random access.
    M="$T/thr1/tx.dat.cobz"
    "$B" cat "$M" --records 1001-1010 > "$T/cat.raw"
    dd if="$T/tx.dat" bs=150 skip=1000 count=10 status=none > "$T/cat.want"
    if cmp -s "$T/cat.raw" "$T/cat.want"; then ok "cat --records raw equals the records"; else notok "cat --records raw equals the records" "differ"; fi
    lines=$("$B" cat "$M" --records 5-9 --format jsonl | wc -l)
    [ "$lines" -eq 5 ] && ok "cat --format jsonl gives 5 lines" || notok "cat --format jsonl gives 5 lines" "$lines"
    lines=$("$B" cat "$M" --records 5-9 --format csv | wc -l)
    [ "$lines" -eq 6 ] && ok "cat --format csv gives header + 5 rows" || notok "cat --format csv gives header + 5 rows" "$lines"
    "$B" cat "$M" --records 2999-3001 >/dev/null 2>&1; rc=$?
    [ $rc -ne 0 ] && ok "cat past the last record fails (rc=$rc)" || notok "cat past the last record fails" "rc=0"
    "$B" cat "$T/ds4/vb.dat.cobz" --records 7-8 > "$T/cat.v"
    python3 - "$T/cat.v" <<'PY' && ok "cat of VB gives RECFM V records" || notok "cat of VB gives RECFM V records" "bad RDWs"
import sys
d = open(sys.argv[1], 'rb').read(); i = 0; n = 0
while i < len(d):
    l = d[i] << 8 | d[i+1]
    assert l >= 4 and d[i+2:i+4] == b'\0\0'; i += l; n += 1
assert i == len(d) and n == 2
PY
else
    echo "# cbzgen not built: generated-data cases skipped"
fi

# Cobrix files with their copybooks.
round_trip "cobrix test1 (ODO, REDEFINES)" "$C/test1_data/example.bin" -c "$C/test1_copybook.cob"
round_trip "cobrix test3" "$C/test3_data/TRAN2.AUG31.DATA.dat" -c "$C/test3_copybook.cob"
round_trip "cobrix test6 (every numeric type)" "$C/test6_data/INTEGR.TYPES.NOV28.DATA.dat" -c "$C/test6_copybook.cob"
round_trip "cobrix test14 (V, segments)" "$C/test14_data/COMP.DETAILS.JUL02.DATA.dat" -c "$C/test14_copybook.cob" --recfm V
round_trip "cobrix test5 (V, LE payload-only RDW)" "$C/test5_data/COMP.DETAILS.SEP30.DATA.dat" -c "$C/test5_copybook.cob" --recfm V --rdw le --rdw-length payload
round_trip "cobrix test5b (V, BE RDW)" "$C/test5b_data/COMP.DETAILS.FEB02.DATA.RDW.BE.dat" -c "$C/test5_copybook.cob" --recfm V
round_trip "cobrix test4 (ASCII)" "$C/test4_data/COMP.DETAILS.SEP30.DATA.dat" -c "$C/test4_copybook.cob" --codepage latin1 --recfm V --rdw le --rdw-length payload
round_trip "cobrix test14 read with the wrong RDW order" "$C/test14_data/COMP.DETAILS.JUL02.DATA.dat" -c "$C/test14_copybook.cob" --recfm V --rdw le

# Random and empty files.
head -c 200000 /dev/urandom > "$T/random.bin"
: > "$T/empty.bin"
round_trip "random binary, generic" "$T/random.bin"
round_trip "random binary, --lrecl 33" "$T/random.bin" --lrecl 33
round_trip "random binary, --recfm VB" "$T/random.bin" --recfm VB
round_trip "random binary with a copybook" "$T/random.bin" -c "$C/test6_copybook.cob"
round_trip "empty file" "$T/empty.bin"
round_trip "empty file with a copybook" "$T/empty.bin" -c "$C/test1_copybook.cob"

# Dataset: standard tools, several members, --member, --force, info --json.
"$B" compress -q "$T/random.bin" "$T/empty.bin" -o "$T/multi"
if (cd "$T/multi" && sha256sum -c --quiet manifest-sha256.txt && sha256sum -c --quiet tagmanifest-sha256.txt); then
    ok "sha256sum -c checks both manifests"; else notok "sha256sum -c checks both manifests" "failed"; fi
"$B" compress -q "$T/random.bin" -o "$T/multi" 2>/dev/null; rc=$?
[ $rc -eq 12 ] && ok "existing dataset refused without --force (rc 12)" || notok "existing dataset refused without --force" "rc=$rc"
"$B" compress -q "$T/empty.bin" -o "$T/multi" --force && [ ! -e "$T/multi/random.bin.cobz" ] && [ -e "$T/multi/empty.bin.cobz" ] \
    && ok "--force replaces the dataset" || notok "--force replaces the dataset" "old members left"
ls -a "$T" | grep -q '\.tmp\.' && notok "no temporary directory left" "found one" || ok "no temporary directory left"
"$B" compress -q "$T/random.bin" "$T/empty.bin" -o "$T/multi2"
"$B" decompress -q "$T/multi2" --member random.bin -o "$T/only" && [ -e "$T/only/random.bin" ] && [ ! -e "$T/only/empty.bin" ] \
    && ok "decompress --member restores one member" || notok "decompress --member restores one member" "wrong files"
msg=$("$B" decompress -q "$T/multi2" --member random -o "$T/only2" 2>&1); rc=$?
[ $rc -ne 0 ] && printf '%s' "$msg" | grep -q 'no member named random (members: .*random.bin' \
    && ok "decompress --member with an unknown name lists the members" \
    || notok "decompress --member with an unknown name lists the members" "rc $rc: $msg"
"$B" decompress -q "$T/multi2" -o "$T/only" 2>/dev/null; rc=$?
[ $rc -eq 12 ] && ok "decompress refuses to overwrite (rc 12)" || notok "decompress refuses to overwrite" "rc=$rc"
if "$B" info --json "$T/multi2" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["members"])==2'; then
    ok "info --json is valid JSON with every member"; else notok "info --json is valid JSON with every member" "bad"; fi
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); m=d["members"][0]; assert m["sha256"] and m["records"]==0 and "layers" in m' "$T/multi2/manifest.json"; then
    ok "manifest.json lists members with SHA-256 and layers"; else notok "manifest.json lists members with SHA-256 and layers" "bad"; fi
"$B" info "$T/ds1" | grep -q 'TRAN-AMOUNT' && ok "info shows per-column chains" || notok "info shows per-column chains" "no TRAN-AMOUNT row"
"$B" compress -q --stats "$T/stats.json" "$T/random.bin" -o "$T/withstats"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); m=d["members"][0]; assert m["bytes_in"]==200000 and "entropy" in m["layers"] and m["columns"]' "$T/stats.json"; then
    ok "--stats writes per-member, per-layer and per-column numbers"; else notok "--stats writes per-member, per-layer and per-column numbers" "bad JSON"; fi
"$B" compress "$T/nonexistent" -o "$T/nx" 2>/dev/null; rc=$?
[ $rc -eq 16 ] && [ ! -e "$T/nx" ] && ok "missing input: rc 16, no dataset" || notok "missing input: rc 16, no dataset" "rc=$rc"
exit 0
