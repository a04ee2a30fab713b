/*
 * hash.h — SHA-256 (OpenSSL, in src/sha256.c) and XXH64 (libxxhash, in
 * src/xxhash_wrap.c): the checksums of members, manifests and chunks.
 */
#ifndef CBZ_HASH_H
#define CBZ_HASH_H

#include "cobzip.h"

typedef struct cbz_sha256_ctx cbz_sha256_ctx;   /* opaque */

cbz_status cbz_sha256_new(cbz_sha256_ctx **out, cbz_error *err);
void cbz_sha256_update(cbz_sha256_ctx *c, const void *p, size_t n);
/* Writes the digest as 64 lower-case hex digits + NUL; frees c. */
void cbz_sha256_final_hex(cbz_sha256_ctx *c, char hex[65]);
void cbz_sha256_free(cbz_sha256_ctx *c);
/* One-shot helpers. */
void cbz_sha256_hex(const void *p, size_t n, char hex[65]);
cbz_status cbz_sha256_file_hex(const char *path, char hex[65], cbz_error *err);

uint64_t cbz_xxh64(const void *p, size_t n, uint64_t seed);

#endif
