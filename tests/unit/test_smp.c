/* Strategic merge engine (smp.c) and the merge-key schema (schema.c): every directive and
 * list strategy of merge.md §1, results compared after kustomize's emitter. */
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
    const kr_smp_schema *s;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->r.arena = kr_arena_new();
    f->r.strings = kr_interner_new(f->r.arena);
    f->r.err = &f->err;
    f->s = kr_smp_schema_builtin();
    assert_non_null(f->s);
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

static kr_node *yaml(fx *f, const char *text)
{
    kr_node *n = NULL;
    assert_int_equal(kr_parse_document(f->r.arena, "t", text, strlen(text), KR_YAML_12, &n, &f->err), 0);
    return n;
}

/* Merges patch into doc and compares the emitted result with want ("" = deleted). */
static void check(fx *f, const char *doc, const char *patch, const char *want)
{
    kr_node *d = yaml(f, doc);
    assert_int_equal(kr_smp_merge(&f->r, f->s, &d, yaml(f, patch), "p"), 0);
    kr_buf b = {0};
    if (d)
        assert_int_equal(kr_emit_document(d, &b, &f->err), 0);
    kr_buf_putc(&b, '\0');
    assert_string_equal(b.data, want);
    kr_buf_free(&b);
}

#define DEP "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"

static void test_schema(void **state)
{
    fx *f = *state;
    const kr_smp_type *t = kr_smp_schema_root(f->s, "apps/v1", "Deployment");
    assert_non_null(t);
    assert_null(kr_smp_schema_root(f->s, "example.com/v1", "Widget"));
    const kr_smp_field *spec = kr_smp_type_field(t, "spec", 4);
    assert_non_null(spec);
    const kr_smp_type *ps = kr_smp_schema_root(f->s, "v1", "Pod");
    const kr_smp_field *c = kr_smp_type_field(kr_smp_type_field(ps, "spec", 4)->type, "containers", 10);
    assert_true(c->merge);
    assert_int_equal(c->nkeys, 1);
    assert_string_equal(c->keys[0], "name");
    const kr_smp_field *ports = kr_smp_type_field(c->type, "ports", 5);
    assert_int_equal(ports->nkeys, 2);
}

static void test_maps(void **state)
{
    fx *f = *state;
    check(f, "kind: K\na: 1\nb: {c: 1}\nn: null\ne:\n", "b: {d: 2}\na: null\n",
          "b:\n  c: 1\n  d: 2\nkind: K\n\"n\": null\n");
    check(f, "kind: K\nb: {c: 1}\n", "b: {$patch: replace, d: 2}\n", "b:\n  d: 2\nkind: K\n");
    check(f, "kind: K\nb: {c: 1}\n", "b: {$patch: delete}\n", "kind: K\n");
    check(f, "kind: K\n", "new: {keep: 1, gone: null, sub: {$patch: delete, x: 1}, sub2: {$patch: replace, z: 2}}\n",
          "kind: K\nnew:\n  keep: 1\n  sub2:\n    z: 2\n");
    check(f, "kind: K\na: 1\n", "$patch: delete\n", "");
    check(f, "kind: K\na: 1\n", "$patch: replace\nb: 2\n", "a: 1\nkind: K\n");
}

static void test_directive_errors(void **state)
{
    fx *f = *state;
    kr_node *d = yaml(f, "kind: K\nb: {c: 1}\n");
    assert_int_not_equal(kr_smp_merge(&f->r, f->s, &d, yaml(f, "b: {$patch: bogus}\n"), "p"), 0);
    assert_non_null(strstr(f->err.message, "unknown patch strategy 'bogus'"));
    kr_err_clear(&f->err);
    d = yaml(f, "kind: K\nb: {c: 1}\n");
    assert_int_not_equal(kr_smp_merge(&f->r, f->s, &d, yaml(f, "b: [1]\n"), "p"), 0);
    assert_non_null(strstr(f->err.message, "wrong node kind: expected MappingNode but got SequenceNode"));
    kr_err_clear(&f->err);
}

static void test_keyed_lists(void **state)
{
    fx *f = *state;
    check(f, DEP "spec: {template: {spec: {containers: [{name: a, image: a}, {name: b, image: b}, {name: c}]}}}\n",
          "spec: {template: {spec: {containers: [{name: c, image: c2}, {name: z2}, {name: b, $patch: delete}]}}}\n",
          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n"
          "      containers:\n      - image: c2\n        name: c\n      - name: z2\n      - image: a\n        name: a\n");
    /* list-level replace and delete */
    check(f, DEP "spec: {template: {spec: {containers: [{name: a}], volumes: [{name: v}]}}}\n",
          "spec: {template: {spec: {containers: [{$patch: replace}, {name: z}], volumes: [{$patch: delete}]}}}\n",
          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n"
          "      containers:\n      - name: z\n");
    /* element-level replace is written back (kyaml) but moves first */
    check(f, DEP "spec: {template: {spec: {volumes: [{name: a, x: 1}, {name: b, x: 1}]}}}\n",
          "spec: {template: {spec: {volumes: [{name: b, $patch: replace, y: 2}]}}}\n",
          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n"
          "      volumes:\n      - name: b\n        x: 1\n      - name: a\n        x: 1\n");
}

static void test_multikey_and_scalar_lists(void **state)
{
    fx *f = *state;
    check(f, "apiVersion: v1\nkind: Pod\nmetadata: {name: p, finalizers: [f1, f2]}\n"
             "spec: {containers: [{name: a, ports: [{containerPort: 80}, {containerPort: 53, protocol: UDP}]}]}\n",
          "metadata: {finalizers: [f3, f1]}\nspec: {containers: [{name: a, ports: [{containerPort: 53, protocol: TCP}]}]}\n",
          "apiVersion: v1\nkind: Pod\nmetadata:\n  finalizers:\n  - f3\n  - f1\n  - f2\n  name: p\nspec:\n"
          "  containers:\n  - name: a\n    ports:\n    - containerPort: 53\n      protocol: TCP\n"
          "    - containerPort: 80\n    - containerPort: 53\n      protocol: UDP\n");
}

static void test_unknown_kinds_and_kubernetes_only_directives(void **state)
{
    fx *f = *state;
    /* no schema: lists replaced; $setElementOrder & co are plain fields in kustomize */
    check(f, "apiVersion: x/v1\nkind: W\nspec: {items: [{name: a}, {name: b}]}\n",
          "spec: {items: [{name: z}], $retainKeys: [items]}\n",
          "apiVersion: x/v1\nkind: W\nspec:\n  $retainKeys:\n  - items\n  items:\n  - name: z\n");
    check(f, DEP "spec: {template: {spec: {tolerations: [{key: old}]}}}\n",
          "spec: {template: {spec: {$setElementOrder/containers: [{name: a}], tolerations: [{key: new}]}}}\n",
          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n"
          "      $setElementOrder/containers:\n      - name: a\n      tolerations:\n      - key: new\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_maps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directive_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyed_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multikey_and_scalar_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_kinds_and_kubernetes_only_directives, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
