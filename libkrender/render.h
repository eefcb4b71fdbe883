/* State of one render, shared by the internal stages. Everything here dies with the render
 * except `ctx` (caches that outlive it). */
#ifndef KR_RENDER_H
#define KR_RENDER_H
#include "arena.h"
#include "buf.h"
#include "coldread.h"
#include "error.h"
#include "intern.h"
#include "krender.h"
#include "node.h"
#include "resid.h"

typedef struct kr_render kr_render;
typedef struct kr_cache kr_cache;
typedef struct kr_scope kr_scope;
typedef struct kr_tconfig kr_tconfig;
typedef struct kr_realcache kr_realcache;
typedef struct kr_smp_schema kr_smp_schema;
typedef struct kr_fsview kr_fsview;

struct kr_render {
    /* where the stages allocate: the render's own arena (`life`), or while a base of the root
     * builds, a scratch arena its result is moved out of (accumulate.c) */
    kr_arena *arena;
    kr_arena *life;    /* lives as long as the render: its caches allocate here (kr_render_life) */
    kr_arena *scratch; /* the scratch arena, kept for the next base (NULL until one is used) */
    kr_interner *strings;
    kr_cache *cache;       /* the context's file cache */
    const kr_scope *scope; /* cluster-scoped kinds */
    const kr_tconfig *defaults; /* kustomize's default transformer configuration */
    kr_arena *ctx_arena;             /* memory that lives as long as the context */
    const kr_smp_schema *smp_custom; /* from `openapi: {path: ...}`, when one was given */
    bool track_origin;  /* the root has buildMetadata: record origins and transformations */
    bool schema_chosen; /* the first kustomization with `openapi:` decided the schema */
    krender_options opts;
    kr_err *err;
    kr_buf warnings; /* NUL-separated warning lines */
    size_t nwarnings;
    kr_buf files; /* NUL-separated paths of the files read, each once */
    size_t nfiles;
    uint64_t serial; /* this render's number in its context (marks files as read by it) */
    /* krender_build_many: the call's number in the context (0 outside one), and its view of
     * the file system. A file or path looked at once in a view is not looked at again. */
    uint64_t view;
    kr_fsview *fsview;
    /* krender_build_many: how many of the call's threads have no root left to take (atomic);
     * the output may borrow them (api.c emit_all). NULL outside a call. */
    unsigned *idle_threads;
    /* krender_build_many: the files the call's threads have read (loader.h). NULL outside one. */
    struct kr_callfiles *callfiles;
    const char *user_root; /* the build path as the caller gave it (for messages) */
    const char *root_real; /* its symlink-free absolute form */
    kr_realcache *realcache; /* loader.c: resolved directories of this render */
    int jail_fd; /* directory descriptor of opts.jail_root (openat2 RESOLVE_BENEATH); valid
                  * exactly when opts.jail_root is set, -1 otherwise */
    struct kr_subcache *subcache;  /* the context's stored base results (subbuild.h) */
    struct kr_subbuild *subbuild;  /* the innermost base being built and recorded, or NULL */
    struct kr_prefetch *prefetch; /* prefetch.h: files read ahead on a second thread, or NULL */
    bool read_ahead;              /* a build: prefetch.h may start */
    struct kr_patch_cache *patch_cache; /* xf_patch.c: parses of patch texts seen twice (render
                                         * arena; NULL until the first patch) */
    struct kr_regexes *regexes; /* regex_cache.h: the patterns this render compiled */
    kr_coldness cold;           /* whether the files it reads itself are cached (coldread.h) */
};

/* The arena of what must outlive the stage that makes it: the render's caches (file
 * resolutions, patch parses, the custom schema, strings handed to the read-ahead thread). */
static inline kr_arena *kr_render_life(kr_render *r)
{
    return r->life ? r->life : r->arena;
}

/* A path for messages: relative to the build root as the caller spelled it. */
const char *kr_render_display(kr_render *r, const char *abs);

/* Records a warning (kustomize prints these on stderr; the CLI does). */
void kr_render_warn(kr_render *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fills an id's parts from the tree's apiVersion/kind/metadata (interned). A part already in
 * *id (NULL, or interned by this render) is kept when its text did not change. */
int kr_render_make_id(kr_render *r, const kr_node *doc, kr_resid *id);

#endif
