/* ReplacementTransformer (pipeline.md §5.7). Not implemented yet. */
#include "transformers.h"

int kr_xf_replacements(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    (void)ra;
    if (kr_not_implemented(r, k, KF_REPLACEMENTS))
        return r->err->code;
    return 0;
}

