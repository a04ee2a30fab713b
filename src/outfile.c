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
    int fd;              /* of tmp_path, written through fp's cookie */
    off_t written;       /* bytes handed to write(2) */
    off_t kicked;        /* the write-back of [0, kicked) has been started */
};

/* Write-behind: each WRITE_BEHIND bytes written start their write-back at
 * once, so that the fsync at commit finds most of a big file (a restore, a
 * member) on the disk already instead of waiting for all of it then. */
#define WRITE_BEHIND ((off_t)4 << 20)

size_t cbz_write_fd(int fd, const void *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, (const char *)p + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w == 0) errno = EIO; /* no progress and no reason: give one */
        if (w <= 0) break;
        done += (size_t)w;
    }
    return done;
}

/* Starts the write-back of what was written since the last start. */
static void kick(cbz_outfile *of)
{
    if (of->written == of->kicked) return;
    (void)sync_file_range(of->fd, of->kicked, of->written - of->kicked, SYNC_FILE_RANGE_WRITE);
    of->kicked = of->written;
}

/* The stream's cookie functions (fopencookie): a short count tells stdio of
 * an error, errno says which. */
static ssize_t behind_write(void *cookie, const char *buf, size_t n)
{
    cbz_outfile *of = cookie;
    size_t done = cbz_write_fd(of->fd, buf, n);
    of->written += (off_t)done;
    if (of->written - of->kicked >= WRITE_BEHIND) kick(of);
    return (ssize_t)done;
}

static int behind_close(void *cookie) { return close(((cbz_outfile *)cookie)->fd); }

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
    of->fd = open(of->tmp_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cookie_io_functions_t io = { .write = behind_write, .close = behind_close };
    if (of->fd < 0 || !(of->fp = fopencookie(of, "wb", io))) {
        cbz_status s = cbz_fail(err, CBZ_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
        if (of->fd >= 0) { close(of->fd); unlink(of->tmp_path); }
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
    kick(of);
}

static void outfile_free(cbz_outfile *of)
{
    free(of->path);
    free(of->tmp_path);
    free(of);
}

/* stdout, a device or a FIFO: flushed and closed, nothing to rename. */
static cbz_status commit_in_place(cbz_outfile *of, cbz_error *err)
{
    cbz_status s = CBZ_OK;
    if (of->is_stdout) {
        if (fflush(stdout) != 0 || ferror(stdout))
            s = cbz_fail(err, CBZ_ERR_IO, "stdout: write failed: %s", strerror(errno));
    } else {
        if (fflush(of->fp) != 0 || ferror(of->fp))
            s = cbz_fail(err, CBZ_ERR_IO, "%s: write failed: %s", of->path, strerror(errno));
        if (fclose(of->fp) != 0 && s == CBZ_OK)
            s = cbz_fail(err, CBZ_ERR_IO, "%s: close failed: %s", of->path, strerror(errno));
    }
    outfile_free(of);
    return s;
}

/* Flush, fsync when durable, close, rename over the final name, fsync the
 * directory when durable. */
static cbz_status commit_file(cbz_outfile *of, bool durable, cbz_error *err)
{
    if (of->is_stdout || of->direct) return commit_in_place(of, err);
    cbz_status s = CBZ_OK;
    if (fflush(of->fp) != 0 || ferror(of->fp) || (durable && fsync(of->fd) != 0))
        s = cbz_fail(err, CBZ_ERR_IO, "%s: write failed: %s", of->path, strerror(errno));
    /* staged: the publisher's fsync then finds the last bytes on their way */
    if (s == CBZ_OK && !durable) kick(of);
    if (fclose(of->fp) != 0 && s == CBZ_OK)
        s = cbz_fail(err, CBZ_ERR_IO, "%s: close failed: %s", of->path, strerror(errno));
    if (s == CBZ_OK && rename(of->tmp_path, of->path) != 0)
        s = cbz_fail(err, CBZ_ERR_IO, "%s: rename failed: %s", of->path, strerror(errno));
    if (s != CBZ_OK) unlink(of->tmp_path);
    else if (durable) s = cbz_fsync_parent_dir(of->path, err);
    outfile_free(of);
    return s;
}

cbz_status cbz_outfile_commit(cbz_outfile *of, cbz_error *err) { return commit_file(of, true, err); }

cbz_status cbz_outfile_commit_staged(cbz_outfile *of, cbz_error *err)
{
    return commit_file(of, false, err);
}

cbz_status cbz_fsync_path(const char *path, cbz_error *err)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return cbz_fail(err, CBZ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    /* EINVAL: a file system that cannot sync this kind of file (some refuse
     * directories); there is nothing more to do for it. */
    int bad = fsync(fd) != 0 && errno != EINVAL;
    int e = errno;
    close(fd);
    return bad ? cbz_fail(err, CBZ_ERR_IO, "%s: write failed: %s", path, strerror(e)) : CBZ_OK;
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
