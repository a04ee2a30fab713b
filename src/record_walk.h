/*
 * record_walk.h — walks a cbz_layout over the bytes of one record, resolving
 * OCCURS DEPENDING ON at run time.
 *
 * Static offsets (cbz_field.offset, cbz_column.offset) assume every ODO table
 * at its maximum.  In a real record a table holds only as many elements as its
 * counter says, and everything after it moves up: the walk computes each
 * item's actual offset as it goes (nested ODO too: every element of an outer
 * table can have its own inner count).  REDEFINES views start where the item
 * they redefine actually starts, and do not move what follows.
 *
 * The walk calls back per group, per table and per elementary value, in
 * declaration order, with the item's subscripts and both offsets.  A value
 * that lies wholly or partly past the end of a short record has bytes == NULL
 * (absent).  Items whose `skip` flag is set are walked silently (their
 * positions still count) — this is how REDEFINES views are chosen.
 */
#ifndef CBZ_RECORD_WALK_H
#define CBZ_RECORD_WALK_H

#include "cobzip.h"

typedef struct cbz_walk_item {
    int field;                  /* index into layout->fields */
    const cbz_field *f;
    int depth;                  /* 0 for a level-01 item */
    int n_subscripts;           /* subscripts of the enclosing tables (this one included) */
    uint32_t subscripts[7];     /* 1-based */
    uint32_t offset;            /* actual offset of this occurrence in the record */
    uint32_t static_offset;     /* offset with every ODO table at its maximum */
    const uint8_t *bytes;       /* value: f->size bytes; NULL when absent (short record) */
} cbz_walk_item;

typedef struct cbz_walk_visitor {
    void *ctx;
    /* Any callback may be NULL.  A status other than CBZ_OK stops the walk. */
    cbz_status (*group_begin)(void *ctx, const cbz_walk_item *it);
    cbz_status (*group_end)(void *ctx, const cbz_walk_item *it);
    /* A table (item with OCCURS): count elements follow, then array_end.  For
     * a table, group_begin/value are called once per element. */
    cbz_status (*array_begin)(void *ctx, const cbz_walk_item *it, uint32_t count);
    cbz_status (*array_end)(void *ctx, const cbz_walk_item *it);
    cbz_status (*value)(void *ctx, const cbz_walk_item *it);
    /* An ODO counter that cannot be used as it is: `counter` is the counter's
     * item, `what` says why and which count was used instead. */
    cbz_status (*problem)(void *ctx, const cbz_walk_item *counter, const char *what);
} cbz_walk_visitor;

typedef struct cbz_walker cbz_walker;

/* vopt decodes ODO counters; it must outlive the walker. */
cbz_status cbz_walker_new(const cbz_layout *layout, const cbz_value_options *vopt, cbz_walker **out,
                          cbz_error *err);
void cbz_walker_free(cbz_walker *w);
/* Per-field skip flags (n_fields entries, all 0 after cbz_walker_new). */
uint8_t *cbz_walker_skip_flags(cbz_walker *w);
/* When set, ODO counters are read at their static offsets (the record bytes
 * are a static image, every table at its maximum: what encode builds). */
void cbz_walker_set_static_counters(cbz_walker *w, bool on);

/* When set, an ODO table keeps its maximum size whatever its counter says:
 * what follows it stays at its static offset, and a record is record_size
 * long (fixed-length files that reserve room for every element; Cobrix's
 * default without variable_size_occurs).  The walk still visits only
 * `count` elements. */
void cbz_walker_set_static_tables(cbz_walker *w, bool on);

/* ODO counters that hold codes rather than counts (Cobrix occurs_mappings):
 * each spec 'TABLE=VALUE:COUNT[,VALUE:COUNT...]' names an OCCURS DEPENDING ON
 * table and, for each value its counter may hold (compared as text, blanks
 * trimmed), the element count.  A value not listed is reported through the
 * visitor's `problem` and counts as the table's minimum.  Replaces earlier
 * maps; CBZ_ERR_USAGE names a bad spec. */
cbz_status cbz_walker_set_occurs_maps(cbz_walker *w, const char *const *specs, size_t n, cbz_error *err);

/* Walks rec[0..len).  *actual_len (may be NULL) receives the record length the
 * counters give (the end of the last item). */
cbz_status cbz_walk_record(cbz_walker *w, const uint8_t *rec, size_t len, const cbz_walk_visitor *v,
                           size_t *actual_len, cbz_error *err);

/* After a walk: the actual offset of the last occurrence walked of field fi
 * (UINT32_MAX when it was not reached). */
uint32_t cbz_walker_field_offset(const cbz_walker *w, int fi);

#endif
