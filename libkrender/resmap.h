/* The ordered resource map of an accumulation, with a hash index on current ids so that
 * appending and lookups cost O(1) instead of kustomize's linear scans. */
#ifndef KR_RESMAP_H
#define KR_RESMAP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resource.h"

typedef struct kr_resmap {
    kr_resource **items;
    size_t len, cap;
    uint32_t *slots; /* open addressing: index + 1 into items, 0 = empty */
    size_t nslots;
    bool stale; /* ids changed since the index was built */
} kr_resmap;

/* Appends res; fails with KRENDER_E_CONFLICT if a resource with an Equal current id exists. */
int kr_resmap_append(kr_render *r, kr_resmap *m, kr_resource *res);
int kr_resmap_append_all(kr_render *r, kr_resmap *dst, const kr_resmap *src);
/* The resource whose current id Equals id, or NULL. */
kr_resource *kr_resmap_find(kr_render *r, kr_resmap *m, const kr_resid *id);
/* Call after a transformer changed ids: the index is rebuilt on next use. */
static inline void kr_resmap_ids_changed(kr_resmap *m) { m->stale = true; }
/* Keeps the resources for which keep() is true, in order. */
void kr_resmap_filter(kr_resmap *m, bool (*keep)(const kr_resource *, void *), void *arg);

#endif
