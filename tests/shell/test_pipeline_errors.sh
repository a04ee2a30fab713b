#!/usr/bin/env bash
# test_pipeline_errors.sh — the compress error paths of the batch loop (1
# thread) and the chunk pipeline (2, 3 threads), driven by the test-only
# faults CBZ_TEST_FAIL_ENCODE=K and CBZ_TEST_FAIL_READ=K (src/container.c):
# for the first, second, a middle and the last chunk, compress exits 8 (encode)
# or 16 (read) within 60 s, names the chunk and its byte offset, leaves no
# dataset and no temporary file, and with --force the dataset already at the
# path is untouched.  Also from stdin with 2 threads, and on the batch loop
# over a mapped file (CBZ_TEST_PRESPLIT=1, the GPU split's path) with 2.
# CBZ_PIPE_ERR_REPEAT=N runs the 2- and 3-thread cases N times (race hunting).
set -u
B=${CBZ_BIN:-build/cobzip}
G=${CBZ_GEN:-build/cbzgen}
ROOT=${CBZ_ROOT:-.}
T=$(mktemp -d /tmp/cbz_pipeerr.XXXXXX)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1 ($2)"; }
CPY="$ROOT/copybooks/transactions.cpy"
CHUNK=65536
REPEAT=${CBZ_PIPE_ERR_REPEAT:-1}

"$G" transactions --size-mb 1 -o "$T/tx.dat" >/dev/null || { notok "generate input" "cbzgen failed"; exit 1; }
# The good dataset, kept aside; its chunk table gives every chunk's offset.
mkdir "$T/work"
if ! "$B" compress -q -c "$CPY" --chunk-size $CHUNK --threads 2 "$T/tx.dat" -o "$T/good" 2>"$T/err"; then
    notok "baseline compress" "$(head -c 300 "$T/err")"; exit 1
fi
chunks=$("$B" info --json "$T/good" | python3 -c 'import json,sys
d=json.load(sys.stdin)
def find(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "chunks" and isinstance(v, int): return v
            r = find(v)
            if r is not None: return r
    if isinstance(o, list):
        for v in o:
            r = find(v)
            if r is not None: return r
print(find(d))')
if ! [ "$chunks" -ge 4 ] 2>/dev/null; then notok "baseline has chunks" "info says '$chunks'"; exit 1; fi
ok "baseline: $chunks chunks of $CHUNK bytes"
tree_sum() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) }
good_sum=$(tree_sum "$T/good")

# Byte offset of chunk K: chunks hold whole 150-byte records, as the planner cuts.
rec_per_chunk=$(( (CHUNK + 149) / 150 ))
offset_of() { echo $(( $1 * rec_per_chunk * 150 )); }

# leftovers DIR: names of temporary files or directories left in DIR.
leftovers() { ls -A "$1" | grep -E '\.tmp|^\.' | tr '\n' ' '; }

# fault_case VAR K THREADS WANT_RC [stdin]
fault_case() {
    local var=$1 k=$2 t=$3 want=$4 how=${5:-file} name rc
    name="$var=$k, $t thread(s), $how"
    local dir="$T/work" pre=CBZ_TEST_PRESPLIT=0
    # presplit: the batch loop over the mapped file (the GPU's path, its host twin)
    [ "$how" = presplit ] && pre=CBZ_TEST_PRESPLIT=1
    rm -rf "$dir" && mkdir "$dir"
    cp -a "$T/good" "$dir/forced"
    # 1: a fresh path
    if [ "$how" = stdin ]; then
        cat "$T/tx.dat" | env "$var=$k" timeout 60 "$B" compress -q -c "$CPY" --chunk-size $CHUNK \
            --threads "$t" - -o "$dir/ds" 2>"$T/err"
    else
        env "$pre" "$var=$k" timeout 60 "$B" compress -q -c "$CPY" --chunk-size $CHUNK --threads "$t" \
            "$T/tx.dat" -o "$dir/ds" 2>"$T/err"
    fi
    rc=$?
    local why=""
    [ $rc -eq 124 ] && why="timed out (hang)"
    [ -z "$why" ] && [ $rc -ne "$want" ] && why="rc=$rc, want $want: $(head -c 300 "$T/err")"
    [ -z "$why" ] && ! grep -q "chunk $k\b" "$T/err" && why="reason does not name chunk $k: $(head -c 300 "$T/err")"
    [ -z "$why" ] && ! grep -q "at byte $(offset_of "$k")\b" "$T/err" && why="reason lacks byte $(offset_of "$k"): $(head -c 300 "$T/err")"
    [ -z "$why" ] && ! grep -q "$var" "$T/err" && why="reason does not say it was injected"
    [ -z "$why" ] && [ -e "$dir/ds" ] && why="a dataset was left at the path"
    [ -z "$why" ] && [ -n "$(leftovers "$dir")" ] && why="temporary files left: $(leftovers "$dir")"
    # 2: --force over an existing dataset (file input only: stdin is read once)
    if [ -z "$why" ] && [ "$how" != stdin ]; then
        env "$pre" "$var=$k" timeout 60 "$B" compress -q --force -c "$CPY" --chunk-size $CHUNK --threads "$t" \
            "$T/tx.dat" -o "$dir/forced" 2>"$T/err"
        rc=$?
        [ $rc -eq 124 ] && why="--force: timed out (hang)"
        [ -z "$why" ] && [ $rc -ne "$want" ] && why="--force: rc=$rc, want $want: $(head -c 300 "$T/err")"
        [ -z "$why" ] && [ "$(tree_sum "$dir/forced")" != "$good_sum" ] && why="--force: the previous dataset changed"
        [ -z "$why" ] && [ -n "$(leftovers "$dir")" ] && why="--force: temporary files left: $(leftovers "$dir")"
        [ -z "$why" ] && ! "$B" verify -q "$dir/forced" >/dev/null 2>"$T/err" && why="--force: the previous dataset no longer verifies"
    fi
    if [ -z "$why" ]; then ok "$name"; else notok "$name" "$why"; fi
}

last=$((chunks - 1)) mid=$((chunks / 2))
for t in 1 2 3; do
    reps=1
    [ "$t" -ge 2 ] && reps=$REPEAT
    for k in 0 1 $mid $last; do
        for ((i = 0; i < reps; i++)); do
            fault_case CBZ_TEST_FAIL_ENCODE "$k" "$t" 8
            fault_case CBZ_TEST_FAIL_READ "$k" "$t" 16
        done
    done
done
for k in 0 $mid $last; do
    fault_case CBZ_TEST_FAIL_READ "$k" 2 16 stdin
    fault_case CBZ_TEST_FAIL_ENCODE "$k" 2 8 stdin
done

for k in 1 $mid; do
    fault_case CBZ_TEST_FAIL_READ "$k" 2 16 presplit
    fault_case CBZ_TEST_FAIL_ENCODE "$k" 2 8 presplit
done

# A fault past the last chunk fires nowhere: same member bytes as without.
rm -rf "$T/work/past"
if CBZ_TEST_FAIL_ENCODE=$chunks CBZ_TEST_FAIL_READ=$chunks timeout 60 "$B" compress -q -c "$CPY" \
       --chunk-size $CHUNK --threads 3 "$T/tx.dat" -o "$T/work/past" 2>"$T/err" &&
   cmp -s "$T/good/tx.dat.cobz" "$T/work/past/tx.dat.cobz"; then
    ok "fault at chunk $chunks (past the last): no effect, same member"
else
    notok "fault at chunk $chunks (past the last): no effect, same member" "$(head -c 300 "$T/err")"
fi

# The second of two inputs fails: no dataset at all, nothing left over.
rm -rf "$T/work" && mkdir "$T/work"
head -c 300000 "$T/tx.dat" > "$T/small.dat"
CBZ_TEST_FAIL_READ=8 timeout 60 "$B" compress -q -c "$CPY" --chunk-size $CHUNK --threads 2 \
    "$T/small.dat" "$T/tx.dat" -o "$T/work/two" 2>"$T/err"
rc=$?
if [ $rc -eq 16 ] && [ ! -e "$T/work/two" ] && [ -z "$(leftovers "$T/work")" ] && grep -q "tx.dat: read failed at byte $(offset_of 8)" "$T/err"; then
    ok "second input's read fault: rc 16, no dataset, nothing left"
else
    notok "second input's read fault: rc 16, no dataset, nothing left" "rc=$rc $(ls -A "$T/work") $(head -c 300 "$T/err")"
fi
