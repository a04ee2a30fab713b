/*
 * device.h — where the work runs: the `--device auto|cpu|gpu` routing policy,
 * its threshold from conf/device.yaml, and the fall-back to the CPU when the
 * GPU fails.  The GPU itself is reached only through kernels/gpu.h.
 *
 *  - cpu:  always the CPU.
 *  - gpu:  the GPU; CBZ_ERR_DEVICE ("--device gpu: no usable GPU: <why>",
 *          exit status 16) when none is usable.
 *  - auto: the GPU only when the job has at least gpu_min_bytes of input
 *          (below that the device's start-up and PCIe copies cost more than
 *          they save) and a GPU is usable; else the CPU.  The size is checked
 *          first, so a small job never probes the GPU nor loads the CUDA
 *          backend (kernels/gpu_loader.c).
 * Once running, any device error switches the rest of the job to the CPU
 * with one warning; the output is the same bytes either way, because the GPU
 * kernels are bit-exact twins of the CPU kernels.
 */
#ifndef CBZ_DEVICE_H
#define CBZ_DEVICE_H

#include "cobzip.h"

typedef enum cbz_device { CBZ_DEVICE_AUTO = 0, CBZ_DEVICE_CPU = 1, CBZ_DEVICE_GPU = 2 } cbz_device;

/* "auto", "cpu", "gpu" (any case).  CBZ_ERR_USAGE otherwise. */
cbz_status cbz_device_parse(const char *s, cbz_device *out, cbz_error *err);
const char *cbz_device_name(cbz_device d);

/* Built-in threshold when no conf/device.yaml is found. */
#define CBZ_DEVICE_GPU_MIN_BYTES_DEFAULT ((uint64_t)256 << 20)

typedef struct cbz_device_policy {
    cbz_device requested;
    uint64_t gpu_min_bytes;  /* auto: smallest input routed to the GPU */
    char origin[320];        /* "conf/device.yaml:7:16" or "built-in" */
} cbz_device_policy;

/* Path of the device settings: $COBZIP_DEVICE_CONF, else conf/device.yaml in
 * the working directory, else ../conf/device.yaml beside the executable;
 * NULL when none exists. */
const char *cbz_device_conf_path(void);

/* Sets up the policy for `requested`, reading the threshold from conf_path
 * (NULL: cbz_device_conf_path(); built-in when that finds none).  The file
 * is a YAML map; its key gpu_min_bytes takes a byte count with an optional
 * K, M or G suffix (powers of 1024), or `never` (stored as UINT64_MAX): auto
 * then always picks the CPU.  Unknown keys and bad values are
 * CBZ_ERR_USAGE naming file:line:column. */
cbz_status cbz_device_policy_init(cbz_device_policy *p, cbz_device requested,
                                  const char *conf_path, cbz_error *err);

/* The decision for one job of job_bytes input bytes. */
typedef struct cbz_device_route {
    bool use_gpu;
    bool fell_back;          /* a device error moved the job to the CPU */
    char why[256];           /* one line for verbose output / job logs */
} cbz_device_route;

/* Decides.  CBZ_ERR_DEVICE only for requested == gpu without a usable GPU. */
cbz_status cbz_device_decide(const cbz_device_policy *p, uint64_t job_bytes,
                             cbz_device_route *r, cbz_error *err);

/* Call when a GPU call of the job failed with e: switches the route to the
 * CPU and, the first time, writes "cobzip: warning: <e's message>; continuing
 * on the CPU" to warn (when not NULL). */
void cbz_device_fall_back(cbz_device_route *r, const cbz_error *e, FILE *warn);

#endif
