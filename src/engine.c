/*
 * engine.c — one chunk through the layers and back: L1 framing and L2 split
 * (frame.c, split.c) feed one stream per column to L3..L8 (cbz_column_encode,
 * column.c), and the encodings are laid out as a chunk frame.
 *
 * Chunk frame (docs/FORMAT.md "Chunk frame"):
 *   u8      flags         bit 0: raw chunk (no records), bit 1: explicit lengths
 *   varint  n_records
 *   varint  in_len        original bytes of the chunk
 *   varint  n_streams     5 side streams + one per plan column
 *   n_streams x { varint n_values, varint enc_len }
 *   the encodings, stream after stream
 * Without explicit lengths every record is plan->width bytes with no header,
 * and streams 0 and 1 are empty.
 *
 * The functions here touch nothing but their arguments and the work buffers:
 * that is what lets chunks run on any thread in any order.
 */
#include "engine.h"
#include "bigbuf.h"

#include <stdio.h>

#define FLAG_RAW 1u
#define FLAG_EXPLICIT 2u

void cbz_chunk_work_init(cbz_chunk_work *w)
{
    memset(w, 0, sizeof *w);
    cbz_buf_init(&w->vals);
}

void cbz_chunk_work_free(cbz_chunk_work *w)
{
    cbz_buf_free(&w->vals);
    free(w->rec_off); /* rec_len shares its block */
    free(w->words);
    free(w->ptrs);
    memset(w, 0, sizeof *w);
}

cbz_status cbz_buf_reserve_huge(cbz_buf *b, size_t extra)
{
    /* cbz_buf_reserve takes blocks of CBZ_BIG_HUGE bytes or more 2 MiB
     * aligned and advised to huge pages (bigbuf.h); below that ordinary
     * growth is as good.  A new buffer's first big block is the size
     * asked, not the next power of two: a 4 MiB chunk with a few bytes of
     * look-ahead would get 8 MiB and its first touch zero a third huge page
     * for those bytes (fresh memory is a restore's or a compress's costliest
     * start-up item on this kind of virtual machine).  Growth after that
     * doubles as ever, so that chunks of varying size (VB) do not take a
     * fresh block each time one is a little longer than all before it. */
    if (b->cap == 0 && extra >= CBZ_BIG_MIN) {
        size_t size;
        uint8_t *p = cbz_big_take(extra, &size);
        if (!p) return CBZ_ERR_NOMEM;
        cbz_buf_free(b);
        b->data = p;
        b->cap = size;
        return CBZ_OK;
    }
    return cbz_buf_reserve(b, extra);
}

static cbz_status work_reserve(cbz_chunk_work *w, size_t n_records, size_t n_streams,
                               cbz_error *err)
{
    if (n_records > w->rec_cap) {
        /* every caller writes the slots before it reads them: nothing to
         * copy (realloc copied them), and a quarter more room spares most
         * of the growth from chunk to chunk of variable-length records.
         * Offsets and lengths share one block; from 256 KiB on it is a
         * huge-page block (bigbuf.h): here a 4 KiB page costs a 12 us fault
         * at its first touch, a 2 MiB page about 0.15 ms (VB chunks of 4
         * MiB: 2 x 0.5 MiB of slots, 3 ms of faults on 4 KiB pages). */
        size_t cap = n_records + n_records / 4, got = 0;
        CBZ_FAIL_IF(cap > SIZE_MAX / (2 * sizeof(size_t)), err, CBZ_ERR_NOMEM,
                    "out of memory (%zu record slots)", n_records);
        size_t bytes = 2 * cap * sizeof(size_t);
        if (bytes >= ((size_t)256 << 10) && bytes < CBZ_BIG_HUGE) bytes = CBZ_BIG_HUGE;
        free(w->rec_off);
        w->rec_off = cbz_big_take(bytes, &got);
        w->rec_cap = w->rec_off ? got / (2 * sizeof(size_t)) : 0;
        w->rec_len = w->rec_off ? w->rec_off + w->rec_cap : NULL;
        CBZ_FAIL_IF(!w->rec_cap, err, CBZ_ERR_NOMEM, "out of memory (%zu record slots)",
                    n_records);
    }
    /* counts, bases, scatter scratch, and a split in parts' cursors and
     * part counts (scatter_part) */
    size_t words = 5 * n_streams;
    if (words > w->words_cap) {
        uint64_t *a = realloc(w->words, words * sizeof *a);
        CBZ_FAIL_IF(!a, err, CBZ_ERR_NOMEM, "out of memory");
        w->words = a;
        w->words_cap = words;
    }
    if (2 * n_streams > w->ptrs_cap) {   /* the streams', and a part's (scatter_part) */
        uint8_t **a = realloc(w->ptrs, 2 * n_streams * sizeof *a);
        CBZ_FAIL_IF(!a, err, CBZ_ERR_NOMEM, "out of memory");
        w->ptrs = a;
        w->ptrs_cap = 2 * n_streams;
    }
    return CBZ_OK;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool cbz_chunk_fixed(const cbz_plan *p, const cbz_chunk_info *ci)
{
    bool fixed_fmt = p->fmt.recfm == CBZ_RECFM_F || p->fmt.recfm == CBZ_RECFM_FB;
    return p->mode == CBZ_MODE_RECORDS && fixed_fmt && !ci->raw && p->width > 0 &&
           p->n_cols > 0 && p->fmt.lrecl == p->width && ci->n_records > 0 &&
           ci->in_len / p->width == ci->n_records && ci->in_len % p->width == 0;
}

/* L1 of a chunk into w: its records framed (w->rec_off, w->rec_len, unless
 * they are fixed), every stream's count (w->words[s]) and place in w->vals
 * (w->ptrs[s]; with pre, the columns' are pre[c]) and the side streams
 * (lengths, headers, tail) written.  *explicit_len: the records need their
 * lengths stored.  The columns' values are L2's (scatter_part). */
static cbz_status lay_out(const cbz_plan *p, const uint8_t *data, size_t avail,
                          const cbz_chunk_info *ci, const uint8_t *const *pre,
                          cbz_chunk_work *w, bool *explicit_len_out, cbz_error *err)
{
    size_t n = ci->raw ? 0 : (size_t)ci->n_records;
    size_t ns = cbz_plan_streams(p);
    CBZ_FAIL_IF(ci->in_len > avail || ci->in_len > CBZ_CHUNK_MAX, err, CBZ_ERR_DATA,
                "chunk at byte %llu: %llu bytes exceed the input or the chunk limit",
                (unsigned long long)ci->in_offset, (unsigned long long)ci->in_len);
    /* Fixed records of the plan width back to back (F/FB): record i is at
     * i * width, as cbz_frame_records would find; no offsets are made. */
    const bool fixed = cbz_chunk_fixed(p, ci);
    CBZ_TRY(work_reserve(w, n && !fixed ? n : 1, ns, err));
    if (n && !fixed) CBZ_TRY(cbz_frame_records(p, data, avail, ci, w->rec_off, w->rec_len, err));

    /* Which records need explicit lengths, and the side stream sizes. */
    bool explicit_len = false;
    uint64_t gaps = 0, end = fixed ? ci->in_len : 0;
    for (size_t i = 0; i < n && !fixed; i++) {
        size_t gap = w->rec_off[i] - end;
        if (gap != 0 || w->rec_len[i] != p->width) explicit_len = true;
        gaps += gap;
        end = w->rec_off[i] + w->rec_len[i];
    }
    uint64_t *count = w->words, *base = w->words + ns;
    if (fixed) {
        for (size_t c = 0; c < p->n_cols; c++) count[CBZ_SIDE_STREAMS + c] = n;
        count[CBZ_S_OVERFLOW] = 0;
    } else {
        cbz_split_count(p, w->rec_len, n, count + CBZ_SIDE_STREAMS, &count[CBZ_S_OVERFLOW]);
    }
    count[CBZ_S_RECLEN] = count[CBZ_S_GAPLEN] = explicit_len ? n : 0;
    count[CBZ_S_HEADERS] = gaps;
    count[CBZ_S_TAIL] = ci->in_len - end;
    /* Columns split elsewhere hold every record whole: no overflow, no
     * lengths, no headers, no tail. */
    CBZ_FAIL_IF(pre && (explicit_len || gaps || count[CBZ_S_OVERFLOW] || count[CBZ_S_TAIL]), err,
                CBZ_ERR_USAGE, "chunk at byte %llu: pre-split columns given for records that "
                "are not all %u bytes back to back", (unsigned long long)ci->in_offset, p->width);
    uint64_t total = 0;
    for (size_t s = 0; s < ns; s++) {
        base[s] = total;
        if (!pre || s < CBZ_SIDE_STREAMS) total += count[s] * cbz_plan_stream_desc(p, s).width;
    }
    cbz_buf_clear(&w->vals);
    CBZ_FAIL_IF(cbz_buf_reserve_huge(&w->vals, total ? total : 1) != CBZ_OK, err, CBZ_ERR_NOMEM,
                "out of memory (%llu bytes of column values)", (unsigned long long)total);
    uint8_t *v = w->vals.data;

    /* L1 side streams, in one pass over the records.  A gap is an RDW (4
     * bytes) or a BDW and an RDW (8) but for damage: those two sizes are
     * moved as constants, not through a memcpy call each (VB: 640,000
     * calls, 15% of the layout's instructions). */
    uint8_t *hdr = v + base[CBZ_S_HEADERS];
    end = 0;
    for (size_t i = 0; i < n && explicit_len; i++) {
        size_t gap = w->rec_off[i] - end;
        put_be32(v + base[CBZ_S_RECLEN] + 4 * i, (uint32_t)w->rec_len[i]);
        put_be32(v + base[CBZ_S_GAPLEN] + 4 * i, (uint32_t)gap);
        if (gap == 4) memcpy(hdr, data + end, 4);
        else if (gap == 8) memcpy(hdr, data + end, 8);
        else memcpy(hdr, data + end, gap);
        cbz_frame_headers_xor(&p->fmt, hdr, gap, w->rec_len[i]);
        hdr += gap;
        end = w->rec_off[i] + w->rec_len[i];
    }
    end = fixed ? ci->in_len : n ? w->rec_off[n - 1] + w->rec_len[n - 1] : 0;
    memcpy(v + base[CBZ_S_TAIL], data + end, count[CBZ_S_TAIL]);

    /* where L2 puts each stream's values */
    for (size_t s = 0; s < ns; s++)
        w->ptrs[s] = pre && s >= CBZ_SIDE_STREAMS ? (uint8_t *)pre[s - CBZ_SIDE_STREAMS] : v + base[s];
    *explicit_len_out = explicit_len;
    return CBZ_OK;
}

/* L2 of records [k, k + m) of the chunk laid out in w (lay_out) into the
 * column and overflow streams.  The whole chunk (k == 0, m == n) is one
 * cbz_split_scatter call.  A part goes to where the records before it left
 * off: fixed records by position, others by the values the records before
 * took (w->words' cursors, kept from part to part); the scatter's over-long
 * moves stay inside the part's own values (the counts it is given), so the
 * parts make the bytes of the one call. */
static void scatter_part(const cbz_plan *p, const uint8_t *data, const cbz_chunk_info *ci,
                         cbz_chunk_work *w, size_t k, size_t m)
{
    const size_t ns = cbz_plan_streams(p), n = ci->raw ? 0 : (size_t)ci->n_records;
    const size_t nc = p->n_cols;
    const bool fixed = cbz_chunk_fixed(p, ci);
    uint64_t *count = w->words, *scratch = w->words + 2 * ns;
    uint64_t *cursor = w->words + 3 * ns, *part_count = w->words + 4 * ns;
    uint8_t **part = w->ptrs + ns;
    if (m == 0) return;
    if (k == 0 && m == n) {
        cbz_split_scatter(p, data, fixed ? NULL : w->rec_off, fixed ? NULL : w->rec_len, n,
                          w->ptrs + CBZ_SIDE_STREAMS, count + CBZ_SIDE_STREAMS,
                          w->ptrs[CBZ_S_OVERFLOW], scratch);
        return;
    }
    if (fixed) {
        for (size_t c = 0; c < nc; c++) {
            part[c] = w->ptrs[CBZ_SIDE_STREAMS + c] + k * p->cols[c].width;
            part_count[c] = m;
        }
        cbz_split_scatter(p, data + k * p->width, NULL, NULL, m, part, part_count, NULL, scratch);
        return;
    }
    if (k == 0)
        for (size_t c = 0; c <= nc; c++) cursor[c] = 0;
    uint64_t overflow = 0;
    cbz_split_count(p, w->rec_len + k, m, part_count, &overflow);
    for (size_t c = 0; c < nc; c++)
        part[c] = w->ptrs[CBZ_SIDE_STREAMS + c] + cursor[c] * p->cols[c].width;
    cbz_split_scatter(p, data, w->rec_off + k, w->rec_len + k, m, part, part_count,
                      w->ptrs[CBZ_S_OVERFLOW] + cursor[nc], scratch);
    for (size_t c = 0; c < nc; c++) cursor[c] += part_count[c];
    cursor[nc] += overflow;
}

/* L3..L8 of the chunk laid out and split in w: the frame appended to out. */
static cbz_status encode_streams(const cbz_plan *p, const cbz_chunk_info *ci, bool explicit_len,
                                 int level, cbz_chunk_work *w, cbz_buf *out,
                                 cbz_col_stats *stats, cbz_error *err)
{
    size_t n = ci->raw ? 0 : (size_t)ci->n_records;
    size_t ns = cbz_plan_streams(p);
    uint64_t *count = w->words, *scratch = w->words + 2 * ns;

    /* L3..L8 per stream, straight into out after room for the frame's
     * header, whose size is known only at the end (the varints of the
     * encoded lengths): the room is what the last chunk's header took, and
     * the encodings move only when this one's differs. */
    const size_t start = out->len, room = w->head_room;
    CBZ_FAIL_IF(cbz_buf_reserve(out, room) != CBZ_OK, err, CBZ_ERR_NOMEM,
                "out of memory (chunk frame)");
    out->len = start + room;
    uint64_t *enc_len = scratch; /* scratch is free again */
    /* stream s may be predicted from streams 0..s-1 (column.h, peers) */
    cbz_col_peer *peers = malloc((ns ? ns : 1) * sizeof *peers);
    CBZ_FAIL_IF(!peers, err, CBZ_ERR_NOMEM, "out of memory (%zu column peers)", ns);
    /* facts about the chunk's streams that later columns' choices reuse
     * (column.h); without one (no memory) the same bytes come out slower */
    cbz_col_chunk_ctx *memo = cbz_col_chunk_ctx_thread();
    if (memo && cbz_col_chunk_ctx_reset(memo, ns, NULL) != CBZ_OK) memo = NULL;
    for (size_t s = 0; s < ns; s++) {
        cbz_col_stats st;
        memset(&st, 0, sizeof st);
        size_t before = out->len;
        if (count[s]) {
            cbz_col_desc d = cbz_plan_stream_desc(p, s);
            cbz_status rc = cbz_column_encode_ctx(memo, &d, w->ptrs[s], (size_t)count[s], peers,
                                                  s, level, out, &st, err);
            if (rc != CBZ_OK) {
                free(peers);
                out->len = start;
                if (err) {
                    char why[CBZ_ERROR_MSG_MAX];
                    snprintf(why, sizeof why, "%s", err->msg);
                    cbz_fail(err, rc, "chunk at byte %llu, column %s: %s",
                             (unsigned long long)ci->in_offset, cbz_plan_stream_name(p, s), why);
                }
                return rc;
            }
        }
        peers[s] = (cbz_col_peer){ cbz_plan_stream_desc(p, s), w->ptrs[s], (size_t)count[s] };
        enc_len[s] = out->len - before;
        st.bytes_in = count[s] * cbz_plan_stream_desc(p, s).width;
        st.bytes_out = enc_len[s];
        if (stats) stats[s] = st;
    }
    free(peers);

    /* the header, then in its place in front of the encodings */
    cbz_buf head;
    cbz_buf_init(&head);
    uint8_t flags = (uint8_t)((ci->raw ? FLAG_RAW : 0) | (explicit_len ? FLAG_EXPLICIT : 0));
    cbz_status rc = cbz_buf_put_u8(&head, flags);
    if (rc == CBZ_OK) rc = cbz_buf_put_varint(&head, n);
    if (rc == CBZ_OK) rc = cbz_buf_put_varint(&head, ci->in_len);
    if (rc == CBZ_OK) rc = cbz_buf_put_varint(&head, ns);
    for (size_t s = 0; s < ns && rc == CBZ_OK; s++) {
        rc = cbz_buf_put_varint(&head, count[s]);
        if (rc == CBZ_OK) rc = cbz_buf_put_varint(&head, enc_len[s]);
    }
    const size_t body = out->len - start - room;
    if (rc == CBZ_OK && head.len > room) rc = cbz_buf_reserve(out, head.len - room);
    if (rc != CBZ_OK) {
        cbz_buf_free(&head);
        out->len = start;
        return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory (chunk frame)");
    }
    if (head.len != room) memmove(out->data + start + head.len, out->data + start + room, body);
    memcpy(out->data + start, head.data, head.len);
    out->len = start + head.len + body;
    w->head_room = head.len;
    cbz_buf_free(&head);
    return CBZ_OK;
}

/* cbz_chunk_encode and cbz_chunk_encode_split: pre (NULL or one pointer per
 * plan column) holds column values split elsewhere; those streams are then
 * neither stored in w->vals nor scattered. */
static cbz_status encode_chunk(const cbz_plan *p, const uint8_t *data, size_t avail,
                               const cbz_chunk_info *ci, int level, const uint8_t *const *pre,
                               cbz_chunk_work *w, cbz_buf *out, cbz_col_stats *stats,
                               cbz_error *err)
{
    bool explicit_len;
    CBZ_TRY(lay_out(p, data, avail, ci, pre, w, &explicit_len, err));
    if (!pre) scatter_part(p, data, ci, w, 0, ci->raw ? 0 : (size_t)ci->n_records);
    return encode_streams(p, ci, explicit_len, level, w, out, stats, err);
}

cbz_status cbz_chunk_encode(const cbz_plan *p, const uint8_t *data, size_t avail,
                            const cbz_chunk_info *ci, int level, cbz_chunk_work *w,
                            cbz_buf *out, cbz_col_stats *stats, cbz_error *err)
{
    return encode_chunk(p, data, avail, ci, level, NULL, w, out, stats, err);
}

void cbz_chunk_prep_init(cbz_chunk_prep *pp)
{
    memset(pp, 0, sizeof *pp);
    cbz_chunk_work_init(&pp->w);
}

void cbz_chunk_prep_free(cbz_chunk_prep *pp)
{
    cbz_chunk_work_free(&pp->w);
    memset(pp, 0, sizeof *pp);
}

bool cbz_chunk_prep_holds(const cbz_chunk_prep *pp, const cbz_chunk_info *ci)
{
    const cbz_chunk_info *a = &pp->ci;
    return pp->laid_out && a->in_offset == ci->in_offset && a->in_len == ci->in_len &&
           a->first_record == ci->first_record && a->n_records == ci->n_records &&
           a->block_left == ci->block_left && a->raw == ci->raw;
}

cbz_status cbz_chunk_prep_start(cbz_chunk_prep *pp, const cbz_plan *p, const uint8_t *data,
                                size_t avail, const cbz_chunk_info *ci, cbz_error *err)
{
    pp->laid_out = false;
    CBZ_TRY(lay_out(p, data, avail, ci, NULL, &pp->w, &pp->explicit_len, err));
    pp->ci = *ci;
    pp->done = 0;
    pp->laid_out = true;
    return CBZ_OK;
}

bool cbz_chunk_prep_step(cbz_chunk_prep *pp, const cbz_plan *p, const uint8_t *data,
                         size_t max_records)
{
    const size_t n = pp->ci.raw ? 0 : (size_t)pp->ci.n_records;
    size_t m = n - pp->done < max_records ? n - pp->done : max_records;
    scatter_part(p, data, &pp->ci, &pp->w, pp->done, m);
    pp->done += m;
    return pp->done == n;
}

cbz_status cbz_chunk_encode_prepared(const cbz_plan *p, cbz_chunk_prep *pp, const uint8_t *data,
                                     size_t avail, const cbz_chunk_info *ci, int level,
                                     cbz_buf *out, cbz_col_stats *stats, cbz_error *err)
{
    if (!cbz_chunk_prep_holds(pp, ci)) CBZ_TRY(cbz_chunk_prep_start(pp, p, data, avail, ci, err));
    pp->laid_out = false;   /* used up: the streams' scratch becomes the encode's */
    (void)cbz_chunk_prep_step(pp, p, data, SIZE_MAX);
    return encode_streams(p, &pp->ci, pp->explicit_len, level, &pp->w, out, stats, err);
}

cbz_status cbz_chunk_encode_split(const cbz_plan *p, const uint8_t *data, size_t avail,
                                  const cbz_chunk_info *ci, int level,
                                  const uint8_t *const *cols, cbz_chunk_work *w, cbz_buf *out,
                                  cbz_col_stats *stats, cbz_error *err)
{
    CBZ_FAIL_IF(!cbz_chunk_fixed(p, ci), err, CBZ_ERR_USAGE,
                "chunk at byte %llu: pre-split columns need fixed-length records of the plan "
                "width", (unsigned long long)ci->in_offset);
    return encode_chunk(p, data, avail, ci, level, cols, w, out, stats, err);
}

/* a * b when it does not pass limit. */
static bool mul_within(uint64_t a, uint64_t b, uint64_t limit, uint64_t *r)
{
    if (b && a > limit / b) return false;
    *r = a * b;
    return *r <= limit;
}

/* bytes of a VB chunk's output zeroed at a time ahead of its headers
 * (decode_streams): well inside the L2 (measured: 16 KiB to 1 MiB alike) */
#define CLAIM_BLOCK ((uint64_t)64 << 10)

/* Stream s of a chunk frame, whose encoding is next at cur: decoded into
 * vals + base[s], or where *to says when its decode can put the values
 * there (then at[s] = *to); then a peer of the later streams. */
static cbz_status decode_stream(const cbz_plan *p, cbz_cursor *cur, size_t s,
                                const uint64_t *count, const uint64_t *base,
                                const uint64_t *enc_len, uint8_t *vals, cbz_col_peer *peers,
                                cbz_col_rows *at, const cbz_col_rows *to, cbz_error *err)
{
    const cbz_col_desc d = cbz_plan_stream_desc(p, s);
    peers[s] = (cbz_col_peer){ d, vals + base[s], (size_t)count[s] };
    at[s] = (cbz_col_rows){ NULL, NULL, 0 };
    if (!count[s]) return CBZ_OK;
    const uint8_t *enc;
    CBZ_FAIL_IF(!cbz_cursor_bytes(cur, (size_t)enc_len[s], &enc), err, CBZ_ERR_FORMAT,
                "chunk frame truncated in stream %s", cbz_plan_stream_name(p, s));
    bool placed = false;
    cbz_status rc = cbz_column_decode_rows(&d, enc, (size_t)enc_len[s], (size_t)count[s], peers, s,
                                           at, vals + base[s], to, &placed, err);
    if (rc != CBZ_OK) {
        if (err) {
            char why[CBZ_ERROR_MSG_MAX];
            snprintf(why, sizeof why, "%s", err->msg);
            cbz_fail(err, rc == CBZ_ERR_NOMEM ? rc : CBZ_ERR_FORMAT, "column %s: %s",
                     cbz_plan_stream_name(p, s), why);
        }
        return rc == CBZ_ERR_NOMEM ? rc : CBZ_ERR_FORMAT;
    }
    if (placed) {
        at[s] = *to;
        peers[s].values = to->base;
    }
    return CBZ_OK;
}

/* Every stream of a chunk frame (cur at the first encoding): the side
 * streams, then the records' places (from the lengths, with each record's
 * header bytes put back in front of it on the way), then the columns.
 * Records of explicit lengths (VB) take the columns that every record
 * holds straight from their decode where it can write them there (value i
 * is record i's): moving them through the records' offsets after costs a
 * load and a store a value (VB: -12% decode time).  Fixed records are not
 * worth it: the block transposition (split.c) moves them about as fast as
 * the decode would place them, and placed values are slower to read for
 * the columns that refer to them (measured: no gain on the F datasets). */
static cbz_status decode_streams(const cbz_plan *p, cbz_cursor *cur, const uint64_t *count,
                                 const uint64_t *base, const uint64_t *enc_len, uint64_t n,
                                 uint64_t in_len, bool explicit_len, cbz_chunk_work *w,
                                 uint8_t *out, cbz_col_peer *peers, cbz_col_rows *at,
                                 cbz_error *err)
{
    uint8_t *v = w->vals.data;
    cbz_column_decode_chunk_begin();
    for (size_t s = 0; s < CBZ_SIDE_STREAMS; s++)
        CBZ_TRY(decode_stream(p, cur, s, count, base, enc_len, v, peers, at, NULL, err));

    uint64_t minlen = p->width; /* the shortest record */
    if (!explicit_len) {
        /* fixed records of the plan width back to back: no headers */
        uint64_t end = n * p->width; /* n <= in_len: no overflow */
        CBZ_FAIL_IF(end > in_len || count[CBZ_S_HEADERS] != 0 || in_len - end != count[CBZ_S_TAIL],
                    err, CBZ_ERR_FORMAT,
                    "chunk frame: %llu records of %u bytes, header or tail stream sizes do not "
                    "add up", (unsigned long long)n, p->width);
    } else {
        const uint8_t *lens = v + base[CBZ_S_RECLEN], *gapv = v + base[CBZ_S_GAPLEN];
        const uint8_t *hdr = v + base[CBZ_S_HEADERS];
        const uint64_t hdr_len = count[CBZ_S_HEADERS];
        uint64_t pos = 0, gaps = 0;
        minlen = UINT64_MAX;
        /* out is claimed (zeroed) in blocks just ahead of the headers'
         * stores.  Its lines are cold (a ring slot the sink read last), and
         * taken one sparse store at a time (a header every ~80 bytes, then
         * each placed column's values) each cost a slow miss, in this loop
         * or, for a line holding no header, in the column decode.  A dense
         * memset owns them far cheaper (measured, VB restore at 1 thread:
         * wall -10%, this loop 6 -> 3.5 ms with the memset, decode_numeric_to
         * -45%).  Every byte is written again (headers, columns, overflow,
         * tail); only bytes not yet written are zeroed (pos + gap <= claimed
         * after the block, and pos only grows). */
        uint64_t claimed = 0;
        for (size_t i = 0; i < n; i++) {
            const uint64_t len = get_be32(lens + 4 * i), gap = get_be32(gapv + 4 * i);
            CBZ_FAIL_IF(gap > in_len - pos || len > in_len - pos - gap, err, CBZ_ERR_FORMAT,
                        "record %zu of the chunk runs past its end", i + 1);
            CBZ_FAIL_IF(gap > hdr_len - gaps, err, CBZ_ERR_FORMAT,
                        "chunk frame: header stream too short at record %zu", i + 1);
            if (pos + gap > claimed) {
                uint64_t e = claimed + CLAIM_BLOCK;
                e = e < pos + gap ? pos + gap : e;
                e = e > in_len ? in_len : e;
                memset(out + claimed, 0, (size_t)(e - claimed));
                claimed = e;
            }
            if (gap == 4) {
                /* an RDW: put back in a copy, then stored once (no call):
                 * the record's line in out is cold, and reading the header
                 * back there to undo the XOR waited on memory (6% of a VB
                 * decode) */
                uint8_t h[4];
                memcpy(h, hdr + gaps, 4);
                cbz_frame_headers_xor(&p->fmt, h, 4, (size_t)len);
                memcpy(out + pos, h, 4);
            } else {
                memcpy(out + pos, hdr + gaps, (size_t)gap);
                cbz_frame_headers_xor(&p->fmt, out + pos, (size_t)gap, (size_t)len);
            }
            gaps += gap;
            pos += gap;
            w->rec_off[i] = (size_t)pos;
            w->rec_len[i] = (size_t)len;
            minlen = len < minlen ? len : minlen;
            pos += len;
        }
        CBZ_FAIL_IF(gaps != hdr_len || in_len - pos != count[CBZ_S_TAIL], err, CBZ_ERR_FORMAT,
                    "chunk frame: header or tail stream sizes do not add up");
    }

    for (size_t c = 0; c < p->n_cols; c++) {
        const size_t s = CBZ_SIDE_STREAMS + c;
        const cbz_plan_column *pc = &p->cols[c];
        /* every record holds the column (else its count is checked, and
         * refused, by cbz_split_gather) */
        const bool place = explicit_len && n > 0 && count[s] == n &&
                           (uint64_t)pc->offset + pc->width <= minlen;
        const cbz_col_rows to = { out + pc->offset, w->rec_off, 0 };
        CBZ_TRY(decode_stream(p, cur, s, count, base, enc_len, v, peers, at, place ? &to : NULL,
                              err));
    }
    return CBZ_OK;
}

cbz_status cbz_chunk_decode(const cbz_plan *p, const uint8_t *frame, size_t frame_len,
                            const cbz_chunk_info *ci, cbz_chunk_work *w, uint8_t *out,
                            cbz_error *err)
{
    cbz_cursor cur;
    cbz_cursor_init(&cur, frame, frame_len);
    uint8_t flags;
    uint64_t n, in_len, ns;
    CBZ_FAIL_IF(!cbz_cursor_u8(&cur, &flags) || !cbz_cursor_varint(&cur, &n) ||
                    !cbz_cursor_varint(&cur, &in_len) || !cbz_cursor_varint(&cur, &ns),
                err, CBZ_ERR_FORMAT, "chunk frame header truncated");
    CBZ_FAIL_IF(flags & ~(FLAG_RAW | FLAG_EXPLICIT), err, CBZ_ERR_FORMAT,
                "chunk frame has unknown flags 0x%02x", flags);
    CBZ_FAIL_IF(n != ci->n_records || in_len != ci->in_len, err, CBZ_ERR_FORMAT,
                "chunk frame says %llu records / %llu bytes, the index %llu / %llu",
                (unsigned long long)n, (unsigned long long)in_len,
                (unsigned long long)ci->n_records, (unsigned long long)ci->in_len);
    CBZ_FAIL_IF(ns != cbz_plan_streams(p), err, CBZ_ERR_FORMAT,
                "chunk frame has %llu streams, the member header %zu", (unsigned long long)ns,
                cbz_plan_streams(p));
    CBZ_FAIL_IF(in_len > CBZ_CHUNK_MAX || n > in_len, err, CBZ_ERR_FORMAT,
                "chunk frame: %llu records in %llu bytes is not possible", (unsigned long long)n,
                (unsigned long long)in_len);
    bool raw = flags & FLAG_RAW, explicit_len = flags & FLAG_EXPLICIT;
    CBZ_FAIL_IF(raw && (n != 0 || explicit_len), err, CBZ_ERR_FORMAT,
                "raw chunk frame with records or lengths");
    CBZ_TRY(work_reserve(w, n ? (size_t)n : 1, (size_t)ns, err));
    uint64_t *count = w->words, *base = w->words + ns, *enc_len = w->words + 2 * ns;
    /* Bytes of all streams together can not pass in_len plus 8 per record. */
    uint64_t limit = in_len + 8 * n, total = 0, enc_total = 0;
    for (size_t s = 0; s < ns; s++) {
        uint64_t bytes;
        CBZ_FAIL_IF(!cbz_cursor_varint(&cur, &count[s]) || !cbz_cursor_varint(&cur, &enc_len[s]),
                    err, CBZ_ERR_FORMAT, "chunk frame stream table truncated");
        CBZ_FAIL_IF(!mul_within(count[s], cbz_plan_stream_desc(p, s).width, limit - total, &bytes),
                    err, CBZ_ERR_FORMAT, "stream %s: %llu values do not fit the chunk",
                    cbz_plan_stream_name(p, s), (unsigned long long)count[s]);
        CBZ_FAIL_IF(enc_len[s] > frame_len, err, CBZ_ERR_FORMAT, "stream %s: length %llu too large",
                    cbz_plan_stream_name(p, s), (unsigned long long)enc_len[s]);
        CBZ_FAIL_IF((count[s] == 0) != (enc_len[s] == 0), err, CBZ_ERR_FORMAT,
                    "stream %s: %llu values in %llu bytes", cbz_plan_stream_name(p, s),
                    (unsigned long long)count[s], (unsigned long long)enc_len[s]);
        base[s] = total;
        total += bytes;
        enc_total += enc_len[s];
    }
    CBZ_FAIL_IF(enc_total != frame_len - cur.pos, err, CBZ_ERR_FORMAT,
                "chunk frame: streams hold %llu bytes, the frame %zu after its table",
                (unsigned long long)enc_total, frame_len - cur.pos);
    uint64_t want_len = explicit_len ? n : 0;
    CBZ_FAIL_IF(count[CBZ_S_RECLEN] != want_len || count[CBZ_S_GAPLEN] != want_len, err,
                CBZ_ERR_FORMAT, "chunk frame: length streams do not match the record count");

    cbz_buf_clear(&w->vals);
    CBZ_FAIL_IF(cbz_buf_reserve_huge(&w->vals, total ? total : 1) != CBZ_OK, err, CBZ_ERR_NOMEM,
                "out of memory (%llu bytes of column values)", (unsigned long long)total);
    /* stream s may refer to streams 0..s-1, restored already (column.h,
     * peers); at[s]: where stream s's decode put its values when it put
     * them straight in the records (base NULL: at their place in vals) */
    cbz_col_peer *peers = malloc((ns ? (size_t)ns : 1) * sizeof *peers);
    cbz_col_rows *at = malloc((ns ? (size_t)ns : 1) * sizeof *at);
    cbz_status rc = CBZ_OK;
    if (!peers || !at)
        rc = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory (%llu column peers)",
                      (unsigned long long)ns);
    if (rc == CBZ_OK)
        rc = decode_streams(p, &cur, count, base, enc_len, n, in_len, explicit_len, w, out, peers,
                            at, err);
    if (rc == CBZ_OK) {
        /* the columns the decoder did not place go to their records now */
        for (size_t c = 0; c < p->n_cols; c++)
            w->ptrs[c] = at[CBZ_SIDE_STREAMS + c].base ? NULL
                                                        : w->vals.data + base[CBZ_SIDE_STREAMS + c];
    }
    free(peers);
    free(at);
    if (rc != CBZ_OK) return rc;
    uint8_t *v = w->vals.data;
    /* the records end where the tail starts */
    const uint64_t end = !explicit_len ? n * p->width
                         : n ? (uint64_t)w->rec_off[n - 1] + w->rec_len[n - 1] : 0;
    CBZ_TRY(cbz_split_gather(p, explicit_len ? w->rec_off : NULL,
                             explicit_len ? w->rec_len : NULL, (size_t)n,
                             (const uint8_t *const *)w->ptrs, count + CBZ_SIDE_STREAMS,
                             v + base[CBZ_S_OVERFLOW], count[CBZ_S_OVERFLOW], out,
                             enc_len /* free again */, err));
    memcpy(out + end, v + base[CBZ_S_TAIL], (size_t)count[CBZ_S_TAIL]);
    if (!explicit_len) /* the records' places, for the caller (engine.h) */
        for (size_t i = 0; i < n; i++) {
            w->rec_off[i] = i * p->width;
            w->rec_len[i] = p->width;
        }
    return CBZ_OK;
}

void cbz_stats_add(cbz_col_stats *total, const cbz_col_stats *chunk)
{
    total->bytes_in += chunk->bytes_in;
    total->bytes_out += chunk->bytes_out;
    total->exceptions += chunk->exceptions;
    for (int i = 0; i < 9; i++) {
        total->layer_out[i] += chunk->layer_out[i];
        total->layer_seconds[i] += chunk->layer_seconds[i];
    }
    if (!chunk->chain[0]) return;
    /* Distinct chains, " | " between them, while they fit. */
    size_t clen = strnlen(chunk->chain, sizeof chunk->chain);
    const char *at = total->chain;
    while ((at = strstr(at, chunk->chain)) != NULL) {
        bool starts = at == total->chain || (at >= total->chain + 3 && at[-1] == ' ');
        bool ends = at[clen] == '\0' || at[clen] == ' ';
        if (starts && ends) return;
        at++;
    }
    size_t have = strlen(total->chain);
    if (have == 0) {
        snprintf(total->chain, sizeof total->chain, "%.*s", (int)clen, chunk->chain);
    } else if (have + 3 + clen < sizeof total->chain) {
        snprintf(total->chain + have, sizeof total->chain - have, " | %.*s", (int)clen,
                 chunk->chain);
    }
}
