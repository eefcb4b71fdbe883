/* Shared CLI pieces: see common.h. */
#include "common.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_fail_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n\n%s", cli_usage);
    return 2;
}

const char *cli_flag_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

int cli_parse_load_restrictor(const char *v, int *out)
{
    if (strcmp(v, "LoadRestrictionsRootOnly") == 0)
        *out = KRENDER_LOAD_ROOT_ONLY;
    else if (strcmp(v, "LoadRestrictionsNone") == 0)
        *out = KRENDER_LOAD_NONE;
    else
        return -1;
    return 0;
}

int cli_parse_limit(int argc, char **argv, int *i, krender_options *opts, int *status)
{
    static const struct {
        const char *flag;
        size_t offset;
    } limits[] = {{"--max-file-bytes", offsetof(krender_options, max_file_bytes)},
                  {"--max-resources", offsetof(krender_options, max_resources)},
                  {"--max-output-bytes", offsetof(krender_options, max_output_bytes)}};
    for (size_t k = 0; k < sizeof limits / sizeof limits[0]; k++) {
        const char *v = cli_flag_value(argc, argv, i, limits[k].flag);
        if (!v)
            continue;
        char *end;
        errno = 0;
        unsigned long long n = strtoull(v, &end, 10);
        if (errno || end == v || *end || n == 0 || v[0] == '-' || n > SIZE_MAX) {
            *status = cli_fail_usage("invalid limit '%s' (a positive number)", v);
            return -1;
        }
        *(size_t *)((char *)opts + limits[k].offset) = (size_t)n;
        return 1;
    }
    return 0;
}

void cli_print_error(FILE *f, const krender_error *e)
{
    if (e->file) {
        fputs(e->file, f);
        if (e->line)
            fprintf(f, ":%u:%u", e->line, e->column);
        fputs(": ", f);
    }
    fprintf(f, "%s\n", e->message);
    /* a chain without " -> " is the root alone: nothing to add */
    if (e->chain && strstr(e->chain, " -> "))
        fprintf(f, "  while building: %s\n", e->chain);
}

typedef struct pool {
    size_t n;
    cli_task task;
    void *arg;
    pthread_mutex_t lock;
    size_t next;
    int failed;
} pool;

static void pool_fail(pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->failed = 1;
    pthread_mutex_unlock(&p->lock);
}

/* A worker: its own context (contexts are one-thread objects), items taken in order. */
static void *worker(void *arg)
{
    pool *p = arg;
    krender_ctx *ctx = NULL;
    if (krender_ctx_new(&ctx) != KRENDER_OK) {
        pool_fail(p);
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t i = p->next++;
        pthread_mutex_unlock(&p->lock);
        if (i >= p->n)
            break;
        if (p->task(ctx, i, p->arg))
            pool_fail(p);
    }
    krender_ctx_free(ctx);
    return NULL;
}

unsigned cli_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

int cli_pool_run(size_t n, int jobs, cli_task task, void *arg)
{
    if (jobs <= 0)
        jobs = (int)cli_cores();
    if (jobs < 1)
        jobs = 1;
    if ((size_t)jobs > n)
        jobs = n ? (int)n : 1;
    enum { MAX_THREADS = 256 };
    if (jobs > MAX_THREADS)
        jobs = MAX_THREADS;
    pool p = {n, task, arg, PTHREAD_MUTEX_INITIALIZER, 0, 0};
    pthread_t threads[MAX_THREADS];
    int started = 0;
    for (; started < jobs - 1; started++)
        if (pthread_create(&threads[started], NULL, worker, &p) != 0)
            break;
    worker(&p); /* the calling thread works too */
    for (int t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    return p.failed ? 1 : 0;
}
