/* Builtin plugins configured through generators: and transformers:. Not implemented yet. */
#include "transformers.h"

int kr_run_generator_plugins(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    (void)ra;
    if (kr_not_implemented(r, k, KF_GENERATORS))
        return r->err->code;
    return 0;
}

int kr_run_transformer_plugins(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    (void)ra;
    if (kr_not_implemented(r, k, KF_TRANSFORMERS))
        return r->err->code;
    return 0;
}

