/*
 * internal.h — helpers shared by the library's own files: early-return macros
 * and the growable byte buffer.  Not installed; never included by the CLI's
 * public surface.
 */
#ifndef CBZ_INTERNAL_H
#define CBZ_INTERNAL_H

#include "cobzip.h"

#include <stdlib.h>
#include <string.h>

/* Return the status of an expression when it is not CBZ_OK. */
#define CBZ_TRY(expr)                                                   \
    do {                                                                \
        cbz_status cbz_try_status_ = (expr);                            \
        if (cbz_try_status_ != CBZ_OK) return cbz_try_status_;          \
    } while (0)

/* Fail with a reason when cond holds (zstd's RETURN_ERROR_IF). */
#define CBZ_FAIL_IF(cond, err, code, ...)                               \
    do {                                                                \
        if (cond) return cbz_fail((err), (code), __VA_ARGS__);          \
    } while (0)

/* A growable byte buffer.  data may be NULL while cap == 0. */
typedef struct cbz_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
} cbz_buf;

void cbz_buf_init(cbz_buf *b);
void cbz_buf_free(cbz_buf *b);
void cbz_buf_clear(cbz_buf *b);                       /* len = 0, keeps memory */
cbz_status cbz_buf_reserve(cbz_buf *b, size_t extra); /* room for len+extra */
cbz_status cbz_buf_append(cbz_buf *b, const void *p, size_t n);
cbz_status cbz_buf_put_u8(cbz_buf *b, uint8_t v);
cbz_status cbz_buf_put_le16(cbz_buf *b, uint16_t v);
cbz_status cbz_buf_put_le32(cbz_buf *b, uint32_t v);
cbz_status cbz_buf_put_le64(cbz_buf *b, uint64_t v);
cbz_status cbz_buf_put_varint(cbz_buf *b, uint64_t v); /* LEB128 */

/* Bounds-checked little-endian reader over untrusted bytes. */
typedef struct cbz_cursor {
    const uint8_t *p;
    size_t len;
    size_t pos;
} cbz_cursor;

void cbz_cursor_init(cbz_cursor *c, const uint8_t *p, size_t len);
/* Each returns false (and leaves *v unchanged) when the bytes run out. */
bool cbz_cursor_u8(cbz_cursor *c, uint8_t *v);
bool cbz_cursor_le16(cbz_cursor *c, uint16_t *v);
bool cbz_cursor_le32(cbz_cursor *c, uint32_t *v);
bool cbz_cursor_le64(cbz_cursor *c, uint64_t *v);
bool cbz_cursor_varint(cbz_cursor *c, uint64_t *v);
bool cbz_cursor_bytes(cbz_cursor *c, size_t n, const uint8_t **p);

static inline uint16_t cbz_load_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint16_t cbz_load_le16(const uint8_t *p) { return (uint16_t)(p[1] << 8 | p[0]); }
static inline uint32_t cbz_load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void cbz_store_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void cbz_store_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

#endif /* CBZ_INTERNAL_H */
