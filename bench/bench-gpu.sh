#!/usr/bin/env bash
# bench-gpu.sh — what `make bench-gpu` runs, here or on the lent GPU machine:
# bench_gpu (each kernel's GB/s next to a device-to-device copy of the same
# bytes; the split/decode/candidates stage host-to-host next to the CPU with
# every core; the break-even size for conf/device.yaml).  Pass --quick for
# small sizes.  Binary: $CBZ_DEVBIN, else devbuild/bin, else builds
# build/bench/bench_gpu with make.
set -eu
cd "$(dirname "$0")/.."
if [ -n "${CBZ_DEVBIN:-}" ]; then B=$CBZ_DEVBIN/bench_gpu
elif [ -x devbuild/bin/bench_gpu ]; then B=devbuild/bin/bench_gpu
else make -s build/bench/bench_gpu; B=build/bench/bench_gpu; fi
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(nproc)}
exec "$B" "$@"
