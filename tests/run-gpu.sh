#!/usr/bin/env bash
# run-gpu.sh — what `make test-gpu` runs, here or on the lent GPU machine:
#  1. the GPU kernels against their portable twins, byte for byte, and the
#     routing policy (CUnit test_gpu; without a GPU it says it was skipped);
#  2. the CPU kernel tests (test_kernels: the reference the twins rest on);
#  3. the engine's tests (test_container: the batch pipeline with the host
#     twin of the split, --device routing, bounded memory; on a GPU machine
#     also --device gpu against cpu);
#  4. members made with --device gpu against --device cpu, byte for byte
#     (cmp), on every generated dataset (transactions, customers, ledger: F/FB,
#     split on the GPU; vb: VB, stays on the CPU split), a short last record,
#     an injected device error mid-job, and the Cobrix data files.  Without
#     a GPU this part prints one skip line.
# Binaries: $CBZ_DEVBIN when set, else devbuild/bin when it holds test_gpu
# (the carried folder of tools/device-pack.sh), else $BUILD (build/); the
# CUDA backend: $CBZ_GPU_LIB, else libcobzip_cuda.so beside the binaries,
# else $BUILD/libcobzip_cuda.so.
# Ends with "N passed, M failed"; exit status 1 when anything failed.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
if [ -n "${CBZ_DEVBIN:-}" ]; then BIN=$CBZ_DEVBIN
elif [ -x devbuild/bin/test_gpu ]; then BIN=devbuild/bin
else BIN=$BUILD/tests; fi
if [ -x "$BIN/cobzip" ]; then CLI=$BIN/cobzip GEN=$BIN/cbzgen; else CLI=$BUILD/cobzip GEN=$BUILD/cbzgen; fi
# The CUDA backend libcobzip_cuda.so is loaded at run time from beside each
# executable (devbuild/bin has it); the test binaries of $BUILD/tests are not
# beside $BUILD's, so they get its path (kernels/gpu_loader.c).
if [ -z "${CBZ_GPU_LIB:-}" ] && [ ! -f "$BIN/libcobzip_cuda.so" ]; then
    export CBZ_GPU_LIB=$(cd "$BUILD" 2>/dev/null && pwd || echo "$PWD/$BUILD")/libcobzip_cuda.so
fi
echo "CUDA backend: ${CBZ_GPU_LIB:-$BIN/libcobzip_cuda.so}$([ -f "${CBZ_GPU_LIB:-$BIN/libcobzip_cuda.so}" ] || echo ' (missing: every GPU test will say so)')"
passed=0 failed=0

cunit() {
    local bin=$1 out rc row
    if [ ! -x "$bin" ]; then echo "not ok - $bin is missing"; failed=$((failed + 1)); return; fi
    out=$("$bin" 2>&1); rc=$?
    printf '%s\n' "$out"
    row=$(printf '%s\n' "$out" | awk '$1=="tests"{print $4, $5}' | tail -1)
    if [ -z "$row" ]; then failed=$((failed + 1)); echo "not ok - $bin (no CUnit summary, rc=$rc)"; return; fi
    set -- $row
    passed=$((passed + $1)); failed=$((failed + $2))
    if [ "$2" -eq 0 ] && [ $rc -ne 0 ]; then failed=$((failed + 1)); fi
}

echo "=== GPU twins and routing ($BIN/test_gpu)"
cunit "$BIN/test_gpu"
echo "=== CPU kernels ($BIN/test_kernels)"
cunit "$BIN/test_kernels"

echo "=== engine: pipeline, --device routing, bounded memory ($BIN/test_container)"
cunit "$BIN/test_container"

echo "=== archives: --device gpu vs --device cpu (member bytes, cmp)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Cobrix data: $CBZ_COBRIX, else devbuild/cobrix (tools/device-pack.sh copies
# it there: ../shared does not travel), else ../shared's.
COB=${CBZ_COBRIX:-}
[ -z "$COB" ] && [ -d devbuild/cobrix ] && COB=devbuild/cobrix
[ -z "$COB" ] && COB=${CBZ_SHARED:-../shared}/conformance/cobrix/data

# same NAME EXPECT INPUT [options]: compress with --device cpu and --device
# gpu (EXPECT: gpu = the GPU must have split chunks, cpu = the member stays
# on the CPU split, e.g. VB) and require identical member bytes.
same() {
    local name=$1 expect=$2 in=$3; shift 3
    local base; base=$(basename "$in")
    rm -rf "$tmp/c" "$tmp/g"
    if ! "$CLI" compress -q --threads 4 --device cpu "$@" "$in" -o "$tmp/c" 2>"$tmp/err"; then
        echo "not ok - $name: --device cpu failed ($(head -c 200 "$tmp/err"))"; failed=$((failed + 1)); return; fi
    if ! CBZ_ENGINE_TIMES=1 "$CLI" compress -q --threads 4 --device gpu "$@" "$in" -o "$tmp/g" 2>"$tmp/err"; then
        echo "not ok - $name: --device gpu failed ($(head -c 200 "$tmp/err"))"; failed=$((failed + 1)); return; fi
    local where; where=$(grep -o 'split on [a-z ()]*' "$tmp/err" | head -1)
    local chunks; chunks=$(grep -o '[0-9]* of [0-9]* chunks' "$tmp/err" | head -1)
    if ! cmp -s "$tmp/c/$base.cobz" "$tmp/g/$base.cobz"; then
        echo "not ok - $name: members differ ($where, $chunks)"; failed=$((failed + 1)); return; fi
    if [ "$expect" = gpu ] && [ "${chunks%% *}" = 0 -o -z "$chunks" ]; then
        echo "not ok - $name: identical, but the GPU split no chunk ($where, $chunks)"; failed=$((failed + 1)); return; fi
    echo "ok - $name: --device gpu member identical to --device cpu ($where; $chunks)"
    passed=$((passed + 1))
}

if ! "$BIN/test_gpu" 2>/dev/null | grep -q '^GPU: '; then
    echo "ok - archive comparison # SKIP no usable GPU (GPU archive tests skipped)"
    passed=$((passed + 1))
else
    "$GEN" transactions --records 300000 -o "$tmp/tx.dat" >/dev/null &&
    "$GEN" customers --records 60000 -o "$tmp/cust.dat" >/dev/null &&
    "$GEN" ledger --records 30000 -o "$tmp/ledger.dat" >/dev/null &&
    "$GEN" vb --records 100000 -o "$tmp/vb.dat" >/dev/null || { echo "not ok - cbzgen"; failed=$((failed + 1)); }
    same "transactions (FB 150)" gpu "$tmp/tx.dat" -c copybooks/transactions.cpy --recfm FB --chunk-size 1000000
    same "customers (FB 360, OCCURS)" gpu "$tmp/cust.dat" -c copybooks/customers.cpy --recfm FB --chunk-size 1000000
    same "ledger (FB 655, ODO)" gpu "$tmp/ledger.dat" -c copybooks/ledger.cpy --recfm FB --chunk-size 1000000
    same "transactions, --lrecl only" gpu "$tmp/tx.dat" --lrecl 150 --chunk-size 1000000
    same "vb (VB: stays on the CPU split)" cpu "$tmp/vb.dat" -c copybooks/vb.cpy --recfm VB
    head -c 1000077 "$tmp/tx.dat" > "$tmp/tx_tail.dat"
    same "transactions with a short last record" gpu "$tmp/tx_tail.dat" -c copybooks/transactions.cpy --chunk-size 100000
    # A device error in the middle of a job: warning, CPU for the rest, same bytes.
    rm -rf "$tmp/c" "$tmp/g"
    "$CLI" compress -q --device cpu -c copybooks/transactions.cpy --chunk-size 1000000 "$tmp/tx.dat" -o "$tmp/c" 2>/dev/null
    if CBZ_GPU_INJECT_FAIL=2 "$CLI" compress -q --device gpu -c copybooks/transactions.cpy --chunk-size 1000000 "$tmp/tx.dat" -o "$tmp/g" 2>"$tmp/err" &&
       grep -q 'continuing on the CPU' "$tmp/err" && cmp -s "$tmp/c/tx.dat.cobz" "$tmp/g/tx.dat.cobz"; then
        echo "ok - device error mid-job: one warning, CPU fallback, identical member"; passed=$((passed + 1))
    else
        echo "not ok - device error mid-job ($(head -c 200 "$tmp/err"))"; failed=$((failed + 1))
    fi
    # Cobrix files (F ones reach the GPU when their LRECL is the copybook's width).
    same "cobrix test1 (ODO, REDEFINES)" any "$COB/test1_data/example.bin" -c "$COB/test1_copybook.cob"
    same "cobrix test3" any "$COB/test3_data/TRAN2.AUG31.DATA.dat" -c "$COB/test3_copybook.cob"
    same "cobrix test6 (every numeric type)" any "$COB/test6_data/INTEGR.TYPES.NOV28.DATA.dat" -c "$COB/test6_copybook.cob"
    same "cobrix test14 (V)" cpu "$COB/test14_data/COMP.DETAILS.JUL02.DATA.dat" -c "$COB/test14_copybook.cob" --recfm V
    same "cobrix test5 (V, LE RDW)" cpu "$COB/test5_data/COMP.DETAILS.SEP30.DATA.dat" -c "$COB/test5_copybook.cob" --recfm V --rdw le --rdw-length payload
    same "cobrix test4 (ASCII V)" cpu "$COB/test4_data/COMP.DETAILS.SEP30.DATA.dat" -c "$COB/test4_copybook.cob" --codepage latin1 --recfm V --rdw le --rdw-length payload
    for f in "$COB"/*_data/* "$COB"/test17/*; do
        [ -f "$f" ] || continue
        same "cobrix $(basename "$(dirname "$f")")/$(basename "$f") (no copybook, generic)" any "$f"
    done
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
