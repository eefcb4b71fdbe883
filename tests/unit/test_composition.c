/* Composition features (issue 6) edge by edge, through the public API on small trees: vars,
 * replacements, components, builtin plugin configs, crds and openapi. Expected values follow
 * the oracle's behaviour recorded in spec/ and fixtures/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "krender.h"
#include "testutil.h"

typedef struct fixture {
    krender_ctx *ctx;
    char *dir;
    krender_result *res;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_tmpdir();
    if (!f->dir || krender_ctx_new(&f->ctx))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    krender_result_free(f->res);
    krender_ctx_free(f->ctx);
    tu_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* Renders f->dir with --reorder none; returns the YAML, or NULL with the error in f->res. */
static const char *render(fixture *f)
{
    krender_options o = KRENDER_OPTIONS_INIT;
    o.reorder = KRENDER_REORDER_NONE;
    krender_result_free(f->res);
    f->res = NULL;
    if (krender_build(&f->res, f->ctx, f->dir, &o) != KRENDER_OK)
        return NULL;
    return krender_result_yaml(f->res, NULL);
}

static const char *error_of(fixture *f)
{
    const krender_error *e = krender_result_error(f->res);
    return e ? e->message : "";
}

#define HAS(out, s)                                                                           \
    do {                                                                                      \
        const char *o_ = (out);                                                               \
        if (!o_ || !strstr(o_, (s)))                                                          \
            fail_msg("expected %s in:\n%s", (s), o_ ? o_ : error_of(f));                      \
    } while (0)

static const char svc[] = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n"
                          "  ports:\n  - port: 8080\n    name: http\n";

static void vars_keep_types_and_escapes(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "kustomization.yaml",
             "resources: [s.yaml, d.yaml]\nvars:\n- name: PORT\n  objref: {kind: Service, name: s, "
             "apiVersion: v1}\n  fieldref: {fieldPath: \"spec.ports[0].port\"}\n");
    tu_write(f->dir, "s.yaml", svc);
    tu_write(f->dir, "d.yaml",
             "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n"
             "    spec:\n      containers:\n      - name: c\n        args: [\"$(PORT)\", "
             "\"p=$(PORT)\", \"$$(PORT)\", \"$(NOPE)\", \"$(\", \"x$\"]\n");
    const char *out = render(f);
    HAS(out, "- 8080\n");          /* the whole field: an int */
    HAS(out, "- p=8080\n");        /* inside a string */
    HAS(out, "- $(PORT)\n");       /* $$ escapes */
    HAS(out, "- $(NOPE)\n");       /* unknown: left alone */
    HAS(out, "- $(\n");            /* unterminated */
}

static void vars_errors(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "s.yaml", svc);
    tu_write(f->dir, "d.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
                               "  containers:\n  - name: c\n    args: [\"$(A)\", 3]\n");
    tu_write(f->dir, "kustomization.yaml",
             "resources: [s.yaml, d.yaml]\nvars:\n- name: A\n  objref: {kind: Service, name: s, "
             "apiVersion: v1}\n");
    assert_null(render(f));
    assert_non_null(strstr(error_of(f), "invalid value type expect a string"));
    tu_write(f->dir, "kustomization.yaml",
             "resources: [s.yaml]\nvars:\n- name: A\n  objref: {kind: Service, name: s, "
             "apiVersion: v1}\n- name: A\n  objref: {kind: Service, name: s, apiVersion: v1}\n");
    assert_null(render(f));
    assert_non_null(strstr(error_of(f), "var 'A' already encountered"));
    tu_write(f->dir, "kustomization.yaml",
             "resources: [s.yaml]\nvars:\n- name: A\n  objref: {kind: Service, name: nope, "
             "apiVersion: v1}\n");
    assert_null(render(f));
    assert_non_null(strstr(error_of(f), "cannot be mapped to a field"));
}

static void replacements_paths_and_types(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "r.yaml",
             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: src\ndata:\n  port: \"9090\"\n"
             "  img: nginx:1.25\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
             "  name: web\nspec:\n  replicas: 1\n  template:\n    metadata:\n      annotations:\n"
             "        a.b/c: x\n    spec:\n      containers:\n      - name: app\n"
             "        image: busybox:1.0\n");
    tu_write(f->dir, "kustomization.yaml",
             "resources: [r.yaml]\nreplacements:\n"
             "- source: {kind: ConfigMap, name: src, fieldPath: data.port}\n  targets:\n"
             "  - select: {kind: Deployment}\n    fieldPaths:\n    - spec.replicas\n"
             "    - spec.template.metadata.annotations.a\\.b/c\n"
             "    - spec.template.metadata.annotations.created\n"
             "    - spec.template.spec.containers.[name=ap].ports.0.containerPort\n"
             "    options: {create: true}\n"
             "- source: {kind: ConfigMap, name: src, fieldPath: data.img, options: {delimiter: ':', "
             "index: 1}}\n  targets:\n  - select: {kind: Deployment}\n"
             "    fieldPaths: [\"spec.template.spec.containers.[name=app].image\"]\n"
             "    options: {delimiter: ':', index: 5}\n");
    const char *out = render(f);
    HAS(out, "  replicas: 9090\n");               /* an int target keeps its type */
    HAS(out, "        a.b/c: \"9090\"\n");        /* escaped dot; a string stays a string */
    HAS(out, "        created: 9090\n");          /* created: typed by its text */
    HAS(out, "        - containerPort: 9090\n");  /* [name=ap] matches app: unanchored regex */
    HAS(out, "image: busybox:1.0:1.25\n");        /* index past the end appends */
}

static void replacement_errors(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "r.yaml", svc);
    tu_write(f->dir, "kustomization.yaml",
             "resources: [r.yaml]\nreplacements:\n- source: {kind: Service}\n  targets:\n"
             "  - select: {kind: Service}\n    fieldPaths: [spec.nothere]\n");
    assert_null(render(f));
    assert_string_equal(error_of(f), "unable to find field \"spec.nothere\" in replacement target");
    tu_write(f->dir, "kustomization.yaml",
             "resources: [r.yaml]\nreplacements:\n- source: {kind: ConfigMap}\n  targets:\n"
             "  - select: {kind: Service}\n");
    assert_null(render(f));
    assert_non_null(strstr(error_of(f), "nothing selected by"));
    tu_write(f->dir, "kustomization.yaml",
             "resources: [r.yaml]\nreplacements:\n- path: x.yaml\n  source: {kind: Service}\n");
    assert_null(render(f));
    assert_non_null(strstr(error_of(f), "cannot specify both path and inline replacement"));
}

static void components_see_the_parents_resources(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "kustomization.yaml", "resources: [r.yaml]\ncomponents: [c]\n");
    tu_write(f->dir, "r.yaml", svc);
    tu_write(f->dir, "c/kustomization.yaml",
             "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
             "resources: [cm.yaml]\nnamePrefix: c-\n");
    tu_write(f->dir, "c/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n");
    const char *out = render(f);
    HAS(out, "name: c-s\n"); /* the component's prefix reaches the parent's Service */
    HAS(out, "name: c-cm\n");
    assert_true(strstr(out, "c-s") < strstr(out, "c-cm")); /* accumulation order */
    tu_write(f->dir, "kustomization.yaml", "resources: [c]\n");
    assert_null(render(f));
    assert_non_null(strstr(error_of(f), "expected kind != 'Component'"));
}

static void plugin_configs(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "r.yaml", svc);
    tu_write(f->dir, "kustomization.yaml",
             "resources: [r.yaml]\ntransformers:\n- |-\n  apiVersion: builtin\n"
             "  kind: PrefixSuffixTransformer\n  metadata:\n    name: x\n  prefix: a-\n"
             "  suffix: -z\n  fieldSpecs:\n  - path: metadata/name\n- t.yaml\n");
    tu_write(f->dir, "t.yaml", "apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n"
                               "  name: l\nlabels:\n  team: x\nfieldSpecs:\n"
                               "- path: metadata/labels\n  create: true\n");
    const char *out = render(f);
    HAS(out, "name: a-s-z\n");
    HAS(out, "    team: x\n");
    tu_write(f->dir, "t.yaml", "apiVersion: example.com/v1\nkind: MyPlugin\nmetadata:\n"
                               "  name: p\n");
    assert_null(render(f));
    assert_non_null(strstr(error_of(f), "external plugins disabled"));
    assert_int_equal(krender_result_error(f->res)->code, KRENDER_E_UNSUPPORTED);
    tu_write(f->dir, "t.yaml", "apiVersion: builtin\nkind: SortOrderTransformer\nmetadata:\n"
                               "  name: p\n");
    assert_null(render(f));
    assert_non_null(strstr(error_of(f), "unable to load builtin SortOrderTransformer"));
}

static void crds_add_name_references(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "kustomization.yaml",
             "crds: [crd.json]\nresources: [r.yaml]\nnamePrefix: x-\n");
    tu_write(f->dir, "crd.json",
             "{\"v1.MyKind\": {\"Schema\": {\"properties\": {\"apiVersion\": {}, \"kind\": {}, "
             "\"metadata\": {}, \"spec\": {\"$ref\": \"v1.Spec\"}}}},\n"
             " \"v1.Spec\": {\"Schema\": {\"properties\": {\"secretRef\": {"
             "\"x-kubernetes-object-ref-api-version\": \"v1\", "
             "\"x-kubernetes-object-ref-kind\": \"Secret\"}}}}}\n");
    tu_write(f->dir, "r.yaml",
             "apiVersion: v1\nkind: Secret\nmetadata:\n  name: sec\n---\napiVersion: example.com/v1\n"
             "kind: MyKind\nmetadata:\n  name: mk\nspec:\n  secretRef:\n    name: sec\n");
    const char *out = render(f);
    HAS(out, "  secretRef:\n    name: x-sec\n");
}

static void openapi_rules(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "r.yaml", svc);
    tu_write(f->dir, "kustomization.yaml",
             "resources: [r.yaml]\nopenapi:\n  version: v1.99.0\n");
    assert_null(render(f));
    assert_string_equal(error_of(f), "the specified OpenAPI version is not built in");
    tu_write(f->dir, "kustomization.yaml",
             "resources: [r.yaml]\nopenapi:\n  version: v1.21.2\n  path: x.json\n");
    assert_null(render(f));
    assert_non_null(strstr(error_of(f), "cannot use both"));
    tu_write(f->dir, "kustomization.yaml", "resources: [r.yaml]\nopenapi:\n  version: v1.21.2\n");
    HAS(render(f), "name: s\n");
}

static void build_metadata_annotations(void **state)
{
    fixture *f = *state;
    tu_write(f->dir, "kustomization.yaml",
             "resources: [b]\nnamePrefix: p-\nbuildMetadata: [originAnnotations, "
             "transformerAnnotations, managedByLabel]\n");
    tu_write(f->dir, "b/kustomization.yaml", "resources: [r.yaml]\n");
    tu_write(f->dir, "b/r.yaml", svc);
    const char *out = render(f);
    HAS(out, "    alpha.config.kubernetes.io/transformations: |\n"
             "      - configuredIn: kustomization.yaml\n"
             "        configuredBy:\n"
             "          apiVersion: builtin\n"
             "          kind: PrefixTransformer\n");
    HAS(out, "    config.kubernetes.io/origin: |\n      path: b/r.yaml\n");
    HAS(out, "    app.kubernetes.io/managed-by: kustomize-(devel)\n");
    /* without buildMetadata nothing of it is left */
    tu_write(f->dir, "kustomization.yaml", "resources: [b]\nnamePrefix: p-\n");
    out = render(f);
    assert_non_null(out);
    assert_null(strstr(out, "config.kubernetes.io"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(vars_keep_types_and_escapes), T(vars_errors), T(replacements_paths_and_types),
        T(replacement_errors), T(components_see_the_parents_resources), T(plugin_configs),
        T(crds_add_name_references), T(openapi_rules), T(build_metadata_annotations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
