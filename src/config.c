/*
 * config.c — site defaults (conf/cobzip.yaml), environment overrides and the
 * precedence bookkeeping behind `cobzip run --show-config`.
 */
#include "config.h"
#include "internal.h"
#include "yaml_wrap.h"

#include <errno.h>
#include <limits.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const key_names[CBZ_CFG_COUNT] = { "codepage", "level", "threads", "device", "chunk_size" };
static const char *const env_names[CBZ_CFG_COUNT] = { "COBZIP_CODEPAGE", "COBZIP_LEVEL", "COBZIP_THREADS",
                                                      "COBZIP_DEVICE", "COBZIP_CHUNK_SIZE" };
static const char *const builtin_values[CBZ_CFG_COUNT] = { "cp037", "3", "1", "auto", "4194304" };

const char *cbz_config_key_name(cbz_config_key k) { return k < CBZ_CFG_COUNT ? key_names[k] : "?"; }
const char *cbz_config_env_name(cbz_config_key k) { return k < CBZ_CFG_COUNT ? env_names[k] : "?"; }

int cbz_config_key_find(const char *name)
{
    for (int k = 0; k < CBZ_CFG_COUNT; k++) {
        if (strcmp(name, key_names[k]) == 0) return k;
    }
    if (strcmp(name, "chunk-size") == 0) return CBZ_CFG_CHUNK_SIZE;
    return -1;
}

const char *cbz_config_source_name(cbz_config_source s)
{
    switch (s) {
    case CBZ_SRC_BUILTIN: return "built-in";
    case CBZ_SRC_CONF: return "conf";
    case CBZ_SRC_DECK: return "job deck";
    case CBZ_SRC_ENV: return "environment";
    case CBZ_SRC_CLI: return "command line";
    }
    return "?";
}

void cbz_config_init(cbz_config *c)
{
    memset(c, 0, sizeof *c);
    for (int k = 0; k < CBZ_CFG_COUNT; k++) {
        snprintf(c->items[k].value, sizeof c->items[k].value, "%s", builtin_values[k]);
        c->items[k].source = CBZ_SRC_BUILTIN;
    }
}

static bool parse_u64(const char *s, unsigned long long *v, char *suffix)
{
    char *end;
    if (!*s || *s == '-' || *s == '+') return false;
    errno = 0;
    *v = strtoull(s, &end, 10);
    if (errno || end == s) return false;
    *suffix = *end;
    if (*end && end[1]) return false;
    return true;
}

cbz_status cbz_config_check(cbz_config_key k, const char *value, const char *origin,
                            char canon[CBZ_CONFIG_VALUE_MAX], cbz_error *err)
{
    unsigned long long v;
    char suffix = 0;
    switch (k) {
    case CBZ_CFG_CODEPAGE: {
        const cbz_codepage *cp = cbz_codepage_find(value);
        CBZ_FAIL_IF(!cp, err, CBZ_ERR_USAGE, "%s: unknown code page '%s'", origin, value);
        snprintf(canon, CBZ_CONFIG_VALUE_MAX, "%s", cp->name);
        return CBZ_OK;
    }
    case CBZ_CFG_LEVEL:
        CBZ_FAIL_IF(!parse_u64(value, &v, &suffix) || suffix || v < 1 || v > 19, err, CBZ_ERR_USAGE,
                    "%s: level wants a whole number from 1 to 19, not '%s'", origin, value);
        snprintf(canon, CBZ_CONFIG_VALUE_MAX, "%llu", v);
        return CBZ_OK;
    case CBZ_CFG_THREADS:
        CBZ_FAIL_IF(!parse_u64(value, &v, &suffix) || suffix || v < 1 || v > 1024, err, CBZ_ERR_USAGE,
                    "%s: threads wants a whole number from 1 to 1024, not '%s'", origin, value);
        snprintf(canon, CBZ_CONFIG_VALUE_MAX, "%llu", v);
        return CBZ_OK;
    case CBZ_CFG_DEVICE:
        CBZ_FAIL_IF(strcasecmp(value, "auto") && strcasecmp(value, "cpu") && strcasecmp(value, "gpu"), err,
                    CBZ_ERR_USAGE, "%s: device wants auto, cpu or gpu, not '%s'", origin, value);
        snprintf(canon, CBZ_CONFIG_VALUE_MAX, "%s",
                 strcasecmp(value, "auto") == 0 ? "auto" : strcasecmp(value, "cpu") == 0 ? "cpu" : "gpu");
        return CBZ_OK;
    case CBZ_CFG_CHUNK_SIZE: {
        bool ok = parse_u64(value, &v, &suffix);
        unsigned long long mult = 1;
        if (ok && suffix) {
            switch (suffix) {
            case 'k': case 'K': mult = 1ull << 10; break;
            case 'm': case 'M': mult = 1ull << 20; break;
            case 'g': case 'G': mult = 1ull << 30; break;
            default: ok = false;
            }
        }
        ok = ok && v <= (1ull << 30) && v * mult >= 4096 && v * mult <= (1ull << 30);
        CBZ_FAIL_IF(!ok, err, CBZ_ERR_USAGE,
                    "%s: chunk_size wants bytes from 4096 to 1G (suffix K, M or G allowed), not '%s'",
                    origin, value);
        snprintf(canon, CBZ_CONFIG_VALUE_MAX, "%llu", v * mult);
        return CBZ_OK;
    }
    case CBZ_CFG_COUNT: break;
    }
    return cbz_fail(err, CBZ_ERR_USAGE, "%s: unknown setting", origin);
}

cbz_status cbz_config_set(cbz_config *c, cbz_config_key k, const char *value, cbz_config_source src,
                          const char *origin, cbz_error *err)
{
    char canon[CBZ_CONFIG_VALUE_MAX];
    CBZ_TRY(cbz_config_check(k, value, origin, canon, err));
    cbz_config_item *it = &c->items[k];
    if (src < it->source) return CBZ_OK;
    memcpy(it->value, canon, sizeof canon);
    it->source = src;
    snprintf(it->origin, sizeof it->origin, "%s", origin);
    return CBZ_OK;
}

cbz_status cbz_config_load_file(cbz_config *c, const char *path, cbz_error *err)
{
    cbz_ynode *root;
    CBZ_TRY(cbz_yaml_load_file(path, &root, err));
    cbz_status st = CBZ_OK;
    if (root->kind != CBZ_Y_MAP) {
        st = cbz_fail(err, CBZ_ERR_USAGE, "%s:%d:%d: expected a map of settings (codepage, level, threads, "
                      "device, chunk_size), found a %s", path, root->line, root->column,
                      cbz_ykind_name(root->kind));
    }
    for (size_t i = 0; st == CBZ_OK && i < root->n; i++) {
        const cbz_ynode *k = root->keys[i], *v = root->items[i];
        int key = cbz_config_key_find(k->scalar);
        if (key < 0) {
            st = cbz_fail(err, CBZ_ERR_USAGE, "%s:%d:%d: unknown setting '%s' (expected codepage, level, "
                          "threads, device or chunk_size)", path, k->line, k->column, k->scalar);
            break;
        }
        if (v->kind != CBZ_Y_SCALAR) {
            st = cbz_fail(err, CBZ_ERR_USAGE, "%s:%d:%d: %s wants a single value, found a %s", path, v->line,
                          v->column, k->scalar, cbz_ykind_name(v->kind));
            break;
        }
        char origin[CBZ_CONFIG_ORIGIN_MAX];
        snprintf(origin, sizeof origin, "%s:%d:%d", path, v->line, v->column);
        st = cbz_config_set(c, (cbz_config_key)key, v->scalar, CBZ_SRC_CONF, origin, err);
    }
    cbz_ynode_free(root);
    return st;
}

cbz_status cbz_config_apply_env(cbz_config *c, cbz_error *err)
{
    for (int k = 0; k < CBZ_CFG_COUNT; k++) {
        const char *v = getenv(env_names[k]);
        if (v && *v) CBZ_TRY(cbz_config_set(c, (cbz_config_key)k, v, CBZ_SRC_ENV, env_names[k], err));
    }
    return CBZ_OK;
}

const char *cbz_conf_locate(const char *env_var, const char *name, char *buf, size_t cap)
{
    struct stat st;
    const char *env = getenv(env_var);
    if (env && *env) return env;
    snprintf(buf, cap, "conf/%s", name);
    if (stat(buf, &st) == 0 && S_ISREG(st.st_mode)) return buf;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return NULL;
    *slash = '\0';
    snprintf(buf, cap, "%s/../conf/%s", exe, name);
    if (stat(buf, &st) == 0 && S_ISREG(st.st_mode)) return buf;
    return NULL;
}

const char *cbz_config_default_path(void)
{
    static char path[PATH_MAX + 32];
    return cbz_conf_locate("COBZIP_CONF", "cobzip.yaml", path, sizeof path);
}

void cbz_config_print(const cbz_config *c, FILE *out)
{
    for (int k = 0; k < CBZ_CFG_COUNT; k++) {
        const cbz_config_item *it = &c->items[k];
        fprintf(out, "%-11s %-12s %s%s%s%s\n", key_names[k], it->value, cbz_config_source_name(it->source),
                it->origin[0] ? " (" : "", it->origin, it->origin[0] ? ")" : "");
    }
}
