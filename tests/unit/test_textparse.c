/* Inline texts parsed once per context (textparse.h): the first reading is the render's own, a
 * later one takes the context's kept parse; failures are never kept; a kept parse is shared,
 * so nothing a render does to its resources reaches it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "render_fixture.h"
#include "resource.h"
#include "textparse.h"

typedef struct fixture {
    kr_render r;
    kr_err err;
    kr_scope *scope;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || tu_render_init(&f->r, &f->err, &f->scope) || kr_cache_new(&f->r.cache))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    kr_cache_free(f->r.cache);
    tu_render_fini(&f->r, &f->err, f->scope);
    free(f);
    return 0;
}

static const char patch[] = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n"
                            "spec:\n  replicas: 2\n";

static kr_node **stream(fixture *f, const char *file, const char *text)
{
    kr_node **docs = NULL;
    size_t n = 0;
    bool top = false;
    assert_int_equal(kr_text_stream(&f->r, file, text, strlen(text), &docs, &n, &top), 0);
    assert_int_equal(n, 1);
    assert_true(top);
    return docs;
}

static void kept_from_the_second_reading(void **state)
{
    fixture *f = *state;
    kr_node **first = stream(f, "k.yaml", patch);
    assert_true(kr_arena_owns(f->r.arena, first[0])); /* the render's own */
    kr_node **second = stream(f, "k.yaml", patch);
    assert_false(kr_arena_owns(f->r.arena, second[0])); /* the context's */
    assert_ptr_equal(stream(f, "k.yaml", patch)[0], second[0]);
    assert_string_equal(kr_map_get_str(kr_map_get(second[0], "metadata"), "name"), "x");
    /* another file, another text, another reading: apart */
    assert_true(kr_arena_owns(f->r.arena, stream(f, "other.yaml", patch)[0]));
    char changed[sizeof patch];
    memcpy(changed, patch, sizeof patch);
    changed[sizeof patch - 3] = '3';
    kr_node **c = stream(f, "k.yaml", changed);
    assert_true(kr_arena_owns(f->r.arena, c[0]));
    assert_string_equal(kr_map_get_str(kr_map_get(stream(f, "k.yaml", changed)[0], "spec"),
                                       "replicas"), "3");
    kr_node *doc = NULL;
    assert_int_equal(kr_text_document(&f->r, "k.yaml", patch, strlen(patch), KR_YAML_11, &doc), 0);
    assert_true(kr_arena_owns(f->r.arena, doc));
    assert_int_equal(kr_text_document(&f->r, "k.yaml", patch, strlen(patch), KR_YAML_11, &doc), 0);
    assert_false(kr_arena_owns(f->r.arena, doc));
}

static void failures_are_not_kept(void **state)
{
    fixture *f = *state;
    const char *bad = "a: [1, 2\n";
    for (int i = 0; i < 3; i++) {
        kr_node *doc = NULL;
        assert_int_not_equal(kr_text_document(&f->r, "bad.yaml", bad, strlen(bad), KR_YAML_11,
                                              &doc), 0);
        assert_non_null(f->err.message);
        assert_string_equal(f->err.file, "bad.yaml");
        kr_err_clear(&f->err);
    }
}

/* One text (a component's patch) read from the kustomizations of 600 apps, twice each: every
 * file gets its own kept parse, found again after the table has grown many times over. */
static void one_text_from_many_files(void **state)
{
    fixture *f = *state;
    kr_node **kept[600];
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 600; i++) {
            char file[32];
            snprintf(file, sizeof file, "apps/a%d/kustomization.yaml", i);
            kr_node **docs = stream(f, file, patch);
            if (round == 0)
                assert_true(kr_arena_owns(f->r.arena, docs[0])); /* first reading */
            else if (round == 1)
                kept[i] = docs;
            else
                assert_ptr_equal(docs[0], kept[i][0]); /* the same kept parse */
            if (round)
                assert_false(kr_arena_owns(f->r.arena, docs[0]));
        }
    for (int i = 1; i < 600; i++)
        assert_ptr_not_equal(kept[i][0], kept[i - 1][0]);
}

/* A List without items gets a metadata mapping as a resource: on a copy, not on the kept
 * document the next render reads. */
static void resources_leave_the_kept_parse_alone(void **state)
{
    fixture *f = *state;
    const char *list = "apiVersion: v1\nkind: ConfigMapList\n";
    kr_node **docs = NULL;
    for (int i = 0; i < 2; i++)
        docs = stream(f, "l.yaml", list);
    kr_resource **res = NULL;
    size_t n = 0, cap = 0;
    assert_int_equal(kr_resources_from_docs(&f->r, "l.yaml", docs, 1, &res, &n, &cap), 0);
    assert_int_equal(n, 1);
    assert_non_null(kr_map_get(res[0]->node, "metadata"));
    assert_null(kr_map_get(docs[0], "metadata"));
    assert_int_equal(docs[0]->len, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(kept_from_the_second_reading, setup, teardown),
        cmocka_unit_test_setup_teardown(failures_are_not_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(one_text_from_many_files, setup, teardown),
        cmocka_unit_test_setup_teardown(resources_leave_the_kept_parse_alone, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
