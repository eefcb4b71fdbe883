/* The field-spec engine (fieldspec.c): path splitting, the walker's create / null / sequence
 * rules and errors, gvk selection, and kustomize's merge of transformer configurations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "fieldspec.h"
#include "parse.h"
#include "render.h"
#include "resource.h"
#include "scope.h"
#include "render_fixture.h"

typedef struct fixture {
    kr_render r;
    kr_err err;
    kr_scope *scope;
    kr_buf out;
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
    kr_buf_free(&f->out);
    tu_render_fini(&f->r, &f->err, f->scope);
    free(f);
    return 0;
}

static kr_node *doc_of(fixture *f, const char *yaml)
{
    kr_node *doc = NULL;
    assert_int_equal(kr_parse_document(f->r.arena, "t.yaml", yaml, strlen(yaml), KR_YAML_12,
                                       &doc, &f->err),
                     0);
    return doc;
}

static kr_resource *res_of(fixture *f, const char *yaml)
{
    kr_resource *res = kr_resource_new(&f->r, doc_of(f, yaml), "t.yaml");
    assert_non_null(res);
    return res;
}

static const char *emit(fixture *f, const kr_resource *res)
{
    f->out.len = 0;
    assert_int_equal(kr_emit_document(res->node, &f->out, &f->err), 0);
    return f->out.data;
}

static kr_fieldspec spec(fixture *f, const char *kind, const char *path, bool create)
{
    kr_fieldspec fs;
    assert_int_equal(kr_fieldspec_make(f->r.arena, "", "", kind, path, create, &fs), 0);
    return fs;
}

/* A setter like the label transformer's: puts k: v into the map found. */
static int set_kv(kr_render *r, kr_resource *res, kr_node *node, void *arg)
{
    (void)res;
    if (kr_is_null(node))
        return 0;
    if (node->kind != KR_MAP)
        return kr_err_set(r->err, KRENDER_E_RESOURCE, NULL, 0, 0, "not a map");
    return kr_map_set(r->arena, node, "k", kr_node_str(r->arena, arg)) ? 0 : KRENDER_E_NOMEM;
}

static int count_visits(kr_render *r, kr_resource *res, kr_node *node, void *arg)
{
    (void)r;
    (void)res;
    (void)node;
    ++*(int *)arg;
    return 0;
}

/* ---- path splitting ---- */

static void split_plain_escaped_and_leading_slash(void **state)
{
    fixture *f = *state;
    kr_fieldspec fs = spec(f, "", "metadata/annotations/nginx.io\\/auth", false);
    assert_int_equal(fs.nelems, 3);
    assert_string_equal(fs.elems[2], "nginx.io/auth");
    fs = spec(f, "", "/spec/template", false);
    assert_int_equal(fs.nelems, 2);
    assert_string_equal(fs.elems[0], "spec");
    assert_string_equal(fs.path, "/spec/template"); /* kept as written for messages */
    fs = spec(f, "", "a\\/b\\/c", false);
    assert_int_equal(fs.nelems, 1);
    assert_string_equal(fs.elems[0], "a/b/c");
    fs = spec(f, "", "spec/containers[]/image", false);
    assert_int_equal(fs.nelems, 3);
    assert_string_equal(fs.elems[1], "containers[]");
    fs = spec(f, "", "", false);
    assert_int_equal(fs.nelems, 1);
    assert_string_equal(fs.elems[0], "");
}

/* ---- walking ---- */

static void create_makes_maps_no_create_leaves_alone(void **state)
{
    fixture *f = *state;
    kr_resource *res = res_of(f, "kind: K\nmetadata:\n  name: nm\n");
    kr_fieldspec no = spec(f, "", "spec/selector/matchLabels", false);
    assert_int_equal(kr_fs_walk(&f->r, res, &no, KR_MAP, set_kv, "v"), 0);
    assert_string_equal(emit(f, res), "kind: K\nmetadata:\n  name: nm\n");
    kr_fieldspec yes = spec(f, "", "spec/selector/matchLabels", true);
    assert_int_equal(kr_fs_walk(&f->r, res, &yes, KR_MAP, set_kv, "v"), 0);
    assert_string_equal(emit(f, res),
                        "kind: K\nmetadata:\n  name: nm\nspec:\n  selector:\n    matchLabels:\n"
                        "      k: v\n");
    /* create_kind 0: never create, whatever the spec says */
    kr_resource *res2 = res_of(f, "kind: K\nmetadata:\n  name: nm\n");
    assert_int_equal(kr_fs_walk(&f->r, res2, &yes, 0, set_kv, "v"), 0);
    assert_null(kr_map_get(res2->node, "spec"));
}

static void null_is_converted_to_the_created_kind(void **state)
{
    fixture *f = *state;
    kr_resource *res = res_of(f, "kind: K\nmetadata:\n  name: nm\n  labels: null\n"
                                 "spec:\n  containers: ~\n  x: null\n");
    kr_fieldspec labels = spec(f, "", "metadata/labels", true);
    assert_int_equal(kr_fs_walk(&f->r, res, &labels, KR_MAP, set_kv, "v"), 0);
    /* a `[]` element accepts the hint even without create */
    int n = 0;
    kr_fieldspec seq = spec(f, "", "spec/containers[]/image", false);
    assert_int_equal(kr_fs_walk(&f->r, res, &seq, 0, count_visits, &n), 0);
    assert_int_equal(n, 0);
    /* without create, a null at the end is handed over as it is */
    kr_fieldspec x = spec(f, "", "spec/x", false);
    assert_int_equal(kr_fs_walk(&f->r, res, &x, KR_MAP, count_visits, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(emit(f, res), "kind: K\nmetadata:\n  labels:\n    k: v\n  name: nm\n"
                                      "spec:\n  containers: []\n  x: null\n");
}

static void sequences_are_visited_element_by_element(void **state)
{
    fixture *f = *state;
    kr_resource *res =
        res_of(f, "kind: K\nmetadata:\n  name: nm\nspec:\n  l:\n  - x: {}\n  - y: 1\n"
                  "  - x: {a: b}\n  - [ {x: {}} ]\n");
    int n = 0;
    kr_fieldspec fs = spec(f, "", "spec/l/x", false);
    assert_int_equal(kr_fs_walk(&f->r, res, &fs, 0, count_visits, &n), 0);
    assert_int_equal(n, 3); /* nested sequences too */
}

static void scalar_before_the_end_is_an_error(void **state)
{
    fixture *f = *state;
    kr_resource *res = res_of(f, "apiVersion: v1\nkind: K\nmetadata:\n  name: nm\n"
                                 "spec:\n  l: [a]\n");
    kr_fieldspec fs = spec(f, "", "spec/l/x", true);
    assert_int_not_equal(kr_fs_walk(&f->r, res, &fs, KR_MAP, set_kv, "v"), 0);
    assert_string_equal(f->err.message,
                        "considering field 'spec/l/x' of object K.v1.[noGrp]/nm.[noNs]: "
                        "visit traversal on path: [x]: expected sequence or mapping node");
    assert_int_equal(f->err.line, 6);
}

static void setter_errors_are_wrapped(void **state)
{
    fixture *f = *state;
    kr_resource *res = res_of(f, "apiVersion: v1\nkind: K\nmetadata:\n  name: nm\n  labels: s\n");
    kr_fieldspec fs = spec(f, "", "metadata/labels", true);
    assert_int_not_equal(kr_fs_walk(&f->r, res, &fs, KR_MAP, set_kv, "v"), 0);
    assert_string_equal(f->err.message,
                        "considering field 'metadata/labels' of object K.v1.[noGrp]/nm.[noNs]: "
                        "not a map");
}

static void empty_field_name_is_an_error(void **state)
{
    fixture *f = *state;
    kr_resource *res = res_of(f, "kind: K\nmetadata:\n  name: nm\n");
    kr_fieldspec fs = spec(f, "", "metadata//labels", true);
    assert_int_not_equal(kr_fs_walk(&f->r, res, &fs, KR_MAP, set_kv, "v"), 0);
    assert_non_null(strstr(f->err.message, "cannot set or create an empty field name"));
}

/* ---- gvk selection ---- */

static void selects_by_non_empty_fields(void **state)
{
    fixture *f = *state;
    kr_fieldspec any = spec(f, "", "p", false);
    assert_true(kr_fs_selects(&any, "apps", "v1", "Deployment"));
    kr_fieldspec fs;
    assert_int_equal(kr_fieldspec_make(f->r.arena, "apps", "", "Deployment", "p", false, &fs),
                     0);
    assert_true(kr_fs_selects(&fs, "apps", "v1beta2", "Deployment"));
    assert_false(kr_fs_selects(&fs, "", "v1", "Deployment"));
    assert_false(kr_fs_selects(&fs, "apps", "v1", "StatefulSet"));
}

/* ---- configuration parsing and merging ---- */

static kr_tconfig config_of(fixture *f, const char *yaml)
{
    kr_tconfig t;
    assert_int_equal(kr_tconfig_parse(f->r.arena, doc_of(f, yaml), "c.yaml", &t, &f->err), 0);
    return t;
}

static void merge_drops_duplicates_incoming_empty_fields_are_wildcards(void **state)
{
    fixture *f = *state;
    kr_tconfig dst = config_of(f, "commonLabels:\n- {path: p, kind: Deployment, create: true}\n"
                                  "- {path: q, create: true}\n");
    kr_tconfig src = config_of(f, "commonLabels:\n- {path: p, create: true}\n"     /* dup */
                                  "- {path: p, kind: Service, create: true}\n"     /* new */
                                  "- {path: q, kind: Service, create: false}\n"    /* new */
                                  "- {path: r}\n- {path: r}\n");                   /* once */
    assert_int_equal(kr_tconfig_merge(f->r.arena, &dst, &src, &f->err), 0);
    const kr_fslist *l = &dst.lists[KR_FS_COMMON_LABELS];
    assert_int_equal(l->n, 5);
    int p = 0, q = 0, r = 0;
    for (size_t i = 0; i < l->n; i++) {
        p += strcmp(l->v[i].path, "p") == 0;
        q += strcmp(l->v[i].path, "q") == 0;
        r += strcmp(l->v[i].path, "r") == 0;
    }
    assert_int_equal(p, 2);
    assert_int_equal(q, 2);
    assert_int_equal(r, 1);
}

static void merge_conflicting_create_is_an_error(void **state)
{
    fixture *f = *state;
    kr_tconfig dst = config_of(f, "commonLabels:\n- {path: spec/selector, kind: Service, "
                                  "version: v1, create: true}\n");
    kr_tconfig src = config_of(f, "commonLabels:\n- {path: spec/selector, kind: Service, "
                                  "version: v1, create: false}\n");
    assert_int_not_equal(kr_tconfig_merge(f->r.arena, &dst, &src, &f->err), 0);
    assert_string_equal(f->err.message,
                        "failed to merge CommonLabels fieldSpec: conflicting fieldspecs");
}

static void fslist_merge_reports_conflicts(void **state)
{
    fixture *f = *state;
    kr_fslist a = {0}, b = {0};
    kr_fieldspec x = spec(f, "", "metadata/labels", false), y = spec(f, "", "metadata/labels", true);
    assert_int_equal(kr_fslist_append(f->r.arena, &a, &x), 0);
    assert_int_equal(kr_fslist_append(f->r.arena, &b, &y), 0);
    assert_int_equal(kr_fslist_merge(f->r.arena, &a, &b), KR_FS_CONFLICT);
    assert_int_equal(f->err.code, 0); /* the caller words the error */
    assert_int_equal(kr_fslist_merge(f->r.arena, &a, &a), 0);
    assert_int_equal(a.n, 1);
}

static void nameref_targets_with_equal_gvk_merge(void **state)
{
    fixture *f = *state;
    kr_tconfig dst = config_of(f, "nameReference:\n- kind: ConfigMap\n  version: v1\n"
                                  "  fieldSpecs:\n  - {path: a, kind: Pod}\n");
    kr_tconfig src = config_of(f, "nameReference:\n- kind: ConfigMap\n  version: v1\n"
                                  "  fieldSpecs:\n  - {path: b, kind: Pod}\n  - {path: a}\n"
                                  "- kind: Secret\n  fieldSpecs:\n  - {path: c}\n");
    assert_int_equal(kr_tconfig_merge(f->r.arena, &dst, &src, &f->err), 0);
    assert_int_equal(dst.nnameref, 2);
    for (size_t i = 0; i < dst.nnameref; i++)
        if (strcmp(dst.nameref[i].kind, "ConfigMap") == 0)
            assert_int_equal(dst.nameref[i].referrers.n, 2);
}

static void config_errors_use_go_messages(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *yaml, *msg;
    } cases[] = {
        {"commonLabels:\n- path: a\n  kind: 3\n",
         "json: cannot unmarshal number into Go struct field FieldSpec.commonLabels.Gvk.kind "
         "of type string"},
        {"commonLabels:\n- path: a\n  create: 1\n",
         "json: cannot unmarshal number into Go struct field FieldSpec.commonLabels.create of "
         "type bool"},
        {"commonLabels: {}\n", "json: cannot unmarshal object into Go struct field "
                               "TransformerConfig.commonLabels of type types.FsSlice"},
        {"commonLabels:\n- str\n", "json: cannot unmarshal string into Go struct field "
                                   "TransformerConfig.commonLabels of type types.FieldSpec"},
        {"nameReference:\n- kind: Foo\n  fieldSpecs:\n  - {path: a, version: 1}\n",
         "json: cannot unmarshal number into Go struct field "
         "FieldSpec.nameReference.fieldSpecs.Gvk.version of type string"},
        {"nameReference:\n- kind: 1\n", "json: cannot unmarshal number into Go struct field "
                                        "NameBackReferences.nameReference.Gvk.kind of type "
                                        "string"},
        {"nameReference:\n- bad: 1\n", "json: unknown field \"bad\""},
        {"- a\n", "json: cannot unmarshal array into Go value of type "
                  "builtinconfig.TransformerConfig"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        kr_tconfig t;
        kr_err_clear(&f->err);
        assert_int_not_equal(kr_tconfig_parse(f->r.arena, doc_of(f, cases[i].yaml), "c.yaml",
                                              &t, &f->err),
                             0);
        char want[512];
        snprintf(want, sizeof want, "error unmarshaling JSON: while decoding JSON: %s",
                 cases[i].msg);
        assert_string_equal(f->err.message, want);
    }
}

static void null_spec_entries_decode_to_empty_specs(void **state)
{
    fixture *f = *state;
    kr_tconfig t = config_of(f, "commonAnnotations:\n- null\n");
    assert_int_equal(t.lists[KR_FS_COMMON_ANNOTATIONS].n, 1);
    assert_string_equal(t.lists[KR_FS_COMMON_ANNOTATIONS].v[0].path, "");
}

static void lists_equal(const kr_fslist *a, const kr_fslist *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_string_equal(a->v[i].group, b->v[i].group);
        assert_string_equal(a->v[i].version, b->v[i].version);
        assert_string_equal(a->v[i].kind, b->v[i].kind);
        assert_string_equal(a->v[i].path, b->v[i].path);
        assert_int_equal(a->v[i].create, b->v[i].create);
        assert_int_equal(a->v[i].nelems, b->v[i].nelems);
        for (uint32_t j = 0; j < a->v[i].nelems; j++)
            assert_string_equal(a->v[i].elems[j], b->v[i].elems[j]);
    }
}

/* The build-time tables (tools/gen_tconfig.c) are exactly what the rows give at run time, in
 * order: every list, every nameReference target and its referrers. */
static void precomputed_defaults_are_the_computed_ones(void **state)
{
    fixture *f = *state;
    const kr_tconfig *pre = kr_tconfig_precomputed();
    assert_non_null(pre);
    kr_tconfig now;
    assert_int_equal(kr_tconfig_compute_defaults(f->r.arena, &now, &f->err), 0);
    assert_true(pre->loaded);
    assert_false(pre->custom);
    for (int k = 0; k < KR_FS_COUNT; k++)
        lists_equal(&pre->lists[k], &now.lists[k]);
    assert_true(now.lists[KR_FS_COMMON_LABELS].n > 10);
    assert_int_equal(pre->nnameref, now.nnameref);
    for (size_t i = 0; i < now.nnameref; i++) {
        assert_string_equal(pre->nameref[i].kind, now.nameref[i].kind);
        assert_string_equal(pre->nameref[i].group, now.nameref[i].group);
        assert_string_equal(pre->nameref[i].version, now.nameref[i].version);
        lists_equal(&pre->nameref[i].referrers, &now.nameref[i].referrers);
    }
    /* what a context gets: the tables, shared (a merge into them copies first) */
    kr_tconfig d;
    assert_int_equal(kr_tconfig_defaults(f->r.arena, &d, &f->err), 0);
    assert_true(d.shared);
    assert_ptr_equal(d.lists[KR_FS_COMMON_LABELS].v, pre->lists[KR_FS_COMMON_LABELS].v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(split_plain_escaped_and_leading_slash, setup, teardown),
        cmocka_unit_test_setup_teardown(precomputed_defaults_are_the_computed_ones, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(create_makes_maps_no_create_leaves_alone, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(null_is_converted_to_the_created_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(sequences_are_visited_element_by_element, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(scalar_before_the_end_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(setter_errors_are_wrapped, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_field_name_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(selects_by_non_empty_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(merge_drops_duplicates_incoming_empty_fields_are_wildcards,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(merge_conflicting_create_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(fslist_merge_reports_conflicts, setup, teardown),
        cmocka_unit_test_setup_teardown(nameref_targets_with_equal_gvk_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(config_errors_use_go_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(null_spec_entries_decode_to_empty_specs, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
