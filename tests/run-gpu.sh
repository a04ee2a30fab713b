#!/usr/bin/env bash
# run-gpu.sh — what `make test-gpu` runs, here or on the lent GPU machine:
#  1. the GPU kernels against their portable twins, byte for byte, and the
#     routing policy (CUnit test_gpu; without a GPU it says it was skipped);
#  2. the CPU kernel tests (test_kernels: the reference the twins rest on);
#  3. archives made with --device gpu against --device cpu on generated data,
#     once the CLI accepts --device gpu (until then: a skip line).
# Binaries: $CBZ_DEVBIN when set, else devbuild/bin when it holds test_gpu
# (the carried folder of tools/device-pack.sh), else $BUILD (build/).
# Ends with "N passed, M failed"; exit status 1 when anything failed.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
if [ -n "${CBZ_DEVBIN:-}" ]; then BIN=$CBZ_DEVBIN
elif [ -x devbuild/bin/test_gpu ]; then BIN=devbuild/bin
else BIN=$BUILD/tests; fi
if [ -x "$BIN/cobzip" ]; then CLI=$BIN/cobzip GEN=$BIN/cbzgen; else CLI=$BUILD/cobzip GEN=$BUILD/cbzgen; fi
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

echo "=== archives: --device gpu vs --device cpu"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if ! "$CLI" compress --help 2>&1 | grep -q 'gpu' || "$CLI" compress --help 2>&1 | grep -q 'gpu is not available'; then
    echo "ok - archive comparison # SKIP this cobzip cannot compress with --device gpu yet"
    passed=$((passed + 1))
elif ! "$BIN/test_gpu" 2>/dev/null | grep -q '^GPU: '; then
    echo "ok - archive comparison # SKIP no usable GPU"
    passed=$((passed + 1))
else
    for kind in transactions customers ledger; do
        "$GEN" $kind --records 200000 -o "$tmp/$kind.dat" >/dev/null || { echo "not ok - cbzgen $kind"; failed=$((failed + 1)); continue; }
        cb=copybooks/$kind.cpy
        "$CLI" compress -c "$cb" --device cpu "$tmp/$kind.dat" -o "$tmp/$kind.cpu" >/dev/null 2>&1
        "$CLI" compress -c "$cb" --device gpu "$tmp/$kind.dat" -o "$tmp/$kind.gpu" 2>"$tmp/err"
        if [ $? -eq 0 ] && diff -r "$tmp/$kind.cpu" "$tmp/$kind.gpu" >/dev/null; then
            echo "ok - $kind: --device gpu archive identical to --device cpu"; passed=$((passed + 1))
        else
            echo "not ok - $kind: --device gpu archive differs or failed ($(head -c 200 "$tmp/err"))"; failed=$((failed + 1))
        fi
    done
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
