/*
 * jsonl.c — JSON Lines: string escaping for the writer, and the strict
 * recursive-descent reader that `cobzip encode` reads JSONL with.
 */
#include "jsonl.h"

#include <stdio.h>

bool cbz_json_put_string(FILE *fp, const char *s, size_t len)
{
    if (putc('"', fp) == EOF) return false;
    size_t run = 0;   /* bytes written as they are, pending */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char ubuf[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default:
            if (c < 0x20) {
                snprintf(ubuf, sizeof ubuf, "\\u%04x", c);
                esc = ubuf;
            }
        }
        if (!esc) { run++; continue; }
        if (run && fwrite(s + i - run, 1, run, fp) != run) return false;
        run = 0;
        if (fputs(esc, fp) == EOF) return false;
    }
    if (run && fwrite(s + len - run, 1, run, fp) != run) return false;
    return putc('"', fp) != EOF;
}

cbz_status cbz_json_append_string(cbz_buf *b, const char *s, size_t len)
{
    /* worst case: every byte as \u00XX, plus the quotes */
    if (len > (SIZE_MAX - 2) / 6) return CBZ_ERR_NOMEM;
    CBZ_TRY(cbz_buf_reserve(b, 6 * len + 2));
    char *o = (char *)b->data + b->len;
    static const char hex[] = "0123456789abcdef";
    *o++ = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') { *o++ = (char)c; continue; }
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        default:
            *o++ = 'u'; *o++ = '0'; *o++ = '0';
            *o++ = hex[c >> 4]; *o++ = hex[c & 15];
        }
    }
    *o++ = '"';
    b->len = (size_t)((uint8_t *)o - b->data);
    return CBZ_OK;
}

void cbz_json_doc_init(cbz_json_doc *d)
{
    d->nodes = NULL;
    d->n_nodes = d->cap_nodes = 0;
    cbz_buf_init(&d->text);
}

void cbz_json_doc_free(cbz_json_doc *d)
{
    free(d->nodes);
    cbz_buf_free(&d->text);
    cbz_json_doc_init(d);
}

typedef struct parser {
    cbz_json_doc *d;
    const char *s;
    size_t len, pos;
    cbz_error *err;
} parser;

static cbz_status perr(parser *p, const char *what)
{
    return cbz_fail(p->err, CBZ_ERR_DATA, "JSON column %zu: %s", p->pos + 1, what);
}

static void skip_ws(parser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
                               p->s[p->pos] == '\r'))
        p->pos++;
}

static cbz_status new_node(parser *p, cbz_json_type t, int *idx)
{
    cbz_json_doc *d = p->d;
    if (d->n_nodes == d->cap_nodes) {
        size_t cap = d->cap_nodes ? d->cap_nodes * 2 : 64;
        cbz_json_node *n = realloc(d->nodes, cap * sizeof *n);
        if (!n) return cbz_fail(p->err, CBZ_ERR_NOMEM, "out of memory");
        d->nodes = n;
        d->cap_nodes = cap;
    }
    cbz_json_node *n = &d->nodes[d->n_nodes];
    memset(n, 0, sizeof *n);
    n->type = t;
    n->first_child = n->next = -1;
    *idx = (int)d->n_nodes++;
    return CBZ_OK;
}

static cbz_status put_utf8(parser *p, uint32_t cp)
{
    uint8_t b[4];
    size_t n;
    if (cp < 0x80) { b[0] = (uint8_t)cp; n = 1; }
    else if (cp < 0x800) { b[0] = (uint8_t)(0xC0 | cp >> 6); b[1] = (uint8_t)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        b[0] = (uint8_t)(0xE0 | cp >> 12); b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (uint8_t)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        b[0] = (uint8_t)(0xF0 | cp >> 18); b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F)); b[3] = (uint8_t)(0x80 | (cp & 0x3F)); n = 4;
    }
    if (cbz_buf_append(&p->d->text, b, n) != CBZ_OK) return cbz_fail(p->err, CBZ_ERR_NOMEM, "out of memory");
    return CBZ_OK;
}

static bool hex4v(const char *s, uint32_t *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (h < 0) return false;
        *v = *v << 4 | (uint32_t)h;
    }
    return true;
}

/* Parses a string at p->pos (on the opening quote) into d->text. */
static cbz_status parse_string(parser *p, size_t *off, size_t *len)
{
    cbz_buf *t = &p->d->text;
    *off = t->len;
    p->pos++;
    for (;;) {
        if (p->pos >= p->len) return perr(p, "string not terminated");
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') { p->pos++; break; }
        if (c < 0x20) return perr(p, "control character in a string (must be escaped)");
        if (c != '\\') {
            size_t start = p->pos;
            while (p->pos < p->len && p->s[p->pos] != '"' && p->s[p->pos] != '\\' &&
                   (unsigned char)p->s[p->pos] >= 0x20)
                p->pos++;
            if (cbz_buf_append(t, p->s + start, p->pos - start) != CBZ_OK)
                return cbz_fail(p->err, CBZ_ERR_NOMEM, "out of memory");
            continue;
        }
        if (p->pos + 1 >= p->len) return perr(p, "string not terminated");
        char e = p->s[p->pos + 1];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            CBZ_TRY(cbz_buf_put_u8(t, (uint8_t)map[simple - "\"\\/bfnrt"]) == CBZ_OK
                        ? CBZ_OK : cbz_fail(p->err, CBZ_ERR_NOMEM, "out of memory"));
            p->pos += 2;
            continue;
        }
        if (e != 'u') return perr(p, "invalid escape in a string");
        uint32_t cp;
        if (p->pos + 6 > p->len || !hex4v(p->s + p->pos + 2, &cp)) return perr(p, "invalid \\u escape");
        p->pos += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (p->pos + 6 > p->len || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u' ||
                !hex4v(p->s + p->pos + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                return perr(p, "unpaired UTF-16 surrogate in \\u escape");
            p->pos += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return perr(p, "unpaired UTF-16 surrogate in \\u escape");
        }
        CBZ_TRY(put_utf8(p, cp));
    }
    *len = t->len - *off;
    if (cbz_buf_put_u8(t, 0) != CBZ_OK) return cbz_fail(p->err, CBZ_ERR_NOMEM, "out of memory");
    return CBZ_OK;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static cbz_status parse_value(parser *p, int depth, int *idx);

static cbz_status parse_number(parser *p, int *idx)
{
    size_t start = p->pos;
    const char *s = p->s;
    if (p->pos < p->len && s[p->pos] == '-') p->pos++;
    if (p->pos >= p->len || !is_digit(s[p->pos])) return perr(p, "invalid number");
    if (s[p->pos] == '0') p->pos++;
    else while (p->pos < p->len && is_digit(s[p->pos])) p->pos++;
    if (p->pos < p->len && s[p->pos] == '.') {
        p->pos++;
        if (p->pos >= p->len || !is_digit(s[p->pos])) return perr(p, "invalid number (digit expected after '.')");
        while (p->pos < p->len && is_digit(s[p->pos])) p->pos++;
    }
    if (p->pos < p->len && (s[p->pos] == 'e' || s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (s[p->pos] == '+' || s[p->pos] == '-')) p->pos++;
        if (p->pos >= p->len || !is_digit(s[p->pos])) return perr(p, "invalid number (exponent)");
        while (p->pos < p->len && is_digit(s[p->pos])) p->pos++;
    }
    CBZ_TRY(new_node(p, CBZ_JSON_NUMBER, idx));
    cbz_json_node *n = &p->d->nodes[*idx];
    n->text_off = p->d->text.len;
    n->text_len = p->pos - start;
    if (cbz_buf_append(&p->d->text, s + start, p->pos - start) != CBZ_OK || cbz_buf_put_u8(&p->d->text, 0) != CBZ_OK)
        return cbz_fail(p->err, CBZ_ERR_NOMEM, "out of memory");
    return CBZ_OK;
}

static cbz_status parse_literal(parser *p, const char *word, cbz_json_type t, int *idx)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) return perr(p, "unexpected character");
    p->pos += n;
    return new_node(p, t, idx);
}

static cbz_status parse_container(parser *p, int depth, int *idx, bool is_object)
{
    if (depth >= CBZ_JSON_MAX_DEPTH) return perr(p, "nested too deeply");
    CBZ_TRY(new_node(p, is_object ? CBZ_JSON_OBJECT : CBZ_JSON_ARRAY, idx));
    int self = *idx, last = -1;
    char close = is_object ? '}' : ']';
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) { p->pos++; return CBZ_OK; }
    for (;;) {
        size_t key_off = 0, key_len = 0;
        skip_ws(p);
        if (is_object) {
            if (p->pos >= p->len || p->s[p->pos] != '"') return perr(p, "member name (string) expected");
            CBZ_TRY(parse_string(p, &key_off, &key_len));
            skip_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') return perr(p, "':' expected");
            p->pos++;
        }
        int child;
        CBZ_TRY(parse_value(p, depth + 1, &child));
        cbz_json_node *c = &p->d->nodes[child];
        c->key_off = key_off;
        c->key_len = key_len;
        if (last < 0) p->d->nodes[self].first_child = child;
        else p->d->nodes[last].next = child;
        last = child;
        p->d->nodes[self].n_children++;
        skip_ws(p);
        if (p->pos >= p->len) return perr(p, is_object ? "'}' expected" : "']' expected");
        if (p->s[p->pos] == ',') { p->pos++; continue; }
        if (p->s[p->pos] == close) { p->pos++; return CBZ_OK; }
        return perr(p, is_object ? "',' or '}' expected" : "',' or ']' expected");
    }
}

static cbz_status parse_value(parser *p, int depth, int *idx)
{
    skip_ws(p);
    if (p->pos >= p->len) return perr(p, "value expected");
    char c = p->s[p->pos];
    switch (c) {
    case '{': return parse_container(p, depth, idx, true);
    case '[': return parse_container(p, depth, idx, false);
    case '"': {
        CBZ_TRY(new_node(p, CBZ_JSON_STRING, idx));
        size_t off, len;
        CBZ_TRY(parse_string(p, &off, &len));
        p->d->nodes[*idx].text_off = off;
        p->d->nodes[*idx].text_len = len;
        return CBZ_OK;
    }
    case 't': return parse_literal(p, "true", CBZ_JSON_TRUE, idx);
    case 'f': return parse_literal(p, "false", CBZ_JSON_FALSE, idx);
    case 'n': return parse_literal(p, "null", CBZ_JSON_NULL, idx);
    default:
        if (c == '-' || is_digit(c)) return parse_number(p, idx);
        return perr(p, "unexpected character");
    }
}

cbz_status cbz_json_parse(cbz_json_doc *d, const char *s, size_t len, cbz_error *err)
{
    d->n_nodes = 0;
    cbz_buf_clear(&d->text);
    /* Offset 0 of text is an empty string, the key of nodes that have none. */
    if (cbz_buf_put_u8(&d->text, 0) != CBZ_OK) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    parser p = { d, s, len, 0, err };
    int root;
    CBZ_TRY(parse_value(&p, 0, &root));
    skip_ws(&p);
    if (p.pos != len) return perr(&p, "unexpected text after the value");
    return CBZ_OK;
}

int cbz_json_member(const cbz_json_doc *d, int obj, const char *key)
{
    if (obj < 0 || (size_t)obj >= d->n_nodes || d->nodes[obj].type != CBZ_JSON_OBJECT) return -1;
    size_t klen = strlen(key);
    for (int c = d->nodes[obj].first_child; c >= 0; c = d->nodes[c].next) {
        const cbz_json_node *n = &d->nodes[c];
        if (n->key_len == klen && memcmp(cbz_json_key(d, n), key, klen) == 0) return c;
    }
    return -1;
}
