/* go-yaml v2's block output for the common case, written straight into the output buffer.
 *
 * libyaml's emitter (emit.c) is the reference: this writer runs the same state machine (block
 * mappings and sequences, empty collections in flow style, indentation, the scalar analysis,
 * style fallbacks and line folding at width 80) but only for what most documents hold: scalars
 * of printable ASCII and newlines, keys short enough to be simple keys. Anything else makes it
 * give up, and the caller emits that document with libyaml instead. It exists because libyaml
 * costs a malloc, a copy and a free per scalar plus ~10 ns per output byte, which was about
 * half of a render's CPU time on large trees. tests/unit/test_emit.c checks that both write the
 * same bytes. */
#ifndef KR_EMIT_DIRECT_H
#define KR_EMIT_DIRECT_H
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* What kr_yw_* return. */
enum { KR_YW_OK = 0, KR_YW_NOMEM, KR_YW_UNSUPPORTED };

/* The style the caller asks for (go-yaml v2's choice before libyaml's checks). */
typedef enum { KR_YW_PLAIN, KR_YW_DOUBLE_QUOTED, KR_YW_LITERAL } kr_yw_style;

typedef struct kr_yw {
    kr_buf *out;
    int indent;        /* libyaml's emitter->indent: -1 at the document level */
    size_t column;
    bool whitespace;   /* the last character written was a space or a break */
    bool indention;    /* only indentation since the last break */
    bool mapping_context, simple_key_context; /* of the node being written */
    bool nomem;        /* an allocation failed: later writes are skipped */
    int state;
    struct kr_yw_stack {
        int *items;
        size_t len, cap;
    } states, indents; /* libyaml's two stacks */
} kr_yw;

/* Starts a document appended to out (which must outlive the writer). */
void kr_yw_begin(kr_yw *w, kr_buf *out);
/* Frees the writer's stacks (out is the caller's). */
void kr_yw_free(kr_yw *w);

/* One event each, in document order; `empty`: the collection has no entries (then written
 * "{}" / "[]"), its end still comes. */
int kr_yw_map_start(kr_yw *w, bool empty);
int kr_yw_map_end(kr_yw *w);
int kr_yw_seq_start(kr_yw *w, bool empty);
int kr_yw_seq_end(kr_yw *w);
int kr_yw_scalar(kr_yw *w, const char *s, size_t len, kr_yw_style style);
/* A plain scalar the caller knows to be one printable-ASCII word that may be written plain (no
 * blanks, ':', '#' or leading indicator; common_words.h's kr_common_plain_word): written as
 * kr_yw_scalar would, without scanning it. */
int kr_yw_word(kr_yw *w, const char *s, size_t len);
/* After the root node: the final line break. */
int kr_yw_end(kr_yw *w);

#endif
