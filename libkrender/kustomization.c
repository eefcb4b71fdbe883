#include "kustomization.h"

#include "decode.h"

#include <string.h>
#include <strings.h>

#include "kedit.h"
#include "loader.h"
#include "parse.h"
#include "path.h"

typedef enum { T_STR, T_STRMAP, T_STRLIST, T_OBJLIST, T_OBJ } field_type;

/* name, and "Kustomization.name" as decoding errors name the field */
#define F(name, type, gotype) {name, "Kustomization." name, type, gotype}
static const struct {
    const char *name, *qualified;
    field_type type;
    const char *gotype; /* as Go's encoding/json names it in errors */
} fields[KF_COUNT] = {
    [KF_API_VERSION] = F("apiVersion", T_STR, "string"),
    [KF_KIND] = F("kind", T_STR, "string"),
    [KF_METADATA] = F("metadata", T_OBJ, "types.ObjectMeta"),
    [KF_OPENAPI] = F("openapi", T_STRMAP, "map[string]string"),
    [KF_NAME_PREFIX] = F("namePrefix", T_STR, "string"),
    [KF_NAME_SUFFIX] = F("nameSuffix", T_STR, "string"),
    [KF_NAMESPACE] = F("namespace", T_STR, "string"),
    [KF_COMMON_LABELS] = F("commonLabels", T_STRMAP, "map[string]string"),
    [KF_LABELS] = F("labels", T_OBJLIST, "[]types.Label"),
    [KF_COMMON_ANNOTATIONS] = F("commonAnnotations", T_STRMAP, "map[string]string"),
    [KF_PATCHES_STRATEGIC_MERGE] =
        F("patchesStrategicMerge", T_STRLIST, "[]types.PatchStrategicMerge"),
    [KF_PATCHES_JSON6902] = F("patchesJson6902", T_OBJLIST, "[]types.Patch"),
    [KF_PATCHES] = F("patches", T_OBJLIST, "[]types.Patch"),
    [KF_IMAGES] = F("images", T_OBJLIST, "[]types.Image"),
    [KF_IMAGE_TAGS] = F("imageTags", T_OBJLIST, "[]types.Image"),
    [KF_REPLACEMENTS] = F("replacements", T_OBJLIST, "[]types.ReplacementField"),
    [KF_REPLICAS] = F("replicas", T_OBJLIST, "[]types.Replica"),
    [KF_VARS] = F("vars", T_OBJLIST, "[]types.Var"),
    [KF_SORT_OPTIONS] = F("sortOptions", T_OBJ, "types.SortOptions"),
    [KF_RESOURCES] = F("resources", T_STRLIST, "[]string"),
    [KF_COMPONENTS] = F("components", T_STRLIST, "[]string"),
    [KF_CRDS] = F("crds", T_STRLIST, "[]string"),
    [KF_BASES] = F("bases", T_STRLIST, "[]string"),
    [KF_CONFIG_MAP_GENERATOR] = F("configMapGenerator", T_OBJLIST, "[]types.ConfigMapArgs"),
    [KF_SECRET_GENERATOR] = F("secretGenerator", T_OBJLIST, "[]types.SecretArgs"),
    [KF_HELM_GLOBALS] = F("helmGlobals", T_OBJ, "types.HelmGlobals"),
    [KF_HELM_CHARTS] = F("helmCharts", T_OBJLIST, "[]types.HelmChart"),
    [KF_HELM_CHART_INFLATION_GENERATOR] =
        F("helmChartInflationGenerator", T_OBJLIST, "[]types.HelmChartArgs"),
    [KF_GENERATOR_OPTIONS] = F("generatorOptions", T_OBJ, "types.GeneratorOptions"),
    [KF_CONFIGURATIONS] = F("configurations", T_STRLIST, "[]string"),
    [KF_GENERATORS] = F("generators", T_STRLIST, "[]string"),
    [KF_TRANSFORMERS] = F("transformers", T_STRLIST, "[]string"),
    [KF_VALIDATORS] = F("validators", T_STRLIST, "[]string"),
    [KF_BUILD_METADATA] = F("buildMetadata", T_STRLIST, "[]string"),
};
#undef F

const char *kr_kfield_name(kr_kfield f)
{
    return fields[f].name;
}

static int decode_metadata(kr_decoder *d, const kr_node *n)
{
    static const char *const names[] = {"name", "namespace", "labels", "annotations"};
    kr_node *v[4] = {0};
    if (kr_dec_object(d, n, names, 4, v, "types.ObjectMeta", "Kustomization.metadata"))
        return d->r->err->code;
    if (v[0] && kr_dec_string(d, v[0], "Kustomization.metadata.name"))
        return d->r->err->code;
    if (v[1] && kr_dec_string(d, v[1], "Kustomization.metadata.namespace"))
        return d->r->err->code;
    if (v[2] && kr_dec_strmap(d, v[2], "Kustomization.metadata.labels"))
        return d->r->err->code;
    if (v[3] && kr_dec_strmap(d, v[3], "Kustomization.metadata.annotations"))
        return d->r->err->code;
    return 0;
}

static int decode_sort_options(kr_decoder *d, kr_kustomization *k, const kr_node *n)
{
    static const char *const names[] = {"order", "legacySortOptions"};
    static const char *const lnames[] = {"orderFirst", "orderLast"};
    kr_node *v[2] = {0}, *l[2] = {0};
    if (kr_dec_object(d, n, names, 2, v, "types.SortOptions", "Kustomization.sortOptions"))
        return d->r->err->code;
    if (v[0] && kr_dec_string(d, v[0], "Kustomization.sortOptions.order"))
        return d->r->err->code;
    if (v[1] && kr_dec_object(d, v[1], lnames, 2, l, "types.LegacySortOptions",
                              "Kustomization.sortOptions.legacySortOptions"))
        return d->r->err->code;
    for (int i = 0; i < 2; i++)
        if (l[i] && kr_dec_strlist(d, l[i], "Kustomization.sortOptions.legacySortOptions", "[]string"))
            return d->r->err->code;
    const char *order = v[0] ? v[0]->u.text : "";
    k->has_sort_options = true;
    k->has_legacy_sort = v[1] != NULL;
    if (strcmp(order, "legacy") == 0)
        k->sort_order = KR_SORT_LEGACY;
    else if (strcmp(order, "fifo") == 0)
        k->sort_order = KR_SORT_FIFO;
    else
        return kr_err_set(d->r->err, KRENDER_E_KUSTOMIZATION, d->file,
                          v[0] ? v[0]->line : n->line, v[0] ? v[0]->col : n->col,
                          "the field 'sortOptions.order' must be one of [fifo, legacy]");
    if (k->sort_order == KR_SORT_FIFO && k->has_legacy_sort)
        return kr_err_set(d->r->err, KRENDER_E_KUSTOMIZATION, d->file, v[1]->line, v[1]->col,
                          "the field 'sortOptions.legacySortOptions' is set but the selected "
                          "sort order is 'fifo', not 'legacy'");
    kr_strlist_of(l[0], &k->order_first);
    kr_strlist_of(l[1], &k->order_last);
    return 0;
}

static int check_field(kr_decoder *d, kr_kfield f, const kr_node *v)
{
    const char *field = fields[f].qualified;
    switch (fields[f].type) {
    case T_STR:
        return kr_dec_string(d, v, field);
    case T_STRMAP:
        return kr_dec_strmap(d, v, field);
    case T_STRLIST:
        return kr_dec_strlist(d, v, field, fields[f].gotype);
    case T_OBJLIST:
        if (v->kind != KR_SEQ)
            return kr_dec_type_error(d, v, field, fields[f].gotype);
        for (uint32_t i = 0; i < v->len; i++)
            if (!kr_is_null(v->u.items[i]) && v->u.items[i]->kind != KR_MAP)
                return kr_dec_type_error(d, v->u.items[i], field, fields[f].gotype + 2);
        return 0;
    case T_OBJ:
        return v->kind == KR_MAP ? 0 : kr_dec_type_error(d, v, field, fields[f].gotype);
    }
    return 0;
}

/* Go's reflect.DeepEqual against an empty struct: "" strings and null are empty, but an
 * explicit [] or {} is not. */
static bool field_is_set(kr_kfield f, const kr_node *v)
{
    if (!v)
        return false;
    if (fields[f].type == T_STR)
        return v->len > 0;
    return true;
}

static int decode(kr_decoder *d, kr_kustomization *k, const kr_node *doc)
{
    const char *names[KF_COUNT];
    for (int i = 0; i < KF_COUNT; i++)
        names[i] = fields[i].name;
    if (!doc) /* an empty file decodes to an empty struct */
        return 0;
    if (doc->kind != KR_MAP)
        return kr_err_set(d->r->err, KRENDER_E_KUSTOMIZATION, d->file, doc->line, doc->col,
                          "invalid Kustomization: json: cannot unmarshal %s into Go value of "
                          "type types.Kustomization",
                          kr_json_type(doc));
    for (uint32_t i = 0; i < doc->len; i++) {
        const kr_pair *p = &doc->u.pairs[i];
        int f = kr_dec_match_key(p->key->u.text, names, KF_COUNT);
        if (f < 0)
            return kr_dec_unknown_field(d, p->key);
        if (!kr_is_null(p->value) && check_field(d, (kr_kfield)f, p->value))
            return d->r->err->code;
        k->fields[f] = kr_is_null(p->value) ? NULL : p->value;
        k->keys[f] = p->key;
    }
    return 0;
}

static const char *deprecations[][2] = {
    {"bases", "'bases' is deprecated. Please use 'resources' instead."},
    {"commonLabels", "'commonLabels' is deprecated. Please use 'labels' instead."},
    {"imageTags", "'imageTags' is deprecated. Please use 'images' instead."},
    {"patchesJson6902", "'patchesJson6902' is deprecated. Please use 'patches' instead."},
    {"patchesStrategicMerge", "'patchesStrategicMerge' is deprecated. Please use 'patches' instead."},
    {"vars", "'vars' is deprecated. Please use 'replacements' instead. [EXPERIMENTAL]"},
};

static void warn_deprecated(kr_render *r, const kr_kustomization *k)
{
    static const kr_kfield which[] = {KF_BASES, KF_COMMON_LABELS, KF_IMAGE_TAGS,
                                      KF_PATCHES_JSON6902, KF_PATCHES_STRATEGIC_MERGE, KF_VARS};
    for (size_t i = 0; i < sizeof which / sizeof *which; i++)
        if (k->fields[which[i]])
            kr_render_warn(r, "# Warning: %s Run 'kustomize edit fix' to update your "
                              "Kustomization automatically.",
                           deprecations[i][1]);
}

/* resources followed by bases, as kustomize's FixKustomization does at load. */
static int join_resources(kr_render *r, kr_kustomization *k)
{
    kr_strlist res = {0}, bases = {0};
    kr_strlist_of(k->fields[KF_RESOURCES], &res);
    kr_strlist_of(k->fields[KF_BASES], &bases);
    if (!bases.n) {
        k->resources = res;
        return 0;
    }
    k->resources.items = kr_arena_alloc(r->arena, (res.n + bases.n) * sizeof(kr_node *));
    if (!k->resources.items)
        return kr_err_nomem(r->err);
    if (res.n)
        memcpy(k->resources.items, res.items, res.n * sizeof(kr_node *));
    memcpy(k->resources.items + res.n, bases.items, bases.n * sizeof(kr_node *));
    k->resources.n = res.n + bases.n;
    return 0;
}

static int validate(kr_decoder *d, kr_kustomization *k)
{
    /* bases are merged into resources before kustomize's emptiness check */
    bool empty = !k->fields[KF_RESOURCES] && !(k->fields[KF_BASES] && k->fields[KF_BASES]->len);
    for (int f = KF_METADATA; f < KF_COUNT; f++)
        if (f != KF_RESOURCES && f != KF_BASES && field_is_set((kr_kfield)f, k->fields[f]))
            empty = false;
    if (empty)
        return kr_err_set(d->r->err, KRENDER_E_KUSTOMIZATION, d->file, 0, 0,
                          "kustomization.yaml is empty");
    const kr_node *kind = k->fields[KF_KIND], *api = k->fields[KF_API_VERSION];
    const char *ks = kind && kind->len ? kind->u.text : "Kustomization";
    if (strcmp(ks, "Kustomization") != 0 && strcmp(ks, "Component") != 0)
        return kr_err_set(d->r->err, KRENDER_E_KUSTOMIZATION, d->file, kind->line, kind->col,
                          "kind should be Kustomization or Component");
    k->is_component = strcmp(ks, "Component") == 0;
    const char *want = k->is_component ? "kustomize.config.k8s.io/v1alpha1"
                                       : "kustomize.config.k8s.io/v1beta1";
    if (api && api->len && strcmp(api->u.text, want) != 0)
        return kr_err_set(d->r->err, KRENDER_E_KUSTOMIZATION, d->file, api->line, api->col,
                          "apiVersion for %s should be %s", ks, want);
    return 0;
}

/* The root kustomization as the in-memory edits of the options leave it: the text kustomize
 * edit would write, parsed as the file would be (errors in it point at the original file). */
static int edited_root(kr_render *r, const char *path, const kr_file *f, kr_node **doc)
{
    kr_buf text = {0};
    int rc = kr_kedit_apply(r, path, r->root_real, f->data, f->len, r->opts.edits,
                            r->opts.edit_count, &text);
    if (!rc)
        rc = kr_parse_document(r->arena, path, text.data ? text.data : "", text.len, KR_YAML_11,
                               doc, r->err);
    kr_buf_free(&text);
    return rc;
}

int kr_kustomization_load(kr_render *r, const char *dir, kr_kustomization **out)
{
    char *path;
    kr_file *f;
    kr_node *doc;
    int rc = kr_find_kustomization(r, dir, &path);
    if (!rc)
        rc = kr_load_file(r, path, &f);
    if (!rc)
        rc = r->opts.edit_count && strcmp(dir, r->root_real) == 0 ? edited_root(r, path, f, &doc)
                                                                   : kr_file_kustomization(r, f, &doc);
    if (rc)
        return rc;
    if (r->cold.cold && !r->prefetch) /* (the read-ahead thread hints for itself) */
        kr_cold_hint_kustomization(r, dir, doc, NULL, NULL);
    kr_kustomization *k = kr_arena_zalloc(r->arena, sizeof *k);
    if (!k)
        return kr_err_nomem(r->err);
    k->path = path;
    k->dir = dir;
    kr_decoder d = {r, path, "invalid Kustomization"};
    if ((rc = decode(&d, k, doc)))
        return rc;
    warn_deprecated(r, k);
    if ((rc = validate(&d, k)) || (rc = join_resources(r, k)))
        return rc;
    kr_strlist_of(k->fields[KF_COMPONENTS], &k->components);
    if (k->fields[KF_METADATA] && (rc = decode_metadata(&d, k->fields[KF_METADATA])))
        return rc;
    if (k->fields[KF_SORT_OPTIONS] && (rc = decode_sort_options(&d, k, k->fields[KF_SORT_OPTIONS])))
        return rc;
    *out = k;
    return 0;
}
