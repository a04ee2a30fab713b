/*
 * kernels.h — the kernel interface of the column pipeline (layers L2..L7).
 *
 * A kernel is a pure function on plain buffers: no allocation, no library
 * types, no errors other than a returned count or bool, no global state.
 * Every kernel has a portable C version (kernels/portable.c, named
 * cbz_k_NAME_portable) and may have SIMD versions (kernels/x86/) and a CUDA
 * twin (kernels/cuda/) that must give byte-identical results for every input,
 * including invalid ones.  Callers reach kernels through the dispatch table
 * returned by cbz_kernels(), chosen once per process from the CPU's features;
 * the environment variable CBZ_KERNELS=portable|sse41|avx2|avx512 forces a variant
 * (tests), as libdeflate's lib/x86/cpu_features.c does.
 *
 * Conventions for every kernel below:
 *  - n is a count of values, width a count of bytes per value.
 *  - Input and output buffers do not overlap unless the contract says so.
 *  - "values of width w are stored contiguously" means value i occupies bytes
 *    [i*w, i*w + w).
 *  - Arithmetic on int64 values wraps modulo 2^64 (computed on uint64), so
 *    every encode kernel has an exact inverse for all inputs.
 *  - Kernels that read untrusted data (decoders) never read or write outside
 *    the buffers whose sizes the contract states; when an index or length in
 *    the data is out of range they return false/a count and the caller fails.
 */
#ifndef CBZ_KERNELS_H
#define CBZ_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest numbers of digits the decimal kernels turn into int64. */
#define CBZ_K_MAX_DIGITS 18
/* Packed decimal: widths 1..10 bytes (1..19 digit nibbles; the 19th, leading
 * nibble must be 0 so that at most 18 significant digits remain). */
#define CBZ_K_PACKED_MAX_WIDTH 10
/* Zoned decimal: widths 1..19 bytes (18 digits + a separate sign byte). */
#define CBZ_K_ZONED_MAX_WIDTH 19

/* Zoned sign modes: the same values as cbz_sign in cobzip.h. */
#define CBZ_K_SIGN_NONE 0
#define CBZ_K_SIGN_TRAILING 1
#define CBZ_K_SIGN_LEADING 2
#define CBZ_K_SIGN_TRAILING_SEPARATE 3
#define CBZ_K_SIGN_LEADING_SEPARATE 4

/* A code that dictionary lookups return for a value not in the dictionary. */
#define CBZ_K_NO_CODE UINT32_MAX

/* Bytes that n values of `bits` bits occupy once bit-packed. */
static inline size_t cbz_k_bitpack_size(size_t n, unsigned bits)
{
    /* n * bits / 8 rounded up, without overflow for n < SIZE_MAX / 64 */
    return (n / 8) * bits + ((n % 8) * bits + 7) / 8;
}

/* ------------------------------------------------------------------------
 * L2 split: columns out of fixed-size records and back.
 *
 * gather: for i in [0, n): copies the width bytes at records + i*stride +
 * offset to col + i*width.  Requires offset + width <= stride.
 * scatter: the inverse; writes only those bytes of each record.
 * ---------------------------------------------------------------------- */
typedef void (*cbz_k_gather_fn)(const uint8_t *records, size_t n, size_t stride,
                                size_t offset, size_t width, uint8_t *col);
typedef void (*cbz_k_scatter_fn)(const uint8_t *col, size_t n, size_t stride,
                                 size_t offset, size_t width, uint8_t *records);

/* Byte planes (RAW columns): split writes out[j*n + i] = in[i*width + j] for
 * every value i < n and byte j < width (width >= 1); join is its inverse:
 * out[i*width + j] = in[j*n + i]. */
typedef void (*cbz_k_planes_fn)(const uint8_t *in, size_t n, size_t width, uint8_t *out);

/* Single-byte transcoding: out[i] = table[in[i]] for i < n.  in == out is
 * allowed. */
typedef void (*cbz_k_transcode_fn)(const uint8_t table[256], const uint8_t *in, size_t n,
                                   uint8_t *out);

/* Text: len[i] = width minus the number of trailing `pad` bytes of value i
 * (0 when the value is all pad).  Returns the sum of len[i]. */
typedef size_t (*cbz_k_text_lengths_fn)(const uint8_t *in, size_t n, size_t width,
                                        uint8_t pad, uint32_t *len);

/* ------------------------------------------------------------------------
 * L3 validate + L4 decimal.
 *
 * packed_to_i64: n packed-decimal (COMP-3) values of width 1..10 bytes.  A
 * value is valid when every digit nibble is 0..9, the sign nibble (low nibble
 * of the last byte) is 0xA..0xF, and, for width 10, the leading nibble is 0.
 * For a valid value: out[i] = the digits as a number, negated when the sign
 * nibble is 0xB or 0xD; sign[i] = the sign nibble; invalid[i] = 0.  For an
 * invalid value: out[i] = 0, sign[i] = 0, invalid[i] = 1.  Returns the count
 * of invalid values.
 *
 * i64_to_packed: the inverse for valid values: writes the decimal digits of
 * |in[i]| (modulo 10^(2*width-1), i.e. extra high digits are dropped) and the
 * low nibble of sign[i] as the sign nibble.  Re-encoding what packed_to_i64
 * produced for a valid value gives back the same bytes (negative zero
 * included: value 0 with sign 0xD).
 * ---------------------------------------------------------------------- */
typedef size_t (*cbz_k_packed_to_i64_fn)(const uint8_t *in, size_t n, size_t width,
                                         int64_t *out, uint8_t *sign, uint8_t *invalid);
typedef void (*cbz_k_i64_to_packed_fn)(const int64_t *in, const uint8_t *sign, size_t n,
                                       size_t width, uint8_t *out);

/* zoned_to_i64: n zoned-decimal (DISPLAY) values of `width` bytes, with
 * sign_mode one of CBZ_K_SIGN_*, ebcdic 1 (digit bytes 0xF0..0xF9, separate
 * signs '+' 0x4E and '-' 0x60) or 0 (digit bytes 0x30..0x39, signs 0x2B and
 * 0x2D).  The digit count is width (width-1 for the separate modes) and must
 * be 1..18.  Valid value:
 *  - every digit byte that is not the sign byte is a zone-digit byte;
 *  - CBZ_K_SIGN_NONE: no sign byte; form[i] = 0; value non-negative;
 *  - TRAILING/LEADING (overpunch in the last/first byte): the sign byte's low
 *    nibble is a digit 0..9 and its zone (high nibble) is, for EBCDIC, 0xA..0xF
 *    (negative when 0xB or 0xD), for ASCII 0x3 (positive) or 0x7 (negative,
 *    the GnuCOBOL/Micro Focus form); form[i] = the zone nibble;
 *  - *_SEPARATE: the sign byte (after/before the digits) is '+' or '-' of the
 *    code page; form[i] = that byte; negative when '-'.
 * out[i] = the signed value, invalid[i] = 0.  Invalid value: out[i] = 0,
 * form[i] = 0, invalid[i] = 1.  Returns the count of invalid values.
 *
 * i64_to_zoned: the inverse for valid values: writes the digits of |in[i]|
 * (extra high digits dropped) as zone-digit bytes, and the sign byte from
 * form[i] (overpunch: form<<4 | digit; separate: form itself).
 * ---------------------------------------------------------------------- */
typedef size_t (*cbz_k_zoned_to_i64_fn)(const uint8_t *in, size_t n, size_t width,
                                        int sign_mode, int ebcdic, int64_t *out,
                                        uint8_t *form, uint8_t *invalid);
typedef void (*cbz_k_i64_to_zoned_fn)(const int64_t *in, const uint8_t *form, size_t n,
                                      size_t width, int sign_mode, int ebcdic, uint8_t *out);

/* be_to_i64: n big-endian two's-complement (is_signed) or unsigned binary
 * values of width 1..8 bytes to int64 (an unsigned 8-byte value keeps its bit
 * pattern).  Every input is valid.  i64_to_be: writes the low `width` bytes of
 * each value big-endian, the exact inverse. */
typedef void (*cbz_k_be_to_i64_fn)(const uint8_t *in, size_t n, size_t width, int is_signed,
                                   int64_t *out);
typedef void (*cbz_k_i64_to_be_fn)(const int64_t *in, size_t n, size_t width, uint8_t *out);

/* ------------------------------------------------------------------------
 * L5 delta.  All of these allow in == out.
 *
 * delta_encode: out[0] = in[0], out[i] = in[i] - in[i-1].
 * delta_decode: the prefix sum that inverts it.
 * delta2_encode (delta of delta): out[0] = in[0], out[1] = in[1] - in[0],
 *   out[i] = in[i] - 2*in[i-1] + in[i-2] for i >= 2.  delta2_decode inverts it.
 * for_encode (frame of reference): out[i] = in[i] - base; for_decode adds it.
 * zigzag_encode: out[i] = (in[i] << 1) ^ (in[i] >> 63); zigzag_decode inverts.
 * minmax: *min and *max of in[0..n) (n >= 1).
 * seq_stats: folds the nb blocks of a sample into *s, block b the len[b] >= 1
 *   values at in + start[b] (each one's differences within it only):
 *   lo/hi the least and greatest value, dlo/dhi those of the differences
 *   x[i] - x[i-1] (i >= 1, wrapping), ddlo/ddhi those of the second
 *   differences x[i] - 2*x[i-1] + x[i-2] (i >= 2), or_zz ORs the values'
 *   zigzag forms, runs adds 1 + the count of i >= 1 with x[i] != x[i-1]
 *   (x: a block).  One call for the blocks: a sample of short blocks
 *   would pay a call and a fold of the vector lanes per block.
 * run_count: number of maximal runs of equal values (0 when n == 0).
 * rle_encode: writes the runs as (vals[k], lens[k]), a run longer than
 *   UINT32_MAX split in several; returns the number of runs (<= n).
 * rle_decode: expands nruns runs into out[0..n); returns false, having
 *   written nothing past out[n-1], unless every lens[k] >= 1 and they sum to n.
 * ---------------------------------------------------------------------- */
typedef void (*cbz_k_i64_map_fn)(const int64_t *in, size_t n, int64_t *out);
typedef void (*cbz_k_for_encode_fn)(const int64_t *in, size_t n, int64_t base, uint64_t *out);
typedef void (*cbz_k_for_decode_fn)(const uint64_t *in, size_t n, int64_t base, int64_t *out);
typedef void (*cbz_k_zigzag_encode_fn)(const int64_t *in, size_t n, uint64_t *out);
typedef void (*cbz_k_zigzag_decode_fn)(const uint64_t *in, size_t n, int64_t *out);
typedef void (*cbz_k_minmax_fn)(const int64_t *in, size_t n, int64_t *min, int64_t *max);
typedef struct cbz_k_seq_stats {
    int64_t lo, hi, dlo, dhi, ddlo, ddhi;
    uint64_t or_zz;
    size_t runs;
} cbz_k_seq_stats;
typedef void (*cbz_k_seq_stats_fn)(const int64_t *in, const size_t *start, const size_t *len,
                                   size_t nb, cbz_k_seq_stats *s);
typedef size_t (*cbz_k_run_count_fn)(const int64_t *in, size_t n);
typedef size_t (*cbz_k_rle_encode_fn)(const int64_t *in, size_t n, int64_t *vals,
                                      uint32_t *lens);
typedef bool (*cbz_k_rle_decode_fn)(const int64_t *vals, const uint32_t *lens, size_t nruns,
                                    int64_t *out, size_t n);

/* ------------------------------------------------------------------------
 * L6 dictionary.
 *
 * dict_lookup_u64: for each vals[i], codes[i] = the index of vals[i] in the
 *   strictly increasing keys[0..nkeys), or CBZ_K_NO_CODE; returns the number of
 *   misses.  dict_lookup_fixed: the same for values of `width` bytes, keys
 *   stored contiguously in strictly increasing memcmp order.
 * dict_gather_u64: out[i] = dict[codes[i]]; dict_gather_fixed copies the
 *   width-byte entry codes[i].  Both return false (stopping at the first bad
 *   code, out beyond it unspecified) when a code is >= ndict.
 *   dict_gather_fixed of width 0 is the check alone (dict and out unused).
 * ---------------------------------------------------------------------- */
typedef size_t (*cbz_k_dict_lookup_u64_fn)(const uint64_t *keys, size_t nkeys,
                                           const uint64_t *vals, size_t n, uint32_t *codes);
typedef size_t (*cbz_k_dict_lookup_fixed_fn)(const uint8_t *keys, size_t nkeys, size_t width,
                                             const uint8_t *vals, size_t n, uint32_t *codes);
typedef bool (*cbz_k_dict_gather_u64_fn)(const uint32_t *codes, size_t n, const uint64_t *dict,
                                         size_t ndict, uint64_t *out);
typedef bool (*cbz_k_dict_gather_fixed_fn)(const uint32_t *codes, size_t n,
                                           const uint8_t *dict, size_t ndict, size_t width,
                                           uint8_t *out);

/* ------------------------------------------------------------------------
 * Decoder steps.  The merges of a column whose exceptions (flag 1) lie
 * among its valid values (flag 0), and the encoder's split of such a column
 * (select_rows); every flag is 0 or 1.
 *
 * merge_rows: out row i (width bytes, rows back to back) = the next row of x
 *   when flag[i] is 1, else the next row of y; x holds one row per 1 flag,
 *   y one per 0 flag, back to back, and exactly those bytes are read.
 * expand_u64: out[i] = 0 when flag[i] is 1, else the next value of in; in
 *   holds m values, m the count of 0 flags (when m is smaller, the first 0
 *   flags, those the m values do not reach from the end, get 0 too; m <= n).
 *   in == out is allowed.
 * select_u64: out[j++] = in[i] for every i whose flag is 0, in order; out
 *   has room for n values (it may be written up to out[n - 1]); returns j.
 * select_rows: the rows i (width >= 1 bytes each, n back to back at in)
 *   whose flag[i] equals keep (0 or 1), to out back to back, in order;
 *   returns their count.  out needs room for them and for width +
 *   CBZ_K_SELECT_ROWS_ROOM bytes more, whose contents are then unspecified
 *   (a kernel may copy whole 8- or 16-byte pieces of every row, kept or
 *   not, where the next kept row or the room takes what lies past it).
 * blank_rows: flag[i] = 1 when the width bytes (width >= 1) of value i are
 *   all b, else 0; returns the count of 1 flags.
 * digit_rows: out[i] bit j = byte j of row i (width bytes, 1 <= width <=
 *   64, n rows back to back) is one of the zone's ten digits: the byte XOR
 *   zone (0x30 or 0xF0: the byte minus the zone) is below 10; the bits from
 *   width up are 0.  TEXT_NUM's digit runs.
 *
 * Planes of 64-bit values (L7's byte planes and decimal planes), in holding
 * k planes of n bytes back to back:
 * planes_u64: plane j is byte j (least significant first) of every value,
 *   1 <= k <= 8; out[i] = value i + add (mod 2^64).
 * dec_planes_u64: plane j is base-100 digit j of every value (planes 0..k-2
 *   must hold 0..99, the last any byte), 1 <= k <= 9, so that no value
 *   overflows (255 * 100^8 + 100^8 - 1 < 2^63); out[i] = value i, or, with
 *   signs (bit i of its bytes, least significant first: value i is
 *   negative), 2 * value i - sign i (the zigzag form); plus add (mod 2^64).
 *   Returns false, out unspecified, when a byte of planes 0..k-2 is over 99
 *   or a negative value is 0.
 * ---------------------------------------------------------------------- */
typedef void (*cbz_k_merge_rows_fn)(const uint8_t *flag, size_t n, size_t width,
                                    const uint8_t *x, const uint8_t *y, uint8_t *out);
typedef void (*cbz_k_expand_u64_fn)(const uint64_t *in, const uint8_t *flag, size_t n, size_t m,
                                    uint64_t *out);
typedef size_t (*cbz_k_select_u64_fn)(const uint64_t *in, const uint8_t *flag, size_t n,
                                      uint64_t *out);
#define CBZ_K_SELECT_ROWS_ROOM 16
typedef size_t (*cbz_k_select_rows_fn)(const uint8_t *in, const uint8_t *flag, size_t n,
                                       size_t width, uint8_t keep, uint8_t *out);
typedef size_t (*cbz_k_blank_rows_fn)(const uint8_t *in, size_t n, size_t width, uint8_t b,
                                      uint8_t *flag);
typedef void (*cbz_k_digit_rows_fn)(const uint8_t *in, size_t n, size_t width, uint8_t zone,
                                    uint64_t *out);
typedef void (*cbz_k_planes_u64_fn)(const uint8_t *in, size_t n, unsigned k, uint64_t add,
                                    uint64_t *out);
typedef bool (*cbz_k_dec_planes_u64_fn)(const uint8_t *in, size_t n, unsigned k,
                                        const uint8_t *signs, uint64_t add, uint64_t *out);

/* ------------------------------------------------------------------------
 * L7 bit-pack.  Value i occupies bits [i*bits, i*bits + bits) of the output,
 * bit k of the stream being bit (k % 8) of byte k / 8 (LSB first).  bits is
 * 0..64 (0..32 for u32); only the low `bits` bits of each value are stored.
 * pack writes exactly cbz_k_bitpack_size(n, bits) bytes (unused high bits of
 * the last byte are 0); unpack reads exactly that many.
 * max_bits: the number of significant bits of the largest value (0 if all 0).
 * ---------------------------------------------------------------------- */
typedef void (*cbz_k_bitpack_u64_fn)(const uint64_t *in, size_t n, unsigned bits, uint8_t *out);
typedef void (*cbz_k_bitunpack_u64_fn)(const uint8_t *in, size_t n, unsigned bits,
                                       uint64_t *out);
typedef void (*cbz_k_bitpack_u32_fn)(const uint32_t *in, size_t n, unsigned bits, uint8_t *out);
typedef void (*cbz_k_bitunpack_u32_fn)(const uint8_t *in, size_t n, unsigned bits,
                                       uint32_t *out);
typedef unsigned (*cbz_k_max_bits_u64_fn)(const uint64_t *in, size_t n);

/* ------------------------------------------------------------------------
 * The dispatch table.  Every entry is always set (portable by default).
 * ---------------------------------------------------------------------- */
typedef struct cbz_kernel_table {
    const char *name;                 /* "portable", "sse41", "avx2", "avx512" */
    cbz_k_gather_fn gather;
    cbz_k_scatter_fn scatter;
    cbz_k_planes_fn planes_split;
    cbz_k_planes_fn planes_join;
    cbz_k_transcode_fn transcode;
    cbz_k_text_lengths_fn text_lengths;
    cbz_k_packed_to_i64_fn packed_to_i64;
    cbz_k_i64_to_packed_fn i64_to_packed;
    cbz_k_zoned_to_i64_fn zoned_to_i64;
    cbz_k_i64_to_zoned_fn i64_to_zoned;
    cbz_k_be_to_i64_fn be_to_i64;
    cbz_k_i64_to_be_fn i64_to_be;
    cbz_k_i64_map_fn delta_encode;
    cbz_k_i64_map_fn delta_decode;
    cbz_k_i64_map_fn delta2_encode;
    cbz_k_i64_map_fn delta2_decode;
    cbz_k_for_encode_fn for_encode;
    cbz_k_for_decode_fn for_decode;
    cbz_k_zigzag_encode_fn zigzag_encode;
    cbz_k_zigzag_decode_fn zigzag_decode;
    cbz_k_minmax_fn minmax;
    cbz_k_seq_stats_fn seq_stats;
    cbz_k_run_count_fn run_count;
    cbz_k_rle_encode_fn rle_encode;
    cbz_k_rle_decode_fn rle_decode;
    cbz_k_dict_lookup_u64_fn dict_lookup_u64;
    cbz_k_dict_lookup_fixed_fn dict_lookup_fixed;
    cbz_k_dict_gather_u64_fn dict_gather_u64;
    cbz_k_dict_gather_fixed_fn dict_gather_fixed;
    cbz_k_bitpack_u64_fn bitpack_u64;
    cbz_k_bitunpack_u64_fn bitunpack_u64;
    cbz_k_bitpack_u32_fn bitpack_u32;
    cbz_k_bitunpack_u32_fn bitunpack_u32;
    cbz_k_max_bits_u64_fn max_bits_u64;
    cbz_k_merge_rows_fn merge_rows;
    cbz_k_expand_u64_fn expand_u64;
    cbz_k_select_u64_fn select_u64;
    cbz_k_select_rows_fn select_rows;
    cbz_k_blank_rows_fn blank_rows;
    cbz_k_digit_rows_fn digit_rows;
    cbz_k_planes_u64_fn planes_u64;
    cbz_k_dec_planes_u64_fn dec_planes_u64;
} cbz_kernel_table;

/* The table in use: chosen once (thread-safe) from CBZ_KERNELS when set and
 * supported, else the best variant the CPU supports. */
const cbz_kernel_table *cbz_kernels(void);
/* Name of the variant in use ("portable", "sse41", "avx2", "avx512"). */
const char *cbz_kernels_variant_name(void);
/* Makes `name` the variant in use.  Returns false (changing nothing) when the
 * name is unknown, the variant is not built in, or the CPU lacks it.  For
 * tests and benchmarks: not safe while other threads run kernels. */
bool cbz_kernels_select(const char *name);
/* The table of a named variant without selecting it, NULL when unavailable. */
const cbz_kernel_table *cbz_kernels_get(const char *name);
/* Names of all variants this build knows, NULL-terminated (available or not). */
const char *const *cbz_kernels_variant_names(void);

/* Arch hooks.  When kernels/x86/kernels_x86.h exists, dispatch.c includes it
 * (detected with __has_include) and calls these after checking the CPU; each
 * overwrites the entries it accelerates and leaves the others portable.  They
 * must live in a file compiled WITHOUT -mavx2/-msse4.1 (they run before the
 * CPU check has a say in what instructions the compiler used). */
void cbz_kernels_fill_sse41(cbz_kernel_table *t);
void cbz_kernels_fill_avx2(cbz_kernel_table *t);
void cbz_kernels_fill_avx512(cbz_kernel_table *t);

/* ------------------------------------------------------------------------
 * The portable kernels (also the reference the others are tested against).
 * ---------------------------------------------------------------------- */
void cbz_k_gather_portable(const uint8_t *records, size_t n, size_t stride, size_t offset,
                           size_t width, uint8_t *col);
void cbz_k_scatter_portable(const uint8_t *col, size_t n, size_t stride, size_t offset,
                            size_t width, uint8_t *records);
void cbz_k_planes_split_portable(const uint8_t *in, size_t n, size_t width, uint8_t *out);
void cbz_k_planes_join_portable(const uint8_t *in, size_t n, size_t width, uint8_t *out);
void cbz_k_transcode_portable(const uint8_t table[256], const uint8_t *in, size_t n,
                              uint8_t *out);
size_t cbz_k_text_lengths_portable(const uint8_t *in, size_t n, size_t width, uint8_t pad,
                                   uint32_t *len);
size_t cbz_k_packed_to_i64_portable(const uint8_t *in, size_t n, size_t width, int64_t *out,
                                    uint8_t *sign, uint8_t *invalid);
void cbz_k_i64_to_packed_portable(const int64_t *in, const uint8_t *sign, size_t n,
                                  size_t width, uint8_t *out);
size_t cbz_k_zoned_to_i64_portable(const uint8_t *in, size_t n, size_t width, int sign_mode,
                                   int ebcdic, int64_t *out, uint8_t *form, uint8_t *invalid);
void cbz_k_i64_to_zoned_portable(const int64_t *in, const uint8_t *form, size_t n,
                                 size_t width, int sign_mode, int ebcdic, uint8_t *out);
void cbz_k_be_to_i64_portable(const uint8_t *in, size_t n, size_t width, int is_signed,
                              int64_t *out);
void cbz_k_i64_to_be_portable(const int64_t *in, size_t n, size_t width, uint8_t *out);
void cbz_k_delta_encode_portable(const int64_t *in, size_t n, int64_t *out);
void cbz_k_delta_decode_portable(const int64_t *in, size_t n, int64_t *out);
void cbz_k_delta2_encode_portable(const int64_t *in, size_t n, int64_t *out);
void cbz_k_delta2_decode_portable(const int64_t *in, size_t n, int64_t *out);
void cbz_k_for_encode_portable(const int64_t *in, size_t n, int64_t base, uint64_t *out);
void cbz_k_for_decode_portable(const uint64_t *in, size_t n, int64_t base, int64_t *out);
void cbz_k_zigzag_encode_portable(const int64_t *in, size_t n, uint64_t *out);
void cbz_k_zigzag_decode_portable(const uint64_t *in, size_t n, int64_t *out);
void cbz_k_minmax_portable(const int64_t *in, size_t n, int64_t *min, int64_t *max);
void cbz_k_seq_stats_portable(const int64_t *in, const size_t *start, const size_t *len, size_t nb,
                              cbz_k_seq_stats *s);
size_t cbz_k_run_count_portable(const int64_t *in, size_t n);
size_t cbz_k_rle_encode_portable(const int64_t *in, size_t n, int64_t *vals, uint32_t *lens);
bool cbz_k_rle_decode_portable(const int64_t *vals, const uint32_t *lens, size_t nruns,
                               int64_t *out, size_t n);
size_t cbz_k_dict_lookup_u64_portable(const uint64_t *keys, size_t nkeys, const uint64_t *vals,
                                      size_t n, uint32_t *codes);
size_t cbz_k_dict_lookup_fixed_portable(const uint8_t *keys, size_t nkeys, size_t width,
                                        const uint8_t *vals, size_t n, uint32_t *codes);
bool cbz_k_dict_gather_u64_portable(const uint32_t *codes, size_t n, const uint64_t *dict,
                                    size_t ndict, uint64_t *out);
bool cbz_k_dict_gather_fixed_portable(const uint32_t *codes, size_t n, const uint8_t *dict,
                                      size_t ndict, size_t width, uint8_t *out);
void cbz_k_bitpack_u64_portable(const uint64_t *in, size_t n, unsigned bits, uint8_t *out);
void cbz_k_bitunpack_u64_portable(const uint8_t *in, size_t n, unsigned bits, uint64_t *out);
void cbz_k_bitpack_u32_portable(const uint32_t *in, size_t n, unsigned bits, uint8_t *out);
void cbz_k_bitunpack_u32_portable(const uint8_t *in, size_t n, unsigned bits, uint32_t *out);
unsigned cbz_k_max_bits_u64_portable(const uint64_t *in, size_t n);
void cbz_k_merge_rows_portable(const uint8_t *flag, size_t n, size_t width, const uint8_t *x,
                               const uint8_t *y, uint8_t *out);
void cbz_k_expand_u64_portable(const uint64_t *in, const uint8_t *flag, size_t n, size_t m,
                               uint64_t *out);
size_t cbz_k_select_u64_portable(const uint64_t *in, const uint8_t *flag, size_t n,
                                 uint64_t *out);
size_t cbz_k_select_rows_portable(const uint8_t *in, const uint8_t *flag, size_t n,
                                  size_t width, uint8_t keep, uint8_t *out);
size_t cbz_k_blank_rows_portable(const uint8_t *in, size_t n, size_t width, uint8_t b,
                                 uint8_t *flag);
void cbz_k_digit_rows_portable(const uint8_t *in, size_t n, size_t width, uint8_t zone,
                               uint64_t *out);
void cbz_k_planes_u64_portable(const uint8_t *in, size_t n, unsigned k, uint64_t add,
                               uint64_t *out);
bool cbz_k_dec_planes_u64_portable(const uint8_t *in, size_t n, unsigned k, const uint8_t *signs,
                                   uint64_t add, uint64_t *out);

#ifdef __cplusplus
}
#endif
#endif /* CBZ_KERNELS_H */
