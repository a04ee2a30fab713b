/*
 * sha256.c — SHA-256 over OpenSSL's EVP interface: the digests of members,
 * restored files and manifests.  The only file that includes OpenSSL headers.
 */
#include "hash.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>

struct cbz_sha256_ctx {
    EVP_MD_CTX *md;
};

/* libcrypto without its configuration file: SHA-256 needs nothing from it,
 * and reading and parsing openssl.cnf cost about 3 ms of every run's start
 * (measured with strace on the project's VM).  Explicit initialisation must
 * come before any other call into libcrypto; later calls are no-ops. */
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void crypto_init(void) { (void)OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL); }

cbz_status cbz_sha256_new(cbz_sha256_ctx **out, cbz_error *err)
{
    *out = NULL;
    pthread_once(&init_once, crypto_init);
    cbz_sha256_ctx *c = malloc(sizeof *c);
    if (!c) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory (SHA-256 context)");
    c->md = EVP_MD_CTX_new();
    if (!c->md || EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(c->md);
        free(c);
        return cbz_fail(err, CBZ_ERR_NOMEM, "OpenSSL could not start a SHA-256 digest");
    }
    *out = c;
    return CBZ_OK;
}

void cbz_sha256_update(cbz_sha256_ctx *c, const void *p, size_t n)
{
    if (n) EVP_DigestUpdate(c->md, p, n);
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
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_DigestFinal_ex(c->md, d, &n);
    to_hex(d, n, hex);
    cbz_sha256_free(c);
}

void cbz_sha256_free(cbz_sha256_ctx *c)
{
    if (!c) return;
    EVP_MD_CTX_free(c->md);
    free(c);
}

void cbz_sha256_hex(const void *p, size_t n, char hex[65])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned dn = 0;
    pthread_once(&init_once, crypto_init);
    /* EVP_Digest allocates nothing that can fail for SHA-256 in practice; if it
     * does, report an all-zero digest that no real data will match. */
    if (EVP_Digest(p, n, d, &dn, EVP_sha256(), NULL) != 1) {
        memset(d, 0, 32);
        dn = 32;
    }
    to_hex(d, dn, hex);
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
