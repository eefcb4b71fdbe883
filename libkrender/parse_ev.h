/* Internal: the YAML event source parse.c's tree builder reads from (libyaml, in
 * parse_libyaml.c). The source turns one text into events carrying final,
 * go-yaml-compatible positions; everything else (tree building, anchors, merge keys,
 * duplicate keys, scalar typing, stream splitting) is shared in parse.c. */
#ifndef KR_PARSE_EV_H
#define KR_PARSE_EV_H
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "node.h"
#include "parse.h"

typedef enum {
    KR_EV_OTHER = 0, /* stream/document start and anything else the builder ignores */
    KR_EV_MAP,       /* mapping start */
    KR_EV_SEQ,       /* sequence start */
    KR_EV_END,       /* mapping or sequence end */
    KR_EV_SCALAR,
    KR_EV_ALIAS,     /* anchor = the name referenced */
    KR_EV_DOC_END,
    KR_EV_STREAM_END
} kr_ev_type;

/* Strings point into the source's own memory and stay valid until release(); they need not
 * be NUL-terminated. */
typedef struct kr_ev {
    kr_ev_type type;
    uint8_t style;       /* kr_scalar_style (scalars) */
    uint32_t line, col;  /* 1-based within the text given to set_input (0 = unknown), at the
                          * node's first token as go-yaml reports it */
    const char *anchor;  /* NULL when none */
    size_t anchor_len;
    const char *tag;     /* full form ("tag:yaml.org,2002:int", "!Ref", "!"); NULL when none */
    size_t tag_len;
    const char *text;    /* scalars */
    size_t len;
} kr_ev;

/* A syntax error: message (valid until the next call on the source) and its 1-based position
 * within the text (0 = unknown). */
typedef struct kr_ev_err {
    const char *msg;
    unsigned line, col;
} kr_ev_err;

typedef struct kr_ev_backend {
    const char *name;
    void *(*create)(void); /* NULL when out of memory */
    void (*destroy)(void *src);
    /* Starts reading s[0..n) (s stays valid until the next set_input or destroy). Returns 0,
     * KRENDER_E_NOMEM, or KRENDER_E_YAML with *e filled. */
    int (*set_input)(void *src, const char *s, size_t n, kr_ev_err *e);
    /* The next event. Returns 0 (ev filled), KRENDER_E_YAML (*e filled) or KRENDER_E_NOMEM. */
    int (*next)(void *src, kr_ev *ev, kr_ev_err *e);
    /* Frees what the last next() handed out. */
    void (*release)(void *src, kr_ev *ev);
} kr_ev_backend;

/* kr_parse_document / kr_parse_stream on a given event source. */
int kr_parse_document_with(const kr_ev_backend *be, kr_arena *a, const char *file,
                           const char *buf, size_t len, kr_yaml_mode mode, kr_node **out,
                           kr_err *err);
int kr_parse_stream_with(const kr_ev_backend *be, kr_arena *a, const char *file,
                         const char *buf, size_t len, kr_node ***docs, size_t *ndocs,
                         kr_err *err);

/* The event source (parse_libyaml.c): libyaml, whose parser go-yaml is a port of, so syntax
 * errors and positions read as kustomize's do. */
extern const kr_ev_backend kr_ev_libyaml;

#endif
