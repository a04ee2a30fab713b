/*
 * error.c — the status names and cbz_fail(), the one way an error gets its
 * reason attached (in the manner of zstd's RETURN_ERROR_IF).
 */
#include "cobzip.h"

#include <stdarg.h>
#include <stdio.h>

const char *cbz_status_name(cbz_status s)
{
    switch (s) {
    case CBZ_OK: return "ok";
    case CBZ_ERR_IO: return "io";
    case CBZ_ERR_NOMEM: return "nomem";
    case CBZ_ERR_USAGE: return "usage";
    case CBZ_ERR_COPYBOOK: return "copybook";
    case CBZ_ERR_DATA: return "data";
    case CBZ_ERR_FORMAT: return "format";
    case CBZ_ERR_CHECKSUM: return "checksum";
    case CBZ_ERR_UNSUPPORTED: return "unsupported";
    case CBZ_ERR_EXISTS: return "exists";
    case CBZ_ERR_DEVICE: return "device";
    case CBZ_ERR_JOB: return "job";
    case CBZ_ERR_LIMIT: return "limit";
    case CBZ_ERR_VALUE: return "value";
    }
    return "unknown";
}

cbz_status cbz_fail(cbz_error *err, cbz_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}
