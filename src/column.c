/*
 * column.c — the column codec: one column of one chunk through L3 validate,
 * L4 decimal, L5 delta, L6 dictionary, L7 bit-pack and L8 entropy, and back.
 *
 * The encoded form (docs/LAYERS.md is its specification) is a small header
 * followed by one body; the body holds every stream of the column back to
 * back and goes through zstd as one frame (one frame per column keeps the
 * per-frame overhead small and lets zstd see across the streams), or is stored
 * raw when zstd does not shrink it.  Integers and codes of 5 bits or more
 * are laid out as byte planes rather than bit-packed, so that zstd's Huffman
 * stage can model their skew.  The choices are made here by estimating
 * each candidate on a sample; the kernels (kernels/kernels.h) do the per-value
 * work.  Every count, length, width and code read back is checked before use.
 *
 * Cross-column prediction: a numeric column may be stored as residuals
 * against an earlier numeric column of the chunk (a peer), and may take its
 * exception positions from the peer's invalid values; the peer is chosen by
 * pricing a few candidates on a small sample (choose_ref).
 *
 * Text: digit runs may be pulled out into numbers that go through the
 * numeric chain, leaving templates (TEXT_NUM); values blank wherever an
 * earlier column is blank are left out (TEXT_MASK); rows of two kinds (told
 * apart by an earlier column's most frequent value, e.g. VB record lengths)
 * are stored as two groups (TEXT_SPLIT).  Integers that were
 * decimal may be packed as decimal (base-100) planes.
 */
#include "column.h"
#include "bigbuf.h"
#include "bytecopy.h"

#include "kernels.h"
#include "zstd_wrap.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

const char *const cbz_layer_names[9] = { "",         "frame",      "split", "validate",
                                         "decimal", "delta", "dictionary", "pack",
                                         "entropy" };

#define COL_VERSION 1

enum col_method {
    M_RAW = 0,        /* byte planes of the values (width > 1) or the bytes   */
    M_TEXT_FIXED = 1, /* the values as they are, row after row                */
    M_TEXT_TRIM = 2,  /* lengths without trailing pad + the trimmed bytes     */
    M_TEXT_DICT = 3,  /* front-coded sorted dictionary + bit-packed codes     */
    M_NUMERIC = 4,    /* exceptions + sign forms + transformed integers       */
    M_TEXT_REF = 5,   /* earlier text columns' values cut out + a text body   */
    M_TEXT_NUM = 6,   /* digit runs out: templates + integers per run position */
    M_TEXT_MASK = 7,  /* values blank where an earlier column is blank left out */
    M_TEXT_SPLIT = 8  /* two groups by an earlier column's most frequent value */
};

enum num_xform { X_NONE = 0, X_DELTA = 1, X_DELTA2 = 2, X_FOR = 3, X_RLE = 4, X_DICT = 5 };
static const char *const xform_names[6] = { "", "delta", "delta2", "for", "rle", "dict" };

enum { NF_FORMS = 1, NF_EXCEPTIONS = 2, NF_REF = 4, NF_EXC_REF = 8, NF_DENSE = 16 };

/* Cross-column prediction (docs/LAYERS.md "Reference"): the integers of a
 * column minus those of an earlier numeric column of the chunk (R_SUB), or
 * its differences minus them (R_DSUB: a running total of the reference); the
 * reference may first be divided by 10^k.  R_EXC uses the reference only for
 * its invalid positions (the column's exceptions are there too). */
enum ref_op { R_SUB = 0, R_DSUB = 1, R_EXC = 2 /* exception positions only */ };
#define REF_MAX_SCALE 15  /* 4 bits of the mode byte */
#define REF_NEAREST 6     /* nearest numeric peers tried ...                 */
#define REF_CANDIDATES 8  /* ... then further ones of the same kind and width */
#define REF_EXC_BITS 12.0 /* estimated cost of one listed exception          */
static const int64_t pow10_i64[19] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
    1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
    100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
    1000000000000000000LL
};

#define DICT_MAX 65536u

/* ------------------------------------------------------------------ helpers */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static unsigned bits_of(uint64_t v) { return v ? 64u - (unsigned)__builtin_clzll(v) : 0u; }

static uint64_t zz(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static int64_t unzz(uint64_t u) { return (int64_t)((u >> 1) ^ ((uint64_t)0 - (u & 1))); }

static void chain_add(cbz_col_stats *st, const char *name)
{
    if (!st) return;
    size_t l = strlen(st->chain);
    snprintf(st->chain + l, sizeof st->chain - l, "%s%s", l ? ">" : "", name);
}

/* Records that layer `layer` ran since t0 and left out_bytes. */
static void layer_done(cbz_col_stats *st, int layer, double t0, uint64_t out_bytes)
{
    if (!st) return;
    st->layer_seconds[layer] += now_s() - t0;
    st->layer_out[layer] = out_bytes;
}

static void *xmalloc(size_t n) { return malloc(n ? n : 1); }

/* Per-thread scratch buffers reused from call to call: the big per-column
 * arrays would otherwise be mmap'd and unmapped (and page-faulted in) for every
 * column of every chunk.  One pool serves both sides; the encoder's slots come
 * first (its functions name them by number: 0..3 the value arrays of
 * encode/decode, 4 the decompressed body, 5 dictionary hash tables, 6..8 the
 * reference column's integers, forms and invalid flags, 9 the two groups of a
 * text split, then by name the arrays of the text and numeric encoders),
 * the decoder's after them, so that the two sides never share one.  Each
 * function has its own slots; the nesting (MASK/REF/SPLIT -> NUM ->
 * TRIM/DICT and numeric) never reuses a slot that is still in use.  Freed
 * when the thread ends. */
#define REF_CACHE 4 /* entries of the reference cache (ref_parse_cached) */
#define DEC_MEMO 4  /* numeric streams of a chunk the decoder keeps (dec_memo_entry) */
#define TNUM_SEEN 4 /* answers of text_num_wins kept (tnum_seen) */
enum scratch_slot {
    SS_V0, SS_V1, SS_V2, SS_V3, /* value arrays of encode_* and decode_numeric */
    SS_BODY,        /* the decompressed body of cbz_column_decode_peers      */
    SS_HASH,        /* dictionary hash tables (encoder)                      */
    SS_RINTS, SS_RFORM, SS_RBAD, /* the reference column (encoder)           */
    SPLIT_SLOT,     /* the two groups of a text split (encoder and decoder)  */
    ES_TN_TMPL,     /* encode_text_num: the templates                        */
    ES_TN_CNT,      /* ... digit runs per value                              */
    ES_TN_INTS,     /* ... the numbers of the runs                           */
    ES_TN_NDS,      /* ... their digit counts                                */
    ES_TN_BE,       /* ... digit flags                                       */
    ES_REF_WORK,    /* encode_text_ref: the values with references cut out  */
    ES_REF_POS0,    /* ... where the first reference was cut                 */
    ES_REF_POS1,    /* ... and the second                                    */
    ES_MASK_KEPT,   /* encode_text_mask: the values kept                     */
    ES_NUM_KEYS,    /* encode_numeric: dictionary keys, or run values        */
    ES_NUM_CODES,   /* ... dictionary codes, or run lengths                  */
    ES_NUM_SORT,    /* ... the keys sorted, and their ranks                  */
    ES_TNUM_SEEN,   /* text_num_wins: the values of its answers kept, per entry */
    ES_TNUM_SEEN_LAST = ES_TNUM_SEEN + TNUM_SEEN - 1,
    ES_DICT_DIRECT, /* text_dict_build_direct: its table, kept all empty    */
    ES_SPLIT_ROWS,  /* split_rows: the rows of a split's groups (no memo)   */
    DS_MASK,        /* decode_text_mask: blank flags of the peer               */
    DS_MASK_KEPT,   /* ... the kept values' entries, back to back              */
    DS_MASK_PADS,   /* ... a pad row per blank row                             */
    DS_REF0,        /* decode_text_ref: offsets of the first reference          */
    DS_REF1,        /* ... and of the second                                    */
    DS_REF_LENS,    /* ... trimmed lengths of the peers and of the values       */
    DS_TN_CNT,      /* decode_text_num: digit runs per value, or rows of values */
    DS_TN_TLEN,     /* ... template lengths                                     */
    DS_TN_INTS,     /* ... the numbers of the runs                              */
    DS_TN_NDS,      /* ... their digit counts                                   */
    DS_TN_BITS,     /* ... marker positions per value (widths <= 64), or digits */
    DS_TN_OUT,      /* ... the values built, or the templates' entries          */
    DS_DICT,        /* decode_text_dict: the entries                            */
    DS_CODES,       /* ... the codes                                            */
    DS_LENS,        /* decode_text_trim: the lengths                            */
    DS_EXC,         /* decode_numeric: exception positions                      */
    DS_IOTA,        /* ... the integers 0..n-1 (iota_u64)                       */
    DS_SPLIT,       /* decode_text_split: rows of the first group               */
    DS_NUM_RV,      /* decode_numeric: run values                               */
    DS_NUM_RL,      /* ... run lengths, or dictionary codes                     */
    DS_NUM_KEYS,    /* ... dictionary keys                                      */
    DS_XFLAG,       /* ... exception flags (when no memo entry holds them)      */
    DS_RDENSE,      /* ... the reference at the valid positions                 */
    DS_NUM_FMT,     /* ... the valid values written, back to back               */
    DS_GATHER0,     /* a placed peer's values back to back (peer_contig)        */
    DS_GATHER1,     /* ... a second one (decode_text_ref)                       */
    /* the decoder's memo (dec_memo_entry): per entry, a stream's integers
     * and its exception flags */
    DS_MEMO_INTS,
    DS_MEMO_FLAGS = DS_MEMO_INTS + DEC_MEMO,
    /* the reference cache (ref_parse_cached): per entry, a copy of the peer's
     * bytes, its integers, invalid flags and forms */
    DS_RC_COPY = DS_MEMO_FLAGS + DEC_MEMO,
    DS_RC_INTS = DS_RC_COPY + REF_CACHE,
    DS_RC_BAD = DS_RC_INTS + REF_CACHE,
    DS_RC_FORM = DS_RC_BAD + REF_CACHE,
    SCRATCH_SLOTS = DS_RC_FORM + REF_CACHE
};

/* An answer of text_num_wins (TEXT_NUM's trial) on the first values of a
 * column that is not its own sample: what it was asked (descriptor, values
 * screened and tried; entry e's bytes in slot ES_TNUM_SEEN + e), what it
 * found (its answer and the text_probe fields) and when it was last used. */
typedef struct tnum_seen {
    bool valid, win;
    cbz_col_desc desc;
    size_t ms, m, bytes;
    int8_t planes;
    size_t sample, z_rows, z_planes;
    uint64_t used;
} tnum_seen;

/* What one entry of the reference cache holds: the peer it parsed (its
 * bytes are in slot DS_RC_COPY + e), the kernels and the invalid count. */
typedef struct ref_cache_entry {
    const uint8_t *values;
    size_t n;
    cbz_col_desc desc;
    const void *kernels;
    size_t nbad;
    size_t hits;  /* since it was filled */
    bool valid;
} ref_cache_entry;

/* What the decoder keeps of one numeric stream of the chunk it decodes
 * (cbz_column_decode_rows): the integers and invalid flags that
 * parse_numeric would give for the stream's restored bytes, made while the
 * stream was decoded, so that a later column referring to it reads them
 * instead of parsing the bytes again; kept only when its exceptions are
 * invalid values (memo_keep).  Its integers are in slot DS_MEMO_INTS + e,
 * its exception flags in DS_MEMO_FLAGS + e. */
enum { MEMO_DENSE, MEMO_FULL, MEMO_READY };
typedef struct dec_memo_entry {
    uint64_t chunk;        /* the chunk (dec_chunk) it belongs to; 0: none */
    size_t stream;         /* its stream index in the chunk */
    const uint8_t *values; /* ... its bytes (value i at values + rows[i], or at
                            * values + i * stride), count and descriptor */
    const size_t *rows;
    size_t stride;
    size_t n;
    cbz_col_desc desc;
    size_t nbad;           /* its invalid values: the exceptions */
    /* MEMO_DENSE: the integers of the valid values only, in order;
     * MEMO_FULL: n integers, anything at the exceptions; MEMO_READY: n
     * integers, 0 at the exceptions (what parse_numeric gives) */
    uint8_t state;
    /* a zoned or packed stream whose exceptions are all blank: its blank
     * flags are its exception flags (peer_blank_flags) */
    bool exc_blank;
    /* its integers are known to be in the range whose bytes parse back to
     * them (memo_in_range) */
    bool range_checked;
} dec_memo_entry;

typedef struct thread_scratch {
    void *p[SCRATCH_SLOTS];
    size_t cap[SCRATCH_SLOTS];
    ref_cache_entry rc[REF_CACHE];
    unsigned rc_next;
    dec_memo_entry memo[DEC_MEMO];
    uint64_t dec_chunk;    /* the chunk being decoded (cbz_column_decode_chunk_begin; 0:
                            * none begun, nothing kept) */
    /* the blank flags in slot DS_MASK: of this stream of that chunk (its
     * bytes, count and width), blank of them (decode_text_mask) */
    uint64_t mask_chunk;
    size_t mask_stream, mask_n, mask_w, mask_blank;
    const uint8_t *mask_values, *mask_flags; /* (the slot's block: it may have moved) */
    /* the group flags in slot DS_SPLIT: of this stream of that chunk, its
     * key and group A's size (decode_text_split) */
    uint64_t split_chunk, split_key;
    size_t split_stream, split_n, split_major;
    const uint8_t *split_values, *split_flags;
    size_t iota_n; /* slot DS_IOTA holds 0..iota_n - 1 */
    /* the body of the column being encoded (cbz_column_encode_ctx, which is
     * never nested): kept at its largest, so that a body neither grows by
     * copies nor comes back as fresh pages for every column */
    cbz_buf enc_body;
    tnum_seen tnum[TNUM_SEEN];
    uint64_t tnum_clock;
} thread_scratch;

/* The buffers hang off a pthread key whose destructor frees them when the
 * thread ends (OpenMP pools come and go with the thread count); the
 * _Thread_local copy spares the key lookup on the hot path. */
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static _Thread_local thread_scratch *tl_scratch;

static void scratch_free(void *arg)
{
    thread_scratch *t = arg;
    for (int i = 0; i < SCRATCH_SLOTS; i++) free(t->p[i]);
    cbz_buf_free(&t->enc_body);
    free(t);
}

static void scratch_key_create(void) { (void)pthread_key_create(&scratch_key, scratch_free); }

/* This thread's pool, made on first use (NULL: no memory). */
static thread_scratch *scratch_set(void)
{
    if (!tl_scratch) {
        pthread_once(&scratch_once, scratch_key_create);
        thread_scratch *t = calloc(1, sizeof *t);
        if (!t) return NULL;
        if (pthread_setspecific(scratch_key, t) != 0) {
            free(t);
            return NULL;
        }
        tl_scratch = t;
    }
    return tl_scratch;
}

/* At least n bytes of slot `slot`, reused from call to call (NULL: no memory);
 * the contents are not kept when the slot grows. */
static void *scratch(int slot, size_t n)
{
    if (n == 0) n = 1;
    thread_scratch *t = scratch_set();
    if (!t) return NULL;
    if (t->cap[slot] < n) {
        size_t cap = n + n / 4, got;
        /* from the run-long cache: huge pages, no fault per chunk */
        void *p = cbz_big_take(cap, &got);
        if (!p) return NULL;
        /* cbz_big_take maps the blocks it makes from CBZ_BIG_MIN up; a
         * smaller slot would take one fault per 4 KiB page as the column
         * fills it (12 us each here), mapped in one call a tenth of that */
        if (got < CBZ_BIG_MIN) cbz_big_prefault(p, got);
        cbz_big_give(t->p[slot], t->cap[slot]);
        cap = got;
        t->p[slot] = p;
        t->cap[slot] = cap;
    }
    return t->p[slot];
}

/* A packed block (docs/LAYERS.md): u8 `bits`, then either the values
 * bit-packed to `bits` bits (0..64), or, when bits = 0x80 | k, the values as k
 * byte planes (plane j = byte j, least significant first, of every value).
 * Byte planes leave each byte where zstd's Huffman stage can model it, so a
 * skewed distribution (Zipf codes, small amounts) costs its entropy instead of
 * its full bit width; the encoder uses them whenever the body goes to zstd. */
#define PACK_PLANES 0x80u
/* Below this width bit-packing wins: Huffman spends at least one bit per
 * byte, while 2 to 4 packed values per byte still let zstd see the skew. */
#define PLANES_MIN_BITS 5u

static void planes_put_u64(const uint64_t *v, size_t n, unsigned k, uint8_t *out)
{
    for (unsigned j = 0; j < k; j++) {
        uint8_t *o = out + (size_t)j * n;
        const unsigned sh = 8 * j;
        for (size_t i = 0; i < n; i++) o[i] = (uint8_t)(v[i] >> sh);
    }
}

static void planes_put_u32(const uint32_t *v, size_t n, unsigned k, uint8_t *out)
{
    if (k == 1) {
        for (size_t i = 0; i < n; i++) out[i] = (uint8_t)v[i];
        return;
    }
    for (unsigned j = 0; j < k; j++) {
        uint8_t *o = out + (size_t)j * n;
        const unsigned sh = 8 * j;
        for (size_t i = 0; i < n; i++) o[i] = (uint8_t)(v[i] >> sh);
    }
}

/* The decoders join the planes a block of values at a time, so that the
 * block stays in L1 while every plane is added in. */
#define PLANES_BLOCK 512

/* One block of m values at b; inlined with m = PLANES_BLOCK for the full
 * blocks, so that the loops have a constant count and the compiler
 * vectorizes them (-O2 leaves loops with a remainder scalar).  (The 64-bit
 * values' planes are the planes_u64 kernel's.) */

static inline __attribute__((always_inline)) void planes_block_u32(const uint8_t *in, size_t n,
                                                                   unsigned k, size_t b, size_t m,
                                                                   uint32_t *restrict o)
{
    for (size_t i = 0; i < m; i++) o[i] = in[b + i];
    for (unsigned j = 1; j < k; j++) {
        const uint8_t *p = in + (size_t)j * n + b;
        const unsigned sh = 8 * j;
        for (size_t i = 0; i < m; i++) o[i] |= (uint32_t)p[i] << sh;
    }
}

static void planes_get_u32(const uint8_t *in, size_t n, unsigned k, uint32_t *v)
{
    size_t b = 0;
    for (; n - b >= PLANES_BLOCK; b += PLANES_BLOCK)
        planes_block_u32(in, n, k, b, PLANES_BLOCK, v + b);
    if (b < n) planes_block_u32(in, n, k, b, n - b, v + b);
}

/* Decimal planes (bits byte 0x90 | k, or 0xA0 | k with a sign): numbers
 * that were decimal before L4 (zoned and packed amounts, dates, phone
 * numbers) keep their structure in base 100: plane j holds digits 2j and
 * 2j+1 of every value, so the cents of prices ending in .99, the day and
 * month of a date or the area code of a phone number each get a plane whose
 * skew zstd's Huffman stage sees, where binary planes mix them.  The signed
 * form splits a zigzagged value into a sign bit (bit-packed, one bit per
 * value) and its magnitude, so that -12.99 and 12.99 share their planes. */
#define PACK_DEC 0x90u
#define PACK_DEC_SIGNED 0xA0u
#define DEC_MAX_PLANES 10u
#define DEC_SAMPLE 2048u
static const uint64_t pow100_u64[10] = {
    1ULL, 100ULL, 10000ULL, 1000000ULL, 100000000ULL, 10000000000ULL, 1000000000000ULL,
    100000000000000ULL, 10000000000000000ULL, 1000000000000000000ULL
};

/* The magnitude that the signed form writes in planes for a zigzagged u. */
static inline uint64_t dec_mag(uint64_t u, bool sm) { return sm ? (u >> 1) + (u & 1) : u; }

/* Planes needed for magnitudes up to mx: the last plane holds up to 255. */
static unsigned dec_planes_for(uint64_t mx)
{
    unsigned k = 1;
    while (k < DEC_MAX_PLANES && mx / pow100_u64[k - 1] > 255) k++;
    return k;
}

/* log2(x) for an integer count x >= 1 (< 2^53), the same on every machine:
 * the prices of the candidates decide the member's bytes, and libm's log2
 * is not (glibc picks an FMA variant where the CPU has FMA, and the two
 * differ in the last bit for some arguments).  Only IEEE double +, -, *, /
 * (the build has -ffp-contract=off: no fused multiply-adds): x = m * 2^e
 * exactly with m in [sqrt(1/2), sqrt(2)), then ln(m) = 2 atanh(t),
 * t = (m - 1) / (m + 1), |t| <= 0.1716, by its series to t^23 (the next
 * term is below 2^-58 of the sum). */
static double count_log2(uint64_t x)
{
    int e = 63 - __builtin_clzll(x);
    double m = ldexp((double)x, -e);   /* exact */
    if (m > 1.4142135623730951) {
        m *= 0.5;
        e++;
    }
    const double t = (m - 1.0) / (m + 1.0), t2 = t * t;
    double s = 1.0 / 23;
    for (int k = 21; k >= 1; k -= 2) s = 1.0 / k + t2 * s;
    return (double)e + 2.0 * t * s * 1.4426950408889634;   /* 1 / ln 2 */
}

/* h * log2(h) for the counts a sample gives (the pricing of every column
 * sums hundreds of them: a table, not a log2 per count). */
#define XLOGX_TABLE 4096
static double xlogx_table[XLOGX_TABLE];
static pthread_once_t xlogx_once = PTHREAD_ONCE_INIT;

static void xlogx_init(void)
{
    for (uint32_t h = 1; h < XLOGX_TABLE; h++) xlogx_table[h] = (double)h * count_log2(h);
}

static inline double xlogx(uint32_t h)
{
    return h < XLOGX_TABLE ? xlogx_table[h] : (double)h * count_log2(h);
}

/* Bits that an order-0 entropy coder needs for the counts h (their sum m):
 * sum of h log2(m / h) = m log2(m) - sum of h log2(h). */
static double hist_bits(const uint32_t *h, size_t nh, size_t m)
{
    pthread_once(&xlogx_once, xlogx_init);
    double s = 0;
    size_t j = 0;
    /* four empty counts at a time are passed over: each would add
     * xlogx(0) = +0.0, which leaves the sum exactly as it is */
    for (; j + 4 <= nh; j += 4) {
        uint64_t a, b;
        memcpy(&a, h + j, 8);
        memcpy(&b, h + j + 2, 8);
        if ((a | b) == 0) continue;
        s += xlogx(h[j]);
        s += xlogx(h[j + 1]);
        s += xlogx(h[j + 2]);
        s += xlogx(h[j + 3]);
    }
    for (; j < nh; j++) s += xlogx(h[j]);
    return m ? (double)m * count_log2(m) - s : 0.0;
}

/* hist_bits of 16-bit counts, nh a multiple of 4 (the same sum, in the
 * same order) */
static double hist_bits16(const uint16_t *h, size_t nh, size_t m)
{
    pthread_once(&xlogx_once, xlogx_init);
    double s = 0;
    for (size_t j = 0; j < nh; j += 4) {
        uint64_t a;
        memcpy(&a, h + j, 8);
        if (a == 0) continue;
        s += xlogx(h[j]);
        s += xlogx(h[j + 1]);
        s += xlogx(h[j + 2]);
        s += xlogx(h[j + 3]);
    }
    return m ? (double)m * count_log2(m) - s : 0.0;
}

/* Counts x in h: its kb binary planes, then its kd decimal planes (of its
 * magnitude, < 2^32 for dec_count32). */
static inline __attribute__((always_inline)) void dec_count32(uint16_t *h, uint64_t x,
                                                              unsigned kb, unsigned kd, bool sm)
{
    uint32_t d = (uint32_t)dec_mag(x, sm);
    for (unsigned j = 0; j < kb; j++) h[j * 256 + ((x >> (8 * j)) & 0xFF)]++;
    for (unsigned j = 0; j + 1 < kd; j++, d /= 100) h[(kb + j) * 256 + d % 100]++;
    h[(kb + kd - 1) * 256 + d]++;
}

/* dec_count32 of the m samples s, the even ones into h, the odd ones into
 * h2 (to be added up): a skewed plane increments one count over and over,
 * and each increment would wait for the one before it (as in plane_hist). */
static inline __attribute__((always_inline)) void dec_count_sample32(uint16_t *h, uint16_t *h2,
                                                                     const uint64_t *s, size_t m,
                                                                     unsigned kb, unsigned kd,
                                                                     bool sm)
{
    size_t c = 0;
    for (; c + 2 <= m; c += 2) {
        dec_count32(h, s[c], kb, kd, sm);
        dec_count32(h2, s[c + 1], kb, kd, sm);
    }
    if (c < m) dec_count32(h, s[c], kb, kd, sm);
}

static inline __attribute__((always_inline)) void dec_count64(uint16_t *h, uint64_t x,
                                                              unsigned kb, unsigned kd, bool sm)
{
    uint64_t d = dec_mag(x, sm);
    for (unsigned j = 0; j < kb; j++) h[j * 256 + ((x >> (8 * j)) & 0xFF)]++;
    for (unsigned j = 0; j + 1 < kd; j++, d /= 100) h[(kb + j) * 256 + d % 100]++;
    h[(kb + kd - 1) * 256 + d]++;
}

/* Estimated bits of the values v[i] - base (mod 2^64) as binary byte planes
 * and as decimal planes (order-0 entropy of each plane on a sample spread
 * over the values, which is what Huffman pays); true when the decimal form
 * is 5% cheaper.  The base lets a caller price a frame of reference before
 * it writes one. */
static bool dec_planes_win(const uint64_t *v, uint64_t base, size_t n, bool sm)
{
    if (n < 64) return false;
    const size_t step = n > DEC_SAMPLE ? n / DEC_SAMPLE : 1;
    /* the sample, gathered once (its values lie a cache line or more
     * apart): the counts below read it in order */
    const size_t m = n < DEC_SAMPLE ? n : DEC_SAMPLE; /* m * step <= n */
    uint64_t s[DEC_SAMPLE];
    uint64_t mxb = 0, mxd = 0;
    size_t neg = 0;
    for (size_t c = 0, i = 0; c < m; c++, i += step) {
        const uint64_t x = v[i] - base, d = dec_mag(x, sm);
        s[c] = x;
        mxb |= x;
        mxd = d > mxd ? d : mxd;
        neg += sm && (x & 1);
    }
    const unsigned kb = (bits_of(mxb) + 7) / 8, kd = dec_planes_for(mxd);
    /* unsigned values under 256: the one decimal plane is the one binary
     * plane, at the same price */
    if (kb == 0 || (!sm && kd == 1)) return false;
    /* two sets of counts, for the even and the odd samples, added up at
     * the end: a skewed plane increments one count over and over, and each
     * increment would wait for the one before it (as in plane_hist); in
     * 16 bits (a sample's counts fit): half the bytes to clear and add */
    _Static_assert(DEC_SAMPLE <= UINT16_MAX, "a decimal-planes sample's counts fit 16 bits");
    const size_t nh = (size_t)(kb + kd) * 256; /* kb <= 8, kd <= DEC_MAX_PLANES */
    uint16_t h[(8 + DEC_MAX_PLANES) * 256], h2[(8 + DEC_MAX_PLANES) * 256];
    memset(h, 0, nh * sizeof *h);
    memset(h2, 0, nh * sizeof *h2);
    /* by a constant 100 a step: no division instruction; in 32 bits when
     * the magnitudes fit (a shorter multiply) */
    size_t c = 0;
    if (mxd <= UINT32_MAX) {
        /* the count of decimal planes (1..5 for 32 bits) as a constant:
         * each one's chain of divisions unrolled */
        switch (kd) {
        case 1: dec_count_sample32(h, h2, s, m, kb, 1, sm); break;
        case 2: dec_count_sample32(h, h2, s, m, kb, 2, sm); break;
        case 3: dec_count_sample32(h, h2, s, m, kb, 3, sm); break;
        case 4: dec_count_sample32(h, h2, s, m, kb, 4, sm); break;
        default: dec_count_sample32(h, h2, s, m, kb, kd, sm); break;
        }
    } else {
        for (; c + 2 <= m; c += 2) {
            dec_count64(h, s[c], kb, kd, sm);
            dec_count64(h2, s[c + 1], kb, kd, sm);
        }
        if (c < m) dec_count64(h, s[c], kb, kd, sm);
    }
    for (size_t q = 0; q < nh; q++) h[q] = (uint16_t)(h[q] + h2[q]);
    double cb = 0, cd = 0;
    for (unsigned j = 0; j < kb; j++) cb += hist_bits16(h + j * 256, 256, m);
    for (unsigned j = 0; j < kd; j++) cd += hist_bits16(h + (kb + j) * 256, 256, m);
    if (neg) {
        uint32_t sh[2] = { (uint32_t)(m - neg), (uint32_t)neg };
        cd += hist_bits(sh, 2, m) + 0.02 * (double)m; /* bit-packed: a little over */
    }
    return cd < cb * 0.95;
}

static cbz_status put_dec_planes(cbz_buf *b, const uint64_t *v, size_t n, bool sm)
{
    uint64_t mx = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t d = dec_mag(v[i], sm);
        mx = d > mx ? d : mx;
    }
    const unsigned k = dec_planes_for(mx);
    const size_t sbytes = sm ? (n + 7) / 8 : 0;
    CBZ_TRY(cbz_buf_put_u8(b, (uint8_t)((sm ? PACK_DEC_SIGNED : PACK_DEC) | k)));
    CBZ_TRY(cbz_buf_reserve(b, sbytes + n * k));
    uint8_t *o = b->data + b->len;
    if (sm) { /* the sign bits, a byte of eight values at a time */
        size_t i = 0;
        for (; i + 8 <= n; i += 8) { /* a constant count: unrolled */
            uint8_t byte = 0;
            for (size_t q = 0; q < 8; q++) byte |= (uint8_t)((v[i + q] & 1) << q);
            o[i >> 3] = byte;
        }
        if (i < n) {
            uint8_t byte = 0;
            for (size_t q = 0; i + q < n; q++) byte |= (uint8_t)((v[i + q] & 1) << q);
            o[i >> 3] = byte;
        }
        o += sbytes;
    }
    if (mx <= UINT32_MAX) {
        /* a block of values at a time, a plane at a time: a plane's
         * divisions by the constant 100 are then one vectorized loop (in
         * 32 bits: the magnitudes fit) */
        uint32_t d[PLANES_BLOCK];
        uint16_t lo[PLANES_BLOCK];
        for (size_t b0 = 0; b0 < n; b0 += PLANES_BLOCK) {
            const size_t m = n - b0 < PLANES_BLOCK ? n - b0 : PLANES_BLOCK;
            for (size_t i = 0; i < m; i++) d[i] = (uint32_t)dec_mag(v[b0 + i], sm);
            unsigned j = 0;
            /* two planes a step while neither is the last: the low four
             * digits split off in 32 bits, then split in two in 16 bits
             * (twice the lanes a multiply) */
            for (; j + 2 < k; j += 2) {
                for (size_t i = 0; i < m; i++) {
                    const uint32_t q = d[i] / 10000;
                    lo[i] = (uint16_t)(d[i] - q * 10000);
                    d[i] = q;
                }
                uint8_t *oj = o + (size_t)j * n + b0, *oj1 = oj + n;
                for (size_t i = 0; i < m; i++) {
                    const uint16_t q = (uint16_t)(lo[i] / 100);
                    oj[i] = (uint8_t)(lo[i] - q * 100);
                    oj1[i] = (uint8_t)q;
                }
            }
            for (; j + 1 < k; j++) {
                uint8_t *oj = o + (size_t)j * n + b0;
                for (size_t i = 0; i < m; i++) {
                    const uint32_t q = d[i] / 100;
                    oj[i] = (uint8_t)(d[i] - q * 100);
                    d[i] = q;
                }
            }
            uint8_t *ol = o + (size_t)(k - 1) * n + b0; /* the last plane: <= 255 */
            for (size_t i = 0; i < m; i++) ol[i] = (uint8_t)d[i];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            uint64_t d = dec_mag(v[i], sm);
            for (unsigned j = 0; j + 1 < k; j++) {
                o[(size_t)j * n + i] = (uint8_t)(d % 100);
                d /= 100;
            }
            o[(size_t)(k - 1) * n + i] = (uint8_t)d;
        }
    }
    b->len += sbytes + n * k;
    return CBZ_OK;
}

/* Reads decimal planes (head byte already read: k planes, sm signed), each
 * value plus add (mod 2^64) into out. */
static cbz_status get_dec_planes(cbz_cursor *c, const cbz_kernel_table *K, size_t n, unsigned k,
                                 bool sm, uint64_t add, uint64_t *out, const char *what,
                                 cbz_error *err)
{
    const size_t sbytes = sm ? (n + 7) / 8 : 0;
    const uint8_t *s = NULL, *p;
    CBZ_FAIL_IF(k < 1 || k > DEC_MAX_PLANES, err, CBZ_ERR_FORMAT,
                "column: %s: %u decimal planes (1..%u allowed) at byte %zu", what, k,
                DEC_MAX_PLANES, c->pos - 1);
    CBZ_FAIL_IF(n > SIZE_MAX / 16 || (sm && !cbz_cursor_bytes(c, sbytes, &s)) ||
                    !cbz_cursor_bytes(c, n * k, &p),
                err, CBZ_ERR_FORMAT, "column: %s: %zu decimal-plane bytes needed at byte %zu",
                what, sbytes + n * k, c->pos);
    /* fast path: with at most 9 planes no value can overflow, so the kernel
     * checks only the digit pairs (< 100) and the signs; a bad one sends the
     * column through the checks below, for the error */
    if (k <= 9 && K->dec_planes_u64(p, n, k, sm ? s : NULL, add, out)) {
        if (sm && (n & 7))
            CBZ_FAIL_IF(s[n >> 3] >> (n & 7), err, CBZ_ERR_FORMAT,
                        "column: %s: unused sign bits are not zero", what);
        return CBZ_OK;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t d = p[(size_t)(k - 1) * n + i];
        for (unsigned j = k - 1; j-- > 0;) {
            const uint8_t q = p[(size_t)j * n + i];
            CBZ_FAIL_IF(q > 99 || __builtin_mul_overflow(d, 100, &d) ||
                            __builtin_add_overflow(d, q, &d),
                        err, CBZ_ERR_FORMAT,
                        "column: %s: value %zu: decimal plane %u holds %u or overflows", what, i,
                        j, q);
        }
        if (sm) {
            const bool neg = (s[i >> 3] >> (i & 7)) & 1;
            CBZ_FAIL_IF(d > (1ULL << 63) || (d == (1ULL << 63) && !neg) || (neg && d == 0), err,
                        CBZ_ERR_FORMAT, "column: %s: value %zu: signed magnitude out of range",
                        what, i);
            d = neg ? 2 * d - 1 : 2 * d;
        }
        out[i] = d + add;
    }
    if (sm && (n & 7))
        CBZ_FAIL_IF(s[n >> 3] >> (n & 7), err, CBZ_ERR_FORMAT,
                    "column: %s: unused sign bits are not zero", what);
    return CBZ_OK;
}

/* A packed block of u64 values whose width bits = bits_of(their OR) is
 * known (bits_of(hi - lo) for a frame of reference of values in lo..hi,
 * without a pass over them): bit-packed, or byte planes from
 * PLANES_MIN_BITS bits on when planes is set. */
static cbz_status put_packed_u64_bits(cbz_buf *b, const cbz_kernel_table *K, const uint64_t *v,
                                      size_t n, bool planes, unsigned bits)
{
    if (planes && bits >= PLANES_MIN_BITS) {
        unsigned k = (bits + 7) / 8;
        CBZ_TRY(cbz_buf_put_u8(b, (uint8_t)(PACK_PLANES | k)));
        CBZ_TRY(cbz_buf_reserve(b, n * k));
        planes_put_u64(v, n, k, b->data + b->len);
        b->len += n * k;
        return CBZ_OK;
    }
    CBZ_TRY(cbz_buf_put_u8(b, (uint8_t)bits));
    size_t sz = cbz_k_bitpack_size(n, bits);
    CBZ_TRY(cbz_buf_reserve(b, sz));
    K->bitpack_u64(v, n, bits, b->data + b->len);
    b->len += sz;
    return CBZ_OK;
}

/* A packed block of u64 values in decimal planes (dec: 1 unsigned, 2 signed
 * zigzag form) when that wins on a sample, else as put_packed_u64_bits. */
static cbz_status put_packed_u64_dec(cbz_buf *b, const cbz_kernel_table *K, const uint64_t *v,
                                     size_t n, bool planes, int dec)
{
    const unsigned bits = K->max_bits_u64(v, n);
    if (planes && dec && bits >= PLANES_MIN_BITS && dec_planes_win(v, 0, n, dec == 2))
        return put_dec_planes(b, v, n, dec == 2);
    return put_packed_u64_bits(b, K, v, n, planes, bits);
}

static cbz_status put_packed_u32(cbz_buf *b, const cbz_kernel_table *K, const uint32_t *v,
                                 size_t n, bool planes)
{
    uint32_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= v[i];
    unsigned bits = bits_of(acc);
    if (planes && bits >= PLANES_MIN_BITS) {
        unsigned k = (bits + 7) / 8;
        CBZ_TRY(cbz_buf_put_u8(b, (uint8_t)(PACK_PLANES | k)));
        CBZ_TRY(cbz_buf_reserve(b, n * k));
        planes_put_u32(v, n, k, b->data + b->len);
        b->len += n * k;
        return CBZ_OK;
    }
    CBZ_TRY(cbz_buf_put_u8(b, (uint8_t)bits));
    size_t sz = cbz_k_bitpack_size(n, bits);
    CBZ_TRY(cbz_buf_reserve(b, sz));
    K->bitpack_u32(v, n, bits, b->data + b->len);
    b->len += sz;
    return CBZ_OK;
}

/* put_packed_u32 of the ranks rank[codes[i]] of a dictionary: rank is a
 * permutation of 0..nk-1 and every code occurs (each entry came in with
 * its first value), so their OR is all ones below bits_of(nk - 1) and the
 * width is known without a pass; byte planes are written straight from
 * the ranks.  codes is remapped in place when the ranks are bit-packed. */
static cbz_status put_packed_ranks(cbz_buf *b, const cbz_kernel_table *K, uint32_t *codes,
                                   const uint32_t *rank, size_t n, size_t nk, bool planes)
{
    const unsigned bits = nk ? bits_of(nk - 1) : 0;
    if (planes && bits >= PLANES_MIN_BITS) {
        const unsigned k = (bits + 7) / 8;
        CBZ_TRY(cbz_buf_put_u8(b, (uint8_t)(PACK_PLANES | k)));
        CBZ_TRY(cbz_buf_reserve(b, n * k));
        uint8_t *o = b->data + b->len;
        if (k == 1) {
            size_t i = 0;
            /* four a step: two loads a value, no gather instruction in the
             * base x86-64 set, and the loop's own steps weigh less */
            for (; i + 4 <= n; i += 4) {
                o[i] = (uint8_t)rank[codes[i]];
                o[i + 1] = (uint8_t)rank[codes[i + 1]];
                o[i + 2] = (uint8_t)rank[codes[i + 2]];
                o[i + 3] = (uint8_t)rank[codes[i + 3]];
            }
            for (; i < n; i++) o[i] = (uint8_t)rank[codes[i]];
        } else if (k == 2) { /* the most a numeric dictionary has (DICT_MAX) */
            uint8_t *o1 = o + n;
            for (size_t i = 0; i < n; i++) {
                const uint32_t r = rank[codes[i]];
                o[i] = (uint8_t)r;
                o1[i] = (uint8_t)(r >> 8);
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                const uint32_t r = rank[codes[i]];
                for (unsigned j = 0; j < k; j++) o[(size_t)j * n + i] = (uint8_t)(r >> (8 * j));
            }
        }
        b->len += n * k;
        return CBZ_OK;
    }
    /* put_packed_u32's bit-packed form, without its pass for the width;
     * the ranks four a step, as above */
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        codes[i] = rank[codes[i]];
        codes[i + 1] = rank[codes[i + 1]];
        codes[i + 2] = rank[codes[i + 2]];
        codes[i + 3] = rank[codes[i + 3]];
    }
    for (; i < n; i++) codes[i] = rank[codes[i]];
    CBZ_TRY(cbz_buf_put_u8(b, (uint8_t)bits));
    const size_t sz = cbz_k_bitpack_size(n, bits);
    CBZ_TRY(cbz_buf_reserve(b, sz));
    K->bitpack_u32(codes, n, bits, b->data + b->len);
    b->len += sz;
    return CBZ_OK;
}

/* Reads the `bits` byte of a packed block and its data; max_bits is 64 or 32. */
static cbz_status get_packed_head(cbz_cursor *c, size_t n, unsigned max_bits, unsigned *bits,
                                  unsigned *k, const uint8_t **p, const char *what,
                                  cbz_error *err)
{
    uint8_t b;
    CBZ_FAIL_IF(!cbz_cursor_u8(c, &b), err, CBZ_ERR_FORMAT, "column: %s: truncated at byte %zu",
                what, c->pos);
    size_t sz;
    if (b & PACK_PLANES) {
        *k = b & 0x7Fu;
        *bits = 0;
        CBZ_FAIL_IF(*k < 1 || *k > max_bits / 8, err, CBZ_ERR_FORMAT,
                    "column: %s: %u byte planes (1..%u allowed) at byte %zu", what, *k,
                    max_bits / 8, c->pos - 1);
        sz = n * *k; /* n <= the body bound / 1, k <= 8: no overflow */
    } else {
        *k = 0;
        *bits = b;
        CBZ_FAIL_IF(b > max_bits, err, CBZ_ERR_FORMAT,
                    "column: %s: bit width %u > %u at byte %zu", what, b, max_bits, c->pos - 1);
        sz = cbz_k_bitpack_size(n, b);
    }
    CBZ_FAIL_IF(n > SIZE_MAX / 8 || !cbz_cursor_bytes(c, sz, p), err, CBZ_ERR_FORMAT,
                "column: %s: %zu packed bytes needed at byte %zu, %zu left", what, sz, c->pos,
                c->len - c->pos);
    return CBZ_OK;
}

/* A packed block of n u64, each plus add (mod 2^64: a frame of reference's
 * base, or 0), into out: byte and decimal planes add it as they join the
 * planes; bit-packed values go through u (room for n values, or out
 * itself), then for_decode. */
static cbz_status get_packed_u64(cbz_cursor *c, const cbz_kernel_table *K, size_t n, uint64_t add,
                                 uint64_t *u, uint64_t *out, const char *what, cbz_error *err)
{
    if (c->pos < c->len && (c->p[c->pos] & 0xF0u) >= PACK_DEC &&
        (c->p[c->pos] & 0xF0u) <= PACK_DEC_SIGNED) {
        const uint8_t h = c->p[c->pos++];
        return get_dec_planes(c, K, n, h & 0x0Fu, (h & 0xF0u) == PACK_DEC_SIGNED, add, out, what,
                              err);
    }
    unsigned bits = 0, k = 0; /* set by get_packed_head on success */
    const uint8_t *p;
    CBZ_TRY(get_packed_head(c, n, 64, &bits, &k, &p, what, err));
    if (k) {
        K->planes_u64(p, n, k, add, out);
        return CBZ_OK;
    }
    K->bitunpack_u64(p, n, bits, u);
    if (add || u != out) K->for_decode(u, n, (int64_t)add, (int64_t *)out);
    return CBZ_OK;
}

static cbz_status get_packed_u32(cbz_cursor *c, const cbz_kernel_table *K, size_t n,
                                 uint32_t *out, const char *what, cbz_error *err)
{
    unsigned bits = 0, k = 0; /* set by get_packed_head on success */
    const uint8_t *p;
    CBZ_TRY(get_packed_head(c, n, 32, &bits, &k, &p, what, err));
    if (k) planes_get_u32(p, n, k, out);
    else K->bitunpack_u32(p, n, bits, out);
    return CBZ_OK;
}

static cbz_status get_varint(cbz_cursor *c, uint64_t *v, const char *what, cbz_error *err)
{
    CBZ_FAIL_IF(!cbz_cursor_varint(c, v), err, CBZ_ERR_FORMAT,
                "column: %s: bad or truncated varint at byte %zu", what, c->pos);
    return CBZ_OK;
}

/* v as cbz_buf_put_varint writes it (LEB128), at o, which has room for 10
 * bytes; returns how many it took.  For the loops that write a varint per
 * value: one reserve for all of them instead of a call per value. */
static inline size_t varint_to(uint8_t *o, uint64_t v)
{
    size_t k = 0;
    for (; v >= 0x80; v >>= 7) o[k++] = (uint8_t)(v | 0x80);
    o[k++] = (uint8_t)v;
    return k;
}

/* ------------------------------------------------------------------ hashing */

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Bytes i..n-1 of p (fewer than 8) as a little-endian number, by whole
 * loads that overlap where they can and read nothing outside p[0..n-1]. */
static inline uint64_t tail_word(const uint8_t *p, size_t n, size_t i)
{
    const size_t r = n - i;
    uint64_t t = 0;
    if (n >= 8 && r) {
        memcpy(&t, p + n - 8, 8);
        t >>= 8 * (8 - r);
    } else if (r >= 4) {
        uint32_t a, b;
        memcpy(&a, p + i, 4);
        memcpy(&b, p + n - 4, 4);
        t = a | (uint64_t)b << (8 * (r - 4));
    } else if (r >= 2) {
        uint16_t a, b;
        memcpy(&a, p + i, 2);
        memcpy(&b, p + n - 2, 2);
        t = a | (uint64_t)b << (8 * (r - 2));
    } else if (r == 1) {
        t = p[i];
    }
    return t;
}

static inline uint64_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = mix64(h ^ w);
    }
    return mix64(h ^ tail_word(p, n, i));
}

/* Dictionary coding of int64 values in one pass: keys[] gets the distinct
 * values in order of first appearance (at most `limit`), codes[i] the index of
 * v[i] in keys, counts[k] (when not NULL) the occurrences of key k.  Returns
 * false when there are more than `limit` distinct values (keys, codes and
 * counts are then partly written).  The open-addressing table lives in the
 * per-thread scratch slot 5 (2 × limit rounded up to a power of two). */
static bool dict_code_i64(const int64_t *v, size_t n, size_t limit, int64_t *keys,
                          uint32_t *codes, uint32_t *counts, size_t *nkeys)
{
    size_t cap = 16;
    while (cap < limit * 2) cap <<= 1;
    uint32_t *slot = scratch(5, cap * sizeof *slot);
    if (!slot) return false;
    memset(slot, 0xFF, cap * sizeof *slot);
    const size_t mask = cap - 1;
    /* the slot: the top bits of a multiplicative hash (keys are compared,
     * so the hash only says where to look: keys, codes and counts do not
     * depend on it) */
    const unsigned shift = (unsigned)__builtin_clzll((uint64_t)cap) + 1;
    size_t k = 0;
    int64_t last = 0;
    uint32_t last_code = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        const int64_t x = v[i];
        if (x == last && last_code != UINT32_MAX) { /* runs are common: skip the probe */
            codes[i] = last_code;
            if (counts) counts[last_code]++;
            continue;
        }
        size_t h = (size_t)(((uint64_t)x * 0x9E3779B97F4A7C15ULL) >> shift);
        uint32_t s;
        while ((s = slot[h]) != UINT32_MAX && keys[s] != x) h = (h + 1) & mask;
        if (s == UINT32_MAX) {
            if (k == limit) return false;
            s = (uint32_t)k++;
            slot[h] = s;
            keys[s] = x;
            if (counts) counts[s] = 0;
        }
        codes[i] = s;
        if (counts) counts[s]++;
        last = x;
        last_code = s;
    }
    *nkeys = k;
    return true;
}

/* True when the m values surely hold more than limit distinct ones, which
 * is when dict_code_i64 with that limit fails: their 12-bit hashes do
 * (equal values, equal hashes).  A column of amounts fails the dictionary
 * probe so after a few hundred values, without a table of keys.  False
 * proves nothing. */
static bool surely_over(const int64_t *v, size_t m, size_t limit)
{
    uint64_t seen[64] = { 0 };
    size_t d = 0;
    for (size_t i = 0; i < m; i++) {
        const uint64_t h = ((uint64_t)v[i] * 0x9E3779B97F4A7C15ULL) >> 52, bit = 1ull << (h & 63);
        d += !(seen[h >> 6] & bit);
        seen[h >> 6] |= bit;
        if (d > limit) return true;
    }
    return false;
}

/* Bits that an order-0 entropy coder needs for these counts (their sum m). */
static double entropy_bits(const uint32_t *counts, size_t k, size_t m)
{
    return hist_bits(counts, k, m);
}

/* ------------------------------------------------------------------ chunk memo */

/* The per-chunk memo of the encoder (cbz_col_chunk_ctx, column.h): facts
 * about a chunk's streams that the choices of several later columns use,
 * computed once per chunk instead of once per column that looks at them.
 * Entry j describes stream j of the chunk, i.e. peers[j] of every later
 * call; an entry also records which bytes it describes (pointer, count,
 * descriptor) and answers only a peer that matches them, so a call with
 * other peers (the sample trials of TEXT_SPLIT) is never given another
 * column's facts.  Everything memoized is a function of those bytes alone,
 * so the encoding does not depend on whether the memo was there.
 *   numeric  the stream's integers and invalid flags (parse_numeric), kept
 *            by encode_numeric when it parses the column itself; choose_ref
 *            and the reference of encode_numeric read them instead of
 *            parsing the peer again
 *   tlen     the lengths without trailing pad of its first tlen_done
 *            values (text references: the peer's text to cut out)
 *   blank    the blank flags of its first blank_done values (choose_mask)
 *   split    split_major's answer (choose_split)
 * The memory is one arena of large blocks, rewound by each reset. */
typedef struct memo_entry {
    const uint8_t *values; /* identity: NULL while the entry is unused     */
    size_t n;
    cbz_col_desc desc;
    const int64_t *ints;   /* numeric: NULL when not parsed                 */
    const uint8_t *bad;
    size_t nbad;
    uint32_t *tlen;        /* trimmed lengths, the first tlen_done computed */
    size_t tlen_done;
    uint8_t *blank;        /* n flags, the first blank_done computed        */
    size_t blank_done;
    int8_t split;          /* split_major: -1 not asked, 0 false, 1 true    */
    uint64_t split_key;
    size_t split_count;
    size_t *split_rows;    /* split_rows_fill by split_key: NULL till made  */
} memo_entry;

#define MEMO_BLOCK ((size_t)8 << 20)

struct cbz_col_chunk_ctx {
    memo_entry *e;     /* entries 0..n_e-1 */
    size_t n_e, cap_e;
    uint8_t **blk;     /* arena blocks, kept from chunk to chunk */
    size_t *blk_size;
    size_t n_blk, cap_blk;
    size_t cur, off;   /* next free byte: block cur, offset off */
};

cbz_col_chunk_ctx *cbz_col_chunk_ctx_new(void)
{
    return calloc(1, sizeof(cbz_col_chunk_ctx));
}

void cbz_col_chunk_ctx_free(cbz_col_chunk_ctx *c)
{
    if (!c) return;
    /* free(), not the block cache: this may run at thread exit, after the
     * cache's own destructor */
    for (size_t b = 0; b < c->n_blk; b++) free(c->blk[b]);
    free(c->blk);
    free(c->blk_size);
    free(c->e);
    free(c);
}

cbz_status cbz_col_chunk_ctx_reset(cbz_col_chunk_ctx *c, size_t n_streams, cbz_error *err)
{
    if (n_streams > c->cap_e) {
        memo_entry *e = realloc(c->e, n_streams * sizeof *e);
        CBZ_FAIL_IF(!e, err, CBZ_ERR_NOMEM, "column: no memory for the memo of %zu streams",
                    n_streams);
        c->e = e;
        c->cap_e = n_streams;
    }
    memset(c->e, 0, n_streams * sizeof *c->e);
    for (size_t j = 0; j < n_streams; j++) c->e[j].split = -1;
    c->n_e = n_streams;
    c->cur = c->off = 0;
    return CBZ_OK;
}

/* This thread's context (made on first use, freed when the thread ends);
 * NULL: no memory. */
static pthread_key_t chunk_ctx_key;
static pthread_once_t chunk_ctx_once = PTHREAD_ONCE_INIT;
static _Thread_local cbz_col_chunk_ctx *tl_chunk_ctx;

static void chunk_ctx_destroy(void *p) { cbz_col_chunk_ctx_free(p); }
static void chunk_ctx_key_create(void) { (void)pthread_key_create(&chunk_ctx_key, chunk_ctx_destroy); }

cbz_col_chunk_ctx *cbz_col_chunk_ctx_thread(void)
{
    if (tl_chunk_ctx) return tl_chunk_ctx;
    pthread_once(&chunk_ctx_once, chunk_ctx_key_create);
    cbz_col_chunk_ctx *c = cbz_col_chunk_ctx_new();
    if (!c) return NULL;
    if (pthread_setspecific(chunk_ctx_key, c) != 0) {
        cbz_col_chunk_ctx_free(c);
        return NULL;
    }
    tl_chunk_ctx = c;
    return c;
}

/* bytes of the arena, 64-byte aligned (NULL: no memory) */
static void *memo_alloc(cbz_col_chunk_ctx *c, size_t bytes)
{
    if (bytes > SIZE_MAX - 64) return NULL;
    bytes = (bytes + 63) & ~(size_t)63;
    for (; c->cur < c->n_blk; c->cur++, c->off = 0)
        if (c->blk_size[c->cur] - c->off >= bytes) {
            void *p = c->blk[c->cur] + c->off;
            c->off += bytes;
            return p;
        }
    if (c->n_blk == c->cap_blk) {
        size_t cap = c->cap_blk ? 2 * c->cap_blk : 8;
        uint8_t **b = realloc(c->blk, cap * sizeof *b);
        if (!b) return NULL;
        c->blk = b;
        size_t *s = realloc(c->blk_size, cap * sizeof *s);
        if (!s) return NULL;
        c->blk_size = s;
        c->cap_blk = cap;
    }
    size_t got;
    uint8_t *p = cbz_big_take(bytes > MEMO_BLOCK ? bytes : MEMO_BLOCK, &got);
    if (!p) return NULL;
    c->blk[c->n_blk] = p;
    c->blk_size[c->n_blk++] = got;
    c->cur = c->n_blk - 1;
    c->off = bytes;
    return p;
}

static bool desc_same(const cbz_col_desc *a, const cbz_col_desc *b)
{
    return a->kind == b->kind && a->is_signed == b->is_signed && a->sign == b->sign &&
           a->ebcdic == b->ebcdic && a->digits == b->digits && a->width == b->width;
}

/* The entry of stream j when it describes these bytes (an unused one is
 * claimed for them); NULL: no memo, or it holds another column there. */
static memo_entry *memo_at(cbz_col_chunk_ctx *c, size_t j, const cbz_col_desc *d,
                           const uint8_t *values, size_t n)
{
    if (!c || j >= c->n_e || !values) return NULL;
    memo_entry *e = &c->e[j];
    if (!e->values) {
        e->values = values;
        e->n = n;
        e->desc = *d;
        return e;
    }
    return e->values == values && e->n == n && desc_same(&e->desc, d) ? e : NULL;
}

static memo_entry *memo_peer(cbz_col_chunk_ctx *c, const cbz_col_peer *peers, size_t j)
{
    return memo_at(c, j, &peers[j].desc, peers[j].values, peers[j].n);
}

/* The trimmed lengths (text_lengths with the pad of the entry's code page)
 * of at least the first m of the entry's values, computed once, then
 * extended; NULL: no memory. */
static const uint32_t *memo_tlen(cbz_col_chunk_ctx *c, memo_entry *e, size_t m)
{
    if (!e->tlen && !(e->tlen = memo_alloc(c, e->n * sizeof *e->tlen))) return NULL;
    if (m > e->n) m = e->n;
    if (e->tlen_done < m) {
        const size_t w = e->desc.width, k = e->tlen_done;
        cbz_kernels()->text_lengths(e->values + k * w, m - k, w, e->desc.ebcdic ? 0x40 : 0x20,
                                    e->tlen + k);
        e->tlen_done = m;
    }
    return e->tlen;
}

/* flag[i] = value i is blank (blank_flags: branch-free, where the trimmed
 * lengths would branch on every value), for at least the first m of the
 * entry's values, computed once, then extended; NULL: no memory. */
static size_t blank_flags(const uint8_t *v, size_t n, size_t w, uint8_t b, uint8_t *flag);
static const uint8_t *memo_blank(cbz_col_chunk_ctx *c, memo_entry *e, size_t m)
{
    if (!e->blank && !(e->blank = memo_alloc(c, e->n))) return NULL;
    if (m > e->n) m = e->n;
    if (e->blank_done < m) {
        const size_t w = e->desc.width, k = e->blank_done;
        blank_flags(e->values + k * w, m - k, w, e->desc.ebcdic ? 0x40 : 0x20, e->blank + k);
        e->blank_done = m;
    }
    return e->blank;
}

/* The values i of w bytes (of n at v) whose flag[i] ^ inv is 1, to o back
 * to back; returns the end.  The select_rows kernel (no branch per value:
 * kept and dropped ones alternate at random, unused OCCURS entries), which
 * may write past the kept values: o needs room for them and w +
 * COPY_FLAGGED_ROOM bytes more. */
#define COPY_FLAGGED_ROOM CBZ_K_SELECT_ROWS_ROOM
static uint8_t *copy_flagged(uint8_t *o, const uint8_t *v, size_t n, size_t w,
                             const uint8_t *flag, uint8_t inv)
{
    return o + cbz_kernels()->select_rows(v, flag, n, w, inv ^ 1u, o) * w;
}

/* ------------------------------------------------------------------ RAW */

static cbz_status encode_raw(const cbz_kernel_table *K, const uint8_t *values, size_t n,
                             size_t width, cbz_buf *body, cbz_col_stats *st)
{
    size_t total = n * width;
    CBZ_TRY(cbz_buf_reserve(body, total));
    K->planes_split(values, n, width, body->data + body->len);
    body->len += total;
    chain_add(st, width > 1 ? "planes" : "raw");
    return CBZ_OK;
}

/* n * size bytes of a decoder slot, NULL when that overflows or there is no
 * memory. */
static void *dec_scratch_n(enum scratch_slot slot, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) return NULL;
    return scratch(slot, n * size);
}

/* Runs the statement LOOP (a loop over rows that copies W bytes a row with
 * cbz_copy_exact) with W a constant for the widths 1..16, so that each row is
 * copied by a move or two without a test of the width; wider rows take the
 * general cbz_copy_exact. */
#define DEC_BY_WIDTH(w, LOOP)                                                                 \
    do {                                                                                      \
        switch (w) {                                                                          \
        case 1: { const size_t W = 1; LOOP; } break;                                          \
        case 2: { const size_t W = 2; LOOP; } break;                                          \
        case 3: { const size_t W = 3; LOOP; } break;                                          \
        case 4: { const size_t W = 4; LOOP; } break;                                          \
        case 5: { const size_t W = 5; LOOP; } break;                                          \
        case 6: { const size_t W = 6; LOOP; } break;                                          \
        case 7: { const size_t W = 7; LOOP; } break;                                          \
        case 8: { const size_t W = 8; LOOP; } break;                                          \
        case 9: { const size_t W = 9; LOOP; } break;                                          \
        case 10: { const size_t W = 10; LOOP; } break;                                        \
        case 11: { const size_t W = 11; LOOP; } break;                                        \
        case 12: { const size_t W = 12; LOOP; } break;                                        \
        case 13: { const size_t W = 13; LOOP; } break;                                        \
        case 14: { const size_t W = 14; LOOP; } break;                                        \
        case 15: { const size_t W = 15; LOOP; } break;                                        \
        case 16: { const size_t W = 16; LOOP; } break;                                        \
        default: { const size_t W = (w); LOOP; } break;                                       \
        }                                                                                     \
    } while (0)

/* This thread's scratch when a decode keeps facts of the chunk
 * (cbz_column_decode_rows after cbz_column_decode_chunk_begin), else
 * NULL: no memo entry, no kept flags. */
static thread_scratch *chunk_scratch(bool memo)
{
    thread_scratch *t = memo ? scratch_set() : NULL;
    return t && t->dec_chunk ? t : NULL;
}

/* The 8 blank flags (0 or 1 bytes) from f[0] as one word: 0 when all are
 * 0, 0x0101010101010101 when all are 1. */
static inline uint64_t flags8(const uint8_t *f)
{
    uint64_t x;
    memcpy(&x, f, 8);
    return x;
}

/* b ? x : y by a mask, never a branch: the decoders' merges pick each row
 * from one of two sources where the flags alternate at random (blank and
 * kept rows, exceptions and valid values), and a mispredicted branch a row
 * costs more than the row's copy. */
static inline const uint8_t *pick_row(size_t b, const uint8_t *x, const uint8_t *y)
{
    const uintptr_t m = (uintptr_t)0 - (uintptr_t)b;
    return (const uint8_t *)(((uintptr_t)x & m) | ((uintptr_t)y & ~m));
}

/* The length of the w bytes at v without their trailing pad bytes, eight
 * bytes a step from the end. */
static inline size_t trimmed_len(const uint8_t *v, size_t w, uint8_t pad)
{
    const uint64_t p8 = 0x0101010101010101ull * pad;
    size_t l = w;
    while (l >= 8) {
        uint64_t x;
        memcpy(&x, v + l - 8, 8);
        x ^= p8;
        if (x) return l - (size_t)__builtin_clzll(x) / 8; /* little-endian: last byte high */
        l -= 8;
    }
    while (l > 0 && v[l - 1] == pad) l--;
    return l;
}

/* Value i of a placement (cbz_col_rows). */
static inline uint8_t *row_at(const cbz_col_rows *o, size_t i)
{
    return o->base + (o->rows ? o->rows[i] : i * o->stride);
}

/* The statements after (o, n, i, ROW) for i in [0, n), with ROW the address
 * of value i of placement *o: one loop per form (offsets, or a stride), the
 * fields read once (the loop's stores could alias *o, so the compiler would
 * read them again for every row). */
#define ROWS_LOOP(o, n, i, ROW, ...)                                                          \
    do {                                                                                      \
        uint8_t *const rb_ = (o)->base;                                                       \
        const size_t *const ro_ = (o)->rows;                                                  \
        const size_t rs_ = (o)->stride, rn_ = (n);                                            \
        if (ro_) {                                                                            \
            for (size_t i = 0; i < rn_; i++) {                                                \
                uint8_t *const ROW = rb_ + ro_[i];                                            \
                __VA_ARGS__                                                                   \
            }                                                                                 \
        } else {                                                                              \
            for (size_t i = 0; i < rn_; i++) {                                                \
                uint8_t *const ROW = rb_ + i * rs_;                                           \
                __VA_ARGS__                                                                   \
            }                                                                                 \
        }                                                                                     \
    } while (0)

/* peers[j] for a reader that needs its values back to back: as it is, or,
 * when its decode placed it (peer_at), gathered into scratch slot `slot`.
 * False: no memory. */
static bool peer_contig(const cbz_col_peer *peers, const cbz_col_rows *peer_at, size_t j,
                        int slot, cbz_col_peer *out)
{
    *out = peers[j];
    if (!peer_at || !peer_at[j].base) return true;
    const size_t w = out->desc.width, n = out->n;
    uint8_t *g = w && n <= SIZE_MAX / w ? scratch(slot, n * w) : NULL;
    if (!g) return false;
    const cbz_col_rows *at = &peer_at[j];
    DEC_BY_WIDTH(w, ROWS_LOOP(at, n, i, r, cbz_copy_exact(g + i * W, r, W);));
    out->values = g;
    return true;
}

/* Writes the n rows of w bytes at src (back to back) where *to says. */
static void put_rows(const cbz_col_rows *to, const uint8_t *src, size_t n, size_t w)
{
    DEC_BY_WIDTH(w, ROWS_LOOP(to, n, i, r, cbz_copy_exact(r, src + i * W, W);));
}

static cbz_status decode_raw(const cbz_kernel_table *K, cbz_cursor *c, size_t n, size_t width,
                             uint8_t *values, cbz_error *err)
{
    const uint8_t *p;
    CBZ_FAIL_IF(!cbz_cursor_bytes(c, n * width, &p), err, CBZ_ERR_FORMAT,
                "column: raw body holds %zu bytes, %zu needed", c->len - c->pos, n * width);
    K->planes_join(p, n, width, values);
    return CBZ_OK;
}

/* ------------------------------------------------------------------ TEXT */

typedef struct text_entry {
    const uint8_t *p;
    uint32_t len;
} text_entry;

static inline size_t common_prefix(const uint8_t *a, const uint8_t *b, size_t m);

/* memcmp's order of the bytes, then the shorter first: by common_prefix
 * (the sort's ties share their first 8 bytes, and a library call per
 * compare cost more than it). */
static int cmp_text(const void *a, const void *b)
{
    const text_entry *x = a, *y = b;
    size_t m = x->len < y->len ? x->len : y->len;
    const size_t pre = common_prefix(x->p, y->p, m);
    if (pre < m) return (int)x->p[pre] - (int)y->p[pre];
    return (x->len > y->len) - (x->len < y->len);
}

/* The encoder's sorts (text dictionaries into trie order, numeric keys by
 * value): a stable merge sort of (key, idx) items, with no call per
 * comparison as qsort makes.  ties == NULL: by key only; else idx numbers a
 * text entry of ties->te, key holds its first 8 bytes big-endian,
 * zero-padded (text_sort_key), ties->key2[idx] the next 8 so
 * (text_sort_key2), and where both are equal cmp_text decides: together the
 * order of cmp_text (a key differing at a byte past the shorter value's end
 * has the shorter value, padded with 0, below), with the values' bytes read
 * only for the ties of 16 bytes (values sharing their first 8 bytes are
 * common: descriptions, addresses). */
typedef struct sort_item {
    uint64_t key;
    uint64_t idx;
} sort_item;

typedef struct sort_ties {
    const text_entry *te;
    const uint64_t *key2;
} sort_ties;

static inline bool item_less(const sort_item *a, const sort_item *b, const sort_ties *ties)
{
    if (a->key != b->key) return a->key < b->key;
    if (!ties) return false;
    const uint64_t x = ties->key2[a->idx], y = ties->key2[b->idx];
    if (x != y) return x < y;
    return cmp_text(&ties->te[a->idx], &ties->te[b->idx]) < 0;
}

/* Sorts t[0..n); tmp: room for n items.  Runs of SORT_RUN by insertion,
 * then merges that take from the left run unless the right one is strictly
 * less (stable, as glibc's merge-sorting qsort is). */
#define SORT_RUN 16
static void sort_items(sort_item *t, sort_item *tmp, size_t n, const sort_ties *ties)
{
    for (size_t s = 0; s < n; s += SORT_RUN) {
        const size_t e = n - s > SORT_RUN ? s + SORT_RUN : n;
        for (size_t i = s + 1; i < e; i++) {
            const sort_item x = t[i];
            size_t j = i;
            for (; j > s && item_less(&x, &t[j - 1], ties); j--) t[j] = t[j - 1];
            t[j] = x;
        }
    }
    sort_item *a = t, *b = tmp;
    for (size_t w = SORT_RUN; w < n; w *= 2) {
        for (size_t s = 0; s < n; s += 2 * w) {
            const size_t m = n - s > w ? s + w : n, e = n - s > 2 * w ? s + 2 * w : n;
            size_t i = s, j = m, k = s;
            while (i < m && j < e) b[k++] = item_less(&a[j], &a[i], ties) ? a[j++] : a[i++];
            while (i < m) b[k++] = a[i++];
            while (j < e) b[k++] = a[j++];
        }
        sort_item *x = a;
        a = b;
        b = x;
    }
    if (a != t) memcpy(t, a, n * sizeof *t);
}

/* sort_items of items whose keys alone decide the order (no ties: sort_items
 * with ties NULL, also stable), by least-significant-byte radix passes over
 * key - lo <= span: a pass for each byte of the span that is not the same in
 * every key.  For many keys fewer steps than sort_items' merges, and no
 * branch on a compare. */
static void sort_items_radix(sort_item *t, sort_item *tmp, size_t n, uint64_t lo, uint64_t span)
{
    const unsigned nbytes = (bits_of(span) + 7) / 8;
    uint32_t cnt[8][256];
    memset(cnt, 0, nbytes * sizeof cnt[0]);
    for (size_t i = 0; i < n; i++) {
        const uint64_t k = t[i].key - lo;
        for (unsigned p = 0; p < nbytes; p++) cnt[p][(k >> (8 * p)) & 0xFF]++;
    }
    sort_item *a = t, *b = tmp;
    for (unsigned p = 0; p < nbytes && n; p++) {
        uint32_t *c = cnt[p];
        const unsigned sh = 8 * p;
        if (c[((a[0].key - lo) >> sh) & 0xFF] == n) continue;
        uint32_t sum = 0;
        for (unsigned q = 0; q < 256; q++) {
            const uint32_t x = c[q];
            c[q] = sum;
            sum += x;
        }
        for (size_t i = 0; i < n; i++) b[c[((a[i].key - lo) >> sh) & 0xFF]++] = a[i];
        sort_item *x = a;
        a = b;
        b = x;
    }
    if (a != t) memcpy(t, a, n * sizeof *t);
}

/* Whether the l bytes at a and b are equal, by whole loads (overlapping
 * at the end, inside the l bytes): the values are short, and a libc call
 * per lookup cost more than the compare. */
static inline bool bytes_equal(const uint8_t *a, const uint8_t *b, size_t l)
{
    if (l >= 8) {
        uint64_t x, y, diff = 0;
        for (size_t i = 0; i + 8 <= l; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            diff |= x ^ y;
        }
        memcpy(&x, a + l - 8, 8);
        memcpy(&y, b + l - 8, 8);
        return (diff | (x ^ y)) == 0;
    }
    if (l >= 4) {
        uint32_t x, y, u, v;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        memcpy(&u, a + l - 4, 4);
        memcpy(&v, b + l - 4, 4);
        return ((x ^ y) | (u ^ v)) == 0;
    }
    if (l >= 2) {
        uint16_t x, y, u, v;
        memcpy(&x, a, 2);
        memcpy(&y, b, 2);
        memcpy(&u, a + l - 2, 2);
        memcpy(&v, b + l - 2, 2);
        return ((x ^ y) | (u ^ v)) == 0;
    }
    return l == 0 || a[0] == b[0];
}

/* How many of the first m bytes of a and b are equal, 8 at a time (the
 * lowest differing byte of a little-endian word is the first one). */
static inline size_t common_prefix(const uint8_t *a, const uint8_t *b, size_t m)
{
    size_t i = 0;
    for (; i + 8 <= m; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y) return i + (size_t)__builtin_ctzll(x ^ y) / 8;
    }
    while (i < m && a[i] == b[i]) i++;
    return i;
}

/* The open-addressing table of text_dict_build: cap slots (a power of two)
 * in the per-thread scratch slot 5, all empty. */
static uint32_t *text_dict_table(size_t limit, size_t *cap)
{
    size_t c = 16;
    while (c < limit * 2) c <<= 1;
    uint32_t *slot = scratch(5, c * sizeof *slot);
    if (slot) memset(slot, 0xFF, c * sizeof *slot);
    *cap = c;
    return slot;
}

/* The hash of text_dict_build for the whole row of w > 8 bytes at p, read
 * as its nw = ceil(w / 8) words (a constant where it is inlined, so that
 * the words are loads with no loop; its high bits pick the slot): rows of
 * one width are equal exactly when their trimmed values are (the rest is
 * pad), and a row is the same number of
 * words every time, where the trimmed length would branch differently from
 * one value to the next.  Only where an entry is looked for depends on it
 * (codes are insertion indices, and equal values are told by their bytes),
 * so it need not be hash_bytes: one multiply per 8 bytes (each step a
 * bijection of the state: rows differing in one word never get the same
 * 64 bits). */
static inline __attribute__((always_inline)) uint64_t dict_hash(const uint8_t *p, size_t w,
                                                                 size_t nw)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL, x;
    for (size_t j = 0; j + 1 < nw; j++) {
        memcpy(&x, p + 8 * j, 8);
        h = (h ^ x) * 0xbf58476d1ce4e5b9ULL;
    }
    memcpy(&x, p + w - 8, 8); /* the last word, overlapping the one before */
    h = (h ^ x) * 0xbf58476d1ce4e5b9ULL;
    return (h ^ h >> 31) * 0x94d049bb133111ebULL;
}

/* Whether the rows of w > 8 bytes (nw words, as dict_hash) at a and b are
 * equal, by whole words, the last one overlapping. */
static inline __attribute__((always_inline)) bool rows_equal(const uint8_t *a, const uint8_t *b,
                                                             size_t w, size_t nw)
{
    uint64_t x, y, diff = 0;
    for (size_t j = 0; j + 1 < nw; j++) {
        memcpy(&x, a + 8 * j, 8);
        memcpy(&y, b + 8 * j, 8);
        diff |= x ^ y;
    }
    memcpy(&x, a + w - 8, 8);
    memcpy(&y, b + w - 8, 8);
    return (diff | (x ^ y)) == 0;
}

/* The top k bits of h, for a table of cap = 2^k slots (16 <= cap). */
static inline size_t dict_slot_of(uint64_t h, size_t cap)
{
    return (size_t)(h >> (__builtin_clzll((uint64_t)cap) + 1));
}

/* The w <= 8 bytes at p as one little-endian integer, by whole loads
 * (overlapping inside the w bytes): with the width fixed, equal integers
 * are equal values, and so equal trimmed values. */
static inline uint64_t short_key(const uint8_t *p, size_t w)
{
    uint64_t k;
    uint32_t a, b;
    uint16_t x;
    switch (w) {
    case 1: return p[0];
    case 2: memcpy(&x, p, 2); return x;
    case 3: memcpy(&x, p, 2); return x | (uint64_t)p[2] << 16;
    case 4: memcpy(&a, p, 4); return a;
    case 8: memcpy(&k, p, 8); return k;
    default: /* 5..7 */
        memcpy(&a, p, 4);
        memcpy(&b, p + w - 4, 4);
        return a | (uint64_t)b << (8 * (w - 4));
    }
}

/* The sort key of a dictionary entry (sort_item) whose value of len bytes
 * starts a row of w bytes: the row's first (up to) 8 bytes by whole loads,
 * byte-swapped (big-endian), the bytes past len cleared (zero-padded). */
static inline uint64_t text_sort_key(const uint8_t *p, size_t len, size_t w)
{
    uint64_t x;
    if (w >= 8) memcpy(&x, p, 8);
    else x = short_key(p, w); /* the w bytes, zero above */
    x = __builtin_bswap64(x);
    return len >= 8 ? x : len == 0 ? 0 : x & ~(~0ull >> (8 * len));
}

/* The trimmed length of a new dictionary entry, value i at p: lens[i], or
 * (lens NULL) found for it alone, so that a column whose dictionary wins
 * needs no pass for the lengths of all its values. */
static inline uint32_t entry_len(const uint32_t *lens, size_t i, const uint8_t *p, size_t w,
                                 uint8_t pad)
{
    return lens ? lens[i] : (uint32_t)trimmed_len(p, w, pad);
}

/* The second sort key of that entry (sort_ties): bytes 8..15 of its
 * value, big-endian, zero past len (all zero for len <= 8), read inside
 * the row. */
static inline uint64_t text_sort_key2(const uint8_t *p, size_t len, size_t w)
{
    if (len <= 8) return 0; /* then w > 8 below */
    uint64_t x;
    if (w >= 16) memcpy(&x, p + 8, 8);
    else x = tail_word(p, w, 8); /* bytes 8..w-1, zero above */
    x = __builtin_bswap64(x);
    return len >= 16 ? x : x & ~(~0ull >> (8 * (len - 8)));
}

/* The table of text_dict_build_short: slots, then the entries' integers. */
typedef struct short_table {
    uint32_t *slot;
    uint64_t *key;
    size_t cap;
    unsigned shift;
} short_table;

/* Makes the table for at most lim entries (in the per-thread scratch slot
 * 5) and puts the first k entries back in; false: no memory. */
static bool short_table_fill(short_table *t, size_t lim, const text_entry *ents, size_t k,
                             size_t width)
{
    size_t c = 16;
    while (c < lim * 2) c <<= 1;
    uint8_t *m = scratch(5, c * sizeof *t->slot + (lim + 1) * sizeof *t->key);
    if (!m) return false;
    t->slot = (uint32_t *)m;
    t->key = (uint64_t *)(m + c * sizeof *t->slot); /* c * 4 is a multiple of 64 */
    memset(t->slot, 0xFF, c * sizeof *t->slot);
    t->cap = c;
    t->shift = (unsigned)__builtin_clzll((uint64_t)c) + 1;
    for (size_t e = 0; e < k; e++) {
        t->key[e] = short_key(ents[e].p, width);
        size_t h = (size_t)((t->key[e] * 0x9E3779B97F4A7C15ULL) >> t->shift);
        while (t->slot[h] != UINT32_MAX) h = (h + 1) & (c - 1);
        t->slot[h] = (uint32_t)e;
    }
    return true;
}

/* Values [from, to) of text_dict_build_short into table t of at most lim
 * entries (*k so far); *last and *last_code carry the value before.  Inlined
 * with a constant width, so that short_key is a load or two. */
static inline __attribute__((always_inline)) bool
short_dict_range(const uint8_t *values, const uint32_t *lens, uint8_t pad, size_t from,
                 size_t to, const size_t width, const short_table *t, size_t lim, uint32_t *codes,
                 text_entry *ents, size_t *k_io, uint64_t *last_io, uint32_t *last_code_io)
{
    size_t k = *k_io;
    uint64_t last = *last_io;
    uint32_t last_code = *last_code_io;
    const size_t mask = t->cap - 1;
    bool ok = true;
    for (size_t i = from; i < to;) {
        /* four at once when all four equal the value before (runs are
         * common), or are all found at their first slot (most values), else
         * these four one by one */
        size_t end = to;
        if (i + 4 <= to) {
            const uint64_t x0 = short_key(values + i * width, width);
            const uint64_t x1 = short_key(values + (i + 1) * width, width);
            const uint64_t x2 = short_key(values + (i + 2) * width, width);
            const uint64_t x3 = short_key(values + (i + 3) * width, width);
            if (!((x0 ^ last) | (x1 ^ last) | (x2 ^ last) | (x3 ^ last)) &&
                last_code != UINT32_MAX) {
                codes[i] = codes[i + 1] = codes[i + 2] = codes[i + 3] = last_code;
                i += 4;
                continue;
            }
            const uint32_t s0 = t->slot[(x0 * 0x9E3779B97F4A7C15ULL) >> t->shift];
            const uint32_t s1 = t->slot[(x1 * 0x9E3779B97F4A7C15ULL) >> t->shift];
            const uint32_t s2 = t->slot[(x2 * 0x9E3779B97F4A7C15ULL) >> t->shift];
            const uint32_t s3 = t->slot[(x3 * 0x9E3779B97F4A7C15ULL) >> t->shift];
            if (!((s0 | s1 | s2 | s3) >> 31) &&
                ((t->key[s0] == x0) & (t->key[s1] == x1) & (t->key[s2] == x2) &
                 (t->key[s3] == x3))) {
                codes[i] = s0;
                codes[i + 1] = s1;
                codes[i + 2] = s2;
                codes[i + 3] = s3;
                last = x3;
                last_code = s3;
                i += 4;
                continue;
            }
            end = i + 4;
        }
        for (; i < end; i++) {
            const uint8_t *p = values + i * width;
            const uint64_t x = short_key(p, width);
            if (x == last && last_code != UINT32_MAX) {
                codes[i] = last_code;
                continue;
            }
            size_t h = (size_t)((x * 0x9E3779B97F4A7C15ULL) >> t->shift);
            for (;;) {
                uint32_t sl = t->slot[h];
                if (sl == UINT32_MAX) {
                    if (k == lim) {
                        ok = false;
                        goto done;
                    }
                    t->slot[h] = (uint32_t)k;
                    t->key[k] = x;
                    ents[k].p = p;
                    ents[k].len = entry_len(lens, i, p, width, pad);
                    codes[i] = (uint32_t)k++;
                    break;
                }
                if (t->key[sl] == x) {
                    codes[i] = sl;
                    break;
                }
                h = (h + 1) & mask;
            }
            last = x;
            last_code = codes[i];
        }
    }
done:
    *k_io = k;
    *last_io = last;
    *last_code_io = last_code;
    return ok;
}

/* short_dict_range with the width made a constant (1..8). */
static bool short_dict_range_w(const uint8_t *values, const uint32_t *lens, uint8_t pad,
                               size_t from, size_t to, size_t width, const short_table *t,
                               size_t lim, uint32_t *codes, text_entry *ents, size_t *k,
                               uint64_t *last, uint32_t *last_code)
{
#define SHORT_RANGE(W) \
    short_dict_range(values, lens, pad, from, to, W, t, lim, codes, ents, k, last, last_code)
    switch (width) {
    case 1: return SHORT_RANGE(1);
    case 2: return SHORT_RANGE(2);
    case 3: return SHORT_RANGE(3);
    case 4: return SHORT_RANGE(4);
    case 5: return SHORT_RANGE(5);
    case 6: return SHORT_RANGE(6);
    case 7: return SHORT_RANGE(7);
    default: return SHORT_RANGE(8);
    }
#undef SHORT_RANGE
}

#define DICT_DIRECT_SLOTS 65536
/* This thread's direct dictionary table (ES_DICT_DIRECT: DICT_DIRECT_SLOTS
 * slots), all empty (0xFF...) when made; every user empties the slots it
 * filled before it returns, so it is all empty at every call.  NULL when
 * there is no memory. */
static uint32_t *dict_direct_table(void)
{
    thread_scratch *ts = scratch_set();
    const size_t bytes = DICT_DIRECT_SLOTS * sizeof(uint32_t);
    if (!ts) return NULL;
    const bool fresh = ts->cap[ES_DICT_DIRECT] < bytes;
    uint32_t *slot = scratch(ES_DICT_DIRECT, bytes);
    if (slot && fresh) memset(slot, 0xFF, bytes);
    return slot;
}

/* Values [from, to) of text_dict_build_direct into its table, for at most
 * lim entries (*k so far); false when there would be more.  Inlined with
 * the width a constant. */
static inline __attribute__((always_inline)) bool
direct_dict_range(const uint8_t *values, const uint32_t *lens, uint8_t pad, size_t from, size_t to,
                  const size_t width, uint32_t *slot, size_t lim, uint32_t *codes,
                  text_entry *ents, size_t *k_io)
{
    size_t k = *k_io;
    bool ok = true;
    _Static_assert(DICT_MAX < 0x80000000u, "direct_dict_range tells codes by the top bit");
    for (size_t i = from; i < to;) {
        /* four at once when all four are entries already (most values;
         * codes are below 2^31, an empty slot has the top bit set), else
         * these four one by one */
        size_t end = to;
        if (i + 4 <= to) {
            const uint32_t s0 = slot[short_key(values + i * width, width)];
            const uint32_t s1 = slot[short_key(values + (i + 1) * width, width)];
            const uint32_t s2 = slot[short_key(values + (i + 2) * width, width)];
            const uint32_t s3 = slot[short_key(values + (i + 3) * width, width)];
            if (!((s0 | s1 | s2 | s3) >> 31)) {
                codes[i] = s0;
                codes[i + 1] = s1;
                codes[i + 2] = s2;
                codes[i + 3] = s3;
                i += 4;
                continue;
            }
            end = i + 4;
        }
        for (; i < end; i++) {
            const uint8_t *p = values + i * width;
            const uint64_t key = short_key(p, width);
            uint32_t s = slot[key];
            if (s == UINT32_MAX) {
                if (k == lim) {
                    ok = false;
                    goto done;
                }
                s = (uint32_t)k;
                slot[key] = s;
                ents[k].p = p;
                ents[k].len = entry_len(lens, i, p, width, pad);
                k++;
            }
            codes[i] = s;
        }
    }
done:
    *k_io = k;
    return ok;
}

/* text_dict_build for values of 1 or 2 bytes: the table is indexed by the
 * value itself (all 65536 of 2 bytes), so a value is one load, with no hash
 * and no compare.  The table lives in the thread's slot ES_DICT_DIRECT,
 * filled with empty slots once when it is made and left so after each use
 * (the slots of the entries made are emptied again).  The same entries,
 * codes and answer as text_dict_build_short; false also when there is no
 * table (no memory). */
static bool text_dict_build_direct(const uint8_t *values, const uint32_t *lens, uint8_t pad,
                                   size_t n, size_t width, size_t probe, size_t probe_limit,
                                   size_t limit, uint32_t *codes, text_entry *ents, size_t *nents,
                                   bool *done)
{
    *done = false;
    uint32_t *slot = dict_direct_table();
    if (!slot) return false;
    *done = true;
    size_t k = 0;
    /* the probe's limit till value `split`, then the column's; the loops
     * with the width (1 or 2) a constant, a value one load */
    const size_t split = probe > 0 && probe < n && probe_limit < limit ? probe : n;
#define DIRECT_RANGES(W)                                                                      \
    (direct_dict_range(values, lens, pad, 0, split, W, slot, probe_limit, codes, ents, &k) &&  \
     direct_dict_range(values, lens, pad, split, n, W, slot, limit, codes, ents, &k))
    const bool ok = width == 1 ? DIRECT_RANGES(1) : DIRECT_RANGES(2);
#undef DIRECT_RANGES
    for (size_t e = 0; e < k; e++) slot[short_key(ents[e].p, width)] = UINT32_MAX;
    if (ok) *nents = k;
    return ok;
}

/* text_dict_build for values of at most 8 bytes: each value is looked up
 * by its integer (short_key), compared with the entries' integers without
 * touching their bytes again, and a value equal to the one before takes its
 * code with no lookup.  The table is made for the probe (the first `probe`
 * values), then for the whole column and refilled.  The same entries, codes
 * and answer. */
static bool text_dict_build_short(const uint8_t *values, const uint32_t *lens, uint8_t pad,
                                  size_t n, size_t width, size_t probe, size_t probe_limit,
                                  size_t limit, uint32_t *codes, text_entry *ents, size_t *nents)
{
    bool done;
    if (width <= 2) {
        const bool ok = text_dict_build_direct(values, lens, pad, n, width, probe, probe_limit,
                                               limit, codes, ents, nents, &done);
        if (done) return ok;
    }
    short_table t;
    size_t k = 0, lim = probe_limit;
    uint64_t last = 0;
    uint32_t last_code = UINT32_MAX;
    if (n == 0) {
        *nents = 0;
        return true;
    }
    if (!short_table_fill(&t, lim, ents, 0, width)) return false;
    /* a probe of no values keeps the probe's table to the end */
    const size_t split = probe > 0 && probe < n && lim < limit ? probe : n;
    if (!short_dict_range_w(values, lens, pad, 0, split, width, &t, lim, codes, ents, &k, &last,
                            &last_code))
        return false;
    if (split < n) {
        lim = limit;
        if (!short_table_fill(&t, lim, ents, k, width)) return false;
        if (!short_dict_range_w(values, lens, pad, split, n, width, &t, lim, codes, ents, &k, &last,
                                &last_code))
            return false;
    }
    *nents = k;
    return true;
}

/* Values [from, to) of text_dict_build's rows of w > 8 bytes into the table
 * of cap slots, for at most lim entries (*k so far); false when there would
 * be more.  Inlined with the word count nw a constant. */
static inline __attribute__((always_inline)) bool
wide_dict_range(const uint8_t *values, const uint32_t *lens, uint8_t pad, size_t from, size_t to,
                size_t width, const size_t nw, uint32_t *slot, size_t cap, size_t lim,
                uint32_t *codes, text_entry *ents, size_t *k_io)
{
    size_t k = *k_io;
    for (size_t i = from; i < to; i++) {
        const uint8_t *p = values + i * width;
        size_t h = dict_slot_of(dict_hash(p, width, nw), cap);
        for (;;) {
            const uint32_t s = slot[h];
            if (s == UINT32_MAX) {
                if (k == lim) return false;
                slot[h] = (uint32_t)k;
                ents[k].p = p;
                ents[k].len = entry_len(lens, i, p, width, pad);
                codes[i] = (uint32_t)k++;
                break;
            }
            if (rows_equal(ents[s].p, p, width, nw)) {
                codes[i] = s;
                break;
            }
            h = (h + 1) & (cap - 1);
        }
    }
    *k_io = k;
    return true;
}

/* wide_dict_range with the word count made a constant (rows of 9..64
 * bytes). */
static bool wide_dict_range_w(const uint8_t *values, const uint32_t *lens, uint8_t pad,
                              size_t from, size_t to, size_t width, uint32_t *slot, size_t cap,
                              size_t lim, uint32_t *codes, text_entry *ents, size_t *k)
{
#define WIDE_RANGE(NW) \
    wide_dict_range(values, lens, pad, from, to, width, NW, slot, cap, lim, codes, ents, k)
    switch ((width + 7) / 8) {
    case 2: return WIDE_RANGE(2);
    case 3: return WIDE_RANGE(3);
    case 4: return WIDE_RANGE(4);
    case 5: return WIDE_RANGE(5);
    case 6: return WIDE_RANGE(6);
    case 7: return WIDE_RANGE(7);
    case 8: return WIDE_RANGE(8);
    default: return WIDE_RANGE((width + 7) / 8);
    }
#undef WIDE_RANGE
}

/* Builds the dictionary of trimmed values in one pass.  Returns false when
 * its first `probe` values hold more than probe_limit distinct ones (a
 * column that does not repeat gives up early, with a small table), or all n
 * more than limit (probe_limit <= limit).  codes[i] = insertion index; ents
 * in insertion order.  lens: the values' trimmed lengths (with pad), or
 * NULL: each entry's is found when it is made (entry_len). */
static bool text_dict_build(const uint8_t *values, const uint32_t *lens, uint8_t pad, size_t n,
                            size_t width, size_t probe, size_t probe_limit, size_t limit,
                            uint32_t *codes, text_entry *ents, size_t *nents)
{
    if (width <= 8)
        return text_dict_build_short(values, lens, pad, n, width, probe, probe_limit, limit,
                                     codes, ents, nents);
    size_t cap, k = 0;
    uint32_t *slot = text_dict_table(probe_limit, &cap);
    if (!slot) return false;
    /* the probe's table till value `probe`, then the whole column's */
    const size_t split = probe < n && probe_limit < limit ? probe : n;
    if (!wide_dict_range_w(values, lens, pad, 0, split, width, slot, cap, probe_limit, codes, ents,
                           &k))
        return false;
    if (split < n) {
        if (!(slot = text_dict_table(limit, &cap))) return false;
        const size_t nw = (width + 7) / 8;
        for (size_t e = 0; e < k; e++) {
            size_t h = dict_slot_of(dict_hash(ents[e].p, width, nw), cap);
            while (slot[h] != UINT32_MAX) h = (h + 1) & (cap - 1);
            slot[h] = (uint32_t)e;
        }
        if (!wide_dict_range_w(values, lens, pad, split, n, width, slot, cap, limit, codes, ents,
                               &k))
            return false;
    }
    *nents = k;
    return true;
}

/* The text trials (byte planes or rows; TEXT_NUM or not) look at the first
 * text_sample() values: about TEXT_SAMPLE_BYTES, and at least
 * TEXT_SAMPLE_MIN values (on fewer, TEXT_NUM's fixed costs weigh too much
 * against it).  They decide as 16 KiB did on the generated datasets (the
 * same members) at a fraction of the cost. */
#define TEXT_SAMPLE_BYTES 4096
#define TEXT_SAMPLE_MIN 512
static size_t text_sample(size_t n, size_t width)
{
    size_t m = TEXT_SAMPLE_BYTES / width;
    m = m < TEXT_SAMPLE_MIN ? TEXT_SAMPLE_MIN : m;
    return m < n ? m : n;
}

/* What the plain text choices found out on a column's first values,
 * handed on so that a later encoding of the same values (the text-number
 * trial's sample, then the whole column) does not compress the sample again:
 * planes_win_on_sample looks at the same text_sample() values both times. */
typedef struct text_probe {
    int8_t planes;      /* planes_win_on_sample's answer; -1: not asked yet  */
    size_t sample;      /* values it looked at                                */
    size_t z_rows;      /* zstd probe size of those values as rows ...        */
    size_t z_planes;    /* ... and as byte planes (0: not measured)           */
} text_probe;
#define TEXT_PROBE_INIT { -1, 0, 0, 0 }

/* Whether byte planes compress a column clearly better than its rows: both
 * forms of the first text_sample() values go through a zstd probe and the
 * planes must come out at least 10% smaller.  tp (not NULL) keeps the answer
 * and the sizes. */
static bool planes_win_on_sample(const cbz_kernel_table *K, const uint8_t *values, size_t n,
                                 size_t width, text_probe *tp)
{
    const size_t m = text_sample(n, width);
    tp->planes = 0;
    tp->sample = m;
    tp->z_rows = tp->z_planes = 0;
    if (m < 64) return false;
    uint8_t *pl = malloc(m * width);
    if (!pl) return false;
    K->planes_split(values, m, width, pl);
    cbz_buf z;
    cbz_buf_init(&z);
    size_t rows = 0, planes = 0;
    bool ok = cbz_zstd_probe(values, m * width, &z, NULL) == CBZ_OK;
    rows = z.len;
    z.len = 0;
    ok = ok && cbz_zstd_probe(pl, m * width, &z, NULL) == CBZ_OK;
    planes = z.len;
    cbz_buf_free(&z);
    free(pl);
    if (ok) {
        tp->z_rows = rows;
        tp->z_planes = planes;
    }
    tp->planes = ok && planes * 10 < rows * 9;
    return tp->planes;
}

/* The plain text choices (FIXED, TRIM, DICT, or byte planes as RAW).  tp:
 * what an earlier call on the same first values found out (NULL: nothing),
 * updated with what this one finds.  known: the values' trimmed lengths
 * when the caller has them (text_lengths' answer; NULL: found here). */
static cbz_status encode_text_plain(const cbz_kernel_table *K, const cbz_col_desc *d,
                                    const uint8_t *values, size_t n, bool planes, cbz_buf *body,
                                    uint8_t *method, text_probe *tp, uint32_t *known,
                                    cbz_col_stats *st, cbz_error *err)
{
    text_probe own = TEXT_PROBE_INIT;
    if (!tp) tp = &own;
    const size_t width = d->width;
    const uint8_t pad = d->ebcdic ? 0x40 : 0x20;
    cbz_status rc = CBZ_OK;
    double t0 = now_s();
    uint32_t *lens = known ? known : scratch(0, n * sizeof *lens);
    uint32_t *codes = scratch(1, n * sizeof *codes);
    size_t limit = n / 4 < DICT_MAX ? n / 4 : DICT_MAX;
    text_entry *ents = xmalloc((limit + 1) * sizeof *ents);
    uint32_t *rank = NULL;
    if (!lens || !codes || !ents) {
        rc = cbz_fail(err, CBZ_ERR_NOMEM, "column: no memory for %zu text values", n);
        goto out;
    }
    /* the lengths of all values only when the dictionary is not taken:
     * its entries' lengths give the values' sum otherwise */
    size_t sumlen = 0;
    if (known)
        for (size_t i = 0; i < n; i++) sumlen += known[i];
    layer_done(st, 3, t0, n * (uint64_t)width);
    chain_add(st, "validate");

    /* L6: try the dictionary when the first values repeat enough */
    size_t nents = 0;
    bool dict = false;
    t0 = now_s();
    if (limit >= 1) {
        size_t probe = n < 1024 ? n : 1024;
        size_t probe_limit = probe / 2 > 0 ? probe / 2 : 1;
        dict = text_dict_build(values, known, pad, n, width, probe,
                               probe_limit < limit ? probe_limit : limit, limit, codes, ents,
                               &nents);
    }
    const size_t trim_pack = cbz_k_bitpack_size(n, bits_of(width));
    const size_t fixed_cost = n * width;
    if (dict) {
        size_t dict_cost = cbz_k_bitpack_size(n, bits_of(nents - 1)), ents_len = 0;
        size_t min_len = width, empty = SIZE_MAX; /* the shortest entry besides "", "" */
        for (size_t k = 0; k < nents; k++) {
            ents_len += ents[k].len;
            if (ents[k].len == 0) empty = k;
            else if (ents[k].len < min_len) min_len = ents[k].len;
        }
        dict_cost += ents_len + 2 * nents;
        size_t trim_cost = sumlen + trim_pack;
        if (!known) {
            /* a floor of the values' lengths: every entry occurs, and the
             * values besides one of each and the blank ones are min_len
             * long at least (the blank ones counted, by a loop that
             * vectorizes, only when there is a blank entry).  A dictionary
             * that beats trimming by the floor needs no sum, else the sum
             * is taken through the codes. */
            size_t blank = 0;
            if (empty != SIZE_MAX) {
                /* 32-bit counts, so that the compare and sum vectorize */
                const uint32_t e32 = (uint32_t)empty;
                for (size_t b0 = 0; b0 < n; b0 += (size_t)1 << 30) {
                    const size_t b1 = n - b0 > ((size_t)1 << 30) ? b0 + ((size_t)1 << 30) : n;
                    uint32_t c = 0;
                    for (size_t i = b0; i < b1; i++) c += codes[i] == e32;
                    blank += c;
                }
            }
            const size_t others = n - nents - (blank ? blank - 1 : 0);
            trim_cost = ents_len + others * min_len + trim_pack;
            if (dict_cost * 10 > trim_cost * 9) {
                for (size_t i = 0; i < n; i++) sumlen += ents[codes[i]].len;
                trim_cost = sumlen + trim_pack;
            }
        }
        if (dict_cost * 10 > (trim_cost < fixed_cost ? trim_cost : fixed_cost) * 9) dict = false;
    }
    if (!dict && !known) sumlen = K->text_lengths(values, n, width, pad, lens);
    const size_t trim_cost = sumlen + trim_pack;
    if (dict) {
        /* sort (trie order), front-code, remap codes to sorted ranks */
        text_entry *sorted = xmalloc(nents * sizeof *sorted);
        sort_item *items = xmalloc(2 * nents * sizeof *items);
        uint64_t *key2 = xmalloc(nents * sizeof *key2);
        rank = xmalloc(nents * sizeof *rank);
        if (!sorted || !items || !key2 || !rank) {
            free(sorted);
            free(items);
            free(key2);
            rc = cbz_fail(err, CBZ_ERR_NOMEM, "column: no memory for a text dictionary");
            goto out;
        }
        for (size_t k = 0; k < nents; k++) {
            items[k] = (sort_item){ text_sort_key(ents[k].p, ents[k].len, width), k };
            key2[k] = text_sort_key2(ents[k].p, ents[k].len, width);
        }
        const sort_ties ties = { ents, key2 };
        sort_items(items, items + nents, nents, &ties);
        for (size_t r = 0; r < nents; r++) sorted[r] = ents[items[r].idx];
        free(items);
        free(key2);
        /* entries are distinct pointers into values: find rank by re-lookup of
         * the pointer; ents[k].p identifies entry k uniquely */
        for (size_t r = 0; r < nents; r++) {
            /* codes of the first occurrence: the entry's pointer is that value */
            size_t first = (size_t)(sorted[r].p - values) / width;
            rank[codes[first]] = (uint32_t)r;
        }
        if ((rc = cbz_buf_put_varint(body, nents)) != CBZ_OK) goto nomem_sorted;
        const text_entry *prev = NULL;
        for (size_t r = 0; r < nents; r++) {
            size_t pre = 0;
            if (prev) {
                size_t m = prev->len < sorted[r].len ? prev->len : sorted[r].len;
                pre = common_prefix(prev->p, sorted[r].p, m);
            }
            const size_t rest = sorted[r].len - pre;
            if ((rc = cbz_buf_reserve(body, 20 + rest)) != CBZ_OK) goto nomem_sorted;
            uint8_t *o = body->data + body->len;
            o += varint_to(o, pre);
            o += varint_to(o, rest);
            memcpy(o, sorted[r].p + pre, rest);
            body->len = (size_t)(o + rest - body->data);
            prev = &sorted[r];
        }
        free(sorted);
        layer_done(st, 6, t0, body->len + n * 4);
        chain_add(st, "dict");
        t0 = now_s();
        if ((rc = put_packed_ranks(body, K, codes, rank, n, nents, planes)) != CBZ_OK) goto nomem;
        layer_done(st, 7, t0, body->len);
        chain_add(st, "pack");
        *method = M_TEXT_DICT;
        goto out;
    nomem_sorted:
        free(sorted);
        goto nomem;
    }
    if (trim_cost * 10 < fixed_cost * 9) {
        t0 = now_s();
        if ((rc = put_packed_u32(body, K, lens, n, planes)) != CBZ_OK) goto nomem;
        if ((rc = cbz_buf_reserve(body, sumlen)) != CBZ_OK) goto nomem;
        for (size_t i = 0; i < n; i++) {
            memcpy(body->data + body->len, values + i * width, lens[i]);
            body->len += lens[i];
        }
        layer_done(st, 4, t0, body->len);
        chain_add(st, "trim");
        *method = M_TEXT_TRIM;
    } else if (width > 1 && planes &&
               (tp->planes >= 0 ? tp->planes == 1 : planes_win_on_sample(K, values, n, width, tp))) {
        /* text that is not text (a REDEFINES area holding numbers in some
         * records, binary data under PIC X): byte planes, as RAW columns */
        if ((rc = encode_raw(K, values, n, width, body, st)) != CBZ_OK) goto nomem;
        *method = M_RAW;
    } else {
        if ((rc = cbz_buf_append(body, values, n * width)) != CBZ_OK) goto nomem;
        *method = M_TEXT_FIXED;
    }
    goto out;
nomem:
    rc = cbz_fail(err, CBZ_ERR_NOMEM, "column: no memory encoding %zu text values", n);
out:
    free(ents);
    free(rank);
    return rc;
}

static cbz_status decode_text_trim(const cbz_kernel_table *K, const cbz_col_desc *d,
                                   cbz_cursor *c, size_t n, uint8_t *values, cbz_error *err)
{
    const size_t width = d->width;
    const uint8_t pad = d->ebcdic ? 0x40 : 0x20;
    uint32_t *lens = dec_scratch_n(DS_LENS, n, sizeof *lens);
    CBZ_FAIL_IF(!lens, err, CBZ_ERR_NOMEM, "column: no memory for %zu lengths", n);
    CBZ_TRY(get_packed_u32(c, K, n, lens, "text lengths", err));
    /* all lengths are checked against the width and the bytes left first */
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        CBZ_FAIL_IF(lens[i] > width, err, CBZ_ERR_FORMAT,
                    "column: text value %zu has length %u > width %zu", i, lens[i], width);
        total += lens[i];
    }
    const uint8_t *p;
    CBZ_FAIL_IF(!cbz_cursor_bytes(c, total, &p), err, CBZ_ERR_FORMAT,
                "column: text values need %zu bytes at %zu, %zu left", total, c->pos,
                c->len - c->pos);
    /* rows of 8 bytes or more, but the last, by whole 8-byte words: the
     * text, then pad words from its end; what goes past the row lands in the
     * next row, which is written after it.  The words read stay within the
     * text bytes (at least 7 more must follow). */
    const uint8_t *end = p + total;
    const uint64_t pad8 = 0x0101010101010101ull * pad;
    for (size_t i = 0; i < n; i++) {
        uint8_t *v = values + i * width;
        const size_t l = lens[i];
        if (width >= 8 && i + 1 < n && (size_t)(end - p) >= l + 7) {
            for (size_t q = 0; q < l; q += 8) memcpy(v + q, p + q, 8);
            for (size_t q = l; q < width; q += 8) memcpy(v + q, &pad8, 8);
        } else {
            cbz_copy_exact(v, p, l);
            memset(v + l, pad, width - l);
        }
        p += l;
    }
    return CBZ_OK;
}

/* Reads a text dictionary body: its *nd_out entries of width bytes
 * (front-coded, padded; TDICT_SLACK pad bytes after the last) into
 * *dict_out and the n codes into *codes_out, every code checked to be
 * < *nd_out (unless !check: the caller hands them to a gather kernel, which
 * checks them), and codes_out[n] = 0.  Both live in decoder scratch slots. */
#define TDICT_SLACK 32
static cbz_status read_text_dict(const cbz_kernel_table *K, const cbz_col_desc *d,
                                 cbz_cursor *c, size_t n, bool check, const uint8_t **dict_out,
                                 size_t *nd_out, const uint32_t **codes_out, cbz_error *err)
{
    const size_t width = d->width;
    const uint8_t pad = d->ebcdic ? 0x40 : 0x20;
    uint64_t nd;
    CBZ_TRY(get_varint(c, &nd, "dictionary size", err));
    CBZ_FAIL_IF(nd == 0 || nd > n || nd > DICT_MAX, err, CBZ_ERR_FORMAT,
                "column: dictionary of %llu entries for %zu values", (unsigned long long)nd, n);
    /* then TDICT_SLACK pad bytes: decode_text_num reads entries by whole
     * words (nd <= DICT_MAX and width < 2^32: no overflow) */
    uint8_t *dict = scratch(DS_DICT, (size_t)nd * width + TDICT_SLACK);
    /* codes[n] = 0, a valid code: the mask's merge reads one code past the last */
    uint32_t *codes = n < SIZE_MAX ? dec_scratch_n(DS_CODES, n + 1, sizeof *codes) : NULL;
    CBZ_FAIL_IF(!dict || !codes, err, CBZ_ERR_NOMEM, "column: no memory for a dictionary");
    codes[n] = 0;
    memset(dict + (size_t)nd * width, pad, TDICT_SLACK);
    size_t prev_len = 0;
    for (size_t k = 0; k < nd; k++) {
        uint64_t pre, suf;
        const uint8_t *p;
        CBZ_TRY(get_varint(c, &pre, "dictionary prefix", err));
        CBZ_TRY(get_varint(c, &suf, "dictionary suffix", err));
        CBZ_FAIL_IF(pre > prev_len || (k == 0 && pre != 0) || suf > width - pre, err,
                    CBZ_ERR_FORMAT,
                    "column: dictionary entry %zu: prefix %llu / suffix %llu do not fit "
                    "(previous length %zu, width %zu)",
                    k, (unsigned long long)pre, (unsigned long long)suf, prev_len, width);
        CBZ_FAIL_IF(!cbz_cursor_bytes(c, (size_t)suf, &p), err, CBZ_ERR_FORMAT,
                    "column: dictionary entry %zu truncated", k);
        uint8_t *e = dict + k * width;
        if (pre) memcpy(e, e - width, (size_t)pre);
        memcpy(e + pre, p, (size_t)suf);
        prev_len = (size_t)(pre + suf);
        memset(e + prev_len, pad, width - prev_len);
    }
    CBZ_TRY(get_packed_u32(c, K, n, codes, "dictionary codes", err));
    /* the check of a gather of entries of no bytes (the kernel's, 8 codes
     * a step in its AVX2 form); the largest code only to say which */
    if (check && !K->dict_gather_fixed(codes, n, NULL, (size_t)nd, 0, NULL)) {
        uint32_t mx = 0;
        for (size_t i = 0; i < n; i++) mx = codes[i] > mx ? codes[i] : mx;
        return cbz_fail(err, CBZ_ERR_FORMAT, "column: dictionary code %u is >= %llu entries", mx,
                        (unsigned long long)nd);
    }
    *dict_out = dict;
    *nd_out = (size_t)nd;
    *codes_out = codes;
    return CBZ_OK;
}

/* to: NULL, or where to put the values instead of values (then *placed). */
static cbz_status decode_text_dict(const cbz_kernel_table *K, const cbz_col_desc *d,
                                   cbz_cursor *c, size_t n, uint8_t *values,
                                   const cbz_col_rows *to, bool *placed, cbz_error *err)
{
    const uint8_t *dict;
    const uint32_t *codes;
    size_t nd;
    /* checked here only for the copy to *to: the gather kernel checks them */
    CBZ_TRY(read_text_dict(K, d, c, n, to != NULL, &dict, &nd, &codes, err));
    if (to) { /* every code is < nd (read_text_dict) */
        DEC_BY_WIDTH(d->width, ROWS_LOOP(to, n, i, r,
                                         cbz_copy_exact(r, dict + (size_t)codes[i] * W, W);));
        *placed = true;
        return CBZ_OK;
    }
    CBZ_FAIL_IF(!K->dict_gather_fixed(codes, n, dict, nd, d->width, values), err,
                CBZ_ERR_FORMAT, "column: a dictionary code is >= %zu entries", nd);
    return CBZ_OK;
}

/* ------------------------------------------------------------------ TEXT_NUM */

/* Text that carries numbers (invoice references "INV0316429", street
 * addresses "8230 BROADWAY", "CVS/PHARMACY #07042") is stored as a template
 * (each run of digits replaced by one marker digit, the code page's zero) and,
 * per marker position k, the numbers of the runs as integers through the
 * numeric chain (delta, dictionary, FOR, planes) with their digit counts.
 * The templates then go through the text choices: they repeat far more than
 * the values do.  Runs longer than TNUM_MAX_DIGITS digits are cut into
 * pieces of at most that many. */
#define TNUM_MAX_DIGITS 18
#define TNUM_SCREEN 1024 /* values screened for digits (then text_sample() tried both ways) */

static inline bool is_digit_byte(uint8_t b, bool ebcdic)
{
    return (uint8_t)(b - (ebcdic ? 0xF0 : 0x30)) <= 9; /* one compare, no branch */
}

/* Decimal digits of x (1 for 0; 19 for 10^18 and more), with no loop over
 * the powers of ten: t = (b * 1233) >> 12 is log10(2^b) rounded down for
 * the b = bits_of(x) bits, so x has t digits, or t + 1 when it reaches 10^t
 * (Bit Twiddling Hacks, integer log base 10). */
static unsigned dec_digits(uint64_t x)
{
    const unsigned b = bits_of(x);
    if (b >= 64) return 19;
    const unsigned t = (b * 1233u) >> 12; /* <= 18 */
    return x ? t + 1 - (x < (uint64_t)pow10_i64[t]) : 1;
}

static cbz_status encode_text_plain(const cbz_kernel_table *K, const cbz_col_desc *d,
                                    const uint8_t *values, size_t n, bool planes, cbz_buf *body,
                                    uint8_t *method, text_probe *tp, uint32_t *known,
                                    cbz_col_stats *st, cbz_error *err);
static cbz_status encode_numeric(const cbz_kernel_table *K, const cbz_col_desc *d,
                                 const uint8_t *values, const int64_t *pre, size_t n,
                                 const cbz_col_peer *peers, size_t n_peers,
                                 cbz_col_chunk_ctx *memo, bool planes, cbz_buf *body,
                                 bool *fallback, cbz_col_stats *st, cbz_error *err);
static cbz_status decode_numeric(const cbz_kernel_table *K, const cbz_col_desc *d,
                                 cbz_cursor *c, size_t n, const cbz_col_peer *peers,
                                 size_t n_peers, const cbz_col_rows *peer_at, bool memo,
                                 uint8_t *values, const cbz_col_rows *to, bool *placed,
                                 cbz_error *err);

/* The descriptor of the integers of one marker position. */
static cbz_col_desc tnum_int_desc(void)
{
    cbz_col_desc d;
    memset(&d, 0, sizeof d);
    d.kind = CBZ_COL_BINARY;
    d.width = 8;
    d.is_signed = 1;
    d.digits = 18;
    return d;
}

/* Markers (digit runs, cut at TNUM_MAX_DIGITS) in the trimmed value v[0..len). */
static size_t tnum_count(const uint8_t *v, size_t len, bool ebcdic)
{
    size_t k = 0;
    for (size_t j = 0; j < len;) {
        if (!is_digit_byte(v[j], ebcdic)) {
            j++;
            continue;
        }
        size_t s = j;
        while (j < len && j - s < TNUM_MAX_DIGITS && is_digit_byte(v[j], ebcdic)) j++;
        k++;
    }
    return k;
}

/* The digit flags (is_digit_byte) of the 8 bytes held in x, for all 8 at
 * once, as bit 7 of each byte.  zone8: the zone byte (0xF0, 0x30) in every
 * byte; a byte XOR the zone is below 10 exactly when the byte minus the
 * zone is (both: the zone's 10 digits). */
static inline uint64_t digit_mask8(uint64_t x, uint64_t zone8)
{
    const uint64_t t = x ^ zone8;
    /* bit 7 of each byte: its low 7 bits are 10 or more (no carry out) */
    const uint64_t ge10 = (t & 0x7F7F7F7F7F7F7F7Full) + 0x7676767676767676ull;
    return ~(t | ge10) & 0x8080808080808080ull; /* bit 7: below 10 */
}

/* The bytes with bit 7 set in a byte mask (a digit_mask8 answer, tnum_scan's
 * markers), added up by one multiply (column.c is built for any x86-64,
 * where __builtin_popcountll is a library call). */
static inline size_t mask8_count(uint64_t dg)
{
    return (size_t)(((dg >> 7) * 0x0101010101010101ull) >> 56);
}

/* The digit bytes of the w bytes at v, by whole loads inside them (the last
 * one overlapping the one before, its bytes seen already shifted out): the
 * count of digits over the trimmed length, as the pad past it is no digit,
 * with no test of that length a word. */
static inline size_t digits_count(const uint8_t *v, size_t w, uint64_t zone8)
{
    if (w < 8) return mask8_count(digit_mask8(tail_word(v, w, 0), zone8)); /* 0: no digit */
    size_t c = 0, j = 0;
    uint64_t x;
    for (; j + 8 <= w; j += 8) {
        memcpy(&x, v + j, 8);
        c += mask8_count(digit_mask8(x, zone8));
    }
    if (j < w) {
        memcpy(&x, v + w - 8, 8);
        c += mask8_count(digit_mask8(x, zone8) >> (8 * (j + 8 - w)));
    }
    return c;
}

/* The bits set in v[0..n), by halves, quarters and bytes in each word
 * (no popcount instruction in the base x86-64 set, as mask8_count). */
static size_t bits_count(const uint64_t *v, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = v[i];
        x -= (x >> 1) & 0x5555555555555555ull;
        x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
        x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
        c += (size_t)((x * 0x0101010101010101ull) >> 56);
    }
    return c;
}

/* The first digit run of the digit flags dm (not 0): where it starts, and
 * its end (one past its last digit). */
static inline void digit_run(uint64_t dm, size_t *start, size_t *end)
{
    const unsigned s = (unsigned)__builtin_ctzll(dm);
    const uint64_t rest = ~(dm >> s); /* 0 only for 64 digits from byte 0 */
    *start = s;
    *end = s + (rest ? (unsigned)__builtin_ctzll(rest) : 64u);
}

/* tnum_count from the value's digit flags dm: a run of l digits is cut into
 * ceil(l / TNUM_MAX_DIGITS) markers. */
static inline size_t tnum_count_bits(uint64_t dm)
{
    size_t k = 0;
    while (dm) {
        size_t s, e;
        digit_run(dm, &s, &e);
        k += (e - s + TNUM_MAX_DIGITS - 1) / TNUM_MAX_DIGITS;
        dm = e >= 64 ? 0 : dm & (~(uint64_t)0 << e);
    }
    return k;
}

/* The digit pieces of one set of digit flags (as encode_text_num cuts them:
 * runs, each cut into pieces of at most TNUM_MAX_DIGITS): kept for the
 * value after, which in a column of one format has the same flags. */
typedef struct tnum_shape {
    uint64_t dm;          /* the flags; 0: no piece */
    size_t np;            /* pieces (at most 32 in 64 bytes) */
    uint8_t s[32], e[32]; /* each piece's start and end (one past it) */
} tnum_shape;

static void tnum_shape_set(tnum_shape *sh, uint64_t dm)
{
    size_t k = 0;
    sh->dm = dm;
    while (dm) {
        size_t s, e, j;
        digit_run(dm, &s, &e);
        for (; s < e; s = j, k++) {
            j = e - s > TNUM_MAX_DIGITS ? s + TNUM_MAX_DIGITS : e;
            sh->s[k] = (uint8_t)s;
            sh->e[k] = (uint8_t)j;
        }
        dm = e >= 64 ? 0 : dm & (~(uint64_t)0 << e);
    }
    sh->np = k;
}

/* The number of the 8 digit bytes held little-endian in x (byte 0 the most
 * significant), by pairs, quads and halves: three multiplies, no loop. */
static inline uint64_t digits8_value(uint64_t x)
{
    x &= 0x0F0F0F0F0F0F0F0Full;
    x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFull;       /* 2 digits a lane */
    x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFull;     /* 4 digits a lane */
    return (x * 10000 + (x >> 32)) & 0xFFFFFFFFull;        /* all 8 */
}

/* The number of the l (1..TNUM_MAX_DIGITS) digits at p, as the byte loop
 * x = 10 x + (digit & 15) makes it: the last 8, the 8 before them, the
 * rest, each read as 8 bytes with the digits before its part shifted out
 * as leading zeros.  8 bytes from p must be readable. */
_Static_assert(TNUM_MAX_DIGITS <= 24, "digits_value reads three words at most");
static inline uint64_t digits_value(const uint8_t *p, size_t l)
{
    uint64_t x;
    memcpy(&x, p, 8);
    if (l <= 8) return digits8_value(x << (8 * (8 - l)));
    uint64_t lo, mid;
    memcpy(&lo, p + l - 8, 8);
    if (l <= 16) return digits8_value(x << (8 * (16 - l))) * 100000000u + digits8_value(lo);
    memcpy(&mid, p + l - 16, 8);
    return (digits8_value(x << (8 * (24 - l))) * 100000000u + digits8_value(mid)) * 100000000u +
           digits8_value(lo);
}

/* The slack past encode_text_num's templates and the values it reads by
 * pieces: one 16-byte piece (a move a step, half the loop steps of 8-byte
 * words). */
#define TNUM_SLACK 16

/* Encodes the body of method TEXT_NUM (docs/LAYERS.md) for the n values. */
static cbz_status encode_text_num(const cbz_kernel_table *K, const cbz_col_desc *d,
                                  const uint8_t *values, size_t n, bool planes, cbz_buf *body,
                                  cbz_col_stats *st, cbz_error *err)
{
    const size_t width = d->width;
    const bool eb = d->ebcdic != 0;
    const uint8_t pad = eb ? 0x40 : 0x20, zero = eb ? 0xF0 : 0x30;
    cbz_status rc = CBZ_OK;
    /* TNUM_SLACK bytes of slack: the templates are written by whole pieces */
    uint8_t *tmpl = n <= (SIZE_MAX - TNUM_SLACK) / width
                        ? scratch(ES_TN_TMPL, n * width + TNUM_SLACK)
                        : NULL;
    uint32_t *cnt = scratch(ES_TN_CNT, n * sizeof *cnt);
    size_t *m = xmalloc((width + 1) * sizeof *m), *off = xmalloc((width + 1) * sizeof *off);
    /* the values' trimmed lengths, then (each as its template is made)
     * the templates', which encode_text_plain takes: a template trims where
     * its value does, with each digit piece one marker byte */
    uint32_t *tlen = scratch(0, n * sizeof *tlen);
    int64_t *ints = NULL;
    uint32_t *nds = NULL;
    /* each value's digit flags (widths <= 64), till the templates are made */
    uint64_t *dbits = scratch(ES_TN_BE, n * sizeof *dbits);
    if (!tmpl || !cnt || !m || !off || !tlen || !dbits) goto nomem;
    /* values of at most 64 bytes are scanned by their digit flags (the
     * digit_rows kernel) instead of byte by byte: the same runs */
    const bool by_bits = width <= 64;
    size_t nslots = 0, total = 0;
    memset(m, 0, (width + 1) * sizeof *m);
    K->text_lengths(values, n, width, pad, tlen);
    /* the digit flags of the whole rows: those of the trimmed bytes, as the
     * pad past them is no digit */
    if (by_bits) K->digit_rows(values, n, width, zero, dbits);
    /* m[c], for now: how many values have c markers */
    if (by_bits) {
        /* the last flags counted, their count, and where the values of
         * that count began: m takes a run of them at once (one count
         * incremented a value would wait for the increment before it) */
        uint64_t prev_dm = 0;
        uint32_t prev_cnt = 0;
        size_t from = 0;
        for (size_t i = 0; i < n; i++) {
            const uint64_t dm = dbits[i];
            if (dm != prev_dm) {
                prev_dm = dm;
                const uint32_t c = (uint32_t)tnum_count_bits(dm);
                if (c != prev_cnt) {
                    m[prev_cnt] += i - from;
                    from = i;
                    prev_cnt = c;
                    nslots = c > nslots ? c : nslots;
                }
            }
            cnt[i] = prev_cnt;
            total += prev_cnt;
        }
        m[prev_cnt] += n - from;
    } else {
        for (size_t i = 0; i < n; i++) {
            cnt[i] = (uint32_t)tnum_count(values + i * width, tlen[i], eb);
            m[cnt[i]]++;
            nslots = cnt[i] > nslots ? cnt[i] : nslots;
            total += cnt[i];
        }
    }
    /* m[k]: the values with more than k markers (the counts summed from
     * the top; a value holds at most width markers) */
    for (size_t c = width, run = 0, h = m[width]; c > 0; c--) {
        run += h;
        h = m[c - 1];
        m[c - 1] = run;
    }
    m[width] = 0;
    for (size_t k = 0, o = 0; k < nslots; k++) {
        off[k] = o;
        o += m[k];
    }
    ints = scratch(ES_TN_INTS, total * sizeof *ints);
    nds = scratch(ES_TN_NDS, total * sizeof *nds);
    if (!ints || !nds) goto nomem;
    /* templates and the numbers, slot by slot */
    {
        size_t *at = xmalloc((nslots + 1) * sizeof *at);
        if (!at) goto nomem;
        memcpy(at, off, nslots * sizeof *at);
        /* by flags: each template row is written whole, by 16-byte pieces
         * (what goes past a piece is written over by the next one, past the
         * row by the next rows, past the last row into the slack); the
         * values are read the same way, up to TNUM_SLACK bytes past a row's
         * end: the rows where that would leave the column (the last one, or
         * the last few of a narrow column) from a copy with slack */
        uint8_t last[64 + TNUM_SLACK];
        const uint64_t pad8 = 0x0101010101010101ull * pad, pad16[2] = { pad8, pad8 };
        const size_t copied_from = n * width >= width + TNUM_SLACK
                                       ? (n * width - width - TNUM_SLACK) / width + 1
                                       : 0;
        tnum_shape sh = { 0 };
        for (size_t i = 0; i < n && by_bits; i++) {
            const uint8_t *v = values + i * width;
            if (i >= copied_from) {
                memcpy(last, v, width);
                memset(last + width, 0, TNUM_SLACK);
                v = last;
            }
            uint8_t *t = tmpl + i * width;
            if (dbits[i] != sh.dm) tnum_shape_set(&sh, dbits[i]);
            size_t o = 0, j = 0;
            for (size_t k = 0; k < sh.np; k++) {
                const size_t s = sh.s[k];
                for (size_t q = 0; q < s - j; q += 16) memcpy(t + o + q, v + j + q, 16);
                o += s - j;
                j = sh.e[k];
                ints[at[k]] = (int64_t)digits_value(v + s, j - s);
                nds[at[k]++] = (uint32_t)(j - s);
                t[o++] = zero;
            }
            /* the rest of the value with its pad, then pad */
            for (size_t q = 0; q < width - j; q += 16) memcpy(t + o + q, v + j + q, 16);
            for (size_t q = o + width - j; q < width; q += 16) memcpy(t + q, pad16, 16);
            tlen[i] = (uint32_t)(o + tlen[i] - j); /* the runs end inside the value */
        }
        if (!by_bits) memset(tmpl, pad, n * width); /* each template's tail */
        for (size_t i = 0; i < n && !by_bits; i++) {
            const uint8_t *v = values + i * width;
            uint8_t *t = tmpl + i * width;
            const size_t len = tlen[i];
            size_t o = 0, k = 0;
            for (size_t j = 0; j < len;) {
                if (!is_digit_byte(v[j], eb)) {
                    t[o++] = v[j++];
                    continue;
                }
                size_t s = j;
                uint64_t x = 0;
                while (j < len && j - s < TNUM_MAX_DIGITS && is_digit_byte(v[j], eb))
                    x = x * 10 + (v[j++] & 0x0Fu);
                ints[at[k]] = (int64_t)x;
                nds[at[k]++] = (uint32_t)(j - s);
                k++;
                t[o++] = zero;
            }
            tlen[i] = (uint32_t)o;
        }
        free(at);
    }
    chain_add(st, "textnum");
    size_t inner_at = body->len;
    uint8_t inner = M_TEXT_FIXED;
    if ((rc = cbz_buf_put_u8(body, 0)) != CBZ_OK) goto nomem;
    if ((rc = encode_text_plain(K, d, tmpl, n, planes, body, &inner, NULL, tlen, st, err)) !=
        CBZ_OK)
        goto out;
    body->data[inner_at] = inner;
    if ((rc = cbz_buf_put_varint(body, nslots)) != CBZ_OK) goto nomem;
    const cbz_col_desc d8 = tnum_int_desc();
    for (size_t k = 0; k < nslots; k++) {
        int64_t *x = ints + off[k];
        uint32_t *nd = nds + off[k];
        /* digit counts as they are, or as leading zeros: the cheaper */
        uint32_t c_nd[TNUM_MAX_DIGITS + 1] = { 0 }, c_lz[TNUM_MAX_DIGITS + 1] = { 0 };
        /* odd runs counted apart: most runs add to the same two counts,
         * and each increment would wait for the one before it */
        uint32_t c_nd1[TNUM_MAX_DIGITS + 1] = { 0 }, c_lz1[TNUM_MAX_DIGITS + 1] = { 0 };
        /* the leading zeros, kept (cnt is free now) for the body if they win */
        uint32_t *lzs = cnt;
        size_t j = 0;
        for (; j + 2 <= m[k]; j += 2) {
            lzs[j] = nd[j] - dec_digits((uint64_t)x[j]);
            lzs[j + 1] = nd[j + 1] - dec_digits((uint64_t)x[j + 1]);
            c_nd[nd[j]]++;
            c_lz[lzs[j]]++;
            c_nd1[nd[j + 1]]++;
            c_lz1[lzs[j + 1]]++;
        }
        if (j < m[k]) {
            lzs[j] = nd[j] - dec_digits((uint64_t)x[j]);
            c_nd[nd[j]]++;
            c_lz[lzs[j]]++;
        }
        for (size_t q = 0; q <= TNUM_MAX_DIGITS; q++) {
            c_nd[q] += c_nd1[q];
            c_lz[q] += c_lz1[q];
        }
        const bool lz = entropy_bits(c_lz, TNUM_MAX_DIGITS + 1, m[k]) <
                        entropy_bits(c_nd, TNUM_MAX_DIGITS + 1, m[k]);
        if ((rc = cbz_buf_put_u8(body, lz ? 1 : 0)) != CBZ_OK) goto nomem;
        if ((rc = put_packed_u32(body, K, lz ? lzs : nd, m[k], planes)) != CBZ_OK) goto nomem;
        bool fallback = false;
        if ((rc = encode_numeric(K, &d8, NULL, x, m[k], NULL, 0, NULL, planes, body, &fallback,
                                 NULL, err)) != CBZ_OK)
            goto out;
        assert(!fallback); /* binary values are always valid */
    }
    goto out;
nomem:
    rc = cbz_fail(err, CBZ_ERR_NOMEM, "column: no memory encoding %zu text values", n);
out:
    free(m);
    free(off);
    return rc;
}

/* The two encodings text_num_wins made of a column short enough to be its
 * own sample: they are the final ones, so encode_text keeps the winner
 * instead of encoding the column again.  The stats start as copies of the
 * caller's and take each encoding's layers. */
typedef struct text_trial {
    bool whole;              /* both encodings below are of all n values */
    uint8_t plain_method;
    cbz_buf plain, num;
    cbz_col_stats s_plain, s_num;
} text_trial;

/* Whether the column holds enough digits to try TEXT_NUM, and then whether
 * it wins: the first text_sample() values are encoded both ways
 * and compressed with a zstd probe; TEXT_NUM must be 5% smaller.  tp gets
 * what the plain choices found out on those values.  When those values are
 * all n and tt is not NULL, tt keeps both encodings (tt->whole; st: the
 * caller's stats, copied into tt's, may be NULL). */
static bool text_num_trial(const cbz_kernel_table *K, const cbz_col_desc *d,
                           const uint8_t *values, size_t n, text_probe *tp, text_trial *tt,
                           const cbz_col_stats *st)
{
    const size_t width = d->width;
    const bool eb = d->ebcdic != 0;
    const uint8_t pad = eb ? 0x40 : 0x20;
    if (n < 64 || width < 2) return false;
    size_t ms = n < TNUM_SCREEN ? n : TNUM_SCREEN, text = 0, digits = 0;
    /* the digit bytes of the trimmed bytes (of the whole row: its pad is
     * no digit), counted 64 values at a time: by the kernels' lengths and
     * digit flags for values of up to 64 bytes (a few steps a value, where
     * each 8-byte word took several), else by words */
    const uint8_t zone = eb ? 0xF0 : 0x30;
    const uint64_t zone8 = 0x0101010101010101ull * zone;
    for (size_t i = 0; i < ms; i += 64) {
        /* passed already when the rest, all text and no digit, could not
         * bring the digits under 20% */
        if (digits * 5 >= text + (ms - i) * width) break;
        const size_t nb = ms - i < 64 ? ms - i : 64;
        const uint8_t *v = values + i * width;
        if (width <= 64) {
            uint32_t lens[64];
            uint64_t dm[64];
            text += K->text_lengths(v, nb, width, pad, lens);
            K->digit_rows(v, nb, width, zone, dm);
            digits += bits_count(dm, nb);
        } else {
            for (size_t j = 0; j < nb; j++, v += width) {
                text += trimmed_len(v, width, pad);
                digits += digits_count(v, width, zone8);
            }
        }
    }
    if (digits * 5 < text) return false; /* under 20% digits */
    const size_t m = text_sample(n, width);
    cbz_buf a, b, z;
    cbz_buf_init(&a);
    cbz_buf_init(&b);
    cbz_buf_init(&z);
    cbz_error e = { 0 };
    uint8_t meth;
    bool win = false, encoded = false;
    size_t za = 0;
    const bool whole = tt && m == n;
    cbz_col_stats *sa = NULL, *sb = NULL;
    if (whole && st) {
        /* layer_out: marked unset to tell which ones the encodings write
         * (see encode_text) */
        tt->s_plain = tt->s_num = *st;
        for (int l = 0; l < 9; l++) tt->s_plain.layer_out[l] = tt->s_num.layer_out[l] = UINT64_MAX;
        sa = &tt->s_plain;
        sb = &tt->s_num;
    }
    if (encode_text_plain(K, d, values, m, true, &a, &meth, tp, NULL, sa, &e) == CBZ_OK &&
        encode_text_num(K, d, values, m, true, &b, sb, &e) == CBZ_OK) {
        encoded = true;
        /* rows or planes of all m values: the probe compressed exactly that */
        const size_t known = tp->sample != m ? 0 : meth == M_TEXT_FIXED ? tp->z_rows
                             : meth == M_RAW                           ? tp->z_planes
                                                                       : 0;
        if (known) za = known;
        else if (cbz_zstd_probe(a.data, a.len, &z, NULL) == CBZ_OK) za = z.len;
    }
    if (za) {
        za = za < a.len ? za : a.len;
        z.len = 0;
        /* zb is at most b.len: a TEXT_NUM body that wins before zstd wins
         * after it, with no need to compress it */
        if (b.len * 20 < za * 19) {
            win = true;
        } else if (cbz_zstd_probe(b.data, b.len, &z, NULL) == CBZ_OK) {
            size_t zb = z.len < b.len ? z.len : b.len;
            win = zb * 20 < za * 19;
        }
    }
    cbz_buf_free(&z);
    if (whole && encoded) {
        tt->whole = true;
        tt->plain_method = meth;
        tt->plain = a;
        tt->num = b;
        return win;
    }
    cbz_buf_free(&a);
    cbz_buf_free(&b);
    return win;
}

/* text_num_trial, answered again without the work when one of the last
 * TNUM_SEEN answers of this thread (the least recently used one goes) was
 * asked of the same first values, compared byte for byte: the split trial
 * encodes a column's first rows as plain text, and the column is then
 * encoded as plain text too, or its first group is, which starts with the
 * same rows; the unused entries of an OCCURS table, or a filler, start the
 * same way in every chunk.  The answer and what tp gets depend on those
 * values, the descriptor, and how many are screened and tried only (tp
 * comes in as TEXT_PROBE_INIT); a column that is its own sample (its
 * encodings kept in tt) is not remembered. */
#define TNUM_SEEN_MAX ((size_t)64 << 10) /* bytes compared at most */
static bool text_num_wins(const cbz_kernel_table *K, const cbz_col_desc *d,
                          const uint8_t *values, size_t n, text_probe *tp, text_trial *tt,
                          const cbz_col_stats *st)
{
    const size_t width = d->width;
    if (n < 64 || width < 2) return false;
    const size_t ms = n < TNUM_SCREEN ? n : TNUM_SCREEN, m = text_sample(n, width);
    const size_t bytes = (ms > m ? ms : m) * width;
    thread_scratch *ts = (tt && m == n) || bytes > TNUM_SEEN_MAX ? NULL : scratch_set();
    if (!ts) return text_num_trial(K, d, values, n, tp, tt, st);
    size_t old = 0;
    for (size_t e = 0; e < TNUM_SEEN; e++) {
        tnum_seen *s = &ts->tnum[e];
        if (s->valid && s->ms == ms && s->m == m && s->bytes == bytes &&
            desc_same(&s->desc, d) && memcmp(ts->p[ES_TNUM_SEEN + e], values, bytes) == 0) {
            s->used = ++ts->tnum_clock;
            tp->planes = s->planes;
            tp->sample = s->sample;
            tp->z_rows = s->z_rows;
            tp->z_planes = s->z_planes;
            return s->win;
        }
        if (!s->valid || (ts->tnum[old].valid && s->used < ts->tnum[old].used)) old = e;
    }
    const bool win = text_num_trial(K, d, values, n, tp, tt, st);
    tnum_seen *s = &ts->tnum[old];
    uint8_t *keep = scratch(ES_TNUM_SEEN + (int)old, bytes);
    if (keep) {
        memcpy(keep, values, bytes);
        *s = (tnum_seen){ true, win, *d, ms, m, bytes, tp->planes, tp->sample, tp->z_rows,
                          tp->z_planes, ++ts->tnum_clock };
    } else {
        s->valid = false;
    }
    return win;
}

/* A text column's body (without a reference): TEXT_NUM when it wins on the
 * sample, else the plain text choices. */
static cbz_status encode_text(const cbz_kernel_table *K, const cbz_col_desc *d,
                              const uint8_t *values, size_t n, bool planes, cbz_buf *body,
                              uint8_t *method, cbz_col_stats *st, cbz_error *err)
{
    text_probe tp = TEXT_PROBE_INIT;
    text_trial tt;
    tt.whole = false;
    /* the trial encodes with byte planes: its bodies are final only then */
    const bool win = text_num_wins(K, d, values, n, &tp, planes ? &tt : NULL, st);
    if (tt.whole) {
        const cbz_buf *keep = win ? &tt.num : &tt.plain;
        cbz_status rc = cbz_buf_append(body, keep->data, keep->len);
        if (rc == CBZ_OK) {
            *method = win ? M_TEXT_NUM : tt.plain_method;
            if (st) {
                /* the text encoders record L4, L6 and L7 as the body's length
                 * then, L3 as the values' bytes: the former move by where
                 * the body began */
                const size_t at = body->len - keep->len;
                cbz_col_stats s = win ? tt.s_num : tt.s_plain;
                for (int l = 0; l < 9; l++) {
                    const bool body_len = l == 4 || l == 6 || l == 7;
                    if (s.layer_out[l] == UINT64_MAX) s.layer_out[l] = st->layer_out[l];
                    else if (body_len) s.layer_out[l] += at;
                }
                *st = s;
            }
        }
        cbz_buf_free(&tt.plain);
        cbz_buf_free(&tt.num);
        CBZ_FAIL_IF(rc != CBZ_OK, err, CBZ_ERR_NOMEM, "column: no memory for a text body of %zu values", n);
        return CBZ_OK;
    }
    if (win) {
        *method = M_TEXT_NUM;
        return encode_text_num(K, d, values, n, planes, body, st, err);
    }
    return encode_text_plain(K, d, values, n, planes, body, method, &tp, NULL, st, err);
}

static cbz_status decode_text_body(const cbz_kernel_table *K, const cbz_col_desc *d,
                                   cbz_cursor *c, size_t n, uint8_t method, bool allow_num,
                                   uint8_t *values, cbz_error *err);

/* The integers of a numeric body as int64 (exceptions from their raw
 * big-endian bytes): what decode_numeric then writes as values, for the
 * descriptor of tnum_int_desc (8-byte signed binary). */
static cbz_status decode_numeric_i64(const cbz_kernel_table *K, const cbz_col_desc *d,
                                     cbz_cursor *c, size_t n, int64_t *ints, cbz_error *err);

/* The digits (0..9) of x < 10^8 as 8 bytes, the most significant first in
 * memory: x cut into 4-digit halves, each half into 2-digit quarters and
 * each quarter into digits, all the lanes of one word at once, by
 * multiply-shift divisions exact in their ranges (q / 100 = q * 10486 >> 20
 * for q < 10^4, q / 10 = q * 103 >> 10 for q < 100; checked for every x):
 * no division and no loop, where a division by 100 per pair of digits
 * waits on the one before. */
static inline __attribute__((always_inline)) uint64_t tnum_digits8(uint64_t x)
{
    /* x / 10^4 = x * 109951163 >> 40 for x < 10^8 (checked for every x):
     * written out, as gcc compiles the division in these loops to a div */
    const uint64_t hi = x * 109951163 >> 40, lo = x - hi * 10000;
    const uint64_t h = hi | lo << 32;
    const uint64_t h100 = (h * 10486 >> 20) & 0x0000007F0000007Full;
    const uint64_t q = h100 | (h - h100 * 100) << 16;
    const uint64_t q10 = (q * 103 >> 10) & 0x000F000F000F000Full;
    return q10 | (q - q10 * 10) << 8;
}

/* x / 10^8 for x < 10^18: (x >> 8) / 390625, (x >> 8) < 2^52, by the
 * multiply-high with ceil(2^82 / 390625), exact below 2^52 (its excess
 * 390625 * M - 2^82 < 2^30 = 2^(82 - 52)), where gcc emits a div. */
static inline uint64_t tnum_div1e8(uint64_t x)
{
    __extension__ typedef unsigned __int128 u128;
    return (uint64_t)((u128)(x >> 8) * 0xABCC77118461CEFDull >> 82);
}

/* Decimal digits of y < 2^63 (1 for 0), as dec_digits, with no branch:
 * y | 1 has as many (every power of ten from 10 up is even). */
static inline unsigned tnum_digits(uint64_t y)
{
    y |= 1;
    const unsigned t = ((64u - (unsigned)__builtin_clzll(y)) * 1233u) >> 12; /* <= 18 */
    return t + 1 - (y < (uint64_t)pow10_i64[t]);
}

/* Writes x (< 10^nd, 1 <= nd <= TNUM_MAX_DIGITS) as nd digits at o, zone
 * bits `zone`, by whole 8-byte stores: when nd < 8, the 8 - nd bytes after
 * the digits are overwritten too, for the caller to write over. */
static inline __attribute__((always_inline)) void tnum_put_digits8(uint8_t *o, uint64_t x,
                                                                   size_t nd, uint8_t zone)
{
    const uint64_t z8 = 0x0101010101010101ull * zone;
    uint64_t w;
    if (nd <= 8) {
        w = tnum_digits8(x) >> (8 * (8 - nd)) | z8;
        memcpy(o, &w, 8);
        return;
    }
    const uint64_t hi = tnum_div1e8(x); /* < 10^(nd - 8) */
    if (nd <= 16) {
        w = tnum_digits8(hi) >> (8 * (16 - nd)) | z8;
        memcpy(o, &w, 8);
    } else { /* 17 or 18 digits: 1 or 2, then 8 */
        const uint64_t top = tnum_div1e8(hi);
        w = tnum_digits8(top) >> (8 * (24 - nd)) | z8;
        memcpy(o, &w, 8);
        w = tnum_digits8(hi - top * 100000000) | z8;
        memcpy(o + nd - 16, &w, 8);
    }
    w = tnum_digits8(x - hi * 100000000) | z8;
    memcpy(o + nd - 8, &w, 8);
}

/* tnum_put_digits8 writing the nd bytes of the digits and nothing past
 * them (the rows built in place, whose next template must stay). */
static inline void tnum_put_digits(uint8_t *o, uint64_t x, size_t nd, uint8_t zone)
{
    uint8_t w[TNUM_MAX_DIGITS + 8];
    tnum_put_digits8(w, x, nd, zone);
    memcpy(o, w, nd);
}

/* Scans the template of a value (the width bytes at t): *len_out, its
 * length without the trailing pad, *k_out, its markers, and for rows of
 * 8..64 bytes (use_bits) their positions as the bits of *bits_out, found
 * eight bytes a step (the last step overlapping, or within the row when
 * the template is shorter than 8), so that the expansion needs no search.
 * True when the template holds a digit other than the marker. */
static inline bool tnum_scan(const uint8_t *t, size_t width, uint8_t pad, uint8_t zero,
                             bool use_bits, size_t *len_out, size_t *k_out, uint64_t *bits_out)
{
    const size_t len = trimmed_len(t, width, pad);
    size_t k = 0, j = 0;
    unsigned other = 0; /* digits other than the marker: no branch a byte */
    uint64_t mbits = 0;
    const uint64_t lo7 = 0x7F7F7F7F7F7F7F7Full, hi = 0x8080808080808080ull;
    for (; j + 8 <= len; j += 8) { /* eight bytes a step, exactly */
        uint64_t x;
        memcpy(&x, t + j, 8);
        x ^= 0x0101010101010101ull * zero; /* markers 0, other digits 1..9 */
        const uint64_t mk = ~(((x & lo7) + lo7) | x) & hi; /* 0x80 at the markers */
        k += mask8_count(mk);
        mbits |= ((mk >> 7) * 0x0102040810204080ull >> 56) << j; /* j < 64 here */
        const uint64_t y = x | mk; /* markers now 0x80: only digits stay < 10 */
        other |= ((y - 0x0A0A0A0A0A0A0A0Aull) & ~y & hi) != 0;
    }
    if (j < len && use_bits) {
        /* the len - j < 8 bytes left, from a word that lies in the row:
         * the one ending at len (len >= 8) or the row's first (len < 8,
         * width >= 8); the bytes outside [j, len) are masked off */
        const size_t at = len >= 8 ? len - 8 : 0;
        uint64_t x;
        memcpy(&x, t + at, 8);
        const unsigned lo = (unsigned)(j - at), hi_b = (unsigned)(len - at); /* bytes kept */
        const uint64_t keep = (hi_b == 8 ? ~0ull : (1ull << (8 * hi_b)) - 1) &
                              ~((1ull << (8 * lo)) - 1); /* lo < hi_b <= 8, lo < 8 */
        x ^= 0x0101010101010101ull * zero;
        const uint64_t mk = ~(((x & lo7) + lo7) | x) & hi & keep;
        k += mask8_count(mk);
        mbits |= ((mk >> 7) * 0x0102040810204080ull >> 56) << at;
        const uint64_t y = x | mk;
        other |= ((y - 0x0A0A0A0A0A0A0A0Aull) & ~y & hi & keep) != 0;
        j = len;
    }
    for (; j < len; j++) {
        const uint8_t dg = (uint8_t)(t[j] - zero);
        k += dg == 0;
        other |= (uint8_t)(dg - 1) < 9;
    }
    *len_out = len;
    *k_out = k;
    *bits_out = mbits;
    return other != 0;
}

/* Builds the value of a template of 8..64 bytes (len bytes at src, its
 * markers at the bits of mb) at ob: the template's bytes between the
 * markers, for the k-th marker the number ints[at[k]] as nds[at[k]] digits
 * (at[k] then moves on; at[0] is *a0, a local of the caller: through
 * memory, each value's first number would wait for the last value's store),
 * pad to the width.  By whole 8-byte moves: up to 7
 * bytes past src + len are read and up to 7 past ob + width written (pad
 * or digits, for the next row to write over), each move starting where the
 * last one's bytes stop counting.  False when the value does not fit the
 * width, checked before each move (*a0 and at[] then as before the call).
 * Always inlined: in a call of its own, *a0 would live in memory. */
static inline __attribute__((always_inline)) bool tnum_build(uint8_t *ob, const uint8_t *src,
                                                             size_t len, uint64_t mb,
                                                             size_t width, const int64_t *ints,
                                                             const uint32_t *nds, size_t *a0,
                                                             size_t *at, uint8_t zone,
                                                             uint64_t pad8)
{
    size_t o = 0, j = 0, k = 0;
    for (; mb; k++) {
        const size_t e = (size_t)__builtin_ctzll(mb); /* j <= e < len */
        mb &= mb - 1;
        const size_t sl = k ? at[k] : *a0, nd = nds[sl];
        if (o + (e - j) + nd > width) goto unfit;
        if (k) at[k] = sl + 1;
        else *a0 = sl + 1;
        for (size_t q = 0; q < e - j; q += 8) memcpy(ob + o + q, src + j + q, 8);
        o += e - j;
        tnum_put_digits8(ob + o, (uint64_t)ints[sl], nd, zone);
        o += nd;
        j = e + 1;
    }
    if (o + (len - j) > width) goto unfit;
    for (size_t q = 0; q < len - j; q += 8) memcpy(ob + o + q, src + j + q, 8);
    o += len - j;
    for (size_t q = o; q < width; q += 8) memcpy(ob + q, &pad8, 8);
    return true;
unfit:
    while (k-- > 1) at[k]--;
    if (k == 0) --*a0; /* k was >= 1 */
    return false;
}

/* tnum_build for a template of 8..mv bytes (mv = 16 or 32) with mv bytes
 * readable after it: the template moved by one mv-byte move at the start
 * and one after each digit run, which puts the rest of the template, its
 * pad included, after the run (what lands past the width is the next
 * entry's or the slack's).  No loop on the lengths of the pieces, whose
 * branches would miss from value to value; up to mv bytes past ob + width
 * are written. */
static inline __attribute__((always_inline)) bool tnum_build_wide(uint8_t *ob, const uint8_t *src,
                                                                  size_t len, uint64_t mb,
                                                                  size_t width,
                                                                  const int64_t *ints,
                                                                  const uint32_t *nds, size_t *a0,
                                                                  size_t *at, uint8_t zone,
                                                                  const size_t mv)
{
    memcpy(ob, src, mv);
    size_t sh = 0, k = 0; /* the output is the template moved sh bytes right */
    for (; mb; k++) {
        const size_t e = (size_t)__builtin_ctzll(mb); /* e < len */
        mb &= mb - 1;
        const size_t sl = k ? at[k] : *a0, nd = nds[sl];
        if (e + sh + nd > width) goto unfit;
        if (k) at[k] = sl + 1;
        else *a0 = sl + 1;
        tnum_put_digits8(ob + e + sh, (uint64_t)ints[sl], nd, zone);
        sh += nd - 1;
        memcpy(ob + e + sh + 1, src + e + 1, mv);
    }
    if (len + sh > width) goto unfit;
    return true;
unfit:
    while (k-- > 1) at[k]--;
    if (k == 0) --*a0; /* k was >= 1 */
    return false;
}

/* The bytes of a value with the digit runs of its k markers (at at[]), to
 * say how far it passes the width. */
static size_t tnum_out_len(size_t len, size_t k, const uint32_t *nds, const size_t *at)
{
    for (size_t q = 0; q < k; q++) len += nds[at[q]] - 1;
    return len;
}

/* The template of a value from a dictionary of templates (TEXT_NUM over
 * DICT, rows of 8..64 bytes): each entry is scanned once, not each value. */
typedef struct tnum_tmpl {
    uint64_t bits;     /* marker positions */
    uint32_t len, cnt; /* trimmed length, markers (TNUM_BAD: a digit other than the marker) */
} tnum_tmpl;
#define TNUM_BAD 65u /* > 64 markers */

/* Builds the n values of templates from a dictionary (codes, entries tt)
 * into their rows of values: value k in row row_of[k] (row_of NULL: row k)
 * of the `rows`, by tnum_build_wide (mv = 16, 32: width <= mv) or
 * tnum_build (mv = 8).  A row's spill (up to mv bytes) lands in the rows
 * after it: written after it, or, with row_of, padded again after it (the
 * other rows are pad already); the rows whose spill would pass the end of
 * values are built in tl (width + mv bytes) and copied.  Returns the value
 * that does not fit the width, or n. */
static inline __attribute__((always_inline)) size_t
tnum_dict_rows(uint8_t *values, size_t rows, const size_t *row_of, size_t n, const tnum_tmpl *tt,
               const uint32_t *codes, const uint8_t *dict, size_t width, const int64_t *ints,
               const uint32_t *nds, size_t *a0, size_t *at, uint8_t zone, uint64_t pad8,
               uint8_t *tl, const size_t mv)
{
    /* rows i < inplace: (i + 1) * width + mv <= rows * width */
    const size_t inplace = rows * width >= mv ? (rows * width - mv) / width : 0;
    for (size_t k = 0; k < n; k++) {
        const tnum_tmpl *t = &tt[codes[k]];
        const uint8_t *src = dict + (size_t)codes[k] * width;
        const size_t i = row_of ? row_of[k] : k;
        uint8_t *ob = i < inplace ? values + i * width : tl;
        const bool fit = mv == 8 ? tnum_build(ob, src, t->len, t->bits, width, ints, nds, a0, at,
                                              zone, pad8)
                                 : tnum_build_wide(ob, src, t->len, t->bits, width, ints, nds,
                                                   a0, at, zone, mv);
        if (!fit) return k;
        if (ob == tl) {
            memcpy(values + i * width, tl, width);
        } else if (row_of) {
            for (size_t q = 0; q < mv; q += 8) memcpy(ob + width + q, &pad8, 8);
        }
    }
    return n;
}

/* tnum_dict_rows for templates of at most one marker each (rows of up to
 * mv = 16 or 32 bytes) whose numbers have at most 8 digits, made
 * beforehand as 8 zoned digits each (zd, in order, 8 bytes of slack): per
 * value the entry moved, the number's last nd digits moved to the marker
 * and the entry's rest moved after them.  The digits come from the
 * kernel, many numbers a step, not one by one between the moves. */
static inline __attribute__((always_inline)) size_t
tnum_dict_rows1(uint8_t *values, size_t rows, const size_t *row_of, size_t n, const tnum_tmpl *tt,
                const uint32_t *codes, const uint8_t *dict, size_t width, const uint8_t *zd,
                const uint32_t *nds, size_t *a0, uint64_t pad8, uint8_t *tl, const size_t mv)
{
    const size_t inplace = rows * width >= mv ? (rows * width - mv) / width : 0;
    size_t s = *a0;
    for (size_t k = 0; k < n; k++) {
        const tnum_tmpl *t = &tt[codes[k]];
        const uint8_t *src = dict + (size_t)codes[k] * width;
        const size_t i = row_of ? row_of[k] : k;
        uint8_t *ob = i < inplace ? values + i * width : tl;
        memcpy(ob, src, mv);
        if (t->cnt) {
            const size_t e = (size_t)__builtin_ctzll(t->bits), nd = nds[s];
            if (t->len - 1 + nd > width) { /* e + nd <= len - 1 + nd */
                *a0 = s;
                return k;
            }
            memcpy(ob + e, zd + 8 * s + 8 - nd, 8); /* nd digits, then bytes moved over */
            memcpy(ob + e + nd, src + e + 1, mv);
            s++;
        }
        if (ob == tl) {
            memcpy(values + i * width, tl, width);
        } else if (row_of) {
            for (size_t q = 0; q < mv; q += 8) memcpy(ob + width + q, &pad8, 8);
        }
    }
    *a0 = s;
    return n;
}

/* blank: NULL, or the flags of the rows of a mask (decode_text_mask) whose
 * n kept values these are: then, where the templates come from a
 * dictionary, the values are built straight into their rows of values and
 * the blank rows padded (*spread = true; else they are decoded to the front
 * of values, as without a mask). */
static cbz_status decode_text_num(const cbz_kernel_table *K, const cbz_col_desc *d,
                                  cbz_cursor *c, size_t n, uint8_t *values, const uint8_t *blank,
                                  size_t rows, bool *spread, cbz_error *err)
{
    const size_t width = d->width;
    const bool eb = d->ebcdic != 0;
    const uint8_t pad = eb ? 0x40 : 0x20, zero = eb ? 0xF0 : 0x30;
    uint8_t inner;
    CBZ_FAIL_IF(!cbz_cursor_u8(c, &inner), err, CBZ_ERR_FORMAT,
                "column: digit-run body truncated at its template method");
    CBZ_FAIL_IF(n > SIZE_MAX / 8 || width > SIZE_MAX / 8, err, CBZ_ERR_FORMAT,
                "column: %zu digit-run values of %zu bytes", n, width);
    cbz_status rc = CBZ_OK;
    /* rows of 8..64 bytes: the marker positions of each template as a bit
     * mask, and each value built by whole-word moves (tnum_build,
     * tnum_build_wide) */
    const bool use_bits = width >= 8 && width <= 64;
    /* templates from a dictionary: scanned per entry and read from there;
     * else the templates are decoded into values itself and expanded from
     * there, value by value */
    const bool from_dict = use_bits && inner == M_TEXT_DICT;
    uint8_t *tmpl = values;
    uint32_t *cnt = NULL, *tlen = NULL;
    uint64_t *bits = NULL;
    size_t *m = xmalloc((width + 1) * sizeof *m), *off = xmalloc((width + 1) * sizeof *off);
    size_t *at = xmalloc((width + 1) * sizeof *at);
    /* tl: the template or the value of a row (slack for the whole-word
     * moves of the bit-mask paths) */
    uint8_t *tl = xmalloc(width + TDICT_SLACK);
    int64_t *ints = NULL;
    uint32_t *nds = NULL;
    const uint8_t *dict = NULL;
    const uint32_t *codes = NULL;
    tnum_tmpl *tt = NULL;
    if (!m || !off || !at || !tl) goto nomem;
    memset(tl, 0, width + TDICT_SLACK);
    memset(m, 0, (width + 1) * sizeof *m);
    size_t nslots_seen = 0, total = 0;
    if (from_dict) {
        size_t nd;
        if ((rc = read_text_dict(K, d, c, n, true, &dict, &nd, &codes, err)) != CBZ_OK) goto out;
        tt = dec_scratch_n(DS_TN_OUT, nd, sizeof *tt);
        if (!tt) goto nomem;
        for (size_t e = 0; e < nd; e++) {
            size_t len, k;
            const bool other = tnum_scan(dict + e * width, width, pad, zero, true, &len, &k,
                                         &tt[e].bits);
            tt[e].len = (uint32_t)len;
            tt[e].cnt = other ? TNUM_BAD : (uint32_t)k;
        }
        /* the values by their markers (four tallies in turn: a run of one
         * template would otherwise add to one count, each add waiting on
         * the last) */
        size_t byk[4][TNUM_BAD + 1];
        memset(byk, 0, sizeof byk);
        size_t i = 0;
        for (; i + 4 <= n; i += 4) {
            byk[0][tt[codes[i]].cnt]++;
            byk[1][tt[codes[i + 1]].cnt]++;
            byk[2][tt[codes[i + 2]].cnt]++;
            byk[3][tt[codes[i + 3]].cnt]++;
        }
        for (; i < n; i++) byk[0][tt[codes[i]].cnt]++;
        if (byk[0][TNUM_BAD] + byk[1][TNUM_BAD] + byk[2][TNUM_BAD] + byk[3][TNUM_BAD]) {
            i = 0;
            while (tt[codes[i]].cnt != TNUM_BAD) i++;
            rc = cbz_fail(err, CBZ_ERR_FORMAT,
                          "column: value %zu: template holds a digit other than the marker", i);
            goto out;
        }
        for (size_t k = width; k >= 1; k--) { /* markers <= len <= width <= 64 */
            const size_t h = byk[0][k] + byk[1][k] + byk[2][k] + byk[3][k];
            if (h && !nslots_seen) nslots_seen = k;
            total += h * k;
            m[k - 1] = m[k] + h; /* the values with more than k - 1 markers; m[width] = 0 */
        }
    } else {
        cnt = dec_scratch_n(DS_TN_CNT, n, sizeof *cnt);
        tlen = dec_scratch_n(DS_TN_TLEN, n, sizeof *tlen);
        bits = use_bits ? dec_scratch_n(DS_TN_BITS, n, sizeof *bits) : NULL;
        if (!cnt || !tlen || (use_bits && !bits)) goto nomem;
        if ((rc = decode_text_body(K, d, c, n, inner, false, tmpl, err)) != CBZ_OK) goto out;
        for (size_t i = 0; i < n; i++) {
            size_t len, k;
            uint64_t mbits;
            if (tnum_scan(tmpl + i * width, width, pad, zero, use_bits, &len, &k, &mbits)) {
                rc = cbz_fail(err, CBZ_ERR_FORMAT,
                              "column: value %zu: template holds a digit other than the marker",
                              i);
                goto out;
            }
            if (use_bits) bits[i] = mbits;
            for (size_t q = 0; q < k; q++) m[q]++; /* k <= len <= width */
            cnt[i] = (uint32_t)k;
            tlen[i] = (uint32_t)len;
            nslots_seen = k > nslots_seen ? k : nslots_seen;
            total += k;
        }
    }
    uint64_t nslots;
    if ((rc = get_varint(c, &nslots, "digit-run positions", err)) != CBZ_OK) goto out;
    if (nslots != nslots_seen) {
        rc = cbz_fail(err, CBZ_ERR_FORMAT,
                      "column: %llu digit-run positions announced, the templates have %zu",
                      (unsigned long long)nslots, nslots_seen);
        goto out;
    }
    ints = dec_scratch_n(DS_TN_INTS, total, sizeof *ints);
    nds = dec_scratch_n(DS_TN_NDS, total, sizeof *nds);
    if (!ints || !nds) goto nomem;
    const cbz_col_desc d8 = tnum_int_desc();
    uint64_t over8 = 0; /* a number of more than 8 digits */
    for (size_t k = 0, o = 0; k < nslots; k++) {
        off[k] = o;
        uint8_t lz;
        if (!cbz_cursor_u8(c, &lz) || lz > 1) {
            rc = cbz_fail(err, CBZ_ERR_FORMAT,
                          "column: bad or missing digit-count mode of run position %zu", k);
            goto out;
        }
        if ((rc = get_packed_u32(c, K, m[k], nds + o, "digit counts", err)) != CBZ_OK) goto out;
        if ((rc = decode_numeric_i64(K, &d8, c, m[k], ints + o, err)) != CBZ_OK) goto out;
        /* the digit counts checked (lz: completed by the digits of the
         * numbers, which then fit them) with no branch a number; the first
         * bad one is looked for again only to say which */
        const int64_t *const xs = ints + o;
        uint32_t *const ns = nds + o;
        uint64_t bad = 0;
        if (lz) {
            for (size_t j = 0; j < m[k]; j++) {
                const uint64_t nd = ns[j] + (uint64_t)tnum_digits((uint64_t)xs[j] & INT64_MAX);
                bad |= (uint64_t)(xs[j] < 0) | (nd > TNUM_MAX_DIGITS);
                over8 |= nd > 8;
                ns[j] = (uint32_t)nd;
            }
        } else {
            for (size_t j = 0; j < m[k]; j++) {
                const uint64_t nd = ns[j], ok_nd = nd - 1 < TNUM_MAX_DIGITS;
                bad |= (uint64_t)(xs[j] < 0) | !ok_nd | (xs[j] >= pow10_i64[ok_nd ? nd : 0]);
                over8 |= nd > 8;
            }
        }
        for (size_t j = 0; bad && j < m[k]; j++) {
            const int64_t x = xs[j];
            const unsigned dd = lz ? tnum_digits((uint64_t)x & INT64_MAX) : 0; /* as added */
            const uint64_t nd = (uint64_t)(uint32_t)(ns[j] - dd) + (x >= 0 ? dd : 0);
            if (x < 0 || nd < 1 || nd > TNUM_MAX_DIGITS || x >= pow10_i64[nd]) {
                rc = cbz_fail(err, CBZ_ERR_FORMAT,
                              "column: digit run %zu of position %zu: %lld does not fit %llu "
                              "digits", j, k, (long long)x, (unsigned long long)nd);
                goto out;
            }
        }
        assert(!bad); /* a bad count is found above */
        o += m[k];
    }
    memcpy(at, off, nslots * sizeof *at);
    const uint8_t zone = zero & 0xF0u;
    const uint64_t pad8 = 0x0101010101010101ull * pad;
    size_t bad = n; /* the value that does not fit, if one does not */
    size_t a0 = at[0]; /* at[0] while values are built (tnum_build) */
    if (from_dict) {
        /* each value built straight into its row, from its entry; with a
         * mask, every row padded first (one memset is faster than padding
         * the blank rows alone), the rows of the blank flags' 0s listed with
         * no branch a row (8 rows a step where all are kept or all blank) */
        size_t *row_of = NULL;
        if (blank) {
            row_of = dec_scratch_n(DS_TN_CNT, n + 1, sizeof *row_of);
            if (!row_of) goto nomem;
            size_t i = 0, k = 0;
            for (; i + 8 <= rows; i += 8) {
                const uint64_t f = flags8(blank + i);
                if (f == 0) {
                    for (size_t q = 0; q < 8; q++) row_of[k + q] = i + q;
                    k += 8;
                } else if (f != 0x0101010101010101ull) {
                    for (size_t q = i; q < i + 8; q++) {
                        row_of[k] = q;
                        k += 1u - blank[q];
                    }
                }
            }
            for (; i < rows; i++) {
                row_of[k] = i;
                k += 1u - blank[i];
            }
            memset(values, pad, rows * width);
            *spread = true;
        } else {
            rows = n;
        }
        /* at most one marker a template and 8 digits a number (references,
         * codes): the numbers' digits first, as 8-byte unsigned zoned
         * values (form is not read for those: any readable bytes) */
        uint8_t *zd = NULL;
        if (nslots == 1 && width <= 32 && !over8) {
            zd = total <= (SIZE_MAX - 8) / 8 ? scratch(DS_TN_BITS, 8 * total + 8) : NULL;
            if (!zd) goto nomem;
            K->i64_to_zoned(ints, (const uint8_t *)ints, total, 8, CBZ_K_SIGN_NONE, eb, zd);
        }
        if (zd && width <= 16)
            bad = tnum_dict_rows1(values, rows, row_of, n, tt, codes, dict, width, zd, nds, &a0,
                                  pad8, tl, 16);
        else if (zd)
            bad = tnum_dict_rows1(values, rows, row_of, n, tt, codes, dict, width, zd, nds, &a0,
                                  pad8, tl, 32);
        else if (width <= 16)
            bad = tnum_dict_rows(values, rows, row_of, n, tt, codes, dict, width, ints, nds, &a0,
                                 at, zone, pad8, tl, 16);
        else if (width <= 32)
            bad = tnum_dict_rows(values, rows, row_of, n, tt, codes, dict, width, ints, nds, &a0,
                                 at, zone, pad8, tl, 32);
        else
            bad = tnum_dict_rows(values, rows, row_of, n, tt, codes, dict, width, ints, nds, &a0,
                                 at, zone, pad8, tl, 8);
    } else if (use_bits) {
        /* every row is built in a copy of the column (8 bytes of slack),
         * reading the templates where they are (reads past a row stay in
         * the column, but for the last row, read from tl); then the column
         * is copied back at once.  Building in place would need each
         * template copied first, and reading a row back right after its
         * pieces were stored stalls the loads. */
        uint8_t *outc = n <= (SIZE_MAX - 8) / width ? scratch(DS_TN_OUT, n * width + 8) : NULL;
        if (!outc) goto nomem;
        for (size_t i = 0; i < n; i++) {
            const uint8_t *src = values + i * width;
            if (i + 1 == n) {
                memcpy(tl, src, width);
                src = tl;
            }
            if (!tnum_build(outc + i * width, src, tlen[i], bits[i], width, ints, nds, &a0, at,
                            zone, pad8)) {
                bad = i;
                break;
            }
        }
        if (bad == n) memcpy(values, outc, n * width);
    } else {
        for (size_t i = 0; i < n; i++) {
            uint8_t *v = values + i * width;
            const size_t len = tlen[i];
            if (cnt[i] == 0) continue; /* the template is the value, pad included */
            /* the expanded length must fit the width before anything is written */
            if (tnum_out_len(len, cnt[i], nds, at) > width) {
                bad = i;
                break;
            }
            memcpy(tl, v, len);
            size_t o = 0, k = 0, j = 0;
            while (j < len) {
                const uint8_t *z = memchr(tl + j, zero, len - j);
                const size_t e = z ? (size_t)(z - tl) : len;
                memcpy(v + o, tl + j, e - j);
                o += e - j;
                if (!z) break;
                const size_t s = at[k]++;
                tnum_put_digits(v + o, (uint64_t)ints[s], nds[s], zone);
                o += nds[s];
                k++;
                j = e + 1;
            }
            memset(v + o, pad, width - o);
        }
    }
    if (use_bits) at[0] = a0;
    if (bad < n) {
        const size_t len = from_dict ? tt[codes[bad]].len : tlen[bad];
        const size_t k = from_dict ? tt[codes[bad]].cnt : cnt[bad];
        rc = cbz_fail(err, CBZ_ERR_FORMAT,
                      "column: value %zu: %zu bytes with its digit runs, width %zu", bad,
                      tnum_out_len(len, k, nds, at), width);
    }
    goto out;
nomem:
    rc = cbz_fail(err, CBZ_ERR_NOMEM, "column: no memory decoding %zu text values", n);
out:
    free(m);
    free(off);
    free(at);
    free(tl);
    return rc;
}

/* The body of a text method: RAW, FIXED, TRIM, DICT, or (allow_num) NUM. */
static cbz_status decode_text_body(const cbz_kernel_table *K, const cbz_col_desc *d,
                                   cbz_cursor *c, size_t n, uint8_t method, bool allow_num,
                                   uint8_t *values, cbz_error *err)
{
    const size_t width = d->width;
    switch (method) {
    case M_RAW: return decode_raw(K, c, n, width, values, err);
    case M_TEXT_FIXED: {
        const uint8_t *p;
        CBZ_FAIL_IF(!cbz_cursor_bytes(c, n * width, &p), err, CBZ_ERR_FORMAT,
                    "column: fixed text body too short");
        if (n) memcpy(values, p, n * width);
        return CBZ_OK;
    }
    case M_TEXT_TRIM: return decode_text_trim(K, d, c, n, values, err);
    case M_TEXT_DICT: return decode_text_dict(K, d, c, n, values, NULL, NULL, err);
    case M_TEXT_NUM:
        if (allow_num) return decode_text_num(K, d, c, n, values, NULL, 0, NULL, err);
        break;
    default: break;
    }
    return cbz_fail(err, CBZ_ERR_FORMAT, "column: inner text method %u not allowed here", method);
}

/* ------------------------------------------------------------------ TEXT_REF */

/* A text column that holds the text of earlier columns (an e-mail address
 * made of the first and last name) is stored with that text cut out: per
 * value, the offset where the peer's trimmed value was found and removed, then
 * the reduced values as any other text column. */
#define TREF_MAX 2          /* references per column                      */
#define TREF_PEERS 64       /* nearest text peers screened ...             */
#define TREF_SCREEN 64      /* ... on this many values, and the best       */
#define TREF_CANDIDATES 4   /* ... tried on                                */
#define TREF_SAMPLE 512     /* ... this many                               */
#define TREF_MIN_LEN 4      /* shorter peer values are not cut out        */

static bool text_peer_usable(const cbz_col_peer *p, size_t n)
{
    return p->n == n && p->values != NULL && p->desc.kind == CBZ_COL_TEXT && p->desc.width >= 1;
}

static size_t peer_text_len(const cbz_col_peer *p, size_t i, const uint8_t **at)
{
    const size_t pw = p->desc.width;
    const uint8_t ppad = p->desc.ebcdic ? 0x40 : 0x20;
    const uint8_t *pv = p->values + i * pw;
    *at = pv;
    return trimmed_len(pv, pw, ppad);
}

/* The first occurrence of the l bytes at nd in the hl bytes at h (as memmem;
 * TREF_MIN_LEN <= l <= hl): the values are short, and memmem's set-up per
 * call (a shift table) cost more than this scan by 4-byte loads. */
static inline const uint8_t *find_short(const uint8_t *h, size_t hl, const uint8_t *nd, size_t l)
{
    _Static_assert(TREF_MIN_LEN >= 4, "find_short loads 4 bytes of the needle");
    uint32_t first;
    memcpy(&first, nd, 4);
    for (size_t o = 0; o + l <= hl; o++) {
        uint32_t x;
        memcpy(&x, h + o, 4);
        if (x == first && bytes_equal(h + o, nd, l)) return h + o;
    }
    return NULL;
}

/* Removes the l >= 4 bytes at offset o of the w bytes at v: what follows
 * moves left, pad fills the end.  By 8-byte words inside the w bytes (no
 * library call a value: most values hold a cut): forward, each word read
 * before the stores reach it, and the last one (overlapping) read first. */
static inline void cut_out(uint8_t *v, size_t w, size_t o, size_t l, uint8_t pad)
{
    _Static_assert(TREF_MIN_LEN >= 4, "cut_out fills the pad by 4-byte stores");
    const size_t len = w - o - l; /* bytes that move */
    uint8_t *d = v + o;
    const uint8_t *s = d + l;
    if (len >= 8) {
        uint64_t x, last;
        memcpy(&last, s + len - 8, 8);
        for (size_t q = 0; q + 8 <= len; q += 8) {
            memcpy(&x, s + q, 8);
            memcpy(d + q, &x, 8);
        }
        memcpy(d + len - 8, &last, 8);
    } else {
        for (size_t q = 0; q < len; q++) d[q] = s[q];
    }
    uint8_t *f = v + w - l; /* the l bytes of pad */
    if (l >= 8) {
        const uint64_t p8 = 0x0101010101010101ull * pad;
        for (size_t q = 0; q + 8 <= l; q += 8) memcpy(f + q, &p8, 8);
        memcpy(f + l - 8, &p8, 8);
    } else {
        const uint32_t p4 = 0x01010101u * pad;
        memcpy(f, &p4, 4);
        memcpy(f + l - 4, &p4, 4);
    }
}

/* Where the peer's value i (its trimmed length in *len) first occurs in
 * the w bytes at v, whose trimmed length is vl, plus 1; 0: nowhere (or it
 * is too short to cut).  A value that does not end in pad can only occur
 * before the pad at the end of v: the search stops there. */
static inline size_t tref_find(const uint8_t *v, size_t width, size_t vl, uint8_t pad,
                               const cbz_col_peer *p, const uint32_t *plen, size_t i,
                               size_t *len)
{
    const uint8_t *pv = p->values + i * p->desc.width;
    const size_t l = plen ? plen[i] : peer_text_len(p, i, &pv);
    *len = l;
    if (l < TREF_MIN_LEN || l > width) return 0;
    const size_t hl = pv[l - 1] != pad ? vl : width;
    if (l > hl) return 0;
    const uint8_t *at = find_short(v, hl, pv, l);
    return at ? (size_t)(at - v) + 1 : 0;
}

/* Cuts the first occurrence of the peer's trimmed value (TREF_MIN_LEN bytes
 * or more) out of each of the n values: what follows moves left and pad
 * bytes fill the end.  pos[i] = offset + 1, or 0.  Returns the bytes cut. */
static size_t tref_cut(uint8_t *vals, size_t n, size_t width, uint8_t pad, const cbz_col_peer *p,
                       const uint32_t *plen, uint32_t *pos)
{
    size_t cut = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t *v = vals + i * width;
        size_t l;
        const size_t at = tref_find(v, width, trimmed_len(v, width, pad), pad, p, plen, i, &l);
        pos[i] = (uint32_t)at;
        if (!at) continue;
        cut_out(v, width, at - 1, l, pad);
        cut += l;
    }
    return cut;
}

/* The bytes tref_cut would cut, the values (their trimmed lengths in
 * vlen) left as they are: a value is searched once, before its cut, so the
 * count does not depend on the cuts. */
static size_t tref_count(const uint8_t *vals, const uint32_t *vlen, size_t n, size_t width,
                         uint8_t pad, const cbz_col_peer *p, const uint32_t *plen)
{
    size_t cut = 0;
    for (size_t i = 0; i < n; i++) {
        size_t l;
        if (tref_find(vals + i * width, width, vlen[i], pad, p, plen, i, &l)) cut += l;
    }
    return cut;
}

static cbz_status encode_text(const cbz_kernel_table *K, const cbz_col_desc *d,
                              const uint8_t *values, size_t n, bool planes, cbz_buf *body,
                              uint8_t *method, cbz_col_stats *st, cbz_error *err);

/* The trimmed lengths of the first m values of peers[j] from the memo, or
 * NULL (tref_cut then trims each value itself). */
static const uint32_t *peer_tlen(cbz_col_chunk_ctx *memo, const cbz_col_peer *peers, size_t j,
                                 size_t m)
{
    memo_entry *e = memo_peer(memo, peers, j);
    return e ? memo_tlen(memo, e, m) : NULL;
}

/* Tries references for a text column: the candidate that cuts the most
 * bytes out of the first TREF_SAMPLE values is taken when it cuts 15% of
 * their text (a second one then when it cuts 5% more).  *used = false leaves
 * body untouched. */
static cbz_status encode_text_ref(const cbz_kernel_table *K, const cbz_col_desc *d,
                                  const uint8_t *values, size_t n, const cbz_col_peer *peers,
                                  size_t n_peers, cbz_col_chunk_ctx *memo, bool planes,
                                  cbz_buf *body, bool *used, cbz_col_stats *st, cbz_error *err)
{
    const size_t width = d->width;
    const uint8_t pad = d->ebcdic ? 0x40 : 0x20;
    *used = false;
    if (n < 64 || width < TREF_MIN_LEN || n_peers == 0) return CBZ_OK;
    const size_t m = n < TREF_SAMPLE ? n : TREF_SAMPLE;
    /* the trimmed lengths of the sample (of the values, then of the work
     * once references are cut from it), and its trimmed bytes */
    uint32_t vlen[TREF_SAMPLE];
    const size_t text = K->text_lengths(values, m, width, pad, vlen);
    if (text == 0) return CBZ_OK;

    cbz_status rc = CBZ_OK;
    uint8_t *work = scratch(ES_REF_WORK, n * width);
    uint32_t *pos[TREF_MAX] = { scratch(ES_REF_POS0, n * sizeof(uint32_t)),
                                scratch(ES_REF_POS1, n * sizeof(uint32_t)) };
    size_t refs[TREF_MAX], nr = 0;
    bool taken[TREF_CANDIDATES] = { false };
    if (!work || !pos[0] || !pos[1]) {
        rc = cbz_fail(err, CBZ_ERR_NOMEM, "column: no memory for %zu text values", n);
        goto out;
    }
    /* screening: the TREF_CANDIDATES peers that cut most from the first
     * TREF_SCREEN values (ties: the nearer one) */
    size_t cand[TREF_CANDIDATES], ccut[TREF_CANDIDATES], nc = 0, screened = 0;
    const size_t ms = m < TREF_SCREEN ? m : TREF_SCREEN;
    for (size_t j = n_peers; j > 0 && screened < TREF_PEERS; j--) {
        if (!text_peer_usable(&peers[j - 1], n)) continue;
        screened++;
        size_t cut =
            tref_count(values, vlen, ms, width, pad, &peers[j - 1],
                       peer_tlen(memo, peers, j - 1, ms));
        if (cut == 0) continue;
        size_t at = nc < TREF_CANDIDATES ? nc++ : TREF_CANDIDATES;
        while (at > 0 && ccut[at - 1] < cut) {
            if (at < TREF_CANDIDATES) {
                cand[at] = cand[at - 1];
                ccut[at] = ccut[at - 1];
            }
            at--;
        }
        if (at < TREF_CANDIDATES) {
            cand[at] = j - 1;
            ccut[at] = cut;
        }
    }
    if (nc == 0) goto out;
    memcpy(work, values, n * width);
    while (nr < TREF_MAX) {
        size_t best = 0, best_c = 0;
        for (size_t c = 0; c < nc; c++) {
            if (taken[c]) continue;
            size_t cut = tref_count(work, vlen, m, width, pad, &peers[cand[c]],
                                    peer_tlen(memo, peers, cand[c], m));
            if (cut > best) {
                best = cut;
                best_c = c;
            }
        }
        if (best * 100 < text * (nr == 0 ? 15 : 5)) break;
        taken[best_c] = true;
        refs[nr] = cand[best_c];
        tref_cut(work, n, width, pad, &peers[refs[nr]], peer_tlen(memo, peers, refs[nr], n),
                 pos[nr]);
        nr++;
        if (nr < TREF_MAX) K->text_lengths(work, m, width, pad, vlen);
    }
    if (nr == 0) goto out;

    if ((rc = cbz_buf_put_u8(body, (uint8_t)nr)) != CBZ_OK) goto nomem;
    for (size_t r = 0; r < nr; r++)
        if ((rc = cbz_buf_put_varint(body, refs[r])) != CBZ_OK) goto nomem;
    for (size_t r = 0; r < nr; r++)
        if ((rc = put_packed_u32(body, K, pos[r], n, planes)) != CBZ_OK) goto nomem;
    size_t inner_at = body->len;
    uint8_t inner = M_TEXT_FIXED;
    if ((rc = cbz_buf_put_u8(body, 0)) != CBZ_OK) goto nomem;
    chain_add(st, "textref");
    if ((rc = encode_text(K, d, work, n, planes, body, &inner, st, err)) != CBZ_OK) goto out;
    body->data[inner_at] = inner;
    *used = true;
    goto out;
nomem:
    rc = cbz_fail(err, CBZ_ERR_NOMEM, "column: no memory encoding %zu text values", n);
out:
    return rc;
}

static cbz_status decode_text_ref(const cbz_kernel_table *K, const cbz_col_desc *d,
                                  cbz_cursor *c, size_t n, const cbz_col_peer *peers,
                                  size_t n_peers, const cbz_col_rows *peer_at, uint8_t *values,
                                  cbz_error *err)
{
    const size_t width = d->width;
    const uint8_t pad = d->ebcdic ? 0x40 : 0x20;
    uint8_t nr, inner;
    CBZ_FAIL_IF(!cbz_cursor_u8(c, &nr) || nr < 1 || nr > TREF_MAX, err, CBZ_ERR_FORMAT,
                "column: bad or missing text reference count at byte %zu", c->pos);
    size_t refs[TREF_MAX];
    for (size_t r = 0; r < nr; r++) {
        uint64_t j;
        CBZ_TRY(get_varint(c, &j, "text reference", err));
        CBZ_FAIL_IF(j >= n_peers || !text_peer_usable(&peers[j], n), err, CBZ_ERR_FORMAT,
                    "column: text reference to column %llu (%zu earlier columns) that is not "
                    "a text column of %zu values", (unsigned long long)j, n_peers, n);
        refs[r] = (size_t)j;
    }
    uint32_t *pos[TREF_MAX] = { dec_scratch_n(DS_REF0, n, sizeof(uint32_t)),
                                dec_scratch_n(DS_REF1, n, sizeof(uint32_t)) };
    CBZ_FAIL_IF(!pos[0] || !pos[1], err, CBZ_ERR_NOMEM, "column: no memory for %zu text offsets",
                n);
    for (size_t r = 0; r < nr; r++)
        CBZ_TRY(get_packed_u32(c, K, n, pos[r], "text reference offsets", err));
    CBZ_FAIL_IF(!cbz_cursor_u8(c, &inner), err, CBZ_ERR_FORMAT,
                "column: text reference body truncated");
    /* the trimmed lengths of the values (after those of the peers), with
     * no scan a value: from their entries' (each measured once) when a
     * dictionary holds them, else by the kernel */
    uint32_t *lens = dec_scratch_n(DS_REF_LENS, n, (nr + 1u) * sizeof(uint32_t));
    CBZ_FAIL_IF(!lens, err, CBZ_ERR_NOMEM, "column: no memory for %zu text lengths", n);
    uint32_t *vlen = lens + nr * n;
    if (inner == M_TEXT_DICT) {
        const uint8_t *dict;
        const uint32_t *codes;
        size_t nd;
        CBZ_TRY(read_text_dict(K, d, c, n, false, &dict, &nd, &codes, err)); /* the gather checks */
        CBZ_FAIL_IF(!K->dict_gather_fixed(codes, n, dict, nd, width, values), err,
                    CBZ_ERR_FORMAT, "column: a dictionary code is >= %zu entries", nd);
        uint32_t *elen = lens; /* nd <= n: in the first peer's lengths, made after */
        for (size_t e = 0; e < nd; e++)
            elen[e] = (uint32_t)trimmed_len(dict + e * width, width, pad);
        for (size_t i = 0; i < n; i++) vlen[i] = elen[codes[i]];
    } else {
        CBZ_TRY(decode_text_body(K, d, c, n, inner, true, values, err));
        K->text_lengths(values, n, width, pad, vlen);
    }
    /* the peers' trimmed lengths: by the kernel, with no scan (and no
     * branch on its length) a value */
    const uint8_t *pvals[TREF_MAX];
    size_t pws[TREF_MAX];
    for (size_t r = 0; r < nr; r++) {
        cbz_col_peer pc;
        CBZ_FAIL_IF(!peer_contig(peers, peer_at, refs[r], DS_GATHER0 + (int)r, &pc), err,
                    CBZ_ERR_NOMEM, "column: no memory for %zu text values", n);
        pvals[r] = pc.values;
        pws[r] = pc.desc.width;
        K->text_lengths(pc.values, n, pws[r], pc.desc.ebcdic ? 0x40 : 0x20, lens + r * n);
    }
    /* put the cut text back, the last reference first, each in a pass of
     * its own (a value's bytes read right after the last reference's
     * stores to them would wait on those); vlen kept as text goes in */
    for (size_t r = nr; r-- > 0;) {
        for (size_t i = 0; i < n; i++) {
            if (pos[r][i] == 0) continue;
            uint8_t *v = values + i * width;
            const size_t vl = vlen[i]; /* v's length without its pad */
            const uint8_t *pv = pvals[r] + i * pws[r];
            const size_t l = lens[r * n + i], o = pos[r][i] - 1;
            /* the last l bytes must be pad (vl <= width - l): room to put
             * the text back */
            if (!(l >= 1 && l <= width && o <= width - l && vl <= width - l))
                return cbz_fail(err, CBZ_ERR_FORMAT,
                                "column: text reference %zu of value %zu: %zu bytes at offset "
                                "%zu do not fit width %zu", r, i, l, o, width);
            /* v[o, vl) moves l bytes right (what follows is pad, and stays
             * so), 8-byte words from the end back (each word is read
             * before a store reaches it; the first word, read before all,
             * covers the short rest), then the peer's text goes in at o */
            uint8_t *src = v + o;
            const size_t rest = vl > o ? vl - o : 0;
            if (rest >= 8) {
                uint64_t first, x;
                memcpy(&first, src, 8);
                for (size_t q = rest; q > 8; q -= 8) {
                    memcpy(&x, src + q - 8, 8);
                    memcpy(src + l + q - 8, &x, 8);
                }
                memcpy(src + l, &first, 8);
            } else {
                for (size_t q = rest; q-- > 0;) src[l + q] = src[q];
            }
            cbz_copy_exact(v + o, pv, l);
            vlen[i] = (uint32_t)((o > vl ? o : vl) + l);
        }
    }
    return CBZ_OK;
}

/* ------------------------------------------------------------------ TEXT_MASK */

/* The entries of an OCCURS DEPENDING ON table that a record does not use are
 * left blank in every field; a field of such an entry is blank wherever an
 * earlier field of the same entry is.  A text column is then stored without
 * the values where a peer is blank (all spaces of its code page): they are
 * all pad bytes, and the others go through the text choices on their own. */
#define MASK_PEERS 16   /* nearest peers tried */
#define MASK_SCREEN 256 /* ... on this many values first */

static bool mask_peer_usable(const cbz_col_peer *p, size_t n)
{
    return p->n == n && p->values != NULL && p->desc.width >= 1;
}

/* Counts the peer's blank values among the first m, or returns SIZE_MAX when
 * one of them is not blank in the column.  cblank: the column's blank flags
 * (at least m); pblank receives the peer's. */
#define MASK_BLOCK 256 /* values checked at a time: most peers fail early */
static size_t mask_check(const uint8_t *cblank, size_t m, const cbz_col_peer *p,
                         uint8_t *pblank)
{
    const size_t pw = p->desc.width;
    const uint8_t ppad = p->desc.ebcdic ? 0x40 : 0x20;
    size_t blank = 0;
    for (size_t at = 0; at < m; at += MASK_BLOCK) {
        const size_t k = m - at < MASK_BLOCK ? m - at : MASK_BLOCK;
        blank += blank_flags(p->values + at * pw, k, pw, ppad, pblank + at);
        uint8_t stray = 0; /* blank in the peer, not in the column */
        for (size_t i = at; i < at + k; i++) stray |= pblank[i] & (uint8_t)~cblank[i];
        if (stray) return SIZE_MAX;
    }
    return blank;
}

/* mask_check on flags known already: the same answer.  The flags (0 or 1)
 * by 8-byte words, counted in byte lanes for up to 255 words at a time (no
 * lane passes 255), the lanes then added up. */
static size_t mask_check_flags(const uint8_t *cblank, size_t m, const uint8_t *pblank)
{
    size_t blank = 0, i = 0;
    uint64_t stray = 0;
    while (m - i >= 8) {
        const size_t end = i + (m - i < 8 * 255 ? (m - i) / 8 : 255) * 8;
        uint64_t lanes = 0, p, c;
        for (; i < end; i += 8) {
            memcpy(&p, pblank + i, 8);
            memcpy(&c, cblank + i, 8);
            stray |= p & ~c;
            lanes += p;
        }
        lanes = (lanes & 0x00FF00FF00FF00FFull) + (lanes >> 8 & 0x00FF00FF00FF00FFull);
        blank += (size_t)((lanes * 0x0001000100010001ull) >> 48);
    }
    for (; i < m; i++) {
        stray |= pblank[i] & (uint8_t)~cblank[i];
        blank += pblank[i];
    }
    return stray ? SIZE_MAX : blank;
}

/* mask_check of peers[j], with its flags from the memo when there is one. */
static size_t mask_check_peer(cbz_col_chunk_ctx *memo, const uint8_t *cblank, size_t m,
                              const cbz_col_peer *peers, size_t j, uint8_t *pblank,
                              const uint8_t **pflags)
{
    memo_entry *pe = memo_peer(memo, peers, j);
    const uint8_t *pf = pe ? memo_blank(memo, pe, m) : NULL;
    if (pf) {
        *pflags = pf;
        return mask_check_flags(cblank, m, pf);
    }
    *pflags = pblank;
    return mask_check(cblank, m, &peers[j], pblank);
}

/* Chooses the peer that blanks most of the first MASK_SCREEN values (and all
 * of the column, checked in full for the best two); false when none blanks
 * at least 1/32.  On success, *pflags points to the chosen peer's n blank
 * flags (in pblank or in the memo).  cblank and pblank: room for n flags
 * each; memo: NULL, or the chunk's (this column is stream n_peers). */
static bool choose_mask(const cbz_col_desc *d, const uint8_t *values, size_t n,
                        const cbz_col_peer *peers, size_t n_peers, cbz_col_chunk_ctx *memo,
                        uint8_t *cblank, uint8_t *pblank, const uint8_t **pflags, size_t *ref,
                        size_t *blanks)
{
    if (n < 64 || n_peers == 0) return false;
    const size_t ms = n < MASK_SCREEN ? n : MASK_SCREEN;
    const uint8_t pad = d->ebcdic ? 0x40 : 0x20;
    size_t cand[MASK_PEERS], score[MASK_PEERS], nc = 0;
    /* the column's own flags: kept in the memo for the later columns */
    memo_entry *self = memo_at(memo, n_peers, d, values, n);
    const uint8_t *cb = self ? memo_blank(memo, self, ms) : NULL;
    if (!cb) {
        self = NULL;
        blank_flags(values, ms, d->width, pad, cblank);
        cb = cblank;
    }
    for (size_t j = n_peers, tried = 0; j > 0 && tried < MASK_PEERS; j--) {
        const cbz_col_peer *p = &peers[j - 1];
        if (!mask_peer_usable(p, n)) continue;
        tried++;
        const uint8_t *pf;
        size_t b = mask_check_peer(memo, cb, ms, peers, j - 1, pblank, &pf);
        if (b == SIZE_MAX || b * 32 < ms) continue;
        cand[nc] = j - 1;
        score[nc++] = b;
    }
    if (nc > 0 && ms < n) {
        if (self) cb = memo_blank(memo, self, n); /* allocated: cannot fail now */
        else blank_flags(values + ms * d->width, n - ms, d->width, pad, cblank + ms);
    }
    for (int full = 0; nc > 0 && full < 2; full++) { /* at most 2 full checks */
        size_t best = 0;
        for (size_t c = 1; c < nc; c++)
            if (score[c] > score[best]) best = c;
        size_t b = mask_check_peer(memo, cb, n, peers, cand[best], pblank, pflags);
        if (b != SIZE_MAX && b * 32 >= n) {
            *ref = cand[best];
            *blanks = b;
            return true;
        }
        cand[best] = cand[--nc];
        score[best] = score[nc];
    }
    return false;
}


static cbz_status encode_text_mask(const cbz_kernel_table *K, const cbz_col_desc *d,
                                   const uint8_t *values, size_t n, const cbz_col_peer *peers,
                                   size_t n_peers, cbz_col_chunk_ctx *memo, bool planes,
                                   cbz_buf *body, bool *used, cbz_col_stats *st, cbz_error *err)
{
    size_t ref, blanks;
    *used = false;
    /* the flags live in slots 0 and 1 only until the kept values are copied */
    uint8_t *cblank = scratch(0, n), *pblank = scratch(1, n);
    CBZ_FAIL_IF(!cblank || !pblank, err, CBZ_ERR_NOMEM, "column: no memory for %zu blank flags",
                n);
    const uint8_t *pflags;
    if (!choose_mask(d, values, n, peers, n_peers, memo, cblank, pblank, &pflags, &ref, &blanks))
        return CBZ_OK;
    const size_t w = d->width, m = n - blanks;
    /* the values not blank in the peer (copy_flagged: room past them) */
    uint8_t *kept = scratch(ES_MASK_KEPT, (m + 1) * w + COPY_FLAGGED_ROOM);
    CBZ_FAIL_IF(!kept, err, CBZ_ERR_NOMEM, "column: no memory for %zu text values", m);
    copy_flagged(kept, values, n, w, pflags, 1);
    cbz_status rc = cbz_buf_put_varint(body, ref);
    size_t inner_at = body->len;
    if (rc == CBZ_OK) rc = cbz_buf_put_u8(body, 0);
    if (rc != CBZ_OK)
        return cbz_fail(err, CBZ_ERR_NOMEM, "column: no memory encoding %zu text values", n);
    chain_add(st, "mask");
    uint8_t inner = M_TEXT_FIXED;
    rc = encode_text(K, d, kept, m, planes, body, &inner, st, err);
    if (rc != CBZ_OK) return rc;
    body->data[inner_at] = inner;
    *used = true;
    return CBZ_OK;
}

/* flag[i] = 1 when value i of the n values of w bytes at v is all b; returns
 * how many are: the dispatched kernel (its variants agree byte for byte, so
 * the encoder's choices do not depend on the CPU). */
static size_t blank_flags(const uint8_t *v, size_t n, size_t w, uint8_t b, uint8_t *flag)
{
    return cbz_kernels()->blank_rows(v, n, w, b, flag);
}

/* blank_flags of the n values of w bytes a placed peer's decode left where
 * *at says. */
static size_t blank_flags_at(const cbz_col_rows *at, size_t n, size_t w, uint8_t b,
                             uint8_t *flag)
{
    if (!at->rows && at->stride == w) return blank_flags(at->base, n, w, b, flag);
    size_t blank = 0;
    const uint64_t p8 = 0x0101010101010101ull * b;
    if (w == 1) {
        ROWS_LOOP(at, n, i, r, blank += flag[i] = r[0] == b;);
    } else if (w < 8) { /* two overlapping 1..4-byte words, as in blank_flags */
        const size_t h = w < 4 ? 1 : 4;
        ROWS_LOOP(at, n, i, r, {
            uint32_t x = 0, y = 0, p4 = (uint32_t)p8;
            if (h == 4) {
                memcpy(&x, r, 4);
                memcpy(&y, r + w - 4, 4);
            } else {
                uint32_t a2 = r[0] | (uint32_t)r[1] << 8, b2 = r[w - 2] | (uint32_t)r[w - 1] << 8;
                x = a2;
                y = b2;
                p4 &= 0xFFFFu;
            }
            blank += flag[i] = (x == p4) & (y == p4);
        });
    } else if (w <= 16) { /* two overlapping 8-byte words */
        ROWS_LOOP(at, n, i, r, {
            uint64_t x, y;
            memcpy(&x, r, 8);
            memcpy(&y, r + w - 8, 8);
            blank += flag[i] = ((x ^ p8) | (y ^ p8)) == 0;
        });
    } else { /* 8-byte words, the last one overlapping; no branch a value */
        ROWS_LOOP(at, n, i, r, {
            uint64_t x, acc;
            memcpy(&x, r + w - 8, 8);
            acc = x ^ p8;
            for (size_t j = 0; j + 8 < w; j += 8) {
                memcpy(&x, r + j, 8);
                acc |= x ^ p8;
            }
            blank += flag[i] = acc == 0;
        });
    }
    return blank;
}

static size_t peer_blank_flags(const cbz_kernel_table *K, thread_scratch *t,
                               const cbz_col_peer *peers, const cbz_col_rows *peer_at, size_t j,
                               size_t n, uint8_t b, uint8_t *flag);

/* peer_at: where the peers' values are (cbz_column_decode_rows); to: NULL,
 * or where to put the values instead of values (then *placed).  memo: the
 * column is stream n_peers of the chunk being decoded, whose peers' bytes
 * stay as they are: the blank flags of the last peer are kept for the next
 * column masked by it (the fields of an OCCURS entry are masked by the same
 * one). */
static cbz_status decode_text_mask(const cbz_kernel_table *K, const cbz_col_desc *d,
                                   cbz_cursor *c, size_t n, const cbz_col_peer *peers,
                                   size_t n_peers, const cbz_col_rows *peer_at, bool memo,
                                   uint8_t *values, const cbz_col_rows *to, bool *placed,
                                   cbz_error *err)
{
    uint64_t ref;
    uint8_t inner;
    CBZ_TRY(get_varint(c, &ref, "mask column", err));
    CBZ_FAIL_IF(ref >= n_peers || !mask_peer_usable(&peers[ref], n), err, CBZ_ERR_FORMAT,
                "column: mask from column %llu (%zu earlier columns) that does not have %zu "
                "values", (unsigned long long)ref, n_peers, n);
    CBZ_FAIL_IF(!cbz_cursor_u8(c, &inner), err, CBZ_ERR_FORMAT,
                "column: mask body truncated at its method");
    const cbz_col_peer *p = &peers[ref];
    const size_t w = d->width, pw = p->desc.width;
    const uint8_t pad = d->ebcdic ? 0x40 : 0x20, ppad = p->desc.ebcdic ? 0x40 : 0x20;
    uint8_t *blank = n <= SIZE_MAX - w ? scratch(DS_MASK, n + w) : NULL;
    CBZ_FAIL_IF(!blank, err, CBZ_ERR_NOMEM, "column: no memory for %zu mask flags", n);
    uint8_t *pad_row = blank + n;
    memset(pad_row, pad, w);
    thread_scratch *t = chunk_scratch(memo);
    size_t m;
    if (t && t->mask_chunk == t->dec_chunk && t->mask_stream == ref && t->mask_flags == blank &&
        t->mask_values == p->values && t->mask_n == n && t->mask_w == pw) {
        m = n - t->mask_blank;
    } else {
        const size_t nb = peer_blank_flags(K, t, peers, peer_at, (size_t)ref, n, ppad, blank);
        m = n - nb;
        if (t) {
            t->mask_chunk = t->dec_chunk;
            t->mask_stream = (size_t)ref;
            t->mask_values = p->values;
            t->mask_flags = blank;
            t->mask_n = n;
            t->mask_w = pw;
            t->mask_blank = nb;
        }
    }
    if (inner == M_TEXT_DICT) { /* gathered straight into their rows */
        const uint8_t *dict;
        const uint32_t *codes;
        size_t nd;
        CBZ_TRY(read_text_dict(K, d, c, m, true, &dict, &nd, &codes, err));
        /* codes[k] is read for blank rows too (codes[m] is a valid code) */
        size_t k = 0;
        if (to) {
            DEC_BY_WIDTH(w, ROWS_LOOP(to, n, i, r, {
                const size_t b = blank[i];
                cbz_copy_exact(r, pick_row(b, pad_row, dict + (size_t)codes[k] * W), W);
                k += 1u - b;
            }));
            *placed = true;
            return CBZ_OK;
        }
        if (w <= 16) {
            /* the kept values' entries gathered back to back, then merged
             * with pad rows by the kernels (many rows a step): a row at a
             * time, each picking its source, costs twice as much where blank
             * and kept rows alternate (an OCCURS entry used by some records) */
            uint8_t *kept = scratch(DS_MASK_KEPT, m * w);
            uint8_t *pads = scratch(DS_MASK_PADS, (n - m) * w);
            CBZ_FAIL_IF(!kept || !pads, err, CBZ_ERR_NOMEM, "column: no memory for %zu mask rows",
                        n);
            /* true: read_text_dict checked the codes */
            K->dict_gather_fixed(codes, m, dict, nd, w, kept);
            memset(pads, pad, (n - m) * w);
            K->merge_rows(blank, n, w, pads, kept, values);
            return CBZ_OK;
        }
        /* 8 rows a step where all are kept or all blank (the entries of an
         * OCCURS table come in runs): then no pick a row */
        DEC_BY_WIDTH(w, {
            size_t i = 0;
            for (; i + 8 <= n; i += 8) {
                const uint64_t f = flags8(blank + i);
                if (f == 0) {
                    for (size_t q = 0; q < 8; q++)
                        cbz_copy_exact(values + (i + q) * W, dict + (size_t)codes[k + q] * W, W);
                    k += 8;
                } else if (f == 0x0101010101010101ull) {
                    for (size_t q = 0; q < 8; q++) cbz_copy_exact(values + (i + q) * W, pad_row, W);
                } else {
                    for (size_t q = i; q < i + 8; q++) {
                        const size_t b = blank[q];
                        cbz_copy_exact(values + q * W,
                                       pick_row(b, pad_row, dict + (size_t)codes[k] * W), W);
                        k += 1u - b;
                    }
                }
            }
            for (; i < n; i++) {
                const size_t b = blank[i];
                cbz_copy_exact(values + i * W, pick_row(b, pad_row, dict + (size_t)codes[k] * W),
                               W);
                k += 1u - b;
            }
        });
        return CBZ_OK;
    }
    /* the m kept values go to the front of values, then move out to their
     * rows from the last row back: the k-th moves from row k to a row i >= k,
     * so nothing is overwritten before it has moved; digit-run text over a
     * dictionary is built in its rows at once (spread) */
    bool spread = false;
    if (inner == M_TEXT_NUM && !to)
        CBZ_TRY(decode_text_num(K, d, c, m, values, blank, n, &spread, err));
    else
        CBZ_TRY(decode_text_body(K, d, c, m, inner, true, values, err));
    if (spread) return CBZ_OK;
    if (to) { /* placed: from the front of values to the rows, forward */
        size_t k = 0;
        DEC_BY_WIDTH(w, ROWS_LOOP(to, n, i, r, {
            const size_t b = blank[i];
            cbz_copy_exact(r, pick_row(b, pad_row, values + k * W), W);
            k += 1u - b;
        }));
        *placed = true;
        return CBZ_OK;
    }
    DEC_BY_WIDTH(w, for (size_t i = n, k = m; i-- > 0 && k != i + 1;) {
        /* no branch on the flag: blank rows copy pad_row */
        const size_t b = blank[i];
        k -= 1u - b;
        /* a kept k < i here: apart by >= w */
        cbz_copy_exact(values + i * W, pick_row(b, pad_row, values + k * W), W);
    });
    return CBZ_OK;
}

/* ------------------------------------------------------------------ TEXT_SPLIT */

/* Records of two kinds (a header and a detail segment of a VB file read
 * through one view) put different kinds of bytes in the same text column.
 * The column is stored as two groups: the values of the rows where an
 * earlier column (a peer of at most 8 bytes, e.g. the record lengths or a
 * segment code) holds its most frequent value, and the others, each through
 * the text choices on its own. */
#define SPLIT_PEER_MAX_WIDTH 8
#define SPLIT_SAMPLE 2048 /* rows the choice is tried on in longer columns */
#define SPLIT_SCREEN 1024 /* rows a peer is screened on first */
#define SPLIT_PEERS 8     /* earliest usable peers tried */

static bool split_peer_usable(const cbz_col_peer *p, size_t n)
{
    return p->n == n && p->values != NULL && p->desc.width >= 1 &&
           p->desc.width <= SPLIT_PEER_MAX_WIDTH;
}

static inline uint64_t split_key(const cbz_col_peer *p, size_t i)
{
    const uint8_t *v = p->values + i * p->desc.width;
    uint8_t k1;
    uint16_t k2;
    uint32_t k4;
    uint64_t k = 0;
    switch (p->desc.width) { /* fixed sizes: no library call per row */
    case 1: memcpy(&k1, v, 1); return k1;
    case 2: memcpy(&k2, v, 2); return k2;
    case 4: memcpy(&k4, v, 4); return k4;
    case 8: memcpy(&k, v, 8); return k;
    default: memcpy(&k, v, p->desc.width); return k;
    }
}

/* The key of the split: the peer's most frequent value among its first rows
 * (all of them when n <= 4 * SPLIT_SCREEN, else the first SPLIT_SCREEN, where
 * it must leave at least 1/256 to the others), found by a Boyer-Moore vote
 * and then counted over all n rows; true when it holds more than half of
 * them.  Encoder and decoder both derive the key this way. */
/* Rows i in [from, to) whose peer key is `key`, with split_key's switch on
 * the width taken once instead of per row. */
static size_t split_count_eq(const cbz_col_peer *p, size_t from, size_t to, uint64_t key)
{
    const uint8_t *v = p->values;
    size_t c = 0;
#define COUNT_EQ_AS(T)                                                                       \
    for (size_t i = from; i < to; i++) {                                                     \
        T x;                                                                                 \
        memcpy(&x, v + sizeof x * i, sizeof x);                                              \
        c += x == key;                                                                       \
    }                                                                                        \
    return c
    switch (p->desc.width) {
    case 1: COUNT_EQ_AS(uint8_t);
    case 2: COUNT_EQ_AS(uint16_t);
    case 4: COUNT_EQ_AS(uint32_t);
    case 8: COUNT_EQ_AS(uint64_t);
#undef COUNT_EQ_AS
    default:
        for (size_t i = from; i < to; i++) c += split_key(p, i) == key;
        return c;
    }
}

/* flag[r] = 1 where the peer's row from + r (r < k) has the key `key` (as
 * split_key reads it), else 0; returns how many are.  The switch on the
 * width taken once.  (The encoder's split groups and the decoder's flags.) */
static size_t split_flags(const cbz_col_peer *p, size_t from, size_t k, uint64_t key,
                          uint8_t *flag)
{
    const uint8_t *v = p->values;
    size_t cnt = 0;
#define FLAGS_EQ_AS(T)                                                                       \
    for (size_t r = 0; r < k; r++) {                                                         \
        T x;                                                                                 \
        memcpy(&x, v + sizeof x * (from + r), sizeof x);                                     \
        cnt += flag[r] = x == key;                                                           \
    }                                                                                        \
    return cnt
    switch (p->desc.width) {
    case 1: FLAGS_EQ_AS(uint8_t);
    case 2: FLAGS_EQ_AS(uint16_t);
    case 4: FLAGS_EQ_AS(uint32_t);
    case 8: FLAGS_EQ_AS(uint64_t);
#undef FLAGS_EQ_AS
    default:
        for (size_t r = 0; r < k; r++) cnt += flag[r] = split_key(p, from + r) == key;
        return cnt;
    }
}

static bool split_major(const cbz_col_peer *p, size_t n, uint64_t *key, size_t *count)
{
    const bool screen = n > 4 * SPLIT_SCREEN;
    const size_t m = screen ? SPLIT_SCREEN : n;
    uint64_t cand = 0;
    size_t votes = 0;
    for (size_t i = 0; i < m; i++) {
        uint64_t k = split_key(p, i);
        if (votes == 0) {
            cand = k;
            votes = 1;
        } else {
            votes += k == cand ? 1 : (size_t)-1;
        }
    }
    size_t c = split_count_eq(p, 0, m, cand);
    if (screen && (c * 2 <= m || (m - c) * 256 < m)) return false;
    c += split_count_eq(p, m, n, cand);
    *key = cand;
    *count = c;
    return c * 2 > n;
}

/* The first (earliest) of the first SPLIT_PEERS usable peers whose most
 * frequent value leaves at least 1/64 and at most half of the rows to the
 * other group (record lengths and segment codes come first in a record). */
static bool choose_split(const cbz_col_peer *peers, size_t n_peers, size_t n,
                         cbz_col_chunk_ctx *memo, size_t *ref, uint64_t *key, size_t *major)
{
    if (n < 256) return false;
    for (size_t j = 0, tried = 0; j < n_peers && tried < SPLIT_PEERS; j++) {
        if (!split_peer_usable(&peers[j], n)) continue;
        tried++;
        uint64_t k = 0;
        size_t c = 0;
        bool ok;
        memo_entry *pe = memo_peer(memo, peers, j);
        if (pe && pe->split >= 0) {
            ok = pe->split;
            k = pe->split_key;
            c = pe->split_count;
        } else {
            ok = split_major(&peers[j], n, &k, &c);
            if (pe) {
                pe->split = ok;
                pe->split_key = k;
                pe->split_count = c;
            }
        }
        if (!ok) continue;
        if ((n - c) * 64 < n) continue;
        *ref = j;
        *key = k;
        *major = c;
        return true;
    }
    return false;
}

/* A cheap screen before the trial encodings: true when, among the first
 * SPLIT_SAMPLE rows, fewer than half of the other group's values also occur
 * in the main group (groups that share their values gain nothing apart). */
static bool split_groups_differ(const cbz_col_desc *d, const uint8_t *values, size_t n,
                                const cbz_col_peer *p, uint64_t key)
{
    enum { SLOTS = 2 * SPLIT_SAMPLE }; /* power of two, load at most 1/2 */
    uint64_t table[SLOTS];
    memset(table, 0, sizeof table);
    const size_t m = n < SPLIT_SAMPLE ? n : SPLIT_SAMPLE, w = d->width;
    uint8_t in_a[SPLIT_SAMPLE]; /* the rows' flags: the switch on the width once */
    size_t others = m - split_flags(p, 0, m, key, in_a), seen = 0, shared = 0;
    for (size_t i = 0; i < m; i++) {
        if (!in_a[i]) continue;
        uint64_t h = hash_bytes(values + i * w, w) | 1;
        size_t s = (size_t)h & (SLOTS - 1);
        while (table[s] != 0 && table[s] != h) s = (s + 1) & (SLOTS - 1);
        table[s] = h;
    }
    /* the others looked up until the answer is known: half of them shared
     * already, or too few left to make half */
    for (size_t i = 0; i < m; i++) {
        if (in_a[i]) continue;
        uint64_t h = hash_bytes(values + i * w, w) | 1;
        size_t s = (size_t)h & (SLOTS - 1);
        while (table[s] != 0 && table[s] != h) s = (s + 1) & (SLOTS - 1);
        seen++;
        shared += table[s] == h;
        if (shared * 2 >= others) return false;
        if ((shared + others - seen) * 2 < others) return true;
    }
    return shared * 2 < others;
}

/* Appends one group: its method byte, its body length (u32 LE), its body. */
static cbz_status put_split_group(const cbz_kernel_table *K, const cbz_col_desc *d,
                                  const uint8_t *vals, size_t m, bool planes, cbz_buf *body,
                                  cbz_col_stats *st, cbz_error *err)
{
    const size_t at = body->len;
    if (cbz_buf_put_u8(body, 0) != CBZ_OK || cbz_buf_put_le32(body, 0) != CBZ_OK)
        return cbz_fail(err, CBZ_ERR_NOMEM, "column: no memory for a text group");
    uint8_t inner = M_TEXT_FIXED;
    CBZ_TRY(encode_text(K, d, vals, m, planes, body, &inner, st, err));
    const size_t len = body->len - at - 5;
    CBZ_FAIL_IF(len > UINT32_MAX, err, CBZ_ERR_LIMIT,
                "column: a text group of %zu bytes exceeds 4 GiB", len);
    body->data[at] = inner;
    for (int k = 0; k < 4; k++) body->data[at + 1 + k] = (uint8_t)(len >> (8 * k));
    return CBZ_OK;
}

/* The rows of a split's two groups, in order: rows[0..major) those whose
 * peer key is `key`, then the others; rows has room for n + 2.  One pass
 * with no branch (the two kinds of rows come at random): each row's index
 * is stored at both groups' next places, and only its own group's moves
 * on.  The second group is laid out one place further on, so that the
 * first group's stores past its end land on the gap, then moved back
 * (the second group is the smaller one). */
static void split_rows_fill(const cbz_col_peer *p, size_t n, uint64_t key, size_t major,
                            size_t *rows)
{
    const uint8_t *v = p->values;
    size_t *other = rows + major + 1, at = 0; /* other[r - at]: the second group's next place */
#define ROWS_AS(T)                                                                           \
    for (size_t r = 0; r < n; r++) {                                                         \
        T x;                                                                                 \
        memcpy(&x, v + sizeof x * r, sizeof x);                                              \
        rows[at] = r;                                                                        \
        other[r - at] = r;                                                                   \
        at += x == key;                                                                      \
    }                                                                                        \
    break
    switch (p->desc.width) {
    case 1: ROWS_AS(uint8_t);
    case 2: ROWS_AS(uint16_t);
    case 4: ROWS_AS(uint32_t);
    case 8: ROWS_AS(uint64_t);
#undef ROWS_AS
    default:
        for (size_t r = 0; r < n; r++) {
            rows[at] = r;
            other[r - at] = r;
            at += split_key(p, r) == key;
        }
        break;
    }
    assert(at == major);
    memmove(rows + major, other, (n - major) * sizeof *rows);
}

/* split_rows_fill's rows for the split of n rows by peers[ref] (key and
 * major as choose_split found them): made once a chunk in the peer's memo
 * entry, which the chunk's other columns split by the same peer share
 * (the record lengths split every field of a REDEFINES), else in scratch.
 * NULL: no memory. */
static const size_t *split_rows(cbz_col_chunk_ctx *memo, const cbz_col_peer *peers, size_t ref,
                                size_t n, uint64_t key, size_t major)
{
    if (n >= SIZE_MAX / sizeof(size_t) - 1) return NULL;
    memo_entry *pe = memo_peer(memo, peers, ref);
    if (pe && pe->split == 1 && pe->split_key == key) {
        if (!pe->split_rows && (pe->split_rows = memo_alloc(memo, (n + 2) * sizeof(size_t))))
            split_rows_fill(&peers[ref], n, key, major, pe->split_rows);
        if (pe->split_rows) return pe->split_rows;
    }
    size_t *rows = scratch(ES_SPLIT_ROWS, (n + 2) * sizeof *rows);
    if (rows) split_rows_fill(&peers[ref], n, key, major, rows);
    return rows;
}

/* The split form in full: the peer's index, then the two groups. */
static cbz_status encode_text_split_groups(const cbz_kernel_table *K, const cbz_col_desc *d,
                                           const uint8_t *values, size_t n,
                                           const cbz_col_peer *peers, cbz_col_chunk_ctx *memo,
                                           size_t ref, uint64_t key, size_t major, bool planes,
                                           cbz_buf *body, cbz_col_stats *st, cbz_error *err)
{
    const size_t w = d->width;
    uint8_t *grp = scratch(SPLIT_SLOT, n * w);
    const size_t *rows = grp ? split_rows(memo, peers, ref, n, key, major) : NULL;
    CBZ_FAIL_IF(!grp || !rows, err, CBZ_ERR_NOMEM, "column: no memory for %zu text values", n);
    /* the groups back to back: each row gathered, the width a constant */
    DEC_BY_WIDTH(w, for (size_t r = 0; r < n; r++)
                        cbz_copy_exact(grp + r * W, values + rows[r] * W, W););
    cbz_status rc = cbz_buf_put_varint(body, ref);
    if (rc != CBZ_OK) rc = cbz_fail(err, CBZ_ERR_NOMEM, "column: no memory for a text split");
    if (rc == CBZ_OK) chain_add(st, "split");
    if (rc == CBZ_OK) rc = put_split_group(K, d, grp, major, planes, body, st, err);
    if (rc == CBZ_OK)
        rc = put_split_group(K, d, grp + major * w, n - major, planes, body, st, err);
    return rc;
}

/* Encodes the split form into body when a peer qualifies and the form is
 * clearly smaller (by 1/9) than the plain text choices (before the entropy layer, on
 * the first SPLIT_SAMPLE rows of a longer column); *used tells which was
 * written.  Writes the plain choice otherwise, with its method in *method.
 * differs (not NULL): split_groups_differ is known to hold for these values
 * with that key (the trial on a column's first rows, which were screened
 * with it already). */
static cbz_status encode_text_split_from(const cbz_kernel_table *K, const cbz_col_desc *d,
                                         const uint8_t *values, size_t n,
                                         const cbz_col_peer *peers, size_t n_peers,
                                         cbz_col_chunk_ctx *memo, const uint64_t *differs,
                                         bool planes, cbz_buf *body, bool *used,
                                         uint8_t *method, cbz_col_stats *st, cbz_error *err)
{
    size_t ref, major;
    uint64_t key;
    *used = false;
    if (!choose_split(peers, n_peers, n, memo, &ref, &key, &major) ||
        (!(differs && *differs == key) && !split_groups_differ(d, values, n, &peers[ref], key)))
        return encode_text(K, d, values, n, planes, body, method, st, err);
    const cbz_col_peer *p = &peers[ref];
    if (n > 2 * SPLIT_SAMPLE) {
        cbz_col_peer sp = *p;
        sp.n = SPLIT_SAMPLE;
        bool win = false;
        uint8_t m_ignored;
        cbz_buf t;
        cbz_buf_init(&t);
        /* the first SPLIT_SAMPLE rows: what split_groups_differ looked
         * at above, with this key */
        cbz_status trc = encode_text_split_from(K, d, values, SPLIT_SAMPLE, &sp, 1, NULL, &key,
                                                planes, &t, &win, &m_ignored, NULL, err);
        cbz_buf_free(&t);
        if (trc != CBZ_OK) return trc;
        if (!win) return encode_text(K, d, values, n, planes, body, method, st, err);
        *used = true;
        return encode_text_split_groups(K, d, values, n, peers, memo, ref, key, major, planes,
                                        body, st, err);
    }
    cbz_col_stats s_split, s_plain;
    if (st) s_split = s_plain = *st;
    cbz_buf sb, pb;
    cbz_buf_init(&sb);
    cbz_buf_init(&pb);
    uint8_t plain_method = M_TEXT_FIXED;
    cbz_status rc = encode_text_split_groups(K, d, values, n, peers, memo, ref, key, major,
                                             planes, &sb, st ? &s_split : NULL, err);
    if (rc == CBZ_OK)
        rc = encode_text(K, d, values, n, planes, &pb, &plain_method, st ? &s_plain : NULL, err);
    if (rc == CBZ_OK) {
        bool split_wins = sb.len + sb.len / 8 < pb.len; /* a clear gain only */
        cbz_buf *win = split_wins ? &sb : &pb;
        rc = cbz_buf_append(body, win->data, win->len);
        if (rc != CBZ_OK) {
            rc = cbz_fail(err, CBZ_ERR_NOMEM, "column: no memory for a text body");
        } else {
            *used = split_wins;
            if (!split_wins) *method = plain_method;
            if (st) *st = split_wins ? s_split : s_plain;
        }
    }
    cbz_buf_free(&sb);
    cbz_buf_free(&pb);
    return rc;
}

/* encode_text_split_from with nothing known. */
static cbz_status encode_text_split(const cbz_kernel_table *K, const cbz_col_desc *d,
                                    const uint8_t *values, size_t n, const cbz_col_peer *peers,
                                    size_t n_peers, cbz_col_chunk_ctx *memo, bool planes,
                                    cbz_buf *body, bool *used, uint8_t *method,
                                    cbz_col_stats *st, cbz_error *err)
{
    return encode_text_split_from(K, d, values, n, peers, n_peers, memo, NULL, planes, body, used,
                                  method, st, err);
}

/* Reads the header of one group (see put_split_group): its inner method
 * and, in *g, a cursor over exactly its bytes. */
static cbz_status split_group_cursor(cbz_cursor *c, uint8_t *inner, cbz_cursor *g,
                                     const char *which, cbz_error *err)
{
    uint32_t len;
    const uint8_t *gp;
    CBZ_FAIL_IF(!cbz_cursor_u8(c, inner) || !cbz_cursor_le32(c, &len), err, CBZ_ERR_FORMAT,
                "column: split body truncated at the %s group's header", which);
    CBZ_FAIL_IF(len > c->len - c->pos || !cbz_cursor_bytes(c, (size_t)len, &gp), err,
                CBZ_ERR_FORMAT, "column: split %s group of %llu bytes, %zu left in the body",
                which, (unsigned long long)len, c->len - c->pos);
    cbz_cursor_init(g, gp, (size_t)len);
    return CBZ_OK;
}

static cbz_status split_group_end(const cbz_cursor *g, const char *which, cbz_error *err)
{
    CBZ_FAIL_IF(g->pos != g->len, err, CBZ_ERR_FORMAT,
                "column: %zu bytes left over after the split %s group", g->len - g->pos, which);
    return CBZ_OK;
}

/* peer_at, memo: as decode_text_mask (here the key, group sizes and flags of
 * the last peer are kept: one peer, the record lengths, splits every column
 * of two kinds of records); to: NULL, or where to put the values instead of
 * values (then *placed). */
static cbz_status decode_text_split(const cbz_kernel_table *K, const cbz_col_desc *d,
                                    cbz_cursor *c, size_t n, const cbz_col_peer *peers,
                                    size_t n_peers, const cbz_col_rows *peer_at, bool memo,
                                    uint8_t *values, const cbz_col_rows *to, bool *placed,
                                    cbz_error *err)
{
    uint64_t ref;
    CBZ_TRY(get_varint(c, &ref, "split column", err));
    CBZ_FAIL_IF(ref >= n_peers || !split_peer_usable(&peers[ref], n), err, CBZ_ERR_FORMAT,
                "column: split by column %llu (%zu earlier columns) that does not have %zu "
                "values of at most %d bytes", (unsigned long long)ref, n_peers, n,
                SPLIT_PEER_MAX_WIDTH);
    uint8_t *in_a = scratch(DS_SPLIT, n);
    CBZ_FAIL_IF(!in_a, err, CBZ_ERR_NOMEM, "column: no memory for %zu split flags", n);
    thread_scratch *t = chunk_scratch(memo);
    const bool kept = t && t->split_chunk == t->dec_chunk && t->split_stream == ref &&
                      t->split_flags == in_a && t->split_values == peers[ref].values &&
                      t->split_n == n;
    uint64_t key = kept ? t->split_key : 0;
    size_t major = kept ? t->split_major : 0;
    cbz_col_peer pc;
    const cbz_col_peer *p = &pc;
    if (!kept) {
        CBZ_FAIL_IF(!peer_contig(peers, peer_at, (size_t)ref, DS_GATHER0, &pc), err,
                    CBZ_ERR_NOMEM, "column: no memory for %zu split keys", n);
        CBZ_FAIL_IF(n < 256 || !split_major(p, n, &key, &major) || (n - major) * 64 < n, err,
                    CBZ_ERR_FORMAT, "column: split by column %llu, whose values do not qualify",
                    (unsigned long long)ref);
    }
    const size_t w = d->width;
    uint8_t *b = scratch(SPLIT_SLOT, (n - major) * w);
    CBZ_FAIL_IF(!b, err, CBZ_ERR_NOMEM, "column: no memory for %zu text values", n - major);
    uint8_t inner_a, inner_b;
    cbz_cursor ga, gb;
    CBZ_TRY(split_group_cursor(c, &inner_a, &ga, "first", err));
    CBZ_TRY(split_group_cursor(c, &inner_b, &gb, "second", err));
    CBZ_TRY(decode_text_body(K, d, &gb, n - major, inner_b, true, b, err));
    CBZ_TRY(split_group_end(&gb, "second", err));
    if (!kept) {
        const size_t na = split_flags(p, 0, n, key, in_a);
        CBZ_FAIL_IF(na != major, err, CBZ_ERR_FORMAT, "column: split groups of %zu and %zu rows",
                    na, major); /* split_major counted the same rows: not reached */
        if (t) {
            t->split_chunk = t->dec_chunk;
            t->split_stream = (size_t)ref;
            t->split_flags = in_a;
            t->split_values = peers[ref].values;
            t->split_n = n;
            t->split_key = key;
            t->split_major = major;
        }
    }
    const cbz_col_rows here = { values, NULL, w };
    if (inner_a == M_TEXT_DICT) { /* group A gathered straight into its rows */
        const uint8_t *dict;
        const uint32_t *codes;
        size_t nd;
        CBZ_TRY(read_text_dict(K, d, &ga, major, true, &dict, &nd, &codes, err));
        CBZ_TRY(split_group_end(&ga, "first", err));
        const cbz_col_rows *o = to ? to : &here;
        /* codes[ka] is read for group B rows too (codes[major] is a valid code) */
        size_t ka = 0, kb = 0;
        DEC_BY_WIDTH(w, ROWS_LOOP(o, n, i, r, {
            const size_t a = in_a[i];
            cbz_copy_exact(r, pick_row(a, dict + (size_t)codes[ka] * W, b + kb * W), W);
            ka += a;
            kb += 1u - a;
        }));
        if (to) *placed = true;
        return CBZ_OK;
    }
    /* group A goes to the front of values, then moves out to its rows from the
     * last row back: its k-th value moves from row k to a row i >= k, so
     * nothing is overwritten before it has moved, and the rows before the
     * first of group B stay where they are */
    CBZ_TRY(decode_text_body(K, d, &ga, major, inner_a, true, values, err));
    CBZ_TRY(split_group_end(&ga, "first", err));
    if (to) { /* placed: both groups to the rows, forward */
        size_t ka = 0, kb = 0;
        DEC_BY_WIDTH(w, ROWS_LOOP(to, n, i, r, {
            const size_t a = in_a[i];
            cbz_copy_exact(r, pick_row(a, values + ka * W, b + kb * W), W);
            ka += a;
            kb += 1u - a;
        }));
        *placed = true;
        return CBZ_OK;
    }
    DEC_BY_WIDTH(w, for (size_t i = n, ka = major, kb = n - major; i-- > 0 && ka != i + 1;) {
        /* no branch on the group: a kept ka < i here, as in decode_text_mask */
        const size_t a = in_a[i];
        ka -= a;
        kb -= 1u - a;
        cbz_copy_exact(values + i * W, pick_row(a, values + ka * W, b + kb * W), W);
    });
    return CBZ_OK;
}

/* ------------------------------------------------------------------ NUMERIC */

static bool numeric_supported(const cbz_col_desc *d)
{
    switch (d->kind) {
    case CBZ_COL_PACKED: return d->width >= 1 && d->width <= CBZ_K_PACKED_MAX_WIDTH;
    case CBZ_COL_BINARY: return d->width >= 1 && d->width <= 8;
    case CBZ_COL_ZONED: {
        bool sep = d->sign == CBZ_K_SIGN_TRAILING_SEPARATE || d->sign == CBZ_K_SIGN_LEADING_SEPARATE;
        if (d->sign > CBZ_K_SIGN_LEADING_SEPARATE) return false;
        size_t digits = d->width - (sep ? 1 : 0);
        return d->width >= 1 && digits >= 1 && digits <= CBZ_K_MAX_DIGITS;
    }
    default: return false;
    }
}

/* The sign form a value of this column most likely has; forms are stored
 * XOR this, so a column in its usual forms gives a stream of zeros. */
static inline uint8_t canonical_form(const cbz_col_desc *d, int64_t v)
{
    switch (d->kind) {
    case CBZ_COL_PACKED: return v < 0 ? 0xD : d->is_signed ? 0xC : 0xF;
    case CBZ_COL_ZONED:
        switch (d->sign) {
        case CBZ_K_SIGN_TRAILING:
        case CBZ_K_SIGN_LEADING:
            if (d->ebcdic) return v < 0 ? 0xD : d->is_signed ? 0xC : 0xF;
            return v < 0 ? 0x7 : 0x3;
        case CBZ_K_SIGN_TRAILING_SEPARATE:
        case CBZ_K_SIGN_LEADING_SEPARATE:
            if (d->ebcdic) return v < 0 ? 0x60 : 0x4E;
            return v < 0 ? 0x2D : 0x2B;
        default: return 0;
        }
    default: return 0;
    }
}

/* dict_code_i64 of values in lo..lo + DICT_DIRECT_SLOTS - 1: the table is
 * indexed by x - lo, so a value is one load, with no hash and no compare.
 * The table is the thread's slot ES_DICT_DIRECT, all empty between uses
 * (as text_dict_build_direct keeps it: the slots of the keys made are
 * emptied again).  The same keys, codes, counts and answer as
 * dict_code_i64; *done false: no table (no memory), nothing coded. */
static bool dict_code_i64_direct(const int64_t *v, size_t n, size_t limit, int64_t lo,
                                 int64_t *keys, uint32_t *codes, uint32_t *counts,
                                 size_t *nkeys, bool *done)
{
    *done = false;
    uint32_t *slot = dict_direct_table();
    if (!slot) return false;
    *done = true;
    size_t k = 0;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const size_t o = (size_t)((uint64_t)v[i] - (uint64_t)lo);
        uint32_t s = slot[o];
        if (s == UINT32_MAX) {
            if (k == limit) {
                ok = false;
                break;
            }
            s = (uint32_t)k;
            slot[o] = s;
            keys[k++] = v[i];
            if (counts) counts[s] = 0;
        }
        codes[i] = s;
        if (counts) counts[s]++;
    }
    for (size_t e = 0; e < k; e++) slot[(size_t)((uint64_t)keys[e] - (uint64_t)lo)] = UINT32_MAX;
    if (ok) *nkeys = k;
    return ok;
}

/* Values the byte-plane prices of choose_xform are taken on (512 priced
 * the generated datasets within 0.1% of 1024, at half the cost). */
#define XFORM_PLANE_SAMPLE 512

/* h[b]: how many of the cnt values have b as byte j.  Pairs of values go to
 * two sets of counts, added up at the end: a skewed plane (a byte mostly 0)
 * increments one count over and over, and each increment would wait for
 * the one before it. */
static void plane_hist(const uint64_t *us, size_t cnt, unsigned j, uint32_t h[256])
{
    uint32_t h2[256];
    memset(h, 0, 256 * sizeof *h);
    memset(h2, 0, sizeof h2);
    const unsigned sh = 8 * j;
    size_t i = 0;
    for (; i + 2 <= cnt; i += 2) {
        h[(us[i] >> sh) & 0xFF]++;
        h2[(us[i + 1] >> sh) & 0xFF]++;
    }
    if (i < cnt) h[(us[i] >> sh) & 0xFF]++;
    for (unsigned b = 0; b < 256; b++) h[b] += h2[b];
}

/* Estimates of the packed size of each transform, from blocks of the column. */
static int choose_xform(const cbz_kernel_table *K, const int64_t *v, size_t n,
                        size_t *dict_hint)
{
    /* blocks: the first 1024 values, then 32 blocks of 32 spread over the rest */
    size_t starts[33], lens[33], nb = 0;
    starts[nb] = 0;
    lens[nb++] = n < 1024 ? n : 1024;
    if (n > 2048) {
        size_t step = (n - 1024) / 32;
        for (size_t b = 0; b < 32; b++) {
            starts[nb] = 1024 + b * step;
            lens[nb++] = 32;
        }
    }
    /* the blocks' values, differences and runs (seq_stats) */
    cbz_k_seq_stats ss = { v[0], v[0], INT64_MAX, INT64_MIN, INT64_MAX, INT64_MIN, 0, 0 };
    K->seq_stats(v, starts, lens, nb, &ss);
    size_t m = 0;
    for (size_t b = 0; b < nb; b++) m += lens[b];
    const uint64_t or_none = ss.or_zz;
    const int64_t lo = ss.lo, hi = ss.hi;
    int64_t dlo = ss.dlo, dhi = ss.dhi, ddlo = ss.ddlo, ddhi = ss.ddhi;
    const size_t runs = ss.runs;
    if (dlo > dhi) dlo = dhi = 0;
    if (ddlo > ddhi) ddlo = ddhi = 0;
    double cost[6];
    cost[X_NONE] = (double)n * bits_of(or_none);
    cost[X_FOR] = (double)n * bits_of((uint64_t)hi - (uint64_t)lo) + 80;
    cost[X_DELTA] = (double)n * bits_of((uint64_t)dhi - (uint64_t)dlo) + 160;
    cost[X_DELTA2] = (double)n * bits_of((uint64_t)ddhi - (uint64_t)ddlo) + 240;
    double runs_est = (double)n * (double)runs / (double)m;
    double avg_run = (double)n / runs_est;
    cost[X_RLE] = runs_est * (bits_of((uint64_t)hi - (uint64_t)lo) + bits_of((uint64_t)(2 * avg_run)) ) + 160;
    /* values of 5 bits or more go to zstd as byte planes, which pay about
     * the entropy of each plane: priced so on the first XFORM_PLANE_SAMPLE
     * values, a skewed stream (counters that restart, mostly-equal steps) is
     * seen as cheap */
    if (lens[0] >= 64) {
        const size_t m0 = lens[0] < XFORM_PLANE_SAMPLE ? lens[0] : XFORM_PLANE_SAMPLE;
        const uint64_t bases[4] = { 0, (uint64_t)lo, (uint64_t)dlo, (uint64_t)ddlo };
        static const int xfs[4] = { X_NONE, X_FOR, X_DELTA, X_DELTA2 };
        uint64_t us[XFORM_PLANE_SAMPLE];
        for (int t = 1; t < 4; t++) { /* NONE keeps its range price */
            const int x = xfs[t];
            const double width = cost[x] / (double)n;
            if (width < PLANES_MIN_BITS) continue;
            const unsigned k = ((unsigned)width + 7) / 8 < 8 ? ((unsigned)width + 7) / 8 : 8;
            /* the transformed values, without the head values of a delta
             * (its first one or two), then each plane counted */
            const uint64_t base = bases[t];
            size_t cnt = 0;
            if (x == X_FOR) {
                for (size_t i = 0; i < m0; i++) us[cnt++] = (uint64_t)v[i] - base;
            } else if (x == X_DELTA) {
                for (size_t i = 1; i < m0; i++)
                    us[cnt++] = (uint64_t)v[i] - (uint64_t)v[i - 1] - base;
            } else {
                for (size_t i = 2; i < m0; i++)
                    us[cnt++] =
                        (uint64_t)v[i] - 2 * (uint64_t)v[i - 1] + (uint64_t)v[i - 2] - base;
            }
            /* only a strong skew counts: small ones are priced as before,
             * with the dictionary's entropy price to compare.  A plane at
             * a time, the low ones first: the sum only grows, so once it
             * is too high for that the other planes are not counted (most
             * columns of amounts stop after one) */
            double bits = 0, est = 0;
            for (unsigned j = 0; j < k; j++) {
                uint32_t h[256];
                plane_hist(us, cnt, j, h);
                bits += hist_bits(h, 256, cnt);
                est = (double)n * bits / (double)cnt;
                if (!(est * 2 < (double)n * width)) break;
            }
            if (est * 2 < (double)n * width) cost[x] = est + (cost[x] - (double)n * width);
        }
    }
    /* dictionary: distinct values of the first values, priced at their
     * entropy (the codes go to zstd as byte planes) plus the keys */
    cost[X_DICT] = 1e300;
    *dict_hint = 0;
    if (n >= 64) {
        int64_t keys[1024];
        uint32_t codes[1024], counts[1024];
        size_t nk = 0;
        size_t probe = n < 1024 ? n : 1024;
        /* the probe is the first block: its values lie in lo..hi, so it
         * holds at most hi - lo + 1 distinct ones (then surely_over would
         * find no more than probe / 2); when every sampled difference has
         * one sign it rises or falls throughout, its values all distinct:
         * more than the limit, which fails the dictionary without a probe */
        const bool monotone = ss.dlo <= ss.dhi && (ss.dlo > 0 || ss.dhi < 0);
        const bool narrow = (uint64_t)hi - (uint64_t)lo < probe / 2;
        bool coded = false, done = false;
        if (!monotone && (narrow || !surely_over(v, probe, probe / 2))) {
            if ((uint64_t)hi - (uint64_t)lo < DICT_DIRECT_SLOTS)
                coded = dict_code_i64_direct(v, probe, probe / 2, lo, keys, codes, counts, &nk,
                                             &done);
            if (!done) coded = dict_code_i64(v, probe, probe / 2, keys, codes, counts, &nk);
        }
        if (coded) {
            double per = entropy_bits(counts, nk, probe) / (double)probe;
            /* unseen values: the rest of the column brings new keys at the
             * rate the probe's second half did */
            double key_bits = (double)nk * 24;
            cost[X_DICT] = (double)n * (per + 0.3) + key_bits * (n > probe ? 1.5 : 1.0) + 64;
            *dict_hint = nk;
        }
    }
    static const int order[6] = { X_NONE, X_FOR, X_DELTA, X_DELTA2, X_RLE, X_DICT };
    int best = X_NONE;
    for (int k = 1; k < 6; k++)
        if (cost[order[k]] < cost[best] * 0.97) best = order[k];
    return best;
}

/* L3 + L4 of a numeric column: integers, sign forms, invalid flags (invalid
 * values get the integer 0, as the kernels promise).  Returns the invalid count. */
static size_t parse_numeric(const cbz_kernel_table *K, const cbz_col_desc *d,
                            const uint8_t *values, size_t n, int64_t *v, uint8_t *form,
                            uint8_t *bad)
{
    switch (d->kind) {
    case CBZ_COL_PACKED: return K->packed_to_i64(values, n, d->width, v, form, bad);
    case CBZ_COL_ZONED:
        return K->zoned_to_i64(values, n, d->width, d->sign, d->ebcdic, v, form, bad);
    default:
        K->be_to_i64(values, n, d->width, d->is_signed, v);
        memset(form, 0, n);
        memset(bad, 0, n);
        return 0;
    }
}

static bool peer_usable(const cbz_col_peer *p, size_t n)
{
    return p->n == n && p->values != NULL && p->desc.kind >= CBZ_COL_ZONED &&
           p->desc.kind <= CBZ_COL_BINARY && numeric_supported(&p->desc);
}

static inline uint64_t ref_scaled(int64_t r, unsigned k)
{
    return (uint64_t)(k ? r / pow10_i64[k] : r);
}

/* Encoder, for a column without invalid values (with them, the dense step
 * applies the reference: ref_forward_dense): the integers x become
 * residuals against the reference r, in v (v may be x).  No residual
 * depends on the one before it, so R_SUB by 10^0 vectorizes. */
static inline void ref_forward_div(int64_t *v, const int64_t *xs, const int64_t *r, size_t n,
                                   unsigned op, int64_t div)
{
    if (op == R_EXC) { /* no reference values: the integers as they are */
        if (v != xs) memcpy(v, xs, n * sizeof *v);
    } else if (op == R_SUB) {
        for (size_t i = 0; i < n; i++)
            v[i] = (int64_t)((uint64_t)xs[i] - (uint64_t)(div == 1 ? r[i] : r[i] / div));
    } else {
        uint64_t last = 0;
        for (size_t i = 0; i < n; i++) {
            const uint64_t ri = (uint64_t)(div == 1 ? r[i] : r[i] / div), x = (uint64_t)xs[i];
            v[i] = (int64_t)(x - last - ri);
            last = x;
        }
    }
}

static void ref_forward(int64_t *v, const int64_t *x, const int64_t *r, size_t n, unsigned op,
                        unsigned k)
{
    /* the scales choose_ref tries, by constants: no division instruction */
    if (k == 0) ref_forward_div(v, x, r, n, op, 1);
    else if (k == 2) ref_forward_div(v, x, r, n, op, 100);
    else ref_forward_div(v, x, r, n, op, pow10_i64[k]);
}

/* ref_forward followed by the dense step (the residuals at the valid
 * positions only, in order), in one pass: the residuals the dense step
 * drops are never made.  Returns how many are kept.  Not for R_EXC, whose
 * residuals are the values (select_u64). */
static inline size_t ref_forward_dense_div(int64_t *v, const int64_t *xs, const int64_t *r,
                                           const uint8_t *bad, size_t n, unsigned op,
                                           int64_t div)
{
    assert(op != R_EXC); /* the caller's select_u64 */
    size_t m = 0;
    if (op == R_SUB) {
        for (size_t i = 0; i < n; i++) {
            const uint64_t ri = (uint64_t)(div == 1 ? r[i] : r[i] / div);
            v[m] = (int64_t)((uint64_t)xs[i] - ri);
            m += !bad[i];
        }
    } else {
        uint64_t last = 0;
        for (size_t i = 0; i < n; i++) {
            const uint64_t ri = (uint64_t)(div == 1 ? r[i] : r[i] / div);
            const uint64_t good = (uint64_t)bad[i] - 1u, x = (uint64_t)xs[i];
            v[m] = (int64_t)(x - last - ri);
            m += !bad[i];
            last = (x & good) | ((last + ri) & ~good);
        }
    }
    return m;
}

static size_t ref_forward_dense(int64_t *v, const int64_t *x, const int64_t *r,
                                const uint8_t *bad, size_t n, unsigned op, unsigned k)
{
    if (k == 0) return ref_forward_dense_div(v, x, r, bad, n, op, 1);
    if (k == 2) return ref_forward_dense_div(v, x, r, bad, n, op, 100);
    return ref_forward_dense_div(v, x, r, bad, n, op, pow10_i64[k]);
}

/* Decoder: residuals back to integers, in place; div is 10^k (1: k = 0). */
static inline __attribute__((always_inline)) void ref_inverse_div(int64_t *v, const int64_t *r,
                                                                  size_t n, unsigned op,
                                                                  int64_t div)
{
    if (op == R_SUB) {
        for (size_t i = 0; i < n; i++) v[i] = (int64_t)((uint64_t)v[i] + (uint64_t)(r[i] / div));
    } else {
        uint64_t last = 0;
        for (size_t i = 0; i < n; i++) {
            last += (uint64_t)v[i] + (uint64_t)(r[i] / div);
            v[i] = (int64_t)last;
        }
    }
}

static void ref_inverse(int64_t *v, const int64_t *r, size_t n, unsigned op, unsigned k)
{
    if (op == R_EXC) return;
    /* by constants, as ref_forward: a multiply, not a division, a value */
    switch (k) {
    case 0: ref_inverse_div(v, r, n, op, 1); break;
    case 1: ref_inverse_div(v, r, n, op, 10); break;
    case 2: ref_inverse_div(v, r, n, op, 100); break;
    case 3: ref_inverse_div(v, r, n, op, 1000); break;
    case 4: ref_inverse_div(v, r, n, op, 10000); break;
    default: ref_inverse_div(v, r, n, op, pow10_i64[k]); break;
    }
}

/* The trial sample of the reference choice: blocks of consecutive values
 * spread over the column (R_DSUB needs neighbours). */
#define REF_PEER_MAX_WIDTH 20 /* >= the widest numeric_supported column */
_Static_assert(CBZ_K_MAX_DIGITS + 1 <= REF_PEER_MAX_WIDTH && CBZ_K_PACKED_MAX_WIDTH <= REF_PEER_MAX_WIDTH,
               "a numeric peer's trial values fit the gathered sample");
#define TRIAL_BLOCKS 16
#define TRIAL_BLOCK_LEN 32
#define TRIAL_MAX (TRIAL_BLOCKS * TRIAL_BLOCK_LEN)

static size_t trial_blocks(size_t n, size_t *start, size_t *len)
{
    if (n <= TRIAL_MAX) {
        start[0] = 0;
        len[0] = n;
        return 1;
    }
    size_t step = (n - TRIAL_BLOCK_LEN) / (TRIAL_BLOCKS - 1);
    for (size_t b = 0; b < TRIAL_BLOCKS; b++) {
        start[b] = b * step;
        len[b] = TRIAL_BLOCK_LEN;
    }
    return TRIAL_BLOCKS;
}

/* Estimated bits of the sample's integers: each value costs the bits of its
 * zigzag form, which is what byte planes + Huffman roughly pay for a column
 * of mostly small residuals. */
static inline unsigned zz_count(uint64_t x) { return bits_of(zz((int64_t)x)); }

/* choose_ref's trial sums of one candidate */
typedef struct ref_trial {
    uint64_t cs[3];   /* R_SUB 10^0, R_SUB 10^2, R_DSUB */
    size_t own, explained;
    uint8_t stray;    /* invalid in the reference, valid here */
} ref_trial;

/* The prices of a block with no invalid value in the column nor in the
 * reference: the live operations' sums only (their flags as constants: no
 * test per value). */
static inline __attribute__((always_inline)) void ref_trial_sums(const int64_t *xv,
                                                                 const int64_t *rv, size_t n,
                                                                 bool s0, bool s2, bool sd,
                                                                 ref_trial *t)
{
    uint64_t a = 0, b = 0, c = 0, prev = 0;
    for (size_t i = 0; i < n; i++) {
        const uint64_t x = (uint64_t)xv[i];
        if (s0) a += zz_count(x - (uint64_t)rv[i]);
        if (s2) b += zz_count(x - ref_scaled(rv[i], 2));
        if (sd) c += zz_count(x - prev - (uint64_t)rv[i]);
        prev = x;
    }
    t->cs[0] += a;
    t->cs[1] += b;
    t->cs[2] += c;
}

/* One trial block of a candidate into t: xv, xb the column's integers and
 * invalid flags, rv, rb the reference's; live the operations still summed
 * (bit t for cs[t]). */
static void ref_trial_block(const int64_t *xv, const int64_t *rv, const uint8_t *xb,
                            const uint8_t *rb, size_t n, unsigned live, ref_trial *t)
{
    /* the exceptions a word at a time (the flags are 0 or 1): own counts
     * xb, explained rb & xb, stray ORs rb & ~xb */
    uint64_t any = 0, stray = 0, w, q;
    size_t own = 0, explained = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, xb + i, 8);
        memcpy(&q, rb + i, 8);
        any |= w | q;
        stray |= q & ~w;
        own += (size_t)((w * 0x0101010101010101ull) >> 56);
        explained += (size_t)(((q & w) * 0x0101010101010101ull) >> 56);
    }
    for (; i < n; i++) {
        any |= xb[i] | rb[i];
        stray |= rb[i] & (uint8_t)~xb[i];
        own += xb[i];
        explained += rb[i] & xb[i];
    }
    if (any) {
        t->stray |= stray != 0;
        t->own += own;
        t->explained += explained;
        if (own == n || !live) return; /* no valid value here: exceptions only */
        uint64_t prev = 0;
        for (i = 0; i < n; i++) {
            if (xb[i]) {
                prev += (uint64_t)rv[i];
                continue;
            }
            const uint64_t x = (uint64_t)xv[i];
            if (live & 1) t->cs[0] += zz_count(x - (uint64_t)rv[i]);
            if (live & 2) t->cs[1] += zz_count(x - ref_scaled(rv[i], 2));
            if (live & 4) t->cs[2] += zz_count(x - prev - (uint64_t)rv[i]);
            prev = x;
        }
        return;
    }
    switch (live) {
    case 7: ref_trial_sums(xv, rv, n, true, true, true, t); break;
    case 5: ref_trial_sums(xv, rv, n, true, false, true, t); break;
    case 6: ref_trial_sums(xv, rv, n, false, true, true, t); break;
    case 3: ref_trial_sums(xv, rv, n, true, true, false, t); break;
    case 1: ref_trial_sums(xv, rv, n, true, false, false, t); break;
    case 2: ref_trial_sums(xv, rv, n, false, true, false, t); break;
    case 4: ref_trial_sums(xv, rv, n, false, false, true, t); break;
    default: break;
    }
}

typedef struct ref_choice {
    size_t peer;       /* index in peers[] */
    unsigned op, k;    /* ref_op, scale */
    bool exc;          /* exceptions taken from the peer's invalid values */
} ref_choice;

/* Chooses a reference among the peers, or returns false.  v, bad: the
 * column's integers and invalid flags (v is 0 at invalid positions); raw_base:
 * the column would go to RAW without a reference (most values invalid).
 * Candidates: the REF_NEAREST nearest usable peers, then further ones of the
 * column's own kind and width, REF_CANDIDATES in all.  Each is parsed on the
 * trial sample only and priced by zz_count of its residuals (R_SUB with scale
 * 0 and 2, R_DSUB) plus REF_EXC_BITS per exception still to be listed; the
 * cheapest wins when it beats the column alone (NONE, FOR, DELTA priced the
 * same way) by 10%. */
static bool choose_ref(const cbz_kernel_table *K, const cbz_col_desc *d, const int64_t *v,
                       const uint8_t *bad, size_t n, bool raw_base, const cbz_col_peer *peers,
                       size_t n_peers, cbz_col_chunk_ctx *memo, ref_choice *out)
{
    if (n < 16 || n_peers == 0) return false;
    size_t cand[REF_CANDIDATES], nc = 0, j = n_peers;
    while (j > 0 && nc < REF_NEAREST) {
        j--;
        if (peer_usable(&peers[j], n)) cand[nc++] = j;
    }
    while (j > 0 && nc < REF_CANDIDATES) {
        j--;
        if (peer_usable(&peers[j], n) && peers[j].desc.kind == d->kind &&
            peers[j].desc.width == d->width)
            cand[nc++] = j;
    }
    if (nc == 0) return false;

    size_t start[TRIAL_BLOCKS], len[TRIAL_BLOCKS];
    const size_t nb = trial_blocks(n, start, len);

    /* the column alone */
    /* bit counts summed as integers (the same sums as in double, which
     * holds them exactly, without a conversion and a float add per value) */
    uint64_t c_none = 0, c_for = 0, c_delta = 0;
    double c_exc = 0;
    int64_t lo = INT64_MAX;
    for (size_t b = 0; b < nb; b++)
        for (size_t i = start[b]; i < start[b] + len[b]; i++)
            if (!bad[i] && v[i] < lo) lo = v[i];
    for (size_t b = 0; b < nb; b++) {
        bool have_prev = false;
        int64_t prev = 0;
        for (size_t i = start[b]; i < start[b] + len[b]; i++) {
            if (bad[i]) {
                c_exc += REF_EXC_BITS;
                continue;
            }
            c_none += zz_count((uint64_t)v[i]);
            c_for += bits_of((uint64_t)v[i] - (uint64_t)lo);
            c_delta += zz_count(have_prev ? (uint64_t)v[i] - (uint64_t)prev : (uint64_t)v[i]);
            prev = v[i];
            have_prev = true;
        }
    }
    uint64_t base_bits = c_none < c_for ? c_none : c_for;
    base_bits = c_delta < base_bits ? c_delta : base_bits;
    const double base_values = (double)base_bits;
    const double base = raw_base ? INFINITY : base_values + c_exc;

    int64_t r[TRIAL_MAX];
    uint8_t rform[TRIAL_MAX], rbad[TRIAL_MAX];
    /* the sample's bytes side by side: one kernel call per candidate, not
     * one per block (a value parses the same wherever it lies) */
    uint8_t gathered[TRIAL_MAX * REF_PEER_MAX_WIDTH];
    double best = INFINITY;
    const double must_beat = 0.9 * base; /* as the answer below; INFINITY for raw_base */
    for (size_t c = 0; c < nc; c++) {
        const cbz_col_peer *p = &peers[cand[c]];
        const memo_entry *pe = memo_peer(memo, peers, cand[c]);
        const size_t pw = p->desc.width;
        /* parsed already: the sample's values read where they are */
        const bool direct = pe && pe->ints;
        size_t m = 0;
        if (direct) {
            for (size_t b = 0; b < nb; b++) m += len[b];
        } else if (nb == 1) {
            m = len[0];
            parse_numeric(K, &p->desc, p->values + start[0] * pw, m, r, rform, rbad);
        } else {
            for (size_t b = 0; b < nb; b++) {
                memcpy(gathered + m * pw, p->values + start[b] * pw, len[b] * pw);
                m += len[b];
            }
            parse_numeric(K, &p->desc, gathered, m, r, rform, rbad);
        }
        /* exceptions: explained by the peer when its invalid ones are ours */
        ref_trial tr = { { 0, 0, 0 }, 0, 0, 0 };
        unsigned live = 7; /* the operations that can still be chosen */
        bool beaten = false;
        m = 0;
        for (size_t b = 0; b < nb && !beaten; b++) {
            const int64_t *rv = direct ? pe->ints + start[b] : r + m, *xv = v + start[b];
            const uint8_t *rb = direct ? pe->bad + start[b] : rbad + m, *xb = bad + start[b];
            ref_trial_block(xv, rv, xb, rb, len[b], live, &tr);
            m += len[b];
            /* the sums and the unexplained exceptions only grow: once the
             * cheapest price an operation can still reach is no better
             * than the best one, it cannot be chosen; nor once it is no
             * better than the 90% of the column alone that a reference
             * must beat (then no price chosen after it can be the answer
             * unless it is cheaper, and so chosen all the same).  Its
             * sum is then no longer kept; with all three so and the
             * column alone too, the candidate is passed over */
            const double unexplained = (double)(tr.own - tr.explained) * REF_EXC_BITS;
            const double bar = best < must_beat ? best : must_beat;
            for (unsigned o = 0; o < 3; o++)
                if ((live >> o & 1) && (double)tr.cs[o] + unexplained >= bar) live &= ~(1u << o);
            beaten = !live && base_values + unexplained >= bar;
        }
        if (beaten) continue;
        const size_t own = tr.own, explained = tr.explained;
        const bool subset = !tr.stray;
        bool exc = subset && explained > 0;
        double ce = (double)(exc ? own - explained : own) * REF_EXC_BITS;
        if (raw_base && (!exc || (own - explained) * 2 > m)) continue;
        const double cost[4] = { live & 1 ? (double)tr.cs[0] : INFINITY,
                                 live & 2 ? (double)tr.cs[1] : INFINITY,
                                 live & 4 ? (double)tr.cs[2] : INFINITY, base_values };
        static const unsigned ops[4] = { R_SUB, R_SUB, R_DSUB, R_EXC }, ks[4] = { 0, 2, 0, 0 };
        for (int t = 0; t < (exc ? 4 : 3); t++)
            if (cost[t] + ce < best) {
                best = cost[t] + ce;
                out->peer = cand[c];
                out->op = ops[t];
                out->k = ks[t];
                out->exc = exc;
            }
    }
    return best < INFINITY && (raw_base || best < must_beat);
}

/* pre (not NULL): the integers of values that need no parsing (TEXT_NUM's
 * numbers: binary, all valid, in their canonical forms); values is then not
 * read, and there are no peers. */
static cbz_status encode_numeric(const cbz_kernel_table *K, const cbz_col_desc *d,
                                 const uint8_t *values, const int64_t *pre, size_t n,
                                 const cbz_col_peer *peers, size_t n_peers,
                                 cbz_col_chunk_ctx *memo, bool planes, cbz_buf *body,
                                 bool *fallback, cbz_col_stats *st, cbz_error *err)
{
    assert(!pre || n_peers == 0);
    const size_t width = d->width;
    cbz_status rc = CBZ_OK;
    int64_t *v = scratch(0, n * sizeof *v);
    uint64_t *u = scratch(1, n * sizeof *u);
    uint8_t *form = scratch(2, n);
    uint8_t *bad = scratch(3, n);
    int64_t *rv = NULL;
    uint32_t *rl = NULL;
    if (!v || !u || !form || !bad) goto nomem;

    /* L3 validate + L4 decimal (one kernel does both), into the memo when
     * it has room: kept there for the later columns of the chunk that try
     * this one as their reference (this column is stream n_peers of the
     * chunk).  x: the integers, read only; the first step that changes
     * them writes v. */
    double t0 = now_s();
    const int64_t *x = pre ? pre : v;
    memo_entry *self = pre ? NULL : memo_at(memo, n_peers, d, values, n);
    int64_t *mi = self && !self->ints ? memo_alloc(memo, n * sizeof *mi) : NULL;
    uint8_t *mb = mi ? memo_alloc(memo, n) : NULL;
    if (mb) {
        x = mi;
        bad = mb;
    }
    size_t nbad = pre ? 0 : parse_numeric(K, d, values, n, (int64_t *)x, form, bad);
    if (mb) {
        self->ints = mi;
        self->bad = mb;
        self->nbad = nbad;
    }
    uint8_t anyform = 0;
    if (!pre) {
        /* no branch per value: the canonical form by a mask of the sign,
         * invalid values (bad = 1) masked to 0 */
        const uint8_t cpos = canonical_form(d, 0), cflip = cpos ^ canonical_form(d, -1);
        for (size_t i = 0; i < n; i++) {
            const uint8_t neg = (uint8_t)((uint64_t)x[i] >> 63);
            const uint8_t c = (uint8_t)(cpos ^ (cflip & (uint8_t)-neg));
            form[i] = (uint8_t)((form[i] ^ c) & (uint8_t)(bad[i] - 1u));
            anyform |= form[i];
        }
    }
    double t1 = now_s();
    if (st) {
        st->layer_seconds[3] += (t1 - t0) / 2;
        st->layer_seconds[4] += (t1 - t0) / 2;
    }

    /* cross-column reference (L5), chosen on a sample, checked in full */
    ref_choice ref;
    bool use_ref = choose_ref(K, d, x, bad, n, nbad * 2 > n, peers, n_peers, memo, &ref);
    const uint8_t *rbad = NULL;
    const int64_t *dense_ref = NULL; /* the reference, when the dense step applies it */
    size_t nref_bad = 0;
    if (use_ref) {
        const cbz_col_peer *p = &peers[ref.peer];
        const memo_entry *pe = memo_peer(memo, peers, ref.peer);
        const int64_t *r;
        const uint8_t *rb;
        if (pe && pe->ints) {
            r = pe->ints;
            rb = pe->bad;
            nref_bad = pe->nbad;
        } else {
            int64_t *pr = scratch(6, n * sizeof *pr);
            uint8_t *rform = scratch(7, n);
            uint8_t *prb = scratch(8, n);
            if (!pr || !rform || !prb) goto nomem;
            nref_bad = parse_numeric(K, &p->desc, p->values, n, pr, rform, prb);
            r = pr;
            rb = prb;
        }
        rbad = rb;
        if (ref.exc) {
            uint8_t stray = 0; /* invalid in the reference, valid here */
            for (size_t i = 0; i < n; i++) stray |= rb[i] & (uint8_t)~bad[i];
            if (stray || nref_bad == 0) ref.exc = false;
        }
        size_t unexplained = ref.exc ? nbad - nref_bad : nbad;
        if (unexplained * 2 > n) {
            use_ref = false;
        } else if (nbad) {
            dense_ref = r; /* with the dense step below */
        } else {
            ref_forward(v, x, r, n, ref.op, ref.k);
            x = v;
        }
        if (st) st->layer_seconds[5] += now_s() - t1;
    }
    if (!use_ref && nbad * 2 > n) { /* mostly not numbers: the raw path does better */
        *fallback = true;
        goto out;
    }
    if (st) st->exceptions = nbad;
    uint8_t flags = 0;
    size_t exc_bytes = 0;
    if (nbad) flags |= NF_EXCEPTIONS;
    if (anyform) flags |= NF_FORMS;
    if (use_ref) flags |= NF_REF;
    if (use_ref && ref.exc) flags |= NF_EXC_REF;
    chain_add(st, "validate");
    chain_add(st, "decimal");
    if (use_ref) chain_add(st, ref.op == R_DSUB ? "ref-sum" : ref.op == R_EXC ? "ref-exc" : "ref");

    /* Dense integers: the exceptions' integers are left out (the decoder
     * puts back a neutral value: the previous good one, see LAYERS.md), so the
     * encoder need not neutralize them first. */
    const size_t n_all = n;
    if (nbad) {
        flags |= NF_DENSE;
        /* R_EXC (no reference values) and no reference: the valid
         * integers as they are */
        n = dense_ref && ref.op != R_EXC
                ? ref_forward_dense(v, x, dense_ref, bad, n, ref.op, ref.k)
                : K->select_u64((const uint64_t *)x, bad, n, (uint64_t *)v);
        x = v;
    }

    /* L5/L6 choice on a sample */
    size_t dict_hint = 0;
    int xf = n ? choose_xform(K, x, n, &dict_hint) : X_NONE;
    int64_t *dkeys = NULL;
    size_t nd = 0;
    if (xf == X_DICT) {
        size_t limit = n / 4 < 16384 ? n / 4 : 16384;
        dkeys = scratch(ES_NUM_KEYS, limit * sizeof *dkeys);
        rl = scratch(ES_NUM_CODES, n * sizeof *rl);
        if (!dkeys || !rl) goto nomem;
        /* codes, flags, amounts in a short range: a direct table */
        int64_t lo, hi;
        K->minmax(x, n, &lo, &hi);
        bool done = false, ok = false;
        if ((uint64_t)hi - (uint64_t)lo < DICT_DIRECT_SLOTS)
            ok = dict_code_i64_direct(x, n, limit, lo, dkeys, rl, NULL, &nd, &done);
        if (!done) ok = dict_code_i64(x, n, limit, dkeys, rl, NULL, &nd);
        if (!ok) xf = X_FOR;
    }

    /* header of the numeric body */
    if ((rc = cbz_buf_put_u8(body, (uint8_t)xf)) != CBZ_OK) goto nomem;
    if ((rc = cbz_buf_put_u8(body, flags)) != CBZ_OK) goto nomem;
    if (use_ref) {
        if ((rc = cbz_buf_put_varint(body, ref.peer)) != CBZ_OK) goto nomem;
        if ((rc = cbz_buf_put_u8(body, (uint8_t)(ref.op | ref.k << 4))) != CBZ_OK) goto nomem;
    }
    if (nbad) {
        size_t before = body->len;
        const bool by_ref = flags & NF_EXC_REF;
        /* listed: every exception, or (by_ref) those where the reference is
         * valid, numbered among the positions where it is valid */
        if ((rc = cbz_buf_put_varint(body, by_ref ? nbad - nref_bad : nbad)) != CBZ_OK)
            goto nomem;
        /* the listed positions first, without a branch per value (u is free
         * until the transforms below) */
        uint64_t *at = u;
        size_t nl = 0, i = 0;
        /* eight flags (0 or 1 bytes) at a time where none of them is
         * listed: exceptions come in runs (unused OCCURS entries, which the
         * reference shares) or are rare */
        if (by_ref) {
            size_t ord = 0;
            for (; i + 8 <= n_all; i += 8) {
                const uint64_t r8 = flags8(rbad + i);
                if (!(flags8(bad + i) & ~r8)) {
                    ord += 8 - (size_t)((r8 * 0x0101010101010101ull) >> 56);
                    continue;
                }
                for (size_t j = i; j < i + 8; j++) {
                    at[nl] = ord;
                    nl += bad[j] & (uint8_t)~rbad[j];
                    ord += !rbad[j];
                }
            }
            for (; i < n_all; i++) {
                at[nl] = ord;
                nl += bad[i] & (uint8_t)~rbad[i];
                ord += !rbad[i];
            }
        } else {
            for (; i + 8 <= n_all; i += 8) {
                if (!flags8(bad + i)) continue;
                for (size_t j = i; j < i + 8; j++) {
                    at[nl] = j;
                    nl += bad[j];
                }
            }
            for (; i < n_all; i++) {
                at[nl] = i;
                nl += bad[i];
            }
        }
        if ((rc = cbz_buf_reserve(body, nl * 10)) != CBZ_OK) goto nomem;
        for (size_t j = 0; j < nl; j++)
            body->len += varint_to(body->data + body->len, j ? at[j] - at[j - 1] - 1 : at[0]);
        /* the exceptions' bytes: where they are many (unused OCCURS entries)
         * by copy_flagged, with its room past them */
        if ((rc = cbz_buf_reserve(body, (nbad + 1) * width + COPY_FLAGGED_ROOM)) != CBZ_OK)
            goto nomem;
        if (nbad * 8 > n_all) {
            uint8_t *o = copy_flagged(body->data + body->len, values, n_all, width, bad, 0);
            body->len = (size_t)(o - body->data);
        } else {
            for (size_t i8 = 0; i8 < n_all; i8 += 8) { /* eight valid ones passed over */
                const size_t e = i8 + 8 < n_all ? i8 + 8 : n_all;
                if (e - i8 == 8 && !flags8(bad + i8)) continue;
                for (size_t k = i8; k < e; k++) {
                    if (!bad[k]) continue;
                    cbz_copy_exact(body->data + body->len, values + k * width, width);
                    body->len += width;
                }
            }
        }
        exc_bytes = body->len - before;
    }
    if (st) st->layer_out[3] = (n_all - nbad) * (uint64_t)width + exc_bytes;
    if (flags & NF_FORMS)
        if ((rc = cbz_buf_append(body, form, n_all)) != CBZ_OK) goto nomem;
    if (st) st->layer_out[4] = n * 8 + ((flags & NF_FORMS) ? n : 0) + exc_bytes;

    t0 = now_s();
    int dec = 0; /* decimal planes for the packed block: 1 unsigned, 2 zigzag */
    unsigned for_bits = 0; /* X_FOR: the values' width, bits_of(hi - lo) */
    switch (xf) {
    case X_NONE:
        K->zigzag_encode(x, n, u);
        dec = 2;
        break;
    case X_DELTA:
    case X_DELTA2: {
        /* the first 1 (2) values raw, then the differences as a frame */
        if (xf == X_DELTA) K->delta_encode(x, n, v);
        else K->delta2_encode(x, n, v);
        size_t head = (size_t)xf < n ? (size_t)xf : n;
        for (size_t k = 0; k < head; k++)
            if ((rc = cbz_buf_put_varint(body, zz(v[k]))) != CBZ_OK) goto nomem;
        int64_t lo = 0, hi = 0;
        if (n > head) K->minmax(v + head, n - head, &lo, &hi);
        if ((rc = cbz_buf_put_varint(body, zz(lo))) != CBZ_OK) goto nomem;
        K->for_encode(v + head, n - head, lo, u);
        layer_done(st, 5, t0, n * 8);
        chain_add(st, xform_names[xf]);
        t0 = now_s();
        /* the frame's width from its range: no pass over the values */
        if ((rc = put_packed_u64_bits(body, K, u, n - head, planes,
                                      bits_of((uint64_t)hi - (uint64_t)lo))) != CBZ_OK)
            goto nomem;
        layer_done(st, 7, t0, body->len);
        chain_add(st, "pack");
        goto out;
    }
    case X_FOR: {
        int64_t lo, hi;
        K->minmax(x, n, &lo, &hi);
        /* a base with two zero digits keeps the values' decimal digits in
         * place for decimal planes (a wider range by at most 99) */
        const int64_t lo100 = lo - (int64_t)(((lo % 100) + 100) % 100);
        /* priced on x less the base: the frame written only for the base
         * chosen */
        if (lo100 <= lo && (uint64_t)hi - (uint64_t)lo100 >= (uint64_t)hi - (uint64_t)lo &&
            bits_of((uint64_t)hi - (uint64_t)lo100) >= PLANES_MIN_BITS &&
            dec_planes_win((const uint64_t *)x, (uint64_t)lo100, n, false)) {
            K->for_encode(x, n, lo100, u);
            if ((rc = cbz_buf_put_varint(body, zz(lo100))) != CBZ_OK) goto nomem;
            dec = 1;
            break;
        }
        if ((rc = cbz_buf_put_varint(body, zz(lo))) != CBZ_OK) goto nomem;
        K->for_encode(x, n, lo, u);
        for_bits = bits_of((uint64_t)hi - (uint64_t)lo);
        break;
    }
    case X_RLE: {
        rv = scratch(ES_NUM_KEYS, n * sizeof *rv);
        rl = scratch(ES_NUM_CODES, n * sizeof *rl);
        if (!rv || !rl) goto nomem;
        size_t nr = K->rle_encode(x, n, rv, rl);
        int64_t lo, hi;
        K->minmax(rv, nr, &lo, &hi);
        if ((rc = cbz_buf_put_varint(body, nr)) != CBZ_OK) goto nomem;
        if ((rc = cbz_buf_put_varint(body, zz(lo))) != CBZ_OK) goto nomem;
        K->for_encode(rv, nr, lo, u);
        for (size_t k = 0; k < nr; k++) rl[k] -= 1;
        layer_done(st, 5, t0, nr * 12);
        chain_add(st, "rle");
        t0 = now_s();
        if ((rc = put_packed_u64_bits(body, K, u, nr, planes,
                                      bits_of((uint64_t)hi - (uint64_t)lo))) != CBZ_OK)
            goto nomem;
        if ((rc = put_packed_u32(body, K, rl, nr, planes)) != CBZ_OK) goto nomem;
        layer_done(st, 7, t0, body->len);
        chain_add(st, "pack");
        goto out;
    }
    case X_DICT: {
        /* keys in order-preserving unsigned form, sorted with their
         * first-appearance index (the keys are distinct: the key decides
         * the order), then each key's rank in that order; the sort's
         * second half of room, then the ranks, after the items */
        sort_item *t = scratch(ES_NUM_SORT, nd * (2 * sizeof *t + sizeof(uint32_t)));
        if (!t) goto nomem;
        uint32_t *rank = (uint32_t *)(void *)(t + 2 * nd);
        uint64_t kmin = UINT64_MAX, kmax = 0;
        for (size_t k = 0; k < nd; k++) {
            const uint64_t key = (uint64_t)dkeys[k] ^ 0x8000000000000000ULL;
            t[k] = (sort_item){ key, k };
            kmin = key < kmin ? key : kmin;
            kmax = key > kmax ? key : kmax;
        }
        /* many keys: by radix passes (the same order: the keys are
         * distinct), one a byte of their span */
        if (nd >= 32 * (size_t)((bits_of(kmax - kmin) + 7) / 8))
            sort_items_radix(t, t + nd, nd, kmin, kmax - kmin);
        else
            sort_items(t, t + nd, nd, NULL);
        for (size_t r = 0; r < nd; r++) rank[t[r].idx] = (uint32_t)r;
        if ((rc = cbz_buf_put_varint(body, nd)) != CBZ_OK) goto nomem;
        if ((rc = cbz_buf_reserve(body, nd * 10)) != CBZ_OK) goto nomem;
        for (size_t k = 0; k < nd; k++)
            body->len +=
                varint_to(body->data + body->len, k ? t[k].key - t[k - 1].key - 1 : t[0].key);
        layer_done(st, 6, t0, body->len + n * 4);
        chain_add(st, "dict");
        t0 = now_s();
        if ((rc = put_packed_ranks(body, K, rl, rank, n, nd, planes)) != CBZ_OK) goto nomem;
        layer_done(st, 7, t0, body->len);
        chain_add(st, "pack");
        goto out;
    }
    }
    layer_done(st, 5, t0, n * 8);
    if (xf != X_NONE) chain_add(st, xform_names[xf]);
    t0 = now_s();
    if (dec == 1) rc = put_dec_planes(body, u, n, false);
    else if (xf == X_FOR) rc = put_packed_u64_bits(body, K, u, n, planes, for_bits);
    else rc = put_packed_u64_dec(body, K, u, n, planes, dec);
    if (rc != CBZ_OK) goto nomem;
    layer_done(st, 7, t0, body->len);
    chain_add(st, "pack");
    goto out;
nomem:
    rc = cbz_fail(err, CBZ_ERR_NOMEM, "column: no memory encoding %zu numeric values", n);
out:
    return rc;
}

/* The reference's integers and invalid flags (parse_numeric of its bytes),
 * from the per-thread cache when the same peer with the very same bytes was
 * parsed before: the columns of a chunk often refer to a few peers (the
 * entries of an OCCURS table to one count or date), and comparing the bytes
 * costs far less than parsing them.  False: no memory. */
static bool ref_parse_cached(const cbz_kernel_table *K, const cbz_col_peer *p, size_t n,
                             const int64_t **r, const uint8_t **bad, size_t *nbad)
{
    thread_scratch *t = scratch_set();
    if (!t) return false;
    const cbz_col_desc *pd = &p->desc;
    const size_t bytes = n * pd->width; /* the peer's values: bounded like every column */
    for (unsigned e = 0; e < REF_CACHE; e++) {
        const ref_cache_entry *c = &t->rc[e];
        if (c->valid && c->values == p->values && c->n == n && c->kernels == (const void *)K &&
            c->desc.kind == pd->kind && c->desc.width == pd->width && c->desc.sign == pd->sign &&
            c->desc.ebcdic == pd->ebcdic && c->desc.is_signed == pd->is_signed &&
            c->desc.digits == pd->digits && memcmp(t->p[DS_RC_COPY + e], p->values, bytes) == 0) {
            *r = t->p[DS_RC_INTS + e];
            *bad = t->p[DS_RC_BAD + e];
            *nbad = c->nbad;
            t->rc[e].hits++;
            return true;
        }
    }
    /* a miss replaces, in this order: the entry of the same buffer (an
     * earlier chunk's column), one that was never hit, an unused one, the
     * next in turn.  Entries in use keep their memory paged in: a fresh page
     * costs more than parsing what it holds. */
    unsigned e = REF_CACHE;
    for (unsigned q = 0; q < REF_CACHE && e == REF_CACHE; q++)
        if (t->rc[q].valid && t->rc[q].values == p->values) e = q;
    for (unsigned q = 0; q < REF_CACHE && e == REF_CACHE; q++)
        if (t->rc[q].valid && t->rc[q].hits == 0) e = q;
    for (unsigned q = 0; q < REF_CACHE && e == REF_CACHE; q++)
        if (!t->rc[q].valid) e = q;
    if (e == REF_CACHE) e = t->rc_next++ % REF_CACHE;
    ref_cache_entry *c = &t->rc[e];
    c->valid = false;
    uint8_t *copy = scratch(DS_RC_COPY + e, bytes);
    int64_t *ints = dec_scratch_n(DS_RC_INTS + e, n, sizeof *ints);
    uint8_t *b = scratch(DS_RC_BAD + e, n), *form = scratch(DS_RC_FORM + e, n);
    if (!copy || !ints || !b || !form) return false;
    c->nbad = parse_numeric(K, pd, p->values, n, ints, form, b);
    memcpy(copy, p->values, bytes);
    c->values = p->values;
    c->n = n;
    c->desc = *pd;
    c->kernels = K;
    c->hits = 0;
    c->valid = true;
    *r = ints;
    *bad = b;
    *nbad = c->nbad;
    return true;
}

/* ------------------------------------------------------------------ decoder memo */

/* Bounds lo <= v <= hi of the integers that the re-encoding (i64_to_*) of
 * the column writes as bytes that parse back (parse_numeric) to the same
 * valid integer, with the canonical form of each value's sign: the digits
 * that fit, a non-negative value without a sign, what the binary width
 * holds. */
static void num_exact_range(const cbz_col_desc *d, int64_t *lo, int64_t *hi)
{
    const size_t w = d->width;
    if (d->kind == CBZ_COL_BINARY) {
        if (w >= 8) {
            *lo = INT64_MIN;
            *hi = INT64_MAX;
        } else if (d->is_signed) {
            *hi = (int64_t)((1ull << (8 * w - 1)) - 1);
            *lo = -*hi - 1;
        } else {
            *lo = 0;
            *hi = (int64_t)((1ull << (8 * w)) - 1);
        }
        return;
    }
    size_t digits; /* numeric_supported: 1..18 */
    if (d->kind == CBZ_COL_PACKED)
        digits = w >= CBZ_K_PACKED_MAX_WIDTH ? CBZ_K_MAX_DIGITS : 2 * w - 1;
    else
        digits = w - (d->sign == CBZ_K_SIGN_TRAILING_SEPARATE ||
                      d->sign == CBZ_K_SIGN_LEADING_SEPARATE);
    *hi = pow10_i64[digits] - 1;
    *lo = d->kind == CBZ_COL_ZONED && d->sign == CBZ_K_SIGN_NONE ? 0 : -*hi;
}

/* True when each of the n values of width bytes back to back at raw (a
 * column's exceptions) is invalid by the L3 rules (packed_to_i64,
 * zoned_to_i64), as the encoder's exceptions are.  Most are told by one byte
 * that no valid value has there (a digit byte that is not a zone digit, a
 * packed sign nibble that is not a sign: spaces and low-values fail both);
 * the kernel decides the others. */
static bool exc_all_invalid(const cbz_kernel_table *K, const cbz_col_desc *d, const uint8_t *raw,
                            size_t n)
{
    const size_t w = d->width;
    if (d->kind == CBZ_COL_BINARY) return false; /* every binary value is valid */
    size_t at = SIZE_MAX; /* the probed byte */
    const uint8_t zone = d->ebcdic ? 0xF0 : 0x30;
    if (d->kind == CBZ_COL_PACKED) at = w - 1;
    else if (d->sign == CBZ_K_SIGN_NONE || d->sign == CBZ_K_SIGN_TRAILING_SEPARATE) at = 0;
    else if (d->sign == CBZ_K_SIGN_LEADING_SEPARATE) at = w - 1;
    else if (w >= 2) at = d->sign == CBZ_K_SIGN_TRAILING ? 0 : w - 1; /* not the sign byte */
    /* the probe first, without a branch a value; the kernel only when some
     * exception passed it */
    unsigned maybe = at == SIZE_MAX;
    if (at != SIZE_MAX && d->kind == CBZ_COL_PACKED) {
        for (size_t k = 0; k < n; k++) {
            const uint8_t b = raw[k * w + at];
            maybe |= ((b & 0x0Fu) >= 0x0Au) & ((b >> 4) <= 9);
        }
    } else if (at != SIZE_MAX) {
        for (size_t k = 0; k < n; k++) {
            const uint8_t b = raw[k * w + at];
            maybe |= ((b & 0xF0u) == zone) & ((b & 0x0Fu) <= 9);
        }
    }
    for (size_t k = 0; k < n && maybe; k++) {
        int64_t x;
        uint8_t f, bad;
        parse_numeric(K, d, raw + k * w, 1, &x, &f, &bad);
        if (!bad) return false;
    }
    return true;
}

/* Forgets the previous chunk's memo entries (cbz_column_decode_rows). */
void cbz_column_decode_chunk_begin(void)
{
    thread_scratch *t = scratch_set();
    if (t) t->dec_chunk++;
}

/* The memo entry of peers[j] of the chunk being decoded, its exceptions
 * not checked, or NULL. */
static dec_memo_entry *memo_match(thread_scratch *t, const cbz_col_peer *peers,
                                  const cbz_col_rows *peer_at, size_t j)
{
    const cbz_col_peer *p = &peers[j];
    const bool placed = peer_at && peer_at[j].base;
    const size_t *rows = placed ? peer_at[j].rows : NULL;
    const size_t stride = placed ? peer_at[j].stride : p->desc.width;
    for (unsigned e = 0; e < DEC_MEMO; e++) {
        dec_memo_entry *m = &t->memo[e];
        if (m->chunk == t->dec_chunk && m->stream == j && m->values == p->values &&
            m->rows == rows && (rows || m->stride == stride) && m->n == p->n &&
            desc_same(&m->desc, &p->desc))
            return m;
    }
    return NULL;
}

/* True when the integers of entry m (those of its valid values) are within
 * num_exact_range of its column: their re-encoded bytes parse back to them.
 * v is in [lo, hi] when x = v - lo <= span: top bit of x | (span - x)
 * clear, as span < 2^63 (adds and ors only: the loops vectorize); an 8-byte
 * binary column holds every integer. */
static bool memo_in_range(thread_scratch *t, const dec_memo_entry *m)
{
    int64_t lo = 0, hi = 0;
    num_exact_range(&m->desc, &lo, &hi);
    const uint64_t span = (uint64_t)hi - (uint64_t)lo;
    if (span >= (1ull << 63)) return true;
    const size_t e = (size_t)(m - t->memo);
    const int64_t *v = t->p[DS_MEMO_INTS + e];
    const uint8_t *xf = t->p[DS_MEMO_FLAGS + e];
    uint64_t acc = 0;
    if (m->state == MEMO_FULL) { /* anything at the exceptions: not counted */
        for (size_t i = 0; i < m->n; i++) {
            const uint64_t x = (uint64_t)v[i] - (uint64_t)lo;
            acc |= (x | (span - x)) & ((uint64_t)xf[i] - 1u);
        }
    } else { /* the valid values only, or 0 (in range) at the exceptions */
        const size_t cnt = m->state == MEMO_DENSE ? m->n - m->nbad : m->n;
        for (size_t i = 0; i < cnt; i++) {
            const uint64_t x = (uint64_t)v[i] - (uint64_t)lo;
            acc |= x | (span - x);
        }
    }
    return !(acc >> 63);
}

/* The memo entry of peers[j] of the chunk being decoded, or NULL.  An
 * entry's integers are checked to be in range when it is first used (most
 * streams are never referred to): one that is not is dropped. */
static dec_memo_entry *memo_find(thread_scratch *t, const cbz_col_peer *peers,
                                 const cbz_col_rows *peer_at, size_t j)
{
    dec_memo_entry *m = memo_match(t, peers, peer_at, j);
    if (m && !m->range_checked) {
        if (!memo_in_range(t, m)) {
            m->chunk = 0;
            return NULL;
        }
        m->range_checked = true;
    }
    return m;
}

/* blank_flags of peers[j] of the chunk being decoded (t: chunk_scratch),
 * where its decode left them (peer_at).  A valid value of a zoned or
 * packed stream kept in the memo is never blank (its digit bytes are zone
 * digits, its sign nibble a sign: canonical forms), so when its exceptions
 * are all blank its blank flags are its exception flags, with no pass over
 * its values (the fields of an unused OCCURS entry mask each other). */
static size_t peer_blank_flags(const cbz_kernel_table *K, thread_scratch *t,
                               const cbz_col_peer *peers, const cbz_col_rows *peer_at, size_t j,
                               size_t n, uint8_t b, uint8_t *flag)
{
    const cbz_col_peer *p = &peers[j];
    const dec_memo_entry *m = t ? memo_match(t, peers, peer_at, j) : NULL;
    if (m && m->exc_blank && m->n == n && b == (m->desc.ebcdic ? 0x40 : 0x20)) {
        if (m->nbad) memcpy(flag, t->p[DS_MEMO_FLAGS + (m - t->memo)], n);
        else memset(flag, 0, n);
        return m->nbad;
    }
    const cbz_col_rows *at = peer_at && peer_at[j].base ? &peer_at[j] : NULL;
    if (at && (at->rows || at->stride != p->desc.width))
        return blank_flags_at(at, n, p->desc.width, b, flag);
    return K->blank_rows(at ? at->base : p->values, n, p->desc.width, b, flag);
}

/* Brings entry m to MEMO_READY: the integers parse_numeric gives. */
static void memo_ready(const cbz_kernel_table *K, thread_scratch *t, dec_memo_entry *m)
{
    const size_t e = (size_t)(m - t->memo), n = m->n;
    int64_t *v = t->p[DS_MEMO_INTS + e];
    const uint8_t *x = t->p[DS_MEMO_FLAGS + e];
    if (m->state == MEMO_DENSE) { /* in place, 0 at the exceptions */
        K->expand_u64((const uint64_t *)v, x, n, n - m->nbad, (uint64_t *)v);
    } else if (m->state == MEMO_FULL) {
        for (size_t i = 0; i < n; i++) v[i] = (int64_t)((uint64_t)v[i] & ((uint64_t)x[i] - 1u));
    }
    m->state = MEMO_READY;
}

/* An entry for stream `stream` of this chunk, with its integer and flag
 * buffers for n values, never `keep` (the reference in use); it becomes
 * valid (memo_keep) only once the stream is decoded.  NULL: no memory. */
static dec_memo_entry *memo_claim(thread_scratch *t, size_t stream, size_t n,
                                  const dec_memo_entry *keep, int64_t **ints, uint8_t **flags)
{
    unsigned pick = DEC_MEMO;
    for (unsigned e = 0; e < DEC_MEMO; e++) {
        const dec_memo_entry *m = &t->memo[e];
        if (m == keep) continue;
        if (m->chunk != t->dec_chunk) { /* free: another chunk's */
            pick = e;
            break;
        }
        if (pick == DEC_MEMO || m->stream < t->memo[pick].stream) pick = e; /* the oldest */
    }
    if (pick == DEC_MEMO) return NULL;
    dec_memo_entry *m = &t->memo[pick];
    m->chunk = 0;
    m->stream = stream;
    *ints = dec_scratch_n(DS_MEMO_INTS + pick, n, sizeof **ints);
    *flags = scratch(DS_MEMO_FLAGS + pick, n);
    return *ints && *flags ? m : NULL;
}

/* True when the len bytes at p are all b: 32 byte lanes or'd apart (the
 * loop vectorizes into two 16-byte sums that do not wait on each other;
 * measured 1.8x one 8-byte sum). */
static bool all_bytes(const uint8_t *p, size_t len, uint8_t b)
{
    const size_t n32 = len / 32 * 32;
    uint8_t acc[32] = { 0 };
    for (size_t k = 0; k < n32; k += 32)
        for (size_t j = 0; j < 32; j++) acc[j] |= (uint8_t)(p[k + j] ^ b);
    uint8_t r = 0;
    for (size_t j = 0; j < 32; j++) r |= acc[j];
    for (size_t i = n32; i < len; i++) r |= (uint8_t)(p[i] ^ b);
    return r == 0;
}

/* The position of the (k+1)-th zero flag at or after position `from` of the
 * n flags (each 0 or 1), or n when there are not that many: eight flags a
 * step, the word holding it found by their count, then the position in the
 * word with no branch: byte b of z * 0x0101..01 counts the zero flags among
 * bytes 0..b (at most 8, so no byte carries), and the first byte whose
 * count passes k (its top bit set by | 0x80 - (k + 1)) is the one. */
static size_t nth_zero_flag(const uint8_t *flag, size_t n, size_t from, uint64_t k)
{
    const uint64_t ones = 0x0101010101010101ull;
    if (from >= n || k >= n - from) return n;
    for (size_t i = from; n - i >= 8; i += 8) {
        uint64_t x;
        memcpy(&x, flag + i, 8);
        const uint64_t z = ~x & ones; /* bit 0 of each byte: a zero flag */
        const uint64_t counts = z * ones;
        const size_t zeros = (size_t)(counts >> 56);
        if (zeros > k) {
            const uint64_t past = ((counts | 0x8080808080808080ull) - (k + 1) * ones) &
                                  0x8080808080808080ull;
            return i + (size_t)__builtin_ctzll(past) / 8;
        }
        k -= zeros;
        from = i + 8;
    }
    for (size_t i = from; i < n; i++)
        if (!flag[i] && k-- == 0) return i;
    return n;
}

/* The integers 0..n-1, this thread's, made again only when more are asked
 * for (NULL: no memory). */
static const uint64_t *iota_u64(size_t n)
{
    thread_scratch *t = scratch_set();
    if (!t) return NULL;
    if (t->iota_n >= n) return t->p[DS_IOTA];
    uint64_t *p = dec_scratch_n(DS_IOTA, n, sizeof *p);
    if (!p) return NULL;
    for (size_t i = 0; i < n; i++) p[i] = i;
    t->iota_n = n;
    return p;
}

/* Makes the claimed entry m valid for the values at *at (n of descriptor d,
 * the raw bytes of its nbad exceptions back to back at exc_raw) when its
 * exceptions are invalid values, as the encoder's are: checked on their
 * raw bytes, unless they are all blank (unused OCCURS entries: invalid
 * zoned or packed values).  Else it stays invalid: the stream is parsed
 * as it is when referred to. */
static void memo_keep(const cbz_kernel_table *K, thread_scratch *t, dec_memo_entry *m,
                      const cbz_col_desc *d, const cbz_col_rows *at, size_t n, size_t nbad,
                      const uint8_t *exc_raw, uint8_t state)
{
    m->values = at->base;
    m->rows = at->rows;
    m->stride = at->stride;
    m->n = n;
    m->desc = *d;
    m->nbad = nbad;
    m->state = state;
    m->exc_blank = d->kind != CBZ_COL_BINARY &&
                   (nbad == 0 || all_bytes(exc_raw, nbad * d->width, d->ebcdic ? 0x40 : 0x20));
    if (nbad && !m->exc_blank && !exc_all_invalid(K, d, exc_raw, nbad)) return;
    m->range_checked = false;
    m->chunk = t->dec_chunk;
}

/* Decodes a numeric body into values (n * width bytes) or, when ints is not
 * NULL, into the n integers (exceptions from their raw big-endian bytes: the
 * descriptor is then a binary one).  memo: the column is stream n_peers of
 * the chunk being decoded (cbz_column_decode_rows): its reference is looked
 * up in the memo and the column kept there. */
static cbz_status decode_numeric_to(const cbz_kernel_table *K, const cbz_col_desc *d,
                                    cbz_cursor *c, size_t n, const cbz_col_peer *peers,
                                    size_t n_peers, const cbz_col_rows *peer_at, bool memo,
                                    uint8_t *values, const cbz_col_rows *to, bool *placed,
                                    int64_t *ints, cbz_error *err);

/* peer_at, to, placed: as decode_text_mask. */
static cbz_status decode_numeric(const cbz_kernel_table *K, const cbz_col_desc *d,
                                 cbz_cursor *c, size_t n, const cbz_col_peer *peers,
                                 size_t n_peers, const cbz_col_rows *peer_at, bool memo,
                                 uint8_t *values, const cbz_col_rows *to, bool *placed,
                                 cbz_error *err)
{
    return decode_numeric_to(K, d, c, n, peers, n_peers, peer_at, memo, values, to, placed, NULL,
                             err);
}

static cbz_status decode_numeric_i64(const cbz_kernel_table *K, const cbz_col_desc *d,
                                     cbz_cursor *c, size_t n, int64_t *ints, cbz_error *err)
{
    assert(d->kind == CBZ_COL_BINARY);
    return decode_numeric_to(K, d, c, n, NULL, 0, NULL, false, NULL, NULL, NULL, ints, err);
}

static cbz_status decode_numeric_to(const cbz_kernel_table *K, const cbz_col_desc *d,
                                    cbz_cursor *c, size_t n, const cbz_col_peer *peers,
                                    size_t n_peers, const cbz_col_rows *peer_at, bool memo,
                                    uint8_t *values, const cbz_col_rows *to, bool *placed,
                                    int64_t *ints, cbz_error *err)
{
    const size_t width = d->width;
    uint8_t xf, flags, mode = 0;
    CBZ_FAIL_IF(!cbz_cursor_u8(c, &xf) || !cbz_cursor_u8(c, &flags), err, CBZ_ERR_FORMAT,
                "column: numeric body truncated at its header");
    CBZ_FAIL_IF(xf > X_DICT, err, CBZ_ERR_FORMAT, "column: unknown numeric transform %u", xf);
    CBZ_FAIL_IF(flags & ~(NF_FORMS | NF_EXCEPTIONS | NF_REF | NF_EXC_REF | NF_DENSE), err,
                CBZ_ERR_FORMAT, "column: unknown numeric flags 0x%02x", flags);
    CBZ_FAIL_IF((flags & NF_DENSE) && !(flags & NF_EXCEPTIONS), err, CBZ_ERR_FORMAT,
                "column: dense integers (flags 0x%02x) without exceptions", flags);
    CBZ_FAIL_IF((flags & NF_EXC_REF) && (flags & (NF_REF | NF_EXCEPTIONS)) !=
                                            (NF_REF | NF_EXCEPTIONS),
                err, CBZ_ERR_FORMAT,
                "column: exceptions by reference (flags 0x%02x) without a reference or "
                "exceptions", flags);
    uint64_t ref_idx = 0;
    if (flags & NF_REF) {
        CBZ_TRY(get_varint(c, &ref_idx, "reference column", err));
        CBZ_FAIL_IF(!cbz_cursor_u8(c, &mode), err, CBZ_ERR_FORMAT,
                    "column: reference mode truncated at byte %zu", c->pos);
        CBZ_FAIL_IF((mode & 0x0F) > R_EXC || (mode >> 4) > REF_MAX_SCALE ||
                        ((mode & 0x0F) == R_EXC && (mode >> 4) != 0) ||
                        ((mode & 0x0F) == R_EXC && !(flags & NF_EXC_REF)),
                    err, CBZ_ERR_FORMAT, "column: unknown reference mode 0x%02x", mode);
        CBZ_FAIL_IF(ref_idx >= n_peers, err, CBZ_ERR_FORMAT,
                    "column: reference to column %llu, only %zu earlier columns",
                    (unsigned long long)ref_idx, n_peers);
        CBZ_FAIL_IF(!peer_usable(&peers[ref_idx], n), err, CBZ_ERR_FORMAT,
                    "column: reference column %llu is not a numeric column of %zu values",
                    (unsigned long long)ref_idx, n);
    }
    const unsigned op = mode & 0x0Fu;
    cbz_status rc = CBZ_OK;
    thread_scratch *ts = chunk_scratch(memo && !ints);
    dec_memo_entry *ref_memo = NULL, *self = NULL;
    const int64_t *r = NULL;
    const uint8_t *rbad = NULL;
    size_t nref_bad = 0;
    if (flags & NF_REF) {
        ref_memo = ts ? memo_find(ts, peers, peer_at, (size_t)ref_idx) : NULL;
        cbz_col_peer pc;
        if (ref_memo) {
            const size_t e = (size_t)(ref_memo - ts->memo);
            if (op != R_EXC) memo_ready(K, ts, ref_memo); /* R_EXC reads the flags only */
            r = ts->p[DS_MEMO_INTS + e];
            rbad = ts->p[DS_MEMO_FLAGS + e];
            nref_bad = ref_memo->nbad;
        } else if (!peer_contig(peers, peer_at, (size_t)ref_idx, DS_GATHER0, &pc) ||
                   !ref_parse_cached(K, &pc, n, &r, &rbad, &nref_bad)) {
            goto nomem;
        }
        if ((flags & NF_EXC_REF) && nref_bad == 0) {
            rc = cbz_fail(err, CBZ_ERR_FORMAT,
                          "column: exceptions by reference, but reference column %llu has "
                          "no invalid values", (unsigned long long)ref_idx);
            goto out;
        }
    }
    /* the integers and the exception flags go straight to a memo entry
     * when there is one */
    int64_t *v = NULL;
    uint8_t *xflag = NULL; /* exception flags, when there are exceptions */
    if (ts) self = memo_claim(ts, n_peers, n, ref_memo, &v, &xflag);
    if (!self) {
        v = dec_scratch_n(SS_V0, n, sizeof *v);
        xflag = scratch(DS_XFLAG, n);
    }
    uint64_t *u = dec_scratch_n(SS_V1, n, sizeof *u);
    uint8_t *form = scratch(SS_V2, n);
    size_t *exc = NULL;
    int64_t *rv = NULL;
    uint32_t *rl = NULL;
    uint64_t *keys = NULL;
    uint64_t nbad = 0;
    const uint8_t *exc_raw = NULL, *forms = NULL;
    if (!v || !u || !form || !xflag) goto nomem;

    if (flags & NF_EXC_REF) {
        /* the reference's invalid positions, plus the listed ones, numbered
         * among the positions where the reference is valid */
        uint64_t nlist;
        if ((rc = get_varint(c, &nlist, "exception count", err)) != CBZ_OK) goto out;
        if (nlist > n - nref_bad) {
            rc = cbz_fail(err, CBZ_ERR_FORMAT,
                          "column: %llu listed exceptions for %zu values with a valid reference",
                          (unsigned long long)nlist, n - nref_bad);
            goto out;
        }
        nbad = nref_bad + nlist;
        /* the flags: the reference's invalid flags, and (usually none) the
         * listed exceptions among the positions where it is valid */
        memcpy(xflag, rbad, n);
        /* listed exception k is gap_k valid positions after the previous
         * one (the reference's invalid positions on the way are exceptions
         * too): found by a walk over the reference's flags, or, when they
         * are many (an OCCURS entry used by one more record than the last),
         * read from the valid positions listed once by the select kernel
         * (0..n-1 where the flag is 0): each walk ends at a mispredicted
         * branch, and from about one listed exception in 64 valid values
         * the list costs less than the walks */
        uint64_t *vp = NULL;
        size_t nv = 0, from = 0;
        if (nlist && nlist >= (n - nref_bad) / 64) {
            const uint64_t *iota = iota_u64(n);
            vp = dec_scratch_n(DS_EXC, n, sizeof *vp);
            if (!iota || !vp) goto nomem;
            nv = K->select_u64(iota, rbad, n, vp);
        }
        for (size_t listed = 0; listed < nlist; listed++) {
            uint64_t gap;
            if ((rc = get_varint(c, &gap, "exception index", err)) != CBZ_OK) goto out;
            size_t at = n; /* n: not that many valid positions are left */
            if (vp && gap < nv - from) {
                at = (size_t)vp[from + gap];
                from += (size_t)gap + 1; /* valid positions passed */
            } else if (!vp) {
                at = nth_zero_flag(rbad, n, from, gap);
                from = at + 1;
            }
            if (at == n) {
                rc = cbz_fail(err, CBZ_ERR_FORMAT,
                              "column: exception %zu index out of range (%zu values)", listed, n);
                goto out;
            }
            xflag[at] = 1;
        }
        if (!cbz_cursor_bytes(c, (size_t)nbad * width, &exc_raw)) {
            rc = cbz_fail(err, CBZ_ERR_FORMAT, "column: raw bytes of %llu exceptions truncated",
                          (unsigned long long)nbad);
            goto out;
        }
    } else if (flags & NF_EXCEPTIONS) {
        if ((rc = get_varint(c, &nbad, "exception count", err)) != CBZ_OK) goto out;
        if (nbad == 0 || nbad > n) {
            rc = cbz_fail(err, CBZ_ERR_FORMAT, "column: %llu exceptions for %zu values",
                          (unsigned long long)nbad, n);
            goto out;
        }
        exc = dec_scratch_n(DS_EXC, (size_t)nbad, sizeof *exc);
        if (!exc) goto nomem;
        memset(xflag, 0, n);
        size_t next = 0; /* smallest index the next exception may have */
        for (size_t k = 0; k < nbad; k++) {
            uint64_t gap;
            if ((rc = get_varint(c, &gap, "exception index", err)) != CBZ_OK) goto out;
            if (gap >= n - next) {
                rc = cbz_fail(err, CBZ_ERR_FORMAT,
                              "column: exception %zu index out of range (%zu values)", k, n);
                goto out;
            }
            exc[k] = next + (size_t)gap;
            xflag[exc[k]] = 1;
            next = exc[k] + 1;
        }
        if (!cbz_cursor_bytes(c, (size_t)nbad * width, &exc_raw)) {
            rc = cbz_fail(err, CBZ_ERR_FORMAT, "column: raw bytes of %llu exceptions truncated",
                          (unsigned long long)nbad);
            goto out;
        }
    }
    if ((flags & NF_FORMS) && !cbz_cursor_bytes(c, n, &forms)) {
        rc = cbz_fail(err, CBZ_ERR_FORMAT, "column: sign-form stream truncated");
        goto out;
    }

    /* dense: the integers of the valid values only (n - nbad of them) */
    const size_t n_all = n;
    if (flags & NF_DENSE) n -= (size_t)nbad;
    switch (xf) {
    case X_NONE:
        if ((rc = get_packed_u64(c, K, n, 0, u, u, "values", err)) != CBZ_OK) goto out;
        K->zigzag_decode(u, n, v);
        break;
    case X_DELTA:
    case X_DELTA2: {
        size_t head = (size_t)xf < n ? (size_t)xf : n;
        uint64_t h, base;
        for (size_t k = 0; k < head; k++) {
            if ((rc = get_varint(c, &h, "delta head", err)) != CBZ_OK) goto out;
            v[k] = unzz(h);
        }
        if ((rc = get_varint(c, &base, "delta base", err)) != CBZ_OK) goto out;
        if ((rc = get_packed_u64(c, K, n - head, (uint64_t)unzz(base), u, (uint64_t *)(v + head),
                                 "deltas", err)) != CBZ_OK)
            goto out;
        if (xf == X_DELTA) K->delta_decode(v, n, v);
        else K->delta2_decode(v, n, v);
        break;
    }
    case X_FOR: {
        uint64_t base;
        if ((rc = get_varint(c, &base, "frame base", err)) != CBZ_OK) goto out;
        if ((rc = get_packed_u64(c, K, n, (uint64_t)unzz(base), u, (uint64_t *)v, "values",
                                 err)) != CBZ_OK)
            goto out;
        break;
    }
    case X_RLE: {
        uint64_t nr, base;
        if ((rc = get_varint(c, &nr, "run count", err)) != CBZ_OK) goto out;
        if ((rc = get_varint(c, &base, "run base", err)) != CBZ_OK) goto out;
        if (nr > n || (n > 0 && nr == 0)) {
            rc = cbz_fail(err, CBZ_ERR_FORMAT, "column: %llu runs for %zu values",
                          (unsigned long long)nr, n);
            goto out;
        }
        rv = dec_scratch_n(DS_NUM_RV, (size_t)nr, sizeof *rv);
        rl = dec_scratch_n(DS_NUM_RL, (size_t)nr, sizeof *rl);
        if (!rv || !rl) goto nomem;
        if ((rc = get_packed_u64(c, K, (size_t)nr, (uint64_t)unzz(base), u, (uint64_t *)rv,
                                 "run values", err)) != CBZ_OK)
            goto out;
        if ((rc = get_packed_u32(c, K, (size_t)nr, rl, "run lengths", err)) != CBZ_OK) goto out;
        for (size_t k = 0; k < nr; k++) rl[k] += 1; /* UINT32_MAX wraps to 0: refused below */
        if (!K->rle_decode(rv, rl, (size_t)nr, v, n)) {
            rc = cbz_fail(err, CBZ_ERR_FORMAT, "column: run lengths do not add up to %zu", n);
            goto out;
        }
        break;
    }
    case X_DICT: {
        uint64_t nd;
        if ((rc = get_varint(c, &nd, "dictionary size", err)) != CBZ_OK) goto out;
        if (nd == 0 || nd > n || nd > DICT_MAX) {
            rc = cbz_fail(err, CBZ_ERR_FORMAT, "column: numeric dictionary of %llu for %zu values",
                          (unsigned long long)nd, n);
            goto out;
        }
        keys = dec_scratch_n(DS_NUM_KEYS, (size_t)nd, sizeof *keys);
        rl = dec_scratch_n(DS_NUM_RL, n, sizeof *rl);
        if (!keys || !rl) goto nomem;
        for (size_t k = 0; k < nd; k++) {
            uint64_t gap;
            if ((rc = get_varint(c, &gap, "dictionary key", err)) != CBZ_OK) goto out;
            if (k > 0 && gap >= UINT64_MAX - keys[k - 1]) {
                rc = cbz_fail(err, CBZ_ERR_FORMAT, "column: dictionary key %zu overflows", k);
                goto out;
            }
            keys[k] = k ? keys[k - 1] + 1 + gap : gap;
        }
        if ((rc = get_packed_u32(c, K, n, rl, "dictionary codes", err)) != CBZ_OK) goto out;
        /* the integers are the keys with the sign bit flipped: flipped in
         * the nd keys, then gathered straight into v */
        for (size_t k = 0; k < nd; k++) keys[k] ^= 0x8000000000000000ULL;
        if (!K->dict_gather_u64(rl, n, keys, (size_t)nd, (uint64_t *)v)) {
            rc = cbz_fail(err, CBZ_ERR_FORMAT, "column: a dictionary code is >= %llu entries",
                          (unsigned long long)nd);
            goto out;
        }
        break;
    }
    }

    const uint8_t cpos = canonical_form(d, 0), flip = cpos ^ canonical_form(d, -1);
    /* the kernels read the sign forms of packed and signed zoned values only */
    const bool signs = d->kind == CBZ_COL_PACKED ||
                       (d->kind == CBZ_COL_ZONED && d->sign != CBZ_K_SIGN_NONE);
    /* kept in the memo only where the re-encoded bytes parse back to these
     * integers (checked when the entry is first used: memo_find) and the
     * exceptions' bytes are invalid (memo_keep), as in what the encoder
     * writes; a hand-made body may differ, and its peers are then parsed as
     * they are */
    const bool exact = self && !forms && (d->kind != CBZ_COL_BINARY || nbad == 0);

    if ((flags & NF_DENSE) && !forms && !ints && !((flags & NF_REF) && op == R_DSUB)) {
        /* Dense integers without sign forms: the m valid values are
         * re-encoded back to back, then merged with the exceptions' raw
         * bytes row by row; the exceptions' integers are never made. */
        const size_t m = n;
        if ((flags & NF_REF) && op == R_SUB) {
            /* the reference at the valid positions */
            int64_t *rd = dec_scratch_n(DS_RDENSE, n_all, sizeof *rd);
            if (!rd) goto nomem;
            K->select_u64((const uint64_t *)r, xflag, n_all, (uint64_t *)rd);
            ref_inverse(v, rd, m, op, mode >> 4);
        }
        if (signs)
            for (size_t j = 0; j < m; j++) /* cneg when negative: by the sign bit (vectorizes) */
                form[j] = cpos ^ (uint8_t)(flip & -(uint8_t)((uint64_t)v[j] >> 63));
        uint8_t *fmt = m <= SIZE_MAX / (width + 1) ? scratch(DS_NUM_FMT, m * width + 1) : NULL;
        if (!fmt) goto nomem;
        switch (d->kind) {
        case CBZ_COL_PACKED: K->i64_to_packed(v, form, m, width, fmt); break;
        case CBZ_COL_ZONED: K->i64_to_zoned(v, form, m, width, d->sign, d->ebcdic, fmt); break;
        default: K->i64_to_be(v, m, width, fmt); break;
        }
        /* row i from the next exception or the next valid value, whichever
         * it is, with no branch to mispredict (valid values and exceptions
         * alternate at random in unused OCCURS entries): by the kernel
         * where the rows are back to back, else placed straight in the
         * records when the engine asks */
        const cbz_col_rows here = { values, NULL, width };
        const cbz_col_rows *o = to ? to : &here;
        if (!o->rows && o->stride == width) {
            K->merge_rows(xflag, n_all, width, exc_raw, fmt, o->base);
        } else {
            const uint8_t *xs = exc_raw, *vs = fmt;
            DEC_BY_WIDTH(width, ROWS_LOOP(o, n_all, i, r, {
                const size_t b = xflag[i];
                cbz_copy_exact(r, pick_row(b, xs, vs), W);
                xs += b * W;
                vs += (1u - b) * W;
            }));
        }
        if (to) *placed = true;
        if (exact) memo_keep(K, ts, self, d, o, n_all, (size_t)nbad, exc_raw, MEMO_DENSE);
        goto out;
    }

    if (flags & NF_DENSE) {
        /* put back what the encoder's neutralization had at the exceptions:
         * the previous integer, or 0 under R_DSUB */
        const bool zero = (flags & NF_REF) && op == R_DSUB;
        if (zero) {
            /* in place from the last row back without a branch a value: the
             * j-th integer moves to a row i >= j, so it is read before that
             * row is written; under R_DSUB an exception is 0 */
            for (size_t i = n_all, j = n; i-- > 0;) {
                const size_t e = xflag[i];
                const int64_t x = v[j - (j > 0)]; /* j = 0: only exceptions are left */
                v[i] = e ? 0 : x;
                j -= 1 - e;
            }
        } else {
            /* forward, from a copy: an exception repeats the previous
             * integer; u[n] is read but not used after the last valid value
             * (n < n_all: there is an exception) */
            memcpy(u, v, n * sizeof *v);
            u[n] = 0;
            int64_t last = 0;
            for (size_t i = 0, j = 0; i < n_all; i++) {
                const size_t e = xflag[i];
                const int64_t x = (int64_t)u[j];
                last = e ? last : x;
                v[i] = last;
                j += 1 - e;
            }
        }
        n = n_all;
    }
    if (flags & NF_REF) ref_inverse(v, r, n, op, mode >> 4);
    if (nbad && !exc) { /* the exceptions' positions, from their flags */
        exc = dec_scratch_n(DS_EXC, n, sizeof *exc);
        if (!exc) goto nomem;
        size_t nk = 0;
        for (size_t i = 0; i < n; i++) {
            exc[nk] = i; /* nk <= i < n */
            nk += xflag[i];
        }
        assert(nk == nbad);
    }
    if (ints) {
        memcpy(ints, v, n * sizeof *v);
        for (size_t k = 0; k < nbad; k++)
            K->be_to_i64(exc_raw + k * width, 1, width, d->is_signed, ints + exc[k]);
        goto out;
    }
    if (signs && forms)
        for (size_t i = 0; i < n; i++)
            form[i] = forms[i] ^ cpos ^ (uint8_t)(flip & -(uint8_t)((uint64_t)v[i] >> 63));
    else if (signs)
        for (size_t i = 0; i < n; i++)
            form[i] = cpos ^ (uint8_t)(flip & -(uint8_t)((uint64_t)v[i] >> 63));
    switch (d->kind) {
    case CBZ_COL_PACKED: K->i64_to_packed(v, form, n, width, values); break;
    case CBZ_COL_ZONED: K->i64_to_zoned(v, form, n, width, d->sign, d->ebcdic, values); break;
    default: K->i64_to_be(v, n, width, values); break;
    }
    DEC_BY_WIDTH(width, for (size_t k = 0; k < nbad; k++)
                            cbz_copy_exact(values + exc[k] * W, exc_raw + k * W, W));
    if (exact) {
        if (!nbad) memset(xflag, 0, n);
        const cbz_col_rows here = { values, NULL, width };
        memo_keep(K, ts, self, d, &here, n, (size_t)nbad, exc_raw,
                  nbad ? MEMO_FULL : MEMO_READY);
    }
    goto out;
nomem:
    rc = cbz_fail(err, CBZ_ERR_NOMEM, "column: no memory decoding %zu numeric values", n);
out:
    return rc;
}

/* ------------------------------------------------------------------ top level */

/* Largest body a column of n values of width bytes can have (see LAYERS.md). */
static bool body_bound(size_t n, size_t width, size_t *bound)
{
    if (width > SIZE_MAX / 2 - 64) return false;
    size_t per = width + 24;
    if (n > (SIZE_MAX - 4096) / per) return false;
    *bound = n * per + 4096;
    return true;
}

/* The zstd level of a column's body.  Text bodies (dictionary codes,
 * templates, trimmed text) come out as small at zstd level 1 as at 3, and
 * smaller on three of the four generated datasets, in half the time; numeric
 * bodies (byte planes of residuals) lose up to 0.5% at level 1, so they keep
 * the level asked for.  Levels above 3 are the best-ratio path: every body
 * gets the level asked for. */
#define TEXT_FAST_LEVEL_MAX 3
static int body_level(const cbz_col_desc *d, int level)
{
    return d->kind == CBZ_COL_TEXT && level <= TEXT_FAST_LEVEL_MAX ? 1 : level;
}

/* zstd's shortest match for a body of n bytes (0: the level's own), at
 * levels up to 3; above, every body gets the level's own.  Text bodies take
 * 6 bytes at every size, where level 1 takes 5 below 16 KB and 7 above
 * 256 KB: customers' text bodies come out 0.5% smaller in a third less
 * time, the other datasets' no larger.  Numeric bodies (byte planes of
 * residuals) take 6 where zstd would take 4 (level 3: up to 16 KB and from
 * 128 to 256 KB): so many short matches cost more than they save, and with
 * 6 every dataset's numeric bodies come out smaller (vb's 0.9%) in fewer
 * instructions (vb's 17% fewer).  Where zstd takes 5 they keep it: 6 there
 * would make ledger's 0.17% larger. */
#define BODY_MIN_MATCH 6
static int body_min_match(const cbz_col_desc *d, int level, size_t n)
{
    if (level > TEXT_FAST_LEVEL_MAX) return 0;
    if (d->kind == CBZ_COL_TEXT) return BODY_MIN_MATCH;
    return cbz_zstd_own_min_match(level, n) < 5 ? BODY_MIN_MATCH : 0;
}

cbz_status cbz_column_encode(const cbz_col_desc *d, const uint8_t *values, size_t n,
                             int level, cbz_buf *out, cbz_col_stats *st, cbz_error *err)
{
    return cbz_column_encode_peers(d, values, n, NULL, 0, level, out, st, err);
}

cbz_status cbz_column_encode_peers(const cbz_col_desc *d, const uint8_t *values, size_t n,
                                   const cbz_col_peer *peers, size_t n_peers, int level,
                                   cbz_buf *out, cbz_col_stats *st, cbz_error *err)
{
    return cbz_column_encode_ctx(NULL, d, values, n, peers, n_peers, level, out, st, err);
}

cbz_status cbz_column_encode_ctx(cbz_col_chunk_ctx *memo, const cbz_col_desc *d,
                                 const uint8_t *values, size_t n, const cbz_col_peer *peers,
                                 size_t n_peers, int level, cbz_buf *out, cbz_col_stats *st,
                                 cbz_error *err)
{
    CBZ_FAIL_IF(d->kind > CBZ_COL_BINARY, err, CBZ_ERR_USAGE, "column: unknown kind %u", d->kind);
    size_t bound;
    CBZ_FAIL_IF(!body_bound(n, d->width, &bound), err, CBZ_ERR_LIMIT,
                "column: %zu values of %u bytes is too large", n, d->width);
    if (st) {
        memset(st, 0, sizeof *st);
        st->bytes_in = (uint64_t)n * d->width;
    }
    const cbz_kernel_table *K = cbz_kernels();
    /* the thread's body buffer (a local one without memory for it) */
    thread_scratch *ts = scratch_set();
    cbz_buf own, *body = ts ? &ts->enc_body : &own;
    cbz_buf_init(&own);
    cbz_buf_clear(body);
    uint8_t method = M_RAW;
    cbz_status rc = CBZ_OK;
    /* every body of 64 bytes or more goes to zstd: byte-aligned blocks */
    const bool planes = true;
    if (d->width == 0) {
        method = M_RAW;
    } else if (d->kind == CBZ_COL_TEXT) {
        bool used = false;
        rc = encode_text_mask(K, d, values, n, peers, n_peers, memo, planes, body, &used, st,
                              err);
        if (rc == CBZ_OK && used) {
            method = M_TEXT_MASK;
        } else if (rc == CBZ_OK) {
            rc = encode_text_ref(K, d, values, n, peers, n_peers, memo, planes, body, &used,
                                 st, err);
            if (rc == CBZ_OK && used) {
                method = M_TEXT_REF;
            } else if (rc == CBZ_OK) {
                rc = encode_text_split(K, d, values, n, peers, n_peers, memo, planes, body,
                                       &used, &method, st, err);
                if (rc == CBZ_OK && used) method = M_TEXT_SPLIT;
            }
        }
    } else if (numeric_supported(d)) {
        bool fallback = false;
        method = M_NUMERIC;
        rc = encode_numeric(K, d, values, NULL, n, peers, n_peers, memo, planes, body, &fallback,
                            st, err);
        if (rc == CBZ_OK && fallback) {
            cbz_buf_clear(body);
            if (st) {
                uint64_t in = st->bytes_in;
                memset(st, 0, sizeof *st);
                st->bytes_in = in;
                st->exceptions = n; /* nothing conformed well enough to type */
            }
            method = M_RAW;
            rc = encode_raw(K, values, n, d->width, body, st);
        }
    } else {
        rc = encode_raw(K, values, n, d->width, body, st);
    }
    if (rc != CBZ_OK) {
        cbz_buf_free(&own);
        return rc;
    }
    if (method == M_RAW && st) st->layer_out[2] = body->len;

    /* L8 */
    double t0 = now_s();
    size_t start = out->len;
    rc = cbz_buf_put_u8(out, COL_VERSION);
    if (rc == CBZ_OK) rc = cbz_buf_put_u8(out, method);
    if (rc == CBZ_OK) rc = cbz_buf_put_varint(out, n);
    if (rc == CBZ_OK) rc = cbz_buf_put_varint(out, body->len);
    size_t entropy_pos = out->len;
    if (rc == CBZ_OK) rc = cbz_buf_put_u8(out, 0);
    bool packed = false;
    if (rc == CBZ_OK && body->len >= 64) {
        size_t before = out->len;
        rc = cbz_zstd_compress(body->data, body->len, body_level(d, level),
                               body_min_match(d, level, body->len), out, err);
        if (rc == CBZ_OK && out->len - before < body->len) packed = true;
        else if (rc == CBZ_OK) out->len = before;
    }
    if (rc == CBZ_OK && !packed) rc = cbz_buf_append(out, body->data, body->len);
    if (rc == CBZ_OK && packed) out->data[entropy_pos] = 1;
    cbz_buf_free(&own);
    if (rc != CBZ_OK) {
        out->len = start;
        return rc == CBZ_ERR_NOMEM ? cbz_fail(err, rc, "column: no memory for the encoding") : rc;
    }
    if (st) {
        chain_add(st, packed ? "zstd" : "stored");
        st->layer_seconds[8] += now_s() - t0;
        st->layer_out[8] = out->len - start;
        st->bytes_out = out->len - start;
    }
    return CBZ_OK;
}

cbz_status cbz_column_decode(const cbz_col_desc *d, const uint8_t *enc, size_t enc_len,
                             size_t n, uint8_t *values, cbz_error *err)
{
    return cbz_column_decode_peers(d, enc, enc_len, n, NULL, 0, values, err);
}

/* cbz_column_decode_peers; memo: the column is stream n_peers of the chunk
 * being decoded (cbz_column_decode_rows). */
static cbz_status decode_column(const cbz_col_desc *d, const uint8_t *enc, size_t enc_len,
                                size_t n, const cbz_col_peer *peers, size_t n_peers,
                                const cbz_col_rows *peer_at, bool memo, uint8_t *values,
                                const cbz_col_rows *to, bool *placed, cbz_error *err)
{
    const size_t width = d->width;
    size_t bound;
    CBZ_FAIL_IF(d->kind > CBZ_COL_BINARY, err, CBZ_ERR_USAGE, "column: unknown kind %u", d->kind);
    CBZ_FAIL_IF(!body_bound(n, width, &bound), err, CBZ_ERR_FORMAT,
                "column: %zu values of %zu bytes is too large", n, width);
    cbz_cursor c;
    cbz_cursor_init(&c, enc, enc_len);
    uint8_t version, method, entropy;
    uint64_t n2, body_len;
    CBZ_FAIL_IF(!cbz_cursor_u8(&c, &version) || !cbz_cursor_u8(&c, &method), err, CBZ_ERR_FORMAT,
                "column: encoding truncated at its header (%zu bytes)", enc_len);
    CBZ_FAIL_IF(version != COL_VERSION, err, CBZ_ERR_FORMAT,
                "column: encoding version %u, expected %u", version, COL_VERSION);
    CBZ_FAIL_IF(method > M_TEXT_SPLIT, err, CBZ_ERR_FORMAT, "column: unknown method %u", method);
    CBZ_TRY(get_varint(&c, &n2, "value count", err));
    CBZ_FAIL_IF(n2 != n, err, CBZ_ERR_FORMAT, "column: encoding holds %llu values, %zu expected",
                (unsigned long long)n2, n);
    CBZ_TRY(get_varint(&c, &body_len, "body length", err));
    CBZ_FAIL_IF(body_len > bound, err, CBZ_ERR_FORMAT,
                "column: body length %llu exceeds the bound %zu for %zu values",
                (unsigned long long)body_len, bound, n);
    CBZ_FAIL_IF(!cbz_cursor_u8(&c, &entropy) || entropy > 1, err, CBZ_ERR_FORMAT,
                "column: bad or missing entropy byte at offset %zu", c.pos);
    bool text_method = method == M_TEXT_FIXED || method == M_TEXT_TRIM || method == M_TEXT_DICT ||
                       method == M_TEXT_REF || method == M_TEXT_NUM || method == M_TEXT_MASK ||
                       method == M_TEXT_SPLIT;
    CBZ_FAIL_IF(text_method && d->kind != CBZ_COL_TEXT, err, CBZ_ERR_FORMAT,
                "column: text method %u for a column of kind %u", method, d->kind);
    CBZ_FAIL_IF(method == M_NUMERIC && !numeric_supported(d), err, CBZ_ERR_FORMAT,
                "column: numeric method for a column of kind %u width %zu", d->kind, width);
    CBZ_FAIL_IF(width == 0 && method != M_RAW, err, CBZ_ERR_FORMAT,
                "column: method %u for width 0", method);

    const uint8_t *rest = enc + c.pos;
    size_t rest_len = enc_len - c.pos;
    uint8_t *owned = NULL;
    const uint8_t *body = rest;
    if (entropy == 0) {
        CBZ_FAIL_IF(rest_len != body_len, err, CBZ_ERR_FORMAT,
                    "column: stored body of %zu bytes, %llu announced", rest_len,
                    (unsigned long long)body_len);
    } else {
        owned = scratch(SS_BODY, (size_t)body_len);
        CBZ_FAIL_IF(!owned, err, CBZ_ERR_NOMEM, "column: no memory for a %llu-byte body",
                    (unsigned long long)body_len);
        cbz_status zrc = cbz_zstd_decompress(rest, rest_len, owned, (size_t)body_len, err);
        if (zrc != CBZ_OK) return zrc;
        body = owned;
    }
    const cbz_kernel_table *K = cbz_kernels();
    cbz_cursor b;
    cbz_cursor_init(&b, body, (size_t)body_len);
    cbz_status rc = CBZ_OK;
    switch (method) {
    case M_RAW: rc = decode_raw(K, &b, n, width, values, err); break;
    case M_TEXT_FIXED: {
        const uint8_t *p;
        if (!cbz_cursor_bytes(&b, n * width, &p)) {
            rc = cbz_fail(err, CBZ_ERR_FORMAT, "column: fixed text body too short");
        } else if (to) {
            put_rows(to, p, n, width);
            *placed = true;
        } else if (n) {
            memcpy(values, p, n * width);
        }
        break;
    }
    case M_TEXT_TRIM: rc = decode_text_trim(K, d, &b, n, values, err); break;
    case M_TEXT_DICT: rc = decode_text_dict(K, d, &b, n, values, to, placed, err); break;
    case M_TEXT_REF:
        rc = decode_text_ref(K, d, &b, n, peers, n_peers, peer_at, values, err);
        break;
    case M_TEXT_NUM: rc = decode_text_num(K, d, &b, n, values, NULL, 0, NULL, err); break;
    case M_TEXT_MASK:
        rc = decode_text_mask(K, d, &b, n, peers, n_peers, peer_at, memo, values, to, placed,
                              err);
        break;
    case M_TEXT_SPLIT:
        rc = decode_text_split(K, d, &b, n, peers, n_peers, peer_at, memo, values, to, placed,
                               err);
        break;
    case M_NUMERIC:
        rc = decode_numeric(K, d, &b, n, peers, n_peers, peer_at, memo, values, to, placed, err);
        break;
    }
    if (rc == CBZ_OK && b.pos != b.len)
        rc = cbz_fail(err, CBZ_ERR_FORMAT, "column: %zu bytes left over after the body",
                      b.len - b.pos);
    return rc;
}

cbz_status cbz_column_decode_peers(const cbz_col_desc *d, const uint8_t *enc, size_t enc_len,
                                   size_t n, const cbz_col_peer *peers, size_t n_peers,
                                   uint8_t *values, cbz_error *err)
{
    return decode_column(d, enc, enc_len, n, peers, n_peers, NULL, false, values, NULL, NULL,
                         err);
}

cbz_status cbz_column_decode_rows(const cbz_col_desc *d, const uint8_t *enc, size_t enc_len,
                                  size_t n, const cbz_col_peer *peers, size_t n_peers,
                                  const cbz_col_rows *peer_at, uint8_t *values,
                                  const cbz_col_rows *to, bool *placed, cbz_error *err)
{
    *placed = false;
    return decode_column(d, enc, enc_len, n, peers, n_peers, peer_at, true, values, to, placed,
                         err);
}

cbz_col_desc cbz_col_desc_for_field(const cbz_field *f, uint32_t width, bool ebcdic)
{
    cbz_col_desc d;
    memset(&d, 0, sizeof d);
    d.width = width;
    d.ebcdic = ebcdic ? 1 : 0;
    d.is_signed = f->is_signed ? 1 : 0;
    d.digits = (uint16_t)(f->digits > 0 ? f->digits : 0);
    d.kind = CBZ_COL_RAW;
    switch (f->category) {
    case CBZ_CAT_ALPHANUMERIC:
    case CBZ_CAT_ALPHABETIC:
    case CBZ_CAT_ALNUM_EDITED:
    case CBZ_CAT_NUMERIC_EDITED: d.kind = CBZ_COL_TEXT; break;
    case CBZ_CAT_NUMERIC:
        switch (f->usage) {
        case CBZ_USAGE_DISPLAY:
            d.kind = CBZ_COL_ZONED;
            d.sign = (uint8_t)f->sign;
            if (f->is_signed && f->sign == CBZ_SIGN_NONE) d.sign = CBZ_SIGN_TRAILING;
            if (!f->is_signed) d.sign = CBZ_SIGN_NONE;
            break;
        case CBZ_USAGE_PACKED: d.kind = CBZ_COL_PACKED; break;
        case CBZ_USAGE_BINARY:
        case CBZ_USAGE_COMP5:
        case CBZ_USAGE_INDEX: d.kind = CBZ_COL_BINARY; break;
        default: break;
        }
        break;
    default:
        if (f->usage == CBZ_USAGE_INDEX) {
            d.kind = CBZ_COL_BINARY;
            d.is_signed = 1;
        }
        break;
    }
    return d;
}
