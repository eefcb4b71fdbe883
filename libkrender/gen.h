/* ConfigMap and Secret generators (pipeline.md §6-§7, kustomization.md §9): key/value sources,
 * the generated object, and its absorption into an accumulator (create / merge / replace).
 * kr_run_generators (transformers.h) drives them for `configMapGenerator` / `secretGenerator`;
 * the builtin ConfigMapGenerator / SecretGenerator plugin configs can use the same entry points. */
#ifndef KR_GEN_H
#define KR_GEN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accumulate.h"

typedef enum { KR_GEN_CONFIGMAP, KR_GEN_SECRET } kr_gen_kind;

/* Where a generator's arguments come from. */
typedef struct kr_gen_src {
    const kr_kustomization *k; /* files are read from k->dir through its load restrictor */
    const char *file;          /* the file holding the arguments (error positions) */
    const char *path;          /* JSON path of the arguments for Go-style type errors:
                                  "configMapGenerator"; NULL for a plugin config */
    bool strict;               /* unknown keys are errors (kustomization) or ignored (plugin) */
    const char *default_name;  /* used when `name` is empty (a plugin's metadata.name), or NULL */
    const char *default_ns;    /* used when `namespace` is empty, or NULL */
} kr_gen_src;

/* Builds the ConfigMap / Secret described by args (a ConfigMapArgs / SecretArgs map) with the
 * kustomization-wide generatorOptions global_opts (may be NULL) merged into its own options.
 * The resource gets behavior, needs_hash and file = src->file. Decodes args strictly (Go
 * encoding/json rules), reads envs, literals and files, and fails with the position of the
 * offending entry. */
int kr_gen_make(kr_render *r, const kr_gen_src *src, kr_gen_kind kind, const kr_node *args,
                const kr_node *global_opts, kr_resource **out);

/* Absorbs generated resources into an accumulator (§7) with an index of every resource's
 * current and previous ids, so each generator costs O(1) on average. */
typedef struct kr_absorber {
    kr_accum *ra;
    uint32_t *heads; /* bucket -> entry + 1 */
    struct kr_absorb_entry *entries;
    size_t nbuckets, len, cap;
    size_t indexed; /* resources of ra->res indexed so far */
} kr_absorber;

void kr_absorber_init(kr_absorber *ab, kr_accum *ra);
/* Appends g, or merges / replaces it into the one resource whose current or previous id
 * Equals g's; errors point at file:at (the generator entry). */
int kr_absorb(kr_render *r, kr_absorber *ab, kr_resource *g, const char *file, const kr_node *at);

/* ---- key/value sources (gen_sources.c), exposed for tests ---- */

typedef struct kr_kv {
    const char *key, *val; /* NUL-terminated; val may hold NULs (vlen says) */
    size_t klen, vlen;
} kr_kv;

typedef struct kr_kvlist {
    kr_kv *items;
    size_t n, cap;
} kr_kvlist;

bool kr_kvlist_push(kr_arena *a, kr_kvlist *l, kr_kv kv);

/* A fixed-capacity set of byte strings (keys are borrowed, not copied). */
typedef struct kr_keyset {
    const char **keys;
    size_t *lens;
    size_t nslots;
} kr_keyset;

bool kr_keyset_init(kr_arena *a, kr_keyset *s, size_t capacity);
/* 1 if key was added, 0 if it was already there (at most `capacity` keys may be added). */
int kr_keyset_add(kr_keyset *s, const char *key, size_t len);
bool kr_keyset_has(const kr_keyset *s, const char *key, size_t len);

/* An env file (bufio.Scanner lines; BOM on the first line, leading white space, blank and #
 * lines, a line without '=' -> empty value, a line starting with '=' skipped). Returns 0,
 * KRENDER_E_NOMEM, or KRENDER_E_KUSTOMIZATION with *bad = the line holding invalid UTF-8. */
int kr_env_parse(kr_arena *a, const char *data, size_t len, kr_kvlist *out, const char **bad,
                 size_t *badlen);
/* `KEY=VALUE` with matching surrounding quotes removed; false when there is no '=' or it is
 * the first character. */
bool kr_literal_parse(kr_arena *a, const char *s, size_t n, kr_kv *out);
/* `[KEY=]PATH` -> key (path's base name by default) and path. NULL on success, else the
 * message kustomize gives (arena-allocated). */
const char *kr_file_source_parse(kr_arena *a, const char *s, const char **key, const char **path);
/* Standard base64, cut in lines of 70 characters each followed by '\n' when longer than one
 * line (kustomize's encodeBase64). */
char *kr_base64_wrapped(kr_arena *a, const void *data, size_t len, size_t *outlen);

#endif
