/* Output order (pipeline.md §12): kustomize's legacy kind ranking, or input order (fifo). */
#ifndef KR_ORDER_H
#define KR_ORDER_H
#include "kustomization.h"
#include "resmap.h"

/* Sorts m in kustomize's legacy order. first/last replace the default kind lists when
 * custom is true (each NULL/empty list meaning none). */
int kr_order_legacy(kr_render *r, kr_resmap *m, bool custom, const kr_strlist *first,
                    const kr_strlist *last);

#endif
