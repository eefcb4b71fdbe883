/* The rename family: NamespaceTransformer, Prefix/SuffixTransformer and the name-reference
 * fixer, driven through their config API (xf_rename.h) on resources parsed from YAML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accumulate.h"
#include "emit.h"
#include "parse.h"
#include "scope.h"
#include "transformers.h"
#include "xf_rename.h"
#include "render_fixture.h"

typedef struct fixture {
    kr_render r;
    kr_err err;
    kr_scope *scope;
    kr_accum ra;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || tu_render_init(&f->r, &f->err, &f->scope))
        return -1;
    if (kr_tconfig_defaults(f->r.arena, &f->ra.config, &f->err))
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

/* Appends the resources of a YAML stream to the accumulator. */
static void add(fixture *f, const char *yaml)
{
    kr_node **docs;
    size_t ndocs, n = 0, cap = 0;
    kr_resource **res = NULL;
    assert_int_equal(kr_parse_stream(f->r.arena, "t.yaml", yaml, strlen(yaml), &docs, &ndocs,
                                     &f->err),
                     0);
    assert_int_equal(kr_resources_from_docs(&f->r, "t.yaml", docs, ndocs, &res, &n, &cap), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(kr_resmap_append(&f->r, &f->ra.res, res[i]), 0);
}

/* The output text of resource i. */
static char *out(fixture *f, size_t i)
{
    kr_buf b = {0};
    assert_int_equal(kr_emit_document(f->ra.res.items[i]->node, &b, &f->err), 0);
    char *s = kr_arena_strdup(f->r.arena, b.data);
    kr_buf_free(&b);
    return s;
}

/* A one-element list {kind, path} (path of up to 4 elements). */
static kr_fslist *one_spec(fixture *f, const char *kind, const char *path)
{
    kr_fslist *l = kr_arena_zalloc(f->r.arena, sizeof *l);
    const char **elems = kr_arena_zalloc(f->r.arena, 4 * sizeof *elems);
    char *p = kr_arena_strdup(f->r.arena, path);
    kr_fieldspec fs = {.group = "", .version = "", .kind = kind, .path = path, .elems = elems};
    for (char *t = strtok(p, "/"); t && fs.nelems < 4; t = strtok(NULL, "/"))
        elems[fs.nelems++] = t;
    assert_int_equal(kr_fslist_append(f->r.arena, l, &fs), 0);
    return l;
}

static int ns(fixture *f, const char *name)
{
    kr_ns_config c = {.ns = name, .specs = &f->ra.config.lists[KR_FS_NAMESPACE]};
    return kr_namespace_apply(&f->r, &f->ra.res, &c);
}

static int affix(fixture *f, const char *a, bool suffix)
{
    return kr_affix_apply(&f->r, &f->ra.res, a, suffix,
                          &f->ra.config.lists[suffix ? KR_FS_NAME_SUFFIX : KR_FS_NAME_PREFIX]);
}

/* ---- PrefixTransformer / SuffixTransformer ---- */

static void prefix_suffix_skip_special_kinds(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n"
           "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
           "metadata: {name: crd}\n"
           "---\napiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: api}\n"
           "---\napiVersion: other.io/v1\nkind: APIService\nmetadata: {name: api2}\n"
           "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n");
    assert_int_equal(affix(f, "p-", false), 0);
    assert_int_equal(affix(f, "-s", true), 0);
    kr_resource **r = f->ra.res.items;
    assert_string_equal(r[0]->id.name, "p-cm-s");
    assert_string_equal(r[1]->id.name, "crd");
    assert_string_equal(r[2]->id.name, "api");
    assert_string_equal(r[3]->id.name, "p-api2-s"); /* APIService of another group */
    assert_string_equal(r[4]->id.name, "ns");
    /* both renames recorded previous ids and the affixes */
    assert_int_equal(r[0]->nprev, 2);
    assert_string_equal(r[0]->prev[0].name, "cm");
    assert_string_equal(r[0]->prev[1].name, "p-cm");
    assert_int_equal(r[0]->nprefixes, 1);
    assert_string_equal(r[0]->prefixes[0], "p-");
    assert_string_equal(r[0]->suffixes[0], "-s");
    assert_int_equal(r[1]->nprev, 0);
}

static void prefix_keeps_style_and_retypes_plain(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: 23}\n"
           "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"24\"}\n");
    assert_int_equal(affix(f, "1", false), 0);
    assert_string_equal(out(f, 0), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 123\n");
    assert_string_equal(out(f, 1),
                        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"124\"\n");
}

static void prefix_layers_compose(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n");
    assert_int_equal(affix(f, "b-", false), 0);
    assert_int_equal(affix(f, "o-", false), 0);
    kr_resource *r = f->ra.res.items[0];
    assert_string_equal(r->id.name, "o-b-cm");
    assert_int_equal(r->nprefixes, 2);
    assert_string_equal(r->prefixes[0], "b-"); /* innermost first */
    assert_string_equal(r->prefixes[1], "o-");
}

static void prefix_on_map_is_an_error(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\nspec: {x: {a: b}}\n");
    kr_fslist *specs = one_spec(f, "", "spec/x");
    assert_int_not_equal(kr_affix_apply(&f->r, &f->ra.res, "p-", false, specs), 0);
    assert_non_null(strstr(f->err.message, "expected ScalarNode but got MappingNode"));
}

/* ---- NamespaceTransformer ---- */

static void namespace_sets_overwrites_and_keeps_cluster_scoped(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
           "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: old}\n"
           "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
           "metadata: {name: cr, namespace: shouldstay}\n"
           "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: foo}\n"
           "---\napiVersion: example.com/v1\nkind: Namespace\nmetadata: {name: bar}\n"
           "---\napiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: s}\n"
           "spec: {group: local}\n");
    assert_int_equal(ns(f, "prod"), 0);
    kr_resource **r = f->ra.res.items;
    assert_string_equal(r[0]->id.ns, "prod");
    assert_string_equal(r[1]->id.ns, "prod");
    assert_string_equal(r[2]->id.ns, "shouldstay");
    assert_string_equal(r[3]->id.name, "prod"); /* core Namespace objects are renamed */
    assert_string_equal(r[4]->id.name, "bar");  /* only apiVersion v1 */
    assert_string_equal(r[4]->id.ns, "prod");   /* a custom kind is namespaced */
    assert_non_null(strstr(out(f, 5), "service:\n    namespace: prod\n"));
    for (size_t i = 0; i < f->ra.res.len; i++)
        assert_int_equal(r[i]->nprev, 1); /* the previous id is always recorded */
    assert_string_equal(r[3]->prev[0].name, "foo");
}

static void namespace_binding_subjects(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: rb}\n"
           "subjects:\n- {kind: ServiceAccount, name: default}\n"
           "- {kind: ServiceAccount, name: other, namespace: x}\n"
           "- {kind: User, name: default, namespace: y}\n");
    assert_int_equal(ns(f, "prod"), 0);
    assert_string_equal(out(f, 0),
                        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
                        "metadata:\n  name: rb\n  namespace: prod\nsubjects:\n"
                        "- kind: ServiceAccount\n  name: default\n  namespace: prod\n"
                        "- kind: ServiceAccount\n  name: other\n  namespace: x\n"
                        "- kind: User\n  name: default\n  namespace: prod\n");
}

static void namespace_modes(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
           "metadata: {name: crb}\n"
           "subjects:\n- {kind: ServiceAccount, name: a}\n- {kind: User, name: default}\n"
           "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep, namespace: mine}\n"
           "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: fill}\n");
    kr_ns_config c = {.ns = "prod", .specs = &f->ra.config.lists[KR_FS_NAMESPACE],
                      .unset_only = true, .subjects = KR_RB_ALL_SERVICE_ACCOUNTS};
    assert_int_equal(kr_namespace_apply(&f->r, &f->ra.res, &c), 0);
    const char *o = out(f, 0);
    assert_non_null(strstr(o, "- kind: ServiceAccount\n  name: a\n  namespace: prod\n"));
    assert_non_null(strstr(o, "- kind: User\n  name: default\n"));
    assert_null(strstr(o, "name: default\n  namespace"));
    assert_string_equal(f->ra.res.items[1]->id.ns, "mine");
    assert_string_equal(f->ra.res.items[2]->id.ns, "prod");
}

static void namespace_conflict(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: foo}\n"
           "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    assert_int_equal(ns(f, "foo"), KRENDER_E_CONFLICT);
    assert_non_null(strstr(f->err.message, "namespace transformation produces ID conflict"));
}

static void namespace_no_conflict_with_itself(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: b}\n"
           "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: y, namespace: a}\n");
    assert_int_equal(ns(f, "b"), 0);
}

/* ---- name references ---- */

static void nameref_follows_renames(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n"
           "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n"
           "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\n"
           "spec:\n  template:\n    spec:\n      serviceAccountName: sa\n"
           "      volumes:\n      - configMap: {name: cfg}\n      - configMap: {name: not-mine}\n"
           "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
           "metadata: {name: cr}\nrules:\n- resourceNames: [cfg, other]\n"
           "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
           "metadata: {name: rb}\n"
           "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr}\n"
           "subjects:\n- {kind: ServiceAccount, name: sa}\n");
    assert_int_equal(ns(f, "prod"), 0);
    assert_int_equal(affix(f, "p-", false), 0);
    assert_int_equal(kr_fix_name_references(&f->r, &f->ra), 0);
    const char *d = out(f, 2);
    assert_non_null(strstr(d, "serviceAccountName: p-sa\n"));
    assert_non_null(strstr(d, "name: p-cfg\n"));
    assert_non_null(strstr(d, "name: not-mine\n"));
    assert_non_null(strstr(out(f, 3), "- p-cfg\n  - other\n"));
    const char *rb = out(f, 4);
    assert_non_null(strstr(rb, "kind: ClusterRole\n  name: p-cr\n"));
    assert_non_null(strstr(rb, "- kind: ServiceAccount\n  name: p-sa\n  namespace: prod\n"));
}

static void nameref_roleref_kind_must_match(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\n"
           "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
           "metadata: {name: r}\n"
           "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
           "metadata: {name: rb}\n"
           "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\n");
    assert_int_equal(kr_affix_apply(&f->r, &f->ra.res, "r-", false, one_spec(f, "Role", "metadata/name")), 0);
    assert_int_equal(kr_affix_apply(&f->r, &f->ra.res, "c-", false,
                                    one_spec(f, "ClusterRole", "metadata/name")),
                     0);
    /* the Role target's filter runs first but roleRef.kind rules the Role out */
    assert_int_equal(kr_fix_name_references(&f->r, &f->ra), 0);
    assert_non_null(strstr(out(f, 2), "kind: ClusterRole\n  name: c-r\n"));
}

static void nameref_prefixes_disambiguate(void **state)
{
    fixture *f = *state;
    /* two bases with prefixes a- and b-, each with cfg and a Deployment using it */
    add(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n"
           "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\n"
           "spec: {template: {spec: {volumes: [{configMap: {name: cfg}}]}}}\n");
    assert_int_equal(affix(f, "a-", false), 0);
    kr_accum other = {0};
    kr_accum mine = f->ra;
    f->ra = other;
    f->ra.config = mine.config;
    add(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n"
           "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\n"
           "spec: {template: {spec: {volumes: [{configMap: {name: cfg}}]}}}\n");
    assert_int_equal(affix(f, "b-", false), 0);
    assert_int_equal(kr_resmap_append_all(&f->r, &mine.res, &f->ra.res), 0);
    f->ra = mine;
    assert_int_equal(affix(f, "o-", false), 0);
    assert_int_equal(kr_fix_name_references(&f->r, &f->ra), 0);
    assert_non_null(strstr(out(f, 1), "name: o-a-cfg\n"));
    assert_non_null(strstr(out(f, 3), "name: o-b-cfg\n"));
}

static void nameref_ambiguity_is_an_error(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, namespace: a}\n"
           "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, namespace: b}\n"
           "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
           "metadata: {name: crb}\nsubjects:\n- {kind: ServiceAccount, name: sa}\n");
    for (size_t i = 0; i < f->ra.res.len; i++)
        assert_int_equal(kr_resource_push_prev(&f->r, f->ra.res.items[i]), 0);
    assert_int_not_equal(kr_fix_name_references(&f->r, &f->ra), 0);
    assert_non_null(strstr(f->err.message, "found multiple possible referrals: "
                                           "ServiceAccount.v1.[noGrp]/sa.a, "
                                           "ServiceAccount.v1.[noGrp]/sa.b"));
}

static void nameref_map_namespace_narrows(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, namespace: a}\n"
           "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, namespace: b}\n"
           "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
           "metadata: {name: crb}\n"
           "subjects:\n- {kind: ServiceAccount, name: sa, namespace: b}\n");
    assert_int_equal(affix(f, "p-", false), 0);
    assert_int_equal(kr_fix_name_references(&f->r, &f->ra), 0);
    assert_non_null(strstr(out(f, 2), "name: p-sa\n  namespace: b\n"));
}

static void nameref_default_namespace_and_missing_name(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: default}\n"
           "---\napiVersion: v1\nkind: Pod\nmetadata: {name: pod}\n"
           "spec: {volumes: [{configMap: {name: cfg}}]}\n");
    assert_int_equal(affix(f, "p-", false), 0);
    assert_int_equal(kr_fix_name_references(&f->r, &f->ra), 0);
    /* "" and default are one namespace */
    assert_non_null(strstr(out(f, 1), "name: p-cfg\n"));
}

static void nameref_map_without_name_is_an_error(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n"
           "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
           "metadata: {name: crb}\nsubjects:\n- {kind: ServiceAccount}\n");
    assert_int_equal(affix(f, "p-", false), 0);
    assert_int_not_equal(kr_fix_name_references(&f->r, &f->ra), 0);
    assert_non_null(strstr(f->err.message, "path config error; no 'name' field in node"));
    assert_non_null(strstr(f->err.message, "updating name reference in 'subjects' field"));
}

static void nameref_never_renamed_is_not_a_candidate(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n"
           "---\napiVersion: v1\nkind: Pod\nmetadata: {name: pod}\n"
           "spec: {volumes: [{configMap: {name: cfg}}]}\n");
    assert_int_equal(kr_fix_name_references(&f->r, &f->ra), 0);
    assert_non_null(strstr(out(f, 1), "name: cfg\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(prefix_suffix_skip_special_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(prefix_keeps_style_and_retypes_plain, setup, teardown),
        cmocka_unit_test_setup_teardown(prefix_layers_compose, setup, teardown),
        cmocka_unit_test_setup_teardown(prefix_on_map_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(namespace_sets_overwrites_and_keeps_cluster_scoped,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(namespace_binding_subjects, setup, teardown),
        cmocka_unit_test_setup_teardown(namespace_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(namespace_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(namespace_no_conflict_with_itself, setup, teardown),
        cmocka_unit_test_setup_teardown(nameref_follows_renames, setup, teardown),
        cmocka_unit_test_setup_teardown(nameref_roleref_kind_must_match, setup, teardown),
        cmocka_unit_test_setup_teardown(nameref_prefixes_disambiguate, setup, teardown),
        cmocka_unit_test_setup_teardown(nameref_ambiguity_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(nameref_map_namespace_narrows, setup, teardown),
        cmocka_unit_test_setup_teardown(nameref_default_namespace_and_missing_name, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(nameref_map_without_name_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(nameref_never_renamed_is_not_a_candidate, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
