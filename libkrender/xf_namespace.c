/* NamespaceTransformer (pipeline.md §5.2). Not implemented yet. */
#include "transformers.h"

int kr_xf_namespace(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    (void)ra;
    if (kr_not_implemented(r, k, KF_NAMESPACE))
        return r->err->code;
    return 0;
}

