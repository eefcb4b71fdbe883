#include "accumulate.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "loader.h"
#include "path.h"

/* Fields whose transformers and generators have not landed yet: an error beats a silently
 * wrong render. */
static const kr_kfield not_yet[] = {
    KF_OPENAPI, KF_NAME_PREFIX, KF_NAME_SUFFIX, KF_NAMESPACE, KF_COMMON_LABELS, KF_LABELS,
    KF_COMMON_ANNOTATIONS, KF_PATCHES_STRATEGIC_MERGE, KF_PATCHES_JSON6902, KF_PATCHES,
    KF_IMAGES, KF_IMAGE_TAGS, KF_REPLACEMENTS, KF_REPLICAS, KF_VARS, KF_COMPONENTS, KF_CRDS,
    KF_CONFIG_MAP_GENERATOR, KF_SECRET_GENERATOR, KF_HELM_GLOBALS, KF_HELM_CHARTS,
    KF_HELM_CHART_INFLATION_GENERATOR, KF_GENERATOR_OPTIONS, KF_CONFIGURATIONS, KF_GENERATORS,
    KF_TRANSFORMERS, KF_VALIDATORS, KF_BUILD_METADATA,
};

static int check_supported(kr_render *r, const kr_kustomization *k)
{
    for (size_t i = 0; i < sizeof not_yet / sizeof *not_yet; i++) {
        const kr_node *key = k->keys[not_yet[i]], *v = k->fields[not_yet[i]];
        if (v && !(v->kind != KR_SCALAR && v->len == 0) && !(v->kind == KR_SCALAR && !v->len))
            return kr_err_set(r->err, KRENDER_E_UNSUPPORTED, k->path, key->line, key->col,
                              "'%s' is not supported by this version of libkrender",
                              kr_kfield_name(not_yet[i]));
    }
    return 0;
}

static int check_cycle(kr_render *r, const char *dir, const kr_visit *chain, const char *file,
                       const kr_node *at)
{
    for (const kr_visit *v = chain; v; v = v->parent)
        if (kr_path_within(v->dir, dir))
            return kr_err_set(r->err, KRENDER_E_CYCLE, file, at->line, at->col,
                              "cycle detected: candidate root '%s' contains visited root '%s'",
                              kr_render_display(r, dir), kr_render_display(r, v->dir));
    return 0;
}

static int load_resource_file(kr_render *r, const kr_kustomization *k, const char *real,
                              const kr_node *entry, kr_resmap *out)
{
    if (r->opts.load_restrictor == KRENDER_LOAD_ROOT_ONLY && !kr_path_within(real, k->dir))
        return kr_err_set(r->err, KRENDER_E_SECURITY, k->path, entry->line, entry->col,
                          "security; file '%s' is not in or below '%s'", real, k->dir);
    kr_file *f;
    kr_node **docs;
    size_t ndocs;
    int rc = kr_check_jail(r, real, k->path, entry->line, entry->col);
    if (!rc)
        rc = kr_load_file(r, real, &f);
    if (!rc)
        rc = kr_file_docs(r, f, &docs, &ndocs);
    if (rc)
        return rc;
    /* the cache keeps the parsed tree; this render works on its own copy */
    kr_node **mine = ndocs ? kr_arena_alloc(r->arena, ndocs * sizeof *mine) : NULL;
    if (ndocs && !mine)
        return kr_err_nomem(r->err);
    for (size_t i = 0; i < ndocs; i++)
        if (!(mine[i] = kr_node_copy(r->arena, docs[i])))
            return kr_err_nomem(r->err);
    kr_resource **res = NULL;
    size_t nres = 0, cap = 0;
    if ((rc = kr_resources_from_docs(r, f->path, mine, ndocs, &res, &nres, &cap)))
        return rc;
    for (size_t i = 0; i < nres; i++)
        if ((rc = kr_resmap_append(r, out, res[i])))
            return rc;
    return 0;
}

static int load_base(kr_render *r, const kr_kustomization *k, const char *real,
                     const kr_node *entry, const kr_visit *self, kr_resmap *out)
{
    int rc = kr_check_jail(r, real, k->path, entry->line, entry->col);
    if (!rc)
        rc = check_cycle(r, real, self, k->path, entry);
    if (rc)
        return rc;
    kr_resmap sub = {0};
    kr_kustomization *subk;
    if ((rc = kr_accumulate(r, real, self, &sub, &subk)))
        return rc;
    if (subk->is_component)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, k->path, entry->line, entry->col,
                          "expected kind != 'Component' for path '%s'", entry->u.text);
    return kr_resmap_append_all(r, out, &sub);
}

/* A `resources` entry is a file, or else a directory holding a kustomization (§13). */
static int accumulate_entry(kr_render *r, const kr_kustomization *k, const kr_node *entry,
                            const kr_visit *self, kr_resmap *out)
{
    const char *p = entry->u.text;
    if (strstr(p, "://") || strncmp(p, "git@", 4) == 0 || strncmp(p, "github.com/", 11) == 0)
        return kr_err_set(r->err, KRENDER_E_UNSUPPORTED, k->path, entry->line, entry->col,
                          "remote resource '%s' is not supported: vendor it into the "
                          "repository and refer to it by a relative path",
                          p);
    char *abs = kr_path_join(r->arena, k->dir, p);
    if (!abs)
        return kr_err_nomem(r->err);
    struct stat st;
    if (stat(abs, &st) != 0)
        return kr_err_set(r->err, errno == ENOENT ? KRENDER_E_NOT_FOUND : KRENDER_E_IO, k->path,
                          entry->line, entry->col,
                          "accumulating resources from '%s': '%s' is neither a file nor a "
                          "directory: %s",
                          p, kr_render_display(r, abs), strerror(errno));
    char *real = kr_path_real(r->arena, abs);
    if (!real)
        return kr_err_set(r->err, KRENDER_E_IO, k->path, entry->line, entry->col,
                          "evalsymlink failure on '%s': %s", abs, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        if (p[0] == '/')
            return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, k->path, entry->line,
                              entry->col, "new root '%s' cannot be absolute", p);
        return load_base(r, k, real, entry, self, out);
    }
    return load_resource_file(r, k, real, entry, out);
}

static int accumulate_resources(kr_render *r, const kr_kustomization *k, const kr_visit *self,
                                kr_resmap *out)
{
    for (size_t i = 0; i < k->resources.n; i++) {
        const kr_node *e = k->resources.items[i];
        if (kr_is_null(e) || !e->len)
            continue;
        int rc = accumulate_entry(r, k, e, self, out);
        if (rc)
            return rc;
    }
    return 0;
}

int kr_accumulate(kr_render *r, const char *dir, const kr_visit *parent, kr_resmap *out,
                  kr_kustomization **kout)
{
    kr_visit self = {dir, parent};
    kr_kustomization *k = NULL;
    int rc = kr_kustomization_load(r, dir, &k);
    if (!rc)
        rc = check_supported(r, k);
    if (!rc)
        rc = accumulate_resources(r, k, &self, out);
    if (rc) {
        kr_err_chain_push(r->err, kr_render_display(r, dir));
        return rc;
    }
    *kout = k;
    return 0;
}
