#!/usr/bin/env python3
"""oracle.py - compares `cobzip convert` with what a GnuCOBOL program says it wrote.

The program's standard output (saved in --listing) has
  L NAME KIND LENGTH      one per elementary field, in record order
  R RECNO NAME VALUE      one per field per record, VALUE as COBOL DISPLAYs it
KIND tells how the field's bytes are stored, which is what a byte translator
needs to know:
  T   text (PIC X / A)                 translated character by character
  Z   zoned digits, '+'/'-' separate   digits to F0-F9, '+' 4E, '-' 60
  ZT  zoned, sign overpunched last     as Z, the last byte to C/D zone
  ZL  zoned, sign overpunched first    as Z, the first byte to C/D zone
  B   big-endian binary                kept
  P   packed decimal                   kept
  N   native (little-endian) COMP-5    byte-swapped to big-endian
  F4  native IEEE COMP-1               byte-swapped to big-endian
  F8  native IEEE COMP-2               byte-swapped to big-endian

Variants (--variant, repeatable):
  ascii   the file as written (native fields byte-swapped), --codepage ascii
  ebcdic  the same records translated to EBCDIC cp037, --codepage cp037
Prints one TAP line per variant: every field of every record must agree.
"""
import argparse
import json
import os
import subprocess
import sys
from decimal import Decimal, InvalidOperation

EBCDIC_ZONED = {ord('+'): 0x4E, ord('-'): 0x60, ord(' '): 0x40}
EBCDIC_ZONED.update({0x30 + d: 0xF0 + d for d in range(10)})


def parse_listing(path):
    fields, records = [], {}
    with open(path, encoding='latin-1') as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('L '):
                _, name, kind, length = line.split()
                fields.append((name, kind, int(length.lstrip('+'))))
            elif line.startswith('R '):
                parts = line.split(' ', 3)
                if len(parts) < 4:
                    parts.append('')
                _, recno, name, value = parts
                records.setdefault(int(recno), {})[name] = value
    return fields, [records[k] for k in sorted(records)]


def overpunch_to_ebcdic(b):
    """One ASCII overpunched sign byte (GnuCOBOL's or IBM-style) to EBCDIC."""
    if 0x30 <= b <= 0x39:
        return 0xC0 | (b - 0x30)          # signed positive: IBM writes zone C
    if 0x70 <= b <= 0x79:
        return 0xD0 | (b - 0x70)          # GnuCOBOL -fsign=ASCII negative
    if b == ord('{'):
        return 0xC0
    if b == ord('}'):
        return 0xD0
    if ord('A') <= b <= ord('I'):
        return 0xC1 + (b - ord('A'))
    if ord('J') <= b <= ord('R'):
        return 0xD1 + (b - ord('J'))
    raise ValueError('not an overpunched digit: 0x%02X' % b)


def translate(data, fields, ebcdic):
    """Returns the record bytes for a variant (see the module comment)."""
    out = bytearray()
    pos = 0
    rec_len = sum(n for _, _, n in fields)
    while pos < len(data):
        for name, kind, n in fields:
            b = data[pos:pos + n]
            pos += n
            if kind in ('N', 'F4', 'F8'):
                b = b[::-1]
            elif ebcdic and kind == 'T':
                b = b.decode('latin-1').encode('cp037')
            elif ebcdic and kind in ('Z', 'ZT', 'ZL'):
                z = bytearray(b)
                for j, c in enumerate(b):
                    if (kind == 'ZT' and j == n - 1) or (kind == 'ZL' and j == 0):
                        z[j] = overpunch_to_ebcdic(c)
                    elif c in EBCDIC_ZONED:
                        z[j] = EBCDIC_ZONED[c]
                    else:
                        raise ValueError('field %s: byte 0x%02X is not zoned' % (name, c))
                b = bytes(z)
            out += b
        assert pos % rec_len == 0
    return bytes(out)


def norm(name):
    return name.upper().replace('_', '-')


def flatten(obj, into):
    """Leaf values of a JSON record by field name (groups flattened)."""
    for k, v in obj.items():
        if isinstance(v, dict):
            flatten(v, into)
        else:
            into[norm(k)] = v
    return into


def same(kind, cobol, ours):
    """True when cobzip's JSON value means what COBOL DISPLAYed."""
    if kind == 'T':
        return isinstance(ours, str) and ours.rstrip(' ') == cobol.rstrip(' ')
    if ours is None or isinstance(ours, (bool, dict, list)):
        return False
    if kind in ('F4', 'F8'):
        try:
            a, b = float(cobol.strip()), float(str(ours))
        except ValueError:
            return False
        tol = 2e-7 if kind == 'F4' else 1e-15
        return abs(a - b) <= tol * max(abs(a), abs(b))
    try:
        return Decimal(cobol.strip()) == Decimal(str(ours))
    except InvalidOperation:
        return False


def run_variant(args, fields, records, variant, workdir):
    with open(args.data, 'rb') as f:
        raw = f.read()
    rec_len = sum(n for _, _, n in fields)
    label = '%s %s' % (args.name, variant)
    if rec_len == 0 or len(raw) != rec_len * len(records):
        return 'not ok - oracle %s (file has %d bytes, expected %d records x %d)' % (
            label, len(raw), len(records), rec_len)
    data = translate(raw, fields, variant == 'ebcdic')
    inp = os.path.join(workdir, '%s-%s.dat' % (args.name, variant))
    out = os.path.join(workdir, '%s-%s.jsonl' % (args.name, variant))
    with open(inp, 'wb') as f:
        f.write(data)
    cmd = [args.cobzip, 'convert', '-c', args.copybook, '--format', 'jsonl',
           '--codepage', 'cp037' if variant == 'ebcdic' else 'ascii', '--force']
    if any(k in ('F4', 'F8') for _, k, _ in fields):
        cmd += ['--float', 'ieee']
    cmd += [inp, '-o', out]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        err = p.stderr.decode('utf-8', 'replace').strip().splitlines()
        return 'not ok - oracle %s (cobzip convert exit %d: %s)' % (
            label, p.returncode, err[-1] if err else 'no message')
    with open(out, encoding='utf-8') as f:
        got = [flatten(json.loads(line, parse_float=Decimal), {}) for line in f if line.strip()]
    if len(got) != len(records):
        return 'not ok - oracle %s (cobzip gave %d records, COBOL wrote %d)' % (
            label, len(got), len(records))
    bad, first = 0, None
    for i, (want, have) in enumerate(zip(records, got), 1):
        for name, kind, _ in fields:
            ours = have.get(norm(name))
            if not same(kind, want[name], ours):
                bad += 1
                if first is None:
                    first = 'record %d field %s: COBOL %r, cobzip %r' % (
                        i, name, want[name].strip() if kind != 'T' else want[name].rstrip(),
                        ours if not isinstance(ours, Decimal) else str(ours))
    if bad:
        return 'not ok - oracle %s (%d of %d values differ; first: %s)' % (
            label, bad, len(fields) * len(records), first)
    return 'ok - oracle %s: %d fields x %d records agree' % (label, len(fields), len(records))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cobzip', required=True)
    ap.add_argument('--name', required=True)
    ap.add_argument('--listing', required=True)
    ap.add_argument('--data', required=True)
    ap.add_argument('--copybook', required=True)
    ap.add_argument('--variant', action='append', choices=['ascii', 'ebcdic'])
    ap.add_argument('--workdir', required=True)
    args = ap.parse_args()
    fields, records = parse_listing(args.listing)
    ok = True
    for v in args.variant or ['ascii', 'ebcdic']:
        line = run_variant(args, fields, records, v, args.workdir)
        print(line)
        ok = ok and line.startswith('ok')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
