#include "loader.h"

#include "subbuild.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "fs.h"
#include "parse.h"
#include "path.h"
#include "prefetch.h"
#include "table_alloc.h"

/* A cached file. Files of a caller fs and of the disk never share an entry (caller_fs is part
 * of the key); among caller file systems, bytes are always read and compared by hash. */
typedef struct entry {
    kr_file file;
    bool caller_fs;
    bool has_stamp; /* the disk's: dev, ino, size, mtime of the version read */
    uint64_t dev, ino;
    size_t size;
    int64_t mtime_sec, mtime_nsec;
    uint64_t view;      /* the krender_build_many call that last looked at it (render.h) */
    struct entry *next; /* hash chain */
} entry;

/* Entries, paths and parses live in the arena; each version's bytes are malloc'd, so that a
 * big render can give them back when it no longer reads files (kr_cache_drop_bytes). */
struct kr_cache {
    kr_arena *arena;
    entry **buckets;
    size_t nbuckets, count;
    struct kr_textparses *texts; /* textparse.c, in arena */
};

/* Renders reading less than this keep their bytes: too little to matter, and read again by
 * the context's next render otherwise. */
#define KR_DROP_BYTES_MIN (1u << 20)

int kr_cache_new(kr_cache **out)
{
    kr_cache *c = calloc(1, sizeof *c);
    if (!c || !(c->arena = kr_arena_new())) {
        free(c);
        return KRENDER_E_NOMEM;
    }
    c->nbuckets = 256;
    c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
    if (!c->buckets) {
        kr_cache_free(c);
        return KRENDER_E_NOMEM;
    }
    *out = c;
    return 0;
}

kr_arena *kr_cache_arena(kr_cache *c)
{
    return c->arena;
}

struct kr_textparses **kr_cache_textparses(kr_cache *c)
{
    return &c->texts;
}

void kr_cache_adopt(kr_cache *c, kr_arena *a)
{
    kr_arena_adopt(c->arena, a);
}

void kr_cache_free(kr_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nbuckets; i++)
        for (entry *e = c->buckets[i]; e; e = e->next)
            free((char *)e->file.data);
    kr_arena_free(c->arena);
    free(c->buckets);
    free(c);
}

static int grow_buckets(kr_cache *c)
{
    size_t n = c->nbuckets * 2;
    entry **b = kr_table_alloc(n, sizeof *b);
    if (!b)
        return -1;
    for (size_t i = 0; i < c->nbuckets; i++) {
        for (entry *e = c->buckets[i], *next; e; e = next) {
            next = e->next;
            size_t j = (size_t)XXH3_64bits(e->file.path, strlen(e->file.path)) & (n - 1);
            e->next = b[j];
            b[j] = e;
        }
    }
    free(c->buckets);
    c->buckets = b;
    c->nbuckets = n;
    return 0;
}

static bool same_stamp(const entry *e, const kr_fs_file *h)
{
    return e->has_stamp && e->dev == h->dev && e->ino == h->ino && e->size == h->size &&
           e->mtime_sec == h->mtime_sec && e->mtime_nsec == h->mtime_nsec;
}

/* The cache's entry of `real` (disk or caller fs) and its bucket. */
static entry *find_entry(const kr_cache *c, const char *real, bool caller_fs, size_t *slot)
{
    *slot = (size_t)XXH3_64bits(real, strlen(real)) & (c->nbuckets - 1);
    entry *e = c->buckets[*slot];
    while (e && (e->caller_fs != caller_fs || strcmp(e->file.path, real) != 0))
        e = e->next;
    return e;
}

/* A new entry for `real` in bucket slot (no version yet); NULL without memory. */
static entry *add_entry(kr_cache *c, size_t slot, const char *real, bool caller_fs)
{
    entry *e = kr_arena_zalloc(c->arena, sizeof *e);
    if (!e || !(e->file.path = kr_arena_strdup(c->arena, real)))
        return NULL;
    e->caller_fs = caller_fs;
    e->next = c->buckets[slot];
    c->buckets[slot] = e;
    if (++c->count > c->nbuckets && grow_buckets(c) != 0)
        return NULL;
    return e;
}

/* ---- the files of a krender_build_many call ---- */

typedef struct call_file {
    const char *path;
    uint64_t hash;
    size_t len;
} call_file;

struct kr_callfiles {
    pthread_mutex_t lock; /* guards everything below */
    kr_arena *arena;      /* the paths */
    call_file *slots;     /* open addressing, cap a power of two */
    size_t cap, count;
};

kr_callfiles *kr_callfiles_new(void)
{
    kr_callfiles *c = calloc(1, sizeof *c);
    if (!c || !(c->arena = kr_arena_new()) || !(c->slots = calloc(1024, sizeof *c->slots))) {
        if (c)
            kr_arena_free(c->arena);
        free(c);
        return NULL;
    }
    c->cap = 1024;
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void kr_callfiles_free(kr_callfiles *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->lock);
    kr_arena_free(c->arena);
    free(c->slots);
    free(c);
}

static size_t call_slot(const call_file *slots, size_t cap, const char *path, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (slots[i].path && strcmp(slots[i].path, path) != 0)
        i = (i + 1) & (cap - 1);
    return i;
}

/* Publishes the version of path a thread of the call read (the first one seen stays). */
static void call_saw(kr_render *r, const char *path, uint64_t hash, size_t len)
{
    kr_callfiles *c = r->callfiles;
    if (!c)
        return;
    uint64_t h = XXH3_64bits(path, strlen(path));
    pthread_mutex_lock(&c->lock);
    if ((c->count + 1) * 2 > c->cap) {
        call_file *slots = kr_table_alloc(c->cap * 2, sizeof *slots);
        if (!slots)
            goto out; /* a later thread reads the file itself */
        for (size_t i = 0; i < c->cap; i++)
            if (c->slots[i].path)
                slots[call_slot(slots, c->cap * 2, c->slots[i].path,
                                XXH3_64bits(c->slots[i].path, strlen(c->slots[i].path)))] =
                    c->slots[i];
        free(c->slots);
        c->slots = slots;
        c->cap *= 2;
    }
    size_t i = call_slot(c->slots, c->cap, path, h);
    if (!c->slots[i].path) {
        const char *copy = kr_arena_strdup(c->arena, path);
        if (copy) {
            c->slots[i] = (call_file){copy, hash, len};
            c->count++;
        }
    }
out:
    pthread_mutex_unlock(&c->lock);
}

/* Every file a render reads is listed once in its result (what the render depends on). */
static int record_read(kr_render *r, kr_file *f)
{
    if (f->read_by == r->serial)
        return 0;
    f->read_by = r->serial;
    if (!kr_buf_append(&r->files, f->path, strlen(f->path) + 1))
        return kr_err_nomem(r->err);
    if (++r->nfiles == KR_PREFETCH_AFTER_FILES)
        kr_prefetch_start(r); /* a big tree: worth a second thread reading ahead */
    return 0;
}

static int keep_bytes(kr_render *r, kr_cache *c, entry *e, size_t slot, const char *real,
                      const kr_fs_file *hf, char *data, size_t len, uint64_t hash, kr_file **out);

/* A file already read by this render is taken as it was (one version per render, no system
 * call). Else it is opened: on the disk an unchanged stamp (fstat of the open descriptor) means
 * the cached bytes; with the caller's fs there is no stamp, the bytes are always read and the
 * cached parse is reused when their hash matches. */
static int load_file(kr_render *r, const char *real, bool ahead, kr_file **out)
{
    kr_cache *c = r->cache;
    size_t slot;
    entry *e = find_entry(c, real, r->opts.fs != NULL, &slot);
    if (e && e->file.data && r->serial && e->file.read_by == r->serial) { /* one version per
                                                                               * render */
        *out = &e->file;
        return 0;
    }
    if (e && e->file.data && r->view && e->view == r->view) { /* and per krender_build_many
                                                                * call */
        *out = &e->file;
        return record_read(r, &e->file);
    }
    const kr_pf_file *pf = r->prefetch && ahead ? kr_prefetch_get(r, real, NULL) : NULL;
    char *taken;
    if (pf && (taken = kr_prefetch_take_bytes(r, pf))) {
        /* read ahead on the other thread: its bytes (kept unless the cache has them) */
        kr_fs_file h = {.path = real, .size = pf->size, .has_stamp = true, .dev = pf->dev,
                        .ino = pf->ino, .mtime_sec = pf->mtime_sec, .mtime_nsec = pf->mtime_nsec};
        return keep_bytes(r, c, e, slot, real, &h, taken, pf->len, pf->hash, out);
    }
    kr_fs_file h;
    int rc = kr_fs_open(r, real, &h);
    if (rc)
        return rc;
    if (r->opts.max_file_bytes && (uint64_t)h.size > r->opts.max_file_bytes) {
        kr_fs_close(r, &h);
        return kr_err_set(r->err, KRENDER_E_LIMIT, real, 0, 0,
                          "%lld bytes: larger than the limit of %zu bytes (max_file_bytes)",
                          (long long)h.size, r->opts.max_file_bytes);
    }
    if (e && e->file.data && h.has_stamp && same_stamp(e, &h)) {
        kr_fs_close(r, &h);
        e->view = r->view;
        call_saw(r, real, e->file.hash, e->file.len);
        *out = &e->file;
        return record_read(r, &e->file);
    }
    char *data = malloc((size_t)h.size + 1);
    size_t len = 0;
    rc = data ? kr_fs_read(r, &h, data, h.size, &len) : kr_err_nomem(r->err);
    kr_fs_close(r, &h);
    if (rc) {
        free(data);
        return rc;
    }
    data[len] = '\0'; /* a file that shrank while read: what was there */
    return keep_bytes(r, c, e, slot, real, &h, data, len, XXH3_64bits(data, len), out);
}

/* Makes data (malloc'd, taken over; hash, stamp of h) the cached version of file `real` (entry e
 * of bucket slot, or a new one when e is NULL). */
static int keep_bytes(kr_render *r, kr_cache *c, entry *e, size_t slot, const char *real,
                      const kr_fs_file *hf, char *data, size_t len, uint64_t hash, kr_file **out)
{
    bool known = e != NULL; /* a version was read before (its bytes may have been dropped) */
    if (!e && !(e = add_entry(c, slot, real, r->opts.fs != NULL))) {
        free(data);
        return kr_err_nomem(r->err);
    }
    if (!known || e->file.hash != hash || e->file.len != len) {
        if (known) { /* content changed: parse again (no render still uses the old bytes: a
                      * file is read once per render) */
            e->file.docs_ready = e->file.kdoc_ready = false;
            e->file.uses = 0;
            e->file.pinned = false;
        }
        free((char *)e->file.data);
        e->file.data = data;
        e->file.len = len;
        e->file.hash = hash;
    } else if (!e->file.data) { /* the same bytes again, after kr_cache_drop_bytes */
        e->file.data = data;
    } else { /* the same bytes (always read from a caller fs; a file touched on disk): parse
              * kept */
        free(data);
    }
    e->has_stamp = hf->has_stamp;
    e->dev = hf->dev;
    e->ino = hf->ino;
    e->size = hf->size;
    e->mtime_sec = hf->mtime_sec;
    e->mtime_nsec = hf->mtime_nsec;
    e->view = r->view;
    call_saw(r, real, e->file.hash, e->file.len);
    *out = &e->file;
    return record_read(r, &e->file);
}

void kr_cache_drop_bytes(kr_render *r)
{
    kr_cache *c = r->cache;
    if (!c || r->view || !r->serial)
        return;
    size_t bytes = 0;
    for (size_t i = 0; i < c->nbuckets; i++)
        for (entry *e = c->buckets[i]; e; e = e->next)
            if (e->file.read_by == r->serial && e->file.data && !e->file.pinned)
                bytes += e->file.len;
    if (bytes < KR_DROP_BYTES_MIN)
        return;
    for (size_t i = 0; i < c->nbuckets; i++)
        for (entry *e = c->buckets[i]; e; e = e->next)
            if (e->file.read_by == r->serial && e->file.data && !e->file.pinned) {
                free((char *)e->file.data);
                e->file.data = NULL;
            }
#ifdef __GLIBC__
    /* small blocks amid live ones: give their pages back, not just the heap's end */
    malloc_trim(0);
#endif
}

int kr_file_matches(kr_render *r, const char *real, uint64_t hash, size_t len)
{
    kr_callfiles *c = r->callfiles;
    if (!c || r->opts.fs)
        return -1;
    uint64_t h = XXH3_64bits(real, strlen(real));
    pthread_mutex_lock(&c->lock);
    call_file seen = c->slots[call_slot(c->slots, c->cap, real, h)];
    pthread_mutex_unlock(&c->lock);
    if (!seen.path)
        return -1;
    if (seen.hash != hash || seen.len != len)
        return 0;
    /* the render records it as read, on an entry of this context's cache (bytes and parses
     * are read when a render of this context needs them) */
    size_t slot;
    entry *e = find_entry(r->cache, real, false, &slot);
    if (e && (e->file.hash != hash || e->file.len != len))
        return -1; /* this context holds another version: kr_load_file sorts it out */
    if (!e) {
        if (!(e = add_entry(r->cache, slot, real, false)))
            return kr_err_nomem(r->err), -1;
        e->file.hash = hash;
        e->file.len = len;
    }
    if (record_read(r, &e->file))
        return -1;
    kr_subbuild_note_file(r, &e->file);
    return 1;
}

static int load_noted(kr_render *r, const char *real, bool ahead, kr_file **out)
{
    int rc = load_file(r, real, ahead, out);
    if (!rc) /* what a base being recorded depends on (subbuild.h) */
        kr_subbuild_note_file(r, *out);
    return rc;
}

int kr_load_file(kr_render *r, const char *real, kr_file **out)
{
    return load_noted(r, real, true, out);
}

int kr_load_file_not_ahead(kr_render *r, const char *real, kr_file **out)
{
    return load_noted(r, real, false, out);
}

int kr_file_docs(kr_render *r, kr_file *f, kr_node ***docs, size_t *ndocs)
{
    if (!f->docs_ready) {
        int rc = kr_parse_stream(r->cache->arena, f->path, f->data, f->len, &f->docs, &f->ndocs,
                                 r->err);
        if (rc)
            return rc;
        f->docs_ready = true;
    }
    *docs = f->docs;
    *ndocs = f->ndocs;
    return 0;
}

int kr_file_kustomization(kr_render *r, kr_file *f, kr_node **doc)
{
    const kr_pf_file *pf =
        f->kdoc_ready ? NULL : kr_prefetch_parse_of(r, f->path, f->hash, f->len, false);
    if (pf && pf->kdoc) {
        /* parsed ahead: the cache takes the thread's memory over, or keeps a copy */
        f->kdoc = kr_prefetch_lends(r) ? pf->kdoc : kr_node_copy_deep(r->cache->arena, pf->kdoc);
        if (!f->kdoc)
            return kr_err_nomem(r->err);
        f->kdoc_ready = true;
    }
    if (!f->kdoc_ready) {
        int rc = kr_parse_document(r->cache->arena, f->path, f->data, f->len, KR_YAML_11,
                                   &f->kdoc, r->err);
        if (rc)
            return rc;
        f->kdoc_ready = true;
    }
    *doc = f->kdoc;
    return 0;
}

static const char *const kustomization_names[] = {"kustomization.yaml", "kustomization.yml",
                                                  "Kustomization"};

int kr_find_kustomization(kr_render *r, const char *dir, char **path)
{
    char *found = NULL;
    for (size_t i = 0; i < 3; i++) {
        char *p = kr_arena_concat3(r->arena, dir, "/", kustomization_names[i]);
        char *real;
        int kind;
        if (!p)
            return kr_err_nomem(r->err);
        if (kr_fs_resolve(r, p, 0, &real, &kind) != 0)
            continue;
        if (found)
            return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, dir, 0, 0,
                              "Found multiple kustomization files under: %s", dir);
        found = p;
    }
    if (!found)
        return kr_err_set(r->err, KRENDER_E_NOT_FOUND, dir, 0, 0,
                          "unable to find one of 'kustomization.yaml', 'kustomization.yml' or "
                          "'Kustomization' in directory '%s'",
                          dir);
    *path = found;
    return 0;
}

char *kr_real_path(kr_render *r, const char *abs)
{
    char *real;
    int kind, err = kr_fs_resolve(r, abs, 0, &real, &kind);
    if (err)
        errno = err;
    return real;
}

int kr_check_jail(kr_render *r, const char *real, const char *file, unsigned line, unsigned col)
{
    const char *jail = r->opts.jail_root;
    if (!jail || kr_path_within(real, jail))
        return 0;
    return kr_err_set(r->err, KRENDER_E_SECURITY, file, line, col,
                      "security; '%s' is outside the repository root '%s'", real, jail);
}
