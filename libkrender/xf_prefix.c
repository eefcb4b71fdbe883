/* PrefixTransformer / SuffixTransformer (pipeline.md §5.3). Not implemented yet. */
#include "transformers.h"

int kr_xf_prefix_suffix(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    (void)ra;
    if (kr_not_implemented(r, k, KF_NAME_PREFIX))
        return r->err->code;
    if (kr_not_implemented(r, k, KF_NAME_SUFFIX))
        return r->err->code;
    return 0;
}

