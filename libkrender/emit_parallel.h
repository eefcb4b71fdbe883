/* The render's output: every resource emitted, on up to `threads` threads. Each thread emits a
 * contiguous run of resources into its own buffers; the runs are joined in order, so the bytes
 * are those of a serial emission whatever the thread count. */
#ifndef KR_EMIT_PARALLEL_H
#define KR_EMIT_PARALLEL_H
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "resmap.h"

/* Where resource i lies in the output, and its id as written. */
typedef struct kr_out_span {
    size_t start, len;   /* in yaml */
    size_t jstart, jlen; /* in json (NUL-terminated documents), when asked */
    /* apiVersion, kind, metadata.name and metadata.namespace ("" when absent): static common
     * words or copies in the `strings` arena */
    const char *api_version, *kind, *name, *ns;
} kr_out_span;

/* Appends every resource of m to yaml ("---\n" between documents) and, with json non-NULL,
 * its JSON form NUL-terminated to json; spans[i] receives resource i's place and id (read
 * while the thread emitting it has its tree at hand; the copies go to `strings`). Stops with
 * KRENDER_E_LIMIT once yaml + json exceed limit. On failure err holds the first failing
 * resource's error (in resource order) and *failed its index (m->len for the limit or memory);
 * yaml and json are then left partial for the caller to discard. */
int kr_emit_resources(const kr_resmap *m, unsigned threads, size_t limit, kr_buf *yaml,
                      kr_buf *json, kr_out_span *spans, kr_arena *strings, size_t *failed,
                      kr_err *err);

#endif
