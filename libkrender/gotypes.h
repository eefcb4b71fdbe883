/* The Go types of a kustomization (api/types of kustomize v5.6.0) as data, and the round trip
 * of a YAML value through them: what a value becomes when kustomize decodes it into its structs
 * and marshals it back with encoding/json (canonical key names, omitempty fields dropped, fields
 * without omitempty always present, nil pointers as null). `kustomize edit` writes files this
 * way, so the edit commands work on these canonical trees. */
#ifndef KR_GOTYPES_H
#define KR_GOTYPES_H
#include <stdbool.h>

#include "error.h"
#include "node.h"

typedef struct kr_gotype kr_gotype;

/* types.Kustomization. */
extern const kr_gotype kr_go_kustomization;
/* Element types the edit commands build values of. */
extern const kr_gotype kr_go_image, kr_go_replica, kr_go_label, kr_go_patch;

/* The canonical form of value n decoded as type t, in arena a. *out is NULL for a nil pointer,
 * map or slice (absent or null input). Type mismatches fail with KRENDER_E_KUSTOMIZATION at
 * n's position in `file`, worded as encoding/json does. Normalizing a canonical tree again
 * gives the same tree, so edited trees are normalized once more before they are written. */
int kr_go_normalize(kr_arena *a, const kr_gotype *t, const kr_node *n, const char *file,
                    kr_node **out, kr_err *err);

#endif
