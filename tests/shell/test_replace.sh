#!/usr/bin/env bash
# test_replace.sh — what compress --force does to what is already at the
# output path (src/dataset.c, cbz_dataset_commit): a dataset, a regular file or
# a symbolic link is replaced by the new dataset in one rename (exchanged, then
# removed from under the temporary name), a link's target is left alone, and
# nothing is left beside it.  Then the crash promise: compress --force killed
# (SIGKILL) at moments spread over its run, the tail included, leaves at the
# path either the old dataset or the new one, whole (verify passes, its member
# is one of the two), and at most a temporary directory beside it; the same
# for decompress -o FILE --force and its file.
set -u
B=${CBZ_BIN:-build/cobzip}
G=${CBZ_GEN:-build/cbzgen}
ROOT=${CBZ_ROOT:-.}
T=$(mktemp -d /tmp/cbz_replace.XXXXXX)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1 ($2)"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
# leftovers DIR: names in DIR other than the ones given after it.
leftovers() { local d=$1; shift; ls -A "$d" | grep -vxF -f <(printf '%s\n' "$@") | tr '\n' ' '; }

if [ ! -x "$G" ]; then echo "not ok - cbzgen missing ($G)"; exit 0; fi
CPY="$ROOT/copybooks/transactions.cpy"
mkdir "$T/a" "$T/b" "$T/w"
"$G" transactions --records 20000 --seed 1 -o "$T/a/x.dat" >/dev/null
"$G" transactions --records 20000 --seed 2 -o "$T/b/x.dat" >/dev/null
if cmp -s "$T/a/x.dat" "$T/b/x.dat"; then notok "two different inputs" "cbzgen --seed gave the same bytes"; exit 0; fi
"$B" compress -q -c "$CPY" "$T/a/x.dat" -o "$T/dsA" && "$B" compress -q -c "$CPY" "$T/b/x.dat" -o "$T/dsB" \
    || { notok "reference datasets" "compress failed"; exit 0; }
MA=$(sha "$T/dsA/x.dat.cobz")
MB=$(sha "$T/dsB/x.dat.cobz")

# A dataset over a dataset.
cp -a "$T/dsA" "$T/w/out"
if "$B" compress -q -c "$CPY" "$T/b/x.dat" -o "$T/w/out" --force && [ "$(sha "$T/w/out/x.dat.cobz")" = "$MB" ] \
    && "$B" verify -q "$T/w/out" >/dev/null; then
    ok "--force replaces a dataset with the new one"
else
    notok "--force replaces a dataset with the new one" "member or verify differ"
fi
[ -z "$(leftovers "$T/w" out)" ] && ok "nothing left beside the replaced dataset" \
    || notok "nothing left beside the replaced dataset" "$(leftovers "$T/w" out)"

# A dataset over a regular file.
rm -rf "$T/w/out" && echo plain >"$T/w/out"
if "$B" compress -q -c "$CPY" "$T/a/x.dat" -o "$T/w/out" --force && [ -d "$T/w/out" ] \
    && [ "$(sha "$T/w/out/x.dat.cobz")" = "$MA" ] && [ -z "$(leftovers "$T/w" out)" ]; then
    ok "--force replaces a regular file with the dataset"
else
    notok "--force replaces a regular file with the dataset" "$(ls -A "$T/w")"
fi

# A dataset over a symbolic link to a dataset: the link goes, its target stays.
rm -rf "$T/w/out" && cp -a "$T/dsA" "$T/target" && ln -s "$T/target" "$T/w/out"
if "$B" compress -q -c "$CPY" "$T/b/x.dat" -o "$T/w/out" --force && [ -d "$T/w/out" ] && [ ! -L "$T/w/out" ] \
    && [ "$(sha "$T/w/out/x.dat.cobz")" = "$MB" ] && [ "$(sha "$T/target/x.dat.cobz")" = "$MA" ] \
    && [ -z "$(leftovers "$T/w" out)" ]; then
    ok "--force replaces a symbolic link, not its target"
else
    notok "--force replaces a symbolic link, not its target" "$(ls -lA "$T/w")"
fi

# Killed at any moment: the old dataset or the new one, whole.  The delays
# cover the run (about 20-60 ms here) and a little past it.
bad="" kills=0
for i in $(seq 0 39); do
    rm -rf "$T/w" && mkdir "$T/w" && cp -a "$T/dsA" "$T/w/out"
    "$B" compress -q -c "$CPY" --threads 1 "$T/b/x.dat" -o "$T/w/out" --force 2>/dev/null &
    pid=$!
    sleep "0.$(printf '%03d' $(( (i * 37) % 80 + 5 )))"
    kill -KILL $pid 2>/dev/null && kills=$((kills + 1))
    wait $pid 2>/dev/null
    m=$( [ -f "$T/w/out/x.dat.cobz" ] && sha "$T/w/out/x.dat.cobz")
    if [ "$m" != "$MA" ] && [ "$m" != "$MB" ]; then bad="run $i: member at the path is neither"; break; fi
    if ! "$B" verify -q "$T/w/out" >/dev/null 2>&1; then bad="run $i: the dataset at the path does not verify"; break; fi
    extra=$(ls -A "$T/w" | grep -vx out | grep -v '^\.out\.tmp\.[0-9]*$')
    if [ -n "$extra" ]; then bad="run $i: left beside it: $extra"; break; fi
done
[ -z "$bad" ] && ok "compress --force killed at 40 moments ($kills before its end): old or new dataset, whole" \
    || notok "compress --force killed at any moment: old or new dataset, whole" "$bad"

# The same for decompress to a file.
RA=$(sha "$T/a/x.dat") RB=$(sha "$T/b/x.dat")
bad="" kills=0
for i in $(seq 0 29); do
    rm -rf "$T/w" && mkdir "$T/w" && cp "$T/a/x.dat" "$T/w/f"
    "$B" decompress -q --threads 1 "$T/dsB/x.dat.cobz" -o "$T/w/f" --force 2>/dev/null &
    pid=$!
    sleep "0.$(printf '%03d' $(( (i * 23) % 50 + 2 )))"
    kill -KILL $pid 2>/dev/null && kills=$((kills + 1))
    wait $pid 2>/dev/null
    h=$( [ -f "$T/w/f" ] && sha "$T/w/f")
    if [ "$h" != "$RA" ] && [ "$h" != "$RB" ]; then bad="run $i: the file is neither"; break; fi
    extra=$(ls -A "$T/w" | grep -vx f | grep -v '^\.f\.tmp\.[0-9]*$')
    if [ -n "$extra" ]; then bad="run $i: left beside it: $extra"; break; fi
done
[ -z "$bad" ] && ok "decompress -o FILE --force killed at 30 moments ($kills before its end): old or new file, whole" \
    || notok "decompress -o FILE --force killed at any moment: old or new file, whole" "$bad"
