#!/usr/bin/env bash
# test_gpu_loader.sh — the CUDA backend as a shared object loaded on demand
# (kernels/gpu_loader.c), seen from the CLI:
#  - CBZ_GPU_LIB naming a missing file: --device gpu exits 16 naming the path
#    and the dlopen error, leaves no dataset; auto and cpu compress, same bytes;
#  - a .so that is stale (wrong table version) or not a backend: refused with
#    a message saying so (needs a C compiler to make the fake .so);
#  - the real .so of this build beside the binary (no GPU here, or a GPU):
#    --device gpu behaves as before the split (exit 16 "no usable GPU" from
#    CUDA, not "no CUDA backend"; or it compresses on a GPU);
#  - CPU-only work never opens the .so: strace -e openat of a compress below
#    gpu_min_bytes, --device cpu, decompress, --version; as a control, the same
#    trace of an auto job above the threshold and of --device gpu does show
#    the open (so the check would catch a load).  Skipped without strace.
set -u
B=${CBZ_BIN:-build/cobzip}
G=${CBZ_GEN:-build/cbzgen}
ROOT=${CBZ_ROOT:-.}
T=$(mktemp -d /tmp/cbz_gpuload.XXXXXX)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1 ($2)"; }
unset CBZ_GPU_LIB CBZ_GPU_DISABLE
SO_NAME=libcobzip_cuda.so
REAL_SO=$(cd "$(dirname "$B")" && pwd)/$SO_NAME

"$G" transactions --records 2000 -o "$T/tx.dat" >/dev/null || { echo "not ok - cbzgen"; exit 1; }
CPY="$ROOT/copybooks/transactions.cpy"
printf 'gpu_min_bytes: 64M\n' > "$T/big.yaml"     # the 300 KB input stays below
printf 'gpu_min_bytes: 1K\n' > "$T/small.yaml"    # the input is above
comp() { "$B" compress -q --threads 1 -c "$CPY" --recfm FB "$@"; }

# ---------------------------------------------------------------- missing .so
MISSING=$T/nowhere/$SO_NAME
CBZ_GPU_LIB=$MISSING comp --device gpu "$T/tx.dat" -o "$T/g1" 2>"$T/g1.err"
rc=$?
if [ $rc -eq 16 ] && grep -qF "no CUDA backend: dlopen($MISSING): " "$T/g1.err" &&
   grep -q "No such file" "$T/g1.err" && [ ! -e "$T/g1" ]; then
    ok "CBZ_GPU_LIB missing: --device gpu exits 16 naming the path and the dlopen error"
else
    notok "CBZ_GPU_LIB missing: --device gpu" "rc=$rc $(head -c 300 "$T/g1.err")"
fi
comp --device cpu "$T/tx.dat" -o "$T/c1" 2>"$T/c1.err" || notok "--device cpu" "$(head -c 200 "$T/c1.err")"
CBZ_GPU_LIB=$MISSING COBZIP_DEVICE_CONF=$T/small.yaml comp --device auto "$T/tx.dat" -o "$T/a1" 2>"$T/a1.err"
rc=$?
if [ $rc -eq 0 ] && cmp -s "$T/c1/tx.dat.cobz" "$T/a1/tx.dat.cobz" && "$B" verify -q "$T/a1" >/dev/null 2>&1; then
    ok "CBZ_GPU_LIB missing: --device auto above gpu_min_bytes runs on the CPU, same member as --device cpu"
else
    notok "CBZ_GPU_LIB missing: --device auto" "rc=$rc $(head -c 300 "$T/a1.err")"
fi
CBZ_GPU_LIB=$MISSING comp --device cpu "$T/tx.dat" -o "$T/c2" 2>"$T/c2.err"
rc=$?
if [ $rc -eq 0 ] && cmp -s "$T/c1/tx.dat.cobz" "$T/c2/tx.dat.cobz"; then
    ok "CBZ_GPU_LIB missing: --device cpu compresses"
else
    notok "CBZ_GPU_LIB missing: --device cpu" "rc=$rc $(head -c 300 "$T/c2.err")"
fi

# ---------------------------------------------------------------- stale or foreign .so
CC=${CC:-cc}
if command -v "$CC" >/dev/null 2>&1; then
    # the table's first two fields are version and size (kernels/gpu.h)
    cat > "$T/stale.c" <<'EOF'
#include <stdint.h>
static const struct { uint32_t version, size; } t = { 999u, 8u };
const void *cbz_gpu_backend_api(void) { return &t; }
EOF
    printf 'int not_a_backend(void) { return 1; }\n' > "$T/foreign.c"
    if "$CC" -shared -fPIC -o "$T/stale.so" "$T/stale.c" && "$CC" -shared -fPIC -o "$T/foreign.so" "$T/foreign.c"; then
        CBZ_GPU_LIB=$T/stale.so comp --device gpu "$T/tx.dat" -o "$T/s1" 2>"$T/s1.err"
        rc=$?
        if [ $rc -eq 16 ] && grep -qF "no CUDA backend: $T/stale.so is a stale build (API version 999" "$T/s1.err"; then
            ok "a stale .so (other API version) is refused: exit 16, says so"
        else
            notok "stale .so" "rc=$rc $(head -c 300 "$T/s1.err")"
        fi
        CBZ_GPU_LIB=$T/foreign.so comp --device gpu "$T/tx.dat" -o "$T/s2" 2>"$T/s2.err"
        rc=$?
        if [ $rc -eq 16 ] && grep -qF "no CUDA backend: $T/foreign.so has no cbz_gpu_backend_api" "$T/s2.err"; then
            ok "a .so without cbz_gpu_backend_api is refused: exit 16, says so"
        else
            notok "foreign .so" "rc=$rc $(head -c 300 "$T/s2.err")"
        fi
        CBZ_GPU_LIB=$T/stale.so COBZIP_DEVICE_CONF=$T/small.yaml comp --device auto "$T/tx.dat" -o "$T/s3" 2>"$T/s3.err"
        rc=$?
        if [ $rc -eq 0 ] && cmp -s "$T/c1/tx.dat.cobz" "$T/s3/tx.dat.cobz"; then
            ok "a stale .so: --device auto runs on the CPU"
        else
            notok "stale .so, auto" "rc=$rc $(head -c 300 "$T/s3.err")"
        fi
    else
        notok "cannot build the fake .so files with $CC" "see above"
    fi
else
    ok "stale .so refused # SKIP no C compiler"
fi

# ---------------------------------------------------------------- the real .so
if [ -f "$REAL_SO" ]; then
    comp --device gpu "$T/tx.dat" -o "$T/r1" 2>"$T/r1.err"
    rc=$?
    if [ $rc -eq 0 ] && cmp -s "$T/c1/tx.dat.cobz" "$T/r1/tx.dat.cobz"; then
        ok "real backend beside the binary: --device gpu compressed on a GPU, same member as --device cpu"
    elif [ $rc -eq 16 ] && grep -q "no usable GPU" "$T/r1.err" && ! grep -q "no CUDA backend" "$T/r1.err" &&
         [ ! -e "$T/r1" ]; then
        ok "real backend beside the binary, no GPU: --device gpu exits 16 with CUDA's reason ($(sed 's/.*(//; s/)$//' "$T/r1.err" | head -c 90))"
    else
        notok "real backend: --device gpu" "rc=$rc $(head -c 300 "$T/r1.err")"
    fi
    CBZ_GPU_LIB=$REAL_SO comp --device gpu "$T/tx.dat" -o "$T/r2" 2>"$T/r2.err"
    rc2=$?
    if [ $rc2 -eq $rc ] && ! grep -q "no CUDA backend" "$T/r2.err"; then
        ok "CBZ_GPU_LIB naming the real backend: same outcome (exit $rc2)"
    else
        notok "CBZ_GPU_LIB real backend" "rc=$rc2 vs $rc $(head -c 300 "$T/r2.err")"
    fi
    COBZIP_DEVICE_CONF=$T/small.yaml comp --device auto "$T/tx.dat" -o "$T/r3" 2>"$T/r3.err"
    rc=$?
    if [ $rc -eq 0 ] && cmp -s "$T/c1/tx.dat.cobz" "$T/r3/tx.dat.cobz"; then
        ok "real backend: --device auto above gpu_min_bytes compresses, same member"
    else
        notok "real backend: --device auto" "rc=$rc $(head -c 300 "$T/r3.err")"
    fi
else
    ok "real backend beside the binary # SKIP this build has no $SO_NAME (no nvcc or CBZ_NO_CUDA=1)"
fi

# ---------------------------------------------------------------- CPU work never opens it
if command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true 2>/dev/null; then
    # traced NAME PATTERN ENV... -- CMD...: runs CMD under strace -e openat with
    # the environment ENV; true when an openat naming PATTERN shows in the trace.
    ntrace=0
    traced() {
        local pat=$2; shift 2
        ntrace=$((ntrace + 1))
        local tf=$T/trace.$ntrace
        local envs=()
        while [ "$1" != -- ]; do envs+=("$1"); shift; done
        shift
        rm -rf "$T/tr"
        env "${envs[@]}" strace -f -qq -e trace=openat,open -o "$tf" "$@" >/dev/null 2>"$T/tr.err"
        [ -s "$tf" ] || { echo "no trace written" > "$T/tr.err"; return 2; }
        grep -qF "$pat" "$tf"
    }
    PROBE=$T/probe/$SO_NAME
    neg() { # NAME PATTERN ENV... -- CMD: the .so must NOT be opened
        local name=$1 pat=$2 rc
        traced "$@"; rc=$?
        if [ $rc -eq 0 ]; then notok "$name does not open the CUDA backend" "$(grep -F "$pat" "$T/trace.$ntrace" | head -1)"
        elif [ $rc -eq 2 ]; then notok "$name does not open the CUDA backend" "$(cat "$T/tr.err")"
        else ok "$name does not open the CUDA backend"; fi
    }
    pos() { # NAME PATTERN ENV... -- CMD: the control, it MUST be opened
        local name=$1 pat=$2
        if traced "$@"; then ok "control: $name opens the CUDA backend (the trace check works)"
        else notok "control: $name opens the CUDA backend" "not in the trace: $(head -c 200 "$T/tr.err")"; fi
    }
    # with CBZ_GPU_LIB: its path; without it: the default search (beside the binary)
    for mode in env default; do
        if [ $mode = env ]; then E=(CBZ_GPU_LIB=$PROBE); PAT=$PROBE; else E=(X_UNUSED=1); PAT=$SO_NAME; fi
        neg "auto below gpu_min_bytes ($mode)" "$PAT" "${E[@]}" COBZIP_DEVICE_CONF=$T/big.yaml -- \
            "$B" compress -q --threads 1 -c "$CPY" --recfm FB --device auto "$T/tx.dat" -o "$T/tr"
        neg "auto with the shipped conf/device.yaml ($mode)" "$PAT" "${E[@]}" COBZIP_DEVICE_CONF="$ROOT/conf/device.yaml" -- \
            "$B" compress -q --threads 1 -c "$CPY" --recfm FB "$T/tx.dat" -o "$T/tr"
        neg "--device cpu ($mode)" "$PAT" "${E[@]}" COBZIP_DEVICE_CONF=$T/small.yaml -- \
            "$B" compress -q --threads 1 -c "$CPY" --recfm FB --device cpu "$T/tx.dat" -o "$T/tr"
        neg "decompress ($mode)" "$PAT" "${E[@]}" -- "$B" decompress -q "$T/c1" -o "$T/tr"
        neg "--version ($mode)" "$PAT" "${E[@]}" -- "$B" --version
        pos "auto above gpu_min_bytes ($mode)" "$PAT" "${E[@]}" COBZIP_DEVICE_CONF=$T/small.yaml -- \
            "$B" compress -q --threads 1 -c "$CPY" --recfm FB --device auto "$T/tx.dat" -o "$T/tr"
        pos "--device gpu ($mode)" "$PAT" "${E[@]}" -- \
            "$B" compress -q --threads 1 -c "$CPY" --recfm FB --device gpu "$T/tx.dat" -o "$T/tr"
    done
else
    ok "CPU work does not open the CUDA backend # SKIP strace missing or not permitted"
fi
