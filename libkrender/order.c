#include "order.h"

#include "gosort.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

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

/* Appends "a<sep>b<sep>c" (c may be NULL: "a<sep>b") and its NUL. */
static bool put3(kr_buf *b, char sep, const char *x, const char *y, const char *z)
{
    size_t lx = strlen(x), ly = strlen(y), lz = z ? strlen(z) : 0;
    if (!kr_buf_reserve(b, lx + ly + lz + 3))
        return false;
    char *p = b->data + b->len;
    memcpy(p, x, lx), p += lx;
    *p++ = sep;
    memcpy(p, y, ly), p += ly;
    if (z) {
        *p++ = sep;
        memcpy(p, z, lz), p += lz;
    }
    *p++ = '\0';
    b->len = (size_t)(p - b->data);
    return true;
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
    /* the key strings of all resources in one scratch buffer (offsets until it is complete) */
    kr_buf text = {0};
    bool ok = true;
    for (size_t i = 0; i < m->len && ok; i++) {
        const kr_resid *id = &m->items[i]->id;
        keys[i].res = m->items[i];
        keys[i].rank = rank_of(id->kind, f, nf, l, nl);
        size_t gvk = text.len;
        ok = put3(&text, '_', id->group[0] ? id->group : "~G",
                  id->version[0] ? id->version : "~V", id->kind[0] ? id->kind : "~K");
        size_t full = text.len;
        /* kr_gvk_string(id) "|" ns "|" name */
        ok = ok &&
             put3(&text, '.', id->kind[0] ? id->kind : "[noKind]",
                  id->version[0] ? id->version : "[noVer]", id->group[0] ? id->group : "[noGrp]");
        if (ok) {
            text.len--; /* continue the same string */
            ok = kr_buf_putc(&text, '|') &&
                 put3(&text, '|', id->ns[0] ? id->ns : "~X", id->name[0] ? id->name : "~N", NULL);
        }
        keys[i].gvk = (const char *)(uintptr_t)gvk;
        keys[i].full = (const char *)(uintptr_t)full;
    }
    if (!ok) {
        kr_buf_free(&text);
        free(keys);
        free(order);
        return kr_err_nomem(r->err);
    }
    for (size_t i = 0; i < m->len; i++) {
        keys[i].gvk = text.data + (uintptr_t)keys[i].gvk;
        keys[i].full = text.data + (uintptr_t)keys[i].full;
        order[i] = &keys[i];
    }
    /* Go's exact algorithm: the comparator is not transitive for some Namespace mixes */
    kr_go_sort(order, m->len, less, NULL);
    for (size_t i = 0; i < m->len; i++)
        m->items[i] = ((sort_key *)order[i])->res;
    kr_buf_free(&text);
    free(keys);
    free(order);
    return 0;
}
