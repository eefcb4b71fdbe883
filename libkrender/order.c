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

/* The resources of one group/version/kind (ids are interned: one class per address triple),
 * and what comparisons need of it, worked out once per class rather than per resource. */
typedef struct gvk_class {
    const char *group, *version, *kind;
    int rank;
    int order;       /* position of "G_V_K" (~G/~V/~K for empty parts) among the classes' */
    bool namespace_; /* kind Namespace */
    size_t text;     /* offset of "G_V_K" in the key text while it is built */
} gvk_class;

/* Precomputed per resource so the n·log n comparisons do no allocation. */
typedef struct sort_key {
    kr_resource *res;
    const gvk_class *cls;
    /* "NS|NAME" (~X/~N when empty): kustomize compares "Kind.version.group|NS|NAME", whose
     * first part is the same within a class */
    const char *rest;
} sort_key;

static int compare(const sort_key *a, const sort_key *b)
{
    const gvk_class *ca = a->cls, *cb = b->cls;
    if (ca != cb) {
        if (ca->rank != cb->rank)
            return ca->rank < cb->rank ? -1 : 1;
        int c = (ca->order > cb->order) - (ca->order < cb->order);
        /* kustomize sorts core Namespaces before Namespaces of other groups */
        if (ca->namespace_ && cb->namespace_ && (!ca->group[0] || !cb->group[0]))
            return -c;
        return c;
    }
    return strcmp(a->rest, b->rest);
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

/* The classes met so far, and an open-addressing index of them by address triple. */
typedef struct class_table {
    gvk_class *v;
    size_t n, cap;
    uint32_t *slots; /* class index + 1, 0 = empty */
    size_t nslots;
} class_table;

static size_t slot_of(const class_table *t, const char *g, const char *v, const char *k)
{
    uint64_t h = ((uintptr_t)k * 0x9E3779B97F4A7C15u) ^ ((uintptr_t)g * 0xC2B2AE3D27D4EB4Fu) ^
                 ((uintptr_t)v * 0x165667B19E3779F9u);
    return (size_t)(h >> 17) & (t->nslots - 1);
}

static bool grow_index(class_table *t)
{
    size_t n = t->nslots ? t->nslots * 2 : 64;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return false;
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    for (size_t c = 0; c < t->n; c++) {
        size_t i = slot_of(t, t->v[c].group, t->v[c].version, t->v[c].kind);
        while (t->slots[i])
            i = (i + 1) & (n - 1);
        t->slots[i] = (uint32_t)c + 1;
    }
    return true;
}

/* The index of id's class, added (ranked by the lists) when new; *ok false without memory. */
static size_t class_of(class_table *t, const kr_resid *id, const char *const *f, size_t nf,
                       const char *const *l, size_t nl, bool *ok)
{
    if ((t->n + 1) * 2 > t->nslots && !grow_index(t)) {
        *ok = false;
        return 0;
    }
    size_t i = slot_of(t, id->group, id->version, id->kind);
    for (; t->slots[i]; i = (i + 1) & (t->nslots - 1)) {
        const gvk_class *c = &t->v[t->slots[i] - 1];
        if (c->kind == id->kind && c->group == id->group && c->version == id->version)
            return t->slots[i] - 1;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        gvk_class *v = realloc(t->v, cap * sizeof *v);
        if (!v) {
            *ok = false;
            return 0;
        }
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n] = (gvk_class){id->group, id->version, id->kind, rank_of(id->kind, f, nf, l, nl),
                             0, strcmp(id->kind, "Namespace") == 0, 0};
    t->slots[i] = (uint32_t)++t->n;
    return t->n - 1;
}

static void free_classes(class_table *t)
{
    free(t->v);
    free(t->slots);
}

/* Each class's `order`: the rank of its "G_V_K" among all (equal texts, equal order), so the
 * comparisons compare integers where kustomize compares these strings. */
static bool order_classes(class_table *t, const char *text)
{
    size_t *by = malloc((t->n ? t->n : 1) * sizeof *by);
    if (!by)
        return false;
    for (size_t c = 0; c < t->n; c++)
        by[c] = c;
    for (size_t i = 1; i < t->n; i++) { /* a few dozen classes: insertion sort */
        size_t x = by[i], j = i;
        for (; j > 0 && strcmp(text + t->v[x].text, text + t->v[by[j - 1]].text) < 0; j--)
            by[j] = by[j - 1];
        by[j] = x;
    }
    int pos = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (i && strcmp(text + t->v[by[i]].text, text + t->v[by[i - 1]].text) != 0)
            pos++;
        t->v[by[i]].order = pos;
    }
    free(by);
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
    class_table t = {0};
    /* the key strings in one buffer; keys hold class indexes and text offsets until the
     * classes and the buffer are complete (both may move while they grow) */
    kr_buf text = {0};
    bool ok = keys && order;
    for (size_t i = 0; i < m->len && ok; i++) {
        const kr_resid *id = &m->items[i]->id;
        size_t c = class_of(&t, id, f, nf, l, nl, &ok);
        size_t rest = text.len;
        ok = ok && put3(&text, '|', id->ns[0] ? id->ns : "~X", id->name[0] ? id->name : "~N",
                        NULL);
        keys[i] = (sort_key){m->items[i], (const gvk_class *)(uintptr_t)c,
                             (const char *)(uintptr_t)rest};
    }
    for (size_t c = 0; c < t.n && ok; c++) { /* "G_V_K" of each class */
        const gvk_class *k = &t.v[c];
        t.v[c].text = text.len;
        ok = put3(&text, '_', k->group[0] ? k->group : "~G", k->version[0] ? k->version : "~V",
                  k->kind[0] ? k->kind : "~K");
    }
    if (ok)
        ok = order_classes(&t, text.data);
    if (!ok) {
        kr_buf_free(&text);
        free_classes(&t);
        free(keys);
        free(order);
        return kr_err_nomem(r->err);
    }
    for (size_t i = 0; i < m->len; i++) {
        keys[i].cls = &t.v[(uintptr_t)keys[i].cls];
        keys[i].rest = text.data + (uintptr_t)keys[i].rest;
        order[i] = &keys[i];
    }
    /* Go's exact algorithm: the comparator is not transitive for some Namespace mixes */
    kr_go_sort(order, m->len, less, NULL);
    for (size_t i = 0; i < m->len; i++)
        m->items[i] = ((sort_key *)order[i])->res;
    kr_buf_free(&text);
    free_classes(&t);
    free(keys);
    free(order);
    return 0;
}
