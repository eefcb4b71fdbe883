#include "node.h"

#include <string.h>

#include "common_words.h"

kr_node *kr_node_scalar(kr_arena *a, kr_scalar_type type, const char *text, size_t len)
{
    kr_node *n = kr_arena_alloc(a, sizeof *n);
    if (!n)
        return NULL;
    char *t = kr_arena_strndup(a, text, len);
    if (!t)
        return NULL;
    *n = (kr_node){.kind = KR_SCALAR, .type = (uint8_t)type, .len = (uint32_t)len, .u.text = t};
    return n;
}

kr_node *kr_node_scalar_ref(kr_arena *a, kr_scalar_type type, const char *text, size_t len)
{
    kr_node *n = kr_arena_alloc(a, sizeof *n);
    if (n)
        *n = (kr_node){.kind = KR_SCALAR, .type = (uint8_t)type, .len = (uint32_t)len,
                       .u.text = text};
    return n;
}

kr_node *kr_node_str(kr_arena *a, const char *text)
{
    return kr_node_scalar(a, KR_T_STR, text, strlen(text));
}

static kr_node *new_container(kr_arena *a, kr_node_kind kind, uint32_t cap, size_t elem)
{
    kr_node *n = kr_arena_alloc(a, sizeof *n);
    if (!n)
        return NULL;
    *n = (kr_node){.kind = (uint8_t)kind};
    if (cap) {
        n->flags = KR_NF_ROOM;
        n->u.items = kr_arena_alloc(a, kr_node_room(cap) * elem);
        if (!n->u.items)
            return NULL;
    }
    return n;
}

kr_node *kr_node_map(kr_arena *a, uint32_t cap)
{
    return new_container(a, KR_MAP, cap, sizeof(kr_pair));
}

kr_node *kr_node_seq(kr_arena *a, uint32_t cap)
{
    return new_container(a, KR_SEQ, cap, sizeof(kr_node *));
}

static kr_node *copy(kr_arena *a, const kr_node *n, bool deep);

kr_node *kr_node_copy(kr_arena *a, const kr_node *n)
{
    return copy(a, n, false);
}

kr_node *kr_node_copy_deep(kr_arena *a, const kr_node *n)
{
    return copy(a, n, true);
}

static kr_node *copy(kr_arena *a, const kr_node *n, bool deep)
{
    if (!n)
        return NULL;
    kr_node *c = kr_arena_alloc(a, sizeof *c);
    if (!c)
        return NULL;
    *c = *n;
    c->flags &= (uint8_t)~KR_NF_ROOM; /* exact arrays */
    switch (n->kind) {
    case KR_SCALAR:
        if (deep) {
            char *t = kr_arena_alloc(a, (size_t)n->len + 1);
            if (!t)
                return NULL;
            memcpy(t, n->u.text, (size_t)n->len + 1); /* text[len] is its NUL */
            c->u.text = t;
        }
        break; /* else scalar text is immutable: share it */
    case KR_SEQ:
        c->u.items = n->len ? kr_arena_alloc(a, n->len * sizeof(kr_node *)) : NULL;
        if (n->len && !c->u.items)
            return NULL;
        for (uint32_t i = 0; i < n->len; i++)
            if (!(c->u.items[i] = copy(a, n->u.items[i], deep)))
                return NULL;
        break;
    case KR_MAP:
        c->u.pairs = n->len ? kr_arena_alloc(a, n->len * sizeof(kr_pair)) : NULL;
        if (n->len && !c->u.pairs)
            return NULL;
        for (uint32_t i = 0; i < n->len; i++) {
            kr_node *k = n->u.pairs[i].key;
            c->u.pairs[i].key = deep && k && !kr_is_common_key(k) ? copy(a, k, true) : k;
            if ((deep && k && !c->u.pairs[i].key) ||
                !(c->u.pairs[i].value = copy(a, n->u.pairs[i].value, deep)))
                return NULL;
        }
        break;
    }
    return c;
}

kr_pair *kr_map_find(const kr_node *map, const char *key)
{
    if (!map || map->kind != KR_MAP)
        return NULL;
    size_t kl = strlen(key);
    for (uint32_t i = 0; i < map->len; i++)
        if (kr_scalar_eq(map->u.pairs[i].key, key, kl))
            return &map->u.pairs[i];
    return NULL;
}

kr_node *kr_map_getn(const kr_node *map, const char *key, size_t keylen)
{
    if (!map || map->kind != KR_MAP)
        return NULL;
    for (uint32_t i = 0; i < map->len; i++)
        if (kr_scalar_eq(map->u.pairs[i].key, key, keylen))
            return map->u.pairs[i].value;
    return NULL;
}

kr_node *kr_map_get(const kr_node *map, const char *key)
{
    return kr_map_getn(map, key, strlen(key));
}

const char *kr_map_get_str(const kr_node *map, const char *key)
{
    kr_node *v = kr_map_get(map, key);
    return kr_is_scalar(v) && v->type != KR_T_NULL ? v->u.text : NULL;
}

static bool grow(kr_arena *a, kr_node *n, size_t elem)
{
    if ((n->flags & KR_NF_ROOM) && n->len < kr_node_room(n->len))
        return true;
    /* full (an exact array, or a power of two): the next power of two that fits one more */
    void *p = kr_arena_alloc(a, kr_node_room(n->len + 1) * elem);
    if (!p)
        return false;
    if (n->len)
        memcpy(p, n->u.items, n->len * elem);
    n->u.items = p;
    n->flags |= KR_NF_ROOM;
    return true;
}

bool kr_map_append(kr_arena *a, kr_node *map, kr_node *key, kr_node *value)
{
    if (!grow(a, map, sizeof(kr_pair)))
        return false;
    map->u.pairs[map->len++] = (kr_pair){key, value};
    return true;
}

bool kr_map_set(kr_arena *a, kr_node *map, const char *key, kr_node *value)
{
    kr_pair *p = kr_map_find(map, key);
    if (p) {
        p->value = value;
        return true;
    }
    size_t len = strlen(key);
    kr_node *k = kr_common_key(key, len); /* a new key has no position: share it */
    if (!k)
        k = kr_node_scalar(a, KR_T_STR, key, len);
    return k && kr_map_append(a, map, k, value);
}

bool kr_map_put(kr_arena *a, kr_node *map, kr_node *key, kr_node *value)
{
    for (uint32_t i = 0; i < map->len; i++)
        if (kr_scalar_eq(map->u.pairs[i].key, key->u.text, key->len)) {
            map->u.pairs[i].value = value;
            return true;
        }
    return kr_map_append(a, map, key, value);
}

bool kr_map_remove(kr_node *map, const char *key)
{
    kr_pair *p = kr_map_find(map, key);
    if (!p)
        return false;
    size_t i = (size_t)(p - map->u.pairs);
    memmove(p, p + 1, (map->len - i - 1) * sizeof *p);
    map->len--;
    return true;
}

bool kr_seq_append(kr_arena *a, kr_node *seq, kr_node *item)
{
    if (!grow(a, seq, sizeof(kr_node *)))
        return false;
    seq->u.items[seq->len++] = item;
    return true;
}

kr_node *kr_node_path(const kr_node *n, const char *const *keys)
{
    const kr_node *cur = n;
    for (; *keys && cur; keys++)
        cur = kr_map_get(cur, *keys);
    return (kr_node *)cur;
}

const char *kr_node_kind_name(const kr_node *n)
{
    return n->kind == KR_MAP ? "MappingNode" : n->kind == KR_SEQ ? "SequenceNode" : "ScalarNode";
}
