/*
 * progress.h — the progress line of long runs: "42% 310.5 MB/s ETA 0:07" on
 * stderr, redrawn at most a few times a second, only when stderr is a
 * terminal (scheduler logs stay clean).  The engine reports bytes done; the
 * CLI owns the object.  Every function accepts NULL and then does nothing, so
 * library callers that want no progress pass NULL.
 */
#ifndef CBZ_PROGRESS_H
#define CBZ_PROGRESS_H

#include "cobzip.h"

typedef struct cbz_progress cbz_progress;

/* A progress line for `label` over total_bytes (0 when unknown: no percent or
 * ETA).  Returns NULL when stderr is not a terminal or `enabled` is false. */
cbz_progress *cbz_progress_start(const char *label, uint64_t total_bytes, bool enabled);
/* Adds done bytes; thread-safe (may be called from OpenMP workers). */
void cbz_progress_add(cbz_progress *p, uint64_t bytes);
/* Clears the line and frees p. */
void cbz_progress_finish(cbz_progress *p);
/* Formats the line for `done` of `total` bytes after `seconds` into buf (at most
 * cap - 1 characters, always terminated); returns its length.  Used by the tests. */
size_t cbz_progress_format(char *buf, size_t cap, const char *label, uint64_t done,
                           uint64_t total, double seconds);

#endif
