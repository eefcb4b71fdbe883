/* JSON 6902 (json6902.c): decoding, the pointer walker, every op, errors, float64 trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "parse.h"
#include "patch.h"

typedef struct fx {
    kr_render r;
    kr_err err;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->r.arena = kr_arena_new();
    f->r.strings = kr_interner_new(f->r.arena);
    f->r.err = &f->err;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    kr_err_clear(&f->err);
    kr_arena_free(f->r.arena);
    free(f);
    return 0;
}

/* Applies ops to doc; returns the emitted result or the error message (arena copies). */
static const char *run(fx *f, const char *doc, const char *ops)
{
    kr_node *d = NULL;
    kr_jp_patch p;
    assert_int_equal(kr_parse_document(f->r.arena, "t", doc, strlen(doc), KR_YAML_12, &d, &f->err), 0);
    int rc = kr_jp_decode(&f->r, ops, strlen(ops), "p", &p);
    if (!rc)
        rc = kr_jp_apply(&f->r, &p, d, "p");
    if (rc) {
        const char *m = kr_arena_strdup(f->r.arena, f->err.message);
        kr_err_clear(&f->err);
        return m;
    }
    kr_buf b = {0};
    assert_int_equal(kr_emit_document(d, &b, &f->err), 0);
    const char *out = kr_arena_strndup(f->r.arena, b.data, b.len);
    kr_buf_free(&b);
    return out;
}

static void test_split(void **state)
{
    fx *f = *state;
    char **t;
    size_t n;
    assert_true(kr_jp_split(f->r.arena, "/a/~1slash~0tilde/-/", &t, &n));
    assert_int_equal(n, 5);
    assert_string_equal(t[0], "");
    assert_string_equal(t[2], "/slash~tilde");
    assert_string_equal(t[3], "-");
    assert_string_equal(t[4], "");
}

static void test_add_arrays(void **state)
{
    fx *f = *state;
    assert_string_equal(run(f, "a: 1\n",
                            "[{\"op\": \"add\", \"path\": \"/spec\", \"value\": {\"arr\": [1, 2]}},"
                            " {\"op\": \"add\", \"path\": \"/spec/arr/-\", \"value\": 3},"
                            " {\"op\": \"add\", \"path\": \"/spec/arr/0\", \"value\": 0},"
                            " {\"op\": \"add\", \"path\": \"/spec/arr/-1\", \"value\": 9}]"),
                        "a: 1\nspec:\n  arr:\n  - 0\n  - 1\n  - 2\n  - 3\n  - 9\n");
    assert_string_equal(run(f, "a: 1\n", "- {op: add, path: /x~1y, value: \"2\"}\n"), "a: 1\nx/y: \"2\"\n");
}

static void test_ops(void **state)
{
    fx *f = *state;
    assert_string_equal(run(f, "a: {b: 1, c: [1, 2]}\n",
                            "- {op: replace, path: /a/b, value: 2}\n"
                            "- {op: replace, path: /a/new, value: 3}\n"
                            "- {op: copy, from: /a/c, path: /d}\n"
                            "- {op: move, from: /a/b, path: /e}\n"
                            "- {op: remove, path: /a/c/0}\n"
                            "- {op: test, path: /d/1, value: 2}\n"),
                        "a:\n  c:\n  - 2\n  new: 3\nd:\n- 1\n- 2\ne: 2\n");
}

static void test_errors(void **state)
{
    fx *f = *state;
    assert_string_equal(run(f, "data: {a: x}\n", "- {op: remove, path: /data/nope}\n"),
                        "error in remove for path: '/data/nope': Unable to remove nonexistent key: nope: missing value");
    assert_string_equal(run(f, "data: {a: x}\n", "- {op: add, path: /spec/nothere/x, value: 1}\n"),
                        "add operation does not apply: doc is missing path: \"/spec/nothere/x\": missing value");
    assert_string_equal(run(f, "data: {a: x}\n", "- {op: test, path: /data/a, value: y}\n"),
                        "testing value /data/a failed: test failed");
    assert_non_null(strstr(run(f, "a: 1\n", "{op: add}\n"), "cannot unmarshal object"));
}

static void test_float64(void **state)
{
    fx *f = *state;
    assert_string_equal(run(f, "big: 9007199254740993\nsmall: 7\n", "- {op: add, path: /x, value: 1}\n"),
                        "big: 9007199254740992\nsmall: 7\nx: 1\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_arrays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_float64, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
