/* libkrender — render kustomization trees exactly as kustomize v5.6.0 does.
 *
 * Ownership rules, once for the whole API:
 *  - Every pointer returned by a krender_* function is borrowed from the object it was read
 *    from and stays valid until that object is freed (a result until krender_result_free,
 *    static strings forever). Never free() them.
 *  - Objects created by *_new / krender_build are owned by the caller and released with the
 *    matching *_free, which accepts NULL.
 *  - Input strings are only read during the call; the library keeps no pointer to them.
 *
 * Threads: the library has no global mutable state. A krender_ctx (and the results built with
 * it) may be used by one thread at a time; use one context per thread for parallel renders.
 * The library starts threads of its own only when krender_options.threads asks for them.
 * Results are independent of their context once built and may be freed in any order.
 *
 * The library never prints, never exits, and writes no file. */
#ifndef KRENDER_H
#define KRENDER_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(KRENDER_BUILDING) && defined(__GNUC__)
#define KRENDER_API __attribute__((visibility("default")))
#else
#define KRENDER_API
#endif

#define KRENDER_VERSION_STRING "0.1.0"
/* The kustomize release whose output is reproduced byte for byte. */
#define KRENDER_KUSTOMIZE_COMPAT "v5.6.0"

/* Return codes. 0 is success; every failure also fills the result's krender_error. */
enum krender_code {
    KRENDER_OK = 0,
    KRENDER_E_NOMEM = 1,         /* allocation failed */
    KRENDER_E_INVALID_ARG = 2,   /* NULL or malformed argument to the API */
    KRENDER_E_IO = 3,            /* a file could not be read */
    KRENDER_E_NOT_FOUND = 4,     /* a file, directory or kustomization does not exist */
    KRENDER_E_YAML = 5,          /* malformed YAML */
    KRENDER_E_KUSTOMIZATION = 6, /* invalid kustomization file (unknown field, wrong type ...) */
    KRENDER_E_RESOURCE = 7,      /* invalid resource (no kind, no metadata.name ...) */
    KRENDER_E_CONFLICT = 8,      /* two resources with one id */
    KRENDER_E_CYCLE = 9,         /* a kustomization includes itself */
    KRENDER_E_SECURITY = 10,     /* a file outside the allowed root */
    KRENDER_E_UNSUPPORTED = 11,  /* a kustomize feature this build does not implement */
    KRENDER_E_VALUE = 12,        /* a value that cannot be output (.inf, .nan) */
    KRENDER_E_INTERNAL = 13,
    KRENDER_E_LIMIT = 14 /* a limit of krender_options exceeded (file size, resources, output) */
};

/* What went wrong. All strings borrowed from the result. */
typedef struct krender_error {
    int code;            /* enum krender_code */
    const char *message; /* never NULL when code != 0 */
    const char *file;    /* file the problem is in, or NULL */
    unsigned line;       /* 1-based; 0 = unknown */
    unsigned column;     /* 1-based; 0 = unknown */
    const char *chain;   /* kustomization directories that led there, outermost first,
                            joined by " -> " (just the root when the problem is in the
                            root's own build); NULL when no kustomization was involved */
} krender_error;

enum krender_load_restrictor {
    KRENDER_LOAD_ROOT_ONLY = 0, /* kustomize's LoadRestrictionsRootOnly (default) */
    KRENDER_LOAD_NONE = 1       /* LoadRestrictionsNone */
};

enum krender_reorder {
    KRENDER_REORDER_DEFAULT = 0, /* sortOptions of the kustomization, else legacy */
    KRENDER_REORDER_LEGACY = 1,  /* --reorder legacy (sortOptions still wins, as in kustomize) */
    KRENDER_REORDER_NONE = 2     /* --reorder none: input order (sortOptions still wins) */
};

#define KRENDER_OPTIONS_VERSION 5u

/* What a path names, for krender_fs.kind. */
enum krender_fs_kind { KRENDER_FS_MISSING = 0, KRENDER_FS_FILE = 1, KRENDER_FS_DIR = 2 };

/* A file system of the caller's (options version 4, `fs`): the render then reads every file
 * through these callbacks and touches no disk at all. The paths handed to them are absolute and
 * clean ("/a/b": no ".", "..", "//" or trailing "/"); a relative build path is taken relative to
 * "/". There are no symlinks. The callbacks run on the thread calling krender_build, must not
 * call into the library, and are not called after krender_build returns. */
typedef struct krender_fs {
    void *userdata; /* passed back to every callback */
    /* What `path` names: enum krender_fs_kind. */
    int (*kind)(void *userdata, const char *path);
    /* The bytes of the file at `path`: returns 0 with *data and *len set (they must stay valid
     * until `release` is called for them, or until the next callback when release is NULL), or
     * an errno value (ENOENT, EACCES ...) that the render reports. */
    int (*read)(void *userdata, const char *path, const char **data, size_t *len);
    /* Optional (may be NULL): called once per successful read after the library copied the
     * bytes. */
    void (*release)(void *userdata, const char *path, const char *data, size_t len);
} krender_fs;

/* One `kustomize edit` command, given as its arguments after "edit": for example
 * {"set", "image", "nginx=nginx:1.25"} with argc 3. See krender_edit_kustomization for the
 * commands understood. */
typedef struct krender_edit {
    const char *const *argv;
    size_t argc;
} krender_edit;

/* Build options. Always start from KRENDER_OPTIONS_INIT; fields are only ever appended, and
 * `version` tells the library which fields the caller knows. */
typedef struct krender_options {
    unsigned version;           /* KRENDER_OPTIONS_VERSION */
    int load_restrictor;        /* enum krender_load_restrictor */
    int reorder;                /* enum krender_reorder */
    int enable_managedby_label; /* non-zero: add app.kubernetes.io/managed-by */
    const char *jail_root;      /* nothing outside this directory is opened; NULL = no jail */
    /* version 2 */
    int resources_json; /* non-zero: also render each resource as JSON
                           (krender_result_resource_json) */
    /* version 3: limits for untrusted input; 0 = the default shown. Exceeding one fails the
     * render with KRENDER_E_LIMIT. (YAML nesting depth 10000 and alias expansion of 1,000,000
     * nodes per document are fixed: they are go-yaml's, so kustomize fails the same inputs.) */
    size_t max_file_bytes;   /* size of any one file read; default 256 MiB */
    size_t max_resources;    /* resources in any resource map; default 1,000,000 */
    size_t max_output_bytes; /* the YAML (plus the JSON when asked) output; default 1 GiB */
    /* version 4 */
    const krender_fs *fs; /* read files through these callbacks instead of the disk; NULL = disk */
    /* `kustomize edit` commands applied in order to the root kustomization, in memory, before
     * the build: the render is the one of the edited file, and nothing is written (what Argo
     * CD's parameter overrides need when apps of one repository render concurrently). */
    const krender_edit *edits;
    size_t edit_count;
    /* version 5 */
    unsigned threads; /* threads a render may use, the caller's included, for its parallel
                         parts (today: writing the output of a large render); for
                         krender_build_many, the threads rendering its roots. The bytes are
                         those of a serial render. 0 or 1 = only the calling thread (the
                         library starts no thread); a tool rendering many roots on its own
                         threads keeps 1 */
} krender_options;

#define KRENDER_DEFAULT_MAX_FILE_BYTES ((size_t)256 << 20)
#define KRENDER_DEFAULT_MAX_RESOURCES ((size_t)1000000)
#define KRENDER_DEFAULT_MAX_OUTPUT_BYTES ((size_t)1 << 30)

#define KRENDER_OPTIONS_INIT \
    { KRENDER_OPTIONS_VERSION, KRENDER_LOAD_ROOT_ONLY, KRENDER_REORDER_DEFAULT, 0, NULL, 0, 0, 0, 0, \
      NULL, NULL, 0, 0 }

typedef struct krender_ctx krender_ctx;       /* caches parsed files; one thread at a time */
typedef struct krender_result krender_result; /* one render: output or error, and warnings */

/* One rendered resource (all strings borrowed from the result). */
typedef struct krender_resource {
    const char *api_version;
    const char *kind;
    const char *name;
    const char *namespace_; /* "" when the resource has none */
    const char *yaml;       /* this resource's document, without the "---" separator */
    size_t yaml_len;
} krender_resource;

/* Library version ("0.1.0"); static. */
KRENDER_API const char *krender_version(void);
/* Short description of a code; static. */
KRENDER_API const char *krender_strerror(int code);

/* Creates a context. Returns KRENDER_OK or KRENDER_E_NOMEM / KRENDER_E_INVALID_ARG. */
KRENDER_API int krender_ctx_new(krender_ctx **out);
KRENDER_API void krender_ctx_free(krender_ctx *ctx);

/* Renders the kustomization directory `path` (like `kustomize build path`).
 * On return *out holds a result whatever the outcome (NULL only if it could not be
 * allocated); the return value equals krender_result_error(*out)->code or KRENDER_OK.
 * opts may be NULL for the defaults. On failure the result holds no output at all. */
KRENDER_API int krender_build(krender_result **out, krender_ctx *ctx, const char *path,
                              const krender_options *opts);

/* The whole output, exactly as kustomize prints it; "" (len 0) on failure or when there are no
 * resources. len may be NULL. */
KRENDER_API const char *krender_result_yaml(const krender_result *r, size_t *len);
/* NULL on success. */
KRENDER_API const krender_error *krender_result_error(const krender_result *r);
/* Number of resources in the output (0 on failure). */
KRENDER_API size_t krender_result_count(const krender_result *r);
/* Fills *out with resource i (0-based, output order). Returns KRENDER_E_INVALID_ARG when out of
 * range. */
KRENDER_API int krender_result_resource(const krender_result *r, size_t i, krender_resource *out);
/* Resource i as compact JSON (the same values as the YAML; keys in its order), when the build
 * asked for it with resources_json; NULL otherwise or when out of range. len may be NULL. */
KRENDER_API const char *krender_result_resource_json(const krender_result *r, size_t i,
                                                     size_t *len);
/* Warnings kustomize prints on stderr (deprecated fields ...), for the caller to show. */
KRENDER_API size_t krender_result_warning_count(const krender_result *r);
KRENDER_API const char *krender_result_warning(const krender_result *r, size_t i);
/* The files the render read (symlink-free absolute paths, each once, in first-read order),
 * also after a failure: what the render depends on, for tools that re-render only what a
 * change affects. */
KRENDER_API size_t krender_result_file_count(const krender_result *r);
KRENDER_API const char *krender_result_file(const krender_result *r, size_t i);
KRENDER_API void krender_result_free(krender_result *r);

/* Called by krender_build_many for each root as soon as its result is ready; `index` is the
 * root's position in `paths`. The callee owns `result` (krender_result_free; NULL only when it
 * could not be allocated). With opts->threads > 1 it is called from several threads at once,
 * so it must be thread-safe. It must not call into the library with the same context. */
typedef void (*krender_done_fn)(void *userdata, size_t index, krender_result *result);

/* Renders each of paths[0..n) exactly as krender_build would, with one context, and hands each
 * result to `done`. One view of the file system serves the whole call: every file and directory
 * is looked at once for all the roots (a file that changes during the call may be seen as it
 * was first seen), parsed files and the resolved results of bases shared by several roots are
 * reused, and they stay cached in ctx for later calls (re-checked then).
 * opts->threads > 1: the roots are rendered on that many threads, the calling one included,
 * each render on one (not with a caller's fs: its callbacks only ever run on the calling
 * thread); the extra threads have contexts of their own that ctx keeps for later calls. A single root (n == 1) uses the threads as krender_build does. The output of each root
 * is byte-identical whatever the threads.
 * Returns KRENDER_OK when every root rendered, else the code of the first failing root (by
 * index); every root gets its call of `done` either way. KRENDER_E_INVALID_ARG (and no call)
 * for a NULL ctx or done, NULL paths with n > 0, or a call made from a `done` of ctx. */
KRENDER_API int krender_build_many(krender_ctx *ctx, const char *const *paths, size_t n,
                                   const krender_options *opts, krender_done_fn done,
                                   void *userdata);

/* Applies `kustomize edit` commands, in order, to the kustomization of directory `dir` and
 * gives the file kustomize would then write, in the result (krender_result_yaml); the result's
 * first file (krender_result_file) is the kustomization's path. Nothing is written: the caller
 * stores the text (the `kustomize edit` of the CLI writes it atomically). opts may be NULL; its
 * fs, jail_root, load_restrictor and max_file_bytes apply, its edits are ignored.
 * Commands (kustomize v5.6.0's syntax and rules):
 *   set nameprefix P | set namesuffix S | set namespace NS
 *   set image IMAGE[=NEWNAME][:TAG][@DIGEST] ... | set replicas NAME=COUNT ...
 *   add label [--force] [--without-selector] [--include-templates] K:V[,K:V...]
 *   add annotation [--force] K:V[,K:V...]
 *   add component PATH ...
 * Returns KRENDER_OK, or the code of the error also in the result (KRENDER_E_INVALID_ARG for a
 * command it does not understand). */
KRENDER_API int krender_edit_kustomization(krender_result **out, krender_ctx *ctx,
                                           const char *dir, const krender_edit *edits,
                                           size_t edit_count, const krender_options *opts);

#ifdef __cplusplus
}
#endif
#endif
