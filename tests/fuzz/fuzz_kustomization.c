/* libFuzzer harness: the kustomization decoder (kr_kustomization_load: YAML 1.1 parse, Go
 * encoding/json-style strict decoding, validation, deprecation warnings).
 * Input: any bytes, written as kustomization.yaml into this process' scratch directory. */
#include "fuzz.h"

#include "kustomization.h"
#include "loader.h"

/* One scratch directory per process, made on first use and removed at exit (libFuzzer runs
 * inputs one after another in a process, and parallel jobs are separate processes). */
static char *scratch;

static void remove_scratch(void)
{
    fz_rmtree(scratch);
    free(scratch);
}

static const char *scratch_dir(void)
{
    if (!scratch) {
        char *made = fz_mkdtemp();
        char *real = made ? realpath(made, NULL) : NULL; /* the loader wants it symlink-free */
        free(made);
        if (!real)
            return NULL;
        scratch = real;
        atexit(remove_scratch);
    }
    return scratch;
}

/* A minimal render state, as the loader needs it; everything freed before returning. */
static void load(const char *dir)
{
    kr_err err = {0};
    kr_render r = {.err = &err};
    kr_kustomization *k;
    if ((r.arena = kr_arena_new()) && (r.strings = kr_interner_new(r.arena)) &&
        kr_cache_new(&r.cache) == 0)
        kr_kustomization_load(&r, dir, &k);
    kr_cache_free(r.cache);
    kr_buf_free(&r.warnings);
    kr_buf_free(&r.files);
    kr_arena_free(r.arena);
    kr_err_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = scratch_dir();
    if (dir && fz_write(dir, "kustomization.yaml", data, size) == 0)
        load(dir);
    return 0;
}
