/*
 * records.c — record framing (RECFM F/FB/V/VB): the buffer framer shared by
 * convert's reader and the engine's L1, the streaming reader, and the writer.
 *
 * Header layouts (each 4 bytes; "be" is the IBM form, "le" the byte-reversed
 * form that Cobrix and PC tools write):
 *
 *   RDW, be:  LL LL 00 00   LL = record length, big-endian
 *   RDW, le:  00 00 ll ll   ll = record length, little-endian
 *   BDW, be:  LL LL 00 00   LL = block length (bit 0x8000 clear)
 *   BDW, be extended: 1x xx xx xx   31-bit block length (first bit set)
 *   BDW, le:  the same four bytes in reverse order
 *
 * By default a length counts its own 4 header bytes (IBM); with
 * rdw_payload_only it counts only what follows (both RDW and BDW).  The two
 * reserved bytes of an RDW must be zero: non-zero there means spanned segments
 * or not an RDW at all, and is reported rather than guessed at.
 */
#include "records.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * The framer.
 * ---------------------------------------------------------------------- */
typedef enum frame_result { FRAME_OK, FRAME_SHORT, FRAME_BAD } frame_result;

/* Where a message should say an error happened. */
typedef struct frame_where {
    const char *file;   /* NULL: offsets are relative to the buffer */
    uint64_t base;      /* file offset of buf[0] */
    uint64_t recno;     /* 1-based number of the record being framed; 0: unknown */
} frame_where;

static void where_prefix(const frame_where *w, uint64_t off, char *out, size_t cap)
{
    if (w->file && w->recno)
        snprintf(out, cap, "%s: record %llu at byte offset %llu", w->file,
                 (unsigned long long)w->recno, (unsigned long long)(w->base + off));
    else if (w->file)
        snprintf(out, cap, "%s: byte offset %llu", w->file, (unsigned long long)(w->base + off));
    else
        snprintf(out, cap, "byte offset %llu", (unsigned long long)(w->base + off));
}

/* Reads a 4-byte header: *length and whether the reserved half is zero.  For a
 * BDW, the extended 31-bit form is recognised. */
static uint32_t header_length(const uint8_t *h, bool little_endian, bool is_bdw, bool *reserved_zero,
                              bool *extended)
{
    uint8_t b[4];
    if (little_endian) { b[0] = h[3]; b[1] = h[2]; b[2] = h[1]; b[3] = h[0]; }
    else memcpy(b, h, 4);
    *extended = false;
    if (is_bdw && (b[0] & 0x80)) {
        *extended = true;
        *reserved_zero = true;
        return ((uint32_t)(b[0] & 0x7F) << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
    }
    *reserved_zero = b[2] == 0 && b[3] == 0;
    return (uint32_t)b[0] << 8 | b[1];
}

static void put_header(uint8_t *h, uint32_t length, bool little_endian, bool extended)
{
    uint8_t b[4];
    if (extended) {
        b[0] = (uint8_t)(0x80 | (length >> 24)); b[1] = (uint8_t)(length >> 16);
        b[2] = (uint8_t)(length >> 8); b[3] = (uint8_t)length;
    } else {
        b[0] = (uint8_t)(length >> 8); b[1] = (uint8_t)length; b[2] = 0; b[3] = 0;
    }
    if (little_endian) { h[0] = b[3]; h[1] = b[2]; h[2] = b[1]; h[3] = b[0]; }
    else memcpy(h, b, 4);
}

static void hex4(const uint8_t *p, char out[12])
{
    snprintf(out, 12, "%02X%02X%02X%02X", p[0], p[1], p[2], p[3]);
}

/* Frames one record.  FRAME_SHORT sets *need to the number of bytes that would
 * be needed from buf[0] (the caller may read more, or report a short tail). */
static frame_result frame_one(const cbz_record_format *fmt, const uint8_t *buf, size_t len,
                              uint32_t *block_left, size_t *payload_off, size_t *payload_len,
                              size_t *consumed, size_t *need, bool *short_header, const frame_where *w,
                              cbz_error *err)
{
    char at[320], hx[12];
    *need = 0;
    *short_header = true;
    if (fmt->recfm == CBZ_RECFM_F || fmt->recfm == CBZ_RECFM_FB) {
        if (fmt->lrecl == 0) {
            where_prefix(w, 0, at, sizeof at);
            cbz_fail(err, CBZ_ERR_USAGE, "%s: RECFM %s needs an LRECL (from the copybook or --lrecl)",
                     at, cbz_recfm_name(fmt->recfm));
            return FRAME_BAD;
        }
        if (len < fmt->lrecl) { *need = fmt->lrecl; *short_header = false; return FRAME_SHORT; }
        *payload_off = 0;
        *payload_len = fmt->lrecl;
        *consumed = fmt->lrecl;
        return FRAME_OK;
    }

    size_t pos = 0;
    uint32_t left = *block_left;
    bool blocked = fmt->recfm == CBZ_RECFM_VB;
    bool reserved_zero, extended;
    while (blocked && left == 0) {   /* a new block (empty blocks are skipped) */
        if (len - pos < 4) { *need = pos + 4; return FRAME_SHORT; }
        uint32_t bl = header_length(buf + pos, fmt->rdw_little_endian, true, &reserved_zero, &extended);
        uint32_t hdr_counted = fmt->rdw_payload_only ? 0 : 4;
        if (!reserved_zero || bl < hdr_counted) {
            where_prefix(w, pos, at, sizeof at);
            hex4(buf + pos, hx);
            cbz_fail(err, CBZ_ERR_DATA,
                     "%s: invalid BDW %s (block length %u%s; expected %s with %s)", at, hx,
                     (unsigned)bl, reserved_zero ? " is less than its 4-byte header" : ", reserved bytes not zero",
                     fmt->rdw_little_endian ? "little-endian" : "big-endian",
                     fmt->rdw_payload_only ? "length of the records only" : "length including the BDW");
            return FRAME_BAD;
        }
        left = bl - hdr_counted;
        pos += 4;
    }

    if (len - pos < 4) { *need = pos + 4; return FRAME_SHORT; }
    uint32_t rl = header_length(buf + pos, fmt->rdw_little_endian, false, &reserved_zero, &extended);
    uint32_t payload = fmt->rdw_payload_only ? rl : rl - 4;
    if (!reserved_zero || (!fmt->rdw_payload_only && rl < 4)) {
        where_prefix(w, pos, at, sizeof at);
        hex4(buf + pos, hx);
        cbz_fail(err, CBZ_ERR_DATA,
                 "%s: invalid RDW %s (%s; expected %s RDW with %s)", at, hx,
                 reserved_zero ? "length less than the 4-byte header" : "reserved bytes not zero",
                 fmt->rdw_little_endian ? "a little-endian" : "a big-endian",
                 fmt->rdw_payload_only ? "the payload length" : "the length including the RDW");
        return FRAME_BAD;
    }
    if (fmt->lrecl && payload > fmt->lrecl) {
        where_prefix(w, pos, at, sizeof at);
        cbz_fail(err, CBZ_ERR_DATA, "%s: RDW says %u payload bytes, more than the maximum LRECL %u",
                 at, (unsigned)payload, (unsigned)fmt->lrecl);
        return FRAME_BAD;
    }
    if (blocked && (uint64_t)payload + 4 > left) {
        where_prefix(w, pos, at, sizeof at);
        cbz_fail(err, CBZ_ERR_DATA, "%s: record of %u bytes (with RDW) overruns its block (%u bytes left)",
                 at, (unsigned)payload + 4, (unsigned)left);
        return FRAME_BAD;
    }
    if (len - pos - 4 < payload) {
        *need = pos + 4 + payload;
        *short_header = false;
        return FRAME_SHORT;
    }
    if (blocked) {
        left -= payload + 4;
        if (left > 0 && left < 4) {
            where_prefix(w, pos + 4 + payload, at, sizeof at);
            cbz_fail(err, CBZ_ERR_DATA, "%s: %u bytes left in the block, too few for an RDW",
                     at, (unsigned)left);
            return FRAME_BAD;
        }
    }
    *payload_off = pos + 4;
    *payload_len = payload;
    *consumed = pos + 4 + payload;
    *block_left = left;
    return FRAME_OK;
}

static cbz_status short_tail(const cbz_record_format *fmt, size_t len, size_t need, bool header,
                             const frame_where *w, cbz_error *err)
{
    char at[320];
    where_prefix(w, 0, at, sizeof at);
    if (fmt->recfm == CBZ_RECFM_F || fmt->recfm == CBZ_RECFM_FB) {
        if (w->file)
            return cbz_fail(err, CBZ_ERR_DATA,
                            "%s: file size %llu is not a multiple of LRECL %u (remainder %zu bytes)",
                            w->file, (unsigned long long)(w->base + len), (unsigned)fmt->lrecl, len);
        return cbz_fail(err, CBZ_ERR_DATA, "%s: %zu bytes left, less than LRECL %u", at, len,
                        (unsigned)fmt->lrecl);
    }
    return cbz_fail(err, CBZ_ERR_DATA, "%s: truncated %s: %zu bytes left, %zu needed", at,
                    header ? "header" : "record", len, need);
}

cbz_status cbz_frame_next(const cbz_record_format *fmt, const uint8_t *buf, size_t len,
                          uint32_t *block_left, size_t *payload_off, size_t *payload_len,
                          size_t *consumed, cbz_error *err)
{
    frame_where w = { NULL, 0, 0 };
    size_t need;
    bool header;
    frame_result r = frame_one(fmt, buf, len, block_left, payload_off, payload_len, consumed, &need,
                               &header, &w, err);
    if (r == FRAME_OK) return CBZ_OK;
    if (r == FRAME_BAD) return err ? err->code : CBZ_ERR_DATA;
    if (!err) return CBZ_ERR_DATA;
    return short_tail(fmt, len, need, header, &w, err);
}

/* cbz_frame_run's V/VB loop: frame_one's path for an RDW in an open block
 * (or unblocked), well formed and whole in buf; anything else is left to
 * frame_one.  The header form, blocking and whether the places are wanted
 * are constants in each copy. */
static inline __attribute__((always_inline)) size_t frame_run_v(
    const uint8_t *buf, size_t len, size_t *pos, size_t stop, size_t max_n, uint32_t *block_left,
    size_t *rec_off, size_t *rec_len, uint32_t lrecl, bool blocked, bool le, bool payload_only,
    bool places)
{
    size_t at = *pos, n = 0;
    /* VB: the open block's end; a record must end by it and by the buffer's */
    const size_t bend = blocked ? at + *block_left : SIZE_MAX;
    const size_t end = bend < len ? bend : len;
    /* One bound for the loop (a record every 77 bytes of vb.dat: four tests
     * of the loop's own were a third of the framing's instructions; 53 -> 40
     * million with one): a header starts before stop with its 4 bytes by
     * end.  The records it leaves out break out of the loop below anyway,
     * none framed: at the block's end (at == bend), 1..3 bytes before it or
     * before the buffer's end (no record fits). */
    const size_t hdr_end = end >= 4 ? end - 3 : 0, lim = stop < hdr_end ? stop : hdr_end;
    while (at < lim && n < max_n) {
        const uint8_t *h = buf + at;
        /* header_length's RDW form: LL LL 00 00, or 00 00 ll ll reversed */
        const uint32_t rl = le ? (uint32_t)h[3] << 8 | h[2] : (uint32_t)h[0] << 8 | h[1];
        const bool reserved_zero = le ? (h[0] | h[1]) == 0 : (h[2] | h[3]) == 0;
        if (!reserved_zero || (!payload_only && rl < 4)) break;
        const uint32_t payload = payload_only ? rl : rl - 4;
        if (lrecl && payload > lrecl) break;
        const size_t next = at + 4 + (size_t)payload;
        if (next > end) break;                        /* overruns its block or the buffer */
        if (blocked && bend - next - 1 < 3) break;    /* 1..3 bytes left in the block */
        if (places) {
            rec_off[n] = at + 4;
            rec_len[n] = payload;
        }
        n++;
        at = next;
    }
    *pos = at;
    if (blocked) *block_left = (uint32_t)(bend - at);
    return n;
}

size_t cbz_frame_run(const cbz_record_format *fmt, const uint8_t *buf, size_t len, size_t *pos,
                     size_t stop, size_t max_n, uint32_t *block_left, size_t *rec_off,
                     size_t *rec_len)
{
    const size_t at = *pos;
    if (fmt->recfm == CBZ_RECFM_F || fmt->recfm == CBZ_RECFM_FB) {
        const size_t l = fmt->lrecl;
        if (l == 0 || at >= stop || len - at < l) return 0;
        /* records that start before stop, whole in buf, at most max_n */
        size_t n = (len - at) / l;
        /* (stop - at) + (l - 1) must not wrap: stop may be SIZE_MAX */
        const size_t span = stop - at, before = span / l + (span % l != 0);
        n = n < before ? n : before;
        n = n < max_n ? n : max_n;
        for (size_t i = 0; rec_off && i < n; i++) {
            rec_off[i] = at + i * l;
            rec_len[i] = l;
        }
        *pos = at + n * l;
        return n;
    }
    const uint32_t lrecl = fmt->lrecl;
    /* IBM's form (big-endian, lengths with the header) is the common one;
     * the chunk planner wants no places, the chunk's framing does */
    if (!fmt->rdw_little_endian && !fmt->rdw_payload_only) {
        const bool vb = fmt->recfm == CBZ_RECFM_VB;
        if (vb && rec_off)
            return frame_run_v(buf, len, pos, stop, max_n, block_left, rec_off, rec_len, lrecl,
                               true, false, false, true);
        if (vb)
            return frame_run_v(buf, len, pos, stop, max_n, block_left, NULL, NULL, lrecl, true,
                               false, false, false);
        return frame_run_v(buf, len, pos, stop, max_n, block_left, rec_off, rec_len, lrecl, false,
                           false, false, rec_off != NULL);
    }
    return frame_run_v(buf, len, pos, stop, max_n, block_left, rec_off, rec_len, lrecl,
                       fmt->recfm == CBZ_RECFM_VB, fmt->rdw_little_endian, fmt->rdw_payload_only,
                       rec_off != NULL);
}

/* ------------------------------------------------------------------------
 * Input: a file (mapped when it is a regular file), stdin, or the output of
 * gzip/bzip2 -dc for a compressed file; a file header and trailer of fixed
 * sizes are cut off.  The unread part is a window [data, data + avail).
 * ---------------------------------------------------------------------- */
#define INPUT_READ_MIN (1u << 20)
#define INPUT_RELEASE_STEP (64u << 20)   /* mapped input: give back pages read, in steps */

struct cbz_input {
    char *name;
    int fd;
    bool owns_fd;
    pid_t child;              /* decompressor, -1 when none */
    const char *tool;         /* its name, for messages */
    uint8_t *map;             /* mapped regular file, NULL when streaming */
    size_t map_len;
    size_t map_pos;           /* unread part: map[map_pos .. map_end) */
    size_t map_end;
    size_t map_released;      /* pages below this were given back */
    uint8_t *buf;             /* streaming: unread bytes are buf[start..end) */
    size_t cap, start, end;
    bool at_eof;              /* the stream has no more bytes */
    uint64_t skip_left;       /* header bytes still to drop (streaming) */
    uint64_t end_offset;      /* trailer bytes held back */
    uint64_t offset;          /* file offset of the first unread byte */
    uint64_t size;            /* payload size when known, else UINT64_MAX */
};

static const char *compressed_tool(const uint8_t *m, size_t n)
{
    if (n >= 2 && m[0] == 0x1F && m[1] == 0x8B) return "gzip";
    if (n >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') return "bzip2";
    return NULL;
}

/* Runs `tool -dc -- path` with its stdout on a pipe (no shell is involved). */
static cbz_status spawn_decompressor(cbz_input *in, const char *tool, const char *path, cbz_error *err)
{
    int p[2];
    if (pipe(p) != 0) return cbz_fail(err, CBZ_ERR_IO, "%s: pipe: %s", path, strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return cbz_fail(err, CBZ_ERR_IO, "%s: fork: %s", path, strerror(errno));
    }
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execlp(tool, tool, "-dc", "--", path, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    in->fd = p[0];
    in->owns_fd = true;
    in->child = pid;
    in->tool = tool;
    return CBZ_OK;
}

/* Waits for the decompressor; an error when it failed (corrupt input). */
static cbz_status reap_child(cbz_input *in, cbz_error *err)
{
    if (in->child < 0) return CBZ_OK;
    int st = 0;
    pid_t pid = in->child;
    in->child = -1;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return cbz_fail(err, CBZ_ERR_IO, "%s: waiting for %s: %s", in->name, in->tool, strerror(errno));
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return CBZ_OK;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        return cbz_fail(err, CBZ_ERR_IO, "%s: cannot run %s to decompress it", in->name, in->tool);
    return cbz_fail(err, CBZ_ERR_DATA, "%s: %s -dc failed (%s %d): the compressed file is corrupt or truncated",
                    in->name, in->tool, WIFEXITED(st) ? "exit status" : "signal",
                    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

void cbz_input_close(cbz_input *in)
{
    if (!in) return;
    if (in->map) munmap(in->map, in->map_len);
    if (in->owns_fd && in->fd >= 0) close(in->fd);
    if (in->child > 0) {
        kill(in->child, SIGTERM);
        int st;
        while (waitpid(in->child, &st, 0) < 0 && errno == EINTR) {}
    }
    free(in->buf);
    free(in->name);
    free(in);
}

cbz_status cbz_input_open(const char *path, const cbz_input_options *opt, cbz_input **out, cbz_error *err)
{
    *out = NULL;
    cbz_input_options none = { 0 };
    if (!opt) opt = &none;
    cbz_input *in = calloc(1, sizeof *in);
    if (!in) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    in->fd = -1;
    in->child = -1;
    in->size = UINT64_MAX;
    in->end_offset = opt->end_offset;
    in->skip_left = opt->start_offset;
    in->offset = opt->start_offset;
    bool is_stdin = strcmp(path, "-") == 0;
    in->name = strdup(is_stdin ? "(stdin)" : path);
    if (!in->name) { free(in); return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory"); }
    cbz_status s = CBZ_OK;
    if (is_stdin) {
        in->fd = 0;
        *out = in;
        return CBZ_OK;
    }
    in->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (in->fd < 0) {
        s = cbz_fail(err, CBZ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        cbz_input_close(in);
        return s;
    }
    in->owns_fd = true;
    struct stat st;
    bool regular = fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode);
    uint8_t magic[4];
    ssize_t got = regular ? pread(in->fd, magic, sizeof magic, 0) : -1;
    const char *tool = got > 0 && !opt->no_decompress ? compressed_tool(magic, (size_t)got) : NULL;
    if (tool) {
        close(in->fd);
        in->fd = -1;
        in->owns_fd = false;
        s = spawn_decompressor(in, tool, path, err);
        if (s != CBZ_OK) { cbz_input_close(in); return s; }
        *out = in;
        return CBZ_OK;
    }
    if (regular) {
        uint64_t fsize = (uint64_t)st.st_size;
        if (opt->start_offset > fsize || opt->end_offset > fsize - opt->start_offset) {
            s = cbz_fail(err, CBZ_ERR_DATA,
                         "%s: file size %llu is less than the header and trailer to skip "
                         "(--file-start-offset %llu + --file-end-offset %llu)",
                         path, (unsigned long long)fsize, (unsigned long long)opt->start_offset,
                         (unsigned long long)opt->end_offset);
            cbz_input_close(in);
            return s;
        }
        in->size = fsize - opt->start_offset - opt->end_offset;
        if (!opt->no_mmap && fsize > 0 && fsize <= SIZE_MAX) {
            void *m = mmap(NULL, (size_t)fsize, PROT_READ, MAP_PRIVATE, in->fd, 0);
            if (m != MAP_FAILED) {
                in->map = m;
                in->map_len = (size_t)fsize;
                in->map_pos = (size_t)opt->start_offset;
                in->map_end = (size_t)(fsize - opt->end_offset);
                in->at_eof = true;
                in->skip_left = 0;
                madvise(m, (size_t)fsize, MADV_SEQUENTIAL);
            }
        }
    }
    *out = in;
    return CBZ_OK;
}

const char *cbz_input_name(const cbz_input *in) { return in->name; }
uint64_t cbz_input_size(const cbz_input *in) { return in->size; }
uint64_t cbz_input_offset(const cbz_input *in) { return in->offset; }

const uint8_t *cbz_input_data(const cbz_input *in)
{
    return in->map ? in->map + in->map_pos : in->buf + in->start;
}

size_t cbz_input_avail(const cbz_input *in)
{
    if (in->map) return in->map_end - in->map_pos;
    size_t raw = in->end - in->start;
    return raw > in->end_offset ? raw - (size_t)in->end_offset : 0;
}

bool cbz_input_eof(const cbz_input *in) { return in->at_eof; }

cbz_status cbz_input_fill(cbz_input *in, size_t want, cbz_error *err)
{
    if (in->map || in->at_eof || cbz_input_avail(in) >= want) return CBZ_OK;
    if (in->start > 0) {
        memmove(in->buf, in->buf + in->start, in->end - in->start);
        in->end -= in->start;
        in->start = 0;
    }
    size_t need = want + (size_t)in->end_offset;
    size_t target = need > INPUT_READ_MIN ? need : INPUT_READ_MIN;
    if (in->cap < target) {
        uint8_t *nb = realloc(in->buf, target);
        if (!nb) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory (input buffer of %zu bytes)", target);
        in->buf = nb;
        in->cap = target;
    }
    while (in->end < need && !in->at_eof) {
        ssize_t n = read(in->fd, in->buf + in->end, in->cap - in->end);
        if (n < 0) {
            if (errno == EINTR) continue;
            return cbz_fail(err, CBZ_ERR_IO, "%s: read failed: %s", in->name, strerror(errno));
        }
        if (n == 0) {
            in->at_eof = true;
            CBZ_TRY(reap_child(in, err));
            break;
        }
        size_t got = (size_t)n;
        if (in->skip_left) {    /* the file header: dropped as it arrives */
            size_t drop = in->skip_left < got ? (size_t)in->skip_left : got;
            memmove(in->buf + in->end, in->buf + in->end + drop, got - drop);
            got -= drop;
            in->skip_left -= drop;
        }
        in->end += got;
    }
    if (in->at_eof && (in->skip_left || in->end - in->start < in->end_offset))
        return cbz_fail(err, CBZ_ERR_DATA, "%s: the input ends inside the header or trailer to skip "
                        "(--file-start-offset / --file-end-offset)", in->name);
    return CBZ_OK;
}

void cbz_input_consume(cbz_input *in, size_t n)
{
    in->offset += n;
    if (!in->map) {
        in->start += n;
        return;
    }
    in->map_pos += n;
    /* Pages already read are given back, so memory stays bounded by what is
     * in use rather than by the file size. */
    if (in->map_pos - in->map_released >= INPUT_RELEASE_STEP) {
        long pg = sysconf(_SC_PAGESIZE);
        size_t upto = pg > 0 ? in->map_pos / (size_t)pg * (size_t)pg : 0;
        if (upto > in->map_released) {
            madvise(in->map + in->map_released, upto - in->map_released, MADV_DONTNEED);
            in->map_released = upto;
        }
    }
}

/* ------------------------------------------------------------------------
 * Streaming reader.
 * ---------------------------------------------------------------------- */
struct cbz_record_reader {
    cbz_input *in;
    cbz_record_format fmt;
    uint32_t block_left;
    uint64_t recno;
    uint64_t rec_offset;
    size_t pending;           /* bytes of the last record, consumed at the next call */
};

cbz_status cbz_reader_open(const char *path, const cbz_record_format *fmt,
                           cbz_record_reader **out, cbz_error *err)
{
    return cbz_reader_open_ex(path, fmt, NULL, out, err);
}

cbz_status cbz_fixed_size_check(const cbz_record_format *fmt, const cbz_input *in, cbz_error *err)
{
    uint64_t size = cbz_input_size(in);
    if ((fmt->recfm != CBZ_RECFM_F && fmt->recfm != CBZ_RECFM_FB) || fmt->lrecl == 0 || size == UINT64_MAX ||
        size % fmt->lrecl == 0)
        return CBZ_OK;
    return cbz_fail(err, CBZ_ERR_DATA,
                    "%s: file size %llu%s is not a multiple of LRECL %u (%llu whole records, remainder %llu bytes)",
                    cbz_input_name(in), (unsigned long long)size,
                    cbz_input_offset(in) ? " (after the header and trailer skipped)" : "",
                    (unsigned)fmt->lrecl, (unsigned long long)size / fmt->lrecl,
                    (unsigned long long)size % fmt->lrecl);
}

cbz_status cbz_reader_open_ex(const char *path, const cbz_record_format *fmt, const cbz_input_options *io,
                              cbz_record_reader **out, cbz_error *err)
{
    *out = NULL;
    if ((fmt->recfm == CBZ_RECFM_F || fmt->recfm == CBZ_RECFM_FB) && fmt->lrecl == 0)
        return cbz_fail(err, CBZ_ERR_USAGE, "%s: RECFM %s needs an LRECL (from the copybook or --lrecl)",
                        path, cbz_recfm_name(fmt->recfm));
    cbz_record_reader *r = calloc(1, sizeof *r);
    if (!r) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    r->fmt = *fmt;
    cbz_status s = cbz_input_open(path, io, &r->in, err);
    /* A regular file's size is known: a wrong size for the LRECL fails now,
     * before any output is written. */
    if (s == CBZ_OK) s = cbz_fixed_size_check(fmt, r->in, err);
    if (s != CBZ_OK) { cbz_reader_close(r); return s; }
    *out = r;
    return CBZ_OK;
}

cbz_status cbz_reader_next(cbz_record_reader *r, const uint8_t **rec, size_t *len, bool *eof,
                           cbz_error *err)
{
    *eof = false;
    cbz_input_consume(r->in, r->pending);
    r->pending = 0;
    size_t want = r->fmt.recfm == CBZ_RECFM_F || r->fmt.recfm == CBZ_RECFM_FB ? r->fmt.lrecl : 8;
    for (;;) {
        CBZ_TRY(cbz_input_fill(r->in, want, err));
        size_t avail = cbz_input_avail(r->in);
        const uint8_t *data = cbz_input_data(r->in);
        uint64_t base = cbz_input_offset(r->in);
        if (avail == 0 && cbz_input_eof(r->in)) {
            if (r->block_left)
                return cbz_fail(err, CBZ_ERR_DATA, "%s: byte offset %llu: the last block ends early "
                                "(%u bytes of it missing)", cbz_input_name(r->in),
                                (unsigned long long)base, (unsigned)r->block_left);
            *eof = true;
            return CBZ_OK;
        }
        frame_where w = { cbz_input_name(r->in), base, r->recno + 1 };
        size_t off, plen, used, need;
        bool header;
        frame_result fr = frame_one(&r->fmt, data, avail, &r->block_left, &off, &plen,
                                    &used, &need, &header, &w, err);
        if (fr == FRAME_BAD) return err ? err->code : CBZ_ERR_DATA;
        if (fr == FRAME_SHORT) {
            if (cbz_input_eof(r->in)) return short_tail(&r->fmt, avail, need, header, &w, err);
            want = need;
            continue;
        }
        r->recno++;
        r->rec_offset = base + off;
        *rec = data + off;
        *len = plen;
        r->pending = used;
        return CBZ_OK;
    }
}

uint64_t cbz_reader_record_number(const cbz_record_reader *r) { return r->recno; }
uint64_t cbz_reader_record_offset(const cbz_record_reader *r) { return r->rec_offset; }

void cbz_reader_close(cbz_record_reader *r)
{
    if (!r) return;
    cbz_input_close(r->in);
    free(r);
}

/* ------------------------------------------------------------------------
 * Writer.
 * ---------------------------------------------------------------------- */
/* Largest VB block written with a classic BDW (z/OS BLKSIZE limit for V). */
#define VB_BLOCK_MAX 32760u

struct cbz_record_writer {
    FILE *fp;
    cbz_record_format fmt;
    cbz_buf block;            /* VB: records of the pending block (without BDW) */
    uint64_t recno;
};

cbz_status cbz_writer_open(FILE *fp, const cbz_record_format *fmt, cbz_record_writer **out,
                           cbz_error *err)
{
    *out = NULL;
    cbz_record_writer *w = calloc(1, sizeof *w);
    if (!w) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    w->fp = fp;
    w->fmt = *fmt;
    cbz_buf_init(&w->block);
    *out = w;
    return CBZ_OK;
}

static cbz_status write_bytes(cbz_record_writer *w, const void *p, size_t n, cbz_error *err)
{
    if (n && fwrite(p, 1, n, w->fp) != n)
        return cbz_fail(err, CBZ_ERR_IO, "write failed: %s", strerror(errno));
    return CBZ_OK;
}

static cbz_status flush_block(cbz_record_writer *w, cbz_error *err)
{
    if (w->block.len == 0) return CBZ_OK;
    uint8_t bdw[4];
    uint64_t total = w->block.len + (w->fmt.rdw_payload_only ? 0 : 4);
    if (total > 0x7FFFFFFFu) return cbz_fail(err, CBZ_ERR_DATA, "VB block of %llu bytes is too large",
                                             (unsigned long long)total);
    put_header(bdw, (uint32_t)total, w->fmt.rdw_little_endian, total > 0x7FFF);
    CBZ_TRY(write_bytes(w, bdw, 4, err));
    CBZ_TRY(write_bytes(w, w->block.data, w->block.len, err));
    cbz_buf_clear(&w->block);
    return CBZ_OK;
}

cbz_status cbz_writer_put(cbz_record_writer *w, const uint8_t *rec, size_t len, cbz_error *err)
{
    w->recno++;
    if (w->fmt.recfm == CBZ_RECFM_F || w->fmt.recfm == CBZ_RECFM_FB) {
        CBZ_FAIL_IF(w->fmt.lrecl && len != w->fmt.lrecl, err, CBZ_ERR_DATA,
                    "record %llu: %zu bytes, but RECFM %s needs exactly LRECL %u",
                    (unsigned long long)w->recno, len, cbz_recfm_name(w->fmt.recfm), (unsigned)w->fmt.lrecl);
        return write_bytes(w, rec, len, err);
    }
    size_t rdw_len = len + (w->fmt.rdw_payload_only ? 0 : 4);
    CBZ_FAIL_IF(rdw_len > 0xFFFF, err, CBZ_ERR_DATA,
                "record %llu: %zu bytes do not fit an RDW (at most %u)", (unsigned long long)w->recno,
                len, (unsigned)(w->fmt.rdw_payload_only ? 0xFFFF : 0xFFFF - 4));
    CBZ_FAIL_IF(w->fmt.lrecl && len > w->fmt.lrecl, err, CBZ_ERR_DATA,
                "record %llu: %zu bytes, more than the maximum LRECL %u", (unsigned long long)w->recno,
                len, (unsigned)w->fmt.lrecl);
    uint8_t rdw[4];
    put_header(rdw, (uint32_t)rdw_len, w->fmt.rdw_little_endian, false);
    if (w->fmt.recfm == CBZ_RECFM_V) {
        CBZ_TRY(write_bytes(w, rdw, 4, err));
        return write_bytes(w, rec, len, err);
    }
    if (w->block.len && w->block.len + 4 + len + 4 > VB_BLOCK_MAX) CBZ_TRY(flush_block(w, err));
    if (cbz_buf_append(&w->block, rdw, 4) != CBZ_OK || cbz_buf_append(&w->block, rec, len) != CBZ_OK)
        return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    return CBZ_OK;
}

cbz_status cbz_writer_close(cbz_record_writer *w, cbz_error *err)
{
    if (!w) return CBZ_OK;
    cbz_status s = w->fmt.recfm == CBZ_RECFM_VB ? flush_block(w, err) : CBZ_OK;
    cbz_buf_free(&w->block);
    free(w);
    return s;
}

cbz_status cbz_frame_in_file(const cbz_record_format *fmt, const uint8_t *buf, size_t len, uint32_t *block_left,
                             const char *file, uint64_t base, uint64_t recno, bool at_eof, size_t *payload_off,
                             size_t *payload_len, size_t *consumed, size_t *need, cbz_error *err)
{
    frame_where w = { file, base, recno };
    bool header;
    *consumed = 0;
    frame_result r = frame_one(fmt, buf, len, block_left, payload_off, payload_len, consumed, need, &header,
                               &w, err);
    if (r == FRAME_OK) return CBZ_OK;
    if (r == FRAME_BAD) return err ? err->code : CBZ_ERR_DATA;
    if (!at_eof) { *consumed = 0; return CBZ_OK; }
    return short_tail(fmt, len, *need, header, &w, err);
}
