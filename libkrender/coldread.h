/* Files the kernel has not cached: telling them apart, and asking for a kustomization's files
 * at once. Reading a file that is not in the page cache costs the project's VM ~100 us of kernel
 * CPU and a wait for the disk; read one after another, a render waits for each (a tree not read
 * for a while: a fresh checkout, or pages the kernel wrote out; on the project's VM DAMON writes
 * out what was not used for 60 s). Once a reader meets a file that is not cached, it tells the
 * kernel about the files of each kustomization it enters before reading them (a one-byte read
 * that does not wait: their reads go out together and are in flight while it works), until
 * KR_WARM_RUN cached files in a row (a cached file costs ~5 us: a hint would only add three
 * calls). */
#ifndef KR_COLDREAD_H
#define KR_COLDREAD_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "node.h"

typedef struct kr_render kr_render;

#define KR_WARM_RUN 32 /* this many cached files in a row: the tree is cached again */

/* What one reader (a render, the read-ahead thread) saw of its files. */
typedef struct kr_coldness {
    bool cold;         /* the last files were not all cached: hint */
    bool unsupported;  /* RWF_NOWAIT refused here (an older kernel, another file system) */
    unsigned cached;   /* cached files in a row since */
    unsigned uncached; /* files not cached, in all */
} kr_coldness;

/* read(2) of a file's first bytes, noting in c whether they were cached (RWF_NOWAIT, then a
 * read that waits). */
ssize_t kr_cold_first_read(kr_coldness *c, int fd, void *buf, size_t n);

/* Called with each directory among a kustomization's resources, bases and components whose
 * kustomization.yaml was not cached when it was hinted. */
typedef void kr_cold_dir_fn(void *ctx, const char *dir);

/* Hints the kernel about the files kustomization document k of directory dir names (kfiles.h:
 * a directory among its resources, bases and components is hinted as its kustomization.yaml).
 * Each is opened as the reads open it (no links, within the jail) and asked for one byte
 * without waiting (RWF_NOWAIT: a file not cached is read ahead, and the call says so), else
 * posix_fadvise WILLNEED. on_cold (may be NULL) hears of the directories that were not
 * cached. */
void kr_cold_hint_kustomization(const kr_render *r, const char *dir, const kr_node *k,
                                kr_cold_dir_fn *on_cold, void *ctx);

#endif
