/* A per-resource stage of a big render on the render's threads: its resources in chunks, taken
 * in turn by the caller and one helper thread, each working on a shadow of the render. */
#ifndef KR_PAR_H
#define KR_PAR_H
#include <stddef.h>

#include "render.h"

/* Works on resources [from, to) of the stage with render r: allocates in r->arena, reports on
 * r->err, returns 0 or that error's code. */
typedef int (*kr_par_fn)(kr_render *r, size_t from, size_t to, void *arg);

/* Below this many resources a stage runs on the caller alone: a thread costs more than half of
 * such a stage. */
#define KR_PAR_MIN 1024

/* fn over [0, n): in one call (fn(r, 0, n, arg)) for a small stage or a render that may not
 * use a second thread (options.threads < 2, or inside krender_build_many, whose threads are
 * the roots'); else in chunks on the caller and a helper thread. Each runs fn on a copy of *r
 * with its own arena (adopted by r->arena at the end) and, per chunk, its own error: fn may
 * touch nothing else of the render that changes (no interning, warnings, files or caches),
 * and the chunks must not depend on each other. The error reported is the one a serial run
 * meets first: that of the lowest failing chunk. */
int kr_par_chunks(kr_render *r, size_t n, kr_par_fn fn, void *arg);

#endif
