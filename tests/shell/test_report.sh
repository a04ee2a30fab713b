#!/usr/bin/env bash
# test_report.sh — `cobzip report`: builds datasets from generated data (one
# with a hostile member name and --stats, one VB with several chunks, one
# generic), checks the page's structure with grep (SVG charts, every column
# name, escaping, no network references, "not recorded" without stats), the
# error paths (corrupt dataset, wrong or malformed stats, existing output),
# and renders the page with headless Chromium: the DOM comes back with the
# expected elements, a screenshot is written, and the console shows no
# JavaScript error and no blocked or failed load (the page's CSP reports every
# load attempt to the console; a negative control proves the check sees them).
set -u
B=${CBZ_BIN:-build/cobzip}
G=${CBZ_GEN:-build/cbzgen}
ROOT=${CBZ_ROOT:-.}
T=$(mktemp -d /tmp/cbz_report.XXXXXX)
trap '[ -n "${CBZ_REPORT_KEEPDIR:-}" ] || rm -rf "$T"' EXIT
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1 ($2)"; }
# check NAME CONDITION...: ok when the command succeeds.
check() { local name=$1; shift; if "$@"; then ok "$name"; else notok "$name" "failed: $*"; fi; }
has() { grep -qF -- "$2" "$1"; }
hasnt() { ! grep -qiE -- "$2" "$1"; }

if [ ! -x "$B" ] || [ ! -x "$G" ]; then
    notok "report tests" "need $B and $G (make first)"
    exit 1
fi

# --- data ------------------------------------------------------------------
WEIRD='tx<b>&"q'"'"'.dat'          # a source name that needs escaping
"$G" transactions --records 3000 -o "$T/$WEIRD" >/dev/null
"$G" vb --records 2000 -o "$T/vb.dat" >/dev/null
head -c 20000 /dev/urandom >"$T/rnd.bin"
"$B" compress -q -c "$ROOT/copybooks/transactions.cpy" "$T/$WEIRD" -o "$T/ds" --stats "$T/stats.json" 2>"$T/err" ||
    notok "compress transactions" "$(head -c 300 "$T/err")"
"$B" compress -q -c "$ROOT/copybooks/vb.cpy" --recfm VB --chunk-size 40000 "$T/vb.dat" -o "$T/dsvb" --stats "$T/vb.json" 2>"$T/err" ||
    notok "compress vb" "$(head -c 300 "$T/err")"
"$B" compress -q "$T/rnd.bin" -o "$T/dsgen" 2>"$T/err" || notok "compress generic" "$(head -c 300 "$T/err")"

# --- help and usage ----------------------------------------------------------
"$B" report --help >"$T/help" 2>&1
rc=$?
check "report --help answers on stdout (rc 0)" test $rc -eq 0 -a -n "$(grep 'usage: cobzip report' "$T/help")"
"$B" report "$T/ds" >/dev/null 2>&1
check "report without -o is a usage error (rc 12)" test $? -eq 12
"$B" report --bogus "$T/ds" -o "$T/x.html" >/dev/null 2>&1
check "unknown option is a usage error (rc 12)" test $? -eq 12

# --- the page ------------------------------------------------------------------
R="$T/report.html"
if "$B" report "$T/ds" --stats "$T/stats.json" -o "$R" 2>"$T/err"; then ok "report with --stats"
else notok "report with --stats" "rc=$? $(head -c 300 "$T/err")"; fi
cp "$R" "$T/full.html"    # what Chromium renders below
check "page is one HTML document" has "$R" '<!DOCTYPE html>'
check "page has inline SVG charts (waterfall, columns, time)" \
    test "$(grep -oE '<svg class="chart (waterfall|columns|times)"' "$R" | sort -u | wc -l)" -eq 3
check "page has the columns table" has "$R" '<table class="columns">'
"$B" info "$T/ds" --json | grep -o '{"name": "[^"]*"' | sed 's/{"name": "//; s/"$//' | sort -u >"$T/names"
missing=0
while IFS= read -r name; do grep -qF -- ">$name<" "$R" || { missing=$((missing + 1)); echo "# missing column $name"; }; done <"$T/names"
check "every column name of the member is on the page ($(wc -l <"$T/names") names)" test "$missing" -eq 0 -a -s "$T/names"
check "no http:// or https:// reference" hasnt "$R" 'https?://'
check "no script, no external resource (src=, url(, @import, link)" hasnt "$R" '<script|[[:space:]]src=|url\(|@import|<link|<img|<iframe'
check "every href is a fragment" test -z "$(grep -oE 'href="[^#][^"]*"' "$R")"
check "a Content-Security-Policy forbids every load" has "$R" "content=\"default-src 'none'"
check "the source name is HTML-escaped" has "$R" 'tx&lt;b&gt;&amp;&quot;q&#39;.dat'
check "the raw source name never appears" hasnt "$R" 'tx<b>'
check "ratio against the manifest's original size" has "$R" "against the manifest&#39;s original size"
check "throughput from the stats file" test -n "$(grep -oE '<div class="v">[0-9.]+ MB/s</div>' "$R")"
check "time per layer from the stats file" has "$R" 'L8 entropy'
check "each layer L1..L8 is in the waterfall" test "$(grep -oE '<text class="lab"[^>]*>L[1-8]</text>' "$R" | wc -l)" -eq 8

# Sizes on the page agree with the manifest.
orig=$(grep -oE '"size": [0-9]+' "$T/ds/manifest.json" | head -1 | grep -oE '[0-9]+')
msize=$(grep -oE '"member_size": [0-9]+' "$T/ds/manifest.json" | head -1 | grep -oE '[0-9]+')
origc=$(echo "$orig" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')
msizec=$(echo "$msize" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')
check "original ($origc) and stored ($msizec) sizes from the manifest" has "$R" "$origc bytes in 3,000 records and 1 chunk become $msizec bytes"

R2="$T/nostats.html"
"$B" report "$T/ds" -o "$R2" 2>"$T/err"
check "report without --stats" test $? -eq 0
check "without --stats, time and throughput say 'not recorded'" test "$(grep -c 'not recorded' "$R2")" -ge 2
"$B" report "$T/ds" -o "$T/again.html" 2>/dev/null
check "the page depends only on its inputs (same bytes twice)" cmp -s "$R2" "$T/again.html"

"$B" report "$T/dsvb" --stats "$T/vb.json" -o "$T/vb.html" 2>"$T/err"
check "VB dataset with several chunks" test $? -eq 0 -a -n "$(grep '<svg class="chart chunks"' "$T/vb.html")"
"$B" compress -q "$T/rnd.bin" "$T/vb.dat" -o "$T/ds2" --stats "$T/two.json" 2>/dev/null
"$B" report "$T/ds2" --stats "$T/two.json" -o "$T/two.html" 2>"$T/err"
check "two members, both matched in the stats file" test $? -eq 0 -a "$(grep -c '<section class="member"' "$T/two.html")" -eq 2 \
    -a "$(grep -c 'not recorded' "$T/two.html")" -eq 0
U8=$'bad\xff\x01\xed\xa0\x80\xc3\xa9.dat'   # invalid UTF-8, a control character, a surrogate, an é
cp "$T/vb.dat" "$T/$U8"
"$B" compress -q "$T/$U8" -o "$T/dsu8" 2>/dev/null
"$B" report "$T/dsu8" -o "$T/u8.html" 2>"$T/err"
check "bytes that are not UTF-8 become U+FFFD, the page stays valid UTF-8" test $? -eq 0 \
    -a -n "$(grep -F 'bad&#xFFFD;&#xFFFD;&#xFFFD;&#xFFFD;&#xFFFD;'$'\xc3\xa9''.dat' "$T/u8.html")" \
    -a -n "$(python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8"); print(1)' "$T/u8.html" 2>/dev/null)"
"$B" report "$T/ds" --chart-columns 5 -o "$T/five.html" 2>"$T/err"
check "--chart-columns 5 draws 5 rows and says so" test "$(grep -c '<g class="row">' "$T/five.html")" -eq 5 \
    -a -n "$(grep 'the 5 largest of 21 are drawn' "$T/five.html")"
"$B" report "$T/dsgen" -o "$T/gen.html" 2>"$T/err"
check "generic (plain bytes) dataset" test $? -eq 0 -a -n "$(grep 'generic (plain bytes)' "$T/gen.html")"
"$B" report "$T/ds" --stats "$T/stats.json" -o - >"$T/stdout.html" 2>/dev/null
check "-o - writes the page to stdout" cmp -s "$R" "$T/stdout.html"

# --- outputs and errors --------------------------------------------------------
cp "$R" "$T/keep.html"
"$B" report "$T/ds" -o "$R" >/dev/null 2>&1
check "existing output refused without --force (rc 12, untouched)" test $? -eq 12 -a -n "$(cmp "$R" "$T/keep.html" && echo same)"
"$B" report "$T/ds" -o "$R" --force 2>/dev/null
check "--force replaces the output" test $? -eq 0 -a -n "$(cmp -s "$R" "$R2" && echo same)"

cp -r "$T/ds" "$T/bad"
member=$(ls "$T/bad"/*.cobz | head -1)
printf '\x55' | dd of="$member" bs=1 seek=200 conv=notrunc 2>/dev/null
"$B" report "$T/bad" -o "$T/bad.html" >/dev/null 2>"$T/err"
rc=$?
check "corrupt member: error (rc 8), no page" test $rc -eq 8 -a ! -e "$T/bad.html"
check "corrupt member: the error names the problem" test -n "$(grep -i 'checksum\|sha-256' "$T/err")"
"$B" report "$T/bad" --no-check -o "$T/bad.html" >/dev/null 2>"$T/err"
check "corrupt member with --no-check: still an error (member checksums), no page" test $? -eq 8 -a ! -e "$T/bad.html"
ls -A "$T" | grep -q '\.bad\.html\.tmp' && notok "no temporary file left" "found one" || ok "no temporary file left"

cp -r "$T/ds" "$T/nomanifest"
rm "$T/nomanifest/manifest.json"
"$B" report "$T/nomanifest" --no-check -o "$T/nm.html" >/dev/null 2>"$T/err"
check "missing manifest.json: error (rc 8)" test $? -eq 8 -a ! -e "$T/nm.html"
cp -r "$T/ds" "$T/edited"
sed -i 's/"size": \([0-9]*\)/"size": 1\1/' "$T/edited/manifest.json"
"$B" report "$T/edited" --no-check -o "$T/ed.html" >/dev/null 2>"$T/err"
check "manifest.json that disagrees with its member: error (rc 8)" test $? -eq 8 -a -n "$(grep 'manifest.json' "$T/err")"
"$B" report "$T/edited" -o "$T/ed.html" >/dev/null 2>"$T/err"
check "edited manifest.json fails the tag manifest's SHA-256 (rc 8)" test $? -eq 8

"$B" report "$T/ds" --stats "$T/vb.json" -o "$T/w.html" >/dev/null 2>"$T/err"
check "stats of another dataset: error (rc 8)" test $? -eq 8 -a -n "$(grep 'matches no member' "$T/err")" -a ! -e "$T/w.html"
printf '{"members": [' >"$T/broken.json"
"$B" report "$T/ds" --stats "$T/broken.json" -o "$T/w.html" >/dev/null 2>"$T/err"
check "malformed stats JSON: error (rc 8)" test $? -eq 8 -a ! -e "$T/w.html"
"$B" report "$T/ds" --stats "$T/none.json" -o "$T/w.html" >/dev/null 2>&1
check "missing stats file: I/O error (rc 16)" test $? -eq 16
"$B" report "$T/rnd.bin" -o "$T/w.html" >/dev/null 2>&1
check "a plain file is not a dataset (rc 12)" test $? -eq 12
"$B" report "$T/no-such-dir" -o "$T/w.html" >/dev/null 2>&1
check "missing dataset (rc 16)" test $? -eq 16

# --- headless Chromium -----------------------------------------------------------
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ] && [ "${CI:-}" = true ]; then
    CBZ_WANT_CHROMIUM=1 "$ROOT/tools/install-deps.sh" >&2 || true
    CHROME=$(command -v chromium || true)
fi
if [ -z "$CHROME" ]; then
    ok "chromium render # SKIP chromium not installed"
    exit 0
fi

# chrome OUTFILE URL ARGS...: runs headless Chromium; stdout to OUTFILE, its
# log to OUTFILE.log.
chrome() {
    local out=$1 url=$2; shift 2
    local prof; prof=$(mktemp -d "$T/profile.XXXXXX")
    timeout 40 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$prof" --enable-logging=stderr --v=0 "$@" "$url" >"$out" 2>"$out.log"
}
# Console messages (JavaScript errors, CSP-blocked or failed loads).
console_errors() { grep -E ':CONSOLE|Uncaught|Failed to load resource|net::ERR_' "$1" || true; }

# Negative control: a page with a script error and loads its CSP blocks.
cat >"$T/control.html" <<'EOF'
<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
</head><body><img src="missing.png"><script>undefinedFunction();</script></body></html>
EOF
chrome "$T/control.dom" "file://$T/control.html" --dump-dom
check "negative control: the console check sees a script error and a blocked load" \
    test "$(console_errors "$T/control.dom.log" | wc -l)" -ge 2

chrome "$T/dom.html" "file://$T/full.html" --dump-dom
rc=$?
check "chromium --dump-dom loads the page (rc $rc)" test $rc -eq 0
check "DOM has the summary, member section and charts" test -n "$(grep 'id="summary"' "$T/dom.html")" \
    -a -n "$(grep 'id="member-1"' "$T/dom.html")" -a "$(grep -o '<svg class="chart [a-z]*"' "$T/dom.html" | sort -u | wc -l)" -eq 3
missing=0
while IFS= read -r name; do grep -qF -- ">$name<" "$T/dom.html" || missing=$((missing + 1)); done <"$T/names"
check "DOM has every column name" test "$missing" -eq 0
check "DOM shows the escaped source name as text" has "$T/dom.html" 'tx&lt;b&gt;&amp;"q'"'"'.dat'
errs=$(console_errors "$T/dom.html.log")
check "no JavaScript error or failed load in the console${errs:+: $(echo "$errs" | head -c 200)}" test -z "$errs"

PNG="$T/shot.png"
chrome "$T/shot.out" "file://$T/full.html" --screenshot="$PNG" --window-size=1280,2000
size=$(stat -c %s "$PNG" 2>/dev/null || echo 0)
check "screenshot written (PNG, $size bytes)" test "$size" -gt 30000 -a "$(head -c 8 "$PNG" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a
dims=$(od -An -tu1 -j16 -N8 "$PNG" | awk '{print $3*256+$4 "x" $7*256+$8}')
check "screenshot is 1280x2000 ($dims)" test "$dims" = 1280x2000
errs=$(console_errors "$T/shot.out.log")
check "no console error while taking the screenshot" test -z "$errs"
exit 0
