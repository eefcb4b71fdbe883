/* The node tree -> kustomize's bytes. What kustomize decides is done here (key order, JSON
 * round trip of values, the requested scalar style); how it is written (indentation, folding,
 * quoting fallbacks, block scalars) is libyaml's emitter, of which go-yaml v2 is a port. The
 * same walk first feeds emit_direct.c, which writes documents of printable ASCII with libyaml's
 * rules and no per-scalar allocation; a document it cannot write goes to libyaml instead.
 *
 * Where libyaml 0.2.5 and go-yaml v2 differ, on our inputs:
 *  - a "|+" block scalar sets libyaml's open_ended flag, which prints "..." at STREAM-END;
 *    go-yaml v2 clears the flag first. Everything is flushed at DOCUMENT-END, so no
 *    STREAM-END is sent at all.
 *  - go-yaml v2's is_bom() looks at the start of the whole value, so a double-quoted string
 *    starting with U+FEFF has every character escaped. Such strings are emitted as a plain
 *    placeholder of the same width and the escaped text is copied over it afterwards.
 *  - a single-quoted string ending in U+2028/U+2029 gets an indentation before the closing
 *    quote from libyaml, not from go-yaml v2 (not handled; see tests). */
#define _GNU_SOURCE /* memmem */
#include "emit.h"

#include "common_words.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "emit_direct.h"
#include "jsonvalue.h"
#include "keyorder.h"

#define MAX_DEPTH 10000

/* Returned through the tree walk when the direct writer leaves the document to libyaml. */
#define USE_LIBYAML (-1)

typedef struct key_ent {
    const char *text; /* output key; into keytext when rewritten (refreshed before use) */
    size_t len;
    size_t fixed; /* offset in keytext when the JSON round trip rewrote the key, else SIZE_MAX */
    const kr_node *key, *value;
} key_ent;

typedef struct emit_ctx {
    bool direct;      /* writing with emit_direct.c (w); else libyaml's emitter (y) */
    kr_yw w;
    yaml_emitter_t y;
    kr_err *err;
    const kr_node *doc;
    kr_buf scratch;   /* rewritten value string, reset per scalar */
    kr_buf keytext;   /* rewritten keys, used as a stack */
    key_ent *ents;    /* sorted keys of the maps being emitted, used as a stack */
    size_t nents, capents;
    kr_buf bom;       /* go-yaml v2's escaping of each U+FEFF string, in output order */
    kr_buf bomlens;   /* their lengths (size_t each) */
    kr_buf ph;        /* placeholder text */
    char marker[4];   /* start of every placeholder; absent from all scalars of doc */
    bool have_marker;
    unsigned depth;
} emit_ctx;

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
    return kr_buf_append(data, buffer, size);
}

/* ---- events ---- */

static int put_event(emit_ctx *c, yaml_event_t *ev, int initialized)
{
    if (!initialized)
        return kr_err_nomem(c->err);
    if (yaml_emitter_emit(&c->y, ev))
        return KRENDER_OK;
    if (c->y.error == YAML_MEMORY_ERROR || c->y.error == YAML_WRITER_ERROR)
        return kr_err_nomem(c->err);
    return kr_err_set(c->err, KRENDER_E_INTERNAL, NULL, 0, 0, "yaml emitter: %s",
                      c->y.problem ? c->y.problem : "failed");
}

static int direct_rc(emit_ctx *c, int rc)
{
    return rc == KR_YW_OK ? KRENDER_OK : rc == KR_YW_NOMEM ? kr_err_nomem(c->err) : USE_LIBYAML;
}

static int put_scalar(emit_ctx *c, const char *s, size_t len, yaml_scalar_style_t style)
{
    if (len > INT_MAX)
        return kr_err_set(c->err, KRENDER_E_VALUE, NULL, 0, 0, "string too long to emit");
    if (c->direct)
        return direct_rc(c, kr_yw_scalar(&c->w, s, len,
                                         style == YAML_PLAIN_SCALAR_STYLE    ? KR_YW_PLAIN
                                         : style == YAML_LITERAL_SCALAR_STYLE ? KR_YW_LITERAL
                                                                              : KR_YW_DOUBLE_QUOTED));
    /* libyaml's own constructor: the emitter frees the value with libyaml's allocator, which
     * is not malloc in the static CLI (cli/yaml_alloc.h). This path is the rare one (the
     * direct writer takes the rest); every text reaching it went through kr_json_string
     * (invalid UTF-8 replaced, as Go's encoding/json does) or is ASCII, so libyaml's UTF-8
     * check always passes. */
    yaml_event_t ev;
    return put_event(c, &ev,
                     yaml_scalar_event_initialize(&ev, NULL, NULL, (const yaml_char_t *)s,
                                                  (int)len, 1, 1, style));
}

/* ---- strings starting with U+FEFF ---- */

static bool tree_contains(const kr_node *n, const char *m)
{
    if (!n)
        return false;
    switch (n->kind) {
    case KR_SCALAR:
        return n->len >= 4 && memmem(n->u.text, n->len, m, 4);
    case KR_SEQ:
        for (uint32_t i = 0; i < n->len; i++)
            if (tree_contains(n->u.items[i], m))
                return true;
        return false;
    default:
        for (uint32_t i = 0; i < n->len; i++)
            if (tree_contains(n->u.pairs[i].key, m) || tree_contains(n->u.pairs[i].value, m))
                return true;
        return false;
    }
}

/* Four capitals that no escape sequence, number, timestamp or keyword can produce, and that
 * no scalar of the document contains: so in the output they mark placeholders only. */
static bool choose_marker(emit_ctx *c)
{
    static const char alpha[] = "GHIJKMOQRSTVWY";
    const unsigned base = sizeof alpha - 1;
    for (unsigned k = 0; k < base * base * base * base; k++) {
        for (unsigned d = 0, v = k; d < 4; d++, v /= base)
            c->marker[d] = alpha[v % base];
        if (!tree_contains(c->doc, c->marker))
            return c->have_marker = true;
    }
    return false;
}

/* go-yaml v2's double-quoted escape of rune v (the branch every rune takes after a BOM). */
static bool v2_escape(kr_buf *b, uint32_t v)
{
    static const char hex[] = "0123456789ABCDEF";
    static const struct { uint32_t v; char e; } named[] = {
        {0x00, '0'}, {0x07, 'a'}, {0x08, 'b'}, {0x09, 't'}, {0x0A, 'n'}, {0x0B, 'v'},
        {0x0C, 'f'}, {0x0D, 'r'}, {0x1B, 'e'}, {0x22, '"'}, {0x5C, '\\'}, {0x85, 'N'},
        {0xA0, '_'}, {0x2028, 'L'}, {0x2029, 'P'}};
    char t[10] = {'\\'};
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (named[i].v == v) {
            t[1] = named[i].e;
            return kr_buf_append(b, t, 2);
        }
    int w = v <= 0xFF ? 2 : v <= 0xFFFF ? 4 : 8;
    t[1] = w == 2 ? 'x' : w == 4 ? 'u' : 'U';
    for (int k = 0; k < w; k++)
        t[2 + k] = hex[(v >> (4 * (w - 1 - k))) & 0xF];
    return kr_buf_append(b, t, (size_t)(2 + w));
}

static bool v2_escape_all(kr_buf *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    if (!kr_buf_putc(b, '"'))
        return false;
    for (size_t i = 0; i < len;) {
        unsigned c = p[i];
        int w = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        uint32_t v = w == 1 ? c : w == 2 ? c & 0x1F : w == 3 ? c & 0x0F : c & 0x07;
        for (int k = 1; k < w && i + (size_t)k < len; k++)
            v = v << 6 | (p[i + (size_t)k] & 0x3F);
        i += (size_t)w;
        if (!v2_escape(b, v))
            return false;
    }
    return kr_buf_putc(b, '"');
}

static int emit_bom_string(emit_ctx *c, const char *s, size_t len)
{
    if (!c->have_marker && !choose_marker(c))
        return kr_err_set(c->err, KRENDER_E_INTERNAL, NULL, 0, 0, "no placeholder marker");
    size_t start = c->bom.len;
    if (!v2_escape_all(&c->bom, s, len))
        return kr_err_nomem(c->err);
    size_t elen = c->bom.len - start;
    c->ph.len = 0;
    if (!kr_buf_append(&c->bomlens, &elen, sizeof elen) ||
        !kr_buf_append(&c->ph, c->marker, 4))
        return kr_err_nomem(c->err);
    while (c->ph.len < elen)
        if (!kr_buf_putc(&c->ph, 'Z'))
            return kr_err_nomem(c->err);
    return put_scalar(c, c->ph.data, elen, YAML_PLAIN_SCALAR_STYLE);
}

/* Copies the escaped texts over their placeholders in out[start..]. */
static void fill_bom_placeholders(emit_ctx *c, kr_buf *out, size_t start)
{
    char *p = out->data + start, *end = out->data + out->len;
    const char *src = c->bom.data;
    for (size_t i = 0; i < c->bomlens.len / sizeof(size_t); i++) {
        size_t len;
        memcpy(&len, c->bomlens.data + i * sizeof len, sizeof len);
        char *hit = memmem(p, (size_t)(end - p), c->marker, 4);
        if (!hit || (size_t)(end - hit) < len)
            return;
        memcpy(hit, src, len);
        src += len;
        p = hit + len;
    }
}

/* ---- scalars ---- */

/* go-yaml v2's stringv: literal when there is a newline, double quotes when plain text would
 * read back as something else, else plain; libyaml's analysis then falls back exactly as
 * go-yaml v2's does. */
static int emit_string(emit_ctx *c, const char *s, size_t len)
{
    if (c->direct && kr_common_plain_word(s, len)) /* most keys and many values */
        return direct_rc(c, kr_yw_word(&c->w, s, len));
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        return c->direct ? USE_LIBYAML : emit_bom_string(c, s, len);
    yaml_scalar_style_t style = memchr(s, '\n', len)        ? YAML_LITERAL_SCALAR_STYLE
                                : kr_v2_plain_is_str(s, len) ? YAML_PLAIN_SCALAR_STYLE
                                                             : YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    return put_scalar(c, s, len, style);
}

static int emit_scalar(emit_ctx *c, const kr_node *n)
{
    char num[KR_JSON_NUMBUF];
    kr_jscalar js;
    c->scratch.len = 0;
    int rc = kr_json_scalar(n, num, &c->scratch, &js, c->err);
    if (rc)
        return rc;
    if (js.is_str)
        return emit_string(c, js.text, js.len);
    return put_scalar(c, js.text, js.len, YAML_PLAIN_SCALAR_STYLE);
}

/* ---- maps ---- */

static bool ent_less(const key_ent *a, const key_ent *b)
{
    int ra = kr_common_rank(a->text), rb = kr_common_rank(b->text);
    if ((ra | rb) >= 0) /* most keys of a manifest */
        return ra < rb;
    return kr_key_less(a->text, a->len, b->text, b->len);
}

static void insertion_sort(key_ent *e, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        key_ent t = e[i];
        size_t j = i;
        for (; j > 0 && ent_less(&t, &e[j - 1]); j--)
            e[j] = e[j - 1];
        e[j] = t;
    }
}

/* Bottom-up merge sort of e[0..n) using tmp[0..n); runs of 16 by insertion sort. */
static void merge_sort(key_ent *e, key_ent *tmp, size_t n)
{
    for (size_t i = 0; i < n; i += 16)
        insertion_sort(e + i, n - i < 16 ? n - i : 16);
    key_ent *src = e, *dst = tmp;
    for (size_t w = 16; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = ent_less(&src[j], &src[i]) ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        key_ent *t = src;
        src = dst, dst = t;
    }
    if (src != e)
        memcpy(e, src, n * sizeof *e);
}

static bool reserve_ents(emit_ctx *c, size_t extra)
{
    /* allocated even for an empty map: callers do pointer arithmetic on c->ents */
    if (c->ents && c->capents - c->nents >= extra)
        return true;
    size_t cap = c->capents ? c->capents : 64;
    while (cap - c->nents < extra)
        cap *= 2;
    key_ent *e = realloc(c->ents, cap * sizeof *e);
    if (!e)
        return false;
    c->ents = e, c->capents = cap;
    return true;
}

static const char *ent_text(const emit_ctx *c, const key_ent *e)
{
    return e->fixed == SIZE_MAX ? e->text : c->keytext.data + e->fixed;
}

/* Fills ents[0..n) with the map's output keys: JSON object keys are strings, so any other
 * key fails the way encoding/json fails on go-yaml v3's map[interface{}]interface{}. */
static int collect_keys(emit_ctx *c, const kr_node *m, key_ent *ents)
{
    for (uint32_t i = 0; i < m->len; i++) {
        const kr_node *k = m->u.pairs[i].key;
        key_ent *e = &ents[i];
        if (!k || k->kind != KR_SCALAR || k->type != KR_T_STR)
            return kr_err_set(c->err, KRENDER_E_VALUE, NULL, k ? k->line : 0, k ? k->col : 0,
                              "json: unsupported type: map[interface {}]interface {}");
        const char *problem, *orig = k->len ? k->u.text : "";
        size_t len = k->len;
        /* a shared key is a word of printable ASCII: its JSON string is itself */
        const char *t = kr_is_common_key(k)
                            ? orig
                            : kr_json_string(orig, k->len, &c->keytext, &len, &problem);
        if (!t)
            return problem ? kr_err_set(c->err, KRENDER_E_VALUE, NULL, k->line, k->col, "%s",
                                        problem)
                           : kr_err_nomem(c->err);
        *e = (key_ent){t, len, t != orig ? (size_t)(t - c->keytext.data) : SIZE_MAX, k,
                       m->u.pairs[i].value};
    }
    for (uint32_t i = 0; i < m->len; i++)
        ents[i].text = ent_text(c, &ents[i]);
    return KRENDER_OK;
}

static int emit_node(emit_ctx *c, const kr_node *n);

static int emit_pairs(emit_ctx *c, size_t base, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        key_ent e = c->ents[base + i]; /* copied: nested maps may move the stack */
        int rc = emit_string(c, ent_text(c, &e), e.len);
        if (rc || (rc = emit_node(c, e.value)))
            return rc;
    }
    return KRENDER_OK;
}

static int emit_map(emit_ctx *c, const kr_node *m)
{
    size_t base = c->nents, keybase = c->keytext.len, n = m->len;
    if (!reserve_ents(c, 2 * n))
        return kr_err_nomem(c->err);
    c->nents += n;
    key_ent *e = c->ents + base;
    int rc = collect_keys(c, m, e);
    if (!rc) {
        if (n <= 16)
            insertion_sort(e, n);
        else
            merge_sort(e, e + n, n);
        for (size_t i = 1; i < n && !rc; i++)
            if (e[i].len == e[i - 1].len && memcmp(e[i].text, e[i - 1].text, e[i].len) == 0)
                rc = kr_err_set(c->err, KRENDER_E_VALUE, NULL, e[i].key->line, e[i].key->col,
                                "mapping key \"%.*s\" already defined", (int)e[i].len,
                                e[i].text);
    }
    yaml_event_t ev;
    if (!rc)
        rc = c->direct ? direct_rc(c, kr_yw_map_start(&c->w, n == 0))
                       : put_event(c, &ev,
                                   yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                                       YAML_BLOCK_MAPPING_STYLE));
    if (!rc)
        rc = emit_pairs(c, base, n);
    if (!rc)
        rc = c->direct ? direct_rc(c, kr_yw_map_end(&c->w))
                       : put_event(c, &ev, yaml_mapping_end_event_initialize(&ev));
    c->nents = base;
    c->keytext.len = keybase;
    return rc;
}

static int emit_seq(emit_ctx *c, const kr_node *s)
{
    yaml_event_t ev;
    int rc = c->direct ? direct_rc(c, kr_yw_seq_start(&c->w, s->len == 0))
                       : put_event(c, &ev,
                                   yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                                        YAML_BLOCK_SEQUENCE_STYLE));
    for (uint32_t i = 0; i < s->len && !rc; i++)
        rc = emit_node(c, s->u.items[i]);
    if (rc)
        return rc;
    return c->direct ? direct_rc(c, kr_yw_seq_end(&c->w))
                     : put_event(c, &ev, yaml_sequence_end_event_initialize(&ev));
}

static int emit_node(emit_ctx *c, const kr_node *n)
{
    static const kr_node null_node = {.kind = KR_SCALAR, .type = KR_T_NULL, .u.text = "null"};
    if (!n)
        n = &null_node;
    if (++c->depth > MAX_DEPTH)
        return kr_err_set(c->err, KRENDER_E_VALUE, NULL, n->line, n->col,
                          "nesting deeper than %d levels", MAX_DEPTH);
    int rc = n->kind == KR_MAP   ? emit_map(c, n)
             : n->kind == KR_SEQ ? emit_seq(c, n)
                                 : emit_scalar(c, n);
    c->depth--;
    return rc;
}

/* ---- document ---- */

static int emit_all(emit_ctx *c, const kr_node *doc)
{
    yaml_event_t ev;
    int rc = put_event(c, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    if (!rc)
        rc = put_event(c, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
    if (!rc)
        rc = emit_node(c, doc);
    if (!rc) /* flushes everything; no STREAM-END (see the top of this file) */
        rc = put_event(c, &ev, yaml_document_end_event_initialize(&ev, 1));
    return rc;
}

static int emit_with_libyaml(emit_ctx *c, const kr_node *doc, kr_buf *out, size_t start)
{
    if (!yaml_emitter_initialize(&c->y))
        return kr_err_nomem(c->err);
    yaml_emitter_set_output(&c->y, write_handler, out);
    yaml_emitter_set_unicode(&c->y, 1);
    yaml_emitter_set_indent(&c->y, 2);
    yaml_emitter_set_width(&c->y, 80);
    yaml_emitter_set_break(&c->y, YAML_LN_BREAK);
    int rc = emit_all(c, doc);
    if (!rc && c->bomlens.len)
        fill_bom_placeholders(c, out, start);
    yaml_emitter_delete(&c->y);
    return rc;
}

static int emit_directly(emit_ctx *c, const kr_node *doc, kr_buf *out)
{
    c->direct = true;
    kr_yw_begin(&c->w, out);
    int rc = emit_node(c, doc);
    if (!rc)
        rc = direct_rc(c, kr_yw_end(&c->w));
    kr_yw_free(&c->w);
    c->direct = false;
    return rc;
}

enum { BOTH, DIRECT_ONLY, LIBYAML_ONLY };

static int emit_document(const kr_node *doc, kr_buf *out, kr_err *err, int writers)
{
    emit_ctx c = {.err = err, .doc = doc};
    size_t start = out->len;
    int rc = writers == LIBYAML_ONLY ? USE_LIBYAML : emit_directly(&c, doc, out);
    if (rc == USE_LIBYAML && writers != DIRECT_ONLY) {
        /* what the direct writer wrote is dropped; the walk left no state behind */
        out->len = start;
        rc = emit_with_libyaml(&c, doc, out, start);
    }
    kr_buf_free(&c.scratch);
    kr_buf_free(&c.keytext);
    kr_buf_free(&c.bom);
    kr_buf_free(&c.bomlens);
    kr_buf_free(&c.ph);
    free(c.ents);
    if (rc) {
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
    }
    return rc;
}

int kr_emit_document(const kr_node *doc, kr_buf *out, kr_err *err)
{
    return emit_document(doc, out, err, BOTH);
}

int kr_emit_document_direct(const kr_node *doc, kr_buf *out, kr_err *err)
{
    int rc = emit_document(doc, out, err, DIRECT_ONLY);
    return rc == USE_LIBYAML ? KR_EMIT_NOT_DIRECT : rc;
}

int kr_emit_document_libyaml(const kr_node *doc, kr_buf *out, kr_err *err)
{
    return emit_document(doc, out, err, LIBYAML_ONLY);
}
