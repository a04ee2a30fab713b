/*
 * test_column_decode.c — the fast paths of the column decoder (src/column.c,
 * decoder side): exact round trips through every path the decoder takes a
 * shortcut on (text blanked by a peer at every width, text split by a peer,
 * digit runs in text, dense exceptions and exceptions by reference, decimal
 * planes with signs, trimmed text, dictionaries of every width), each checked
 * to really take that path; repeated decodes reusing the per-thread scratch
 * buffers with shrinking and growing sizes; and corrupt bodies (the zstd
 * body unpacked, bytes changed, stored again) giving CBZ_OK or
 * CBZ_ERR_FORMAT, never a crash (run under ASan by make test-asan).
 */
#include "column.h"
#include "column_testutil.h"
#include "kernels.h"
#include "zstd_wrap.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>

/* An ASCII column (mk with ebcdic 0) whose digit count is set from its
 * width: 2w - 1 for packed, w otherwise. */
static cbz_col_desc mk_ascii(uint8_t kind, uint32_t width, uint8_t sign, uint8_t sgn)
{
    cbz_col_desc d = mk(kind, width, sign, 0, sgn);
    d.digits = (uint16_t)(kind == CBZ_COL_PACKED ? 2 * width - 1 : width);
    return d;
}

/* Trailing-sign ASCII zoned digits of x (|x| < 10^w). */
static void put_zoned(uint8_t *dst, size_t w, int64_t x)
{
    uint64_t m = x < 0 ? (uint64_t)-x : (uint64_t)x;
    for (size_t q = w; q-- > 0;) {
        dst[q] = (uint8_t)('0' + m % 10);
        m /= 10;
    }
    if (x < 0) dst[w - 1] = (uint8_t)(dst[w - 1] + 0x40); /* ASCII negative zone 0x7_ */
}

typedef struct enc {
    cbz_buf buf;
    char chain[96];
} enc;

/* Encodes column d (with peers), checks that the decoder gives the values
 * back (twice: the second decode reuses the scratch buffers) and that the
 * chain holds `want` (when not NULL).  The encoding stays in e. */
static int roundtrip(const cbz_col_desc *d, const uint8_t *v, size_t n, const cbz_col_peer *peers,
                     size_t np, const char *want, enc *e)
{
    cbz_buf_init(&e->buf);
    cbz_error err = { 0 };
    cbz_col_stats st;
    cbz_status rc = cbz_column_encode_peers(d, v, n, peers, np, 3, &e->buf, &st, &err);
    CU_ASSERT_EQUAL_FATAL(rc, CBZ_OK);
    snprintf(e->chain, sizeof e->chain, "%s", st.chain);
    int ok = 1;
    if (want && !strstr(st.chain, want)) {
        printf("\n  chain %s lacks %s\n", st.chain, want);
        ok = 0;
    }
    uint8_t *back = malloc(n * d->width + 1);
    for (int pass = 0; pass < 2; pass++) {
        memset(back, 0xA5, n * d->width + 1);
        rc = cbz_column_decode_peers(d, e->buf.data, e->buf.len, n, peers, np, back, &err);
        if (rc != CBZ_OK) {
            printf("\n  decode (%s): %s\n", st.chain, err.msg);
            ok = 0;
        } else if (memcmp(back, v, n * d->width) != 0) {
            printf("\n  decode (%s): values differ\n", st.chain);
            ok = 0;
        }
        if (back[n * d->width] != 0xA5) ok = 0; /* nothing written past the values */
    }
    free(back);
    return ok;
}

/* Unpacks the body of an encoding (header: version, method, varint n,
 * varint body length, entropy byte) into *body; false when it cannot. */
static bool unpack_body(const cbz_buf *b, uint8_t *head, size_t *head_len, cbz_buf *body)
{
    cbz_cursor c;
    cbz_cursor_init(&c, b->data, b->len);
    uint8_t ver, method, entropy;
    uint64_t n, len;
    if (!cbz_cursor_u8(&c, &ver) || !cbz_cursor_u8(&c, &method) || !cbz_cursor_varint(&c, &n) ||
        !cbz_cursor_varint(&c, &len))
        return false;
    *head_len = c.pos; /* up to the entropy byte */
    memcpy(head, b->data, c.pos);
    if (!cbz_cursor_u8(&c, &entropy)) return false;
    cbz_buf_init(body);
    if (cbz_buf_reserve(body, (size_t)len + 1) != CBZ_OK) return false;
    cbz_error err = { 0 };
    if (entropy == 0) memcpy(body->data, b->data + c.pos, (size_t)len);
    else if (cbz_zstd_decompress(b->data + c.pos, b->len - c.pos, body->data, (size_t)len, &err) !=
             CBZ_OK)
        return false;
    body->len = (size_t)len;
    return true;
}

/* Changes bytes of the unpacked body (and truncates it) many times, stores
 * it raw and decodes: CBZ_OK or CBZ_ERR_FORMAT every time. */
static int corrupt_body(const cbz_col_desc *d, size_t n, const cbz_col_peer *peers, size_t np,
                        const enc *e, int tries)
{
    uint8_t head[32];
    size_t head_len;
    cbz_buf body;
    if (!unpack_body(&e->buf, head, &head_len, &body)) return 0;
    uint8_t *back = malloc(n * d->width + 1);
    int ok = 1;
    for (int t = 0; t < tries && ok; t++) {
        cbz_buf m;
        cbz_buf_init(&m);
        size_t blen = body.len;
        if (t % 4 == 3 && blen > 0) blen = (size_t)(rnd() % blen); /* truncated */
        CU_ASSERT_EQUAL_FATAL(cbz_buf_append(&m, head, 2), CBZ_OK);
        cbz_buf_put_varint(&m, n);
        cbz_buf_put_varint(&m, blen);
        cbz_buf_put_u8(&m, 0);
        size_t at = m.len;
        cbz_buf_append(&m, body.data, blen);
        int flips = 1 + (int)(rnd() % 3);
        for (int f = 0; f < flips && blen > 0; f++) {
            size_t q = at + (size_t)(rnd() % blen);
            m.data[q] = (t & 1) ? (uint8_t)rnd() : (uint8_t)(m.data[q] ^ (1u << (rnd() % 8)));
        }
        cbz_error err = { 0 };
        cbz_status rc = cbz_column_decode_peers(d, m.data, m.len, n, peers, np, back, &err);
        if (rc != CBZ_OK && rc != CBZ_ERR_FORMAT) {
            printf("\n  corrupt try %d: status %d (%s)\n", t, (int)rc, err.msg);
            ok = 0;
        }
        cbz_buf_free(&m);
    }
    free(back);
    cbz_buf_free(&body);
    return ok;
}

static const char *const words[] = { "ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO", "FOXTROT",
                                     "GOLF", "HOTEL", "INDIA", "JULIETT", "KILO", "LIMA" };

/* Text blanked where a peer is blank, at widths that take each copy and
 * blank-test class (1..8 words, overlapping, > 16, > 64), peers of several
 * widths too. */
static void test_mask_widths(void)
{
    const size_t n = 3000;
    static const uint32_t widths[] = { 1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 30, 33, 64, 70 };
    for (size_t pi = 0; pi < sizeof widths / sizeof *widths; pi += 2) {
        const uint32_t pw = widths[pi];
        cbz_col_desc pd = mk_ascii(CBZ_COL_TEXT, pw, 0, 0);
        uint8_t *pv = malloc(n * pw);
        for (size_t i = 0; i < n; i++) {
            const bool blank = (i / 7 + i % 3) % 2 == 0;
            put_text(pv + i * pw, pw, blank ? "" : words[rnd() % 12]);
            if (!blank && i % 5 == 0) put_text(pv + i * pw, pw, ""); /* blank but ... */
            if (!blank && i % 5 != 1) pv[i * pw + pw - 1] = 'X'; /* ... in its last byte */
        }
        for (size_t wi = 0; wi < sizeof widths / sizeof *widths; wi++) {
            const uint32_t w = widths[wi];
            cbz_col_desc d = mk_ascii(CBZ_COL_TEXT, w, 0, 0);
            uint8_t *v = malloc(n * w);
            for (size_t i = 0; i < n; i++) {
                const bool blank = pv[i * pw] == ' ' && pv[i * pw + pw - 1] == ' ';
                put_text(v + i * w, w, blank ? "" : words[(i * 7 + rnd() % 2) % 12]);
            }
            cbz_col_peer peers[1] = { { pd, pv, n } };
            enc e;
            int ok = roundtrip(&d, v, n, peers, 1, "mask", &e);
            if (!ok) printf("\n  mask: peer width %u, width %u\n", pw, w);
            CU_ASSERT(ok);
            CU_ASSERT(corrupt_body(&d, n, peers, 1, &e, 40));
            cbz_buf_free(&e.buf);
            free(v);
        }
        free(pv);
    }
}

/* Rows of two kinds told apart by a 2-byte peer (a record length): text of
 * each kind, at several widths. */
static void test_split(void)
{
    const size_t n = 4096;
    cbz_col_desc pd = mk_ascii(CBZ_COL_BINARY, 2, 0, 0);
    uint8_t *pv = malloc(n * 2);
    for (size_t i = 0; i < n; i++) {
        const bool hdr = i % 9 == 0;
        pv[2 * i] = 0;
        pv[2 * i + 1] = hdr ? 40 : 120;
    }
    static const uint32_t widths[] = { 3, 8, 12, 20, 40 };
    int used = 0;
    for (size_t wi = 0; wi < sizeof widths / sizeof *widths; wi++) {
        const uint32_t w = widths[wi];
        cbz_col_desc d = mk_ascii(CBZ_COL_TEXT, w, 0, 0);
        uint8_t *v = malloc(n * w);
        char tmp[64];
        for (size_t i = 0; i < n; i++) {
            if (i % 9 == 0) snprintf(tmp, sizeof tmp, "H%07zu", i);
            else if (wi % 2) /* the first group with digit runs: not a dictionary */
                snprintf(tmp, sizeof tmp, "R%zu%s", i * 13, words[i % 2]);
            else snprintf(tmp, sizeof tmp, "%s", words[(i >> 2) % 12]);
            put_text(v + i * w, w, tmp);
        }
        cbz_col_peer peers[1] = { { pd, pv, n } };
        enc e;
        CU_ASSERT(roundtrip(&d, v, n, peers, 1, NULL, &e));
        used += strstr(e.chain, "split") != NULL;
        if (getenv("CBZ_TEST_VERBOSE")) printf("\n  split width %u: %s\n", w, e.chain);
        CU_ASSERT(corrupt_body(&d, n, peers, 1, &e, 40));
        cbz_buf_free(&e.buf);
        free(v);
    }
    CU_ASSERT(used >= 4); /* the split paths really ran (first group dictionary or not) */
    free(pv);
}

/* Text with digit runs (references, street numbers), with and without a
 * mask in front, and the run counts up to 18 digits and over. */
static void test_text_num(void)
{
    const size_t n = 5000;
    const uint32_t w = 30;
    cbz_col_desc d = mk_ascii(CBZ_COL_TEXT, w, 0, 0);
    uint8_t *v = malloc(n * w);
    char tmp[80];
    for (size_t i = 0; i < n; i++) {
        switch (i % 4) {
        case 0: snprintf(tmp, sizeof tmp, "INV%07zu", 100000 + i * 3); break;
        case 1: snprintf(tmp, sizeof tmp, "%zu MAIN ST APT %zu", 100 + i % 9000, i % 40); break;
        case 2: snprintf(tmp, sizeof tmp, "REF 0000%zu-%zu", i, i * 7919); break;
        default: /* a run of 22 digits: cut in pieces of at most 18 */
            snprintf(tmp, sizeof tmp, "N%019llu%03zu", (unsigned long long)(i * 1000003ULL),
                     i % 1000);
            break;
        }
        put_text(v + i * w, w, tmp);
    }
    enc e;
    CU_ASSERT(roundtrip(&d, v, n, NULL, 0, "textnum", &e));
    CU_ASSERT(corrupt_body(&d, n, NULL, 0, &e, 300));
    cbz_buf_free(&e.buf);
    free(v);
}

/* References of one digit run each, of 1 to 8 digits (a template holds at
 * most one marker: the digits are made apart, by the zoned kernel), some
 * values without digits; their bodies corrupted. */
static void test_text_num_one_run(void)
{
    const size_t n = 3000;
    const uint32_t w = 12;
    cbz_col_desc d = mk_ascii(CBZ_COL_TEXT, w, 0, 0);
    uint8_t *v = malloc(n * w);
    char tmp[64];
    static const char *const pre[] = { "INV", "PAY", "TRF", "X-" };
    for (size_t i = 0; i < n; i++) {
        const int nd = 1 + (int)(i % 8);
        size_t p10 = 1;
        for (int k = 0; k < nd; k++) p10 *= 10;
        if (i % 11 == 3) snprintf(tmp, sizeof tmp, "NONE");
        else snprintf(tmp, sizeof tmp, "%s%0*zu", pre[i % 4], nd, i * 7919 % p10);
        put_text(v + i * w, w, tmp);
    }
    enc e;
    CU_ASSERT(roundtrip(&d, v, n, NULL, 0, "textnum", &e));
    CU_ASSERT(corrupt_body(&d, n, NULL, 0, &e, 300));
    cbz_buf_free(&e.buf);
    free(v);
}

/* Templates dense with markers (eight in eight bytes), and a template
 * holding a digit other than the marker refused. */
static void test_text_num_markers(void)
{
    const size_t n = 4000;
    const uint32_t w = 24;
    cbz_col_desc d = mk_ascii(CBZ_COL_TEXT, w, 0, 0);
    uint8_t *v = malloc(n * w);
    char tmp[64];
    for (size_t i = 0; i < n; i++) {
        snprintf(tmp, sizeof tmp, "A%zuB%zuC%zuD%zu-%zu%s", i % 10, i / 10 % 10, (i * 7) % 10,
                 (i * 3) % 10, i % 5, i % 3 ? "X" : "");
        put_text(v + i * w, w, tmp);
    }
    enc e;
    CU_ASSERT(roundtrip(&d, v, n, NULL, 0, "textnum", &e));
    /* the template "A0B0C0D0-0" is in the body as it is: make one of its
     * markers a 5 */
    uint8_t head[32];
    size_t head_len;
    cbz_buf body;
    CU_ASSERT_FATAL(unpack_body(&e.buf, head, &head_len, &body));
    uint8_t *at = memmem(body.data, body.len, "A0B0C0D0-0", 10);
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    at[5] = '5';
    cbz_buf m;
    cbz_buf_init(&m);
    cbz_buf_append(&m, head, 2);
    cbz_buf_put_varint(&m, n);
    cbz_buf_put_varint(&m, body.len);
    cbz_buf_put_u8(&m, 0);
    cbz_buf_append(&m, body.data, body.len);
    uint8_t *back = malloc(n * w);
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL(cbz_column_decode(&d, m.data, m.len, n, back, &err), CBZ_ERR_FORMAT);
    at[5] = '0';
    /* a stray digit beside the markers, in the first eight bytes and after */
    for (size_t q = 2; q <= 8; q += 6) {
        const uint8_t was = at[q];
        at[q] = '7';
        memcpy(m.data + m.len - body.len, body.data, body.len);
        CU_ASSERT_EQUAL(cbz_column_decode(&d, m.data, m.len, n, back, &err), CBZ_ERR_FORMAT);
        at[q] = was;
    }
    memcpy(m.data + m.len - body.len, body.data, body.len);
    CU_ASSERT_EQUAL(cbz_column_decode(&d, m.data, m.len, n, back, &err), CBZ_OK);
    CU_ASSERT(memcmp(back, v, n * w) == 0);
    free(back);
    cbz_buf_free(&m);
    cbz_buf_free(&body);
    cbz_buf_free(&e.buf);
    free(v);
}

/* Numbers with many invalid values (unused table entries: spaces): dense
 * integers with exceptions, and the same positions taken from a peer. */
static void test_dense_exceptions(void)
{
    const size_t n = 6000;
    const uint32_t w = 8;
    cbz_col_desc dz = mk_ascii(CBZ_COL_ZONED, w, CBZ_K_SIGN_TRAILING, 1);
    cbz_col_desc dp = mk_ascii(CBZ_COL_PACKED, 7, 0, 1);
    uint8_t *a = malloc(n * w), *b = malloc(n * 7);
    int64_t acc = 20240101;
    for (size_t i = 0; i < n; i++) {
        const bool unused = (i % 20) >= 3 + (i / 20) % 17; /* runs of invalid values */
        acc += (int64_t)(rnd() % 3);
        if (unused) {
            memset(a + i * w, ' ', w);
            memset(b + i * 7, 0x40, 7);
        } else {
            put_zoned(a + i * w, w, acc);
            put_packed(b + i * 7, 7, (int64_t)(rnd() % 2000000) - 1000000);
            if (i % 97 == 5) b[i * 7 + 6] = 0x1A; /* a bad sign of its own */
        }
    }
    enc e;
    CU_ASSERT(roundtrip(&dz, a, n, NULL, 0, NULL, &e));
    CU_ASSERT(corrupt_body(&dz, n, NULL, 0, &e, 200));
    cbz_buf_free(&e.buf);
    cbz_col_peer peers[1] = { { dz, a, n } };
    CU_ASSERT(roundtrip(&dp, b, n, peers, 1, NULL, &e));
    CU_ASSERT(corrupt_body(&dp, n, peers, 1, &e, 200));
    cbz_buf_free(&e.buf);
    free(a);
    free(b);
}

/* A column predicted from a peer, decoded again after the peer's bytes
 * changed in the same buffer: the decoder's parse of the peer is cached and
 * must be told apart by the bytes, not by where they are. */
static void test_reference_cache(void)
{
    const size_t n = 3000;
    cbz_col_desc pd = mk_ascii(CBZ_COL_ZONED, 9, CBZ_K_SIGN_TRAILING, 1);
    cbz_col_desc d = mk_ascii(CBZ_COL_PACKED, 6, 0, 1);
    uint8_t *pv = malloc(n * 9), *v = malloc(n * 6);
    int ok = 1, refs = 0;
    for (int round = 0; round < 4; round++) {
        for (size_t i = 0; i < n; i++) {
            const int64_t x = (int64_t)(rnd() % 900000000) - 450000000;
            put_zoned(pv + i * 9, 9, x);
            if (round == 2 && i % 50 == 7) memset(pv + i * 9, ' ', 9); /* invalid ones too */
            put_packed(v + i * 6, 6, x + (int64_t)(rnd() % 3));
        }
        cbz_col_peer peers[1] = { { pd, pv, n } };
        for (int again = 0; again < 2; again++) { /* the second time from the cache */
            enc e;
            ok &= roundtrip(&d, v, n, peers, 1, NULL, &e);
            refs += strstr(e.chain, "ref") != NULL;
            cbz_buf_free(&e.buf);
        }
    }
    CU_ASSERT(ok);
    CU_ASSERT(refs >= 6); /* the reference was really used */
    free(pv);
    free(v);
}

/* Signed amounts with decimal structure (prices ending in .99, both signs)
 * and small counts: the decimal and binary plane readers. */
static void test_planes(void)
{
    const size_t n = 7000;
    cbz_col_desc d = mk_ascii(CBZ_COL_PACKED, 8, 0, 1);
    cbz_col_desc dz = mk_ascii(CBZ_COL_ZONED, 17, CBZ_K_SIGN_TRAILING, 1);
    uint8_t *v = malloc(n * 8), *z = malloc(n * 17);
    for (size_t i = 0; i < n; i++) {
        int64_t x = (int64_t)(rnd() % 5000) * 100 + 99;
        if (rnd() % 3 == 0) x = -x;
        put_packed(v + i * 8, 8, x);
        int64_t y = (int64_t)(rnd() % 1000000000000000ULL) * 10 + 9; /* 16 digits: many planes */
        put_zoned(z + i * 17, 17, rnd() % 2 ? y : -y);
    }
    enc e;
    CU_ASSERT(roundtrip(&d, v, n, NULL, 0, NULL, &e));
    CU_ASSERT(corrupt_body(&d, n, NULL, 0, &e, 300));
    cbz_buf_free(&e.buf);
    CU_ASSERT(roundtrip(&dz, z, n, NULL, 0, NULL, &e));
    CU_ASSERT(corrupt_body(&dz, n, NULL, 0, &e, 300));
    cbz_buf_free(&e.buf);
    free(v);
    free(z);
}

/* Text dictionaries and trimmed text at every width 1..80 (the gather
 * kernel's width classes), decoded with sizes growing and shrinking so the
 * scratch buffers are reused and regrown. */
static void test_dict_trim_widths(void)
{
    static const size_t sizes[] = { 2000, 50, 9000, 1, 3000 };
    int ok = 1;
    for (uint32_t w = 1; w <= 80 && ok; w++) {
        for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
            const size_t n = sizes[si];
            cbz_col_desc d = mk_ascii(CBZ_COL_TEXT, w, 0, 0);
            uint8_t *v = malloc(n * w);
            const bool distinct = si == 2; /* mostly unique: trimmed text */
            char tmp[96];
            for (size_t i = 0; i < n; i++) {
                if (distinct) snprintf(tmp, sizeof tmp, "%llx", (unsigned long long)rnd());
                else snprintf(tmp, sizeof tmp, "%s%s", words[rnd() % 12], words[rnd() % 3]);
                put_text(v + i * w, w, tmp);
            }
            enc e;
            if (!roundtrip(&d, v, n, NULL, 0, NULL, &e)) {
                printf("\n  text width %u n %zu (%s)\n", w, n, e.chain);
                ok = 0;
            }
            if (w % 9 == 1 && n > 1) ok &= corrupt_body(&d, n, NULL, 0, &e, 30);
            cbz_buf_free(&e.buf);
            free(v);
        }
    }
    CU_ASSERT(ok);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("column_decode", NULL, NULL);
    CU_add_test(s, "text masked by a peer, every width class", test_mask_widths);
    CU_add_test(s, "text split by a peer's frequent value", test_split);
    CU_add_test(s, "digit runs in text", test_text_num);
    CU_add_test(s, "templates dense with markers; a stray digit refused", test_text_num_markers);
    CU_add_test(s, "references of one digit run", test_text_num_one_run);
    CU_add_test(s, "dense exceptions, exceptions by reference", test_dense_exceptions);
    CU_add_test(s, "decimal and binary planes, signed", test_planes);
    CU_add_test(s, "a reference's bytes changed in place: the parse cache", test_reference_cache);
    CU_add_test(s, "dictionaries and trimmed text, widths 1..80, scratch reuse",
                test_dict_trim_widths);
    return cbz_cunit_run() ? 1 : 0;
}
