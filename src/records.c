/*
 * records.c — record framing (RECFM F/FB/V/VB): the buffer framer shared by
 * convert's reader and the engine's L1, the streaming reader, and the writer.
 *
 * Header layouts (each 4 bytes; "be" is the IBM form, "le" the byte-reversed
 * form that Cobrix and PC tools write):
 *
 *   RDW, be:  LL LL 00 00   LL = record length, big-endian
 *   RDW, le:  00 00 ll ll   ll = record length, little-endian
 *   BDW, be:  LL LL 00 00   LL = block length (bit 0x8000 clear)
 *   BDW, be extended: 1x xx xx xx   31-bit block length (first bit set)
 *   BDW, le:  the same four bytes in reverse order
 *
 * By default a length counts its own 4 header bytes (IBM); with
 * rdw_payload_only it counts only what follows (both RDW and BDW).  The two
 * reserved bytes of an RDW must be zero: non-zero there means spanned segments
 * or not an RDW at all, and is reported rather than guessed at.
 */
#include "records.h"
#include "internal.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------------
 * The framer.
 * ---------------------------------------------------------------------- */
typedef enum frame_result { FRAME_OK, FRAME_SHORT, FRAME_BAD } frame_result;

/* Where a message should say an error happened. */
typedef struct frame_where {
    const char *file;   /* NULL: offsets are relative to the buffer */
    uint64_t base;      /* file offset of buf[0] */
    uint64_t recno;     /* 1-based number of the record being framed; 0: unknown */
} frame_where;

static void where_prefix(const frame_where *w, uint64_t off, char *out, size_t cap)
{
    if (w->file && w->recno)
        snprintf(out, cap, "%s: record %llu at byte offset %llu", w->file,
                 (unsigned long long)w->recno, (unsigned long long)(w->base + off));
    else if (w->file)
        snprintf(out, cap, "%s: byte offset %llu", w->file, (unsigned long long)(w->base + off));
    else
        snprintf(out, cap, "byte offset %llu", (unsigned long long)(w->base + off));
}

/* Reads a 4-byte header: *length and whether the reserved half is zero.  For a
 * BDW, the extended 31-bit form is recognised. */
static uint32_t header_length(const uint8_t *h, bool little_endian, bool is_bdw, bool *reserved_zero,
                              bool *extended)
{
    uint8_t b[4];
    if (little_endian) { b[0] = h[3]; b[1] = h[2]; b[2] = h[1]; b[3] = h[0]; }
    else memcpy(b, h, 4);
    *extended = false;
    if (is_bdw && (b[0] & 0x80)) {
        *extended = true;
        *reserved_zero = true;
        return ((uint32_t)(b[0] & 0x7F) << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
    }
    *reserved_zero = b[2] == 0 && b[3] == 0;
    return (uint32_t)b[0] << 8 | b[1];
}

static void put_header(uint8_t *h, uint32_t length, bool little_endian, bool extended)
{
    uint8_t b[4];
    if (extended) {
        b[0] = (uint8_t)(0x80 | (length >> 24)); b[1] = (uint8_t)(length >> 16);
        b[2] = (uint8_t)(length >> 8); b[3] = (uint8_t)length;
    } else {
        b[0] = (uint8_t)(length >> 8); b[1] = (uint8_t)length; b[2] = 0; b[3] = 0;
    }
    if (little_endian) { h[0] = b[3]; h[1] = b[2]; h[2] = b[1]; h[3] = b[0]; }
    else memcpy(h, b, 4);
}

static void hex4(const uint8_t *p, char out[12])
{
    snprintf(out, 12, "%02X%02X%02X%02X", p[0], p[1], p[2], p[3]);
}

/* Frames one record.  FRAME_SHORT sets *need to the number of bytes that would
 * be needed from buf[0] (the caller may read more, or report a short tail). */
static frame_result frame_one(const cbz_record_format *fmt, const uint8_t *buf, size_t len,
                              uint32_t *block_left, size_t *payload_off, size_t *payload_len,
                              size_t *consumed, size_t *need, bool *short_header, const frame_where *w,
                              cbz_error *err)
{
    char at[320], hx[12];
    *need = 0;
    *short_header = true;
    if (fmt->recfm == CBZ_RECFM_F || fmt->recfm == CBZ_RECFM_FB) {
        if (fmt->lrecl == 0) {
            where_prefix(w, 0, at, sizeof at);
            cbz_fail(err, CBZ_ERR_USAGE, "%s: RECFM %s needs an LRECL (from the copybook or --lrecl)",
                     at, cbz_recfm_name(fmt->recfm));
            return FRAME_BAD;
        }
        if (len < fmt->lrecl) { *need = fmt->lrecl; *short_header = false; return FRAME_SHORT; }
        *payload_off = 0;
        *payload_len = fmt->lrecl;
        *consumed = fmt->lrecl;
        return FRAME_OK;
    }

    size_t pos = 0;
    uint32_t left = *block_left;
    bool blocked = fmt->recfm == CBZ_RECFM_VB;
    bool reserved_zero, extended;
    while (blocked && left == 0) {   /* a new block (empty blocks are skipped) */
        if (len - pos < 4) { *need = pos + 4; return FRAME_SHORT; }
        uint32_t bl = header_length(buf + pos, fmt->rdw_little_endian, true, &reserved_zero, &extended);
        uint32_t hdr_counted = fmt->rdw_payload_only ? 0 : 4;
        if (!reserved_zero || bl < hdr_counted) {
            where_prefix(w, pos, at, sizeof at);
            hex4(buf + pos, hx);
            cbz_fail(err, CBZ_ERR_DATA,
                     "%s: invalid BDW %s (block length %u%s; expected %s with %s)", at, hx,
                     (unsigned)bl, reserved_zero ? " is less than its 4-byte header" : ", reserved bytes not zero",
                     fmt->rdw_little_endian ? "little-endian" : "big-endian",
                     fmt->rdw_payload_only ? "length of the records only" : "length including the BDW");
            return FRAME_BAD;
        }
        left = bl - hdr_counted;
        pos += 4;
    }

    if (len - pos < 4) { *need = pos + 4; return FRAME_SHORT; }
    uint32_t rl = header_length(buf + pos, fmt->rdw_little_endian, false, &reserved_zero, &extended);
    uint32_t payload = fmt->rdw_payload_only ? rl : rl - 4;
    if (!reserved_zero || (!fmt->rdw_payload_only && rl < 4)) {
        where_prefix(w, pos, at, sizeof at);
        hex4(buf + pos, hx);
        cbz_fail(err, CBZ_ERR_DATA,
                 "%s: invalid RDW %s (%s; expected %s RDW with %s)", at, hx,
                 reserved_zero ? "length less than the 4-byte header" : "reserved bytes not zero",
                 fmt->rdw_little_endian ? "a little-endian" : "a big-endian",
                 fmt->rdw_payload_only ? "the payload length" : "the length including the RDW");
        return FRAME_BAD;
    }
    if (fmt->lrecl && payload > fmt->lrecl) {
        where_prefix(w, pos, at, sizeof at);
        cbz_fail(err, CBZ_ERR_DATA, "%s: RDW says %u payload bytes, more than the maximum LRECL %u",
                 at, (unsigned)payload, (unsigned)fmt->lrecl);
        return FRAME_BAD;
    }
    if (blocked && (uint64_t)payload + 4 > left) {
        where_prefix(w, pos, at, sizeof at);
        cbz_fail(err, CBZ_ERR_DATA, "%s: record of %u bytes (with RDW) overruns its block (%u bytes left)",
                 at, (unsigned)payload + 4, (unsigned)left);
        return FRAME_BAD;
    }
    if (len - pos - 4 < payload) {
        *need = pos + 4 + payload;
        *short_header = false;
        return FRAME_SHORT;
    }
    if (blocked) {
        left -= payload + 4;
        if (left > 0 && left < 4) {
            where_prefix(w, pos + 4 + payload, at, sizeof at);
            cbz_fail(err, CBZ_ERR_DATA, "%s: %u bytes left in the block, too few for an RDW",
                     at, (unsigned)left);
            return FRAME_BAD;
        }
    }
    *payload_off = pos + 4;
    *payload_len = payload;
    *consumed = pos + 4 + payload;
    *block_left = left;
    return FRAME_OK;
}

static cbz_status short_tail(const cbz_record_format *fmt, size_t len, size_t need, bool header,
                             const frame_where *w, cbz_error *err)
{
    char at[320];
    where_prefix(w, 0, at, sizeof at);
    if (fmt->recfm == CBZ_RECFM_F || fmt->recfm == CBZ_RECFM_FB) {
        if (w->file)
            return cbz_fail(err, CBZ_ERR_DATA,
                            "%s: file size %llu is not a multiple of LRECL %u (remainder %zu bytes)",
                            w->file, (unsigned long long)(w->base + len), (unsigned)fmt->lrecl, len);
        return cbz_fail(err, CBZ_ERR_DATA, "%s: %zu bytes left, less than LRECL %u", at, len,
                        (unsigned)fmt->lrecl);
    }
    return cbz_fail(err, CBZ_ERR_DATA, "%s: truncated %s: %zu bytes left, %zu needed", at,
                    header ? "header" : "record", len, need);
}

cbz_status cbz_frame_next(const cbz_record_format *fmt, const uint8_t *buf, size_t len,
                          uint32_t *block_left, size_t *payload_off, size_t *payload_len,
                          size_t *consumed, cbz_error *err)
{
    frame_where w = { NULL, 0, 0 };
    size_t need;
    bool header;
    frame_result r = frame_one(fmt, buf, len, block_left, payload_off, payload_len, consumed, &need,
                               &header, &w, err);
    if (r == FRAME_OK) return CBZ_OK;
    if (r == FRAME_BAD) return err ? err->code : CBZ_ERR_DATA;
    if (!err) return CBZ_ERR_DATA;
    return short_tail(fmt, len, need, header, &w, err);
}

/* ------------------------------------------------------------------------
 * Streaming reader.
 * ---------------------------------------------------------------------- */
#define READER_CHUNK (1u << 20)

struct cbz_record_reader {
    FILE *fp;
    bool owns_fp;
    char *name;
    cbz_record_format fmt;
    uint8_t *buf;
    size_t cap, start, end;   /* unread bytes are buf[start..end) */
    bool at_eof;              /* the stream has no more bytes */
    uint64_t buf_base;        /* file offset of buf[0] */
    uint32_t block_left;
    uint64_t recno;
    uint64_t rec_offset;
};

cbz_status cbz_reader_open(const char *path, const cbz_record_format *fmt,
                           cbz_record_reader **out, cbz_error *err)
{
    *out = NULL;
    if ((fmt->recfm == CBZ_RECFM_F || fmt->recfm == CBZ_RECFM_FB) && fmt->lrecl == 0)
        return cbz_fail(err, CBZ_ERR_USAGE, "%s: RECFM %s needs an LRECL (from the copybook or --lrecl)",
                        path, cbz_recfm_name(fmt->recfm));
    cbz_record_reader *r = calloc(1, sizeof *r);
    if (!r) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    r->fmt = *fmt;
    bool is_stdin = strcmp(path, "-") == 0;
    r->name = strdup(is_stdin ? "(stdin)" : path);
    if (!r->name) { free(r); return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory"); }
    if (is_stdin) {
        r->fp = stdin;
    } else {
        r->fp = fopen(path, "rb");
        if (!r->fp) {
            cbz_status s = cbz_fail(err, CBZ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
            free(r->name); free(r);
            return s;
        }
        r->owns_fp = true;
        /* A regular file's size is known: a wrong size for the LRECL fails now,
         * before any output is written. */
        struct stat st;
        if ((fmt->recfm == CBZ_RECFM_F || fmt->recfm == CBZ_RECFM_FB) &&
            fstat(fileno(r->fp), &st) == 0 && S_ISREG(st.st_mode) &&
            (uint64_t)st.st_size % fmt->lrecl != 0) {
            cbz_status s = cbz_fail(err, CBZ_ERR_DATA,
                                    "%s: file size %llu is not a multiple of LRECL %u "
                                    "(%llu whole records, remainder %llu bytes)",
                                    path, (unsigned long long)st.st_size, (unsigned)fmt->lrecl,
                                    (unsigned long long)st.st_size / fmt->lrecl,
                                    (unsigned long long)st.st_size % fmt->lrecl);
            cbz_reader_close(r);
            return s;
        }
    }
    *out = r;
    return CBZ_OK;
}

/* Makes at least `want` unread bytes available, or all that is left. */
static cbz_status reader_fill(cbz_record_reader *r, size_t want, cbz_error *err)
{
    if (r->end - r->start >= want || r->at_eof) return CBZ_OK;
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->buf_base += r->start;
        r->end -= r->start;
        r->start = 0;
    }
    size_t target = want > READER_CHUNK ? want : READER_CHUNK;
    if (r->cap < target) {
        uint8_t *nb = realloc(r->buf, target);
        if (!nb) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory (record buffer of %zu bytes)", target);
        r->buf = nb;
        r->cap = target;
    }
    while (r->end < want && !r->at_eof) {
        size_t n = fread(r->buf + r->end, 1, r->cap - r->end, r->fp);
        r->end += n;
        if (n == 0) {
            if (ferror(r->fp)) return cbz_fail(err, CBZ_ERR_IO, "%s: read failed: %s", r->name, strerror(errno));
            r->at_eof = true;
        }
    }
    return CBZ_OK;
}

cbz_status cbz_reader_next(cbz_record_reader *r, const uint8_t **rec, size_t *len, bool *eof,
                           cbz_error *err)
{
    *eof = false;
    size_t want = r->fmt.recfm == CBZ_RECFM_F || r->fmt.recfm == CBZ_RECFM_FB ? r->fmt.lrecl : 8;
    for (;;) {
        CBZ_TRY(reader_fill(r, want, err));
        size_t avail = r->end - r->start;
        if (avail == 0 && r->at_eof) {
            if (r->block_left)
                return cbz_fail(err, CBZ_ERR_DATA, "%s: byte offset %llu: the last block ends early "
                                "(%u bytes of it missing)", r->name,
                                (unsigned long long)(r->buf_base + r->start), (unsigned)r->block_left);
            *eof = true;
            return CBZ_OK;
        }
        frame_where w = { r->name, r->buf_base + r->start, r->recno + 1 };
        size_t off, plen, used, need;
        bool header;
        frame_result fr = frame_one(&r->fmt, r->buf + r->start, avail, &r->block_left, &off, &plen,
                                    &used, &need, &header, &w, err);
        if (fr == FRAME_BAD) return err ? err->code : CBZ_ERR_DATA;
        if (fr == FRAME_SHORT) {
            if (r->at_eof) return short_tail(&r->fmt, avail, need, header, &w, err);
            want = need;
            continue;
        }
        r->recno++;
        r->rec_offset = r->buf_base + r->start + off;
        *rec = r->buf + r->start + off;
        *len = plen;
        r->start += used;
        return CBZ_OK;
    }
}

uint64_t cbz_reader_record_number(const cbz_record_reader *r) { return r->recno; }
uint64_t cbz_reader_record_offset(const cbz_record_reader *r) { return r->rec_offset; }

void cbz_reader_close(cbz_record_reader *r)
{
    if (!r) return;
    if (r->owns_fp) fclose(r->fp);
    free(r->buf);
    free(r->name);
    free(r);
}

/* ------------------------------------------------------------------------
 * Writer.
 * ---------------------------------------------------------------------- */
/* Largest VB block written with a classic BDW (z/OS BLKSIZE limit for V). */
#define VB_BLOCK_MAX 32760u

struct cbz_record_writer {
    FILE *fp;
    cbz_record_format fmt;
    cbz_buf block;            /* VB: records of the pending block (without BDW) */
    uint64_t recno;
};

cbz_status cbz_writer_open(FILE *fp, const cbz_record_format *fmt, cbz_record_writer **out,
                           cbz_error *err)
{
    *out = NULL;
    cbz_record_writer *w = calloc(1, sizeof *w);
    if (!w) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    w->fp = fp;
    w->fmt = *fmt;
    cbz_buf_init(&w->block);
    *out = w;
    return CBZ_OK;
}

static cbz_status write_bytes(cbz_record_writer *w, const void *p, size_t n, cbz_error *err)
{
    if (n && fwrite(p, 1, n, w->fp) != n)
        return cbz_fail(err, CBZ_ERR_IO, "write failed: %s", strerror(errno));
    return CBZ_OK;
}

static cbz_status flush_block(cbz_record_writer *w, cbz_error *err)
{
    if (w->block.len == 0) return CBZ_OK;
    uint8_t bdw[4];
    uint64_t total = w->block.len + (w->fmt.rdw_payload_only ? 0 : 4);
    if (total > 0x7FFFFFFFu) return cbz_fail(err, CBZ_ERR_DATA, "VB block of %llu bytes is too large",
                                             (unsigned long long)total);
    put_header(bdw, (uint32_t)total, w->fmt.rdw_little_endian, total > 0x7FFF);
    CBZ_TRY(write_bytes(w, bdw, 4, err));
    CBZ_TRY(write_bytes(w, w->block.data, w->block.len, err));
    cbz_buf_clear(&w->block);
    return CBZ_OK;
}

cbz_status cbz_writer_put(cbz_record_writer *w, const uint8_t *rec, size_t len, cbz_error *err)
{
    w->recno++;
    if (w->fmt.recfm == CBZ_RECFM_F || w->fmt.recfm == CBZ_RECFM_FB) {
        CBZ_FAIL_IF(w->fmt.lrecl && len != w->fmt.lrecl, err, CBZ_ERR_DATA,
                    "record %llu: %zu bytes, but RECFM %s needs exactly LRECL %u",
                    (unsigned long long)w->recno, len, cbz_recfm_name(w->fmt.recfm), (unsigned)w->fmt.lrecl);
        return write_bytes(w, rec, len, err);
    }
    size_t rdw_len = len + (w->fmt.rdw_payload_only ? 0 : 4);
    CBZ_FAIL_IF(rdw_len > 0xFFFF, err, CBZ_ERR_DATA,
                "record %llu: %zu bytes do not fit an RDW (at most %u)", (unsigned long long)w->recno,
                len, (unsigned)(w->fmt.rdw_payload_only ? 0xFFFF : 0xFFFF - 4));
    CBZ_FAIL_IF(w->fmt.lrecl && len > w->fmt.lrecl, err, CBZ_ERR_DATA,
                "record %llu: %zu bytes, more than the maximum LRECL %u", (unsigned long long)w->recno,
                len, (unsigned)w->fmt.lrecl);
    uint8_t rdw[4];
    put_header(rdw, (uint32_t)rdw_len, w->fmt.rdw_little_endian, false);
    if (w->fmt.recfm == CBZ_RECFM_V) {
        CBZ_TRY(write_bytes(w, rdw, 4, err));
        return write_bytes(w, rec, len, err);
    }
    if (w->block.len && w->block.len + 4 + len + 4 > VB_BLOCK_MAX) CBZ_TRY(flush_block(w, err));
    if (cbz_buf_append(&w->block, rdw, 4) != CBZ_OK || cbz_buf_append(&w->block, rec, len) != CBZ_OK)
        return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    return CBZ_OK;
}

cbz_status cbz_writer_close(cbz_record_writer *w, cbz_error *err)
{
    if (!w) return CBZ_OK;
    cbz_status s = w->fmt.recfm == CBZ_RECFM_VB ? flush_block(w, err) : CBZ_OK;
    cbz_buf_free(&w->block);
    free(w);
    return s;
}
