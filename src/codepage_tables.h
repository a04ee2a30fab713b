/*
 * codepage_tables.h — the private shape of the generated code page tables
 * (src/codepage_tables.c, written by tools/gen_codepages.py).  Only
 * src/codepage.c and the code page test read these directly.
 *
 * Each page carries, next to its public cbz_codepage (first member, so a
 * pointer to one is a pointer to the other):
 *  - utf8[b]: the UTF-8 form of byte b, utf8[b][0] = length (1..3), then bytes;
 *  - from_low[u] for u < 0x100: the byte of code point u, 0xFFFF when none;
 *  - from_high: (code point, byte) pairs above U+00FF, sorted by code point.
 * Bytes iconv cannot map decode to U+FFFD, and U+FFFD encodes to nothing.
 */
#ifndef CBZ_CODEPAGE_TABLES_H
#define CBZ_CODEPAGE_TABLES_H

#include "cobzip.h"

#define CBZ_CP_UNMAPPED 0xFFFDu  /* to_unicode value of a byte with no character */
#define CBZ_CP_NO_BYTE 0xFFFFu   /* from_low value of a character with no byte   */

typedef struct cbz_cp_pair {
    uint16_t unicode;
    uint8_t byte;
} cbz_cp_pair;

typedef struct cbz_cp_page {
    cbz_codepage pub;               /* must stay first */
    const char *iconv_name;         /* the glibc iconv name the table came from */
    const uint8_t (*utf8)[4];
    const uint16_t *from_low;
    const cbz_cp_pair *from_high;
    size_t n_high;
} cbz_cp_page;

extern const cbz_cp_page cbz_cp_pages[];
extern const size_t cbz_cp_page_count;
extern const char *const cbz_cp_names[]; /* page names, NULL-terminated */

/* The byte of `unicode` in page cp, or -1 when the page has none (codepage.c;
 * used by the numeric codecs to find '+', '-' and the space of a page). */
int cbz_codepage_byte_of(const cbz_codepage *cp, uint32_t unicode);

#endif /* CBZ_CODEPAGE_TABLES_H */
