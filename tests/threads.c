/* One context per thread is safe: every fixture root rendered on N threads (N contexts, each
 * rendering every root twice in its own order, so cached and fresh parses both run) gives the
 * same bytes, or the same error, as a serial run. Run under ThreadSanitizer in CI.
 *
 * Usage: threads FIXTURES_DIR [THREADS]   (a case's root is the last word of its `cmd` file) */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krender.h"

typedef struct outcome {
    int rc;
    char *text; /* the YAML, or the error as "file:line:col: message" */
} outcome;

typedef struct job {
    char **roots;
    size_t nroots;
    const outcome *serial;
    size_t offset;       /* where this thread starts in the list */
    size_t mismatches;
    int failed_setup;
} job;

static char *dup_printf(const char *fmt, const char *a, unsigned b, unsigned c, const char *d)
{
    int n = snprintf(NULL, 0, fmt, a, b, c, d);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s)
        snprintf(s, (size_t)n + 1, fmt, a, b, c, d);
    return s;
}

static outcome render(krender_ctx *ctx, const char *root)
{
    krender_result *res = NULL;
    krender_options opts = KRENDER_OPTIONS_INIT;
    outcome o = {krender_build(&res, ctx, root, &opts), NULL};
    if (o.rc == KRENDER_OK) {
        size_t len;
        const char *yaml = krender_result_yaml(res, &len);
        o.text = malloc(len + 1);
        if (o.text) {
            memcpy(o.text, yaml, len);
            o.text[len] = '\0';
        }
    } else {
        const krender_error *e = krender_result_error(res);
        o.text = e ? dup_printf("%s:%u:%u: %s", e->file ? e->file : "", e->line, e->column, e->message)
                   : dup_printf("%s:%u:%u: %s", "", 0, 0, krender_strerror(o.rc));
    }
    krender_result_free(res);
    return o;
}

static void *thread_main(void *arg)
{
    job *j = arg;
    krender_ctx *ctx;
    if (krender_ctx_new(&ctx) != KRENDER_OK) {
        j->failed_setup = 1;
        return NULL;
    }
    for (size_t k = 0; k < 2 * j->nroots; k++) {
        size_t i = (j->offset + k) % j->nroots;
        outcome o = render(ctx, j->roots[i]);
        if (o.rc != j->serial[i].rc || !o.text || strcmp(o.text, j->serial[i].text) != 0) {
            if (j->mismatches++ < 5)
                fprintf(stderr, "mismatch on %s (rc %d vs %d)\n", j->roots[i], o.rc, j->serial[i].rc);
        }
        free(o.text);
    }
    krender_ctx_free(ctx);
    return NULL;
}

/* The root of a fixture: its directory joined with the last word of its cmd file. */
static char *fixture_root(const char *dir, const char *name)
{
    char path[4096], line[4096];
    snprintf(path, sizeof path, "%s/%s/cmd", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *got = fgets(line, sizeof line, f);
    fclose(f);
    if (!got)
        return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    const char *last = strrchr(line, ' ');
    last = last ? last + 1 : line;
    size_t len = strlen(dir) + strlen(name) + strlen(last) + 3;
    char *root = malloc(len);
    if (root)
        snprintf(root, len, "%s/%s/%s", dir, name, last);
    return root;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    size_t nthreads = argc > 2 ? (size_t)atoi(argv[2]) : 8;
    if (nthreads < 1 || nthreads > 256)
        return 2;
    DIR *d = opendir(argv[1]);
    if (!d)
        return 2;
    char **roots = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char *root = fixture_root(argv[1], de->d_name);
        if (!root)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nr = realloc(roots, cap * sizeof *nr);
            if (!nr)
                return 2;
            roots = nr;
        }
        roots[n++] = root;
    }
    closedir(d);
    qsort(roots, n, sizeof *roots, by_name);

    outcome *serial = calloc(n, sizeof *serial);
    krender_ctx *ctx;
    if (!serial || krender_ctx_new(&ctx) != KRENDER_OK)
        return 2;
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        serial[i] = render(ctx, roots[i]);
        if (!serial[i].text)
            return 2;
        ok += serial[i].rc == KRENDER_OK;
    }
    krender_ctx_free(ctx);

    pthread_t *tids = calloc(nthreads, sizeof *tids);
    job *jobs = calloc(nthreads, sizeof *jobs);
    if (!tids || !jobs)
        return 2;
    for (size_t t = 0; t < nthreads; t++) {
        jobs[t] = (job){roots, n, serial, t * n / nthreads, 0, 0};
        if (pthread_create(&tids[t], NULL, thread_main, &jobs[t]) != 0)
            return 2;
    }
    size_t mismatches = 0, setup = 0;
    for (size_t t = 0; t < nthreads; t++) {
        pthread_join(tids[t], NULL);
        mismatches += jobs[t].mismatches;
        setup += (size_t)jobs[t].failed_setup;
    }
    printf("threads: %zu roots (%zu render, %zu fail as expected), %zu threads x 2 rounds, "
           "%zu mismatches\n", n, ok, n - ok, nthreads, mismatches);
    for (size_t i = 0; i < n; i++) {
        free(serial[i].text);
        free(roots[i]);
    }
    free(serial);
    free(roots);
    free(tids);
    free(jobs);
    return mismatches || setup || n == 0 ? 1 : 0;
}
