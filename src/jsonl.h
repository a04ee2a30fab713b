/*
 * jsonl.h — JSON Lines output and a small strict JSON reader (src/jsonl.c).
 *
 * Writer: string escaping for values and keys; numbers are written by the
 * caller as they come from the value codec (unquoted).
 * Reader: RFC 8259, strict (no comments, no trailing commas, no bare control
 * characters in strings, nothing after the value but white space), nesting at
 * most CBZ_JSON_MAX_DEPTH deep.  One document per call; nodes live in the
 * cbz_json_doc and are addressed by index, valid until the next parse.
 */
#ifndef CBZ_JSONL_H
#define CBZ_JSONL_H

#include "internal.h"

/* Writes s as a JSON string (quotes included).  Returns false on I/O error. */
bool cbz_json_put_string(FILE *fp, const char *s, size_t len);
/* The same, appended to a buffer (CBZ_ERR_NOMEM when it cannot grow). */
cbz_status cbz_json_append_string(cbz_buf *b, const char *s, size_t len);

#define CBZ_JSON_MAX_DEPTH 64

typedef enum cbz_json_type {
    CBZ_JSON_NULL, CBZ_JSON_FALSE, CBZ_JSON_TRUE, CBZ_JSON_NUMBER, CBZ_JSON_STRING,
    CBZ_JSON_ARRAY, CBZ_JSON_OBJECT
} cbz_json_type;

typedef struct cbz_json_node {
    cbz_json_type type;
    size_t text_off, text_len;  /* STRING: unescaped UTF-8; NUMBER: the literal (in doc->text) */
    size_t key_off, key_len;    /* member of an object: its key (in doc->text) */
    int first_child, next;      /* indices, -1 when none */
    size_t n_children;
} cbz_json_node;

typedef struct cbz_json_doc {
    cbz_json_node *nodes;
    size_t n_nodes, cap_nodes;
    cbz_buf text;               /* NUL-terminated strings, keys and number literals */
} cbz_json_doc;

void cbz_json_doc_init(cbz_json_doc *d);
void cbz_json_doc_free(cbz_json_doc *d);
/* Parses s[0..len); the root is node 0.  Errors say the column (1-based). */
cbz_status cbz_json_parse(cbz_json_doc *d, const char *s, size_t len, cbz_error *err);
static inline const char *cbz_json_text(const cbz_json_doc *d, const cbz_json_node *n)
{
    return (const char *)d->text.data + n->text_off;
}
static inline const char *cbz_json_key(const cbz_json_doc *d, const cbz_json_node *n)
{
    return (const char *)d->text.data + n->key_off;
}
/* Index of the member named key in object node obj, -1 if none. */
int cbz_json_member(const cbz_json_doc *d, int obj, const char *key);

#endif
