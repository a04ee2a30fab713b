/*
 * records.h — record framing: RECFM F/FB/V/VB over a byte buffer or a stream.
 *
 * IBM V records start with a 4-byte RDW: a 2-byte length (big-endian, counting
 * the RDW itself) and 2 zero bytes.  VB blocks start with a 4-byte BDW whose
 * length counts the BDW and all records in the block (bit 0x8000 set means the
 * extended 31-bit form).  Options cover little-endian and payload-only RDWs:
 * rdw_payload_only applies to BDWs too; little-endian means the 4 header bytes
 * in reverse order (00 00 ll ll), as Cobrix writes them.
 */
#ifndef CBZ_RECORDS_H
#define CBZ_RECORDS_H

#include "cobzip.h"

/* Buffer framing (used by convert's reader and by the engine's L1).
 * Finds the next record in buf[0..len).  On CBZ_OK: the record payload is
 * buf[*payload_off .. *payload_off + *payload_len) and *consumed bytes (headers
 * included) are used up.  For VB, `block_left` carries the bytes left in the
 * current block between calls (start with 0).  Returns CBZ_ERR_DATA with a
 * reason (byte offset relative to buf) when the header is invalid, or when
 * fewer bytes remain than the header or LRECL says (a short tail). */
cbz_status cbz_frame_next(const cbz_record_format *fmt, const uint8_t *buf, size_t len,
                          uint32_t *block_left, size_t *payload_off, size_t *payload_len,
                          size_t *consumed, cbz_error *err);

/* Frames records from buf[*pos] on, as cbz_frame_next would one at a time,
 * while they are plain (F/FB: whole in buf[0, len); V/VB: an RDW that is well
 * formed, whole in buf and, for VB, in a block already open), start before
 * stop, and number fewer than max_n.  Stops before the first that is not:
 * cbz_frame_next frames that one (a new block, an error, a short tail).
 * rec_off[i]/rec_len[i] (NULL: not wanted) get each record's payload, offsets
 * from buf.  Returns the number framed; *pos and *block_left move past them. */
size_t cbz_frame_run(const cbz_record_format *fmt, const uint8_t *buf, size_t len, size_t *pos,
                     size_t stop, size_t max_n, uint32_t *block_left, size_t *rec_off,
                     size_t *rec_len);

/* The same for a window of a file: messages name the file, the 1-based
 * record number `recno` and file offsets (base = file offset of buf[0]).  When
 * the window ends inside a record and more input may follow (!at_eof), returns
 * CBZ_OK with *consumed = 0 and *need = the bytes wanted from buf[0]. */
cbz_status cbz_frame_in_file(const cbz_record_format *fmt, const uint8_t *buf, size_t len, uint32_t *block_left,
                             const char *file, uint64_t base, uint64_t recno, bool at_eof, size_t *payload_off,
                             size_t *payload_len, size_t *consumed, size_t *need, cbz_error *err);

/* Input bytes: a file (mapped when it is a regular file), stdin ("-"), or a
 * gzip/bzip2-compressed file (recognised by its magic bytes and read through
 * `gzip -dc` / `bzip2 -dc`; stdin is never decompressed).  start_offset bytes
 * at the start (a file header) and end_offset bytes at the end (a trailer) are
 * not part of the records.  The unread bytes are a window: cbz_input_fill makes
 * at least `want` of them available (fewer only at the end of input); data
 * pointers stay valid until the next fill. */
typedef struct cbz_input_options {
    uint64_t start_offset;    /* bytes skipped at the start of the file */
    uint64_t end_offset;      /* bytes ignored at the end of the file */
    bool no_mmap;             /* read regular files too */
    bool no_decompress;       /* take compressed files as they are */
} cbz_input_options;

typedef struct cbz_input cbz_input;
cbz_status cbz_input_open(const char *path, const cbz_input_options *opt, cbz_input **out, cbz_error *err);
cbz_status cbz_input_fill(cbz_input *in, size_t want, cbz_error *err);
const uint8_t *cbz_input_data(const cbz_input *in);
size_t cbz_input_avail(const cbz_input *in);
bool cbz_input_eof(const cbz_input *in);      /* nothing follows the window */
void cbz_input_consume(cbz_input *in, size_t n);
uint64_t cbz_input_offset(const cbz_input *in); /* file offset of the window's first byte */
uint64_t cbz_input_size(const cbz_input *in);   /* record bytes (offsets excluded) when known,
                                                  else UINT64_MAX */
const char *cbz_input_name(const cbz_input *in);
void cbz_input_close(cbz_input *in);

/* F/FB: an error when the input's known size is not a multiple of LRECL. */
cbz_status cbz_fixed_size_check(const cbz_record_format *fmt, const cbz_input *in, cbz_error *err);

/* Streaming reader over a file or stdin ("-"). */
typedef struct cbz_record_reader cbz_record_reader;

cbz_status cbz_reader_open(const char *path, const cbz_record_format *fmt,
                           cbz_record_reader **out, cbz_error *err);
/* With input options (io may be NULL). */
cbz_status cbz_reader_open_ex(const char *path, const cbz_record_format *fmt, const cbz_input_options *io,
                              cbz_record_reader **out, cbz_error *err);
/* Next record; *rec stays valid until the next call.  *eof is set at the clean
 * end of input.  A framing error names the file, record number and byte offset. */
cbz_status cbz_reader_next(cbz_record_reader *r, const uint8_t **rec, size_t *len,
                           bool *eof, cbz_error *err);
uint64_t cbz_reader_record_number(const cbz_record_reader *r); /* 1-based, of the last record */
uint64_t cbz_reader_record_offset(const cbz_record_reader *r); /* file offset of its first payload
                                                                  byte (after the RDW) */
void cbz_reader_close(cbz_record_reader *r);

/* Record writer: frames records (writing RDW/BDW as fmt says) to a FILE. */
typedef struct cbz_record_writer cbz_record_writer;
cbz_status cbz_writer_open(FILE *fp, const cbz_record_format *fmt, cbz_record_writer **out,
                           cbz_error *err);
cbz_status cbz_writer_put(cbz_record_writer *w, const uint8_t *rec, size_t len, cbz_error *err);
/* Flushes a pending VB block.  Frees w. */
cbz_status cbz_writer_close(cbz_record_writer *w, cbz_error *err);

#endif
