/* Zeroed heap memory for a hash table that is about to be probed and filled at random. */
#ifndef KR_TABLE_ALLOC_H
#define KR_TABLE_ALLOC_H
#include <stdlib.h>
#include <string.h>

/* calloc, but with every page written now. A big calloc hands out fresh pages untouched; the
 * table's first probes then map them to the shared zero page, and the first insert into each
 * copies it: an extra fault, and a TLB flush that interrupts every other core the process has
 * run on (the read-ahead and output threads). memset faults each page in once, writable.
 * NULL when out of memory or n * size overflows; freed with free(). */
static inline void *kr_table_alloc(size_t n, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes))
        return NULL;
    void *p = malloc(bytes ? bytes : 1);
    if (p)
        memset(p, 0, bytes);
    return p;
}

#endif
