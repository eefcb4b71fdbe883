/* Resource ids, the indexed resource map and the legacy output order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "order.h"
#include "resmap.h"
#include "scope.h"
#include "render_fixture.h"

typedef struct fixture {
    kr_render r;
    kr_err err;
    kr_scope *scope;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || tu_render_init(&f->r, &f->err, &f->scope))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tu_render_fini(&f->r, &f->err, f->scope);
    free(f);
    return 0;
}

static kr_resource *mk(kr_render *r, const char *api, const char *kind, const char *name,
                       const char *ns)
{
    kr_arena *a = r->arena;
    kr_node *doc = kr_node_map(a, 3), *meta = kr_node_map(a, 2);
    if (api)
        kr_map_set(a, doc, "apiVersion", kr_node_str(a, api));
    kr_map_set(a, doc, "kind", kr_node_str(a, kind));
    kr_map_set(a, meta, "name", kr_node_str(a, name));
    if (ns)
        kr_map_set(a, meta, "namespace", kr_node_str(a, ns));
    kr_map_set(a, doc, "metadata", meta);
    kr_resource *res = kr_resource_new(r, doc, "test.yaml");
    assert_non_null(res);
    return res;
}

static void ids_follow_kustomize_equality(void **state)
{
    fixture *f = *state;
    kr_resource *a = mk(&f->r, "v1", "ConfigMap", "x", NULL);
    kr_resource *b = mk(&f->r, "v1", "ConfigMap", "x", "default");
    kr_resource *c = mk(&f->r, "v1", "ConfigMap", "x", "prod");
    kr_resource *d = mk(&f->r, "apps/v1", "Deployment", "x", NULL);
    kr_resource *e = mk(&f->r, "extensions/v1beta1", "Deployment", "x", NULL);
    assert_true(kr_resid_equal(&a->id, &b->id)); /* "" and default are one namespace */
    assert_int_equal(kr_resid_hash(&a->id), kr_resid_hash(&b->id));
    assert_false(kr_resid_equal(&a->id, &c->id));
    assert_false(kr_resid_equal(&d->id, &e->id)); /* groups differ */
    assert_string_equal(d->id.group, "apps");
    assert_string_equal(d->id.version, "v1");
    kr_resource *cr1 = mk(&f->r, "rbac.authorization.k8s.io/v1", "ClusterRole", "r", "a");
    kr_resource *cr2 = mk(&f->r, "rbac.authorization.k8s.io/v1", "ClusterRole", "r", "b");
    assert_true(cr1->id.cluster_scoped);
    assert_true(kr_resid_equal(&cr1->id, &cr2->id)); /* cluster-scoped: namespace ignored */
    assert_false(mk(&f->r, "rbac.authorization.k8s.io/v1alpha1", "ClusterRole", "r", NULL)->id.cluster_scoped);
    assert_string_equal(kr_resid_string(f->r.arena, &a->id), "ConfigMap.v1.[noGrp]/x.[noNs]");
    assert_string_equal(kr_resid_string(f->r.arena, &c->id), "ConfigMap.v1.[noGrp]/x.prod");
}

static void append_rejects_duplicates(void **state)
{
    fixture *f = *state;
    kr_resmap m = {0};
    for (int i = 0; i < 500; i++) { /* several index rebuilds */
        char name[16];
        snprintf(name, sizeof name, "cm%d", i);
        assert_int_equal(kr_resmap_append(&f->r, &m, mk(&f->r, "v1", "ConfigMap", name, NULL)), 0);
    }
    assert_int_equal(kr_resmap_append(&f->r, &m, mk(&f->r, "v1", "ConfigMap", "cm7", "default")),
                     KRENDER_E_CONFLICT);
    assert_non_null(strstr(f->err.message, "may not add resource with an already registered id"));
    assert_string_equal(f->err.file, "test.yaml");
    kr_resource *probe = mk(&f->r, "v1", "ConfigMap", "cm42", NULL);
    assert_ptr_equal(kr_resmap_find(&f->r, &m, &probe->id), m.items[42]);
    assert_int_equal(m.len, 500);
}

static void index_follows_renames(void **state)
{
    fixture *f = *state;
    kr_resmap m = {0};
    kr_resource *a = mk(&f->r, "v1", "ConfigMap", "a", NULL);
    assert_int_equal(kr_resmap_append(&f->r, &m, a), 0);
    kr_map_set(f->r.arena, kr_map_get(a->node, "metadata"), "name", kr_node_str(f->r.arena, "p-a"));
    assert_int_equal(kr_resource_push_prev(&f->r, a), 0);
    assert_int_equal(kr_resource_refresh_id(&f->r, a), 0);
    kr_resmap_ids_changed(&m);
    kr_resource *probe = mk(&f->r, "v1", "ConfigMap", "p-a", NULL);
    assert_ptr_equal(kr_resmap_find(&f->r, &m, &probe->id), a);
    assert_string_equal(kr_resource_orig_id(a)->name, "a");
    /* the old name is free again */
    assert_int_equal(kr_resmap_append(&f->r, &m, mk(&f->r, "v1", "ConfigMap", "a", NULL)), 0);
}

/* pipeline.md §12, observed `order-legacy`. */
static void legacy_order_matches_oracle(void **state)
{
    fixture *f = *state;
    kr_render *r = &f->r;
    kr_resmap m = {0};
    kr_resource *in[] = {
        mk(r, "apps/v1", "Deployment", "d", NULL),
        mk(r, "v1", "Service", "s", NULL),
        mk(r, "admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "w", NULL),
        mk(r, "example.com/v1", "Namespace", "ns-custom", NULL),
        mk(r, "v1", "Namespace", "ns-core", NULL),
        mk(r, "example.com/v1", "Zebra", "z", NULL),
        mk(r, "example.com/v1", "Alpha", "b", "x"),
        mk(r, "example.com/v1", "Alpha", "a", "y"),
        mk(r, "example.com/v1", "Alpha", "c", NULL),
        mk(r, "v1", "ConfigMap", "cm", NULL),
        mk(r, "rbac.authorization.k8s.io/v1", "ClusterRole", "cr", NULL),
    };
    for (size_t i = 0; i < sizeof in / sizeof *in; i++)
        assert_int_equal(kr_resmap_append(r, &m, in[i]), 0);
    assert_int_equal(kr_order_legacy(r, &m, false, NULL, NULL), 0);
    static const char *want[] = {"ns-core", "ns-custom", "cr", "cm", "s", "d", "b", "a", "c", "z", "w"};
    for (size_t i = 0; i < m.len; i++)
        assert_string_equal(m.items[i]->id.name, want[i]);

    kr_node *first = kr_node_str(r->arena, "Zebra"), *last = kr_node_str(r->arena, "Deployment");
    kr_strlist lf = {&first, 1}, ll = {&last, 1};
    assert_int_equal(kr_order_legacy(r, &m, true, &lf, &ll), 0);
    static const char *want2[] = {"z", "w", "b", "a", "c", "ns-core", "ns-custom", "cr", "cm", "s", "d"};
    for (size_t i = 0; i < m.len; i++)
        assert_string_equal(m.items[i]->id.name, want2[i]);
}

static bool keep_even(const kr_resource *res, void *arg)
{
    (void)arg;
    return (res->id.name[strlen(res->id.name) - 1] - '0') % 2 == 0;
}

static void filter_keeps_order(void **state)
{
    fixture *f = *state;
    kr_resmap m = {0};
    for (int i = 0; i < 6; i++) {
        char name[8];
        snprintf(name, sizeof name, "n%d", i);
        kr_resmap_append(&f->r, &m, mk(&f->r, "v1", "ConfigMap", name, NULL));
    }
    kr_resmap_filter(&m, keep_even, NULL);
    assert_int_equal(m.len, 3);
    assert_string_equal(m.items[1]->id.name, "n2");
    kr_resource *probe = mk(&f->r, "v1", "ConfigMap", "n1", NULL);
    assert_null(kr_resmap_find(&f->r, &m, &probe->id));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ids_follow_kustomize_equality, setup, teardown),
        cmocka_unit_test_setup_teardown(append_rejects_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(index_follows_renames, setup, teardown),
        cmocka_unit_test_setup_teardown(legacy_order_matches_oracle, setup, teardown),
        cmocka_unit_test_setup_teardown(filter_keeps_order, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
