/* PrefixTransformer / SuffixTransformer (pipeline.md §5.3), plus the scalar setters the rename
 * family shares. */
#include <string.h>

#include "resolve.h"
#include "transformers.h"
#include "xf_rename.h"

static int replace_scalar(kr_render *r, kr_node *n, const char *text, size_t len,
                          kr_scalar_type type, uint8_t style)
{
    char *t = kr_arena_strndup(r->arena, text, len);
    if (!t)
        return kr_err_nomem(r->err);
    n->kind = KR_SCALAR;
    n->type = (uint8_t)type;
    n->style = style;
    n->flags = 0;
    n->len = (uint32_t)len;
    n->u.text = t;
    return 0;
}

int kr_set_untagged_scalar(kr_render *r, kr_node *n, const char *text, size_t len)
{
    uint8_t style = n->kind == KR_SCALAR ? n->style : KR_STYLE_PLAIN;
    kr_scalar_type type =
        style == KR_STYLE_PLAIN ? kr_resolve_plain(text, len, KR_YAML_12) : KR_T_STR;
    return replace_scalar(r, n, text, len, type, style);
}

int kr_set_string_scalar(kr_render *r, kr_node *n, const char *text, size_t len)
{
    return replace_scalar(r, n, text, len, KR_T_STR, KR_STYLE_PLAIN);
}

/* Appends s to a list of affixes (arena-grown; lists are short). */
static int push_affix(kr_render *r, const char ***list, uint32_t *n, const char *s)
{
    if (!s[0])
        return 0;
    const char **v = kr_arena_alloc(r->arena, (*n + 1) * sizeof *v);
    const char *copy = kr_intern(r->strings, s);
    if (!v || !copy)
        return kr_err_nomem(r->err);
    if (*n)
        memcpy(v, *list, *n * sizeof *v);
    v[(*n)++] = copy;
    *list = v;
    return 0;
}

int kr_resource_add_prefix(kr_render *r, kr_resource *res, const char *p)
{
    return push_affix(r, &res->prefixes, &res->nprefixes, p);
}

int kr_resource_add_suffix(kr_render *r, kr_resource *res, const char *s)
{
    return push_affix(r, &res->suffixes, &res->nsuffixes, s);
}

/* Kinds whose original id is never renamed by a prefix or suffix. */
static bool never_renamed(const kr_resid *org)
{
    return strcmp(org->kind, "CustomResourceDefinition") == 0 ||
           strcmp(org->kind, "Namespace") == 0 ||
           (strcmp(org->kind, "APIService") == 0 &&
            strcmp(org->group, "apiregistration.k8s.io") == 0);
}

typedef struct affix_ctx {
    const char *affix;
    size_t alen;
    bool suffix;
} affix_ctx;

static int affix_set(kr_render *r, kr_resource *res, kr_node *n, void *arg)
{
    const affix_ctx *c = arg;
    if (n->kind != KR_SCALAR)
        return kr_err_set(r->err, KRENDER_E_RESOURCE, res->file, n->line, n->col,
                          "wrong node kind: expected ScalarNode but got %s",
                          kr_node_kind_name(n));
    size_t len = n->len + c->alen;
    char *t = kr_arena_alloc(r->arena, len + 1);
    if (!t)
        return kr_err_nomem(r->err);
    const char *first = c->suffix ? n->u.text : c->affix;
    size_t flen = c->suffix ? n->len : c->alen;
    memcpy(t, first, flen);
    memcpy(t + flen, c->suffix ? c->affix : n->u.text, len - flen);
    t[len] = '\0';
    return kr_set_untagged_scalar(r, n, t, len);
}

/* One field spec on one resource (already selected by its original gvk). */
static int affix_spec(kr_render *r, kr_resource *res, const kr_fieldspec *fs, affix_ctx *c)
{
    if (strcmp(fs->path, "metadata/name") == 0) {
        int rc = c->suffix ? kr_resource_add_suffix(r, res, c->affix)
                           : kr_resource_add_prefix(r, res, c->affix);
        if (!rc && c->alen)
            rc = kr_resource_push_prev(r, res);
        if (rc)
            return rc;
    }
    /* the field spec filter also checks the current gvk */
    if (!kr_fs_selects(fs, res->id.group, res->id.version, res->id.kind))
        return 0;
    int rc = kr_fs_walk(r, res, fs, KR_SCALAR, affix_set, c);
    return rc ? rc : kr_resource_refresh_id(r, res);
}

int kr_affix_apply(kr_render *r, kr_resmap *m, const char *affix, bool suffix,
                   const kr_fslist *specs)
{
    affix_ctx c = {affix, strlen(affix), suffix};
    for (size_t i = 0; i < m->len; i++) {
        kr_resource *res = m->items[i];
        const kr_resid *org = kr_resource_orig_id(res);
        /* kustomize's original id takes group and version from the current apiVersion */
        kr_resid o = *org;
        o.group = res->id.group;
        o.version = res->id.version;
        if (never_renamed(&o))
            continue;
        for (size_t j = 0; specs && j < specs->n; j++) {
            if (!kr_fs_selects(&specs->v[j], o.group, o.version, o.kind))
                continue;
            int rc = affix_spec(r, res, &specs->v[j], &c);
            if (rc)
                return rc;
        }
    }
    kr_resmap_ids_changed(m);
    return 0;
}

int kr_xf_prefix_suffix(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    const char *prefix = kr_dec_text(k->fields[KF_NAME_PREFIX]);
    const char *suffix = kr_dec_text(k->fields[KF_NAME_SUFFIX]);
    int rc = 0;
    if (prefix[0])
        rc = kr_affix_apply(r, &ra->res, prefix, false, &ra->config.lists[KR_FS_NAME_PREFIX]);
    if (!rc && suffix[0])
        rc = kr_affix_apply(r, &ra->res, suffix, true, &ra->config.lists[KR_FS_NAME_SUFFIX]);
    return rc;
}
