/* --out-dir's writer: one rendering thread at a time writes files; a thread finishing a root
 * while another one writes leaves its result to that one and goes on rendering.
 *
 * Why: creating a file takes its directory's lock in the kernel. With every rendering thread
 * creating its own files they spun on that lock instead of rendering (15% of a medium --multi
 * run's CPU on a journal-less ext4, where each creation also scans past the inodes freed in the
 * last minutes). A thread of its own for writing did the same job but cost a wake-up per file
 * where creating files is cheap. */
#ifndef KRENDER_CLI_WRITER_H
#define KRENDER_CLI_WRITER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <krender.h>

typedef struct cli_writer_item cli_writer_item;

typedef struct cli_writer {
    pthread_mutex_t lock;
    cli_writer_item *head, *tail; /* results waiting to be written; guarded by lock */
    bool writing;                 /* a thread is writing (and takes what is queued); lock */
    size_t failed;                /* files not written (each reported on stderr); lock */
    pthread_mutex_t *stderr_lock;
} cli_writer;

/* Messages go to stderr under `stderr_lock`. */
void cli_writer_init(cli_writer *w, pthread_mutex_t *stderr_lock);

/* Writes res's YAML to `path` (copied) now, or leaves it to the thread writing; res is the
 * writer's from then on, freed once written. 0, or -1 when out of memory (res is then the
 * caller's still). */
int cli_writer_put(cli_writer *w, const char *path, krender_result *res);

/* After the last cli_writer_put has returned: the number of files that could not be written.
 * Frees nothing else (every queued file is written by then). */
size_t cli_writer_finish(cli_writer *w);

#endif
