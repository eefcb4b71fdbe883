/* Patch targets (merge.md §3): anchored regexes on group/version/kind/name/namespace and
 * Kubernetes label selectors on labels and annotations. Regexes use PCRE2, whose syntax is a
 * superset of the RE2 subset kustomize users write ((?:...), classes, \d, alternation,
 * repetition); a match is a whole-string match either way since kustomize anchors them. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "patch.h"
#include "regex_cache.h"

/* ---- label selectors ---- */

typedef enum { OP_EQ, OP_NE, OP_IN, OP_NOTIN, OP_EXISTS, OP_NOT_EXISTS, OP_GT, OP_LT } sel_op;

typedef struct requirement {
    const char *key;
    sel_op op;
    const char **vals;
    size_t nvals;
    long long num; /* OP_GT / OP_LT */
} requirement;

struct kr_labelsel {
    requirement *reqs;
    size_t n;
};

typedef struct lexer {
    kr_arena *a;
    const char *p;
    const char *problem;
} lexer;

static void skip_ws(lexer *l)
{
    while (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r')
        l->p++;
}

static bool ident_char(char c)
{
    return c && !strchr(" \t\r\n,()!=<>", c);
}

/* A key or value token (possibly empty). */
static const char *token(lexer *l)
{
    skip_ws(l);
    const char *s = l->p;
    while (ident_char(*l->p))
        l->p++;
    return kr_arena_strndup(l->a, s, (size_t)(l->p - s));
}

static bool keyword(lexer *l, const char *kw)
{
    skip_ws(l);
    size_t n = strlen(kw);
    if (strncmp(l->p, kw, n) != 0 || ident_char(l->p[n]))
        return false;
    l->p += n;
    return true;
}

static bool parse_set(lexer *l, requirement *q)
{
    skip_ws(l);
    if (*l->p != '(')
        return l->problem = "found '(' expected", false;
    l->p++;
    size_t cap = 4;
    q->vals = kr_arena_alloc(l->a, cap * sizeof *q->vals);
    for (;;) {
        const char *v = token(l);
        if (!v || !q->vals)
            return l->problem = "out of memory", false;
        if (q->nvals == cap) {
            const char **nv = kr_arena_alloc(l->a, 2 * cap * sizeof *nv);
            if (!nv)
                return l->problem = "out of memory", false;
            memcpy(nv, q->vals, cap * sizeof *nv);
            q->vals = nv;
            cap *= 2;
        }
        q->vals[q->nvals++] = v;
        skip_ws(l);
        if (*l->p == ',') {
            l->p++;
            continue;
        }
        if (*l->p == ')') {
            l->p++;
            break;
        }
        return l->problem = "found unexpected token, expected ',' or ')'", false;
    }
    if (q->nvals == 1 && !*q->vals[0])
        q->nvals = 0;
    if (!q->nvals)
        return l->problem = "for 'in', 'notin' operators, values set can't be empty", false;
    return true;
}

static bool parse_number(lexer *l, requirement *q)
{
    const char *v = token(l);
    char *end;
    if (!v || !*v)
        return l->problem = "for 'Gt', 'Lt' operators, exactly one value is required", false;
    q->num = strtoll(v, &end, 10);
    if (*end)
        return l->problem = "for 'Gt', 'Lt' operators, the value must be an integer", false;
    return true;
}

static bool parse_op(lexer *l, requirement *q)
{
    skip_ws(l);
    const char *p = l->p;
    if (p[0] == '=' && p[1] == '=')
        q->op = OP_EQ, l->p += 2;
    else if (p[0] == '=')
        q->op = OP_EQ, l->p += 1;
    else if (p[0] == '!' && p[1] == '=')
        q->op = OP_NE, l->p += 2;
    else if (p[0] == '>')
        return q->op = OP_GT, l->p++, parse_number(l, q);
    else if (p[0] == '<')
        return q->op = OP_LT, l->p++, parse_number(l, q);
    else if (keyword(l, "notin"))
        return q->op = OP_NOTIN, parse_set(l, q);
    else if (keyword(l, "in"))
        return q->op = OP_IN, parse_set(l, q);
    else
        return l->problem = "found unexpected token, expected an operator", false;
    q->vals = kr_arena_alloc(l->a, sizeof *q->vals);
    if (!q->vals || !(q->vals[0] = token(l)))
        return l->problem = "out of memory", false;
    q->nvals = 1;
    return true;
}

static bool parse_requirement(lexer *l, requirement *q)
{
    skip_ws(l);
    bool negated = *l->p == '!';
    if (negated)
        l->p++;
    if (!(q->key = token(l)))
        return l->problem = "out of memory", false;
    if (!*q->key)
        return l->problem = "found unexpected token, expected identifier", false;
    skip_ws(l);
    if (negated) {
        q->op = OP_NOT_EXISTS;
        return true;
    }
    if (!*l->p || *l->p == ',') {
        q->op = OP_EXISTS;
        return true;
    }
    return parse_op(l, q);
}

int kr_labelsel_parse(kr_arena *a, const char *text, kr_labelsel **out, const char **problem)
{
    kr_labelsel *s = kr_arena_zalloc(a, sizeof *s);
    size_t cap = 1;
    for (const char *p = text; *p; p++)
        cap += *p == ',';
    lexer l = {a, text, NULL};
    if (!s || !(s->reqs = kr_arena_zalloc(a, cap * sizeof *s->reqs)))
        return *problem = "out of memory", KRENDER_E_NOMEM;
    skip_ws(&l);
    while (*l.p) {
        if (s->n == cap || !parse_requirement(&l, &s->reqs[s->n++]))
            return *problem = l.problem ? l.problem : "invalid selector", KRENDER_E_KUSTOMIZATION;
        skip_ws(&l);
        if (*l.p == ',') {
            l.p++;
            skip_ws(&l);
            if (!*l.p)
                return *problem = "found '', expected: identifier", KRENDER_E_KUSTOMIZATION;
        } else if (*l.p) {
            return *problem = "found unexpected token, expected ','", KRENDER_E_KUSTOMIZATION;
        }
    }
    *out = s;
    return 0;
}

static bool in_set(const requirement *q, const char *v)
{
    for (size_t i = 0; i < q->nvals; i++)
        if (strcmp(q->vals[i], v) == 0)
            return true;
    return false;
}

static bool req_matches(const requirement *q, const kr_node *m)
{
    const kr_node *vn = kr_is_map(m) ? kr_map_get(m, q->key) : NULL;
    const char *v = vn ? kr_dec_text(vn) : NULL;
    char *end;
    long long num;
    switch (q->op) {
    case OP_EQ:
    case OP_IN: return v && in_set(q, v);
    case OP_NE:
    case OP_NOTIN: return !v || !in_set(q, v);
    case OP_EXISTS: return v != NULL;
    case OP_NOT_EXISTS: return v == NULL;
    case OP_GT:
    case OP_LT:
        if (!v || !*v)
            return false;
        num = strtoll(v, &end, 10);
        if (*end)
            return false;
        return q->op == OP_GT ? num > q->num : num < q->num;
    }
    return false;
}

bool kr_labelsel_matches(const kr_labelsel *sel, const kr_node *m)
{
    for (size_t i = 0; sel && i < sel->n; i++)
        if (!req_matches(&sel->reqs[i], m))
            return false;
    return true;
}

/* ---- target selectors ---- */

enum { F_GROUP, F_VERSION, F_KIND, F_NAME, F_NAMESPACE, F_LABELS, F_ANNOTATIONS, F_COUNT };
static const char *const selector_keys[F_COUNT] = {
    "group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector",
};

struct kr_selector {
    pcre2_code *re[F_LABELS]; /* the render's (regex_cache.h); NULL: field empty (matches
                               * everything) or literal */
    const char *lit[F_LABELS]; /* a pattern without regex syntax: matches exactly itself */
    pcre2_match_data *md;
    kr_labelsel *labels, *annotations;
};

void kr_selector_free(kr_selector *s)
{
    if (!s)
        return;
    pcre2_match_data_free(s->md); /* the patterns are the render's (regex_cache.h) */
    free(s);
}

static int compile_regex(kr_render *r, const kr_node *n, const char *file, pcre2_code **out)
{
    char *pat = kr_arena_printf(r->arena, "^(?:%s)$", n->u.text);
    if (!pat)
        return kr_err_nomem(r->err);
    int code;
    PCRE2_SIZE off;
    *out = kr_regex(r, pat, PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &code, &off);
    if (*out)
        return 0;
    if (code == PCRE2_ERROR_NOMEMORY)
        return kr_err_nomem(r->err);
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(code, msg, sizeof msg);
    return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, file, n->line, n->col,
                      "error parsing regexp: %s: `%s`", (const char *)msg, pat);
}

static int compile_labels(kr_render *r, const kr_node *n, const char *file, kr_labelsel **out)
{
    const char *problem = NULL;
    int rc = kr_labelsel_parse(r->arena, n->u.text, out, &problem);
    if (rc == KRENDER_E_NOMEM)
        return kr_err_nomem(r->err);
    if (rc)
        return kr_err_set(r->err, rc, file, n->line, n->col,
                          "unable to parse requirement: %s: \"%s\"", problem, n->u.text);
    return 0;
}

/* A pattern made only of characters that are literal in every regex position (no . | ( [ *
 * + ? { ^ $ \ and no UTF-8): "^(?:p)$" matches exactly the string p. */
static bool is_literal(const kr_node *n)
{
    for (uint32_t i = 0; i < n->len; i++) {
        unsigned char c = (unsigned char)n->u.text[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '/' || c == ':'))
            return false;
    }
    return true;
}

int kr_selector_compile(kr_render *r, const kr_node *target, const char *file, kr_selector **out)
{
    kr_node *v[F_COUNT];
    kr_decoder d = {r, file, "invalid Kustomization"};
    int rc = kr_dec_object(&d, target, selector_keys, F_COUNT, v, "types.Selector", "target");
    for (int i = 0; !rc && i < F_COUNT; i++)
        rc = kr_dec_string(&d, v[i], selector_keys[i]);
    if (rc)
        return rc;
    kr_selector *s = calloc(1, sizeof *s);
    if (!s)
        return kr_err_nomem(r->err);
    bool any_re = false;
    for (int i = 0; !rc && i < F_LABELS; i++) {
        if (!v[i] || !v[i]->len)
            continue;
        if (is_literal(v[i]))
            s->lit[i] = v[i]->u.text;
        else
            rc = compile_regex(r, v[i], file, &s->re[i]), any_re = true;
    }
    if (!rc && v[F_LABELS] && v[F_LABELS]->len)
        rc = compile_labels(r, v[F_LABELS], file, &s->labels);
    if (!rc && v[F_ANNOTATIONS] && v[F_ANNOTATIONS]->len)
        rc = compile_labels(r, v[F_ANNOTATIONS], file, &s->annotations);
    if (!rc && any_re && !(s->md = pcre2_match_data_create(1, NULL)))
        rc = kr_err_nomem(r->err);
    if (rc) {
        kr_selector_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

static bool re_match(const kr_selector *s, int f, const char *text)
{
    if (s->lit[f])
        return strcmp(s->lit[f], text) == 0;
    if (!s->re[f])
        return true;
    return pcre2_match(s->re[f], (PCRE2_SPTR)text, strlen(text), 0, 0, s->md, NULL) >= 0;
}

bool kr_selector_matches(const kr_selector *s, const kr_resource *res)
{
    const kr_resid *cur = &res->id, *org = kr_resource_orig_id(res);
    if ((s->re[F_NAMESPACE] || s->lit[F_NAMESPACE]) &&
        !re_match(s, F_NAMESPACE, kr_resid_effective_ns(org)) &&
        !re_match(s, F_NAMESPACE, kr_resid_effective_ns(cur)))
        return false;
    if ((s->re[F_NAME] || s->lit[F_NAME]) && !re_match(s, F_NAME, org->name) &&
        !re_match(s, F_NAME, cur->name))
        return false;
    if (!re_match(s, F_GROUP, cur->group) || !re_match(s, F_VERSION, cur->version) ||
        !re_match(s, F_KIND, cur->kind))
        return false;
    const kr_node *meta = kr_map_get(res->node, "metadata");
    if (s->labels && !kr_labelsel_matches(s->labels, kr_map_get(meta, "labels")))
        return false;
    if (s->annotations && !kr_labelsel_matches(s->annotations, kr_map_get(meta, "annotations")))
        return false;
    return true;
}
