#!/usr/bin/env bash
# test_jobs.sh — `cobzip run`: every sample in jcl-samples/ against generated
# data, return codes, IF and COND, restart, DISP NEW/OLD/MOD/CATLG/DELETE,
# dry-run, bad decks, the lock file, the report and --show-config.  TAP lines.
set -u
ROOT=${CBZ_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${CBZ_BIN:-$ROOT/build/cobzip}
GEN=${CBZ_GEN:-$ROOT/build/cbzgen}
CPY=$ROOT/copybooks
T=$(mktemp -d /tmp/cbz_jobs.XXXXXX)
[ -n "${KEEP_T:-}" ] || trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1 ($2)"; fails=$((fails + 1)); }
check() { # check NAME CONDITION-COMMAND... : ok when the command succeeds
    local name=$1; shift
    if "$@"; then ok "$name"; else notok "$name" "failed: $*"; fi
}
# run_job LOGNAME ARGS... : runs cobzip run, log in $T/LOGNAME.log, rc in $rc
run_job() {
    local log=$1; shift
    "$BIN" run --lockdir "$T" "$@" >"$T/$log.log" 2>"$T/$log.err"
    rc=$?
}
has() { grep -q -- "$2" "$T/$1.log"; }
P="--param copybooks=$CPY"

mkdir -p "$T/data" "$T/out"
"$GEN" transactions --records 400 -o "$T/data/TXN.20261122.dat" >/dev/null 2>&1 &&
"$GEN" transactions --records 300 --seed 2 -o "$T/data/TXN.dat" >/dev/null 2>&1 &&
"$GEN" customers --records 200 -o "$T/data/CUST.dat" >/dev/null 2>&1 &&
"$GEN" ledger --records 100 -o "$T/data/LEDGER.dat" >/dev/null 2>&1 ||
    { echo "not ok - generate test data (cbzgen failed)"; exit 1; }

# ---------------------------------------------------------------- samples
run_job nightly "$ROOT/jcl-samples/nightly.yaml" $P --param data="$T/data" --report "$T/nightly.json"
check "nightly sample: RC 0" test "$rc" -eq 0
check "nightly sample: archive verified" has nightly "CBZ0230I STEP020 ENDED RC=0000"
check "nightly sample: records counted" has nightly "CBZ0220I STEP010 RECORDS=400 BYTES-IN=60000"
check "nightly sample: step table" has nightly "CBZ0301I STEP020    verify     0000"
check "nightly sample: every log line has a message id" \
    bash -c "! grep -vE '^CBZ[0-9]{4}[IWE] ' '$T/nightly.log'"
check "nightly sample: report has SHA-256 of the output" \
    grep -qE '"output_sha256": "[0-9a-f]{64}"' "$T/nightly.json"
check "nightly sample: no lock file left" test ! -e "$T/NIGHTLY1.lock"

run_job restore "$ROOT/jcl-samples/restore.yaml" $P --param archive="$T/data/TXN.20261122.cbz" --param restore="$T/out/restored"
check "restore sample: RC 0" test "$rc" -eq 0
check "restore sample: restored bytes identical" cmp -s "$T/out/restored/TXN.20261122.dat" "$T/data/TXN.20261122.dat"

run_job migration "$ROOT/jcl-samples/migration.yaml" $P --param data="$T/data" --param out="$T/out"
check "migration sample: RC 0" test "$rc" -eq 0
check "migration sample: TXN.csv has header + 300 rows" test "$(wc -l <"$T/out/TXN.csv")" -eq 301
check "migration sample: CUST.csv and LEDGER.jsonl written" test -s "$T/out/CUST.csv" -a -s "$T/out/LEDGER.jsonl"

# Reject threshold: low-values in every numeric field, max_errors 0.
mkdir -p "$T/bad" "$T/badout"
head -c 1500 /dev/zero >"$T/bad/TXN.dat"
cp "$T/data/CUST.dat" "$T/data/LEDGER.dat" "$T/bad/"
run_job migbad "$ROOT/jcl-samples/migration.yaml" $P --param data="$T/bad" --param out="$T/badout" --param maxrej=0
check "migration over the reject threshold: RC 8" test "$rc" -eq 8
check "migration over the reject threshold: no CSV, rejects kept" test ! -e "$T/badout/TXN.csv" -a -s "$T/badout/TXN.rejects"
check "migration over the reject threshold: later steps bypassed by COND=(8,LE)" has migbad "CBZ0240I CUST BYPASSED: COND=(8,LE)"
check "migration over the reject threshold: LEDGER bypassed too" has migbad "CBZ0301I LEDGER     convert    BYPASSED"

run_job bypass "$ROOT/jcl-samples/bypass.yaml" $P --param data="$T/data"
check "bypass sample: RC 0" test "$rc" -eq 0
check "bypass sample: second step bypassed by its IF" has bypass "CBZ0240I FALLBACK BYPASSED: IF (ARCHIVE.RC > 4 OR ARCHIVE.ABEND) IS FALSE"
check "bypass sample: CHECK ran" has bypass "CBZ0230I CHECK ENDED RC=0000"
check "bypass sample: no CSV written" test ! -e "$T/data/CUST.csv"
sum_cust=$(sha256sum <"$T/data/CUST.cbz/manifest-sha256.txt")
run_job bypass2 "$ROOT/jcl-samples/bypass.yaml" $P --param data="$T/data"
check "bypass sample rerun (archive exists): RC 12" test "$rc" -eq 12
check "bypass sample rerun: FALLBACK runs, CHECK bypassed by COND" \
    bash -c "grep -q 'CBZ0230I FALLBACK ENDED RC=0000' '$T/bypass2.log' && grep -q 'CBZ0240I CHECK BYPASSED: COND=(4,LT,ARCHIVE)' '$T/bypass2.log'"
check "bypass sample rerun: the existing archive is untouched" \
    test "$(sha256sum <"$T/data/CUST.cbz/manifest-sha256.txt")" = "$sum_cust"

# ---------------------------------------------------------------- DISP
sum_before=$(cat "$T/data/TXN.20261122.cbz/manifest-sha256.txt" | sha256sum)
run_job rerun "$ROOT/jcl-samples/nightly.yaml" $P --param data="$T/data"
check "DISP NEW on an existing dataset: RC 12" test "$rc" -eq 12
check "DISP NEW on an existing dataset: message and nothing run" \
    bash -c "grep -q 'CBZ0250E STEP010 DD SYSUT2 DSN=.* DATASET EXISTS' '$T/rerun.log' && ! grep -q 'CBZ0202I STEP010' '$T/rerun.log'"
check "DISP NEW on an existing dataset: dataset untouched" \
    test "$(cat "$T/data/TXN.20261122.cbz/manifest-sha256.txt" | sha256sum)" = "$sum_before"

cat >"$T/disp.yaml" <<YAML
job: DISP1
steps:
  - step: OLD
    pgm: convert
    dd:
      COPYBOOK: $CPY/transactions.cpy
      SYSUT1: $T/data/TXN.dat
      SYSUT2: {dsn: $T/out/TXN.csv, disp: [OLD, KEEP, KEEP]}
  - step: MOD
    pgm: convert
    dd:
      COPYBOOK: $CPY/transactions.cpy
      SYSUT1: $T/data/TXN.20261122.dat
      SYSUT2: {dsn: $T/out/TXN.csv, disp: MOD}
  - step: TEMP
    pgm: convert
    dd:
      COPYBOOK: $CPY/transactions.cpy
      SYSUT1: $T/data/TXN.dat
      SYSUT2: {dsn: $T/out/scratch.csv, disp: [NEW, DELETE, DELETE]}
YAML
run_job disp "$T/disp.yaml"
check "DISP OLD/MOD/DELETE deck: RC 0" test "$rc" -eq 0
check "DISP OLD replaces (with --force)" has disp "CBZ0202I OLD EXEC cobzip convert .*--force"
check "DISP MOD appends rows under one header (1 + 300 + 400 lines)" test "$(wc -l <"$T/out/TXN.csv")" -eq 701
check "DISP MOD: one header line" test "$(grep -c '^TRAN-ACCOUNT-KEY' "$T/out/TXN.csv")" -eq 1
check "DISP (NEW,DELETE): output deleted at normal end" \
    bash -c "test ! -e '$T/out/scratch.csv' && grep -q 'CBZ0260I TEMP DD SYSUT2 DSN=.* DELETED (DISP normal)' '$T/disp.log'"
check "DISP CATLG: cataloged output kept" has nightly "CBZ0260I STEP010 DD SYSUT2 DSN=.* CATALOGED"

# ---------------------------------------------------------------- restart
run_job restart "$ROOT/jcl-samples/nightly.yaml" $P --param data="$T/data" --restart STEP020
check "restart: RC 0" test "$rc" -eq 0
check "restart: STEP010 skipped" has restart "CBZ0243I STEP010 SKIPPED: BEFORE RESTART STEP STEP020"
check "restart: STEP020's IF on the skipped step is false (bypassed)" has restart "CBZ0240I STEP020 BYPASSED"
run_job restart2 "$ROOT/jcl-samples/bypass.yaml" $P --param data="$T/data" --restart CHECK
check "restart at CHECK: COND test on a skipped step is ignored, CHECK runs" has restart2 "CBZ0230I CHECK ENDED RC=0000"
run_job restart3 "$ROOT/jcl-samples/bypass.yaml" $P --param data="$T/data" --restart NOSUCH
check "restart at an unknown step: RC 12" test "$rc" -eq 12

# ---------------------------------------------------------------- dry run
mkdir -p "$T/dry"
"$GEN" transactions --records 50 -o "$T/dry/TXN.20261122.dat" >/dev/null 2>&1
before=$(cd "$T" && find . -mindepth 1 -path ./dry.log -prune -o -path ./dry.err -prune -o -printf '%p %s %T@\n' | sort | sha256sum)
run_job dry "$ROOT/jcl-samples/nightly.yaml" $P --param data="$T/dry" --dry-run --report "$T/dry.json"
after=$(cd "$T" && find . -mindepth 1 -path ./dry.log -prune -o -path ./dry.err -prune -o -printf '%p %s %T@\n' | sort | sha256sum)
check "dry-run: RC 0" test "$rc" -eq 0
check "dry-run: writes nothing (no output, lock or report)" test "$before" = "$after"
check "dry-run: copybook compiled" has dry "CBZ0282I STEP010 DD COPYBOOK DSN=.* COMPILES"
check "dry-run: shows the command" has dry "CBZ0202I STEP020 EXEC cobzip verify"
printf '       01  BROKEN.\n           05  X PIC Q(3).\n' >"$T/broken.cpy"
mkdir -p "$T/empty"
run_job dry2 "$ROOT/jcl-samples/nightly.yaml" --param copybooks="$T/nocopybooks" --param data="$T/empty" --dry-run
check "dry-run: missing input and copybook found, RC 12" \
    bash -c "test $rc -eq 12 && grep -q 'CBZ0251E STEP010 DD SYSUT1' '$T/dry2.log' && grep -q 'CBZ0104E' '$T/dry2.log'"
mkdir -p "$T/brokencpy" && cp "$T/broken.cpy" "$T/brokencpy/transactions.cpy"
run_job dry3 "$ROOT/jcl-samples/nightly.yaml" --param copybooks="$T/brokencpy" --param data="$T/dry" --dry-run
check "dry-run: broken copybook, RC 12" bash -c "test $rc -eq 12 && grep -q 'CBZ0280E STEP010 DD COPYBOOK' '$T/dry3.log'"

# ---------------------------------------------------------------- bad decks
printf 'job: BAD1\nsteps:\n  - step: S1\n    pgm: compres\n    dd: {SYSUT1: x}\n' >"$T/bad1.yaml"
run_job bad1 "$T/bad1.yaml"
check "bad deck (unknown pgm): RC 12" test "$rc" -eq 12
check "bad deck: message names line:column and what was expected" \
    grep -q "bad1.yaml:4:10: pgm 'compres': expected compress, decompress" "$T/bad1.err"
check "bad deck: job log message id, nothing run" \
    bash -c "grep -q '^CBZ0010E JOB DECK ERROR, NOTHING RUN' '$T/bad1.log' && ! grep -q CBZ0200I '$T/bad1.log'"
printf 'job: BAD2\nsteps:\n  - step: S1\n    pgm: compress\n    dd:\n      SYSUT1: %s\n      SYSUT2: %s/out/never.cbz\n  - step: S2\n    pgm: verify\n    if: S1.RC <= 4 AND\n    dd: {SYSUT1: x}\n' \
    "$T/data/TXN.dat" "$T" >"$T/bad2.yaml"
run_job bad2 "$T/bad2.yaml"
check "bad deck (bad IF in step 2): RC 12, first step not run" \
    bash -c "test $rc -eq 12 && test ! -e '$T/out/never.cbz' && grep -q 'bad2.yaml:10:9: if: at character' '$T/bad2.err'"
printf 'job: BAD3\n  steps: [\n' >"$T/bad3.yaml"
run_job bad3 "$T/bad3.yaml"
check "bad deck (YAML syntax): RC 12 with line:column" \
    bash -c "test $rc -eq 12 && grep -qE 'bad3.yaml:[0-9]+:[0-9]+: YAML syntax' '$T/bad3.err'"
run_job bad4 "$T/no-such-deck.yaml"
check "missing deck: RC 12" test "$rc" -eq 12

# ---------------------------------------------------------------- lock
sleep 30 & holder=$!
echo "$holder otherhost" >"$T/NIGHTLY1.lock"
run_job locked "$ROOT/jcl-samples/nightly.yaml" $P --param data="$T/dry"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
check "lock held by a live process: RC 12, nothing run" \
    bash -c "test $rc -eq 12 && grep -q 'CBZ0110E JOB NIGHTLY1 IS ALREADY RUNNING' '$T/locked.log' && ! grep -q CBZ0200I '$T/locked.log'"
echo "$holder otherhost" >"$T/NIGHTLY1.lock"
run_job stale "$ROOT/jcl-samples/nightly.yaml" $P --param data="$T/dry"
check "stale lock (dead pid): removed and the job runs" \
    bash -c "test $rc -eq 0 && grep -q 'CBZ0111W JOB NIGHTLY1 STALE LOCK' '$T/stale.log' && test ! -e '$T/NIGHTLY1.lock'"

# ---------------------------------------------------------------- report
mkdir -p "$T/rep" && cp "$T/data/CUST.dat" "$T/rep/"
run_job rep "$ROOT/jcl-samples/bypass.yaml" $P --param data="$T/rep" --report "$T/nightly.json"
check "report exists without --force: RC 12, nothing run" bash -c "test $rc -eq 12 && ! grep -q CBZ0200I '$T/rep.log'"
run_job rep2 "$ROOT/jcl-samples/bypass.yaml" $P --param data="$T/rep" --report "$T/nightly.json" --force
check "report with --force: replaced; the bypassed step has no RC" \
    grep -q '"step": "FALLBACK", "pgm": "convert", "status": "BYPASSED", "rc": null' "$T/nightly.json"
check "report: records and bytes of the archive step" \
    grep -qE '"step": "ARCHIVE", "pgm": "compress", "status": "RAN", "rc": 0, .*"records": 200, "bytes_in": 72000' "$T/nightly.json"

# ---------------------------------------------------------------- settings
printf 'level: 7\nthreads: 3\n' >"$T/site.yaml"
out=$(COBZIP_LEVEL=5 COBZIP_CHUNK_SIZE=1M "$BIN" run --config "$T/site.yaml" --show-config --threads 1 2>&1)
check "show-config: environment beats conf" bash -c "grep -qE '^level +5 +environment \(COBZIP_LEVEL\)' <<<'$out'"
check "show-config: command line beats conf" bash -c "grep -qE '^threads +1 +command line \(--threads\)' <<<'$out'"
check "show-config: chunk size canonical bytes" bash -c "grep -qE '^chunk_size +1048576 +environment' <<<'$out'"
out=$("$BIN" run --config "$T/site.yaml" --show-config "$ROOT/jcl-samples/migration.yaml" 2>&1)
check "show-config: conf value with file:line:column" bash -c "grep -qE '^level +7 +conf \(.*site.yaml:1:8\)' <<<'$out'"
check "show-config: deck defaults beat conf" bash -c "grep -qE '^codepage +cp037 +job deck' <<<'$out'"
COBZIP_LEVEL=99 "$BIN" run --show-config >/dev/null 2>&1; rc=$?
check "bad environment value: RC 12" test "$rc" -eq 12

[ "$fails" -eq 0 ]
