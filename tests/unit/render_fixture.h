/* A bare render for unit tests of library internals: arena, string interner, error object and
 * the cluster-scoped kinds, without a context or a kustomization. */
#ifndef KRENDER_TEST_RENDER_FIXTURE_H
#define KRENDER_TEST_RENDER_FIXTURE_H

#include "arena.h"
#include "error.h"
#include "regex_cache.h"
#include "render.h"
#include "scope.h"

/* Sets up *r (zeroed by the caller) with err and a new *scope; 0, or -1 on failure. */
static inline int tu_render_init(kr_render *r, kr_err *err, kr_scope **scope)
{
    r->arena = kr_arena_new();
    r->strings = r->arena ? kr_interner_new(r->arena) : NULL;
    r->err = err;
    if (!r->strings || kr_scope_new(scope, err))
        return -1;
    r->scope = *scope;
    return 0;
}

static inline void tu_render_fini(kr_render *r, kr_err *err, kr_scope *scope)
{
    kr_regex_end(r);
    kr_scope_free(scope);
    kr_arena_free(r->arena);
    kr_err_clear(err);
}

#endif
