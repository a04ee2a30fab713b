/*
 * yaml_wrap.h — YAML documents as a small tree of scalars, maps and sequences,
 * each node carrying the 1-based line:column where it starts.  The only
 * interface to libyaml (src/yaml_wrap.c is the one file that includes
 * <yaml.h>); job decks and conf/cobzip.yaml are read through it.
 *
 * Anchors, aliases and tags are refused (a deck should read the same to a
 * person as to the program), as are duplicate keys and non-scalar keys.
 */
#ifndef CBZ_YAML_WRAP_H
#define CBZ_YAML_WRAP_H

#include "cobzip.h"

typedef enum cbz_ykind { CBZ_Y_SCALAR = 0, CBZ_Y_MAP = 1, CBZ_Y_SEQ = 2 } cbz_ykind;

typedef struct cbz_ynode {
    cbz_ykind kind;
    int line;                  /* 1-based */
    int column;                /* 1-based */
    char *scalar;              /* CBZ_Y_SCALAR: the text (NUL-terminated) */
    bool quoted;               /* scalar was written '...' or "..." */
    size_t n;                  /* map entries or sequence items */
    struct cbz_ynode **keys;   /* CBZ_Y_MAP: n scalar keys */
    struct cbz_ynode **items;  /* map values or sequence items */
} cbz_ynode;

/* Parses the first document of a file / of text.  Errors are CBZ_ERR_JOB with
 * "NAME:LINE:COLUMN: what was wrong" (NAME is `name` or the path).  An empty
 * document gives an empty map. */
cbz_status cbz_yaml_load_file(const char *path, cbz_ynode **out, cbz_error *err);
cbz_status cbz_yaml_load_text(const char *text, size_t len, const char *name, cbz_ynode **out,
                              cbz_error *err);
void cbz_ynode_free(cbz_ynode *n);

/* Value of `key` in a map, NULL when absent or when n is not a map. */
const cbz_ynode *cbz_ynode_get(const cbz_ynode *map, const char *key);
/* "scalar", "map" or "sequence". */
const char *cbz_ykind_name(cbz_ykind k);

#endif
