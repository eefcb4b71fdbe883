#include "subbuild.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "common_words.h"
#include "fs.h"
#include "path.h"
#include "table_alloc.h"

/* Stored results stop growing the context beyond this (a base result is a copy of its trees):
 * later bases are then built each time, as without the cache. */
#define STORE_BUDGET ((size_t)64 << 20)

typedef enum { DEP_RESOLVE, DEP_FILE, DEP_VISIT, DEP_WARNING } dep_kind;

/* One thing a base's build looked at, and what it saw. */
typedef struct dep {
    uint8_t kind;     /* dep_kind */
    uint8_t hints;    /* resolve: the hints given */
    uint8_t fs_kind;  /* resolve: the answer */
    int err;          /* resolve: the answer */
    const char *path; /* resolve: the path asked; file: its real path; visit: the directory;
                         warning: the text */
    const char *real; /* resolve: the answer (NULL on error) */
    uint64_t hash;    /* file: XXH3 of its bytes */
    size_t len;       /* file: their number */
} dep;

/* A stored result: never changed once published (a newer one replaces the pointer to it), so
 * a render reads it without the lock. */
typedef struct record {
    /* what the result also depends on */
    bool caller_fs;
    int load_restrictor;
    const char *jail;
    dep *deps;
    size_t ndeps;
    kr_resource *res; /* its resources (cache arena: trees, ids and strings included) */
    size_t nres;
} record;

typedef struct entry {
    struct entry *next;
    const char *dir;
    unsigned builds; /* builds seen in this context; stored from the second one */
    const record *rec; /* NULL: nothing stored */
} entry;

/* One per context, shared with the helper contexts of krender_build_many: every thread of a
 * call stores and takes base results here (the lock guards the table, the counts and the
 * arena; records are read outside it). */
struct kr_subcache {
    pthread_mutex_t lock;
    kr_arena *arena; /* stored results; old ones stay until the context is freed */
    entry **buckets;
    size_t nbuckets, count;
    size_t hits, builds; /* results taken; bases built instead (lookups that missed) */
};

int kr_subcache_new(kr_subcache **out)
{
    /* a huge-page arena: every stored result is a fresh copy, and faulting its pages in 4 KiB
     * at a time was 8,400 of the 13,700 page faults of the 446 medium roots in one call (about
     * a tenth of its CPU); 2 MiB pages cost 2 MiB more at the peak there */
    kr_subcache *c = calloc(1, sizeof *c);
    if (c && (c->arena = kr_arena_new_huge()) && (c->buckets = calloc(64, sizeof *c->buckets))) {
        pthread_mutex_init(&c->lock, NULL);
        c->nbuckets = 64;
        *out = c;
        return 0;
    }
    if (c)
        kr_arena_free(c->arena);
    free(c);
    return KRENDER_E_NOMEM;
}

void kr_subcache_free(kr_subcache *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->lock);
    kr_arena_free(c->arena);
    free(c->buckets);
    free(c);
}

static entry *find(kr_subcache *c, const char *dir, bool create)
{
    size_t slot = (size_t)XXH3_64bits(dir, strlen(dir)) & (c->nbuckets - 1);
    for (entry *e = c->buckets[slot]; e; e = e->next)
        if (strcmp(e->dir, dir) == 0)
            return e;
    if (!create)
        return NULL;
    if (c->count >= c->nbuckets) { /* keep chains short */
        size_t n = c->nbuckets * 2;
        entry **b = kr_table_alloc(n, sizeof *b);
        if (!b)
            return NULL;
        for (size_t i = 0; i < c->nbuckets; i++)
            for (entry *e = c->buckets[i], *next; e; e = next) {
                next = e->next;
                size_t s = (size_t)XXH3_64bits(e->dir, strlen(e->dir)) & (n - 1);
                e->next = b[s];
                b[s] = e;
            }
        free(c->buckets);
        c->buckets = b;
        c->nbuckets = n;
        slot = (size_t)XXH3_64bits(dir, strlen(dir)) & (n - 1);
    }
    entry *e = kr_arena_zalloc(c->arena, sizeof *e);
    if (!e || !(e->dir = kr_arena_strdup(c->arena, dir)))
        return NULL;
    e->next = c->buckets[slot];
    c->buckets[slot] = e;
    c->count++;
    return e;
}

/* ---- recording ---- */

static void note(kr_render *r, const dep *d)
{
    for (kr_subbuild *sb = r->subbuild; sb; sb = sb->outer) {
        if (!sb->recording || sb->untrackable)
            continue;
        if (sb->ndeps == sb->cap) {
            size_t cap = sb->cap ? sb->cap * 2 : 32;
            dep *p = realloc(sb->deps, cap * sizeof *p);
            if (!p) {
                sb->untrackable = true; /* not stored; the build itself goes on */
                continue;
            }
            sb->deps = p;
            sb->cap = cap;
        }
        ((dep *)sb->deps)[sb->ndeps++] = *d;
    }
}

/* Something a stored result could not reproduce: no recording in progress is stored. */
static void untrackable(kr_render *r)
{
    for (kr_subbuild *sb = r->subbuild; sb; sb = sb->outer)
        sb->untrackable = true;
}

void kr_subbuild_note_resolve(kr_render *r, const char *path, unsigned hints, int err,
                              const char *real, int kind)
{
    if (r->subbuild)
        note(r, &(dep){DEP_RESOLVE, (uint8_t)hints, (uint8_t)kind, err, path, real, 0, 0});
}

void kr_subbuild_note_file(kr_render *r, const kr_file *f)
{
    if (r->subbuild)
        note(r, &(dep){DEP_FILE, 0, 0, 0, f->path, NULL, f->hash, f->len});
}

void kr_subbuild_note_warning(kr_render *r, const char *text)
{
    if (!r->subbuild)
        return;
    char *copy = kr_arena_strdup(kr_render_life(r), text);
    if (copy)
        note(r, &(dep){DEP_WARNING, 0, 0, 0, copy, NULL, 0, 0});
    else
        untrackable(r);
}


/* ---- copies between the render and the cache ---- */

static const char *dup_or_null(kr_arena *a, const char *s, bool *ok)
{
    if (!s)
        return NULL;
    char *c = kr_arena_strdup(a, s);
    *ok &= c != NULL;
    return c;
}

static bool copy_id(kr_arena *a, kr_resid *dst, const kr_resid *src)
{
    bool ok = true;
    *dst = *src;
    dst->group = dup_or_null(a, src->group, &ok);
    dst->version = dup_or_null(a, src->version, &ok);
    dst->kind = dup_or_null(a, src->kind, &ok);
    dst->name = dup_or_null(a, src->name, &ok);
    dst->ns = dup_or_null(a, src->ns, &ok);
    return ok;
}

static bool intern_id(kr_render *r, kr_resid *dst, const kr_resid *src)
{
    *dst = *src;
    dst->group = kr_intern(r->strings, src->group);
    dst->version = kr_intern(r->strings, src->version);
    dst->kind = kr_intern(r->strings, src->kind);
    dst->name = kr_intern(r->strings, src->name);
    dst->ns = kr_intern(r->strings, src->ns);
    return dst->group && dst->version && dst->kind && dst->name && dst->ns;
}

static const char **copy_strs(kr_arena *a, const char **s, uint32_t n, bool deep, bool *ok)
{
    if (!n)
        return NULL;
    const char **c = kr_arena_alloc(a, n * sizeof *c);
    if (!c) {
        *ok = false;
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++)
        c[i] = deep ? dup_or_null(a, s[i], ok) : s[i];
    return c;
}

/* Stores the resources of ra into e (cache arena). */
static bool store(kr_subcache *c, record *e, const kr_accum *ra)
{
    kr_arena *a = c->arena;
    e->res = ra->res.len ? kr_arena_alloc(a, ra->res.len * sizeof *e->res) : NULL;
    if (ra->res.len && !e->res)
        return false;
    bool ok = true;
    for (size_t i = 0; i < ra->res.len && ok; i++) {
        const kr_resource *s = ra->res.items[i];
        kr_resource *d = &e->res[i];
        *d = *s;
        /* a copy sharing nothing with the render (whose arena dies with it) but the static
         * common keys */
        d->node = kr_node_copy_deep(a, s->node);
        d->file = dup_or_null(a, s->file, &ok);
        ok &= d->node && copy_id(a, &d->id, &s->id);
        d->prev = s->nprev ? kr_arena_alloc(a, s->nprev * sizeof *d->prev) : NULL;
        ok &= !s->nprev || d->prev;
        for (uint32_t j = 0; ok && j < s->nprev; j++)
            ok &= copy_id(a, &d->prev[j], &s->prev[j]);
        d->prev_cap = s->nprev;
        d->prefixes = copy_strs(a, s->prefixes, s->nprefixes, true, &ok);
        d->suffixes = copy_strs(a, s->suffixes, s->nsuffixes, true, &ok);
        d->origin = (kr_origin){0}; /* only kept with buildMetadata, which is never stored */
        d->transforms = NULL;
        d->ntransforms = d->transforms_cap = 0;
    }
    e->nres = ra->res.len;
    return ok;
}

/* The stored resources appended to out, each a copy the render may change. */
static int replay_resources(kr_render *r, const record *e, kr_accum *out)
{
    for (size_t i = 0; i < e->nres; i++) {
        const kr_resource *s = &e->res[i];
        kr_resource *d = kr_arena_alloc(r->arena, sizeof *d);
        if (!d)
            return kr_err_nomem(r->err);
        *d = *s;
        bool ok = (d->node = kr_node_copy(r->arena, s->node)) && intern_id(r, &d->id, &s->id);
        d->prev = s->nprev ? kr_arena_alloc(r->arena, s->nprev * sizeof *d->prev) : NULL;
        ok &= !s->nprev || d->prev;
        for (uint32_t j = 0; ok && j < s->nprev; j++)
            ok &= intern_id(r, &d->prev[j], &s->prev[j]);
        d->prefixes = copy_strs(r->arena, s->prefixes, s->nprefixes, false, &ok);
        d->suffixes = copy_strs(r->arena, s->suffixes, s->nsuffixes, false, &ok);
        if (!ok)
            return kr_err_nomem(r->err);
        int rc = kr_resmap_append(r, &out->res, d);
        if (rc)
            return rc;
    }
    return kr_tconfig_merge(r->arena, &out->config, r->defaults, r->err);
}

/* ---- lookup ---- */

static bool same_options(kr_render *r, const record *e)
{
    const char *jail = r->opts.jail_root;
    return e->caller_fs == (r->opts.fs != NULL) && e->load_restrictor == r->opts.load_restrictor &&
           (jail ? e->jail && strcmp(jail, e->jail) == 0 : !e->jail);
}

/* Whether the stored result still holds: the file system answers as it did, and no directory
 * the base visited would now close a cycle with the kustomizations including it. */
static bool still_valid(kr_render *r, const record *e, const kr_visit *chain)
{
    for (size_t i = 0; i < e->ndeps; i++) {
        const dep *d = &e->deps[i];
        switch (d->kind) {
        case DEP_RESOLVE: {
            char *real;
            int kind, err = kr_fs_resolve(r, d->path, d->hints, &real, &kind);
            if (err != d->err || kind != d->fs_kind ||
                (real ? !d->real || strcmp(real, d->real) != 0 : d->real != NULL))
                return false;
            break;
        }
        case DEP_FILE: {
            /* read by another thread of the call: compared without reading it again */
            int seen = kr_file_matches(r, d->path, d->hash, d->len);
            if (seen >= 0) {
                if (!seen)
                    return false;
                break;
            }
            if (r->err->code)
                return false;
            kr_file *f;
            if (kr_load_file(r, d->path, &f) != 0) {
                kr_err_clear(r->err); /* the real build will say what is wrong */
                return false;
            }
            if (f->hash != d->hash || f->len != d->len)
                return false;
            break;
        }
        case DEP_VISIT:
            for (const kr_visit *v = chain; v; v = v->parent)
                if (kr_path_within(v->dir, d->path))
                    return false;
            break;
        default:
            break;
        }
    }
    return true;
}

static bool cacheable_now(const kr_render *r)
{
    return r->subcache && !r->track_origin && !r->smp_custom && !r->schema_chosen;
}

int kr_subbuild_begin(kr_render *r, const char *dir, const kr_visit *chain, bool lookup,
                      kr_subbuild *sb, kr_accum *out, bool *hit)
{
    *hit = false;
    *sb = (kr_subbuild){.outer = r->subbuild, .dir = dir};
    /* the visit itself, for the recordings this base is part of */
    note(r, &(dep){DEP_VISIT, 0, 0, 0, dir, NULL, 0, 0});
    if (!cacheable_now(r)) {
        r->subbuild = sb; /* not recording itself, but keeps the chain of recordings */
        return 0;
    }
    kr_subcache *c = r->subcache;
    pthread_mutex_lock(&c->lock);
    entry *e = find(c, dir, true);
    const record *rec = e ? e->rec : NULL;
    pthread_mutex_unlock(&c->lock);
    if (!e)
        return kr_err_nomem(r->err);
    if (lookup && rec && same_options(r, rec) && still_valid(r, rec, chain)) {
        /* what the build would have done besides its result: its warnings, and for the
         * recordings enclosing it, the directories it visits */
        for (size_t i = 0; i < rec->ndeps; i++) {
            if (rec->deps[i].kind == DEP_WARNING)
                kr_render_warn(r, "%s", rec->deps[i].path);
            else if (rec->deps[i].kind == DEP_VISIT)
                note(r, &rec->deps[i]);
        }
        *hit = true;
        __atomic_fetch_add(&c->hits, 1, __ATOMIC_RELAXED);
        return replay_resources(r, rec, out);
    }
    if (r->err->code) /* validation hit an allocation failure */
        return r->err->code;
    /* recorded from its second build, or from the first in a context that renders again */
    pthread_mutex_lock(&c->lock);
    sb->recording = ++e->builds >= 2 || e->rec || r->serial > 1;
    c->builds += lookup;
    pthread_mutex_unlock(&c->lock);
    r->subbuild = sb;
    return 0;
}

void kr_subcache_counts(kr_subcache *c, size_t *hits, size_t *builds, size_t *bytes)
{
    pthread_mutex_lock(&c->lock);
    *hits = __atomic_load_n(&c->hits, __ATOMIC_RELAXED);
    *builds = c->builds;
    *bytes = kr_arena_used(c->arena);
    pthread_mutex_unlock(&c->lock);
}

/* Copies a recording's strings into the cache arena. */
static bool keep_deps(kr_arena *a, record *e, const kr_subbuild *sb)
{
    const dep *src = sb->deps;
    e->deps = sb->ndeps ? kr_arena_alloc(a, sb->ndeps * sizeof *e->deps) : NULL;
    if (sb->ndeps && !e->deps)
        return false;
    bool ok = true;
    for (size_t i = 0; i < sb->ndeps; i++) {
        e->deps[i] = src[i];
        e->deps[i].path = dup_or_null(a, src[i].path, &ok);
        e->deps[i].real = dup_or_null(a, src[i].real, &ok);
    }
    e->ndeps = sb->ndeps;
    return ok;
}

int kr_subbuild_end(kr_render *r, kr_subbuild *sb, const kr_accum *ra, int rc)
{
    r->subbuild = sb->outer;
    bool qualifies = !rc && sb->recording && !sb->untrackable && cacheable_now(r) &&
                     !ra->config.custom && ra->nvars == 0 &&
                     /* a root edited in memory is not what its files say */
                     !(r->opts.edit_count && strcmp(sb->dir, r->root_real) == 0);
    kr_subcache *c = r->subcache;
    if (qualifies) {
        pthread_mutex_lock(&c->lock);
        entry *e = kr_arena_used(c->arena) < STORE_BUDGET ? find(c, sb->dir, true) : NULL;
        record *rec = e ? kr_arena_zalloc(c->arena, sizeof *rec) : NULL;
        /* a failed copy leaves the entry as it was (memory already taken stays in the arena) */
        if (rec) {
            rec->caller_fs = r->opts.fs != NULL;
            rec->load_restrictor = r->opts.load_restrictor;
            bool ok = true;
            rec->jail = dup_or_null(c->arena, r->opts.jail_root, &ok);
            if (ok && keep_deps(c->arena, rec, sb) && store(c, rec, ra))
                e->rec = rec;
        }
        pthread_mutex_unlock(&c->lock);
    }
    free(sb->deps);
    sb->deps = NULL;
    return rc;
}
