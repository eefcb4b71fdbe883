/* kustomization.yaml -> typed struct, with Go encoding/json's decoding rules (unknown fields
 * rejected, case-insensitive keys, strict types) and positions kept for every error. */
#ifndef KR_KUSTOMIZATION_H
#define KR_KUSTOMIZATION_H
#include <stdbool.h>
#include <stddef.h>

#include "decode.h"
#include "node.h"
#include "render.h"

/* Every top-level field kustomize v5.6.0 knows, in struct order. */
typedef enum {
    KF_API_VERSION, KF_KIND, KF_METADATA, KF_OPENAPI, KF_NAME_PREFIX, KF_NAME_SUFFIX,
    KF_NAMESPACE, KF_COMMON_LABELS, KF_LABELS, KF_COMMON_ANNOTATIONS,
    KF_PATCHES_STRATEGIC_MERGE, KF_PATCHES_JSON6902, KF_PATCHES, KF_IMAGES, KF_IMAGE_TAGS,
    KF_REPLACEMENTS, KF_REPLICAS, KF_VARS, KF_SORT_OPTIONS, KF_RESOURCES, KF_COMPONENTS,
    KF_CRDS, KF_BASES, KF_CONFIG_MAP_GENERATOR, KF_SECRET_GENERATOR, KF_HELM_GLOBALS,
    KF_HELM_CHARTS, KF_HELM_CHART_INFLATION_GENERATOR, KF_GENERATOR_OPTIONS,
    KF_CONFIGURATIONS, KF_GENERATORS, KF_TRANSFORMERS, KF_VALIDATORS, KF_BUILD_METADATA,
    KF_COUNT
} kr_kfield;

typedef enum { KR_SORT_UNSET = 0, KR_SORT_LEGACY, KR_SORT_FIFO } kr_sort_order;


typedef struct kr_kustomization {
    const char *path; /* the kustomization file */
    const char *dir;  /* its directory, symlink-free absolute */
    bool is_component;
    const struct kr_visit *visit; /* kustomizations being built, this one first;
                                     valid only while it accumulates */
    kr_node *fields[KF_COUNT]; /* raw value of each field present (NULL when absent/null) */
    kr_node *keys[KF_COUNT];   /* the key node of each field, for positions */
    kr_strlist resources;      /* resources, then bases (kustomize appends them at load) */
    kr_strlist components;
    bool has_sort_options;
    kr_sort_order sort_order;
    bool has_legacy_sort;
    kr_strlist order_first, order_last;
} kr_kustomization;

/* Loads the kustomization of directory dir (symlink-free absolute path). */
int kr_kustomization_load(kr_render *r, const char *dir, kr_kustomization **out);
/* The JSON name of a field ("namePrefix"). */
const char *kr_kfield_name(kr_kfield f);

#endif
