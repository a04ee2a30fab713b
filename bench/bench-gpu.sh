#!/usr/bin/env bash
# bench-gpu.sh — what `make bench-gpu` runs, here or on the lent GPU machine:
#  1. bench_gpu: each kernel's GB/s next to a device-to-device copy of the
#     same bytes; the split/decode/candidates stage host-to-host next to the
#     CPU with every core; the break-even size for conf/device.yaml;
#  2. end to end: cobzip compress --device gpu against --device cpu with every
#     core on generated inputs (default 2048 MiB each of transactions and
#     customers; CBZ_BENCH_MB changes it), the members compared with cmp, the
#     engine's stage breakdown (CBZ_ENGINE_TIMES=1: split on the device, the
#     CPU's L3-L8 encode, write), and decompress (CPU) throughput.
# Pass --quick for small sizes (kernel part only at small sizes, 64 MiB
# inputs).  Binaries: $CBZ_DEVBIN, else devbuild/bin, else build/; the CUDA
# backend: $CBZ_GPU_LIB, else libcobzip_cuda.so in that folder.
set -eu
cd "$(dirname "$0")/.."
if [ -n "${CBZ_DEVBIN:-}" ]; then D=$CBZ_DEVBIN
elif [ -x devbuild/bin/bench_gpu ]; then D=devbuild/bin
else make -s all build/bench/bench_gpu; D=build; fi
B=$D/bench_gpu; [ -x "$B" ] || B=$D/bench/bench_gpu
# the CUDA backend (kernels/gpu_loader.c): beside cobzip; bench_gpu of build/
# lives in build/bench/, so both get the path explicitly
if [ -z "${CBZ_GPU_LIB:-}" ]; then export CBZ_GPU_LIB=$(cd "$D" && pwd)/libcobzip_cuda.so; fi
[ -f "$CBZ_GPU_LIB" ] || echo "bench-gpu: no CUDA backend at $CBZ_GPU_LIB (build with nvcc; the GPU rows will say so)"
CLI=$D/cobzip GEN=$D/cbzgen
cores=$(nproc)
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$cores}
MB=${CBZ_BENCH_MB:-2048}
[ "${1:-}" = --quick ] && MB=64

W=${CBZ_BENCH_DIR:-$(mktemp -d)}
mkdir -p "$W"
echo "=== kernels and the split stage (bench_gpu $*)"
"$B" "$@" > "$W/bench_gpu.out" || echo "bench_gpu: exit $?" >> "$W/bench_gpu.out"
cat "$W/bench_gpu.out"
# GB/s of the device doing L2-L4 and the candidate statistics host to host (PCIe included)
stage_gbs=$(grep 'GPU (host buffers' "$W/bench_gpu.out" | grep -o '[0-9.]* GB/s' | sed 's/ GB.s//' | head -1)

echo
echo "=== end to end: compress --device gpu vs --device cpu, $cores threads, ${MB} MiB inputs"
# t CMD...: runs CMD, prints its wall seconds, returns its status.
t() { local a b rc=0; a=$(date +%s.%N); "$@" || rc=$?; b=$(date +%s.%N); echo "$a $b" | awk '{printf "%.3f", $2 - $1}'; return $rc; }
# layer_s STATS LAYER: the CPU-seconds of one layer in a --stats file (summed over threads).
layer_s() { grep -o "\"$2\": {\"bytes_out\": [0-9]*, \"seconds\": [0-9.]*}" "$1" | head -1 | sed 's/.*"seconds": //; s/}//'; }
# breakdown INPUT CPU_WALL GPU_WALL CPU_STATS GPU_ERR: what bounds the GPU path.
#  (a) the CPU entropy stage alone (zstd of the column encodings): its CPU-seconds / cores;
#  (b) everything else on the CPU path: L3-L7 CPU-seconds / cores, and the rest of the
#      wall time (read, the input's SHA-256, framing, write, imbalance);
#  (c) the GPU stage with PCIe (the engine's device calls, from CBZ_ENGINE_TIMES);
#  the input's SHA-256 alone (one stream, a floor for either path);
#  best GPU path: the CPU does only (a) while the device does the rest, no faster than the hash
#  (nor than (c), the device stage as it is now).
breakdown() {
    local in=$1 tc=$2 tg=$3 js=$4 gerr=$5 ent other l v sha dev
    ent=$(layer_s "$js" entropy); ent=${ent:-0}
    other=0
    for l in validate decimal delta dictionary pack; do v=$(layer_s "$js" $l); other=$(awk -v a=$other -v b=${v:-0} 'BEGIN{print a+b}'); done
    sha=$( { a=$(date +%s.%N); if command -v openssl >/dev/null; then openssl dgst -sha256 "$in" >/dev/null; else sha256sum "$in" >/dev/null; fi; b=$(date +%s.%N); echo "$a $b"; } | awk '{printf "%.3f", $2 - $1}')
    dev=$(grep -o 'split on gpu: [0-9.]* s' "$gerr" | grep -o '[0-9.]* s' | head -1 | sed 's/ s//')
    awk -v c=$cores -v tc=$tc -v tg=$tg -v ent=$ent -v oth=$other -v sha=$sha -v dev=${dev:-0} \
        -v n=$(stat -c %s "$in") -v gbs=${stage_gbs:-0} 'BEGIN{
        a = ent / c; b1 = oth / c; b2 = tc - a - b1; if (b2 < 0) b2 = 0
        full = gbs > 0 ? n / gbs / 1e9 : dev
        best = a; if (full > best) best = full; if (sha > best) best = sha
        printf "breakdown (cpu path %.3f s wall, %d threads):\n", tc, c
        printf "  (a) CPU entropy stage alone (zstd of the column encodings): %.3f CPU-s = %.3f s on %d cores\n", ent, a, c
        printf "  (b) everything else on the CPU: L3-L7 %.3f CPU-s = %.3f s on %d cores; the rest of the wall time (read, SHA-256, choices outside the layer times, frames, write, imbalance) %.3f s\n", oth, b1, c, b2
        printf "  (c) GPU stage, PCIe and staging included: L2 split as the engine calls it now %.3f s; L2-L4 + candidate stats (bench_gpu, %.2f GB/s) %.3f s\n", dev, gbs, full
        printf "  input SHA-256 alone (one stream, a floor for both paths): %.3f s\n", sha
        printf "  best GPU path (CPU does only (a), device L2-L7): max(a, c, sha) = %.3f s = %.2f x the cpu path (target 2.00); gpu path now %.2f x\n", best, tc / best, tc / tg
    }'
}
rows=()
for kind in transactions customers; do
    in=$W/$kind.dat
    [ -f "$in" ] || "$GEN" $kind --size-mb "$MB" -o "$in" >/dev/null 2>"$W/gen.err" ||
        { echo "--- $kind: cbzgen failed: $(head -c 300 "$W/gen.err")"; continue; }
    bytes=$(stat -c %s "$in")
    cat "$in" >/dev/null   # page cache warm for both runs
    rm -rf "$W/c" "$W/g" "$W/r" "$W/cpu.json"
    tc=$(CBZ_ENGINE_TIMES=1 t "$CLI" compress -q --threads "$cores" --device cpu -c copybooks/$kind.cpy --recfm FB "$in" -o "$W/c" --stats "$W/cpu.json" 2>"$W/cpu.err") ||
        { echo "--- $kind: compress --device cpu failed: $(head -c 300 "$W/cpu.err")"; continue; }
    if [ -n "${CBZ_BENCH_HOST_TWIN:-}" ]; then   # no GPU: the pipeline with the host twin (script test)
        tg=$(CBZ_TEST_PRESPLIT=1 CBZ_ENGINE_TIMES=1 t "$CLI" compress -q --threads "$cores" --device cpu -c copybooks/$kind.cpy --recfm FB "$in" -o "$W/g" 2>"$W/gpu.err")
    elif ! tg=$(CBZ_ENGINE_TIMES=1 t "$CLI" compress -q --threads "$cores" --device gpu -c copybooks/$kind.cpy --recfm FB "$in" -o "$W/g" 2>"$W/gpu.err"); then
        echo "end to end skipped: $(head -c 300 "$W/gpu.err")"
        [ -n "${CBZ_BENCH_DIR:-}" ] || rm -rf "$W"
        exit 0
    fi
    td=$(t "$CLI" decompress -q --threads "$cores" "$W/g" -o "$W/r" 2>"$W/dec.err") ||
        echo "--- $kind: decompress failed: $(head -c 300 "$W/dec.err")"
    same=no; cmp -s "$W/c/$kind.dat.cobz" "$W/g/$kind.dat.cobz" && same=yes
    restored=no; cmp -s "$in" "$W/r/$kind.dat" && restored=yes
    msize=$(stat -c %s "$W/g/$kind.dat.cobz")
    echo "--- $kind: $bytes bytes, member $msize bytes (ratio $(awk -v a=$bytes -v b=$msize 'BEGIN{printf "%.2f", a/b}'))"
    echo "cpu: $(grep '^engine:' "$W/cpu.err" | sed 's/^engine: [^:]*: //')"
    echo "gpu: $(grep '^engine:' "$W/gpu.err" | sed 's/^engine: [^:]*: //')"
    grep -v '^engine:' "$W/gpu.err" | head -3 || true
    breakdown "$in" "$tc" "$tg" "$W/cpu.json" "$W/gpu.err"
    rows+=("$(awk -v k=$kind -v n=$bytes -v c=$tc -v g=$tg -v d=$td -v s=$same -v r=$restored 'BEGIN{
        printf "| %s | %.0f | %.3f | %.2f | %.3f | %.2f | %.2f | %.3f | %.2f | %s | %s |", k, n/1048576, c, n/c/1e9, g, n/g/1e9, c/g, d, n/d/1e9, s, r}')")
    rm -rf "$W/c" "$W/g" "$W/r"
done
echo
echo "| input | MiB | cpu s | cpu GB/s | gpu s | gpu GB/s | gpu/cpu | decompress s | decompress GB/s | members identical | restored identical |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
printf '%s\n' "${rows[@]}"
[ -n "${CBZ_BENCH_DIR:-}" ] || rm -rf "$W"
