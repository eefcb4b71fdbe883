#include "loader.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <xxhash.h>

#include "parse.h"
#include "path.h"

typedef struct entry {
    kr_file file;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    struct entry *next; /* hash chain */
} entry;

struct kr_cache {
    kr_arena *arena;
    entry **buckets;
    size_t nbuckets, count;
};

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

void kr_cache_free(kr_cache *c)
{
    if (!c)
        return;
    kr_arena_free(c->arena);
    free(c->buckets);
    free(c);
}

static int grow_buckets(kr_cache *c)
{
    size_t n = c->nbuckets * 2;
    entry **b = calloc(n, sizeof *b);
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

static int read_all(kr_render *r, int fd, const char *path, size_t size, char **data,
                    size_t *len)
{
    char *buf = kr_arena_alloc(r->cache->arena, size + 1);
    if (!buf)
        return kr_err_nomem(r->err);
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return kr_err_set(r->err, KRENDER_E_IO, path, 0, 0, "read %s: %s", path, strerror(errno));
        if (n == 0)
            break; /* shrank while reading: take what is there */
        got += (size_t)n;
    }
    buf[got] = '\0';
    *data = buf;
    *len = got;
    return 0;
}

static bool same_stat(const entry *e, const struct stat *st)
{
    return e->dev == st->st_dev && e->ino == st->st_ino && e->size == st->st_size &&
           e->mtime.tv_sec == st->st_mtim.tv_sec && e->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* Every file a render reads is listed once in its result (what the render depends on). */
static int record_read(kr_render *r, kr_file *f)
{
    if (f->read_by == r->serial)
        return 0;
    f->read_by = r->serial;
    if (!kr_buf_append(&r->files, f->path, strlen(f->path) + 1))
        return kr_err_nomem(r->err);
    r->nfiles++;
    return 0;
}

/* O_NONBLOCK: opening a FIFO planted in a repository must not hang the render (it is then
 * refused as not a regular file); it changes nothing for reading regular files. */
#define KR_OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

/* openat2(2) beneath the jail: the kernel refuses any resolution (`..`, a symlink, even one
 * swapped in after our checks) that leaves it, so the realpath checks done before are not a
 * time-of-check/time-of-use hole. Returns -1 with errno ENOSYS where the kernel (or a seccomp
 * filter) lacks openat2. */
static int open_beneath(int dirfd, const char *rel)
{
#ifdef SYS_openat2
    struct open_how how = {.flags = KR_OPEN_FLAGS,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
    long fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof how);
    if (fd < 0 && errno == EPERM) /* seccomp filters often answer EPERM for unknown calls */
        errno = ENOSYS;
    return (int)fd;
#else
    (void)dirfd, (void)rel;
    errno = ENOSYS;
    return -1;
#endif
}

/* Opens a file of the render: inside the jail when there is one, whatever its links say. */
static int open_jailed(kr_render *r, const char *path)
{
    if (!r->opts.jail_root)
        return open(path, KR_OPEN_FLAGS);
    /* an absolute link inside the jail (which RESOLVE_BENEATH refuses) or a link leaving it:
     * resolve it ourselves; what openat2 then opens has no link left to follow */
    const char *real = kr_real_path(r, path);
    if (!real)
        return -1;
    if (kr_check_jail(r, real, path, 0, 0) != 0) {
        errno = EXDEV;
        return -2;
    }
    const char *rel = real + strlen(r->opts.jail_root);
    while (*rel == '/')
        rel++;
    int fd = open_beneath(r->jail_fd, *rel ? rel : ".");
    if (fd < 0 && errno == ENOSYS) /* no openat2: the realpath check above is what we have */
        fd = open(real, KR_OPEN_FLAGS);
    return fd;
}

int kr_load_file(kr_render *r, const char *real, kr_file **out)
{
    kr_cache *c = r->cache;
    int fd = open_jailed(r, real);
    if (fd == -2) /* the jail's error is set */
        return KRENDER_E_SECURITY;
    if (fd < 0 && errno == EXDEV)
        return kr_err_set(r->err, KRENDER_E_SECURITY, real, 0, 0,
                          "security; '%s' resolves outside the repository root '%s'", real,
                          r->opts.jail_root);
    if (fd < 0)
        return kr_err_set(r->err, errno == ENOENT ? KRENDER_E_NOT_FOUND : KRENDER_E_IO, real, 0, 0,
                          "open %s: %s", real, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return kr_err_set(r->err, KRENDER_E_IO, real, 0, 0, "'%s' must resolve to a file", real);
    }
    if (r->opts.max_file_bytes && (uint64_t)st.st_size > r->opts.max_file_bytes) {
        close(fd);
        return kr_err_set(r->err, KRENDER_E_LIMIT, real, 0, 0,
                          "%lld bytes: larger than the limit of %zu bytes (max_file_bytes)",
                          (long long)st.st_size, r->opts.max_file_bytes);
    }
    size_t slot = (size_t)XXH3_64bits(real, strlen(real)) & (c->nbuckets - 1);
    entry *e = c->buckets[slot];
    while (e && strcmp(e->file.path, real) != 0)
        e = e->next;
    if (e && same_stat(e, &st)) {
        close(fd);
        *out = &e->file;
        return record_read(r, &e->file);
    }
    char *data = NULL;
    size_t len = 0;
    int rc = read_all(r, fd, real, (size_t)st.st_size, &data, &len);
    close(fd);
    if (rc)
        return rc;
    uint64_t h = XXH3_64bits(data, len);
    if (!e) {
        e = kr_arena_zalloc(c->arena, sizeof *e);
        if (!e || !(e->file.path = kr_arena_strdup(c->arena, real)))
            return kr_err_nomem(r->err);
        e->next = c->buckets[slot];
        c->buckets[slot] = e;
        if (++c->count > c->nbuckets && grow_buckets(c) != 0)
            return kr_err_nomem(r->err);
    } else if (e->file.hash != h) {
        e->file.docs_ready = e->file.kdoc_ready = false; /* content changed: parse again */
        e->file.uses = 0;
    }
    e->file.data = data;
    e->file.len = len;
    e->file.hash = h;
    e->dev = st.st_dev;
    e->ino = st.st_ino;
    e->size = st.st_size;
    e->mtime = st.st_mtim;
    *out = &e->file;
    return record_read(r, &e->file);
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
        char *p = kr_arena_printf(r->arena, "%s/%s", dir, kustomization_names[i]);
        struct stat st;
        if (!p)
            return kr_err_nomem(r->err);
        if (stat(p, &st) != 0)
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

int kr_check_jail(kr_render *r, const char *real, const char *file, unsigned line, unsigned col)
{
    const char *jail = r->opts.jail_root;
    if (!jail || kr_path_within(real, jail))
        return 0;
    return kr_err_set(r->err, KRENDER_E_SECURITY, file, line, col,
                      "security; '%s' is outside the repository root '%s'", real, jail);
}

/* ---- symlink resolution with a per-render cache of directories ----
 * glibc's realpath() readlinks every component of every path; a tree of thousands of files
 * under a few hundred directories would pay that again and again. A directory's resolution is
 * cached for the render (not longer: links may change between renders); a file's is its
 * directory's plus its name unless the file itself is a link. */

typedef struct real_entry {
    const char *abs, *real;
} real_entry;

struct kr_realcache {
    real_entry *slots;
    size_t cap, count;
};

static uint64_t path_hash(const char *s)
{
    return XXH3_64bits(s, strlen(s));
}

static const char *cache_get(const kr_realcache *c, const char *abs)
{
    if (!c || !c->cap)
        return NULL;
    for (size_t i = (size_t)path_hash(abs) & (c->cap - 1); c->slots[i].abs; i = (i + 1) & (c->cap - 1))
        if (strcmp(c->slots[i].abs, abs) == 0)
            return c->slots[i].real;
    return NULL;
}

static void cache_put(kr_render *r, const char *abs, const char *real)
{
    kr_realcache *c = r->realcache;
    if (!c) {
        if (!(c = r->realcache = kr_arena_zalloc(r->arena, sizeof *c)))
            return;
    }
    if ((c->count + 1) * 2 > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        real_entry *slots = kr_arena_zalloc(r->arena, cap * sizeof *slots);
        if (!slots)
            return; /* a cache miss later is only slower */
        for (size_t i = 0; i < c->cap; i++) {
            if (!c->slots[i].abs)
                continue;
            size_t j = (size_t)path_hash(c->slots[i].abs) & (cap - 1);
            while (slots[j].abs)
                j = (j + 1) & (cap - 1);
            slots[j] = c->slots[i];
        }
        c->slots = slots;
        c->cap = cap;
    }
    size_t i = (size_t)path_hash(abs) & (c->cap - 1);
    while (c->slots[i].abs)
        i = (i + 1) & (c->cap - 1);
    c->slots[i] = (real_entry){kr_arena_strdup(r->arena, abs), real};
    if (c->slots[i].abs)
        c->count++;
}

static char *real_dir(kr_render *r, const char *abs)
{
    const char *hit = cache_get(r->realcache, abs);
    if (hit)
        return (char *)hit;
    char *real = kr_path_real(r->arena, abs);
    if (real)
        cache_put(r, abs, real);
    return real;
}

char *kr_real_path(kr_render *r, const char *abs)
{
    struct stat st;
    return kr_real_path_stat(r, abs, &st);
}

char *kr_real_path_stat(kr_render *r, const char *abs, struct stat *st_out)
{
    struct stat st;
    if (abs[0] != '/' || lstat(abs, &st) != 0)
        return stat(abs, st_out) == 0 ? kr_path_real(r->arena, abs) : NULL; /* errno set */
    if (S_ISLNK(st.st_mode)) /* the target's type, and a full resolution */
        return stat(abs, st_out) == 0 ? kr_path_real(r->arena, abs) : NULL;
    *st_out = st;
    if (S_ISDIR(st.st_mode))
        return real_dir(r, abs);
    const char *slash = strrchr(abs, '/');
    char *dir = slash == abs ? kr_arena_strdup(r->arena, "/")
                             : kr_arena_strndup(r->arena, abs, (size_t)(slash - abs));
    char *rdir = dir ? real_dir(r, dir) : NULL;
    if (!rdir)
        return NULL;
    return kr_arena_printf(r->arena, "%s%s%s", rdir, strcmp(rdir, "/") ? "/" : "", slash + 1);
}
