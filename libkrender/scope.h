/* Which apiVersion/kind pairs are cluster-scoped (data/cluster-scoped.yaml, embedded). */
#ifndef KR_SCOPE_H
#define KR_SCOPE_H
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "error.h"

/* Slots of the kind table: open addressing over the XXH3 hash of the kind (the hash the
 * interner stores, so a render looks an interned kind up without hashing it again). */
#define KR_SCOPE_SLOTS 256u

/* Laid out here for the copy tools/gen_tconfig.c writes at build time; opaque otherwise. */
typedef struct kr_scope {
    kr_arena *arena; /* NULL: the table compiled in */
    size_t n;
    const char **api_versions, **kinds;
    uint64_t *hashes;                /* XXH3 of kinds[i] */
    uint16_t slot[KR_SCOPE_SLOTS];   /* index + 1 into the arrays, 0 = empty */
} kr_scope;

/* The table compiled in at build time (tconfig_table.c, generated), or NULL in the generator
 * itself. */
const kr_scope *kr_scope_precomputed(void);

/* The table: the one compiled in, else the embedded YAML parsed (what the generator does). It
 * is immutable and may be shared by renders. */
int kr_scope_new(kr_scope **out, kr_err *err);
void kr_scope_free(kr_scope *s);
bool kr_scope_is_cluster(const kr_scope *s, const char *api_version, const char *kind);
/* The same, given XXH3_64bits of kind (what kr_intern_hash returns for the interned kind). */
bool kr_scope_is_cluster_hashed(const kr_scope *s, const char *api_version, const char *kind,
                                uint64_t kind_hash);

#endif
