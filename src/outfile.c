/*
 * outfile.c — temporary-name, fsync and rename: the only way cobzip writes a
 * file, so that a killed job leaves either nothing or a complete result.
 */
#define _POSIX_C_SOURCE 200809L
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct cbz_outfile {
    FILE *fp;
    bool is_stdout;
    bool direct;         /* a character device or FIFO: written in place */
    char *path;
    char *tmp_path;
};

static char *dir_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy) return NULL;
    char *d = strdup(dirname(copy));
    free(copy);
    return d;
}

cbz_status cbz_fsync_parent_dir(const char *path, cbz_error *err)
{
    char *dir = dir_of(path);
    if (!dir) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
        cbz_status s = cbz_fail(err, CBZ_ERR_IO, "%s: cannot open directory: %s", dir, strerror(errno));
        free(dir);
        return s;
    }
    /* Some file systems refuse fsync on directories; the rename is still done. */
    (void)fsync(fd);
    close(fd);
    free(dir);
    return CBZ_OK;
}

cbz_status cbz_outfile_open(const char *path, bool force, cbz_outfile **out, cbz_error *err)
{
    *out = NULL;
    cbz_outfile *of = calloc(1, sizeof *of);
    if (!of) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    if (strcmp(path, "-") == 0) {
        of->fp = stdout;
        of->is_stdout = true;
        *out = of;
        return CBZ_OK;
    }
    struct stat st;
    /* A character device or a FIFO (/dev/null, a pipe to another program) is
     * not a file to replace: renaming a temporary file over it would destroy
     * the device node.  It is written in place, like stdout. */
    if (stat(path, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
        of->path = strdup(path);
        int fd = of->path ? open(path, O_WRONLY) : -1;
        if (fd < 0 || !(of->fp = fdopen(fd, "wb"))) {
            cbz_status s = of->path ? cbz_fail(err, CBZ_ERR_IO, "%s: cannot open: %s", path, strerror(errno))
                                    : cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
            if (fd >= 0) close(fd);
            free(of->path);
            free(of);
            return s;
        }
        of->direct = true;
        *out = of;
        return CBZ_OK;
    }
    if (!force && lstat(path, &st) == 0) {
        free(of);
        return cbz_fail(err, CBZ_ERR_EXISTS, "%s: output exists (use --force to replace it)", path);
    }
    if (force && lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        free(of);
        return cbz_fail(err, CBZ_ERR_EXISTS, "%s: output exists and is a directory", path);
    }
    char *dir = dir_of(path);
    char *copy = strdup(path);
    size_t cap = strlen(path) + 64;
    of->tmp_path = malloc(cap);
    of->path = strdup(path);
    if (!dir || !copy || !of->tmp_path || !of->path) {
        free(dir); free(copy); free(of->tmp_path); free(of->path); free(of);
        return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    }
    snprintf(of->tmp_path, cap, "%s/.%s.tmp.%ld", dir, basename(copy), (long)getpid());
    free(dir);
    free(copy);
    int fd = open(of->tmp_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || !(of->fp = fdopen(fd, "wb"))) {
        cbz_status s = cbz_fail(err, CBZ_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        if (fd >= 0) { close(fd); unlink(of->tmp_path); }
        free(of->tmp_path); free(of->path); free(of);
        return s;
    }
    *out = of;
    return CBZ_OK;
}

FILE *cbz_outfile_stream(cbz_outfile *of) { return of->fp; }

void cbz_outfile_writeback(cbz_outfile *of)
{
    if (of->is_stdout || of->direct || fflush(of->fp) != 0) return;
    (void)sync_file_range(fileno(of->fp), 0, 0, SYNC_FILE_RANGE_WRITE);
}

static void outfile_free(cbz_outfile *of)
{
    free(of->path);
    free(of->tmp_path);
    free(of);
}

cbz_status cbz_outfile_commit(cbz_outfile *of, cbz_error *err)
{
    if (of->is_stdout) {
        int bad = fflush(stdout) != 0 || ferror(stdout);
        outfile_free(of);
        return bad ? cbz_fail(err, CBZ_ERR_IO, "stdout: write failed: %s", strerror(errno)) : CBZ_OK;
    }
    cbz_status s = CBZ_OK;
    if (of->direct) {
        if (fflush(of->fp) != 0 || ferror(of->fp))
            s = cbz_fail(err, CBZ_ERR_IO, "%s: write failed: %s", of->path, strerror(errno));
        if (fclose(of->fp) != 0 && s == CBZ_OK)
            s = cbz_fail(err, CBZ_ERR_IO, "%s: close failed: %s", of->path, strerror(errno));
        outfile_free(of);
        return s;
    }
    if (fflush(of->fp) != 0 || ferror(of->fp) || fsync(fileno(of->fp)) != 0)
        s = cbz_fail(err, CBZ_ERR_IO, "%s: write failed: %s", of->path, strerror(errno));
    if (fclose(of->fp) != 0 && s == CBZ_OK)
        s = cbz_fail(err, CBZ_ERR_IO, "%s: close failed: %s", of->path, strerror(errno));
    if (s == CBZ_OK && rename(of->tmp_path, of->path) != 0)
        s = cbz_fail(err, CBZ_ERR_IO, "%s: rename failed: %s", of->path, strerror(errno));
    if (s != CBZ_OK) unlink(of->tmp_path);
    else s = cbz_fsync_parent_dir(of->path, err);
    outfile_free(of);
    return s;
}

void cbz_outfile_abort(cbz_outfile *of)
{
    if (!of) return;
    if (of->direct) {
        fclose(of->fp);   /* nothing to remove: the device or FIFO stays */
    } else if (!of->is_stdout) {
        fclose(of->fp);
        unlink(of->tmp_path);
    } else {
        fflush(stdout);
    }
    outfile_free(of);
}
