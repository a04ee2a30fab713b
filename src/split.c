/*
 * split.c — L2: the split plan (layout columns -> non-overlapping byte ranges
 * of a record) and the transposition of a chunk's records into column streams
 * and back.
 *
 * The plan takes the first view of every REDEFINES (the layout lists columns
 * in declaration order, so the first column to claim a byte wins) or, on
 * request, the last view (columns claimed in reverse order), drops
 * columns that end past the plan width, and fills every uncovered byte range
 * with a RAW gap column.  A record of length L fills the columns that end at
 * or before L (a prefix, since columns are sorted by offset and contiguous);
 * its remaining bytes go to the overflow stream.  So any record length
 * round-trips, and a column's value count is the number of records that
 * reach its end.
 */
#include "engine.h"
#include "bytecopy.h"

#include <assert.h>
#include <stdio.h>

static const char *const side_names[CBZ_SIDE_STREAMS] = {
    "(record lengths)", "(header lengths)", "(headers)", "(overflow)", "(tail)"
};

void cbz_plan_free(cbz_plan *p)
{
    if (!p) return;
    free(p->cols);
    p->cols = NULL;
    p->n_cols = 0;
}

size_t cbz_plan_streams(const cbz_plan *p) { return CBZ_SIDE_STREAMS + p->n_cols; }

cbz_col_desc cbz_plan_stream_desc(const cbz_plan *p, size_t s)
{
    cbz_col_desc d;
    memset(&d, 0, sizeof d);
    if (s >= CBZ_SIDE_STREAMS) return p->cols[s - CBZ_SIDE_STREAMS].desc;
    if (s == CBZ_S_RECLEN || s == CBZ_S_GAPLEN) {
        d.kind = CBZ_COL_BINARY;
        d.digits = 9;
        d.width = 4;
    } else {
        d.kind = CBZ_COL_RAW;
        d.width = 1;
    }
    return d;
}

const char *cbz_plan_stream_name(const cbz_plan *p, size_t s)
{
    return s < CBZ_SIDE_STREAMS ? side_names[s] : p->cols[s - CBZ_SIDE_STREAMS].name;
}

static cbz_status push_col(cbz_plan *p, size_t *cap, uint32_t off, uint32_t width,
                           cbz_col_desc desc, int32_t field, const char *name, cbz_error *err)
{
    if (p->n_cols == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        cbz_plan_column *c = realloc(p->cols, ncap * sizeof *c);
        CBZ_FAIL_IF(!c, err, CBZ_ERR_NOMEM, "out of memory (split plan)");
        p->cols = c;
        *cap = ncap;
    }
    cbz_plan_column *c = &p->cols[p->n_cols++];
    memset(c, 0, sizeof *c);
    c->offset = off;
    c->width = width;
    c->desc = desc;
    c->desc.width = width;
    c->field = field;
    snprintf(c->name, sizeof c->name, "%s", name);
    return CBZ_OK;
}

static int cmp_col_offset(const void *a, const void *b)
{
    const cbz_plan_column *x = a, *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static cbz_col_desc raw_desc(uint32_t width)
{
    cbz_col_desc d;
    memset(&d, 0, sizeof d);
    d.kind = CBZ_COL_RAW;
    d.width = width;
    return d;
}

/* Adds RAW columns for the uncovered ranges of [0, width). */
static cbz_status fill_gaps(cbz_plan *p, size_t *cap, uint32_t width, cbz_error *err)
{
    qsort(p->cols, p->n_cols, sizeof *p->cols, cmp_col_offset);
    size_t n = p->n_cols;
    uint32_t at = 0;
    char name[48];
    for (size_t i = 0; i <= n; i++) {
        uint32_t next = i < n ? p->cols[i].offset : width;
        if (next > at) {
            snprintf(name, sizeof name, "(gap %u-%u)", (unsigned)at + 1, (unsigned)next);
            CBZ_TRY(push_col(p, cap, at, next - at, raw_desc(next - at), -1, name, err));
        }
        if (i < n) at = p->cols[i].offset + p->cols[i].width;
    }
    qsort(p->cols, p->n_cols, sizeof *p->cols, cmp_col_offset);
    return CBZ_OK;
}

cbz_status cbz_plan_build(const cbz_layout *layout, uint32_t width, bool ebcdic, bool last_view,
                          cbz_plan *out, cbz_error *err)
{
    cbz_plan p;
    memset(&p, 0, sizeof p);
    p.mode = CBZ_MODE_RECORDS;
    p.width = width;
    size_t cap = 0;
    cbz_status s = CBZ_OK;
    if (!layout) {
        if (width > 0) s = push_col(&p, &cap, 0, width, raw_desc(width), -1, "(record)", err);
    } else {
        uint32_t span = layout->record_size < width ? layout->record_size : width;
        uint8_t *taken = calloc(span ? span : 1, 1);
        if (!taken) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory (split plan)");
        for (size_t k = 0; k < layout->n_columns && s == CBZ_OK; k++) {
            size_t i = last_view ? layout->n_columns - 1 - k : k;
            const cbz_column *c = &layout->columns[i];
            if (c->size == 0 || c->offset >= span || c->size > span - c->offset) continue;
            bool free_range = true;
            for (uint32_t b = c->offset; b < c->offset + c->size && free_range; b++)
                if (taken[b]) free_range = false;
            if (!free_range) continue;
            memset(taken + c->offset, 1, c->size);
            cbz_col_desc d;
            if (c->field >= 0 && (size_t)c->field < layout->n_fields)
                d = cbz_col_desc_for_field(&layout->fields[c->field], c->size, ebcdic);
            else
                d = raw_desc(c->size);
            s = push_col(&p, &cap, c->offset, c->size, d, c->field, c->name, err);
        }
        free(taken);
        if (s == CBZ_OK) s = fill_gaps(&p, &cap, width, err);
    }
    if (s != CBZ_OK) {
        cbz_plan_free(&p);
        return s;
    }
    *out = p;
    return CBZ_OK;
}

bool cbz_plan_same(const cbz_plan *a, const cbz_plan *b)
{
    if (a->n_cols != b->n_cols || a->width != b->width) return false;
    for (size_t i = 0; i < a->n_cols; i++)
        if (a->cols[i].offset != b->cols[i].offset || a->cols[i].width != b->cols[i].width ||
            memcmp(&a->cols[i].desc, &b->cols[i].desc, sizeof a->cols[i].desc) != 0)
            return false;
    return true;
}

/* ------------------------------------------------------------------------
 * The transposition of whole records (every record plan->width bytes, back
 * to back or not), a block of records at a time: each column's loop over
 * the block has one fixed move, no call per value, and the block's lines
 * stay in the cache while every column takes or gives its values.
 *
 * A value is moved with a fixed-size copy of 8, 16 or a multiple of 32 bytes
 * (the smallest that holds it; the compiler makes each one or two vector
 * moves) when that stays inside the record.  The extra bytes then land on
 * the record's later columns (written after it: within a record the columns
 * go in offset order) or, in a column stream, on the next values' places
 * (written after them).  Columns whose move would pass the record's end are
 * copied exactly, and so are the last records, whose column-side moves would
 * pass a stream's end.  So no byte outside the records and the streams is
 * read or written, and the result is exactly the bytes of an exact copy.
 *
 * Adjacent columns of one move size, 8, 16 or 32, go GROUP_MAX at a time: one
 * loop over the block moves a value of each per record, so the loop's own
 * steps are shared (ledger: 99 columns of 1 to 10 bytes, 4 MiB back to
 * records 0.45 -> 0.38 ms warm).  Fixed records back to back are put back
 * together in a stage on the stack, a block at a time, and the block copied
 * to its place in one pass: a restore's output buffer is cold (last read by
 * the sink chunks before), and the column moves' scattered stores waited on
 * its lines one by one, where one sequential copy streams.  Measured in the
 * restore (median ms a 4 MiB chunk, with the groups; the shared VM's cache
 * is busy, and the more it is the more this gains): transactions 0.65 ->
 * 0.54, customers 0.61 -> 0.50, ledger 0.95 -> 0.66.
 * ---------------------------------------------------------------------- */
enum { MOVE_EXACT = 0, MOVE_8 = 1, MOVE_16 = 2, MOVE_32 = 3 };
enum { GROUP_MAX = 4 };
/* Records per block: about BLOCK_BYTES of them and BLOCK_MIN at least (the
 * loops' own costs are per column and block: ledger's 99 columns took 15%
 * longer with blocks of 25 records), no more than the stage holds. */
enum { BLOCK_BYTES = 12 << 10, BLOCK_MIN = 48, BLOCK_MAX = 256, STAGE_BYTES = 32 << 10 };

/* True when no column in place already (col_vals[k] NULL: cbz_split_gather)
 * lies in the span bytes from column c's offset, which an over-long move of
 * column c writes. */
static bool spill_clear(const cbz_plan *p, const uint8_t *const *col_vals, size_t c, size_t span)
{
    const size_t end = (size_t)p->cols[c].offset + span;
    for (size_t k = c + 1; k < p->n_cols && p->cols[k].offset < end; k++)
        if (!col_vals[k]) return false;
    return true;
}

#define MOVE_OFF(m) ((size_t)(((m) >> 32) & 0x3fffffffu))
#define MOVE_WIDTH(m) ((size_t)(((m) >> 2) & 0x3fffffffu))
#define MOVE_CLASS(m) ((unsigned)((m) & 3u))
#define MOVE_GROUP(m) ((size_t)((m) >> 62) + 1)

/* One word per column: offset (bits 32..61), width (bits 2..31), move class
 * (bits 0..1), and in the first column of a group the group's size less one
 * (bits 62..63; 0 in the others).  Returns how many last records must be
 * copied exactly.  col_vals: the columns (NULL: in place already, moved
 * neither way; never in a group). */
static size_t moves_plan(const cbz_plan *p, size_t n, const uint8_t *const *col_vals,
                         uint64_t *moves)
{
    size_t tail = 0;
    for (size_t c = 0; c < p->n_cols; c++) {
        uint64_t o = p->cols[c].offset, w = p->cols[c].width;
        /* up to 16 bytes: 16 where it fits (so that neighbours of 1..8 and
         * 9..16 bytes share a class and a group), else 8 */
        uint64_t mv = w <= 16 ? 16 : (w + 31) / 32 * 32;
        unsigned cls = w <= 16 ? MOVE_16 : MOVE_32;
        if (o + mv > p->width || !spill_clear(p, col_vals, c, (size_t)mv)) {
            mv = 8;
            cls = w <= 8 && o + 8 <= p->width && spill_clear(p, col_vals, c, 8) ? MOVE_8
                                                                              : MOVE_EXACT;
        }
        moves[c] = o << 32 | w << 2 | cls;
        /* values of this column whose move passes the stream's end */
        size_t k = cls == MOVE_EXACT ? 0 : (size_t)((mv - w + w - 1) / w);
        if (k > tail) tail = k;
    }
    for (size_t c = 0; c < p->n_cols;) {
        const unsigned cls = MOVE_CLASS(moves[c]);
        size_t k = 1;
        /* a group's values all move with one size: 32 only for widths up
         * to 32 (text columns side by side: a name and a city) */
        if (col_vals[c] && (cls == MOVE_8 || cls == MOVE_16 ||
                            (cls == MOVE_32 && MOVE_WIDTH(moves[c]) <= 32)))
            while (k < GROUP_MAX && c + k < p->n_cols && col_vals[c + k] &&
                   MOVE_CLASS(moves[c + k]) == cls &&
                   (cls != MOVE_32 || MOVE_WIDTH(moves[c + k]) <= 32))
                k++;
        moves[c] |= (uint64_t)(k - 1) << 62;
        c += k;
    }
    return tail < n ? tail : n;
}

/* Records per block of the variable-length gather: about 16 KiB of them, 8
 * at least. */
static size_t block_records(size_t width)
{
    size_t b = width ? ((size_t)16 << 10) / width : 64;
    return b < 8 ? 8 : b > 256 ? 256 : b;
}

/* n values of one column: value i between col + i*w and rec(i) + off, where
 * rec(i) = base + rec_off[i], or base + i*stride when rec_off is NULL (fixed
 * records back to back: no offsets to load); to_col says which way. */
static inline void move_column(uint8_t *col, uint8_t *base, const size_t *rec_off,
                               size_t stride, size_t n, size_t off, size_t w, unsigned cls,
                               bool to_col)
{
    uint8_t *b = base + off;
#define MOVE_LOOP(COPY)                                                              \
    if (rec_off) {                                                                   \
        for (size_t i = 0; i < n; i++) {                                             \
            uint8_t *r = b + rec_off[i], *v = col + i * w;                           \
            if (to_col) COPY(v, r); else COPY(r, v);                                 \
        }                                                                            \
    } else {                                                                         \
        for (size_t i = 0; i < n; i++) {                                             \
            uint8_t *r = b + i * stride, *v = col + i * w;                           \
            if (to_col) COPY(v, r); else COPY(r, v);                                 \
        }                                                                            \
    }
#define COPY8(d, s) memcpy((d), (s), 8)
#define COPY16(d, s) memcpy((d), (s), 16)
#define COPY32(d, s) for (size_t j = 0; j < w; j += 32) memcpy((d) + j, (s) + j, 32)
#define COPY32_1(d, s) memcpy((d), (s), 32)
#define COPY32_2(d, s) memcpy((d), (s), 64)
#define COPYX(d, s) cbz_copy_exact((d), (s), w)
    switch (cls) {
    case MOVE_8: MOVE_LOOP(COPY8); break;
    case MOVE_16: MOVE_LOOP(COPY16); break;
    case MOVE_32:
        /* the common widths (up to 64) in one fixed move, without COPY32's
         * loop and branch per value (customers, 10 columns of 19 to 40
         * bytes: to columns 0.40 -> 0.385 ms a 4 MiB chunk, back 0.46 ->
         * 0.43) */
        if (w <= 32) { MOVE_LOOP(COPY32_1) }
        else if (w <= 64) { MOVE_LOOP(COPY32_2) }
        else { MOVE_LOOP(COPY32) }
        break;
    default: MOVE_LOOP(COPYX);
    }
#undef COPY8
#undef COPY16
#undef COPY32
#undef COPY32_1
#undef COPY32_2
#undef COPYX
#undef MOVE_LOOP
}

/* n values of each of the k (2..GROUP_MAX) columns of a group, every one
 * moved with sz bytes (its class): as move_column, the values from the
 * group's first record on (col[j] already at it). */
static inline __attribute__((always_inline)) void move_group_k(
    uint8_t *const *col, const uint64_t *mv, size_t k, size_t sz, uint8_t *base,
    const size_t *rec_off, size_t stride, size_t n, bool to_col)
{
    uint8_t *v0 = col[0], *v1 = col[1], *v2 = k > 2 ? col[2] : NULL, *v3 = k > 3 ? col[3] : NULL;
    const size_t w0 = MOVE_WIDTH(mv[0]), w1 = MOVE_WIDTH(mv[1]);
    const size_t w2 = k > 2 ? MOVE_WIDTH(mv[2]) : 0, w3 = k > 3 ? MOVE_WIDTH(mv[3]) : 0;
    const size_t o0 = MOVE_OFF(mv[0]), o1 = MOVE_OFF(mv[1]);
    const size_t o2 = k > 2 ? MOVE_OFF(mv[2]) : 0, o3 = k > 3 ? MOVE_OFF(mv[3]) : 0;
    /* within a record in offset order: an over-long move's extra bytes are
     * written again by the next column's */
#define MOVE_ONE(j)                                                                  \
    if ((j) < k) {                                                                   \
        if (to_col) memcpy(v##j, r + o##j, sz); else memcpy(r + o##j, v##j, sz);     \
        v##j += w##j;                                                                \
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t *r = rec_off ? base + rec_off[i] : base + i * stride;
        MOVE_ONE(0) MOVE_ONE(1) MOVE_ONE(2) MOVE_ONE(3)
    }
#undef MOVE_ONE
}

/* move_group_k with k, sz, the way and the record addressing made constants
 * (one loop each). */
static void move_group(uint8_t *const *col, const uint64_t *mv, size_t k, uint8_t *base,
                       const size_t *rec_off, size_t stride, size_t n, bool to_col)
{
    const unsigned cls = MOVE_CLASS(mv[0]);
#define GROUP_WAYS(K, SZ)                                                                \
    if (rec_off && to_col) move_group_k(col, mv, K, SZ, base, rec_off, 0, n, true);       \
    else if (rec_off) move_group_k(col, mv, K, SZ, base, rec_off, 0, n, false);           \
    else if (to_col) move_group_k(col, mv, K, SZ, base, NULL, stride, n, true);           \
    else move_group_k(col, mv, K, SZ, base, NULL, stride, n, false);
#define GROUP_CASE(K)                                                                    \
    case K:                                                                              \
        if (cls == MOVE_8) { GROUP_WAYS(K, 8) }                                          \
        else if (cls == MOVE_16) { GROUP_WAYS(K, 16) }                                   \
        else { GROUP_WAYS(K, 32) }                                                       \
        break;
    switch (k) {
    GROUP_CASE(2)
    GROUP_CASE(3)
    default: /* GROUP_MAX */
        if (cls == MOVE_8) { GROUP_WAYS(4, 8) }
        else if (cls == MOVE_16) { GROUP_WAYS(4, 16) }
        else { GROUP_WAYS(4, 32) }
    }
#undef GROUP_CASE
#undef GROUP_WAYS
}

/* Asks for the lines at p + q, q = 0, 64, ... below len (for writing or for
 * reading), four to a loop step: these loops' own steps were a fifth of the
 * transposition's instructions (ledger, a line a step). */
static inline __attribute__((always_inline)) void fetch_lines(const uint8_t *p, size_t len,
                                                              bool for_write)
{
    size_t q = 0;
#define FETCH(a) (for_write ? __builtin_prefetch((a), 1, 3) : __builtin_prefetch((a), 0, 3))
    for (; q + 192 < len; q += 256) {
        FETCH(p + q);
        FETCH(p + q + 64);
        FETCH(p + q + 128);
        FETCH(p + q + 192);
    }
    for (; q < len; q += 64) FETCH(p + q);
#undef FETCH
}

/* Records to columns (to_col) or back, records [0, n) of the chunk; rec_off
 * NULL: record i at data + i * p->width.  A NULL column is left as it is
 * (back to records: its values are in place already). */
static void transpose_full(const cbz_plan *p, uint8_t *data, const size_t *rec_off, size_t n,
                           uint8_t *const *col_vals, uint64_t *moves, bool to_col)
{
    const size_t stride = p->width, nc = p->n_cols;
    size_t bn = stride ? BLOCK_BYTES / stride : BLOCK_MAX;
    bn = bn < BLOCK_MIN ? BLOCK_MIN : bn > BLOCK_MAX ? BLOCK_MAX : bn;
    if (stride && bn * stride > STAGE_BYTES)
        bn = STAGE_BYTES / stride > 8 ? STAGE_BYTES / stride : 8;
    const size_t tail = moves_plan(p, n, (const uint8_t *const *)col_vals, moves);
    size_t passes = 0; /* loops over a block: groups and lone columns moved */
    for (size_t c = 0; c < nc; c += MOVE_GROUP(moves[c])) passes += col_vals[c] != NULL;
    passes = passes ? passes : 1;
    /* the stage: back to records, fixed records back to back, every column
     * moved (a column in place already has its bytes in data only) */
    uint8_t stage[STAGE_BYTES] __attribute__((aligned(64)));
    bool staged = !to_col && !rec_off && bn * stride <= sizeof stage;
    for (size_t c = 0; c < nc && staged; c++) staged = col_vals[c] != NULL;
    for (size_t i0 = 0; i0 < n; i0 += bn) {
        size_t m = n - i0 < bn ? n - i0 : bn;
        /* the records of this block whose moves may all be over-long */
        size_t fast = i0 + m <= n - tail ? m : n - tail > i0 ? n - tail - i0 : 0;
        /* A chunk's records and column streams are far bigger than the
         * caches: the next block's records and each column's next values are
         * fetched (for reading or for writing) while this block is moved, so
         * the moves do not wait on memory.  A cold 4 MiB chunk back to
         * records took 0.50 ms where it took 0.63 (transactions), 0.49 where
         * 0.79 (ledger); to columns 0.55 where 1.25 (ledger).  The records'
         * lines are asked for a slice before each pass over the block, not
         * all at its start: a burst of hundreds (a block is 12 to 32 KiB)
         * fills the core's queue of misses, and the moves behind it wait.
         * To columns 0.54 -> 0.40 ms a 4 MiB chunk (transactions), 0.60 ->
         * 0.40 (customers), 0.50 -> 0.46 (ledger). */
        bool ahead = i0 + m < n;
        size_t next = ahead ? (n - i0 - m < bn ? n - i0 - m : bn) : 0;
        const uint8_t *next_rec = ahead && !rec_off ? data + (i0 + m) * stride : NULL;
        const size_t pf_end = next_rec ? next * stride : 0;
        const size_t pf_slice = (pf_end / passes + 63) / 64 * 64; /* passes slices cover it */
        size_t pf = 0;
        /* record i of the block at rec + i * stride, or data + rec_off[i0 + i] */
        uint8_t *rec = staged ? stage : rec_off ? data : data + i0 * stride;
        const size_t *roff = rec_off ? rec_off + i0 : NULL;
        for (size_t c = 0; c < nc;) {
            const size_t k = MOVE_GROUP(moves[c]);
            if (!col_vals[c]) {
                c++;
                continue;
            }
            uint8_t *col[GROUP_MAX];
            for (size_t j = 0; j < k; j++) {
                const size_t w = MOVE_WIDTH(moves[c + j]);
                col[j] = col_vals[c + j] + i0 * w;
                if (!ahead) continue;
                if (to_col) fetch_lines(col[j] + m * w, next * w, true);
                else fetch_lines(col[j] + m * w, next * w, false);
            }
            if (pf < pf_end) {
                const size_t e = pf + pf_slice < pf_end ? pf + pf_slice : pf_end;
                if (to_col) fetch_lines(next_rec + pf, e - pf, false);
                else fetch_lines(next_rec + pf, e - pf, true);
                pf = e;
            }
            if (k > 1) move_group(col, moves + c, k, rec, roff, stride, fast, to_col);
            for (size_t j = 0; j < k; j++) {
                const uint64_t mv = moves[c + j];
                const size_t w = MOVE_WIDTH(mv), off = MOVE_OFF(mv);
                if (k == 1)
                    move_column(col[j], rec, roff, stride, fast, off, w, MOVE_CLASS(mv), to_col);
                if (fast < m) /* the last records only */
                    move_column(col[j] + fast * w, roff ? rec : rec + fast * stride,
                                roff ? roff + fast : NULL, stride, m - fast, off, w, MOVE_EXACT,
                                to_col);
            }
            c += k;
        }
        if (staged) memcpy(data + i0 * stride, stage, m * stride);
    }
}

/* Number of leading columns that a record of len bytes fills completely. */
static inline size_t cols_filled(const cbz_plan *p, size_t len)
{
    if (len >= p->width) return p->n_cols;
    size_t k = 0;
    while (k < p->n_cols && (size_t)p->cols[k].offset + p->cols[k].width <= len) k++;
    return k;
}

/* cols_filled with the answers for the last two lengths kept: variable
 * records (segments of a VB file) come in a few lengths that alternate. */
typedef struct fill_memo {
    size_t len[2], k[2];
    int next;
} fill_memo;

static inline void fill_memo_init(fill_memo *m)
{
    m->len[0] = m->len[1] = SIZE_MAX;
    m->k[0] = m->k[1] = 0;
    m->next = 0;
}

static inline size_t cols_filled_memo(const cbz_plan *p, fill_memo *m, size_t len)
{
    if (len == m->len[0]) return m->k[0];
    if (len == m->len[1]) return m->k[1];
    size_t k = cols_filled(p, len);
    m->len[m->next] = len;
    m->k[m->next] = k;
    m->next ^= 1;
    return k;
}

/* The shape of a block of m variable-length records (lengths blen), for the
 * block-wise scatter and gather: kb[i] the columns record i fills, the
 * fewest (kmin) and most (kmax) of them, the shortest record (minlen), and
 * in longer[] the records past the fewest; returns their count. */
static size_t block_shape(const cbz_plan *p, fill_memo *memo, const size_t *blen, size_t m,
                          uint32_t *kb, uint16_t *longer, size_t *kmin, size_t *kmax,
                          size_t *minlen)
{
    size_t lo = p->n_cols, hi = 0, shortest = SIZE_MAX;
    for (size_t i = 0; i < m; i++) {
        size_t k = cols_filled_memo(p, memo, blen[i]);
        kb[i] = (uint32_t)k;
        lo = k < lo ? k : lo;
        hi = k > hi ? k : hi;
        shortest = blen[i] < shortest ? blen[i] : shortest;
    }
    size_t nl = 0;
    for (size_t i = 0; i < m; i++) {
        longer[nl] = (uint16_t)i;
        nl += kb[i] > lo;
    }
    *kmin = lo;
    *kmax = hi;
    *minlen = shortest;
    return nl;
}

void cbz_split_count(const cbz_plan *p, const size_t *rec_len, size_t n, uint64_t *col_counts,
                     uint64_t *overflow)
{
    for (size_t c = 0; c < p->n_cols; c++) col_counts[c] = 0;
    uint64_t ov = 0;
    bool all_full = true;
    for (size_t i = 0; i < n; i++)
        if (rec_len[i] != p->width) { all_full = false; break; }
    if (all_full) {
        for (size_t c = 0; c < p->n_cols; c++) col_counts[c] = n;
        *overflow = 0;
        return;
    }
    fill_memo memo;
    fill_memo_init(&memo);
    for (size_t i = 0; i < n; i++) {
        size_t k = cols_filled_memo(p, &memo, rec_len[i]);
        if (k) col_counts[k - 1]++; /* a histogram of k; summed from the right below */
        size_t held = k ? (size_t)p->cols[k - 1].offset + p->cols[k - 1].width : 0;
        ov += rec_len[i] - held;
    }
    for (size_t c = p->n_cols; c-- > 1;) col_counts[c - 1] += col_counts[c];
    *overflow = ov;
}

/* The values of column c (col_counts[c] of them) that the variable-length
 * scatter may move with its longest move (16 bytes for up to 16, whole 32s
 * beyond): those before the last ones, whose move would pass the stream's
 * end. */
static inline uint64_t scatter_safe(const cbz_plan *p, const uint64_t *col_counts, size_t c)
{
    const size_t w = p->cols[c].width;
    const size_t span = w <= 16 ? 16 : (w + 31) / 32 * 32;
    const size_t over = (span - w + w - 1) / w; /* values whose move writes past */
    return col_counts[c] > over ? col_counts[c] - over : 0;
}

void cbz_split_scatter(const cbz_plan *p, const uint8_t *data, const size_t *rec_off,
                       const size_t *rec_len, size_t n, uint8_t *const *col_vals,
                       const uint64_t *col_counts, uint8_t *overflow, uint64_t *scratch)
{
    size_t nc = p->n_cols;
    if (!rec_off) {
        /* fixed records back to back (cbz_split_scatter_fixed) */
        transpose_full(p, (uint8_t *)data, NULL, n, col_vals, scratch, true);
        return;
    }
    bool all_full = true;
    for (size_t i = 0; i < n; i++)
        if (rec_len[i] != p->width) { all_full = false; break; }
    if (all_full) {
        /* read only: the records are not written in this direction */
        transpose_full(p, (uint8_t *)data, rec_off, n, col_vals, scratch, true);
        return;
    }
    /* Records of any lengths, a block at a time as cbz_split_gather puts
     * them back (the same moves the other way): the columns that every
     * record of the block fills go as in transpose_full, the others take
     * their values from the longer records in record order.  An over-long
     * move writes over the next values' places (written after it), never
     * past its stream's end (the counts cbz_split_count gave,
     * scatter_safe), and reads its record's bytes or those after it up to
     * the end of the chunk's last record (data_end): the next header and
     * record, only read in this direction.  So a VB file's detail segment
     * (72 bytes) moves its last columns, a 40-byte text and a flag, with
     * over-long moves too, not value by value exactly (-12% of the scatter's
     * instructions).  scratch[c]: the values column c has taken so far. */
    size_t data_end = 0;
    for (size_t i = 0; i < n; i++)
        data_end = rec_off[i] + rec_len[i] > data_end ? rec_off[i] + rec_len[i] : data_end;
    for (size_t c = 0; c < nc; c++) scratch[c] = 0;
    fill_memo memo;
    fill_memo_init(&memo);
    const size_t bn = block_records(p->width);
    uint32_t kb[256];          /* columns filled, per record of the block */
    uint16_t longer[256];      /* the records of the block past the fewest columns */
    assert(bn <= sizeof kb / sizeof kb[0]); /* block_records: at most 256 */
    for (size_t i0 = 0; i0 < n; i0 += bn) {
        const size_t m = n - i0 < bn ? n - i0 : bn;
        const size_t *boff = rec_off + i0, *blen = rec_len + i0;
        size_t kmin, kmax, minlen;
        const size_t nl = block_shape(p, &memo, blen, m, kb, longer, &kmin, &kmax, &minlen);
        /* bytes readable from every record's start of the block */
        size_t last = 0;
        for (size_t i = 0; i < m; i++) last = boff[i] > last ? boff[i] : last;
        const size_t reach = data_end - last > minlen ? data_end - last : minlen;
        for (size_t c = 0; c < kmax; c++) {
            const size_t w = p->cols[c].width, off = p->cols[c].offset;
            const size_t span = w <= 8 ? 8 : w <= 16 ? 16 : (w + 31) / 32 * 32;
            const uint64_t safe = scatter_safe(p, col_counts, c), j = scratch[c];
            uint8_t *col = col_vals[c];
            /* Adjacent columns of up to 16 bytes that every record of the
             * block fills go GROUP_MAX at a time, each value moved with 16
             * bytes (as transpose_full's groups): one loop over the block. */
            size_t g = 0, gfast = m;
            uint64_t gmv[GROUP_MAX];
            uint8_t *gcol[GROUP_MAX];
            while (g < GROUP_MAX && c + g < kmin && p->cols[c + g].width <= 16 &&
                   (size_t)p->cols[c + g].offset + 16 <= reach) {
                const uint64_t gw = p->cols[c + g].width, go = p->cols[c + g].offset;
                const uint64_t gs = scatter_safe(p, col_counts, c + g), gj = scratch[c + g];
                const size_t f = gj >= gs ? 0 : gs - gj < m ? (size_t)(gs - gj) : m;
                gfast = f < gfast ? f : gfast;
                gmv[g] = go << 32 | gw << 2 | MOVE_16;
                gcol[g] = col_vals[c + g] + gj * gw;
                g++;
            }
            if (g > 1) {
                move_group(gcol, gmv, g, (uint8_t *)data, boff, 0, gfast, true);
                for (size_t q = 0; q < g; q++) {
                    const size_t gw = MOVE_WIDTH(gmv[q]);
                    move_column(gcol[q] + gfast * gw, (uint8_t *)data, boff + gfast, 0, m - gfast,
                                MOVE_OFF(gmv[q]), gw, MOVE_EXACT, true);
                    scratch[c + q] += m;
                }
                c += g - 1;
                continue;
            }
            if (c < kmin) {
                unsigned cls = w <= 8 ? MOVE_8 : w <= 16 ? MOVE_16 : MOVE_32;
                if (off + span > reach) cls = MOVE_EXACT;
                size_t fast = j >= safe ? 0 : safe - j < m ? (size_t)(safe - j) : m;
                move_column(col + j * w, (uint8_t *)data, boff, 0, fast, off, w, cls, true);
                move_column(col + (j + fast) * w, (uint8_t *)data, boff + fast, 0, m - fast, off,
                            w, MOVE_EXACT, true);
                scratch[c] += m;
                continue;
            }
            uint64_t t = j;
            for (size_t q = 0; q < nl; q++) {
                const size_t i = longer[q];
                if (kb[i] <= c) continue;
                const uint8_t *r = data + boff[i] + off;
                uint8_t *v = col + t * w;
                if (t < safe && boff[i] + off + span <= data_end) {
                    if (w <= 8) memcpy(v, r, 8);
                    else if (w <= 16) memcpy(v, r, 16);
                    else for (size_t b = 0; b < w; b += 32) memcpy(v + b, r + b, 32);
                } else {
                    cbz_copy_exact(v, r, w);
                }
                t++;
            }
            scratch[c] += t - j;
        }
        for (size_t i = 0; i < m; i++) {
            const size_t k = kb[i];
            const size_t held = k ? (size_t)p->cols[k - 1].offset + p->cols[k - 1].width : 0;
            const size_t rest = blen[i] - held;
            if (rest) {
                cbz_copy_exact(overflow, data + boff[i] + held, rest);
                overflow += rest;
            }
        }
    }
}

cbz_status cbz_split_gather(const cbz_plan *p, const size_t *rec_off, const size_t *rec_len,
                            size_t n, const uint8_t *const *col_vals, const uint64_t *col_counts,
                            const uint8_t *overflow, uint64_t overflow_len, uint8_t *out,
                            uint64_t *scratch, cbz_error *err)
{
    size_t nc = p->n_cols;
    if (!rec_off) {
        /* n records of p->width bytes back to back: every column gives n
         * values and there is no overflow */
        for (size_t c = 0; c < nc; c++) {
            CBZ_FAIL_IF(col_counts[c] < n, err, CBZ_ERR_FORMAT,
                        "column %s has fewer values than records", p->cols[c].name);
            CBZ_FAIL_IF(col_counts[c] > n, err, CBZ_ERR_FORMAT,
                        "column %s has more values than records", p->cols[c].name);
        }
        CBZ_FAIL_IF(overflow_len != 0, err, CBZ_ERR_FORMAT,
                    "overflow stream has %llu bytes left over", (unsigned long long)overflow_len);
        transpose_full(p, out, NULL, n, (uint8_t *const *)col_vals, scratch, false);
        return CBZ_OK;
    }
    bool all_full = true;
    /* back to back: record i at i * width (no offsets to load) */
    bool packed = n == 0 || (rec_off[0] == 0 && rec_off[n - 1] == (n - 1) * p->width);
    for (size_t i = 0; i < n && all_full; i++) {
        all_full = rec_len[i] == p->width;
        packed = packed && rec_off[i] == i * p->width;
    }
    for (size_t c = 0; c < nc && all_full; c++) all_full = col_counts[c] == n;
    if (all_full && overflow_len == 0) {
        /* the streams are only read in this direction */
        transpose_full(p, out, packed ? NULL : rec_off, n, (uint8_t *const *)col_vals, scratch,
                       false);
        return CBZ_OK;
    }
    /* Records of any lengths.  First the counts: how many values each column
     * gives and how many overflow bytes the records take, checked against
     * the streams before any byte moves (so the moves need no checks). */
    uint64_t *need = scratch;      /* values column c gives, then taken so far */
    for (size_t c = 0; c < nc; c++) need[c] = 0;
    uint64_t ov = 0;
    fill_memo memo;
    fill_memo_init(&memo);
    for (size_t i = 0; i < n; i++) {
        size_t k = cols_filled_memo(p, &memo, rec_len[i]);
        if (k) need[k - 1]++;      /* a histogram of k; summed from the right below */
        size_t held = k ? (size_t)p->cols[k - 1].offset + p->cols[k - 1].width : 0;
        ov += rec_len[i] - held;
        CBZ_FAIL_IF(ov > overflow_len, err, CBZ_ERR_FORMAT,
                    "overflow stream too short at record %zu of the chunk", i + 1);
    }
    for (size_t c = nc; c-- > 1;) need[c - 1] += need[c];
    for (size_t c = 0; c < nc; c++) {
        CBZ_FAIL_IF(need[c] > col_counts[c], err, CBZ_ERR_FORMAT,
                    "column %s has fewer values than records", p->cols[c].name);
        CBZ_FAIL_IF(need[c] < col_counts[c], err, CBZ_ERR_FORMAT,
                    "column %s has more values than records", p->cols[c].name);
    }
    CBZ_FAIL_IF(ov != overflow_len, err, CBZ_ERR_FORMAT,
                "overflow stream has %llu bytes left over", (unsigned long long)(overflow_len - ov));

    /* Then the moves, a block of records at a time as transpose_full does
     * (runs of one length are short in a VB file: a header segment, then a
     * few details, so one pass per run and column cost more than the moves).
     * In a block, the columns that every record fills go as in
     * transpose_full; those that only the longer records reach take their
     * values from those records, in record order.  An over-long move must
     * stay in its record (its extra bytes are written again by the later
     * columns or the overflow bytes, which come after) and must not read
     * past its stream's end (the last values of a stream are copied
     * exactly). */
    uint64_t *taken = scratch;
    for (size_t c = 0; c < nc; c++) taken[c] = 0;
    ov = 0;
    fill_memo_init(&memo);
    const size_t bn = block_records(p->width);
    uint32_t kb[256];          /* columns filled, per record of the block */
    uint16_t longer[256];      /* the records of the block past the fewest columns */
    assert(bn <= sizeof kb / sizeof kb[0]); /* block_records: at most 256 */
    for (size_t i0 = 0; i0 < n; i0 += bn) {
        const size_t m = n - i0 < bn ? n - i0 : bn;
        const size_t *boff = rec_off + i0, *blen = rec_len + i0;
        size_t kmin, kmax, minlen;
        const size_t nl = block_shape(p, &memo, blen, m, kb, longer, &kmin, &kmax, &minlen);
        for (size_t c = 0; c < kmax; c++) {
            const size_t w = p->cols[c].width, off = p->cols[c].offset;
            const size_t span = w <= 8 ? 8 : w <= 16 ? 16 : (w + 31) / 32 * 32;
            const size_t over = (span - w + w - 1) / w; /* values whose move reads past */
            const uint64_t safe = col_counts[c] > over ? col_counts[c] - over : 0;
            const uint64_t j = taken[c];
            const uint8_t *col = col_vals[c];
            if (!col) continue; /* in place already */
            const bool clear = spill_clear(p, col_vals, c, span);
            if (c < kmin) {
                unsigned cls = w <= 8 ? MOVE_8 : w <= 16 ? MOVE_16 : MOVE_32;
                if (off + span > minlen || !clear) cls = MOVE_EXACT;
                size_t fast = j >= safe ? 0 : safe - j < m ? (size_t)(safe - j) : m;
                move_column((uint8_t *)col + j * w, out, boff, 0, fast, off, w, cls, false);
                move_column((uint8_t *)col + (j + fast) * w, out, boff + fast, 0, m - fast, off,
                            w, MOVE_EXACT, false);
                taken[c] = j + m;
                continue;
            }
            uint64_t t = j;
            for (size_t q = 0; q < nl; q++) {
                const size_t i = longer[q];
                if (kb[i] <= c) continue;
                uint8_t *r = out + boff[i] + off;
                const uint8_t *v = col + t * w;
                if (t < safe && off + span <= blen[i] && clear) {
                    if (w <= 8) memcpy(r, v, 8);
                    else if (w <= 16) memcpy(r, v, 16);
                    else for (size_t b = 0; b < w; b += 32) memcpy(r + b, v + b, 32);
                } else {
                    cbz_copy_exact(r, v, w);
                }
                t++;
            }
            taken[c] = t;
        }
        for (size_t i = 0; i < m; i++) {
            const size_t k = kb[i];
            const size_t held = k ? (size_t)p->cols[k - 1].offset + p->cols[k - 1].width : 0;
            const size_t rest = blen[i] - held;
            if (rest) {
                cbz_copy_exact(out + boff[i] + held, overflow + ov, rest);
                ov += rest;
            }
        }
    }
    return CBZ_OK;
}
