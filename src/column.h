/*
 * column.h — one column of one chunk through layers L3..L8 and back.
 *
 * The chunk splitter (L2) hands a column as n values of d->width bytes each,
 * stored contiguously.  cbz_column_encode chooses, by trying candidates on a
 * sample, the chain of layers that makes it smallest: L3 validate (values that
 * do not conform go to an exception list with their raw bytes), L4 decimal
 * (zoned/packed to integers, keeping the exact sign/zone form; text loses its
 * pad to a length), L5 delta (none/delta/delta-of-delta/frame-of-reference/
 * run-length), L6 trie dictionary, L7 bit-pack, L8 zstd.  The encoding is
 * self-describing: the decoder reads the chain from it and needs no guess.
 * A numeric column may also be predicted from an earlier column of the chunk
 * (cbz_column_encode_peers): the decoder then needs that column restored.
 * Decoding validates every length and count before it uses it: corrupt input
 * gives CBZ_ERR_FORMAT, never a crash or out-of-bounds access.
 */
#ifndef CBZ_COLUMN_H
#define CBZ_COLUMN_H

#include "internal.h"

typedef enum cbz_col_kind {
    CBZ_COL_RAW = 0,     /* opaque bytes: byte-plane transposition + zstd   */
    CBZ_COL_TEXT = 1,    /* PIC X/A: padded text                            */
    CBZ_COL_ZONED = 2,   /* DISPLAY numeric                                 */
    CBZ_COL_PACKED = 3,  /* COMP-3                                          */
    CBZ_COL_BINARY = 4   /* COMP/COMP-4/COMP-5/BINARY, big-endian            */
} cbz_col_kind;

typedef struct cbz_col_desc {
    uint8_t kind;        /* cbz_col_kind */
    uint8_t is_signed;
    uint8_t sign;        /* cbz_sign (zoned) */
    uint8_t ebcdic;      /* 1: EBCDIC zones/spaces (0xF0, 0x40), 0: ASCII */
    uint16_t digits;     /* numeric digit count (PIC) */
    uint16_t reserved;
    uint32_t width;      /* bytes per value */
} cbz_col_desc;

/* Layer names for reports, indexed 1..8 (L1..L8). */
extern const char *const cbz_layer_names[9];

typedef struct cbz_col_stats {
    char chain[96];          /* e.g. "validate>decimal>delta>pack>zstd" */
    uint64_t bytes_in;       /* n * width */
    uint64_t bytes_out;      /* encoded size */
    uint64_t layer_out[9];   /* bytes after layer i (0 when not used) */
    double layer_seconds[9]; /* time in layer i */
    uint64_t exceptions;     /* values kept raw by L3 */
} cbz_col_stats;

/* An earlier stream of the same chunk, as a reference for cross-column
 * prediction: its descriptor, its n values (n * desc.width bytes, exactly the
 * bytes the decoder will have restored before it decodes the column that
 * refers to it). */
typedef struct cbz_col_peer {
    cbz_col_desc desc;
    const uint8_t *values;
    size_t n;
} cbz_col_peer;

/* Appends the encoding of the column to out.  level 1..19 (zstd level and
 * search effort).  st may be NULL. */
cbz_status cbz_column_encode(const cbz_col_desc *d, const uint8_t *values, size_t n,
                             int level, cbz_buf *out, cbz_col_stats *st, cbz_error *err);
/* Decodes exactly enc_len bytes into n * d->width bytes at values. */
cbz_status cbz_column_decode(const cbz_col_desc *d, const uint8_t *enc, size_t enc_len,
                             size_t n, uint8_t *values, cbz_error *err);

/* The same with peers: a numeric column may be encoded as its difference
 * from one numeric peer with the same n (and take its exception positions
 * from that peer's invalid values); the encoding records which peer by its
 * index in peers[].  The decoder must be given the same peers (descriptors,
 * n and bytes) in the same order: the engine passes, for stream s of a
 * chunk, streams 0..s-1.  The choice depends only on the bytes given. */
cbz_status cbz_column_encode_peers(const cbz_col_desc *d, const uint8_t *values, size_t n,
                                   const cbz_col_peer *peers, size_t n_peers, int level,
                                   cbz_buf *out, cbz_col_stats *st, cbz_error *err);
/* The encoder's per-chunk memo: facts about a chunk's streams (a numeric
 * stream's integers and invalid flags, blank flags, the most frequent value
 * of a short stream) that the choices of several later columns use, kept
 * once per chunk instead of recomputed per column.  Use: reset before the
 * first column of each chunk, then encode the chunk's streams in order with
 * cbz_column_encode_ctx, stream s with streams 0..s-1 as its peers (as the
 * engine does).  Entries are keyed by stream index and also check the bytes
 * they describe (pointer, count, descriptor), so other peers are never given
 * a wrong fact.  The encoding is the same with or without a memo.  One
 * context serves one thread; its memory (about 9 bytes per numeric value of
 * a chunk) is kept from chunk to chunk. */
typedef struct cbz_col_chunk_ctx cbz_col_chunk_ctx;
cbz_col_chunk_ctx *cbz_col_chunk_ctx_new(void); /* NULL: no memory */
void cbz_col_chunk_ctx_free(cbz_col_chunk_ctx *c);
/* This thread's context, made on first use and freed when the thread ends
 * (NULL: no memory). */
cbz_col_chunk_ctx *cbz_col_chunk_ctx_thread(void);
/* Forgets the previous chunk; n_streams: the chunk's streams. */
cbz_status cbz_col_chunk_ctx_reset(cbz_col_chunk_ctx *c, size_t n_streams, cbz_error *err);
/* cbz_column_encode_peers with the chunk's memo (NULL: none); the column
 * is stream n_peers of the chunk. */
cbz_status cbz_column_encode_ctx(cbz_col_chunk_ctx *memo, const cbz_col_desc *d,
                                 const uint8_t *values, size_t n, const cbz_col_peer *peers,
                                 size_t n_peers, int level, cbz_buf *out, cbz_col_stats *st,
                                 cbz_error *err);
cbz_status cbz_column_decode_peers(const cbz_col_desc *d, const uint8_t *enc, size_t enc_len,
                                   size_t n, const cbz_col_peer *peers, size_t n_peers,
                                   uint8_t *values, cbz_error *err);
/* Decoding a chunk's streams in order, as the engine does: stream s with
 * streams 0..s-1 as its peers, whose bytes must not change until the chunk
 * is done, after cbz_column_decode_chunk_begin.  cbz_column_decode_rows
 * decodes as cbz_column_decode_peers, and keeps the integers of the last
 * numeric streams it restored on this thread, so that a later column of
 * the chunk that refers to one of them need not parse its bytes again (the
 * same values result).  It may also write the values straight where *to
 * says (value i's d->width bytes, and no other byte there) and then set
 * *placed: the engine puts them in their records this way and need not
 * move them there after.  Without *placed they are at values, as
 * cbz_column_decode_peers writes them (values is scratch either way); to
 * NULL: never placed.  peer_at: where each peer's values are:
 * peer_at[j].base NULL, at peers[j].values back to back; else where peer
 * j's decode placed them (peers[j].values is then peer_at[j].base). */
void cbz_column_decode_chunk_begin(void);

/* Where n values of a column lie: value i at base + rows[i] when rows is
 * not NULL, else at base + i * stride (the records of a chunk). */
typedef struct cbz_col_rows {
    uint8_t *base;
    const size_t *rows;
    size_t stride;
} cbz_col_rows;

cbz_status cbz_column_decode_rows(const cbz_col_desc *d, const uint8_t *enc, size_t enc_len,
                                  size_t n, const cbz_col_peer *peers, size_t n_peers,
                                  const cbz_col_rows *peer_at, uint8_t *values,
                                  const cbz_col_rows *to, bool *placed, cbz_error *err);

/* The descriptor the engine uses for a layout column. */
cbz_col_desc cbz_col_desc_for_field(const cbz_field *f, uint32_t width, bool ebcdic);

#endif
