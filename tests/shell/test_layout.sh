#!/usr/bin/env bash
# test_layout.sh — `cobzip layout` against Cobrix's *_layout.txt listings (every
# field's start and length, in order) and the CLI contract (help, exit codes,
# error positions, -I, --json).  TAP-style lines: "ok - ..." / "not ok - ...".
#
# Known, documented differences from Cobrix that the comparison allows for:
#  - binary (COMP/BINARY/COMP-5) fields of 19-20 digits: Cobrix 9 bytes, IBM
#    Enterprise COBOL (and cobzip) 8 bytes.  Later offsets and the lengths of
#    the enclosing groups are shifted by the difference before comparing;
#  - Cobrix prints every item of a REDEFINES chain with the length of the
#    longest alternative; cobzip gives each item its own size, so those rows
#    are compared with the longest size in the chain;
#  - "<NAME>_debug" rows (Cobrix's debug columns) have no copybook entry and
#    are skipped; Cobrix renames FILLERs (FILLER_1, FILLER_AFTER_X): any
#    FILLER* name matches a FILLER.
set -u
BIN=${CBZ_BIN:-build/cobzip}
ROOT=${CBZ_ROOT:-.}
DATA=${CBZ_SHARED:-../shared}/conformance/cobrix/data
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Our fields as "name offset size redefines digits usage" lines (88/66 left out).
fields_of() {
    "$BIN" layout --json -c "$1" | awk '
        /^  \{"index"/ {
            lvl = $0; sub(/.*"level": /, "", lvl); sub(/,.*/, "", lvl)
            if (lvl == 88 || lvl == 66) next
            name = $0; sub(/.*"name": "/, "", name); sub(/".*/, "", name)
            off = $0; sub(/.*"offset": /, "", off); sub(/,.*/, "", off)
            size = $0; sub(/.*"size": /, "", size); sub(/,.*/, "", size)
            dig = $0; sub(/.*"digits": /, "", dig); sub(/,.*/, "", dig)
            use = $0; sub(/.*"usage": "/, "", use); sub(/".*/, "", use)
            idx = $0; sub(/.*"index": /, "", idx); sub(/,.*/, "", idx)
            red = -1
            if ($0 ~ /"redefines": /) { red = $0; sub(/.*"redefines": /, "", red); sub(/[,}].*/, "", red) }
            print idx, name, off, size, red, dig, use
        }'
}

check_case() { # expected-layout-file copybook
    local exp=$1 cb=$2 label
    label=$(basename "$exp")
    if [ ! -f "$exp" ] || [ ! -f "$cb" ]; then
        echo "not ok - $label (missing $exp or $cb)"
        return
    fi
    if ! fields_of "$cb" > "$TMP/ours" 2> "$TMP/err" || [ ! -s "$TMP/ours" ]; then
        echo "not ok - $label ($(basename "$cb") does not compile: $(head -1 "$TMP/err"))"
        return
    fi
    awk -v label="$label" '
        # pass 1: our fields
        FILENAME == ARGV[1] {
            n++; idx[n] = $1; name[n] = $2; off[n] = $3; size[n] = $4; red[n] = $5
            dig[n] = $6; use[n] = $7; pos_of[$1] = n
            next
        }
        # pass 2: expected rows "[level] NAME [flags] [fld] START END LENGTH"
        {
            if ($0 ~ /FIELD LEVEL\/NAME/ || NF < 4) next
            if ($(NF) !~ /^[0-9]+$/ || $(NF-1) !~ /^[0-9]+$/ || $(NF-2) !~ /^[0-9]+$/) next
            nm = ($1 ~ /^[0-9]+$/) ? $2 : $1
            if (nm ~ /_debug$/) next
            m++; ename[m] = nm; estart[m] = $(NF-2); eend[m] = $(NF-1); elen[m] = $(NF)
        }
        END {
            if (m != n) { printf "not ok - %s (%d expected rows, %d fields)\n", label, m, n; exit }
            # chain maximum for REDEFINES rows
            for (i = 1; i <= n; i++) { base = red[i] >= 0 ? pos_of[red[i]] : i; if (size[i] > cmax[base]) cmax[base] = size[i] }
            for (i = 1; i <= n; i++) { base = red[i] >= 0 ? pos_of[red[i]] : i; chain[i] = base; if (red[i] >= 0) inchain[base] = 1 }
            # documented exceptions: binary 19-20 digits
            nx = 0
            for (i = 1; i <= n; i++)
                if ((use[i] == "COMP" || use[i] == "COMP-5") && dig[i] >= 19 && dig[i] <= 20 && elen[i] == 9 && size[i] == 8) {
                    nx++; xs[nx] = estart[i]; xe[nx] = eend[i]; xd[nx] = size[i] - elen[i]
                }
            bad = ""
            for (i = 1; i <= n && bad == ""; i++) {
                s = estart[i]; l = elen[i]
                for (k = 1; k <= nx; k++) {
                    if (xe[k] < estart[i]) s += xd[k]
                    else if (xs[k] >= estart[i] && xe[k] <= eend[i]) l += xd[k]
                }
                ours_len = (red[i] >= 0 || inchain[i]) ? cmax[chain[i]] : size[i]
                en = toupper(ename[i]); on = name[i]; gsub(/-/, "_", on)
                if (en ~ /^FILLER/ && on == "FILLER") en = "FILLER"
                if (en != on) bad = sprintf("row %d: name %s, ours %s", i, ename[i], name[i])
                else if (s != off[i] + 1) bad = sprintf("%s: start %d, ours %d", ename[i], s, off[i] + 1)
                else if (l != ours_len) bad = sprintf("%s: length %d, ours %d", ename[i], l, ours_len)
            }
            if (bad != "") printf "not ok - %s (%s)\n", label, bad
            else if (nx) printf "ok - %s: %d fields match (%d binary fields of 19-20 digits: Cobrix 9 bytes, IBM 8)\n", label, n, nx
            else printf "ok - %s: %d fields match\n", label, n
        }' "$TMP/ours" "$exp"
}

check_case "$DATA/test6_expected/test6_layout.txt" "$DATA/test6_copybook.cob"
check_case "$DATA/test11_expected/test11_layout.txt" "$DATA/test11_copybook.cob"
check_case "$DATA/test19_display_num_expected/test19_layout.txt" "$DATA/test19_display_num.cob"
check_case "$DATA/test24_expected/test24_layout.txt" "$DATA/test24_copybook.cob"
check_case "$DATA/test24_expected/test24b_layout.txt" "$DATA/test24_copybook.cob"
check_case "$DATA/test40_expected/test40_layout.txt" "$DATA/test40_copybook.cob"
check_case "$DATA/test16_expected/test16_layout.txt" "$DATA/test16_fix_len_segments.cob"
check_case "$DATA/test17_expected/test17a_layout.txt" "$DATA/test17_hierarchical.cob"
check_case "$DATA/test13_expected/test13a_layout.txt" "$DATA/test13a_file_header_footer.cob"
check_case "$DATA/test13_expected/test13b_layout.txt" "$DATA/test13b_vrl_file_headers.cob"
for v in "" a b c d; do
    check_case "$DATA/test7_expected/test7${v}_layout.txt" "$DATA/test7_fillers.cob"
done

# Every Cobrix copybook compiles.
bad=""
for cb in "$DATA"/*.cob; do
    "$BIN" layout -c "$cb" > /dev/null 2> "$TMP/err" || bad="$bad $(basename "$cb"): $(head -1 "$TMP/err");"
done
if [ -z "$bad" ]; then echo "ok - every Cobrix copybook compiles"; else echo "not ok - Cobrix copybooks that fail:$bad"; fi

# CLI contract.
out=$("$BIN" layout --help); rc=$?
if [ $rc -eq 0 ] && printf '%s' "$out" | grep -q 'usage: cobzip layout' && printf '%s' "$out" | grep -q '1-based'; then
    echo "ok - layout --help on stdout, rc 0, documents the offset base"
else echo "not ok - layout --help (rc $rc)"; fi

"$BIN" layout > /dev/null 2> "$TMP/err"; rc=$?
if [ $rc -eq 12 ] && grep -q 'no copybook' "$TMP/err"; then echo "ok - layout without -c: rc 12"; else echo "not ok - layout without -c (rc $rc)"; fi

"$BIN" layout -c "$TMP/does-not-exist.cpy" > /dev/null 2> "$TMP/err"; rc=$?
if [ $rc -eq 16 ] && grep -q 'does-not-exist.cpy' "$TMP/err"; then echo "ok - unreadable copybook: rc 16"; else echo "not ok - unreadable copybook (rc $rc)"; fi

printf '       01  REC.\n           05  A  PIC X(4).\n           05  B  PIC 9(4) COMPX.\n' > "$TMP/bad.cpy"
"$BIN" layout -c "$TMP/bad.cpy" > /dev/null 2> "$TMP/err"; rc=$?
if [ $rc -eq 12 ] && grep -q "bad.cpy:3:28: expected a clause" "$TMP/err" && grep -q "found 'COMPX'" "$TMP/err"; then
    echo "ok - copybook error: rc 12, file:line:column and what was expected"
else echo "not ok - copybook error (rc $rc: $(cat "$TMP/err"))"; fi

"$BIN" layout -c "$ROOT/tests/copybooks/with_copy.cpy" > /dev/null 2> "$TMP/err"; rc=$?
"$BIN" layout -c "$ROOT/tests/copybooks/with_copy.cpy" -I "$ROOT/tests/copybooks/members" > "$TMP/out" 2>&1; rc2=$?
if [ $rc -eq 12 ] && grep -q "COPY member 'CUSTADDR' not found" "$TMP/err" && [ $rc2 -eq 0 ] &&
   grep -q 'CUST-CITY' "$TMP/out" && grep -q 'record length 61' "$TMP/out"; then
    echo "ok - COPY member found only with -I, REPLACING applied"
else echo "not ok - COPY with -I (rc $rc then $rc2: $(head -3 "$TMP/err" "$TMP/out"))"; fi

"$BIN" layout --json -c "$DATA/test1_copybook.cob" > "$TMP/j.json"; rc=$?
if [ $rc -eq 0 ] && { ! command -v python3 > /dev/null || python3 -m json.tool "$TMP/j.json" > /dev/null 2>&1; } &&
   grep -q '"name": "ACCOUNT-NUMBER(80)", "field": [0-9]*, "offset": 2175, "size": 24' "$TMP/j.json" &&
   grep -q '"record_size": 2202, "has_odo": true' "$TMP/j.json"; then
    echo "ok - layout --json: valid JSON, OCCURS columns expanded with subscripts"
else echo "not ok - layout --json (rc $rc)"; fi
