#include "resmap.h"

#include <string.h>

#include "render.h"

static int conflict(kr_render *r, const kr_resource *res)
{
    const kr_node *n = res->node;
    return kr_err_set(r->err, KRENDER_E_CONFLICT, res->file, n->line, n->col,
                      "may not add resource with an already registered id: %s",
                      kr_resid_string(r->arena, &res->id));
}

/* Returns the slot where id is or would go. */
static size_t probe(const kr_resmap *m, const kr_resid *id, uint64_t h)
{
    size_t mask = m->nslots - 1, i = (size_t)h & mask;
    while (m->slots[i] && !kr_resid_equal(&m->items[m->slots[i] - 1]->id, id))
        i = (i + 1) & mask;
    return i;
}

/* Rebuilds the index for the current ids; sized for twice the items. Duplicates found during a
 * rebuild keep the first resource (conflict checks belong to the transformer that caused them). */
static int reindex(kr_render *r, kr_resmap *m, size_t want)
{
    size_t n = 64;
    while (n < want * 2)
        n *= 2;
    uint32_t *slots = kr_arena_zalloc(r->arena, n * sizeof *slots);
    if (!slots)
        return kr_err_nomem(r->err);
    m->slots = slots;
    m->nslots = n;
    for (size_t k = 0; k < m->len; k++) {
        size_t i = probe(m, &m->items[k]->id, kr_resid_hash(&m->items[k]->id));
        if (!m->slots[i])
            m->slots[i] = (uint32_t)k + 1;
    }
    m->stale = false;
    return 0;
}

static int ensure_index(kr_render *r, kr_resmap *m, size_t extra)
{
    if (m->stale || !m->slots || (m->len + extra) * 2 > m->nslots)
        return reindex(r, m, m->len + extra);
    return 0;
}

int kr_resmap_append(kr_render *r, kr_resmap *m, kr_resource *res)
{
    if (ensure_index(r, m, 1))
        return r->err->code;
    size_t i = probe(m, &res->id, kr_resid_hash(&res->id));
    if (m->slots[i])
        return conflict(r, res);
    if (r->opts.max_resources && m->len >= r->opts.max_resources)
        return kr_err_set(r->err, KRENDER_E_LIMIT, res->file, res->node ? res->node->line : 0,
                          res->node ? res->node->col : 0,
                          "more than %zu resources (max_resources)", r->opts.max_resources);
    kr_resource **p = kr_arena_grow(r->arena, m->items, m->len, &m->cap, sizeof *p, 32);
    if (!p)
        return kr_err_nomem(r->err);
    m->items = p;
    m->items[m->len++] = res;
    m->slots[i] = (uint32_t)m->len;
    return 0;
}

int kr_resmap_append_all(kr_render *r, kr_resmap *dst, const kr_resmap *src)
{
    for (size_t k = 0; k < src->len; k++) {
        int rc = kr_resmap_append(r, dst, src->items[k]);
        if (rc)
            return rc;
    }
    return 0;
}

kr_resource *kr_resmap_find(kr_render *r, kr_resmap *m, const kr_resid *id)
{
    if (m->len == 0 || ensure_index(r, m, 0))
        return NULL;
    size_t i = probe(m, id, kr_resid_hash(id));
    return m->slots[i] ? m->items[m->slots[i] - 1] : NULL;
}

void kr_resmap_filter(kr_resmap *m, bool (*keep)(const kr_resource *, void *), void *arg)
{
    size_t out = 0;
    for (size_t k = 0; k < m->len; k++)
        if (keep(m->items[k], arg))
            m->items[out++] = m->items[k];
    if (out != m->len) {
        m->len = out;
        m->stale = true;
    }
}
