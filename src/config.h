/*
 * config.h — site defaults for job steps (code page, level, threads, device,
 * chunk size) and where each effective value came from.
 *
 * Precedence, lowest first: built-in < conf/cobzip.yaml < job deck
 * (`defaults:` and a step's `parm:`) < environment (COBZIP_CODEPAGE,
 * COBZIP_LEVEL, COBZIP_THREADS, COBZIP_DEVICE, COBZIP_CHUNK_SIZE) < command line.
 */
#ifndef CBZ_CONFIG_H
#define CBZ_CONFIG_H

#include "cobzip.h"

typedef enum cbz_config_key {
    CBZ_CFG_CODEPAGE = 0,
    CBZ_CFG_LEVEL,
    CBZ_CFG_THREADS,
    CBZ_CFG_DEVICE,
    CBZ_CFG_CHUNK_SIZE,
    CBZ_CFG_COUNT
} cbz_config_key;

typedef enum cbz_config_source {
    CBZ_SRC_BUILTIN = 0,
    CBZ_SRC_CONF,
    CBZ_SRC_DECK,
    CBZ_SRC_ENV,
    CBZ_SRC_CLI
} cbz_config_source;

#define CBZ_CONFIG_VALUE_MAX 64
#define CBZ_CONFIG_ORIGIN_MAX 300
typedef struct cbz_config_item {
    char value[CBZ_CONFIG_VALUE_MAX];      /* canonical text (chunk size in bytes) */
    cbz_config_source source;
    char origin[CBZ_CONFIG_ORIGIN_MAX];    /* "conf/cobzip.yaml:3:11", "COBZIP_LEVEL", "--level" */
} cbz_config_item;

typedef struct cbz_config {
    cbz_config_item items[CBZ_CFG_COUNT];
} cbz_config;

/* Built-in values (cp037, level 3, threads 1, device auto, 4194304), source BUILTIN. */
void cbz_config_init(cbz_config *c);
/* "codepage", "level", "threads", "device", "chunk_size". */
const char *cbz_config_key_name(cbz_config_key k);
/* "COBZIP_CODEPAGE", ... */
const char *cbz_config_env_name(cbz_config_key k);
/* Key by name ("chunk_size" or "chunk-size"); -1 when unknown. */
int cbz_config_key_find(const char *name);
const char *cbz_config_source_name(cbz_config_source s);
/* Checks and canonicalises one value (level 1..19, threads 1..1024, device
 * auto|cpu|gpu, a known code page, chunk size 4096..1 GiB with optional K/M/G):
 * CBZ_ERR_USAGE naming `origin` when bad. */
cbz_status cbz_config_check(cbz_config_key k, const char *value, const char *origin,
                            char canon[CBZ_CONFIG_VALUE_MAX], cbz_error *err);
/* Sets one item when src is at least as strong as the current source. */
cbz_status cbz_config_set(cbz_config *c, cbz_config_key k, const char *value,
                          cbz_config_source src, const char *origin, cbz_error *err);
/* Reads a site file (a YAML map of the keys above); unknown keys are errors
 * with line:column. */
cbz_status cbz_config_load_file(cbz_config *c, const char *path, cbz_error *err);
/* Applies the COBZIP_* variables from the environment. */
cbz_status cbz_config_apply_env(cbz_config *c, cbz_error *err);
/* The site file to read: $COBZIP_CONF, else conf/cobzip.yaml under the current
 * directory, else ../conf/cobzip.yaml next to the running binary; NULL when
 * none exists.  Returned string is static or from getenv. */
const char *cbz_config_default_path(void);
/* Where a conf file `name` is: $env_var when set, else conf/NAME in the
 * current directory, else ../conf/NAME beside the executable; NULL when none
 * exists.  The path is written to buf (cap bytes) unless it came from the
 * environment. */
const char *cbz_conf_locate(const char *env_var, const char *name, char *buf, size_t cap);
/* One line per key: name, value, source and origin. */
void cbz_config_print(const cbz_config *c, FILE *out);

#endif
