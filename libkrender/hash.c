/* Hash suffixes of generated ConfigMaps and Secrets (pipeline.md §8). Nothing is generated
 * yet, so there is nothing to hash. */
#include "transformers.h"

int kr_add_hash_suffixes(kr_render *r, kr_accum *ra)
{
    (void)r;
    (void)ra;
    return 0;
}
