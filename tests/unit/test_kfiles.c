/* The files a kustomization names (kfiles.h), as the readers ahead of the render list them:
 * every field that names a file, in field order, joined to the directory and cleaned; a
 * generator's "key=path" by its path; inline YAML, remote entries and non-file values left
 * out; a directory entry as its kustomization.yaml, with the directory's length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "error.h"
#include "kfiles.h"
#include "parse.h"

typedef struct seen {
    char lines[64][256];
    size_t n;
} seen;

static void note(void *ctx, char *path, kr_kfile_kind kind, size_t dir_len)
{
    seen *s = ctx;
    static const char *const kinds[] = {"kust", "res", "src"};
    assert_true(s->n < 64);
    if (kind == KR_KF_KUSTOMIZATION) { /* the directory's part is what on_cold hears of */
        assert_string_equal(path + dir_len, "/kustomization.yaml");
        snprintf(s->lines[s->n++], sizeof s->lines[0], "%s %.*s", kinds[kind], (int)dir_len,
                 path);
    } else {
        snprintf(s->lines[s->n++], sizeof s->lines[0], "%s %s", kinds[kind], path);
    }
}

static kr_node *parse(kr_arena *a, const char *text)
{
    kr_err err = {0};
    kr_node *doc = NULL;
    assert_int_equal(kr_parse_document(a, "k.yaml", text, strlen(text), KR_YAML_11, &doc, &err), 0);
    kr_err_clear(&err);
    return doc;
}

static void lists_and_sources_in_field_order(void **state)
{
    (void)state;
    kr_arena *a = kr_arena_new();
    kr_node *k = parse(a,
        "resources: [deploy.yaml, ../../base, https://github.com/x/y//z, ./sub/./cm.yml]\n"
        "bases: [../other]\n"
        "components: [../../components/c]\n"
        "configMapGenerator:\n"
        "- name: g\n  files: [app.properties, key=conf/logging.json]\n"
        "  envs: [a.env]\n  env: b.env\n  literals: [X=1]\n"
        "secretGenerator:\n- name: s\n  files: [tls.crt=secrets/tls.crt]\n"
        "patchesStrategicMerge:\n- sm.yaml\n- |\n  apiVersion: v1\n  kind: X\n"
        "patches:\n- path: p.yaml\n- patch: '[]'\n"
        "patchesJson6902:\n- path: j.json\n  target: {kind: X}\n"
        "replacements:\n- path: r.yaml\n- source: {kind: X}\n"
        "transformers: [t.yaml]\ngenerators: [gen.yaml]\nvalidators: [v.yaml]\n"
        "configurations: [conf.yaml]\ncrds: [crd.json]\n");
    seen s = {0};
    kr_kfiles_each("/r/app/overlay", k, true, true, note, &s);
    static const char *const want[] = {
        "res /r/app/overlay/deploy.yaml", "kust /r/base", "res /r/app/overlay/sub/cm.yml",
        "kust /r/app/other", "kust /r/components/c",
        "src /r/app/overlay/a.env", "src /r/app/overlay/b.env",
        "src /r/app/overlay/app.properties", "src /r/app/overlay/conf/logging.json",
        "src /r/app/overlay/secrets/tls.crt",
        "src /r/app/overlay/sm.yaml", "src /r/app/overlay/t.yaml",
        "src /r/app/overlay/gen.yaml", "src /r/app/overlay/v.yaml",
        "src /r/app/overlay/conf.yaml", "src /r/app/overlay/crd.json",
        "src /r/app/overlay/p.yaml", "src /r/app/overlay/j.json",
        "src /r/app/overlay/r.yaml"};
    assert_int_equal(s.n, sizeof want / sizeof *want);
    for (size_t i = 0; i < s.n; i++)
        assert_string_equal(s.lines[i], want[i]);
    /* each half alone */
    seen lists = {0}, sources = {0};
    kr_kfiles_each("/r/app/overlay", k, true, false, note, &lists);
    kr_kfiles_each("/r/app/overlay", k, false, true, note, &sources);
    assert_int_equal(lists.n, 5);
    assert_int_equal(sources.n, s.n - 5);
    assert_string_equal(sources.lines[0], want[5]);
    kr_arena_free(a);
}

static void odd_values_are_left_out(void **state)
{
    (void)state;
    kr_arena *a = kr_arena_new();
    /* a map where a list belongs, a list of maps, empty and over-long paths, an empty
     * key=path, a document that is not a map */
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char text[6000];
    snprintf(text, sizeof text,
             "resources: {a: b}\nbases: [{a: b}, '', %s]\n"
             "configMapGenerator: [{files: ['k=']}, 7]\npatches: [{path: [x]}]\n", big);
    kr_node *k = parse(a, text);
    seen s = {0};
    kr_kfiles_each("/r", k, true, true, note, &s);
    assert_int_equal(s.n, 0);
    kr_kfiles_each("/r", parse(a, "[a, b]\n"), true, true, note, &s);
    assert_int_equal(s.n, 0);
    kr_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lists_and_sources_in_field_order),
        cmocka_unit_test(odd_values_are_left_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
