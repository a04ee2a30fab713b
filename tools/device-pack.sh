#!/usr/bin/env bash
# device-pack.sh — builds cobzip here (nvcc, sm_90) for the lent GPU machine
# and assembles the carry folder devbuild/ (../shared/DEVICE.md):
#
#   devbuild/bin/        cobzip, cbzgen, every CUnit test, bench_gpu, linked
#                        with rpath $ORIGIN/lib
#   devbuild/bin/lib/    the shared libraries the device machine lacks
#                        (libcsv, libyaml, libcunit, libxxhash), from
#                        `apt-get download` + `dpkg -x`
#   devbuild/cobrix/     the Cobrix data files and copybooks that
#                        tests/run-gpu.sh compresses on both devices
#
# The build goes to build-dev/ (the normal build/ is left alone).  devbuild/
# is added to .git/info/exclude.  On the device machine, from the repository
# root:  tests/run-gpu.sh && bench/bench-gpu.sh   (both find devbuild/bin).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=build-dev
OUT=devbuild

command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] || {
    echo "device-pack: nvcc not found; the CUDA backend cannot be built" >&2; exit 16; }

# \$$ survives make and the recipe's shell as a literal $ORIGIN
make -j2 BUILD=$BUILD EXTRA_LDFLAGS='-Wl,-rpath,\$$ORIGIN/lib' \
    all $(ls tests/unit/test_*.c | sed "s|tests/unit/\(.*\)\.c|$BUILD/tests/\1|") \
    $BUILD/bench/bench_gpu

rm -rf "$OUT"
mkdir -p "$OUT/bin/lib"
cp $BUILD/cobzip $BUILD/cbzgen $BUILD/tests/test_* $BUILD/bench/bench_gpu "$OUT/bin/"
# the CUDA backend must really be in there
syms=$(nm -C "$OUT/bin/test_gpu")
grep -q 'cbz_gpu_fail_cuda' <<<"$syms" || {
    echo "device-pack: test_gpu was linked without the CUDA backend" >&2; exit 16; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
( cd "$scratch" && apt-get download libcsv3 libyaml-0-2 libcunit1 libxxhash0 >/dev/null 2>&1 ) || {
    echo "device-pack: apt-get download failed" >&2; exit 16; }
for deb in "$scratch"/*.deb; do dpkg -x "$deb" "$scratch/x"; done
cp -a "$scratch"/x/usr/lib/x86_64-linux-gnu/*.so* "$OUT/bin/lib/"

# The Cobrix data files for tests/run-gpu.sh (../shared does not travel).
COBRIX=${CBZ_SHARED:-/work/shared}/conformance/cobrix/data
[ -d "$COBRIX" ] || { echo "device-pack: $COBRIX not found" >&2; exit 16; }
cp -a "$COBRIX" "$OUT/cobrix"

mkdir -p .git/info
grep -qx '/devbuild/' .git/info/exclude 2>/dev/null || echo '/devbuild/' >> .git/info/exclude
grep -qx '/build-dev/' .git/info/exclude 2>/dev/null || echo '/build-dev/' >> .git/info/exclude

echo "device-pack: $OUT/ ready ($(du -sh "$OUT" | cut -f1)):"
ls "$OUT/bin" "$OUT/bin/lib"
echo "run on the device (carry $OUT):  tests/run-gpu.sh && bench/bench-gpu.sh"
