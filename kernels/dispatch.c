/*
 * dispatch.c — picks the kernel variant once per process: the best one the
 * CPU supports, or the one CBZ_KERNELS names (portable|sse41|avx2|avx512), in
 * the manner of libdeflate's lib/x86/cpu_features.c.  SIMD variants exist
 * only when kernels/x86/kernels_x86.h is present (its presence says that
 * kernels/x86/ defines cbz_kernels_fill_sse41/avx2/avx512).
 */
#include "kernels.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__has_include)
#if __has_include("x86/kernels_x86.h")
#include "x86/kernels_x86.h"
#define CBZ_HAVE_X86_KERNELS 1
#endif
#endif

static const char *const variant_names[] = { "portable", "sse41", "avx2", "avx512", NULL };

static cbz_kernel_table t_portable, t_sse41, t_avx2, t_avx512;
static bool have_sse41, have_avx2, have_avx512;
static const cbz_kernel_table *current;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const cbz_kernel_table *lookup(const char *name)
{
    if (!name) return NULL;
    if (strcmp(name, "portable") == 0) return &t_portable;
    if (strcmp(name, "sse41") == 0) return have_sse41 ? &t_sse41 : NULL;
    if (strcmp(name, "avx2") == 0) return have_avx2 ? &t_avx2 : NULL;
    if (strcmp(name, "avx512") == 0) return have_avx512 ? &t_avx512 : NULL;
    return NULL;
}

static void fill_portable(cbz_kernel_table *t, const char *name)
{
    t->name = name;
    t->gather = cbz_k_gather_portable;
    t->scatter = cbz_k_scatter_portable;
    t->planes_split = cbz_k_planes_split_portable;
    t->planes_join = cbz_k_planes_join_portable;
    t->transcode = cbz_k_transcode_portable;
    t->text_lengths = cbz_k_text_lengths_portable;
    t->packed_to_i64 = cbz_k_packed_to_i64_portable;
    t->i64_to_packed = cbz_k_i64_to_packed_portable;
    t->zoned_to_i64 = cbz_k_zoned_to_i64_portable;
    t->i64_to_zoned = cbz_k_i64_to_zoned_portable;
    t->be_to_i64 = cbz_k_be_to_i64_portable;
    t->i64_to_be = cbz_k_i64_to_be_portable;
    t->delta_encode = cbz_k_delta_encode_portable;
    t->delta_decode = cbz_k_delta_decode_portable;
    t->delta2_encode = cbz_k_delta2_encode_portable;
    t->delta2_decode = cbz_k_delta2_decode_portable;
    t->for_encode = cbz_k_for_encode_portable;
    t->for_decode = cbz_k_for_decode_portable;
    t->zigzag_encode = cbz_k_zigzag_encode_portable;
    t->zigzag_decode = cbz_k_zigzag_decode_portable;
    t->minmax = cbz_k_minmax_portable;
    t->seq_stats = cbz_k_seq_stats_portable;
    t->run_count = cbz_k_run_count_portable;
    t->rle_encode = cbz_k_rle_encode_portable;
    t->rle_decode = cbz_k_rle_decode_portable;
    t->dict_lookup_u64 = cbz_k_dict_lookup_u64_portable;
    t->dict_lookup_fixed = cbz_k_dict_lookup_fixed_portable;
    t->dict_gather_u64 = cbz_k_dict_gather_u64_portable;
    t->dict_gather_fixed = cbz_k_dict_gather_fixed_portable;
    t->bitpack_u64 = cbz_k_bitpack_u64_portable;
    t->bitunpack_u64 = cbz_k_bitunpack_u64_portable;
    t->bitpack_u32 = cbz_k_bitpack_u32_portable;
    t->bitunpack_u32 = cbz_k_bitunpack_u32_portable;
    t->max_bits_u64 = cbz_k_max_bits_u64_portable;
    t->merge_rows = cbz_k_merge_rows_portable;
    t->expand_u64 = cbz_k_expand_u64_portable;
    t->select_u64 = cbz_k_select_u64_portable;
    t->select_rows = cbz_k_select_rows_portable;
    t->blank_rows = cbz_k_blank_rows_portable;
    t->digit_rows = cbz_k_digit_rows_portable;
    t->planes_u64 = cbz_k_planes_u64_portable;
    t->dec_planes_u64 = cbz_k_dec_planes_u64_portable;
}

static void init_tables(void)
{
    fill_portable(&t_portable, "portable");
    fill_portable(&t_sse41, "sse41");
    fill_portable(&t_avx2, "avx2");
    fill_portable(&t_avx512, "avx512");
#ifdef CBZ_HAVE_X86_KERNELS
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sse4.1")) {
        cbz_kernels_fill_sse41(&t_sse41);
        have_sse41 = true;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2")) {
        /* avx2 builds on the sse41 entries it does not replace */
        if (have_sse41) t_avx2 = t_sse41;
        t_avx2.name = "avx2";
        cbz_kernels_fill_avx2(&t_avx2);
        have_avx2 = true;
    }
    if (have_avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512ifma")) {
        /* avx512 builds on the avx2 table */
        t_avx512 = t_avx2;
        t_avx512.name = "avx512";
        cbz_kernels_fill_avx512(&t_avx512);
        have_avx512 = true;
    }
#endif
    current = have_avx512 ? &t_avx512
              : have_avx2 ? &t_avx2
              : have_sse41 ? &t_sse41
                           : &t_portable;
    const char *force = getenv("CBZ_KERNELS");
    if (force && *force) {
        const cbz_kernel_table *t = lookup(force); /* not cbz_kernels_get: we are inside once */
        if (t) current = t;
    }
}

const cbz_kernel_table *cbz_kernels_get(const char *name)
{
    pthread_once(&once, init_tables);
    return lookup(name);
}

const cbz_kernel_table *cbz_kernels(void)
{
    pthread_once(&once, init_tables);
    return current;
}

const char *cbz_kernels_variant_name(void) { return cbz_kernels()->name; }

bool cbz_kernels_select(const char *name)
{
    const cbz_kernel_table *t = cbz_kernels_get(name);
    if (!t) return false;
    current = t;
    return true;
}

const char *const *cbz_kernels_variant_names(void) { return variant_names; }
