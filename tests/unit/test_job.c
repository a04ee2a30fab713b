/*
 * test_job.c — CUnit tests of job decks: the YAML wrapper, ${name}
 * substitution, IF and COND= conditions, deck validation with line:column
 * errors, site configuration precedence, and the runner (DISP, conditions,
 * ABEND, restart, lock, dry-run, report) with a small fake program in place of
 * the cobzip binary.
 */
#include "config.h"
#include "job.h"
#include "yaml_wrap.h"

#include <CUnit/Basic.h>
#include "cunit_run.h"
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[256];
static char fake[300];

/* ------------------------------------------------------------- helpers */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return "(missing)";
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static bool exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static const char *tp(const char *name)
{
    static char bufs[8][512];
    static int k;
    char *b = bufs[k++ & 7];
    snprintf(b, 512, "%s/%s", tmpdir, name);
    return b;
}

/* Parses deck text (with ${T} = tmpdir) and fails the test with the error. */
static cbz_job *parse_ok(const char *text)
{
    cbz_job_param p[] = { { "T", tmpdir } };
    cbz_job *job = NULL;
    cbz_error err = { 0 };
    cbz_status s = cbz_job_parse_text(text, strlen(text), tp("deck.yaml"), p, 1, &job, &err);
    if (s != CBZ_OK) fprintf(stderr, "\nunexpected deck error: %s\n", err.msg);
    CU_ASSERT_EQUAL_FATAL(s, CBZ_OK);
    return job;
}

/* Parses a bad deck; returns the message (static). */
static const char *parse_bad(const char *text)
{
    static cbz_error err;
    memset(&err, 0, sizeof err);
    cbz_job_param p[] = { { "T", tmpdir } };
    cbz_job *job = NULL;
    cbz_status s = cbz_job_parse_text(text, strlen(text), "bad.yaml", p, 1, &job, &err);
    CU_ASSERT_EQUAL(s, CBZ_ERR_JOB);
    CU_ASSERT_PTR_NULL(job);
    cbz_job_free(job);
    return err.msg;
}

static char logbuf[65536];

/* Runs a deck with the fake program; returns the job rc, log in logbuf. */
static int run_deck(const char *text, cbz_job_run_options *o)
{
    cbz_job *job = parse_ok(text);
    char *mem = NULL;
    size_t len = 0;
    FILE *log = open_memstream(&mem, &len);
    cbz_job_run_options def = { 0 };
    if (!o) o = &def;
    o->exe = fake;
    o->log = log;
    int rc = -1;
    cbz_error err = { 0 };
    (void)cbz_job_run(job, o, &rc, &err);
    fclose(log);
    snprintf(logbuf, sizeof logbuf, "%s", mem ? mem : "");
    free(mem);
    cbz_job_free(job);
    return rc;
}

static bool log_has(const char *s) { return strstr(logbuf, s) != NULL; }

/* Every line of the log starts with a message id and a severity letter. */
static bool log_lines_have_ids(void)
{
    const char *p = logbuf;
    while (*p) {
        if (strncmp(p, "CBZ", 3) != 0 || !strchr("IWE", p[7]) || p[8] != ' ') return false;
        const char *nl = strchr(p, '\n');
        if (!nl) break;
        p = nl + 1;
    }
    return true;
}

/* ------------------------------------------------------------- YAML */

static void test_yaml_tree(void)
{
    const char *t = "a: 1\nb:\n  - x\n  - 'y z'\nc: {d: e}\n";
    cbz_ynode *root;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(cbz_yaml_load_text(t, strlen(t), "t.yaml", &root, &err), CBZ_OK);
    CU_ASSERT_EQUAL(root->kind, CBZ_Y_MAP);
    CU_ASSERT_EQUAL(root->n, 3);
    const cbz_ynode *b = cbz_ynode_get(root, "b");
    CU_ASSERT_FATAL(b && b->kind == CBZ_Y_SEQ && b->n == 2);
    CU_ASSERT_STRING_EQUAL(b->items[1]->scalar, "y z");
    CU_ASSERT_TRUE(b->items[1]->quoted);
    CU_ASSERT_EQUAL(b->items[1]->line, 4);
    CU_ASSERT_EQUAL(b->items[1]->column, 5);
    const cbz_ynode *c = cbz_ynode_get(root, "c");
    CU_ASSERT_STRING_EQUAL(cbz_ynode_get(c, "d")->scalar, "e");
    CU_ASSERT_PTR_NULL(cbz_ynode_get(root, "zz"));
    cbz_ynode_free(root);
}

static void yaml_err(const char *t, const char *want)
{
    cbz_ynode *root = NULL;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL(cbz_yaml_load_text(t, strlen(t), "t.yaml", &root, &err), CBZ_ERR_JOB);
    CU_ASSERT_PTR_NULL(root);
    if (!strstr(err.msg, want)) fprintf(stderr, "\nwanted '%s' in '%s'\n", want, err.msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
}

static void test_yaml_errors(void)
{
    yaml_err("a: 1\na: 2\n", "t.yaml:2:1: key 'a' appears twice");
    yaml_err("a: &x 1\nb: *x\n", "t.yaml:1:4: anchors");
    yaml_err("a: [1, 2\nb: 3\n", "t.yaml:");
    yaml_err("a: b: c\n", "t.yaml:1:5");
    yaml_err("? [a]\n: 1\n", "expected a plain key");
    cbz_ynode *root;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL(cbz_yaml_load_text("", 0, "e", &root, &err), CBZ_OK);
    CU_ASSERT_EQUAL(root->kind, CBZ_Y_MAP);
    CU_ASSERT_EQUAL(root->n, 0);
    cbz_ynode_free(root);
}

/* ------------------------------------------------------------- substitution */

static void test_substitute(void)
{
    cbz_job_param p[] = { { "date", "20261122" }, { "dir", "/data" } };
    char *out;
    size_t pos;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(cbz_job_substitute("${dir}/TXN.${date}.dat", p, 2, &out, &pos, &err), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(out, "/data/TXN.20261122.dat");
    free(out);
    CU_ASSERT_EQUAL_FATAL(cbz_job_substitute("cost $5 $${date}", p, 2, &out, &pos, &err), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(out, "cost $5 ${date}");
    free(out);
    CU_ASSERT_EQUAL(cbz_job_substitute("a/${nope}/b", p, 2, &out, &pos, &err), CBZ_ERR_JOB);
    CU_ASSERT_EQUAL(pos, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "unknown symbol ${nope}"));
    CU_ASSERT_EQUAL(cbz_job_substitute("a${date", p, 2, &out, &pos, &err), CBZ_ERR_JOB);
    CU_ASSERT_EQUAL(cbz_job_substitute("a${}", p, 2, &out, &pos, &err), CBZ_ERR_JOB);
}

static void test_param_override(void)
{
    const char *deck = "job: J1\nparams: {date: '1'}\nsteps:\n"
                       "  - {step: S1, pgm: verify, dd: {SYSUT1: 'in.${date}.${JOB}'}}\n";
    cbz_job *job = parse_ok(deck);
    CU_ASSERT_STRING_EQUAL(job->steps[0].dds[0].dsn[0], "in.1.J1");
    cbz_job_free(job);
    cbz_job_param over[] = { { "date", "2" } };
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL_FATAL(cbz_job_parse_text(deck, strlen(deck), "d.yaml", over, 1, &job, &err), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(job->steps[0].dds[0].dsn[0], "in.2.J1");
    cbz_job_free(job);
}

/* ------------------------------------------------------------- conditions */

static bool eval(const char *text, const cbz_cond_step *steps, size_t n)
{
    const char *known[8];
    for (size_t i = 0; i < n; i++) known[i] = steps[i].name;
    cbz_cond *c = NULL;
    size_t pos;
    cbz_error err = { 0 };
    cbz_status s = cbz_cond_parse(text, known, n, &c, &pos, &err);
    if (s != CBZ_OK) fprintf(stderr, "\n%s: %s\n", text, err.msg);
    CU_ASSERT_EQUAL_FATAL(s, CBZ_OK);
    cbz_cond_ctx ctx = { steps, n };
    bool v = cbz_cond_eval(c, &ctx);
    cbz_cond_free(c);
    return v;
}

static void test_cond_eval(void)
{
    cbz_cond_step st[] = {
        { "STEP010", CBZ_STEP_RAN, 4 },
        { "STEP020", CBZ_STEP_BYPASSED, 0 },
        { "STEP030", CBZ_STEP_RAN, 0 },
    };
    CU_ASSERT_TRUE(eval("STEP010.RC <= 4", st, 3));
    CU_ASSERT_FALSE(eval("STEP010.RC < 4", st, 3));
    CU_ASSERT_TRUE(eval("STEP010.RC = 4", st, 3));
    CU_ASSERT_TRUE(eval("STEP010.RC EQ 4", st, 3));
    CU_ASSERT_TRUE(eval("step010.rc ge 4", st, 3));
    CU_ASSERT_TRUE(eval("STEP010.RC <> 0", st, 3));
    CU_ASSERT_TRUE(eval("STEP010.RC != 0", st, 3));
    CU_ASSERT_FALSE(eval("STEP010.RC NE 4", st, 3));
    CU_ASSERT_TRUE(eval("STEP010.RC > 0", st, 3));
    CU_ASSERT_FALSE(eval("STEP010.RC GT 4", st, 3));
    CU_ASSERT_TRUE(eval("RC = 4", st, 3));              /* highest of the steps that ran */
    CU_ASSERT_TRUE(eval("RC <= 4 AND NOT ABEND", st, 3));
    CU_ASSERT_FALSE(eval("STEP020.RC = 0", st, 3));     /* bypassed: no rc, false */
    CU_ASSERT_TRUE(eval("NOT STEP020.RC = 0", st, 3));
    CU_ASSERT_FALSE(eval("STEP020.RUN", st, 3));
    CU_ASSERT_TRUE(eval("STEP030.RUN & STEP030.RC = 0", st, 3));
    CU_ASSERT_TRUE(eval("STEP020.RC = 0 | STEP030.RC = 0", st, 3));
    CU_ASSERT_FALSE(eval("(STEP020.RC = 0 OR STEP030.RC = 0) AND STEP010.RC > 4", st, 3));
    CU_ASSERT_TRUE(eval("STEP020.RC = 0 OR STEP030.RC = 0 AND STEP010.RC = 4", st, 3)); /* AND binds tighter */
    CU_ASSERT_TRUE(eval("¬ABEND", st, 3));
    CU_ASSERT_TRUE(eval("!(RC > 4)", st, 3));
    CU_ASSERT_TRUE(eval("TRUE", st, 3));
    CU_ASSERT_FALSE(eval("FALSE OR ABEND", st, 3));
    CU_ASSERT_TRUE(eval("RC = 0", st, 0));               /* no step ran yet */
    cbz_cond_step ab[] = { { "S1", CBZ_STEP_ABEND, 0 }, { "S2", CBZ_STEP_RAN, 8 } };
    CU_ASSERT_TRUE(eval("ABEND", ab, 2));
    CU_ASSERT_TRUE(eval("S1.ABEND", ab, 2));
    CU_ASSERT_FALSE(eval("S2.ABEND", ab, 2));
    CU_ASSERT_FALSE(eval("S1.RC >= 0", ab, 2));           /* an abended step has no rc */
    CU_ASSERT_TRUE(eval("S1.RUN", ab, 2));
    CU_ASSERT_TRUE(eval("RC = 8", ab, 2));
}

static void cond_err(const char *text, size_t want_pos, const char *want)
{
    const char *known[] = { "STEP010" };
    cbz_cond *c = NULL;
    size_t pos = 0;
    cbz_error err = { 0 };
    CU_ASSERT_EQUAL(cbz_cond_parse(text, known, 1, &c, &pos, &err), CBZ_ERR_JOB);
    CU_ASSERT_PTR_NULL(c);
    if (pos != want_pos || !strstr(err.msg, want)) fprintf(stderr, "\n'%s': pos %zu msg %s\n", text, pos, err.msg);
    CU_ASSERT_EQUAL(pos, want_pos);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
}

static void test_cond_errors(void)
{
    cond_err("", 1, "empty");
    cond_err("RC", 3, "expected a comparison");
    cond_err("RC <= ", 7, "return code");
    cond_err("STEP099.RC = 0", 1, "not the name of an earlier step");
    cond_err("STEP010.XX = 0", 9, "expected RC, ABEND or RUN");
    cond_err("(RC = 0", 8, "expected ')'");
    cond_err("RC = 0 RC = 4", 8, "expected AND, OR");
    cond_err("ABEND > 1", 7, "only RC and STEP.RC");
    cond_err("RC = 4096", 6, "at most 4095");
    cond_err("RC = 0 AND", 11, "expected RC, ABEND");
    cond_err("BOGUS", 1, "'BOGUS' is not");
    cond_err("RC = 0 ; ls", 8, "expected AND, OR");
}

static void test_jcl_cond(void)
{
    const char *known[] = { "S1", "S2" };
    cbz_jcl_cond c;
    size_t pos;
    cbz_error err = { 0 };
    cbz_cond_step st[] = { { "S1", CBZ_STEP_RAN, 8 }, { "S2", CBZ_STEP_BYPASSED, 0 } };
    cbz_cond_ctx ctx = { st, 2 };
    /* (4,LT): bypass when 4 < RC of an earlier step: S1 has 8 -> bypass. */
    CU_ASSERT_EQUAL_FATAL(cbz_jcl_cond_parse("(4,LT)", known, 2, &c, &pos, &err), CBZ_OK);
    CU_ASSERT_EQUAL(c.n_tests, 1);
    CU_ASSERT_TRUE(cbz_jcl_cond_bypass(&c, &ctx));
    /* (8,LT): 8 < 8 false -> run. */
    CU_ASSERT_EQUAL_FATAL(cbz_jcl_cond_parse("(8,LT)", known, 2, &c, &pos, &err), CBZ_OK);
    CU_ASSERT_FALSE(cbz_jcl_cond_bypass(&c, &ctx));
    /* A test naming a step that did not run is ignored. */
    CU_ASSERT_EQUAL_FATAL(cbz_jcl_cond_parse("((0,EQ,S2),(0,LE,S2))", known, 2, &c, &pos, &err), CBZ_OK);
    CU_ASSERT_EQUAL(c.n_tests, 2);
    CU_ASSERT_FALSE(cbz_jcl_cond_bypass(&c, &ctx));
    CU_ASSERT_EQUAL_FATAL(cbz_jcl_cond_parse(" ( (8, EQ, S1) , EVEN ) ", known, 2, &c, &pos, &err), CBZ_OK);
    CU_ASSERT_TRUE(c.even);
    CU_ASSERT_FALSE(c.only);
    CU_ASSERT_TRUE(cbz_jcl_cond_bypass(&c, &ctx));
    CU_ASSERT_EQUAL_FATAL(cbz_jcl_cond_parse("ONLY", known, 2, &c, &pos, &err), CBZ_OK);
    CU_ASSERT_TRUE(c.only);
    CU_ASSERT_EQUAL(c.n_tests, 0);
    CU_ASSERT_EQUAL(cbz_jcl_cond_parse("(4,LT,S9)", known, 2, &c, &pos, &err), CBZ_ERR_JOB);
    CU_ASSERT_EQUAL(pos, 7);
    CU_ASSERT_EQUAL(cbz_jcl_cond_parse("(4,<)", known, 2, &c, &pos, &err), CBZ_ERR_JOB);
    CU_ASSERT_EQUAL(cbz_jcl_cond_parse("(EVEN,ONLY)", known, 2, &c, &pos, &err), CBZ_ERR_JOB);
    CU_ASSERT_EQUAL(cbz_jcl_cond_parse("(4,LT", known, 2, &c, &pos, &err), CBZ_ERR_JOB);
    CU_ASSERT_EQUAL(cbz_jcl_cond_parse("((1,EQ),(2,EQ),(3,EQ),(4,EQ),(5,EQ),(6,EQ),(7,EQ),(8,EQ),(9,EQ))", known, 2, &c,
                                       &pos, &err), CBZ_ERR_JOB);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "at most 8"));
}

/* ------------------------------------------------------------- decks */

static void test_deck_good(void)
{
    cbz_job *job = parse_ok(
        "job: NIGHTLY1\n"
        "params: {date: \"20261122\"}\n"
        "defaults: {level: 9, chunk_size: 1M}\n"
        "steps:\n"
        "  - step: STEP010\n"
        "    pgm: compress\n"
        "    parm: {level: 9, threads: 2, codepage: cp037}\n"
        "    dd:\n"
        "      COPYBOOK: copybooks/TXN.cpy\n"
        "      SYSUT1:  {dsn: \"in/TXN.${date}.dat\", recfm: FB, lrecl: 150}\n"
        "      SYSUT2:  {dsn: \"out/TXN.${date}\", disp: [NEW, CATLG, DELETE]}\n"
        "  - step: STEP020\n"
        "    pgm: verify\n"
        "    if: STEP010.RC <= 4\n"
        "    dd: {SYSUT1: \"out/TXN.${date}\"}\n"
        "  - step: STEP030\n"
        "    pgm: convert\n"
        "    cond: [[4, LT], EVEN]\n"
        "    parm: {format: csv, max_errors: 10, select: [A=1, B=2], fillers: true}\n"
        "    dd: {COPYBOOK: c.cpy, SYSUT1: x, SYSUT2: {dsn: y.csv, disp: MOD}, REJECTS: {dsn: r, disp: '(MOD,KEEP,KEEP)'}}\n");
    CU_ASSERT_STRING_EQUAL(job->name, "NIGHTLY1");
    CU_ASSERT_EQUAL_FATAL(job->n_steps, 3);
    CU_ASSERT_EQUAL(job->defaults[CBZ_CFG_LEVEL].source, CBZ_SRC_DECK);
    CU_ASSERT_STRING_EQUAL(job->defaults[CBZ_CFG_CHUNK_SIZE].value, "1048576");
    const cbz_job_step *s = &job->steps[0];
    CU_ASSERT_EQUAL(s->pgm, CBZ_PGM_COMPRESS);
    const cbz_job_dd *in = cbz_job_step_dd(s, "SYSUT1");
    CU_ASSERT_FATAL(in != NULL);
    CU_ASSERT_STRING_EQUAL(in->dsn[0], "in/TXN.20261122.dat");
    CU_ASSERT_STRING_EQUAL(in->recfm, "FB");
    CU_ASSERT_EQUAL(in->lrecl, 150);
    CU_ASSERT_EQUAL(in->status, CBZ_DISP_SHR);
    const cbz_job_dd *out = cbz_job_step_dd(s, "SYSUT2");
    CU_ASSERT_EQUAL(out->status, CBZ_DISP_NEW);
    CU_ASSERT_EQUAL(out->normal, CBZ_DISP_CATLG);
    CU_ASSERT_EQUAL(out->abnormal, CBZ_DISP_DELETE);
    CU_ASSERT_STRING_EQUAL(cbz_job_step_parm(s, "threads")->values[0], "2");
    CU_ASSERT_PTR_NOT_NULL(job->steps[1].if_cond);
    const cbz_job_step *c = &job->steps[2];
    CU_ASSERT_TRUE(c->has_jcl_cond);
    CU_ASSERT_TRUE(c->jcl_cond.even);
    CU_ASSERT_EQUAL(c->jcl_cond.n_tests, 1);
    CU_ASSERT_EQUAL(c->jcl_cond.tests[0].op, CBZ_CMP_LT);
    CU_ASSERT_EQUAL(cbz_job_step_parm(c, "select")->n_values, 2);
    CU_ASSERT_TRUE(cbz_job_step_parm(c, "fillers")->is_flag);
    CU_ASSERT_EQUAL(cbz_job_step_dd(c, "SYSUT2")->status, CBZ_DISP_MOD);
    CU_ASSERT_EQUAL(cbz_job_step_dd(c, "SYSUT2")->abnormal, CBZ_DISP_KEEP);
    CU_ASSERT_EQUAL(cbz_job_step_dd(c, "REJECTS")->status, CBZ_DISP_MOD);
    cbz_job_free(job);
}

static void bad(const char *deck, const char *want)
{
    const char *msg = parse_bad(deck);
    if (!strstr(msg, want)) fprintf(stderr, "\nwanted '%s' in '%s'\n", want, msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, want));
}

static void test_deck_bad(void)
{
    const char *steps = "steps:\n  - {step: S1, pgm: verify, dd: {SYSUT1: x}}\n";
    char buf[1024];
    bad("job: J\nstpes: []\n", "bad.yaml:2:1: unknown key 'stpes' in the job");
    bad("steps:\n  - {step: S1, pgm: verify, dd: {SYSUT1: x}}\n", "bad.yaml:1:1: the deck has no 'job:'");
    bad("job: 9X\nsteps: []\n", "bad.yaml:1:6: job name '9X'");
    bad("job: J\nsteps: []\n", "bad.yaml:2:8: steps: the list is empty");
    bad("job: J\nsteps:\n  - step: S1\n    pgm: zip\n", "bad.yaml:4:10: pgm 'zip'");
    bad("job: J\nsteps:\n  - step: S1\n    dd: {SYSUT1: x}\n", "bad.yaml:3:5: step S1 has no 'pgm:'");
    bad("job: J\nsteps:\n  - {step: S1, pgm: verify, dd: {SYSUT1: x}}\n  - {step: S1, pgm: verify, dd: {SYSUT1: x}}\n",
        "bad.yaml:4:12: step name 'S1' is used twice");
    bad("job: J\nsteps:\n  - {step: S1, pgm: verify}\n", "needs DD SYSUT1");
    bad("job: J\nsteps:\n  - {step: S1, pgm: verify, dd: {SYSOUT: x, SYSUT1: y}}\n", "bad.yaml:3:34: unknown DD name 'SYSOUT'");
    bad("job: J\nsteps:\n  - {step: S1, pgm: verify, dd: {SYSUT1: x, SYSUT2: y}}\n", "DD SYSUT2 is not used by pgm verify");
    bad("job: J\nsteps:\n  - step: S1\n    pgm: compress\n    dd:\n      SYSUT1: x\n      SYSUT2: {dsn: y, disp: [NEW, KEPT]}\n",
        "bad.yaml:7:36: DISP normal disposition 'KEPT'");
    bad("job: J\nsteps:\n  - step: S1\n    pgm: compress\n    dd:\n      SYSUT1: x\n      SYSUT2: {dsn: y, disp: MOD}\n",
        "bad.yaml:7:30: DISP MOD appends");
    bad("job: J\nsteps:\n  - step: S1\n    pgm: compress\n    dd:\n      SYSUT1: {dsn: x, disp: NEW}\n      SYSUT2: y\n",
        "bad.yaml:6:30: DD SYSUT1 is read");
    bad("job: J\nsteps:\n  - step: S1\n    pgm: compress\n    dd:\n      SYSUT1: x\n      SYSUT2: {dsn: y, disp: SHR}\n",
        "DISP SHR is for inputs");
    bad("job: J\nsteps:\n  - step: S1\n    pgm: compress\n    parm: {level: 42}\n    dd: {SYSUT1: x, SYSUT2: y}\n",
        "bad.yaml:5:19: parm: level wants a whole number from 1 to 19");
    bad("job: J\nsteps:\n  - step: S1\n    pgm: verify\n    parm: {level: 3}\n    dd: {SYSUT1: x}\n",
        "bad.yaml:5:12: parm 'level' is not an option of pgm verify");
    bad("job: J\nsteps:\n  - step: S1\n    pgm: verify\n    if: S2.RC = 0\n    dd: {SYSUT1: x}\n",
        "bad.yaml:5:9: if: at character 1 of the condition: 'S2' is not the name of an earlier step");
    snprintf(buf, sizeof buf, "job: J\n%s  - step: S2\n    pgm: verify\n    if: S1.RC <== 0\n    dd: {SYSUT1: x}\n", steps);
    bad(buf, "bad.yaml:6:9: if: at character 9 of the condition");
    snprintf(buf, sizeof buf, "job: J\n%s  - step: S2\n    pgm: verify\n    cond: (4,XX)\n    dd: {SYSUT1: x}\n", steps);
    bad(buf, "bad.yaml:6:11: cond: at character 4 of COND");
    bad("job: J\nsteps:\n  - {step: S1, pgm: verify, dd: {SYSUT1: '${missing}'}}\n",
        "bad.yaml:3:42: in a dataset name: at character 1: unknown symbol ${missing}");
    bad("job: J\nsteps:\n  - {step: S1, pgm: verify, dd: {SYSUT1: [a, b]}}\n", "pgm verify reads one SYSUT1 dataset");
    bad("job: J\nsteps:\n  - {step: S1, pgm: convert, dd: {SYSUT1: a, SYSUT2: b}}\n", "needs DD COPYBOOK");
    bad("job: J\nsteps: {a: 1}\n", "bad.yaml:2:8: expected steps: a list of steps (a sequence), found a map");
    bad("job: J\nsteps:\n  - step: S1\n    pgm: verify\n    dd: {SYSUT1: x}\n   bad: indentation\n", "bad.yaml:");
    bad("job: J\ndefaults: {colour: red}\nsteps:\n  - {step: S1, pgm: verify, dd: {SYSUT1: x}}\n",
        "bad.yaml:2:12: unknown default 'colour'");
    bad("job: J\nsteps:\n  - {step: S1, pgm: convert, parm: {fillers: maybe}, dd: {COPYBOOK: c, SYSUT1: a, SYSUT2: b}}\n",
        "parm fillers wants true or false");
}

/* ------------------------------------------------------------- config */

static void test_config(void)
{
    cbz_config c;
    cbz_error err = { 0 };
    cbz_config_init(&c);
    CU_ASSERT_EQUAL(c.items[CBZ_CFG_LEVEL].source, CBZ_SRC_BUILTIN);
    write_file(tp("site.yaml"), "# site\nlevel: 7\nthreads: 4\nchunk_size: 8M\n");
    CU_ASSERT_EQUAL_FATAL(cbz_config_load_file(&c, tp("site.yaml"), &err), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(c.items[CBZ_CFG_LEVEL].value, "7");
    CU_ASSERT_EQUAL(c.items[CBZ_CFG_LEVEL].source, CBZ_SRC_CONF);
    CU_ASSERT_PTR_NOT_NULL(strstr(c.items[CBZ_CFG_LEVEL].origin, "site.yaml:2:8"));
    CU_ASSERT_STRING_EQUAL(c.items[CBZ_CFG_CHUNK_SIZE].value, "8388608");
    setenv("COBZIP_LEVEL", "5", 1);
    setenv("COBZIP_DEVICE", "CPU", 1);
    CU_ASSERT_EQUAL(cbz_config_apply_env(&c, &err), CBZ_OK);
    unsetenv("COBZIP_LEVEL");
    unsetenv("COBZIP_DEVICE");
    CU_ASSERT_STRING_EQUAL(c.items[CBZ_CFG_LEVEL].value, "5");
    CU_ASSERT_EQUAL(c.items[CBZ_CFG_LEVEL].source, CBZ_SRC_ENV);
    CU_ASSERT_STRING_EQUAL(c.items[CBZ_CFG_DEVICE].value, "cpu");
    CU_ASSERT_EQUAL(cbz_config_set(&c, CBZ_CFG_LEVEL, "19", CBZ_SRC_CLI, "--level", &err), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(c.items[CBZ_CFG_LEVEL].value, "19");
    /* A weaker source does not override a stronger one. */
    CU_ASSERT_EQUAL(cbz_config_set(&c, CBZ_CFG_LEVEL, "1", CBZ_SRC_CONF, "x", &err), CBZ_OK);
    CU_ASSERT_STRING_EQUAL(c.items[CBZ_CFG_LEVEL].value, "19");
    CU_ASSERT_EQUAL(c.items[CBZ_CFG_THREADS].source, CBZ_SRC_CONF);
    CU_ASSERT_EQUAL(cbz_config_set(&c, CBZ_CFG_LEVEL, "20", CBZ_SRC_CLI, "--level", &err), CBZ_ERR_USAGE);
    CU_ASSERT_EQUAL(cbz_config_set(&c, CBZ_CFG_THREADS, "0", CBZ_SRC_CLI, "--threads", &err), CBZ_ERR_USAGE);
    CU_ASSERT_EQUAL(cbz_config_set(&c, CBZ_CFG_DEVICE, "tpu", CBZ_SRC_CLI, "--device", &err), CBZ_ERR_USAGE);
    CU_ASSERT_EQUAL(cbz_config_set(&c, CBZ_CFG_CHUNK_SIZE, "12", CBZ_SRC_CLI, "--chunk-size", &err), CBZ_ERR_USAGE);
    CU_ASSERT_EQUAL(cbz_config_set(&c, CBZ_CFG_CHUNK_SIZE, "2G", CBZ_SRC_CLI, "--chunk-size", &err), CBZ_ERR_USAGE);
    write_file(tp("site2.yaml"), "level: 3\nspeed: fast\n");
    CU_ASSERT_EQUAL(cbz_config_load_file(&c, tp("site2.yaml"), &err), CBZ_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "site2.yaml:2:1: unknown setting 'speed'"));
    write_file(tp("site3.yaml"), "level: [1]\n");
    CU_ASSERT_EQUAL(cbz_config_load_file(&c, tp("site3.yaml"), &err), CBZ_ERR_USAGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "site3.yaml:1:8"));
}

/* ------------------------------------------------------------- running */

/* The fake program: echoes its argv, copies its inputs to -o, prints a record
 * count, and exits with the code an input file asks for ("RC=n") or kills
 * itself ("SIG"). */
static const char fake_script[] =
    "#!/bin/sh\n"
    "pgm=$1; shift\n"
    "out=''; ins=''\n"
    "while [ $# -gt 0 ]; do\n"
    "  case \"$1\" in\n"
    "    -o) out=$2; shift 2;;\n"
    "    --force|--fillers) shift;;\n"
    "    -*) shift 2;;\n"
    "    *) ins=\"$ins $1\"; shift;;\n"
    "  esac\n"
    "done\n"
    "echo \"fake $pgm in=$ins out=$out\"\n"
    "code=0\n"
    "for f in $ins; do\n"
    "  case \"$(head -c 6 \"$f\")\" in RC=*) code=$(head -c 6 \"$f\" | cut -c4-);; SIG*) kill -SEGV $$;; esac\n"
    "done\n"
    "[ -n \"$out\" ] && cat $ins > \"$out\"\n"
    "echo \"7 records written\"\n"
    "exit $code\n";

static void test_run_ok_and_conditions(void)
{
    write_file(tp("in.dat"), "HELLO\n");
    unlink(tp("out.dat"));
    int rc = run_deck("job: RUN1\nsteps:\n"
                      "  - {step: S1, pgm: compress, dd: {SYSUT1: '${T}/in.dat', SYSUT2: '${T}/out.dat'}}\n"
                      "  - {step: S2, pgm: verify, if: S1.RC <= 4, dd: {SYSUT1: '${T}/out.dat'}}\n"
                      "  - {step: S3, pgm: verify, if: S1.RC > 4, dd: {SYSUT1: '${T}/out.dat'}}\n"
                      "  - {step: S4, pgm: verify, cond: '(0,EQ,S1)', dd: {SYSUT1: '${T}/out.dat'}}\n",
                      NULL);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_TRUE(exists(tp("out.dat")));
    CU_ASSERT_TRUE(log_has("CBZ0100I JOB RUN1 STARTED"));
    CU_ASSERT_TRUE(log_has("CBZ0200I S1 PGM=compress STARTED"));
    CU_ASSERT_TRUE(log_has("CBZ0201I S1 DD SYSUT1   DSN="));
    CU_ASSERT_TRUE(log_has("CBZ0210I S1 | fake compress"));
    CU_ASSERT_TRUE(log_has("CBZ0220I S1 RECORDS=7 BYTES-IN=6 BYTES-OUT=6"));
    CU_ASSERT_TRUE(log_has("CBZ0221I S1 SYSUT2 SHA256="));
    CU_ASSERT_TRUE(log_has("CBZ0230I S2 ENDED RC=0000"));
    CU_ASSERT_TRUE(log_has("CBZ0240I S3 BYPASSED: IF (S1.RC > 4) IS FALSE"));
    CU_ASSERT_TRUE(log_has("CBZ0240I S4 BYPASSED: COND=(0,EQ,S1)"));
    CU_ASSERT_TRUE(log_has("CBZ0301I S3         verify     BYPASSED"));
    CU_ASSERT_TRUE(log_has("CBZ0101I JOB RUN1 ENDED MAXCC=0000"));
    CU_ASSERT_TRUE(log_lines_have_ids());
    CU_ASSERT_FALSE(exists(tp("RUN1.lock")));
}

static void test_run_failure_dispositions(void)
{
    write_file(tp("bad.dat"), "RC=8\n");
    write_file(tp("keep.dat"), "keep me\n");
    unlink(tp("o8.dat"));
    unlink(tp("rej.txt"));
    int rc = run_deck("job: RUN2\nsteps:\n"
                      "  - {step: S1, pgm: compress, dd: {SYSUT1: '${T}/bad.dat', SYSUT2: '${T}/o8.dat'}}\n"
                      "  - {step: S2, pgm: verify, if: S1.RC <= 4, dd: {SYSUT1: '${T}/o8.dat'}}\n"
                      "  - {step: S3, pgm: verify, cond: '(4,LT)', dd: {SYSUT1: '${T}/keep.dat'}}\n"
                      "  - {step: S4, pgm: verify, dd: {SYSUT1: '${T}/keep.dat'}}\n",
                      NULL);
    CU_ASSERT_EQUAL(rc, 8);
    CU_ASSERT_FALSE(exists(tp("o8.dat")));  /* DISP (NEW,CATLG,DELETE): abnormal end deletes */
    CU_ASSERT_TRUE(log_has("CBZ0260I S1 DD SYSUT2 DSN="));
    CU_ASSERT_TRUE(log_has("DELETED (DISP abnormal)"));
    CU_ASSERT_TRUE(log_has("CBZ0230E S1 ENDED RC=0008"));
    CU_ASSERT_TRUE(log_has("CBZ0240I S2 BYPASSED"));
    CU_ASSERT_TRUE(log_has("CBZ0240I S3 BYPASSED: COND=(4,LT)"));
    CU_ASSERT_TRUE(log_has("CBZ0230I S4 ENDED RC=0000"));   /* JCL: no condition, it runs */
    CU_ASSERT_TRUE(log_has("CBZ0101E JOB RUN2 ENDED MAXCC=0008"));
    CU_ASSERT_TRUE(exists(tp("keep.dat")));
}

static void test_run_abend(void)
{
    write_file(tp("sig.dat"), "SIG\n");
    write_file(tp("ok.dat"), "fine\n");
    unlink(tp("osig.dat"));
    int rc = run_deck("job: RUN3\nsteps:\n"
                      "  - {step: S1, pgm: compress, dd: {SYSUT1: '${T}/sig.dat', SYSUT2: '${T}/osig.dat'}}\n"
                      "  - {step: S2, pgm: verify, dd: {SYSUT1: '${T}/ok.dat'}}\n"
                      "  - {step: S3, pgm: verify, if: ABEND, dd: {SYSUT1: '${T}/ok.dat'}}\n"
                      "  - {step: S4, pgm: verify, cond: EVEN, dd: {SYSUT1: '${T}/ok.dat'}}\n"
                      "  - {step: S5, pgm: verify, if: NOT S1.ABEND, dd: {SYSUT1: '${T}/ok.dat'}}\n",
                      NULL);
    CU_ASSERT_EQUAL(rc, 16);
    CU_ASSERT_TRUE(log_has("CBZ0231E S1 ABEND SIG11"));
    CU_ASSERT_TRUE(log_has("CBZ0242W S2 FLUSHED"));
    CU_ASSERT_TRUE(log_has("CBZ0230I S3 ENDED RC=0000"));
    CU_ASSERT_TRUE(log_has("CBZ0230I S4 ENDED RC=0000"));
    CU_ASSERT_TRUE(log_has("CBZ0240I S5 BYPASSED"));
    CU_ASSERT_TRUE(log_has("ABEND SIG11"));
    CU_ASSERT_FALSE(exists(tp("osig.dat")));
}

static void test_run_disp(void)
{
    write_file(tp("in.dat"), "NEWDATA\n");
    write_file(tp("there.dat"), "precious\n");
    /* NEW over an existing dataset: RC 12, nothing run, the dataset untouched. */
    int rc = run_deck("job: RUN4\nsteps:\n"
                      "  - {step: S1, pgm: compress, dd: {SYSUT1: '${T}/in.dat', SYSUT2: '${T}/there.dat'}}\n", NULL);
    CU_ASSERT_EQUAL(rc, 12);
    CU_ASSERT_TRUE(log_has("CBZ0250E S1 DD SYSUT2 DSN="));
    CU_ASSERT_FALSE(log_has("CBZ0202I"));
    CU_ASSERT_STRING_EQUAL(read_file(tp("there.dat")), "precious\n");
    /* OLD: replaced, with --force. */
    rc = run_deck("job: RUN4\nsteps:\n"
                  "  - step: S1\n    pgm: compress\n    dd:\n      SYSUT1: '${T}/in.dat'\n"
                  "      SYSUT2: {dsn: '${T}/there.dat', disp: OLD}\n", NULL);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_TRUE(log_has("--force"));
    CU_ASSERT_STRING_EQUAL(read_file(tp("there.dat")), "NEWDATA\n");
    /* OLD on a missing dataset, SHR on a missing input: RC 12. */
    unlink(tp("absent"));
    rc = run_deck("job: RUN4\nsteps:\n"
                  "  - step: S1\n    pgm: compress\n    dd:\n      SYSUT1: '${T}/in.dat'\n"
                  "      SYSUT2: {dsn: '${T}/absent', disp: [OLD, KEEP, DELETE]}\n", NULL);
    CU_ASSERT_EQUAL(rc, 12);
    CU_ASSERT_TRUE(log_has("CBZ0251E S1 DD SYSUT2"));
    rc = run_deck("job: RUN4\nsteps:\n  - {step: S1, pgm: verify, dd: {SYSUT1: '${T}/absent'}}\n", NULL);
    CU_ASSERT_EQUAL(rc, 12);
    CU_ASSERT_TRUE(log_has("DATASET NOT FOUND"));
    /* MOD: appended; a repeated CSV header is dropped. */
    write_file(tp("c.cpy"), "01 R PIC X.\n");
    write_file(tp("all.csv"), "H\nx\n");
    write_file(tp("part.csv"), "H\ny\n");
    rc = run_deck("job: RUN4\nsteps:\n"
                  "  - step: S1\n    pgm: convert\n    dd:\n      COPYBOOK: '${T}/c.cpy'\n      SYSUT1: '${T}/part.csv'\n"
                  "      SYSUT2: {dsn: '${T}/all.csv', disp: MOD}\n", NULL);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(read_file(tp("all.csv")), "H\nx\ny\n");
    CU_ASSERT_TRUE(log_has("APPENDED 2 BYTES (DISP MOD)"));
    /* MOD on a missing dataset creates it. */
    unlink(tp("fresh.csv"));
    rc = run_deck("job: RUN4\nsteps:\n"
                  "  - step: S1\n    pgm: convert\n    dd:\n      COPYBOOK: '${T}/c.cpy'\n      SYSUT1: '${T}/part.csv'\n"
                  "      SYSUT2: {dsn: '${T}/fresh.csv', disp: MOD}\n", NULL);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_STRING_EQUAL(read_file(tp("fresh.csv")), "H\ny\n");
    /* Normal DELETE of an input (DISP=(OLD,DELETE)); SYSPRINT receives the output. */
    write_file(tp("gone.dat"), "bye\n");
    unlink(tp("print.txt"));
    rc = run_deck("job: RUN4\nsteps:\n"
                  "  - step: S1\n    pgm: verify\n    dd:\n      SYSUT1: {dsn: '${T}/gone.dat', disp: [OLD, DELETE]}\n"
                  "      SYSPRINT: '${T}/print.txt'\n", NULL);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(exists(tp("gone.dat")));
    CU_ASSERT_PTR_NOT_NULL(strstr(read_file(tp("print.txt")), "fake verify"));
    CU_ASSERT_FALSE(log_has("CBZ0210I"));
}

static void test_run_delete(void)
{
    write_file(tp("d1"), "x");
    unlink(tp("d2"));
    int rc = run_deck("job: RUN5\nsteps:\n  - {step: S1, pgm: delete, dd: {SYSUT1: ['${T}/d1', '${T}/d2']}}\n", NULL);
    CU_ASSERT_EQUAL(rc, 4);
    CU_ASSERT_FALSE(exists(tp("d1")));
    CU_ASSERT_TRUE(log_has("CBZ0270I S1 DSN="));
    CU_ASSERT_TRUE(log_has("CBZ0271W S1 DSN="));
    /* A directory that is not a cobzip dataset is never emptied. */
    mkdir(tp("plain_dir"), 0755);
    write_file(tp("plain_dir/file"), "x");
    rc = run_deck("job: RUN5\nsteps:\n  - {step: S1, pgm: delete, dd: {SYSUT1: '${T}/plain_dir'}}\n", NULL);
    CU_ASSERT_EQUAL(rc, 8);
    CU_ASSERT_TRUE(exists(tp("plain_dir/file")));
    mkdir(tp("ds_dir"), 0755);
    write_file(tp("ds_dir/manifest-sha256.txt"), "x");
    write_file(tp("ds_dir/a.cobz"), "x");
    rc = run_deck("job: RUN5\nsteps:\n  - {step: S1, pgm: delete, dd: {SYSUT1: '${T}/ds_dir'}}\n", NULL);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_FALSE(exists(tp("ds_dir")));
}

static void test_run_restart(void)
{
    write_file(tp("in.dat"), "x\n");
    cbz_job_run_options o = { 0 };
    o.restart = "S2";
    int rc = run_deck("job: RUN6\nsteps:\n"
                      "  - {step: S1, pgm: verify, dd: {SYSUT1: '${T}/in.dat'}}\n"
                      "  - {step: S2, pgm: verify, dd: {SYSUT1: '${T}/in.dat'}}\n"
                      "  - {step: S3, pgm: verify, if: S1.RC = 0, dd: {SYSUT1: '${T}/in.dat'}}\n"
                      "  - {step: S4, pgm: verify, cond: '(0,EQ,S1)', dd: {SYSUT1: '${T}/in.dat'}}\n",
                      &o);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_TRUE(log_has("CBZ0243I S1 SKIPPED: BEFORE RESTART STEP S2"));
    CU_ASSERT_TRUE(log_has("CBZ0102I JOB RUN6 RESTARTED AT STEP S2"));
    CU_ASSERT_TRUE(log_has("CBZ0230I S2 ENDED"));
    CU_ASSERT_TRUE(log_has("CBZ0240I S3 BYPASSED"));     /* S1 did not run this time: S1.RC is false */
    CU_ASSERT_TRUE(log_has("CBZ0230I S4 ENDED"));        /* its COND test on S1 is ignored */
    o.restart = "S9";
    rc = run_deck("job: RUN6\nsteps:\n  - {step: S1, pgm: verify, dd: {SYSUT1: '${T}/in.dat'}}\n", &o);
    CU_ASSERT_EQUAL(rc, 12);
    CU_ASSERT_TRUE(log_has("CBZ0113E"));
}

static void test_run_lock(void)
{
    write_file(tp("in.dat"), "x\n");
    char text[64];
    snprintf(text, sizeof text, "%ld host\n", (long)getpid());
    write_file(tp("RUN7.lock"), text);
    int rc = run_deck("job: RUN7\nsteps:\n  - {step: S1, pgm: verify, dd: {SYSUT1: '${T}/in.dat'}}\n", NULL);
    CU_ASSERT_EQUAL(rc, 12);
    CU_ASSERT_TRUE(log_has("CBZ0110E JOB RUN7 IS ALREADY RUNNING"));
    CU_ASSERT_FALSE(log_has("CBZ0200I"));
    CU_ASSERT_TRUE(exists(tp("RUN7.lock")));
    /* A lock left by a process that is gone is stale. */
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    waitpid(pid, NULL, 0);
    snprintf(text, sizeof text, "%ld host\n", (long)pid);
    write_file(tp("RUN7.lock"), text);
    rc = run_deck("job: RUN7\nsteps:\n  - {step: S1, pgm: verify, dd: {SYSUT1: '${T}/in.dat'}}\n", NULL);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_TRUE(log_has("CBZ0111W JOB RUN7 STALE LOCK"));
    CU_ASSERT_FALSE(exists(tp("RUN7.lock")));
    /* --lockdir */
    mkdir(tp("locks"), 0755);
    snprintf(text, sizeof text, "%ld host\n", (long)getpid());
    write_file(tp("locks/RUN7.lock"), text);
    cbz_job_run_options o = { 0 };
    o.lockdir = tp("locks");
    rc = run_deck("job: RUN7\nsteps:\n  - {step: S1, pgm: verify, dd: {SYSUT1: '${T}/in.dat'}}\n", &o);
    CU_ASSERT_EQUAL(rc, 12);
    unlink(tp("locks/RUN7.lock"));
}

static void test_run_dry(void)
{
    write_file(tp("in.dat"), "x\n");
    unlink(tp("dry_out"));
    unlink(tp("dry.json"));
    cbz_job_run_options o = { 0 };
    o.dry_run = true;
    o.report_path = tp("dry.json");
    int rc = run_deck("job: RUN8\nsteps:\n"
                      "  - {step: S1, pgm: compress, dd: {SYSUT1: '${T}/in.dat', SYSUT2: '${T}/dry_out'}}\n"
                      "  - {step: S2, pgm: verify, dd: {SYSUT1: '${T}/dry_out'}}\n"
                      "  - {step: S3, pgm: delete, dd: {SYSUT1: '${T}/dry_out'}}\n",
                      &o);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_TRUE(log_has("CBZ0104I JOB RUN8 DRY RUN FOUND NO PROBLEMS"));
    CU_ASSERT_TRUE(log_has("CBZ0202I S1 EXEC cobzip compress"));
    CU_ASSERT_FALSE(exists(tp("dry_out")));
    CU_ASSERT_FALSE(exists(tp("RUN8.lock")));
    CU_ASSERT_FALSE(exists(tp("dry.json")));
    CU_ASSERT_FALSE(log_has("CBZ0210I"));
    /* Problems: a missing input, an output in the way. */
    write_file(tp("dry_out"), "x");
    rc = run_deck("job: RUN8\nsteps:\n"
                  "  - {step: S1, pgm: compress, dd: {SYSUT1: '${T}/nothere', SYSUT2: '${T}/dry_out'}}\n", &o);
    CU_ASSERT_EQUAL(rc, 12);
    CU_ASSERT_TRUE(log_has("CBZ0251E"));
    CU_ASSERT_TRUE(log_has("CBZ0250E"));
    CU_ASSERT_TRUE(log_has("CBZ0104E JOB RUN8 DRY RUN FOUND 2 PROBLEMS"));
    CU_ASSERT_STRING_EQUAL(read_file(tp("dry_out")), "x");
}

static void test_run_report(void)
{
    write_file(tp("in.dat"), "abc");
    unlink(tp("rep_out"));
    unlink(tp("rep.json"));
    cbz_job_run_options o = { 0 };
    o.report_path = tp("rep.json");
    int rc = run_deck("job: RUN9\nsteps:\n"
                      "  - {step: S1, pgm: compress, dd: {SYSUT1: '${T}/in.dat', SYSUT2: '${T}/rep_out'}}\n"
                      "  - {step: S2, pgm: verify, if: S1.RC > 0, dd: {SYSUT1: '${T}/rep_out'}}\n",
                      &o);
    CU_ASSERT_EQUAL(rc, 0);
    const char *j = read_file(tp("rep.json"));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"job\": \"RUN9\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"rc\": 0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"step\": \"S1\", \"pgm\": \"compress\", \"status\": \"RAN\", \"rc\": 0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"records\": 7, \"bytes_in\": 3, \"bytes_out\": 3"));
    /* SHA-256 of "abc" */
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    CU_ASSERT_PTR_NOT_NULL(strstr(j, "\"status\": \"BYPASSED\", \"rc\": null"));
    /* The report is not overwritten without --force, and nothing runs. */
    unlink(tp("rep_out"));
    rc = run_deck("job: RUN9\nsteps:\n"
                  "  - {step: S1, pgm: compress, dd: {SYSUT1: '${T}/in.dat', SYSUT2: '${T}/rep_out'}}\n", &o);
    CU_ASSERT_EQUAL(rc, 12);
    CU_ASSERT_FALSE(exists(tp("rep_out")));
    o.force = true;
    rc = run_deck("job: RUN9\nsteps:\n"
                  "  - {step: S1, pgm: compress, dd: {SYSUT1: '${T}/in.dat', SYSUT2: '${T}/rep_out'}}\n", &o);
    CU_ASSERT_EQUAL(rc, 0);
}

static void test_run_config_precedence(void)
{
    write_file(tp("in.dat"), "x\n");
    unlink(tp("cfg_out"));
    cbz_config c;
    cbz_error err = { 0 };
    cbz_config_init(&c);
    CU_ASSERT_EQUAL(cbz_config_set(&c, CBZ_CFG_CHUNK_SIZE, "65536", CBZ_SRC_CONF, "conf", &err), CBZ_OK);
    CU_ASSERT_EQUAL(cbz_config_set(&c, CBZ_CFG_THREADS, "3", CBZ_SRC_CONF, "conf", &err), CBZ_OK);
    CU_ASSERT_EQUAL(cbz_config_set(&c, CBZ_CFG_LEVEL, "2", CBZ_SRC_ENV, "COBZIP_LEVEL", &err), CBZ_OK);
    cbz_job_run_options o = { 0 };
    o.config = &c;
    int rc = run_deck("job: RUN10\ndefaults: {threads: 5}\nsteps:\n"
                      "  - {step: S1, pgm: compress, parm: {level: 9}, dd: {SYSUT1: '${T}/in.dat', SYSUT2: '${T}/cfg_out'}}\n",
                      &o);
    CU_ASSERT_EQUAL(rc, 0);
    /* env level (2) beats the step's parm (9); deck threads (5) beat conf (3);
     * conf chunk size applies; the built-in code page and device are not passed. */
    CU_ASSERT_TRUE(log_has("--level 2"));
    CU_ASSERT_FALSE(log_has("--level 9"));
    CU_ASSERT_TRUE(log_has("--threads 5"));
    CU_ASSERT_TRUE(log_has("--chunk-size 65536"));
    CU_ASSERT_FALSE(log_has("--codepage"));
    CU_ASSERT_FALSE(log_has("--device"));
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/cbz_test_job.XXXXXX");
    if (!mkdtemp(tmpdir)) return 1;
    snprintf(fake, sizeof fake, "%s/fakepgm.sh", tmpdir);
    FILE *f = fopen(fake, "w");
    if (!f) return 1;
    fputs(fake_script, f);
    fclose(f);
    chmod(fake, 0755);

    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite parse = CU_add_suite("job_parse", NULL, NULL);
    CU_pSuite cond = CU_add_suite("job_cond", NULL, NULL);
    CU_pSuite run = CU_add_suite("job_run", NULL, NULL);
    CU_add_test(parse, "yaml tree with line:column", test_yaml_tree);
    CU_add_test(parse, "yaml errors with line:column", test_yaml_errors);
    CU_add_test(parse, "${name} substitution", test_substitute);
    CU_add_test(parse, "--param overrides params:", test_param_override);
    CU_add_test(parse, "good deck", test_deck_good);
    CU_add_test(parse, "bad decks name line:column", test_deck_bad);
    CU_add_test(parse, "site configuration precedence", test_config);
    CU_add_test(cond, "IF evaluation", test_cond_eval);
    CU_add_test(cond, "IF errors with position", test_cond_errors);
    CU_add_test(cond, "JCL COND= bypass", test_jcl_cond);
    CU_add_test(run, "steps, IF and COND", test_run_ok_and_conditions);
    CU_add_test(run, "failure and abnormal DISP", test_run_failure_dispositions);
    CU_add_test(run, "ABEND, flush, EVEN", test_run_abend);
    CU_add_test(run, "DISP NEW/OLD/MOD/SHR, SYSPRINT", test_run_disp);
    CU_add_test(run, "pgm delete", test_run_delete);
    CU_add_test(run, "restart", test_run_restart);
    CU_add_test(run, "lock file", test_run_lock);
    CU_add_test(run, "dry run writes nothing", test_run_dry);
    CU_add_test(run, "JSON report", test_run_report);
    CU_add_test(run, "settings precedence in argv", test_run_config_precedence);
    unsigned failed = cbz_cunit_run();
    if (failed == 0) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0) return 1;
    }
    return failed ? 1 : 0;
}
