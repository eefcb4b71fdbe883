/* The rename family, driven by explicit configuration so that both the kustomization fields
 * (`namespace:`, `namePrefix:`, `nameSuffix:`) and the builtin plugin configs
 * (NamespaceTransformer, PrefixTransformer, SuffixTransformer, PrefixSuffixTransformer given
 * through `transformers:`) share one implementation (pipeline.md §5.2, §5.3). */
#ifndef KR_XF_RENAME_H
#define KR_XF_RENAME_H
#include <stdbool.h>

#include "fieldspec.h"
#include "render.h"
#include "resmap.h"

/* NamespaceTransformer's setRoleBindingSubjects. */
typedef enum {
    KR_RB_DEFAULT_ONLY = 0,     /* "defaultOnly" (and unspecified) */
    KR_RB_ALL_SERVICE_ACCOUNTS, /* "allServiceAccounts" */
    KR_RB_NONE                  /* "none" */
} kr_rb_subjects;

typedef struct kr_ns_config {
    const char *ns;          /* "" = do nothing */
    const kr_fslist *specs;  /* the `namespace` field specs (may be NULL) */
    bool unset_only;         /* only fill fields that are missing or empty */
    kr_rb_subjects subjects;
} kr_ns_config;

/* setRoleBindingSubjects text -> mode ("" is defaultOnly); false for anything else (kustomize:
 * `invalid value "<s>" for setRoleBindingSubjects: must be one of "defaultOnly", "none" or
 * "allServiceAccounts"`). */
bool kr_rb_subjects_parse(const char *s, kr_rb_subjects *out);

/* Sets the namespace of every resource of m (§5.2): records previous ids, sets
 * metadata.namespace on namespaced kinds, handles (Cluster)RoleBinding subjects, applies the
 * field specs, and fails with "namespace transformation produces ID conflict". */
int kr_namespace_apply(kr_render *r, kr_resmap *m, const kr_ns_config *c);

/* PrefixTransformer (suffix = false) / SuffixTransformer (suffix = true) over m (§5.3) with
 * the given field specs; the affix may be "" (kustomize still walks the fields). The plugins
 * require `fieldSpecs` ("fieldSpecs is not expected to be nil" when absent); the legacy
 * PrefixSuffixTransformer is the prefix pass then the suffix pass with one config. */
int kr_affix_apply(kr_render *r, kr_resmap *m, const char *affix, bool suffix,
                   const kr_fslist *specs);

/* Replaces scalar n by text as kyaml's untagged SetScalar does: the original style is kept, so
 * a plain result is re-resolved (prefix "1" + name 23 gives the int 123). */
int kr_set_untagged_scalar(kr_render *r, kr_node *n, const char *text, size_t len);
/* Replaces node n by the string scalar text (a `!!str`-tagged set). */
int kr_set_string_scalar(kr_render *r, kr_node *n, const char *text, size_t len);
/* Appends a prefix / suffix to a resource's lists (ignores ""). */
int kr_resource_add_prefix(kr_render *r, kr_resource *res, const char *p);
int kr_resource_add_suffix(kr_render *r, kr_resource *res, const char *s);

#endif
