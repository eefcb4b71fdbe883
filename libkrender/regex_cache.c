/* Compiled patterns of a render: see regex_cache.h. */
#include "regex_cache.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "arena.h"

typedef struct slot {
    const char *pattern; /* NULL: empty slot */
    uint32_t options;
    pcre2_code *code;
} slot;

/* The render's table (render.h's `regexes`): open addressing, on malloc so it can grow and be
 * freed with the codes; the patterns' copies live in the render's arena. */
struct kr_regexes {
    slot *slots;
    size_t cap, count;
};

/* The slot of (pattern, options) in slots[0..cap): its own, or the empty one it would take. */
static slot *probe(slot *slots, size_t cap, const char *pattern, uint32_t options)
{
    size_t i = (size_t)XXH3_64bits_withSeed(pattern, strlen(pattern), options) & (cap - 1);
    while (slots[i].pattern &&
           (slots[i].options != options || strcmp(slots[i].pattern, pattern) != 0))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static bool grow(struct kr_regexes *t)
{
    size_t cap = t->cap ? t->cap * 2 : 64;
    slot *s = calloc(cap, sizeof *s);
    if (!s)
        return false;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].pattern)
            *probe(s, cap, t->slots[i].pattern, t->slots[i].options) = t->slots[i];
    free(t->slots);
    t->slots = s;
    t->cap = cap;
    return true;
}

pcre2_code *kr_regex(kr_render *r, const char *pattern, uint32_t options, int *code,
                     PCRE2_SIZE *offset)
{
    struct kr_regexes *t = r->regexes;
    if (!t && !(t = r->regexes = kr_arena_zalloc(kr_render_life(r), sizeof *t)))
        goto nomem;
    if (t->cap) {
        const slot *known = probe(t->slots, t->cap, pattern, options);
        if (known->pattern)
            return known->code;
    }
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, options, code,
                                   offset, NULL);
    if (!re)
        return NULL;
    const char *copy = kr_arena_strdup(kr_render_life(r), pattern);
    if (!copy || ((t->count + 1) * 2 > t->cap && !grow(t))) {
        pcre2_code_free(re);
        goto nomem;
    }
    *probe(t->slots, t->cap, copy, options) = (slot){copy, options, re};
    t->count++;
    return re;
nomem:
    *code = PCRE2_ERROR_NOMEMORY;
    *offset = 0;
    return NULL;
}

void kr_regex_end(kr_render *r)
{
    struct kr_regexes *t = r->regexes;
    if (!t)
        return;
    for (size_t i = 0; i < t->cap; i++)
        pcre2_code_free(t->slots[i].code); /* NULL for an empty slot: nothing */
    free(t->slots);
    r->regexes = NULL;
}
