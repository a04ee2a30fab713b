#!/usr/bin/env bash
# test_progress.sh — the progress line of compress, decompress and verify as a
# user sees it: on a terminal (util-linux `script` gives the command a
# pseudo-terminal) the line "label 42% 12.3 MB/s ETA 0:01" appears and is
# cleared; with stderr a file or a pipe, or with -q, no trace of it.
#
# The line is drawn only once a run has lasted 250 ms; these runs are made to
# last that long without big data by stalling their input or output pipe
# (a sleep in the pipeline), so the tests stay fast and do not depend on the
# machine's speed.  --device cpu keeps the GPU out of it.
set -u
B=${CBZ_BIN:-build/cobzip}
G=${CBZ_GEN:-build/cbzgen}
ROOT=${CBZ_ROOT:-.}
T=$(mktemp -d /tmp/cbz_progress.XXXXXX)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1 ($2)"; }
ESC=$(printf '\033')
CR=$(printf '\r')

if ! command -v script >/dev/null 2>&1; then
    echo "not ok - util-linux script is missing (package bsdutils)"
    exit 1
fi
# on_tty FILE CMD: runs the shell command CMD with a terminal as its stdin,
# stdout and stderr; what the terminal showed goes to FILE.  Returns CMD's rc.
on_tty() {
    local out=$1; shift
    script -qec "$1" /dev/null </dev/null >"$out" 2>&1
}
# has FILE REGEX: grep -E over FILE.
has() { grep -aqE "$2" "$1"; }

"$G" transactions --records 20000 -o "$T/tx.dat" >/dev/null || { echo "not ok - cbzgen"; exit 1; }
CPY="$ROOT/copybooks/transactions.cpy"
COMP="$B compress -c $CPY --recfm FB --chunk-size 150000 --threads 2 --device cpu"
# Half the input, a 0.6 s stall, the rest.
SLOW_IN="{ head -c 1500000 $T/tx.dat; sleep 0.6; tail -c +1500001 $T/tx.dat; }"

# 1. compress from a stalled pipe on a terminal: total unknown (stdin), so
#    "stdin N MB R MB/s", then cleared before the summary line.
if on_tty "$T/c.tty" "$SLOW_IN | $COMP - -o $T/ds1"; then
    if has "$T/c.tty" "${CR}stdin [0-9]+\.[0-9] MB [0-9]+\.[0-9] MB/s${ESC}\[K" &&
       has "$T/c.tty" "${CR}${ESC}\[K-: 3000000 bytes -> "; then
        ok "compress: progress line on a terminal, cleared before the summary"
    else
        notok "compress: progress line on a terminal" "saw: $(tr -d '\033' <"$T/c.tty" | tr '\r' '|' | head -c 300)"
    fi
else
    notok "compress: progress line on a terminal" "rc=$?: $(head -c 300 "$T/c.tty")"
fi

# 2. the same with stderr a file: no line (the summary only).
if eval "$SLOW_IN | $COMP - -o $T/ds2" 2>"$T/c.err"; then
    if ! has "$T/c.err" "MB/s|${CR}|${ESC}" && has "$T/c.err" "^-: 3000000 bytes"; then
        ok "compress: no progress line when stderr is a file"
    else
        notok "compress: no progress line when stderr is a file" "saw: $(tr '\r\033' '|~' <"$T/c.err" | head -c 300)"
    fi
else
    notok "compress: no progress line when stderr is a file" "rc=$?"
fi

# 3. stderr a pipe: no line.
eval "$SLOW_IN | $COMP - -o $T/ds3" 2>&1 >/dev/null | cat >"$T/c.pipe"
if ! has "$T/c.pipe" "MB/s|${CR}|${ESC}" && has "$T/c.pipe" "^-: 3000000 bytes"; then
    ok "compress: no progress line when stderr is a pipe"
else
    notok "compress: no progress line when stderr is a pipe" "saw: $(tr '\r\033' '|~' <"$T/c.pipe" | head -c 300)"
fi

# 4. -q on a terminal: nothing at all.
if on_tty "$T/q.tty" "$SLOW_IN | $COMP -q - -o $T/ds4" && [ ! -s "$T/q.tty" ]; then
    ok "compress -q: nothing on a terminal"
else
    notok "compress -q: nothing on a terminal" "saw: $(tr '\r\033' '|~' <"$T/q.tty" | head -c 300)"
fi

# 5. decompress to a stalled pipe on a terminal: the total is known, so a
#    percent and an ETA; label is the member (output is -).
M="$T/ds1/stdin.cobz"
if on_tty "$T/d.tty" "$B decompress -q $M -o - --threads 1 | { sleep 0.6; cat >$T/d.out; }" &&
   cmp -s "$T/d.out" "$T/tx.dat"; then
    ok "decompress -q to a stalled pipe restores the input"
else
    notok "decompress -q to a stalled pipe restores the input" "$(head -c 300 "$T/d.tty")"
fi
if [ ! -s "$T/d.tty" ]; then ok "decompress -q: nothing on a terminal"
else notok "decompress -q: nothing on a terminal" "saw: $(tr '\r\033' '|~' <"$T/d.tty" | head -c 300)"; fi
if on_tty "$T/d2.tty" "$B decompress $M -o - --threads 1 | { sleep 0.6; cat >/dev/null; }" &&
   has "$T/d2.tty" "${CR}[^${CR}]*stdin\.cobz [0-9]{1,3}% [0-9]+\.[0-9] MB/s ETA [0-9]+:[0-9]{2}${ESC}\[K" &&
   has "$T/d2.tty" "${CR}${ESC}\[K$"; then
    ok "decompress: percent, MB/s and ETA on a terminal, cleared at the end"
else
    notok "decompress: percent, MB/s and ETA on a terminal" "saw: $(tr '\r\033' '|~' <"$T/d2.tty" | head -c 300)"
fi
"$B" decompress "$M" -o - --threads 1 2>"$T/d.err" | { sleep 0.6; cat >/dev/null; }
if [ ! -s "$T/d.err" ]; then ok "decompress: no progress line when stderr is a file"
else notok "decompress: no progress line when stderr is a file" "saw: $(tr '\r\033' '|~' <"$T/d.err" | head -c 300)"; fi

# 6. verify: same member, stderr a file: the OK line on stdout, nothing on stderr.
if "$B" verify "$T/ds1" >"$T/v.out" 2>"$T/v.err" && [ ! -s "$T/v.err" ] && has "$T/v.out" "OK"; then
    ok "verify: no progress line when stderr is a file"
else
    notok "verify: no progress line when stderr is a file" "rc=$? $(head -c 300 "$T/v.err")"
fi

# 7. --device is passed to the engine: bad names are usage errors (12), cpu works.
"$B" compress -q --device tpu "$T/tx.dat" -o "$T/ds5" 2>"$T/dev.err"
rc=$?
if [ $rc -eq 12 ] && has "$T/dev.err" "auto, cpu or gpu" && [ ! -e "$T/ds5" ]; then
    ok "compress --device tpu: usage error 12, no output"
else
    notok "compress --device tpu: usage error 12" "rc=$rc $(head -c 200 "$T/dev.err")"
fi
if "$B" compress -q --device CPU -c "$CPY" "$T/tx.dat" -o "$T/ds6" 2>"$T/dev.err" &&
   "$B" verify -q "$T/ds6" >/dev/null 2>&1; then
    ok "compress --device CPU (any case) compresses"
else
    notok "compress --device CPU compresses" "$(head -c 200 "$T/dev.err")"
fi
# --device gpu reaches the engine: it compresses on a usable GPU (and the
# archive verifies) or exits 16 saying why, leaving no dataset.
"$B" compress -q --device gpu -c "$CPY" "$T/tx.dat" -o "$T/ds7" 2>"$T/dev.err"
rc=$?
if [ $rc -eq 0 ] && "$B" verify -q "$T/ds7" >/dev/null 2>&1; then
    ok "compress --device gpu: compressed on the GPU, verifies"
elif [ $rc -eq 16 ] && has "$T/dev.err" "GPU" && [ ! -e "$T/ds7" ]; then
    ok "compress --device gpu without a usable GPU: exit 16, no output"
else
    notok "compress --device gpu" "rc=$rc $(head -c 200 "$T/dev.err")"
fi
