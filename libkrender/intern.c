#include "intern.h"

#include <string.h>
#include <xxhash.h>

/* Each interned string is stored right after its header, so the hash is found from the
 * pointer alone. */
typedef struct entry {
    uint64_t hash;
    uint32_t len;
    char text[];
} entry;

struct kr_interner {
    kr_arena *arena;
    entry **slots;
    size_t cap, count; /* open addressing, cap a power of two */
};

#define ENTRY_OF(s) ((const entry *)((const char *)(s) - offsetof(entry, text)))

kr_interner *kr_interner_new(kr_arena *a)
{
    kr_interner *in = kr_arena_zalloc(a, sizeof *in);
    if (!in)
        return NULL;
    in->arena = a;
    in->cap = 256;
    in->slots = kr_arena_zalloc(a, in->cap * sizeof *in->slots);
    return in->slots ? in : NULL;
}

static int rehash(kr_interner *in)
{
    size_t cap = in->cap * 2;
    entry **slots = kr_arena_zalloc(in->arena, cap * sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < in->cap; i++) {
        entry *e = in->slots[i];
        if (!e)
            continue;
        size_t j = (size_t)e->hash & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = e;
    }
    in->slots = slots;
    in->cap = cap;
    return 0;
}

const char *kr_intern_find_n(const kr_interner *in, const char *s, size_t len)
{
    uint64_t h = XXH3_64bits(s, len);
    for (size_t i = (size_t)h & (in->cap - 1); in->slots[i]; i = (i + 1) & (in->cap - 1)) {
        const entry *e = in->slots[i];
        if (e->hash == h && e->len == len && memcmp(e->text, s, len) == 0)
            return e->text;
    }
    return NULL;
}

const char *kr_intern_n(kr_interner *in, const char *s, size_t len)
{
    uint64_t h = XXH3_64bits(s, len);
    size_t i = (size_t)h & (in->cap - 1);
    for (entry *e; (e = in->slots[i]); i = (i + 1) & (in->cap - 1))
        if (e->hash == h && e->len == len && memcmp(e->text, s, len) == 0)
            return e->text;
    entry *e = kr_arena_alloc(in->arena, sizeof *e + len + 1);
    if (!e)
        return NULL;
    e->hash = h;
    e->len = (uint32_t)len;
    memcpy(e->text, s, len);
    e->text[len] = '\0';
    in->slots[i] = e;
    if (++in->count * 2 > in->cap && rehash(in) != 0)
        return NULL;
    return e->text;
}

const char *kr_intern(kr_interner *in, const char *s)
{
    return kr_intern_n(in, s, strlen(s));
}

uint64_t kr_intern_hash(const char *interned)
{
    return ENTRY_OF(interned)->hash;
}
