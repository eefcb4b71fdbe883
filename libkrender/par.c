/* Chunks of a per-resource stage on two threads: see par.h. */
#include "par.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "thread.h"

/* Chunks per thread: the threads take chunks as they finish one, so a slower core (or
 * resources of very different sizes) still leaves no thread idle for long. */
#define CHUNKS_PER_THREAD 8
#define THREADS 2

typedef struct crew {
    size_t n, chunk, nchunks;
    kr_par_fn fn;
    void *arg;
    kr_err *errs;               /* one per chunk */
    atomic_size_t next;         /* the next chunk to take */
    atomic_size_t first_failed; /* the lowest failed chunk (nchunks: none) */
} crew;

/* Takes chunks until none is left, working on shadow (a copy of the render with its arena). */
static void work(crew *c, kr_render *shadow)
{
    for (size_t k; (k = atomic_fetch_add(&c->next, 1)) < c->nchunks;) {
        if (atomic_load_explicit(&c->first_failed, memory_order_relaxed) < k)
            return; /* an earlier chunk failed: a serial run would not have got here */
        size_t from = k * c->chunk, to = from + c->chunk < c->n ? from + c->chunk : c->n;
        shadow->err = &c->errs[k];
        int rc = c->fn(shadow, from, to, c->arg);
        if (rc == 0)
            continue;
        if (!c->errs[k].code)
            c->errs[k].code = rc;
        size_t seen = atomic_load(&c->first_failed);
        while (k < seen && !atomic_compare_exchange_weak(&c->first_failed, &seen, k))
            ;
    }
}

typedef struct helper {
    crew *c;
    kr_render shadow;
} helper;

static void *helper_main(void *arg)
{
    helper *h = arg;
    work(h->c, &h->shadow);
    return NULL;
}

int kr_par_chunks(kr_render *r, size_t n, kr_par_fn fn, void *arg)
{
    if (n < KR_PAR_MIN || r->opts.threads < 2)
        return fn(r, 0, n, arg);
    size_t nchunks = THREADS * CHUNKS_PER_THREAD;
    crew c = {.n = n, .chunk = (n + nchunks - 1) / nchunks, .fn = fn, .arg = arg};
    c.nchunks = (n + c.chunk - 1) / c.chunk;
    atomic_init(&c.next, 0);
    atomic_init(&c.first_failed, c.nchunks);
    helper h = {.c = &c, .shadow = *r};
    c.errs = calloc(c.nchunks, sizeof *c.errs);
    /* room for what the helper makes (its pages are touched only as it uses them) */
    size_t room = n * 256 < 64 * 1024 ? 64 * 1024 : n * 256;
    h.shadow.arena = c.errs ? kr_arena_new_reserved(room) : NULL;
    pthread_t tid;
    if (!h.shadow.arena || kr_thread_create(&tid, helper_main, &h) != 0) {
        kr_arena_free(h.shadow.arena);
        free(c.errs);
        return fn(r, 0, n, arg); /* no memory for a second thread: the serial stage */
    }
    kr_render mine = *r; /* the caller's chunks allocate in r's arena, alone meanwhile */
    work(&c, &mine);
    pthread_join(tid, NULL);
    kr_arena_adopt(r->arena, h.shadow.arena);
    size_t failed = atomic_load(&c.first_failed);
    int rc = 0;
    if (failed < c.nchunks) {
        rc = c.errs[failed].code;
        kr_err_clear(r->err);
        *r->err = c.errs[failed];
        memset(&c.errs[failed], 0, sizeof c.errs[failed]);
    }
    for (size_t k = 0; k < c.nchunks; k++)
        kr_err_clear(&c.errs[k]);
    free(c.errs);
    return rc;
}
