/*
 * engine.h — the compression engine: the split plan (which byte ranges of a
 * record become which column), L1 chunk planning, and the pure per-chunk work
 * (chunk bytes in -> frame bytes out, and back) that the container stores.
 *
 * Every chunk is independent: cbz_chunk_encode and cbz_chunk_decode read only
 * their arguments and their own work buffers, so chunks can run on separate
 * threads (one cbz_chunk_work per thread) and their frames be written in chunk
 * order; the result does not depend on the thread count.
 *
 * Streams of a chunk, in frame order (docs/FORMAT.md "Chunk frame"):
 *   0 reclen    record payload lengths, u32 big-endian (only when explicit)
 *   1 gaplen    header bytes before each record, u32 big-endian (only when explicit)
 *   2 headers   the header bytes (RDW/BDW), each RDW XOR its predicted value
 *   3 overflow  record bytes not held by a column (record longer or shorter
 *               than the plan width), in record order
 *   4 tail      bytes after the last record of the chunk (an unframed rest)
 *   5..         one stream per plan column
 */
#ifndef CBZ_ENGINE_H
#define CBZ_ENGINE_H

#include "column.h"
#include "internal.h"

#define CBZ_SIDE_STREAMS 5
enum { CBZ_S_RECLEN = 0, CBZ_S_GAPLEN = 1, CBZ_S_HEADERS = 2, CBZ_S_OVERFLOW = 3, CBZ_S_TAIL = 4 };

/* Member modes. */
enum { CBZ_MODE_GENERIC = 0, CBZ_MODE_RECORDS = 1 };

/* The largest chunk (input bytes) a member may declare; the reader refuses more. */
#define CBZ_CHUNK_MAX ((uint64_t)1 << 31)
#define CBZ_CHUNK_DEFAULT ((uint64_t)4 << 20)

typedef struct cbz_plan_column {
    uint32_t offset;               /* in the record */
    uint32_t width;
    cbz_col_desc desc;
    int32_t field;                 /* layout field, -1 for a gap column */
    char name[CBZ_COLUMN_NAME_MAX];
} cbz_plan_column;

/* How records are cut into columns.  Columns are sorted by offset, do not
 * overlap and cover [0, width) exactly. */
typedef struct cbz_plan {
    uint8_t mode;                  /* CBZ_MODE_* */
    cbz_record_format fmt;
    uint32_t width;                /* record bytes held by columns */
    cbz_plan_column *cols;
    size_t n_cols;
} cbz_plan;

/* split.c: builds the plan.  layout may be NULL: then one RAW column of
 * `width` bytes (none when width is 0).  With a layout, the first view of
 * every REDEFINES is taken (the last one when last_view), columns past
 * `width` are dropped and uncovered bytes become RAW gap columns. */
cbz_status cbz_plan_build(const cbz_layout *layout, uint32_t width, bool ebcdic, bool last_view,
                          cbz_plan *out, cbz_error *err);
/* True when both plans cut records the same way. */
bool cbz_plan_same(const cbz_plan *a, const cbz_plan *b);
void cbz_plan_free(cbz_plan *p);
size_t cbz_plan_streams(const cbz_plan *p);  /* CBZ_SIDE_STREAMS + n_cols */
/* Descriptor and display name of stream s. */
cbz_col_desc cbz_plan_stream_desc(const cbz_plan *p, size_t s);
const char *cbz_plan_stream_name(const cbz_plan *p, size_t s);

/* L2 (split.c).  col_counts[c] = values of column c for records of the given
 * lengths; *overflow = record bytes no column holds. */
void cbz_split_count(const cbz_plan *p, const size_t *rec_len, size_t n, uint64_t *col_counts,
                     uint64_t *overflow);
/* Records (data + rec_off[i], rec_len[i] bytes) to column streams (col_vals[c]
 * of col_counts[c] values, as cbz_split_count gave them) and the overflow
 * stream.  Every byte from data to the last record's end must be readable:
 * a move may read past its record, never past that.  scratch: n_cols words.
 * rec_off and rec_len both NULL: n records of p->width bytes back to back
 * from data (no overflow). */
void cbz_split_scatter(const cbz_plan *p, const uint8_t *data, const size_t *rec_off,
                       const size_t *rec_len, size_t n, uint8_t *const *col_vals,
                       const uint64_t *col_counts, uint8_t *overflow, uint64_t *scratch);
/* The inverse: writes record i at out + rec_off[i] (rec_off and rec_len both
 * NULL: n records of p->width bytes back to back from out).  Checks that the
 * streams hold exactly the values the record lengths call for.  A NULL
 * col_vals[c] is a column whose values are in their records already (the
 * decoder put them there): its bytes are left as they are. */
cbz_status cbz_split_gather(const cbz_plan *p, const size_t *rec_off, const size_t *rec_len,
                            size_t n, const uint8_t *const *col_vals, const uint64_t *col_counts,
                            const uint8_t *overflow, uint64_t overflow_len, uint8_t *out,
                            uint64_t *scratch, cbz_error *err);

/* One chunk: a byte range of the input holding whole records (or none). */
typedef struct cbz_chunk_info {
    uint64_t in_offset;
    uint64_t in_len;
    uint64_t first_record;         /* 0-based number of its first record */
    uint64_t n_records;
    uint32_t block_left;           /* VB framing state at the chunk start */
    bool raw;                      /* no records: all bytes are tail */
} cbz_chunk_info;

/* L1 planner state, carried from one chunk to the next. */
typedef struct cbz_framer {
    const cbz_plan *plan;
    uint64_t chunk_size;
    uint64_t offset;               /* input offset of the next chunk */
    uint64_t records;              /* records so far */
    uint32_t block_left;
    bool raw;                      /* framing failed: the rest is raw chunks */
} cbz_framer;

void cbz_framer_init(cbz_framer *f, const cbz_plan *plan, uint64_t chunk_size);
/* Plans the next chunk from data[0..avail), the input from f->offset on.
 * at_eof says that no bytes follow.  Returns false (plans nothing) when more
 * input is needed to decide, which happens only when !at_eof.  With avail == 0
 * and at_eof there is no next chunk: returns true with ci->in_len == 0. */
bool cbz_framer_next(cbz_framer *f, const uint8_t *data, size_t avail, bool at_eof,
                     cbz_chunk_info *ci);
/* Bytes of look-ahead the planner may need past a chunk's end. */
size_t cbz_framer_margin(const cbz_framer *f);

/* L1 (frame.c).  Frames the chunk's records again (the planner's view: data
 * at the chunk start, avail bytes readable) into payload offsets (from the
 * chunk start) and lengths. */
cbz_status cbz_frame_records(const cbz_plan *p, const uint8_t *data, size_t avail,
                             const cbz_chunk_info *ci, size_t *rec_off, size_t *rec_len,
                             cbz_error *err);
/* XORs the header bytes in front of a record (gap bytes, payload length len)
 * with their predicted value, the RDW such a record would have (bytes 2 and
 * 3 predicted 0: unchanged); its own inverse.  Inline: called per record,
 * the call and its byte stores read back as a word cost 11% of a VB
 * decode. */
static inline void cbz_frame_headers_xor(const cbz_record_format *fmt, uint8_t *hdr, size_t gap,
                                         size_t len)
{
    if (gap != 4 && gap != 8) return;
    size_t v = len + (fmt->rdw_payload_only ? 0 : 4);
    if (v > 0xffff) v = 0;
    const uint8_t hi = (uint8_t)(v >> 8), lo = (uint8_t)v;
    uint8_t *rdw = hdr + gap - 4;
    rdw[0] ^= fmt->rdw_little_endian ? lo : hi;
    rdw[1] ^= fmt->rdw_little_endian ? hi : lo;
}

/* Reusable per-thread buffers. */
typedef struct cbz_chunk_work {
    cbz_buf vals;                  /* column values, stream after stream */
    size_t head_room;              /* the last frame header's size (encode_chunk) */
    size_t *rec_off, *rec_len;     /* framed records of the chunk (one block) */
    size_t rec_cap;
    uint64_t *words;               /* per stream: counts, bases, scratch */
    size_t words_cap;
    uint8_t **ptrs;                /* per column: its values */
    size_t ptrs_cap;
} cbz_chunk_work;

void cbz_chunk_work_init(cbz_chunk_work *w);
void cbz_chunk_work_free(cbz_chunk_work *w);

/* cbz_buf_reserve for the large buffers that are reused chunk after chunk
 * (kept for its callers: cbz_buf_reserve itself now takes blocks of
 * CBZ_BIG_HUGE bytes or more 2 MiB aligned and advised to transparent huge
 * pages, from the per-thread block cache, src/bigbuf.h: a 4 MiB chunk costs
 * two page faults instead of a thousand).  The contents are kept. */
cbz_status cbz_buf_reserve_huge(cbz_buf *b, size_t extra);

/* Encodes one chunk.  data points at the chunk's first byte, with avail >=
 * ci->in_len bytes readable from there (the planner's view).  Appends the
 * frame to out; stats (cbz_plan_streams entries, may be NULL) receive this
 * chunk's per-stream numbers (overwritten, not added). */
cbz_status cbz_chunk_encode(const cbz_plan *p, const uint8_t *data, size_t avail,
                            const cbz_chunk_info *ci, int level, cbz_chunk_work *w,
                            cbz_buf *out, cbz_col_stats *stats, cbz_error *err);
/* True when chunk ci can be split elsewhere (the GPU, cbz_gpu_columns): an
 * F/FB member whose LRECL is the plan width, and the chunk holds records
 * only, back to back from its first byte.  Consecutive such chunks are
 * contiguous in the input, so a batch of them is one array of records. */
bool cbz_chunk_fixed(const cbz_plan *p, const cbz_chunk_info *ci);
/* cbz_chunk_encode with L2 done elsewhere: cols[c] holds the chunk's
 * ci->n_records values of plan column c (p->cols[c].width bytes each), which
 * must be exactly what cbz_split_scatter would make.  Needs
 * cbz_chunk_fixed(p, ci) (else CBZ_ERR_USAGE).  The frame and stats are the
 * same bytes cbz_chunk_encode makes. */
cbz_status cbz_chunk_encode_split(const cbz_plan *p, const uint8_t *data, size_t avail,
                                  const cbz_chunk_info *ci, int level,
                                  const uint8_t *const *cols, cbz_chunk_work *w, cbz_buf *out,
                                  cbz_col_stats *stats, cbz_error *err);
/* A chunk's L1 and L2 made apart from its L3..L8, in steps, on any thread:
 * at one thread the compress's helper prepares the next chunk beside the
 * encode of this one, and the encode finishes what the helper left
 * (container.c, split_ahead_start).  The frame is the same bytes
 * cbz_chunk_encode makes. */
typedef struct cbz_chunk_prep {
    cbz_chunk_work w;              /* the chunk's streams (its own buffers) */
    cbz_chunk_info ci;             /* the chunk laid out, when laid_out */
    bool laid_out;                 /* L1 done: records framed, streams placed, side streams made */
    bool explicit_len;             /* the records' lengths are stored */
    size_t done;                   /* records split into the columns so far (L2) */
} cbz_chunk_prep;

void cbz_chunk_prep_init(cbz_chunk_prep *pp);
void cbz_chunk_prep_free(cbz_chunk_prep *pp);
/* L1 of chunk ci into pp (data: its first byte, avail readable), dropping
 * the chunk it held. */
cbz_status cbz_chunk_prep_start(cbz_chunk_prep *pp, const cbz_plan *p, const uint8_t *data,
                                size_t avail, const cbz_chunk_info *ci, cbz_error *err);
/* True when pp holds chunk ci laid out (and not yet encoded). */
bool cbz_chunk_prep_holds(const cbz_chunk_prep *pp, const cbz_chunk_info *ci);
/* L2 of up to max_records more records of the chunk pp holds; data: its
 * first byte (the same bytes as at cbz_chunk_prep_start, not necessarily at
 * the same address).  True when every record is split. */
bool cbz_chunk_prep_step(cbz_chunk_prep *pp, const cbz_plan *p, const uint8_t *data,
                         size_t max_records);
/* Encodes chunk ci (as cbz_chunk_encode) from what pp holds of it: L1 first
 * when pp does not hold ci, the rest of L2, then L3..L8.  pp holds no chunk
 * afterwards. */
cbz_status cbz_chunk_encode_prepared(const cbz_plan *p, cbz_chunk_prep *pp, const uint8_t *data,
                                     size_t avail, const cbz_chunk_info *ci, int level,
                                     cbz_buf *out, cbz_col_stats *stats, cbz_error *err);

/* Decodes one frame into exactly ci->in_len bytes at out, validating every
 * count and length; CBZ_ERR_FORMAT when the frame is malformed.  Afterwards
 * w->rec_off[i] / w->rec_len[i] locate record i's payload in out. */
cbz_status cbz_chunk_decode(const cbz_plan *p, const uint8_t *frame, size_t frame_len,
                            const cbz_chunk_info *ci, cbz_chunk_work *w, uint8_t *out,
                            cbz_error *err);

/* Adds one chunk's stream numbers into a member's running totals; the chain
 * text collects distinct chains in order of first use. */
void cbz_stats_add(cbz_col_stats *total, const cbz_col_stats *chunk);

#endif
