/*
 * codepage.c — single-byte code pages: finding a page by name, bytes to UTF-8
 * and UTF-8 back to bytes.  The tables themselves are generated
 * (src/codepage_tables.c, tools/gen_codepages.py, from glibc iconv).
 *
 * Decisions, stated once:
 *  - A byte that glibc iconv cannot map (seven in cp875, 0x80..0xFF in ascii)
 *    decodes to U+FFFD; no character encodes to such a byte, and U+FFFD itself
 *    is "not in the page" when encoding.  Every other byte maps 1:1, so
 *    decoding then encoding gives back the same bytes.  The EBCDIC pages map
 *    their C0/C1 controls 1:1 as IBM's tables (and glibc) do.
 *  - Names are case-insensitive: "cp037", "037", "37", "IBM037", "IBM-037",
 *    "CP-037", "ebcdic" (= cp037), "ascii"/"us-ascii", "latin1"/"latin-1"/
 *    "iso-8859-1"/"iso8859-1".
 */
#include "codepage_tables.h"
#include "internal.h"

#include <ctype.h>

/* The generated page behind cp, or NULL for a page a caller built itself
 * (those work too, through the slower generic paths). */
static const cbz_cp_page *own_page(const cbz_codepage *cp)
{
    uintptr_t p = (uintptr_t)cp, base = (uintptr_t)cbz_cp_pages;
    if (p < base || p >= base + cbz_cp_page_count * sizeof(cbz_cp_page)) return NULL;
    if ((p - base) % sizeof(cbz_cp_page) != 0) return NULL;
    return (const cbz_cp_page *)cp;
}

static bool name_eq(const char *a, const char *b)
{
    while (*a && *b) {
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return false;
        a++, b++;
    }
    return *a == *b;
}

static bool prefix_eq(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (tolower((unsigned char)*s) != *prefix) return false;
    return true;
}

/* "037" / "37" / "1047": the page number, or -1 when s is not all digits. */
static long page_number(const char *s)
{
    if (!*s) return -1;
    long n = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || n > 100000) return -1;
        n = n * 10 + (*s - '0');
    }
    return n;
}

const cbz_codepage *cbz_codepage_find(const char *name)
{
    static const struct { const char *alias, *page; } aliases[] = {
        {"ebcdic", "cp037"},    {"us-ascii", "ascii"},     {"latin-1", "latin1"},
        {"iso-8859-1", "latin1"}, {"iso8859-1", "latin1"}, {"iso_8859-1", "latin1"},
    };
    if (!name) return NULL;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (name_eq(name, aliases[i].alias)) name = aliases[i].page;
    for (size_t i = 0; i < cbz_cp_page_count; i++)
        if (name_eq(name, cbz_cp_pages[i].pub.name)) return &cbz_cp_pages[i].pub;

    const char *num = name;
    if (prefix_eq(num, "ibm") || prefix_eq(num, "cp")) {
        num += (tolower((unsigned char)num[0]) == 'i') ? 3 : 2;
        if (*num == '-' || *num == '_') num++;
    }
    long n = page_number(num);
    if (n < 0) return NULL;
    for (size_t i = 0; i < cbz_cp_page_count; i++) {
        const char *own = cbz_cp_pages[i].pub.name;
        if (own[0] == 'c' && own[1] == 'p' && page_number(own + 2) == n)
            return &cbz_cp_pages[i].pub;
    }
    return NULL;
}

const char *const *cbz_codepage_names(void)
{
    return cbz_cp_names;
}

static size_t put_utf8(uint32_t u, char *out)
{
    if (u < 0x80) {
        out[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        out[0] = (char)(0xC0 | u >> 6);
        out[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        out[0] = (char)(0xE0 | u >> 12);
        out[1] = (char)(0x80 | (u >> 6 & 0x3F));
        out[2] = (char)(0x80 | (u & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | u >> 18);
    out[1] = (char)(0x80 | (u >> 12 & 0x3F));
    out[2] = (char)(0x80 | (u >> 6 & 0x3F));
    out[3] = (char)(0x80 | (u & 0x3F));
    return 4;
}

size_t cbz_codepage_to_utf8(const cbz_codepage *cp, const uint8_t *in, size_t n, char *out)
{
    const cbz_cp_page *page = own_page(cp);
    size_t o = 0;
    if (page) {
        const uint8_t (*utf8)[4] = page->utf8;
        for (size_t i = 0; i < n; i++) {
            const uint8_t *e = utf8[in[i]];
            /* Copying 3 bytes always is cheaper than branching on the length;
             * out holds 3*n bytes, so the overrun is inside it. */
            out[o] = (char)e[1];
            out[o + 1] = (char)e[2];
            out[o + 2] = (char)e[3];
            o += e[0];
        }
        return o;
    }
    for (size_t i = 0; i < n; i++) o += put_utf8(cp->to_unicode[in[i]], out + o);
    return o;
}

/* Next code point of UTF-8 text; false for malformed input (overlong forms,
 * surrogates, truncated sequences, values above U+10FFFF). */
static bool next_utf8(const uint8_t *s, size_t n, size_t *pos, uint32_t *cp)
{
    size_t i = *pos;
    uint8_t c = s[i];
    uint32_t u;
    size_t len;
    if (c < 0x80) {
        *cp = c;
        *pos = i + 1;
        return true;
    } else if (c >= 0xC2 && c <= 0xDF) {
        u = c & 0x1F, len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        u = c & 0x0F, len = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
        u = c & 0x07, len = 4;
    } else {
        return false;
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; k++) {
        if ((s[i + k] & 0xC0) != 0x80) return false;
        u = u << 6 | (s[i + k] & 0x3F);
    }
    if ((len == 3 && u < 0x800) || (len == 4 && (u < 0x10000 || u > 0x10FFFF)) ||
        (u >= 0xD800 && u <= 0xDFFF))
        return false;
    *cp = u;
    *pos = i + len;
    return true;
}

/* Byte of code point u in page, or -1. */
static int page_byte(const cbz_codepage *cp, const cbz_cp_page *page, uint32_t u)
{
    if (u == CBZ_CP_UNMAPPED) return -1;
    if (page) {
        if (u < 0x100) return page->from_low[u] == CBZ_CP_NO_BYTE ? -1 : page->from_low[u];
        size_t lo = 0, hi = page->n_high;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (page->from_high[mid].unicode < u) lo = mid + 1;
            else hi = mid;
        }
        return (lo < page->n_high && page->from_high[lo].unicode == u) ? page->from_high[lo].byte
                                                                        : -1;
    }
    for (int b = 0; b < 256; b++)
        if (cp->to_unicode[b] == u) return b;
    return -1;
}

int cbz_codepage_byte_of(const cbz_codepage *cp, uint32_t unicode)
{
    return page_byte(cp, own_page(cp), unicode);
}

cbz_status cbz_codepage_from_utf8(const cbz_codepage *cp, const char *in, size_t n,
                                  uint8_t *out, size_t out_cap, size_t *out_len,
                                  cbz_error *err)
{
    const cbz_cp_page *page = own_page(cp);
    const uint8_t *s = (const uint8_t *)in;
    size_t pos = 0, o = 0;
    while (pos < n) {
        size_t at = pos;
        uint32_t u;
        if (s[pos] < 0x80 && page) {
            u = s[pos++];
        } else if (!next_utf8(s, n, &pos, &u)) {
            return cbz_fail(err, CBZ_ERR_VALUE, "invalid UTF-8 at byte %zu of the text (0x%02X)",
                            at, s[at]);
        }
        int b = page_byte(cp, page, u);
        if (b < 0) {
            char shown[5] = {0};
            put_utf8(u, shown);
            return cbz_fail(err, CBZ_ERR_VALUE,
                            "character U+%04X '%s' at byte %zu of the text has no code in %s",
                            (unsigned)u, u >= 0x20 && u != 0x7F ? shown : "?", at, cp->name);
        }
        if (o >= out_cap)
            return cbz_fail(err, CBZ_ERR_VALUE,
                            "text is longer than %zu bytes in %s (at byte %zu of the text)",
                            out_cap, cp->name, at);
        out[o++] = (uint8_t)b;
    }
    if (out_len) *out_len = o;
    return CBZ_OK;
}
