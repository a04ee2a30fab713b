/*
 * container.h — the member file NAME.cobz (writer, validating reader, the
 * file-level compress/decompress/verify drivers), the dataset directory
 * (dataset.c).  The byte format is specified in docs/FORMAT.md.
 */
#ifndef CBZ_CONTAINER_H
#define CBZ_CONTAINER_H

#include "engine.h"
#include "progress.h"

#define CBZ_MEMBER_VERSION 1
#define CBZ_MEMBER_MAGIC "\x89" "CBZ\r\n\x1a\n"
#define CBZ_TRAILER_MAGIC "CBZTRAIL"
#define CBZ_TRAILER_SIZE 120
#define CBZ_INDEX_ENTRY_SIZE 64

/* What a member says about itself (its header and trailer). */
typedef struct cbz_member_meta {
    char source_name[256];
    uint8_t mode;                  /* CBZ_MODE_* */
    cbz_record_format fmt;
    uint32_t width;
    uint64_t chunk_size;
    int level;
    uint8_t float_format;          /* cbz_float_format */
    char codepage[32];
    char copybook_name[256];       /* "" when compressed without a copybook */
    char copybook_sha256[65];      /* of the copybook file as given; "" when none */
    char *copybook_text;           /* expanded text (NUL-terminated), NULL when none */
    size_t copybook_len;
} cbz_member_meta;

typedef struct cbz_index_entry {
    uint64_t frame_offset, frame_len;
    uint64_t first_record, n_records;
    uint64_t in_offset, in_len;
    uint64_t frame_xxh64, content_xxh64;
} cbz_index_entry;

/* An opened, validated member (read through mmap). */
typedef struct cbz_member {
    char *path;
    int fd;                        /* the file, kept open (restore reads frames with pread) */
    const uint8_t *map;
    size_t size;
    cbz_member_meta meta;
    cbz_plan plan;
    uint64_t n_chunks;
    cbz_index_entry *index;
    uint64_t total_records;
    uint64_t source_size;
    char source_sha256[65];
    cbz_col_stats *stats;          /* cbz_plan_streams(&plan) entries */
} cbz_member;

/* Opens path and validates magic, version, header, trailer, index and stats
 * (their checksums, and that every offset and count is consistent).  Frames
 * are checked when decoded. */
cbz_status cbz_member_open(const char *path, cbz_member **out, cbz_error *err);
void cbz_member_close(cbz_member *m);
/* Decodes chunk i into out (index[i].in_len bytes), checking the frame's and
 * the content's XXH64. */
cbz_status cbz_member_decode_chunk(const cbz_member *m, uint64_t i, cbz_chunk_work *w,
                                   uint8_t *out, cbz_error *err);
/* The chunk holding record number rec (0-based); false when out of range. */
bool cbz_member_find_record(const cbz_member *m, uint64_t rec, uint64_t *chunk);

/* Compression of one input (a path, "-" for stdin) into one member file. */
typedef struct cbz_compress_params {
    const cbz_layout *layout;      /* may be NULL */
    cbz_member_meta meta;          /* source_name, mode, fmt, width, chunk_size, level,
                                      float_format, codepage, copybook_* */
    bool ebcdic;
    int threads;                   /* >= 1 */
    const char *device;            /* "auto", "cpu" or "gpu"; NULL means "auto" */
    cbz_progress *progress;        /* input bytes done are reported here; NULL: none */
    bool staged;                   /* member_path is in a directory not yet published (a
                                      dataset's temporary one), whose publisher fsyncs the
                                      member: cbz_outfile_commit_staged */
} cbz_compress_params;

typedef struct cbz_compress_result {
    uint64_t source_size;
    uint64_t records;
    uint64_t chunks;
    uint64_t member_size;
    char source_sha256[65];
    char member_sha256[65];
    size_t n_streams;
    cbz_col_stats *stats;          /* per stream, caller frees */
    char **stream_names;           /* per stream, caller frees (cbz_compress_result_free) */
    uint64_t presplit_chunks;      /* chunks whose L2 split ran outside the chunk encode
                                      (on the GPU, or the CBZ_TEST_PRESPLIT host twin) */
    bool used_gpu;                 /* the GPU did the L2 split of at least one chunk */
    bool gpu_fell_back;            /* a device error moved the rest of the job to the CPU */
    char device_why[256];          /* the routing decision, one line (cbz_device_route.why) */
} cbz_compress_result;

/* device: "cpu" runs on the CPU; "gpu" runs the L2 split of F/FB members on
 * the GPU or fails with CBZ_ERR_DEVICE when none is usable; "auto" (or NULL)
 * asks cbz_device_decide with the input size (0 for a pipe).  The member is
 * the same bytes whichever device ran.  progress receives input bytes as
 * chunks are written. */
cbz_status cbz_compress_file(const char *input, const char *member_path, bool force,
                             const cbz_compress_params *p, cbz_compress_result *res,
                             cbz_error *err);
void cbz_compress_result_free(cbz_compress_result *r);

/* Decodes every chunk of m and writes the bytes to fp (NULL: decode only);
 * checks the SHA-256 of the whole against the trailer's. */
cbz_status cbz_member_restore(const cbz_member *m, FILE *fp, int threads, cbz_error *err);
/* The same, reporting restored bytes to progress (NULL: none). */
cbz_status cbz_member_restore_progress(const cbz_member *m, FILE *fp, int threads,
                                       cbz_progress *progress, cbz_error *err);

/* Dataset directory (dataset.c). */
typedef struct cbz_dataset_writer cbz_dataset_writer;
/* Creates a temporary directory beside path; refuses an existing path unless
 * force. */
cbz_status cbz_dataset_begin(const char *path, bool force, cbz_dataset_writer **out,
                             cbz_error *err);
/* Path of a member file inside the temporary directory (valid until the next call). */
const char *cbz_dataset_member_path(cbz_dataset_writer *d, const char *member_name);
cbz_status cbz_dataset_add(cbz_dataset_writer *d, const char *member_name,
                           const cbz_compress_params *p, const cbz_compress_result *r,
                           cbz_error *err);
/* Writes the manifests, fsyncs, renames into place; frees d. */
cbz_status cbz_dataset_commit(cbz_dataset_writer *d, cbz_error *err);
/* Removes the temporary directory; frees d.  NULL is a no-op. */
void cbz_dataset_abort(cbz_dataset_writer *d);

/* Members of a dataset directory, in manifest order, after checking
 * tagmanifest-sha256.txt and manifest-sha256.txt.  When check_hashes is false
 * only the member list is read.  Problems are counted in *problems and each is
 * printed to report (when not NULL). */
cbz_status cbz_dataset_members(const char *dir, bool check_hashes, char ***names, size_t *n,
                               size_t *problems, FILE *report, cbz_error *err);
void cbz_dataset_members_free(char **names, size_t n);
bool cbz_is_directory(const char *path);

#endif
