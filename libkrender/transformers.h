/* The steps of an accumulation (pipeline.md §3-§4) and of the top-level build (§8-§11), one
 * module each. Every step takes the kustomization being built and its accumulator, reads its
 * own fields from k->fields[] (decoding them strictly, with positions), and works on ra. */
#ifndef KR_TRANSFORMERS_H
#define KR_TRANSFORMERS_H
#include "accumulate.h"

/* Reports a field whose feature has not landed yet (KRENDER_E_UNSUPPORTED at the key), when it
 * is set to something non-empty; 0 otherwise. */
int kr_not_implemented(kr_render *r, const kr_kustomization *k, kr_kfield f);

/* openapi.c: the first kustomization with `openapi:` chooses the strategic-merge schema. */
int kr_apply_openapi(kr_render *r, const kr_kustomization *k);

/* crds.c: field specs from the OpenAPI definitions named by `crds:`, merged into ra's config. */
int kr_load_crds(kr_render *r, const kr_kustomization *k, kr_accum *ra);

/* gen_configmap.c: configMapGenerator then secretGenerator (§6-§7). */
int kr_run_generators(kr_render *r, const kr_kustomization *k, kr_accum *ra);

/* The builtin transformers, in the order kustomize runs them (§4). */
int kr_xf_patches_strategic_merge(kr_render *r, const kr_kustomization *k, kr_accum *ra);
int kr_xf_patches(kr_render *r, const kr_kustomization *k, kr_accum *ra);
int kr_xf_namespace(kr_render *r, const kr_kustomization *k, kr_accum *ra);     /* xf_namespace.c */
int kr_xf_prefix_suffix(kr_render *r, const kr_kustomization *k, kr_accum *ra); /* xf_prefix.c */
int kr_xf_labels(kr_render *r, const kr_kustomization *k, kr_accum *ra);        /* xf_labels.c */
int kr_xf_annotations(kr_render *r, const kr_kustomization *k, kr_accum *ra);   /* xf_labels.c */
int kr_xf_patches_json6902(kr_render *r, const kr_kustomization *k, kr_accum *ra);
int kr_xf_replicas(kr_render *r, const kr_kustomization *k, kr_accum *ra);      /* xf_replicas.c */
int kr_xf_images(kr_render *r, const kr_kustomization *k, kr_accum *ra);        /* xf_images.c */
int kr_xf_replacements(kr_render *r, const kr_kustomization *k, kr_accum *ra);
/* plugins.c: `generators:` and `transformers:` entries configuring builtin plugins. */
int kr_run_generator_plugins(kr_render *r, const kr_kustomization *k, kr_accum *ra);
int kr_run_transformer_plugins(kr_render *r, const kr_kustomization *k, kr_accum *ra);
/* xf_valueadd.c: the ValueAddTransformer plugin. */
int kr_plugin_value_add(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                        kr_resource *config);

/* xf_vars.c: at the end of each accumulation, `vars:` are bound to their resources and added
 * to the accumulator (names must be unique across the build); kr_merge_vars adds a base's. */
int kr_bind_vars(kr_render *r, const kr_kustomization *k, kr_accum *ra);
int kr_merge_vars(kr_render *r, kr_accum *dst, const kr_accum *src);

/* Top level only, after the whole accumulation. */
int kr_add_hash_suffixes(kr_render *r, kr_accum *ra);   /* hash.c (§8) */
int kr_fix_name_references(kr_render *r, kr_accum *ra); /* nameref.c (§9) */
int kr_resolve_vars(kr_render *r, kr_accum *ra);        /* xf_vars.c (§10) */

#endif
