/* configMapGenerator and secretGenerator (pipeline.md §6-§7). Not implemented yet. */
#include "transformers.h"

int kr_run_generators(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    (void)ra;
    if (kr_not_implemented(r, k, KF_CONFIG_MAP_GENERATOR))
        return r->err->code;
    if (kr_not_implemented(r, k, KF_SECRET_GENERATOR))
        return r->err->code;
    if (kr_not_implemented(r, k, KF_GENERATOR_OPTIONS))
        return r->err->code;
    return 0;
}

