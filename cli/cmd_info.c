/*
 * cmd_info.c — `cobzip info`: for every member, its records, chunks, sizes
 * and ratio, and for every column (and side stream) the chain of layers
 * chosen and its bytes in and out, summed over the chunks.  Text or --json.
 */
#include "cli.h"
#include "container.h"
#include "jsonl.h"

#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: cobzip info DATASET|MEMBER [--json]\n"
            "\n"
            "      --json            one JSON document on stdout\n"
            "  -h, --help            this help\n");
}

static void jstr(const char *s) { cbz_json_put_string(stdout, s, strlen(s)); }

static void print_member(const char *path, const cbz_member *m, bool json, bool first)
{
    const cbz_member_meta *x = &m->meta;
    double ratio = m->size ? (double)m->source_size / (double)m->size : 0.0;
    size_t ns = cbz_plan_streams(&m->plan);
    if (json) {
        printf("%s\n  {\"member\": ", first ? "" : ",");
        jstr(path);
        printf(", \"source\": ");
        jstr(x->source_name);
        printf(", \"size\": %llu, \"member_size\": %zu, \"ratio\": %.4f, \"records\": %llu, "
               "\"chunks\": %llu, \"sha256\": \"%s\",\n   \"mode\": \"%s\", \"recfm\": \"%s\", "
               "\"lrecl\": %u, \"width\": %u, \"codepage\": ",
               (unsigned long long)m->source_size, m->size, ratio,
               (unsigned long long)m->total_records, (unsigned long long)m->n_chunks,
               m->source_sha256, x->mode == CBZ_MODE_RECORDS ? "records" : "generic",
               cbz_recfm_name(x->fmt.recfm), (unsigned)x->fmt.lrecl, (unsigned)m->plan.width);
        jstr(x->codepage);
        printf(", \"copybook\": ");
        if (x->copybook_name[0]) jstr(x->copybook_name);
        else printf("null");
        printf(", \"level\": %d, \"chunk_size\": %llu,\n   \"columns\": [", x->level,
               (unsigned long long)x->chunk_size);
        bool any = false;
        for (size_t s = 0; s < ns; s++) {
            const cbz_col_stats *st = &m->stats[s];
            if (!st->bytes_in) continue;
            printf("%s\n    {\"name\": ", any ? "," : "");
            any = true;
            jstr(cbz_plan_stream_name(&m->plan, s));
            if (s >= CBZ_SIDE_STREAMS)
                printf(", \"offset\": %u, \"width\": %u", (unsigned)m->plan.cols[s - CBZ_SIDE_STREAMS].offset,
                       (unsigned)m->plan.cols[s - CBZ_SIDE_STREAMS].width);
            printf(", \"chain\": ");
            jstr(st->chain);
            printf(", \"bytes_in\": %llu, \"bytes_out\": %llu, \"exceptions\": %llu, \"layers\": {",
                   (unsigned long long)st->bytes_in, (unsigned long long)st->bytes_out,
                   (unsigned long long)st->exceptions);
            bool lf = true;
            for (int l = 1; l <= 8; l++) {
                if (!st->layer_out[l]) continue;
                printf("%s\"%s\": %llu", lf ? "" : ", ", cbz_layer_names[l],
                       (unsigned long long)st->layer_out[l]);
                lf = false;
            }
            printf("}}");
        }
        printf("]}");
        return;
    }
    printf("%s\n", path);
    printf("  source     %s (%llu bytes, sha256 %s)\n", x->source_name,
           (unsigned long long)m->source_size, m->source_sha256);
    printf("  member     %zu bytes, ratio %.2f, level %d\n", m->size, ratio, x->level);
    printf("  records    %llu in %llu chunks (chunk size %llu)\n",
           (unsigned long long)m->total_records, (unsigned long long)m->n_chunks,
           (unsigned long long)x->chunk_size);
    printf("  format     %s, RECFM %s, LRECL %u, code page %s, copybook %s\n",
           x->mode == CBZ_MODE_RECORDS ? "records" : "generic (plain bytes)",
           cbz_recfm_name(x->fmt.recfm), (unsigned)x->fmt.lrecl, x->codepage,
           x->copybook_name[0] ? x->copybook_name : "(none)");
    uint64_t layer[9] = { 0 };
    for (size_t s = 0; s < ns; s++)
        for (int l = 1; l <= 8; l++) layer[l] += m->stats[s].layer_out[l];
    printf("  layers    ");
    for (int l = 1; l <= 8; l++)
        if (layer[l]) printf(" %s=%llu", cbz_layer_names[l], (unsigned long long)layer[l]);
    printf("\n  %-32s %12s %12s %7s  %s\n", "column", "bytes in", "bytes out", "ratio", "chain");
    for (size_t s = 0; s < ns; s++) {
        const cbz_col_stats *st = &m->stats[s];
        if (!st->bytes_in) continue;
        printf("  %-32s %12llu %12llu %7.1f  %s", cbz_plan_stream_name(&m->plan, s),
               (unsigned long long)st->bytes_in, (unsigned long long)st->bytes_out,
               st->bytes_out ? (double)st->bytes_in / (double)st->bytes_out : 0.0, st->chain);
        if (st->exceptions) printf(" (%llu exceptions)", (unsigned long long)st->exceptions);
        printf("\n");
    }
}

/* Prints one member (a cli_member_visit; json points to the --json flag);
 * the first (index 0) opens the JSON list. */
static bool info_one(const char *path, size_t index, void *json)
{
    cbz_error err = { 0 };
    cbz_member *m;
    if (cbz_member_open(path, &m, &err) != CBZ_OK) {
        fprintf(stderr, "cobzip info: %s\n", err.msg);
        return false;
    }
    print_member(path, m, *(const bool *)json, index == 0);
    cbz_member_close(m);
    return true;
}

int cmd_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *cmd = "info";
    bool json = false;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt != 'j') return cli_help_or_bad_option(cmd, opt, usage);
        json = true;
    }
    const char *in = cli_one_operand(cmd, argc, argv, "DATASET or MEMBER");
    if (!in) return CLI_RC_SEVERE;
    bool ok = true;
    if (json) printf("{\"members\": [");
    if (!cbz_is_directory(in)) {
        ok = info_one(in, 0, &json);
    } else {
        cbz_error err = { 0 };
        size_t n, problems;
        if (cli_visit_members(in, false, info_one, &json, &n, &problems, &err) != CBZ_OK) {
            if (json) printf("]}\n");
            return cli_report_error(cmd, &err);
        }
        ok = problems == 0; /* no manifest check: the members that failed */
    }
    if (json) printf("\n]}\n");
    return ok ? CLI_RC_OK : CLI_RC_ERROR;
}
