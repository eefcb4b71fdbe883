/* Which apiVersion/kind pairs are cluster-scoped (data/cluster-scoped.yaml, embedded). */
#ifndef KR_SCOPE_H
#define KR_SCOPE_H
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

typedef struct kr_scope kr_scope;

/* Parses the embedded table; the result is immutable and may be shared by renders. */
int kr_scope_new(kr_scope **out, kr_err *err);
void kr_scope_free(kr_scope *s);
bool kr_scope_is_cluster(const kr_scope *s, const char *api_version, const char *kind);
/* The same, given XXH3_64bits of kind (what kr_intern_hash returns for the interned kind). */
bool kr_scope_is_cluster_hashed(const kr_scope *s, const char *api_version, const char *kind,
                                uint64_t kind_hash);

#endif
