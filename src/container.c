/*
 * container.c — the member file NAME.cobz: writing it, opening it with full
 * validation before anything is decoded, and the file-level drivers that run
 * chunks through the engine (mmap input where possible, a sliding window over
 * pipes; chunks of a batch on OpenMP threads, written in chunk order).
 *
 * Member layout (docs/FORMAT.md has every field):
 *   header   magic(8) version(u16) flags(u16) header_len(u32) body XXH64(u64)
 *   frames   one chunk frame per chunk, back to back
 *   index    n_chunks x 64-byte entries
 *   stats    per stream: layer chain and byte counts (for `info`)
 *   trailer  120 bytes: counts, source SHA-256, section offsets and XXH64s
 * All integers are little-endian.  Nothing in a member depends on the time,
 * the thread count or the machine.
 */
#include "container.h"
#include "hash.h"
#include "outfile.h"
#include "parallel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * Header body.
 * ---------------------------------------------------------------------- */
static cbz_status put_str16(cbz_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (n > 0xffff) n = 0xffff;
    CBZ_TRY(cbz_buf_put_le16(b, (uint16_t)n));
    return cbz_buf_append(b, s, n);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static cbz_status encode_header(const cbz_member_meta *m, const cbz_plan *p, cbz_buf *b)
{
    uint8_t rdw = (uint8_t)((m->fmt.rdw_little_endian ? 1 : 0) | (m->fmt.rdw_payload_only ? 2 : 0));
    CBZ_TRY(cbz_buf_put_u8(b, m->mode));
    CBZ_TRY(cbz_buf_put_u8(b, (uint8_t)m->fmt.recfm));
    CBZ_TRY(cbz_buf_put_u8(b, rdw));
    CBZ_TRY(cbz_buf_put_u8(b, m->float_format));
    CBZ_TRY(cbz_buf_put_le32(b, m->fmt.lrecl));
    CBZ_TRY(cbz_buf_put_le32(b, p->width));
    CBZ_TRY(cbz_buf_put_le64(b, m->chunk_size));
    CBZ_TRY(cbz_buf_put_u8(b, (uint8_t)m->level));
    size_t cpl = strlen(m->codepage);
    CBZ_TRY(cbz_buf_put_u8(b, (uint8_t)cpl));
    CBZ_TRY(cbz_buf_append(b, m->codepage, cpl));
    CBZ_TRY(put_str16(b, m->source_name));
    CBZ_TRY(put_str16(b, m->copybook_name));
    uint8_t sha[32] = { 0 };
    if (strlen(m->copybook_sha256) == 64)
        for (int i = 0; i < 32; i++)
            sha[i] = (uint8_t)(hexval(m->copybook_sha256[2 * i]) << 4 |
                               hexval(m->copybook_sha256[2 * i + 1]));
    CBZ_TRY(cbz_buf_append(b, sha, 32));
    CBZ_TRY(cbz_buf_put_le32(b, (uint32_t)m->copybook_len));
    CBZ_TRY(cbz_buf_append(b, m->copybook_text, m->copybook_len));
    CBZ_TRY(cbz_buf_put_le32(b, (uint32_t)p->n_cols));
    for (size_t i = 0; i < p->n_cols; i++) {
        const cbz_plan_column *c = &p->cols[i];
        CBZ_TRY(cbz_buf_put_le32(b, c->offset));
        CBZ_TRY(cbz_buf_put_le32(b, c->width));
        CBZ_TRY(cbz_buf_put_le32(b, (uint32_t)c->field));
        CBZ_TRY(cbz_buf_put_u8(b, c->desc.kind));
        CBZ_TRY(cbz_buf_put_u8(b, c->desc.is_signed));
        CBZ_TRY(cbz_buf_put_u8(b, c->desc.sign));
        CBZ_TRY(cbz_buf_put_u8(b, c->desc.ebcdic));
        CBZ_TRY(cbz_buf_put_le16(b, c->desc.digits));
        size_t nl = strlen(c->name);
        CBZ_TRY(cbz_buf_put_u8(b, (uint8_t)nl));
        CBZ_TRY(cbz_buf_append(b, c->name, nl));
    }
    return CBZ_OK;
}

static bool get_str(cbz_cursor *c, size_t n, char *dst, size_t cap)
{
    const uint8_t *p;
    if (n >= cap || !cbz_cursor_bytes(c, n, &p)) return false;
    memcpy(dst, p, n);
    dst[n] = '\0';
    return memchr(dst, '\0', n) == NULL;
}

#define HDR_FAIL(what) cbz_fail(err, CBZ_ERR_FORMAT, "%s: member header: %s", path, what)

static cbz_status decode_header(const char *path, const uint8_t *body, size_t len,
                                cbz_member_meta *m, cbz_plan *p, cbz_error *err)
{
    cbz_cursor c;
    cbz_cursor_init(&c, body, len);
    uint8_t mode, recfm, rdw, flt, level, cpl;
    uint32_t lrecl, width, cb_len, n_cols;
    uint16_t n16;
    if (!cbz_cursor_u8(&c, &mode) || !cbz_cursor_u8(&c, &recfm) || !cbz_cursor_u8(&c, &rdw) ||
        !cbz_cursor_u8(&c, &flt) || !cbz_cursor_le32(&c, &lrecl) || !cbz_cursor_le32(&c, &width) ||
        !cbz_cursor_le64(&c, &m->chunk_size) || !cbz_cursor_u8(&c, &level) ||
        !cbz_cursor_u8(&c, &cpl))
        return HDR_FAIL("truncated");
    if (mode > CBZ_MODE_RECORDS) return HDR_FAIL("unknown mode");
    if (recfm > CBZ_RECFM_VB) return HDR_FAIL("unknown RECFM");
    if (rdw > 3 || flt > 1) return HDR_FAIL("unknown RDW or float flags");
    if (m->chunk_size == 0 || m->chunk_size > CBZ_CHUNK_MAX) return HDR_FAIL("bad chunk size");
    if (lrecl > (1u << 30) || width > (1u << 30)) return HDR_FAIL("record length too large");
    m->mode = mode;
    m->fmt.recfm = (cbz_recfm)recfm;
    m->fmt.lrecl = lrecl;
    m->fmt.rdw_little_endian = rdw & 1;
    m->fmt.rdw_payload_only = (rdw & 2) != 0;
    m->float_format = flt;
    m->width = width;
    m->level = level;
    if (!get_str(&c, cpl, m->codepage, sizeof m->codepage)) return HDR_FAIL("bad code page name");
    if (!cbz_cursor_le16(&c, &n16) || !get_str(&c, n16, m->source_name, sizeof m->source_name))
        return HDR_FAIL("bad source name");
    if (!cbz_cursor_le16(&c, &n16) || !get_str(&c, n16, m->copybook_name, sizeof m->copybook_name))
        return HDR_FAIL("bad copybook name");
    const uint8_t *sha;
    if (!cbz_cursor_bytes(&c, 32, &sha)) return HDR_FAIL("truncated");
    bool any = false;
    for (int i = 0; i < 32; i++) any |= sha[i] != 0;
    m->copybook_sha256[0] = '\0';
    if (any)
        for (int i = 0; i < 32; i++) snprintf(m->copybook_sha256 + 2 * i, 3, "%02x", sha[i]);
    const uint8_t *text;
    if (!cbz_cursor_le32(&c, &cb_len) || !cbz_cursor_bytes(&c, cb_len, &text))
        return HDR_FAIL("bad embedded copybook length");
    if (cb_len) {
        m->copybook_text = malloc((size_t)cb_len + 1);
        CBZ_FAIL_IF(!m->copybook_text, err, CBZ_ERR_NOMEM, "out of memory");
        memcpy(m->copybook_text, text, cb_len);
        m->copybook_text[cb_len] = '\0';
        m->copybook_len = cb_len;
    }
    if (!cbz_cursor_le32(&c, &n_cols)) return HDR_FAIL("truncated");
    /* Each column takes at least 17 bytes of the header and one record byte. */
    if (n_cols > (len - c.pos) / 17 || n_cols > width) return HDR_FAIL("bad column count");
    if (mode == CBZ_MODE_GENERIC && (n_cols || width)) return HDR_FAIL("generic member with columns");
    memset(p, 0, sizeof *p);
    p->mode = mode;
    p->fmt = m->fmt;
    p->width = width;
    if (n_cols) {
        p->cols = calloc(n_cols, sizeof *p->cols);
        CBZ_FAIL_IF(!p->cols, err, CBZ_ERR_NOMEM, "out of memory");
    }
    p->n_cols = n_cols;
    uint32_t at = 0;
    for (uint32_t i = 0; i < n_cols; i++) {
        cbz_plan_column *col = &p->cols[i];
        uint32_t field;
        uint8_t kind, sgn, sign, ebc, nl;
        uint16_t digits;
        if (!cbz_cursor_le32(&c, &col->offset) || !cbz_cursor_le32(&c, &col->width) ||
            !cbz_cursor_le32(&c, &field) || !cbz_cursor_u8(&c, &kind) ||
            !cbz_cursor_u8(&c, &sgn) || !cbz_cursor_u8(&c, &sign) || !cbz_cursor_u8(&c, &ebc) ||
            !cbz_cursor_le16(&c, &digits) || !cbz_cursor_u8(&c, &nl) ||
            !get_str(&c, nl, col->name, sizeof col->name))
            return HDR_FAIL("truncated column table");
        if (col->offset != at || col->width == 0 || col->width > width - at)
            return HDR_FAIL("columns do not tile the record");
        if (kind > CBZ_COL_BINARY || sgn > 1 || sign > CBZ_SIGN_LEADING_SEPARATE || ebc > 1)
            return HDR_FAIL("bad column descriptor");
        at += col->width;
        col->field = (int32_t)field;
        col->desc.kind = kind;
        col->desc.is_signed = sgn;
        col->desc.sign = sign;
        col->desc.ebcdic = ebc;
        col->desc.digits = digits;
        col->desc.width = col->width;
    }
    if (at != width) return HDR_FAIL("columns do not cover the record");
    if (c.pos != len) return HDR_FAIL("trailing bytes");
    return CBZ_OK;
}

/* ------------------------------------------------------------------------
 * Stats section: per stream varint bytes_in, bytes_out, exceptions,
 * layer_out[1..8], chain length, chain text.
 * ---------------------------------------------------------------------- */
static cbz_status encode_stats(const cbz_col_stats *st, size_t ns, cbz_buf *b)
{
    CBZ_TRY(cbz_buf_put_varint(b, ns));
    for (size_t s = 0; s < ns; s++) {
        CBZ_TRY(cbz_buf_put_varint(b, st[s].bytes_in));
        CBZ_TRY(cbz_buf_put_varint(b, st[s].bytes_out));
        CBZ_TRY(cbz_buf_put_varint(b, st[s].exceptions));
        for (int l = 1; l <= 8; l++) CBZ_TRY(cbz_buf_put_varint(b, st[s].layer_out[l]));
        size_t n = strnlen(st[s].chain, sizeof st[s].chain - 1);
        CBZ_TRY(cbz_buf_put_varint(b, n));
        CBZ_TRY(cbz_buf_append(b, st[s].chain, n));
    }
    return CBZ_OK;
}

static bool decode_stats(const uint8_t *p, size_t len, cbz_col_stats *st, size_t ns)
{
    cbz_cursor c;
    cbz_cursor_init(&c, p, len);
    uint64_t n;
    if (!cbz_cursor_varint(&c, &n) || n != ns) return false;
    for (size_t s = 0; s < ns; s++) {
        uint64_t cl;
        if (!cbz_cursor_varint(&c, &st[s].bytes_in) || !cbz_cursor_varint(&c, &st[s].bytes_out) ||
            !cbz_cursor_varint(&c, &st[s].exceptions))
            return false;
        for (int l = 1; l <= 8; l++)
            if (!cbz_cursor_varint(&c, &st[s].layer_out[l])) return false;
        if (!cbz_cursor_varint(&c, &cl) || cl >= sizeof st[s].chain ||
            !get_str(&c, (size_t)cl, st[s].chain, sizeof st[s].chain))
            return false;
    }
    return c.pos == len;
}

/* ------------------------------------------------------------------------
 * Reader.
 * ---------------------------------------------------------------------- */
void cbz_member_close(cbz_member *m)
{
    if (!m) return;
    if (m->map && m->size) munmap((void *)m->map, m->size);
    free(m->path);
    free(m->meta.copybook_text);
    cbz_plan_free(&m->plan);
    free(m->index);
    free(m->stats);
    free(m);
}

static uint64_t le64(const uint8_t *p) { return (uint64_t)cbz_load_le32(p) | (uint64_t)cbz_load_le32(p + 4) << 32; }

#define MFAIL(...) do { s = cbz_fail(err, CBZ_ERR_FORMAT, __VA_ARGS__); goto fail; } while (0)

cbz_status cbz_member_open(const char *path, cbz_member **out, cbz_error *err)
{
    *out = NULL;
    cbz_status s = CBZ_OK;
    cbz_member *m = calloc(1, sizeof *m);
    CBZ_FAIL_IF(!m, err, CBZ_ERR_NOMEM, "out of memory");
    m->path = strdup(path);
    if (!m->path) { free(m); return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory"); }
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        s = cbz_fail(err, CBZ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        goto fail;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        s = cbz_fail(err, CBZ_ERR_IO, "%s: not a regular file", path);
        goto fail;
    }
    m->size = (size_t)st.st_size;
    if (m->size < 24 + CBZ_TRAILER_SIZE) {
        close(fd);
        m->size = 0;
        MFAIL("%s: %zu bytes is too short for a cobzip member", path, (size_t)st.st_size);
    }
    void *map = mmap(NULL, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        m->size = 0;
        s = cbz_fail(err, CBZ_ERR_IO, "%s: cannot map: %s", path, strerror(errno));
        goto fail;
    }
    m->map = map;
    const uint8_t *b = m->map;
    if (memcmp(b, CBZ_MEMBER_MAGIC, 8) != 0) MFAIL("%s: not a cobzip member (bad magic)", path);
    uint16_t version = cbz_load_le16(b + 8), flags = cbz_load_le16(b + 10);
    if (version != CBZ_MEMBER_VERSION) {
        s = cbz_fail(err, CBZ_ERR_UNSUPPORTED, "%s: member format version %u (this cobzip reads %u)",
                     path, version, CBZ_MEMBER_VERSION);
        goto fail;
    }
    if (flags != 0) MFAIL("%s: unknown header flags 0x%04x", path, flags);
    uint32_t hlen = cbz_load_le32(b + 12);
    if (hlen > m->size - 24 - CBZ_TRAILER_SIZE) MFAIL("%s: header length %u past the end", path, hlen);
    if (le64(b + 16 + hlen) != cbz_xxh64(b, 16 + (size_t)hlen, 0))
        MFAIL("%s: header checksum mismatch", path);
    s = decode_header(path, b + 16, hlen, &m->meta, &m->plan, err);
    if (s != CBZ_OK) goto fail;
    uint64_t frames_start = 16 + (uint64_t)hlen + 8;

    /* Trailer. */
    const uint8_t *t = b + m->size - CBZ_TRAILER_SIZE;
    if (memcmp(t + 112, CBZ_TRAILER_MAGIC, 8) != 0) MFAIL("%s: trailer missing (truncated member?)", path);
    if (le64(t + 104) != cbz_xxh64(t, 104, 0)) MFAIL("%s: trailer checksum mismatch", path);
    m->n_chunks = le64(t);
    m->total_records = le64(t + 8);
    m->source_size = le64(t + 16);
    for (int i = 0; i < 32; i++) snprintf(m->source_sha256 + 2 * i, 3, "%02x", t[24 + i]);
    uint64_t idx_off = le64(t + 56), idx_len = le64(t + 64), idx_xxh = le64(t + 72);
    uint64_t st_off = le64(t + 80), st_len = le64(t + 88), st_xxh = le64(t + 96);
    uint64_t body_end = m->size - CBZ_TRAILER_SIZE;
    if (idx_off < frames_start || idx_off > body_end || idx_len > body_end - idx_off ||
        st_off != idx_off + idx_len || st_len != body_end - st_off)
        MFAIL("%s: trailer section offsets are inconsistent", path);
    if (m->n_chunks > idx_len / CBZ_INDEX_ENTRY_SIZE || idx_len != m->n_chunks * CBZ_INDEX_ENTRY_SIZE)
        MFAIL("%s: index size does not match %llu chunks", path, (unsigned long long)m->n_chunks);
    if (cbz_xxh64(b + idx_off, idx_len, 0) != idx_xxh) MFAIL("%s: index checksum mismatch", path);
    if (cbz_xxh64(b + st_off, st_len, 0) != st_xxh) MFAIL("%s: stats checksum mismatch", path);

    /* Index: frames back to back from the header to the index, input ranges
     * and record numbers cumulative. */
    if (m->n_chunks) {
        m->index = calloc(m->n_chunks, sizeof *m->index);
        if (!m->index) { s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory"); goto fail; }
    }
    /* What a writer can produce: a chunk ends at the first record boundary at
     * or past chunk_size (cbz_framer_next), and every record takes at least
     * an RDW (V, VB) or an LRECL (F, FB) of input. */
    uint64_t span = m->meta.fmt.lrecl > (1u << 16) ? m->meta.fmt.lrecl : (1u << 16);
    uint64_t max_in = m->meta.chunk_size + span + 16;
    bool variable = m->meta.fmt.recfm == CBZ_RECFM_V || m->meta.fmt.recfm == CBZ_RECFM_VB;
    uint64_t min_rec = variable ? 4 : (m->meta.fmt.lrecl ? m->meta.fmt.lrecl : 1);
    uint64_t at = frames_start, in_at = 0, rec_at = 0;
    for (uint64_t i = 0; i < m->n_chunks; i++) {
        const uint8_t *e = b + idx_off + i * CBZ_INDEX_ENTRY_SIZE;
        cbz_index_entry *x = &m->index[i];
        x->frame_offset = le64(e);
        x->frame_len = le64(e + 8);
        x->first_record = le64(e + 16);
        x->n_records = le64(e + 24);
        x->in_offset = le64(e + 32);
        x->in_len = le64(e + 40);
        x->frame_xxh64 = le64(e + 48);
        x->content_xxh64 = le64(e + 56);
        if (x->frame_offset != at || x->frame_len > idx_off - at || x->frame_len == 0)
            MFAIL("%s: chunk %llu: frame offset/length inconsistent", path, (unsigned long long)i + 1);
        if (x->in_offset != in_at || x->first_record != rec_at || x->in_len == 0 ||
            x->in_len > CBZ_CHUNK_MAX || x->in_len > max_in || x->n_records > x->in_len / min_rec)
            MFAIL("%s: chunk %llu: input range or record numbers inconsistent", path,
                  (unsigned long long)i + 1);
        if (m->meta.mode == CBZ_MODE_GENERIC && x->n_records)
            MFAIL("%s: chunk %llu: records in a generic member", path, (unsigned long long)i + 1);
        at += x->frame_len;
        in_at += x->in_len;
        rec_at += x->n_records;
    }
    if (at != idx_off) MFAIL("%s: frames do not end where the index starts", path);
    if (in_at != m->source_size || rec_at != m->total_records)
        MFAIL("%s: chunk sizes or record counts do not add up to the trailer's", path);

    size_t ns = cbz_plan_streams(&m->plan);
    m->stats = calloc(ns, sizeof *m->stats);
    if (!m->stats) { s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory"); goto fail; }
    if (!decode_stats(b + st_off, (size_t)st_len, m->stats, ns))
        MFAIL("%s: stats section malformed", path);
    *out = m;
    return CBZ_OK;
fail:
    cbz_member_close(m);
    return s;
}

cbz_status cbz_member_decode_chunk(const cbz_member *m, uint64_t i, cbz_chunk_work *w,
                                   uint8_t *out, cbz_error *err)
{
    const cbz_index_entry *x = &m->index[i];
    const uint8_t *frame = m->map + x->frame_offset;
    CBZ_FAIL_IF(cbz_xxh64(frame, (size_t)x->frame_len, 0) != x->frame_xxh64, err, CBZ_ERR_CHECKSUM,
                "%s: chunk %llu (input bytes %llu..%llu): frame checksum mismatch", m->path,
                (unsigned long long)i + 1, (unsigned long long)x->in_offset,
                (unsigned long long)(x->in_offset + x->in_len));
    cbz_chunk_info ci = { x->in_offset, x->in_len, x->first_record, x->n_records, 0, false };
    cbz_status s = cbz_chunk_decode(&m->plan, frame, (size_t)x->frame_len, &ci, w, out, err);
    if (s != CBZ_OK) {
        if (err) {
            char why[CBZ_ERROR_MSG_MAX];
            snprintf(why, sizeof why, "%s", err->msg);
            cbz_fail(err, s, "%s: chunk %llu: %s", m->path, (unsigned long long)i + 1, why);
        }
        return s;
    }
    CBZ_FAIL_IF(cbz_xxh64(out, (size_t)x->in_len, 0) != x->content_xxh64, err, CBZ_ERR_CHECKSUM,
                "%s: chunk %llu: decoded bytes do not match their checksum", m->path,
                (unsigned long long)i + 1);
    return CBZ_OK;
}

bool cbz_member_find_record(const cbz_member *m, uint64_t rec, uint64_t *chunk)
{
    if (rec >= m->total_records) return false;
    uint64_t lo = 0, hi = m->n_chunks;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (m->index[mid].first_record <= rec) lo = mid;
        else hi = mid;
    }
    /* Chunks with no records share first_record with the next one. */
    while (lo < m->n_chunks && rec >= m->index[lo].first_record + m->index[lo].n_records) lo++;
    if (lo >= m->n_chunks) return false;
    *chunk = lo;
    return true;
}

/* ------------------------------------------------------------------------
 * Input: mmap for regular files, a sliding window over anything else.
 * ---------------------------------------------------------------------- */
typedef struct input {
    const char *name;
    FILE *fp;                 /* stream input, NULL when mapped */
    const uint8_t *map;
    size_t map_size;
    cbz_buf win;              /* stream: bytes [win_base, win_base + win.len) */
    uint64_t win_base;
    bool eof;
} input;

static cbz_status input_open(input *in, const char *path, cbz_error *err)
{
    memset(in, 0, sizeof *in);
    in->name = path;
    cbz_buf_init(&in->win);
    if (strcmp(path, "-") == 0) {
        in->fp = stdin;
        return CBZ_OK;
    }
    int fd = open(path, O_RDONLY);
    CBZ_FAIL_IF(fd < 0, err, CBZ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        in->map_size = (size_t)st.st_size;
        in->eof = true;
        if (in->map_size) {
            void *p = mmap(NULL, in->map_size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (p == MAP_FAILED) {
                close(fd);
                return cbz_fail(err, CBZ_ERR_IO, "%s: cannot map: %s", path, strerror(errno));
            }
            madvise(p, in->map_size, MADV_SEQUENTIAL);
            in->map = p;
        }
        close(fd);
        return CBZ_OK;
    }
    in->fp = fdopen(fd, "rb");
    if (!in->fp) {
        close(fd);
        return cbz_fail(err, CBZ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    return CBZ_OK;
}

static void input_close(input *in)
{
    if (in->map) munmap((void *)in->map, in->map_size);
    if (in->fp && in->fp != stdin) fclose(in->fp);
    cbz_buf_free(&in->win);
}

/* The bytes from input offset off on. */
static void input_view(const input *in, uint64_t off, const uint8_t **p, size_t *avail)
{
    if (!in->fp) {
        *p = in->map + off;
        *avail = in->map_size - (size_t)off;
    } else {
        *p = in->win.data + (off - in->win_base);
        *avail = in->win.len - (size_t)(off - in->win_base);
    }
}

/* Reads at least want more bytes into the window (or up to the end). */
static cbz_status input_more(input *in, size_t want, cbz_error *err)
{
    if (in->eof) return CBZ_OK;
    CBZ_FAIL_IF(cbz_buf_reserve(&in->win, want) != CBZ_OK, err, CBZ_ERR_NOMEM,
                "out of memory (input window)");
    size_t got = 0;
    while (got < want) {
        size_t n = fread(in->win.data + in->win.len, 1, want - got, in->fp);
        in->win.len += n;
        got += n;
        if (n == 0) {
            CBZ_FAIL_IF(ferror(in->fp), err, CBZ_ERR_IO, "%s: read failed: %s", in->name,
                        strerror(errno));
            in->eof = true;
            break;
        }
    }
    return CBZ_OK;
}

/* Drops window bytes before input offset off. */
static void input_release(input *in, uint64_t off)
{
    if (!in->fp || off <= in->win_base) return;
    size_t drop = (size_t)(off - in->win_base);
    memmove(in->win.data, in->win.data + drop, in->win.len - drop);
    in->win.len -= drop;
    in->win_base = off;
}

/* ------------------------------------------------------------------------
 * Compression driver.
 * ---------------------------------------------------------------------- */
void cbz_compress_result_free(cbz_compress_result *r)
{
    if (!r) return;
    free(r->stats);
    if (r->stream_names)
        for (size_t i = 0; i < r->n_streams; i++) free(r->stream_names[i]);
    free(r->stream_names);
    memset(r, 0, sizeof *r);
}

typedef struct slot {
    cbz_chunk_info ci;
    const uint8_t *data;
    size_t avail;
    cbz_buf frame;
    cbz_col_stats *stats;
    cbz_error err;
    cbz_status status;
} slot;

typedef struct encode_ctx {
    const cbz_plan *plan;
    slot *slots;
    cbz_chunk_work *work;
    int level;
} encode_ctx;

/* One chunk of a batch, on any thread (cbz_parallel_for). */
static void encode_slot(void *ctx, size_t k, int thread)
{
    encode_ctx *c = ctx;
    slot *sl = &c->slots[k];
    cbz_buf_clear(&sl->frame);
    sl->err.code = CBZ_OK;
    sl->err.msg[0] = '\0';
    sl->status = cbz_chunk_encode(c->plan, sl->data, sl->avail, &sl->ci, c->level, &c->work[thread],
                                  &sl->frame, sl->stats, &sl->err);
}

static int clamp_threads(int t) { return t < 1 ? 1 : t > 256 ? 256 : t; }

static cbz_status write_all(FILE *fp, const void *p, size_t n, uint64_t *pos, const char *what,
                            cbz_error *err)
{
    CBZ_FAIL_IF(n && fwrite(p, 1, n, fp) != n, err, CBZ_ERR_IO, "%s: write failed: %s", what,
                strerror(errno));
    *pos += n;
    return CBZ_OK;
}

/* REDEFINES: the plan with the first view of every redefined area and the
 * one with the last view are both tried on a sample (the first records, up to
 * CBZ_VIEW_SAMPLE bytes); the smaller frame wins, the first view on a tie.
 * The sample depends on the input only, so the choice is deterministic. */
#define CBZ_VIEW_SAMPLE ((uint64_t)1 << 20)

static cbz_status choose_view(const cbz_compress_params *p, input *in, cbz_plan *plan,
                              cbz_error *err)
{
    cbz_plan alt;
    CBZ_TRY(cbz_plan_build(p->layout, p->meta.width, p->ebcdic, true, &alt, err));
    alt.fmt = plan->fmt;
    if (cbz_plan_same(plan, &alt)) {
        cbz_plan_free(&alt);
        return CBZ_OK;
    }
    cbz_framer fr;
    uint64_t sample = p->meta.chunk_size < CBZ_VIEW_SAMPLE ? p->meta.chunk_size : CBZ_VIEW_SAMPLE;
    cbz_framer_init(&fr, plan, sample);
    cbz_chunk_info ci;
    const uint8_t *d;
    size_t avail;
    cbz_status s = CBZ_OK;
    for (;;) {
        input_view(in, 0, &d, &avail);
        if (cbz_framer_next(&fr, d, avail, in->eof, &ci)) break;
        if ((s = input_more(in, (size_t)sample + cbz_framer_margin(&fr), err)) != CBZ_OK) break;
    }
    if (s == CBZ_OK && ci.n_records > 0) {
        cbz_chunk_work w;
        cbz_chunk_work_init(&w);
        cbz_buf fa, fb;
        cbz_buf_init(&fa);
        cbz_buf_init(&fb);
        s = cbz_chunk_encode(plan, d, avail, &ci, p->meta.level, &w, &fa, NULL, err);
        if (s == CBZ_OK) s = cbz_chunk_encode(&alt, d, avail, &ci, p->meta.level, &w, &fb, NULL, err);
        if (s == CBZ_OK && fb.len < fa.len) {
            cbz_plan tmp = *plan;
            *plan = alt;
            alt = tmp;
        }
        cbz_buf_free(&fa);
        cbz_buf_free(&fb);
        cbz_chunk_work_free(&w);
    }
    cbz_plan_free(&alt);
    return s;
}

cbz_status cbz_compress_file(const char *input_path, const char *member_path, bool force,
                             const cbz_compress_params *p, cbz_compress_result *res,
                             cbz_error *err)
{
    memset(res, 0, sizeof *res);
    int threads = clamp_threads(p->threads);
    cbz_plan plan;
    memset(&plan, 0, sizeof plan);
    if (p->meta.mode == CBZ_MODE_RECORDS)
        CBZ_TRY(cbz_plan_build(p->layout, p->meta.width, p->ebcdic, false, &plan, err));
    else
        plan.mode = CBZ_MODE_GENERIC;
    plan.fmt = p->meta.fmt;

    input in;
    cbz_status s = input_open(&in, input_path, err);
    if (s != CBZ_OK) { cbz_plan_free(&plan); return s; }
    if (p->layout && p->meta.mode == CBZ_MODE_RECORDS)
        s = choose_view(p, &in, &plan, err);
    if (s != CBZ_OK) { input_close(&in); cbz_plan_free(&plan); return s; }
    size_t ns = cbz_plan_streams(&plan);
    cbz_outfile *of = NULL;
    cbz_sha256_ctx *sha = NULL;
    cbz_buf hdr, tail;
    cbz_buf_init(&hdr);
    cbz_buf_init(&tail);
    slot *slots = calloc((size_t)threads, sizeof *slots);
    cbz_chunk_work *work = calloc((size_t)threads, sizeof *work);
    cbz_col_stats *totals = calloc(ns, sizeof *totals);
    cbz_col_stats *slot_stats = calloc(ns * (size_t)threads, sizeof *slot_stats);
    if (!slots || !work || !totals || !slot_stats) {
        s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int t = 0; t < threads; t++) {
        cbz_chunk_work_init(&work[t]);
        cbz_buf_init(&slots[t].frame);
        slots[t].stats = slot_stats + ns * (size_t)t;
    }
    if ((s = cbz_sha256_new(&sha, err)) != CBZ_OK) goto done;
    if ((s = cbz_outfile_open(member_path, force, &of, err)) != CBZ_OK) goto done;
    FILE *fp = cbz_outfile_stream(of);

    /* Header. */
    cbz_member_meta meta = p->meta;
    meta.width = plan.width;
    uint64_t pos = 0;
    s = cbz_buf_append(&hdr, CBZ_MEMBER_MAGIC, 8);
    if (s == CBZ_OK) s = cbz_buf_put_le16(&hdr, CBZ_MEMBER_VERSION);
    if (s == CBZ_OK) s = cbz_buf_put_le16(&hdr, 0);
    if (s == CBZ_OK) s = cbz_buf_put_le32(&hdr, 0);
    if (s == CBZ_OK) s = encode_header(&meta, &plan, &hdr);
    if (s == CBZ_OK) {
        uint32_t hl = (uint32_t)(hdr.len - 16);
        for (int i = 0; i < 4; i++) hdr.data[12 + i] = (uint8_t)(hl >> (8 * i));
        s = cbz_buf_put_le64(&hdr, cbz_xxh64(hdr.data, hdr.len, 0));
    }
    if (s != CBZ_OK) { s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory"); goto done; }
    if ((s = write_all(fp, hdr.data, hdr.len, &pos, member_path, err)) != CBZ_OK) goto done;

    /* Chunks, a batch of `threads` at a time. */
    cbz_framer fr;
    cbz_framer_init(&fr, &plan, meta.chunk_size);
    size_t read_step = (size_t)meta.chunk_size + cbz_framer_margin(&fr);
    cbz_buf index;
    cbz_buf_init(&index);
    bool finished = false;
    while (!finished && s == CBZ_OK) {
        int nb = 0;
        while (nb < threads) {
            const uint8_t *d;
            size_t avail;
            input_view(&in, fr.offset, &d, &avail);
            slot *sl = &slots[nb];
            if (!cbz_framer_next(&fr, d, avail, in.eof, &sl->ci)) {
                if ((s = input_more(&in, read_step, err)) != CBZ_OK) break;
                continue;
            }
            if (sl->ci.in_len == 0) { finished = true; break; }
            nb++;
        }
        if (s != CBZ_OK) break;
        /* Only now: reading more input may have moved the window. */
        for (int k = 0; k < nb; k++) input_view(&in, slots[k].ci.in_offset, &slots[k].data, &slots[k].avail);
        encode_ctx ec = { &plan, slots, work, meta.level };
        cbz_parallel_for((size_t)nb, threads, encode_slot, &ec);
        for (int k = 0; k < nb && s == CBZ_OK; k++) {
            slot *sl = &slots[k];
            if (sl->status != CBZ_OK) {
                if (err) *err = sl->err;
                s = sl->status;
                break;
            }
            uint64_t frame_off = pos;
            if ((s = write_all(fp, sl->frame.data, sl->frame.len, &pos, member_path, err)) != CBZ_OK) break;
            cbz_sha256_update(sha, sl->data, (size_t)sl->ci.in_len);
            uint64_t e[8] = { frame_off, sl->frame.len, sl->ci.first_record, sl->ci.n_records,
                              sl->ci.in_offset, sl->ci.in_len, cbz_xxh64(sl->frame.data, sl->frame.len, 0),
                              cbz_xxh64(sl->data, (size_t)sl->ci.in_len, 0) };
            for (int i = 0; i < 8 && s == CBZ_OK; i++)
                if (cbz_buf_put_le64(&index, e[i]) != CBZ_OK)
                    s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory (chunk index)");
            for (size_t j = 0; j < ns; j++) cbz_stats_add(&totals[j], &sl->stats[j]);
            res->chunks++;
            res->records += sl->ci.n_records;
            res->source_size += sl->ci.in_len;
        }
        input_release(&in, fr.offset);
    }
    if (s == CBZ_OK) {
        /* Index, stats, trailer. */
        uint64_t idx_off = pos;
        s = write_all(fp, index.data, index.len, &pos, member_path, err);
        cbz_buf stats;
        cbz_buf_init(&stats);
        if (s == CBZ_OK && encode_stats(totals, ns, &stats) != CBZ_OK)
            s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
        uint64_t st_off = pos;
        if (s == CBZ_OK) s = write_all(fp, stats.data, stats.len, &pos, member_path, err);
        cbz_sha256_final_hex(sha, res->source_sha256);
        sha = NULL;
        uint8_t digest[32];
        for (int i = 0; i < 32; i++)
            digest[i] = (uint8_t)(hexval(res->source_sha256[2 * i]) << 4 | hexval(res->source_sha256[2 * i + 1]));
        cbz_status b = cbz_buf_put_le64(&tail, res->chunks);
        if (!b) b = cbz_buf_put_le64(&tail, res->records);
        if (!b) b = cbz_buf_put_le64(&tail, res->source_size);
        if (!b) b = cbz_buf_append(&tail, digest, 32);
        if (!b) b = cbz_buf_put_le64(&tail, idx_off);
        if (!b) b = cbz_buf_put_le64(&tail, index.len);
        if (!b) b = cbz_buf_put_le64(&tail, cbz_xxh64(index.data, index.len, 0));
        if (!b) b = cbz_buf_put_le64(&tail, st_off);
        if (!b) b = cbz_buf_put_le64(&tail, stats.len);
        if (!b) b = cbz_buf_put_le64(&tail, cbz_xxh64(stats.data, stats.len, 0));
        if (!b) b = cbz_buf_put_le64(&tail, cbz_xxh64(tail.data, tail.len, 0));
        if (!b) b = cbz_buf_append(&tail, CBZ_TRAILER_MAGIC, 8);
        if (b && s == CBZ_OK) s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
        if (s == CBZ_OK) s = write_all(fp, tail.data, tail.len, &pos, member_path, err);
        cbz_buf_free(&stats);
        res->member_size = pos;
    }
    cbz_buf_free(&index);
    if (s == CBZ_OK) {
        s = cbz_outfile_commit(of, err);
        of = NULL;
    }
    if (s == CBZ_OK) s = cbz_sha256_file_hex(member_path, res->member_sha256, err);
    if (s == CBZ_OK) {
        res->n_streams = ns;
        res->stats = totals;
        totals = NULL;
        res->stream_names = calloc(ns, sizeof *res->stream_names);
        if (!res->stream_names) s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
        for (size_t j = 0; j < ns && s == CBZ_OK; j++)
            if (!(res->stream_names[j] = strdup(cbz_plan_stream_name(&plan, j))))
                s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    }
done:
    cbz_outfile_abort(of);
    cbz_sha256_free(sha);
    if (work)
        for (int t = 0; t < threads; t++) cbz_chunk_work_free(&work[t]);
    if (slots)
        for (int t = 0; t < threads; t++) cbz_buf_free(&slots[t].frame);
    free(work);
    free(slots);
    free(slot_stats);
    free(totals);
    cbz_buf_free(&hdr);
    cbz_buf_free(&tail);
    input_close(&in);
    cbz_plan_free(&plan);
    if (s != CBZ_OK) cbz_compress_result_free(res);
    return s;
}

/* ------------------------------------------------------------------------
 * Restore: all chunks in order, a batch of `threads` at a time.
 * ---------------------------------------------------------------------- */
typedef struct decode_ctx {
    const cbz_member *m;
    uint64_t first;
    cbz_chunk_work *work;
    cbz_buf *outs;
    cbz_status *st;
    cbz_error *errs;
} decode_ctx;

static void decode_slot(void *ctx, size_t k, int thread)
{
    decode_ctx *c = ctx;
    const cbz_index_entry *x = &c->m->index[c->first + k];
    cbz_buf_clear(&c->outs[k]);
    if (cbz_buf_reserve(&c->outs[k], (size_t)x->in_len) != CBZ_OK) {
        c->st[k] = cbz_fail(&c->errs[k], CBZ_ERR_NOMEM, "out of memory (%llu bytes)",
                            (unsigned long long)x->in_len);
        return;
    }
    c->st[k] = cbz_member_decode_chunk(c->m, c->first + k, &c->work[thread], c->outs[k].data,
                                       &c->errs[k]);
}

cbz_status cbz_member_restore(const cbz_member *m, FILE *fp, int threads, cbz_error *err)
{
    threads = clamp_threads(threads);
    cbz_status s = CBZ_OK;
    cbz_sha256_ctx *sha = NULL;
    cbz_chunk_work *work = calloc((size_t)threads, sizeof *work);
    cbz_buf *outs = calloc((size_t)threads, sizeof *outs);
    cbz_status *st = calloc((size_t)threads, sizeof *st);
    cbz_error *errs = calloc((size_t)threads, sizeof *errs);
    if (!work || !outs || !st || !errs) {
        s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int t = 0; t < threads; t++) {
        cbz_chunk_work_init(&work[t]);
        cbz_buf_init(&outs[t]);
    }
    if ((s = cbz_sha256_new(&sha, err)) != CBZ_OK) goto done;
    for (uint64_t first = 0; first < m->n_chunks && s == CBZ_OK; first += (uint64_t)threads) {
        int nb = (int)(m->n_chunks - first < (uint64_t)threads ? m->n_chunks - first : (uint64_t)threads);
        decode_ctx dc = { m, first, work, outs, st, errs };
        cbz_parallel_for((size_t)nb, threads, decode_slot, &dc);
        for (int k = 0; k < nb; k++) {
            if (st[k] != CBZ_OK) {
                if (err) *err = errs[k];
                s = st[k];
                break;
            }
            size_t n = (size_t)m->index[first + (uint64_t)k].in_len;
            cbz_sha256_update(sha, outs[k].data, n);
            if (fp && fwrite(outs[k].data, 1, n, fp) != n) {
                s = cbz_fail(err, CBZ_ERR_IO, "write failed: %s", strerror(errno));
                break;
            }
        }
    }
    if (s == CBZ_OK) {
        char hex[65];
        cbz_sha256_final_hex(sha, hex);
        sha = NULL;
        if (strcmp(hex, m->source_sha256) != 0)
            s = cbz_fail(err, CBZ_ERR_CHECKSUM, "%s: SHA-256 of the restored bytes %s differs from "
                         "the recorded %s", m->path, hex, m->source_sha256);
    }
done:
    cbz_sha256_free(sha);
    if (work)
        for (int t = 0; t < threads; t++) cbz_chunk_work_free(&work[t]);
    if (outs)
        for (int t = 0; t < threads; t++) cbz_buf_free(&outs[t]);
    free(work);
    free(outs);
    free(st);
    free(errs);
    return s;
}
