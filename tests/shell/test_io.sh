#!/usr/bin/env bash
# test_io.sh — the engine's input and output paths (src/container.c,
# src/outfile.c, src/dataset.c): outputs that are FIFOs are written in place
# (never renamed over), dataset outputs that are not files or directories are
# refused even with --force, pipes and regular files give the same member,
# the member SHA-256 in the manifest is the file's, and thread counts give
# byte-identical members with pipelined writes.
set -u
B=${CBZ_BIN:-build/cobzip}
G=${CBZ_GEN:-build/cbzgen}
ROOT=${CBZ_ROOT:-.}
T=$(mktemp -d /tmp/cbz_io.XXXXXX)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1 ($2)"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

if [ ! -x "$G" ]; then echo "not ok - cbzgen missing ($G)"; exit 0; fi
"$G" transactions --records 6000 -o "$T/tx.dat" >/dev/null
"$G" vb --records 4000 -o "$T/vb.dat" >/dev/null
CPY="$ROOT/copybooks/transactions.cpy"

# Reference member: regular file input, one thread, small chunks (many batches).
if "$B" compress -q -c "$CPY" --chunk-size 65536 --threads 1 "$T/tx.dat" -o "$T/ds1" 2>"$T/err"; then
    ok "compress, 1 thread, small chunks"
else
    notok "compress, 1 thread, small chunks" "$(head -c 300 "$T/err")"
fi
M1="$T/ds1/tx.dat.cobz"

# Same member for 2 and 3 threads and for a pipe on stdin.
for t in 2 3; do
    "$B" compress -q -c "$CPY" --chunk-size 65536 --threads $t "$T/tx.dat" -o "$T/ds$t" 2>"$T/err"
    if cmp -s "$M1" "$T/ds$t/tx.dat.cobz"; then ok "$t threads: member byte-identical"
    else notok "$t threads: member byte-identical" "differs: $(head -c 200 "$T/err")"; fi
done
cat "$T/tx.dat" | "$B" compress -q -c "$CPY" --chunk-size 65536 --threads 2 - -o "$T/dsp" 2>"$T/err"
m=$(ls "$T/dsp"/*.cobz 2>/dev/null | head -1)
if [ -n "$m" ] && [ "$("$B" decompress -q "$m" -o - | sha256sum | cut -d' ' -f1)" = "$(sha "$T/tx.dat")" ]; then
    ok "stdin pipe compresses and restores"
else
    notok "stdin pipe compresses and restores" "$(head -c 200 "$T/err")"
fi

# At 1 thread the helper splits each next fixed-record chunk ahead
# (split_ahead_start in src/container.c): members the same as the pipeline's
# (2 threads, no split ahead), a file and a pipe alike, with a tail of 5 bytes
# that are no record (the last chunk is raw: not split ahead).
{ cat "$T/tx.dat"; printf 'tail!'; } >"$T/txt.dat"
"$B" compress -q -c "$CPY" --chunk-size 65536 --threads 2 "$T/txt.dat" -o "$T/dst2" 2>/dev/null
CBZ_ENGINE_TIMES=1 "$B" compress -q -c "$CPY" --chunk-size 65536 --threads 1 "$T/txt.dat" \
    -o "$T/dst1" 2>"$T/err"
cat "$T/txt.dat" | "$B" compress -q -c "$CPY" --chunk-size 65536 --threads 1 - -o "$T/dstp" \
    2>/dev/null
ahead=$(grep -o '[0-9]* split ahead' "$T/err" | cut -d' ' -f1)
if cmp -s "$T/dst1/txt.dat.cobz" "$T/dst2/txt.dat.cobz" && [ "${ahead:-0}" -gt 0 ] &&
   [ "$("$B" decompress -q "$T/dstp"/*.cobz -o - | sha256sum | cut -d' ' -f1)" = "$(sha "$T/txt.dat")" ]; then
    ok "1 thread: chunks split ahead on the helper, member byte-identical"
else
    notok "1 thread: chunks split ahead on the helper, member byte-identical" "ahead=${ahead:-none} $(head -c 300 "$T/err")"
fi

# The member SHA-256 recorded in both manifests is the member file's.
want=$(sha "$M1")
if grep -q "^$want  tx.dat.cobz\$" "$T/ds1/manifest-sha256.txt" && grep -q "\"member_sha256\": \"$want\"" "$T/ds1/manifest.json"; then
    ok "manifests hold the member's SHA-256"
else
    notok "manifests hold the member's SHA-256" "$(cat "$T/ds1/manifest-sha256.txt")"
fi
if (cd "$T/ds1" && sha256sum -c --quiet manifest-sha256.txt tagmanifest-sha256.txt >/dev/null 2>&1); then
    ok "sha256sum -c accepts the manifests"
else
    notok "sha256sum -c accepts the manifests" "sha256sum -c failed"
fi

# VB input through 1 and 2 threads, restored from stdout; at 1 thread the
# helper frames and splits chunks ahead too (cbz_chunk_prep).
CBZ_ENGINE_TIMES=1 "$B" compress -q -c "$ROOT/copybooks/vb.cpy" --recfm VB --chunk-size 40000 --threads 1 "$T/vb.dat" -o "$T/vb1" 2>"$T/err"
"$B" compress -q -c "$ROOT/copybooks/vb.cpy" --recfm VB --chunk-size 40000 --threads 2 "$T/vb.dat" -o "$T/vb2" 2>/dev/null
ahead=$(grep -o '[0-9]* split ahead' "$T/err" | cut -d' ' -f1)
if cmp -s "$T/vb1/vb.dat.cobz" "$T/vb2/vb.dat.cobz" && [ "${ahead:-0}" -gt 0 ] &&
   [ "$("$B" decompress -q "$T/vb2/vb.dat.cobz" -o - --threads 2 | sha256sum | cut -d' ' -f1)" = "$(sha "$T/vb.dat")" ]; then
    ok "VB: 1 and 2 threads identical (1 thread: $ahead chunks prepared ahead), restores"
else
    notok "VB: 1 and 2 threads identical, restores" "ahead=${ahead:-none} $(head -c 300 "$T/err")"
fi

# Raw chunks prepared ahead at 1 thread: a VB file whose RDW breaks in the
# middle (raw from there) and a generic member (no copybook: no width), both
# as the pipeline makes them at 2 threads, and restored.
cp "$T/vb.dat" "$T/vbbad.dat"
printf '\377\377\377\377' | dd of="$T/vbbad.dat" bs=1 seek=$(( $(stat -c %s "$T/vb.dat") / 3 )) conv=notrunc 2>/dev/null
head -c 300000 /dev/urandom >"$T/rnd.bin"
fails=""
for f in vbbad.dat rnd.bin; do
    opt=(); [ "$f" = vbbad.dat ] && opt=(-c "$ROOT/copybooks/vb.cpy" --recfm VB)
    for t in 1 2; do
        "$B" compress -q "${opt[@]}" --chunk-size 40000 --threads $t "$T/$f" -o "$T/raw$t" --force 2>"$T/err" ||
            fails="$fails $f/$t:$(head -c 200 "$T/err")"
    done
    cmp -s "$T/raw1/$f.cobz" "$T/raw2/$f.cobz" || fails="$fails $f:differs"
    [ "$("$B" decompress -q "$T/raw1/$f.cobz" -o - | sha256sum | cut -d' ' -f1)" = "$(sha "$T/$f")" ] ||
        fails="$fails $f:restore"
done
if [ -z "$fails" ]; then
    ok "raw chunks at 1 thread (broken VB, generic): as at 2 threads, restore"
else
    notok "raw chunks at 1 thread (broken VB, generic): as at 2 threads, restore" "$fails"
fi

# Decompress into a FIFO: written in place, the FIFO stays a FIFO.
mkfifo "$T/fifo"
cat "$T/fifo" >"$T/from_fifo" &
reader=$!
if "$B" decompress -q "$M1" -o "$T/fifo" --threads 2 2>"$T/err"; then
    wait $reader
    if [ -p "$T/fifo" ] && cmp -s "$T/from_fifo" "$T/tx.dat"; then ok "decompress -o FIFO writes through it"
    else notok "decompress -o FIFO writes through it" "FIFO replaced or bytes differ"; fi
else
    notok "decompress -o FIFO writes through it" "rc=$? $(head -c 200 "$T/err")"
    kill $reader 2>/dev/null
    wait $reader 2>/dev/null
fi
if ls -a "$T" | grep -q '^\.fifo\.tmp'; then notok "no temporary file left beside the FIFO" "found one"
else ok "no temporary file left beside the FIFO"; fi

# A dataset output that is a FIFO is refused, even with --force, and kept.
mkfifo "$T/fifo2"
if "$B" compress -q -c "$CPY" --force "$T/tx.dat" -o "$T/fifo2" 2>"$T/err"; then
    notok "compress -o FIFO --force refused" "accepted"
elif [ -p "$T/fifo2" ] && grep -q "not a file or directory" "$T/err"; then
    ok "compress -o FIFO --force refused"
else
    notok "compress -o FIFO --force refused" "$(head -c 200 "$T/err")"
fi

# Decompress to a regular file that exists: refused without --force, replaced with it.
echo old >"$T/restored"
if "$B" decompress -q "$M1" -o "$T/restored" 2>/dev/null; then notok "existing output refused without --force" "accepted"
else ok "existing output refused without --force"; fi
if "$B" decompress -q "$M1" -o "$T/restored" --force 2>/dev/null && cmp -s "$T/restored" "$T/tx.dat"; then
    ok "existing output replaced with --force"
else
    notok "existing output replaced with --force" "bytes differ"
fi
