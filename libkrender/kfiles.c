/* The files a kustomization names: see kfiles.h. */
#include "kfiles.h"

#include <string.h>

#include "fs.h"
#include "path.h"

typedef struct walker {
    const char *dir;
    kr_kfile_fn *fn;
    void *ctx;
} walker;

bool kr_kfiles_path(const char *dir, const kr_node *e, size_t skip, char *abs, size_t cap)
{
    return kr_is_scalar(e) && e->len > skip && !kr_path_is_remote(e->u.text) &&
           kr_path_join_buf(abs, cap, dir, e->u.text + skip) && kr_fs_clean_abs(abs);
}

/* entry (its text from `skip` on) relative to the directory; a KR_KF_KUSTOMIZATION names a
 * directory, whose kustomization.yaml. `list_item`: an entry of resources or bases, a file
 * when its cleaned path has an extension, else a directory. */
static void entry(const walker *w, const kr_node *e, size_t skip, kr_kfile_kind kind,
                  bool list_item)
{
    char abs[4096];
    if (!kr_kfiles_path(w->dir, e, skip, abs, sizeof abs))
        return;
    if (list_item && kr_fs_has_extension(abs))
        kind = KR_KF_RESOURCE;
    size_t n = strlen(abs);
    static const char kfile[] = "/kustomization.yaml";
    if (kind == KR_KF_KUSTOMIZATION) {
        if (n + sizeof kfile > sizeof abs)
            return;
        memcpy(abs + n, kfile, sizeof kfile);
    }
    w->fn(w->ctx, abs, kind, n);
}

/* A resources-like list: files, and directories' kustomization.yaml. */
static void list(const walker *w, const kr_node *l, bool resources)
{
    for (uint32_t i = 0; kr_is_seq(l) && i < l->len; i++)
        entry(w, l->u.items[i], 0, KR_KF_KUSTOMIZATION, resources);
}

void kr_kfiles_entry(const char *dir, const kr_node *e, bool resources, kr_kfile_fn *fn,
                     void *ctx)
{
    const walker w = {dir, fn, ctx};
    entry(&w, e, 0, KR_KF_KUSTOMIZATION, resources);
}

static void sources(const walker *w, const kr_node *k)
{
    static const char *const generators[] = {"configMapGenerator", "secretGenerator"};
    for (size_t g = 0; g < 2; g++) {
        const kr_node *gens = kr_map_get(k, generators[g]);
        for (uint32_t i = 0; kr_is_seq(gens) && i < gens->len; i++) {
            const kr_node *gen = gens->u.items[i];
            const kr_node *envs = kr_map_get(gen, "envs"), *files = kr_map_get(gen, "files");
            for (uint32_t j = 0; kr_is_seq(envs) && j < envs->len; j++)
                entry(w, envs->u.items[j], 0, KR_KF_SOURCE, false);
            entry(w, kr_map_get(gen, "env"), 0, KR_KF_SOURCE, false);
            for (uint32_t j = 0; kr_is_seq(files) && j < files->len; j++) {
                const kr_node *f = files->u.items[j];
                const char *eq = kr_is_scalar(f) ? memchr(f->u.text, '=', f->len) : NULL;
                entry(w, f, eq ? (size_t)(eq + 1 - f->u.text) : 0, KR_KF_SOURCE, false);
            }
        }
    }
    /* lists of files, or of inline YAML (a transformer's may also be a kustomization
     * directory: reading it as a file is refused, harmlessly) */
    static const char *const file_lists[] = {"patchesStrategicMerge", "transformers",
                                             "generators", "validators", "configurations",
                                             "crds"};
    for (size_t f = 0; f < sizeof file_lists / sizeof *file_lists; f++) {
        const kr_node *l = kr_map_get(k, file_lists[f]);
        for (uint32_t i = 0; kr_is_seq(l) && i < l->len; i++) {
            const kr_node *e = l->u.items[i];
            if (kr_is_scalar(e) && !memchr(e->u.text, '\n', e->len)) /* a file */
                entry(w, e, 0, KR_KF_SOURCE, false);
        }
    }
    static const char *const with_path[] = {"patches", "patchesJson6902", "replacements"};
    for (size_t f = 0; f < 3; f++) {
        const kr_node *l = kr_map_get(k, with_path[f]);
        for (uint32_t i = 0; kr_is_seq(l) && i < l->len; i++)
            entry(w, kr_map_get(l->u.items[i], "path"), 0, KR_KF_SOURCE, false);
    }
}

void kr_kfiles_each(const char *dir, const kr_node *k, bool lists, bool with_sources,
                    kr_kfile_fn *fn, void *ctx)
{
    const walker w = {dir, fn, ctx};
    if (lists) {
        list(&w, kr_map_get(k, "resources"), true);
        list(&w, kr_map_get(k, "bases"), true);
        list(&w, kr_map_get(k, "components"), false);
    }
    if (with_sources)
        sources(&w, k);
}
