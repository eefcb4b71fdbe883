#include "build.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

#include "accumulate.h"
#include "fs.h"
#include "loader.h"
#include "order.h"
#include "origin.h"
#include "par.h"
#include "prefetch.h"
#include "thread.h"
#include "transformers.h"

/* Annotations kustomize uses internally and strips before output (pipeline.md §1, §11). */
static const char *const build_annotations[] = {
    "internal.config.kubernetes.io/previousKinds",
    "internal.config.kubernetes.io/previousNames",
    "internal.config.kubernetes.io/prefixes",
    "internal.config.kubernetes.io/suffixes",
    "internal.config.kubernetes.io/previousNamespaces",
    "internal.config.kubernetes.io/allowNameChange",
    "internal.config.kubernetes.io/allowKindChange",
    "internal.config.kubernetes.io/refBy",
    "internal.config.kubernetes.io/generatorBehavior",
    "internal.config.kubernetes.io/needsHashSuffix",
    "config.kubernetes.io/path",
    "config.kubernetes.io/index",
    "internal.config.kubernetes.io/path",
    "internal.config.kubernetes.io/index",
    "internal.config.kubernetes.io/id",
    "internal.config.kubernetes.io/seqindent",
    "internal.config.kubernetes.io/annotations-migration-resource-id",
    "config.k8s.io/id",
    "kustomize.config.k8s.io/id",
    /* removed unless buildMetadata asks for them */
    "config.kubernetes.io/origin",
    "alpha.config.kubernetes.io/transformations",
};

/* What the root kustomization's `buildMetadata` asks for (sub-kustomizations inherit it). */
typedef struct build_meta {
    bool origin, transformations, managed_by;
} build_meta;

static void read_build_metadata(kr_render *r, const kr_kustomization *k, build_meta *bm)
{
    kr_strlist opts;
    kr_strlist_of(k->fields[KF_BUILD_METADATA], &opts);
    *bm = (build_meta){false, false, r->opts.enable_managedby_label != 0};
    for (size_t i = 0; i < opts.n; i++) {
        const char *o = kr_dec_text(opts.items[i]);
        bm->origin |= strcmp(o, "originAnnotations") == 0;
        bm->transformations |= strcmp(o, "transformerAnnotations") == 0;
        bm->managed_by |= strcmp(o, "managedByLabel") == 0;
    }
}

/* Whether annotation key `key` is one kustomize strips (given what buildMetadata keeps). Every
 * such key starts with one of "acik" and is at least 16 bytes: most keys are passed over at
 * once, not compared with all 21 names. */
static bool stripped(const kr_node *key, const build_meta *bm)
{
    const char *k = key->u.text;
    size_t n = key->len;
    if (key->kind != KR_SCALAR || n < 16 ||
        (k[0] != 'a' && k[0] != 'c' && k[0] != 'i' && k[0] != 'k'))
        return false;
    for (size_t i = 0; i < sizeof build_annotations / sizeof *build_annotations; i++) {
        const char *b = build_annotations[i];
        if (b[0] == k[0] && strlen(b) == n && memcmp(b, k, n) == 0)
            return !(bm->origin && strcmp(b, "config.kubernetes.io/origin") == 0) &&
                   !(bm->transformations &&
                     strcmp(b, "alpha.config.kubernetes.io/transformations") == 0);
    }
    return false;
}

/* kustomize rewrites metadata.annotations without these keys; an annotations map left empty
 * (even one that was empty in the input) disappears. */
static void strip_build_annotations(kr_resource *res, const build_meta *bm)
{
    kr_node *meta = kr_map_get(res->node, "metadata");
    kr_node *ann = kr_map_get(meta, "annotations");
    if (!kr_is_map(ann)) {
        if (ann && kr_is_null(ann))
            kr_map_remove(meta, "annotations");
        return;
    }
    uint32_t kept = 0;
    for (uint32_t i = 0; i < ann->len; i++)
        if (!stripped(ann->u.pairs[i].key, bm))
            ann->u.pairs[kept++] = ann->u.pairs[i];
    ann->len = kept;
    if (ann->len == 0)
        kr_map_remove(meta, "annotations");
}

/* Marked config.kubernetes.io/local-config (any value but "false"): not part of the output. */
static bool is_local_config(const kr_resource *res)
{
    const kr_node *ann = kr_map_get(kr_map_get(res->node, "metadata"), "annotations");
    const kr_node *v = kr_map_get(ann, "config.kubernetes.io/local-config");
    return v && !(kr_is_scalar(v) && strcmp(v->u.text, "false") == 0);
}

static int add_managed_by(kr_render *r, kr_resource *res)
{
    kr_node *meta = kr_map_get(res->node, "metadata");
    kr_node *labels = kr_map_get(meta, "labels");
    if (!kr_is_map(labels)) {
        labels = kr_node_map(r->arena, 1);
        if (!labels || !kr_map_set(r->arena, meta, "labels", labels))
            return kr_err_nomem(r->err);
    }
    /* kubectl's embedded kustomize v5.6.0 (the oracle) reports its version as (devel) */
    kr_node *v = kr_node_str(r->arena, "kustomize-(devel)");
    return v && kr_map_set(r->arena, labels, "app.kubernetes.io/managed-by", v)
               ? 0
               : kr_err_nomem(r->err);
}

static int apply_order(kr_render *r, const kr_kustomization *k, kr_resmap *m)
{
    if (k->has_sort_options) {
        if (r->opts.reorder != KRENDER_REORDER_DEFAULT)
            kr_render_warn(r, "Warning: Sorting order is set both in 'kustomization.yaml' "
                              "('sortOptions') and in a CLI flag ('--reorder'). Using the "
                              "kustomization file over the CLI flag.");
        if (k->sort_order == KR_SORT_FIFO)
            return 0;
        return kr_order_legacy(r, m, k->has_legacy_sort, &k->order_first, &k->order_last);
    }
    if (r->opts.reorder == KRENDER_REORDER_NONE)
        return 0;
    return kr_order_legacy(r, m, false, NULL, NULL);
}

static void *drop_bytes(void *arg)
{
    kr_cache_drop_bytes(arg);
    return NULL;
}

/* The stages after the accumulation: hash suffixes, name references, vars. */
static int finish(kr_render *r, kr_accum *ra)
{
    int rc = kr_add_hash_suffixes(r, ra);
    if (!rc)
        rc = kr_fix_name_references(r, ra);
    if (!rc)
        rc = kr_resolve_vars(r, ra);
    return rc;
}

typedef struct meta_job {
    kr_resmap *m;
    const build_meta *bm;
    bool *local; /* per resource: marked local-config (dropped) */
} meta_job;

static int meta_range(kr_render *r, size_t from, size_t to, void *arg)
{
    meta_job *j = arg;
    for (size_t i = from; i < to; i++) {
        kr_resource *res = j->m->items[i];
        if ((j->local[i] = is_local_config(res)))
            continue;
        int rc;
        if (j->bm->managed_by && (rc = add_managed_by(r, res)))
            return rc;
        if ((j->bm->origin || j->bm->transformations) &&
            (rc = kr_origin_annotate(r, res, j->bm->origin, j->bm->transformations)))
            return rc;
        strip_build_annotations(res, j->bm);
    }
    return 0;
}

/* Drops the local-config resources and gives the rest their final metadata: a big render's
 * resources in chunks on two threads (each resource on its own; origins, which read the
 * render's notes, on the caller alone). */
static int meta_pass(kr_render *r, kr_resmap *m, const build_meta *bm)
{
    if (!m->len)
        return 0;
    meta_job j = {m, bm, calloc(m->len, sizeof *j.local)};
    if (!j.local)
        return kr_err_nomem(r->err);
    int rc = bm->origin || bm->transformations ? meta_range(r, 0, m->len, &j)
                                               : kr_par_chunks(r, m->len, meta_range, &j);
    if (!rc) {
        size_t kept = 0;
        for (size_t i = 0; i < m->len; i++)
            if (!j.local[i])
                m->items[kept++] = m->items[i];
        if (kept != m->len) {
            m->len = kept;
            kr_resmap_ids_changed(m);
        }
    }
    free(j.local);
    return rc;
}

int kr_build_resmap(kr_render *r, kr_resmap *m)
{
    kr_kustomization *k;
    kr_accum ra = {0};
    int rc = kr_accumulate(r, r->root_real, NULL, &ra, &k);
    kr_prefetch_stop(r); /* everything is read: the thread's core goes to the rest */
    kr_fs_drop_index(r);
    kr_arena_free(r->scratch); /* nor the scratch arena of the root's bases */
    r->scratch = NULL;
    /* Nor are the bytes read. Freeing them and trimming the heap takes a few milliseconds of a
     * big render (one that read ahead: a small one keeps its bytes, and a thread would cost
     * more than it saves), done meanwhile on another thread: the stages of finish() touch no
     * file (and malloc is thread-safe). */
    pthread_t dropper;
    bool dropping = r->prefetch && kr_thread_create(&dropper, drop_bytes, r) == 0;
    if (!dropping)
        kr_cache_drop_bytes(r);
    if (!rc)
        rc = finish(r, &ra);
    if (dropping)
        pthread_join(dropper, NULL);
    if (rc)
        return rc;
    *m = ra.res;
    /* one pass over the resources' metadata for the local-config filter and the annotations
     * (the order depends on ids alone: done on the survivors, as before) */
    build_meta bm;
    read_build_metadata(r, k, &bm);
    if ((rc = meta_pass(r, m, &bm)))
        return rc;
    return apply_order(r, k, m);
}
