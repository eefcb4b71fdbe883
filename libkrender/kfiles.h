/* The files a kustomization document names, as the readers ahead of the render see them (the
 * read-ahead thread, the hints for files not cached): each entry joined to the kustomization's
 * directory and cleaned, without reading anything. The render decodes the same fields with its
 * own rules (kustomization.c, gen_sources.c, xf_patch.c ...); a wrong guess here only costs a
 * read ahead or a hint, never a different render. */
#ifndef KR_KFILES_H
#define KR_KFILES_H
#include <stdbool.h>

#include "node.h"

typedef enum kr_kfile_kind {
    KR_KF_KUSTOMIZATION, /* a directory among resources, bases, components: path is its
                          * kustomization.yaml, dir_len the length of the directory part */
    KR_KF_RESOURCE,      /* a resource file */
    KR_KF_SOURCE         /* a file the kustomization reads: generator sources (envs, env,
                          * files, whose "key=path" names the file after the '='), patch files,
                          * replacements, transformers, generators, validators, configurations,
                          * crds */
} kr_kfile_kind;

/* Called with each file: `path` is clean, absolute, in a buffer the callee may change. */
typedef void kr_kfile_fn(void *ctx, char *path, kr_kfile_kind kind, size_t dir_len);

/* The files kustomization document k of directory dir (clean, absolute) names, in the order of
 * its fields: resources, bases, components first. Remote entries and paths over 4 KiB are left
 * out. `sources`: also the files of KR_KF_SOURCE; `lists`: also those of resources, bases and
 * components. */
void kr_kfiles_each(const char *dir, const kr_node *k, bool lists, bool sources,
                    kr_kfile_fn *fn, void *ctx);

/* One entry e of a resources or bases list (`resources`: a file when its cleaned path has an
 * extension, else a directory) or of components (a directory), as kr_kfiles_each gives it. */
void kr_kfiles_entry(const char *dir, const kr_node *e, bool resources, kr_kfile_fn *fn,
                     void *ctx);

/* Entry e's text (from byte `skip` on) joined to dir and cleaned into abs[cap]; false for
 * anything else than a scalar longer than skip, a remote entry, or a path that does not fit. */
bool kr_kfiles_path(const char *dir, const kr_node *e, size_t skip, char *abs, size_t cap);

#endif
