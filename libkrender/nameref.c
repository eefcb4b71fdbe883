/* The name-reference fixer (pipeline.md §9). No transformer renames anything yet. */
#include "transformers.h"

int kr_fix_name_references(kr_render *r, kr_accum *ra)
{
    (void)r;
    (void)ra;
    return 0;
}
