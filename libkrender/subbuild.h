/* The resolved result of a base, kept by the context and reused by every later build that
 * includes the same base unchanged: an overlay per environment, the aggregate of all of them,
 * many roots of one repository rendered with one context (`build --out-dir`, `check`). The
 * threads of krender_build_many share their context's store: a base one thread built serves
 * the others (each keeps its own file cache, through which a result is checked).
 *
 * A base's result is what its accumulation hands to the kustomization including it: its
 * resources after its own transformers. While a base builds, everything it asks of the file
 * system is recorded (each path resolved with its answer, each file read with its XXH3 content
 * hash), with the kustomization directories it visits and the warnings it gives. A later build
 * takes the stored result only after asking the same questions again and getting the same
 * answers, so a changed, added or removed file invalidates exactly the bases that looked at
 * it; the warnings are given again and the files are listed as read, as a real build would.
 *
 * Stored only when the result depends on nothing but those files: no buildMetadata origin
 * tracking, no custom OpenAPI schema, the default transformer configuration (no
 * `configurations:` or `crds:` below), no `vars:`. A base is stored the second time it builds,
 * or the first time in a context that has rendered before (a context rendering one root pays
 * nothing), while the stored results stay under 64 MiB per context. */
#ifndef KR_SUBBUILD_H
#define KR_SUBBUILD_H
#include <stdbool.h>

#include "accumulate.h"
#include "loader.h"
#include "render.h"

typedef struct kr_subcache kr_subcache;

int kr_subcache_new(kr_subcache **out);
void kr_subcache_free(kr_subcache *c);
/* Lookups so far that took a stored result, those that built the base instead, and the bytes
 * the stored results take (tests). */
void kr_subcache_counts(kr_subcache *c, size_t *hits, size_t *builds, size_t *bytes);
/* The context's subcache, shared with its krender_build_many helpers (tests; in api.c). */
kr_subcache *kr_ctx_subcache(krender_ctx *ctx);

/* A base being built and recorded (on the caller's stack). */
typedef struct kr_subbuild {
    struct kr_subbuild *outer; /* the recording that encloses this one */
    const char *dir;
    bool recording;
    void *deps; /* private */
    size_t ndeps, cap;
    bool untrackable; /* something happened that the record cannot replay */
} kr_subbuild;

/* Before building base `dir` (cycle check done): with `lookup` and a valid stored result,
 * appends it to out (resources, configuration) as the build would, sets *hit and returns 0.
 * Else starts recording into sb (to be ended by kr_subbuild_end). The root is recorded, not
 * looked up (its result then serves the builds that include it as a base). */
int kr_subbuild_begin(kr_render *r, const char *dir, const kr_visit *chain, bool lookup,
                      kr_subbuild *sb, kr_accum *out, bool *hit);
/* After the build of the base (rc its outcome, ra its accumulator): stops recording and, when
 * it succeeded and qualifies, stores the result. Returns rc, or an allocation error. */
int kr_subbuild_end(kr_render *r, kr_subbuild *sb, const kr_accum *ra, int rc);

/* Hooks of the file layer and the warnings: noted in every recording in progress. */
void kr_subbuild_note_resolve(kr_render *r, const char *path, unsigned hints, int err,
                              const char *real, int kind);
void kr_subbuild_note_file(kr_render *r, const kr_file *f);
void kr_subbuild_note_warning(kr_render *r, const char *text);

#endif
