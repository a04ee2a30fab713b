/*
 * yaml_wrap.c — the one file that includes <yaml.h>: libyaml's event parser
 * turned into the cbz_ynode tree of yaml_wrap.h, with line:column marks on
 * every node and on every error.
 */
#include "yaml_wrap.h"
#include "internal.h"

#include <errno.h>
#include <yaml.h>

#define YAML_MAX_DEPTH 64
#define YAML_MAX_FILE (16u << 20)

const char *cbz_ykind_name(cbz_ykind k)
{
    switch (k) {
    case CBZ_Y_SCALAR: return "scalar";
    case CBZ_Y_MAP: return "map";
    case CBZ_Y_SEQ: return "sequence";
    }
    return "?";
}

void cbz_ynode_free(cbz_ynode *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->n; i++) {
        if (n->keys) cbz_ynode_free(n->keys[i]);
        if (n->items) cbz_ynode_free(n->items[i]);
    }
    free(n->keys);
    free(n->items);
    free(n->scalar);
    free(n);
}

const cbz_ynode *cbz_ynode_get(const cbz_ynode *map, const char *key)
{
    if (!map || map->kind != CBZ_Y_MAP) return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i]->scalar, key) == 0) return map->items[i];
    return NULL;
}

static cbz_ynode *node_new(cbz_ykind kind, yaml_mark_t mark)
{
    cbz_ynode *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->kind = kind;
    n->line = (int)mark.line + 1;
    n->column = (int)mark.column + 1;
    return n;
}

/* Appends child to a sequence, or as key / value of a map (pending_key). */
typedef struct frame {
    cbz_ynode *node;
    cbz_ynode *pending_key; /* map: key read, value not yet */
} frame;

static cbz_status add_child(frame *f, cbz_ynode *child, const char *name, cbz_error *err)
{
    cbz_ynode *p = f->node;
    if (p->kind == CBZ_Y_MAP && !f->pending_key) {
        if (child->kind != CBZ_Y_SCALAR) {
            cbz_status s = cbz_fail(err, CBZ_ERR_JOB, "%s:%d:%d: expected a plain key, found a %s",
                                    name, child->line, child->column, cbz_ykind_name(child->kind));
            cbz_ynode_free(child);
            return s;
        }
        for (size_t i = 0; i < p->n; i++) {
            if (strcmp(p->keys[i]->scalar, child->scalar) == 0) {
                cbz_status s = cbz_fail(err, CBZ_ERR_JOB,
                                        "%s:%d:%d: key '%s' appears twice (first at line %d)", name,
                                        child->line, child->column, child->scalar, p->keys[i]->line);
                cbz_ynode_free(child);
                return s;
            }
        }
        f->pending_key = child;
        return CBZ_OK;
    }
    cbz_ynode **keys = NULL;
    cbz_ynode **items = realloc(p->items, (p->n + 1) * sizeof *items);
    if (items) p->items = items;
    if (items && p->kind == CBZ_Y_MAP) {
        keys = realloc(p->keys, (p->n + 1) * sizeof *keys);
        if (keys) p->keys = keys;
    }
    if (!items || (p->kind == CBZ_Y_MAP && !keys)) {
        cbz_ynode_free(child);
        return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory reading %s", name);
    }
    if (p->kind == CBZ_Y_MAP) {
        p->keys[p->n] = f->pending_key;
        f->pending_key = NULL;
    }
    p->items[p->n++] = child;
    return CBZ_OK;
}

cbz_status cbz_yaml_load_text(const char *text, size_t len, const char *name, cbz_ynode **out,
                              cbz_error *err)
{
    *out = NULL;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);

    frame stack[YAML_MAX_DEPTH];
    int depth = 0;
    cbz_ynode *root = NULL;
    cbz_status st = CBZ_OK;
    bool done = false;
    while (!done && st == CBZ_OK) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            st = cbz_fail(err, CBZ_ERR_JOB, "%s:%d:%d: YAML syntax: %s%s%s", name,
                          (int)parser.problem_mark.line + 1, (int)parser.problem_mark.column + 1,
                          parser.problem ? parser.problem : "malformed",
                          parser.context ? " " : "", parser.context ? parser.context : "");
            break;
        }
        yaml_mark_t m = ev.start_mark;
        cbz_ynode *node = NULL;
        switch (ev.type) {
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_START_EVENT:
            break;
        case YAML_DOCUMENT_END_EVENT:
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_ALIAS_EVENT:
            st = cbz_fail(err, CBZ_ERR_JOB, "%s:%d:%d: aliases (*%s) are not supported; write the value out",
                          name, (int)m.line + 1, (int)m.column + 1, (const char *)ev.data.alias.anchor);
            break;
        case YAML_SCALAR_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            const yaml_char_t *anchor = ev.type == YAML_SCALAR_EVENT ? ev.data.scalar.anchor
                                        : ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
                                                                               : ev.data.mapping_start.anchor;
            const yaml_char_t *tag = ev.type == YAML_SCALAR_EVENT ? ev.data.scalar.tag
                                     : ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.tag
                                                                            : ev.data.mapping_start.tag;
            if (anchor) {
                st = cbz_fail(err, CBZ_ERR_JOB, "%s:%d:%d: anchors (&%s) are not supported", name,
                              (int)m.line + 1, (int)m.column + 1, (const char *)anchor);
                break;
            }
            if (tag) {
                st = cbz_fail(err, CBZ_ERR_JOB, "%s:%d:%d: tags (%s) are not supported", name,
                              (int)m.line + 1, (int)m.column + 1, (const char *)tag);
                break;
            }
            if (ev.type == YAML_SCALAR_EVENT) {
                node = node_new(CBZ_Y_SCALAR, m);
                if (node) {
                    node->scalar = malloc(ev.data.scalar.length + 1);
                    if (node->scalar) {
                        memcpy(node->scalar, ev.data.scalar.value, ev.data.scalar.length);
                        node->scalar[ev.data.scalar.length] = '\0';
                        if (strlen(node->scalar) != ev.data.scalar.length) {
                            cbz_ynode_free(node);
                            st = cbz_fail(err, CBZ_ERR_JOB, "%s:%d:%d: scalar holds a NUL character",
                                          name, (int)m.line + 1, (int)m.column + 1);
                            break;
                        }
                    }
                    node->quoted = ev.data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                                   ev.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
                }
                if (!node || !node->scalar) {
                    cbz_ynode_free(node);
                    st = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory reading %s", name);
                    break;
                }
            } else {
                node = node_new(ev.type == YAML_SEQUENCE_START_EVENT ? CBZ_Y_SEQ : CBZ_Y_MAP, m);
                if (!node) {
                    st = cbz_fail(err, CBZ_ERR_NOMEM, "out of memory reading %s", name);
                    break;
                }
            }
            /* Attach to the parent (or become the root). */
            if (depth > 0) {
                bool is_key = stack[depth - 1].node->kind == CBZ_Y_MAP && !stack[depth - 1].pending_key;
                if (is_key && node->kind != CBZ_Y_SCALAR) {
                    st = cbz_fail(err, CBZ_ERR_JOB, "%s:%d:%d: expected a plain key, found a %s", name,
                                  node->line, node->column, cbz_ykind_name(node->kind));
                    cbz_ynode_free(node);
                    break;
                }
                st = add_child(&stack[depth - 1], node, name, err);
                if (st != CBZ_OK) break;
            } else if (!root) {
                root = node;
            } else {
                cbz_ynode_free(node);
                done = true;
                break;
            }
            if (node->kind != CBZ_Y_SCALAR) {
                if (depth >= YAML_MAX_DEPTH) {
                    st = cbz_fail(err, CBZ_ERR_JOB, "%s:%d:%d: nested more than %d levels deep", name,
                                  node->line, node->column, YAML_MAX_DEPTH);
                    break;
                }
                stack[depth].node = node;
                stack[depth].pending_key = NULL;
                depth++;
            }
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            /* libyaml guarantees balance; a map never ends with a key pending. */
            if (depth > 0) depth--;
            break;
        case YAML_NO_EVENT:
            done = true;
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    /* A pending key left by an error is owned by no node yet. */
    for (int i = 0; i < depth; i++) cbz_ynode_free(stack[i].pending_key);
    if (st != CBZ_OK) {
        cbz_ynode_free(root);
        return st;
    }
    if (!root) {
        yaml_mark_t m = { 0, 0, 0 };
        root = node_new(CBZ_Y_MAP, m);
        if (!root) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    }
    *out = root;
    return CBZ_OK;
}

cbz_status cbz_yaml_load_file(const char *path, cbz_ynode **out, cbz_error *err)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) return cbz_fail(err, CBZ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    cbz_buf b;
    cbz_buf_init(&b);
    char chunk[8192];
    size_t got;
    cbz_status st = CBZ_OK;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (b.len + got > YAML_MAX_FILE) {
            st = cbz_fail(err, CBZ_ERR_JOB, "%s: larger than %u bytes; not a job deck", path, YAML_MAX_FILE);
            break;
        }
        st = cbz_buf_append(&b, chunk, got);
        if (st != CBZ_OK) break;
    }
    if (st == CBZ_OK && ferror(fp)) st = cbz_fail(err, CBZ_ERR_IO, "%s: read failed: %s", path, strerror(errno));
    fclose(fp);
    if (st == CBZ_OK) st = cbz_yaml_load_text((const char *)(b.data ? b.data : (const uint8_t *)""), b.len,
                                              path, out, err);
    cbz_buf_free(&b);
    return st;
}
