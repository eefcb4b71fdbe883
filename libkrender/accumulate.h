/* The accumulation of one kustomization (pipeline.md §3): its resources and bases, recursively,
 * then (as they land) generators, components and transformers, in kustomize's order. */
#ifndef KR_ACCUMULATE_H
#define KR_ACCUMULATE_H
#include "fieldspec.h"
#include "kustomization.h"
#include "resmap.h"

/* What an accumulation carries: the resources and the transformer configuration (defaults +
 * `configurations:` of every kustomization visited). */
typedef struct kr_var kr_var; /* xf_vars.c */

typedef struct kr_accum {
    kr_resmap res;
    kr_tconfig config;
    kr_var *vars; /* `vars:` of every kustomization accumulated, names unique */
    size_t nvars, vars_cap;
} kr_accum;

/* The chain of kustomization directories being built, innermost first (cycle detection). */
typedef struct kr_visit {
    const char *dir;
    const struct kr_visit *parent;
} kr_visit;

/* Accumulates the kustomization in `dir` (symlink-free absolute) into `out` (zeroed by the
 * caller); *k receives the decoded kustomization. On error, the chain of kustomizations is
 * recorded in r->err. */
int kr_accumulate(kr_render *r, const char *dir, const kr_visit *parent, kr_accum *out,
                  kr_kustomization **k);

/* Accumulates `resources`-like entries of k (files, or directories built as kustomizations)
 * into out, e.g. the configs named by `transformers:`. */
int kr_accumulate_paths(kr_render *r, const kr_kustomization *k, const kr_strlist *paths,
                        kr_accum *out);

/* Reads a file named by an entry of kustomization k (relative to its directory, load
 * restrictor and jail applied); errors point at the entry. */
typedef struct kr_file kr_file;
int kr_load_kfile(kr_render *r, const kr_kustomization *k, const kr_node *entry, kr_file **f);
/* The same for a file the thread reading ahead reads too (a `patches` file: prefetch.c). */
int kr_load_kfile_ahead(kr_render *r, const kr_kustomization *k, const kr_node *entry,
                        kr_file **f);

#endif
