/* Resource identity: (group, version, kind, name, namespace) with kustomize's Equals rule
 * (effective namespace: cluster-scoped kinds have none, "" and "default" are the same). */
#ifndef KR_RESID_H
#define KR_RESID_H
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"

typedef struct kr_resid {
    const char *group, *version, *kind, *name, *ns; /* interned, never NULL ("" if absent) */
    bool cluster_scoped;
} kr_resid;

/* "_non_namespaceable_", "default" or the namespace (interned when the inputs are). */
const char *kr_resid_effective_ns(const kr_resid *id);
bool kr_resid_equal(const kr_resid *a, const kr_resid *b);
/* Consistent with kr_resid_equal; parts must be interned. */
uint64_t kr_resid_hash(const kr_resid *id);
bool kr_gvk_equal(const kr_resid *a, const kr_resid *b);
/* kustomize's string form: Kind.version.group/name.namespace with [noGrp] etc. */
char *kr_resid_string(kr_arena *a, const kr_resid *id);
/* Kind.version.group (the Gvk part of the above). */
char *kr_gvk_string(kr_arena *a, const kr_resid *id);

#endif
