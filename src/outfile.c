/*
 * outfile.c — temporary-name, fsync and rename: the only way cobzip writes a
 * file, so that a killed job leaves either nothing or a complete result.
 */
#define _POSIX_C_SOURCE 200809L
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
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
    /* Sync-behind (see sync_run), started by the first kick. */
    bool syncing;        /* the syncer thread runs */
    bool sync_stop;
    pthread_t syncer;
    pthread_mutex_t sync_mu;
    pthread_cond_t sync_cv;
    off_t sync_want;     /* [0, sync_want) is to be made durable */
    off_t synced;        /* [0, synced) is */
    int sync_errno;      /* the first fdatasync failure, reported at commit */
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

/* Sync-behind: a thread of the file's own that fdatasyncs what the
 * write-back has been started on, while the writer goes on.  The commit's
 * fsync is then left with the tail and little else: on the project's VM
 * (ext4) the fsync of a 6 MiB member written with write-behind only took
 * 4.5-9 ms at commit, after an fdatasync of all but its last 0.5-1 MiB
 * 0.8 ms.  The thread does nothing but wait for the disk.  Its first error
 * is kept: the kernel reports a write-back error once per descriptor, so
 * the commit reports what the syncer saw. */
static void *sync_run(void *arg)
{
    cbz_outfile *of = arg;
    pthread_mutex_lock(&of->sync_mu);
    for (;;) {
        if (of->synced < of->sync_want && of->sync_errno == 0) {
            off_t want = of->sync_want;
            pthread_mutex_unlock(&of->sync_mu);
            int bad = fdatasync(of->fd) != 0 ? errno : 0;
            pthread_mutex_lock(&of->sync_mu);
            if (bad) of->sync_errno = bad;
            of->synced = want;
            continue;
        }
        if (of->sync_stop) break;
        pthread_cond_wait(&of->sync_cv, &of->sync_mu);
    }
    pthread_mutex_unlock(&of->sync_mu);
    return NULL;
}

/* Stops the syncer (waiting for an fdatasync under way); 0 or the errno of
 * the first fdatasync that failed. */
static int sync_end(cbz_outfile *of)
{
    if (!of->syncing) return 0;
    pthread_mutex_lock(&of->sync_mu);
    of->sync_stop = true;
    pthread_cond_signal(&of->sync_cv);
    pthread_mutex_unlock(&of->sync_mu);
    pthread_join(of->syncer, NULL);
    pthread_mutex_destroy(&of->sync_mu);
    pthread_cond_destroy(&of->sync_cv);
    of->syncing = false;
    return of->sync_errno;
}

/* Starts the write-back of what was written since the last start. */
static void writeback_start(cbz_outfile *of)
{
    if (of->written == of->kicked) return;
    (void)sync_file_range(of->fd, of->kicked, of->written - of->kicked, SYNC_FILE_RANGE_WRITE);
    of->kicked = of->written;
}

/* writeback_start, and asks the syncer to make it durable (starting the
 * syncer the first time: files that never kick, small ones, have none).
 * Without a syncer (no thread to be had) the commit's fsync does all of it,
 * as it would anyway. */
static void kick(cbz_outfile *of)
{
    if (of->written == of->kicked) return;
    writeback_start(of);
    if (!of->syncing) {
        if (pthread_mutex_init(&of->sync_mu, NULL) != 0) return;
        if (pthread_cond_init(&of->sync_cv, NULL) != 0) {
            pthread_mutex_destroy(&of->sync_mu);
            return;
        }
        of->sync_want = of->kicked;
        if (pthread_create(&of->syncer, NULL, sync_run, of) != 0) {
            pthread_cond_destroy(&of->sync_cv);
            pthread_mutex_destroy(&of->sync_mu);
            return;
        }
        of->syncing = true;
        return;
    }
    pthread_mutex_lock(&of->sync_mu);
    of->sync_want = of->kicked;
    pthread_cond_signal(&of->sync_cv);
    pthread_mutex_unlock(&of->sync_mu);
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
    int e = 0;
    if (fflush(of->fp) != 0 || ferror(of->fp)) e = errno ? errno : EIO;
    /* staged: the publisher's fsync then finds the last bytes on their way,
     * or already durable where a syncer runs (it takes the tail before it
     * stops) */
    if (!e && !durable) {
        if (of->syncing) kick(of);
        else writeback_start(of);
    }
    int sync_e = sync_end(of);
    if (!e) e = sync_e;
    if (!e && durable && fsync(of->fd) != 0) e = errno;
    if (e) s = cbz_fail(err, CBZ_ERR_IO, "%s: write failed: %s", of->path, strerror(e));
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
        (void)sync_end(of);
        fclose(of->fp);
        unlink(of->tmp_path);
    } else {
        fflush(stdout);
    }
    outfile_free(of);
}
