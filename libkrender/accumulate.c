#include "accumulate.h"

#include "origin.h"
#include "transformers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compact.h"
#include "fs.h"
#include "loader.h"
#include "parse.h"
#include "path.h"
#include "prefetch.h"
#include "subbuild.h"

/* Fields no module handles yet: an error beats a silently wrong render. */
static const kr_kfield not_yet[] = {KF_VALIDATORS};

/* Helm inflation runs the helm binary: out of scope for a library that never executes
 * anything, with a way forward in the message. */
static const kr_kfield helm_fields[] = {KF_HELM_GLOBALS, KF_HELM_CHARTS,
                                        KF_HELM_CHART_INFLATION_GENERATOR};

int kr_not_implemented(kr_render *r, const kr_kustomization *k, kr_kfield f)
{
    const kr_node *key = k->keys[f], *v = k->fields[f];
    if (!v || v->len == 0) /* absent, null, "", [] or {} */
        return 0;
    return kr_err_set(r->err, KRENDER_E_UNSUPPORTED, k->path, key->line, key->col,
                      "'%s' is not supported by this version of libkrender",
                      kr_kfield_name(f));
}

static int check_supported(kr_render *r, const kr_kustomization *k)
{
    for (size_t i = 0; i < sizeof not_yet / sizeof *not_yet; i++)
        if (kr_not_implemented(r, k, not_yet[i]))
            return r->err->code;
    for (size_t i = 0; i < sizeof helm_fields / sizeof *helm_fields; i++) {
        const kr_node *key = k->keys[helm_fields[i]], *v = k->fields[helm_fields[i]];
        if (v && v->len)
            return kr_err_set(r->err, KRENDER_E_UNSUPPORTED, k->path, key->line, key->col,
                              "'%s' needs helm, which libkrender never runs: render the chart "
                              "with `helm template` and list the output under `resources`",
                              kr_kfield_name(helm_fields[i]));
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
                              const kr_node *entry, kr_accum *out)
{
    if (r->opts.load_restrictor == KRENDER_LOAD_ROOT_ONLY && !kr_path_within(real, k->dir))
        return kr_err_set(r->err, KRENDER_E_SECURITY, k->path, entry->line, entry->col,
                          "security; file '%s' is not in or below '%s'", real, k->dir);
    kr_file *f;
    kr_node **docs;
    size_t ndocs;
    kr_node **mine;
    int rc = kr_check_jail(r, real, k->path, entry->line, entry->col);
    if (!rc)
        rc = kr_load_file(r, real, &f);
    if (rc)
        return rc;
    const kr_pf_file *pf;
    if (!f->docs_ready && f->uses++ == 0) {
        /* first use: parse straight into this render (or take the parse made ahead for it);
         * only a file used again (a base shared by several overlays, or a later render) is
         * worth keeping parsed in the cache */
        if ((pf = kr_prefetch_parse_of(r, f->path, f->hash, f->len, true))) {
            mine = pf->docs;
            ndocs = pf->ndocs;
        } else if ((rc = kr_parse_stream(r->arena, f->path, f->data, f->len, &mine, &ndocs,
                                         r->err))) {
            return rc;
        }
    } else {
        if ((rc = kr_file_docs(r, f, &docs, &ndocs)))
            return rc;
        /* the cache keeps the parsed tree; this render works on its own copy */
        mine = ndocs ? kr_arena_alloc(r->arena, ndocs * sizeof *mine) : NULL;
        if (ndocs && !mine)
            return kr_err_nomem(r->err);
        for (size_t i = 0; i < ndocs; i++)
            if (!(mine[i] = kr_node_copy(r->arena, docs[i])))
                return kr_err_nomem(r->err);
    }
    kr_resource **res = NULL;
    size_t nres = 0, cap = 0;
    if ((rc = kr_resources_from_docs(r, f->path, mine, ndocs, &res, &nres, &cap)))
        return rc;
    const char *origin = kr_path_relto(r->arena, r->root_real, f->path);
    for (size_t i = 0; i < nres; i++) {
        res[i]->origin.path = origin;
        if ((rc = kr_resmap_append(r, &out->res, res[i])))
            return rc;
    }
    return 0;
}

static int accumulate_target(kr_render *r, kr_kustomization *k, const kr_visit *self,
                             kr_accum *ra);

/* Loads the kustomization in directory `real` (jail and cycles checked), checks its kind and
 * accumulates it into acc. */
static int build_dir(kr_render *r, const kr_kustomization *k, const char *real,
                     const kr_node *entry, bool component, kr_accum *acc)
{
    kr_kustomization *sub;
    int rc = kr_kustomization_load(r, real, &sub);
    if (rc) {
        /* a directory without a kustomization: the entry naming it is what is wrong */
        if (rc == KRENDER_E_NOT_FOUND && !r->err->line && r->err->file &&
            strcmp(r->err->file, real) == 0) {
            char *at = strdup(k->path);
            if (at) {
                free(r->err->file);
                r->err->file = at;
                r->err->line = entry->line;
                r->err->column = entry->col;
            }
            return rc;
        }
        kr_err_chain_push(r->err, kr_render_display(r, real));
        return rc;
    }
    if (component != sub->is_component)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, k->path, entry->line, entry->col,
                          component ? "expected kind 'Component' for path '%s' but got '%s'"
                                    : "expected kind != 'Component' for path '%s'%s",
                          kr_render_display(r, real), component ? "Kustomization" : "");
    kr_visit self = {real, k->visit};
    return accumulate_target(r, sub, &self, acc);
}

/* A base of the root builds in the render's scratch arena (compact.h) when nothing that
 * outlives it could keep pointers into that memory: not within another scratch build, no
 * buildMetadata (origins), no enclosing recording of a stored result (its notes point at the
 * paths the base resolves). Returns the scratch arena, now r->arena, or NULL. */
static kr_arena *enter_scratch(kr_render *r, const kr_subbuild *sb)
{
    /* a small render (one that has not read as many files as makes a thread read ahead)
     * keeps what its bases leave behind: moving their resources out cost ~3% of an overlay's
     * instructions, to save a few kilobytes */
    if (!r->life || r->arena != r->life || r->track_origin ||
        r->nfiles < KR_PREFETCH_AFTER_FILES)
        return NULL;
    for (const kr_subbuild *o = sb->outer; o; o = o->outer)
        if (o->recording && !o->untrackable)
            return NULL;
    if (!r->scratch && !(r->scratch = kr_arena_new()))
        return NULL;
    r->arena = r->scratch;
    return r->scratch;
}

/* A base that used more scratch memory than this is kept whole: copying its live part out
 * while the scratch arena still holds it would raise the peak (a root that is one big base). */
#define KR_SCRATCH_MOVE_MAX (4u * 1024u * 1024u)

/* Back to the render's arena after the base built in `scratch`: its resources are moved out
 * (the scratch arena is reset once they are appended), or, after an error, for a big base or
 * for a result carrying more than resources (a custom transformer configuration, vars), the
 * render keeps the whole scratch arena. */
static int leave_scratch(kr_render *r, kr_arena *scratch, kr_accum *ra, int rc)
{
    r->arena = r->life;
    if (!rc && !ra->config.custom && (!ra->config.loaded || ra->config.shared) && !ra->nvars &&
        kr_arena_used(scratch) <= KR_SCRATCH_MOVE_MAX)
        return kr_accum_move_resources(r, ra, scratch, r->life);
    kr_arena_adopt(r->life, scratch);
    r->scratch = NULL;
    return rc;
}

/* A directory holding a kustomization: a base (its own accumulator, merged in afterwards; its
 * result stored in the context and reused while its files are unchanged, subbuild.h) or a
 * component (kustomize builds it on the parent's accumulator). The kind is checked before
 * anything inside is built, as kustomize does. */
static int load_dir(kr_render *r, const kr_kustomization *k, const char *real,
                    const kr_node *entry, bool component, kr_accum *out)
{
    int rc = kr_check_jail(r, real, k->path, entry->line, entry->col);
    if (!rc)
        rc = check_cycle(r, real, k->visit, k->path, entry);
    if (rc)
        return rc;
    if (component)
        return build_dir(r, k, real, entry, true, out);
    kr_subbuild sb;
    bool hit;
    if ((rc = kr_subbuild_begin(r, real, k->visit, true, &sb, out, &hit)) || hit)
        return rc;
    kr_accum ra = {0};
    kr_arena *scratch = enter_scratch(r, &sb);
    rc = build_dir(r, k, real, entry, false, &ra);
    rc = kr_subbuild_end(r, &sb, &ra, rc); /* stored before the parent changes it */
    if (scratch)
        rc = leave_scratch(r, scratch, &ra, rc);
    if (rc)
        return rc;
    if ((rc = kr_resmap_append_all(r, &out->res, &ra.res)) ||
        (rc = kr_tconfig_merge(r->arena, &out->config, &ra.config, r->err)) ||
        (rc = kr_merge_vars(r, out, &ra)))
        return rc;
    if (scratch && r->scratch == scratch)
        kr_arena_reset(scratch); /* nothing points into it any more: warm for the next base */
    return 0;
}

/* A `resources` entry is a file, or else a directory holding a kustomization (§13). */
static int accumulate_entry(kr_render *r, const kr_kustomization *k, const kr_node *entry,
                            kr_accum *out)
{
    const char *p = entry->u.text;
    if (kr_path_is_remote(p))
        return kr_err_set(r->err, KRENDER_E_UNSUPPORTED, k->path, entry->line, entry->col,
                          "remote resource '%s' is not supported: vendor it into the "
                          "repository and refer to it by a relative path",
                          p);
    char *abs = kr_path_join(r->arena, k->dir, p);
    if (!abs)
        return kr_err_nomem(r->err);
    char *real;
    int kind, err = kr_fs_resolve(r, abs, KR_FS_HINT_DIR, &real, &kind);
    if (err)
        return kr_err_set(r->err, err == ENOENT ? KRENDER_E_NOT_FOUND : KRENDER_E_IO, k->path,
                          entry->line, entry->col,
                          "accumulating resources from '%s': '%s' is neither a file nor a "
                          "directory: %s",
                          p, kr_render_display(r, abs), strerror(err));
    if (kind == KR_FS_DIR) {
        if (p[0] == '/')
            return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, k->path, entry->line,
                              entry->col, "new root '%s' cannot be absolute", p);
        return load_dir(r, k, real, entry, false, out);
    }
    return load_resource_file(r, k, real, entry, out);
}

int kr_accumulate_paths(kr_render *r, const kr_kustomization *k, const kr_strlist *paths,
                        kr_accum *out)
{
    for (size_t i = 0; i < paths->n; i++) {
        const kr_node *e = paths->items[i];
        if (kr_is_null(e) || !e->len)
            continue;
        int rc = accumulate_entry(r, k, e, out);
        if (rc)
            return rc;
    }
    return 0;
}

/* `components:` entries: directories holding a kind Component, built on this accumulator
 * after its resources and generators (pipeline.md §3). */
static int accumulate_components(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    for (size_t i = 0; i < k->components.n; i++) {
        const kr_node *e = k->components.items[i];
        if (kr_is_null(e) || !e->len)
            continue;
        char *abs = kr_path_join(r->arena, k->dir, e->u.text);
        char *real;
        int kind;
        if (!abs)
            return kr_err_nomem(r->err);
        if (kr_fs_resolve(r, abs, KR_FS_HINT_DIR, &real, &kind) != 0 || kind != KR_FS_DIR)
            return kr_err_set(r->err, KRENDER_E_NOT_FOUND, k->path, e->line, e->col,
                              "component '%s' must be a directory holding a kustomization "
                              "of kind Component",
                              e->u.text);
        int rc = load_dir(r, k, real, e, true, ra);
        if (rc)
            return rc;
    }
    return 0;
}

/* Reads a file of this kustomization (load restrictor and jail applied); `ahead`: one the
 * thread reading ahead reads too (prefetch.h), whose bytes it may take. */
static int load_kfile(kr_render *r, const kr_kustomization *k, const kr_node *entry, bool ahead,
                      kr_file **f)
{
    char *abs = kr_path_join(r->arena, k->dir, entry->u.text);
    if (!abs)
        return kr_err_nomem(r->err);
    char *real;
    int kind, err = kr_fs_resolve(r, abs, ahead ? 0 : KR_FS_HINT_NOT_AHEAD, &real, &kind);
    if (err)
        return kr_err_set(r->err, err == ENOENT ? KRENDER_E_NOT_FOUND : KRENDER_E_IO, k->path,
                          entry->line, entry->col, "cannot read '%s': %s", entry->u.text,
                          strerror(err));
    if (r->opts.load_restrictor == KRENDER_LOAD_ROOT_ONLY && !kr_path_within(real, k->dir))
        return kr_err_set(r->err, KRENDER_E_SECURITY, k->path, entry->line, entry->col,
                          "security; file '%s' is not in or below '%s'", real, k->dir);
    int rc = kr_check_jail(r, real, k->path, entry->line, entry->col);
    if (!rc)
        rc = ahead ? kr_load_file(r, real, f) : kr_load_file_not_ahead(r, real, f);
    if (rc == KRENDER_E_IO || rc == KRENDER_E_NOT_FOUND) {
        /* the loader names the file; the entry's position is more useful */
        r->err->line = entry->line;
        r->err->column = entry->col;
        free(r->err->file);
        r->err->file = strdup(k->path);
    }
    return rc;
}

int kr_load_kfile(kr_render *r, const kr_kustomization *k, const kr_node *entry, kr_file **f)
{
    return load_kfile(r, k, entry, false, f);
}

int kr_load_kfile_ahead(kr_render *r, const kr_kustomization *k, const kr_node *entry,
                        kr_file **f)
{
    return load_kfile(r, k, entry, true, f);
}

/* The kustomization's own transformer configuration: kustomize's defaults merged with its
 * `configurations:` files, then merged into the accumulator's. */
static int merge_configurations(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    kr_strlist files;
    kr_strlist_of(k->fields[KF_CONFIGURATIONS], &files);
    if (!files.n)
        return kr_tconfig_merge(r->arena, &ra->config, r->defaults, r->err);
    kr_tconfig mine;
    int rc = kr_tconfig_copy(r->arena, &mine, r->defaults, r->err);
    for (size_t i = 0; !rc && i < files.n; i++) {
        kr_file *f;
        kr_node *doc;
        kr_tconfig extra;
        rc = kr_load_kfile(r, k, files.items[i], &f);
        if (!rc)
            rc = kr_parse_document(r->arena, f->path, f->data, f->len, KR_YAML_11, &doc, r->err);
        if (!rc)
            rc = kr_tconfig_parse(r->arena, doc, f->path, &extra, r->err);
        if (!rc)
            rc = kr_tconfig_merge(r->arena, &mine, &extra, r->err);
    }
    if (!rc)
        rc = kr_tconfig_merge(r->arena, &ra->config, &mine, r->err);
    if (rc && !r->err->file) {
        r->err->file = strdup(k->path);
    }
    return rc;
}

typedef int (*step_fn)(kr_render *r, const kr_kustomization *k, kr_accum *ra);

/* pipeline.md §4: the builtin transformers in kustomize's fixed order, then `transformers:`.
 * Resources a step leaves empty (a `$patch: delete`) are dropped after it. */
static const step_fn transformer_steps[] = {
    kr_xf_patches_strategic_merge,
    kr_xf_patches,
    kr_xf_namespace,
    kr_xf_prefix_suffix,
    kr_xf_labels,
    kr_xf_annotations,
    kr_xf_patches_json6902,
    kr_xf_replicas,
    kr_xf_images,
    kr_xf_replacements,
    kr_run_transformer_plugins,
};

static bool not_empty(const kr_resource *res, void *arg)
{
    (void)arg;
    return !(kr_is_map(res->node) && res->node->len == 0);
}

/* How many instances of a builtin transformer kustomize configures from k's fields (each one
 * is a transformation recorded on every resource). */
static size_t field_len(const kr_kustomization *k, kr_kfield f)
{
    const kr_node *v = k->fields[f];
    return v && v->kind != KR_SCALAR ? v->len : 0;
}

static int note_builtin(kr_render *r, const kr_kustomization *k, kr_accum *ra, size_t step)
{
    static const char *const kinds[] = {
        "PatchStrategicMergeTransformer", "PatchTransformer", "NamespaceTransformer",
        "PrefixTransformer", "LabelTransformer", "AnnotationsTransformer",
        "PatchJson6902Transformer", "ReplicaCountTransformer", "ImageTagTransformer",
        "ReplacementTransformer"};
    if (!r->track_origin || step >= sizeof kinds / sizeof *kinds)
        return 0; /* plugins record their own */
    size_t n = 0;
    switch (step) {
    case 0: n = field_len(k, KF_PATCHES_STRATEGIC_MERGE) ? 1 : 0; break;
    case 1: n = field_len(k, KF_PATCHES); break;
    case 2: n = k->fields[KF_NAMESPACE] && k->fields[KF_NAMESPACE]->len; break;
    case 3: {
        kr_origin sfx = kr_origin_builtin(r, k, "SuffixTransformer");
        int rc = kr_origin_note(r, ra, &sfx, k->fields[KF_NAME_SUFFIX] && k->fields[KF_NAME_SUFFIX]->len);
        n = k->fields[KF_NAME_PREFIX] && k->fields[KF_NAME_PREFIX]->len;
        if (rc)
            return rc;
        break;
    }
    case 4: n = field_len(k, KF_LABELS) + (field_len(k, KF_COMMON_LABELS) ? 1 : 0); break;
    case 5: n = field_len(k, KF_COMMON_ANNOTATIONS) ? 1 : 0; break;
    case 6: n = field_len(k, KF_PATCHES_JSON6902); break;
    case 7: n = field_len(k, KF_REPLICAS); break;
    case 8: n = field_len(k, KF_IMAGES) + field_len(k, KF_IMAGE_TAGS); break;
    case 9: n = field_len(k, KF_REPLACEMENTS) ? 1 : 0; break;
    }
    kr_origin o = kr_origin_builtin(r, k, kinds[step]);
    return kr_origin_note(r, ra, &o, n);
}

static int run_transformers(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    for (size_t i = 0; i < sizeof transformer_steps / sizeof *transformer_steps; i++) {
        int rc = transformer_steps[i](r, k, ra);
        if (!rc)
            rc = note_builtin(r, k, ra, i);
        if (rc)
            return rc;
        kr_resmap_filter(&ra->res, not_empty, NULL);
    }
    return 0;
}

/* pipeline.md §3 for one loaded kustomization, on ra (a fresh accumulator for a kustomization,
 * the parent's for a component). */
static int accumulate_target(kr_render *r, kr_kustomization *k, const kr_visit *self,
                             kr_accum *ra)
{
    k->visit = self;
    if (!self->parent) /* the root's buildMetadata decides for the whole build */
        r->track_origin = field_len(k, KF_BUILD_METADATA) > 0;
    int rc = check_supported(r, k);
    if (!rc)
        rc = kr_apply_openapi(r, k);
    if (!rc)
        rc = kr_accumulate_paths(r, k, &k->resources, ra);
    if (!rc)
        rc = merge_configurations(r, k, ra);
    if (!rc)
        rc = kr_load_crds(r, k, ra);
    if (!rc)
        rc = kr_run_generators(r, k, ra);
    if (!rc)
        rc = kr_run_generator_plugins(r, k, ra);
    if (!rc)
        rc = accumulate_components(r, k, ra);
    if (!rc)
        rc = run_transformers(r, k, ra);
    if (!rc)
        rc = kr_bind_vars(r, k, ra);
    k->visit = NULL; /* it pointed at the caller's frame */
    if (rc)
        kr_err_chain_push(r->err, kr_render_display(r, k->dir));
    return rc;
}

int kr_accumulate(kr_render *r, const char *dir, const kr_visit *parent, kr_accum *out,
                  kr_kustomization **kout)
{
    kr_visit self = {dir, parent};
    kr_kustomization *k = NULL;
    kr_subbuild sb; /* the root's result may serve later builds that include it */
    bool hit;
    int rc = kr_subbuild_begin(r, dir, parent, false, &sb, out, &hit);
    if (rc)
        return rc;
    rc = kr_kustomization_load(r, dir, &k);
    if (rc)
        kr_err_chain_push(r->err, kr_render_display(r, dir));
    else
        rc = accumulate_target(r, k, &self, out);
    if ((rc = kr_subbuild_end(r, &sb, out, rc)))
        return rc;
    *kout = k;
    return 0;
}
