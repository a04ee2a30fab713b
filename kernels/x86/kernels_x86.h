/*
 * kernels_x86.h — the x86 SIMD kernels (kernels/x86/) and nothing else.
 *
 * Owned by the vectorized-kernel work (issue 4).  dispatch.c includes this
 * header when it exists (__has_include) and calls cbz_kernels_fill_sse41 /
 * cbz_kernels_fill_avx2 (declared in kernels.h, defined in fill_x86.c, a file
 * compiled without -mavx2/-msse4.1) after checking the CPU.  The functions
 * below are the SIMD versions: vx_sse41.c (-msse4.1), vx_avx2.c and
 * columns_avx2.c (-mavx2 -mbmi2 -mpopcnt), vx_avx512.c (cbz_kernels_fill_avx512,
 * AVX-512 F/BW/VL/DQ/VBMI/IFMA; select_rows VBMI2 too).  Each one has exactly the contract
 * of the kernels.h typedef it implements and gives byte-identical results to
 * the portable kernel for every input, invalid ones included (tails and the
 * cases a SIMD path does not cover are handed to the portable kernel).
 * Never call a function of this header without the CPU check.
 */
#ifndef CBZ_KERNELS_X86_H
#define CBZ_KERNELS_X86_H

#include "kernels.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One kernel body (vx_body.h) compiled for two instruction sets; the four
 * decimal kernels of the avx2 set are vx_avx2.c's own block-wise ones. */
#define CBZ_X86_DECLARE_BODY(sfx)                                                           \
    size_t cbz_k_packed_to_i64_##sfx(const uint8_t *in, size_t n, size_t width, int64_t *out, \
                                     uint8_t *sign, uint8_t *invalid);                       \
    void cbz_k_i64_to_packed_##sfx(const int64_t *in, const uint8_t *sign, size_t n,         \
                                   size_t width, uint8_t *out);                              \
    size_t cbz_k_zoned_to_i64_##sfx(const uint8_t *in, size_t n, size_t width, int sign_mode, \
                                    int ebcdic, int64_t *out, uint8_t *form,                 \
                                    uint8_t *invalid);                                       \
    void cbz_k_i64_to_zoned_##sfx(const int64_t *in, const uint8_t *form, size_t n,          \
                                  size_t width, int sign_mode, int ebcdic, uint8_t *out);    \
    void cbz_k_be_to_i64_##sfx(const uint8_t *in, size_t n, size_t width, int is_signed,     \
                               int64_t *out);                                                \
    void cbz_k_i64_to_be_##sfx(const int64_t *in, size_t n, size_t width, uint8_t *out);     \
    void cbz_k_transcode_##sfx(const uint8_t table[256], const uint8_t *in, size_t n,        \
                               uint8_t *out);                                                \
    size_t cbz_k_text_lengths_##sfx(const uint8_t *in, size_t n, size_t width, uint8_t pad,  \
                                    uint32_t *len);

CBZ_X86_DECLARE_BODY(sse41)
CBZ_X86_DECLARE_BODY(avx2)

/* AVX2 only (columns_avx2.c). */
void cbz_k_gather_avx2(const uint8_t *records, size_t n, size_t stride, size_t offset,
                       size_t width, uint8_t *col);
void cbz_k_planes_split_avx2(const uint8_t *in, size_t n, size_t width, uint8_t *out);
void cbz_k_planes_join_avx2(const uint8_t *in, size_t n, size_t width, uint8_t *out);
void cbz_k_delta_encode_avx2(const int64_t *in, size_t n, int64_t *out);
void cbz_k_delta_decode_avx2(const int64_t *in, size_t n, int64_t *out);
void cbz_k_for_encode_avx2(const int64_t *in, size_t n, int64_t base, uint64_t *out);
void cbz_k_for_decode_avx2(const uint64_t *in, size_t n, int64_t base, int64_t *out);
void cbz_k_zigzag_encode_avx2(const int64_t *in, size_t n, uint64_t *out);
void cbz_k_zigzag_decode_avx2(const uint64_t *in, size_t n, int64_t *out);
void cbz_k_minmax_avx2(const int64_t *in, size_t n, int64_t *min, int64_t *max);
void cbz_k_seq_stats_avx2(const int64_t *in, const size_t *start, const size_t *len, size_t nb,
                          cbz_k_seq_stats *s);
unsigned cbz_k_max_bits_u64_avx2(const uint64_t *in, size_t n);
size_t cbz_k_blank_rows_avx2(const uint8_t *in, size_t n, size_t width, uint8_t b,
                             uint8_t *flag);
void cbz_k_digit_rows_avx2(const uint8_t *in, size_t n, size_t width, uint8_t zone,
                           uint64_t *out);
void cbz_k_bitunpack_u32_avx2(const uint8_t *in, size_t n, unsigned bits, uint32_t *out);

/* AVX-512 (vx_avx512.c: F, BW, VL, DQ, VBMI, IFMA), with the avx2 entries
 * for the rest. */
void cbz_k_i64_to_packed_avx512(const int64_t *in, const uint8_t *sign, size_t n, size_t width,
                                uint8_t *out);
void cbz_k_i64_to_zoned_avx512(const int64_t *in, const uint8_t *form, size_t n, size_t width,
                               int sign_mode, int ebcdic, uint8_t *out);
size_t cbz_k_packed_to_i64_avx512(const uint8_t *in, size_t n, size_t width, int64_t *out,
                                  uint8_t *sign, uint8_t *invalid);
size_t cbz_k_zoned_to_i64_avx512(const uint8_t *in, size_t n, size_t width, int sign_mode,
                                 int ebcdic, int64_t *out, uint8_t *form, uint8_t *invalid);
void cbz_k_merge_rows_avx512(const uint8_t *flag, size_t n, size_t width, const uint8_t *x,
                             const uint8_t *y, uint8_t *out);
/* needs VBMI2 too (fill_x86.c checks it) */
void cbz_k_merge_rows_avx512_vbmi2(const uint8_t *flag, size_t n, size_t width,
                                   const uint8_t *x, const uint8_t *y, uint8_t *out);
void cbz_k_expand_u64_avx512(const uint64_t *in, const uint8_t *flag, size_t n, size_t m,
                             uint64_t *out);
size_t cbz_k_select_u64_avx512(const uint64_t *in, const uint8_t *flag, size_t n, uint64_t *out);
/* needs VBMI2 too (fill_x86.c checks it) */
size_t cbz_k_select_rows_avx512(const uint8_t *in, const uint8_t *flag, size_t n, size_t width,
                                uint8_t keep, uint8_t *out);
size_t cbz_k_blank_rows_avx512(const uint8_t *in, size_t n, size_t width, uint8_t b,
                               uint8_t *flag);
void cbz_k_digit_rows_avx512(const uint8_t *in, size_t n, size_t width, uint8_t zone,
                             uint64_t *out);
void cbz_k_planes_u64_avx512(const uint8_t *in, size_t n, unsigned k, uint64_t add,
                             uint64_t *out);
bool cbz_k_dec_planes_u64_avx512(const uint8_t *in, size_t n, unsigned k, const uint8_t *signs,
                                 uint64_t add, uint64_t *out);
bool cbz_k_dict_gather_u64_avx2(const uint32_t *codes, size_t n, const uint64_t *dict,
                                size_t ndict, uint64_t *out);
bool cbz_k_dict_gather_fixed_avx2(const uint32_t *codes, size_t n, const uint8_t *dict,
                                  size_t ndict, size_t width, uint8_t *out);

/* Where a zoned value's digits and sign sit, for the vector paths of every
 * x86 set (vx_body.h, vx_avx2.c, vx_avx512.c); false when the vector path
 * does not apply (more than 16 bytes, an unknown sign mode, no digit). */
static inline bool cbz_x86_zoned_layout(size_t width, int sign_mode, size_t *first, size_t *ndig,
                                        size_t *sign_pos, int *overpunch, int *separate)
{
    *first = 0;
    *ndig = width;
    *sign_pos = SIZE_MAX;
    *overpunch = sign_mode == CBZ_K_SIGN_TRAILING || sign_mode == CBZ_K_SIGN_LEADING;
    *separate = sign_mode == CBZ_K_SIGN_TRAILING_SEPARATE ||
                sign_mode == CBZ_K_SIGN_LEADING_SEPARATE;
    if (width < 1 || width > 16) return false;
    switch (sign_mode) {
    case CBZ_K_SIGN_NONE: break;
    case CBZ_K_SIGN_TRAILING: *sign_pos = width - 1; break;
    case CBZ_K_SIGN_LEADING: *sign_pos = 0; break;
    case CBZ_K_SIGN_TRAILING_SEPARATE: *ndig = width - 1; *sign_pos = width - 1; break;
    case CBZ_K_SIGN_LEADING_SEPARATE: *ndig = width - 1; *first = 1; *sign_pos = 0; break;
    default: return false;
    }
    return *ndig >= 1;
}

#ifdef __cplusplus
}
#endif
#endif /* CBZ_KERNELS_X86_H */
