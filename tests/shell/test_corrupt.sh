#!/usr/bin/env bash
# test_corrupt.sh — a damaged member or dataset must give an error exit (8),
# never success and never a crash: every byte of a tiny member flipped, every
# truncation length, appended garbage, and a changed byte in any member or
# manifest of a dataset; decompress of a damaged member leaves no output.
set -u
B=${CBZ_BIN:-build/cobzip}
C=${CBZ_SHARED:-../shared}/conformance/cobrix/data
T=$(mktemp -d /tmp/cbz_corrupt.XXXXXX)
trap 'rm -rf "$T"' EXIT
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1 ($2)"; }

# A tiny V member: 6 records with IBM RDWs, 3 chunks, and a few odd tail bytes.
# (Every bit and every truncation length is covered in process by test_container.)
python3 -c '
import sys
d = b"".join(bytes([0, 4 + n, 0, 0]) + bytes(0xF0 + (i % 10) for i in range(n)) for n in (9, 9, 12, 0, 9, 9))
open(sys.argv[1], "wb").write(d + b"\x01\x02")' "$T/small.dat"
"$B" compress -q --recfm V --chunk-size 40 "$T/small.dat" -o "$T/ds"
M="$T/ds/small.dat.cobz"
"$B" verify -q "$M" >/dev/null && ok "the intact member verifies" || notok "the intact member verifies" "failed"

python3 - "$B" "$M" "$T" <<'PY'
import subprocess, sys, os
b, m, t = sys.argv[1], sys.argv[2], sys.argv[3]
good = open(m, 'rb').read()
bad_path = os.path.join(t, 'bad.cobz')
def check(data):
    open(bad_path, 'wb').write(data)
    r = subprocess.run([b, 'verify', '-q', bad_path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode
fails = []
for i in range(len(good)):
    mask = 1 << (i % 8)
    d = bytearray(good); d[i] ^= mask
    rc = check(bytes(d))
    if rc != 8: fails.append('flip byte %d mask %#x rc %d' % (i, mask, rc))
print(('ok' if not fails else 'not ok') + ' - every byte of a %d-byte member flipped gives rc 8' % len(good)
      + ('' if not fails else ' (%s)' % '; '.join(fails[:5])))
lengths = sorted(set(range(0, len(good), 5)) | set(range(max(0, len(good) - 140), len(good))))
fails = [n for n in lengths if check(good[:n]) != 8]
print(('ok' if not fails else 'not ok') + ' - truncations (every 5th length, every one in the last 140 bytes) give rc 8' + ('' if not fails else ' (lengths %s)' % fails[:10]))
rcs = [check(good + extra) for extra in (b'\0', b'garbage' * 10, good)]
print(('ok' if all(rc == 8 for rc in rcs) else 'not ok') + ' - appended garbage gives rc 8 (%s)' % rcs)
PY
[ $? -eq 0 ] || notok "damaged-member checks" "the driver script failed"

# decompress of a damaged member: rc 8 and no output file.
python3 -c 'import sys; d=bytearray(open(sys.argv[1],"rb").read()); d[len(d)//2]^=4; open(sys.argv[2],"wb").write(d)' "$M" "$T/mid.cobz"
"$B" decompress -q "$T/mid.cobz" -o "$T/restored" 2>/dev/null; rc=$?
[ $rc -eq 8 ] && [ ! -e "$T/restored" ] && ok "decompress of a damaged member: rc 8, no output" || notok "decompress of a damaged member: rc 8, no output" "rc=$rc"
"$B" info "$T/mid.cobz" >/dev/null 2>&1; rc=$?
[ $rc -eq 0 ] || [ $rc -eq 8 ] && ok "info of a damaged member does not crash (rc $rc)" || notok "info of a damaged member does not crash" "rc=$rc"
printf 'not a member at all' > "$T/junk.cobz"
"$B" verify "$T/junk.cobz" >/dev/null 2>&1; rc=$?
[ $rc -eq 8 ] && ok "a file that is not a member gives rc 8" || notok "a file that is not a member gives rc 8" "rc=$rc"

# A changed byte in any file of a dataset is found by verify.
head -c 5000 /dev/urandom > "$T/r1.bin"
"$B" compress -q "$T/small.dat" "$T/r1.bin" -o "$T/set"
"$B" verify -q "$T/set" >/dev/null && ok "the intact dataset verifies" || notok "the intact dataset verifies" "failed"
for f in small.dat.cobz r1.bin.cobz manifest-sha256.txt manifest.json tagmanifest-sha256.txt; do
    rm -rf "$T/set2"; cp -r "$T/set" "$T/set2"
    python3 -c 'import sys; p=sys.argv[1]; d=bytearray(open(p,"rb").read()); d[len(d)//3]^=0x20; open(p,"wb").write(d)' "$T/set2/$f"
    "$B" verify -q "$T/set2" >/dev/null 2>&1; rc=$?
    [ $rc -eq 8 ] && ok "verify finds a changed byte in $f" || notok "verify finds a changed byte in $f" "rc=$rc"
done
rm -rf "$T/set2"; cp -r "$T/set" "$T/set2"; rm "$T/set2/r1.bin.cobz"
"$B" verify -q "$T/set2" >/dev/null 2>&1; rc=$?
[ $rc -eq 8 ] && ok "verify finds a missing member" || notok "verify finds a missing member" "rc=$rc"
rm -rf "$T/set2"; cp -r "$T/set" "$T/set2"; cp "$T/set/r1.bin.cobz" "$T/set2/extra.cobz"
"$B" verify -q "$T/set2" >/dev/null 2>&1; rc=$?
[ $rc -eq 8 ] && ok "verify finds a member missing from the manifest" || notok "verify finds a member missing from the manifest" "rc=$rc"
exit 0
