/* One resource of the build: its YAML tree plus kustomize's bookkeeping, kept as fields
 * rather than the build annotations kustomize stores in the tree (they never reach output). */
#ifndef KR_RESOURCE_H
#define KR_RESOURCE_H
#include <stddef.h>

#include "node.h"
#include "resid.h"

typedef struct kr_render kr_render;

/* kustomize's resource.Origin: a file (path) or the config that made or changed a resource
 * (configuredIn + configuredBy). Paths are relative to the root kustomization. */
typedef struct kr_origin {
    const char *path;
    const char *configured_in;
    const char *by_api_version, *by_kind, *by_name, *by_ns;
} kr_origin;

typedef struct kr_resource {
    kr_node *node;    /* the document: a map with kind and metadata.name */
    const char *file; /* file it was read from (diagnostics); NULL for generated ones */
    kr_resid id;      /* current id; kr_resource_refresh_id after changing the tree */
    kr_resid *prev;   /* previous ids, oldest first (original id = prev[0] if any) */
    uint32_t nprev, prev_cap;
    /* kustomize's build annotations, as fields */
    const char **prefixes, **suffixes; /* applied name prefixes / suffixes, innermost first */
    uint32_t nprefixes, nsuffixes;
    uint8_t behavior;  /* kr_gen_behavior of a generated resource (0: not generated) */
    bool needs_hash;   /* a generated resource whose name gets the content hash (§8) */
    kr_origin origin;        /* where it came from (buildMetadata) */
    kr_origin *transforms;   /* transformers that ran over it, in order (buildMetadata) */
    uint32_t ntransforms, transforms_cap;
} kr_resource;

typedef enum {
    KR_GEN_NONE = 0,
    KR_GEN_UNSPECIFIED,
    KR_GEN_CREATE,
    KR_GEN_MERGE,
    KR_GEN_REPLACE
} kr_gen_behavior;

/* Builds the resource for doc (validated map). */
kr_resource *kr_resource_new(kr_render *r, kr_node *doc, const char *file);
/* Re-reads group/version/kind/name/namespace from the tree. Returns non-zero on OOM. */
int kr_resource_refresh_id(kr_render *r, kr_resource *res);
/* Records the current id as a previous one (before a rename). */
int kr_resource_push_prev(kr_render *r, kr_resource *res);
const kr_resid *kr_resource_orig_id(const kr_resource *res);

/* Turns the documents of one resource file into resources (pipeline.md §2.4-2.6: validation of
 * kind and metadata.name, List expansion in kustomize's order). Appends to *out (grown with
 * the render arena). */
int kr_resources_from_docs(kr_render *r, const char *file, kr_node **docs, size_t ndocs,
                           kr_resource ***out, size_t *nout, size_t *cap);

#endif
