/* `crds:` (fieldspecs/README.md "crds"): OpenAPI definition files whose properties carry
 * kustomize's x-kubernetes-* extensions add field specs: annotations, label selectors, name
 * prefixes (identity) and name references, for the kind named by each definition. */
#include "transformers.h"

#include <string.h>

#include "loader.h"
#include "parse.h"

/* Definitions nest through "$ref"s; real schemas are shallow, so a bound catches ref cycles. */
#define MAX_REF_DEPTH 64

typedef struct crd_walk {
    kr_render *r;
    const kr_node *defs; /* name -> {Schema: {properties: ...}} */
    const char *file;
    const char *kind;    /* of the top-level definition */
    kr_tconfig *out;
} crd_walk;

static const kr_node *properties_of(const kr_node *def)
{
    return kr_map_get(kr_map_get(def, "Schema"), "properties");
}

/* A field spec {kind, path} built through the regular parser of field specs. */
static int add_spec(crd_walk *w, kr_fslist *list, const char *path)
{
    kr_arena *a = w->r->arena;
    kr_node *n = kr_node_map(a, 2);
    kr_fieldspec fs;
    if (!n || !kr_map_set(a, n, "kind", kr_node_str(a, w->kind)) ||
        !kr_map_set(a, n, "path", kr_node_str(a, path)))
        return kr_err_nomem(w->r->err);
    int rc = kr_fieldspec_parse(a, n, w->file, &fs, w->r->err);
    if (!rc && kr_fslist_append(a, list, &fs))
        rc = kr_err_nomem(w->r->err);
    return rc;
}

static int add_nameref(crd_walk *w, const char *version, const char *kind, const char *path)
{
    kr_tconfig one = {0};
    kr_nameref nr = {.group = "", .version = version, .kind = kind};
    int rc = add_spec(w, &nr.referrers, path);
    if (rc)
        return rc;
    one.nameref = &nr;
    one.nnameref = one.nameref_cap = 1;
    one.loaded = one.custom = true;
    return kr_tconfig_merge(w->r->arena, w->out, &one, w->r->err);
}

static const char *ext_string(const kr_node *prop, const char *key)
{
    const kr_node *v = kr_map_get(prop, key);
    return kr_is_str(v) ? v->u.text : NULL;
}

static int walk(crd_walk *w, const char *type, const char *path, unsigned depth)
{
    const kr_node *props = properties_of(kr_map_get(w->defs, type));
    if (!kr_is_map(props) || depth > MAX_REF_DEPTH)
        return 0;
    kr_arena *a = w->r->arena;
    for (uint32_t i = 0; i < props->len; i++) {
        const char *name = props->u.pairs[i].key->u.text;
        const kr_node *p = props->u.pairs[i].value;
        char *fpath = path[0] ? kr_arena_printf(a, "%s/%s", path, name) : kr_arena_strdup(a, name);
        if (!fpath)
            return kr_err_nomem(w->r->err);
        int rc = 0;
        if (ext_string(p, "x-kubernetes-annotation"))
            rc = add_spec(w, &w->out->lists[KR_FS_COMMON_ANNOTATIONS], fpath);
        if (!rc && ext_string(p, "x-kubernetes-label-selector"))
            rc = add_spec(w, &w->out->lists[KR_FS_COMMON_LABELS], fpath);
        if (!rc && ext_string(p, "x-kubernetes-identity"))
            rc = add_spec(w, &w->out->lists[KR_FS_NAME_PREFIX], fpath);
        const char *ver = ext_string(p, "x-kubernetes-object-ref-api-version");
        const char *kind = ext_string(p, "x-kubernetes-object-ref-kind");
        if (!rc && ver && kind) {
            const char *key = ext_string(p, "x-kubernetes-object-ref-name-key");
            char *rpath = kr_arena_printf(a, "%s/%s", fpath, key ? key : "name");
            rc = rpath ? add_nameref(w, ver, kind, rpath) : kr_err_nomem(w->r->err);
        }
        const char *ref = ext_string(p, "$ref");
        if (!rc && ref)
            rc = walk(w, ref, fpath, depth + 1);
        if (rc)
            return rc;
    }
    return 0;
}

/* Only definitions that look like Kubernetes types (kind, apiVersion, metadata) count; the kind
 * is the last '.'-separated part of the definition's name. */
static int load_definitions(kr_render *r, const kr_node *defs, const char *file, kr_tconfig *out)
{
    for (uint32_t i = 0; i < defs->len; i++) {
        const char *name = defs->u.pairs[i].key->u.text;
        const kr_node *props = properties_of(defs->u.pairs[i].value);
        if (!kr_map_get(props, "kind") || !kr_map_get(props, "apiVersion") ||
            !kr_map_get(props, "metadata"))
            continue;
        const char *dot = strrchr(name, '.');
        crd_walk w = {r, defs, file, dot ? dot + 1 : name, out};
        int rc = walk(&w, name, "", 0);
        if (rc)
            return rc;
    }
    return 0;
}

int kr_load_crds(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    kr_strlist files;
    kr_strlist_of(k->fields[KF_CRDS], &files);
    for (size_t i = 0; i < files.n; i++) {
        kr_file *f;
        kr_node *doc;
        int rc = kr_load_kfile(r, k, files.items[i], &f);
        if (!rc)
            rc = kr_parse_document(r->arena, f->path, f->data, f->len, KR_YAML_11, &doc, r->err);
        if (rc)
            return rc;
        if (!kr_is_map(doc))
            return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, f->path, doc ? doc->line : 0,
                              doc ? doc->col : 0,
                              "unable to parse open API definition from '%s'",
                              files.items[i]->u.text);
        kr_tconfig extra = {0};
        extra.loaded = extra.custom = true;
        if ((rc = load_definitions(r, doc, f->path, &extra)) ||
            (rc = kr_tconfig_merge(r->arena, &ra->config, &extra, r->err)))
            return rc;
    }
    return 0;
}
