/* --out-dir's writer: see writer.h. */
#include "writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

struct cli_writer_item {
    cli_writer_item *next;
    krender_result *res;
    char path[]; /* NUL-terminated */
};

void cli_writer_init(cli_writer *w, pthread_mutex_t *stderr_lock)
{
    *w = (cli_writer){.stderr_lock = stderr_lock};
    pthread_mutex_init(&w->lock, NULL);
}

/* Writes one file, without w->lock; false when it failed (reported). */
static bool write_one(cli_writer *w, cli_writer_item *it)
{
    size_t len;
    const char *yaml = krender_result_yaml(it->res, &len);
    bool ok = cli_write_file(it->path, yaml, len) == 0;
    if (!ok) {
        int e = errno;
        pthread_mutex_lock(w->stderr_lock);
        fprintf(stderr, "error: writing %s: %s\n", it->path, strerror(e));
        pthread_mutex_unlock(w->stderr_lock);
    }
    krender_result_free(it->res);
    free(it);
    return ok;
}

int cli_writer_put(cli_writer *w, const char *path, krender_result *res)
{
    size_t n = strlen(path) + 1;
    cli_writer_item *it = malloc(sizeof *it + n);
    if (!it)
        return -1;
    it->next = NULL;
    it->res = res;
    memcpy(it->path, path, n);
    pthread_mutex_lock(&w->lock);
    if (w->tail)
        w->tail->next = it;
    else
        w->head = it;
    w->tail = it;
    if (w->writing) { /* that thread writes it too */
        pthread_mutex_unlock(&w->lock);
        return 0;
    }
    w->writing = true;
    while ((it = w->head) != NULL) { /* everything queued, including what others add meanwhile */
        w->head = it->next;
        if (!w->head)
            w->tail = NULL;
        pthread_mutex_unlock(&w->lock);
        bool ok = write_one(w, it);
        pthread_mutex_lock(&w->lock);
        w->failed += !ok;
    }
    w->writing = false;
    pthread_mutex_unlock(&w->lock);
    return 0;
}

size_t cli_writer_finish(cli_writer *w)
{
    pthread_mutex_lock(&w->lock);
    size_t failed = w->failed;
    pthread_mutex_unlock(&w->lock);
    pthread_mutex_destroy(&w->lock);
    return failed;
}
