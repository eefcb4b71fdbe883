/* ReplicaCountTransformer (pipeline.md §5.5). Not implemented yet. */
#include "transformers.h"

int kr_xf_replicas(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    (void)ra;
    if (kr_not_implemented(r, k, KF_REPLICAS))
        return r->err->code;
    return 0;
}

