/* JSON 6902 patches as kustomize applies them (evanphx/json-patch v4, merge.md §2), directly on
 * the node tree; afterwards every number of the resource goes through float64, as kustomize's
 * JSON round trip of a patched resource does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonvalue.h"
#include "parse.h"
#include "patch.h"
#include "resolve.h"
#include "textparse.h"

static int op_error(kr_render *r, const char *file, const kr_node *at, const char *fmt,
                    const char *a, const char *b)
{
    return kr_err_set(r->err, KRENDER_E_RESOURCE, file, at ? at->line : 0, at ? at->col : 0,
                      fmt, a, b);
}

/* ---- decoding ---- */

static int decode_op(kr_render *r, const kr_node *n, const char *file, kr_jp_op *op)
{
    if (!kr_is_map(n))
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, file, n->line, n->col,
                          "json: cannot unmarshal %s into Go value of type jsonpatch.Operation",
                          n->kind == KR_SEQ ? "array" : "string");
    static const char *const names[] = {"add", "remove", "replace", "move", "copy", "test"};
    static const uint8_t kinds[] = {KR_JP_ADD, KR_JP_REMOVE, KR_JP_REPLACE, KR_JP_MOVE, KR_JP_COPY, KR_JP_TEST};
    const char *o = kr_map_get_str(n, "op");
    op->at = n;
    op->path = kr_map_get_str(n, "path");
    op->from = kr_map_get_str(n, "from");
    op->value = kr_map_get(n, "value");
    for (size_t i = 0; o && i < sizeof names / sizeof *names; i++)
        if (strcmp(o, names[i]) == 0) {
            op->op = kinds[i];
            break;
        }
    if (!o || (op->op == KR_JP_ADD && strcmp(o, "add") != 0))
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, file, n->line, n->col,
                          "Unexpected kind: %s", o ? o : "unknown");
    if (!op->path)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, file, n->line, n->col,
                          "operation missing path field: missing value");
    if ((op->op == KR_JP_MOVE || op->op == KR_JP_COPY) && !op->from)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, file, n->line, n->col,
                          "operation missing from field: missing value");
    return 0;
}

int kr_jp_decode(kr_render *r, const char *text, size_t len, const char *file, kr_jp_patch *out)
{
    *out = (kr_jp_patch){0};
    kr_node *doc = NULL;
    /* JSON is read as YAML 1.2; YAML text goes through sigs.k8s.io/yaml (YAML 1.1 rules) */
    int rc = kr_text_document(r, file, text, len, kr_jp_mode(text, len), &doc); /* read only */
    return rc ? rc : kr_jp_decode_doc(r, doc, file, out);
}

int kr_jp_decode_doc(kr_render *r, const kr_node *doc, const char *file, kr_jp_patch *out)
{
    int rc;
    *out = (kr_jp_patch){0};
    if (!doc)
        return 0;
    if (!kr_is_seq(doc))
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, file, doc->line, doc->col,
                          "json: cannot unmarshal %s into Go value of type jsonpatch.Patch",
                          doc->kind == KR_MAP ? "object" : "string");
    if (doc->len && !(out->ops = kr_arena_zalloc(r->arena, doc->len * sizeof *out->ops)))
        return kr_err_nomem(r->err);
    for (uint32_t i = 0; i < doc->len; i++)
        if ((rc = decode_op(r, doc->u.items[i], file, &out->ops[out->n++])))
            return rc;
    return 0;
}

/* ---- pointers ---- */

bool kr_jp_split(kr_arena *a, const char *ptr, char ***tokens, size_t *n)
{
    size_t cnt = 1;
    for (const char *p = ptr; *p; p++)
        cnt += *p == '/';
    char **t = kr_arena_alloc(a, cnt * sizeof *t);
    if (!t)
        return false;
    size_t k = 0;
    for (const char *p = ptr;; ) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char *s = kr_arena_alloc(a, len + 1), *o = s;
        if (!s)
            return false;
        for (size_t i = 0; i < len; i++) {
            if (p[i] == '~' && i + 1 < len && (p[i + 1] == '1' || p[i + 1] == '0')) {
                *o++ = p[i + 1] == '1' ? '/' : '~';
                i++;
            } else {
                *o++ = p[i];
            }
        }
        *o = '\0';
        t[k++] = s;
        if (!e)
            break;
        p = e + 1;
    }
    *tokens = t;
    *n = k;
    return true;
}

/* Go strconv.Atoi (optional sign, decimal digits). */
static bool atoi_go(const char *s, long *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (!*p)
        return false;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return false;
    *out = strtol(s, NULL, 10);
    return true;
}

/* evanphx findObject: the container holding the pointer's last token, or NULL. */
static kr_node *find_container(kr_render *r, kr_node *doc, const char *path, const char **key)
{
    char **t;
    size_t n;
    if (!kr_jp_split(r->arena, path, &t, &n) || n < 2)
        return NULL;
    kr_node *cur = doc;
    for (size_t i = 1; i + 1 < n; i++) {
        if (kr_is_map(cur)) {
            cur = kr_map_get(cur, t[i]);
        } else if (kr_is_seq(cur)) {
            long idx;
            if (!atoi_go(t[i], &idx) || idx < 0 || idx >= (long)cur->len)
                return NULL;
            cur = cur->u.items[idx];
        } else {
            return NULL;
        }
    }
    if (!kr_is_map(cur) && !kr_is_seq(cur))
        return NULL;
    *key = t[n - 1];
    return cur;
}

/* ---- container operations ---- */

static int seq_insert(kr_render *r, kr_node *seq, uint32_t idx, kr_node *v)
{
    if (!kr_seq_append(r->arena, seq, v))
        return kr_err_nomem(r->err);
    memmove(&seq->u.items[idx + 1], &seq->u.items[idx], (seq->len - 1 - idx) * sizeof(kr_node *));
    seq->u.items[idx] = v;
    return 0;
}

static int con_add(kr_render *r, kr_node *con, const char *key, kr_node *v, const char *file,
                   const kr_node *at)
{
    if (kr_is_map(con))
        return kr_map_set(r->arena, con, key, v) ? 0 : kr_err_nomem(r->err);
    if (strcmp(key, "-") == 0)
        return kr_seq_append(r->arena, con, v) ? 0 : kr_err_nomem(r->err);
    long idx, sz = (long)con->len + 1;
    if (!atoi_go(key, &idx))
        return op_error(r, file, at, "value was not a proper array index: '%s'%s: invalid index", key, "");
    if (idx >= sz || idx < -sz) {
        char b[32];
        snprintf(b, sizeof b, "%ld", idx);
        return op_error(r, file, at, "Unable to access invalid index: %s%s: invalid index", b, "");
    }
    if (idx < 0)
        idx += sz;
    return seq_insert(r, con, (uint32_t)idx, v);
}

/* The member or element, or NULL (*bad: an index out of range, an error for get). */
static kr_node *con_get(kr_node *con, const char *key, bool *bad)
{
    *bad = false;
    if (kr_is_map(con))
        return kr_map_get(con, key);
    long idx;
    if (!atoi_go(key, &idx) || idx < 0 || idx >= (long)con->len) {
        *bad = true;
        return NULL;
    }
    return con->u.items[idx];
}

static int con_remove(kr_render *r, kr_node *con, const char *key, const char *path,
                      const char *file, const kr_node *at)
{
    if (kr_is_map(con)) {
        if (!kr_map_find(con, key))
            return op_error(r, file, at,
                            "error in remove for path: '%s': Unable to remove nonexistent key: %s: missing value",
                            path, key);
        kr_map_remove(con, key);
        return 0;
    }
    long idx, len = (long)con->len;
    if (!atoi_go(key, &idx) || idx >= len || idx < -len)
        return op_error(r, file, at, "error in remove for path: '%s': Unable to access invalid index: %s: invalid index",
                        path, key);
    if (idx < 0)
        idx += len;
    memmove(&con->u.items[idx], &con->u.items[idx + 1], (size_t)(len - idx - 1) * sizeof(kr_node *));
    con->len--;
    return 0;
}

static int con_set(kr_render *r, kr_node *con, const char *key, kr_node *v, const char *file,
                   const kr_node *at)
{
    if (kr_is_map(con))
        return kr_map_set(r->arena, con, key, v) ? 0 : kr_err_nomem(r->err);
    long idx;
    if (!atoi_go(key, &idx) || idx < 0 || idx >= (long)con->len)
        return op_error(r, file, at, "Unable to access invalid index: %s%s: invalid index", key, "");
    con->u.items[idx] = v;
    return 0;
}

/* ---- JSON equality (test) ---- */

static bool num_of(const kr_node *n, double *d)
{
    kr_number x;
    if ((n->type != KR_T_INT && n->type != KR_T_FLOAT) || !kr_resolve_number(n->u.text, n->len, &x))
        return false;
    *d = x.kind == KR_NUM_INT ? (double)x.i : x.kind == KR_NUM_UINT ? (double)x.u : x.d;
    return true;
}

static bool json_equal(const kr_node *a, const kr_node *b)
{
    if (kr_is_null(a) || kr_is_null(b))
        return kr_is_null(a) && kr_is_null(b);
    if (a->kind != b->kind)
        return false;
    if (a->kind == KR_MAP) {
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < a->len; i++) {
            const kr_node *o = kr_map_getn(b, a->u.pairs[i].key->u.text, a->u.pairs[i].key->len);
            if (!o || !json_equal(a->u.pairs[i].value, o))
                return false;
        }
        return true;
    }
    if (a->kind == KR_SEQ) {
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < a->len; i++)
            if (!json_equal(a->u.items[i], b->u.items[i]))
                return false;
        return true;
    }
    double x = 0, y = 0; /* set when num_of answers true; GCC -O3 without LTO cannot see it */
    bool na = num_of(a, &x), nb = num_of(b, &y);
    if (na || nb)
        return na && nb && x == y;
    if ((a->type == KR_T_BOOL) != (b->type == KR_T_BOOL))
        return false;
    return a->len == b->len && memcmp(a->u.text, b->u.text, a->len) == 0;
}

/* ---- operations ---- */

static kr_node *value_copy(kr_render *r, const kr_node *v)
{
    /* deep: the patch may live in a scratch arena (xf_patch.c) */
    return v ? kr_node_copy_deep(r->arena, v) : kr_node_scalar(r->arena, KR_T_NULL, "null", 4);
}

static int missing(kr_render *r, const char *file, const kr_node *at, const char *what,
                   const char *path)
{
    return op_error(r, file, at, "%s operation does not apply: doc is missing path: \"%s\": missing value",
                    what, path);
}

static int apply_op(kr_render *r, const kr_jp_op *op, kr_node *doc, const char *file)
{
    const char *key, *fkey;
    kr_node *con = find_container(r, doc, op->path, &key), *v;
    bool bad;
    switch (op->op) {
    case KR_JP_ADD:
        if (!con)
            return missing(r, file, op->at, "add", op->path);
        return (v = value_copy(r, op->value)) ? con_add(r, con, key, v, file, op->at) : kr_err_nomem(r->err);
    case KR_JP_REMOVE:
        if (!con)
            return missing(r, file, op->at, "remove", op->path);
        return con_remove(r, con, key, op->path, file, op->at);
    case KR_JP_REPLACE:
        if (!con)
            return missing(r, file, op->at, "replace", op->path);
        return (v = value_copy(r, op->value)) ? con_set(r, con, key, v, file, op->at) : kr_err_nomem(r->err);
    case KR_JP_TEST:
        if (!con)
            return missing(r, file, op->at, "test", op->path);
        v = con_get(con, key, &bad);
        if (bad || !json_equal(v, op->value))
            return op_error(r, file, op->at, "testing value %s failed: test failed%s", op->path, "");
        return 0;
    case KR_JP_MOVE:
    case KR_JP_COPY: {
        kr_node *fcon = find_container(r, doc, op->from, &fkey);
        if (!fcon)
            return op_error(r, file, op->at, "%s operation does not apply: doc is missing from path: %s: missing value",
                            op->op == KR_JP_MOVE ? "move" : "copy", op->from);
        v = con_get(fcon, fkey, &bad);
        if (!v)
            return op_error(r, file, op->at, "error in get for path: '%s': Unable to get nonexistent key: %s: missing value",
                            op->from, fkey);
        if (op->op == KR_JP_MOVE) {
            int rc = con_remove(r, fcon, fkey, op->from, file, op->at);
            if (rc)
                return rc;
            con = find_container(r, doc, op->path, &key);
        } else if (!(v = kr_node_copy(r->arena, v))) {
            return kr_err_nomem(r->err);
        }
        if (!con)
            return missing(r, file, op->at, op->op == KR_JP_MOVE ? "move" : "copy", op->path);
        return con_add(r, con, key, v, file, op->at);
    }
    }
    return 0;
}

/* Every integer through float64: what kustomize's YAML -> JSON -> YAML trip leaves. */
static void floatify(kr_render *r, kr_node *n)
{
    if (!n)
        return;
    if (n->kind == KR_MAP) {
        for (uint32_t i = 0; i < n->len; i++)
            floatify(r, n->u.pairs[i].value);
        return;
    }
    if (n->kind == KR_SEQ) {
        for (uint32_t i = 0; i < n->len; i++)
            floatify(r, n->u.items[i]);
        return;
    }
    kr_number x;
    if (n->type != KR_T_INT || !kr_resolve_number(n->u.text, n->len, &x))
        return;
    double d = x.kind == KR_NUM_INT ? (double)x.i : x.kind == KR_NUM_UINT ? (double)x.u : x.d;
    if (x.kind == KR_NUM_INT && x.i <= (1LL << 53) && x.i >= -(1LL << 53))
        return; /* exact in float64 already */
    char buf[64];
    size_t len = kr_json_float_text(d, buf);
    if (!len)
        return;
    kr_node *m = kr_node_scalar(r->arena, strpbrk(buf, ".eE") ? KR_T_FLOAT : KR_T_INT, buf, len);
    if (m) {
        m->line = n->line;
        m->col = n->col;
        *n = *m;
    }
}

int kr_jp_apply(kr_render *r, const kr_jp_patch *p, kr_node *doc, const char *file)
{
    for (size_t i = 0; i < p->n; i++) {
        int rc = apply_op(r, &p->ops[i], doc, file);
        if (rc)
            return rc;
    }
    floatify(r, doc);
    return 0;
}
