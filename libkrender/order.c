#include "order.h"

#include "gosort.h"

#include <stdlib.h>
#include <string.h>

static const char *const default_first[] = {
    "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
    "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
    "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange", "PriorityClass",
    "PersistentVolume", "PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob",
    "PodDisruptionBudget"};
static const char *const default_last[] = {"MutatingWebhookConfiguration",
                                           "ValidatingWebhookConfiguration"};

/* Precomputed per resource so the n·log n comparisons do no allocation. */
typedef struct sort_key {
    kr_resource *res;
    int rank;
    const char *gvk;  /* "G_V_K" with ~G/~V/~K for empty parts */
    const char *full; /* "Kind.version.group|NS|NAME" with ~X/~N */
} sort_key;

static int compare(const sort_key *a, const sort_key *b)
{
    const kr_resid *ia = &a->res->id, *ib = &b->res->id;
    if (!kr_gvk_equal(ia, ib)) {
        if (a->rank != b->rank)
            return a->rank < b->rank ? -1 : 1;
        int c = strcmp(a->gvk, b->gvk);
        /* kustomize sorts core Namespaces before Namespaces of other groups */
        if (strcmp(ia->kind, "Namespace") == 0 && strcmp(ib->kind, "Namespace") == 0 &&
            (!ia->group[0] || !ib->group[0]))
            return -c;
        return c;
    }
    return strcmp(a->full, b->full);
}

static bool less(const void *a, const void *b, void *arg)
{
    (void)arg;
    return compare(a, b) < 0;
}

/* Rank of a kind: the last occurrence in a list wins, as with kustomize's map. */
static int rank_of(const char *kind, const char *const *first, size_t nfirst,
                   const char *const *last, size_t nlast)
{
    int rank = 0;
    for (size_t i = 0; i < nfirst; i++)
        if (strcmp(first[i], kind) == 0)
            rank = (int)i - (int)nfirst;
    for (size_t i = 0; i < nlast; i++)
        if (strcmp(last[i], kind) == 0)
            rank = 1 + (int)i;
    return rank;
}

int kr_kind_rank_default(const char *kind)
{
    return rank_of(kind, default_first, sizeof default_first / sizeof *default_first,
                   default_last, sizeof default_last / sizeof *default_last);
}

static const char **list_texts(kr_render *r, const kr_strlist *l)
{
    const char **out = kr_arena_alloc(r->arena, (l->n + 1) * sizeof *out);
    if (out)
        for (size_t i = 0; i < l->n; i++)
            out[i] = kr_is_scalar(l->items[i]) ? l->items[i]->u.text : "";
    return out;
}

int kr_order_legacy(kr_render *r, kr_resmap *m, bool custom, const kr_strlist *first,
                    const kr_strlist *last)
{
    const char *const *f = default_first, *const *l = default_last;
    size_t nf = sizeof default_first / sizeof *default_first;
    size_t nl = sizeof default_last / sizeof *default_last;
    if (custom) {
        f = list_texts(r, first);
        l = list_texts(r, last);
        nf = first->n;
        nl = last->n;
        if (!f || !l)
            return kr_err_nomem(r->err);
    }
    if (m->len < 2)
        return 0;
    sort_key *keys = malloc(m->len * sizeof *keys);
    void **order = malloc(m->len * sizeof *order);
    if (!keys || !order) {
        free(keys);
        free(order);
        return kr_err_nomem(r->err);
    }
    for (size_t i = 0; i < m->len; i++) {
        const kr_resid *id = &m->items[i]->id;
        keys[i].res = m->items[i];
        keys[i].rank = rank_of(id->kind, f, nf, l, nl);
        keys[i].gvk = kr_arena_printf(r->arena, "%s_%s_%s", id->group[0] ? id->group : "~G",
                                      id->version[0] ? id->version : "~V",
                                      id->kind[0] ? id->kind : "~K");
        keys[i].full = kr_arena_printf(r->arena, "%s|%s|%s", kr_gvk_string(r->arena, id),
                                       id->ns[0] ? id->ns : "~X", id->name[0] ? id->name : "~N");
        if (!keys[i].gvk || !keys[i].full) {
            free(keys);
            free(order);
            return kr_err_nomem(r->err);
        }
        order[i] = &keys[i];
    }
    /* Go's exact algorithm: the comparator is not transitive for some Namespace mixes */
    kr_go_sort(order, m->len, less, NULL);
    for (size_t i = 0; i < m->len; i++)
        m->items[i] = ((sort_key *)order[i])->res;
    free(keys);
    free(order);
    return 0;
}
