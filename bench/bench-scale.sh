#!/usr/bin/env bash
# bench-scale.sh — issue 4's thread scaling and memory benchmark, one run:
#
#  1. On each generated dataset (transactions, customers; CBZ_SCALE_MB MiB
#     each, default 100, EBCDIC cp037): cobzip compress and decompress with
#     --threads 1 and --threads N (N = nproc), next to zstd -1 -T1 and
#     zstd -T0 -1 on the same file.  One table: tool, threads, compress and
#     decompress MB/s, and the ratios to zstd -1 single-threaded; then the
#     issue's target lines (met / NOT met, with the numbers).
#  2. Peak RSS of cobzip compress --threads N (and decompress) for a 1 GiB
#     input next to a 100 MiB one (CBZ_SCALE_BIG_MB, default 1024; 0 skips).
#
# Measuring: every command runs under a small python3 wrapper that takes the
# child's wall time, user+system CPU time and peak RSS from wait4(2).  Speeds
# are the best of CBZ_SCALE_REPEAT runs (default 3), in MiB of input per
# second of wall time (process start, reading and writing included); cobzip
# fsyncs its dataset as it always does, decompression writes to /dev/null.
# The machine is shared: the "cpu" columns divide the input by the smallest
# user+system CPU seconds of the runs, which other processes disturb less than
# wall time (for the multi-threaded rows it is the CPU spent in all threads,
# so it shows the cost of parallelism, not its speed).  Target lines use wall
# time, as the issue does; the CPU-time ratio is printed beside each.
#
# Every cobzip archive is checked to restore its input byte for byte (cmp)
# before its row is printed.  Temporary files live in one directory under
# TMPDIR and are removed at the end (the big input as soon as it is measured).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${CBZ_BIN:-$root/build/cobzip}
GEN=${CBZ_GEN:-$root/build/cbzgen}
MB=${CBZ_SCALE_MB:-100}
BIG_MB=${CBZ_SCALE_BIG_MB:-1024}
REPEAT=${CBZ_SCALE_REPEAT:-3}
DATASETS=(${CBZ_SCALE_DATASETS:-transactions customers})
NPROC=$(nproc 2>/dev/null || echo 1)
# cobzip's thread counts (1 first); default 1 and all cores.
THREADS=(${CBZ_SCALE_THREADS:-1 $NPROC})
[ "${THREADS[0]}" = 1 ] || THREADS=(1 "${THREADS[@]}")
THREADS=($(printf '%s\n' "${THREADS[@]}" | awk '!seen[$0]++'))

die() { echo "bench-scale: $*" >&2; exit 1; }
for b in "$BIN" "$GEN"; do [ -x "$b" ] || die "missing $b (run make)"; done
for t in zstd cmp; do command -v $t >/dev/null 2>&1 || die "$t is missing"; done
# The system python starts in a few ms; a version manager's shim can take
# half a second, which is not wanted between timed runs.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || die "python3 is missing"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cbz-scale.XXXXXX") || die "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT

# measure.py OUT CMD...: runs CMD with stdout to /dev/null (unless OUT is not
# "-": then to the file OUT), prints "wall cpu maxrss_kib" or exits non-zero.
cat >"$tmp/measure.py" <<'EOF'
import os, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
fd = os.open(os.devnull if out == "-" else out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
err = os.open(sys.argv[0] + ".err", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
t0 = time.monotonic()
pid = os.fork()
if pid == 0:
    os.dup2(fd, 1); os.dup2(err, 2)
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.monotonic() - t0
if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
    sys.stderr.write("bench-scale: failed (status %d): %s: %s\n" % (status, " ".join(cmd),
                     open(sys.argv[0] + ".err").read().strip()[-300:]))
    sys.exit(1)
print("%.4f %.4f %d" % (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss))
EOF
measure() { "$PY" "$tmp/measure.py" "$@"; }

# best N OUT CMD...: "wall cpu rss" with the smallest wall and the smallest
# cpu of N runs (rss of the last), or "fail".
best() {
    local n=$1 i r bw="" bc="" rss=0
    shift
    for ((i = 0; i < n; i++)); do
        r=$(measure "$@") || { echo fail; return; }
        local w c m
        read -r w c m <<<"$r"
        if [ -z "$bw" ] || awk -v a="$w" -v b="$bw" 'BEGIN { exit !(a < b) }'; then bw=$w; fi
        if [ -z "$bc" ] || awk -v a="$c" -v b="$bc" 'BEGIN { exit !(a < b) }'; then bc=$c; fi
        rss=$m
    done
    echo "$bw $bc $rss"
}
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s == "" || s == "-") { print "-"; exit } if (s <= 0) s = 0.0001; printf "%.1f", b / 1048576 / s }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
met() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || a + 0 < b) print "NOT met"; else print "met" }'; }
field() { local a; read -ra a <<<"$1"; echo "${a[$2 - 1]:--}"; }

rows=() targets=()
echo "bench-scale: $MB MiB per dataset, best of $REPEAT, $NPROC cores, cobzip threads ${THREADS[*]}," \
     "$(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)" >&2
for ds in "${DATASETS[@]}"; do
    file="$tmp/$ds.dat" cpy="$root/copybooks/$ds.cpy"
    "$GEN" "$ds" --size-mb "$MB" --seed 1 -o "$file" --force || die "cbzgen $ds failed"
    bytes=$(stat -c %s "$file")
    echo "bench-scale: $ds ($bytes bytes)" >&2
    declare -A C=() D=() CC=() DC=()
    for t in "${THREADS[@]}"; do
        v="cobzip $t" out="$tmp/$ds.cbz"
        rc=$(best "$REPEAT" - "$BIN" compress -q -c "$cpy" --threads "$t" "$file" -o "$out" --force)
        member=$(ls "$out"/*.cobz 2>/dev/null | head -1)
        if [ "$rc" = fail ] || [ -z "$member" ]; then C[$v]=-; D[$v]=-; CC[$v]=-; DC[$v]=-; continue; fi
        if ! "$BIN" decompress -q "$member" -o - --threads "$t" | cmp -s - "$file"; then
            echo "bench-scale: cobzip --threads $t on $ds does NOT restore the input" >&2
            C[$v]=WRONG; D[$v]=-; CC[$v]=-; DC[$v]=-; continue
        fi
        rd=$(best "$REPEAT" - "$BIN" decompress -q "$member" -o - --threads "$t")
        C[$v]=$(mbps "$bytes" "$(field "$rc" 1)"); CC[$v]=$(mbps "$bytes" "$(field "$rc" 2)")
        D[$v]=$(mbps "$bytes" "$(field "$rd" 1)"); DC[$v]=$(mbps "$bytes" "$(field "$rd" 2)")
        rm -rf "$out"
    done
    for t in 1 0; do
        v="zstd-1 $t" out="$tmp/$ds.zst"
        [ "$t" = 0 ] && v="zstd-T0-1 $NPROC"
        rc=$(best "$REPEAT" - zstd -q -f "-T$t" -1 "$file" -o "$out")
        rd=$(best "$REPEAT" - zstd -q -d -T1 -c "$out")
        C[$v]=$(mbps "$bytes" "$(field "$rc" 1)"); CC[$v]=$(mbps "$bytes" "$(field "$rc" 2)")
        D[$v]=$(mbps "$bytes" "$(field "$rd" 1)"); DC[$v]=$(mbps "$bytes" "$(field "$rd" 2)")
        rm -f "$out"
    done
    z="zstd-1 1"
    vs=()
    for t in "${THREADS[@]}"; do vs+=("cobzip $t"); done
    for v in "${vs[@]}" "zstd-1 1" "zstd-T0-1 $NPROC"; do
        [ -n "${C[$v]:-}" ] || continue
        rows+=("$ds $v ${C[$v]} ${D[$v]} $(div "${C[$v]}" "${C[$z]}") $(div "${D[$v]}" "${D[$z]}") ${CC[$v]} ${DC[$v]}")
    done
    c1="cobzip 1"
    tc=$(div "${C[$c1]}" "${C[$z]}") tcc=$(div "${CC[$c1]}" "${CC[$z]}")
    td=$(div "${D[$c1]}" "${D[$z]}") tdc=$(div "${DC[$c1]}" "${DC[$z]}")
    targets+=("$ds: 1-thread compression ${C[$c1]} MB/s = ${tc} x zstd -1 (${C[$z]} MB/s); target 4.00: $(met "$tc" 4) (by CPU time ${tcc} x)")
    targets+=("$ds: 1-thread decompression ${D[$c1]} MB/s = ${td} x zstd -1 (${D[$z]} MB/s); target 2.00: $(met "$td" 2) (by CPU time ${tdc} x)")
    for t in "${THREADS[@]:1}"; do
        cN="cobzip $t"
        ts=$(div "${C[$cN]:--}" "${C[$c1]}") tsd=$(div "${D[$cN]:--}" "${D[$c1]}")
        if [ "$t" = 2 ]; then
            targets+=("$ds: compression 2 threads ${C[$cN]:--} MB/s = ${ts} x 1 thread; target 1.80: $(met "$ts" 1.8)")
            targets+=("$ds: decompression 2 threads ${D[$cN]:--} MB/s = ${tsd} x 1 thread; (same target) $(met "$tsd" 1.8)")
        else
            targets+=("$ds: $t threads: compression ${ts} x, decompression ${tsd} x 1 thread (no target)")
        fi
    done
    unset C D CC DC
    # Keep the first dataset's file for the memory comparison.
    [ "$ds" = "${DATASETS[0]}" ] || rm -f "$file"
done

echo
echo "Thread scaling (MB/s = MiB/s of input, wall time, best of $REPEAT; cpu = MiB per CPU-second)"
printf '%-13s %-10s %7s %10s %10s %6s %6s %10s %10s\n' dataset tool threads "comp MB/s" "dec MB/s" "c×z1" "d×z1" "comp cpu" "dec cpu"
for r in "${rows[@]}"; do
    set -- $r
    printf '%-13s %-10s %7s %10s %10s %6s %6s %10s %10s\n' "$@"
done
echo
for t in "${targets[@]}"; do echo "target: $t"; done

# Peak memory: the same kind of data at MB and BIG_MB MiB, --threads NPROC.
if [ "$BIG_MB" -gt 0 ]; then
    ds=${DATASETS[0]} cpy="$root/copybooks/${DATASETS[0]}.cpy"
    small="$tmp/$ds.dat" big="$tmp/$ds-big.dat"
    echo >&2 "bench-scale: peak RSS, $ds $MB MiB and $BIG_MB MiB"
    "$GEN" "$ds" --size-mb "$BIG_MB" --seed 1 -o "$big" --force || die "cbzgen $ds --size-mb $BIG_MB failed"
    echo
    echo "Peak RSS (cobzip --threads $NPROC, $ds, one run each; wall MB/s beside it)"
    printf '%-10s %10s %14s %10s\n' command "input MiB" "peak RSS MiB" "MB/s"
    memrows=()
    for f in "$small" "$big"; do
        size=$(stat -c %s "$f")
        out="$tmp/mem.cbz"
        rc=$(best 1 - "$BIN" compress -q -c "$cpy" --threads "$NPROC" "$f" -o "$out" --force)
        member=$(ls "$out"/*.cobz 2>/dev/null | head -1)
        rd=fail
        [ -n "$member" ] && rd=$(best 1 - "$BIN" decompress -q "$member" -o - --threads "$NPROC")
        for k in compress decompress; do
            r=$rc; [ $k = decompress ] && r=$rd
            if [ "$r" = fail ]; then printf '%-10s %10s %14s %10s\n' "$k" "-" "-" "-"; continue; fi
            rss=$(awk -v k="$(field "$r" 3)" 'BEGIN { printf "%.1f", k / 1024 }')
            printf '%-10s %10s %14s %10s\n' "$k" "$(awk -v b="$size" 'BEGIN { printf "%.0f", b / 1048576 }')" \
                "$rss" "$(mbps "$size" "$(field "$r" 1)")"
        done
        rm -rf "$out"
        [ "$f" = "$big" ] && rm -f "$big"
    done
fi
