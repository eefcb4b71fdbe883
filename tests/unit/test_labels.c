/* The field-spec driven transformers of xf_fields.h: labels/annotations, images, replicas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "parse.h"
#include "render.h"
#include "resmap.h"
#include "scope.h"
#include "xf_fields.h"
#include "render_fixture.h"

typedef struct fixture {
    kr_render r;
    kr_err err;
    kr_scope *scope;
    kr_resmap m;
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

static kr_node *doc_of(fixture *f, const char *yaml, kr_yaml_mode mode)
{
    kr_node *doc = NULL;
    int rc = kr_parse_document(f->r.arena, "t.yaml", yaml, strlen(yaml), mode, &doc, &f->err);
    if (rc)
        fprintf(stderr, "%s: %s\n", yaml, f->err.message);
    assert_int_equal(rc, 0);
    return doc;
}

static kr_resource *add(fixture *f, const char *yaml)
{
    kr_resource *res = kr_resource_new(&f->r, doc_of(f, yaml, KR_YAML_12), "t.yaml");
    assert_non_null(res);
    assert_int_equal(kr_resmap_append(&f->r, &f->m, res), 0);
    return res;
}

static const char *emit(fixture *f, const kr_resource *res)
{
    f->out.len = 0;
    assert_int_equal(kr_emit_document(res->node, &f->out, &f->err), 0);
    return f->out.data;
}

static kr_fslist specs(fixture *f, const char *yaml)
{
    kr_decoder d = {&f->r, "k.yaml", "invalid Kustomization"};
    kr_fslist l = {0};
    assert_int_equal(
        kr_fslist_decode(&d, doc_of(f, yaml, KR_YAML_11), "Label", "labels.fields", true, &l), 0);
    return l;
}

static kr_strpairs pairs(fixture *f, const char *yaml, bool strict)
{
    kr_decoder d = {&f->r, "k.yaml", "invalid Kustomization"};
    kr_strpairs p;
    int rc = kr_strpairs_decode(&d, doc_of(f, yaml, KR_YAML_11), "X.pairs", strict, &p);
    if (rc)
        fprintf(stderr, "%s\n", f->err.message);
    assert_int_equal(rc, 0);
    return p;
}

/* ---- labels / annotations ---- */

static void pairs_sorted_last_wins_json_spelling_when_lenient(void **state)
{
    fixture *f = *state;
    kr_strpairs p = pairs(f, "{b: z, a: w, c: null}", true);
    assert_int_equal(p.n, 3);
    assert_string_equal(p.v[0].key, "a");
    assert_string_equal(p.v[1].value, "z");
    assert_string_equal(p.v[2].value, "");
    p = pairs(f, "{a: 1.10, b: true, c: 0x10}", false);
    assert_string_equal(p.v[0].value, "1.1");
    assert_string_equal(p.v[1].value, "true");
    assert_string_equal(p.v[2].value, "16");
    kr_decoder d = {&f->r, "k.yaml", "invalid Kustomization"};
    kr_strpairs bad;
    assert_int_not_equal(
        kr_strpairs_decode(&d, doc_of(f, "{a: 1}", KR_YAML_11), "Label.labels.pairs", true, &bad),
        0);
    assert_string_equal(f->err.message, "invalid Kustomization: json: cannot unmarshal number "
                                        "into Go struct field Label.labels.pairs of type string");
}

static void entries_set_by_current_gvk_as_strings(void **state)
{
    fixture *f = *state;
    kr_resource *d = add(f, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"
                            "  labels: {a: old, z: 1}\n");
    kr_resource *s = add(f, "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"
                            "spec:\n  selector: null\n");
    kr_fslist fs = specs(f, "- {path: metadata/labels, create: true}\n"
                            "- {path: spec/selector, kind: Service, create: false}\n"
                            "- {path: spec/template/metadata/labels, kind: Deployment}\n");
    kr_strpairs p = pairs(f, "{a: \"1.0\", b: \"true\"}", true);
    assert_int_equal(kr_xf_set_entries(&f->r, &f->m, &p, &fs), 0);
    assert_string_equal(emit(f, d), "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                                    "  labels:\n    a: \"1.0\"\n    b: \"true\"\n    z: 1\n"
                                    "  name: d\n");
    /* a null map without create stays null */
    assert_string_equal(emit(f, s), "apiVersion: v1\nkind: Service\nmetadata:\n  labels:\n"
                                    "    a: \"1.0\"\n    b: \"true\"\n  name: s\nspec:\n"
                                    "  selector: null\n");
}

static void entries_into_a_scalar_is_an_error(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: v1\nkind: Foo\nmetadata:\n  name: f\nspec:\n  s: str\n");
    kr_fslist fs = specs(f, "- {path: spec/s}\n");
    kr_strpairs p = pairs(f, "{a: x}", true);
    assert_int_not_equal(kr_xf_set_entries(&f->r, &f->m, &p, &fs), 0);
    assert_string_equal(f->err.message,
                        "considering field 'spec/s' of object Foo.v1.[noGrp]/f.[noNs]: wrong "
                        "node kind: expected MappingNode but got ScalarNode: node contents:\nstr");
}

static void fieldspec_decode_messages(void **state)
{
    fixture *f = *state;
    kr_decoder d = {&f->r, "k.yaml", "invalid Kustomization"};
    kr_fslist l = {0};
    assert_int_not_equal(kr_fslist_decode(&d, doc_of(f, "- {path: a, kind: 3}", KR_YAML_11),
                                          "Label", "labels.fields", true, &l),
                         0);
    assert_string_equal(f->err.message,
                        "invalid Kustomization: json: cannot unmarshal number into Go struct "
                        "field FieldSpec.labels.fields.Gvk.kind of type string");
    kr_err_clear(&f->err);
    assert_int_not_equal(kr_fslist_decode(&d, doc_of(f, "- {path: a, foo: 1}", KR_YAML_11),
                                          "Label", "labels.fields", true, &l),
                         0);
    assert_string_equal(f->err.message, "invalid Kustomization: json: unknown field \"foo\"");
    /* plugin configs ignore unknown keys */
    assert_int_equal(kr_fslist_decode(&d, doc_of(f, "- {path: a, foo: 1}", KR_YAML_11), "P",
                                      "fieldSpecs", false, &l),
                     0);
    assert_int_equal(l.n, 1);
}

/* ---- images ---- */

static const char *update(fixture *f, const char *yaml, const char *ref)
{
    kr_decoder d = {&f->r, "k.yaml", "invalid Kustomization"};
    kr_image *img = kr_arena_alloc(f->r.arena, sizeof *img);
    assert_int_equal(kr_image_decode(&d, doc_of(f, yaml, KR_YAML_11), "images", true, img), 0);
    kr_image_matcher *mt;
    assert_int_equal(kr_image_matcher_new(&f->r, img, &mt), 0);
    const char *out;
    assert_int_equal(kr_image_update(&f->r, mt, ref, &out), 0);
    kr_image_matcher_free(mt);
    return out ? out : "(no match)";
}

static void image_update_rules(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *image, *ref, *want;
    } cases[] = {
        {"{name: nginx, newTag: v2}", "nginx:1@sha256:x", "nginx:v2"},
        {"{name: nginx, digest: 'sha256:d'}", "nginx:1", "nginx@sha256:d"},
        {"{name: nginx, newTag: v2, digest: 'sha256:d'}", "nginx", "nginx:v2@sha256:d"},
        {"{name: nginx, tagSuffix: -dbg}", "nginx@sha256:x", "nginx:-dbg"},
        {"{name: nginx, tagSuffix: -dbg}", "nginx:1", "nginx:1-dbg"},
        {"{name: nginx, newName: alpine}", "nginx:1@sha256:x", "alpine:1@sha256:x"},
        {"{name: 'my.reg:5000/team/app', tagSuffix: -d}", "my.reg:5000/team/app:v1",
         "my.reg:5000/team/app:v1-d"},
        {"{name: 'my.reg:5000/app', newName: x}", "my.reg:5000/app", "x"},
        {"{name: nginx.x, newTag: '2'}", "nginxxx:1", "nginxxx:2"}, /* unescaped regex */
        {"{name: nginx, newTag: '2'}", "nginxx:1", "(no match)"},
        {"{name: nginx, newTag: '2'}", "x/nginx:1", "(no match)"},     /* anchored */
        {"{name: nginx, newTag: '2'}", "nginx:1:2", "(no match)"},
        {"{name: 'a\\d', newTag: '2'}", "a1", "a1:2"},                 /* Go regexp syntax */
        {"{}", "", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(update(f, cases[i].image, cases[i].ref), cases[i].want);
}

static void image_decode_errors(void **state)
{
    fixture *f = *state;
    kr_decoder d = {&f->r, "k.yaml", "invalid Kustomization"};
    kr_image img;
    assert_int_not_equal(
        kr_image_decode(&d, doc_of(f, "{name: nx, newTag: 1.10}", KR_YAML_11), "images", true,
                        &img),
        0);
    assert_string_equal(f->err.message, "invalid Kustomization: json: cannot unmarshal number "
                                        "into Go struct field Image.images.newTag of type "
                                        "string");
    kr_err_clear(&f->err);
    assert_int_not_equal(
        kr_image_decode(&d, doc_of(f, "{name: nx, bogus: 1}", KR_YAML_11), "images", true, &img),
        0);
    /* lenient (plugin config): the number in its JSON spelling */
    assert_int_equal(kr_image_decode(&d, doc_of(f, "{name: nx, newTag: 1.10, bogus: 1}",
                                                KR_YAML_11),
                                     "imageTag", false, &img),
                     0);
    assert_string_equal(img.new_tag, "1.1");
    img.name = "a(";
    kr_image_matcher *mt;
    kr_err_clear(&f->err);
    assert_int_not_equal(kr_image_matcher_new(&f->r, &img, &mt), 0);
}

static void image_passes_suffix_twice_custom_kinds_crds_skipped(void **state)
{
    fixture *f = *state;
    kr_resource *d = add(f, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"
                            "spec:\n  template:\n    spec:\n      containers:\n"
                            "      - image: app:v1\n");
    kr_resource *c = add(f, "apiVersion: x/v1\nkind: Foo\nmetadata:\n  name: f\n"
                            "spec:\n  deep:\n    containers:\n    - image: app:v1\n");
    kr_resource *crd = add(f, "apiVersion: apiextensions.k8s.io/v1\n"
                              "kind: CustomResourceDefinition\nmetadata:\n  name: c\n"
                              "spec:\n  containers:\n  - image: app:v1\n");
    kr_fslist fs = specs(f, "- path: spec/template/spec/containers[]/image\n"
                            "- path: spec/containers[]/image\n");
    kr_decoder dec = {&f->r, "k.yaml", "invalid Kustomization"};
    kr_image img;
    assert_int_equal(
        kr_image_decode(&dec, doc_of(f, "{name: app, tagSuffix: -d}", KR_YAML_11), "images",
                        true, &img),
        0);
    assert_int_equal(kr_xf_image_apply(&f->r, &f->m, &img, &fs), 0);
    assert_non_null(strstr(emit(f, d), "image: app:v1-d-d\n"));
    assert_non_null(strstr(emit(f, c), "image: app:v1-d\n"));
    assert_non_null(strstr(emit(f, crd), "image: app:v1\n"));
}

static void image_legacy_pass_errors(void **state)
{
    fixture *f = *state;
    add(f, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - str\n");
    kr_fslist fs = {0};
    kr_image img = {.name = "a", .new_name = "", .new_tag = "", .digest = "", .tag_suffix = ""};
    assert_int_not_equal(kr_xf_image_apply(&f->r, &f->m, &img, &fs), 0);
    assert_string_equal(f->err.message, "wrong node kind: expected MappingNode but got "
                                        "ScalarNode: node contents:\nstr");
}

/* ---- replicas ---- */

static void replica_count_decoding(void **state)
{
    fixture *f = *state;
    kr_decoder d = {&f->r, "k.yaml", "invalid Kustomization"};
    static const struct {
        const char *yaml;
        int64_t count; /* -999: error */
    } cases[] = {
        {"{name: a, count: 3}", 3},        {"{name: a, count: 1e3}", 1000},
        {"{name: a, count: 0x10}", 16},    {"{name: a, count: null}", 0},
        {"{name: a}", 0},                  {"{name: a, count: -1}", -1},
        {"{name: a, count: 2.5}", -999},   {"{name: a, count: \"3\"}", -999},
        {"{name: a, count: true}", -999},  {"{name: a, count: 9223372036854775808}", -999},
        {"{name: a, extra: 1}", -999},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        kr_replica rep;
        kr_err_clear(&f->err);
        int rc = kr_replica_decode(&d, doc_of(f, cases[i].yaml, KR_YAML_11), "replicas", true,
                                   &rep);
        if (cases[i].count == -999) {
            assert_int_not_equal(rc, 0);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(rep.count, cases[i].count);
        }
    }
    kr_replica rep;
    kr_err_clear(&f->err);
    assert_int_not_equal(
        kr_replica_decode(&d, doc_of(f, "{count: 2.5}", KR_YAML_11), "replicas", true, &rep), 0);
    assert_string_equal(f->err.message, "invalid Kustomization: json: cannot unmarshal number "
                                        "2.5 into Go struct field Replica.replicas.count of "
                                        "type int64");
}

static void replicas_match_any_id_and_report_no_match(void **state)
{
    fixture *f = *state;
    kr_resource *d = add(f, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: old\n"
                            "spec:\n  replicas: \"1\"\n");
    assert_int_equal(kr_resource_push_prev(&f->r, d), 0);
    kr_map_set(f->r.arena, kr_map_get(d->node, "metadata"), "name",
               kr_node_str(f->r.arena, "p-old"));
    assert_int_equal(kr_resource_refresh_id(&f->r, d), 0);
    kr_resmap_ids_changed(&f->m);
    kr_fslist fs = specs(f, "- {path: spec/replicas, kind: Deployment, create: true}\n"
                            "- {path: spec/replicas, kind: StatefulSet, create: true}\n");
    kr_replica rep = {.name = "old", .count = 5, .file = "k.yaml"};
    assert_int_equal(kr_xf_replica_apply(&f->r, &f->m, &rep, &fs), 0);
    /* the target was a quoted string: it stays one (oracle: replicas: "5") */
    assert_non_null(strstr(emit(f, d), "replicas: \"5\"\n"));
    rep.name = "nope";
    assert_int_not_equal(kr_xf_replica_apply(&f->r, &f->m, &rep, &fs), 0);
    assert_string_equal(f->err.message, "resource with name nope does not match a config with "
                                        "the following GVK [Deployment.[noVer].[noGrp] "
                                        "StatefulSet.[noVer].[noGrp]]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pairs_sorted_last_wins_json_spelling_when_lenient,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(entries_set_by_current_gvk_as_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(entries_into_a_scalar_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(fieldspec_decode_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(image_update_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(image_decode_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(image_passes_suffix_twice_custom_kinds_crds_skipped,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(image_legacy_pass_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(replica_count_decoding, setup, teardown),
        cmocka_unit_test_setup_teardown(replicas_match_any_id_and_report_no_match, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
