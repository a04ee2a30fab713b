/*
 * device.c — the `--device auto|cpu|gpu` routing policy, its threshold from
 * conf/device.yaml, and the fall-back to the CPU on device errors
 * (src/device.h states the rules).
 */
#include "device.h"
#include "config.h"

#include "gpu.h"
#include "internal.h"
#include "yaml_wrap.h"

#include <errno.h>
#include <limits.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

cbz_status cbz_device_parse(const char *s, cbz_device *out, cbz_error *err)
{
    if (s && strcasecmp(s, "auto") == 0) *out = CBZ_DEVICE_AUTO;
    else if (s && strcasecmp(s, "cpu") == 0) *out = CBZ_DEVICE_CPU;
    else if (s && strcasecmp(s, "gpu") == 0) *out = CBZ_DEVICE_GPU;
    else return cbz_fail(err, CBZ_ERR_USAGE, "--device wants auto, cpu or gpu, not '%s'", s ? s : "");
    return CBZ_OK;
}

const char *cbz_device_name(cbz_device d)
{
    switch (d) {
    case CBZ_DEVICE_CPU: return "cpu";
    case CBZ_DEVICE_GPU: return "gpu";
    default: return "auto";
    }
}

const char *cbz_device_conf_path(void)
{
    static char path[PATH_MAX + 32];
    return cbz_conf_locate("COBZIP_DEVICE_CONF", "device.yaml", path, sizeof path);
}

/* "123", "64K", "256M", "2G" (powers of 1024), or "never" (UINT64_MAX: auto
 * never picks the GPU).  False when not such a size. */
static bool parse_size(const char *s, uint64_t *out)
{
    if (s && strcmp(s, "never") == 0) {
        *out = UINT64_MAX;
        return true;
    }
    if (!s || *s < '0' || *s > '9') return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno) return false;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k') shift = 10, end++;
    else if (*end == 'M' || *end == 'm') shift = 20, end++;
    else if (*end == 'G' || *end == 'g') shift = 30, end++;
    if (*end != '\0') return false;
    if (shift && v > (UINT64_MAX >> shift)) return false;
    *out = (uint64_t)v << shift;
    return true;
}

cbz_status cbz_device_policy_init(cbz_device_policy *p, cbz_device requested,
                                  const char *conf_path, cbz_error *err)
{
    memset(p, 0, sizeof *p);
    p->requested = requested;
    p->gpu_min_bytes = CBZ_DEVICE_GPU_MIN_BYTES_DEFAULT;
    snprintf(p->origin, sizeof p->origin, "built-in");
    const char *path = conf_path ? conf_path : cbz_device_conf_path();
    if (!path) return CBZ_OK;
    cbz_ynode *root = NULL;
    cbz_status rc = cbz_yaml_load_file(path, &root, err);
    if (rc != CBZ_OK) {
        /* the YAML reader speaks of job decks; say it is a usage problem here */
        if (err) err->code = CBZ_ERR_USAGE;
        return CBZ_ERR_USAGE;
    }
    if (root->kind != CBZ_Y_MAP) {
        rc = cbz_fail(err, CBZ_ERR_USAGE, "%s:%d:%d: expected a map with gpu_min_bytes, found a %s",
                      path, root->line, root->column, cbz_ykind_name(root->kind));
        goto out;
    }
    for (size_t k = 0; k < root->n; k++) {
        const cbz_ynode *key = root->keys[k], *val = root->items[k];
        if (strcmp(key->scalar, "gpu_min_bytes") != 0) {
            rc = cbz_fail(err, CBZ_ERR_USAGE, "%s:%d:%d: unknown key '%s' (expected gpu_min_bytes)",
                          path, key->line, key->column, key->scalar);
            goto out;
        }
        uint64_t v;
        if (val->kind != CBZ_Y_SCALAR || !parse_size(val->scalar, &v)) {
            rc = cbz_fail(err, CBZ_ERR_USAGE,
                          "%s:%d:%d: gpu_min_bytes wants a byte count like 256M or 'never', not '%s'", path,
                          val->line, val->column, val->kind == CBZ_Y_SCALAR ? val->scalar : "(not a scalar)");
            goto out;
        }
        p->gpu_min_bytes = v;
        snprintf(p->origin, sizeof p->origin, "%.280s:%d:%d", path, val->line, val->column);
    }
out:
    cbz_ynode_free(root);
    return rc;
}

cbz_status cbz_device_decide(const cbz_device_policy *p, uint64_t job_bytes,
                             cbz_device_route *r, cbz_error *err)
{
    memset(r, 0, sizeof *r);
    switch (p->requested) {
    case CBZ_DEVICE_CPU:
        snprintf(r->why, sizeof r->why, "device cpu: requested");
        return CBZ_OK;
    case CBZ_DEVICE_GPU:
        if (!cbz_gpu_available()) {
            cbz_gpu_info info;
            cbz_error why;
            memset(&why, 0, sizeof why);
            (void)cbz_gpu_query(&info, &why);
            return cbz_fail(err, CBZ_ERR_DEVICE, "--device gpu: no usable GPU (%s)", why.msg);
        }
        r->use_gpu = true;
        snprintf(r->why, sizeof r->why, "device gpu: requested");
        return CBZ_OK;
    default:
        /* The size rules first: a job they keep on the CPU never probes the
         * GPU, so it never loads the CUDA backend (kernels/gpu_loader.c). */
        if (p->gpu_min_bytes == UINT64_MAX) {
            snprintf(r->why, sizeof r->why, "device auto: cpu (gpu_min_bytes is 'never' in %.120s)",
                     p->origin);
        } else if (job_bytes < p->gpu_min_bytes) {
            snprintf(r->why, sizeof r->why,
                     "device auto: cpu (%llu input bytes < gpu_min_bytes %llu from %.120s)",
                     (unsigned long long)job_bytes, (unsigned long long)p->gpu_min_bytes, p->origin);
        } else if (!cbz_gpu_available()) {
            cbz_gpu_info info;
            cbz_error why;
            memset(&why, 0, sizeof why);
            (void)cbz_gpu_query(&info, &why);
            snprintf(r->why, sizeof r->why, "device auto: cpu (no usable GPU: %.200s)", why.msg);
        } else {
            r->use_gpu = true;
            snprintf(r->why, sizeof r->why,
                     "device auto: gpu (%llu input bytes >= gpu_min_bytes %llu from %.120s)",
                     (unsigned long long)job_bytes, (unsigned long long)p->gpu_min_bytes, p->origin);
        }
        return CBZ_OK;
    }
}

void cbz_device_fall_back(cbz_device_route *r, const cbz_error *e, FILE *warn)
{
    if (!r->use_gpu) return;
    r->use_gpu = false;
    if (!r->fell_back && warn)
        fprintf(warn, "cobzip: warning: %s; continuing on the CPU\n",
                e && e->msg[0] ? e->msg : "GPU failed");
    r->fell_back = true;
    snprintf(r->why, sizeof r->why, "device: cpu after a GPU error");
}
