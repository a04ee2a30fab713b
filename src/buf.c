/*
 * buf.c — the growable byte buffer and the bounds-checked cursor that every
 * encoder writes with and every decoder of untrusted bytes reads with.
 *
 * Buffers of CBZ_BIG_MIN bytes or more live in the per-thread block cache
 * (bigbuf.h): a column's body freed after one chunk is the next column's
 * body, with no page faults (glibc would unmap and map it again), and the
 * biggest ones get huge pages.  Their data stays free()-able: the callers
 * that take a buffer's data over and free() it keep working.
 */
#include "internal.h"

#include "bigbuf.h"

void cbz_buf_init(cbz_buf *b) { b->data = NULL; b->len = 0; b->cap = 0; }

void cbz_buf_free(cbz_buf *b)
{
    cbz_big_give(b->data, b->cap);
    cbz_buf_init(b);
}

void cbz_buf_clear(cbz_buf *b) { b->len = 0; }

cbz_status cbz_buf_reserve(cbz_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len) return CBZ_ERR_NOMEM;
    size_t need = b->len + extra;
    if (need <= b->cap) return CBZ_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap < CBZ_BIG_MIN) {
        uint8_t *p = realloc(b->data, cap);
        if (!p) return CBZ_ERR_NOMEM;
        b->data = p;
        b->cap = cap;
        return CBZ_OK;
    }
    uint8_t *p = cbz_big_take(cap, &cap);
    if (!p) return CBZ_ERR_NOMEM;
    if (b->len) memcpy(p, b->data, b->len);
    cbz_big_give(b->data, b->cap);
    b->data = p;
    b->cap = cap;
    return CBZ_OK;
}

cbz_status cbz_buf_append(cbz_buf *b, const void *p, size_t n)
{
    if (n == 0) return CBZ_OK;
    CBZ_TRY(cbz_buf_reserve(b, n));
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return CBZ_OK;
}

cbz_status cbz_buf_put_u8(cbz_buf *b, uint8_t v) { return cbz_buf_append(b, &v, 1); }

cbz_status cbz_buf_put_le16(cbz_buf *b, uint16_t v)
{
    uint8_t t[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    return cbz_buf_append(b, t, 2);
}

cbz_status cbz_buf_put_le32(cbz_buf *b, uint32_t v)
{
    uint8_t t[4];
    for (int i = 0; i < 4; i++) t[i] = (uint8_t)(v >> (8 * i));
    return cbz_buf_append(b, t, 4);
}

cbz_status cbz_buf_put_le64(cbz_buf *b, uint64_t v)
{
    uint8_t t[8];
    for (int i = 0; i < 8; i++) t[i] = (uint8_t)(v >> (8 * i));
    return cbz_buf_append(b, t, 8);
}

cbz_status cbz_buf_put_varint(cbz_buf *b, uint64_t v)
{
    uint8_t t[10];
    int n = 0;
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        t[n++] = (uint8_t)(byte | (v ? 0x80 : 0));
    } while (v);
    return cbz_buf_append(b, t, (size_t)n);
}

void cbz_cursor_init(cbz_cursor *c, const uint8_t *p, size_t len)
{
    c->p = p;
    c->len = len;
    c->pos = 0;
}

bool cbz_cursor_bytes(cbz_cursor *c, size_t n, const uint8_t **p)
{
    if (n > c->len - c->pos) return false;
    *p = c->p + c->pos;
    c->pos += n;
    return true;
}

bool cbz_cursor_u8(cbz_cursor *c, uint8_t *v)
{
    const uint8_t *p;
    if (!cbz_cursor_bytes(c, 1, &p)) return false;
    *v = p[0];
    return true;
}

bool cbz_cursor_le16(cbz_cursor *c, uint16_t *v)
{
    const uint8_t *p;
    if (!cbz_cursor_bytes(c, 2, &p)) return false;
    *v = cbz_load_le16(p);
    return true;
}

bool cbz_cursor_le32(cbz_cursor *c, uint32_t *v)
{
    const uint8_t *p;
    if (!cbz_cursor_bytes(c, 4, &p)) return false;
    *v = cbz_load_le32(p);
    return true;
}

bool cbz_cursor_le64(cbz_cursor *c, uint64_t *v)
{
    const uint8_t *p;
    if (!cbz_cursor_bytes(c, 8, &p)) return false;
    *v = (uint64_t)cbz_load_le32(p) | (uint64_t)cbz_load_le32(p + 4) << 32;
    return true;
}

bool cbz_cursor_varint(cbz_cursor *c, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        uint8_t byte;
        if (!cbz_cursor_u8(c, &byte)) return false;
        if (shift == 63 && byte > 1) return false; /* overflows 64 bits */
        r |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *v = r;
            return true;
        }
    }
    return false;
}
