/*
 * recfm.c — names of the record formats.
 */
#include "cobzip.h"

#include <strings.h>

cbz_status cbz_recfm_parse(const char *s, cbz_recfm *out, cbz_error *err)
{
    static const struct { const char *name; cbz_recfm r; } names[] = {
        { "F", CBZ_RECFM_F }, { "FB", CBZ_RECFM_FB }, { "V", CBZ_RECFM_V }, { "VB", CBZ_RECFM_VB },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(s, names[i].name) == 0) {
            *out = names[i].r;
            return CBZ_OK;
        }
    return cbz_fail(err, CBZ_ERR_USAGE, "unknown RECFM '%s' (expected F, FB, V or VB)", s);
}

const char *cbz_recfm_name(cbz_recfm r)
{
    switch (r) {
    case CBZ_RECFM_F: return "F";
    case CBZ_RECFM_FB: return "FB";
    case CBZ_RECFM_V: return "V";
    case CBZ_RECFM_VB: return "VB";
    }
    return "?";
}
