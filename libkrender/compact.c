#include "compact.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "error.h"
#include "render.h"
#include "table_alloc.h"

/* A key node a transformer made once and set in many maps, and its copy. */
typedef struct moved_key {
    const kr_node *from;
    kr_node *to;
} moved_key;

typedef struct mover {
    kr_render *r;
    const kr_arena *from;
    kr_arena *to;
    bool ok;
    moved_key *keys; /* open addressing by address; NULL until the first such key */
    size_t nkeys, capkeys;
} mover;

static bool in_from(const mover *m, const void *p)
{
    return p && kr_arena_owns(m->from, p);
}

/* p itself, or its copy (n bytes) in `to` when it lies in `from`. */
static void *move_bytes(mover *m, void *p, size_t n)
{
    if (!in_from(m, p))
        return p;
    void *c = kr_arena_alloc(m->to, n);
    if (!c) {
        m->ok = false;
        return p;
    }
    memcpy(c, p, n);
    return c;
}

static const char *move_str(mover *m, const char *s)
{
    return in_from(m, s) ? move_bytes(m, (void *)s, strlen(s) + 1) : s;
}

/* n, or its copy when it lies in `from`; either way nothing below it lies there any more.
 * A slot is written only when its node moved: a node outside `from` may belong to the file
 * cache, which other renders read at the same time (such a node never points into a render's
 * memory, so nothing of it is ever rewritten). */
static kr_node *move_key(mover *m, kr_node *k);

static kr_node *move_node(mover *m, kr_node *n)
{
    if (in_from(m, n)) {
        kr_node *c = move_bytes(m, n, sizeof *n);
        if (c == n)
            return n;
        n = c;
    }
    switch (n->kind) {
    case KR_SCALAR: {
        const char *t = move_bytes(m, (void *)n->u.text, (size_t)n->len + 1); /* and its NUL */
        if (t != n->u.text)
            n->u.text = t;
        break;
    }
    case KR_SEQ: {
        if (n->len && in_from(m, n->u.items)) {
            kr_node **items = move_bytes(m, n->u.items, n->len * sizeof *items);
            if (items == n->u.items)
                return n;
            n->u.items = items;
            n->flags &= (uint8_t)~KR_NF_ROOM; /* an exact array now */
        }
        for (uint32_t i = 0; i < n->len; i++) {
            kr_node *c = move_node(m, n->u.items[i]);
            if (c != n->u.items[i])
                n->u.items[i] = c;
        }
        break;
    }
    case KR_MAP: {
        if (n->len && in_from(m, n->u.pairs)) {
            kr_pair *pairs = move_bytes(m, n->u.pairs, n->len * sizeof *pairs);
            if (pairs == n->u.pairs)
                return n;
            n->u.pairs = pairs;
            n->flags &= (uint8_t)~KR_NF_ROOM;
        }
        for (uint32_t i = 0; i < n->len; i++) {
            kr_pair *p = &n->u.pairs[i];
            kr_node *k = move_key(m, p->key), *v = move_node(m, p->value);
            if (k != p->key)
                p->key = k;
            if (v != p->value)
                p->value = v;
        }
        break;
    }
    }
    return n;
}

static size_t key_slot(const mover *m, const kr_node *k)
{
    uintptr_t a = (uintptr_t)k;
    return (size_t)XXH3_64bits(&a, sizeof a) & (m->capkeys - 1);
}

static bool remember_key(mover *m, const kr_node *from, kr_node *to)
{
    if ((m->nkeys + 1) * 2 > m->capkeys) {
        size_t cap = m->capkeys ? m->capkeys * 2 : 256;
        moved_key *t = kr_table_alloc(cap, sizeof *t);
        if (!t)
            return false;
        moved_key *old = m->keys;
        size_t oldcap = m->capkeys;
        m->keys = t;
        m->capkeys = cap;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].from) {
                size_t j = key_slot(m, old[i].from);
                while (t[j].from)
                    j = (j + 1) & (cap - 1);
                t[j] = old[i];
            }
        free(old);
    }
    size_t j = key_slot(m, from);
    while (m->keys[j].from)
        j = (j + 1) & (m->capkeys - 1);
    m->keys[j] = (moved_key){from, to};
    m->nkeys++;
    return true;
}

/* A map key. One without a position was made by a transformer, which sets one key node in
 * every map it changes (kr_map_put): it is copied once, and the maps share the copy again. */
static kr_node *move_key(mover *m, kr_node *k)
{
    if (!in_from(m, k) || k->kind != KR_SCALAR || k->line)
        return move_node(m, k);
    for (size_t j = m->capkeys ? key_slot(m, k) : 0; m->capkeys && m->keys[j].from;
         j = (j + 1) & (m->capkeys - 1))
        if (m->keys[j].from == k)
            return m->keys[j].to;
    kr_node *c = move_node(m, k);
    if (c != k && !remember_key(m, k, c))
        m->ok = false;
    return c;
}

static void move_id(mover *m, kr_resid *id)
{
    const char **parts[] = {&id->group, &id->version, &id->kind, &id->name, &id->ns};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        if (in_from(m, *parts[i])) /* never expected: ids are interned */
            m->ok &= (*parts[i] = kr_intern(m->r->strings, *parts[i])) != NULL;
}

static const char **move_strs(mover *m, const char **v, uint32_t n)
{
    if (!n)
        return v;
    v = move_bytes(m, v, n * sizeof *v);
    for (uint32_t i = 0; i < n; i++) {
        const char *s = move_str(m, v[i]);
        if (s != v[i])
            v[i] = s;
    }
    return v;
}

static void move_origin(mover *m, kr_origin *o)
{
    o->path = move_str(m, o->path);
    o->configured_in = move_str(m, o->configured_in);
    o->by_api_version = move_str(m, o->by_api_version);
    o->by_kind = move_str(m, o->by_kind);
    o->by_name = move_str(m, o->by_name);
    o->by_ns = move_str(m, o->by_ns);
}

/* A grown array of n elements (*cap allocated), or its exact copy (*cap then n) when it lies
 * in `from`. */
static void *move_array(mover *m, void *items, uint32_t n, size_t elem, uint32_t *cap)
{
    if (!n || !in_from(m, items))
        return items;
    *cap = n;
    return move_bytes(m, items, n * elem);
}

static kr_resource *move_resource(mover *m, kr_resource *res)
{
    kr_resource *d = move_bytes(m, res, sizeof *res);
    d->node = move_node(m, d->node);
    d->file = move_str(m, d->file);
    move_id(m, &d->id);
    d->prev = move_array(m, d->prev, d->nprev, sizeof *d->prev, &d->prev_cap);
    for (uint32_t j = 0; j < d->nprev; j++)
        move_id(m, &d->prev[j]);
    d->prefixes = move_strs(m, d->prefixes, d->nprefixes);
    d->suffixes = move_strs(m, d->suffixes, d->nsuffixes);
    move_origin(m, &d->origin);
    d->transforms = move_array(m, d->transforms, d->ntransforms, sizeof *d->transforms,
                               &d->transforms_cap);
    for (uint32_t j = 0; j < d->ntransforms; j++)
        move_origin(m, &d->transforms[j]);
    return d;
}

int kr_accum_move_resources(kr_render *r, kr_accum *ra, const kr_arena *from, kr_arena *to)
{
    mover m = {r, from, to, true, NULL, 0, 0};
    for (size_t i = 0; i < ra->res.len && m.ok; i++)
        ra->res.items[i] = move_resource(&m, ra->res.items[i]);
    free(m.keys);
    return m.ok ? 0 : kr_err_nomem(r->err);
}
