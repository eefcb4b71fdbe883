#include "emit_parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common_words.h"
#include "emit.h"
#include "emit_json.h"
#include "thread.h"

/* Runs shorter than this are not worth a thread. */
#define MIN_PER_THREAD 64
/* Parts per thread: the threads take parts as they finish the last one, so documents of very
 * different sizes (ConfigMaps first, Deployments later, in kustomize's order) still keep every
 * thread busy to the end. */
#define PARTS_PER_THREAD 8

typedef struct part {
    const kr_resmap *m;
    size_t lo, hi;
    bool want_json;
    size_t limit;        /* of the whole output: a part alone beyond it fails early */
    size_t index;        /* of this part */
    atomic_size_t *failed_part; /* lowest index of a part that failed: later parts give up,
                                   earlier ones go on (theirs would be the error to report) */
    kr_buf yaml, json;
    kr_out_span *spans;  /* offsets relative to this part's own buffers until joined */
    kr_arena *strings;   /* the ids' copies: the caller's arena, or the part's own (made on
                          * first need, adopted by the caller's when the parts are joined) */
    size_t ybase, jbase; /* where the join puts its yaml (after its "---\n") and json */
    kr_err err;
    int rc;
    size_t failed;
} part;

/* s for the result: a common word (apiVersion, kind) is the static copy, anything else a copy
 * in the part's arena. */
static const char *copy_str(part *p, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    const char *common = kr_common_text(s ? s : "", n);
    if (common)
        return common;
    if (!p->strings && !(p->strings = kr_arena_new()))
        return NULL;
    return kr_arena_strndup(p->strings, s, n);
}

/* Emits resource i of the part; returns its error code (0 = fine). */
static int emit_one(part *p, size_t i)
{
    const kr_node *doc = p->m->items[i]->node;
    kr_out_span *s = &p->spans[i];
    const kr_node *meta = kr_map_get(doc, "metadata");
    s->api_version = copy_str(p, kr_map_get_str(doc, "apiVersion"));
    s->kind = copy_str(p, kr_map_get_str(doc, "kind"));
    s->name = copy_str(p, kr_map_get_str(meta, "name"));
    s->ns = copy_str(p, kr_map_get_str(meta, "namespace"));
    if (!s->api_version || !s->kind || !s->name || !s->ns)
        return kr_err_nomem(&p->err);
    if (i > p->lo && !kr_buf_puts(&p->yaml, "---\n"))
        return kr_err_nomem(&p->err);
    s->start = p->yaml.len;
    int rc = kr_emit_document(doc, &p->yaml, &p->err);
    if (rc)
        return rc;
    s->len = p->yaml.len - s->start;
    if (p->want_json) {
        s->jstart = p->json.len;
        if ((rc = kr_emit_json(doc, &p->json, &p->err)) != 0)
            return rc;
        if (!kr_buf_putc(&p->json, '\0'))
            return kr_err_nomem(&p->err);
        s->jlen = p->json.len - 1 - s->jstart;
    }
    if (p->yaml.len + p->json.len > p->limit)
        return kr_err_set(&p->err, KRENDER_E_LIMIT, NULL, 0, 0,
                          "the output exceeds the limit of %zu bytes (max_output_bytes)",
                          p->limit);
    return 0;
}

static void *emit_part(void *arg)
{
    part *p = arg;
    for (size_t i = p->lo; i < p->hi && !p->rc; i++) {
        if (atomic_load_explicit(p->failed_part, memory_order_relaxed) < p->index)
            return NULL; /* an earlier part failed: this one's output is not used */
        if ((p->rc = emit_one(p, i)) != 0) {
            p->failed = p->rc == KRENDER_E_LIMIT || p->rc == KRENDER_E_NOMEM ? p->m->len : i;
            size_t seen = atomic_load(p->failed_part);
            while (p->index < seen &&
                   !atomic_compare_exchange_weak(p->failed_part, &seen, p->index))
                ;
        }
    }
    return NULL;
}

/* A thread's loop: the next part not taken yet, until none is left. */
typedef struct crew {
    part *parts;
    size_t nparts;
    atomic_size_t next;
} crew;

static void *crew_work(void *arg)
{
    crew *c = arg;
    for (size_t t; (t = atomic_fetch_add(&c->next, 1)) < c->nparts;)
        emit_part(&c->parts[t]);
    return NULL;
}

/* Moves err's contents to out (which is unset). */
static void take_error(kr_err *out, kr_err *err)
{
    *out = *err;
    memset(err, 0, sizeof *err);
}

/* Copies parts [from, to) to their places in the joined buffers and moves their spans there. */
typedef struct copy_job {
    part *parts;
    size_t from, to;
    kr_buf *yaml, *json;
    kr_out_span *spans;
} copy_job;

static void *copy_parts(void *arg)
{
    copy_job *j = arg;
    for (size_t t = j->from; t < j->to; t++) {
        part *p = &j->parts[t];
        if (t)
            memcpy(j->yaml->data + p->ybase - 4, "---\n", 4);
        if (p->yaml.len)
            memcpy(j->yaml->data + p->ybase, p->yaml.data, p->yaml.len);
        if (j->json && p->json.len)
            memcpy(j->json->data + p->jbase, p->json.data, p->json.len);
        for (size_t i = p->lo; i < p->hi; i++) {
            j->spans[i].start += p->ybase;
            j->spans[i].jstart += p->jbase;
        }
        kr_buf_free(&p->yaml);
        kr_buf_free(&p->json);
    }
    return NULL;
}

/* Appends parts [first, n) to yaml and json (room reserved), the later half (by bytes) copied
 * on a second thread when allowed and worth one: ~6 MB of a large aggregate, whose page faults
 * and copy took 4 ms on one thread. */
static void join_parts(part *parts, size_t first, size_t n, kr_buf *yaml, kr_buf *json,
                       kr_out_span *spans, bool threads)
{
    size_t y = yaml->len, js = json ? json->len : 0, mid;
    for (size_t t = first; t < n; t++) {
        parts[t].ybase = y + (t ? 4 : 0);
        parts[t].jbase = js;
        y = parts[t].ybase + parts[t].yaml.len;
        js += parts[t].json.len;
    }
    size_t half = yaml->len + (y - yaml->len) / 2; /* the half point by bytes to copy */
    for (mid = first; mid < n && parts[mid].ybase < half; mid++)
        ;
    bool spread = threads && y - yaml->len >= ((size_t)1 << 20) && mid > first && mid < n;
    copy_job mine = {parts, first, spread ? mid : n, yaml, json, spans};
    copy_job other = {parts, mid, n, yaml, json, spans};
    pthread_t tid;
    bool started = spread && kr_thread_create(&tid, copy_parts, &other) == 0;
    copy_parts(&mine);
    if (started)
        pthread_join(tid, NULL);
    else if (spread)
        copy_parts(&other);
    yaml->len = y;
    yaml->data[y] = '\0'; /* as kr_buf_append leaves it (room reserved) */
    if (json) {
        json->len = js;
        json->data[js] = '\0';
    }
}

int kr_emit_resources(const kr_resmap *m, unsigned threads, size_t limit, kr_buf *yaml,
                      kr_buf *json, kr_out_span *spans, kr_arena *strings, size_t *failed,
                      kr_err *err)
{
    size_t n = m->len;
    size_t nthreads = threads > 1 ? threads : 1;
    if (nthreads > n / MIN_PER_THREAD)
        nthreads = n / MIN_PER_THREAD ? n / MIN_PER_THREAD : 1;
    /* PARTS_PER_THREAD each, of at least MIN_PER_THREAD / 2 documents */
    size_t nparts = nthreads == 1 ? 1 : nthreads * PARTS_PER_THREAD;
    if (nparts > n / (MIN_PER_THREAD / 2))
        nparts = n / (MIN_PER_THREAD / 2);
    if (nparts < nthreads)
        nparts = nthreads;
    atomic_size_t failed_part = SIZE_MAX;
    part one, *parts = nparts == 1 ? &one : calloc(nparts, sizeof *parts);
    if (!parts)
        return kr_err_nomem(err);
    if (nparts == 1) { /* the common case: straight into the caller's buffers */
        one = (part){m, 0, n, json != NULL, limit, 0, &failed_part, *yaml,
                     json ? *json : (kr_buf){0}, spans, strings, 0, 0, {0}, 0, 0};
        emit_part(&one);
        *yaml = one.yaml;
        if (json)
            *json = one.json;
        if (one.rc) {
            take_error(err, &one.err);
            *failed = one.failed;
        }
        return one.rc;
    }
    pthread_t *tids = calloc(nthreads, sizeof *tids);
    bool *started = calloc(nthreads, sizeof *started);
    int rc = 0;
    if (!tids || !started) {
        free(tids);
        free(started);
        free(parts);
        return kr_err_nomem(err);
    }
    for (size_t t = 0; t < nparts; t++)
        parts[t] = (part){m, n * t / nparts, n * (t + 1) / nparts, json != NULL, limit, t,
                          &failed_part, {0}, {0}, spans, NULL, 0, 0, {0}, 0, 0};
    /* the calling thread is one of the crew; one that cannot start leaves its parts to it */
    crew c = {parts, nparts, 0};
    for (size_t t = 1; t < nthreads; t++)
        started[t] = kr_thread_create(&tids[t], crew_work, &c) == 0;
    crew_work(&c);
    for (size_t t = 1; t < nthreads; t++)
        if (started[t])
            pthread_join(tids[t], NULL);
    /* the first failure in resource order is the one reported */
    for (size_t t = 0; t < nparts && !rc; t++)
        if (parts[t].rc) {
            rc = parts[t].rc;
            *failed = parts[t].failed;
            take_error(err, &parts[t].err);
        }
    size_t total = 0, jtotal = 0;
    for (size_t t = 0; t < nparts; t++) {
        total += parts[t].yaml.len + (t ? 4 : 0);
        jtotal += parts[t].json.len;
    }
    if (!rc && total + jtotal > limit) {
        rc = kr_err_set(err, KRENDER_E_LIMIT, NULL, 0, 0,
                        "the output exceeds the limit of %zu bytes (max_output_bytes)", limit);
        *failed = n;
    }
    /* the first part's buffers become the output when the caller's are empty (no copy of
     * it, and its memory is not held twice); each later part is freed once appended */
    size_t first = 0;
    if (!rc && !yaml->len && !yaml->data && (!json || (!json->len && !json->data))) {
        *yaml = parts[0].yaml;
        parts[0].yaml = (kr_buf){0};
        if (json) {
            *json = parts[0].json;
            parts[0].json = (kr_buf){0};
        }
        first = 1;
    }
    if (!rc && (!kr_buf_reserve(yaml, total - (first ? yaml->len : 0)) ||
                (json && !kr_buf_reserve(json, jtotal - (first ? json->len : 0))))) {
        rc = kr_err_nomem(err);
        *failed = n;
    }
    if (!rc)
        join_parts(parts, first, nparts, yaml, json, spans, nthreads > 1);
    for (size_t t = 0; t < nparts; t++) {
        kr_buf_free(&parts[t].yaml);
        kr_buf_free(&parts[t].json);
        kr_err_clear(&parts[t].err);
        kr_arena_adopt(strings, parts[t].strings); /* the ids point into it */
    }
    free(tids);
    free(started);
    free(parts);
    return rc;
}
