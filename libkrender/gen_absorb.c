/* Absorbing a generated resource into the accumulator (pipeline.md §7): append it, or let it
 * merge into / replace the one resource whose current or previous id Equals its id. An index
 * over all those ids keeps this O(1) per generator instead of kustomize's scan of the list. */
#include <string.h>

#include "gen.h"

struct kr_absorb_entry {
    uint64_t h;    /* kr_resid_hash of the id */
    uint32_t res;  /* index into ra->res.items */
    uint32_t next; /* next entry of the bucket + 1 */
};

void kr_absorber_init(kr_absorber *ab, kr_accum *ra)
{
    *ab = (kr_absorber){.ra = ra};
}

static int rehash(kr_render *r, kr_absorber *ab, size_t nbuckets)
{
    uint32_t *heads = kr_arena_zalloc(r->arena, nbuckets * sizeof *heads);
    if (!heads)
        return kr_err_nomem(r->err);
    for (size_t i = 0; i < ab->len; i++) {
        size_t b = (size_t)ab->entries[i].h & (nbuckets - 1);
        ab->entries[i].next = heads[b];
        heads[b] = (uint32_t)i + 1;
    }
    ab->heads = heads;
    ab->nbuckets = nbuckets;
    return 0;
}

static int add_entry(kr_render *r, kr_absorber *ab, const kr_resid *id, uint32_t res)
{
    if (ab->len == ab->cap) {
        size_t cap = ab->cap ? ab->cap * 2 : 8; /* most kustomizations hold a few resources */
        struct kr_absorb_entry *p = kr_arena_alloc(r->arena, cap * sizeof *p);
        if (!p)
            return kr_err_nomem(r->err);
        if (ab->len)
            memcpy(p, ab->entries, ab->len * sizeof *p);
        ab->entries = p;
        ab->cap = cap;
    }
    ab->entries[ab->len++] = (struct kr_absorb_entry){kr_resid_hash(id), res, 0};
    if (ab->len > ab->nbuckets)
        return rehash(r, ab, ab->nbuckets ? ab->nbuckets * 2 : 8);
    struct kr_absorb_entry *e = &ab->entries[ab->len - 1];
    size_t b = (size_t)e->h & (ab->nbuckets - 1);
    e->next = ab->heads[b];
    ab->heads[b] = (uint32_t)ab->len;
    return 0;
}

/* Indexes the resources appended since the last call (current and previous ids). */
static int index_new(kr_render *r, kr_absorber *ab)
{
    const kr_resmap *m = &ab->ra->res;
    for (; ab->indexed < m->len; ab->indexed++) {
        const kr_resource *res = m->items[ab->indexed];
        uint32_t i = (uint32_t)ab->indexed;
        int rc = add_entry(r, ab, &res->id, i);
        for (uint32_t p = 0; !rc && p < res->nprev; p++)
            rc = add_entry(r, ab, &res->prev[p], i);
        if (rc)
            return rc;
    }
    return 0;
}

static bool has_id(const kr_resource *res, const kr_resid *id)
{
    if (kr_resid_equal(&res->id, id))
        return true;
    for (uint32_t p = 0; p < res->nprev; p++)
        if (kr_resid_equal(&res->prev[p], id))
            return true;
    return false;
}

/* Up to two distinct resources holding id among their ids; returns how many. */
static size_t find_matches(const kr_absorber *ab, const kr_resid *id, uint32_t out[2])
{
    if (!ab->nbuckets)
        return 0;
    uint64_t h = kr_resid_hash(id);
    size_t n = 0;
    for (uint32_t e = ab->heads[(size_t)h & (ab->nbuckets - 1)]; e && n < 2;
         e = ab->entries[e - 1].next) {
        const struct kr_absorb_entry *en = &ab->entries[e - 1];
        if (en->h != h || (n && out[0] == en->res) || !has_id(ab->ra->res.items[en->res], id))
            continue;
        out[n++] = en->res;
    }
    return n;
}

/* Go's %#v of a resid.ResId, as kustomize's messages print it. */
static const char *go_id(kr_arena *a, const kr_resid *id)
{
    return kr_arena_printf(a,
                           "resid.ResId{Gvk:resid.Gvk{Group:\"%s\", Version:\"%s\", Kind:\"%s\", "
                           "isClusterScoped:%s}, Name:\"%s\", Namespace:\"%s\"}",
                           id->group, id->version, id->kind, id->cluster_scoped ? "true" : "false",
                           id->name, id->ns);
}

/* ---- merging metadata and data (CopyMergeMetaDataFieldsFrom, MergeDataMapFrom) ---- */

/* A value as kustomize reads it into a map[string]string: a scalar's text, else "" (null
 * fields are gone from its tree by then). */
static kr_node *str_node(kr_arena *a, const kr_node *v)
{
    bool s = kr_is_scalar(v) && v->type != KR_T_NULL;
    return kr_node_scalar_ref(a, KR_T_STR, s ? v->u.text : "", s ? v->len : 0); /* text shared */
}

/* o's pairs overridden by g's, all values strings; NULL in *out when both are empty. */
static int merge_string_maps(kr_render *r, const kr_node *o, const kr_node *g, kr_node **out)
{
    size_t on = kr_is_map(o) ? o->len : 0, gn = kr_is_map(g) ? g->len : 0;
    *out = NULL;
    if (!on && !gn)
        return 0;
    kr_arena *a = r->arena;
    kr_keyset gkeys;
    kr_node *m = kr_node_map(a, (uint32_t)(on + gn));
    if (!m || !kr_keyset_init(a, &gkeys, gn))
        return kr_err_nomem(r->err);
    for (size_t i = 0; i < gn; i++)
        kr_keyset_add(&gkeys, g->u.pairs[i].key->u.text, g->u.pairs[i].key->len);
    for (size_t i = 0; i < on; i++) {
        const kr_pair *p = &o->u.pairs[i];
        if (kr_keyset_has(&gkeys, p->key->u.text, p->key->len))
            continue;
        kr_node *v = str_node(a, p->value);
        if (!v || !kr_map_append(a, m, p->key, v))
            return kr_err_nomem(r->err);
    }
    for (size_t i = 0; i < gn; i++) {
        const kr_pair *p = &g->u.pairs[i];
        kr_node *v = str_node(a, p->value);
        if (!v || !kr_map_append(a, m, p->key, v))
            return kr_err_nomem(r->err);
    }
    *out = m;
    return 0;
}

/* parent[field] := merge(o[field], parent[field]); removed when the result is empty. */
static int merge_field(kr_render *r, kr_node *parent, const kr_node *o, const char *field)
{
    kr_node *m;
    int rc = merge_string_maps(r, kr_map_get(o, field), kr_map_get(parent, field), &m);
    if (rc)
        return rc;
    if (!m || !m->len) {
        kr_map_remove(parent, field);
        return 0;
    }
    return kr_map_set(r->arena, parent, field, m) ? 0 : kr_err_nomem(r->err);
}

static kr_node *ensure_meta(kr_render *r, kr_node *doc)
{
    kr_node *meta = kr_map_get(doc, "metadata");
    if (kr_is_map(meta))
        return meta;
    meta = kr_node_map(r->arena, 2);
    return meta && kr_map_set(r->arena, doc, "metadata", meta) ? meta : NULL;
}

static bool has_origin(const kr_origin *o)
{
    return o->path || o->configured_in;
}

/* g takes o's name, namespace and build bookkeeping; labels and annotations are merged (g's
 * win); the hash suffix survives only if both want it. The buildMetadata annotations follow
 * the same merge, except that a merge keeps o's origin. */
static int copy_meta_from(kr_render *r, kr_resource *g, const kr_resource *o, bool merge)
{
    kr_node *gm = ensure_meta(r, g->node);
    const kr_node *om = kr_map_get(o->node, "metadata");
    if (!gm)
        return kr_err_nomem(r->err);
    int rc = merge_field(r, gm, om, "labels");
    if (!rc)
        rc = merge_field(r, gm, om, "annotations");
    if (rc)
        return rc;
    kr_node *name = str_node(r->arena, kr_map_get(om, "name"));
    if (!name || !kr_map_set(r->arena, gm, "name", name))
        return kr_err_nomem(r->err);
    const kr_node *ns = kr_map_get(om, "namespace");
    if (!kr_is_scalar(ns) || ns->type == KR_T_NULL || !ns->len)
        kr_map_remove(gm, "namespace");
    else if (!(name = str_node(r->arena, ns)) || !kr_map_set(r->arena, gm, "namespace", name))
        return kr_err_nomem(r->err);
    g->prev = o->prev;
    g->nprev = o->nprev;
    g->prev_cap = o->prev_cap;
    g->prefixes = o->prefixes;
    g->nprefixes = o->nprefixes;
    g->suffixes = o->suffixes;
    g->nsuffixes = o->nsuffixes;
    g->behavior = o->behavior;
    g->needs_hash = g->needs_hash && o->needs_hash;
    if (has_origin(&o->origin) && (merge || !has_origin(&g->origin)))
        g->origin = o->origin;
    if (!g->ntransforms) {
        g->transforms = o->transforms;
        g->ntransforms = o->ntransforms;
        g->transforms_cap = o->transforms_cap;
    }
    return kr_resource_refresh_id(r, g);
}

/* ---- absorbing ---- */

static int absorb_error(kr_render *r, const char *file, const kr_node *at, const kr_resid *id,
                        const char *fmt)
{
    const char *s = go_id(r->arena, id);
    return kr_err_set(r->err, KRENDER_E_CONFLICT, file, at->line, at->col,
                      "merging from generator %s: id %s %s", id->name, s ? s : id->name, fmt);
}

static int replace_at(kr_render *r, kr_absorber *ab, kr_resource *g, uint32_t idx, bool merge)
{
    kr_resource *o = ab->ra->res.items[idx];
    int rc = copy_meta_from(r, g, o, merge);
    if (rc)
        return rc;
    ab->ra->res.items[idx] = g; /* same current id: the resmap's index stays valid */
    return 0;
}

int kr_absorb(kr_render *r, kr_absorber *ab, kr_resource *g, const char *file, const kr_node *at)
{
    int rc = index_new(r, ab);
    if (rc)
        return rc;
    uint32_t m[2];
    size_t n = find_matches(ab, &g->id, m);
    uint8_t behavior = g->behavior;
    if (n == 0) {
        if (behavior == KR_GEN_MERGE || behavior == KR_GEN_REPLACE)
            return absorb_error(r, file, at, &g->id, "does not exist; cannot merge or replace");
        rc = kr_resmap_append(r, &ab->ra->res, g);
        return rc ? rc : index_new(r, ab);
    }
    if (n > 1) {
        if (m[0] > m[1]) { /* in list order, as kustomize lists them */
            uint32_t t = m[0];
            m[0] = m[1];
            m[1] = t;
        }
        const char *a = kr_resid_string(r->arena, &ab->ra->res.items[m[0]]->id);
        const char *b = kr_resid_string(r->arena, &ab->ra->res.items[m[1]]->id);
        const char *s = kr_resid_string(r->arena, &g->id);
        return kr_err_set(r->err, KRENDER_E_CONFLICT, file, at->line, at->col,
                          "found multiple objects [%s %s] that could accept merge of %s",
                          a ? a : "?", b ? b : "?", s ? s : g->id.name);
    }
    if (behavior != KR_GEN_MERGE && behavior != KR_GEN_REPLACE)
        return absorb_error(r, file, at, &g->id, "exists; behavior must be merge or replace");
    kr_resource *o = ab->ra->res.items[m[0]];
    if (behavior == KR_GEN_MERGE && ((rc = merge_field(r, g->node, o->node, "data")) ||
                                     (rc = merge_field(r, g->node, o->node, "binaryData"))))
        return rc;
    return replace_at(r, ab, g, m[0], behavior == KR_GEN_MERGE);
}
