#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Chunks grow geometrically so a 6 MB input costs a handful of mallocs, not thousands. */
#define KR_ARENA_FIRST_CHUNK (16u * 1024u)
#define KR_ARENA_MAX_CHUNK (4u * 1024u * 1024u)

struct chunk {
    struct chunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

struct kr_arena {
    struct chunk *head;
    size_t next_size;
    size_t total;
};

kr_arena *kr_arena_new(void)
{
    kr_arena *a = calloc(1, sizeof *a);
    if (a)
        a->next_size = KR_ARENA_FIRST_CHUNK;
    return a;
}

void kr_arena_free(kr_arena *a)
{
    if (!a)
        return;
    struct chunk *c = a->head;
    while (c) {
        struct chunk *n = c->next;
        free(c);
        c = n;
    }
    free(a);
}

void *kr_arena_alloc(kr_arena *a, size_t n)
{
    n = (n + 7u) & ~(size_t)7u;
    struct chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = a->next_size;
        if (size < n)
            size = n;
        c = malloc(sizeof *c + size);
        if (!c)
            return NULL;
        c->size = size;
        c->used = 0;
        /* A huge one-off block goes behind the current chunk so the space left there is kept. */
        if (a->head && size > a->next_size && a->head->size - a->head->used > 256) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
        if (a->next_size < KR_ARENA_MAX_CHUNK)
            a->next_size *= 2;
    }
    void *p = c->data + c->used;
    c->used += n;
    a->total += n;
    return p;
}

void *kr_arena_zalloc(kr_arena *a, size_t n)
{
    void *p = kr_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

char *kr_arena_strndup(kr_arena *a, const char *s, size_t n)
{
    char *p = kr_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *kr_arena_strdup(kr_arena *a, const char *s)
{
    return kr_arena_strndup(a, s, strlen(s));
}

char *kr_arena_vprintf(kr_arena *a, const char *fmt, va_list ap)
{
    /* one formatting pass when the text fits the stack buffer (paths, names: nearly always) */
    char tmp[512];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    if ((size_t)n < sizeof tmp)
        return kr_arena_strndup(a, tmp, (size_t)n);
    char *p = kr_arena_alloc(a, (size_t)n + 1);
    if (p)
        vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *kr_arena_printf(kr_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = kr_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

size_t kr_arena_used(const kr_arena *a)
{
    return a->total;
}

void *kr_arena_grow(kr_arena *a, void *items, size_t len, size_t *cap, size_t elem, size_t first)
{
    if (items && len < *cap)
        return items;
    size_t n = *cap && *cap >= len ? *cap * 2 : (len > first ? len * 2 : first);
    void *p = kr_arena_alloc(a, n * elem);
    if (!p)
        return NULL;
    if (len)
        memcpy(p, items, len * elem);
    *cap = n;
    return p;
}

void kr_arena_reset(kr_arena *a)
{
    struct chunk *keep = NULL;
    for (struct chunk *c = a->head; c; c = c->next)
        if (!keep || c->size > keep->size)
            keep = c;
    for (struct chunk *c = a->head, *n; c; c = n) {
        n = c->next;
        if (c != keep)
            free(c);
    }
    a->head = keep;
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
    a->total = 0;
    a->next_size = KR_ARENA_FIRST_CHUNK;
}
