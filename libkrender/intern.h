/* String interning: equal strings become one pointer, so resource-id parts compare and hash
 * by pointer. One interner per render, backed by the render's arena. */
#ifndef KR_INTERN_H
#define KR_INTERN_H
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef struct kr_interner kr_interner;

kr_interner *kr_interner_new(kr_arena *a);
/* The unique copy of s[0..len) (NUL-terminated); NULL on allocation failure. */
const char *kr_intern_n(kr_interner *in, const char *s, size_t len);
const char *kr_intern(kr_interner *in, const char *s);
/* The unique copy of s[0..len) when one exists, else NULL: reads only, so threads may look up
 * at once while no thread interns. */
const char *kr_intern_find_n(const kr_interner *in, const char *s, size_t len);
/* xxHash of an interned string, cached. */
uint64_t kr_intern_hash(const char *interned);

#endif
