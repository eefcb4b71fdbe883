#include "fs.h"

#include "subbuild.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <xxhash.h>

#include "path.h"
#include "prefetch.h"
#include "table_alloc.h"

/* O_NONBLOCK: opening a FIFO planted in a repository must not hang the render (it is then
 * refused as not a regular file); it changes nothing for reading regular files. */
#define KR_OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

/* ---- per-render memory: path -> what it names ---- */

typedef struct node_info {
    const char *key;  /* the path asked about */
    const char *real; /* its symlink-free form; NULL when err */
    int kind;         /* enum kr_fs_kind */
    int err;          /* errno value, 0 = exists */
} node_info;

typedef struct nodemap {
    node_info *slots; /* malloc'd when heap (the render's own map, given back when its reading
                       * is over: kr_fs_drop_index), else in the arena of its entries */
    size_t cap, count;
    bool heap;
} nodemap;

/* The state of a render's file access, in its arena (render.h's `realcache` slot). */
struct kr_realcache {
    nodemap nodes; /* every path resolved in this render (of a context: serial > 0; the bare
                    * renders of unit tests, which change files between calls, keep nothing) */
    nodemap dirs;  /* slow path: directories resolved with realpath(3) */
    /* the descriptor opened while resolving a regular file, for the kr_fs_open that follows */
    int held_fd;
    const char *held_path;
    struct stat held_st;
    bool no_openat2; /* the kernel (or a seccomp filter) refuses openat2 */
};

static size_t slot_of(const char *key, size_t cap)
{
    return (size_t)XXH3_64bits(key, strlen(key)) & (cap - 1);
}

static const node_info *map_get(const nodemap *m, const char *key)
{
    if (!m->cap)
        return NULL;
    for (size_t i = slot_of(key, m->cap); m->slots[i].key; i = (i + 1) & (m->cap - 1))
        if (strcmp(m->slots[i].key, key) == 0)
            return &m->slots[i];
    return NULL;
}

/* Remembers key -> info (key and real copied). A failed allocation only costs a later cache
 * miss. Returns the copy of key, or NULL. */
static const char *map_put(kr_arena *a, nodemap *m, const char *key, const char *real, int kind,
                           int err)
{
    if ((m->count + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        node_info *slots = m->heap ? kr_table_alloc(cap, sizeof *slots)
                                   : kr_arena_zalloc(a, cap * sizeof *slots);
        if (!slots)
            return NULL;
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->slots[i].key)
                continue;
            size_t j = slot_of(m->slots[i].key, cap);
            while (slots[j].key)
                j = (j + 1) & (cap - 1);
            slots[j] = m->slots[i];
        }
        if (m->heap)
            free(m->slots);
        m->slots = slots;
        m->cap = cap;
    }
    const char *k = kr_arena_strdup(a, key);
    if (!k)
        return NULL;
    if (real && (real == key || strcmp(real, key) == 0))
        real = k;
    else if (real && !(real = kr_arena_strdup(a, real)))
        return NULL;
    size_t i = slot_of(key, m->cap);
    while (m->slots[i].key)
        i = (i + 1) & (m->cap - 1);
    m->slots[i] = (node_info){k, real, kind, err};
    m->count++;
    return k;
}

/* One view of the file system for several renders (krender_build_many): what a path names is
 * asked once for all of them, on whichever of the call's threads. An entry never changes once
 * added (a grown table leaves the old one in the arena), so a pointer to one stays good after
 * the lock is let go. */
struct kr_fsview {
    pthread_mutex_t lock; /* guards arena and nodes */
    kr_arena *arena;
    nodemap nodes;
};

kr_fsview *kr_fsview_new(void)
{
    kr_fsview *v = calloc(1, sizeof *v);
    if (v && !(v->arena = kr_arena_new())) {
        free(v);
        return NULL;
    }
    if (v)
        pthread_mutex_init(&v->lock, NULL);
    return v;
}

void kr_fsview_free(kr_fsview *v)
{
    if (v) {
        pthread_mutex_destroy(&v->lock);
        kr_arena_free(v->arena);
        free(v);
    }
}

/* What this render (or the view it is part of) already knows of path `key`. */
static const node_info *known(const kr_render *r, const kr_realcache *s, const char *key)
{
    const node_info *hit = map_get(&s->nodes, key);
    if (hit || !r->fsview)
        return hit;
    pthread_mutex_lock(&r->fsview->lock);
    hit = map_get(&r->fsview->nodes, key);
    pthread_mutex_unlock(&r->fsview->lock);
    return hit;
}

static void drop_held(kr_realcache *s);

static void remember(kr_render *r, kr_realcache *s, const char *key, const char *real, int kind,
                     int err)
{
    const char *copy = NULL;
    if (r->fsview) { /* kept for the whole view */
        pthread_mutex_lock(&r->fsview->lock);
        copy = map_put(r->fsview->arena, &r->fsview->nodes, key, real, kind, err);
        pthread_mutex_unlock(&r->fsview->lock);
    } else if (r->serial) {
        /* the answer outlives the caller's strings: real is kept as well (the key's copy when
         * they are the same path) */
        copy = map_put(kr_render_life(r), &s->nodes, key, real, kind, err);
    }
    if (s->held_fd >= 0 && s->held_path == key) { /* disk_probe borrowed the caller's string */
        s->held_path = copy ? copy : kr_arena_strdup(kr_render_life(r), key);
        if (!s->held_path)
            drop_held(s);
    }
}

static kr_realcache *state(kr_render *r)
{
    if (!r->realcache &&
        (r->realcache = kr_arena_zalloc(kr_render_life(r), sizeof *r->realcache))) {
        r->realcache->held_fd = -1;
        r->realcache->nodes.heap = true;
    }
    return r->realcache;
}

static void drop_held(kr_realcache *s)
{
    if (s && s->held_fd >= 0) {
        close(s->held_fd);
        s->held_fd = -1;
        s->held_path = NULL;
    }
}

void kr_fs_drop_index(kr_render *r)
{
    kr_realcache *s = r->realcache;
    if (s) {
        free(s->nodes.slots);
        s->nodes = (nodemap){.heap = true};
    }
}

void kr_fs_end(kr_render *r)
{
    drop_held(r->realcache);
    kr_fs_drop_index(r);
}

/* The descriptor kept for `path` by kr_fs_resolve, now the caller's; -1 if none. */
static int take_held(kr_render *r, const char *path, struct stat *st)
{
    kr_realcache *s = r->realcache;
    if (!s || s->held_fd < 0 || strcmp(s->held_path, path) != 0)
        return -1;
    int fd = s->held_fd;
    *st = s->held_st;
    s->held_fd = -1;
    s->held_path = NULL;
    return fd;
}

static int kind_of_mode(mode_t m)
{
    return S_ISREG(m) ? KR_FS_FILE : S_ISDIR(m) ? KR_FS_DIR : KR_FS_OTHER;
}

/* ---- the caller's file system ---- */

static char *fs_abs(kr_render *r, const char *path)
{
    return path[0] == '/' ? kr_path_clean(r->arena, path) : kr_path_join(r->arena, "/", path);
}

static int fs_resolve(kr_render *r, const char *path, char **real, int *kind)
{
    kr_realcache *s = state(r);
    char *abs = fs_abs(r, path);
    if (!s || !abs)
        return ENOMEM;
    const node_info *hit = known(r, s, abs);
    int k, err;
    if (hit) {
        k = hit->kind;
        err = hit->err;
    } else {
        const krender_fs *fs = r->opts.fs;
        k = fs->kind ? fs->kind(fs->userdata, abs) : KRENDER_FS_MISSING;
        k = k == KRENDER_FS_FILE ? KR_FS_FILE : k == KRENDER_FS_DIR ? KR_FS_DIR : KR_FS_MISSING;
        err = k == KR_FS_MISSING ? ENOENT : 0;
        remember(r, s, abs, err ? NULL : abs, k, err);
    }
    *kind = k;
    *real = err ? NULL : abs;
    return err;
}

/* ---- the disk ---- */

static char *disk_realpath(kr_arena *a, const char *p)
{
    char *r = realpath(p, NULL);
    if (!r)
        return NULL;
    char *out = kr_arena_strdup(a, r);
    free(r);
    if (!out)
        errno = ENOMEM;
    return out;
}

/* openat2(2): `how` resolved at `abs`, beneath the jail's descriptor when there is one (the
 * kernel then refuses anything that leaves it, even a link swapped in after our checks).
 * -1 with errno ENOSYS where the kernel (or a seccomp filter) lacks openat2. */
static int openat2_at(kr_render *r, const char *abs, unsigned long long resolve)
{
#ifdef SYS_openat2
    int dirfd = AT_FDCWD;
    const char *p = abs;
    if (r->opts.jail_root) {
        if (!kr_path_within(abs, r->opts.jail_root)) {
            errno = EXDEV;
            return -1;
        }
        p = abs + strlen(r->opts.jail_root);
        while (*p == '/')
            p++;
        if (!*p)
            p = ".";
        dirfd = r->jail_fd;
        resolve |= RESOLVE_BENEATH;
    }
    struct open_how how = {.flags = KR_OPEN_FLAGS, .resolve = resolve | RESOLVE_NO_MAGICLINKS};
    long fd = syscall(SYS_openat2, dirfd, p, &how, sizeof how);
    if (fd < 0 && errno == EPERM) /* seccomp filters often answer EPERM for unknown calls */
        errno = ENOSYS;
    return (int)fd;
#else
    (void)r, (void)abs, (void)resolve;
    errno = ENOSYS;
    return -1;
#endif
}

/* The symlink-free form of directory `abs` (realpath(3), once per render). */
static char *real_dir(kr_render *r, kr_realcache *s, const char *abs)
{
    const node_info *hit = map_get(&s->dirs, abs);
    if (hit)
        return (char *)hit->real;
    char *real = disk_realpath(r->arena, abs);
    if (real)
        map_put(kr_render_life(r), &s->dirs, abs, real, KR_FS_DIR, 0);
    return real;
}

/* Links on the way (or no openat2): lstat, then realpath where needed. */
static int disk_resolve_slow(kr_render *r, kr_realcache *s, const char *abs, char **real,
                             int *kind)
{
    struct stat st;
    if (abs[0] != '/' || lstat(abs, &st) != 0 || S_ISLNK(st.st_mode)) {
        /* the target's type, and a full resolution */
        if (stat(abs, &st) != 0 || !(*real = disk_realpath(r->arena, abs)))
            return errno;
        *kind = kind_of_mode(st.st_mode);
        return 0;
    }
    *kind = kind_of_mode(st.st_mode);
    if (S_ISDIR(st.st_mode)) {
        *real = real_dir(r, s, abs);
        return *real ? 0 : errno;
    }
    /* a file: its directory's resolution plus its name */
    const char *slash = strrchr(abs, '/');
    char *dir = slash == abs ? kr_arena_strdup(r->arena, "/")
                             : kr_arena_strndup(r->arena, abs, (size_t)(slash - abs));
    char *rdir = dir ? real_dir(r, s, dir) : NULL;
    if (!rdir)
        return dir ? errno : ENOMEM;
    *real = kr_arena_concat3(r->arena, rdir, strcmp(rdir, "/") ? "/" : "", slash + 1);
    return *real ? 0 : ENOMEM;
}

/* One openat2 without following any link: when it succeeds, `abs` (clean, absolute) is its own
 * symlink-free form. A regular file's descriptor is kept for kr_fs_open. Returns 1 when it
 * decided (*err set: 0 or ENOENT/ENOTDIR), 0 when the slow path must decide. */
static int disk_probe(kr_render *r, kr_realcache *s, const char *abs, int *kind, int *err)
{
    if (s->no_openat2)
        return 0;
    int fd = openat2_at(r, abs, RESOLVE_NO_SYMLINKS);
    if (fd < 0) {
        if (errno == ENOSYS)
            s->no_openat2 = true;
        if (errno != ENOENT && errno != ENOTDIR)
            return 0; /* a link (ELOOP), outside the jail, no permission ...: the slow path */
        *kind = KR_FS_MISSING;
        *err = errno;
        return 1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return 0;
    }
    *kind = kind_of_mode(st.st_mode);
    *err = 0;
    if (S_ISREG(st.st_mode)) {
        drop_held(s);
        s->held_fd = fd;
        s->held_path = abs; /* borrowed until remember() keeps a copy */
        s->held_st = st;
    } else {
        close(fd);
    }
    return 1;
}

bool kr_fs_has_extension(const char *abs)
{
    const char *slash = strrchr(abs, '/');
    return strchr(slash ? slash + 1 : abs, '.') != NULL;
}

/* Absolute without "//", "." or ".." components nor a trailing "/" (then the path is its own
 * symlink-free form when no component is a link). */
bool kr_fs_clean_abs(const char *p)
{
    if (p[0] != '/')
        return false;
    if (!p[1])
        return true;
    for (const char *c = p; *c; c++) {
        if (*c != '/')
            continue;
        const char *n = c + 1;
        if (*n == '/' || *n == '\0' || (n[0] == '.' && (n[1] == '/' || !n[1])) ||
            (n[0] == '.' && n[1] == '.' && (n[2] == '/' || !n[2])))
            return false;
    }
    return true;
}

static int disk_resolve(kr_render *r, const char *abs, unsigned hints, char **real, int *kind)
{
    kr_realcache *s = state(r);
    if (!s)
        return ENOMEM;
    if (!kr_fs_clean_abs(abs)) { /* the build root as the caller gave it, unclean paths */
        *real = NULL;
        return disk_resolve_slow(r, s, abs, real, kind);
    }
    const node_info *hit = known(r, s, abs);
    if (hit) {
        *kind = hit->kind;
        *real = (char *)hit->real;
        return hit->err;
    }
    int k = KR_FS_MISSING, err = 0;
    char *rp = NULL;
    if ((hints & KR_FS_HINT_DIR) && !kr_fs_has_extension(abs) && strcmp(abs, "/") != 0) {
        /* probably a kustomization directory: opening its kustomization.yaml (kept for the
         * loader) tells that it is a directory, without opening the directory; a file read
         * ahead (opened without links, hence its own real path) tells it without a call */
        char *kpath = kr_arena_concat3(r->arena, abs, "/", "kustomization.yaml");
        int kk, kerr;
        if (kpath && r->prefetch && kr_prefetch_get(r, kpath, NULL)) {
            remember(r, s, kpath, kpath, KR_FS_FILE, 0);
            remember(r, s, abs, abs, KR_FS_DIR, 0);
            *kind = KR_FS_DIR;
            *real = (char *)abs;
            return 0;
        }
        if (kpath && disk_probe(r, s, kpath, &kk, &kerr) && !kerr) {
            remember(r, s, kpath, kpath, kk, 0);
            remember(r, s, abs, abs, KR_FS_DIR, 0);
            *kind = KR_FS_DIR;
            *real = (char *)abs;
            return 0;
        }
    }
    int missing = 0;
    bool ahead = r->prefetch && !(hints & KR_FS_HINT_NOT_AHEAD);
    if (ahead && kr_prefetch_get(r, abs, &missing))
        k = KR_FS_FILE, rp = (char *)abs;
    else if (missing)
        k = KR_FS_MISSING, err = missing;
    else if (disk_probe(r, s, abs, &k, &err))
        rp = err ? NULL : (char *)abs;
    else if ((err = disk_resolve_slow(r, s, abs, &rp, &k)) != 0)
        k = KR_FS_MISSING, rp = NULL;
    remember(r, s, abs, rp, k, err);
    *kind = k;
    *real = rp;
    return err;
}

int kr_fs_open_nolinks(const kr_render *r, const char *abs)
{
    return openat2_at((kr_render *)r, abs, RESOLVE_NO_SYMLINKS); /* only reads r */
}

/* ---- the layer ---- */

int kr_fs_resolve(kr_render *r, const char *path, unsigned hints, char **real, int *kind)
{
    *real = NULL;
    *kind = KR_FS_MISSING;
    int err = r->opts.fs ? fs_resolve(r, path, real, kind) : disk_resolve(r, path, hints, real, kind);
    if (err) {
        *real = NULL;
        *kind = KR_FS_MISSING;
    }
    kr_subbuild_note_resolve(r, path, hints, err, *real, *kind);
    return err;
}

char *kr_fs_real(kr_render *r, const char *path)
{
    if (r->opts.fs) {
        char *abs = fs_abs(r, path);
        if (!abs)
            errno = ENOMEM;
        return abs;
    }
    return disk_realpath(r->arena, path);
}

static int open_failed(kr_render *r, const char *path, int err)
{
    return kr_err_set(r->err, err == ENOENT ? KRENDER_E_NOT_FOUND : KRENDER_E_IO, path, 0, 0,
                      "open %s: %s", path, strerror(err));
}

static int outside_jail(kr_render *r, const char *path)
{
    return kr_err_set(r->err, KRENDER_E_SECURITY, path, 0, 0,
                      "security; '%s' resolves outside the repository root '%s'", path,
                      r->opts.jail_root);
}

static int not_a_file(kr_render *r, const char *path)
{
    return kr_err_set(r->err, KRENDER_E_IO, path, 0, 0, "'%s' must resolve to a file", path);
}

/* Opens a file of the render on the disk: inside the jail when there is one, whatever its
 * links say. -1 with errno; -2 with r->err set (the jail). */
static int disk_open(kr_render *r, const char *path, struct stat *st)
{
    int fd = take_held(r, path, st);
    if (fd >= 0)
        return fd;
    if (!r->opts.jail_root) {
        fd = open(path, KR_OPEN_FLAGS);
    } else {
        /* resolved without links beneath the jail (the descriptor is then kept), else: an
         * absolute link inside the jail (which RESOLVE_BENEATH refuses) or a link leaving it,
         * resolved here; what openat2 then opens has no link left to follow */
        char *real;
        int kind, err = kr_fs_resolve(r, path, 0, &real, &kind);
        if (err) {
            errno = err;
            return -1;
        }
        if ((fd = take_held(r, path, st)) >= 0)
            return fd;
        if (!kr_path_within(real, r->opts.jail_root)) {
            outside_jail(r, real);
            return -2;
        }
        fd = openat2_at(r, real, 0);
        if (fd < 0 && errno == ENOSYS) /* no openat2: the realpath check above is what we have */
            fd = open(real, KR_OPEN_FLAGS);
    }
    if (fd >= 0 && fstat(fd, st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int kr_fs_open(kr_render *r, const char *real, kr_fs_file *f)
{
    *f = (kr_fs_file){.path = real, .fd = -1};
    if (r->opts.fs) {
        const krender_fs *fs = r->opts.fs;
        char *abs;
        int kind, err;
        if (r->opts.jail_root && !kr_path_within(real, r->opts.jail_root))
            return outside_jail(r, real);
        if ((err = fs_resolve(r, real, &abs, &kind)) != 0)
            return open_failed(r, real, err);
        if (kind != KR_FS_FILE)
            return not_a_file(r, real);
        const char *data = NULL;
        size_t len = 0;
        if (!fs->read)
            return open_failed(r, real, ENOSYS);
        if ((err = fs->read(fs->userdata, abs, &data, &len)) != 0)
            return open_failed(r, real, err);
        if (!data && len) {
            if (fs->release)
                fs->release(fs->userdata, abs, data, len);
            return open_failed(r, real, EFAULT);
        }
        f->path = abs;
        f->data = data;
        f->size = len;
        f->held = true;
        return 0;
    }
    struct stat st;
    int fd = disk_open(r, real, &st);
    if (fd == -2)
        return r->err->code;
    if (fd < 0 && errno == EXDEV)
        return outside_jail(r, real);
    if (fd < 0)
        return open_failed(r, real, errno);
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return not_a_file(r, real);
    }
    f->fd = fd;
    f->size = (size_t)st.st_size;
    f->has_stamp = true;
    f->dev = (uint64_t)st.st_dev;
    f->ino = (uint64_t)st.st_ino;
    f->mtime_sec = (int64_t)st.st_mtim.tv_sec;
    f->mtime_nsec = (int64_t)st.st_mtim.tv_nsec;
    return 0;
}

int kr_fs_read(kr_render *r, kr_fs_file *f, char *buf, size_t cap, size_t *got)
{
    size_t n = 0;
    if (f->fd < 0) {
        size_t left = f->size - f->pos;
        n = cap < left ? cap : left;
        if (n)
            memcpy(buf, f->data + f->pos, n);
        f->pos += n;
        *got = n;
        return 0;
    }
    while (n < cap) {
        ssize_t k = n ? read(f->fd, buf + n, cap - n)
                      : kr_cold_first_read(&r->cold, f->fd, buf, cap); /* was it cached? */
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return kr_err_set(r->err, KRENDER_E_IO, f->path, 0, 0, "read %s: %s", f->path,
                              strerror(errno));
        if (k == 0)
            break;
        n += (size_t)k;
    }
    *got = n;
    return 0;
}

void kr_fs_close(kr_render *r, kr_fs_file *f)
{
    if (f->fd >= 0) {
        close(f->fd);
    } else if (f->held && r->opts.fs->release) {
        r->opts.fs->release(r->opts.fs->userdata, f->path, f->data, f->size);
    }
    f->fd = -1;
    f->data = NULL;
    f->held = false;
}
