/* node tree -> JSON text of one resource, with the same values kustomize prints (the JSON
 * round trip of jsonvalue.c) and keys in the YAML output's order, for bindings (Python dicts)
 * and tools that want structured data without a YAML parser. */
#include "emit_json.h"

#include <stdlib.h>
#include <string.h>

#include "jsonvalue.h"
#include "keyorder.h"

static bool put_string(kr_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (!kr_buf_putc(out, '"'))
        return false;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        if (!kr_buf_append(out, s + run, i - run))
            return false;
        run = i + 1;
        char esc[7] = {'\\', 0};
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
        }
        if (!kr_buf_puts(out, esc))
            return false;
    }
    return kr_buf_append(out, s + run, n - run) && kr_buf_putc(out, '"');
}

typedef struct ctx {
    kr_buf *out;
    kr_buf scratch;
    kr_err *err;
} ctx;

static int fail_nomem(ctx *c)
{
    return kr_err_nomem(c->err);
}

static int put_scalar(ctx *c, const kr_node *n)
{
    char num[KR_JSON_NUMBUF];
    kr_jscalar js;
    c->scratch.len = 0;
    int rc = kr_json_scalar(n, num, &c->scratch, &js, c->err);
    if (rc)
        return rc;
    bool ok = js.is_str ? put_string(c->out, js.text, js.len) : kr_buf_append(c->out, js.text, js.len);
    return ok ? 0 : fail_nomem(c);
}

static int by_key(const void *a, const void *b)
{
    const kr_pair *x = *(const kr_pair *const *)a, *y = *(const kr_pair *const *)b;
    if (kr_key_less(x->key->u.text, x->key->len, y->key->u.text, y->key->len))
        return -1;
    return kr_key_less(y->key->u.text, y->key->len, x->key->u.text, x->key->len) ? 1 : 0;
}

static int put_node(ctx *c, const kr_node *n, unsigned depth);

static int put_map(ctx *c, const kr_node *n, unsigned depth)
{
    const kr_pair **order = n->len ? malloc(n->len * sizeof *order) : NULL;
    if (n->len && !order)
        return fail_nomem(c);
    for (uint32_t i = 0; i < n->len; i++)
        order[i] = &n->u.pairs[i];
    if (n->len > 1) /* qsort's array must not be NULL, even when empty */
        qsort(order, n->len, sizeof *order, by_key);
    int rc = kr_buf_putc(c->out, '{') ? 0 : fail_nomem(c);
    for (uint32_t i = 0; !rc && i < n->len; i++) {
        if ((i && !kr_buf_putc(c->out, ',')) ||
            !put_string(c->out, order[i]->key->u.text, order[i]->key->len) ||
            !kr_buf_putc(c->out, ':'))
            rc = fail_nomem(c);
        else
            rc = put_node(c, order[i]->value, depth + 1);
    }
    free(order);
    return rc ? rc : kr_buf_putc(c->out, '}') ? 0 : fail_nomem(c);
}

static int put_node(ctx *c, const kr_node *n, unsigned depth)
{
    if (depth > 10000)
        return kr_err_set(c->err, KRENDER_E_VALUE, NULL, n->line, n->col, "nesting too deep");
    if (n->kind == KR_SCALAR)
        return put_scalar(c, n);
    if (n->kind == KR_MAP)
        return put_map(c, n, depth);
    if (!kr_buf_putc(c->out, '['))
        return fail_nomem(c);
    for (uint32_t i = 0; i < n->len; i++) {
        if (i && !kr_buf_putc(c->out, ','))
            return fail_nomem(c);
        int rc = put_node(c, n->u.items[i], depth + 1);
        if (rc)
            return rc;
    }
    return kr_buf_putc(c->out, ']') ? 0 : fail_nomem(c);
}

int kr_emit_json(const kr_node *doc, kr_buf *out, kr_err *err)
{
    size_t start = out->len;
    ctx c = {out, {0}, err};
    int rc = put_node(&c, doc, 0);
    kr_buf_free(&c.scratch);
    if (rc && out->data) {
        out->len = start;
        out->data[start] = '\0';
    }
    return rc;
}
