/* Patches: patchesStrategicMerge, patches, patchesJson6902 (merge.md). Not implemented yet. */
#include "transformers.h"

int kr_xf_patches_strategic_merge(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    (void)ra;
    if (kr_not_implemented(r, k, KF_PATCHES_STRATEGIC_MERGE))
        return r->err->code;
    return 0;
}

int kr_xf_patches(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    (void)ra;
    if (kr_not_implemented(r, k, KF_PATCHES))
        return r->err->code;
    return 0;
}

int kr_xf_patches_json6902(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    (void)ra;
    if (kr_not_implemented(r, k, KF_PATCHES_JSON6902))
        return r->err->code;
    return 0;
}

