/*
 * xxhash_wrap.c — XXH64 from libxxhash: the per-chunk and per-section
 * checksums of members.  The only file that includes <xxhash.h>.
 */
#include "hash.h"

#include <xxhash.h>

uint64_t cbz_xxh64(const void *p, size_t n, uint64_t seed)
{
    return (uint64_t)XXH64(p, n, (XXH64_hash_t)seed);
}
