/*
 * cobzip.h — the public interface of libcobzip.
 *
 * Plain C types only: no library header (zstd, OpenSSL, CUDA...) leaks out of
 * this file.  Every function that can fail returns a cbz_status and, when the
 * caller passes a cbz_error, fills it with a sentence that says what failed and
 * where (file, record number, byte offset, field, copybook line:column).
 *
 * Contracts, stated once:
 *  - Strings are NUL-terminated UTF-8 unless a length is given.
 *  - Objects returned through an out-pointer are owned by the caller and freed
 *    with the matching *_free function; *_free(NULL) is a no-op.
 *  - No function calls exit() or abort() on bad input.  assert() guards only
 *    invariants the code itself established.
 */
#ifndef COBZIP_H
#define COBZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CBZ_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------------
 * Errors.  Values are fixed forever: they appear in logs and job reports.
 * ---------------------------------------------------------------------- */
typedef enum cbz_status {
    CBZ_OK = 0,
    CBZ_ERR_IO = 1,          /* open/read/write/rename/fsync failed          */
    CBZ_ERR_NOMEM = 2,       /* allocation failed                            */
    CBZ_ERR_USAGE = 3,       /* bad option or argument                       */
    CBZ_ERR_COPYBOOK = 4,    /* copybook syntax or semantic error            */
    CBZ_ERR_DATA = 5,        /* input data does not fit the layout / framing */
    CBZ_ERR_FORMAT = 6,      /* corrupt, truncated or hostile container      */
    CBZ_ERR_CHECKSUM = 7,    /* checksum or SHA-256 mismatch                 */
    CBZ_ERR_UNSUPPORTED = 8, /* valid but not supported (version, feature)   */
    CBZ_ERR_EXISTS = 9,      /* output exists and --force was not given      */
    CBZ_ERR_DEVICE = 10,     /* GPU unavailable or failed                    */
    CBZ_ERR_JOB = 11,        /* job deck error                               */
    CBZ_ERR_LIMIT = 12,      /* a configured limit was passed (--max-errors) */
    CBZ_ERR_VALUE = 13       /* one field value is not valid for its type    */
} cbz_status;

#define CBZ_ERROR_MSG_MAX 512
typedef struct cbz_error {
    cbz_status code;
    char msg[CBZ_ERROR_MSG_MAX];
} cbz_error;

/* Short fixed name of a status ("io", "copybook", ...). */
const char *cbz_status_name(cbz_status s);
/* Sets err (if not NULL) to code and a printf-formatted message; returns code. */
cbz_status cbz_fail(cbz_error *err, cbz_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------------
 * Copybook layout.
 * ---------------------------------------------------------------------- */
#define CBZ_NAME_MAX 64
#define CBZ_PIC_MAX 80
#define CBZ_MAX_DIGITS 38

typedef enum cbz_category {
    CBZ_CAT_GROUP = 0,
    CBZ_CAT_ALPHANUMERIC = 1,    /* PIC X...                      */
    CBZ_CAT_ALPHABETIC = 2,      /* PIC A...                      */
    CBZ_CAT_NUMERIC = 3,         /* PIC 9/S/V/P, any usage        */
    CBZ_CAT_NUMERIC_EDITED = 4,  /* Z * + - CR DB $ B 0 / , .     */
    CBZ_CAT_ALNUM_EDITED = 5,    /* X with B 0 /                  */
    CBZ_CAT_NATIONAL = 6,        /* PIC N, USAGE NATIONAL (UTF-16) */
    CBZ_CAT_FLOAT = 7,           /* COMP-1 / COMP-2 (no PIC)      */
    CBZ_CAT_CONDITION = 8,       /* level 88                      */
    CBZ_CAT_RENAMES = 9          /* level 66                      */
} cbz_category;

typedef enum cbz_usage {
    CBZ_USAGE_DISPLAY = 0,
    CBZ_USAGE_BINARY = 1,   /* COMP, COMP-4, BINARY: size by digits, value limited by PIC */
    CBZ_USAGE_COMP5 = 2,    /* COMP-5: size by digits, full binary range   */
    CBZ_USAGE_PACKED = 3,   /* COMP-3, PACKED-DECIMAL                      */
    CBZ_USAGE_COMP1 = 4,    /* 4-byte float                                */
    CBZ_USAGE_COMP2 = 5,    /* 8-byte float                                */
    CBZ_USAGE_NATIONAL = 6, /* UTF-16BE                                    */
    CBZ_USAGE_INDEX = 7,    /* 4-byte binary                               */
    CBZ_USAGE_POINTER = 8   /* 4-byte address (kept as raw)                */
} cbz_usage;

typedef enum cbz_sign {
    CBZ_SIGN_NONE = 0,               /* unsigned                              */
    CBZ_SIGN_TRAILING = 1,           /* overpunch in last zone (IBM default)  */
    CBZ_SIGN_LEADING = 2,            /* overpunch in first zone               */
    CBZ_SIGN_TRAILING_SEPARATE = 3,  /* '+'/'-' byte after the digits         */
    CBZ_SIGN_LEADING_SEPARATE = 4    /* '+'/'-' byte before the digits        */
} cbz_sign;

typedef struct cbz_field {
    char name[CBZ_NAME_MAX];   /* as written, upper-cased; "FILLER" for fillers */
    int level;                 /* 1..49, 66, 77, 88.  88 entries carry their item's
                                  offset/size; 66 entries are the last children of
                                  their 01 and span renames_from..renames_thru */
    int parent;                /* index of enclosing group, -1 at top level */
    int first_child;           /* -1 when none (88s are children of their item) */
    int next_sibling;          /* -1 when none */
    cbz_category category;
    cbz_usage usage;
    cbz_sign sign;
    char pic[CBZ_PIC_MAX];     /* PIC string as written ("" for groups) */
    int digits;                /* numeric: digit positions incl. P; text: characters */
    int scale;                 /* digits after the implied point; P on the left of
                                  the point makes it larger, P on the right
                                  (9(3)PP) makes it negative */
    bool is_signed;
    bool is_filler;
    bool is_sync;
    bool is_justified;
    bool blank_when_zero;
    bool explicit_point;       /* PIC has an explicit '.' (or ',') */
    uint32_t offset;           /* static byte offset of the first occurrence from the
                                  record start; OCCURS DEPENDING ON sized at maximum */
    uint32_t size;             /* bytes of one occurrence (slack bytes of SYNC
                                  included in the group that holds them) */
    uint32_t occurs_min;       /* 0 when the item has no OCCURS */
    uint32_t occurs_max;       /* 0 when the item has no OCCURS */
    int depending_on;          /* index of the ODO counter field, -1 when none */
    int redefines;             /* index of the redefined field, -1 when none */
    int renames_from;          /* level 66: first field renamed, -1 otherwise */
    int renames_thru;          /* level 66: last field (== from when no THRU) */
    char *value;               /* VALUE / 88 values clause text, or NULL */
    int line;                  /* 1-based line of the level number in the expanded source */
    int column;                /* 1-based column of the level number */
} cbz_field;

/* One elementary occurrence at a static offset: what CSV headers, the column
 * splitter and `layout` use.  OCCURS elements are expanded with subscripts. */
#define CBZ_COLUMN_NAME_MAX 128
typedef struct cbz_column {
    int field;                 /* index into cbz_layout.fields */
    uint32_t offset;           /* static offset in the record (ODO at max) */
    uint32_t size;
    char name[CBZ_COLUMN_NAME_MAX]; /* "NAME" or "NAME(2)" or "NAME(2,3)" */
    int n_subscripts;
    uint32_t subscripts[7];    /* 1-based */
} cbz_column;

typedef struct cbz_layout {
    cbz_field *fields;         /* in source order */
    size_t n_fields;
    cbz_column *columns;       /* elementary non-88/66 occurrences, in offset order
                                  of declaration (REDEFINES views included) */
    size_t n_columns;
    uint32_t record_size;      /* largest record (ODO at maximum, largest 01) */
    bool has_odo;              /* record length depends on ODO counters */
    char *source_name;         /* copybook file name as given */
    char *expanded_text;       /* source after COPY/REPLACING expansion: compiling it
                                  again gives the same layout (embedded in members) */
} cbz_layout;

typedef enum cbz_source_format {
    CBZ_FORMAT_AUTO = 0,       /* fixed when any line has text in columns 1-6/7
                                  that looks like a sequence area, else free */
    CBZ_FORMAT_FIXED = 1,
    CBZ_FORMAT_FREE = 2
} cbz_source_format;

typedef struct cbz_copybook_options {
    const char *const *include_dirs; /* COPY search path, in order */
    size_t n_include_dirs;
    cbz_source_format format;
} cbz_copybook_options;

cbz_status cbz_copybook_compile_file(const char *path, const cbz_copybook_options *opt,
                                     cbz_layout **out, cbz_error *err);
cbz_status cbz_copybook_compile_text(const char *text, size_t len, const char *source_name,
                                     const cbz_copybook_options *opt,
                                     cbz_layout **out, cbz_error *err);
void cbz_layout_free(cbz_layout *layout);
/* Human table (level, name, PIC/USAGE, offset, length, OCCURS) or JSON. */
cbz_status cbz_layout_print(const cbz_layout *layout, FILE *out, bool json, cbz_error *err);
/* Index of the field named `name` (first match), -1 if none. */
int cbz_layout_find(const cbz_layout *layout, const char *name);

/* ------------------------------------------------------------------------
 * Code pages: single-byte tables to and from Unicode.
 * ---------------------------------------------------------------------- */
typedef struct cbz_codepage {
    const char *name;          /* "cp037", "cp1047", "ascii", "latin1" ... */
    bool is_ebcdic;
    uint8_t space;             /* 0x40 for EBCDIC, 0x20 otherwise */
    uint8_t zone_digit;        /* 0xF0 for EBCDIC, 0x30 otherwise */
    const uint16_t *to_unicode;  /* 256 entries */
} cbz_codepage;

/* NULL when unknown.  Accepts "cp037", "037", "IBM037", case-insensitive. */
const cbz_codepage *cbz_codepage_find(const char *name);
/* Names of all supported pages, NULL-terminated. */
const char *const *cbz_codepage_names(void);
/* Bytes to UTF-8; out must hold 3*n bytes.  Returns bytes written. */
size_t cbz_codepage_to_utf8(const cbz_codepage *cp, const uint8_t *in, size_t n, char *out);
/* UTF-8 to bytes.  CBZ_ERR_VALUE when a character has no code in the page. */
cbz_status cbz_codepage_from_utf8(const cbz_codepage *cp, const char *in, size_t n,
                                  uint8_t *out, size_t out_cap, size_t *out_len,
                                  cbz_error *err);

/* ------------------------------------------------------------------------
 * Field values as text: the exact, field-level codec used by convert and
 * encode.  Numbers are printed at their scale ("-3765.44", "0.07", "20260115").
 * ---------------------------------------------------------------------- */
typedef enum cbz_trim { CBZ_TRIM_NONE = 0, CBZ_TRIM_RIGHT = 1, CBZ_TRIM_BOTH = 2 } cbz_trim;

typedef enum cbz_float_format { CBZ_FLOAT_IBM_HEX = 0, CBZ_FLOAT_IEEE = 1 } cbz_float_format;

typedef struct cbz_value_options {
    const cbz_codepage *codepage;
    cbz_trim trim;
    cbz_float_format float_format;
    /* false (default): decode accepts only the canonical bytes of a value,
     * the ones encode writes back.  true: also read the looser forms other
     * tools (Cobrix) accept: spaces before or after the digits of a DISPLAY
     * or NATIONAL number (with an explicit '.' anywhere among them), and in
     * numeric-edited fields a '+' where the PICTURE has '-' or a digit where
     * Z or * would suppress it.  Such values do not encode back to the same
     * bytes. */
    bool lenient;
    /* false (default, IBM TRUNC(STD)): a COMP/COMP-4/BINARY value with more
     * digits than its PICTURE is invalid.  true (TRUNC(BIN)): such items hold
     * the full binary range of their size, as COMP-5 does. */
    bool trunc_bin;
} cbz_value_options;

/* Decode field f stored at `bytes` (f->size bytes) to text.  out_cap >= 4*f->size+64
 * is always enough.  Returns CBZ_ERR_VALUE (without touching err's message when
 * err is NULL: this is the hot path) when the bytes are not a valid value of the
 * field's type; *is_number tells whether the text is a JSON number. */
cbz_status cbz_value_decode(const cbz_field *f, const uint8_t *bytes, const cbz_value_options *o,
                            char *out, size_t out_cap, size_t *out_len, bool *is_number,
                            cbz_error *err);
/* Encode text to f->size bytes at `bytes`.  Pads text, zero-fills numbers.  An
 * empty text for a numeric field encodes zero.  CBZ_ERR_VALUE when the text does
 * not fit (too many digits, bad characters); on failure the field's bytes are
 * unspecified (may hold partial output). */
cbz_status cbz_value_encode(const cbz_field *f, const char *text, size_t len,
                            const cbz_value_options *o, uint8_t *bytes, cbz_error *err);

/* ------------------------------------------------------------------------
 * Record formats.
 * ---------------------------------------------------------------------- */
typedef enum cbz_recfm {
    CBZ_RECFM_F = 0,    /* fixed, unblocked                       */
    CBZ_RECFM_FB = 1,   /* fixed, blocked (same bytes as F here)  */
    CBZ_RECFM_V = 2,    /* RDW + record                           */
    CBZ_RECFM_VB = 3    /* BDW + (RDW + record)*                  */
} cbz_recfm;

typedef struct cbz_record_format {
    cbz_recfm recfm;
    uint32_t lrecl;            /* F/FB record length; V/VB maximum (0 = no limit) */
    bool rdw_little_endian;    /* default false: IBM big-endian */
    bool rdw_payload_only;     /* default false: length includes the 4-byte header */
} cbz_record_format;

/* Parses "F", "FB", "V", "VB" (case-insensitive). */
cbz_status cbz_recfm_parse(const char *s, cbz_recfm *out, cbz_error *err);
const char *cbz_recfm_name(cbz_recfm r);

#ifdef __cplusplus
}
#endif
#endif /* COBZIP_H */
