/* Stored base results (subbuild.h): a context that renders again reuses a base's result only
 * while every file it looked at answers the same. Each render of a reused context must equal a
 * render by a fresh context: output, warnings, files read, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "krender.h"
#include "subbuild.h"
#include "testutil.h"

typedef struct outcome {
    int rc;
    char *yaml, *warnings, *files, *message;
} outcome;

static char *join(const krender_result *r, size_t (*count)(const krender_result *),
                  const char *(*item)(const krender_result *, size_t))
{
    size_t len = 1;
    for (size_t i = 0; i < count(r); i++)
        len += strlen(item(r, i)) + 1;
    char *s = calloc(1, len), *p = s;
    for (size_t i = 0; i < count(r); i++)
        p += sprintf(p, "%s\n", item(r, i));
    return s;
}

static outcome render(krender_ctx *ctx, const char *dir, const char *sub)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    krender_result *r;
    outcome o = {krender_build(&r, ctx, path, NULL), NULL, NULL, NULL, NULL};
    o.yaml = strdup(krender_result_yaml(r, NULL));
    o.warnings = join(r, krender_result_warning_count, krender_result_warning);
    o.files = join(r, krender_result_file_count, krender_result_file);
    o.message = strdup(krender_result_error(r) ? krender_result_error(r)->message : "");
    krender_result_free(r);
    return o;
}

static void outcome_free(outcome *o)
{
    free(o->yaml);
    free(o->warnings);
    free(o->files);
    free(o->message);
}

/* Renders sub with the long-lived context and with a fresh one: they must agree. */
static void same_as_fresh(krender_ctx *reused, const char *dir, const char *sub, int want_rc)
{
    krender_ctx *fresh;
    assert_int_equal(krender_ctx_new(&fresh), KRENDER_OK);
    outcome a = render(reused, dir, sub), b = render(fresh, dir, sub);
    krender_ctx_free(fresh);
    if (a.rc != want_rc)
        fail_msg("%s: code %d (%s), want %d", sub, a.rc, a.message, want_rc);
    assert_int_equal(a.rc, b.rc);
    assert_string_equal(a.message, b.message);
    assert_string_equal(a.yaml, b.yaml);
    assert_string_equal(a.warnings, b.warnings);
    assert_string_equal(a.files, b.files);
    outcome_free(&a);
    outcome_free(&b);
}

static const char cm[] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  k: %s\n";

static void write_tree(const char *d)
{
    char text[256];
    snprintf(text, sizeof text, cm, "one");
    tu_write(d, "base/cm.yaml", text);
    /* commonLabels: a deprecation warning, to be given again when the base is reused */
    tu_write(d, "base/kustomization.yaml", "resources: [cm.yaml]\ncommonLabels: {app: x}\n");
    tu_write(d, "o1/kustomization.yaml", "resources: [../base]\nnamePrefix: a-\n");
    tu_write(d, "o2/kustomization.yaml", "resources: [../base]\nnamePrefix: b-\n"
                                         "configMapGenerator: [{name: g, literals: [x=1]}]\n");
    tu_write(d, "agg/kustomization.yaml", "resources: [../o1, ../o2]\ncommonAnnotations: {t: v}\n");
}

static void reuse_matches_fresh_renders(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    if (!d) {
        fail_msg("no temporary directory");
        return;
    }
    write_tree(d);
    krender_ctx *ctx;
    assert_int_equal(krender_ctx_new(&ctx), KRENDER_OK);
    const char *roots[] = {"o1", "o2", "agg", "agg", "o1", "agg"};
    for (size_t i = 0; i < sizeof roots / sizeof *roots; i++)
        same_as_fresh(ctx, d, roots[i], KRENDER_OK);

    /* a changed file: every base that read it is built again */
    char text[256], path[4096];
    snprintf(text, sizeof text, cm, "two");
    tu_write(d, "base/cm.yaml", text);
    same_as_fresh(ctx, d, "agg", KRENDER_OK);
    same_as_fresh(ctx, d, "agg", KRENDER_OK);
    /* a file that appears where the base looked for one */
    tu_write(d, "base/kustomization.yml", "resources: []\n");
    same_as_fresh(ctx, d, "agg", KRENDER_E_KUSTOMIZATION);
    snprintf(path, sizeof path, "%s/base/kustomization.yml", d);
    unlink(path);
    same_as_fresh(ctx, d, "agg", KRENDER_OK);
    /* a file that disappears */
    snprintf(path, sizeof path, "%s/base/cm.yaml", d);
    unlink(path);
    same_as_fresh(ctx, d, "agg", KRENDER_E_NOT_FOUND);
    snprintf(text, sizeof text, cm, "three");
    tu_write(d, "base/cm.yaml", text);
    same_as_fresh(ctx, d, "o2", KRENDER_OK);
    same_as_fresh(ctx, d, "agg", KRENDER_OK);
    /* a base that now includes the kustomization including it: the cycle is reported */
    tu_write(d, "o1/kustomization.yaml", "resources: [../base, ../agg]\nnamePrefix: a-\n");
    same_as_fresh(ctx, d, "agg", KRENDER_E_CYCLE);

    krender_ctx_free(ctx);
    tu_rmtree(d);
    free(d);
}

/* An overlay first rendered as a root, then included by an aggregate under another load
 * restrictor: the stored result is not taken for other options. */
static void options_are_part_of_the_key(void **state)
{
    (void)state;
    char *d = tu_tmpdir();
    if (!d) {
        fail_msg("no temporary directory");
        return;
    }
    write_tree(d);
    tu_write(d, "outside.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: out\n");
    tu_write(d, "o1/kustomization.yaml", "resources: [../base, ../outside.yaml]\n");
    krender_ctx *ctx;
    assert_int_equal(krender_ctx_new(&ctx), KRENDER_OK);
    krender_options none = KRENDER_OPTIONS_INIT;
    none.load_restrictor = KRENDER_LOAD_NONE;
    char path[4096];
    snprintf(path, sizeof path, "%s/o1", d);
    for (int i = 0; i < 3; i++) {
        krender_result *r;
        assert_int_equal(krender_build(&r, ctx, path, &none), KRENDER_OK);
        krender_result_free(r);
    }
    same_as_fresh(ctx, d, "agg", KRENDER_E_SECURITY); /* root-only: outside.yaml refused */
    krender_ctx_free(ctx);
    tu_rmtree(d);
    free(d);
}

/* What a krender_build_many call rendered, root by root. */
typedef struct batch_out {
    pthread_mutex_t lock;
    int failures;
    char *yaml[128], *files[128];
} batch_out;

static void count_failures(void *userdata, size_t index, krender_result *result)
{
    batch_out *b = userdata;
    pthread_mutex_lock(&b->lock);
    if (krender_result_error(result)) {
        print_message("root %zu: %s\n", index, krender_result_error(result)->message);
        b->failures++;
    }
    if (index < 128) {
        free(b->yaml[index]);
        free(b->files[index]);
        b->yaml[index] = strdup(krender_result_yaml(result, NULL));
        b->files[index] = join(result, krender_result_file_count, krender_result_file);
    }
    pthread_mutex_unlock(&b->lock);
    krender_result_free(result);
}

static void batch_out_free(batch_out *b)
{
    for (int i = 0; i < 128; i++) {
        free(b->yaml[i]);
        free(b->files[i]);
    }
}

/* krender_build_many's threads store and take base results in one place: a base rendered by
 * one thread serves the overlays that the other threads render. (With a store per thread, a
 * thread would build again about half of the bases: those the other one rendered.) */
static void threads_share_base_results(void **state)
{
    (void)state;
    enum { BASES = 20, OVERLAYS = 4 };
    char *d = tu_tmpdir();
    if (!d) {
        fail_msg("no temporary directory");
        return;
    }
    char rel[64], text[256];
    char *bases[BASES], *overlays[BASES * OVERLAYS];
    for (int b = 0; b < BASES; b++) {
        snprintf(rel, sizeof rel, "base%02d/cm.yaml", b);
        snprintf(text, sizeof text, cm, "one");
        tu_write(d, rel, text);
        snprintf(rel, sizeof rel, "base%02d/kustomization.yaml", b);
        tu_write(d, rel, "resources: [cm.yaml]\nnamePrefix: b-\n");
        bases[b] = malloc(4096);
        snprintf(bases[b], 4096, "%s/base%02d", d, b);
        for (int o = 0; o < OVERLAYS; o++) {
            snprintf(rel, sizeof rel, "o%02d_%d/kustomization.yaml", b, o);
            snprintf(text, sizeof text, "resources: [../base%02d]\nnameSuffix: -s%d\n", b, o);
            tu_write(d, rel, text);
            overlays[b * OVERLAYS + o] = malloc(4096);
            snprintf(overlays[b * OVERLAYS + o], 4096, "%s/o%02d_%d", d, b, o);
        }
    }
    krender_ctx *ctx;
    assert_int_equal(krender_ctx_new(&ctx), KRENDER_OK);
    krender_options opts = KRENDER_OPTIONS_INIT;
    opts.threads = 2;
    batch_out out = {.lock = PTHREAD_MUTEX_INITIALIZER};
    /* the bases as roots (each thread's first render stores nothing), then their overlays */
    assert_int_equal(krender_build_many(ctx, (const char *const *)bases, BASES, &opts,
                                        count_failures, &out), KRENDER_OK);
    assert_int_equal(krender_build_many(ctx, (const char *const *)overlays, BASES * OVERLAYS,
                                        &opts, count_failures, &out), KRENDER_OK);
    assert_int_equal(out.failures, 0);
    size_t hits, builds, bytes;
    kr_subcache_counts(kr_ctx_subcache(ctx), &hits, &builds, &bytes);
    print_message("base results taken %zu, bases built %zu\n", hits, builds);
    assert_int_equal(hits + builds, BASES * OVERLAYS);
    assert_true(builds <= 6);
    /* each overlay's output and the files it read (a base taken from the other thread's store
     * is checked against what the call read, not read again) are a fresh render's */
    for (int i = 0; i < BASES * OVERLAYS; i++) {
        krender_ctx *fresh;
        assert_int_equal(krender_ctx_new(&fresh), KRENDER_OK);
        krender_result *r;
        assert_int_equal(krender_build(&r, fresh, overlays[i], NULL), KRENDER_OK);
        char *files = join(r, krender_result_file_count, krender_result_file);
        assert_string_equal(out.yaml[i], krender_result_yaml(r, NULL));
        assert_string_equal(out.files[i], files);
        free(files);
        krender_result_free(r);
        krender_ctx_free(fresh);
    }
    batch_out_free(&out);
    krender_ctx_free(ctx);
    for (int i = 0; i < BASES; i++)
        free(bases[i]);
    for (int i = 0; i < BASES * OVERLAYS; i++)
        free(overlays[i]);
    tu_rmtree(d);
    free(d);
}

/* A stored result is one copy of the base's trees: its size grows with the nodes, not with
 * the nodes times their depth (each level used to be copied again for every level above it). */
static void stored_copy_is_linear_in_depth(void **state)
{
    (void)state;
    enum { DEPTH = 400 };
    char *d = tu_tmpdir();
    if (!d) {
        fail_msg("no temporary directory");
        return;
    }
    char *deep = malloc(DEPTH * 8 + 256), *p = deep;
    p += sprintf(p, "apiVersion: example.com/v1\nkind: Deep\nmetadata:\n  name: d\nspec: ");
    for (int i = 0; i < DEPTH; i++)
        p += sprintf(p, "{a: ");
    p += sprintf(p, "x");
    for (int i = 0; i < DEPTH; i++)
        *p++ = '}';
    strcpy(p, "\n");
    tu_write(d, "base/deep.yaml", deep);
    free(deep);
    tu_write(d, "base/kustomization.yaml", "resources: [deep.yaml]\n");
    tu_write(d, "o1/kustomization.yaml", "resources: [../base]\nnamePrefix: a-\n");
    krender_ctx *ctx;
    assert_int_equal(krender_ctx_new(&ctx), KRENDER_OK);
    /* the second render records the base and stores it, the third takes it */
    for (int i = 0; i < 3; i++)
        same_as_fresh(ctx, d, "o1", KRENDER_OK);
    size_t hits, builds, bytes;
    kr_subcache_counts(kr_ctx_subcache(ctx), &hits, &builds, &bytes);
    print_message("stored %zu bytes for %d levels, %zu taken\n", bytes, DEPTH, hits);
    assert_true(hits >= 1);
    /* about 80 bytes a level (map, pair, key and its text); copying each level again for
     * every level above it took 400 times 200 */
    assert_true(bytes < (size_t)DEPTH * 400);
    krender_ctx_free(ctx);
    tu_rmtree(d);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reuse_matches_fresh_renders),
        cmocka_unit_test(options_are_part_of_the_key),
        cmocka_unit_test(threads_share_base_results),
        cmocka_unit_test(stored_copy_is_linear_in_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
