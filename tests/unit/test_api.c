/* The public API end to end: output, per-resource iteration, and for bad input the exact error
 * (code, file, line, column, chain) with no output at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>

#include "krender.h"
#include "testutil.h"

typedef struct fixture {
    krender_ctx *ctx;
    char *dir;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_tmpdir();
    if (!f->dir || krender_ctx_new(&f->ctx) != KRENDER_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    krender_ctx_free(f->ctx);
    tu_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static const char cm_x[] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";

static krender_result *build(fixture *f, const char *sub, const krender_options *o)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", f->dir, sub);
    krender_result *r = NULL;
    int rc = krender_build(&r, f->ctx, path, o);
    assert_non_null(r);
    const krender_error *e = krender_result_error(r);
    assert_int_equal(rc, e ? e->code : KRENDER_OK);
    return r;
}

/* Asserts a failed render: code, the file's name (suffix), line, column, and no output. */
static void expect_error(krender_result *r, int code, const char *file_suffix, unsigned line,
                         unsigned col, const char *msg_part)
{
    const krender_error *e = krender_result_error(r);
    assert_non_null(e);
    if (e->code != code || (msg_part && !strstr(e->message, msg_part)))
        fail_msg("got code %d: %s", e->code, e->message);
    if (file_suffix) {
        assert_non_null(e->file);
        size_t n = strlen(e->file), m = strlen(file_suffix);
        if (n < m || strcmp(e->file + n - m, file_suffix) != 0)
            fail_msg("error file %s does not end with %s", e->file, file_suffix);
    }
    assert_int_equal(e->line, line);
    assert_int_equal(e->column, col);
    size_t len = 99;
    assert_string_equal(krender_result_yaml(r, &len), "");
    assert_int_equal(len, 0);
    assert_int_equal(krender_result_count(r), 0);
}

static void renders_and_iterates(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "base/kustomization.yaml", "resources: [cm.yaml]\n");
    tu_write(f->dir, "base/cm.yaml", cm_x);
    tu_write(f->dir, "kustomization.yaml", "resources:\n- svc.yaml\n- base\n");
    tu_write(f->dir, "svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: \"n\"\n");
    krender_result *r = build(f, ".", NULL);
    assert_null(krender_result_error(r));
    size_t len;
    const char *y = krender_result_yaml(r, &len);
    /* legacy order: ConfigMap before Service */
    assert_string_equal(y, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\n"
                           "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: \"n\"\n");
    assert_int_equal(len, strlen(y));
    assert_int_equal(krender_result_count(r), 2);
    krender_resource res;
    assert_int_equal(krender_result_resource(r, 1, &res), KRENDER_OK);
    assert_string_equal(res.kind, "Service");
    assert_string_equal(res.name, "s");
    assert_string_equal(res.namespace_, "n");
    assert_string_equal(res.api_version, "v1");
    assert_int_equal(res.yaml_len, strlen(res.yaml));
    assert_int_equal(krender_result_resource(r, 0, &res), KRENDER_OK);
    assert_memory_equal(res.yaml, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", res.yaml_len);
    assert_int_equal(krender_result_resource(r, 2, &res), KRENDER_E_INVALID_ARG);
    /* every file read, once: the three kustomization and resource files of both directories */
    assert_int_equal(krender_result_file_count(r), 4);
    bool saw_cm = false;
    for (size_t i = 0; i < krender_result_file_count(r); i++)
        saw_cm |= strstr(krender_result_file(r, i), "/base/cm.yaml") != NULL;
    assert_true(saw_cm);
    assert_null(krender_result_file(r, 4));
    krender_result_free(r);

    krender_options o = KRENDER_OPTIONS_INIT;
    o.reorder = KRENDER_REORDER_NONE;
    r = build(f, ".", &o);
    assert_int_equal(krender_result_resource(r, 0, &res), KRENDER_OK);
    assert_string_equal(res.kind, "Service");
    krender_result_free(r);
}

static void bad_options_and_arguments(void **state)
{
    fixture *f = *state;
    assert_int_equal(krender_build(NULL, f->ctx, ".", NULL), KRENDER_E_INVALID_ARG);
    krender_result *r = NULL;
    assert_int_equal(krender_build(&r, NULL, ".", NULL), KRENDER_E_INVALID_ARG);
    krender_result_free(r);
    krender_options o = KRENDER_OPTIONS_INIT;
    o.version = 99;
    tu_write(f->dir, "kustomization.yaml", "resources: []\n");
    r = build(f, ".", &o);
    expect_error(r, KRENDER_E_INVALID_ARG, NULL, 0, 0, "version");
    krender_result_free(r);
    assert_string_equal(krender_strerror(KRENDER_E_CYCLE), "kustomization cycle");
    assert_non_null(krender_version());
}

static void malformed_yaml(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "kustomization.yaml", "resources: [svc.yaml]\n");
    tu_write(f->dir, "svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: k\nspec:\n"
                                 "  selector:\n    app: x\n    - name: http\n");
    krender_result *r = build(f, ".", NULL);
    expect_error(r, KRENDER_E_YAML, "/svc.yaml", 8, 5, NULL);
    krender_result_free(r);
}

static void missing_file(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "kustomization.yaml", "resources:\n- ok.yaml\n- nothere.yaml\n");
    tu_write(f->dir, "ok.yaml", cm_x);
    krender_result *r = build(f, ".", NULL);
    expect_error(r, KRENDER_E_NOT_FOUND, "/kustomization.yaml", 3, 3, "nothere.yaml");
    krender_result_free(r);
}

static void directory_without_kustomization(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "o/kustomization.yaml", "resources: [../base]\n");
    tu_write(f->dir, "base/cm.yaml", cm_x);
    krender_result *r = build(f, "o", NULL);
    /* the entry naming the directory is what is wrong: its position, in the root itself */
    expect_error(r, KRENDER_E_NOT_FOUND, "o/kustomization.yaml", 1, 13, "unable to find one of");
    const char *chain = krender_result_error(r)->chain;
    assert_true(!chain || !strstr(chain, " -> "));
    krender_result_free(r);
    /* one level down, the chain leads there */
    tu_write(f->dir, "p/kustomization.yaml", "resources: [../o]\n");
    r = build(f, "p", NULL);
    expect_error(r, KRENDER_E_NOT_FOUND, "o/kustomization.yaml", 1, 13, "unable to find one of");
    assert_non_null(krender_result_error(r)->chain);
    assert_non_null(strstr(krender_result_error(r)->chain, " -> "));
    krender_result_free(r);
}

static void cycle(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "a/kustomization.yaml", "resources: [../b]\n");
    tu_write(f->dir, "b/kustomization.yaml", "resources:\n  - ../a\n");
    krender_result *r = build(f, "a", NULL);
    expect_error(r, KRENDER_E_CYCLE, "b/kustomization.yaml", 2, 5, "cycle detected");
    krender_result_free(r);
}

static void outside_root(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "app/kustomization.yaml", "resources: [../outside.yaml]\n");
    tu_write(f->dir, "outside.yaml", cm_x);
    krender_result *r = build(f, "app", NULL);
    expect_error(r, KRENDER_E_SECURITY, "app/kustomization.yaml", 1, 13, "is not in or below");
    krender_result_free(r);
    krender_options o = KRENDER_OPTIONS_INIT;
    o.load_restrictor = KRENDER_LOAD_NONE;
    r = build(f, "app", &o);
    assert_null(krender_result_error(r));
    assert_int_equal(krender_result_count(r), 1);
    krender_result_free(r);
    /* the jail holds even when the load restrictor is off */
    char jail[PATH_MAX];
    snprintf(jail, sizeof jail, "%s/app", f->dir);
    o.jail_root = jail;
    r = build(f, "app", &o);
    expect_error(r, KRENDER_E_SECURITY, "app/kustomization.yaml", 1, 13, "outside");
    krender_result_free(r);
}

static void symlink_escape(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "app/kustomization.yaml", "resources: [link.yaml]\n");
    tu_write(f->dir, "secret.yaml", cm_x);
    char target[PATH_MAX], link[PATH_MAX];
    snprintf(target, sizeof target, "%s/secret.yaml", f->dir);
    snprintf(link, sizeof link, "%s/app/link.yaml", f->dir);
    assert_int_equal(symlink(target, link), 0);
    krender_result *r = build(f, "app", NULL);
    expect_error(r, KRENDER_E_SECURITY, "app/kustomization.yaml", 1, 13, "is not in or below");
    krender_result_free(r);
}

static void duplicate_ids(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "kustomization.yaml", "resources: [a.yaml, b.yaml]\n");
    tu_write(f->dir, "a.yaml", cm_x);
    tu_write(f->dir, "b.yaml", "# x\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: default\n");
    krender_result *r = build(f, ".", NULL);
    expect_error(r, KRENDER_E_CONFLICT, "/b.yaml", 2, 1, "already registered id");
    krender_result_free(r);
}

static void missing_kind_or_name(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "kustomization.yaml", "resources: [r.yaml]\n");
    tu_write(f->dir, "r.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\n"
                               "apiVersion: v1\nmetadata:\n  name: x\n");
    krender_result *r = build(f, ".", NULL);
    expect_error(r, KRENDER_E_RESOURCE, "/r.yaml", 6, 1, "missing kind");
    krender_result_free(r);
    tu_write(f->dir, "r.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n");
    r = build(f, ".", NULL);
    expect_error(r, KRENDER_E_RESOURCE, "/r.yaml", 1, 1, "missing metadata.name");
    krender_result_free(r);
}

static void empty_files(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "kustomization.yaml", "");
    krender_result *r = build(f, ".", NULL);
    expect_error(r, KRENDER_E_KUSTOMIZATION, "/kustomization.yaml", 0, 0, "is empty");
    krender_result_free(r);
    /* an empty resource file is no resources: success with empty output */
    tu_write(f->dir, "kustomization.yaml", "resources: [empty.yaml]\n");
    tu_write(f->dir, "empty.yaml", "");
    r = build(f, ".", NULL);
    assert_null(krender_result_error(r));
    size_t len = 1;
    krender_result_yaml(r, &len);
    assert_int_equal(len, 0);
    krender_result_free(r);
}

static void infinity_is_an_error(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "kustomization.yaml", "resources: [r.yaml]\n");
    tu_write(f->dir, "r.yaml", "apiVersion: v1\nkind: Thing\nmetadata:\n  name: x\nspec:\n  v: .inf\n");
    krender_result *r = build(f, ".", NULL);
    expect_error(r, KRENDER_E_VALUE, "/r.yaml", 6, 6, "unsupported value: +Inf");
    krender_result_free(r);
}

static void unsupported_fields_fail_loudly(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "kustomization.yaml",
             "resources: [r.yaml]\nhelmCharts:\n- name: x\n  repo: https://example.com\n");
    tu_write(f->dir, "r.yaml", cm_x);
    krender_result *r = build(f, ".", NULL);
    expect_error(r, KRENDER_E_UNSUPPORTED, "/kustomization.yaml", 2, 1, "helm template");
    krender_result_free(r);
}

/* One context per thread: renders in parallel give the serial bytes. */
typedef struct job {
    const char *dir;
    const char *want;
    int ok;
} job;

static void *render_many(void *arg)
{
    job *j = arg;
    krender_ctx *ctx;
    if (krender_ctx_new(&ctx))
        return NULL;
    j->ok = 1;
    for (int i = 0; i < 50; i++) {
        krender_result *r;
        krender_build(&r, ctx, j->dir, NULL);
        if (strcmp(krender_result_yaml(r, NULL), j->want) != 0)
            j->ok = 0;
        krender_result_free(r);
    }
    krender_ctx_free(ctx);
    return NULL;
}

static void threads_with_own_contexts(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "kustomization.yaml", "resources: [r.yaml]\n");
    tu_write(f->dir, "r.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n"
                               "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n");
    krender_result *r = build(f, ".", NULL);
    const char *want = krender_result_yaml(r, NULL);
    job jobs[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (job){f->dir, want, 0};
        assert_int_equal(pthread_create(&t[i], NULL, render_many, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_true(jobs[i].ok);
    }
    krender_result_free(r);
}

/* Each limit of options v3 fails with KRENDER_E_LIMIT and no output; at the limit it renders;
 * a caller compiled against options v2 gets the defaults. */
static void limits(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "kustomization.yaml", "resources: [r.yaml]\n");
    tu_write(f->dir, "r.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n"
                               "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n");
    krender_options o = KRENDER_OPTIONS_INIT;
    o.max_resources = 1;
    krender_result *r = build(f, ".", &o);
    expect_error(r, KRENDER_E_LIMIT, "r.yaml", 6, 1, "more than 1 resources (max_resources)");
    krender_result_free(r);
    o.max_resources = 2;
    r = build(f, ".", &o);
    assert_null(krender_result_error(r));
    size_t full;
    krender_result_yaml(r, &full);
    krender_result_free(r);

    o = (krender_options)KRENDER_OPTIONS_INIT;
    o.max_file_bytes = 50; /* r.yaml has 108 */
    r = build(f, ".", &o);
    expect_error(r, KRENDER_E_LIMIT, "r.yaml", 0, 0, "larger than the limit of 50 bytes");
    krender_result_free(r);

    o = (krender_options)KRENDER_OPTIONS_INIT;
    o.max_output_bytes = full - 1;
    r = build(f, ".", &o);
    expect_error(r, KRENDER_E_LIMIT, NULL, 0, 0, "output exceeds the limit");
    krender_result_free(r);
    o.max_output_bytes = full;
    r = build(f, ".", &o);
    assert_null(krender_result_error(r));
    krender_result_free(r);

    o = (krender_options)KRENDER_OPTIONS_INIT;
    o.version = 2; /* an older caller: the limit fields are not read */
    o.max_resources = 1;
    r = build(f, ".", &o);
    assert_null(krender_result_error(r));
    krender_result_free(r);
}

/* A file of n ConfigMaps (several kinds of scalars), resource `bad` (if < n) holding .inf. */
static char *many_resources(size_t n, size_t bad)
{
    size_t cap = n * 160 + 64, len = 0;
    char *s = malloc(cap);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len,
                                "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%04zu\n"
                                "data:\n  n: \"%zu\"\n  t: 'yes'\n  v: %s\n",
                                i, i, i == bad ? ".inf" : "|\n    two\n    lines");
    return s;
}

/* A root of one resource file, text (freed here). */
static void write_root(fixture *f, char *text)
{
    tu_write(f->dir, "kustomization.yaml", "resources: [r.yaml]\n");
    tu_write(f->dir, "r.yaml", text);
    free(text);
}

/* f's root rendered with options o on one thread (*serial) and on two (*par): both succeed
 * with the same bytes, the terminating NUL included. */
static void build_serial_and_par(fixture *f, krender_options *o, krender_result **serial,
                                 krender_result **par)
{
    o->threads = 1;
    *serial = build(f, ".", o);
    assert_null(krender_result_error(*serial));
    o->threads = 2;
    *par = build(f, ".", o);
    assert_null(krender_result_error(*par));
    size_t slen, plen;
    const char *sy = krender_result_yaml(*serial, &slen);
    const char *py = krender_result_yaml(*par, &plen);
    assert_int_equal(plen, slen);
    assert_memory_equal(py, sy, slen + 1);
}

/* An output of more than a megabyte: the emitted parts are joined on two threads; bytes,
 * spans, ids and JSON are the serial render's. */
static void parallel_join_of_big_output(void **state)
{
    fixture *f = *state;
    size_t n = 12000;
    write_root(f, many_resources(n, (size_t)-1));
    krender_options o = KRENDER_OPTIONS_INIT;
    o.resources_json = 1;
    krender_result *serial, *par;
    build_serial_and_par(f, &o, &serial, &par);
    size_t slen;
    const char *sy = krender_result_yaml(serial, &slen), *py = krender_result_yaml(par, NULL);
    assert_true(slen > ((size_t)1 << 20));
    assert_int_equal(krender_result_count(par), n);
    for (size_t i = 0; i < n; i += 101) {
        krender_resource a, b;
        assert_int_equal(krender_result_resource(serial, i, &a), KRENDER_OK);
        assert_int_equal(krender_result_resource(par, i, &b), KRENDER_OK);
        assert_int_equal(a.yaml - sy, b.yaml - py);
        assert_int_equal(a.yaml_len, b.yaml_len);
        assert_string_equal(a.name, b.name);
        size_t ja, jb;
        const char *sa = krender_result_resource_json(serial, i, &ja);
        const char *sb = krender_result_resource_json(par, i, &jb);
        assert_int_equal(ja, jb);
        assert_memory_equal(sa, sb, ja + 1);
    }
    krender_result_free(serial);
    krender_result_free(par);
}

/* The last pass over a big render's resources (local-config ones dropped, kustomize's internal
 * annotations stripped, the managed-by label) runs in chunks on two threads: the output is the
 * serial render's. */
static void parallel_metadata_pass_is_serial(void **state)
{
    fixture *f = *state;
    size_t n = 3000, cap = n * 220, len = 0;
    char *text = malloc(cap);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, cap - len,
                                "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%04zu\n"
                                "  annotations:\n    keep: \"%zu\"\n%s",
                                i, i,
                                i % 7 == 0   ? "    config.kubernetes.io/local-config: \"true\"\n"
                                : i % 5 == 0 ? "    config.kubernetes.io/index: \"3\"\n"
                                             : "");
    write_root(f, text);
    krender_options o = KRENDER_OPTIONS_INIT;
    o.enable_managedby_label = 1;
    krender_result *serial, *par;
    build_serial_and_par(f, &o, &serial, &par);
    size_t dropped = (n + 6) / 7;
    assert_int_equal(krender_result_count(serial), n - dropped);
    const char *py = krender_result_yaml(par, NULL);
    assert_null(strstr(py, "local-config"));
    assert_null(strstr(py, "config.kubernetes.io/index"));
    assert_non_null(strstr(py, "app.kubernetes.io/managed-by"));
    krender_result_free(serial);
    krender_result_free(par);
}

/* options.threads: the output, the resource spans and the JSON are those of a serial render;
 * an error is the first failing resource's; no output beyond the limit. */
static void parallel_output_is_serial_output(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "kustomization.yaml", "resources: [r.yaml]\n");
    char *text = many_resources(1000, (size_t)-1);
    tu_write(f->dir, "r.yaml", text);
    free(text);
    krender_options o = KRENDER_OPTIONS_INIT;
    o.resources_json = 1;
    krender_result *serial = build(f, ".", &o);
    assert_null(krender_result_error(serial));
    size_t slen, plen;
    const char *sy = krender_result_yaml(serial, &slen);
    for (unsigned t = 2; t <= 7; t += 5) {
        o.threads = t;
        krender_result *par = build(f, ".", &o);
        assert_null(krender_result_error(par));
        const char *py = krender_result_yaml(par, &plen);
        assert_int_equal(plen, slen);
        assert_memory_equal(py, sy, slen);
        assert_int_equal(krender_result_count(par), 1000);
        for (size_t i = 0; i < 1000; i += 37) {
            krender_resource a, b;
            assert_int_equal(krender_result_resource(serial, i, &a), KRENDER_OK);
            assert_int_equal(krender_result_resource(par, i, &b), KRENDER_OK);
            assert_int_equal(a.yaml - sy, b.yaml - py);
            assert_int_equal(a.yaml_len, b.yaml_len);
            /* the id is read by the thread that emits the resource */
            char want[16];
            snprintf(want, sizeof want, "c%04zu", i);
            assert_string_equal(b.name, want);
            assert_string_equal(a.name, want);
            assert_string_equal(b.api_version, "v1");
            assert_string_equal(b.kind, "ConfigMap");
            assert_string_equal(b.namespace_, "");
            size_t ja, jb;
            const char *sa = krender_result_resource_json(serial, i, &ja);
            const char *sb = krender_result_resource_json(par, i, &jb);
            assert_int_equal(ja, jb);
            assert_memory_equal(sa, sb, ja);
        }
        krender_result_free(par);
    }
    o.threads = 4;
    o.max_output_bytes = slen - 1;
    o.resources_json = 0;
    krender_result *r = build(f, ".", &o);
    expect_error(r, KRENDER_E_LIMIT, NULL, 0, 0, "output exceeds the limit");
    krender_result_free(r);
    krender_result_free(serial);
    /* two bad resources in different parts: the first one in output order is reported */
    text = many_resources(1000, 700);
    char *second = strstr(text, "name: c0300");
    memcpy(strstr(second, "v: |") + 3, ".inf\n  w:", 9);
    tu_write(f->dir, "r.yaml", text);
    free(text);
    o = (krender_options)KRENDER_OPTIONS_INIT;
    o.threads = 4;
    r = build(f, ".", &o);
    /* resource 300 starts at line 1 + 300 * 11 (11 lines each); its v is the 9th line */
    expect_error(r, KRENDER_E_VALUE, "/r.yaml", 300 * 11 + 9, 6, "unsupported value: +Inf");
    krender_result_free(r);
}

/* krender_build_many: each root's result is krender_build's, whatever the threads; a failing
 * root is reported by index; a file changed between two calls is read again. */
typedef struct many_out {
    pthread_mutex_t lock;
    char *yaml[8];
    int code[8];
    int calls;
} many_out;

static void many_done(void *userdata, size_t i, krender_result *r)
{
    many_out *m = userdata;
    assert_non_null(r);
    const krender_error *e = krender_result_error(r);
    pthread_mutex_lock(&m->lock);
    m->code[i] = e ? e->code : KRENDER_OK;
    m->yaml[i] = strdup(krender_result_yaml(r, NULL));
    m->calls++;
    pthread_mutex_unlock(&m->lock);
    krender_result_free(r);
}

static void many_reset(many_out *m)
{
    for (int i = 0; i < 8; i++) {
        free(m->yaml[i]);
        m->yaml[i] = NULL;
    }
    m->calls = 0;
}

/* A relative root is resolved from the working directory as the absolute one is: through a
 * link, with "." and ".." components, and not at all when it is missing or a file. */
static void relative_roots_are_absolute_ones(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "real/base/kustomization.yaml", "resources: [cm.yaml]\nnamePrefix: p-\n");
    tu_write(f->dir, "real/base/cm.yaml", cm_x);
    tu_write(f->dir, "real/file", "x");
    char link[PATH_MAX], cwd[PATH_MAX];
    snprintf(link, sizeof link, "%s/link", f->dir);
    assert_int_equal(symlink("real", link), 0);
    assert_non_null(getcwd(cwd, sizeof cwd));
    krender_result *want = build(f, "real/base", NULL);
    assert_int_equal(chdir(f->dir), 0);
    const char *same[] = {"real/base", "link/base", "./real/base/", "link/../real/base",
                          "real//base"};
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        krender_result *r = NULL;
        assert_int_equal(krender_build(&r, f->ctx, same[i], NULL), KRENDER_OK);
        assert_string_equal(krender_result_yaml(r, NULL), krender_result_yaml(want, NULL));
        krender_result_free(r);
    }
    krender_result *r = NULL;
    assert_int_equal(krender_build(&r, f->ctx, "real/nothere", NULL), KRENDER_E_NOT_FOUND);
    assert_non_null(strstr(krender_result_error(r)->message, "'real/nothere' doesn't exist"));
    krender_result_free(r);
    assert_int_equal(krender_build(&r, f->ctx, "real/file", NULL), KRENDER_E_NOT_FOUND);
    assert_non_null(strstr(krender_result_error(r)->message, "must be a directory"));
    krender_result_free(r);
    assert_int_equal(chdir(cwd), 0);
    krender_result_free(want);
}

/* The last roots of a call take the threads that found no root left for their output: the
 * bytes are still krender_build's. */
static void build_many_tail_borrows_threads(void **state)
{
    fixture *f = *state;
    char *text = many_resources(600, (size_t)-1);
    tu_write(f->dir, "big/r.yaml", text);
    free(text);
    tu_write(f->dir, "big/kustomization.yaml", "resources: [r.yaml]\nnamePrefix: b-\n");
    tu_write(f->dir, "small/kustomization.yaml", "resources: [cm.yaml]\n");
    tu_write(f->dir, "small/cm.yaml", cm_x);
    char paths[2][PATH_MAX];
    const char *subs[2] = {"big", "small"}, *list[2];
    for (int i = 0; i < 2; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", f->dir, subs[i]);
        list[i] = paths[i];
    }
    krender_result *want = build(f, "big", NULL);
    for (int rep = 0; rep < 3; rep++) {
        many_out m = {.lock = PTHREAD_MUTEX_INITIALIZER};
        krender_options o = KRENDER_OPTIONS_INIT;
        o.threads = 2;
        assert_int_equal(krender_build_many(f->ctx, list, 2, &o, many_done, &m), KRENDER_OK);
        assert_int_equal(m.calls, 2);
        assert_string_equal(m.yaml[0], krender_result_yaml(want, NULL));
        many_reset(&m);
    }
    krender_result_free(want);
}

static void build_many_is_build(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "base/kustomization.yaml", "resources: [cm.yaml]\n");
    tu_write(f->dir, "base/cm.yaml", cm_x);
    for (int i = 0; i < 5; i++) {
        char k[64], body[128];
        snprintf(k, sizeof k, "o%d/kustomization.yaml", i);
        snprintf(body, sizeof body, "namePrefix: p%d-\nresources: [../base]\n", i);
        tu_write(f->dir, k, body);
    }
    tu_write(f->dir, "bad/kustomization.yaml", "resources: [missing.yaml]\n");
    char paths[7][PATH_MAX];
    const char *list[7];
    const char *subs[7] = {"o0", "o1", "o2", "bad", "o3", "o4", "base"};
    for (int i = 0; i < 7; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", f->dir, subs[i]);
        list[i] = paths[i];
    }
    many_out m = {.lock = PTHREAD_MUTEX_INITIALIZER};
    for (unsigned threads = 1; threads <= 3; threads++) {
        krender_options o = KRENDER_OPTIONS_INIT;
        o.threads = threads;
        assert_int_equal(krender_build_many(f->ctx, list, 7, &o, many_done, &m),
                         KRENDER_E_NOT_FOUND);
        assert_int_equal(m.calls, 7);
        for (int i = 0; i < 7; i++) {
            krender_result *r = build(f, subs[i], NULL);
            assert_string_equal(m.yaml[i], krender_result_yaml(r, NULL));
            const krender_error *e = krender_result_error(r);
            assert_int_equal(m.code[i], e ? e->code : KRENDER_OK);
            krender_result_free(r);
        }
        assert_non_null(strstr(m.yaml[1], "name: p1-x"));
        many_reset(&m);
    }
    /* the next call looks at the disk again: a changed file and a file now present count */
    tu_write(f->dir, "base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n");
    tu_write(f->dir, "bad/missing.yaml", cm_x);
    assert_int_equal(krender_build_many(f->ctx, list, 7, NULL, many_done, &m), KRENDER_OK);
    assert_non_null(strstr(m.yaml[4], "name: p3-y"));
    assert_non_null(strstr(m.yaml[3], "name: x"));
    many_reset(&m);
    /* arguments */
    assert_int_equal(krender_build_many(NULL, list, 7, NULL, many_done, &m), KRENDER_E_INVALID_ARG);
    assert_int_equal(krender_build_many(f->ctx, NULL, 7, NULL, many_done, &m), KRENDER_E_INVALID_ARG);
    assert_int_equal(krender_build_many(f->ctx, list, 7, NULL, NULL, &m), KRENDER_E_INVALID_ARG);
    assert_int_equal(krender_build_many(f->ctx, list, 0, NULL, many_done, &m), KRENDER_OK);
    assert_int_equal(m.calls, 0);
}

/* Reading ahead (threads > 1) changes nothing: the same output, errors and file list as the
 * serial render, with shared components, linked files, files the restrictor refuses and a
 * kustomization read again after a change. Each render has a fresh context, so the walker
 * reads everything itself; then one context renders again after an edit. */
/* A render that read more than 1 MiB gives the files' bytes back at the end of its
 * accumulation (loader.h, kr_cache_drop_bytes); the context's next renders read them again:
 * the same output, a changed file seen, a generator's source (whose bytes the generated
 * ConfigMap points into) kept, on one thread and with the read-ahead thread. */
static void dropped_bytes_are_read_again(void **state)
{
    fixture *f = *state;
    size_t n = 9000, cap = n * 160;
    char *big = malloc(cap);
    assert_non_null(big);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(big + len, cap - len,
                                "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%zu\n"
                                "data:\n  k: \"%0*zu\"\n",
                                i, 60, i);
    assert_true(len > (1u << 20));
    tu_write(f->dir, "drop/base/big.yaml", big);
    tu_write(f->dir, "drop/base/kustomization.yaml", "resources: [big.yaml]\n");
    tu_write(f->dir, "drop/app/kustomization.yaml",
             "resources: [../base]\nnamePrefix: p-\n"
             "configMapGenerator:\n- name: gen\n  files: [settings.txt]\n");
    for (unsigned t = 1; t <= 2; t++) {
        krender_ctx_free(f->ctx);
        assert_int_equal(krender_ctx_new(&f->ctx), KRENDER_OK);
        krender_options o = KRENDER_OPTIONS_INIT;
        o.threads = t;
        tu_write(f->dir, "drop/app/settings.txt", "first\n");
        krender_result *a = build(f, "drop/app", &o), *b = build(f, "drop/app", &o);
        assert_null(krender_result_error(a));
        assert_string_equal(krender_result_yaml(a, NULL), krender_result_yaml(b, NULL));
        assert_non_null(strstr(krender_result_yaml(a, NULL), "settings.txt: |\n    first\n"));
        assert_non_null(strstr(krender_result_yaml(a, NULL), "name: p-c8999\n"));
        /* changed on disk (other lengths: new stamps) */
        tu_write(f->dir, "drop/app/settings.txt", "second!\n");
        char *edited = strstr(big, "name: c8999\n");
        assert_non_null(edited);
        memcpy(edited, "name: d8999\n", 12);
        tu_write(f->dir, "drop/base/big.yaml", big);
        memcpy(edited, "name: c8999\n", 12);
        tu_write(f->dir, "drop/base/kustomization.yaml", "resources: [big.yaml]\n# v2\n");
        krender_result *c = build(f, "drop/app", &o);
        assert_null(krender_result_error(c));
        assert_non_null(strstr(krender_result_yaml(c, NULL), "settings.txt: |\n    second!\n"));
        assert_non_null(strstr(krender_result_yaml(c, NULL), "name: p-d8999\n"));
        assert_null(strstr(krender_result_yaml(c, NULL), "name: p-c8999\n"));
        krender_result_free(a);
        krender_result_free(b);
        krender_result_free(c);
        tu_write(f->dir, "drop/base/big.yaml", big);
        tu_write(f->dir, "drop/base/kustomization.yaml", "resources: [big.yaml]\n");
    }
    free(big);
}

static void read_ahead_is_serial(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "comp/kustomization.yaml",
             "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
             "commonAnnotations: {c: x}\nresources: [extra.yaml]\n");
    tu_write(f->dir, "comp/extra.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: e\n");
    /* 150 apps: enough files for the render to start the thread (KR_PREFETCH_AFTER_FILES),
     * and more than two of the windows its walk of a tree not cached takes the root in */
    char top[4096] = "resources:\n";
    for (int i = 0; i < 150; i++) {
        char k[64], body[1024], res[64];
        snprintf(k, sizeof k, "- ../apps/a%d\n", i);
        strcat(top, k);
        snprintf(k, sizeof k, "apps/a%d/kustomization.yaml", i);
        /* a generator's source (read by the render alone, never looked for among the files
         * read ahead), also a resource (read ahead); patches of every field, those of
         * `patches` read and parsed ahead (files, inline strategic-merge and JSON texts) */
        snprintf(body, sizeof body,
                 "namePrefix: a%d-\nresources: [cm.yaml, linked.yaml]\n"
                 "components: [../../comp]\n"
                 "configMapGenerator: [{name: g, files: [cm.yaml, v=v.txt]}]\n"
                 "patches:\n- path: p.yaml\n- path: j.json\n  target: {kind: Secret, name: s}\n"
                 "- patch: |\n    apiVersion: v1\n    kind: Secret\n    metadata: {name: s}\n"
                 "    stringData: {inline: \"%d\"}\n"
                 "- patch: '[{\"op\": \"add\", \"path\": \"/metadata/labels\", "
                 "\"value\": {\"j\": \"%d\"}}]'\n  target: {kind: Secret, name: e}\n"
                 "patchesJson6902:\n- target: {version: v1, kind: Secret, name: s}\n"
                 "  patch: '- {op: add, path: /metadata/annotations, value: {op: \"%d\"}}'\n"
                 "patchesStrategicMerge:\n- |\n  apiVersion: v1\n  kind: Secret\n"
                 "  metadata: {name: e}\n  stringData: {psm: \"%d\"}\n",
                 i, i, i, i, i);
        tu_write(f->dir, k, body);
        snprintf(res, sizeof res, "apps/a%d/v.txt", i);
        tu_write(f->dir, res, i % 2 ? "odd\n" : "even\n");
        snprintf(res, sizeof res, "apps/a%d/j.json", i);
        tu_write(f->dir, res, "[{\"op\": \"add\", \"path\": \"/stringData/json\", \"value\": \"f\"}]\n");
        snprintf(res, sizeof res, "apps/a%d/p.yaml", i);
        tu_write(f->dir, res, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
                              "stringData: {patched: \"yes\"}\n");
        snprintf(res, sizeof res, "apps/a%d/cm.yaml", i);
        tu_write(f->dir, res, cm_x);
        char target[PATH_MAX], link[PATH_MAX];
        snprintf(res, sizeof res, "apps/a%d/real/s.yaml", i);
        tu_write(f->dir, res, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n");
        snprintf(target, sizeof target, "%s/apps/a%d/real/s.yaml", f->dir, i);
        snprintf(link, sizeof link, "%s/apps/a%d/linked.yaml", f->dir, i);
        (void)unlink(link);
        assert_int_equal(symlink(target, link), 0);
    }
    tu_write(f->dir, "top/kustomization.yaml", top);
    tu_write(f->dir, "bad/kustomization.yaml", "resources: [ok.yaml, ../comp/extra.yaml]\n");
    tu_write(f->dir, "bad/ok.yaml", cm_x);
    const char *roots[] = {"top", "bad", "apps/a3"};
    for (size_t i = 0; i < 3; i++) {
        /* serial; read ahead; read ahead with every file the serial render read dropped from
         * the page cache first, where the file system allows it (the thread then reads the
         * kustomizations level by level, asking for their files at once: prefetch.c) */
        krender_result *want[3] = {NULL, NULL, NULL};
        for (unsigned t = 1; t <= 3; t++) {
            for (size_t j = 0; t == 3 && j < krender_result_file_count(want[0]); j++)
                tu_uncache(krender_result_file(want[0], j));
            krender_ctx *own = NULL;
            assert_int_equal(krender_ctx_new(&own), KRENDER_OK);
            krender_options o = KRENDER_OPTIONS_INIT;
            o.threads = t > 1 ? 2 : 1;
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", f->dir, roots[i]);
            krender_build(&want[t - 1], own, path, &o);
            krender_ctx_free(own);
        }
        for (unsigned t = 1; t < 3; t++) {
            assert_string_equal(krender_result_yaml(want[0], NULL),
                                krender_result_yaml(want[t], NULL));
            const krender_error *e0 = krender_result_error(want[0]),
                                *e1 = krender_result_error(want[t]);
            assert_int_equal(e0 != NULL, e1 != NULL);
            if (e0)
                assert_string_equal(e0->message, e1->message);
            assert_int_equal(krender_result_file_count(want[0]), krender_result_file_count(want[t]));
            for (size_t j = 0; j < krender_result_file_count(want[0]); j++)
                assert_string_equal(krender_result_file(want[0], j), krender_result_file(want[t], j));
        }
        for (unsigned t = 0; t < 3; t++)
            krender_result_free(want[t]);
    }
    /* one context, read ahead twice: the second render sees the edited files */
    krender_options o = KRENDER_OPTIONS_INIT;
    o.threads = 2;
    krender_result *r = build(f, "top", &o);
    assert_non_null(strstr(krender_result_yaml(r, NULL), "name: a39-x"));
    assert_non_null(strstr(krender_result_yaml(r, NULL), "v: |\n    odd\n"));
    assert_non_null(strstr(krender_result_yaml(r, NULL), "patched: \"yes\""));
    krender_result_free(r);
    tu_write(f->dir, "apps/a39/kustomization.yaml", "namePrefix: b39-\nresources: [cm.yaml]\n");
    tu_write(f->dir, "apps/a39/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n");
    r = build(f, "top", &o);
    assert_non_null(strstr(krender_result_yaml(r, NULL), "name: b39-y"));
    assert_null(strstr(krender_result_yaml(r, NULL), "name: a39-x"));
    krender_result_free(r);
}

/* Writes `n` Deployments to rel, each referring to ConfigMap c<i> (name references) and to
 * var SVC; resources named in `odd` (a comma-separated list of indices, with commas around)
 * get a scalar for metadata.annotations, or (odd_args) a map among their args. */
static void write_deployments(fixture *f, const char *rel, size_t n, const char *odd,
                              bool odd_args)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    assert_non_null(m);
    for (size_t i = 0; i < n; i++) {
        char key[32];
        snprintf(key, sizeof key, ",%zu,", i);
        bool is_odd = odd && strstr(odd, key);
        fprintf(m,
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d%zu\n%s"
                "spec:\n  template:\n    spec:\n      containers:\n      - name: c\n"
                "        image: i\n        args: [\"$(SVC)\", \"n%zu\"%s]\n"
                "        envFrom:\n        - configMapRef:\n            name: c%zu\n"
                "      volumes:\n      - name: v\n        configMap:\n          name: c%zu\n",
                i, is_odd && !odd_args ? "  annotations: scalar\n" : "", i,
                is_odd && odd_args ? ", {not: a string}" : "", i, i);
    }
    fclose(m);
    tu_write(f->dir, rel, text);
    free(text);
}

/* A kustomization in dir over d.yaml, a Service (the var) and n generated ConfigMaps. */
static void write_big_kustomization(fixture *f, const char *dir, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    assert_non_null(m);
    fprintf(m, "resources: [d.yaml, svc.yaml]\ncommonLabels: {team: t}\n"
               "commonAnnotations: {note: x}\nvars:\n- name: SVC\n"
               "  objref: {kind: Service, name: svc, apiVersion: v1}\nconfigMapGenerator:\n");
    for (size_t i = 0; i < n; i++)
        fprintf(m, "- name: c%zu\n  literals: [k=%zu]\n", i, i);
    fclose(m);
    char rel[64];
    snprintf(rel, sizeof rel, "%s/kustomization.yaml", dir);
    tu_write(f->dir, rel, text);
    snprintf(rel, sizeof rel, "%s/svc.yaml", dir);
    tu_write(f->dir, rel, "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n");
    free(text);
}

/* The stages that split a big render's resources into chunks on two threads (par.h: labels
 * and annotations, hash suffixes, name references, vars) give what one thread gives: the same
 * output, and where chunks far apart both fail (a scalar for metadata.annotations, a map among
 * a container's args), the error a serial run meets first. */
static void parallel_stages_are_serial(void **state)
{
    fixture *f = *state;
    size_t n = 1300; /* 2,601 resources, 1,300 hashed: above KR_PAR_MIN */
    write_deployments(f, "par/ok/d.yaml", n, NULL, false);
    write_deployments(f, "par/ann/d.yaml", n, ",40,1250,", false);
    write_deployments(f, "par/args/d.yaml", n, ",60,1200,", true);
    write_big_kustomization(f, "par/ok", n);
    write_big_kustomization(f, "par/ann", n);
    write_big_kustomization(f, "par/args", n);
    const char *roots[] = {"par/ok", "par/ann", "par/args"};
    for (size_t i = 0; i < 3; i++) {
        krender_result *want[3] = {NULL, NULL, NULL};
        for (unsigned t = 1; t <= 3; t++) {
            krender_options o = KRENDER_OPTIONS_INIT;
            o.threads = t;
            want[t - 1] = build(f, roots[i], &o);
        }
        const krender_error *e = krender_result_error(want[0]);
        if (i == 0) {
            const char *y = krender_result_yaml(want[0], NULL);
            assert_null(e);
            assert_non_null(strstr(y, "name: d1299\n"));
            assert_non_null(strstr(y, "args:\n        - svc\n        - n1299\n"));
            assert_non_null(strstr(y, "    note: x\n"));
            assert_non_null(strstr(y, "    team: t\n"));
            const char *cm = strstr(y, "  name: c1299-");
            assert_non_null(cm); /* and every reference took the suffix */
            char ref[64];
            snprintf(ref, sizeof ref, "name: %.*s\n", 16, cm + 8); /* c1299-<10-letter hash> */
            assert_non_null(strstr(strstr(y, "name: d1299\n"), ref));
        } else {
            assert_non_null(e);
            /* the first odd resource's, as one thread meets it */
            assert_non_null(strstr(e->message, i == 1 ? "d40" : "d60"));
        }
        for (unsigned t = 2; t <= 3; t++) {
            assert_string_equal(krender_result_yaml(want[0], NULL),
                                 krender_result_yaml(want[t - 1], NULL));
            const krender_error *et = krender_result_error(want[t - 1]);
            assert_int_equal(e != NULL, et != NULL);
            if (e) {
                assert_int_equal(e->code, et->code);
                assert_string_equal(e->message, et->message);
                assert_int_equal(e->line, et->line);
            }
        }
        for (unsigned t = 0; t < 3; t++)
            krender_result_free(want[t]);
    }
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(renders_and_iterates), T(bad_options_and_arguments), T(malformed_yaml),
        T(missing_file), T(directory_without_kustomization), T(cycle), T(outside_root),
        T(symlink_escape), T(duplicate_ids), T(missing_kind_or_name), T(empty_files),
        T(infinity_is_an_error), T(unsupported_fields_fail_loudly), T(threads_with_own_contexts),
        T(limits), T(parallel_output_is_serial_output), T(parallel_metadata_pass_is_serial), T(parallel_join_of_big_output), T(build_many_is_build), T(build_many_tail_borrows_threads), T(relative_roots_are_absolute_ones), T(read_ahead_is_serial),
        T(dropped_bytes_are_read_again), T(parallel_stages_are_serial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
