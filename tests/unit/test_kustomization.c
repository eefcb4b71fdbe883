/* Decoding kustomization.yaml with Go encoding/json's rules, and the loader's file lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kustomization.h"
#include "loader.h"
#include "scope.h"
#include "testutil.h"

typedef struct fixture {
    kr_render r;
    kr_err err;
    char *dir;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->r.arena = kr_arena_new();
    f->r.strings = kr_interner_new(f->r.arena);
    f->r.err = &f->err;
    f->dir = tu_tmpdir();
    if (!f->dir || kr_cache_new(&f->r.cache))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tu_rmtree(f->dir);
    free(f->dir);
    kr_cache_free(f->r.cache);
    kr_buf_free(&f->r.warnings);
    kr_arena_free(f->r.arena);
    kr_err_clear(&f->err);
    free(f);
    return 0;
}

/* Writes kustomization.yaml and loads it; returns the code. */
static int load(fixture *f, const char *text, kr_kustomization **k)
{
    assert_int_equal(tu_write(f->dir, "kustomization.yaml", text), 0);
    return kr_kustomization_load(&f->r, f->dir, k);
}

static void resources_then_bases(void **state)
{
    fixture *f = *state;
    kr_kustomization *k;
    assert_int_equal(load(f, "bases: [../b]\nresources:\n- a.yaml\n- c.yaml\n", &k), 0);
    assert_int_equal(k->resources.n, 3);
    assert_string_equal(k->resources.items[0]->u.text, "a.yaml");
    assert_string_equal(k->resources.items[2]->u.text, "../b");
    assert_int_equal(k->resources.items[1]->line, 4);
    assert_int_equal(k->resources.items[1]->col, 3);
    assert_int_equal(f->r.nwarnings, 1); /* bases is deprecated */
    assert_non_null(strstr(f->r.warnings.data, "'bases' is deprecated"));
    assert_false(k->is_component);
}

static void unknown_field_has_position(void **state)
{
    fixture *f = *state;
    kr_kustomization *k;
    assert_int_equal(load(f, "resources: [a.yaml]\n\n  # c\nfoo: 1\n", &k), KRENDER_E_KUSTOMIZATION);
    assert_string_equal(f->err.message, "invalid Kustomization: json: unknown field \"foo\"");
    assert_int_equal(f->err.line, 4);
    assert_int_equal(f->err.column, 1);
    assert_non_null(strstr(f->err.file, "kustomization.yaml"));
}

static void keys_match_case_insensitively(void **state)
{
    fixture *f = *state;
    kr_kustomization *k;
    assert_int_equal(load(f, "RESOURCES: [a.yaml]\nKind: Kustomization\n", &k), 0);
    assert_int_equal(k->resources.n, 1);
}

static void yaml11_types_are_strict(void **state)
{
    fixture *f = *state;
    kr_kustomization *k;
    /* `yes` is a bool in YAML 1.1, as kustomize reads kustomization files */
    assert_int_equal(load(f, "namePrefix: yes\nresources: [a]\n", &k), KRENDER_E_KUSTOMIZATION);
    assert_string_equal(f->err.message,
                        "invalid Kustomization: json: cannot unmarshal bool into Go struct field "
                        "Kustomization.namePrefix of type string");
    assert_int_equal(f->err.line, 1);
    assert_int_equal(f->err.column, 13);
}

static void wrong_container_type(void **state)
{
    fixture *f = *state;
    kr_kustomization *k;
    assert_int_equal(load(f, "resources: a.yaml\n", &k), KRENDER_E_KUSTOMIZATION);
    assert_non_null(strstr(f->err.message, "cannot unmarshal string into Go struct field "
                                           "Kustomization.resources of type []string"));
}

static void empty_and_kind_rules(void **state)
{
    fixture *f = *state;
    kr_kustomization *k;
    assert_int_equal(load(f, "# nothing\n", &k), KRENDER_E_KUSTOMIZATION);
    assert_string_equal(f->err.message, "kustomization.yaml is empty");
    kr_err_clear(&f->err);
    assert_int_equal(load(f, "kind: Foo\n", &k), KRENDER_E_KUSTOMIZATION);
    assert_string_equal(f->err.message, "kustomization.yaml is empty"); /* checked first */
    kr_err_clear(&f->err);
    assert_int_equal(load(f, "kind: Foo\nresources: []\n", &k), KRENDER_E_KUSTOMIZATION);
    assert_string_equal(f->err.message, "kind should be Kustomization or Component");
    kr_err_clear(&f->err);
    assert_int_equal(load(f, "apiVersion: v1\nresources: []\n", &k), KRENDER_E_KUSTOMIZATION);
    assert_string_equal(f->err.message,
                        "apiVersion for Kustomization should be kustomize.config.k8s.io/v1beta1");
    kr_err_clear(&f->err);
    assert_int_equal(load(f, "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
                             "resources: []\n", &k), 0);
    assert_true(k->is_component);
}

static void sort_options(void **state)
{
    fixture *f = *state;
    kr_kustomization *k;
    assert_int_equal(load(f, "resources: []\nsortOptions:\n  order: legacy\n  legacySortOptions:\n"
                             "    orderFirst: [A, B]\n", &k), 0);
    assert_true(k->has_sort_options);
    assert_int_equal(k->sort_order, KR_SORT_LEGACY);
    assert_int_equal(k->order_first.n, 2);
    assert_int_equal(k->order_last.n, 0);
    assert_int_equal(load(f, "sortOptions:\n  order: fifo\n  legacySortOptions: {}\n", &k),
                     KRENDER_E_KUSTOMIZATION);
    assert_int_equal(f->err.line, 3);
    kr_err_clear(&f->err);
    assert_int_equal(load(f, "sortOptions:\n  orders: fifo\n", &k), KRENDER_E_KUSTOMIZATION);
    assert_string_equal(f->err.message, "invalid Kustomization: json: unknown field \"orders\"");
}

static void finding_the_file(void **state)
{
    fixture *f = *state;
    char *path;
    assert_int_equal(kr_find_kustomization(&f->r, f->dir, &path), KRENDER_E_NOT_FOUND);
    assert_non_null(strstr(f->err.message, "unable to find one of 'kustomization.yaml'"));
    kr_err_clear(&f->err);
    tu_write(f->dir, "Kustomization", "resources: []\n");
    assert_int_equal(kr_find_kustomization(&f->r, f->dir, &path), 0);
    assert_non_null(strstr(path, "/Kustomization"));
    tu_write(f->dir, "kustomization.yml", "resources: []\n");
    assert_int_equal(kr_find_kustomization(&f->r, f->dir, &path), KRENDER_E_KUSTOMIZATION);
    assert_non_null(strstr(f->err.message, "Found multiple kustomization files"));
}

static void cache_rereads_changed_files(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/r.yaml", f->dir);
    tu_write(f->dir, "r.yaml", "a: 1\n");
    kr_file *a, *b;
    kr_node **docs;
    size_t n;
    assert_int_equal(kr_load_file(&f->r, path, &a), 0);
    assert_int_equal(kr_file_docs(&f->r, a, &docs, &n), 0);
    assert_int_equal(n, 1);
    kr_node **first = docs;
    assert_int_equal(kr_load_file(&f->r, path, &b), 0);
    assert_ptr_equal(a, b);
    assert_int_equal(kr_file_docs(&f->r, b, &docs, &n), 0);
    assert_ptr_equal(docs, first); /* parsed once */
    tu_write(f->dir, "r.yaml", "a: 1\nb: 2\n---\nc: 3\n"); /* size changes */
    assert_int_equal(kr_load_file(&f->r, path, &b), 0);
    assert_int_equal(kr_file_docs(&f->r, b, &docs, &n), 0);
    assert_int_equal(n, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(resources_then_bases, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_field_has_position, setup, teardown),
        cmocka_unit_test_setup_teardown(keys_match_case_insensitively, setup, teardown),
        cmocka_unit_test_setup_teardown(yaml11_types_are_strict, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_container_type, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_and_kind_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(sort_options, setup, teardown),
        cmocka_unit_test_setup_teardown(finding_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(cache_rereads_changed_files, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
