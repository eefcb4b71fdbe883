/* The YAML node tree every stage works on: map (ordered pairs), sequence, scalar.
 * Nodes live in an arena; nothing is freed individually. A scalar keeps its source text,
 * the style it was written in and its resolved type, so the emitter can redo kustomize's
 * JSON round trip and diagnostics can point at line and column. */
#ifndef KR_NODE_H
#define KR_NODE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef enum { KR_MAP = 1, KR_SEQ = 2, KR_SCALAR = 3 } kr_node_kind;

/* Resolved type of a scalar (what Go would decode it into). */
typedef enum {
    KR_T_STR = 0,
    KR_T_NULL,
    KR_T_BOOL,
    KR_T_INT,   /* text is the source spelling: "0x1F", "1_000", "017", "+1" ... */
    KR_T_FLOAT, /* text is the source spelling: "1e3", ".5", "1.0" ... */
    KR_T_TIMESTAMP /* a YAML timestamp; output as an RFC 3339 string */
} kr_scalar_type;

/* How the scalar was written in the source (input only; the emitter chooses its own). */
typedef enum {
    KR_STYLE_PLAIN = 0,
    KR_STYLE_SINGLE,
    KR_STYLE_DOUBLE,
    KR_STYLE_LITERAL,
    KR_STYLE_FOLDED
} kr_scalar_style;

typedef struct kr_node kr_node;
typedef struct kr_pair {
    kr_node *key; /* always a scalar */
    kr_node *value;
} kr_pair;

/* 24 bytes: the capacity of a map's or sequence's array is not stored. An array holds
 * exactly len entries (as the parser and kr_node_copy make them) unless KR_NF_ROOM is set,
 * when it has room for kr_node_room(len) (node.c grows it so). Code that installs an array
 * of its own (or shrinks len) clears KR_NF_ROOM. */
struct kr_node {
    uint8_t kind;  /* kr_node_kind */
    uint8_t type;  /* kr_scalar_type (scalars only) */
    uint8_t style; /* kr_scalar_style (scalars only) */
    uint8_t flags; /* KR_NF_* */
    uint32_t line, col; /* 1-based source position; 0 = made by a transformer */
    uint32_t len;       /* scalar: bytes of text; map: pairs; seq: items */
    union {
        const char *text; /* NUL-terminated, may contain NUL only if len says so */
        kr_node **items;
        kr_pair *pairs;
    } u;
};

/* The scalar carried an explicit tag (!!str etc.); type already reflects it. */
#define KR_NF_TAGGED 0x01u
/* The map's or sequence's array has room for kr_node_room(len) entries (see above). */
#define KR_NF_ROOM 0x02u

/* The entries an array of a KR_NF_ROOM node has room for: len rounded up to a power of two,
 * at least 4 (node.c only ever allocates such sizes). */
static inline uint32_t kr_node_room(uint32_t len)
{
    uint32_t c = 4;
    while (c < len)
        c *= 2;
    return c;
}

kr_node *kr_node_scalar(kr_arena *a, kr_scalar_type type, const char *text, size_t len);
kr_node *kr_node_str(kr_arena *a, const char *text); /* plain string scalar, text copied */
/* A scalar whose text is not copied: text[len] must be NUL and the text must outlive the node
 * (a string of the render, its context or a literal). Scalar text is never written to. */
kr_node *kr_node_scalar_ref(kr_arena *a, kr_scalar_type type, const char *text, size_t len);
kr_node *kr_node_map(kr_arena *a, uint32_t cap);
kr_node *kr_node_seq(kr_arena *a, uint32_t cap);
/* Deep copy into arena a (positions kept). */
kr_node *kr_node_copy(kr_arena *a, const kr_node *n);
/* The same, scalar texts and map keys copied too: the copy does not refer to n's memory (for
 * trees parsed into a scratch arena). */
kr_node *kr_node_copy_deep(kr_arena *a, const kr_node *n);

/* Map access; keys compare by scalar text. Returns NULL when absent or n is not a map. */
kr_node *kr_map_get(const kr_node *map, const char *key);
kr_node *kr_map_getn(const kr_node *map, const char *key, size_t keylen);
kr_pair *kr_map_find(const kr_node *map, const char *key);
/* Scalar string value of map[key] or NULL when absent / not a scalar. */
const char *kr_map_get_str(const kr_node *map, const char *key);
/* Append or replace; returns false on allocation failure. */
bool kr_map_set(kr_arena *a, kr_node *map, const char *key, kr_node *value);
/* Append or replace by the text of key (a scalar); an appended pair uses the key node itself,
 * which may be shared by many maps (key nodes are never modified, as kr_node_copy assumes). */
bool kr_map_put(kr_arena *a, kr_node *map, kr_node *key, kr_node *value);
/* Append without checking for an existing key (parser use). */
bool kr_map_append(kr_arena *a, kr_node *map, kr_node *key, kr_node *value);
bool kr_map_remove(kr_node *map, const char *key);
bool kr_seq_append(kr_arena *a, kr_node *seq, kr_node *item);

/* kyaml's name of a node kind: "MappingNode", "SequenceNode" or "ScalarNode" (messages). */
const char *kr_node_kind_name(const kr_node *n);

/* Walk a path of map keys (NULL-terminated list). */
kr_node *kr_node_path(const kr_node *n, const char *const *keys);

static inline bool kr_is_map(const kr_node *n) { return n && n->kind == KR_MAP; }
static inline bool kr_is_seq(const kr_node *n) { return n && n->kind == KR_SEQ; }
static inline bool kr_is_scalar(const kr_node *n) { return n && n->kind == KR_SCALAR; }
static inline bool kr_is_null(const kr_node *n)
{
    return !n || (n->kind == KR_SCALAR && n->type == KR_T_NULL);
}
static inline bool kr_is_str(const kr_node *n)
{
    return n && n->kind == KR_SCALAR && n->type == KR_T_STR;
}
static inline bool kr_scalar_eq(const kr_node *n, const char *s, size_t len)
{
    return n->kind == KR_SCALAR && n->len == len && (len == 0 || __builtin_memcmp(n->u.text, s, len) == 0);
}

#endif
