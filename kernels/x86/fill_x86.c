/*
 * fill_x86.c — puts the x86 SIMD kernels into a dispatch table.  Compiled
 * with the plain flags (no -mavx2/-msse4.1): dispatch.c calls these after
 * its CPU check, and nothing here may execute an instruction the CPU lacks.
 * Entries not named here keep what the table had (portable, or for avx2 the
 * sse41 entries dispatch.c copied in first, for avx512 the avx2 ones).
 * The avx2 table takes vx_avx2.c's block-wise decimal kernels, zoned_to_i64
 * included; the avx512 table vx_avx512.c's kernels (select_rows only where
 * the CPU has VBMI2 too: dispatch.c's avx512 check does not ask for it;
 * merge_rows then takes its VBMI2 form for rows of 1 or 2 bytes).
 */
#include "x86/kernels_x86.h"

void cbz_kernels_fill_sse41(cbz_kernel_table *t)
{
    t->packed_to_i64 = cbz_k_packed_to_i64_sse41;
    t->i64_to_packed = cbz_k_i64_to_packed_sse41;
    t->zoned_to_i64 = cbz_k_zoned_to_i64_sse41;
    t->i64_to_zoned = cbz_k_i64_to_zoned_sse41;
    t->be_to_i64 = cbz_k_be_to_i64_sse41;
    t->i64_to_be = cbz_k_i64_to_be_sse41;
    t->transcode = cbz_k_transcode_sse41;
    t->text_lengths = cbz_k_text_lengths_sse41;
}

void cbz_kernels_fill_avx2(cbz_kernel_table *t)
{
    t->packed_to_i64 = cbz_k_packed_to_i64_avx2;
    t->i64_to_packed = cbz_k_i64_to_packed_avx2;
    t->zoned_to_i64 = cbz_k_zoned_to_i64_avx2;
    t->i64_to_zoned = cbz_k_i64_to_zoned_avx2;
    t->be_to_i64 = cbz_k_be_to_i64_avx2;
    t->i64_to_be = cbz_k_i64_to_be_avx2;
    t->transcode = cbz_k_transcode_avx2;
    t->text_lengths = cbz_k_text_lengths_avx2;
    t->gather = cbz_k_gather_avx2;
    t->planes_split = cbz_k_planes_split_avx2;
    t->planes_join = cbz_k_planes_join_avx2;
    t->delta_encode = cbz_k_delta_encode_avx2;
    t->delta_decode = cbz_k_delta_decode_avx2;
    t->for_encode = cbz_k_for_encode_avx2;
    t->for_decode = cbz_k_for_decode_avx2;
    t->zigzag_encode = cbz_k_zigzag_encode_avx2;
    t->zigzag_decode = cbz_k_zigzag_decode_avx2;
    t->minmax = cbz_k_minmax_avx2;
    t->seq_stats = cbz_k_seq_stats_avx2;
    t->max_bits_u64 = cbz_k_max_bits_u64_avx2;
    t->blank_rows = cbz_k_blank_rows_avx2;
    t->digit_rows = cbz_k_digit_rows_avx2;
    t->bitunpack_u32 = cbz_k_bitunpack_u32_avx2;
    t->dict_gather_u64 = cbz_k_dict_gather_u64_avx2;
    t->dict_gather_fixed = cbz_k_dict_gather_fixed_avx2;
}

void cbz_kernels_fill_avx512(cbz_kernel_table *t)
{
    t->packed_to_i64 = cbz_k_packed_to_i64_avx512;
    t->i64_to_packed = cbz_k_i64_to_packed_avx512;
    t->zoned_to_i64 = cbz_k_zoned_to_i64_avx512;
    t->i64_to_zoned = cbz_k_i64_to_zoned_avx512;
    t->merge_rows = cbz_k_merge_rows_avx512;
    t->expand_u64 = cbz_k_expand_u64_avx512;
    t->select_u64 = cbz_k_select_u64_avx512;
    if (__builtin_cpu_supports("avx512vbmi2")) {
        t->select_rows = cbz_k_select_rows_avx512;
        t->merge_rows = cbz_k_merge_rows_avx512_vbmi2;
    }
    t->blank_rows = cbz_k_blank_rows_avx512;
    t->digit_rows = cbz_k_digit_rows_avx512;
    t->planes_u64 = cbz_k_planes_u64_avx512;
    t->dec_planes_u64 = cbz_k_dec_planes_u64_avx512;
}
