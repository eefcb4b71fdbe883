/* Patch target selectors (selector.c): label-selector syntax and matching, anchored regexes
 * on ids (current and original), label and annotation selectors together. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "regex_cache.h"
#include "patch.h"
#include "scope.h"
#include "render_fixture.h"

typedef struct fx {
    kr_render r;
    kr_err err;
    kr_scope *scope;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f || tu_render_init(&f->r, &f->err, &f->scope))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    tu_render_fini(&f->r, &f->err, f->scope);
    free(f);
    return 0;
}

static kr_node *yaml(fx *f, const char *text)
{
    kr_node *n = NULL;
    assert_int_equal(kr_parse_document(f->r.arena, "t", text, strlen(text), KR_YAML_12, &n, &f->err), 0);
    return n;
}

static bool sel(fx *f, const char *s, const char *labels)
{
    kr_labelsel *ls;
    const char *problem;
    assert_int_equal(kr_labelsel_parse(f->r.arena, s, &ls, &problem), 0);
    return kr_labelsel_matches(ls, yaml(f, labels));
}

static void test_label_selector(void **state)
{
    fx *f = *state;
    const char *l = "{app: x, tier: web, n: \"5\"}";
    assert_true(sel(f, "", l));
    assert_true(sel(f, "app=x", l));
    assert_true(sel(f, "app==x, tier != db", l));
    assert_true(sel(f, "nope!=x", l));
    assert_false(sel(f, "app=y", l));
    assert_true(sel(f, "app in (x, y),tier notin (db)", l));
    assert_false(sel(f, "tier notin (web)", l));
    assert_true(sel(f, "nope notin (web)", l));
    assert_true(sel(f, "app,!nope", l));
    assert_false(sel(f, "!app", l));
    assert_true(sel(f, "n>3,n<6", l));
    assert_false(sel(f, "n>5", l));
    assert_false(sel(f, "app>1", l));
    kr_labelsel *ls;
    const char *problem;
    assert_int_not_equal(kr_labelsel_parse(f->r.arena, "a in ()", &ls, &problem), 0);
    assert_int_not_equal(kr_labelsel_parse(f->r.arena, "a>b", &ls, &problem), 0);
    assert_int_not_equal(kr_labelsel_parse(f->r.arena, "a=b,", &ls, &problem), 0);
    assert_int_not_equal(kr_labelsel_parse(f->r.arena, "a b", &ls, &problem), 0);
}

static kr_resource *res(fx *f, const char *text)
{
    kr_resource *r = kr_resource_new(&f->r, yaml(f, text), "r.yaml");
    assert_non_null(r);
    return r;
}

static bool target(fx *f, const char *t, const kr_resource *r)
{
    kr_selector *s;
    assert_int_equal(kr_selector_compile(&f->r, yaml(f, t), "k", &s), 0);
    bool m = kr_selector_matches(s, r);
    kr_selector_free(s);
    return m;
}

static void test_target(void **state)
{
    fx *f = *state;
    kr_resource *c1 = res(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c1, labels: {app: x}, annotations: {a: b}}\n");
    kr_resource *c12 = res(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c12, namespace: prod}\n");
    kr_resource *d = res(f, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n");
    assert_true(target(f, "{kind: ConfigMap, name: \"c[12]\"}", c1));
    assert_false(target(f, "{kind: ConfigMap, name: \"c[12]\"}", c12));
    assert_true(target(f, "{namespace: default}", c1));
    assert_true(target(f, "{namespace: \"pr.*\"}", c12));
    assert_true(target(f, "{group: apps, version: \"v\\\\d\"}", d));
    assert_false(target(f, "{group: app}", d));
    assert_true(target(f, "{group: \"\", kind: \"Config(Map|Other)\"}", c1));
    assert_true(target(f, "{labelSelector: app=x, annotationSelector: a}", c1));
    assert_false(target(f, "{labelSelector: app=x, annotationSelector: \"!a\"}", c1));
    /* the original name selects after a rename */
    kr_resource_push_prev(&f->r, c1);
    kr_map_set(f->r.arena, kr_map_get(c1->node, "metadata"), "name", kr_node_str(f->r.arena, "p-c1"));
    kr_resource_refresh_id(&f->r, c1);
    assert_true(target(f, "{name: c1}", c1));
    assert_true(target(f, "{name: p-c1}", c1));
    kr_selector *s;
    assert_int_not_equal(kr_selector_compile(&f->r, yaml(f, "{name: \"a(\"}"), "k", &s), 0);
    kr_err_clear(&f->err);
    assert_int_not_equal(kr_selector_compile(&f->r, yaml(f, "{bogus: x}"), "k", &s), 0);
    kr_err_clear(&f->err);
}

/* regex_cache.c: a pattern is compiled once per render and options tell patterns apart; a
 * pattern that does not compile is reported each time, not remembered. */
static void test_regex_cache(void **state)
{
    fx *f = *state;
    int code;
    PCRE2_SIZE off;
    pcre2_code *a = kr_regex(&f->r, "^(?:Deployment|StatefulSet)$", PCRE2_UTF, &code, &off);
    assert_non_null(a);
    for (int i = 0; i < 200; i++) { /* the table grows past its first size meanwhile */
        char p[32];
        snprintf(p, sizeof p, "^app-%d.*$", i);
        assert_non_null(kr_regex(&f->r, p, PCRE2_UTF, &code, &off));
    }
    assert_ptr_equal(kr_regex(&f->r, "^(?:Deployment|StatefulSet)$", PCRE2_UTF, &code, &off), a);
    pcre2_code *b = kr_regex(&f->r, "^(?:Deployment|StatefulSet)$", 0, &code, &off);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    for (int i = 0; i < 2; i++) {
        code = 0;
        assert_null(kr_regex(&f->r, "a(", PCRE2_UTF, &code, &off));
        assert_int_equal(code, PCRE2_ERROR_MISSING_CLOSING_PARENTHESIS);
    }
    /* two selectors with one pattern share its code and free only their own parts */
    kr_selector *s1, *s2;
    assert_int_equal(kr_selector_compile(&f->r, yaml(f, "{kind: \"Config(Map|X)\"}"), "k", &s1), 0);
    assert_int_equal(kr_selector_compile(&f->r, yaml(f, "{kind: \"Config(Map|X)\"}"), "k", &s2), 0);
    kr_resource *c = res(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
    kr_selector_free(s1);
    assert_true(kr_selector_matches(s2, c));
    kr_selector_free(s2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_regex_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_label_selector, setup, teardown),
        cmocka_unit_test_setup_teardown(test_target, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
