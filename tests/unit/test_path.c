/* Lexical path handling used by the loader (clean, join, relative, containment). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "path.h"

static void clean_matches_go(void **state)
{
    (void)state;
    kr_arena *a = kr_arena_new();
    static const char *cases[][2] = {
        {"a/b/../c", "a/c"}, {"/a/./b//c/", "/a/b/c"}, {"", "."}, {"../x/../../y", "../../y"},
        {"/..", "/"}, {"a/..", "."}, {"./a", "a"}, {"/a/b/..", "/a"}, {"..", ".."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(kr_path_clean(a, cases[i][0]), cases[i][1]);
    assert_string_equal(kr_path_join(a, "/r/o", "../base"), "/r/base");
    assert_string_equal(kr_path_join(a, "/r/o", "/abs/x"), "/abs/x");
    kr_arena_free(a);
}

/* kr_path_join into the arena and into a caller's buffer agree, also beyond the join's stack
 * buffer; a buffer too small is refused, not overrun. */
static void joins(void **state)
{
    (void)state;
    kr_arena *a = kr_arena_new();
    static const char *cases[][3] = {
        {"/r/o", "../base", "/r/base"}, {"/r/o", "/abs/./x/", "/abs/x"}, {"/", "a//b/..", "/a"},
        {"/r", "./x.yaml", "/r/x.yaml"}, {"/a/b", "../../..", "/"}, {"rel", "../../up", "../up"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_string_equal(kr_path_join(a, cases[i][0], cases[i][1]), cases[i][2]);
        assert_true(kr_path_join_buf(buf, sizeof buf, cases[i][0], cases[i][1]));
        assert_string_equal(buf, cases[i][2]);
    }
    char tiny[8];
    assert_false(kr_path_join_buf(tiny, sizeof tiny, "/dir", "file.yaml"));
    assert_true(kr_path_join_buf(tiny, sizeof tiny, "/d", "f"));
    assert_string_equal(tiny, "/d/f");
    /* a path longer than kr_path_join's 1 KiB stack buffer */
    char dir[3000], want[3100];
    memset(dir, 'd', sizeof dir - 1);
    dir[0] = '/';
    dir[sizeof dir - 1] = '\0';
    snprintf(want, sizeof want, "%s/x", dir);
    assert_string_equal(kr_path_join(a, dir, "y/../x"), want);
    kr_arena_free(a);
}

static void relative_paths(void **state)
{
    (void)state;
    kr_arena *a = kr_arena_new();
    static const char *cases[][3] = {
        {"/a/b", "/a/b/c", "c"}, {"/a/b", "/a/c", "../c"}, {"/a/b", "/a/b", "."},
        {"/a/b/c", "/a", "../.."}, {"/", "/x/y", "x/y"}, {"/a/bc", "/a/b", "../b"},
        {"/a/b", "/a/bc/d", "../bc/d"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(kr_path_relto(a, cases[i][0], cases[i][1]), cases[i][2]);
    kr_arena_free(a);
}

static void containment(void **state)
{
    (void)state;
    assert_true(kr_path_within("/a/b", "/a/b"));
    assert_true(kr_path_within("/a/b/c", "/a/b"));
    assert_false(kr_path_within("/a/bc", "/a/b"));
    assert_false(kr_path_within("/a", "/a/b"));
    assert_true(kr_path_within("/x", "/"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_matches_go),
        cmocka_unit_test(joins),
        cmocka_unit_test(relative_paths),
        cmocka_unit_test(containment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
