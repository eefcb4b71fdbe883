/* YAML -> kr_node trees straight from an event stream (no intermediate document): children
 * are collected on one growable stack and each finished map/seq is copied into an exact-size
 * arena array. Anchors are expanded by copying (every node in a tree is owned by that tree
 * alone, so transformers may mutate in place; only map keys, never written to, may be shared
 * static nodes); merge keys follow kyaml's DeAnchor (YAML 1.2
 * mode) or go-yaml v2's decoder (YAML 1.1 mode). The events come from a kr_ev_backend
 * (parse_ev.h): libyaml's, in parse_libyaml.c. */
#include "parse.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common_words.h"
#include "parse_ev.h"
#include "resolve.h"

/* Nodes all alias expansions of one document may create (billion-laughs guard). */
#define KR_ALIAS_NODE_LIMIT 1000000u
/* go-yaml v3's nesting limit. */
#define KR_MAX_DEPTH 10000u

/* Internal flag bits, cleared before a node leaves the parser. */
#define NF_ALIAS 0x40u /* root of an alias copy (merge diagnostics name it) */
#define NF_MERGE 0x80u /* scalar tagged !!merge */

typedef struct frame {
    kr_node *node;
    size_t base;   /* first child on the kids stack */
    long anchor;   /* index into anchors, or -1 */
} frame;

typedef struct anchor {
    const char *name;
    size_t len;
    kr_node *node;  /* NULL while the anchored collection is still open */
    size_t count;   /* nodes in the subtree (alias cost) */
} anchor;

typedef struct pctx {
    kr_arena *a;
    const char *file;
    kr_yaml_mode mode;
    kr_err *err;
    unsigned line_off;
    const kr_ev_backend *be;
    void *src;
    frame *fr;
    size_t nfr, capfr;
    kr_node **kids;
    size_t nkids, capkids;
    anchor *anc;
    size_t nanc, capanc;
    size_t budget;
    kr_pair *res; /* scratch for building merged maps */
    size_t capres;
    uint32_t *slot; /* key hash table scratch */
    size_t capslot;
    kr_node *root;
    kr_node **marked; /* nodes carrying NF_* bits, cleared when the document is done */
    size_t nmarked, capmarked;
    bool share_keys; /* common map keys are shared static nodes (shares_key) */
} pctx;

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q)
        return false;
    *p = q;
    *cap = n;
    return true;
}

static int fail(pctx *c, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(pctx *c, unsigned line, unsigned col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kr_err_vset(c->err, KRENDER_E_YAML, c->file, line, col, fmt, ap);
    va_end(ap);
    return KRENDER_E_YAML;
}

static int nomem(pctx *c) { return kr_err_nomem(c->err); }

/* A position of the current text in the whole file. */
static uint32_t abs_line(const pctx *c, uint32_t line) { return line ? line + c->line_off : 0; }

/* A source's result: its syntax error is reported at the position of the whole file. */
static int src_fail(pctx *c, int rc, const kr_ev_err *e)
{
    if (rc == KRENDER_E_NOMEM)
        return nomem(c);
    return fail(c, abs_line(c, e->line), e->col, "%s", e->msg ? e->msg : "invalid YAML");
}

/* ---- Go-style quoting for messages (%#v / %q of a string) ---- */

static char *go_quote(kr_arena *a, const char *s, size_t n)
{
    char *o = kr_arena_alloc(a, n * 4 + 3), *p = o;
    if (!o)
        return NULL;
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            *p++ = '\\';
            *p++ = (char)ch;
        } else if (ch == '\n' || ch == '\t' || ch == '\r') {
            *p++ = '\\';
            *p++ = ch == '\n' ? 'n' : ch == '\t' ? 't' : 'r';
        } else if (ch < 0x20 || ch == 0x7f) {
            p += sprintf(p, "\\x%02x", ch);
        } else {
            *p++ = (char)ch;
        }
    }
    *p++ = '"';
    *p = '\0';
    return o;
}

/* ---- key lookup (text equality, like go-yaml's duplicate check) ---- */

static uint32_t khash(const kr_node *k)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < k->len; i++)
        h = (h ^ (unsigned char)k->u.text[i]) * 16777619u;
    return h;
}

static bool key_eq(const kr_node *a, const kr_node *b)
{
    return a->len == b->len && memcmp(a->u.text, b->u.text, a->len) == 0;
}

/* Index of key among res[0..n) or -1. Maps up to 8 keys are scanned; larger ones use the hash
 * table, which the caller keeps in sync through key_add (reset with keys_reset). */
typedef struct keys {
    pctx *c;
    kr_pair *res;
    size_t n;
    bool hashed;
} keys;

static bool keys_reset(keys *k, pctx *c, kr_pair *res, size_t max)
{
    *k = (keys){c, res, 0, max > 8};
    if (!k->hashed)
        return true;
    size_t cap = 16;
    while (cap < max * 2)
        cap *= 2;
    if (!grow((void **)&c->slot, &c->capslot, cap, sizeof *c->slot))
        return false;
    memset(c->slot, 0, cap * sizeof *c->slot);
    c->capslot = cap; /* the table in use is exactly cap slots */
    return true;
}

static long key_find(keys *k, const kr_node *key)
{
    if (!k->hashed) {
        for (size_t i = 0; i < k->n; i++)
            if (key_eq(k->res[i].key, key))
                return (long)i;
        return -1;
    }
    size_t mask = k->c->capslot - 1;
    for (size_t h = khash(key) & mask;; h = (h + 1) & mask) {
        uint32_t s = k->c->slot[h];
        if (!s)
            return -1;
        if (key_eq(k->res[s - 1].key, key))
            return (long)s - 1;
    }
}

/* Appends res[n] = (key, value) (the caller checked it is new, or wants a duplicate kept). */
static void key_add(keys *k, kr_node *key, kr_node *value)
{
    k->res[k->n] = (kr_pair){key, value};
    if (k->hashed) {
        size_t mask = k->c->capslot - 1, h = khash(key) & mask;
        while (k->c->slot[h] && !key_eq(k->res[k->c->slot[h] - 1].key, key))
            h = (h + 1) & mask;
        if (!k->c->slot[h])
            k->c->slot[h] = (uint32_t)k->n + 1; /* the first of duplicates stays findable */
    }
    k->n++;
}

/* Sets key to value: replaces the first pair with that key in place, else appends. */
static void key_set(keys *k, kr_node *key, kr_node *value)
{
    long i = key_find(k, key);
    if (i >= 0)
        k->res[i].value = value;
    else
        key_add(k, key, value);
}

/* ---- merge keys ---- */

static bool is_merge_key(const kr_node *k)
{
    if (k->flags & NF_MERGE)
        return true;
    return k->style == KR_STYLE_PLAIN && !(k->flags & KR_NF_TAGGED) && k->len == 2 &&
           k->u.text[0] == '<' && k->u.text[1] == '<';
}

static const char *const merge_want_map = "map merge requires map or sequence of maps as the value";

/* Fills srcs with the maps a merge value names, in the order their fields are applied
 * (sequence items reversed so the earliest wins), as kyaml's findMergeValues does. */
static int merge_sources(pctx *c, kr_node *v, kr_node ***srcs, size_t *n)
{
    bool v3 = c->mode == KR_YAML_12;
    if (v->kind == KR_MAP) {
        *srcs = kr_arena_alloc(c->a, sizeof **srcs);
        if (!*srcs)
            return nomem(c);
        (*srcs)[0] = v;
        *n = 1;
        return 0;
    }
    if (v->kind != KR_SEQ || (v->flags & NF_ALIAS))
        return fail(c, v->line, v->col, "%s",
                    v3 && (v->flags & NF_ALIAS)
                        ? "invalid map merge: received alias for a non-map value"
                        : merge_want_map);
    *srcs = kr_arena_alloc(c->a, (v->len ? v->len : 1) * sizeof **srcs);
    if (!*srcs)
        return nomem(c);
    for (uint32_t i = 0; i < v->len; i++) {
        kr_node *it = v->u.items[i];
        if (it->kind != KR_MAP) {
            const char *m = merge_want_map;
            if (v3 && (it->flags & NF_ALIAS))
                m = "invalid map merge: received alias for a non-map value";
            else if (v3 && it->kind == KR_SEQ)
                m = "invalid map merge: received a nested sequence";
            return fail(c, it->line, it->col, "%s", m);
        }
        (*srcs)[v->len - 1 - i] = it;
    }
    *n = v->len;
    return 0;
}

/* ---- finishing collections ---- */

/* Remembers a node that got an internal flag bit (cleared by clear_marks). */
static int mark_node(pctx *c, kr_node *n, unsigned bit)
{
    if (!grow((void **)&c->marked, &c->capmarked, c->nmarked + 1, sizeof *c->marked))
        return nomem(c);
    n->flags |= (uint8_t)bit;
    c->marked[c->nmarked++] = n;
    return 0;
}

static void clear_marks(pctx *c)
{
    for (size_t i = 0; i < c->nmarked; i++)
        c->marked[i]->flags &= (uint8_t)~(NF_ALIAS | NF_MERGE);
    c->nmarked = 0;
}

static int dup_error(pctx *c, const kr_node *first, const kr_node *dup)
{
    const char *q = go_quote(c->a, dup->u.text, dup->len);
    return fail(c, dup->line, dup->col, "mapping key %s already defined at line %u",
                q ? q : "?", first->line);
}

/* YAML 1.2 (kyaml DeAnchor + go-yaml v3 decode): duplicate keys are an error; a single `<<`
 * is allowed; explicit keys win, merged keys are appended after them. */
static int build_map12(pctx *c, kr_node **kv, size_t np, keys *k)
{
    long merge = -1;
    size_t total = np;
    for (size_t i = 0; i < np; i++) {
        if (!is_merge_key(kv[2 * i]))
            continue;
        if (merge >= 0)
            return fail(c, kv[2 * i]->line, kv[2 * i]->col, "duplicate merge key");
        merge = (long)i;
    }
    kr_node **srcs = NULL;
    size_t nsrc = 0;
    if (merge >= 0) {
        int rc = merge_sources(c, kv[2 * merge + 1], &srcs, &nsrc);
        if (rc)
            return rc;
        for (size_t s = 0; s < nsrc; s++)
            total += srcs[s]->len;
    }
    if (!grow((void **)&c->res, &c->capres, total, sizeof *c->res) ||
        !keys_reset(k, c, c->res, total))
        return nomem(c);
    for (size_t i = 0; i < np; i++) {
        if ((long)i == merge)
            continue;
        long j = key_find(k, kv[2 * i]);
        if (j >= 0)
            return dup_error(c, k->res[j].key, kv[2 * i]);
        key_add(k, kv[2 * i], kv[2 * i + 1]);
    }
    size_t nexplicit = k->n;
    for (size_t s = 0; s < nsrc; s++)
        for (uint32_t i = 0; i < srcs[s]->len; i++) {
            kr_pair *p = &srcs[s]->u.pairs[i];
            long j = key_find(k, p->key);
            if (j < 0)
                key_add(k, p->key, p->value);
            else if ((size_t)j >= nexplicit)
                k->res[j].value = p->value;
        }
    return 0;
}

/* YAML 1.1 (go-yaml v2 into a map): pairs and merges apply in order, the last one wins. */
static int build_map11(pctx *c, kr_node **kv, size_t np, keys *k)
{
    size_t total = np;
    for (size_t i = 0; i < np; i++) {
        kr_node *v = kv[2 * i + 1];
        if (!is_merge_key(kv[2 * i]))
            continue;
        if (v->kind == KR_MAP)
            total += v->len;
        else if (v->kind == KR_SEQ)
            for (uint32_t j = 0; j < v->len; j++)
                total += v->u.items[j]->kind == KR_MAP ? v->u.items[j]->len : 0;
    }
    if (!grow((void **)&c->res, &c->capres, total, sizeof *c->res) ||
        !keys_reset(k, c, c->res, total))
        return nomem(c);
    for (size_t i = 0; i < np; i++) {
        if (!is_merge_key(kv[2 * i])) {
            key_set(k, kv[2 * i], kv[2 * i + 1]);
            continue;
        }
        kr_node **srcs;
        size_t nsrc;
        int rc = merge_sources(c, kv[2 * i + 1], &srcs, &nsrc);
        if (rc)
            return rc;
        for (size_t s = 0; s < nsrc; s++)
            for (uint32_t j = 0; j < srcs[s]->len; j++)
                key_set(k, srcs[s]->u.pairs[j].key, srcs[s]->u.pairs[j].value);
    }
    return 0;
}

static int finish_map(pctx *c, kr_node *m, kr_node **kv, size_t nkv)
{
    keys k;
    size_t np = nkv / 2;
    for (size_t i = 0; i < np; i++)
        if (kv[2 * i]->kind != KR_SCALAR)
            return fail(c, kv[2 * i]->line, kv[2 * i]->col, "invalid map key: %s",
                        kv[2 * i]->kind == KR_MAP ? "a mapping" : "a sequence");
    int rc = c->mode == KR_YAML_11 ? build_map11(c, kv, np, &k) : build_map12(c, kv, np, &k);
    if (rc)
        return rc;
    m->u.pairs = k.n ? kr_arena_alloc(c->a, k.n * sizeof(kr_pair)) : NULL;
    if (k.n && !m->u.pairs)
        return nomem(c);
    if (k.n)
        memcpy(m->u.pairs, k.res, k.n * sizeof(kr_pair));
    m->len = (uint32_t)k.n;
    return 0;
}

static int finish_seq(pctx *c, kr_node *s, kr_node **items, size_t n)
{
    s->u.items = n ? kr_arena_alloc(c->a, n * sizeof(kr_node *)) : NULL;
    if (n && !s->u.items)
        return nomem(c);
    if (n)
        memcpy(s->u.items, items, n * sizeof(kr_node *));
    s->len = (uint32_t)n;
    return 0;
}

static size_t count_nodes(const kr_node *n)
{
    size_t k = 1;
    if (n->kind == KR_SEQ)
        for (uint32_t i = 0; i < n->len; i++)
            k += count_nodes(n->u.items[i]);
    else if (n->kind == KR_MAP)
        for (uint32_t i = 0; i < n->len; i++)
            k += 1 + count_nodes(n->u.pairs[i].value);
    return k;
}

/* ---- anchors and aliases ---- */

static int anchor_open(pctx *c, const kr_ev *e, long *idx)
{
    *idx = -1;
    if (!e->anchor)
        return 0;
    if (!grow((void **)&c->anc, &c->capanc, c->nanc + 1, sizeof *c->anc))
        return nomem(c);
    char *copy = kr_arena_strndup(c->a, e->anchor, e->anchor_len);
    if (!copy)
        return nomem(c);
    c->anc[c->nanc] = (anchor){copy, e->anchor_len, NULL, 0};
    *idx = (long)c->nanc++;
    return 0;
}

static void anchor_close(pctx *c, long idx, kr_node *n)
{
    if (idx < 0)
        return;
    c->anc[idx].node = n;
    c->anc[idx].count = count_nodes(n);
}

static int alias_node(pctx *c, const kr_ev *e, kr_node **out)
{
    const char *name = e->anchor;
    size_t len = e->anchor_len;
    unsigned line = abs_line(c, e->line), col = e->col;
    if (!name)
        return fail(c, line, col, "invalid alias");
    for (size_t i = c->nanc; i-- > 0;) { /* the latest definition of a name wins */
        anchor *an = &c->anc[i];
        if (an->len != len || memcmp(an->name, name, len) != 0)
            continue;
        if (!an->node)
            return fail(c, line, col, "anchor '%.*s' value contains itself", (int)len, name);
        if (an->count > c->budget)
            return fail(c, line, col,
                        "alias '%.*s' expands the document beyond %u nodes (alias bomb?)",
                        (int)len, name, KR_ALIAS_NODE_LIMIT);
        c->budget -= an->count;
        if (!(*out = kr_node_copy(c->a, an->node)))
            return nomem(c);
        return mark_node(c, *out, NF_ALIAS);
    }
    return fail(c, line, col, "unknown anchor '%.*s' referenced", (int)len, name);
}

/* ---- scalars ---- */

static int base64_decode(pctx *c, kr_node *n, const char *s, size_t len)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *o = kr_arena_alloc(c->a, len / 4 * 3 + 4), *p = o;
    unsigned acc = 0, nb = 0, pad = 0;
    if (!o)
        return nomem(c);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n' || s[i] == '\r') /* Go's decoder skips line breaks */
            continue;
        const char *q = s[i] ? strchr(tbl, s[i]) : NULL;
        if (s[i] == '=' && nb >= 2 && !pad) {
            pad = nb;
            continue;
        }
        if (!q || pad)
            goto bad;
        acc = acc << 6 | (unsigned)(q - tbl);
        if (++nb == 4) {
            *p++ = (char)(acc >> 16), *p++ = (char)(acc >> 8), *p++ = (char)acc;
            acc = nb = 0;
        }
    }
    if (pad) { /* "xx==" or "xxx=" */
        size_t eq = 0;
        for (size_t i = 0; i < len; i++)
            eq += s[i] == '=';
        if (eq != 4 - pad)
            goto bad;
        acc <<= 6 * (4 - pad);
        *p++ = (char)(acc >> 16);
        if (pad == 3)
            *p++ = (char)(acc >> 8);
    } else if (nb) {
        goto bad;
    }
    *p = '\0';
    n->u.text = o;
    n->len = (uint32_t)(p - o);
    return 0;
bad:
    return fail(c, n->line, n->col, "!!binary value contains invalid base64 data");
}

/* Type from tag, style and text; "!" is the non-specific tag (treated as none). */
static int type_scalar(pctx *c, kr_node *n, const kr_ev *e, const char *s, size_t len)
{
    const char *tag = e->tag;
    size_t tl = e->tag_len;
    if (!tag || (tl == 1 && tag[0] == '!')) {
        n->type = n->style == KR_STYLE_PLAIN && !kr_common_plain_word(s, len)
                      ? (uint8_t)kr_resolve_plain(s, len, c->mode)
                      : KR_T_STR;
        return 0;
    }
    kr_scalar_type type, got;
    bool merge;
    kr_tag_result r = kr_resolve_tagged(tag, tl, s, len, c->mode, &type, &got, &merge);
    n->flags |= KR_NF_TAGGED;
    n->type = (uint8_t)type;
    if (merge && mark_node(c, n, NF_MERGE))
        return KRENDER_E_NOMEM;
    if (r == KR_TAG_MISMATCH) {
        static const char pfx[] = "tag:yaml.org,2002:";
        bool lng = tl > sizeof pfx - 1 && memcmp(tag, pfx, sizeof pfx - 1) == 0;
        return fail(c, n->line, n->col, "cannot decode %s `%.*s` as a %s%.*s",
                    kr_resolve_type_tag(got), (int)len, s, lng ? "!!" : "",
                    (int)(lng ? tl - (sizeof pfx - 1) : tl), lng ? tag + sizeof pfx - 1 : tag);
    }
    if (r == KR_TAG_BINARY)
        return base64_decode(c, n, s, len);
    return 0;
}

/* Whether the scalar of e, whose shared key node (common word) is `word`, is a map key of a
 * resource stream that is plain, untagged, unanchored and resolves to a string. Most keys of
 * a manifest are such words: one static node each instead of an arena node per map (keys are
 * never written to; a shared one has no position, which only a duplicate-key error would name:
 * parse_stream then parses again without sharing). */
static bool shares_key(const pctx *c, const kr_ev *e, const kr_node *word)
{
    if (!word || !c->share_keys || c->nfr == 0 || e->style != KR_STYLE_PLAIN || e->tag ||
        e->anchor)
        return false;
    const frame *f = &c->fr[c->nfr - 1];
    return f->node->kind == KR_MAP && (c->nkids - f->base) % 2 == 0 &&
           kr_common_plain_word(word->u.text, word->len); /* reads back as a string */
}

static int scalar_node(pctx *c, const kr_ev *e, kr_node **out)
{
    const char *s = e->text ? e->text : "";
    size_t len = e->text ? e->len : 0;
    kr_node *word = kr_common_key(s, len); /* one lookup: the shared key, or the static text */
    if (shares_key(c, e, word)) {
        *out = word;
        return 0;
    }
    const char *common = len == 0 ? "" : word ? word->u.text : NULL;
    /* kr_node_scalar's node and text in one arena block (no text for a common string) */
    kr_node *n = kr_arena_alloc(c->a, sizeof *n + (common ? 0 : len + 1));
    if (!n)
        return nomem(c);
    const char *t = common;
    if (!t) {
        char *copy = (char *)(n + 1);
        memcpy(copy, s, len);
        copy[len] = '\0';
        t = copy;
    }
    *n = (kr_node){.kind = KR_SCALAR, .len = (uint32_t)len, .u.text = t};
    n->style = e->style;
    n->line = abs_line(c, e->line);
    n->col = e->col;
    *out = n;
    return type_scalar(c, n, e, n->u.text, len);
}

/* ---- the event loop ---- */

static int add_child(pctx *c, kr_node *n)
{
    if (c->nfr == 0) {
        c->root = n;
        return 0;
    }
    const frame *f = &c->fr[c->nfr - 1];
    if (f->node->kind == KR_MAP && (c->nkids - f->base) % 2 == 0 && n->kind != KR_SCALAR)
        return fail(c, n->line, n->col, "invalid map key: %s",
                    n->kind == KR_MAP ? "a mapping" : "a sequence");
    if (!grow((void **)&c->kids, &c->capkids, c->nkids + 1, sizeof *c->kids))
        return nomem(c);
    c->kids[c->nkids++] = n;
    return 0;
}

static int open_coll(pctx *c, const kr_ev *e, kr_node_kind kind)
{
    kr_node *n = kr_arena_alloc(c->a, sizeof *n);
    if (!n)
        return nomem(c);
    *n = (kr_node){.kind = (uint8_t)kind, .line = abs_line(c, e->line), .col = e->col};
    if (c->nfr >= KR_MAX_DEPTH)
        return fail(c, n->line, n->col, "exceeded max depth of %u", KR_MAX_DEPTH);
    if (!grow((void **)&c->fr, &c->capfr, c->nfr + 1, sizeof *c->fr))
        return nomem(c);
    long idx = -1;
    int rc = anchor_open(c, e, &idx);
    if (rc)
        return rc;
    c->fr[c->nfr++] = (frame){n, c->nkids, idx};
    return 0;
}

static int close_coll(pctx *c)
{
    if (!c->nfr)
        return fail(c, 0, 0, "unbalanced collection end");
    frame f = c->fr[--c->nfr];
    size_t n = c->nkids - f.base;
    kr_node **kids = n ? c->kids + f.base : NULL; /* c->kids is NULL until a first child */
    int rc = f.node->kind == KR_MAP ? finish_map(c, f.node, kids, n)
                                    : finish_seq(c, f.node, kids, n);
    if (rc)
        return rc;
    c->nkids = f.base;
    anchor_close(c, f.anchor, f.node);
    return add_child(c, f.node);
}

static int scalar_event(pctx *c, const kr_ev *e)
{
    kr_node *n = NULL;
    long idx = -1;
    int rc = scalar_node(c, e, &n);
    if (!rc)
        rc = anchor_open(c, e, &idx);
    if (rc)
        return rc;
    anchor_close(c, idx, n);
    return add_child(c, n);
}

static int alias_event(pctx *c, const kr_ev *e)
{
    kr_node *n = NULL;
    int rc = alias_node(c, e, &n);
    return rc ? rc : add_child(c, n);
}

static int dispatch(pctx *c, const kr_ev *e, bool *stop)
{
    switch (e->type) {
    case KR_EV_MAP:
        return open_coll(c, e, KR_MAP);
    case KR_EV_SEQ:
        return open_coll(c, e, KR_SEQ);
    case KR_EV_END:
        return close_coll(c);
    case KR_EV_SCALAR:
        return scalar_event(c, e);
    case KR_EV_ALIAS:
        return alias_event(c, e);
    case KR_EV_STREAM_END:
    case KR_EV_DOC_END: /* later documents are never looked at */
        *stop = true;
        return 0;
    default:
        return 0;
    }
}

static int read_events(pctx *c)
{
    kr_ev_err ee = {0};
    for (bool stop = false; !stop;) {
        kr_ev e;
        int rc = c->be->next(c->src, &e, &ee);
        if (rc)
            return src_fail(c, rc, &ee);
        rc = dispatch(c, &e, &stop);
        c->be->release(c->src, &e);
        if (rc)
            return rc;
    }
    return 0;
}

/* Reads the first document of the input set on c->src. */
static int parse_first(pctx *c, kr_node **out)
{
    c->nfr = c->nkids = c->nanc = 0;
    c->budget = KR_ALIAS_NODE_LIMIT;
    c->root = NULL;
    *out = NULL;
    int rc = read_events(c);
    clear_marks(c);
    kr_node *r = c->root;
    if (rc || !r || (r->kind == KR_SCALAR && r->type == KR_T_NULL))
        return rc;
    *out = r;
    return 0;
}

static void ctx_fini(pctx *c)
{
    if (c->src)
        c->be->destroy(c->src);
    free(c->fr);
    free(c->kids);
    free(c->anc);
    free(c->res);
    free(c->slot);
    free(c->marked);
}

static int ctx_init(pctx *c, const kr_ev_backend *be, kr_arena *a, const char *file,
                    kr_yaml_mode mode, kr_err *err)
{
    *c = (pctx){.a = a, .file = file, .mode = mode, .err = err, .be = be};
    c->src = be->create();
    return c->src ? 0 : nomem(c);
}

static int set_input(pctx *c, const char *s, size_t n, unsigned line_off)
{
    kr_ev_err ee = {0};
    c->line_off = line_off;
    int rc = c->be->set_input(c->src, n ? s : "", n, &ee);
    return rc ? src_fail(c, rc, &ee) : 0;
}

int kr_parse_document_with(const kr_ev_backend *be, kr_arena *a, const char *file,
                           const char *buf, size_t len, kr_yaml_mode mode, kr_node **out,
                           kr_err *err)
{
    pctx c;
    *out = NULL;
    int rc = ctx_init(&c, be, a, file, mode, err);
    if (!rc)
        rc = set_input(&c, buf, len, 0);
    if (!rc)
        rc = parse_first(&c, out);
    ctx_fini(&c);
    if (rc)
        *out = NULL;
    return rc;
}

/* ---- resource streams (pipeline.md §2.1) ---- */

/* buf with every "\r\n" turned into "\n"; *heap is the copy to free (NULL when none made). */
static const char *crlf_to_lf(const char *buf, size_t len, size_t *outlen, char **heap)
{
    *heap = NULL;
    *outlen = len;
    const char *r = len ? memchr(buf, '\r', len) : NULL, *e = buf + len;
    while (r && !(r + 1 < e && r[1] == '\n'))
        r = r + 1 < e ? memchr(r + 1, '\r', (size_t)(e - r - 1)) : NULL;
    if (!r)
        return buf;
    char *o = malloc(len);
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        if (!(buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n'))
            o[k++] = buf[i];
    *heap = o;
    *outlen = k;
    return o;
}

static bool go_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r';
}

/* kyaml splitDocuments: the rest of a "---" line must be blank or start a comment. */
static int check_separator(pctx *c, const char *rest, size_t n, unsigned line)
{
    size_t i = 0, j = n;
    while (i < j && go_space(rest[i]))
        i++;
    while (j > i && go_space(rest[j - 1]))
        j--;
    if (i == j || rest[i] == '#')
        return 0;
    return fail(c, line, 1, "invalid document separator: ---%.*s", (int)j, rest);
}

typedef struct doclist {
    kr_node **v;
    size_t n, cap;
    size_t chunk;       /* chunks parsed so far */
    bool first_at_top;  /* v[0] is the document of the first chunk */
} doclist;

static int parse_chunk(pctx *c, const char *s, size_t n, unsigned line_off, doclist *dl)
{
    kr_node *doc;
    size_t chunk = dl->chunk++;
    if (!n)
        return 0;
    int rc = set_input(c, s, n, line_off);
    if (!rc)
        rc = parse_first(c, &doc);
    if (rc || !doc)
        return rc;
    if (!grow((void **)&dl->v, &dl->cap, dl->n + 1, sizeof *dl->v))
        return nomem(c);
    if (dl->n == 0)
        dl->first_at_top = chunk == 0;
    dl->v[dl->n++] = doc;
    return 0;
}

/* The next "\n---" in s[pos..n), adding the newlines passed on the way to *nl. */
static const char *next_sep(const char *s, size_t n, size_t pos, size_t *nl)
{
    const char *p = s + pos, *e = s + n;
    for (; p < e && (p = memchr(p, '\n', (size_t)(e - p))); p++) {
        if (e - p >= 4 && p[1] == '-' && p[2] == '-' && p[3] == '-')
            return p;
        ++*nl;
    }
    return NULL;
}

unsigned kr_stream_first_separator_line(const char *buf, size_t len)
{
    size_t nl = 0;
    const char *p = next_sep(buf, len, 0, &nl);
    if (!p || !memchr(p + 4, '\n', (size_t)(buf + len - (p + 4))))
        return 0;
    return (unsigned)nl + 2; /* nl newlines before p, p's own, then the separator line */
}

/* Splits at every "\n---<rest>\n" (the regexp `\n---.*\n`, matches never overlap) and parses
 * each chunk; a chunk that is followed by a separator keeps its final "\n". */
static int split_and_parse(pctx *c, const char *s, size_t n, doclist *dl)
{
    size_t prev = 0, line = 0; /* line = newlines before prev */
    for (;;) {
        size_t nl = 0;
        const char *p = next_sep(s, n, prev, &nl);
        const char *q = p ? memchr(p + 4, '\n', (size_t)(s + n - (p + 4))) : NULL;
        if (!q)
            break;
        size_t sep = (size_t)(p - s);
        size_t seplines = line + nl + 1;
        int rc = check_separator(c, p + 4, (size_t)(q - (p + 4)), (unsigned)seplines + 1);
        if (!rc)
            rc = parse_chunk(c, s + prev, sep + 1 - prev, (unsigned)line, dl);
        if (rc)
            return rc;
        line = seplines + 1;
        prev = (size_t)(q - s) + 1;
    }
    return parse_chunk(c, s + prev, n - prev, (unsigned)line, dl);
}

static int parse_stream_once(const kr_ev_backend *be, kr_arena *a, const char *file,
                             const char *buf, size_t len, kr_node ***docs, size_t *ndocs,
                             bool *first_at_top, bool share_keys, kr_err *err)
{
    pctx c;
    doclist dl = {0};
    char *heap;
    size_t n;
    *docs = NULL;
    *ndocs = 0;
    int rc = ctx_init(&c, be, a, file, KR_YAML_12, err);
    c.share_keys = share_keys;
    const char *s = rc ? NULL : crlf_to_lf(buf, len, &n, &heap);
    if (!rc && !s)
        rc = nomem(&c);
    if (!rc)
        rc = split_and_parse(&c, s, n, &dl);
    if (!rc && dl.n) {
        *docs = kr_arena_alloc(a, dl.n * sizeof **docs);
        if (*docs) {
            memcpy(*docs, dl.v, dl.n * sizeof **docs);
            *ndocs = dl.n;
        } else {
            rc = nomem(&c);
        }
    }
    if (s)
        free(heap);
    free(dl.v);
    ctx_fini(&c);
    if (first_at_top)
        *first_at_top = !rc && dl.n && dl.first_at_top;
    return rc;
}

/* A stream whose parse failed is parsed again without shared keys: the error (a duplicate key
 * names both keys' lines) is then exactly the one a parse without them gives. */
static int parse_stream(const kr_ev_backend *be, kr_arena *a, const char *file, const char *buf,
                        size_t len, kr_node ***docs, size_t *ndocs, bool *first_at_top,
                        kr_err *err)
{
    int rc = parse_stream_once(be, a, file, buf, len, docs, ndocs, first_at_top, true, err);
    if (rc && rc != KRENDER_E_NOMEM) {
        kr_err_clear(err);
        rc = parse_stream_once(be, a, file, buf, len, docs, ndocs, first_at_top, false, err);
    }
    return rc;
}

int kr_parse_stream_with(const kr_ev_backend *be, kr_arena *a, const char *file,
                         const char *buf, size_t len, kr_node ***docs, size_t *ndocs,
                         kr_err *err)
{
    return parse_stream(be, a, file, buf, len, docs, ndocs, NULL, err);
}

int kr_parse_stream_top(kr_arena *a, const char *file, const char *buf, size_t len,
                        kr_node ***docs, size_t *ndocs, bool *first_at_top, kr_err *err)
{
    return parse_stream(&kr_ev_libyaml, a, file, buf, len, docs, ndocs, first_at_top, err);
}
