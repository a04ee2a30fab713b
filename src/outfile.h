/*
 * outfile.h — outputs that appear whole or not at all.
 *
 * A file is written to ".NAME.tmp.PID" in the same directory, fsync'd, and
 * renamed over NAME on commit; abort (or a crash) leaves no NAME.  An existing
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
/* Close and remove the temporary file; frees of.  NULL is a no-op. */
void cbz_outfile_abort(cbz_outfile *of);
/* fsync the directory that holds path (after a rename into it). */
cbz_status cbz_fsync_parent_dir(const char *path, cbz_error *err);

#endif
