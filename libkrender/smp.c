/* Strategic merge as kustomize does it (kyaml merge2 + walk, merge.md §1): a walk over the
 * target ("dest") and the patch together, with the schema cursor telling which lists merge by
 * key. The list primitives below (element matching, ElementSetter, the prepend re-append)
 * reproduce kyaml's observable results, including its quirks (§1.5.4-5): keyless elements,
 * empty elements dropped, `$patch: replace` on an element written back. dest and patch may be
 * the same node (a new subtree is walked against itself, which processes its directives). */
#include <string.h>

#include "buf.h"
#include "emit.h"
#include "patch.h"

typedef struct walker {
    kr_render *r;
    const kr_smp_schema *s;
    const char *file;
} walker;

/* Where the walk is in the schema: the object type of a map, the value type of a map-typed
 * field, or the list field of a sequence. All NULL: no schema. */
typedef struct cursor {
    const kr_smp_type *type;
    const kr_smp_type *addl;
    const kr_smp_field *list;
} cursor;

enum { DIR_MERGE, DIR_REPLACE, DIR_DELETE };

static const char *text_of(const kr_node *n) { return kr_is_scalar(n) ? n->u.text : ""; }

static bool is_empty_map(const kr_node *n) { return kr_is_map(n) && n->len == 0; }

/* kyaml IsNilOrEmpty, as ElementValuesList uses it. */
static bool nil_or_empty(const kr_node *n)
{
    return kr_is_null(n) || (n->kind != KR_SCALAR && n->len == 0) ||
           (n->kind == KR_SCALAR && n->len == 0);
}

static int wrong_kind(walker *w, const kr_node *expected, const kr_node *got)
{
    kr_buf b = {0};
    kr_err tmp = {0};
    if (got->kind == KR_SCALAR)
        kr_buf_printf(&b, "%s\n", got->u.text);
    else if (kr_emit_document(got, &b, &tmp))
        kr_buf_puts(&b, "\n");
    kr_err_clear(&tmp);
    int rc = kr_err_set(w->r->err, KRENDER_E_RESOURCE, w->file, got->line, got->col,
                        "wrong node kind: expected %s but got %s: node contents:\n%.*s",
                        kr_node_kind_name(expected), kr_node_kind_name(got), (int)b.len, b.data ? b.data : "");
    kr_buf_free(&b);
    return rc;
}

static cursor child_cursor(const cursor *c, const char *key, size_t len)
{
    cursor out = {0};
    const kr_smp_field *f = kr_smp_type_field(c->type, key, len);
    if (f) {
        if (f->kind == KR_SF_OBJECT)
            out.type = f->type;
        else if (f->kind == KR_SF_MAP)
            out.addl = f->type;
        else if (f->kind == KR_SF_LIST)
            out.list = f;
    } else if (c->addl) {
        out.type = c->addl;
    }
    return out;
}

/* A map without schema that names its apiVersion and kind gets that root type (kyaml looks
 * the type up again wherever it has none). */
static void schema_from_meta(walker *w, cursor *c, const kr_node *a, const kr_node *b)
{
    if (c->type || c->addl || c->list)
        return;
    const kr_node *src[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        if (!kr_is_map(src[i]))
            continue;
        const char *av = kr_map_get_str(src[i], "apiVersion"), *k = kr_map_get_str(src[i], "kind");
        if (!av || !k || !*av || !*k)
            continue;
        if ((c->type = kr_smp_schema_root(w->s, av, k)))
            return;
    }
}

/* ---- directives ---- */

static int directive_value(walker *w, const kr_node *v, int *dir)
{
    const char *t = text_of(v);
    if (strcmp(t, "delete") == 0)
        *dir = DIR_DELETE;
    else if (strcmp(t, "replace") == 0)
        *dir = DIR_REPLACE;
    else if (strcmp(t, "merge") == 0)
        *dir = DIR_MERGE;
    else
        return kr_err_set(w->r->err, KRENDER_E_RESOURCE, w->file, v->line, v->col,
                          "unknown patch strategy '%s'", t);
    return 0;
}

/* `$patch` of a map patch: found, removed, returned. */
static int map_directive(walker *w, kr_node *patch, int *dir)
{
    *dir = DIR_MERGE;
    if (!kr_is_map(patch))
        return 0;
    kr_node *v = kr_map_get(patch, "$patch");
    if (!v)
        return 0;
    int rc = directive_value(w, v, dir);
    if (!rc)
        kr_map_remove(patch, "$patch");
    return rc;
}

static void element_set(walker *w, kr_node *list, kr_node *elem, const char *const *keys,
                        size_t nkeys, const char *const *vals, size_t nvals);

/* A list-level directive: the first map element holding `$patch`, if it holds nothing else. */
static int seq_directive(walker *w, kr_node *patch, int *dir)
{
    *dir = DIR_MERGE;
    if (!kr_is_seq(patch))
        return 0;
    for (uint32_t i = 0; i < patch->len; i++) {
        kr_node *e = patch->u.items[i];
        kr_node *v = kr_is_map(e) ? kr_map_get(e, "$patch") : NULL;
        if (!v)
            continue;
        if (e->len > 1)
            return 0;
        int rc = directive_value(w, v, dir);
        if (rc)
            return rc;
        const char *key = "$patch", *val = text_of(v);
        element_set(w, patch, NULL, &key, 1, &val, 1);
        return 0;
    }
    return 0;
}

/* ---- list primitives ---- */

/* kyaml FieldMatcher on one element: the value of field `name` (its text equal to sv unless
 * sv is ""), or the element itself for name "" (a scalar whose text is sv). */
static const kr_node *field_match(const kr_node *e, const char *name, const char *sv)
{
    if (kr_is_null(e))
        return NULL;
    if (!*name)
        return kr_is_scalar(e) && strcmp(e->u.text, sv) == 0 ? e : NULL;
    if (!kr_is_map(e))
        return NULL;
    const kr_node *v = kr_map_get(e, name);
    if (!v || (*sv && strcmp(text_of(v), sv) != 0))
        return NULL;
    return v;
}

/* kyaml ElementSetter: drops empty elements, replaces every element matching all keys by elem
 * (removes them when elem is NULL), appends elem when none matched. */
static void element_set(walker *w, kr_node *list, kr_node *elem, const char *const *keys,
                        size_t nkeys, const char *const *vals, size_t nvals)
{
    static const char *const nokey[1] = {""};
    if (!nkeys) {
        keys = nokey;
        nkeys = 1;
    }
    bool mapping_setter = *keys[0] && nvals && *vals[0];
    kr_node **out = list->len ? kr_arena_alloc(w->r->arena, list->len * sizeof *out) : NULL;
    uint32_t n = 0;
    bool found_any = false;
    for (uint32_t i = 0; i < list->len; i++) {
        kr_node *e = list->u.items[i];
        if (kr_is_null(e) || is_empty_map(e))
            continue;
        if (!kr_is_map(e) && mapping_setter) {
            out[n++] = e;
            continue;
        }
        const kr_node *m = NULL;
        bool found = true;
        for (size_t j = 0; j < nkeys; j++) {
            if (j < nvals)
                m = field_match(e, keys[j], vals[j]);
            if (!m) {
                found = false;
                break;
            }
        }
        if (!found) {
            if (nvals)
                out[n++] = e;
            continue;
        }
        found_any = true;
        if (elem)
            out[n++] = elem;
    }
    if (out || !list->len) {
        list->u.items = out;
        list->flags &= (uint8_t)~KR_NF_ROOM; /* out holds the old len entries: exact */
        list->len = n;
    }
    if (kr_is_null(elem))
        return;
    if (!found_any)
        kr_seq_append(w->r->arena, list, elem);
}

/* kyaml ElementMatcher: the first element matching every key/value. */
static kr_node *element_find(const kr_node *list, const char *const *keys, size_t nkeys,
                             const char *const *vals)
{
    if (!kr_is_seq(list))
        return NULL;
    for (uint32_t i = 0; i < list->len; i++) {
        kr_node *e = list->u.items[i];
        if (!*keys[0]) {
            if (strcmp(text_of(e), vals[0]) == 0)
                return e;
            continue;
        }
        if (!kr_is_map(e))
            continue;
        size_t j = 0;
        for (; j < nkeys; j++) {
            const kr_node *v = kr_map_get(e, keys[j]);
            if (!v || strcmp(text_of(v), vals[j]) != 0)
                break;
        }
        if (j == nkeys)
            return e;
    }
    return NULL;
}

/* One key tuple per distinct element identity, patch elements first. */
typedef struct tuples {
    const char ***v; /* v[i][k] */
    size_t n, cap, width;
} tuples;

static bool tuple_eq(const char **a, const char **b, size_t width)
{
    for (size_t k = 0; k < width; k++)
        if (strcmp(a[k], b[k]) != 0)
            return false;
    return true;
}

static int tuples_add(walker *w, tuples *t, const char **vals)
{
    for (size_t i = 0; i < t->n; i++) /* lists are short: a linear dedup is fine */
        if (tuple_eq(t->v[i], vals, t->width))
            return 0;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        const char ***nv = kr_arena_alloc(w->r->arena, cap * sizeof *nv);
        if (!nv)
            return kr_err_nomem(w->r->err);
        if (t->n)
            memcpy(nv, t->v, t->n * sizeof *nv);
        t->v = nv;
        t->cap = cap;
    }
    t->v[t->n++] = vals;
    return 0;
}

static int collect_tuples(walker *w, const kr_node *src, const char *const *keys, size_t nkeys,
                          tuples *t)
{
    if (!kr_is_seq(src))
        return 0;
    for (uint32_t i = 0; i < src->len; i++) {
        const kr_node *e = src->u.items[i];
        const char **vals = kr_arena_alloc(w->r->arena, (nkeys ? nkeys : 1) * sizeof *vals);
        if (!vals)
            return kr_err_nomem(w->r->err);
        if (!nkeys) {
            vals[0] = text_of(e);
        } else {
            for (size_t k = 0; k < nkeys; k++) {
                const kr_node *v = kr_is_map(e) ? kr_map_get(e, keys[k]) : NULL;
                vals[k] = nil_or_empty(v) ? "" : text_of(v);
            }
        }
        int rc = tuples_add(w, t, vals);
        if (rc)
            return rc;
    }
    return 0;
}

/* Two tuples are one element if they share a value and differ only where one is empty. */
static bool tuple_unify(const char **a, const char **b, size_t width, const char **res)
{
    bool common = false;
    for (size_t k = 0; k < width; k++) {
        if (strcmp(a[k], b[k]) == 0) {
            common = true;
            res[k] = a[k];
        } else if (*a[k] && *b[k]) {
            return false;
        } else {
            res[k] = *a[k] ? a[k] : b[k];
        }
    }
    return common;
}

static int merge_tuples(walker *w, tuples *t)
{
    for (size_t i = 0; i < t->n; i++)
        for (size_t j = 0; j < t->n; j++) {
            const char **res = kr_arena_alloc(w->r->arena, t->width * sizeof *res);
            if (!res)
                return kr_err_nomem(w->r->err);
            if (tuple_unify(t->v[i], t->v[j], t->width, res)) {
                t->v[i] = res;
                t->v[j] = res;
            }
        }
    return 0;
}

/* The keys that have a value in some tuple (all keys when none has), and the tuple's values
 * at those keys. */
static size_t valid_keys(const tuples *t, const char **tuple, const char *const *keys,
                         size_t nkeys, const char **vk, const char **vv)
{
    size_t n = 0;
    for (size_t k = 0; k < nkeys; k++) {
        bool valid = false;
        for (size_t i = 0; i < t->n && !valid; i++)
            valid = *t->v[i][k] != 0;
        if (valid) {
            vk[n] = keys[k];
            vv[n++] = tuple[k];
        }
    }
    if (n)
        return n;
    for (size_t k = 0; k < nkeys; k++) {
        vk[k] = keys[k];
        vv[k] = tuple[k];
    }
    return nkeys;
}

/* Puts the dest elements back over the patched ones (kyaml appendListNode, prepend mode). */
static int append_back(walker *w, kr_node *dst, const kr_node *src, const char *const *keys,
                       size_t nkeys)
{
    uint32_t n = src->len;
    kr_node **items = n ? kr_arena_alloc(w->r->arena, n * sizeof *items) : NULL;
    if (n && !items)
        return kr_err_nomem(w->r->err);
    if (n)
        memcpy(items, src->u.items, n * sizeof *items);
    const char **v = kr_arena_alloc(w->r->arena, (nkeys ? nkeys : 1) * sizeof *v);
    if (!v)
        return kr_err_nomem(w->r->err);
    for (uint32_t i = 0; i < n; i++) {
        kr_node *e = items[i];
        if (!*keys[0]) {
            v[0] = text_of(e);
            element_set(w, dst, e, keys, 1, v, 1);
            continue;
        }
        if (kr_is_scalar(e) && !kr_is_null(e))
            return wrong_kind(w, dst, e) ? w->r->err->code : 0;
        size_t nv = 0;
        for (size_t k = 0; k < nkeys; k++) {
            const kr_node *f = kr_is_map(e) ? kr_map_get(e, keys[k]) : NULL;
            if (!f)
                kr_seq_append(w->r->arena, dst, e);
            else
                v[nv++] = text_of(f);
        }
        if (nkeys > 1)
            element_set(w, dst, NULL, keys, nkeys, v, nv);
        element_set(w, dst, e, keys, nkeys, v, nv);
    }
    return 0;
}

static int walk(walker *w, kr_node *dest, kr_node *patch, cursor c, kr_node **out, bool *keep);

static int set_key(walker *w, kr_node *map, kr_node *keynode, kr_node *val, bool keep)
{
    const char *key = keynode->u.text;
    if (!val || (kr_is_null(val) && !keep)) {
        kr_map_remove(map, key);
        return 0;
    }
    kr_pair *p = kr_map_find(map, key);
    if (p)
        p->value = val;
    else if (!kr_map_append(w->r->arena, map, keynode, val))
        return kr_err_nomem(w->r->err);
    return 0;
}

static int walk_fields(walker *w, kr_node *d, kr_node *patch, cursor c)
{
    size_t nd = kr_is_map(d) ? d->len : 0, np = kr_is_map(patch) && patch != d ? patch->len : 0;
    if (!nd && !np)
        return 0;
    kr_node **keys = kr_arena_alloc(w->r->arena, (nd + np) * sizeof *keys);
    if (!keys)
        return kr_err_nomem(w->r->err);
    size_t n = 0;
    for (size_t i = 0; i < nd; i++)
        keys[n++] = d->u.pairs[i].key;
    for (size_t i = 0; i < np; i++)
        if (!nd || !kr_map_getn(d, patch->u.pairs[i].key->u.text, patch->u.pairs[i].key->len))
            keys[n++] = patch->u.pairs[i].key;
    for (size_t i = 0; i < n; i++) {
        const char *k = keys[i]->u.text;
        size_t kl = keys[i]->len;
        kr_node *dv = kr_is_map(d) ? kr_map_getn(d, k, kl) : NULL;
        kr_node *pv = kr_is_map(patch) ? kr_map_getn(patch, k, kl) : NULL;
        kr_node *res = NULL;
        bool keep = false;
        int rc = walk(w, dv, pv, child_cursor(&c, k, kl), &res, &keep);
        if (!rc && kr_is_map(d))
            rc = set_key(w, d, keys[i], res, keep);
        if (rc)
            return rc;
    }
    return 0;
}

static int walk_map(walker *w, kr_node *dest, kr_node *patch, cursor c, kr_node **out, bool *keep)
{
    schema_from_meta(w, &c, dest, patch);
    kr_node *d;
    int dir;
    if (kr_is_null(dest)) {
        /* a new map: its directive is applied, a bad one ignored (as kyaml does) */
        const kr_node *v = kr_is_map(patch) ? kr_map_get(patch, "$patch") : NULL;
        const char *t = text_of(v);
        if (v && (!strcmp(t, "delete") || !strcmp(t, "replace") || !strcmp(t, "merge"))) {
            kr_map_remove(patch, "$patch");
            if (!strcmp(t, "delete"))
                return *out = NULL, 0;
        }
        if (!patch && dest && dest->len > 0) {
            *keep = true;
            return *out = dest, 0;
        }
        d = patch;
    } else {
        if (patch && kr_is_null(patch))
            return *out = NULL, 0;
        int rc = map_directive(w, patch, &dir);
        if (rc)
            return rc;
        if (dir == DIR_DELETE)
            return *out = NULL, 0;
        d = dir == DIR_REPLACE ? patch : dest;
    }
    *out = d;
    if (!kr_is_map(d))
        return 0;
    return walk_fields(w, d, patch, c);
}

static int merge_assoc(walker *w, kr_node *d, kr_node *patch, const kr_smp_field *f,
                       kr_node **out)
{
    static const char *const prim[1] = {""};
    const char *const *keys = f->nkeys ? f->keys : prim;
    size_t nkeys = f->nkeys ? f->nkeys : 1;
    tuples t = {.width = nkeys};
    int rc = 0;
    if (f->nkeys) {
        rc = collect_tuples(w, patch, keys, nkeys, &t);
        if (!rc && d != patch)
            rc = collect_tuples(w, d, keys, nkeys, &t);
    } else {
        rc = collect_tuples(w, patch, NULL, 0, &t);
        if (!rc && d != patch)
            rc = collect_tuples(w, d, NULL, 0, &t);
    }
    if (!rc && nkeys > 1)
        rc = merge_tuples(w, &t);
    if (rc)
        return rc;
    kr_node *items = kr_node_seq(w->r->arena, (uint32_t)t.n);
    const char **vk = kr_arena_alloc(w->r->arena, 2 * nkeys * sizeof *vk);
    if (!items || !vk)
        return kr_err_nomem(w->r->err);
    const char **vv = vk + nkeys;
    size_t nv = 0;
    cursor ec = {.type = f->type};
    for (size_t i = 0; i < t.n; i++) {
        nv = valid_keys(&t, t.v[i], keys, nkeys, vk, vv);
        /* the matching elements are found with this tuple's non-empty values only */
        const char *mk[8], *mv[8];
        size_t nm = 0;
        for (size_t k = 0; k < nv && nm < 8; k++)
            if (*vv[k]) {
                mk[nm] = vk[k];
                mv[nm++] = vv[k];
            }
        const char *const *fk = nm ? mk : vk, *const *fv = nm ? mv : vv;
        size_t fn = nm ? nm : nv;
        kr_node *ed = element_find(d, fk, fn, fv);
        kr_node *ep = patch ? element_find(patch, fk, fn, fv) : NULL;
        kr_node *val = NULL;
        bool keep = false;
        if ((rc = walk(w, ed, ep, ec, &val, &keep)))
            return rc;
        if (kr_is_null(val) || is_empty_map(val)) {
            element_set(w, d, NULL, vk, nv, vv, nv);
            continue;
        }
        for (size_t k = 0; k < nv && kr_is_map(val); k++)
            if (*vv[k] && !kr_map_get(val, vk[k]) && !kr_map_set(w->r->arena, val, vk[k], kr_node_str(w->r->arena, vv[k])))
                return kr_err_nomem(w->r->err);
        element_set(w, items, val, vk, nv, vv, nv);
    }
    if (t.n && (rc = append_back(w, items, d, vk, nv)))
        return rc;
    *out = t.n ? items : d;
    return 0;
}

static int walk_seq(walker *w, kr_node *dest, kr_node *patch, cursor c, kr_node **out)
{
    const kr_smp_field *f = c.list;
    if (!f || !f->merge) {
        *out = patch ? patch : dest;
        return 0;
    }
    kr_node *d;
    if (kr_is_null(dest)) {
        d = patch;
    } else {
        if (patch && kr_is_null(patch))
            return *out = NULL, 0;
        int dir, rc = seq_directive(w, patch, &dir);
        if (rc)
            return rc;
        if (dir == DIR_DELETE)
            return *out = NULL, 0;
        d = dir == DIR_REPLACE ? patch : dest;
    }
    if (!kr_is_seq(d))
        return *out = d, 0;
    return merge_assoc(w, d, patch, f, out);
}

static int walk(walker *w, kr_node *dest, kr_node *patch, cursor c, kr_node **out, bool *keep)
{
    *keep = false;
    const kr_node *first = !kr_is_null(dest) ? dest : !kr_is_null(patch) ? patch : NULL;
    if (first) {
        const kr_node *other = first == dest ? patch : NULL;
        if (other && !kr_is_null(other) && other->kind != first->kind)
            return wrong_kind(w, first, other);
    }
    if (!first || first->kind == KR_MAP)
        return walk_map(w, dest, patch, c, out, keep);
    if (first->kind == KR_SEQ)
        return walk_seq(w, dest, patch, c, out);
    *out = patch ? patch : dest;
    return 0;
}

int kr_smp_merge(kr_render *r, const kr_smp_schema *s, kr_node **doc, kr_node *patch,
                 const char *file)
{
    walker w = {r, s, file};
    int dir;
    int rc = map_directive(&w, patch, &dir);
    if (rc)
        return rc;
    if (dir == DIR_DELETE) {
        *doc = NULL;
        return 0;
    }
    if (dir == DIR_REPLACE) /* kustomize discards the replacement (merge.md §1.4) */
        return 0;
    kr_node *out = NULL;
    bool keep = false;
    if ((rc = walk(&w, *doc, patch, (cursor){0}, &out, &keep)))
        return rc;
    *doc = out;
    return 0;
}
