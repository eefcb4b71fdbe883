/* ImageTagTransformer (pipeline.md §5.6). Not implemented yet. */
#include "transformers.h"

int kr_xf_images(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    (void)ra;
    if (kr_not_implemented(r, k, KF_IMAGES))
        return r->err->code;
    if (kr_not_implemented(r, k, KF_IMAGE_TAGS))
        return r->err->code;
    return 0;
}

