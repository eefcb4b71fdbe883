/* Moving a base's result out of the scratch arena it was built in.
 *
 * A base of the root builds in a scratch arena (accumulate.c): its kustomization, parsed
 * patches, generator inputs, grown arrays and every intermediate copy die there. Only its
 * resources live on: they are moved into the render's arena and the scratch arena is reset
 * for the next base. An aggregate of hundreds of overlays then holds its resources once,
 * compactly, instead of everything each overlay ever allocated (and the scratch memory, reused
 * warm, is never faulted in again). */
#ifndef KR_COMPACT_H
#define KR_COMPACT_H
#include "accumulate.h"

/* Makes every resource of ra independent of arena `from`: what lies in it (resource records,
 * nodes, arrays, texts, strings) is copied into arena `to`; what lies elsewhere (the file
 * cache's texts, nodes the render already owned) is kept in place, and a container outside
 * `from` that points into it is updated in place. ra->res.items then holds the moved
 * resources (the array itself, and ra's index, still lie in `from`). Id strings are interned
 * by the render, never in `from`. Returns 0 or KRENDER_E_NOMEM. */
int kr_accum_move_resources(kr_render *r, kr_accum *ra, const kr_arena *from, kr_arena *to);

#endif
