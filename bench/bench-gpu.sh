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
# inputs).  Binaries: $CBZ_DEVBIN, else devbuild/bin, else build/.
set -eu
cd "$(dirname "$0")/.."
if [ -n "${CBZ_DEVBIN:-}" ]; then D=$CBZ_DEVBIN
elif [ -x devbuild/bin/bench_gpu ]; then D=devbuild/bin
else make -s build/bench/bench_gpu build/cobzip build/cbzgen; D=build; fi
B=$D/bench_gpu; [ -x "$B" ] || B=$D/bench/bench_gpu
CLI=$D/cobzip GEN=$D/cbzgen
cores=$(nproc)
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$cores}
MB=${CBZ_BENCH_MB:-2048}
[ "${1:-}" = --quick ] && MB=64

echo "=== kernels and the split stage (bench_gpu $*)"
"$B" "$@" || echo "bench_gpu: exit $?"

echo
echo "=== end to end: compress --device gpu vs --device cpu, $cores threads, ${MB} MiB inputs"
W=${CBZ_BENCH_DIR:-$(mktemp -d)}
mkdir -p "$W"
# t CMD...: runs CMD, prints its wall seconds, returns its status.
t() { local a b rc=0; a=$(date +%s.%N); "$@" || rc=$?; b=$(date +%s.%N); echo "$a $b" | awk '{printf "%.3f", $2 - $1}'; return $rc; }
rows=()
for kind in transactions customers; do
    in=$W/$kind.dat
    [ -f "$in" ] || "$GEN" $kind --size-mb "$MB" -o "$in" >/dev/null
    bytes=$(stat -c %s "$in")
    cat "$in" >/dev/null   # page cache warm for both runs
    rm -rf "$W/c" "$W/g" "$W/r"
    tc=$(CBZ_ENGINE_TIMES=1 t "$CLI" compress -q --threads "$cores" --device cpu -c copybooks/$kind.cpy --recfm FB "$in" -o "$W/c" 2>"$W/cpu.err")
    if [ -n "${CBZ_BENCH_HOST_TWIN:-}" ]; then   # no GPU: the pipeline with the host twin (script test)
        tg=$(CBZ_TEST_PRESPLIT=1 CBZ_ENGINE_TIMES=1 t "$CLI" compress -q --threads "$cores" --device cpu -c copybooks/$kind.cpy --recfm FB "$in" -o "$W/g" 2>"$W/gpu.err")
    elif ! tg=$(CBZ_ENGINE_TIMES=1 t "$CLI" compress -q --threads "$cores" --device gpu -c copybooks/$kind.cpy --recfm FB "$in" -o "$W/g" 2>"$W/gpu.err"); then
        echo "end to end skipped: $(head -c 300 "$W/gpu.err")"
        [ -n "${CBZ_BENCH_DIR:-}" ] || rm -rf "$W"
        exit 0
    fi
    td=$(t "$CLI" decompress -q --threads "$cores" "$W/g" -o "$W/r")
    same=no; cmp -s "$W/c/$kind.dat.cobz" "$W/g/$kind.dat.cobz" && same=yes
    restored=no; cmp -s "$in" "$W/r/$kind.dat" && restored=yes
    msize=$(stat -c %s "$W/g/$kind.dat.cobz")
    echo "--- $kind: $bytes bytes, member $msize bytes (ratio $(awk -v a=$bytes -v b=$msize 'BEGIN{printf "%.2f", a/b}'))"
    echo "cpu: $(grep '^engine:' "$W/cpu.err" | sed 's/^engine: [^:]*: //')"
    echo "gpu: $(grep '^engine:' "$W/gpu.err" | sed 's/^engine: [^:]*: //')"
    grep -v '^engine:' "$W/gpu.err" | head -3 || true
    rows+=("$(awk -v k=$kind -v n=$bytes -v c=$tc -v g=$tg -v d=$td -v s=$same -v r=$restored 'BEGIN{
        printf "| %s | %.0f | %.3f | %.2f | %.3f | %.2f | %.2f | %.3f | %.2f | %s | %s |", k, n/1048576, c, n/c/1e9, g, n/g/1e9, c/g, d, n/d/1e9, s, r}')")
    rm -rf "$W/c" "$W/g" "$W/r"
done
echo
echo "| input | MiB | cpu s | cpu GB/s | gpu s | gpu GB/s | gpu/cpu | decompress s | decompress GB/s | members identical | restored identical |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
printf '%s\n' "${rows[@]}"
[ -n "${CBZ_BENCH_DIR:-}" ] || rm -rf "$W"
