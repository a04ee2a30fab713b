#!/usr/bin/env python3
"""normalise.py - runs the Cobrix conformance cases (cases.txt) through
`cobzip convert --format jsonl` and compares the records with Cobrix's expected
output after normalising both sides.  Prints TAP lines and a closing
"# conformance: P of N cases pass".

Normalisation (see README.md and ../shared/conformance/cobrix/CASES.md):
  - keys: '-' -> '_', upper case; FILLER keys dropped; keys named in drop= and
    keys ending in a drop-suffix= are dropped; a null value is a missing key;
  - a record that is a single group (the 01 level) is unwrapped, so Cobrix's
    collapse_root and a root object compare equal;
  - numbers compare as exact decimals; fields Spark's schema types as float
    compare at single precision, double at double precision;
  - strings compare as they are (cobzip runs with the case's --trim);
  - only the first len(expected) records are compared, after sorting ours by
    sort= when the case says Cobrix sorted;
  - fill0: Cobrix ran na.fill(0), so an expected 0 matches a missing value;
  - zero-null=A,B: for these fields an expected 0 matches a missing value
    (Cobrix reads a DISPLAY decimal of all spaces as 0; cobzip reports it);
  - drop-controls: Cobrix's ASCII decoder drops control characters (NUL
    inside a text field) where cobzip keeps them: both sides lose them;
  - empty-null: an expected "" matches a missing value (Cobrix gives "" for a
    text field past the end of a short segment; cobzip gives null);
  - unordered=K1,K2: Cobrix's output order has no sort key; both sides are
    sorted by these keys before comparing;
  - common-page: Cobrix ran with its default "common" EBCDIC table, which
    shows every character outside the EBCDIC invariant set as a space; both
    sides' strings get the same mapping (cobzip decodes the case's real page);
  - wide-binary: the case's data was written with Cobrix's sizes for binary
    fields of more than 18 digits (9 bytes for 19-20 digits, where IBM COBOL
    has no such field and cobzip uses 8).  The copybook is rewritten so that
    each such field is PIC X of Cobrix's size (keeping every later offset
    where the data has it) and those fields are left out of the comparison.

cases.txt: one case a line, fields separated by '|':
  NAME | COPYBOOK | DATA | EXPECTED | CONVERT OPTIONS | COMPARE OPTIONS
paths relative to the Cobrix data directory; '#' starts a comment line.
"""
import argparse
import json
import math
import os
import re
import shlex
import struct
import subprocess
import sys
from decimal import Decimal, InvalidOperation


def load_cases(path):
    cases = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            parts = [p.strip() for p in line.split('|')]
            parts += [''] * (6 - len(parts))
            name, cpy, data, expected, conv, comp = parts[:6]
            opts = {}
            for tok in comp.split():
                k, _, v = tok.partition('=')
                opts[k] = v
            cases.append(dict(name=name, copybook=cpy, data=data, expected=expected,
                              convert=shlex.split(conv), compare=opts))
    return cases


# ---------------------------------------------------------------------------
# Copybook rewrite for Cobrix's binary sizes above 18 digits.
# ---------------------------------------------------------------------------
BINARY_RE = re.compile(
    r'^(?P<head>.{6}\s+\d+\s+(?P<name>[A-Z0-9-]+)\s+)PIC\s+(?P<pic>S?[9V()0-9P]+)\s+'
    r'(?P<usage>COMP-[045]|COMP|BINARY)\s*\.', re.IGNORECASE)


def pic_digits(pic):
    n = 0
    for m in re.finditer(r'([9P])(?:\((\d+)\))?', pic.upper()):
        n += int(m.group(2)) if m.group(2) else 1
    return n


def cobrix_binary_size(digits):
    bits = math.ceil(digits * math.log2(10)) + 1
    return (bits + 7) // 8


def rewrite_wide_binary(text):
    """Returns (new copybook text, names of rewritten fields)."""
    out, names = [], []
    for line in text.splitlines():
        m = BINARY_RE.match(line[:72])
        if m and pic_digits(m.group('pic')) > 18:
            size = cobrix_binary_size(pic_digits(m.group('pic')))
            names.append(m.group('name').upper().replace('-', '_'))
            line = '%sPIC X(%d).' % (m.group('head'), size)
        out.append(line)
    return '\n'.join(out) + '\n', names


# ---------------------------------------------------------------------------
# Normalisation and comparison.
# ---------------------------------------------------------------------------
def float_fields(schema_path):
    """Names Spark's schema types float / double."""
    kinds = {}
    if not os.path.exists(schema_path):
        return kinds

    def walk(node):
        if isinstance(node, dict):
            if node.get('type') in ('float', 'double') and 'name' in node:
                kinds[node['name'].upper()] = node['type']
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    try:
        with open(schema_path, encoding='latin-1') as f:
            walk(json.load(f))
    except ValueError:
        pass   # some schema files are not JSON (Spark's tree dump): no float fields then
    return kinds


def normalise(value, opts):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = k.replace('-', '_').upper()
            if key == 'FILLER' or key.startswith('FILLER_') or key in opts['drop']:
                continue
            if any(key.endswith(s) for s in opts['drop_suffix']):
                continue
            if v is None:
                continue
            out[key] = normalise(v, opts)
        return out
    if isinstance(value, list):
        return [normalise(v, opts) for v in value]
    if isinstance(value, str):
        if opts['drop_controls']:
            value = CONTROLS.sub('', value)
        value = CONTROLS.sub(' ', value)
        if opts['common_page']:
            value = ''.join(c if c in INVARIANT else ' ' for c in value)
        if opts['trim'] == 'both':
            value = value.strip(' ')
        elif opts['trim'] == 'right':
            value = value.rstrip(' ')
    return value


# C0 and C1 control characters: Cobrix's EBCDIC tables show most of them as
# spaces, cobzip keeps them (its output must encode back to the same bytes).
CONTROLS = re.compile('[\x00-\x1f\x7f-\x9f]')

# The characters of Cobrix's "common" EBCDIC table (CodePageCommon.scala).
INVARIANT = set('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
                ' .<(+|&!$*);-/,%_>?`:#@\'="~^[]{}\\')


def unwrap(rec):
    if isinstance(rec, dict) and len(rec) == 1:
        (v,) = rec.values()
        if isinstance(v, dict):
            return v
    return rec


def as_decimal(v):
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, Decimal)):
        return Decimal(v)
    if isinstance(v, str):
        try:
            return Decimal(v.strip())
        except InvalidOperation:
            return None
    return None


def same_value(key, want, have, floats):
    kind = floats.get(key)
    if kind:
        try:
            a, b = float(want), float(have)
        except (TypeError, ValueError):
            return False
        if kind == 'float':
            return struct.pack('>f', a) == struct.pack('>f', b)
        return a == b or abs(a - b) <= 1e-15 * max(abs(a), abs(b))
    if isinstance(want, str) and isinstance(have, str):
        return want == have
    dw, dh = as_decimal(want), as_decimal(have)
    if dw is not None and dh is not None and not isinstance(want, str):
        return dw == dh
    return want == have


def compare(want, have, path, ctx):
    """First difference between expected and actual as text, or None."""
    if isinstance(want, dict):
        if not isinstance(have, dict):
            return '%s: expected a group, got %s' % (path or 'record', short(have))
        for k, w in want.items():
            p = '%s.%s' % (path, k) if path else k
            if k in ctx['excluded']:
                continue
            if k not in have:
                if (ctx['fill0'] or k in ctx['zero_null']) and \
                        not isinstance(w, (dict, list, str)) and as_decimal(w) == 0:
                    continue
                if ctx['empty_null'] and w == '':
                    continue
                return '%s: expected %s, got nothing' % (p, short(w))
            d = compare(w, have[k], p, ctx)
            if d:
                return d
        for k, h in have.items():
            if k not in want and k not in ctx['excluded'] and h not in ('', [], {}):
                return '%s: expected nothing (null), got %s' % (
                    '%s.%s' % (path, k) if path else k, short(h))
        return None
    if isinstance(want, list):
        if not isinstance(have, list):
            return '%s: expected an array, got %s' % (path, short(have))
        if len(want) != len(have):
            return '%s: expected %d elements, got %d' % (path, len(want), len(have))
        for i, (w, h) in enumerate(zip(want, have)):
            d = compare(w, h, '%s[%d]' % (path, i), ctx)
            if d:
                return d
        return None
    key = path.split('.')[-1].split('[')[0]
    if not same_value(key, want, have, ctx['floats']):
        return '%s: expected %s, got %s' % (path, short(want), short(have))
    return None


def short(v):
    s = str(v) if isinstance(v, Decimal) else json.dumps(v, default=str, ensure_ascii=True)
    return s if len(s) <= 60 else s[:57] + '...'


def read_jsonl(path):
    """JSON Lines, or pretty-printed objects / arrays one after another."""
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    dec = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal)
    recs, i = [], 0
    while True:
        while i < len(text) and text[i] in ' \t\r\n,':
            i += 1
        if i >= len(text):
            break
        v, i = dec.raw_decode(text, i)
        recs.extend(v if isinstance(v, list) else [v])
    return recs


def run_case(case, args):
    data_dir = args.data
    name = case['name']
    opts = case['compare']
    work = os.path.join(args.workdir, name)
    os.makedirs(work, exist_ok=True)
    copybook = os.path.join(data_dir, case['copybook'])
    excluded = set()
    if 'wide-binary' in opts:
        with open(copybook, encoding='latin-1') as f:
            text, names = rewrite_wide_binary(f.read())
        excluded.update(names)
        copybook = os.path.join(work, 'copybook.cob')
        with open(copybook, 'w', encoding='latin-1') as f:
            f.write(text)
    out = os.path.join(work, 'out.jsonl')
    cmd = [args.cobzip, 'convert', '-c', copybook, '--format', 'jsonl', '--force',
           '--max-errors', '1000000000'] + \
        case['convert'] + [os.path.join(data_dir, case['data']), '-o', out]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # 4 = values were rejected (Cobrix nulls them): the records still compare.
    if p.returncode not in (0, 4) or not os.path.exists(out):
        err = p.stderr.decode('utf-8', 'replace').strip().splitlines()
        return False, 'cobzip convert exit %d: %s' % (p.returncode, err[-1] if err else 'no message')
    trim = 'right'
    if '--trim' in case['convert']:
        trim = case['convert'][case['convert'].index('--trim') + 1]
    nopts = dict(trim=trim, common_page='common-page' in opts,
                 drop_controls='drop-controls' in opts,
                 drop=set(k.upper() for k in opts.get('drop', '').split(',') if k),
                 drop_suffix=[s.upper() for s in opts.get('drop-suffix', '').split(',') if s])
    expected_path = os.path.join(data_dir, case['expected'])
    want = [unwrap(normalise(r, nopts)) for r in read_jsonl(expected_path)]
    have = [unwrap(normalise(r, nopts)) for r in read_jsonl(out)]
    if opts.get('sort'):
        key = opts['sort'].upper()
        have.sort(key=lambda r: as_decimal(r.get(key)) if as_decimal(r.get(key)) is not None else Decimal(0))
    if opts.get('unordered'):
        keys = [k.upper() for k in opts['unordered'].split(',') if k]
        order = lambda r: tuple(json.dumps(r.get(k), default=str) for k in keys)
        want.sort(key=order)
        have.sort(key=order)
    if len(have) < len(want):
        return False, 'cobzip framed %d records, Cobrix %d or more' % (len(have), len(want))
    schema = re.sub(r'(_trim_\w+|_cp\w+|b)?\.txt$', '_schema.json', expected_path)
    ctx = dict(excluded=excluded, fill0='fill0' in opts, floats=float_fields(schema),
               zero_null=set(k.upper() for k in opts.get('zero-null', '').split(',') if k),
               empty_null='empty-null' in opts)
    first, fields = None, []
    for i, (w, h) in enumerate(zip(want, have), 1):
        for k in list(w) + [k for k in h if k not in w]:
            sub_w = {k: w[k]} if k in w else {}
            sub_h = {k: h[k]} if k in h else {}
            d = compare(sub_w, sub_h, '', ctx)
            if d:
                first = first or 'record %d: %s' % (i, d)
                if k not in fields:
                    fields.append(k)
    if first:
        more = ''
        if len(fields) > 1:
            more = '; %d fields differ: %s' % (len(fields), ', '.join(fields[:12]) +
                                                (', ...' if len(fields) > 12 else ''))
        return False, first + more
    note = ''
    if excluded:
        note = ' (%d records; %d wide binary fields excluded, see README)' % (len(want), len(excluded))
    else:
        note = ' (%d records)' % len(want)
    return True, note


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cobzip', required=True)
    ap.add_argument('--data', required=True, help='Cobrix data directory')
    ap.add_argument('--cases', required=True)
    ap.add_argument('--workdir', required=True)
    ap.add_argument('--only', action='append', help='run only these cases')
    args = ap.parse_args()
    cases = load_cases(args.cases)
    if args.only:
        cases = [c for c in cases if c['name'] in args.only]
    passed = 0
    for case in cases:
        try:
            ok, why = run_case(case, args)
        except (OSError, ValueError) as e:
            ok, why = False, '%s: %s' % (type(e).__name__, e)
        if ok:
            passed += 1
            print('ok - %s%s' % (case['name'], why))
        else:
            print('not ok - %s (reason: %s)' % (case['name'], why))
    print('# conformance: %d of %d cases pass' % (passed, len(cases)))
    return 0 if passed == len(cases) else 1


if __name__ == '__main__':
    sys.exit(main())
