/* One whole `kustomize build`: accumulate the root, the top-level-only steps (hash suffixes,
 * name references, vars, local-config, order, managed-by label, build annotations), emit. */
#ifndef KR_BUILD_H
#define KR_BUILD_H
#include "resmap.h"

/* Renders r->root_real into m (final order, output-ready trees). */
int kr_build_resmap(kr_render *r, kr_resmap *m);

#endif
