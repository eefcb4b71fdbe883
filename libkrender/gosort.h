/* Go's sort.Sort (pattern-defeating quicksort, Go >= 1.19), reproduced exactly: kustomize's
 * legacy order comparator is not transitive for some inputs (the Namespace rule), and then the
 * result depends on the algorithm's exact sequence of comparisons and swaps. */
#ifndef KR_GOSORT_H
#define KR_GOSORT_H
#include <stdbool.h>
#include <stddef.h>

/* Sorts the n pointers of v with less(a, b, arg) exactly as Go's sort.Sort would. */
void kr_go_sort(void **v, size_t n, bool (*less)(const void *, const void *, void *), void *arg);

#endif
