/* LabelTransformer and AnnotationsTransformer (pipeline.md §5.4). Not implemented yet. */
#include "transformers.h"

int kr_xf_labels(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    (void)ra;
    if (kr_not_implemented(r, k, KF_LABELS))
        return r->err->code;
    if (kr_not_implemented(r, k, KF_COMMON_LABELS))
        return r->err->code;
    return 0;
}

int kr_xf_annotations(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    (void)ra;
    if (kr_not_implemented(r, k, KF_COMMON_ANNOTATIONS))
        return r->err->code;
    return 0;
}

