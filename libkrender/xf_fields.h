/* The field-spec driven transformers with their configuration given explicitly, so that both
 * the kustomization fields (commonLabels, labels, commonAnnotations, images, replicas) and the
 * builtin plugin configs (LabelTransformer, AnnotationsTransformer, ImageTagTransformer,
 * ReplicaCountTransformer with their own `fieldSpecs:`) run the same code. */
#ifndef KR_XF_FIELDS_H
#define KR_XF_FIELDS_H
#include <stdbool.h>
#include <stdint.h>

#include "accumulate.h"
#include "decode.h"
#include "fieldspec.h"
#include "resmap.h"

/* ---- decoding (Go encoding/json messages) ---- */

/* A []types.FieldSpec at JSON path `path` (e.g. "labels.fields", "fieldSpecs"), appended to
 * out. `owner` is the Go struct holding the list ("Label"); messages name the spec's fields as
 * Go does ("FieldSpec.labels.fields.Gvk.kind"). strict: unknown keys are errors (kustomization
 * files); plugin configs go through sigs.k8s.io/yaml, which ignores them. */
int kr_fslist_decode(const kr_decoder *d, const kr_node *n, const char *owner, const char *path,
                     bool strict, kr_fslist *out);

/* A Go string field: strict, it must be a JSON string; else (plugin configs, which kustomize
 * hands over as JSON) any scalar in its JSON spelling (1.10 -> "1.1", true -> "true"). *out is
 * "" for null / absent. */
int kr_xf_dec_str(const kr_decoder *d, const kr_node *n, const char *field, bool strict,
                  const char **out);

/* "wrong node kind: expected <want> but got <kind>Node" at n (a setter's error). */
int kr_xf_wrong_kind(kr_render *r, const kr_resource *res, const kr_node *n, const char *want);

/* ---- labels and annotations (xf_labels.c) ---- */

typedef struct kr_strpair {
    const char *key, *value;
} kr_strpair;

/* A map[string]string in sorted key order (what kustomize iterates). */
typedef struct kr_strpairs {
    kr_strpair *v;
    size_t n;
} kr_strpairs;

/* A map[string]string at Go field `field` ("Label.labels.pairs"): keys and values (null values
 * are ""; a repeated key keeps its last value; strict as for kr_xf_dec_str), sorted bytewise. */
int kr_strpairs_decode(const kr_decoder *d, const kr_node *map, const char *field, bool strict,
                       kr_strpairs *out);

/* LabelTransformer / AnnotationsTransformer: for every resource, every key, every spec
 * selecting the resource's current gvk: set key to the string value in the map at the spec's
 * path (maps created where the spec says so). No-op for an empty set. */
int kr_xf_set_entries(kr_render *r, kr_resmap *m, const kr_strpairs *pairs, const kr_fslist *fs);

/* ---- images (xf_images.c) ---- */

/* types.Image. The position (file, line, col) is where errors about the entry point. */
typedef struct kr_image {
    const char *name, *new_name, *new_tag, *digest, *tag_suffix;
    const char *file;
    uint32_t line, col;
} kr_image;

/* One Image object at JSON path `path` ("images", "imageTag"). */
int kr_image_decode(const kr_decoder *d, const kr_node *n, const char *path, bool strict,
                    kr_image *out);

/* ImageTagTransformer: the legacy pass (every `containers` / `initContainers` list anywhere),
 * then the field-spec pass; CustomResourceDefinitions are skipped. */
int kr_xf_image_apply(kr_render *r, kr_resmap *m, const kr_image *img, const kr_fslist *fs);

/* One image update of one reference (exposed for tests): *out is the new reference (in the
 * render arena), or NULL when ref does not match img->name. The matcher (img's compiled name
 * pattern, img borrowed) must be freed. */
typedef struct kr_image_matcher kr_image_matcher;
int kr_image_matcher_new(kr_render *r, const kr_image *img, kr_image_matcher **out);
void kr_image_matcher_free(kr_image_matcher *mt);
/* image.Split: [host[:port]/]path[:tag][@digest]; the first '/' hides a registry port. The
 * parts point into s (not NUL-terminated). */
typedef struct kr_image_ref {
    const char *name, *tag, *digest;
    size_t name_len, tag_len, digest_len;
} kr_image_ref;
kr_image_ref kr_image_split(const char *s);
int kr_image_update(kr_render *r, const kr_image_matcher *mt, const char *ref, const char **out);

/* ---- replicas (xf_replicas.c) ---- */

/* types.Replica. */
typedef struct kr_replica {
    const char *name;
    int64_t count;
    const char *file;
    uint32_t line, col;
} kr_replica;

int kr_replica_decode(const kr_decoder *d, const kr_node *n, const char *path, bool strict,
                      kr_replica *out);

/* ReplicaCountTransformer: resources with any id named rep->name whose gvk a spec selects get
 * the count at the spec's path; none at all is an error. */
int kr_xf_replica_apply(kr_render *r, kr_resmap *m, const kr_replica *rep, const kr_fslist *fs);

/* ---- builtin plugin configs (apiVersion: builtin), with plugins.c's plugin signature ----
 * LabelTransformer {labels, fieldSpecs}, AnnotationsTransformer {annotations, fieldSpecs},
 * ImageTagTransformer {imageTag, fieldSpecs}, ReplicaCountTransformer {replica, fieldSpecs}:
 * decoded as kustomize decodes plugin configs (unknown keys ignored, JSON spellings). */
int kr_plugin_labels(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                     kr_resource *config);
int kr_plugin_annotations(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                          kr_resource *config);
int kr_plugin_image_tag(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                        kr_resource *config);
int kr_plugin_replica_count(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                            kr_resource *config);

#endif
