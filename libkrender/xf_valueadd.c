/* ValueAddTransformer (builtin plugin): writes one value (by default the kustomization
 * directory's name) into a field of selected resources, or into one part of a path-like field
 * (filePathPosition). `metadata/namespace` goes through the namespace transformer. */
#include "transformers.h"

#include <string.h>
#include <strings.h>

#include "decode.h"
#include "loader.h"
#include "parse.h"
#include "patch.h"
#include "path.h"
#include "resolve.h"
#include "xf_rename.h"

typedef struct target {
    const kr_node *selector; /* NULL: every resource */
    const char *field_path;
    long position;
    const kr_node *at;
} target;

static const kr_node *get_ci(const kr_node *m, const char *key)
{
    for (uint32_t i = 0; kr_is_map(m) && i < m->len; i++)
        if (strcasecmp(m->u.pairs[i].key->u.text, key) == 0)
            return m->u.pairs[i].value;
    return NULL;
}

/* kustomize's filesys.InsertPathPart: part inserted before the pos-th path element, and the
 * result joined and cleaned as Go's filepath.Join does. */
static char *insert_path_part(kr_arena *a, const char *path, long pos, const char *part)
{
    if (!part[0])
        return kr_arena_strdup(a, path);
    enum { MAX = 256 };
    const char *elems[MAX + 1];
    size_t n = 0;
    char *copy = kr_arena_strdup(a, path);
    if (!copy)
        return NULL;
    if (strcmp(path, "/") == 0)
        elems[n++] = "";
    else if (path[0])
        for (char *s = copy, *e; n < MAX; s = e + 1) {
            if ((e = strchr(s, '/')))
                *e = '\0';
            elems[n++] = s;
            if (!e)
                break;
        }
    if (pos < 0)
        pos = 0;
    if ((size_t)pos > n)
        pos = (long)n;
    if (n && !elems[0][0] && (size_t)pos < n)
        pos++;
    memmove(&elems[pos + 1], &elems[pos], (n - (size_t)pos) * sizeof *elems);
    elems[pos] = part;
    n++;
    kr_buf b = {0};
    bool rooted = !elems[0][0];
    for (size_t i = rooted; i < n; i++)
        kr_buf_printf(&b, "%s%s", b.len ? "/" : "", elems[i]);
    char *joined = kr_arena_printf(a, "%s%s", rooted ? "/" : "", b.data ? b.data : "");
    kr_buf_free(&b);
    return joined ? kr_path_clean(a, joined) : NULL;
}

/* The field at a '/'-separated path ("\/" escapes a slash), created as a string if missing. */
static int set_value(kr_render *r, kr_resource *res, const target *t, const char *value)
{
    kr_arena *a = r->arena;
    char *path = kr_arena_strdup(a, t->field_path);
    if (!path)
        return kr_err_nomem(r->err);
    kr_node *n = res->node;
    char *s = path;
    for (;;) {
        char *e = s;
        while ((e = strchr(e, '/')) && e > s && e[-1] == '\\') {
            memmove(e - 1, e, strlen(e) + 1);
        }
        bool last = !e;
        if (e)
            *e = '\0';
        if (!kr_is_map(n))
            return kr_err_set(r->err, KRENDER_E_RESOURCE, res->file, n->line, n->col,
                              "wrong node kind: expected MappingNode at '%s'", s);
        kr_node *next = kr_map_get(n, s);
        if (!next) {
            next = last ? kr_node_str(a, "") : kr_node_map(a, 0);
            if (!next || !kr_map_set(a, n, s, next))
                return kr_err_nomem(r->err);
        }
        n = next;
        if (last)
            break;
        s = e + 1;
    }
    if (!kr_is_scalar(n))
        return kr_err_set(r->err, KRENDER_E_RESOURCE, res->file, n->line, n->col,
                          "wrong node kind: expected ScalarNode at '%s'", t->field_path);
    const char *v = t->position > 0 ? insert_path_part(a, kr_is_null(n) ? "" : n->u.text,
                                                       t->position - 1, value)
                                    : value;
    if (!v)
        return kr_err_nomem(r->err);
    n->type = KR_T_STR;
    n->u.text = v;
    n->len = (uint32_t)strlen(v);
    return 0;
}

static int apply_target(kr_render *r, kr_accum *ra, const target *t, const char *value,
                        const char *file)
{
    kr_selector *sel = NULL;
    int rc = t->selector ? kr_selector_compile(r, t->selector, file, &sel) : 0;
    kr_resmap picked = {0};
    for (size_t i = 0; !rc && i < ra->res.len; i++) {
        kr_resource *res = ra->res.items[i];
        if (sel && !kr_selector_matches(sel, res))
            continue;
        if (strcmp(t->field_path, "metadata/namespace") == 0)
            rc = kr_resmap_append(r, &picked, res);
        else
            rc = set_value(r, res, t, value);
    }
    kr_selector_free(sel);
    if (!rc && picked.len) {
        kr_ns_config c = {.ns = value, .specs = NULL, .subjects = KR_RB_DEFAULT_ONLY};
        rc = kr_namespace_apply(r, &picked, &c);
        kr_resmap_ids_changed(&ra->res);
    }
    return rc;
}

static int read_targets(kr_render *r, const kr_node *list, const char *file, target *out,
                        size_t *n, size_t cap)
{
    for (uint32_t i = 0; kr_is_seq(list) && i < list->len && *n < cap; i++) {
        const kr_node *t = list->u.items[i];
        const char *fp = kr_dec_text(get_ci(t, "fieldPath"));
        const kr_node *pos = get_ci(t, "filePathPosition");
        kr_number num = {0};
        if (!fp[0])
            return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, file, t->line, t->col,
                              "fieldPath cannot be empty");
        long p = kr_is_scalar(pos) && kr_resolve_number(pos->u.text, pos->len, &num) ? (long)num.i : 0;
        if (p < 0)
            return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, file, t->line, t->col,
                              "value of FilePathPosition (%ld) cannot be negative", p);
        const kr_node *sel = get_ci(t, "selector");
        out[(*n)++] = (target){kr_is_null(sel) ? NULL : sel, fp, p, t};
    }
    return 0;
}

int kr_plugin_value_add(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                        kr_resource *config)
{
    const char *value = kr_dec_text(get_ci(config->node, "value"));
    while (*value == ' ' || *value == '\t' || *value == '\n')
        value++;
    if (!value[0]) {
        const char *slash = strrchr(k->dir, '/');
        value = slash ? slash + 1 : k->dir;
    }
    target targets[64];
    size_t n = 0;
    int rc = read_targets(r, get_ci(config->node, "targets"), config->file, targets, &n, 64);
    const kr_node *tfp = get_ci(config->node, "targetFilePath");
    if (!rc && tfp && kr_dec_text(tfp)[0]) {
        kr_file *f;
        kr_node *doc;
        if (!(rc = kr_load_kfile(r, k, tfp, &f)) &&
            !(rc = kr_parse_document(r->arena, f->path, f->data, f->len, KR_YAML_11, &doc, r->err)))
            rc = read_targets(r, get_ci(doc, "targets"), f->path, targets, &n, 64);
    }
    if (!rc && !n)
        rc = kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, config->file, config->node->line,
                        config->node->col, "must specify at least one target");
    for (size_t i = 0; !rc && i < n; i++)
        rc = apply_target(r, ra, &targets[i], value, config->file);
    return rc;
}
