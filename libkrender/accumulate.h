/* The accumulation of one kustomization (pipeline.md §3): its resources and bases, recursively,
 * then (as they land) generators, components and transformers, in kustomize's order. */
#ifndef KR_ACCUMULATE_H
#define KR_ACCUMULATE_H
#include "kustomization.h"
#include "resmap.h"

/* The chain of kustomization directories being built, innermost first (cycle detection). */
typedef struct kr_visit {
    const char *dir;
    const struct kr_visit *parent;
} kr_visit;

/* Accumulates the kustomization in `dir` (symlink-free absolute) into `out`; *k receives the
 * decoded kustomization. On error, the chain of kustomizations is recorded in r->err. */
int kr_accumulate(kr_render *r, const char *dir, const kr_visit *parent, kr_resmap *out,
                  kr_kustomization **k);

#endif
