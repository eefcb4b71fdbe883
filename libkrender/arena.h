/* Bump allocator: everything a render (or a cached file) makes dies with its arena. */
#ifndef KR_ARENA_H
#define KR_ARENA_H
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>

typedef struct kr_arena kr_arena;

/* Visible for the inline fast path of kr_arena_alloc only; use the functions. */
struct kr_arena_chunk;
struct kr_arena {
    unsigned char *cur, *end; /* the free part of the head chunk */
    struct kr_arena_chunk *head;
    size_t next_size;
    size_t total;
    bool huge; /* big chunks on transparent huge pages (kr_arena_new_huge) */
};

kr_arena *kr_arena_new(void);
/* An arena whose big chunks (2 MiB and more) are mappings of their own marked for transparent
 * huge pages: for the one arena of a render that grows to tens of megabytes on its critical
 * path (fewer page faults). Its last huge page is resident whole, hence not for every arena. */
kr_arena *kr_arena_new_huge(void);
/* An arena whose first chunk, of `bytes` (allocated now, on the calling thread), takes what
 * another thread will allocate in it: a thread that mallocs nothing gets no heap of its own
 * from glibc (a megabyte or two more resident while the read-ahead thread holds the second). */
kr_arena *kr_arena_new_reserved(size_t bytes);
void kr_arena_free(kr_arena *a);
/* kr_arena_alloc when the head chunk has no room for n (already rounded up to 8). */
void *kr_arena_alloc_slow(kr_arena *a, size_t n);
/* 8-byte aligned, uninitialised; NULL only when malloc fails. */
static inline void *kr_arena_alloc(kr_arena *a, size_t n)
{
    n = (n + 7u) & ~(size_t)7u;
    if (n - 1 >= (size_t)(a->end - a->cur)) /* no room, or n == 0 (never NULL: slow path) */
        return kr_arena_alloc_slow(a, n);
    void *p = a->cur;
    a->cur += n;
    a->total += n;
    return p;
}
void *kr_arena_zalloc(kr_arena *a, size_t n);
/* NUL-terminated copy of s[0..n). */
char *kr_arena_strndup(kr_arena *a, const char *s, size_t n);
char *kr_arena_strdup(kr_arena *a, const char *s);
/* x, y and z one after another, NUL-terminated (what "%s%s%s" prints, without a printf). */
char *kr_arena_concat3(kr_arena *a, const char *x, const char *y, const char *z);
char *kr_arena_printf(kr_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *kr_arena_vprintf(kr_arena *a, const char *fmt, va_list ap);
/* Room for one more element in an arena array of `len` elements of `elem` bytes: returns the
 * array, moved to a block twice as big when it was full (*cap updated; `first` elements for an
 * empty one), or NULL when out of memory. The old block stays in the arena. */
void *kr_arena_grow(kr_arena *a, void *items, size_t len, size_t *cap, size_t elem, size_t first);
/* Forgets every allocation but keeps the largest chunk for reuse (so a context that renders
 * again and again does not return its memory to the system and fault it back in each time). */
void kr_arena_reset(kr_arena *a);
/* Moves every allocation of src into dst (they then live as long as dst) and frees src. */
void kr_arena_adopt(kr_arena *dst, kr_arena *src);
/* Whether p points into memory of a (a walk over its chunks: for arenas of a few chunks). */
bool kr_arena_owns(const kr_arena *a, const void *p);
/* Gives the pages of the head chunk's unused end back to the system (they read as zeros and
 * fault in again if allocated later): before a phase that allocates elsewhere, so a huge page
 * the arena only started does not stay resident. Only for chunks that are mappings of their
 * own (kr_arena_new_huge); otherwise nothing. */
void kr_arena_release_tail(kr_arena *a);
/* Bytes handed out so far (for statistics and limits). */
size_t kr_arena_used(const kr_arena *a);

#endif
