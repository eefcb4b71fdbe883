/* LabelTransformer and AnnotationsTransformer (pipeline.md §5.4): `labels[]` entries then
 * `commonLabels` in the LabelTransformer slot, `commonAnnotations` in the next one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "par.h"
#include "transformers.h"
#include "xf_fields.h"

/* ---- the string map, in Go's sorted key order ---- */

typedef struct keyed {
    kr_strpair p;
    uint32_t index; /* source order: among equal keys the last one wins, as in Go's json */
} keyed;

static int keyed_cmp(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = strcmp(x->p.key, y->p.key);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

int kr_strpairs_decode(const kr_decoder *d, const kr_node *map, const char *field, bool strict,
                       kr_strpairs *out)
{
    kr_render *r = d->r;
    *out = (kr_strpairs){0};
    if (kr_is_null(map))
        return 0;
    if (map->kind != KR_MAP)
        return kr_dec_type_error(d, map, field, "map[string]string");
    if (map->len == 0)
        return 0;
    keyed *tmp = malloc(map->len * sizeof *tmp);
    out->v = kr_arena_alloc(r->arena, map->len * sizeof *out->v);
    if (!tmp || !out->v) {
        free(tmp);
        return kr_err_nomem(r->err);
    }
    for (uint32_t i = 0; i < map->len; i++) {
        tmp[i] = (keyed){{map->u.pairs[i].key->u.text, ""}, i};
        if (kr_xf_dec_str(d, map->u.pairs[i].value, field, strict, &tmp[i].p.value)) {
            free(tmp);
            return r->err->code;
        }
    }
    qsort(tmp, map->len, sizeof *tmp, keyed_cmp);
    for (uint32_t i = 0; i < map->len; i++) {
        bool superseded = i + 1 < map->len && strcmp(tmp[i].p.key, tmp[i + 1].p.key) == 0;
        if (!superseded)
            out->v[out->n++] = tmp[i].p;
    }
    free(tmp);
    return 0;
}

/* ---- setting the entries ---- */

/* kyaml's FieldSetter on the map found: overwrite or append key, value a string. A null node
 * takes nothing (kustomize appends to a null scalar, which prints as null). */
typedef struct entry_arg {
    const kr_strpair *p;
    kr_node *key;     /* one key node for every map the entry is set in */
    size_t value_len;
} entry_arg;

static int set_entry(kr_render *r, kr_resource *res, kr_node *node, void *arg)
{
    const entry_arg *e = arg;
    if (kr_is_null(node))
        return 0;
    if (node->kind != KR_MAP)
        return kr_xf_wrong_kind(r, res, node, "MappingNode");
    /* the pair's strings live as long as the render: shared, not copied; the value node is
     * the resource's own (transformers may rewrite values in place) */
    kr_node *v = kr_node_scalar_ref(r->arena, KR_T_STR, e->p->value, e->value_len);
    if (!v || !kr_map_put(r->arena, node, e->key, v))
        return kr_err_nomem(r->err);
    return 0;
}

/* The specs selecting res's current gvk, in list order. */
static size_t selected_specs(const kr_resource *res, const kr_fslist *fs,
                             const kr_fieldspec **out)
{
    size_t n = 0;
    for (size_t i = 0; i < fs->n; i++)
        if (kr_fs_selects(&fs->v[i], res->id.group, res->id.version, res->id.kind))
            out[n++] = &fs->v[i];
    return n;
}

typedef struct set_job {
    kr_resmap *m;
    const kr_strpairs *pairs;
    const kr_fslist *fs;
    const entry_arg *args; /* per pair, shared by the chunks (read only) */
} set_job;

/* The entries set in resources [from, to): each resource's own maps alone change. */
static int set_range(kr_render *r, size_t from, size_t to, void *arg)
{
    const set_job *j = arg;
    const kr_fieldspec **sel = kr_arena_alloc(r->arena, j->fs->n * sizeof *sel);
    if (!sel)
        return kr_err_nomem(r->err);
    for (size_t i = from; i < to; i++) {
        kr_resource *res = j->m->items[i];
        size_t nsel = selected_specs(res, j->fs, sel);
        for (size_t k = 0; k < j->pairs->n; k++)
            for (size_t s = 0; s < nsel; s++) {
                int rc = kr_fs_walk(r, res, sel[s], KR_MAP, set_entry, (void *)&j->args[k]);
                if (rc)
                    return rc;
            }
    }
    return 0;
}

int kr_xf_set_entries(kr_render *r, kr_resmap *m, const kr_strpairs *pairs, const kr_fslist *fs)
{
    if (pairs->n == 0 || fs->n == 0)
        return 0;
    entry_arg *args = kr_arena_alloc(r->arena, pairs->n * sizeof *args);
    if (!args)
        return kr_err_nomem(r->err);
    for (size_t k = 0; k < pairs->n; k++) {
        const kr_strpair *p = &pairs->v[k];
        args[k] = (entry_arg){p, kr_node_scalar_ref(r->arena, KR_T_STR, p->key, strlen(p->key)),
                              strlen(p->value)};
        if (!args[k].key)
            return kr_err_nomem(r->err);
    }
    set_job j = {m, pairs, fs, args};
    return kr_par_chunks(r, m->len, set_range, &j);
}

/* ---- the kustomization fields ---- */

/* One `labels[]` entry, decoded, with the field specs kustomize gives it. */
typedef struct label_run {
    kr_strpairs pairs;
    kr_fslist fs;
} label_run;

static int merge_error(kr_render *r, const kr_kustomization *k, const kr_node *at, int rc,
                       const char *what)
{
    if (rc != KR_FS_CONFLICT)
        return kr_err_nomem(r->err);
    return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, k->path, at->line, at->col,
                      "%s: conflicting fieldspecs", what);
}

/* The user's `fields`, then the config's `labels` specs, then commonLabels specs
 * (includeSelectors) or templateLabels (includeTemplates) + metadata/labels (create). */
/* The merged lists' arrays go to `tmp` (they live as long as the transformer runs); the specs'
 * strings stay in the render arena (created fields share them). */
static int label_specs(kr_render *r, kr_arena *tmp, const kr_kustomization *k,
                       const kr_tconfig *tc, const kr_node *entry, bool selectors, bool templates,
                       kr_fslist *fs)
{
    static const char *const labels_err = "failed to merge labels";
    int rc = kr_fslist_merge(tmp, fs, &tc->lists[KR_FS_LABELS]);
    if (rc)
        return merge_error(r, k, entry, rc, labels_err);
    if (selectors) {
        rc = kr_fslist_merge(tmp, fs, &tc->lists[KR_FS_COMMON_LABELS]);
        return rc ? merge_error(r, k, entry, rc, labels_err) : 0;
    }
    if (templates && (rc = kr_fslist_merge(tmp, fs, &tc->lists[KR_FS_TEMPLATE_LABELS])))
        return merge_error(r, k, entry, rc, "failed to merge template fieldSpec");
    kr_fslist meta = {0};
    kr_fieldspec spec;
    if (kr_fieldspec_make(r->arena, "", "", "", "metadata/labels", true, &spec) ||
        kr_fslist_append(tmp, &meta, &spec))
        return kr_err_nomem(r->err);
    rc = kr_fslist_merge(tmp, fs, &meta);
    return rc ? merge_error(r, k, entry, rc, labels_err) : 0;
}

static int decode_label(kr_render *r, kr_arena *tmp, const kr_kustomization *k,
                        const kr_tconfig *tc, const kr_node *entry, label_run *out)
{
    static const char *const names[] = {"pairs", "includeSelectors", "includeTemplates",
                                        "fields"};
    kr_decoder d = {r, k->path, "invalid Kustomization"};
    kr_node *v[4];
    *out = (label_run){0};
    if (kr_dec_object(&d, entry, names, 4, v, "types.Label", "Kustomization.labels") ||
        kr_strpairs_decode(&d, v[0], "Label.labels.pairs", true, &out->pairs) ||
        kr_dec_bool(&d, v[1], "Label.labels.includeSelectors") ||
        kr_dec_bool(&d, v[2], "Label.labels.includeTemplates") ||
        kr_fslist_decode(&d, v[3], "Label", "labels.fields", true, &out->fs))
        return r->err->code;
    return label_specs(r, tmp, k, tc, entry, kr_dec_true(v[1]), kr_dec_true(v[2]), &out->fs);
}

int kr_xf_labels(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    const kr_node *labels = k->fields[KF_LABELS], *common = k->fields[KF_COMMON_LABELS];
    size_t n = kr_is_seq(labels) ? labels->len : 0;
    if (n == 0 && !(kr_is_map(common) && common->len))
        return 0;
    /* kustomize configures every transformer of the slot before running any */
    label_run *runs = n ? kr_arena_alloc(r->arena, n * sizeof *runs) : NULL;
    if (n && !runs)
        return kr_err_nomem(r->err);
    kr_arena *tmp = n ? kr_arena_new() : NULL; /* the runs' merged spec lists */
    if (n && !tmp)
        return kr_err_nomem(r->err);
    int rc = 0;
    for (size_t i = 0; !rc && i < n; i++)
        rc = decode_label(r, tmp, k, &ra->config, labels->u.items[i], &runs[i]);
    for (size_t i = 0; !rc && i < n; i++)
        rc = kr_xf_set_entries(r, &ra->res, &runs[i].pairs, &runs[i].fs);
    kr_arena_free(tmp);
    if (rc)
        return r->err->code;
    kr_decoder d = {r, k->path, "invalid Kustomization"};
    kr_strpairs pairs;
    if (kr_strpairs_decode(&d, common, "Kustomization.commonLabels", true, &pairs))
        return r->err->code;
    return kr_xf_set_entries(r, &ra->res, &pairs, &ra->config.lists[KR_FS_COMMON_LABELS]);
}

int kr_xf_annotations(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    kr_decoder d = {r, k->path, "invalid Kustomization"};
    kr_strpairs pairs;
    if (kr_strpairs_decode(&d, k->fields[KF_COMMON_ANNOTATIONS],
                           "Kustomization.commonAnnotations", true, &pairs))
        return r->err->code;
    return kr_xf_set_entries(r, &ra->res, &pairs, &ra->config.lists[KR_FS_COMMON_ANNOTATIONS]);
}

/* ---- builtin plugin configs ---- */

/* {<key>: map, fieldSpecs: [...]} of LabelTransformer / AnnotationsTransformer. */
static int map_plugin(kr_render *r, kr_accum *ra, kr_resource *config, const char *key,
                      const char *gostruct)
{
    const char *names[] = {key, "fieldSpecs"};
    kr_decoder d = {r, config->file, "error unmarshaling JSON: while decoding JSON"};
    char field[64];
    kr_node *v[2];
    kr_strpairs pairs;
    kr_fslist fs = {0};
    snprintf(field, sizeof field, "%s.%s", gostruct, key);
    if (kr_dec_object_ex(&d, config->node, names, 2, v, gostruct, gostruct, false) ||
        kr_strpairs_decode(&d, v[0], field, false, &pairs) ||
        kr_fslist_decode(&d, v[1], gostruct, "fieldSpecs", false, &fs))
        return r->err->code;
    return kr_xf_set_entries(r, &ra->res, &pairs, &fs);
}

int kr_plugin_labels(kr_render *r, const kr_kustomization *k, kr_accum *ra, kr_resource *config)
{
    (void)k;
    return map_plugin(r, ra, config, "labels", "LabelTransformerPlugin");
}

int kr_plugin_annotations(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                          kr_resource *config)
{
    (void)k;
    return map_plugin(r, ra, config, "annotations", "AnnotationsTransformerPlugin");
}
