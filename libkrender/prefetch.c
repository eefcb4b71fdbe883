/* Reading ahead on a second thread: see prefetch.h. */
#include "prefetch.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "coldread.h"
#include "fs.h"
#include "kfiles.h"
#include "loader.h"
#include "parse.h"
#include "patch.h"
#include "path.h"
#include "table_alloc.h"
#include "thread.h"

enum pf_state {
    PF_WORKING, /* the thread is reading it */
    PF_READY,   /* read (and maybe parsed) */
    PF_MISSING, /* does not exist: openat2 without links said ENOENT or ENOTDIR */
    PF_NONE     /* the thread failed, or the render asked first: the render reads it */
};

typedef struct pf_entry {
    const char *path;
    int state;
    int err;          /* PF_MISSING: ENOENT or ENOTDIR */
    kr_pf_file *file; /* PF_READY: what was read (most entries are probes, marks and files
                       * left to the render, which need none) */
} pf_entry;

/* Open addressing over items whose first member is their key, a string (pf_entry,
 * pf_level_dir). */
typedef struct key_table {
    void **slots;
    size_t cap, count; /* cap: a power of two, at least twice count */
} key_table;

struct kr_prefetch {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* an entry left PF_WORKING */
    key_table table;        /* the entries by path; guarded by lock */
    bool stop;              /* guarded by lock */
    bool overtaken;         /* the render waited for a file the thread was reading (lock) */
    /* the thread's own (no lock: only the thread touches them until it is joined) */
    const kr_render *r;     /* read only: options, jail descriptor, root */
    kr_arena *tab;          /* the table's entries and paths (under lock); freed at the stop */
    kr_arena *mem;          /* the rest of what the thread makes; lives until kr_prefetch_free */
    kr_arena *keep;         /* the kustomization documents of the files read ahead */
    kr_arena *texts;        /* the parses of patch texts: each is read while its patch is
                             * applied (and copied from), so they go at the stop */
    bool lend;              /* the context's first render: the cache takes `keep` itself at the
                             * end (no copy); later renders copy what the cache keeps, so a
                             * long-lived context does not grow with every big render */
    bool running;           /* the thread is to be joined */
    kr_coldness cold;       /* the thread's files are not cached: it hints (coldread.h) */
    bool levels;            /* the render met files not cached: kustomizations first */
    struct pf_level *seen;  /* the kustomizations walk_levels read, by directory */
};

/* Paths the walk builds live on its stack (the table keeps its own copies): longer ones are
 * left to the render. */
#define PF_PATH_MAX 4096

/* Depth of kustomizations followed (the render fails far earlier on a cycle). */
#define PF_MAX_DEPTH 64

static size_t slot_of(const char *key, size_t cap)
{
    return (size_t)XXH3_64bits(key, strlen(key)) & (cap - 1);
}

static const char *key_of(const void *item)
{
    return *(const char *const *)item;
}

static bool kt_init(key_table *t, size_t cap)
{
    *t = (key_table){kr_table_alloc(cap, sizeof *t->slots), cap, 0};
    return t->slots != NULL;
}

static void *kt_find(const key_table *t, const char *key)
{
    for (size_t i = slot_of(key, t->cap); t->slots[i]; i = (i + 1) & (t->cap - 1))
        if (strcmp(key_of(t->slots[i]), key) == 0)
            return t->slots[i];
    return NULL;
}

/* Whether the table has room for one more item (it doubles at half full); false when out of
 * memory. */
static bool kt_room(key_table *t)
{
    if ((t->count + 1) * 2 <= t->cap)
        return true;
    size_t cap = t->cap * 2;
    void **slots = kr_table_alloc(cap, sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i])
            continue;
        size_t j = slot_of(key_of(t->slots[i]), cap);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return true;
}

/* Adds item (its key not in the table yet), after kt_room. */
static void kt_put(key_table *t, void *item)
{
    size_t i = slot_of(key_of(item), t->cap);
    while (t->slots[i])
        i = (i + 1) & (t->cap - 1);
    t->slots[i] = item;
    t->count++;
}

static void kt_free(key_table *t)
{
    free(t->slots);
    *t = (key_table){0};
}

/* The entry of path, or NULL; with lock held. */
static pf_entry *find(const kr_prefetch *p, const char *path)
{
    return kt_find(&p->table, path);
}

/* A new entry in `state` for path (copied into a), or NULL (out of memory); with lock held. */
static pf_entry *insert(kr_prefetch *p, kr_arena *a, const char *path, int state)
{
    if (!kt_room(&p->table))
        return NULL;
    pf_entry *e = kr_arena_zalloc(a, sizeof *e);
    if (!e || !(e->path = kr_arena_strdup(a, path)))
        return NULL;
    e->state = state;
    kt_put(&p->table, e);
    return e;
}

/* ---- the thread ---- */

/* x + y into buf (cap bytes); false when it does not fit. */
static bool concat(char *buf, size_t cap, const char *x, const char *y)
{
    size_t nx = strlen(x), ny = strlen(y);
    if (nx + ny + 1 > cap)
        return false;
    memcpy(buf, x, nx);
    memcpy(buf + nx, y, ny + 1);
    return true;
}

/* Claims path for the thread: NULL when it is known already (read, being read, or left to the
 * render) or the walk is to stop. */
static pf_entry *claim(kr_prefetch *p, const char *path)
{
    pthread_mutex_lock(&p->lock);
    pf_entry *e = p->stop || find(p, path) ? NULL : insert(p, p->tab, path, PF_WORKING);
    pthread_mutex_unlock(&p->lock);
    return e;
}

static void publish(kr_prefetch *p, pf_entry *e, bool ok, bool missing)
{
    pthread_mutex_lock(&p->lock);
    e->state = ok ? PF_READY : missing ? PF_MISSING : PF_NONE;
    pthread_mutex_unlock(&p->lock);
    /* after the unlock: a render woken while the lock is still held would block on it at once
     * (two more system calls and a switch for each of its waits) */
    pthread_cond_broadcast(&p->changed);
}

/* Whether the walk is to stop; below the root (depth > 0), also whether it is to give up the
 * root's entry it is in because the render caught up with it. */
static bool stopping(kr_prefetch *p, int depth)
{
    pthread_mutex_lock(&p->lock);
    bool s = p->stop || (depth > 0 && p->overtaken);
    pthread_mutex_unlock(&p->lock);
    return s;
}

/* Back at the root's entries after the render caught up with the thread: whether to leave the
 * next entry to the render too (the thread then reads ahead of it again instead of in step,
 * the render waiting for each file). Clears the mark. */
static bool overtaken(kr_prefetch *p)
{
    pthread_mutex_lock(&p->lock);
    bool o = p->overtaken;
    p->overtaken = false;
    pthread_mutex_unlock(&p->lock);
    return o;
}

/* Reads the regular file at clean absolute `path` into *f (bytes malloc'd). A file the render
 * would refuse to read as it is (a link on the way, outside the jail, too large) fails; one
 * that does not exist sets *missing (and *err). */
static bool read_file(kr_prefetch *p, const char *path, kr_pf_file *f, int *err, bool *missing)
{
    int fd = kr_fs_open_nolinks(p->r, path);
    *missing = fd < 0 && (errno == ENOENT || errno == ENOTDIR);
    *err = fd < 0 ? errno : 0;
    if (fd < 0) {
        if (errno == ENOSYS) { /* no openat2 here: nothing can be read ahead */
            pthread_mutex_lock(&p->lock);
            p->stop = true;
            pthread_mutex_unlock(&p->lock);
        }
        return false;
    }
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
              (uint64_t)st.st_size <= p->r->opts.max_file_bytes;
    char *data = ok ? malloc((size_t)st.st_size + 1) : NULL;
    size_t len = 0;
    while (data && len < (size_t)st.st_size) {
        ssize_t n = len ? read(fd, data + len, (size_t)st.st_size - len)
                        : kr_cold_first_read(&p->cold, fd, data, (size_t)st.st_size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* a file that shrank: what was there, as the render reads it */
        len += (size_t)n;
    }
    close(fd);
    if (!data)
        return false;
    data[len] = '\0';
    *f = (kr_pf_file){.data = data,
                      .len = len,
                      .hash = XXH3_64bits(data, len),
                      .size = (size_t)st.st_size,
                      .dev = (uint64_t)st.st_dev,
                      .ino = (uint64_t)st.st_ino,
                      .mtime_sec = (int64_t)st.st_mtim.tv_sec,
                      .mtime_nsec = (int64_t)st.st_mtim.tv_nsec};
    return true;
}

/* Gives e (claimed by the thread) its copy of f; false when out of memory. */
static bool attach(kr_prefetch *p, pf_entry *e, const kr_pf_file *f)
{
    if (!(e->file = kr_arena_alloc(p->mem, sizeof *e->file)))
        return false;
    *e->file = *f;
    return true;
}

static void walk_dir(kr_prefetch *p, const char *dir, int depth);

/* Claims path and reads the file there for the render, `parse` working on its bytes before
 * they are published (the render may take them at once). */
static void read_for_render(kr_prefetch *p, const char *path,
                            void (*parse)(kr_prefetch *, const char *, kr_pf_file *))
{
    pf_entry *e = claim(p, path);
    if (!e)
        return;
    kr_pf_file f;
    bool missing, ok = read_file(p, path, &f, &e->err, &missing);
    if (ok) {
        parse(p, path, &f);
        if (!(ok = attach(p, e, &f)))
            free((char *)f.data);
    }
    publish(p, e, ok, missing);
}

/* A resource file's documents, as the render parses them on first use. */
static void parse_resources(kr_prefetch *p, const char *path, kr_pf_file *f)
{
    kr_err err = {0};
    f->stream = true;
    f->parsed = kr_parse_stream(p->mem, path, f->data, f->len, &f->docs, &f->ndocs, &err) == 0;
    kr_err_clear(&err);
}

static void walk_file(kr_prefetch *p, const char *path)
{
    read_for_render(p, path, parse_resources);
}

/* Whether path exists, asked for the render (the kustomization names it probes). */
static void probe(kr_prefetch *p, const char *path)
{
    pf_entry *e = path ? claim(p, path) : NULL;
    if (!e)
        return;
    int fd = kr_fs_open_nolinks(p->r, path);
    bool missing = fd < 0 && (errno == ENOENT || errno == ENOTDIR);
    e->err = fd < 0 ? errno : 0;
    if (fd >= 0)
        close(fd);
    publish(p, e, false, missing);
}

typedef struct walk_at {
    kr_prefetch *p;
    const char *dir; /* the kustomization's */
    int depth;
} walk_at;

/* Whether the render may read file `path` of the kustomization in `dir`: below it unless the
 * restrictor says otherwise. */
static bool may_read(const kr_prefetch *p, const char *path, const char *dir)
{
    return p->r->opts.load_restrictor != KRENDER_LOAD_ROOT_ONLY || kr_path_within(path, dir);
}

/* A file or kustomization directory an entry names (kfiles.h; insert() keeps the copies of
 * paths that must last). */
static void walk_found(void *ctx, char *path, kr_kfile_kind kind, size_t dir_len)
{
    const walk_at *w = ctx;
    if (kind == KR_KF_RESOURCE) {
        if (may_read(w->p, path, w->dir))
            walk_file(w->p, path);
    } else {
        path[dir_len] = '\0';
        walk_dir(w->p, path, w->depth + 1);
    }
}

/* An entry of a list field of the kustomization in directory dir. */
static void walk_entry(kr_prefetch *p, const char *dir, const kr_node *it, bool resources,
                       int depth)
{
    walk_at w = {p, dir, depth};
    kr_kfiles_entry(dir, it, resources, walk_found, &w);
}

/* The entries of a list field of kustomization k in directory dir, in order. */
static void walk_list(kr_prefetch *p, const char *dir, const kr_node *list, bool resources,
                      int depth)
{
    for (uint32_t i = 0; kr_is_seq(list) && i < list->len && !stopping(p, depth); i++) {
        walk_entry(p, dir, list->u.items[i], resources, depth);
        if (depth == 0 && overtaken(p))
            i++;
    }
}

/* Whether the walk enters dir for the first time (a component shared by many apps is walked
 * once); its mark is an entry of its own (a key no file path has). */
static bool first_visit(kr_prefetch *p, const char *dir)
{
    char key[PF_PATH_MAX + 1];
    if (!concat(key, sizeof key, "\x01", dir))
        return false;
    pthread_mutex_lock(&p->lock);
    bool first = !p->stop && !find(p, key) && insert(p, p->tab, key, PF_NONE);
    pthread_mutex_unlock(&p->lock);
    return first;
}

/* Reads and parses dir's kustomization.yaml (the usual name; the render looks for the others
 * itself) and gives it to the render; when the render got to the file first, reads it for the
 * walk alone (it is behind the render there, and catches up). Returns its document when it is a
 * map, else NULL; *cold: the file was not cached. */
static const kr_node *read_kustomization(kr_prefetch *p, const char *dir, bool *cold)
{
    char path[PF_PATH_MAX];
    *cold = false;
    if (!concat(path, sizeof path, dir, "/kustomization.yaml"))
        return NULL;
    pf_entry *e = claim(p, path);
    kr_arena *a = e ? p->keep : p->mem; /* a file of its own is not for the cache */
    kr_pf_file f = {0};
    int err;
    unsigned uncached = p->cold.uncached;
    bool missing, ok = read_file(p, path, &f, &err, &missing);
    *cold = p->cold.uncached != uncached;
    if (ok) {
        kr_err perr = {0};
        f.parsed = kr_parse_document(a, path, f.data, f.len, KR_YAML_11, &f.kdoc, &perr) == 0;
        kr_err_clear(&perr);
    }
    bool kept = false;
    if (e) {
        e->err = err;
        kept = ok && attach(p, e, &f);
        publish(p, e, kept, missing);
    }
    if (!kept) /* read for the walk alone: its document is all it needs */
        free((char *)f.data);
    if (!ok || !f.parsed || !kr_is_map(f.kdoc))
        return NULL;
    /* the other names the render probes to be sure there is only one kustomization */
    if (concat(path, sizeof path, dir, "/kustomization.yml"))
        probe(p, path);
    if (concat(path, sizeof path, dir, "/Kustomization"))
        probe(p, path);
    return f.kdoc;
}

/* ---- the patches of a kustomization ---- */

/* The table key of a text's parse: a byte no path starts with, the reading, hash and length. */
static bool text_key(char *key, size_t cap, kr_pf_reading reading, uint64_t hash, size_t len)
{
    int n = snprintf(key, cap, "\x02%d:%016" PRIx64 ":%zx", (int)reading, hash, len);
    return n > 0 && (size_t)n < cap;
}

/* Parses a patch text (h: its XXH3) as the render will first read it; kept for the render by
 * its bytes. */
static void walk_text(kr_prefetch *p, const char *text, size_t len, uint64_t h,
                      kr_pf_reading reading)
{
    char key[64];
    pf_entry *e = text_key(key, sizeof key, reading, h, len) ? claim(p, key) : NULL;
    if (!e)
        return;
    kr_pf_file f = {.len = len, .hash = h};
    kr_err err = {0};
    if (reading == KR_PF_TEXT_STREAM) {
        f.stream = true;
        f.parsed = kr_parse_stream_top(p->texts, "", text, len, &f.docs, &f.ndocs, &f.top,
                                       &err) == 0;
    } else {
        f.parsed = kr_parse_document(p->texts, "", text, len,
                                     reading == KR_PF_TEXT_DOC12 ? KR_YAML_12 : KR_YAML_11,
                                     &f.kdoc, &err) == 0;
    }
    kr_err_clear(&err);
    publish(p, e, f.parsed && attach(p, e, &f), false);
}

kr_pf_reading kr_prefetch_jp_reading(const char *text, size_t len)
{
    return kr_jp_mode(text, len) == KR_YAML_12 ? KR_PF_TEXT_DOC12 : KR_PF_TEXT_DOC11;
}

/* How xf_patch.c's parse_both first reads a `patches` text: one that reads as a list first as
 * a JSON patch, anything else as strategic-merge documents. */
static kr_pf_reading patch_reading(const char *text, size_t len)
{
    return kr_patch_looks_like_list(text, len) ? kr_prefetch_jp_reading(text, len)
                                               : KR_PF_TEXT_STREAM;
}

/* A patch file's text (kept apart from the file: the render asks for it by its bytes). */
static void parse_patch_file(kr_prefetch *p, const char *path, kr_pf_file *f)
{
    (void)path;
    walk_text(p, f->data, f->len, f->hash, patch_reading(f->data, f->len));
}

/* A patch file an entry names (below its kustomization under LoadRestrictionsRootOnly, as the
 * render reads it): its bytes for the render, and its parse. */
static void walk_patch_file(kr_prefetch *p, const char *dir, const kr_node *path)
{
    char abs[PF_PATH_MAX];
    if (kr_kfiles_path(dir, path, 0, abs, sizeof abs) && may_read(p, abs, dir))
        read_for_render(p, abs, parse_patch_file);
}

/* The texts of kustomization k's `patches` (inline ones trimmed, or their files), parsed the
 * way the patch step first reads them (xf_patch.c, whose parse of a text seen once is used
 * within its entry alone: the other patch fields keep what they parse, and parse it
 * themselves). */
static void walk_patches(kr_prefetch *p, const char *dir, const kr_node *k)
{
    const kr_node *l = kr_map_get(k, "patches");
    for (uint32_t i = 0; kr_is_seq(l) && i < l->len; i++) {
        const kr_node *inl = kr_map_get(l->u.items[i], "patch");
        if (kr_is_scalar(inl) && inl->len) {
            size_t n = inl->len;
            const char *t = kr_patch_trim(inl->u.text, &n);
            if (n)
                walk_text(p, t, n, XXH3_64bits(t, n), patch_reading(t, n));
        } else {
            walk_patch_file(p, dir, kr_map_get(l->u.items[i], "path"));
        }
    }
}

static const kr_node *level_doc(const kr_prefetch *p, const char *dir);

/* A kustomization directory: its kustomization file, then what it includes. */
static void walk_dir(kr_prefetch *p, const char *dir, int depth)
{
    if (depth > PF_MAX_DEPTH || !first_visit(p, dir))
        return;
    const kr_node *k = level_doc(p, dir); /* read already, and its files hinted if need be */
    if (!k) {
        bool cold;
        if (!(k = read_kustomization(p, dir, &cold)))
            return;
        if (p->cold.cold) /* its files, and those the render reads itself */
            kr_cold_hint_kustomization(p->r, dir, k, NULL, NULL);
    }
    /* in the render's order (pipeline.md §3) */
    walk_list(p, dir, kr_map_get(k, "resources"), true, depth);
    walk_list(p, dir, kr_map_get(k, "bases"), true, depth);
    walk_list(p, dir, kr_map_get(k, "components"), false, depth);
    if (!stopping(p, depth))
        walk_patches(p, dir, k);
    /* (the patches' bytes alone, with the generators' sources, were measured no faster in
     * earlier sessions; parsing the patches here moved 10 ms of a large aggregate's parse off
     * the render. The generators' sources read here were measured again, November 28: 1.026
     * wall, 1.038 CPU, 2.4 MiB more at the peak: the thread has no time to spare) */
}

/* ---- a tree that is not cached: its kustomizations first, level by level ---- */

/* When the render met files that were not cached before the thread started, the tree probably
 * is not (a fresh checkout; on the project's VM, pages DAMON wrote out). Walking it depth first,
 * the thread would wait for the disk at each kustomization, whose files it hints only as it
 * enters it; and reads that trickle out one by one cost the VM far more than a burst does (a
 * large aggregate's 9,400 files: 1.45 s read one by one, 0.17 s hinted all at once first).
 * So the thread takes the root's entries a window at a time. The kustomizations a window
 * includes are read level by level: a level's kustomization files were hinted together while
 * the level above was read, and each that was not cached has its own files hinted at once
 * (the root's entries always). Then the window before it is walked depth first as usual, with
 * those documents at hand, while the reads of the current window are under way. */

/* The fields that name other kustomizations (and resource files), in the render's order. */
static const char *const lists[] = {"resources", "bases", "components"};

typedef struct pf_level_dir {
    const char *dir;     /* clean absolute */
    const kr_node *kdoc; /* its kustomization, NULL when none was read */
    int depth;
    bool cold;           /* its kustomization file was not cached when hinted */
} pf_level_dir;

struct pf_level {
    key_table dirs;
    pf_level_dir **queue; /* in the order met: dirs.count of them */
    size_t qcap;
};

static const kr_node *level_doc(const kr_prefetch *p, const char *dir)
{
    const pf_level_dir *d = p->seen ? kt_find(&p->seen->dirs, dir) : NULL;
    return d ? d->kdoc : NULL;
}

/* dir's entry, queued (a copy of dir) unless it was already; NULL when out of memory. */
static pf_level_dir *level_add(kr_prefetch *p, const char *dir, int depth)
{
    struct pf_level *l = p->seen;
    pf_level_dir *d = kt_find(&l->dirs, dir);
    if (d)
        return d;
    if (!kt_room(&l->dirs))
        return NULL;
    if (l->dirs.count == l->qcap) {
        size_t qcap = l->qcap * 2;
        pf_level_dir **q = realloc(l->queue, qcap * sizeof *q);
        if (!q)
            return NULL;
        l->queue = q;
        l->qcap = qcap;
    }
    d = kr_arena_zalloc(p->mem, sizeof *d);
    if (!d || !(d->dir = kr_arena_strdup(p->mem, dir)))
        return NULL;
    d->depth = depth;
    l->queue[l->dirs.count] = d;
    kt_put(&l->dirs, d);
    return d;
}

/* Where the directories a kustomization names are queued: at `depth`, as not cached when
 * `cold`; ok turns false when out of memory. */
typedef struct level_at {
    kr_prefetch *p;
    int depth;
    bool cold;
    bool ok;
} level_at;

static void queue_dir(level_at *q, const char *dir, bool cold)
{
    pf_level_dir *d = level_add(q->p, dir, q->depth);
    if (d)
        d->cold |= cold;
    else
        q->ok = false;
}

/* A kustomization directory among an entry's (kfiles.h); files are the depth-first walk's. */
static void level_found(void *ctx, char *path, kr_kfile_kind kind, size_t dir_len)
{
    level_at *q = ctx;
    if (kind != KR_KF_KUSTOMIZATION)
        return;
    path[dir_len] = '\0';
    queue_dir(q, path, q->cold);
}

/* A directory whose kustomization.yaml was not cached when hinted (coldread.h). */
static void mark_cold(void *ctx, const char *dir)
{
    queue_dir(ctx, dir, true);
}

/* Reads the queued kustomizations from queue index `from` on, and those they include, level by
 * level; false when out of memory. */
static bool level_run(kr_prefetch *p, size_t from)
{
    struct pf_level *l = p->seen;
    for (size_t i = from; i < l->dirs.count && !stopping(p, 0); i++) {
        pf_level_dir *d = l->queue[i];
        bool cold;
        if (!(d->kdoc = read_kustomization(p, d->dir, &cold)))
            continue;
        level_at q = {p, d->depth + 1, false, true};
        if (cold || d->cold)
            kr_cold_hint_kustomization(p->r, d->dir, d->kdoc, mark_cold, &q);
        if (d->depth < PF_MAX_DEPTH)
            kr_kfiles_each(d->dir, d->kdoc, true, false, level_found, &q);
        if (!q.ok)
            return false;
    }
    return true;
}

/* The root's entries are taken in windows of this many: the kustomizations a window includes
 * are read level by level, then the window before it is walked depth first (its resource files
 * read and parsed) while the reads the levels hinted are under way. */
#define PF_WINDOW 64

typedef struct root_entry {
    const kr_node *it;
    bool resources;
} root_entry;

static void walk_levels(kr_prefetch *p)
{
    struct pf_level *l = calloc(1, sizeof *l);
    if (!l)
        return;
    l->qcap = 256;
    bool ok = kt_init(&l->dirs, 2 * l->qcap);
    l->queue = malloc(l->qcap * sizeof *l->queue);
    p->seen = l;
    const char *root = p->r->root_real;
    pf_level_dir *top = ok && l->queue ? level_add(p, root, 0) : NULL;
    bool cold;
    const kr_node *k = top ? (top->kdoc = read_kustomization(p, root, &cold)) : NULL;
    if (!k)
        return;
    /* its entries count as not cached: the render may have hinted them already (it had no
     * thread then), which hides whether they were */
    kr_cold_hint_kustomization(p->r, root, k, NULL, NULL);
    /* the root's entries, across its three lists */
    size_t n = 0;
    for (size_t f = 0; f < 3; f++) {
        const kr_node *list = kr_map_get(k, lists[f]);
        n += kr_is_seq(list) ? list->len : 0;
    }
    root_entry *e = malloc((n ? n : 1) * sizeof *e);
    if (!e)
        return;
    n = 0;
    for (size_t f = 0; f < 3; f++) {
        const kr_node *list = kr_map_get(k, lists[f]);
        for (uint32_t j = 0; kr_is_seq(list) && j < list->len; j++)
            e[n++] = (root_entry){list->u.items[j], f < 2};
    }
    for (size_t w = 0; ok && w < n && !stopping(p, 0); w += PF_WINDOW) {
        size_t end = w + PF_WINDOW < n ? w + PF_WINDOW : n, from = l->dirs.count;
        level_at q = {p, 1, true, true};
        for (size_t j = w; q.ok && j < end; j++)
            kr_kfiles_entry(root, e[j].it, e[j].resources, level_found, &q);
        ok = q.ok;
        ok = ok && level_run(p, from);
        for (size_t j = w >= PF_WINDOW ? w - PF_WINDOW : w; ok && j < w; j++) { /* the last */
            walk_entry(p, root, e[j].it, e[j].resources, 0);
            if (overtaken(p))
                j++;
        }
    }
    free(e); /* (the last window is walked by walk_dir of the root, which follows) */
}

static void level_free(kr_prefetch *p)
{
    if (!p->seen)
        return;
    kt_free(&p->seen->dirs);
    free(p->seen->queue);
    free(p->seen);
    p->seen = NULL;
}

static void *run(void *arg)
{
    kr_prefetch *p = arg;
    if (p->levels)
        walk_levels(p);
    walk_dir(p, p->r->root_real, 0);
    level_free(p);
    return NULL;
}

/* ---- the render's side ---- */

void kr_prefetch_start(kr_render *r)
{
    /* a caller fs is only called on the render's thread; a unit test's bare render (no
     * context) keeps nothing */
    if (!r->read_ahead || r->prefetch || r->opts.threads < 2 || r->opts.fs || !r->cache ||
        !r->root_real || !kr_fs_clean_abs(r->root_real))
        return;
    kr_prefetch *p = calloc(1, sizeof *p);
    if (!p)
        return;
    p->r = r;
    kt_init(&p->table, 1024);
    p->tab = kr_arena_new();
    p->mem = kr_arena_new_huge(); /* the parses of the resource files: megabytes, faulted in
                                   * 2 MiB at a time (1,300 faults fewer on the large aggregate) */
    p->keep = kr_arena_new();
    p->texts = kr_arena_new();
    p->lend = r->serial == 1;
    p->levels = r->cold.uncached > 0;
    bool ok = p->table.slots && p->tab && p->mem && p->keep && p->texts &&
              pthread_mutex_init(&p->lock, NULL) == 0;
    if (ok && pthread_cond_init(&p->changed, NULL) != 0) {
        pthread_mutex_destroy(&p->lock);
        ok = false;
    }
    if (ok && kr_thread_create(&p->thread, run, p) != 0) {
        pthread_cond_destroy(&p->changed);
        pthread_mutex_destroy(&p->lock);
        ok = false;
    }
    if (!ok) {
        kt_free(&p->table);
        kr_arena_free(p->tab);
        kr_arena_free(p->mem);
        kr_arena_free(p->keep);
        kr_arena_free(p->texts);
        free(p);
        return;
    }
    p->running = true;
    r->prefetch = p;
}

const kr_pf_file *kr_prefetch_parse_of(kr_render *r, const char *path, uint64_t hash,
                                       size_t len, bool stream)
{
    const kr_pf_file *pf = r->prefetch ? kr_prefetch_get(r, path, NULL) : NULL;
    return pf && pf->parsed && pf->stream == stream && pf->hash == hash && pf->len == len ? pf
                                                                                          : NULL;
}

char *kr_prefetch_take_bytes(kr_render *r, const kr_pf_file *pf)
{
    (void)r; /* a published entry is the render's alone: the thread no longer touches it */
    kr_pf_file *f = (kr_pf_file *)pf;
    char *data = (char *)f->data;
    f->data = NULL;
    return data;
}

/* Frees the bytes the loader did not take; with the lock held or the thread joined. */
static void free_untaken(kr_prefetch *p)
{
    for (size_t i = 0; i < p->table.cap; i++) {
        pf_entry *e = p->table.slots[i];
        if (e && e->file) {
            free((char *)e->file->data);
            e->file->data = NULL;
        }
    }
}

const kr_pf_file *kr_prefetch_text(kr_render *r, kr_pf_reading reading, const char *text,
                                   size_t len)
{
    char key[64];
    if (!r->prefetch || !text_key(key, sizeof key, reading, XXH3_64bits(text, len), len))
        return NULL;
    const kr_pf_file *pf = kr_prefetch_get(r, key, NULL);
    return pf && pf->parsed ? pf : NULL;
}

bool kr_prefetch_lends(const kr_render *r)
{
    return r->prefetch && r->prefetch->lend;
}

const kr_pf_file *kr_prefetch_get(kr_render *r, const char *real, int *missing)
{
    kr_prefetch *p = r->prefetch;
    if (missing)
        *missing = 0;
    if (!p)
        return NULL;
    pthread_mutex_lock(&p->lock);
    if (!p->table.slots) { /* stopped: the table is gone */
        pthread_mutex_unlock(&p->lock);
        return NULL;
    }
    pf_entry *e = find(p, real);
    if (!e && !p->stop) /* the thread has not got there: the render reads it, the thread not */
        insert(p, p->tab, real, PF_NONE);
    if (e && e->state == PF_WORKING)
        p->overtaken = true;
    while (e && e->state == PF_WORKING)
        pthread_cond_wait(&p->changed, &p->lock);
    const kr_pf_file *f = e && e->state == PF_READY ? e->file : NULL;
    if (missing && e && e->state == PF_MISSING)
        *missing = e->err;
    pthread_mutex_unlock(&p->lock);
    return f;
}

void kr_prefetch_stop(kr_render *r)
{
    kr_prefetch *p = r->prefetch;
    if (!p || !p->running)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    p->running = false;
    /* the render reads no more files: the table, its paths and the bytes not taken go (the
     * documents the render took stay in `mem`) */
    free_untaken(p);
    kt_free(&p->table);
    kr_arena_free(p->tab);
    p->tab = NULL;
    kr_arena_free(p->texts); /* the render asks for no more patch texts */
    p->texts = NULL;
    if (p->lend) { /* the cache holds pointers into it now */
        kr_cache_adopt(r->cache, p->keep);
        p->keep = NULL;
    }
}

void kr_prefetch_free(kr_render *r)
{
    kr_prefetch *p = r->prefetch;
    if (!p)
        return;
    kr_prefetch_stop(r);
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
    free_untaken(p);
    kt_free(&p->table);
    kr_arena_free(p->tab);
    kr_arena_free(p->mem);
    kr_arena_free(p->keep);
    kr_arena_free(p->texts);
    free(p);
    r->prefetch = NULL;
}
