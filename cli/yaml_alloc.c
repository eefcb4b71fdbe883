/* libyaml's allocator in the static CLI: see yaml_alloc.h. */
#include "yaml_alloc.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Every block starts with a header: its class, then (while it is kept) the next kept block of
 * its class. 16 bytes keep malloc's alignment; the lists hold the blocks' own addresses, so a
 * leak checker sees kept blocks as reachable, not as pointed into. */
#define HEADER 16
#define LINK 8 /* the link's offset in the header */
#define MIN_SHIFT 4       /* class 0 holds 16 bytes, class c holds 16 << c */
#define CLASSES 13        /* up to 64 KiB: a parser's input buffers are 16 and 48 KiB */
#define LARGE ((size_t)-1) /* a block of no class: malloc'd and freed as it is */

/* What a thread keeps of each class: enough for the blocks libyaml has live at once (a few
 * per scanned token, a parser's stacks and buffers), not a pool that grows with the input. */
#define KEEP_SMALL 64 /* classes up to 1 KiB */
#define KEEP_BIG 2    /* the rest: one parser's buffers, and one more */
#define SMALL_CLASSES 7

typedef struct thread_cache {
    char *head[CLASSES]; /* freed blocks (their starts, header included) */
    uint16_t count[CLASSES];
    bool registered; /* the thread's exit frees what it keeps */
} thread_cache;

static __thread thread_cache cache;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static bool exit_key_ok;

static void *block_of(void *p)
{
    return (char *)p - HEADER;
}

static size_t class_of_block(void *p)
{
    size_t c;
    memcpy(&c, block_of(p), sizeof c);
    return c;
}

static size_t class_of_size(size_t n)
{
    if (n <= (size_t)1 << MIN_SHIFT)
        return 0;
    size_t c = (size_t)(64 - __builtin_clzll((unsigned long long)(n - 1))) - MIN_SHIFT;
    return c < CLASSES ? c : LARGE;
}

static size_t class_bytes(size_t c)
{
    return (size_t)1 << (MIN_SHIFT + c);
}

/* A new block of class c (LARGE: of n bytes) from malloc. */
static void *fresh(size_t c, size_t n)
{
    size_t bytes = c == LARGE ? n : class_bytes(c);
    if (bytes > SIZE_MAX - HEADER)
        return NULL;
    char *b = malloc(HEADER + bytes);
    if (!b)
        return NULL;
    memcpy(b, &c, sizeof c);
    return b + HEADER;
}

static char *next_of(const char *b)
{
    char *n;
    memcpy(&n, b + LINK, sizeof n);
    return n;
}

static void release_all(void *arg)
{
    thread_cache *tc = arg;
    for (size_t c = 0; c < CLASSES; c++) {
        while (tc->head[c]) {
            char *b = tc->head[c];
            tc->head[c] = next_of(b);
            free(b);
        }
        tc->count[c] = 0;
    }
    tc->registered = false;
}

static void make_exit_key(void)
{
    exit_key_ok = pthread_key_create(&exit_key, release_all) == 0;
}

/* Whether this thread's exit will free what it keeps (the main thread's die with the
 * process). */
static bool registered(void)
{
    if (!cache.registered) {
        pthread_once(&exit_key_once, make_exit_key);
        cache.registered = exit_key_ok && pthread_setspecific(exit_key, &cache) == 0;
    }
    return cache.registered;
}

void *kr_yaml_malloc(size_t n)
{
    size_t c = class_of_size(n);
    if (c != LARGE && cache.head[c]) {
        char *b = cache.head[c];
        cache.head[c] = next_of(b);
        cache.count[c]--;
        return b + HEADER;
    }
    return fresh(c, n);
}

/* The rare ways out of kr_yaml_free, apart from its fast path: a block this thread cannot
 * keep, or the thread's first kept block (its exit must free what it keeps). */
static __attribute__((noinline)) void free_slow(void *p, size_t c)
{
    if (c != LARGE && cache.count[c] < (c < SMALL_CLASSES ? KEEP_SMALL : KEEP_BIG) &&
        registered()) {
        char *b = block_of(p);
        memcpy(b + LINK, &cache.head[c], sizeof(char *));
        cache.head[c] = b;
        cache.count[c]++;
        return;
    }
    free(block_of(p));
}

void kr_yaml_free(void *p)
{
    if (!p)
        return;
    size_t c = class_of_block(p);
    /* the fast path (a million calls in a big render): kept at once, no registers to save */
    if (c != LARGE && cache.registered &&
        cache.count[c] < (c < SMALL_CLASSES ? KEEP_SMALL : KEEP_BIG)) {
        char *b = block_of(p);
        memcpy(b + LINK, &cache.head[c], sizeof(char *));
        cache.head[c] = b;
        cache.count[c]++;
        return;
    }
    free_slow(p, c);
}

void *kr_yaml_realloc(void *p, size_t n)
{
    if (!p)
        return kr_yaml_malloc(n);
    size_t c = class_of_block(p);
    if (c == LARGE) {
        if (n > SIZE_MAX - HEADER)
            return NULL;
        char *b = realloc(block_of(p), HEADER + n);
        return b ? b + HEADER : NULL;
    }
    if (n <= class_bytes(c))
        return p;
    void *q = kr_yaml_malloc(n);
    if (q) {
        memcpy(q, p, class_bytes(c));
        kr_yaml_free(p);
    }
    return q;
}

char *kr_yaml_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = kr_yaml_malloc(n);
    return d ? memcpy(d, s, n) : NULL;
}
