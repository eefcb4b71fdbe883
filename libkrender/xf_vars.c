/* Vars (deprecated; pipeline.md §10, kustomization.md §8): `$(NAME)` in the varReference
 * fields is replaced by a field of the resource the var's objref names. Binding happens at the
 * end of the declaring kustomization's accumulation (so by original or current name),
 * resolution once at the top level after name references are fixed. */
#include "transformers.h"

#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "jsonvalue.h"
#include "par.h"
#include "resolve.h"

struct kr_var {
    const char *name;
    const char *group, *version, *kind, *objname, *ns; /* objref */
    const char *field_path;                            /* default metadata.name */
    kr_resource *target;                               /* bound resource, or NULL */
    const char *file;                                  /* declaring kustomization */
    const kr_node *at;
};

/* ---- decoding ---- */

static int decode_var(kr_render *r, const kr_kustomization *k, const kr_node *n, kr_var *v)
{
    static const char *const names[] = {"name", "objref", "fieldref"};
    static const char *const refs[] = {"apiVersion", "group", "version", "kind", "name",
                                       "namespace"};
    static const char *const frefs[] = {"fieldPath"};
    kr_decoder d = {r, k->path, "invalid Kustomization"};
    kr_node *f[3], *o[6], *fp[1];
    if (kr_dec_object(&d, n, names, 3, f, "types.Var", "Kustomization.vars") ||
        kr_dec_string(&d, f[0], "Kustomization.vars.name") ||
        kr_dec_object(&d, f[1], refs, 6, o, "types.Target", "Kustomization.vars.objref") ||
        kr_dec_object(&d, f[2], frefs, 1, fp, "types.FieldSelector", "Kustomization.vars.fieldref"))
        return r->err->code;
    for (int i = 0; i < 6; i++)
        if (kr_dec_string(&d, o[i], "Kustomization.vars.objref"))
            return r->err->code;
    if (kr_dec_string(&d, fp[0], "Kustomization.vars.fieldref.fieldPath"))
        return r->err->code;
    *v = (kr_var){.name = kr_dec_text(f[0]), .group = kr_dec_text(o[1]),
                  .version = kr_dec_text(o[2]), .kind = kr_dec_text(o[3]),
                  .objname = kr_dec_text(o[4]), .ns = kr_dec_text(o[5]),
                  .field_path = kr_dec_text(fp[0]), .file = k->path, .at = n};
    if (!v->field_path[0])
        v->field_path = "metadata.name";
    /* objref.apiVersion wins over group/version when set, split like kustomize does */
    const char *api = kr_dec_text(o[0]);
    if (api[0]) {
        const char *slash = strchr(api, '/');
        if (slash && !strchr(slash + 1, '/')) {
            v->group = kr_arena_strndup(r->arena, api, (size_t)(slash - api));
            v->version = slash + 1;
        } else if (!slash) {
            v->version = api;
        }
    }
    return 0;
}

static int add_var(kr_render *r, kr_accum *ra, const kr_var *v)
{
    for (size_t i = 0; i < ra->nvars; i++)
        if (strcmp(ra->vars[i].name, v->name) == 0)
            return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, v->file, v->at->line, v->at->col,
                              "var '%s' already encountered", v->name);
    kr_var *p = kr_arena_grow(r->arena, ra->vars, ra->nvars, &ra->vars_cap, sizeof *p, 8);
    if (!p)
        return kr_err_nomem(r->err);
    ra->vars = p;
    ra->vars[ra->nvars++] = *v;
    return 0;
}

/* ---- binding ---- */

static bool id_matches(const kr_var *v, const kr_resid *id, bool with_ns)
{
    if (strcmp(id->group, v->group) || strcmp(id->version, v->version) ||
        strcmp(id->kind, v->kind) || strcmp(id->name, v->objname))
        return false;
    if (!with_ns)
        return true;
    kr_resid want = *id;
    want.ns = v->ns;
    return strcmp(kr_resid_effective_ns(&want), kr_resid_effective_ns(id)) == 0;
}

static bool any_id_matches(const kr_var *v, const kr_resource *res, bool with_ns)
{
    if (id_matches(v, &res->id, with_ns))
        return true;
    for (uint32_t i = 0; i < res->nprev; i++)
        if (id_matches(v, &res->prev[i], with_ns))
            return true;
    return false;
}

/* Vars are few; a scan of the resources per var keeps this linear in resources. */
static int bind(kr_render *r, kr_accum *ra, kr_var *v)
{
    size_t found = 0;
    for (size_t i = 0; i < ra->res.len; i++) {
        kr_resource *res = ra->res.items[i];
        /* a namespace, or a cluster-scoped kind, makes the namespace part of the match */
        bool with_ns = v->ns[0] || res->id.cluster_scoped;
        if (!any_id_matches(v, res, with_ns))
            continue;
        if (++found == 1)
            v->target = res;
    }
    if (found > 1)
        return kr_err_set(r->err, KRENDER_E_CONFLICT, v->file, v->at->line, v->at->col,
                          "found %zu resId matches for var %s (unable to disambiguate)", found,
                          v->name);
    return 0;
}

int kr_bind_vars(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    const kr_node *list = k->fields[KF_VARS];
    if (!list)
        return 0;
    for (uint32_t i = 0; i < list->len; i++) {
        kr_var v;
        int rc = decode_var(r, k, list->u.items[i], &v);
        if (!rc)
            rc = bind(r, ra, &v);
        if (!rc)
            rc = add_var(r, ra, &v);
        if (rc)
            return rc;
    }
    return 0;
}

int kr_merge_vars(kr_render *r, kr_accum *dst, const kr_accum *src)
{
    for (size_t i = 0; i < src->nvars; i++) {
        int rc = add_var(r, dst, &src->vars[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- the value of a var: kyaml's GetFieldValue on a dotted path ---- */

/* Next path part: text up to a '.' outside brackets. */
static size_t next_part(const char *p, size_t *len)
{
    size_t i = 0;
    int depth = 0;
    for (; p[i] && !(p[i] == '.' && depth == 0); i++)
        depth += p[i] == '[' ? 1 : p[i] == ']' ? -1 : 0;
    *len = i;
    return p[i] == '.' ? i + 1 : i;
}

static const kr_node *seq_index(const kr_node *n, const char *s, size_t len)
{
    if (!kr_is_seq(n) || !len)
        return NULL;
    size_t idx = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return NULL;
        idx = idx * 10 + (size_t)(s[i] - '0');
    }
    return idx < n->len ? n->u.items[idx] : NULL;
}

/* "[key=value]": the element of a sequence of maps whose key has that value. */
static const kr_node *seq_match(const kr_node *n, const char *s, size_t len)
{
    const char *eq = memchr(s, '=', len);
    if (!kr_is_seq(n) || !eq)
        return NULL;
    size_t klen = (size_t)(eq - s), vlen = len - klen - 1;
    for (uint32_t i = 0; i < n->len; i++) {
        const kr_node *it = n->u.items[i];
        const kr_node *val = klen ? kr_map_getn(it, s, klen) : it;
        if (kr_is_scalar(val) && val->len == vlen && memcmp(val->u.text, eq + 1, vlen) == 0)
            return it;
    }
    return NULL;
}

static const kr_node *lookup(const kr_node *n, const char *path)
{
    while (n && *path) {
        size_t len, adv = next_part(path, &len);
        const char *part = path;
        path += adv;
        if (len >= 2 && part[0] == '[' && part[len - 1] == ']') {
            n = seq_match(n, part + 1, len - 2);
            continue;
        }
        const char *br = len && part[len - 1] == ']' ? memchr(part, '[', len) : NULL;
        if (br) { /* name[N] */
            size_t nlen = (size_t)(br - part);
            if (nlen)
                n = kr_map_getn(n, part, nlen);
            n = seq_index(n, br + 1, len - nlen - 2);
            continue;
        }
        n = kr_is_seq(n) ? seq_index(n, part, len) : kr_map_getn(n, part, len);
    }
    return n;
}

/* A var's value: a string, or a typed scalar (int / float / bool keep their type when the
 * whole field is one $(VAR)). Maps and lists are not primitive: never replaced. */
typedef struct value {
    bool primitive;
    kr_scalar_type type;
    const char *text;   /* for a whole-field replacement (ints in decimal, floats 'f') */
    const char *inline_; /* for a replacement inside a string (Go's %v) */
} value;

/* strconv.FormatFloat(f, 'f', -1, 64) from the shortest 'g' digits. */
static char *format_float_f(kr_arena *a, double f)
{
    char g[40];
    kr_go_format_float(f, g);
    char *e = strchr(g, 'e');
    if (!e)
        return kr_arena_strdup(a, g);
    int exp = atoi(e + 1);
    *e = '\0';
    bool neg = g[0] == '-';
    char digits[40];
    size_t nd = 0;
    for (const char *p = g + neg; *p; p++)
        if (*p != '.')
            digits[nd++] = *p;
    /* value = 0.d1d2...dn x 10^(exp+1) */
    int point = exp + 1;
    char out[400];
    size_t w = 0;
    if (neg)
        out[w++] = '-';
    if (point <= 0) {
        out[w++] = '0';
        out[w++] = '.';
        for (int i = 0; i < -point && w < sizeof out - 40; i++)
            out[w++] = '0';
        for (size_t i = 0; i < nd; i++)
            out[w++] = digits[i];
    } else {
        for (int i = 0; i < point && w < sizeof out - 40; i++)
            out[w++] = (size_t)i < nd ? digits[i] : '0';
        if ((size_t)point < nd) {
            out[w++] = '.';
            for (size_t i = (size_t)point; i < nd; i++)
                out[w++] = digits[i];
        }
    }
    return kr_arena_strndup(a, out, w);
}

static int var_value(kr_render *r, const kr_var *v, value *out)
{
    *out = (value){0};
    const kr_node *n = v->target ? lookup(v->target->node, v->field_path) : NULL;
    if (!v->target)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, v->file, v->at->line, v->at->col,
                          "var '%s' cannot be mapped to a field in the set of known resources",
                          v->name);
    if (!n)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, v->file, v->at->line, v->at->col,
                          "field specified in var '%s' not found in corresponding resource "
                          "(fieldPath %s)",
                          v->name, v->field_path);
    if (!kr_is_scalar(n))
        return 0; /* a map or list: left as $(NAME) */
    out->primitive = true;
    out->type = KR_T_STR;
    out->text = out->inline_ = n->u.text;
    kr_number num;
    switch (n->type) {
    case KR_T_INT:
        if (!kr_resolve_number(n->u.text, n->len, &num) || num.kind != KR_NUM_INT)
            return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, v->file, v->at->line, v->at->col,
                              "field specified in var '%s' not found in corresponding resource "
                              "(not a decimal int: %s)",
                              v->name, n->u.text);
        out->type = KR_T_INT;
        out->text = out->inline_ = kr_arena_printf(r->arena, "%lld", (long long)num.i);
        break;
    case KR_T_FLOAT:
        if (!kr_resolve_number(n->u.text, n->len, &num))
            return kr_err_nomem(r->err);
        if (num.kind == KR_NUM_INT)
            num.d = (double)num.i;
        out->type = KR_T_FLOAT;
        out->text = format_float_f(r->arena, num.d);
        char g[40];
        kr_go_format_float(num.d, g);
        out->inline_ = kr_arena_strdup(r->arena, g);
        break;
    case KR_T_BOOL:
        out->type = KR_T_BOOL;
        out->text = out->inline_ = kr_dec_true(n) ? "true" : "false";
        break;
    default:
        break;
    }
    return out->text && out->inline_ ? 0 : kr_err_nomem(r->err);
}

/* ---- replacing $(NAME) ---- */

typedef struct resolver {
    kr_accum *ra;
    value *values; /* per var */
    size_t *hits;  /* per var; counted atomically: chunks of a big render share it */
    kr_buf buf;    /* each chunk's own */
    const kr_fslist *specs;
    const char **kinds; /* each spec's kind interned (ids' kinds compare by pointer); NULL: any */
} resolver;

static long find_var(const resolver *rv, const char *name, size_t len)
{
    for (size_t i = 0; i < rv->ra->nvars; i++)
        if (strlen(rv->ra->vars[i].name) == len && memcmp(rv->ra->vars[i].name, name, len) == 0)
            return (long)i;
    return -1;
}

/* kustomize's DoReplacements on a string node; changes the node in place. */
static int expand(kr_render *r, resolver *rv, kr_node *n)
{
    const char *s = n->u.text;
    size_t len = n->len;
    if (!memchr(s, '$', len))
        return 0;
    rv->buf.len = 0;
    size_t checkpoint = 0;
    for (size_t cur = 0; cur < len; cur++) {
        if (s[cur] != '$' || cur + 1 >= len)
            continue;
        if (!kr_buf_append(&rv->buf, s + checkpoint, cur - checkpoint))
            return kr_err_nomem(r->err);
        const char *rest = s + cur + 1;
        size_t rlen = len - cur - 1, advance = 1;
        if (rest[0] == '$') {
            kr_buf_putc(&rv->buf, '$'); /* "$$" is an escaped "$" */
        } else if (rest[0] == '(') {
            const char *close = memchr(rest, ')', rlen);
            if (!close) {
                kr_buf_append(&rv->buf, "$(", 2);
            } else {
                size_t nlen = (size_t)(close - rest) - 1;
                long vi = find_var(rv, rest + 1, nlen);
                const value *val = vi >= 0 && rv->values[vi].primitive ? &rv->values[vi] : NULL;
                if (val)
                    __atomic_fetch_add(&rv->hits[vi], 1, __ATOMIC_RELAXED);
                if (len == nlen + 3) { /* the whole field is $(NAME): it takes the type */
                    if (val) {
                        n->type = (uint8_t)val->type;
                        n->u.text = val->text;
                        n->len = (uint32_t)strlen(val->text);
                    }
                    return 0;
                }
                if (val)
                    kr_buf_puts(&rv->buf, val->inline_);
                else
                    kr_buf_append(&rv->buf, rest - 1, nlen + 3);
                advance = nlen + 2;
            }
        } else {
            kr_buf_putc(&rv->buf, '$');
            kr_buf_putc(&rv->buf, rest[0]);
        }
        cur += advance;
        checkpoint = cur + 1;
    }
    if (!kr_buf_append(&rv->buf, s + checkpoint, len - checkpoint))
        return kr_err_nomem(r->err);
    char *t = kr_arena_strndup(r->arena, rv->buf.data, rv->buf.len);
    if (!t)
        return kr_err_nomem(r->err);
    n->u.text = t;
    n->len = (uint32_t)rv->buf.len;
    return 0;
}

static int set_field(kr_render *r, kr_resource *res, kr_node *node, void *arg)
{
    resolver *rv = arg;
    if (kr_is_null(node))
        return 0;
    if (node->kind == KR_SCALAR)
        return node->type == KR_T_STR ? expand(r, rv, node) : 0;
    if (node->kind == KR_MAP) {
        for (uint32_t i = 0; i < node->len; i++) {
            kr_node *v = node->u.pairs[i].value;
            if (node->u.pairs[i].key->type != KR_T_STR)
                return kr_err_set(r->err, KRENDER_E_RESOURCE, res->file, node->line, node->col,
                                  "invalid map key: value='%s'", node->u.pairs[i].key->u.text);
            if (kr_is_str(v) && expand(r, rv, v))
                return r->err->code;
        }
        return 0;
    }
    for (uint32_t i = 0; i < node->len; i++) {
        kr_node *it = node->u.items[i];
        if (!kr_is_str(it))
            return kr_err_set(r->err, KRENDER_E_RESOURCE, res->file, it->line, it->col,
                              "invalid value type expect a string");
        if (expand(r, rv, it))
            return r->err->code;
    }
    return 0;
}

/* The references in resources [from, to), with a resolver of their own (its buffer). */
static int resolve_range(kr_render *r, size_t from, size_t to, void *arg)
{
    resolver rv = *(const resolver *)arg;
    rv.buf = (kr_buf){0};
    int rc = 0;
    for (size_t i = from; !rc && i < to; i++) {
        kr_resource *res = rv.ra->res.items[i];
        for (size_t j = 0; !rc && j < rv.specs->n; j++)
            if ((!rv.kinds[j] || rv.kinds[j] == res->id.kind) &&
                kr_fs_selects(&rv.specs->v[j], res->id.group, res->id.version, res->id.kind))
                rc = kr_fs_walk(r, res, &rv.specs->v[j], 0, set_field, &rv);
    }
    kr_buf_free(&rv.buf);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const kr_var *)a)->name, ((const kr_var *)b)->name);
}

int kr_resolve_vars(kr_render *r, kr_accum *ra)
{
    if (!ra->nvars)
        return 0;
    qsort(ra->vars, ra->nvars, sizeof *ra->vars, by_name); /* names are unique */
    resolver rv = {ra, kr_arena_zalloc(r->arena, ra->nvars * sizeof(value)),
                   kr_arena_zalloc(r->arena, ra->nvars * sizeof(size_t)), {0},
                   &ra->config.lists[KR_FS_VAR_REFERENCE], NULL};
    if (!rv.values || !rv.hits)
        return kr_err_nomem(r->err);
    int rc = 0;
    for (size_t i = 0; !rc && i < ra->nvars; i++)
        rc = var_value(r, &ra->vars[i], &rv.values[i]);
    const kr_fslist *specs = rv.specs;
    const char **kinds = specs->n ? kr_arena_alloc(r->arena, specs->n * sizeof *kinds) : NULL;
    if (specs->n && !kinds)
        rc = kr_err_nomem(r->err);
    for (size_t j = 0; !rc && j < specs->n; j++) {
        const char *k = specs->v[j].kind;
        kinds[j] = k[0] ? kr_intern(r->strings, k) : NULL;
        if (k[0] && !kinds[j])
            rc = kr_err_nomem(r->err);
    }
    rv.kinds = kinds;
    if (!rc)
        rc = kr_par_chunks(r, ra->res.len, resolve_range, &rv);
    if (rc)
        return rc;
    kr_buf unused = {0};
    for (size_t i = 0; i < ra->nvars; i++)
        if (!rv.hits[i] && !kr_buf_printf(&unused, "%s%s", unused.len ? "," : "", ra->vars[i].name))
            return kr_err_nomem(r->err);
    if (unused.len)
        kr_render_warn(r, "well-defined vars that were never replaced: %s", unused.data);
    kr_buf_free(&unused);
    return 0;
}
