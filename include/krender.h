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

#define KRENDER_OPTIONS_VERSION 3u

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
} krender_options;

#define KRENDER_DEFAULT_MAX_FILE_BYTES ((size_t)256 << 20)
#define KRENDER_DEFAULT_MAX_RESOURCES ((size_t)1000000)
#define KRENDER_DEFAULT_MAX_OUTPUT_BYTES ((size_t)1 << 30)

#define KRENDER_OPTIONS_INIT \
    { KRENDER_OPTIONS_VERSION, KRENDER_LOAD_ROOT_ONLY, KRENDER_REORDER_DEFAULT, 0, NULL, 0, 0, 0, 0 }

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

#ifdef __cplusplus
}
#endif
#endif
