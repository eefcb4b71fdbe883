/* ReplacementTransformer entry point shared by `replacements:` and the builtin plugin. */
#ifndef KR_XF_REPLACEMENTS_H
#define KR_XF_REPLACEMENTS_H
#include "transformers.h"

/* Applies a list of replacements (inline maps or {path: file}) in order. strict: unknown keys
 * are errors (kustomization fields) or ignored (plugin configs, which kustomize reads leniently).
 * Files named by `path:` are read relative to k, through the load restrictor. */
int kr_replacements_apply(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                          const kr_node *list, const char *file, bool strict);

/* Label and annotation selectors (Kubernetes syntax) against a resource's labels/annotations;
 * empty strings match everything. */
int kr_match_label_selectors(kr_render *r, const kr_resource *res, const char *labels,
                             const char *annotations, bool *out);

#endif
