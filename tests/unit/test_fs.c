/* The caller's file system (options v4, krender_fs): fixture trees served from memory under a
 * root that does not exist on disk render as their golden files, errors read as on disk, the
 * jail and the limits hold, `release` matches `read`, the context cache keeps the disk's files
 * and the caller's apart, and no file-system call is made (seccomp, x86-64). */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>

#include "krender.h"

#if defined(__x86_64__)
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#define VROOT "/virtual"

/* ---- an in-memory file system ---- */

typedef struct memfile {
    char *path;
    char *data;
    size_t len;
} memfile;

typedef struct memfs {
    memfile *files;
    size_t n, cap;
    size_t reads, releases, kinds;
    const char *fail_path; /* read of this path fails with fail_err */
    int fail_err;
    const char *watch; /* reads of this path are counted in watched */
    size_t watched;
    bool check_thread; /* count calls made on another thread than `owner` in foreign */
    pthread_t owner;
    size_t foreign;
} memfs;

static void mem_add(memfs *m, const char *path, const char *data, size_t len)
{
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->files[i].path, path) == 0) {
            free(m->files[i].data);
            m->files[i].data = malloc(len + 1);
            assert_non_null(m->files[i].data);
            memcpy(m->files[i].data, data, len);
            m->files[i].len = len;
            return;
        }
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->files = realloc(m->files, m->cap * sizeof *m->files);
        assert_non_null(m->files);
    }
    memfile *f = &m->files[m->n++];
    f->path = strdup(path);
    f->data = malloc(len + 1);
    assert_true(f->path && f->data);
    memcpy(f->data, data, len);
    f->len = len;
}

static void mem_add_str(memfs *m, const char *path, const char *text)
{
    mem_add(m, path, text, strlen(text));
}

static void mem_free(memfs *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->files[i].path);
        free(m->files[i].data);
    }
    free(m->files);
    memset(m, 0, sizeof *m);
}

static int mem_kind(void *u, const char *path)
{
    memfs *m = u;
    size_t n = strlen(path);
    m->kinds++;
    if (m->check_thread && !pthread_equal(pthread_self(), m->owner))
        m->foreign++;
    if (strcmp(path, "/") == 0)
        return KRENDER_FS_DIR;
    for (size_t i = 0; i < m->n; i++) {
        const char *p = m->files[i].path;
        if (strcmp(p, path) == 0)
            return KRENDER_FS_FILE;
        if (strncmp(p, path, n) == 0 && p[n] == '/')
            return KRENDER_FS_DIR;
    }
    return KRENDER_FS_MISSING;
}

static int mem_read(void *u, const char *path, const char **data, size_t *len)
{
    memfs *m = u;
    if (m->check_thread && !pthread_equal(pthread_self(), m->owner))
        m->foreign++;
    if (m->fail_path && strcmp(path, m->fail_path) == 0)
        return m->fail_err;
    if (m->watch && strcmp(path, m->watch) == 0)
        m->watched++;
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->files[i].path, path) == 0) {
            *data = m->files[i].data;
            *len = m->files[i].len;
            m->reads++;
            return 0;
        }
    }
    return ENOENT;
}

static void mem_release(void *u, const char *path, const char *data, size_t len)
{
    memfs *m = u;
    (void)path, (void)data, (void)len;
    m->releases++;
}

static krender_fs mem_fs(memfs *m)
{
    krender_fs fs = {m, mem_kind, mem_read, mem_release};
    return fs;
}

/* ---- fixtures ---- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t k;
    while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (buf)
        buf[n < cap ? n : cap - 1] = '\0';
    *len = n;
    return buf;
}

/* Every file under disk directory `dir` (links followed) as vdir/... */
static void load_tree(memfs *m, const char *dir, const char *vdir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[4096], vpath[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        snprintf(vpath, sizeof vpath, "%s/%s", vdir, e->d_name);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            load_tree(m, path, vpath);
        } else {
            size_t len;
            char *data = slurp(path, &len);
            assert_non_null(data);
            mem_add(m, vpath, data, len);
            free(data);
        }
    }
    closedir(d);
}

typedef struct fixture_case {
    char name[256];
    char dir[256]; /* the build directory, relative to the case */
    krender_options opts;
    char disk_base[4096]; /* realpath of <case>/input */
    char vbase[512];      /* /virtual/<case>/input */
} fixture_case;

static int read_case(const char *name, fixture_case *c)
{
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/fixtures/%s/cmd", KR_SOURCE_ROOT, name);
    char *cmd = slurp(path, &len);
    if (!cmd)
        return -1;
    krender_options def = KRENDER_OPTIONS_INIT;
    memset(c, 0, sizeof *c);
    c->opts = def;
    snprintf(c->name, sizeof c->name, "%s", name);
    char *save = NULL, *tok, *prev = NULL;
    for (tok = strtok_r(cmd, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
        if (prev && strcmp(prev, "--reorder") == 0)
            c->opts.reorder = strcmp(tok, "none") == 0 ? KRENDER_REORDER_NONE : KRENDER_REORDER_LEGACY;
        else if (prev && strcmp(prev, "--load-restrictor") == 0)
            c->opts.load_restrictor = strcmp(tok, "LoadRestrictionsNone") == 0 ? KRENDER_LOAD_NONE
                                                                               : KRENDER_LOAD_ROOT_ONLY;
        else if (strcmp(tok, "--enable-managedby-label") == 0)
            c->opts.enable_managedby_label = 1;
        else if (tok[0] != '-')
            snprintf(c->dir, sizeof c->dir, "%s", tok);
        prev = tok;
    }
    free(cmd);
    snprintf(path, sizeof path, "%s/fixtures/%s/input", KR_SOURCE_ROOT, name);
    if (!realpath(path, c->disk_base))
        return -1;
    snprintf(c->vbase, sizeof c->vbase, VROOT "/%s/input", name);
    return strncmp(c->dir, "input", 5) == 0 ? 0 : -1;
}

/* s with every `from` replaced by `to` (malloc'd). */
static char *replace_all(const char *s, const char *from, const char *to)
{
    if (!s)
        return NULL;
    size_t nf = strlen(from), nt = strlen(to), cap = strlen(s) * (nt > nf ? nt / (nf ? nf : 1) + 2 : 1) + nt + 1;
    char *out = malloc(cap + 1), *w = out;
    assert_non_null(out);
    while (*s) {
        if (nf && strncmp(s, from, nf) == 0) {
            memcpy(w, to, nt);
            w += nt;
            s += nf;
        } else {
            *w++ = *s++;
        }
    }
    *w = '\0';
    return out;
}

static int render_case(krender_ctx *ctx, const fixture_case *c, memfs *m, krender_result **res)
{
    char path[4096];
    krender_options o = c->opts;
    krender_fs fs = mem_fs(m);
    if (m) {
        snprintf(path, sizeof path, "%s%s", c->vbase, c->dir + 5);
        o.fs = &fs;
    } else {
        snprintf(path, sizeof path, "%s%s", c->disk_base, c->dir + 5);
    }
    return krender_build(res, ctx, path, &o);
}

/* Every golden fixture, served from memory, renders as its expected.yaml; the files read are
 * the disk render's (under the virtual root); every read is released once. */
static void fixtures_render_through_fs(void **state)
{
    (void)state;
    char dirpath[4096];
    snprintf(dirpath, sizeof dirpath, "%s/fixtures", KR_SOURCE_ROOT);
    DIR *d = opendir(dirpath);
    assert_non_null(d);
    krender_ctx *ctx;
    assert_int_equal(krender_ctx_new(&ctx), KRENDER_OK);
    struct dirent *e;
    size_t rendered = 0;
    while ((e = readdir(d))) {
        fixture_case c;
        char path[4096];
        size_t want_len;
        if (e->d_name[0] == '.' || read_case(e->d_name, &c) != 0)
            continue;
        snprintf(path, sizeof path, "%s/fixtures/%s/expected.yaml", KR_SOURCE_ROOT, c.name);
        char *want = slurp(path, &want_len);
        if (!want)
            continue;
        memfs m = {0};
        load_tree(&m, c.disk_base, c.vbase);
        krender_result *res, *disk;
        int rc = render_case(ctx, &c, &m, &res);
        if (rc)
            fail_msg("%s: %s", c.name, krender_result_error(res)->message);
        size_t len;
        const char *got = krender_result_yaml(res, &len);
        if (len != want_len || memcmp(got, want, len) != 0)
            fail_msg("%s: output differs from expected.yaml", c.name);
        assert_true(m.reads > 0);
        assert_int_equal(m.reads, m.releases);
        /* the same files as the disk's render, each under the virtual root */
        assert_int_equal(render_case(ctx, &c, NULL, &disk), KRENDER_OK);
        assert_int_equal(krender_result_file_count(res), krender_result_file_count(disk));
        for (size_t i = 0; i < krender_result_file_count(res); i++) {
            char *mapped = replace_all(krender_result_file(disk, i), c.disk_base, c.vbase);
            assert_string_equal(krender_result_file(res, i), mapped);
            free(mapped);
        }
        krender_result_free(disk);
        krender_result_free(res);
        /* a second render of the same fs in the context: the same bytes */
        size_t reads = m.reads;
        assert_int_equal(render_case(ctx, &c, &m, &res), KRENDER_OK);
        got = krender_result_yaml(res, &len);
        assert_true(len == want_len && memcmp(got, want, len) == 0);
        assert_true(m.reads > reads); /* no stat: read every time */
        assert_int_equal(m.reads, m.releases);
        krender_result_free(res);
        mem_free(&m);
        free(want);
        rendered++;
    }
    closedir(d);
    krender_ctx_free(ctx);
    assert_true(rendered >= 30);
}

/* The failing fixtures give the disk's code, message and position. */
static void errors_read_as_on_disk(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "err-missing-file",      "err-no-kustomization",  "err-base-without-kustomization",
        "gen-err-missing-file",  "err-outside-root",      "err-two-kustomizations",
        "gen-err-outside-root",  "err-component-file",    "err-cycle",
        "err-self-cycle",        "err-component-as-resource", "gen-err-file-source",
        "err-malformed-yaml",
    };
    krender_ctx *ctx;
    assert_int_equal(krender_ctx_new(&ctx), KRENDER_OK);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fixture_case c;
        assert_int_equal(read_case(cases[i], &c), 0);
        memfs m = {0};
        load_tree(&m, c.disk_base, c.vbase);
        krender_result *res, *disk;
        int rc = render_case(ctx, &c, &m, &res);
        int drc = render_case(ctx, &c, NULL, &disk);
        assert_int_not_equal(drc, KRENDER_OK);
        if (rc != drc)
            fail_msg("%s: code %d, on disk %d (%s)", c.name, rc, drc,
                     krender_result_error(res) ? krender_result_error(res)->message : "ok");
        const krender_error *a = krender_result_error(res), *b = krender_result_error(disk);
        char *msg = replace_all(b->message, c.disk_base, c.vbase);
        char *file = replace_all(b->file, c.disk_base, c.vbase);
        char *chain = replace_all(b->chain, c.disk_base, c.vbase);
        if (strcmp(a->message, msg) != 0)
            fail_msg("%s:\n  fs:   %s\n  disk: %s", c.name, a->message, msg);
        if (file)
            assert_string_equal(a->file, file);
        else
            assert_null(a->file);
        if (chain)
            assert_string_equal(a->chain, chain);
        else
            assert_null(a->chain);
        assert_int_equal(a->line, b->line);
        assert_int_equal(a->column, b->column);
        assert_int_equal(m.reads, m.releases);
        free(msg);
        free(file);
        free(chain);
        krender_result_free(res);
        krender_result_free(disk);
        mem_free(&m);
    }
    krender_ctx_free(ctx);
}

static const char *const CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n";

static void add_cm(memfs *m, const char *path, const char *name)
{
    char text[256];
    snprintf(text, sizeof text, CM, name);
    mem_add_str(m, path, text);
}

static int build(krender_ctx *ctx, memfs *m, const char *path, krender_options *o,
                 krender_result **res)
{
    krender_fs fs = mem_fs(m);
    o->fs = &fs;
    int rc = krender_build(res, ctx, path, o);
    o->fs = NULL;
    return rc;
}

/* The jail holds with a caller fs: `../` and absolute paths out of it are refused, whatever
 * the load restrictor says. */
static void jail_refuses_escapes(void **state)
{
    (void)state;
    memfs m = {0};
    mem_add_str(&m, "/repo/app/kustomization.yaml", "resources:\n- cm.yaml\n");
    add_cm(&m, "/repo/app/cm.yaml", "in");
    mem_add_str(&m, "/repo/up/kustomization.yaml", "resources:\n- ../../secret.yaml\n");
    mem_add_str(&m, "/repo/base-out/kustomization.yaml", "resources:\n- ../../outside\n");
    mem_add_str(&m, "/repo/abs/kustomization.yaml", "resources:\n- /secret.yaml\n");
    mem_add_str(&m, "/repo/gen/kustomization.yaml",
                "configMapGenerator:\n- name: g\n  files:\n  - ../../secret.yaml\n");
    add_cm(&m, "/secret.yaml", "secret");
    mem_add_str(&m, "/outside/kustomization.yaml", "resources:\n- cm.yaml\n");
    add_cm(&m, "/outside/cm.yaml", "out");
    m.watch = "/secret.yaml";
    krender_ctx *ctx;
    assert_int_equal(krender_ctx_new(&ctx), KRENDER_OK);
    krender_options o = KRENDER_OPTIONS_INIT;
    o.jail_root = "/repo";
    o.load_restrictor = KRENDER_LOAD_NONE;
    krender_result *res;
    assert_int_equal(build(ctx, &m, "/repo/app", &o, &res), KRENDER_OK);
    krender_result_free(res);
    static const char *const attacks[] = {"/repo/up", "/repo/base-out", "/repo/abs", "/repo/gen"};
    for (size_t i = 0; i < sizeof attacks / sizeof *attacks; i++) {
        assert_int_equal(build(ctx, &m, attacks[i], &o, &res), KRENDER_E_SECURITY);
        assert_non_null(strstr(krender_result_error(res)->message, "outside the repository root '/repo'"));
        krender_result_free(res);
    }
    /* a root outside the jail; a jail that is not a directory */
    assert_int_equal(build(ctx, &m, "/outside", &o, &res), KRENDER_E_SECURITY);
    krender_result_free(res);
    o.jail_root = "/repo/app/cm.yaml";
    assert_int_equal(build(ctx, &m, "/repo/app", &o, &res), KRENDER_E_IO);
    krender_result_free(res);
    o.jail_root = "repo/"; /* relative to "/", cleaned */
    assert_int_equal(build(ctx, &m, "repo/app", &o, &res), KRENDER_OK);
    krender_result_free(res);
    assert_int_equal(build(ctx, &m, "repo/up", &o, &res), KRENDER_E_SECURITY);
    krender_result_free(res);
    assert_int_equal(m.watched, 0); /* the secret was never read */
    assert_int_equal(m.reads, m.releases);
    krender_ctx_free(ctx);
    mem_free(&m);
}

/* read errors: ENOENT -> NOT_FOUND, EACCES -> IO, as the disk's open errors read */
static void read_errors(void **state)
{
    (void)state;
    memfs m = {0};
    mem_add_str(&m, "/r/kustomization.yaml", "resources:\n- cm.yaml\n");
    add_cm(&m, "/r/cm.yaml", "x");
    krender_ctx *ctx;
    assert_int_equal(krender_ctx_new(&ctx), KRENDER_OK);
    krender_options o = KRENDER_OPTIONS_INIT;
    krender_result *res;
    m.fail_path = "/r/cm.yaml";
    m.fail_err = EACCES;
    assert_int_equal(build(ctx, &m, "/r", &o, &res), KRENDER_E_IO);
    assert_string_equal(krender_result_error(res)->message, "open /r/cm.yaml: Permission denied");
    krender_result_free(res);
    m.fail_err = ENOENT; /* kind said it exists, read says it does not */
    assert_int_equal(build(ctx, &m, "/r", &o, &res), KRENDER_E_NOT_FOUND);
    krender_result_free(res);
    m.fail_path = "/r/kustomization.yaml";
    m.fail_err = EIO;
    assert_int_equal(build(ctx, &m, "/r", &o, &res), KRENDER_E_IO);
    assert_non_null(strstr(krender_result_error(res)->message, "Input/output error"));
    krender_result_free(res);
    m.fail_path = NULL;
    /* the root: missing, a file */
    assert_int_equal(build(ctx, &m, "/nothere", &o, &res), KRENDER_E_NOT_FOUND);
    assert_string_equal(krender_result_error(res)->message,
                        "'/nothere' doesn't exist: No such file or directory");
    krender_result_free(res);
    assert_int_equal(build(ctx, &m, "/r/cm.yaml", &o, &res), KRENDER_E_NOT_FOUND);
    krender_result_free(res);
    /* max_file_bytes: refused, still released */
    o.max_file_bytes = 10;
    assert_int_equal(build(ctx, &m, "/r", &o, &res), KRENDER_E_LIMIT);
    krender_result_free(res);
    assert_true(m.reads > 0);
    assert_int_equal(m.reads, m.releases);
    /* no release callback: fine too */
    o.max_file_bytes = 0;
    krender_fs fs = {&m, mem_kind, mem_read, NULL};
    o.fs = &fs;
    assert_int_equal(krender_build(&res, ctx, "/r", &o), KRENDER_OK);
    assert_int_equal(krender_result_file_count(res), 2);
    assert_string_equal(krender_result_file(res, 0), "/r/kustomization.yaml");
    assert_string_equal(krender_result_file(res, 1), "/r/cm.yaml");
    krender_result_free(res);
    krender_ctx_free(ctx);
    mem_free(&m);
}

/* One context: files of the disk and of a caller fs at the same paths never stand in for each
 * other, nor two caller file systems' different bytes. */
/* krender_build_many's callback: counts the roots that rendered. */
static void count_done(void *userdata, size_t i, krender_result *r)
{
    (void)i;
    if (r && !krender_result_error(r) && strstr(krender_result_yaml(r, NULL), "-c"))
        ++*(size_t *)userdata;
    krender_result_free(r);
}

static void cache_keeps_sources_apart(void **state)
{
    (void)state;
    char *dir = NULL;
    char tmpl[] = "/tmp/krender-fs-XXXXXX";
    assert_non_null(dir = mkdtemp(tmpl));
    char real[4096], path[4200];
    assert_non_null(realpath(dir, real));
    snprintf(path, sizeof path, "%s/kustomization.yaml", real);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("resources:\n- cm.yaml\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/cm.yaml", real);
    assert_non_null(f = fopen(path, "w"));
    fprintf(f, CM, "disk");
    fclose(f);
    memfs a = {0}, b = {0};
    snprintf(path, sizeof path, "%s/kustomization.yaml", real);
    mem_add_str(&a, path, "resources:\n- cm.yaml\n");
    mem_add_str(&b, path, "resources:\n- cm.yaml\n");
    snprintf(path, sizeof path, "%s/cm.yaml", real);
    add_cm(&a, path, "memory-a");
    add_cm(&b, path, "memory-b");
    krender_ctx *ctx;
    assert_int_equal(krender_ctx_new(&ctx), KRENDER_OK);
    krender_options o = KRENDER_OPTIONS_INIT;
    krender_result *res;
    for (int round = 0; round < 2; round++) {
        assert_int_equal(krender_build(&res, ctx, real, &o), KRENDER_OK);
        assert_non_null(strstr(krender_result_yaml(res, NULL), "name: disk"));
        krender_result_free(res);
        assert_int_equal(build(ctx, &a, real, &o, &res), KRENDER_OK);
        assert_non_null(strstr(krender_result_yaml(res, NULL), "name: memory-a"));
        krender_result_free(res);
        assert_int_equal(build(ctx, &b, real, &o, &res), KRENDER_OK);
        assert_non_null(strstr(krender_result_yaml(res, NULL), "name: memory-b"));
        krender_result_free(res);
    }
    /* the caller's bytes change between renders: the new ones count */
    add_cm(&a, path, "memory-a2");
    assert_int_equal(build(ctx, &a, real, &o, &res), KRENDER_OK);
    assert_non_null(strstr(krender_result_yaml(res, NULL), "name: memory-a2"));
    krender_result_free(res);
    assert_int_equal(a.reads, a.releases);
    assert_int_equal(b.reads, b.releases);
    krender_ctx_free(ctx);
    mem_free(&a);
    mem_free(&b);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", real);
    assert_int_equal(system(cmd), 0);
}

/* krender_build_many with a caller's fs: whatever opts.threads says, every callback runs on
 * the calling thread (the contract of krender_fs), and every root renders. */
static void many_roots_call_fs_on_the_calling_thread(void **state)
{
    (void)state;
    memfs m = {0};
    const char *paths[6];
    char bufs[6][64];
    for (int i = 0; i < 6; i++) {
        char k[512], body[96];
        snprintf(bufs[i], sizeof bufs[i], VROOT "/app%d", i);
        paths[i] = bufs[i];
        snprintf(k, sizeof k, "%s/kustomization.yaml", bufs[i]);
        snprintf(body, sizeof body, "namePrefix: p%d-\nresources: [../base]\n", i);
        mem_add_str(&m, k, body);
    }
    mem_add_str(&m, VROOT "/base/kustomization.yaml", "resources:\n- cm.yaml\n");
    add_cm(&m, VROOT "/base/cm.yaml", "c");
    m.check_thread = true;
    m.owner = pthread_self();
    krender_fs fs = mem_fs(&m);
    krender_options o = KRENDER_OPTIONS_INIT;
    o.fs = &fs;
    o.threads = 4;
    krender_ctx *ctx;
    assert_int_equal(krender_ctx_new(&ctx), KRENDER_OK);
    size_t done = 0;
    assert_int_equal(krender_build_many(ctx, paths, 6, &o, count_done, &done), KRENDER_OK);
    assert_int_equal(done, 6);
    assert_true(m.reads > 0);
    assert_int_equal(m.foreign, 0);
    assert_int_equal(m.reads, m.releases);
    krender_ctx_free(ctx);
    mem_free(&m);
}

#if defined(__x86_64__)
/* A child renders a fixture through the fs under a seccomp filter that kills it on any
 * file-system call: the render must not make one. */
static void install_no_fs_filter(void)
{
#define DENY(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
                 BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        DENY(SYS_open), DENY(SYS_openat), DENY(SYS_openat2), DENY(SYS_stat), DENY(SYS_lstat),
        DENY(SYS_fstat), DENY(SYS_newfstatat), DENY(SYS_statx), DENY(SYS_readlink),
        DENY(SYS_readlinkat), DENY(SYS_access), DENY(SYS_faccessat), DENY(SYS_faccessat2),
        DENY(SYS_getdents64), DENY(SYS_getcwd), DENY(SYS_chdir), DENY(SYS_read),
        DENY(SYS_close), DENY(SYS_pread64),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
#undef DENY
    struct sock_fprog prog = {sizeof filter / sizeof *filter, filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
        _exit(3);
}

static void no_file_system_calls(void **state)
{
    (void)state;
    /* no seccomp (valgrind does not implement it): nothing to check with */
    unsigned action = SECCOMP_RET_KILL_PROCESS;
    if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0)
        skip();
    static const char *const cases[] = {"compose-bases", "gen-sources", "components-order",
                                        "patch-json6902", "err-missing-file"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        fixture_case c;
        assert_int_equal(read_case(cases[i], &c), 0);
        memfs m = {0};
        load_tree(&m, c.disk_base, c.vbase);
        char path[4096];
        size_t want_len = 0;
        snprintf(path, sizeof path, "%s/fixtures/%s/expected.yaml", KR_SOURCE_ROOT, c.name);
        char *want = slurp(path, &want_len);
        krender_ctx *ctx;
        assert_int_equal(krender_ctx_new(&ctx), KRENDER_OK);
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            install_no_fs_filter();
            krender_result *res;
            int rc = render_case(ctx, &c, &m, &res);
            size_t len;
            const char *got = krender_result_yaml(res, &len);
            int ok = want ? rc == 0 && len == want_len && memcmp(got, want, len) == 0 : rc != 0;
            _exit(ok && m.reads == m.releases ? 0 : 1);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (WIFSIGNALED(status))
            fail_msg("%s: killed by signal %d (a file-system call)", c.name, WTERMSIG(status));
        if (WEXITSTATUS(status) == 3)
            skip(); /* no seccomp here */
        assert_int_equal(WEXITSTATUS(status), 0);
        krender_ctx_free(ctx);
        free(want);
        mem_free(&m);
    }
}
#endif

/* A relative build path is relative to "/"; paths reach the callbacks clean. */
static void relative_and_unclean_paths(void **state)
{
    (void)state;
    memfs m = {0};
    mem_add_str(&m, "/a/kustomization.yaml", "resources:\n- ./sub/../cm.yaml\n- ../b\n");
    add_cm(&m, "/a/cm.yaml", "one");
    mem_add_str(&m, "/b/kustomization.yaml", "namePrefix: b-\nresources:\n- cm.yaml\n");
    add_cm(&m, "/b/cm.yaml", "two");
    krender_ctx *ctx;
    assert_int_equal(krender_ctx_new(&ctx), KRENDER_OK);
    krender_options o = KRENDER_OPTIONS_INIT;
    o.load_restrictor = KRENDER_LOAD_NONE;
    krender_result *res;
    static const char *const roots[] = {"a", "./a/", "/a", "//a/.", "b/../a"};
    for (size_t i = 0; i < sizeof roots / sizeof *roots; i++) {
        int rc = build(ctx, &m, roots[i], &o, &res);
        if (rc)
            fail_msg("%s: %s", roots[i], krender_result_error(res)->message);
        assert_int_equal(krender_result_count(res), 2);
        assert_non_null(strstr(krender_result_yaml(res, NULL), "name: b-two"));
        krender_result_free(res);
    }
    assert_int_equal(m.reads, m.releases);
    krender_ctx_free(ctx);
    mem_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixtures_render_through_fs),
        cmocka_unit_test(errors_read_as_on_disk),
        cmocka_unit_test(jail_refuses_escapes),
        cmocka_unit_test(read_errors),
        cmocka_unit_test(cache_keeps_sources_apart),
        cmocka_unit_test(many_roots_call_fs_on_the_calling_thread),
        cmocka_unit_test(relative_and_unclean_paths),
#if defined(__x86_64__)
        cmocka_unit_test(no_file_system_calls),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
