/* ReplacementTransformer (pipeline.md §5.7, kustomization.md §6): copy one field of one
 * resource into fields of others. Paths use kyaml's syntax: '.'-separated parts, `[k=v]`
 * list elements (an unanchored regex on the target side, an exact value on the source side),
 * numeric indexes and `*`. */
#include "transformers.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "loader.h"
#include "parse.h"
#include "patch.h"
#include "resolve.h"
#include "xf_replacements.h"

/* ---- decoded form ---- */

typedef struct selector {
    const char *group, *version, *kind, *name, *ns;
    const char *label_selector, *annotation_selector;
} selector;

typedef struct options {
    const char *delimiter;
    long index;
    bool create;
} options;

typedef struct target {
    selector select;
    selector *reject;
    size_t nreject;
    const char **paths;
    size_t npaths;
    options opts;
    bool has_select;
} target;

typedef struct replacement {
    selector source;
    const char *field_path;
    options source_opts;
    target *targets;
    size_t ntargets;
    const kr_node *at; /* for error positions */
    const char *file;
} replacement;

typedef struct dctx {
    kr_render *r;
    kr_decoder d;
    bool strict; /* kustomization fields reject unknown keys; plugin configs ignore them */
} dctx;

static int object(dctx *c, const kr_node *n, const char *const *names, size_t count,
                  kr_node **v, const char *gotype, const char *field)
{
    return kr_dec_object_ex(&c->d, n, names, count, v, gotype, field, c->strict);
}

static int strings_of(dctx *c, kr_node **v, size_t n, const char *field)
{
    for (size_t i = 0; i < n; i++)
        if (kr_dec_string(&c->d, v[i], field))
            return c->r->err->code;
    return 0;
}

static int decode_selector(dctx *c, const kr_node *n, selector *s, const char *field)
{
    static const char *const names[] = {"group", "version", "kind", "name", "namespace",
                                        "labelSelector", "annotationSelector"};
    kr_node *v[7];
    if (object(c, n, names, 7, v, "types.Selector", field) || strings_of(c, v, 7, field))
        return c->r->err->code;
    *s = (selector){kr_dec_text(v[0]), kr_dec_text(v[1]), kr_dec_text(v[2]), kr_dec_text(v[3]),
                    kr_dec_text(v[4]), kr_dec_text(v[5]), kr_dec_text(v[6])};
    return 0;
}

static int decode_options(dctx *c, const kr_node *n, options *o, const char *field)
{
    static const char *const names[] = {"delimiter", "index", "encoding", "create"};
    kr_node *v[4];
    *o = (options){"", 0, false};
    if (object(c, n, names, 4, v, "types.FieldOptions", field) ||
        kr_dec_string(&c->d, v[0], field) || kr_dec_int(&c->d, v[1], field) ||
        kr_dec_string(&c->d, v[2], field) || kr_dec_bool(&c->d, v[3], field))
        return c->r->err->code;
    o->delimiter = kr_dec_text(v[0]);
    if (v[1]) {
        kr_number num;
        if (kr_resolve_number(v[1]->u.text, v[1]->len, &num) && num.kind == KR_NUM_INT)
            o->index = (long)num.i;
    }
    o->create = kr_dec_true(v[3]);
    return 0;
}

static int decode_target(dctx *c, const kr_node *n, target *t)
{
    static const char *const names[] = {"select", "reject", "fieldPaths", "options"};
    kr_node *v[4];
    *t = (target){0};
    if (object(c, n, names, 4, v, "types.TargetSelector", "Replacement.targets"))
        return c->r->err->code;
    if (v[0]) {
        t->has_select = true;
        if (decode_selector(c, v[0], &t->select, "TargetSelector.select"))
            return c->r->err->code;
    }
    if (v[1]) {
        if (!kr_is_seq(v[1]))
            return kr_dec_type_error(&c->d, v[1], "TargetSelector.reject", "[]*types.Selector");
        t->reject = kr_arena_zalloc(c->r->arena, (v[1]->len + 1) * sizeof *t->reject);
        if (!t->reject)
            return kr_err_nomem(c->r->err);
        for (uint32_t i = 0; i < v[1]->len; i++)
            if (!kr_is_null(v[1]->u.items[i]) &&
                decode_selector(c, v[1]->u.items[i], &t->reject[t->nreject++],
                                "TargetSelector.reject"))
                return c->r->err->code;
    }
    if (kr_dec_strlist(&c->d, v[2], "TargetSelector.fieldPaths", "[]string"))
        return c->r->err->code;
    kr_strlist paths;
    kr_strlist_of(v[2], &paths);
    t->paths = kr_arena_alloc(c->r->arena, (paths.n + 1) * sizeof *t->paths);
    if (!t->paths)
        return kr_err_nomem(c->r->err);
    for (size_t i = 0; i < paths.n; i++)
        t->paths[t->npaths++] = kr_dec_text(paths.items[i]);
    if (!t->npaths)
        t->paths[t->npaths++] = "metadata.name";
    return decode_options(c, v[3], &t->opts, "TargetSelector.options");
}

static int decode_replacement(dctx *c, const kr_node *n, replacement *out)
{
    static const char *const names[] = {"source", "targets"};
    static const char *const snames[] = {"group", "version", "kind", "name", "namespace",
                                         "fieldPath", "options"};
    kr_node *v[2], *s[7];
    *out = (replacement){.at = n, .file = c->d.file};
    if (object(c, n, names, 2, v, "types.Replacement", "Replacement"))
        return c->r->err->code;
    /* types first (kustomize decodes the whole entry), then what must be there */
    if (v[0] && (object(c, v[0], snames, 7, s, "types.SourceSelector", "Replacement.source") ||
                 strings_of(c, s, 6, "Replacement.source") ||
                 decode_options(c, s[6], &out->source_opts, "Replacement.source.options")))
        return c->r->err->code;
    if (v[1] && !kr_is_null(v[1]) && !kr_is_seq(v[1]))
        return kr_dec_type_error(&c->d, v[1], "Replacement.targets", "[]*types.TargetSelector");
    if (!v[0] || !v[1])
        return kr_err_set(c->r->err, KRENDER_E_KUSTOMIZATION, c->d.file, n->line, n->col,
                          "replacements must specify a source and at least one target");
    out->source = (selector){kr_dec_text(s[0]), kr_dec_text(s[1]), kr_dec_text(s[2]),
                             kr_dec_text(s[3]), kr_dec_text(s[4]), "", ""};
    out->field_path = s[5] && s[5]->len ? s[5]->u.text : "metadata.name";
    if (!kr_is_seq(v[1]))
        return kr_dec_type_error(&c->d, v[1], "Replacement.targets", "[]*types.TargetSelector");
    out->targets = kr_arena_zalloc(c->r->arena, (v[1]->len + 1) * sizeof *out->targets);
    if (!out->targets)
        return kr_err_nomem(c->r->err);
    for (uint32_t i = 0; i < v[1]->len; i++)
        if (decode_target(c, v[1]->u.items[i], &out->targets[out->ntargets++]))
            return c->r->err->code;
    return 0;
}

/* ---- selection ---- */

static bool id_selected(const kr_resid *id, const selector *s)
{
    if (s->name[0] && strcmp(s->name, id->name) != 0)
        return false;
    if (s->ns[0]) {
        kr_resid want = *id;
        want.ns = s->ns;
        if (strcmp(kr_resid_effective_ns(&want), kr_resid_effective_ns(id)) != 0)
            return false;
    }
    return (!s->group[0] || strcmp(s->group, id->group) == 0) &&
           (!s->version[0] || strcmp(s->version, id->version) == 0) &&
           (!s->kind[0] || strcmp(s->kind, id->kind) == 0);
}

/* The current id or any previous one (kustomize's MakeResIds). */
static bool any_id_selected(const kr_resource *res, const selector *s)
{
    if (id_selected(&res->id, s))
        return true;
    for (uint32_t i = 0; i < res->nprev; i++) {
        kr_resid prev = res->prev[i];
        /* previous ids keep the current group/version (kustomize stores names, kinds, ns) */
        prev.group = res->id.group;
        prev.version = res->id.version;
        if (id_selected(&prev, s))
            return true;
    }
    return false;
}

static bool selector_is_empty(const selector *s)
{
    return !s->group[0] && !s->version[0] && !s->kind[0] && !s->name[0] && !s->ns[0];
}

static int labels_match(kr_render *r, const kr_resource *res, const selector *s, bool *out)
{
    *out = true;
    if (!s->label_selector[0] && !s->annotation_selector[0])
        return 0;
    return kr_match_label_selectors(r, res, s->label_selector, s->annotation_selector, out);
}

static char *selector_string(kr_arena *a, const selector *s)
{
    kr_resid id = {s->group, s->version, s->kind, s->name, s->ns, false};
    return kr_resid_string(a, &id);
}

static int select_source(kr_render *r, const kr_accum *ra, const replacement *rep,
                         kr_resource **out)
{
    *out = NULL;
    for (size_t i = 0; i < ra->res.len; i++) {
        kr_resource *res = ra->res.items[i];
        if (!any_id_selected(res, &rep->source))
            continue;
        if (*out)
            return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, rep->file, rep->at->line,
                              rep->at->col, "multiple matches for selector %s",
                              selector_string(r->arena, &rep->source));
        *out = res;
    }
    if (!*out)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, rep->file, rep->at->line,
                          rep->at->col, "nothing selected by %s",
                          selector_string(r->arena, &rep->source));
    return 0;
}

/* ---- paths ---- */

typedef struct parts {
    const char **v;
    size_t n;
} parts;

/* kyaml's SmarterPathSplitter on '.': "\." is a literal dot; a part starting with '[' runs to
 * its closing ']' (keeping dots); brackets without '=' are stripped; empty parts dropped. */
static int split_path(kr_arena *a, const char *path, parts *out)
{
    size_t n = strlen(path);
    out->v = kr_arena_alloc(a, (n + 2) * sizeof *out->v);
    char *buf = kr_arena_alloc(a, n + 1);
    if (!out->v || !buf)
        return -1;
    out->n = 0;
    const char *p = path;
    while (*p) {
        char *start = buf, *w = buf;
        bool bracket = *p == '[';
        for (; *p; p++) {
            if (*p == '\\' && p[1] == '.') {
                *w++ = '.';
                p++;
            } else if (*p == '.' && (!bracket || (w > start && w[-1] == ']'))) {
                p++;
                break;
            } else {
                *w++ = *p;
            }
        }
        *w = '\0';
        buf = w + 1;
        size_t len = (size_t)(w - start);
        if (start[0] == '[' && len >= 2 && start[len - 1] == ']' && !strchr(start, '=')) {
            start[len - 1] = '\0';
            start++;
        }
        if (*start)
            out->v[out->n++] = start;
    }
    return 0;
}

static bool is_list_index(const char *p)
{
    size_t n = strlen(p);
    return n >= 2 && p[0] == '[' && p[n - 1] == ']';
}

static bool is_idx_number(const char *p, long *idx)
{
    if (!*p)
        return false;
    char *end;
    long v = strtol(p, &end, 10);
    if (*end || v < 0)
        return false;
    *idx = v;
    return true;
}

/* "[k=v]" -> k and v (both arena strings). */
static bool split_index(kr_arena *a, const char *p, const char **k, const char **v)
{
    size_t n = strlen(p);
    const char *eq = memchr(p, '=', n);
    if (!eq)
        return false;
    *k = kr_arena_strndup(a, p + 1, (size_t)(eq - p - 1));
    *v = kr_arena_strndup(a, eq + 1, (size_t)(p + n - 1 - eq - 1));
    return *k && *v;
}

/* Source side (kyaml's PathGetter, no creation): exact `[k=v]` matches. */
static kr_node *get_path(kr_arena *a, kr_node *n, const parts *pp)
{
    for (size_t i = 0; n && i < pp->n; i++) {
        const char *part = pp->v[i];
        long idx;
        const char *k, *v;
        if (is_idx_number(part, &idx)) {
            n = kr_is_seq(n) && (size_t)idx < n->len ? n->u.items[idx] : NULL;
        } else if (strcmp(part, "-") == 0) {
            n = kr_is_seq(n) && n->len ? n->u.items[n->len - 1] : NULL;
        } else if (is_list_index(part) && split_index(a, part, &k, &v)) {
            kr_node *found = NULL;
            for (uint32_t j = 0; kr_is_seq(n) && j < n->len && !found; j++) {
                kr_node *it = n->u.items[j];
                kr_node *f = k[0] ? kr_map_get(it, k) : it;
                if (kr_is_scalar(f) && strcmp(f->u.text, v) == 0)
                    found = it;
            }
            n = found;
        } else {
            n = kr_is_map(n) ? kr_map_get(n, part) : NULL;
        }
    }
    return n;
}

typedef struct matches {
    kr_node **v;
    size_t n, cap;
    bool *created; /* the node was made by this path walk (its type comes from its text) */
} matches;

static int add_match(kr_arena *a, matches *m, kr_node *n, bool created)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 8;
        kr_node **v = kr_arena_alloc(a, cap * sizeof *v);
        bool *c = kr_arena_alloc(a, cap * sizeof *c);
        if (!v || !c)
            return -1;
        if (m->n) {
            memcpy(v, m->v, m->n * sizeof *v);
            memcpy(c, m->created, m->n * sizeof *c);
        }
        m->v = v;
        m->created = c;
        m->cap = cap;
    }
    m->v[m->n] = n;
    m->created[m->n++] = created;
    return 0;
}

typedef struct matcher {
    kr_render *r;
    const parts *pp;
    int create; /* node kind to create at the end, 0 = never */
    matches *out;
} matcher;

static int kind_for_next(const matcher *m, size_t i)
{
    long idx;
    if (i + 1 >= m->pp->n)
        return m->create;
    const char *next = m->pp->v[i + 1];
    return is_list_index(next) || is_idx_number(next, &idx) ? KR_SEQ : KR_MAP;
}

static kr_node *new_node(kr_arena *a, int kind)
{
    return kind == KR_MAP ? kr_node_map(a, 0)
         : kind == KR_SEQ ? kr_node_seq(a, 0)
                          : kr_node_scalar(a, KR_T_NULL, "", 0);
}

static int match_at(const matcher *m, kr_node *n, size_t i, bool created);

/* `[k=v]`: elements whose field k (or the element itself) matches regex v, unanchored. */
static int match_seq(const matcher *m, kr_node *n, size_t i)
{
    const char *k, *v;
    kr_arena *a = m->r->arena;
    if (!split_index(a, m->pp->v[i], &k, &v))
        return kr_err_set(m->r->err, KRENDER_E_KUSTOMIZATION, NULL, 0, 0,
                          "list path element must contain fieldName=fieldValue for element to "
                          "match");
    if (!kr_is_seq(n))
        return 0;
    regex_t re;
    if (regcomp(&re, v, REG_EXTENDED | REG_NOSUB) != 0)
        return kr_err_set(m->r->err, KRENDER_E_KUSTOMIZATION, NULL, 0, 0,
                          "invalid regular expression '%s' in path part %s", v, m->pp->v[i]);
    size_t before = m->out->n;
    int rc = 0;
    for (uint32_t j = 0; !rc && j < n->len; j++) {
        kr_node *it = n->u.items[j];
        kr_node *f = k[0] ? (kr_is_map(it) ? kr_map_get(it, k) : NULL) : it;
        if (!kr_is_scalar(f) || regexec(&re, f->u.text, 0, NULL, 0) != 0)
            continue;
        rc = k[0] ? match_at(m, it, i + 1, false) : add_match(a, m->out, it, false);
    }
    regfree(&re);
    if (rc || m->out->n > before || !m->create)
        return rc;
    /* nothing matched: create the element, then match again */
    kr_node *val = kr_node_str(a, v), *elem = val;
    if (k[0]) {
        elem = kr_node_map(a, 1);
        if (!elem || !kr_map_set(a, elem, k, val))
            return kr_err_nomem(m->r->err);
    }
    if (!val || !kr_seq_append(a, n, elem))
        return kr_err_nomem(m->r->err);
    return match_seq(m, n, i);
}

/* kyaml's PathMatcher from part i on. */
static int match_at(const matcher *m, kr_node *n, size_t i, bool created)
{
    kr_arena *a = m->r->arena;
    if (i == m->pp->n)
        return add_match(a, m->out, n, created) ? kr_err_nomem(m->r->err) : 0;
    const char *part = m->pp->v[i];
    long idx;
    if (is_idx_number(part, &idx)) {
        if (!kr_is_seq(n))
            return 0;
        if ((size_t)idx == n->len && m->create) {
            kr_node *e = new_node(a, kind_for_next(m, i));
            if (!e || !kr_seq_append(a, n, e))
                return kr_err_nomem(m->r->err);
            return match_at(m, e, i + 1, true);
        }
        if ((size_t)idx >= n->len)
            return kr_err_set(m->r->err, KRENDER_E_KUSTOMIZATION, NULL, 0, 0,
                              "index %ld specified but only %u elements found", idx, n->len);
        return match_at(m, n->u.items[idx], i + 1, false);
    }
    if (is_list_index(part))
        return match_seq(m, n, i);
    if (strcmp(part, "*") == 0) {
        for (uint32_t j = 0; kr_is_seq(n) && j < n->len; j++) {
            int rc = match_at(m, n->u.items[j], i + 1, false);
            if (rc)
                return rc;
        }
        return 0;
    }
    if (!kr_is_map(n)) {
        if (kr_is_null(n) && m->create) { /* a created placeholder becomes a map */
            n->kind = KR_MAP;
            n->len = 0;
            n->flags &= (uint8_t)~KR_NF_ROOM;
            n->u.pairs = NULL;
        } else {
            return 0;
        }
    }
    kr_node *field = kr_map_get(n, part);
    bool made = false;
    if (!field) {
        if (!m->create)
            return 0;
        field = new_node(a, kind_for_next(m, i));
        if (!field || !kr_map_set(a, n, part, field))
            return kr_err_nomem(m->r->err);
        made = true;
    }
    return match_at(m, field, i + 1, made);
}

/* ---- applying ---- */

/* The source value, refined by source options (delimiter + index). */
static int source_value(kr_render *r, const replacement *rep, kr_resource *src, kr_node **out)
{
    parts pp;
    if (split_path(r->arena, rep->field_path, &pp))
        return kr_err_nomem(r->err);
    kr_node *n = get_path(r->arena, src->node, &pp);
    if (!n || kr_is_null(n) || (!kr_is_scalar(n) && n->len == 0))
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, rep->file, rep->at->line,
                          rep->at->col, "fieldPath `%s` is missing for replacement source %s",
                          rep->field_path, selector_string(r->arena, &rep->source));
    const options *o = &rep->source_opts;
    if (!o->delimiter[0]) {
        *out = n;
        return 0;
    }
    if (!kr_is_scalar(n))
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, rep->file, rep->at->line,
                          rep->at->col, "delimiter option can only be used with scalar nodes");
    /* element `index` of the text split on the delimiter */
    size_t dl = strlen(o->delimiter);
    const char *s = n->u.text, *end = s + n->len;
    long i = 0;
    while (i < o->index && s <= end) {
        const char *d = dl ? strstr(s, o->delimiter) : NULL;
        if (!d || d >= end) {
            s = end + 1;
            break;
        }
        s = d + dl;
        i++;
    }
    if (o->index < 0 || s > end)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, rep->file, rep->at->line,
                          rep->at->col, "options.index %ld is out of bounds for value %s",
                          o->index, n->u.text);
    const char *e = strstr(s, o->delimiter);
    size_t len = e ? (size_t)(e - s) : (size_t)(end - s);
    kr_node *copy = kr_node_scalar(r->arena, (kr_scalar_type)n->type, s, len);
    if (!copy)
        return kr_err_nomem(r->err);
    copy->style = n->style;
    *out = copy;
    return 0;
}

/* Target text with element `index` of its delimiter split replaced (or the value prepended /
 * appended when index is out of range). */
static char *splice(kr_arena *a, const char *target, const char *delim, long index,
                    const char *value)
{
    size_t dl = strlen(delim);
    size_t count = 1;
    for (const char *p = target; (p = strstr(p, delim)); p += dl)
        count++;
    kr_buf b = {0};
    if (index < 0) {
        kr_buf_puts(&b, value);
        kr_buf_puts(&b, delim);
        kr_buf_puts(&b, target);
    } else if ((size_t)index >= count) {
        kr_buf_puts(&b, target);
        kr_buf_puts(&b, delim);
        kr_buf_puts(&b, value);
    } else {
        const char *p = target;
        for (long i = 0; i < index; i++)
            p = strstr(p, delim) + dl;
        const char *e = strstr(p, delim);
        kr_buf_append(&b, target, (size_t)(p - target));
        kr_buf_puts(&b, value);
        if (e)
            kr_buf_puts(&b, e);
    }
    char *out = b.data ? kr_arena_strndup(a, b.data, b.len) : kr_arena_strdup(a, "");
    kr_buf_free(&b);
    return out;
}

static int set_value(kr_render *r, const replacement *rep, const target *t, kr_node *field,
                     bool created, const kr_node *value)
{
    const char *text = kr_is_scalar(value) ? value->u.text : NULL;
    if (t->opts.delimiter[0]) {
        if (!kr_is_scalar(field))
            return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, rep->file, rep->at->line,
                              rep->at->col, "delimiter option can only be used with scalar nodes");
        text = splice(r->arena, kr_is_null(field) ? "" : field->u.text, t->opts.delimiter,
                      t->opts.index, text ? text : "");
        if (!text)
            return kr_err_nomem(r->err);
    }
    if (kr_is_scalar(field) && !(created && !kr_is_scalar(value))) {
        /* only the text moves: the target keeps its type (a created field has none yet, so
         * its type is what the text reads as) */
        const char *t2 = text ? text : "";
        field->u.text = t2;
        field->len = (uint32_t)strlen(t2);
        if (created || field->type == KR_T_NULL)
            field->type = (uint8_t)(value->type == KR_T_STR && created
                                        ? kr_resolve_plain(t2, field->len, KR_YAML_12)
                                        : value->type);
        return 0;
    }
    kr_node *copy = kr_node_copy(r->arena, value);
    if (!copy)
        return kr_err_nomem(r->err);
    if (text && kr_is_scalar(copy)) {
        copy->u.text = text;
        copy->len = (uint32_t)strlen(text);
    }
    copy->line = field->line;
    copy->col = field->col;
    *field = *copy;
    return 0;
}

static bool rejected(const kr_resource *res, const target *t)
{
    for (size_t i = 0; i < t->nreject; i++)
        if (!selector_is_empty(&t->reject[i]) && any_id_selected(res, &t->reject[i]))
            return true;
    return false;
}

static int apply_target(kr_render *r, kr_accum *ra, const replacement *rep, const target *t,
                        const kr_node *value)
{
    if (!t->has_select)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, rep->file, rep->at->line,
                          rep->at->col, "target must specify resources to select");
    for (size_t i = 0; i < ra->res.len; i++) {
        kr_resource *res = ra->res.items[i];
        bool ok;
        int rc = labels_match(r, res, &t->select, &ok);
        for (size_t j = 0; !rc && ok && j < t->nreject; j++) {
            const selector *rj = &t->reject[j];
            if (!rj->label_selector[0] && !rj->annotation_selector[0])
                continue;
            bool hit;
            rc = labels_match(r, res, rj, &hit);
            ok = !hit;
        }
        if (rc)
            return rc;
        if (!ok || !any_id_selected(res, &t->select) || rejected(res, t))
            continue;
        for (size_t p = 0; p < t->npaths; p++) {
            parts pp;
            matches found = {0};
            if (split_path(r->arena, t->paths[p], &pp))
                return kr_err_nomem(r->err);
            matcher m = {r, &pp, t->opts.create ? value->kind : 0, &found};
            if ((rc = match_at(&m, res->node, 0, false)))
                return rc;
            if (!found.n)
                return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, rep->file, rep->at->line,
                                  rep->at->col, "unable to find %sfield \"%s\" in replacement "
                                  "target",
                                  t->opts.create ? "or create " : "", t->paths[p]);
            for (size_t f = 0; f < found.n; f++)
                if ((rc = set_value(r, rep, t, found.v[f], found.created[f], value)))
                    return rc;
        }
        if ((rc = kr_resource_refresh_id(r, res)))
            return rc;
    }
    kr_resmap_ids_changed(&ra->res);
    return 0;
}

static int apply(kr_render *r, kr_accum *ra, const replacement *rep)
{
    kr_resource *src = NULL;
    kr_node *value = NULL;
    int rc = select_source(r, ra, rep, &src);
    if (!rc)
        rc = source_value(r, rep, src, &value);
    if (!rc && !(value = kr_node_copy(r->arena, value))) /* a target may be the source */
        rc = kr_err_nomem(r->err);
    for (size_t i = 0; !rc && i < rep->ntargets; i++)
        rc = apply_target(r, ra, rep, &rep->targets[i], value);
    return rc;
}

/* A `path:` entry: a file holding one replacement or a list of them. */
static int apply_file(kr_render *r, const kr_kustomization *k, kr_accum *ra, const kr_node *entry,
                      bool strict)
{
    kr_file *f;
    kr_node *doc;
    int rc = kr_load_kfile(r, k, entry, &f);
    if (!rc)
        rc = kr_parse_document(r->arena, f->path, f->data, f->len, KR_YAML_11, &doc, r->err);
    if (rc)
        return rc;
    dctx c = {r, {r, f->path, "invalid replacement"}, strict};
    if (kr_is_seq(doc)) {
        for (uint32_t i = 0; i < doc->len; i++) {
            replacement rep;
            if ((rc = decode_replacement(&c, doc->u.items[i], &rep)) || (rc = apply(r, ra, &rep)))
                return rc;
        }
        return 0;
    }
    if (!kr_is_map(doc))
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, f->path, doc ? doc->line : 0,
                          doc ? doc->col : 0,
                          "unsupported replacement type encountered within replacement path");
    replacement rep;
    if ((rc = decode_replacement(&c, doc, &rep)))
        return rc;
    return apply(r, ra, &rep);
}

int kr_replacements_apply(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                          const kr_node *list, const char *file, bool strict)
{
    if (kr_is_null(list))
        return 0;
    dctx c = {r, {r, file, strict ? "invalid Kustomization" : "invalid replacement"}, strict};
    if (!kr_is_seq(list))
        return kr_dec_type_error(&c.d, list, "replacements", "[]types.ReplacementField");
    for (uint32_t i = 0; i < list->len; i++) {
        const kr_node *item = list->u.items[i];
        kr_node *path = kr_is_map(item) ? kr_map_get(item, "path") : NULL;
        int rc;
        if (path && !kr_is_null(path)) {
            if (kr_map_get(item, "source") || kr_map_get(item, "targets"))
                return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, file, item->line, item->col,
                                  "cannot specify both path and inline replacement");
            if ((rc = kr_dec_string(&c.d, path, "ReplacementField.path")))
                return rc;
            rc = apply_file(r, k, ra, path, strict);
        } else {
            replacement rep;
            rc = decode_replacement(&c, item, &rep);
            if (!rc)
                rc = apply(r, ra, &rep);
        }
        if (rc)
            return rc;
    }
    return 0;
}

int kr_xf_replacements(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    return kr_replacements_apply(r, k, ra, k->fields[KF_REPLACEMENTS], k->path, true);
}

/* Kubernetes label selectors over the resource's labels and annotations. */
int kr_match_label_selectors(kr_render *r, const kr_resource *res, const char *labels,
                             const char *annotations, bool *out)
{
    const kr_node *meta = kr_map_get(res->node, "metadata");
    const char *texts[2] = {labels, annotations};
    const char *fields[2] = {"labels", "annotations"};
    *out = true;
    for (int i = 0; i < 2 && *out; i++) {
        if (!texts[i][0])
            continue;
        kr_labelsel *sel;
        const char *problem = NULL;
        if (kr_labelsel_parse(r->arena, texts[i], &sel, &problem) != 0)
            return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, NULL, 0, 0,
                              "invalid %s selector '%s': %s", i ? "annotation" : "label",
                              texts[i], problem ? problem : "syntax error");
        *out = kr_labelsel_matches(sel, kr_map_get(meta, fields[i]));
    }
    return 0;
}
