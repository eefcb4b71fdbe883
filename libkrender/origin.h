/* buildMetadata's bookkeeping (kustomization.md §2): where each resource came from and which
 * transformers ran over it, written as the config.kubernetes.io/origin and
 * alpha.config.kubernetes.io/transformations annotations when the root asks for them. */
#ifndef KR_ORIGIN_H
#define KR_ORIGIN_H
#include <stdbool.h>

#include "accumulate.h"

/* The origin of a builtin transformer or generator configured by kustomization k's fields. */
kr_origin kr_origin_builtin(kr_render *r, const kr_kustomization *k, const char *kind);
/* The origin of a plugin configured by resource `config` (read from a file or inline). */
kr_origin kr_origin_of_config(kr_render *r, const kr_kustomization *k, const kr_resource *config);
/* Records that a transformer with origin o ran over every resource of ra (count times); a
 * resource with no origin yet takes o as its origin, as kustomize does. No-op unless the
 * build tracks origins. */
int kr_origin_note(kr_render *r, kr_accum *ra, const kr_origin *o, size_t count);
/* Sets the requested annotations on res. */
int kr_origin_annotate(kr_render *r, kr_resource *res, bool origin, bool transformations);

#endif
