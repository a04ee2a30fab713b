/*
 * sha256.c — SHA-256 over OpenSSL's libcrypto: the digests of members,
 * restored files and manifests.  The only file that includes OpenSSL headers.
 *
 * It calls the low-level SHA256_Init/Update/Final, not EVP: they are the
 * same libcrypto code (SHA-NI or AVX2 by the CPU's features), but EVP's
 * first digest sets up the provider machinery, and with the shared libcrypto
 * its relocations cost about 130 page faults; together about 4.5 ms of every
 * run's start on the project's VM, where a 50 MiB restore takes 65 ms.  The
 * build links libcrypto.a where it exists (GNUmakefile), which then brings
 * in only the SHA-256 code.  OpenSSL 3 marks these calls deprecated (they
 * stay in 3.x); OPENSSL_SUPPRESS_DEPRECATED says we know.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "hash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

struct cbz_sha256_ctx {
    SHA256_CTX sha;
};

cbz_status cbz_sha256_new(cbz_sha256_ctx **out, cbz_error *err)
{
    *out = NULL;
    cbz_sha256_ctx *c = malloc(sizeof *c);
    if (!c) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory (SHA-256 context)");
    if (SHA256_Init(&c->sha) != 1) {
        free(c);
        return cbz_fail(err, CBZ_ERR_NOMEM, "OpenSSL could not start a SHA-256 digest");
    }
    *out = c;
    return CBZ_OK;
}

void cbz_sha256_update(cbz_sha256_ctx *c, const void *p, size_t n)
{
    if (n) SHA256_Update(&c->sha, p, n);
}

static void to_hex(const unsigned char *d, unsigned n, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < n; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[2 * n] = '\0';
}

void cbz_sha256_final_hex(cbz_sha256_ctx *c, char hex[65])
{
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256_Final(d, &c->sha);
    to_hex(d, SHA256_DIGEST_LENGTH, hex);
    cbz_sha256_free(c);
}

void cbz_sha256_free(cbz_sha256_ctx *c)
{
    if (!c) return;
    free(c);
}

void cbz_sha256_hex(const void *p, size_t n, char hex[65])
{
    /* not the one-shot SHA256(): in OpenSSL 3 it goes through EVP */
    SHA256_CTX c;
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256_Init(&c);
    SHA256_Update(&c, p, n);
    SHA256_Final(d, &c);
    to_hex(d, SHA256_DIGEST_LENGTH, hex);
}

cbz_status cbz_sha256_file_hex(const char *path, char hex[65], cbz_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return cbz_fail(err, CBZ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    cbz_sha256_ctx *c;
    cbz_status s = cbz_sha256_new(&c, err);
    if (s != CBZ_OK) {
        fclose(fp);
        return s;
    }
    unsigned char *blk = malloc(1 << 16);
    if (!blk) {
        fclose(fp);
        cbz_sha256_free(c);
        return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory (reading %s)", path);
    }
    size_t n;
    while ((n = fread(blk, 1, 1 << 16, fp)) > 0) cbz_sha256_update(c, blk, n);
    bool bad = ferror(fp) != 0;
    fclose(fp);
    free(blk);
    if (bad) {
        cbz_sha256_free(c);
        return cbz_fail(err, CBZ_ERR_IO, "%s: read failed", path);
    }
    cbz_sha256_final_hex(c, hex);
    return CBZ_OK;
}
