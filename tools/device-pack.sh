#!/usr/bin/env bash
# device-pack.sh — builds cobzip here (nvcc, sm_90) for the lent GPU machine
# and assembles the carry folder devbuild/ (../shared/DEVICE.md):
#
#   devbuild/bin/        cobzip, cbzgen, every CUnit test, bench_gpu, linked
#                        with rpath $ORIGIN/lib, and the CUDA backend
#                        libcobzip_cuda.so beside them (kernels/gpu_loader.c
#                        finds it in the executable's directory; it links
#                        cudart statically and needs only libstdc++)
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
    $BUILD/bench/bench_gpu $BUILD/libcobzip_cuda.so

rm -rf "$OUT"
mkdir -p "$OUT/bin/lib"
cp $BUILD/cobzip $BUILD/cbzgen $(ls $BUILD/tests/test_* | grep -v '\.d$') $BUILD/bench/bench_gpu \
   $BUILD/libcobzip_cuda.so "$OUT/bin/"
# the CUDA backend must really be in the .so, exported through its one entry,
# and the host binaries must not carry cudart or libstdc++ any more
SO=$OUT/bin/libcobzip_cuda.so
die() { echo "device-pack: $*" >&2; exit 16; }
syms=$(nm "$SO"); dyn=$(nm -D --defined-only "$SO"); needs=$(readelf -d "$SO")
grep -q 'cbz_gpu_fail_cuda' <<<"$syms" || die "$SO has no CUDA backend in it"
grep -q ' T cbz_gpu_backend_api$' <<<"$dyn" || die "$SO does not export cbz_gpu_backend_api"
if grep -q 'libcudart\.so' <<<"$needs"; then die "$SO needs libcudart.so (it must link cudart_static)"; fi
for b in cobzip test_gpu bench_gpu; do
    needs=$(readelf -d "$OUT/bin/$b"); syms=$(nm "$OUT/bin/$b")
    if grep -q 'libstdc++\|libcudart' <<<"$needs"; then die "$b links libstdc++ or cudart (they belong in the .so)"; fi
    if grep -q 'cbz_gpu_fail_cuda' <<<"$syms"; then die "$b has the CUDA backend linked in"; fi
done

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
