/* The name-reference fixer (pipeline.md §9): after all renames, every field listed in the
 * nameReference configuration that holds a target's old name gets the target's new name.
 *
 * kustomize scans every resource for every reference; here candidates are found through a
 * hash index on previous names, and the "does any candidate have original namespace N"
 * question of fixMap through precomputed sets, so the whole pass is linear in resources plus
 * references (times the few resources that share one previous name). */
#include <stdlib.h>
#include <string.h>

#include "par.h"
#include "transformers.h"
#include "xf_rename.h"
#include "table_alloc.h"

/* ---- a hash map keyed by a pair of interned pointers, holding a list of indices ---- */

/* A slot: free while a is NULL (every key's first pointer is an interned string or a mark). */
typedef struct pentry {
    const void *a, *b;
    uint32_t *v;
    uint32_t n, cap;
} pentry;

typedef struct pmap {
    pentry *e;
    size_t mask, count;
    kr_arena *lists; /* where the entries' lists grow (the pass's own arena) */
} pmap;

static size_t phash(const void *a, const void *b)
{
    uint64_t h = (uint64_t)(uintptr_t)a * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t)(uintptr_t)b * 0xC2B2AE3D27D4EB4Full;
    return (size_t)(h ^ (h >> 29));
}

static pentry *pmap_slot(pentry *e, size_t mask, const void *a, const void *b)
{
    size_t i = phash(a, b) & mask;
    while (e[i].a && (e[i].a != a || e[i].b != b))
        i = (i + 1) & mask;
    return &e[i];
}

static pentry *pmap_find(const pmap *m, const void *a, const void *b)
{
    if (!m->e)
        return NULL;
    pentry *s = pmap_slot(m->e, m->mask, a, b);
    return s->a ? s : NULL;
}

/* The tables are scratch of the pass, on malloc (pmap_free); their lists are in m->lists. */
static int pmap_grow(kr_render *r, pmap *m)
{
    size_t n = m->e ? (m->mask + 1) * 2 : 16;
    pentry *e = kr_table_alloc(n, sizeof *e);
    if (!e)
        return kr_err_nomem(r->err);
    for (size_t i = 0; m->e && i <= m->mask; i++)
        if (m->e[i].a)
            *pmap_slot(e, n - 1, m->e[i].a, m->e[i].b) = m->e[i];
    free(m->e);
    m->e = e;
    m->mask = n - 1;
    return 0;
}

static void pmap_free(pmap *m)
{
    free(m->e);
    *m = (pmap){0};
}

static pentry *pmap_get(kr_render *r, pmap *m, const void *a, const void *b)
{
    pentry *s = pmap_find(m, a, b);
    if (s)
        return s;
    if ((!m->e || (m->count + 1) * 2 > m->mask + 1) && pmap_grow(r, m))
        return NULL;
    s = pmap_slot(m->e, m->mask, a, b);
    *s = (pentry){.a = a, .b = b};
    m->count++;
    return s;
}

static int pentry_push(kr_render *r, kr_arena *lists, pentry *e, uint32_t x)
{
    if (e->n == e->cap) { /* most lists hold one or two resources */
        uint32_t cap = e->cap ? e->cap * 2 : 2;
        uint32_t *v = kr_arena_alloc(lists, cap * sizeof *v);
        if (!v)
            return kr_err_nomem(r->err);
        if (e->n)
            memcpy(v, e->v, e->n * sizeof *v);
        e->v = v;
        e->cap = cap;
    }
    e->v[e->n++] = x;
    return 0;
}

/* Adds x to the list of key (a, b) unless it is already its last element. */
static int pmap_add(kr_render *r, pmap *m, const void *a, const void *b, uint32_t x)
{
    pentry *e = pmap_get(r, m, a, b);
    if (!e)
        return kr_err_nomem(r->err);
    return e->n && e->v[e->n - 1] == x ? 0 : pentry_push(r, m->lists, e, x);
}

/* ---- the pass ---- */

static const char any_mark, cluster_mark; /* sentinels of the namespace sets (never written) */

typedef enum { NARROW_NONE, NARROW_ORG, NARROW_CUR, NARROW_EMPTY } narrow_mode;

typedef struct nr_ctx {
    kr_render *r;
    kr_resource **res;
    size_t n;
    const char **org_ens, **cur_ens; /* interned effective namespaces per resource */
    pmap names;  /* (previous name) -> resources, in order */
    pmap names_ns; /* (previous name, current ens) -> namespaced non-ServiceAccount resources */
    pmap names_any; /* (previous name) -> cluster-scoped resources and ServiceAccounts */
    pmap ns_cur; /* (org ens, any/cluster/current ens) -> present */
    pmap ns_raw; /* (org ens, raw namespace) -> present */
    pmap kinds;  /* (referrer spec kind) -> global spec numbers */
    const kr_nameref **spec_t; /* per global spec number: its target ... */
    const kr_fieldspec **spec_f; /* ... and its referrer spec */
    size_t max_candidates; /* the most resources sharing one previous name */
    uint32_t *scratch;     /* room for max_candidates */
    const char *kindless;  /* "" interned: the kind of specs for every kind */
    /* the referrer being fixed */
    kr_resource *R;
    bool r_cluster, r_is_rb, r_ready;
    const char *r_ens;
    const char **subj;
    size_t nsubj;
    const kr_nameref *T;
    const kr_fieldspec *F;
} nr_ctx;

static const char *intern_ens(nr_ctx *c, const kr_resid *id)
{
    return kr_intern(c->r->strings, kr_resid_effective_ns(id));
}

static int index_resource(nr_ctx *c, uint32_t i)
{
    kr_render *r = c->r;
    kr_resource *res = c->res[i];
    const kr_resid *org = kr_resource_orig_id(res);
    /* neighbours mostly share their namespaces: then so do their effective namespaces and
     * the namespace sets' entries (ns parts are interned) */
    const kr_resource *nb = i ? c->res[i - 1] : NULL;
    const kr_resid *nb_org = nb ? kr_resource_orig_id(nb) : NULL;
    bool same_ns = nb && org->ns == nb_org->ns && org->cluster_scoped == nb_org->cluster_scoped &&
                   res->id.ns == nb->id.ns && res->id.cluster_scoped == nb->id.cluster_scoped;
    c->org_ens[i] = same_ns ? c->org_ens[i - 1] : intern_ens(c, org);
    c->cur_ens[i] = same_ns ? c->cur_ens[i - 1] : intern_ens(c, &res->id);
    if (!c->org_ens[i] || !c->cur_ens[i])
        return kr_err_nomem(r->err);
    /* a namespaced referrer can only pick these two kinds of candidates (same_ns_as_referrer),
     * so it looks at two short lists instead of every resource sharing the name */
    bool anywhere = res->id.cluster_scoped || strcmp(res->id.kind, "ServiceAccount") == 0;
    for (uint32_t p = 0; p < res->nprev; p++) {
        const char *name = res->prev[p].name;
        if (pmap_add(r, &c->names, name, NULL, i) ||
            (anywhere ? pmap_add(r, &c->names_any, name, NULL, i)
                      : pmap_add(r, &c->names_ns, name, c->cur_ens[i], i)))
            return r->err->code;
    }
    const char *o = c->org_ens[i];
    if (same_ns)
        return 0;
    if (pmap_add(r, &c->ns_cur, o, &any_mark, 0) || pmap_add(r, &c->ns_cur, o, c->cur_ens[i], 0) ||
        (res->id.cluster_scoped && pmap_add(r, &c->ns_cur, o, &cluster_mark, 0)) ||
        pmap_add(r, &c->ns_raw, o, res->id.ns, 0))
        return r->err->code;
    return 0;
}

static int index_specs(nr_ctx *c, const kr_tconfig *cfg)
{
    kr_render *r = c->r;
    size_t total = 0;
    for (size_t t = 0; t < cfg->nnameref; t++)
        total += cfg->nameref[t].referrers.n;
    c->spec_t = kr_arena_alloc(r->arena, (total + 1) * sizeof *c->spec_t);
    c->spec_f = kr_arena_alloc(r->arena, (total + 1) * sizeof *c->spec_f);
    if (!c->spec_t || !c->spec_f)
        return kr_err_nomem(r->err);
    uint32_t g = 0;
    for (size_t t = 0; t < cfg->nnameref; t++)
        for (size_t j = 0; j < cfg->nameref[t].referrers.n; j++, g++) {
            const kr_fieldspec *fs = &cfg->nameref[t].referrers.v[j];
            const char *kind = kr_intern(r->strings, fs->kind);
            c->spec_t[g] = &cfg->nameref[t];
            c->spec_f[g] = fs;
            if (!kind || pmap_add(r, &c->kinds, kind, NULL, g))
                return kr_err_nomem(r->err);
        }
    return 0;
}

static int build_indexes(nr_ctx *c, kr_accum *ra)
{
    kr_render *r = c->r;
    c->res = ra->res.items;
    c->n = ra->res.len;
    c->org_ens = kr_arena_alloc(r->arena, (c->n + 1) * sizeof *c->org_ens);
    c->cur_ens = kr_arena_alloc(r->arena, (c->n + 1) * sizeof *c->cur_ens);
    if (!c->org_ens || !c->cur_ens)
        return kr_err_nomem(r->err);
    for (uint32_t i = 0; i < c->n; i++)
        if (index_resource(c, i))
            return r->err->code;
    /* gather() picks from the resources of one previous name (names_ns and names_any split
     * those of `names`) */
    for (size_t i = 0; i <= c->names.mask && c->names.e; i++)
        if (c->names.e[i].a && c->names.e[i].n > c->max_candidates)
            c->max_candidates = c->names.e[i].n;
    return index_specs(c, &ra->config);
}

/* ---- errors ---- */

static int ref_error(nr_ctx *c, const kr_node *at, const char *fmt, const char *detail)
{
    kr_render *r = c->r;
    char *msg = kr_arena_printf(r->arena, fmt, detail);
    return kr_err_set(r->err, KRENDER_E_RESOURCE, c->R->file, at ? at->line : c->R->node->line,
                      at ? at->col : c->R->node->col, "%s", msg ? msg : fmt);
}

/* ---- the referrer's scope (resmap.SubsetThatCouldBeReferencedByResource) ---- */

/* A RoleBinding may refer to ServiceAccounts in the namespaces its subjects name. */
static int collect_subject_namespaces(nr_ctx *c)
{
    kr_render *r = c->r;
    const kr_node *subjects = kr_map_get(c->R->node, "subjects");
    c->nsubj = 0;
    if (!kr_is_seq(subjects) || !subjects->len)
        return 0;
    c->subj = kr_arena_alloc(r->arena, subjects->len * sizeof *c->subj);
    if (!c->subj)
        return kr_err_nomem(r->err);
    for (uint32_t i = 0; i < subjects->len; i++) {
        const kr_node *s = subjects->u.items[i];
        const kr_node *ns = kr_map_get(s, "namespace"), *kind = kr_map_get(s, "kind");
        if (!ns || !kr_is_str(kind) || strcmp(kind->u.text, "ServiceAccount") != 0)
            continue;
        if (!kr_is_str(ns))
            return kr_err_set(r->err, KRENDER_E_RESOURCE, c->R->file, ns->line, ns->col,
                              "Invalid Input: namespace is blank for resource \"%s\"",
                              kr_resid_string(r->arena, &c->R->id));
        /* a namespace no resource has (not interned) selects none */
        const char *known = kr_intern_find_n(r->strings, ns->u.text, ns->len);
        if (known)
            c->subj[c->nsubj++] = known;
    }
    return 0;
}

static int prepare_referrer(nr_ctx *c)
{
    if (c->r_ready)
        return 0;
    c->r_ready = true;
    c->r_cluster = c->R->id.cluster_scoped;
    c->r_is_rb = strcmp(c->R->id.kind, "RoleBinding") == 0;
    c->nsubj = 0;
    return !c->r_cluster && c->r_is_rb ? collect_subject_namespaces(c) : 0;
}

static bool in_scope(const nr_ctx *c, uint32_t i)
{
    const kr_resource *t = c->res[i];
    if (c->r_cluster || t->id.cluster_scoped || c->cur_ens[i] == c->r_ens)
        return true;
    for (size_t k = 0; k < c->nsubj; k++)
        if (t->id.ns == c->subj[k])
            return true;
    return false;
}

/* Whether some resource in scope has original effective namespace ns (fixMap's first try). */
static bool org_ns_in_scope(const nr_ctx *c, const char *ns)
{
    if (c->r_cluster)
        return pmap_find(&c->ns_cur, ns, &any_mark) != NULL;
    if (pmap_find(&c->ns_cur, ns, &cluster_mark) || pmap_find(&c->ns_cur, ns, c->r_ens))
        return true;
    for (size_t k = 0; k < c->nsubj; k++)
        if (pmap_find(&c->ns_raw, ns, c->subj[k]))
            return true;
    return false;
}

/* ---- selecting the referral (nameref.selectReferral) ---- */

typedef struct sel {
    narrow_mode narrow;
    const char *ns;   /* interned namespace of the narrowing */
    bool same_ns;     /* identical candidates need equal namespaces too (fixMap) */
    bool have_gvk;    /* roleRef filter */
    const char *rr_group, *rr_kind;
} sel;

typedef bool (*sieve_fn)(const nr_ctx *c, const sel *s, const kr_resource *t);

static size_t sieve(const nr_ctx *c, const sel *s, size_t n, sieve_fn keep)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++)
        if (keep(c, s, c->res[c->scratch[i]]))
            c->scratch[out++] = c->scratch[i];
    return out;
}

static bool gvk_sel(const char *g, const char *k, const char *group, const char *kind)
{
    return (!g[0] || strcmp(g, group) == 0) && (!k[0] || strcmp(k, kind) == 0);
}

/* Previous ids take group and version from the current apiVersion (kustomize's PrevIds). */
static bool prev_selected_by_target(const nr_ctx *c, const sel *s, const kr_resource *t)
{
    (void)s;
    for (uint32_t p = 0; p < t->nprev; p++)
        if (kr_fs_selects(&(kr_fieldspec){.group = c->T->group, .version = c->T->version,
                                          .kind = c->T->kind},
                          t->id.group, t->id.version, t->prev[p].kind))
            return true;
    return false;
}

static bool prev_selected_by_roleref(const nr_ctx *c, const sel *s, const kr_resource *t)
{
    (void)c;
    for (uint32_t p = 0; p < t->nprev; p++)
        if (gvk_sel(s->rr_group, s->rr_kind, t->id.group, t->prev[p].kind))
            return true;
    return false;
}

static bool same_ns_as_referrer(const nr_ctx *c, const sel *s, const kr_resource *t)
{
    (void)s;
    return c->r_cluster || t->id.cluster_scoped || strcmp(t->id.kind, "ServiceAccount") == 0 ||
           strcmp(kr_resid_effective_ns(&t->id), c->r_ens) == 0;
}

/* kustomize's SameEndingSubSlice. */
static bool same_ending(const char **a, uint32_t na, const char **b, uint32_t nb)
{
    if (na > nb) {
        const char **t = a;
        a = b;
        b = t;
        uint32_t tn = na;
        na = nb;
        nb = tn;
    }
    if (na == 0)
        return nb == 0;
    for (uint32_t i = 0; i < na; i++)
        if (strcmp(a[na - 1 - i], b[nb - 1 - i]) != 0)
            return false;
    return true;
}

static bool affixes_match(const nr_ctx *c, const kr_resource *t, bool allow_empty)
{
    const kr_resource *R = c->R;
    bool pe = allow_empty && (!R->nprefixes || !t->nprefixes);
    bool se = allow_empty && (!R->nsuffixes || !t->nsuffixes);
    return (pe || same_ending(R->prefixes, R->nprefixes, t->prefixes, t->nprefixes)) &&
           (se || same_ending(R->suffixes, R->nsuffixes, t->suffixes, t->nsuffixes));
}

static bool affixes_loose(const nr_ctx *c, const sel *s, const kr_resource *t)
{
    (void)s;
    return affixes_match(c, t, true);
}

static bool affixes_strict(const nr_ctx *c, const sel *s, const kr_resource *t)
{
    (void)s;
    return affixes_match(c, t, false);
}

static bool identical(const nr_ctx *c, const sel *s, size_t n)
{
    const kr_resource *first = c->res[c->scratch[0]];
    for (size_t i = 1; i < n; i++) {
        const kr_resource *t = c->res[c->scratch[i]];
        if (t->id.name != first->id.name || (s->same_ns && t->id.ns != first->id.ns))
            return false;
    }
    return true;
}

static int ambiguous(nr_ctx *c, const kr_node *at, size_t n)
{
    kr_buf ids = {0};
    for (size_t i = 0; i < n; i++)
        if ((i && !kr_buf_puts(&ids, ", ")) ||
            !kr_buf_puts(&ids, kr_resid_string(c->r->arena, &c->res[c->scratch[i]]->id)))
            break;
    int rc = ref_error(c, at, "found multiple possible referrals: %s", ids.data ? ids.data : "");
    kr_buf_free(&ids);
    return rc;
}

static bool narrow_ok(const nr_ctx *c, const sel *s, uint32_t i)
{
    switch (s->narrow) {
    case NARROW_ORG:
        return c->org_ens[i] == s->ns;
    case NARROW_CUR:
        return c->cur_ens[i] == s->ns;
    default:
        return true;
    }
}

static bool candidate_ok(const nr_ctx *c, const sel *s, uint32_t i)
{
    return in_scope(c, i) && narrow_ok(c, s, i);
}

/* The resources that could be the referral named old, in order (count returned). */
static size_t gather(nr_ctx *c, const sel *s, const char *old)
{
    size_t n = 0;
    if (s->narrow == NARROW_EMPTY)
        return 0;
    if (c->r_cluster) {
        const pentry *e = pmap_find(&c->names, old, NULL);
        for (uint32_t k = 0; e && k < e->n; k++)
            if (candidate_ok(c, s, e->v[k]))
                c->scratch[n++] = e->v[k];
        return n;
    }
    /* both lists are in resource order: merge them */
    const pentry *a = pmap_find(&c->names_ns, old, c->r_ens);
    const pentry *b = pmap_find(&c->names_any, old, NULL);
    uint32_t na = a ? a->n : 0, nb = b ? b->n : 0, i = 0, j = 0;
    while (i < na || j < nb) {
        uint32_t x = (j >= nb || (i < na && a->v[i] < b->v[j])) ? a->v[i++] : b->v[j++];
        if (candidate_ok(c, s, x))
            c->scratch[n++] = x;
    }
    return n;
}

static int select_referral(nr_ctx *c, const sel *s, const kr_node *at, const char *old,
                           size_t oldlen, kr_resource **out)
{
    *out = NULL;
    /* no resource ever had a name not interned */
    const char *name = kr_intern_find_n(c->r->strings, old, oldlen);
    if (!name)
        return 0;
    size_t n = gather(c, s, name);
    n = sieve(c, s, n, prev_selected_by_target);
    if (s->have_gvk)
        n = sieve(c, s, n, prev_selected_by_roleref);
    n = sieve(c, s, n, same_ns_as_referrer);
    if (n > 1) {
        n = sieve(c, s, n, affixes_loose);
        if (n > 1)
            n = sieve(c, s, n, affixes_strict);
    }
    if (n == 0)
        return 0;
    if (n > 1 && !identical(c, s, n))
        return ambiguous(c, at, n);
    *out = c->res[c->scratch[0]];
    return 0;
}

/* ---- fixing one field ---- */

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

/* The roleRef filter applies to paths ending in roleRef/name when the referrer's roleRef has
 * both apiGroup and kind (empty values act as wildcards, as in Gvk.IsSelected). */
static void roleref_filter(const nr_ctx *c, sel *s)
{
    s->have_gvk = false;
    if (!ends_with(c->F->path, "roleRef/name"))
        return;
    const kr_node *rr = kr_map_get(c->R->node, "roleRef");
    const kr_node *g = kr_map_get(rr, "apiGroup"), *k = kr_map_get(rr, "kind");
    if (!kr_is_map(rr) || !g || !k)
        return;
    s->have_gvk = true;
    s->rr_group = kr_is_scalar(g) ? g->u.text : "";
    s->rr_kind = kr_is_scalar(k) ? k->u.text : "";
}

static int fix_scalar(nr_ctx *c, kr_node *n)
{
    sel s = {.narrow = NARROW_NONE};
    roleref_filter(c, &s);
    kr_resource *ref;
    int rc = select_referral(c, &s, n, n->u.text, n->len, &ref);
    if (rc || !ref)
        return rc;
    const char *name = ref->id.name;
    size_t len = strlen(name);
    if (len == n->len && memcmp(name, n->u.text, len) == 0)
        return 0;
    return kr_set_untagged_scalar(c->r, n, name, len);
}

/* fixMap's namespace narrowing: original namespaces first, else current ones. */
static int narrow_by_namespace(nr_ctx *c, const kr_node *map, sel *s)
{
    const kr_node *nsn = kr_map_get(map, "namespace");
    if (!nsn)
        return 0;
    const char *text = kr_is_scalar(nsn) ? nsn->u.text : "";
    size_t len = kr_is_scalar(nsn) ? nsn->len : 0;
    s->ns = kr_intern_find_n(c->r->strings, text, len);
    if (!s->ns || strcmp(text, "_non_namespaceable_") == 0)
        s->narrow = NARROW_EMPTY; /* (a namespace no resource has: none is a candidate) */
    else
        s->narrow = org_ns_in_scope(c, s->ns) ? NARROW_ORG : NARROW_CUR;
    return 0;
}

/* kyaml FieldSetter on a map entry: an existing value keeps its style, a new one is a string. */
static int set_entry(nr_ctx *c, kr_node *map, const char *key, const char *value)
{
    kr_node *v = kr_map_get(map, key);
    if (v)
        return kr_set_untagged_scalar(c->r, v, value, strlen(value));
    v = kr_node_str(c->r->arena, value);
    return v && kr_map_set(c->r->arena, map, key, v) ? 0 : kr_err_nomem(c->r->err);
}

static int fix_map(nr_ctx *c, kr_node *map)
{
    kr_node *name = kr_map_get(map, "name");
    if (!name)
        return ref_error(c, map, "%s", "path config error; no 'name' field in node");
    sel s = {.narrow = NARROW_NONE, .same_ns = true};
    roleref_filter(c, &s);
    int rc = narrow_by_namespace(c, map, &s);
    if (rc)
        return rc;
    const char *old = kr_is_scalar(name) ? name->u.text : "";
    size_t oldlen = kr_is_scalar(name) ? name->len : 0;
    kr_resource *ref;
    if ((rc = select_referral(c, &s, map, old, oldlen, &ref)) || !ref)
        return rc;
    const char *ns = ref->id.ns;
    if (strlen(ref->id.name) == oldlen && memcmp(ref->id.name, old, oldlen) == 0 && !ns[0])
        return 0;
    if ((rc = set_entry(c, map, "name", ref->id.name)))
        return rc;
    return ns[0] ? set_entry(c, map, "namespace", ns) : 0;
}

static int fix_field(kr_render *r, kr_resource *res, kr_node *n, void *arg)
{
    (void)r;
    (void)res;
    nr_ctx *c = arg;
    if (kr_is_null(n))
        return 0;
    if (n->kind == KR_SCALAR)
        return fix_scalar(c, n);
    if (n->kind == KR_MAP)
        return fix_map(c, n);
    for (uint32_t i = 0; i < n->len; i++) {
        kr_node *e = n->u.items[i];
        int rc = 0;
        if (kr_is_null(e))
            continue;
        if (e->kind == KR_SCALAR)
            rc = fix_scalar(c, e);
        else if (e->kind == KR_MAP)
            rc = fix_map(c, e);
        else
            rc = ref_error(c, e, "%s", "a sequence element is expected to be either a string "
                                       "or a map of string");
        if (rc)
            return rc;
    }
    return 0;
}

static int apply_filter(nr_ctx *c, uint32_t g)
{
    c->T = c->spec_t[g];
    c->F = c->spec_f[g];
    int rc = prepare_referrer(c);
    if (rc)
        return rc;
    /* the walker adds "considering field ..." */
    if ((rc = kr_fs_walk(c->r, c->R, c->F, 0, fix_field, c)))
        kr_err_prefix(c->r->err, "updating name reference in '%s' field of '%s'", c->F->path,
                      kr_resid_string(c->r->arena, &c->R->id));
    return rc;
}

/* Runs the filters of referrer ri: the specs for its original kind and the kind-less ones,
 * merged back into configuration order. */
static int fix_referrer(nr_ctx *c, uint32_t ri)
{
    kr_resource *res = c->res[ri];
    const kr_resid *org = kr_resource_orig_id(res);
    const pentry *a = pmap_find(&c->kinds, org->kind, NULL);
    const pentry *b = c->kindless ? pmap_find(&c->kinds, c->kindless, NULL) : NULL;
    uint32_t na = a ? a->n : 0, nb = b ? b->n : 0, i = 0, j = 0;
    c->R = res;
    c->r_ens = c->cur_ens[ri];
    c->r_ready = false;
    while (i < na || j < nb) {
        uint32_t g = (j >= nb || (i < na && a->v[i] < b->v[j])) ? a->v[i++] : b->v[j++];
        if (!kr_fs_selects(c->spec_f[g], res->id.group, res->id.version, org->kind))
            continue;
        int rc = apply_filter(c, g);
        if (rc)
            return rc;
    }
    return 0;
}

/* Referrers [from, to) with render r: a copy of the context with its own scratch. The indexes
 * are only read, strings only looked up: chunks of a big render run on two threads. */
static int fix_range(kr_render *r, size_t from, size_t to, void *arg)
{
    nr_ctx c = *(const nr_ctx *)arg;
    c.r = r;
    c.scratch = kr_arena_alloc(r->arena, (c.max_candidates + 1) * sizeof *c.scratch);
    if (!c.scratch)
        return kr_err_nomem(r->err);
    int rc = 0;
    for (size_t i = from; !rc && i < to; i++)
        rc = fix_referrer(&c, (uint32_t)i);
    return rc;
}

int kr_fix_name_references(kr_render *r, kr_accum *ra)
{
    if (!ra->res.len || !ra->config.nnameref)
        return 0;
    nr_ctx c = {.r = r};
    kr_arena *lists = kr_arena_new();
    if (!lists)
        return kr_err_nomem(r->err);
    pmap *maps[] = {&c.names, &c.names_ns, &c.names_any, &c.ns_cur, &c.ns_raw, &c.kinds};
    for (size_t i = 0; i < sizeof maps / sizeof *maps; i++)
        maps[i]->lists = lists;
    int rc = build_indexes(&c, ra) ? r->err->code : 0;
    if (!rc && !(c.kindless = kr_intern(r->strings, "")))
        rc = kr_err_nomem(r->err);
    if (!rc)
        rc = kr_par_chunks(r, c.n, fix_range, &c);
    for (size_t i = 0; i < sizeof maps / sizeof *maps; i++)
        pmap_free(maps[i]);
    kr_arena_free(lists);
    return rc;
}
