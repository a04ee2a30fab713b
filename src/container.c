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
#include "bigbuf.h"
#include "device.h"
#include "gpu.h"
#include "hash.h"
#include "kernels.h"
#include "outfile.h"
#include "parallel.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
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
    if (m->fd >= 0) close(m->fd);
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
    m->fd = -1;
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
    m->fd = fd;
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

/* Chunk i's frame (at frame: the map, or a copy of its bytes) checked
 * against its XXH64 and decoded into out; the decoded bytes are not checked
 * (cbz_member_decode_chunk and the restore do that, check_content). */
static cbz_status decode_frame(const cbz_member *m, uint64_t i, const uint8_t *frame,
                               cbz_chunk_work *w, uint8_t *out, cbz_error *err)
{
    const cbz_index_entry *x = &m->index[i];
    CBZ_FAIL_IF(cbz_xxh64(frame, (size_t)x->frame_len, 0) != x->frame_xxh64, err,
                CBZ_ERR_CHECKSUM,
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
    return CBZ_OK;
}

static cbz_status check_content(const cbz_member *m, uint64_t i, const uint8_t *out, cbz_error *err)
{
    CBZ_FAIL_IF(cbz_xxh64(out, (size_t)m->index[i].in_len, 0) != m->index[i].content_xxh64, err,
                CBZ_ERR_CHECKSUM, "%s: chunk %llu: decoded bytes do not match their checksum",
                m->path, (unsigned long long)i + 1);
    return CBZ_OK;
}

cbz_status cbz_member_decode_chunk(const cbz_member *m, uint64_t i, cbz_chunk_work *w,
                                   uint8_t *out, cbz_error *err)
{
    CBZ_TRY(decode_frame(m, i, m->map + m->index[i].frame_offset, w, out, err));
    return check_content(m, i, out, err);
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
 * Input: a regular file is mapped (the device split reads batches ahead of
 * the encode there), or read with read(2) into a sliding window when the
 * CPU does the split (input_use_window); anything else (stdin, a pipe) is
 * read into the window with stdio.
 *
 * Why the window for regular files: every 4 KiB page of a map is a page
 * fault and a TLB entry of its own, and on virtual machines that shadow the
 * page tables that costs more than reading the bytes: a 50 MiB input took
 * 27 ms to touch through the map, 7.5 ms to read into a buffer of huge
 * pages (this machine, see docs/ARCHITECTURE.md).  The window is reused
 * batch after batch, so its pages are faulted once.
 * ---------------------------------------------------------------------- */
typedef struct input {
    const char *name;
    FILE *fp;                 /* stdio stream input (stdin, a pipe), else NULL */
    int fd;                   /* a regular file read into the window, else -1 */
    bool windowed;            /* bytes come from win (fp or fd), else from map */
    const uint8_t *map;
    size_t map_size;          /* a regular file's size (mapped or not) */
    bool sized;               /* map_size is the input's size */
    cbz_buf win;              /* windowed: bytes [win_base, win_base + win.len) */
    uint64_t win_base;
    bool eof;
    /* Read-ahead (input_ahead_run): the bytes after the window, read on a
     * helper thread during an encode into next, after next_keep bytes of
     * room for the window's bytes past the batch, copied there after the
     * read; next.len counts both. */
    cbz_buf next;
    size_t next_keep, next_want;
    bool next_ready, next_eof;
    cbz_status next_status;
    cbz_error next_err;
} input;

static cbz_status input_open(input *in, const char *path, cbz_error *err)
{
    memset(in, 0, sizeof *in);
    in->name = path;
    in->fd = -1;
    cbz_buf_init(&in->win);
    cbz_buf_init(&in->next);
    if (strcmp(path, "-") == 0) {
        in->fp = stdin;
        in->windowed = true;
        return CBZ_OK;
    }
    int fd = open(path, O_RDONLY);
    CBZ_FAIL_IF(fd < 0, err, CBZ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        in->map_size = (size_t)st.st_size;
        in->sized = true;
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
        in->fd = fd;
        return CBZ_OK;
    }
    in->fp = fdopen(fd, "rb");
    if (!in->fp) {
        close(fd);
        return cbz_fail(err, CBZ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    }
    in->windowed = true;
    return CBZ_OK;
}

/* A mapped regular file is read into the window from here on.  Only before
 * any chunk is planned: the window starts at offset 0. */
static void input_use_window(input *in)
{
    if (in->windowed || in->fd < 0) return;
    if (in->map) munmap((void *)in->map, in->map_size);
    in->map = NULL;
    in->windowed = true;
    in->eof = in->map_size == 0;
    in->win_base = 0;
    cbz_buf_clear(&in->win);
}

static void input_close(input *in)
{
    if (in->map) munmap((void *)in->map, in->map_size);
    if (in->fp && in->fp != stdin) fclose(in->fp);
    if (in->fd >= 0) close(in->fd);
    cbz_buf_free(&in->win);
    cbz_buf_free(&in->next);
}

/* The bytes from input offset off on. */
static void input_view(const input *in, uint64_t off, const uint8_t **p, size_t *avail)
{
    if (!in->windowed) {
        *p = in->map + off;
        *avail = in->map_size - (size_t)off;
    } else {
        *p = in->win.data + (off - in->win_base);
        *avail = in->win.len - (size_t)(off - in->win_base);
    }
}

/* Reads up to want bytes to dst (fewer only at the end of the input). */
static cbz_status input_read(input *in, uint8_t *dst, size_t want, size_t *got, bool *eof,
                             uint64_t at, cbz_error *err)
{
    *got = 0;
    *eof = false;
    while (*got < want) {
        size_t n;
        if (in->fp) {
            n = fread(dst + *got, 1, want - *got, in->fp);
            CBZ_FAIL_IF(n == 0 && ferror(in->fp), err, CBZ_ERR_IO, "%s: read failed: %s",
                        in->name, strerror(errno));
        } else {
            ssize_t r = read(in->fd, dst + *got, want - *got);
            if (r < 0 && errno == EINTR) continue;
            CBZ_FAIL_IF(r < 0, err, CBZ_ERR_IO, "%s: read failed at byte %llu: %s", in->name,
                        (unsigned long long)(at + *got), strerror(errno));
            n = (size_t)r;
        }
        *got += n;
        if (n == 0) {
            *eof = true;
            break;
        }
    }
    return CBZ_OK;
}

/* Reads at least want more bytes into the window (or up to the end). */
static cbz_status input_more(input *in, size_t want, cbz_error *err)
{
    if (in->eof) return CBZ_OK;
    CBZ_FAIL_IF(cbz_buf_reserve_huge(&in->win, want) != CBZ_OK, err, CBZ_ERR_NOMEM,
                "out of memory (input window)");
    size_t got;
    bool eof;
    CBZ_TRY(input_read(in, in->win.data + in->win.len, want, &got, &eof,
                       in->win_base + in->win.len, err));
    in->win.len += got;
    in->eof = eof;
    return CBZ_OK;
}

/* Read-ahead on a helper thread while the batch ending at input offset
 * `end` is encoded (the window does not move then, and no one else reads
 * the input): the bytes after the window, so that `need` bytes from `end`
 * on are at hand.  input_done takes them. */
static void input_ahead_prepare(input *in, uint64_t end, size_t need)
{
    in->next_ready = false;
    size_t keep = (size_t)(in->win_base + in->win.len - end);
    if (!in->windowed || in->eof || need <= keep) return;
    in->next_keep = keep;
    in->next_want = need - keep;
    cbz_buf_clear(&in->next);
    in->next_eof = false;
    in->next_status = CBZ_OK;
    in->next_err.code = CBZ_OK;
    in->next_err.msg[0] = '\0';
    in->next_ready = true;
}

static void input_ahead_run(input *in)
{
    if (!in->next_ready) return;
    size_t got = 0;
    if (cbz_buf_reserve_huge(&in->next, in->next_keep + in->next_want) != CBZ_OK) {
        in->next_status = cbz_fail(&in->next_err, CBZ_ERR_NOMEM, "out of memory (input window)");
        return;
    }
    in->next_status = input_read(in, in->next.data + in->next_keep, in->next_want, &got,
                                 &in->next_eof, in->win_base + in->win.len, &in->next_err);
    in->next.len = in->next_keep + got;
    if (in->next_status != CBZ_OK) return;
    /* the window's bytes past the batch in front (they do not change
     * during the encode): next holds the next batch's bytes whole, for the
     * split ahead (split_ahead_start) */
    if (in->next_keep)
        memcpy(in->next.data, in->win.data + (in->win.len - in->next_keep), in->next_keep);
}

/* Input bytes before offset off are done with: the window drops them,
 * a mapped file's pages up to there leave the resident set (they are clean
 * file pages; touching them again would read them back, not fail). *released
 * is how far that has gone. */
static cbz_status input_done(input *in, uint64_t off, uint64_t *released, cbz_error *err)
{
    if (in->windowed && in->next_ready) {
        /* the window's bytes past off, then what was read ahead */
        in->next_ready = false;
        if (in->next_status != CBZ_OK) {
            if (err) *err = in->next_err;
            return in->next_status;
        }
        size_t keep = (size_t)(in->win_base + in->win.len - off);
        if (keep != in->next_keep) return cbz_fail(err, CBZ_ERR_DATA, "%s: internal: read-ahead "
                                                   "at the wrong offset", in->name);
        /* (input_ahead_run copied the window's bytes past off in front) */
        cbz_buf t = in->win;
        in->win = in->next;
        in->next = t;
        cbz_buf_clear(&in->next);
        in->win_base = off;
        in->eof = in->next_eof;
        return CBZ_OK;
    }
    if (in->windowed) {
        if (off <= in->win_base) return CBZ_OK;
        size_t drop = (size_t)(off - in->win_base);
        memmove(in->win.data, in->win.data + drop, in->win.len - drop);
        in->win.len -= drop;
        in->win_base = off;
        return CBZ_OK;
    }
    uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
    uint64_t to = off / page * page;
    if (!in->map || to <= *released) return CBZ_OK;
    madvise((void *)(in->map + *released), (size_t)(to - *released), MADV_DONTNEED);
    *released = to;
    return CBZ_OK;
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
    uint64_t chunk;                /* 0-based chunk number in the member */
    const uint8_t *data;
    size_t avail;
    const uint8_t **pre;           /* per plan column: values split elsewhere, or NULL */
    bool presplit;                 /* pre is set for this chunk */
    cbz_chunk_prep *prep;          /* --threads 1: where the chunk is (or was) prepared, or NULL */
    cbz_buf frame;
    uint64_t frame_xxh64;          /* computed on the encode's thread */
    uint64_t content_xxh64;        /* computed on the helper thread (helper_run) */
    cbz_col_stats *stats;
    cbz_error err;
    cbz_status status;
} slot;

typedef struct encode_ctx {
    const cbz_plan *plan;
    slot *slots;
    cbz_chunk_work *work;
    int level;
    long fail_encode;              /* CBZ_TEST_FAIL_ENCODE (test_faults), -1: none */
} encode_ctx;

/* Test-only fault injection (see "Batches and the device split" for where
 * the switches are documented), read from the environment once per
 * cbz_compress_file.  -1: no fault. */
typedef struct test_faults {
    long encode;                   /* CBZ_TEST_FAIL_ENCODE=k */
    long read;                     /* CBZ_TEST_FAIL_READ=k */
} test_faults;

static long env_chunk(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v) return -1;
    char *end;
    long k = strtol(v, &end, 10);
    return *end == '\0' && k >= 0 ? k : -1;
}

static test_faults test_faults_from_env(void)
{
    test_faults tf = { env_chunk("CBZ_TEST_FAIL_ENCODE"), env_chunk("CBZ_TEST_FAIL_READ") };
    return tf;
}

/* The injected read failure of chunk ci (number k), as input_read reports a
 * real one: an I/O error at the chunk's first byte. */
static cbz_status fail_read_injected(const char *name, uint64_t k, const cbz_chunk_info *ci,
                                     cbz_error *err)
{
    return cbz_fail(err, CBZ_ERR_IO, "%s: read failed at byte %llu (chunk %llu, from record "
                    "%llu): injected by CBZ_TEST_FAIL_READ", name,
                    (unsigned long long)ci->in_offset, (unsigned long long)k,
                    (unsigned long long)ci->first_record);
}

/* A chunk's encode failure as reported: where (input, chunk number, records,
 * input bytes) in front of the encoder's reason. */
static cbz_status fail_chunk(const char *name, const slot *sl, cbz_error *err)
{
    const cbz_chunk_info *ci = &sl->ci;
    return cbz_fail(err, sl->status, "%s: chunk %llu (at byte %llu, %llu bytes, %llu records "
                    "from record %llu): %s", name, (unsigned long long)sl->chunk,
                    (unsigned long long)ci->in_offset, (unsigned long long)ci->in_len,
                    (unsigned long long)ci->n_records, (unsigned long long)ci->first_record,
                    sl->err.msg);
}

/* A slot's frame buffer, reserved once before its first chunk.  Grown on
 * demand, the frame of a 4 MiB chunk doubled through fresh blocks of 64 KiB
 * up to 1 MiB, each mapped when made and the frame copied into the next:
 * 2 MiB of fresh small pages and about 1 ms of allocation in the first
 * chunk's encode (ledger), and a fresh 1 MiB again in the second slot's.
 * One huge page (a 2 MiB block, zeroed once where it is first written)
 * holds the frames of the data sets measured, bounds included; a frame
 * that needs more grows from there as before. */
static cbz_status frame_reserve(cbz_buf *frame, uint64_t chunk_size, const input *in,
                                cbz_error *err)
{
    const size_t huge = (size_t)2 << 20;
    size_t want = chunk_size < huge ? (size_t)chunk_size : huge;
    /* a small input's frames are small: no 2 MiB for a few KiB */
    if (in->sized && in->map_size < want) want = in->map_size + 4096;
    CBZ_FAIL_IF(cbz_buf_reserve_huge(frame, want ? want : 1) != CBZ_OK, err, CBZ_ERR_NOMEM,
                "out of memory (chunk frame)");
    return CBZ_OK;
}

/* One chunk of a batch, on any thread (cbz_parallel_for). */
static void encode_slot(void *ctx, size_t k, int thread)
{
    encode_ctx *c = ctx;
    slot *sl = &c->slots[k];
    cbz_buf_clear(&sl->frame);
    sl->err.code = CBZ_OK;
    sl->err.msg[0] = '\0';
    if (c->fail_encode >= 0 && sl->chunk == (uint64_t)c->fail_encode) {
        sl->status = cbz_fail(&sl->err, CBZ_ERR_DATA,
                              "encode failed (injected by CBZ_TEST_FAIL_ENCODE)");
        return;
    }
    if (sl->prep)
        sl->status = cbz_chunk_encode_prepared(c->plan, sl->prep, sl->data, sl->avail, &sl->ci,
                                               c->level, &sl->frame, sl->stats, &sl->err);
    else if (sl->presplit)
        sl->status = cbz_chunk_encode_split(c->plan, sl->data, sl->avail, &sl->ci, c->level,
                                            sl->pre, &c->work[thread], &sl->frame, sl->stats,
                                            &sl->err);
    else
        sl->status = cbz_chunk_encode(c->plan, sl->data, sl->avail, &sl->ci, c->level,
                                      &c->work[thread], &sl->frame, sl->stats, &sl->err);
    if (sl->status == CBZ_OK) sl->frame_xxh64 = cbz_xxh64(sl->frame.data, sl->frame.len, 0);
}


/* ------------------------------------------------------------------------
 * Batches and the device split.
 *
 * A batch is up to `threads` chunks, planned together, encoded on the
 * OpenMP threads and written in chunk order.  When the L2 split runs on the
 * GPU (an F/FB member, --device gpu or auto routed there), the leading
 * chunks of a batch that cbz_chunk_fixed accepts are one array of records:
 * cbz_gpu_columns gathers every column of all of them into the batch's
 * column buffer, and the chunks are then encoded with
 * cbz_chunk_encode_split.  With mmap'd input the next batch is planned and
 * split on a helper thread while the OpenMP threads encode this one (the
 * device's two streams overlap inside that call); a pipe's window moves as
 * it is read, so there the split runs before the encode, not beside it.
 * A failed split prints one warning and the rest of the job runs the CPU
 * split; the frames are the same bytes either way.  At one thread (a chunk
 * a batch, windowed input) the batches' helper frames and splits the next
 * chunk on the CPU beside the encode instead (split_ahead_start / _finish).
 *
 * Test switches (environment): CBZ_TEST_PRESPLIT=1 runs the same pipeline
 * with a host gather in place of the device (so machines without a GPU test
 * it); CBZ_GPU_INJECT_FAIL=k makes split call k (0-based) fail as a device
 * error would.  CBZ_TEST_FAIL_ENCODE=k makes the encode of chunk k (0-based)
 * fail (CBZ_ERR_DATA, "injected by CBZ_TEST_FAIL_ENCODE"), and
 * CBZ_TEST_FAIL_READ=k the read of chunk k (CBZ_ERR_IO at its first byte,
 * once the planner has found it), in the batch loop and in the chunk
 * pipeline alike: the error paths' tests (tests/shell/test_pipeline_errors.sh).
 * All three are read once per compress (test_faults_from_env).
 * ---------------------------------------------------------------------- */
enum { SPLIT_CPU = 0, SPLIT_GPU = 1, SPLIT_HOST = 2 };

typedef struct batch {
    slot *slots;
    int n;
    uint64_t end;                  /* input offset after its last chunk */
    int n_fixed;                   /* leading chunks split as one record array */
    size_t n_rec;                  /* their records */
    size_t *chunk_first;           /* n_fixed + 1 record indexes */
    uint8_t *cols;                 /* column c at cols + n_rec * plan->cols[c].offset */
    size_t cols_cap;
    cbz_gpu_column_out *outs;      /* per plan column */
    cbz_gpu_column_stats *gstats;  /* n_fixed * n_cols (computed, not used) */
    size_t gstats_cap;
    cbz_status split_status;
    cbz_error split_err;
    double split_s;                /* wall time of its split call */
    /* One chunk a batch (--threads 1): its chunk's L1 and L2, made by the
     * helper of the batch before as far as it got (split_ahead_start), the
     * rest by the encode (slots[0].prep points here). */
    cbz_chunk_prep prep;
    size_t prep_helper;            /* records the helper split */
    /* The helper's plan of that chunk (split_ahead_start), which plan_batch
     * takes instead of framing the records again when it starts from the
     * same framer state and sees the same bytes (VB: the planner's walk
     * over the chunk's headers was 2.4% of the main thread). */
    bool planned;
    cbz_framer plan_from, plan_after;
    cbz_chunk_info plan_ci;
    size_t plan_avail;
    bool plan_eof;
} batch;

/* The member file being written: every byte goes through member_write, in
 * order, so the member's SHA-256 is known when its last byte is written
 * (no second pass over the file).  Only one thread writes at a time: the
 * main thread before and after the batches, the helper of batch k+1 for the
 * frames of batch k. */
typedef struct member_out {
    cbz_outfile *of;
    FILE *fp;
    const char *path;
    cbz_sha256_ctx *sha;
    uint64_t pos;
} member_out;

static cbz_status member_write(member_out *mo, const void *p, size_t n, cbz_error *err)
{
    CBZ_FAIL_IF(n && fwrite(p, 1, n, mo->fp) != n, err, CBZ_ERR_IO, "%s: write failed at byte "
                "%llu: %s", mo->path, (unsigned long long)mo->pos, strerror(errno));
    cbz_sha256_update(mo->sha, p, n);
    mo->pos += n;
    return CBZ_OK;
}

/* The frames of the first n slots of a batch whose encode is done, in chunk
 * order.  n is passed, not read from b: planning the next batch into the
 * same slots (mapped input) changes b->n but no frame. */
static cbz_status member_write_frames(member_out *mo, const batch *b, int n, cbz_error *err)
{
    for (int k = 0; k < n; k++)
        CBZ_TRY(member_write(mo, b->slots[k].frame.data, b->slots[k].frame.len, err));
    return CBZ_OK;
}

/* Beside a batch's encode, on a helper thread: the frames of the batch
 * before it go to the member (wb, NULL when none); the next batch's bytes
 * are read ahead when the input is windowed (input_ahead_run) and, at one
 * thread, its chunk laid out (split_ahead_start); the batch's input is
 * digested (SHA-256 of the whole, the one serial pass) and each chunk's
 * content XXH64 taken; last, at one thread, the next chunk's records are
 * moved into columns for as long as the encode lasts (split_ahead_finish).
 * The encode threads then do nothing but encode. */
typedef struct helper_task {
    cbz_sha256_ctx *sha;
    batch *b;
    input *in;
    member_out *mo;
    const batch *wb;
    int wn;
    cbz_status wstatus;
    cbz_error werr;
    /* the split ahead (split_ahead_start): the next batch, NULL for none */
    batch *ab;
    const cbz_plan *plan;
    cbz_framer fr;                 /* the planner's, at the end of b */
    atomic_bool encoded;           /* set by the main thread when b's encode is done */
    const uint8_t *ahead_data;     /* the split ahead's chunk (split_ahead_start) */
} helper_task;

/* Record bytes of the split ahead moved per slice (~60 us): between two
 * slices the helper looks whether the main thread's encode is done. */
#define SPLIT_AHEAD_SLICE ((size_t)512 << 10)

/* One chunk a batch (--threads 1), on the helper right after the
 * read-ahead: the next chunk planned as the main thread will plan it after
 * input_done (the same framer state, the same bytes: next holds them whole,
 * input_ahead_run, or the window does) and its L1 made (records framed,
 * side streams) into t->ab's prep (cbz_chunk_prep_start); after the digest,
 * split_ahead_finish makes its L2 (records into columns, by the encode's own
 * scatter, a slice at a time, cbz_chunk_prep_step), so that its encode skips
 * them (cbz_chunk_encode_prepared): 4-7% of the main thread's instructions
 * for fixed-length records (callgrind, transactions and customers), and for
 * a VB file its framing and side streams too.  The L1 comes before the
 * digest because it cannot be cut short; the L2 goes on only while the main
 * thread still encodes: where the helper's share before it (read, layout,
 * SHA-256) is as long as the encode (transactions: ~4.7 ms a chunk each),
 * the main thread would wait for the helper instead of splitting itself, so
 * the helper stops at the slice where the encode ends and the encode does
 * the rest (once the main thread's plan is found the same chunk,
 * cbz_chunk_prep_holds).
 * Without memory, or when a framing fails, the encode does it all. */
static void split_ahead_start(helper_task *t)
{
    batch *ab = t->ab;
    const input *in = t->in;
    if (!ab) return;
    ab->prep_helper = 0;
    ab->prep.laid_out = false;
    ab->planned = false;
    /* the bytes from the batch's end on: read ahead, or in the window
     * already (no read-ahead then: input_done only drops what is before) */
    const uint8_t *d = in->next.data;
    size_t avail = in->next.len;
    bool eof = in->next_eof;
    if (in->next_ready && in->next_status != CBZ_OK) return;
    if (!in->next_ready) {
        input_view(in, t->fr.offset, &d, &avail);
        eof = in->eof;
    }
    const cbz_plan *p = t->plan;
    cbz_framer f = t->fr;
    cbz_chunk_info ci;
    if (atomic_load(&t->encoded) || !cbz_framer_next(&f, d, avail, eof, &ci) || ci.in_len == 0)
        return;
    ab->planned = true;
    ab->plan_from = t->fr;
    ab->plan_after = f;
    ab->plan_ci = ci;
    ab->plan_avail = avail;
    ab->plan_eof = eof;
    if (cbz_chunk_prep_start(&ab->prep, p, d, avail, &ci, NULL) != CBZ_OK) return;
    t->ahead_data = d;
}

static void split_ahead_finish(helper_task *t)
{
    batch *ab = t->ab;
    const cbz_plan *p = t->plan;
    const uint8_t *d = t->ahead_data;
    if (!ab || !ab->prep.laid_out) return;
    /* (a generic member's plan has no width: its raw chunks have no records) */
    const size_t slice = p->width == 0 ? SIZE_MAX
                         : SPLIT_AHEAD_SLICE / p->width ? SPLIT_AHEAD_SLICE / p->width : 1;
    bool all = false;
    while (!all && !atomic_load(&t->encoded)) {
        size_t before = ab->prep.done;
        all = cbz_chunk_prep_step(&ab->prep, p, d, slice);
        ab->prep_helper += ab->prep.done - before;
    }
}

static void *helper_run(void *arg)
{
    helper_task *t = arg;
    t->wstatus = CBZ_OK;
    if (t->wb) {
        t->wstatus = member_write_frames(t->mo, t->wb, t->wn, &t->werr);
        /* the disk starts on them now, not at the final fsync */
        if (t->wstatus == CBZ_OK) cbz_outfile_writeback(t->mo->of);
    }
    input_ahead_run(t->in);
    split_ahead_start(t);
    for (int k = 0; k < t->b->n; k++) {
        slot *sl = &t->b->slots[k];
        cbz_sha256_update(t->sha, sl->data, (size_t)sl->ci.in_len);
        sl->content_xxh64 = cbz_xxh64(sl->data, (size_t)sl->ci.in_len, 0);
    }
    split_ahead_finish(t);
    return NULL;
}

static void helper_task_run(void *arg) { (void)helper_run(arg); }

typedef struct splitter {
    const cbz_plan *plan;
    cbz_gpu_column *gcols;         /* per plan column, kind RAW: gather only */
    int mode;                      /* SPLIT_* */
    long calls;                    /* split calls so far */
    long inject_fail;              /* CBZ_GPU_INJECT_FAIL, -1 when unset */
    bool fell_back;
    cbz_device_route *route;
} splitter;

typedef struct split_task {
    splitter *sp;
    batch *b;
    long call;
} split_task;

static void batch_free(batch *b, int cap)
{
    if (b->slots)
        for (int t = 0; t < cap; t++) {
            cbz_buf_free(&b->slots[t].frame);
            free(b->slots[t].pre);
        }
    free(b->slots);
    free(b->chunk_first);
    free(b->cols);
    free(b->outs);
    free(b->gstats);
    cbz_chunk_prep_free(&b->prep);
    memset(b, 0, sizeof *b);
}

static cbz_status batch_init(batch *b, int cap, const cbz_plan *plan, cbz_col_stats *stats,
                             cbz_error *err)
{
    size_t ns = cbz_plan_streams(plan), nc = plan->n_cols ? plan->n_cols : 1;
    memset(b, 0, sizeof *b);
    b->slots = calloc((size_t)cap, sizeof *b->slots);
    b->chunk_first = calloc((size_t)cap + 1, sizeof *b->chunk_first);
    b->outs = calloc(nc, sizeof *b->outs);
    cbz_chunk_prep_init(&b->prep);
    CBZ_FAIL_IF(!b->slots || !b->chunk_first || !b->outs, err, CBZ_ERR_NOMEM, "out of memory");
    for (int t = 0; t < cap; t++) {
        cbz_buf_init(&b->slots[t].frame);
        b->slots[t].stats = stats + ns * (size_t)t;
        b->slots[t].pre = calloc(nc, sizeof *b->slots[t].pre);
        CBZ_FAIL_IF(!b->slots[t].pre, err, CBZ_ERR_NOMEM, "out of memory");
    }
    return CBZ_OK;
}

/* Which leading chunks of b the device can split, and room for their
 * columns.  Chunks stay on the CPU split when mode is SPLIT_CPU. */
static cbz_status batch_prepare_split(batch *b, const splitter *sp, cbz_error *err)
{
    const cbz_plan *p = sp->plan;
    b->n_fixed = 0;
    b->n_rec = 0;
    b->split_status = CBZ_OK;
    for (int k = 0; k < b->n; k++) b->slots[k].presplit = false;
    if (sp->mode == SPLIT_CPU) return CBZ_OK;
    int k = 0;
    b->chunk_first[0] = 0;
    while (k < b->n && cbz_chunk_fixed(p, &b->slots[k].ci) &&
           (k == 0 || b->slots[k].ci.in_offset ==
                          b->slots[k - 1].ci.in_offset + b->slots[k - 1].ci.in_len)) {
        b->n_rec += (size_t)b->slots[k].ci.n_records;
        b->chunk_first[k + 1] = b->n_rec;
        k++;
    }
    b->n_fixed = k;
    if (k == 0) return CBZ_OK;
    size_t bytes = b->n_rec * p->width;
    if (bytes > b->cols_cap) {
        free(b->cols);
        b->cols = malloc(bytes);
        b->cols_cap = b->cols ? bytes : 0;
        CBZ_FAIL_IF(!b->cols, err, CBZ_ERR_NOMEM, "out of memory (%zu bytes of split columns)",
                    bytes);
    }
    size_t want = (size_t)k * p->n_cols;
    if (want > b->gstats_cap) {
        free(b->gstats);
        b->gstats = malloc(want * sizeof *b->gstats);
        b->gstats_cap = b->gstats ? want : 0;
        CBZ_FAIL_IF(!b->gstats, err, CBZ_ERR_NOMEM, "out of memory");
    }
    for (size_t c = 0; c < p->n_cols; c++) {
        memset(&b->outs[c], 0, sizeof b->outs[c]);
        b->outs[c].values = b->cols + b->n_rec * p->cols[c].offset;
    }
    for (int q = 0; q < k; q++) {
        slot *sl = &b->slots[q];
        for (size_t c = 0; c < p->n_cols; c++)
            sl->pre[c] = b->outs[c].values + b->chunk_first[q] * p->cols[c].width;
    }
    return CBZ_OK;
}

/* The split of b's fixed chunks; on any thread.  Sets b->split_status. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *split_run(void *arg)
{
    split_task *t = arg;
    double t0 = now_s();
    const splitter *sp = t->sp;
    batch *b = t->b;
    const cbz_plan *p = sp->plan;
    b->split_err.code = CBZ_OK;
    b->split_err.msg[0] = '\0';
    if (sp->inject_fail == t->call) {
        b->split_status = cbz_fail(&b->split_err, CBZ_ERR_DEVICE,
                                   "GPU: split of batch %ld failed (injected by CBZ_GPU_INJECT_FAIL)",
                                   t->call);
        b->split_s = now_s() - t0;
        return NULL;
    }
    const uint8_t *records = b->slots[0].data;
    if (sp->mode == SPLIT_GPU) {
        b->split_status = cbz_gpu_columns(records, b->n_rec, p->width, b->chunk_first,
                                          (size_t)b->n_fixed, sp->gcols, p->n_cols, b->outs,
                                          b->gstats, &b->split_err);
    } else {
        const cbz_kernel_table *kt = cbz_kernels();
        for (size_t c = 0; c < p->n_cols; c++)
            kt->gather(records, b->n_rec, p->width, p->cols[c].offset, p->cols[c].width,
                       b->outs[c].values);
        b->split_status = CBZ_OK;
    }
    b->split_s = now_s() - t0;
    return NULL;
}

/* After b's split ran: marks its chunks pre-split, or falls back. */
static void split_settle(splitter *sp, batch *b)
{
    if (b->n_fixed == 0) return;
    if (b->split_status == CBZ_OK) {
        for (int k = 0; k < b->n_fixed; k++) b->slots[k].presplit = true;
        return;
    }
    b->n_fixed = 0;
    if (sp->mode == SPLIT_CPU) return;   /* fell back already (a batch before this one) */
    if (sp->route->use_gpu) {
        cbz_device_fall_back(sp->route, &b->split_err, stderr);
    } else {
        fprintf(stderr, "cobzip: warning: %s; continuing on the CPU\n", b->split_err.msg);
        sp->route->fell_back = true;
    }
    sp->fell_back = true;
    sp->mode = SPLIT_CPU;
}

/* Wall-clock seconds of the compress driver's stages, printed to stderr
 * when CBZ_ENGINE_TIMES=1 (bench/bench-gpu.sh shows the breakdown). */
typedef struct stage_times {
    double split;                  /* split calls (device or host twin), any thread */
    double split_wait;             /* main thread waiting for a split after its encode */
    double encode;                 /* the OpenMP encode of batches */
    double write;                  /* the index entries and totals of a batch (its frames are
                                      written by the next batch's helper, beside the encode) */
    double total;
    long batches;
    long ahead;                    /* chunks prepared ahead on the helper (split_ahead_start) */
    uint64_t ahead_rec, ahead_rec_helper;   /* their records, those the helper moved */
} stage_times;

static void split_now(splitter *sp, batch *b, stage_times *tm)
{
    if (b->n_fixed == 0) return;
    split_task t = { sp, b, sp->calls++ };
    double t0 = now_s();
    split_run(&t);
    tm->split += b->split_s;
    tm->split_wait += now_s() - t0;
    split_settle(sp, b);
}

static int clamp_threads(int t) { return t < 1 ? 1 : t > 256 ? 256 : t; }

static bool framer_same(const cbz_framer *a, const cbz_framer *b)
{
    return a->offset == b->offset && a->records == b->records &&
           a->block_left == b->block_left && a->raw == b->raw;
}

/* Plans up to cap chunks into b (b->n of them; 0 at the end of the input)
 * and points each slot at its bytes.  The first chunk is the one the helper
 * planned (b->planned) when the planner would see what the helper saw: the
 * same state, bytes (the read-ahead's are the window's now), count and end
 * of input, so cbz_framer_next would decide the same. */
static cbz_status plan_batch(batch *b, int cap, cbz_framer *fr, input *in, size_t read_step,
                             bool *finished, const test_faults *tf, uint64_t *next_chunk,
                             cbz_error *err)
{
    b->n = 0;
    b->end = fr->offset;
    while (b->n < cap && !*finished) {
        const uint8_t *d;
        size_t avail;
        input_view(in, fr->offset, &d, &avail);
        slot *sl = &b->slots[b->n];
        if (b->n == 0 && b->planned && framer_same(fr, &b->plan_from) && avail == b->plan_avail &&
            in->eof == b->plan_eof) {
            sl->ci = b->plan_ci;
            *fr = b->plan_after;
        } else if (!cbz_framer_next(fr, d, avail, in->eof, &sl->ci)) {
            /* what the planner can need from here, not more: bytes read
             * past the batch are moved to the window's front after it */
            size_t want = avail < read_step ? read_step - avail : 0;
            CBZ_TRY(input_more(in, want > 65536 ? want : 65536, err));
            continue;
        }
        if (sl->ci.in_len == 0) { *finished = true; break; }
        sl->chunk = (*next_chunk)++;
        if (tf->read >= 0 && sl->chunk == (uint64_t)tf->read)
            return fail_read_injected(in->name, sl->chunk, &sl->ci, err);
        b->n++;
    }
    b->planned = false;
    /* Only now: reading more input may have moved the window. */
    for (int k = 0; k < b->n; k++)
        input_view(in, b->slots[k].ci.in_offset, &b->slots[k].data, &b->slots[k].avail);
    b->end = fr->offset;
    return CBZ_OK;
}

/* REDEFINES: the plan with the first view of every redefined area and the
 * one with the last view are both tried on a sample (the first records, up to
 * CBZ_VIEW_SAMPLE bytes); the smaller frame wins, the first view on a tie.
 * The sample depends on the input only, so the choice is deterministic.  (A
 * VB file's two trials of 1 MiB took 11-14 ms of its ~100 ms compress here,
 * most of it the first touch of the encode's fresh buffers; 256 KiB, some
 * 3,400 VB records, make the same choice on the generated VB file and take
 * 2-4 ms less.  The second trial on a thread of its own beside the first
 * was no faster.) */
#define CBZ_VIEW_SAMPLE ((uint64_t)256 << 10)

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

/* ------------------------------------------------------------------------
 * The chunk pipeline: compress with 2 or more threads and the CPU split.
 *
 * The batch loop above waits at the end of every batch for its slowest
 * chunk, its helper and then the main thread's planning of the next batch,
 * and its last batch may hold one chunk for many threads.  Here nothing
 * waits on a batch: `threads` encoders (cbz_parallel_for, one item each)
 * take chunks one at a time as they are planned; one serial thread (the
 * run's helper, pipe_serial) reads and plans chunk after chunk into a ring
 * of PIPE_RING(threads) slots and writes each frame in chunk order as soon
 * as it is encoded; a slot is planned again once its frame is written.  The
 * SHA-256 of the whole input, the one stream of the run that cannot be
 * split, has a thread of its own (pipe_digest), which takes each chunk's
 * bytes right after they are planned, beside the encoders (they only read
 * them); the frame of a chunk is written once its bytes are digested.  The
 * encoder of a chunk takes its content XXH64.  (The serial thread digested
 * too until the seventh speed pass: on the 16-core device host that one
 * thread, reading, digesting and writing, was the ceiling at 2 threads and
 * more: 842 MB/s at 2, 737 at 4, 200 MiB transactions; SHA-256 alone goes
 * at about 1.3 GB/s there.)  Each slot has its own input buffer: the bytes read past
 * a chunk's end (the planner's look-ahead) are carried to the front of the
 * next slot's.  Every chunk's frame depends on its own bytes only, so the
 * member is the same as the batch loop's and the same for every thread
 * count.  Memory: the ring's input and frame buffers, 2 x threads slots of
 * about a chunk each.
 * ---------------------------------------------------------------------- */
#define PIPE_RING(t) (2 * (t))
/* The pipeline serves every thread count from 2 up.  Measured: at 2 threads
 * on a 2-core machine it is 8-19% faster than the batch loop (transactions,
 * customers, ledger, 50 MiB).  On the 16-core device host (200 MiB,
 * transactions / customers, MB/s), with the digest on its own thread:
 * 2 threads 629 / 552 (1.83 / 1.68 x 1 thread), 3 940 / 785, 4 1104 / 926
 * (the SHA-256 stream alone: 1200), 8 949 / 1107 and 16 911 / 1098 where the
 * batch loop made 636 / 635 and 547 / 571 (its batches wait for their
 * slowest chunk).  Before the digest thread the serial thread capped it
 * (4 threads 737, and 3-23% slower than the batch loop at 16 on 2 GiB). */

enum { PS_FREE, PS_PLANNED, PS_ENCODING, PS_ENCODED };

typedef struct pipe_slot {
    slot s;                        /* ci, data/avail (into in), frame, stats, status */
    cbz_buf in;                    /* the chunk's bytes and the look-ahead after them */
    int state;                     /* PS_* */
    uint64_t chunk;                /* chunk number while not free */
} pipe_slot;

typedef struct pipe_run {
    const cbz_plan *plan;
    int level;
    cbz_chunk_work *work;
    input *in;
    cbz_framer *fr;
    size_t read_step;
    member_out *mo;
    cbz_sha256_ctx *sha;
    cbz_buf *index;
    cbz_col_stats *totals;
    size_t ns;
    cbz_progress *progress;
    cbz_compress_result *res;
    test_faults faults;
    pipe_slot *ring;
    int n_ring;
    pthread_mutex_t mu;
    pthread_cond_t cv;             /* any state change below */
    cbz_buf carry;                 /* input bytes after the last planned chunk */
    uint64_t planned;              /* chunks planned so far */
    uint64_t digested;             /* chunks in the SHA-256 so far (in order) */
    bool digest_thread;            /* pipe_digest digests, else the serial thread */
    uint64_t taken;                /* chunks an encoder has taken */
    bool plan_done;                /* no chunk will be planned any more */
    bool stop;                     /* an error: encoders leave */
    cbz_status status;             /* the serial thread's outcome */
    cbz_error err;
} pipe_run;

/* Plans the next chunk into ps (free): the bytes carried from the chunk
 * before first, then read until the planner decides; the bytes past the
 * chunk are carried on.  *end: the input has no chunk left. */
static cbz_status pipe_plan(pipe_run *r, pipe_slot *ps, uint64_t k, bool *end, cbz_error *err)
{
    input *in = r->in;
    uint64_t at = r->fr->offset;   /* input offset of ps->in.data[0] */
    *end = false;
    cbz_buf_clear(&ps->in);
    if (r->carry.len) {
        CBZ_FAIL_IF(cbz_buf_reserve_huge(&ps->in, r->read_step > r->carry.len ? r->read_step
                                                                               : r->carry.len)
                        != CBZ_OK, err, CBZ_ERR_NOMEM, "out of memory (input window)");
        memcpy(ps->in.data, r->carry.data, r->carry.len);
        ps->in.len = r->carry.len;
    }
    for (;;) {
        if (cbz_framer_next(r->fr, ps->in.data, ps->in.len, in->eof, &ps->s.ci)) break;
        size_t want = ps->in.len < r->read_step ? r->read_step - ps->in.len : 0;
        if (want < 65536) want = 65536;
        CBZ_FAIL_IF(cbz_buf_reserve_huge(&ps->in, want) != CBZ_OK, err, CBZ_ERR_NOMEM,
                    "out of memory (input window)");
        size_t got;
        bool eof;
        CBZ_TRY(input_read(in, ps->in.data + ps->in.len, want, &got, &eof, at + ps->in.len, err));
        ps->in.len += got;
        in->eof = eof;
    }
    if (ps->s.ci.in_len == 0) {
        *end = true;
        return CBZ_OK;
    }
    ps->s.chunk = k;
    if (r->faults.read >= 0 && k == (uint64_t)r->faults.read)
        return fail_read_injected(in->name, k, &ps->s.ci, err);
    size_t used = (size_t)ps->s.ci.in_len, rest = ps->in.len - used;
    cbz_buf_clear(&r->carry);
    if (rest) {
        CBZ_FAIL_IF(cbz_buf_reserve(&r->carry, rest) != CBZ_OK, err, CBZ_ERR_NOMEM,
                    "out of memory (input window)");
        memcpy(r->carry.data, ps->in.data + used, rest);
        r->carry.len = rest;
    }
    ps->s.data = ps->in.data;
    ps->s.avail = ps->in.len;
    ps->s.presplit = false;
    return CBZ_OK;
}

/* Chunk k's frame to the member, its index entry and totals. */
static cbz_status pipe_write(pipe_run *r, pipe_slot *ps, cbz_error *err)
{
    slot *sl = &ps->s;
    uint64_t frame_off = r->mo->pos;
    CBZ_TRY(member_write(r->mo, sl->frame.data, sl->frame.len, err));
    cbz_outfile_writeback(r->mo->of);
    uint64_t e[8] = { frame_off, sl->frame.len, sl->ci.first_record, sl->ci.n_records,
                      sl->ci.in_offset, sl->ci.in_len, sl->frame_xxh64, sl->content_xxh64 };
    for (int i = 0; i < 8; i++)
        CBZ_FAIL_IF(cbz_buf_put_le64(r->index, e[i]) != CBZ_OK, err, CBZ_ERR_NOMEM,
                    "out of memory (chunk index)");
    for (size_t j = 0; j < r->ns; j++) cbz_stats_add(&r->totals[j], &sl->stats[j]);
    r->res->chunks++;
    r->res->records += sl->ci.n_records;
    r->res->source_size += sl->ci.in_len;
    cbz_progress_add(r->progress, sl->ci.in_len);
    return CBZ_OK;
}

/* The serial thread: plans (reads and digests) chunks into free slots and
 * writes encoded ones in order, until every planned chunk is written or an
 * error. */
static void pipe_serial(void *arg)
{
    pipe_run *r = arg;
    cbz_error perr = { CBZ_OK, "" };
    cbz_status ps_status = CBZ_OK;   /* planning's outcome: reported after the chunks before */
    uint64_t written = 0;
    cbz_status s = CBZ_OK;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        /* Plan while the slot for the next chunk is free. */
        if (!r->plan_done && r->ring[r->planned % (uint64_t)r->n_ring].state == PS_FREE) {
            uint64_t k = r->planned;
            pipe_slot *ps = &r->ring[k % (uint64_t)r->n_ring];
            pthread_mutex_unlock(&r->mu);
            bool end = false;
            ps_status = pipe_plan(r, ps, k, &end, &perr);
            pthread_mutex_lock(&r->mu);
            if (ps_status != CBZ_OK || end) {
                r->plan_done = true;
                pthread_cond_broadcast(&r->cv);
                continue;
            }
            ps->chunk = k;
            ps->state = PS_PLANNED;
            r->planned++;
            pthread_cond_broadcast(&r->cv);
            if (!r->digest_thread) {
                /* digest its input now, while it is in the cache; encoders
                 * only read it */
                pthread_mutex_unlock(&r->mu);
                cbz_sha256_update(r->sha, ps->s.data, (size_t)ps->s.ci.in_len);
                pthread_mutex_lock(&r->mu);
                r->digested++;
            }
            continue;
        }
        if (written == r->planned) {
            if (r->plan_done) break;
            pthread_cond_wait(&r->cv, &r->mu);   /* (every slot is free then: not reached) */
            continue;
        }
        pipe_slot *ws = &r->ring[written % (uint64_t)r->n_ring];
        if (ws->state != PS_ENCODED || r->digested <= written) {
            pthread_cond_wait(&r->cv, &r->mu);
            continue;
        }
        pthread_mutex_unlock(&r->mu);
        if (ws->s.status != CBZ_OK) {
            s = fail_chunk(r->in->name, &ws->s, &r->err);
        } else {
            s = pipe_write(r, ws, &r->err);
        }
        pthread_mutex_lock(&r->mu);
        if (s != CBZ_OK) break;
        cbz_buf_clear(&ws->s.frame);
        ws->state = PS_FREE;
        written++;
    }
    if (s == CBZ_OK && ps_status != CBZ_OK) {
        s = ps_status;
        r->err = perr;
    }
    r->status = s;
    r->stop = true;
    r->plan_done = true;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

/* The digest thread: the planned chunks' bytes into the SHA-256 in chunk
 * order, until every planned chunk is digested and planning is done, or an
 * error stops the run.  A slot is not planned again before its frame is
 * written, which waits for its digest: the bytes stay put meanwhile. */
static void pipe_digest(void *arg)
{
    pipe_run *r = arg;
    pthread_mutex_lock(&r->mu);
    while (!r->stop) {
        if (r->digested == r->planned) {
            if (r->plan_done) break;
            pthread_cond_wait(&r->cv, &r->mu);
            continue;
        }
        const pipe_slot *ps = &r->ring[r->digested % (uint64_t)r->n_ring];
        pthread_mutex_unlock(&r->mu);
        cbz_sha256_update(r->sha, ps->s.data, (size_t)ps->s.ci.in_len);
        pthread_mutex_lock(&r->mu);
        r->digested++;
        pthread_cond_broadcast(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
}

/* One encoder (cbz_parallel_for item = thread): planned chunks in order of
 * planning until the serial thread is done with planning and none is left. */
static void pipe_encoder(void *arg, size_t item, int thread)
{
    (void)item;
    pipe_run *r = arg;
    encode_ctx ec = { r->plan, NULL, r->work, r->level, r->faults.encode };
    pthread_mutex_lock(&r->mu);
    for (;;) {
        if (r->stop) break;
        if (r->taken == r->planned) {
            if (r->plan_done) break;
            pthread_cond_wait(&r->cv, &r->mu);
            continue;
        }
        pipe_slot *ps = &r->ring[r->taken % (uint64_t)r->n_ring];
        r->taken++;
        ps->state = PS_ENCODING;
        pthread_mutex_unlock(&r->mu);
        ec.slots = &ps->s;
        ps->s.content_xxh64 = cbz_xxh64(ps->s.data, (size_t)ps->s.ci.in_len, 0);
        encode_slot(&ec, 0, thread);
        pthread_mutex_lock(&r->mu);
        ps->state = PS_ENCODED;
        pthread_cond_broadcast(&r->cv);
    }
    pthread_mutex_unlock(&r->mu);
}

/* Every chunk of the input (from the framer's offset on, the bytes already
 * in the window first) through the pipeline, on `threads` encoders and the
 * helper hp.  Fills index, totals and res's counts; the member's frames
 * are written when it returns CBZ_OK. */
static cbz_status pipe_compress(const cbz_plan *plan, int level, int threads, cbz_chunk_work *work,
                                input *in, cbz_framer *fr, size_t read_step, member_out *mo,
                                cbz_sha256_ctx *sha, cbz_buf *index, cbz_col_stats *totals,
                                cbz_col_stats *slot_stats, cbz_progress *progress,
                                cbz_compress_result *res, const test_faults *tf, cbz_helper *hp,
                                uint64_t chunk_size, cbz_error *err)
{
    size_t ns = cbz_plan_streams(plan);
    pipe_run r;
    memset(&r, 0, sizeof r);
    r.faults = *tf;
    r.plan = plan;
    r.level = level;
    r.work = work;
    r.in = in;
    r.fr = fr;
    r.read_step = read_step;
    r.mo = mo;
    r.sha = sha;
    r.index = index;
    r.totals = totals;
    r.ns = ns;
    r.progress = progress;
    r.res = res;
    r.n_ring = PIPE_RING(threads);
    r.ring = calloc((size_t)r.n_ring, sizeof *r.ring);
    CBZ_FAIL_IF(!r.ring, err, CBZ_ERR_NOMEM, "out of memory");
    for (int i = 0; i < r.n_ring; i++) {
        cbz_buf_init(&r.ring[i].in);
        cbz_buf_init(&r.ring[i].s.frame);
        r.ring[i].s.stats = slot_stats + ns * (size_t)i;
        r.ring[i].state = PS_FREE;
    }
    cbz_status s = CBZ_OK;
    for (int i = 0; i < r.n_ring && s == CBZ_OK; i++)
        s = frame_reserve(&r.ring[i].s.frame, chunk_size, in, err);
    /* the bytes read before (the view choice's sample, from stdin) come first */
    r.carry = in->win;
    cbz_buf_init(&in->win);
    bool sync = false;
    if (s == CBZ_OK) {
        sync = pthread_mutex_init(&r.mu, NULL) == 0;
        if (sync && pthread_cond_init(&r.cv, NULL) != 0) {
            pthread_mutex_destroy(&r.mu);
            sync = false;
        }
        if (!sync) s = cbz_fail(err, CBZ_ERR_NOMEM, "cannot make the pipeline's lock");
    }
    /* NULL (no thread to be had): the serial thread digests as well */
    cbz_helper *dh = s == CBZ_OK ? cbz_helper_new() : NULL;
    r.digest_thread = dh != NULL;
    if (s == CBZ_OK) {
        cbz_helper_start(hp, pipe_serial, &r);
        if (dh) cbz_helper_start(dh, pipe_digest, &r);
        cbz_parallel_for((size_t)threads, threads, pipe_encoder, &r);
        cbz_helper_wait(hp);
        cbz_helper_free(dh);   /* waits for pipe_digest: every chunk digested, or stop */
        s = r.status;
        if (s != CBZ_OK && err) *err = r.err;
    }
    if (sync) {
        pthread_cond_destroy(&r.cv);
        pthread_mutex_destroy(&r.mu);
    }
    for (int i = 0; i < r.n_ring; i++) {
        cbz_buf_free(&r.ring[i].in);
        cbz_buf_free(&r.ring[i].s.frame);
    }
    free(r.ring);
    cbz_buf_free(&r.carry);
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
    cbz_device dev = CBZ_DEVICE_AUTO;
    cbz_device_policy policy;
    cbz_device_route route;
    memset(&route, 0, sizeof route);
    if (p->device) s = cbz_device_parse(p->device, &dev, err);
    if (s == CBZ_OK) s = cbz_device_policy_init(&policy, dev, NULL, err);
    if (s == CBZ_OK) s = cbz_device_decide(&policy, in.sized ? (uint64_t)in.map_size : 0, &route, err);
    if (s == CBZ_OK && p->layout && p->meta.mode == CBZ_MODE_RECORDS)
        s = choose_view(p, &in, &plan, err);
    if (s != CBZ_OK) { input_close(&in); cbz_plan_free(&plan); return s; }
    size_t ns = cbz_plan_streams(&plan);
    cbz_outfile *of = NULL;
    cbz_sha256_ctx *sha = NULL, *msha = NULL;   /* of the input, of the member */
    cbz_buf hdr, tail;
    cbz_buf_init(&hdr);
    cbz_buf_init(&tail);
    cbz_helper *hp = NULL;   /* the batches' helper thread (helper_run) */
    cbz_chunk_work *work = calloc((size_t)threads, sizeof *work);
    cbz_col_stats *totals = calloc(ns, sizeof *totals);
    cbz_col_stats *slot_stats = calloc(ns * 2 * (size_t)threads, sizeof *slot_stats);
    cbz_gpu_column *gcols = calloc(plan.n_cols ? plan.n_cols : 1, sizeof *gcols);
    batch bt[2];
    memset(bt, 0, sizeof bt);
    if (!work || !totals || !slot_stats || !gcols) {
        s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int t = 0; t < threads; t++) cbz_chunk_work_init(&work[t]);
    for (int i = 0; i < 2 && s == CBZ_OK; i++)
        s = batch_init(&bt[i], threads, &plan, slot_stats + ns * (size_t)threads * (size_t)i, err);
    if (s != CBZ_OK) goto done;
    if ((s = cbz_sha256_new(&sha, err)) != CBZ_OK) goto done;
    if ((s = cbz_sha256_new(&msha, err)) != CBZ_OK) goto done;
    if ((s = cbz_outfile_open(member_path, force, &of, err)) != CBZ_OK) goto done;
    member_out mo = { of, cbz_outfile_stream(of), member_path, msha, 0 };

    /* Header. */
    cbz_member_meta meta = p->meta;
    meta.width = plan.width;
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
    if ((s = member_write(&mo, hdr.data, hdr.len, err)) != CBZ_OK) goto done;
    /* member offset of the next frame: frames are written a batch late (by
     * the helper of the batch after theirs), their offsets known at once */
    uint64_t pos = mo.pos;

    /* Chunks, a batch of `threads` at a time (see "Batches and the device
     * split" above). */
    cbz_framer fr;
    cbz_framer_init(&fr, &plan, meta.chunk_size);
    size_t read_step = (size_t)meta.chunk_size + cbz_framer_margin(&fr);
    cbz_buf index;
    cbz_buf_init(&index);
    splitter sp = { &plan, gcols, SPLIT_CPU, 0, -1, false, &route };
    for (size_t c = 0; c < plan.n_cols; c++) {
        gcols[c].offset = plan.cols[c].offset;
        gcols[c].width = plan.cols[c].width;
        gcols[c].kind = CBZ_GPU_COL_RAW;
    }
    const char *env = getenv("CBZ_TEST_PRESPLIT");
    if (route.use_gpu) sp.mode = SPLIT_GPU;
    else if (env && strcmp(env, "1") == 0) sp.mode = SPLIT_HOST;
    if ((env = getenv("CBZ_GPU_INJECT_FAIL")) != NULL && *env) sp.inject_fail = strtol(env, NULL, 10);
    const test_faults faults = test_faults_from_env();
    uint64_t next_chunk = 0;         /* the batch loop's chunks planned so far */
    const bool split_on_gpu = sp.mode == SPLIT_GPU;
    /* The CPU split reads a regular file through the window (see "Input"). */
    if (sp.mode == SPLIT_CPU) input_use_window(&in);
    uint64_t gpu_chunks = 0, released = 0;
    hp = cbz_helper_new();   /* NULL: the main thread does its work */
    const batch *unwritten = NULL;   /* the batch whose frames are not yet written */
    int unwritten_n = 0;             /* and how many */
    bool finished = false;
    int cur = 0;
    stage_times tm;
    memset(&tm, 0, sizeof tm);
    double t_start = now_s();
    /* One chunk a batch on the CPU split with a helper (--threads 1): the
     * helper prepares the next chunk ahead (split_ahead_start). */
    const bool split_ahead = threads == 1 && hp && sp.mode == SPLIT_CPU && in.windowed;
    /* 2 threads or more and the CPU split: the chunk pipeline, no batches
     * (bt[0] stays empty) */
    if (hp && threads >= 2 && sp.mode == SPLIT_CPU &&
        in.windowed) {
        s = pipe_compress(&plan, meta.level, threads, work, &in, &fr, read_step, &mo, sha, &index,
                          totals, slot_stats, p->progress, res, &faults, hp, meta.chunk_size,
                          err);
        pos = mo.pos;
        tm.encode = now_s() - t_start;
    } else {
        for (int i = 0; i < 2; i++)
            for (int t = 0; t < threads && s == CBZ_OK; t++)
                s = frame_reserve(&bt[i].slots[t].frame, meta.chunk_size, &in, err);
        if (s == CBZ_OK)
            s = plan_batch(&bt[0], threads, &fr, &in, read_step, &finished, &faults,
                           &next_chunk, err);
        if (s == CBZ_OK) s = batch_prepare_split(&bt[0], &sp, err);
        if (s == CBZ_OK) split_now(&sp, &bt[0], &tm);
        /* the first chunk: its L1 and L2 by the encode, in bt[0]'s prep */
        if (s == CBZ_OK && split_ahead && bt[0].n > 0) bt[0].slots[0].prep = &bt[0].prep;
    }
    while (s == CBZ_OK && bt[cur].n > 0) {
        batch *b = &bt[cur], *nx = &bt[1 - cur];
        nx->n = 0;
        /* Plan and split the next batch beside this one's encode (mapped
         * input only: its bytes do not move). */
        bool ahead = !finished && !in.windowed;
        bool helper = false;
        pthread_t th;
        split_task task = { &sp, nx, 0 };
        if (ahead) {
            s = plan_batch(nx, threads, &fr, &in, read_step, &finished, &faults, &next_chunk,
                           err);
            if (s == CBZ_OK) s = batch_prepare_split(nx, &sp, err);
            if (s != CBZ_OK) break;
            if (nx->n_fixed > 0) {
                task.call = sp.calls++;
                helper = pthread_create(&th, NULL, split_run, &task) == 0;
                if (!helper) split_run(&task);
            }
        }
        encode_ctx ec = { &plan, b->slots, work, meta.level, faults.encode };
        double t0 = now_s();
        /* the next batch's bytes, read beside this encode: about a batch */
        input_ahead_prepare(&in, b->end, finished ? 0 : read_step * (size_t)threads);
        helper_task ht = { sha, b, &in, &mo, unwritten, unwritten_n, CBZ_OK, { CBZ_OK, "" },
                           split_ahead && !finished ? nx : NULL, &plan, fr, false, NULL };
        if (hp) cbz_helper_start(hp, helper_task_run, &ht);
        cbz_parallel_for((size_t)b->n, threads, encode_slot, &ec);
        atomic_store(&ht.encoded, true);
        if (hp) cbz_helper_wait(hp);
        else helper_run(&ht);
        unwritten = NULL;
        if (ht.wstatus != CBZ_OK) {
            if (err) *err = ht.werr;
            s = ht.wstatus;
            if (helper) pthread_join(th, NULL);
            break;
        }
        double t1 = now_s();
        if (helper) pthread_join(th, NULL);
        double t2 = now_s();
        if (ahead && nx->n_fixed > 0) tm.split += nx->split_s;
        if (ahead) split_settle(&sp, nx);
        tm.encode += t1 - t0;
        tm.split_wait += t2 - t1;
        tm.batches++;
        for (int k = 0; k < b->n && s == CBZ_OK; k++) {
            slot *sl = &b->slots[k];
            if (sl->status != CBZ_OK) {
                s = fail_chunk(input_path, sl, err);
                break;
            }
            uint64_t frame_off = pos;
            pos += sl->frame.len;
            uint64_t e[8] = { frame_off, sl->frame.len, sl->ci.first_record, sl->ci.n_records,
                              sl->ci.in_offset, sl->ci.in_len, sl->frame_xxh64, sl->content_xxh64 };
            for (int i = 0; i < 8 && s == CBZ_OK; i++)
                if (cbz_buf_put_le64(&index, e[i]) != CBZ_OK)
                    s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory (chunk index)");
            for (size_t j = 0; j < ns; j++) cbz_stats_add(&totals[j], &sl->stats[j]);
            res->chunks++;
            res->records += sl->ci.n_records;
            res->source_size += sl->ci.in_len;
            if (sl->presplit) {   /* (those the result counts) */
                res->presplit_chunks++;
                if (split_on_gpu) gpu_chunks++;
            }
            cbz_progress_add(p->progress, sl->ci.in_len);
        }
        tm.write += now_s() - t2;
        if (s != CBZ_OK) break;
        unwritten = b;   /* written beside the next batch's encode, or below */
        unwritten_n = b->n;
        /* Bounded memory: input bytes of encoded chunks leave the window
         * (pipe) or the resident set (map). */
        if ((s = input_done(&in, b->end, &released, err)) != CBZ_OK) break;
        if (!ahead && !finished) {
            s = plan_batch(nx, threads, &fr, &in, read_step, &finished, &faults, &next_chunk,
                           err);
            if (s == CBZ_OK) s = batch_prepare_split(nx, &sp, err);
            if (s == CBZ_OK) split_now(&sp, nx, &tm);
            if (s == CBZ_OK && split_ahead && nx->n > 0) {
                nx->slots[0].prep = &nx->prep;
                if (cbz_chunk_prep_holds(&nx->prep, &nx->slots[0].ci)) {
                    tm.ahead++;
                    tm.ahead_rec += nx->slots[0].ci.n_records;
                    tm.ahead_rec_helper += nx->prep_helper;
                }
            }
        }
        cur = 1 - cur;
    }
    tm.total = now_s() - t_start;
    env = getenv("CBZ_ENGINE_TIMES");
    if (s == CBZ_OK && env && strcmp(env, "1") == 0)
        fprintf(stderr, "engine: %s: split on %s: %.3f s (%s), main thread waited %.3f s for it; "
                "encode L3-L8 (SHA-256 and writes beside it) %.3f s; index %.3f s; total %.3f s; %ld batches, %llu of %llu "
                "chunks split outside the encode, %ld split ahead (%.0f%% of their records on the helper)\n", input_path,
                split_on_gpu ? "gpu" : sp.mode == SPLIT_HOST || res->presplit_chunks ? "host twin" : "cpu (in the encode)",
                tm.split, split_on_gpu ? "device call incl. PCIe" : "gather", tm.split_wait, tm.encode, tm.write, tm.total, tm.batches,
                (unsigned long long)res->presplit_chunks, (unsigned long long)res->chunks, tm.ahead,
                tm.ahead_rec ? 100.0 * (double)tm.ahead_rec_helper / (double)tm.ahead_rec : 0.0);
    if (s == CBZ_OK && unwritten) s = member_write_frames(&mo, unwritten, unwritten_n, err);
    if (s == CBZ_OK && mo.pos != pos)
        s = cbz_fail(err, CBZ_ERR_IO, "%s: internal: %llu bytes written, %llu planned", member_path,
                     (unsigned long long)mo.pos, (unsigned long long)pos);
    if (s == CBZ_OK) {
        /* Index, stats, trailer. */
        uint64_t idx_off = pos;
        s = member_write(&mo, index.data, index.len, err);
        pos = mo.pos;
        cbz_buf stats;
        cbz_buf_init(&stats);
        if (s == CBZ_OK && encode_stats(totals, ns, &stats) != CBZ_OK)
            s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
        uint64_t st_off = pos;
        if (s == CBZ_OK) s = member_write(&mo, stats.data, stats.len, err);
        pos = mo.pos;
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
        if (s == CBZ_OK) s = member_write(&mo, tail.data, tail.len, err);
        cbz_buf_free(&stats);
        res->member_size = mo.pos;
    }
    cbz_buf_free(&index);
    if (s == CBZ_OK) {
        s = p->staged ? cbz_outfile_commit_staged(of, err) : cbz_outfile_commit(of, err);
        of = NULL;
    }
    if (s == CBZ_OK) {
        cbz_sha256_final_hex(msha, res->member_sha256);
        msha = NULL;
    }
    if (s == CBZ_OK) {
        res->used_gpu = gpu_chunks > 0;
        res->gpu_fell_back = route.fell_back;
        snprintf(res->device_why, sizeof res->device_why, "%s", route.why);
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
    cbz_helper_free(hp);
    cbz_outfile_abort(of);
    cbz_sha256_free(sha);
    cbz_sha256_free(msha);
    if (work)
        for (int t = 0; t < threads; t++) cbz_chunk_work_free(&work[t]);
    batch_free(&bt[0], threads);
    batch_free(&bt[1], threads);
    free(work);
    free(gcols);
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
 * Restore: all chunks in order, through a chunk pipeline.
 *
 * The decoders (cbz_parallel_for, one long-lived item each, at most one per
 * chunk) take chunk numbers in order from a shared counter.  Each reads its
 * chunk's frame with pread(2) into a buffer of its own (not through the
 * member's map: on virtual machines that shadow page tables the first touch
 * of a mapped page traps to the hypervisor, a few milliseconds per MiB,
 * where a copy into memory already mapped costs microseconds), decodes it
 * into the chunk's slot of a ring of output buffers (restore_ring) and
 * marks the slot ready.  Nothing waits for a batch: the slowest chunk
 * holds up no other decoder.
 *
 * The serial end (SHA-256 of the whole, the write, progress) takes the ready
 * slots in chunk order; a slot is decoded into again only after its chunk is
 * written, so the digest and the file see the chunks in order and memory is
 * the ring plus each decoder's frame and column values, whatever the member
 * size.  Who sinks depends on the cores left over:
 *  - fewer decoders than cores: the run's helper thread (cbz_helper_*), and
 *    only it.  (It used to map the pages of every big buffer first, beside
 *    the first chunk's decode: on this virtual machine the two contended
 *    (huge-page zeroing and compaction against the decoder's own faults and
 *    maps), the prefault took 1 to 22 ms and chunk 0's decode 5 to 26; with
 *    each page faulted where it is first used, chunk 0 takes 4.6-5.3 ms and
 *    a 50 MiB restore is 0-2 ms faster by the minimum, more by the median.)
 *  - as many decoders as cores, or more (or no helper thread): no thread is
 *    added to compete for the cores.  Whichever decoder finds the sink free
 *    and the next chunk in order ready sinks it and every ready chunk after
 *    it, then goes back to decoding.  With many decoders the serial end is
 *    the slowest stage and one decoder ends up sinking most of the time, as
 *    a helper would, the others decoding until the ring is full.
 * Measured (50 MiB members, -o /dev/null): on the 2-core VM the batch loop
 * this replaces ran 2 decoders beside its helper, with a barrier per batch,
 * and 2 threads were 10-40% slower than 1; now 2 are as fast as 1 or
 * faster (ledger, the heaviest decode: 15-25%).  With 1 thread the helper
 * already takes the SHA-256 off the decoder, so on 2 cores 2 threads can
 * only win max(decode, SHA-256) against (decode + SHA-256) / 2.  On a
 * 16-core host (1 GiB) every count from 2 up is bound by the one SHA-256:
 * 0.88-0.96 s against the batch loop's 1.02-1.22 s.
 *
 * Each chunk's content XXH64 is checked before any of its bytes is written:
 * by the decoder that made them, while they are in its cache and beside the
 * other decoders, except beside a single decoder and a helper sink, where
 * the decoder is the slowest stage and the sink has time to spare.
 *
 * Errors: a chunk that fails (frame read, frame checksum, decode, content
 * checksum) carries its error in its slot and no chunk after it is taken;
 * the sink meets the first failing chunk in chunk order (the chunks before
 * it written), takes its error and everyone stops.  CBZ_TEST_FAIL_DECODE=k
 * (tests only; k 0-based like CBZ_TEST_FAIL_ENCODE, reported as chunk k + 1
 * like every restore error) fails the decode of chunk k with CBZ_ERR_DATA;
 * CBZ_TEST_RESTORE_SINK=helper or =decoders chooses the sink whatever the
 * cores, so that both ways are tested on any machine.
 * ---------------------------------------------------------------------- */
/* Output buffers for `decoders` decoders: every decoder's chunk, the one
 * being written and one more, so that a decoder whose chunk is not next in
 * order, or that sinks, takes another.  One decoder beside a helper sink
 * needs no more: it finishes its chunks in order, and the sink (SHA-256,
 * XXH64, write: 2.6-2.9 ms a 4 MiB chunk here) is no slower than it (VB,
 * the fastest decode, 2.7-3.0 ms; the others 3.5-5), while each buffer is
 * 4 MiB of fresh memory, the costliest thing of a restore's start on this
 * kind of virtual machine. */
static uint64_t restore_ring(int decoders, bool helper_sinks)
{
    return (uint64_t)decoders + (helper_sinks && decoders == 1 ? 1 : 2);
}

typedef struct restore_slot {
    cbz_buf out;                   /* the decoded chunk */
    bool ready;                    /* decoded (or failed: status) */
    bool checked;                  /* its content XXH64 checked by its decoder */
    cbz_status status;
    cbz_error err;
} restore_slot;

typedef struct restore_run {
    const cbz_member *m;
    FILE *fp;                      /* NULL: verify, nothing written */
    cbz_progress *progress;
    cbz_sha256_ctx *sha;
    cbz_chunk_work *work;          /* one per decoder */
    cbz_buf *frames;               /* one per decoder: the frame it decodes */
    restore_slot *ring;            /* chunk k in ring[k % n_ring] */
    uint64_t n_ring;
    bool helper_sinks;             /* the helper is the sink (decoders never sink) */
    bool sink_checks;              /* the sink checks content XXH64s, not the decoders */
    long fail_decode;              /* CBZ_TEST_FAIL_DECODE, -1: none */
    uint64_t page, released;       /* the map's bytes given back so far (the sink's) */
    pthread_mutex_t mu;            /* guards everything below and the slots' ready */
    pthread_cond_t ready_cv;       /* the next chunk in order is ready (the helper sink waits) */
    pthread_cond_t room_cv;        /* the sink moved on or stopped (decoders wait for a slot) */
    uint64_t taken;                /* chunks a decoder has taken */
    uint64_t sunk;                 /* chunks digested and written */
    uint64_t limit;                /* no chunk from here on is taken: n_chunks, or one past
                                      the first that failed */
    bool sinking;                  /* a thread is sinking */
    bool stop;                     /* the sink failed: everyone leaves */
    cbz_status status;             /* the sink's error */
    cbz_error err;
} restore_run;

/* Chunk i's frame (*frame): read into f with pread(2), or in the member's
 * map when it has no descriptor. */
static cbz_status frame_read(const cbz_member *m, uint64_t i, cbz_buf *f, const uint8_t **frame,
                             cbz_error *err)
{
    const cbz_index_entry *x = &m->index[i];
    *frame = m->map + x->frame_offset;
    if (m->fd < 0) return CBZ_OK;
    size_t len = (size_t)x->frame_len;   /* inside the member (open checked) */
    cbz_buf_clear(f);
    CBZ_FAIL_IF(cbz_buf_reserve(f, len) != CBZ_OK, err, CBZ_ERR_NOMEM,
                "out of memory (%zu bytes of frame)", len);
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(m->fd, f->data + got, len - got, (off_t)(x->frame_offset + got));
        if (r < 0 && errno == EINTR) continue;
        CBZ_FAIL_IF(r < 0, err, CBZ_ERR_IO, "%s: read failed at byte %llu: %s", m->path,
                    (unsigned long long)(x->frame_offset + got), strerror(errno));
        CBZ_FAIL_IF(r == 0, err, CBZ_ERR_FORMAT, "%s: member shorter than when opened (byte %llu)",
                    m->path, (unsigned long long)(x->frame_offset + got));
        got += (size_t)r;
    }
    f->len = got;
    *frame = f->data;
    return CBZ_OK;
}

/* Chunk k decoded into its slot on decoder `thread`, checked against its
 * content XXH64 unless the sink does that. */
static cbz_status restore_decode(restore_run *r, uint64_t k, int thread, cbz_error *err)
{
    const cbz_member *m = r->m;
    const cbz_index_entry *x = &m->index[k];
    cbz_buf *out = &r->ring[k % r->n_ring].out;
    CBZ_FAIL_IF(r->fail_decode >= 0 && k == (uint64_t)r->fail_decode, err, CBZ_ERR_DATA,
                "%s: chunk %llu: decode failed (injected by CBZ_TEST_FAIL_DECODE)", m->path,
                (unsigned long long)k + 1);
    cbz_buf_clear(out);
    CBZ_FAIL_IF(cbz_buf_reserve_huge(out, (size_t)x->in_len) != CBZ_OK, err, CBZ_ERR_NOMEM,
                "out of memory (%llu bytes)", (unsigned long long)x->in_len);
    const uint8_t *frame;
    CBZ_TRY(frame_read(m, k, &r->frames[thread], &frame, err));
    CBZ_TRY(decode_frame(m, k, frame, &r->work[thread], out->data, err));
    if (!r->sink_checks) CBZ_TRY(check_content(m, k, out->data, err));
    return CBZ_OK;
}

/* Chunk k (ready) into the digest and the output; its error when it failed. */
static cbz_status restore_sink(restore_run *r, uint64_t k, cbz_error *err)
{
    const cbz_member *m = r->m;
    const restore_slot *sl = &r->ring[k % r->n_ring];
    if (sl->status != CBZ_OK) {
        *err = sl->err;
        return sl->status;
    }
    const cbz_index_entry *x = &m->index[k];
    size_t n = (size_t)x->in_len;
    if (r->sink_checks && !sl->checked) CBZ_TRY(check_content(m, k, sl->out.data, err));
    cbz_sha256_update(r->sha, sl->out.data, n);
    CBZ_FAIL_IF(r->fp && fwrite(sl->out.data, 1, n, r->fp) != n, err, CBZ_ERR_IO,
                "write failed: %s", strerror(errno));
    cbz_progress_add(r->progress, n);
    if (m->fd < 0) {
        /* Bounded memory: frames decoded through the map leave the resident
         * set (clean pages; touching them again reads them back). */
        uint64_t to = (x->frame_offset + x->frame_len) / r->page * r->page;
        if (to > r->released) {
            madvise((void *)(m->map + r->released), (size_t)(to - r->released), MADV_DONTNEED);
            r->released = to;
        }
    }
    return CBZ_OK;
}

/* Sinks chunk after chunk while the next in order is ready; called and
 * returns with r->mu held. */
static void restore_sink_ready(restore_run *r)
{
    r->sinking = true;
    while (!r->stop && r->sunk < r->taken && r->ring[r->sunk % r->n_ring].ready) {
        uint64_t k = r->sunk;
        cbz_error e;
        pthread_mutex_unlock(&r->mu);
        cbz_status s = restore_sink(r, k, &e);
        pthread_mutex_lock(&r->mu);
        if (s != CBZ_OK) {
            r->status = s;
            r->err = e;
            r->stop = true;
        } else {
            r->sunk++;
        }
        pthread_cond_broadcast(&r->room_cv);
    }
    r->sinking = false;
}

/* One decoder (cbz_parallel_for item): takes chunks in order while there is
 * room in the ring, and sinks when it may (no helper sink) and can. */
static void restore_worker(void *arg, size_t item, int thread)
{
    (void)item;
    restore_run *r = arg;
    pthread_mutex_lock(&r->mu);
    while (!r->stop) {
        if (!r->helper_sinks && !r->sinking && r->sunk < r->taken &&
            r->ring[r->sunk % r->n_ring].ready) {
            restore_sink_ready(r);
            continue;
        }
        /* the chunks left are taken; whoever readies or sinks them ends */
        if (r->taken >= r->limit) break;
        if (r->taken - r->sunk >= r->n_ring) {
            pthread_cond_wait(&r->room_cv, &r->mu);
            continue;
        }
        uint64_t k = r->taken++;
        restore_slot *sl = &r->ring[k % r->n_ring];
        sl->ready = false;
        pthread_mutex_unlock(&r->mu);
        cbz_status s = restore_decode(r, k, thread, &sl->err);
        pthread_mutex_lock(&r->mu);
        /* A decoder that would now wait for room checks its chunk's XXH64
         * itself, which the sink would do: the two ends of a restore at one
         * decoder run near the same speed, and whichever is behind sets
         * its pace (ledger: the decoder waited 5 ms, the sink 34 ms, 3 of
         * them checking). */
        sl->checked = false;
        if (s == CBZ_OK && r->sink_checks && !r->stop && r->taken - r->sunk >= r->n_ring) {
            pthread_mutex_unlock(&r->mu);
            s = check_content(r->m, k, sl->out.data, &sl->err);
            pthread_mutex_lock(&r->mu);
            sl->checked = true;
        }
        sl->status = s;
        sl->ready = true;
        if (s != CBZ_OK && k + 1 < r->limit) r->limit = k + 1;
        if (r->helper_sinks && k == r->sunk) pthread_cond_signal(&r->ready_cv);
    }
    pthread_mutex_unlock(&r->mu);
}

/* The helper sink (a cbz_helper task): every chunk in order up to the
 * limit, or an error. */
static void restore_helper_sink(void *arg)
{
    restore_run *r = arg;
    pthread_mutex_lock(&r->mu);
    while (!r->stop && r->sunk < r->limit) {
        if (r->sunk < r->taken && r->ring[r->sunk % r->n_ring].ready) restore_sink_ready(r);
        else pthread_cond_wait(&r->ready_cv, &r->mu);
    }
    pthread_mutex_unlock(&r->mu);
}

cbz_status cbz_member_restore(const cbz_member *m, FILE *fp, int threads, cbz_error *err)
{
    return cbz_member_restore_progress(m, fp, threads, NULL, err);
}

cbz_status cbz_member_restore_progress(const cbz_member *m, FILE *fp, int threads,
                                       cbz_progress *progress, cbz_error *err)
{
    threads = clamp_threads(threads);
    /* no more decoders than chunks: each costs its buffers */
    int nd = m->n_chunks < (uint64_t)threads ? (int)(m->n_chunks ? m->n_chunks : 1) : threads;
    size_t nt = (size_t)nd;
    restore_run r;
    memset(&r, 0, sizeof r);
    r.m = m;
    r.fp = fp;
    r.progress = progress;
    /* a helper sink only where it has a core of its own (tests: where told) */
    const char *who = getenv("CBZ_TEST_RESTORE_SINK");
    bool want_helper = who && strcmp(who, "helper") == 0 ? true
                     : who && strcmp(who, "decoders") == 0 ? false
                     : nd < cbz_parallel_threads(0);
    cbz_helper *hp = m->n_chunks && want_helper ? cbz_helper_new() : NULL;
    r.helper_sinks = hp != NULL;
    r.n_ring = restore_ring(nd, r.helper_sinks);
    if (r.n_ring > m->n_chunks) r.n_ring = m->n_chunks ? m->n_chunks : 1;
    r.fail_decode = env_chunk("CBZ_TEST_FAIL_DECODE");
    r.page = (uint64_t)sysconf(_SC_PAGESIZE);
    r.limit = m->n_chunks;
    size_t nr = (size_t)r.n_ring;
    r.work = calloc(nt, sizeof *r.work);
    r.frames = calloc(nt, sizeof *r.frames);
    r.ring = calloc(nr, sizeof *r.ring);
    bool sync = false;
    cbz_status s = CBZ_OK;
    if (!r.work || !r.frames || !r.ring) {
        s = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t t = 0; t < nt; t++) {
        cbz_chunk_work_init(&r.work[t]);
        cbz_buf_init(&r.frames[t]);
    }
    for (size_t i = 0; i < nr; i++) cbz_buf_init(&r.ring[i].out);
    if ((s = cbz_sha256_new(&r.sha, err)) != CBZ_OK) goto done;
    if (m->map && m->size) madvise((void *)m->map, m->size, MADV_SEQUENTIAL);
    /* Every big buffer for the whole run, now, at its largest and no larger:
     * each decoder's frame and column values (cbz_chunk_decode: at most
     * in_len, or in_len + 8 per record with record lengths) and the ring's
     * decoded chunks, so no chunk meets fresh memory after the first ones.
     * A frame buffer is at least a huge block: one fault, not one per 4
     * KiB. */
    uint64_t max_in = 0, max_vals = 0, max_frame = 0;
    bool fixed_fmt = m->plan.fmt.recfm == CBZ_RECFM_F || m->plan.fmt.recfm == CBZ_RECFM_FB;
    for (uint64_t i = 0; i < m->n_chunks; i++) {
        const cbz_index_entry *x = &m->index[i];
        uint64_t v = x->in_len + (fixed_fmt ? 0 : 8 * x->n_records);
        if (x->in_len > max_in) max_in = x->in_len;
        if (v > max_vals) max_vals = v;
        if (x->frame_len > max_frame) max_frame = x->frame_len;
    }
    if (max_frame && max_frame < CBZ_BIG_HUGE) max_frame = CBZ_BIG_HUGE;
    /* (a reserve that fails here is retried, and reported, where the
     * buffer is needed) */
    for (size_t t = 0; t < nt && m->n_chunks; t++) {
        if (m->fd >= 0 && max_frame) (void)cbz_buf_reserve_huge(&r.frames[t], (size_t)max_frame);
        if (max_vals) (void)cbz_buf_reserve_huge(&r.work[t].vals, (size_t)max_vals);
    }
    for (size_t i = 0; i < nr && max_in && m->n_chunks; i++)
        if (cbz_buf_reserve_huge(&r.ring[i].out, (size_t)max_in) != CBZ_OK) break;
    sync = pthread_mutex_init(&r.mu, NULL) == 0;
    if (sync && pthread_cond_init(&r.ready_cv, NULL) != 0) {
        pthread_mutex_destroy(&r.mu);
        sync = false;
    }
    if (sync && pthread_cond_init(&r.room_cv, NULL) != 0) {
        pthread_cond_destroy(&r.ready_cv);
        pthread_mutex_destroy(&r.mu);
        sync = false;
    }
    if (!sync) {
        s = cbz_fail(err, CBZ_ERR_NOMEM, "cannot make the restore's lock");
        goto done;
    }
    r.sink_checks = r.helper_sinks && nd == 1;
    if (hp) cbz_helper_start(hp, restore_helper_sink, &r);
    cbz_parallel_for(nt, nd, restore_worker, &r);
    if (hp) cbz_helper_wait(hp);
    if (r.status != CBZ_OK) {
        if (err) *err = r.err;
        s = r.status;
        goto done;
    }
    /* (the sink stops only at an error or after the last chunk) */
    assert(r.sunk == m->n_chunks);
    char hex[65];
    cbz_sha256_final_hex(r.sha, hex);
    r.sha = NULL;
    if (strcmp(hex, m->source_sha256) != 0)
        s = cbz_fail(err, CBZ_ERR_CHECKSUM, "%s: SHA-256 of the restored bytes %s differs from "
                     "the recorded %s", m->path, hex, m->source_sha256);
done:
    cbz_helper_free(hp);
    if (sync) {
        pthread_cond_destroy(&r.room_cv);
        pthread_cond_destroy(&r.ready_cv);
        pthread_mutex_destroy(&r.mu);
    }
    cbz_sha256_free(r.sha);
    for (size_t t = 0; r.work && t < nt; t++) cbz_chunk_work_free(&r.work[t]);
    for (size_t t = 0; r.frames && t < nt; t++) cbz_buf_free(&r.frames[t]);
    for (size_t i = 0; r.ring && i < nr; i++) cbz_buf_free(&r.ring[i].out);
    free(r.work);
    free(r.frames);
    free(r.ring);
    return s;
}
