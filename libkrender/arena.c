#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Chunks grow geometrically so a 6 MB input costs a handful of mallocs, not thousands. */
#define KR_ARENA_FIRST_CHUNK (16u * 1024u)
#define KR_ARENA_MAX_CHUNK (4u * 1024u * 1024u)

struct kr_arena_chunk {
    struct kr_arena_chunk *next;
    size_t size, used; /* used: of the head chunk, only up to date when it is not the head */
    size_t mapped;     /* bytes of the mapping when the chunk is its own huge-page mapping */
    _Alignas(16) unsigned char data[];
};
typedef struct kr_arena_chunk chunk_t;

/* The bytes used in c (the head's count is a->cur). */
static size_t used_of(const kr_arena *a, const chunk_t *c)
{
    return c == a->head ? (size_t)(a->cur - c->data) : c->used;
}

static void set_head(kr_arena *a, chunk_t *c)
{
    if (a->head)
        a->head->used = used_of(a, a->head);
    a->head = c;
    a->cur = c ? c->data + c->used : NULL;
    a->end = c ? c->data + c->size : NULL;
}

kr_arena *kr_arena_new(void)
{
    kr_arena *a = calloc(1, sizeof *a);
    if (a)
        a->next_size = KR_ARENA_FIRST_CHUNK;
    return a;
}

#define HUGE_PAGE (2u * 1024u * 1024u)

/* A chunk of at least `need` data bytes, about `size`. In a huge arena, big chunks get a
 * mapping of their own, 2 MiB-aligned and marked for transparent huge pages: a big render
 * faults in tens of megabytes, and 4 KiB page faults were ~8% of its CPU time. The price: up
 * to one partly used 2 MiB page resident. */
static chunk_t *chunk_new(size_t size, size_t need, bool huge)
{
    size_t bytes = sizeof(chunk_t) + size;
    if (size < HUGE_PAGE || !huge) {
        chunk_t *c = malloc(bytes);
        if (c)
            c->mapped = 0, c->size = size;
        return c;
    }
    /* whole huge pages: the header takes its room from the data, unless `need` would not fit */
    bytes = (size + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
    if (bytes - sizeof(chunk_t) < need)
        bytes += HUGE_PAGE;
    size_t span = bytes + HUGE_PAGE;
    unsigned char *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    uintptr_t aligned = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    unsigned char *q = (unsigned char *)aligned;
    if (q > p)
        munmap(p, (size_t)(q - p));
    if (q + bytes < p + span)
        munmap(q + bytes, (size_t)(p + span - (q + bytes)));
    (void)madvise(q, bytes, MADV_HUGEPAGE); /* advice: without THP, 4 KiB pages as before */
    chunk_t *c = (chunk_t *)q;
    c->mapped = bytes;
    c->size = bytes - sizeof *c; /* all of the mapping but the header */
    return c;
}

static void chunk_free(chunk_t *c)
{
    if (c->mapped)
        munmap(c, c->mapped);
    else
        free(c);
}

kr_arena *kr_arena_new_reserved(size_t bytes)
{
    kr_arena *a = kr_arena_new();
    chunk_t *c = a ? chunk_new(bytes, bytes, false) : NULL;
    if (!c) {
        free(a);
        return NULL;
    }
    c->next = NULL;
    c->used = 0;
    set_head(a, c);
    a->next_size = bytes;
    return a;
}

kr_arena *kr_arena_new_huge(void)
{
    kr_arena *a = kr_arena_new();
    if (a)
        a->huge = true;
    return a;
}

void kr_arena_free(kr_arena *a)
{
    if (!a)
        return;
    chunk_t *c = a->head;
    while (c) {
        chunk_t *n = c->next;
        chunk_free(c);
        c = n;
    }
    free(a);
}

void *kr_arena_alloc_slow(kr_arena *a, size_t n)
{
    if (n == 0 && a->cur)
        return a->cur;
    size_t size = a->next_size;
    if (size < n)
        size = n;
    chunk_t *c = chunk_new(size, n, a->huge);
    if (!c)
        return NULL;
    c->used = n;
    /* A huge one-off block goes behind the current chunk so the space left there is kept. */
    if (a->head && size > a->next_size && a->head->size - used_of(a, a->head) > 256) {
        c->next = a->head->next;
        a->head->next = c;
    } else {
        c->next = a->head;
        set_head(a, c);
    }
    if (a->next_size < KR_ARENA_MAX_CHUNK)
        a->next_size *= 2;
    a->total += n;
    return c->data;
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

char *kr_arena_concat3(kr_arena *a, const char *x, const char *y, const char *z)
{
    size_t nx = strlen(x), ny = strlen(y), nz = strlen(z);
    char *p = kr_arena_alloc(a, nx + ny + nz + 1);
    if (!p)
        return NULL;
    memcpy(p, x, nx);
    memcpy(p + nx, y, ny);
    memcpy(p + nx + ny, z, nz + 1);
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

bool kr_arena_owns(const kr_arena *a, const void *p)
{
    const unsigned char *q = p;
    for (const chunk_t *c = a->head; c; c = c->next)
        if (q >= c->data && q < c->data + c->size)
            return true;
    return false;
}

void kr_arena_release_tail(kr_arena *a)
{
    chunk_t *c = a->head;
    if (!c || !c->mapped)
        return;
    long ps = sysconf(_SC_PAGESIZE);
    uintptr_t page = ps > 0 ? (uintptr_t)ps : 4096u;
    uintptr_t from = ((uintptr_t)a->cur + page - 1) & ~(page - 1);
    uintptr_t to = (uintptr_t)c + c->mapped;
    if (from < to)
        (void)madvise((void *)from, to - from, MADV_DONTNEED); /* advice: fine if refused */
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

void kr_arena_adopt(kr_arena *dst, kr_arena *src)
{
    if (!src)
        return;
    if (src->head) {
        src->head->used = used_of(src, src->head);
        chunk_t *tail = src->head;
        while (tail->next)
            tail = tail->next;
        if (dst->head) { /* behind dst's head, whose free space stays in use */
            tail->next = dst->head->next;
            dst->head->next = src->head;
        } else {
            dst->head = src->head;
            dst->cur = src->cur;
            dst->end = src->end;
        }
        dst->total += src->total;
    }
    free(src);
}

/* Under AddressSanitizer a reset arena keeps nothing: a pointer still into it (compact.h
 * relies on there being none) is then a use after free, not a silent read of new data. */
#if defined(__SANITIZE_ADDRESS__)
#define KR_ARENA_KEEP_ON_RESET 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KR_ARENA_KEEP_ON_RESET 0
#endif
#endif
#ifndef KR_ARENA_KEEP_ON_RESET
#define KR_ARENA_KEEP_ON_RESET 1
#endif

void kr_arena_reset(kr_arena *a)
{
    chunk_t *keep = NULL;
    for (chunk_t *c = a->head; c && KR_ARENA_KEEP_ON_RESET; c = c->next)
        if (!keep || c->size > keep->size)
            keep = c;
    for (chunk_t *c = a->head, *n; c; c = n) {
        n = c->next;
        if (c != keep)
            chunk_free(c);
    }
    a->head = NULL;
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
    set_head(a, keep);
    a->total = 0;
    a->next_size = KR_ARENA_FIRST_CHUNK;
}
