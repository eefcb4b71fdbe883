/* The state machine and writers follow libyaml's emitter.c (0.2.5) restricted to block
 * context: its states and two stacks (states, indents), write_indent / write_indicator and
 * the flags they keep (whitespace, indention), yaml_emitter_analyze_scalar and
 * select_scalar_style for ASCII text, and the plain, single-quoted, double-quoted and literal
 * writers. Settings as kr_emit_document gives libyaml: indent 2, width 80, "\n" breaks. */
#include "emit_direct.h"

#include <stdlib.h>
#include <string.h>

#define BEST_INDENT 2
#define BEST_WIDTH 80
#define MAX_SIMPLE_KEY 128

enum {
    W_ROOT,
    W_DOC_END,
    W_MAP_FIRST_KEY,
    W_MAP_KEY,
    W_MAP_SIMPLE_VALUE,
    W_SEQ_FIRST_ITEM,
    W_SEQ_ITEM,
    W_EMPTY_MAP, /* "{" written, "}" at its end event */
    W_EMPTY_SEQ
};

enum { EV_SCALAR, EV_MAP_START, EV_MAP_END, EV_SEQ_START, EV_SEQ_END };

typedef struct event {
    int type;
    bool empty; /* a collection without entries */
    bool word;  /* a plain scalar its writer vouches for (kr_yw_word): not analyzed */
    const char *s;
    size_t len;
    kr_yw_style style;
} event;

/* yaml_emitter_analyze_scalar's verdicts that matter in block context (no scalar is ever
 * written inside a flow collection here: only empty ones are flow). */
typedef struct scan {
    bool multiline, block_plain, single_quoted, block;
    bool spaces; /* has a space (where a line may fold) */
} scan;

/* What analyze finds in any text kr_yw_word may be given. */
static const scan word_scan = {.block_plain = true, .single_quoted = true, .block = true};

/* ---- output: a failed allocation sets w->nomem and skips every later write ---- */

static bool room(kr_yw *w, size_t n)
{
    if (w->nomem)
        return false;
    if (w->out->cap - w->out->len > n || kr_buf_reserve(w->out, n))
        return true;
    w->nomem = true;
    return false;
}

static void put(kr_yw *w, char c)
{
    if (room(w, 1)) {
        w->out->data[w->out->len++] = c;
        w->column++;
    }
}

static void put_run(kr_yw *w, const char *s, size_t n)
{
    if (room(w, n)) {
        memcpy(w->out->data + w->out->len, s, n);
        w->out->len += n;
        w->column += n;
    }
}

static void put_break(kr_yw *w)
{
    if (room(w, 1)) {
        w->out->data[w->out->len++] = '\n';
        w->column = 0;
    }
}

static void write_indent(kr_yw *w)
{
    size_t indent = w->indent >= 0 ? (size_t)w->indent : 0;
    if (!w->indention || w->column > indent || (w->column == indent && !w->whitespace))
        put_break(w);
    if (w->column < indent && room(w, indent - w->column)) {
        memset(w->out->data + w->out->len, ' ', indent - w->column);
        w->out->len += indent - w->column;
        w->column = indent;
    }
    w->whitespace = true;
    w->indention = true;
}

static void write_indicator(kr_yw *w, const char *ind, bool need_whitespace, bool is_whitespace,
                            bool is_indention)
{
    if (need_whitespace && !w->whitespace)
        put(w, ' ');
    put_run(w, ind, strlen(ind));
    w->whitespace = is_whitespace;
    w->indention = w->indention && is_indention;
}

/* ---- stacks ---- */

static void push(kr_yw *w, struct kr_yw_stack *st, int v)
{
    if (w->nomem)
        return;
    if (st->len == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 32;
        int *p = realloc(st->items, cap * sizeof *p);
        if (!p) {
            w->nomem = true;
            return;
        }
        st->items = p;
        st->cap = cap;
    }
    st->items[st->len++] = v;
}

static int pop(struct kr_yw_stack *st)
{
    return st->len ? st->items[--st->len] : 0;
}

static void increase_indent(kr_yw *w, bool flow, bool indentless)
{
    push(w, &w->indents, w->indent);
    if (w->indent < 0)
        w->indent = flow ? BEST_INDENT : 0;
    else if (!indentless)
        w->indent += BEST_INDENT;
}

/* ---- scalars ---- */

/* The characters that may not start a plain scalar anywhere (libyaml's analysis). */
static bool starts_indicator(unsigned char c)
{
    switch (c) {
    case '#': case ',': case '[': case ']': case '{': case '}': case '&': case '*': case '!':
    case '|': case '>': case '\'': case '"': case '%': case '@': case '`':
        return true;
    default:
        return false;
    }
}

/* False when s has a character this writer leaves to libyaml (not printable ASCII or "\n"). */
/* Bytes analyze must look at: anything but printable ASCII other than ':' and '#' (the text of
 * most scalars is none of these, and is skipped a byte per table lookup). */
#define SPECIAL(c) ((c) <= ' ' || (c) >= 0x7F || (c) == ':' || (c) == '#')
#define ROW(b)                                                                                    \
    SPECIAL(b + 0), SPECIAL(b + 1), SPECIAL(b + 2), SPECIAL(b + 3), SPECIAL(b + 4),               \
        SPECIAL(b + 5), SPECIAL(b + 6), SPECIAL(b + 7), SPECIAL(b + 8), SPECIAL(b + 9),           \
        SPECIAL(b + 10), SPECIAL(b + 11), SPECIAL(b + 12), SPECIAL(b + 13), SPECIAL(b + 14),      \
        SPECIAL(b + 15)
static const bool special[256] = {ROW(0x00), ROW(0x10), ROW(0x20), ROW(0x30),
                                  ROW(0x40), ROW(0x50), ROW(0x60), ROW(0x70),
                                  ROW(0x80), ROW(0x90), ROW(0xA0), ROW(0xB0),
                                  ROW(0xC0), ROW(0xD0), ROW(0xE0), ROW(0xF0)};
#undef ROW
#undef SPECIAL

static bool analyze(const char *s, size_t n, scan *a)
{
    if (!n) {
        *a = (scan){.multiline = false, .block_plain = true, .single_quoted = true, .block = false};
        return true;
    }
    const unsigned char *u = (const unsigned char *)s;
    /* an indicator at the start; the end counts as a blank (libyaml reads the final NUL) */
    bool first_blank_after = n == 1 || u[1] == ' ' || u[1] == '\n';
    bool indicators = (n >= 3 && ((u[0] == '-' && u[1] == '-' && u[2] == '-') ||
                                  (u[0] == '.' && u[1] == '.' && u[2] == '.'))) ||
                      starts_indicator(u[0]) ||
                      ((u[0] == '?' || u[0] == ':' || u[0] == '-') && first_blank_after);
    bool breaks = false, break_space = false, space_break = false, spaces = false;
    bool prev_space = false, prev_break = false;
    for (size_t i = 0; i < n; i++) {
        if (!special[u[i]]) { /* the common case: a run of ordinary bytes */
            while (i + 1 < n && !special[u[i + 1]])
                i++;
            prev_space = prev_break = false;
            continue;
        }
        unsigned char c = u[i];
        if (c == ' ') {
            spaces = true;
            break_space |= prev_break;
            prev_space = true;
            prev_break = false;
        } else if (c == '\n') {
            breaks = true;
            space_break |= prev_space;
            prev_space = false;
            prev_break = true;
        } else if (c == ':' || c == '#') {
            if (i && c == ':' && (i + 1 == n || u[i + 1] == ' ' || u[i + 1] == '\n'))
                indicators = true; /* ": " anywhere */
            if (i && c == '#' && (u[i - 1] == ' ' || u[i - 1] == '\n'))
                indicators = true; /* " #" anywhere */
            prev_space = prev_break = false;
        } else {
            return false; /* a control character or DEL */
        }
    }
    bool edge = u[0] == ' ' || u[0] == '\n' || u[n - 1] == ' ' || u[n - 1] == '\n';
    a->multiline = breaks;
    a->spaces = spaces;
    a->block_plain = !edge && !break_space && !space_break && !breaks && !indicators;
    a->single_quoted = !break_space && !space_break;
    a->block = u[n - 1] != ' ' && !space_break;
    return true;
}

static void write_plain(kr_yw *w, const char *s, size_t n, bool allow_breaks)
{
    if (!w->whitespace)
        put(w, ' ');
    bool spaces = false;
    for (size_t i = 0; i < n;) {
        if (s[i] == ' ') {
            if (allow_breaks && !spaces && w->column > BEST_WIDTH && !(i + 1 < n && s[i + 1] == ' '))
                write_indent(w);
            else
                put(w, ' ');
            spaces = true;
            i++;
            continue;
        }
        size_t j = i; /* a run without spaces (plain text has no breaks) */
        while (j < n && s[j] != ' ')
            j++;
        put_run(w, s + i, j - i);
        w->indention = false;
        spaces = false;
        i = j;
    }
    w->whitespace = false;
    w->indention = false;
}

static void write_single_quoted(kr_yw *w, const char *s, size_t n, bool allow_breaks)
{
    write_indicator(w, "'", true, false, false);
    bool spaces = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ' ') {
            if (allow_breaks && !spaces && w->column > BEST_WIDTH && i != 0 && i != n - 1 &&
                !(i + 1 < n && s[i + 1] == ' '))
                write_indent(w);
            else
                put(w, ' ');
            spaces = true;
        } else {
            if (c == '\'')
                put(w, '\'');
            put(w, c);
            w->indention = false;
            spaces = false;
        }
    }
    write_indicator(w, "'", false, false, false);
    w->whitespace = false;
    w->indention = false;
}

static void write_double_quoted(kr_yw *w, const char *s, size_t n, bool allow_breaks)
{
    write_indicator(w, "\"", true, false, false);
    bool spaces = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n' || c == '"' || c == '\\') {
            put(w, '\\');
            put(w, c == '\n' ? 'n' : c);
            spaces = false;
        } else if (c == ' ') {
            if (allow_breaks && !spaces && w->column > BEST_WIDTH && i != 0 && i != n - 1) {
                write_indent(w);
                if (i + 1 < n && s[i + 1] == ' ')
                    put(w, '\\');
            } else {
                put(w, ' ');
            }
            spaces = true;
        } else {
            put(w, c);
            spaces = false;
        }
    }
    write_indicator(w, "\"", false, false, false);
    w->whitespace = false;
    w->indention = false;
}

static void write_literal(kr_yw *w, const char *s, size_t n)
{
    write_indicator(w, "|", true, false, false);
    /* block scalar hints: indentation when the text starts with a blank, then chomping */
    if (n && (s[0] == ' ' || s[0] == '\n'))
        write_indicator(w, "2", false, false, false);
    const char *chomp = !n || s[n - 1] != '\n'      ? "-"
                        : n == 1 || s[n - 2] == '\n' ? "+"
                                                     : NULL;
    if (chomp)
        write_indicator(w, chomp, false, false, false);
    put_break(w);
    w->indention = true;
    w->whitespace = true;
    bool breaks = true;
    for (size_t i = 0; i < n;) {
        if (s[i] == '\n') {
            put_break(w);
            w->indention = true;
            breaks = true;
            i++;
            continue;
        }
        if (breaks)
            write_indent(w);
        const char *nl = memchr(s + i, '\n', n - i);
        size_t j = nl ? (size_t)(nl - s) : n;
        put_run(w, s + i, j - i);
        w->indention = false;
        breaks = false;
        i = j;
    }
}

/* yaml_emitter_emit_scalar: style selection (the requested style falls back as libyaml's
 * select_scalar_style decides), then the scalar at one more indentation level. */
static int write_scalar(kr_yw *w, const event *e, const scan *a)
{
    int style = e->style;
    if (w->simple_key_context && a->multiline)
        style = KR_YW_DOUBLE_QUOTED;
    enum { SINGLE = KR_YW_LITERAL + 1 };
    if (style == KR_YW_PLAIN && (!a->block_plain || (!e->len && w->simple_key_context)))
        style = SINGLE;
    if (style == SINGLE && !a->single_quoted)
        style = KR_YW_DOUBLE_QUOTED;
    if (style == KR_YW_LITERAL && (!a->block || w->simple_key_context))
        style = KR_YW_DOUBLE_QUOTED;
    increase_indent(w, true, false);
    bool allow_breaks = !w->simple_key_context;
    switch (style) {
    case KR_YW_PLAIN:
        if (!e->len) /* libyaml 0.2.5 and its successors differ here; never asked of us */
            return KR_YW_UNSUPPORTED;
        if (a->spaces) {
            write_plain(w, e->s, e->len, allow_breaks);
        } else { /* one word: nothing to fold (most scalars) */
            if (!w->whitespace)
                put(w, ' ');
            put_run(w, e->s, e->len);
            w->whitespace = w->indention = false;
        }
        break;
    case SINGLE:
        write_single_quoted(w, e->s, e->len, allow_breaks);
        break;
    case KR_YW_DOUBLE_QUOTED:
        write_double_quoted(w, e->s, e->len, allow_breaks);
        break;
    default:
        write_literal(w, e->s, e->len);
        break;
    }
    w->indent = pop(&w->indents);
    w->state = pop(&w->states);
    return KR_YW_OK;
}

/* ---- the state machine ---- */

/* yaml_emitter_emit_node: a node in the given context (sets the flags that later decisions
 * read), scanned already when it is a key (a is NULL otherwise). */
static int write_node(kr_yw *w, const event *e, bool mapping, bool simple_key, const scan *a)
{
    w->mapping_context = mapping;
    w->simple_key_context = simple_key;
    switch (e->type) {
    case EV_SCALAR: {
        scan mine = word_scan;
        if (!a && !e->word && !analyze(e->s, e->len, &mine))
            return KR_YW_UNSUPPORTED;
        return write_scalar(w, e, a ? a : &mine);
    }
    case EV_MAP_START:
    case EV_SEQ_START:
        if (e->empty) { /* libyaml's check_empty_*: flow style */
            write_indicator(w, e->type == EV_MAP_START ? "{" : "[", true, true, false);
            increase_indent(w, true, false);
            w->state = e->type == EV_MAP_START ? W_EMPTY_MAP : W_EMPTY_SEQ;
        } else {
            w->state = e->type == EV_MAP_START ? W_MAP_FIRST_KEY : W_SEQ_FIRST_ITEM;
        }
        return KR_YW_OK;
    default:
        return KR_YW_UNSUPPORTED;
    }
}

static int block_mapping_key(kr_yw *w, const event *e, bool first)
{
    if (first)
        increase_indent(w, false, false);
    if (e->type == EV_MAP_END) {
        w->indent = pop(&w->indents);
        w->state = pop(&w->states);
        return KR_YW_OK;
    }
    write_indent(w);
    /* yaml_emitter_check_simple_key: one line, at most 128 bytes; else "? key" (libyaml's) */
    scan a = word_scan;
    if (e->type != EV_SCALAR || (!e->word && !analyze(e->s, e->len, &a)) || a.multiline ||
        e->len > MAX_SIMPLE_KEY)
        return KR_YW_UNSUPPORTED;
    push(w, &w->states, W_MAP_SIMPLE_VALUE);
    return write_node(w, e, true, true, &a);
}

static int block_sequence_item(kr_yw *w, const event *e, bool first)
{
    if (first) /* a sequence that is a mapping value is not indented */
        increase_indent(w, false, w->mapping_context && !w->indention);
    if (e->type == EV_SEQ_END) {
        w->indent = pop(&w->indents);
        w->state = pop(&w->states);
        return KR_YW_OK;
    }
    write_indent(w);
    write_indicator(w, "-", true, false, true);
    push(w, &w->states, W_SEQ_ITEM);
    return write_node(w, e, false, false, NULL);
}

static int dispatch(kr_yw *w, const event *e)
{
    int rc;
    switch (w->state) {
    case W_ROOT:
        push(w, &w->states, W_DOC_END);
        rc = write_node(w, e, false, false, NULL);
        break;
    case W_MAP_FIRST_KEY:
    case W_MAP_KEY:
        rc = block_mapping_key(w, e, w->state == W_MAP_FIRST_KEY);
        break;
    case W_MAP_SIMPLE_VALUE:
        write_indicator(w, ":", false, false, false);
        push(w, &w->states, W_MAP_KEY);
        rc = write_node(w, e, true, false, NULL);
        break;
    case W_SEQ_FIRST_ITEM:
    case W_SEQ_ITEM:
        rc = block_sequence_item(w, e, w->state == W_SEQ_FIRST_ITEM);
        break;
    case W_EMPTY_MAP:
    case W_EMPTY_SEQ:
        if (e->type != (w->state == W_EMPTY_MAP ? EV_MAP_END : EV_SEQ_END))
            return KR_YW_UNSUPPORTED;
        w->indent = pop(&w->indents);
        write_indicator(w, w->state == W_EMPTY_MAP ? "}" : "]", false, false, false);
        w->state = pop(&w->states);
        rc = KR_YW_OK;
        break;
    default:
        return KR_YW_UNSUPPORTED;
    }
    return w->nomem ? KR_YW_NOMEM : rc;
}

/* ---- API ---- */

void kr_yw_begin(kr_yw *w, kr_buf *out)
{
    *w = (kr_yw){.out = out, .indent = -1, .whitespace = true, .indention = true,
                 .state = W_ROOT};
}

void kr_yw_free(kr_yw *w)
{
    free(w->states.items);
    free(w->indents.items);
    w->states = w->indents = (struct kr_yw_stack){0};
}

int kr_yw_map_start(kr_yw *w, bool empty)
{
    return dispatch(w, &(event){.type = EV_MAP_START, .empty = empty});
}

int kr_yw_map_end(kr_yw *w)
{
    return dispatch(w, &(event){.type = EV_MAP_END});
}

int kr_yw_seq_start(kr_yw *w, bool empty)
{
    return dispatch(w, &(event){.type = EV_SEQ_START, .empty = empty});
}

int kr_yw_seq_end(kr_yw *w)
{
    return dispatch(w, &(event){.type = EV_SEQ_END});
}

int kr_yw_scalar(kr_yw *w, const char *s, size_t len, kr_yw_style style)
{
    return dispatch(w, &(event){.type = EV_SCALAR, .s = s, .len = len, .style = style});
}

int kr_yw_word(kr_yw *w, const char *s, size_t len)
{
    return dispatch(w, &(event){.type = EV_SCALAR, .word = true, .s = s, .len = len,
                                .style = KR_YW_PLAIN});
}

int kr_yw_end(kr_yw *w)
{
    if (w->state != W_DOC_END)
        return KR_YW_UNSUPPORTED;
    write_indent(w); /* yaml_emitter_emit_document_end (implicit) */
    if (room(w, 0))
        w->out->data[w->out->len] = '\0';
    return w->nomem ? KR_YW_NOMEM : KR_YW_OK;
}
