/* Node model: construction, map access and mutation, deep copy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "node.h"

static int setup(void **state)
{
    *state = kr_arena_new();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    kr_arena_free(*state);
    return 0;
}

static void map_set_get_remove(void **state)
{
    kr_arena *a = *state;
    kr_node *m = kr_node_map(a, 0);
    assert_non_null(m);
    for (int i = 0; i < 20; i++) { /* forces growth past the initial capacity */
        char k[8];
        snprintf(k, sizeof k, "k%d", i);
        assert_true(kr_map_set(a, m, k, kr_node_str(a, k)));
    }
    assert_int_equal(m->len, 20);
    assert_string_equal(kr_map_get_str(m, "k7"), "k7");
    assert_true(kr_map_set(a, m, "k7", kr_node_str(a, "seven")));
    assert_int_equal(m->len, 20); /* replaced, not appended */
    assert_string_equal(kr_map_get_str(m, "k7"), "seven");
    assert_true(kr_map_remove(m, "k0"));
    assert_false(kr_map_remove(m, "k0"));
    assert_int_equal(m->len, 19);
    assert_string_equal(m->u.pairs[0].key->u.text, "k1"); /* order kept */
    assert_null(kr_map_get(m, "nope"));
    assert_null(kr_map_get(kr_node_str(a, "x"), "k1")); /* not a map */
}

static void scalar_types_and_nulls(void **state)
{
    kr_arena *a = *state;
    kr_node *n = kr_node_scalar(a, KR_T_NULL, "~", 1);
    assert_true(kr_is_null(n));
    assert_true(kr_is_null(NULL));
    assert_false(kr_is_str(n));
    kr_node *m = kr_node_map(a, 1);
    kr_map_set(a, m, "v", n);
    assert_null(kr_map_get_str(m, "v")); /* a null is not a string value */
    kr_node *s = kr_node_scalar(a, KR_T_STR, "a\0b", 3);
    assert_int_equal(s->len, 3);
    assert_true(kr_scalar_eq(s, "a\0b", 3));
}

static void deep_copy_is_independent(void **state)
{
    kr_arena *a = *state;
    kr_node *root = kr_node_map(a, 0), *seq = kr_node_seq(a, 0), *inner = kr_node_map(a, 0);
    kr_map_set(a, inner, "x", kr_node_str(a, "1"));
    kr_seq_append(a, seq, inner);
    kr_seq_append(a, seq, kr_node_str(a, "two"));
    kr_map_set(a, root, "list", seq);
    kr_node *copy = kr_node_copy(a, root);
    kr_node *cinner = kr_map_get(copy, "list")->u.items[0];
    kr_map_set(a, cinner, "x", kr_node_str(a, "changed"));
    kr_map_set(a, cinner, "y", kr_node_str(a, "new"));
    assert_string_equal(kr_map_get_str(inner, "x"), "1");
    assert_null(kr_map_get(inner, "y"));
    assert_int_equal(kr_map_get(copy, "list")->len, 2);
    const char *path[] = {"list", NULL};
    assert_ptr_equal(kr_node_path(root, path), seq);
}

static void arena_alignment_and_printf(void **state)
{
    kr_arena *a = *state;
    for (int i = 1; i < 100; i++) {
        void *p = kr_arena_alloc(a, (size_t)i);
        assert_int_equal((uintptr_t)p % 8, 0);
    }
    void *big = kr_arena_alloc(a, 10u << 20); /* larger than any chunk */
    assert_non_null(big);
    memset(big, 1, 10u << 20);
    assert_string_equal(kr_arena_printf(a, "%s-%d", "x", 42), "x-42");
    assert_true(kr_arena_used(a) > (10u << 20));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(map_set_get_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(scalar_types_and_nulls, setup, teardown),
        cmocka_unit_test_setup_teardown(deep_copy_is_independent, setup, teardown),
        cmocka_unit_test_setup_teardown(arena_alignment_and_printf, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
