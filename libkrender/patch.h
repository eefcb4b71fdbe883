/* Patching (spec/merge.md): kustomize's strategic merge (kyaml merge2), JSON 6902 patches,
 * patch target selectors, and the config-driven entry points the patch transformers (and the
 * builtin Patch*Transformer plugin configs) share. */
#ifndef KR_PATCH_H
#define KR_PATCH_H
#include <stdbool.h>
#include <stddef.h>

#include "accumulate.h"
#include "decode.h"
#include "node.h"
#include "parse.h"
#include "render.h"

/* ---- schema.c: merge keys of the built-in types (data/patch-merge-keys.yaml, merge.md §4) */

typedef struct kr_smp_type kr_smp_type;
typedef enum { KR_SF_OBJECT = 1, KR_SF_MAP, KR_SF_LIST, KR_SF_OTHER } kr_smp_field_kind;
typedef struct kr_smp_field {
    const char *name;
    uint8_t kind;          /* kr_smp_field_kind */
    bool merge;            /* list: strategy contains "merge" */
    bool has_strategy;     /* list: any strategy or key given */
    const char *type_name; /* object / map value / list element type (NULL: scalar) */
    const kr_smp_type *type;
    const char **keys; /* list: merge keys (`keys`, else `key`) */
    uint32_t nkeys;
} kr_smp_field;
struct kr_smp_type {
    const char *name;
    kr_smp_field *fields;
    uint32_t nfields;
};
typedef struct kr_smp_schema kr_smp_schema;

/* The built-in schema (static, immutable: generated from data/patch-merge-keys.yaml). */
const kr_smp_schema *kr_smp_schema_builtin(void);
/* Builds a schema from a Swagger 2.0 document (`openapi: {path: ...}`): its definitions with
 * x-kubernetes-group-version-kind are the only roots (merge.md §4.3); definitions it refers to
 * but lacks are taken from `builtin`, as kustomize does. */
int kr_smp_schema_from_swagger(kr_arena *a, const kr_node *doc, const char *file,
                               const kr_smp_schema *builtin, kr_smp_schema **out, kr_err *err);
/* The root type of a resource of apiVersion/kind, or NULL (custom kinds: lists replaced). */
const kr_smp_type *kr_smp_schema_root(const kr_smp_schema *s, const char *api_version,
                                      const char *kind);
const kr_smp_field *kr_smp_type_field(const kr_smp_type *t, const char *name, size_t len);

/* ---- smp.c: the merge itself */

/* Merges patch into *doc with kyaml merge2's rules (ListIncreaseDirection prepend). patch is
 * consumed (mutated, partly linked into the result): pass a copy. *doc becomes NULL when the
 * patch deletes the whole resource. Errors (wrong node kind, unknown patch strategy) name
 * `file` and the patch node's position. */
int kr_smp_merge(kr_render *r, const kr_smp_schema *s, kr_node **doc, kr_node *patch,
                 const char *file);

/* ---- json6902.c */

typedef enum { KR_JP_ADD, KR_JP_REMOVE, KR_JP_REPLACE, KR_JP_MOVE, KR_JP_COPY, KR_JP_TEST } kr_jp_opkind;
typedef struct kr_jp_op {
    uint8_t op;
    const char *path, *from; /* raw JSON pointers */
    const kr_node *value;    /* add/replace/test (may be a null scalar) */
    const kr_node *at;       /* the op's node (positions) */
} kr_jp_op;
typedef struct kr_jp_patch {
    kr_jp_op *ops;
    size_t n;
} kr_jp_patch;

/* What the patch steps read of a patch text, also for the thread reading ahead (prefetch.c):
 * an inline `patches` text without its surrounding white space, and whether a text reads as a
 * list first (a JSON patch then, else strategic-merge documents). */
const char *kr_patch_trim(const char *s, size_t *len);
bool kr_patch_looks_like_list(const char *s, size_t n);
/* The YAML mode kr_jp_decode reads text in: JSON (1.2) when it starts with '[', else 1.1. */
static inline kr_yaml_mode kr_jp_mode(const char *text, size_t len)
{
    return len && text[0] == '[' ? KR_YAML_12 : KR_YAML_11;
}

/* Decodes an operation list from text (JSON if it starts with '[', else YAML). */
int kr_jp_decode(kr_render *r, const char *text, size_t len, const char *file, kr_jp_patch *out);
/* The same for text already parsed (that way) into doc, NULL for an empty text. */
int kr_jp_decode_doc(kr_render *r, const kr_node *doc, const char *file, kr_jp_patch *out);
/* Applies the ops to *doc in order (values deep-copied into the render arena), then redoes
 * the float64 round trip of numbers. */
int kr_jp_apply(kr_render *r, const kr_jp_patch *p, kr_node *doc, const char *file);
/* Splits a JSON pointer into unescaped tokens (~1 -> /, ~0 -> ~). False if malformed. */
bool kr_jp_split(kr_arena *a, const char *ptr, char ***tokens, size_t *n);

/* ---- selector.c */

typedef struct kr_labelsel kr_labelsel;
/* Parses a Kubernetes label selector ("a=b,c in (d),!e,f>3"); "" selects everything. */
int kr_labelsel_parse(kr_arena *a, const char *text, kr_labelsel **out, const char **problem);
/* Does the string map m (labels or annotations; NULL = empty) satisfy sel? */
bool kr_labelsel_matches(const kr_labelsel *sel, const kr_node *m);

typedef struct kr_selector kr_selector;
/* Compiles a patch target (group, version, kind, name, namespace: anchored RE2-style regexes;
 * labelSelector, annotationSelector). Errors at node `at` of `file`. */
int kr_selector_compile(kr_render *r, const kr_node *target, const char *file,
                        kr_selector **out);
bool kr_selector_matches(const kr_selector *s, const kr_resource *res);
void kr_selector_free(kr_selector *s);

/* ---- xf_patch.c: config-driven entry points */

typedef struct kr_patch_opts {
    bool allow_name_change, allow_kind_change;
} kr_patch_opts;

/* One `patches` entry already loaded: text (trimmed) is an SMP or JSON 6902 patch; target
 * (may be NULL) a Selector node; `source` describes the patch in messages ("[path: \"p\"]");
 * file/at give error positions. */
int kr_patch_apply_text(kr_render *r, kr_accum *ra, const char *text, size_t len,
                        const kr_node *target, const kr_patch_opts *o, const char *source,
                        const char *file, const kr_node *at);
/* SMP documents applied as patchesStrategicMerge does (each to the resource with its id). */
int kr_patch_apply_sm_docs(kr_render *r, kr_accum *ra, kr_node **docs, size_t ndocs,
                           const char *file);
/* A JSON 6902 op list applied to every resource selected by target (patchesJson6902 style:
 * no previous id recorded unless record_prev). */
int kr_patch_apply_json(kr_render *r, kr_accum *ra, const kr_jp_patch *p, const kr_node *target,
                        bool record_prev, const char *file, const kr_node *at);

/* One `patches` entry (a Patch map: path | patch, target, options), decoded with d. */
int kr_patch_entry(kr_render *r, const kr_kustomization *k, kr_accum *ra, const kr_node *e,
                   const kr_decoder *d);
/* One `patchesJson6902` entry (path | patch, target with a name). */
int kr_patch_json6902_entry(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                            const kr_node *e, const kr_decoder *d);
/* One `patchesStrategicMerge` item: inline YAML documents, or a file path. */
int kr_patch_sm_item(kr_render *r, const kr_kustomization *k, kr_accum *ra, const kr_node *e);

#endif
