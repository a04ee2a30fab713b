/*
 * outfile.h — outputs that appear whole or not at all.
 *
 * A file is written to ".NAME.tmp.PID" in the same directory, fsync'd, and
 * renamed over NAME on commit; abort (or a crash) leaves no NAME.  The
 * write-back of what is written starts every 4 MiB (write-behind) or at
 * cbz_outfile_writeback, and from the first such start a thread of the
 * file's own fdatasyncs it while the writer goes on (sync-behind), so that
 * the fsync at commit waits for the tail of a big file only.  An existing
 * NAME is refused unless force is set.  The path "-" means stdout, written
 * directly (there is nothing to rename); so is a NAME that is a character
 * device or a FIFO (/dev/null, a named pipe): it is opened and written in
 * place, never replaced, and needs no force.
 */
#ifndef CBZ_OUTFILE_H
#define CBZ_OUTFILE_H

#include "cobzip.h"

typedef struct cbz_outfile cbz_outfile;

cbz_status cbz_outfile_open(const char *path, bool force, cbz_outfile **out, cbz_error *err);
/* The stream to write to (buffered stdio). */
FILE *cbz_outfile_stream(cbz_outfile *of);
/* Starts the write-back of what has been written so far (flushes the stream
 * and asks the kernel to begin writing, without waiting), so that commit's
 * fsync has little left to wait for.  Errors surface at commit.  Nothing
 * for stdout, devices and FIFOs. */
void cbz_outfile_writeback(cbz_outfile *of);
/* Flush, fsync, close, rename, fsync the directory; frees of. */
cbz_status cbz_outfile_commit(cbz_outfile *of, cbz_error *err);
/* Commit into a directory that nobody reads yet (a dataset's temporary
 * directory): flush, start the write-back, close, rename; neither the file nor
 * the directory is fsync'd.  Whoever publishes the directory must first fsync
 * every file in it and then the directory (cbz_fsync_path), which costs one
 * journal commit for all of them instead of two per file.  stdout, devices
 * and FIFOs commit as with cbz_outfile_commit.  Frees of. */
cbz_status cbz_outfile_commit_staged(cbz_outfile *of, cbz_error *err);
/* Writes the n bytes at p to fd, again after a short write or EINTR; returns
 * how many were written: n, or fewer on an error (errno says which). */
size_t cbz_write_fd(int fd, const void *p, size_t n);
/* Close and remove the temporary file; frees of.  NULL is a no-op. */
void cbz_outfile_abort(cbz_outfile *of);
/* fsync the directory that holds path (after a rename into it). */
cbz_status cbz_fsync_parent_dir(const char *path, cbz_error *err);
/* fsync path itself, a file or a directory, through a descriptor of its own:
 * the kernel keeps a write-back error for the next opener that has not seen
 * it (Linux 4.17 and later), so this reports what an earlier writer's fd
 * would have. */
cbz_status cbz_fsync_path(const char *path, cbz_error *err);

#endif
