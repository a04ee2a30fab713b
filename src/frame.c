/*
 * frame.c — L1: cutting an input into chunks of whole records, and the record
 * headers (RDW/BDW) of a chunk as a side stream.
 *
 * Records are found with cbz_frame_next (records.c).  A chunk ends at the
 * first record boundary at or after the chunk size.  When framing fails (a bad
 * RDW, a short last record, a file that is not a multiple of the LRECL), the
 * chunk ends there and everything from that byte on is cut into raw chunks:
 * their bytes are kept as they are (the tail stream), so any input round-trips.
 *
 * The header bytes in front of each record are stored XOR their predicted
 * value: an RDW is predicted from its record's length, so well-formed headers
 * become zeros that the entropy stage removes.  A BDW (the first 4 of an 8-byte
 * gap) is kept as it is.
 */
#include "engine.h"
#include "records.h"

void cbz_framer_init(cbz_framer *f, const cbz_plan *plan, uint64_t chunk_size)
{
    memset(f, 0, sizeof *f);
    f->plan = plan;
    f->chunk_size = chunk_size ? chunk_size : CBZ_CHUNK_DEFAULT;
    f->raw = plan->mode != CBZ_MODE_RECORDS;
}

size_t cbz_framer_margin(const cbz_framer *f)
{
    size_t m = f->plan->fmt.lrecl > (1u << 16) ? f->plan->fmt.lrecl : (1u << 16);
    return m + 16;
}

bool cbz_framer_next(cbz_framer *f, const uint8_t *data, size_t avail, bool at_eof,
                     cbz_chunk_info *ci)
{
    memset(ci, 0, sizeof *ci);
    ci->in_offset = f->offset;
    ci->first_record = f->records;
    ci->block_left = f->block_left;
    if (avail == 0) return at_eof;
    if (!f->raw) {
        size_t margin = cbz_framer_margin(f);
        size_t pos = 0;
        uint64_t n = 0;
        uint32_t bl = f->block_left;
        while (pos < f->chunk_size) {
            /* the plain records in a run; cbz_frame_next the one after */
            n += cbz_frame_run(&f->plan->fmt, data, avail, &pos, (size_t)f->chunk_size, SIZE_MAX,
                               &bl, NULL, NULL);
            if (pos >= f->chunk_size) break;
            if (pos == avail) {
                if (!at_eof) return false;
                break;
            }
            size_t off, len, used;
            uint32_t bl_next = bl;
            cbz_status s = cbz_frame_next(&f->plan->fmt, data + pos, avail - pos, &bl_next, &off,
                                          &len, &used, NULL);
            if (s != CBZ_OK || used == 0 || used > avail - pos) {
                if (!at_eof && avail - pos < margin) return false;
                f->raw = true;
                break;
            }
            bl = bl_next;
            pos += used;
            n++;
        }
        if (pos > 0) {
            ci->in_len = pos;
            ci->n_records = n;
            f->offset += pos;
            f->records += n;
            f->block_left = bl;
            return true;
        }
    }
    /* Raw chunk: framing is off (generic member) or failed at this byte. */
    size_t len = avail < f->chunk_size ? avail : (size_t)f->chunk_size;
    if (len < f->chunk_size && !at_eof) return false;
    ci->raw = true;
    ci->in_len = len;
    f->offset += len;
    return true;
}

cbz_status cbz_frame_records(const cbz_plan *p, const uint8_t *data, size_t avail,
                             const cbz_chunk_info *ci, size_t *rec_off, size_t *rec_len,
                             cbz_error *err)
{
    size_t pos = 0;
    uint32_t bl = ci->block_left;
    /* no record may pass the chunk (the check below for the others) */
    const size_t run_len = ci->in_len < avail ? (size_t)ci->in_len : avail;
    for (uint64_t i = 0; i < ci->n_records; i++) {
        /* the plain records in a run; cbz_frame_next the one after */
        i += cbz_frame_run(&p->fmt, data, run_len, &pos, SIZE_MAX, (size_t)(ci->n_records - i), &bl,
                           rec_off + i, rec_len + i);
        if (i == ci->n_records) break;
        size_t off, len, used;
        cbz_status s = cbz_frame_next(&p->fmt, data + pos, avail - pos, &bl, &off, &len, &used, err);
        if (s != CBZ_OK) return s;
        CBZ_FAIL_IF(used == 0 || used > ci->in_len - pos || off + len > used, err, CBZ_ERR_DATA,
                    "record %llu at byte %llu frames differently than when the chunk was planned",
                    (unsigned long long)(ci->first_record + i + 1),
                    (unsigned long long)(ci->in_offset + pos));
        rec_off[i] = pos + off;
        rec_len[i] = len;
        pos += used;
    }
    CBZ_FAIL_IF(pos != ci->in_len, err, CBZ_ERR_DATA,
                "chunk at byte %llu: its %llu records end at byte %zu of %llu",
                (unsigned long long)ci->in_offset, (unsigned long long)ci->n_records, pos,
                (unsigned long long)ci->in_len);
    return CBZ_OK;
}
