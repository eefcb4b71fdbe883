/* The public API of include/krender.h and nothing else. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "kedit.h"
#include "emit.h"
#include "emit_json.h"
#include "emit_parallel.h"
#include "fieldspec.h"
#include "fs.h"
#include "krender.h"
#include "loader.h"
#include "patch.h"
#include "path.h"
#include "prefetch.h"
#include "regex_cache.h"
#include "render.h"
#include "scope.h"
#include "subbuild.h"
#include "thread.h"

struct krender_ctx {
    uint64_t renders; /* serial numbers of renders */
    kr_arena *spare;  /* the last render's arena, reset, for the next one */
    kr_cache *cache;
    kr_subcache *subcache; /* resolved results of bases (subbuild.h) */
    bool shares_subcache;  /* a helper's: the subcache is its owner's */
    kr_scope *scope;
    kr_arena *arena; /* immutable data shared by every render: the default configuration */
    kr_tconfig defaults;
    /* krender_build_many */
    uint64_t views;       /* calls so far */
    uint64_t view;        /* the running call's number, 0 outside one */
    kr_fsview *fsview;    /* its view of the file system */
    unsigned *idle_threads; /* the call's count of threads with no root left (kr_render) */
    kr_callfiles *callfiles; /* the files the call's threads read (loader.h) */
    krender_ctx **helpers; /* contexts of the call's other threads, kept for later calls */
    size_t nhelpers;
};

/* A resource of the output: its bytes in yaml (and json), its id (emit_parallel.h). */
typedef kr_out_span res_entry;

struct krender_result {
    kr_buf yaml;
    kr_buf json; /* only with resources_json */
    res_entry *resources;
    size_t nresources;
    kr_arena *strings; /* the resources' id strings */
    kr_buf warnings;   /* NUL-separated */
    const char **warning_list;
    size_t nwarnings;
    kr_buf files; /* NUL-separated */
    const char **file_list;
    size_t nfiles;
    kr_err err;
    krender_error pub;
};

KRENDER_API const char *krender_version(void)
{
    return KRENDER_VERSION_STRING;
}

KRENDER_API const char *krender_strerror(int code)
{
    switch (code) {
    case KRENDER_OK: return "success";
    case KRENDER_E_NOMEM: return "out of memory";
    case KRENDER_E_INVALID_ARG: return "invalid argument";
    case KRENDER_E_IO: return "I/O error";
    case KRENDER_E_NOT_FOUND: return "not found";
    case KRENDER_E_YAML: return "malformed YAML";
    case KRENDER_E_KUSTOMIZATION: return "invalid kustomization";
    case KRENDER_E_RESOURCE: return "invalid resource";
    case KRENDER_E_CONFLICT: return "resource id conflict";
    case KRENDER_E_CYCLE: return "kustomization cycle";
    case KRENDER_E_SECURITY: return "file outside the allowed root";
    case KRENDER_E_UNSUPPORTED: return "unsupported feature";
    case KRENDER_E_VALUE: return "value cannot be rendered";
    case KRENDER_E_INTERNAL: return "internal error";
    case KRENDER_E_LIMIT: return "limit exceeded";
    default: return "unknown error";
    }
}

KRENDER_API int krender_ctx_new(krender_ctx **out)
{
    if (!out)
        return KRENDER_E_INVALID_ARG;
    *out = NULL;
    krender_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return KRENDER_E_NOMEM;
    kr_err err = {0};
    int rc = kr_cache_new(&c->cache);
    if (!rc)
        rc = kr_subcache_new(&c->subcache);
    if (!rc)
        rc = kr_scope_new(&c->scope, &err);
    if (!rc && !(c->arena = kr_arena_new()))
        rc = KRENDER_E_NOMEM;
    if (!rc)
        rc = kr_tconfig_defaults(c->arena, &c->defaults, &err);
    kr_err_clear(&err);
    if (rc) {
        krender_ctx_free(c);
        return rc;
    }
    *out = c;
    return KRENDER_OK;
}

KRENDER_API void krender_ctx_free(krender_ctx *ctx)
{
    if (!ctx)
        return;
    kr_cache_free(ctx->cache);
    if (!ctx->shares_subcache)
        kr_subcache_free(ctx->subcache);
    kr_scope_free(ctx->scope);
    kr_arena_free(ctx->spare);
    kr_arena_free(ctx->arena);
    for (size_t i = 0; i < ctx->nhelpers; i++)
        krender_ctx_free(ctx->helpers[i]);
    free(ctx->helpers);
    free(ctx);
}

void kr_render_warn(kr_render *r, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line)
        n = sizeof line - 1;
    if (kr_buf_append(&r->warnings, line, (size_t)n + 1))
        r->nwarnings++;
    kr_subbuild_note_warning(r, line);
}

const char *kr_render_display(kr_render *r, const char *abs)
{
    if (!r->root_real || abs[0] != '/')
        return abs;
    const char *rel = kr_path_relto(r->arena, r->root_real, abs);
    if (!rel)
        return abs;
    const char *joined = strcmp(rel, ".") == 0 ? r->user_root : kr_path_join(r->arena, r->user_root, rel);
    return joined ? joined : abs;
}

/* The interned s[0..len) (s NUL-terminated at len), reusing prev when it is that text already
 * (prev: a part this render interned before, or NULL). */
static const char *intern_part(kr_interner *in, const char *prev, const char *s, size_t len)
{
    if (prev && (prev == s || (strncmp(prev, s, len) == 0 && prev[len] == '\0')))
        return prev;
    return kr_intern_n(in, s, len);
}

static const char *opt_part(kr_interner *in, const char *prev, const char *s)
{
    s = s ? s : "";
    return intern_part(in, prev, s, strlen(s));
}

int kr_render_make_id(kr_render *r, const kr_node *doc, kr_resid *id)
{
    const char *api = kr_map_get_str(doc, "apiVersion");
    const char *kind = kr_map_get_str(doc, "kind");
    const kr_node *meta = kr_map_get(doc, "metadata");
    api = api ? api : "";
    kind = kind ? kind : "";
    const char *slash = strchr(api, '/');
    id->group = slash ? intern_part(r->strings, id->group, api, (size_t)(slash - api))
                      : intern_part(r->strings, id->group, "", 0);
    id->version = opt_part(r->strings, id->version, slash ? slash + 1 : api);
    id->kind = opt_part(r->strings, id->kind, kind);
    id->name = opt_part(r->strings, id->name, kr_map_get_str(meta, "name"));
    id->ns = opt_part(r->strings, id->ns, kr_map_get_str(meta, "namespace"));
    if (!id->group || !id->version || !id->kind || !id->name || !id->ns)
        return kr_err_nomem(r->err);
    id->cluster_scoped = kr_scope_is_cluster_hashed(r->scope, api, kind, kr_intern_hash(id->kind));
    return 0;
}

static void fill_public_error(krender_result *res)
{
    res->pub = (krender_error){
        .code = res->err.code,
        .message = res->err.message ? res->err.message : krender_strerror(res->err.code),
        .file = res->err.file,
        .line = res->err.line,
        .column = res->err.column,
        .chain = res->err.chain,
    };
}

/* The NUL-separated strings of buf as an array (owned by the result). */
static const char **split_list(const kr_buf *buf, size_t n)
{
    const char **list = calloc(n ? n : 1, sizeof *list);
    const char *p = buf->data;
    for (size_t i = 0; list && i < n; i++, p += strlen(p) + 1)
        list[i] = p;
    return list;
}

static int collect_files(krender_result *res, kr_render *r)
{
    res->files = r->files;
    r->files = (kr_buf){0};
    res->nfiles = r->nfiles;
    return res->nfiles && !(res->file_list = split_list(&res->files, res->nfiles))
               ? KRENDER_E_NOMEM
               : 0;
}

static int collect_warnings(krender_result *res, kr_render *r)
{
    res->warnings = r->warnings;
    r->warnings = (kr_buf){0};
    res->nwarnings = r->nwarnings;
    if (!res->nwarnings)
        return 0;
    res->warning_list = calloc(res->nwarnings, sizeof *res->warning_list);
    if (!res->warning_list)
        return KRENDER_E_NOMEM;
    const char *p = res->warnings.data;
    for (size_t i = 0; i < res->nwarnings; i++, p += strlen(p) + 1)
        res->warning_list[i] = p;
    return 0;
}

/* Emits every resource, "---\n" between documents (on opts.threads threads), recording where
 * each one lies and its id. */
static int emit_all(kr_render *r, const kr_resmap *m, krender_result *res)
{
    if (m->len && !(res->resources = calloc(m->len, sizeof *res->resources)))
        return kr_err_nomem(r->err);
    if (!(res->strings = kr_arena_new()))
        return kr_err_nomem(r->err);
    size_t failed = 0;
    /* the last roots of a krender_build_many call take the threads that have none left: the
     * call otherwise ends with one thread writing a big root's output and the others idle */
    unsigned borrowed = r->idle_threads ? __atomic_exchange_n(r->idle_threads, 0, __ATOMIC_ACQ_REL)
                                        : 0;
    int rc = kr_emit_resources(m, r->opts.threads + borrowed, r->opts.max_output_bytes,
                               &res->yaml, r->opts.resources_json ? &res->json : NULL,
                               res->resources, res->strings, &failed, r->err);
    if (borrowed)
        __atomic_fetch_add(r->idle_threads, borrowed, __ATOMIC_ACQ_REL);
    if (rc) {
        if (failed < m->len && !r->err->file && m->items[failed]->file)
            r->err->file = strdup(kr_render_display(r, m->items[failed]->file));
        return rc;
    }
    res->nresources = m->len;
    return 0;
}

/* The root must be an existing directory; messages use the caller's spelling of it. With a
 * caller fs (options v4) the root, the jail and every path are its clean absolute paths and
 * nothing on the disk is looked at. */
static int resolve_root(kr_render *r, const char *path)
{
    char *real;
    /* a relative root on the disk from the working directory (getcwd's answer has no link):
     * when the whole is clean, one openat2 without links resolves it, where a relative path
     * took stat, getcwd and a readlink per component */
    const char *asked = path;
    char cwd[PATH_MAX];
    if (!r->opts.fs && path[0] && path[0] != '/' && getcwd(cwd, sizeof cwd) && cwd[0] == '/') {
        char *abs = kr_arena_concat3(r->arena, strcmp(cwd, "/") ? cwd : "", "/", path);
        if (!abs)
            return kr_err_nomem(r->err);
        if (kr_fs_clean_abs(abs))
            asked = abs;
    }
    int kind, err = kr_fs_resolve(r, asked, KR_FS_HINT_DIR, &real, &kind);
    if (err == ENOMEM)
        return kr_err_nomem(r->err);
    if (err)
        return kr_err_set(r->err, KRENDER_E_NOT_FOUND, NULL, 0, 0, "'%s' doesn't exist: %s",
                          path, strerror(err));
    if (kind != KR_FS_DIR)
        return kr_err_set(r->err, KRENDER_E_NOT_FOUND, NULL, 0, 0,
                          "'%s' must be a directory holding a kustomization", path);
    r->root_real = real;
    r->user_root = kr_path_clean(r->arena, path);
    if (!r->user_root)
        return kr_err_nomem(r->err);
    if (r->opts.jail_root) {
        const char *jail = kr_fs_real(r, r->opts.jail_root);
        if (!jail)
            return kr_err_set(r->err, KRENDER_E_NOT_FOUND, NULL, 0, 0, "jail root '%s': %s",
                              r->opts.jail_root, strerror(errno));
        if (r->opts.fs) {
            if ((err = kr_fs_resolve(r, jail, 0, &real, &kind)) != 0 || kind != KR_FS_DIR)
                return kr_err_set(r->err, err ? KRENDER_E_NOT_FOUND : KRENDER_E_IO, NULL, 0, 0,
                                  "jail root '%s': %s", jail, strerror(err ? err : ENOTDIR));
            r->opts.jail_root = jail;
            return kr_check_jail(r, r->root_real, NULL, 0, 0);
        }
        r->opts.jail_root = jail;
        /* every file is then opened beneath this descriptor (fs.c) */
        r->jail_fd = open(jail, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (r->jail_fd < 0)
            return kr_err_set(r->err, KRENDER_E_IO, NULL, 0, 0, "jail root '%s': %s", jail,
                              strerror(errno));
        return kr_check_jail(r, r->root_real, NULL, 0, 0);
    }
    return 0;
}

/* The arena of the context's previous render (reset), or a new one. */
static kr_arena *take_arena(krender_ctx *ctx)
{
    kr_arena *a = ctx->spare ? ctx->spare : kr_arena_new_huge();
    ctx->spare = NULL;
    return a;
}

/* The size of krender_options as each version of the header declared it. */
static const size_t options_size[] = {0, offsetof(krender_options, resources_json),
                                      offsetof(krender_options, max_file_bytes),
                                      offsetof(krender_options, fs),
                                      offsetof(krender_options, threads),
                                      sizeof(krender_options)};
_Static_assert(sizeof options_size / sizeof options_size[0] == KRENDER_OPTIONS_VERSION + 1,
               "one entry per options version");

/* Copies the caller's options, honouring the version they were compiled against. */
static int read_options(kr_render *r, const krender_options *opts)
{
    krender_options def = KRENDER_OPTIONS_INIT;
    r->opts = def;
    if (opts) {
        if (opts->version == 0 || opts->version > KRENDER_OPTIONS_VERSION)
            return kr_err_set(r->err, KRENDER_E_INVALID_ARG, NULL, 0, 0,
                              "krender_options.version %u is not supported (this library knows %u)",
                              opts->version, KRENDER_OPTIONS_VERSION);
        /* copy only the fields the caller's version of the struct has */
        memcpy(&r->opts, opts, options_size[opts->version]);
    }
    if (!r->opts.max_file_bytes)
        r->opts.max_file_bytes = KRENDER_DEFAULT_MAX_FILE_BYTES;
    if (!r->opts.max_resources)
        r->opts.max_resources = KRENDER_DEFAULT_MAX_RESOURCES;
    if (!r->opts.max_output_bytes)
        r->opts.max_output_bytes = KRENDER_DEFAULT_MAX_OUTPUT_BYTES;
    if (r->opts.threads > 256) /* more would only cost memory */
        r->opts.threads = 256;
    if (r->opts.edit_count && !r->opts.edits)
        return kr_err_set(r->err, KRENDER_E_INVALID_ARG, NULL, 0, 0,
                          "krender_options.edits is NULL with edit_count %zu", r->opts.edit_count);
    if (r->opts.load_restrictor < KRENDER_LOAD_ROOT_ONLY || r->opts.load_restrictor > KRENDER_LOAD_NONE ||
        r->opts.reorder < KRENDER_REORDER_DEFAULT || r->opts.reorder > KRENDER_REORDER_NONE)
        return kr_err_set(r->err, KRENDER_E_INVALID_ARG, NULL, 0, 0, "invalid krender_options value");
    return 0;
}

/* The caller's options as the current version, for a call that adjusts them before rendering.
 * A version this library does not know is passed on as it is, for read_options to refuse. */
static krender_options current_options(const krender_options *opts)
{
    krender_options o = KRENDER_OPTIONS_INIT;
    if (opts && opts->version >= 1 && opts->version <= KRENDER_OPTIONS_VERSION) {
        memcpy(&o, opts, options_size[opts->version]);
        o.version = KRENDER_OPTIONS_VERSION;
    } else if (opts) {
        o.version = opts->version;
    }
    return o;
}

/* What a call does once the render is set up: build and emit, or edit. */
typedef int (*render_job)(kr_render *r, krender_result *res, const void *arg);

static int build_job(kr_render *r, krender_result *res, const void *arg)
{
    (void)arg;
    kr_resmap m = {0};
    int rc = kr_build_resmap(r, &m);
    if (!rc) /* the emit allocates its output elsewhere: the tail of a huge page is waste */
        kr_arena_release_tail(r->life);
    return rc ? rc : emit_all(r, &m, res);
}

typedef struct edit_job_arg {
    const krender_edit *edits;
    size_t n;
} edit_job_arg;

static int edit_job(kr_render *r, krender_result *res, const void *arg)
{
    const edit_job_arg *e = arg;
    return kr_kedit_root(r, e->edits, e->n, &res->yaml);
}

static int run_render(krender_result **out, krender_ctx *ctx, const char *path,
                      const krender_options *opts, render_job job, const void *arg)
{
    if (!out)
        return KRENDER_E_INVALID_ARG;
    krender_result *res = calloc(1, sizeof *res);
    *out = res;
    if (!res)
        return KRENDER_E_NOMEM;
    kr_render r = {.cache = ctx ? ctx->cache : NULL,
                   .subcache = ctx ? ctx->subcache : NULL,
                   .scope = ctx ? ctx->scope : NULL,
                   .defaults = ctx ? &ctx->defaults : NULL,
                   .ctx_arena = ctx ? ctx->arena : NULL,
                   .serial = ctx ? ++ctx->renders : 0,
                   .view = ctx ? ctx->view : 0,
                   .fsview = ctx ? ctx->fsview : NULL,
                   .idle_threads = ctx ? ctx->idle_threads : NULL,
                   .callfiles = ctx ? ctx->callfiles : NULL,
                   .jail_fd = -1,
                   .err = &res->err};
    int rc = 0;
    if (!ctx || !path)
        rc = kr_err_set(&res->err, KRENDER_E_INVALID_ARG, NULL, 0, 0, "%s is NULL", ctx ? "path" : "ctx");
    else if (!(r.arena = r.life = take_arena(ctx)) || !(r.strings = kr_interner_new(r.arena)))
        rc = kr_err_nomem(&res->err);
    if (!rc)
        rc = read_options(&r, opts);
    if (!rc)
        rc = resolve_root(&r, path);
    /* a build may read ahead on a second thread (opts.threads > 1), once it proves big */
    r.read_ahead = job == build_job;
    if (!rc)
        rc = job(&r, res, arg);
    if (rc) {
        /* nothing half-done: a failed render has no output */
        kr_buf_free(&res->yaml);
        kr_buf_free(&res->json);
        free(res->resources);
        res->resources = NULL;
        res->nresources = 0;
        if (res->err.file && res->err.file[0] == '/' && r.root_real) {
            char *shown = strdup(kr_render_display(&r, res->err.file));
            if (shown) {
                free(res->err.file);
                res->err.file = shown;
            }
        }
        fill_public_error(res);
    }
    if ((collect_warnings(res, &r) || collect_files(res, &r)) && !rc) {
        kr_err_nomem(&res->err);
        fill_public_error(res);
        rc = KRENDER_E_NOMEM;
    }
    kr_buf_free(&r.warnings);
    kr_buf_free(&r.files);
    kr_prefetch_free(&r); /* joins the thread (not yet stopped after a failure) */
    kr_fs_end(&r);
    kr_regex_end(&r);
    if (r.jail_fd >= 0)
        close(r.jail_fd);
    kr_arena_free(r.scratch);
    if (ctx && r.arena) { /* keep one chunk of it for the next render of this context */
        ctx->spare = r.arena;
        kr_arena_reset(r.arena);
    } else {
        kr_arena_free(r.arena);
    }
    return rc;
}

KRENDER_API int krender_build(krender_result **out, krender_ctx *ctx, const char *path,
                              const krender_options *opts)
{
    return run_render(out, ctx, path, opts, build_job, NULL);
}

/* ---- many roots: krender_build_many ---- */

typedef struct batch {
    const char *const *paths;
    size_t n;
    krender_options opts; /* the caller's, with threads set for each render */
    krender_done_fn done;
    void *userdata;
    size_t next;           /* the next root to take (atomic) */
    unsigned idle;         /* threads that found no root left to take (atomic) */
    kr_callfiles *files;   /* what the threads read, when there are several */
    kr_fsview *view;       /* the call's view of the file system, shared by its threads */
    pthread_mutex_t lock;  /* guards the two fields below */
    size_t first_failed;   /* index of the first root that failed, n when none */
    int first_rc;
} batch;

typedef struct batch_thread {
    batch *b;
    krender_ctx *ctx;
} batch_thread;

/* Takes the call's view of the file system (shared by its threads) into ctx; false without
 * one (no memory for it). */
static bool begin_view(krender_ctx *ctx, kr_fsview *v)
{
    if (!v)
        return false;
    ctx->fsview = v;
    ctx->view = ++ctx->views;
    return true;
}

static void end_view(krender_ctx *ctx)
{
    ctx->fsview = NULL; /* the call's, freed by it */
    ctx->view = 0;
}

static void batch_failed(batch *b, size_t i, int rc)
{
    pthread_mutex_lock(&b->lock);
    if (i < b->first_failed) {
        b->first_failed = i;
        b->first_rc = rc;
    }
    pthread_mutex_unlock(&b->lock);
}

/* Takes roots in order until none is left. Without a view (no memory for one) the renders are
 * those of krender_build, which still works. */
static void *batch_work(void *arg)
{
    batch_thread *t = arg;
    batch *b = t->b;
    bool viewed = begin_view(t->ctx, b->view);
    t->ctx->idle_threads = b->n > 1 ? &b->idle : NULL;
    t->ctx->callfiles = b->files;
    for (;;) {
        size_t i = __atomic_fetch_add(&b->next, 1, __ATOMIC_RELAXED);
        if (i >= b->n) {
            __atomic_fetch_add(&b->idle, 1, __ATOMIC_ACQ_REL);
            break;
        }
        krender_result *res = NULL;
        int rc = run_render(&res, t->ctx, b->paths[i], &b->opts, build_job, NULL);
        if (rc)
            batch_failed(b, i, rc);
        b->done(b->userdata, i, res);
    }
    t->ctx->idle_threads = NULL;
    t->ctx->callfiles = NULL;
    if (viewed)
        end_view(t->ctx);
    return NULL;
}

struct kr_subcache *kr_ctx_subcache(krender_ctx *ctx)
{
    return ctx->subcache;
}

/* The contexts of threads 1..n-1 (ctx is thread 0's), made on first need; fewer when memory
 * runs out. They keep their own file caches but store and take base results in ctx's
 * subcache: a base built by one thread serves all of them. */
static size_t helper_contexts(krender_ctx *ctx, size_t want)
{
    if (want > ctx->nhelpers) {
        krender_ctx **h = realloc(ctx->helpers, want * sizeof *h);
        if (!h)
            return ctx->nhelpers;
        ctx->helpers = h;
        while (ctx->nhelpers < want && krender_ctx_new(&h[ctx->nhelpers]) == KRENDER_OK) {
            krender_ctx *helper = h[ctx->nhelpers++];
            kr_subcache_free(helper->subcache);
            helper->subcache = ctx->subcache;
            helper->shares_subcache = true;
        }
    }
    return ctx->nhelpers < want ? ctx->nhelpers : want;
}

KRENDER_API int krender_build_many(krender_ctx *ctx, const char *const *paths, size_t n,
                                   const krender_options *opts, krender_done_fn done,
                                   void *userdata)
{
    if (!ctx || (n && !paths) || !done || ctx->view)
        return KRENDER_E_INVALID_ARG;
    batch b = {.paths = paths, .n = n, .opts = current_options(opts), .done = done,
               .userdata = userdata, .lock = PTHREAD_MUTEX_INITIALIZER, .first_failed = n};
    unsigned threads = b.opts.version == KRENDER_OPTIONS_VERSION && b.opts.threads > 1
                           ? (b.opts.threads > 256 ? 256 : b.opts.threads)
                           : 1;
    if (threads > n)
        threads = n ? (unsigned)n : 1;
    if (b.opts.fs) /* a caller's file system is only ever called on the calling thread */
        threads = 1;
    /* many roots keep the threads busy; a single one may use them for its output */
    b.opts.threads = n == 1 ? b.opts.threads : 1;
    size_t extra = threads > 1 ? helper_contexts(ctx, threads - 1) : 0;
    b.files = extra ? kr_callfiles_new() : NULL;
    b.view = kr_fsview_new();
    pthread_t tids[256];
    batch_thread bt[256];
    size_t started = 0;
    for (; started < extra; started++) {
        bt[started + 1] = (batch_thread){&b, ctx->helpers[started]};
        if (kr_thread_create(&tids[started], batch_work, &bt[started + 1]) != 0)
            break;
    }
    bt[0] = (batch_thread){&b, ctx};
    batch_work(&bt[0]);
    for (size_t t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    kr_callfiles_free(b.files);
    kr_fsview_free(b.view);
    return b.first_failed < n ? b.first_rc : KRENDER_OK;
}

KRENDER_API int krender_edit_kustomization(krender_result **out, krender_ctx *ctx,
                                           const char *dir, const krender_edit *edits,
                                           size_t edit_count, const krender_options *opts)
{
    if (!out)
        return KRENDER_E_INVALID_ARG;
    krender_options o = current_options(opts);
    o.edits = NULL; /* the edits to apply are the arguments */
    o.edit_count = 0;
    edit_job_arg arg = {edits, edits ? edit_count : 0};
    if (edit_count && !edits) {
        krender_result *res = calloc(1, sizeof *res);
        *out = res;
        if (!res)
            return KRENDER_E_NOMEM;
        kr_err_set(&res->err, KRENDER_E_INVALID_ARG, NULL, 0, 0, "edits is NULL");
        fill_public_error(res);
        return KRENDER_E_INVALID_ARG;
    }
    return run_render(out, ctx, dir, &o, edit_job, &arg);
}

KRENDER_API const char *krender_result_yaml(const krender_result *r, size_t *len)
{
    if (len)
        *len = r && r->yaml.data ? r->yaml.len : 0;
    return r && r->yaml.data ? r->yaml.data : "";
}

KRENDER_API const krender_error *krender_result_error(const krender_result *r)
{
    return r && r->err.code ? &r->pub : NULL;
}

KRENDER_API size_t krender_result_count(const krender_result *r)
{
    return r ? r->nresources : 0;
}

KRENDER_API int krender_result_resource(const krender_result *r, size_t i, krender_resource *out)
{
    if (!r || !out || i >= r->nresources)
        return KRENDER_E_INVALID_ARG;
    const res_entry *e = &r->resources[i];
    *out = (krender_resource){e->api_version, e->kind, e->name, e->ns, r->yaml.data + e->start,
                              e->len};
    return KRENDER_OK;
}

KRENDER_API const char *krender_result_resource_json(const krender_result *r, size_t i,
                                                     size_t *len)
{
    if (!r || i >= r->nresources || !r->json.data) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = r->resources[i].jlen;
    return r->json.data + r->resources[i].jstart;
}

KRENDER_API size_t krender_result_warning_count(const krender_result *r)
{
    return r ? r->nwarnings : 0;
}

KRENDER_API const char *krender_result_warning(const krender_result *r, size_t i)
{
    return r && i < r->nwarnings ? r->warning_list[i] : NULL;
}

KRENDER_API size_t krender_result_file_count(const krender_result *r)
{
    return r ? r->nfiles : 0;
}

KRENDER_API const char *krender_result_file(const krender_result *r, size_t i)
{
    return r && i < r->nfiles ? r->file_list[i] : NULL;
}

KRENDER_API void krender_result_free(krender_result *r)
{
    if (!r)
        return;
    kr_buf_free(&r->yaml);
    kr_buf_free(&r->json);
    free(r->resources);
    kr_arena_free(r->strings);
    kr_buf_free(&r->warnings);
    free(r->warning_list);
    kr_buf_free(&r->files);
    free(r->file_list);
    kr_err_clear(&r->err);
    free(r);
}
