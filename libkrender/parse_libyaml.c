/* The libyaml (yaml-0.1) event source for parse.c's tree builder. go-yaml v3, which kustomize
 * uses for resources, is a line-by-line port of libyaml, so the events, the syntax errors and
 * the positions are go-yaml's: a node's start mark is its first token (anchor or tag
 * included, the quote of a quoted scalar, the | or > of a block scalar, the * of an alias),
 * and columns count characters. One difference is patched: libyaml 0.2.5 accepts
 * `%YAML 1.2`, go-yaml v3 rejects every version but 1.1 ("found incompatible YAML
 * document"). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "parse_ev.h"

typedef struct lysrc {
    yaml_parser_t p;
    bool live;       /* p is initialised */
    bool has_ev;     /* ev must be deleted */
    yaml_event_t ev; /* the event handed out */
    /* The text handed to the scanner as already decoded (see give_decoded), and the parser's
     * own buffer, put back before the parser is deleted. */
    unsigned char *text;
    size_t cap;
    unsigned char *own_start, *own_end;
    bool lent;
} lysrc;

static void *ly_create(void)
{
    return calloc(1, sizeof(lysrc));
}

static void ly_release(void *p, kr_ev *ev)
{
    lysrc *s = p;
    (void)ev;
    if (s->has_ev)
        yaml_event_delete(&s->ev);
    s->has_ev = false;
}

static void delete_parser(lysrc *s)
{
    if (s->lent) { /* yaml_parser_delete frees the buffer's start */
        s->p.buffer.start = s->p.buffer.pointer = s->p.buffer.last = s->own_start;
        s->p.buffer.end = s->own_end;
        s->lent = false;
    }
    if (s->live)
        yaml_parser_delete(&s->p);
    s->live = false;
}

static void ly_destroy(void *p)
{
    lysrc *s = p;
    ly_release(s, NULL);
    delete_parser(s);
    free(s->text);
    free(s);
}

/* Whether every byte is a tab, a line break or printable ASCII: text libyaml's reader
 * accepts and copies unchanged, one character per byte. Sixteen bytes at a time (GCC's
 * vector extensions: SSE2 on x86-64, plain code elsewhere). */
typedef unsigned char bytes16 __attribute__((vector_size(16)));

static bool plain_ascii(const unsigned char *t, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        bytes16 c;
        memcpy(&c, t + i, sizeof c);
        bytes16 bad = (c > 0x7E) | ((c < 0x20) & (c != '\t') & (c != '\n') & (c != '\r'));
        uint64_t w[2];
        memcpy(w, &bad, sizeof w);
        if (w[0] | w[1])
            return false;
    }
    for (; i < n; i++) {
        unsigned char c = t[i];
        if (c > 0x7E || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
            return false;
    }
    return true;
}

/* libyaml's reader decodes its input one character at a time into parser->buffer, checking
 * each is allowed, and ends it with a NUL at the end of input: 7% of a big render's
 * instructions. Text of tabs, breaks and printable ASCII decodes to itself, so the parser is
 * given it decoded: its buffer points at a copy ending in NULs, with every character unread and
 * the input at its end (the reader then has nothing left to do, as after its last read). Any
 * other text (UTF-8, a BOM, control characters) goes through the reader, which also reports
 * its errors. The padding covers the scanner's look-ahead past the final NUL. */
enum { DECODED_PAD = 8 };

static bool give_decoded(lysrc *s, const char *str, size_t n)
{
    if (n == 0 || n > SIZE_MAX - DECODED_PAD || !plain_ascii((const unsigned char *)str, n))
        return false;
    if (s->cap < n + DECODED_PAD) {
        size_t cap = n + DECODED_PAD > 4096 ? n + DECODED_PAD : 4096;
        unsigned char *t = realloc(s->text, cap);
        if (!t)
            return false; /* the reader then copies it */
        s->text = t;
        s->cap = cap;
    }
    memcpy(s->text, str, n);
    memset(s->text + n, 0, DECODED_PAD);
    s->own_start = s->p.buffer.start;
    s->own_end = s->p.buffer.end;
    s->lent = true;
    s->p.buffer.start = s->p.buffer.pointer = s->text;
    s->p.buffer.last = s->text + n + 1; /* the NUL the reader adds at the end of input */
    s->p.buffer.end = s->text + s->cap;
    s->p.unread = n + 1;
    s->p.encoding = YAML_UTF8_ENCODING;
    s->p.eof = 1;
    return true;
}

static int ly_set_input(void *p, const char *str, size_t n, kr_ev_err *e)
{
    lysrc *s = p;
    (void)e;
    ly_release(s, NULL);
    delete_parser(s);
    s->live = yaml_parser_initialize(&s->p) != 0;
    if (!s->live)
        return KRENDER_E_NOMEM;
    yaml_parser_set_input_string(&s->p, (const unsigned char *)str, n);
    give_decoded(s, str, n);
    return 0;
}

static kr_scalar_style ly_style(yaml_scalar_style_t st)
{
    switch (st) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
        return KR_STYLE_SINGLE;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
        return KR_STYLE_DOUBLE;
    case YAML_LITERAL_SCALAR_STYLE:
        return KR_STYLE_LITERAL;
    case YAML_FOLDED_SCALAR_STYLE:
        return KR_STYLE_FOLDED;
    default:
        return KR_STYLE_PLAIN;
    }
}

static const char *str_of(const yaml_char_t *s, size_t *len)
{
    *len = s ? strlen((const char *)s) : 0;
    return (const char *)s;
}

static void at(kr_ev *ev, yaml_mark_t m)
{
    ev->line = (uint32_t)m.line + 1;
    ev->col = (uint32_t)m.column + 1;
}

static int ly_next(void *p, kr_ev *ev, kr_ev_err *e)
{
    lysrc *s = p;
    *ev = (kr_ev){.type = KR_EV_OTHER};
    ly_release(s, NULL);
    if (!yaml_parser_parse(&s->p, &s->ev)) {
        if (s->p.error == YAML_MEMORY_ERROR)
            return KRENDER_E_NOMEM;
        /* The problem mark is where the parser stopped (go-yaml prints "line N" from the
         * context mark, or from the problem mark when that is on line 0, 0-based for parser
         * errors); the message is go-yaml's, without libyaml's context. */
        *e = (kr_ev_err){s->p.problem ? s->p.problem : "unknown problem parsing YAML content",
                         (unsigned)s->p.problem_mark.line + 1,
                         (unsigned)s->p.problem_mark.column + 1};
        return KRENDER_E_YAML;
    }
    s->has_ev = true;
    yaml_event_t *y = &s->ev;
    switch (y->type) {
    case YAML_DOCUMENT_START_EVENT: {
        const yaml_version_directive_t *v = y->data.document_start.version_directive;
        if (v && (v->major != 1 || v->minor != 1)) {
            *e = (kr_ev_err){"found incompatible YAML document", (unsigned)y->start_mark.line + 1,
                             (unsigned)y->start_mark.column + 1};
            return KRENDER_E_YAML;
        }
        break;
    }
    case YAML_MAPPING_START_EVENT:
        ev->type = KR_EV_MAP;
        ev->anchor = str_of(y->data.mapping_start.anchor, &ev->anchor_len);
        at(ev, y->start_mark);
        break;
    case YAML_SEQUENCE_START_EVENT:
        ev->type = KR_EV_SEQ;
        ev->anchor = str_of(y->data.sequence_start.anchor, &ev->anchor_len);
        at(ev, y->start_mark);
        break;
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        ev->type = KR_EV_END;
        break;
    case YAML_SCALAR_EVENT:
        ev->type = KR_EV_SCALAR;
        ev->text = (const char *)y->data.scalar.value;
        ev->len = y->data.scalar.length;
        ev->style = (uint8_t)ly_style(y->data.scalar.style);
        ev->anchor = str_of(y->data.scalar.anchor, &ev->anchor_len);
        ev->tag = str_of(y->data.scalar.tag, &ev->tag_len);
        at(ev, y->start_mark);
        break;
    case YAML_ALIAS_EVENT:
        ev->type = KR_EV_ALIAS;
        ev->anchor = str_of(y->data.alias.anchor, &ev->anchor_len);
        at(ev, y->start_mark);
        break;
    case YAML_DOCUMENT_END_EVENT:
        ev->type = KR_EV_DOC_END;
        break;
    case YAML_STREAM_END_EVENT:
        ev->type = KR_EV_STREAM_END;
        break;
    default:
        break;
    }
    return 0;
}

const kr_ev_backend kr_ev_libyaml = {
    "libyaml", ly_create, ly_destroy, ly_set_input, ly_next, ly_release,
};

int kr_parse_document(kr_arena *a, const char *file, const char *buf, size_t len,
                      kr_yaml_mode mode, kr_node **out, kr_err *err)
{
    return kr_parse_document_with(&kr_ev_libyaml, a, file, buf, len, mode, out, err);
}

int kr_parse_stream(kr_arena *a, const char *file, const char *buf, size_t len,
                    kr_node ***docs, size_t *ndocs, kr_err *err)
{
    return kr_parse_stream_with(&kr_ev_libyaml, a, file, buf, len, docs, ndocs, err);
}
