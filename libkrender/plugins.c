/* `generators:` and `transformers:` (kustomization.md §2 "Plugins"): each entry is inline YAML
 * (a string that parses as resources) or a path (a file, or a directory built as a
 * kustomization); every resulting resource configures one plugin. Only kustomize's builtin
 * plugins (apiVersion `builtin`) exist here; any other is an external plugin, which kustomize
 * refuses unless plugins are enabled. */
#include "transformers.h"

#include <string.h>
#include <strings.h>

#include "decode.h"

#include "parse.h"
#include "gen.h"
#include "origin.h"
#include "patch.h"
#include "xf_fields.h"
#include "xf_rename.h"
#include "xf_replacements.h"

typedef int (*plugin_fn)(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                         kr_resource *config);

typedef struct plugin {
    const char *kind;
    plugin_fn run;
} plugin;

static int replacement_transformer(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                                   kr_resource *config)
{
    return kr_replacements_apply(r, k, ra, kr_map_get(config->node, "replacements"),
                                 config->file, false);
}

/* kustomize reads plugin configs leniently (unknown keys ignored, keys matched as Go's json
 * does): a view of the config with only the keys a decoder knows, renamed where the plugin's
 * key differs (from[i] -> to[i]). */
static kr_node *config_view(kr_render *r, const kr_node *config, const char *const *from,
                            const char *const *to, size_t n)
{
    kr_node *m = kr_node_map(r->arena, (uint32_t)n);
    if (!m)
        return NULL;
    m->line = config->line;
    m->col = config->col;
    for (uint32_t j = 0; j < config->len; j++) {
        int i = kr_dec_match_key(config->u.pairs[j].key->u.text, from, n);
        if (i >= 0 && !kr_map_set(r->arena, m, to[i], config->u.pairs[j].value))
            return NULL;
    }
    return m;
}

static int patch_transformer(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                             kr_resource *config)
{
    static const char *const keys[] = {"path", "patch", "target", "options"};
    kr_node *view = config_view(r, config->node, keys, keys, 4);
    kr_decoder d = {r, config->file, "invalid PatchTransformer config"};
    return view ? kr_patch_entry(r, k, ra, view, &d) : kr_err_nomem(r->err);
}

static int patch_json6902_transformer(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                                      kr_resource *config)
{
    static const char *const from[] = {"path", "jsonOp", "target"};
    static const char *const to[] = {"path", "patch", "target"};
    kr_node *view = config_view(r, config->node, from, to, 3);
    kr_decoder d = {r, config->file, "invalid PatchJson6902Transformer config"};
    return view ? kr_patch_json6902_entry(r, k, ra, view, &d) : kr_err_nomem(r->err);
}

static int patch_sm_transformer(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                                kr_resource *config)
{
    const kr_node *paths = kr_map_get(config->node, "paths");
    const kr_node *inl = kr_map_get(config->node, "patches");
    kr_decoder d = {r, config->file, "invalid PatchStrategicMergeTransformer config"};
    int rc = kr_dec_strlist(&d, paths, "paths", "[]types.PatchStrategicMerge");
    if (!rc)
        rc = kr_dec_string(&d, inl, "patches");
    if (rc)
        return rc;
    if ((!kr_is_seq(paths) || !paths->len) && !kr_dec_text(inl)[0])
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, config->file, config->node->line,
                          config->node->col, "empty file path and empty patch content");
    for (uint32_t i = 0; kr_is_seq(paths) && !rc && i < paths->len; i++)
        rc = kr_patch_sm_item(r, k, ra, paths->u.items[i]);
    if (!rc && kr_dec_text(inl)[0])
        rc = kr_patch_sm_item(r, k, ra, inl);
    return rc;
}

/* IAMPolicyGenerator (cloud: gke): a ServiceAccount bound to a Google service account. */
static int iam_policy_generator(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                                kr_resource *config)
{
    (void)k;
    static const char *const keys[] = {"cloud", "kubernetesService", "serviceAccount"};
    kr_node *view = config_view(r, config->node, keys, keys, 3);
    if (!view)
        return kr_err_nomem(r->err);
    const kr_node *ks = kr_map_get(view, "kubernetesService"), *sa = kr_map_get(view, "serviceAccount");
    const char *cloud = kr_dec_text(kr_map_get(view, "cloud"));
    if (strcmp(cloud, "gke") != 0)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, config->file, config->node->line,
                          config->node->col, "cloud provider %s not supported yet", cloud);
    kr_arena *a = r->arena;
    kr_node *doc = kr_node_map(a, 3), *meta = kr_node_map(a, 3), *ann = kr_node_map(a, 1);
    char *gsa = kr_arena_printf(a, "%s@%s.iam.gserviceaccount.com",
                                kr_dec_text(kr_map_get(sa, "name")),
                                kr_dec_text(kr_map_get(sa, "projectId")));
    const char *ns = kr_dec_text(kr_map_get(ks, "namespace"));
    if (!doc || !meta || !ann || !gsa || !kr_map_set(a, doc, "apiVersion", kr_node_str(a, "v1")) ||
        !kr_map_set(a, doc, "kind", kr_node_str(a, "ServiceAccount")) ||
        !kr_map_set(a, ann, "iam.gke.io/gcp-service-account", kr_node_str(a, gsa)) ||
        !kr_map_set(a, meta, "annotations", ann) ||
        !kr_map_set(a, meta, "name", kr_node_str(a, kr_dec_text(kr_map_get(ks, "name")))) ||
        (ns[0] && !kr_map_set(a, meta, "namespace", kr_node_str(a, ns))) ||
        !kr_map_set(a, doc, "metadata", meta))
        return kr_err_nomem(r->err);
    kr_resource *res = kr_resource_new(r, doc, config->file);
    return res ? kr_resmap_append(r, &ra->res, res) : kr_err_nomem(r->err);
}

/* The field specs of a plugin config, read as kustomize does (unknown keys ignored). */
static int config_fieldspecs(kr_render *r, kr_resource *config, const char *owner,
                             kr_fslist *out, bool *present)
{
    kr_decoder d = {r, config->file, "invalid plugin config"};
    const kr_node *fs = NULL;
    for (uint32_t i = 0; i < config->node->len; i++)
        if (strcasecmp(config->node->u.pairs[i].key->u.text, "fieldSpecs") == 0)
            fs = config->node->u.pairs[i].value;
    *out = (kr_fslist){0};
    if (present)
        *present = fs && !kr_is_null(fs);
    return kr_fslist_decode(&d, fs, owner, "fieldSpecs", false, out);
}

static const char *config_string(const kr_node *config, const char *key)
{
    for (uint32_t i = 0; i < config->len; i++)
        if (strcasecmp(config->u.pairs[i].key->u.text, key) == 0)
            return kr_dec_text(config->u.pairs[i].value);
    return "";
}

static int namespace_transformer(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                                 kr_resource *config)
{
    (void)k;
    kr_fslist specs;
    int rc = config_fieldspecs(r, config, "NamespaceTransformerPlugin", &specs, NULL);
    if (rc)
        return rc;
    kr_ns_config c = {.ns = kr_dec_text(kr_map_get(kr_map_get(config->node, "metadata"), "namespace")),
                      .specs = &specs,
                      .unset_only = kr_dec_true(kr_map_get(config->node, "unsetOnly"))};
    const char *mode = config_string(config->node, "setRoleBindingSubjects");
    if (!kr_rb_subjects_parse(mode, &c.subjects))
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, config->file, config->node->line,
                          config->node->col,
                          "invalid value \"%s\" for setRoleBindingSubjects: must be one of "
                          "\"defaultOnly\", \"none\" or \"allServiceAccounts\"",
                          mode);
    return c.ns[0] ? kr_namespace_apply(r, &ra->res, &c) : 0;
}

/* PrefixTransformer, SuffixTransformer, and PrefixSuffixTransformer (both, prefix first). */
static int affix_transformer(kr_render *r, kr_accum *ra, kr_resource *config, bool prefix,
                             bool suffix)
{
    kr_fslist specs;
    bool present;
    int rc = config_fieldspecs(r, config, prefix ? "PrefixTransformerPlugin" : "SuffixTransformerPlugin",
                               &specs, &present);
    if (rc)
        return rc;
    if (!present)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, config->file, config->node->line,
                          config->node->col, "fieldSpecs is not expected to be nil");
    if (prefix && (rc = kr_affix_apply(r, &ra->res, config_string(config->node, "prefix"), false,
                                       &specs)))
        return rc;
    if (suffix)
        rc = kr_affix_apply(r, &ra->res, config_string(config->node, "suffix"), true, &specs);
    return rc;
}

static int prefix_transformer(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                              kr_resource *config)
{
    (void)k;
    return affix_transformer(r, ra, config, true, false);
}

static int suffix_transformer(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                              kr_resource *config)
{
    (void)k;
    return affix_transformer(r, ra, config, false, true);
}

static int prefix_suffix_transformer(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                                     kr_resource *config)
{
    (void)k;
    return affix_transformer(r, ra, config, true, true);
}

static int hash_transformer(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                            kr_resource *config)
{
    (void)k;
    (void)config;
    return kr_add_hash_suffixes(r, ra);
}

/* ConfigMapGenerator / SecretGenerator: the config is the generator's arguments, its
 * metadata.name / namespace the defaults for name and namespace. */
static int generator(kr_render *r, const kr_kustomization *k, kr_accum *ra, kr_resource *config,
                     kr_gen_kind kind)
{
    const kr_node *meta = kr_map_get(config->node, "metadata");
    kr_gen_src src = {.k = k, .file = config->file, .path = NULL, .strict = false,
                      .default_name = kr_dec_text(kr_map_get(meta, "name")),
                      .default_ns = kr_dec_text(kr_map_get(meta, "namespace"))};
    kr_resource *g;
    int rc = kr_gen_make(r, &src, kind, config->node, NULL, &g);
    if (rc)
        return rc;
    kr_absorber ab;
    kr_absorber_init(&ab, ra);
    return kr_absorb(r, &ab, g, config->file, config->node);
}

static int configmap_generator(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                               kr_resource *config)
{
    return generator(r, k, ra, config, KR_GEN_CONFIGMAP);
}

static int secret_generator(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                            kr_resource *config)
{
    return generator(r, k, ra, config, KR_GEN_SECRET);
}

/* kustomize's builtin plugins that work offline. */
static const plugin generators[] = {
    {"ConfigMapGenerator", configmap_generator},
    {"SecretGenerator", secret_generator},
    {"IAMPolicyGenerator", iam_policy_generator},
};
static const plugin transformers[] = {
    {"AnnotationsTransformer", kr_plugin_annotations},
    {"HashTransformer", hash_transformer},
    {"ImageTagTransformer", kr_plugin_image_tag},
    {"LabelTransformer", kr_plugin_labels},
    {"NamespaceTransformer", namespace_transformer},
    {"PatchJson6902Transformer", patch_json6902_transformer},
    {"PatchStrategicMergeTransformer", patch_sm_transformer},
    {"PatchTransformer", patch_transformer},
    {"PrefixSuffixTransformer", prefix_suffix_transformer},
    {"PrefixTransformer", prefix_transformer},
    {"SuffixTransformer", suffix_transformer},
    {"ReplicaCountTransformer", kr_plugin_replica_count},
    {"ReplacementTransformer", replacement_transformer},
    {"ValueAddTransformer", kr_plugin_value_add},
};

/* An entry is inline when it parses as one or more resources (kustomize tries that first). */
static int try_inline(kr_render *r, const kr_kustomization *k, const kr_node *entry,
                      kr_accum *out, bool *inlined)
{
    *inlined = false;
    if (!memchr(entry->u.text, '\n', entry->len) && !memchr(entry->u.text, ':', entry->len))
        return 0; /* a plain path */
    kr_err quiet = {0};
    kr_node **docs;
    size_t ndocs;
    kr_resource **res = NULL;
    size_t nres = 0, cap = 0;
    kr_render probe = *r;
    probe.err = &quiet;
    int rc = kr_parse_stream(r->arena, k->path, entry->u.text, entry->len, &docs, &ndocs, &quiet);
    if (!rc && ndocs)
        rc = kr_resources_from_docs(&probe, k->path, docs, ndocs, &res, &nres, &cap);
    kr_err_clear(&quiet);
    if (rc || !ndocs)
        return 0; /* not resources: kustomize then reads the entry as a path */
    *inlined = true;
    for (size_t i = 0; i < nres; i++) {
        /* positions inside an inline config are relative to the string; point at the entry */
        res[i]->node->line = entry->line;
        res[i]->node->col = entry->col;
        if ((rc = kr_resmap_append(r, &out->res, res[i])))
            return rc;
    }
    return 0;
}

static int load_configs(kr_render *r, const kr_kustomization *k, kr_kfield field, kr_accum *out)
{
    kr_strlist entries, paths = {0};
    kr_strlist_of(k->fields[field], &entries);
    if (!entries.n)
        return 0;
    paths.items = kr_arena_alloc(r->arena, entries.n * sizeof *paths.items);
    if (!paths.items)
        return kr_err_nomem(r->err);
    for (size_t i = 0; i < entries.n; i++) {
        bool inlined;
        int rc = try_inline(r, k, entries.items[i], out, &inlined);
        if (rc)
            return rc;
        if (!inlined)
            paths.items[paths.n++] = entries.items[i];
    }
    return kr_accumulate_paths(r, k, &paths, out);
}

static int run_one(kr_render *r, const kr_kustomization *k, kr_accum *ra, kr_resource *config,
                   const plugin *table, size_t n)
{
    const kr_resid *id = &config->id;
    if (id->group[0] || strcmp(id->version, "builtin") != 0)
        return kr_err_set(r->err, KRENDER_E_UNSUPPORTED, config->file, config->node->line,
                          config->node->col,
                          "external plugins disabled; unable to load external plugin '%s' "
                          "(libkrender runs only kustomize's builtin plugins)",
                          id->kind);
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].kind, id->kind) == 0)
            return table[i].run(r, k, ra, config);
    return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, config->file, config->node->line,
                      config->node->col, "unable to load builtin %s",
                      kr_gvk_string(r->arena, id));
}

static int run_plugins(kr_render *r, const kr_kustomization *k, kr_accum *ra, kr_kfield field,
                       const plugin *table, size_t n)
{
    kr_accum configs = {0};
    int rc = load_configs(r, k, field, &configs);
    for (size_t i = 0; !rc && i < configs.res.len; i++) {
        kr_resource *config = configs.res.items[i];
        size_t before = ra->res.len;
        rc = run_one(r, k, ra, config, table, n);
        if (rc || !r->track_origin)
            continue;
        kr_origin o = kr_origin_of_config(r, k, config);
        if (field == KF_GENERATORS) { /* what a generator made comes from its config */
            for (size_t j = before; j < ra->res.len; j++)
                if (!ra->res.items[j]->origin.path && !ra->res.items[j]->origin.configured_in)
                    ra->res.items[j]->origin = o;
        } else {
            rc = kr_origin_note(r, ra, &o, 1);
        }
    }
    return rc;
}

int kr_run_generator_plugins(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    return run_plugins(r, k, ra, KF_GENERATORS, generators, sizeof generators / sizeof *generators);
}

int kr_run_transformer_plugins(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    return run_plugins(r, k, ra, KF_TRANSFORMERS, transformers,
                       sizeof transformers / sizeof *transformers);
}
