/*
 * test_records.c — CUnit tests of record framing (src/records.c): F/FB, V and
 * VB with every RDW variant, truncated headers and records, bad BDWs, the
 * streaming reader over a file, and the writer round trip.
 */
#include "records.h"
#include "internal.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static cbz_record_format fmt_of(cbz_recfm r, uint32_t lrecl, bool le, bool payload)
{
    cbz_record_format f = { r, lrecl, le, payload };
    return f;
}

static void test_fixed(void)
{
    cbz_record_format f = fmt_of(CBZ_RECFM_F, 3, false, false);
    const uint8_t buf[] = "abcdefgh";
    uint32_t bl = 0;
    size_t off, len, used;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL(cbz_frame_next(&f, buf, 8, &bl, &off, &len, &used, &err), CBZ_OK);
    CU_ASSERT(off == 0 && len == 3 && used == 3);
    CU_ASSERT_EQUAL(cbz_frame_next(&f, buf + 6, 2, &bl, &off, &len, &used, &err), CBZ_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "LRECL 3"));
    f.lrecl = 0;
    CU_ASSERT_NOT_EQUAL(cbz_frame_next(&f, buf, 8, &bl, &off, &len, &used, &err), CBZ_OK);
}

static void test_v_variants(void)
{
    /* 3-byte payload "XYZ" under the four header conventions. */
    const uint8_t be_total[] = { 0x00, 0x07, 0x00, 0x00, 'X', 'Y', 'Z' };
    const uint8_t be_payload[] = { 0x00, 0x03, 0x00, 0x00, 'X', 'Y', 'Z' };
    const uint8_t le_total[] = { 0x00, 0x00, 0x07, 0x00, 'X', 'Y', 'Z' };
    const uint8_t le_payload[] = { 0x00, 0x00, 0x03, 0x00, 'X', 'Y', 'Z' };
    const uint8_t *bufs[] = { be_total, be_payload, le_total, le_payload };
    for (int i = 0; i < 4; i++) {
        cbz_record_format f = fmt_of(CBZ_RECFM_V, 0, i >= 2, i % 2 == 1);
        uint32_t bl = 0;
        size_t off = 9, len = 9, used = 9;
        cbz_error err = { 0 };
        CU_ASSERT_EQUAL(cbz_frame_next(&f, bufs[i], 7, &bl, &off, &len, &used, &err), CBZ_OK);
        CU_ASSERT(off == 4 && len == 3 && used == 7);
        CU_ASSERT_EQUAL(memcmp(bufs[i] + off, "XYZ", 3), 0);
    }
    /* Big-endian header read as little-endian: reserved bytes not zero. */
    cbz_record_format f = fmt_of(CBZ_RECFM_V, 0, true, false);
    uint32_t bl = 0;
    size_t off, len, used;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL(cbz_frame_next(&f, be_total, 7, &bl, &off, &len, &used, &err), CBZ_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "RDW"));
    /* Total length below 4. */
    const uint8_t tiny[] = { 0x00, 0x02, 0x00, 0x00 };
    f = fmt_of(CBZ_RECFM_V, 0, false, false);
    CU_ASSERT_EQUAL(cbz_frame_next(&f, tiny, 4, &bl, &off, &len, &used, &err), CBZ_ERR_DATA);
    /* LRECL limit. */
    f.lrecl = 2;
    CU_ASSERT_EQUAL(cbz_frame_next(&f, be_total, 7, &bl, &off, &len, &used, &err), CBZ_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "LRECL 2"));
}

static void test_v_truncated(void)
{
    const uint8_t rec[] = { 0x00, 0x07, 0x00, 0x00, 'X', 'Y', 'Z' };
    cbz_record_format f = fmt_of(CBZ_RECFM_V, 0, false, false);
    uint32_t bl = 0;
    size_t off, len, used;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL(cbz_frame_next(&f, rec, 2, &bl, &off, &len, &used, &err), CBZ_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "truncated header"));
    CU_ASSERT_EQUAL(cbz_frame_next(&f, rec, 6, &bl, &off, &len, &used, &err), CBZ_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "truncated record"));
}

static void test_vb_blocks(void)
{
    /* BDW(len 4+7+6=17) RDW(7)"ABC" RDW(6)"DE", then an extended BDW block with one record. */
    const uint8_t buf[] = { 0x00, 0x11, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 'A', 'B', 'C',
                            0x00, 0x06, 0x00, 0x00, 'D', 'E',
                            0x80, 0x00, 0x00, 0x09, 0x00, 0x05, 0x00, 0x00, 'F' };
    cbz_record_format f = fmt_of(CBZ_RECFM_VB, 0, false, false);
    uint32_t bl = 0;
    size_t off, len, used, pos = 0;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL(cbz_frame_next(&f, buf, sizeof buf, &bl, &off, &len, &used, &err), CBZ_OK);
    CU_ASSERT(off == 8 && len == 3 && used == 11 && bl == 6);
    pos += used;
    CU_ASSERT_EQUAL(cbz_frame_next(&f, buf + pos, sizeof buf - pos, &bl, &off, &len, &used, &err), CBZ_OK);
    CU_ASSERT(off == 4 && len == 2 && bl == 0);
    CU_ASSERT_EQUAL(memcmp(buf + pos + off, "DE", 2), 0);
    pos += used;
    CU_ASSERT_EQUAL(cbz_frame_next(&f, buf + pos, sizeof buf - pos, &bl, &off, &len, &used, &err), CBZ_OK);
    CU_ASSERT(off == 8 && len == 1 && buf[pos + off] == 'F' && bl == 0);
    pos += used;
    CU_ASSERT_EQUAL(pos, sizeof buf);
}

static void test_vb_errors(void)
{
    cbz_record_format f = fmt_of(CBZ_RECFM_VB, 0, false, false);
    uint32_t bl = 0;
    size_t off, len, used;
    cbz_error err = { 0 };
    /* reserved bytes of a BDW not zero */
    const uint8_t bad_res[] = { 0x00, 0x0B, 0x01, 0x00, 0x00, 0x07, 0x00, 0x00, 'A', 'B', 'C' };
    CU_ASSERT_EQUAL(cbz_frame_next(&f, bad_res, sizeof bad_res, &bl, &off, &len, &used, &err), CBZ_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "BDW"));
    /* block length below 4 */
    const uint8_t small[] = { 0x00, 0x03, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 'A', 'B', 'C' };
    bl = 0;
    CU_ASSERT_EQUAL(cbz_frame_next(&f, small, sizeof small, &bl, &off, &len, &used, &err), CBZ_ERR_DATA);
    /* a record that overruns its block */
    const uint8_t over[] = { 0x00, 0x0A, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 'A', 'B', 'C' };
    bl = 0;
    CU_ASSERT_EQUAL(cbz_frame_next(&f, over, sizeof over, &bl, &off, &len, &used, &err), CBZ_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "overruns"));
    /* 1..3 bytes left in a block cannot hold an RDW */
    const uint8_t odd[] = { 0x00, 0x0D, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 'A', 'B', 'C', 0, 0 };
    bl = 0;
    CU_ASSERT_EQUAL(cbz_frame_next(&f, odd, sizeof odd, &bl, &off, &len, &used, &err), CBZ_ERR_DATA);
    /* truncated BDW */
    bl = 0;
    CU_ASSERT_EQUAL(cbz_frame_next(&f, odd, 3, &bl, &off, &len, &used, &err), CBZ_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "truncated"));
    /* never a crash on any prefix of any of these */
    for (size_t n = 0; n <= sizeof odd; n++) {
        bl = 0;
        (void)cbz_frame_next(&f, odd, n, &bl, &off, &len, &used, NULL);
    }
}

static char *write_temp(const void *p, size_t n)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/cbz_test_records_%ld.dat", (long)getpid());
    FILE *fp = fopen(path, "wb");
    if (!fp) return NULL;
    fwrite(p, 1, n, fp);
    fclose(fp);
    return path;
}

static void test_reader_fixed_size_error(void)
{
    char *path = write_temp("abcdefg", 7);
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    cbz_record_format f = fmt_of(CBZ_RECFM_F, 3, false, false);
    cbz_record_reader *r = NULL;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL(cbz_reader_open(path, &f, &r, &err), CBZ_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "file size 7"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "LRECL 3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "remainder 1"));
    unlink(path);
}

static void test_reader_vb_and_errors(void)
{
    const uint8_t buf[] = { 0x00, 0x11, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 'A', 'B', 'C',
                            0x00, 0x06, 0x00, 0x00, 'D', 'E',
                            0x00, 0x0A, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 'F', 'G' };
    char *path = write_temp(buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    cbz_record_format f = fmt_of(CBZ_RECFM_VB, 0, false, false);
    cbz_record_reader *r = NULL;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(cbz_reader_open(path, &f, &r, &err), CBZ_OK);
    const uint8_t *rec;
    size_t len;
    bool eof;
    const char *want[] = { "ABC", "DE", "FG" };
    uint64_t offs[] = { 8, 15, 25 };
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(cbz_reader_next(r, &rec, &len, &eof, &err), CBZ_OK);
        CU_ASSERT(!eof && len == strlen(want[i]) && memcmp(rec, want[i], len) == 0);
        CU_ASSERT_EQUAL(cbz_reader_record_number(r), (uint64_t)i + 1);
        CU_ASSERT_EQUAL(cbz_reader_record_offset(r), offs[i]);
    }
    CU_ASSERT_EQUAL(cbz_reader_next(r, &rec, &len, &eof, &err), CBZ_OK);
    CU_ASSERT(eof);
    cbz_reader_close(r);

    /* The same file cut inside the last record: the error names file, record, offset. */
    path = write_temp(buf, sizeof buf - 1);
    CU_ASSERT_EQUAL_FATAL(cbz_reader_open(path, &f, &r, &err), CBZ_OK);
    for (int i = 0; i < 2; i++) CU_ASSERT_EQUAL(cbz_reader_next(r, &rec, &len, &eof, &err), CBZ_OK);
    CU_ASSERT_EQUAL(cbz_reader_next(r, &rec, &len, &eof, &err), CBZ_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "record 3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "byte offset 17"));
    cbz_reader_close(r);
    unlink(path);
}

/* The reader over a file with a header and a trailer, mapped and streamed. */
static void test_reader_offsets(void)
{
    const uint8_t buf[] = { 'H', 'D', 'R', 0x00, 0x05, 0x00, 0x00, 'A', 0x00, 0x06, 0x00, 0x00, 'B', 'C',
                            'T', 'R', 'A', 'I', 'L' };
    char *path = write_temp(buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    cbz_record_format f = fmt_of(CBZ_RECFM_V, 0, false, false);
    for (int mode = 0; mode < 2; mode++) {
        cbz_input_options io = { 3, 5, mode == 1, false };
        cbz_record_reader *r = NULL;
        cbz_error err = { 0 };
        CU_ASSERT_EQUAL_FATAL(cbz_reader_open_ex(path, &f, &io, &r, &err), CBZ_OK);
        const uint8_t *rec;
        size_t len;
        bool eof;
        CU_ASSERT_EQUAL(cbz_reader_next(r, &rec, &len, &eof, &err), CBZ_OK);
        CU_ASSERT(!eof && len == 1 && rec[0] == 'A');
        CU_ASSERT_EQUAL(cbz_reader_record_offset(r), 7);
        CU_ASSERT_EQUAL(cbz_reader_next(r, &rec, &len, &eof, &err), CBZ_OK);
        CU_ASSERT(!eof && len == 2 && memcmp(rec, "BC", 2) == 0);
        CU_ASSERT_EQUAL(cbz_reader_record_offset(r), 12);
        CU_ASSERT_EQUAL(cbz_reader_next(r, &rec, &len, &eof, &err), CBZ_OK);
        CU_ASSERT(eof);
        cbz_reader_close(r);
        /* a trailer one byte longer cuts the last record */
        io.end_offset = 6;
        CU_ASSERT_EQUAL_FATAL(cbz_reader_open_ex(path, &f, &io, &r, &err), CBZ_OK);
        CU_ASSERT_EQUAL(cbz_reader_next(r, &rec, &len, &eof, &err), CBZ_OK);
        CU_ASSERT_EQUAL(cbz_reader_next(r, &rec, &len, &eof, &err), CBZ_ERR_DATA);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "record 2"));
        cbz_reader_close(r);
        /* offsets past the file */
        io.start_offset = 10;
        io.end_offset = 10;
        cbz_status s = cbz_reader_open_ex(path, &f, &io, &r, &err);
        if (s == CBZ_OK) {   /* streamed: found when the bytes run out */
            s = cbz_reader_next(r, &rec, &len, &eof, &err);
            cbz_reader_close(r);
        }
        CU_ASSERT_EQUAL(s, CBZ_ERR_DATA);
    }
    /* F: the size check counts only the bytes between the offsets */
    cbz_record_format ff = fmt_of(CBZ_RECFM_F, 4, false, false);
    cbz_input_options io = { 3, 4, false, false };
    cbz_record_reader *r = NULL;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL(cbz_reader_open_ex(path, &ff, &io, &r, &err), CBZ_OK);   /* 19 - 7 = 12 */
    cbz_reader_close(r);
    io.end_offset = 5;
    CU_ASSERT_EQUAL(cbz_reader_open_ex(path, &ff, &io, &r, &err), CBZ_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "file size 11"));
    unlink(path);
}

/* A gzip file is read through gzip -dc; a corrupt one is CBZ_ERR_DATA. */
static void test_input_gzip(void)
{
    char raw[4000];
    for (size_t i = 0; i < sizeof raw; i++) raw[i] = (char)('a' + i % 7);
    char *path = write_temp(raw, sizeof raw);
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    char gz[300], cmd[700];
    snprintf(gz, sizeof gz, "%s.gz", path);
    snprintf(cmd, sizeof cmd, "gzip -c '%s' > '%s'", path, gz);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    cbz_input *in = NULL;
    cbz_error err = { 0 };
    cbz_input_options io = { 10, 0, false, false };
    CU_ASSERT_EQUAL_FATAL(cbz_input_open(gz, &io, &in, &err), CBZ_OK);
    CU_ASSERT_EQUAL(cbz_input_size(in), UINT64_MAX);
    CU_ASSERT_EQUAL(cbz_input_fill(in, 5000, &err), CBZ_OK);
    CU_ASSERT(cbz_input_eof(in));
    CU_ASSERT_EQUAL(cbz_input_avail(in), sizeof raw - 10);
    CU_ASSERT(memcmp(cbz_input_data(in), raw + 10, sizeof raw - 10) == 0);
    CU_ASSERT_EQUAL(cbz_input_offset(in), 10);
    cbz_input_close(in);
    /* cut in the middle */
    snprintf(cmd, sizeof cmd, "gzip -c '%s' | head -c 30 > '%s'", path, gz);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    CU_ASSERT_EQUAL_FATAL(cbz_input_open(gz, NULL, &in, &err), CBZ_OK);
    CU_ASSERT_EQUAL(cbz_input_fill(in, 5000, &err), CBZ_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "gzip"));
    cbz_input_close(in);
    /* no_decompress: the bytes as they are */
    cbz_input_options raw_io = { 0, 0, false, true };
    CU_ASSERT_EQUAL_FATAL(cbz_input_open(gz, &raw_io, &in, &err), CBZ_OK);
    CU_ASSERT_EQUAL(cbz_input_avail(in), 30);
    CU_ASSERT_EQUAL(cbz_input_data(in)[0], 0x1F);
    cbz_input_close(in);
    unlink(gz);
    unlink(path);
}

/* cbz_frame_in_file: a window that ends inside a record asks for more. */
static void test_frame_in_file(void)
{
    const uint8_t buf[] = { 0x00, 0x07, 0x00, 0x00, 'X', 'Y', 'Z' };
    cbz_record_format f = fmt_of(CBZ_RECFM_V, 0, false, false);
    uint32_t bl = 0;
    size_t off = 9, len = 9, used = 9, need = 0;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL(cbz_frame_in_file(&f, buf, 5, &bl, "f.dat", 100, 4, false, &off, &len, &used, &need, &err), CBZ_OK);
    CU_ASSERT(used == 0 && need == 7);
    CU_ASSERT_EQUAL(cbz_frame_in_file(&f, buf, 5, &bl, "f.dat", 100, 4, true, &off, &len, &used, &need, &err),
                    CBZ_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "f.dat: record 4 at byte offset 100"));
    CU_ASSERT_EQUAL(cbz_frame_in_file(&f, buf, 7, &bl, "f.dat", 100, 4, false, &off, &len, &used, &need, &err), CBZ_OK);
    CU_ASSERT(used == 7 && off == 4 && len == 3);
}

static void roundtrip(cbz_recfm recfm, bool le, bool payload)
{
    char *mem = NULL;
    size_t memlen = 0;
    FILE *fp = open_memstream(&mem, &memlen);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    cbz_record_format f = fmt_of(recfm, recfm == CBZ_RECFM_F ? 5 : 0, le, payload);
    cbz_record_writer *w = NULL;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(cbz_writer_open(fp, &f, &w, &err), CBZ_OK);
    /* enough records to need more than one VB block */
    uint8_t rec[5000];
    int n = 30;
    for (int i = 0; i < n; i++) {
        size_t len = recfm == CBZ_RECFM_F ? 5 : (size_t)(1 + i * 150);
        memset(rec, 'a' + i % 26, len);
        CU_ASSERT_EQUAL(cbz_writer_put(w, rec, len, &err), CBZ_OK);
    }
    CU_ASSERT_EQUAL(cbz_writer_close(w, &err), CBZ_OK);
    fclose(fp);
    uint32_t bl = 0;
    size_t pos = 0, off, len, used;
    int got = 0;
    while (pos < memlen) {
        if (cbz_frame_next(&f, (uint8_t *)mem + pos, memlen - pos, &bl, &off, &len, &used, &err) != CBZ_OK) break;
        size_t want = recfm == CBZ_RECFM_F ? 5 : (size_t)(1 + got * 150);
        CU_ASSERT_EQUAL(len, want);
        CU_ASSERT_EQUAL((uint8_t)mem[pos + off], (uint8_t)('a' + got % 26));
        pos += used;
        got++;
    }
    CU_ASSERT_EQUAL(pos, memlen);
    CU_ASSERT_EQUAL(got, n);
    free(mem);
}

static void test_writer_roundtrip(void)
{
    roundtrip(CBZ_RECFM_F, false, false);
    roundtrip(CBZ_RECFM_V, false, false);
    roundtrip(CBZ_RECFM_V, true, true);
    roundtrip(CBZ_RECFM_VB, false, false);
    roundtrip(CBZ_RECFM_VB, true, false);
    roundtrip(CBZ_RECFM_VB, false, true);
}

static void test_writer_errors(void)
{
    FILE *fp = fopen("/dev/null", "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    cbz_record_format f = fmt_of(CBZ_RECFM_F, 4, false, false);
    cbz_record_writer *w = NULL;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(cbz_writer_open(fp, &f, &w, &err), CBZ_OK);
    CU_ASSERT_EQUAL(cbz_writer_put(w, (const uint8_t *)"abc", 3, &err), CBZ_ERR_DATA);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "LRECL 4"));
    CU_ASSERT_EQUAL(cbz_writer_close(w, &err), CBZ_OK);
    f = fmt_of(CBZ_RECFM_V, 0, false, false);
    CU_ASSERT_EQUAL_FATAL(cbz_writer_open(fp, &f, &w, &err), CBZ_OK);
    static uint8_t big[70000];
    CU_ASSERT_EQUAL(cbz_writer_put(w, big, sizeof big, &err), CBZ_ERR_DATA);
    CU_ASSERT_EQUAL(cbz_writer_close(w, &err), CBZ_OK);
    fclose(fp);
}

/* cbz_frame_run frames exactly as cbz_frame_next does record by record, and
 * stops before the records it leaves to it: random F/V/VB streams (RDWs
 * big- and little-endian, lengths with or without the header, LRECL limits)
 * with damage (bad reserved bytes, lengths under 4 or over the LRECL or the
 * block, a block end 1..3 bytes after a record, a short tail), framed with
 * runs cut by random stop positions and record limits, with the records'
 * places wanted (the chunk's framing) and not (the chunk planner). */
static uint64_t run_rng = 0x2545F4914F6CDD1Dull;
static uint32_t run_rnd(void)
{
    run_rng ^= run_rng << 13;
    run_rng ^= run_rng >> 7;
    run_rng ^= run_rng << 17;
    return (uint32_t)(run_rng >> 16);
}

static void put_hdr(uint8_t *h, uint32_t v, bool le)
{
    uint8_t b[4] = { (uint8_t)(v >> 8), (uint8_t)v, 0, 0 };
    for (int i = 0; i < 4; i++) h[i] = le ? b[3 - i] : b[i];
}

static void test_frame_run(void)
{
    static uint8_t buf[8192];
    static size_t roff[4096], rlen[4096];
    for (int trial = 0; trial < 3000; trial++) {
        const cbz_recfm rf = trial % 3 == 0 ? CBZ_RECFM_FB : trial % 3 == 1 ? CBZ_RECFM_V : CBZ_RECFM_VB;
        const bool le = run_rnd() % 2, po = run_rnd() % 2;
        const uint32_t lrecl = rf == CBZ_RECFM_FB ? 1 + run_rnd() % 40 * (run_rnd() % 8 != 0)
                                                  : run_rnd() % 3 ? 0 : 20 + run_rnd() % 40;
        cbz_record_format f = fmt_of(rf, lrecl, le, po);
        size_t len = 0;
        const bool damage = run_rnd() % 2;
        if (rf == CBZ_RECFM_FB) {
            len = run_rnd() % 600;
            for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)run_rnd();
        } else {
            while (len < 6000) {
                size_t blk = len, recs = 1 + run_rnd() % 6;
                if (rf == CBZ_RECFM_VB) len += 4;
                for (size_t r = 0; r < recs; r++) {
                    uint32_t pl = run_rnd() % 70;
                    put_hdr(buf + len, po ? pl : pl + 4, le);
                    for (uint32_t i = 0; i < pl; i++) buf[len + 4 + i] = (uint8_t)run_rnd();
                    len += 4 + pl;
                }
                if (rf == CBZ_RECFM_VB) {
                    size_t bl = len - blk;
                    if (damage && run_rnd() % 8 == 0) bl += 1 + run_rnd() % 3; /* 1..3 left */
                    put_hdr(buf + blk, (uint32_t)(po ? bl - 4 : bl), le);
                }
                if (damage && run_rnd() % 6 == 0) {
                    size_t at = run_rnd() % len;
                    buf[at] = run_rnd() % 3 ? 0 : (uint8_t)run_rnd();
                }
            }
            if (damage && run_rnd() % 3 == 0) len -= run_rnd() % 8;
        }
        /* reference: cbz_frame_next record by record */
        size_t n_ref = 0, pos = 0;
        uint32_t bl = 0;
        static size_t ref_off[4096], ref_len[4096];
        static uint32_t ref_bl[4096];
        while (pos < len && n_ref < 4096) {
            size_t off, plen, used;
            if (cbz_frame_next(&f, buf + pos, len - pos, &bl, &off, &plen, &used, NULL) != CBZ_OK) break;
            ref_off[n_ref] = pos + off;
            ref_len[n_ref] = plen;
            pos += used;
            ref_bl[n_ref++] = bl;
        }
        /* runs, each followed by one cbz_frame_next, as frame.c does */
        size_t n = 0, at = 0;
        uint32_t bl2 = 0;
        bool ok = true;
        while (at < len && ok) {
            const size_t stop = at + run_rnd() % 300, max_n = 1 + run_rnd() % 20;
            const size_t before = at;
            /* the planner's run, without places, frames the same records */
            size_t at_np = at;
            uint32_t bl_np = bl2;
            const size_t k_np = cbz_frame_run(&f, buf, len, &at_np, stop, max_n, &bl_np, NULL, NULL);
            const size_t k = cbz_frame_run(&f, buf, len, &at, stop, max_n, &bl2, roff + n, rlen + n);
            ok = k <= max_n && (k == 0 || before < stop) && n + k <= n_ref;
            ok = ok && k_np == k && at_np == at && bl_np == bl2;
            for (size_t i = 0; i < k && ok; i++)
                ok = roff[n + i] == ref_off[n + i] && rlen[n + i] == ref_len[n + i];
            n += k;
            if (!ok) break;
            ok = k == 0 || (bl2 == ref_bl[n - 1] && at == ref_off[n - 1] + ref_len[n - 1]);
            size_t off, plen, used;
            if (cbz_frame_next(&f, buf + at, len - at, &bl2, &off, &plen, &used, NULL) != CBZ_OK) {
                ok = ok && n == n_ref;
                break;
            }
            ok = ok && n < n_ref && at + off == ref_off[n] && plen == ref_len[n];
            at += used;
            n++;
        }
        CU_ASSERT(ok);
        if (ok) CU_ASSERT_EQUAL(n, n_ref);
    }
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) return 2;
    CU_pSuite s = CU_add_suite("records", NULL, NULL);
    CU_add_test(s, "F framing and short tail", test_fixed);
    CU_add_test(s, "V: RDW be/le, total/payload", test_v_variants);
    CU_add_test(s, "V: truncated header and record", test_v_truncated);
    CU_add_test(s, "VB: blocks, extended BDW", test_vb_blocks);
    CU_add_test(s, "VB: BDW errors", test_vb_errors);
    CU_add_test(s, "reader: F wrong file size", test_reader_fixed_size_error);
    CU_add_test(s, "reader: VB records, offsets, truncation", test_reader_vb_and_errors);
    CU_add_test(s, "reader: file header and trailer offsets, mapped and streamed", test_reader_offsets);
    CU_add_test(s, "input: gzip decompressed on the fly, corrupt gzip", test_input_gzip);
    CU_add_test(s, "frame_in_file: more input wanted, errors name the file", test_frame_in_file);
    CU_add_test(s, "writer round trip F/V/VB", test_writer_roundtrip);
    CU_add_test(s, "writer errors", test_writer_errors);
    CU_add_test(s, "frame_run: the same records as cbz_frame_next, stops before the rest", test_frame_run);
    unsigned failed = cbz_cunit_run();
    return failed ? 1 : 0;
}
