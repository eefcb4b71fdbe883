/* Output order (pipeline.md §12): kustomize's legacy kind ranking, or input order (fifo). */
#ifndef KR_ORDER_H
#define KR_ORDER_H
#include "kustomization.h"
#include "resmap.h"

/* Sorts m in kustomize's legacy order. first/last replace the default kind lists when
 * custom is true (each NULL/empty list meaning none). */
int kr_order_legacy(kr_render *r, kr_resmap *m, bool custom, const kr_strlist *first,
                    const kr_strlist *last);

/* The rank of a kind in kustomize's default order lists (negative: orderFirst, positive:
 * orderLast, 0: neither); field-spec lists are sorted by it too. */
int kr_kind_rank_default(const char *kind);

#endif
