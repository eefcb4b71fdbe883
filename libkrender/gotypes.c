#include "gotypes.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode.h"
#include "jsonvalue.h"

typedef enum {
    G_STRING, /* string */
    G_BOOL,
    G_INT,     /* int / int64 */
    G_STRMAP,  /* map[string]string */
    G_BOOLMAP, /* map[string]bool */
    G_SLICE,   /* []elem */
    G_STRUCT,  /* a struct value: never nil, never omitted */
    G_PTR,     /* *struct: nil when absent or null */
    G_ANY      /* kept as written (helm values and the like) */
} gkind;

typedef struct gfield {
    const char *json;
    const kr_gotype *type;
    bool omitempty;
} gfield;

struct kr_gotype {
    gkind kind;
    const char *goname; /* for messages: "string", "types.Image" ... */
    const kr_gotype *elem;   /* G_SLICE, G_PTR */
    const gfield *fields;    /* G_STRUCT: embedded (inline) structs flattened */
    size_t nfields;
};

#define SCALAR(name, k, go) static const kr_gotype name = {k, go, NULL, NULL, 0}
SCALAR(t_string, G_STRING, "string");
SCALAR(t_bool, G_BOOL, "bool");
SCALAR(t_int, G_INT, "int");
SCALAR(t_int64, G_INT, "int64");
SCALAR(t_strmap, G_STRMAP, "map[string]string");
SCALAR(t_boolmap, G_BOOLMAP, "map[string]bool");
SCALAR(t_any, G_ANY, "interface {}");
static const kr_gotype t_strlist = {G_SLICE, "[]string", &t_string, NULL, 0};

#define STRUCT(name, go, fl) \
    static const kr_gotype name = {G_STRUCT, go, NULL, fl, sizeof fl / sizeof fl[0]}
#define PUBSTRUCT(name, go, fl) const kr_gotype name = {G_STRUCT, go, NULL, fl, sizeof fl / sizeof fl[0]}
#define PTR(name, to) static const kr_gotype name = {G_PTR, "*" #to, &to, NULL, 0}
#define SLICE(name, of, go) static const kr_gotype name = {G_SLICE, go, &of, NULL, 0}

/* resid.Gvk, inlined wherever kustomize embeds it */
#define GVK {"group", &t_string, true}, {"version", &t_string, true}, {"kind", &t_string, true}

static const gfield f_objectmeta[] = {{"name", &t_string, true}, {"namespace", &t_string, true},
                                      {"labels", &t_strmap, true},
                                      {"annotations", &t_strmap, true}};
STRUCT(t_objectmeta, "types.ObjectMeta", f_objectmeta);
PTR(t_objectmeta_ptr, t_objectmeta);

static const gfield f_fieldspec[] = {GVK, {"path", &t_string, true}, {"create", &t_bool, true}};
STRUCT(t_fieldspec, "types.FieldSpec", f_fieldspec);
SLICE(t_fieldspecs, t_fieldspec, "[]types.FieldSpec");

static const gfield f_label[] = {{"pairs", &t_strmap, true},
                                 {"includeSelectors", &t_bool, true},
                                 {"includeTemplates", &t_bool, true},
                                 {"fields", &t_fieldspecs, true}};
PUBSTRUCT(kr_go_label, "types.Label", f_label);
SLICE(t_labels, kr_go_label, "[]types.Label");

static const gfield f_selector[] = {GVK,
                                    {"name", &t_string, true},
                                    {"namespace", &t_string, true},
                                    {"annotationSelector", &t_string, true},
                                    {"labelSelector", &t_string, true}};
STRUCT(t_selector, "types.Selector", f_selector);
PTR(t_selector_ptr, t_selector);
SLICE(t_selector_ptrs, t_selector_ptr, "[]*types.Selector");

static const gfield f_patch[] = {{"path", &t_string, true},
                                 {"patch", &t_string, true},
                                 {"target", &t_selector_ptr, true},
                                 {"options", &t_boolmap, true}};
PUBSTRUCT(kr_go_patch, "types.Patch", f_patch);
SLICE(t_patches, kr_go_patch, "[]types.Patch");

static const gfield f_image[] = {{"name", &t_string, true},
                                 {"newName", &t_string, true},
                                 {"tagSuffix", &t_string, true},
                                 {"newTag", &t_string, true},
                                 {"digest", &t_string, true}};
PUBSTRUCT(kr_go_image, "types.Image", f_image);
SLICE(t_images, kr_go_image, "[]types.Image");

static const gfield f_fieldoptions[] = {{"delimiter", &t_string, true},
                                        {"index", &t_int, true},
                                        {"encoding", &t_string, true},
                                        {"create", &t_bool, true}};
STRUCT(t_fieldoptions, "types.FieldOptions", f_fieldoptions);
PTR(t_fieldoptions_ptr, t_fieldoptions);

static const gfield f_source[] = {GVK,
                                  {"name", &t_string, true},
                                  {"namespace", &t_string, true},
                                  {"fieldPath", &t_string, true},
                                  {"options", &t_fieldoptions_ptr, true}};
STRUCT(t_source, "types.SourceSelector", f_source);
PTR(t_source_ptr, t_source);

static const gfield f_target[] = {{"select", &t_selector_ptr, false},
                                  {"reject", &t_selector_ptrs, true},
                                  {"fieldPaths", &t_strlist, true},
                                  {"options", &t_fieldoptions_ptr, true}};
STRUCT(t_target, "types.TargetSelector", f_target);
PTR(t_target_ptr, t_target);
SLICE(t_target_ptrs, t_target_ptr, "[]*types.TargetSelector");

static const gfield f_replacementfield[] = {{"source", &t_source_ptr, true},
                                            {"targets", &t_target_ptrs, true},
                                            {"path", &t_string, true}};
STRUCT(t_replacementfield, "types.ReplacementField", f_replacementfield);
SLICE(t_replacements, t_replacementfield, "[]types.ReplacementField");

static const gfield f_replica[] = {{"name", &t_string, true}, {"count", &t_int64, false}};
PUBSTRUCT(kr_go_replica, "types.Replica", f_replica);
SLICE(t_replicas, kr_go_replica, "[]types.Replica");

static const gfield f_varobjref[] = {{"apiVersion", &t_string, true}, GVK,
                                     {"name", &t_string, false},
                                     {"namespace", &t_string, true}};
STRUCT(t_varobjref, "types.Target", f_varobjref);
static const gfield f_fieldselector[] = {{"fieldPath", &t_string, true}};
STRUCT(t_fieldselector, "types.FieldSelector", f_fieldselector);
static const gfield f_var[] = {{"name", &t_string, false},
                               {"objref", &t_varobjref, false},
                               {"fieldref", &t_fieldselector, true}};
STRUCT(t_var, "types.Var", f_var);
SLICE(t_vars, t_var, "[]types.Var");

static const gfield f_legacysort[] = {{"orderFirst", &t_strlist, false},
                                      {"orderLast", &t_strlist, false}};
STRUCT(t_legacysort, "types.LegacySortOptions", f_legacysort);
PTR(t_legacysort_ptr, t_legacysort);
static const gfield f_sortoptions[] = {{"order", &t_string, true},
                                       {"legacySortOptions", &t_legacysort_ptr, true}};
STRUCT(t_sortoptions, "types.SortOptions", f_sortoptions);
PTR(t_sortoptions_ptr, t_sortoptions);

static const gfield f_genoptions[] = {{"labels", &t_strmap, true},
                                      {"annotations", &t_strmap, true},
                                      {"disableNameSuffixHash", &t_bool, true},
                                      {"immutable", &t_bool, true}};
STRUCT(t_genoptions, "types.GeneratorOptions", f_genoptions);
PTR(t_genoptions_ptr, t_genoptions);

/* GeneratorArgs with its inlined KvPairSources */
#define GENARGS                                                                          \
    {"namespace", &t_string, true}, {"name", &t_string, true},                           \
        {"behavior", &t_string, true}, {"literals", &t_strlist, true},                   \
        {"files", &t_strlist, true}, {"envs", &t_strlist, true}, {"env", &t_string, true}, \
        {"options", &t_genoptions_ptr, true}
static const gfield f_configmapargs[] = {GENARGS};
STRUCT(t_configmapargs, "types.ConfigMapArgs", f_configmapargs);
SLICE(t_configmapgens, t_configmapargs, "[]types.ConfigMapArgs");
static const gfield f_secretargs[] = {GENARGS, {"type", &t_string, true}};
STRUCT(t_secretargs, "types.SecretArgs", f_secretargs);
SLICE(t_secretgens, t_secretargs, "[]types.SecretArgs");
SLICE(t_anylist, t_any, "[]interface {}");

static const gfield f_kustomization[] = {
    {"apiVersion", &t_string, true},
    {"kind", &t_string, true},
    {"metadata", &t_objectmeta_ptr, true},
    {"openapi", &t_strmap, true},
    {"namePrefix", &t_string, true},
    {"nameSuffix", &t_string, true},
    {"namespace", &t_string, true},
    {"commonLabels", &t_strmap, true},
    {"labels", &t_labels, true},
    {"commonAnnotations", &t_strmap, true},
    {"patchesStrategicMerge", &t_strlist, true},
    {"patchesJson6902", &t_patches, true},
    {"patches", &t_patches, true},
    {"images", &t_images, true},
    {"imageTags", &t_images, true},
    {"replacements", &t_replacements, true},
    {"replicas", &t_replicas, true},
    {"vars", &t_vars, true},
    {"sortOptions", &t_sortoptions_ptr, true},
    {"resources", &t_strlist, true},
    {"components", &t_strlist, true},
    {"crds", &t_strlist, true},
    {"bases", &t_strlist, true},
    {"configMapGenerator", &t_configmapgens, true},
    {"secretGenerator", &t_secretgens, true},
    {"helmGlobals", &t_any, true},
    {"helmCharts", &t_anylist, true},
    {"helmChartInflationGenerator", &t_anylist, true},
    {"generatorOptions", &t_genoptions_ptr, true},
    {"configurations", &t_strlist, true},
    {"generators", &t_strlist, true},
    {"transformers", &t_strlist, true},
    {"validators", &t_strlist, true},
    {"buildMetadata", &t_strlist, true},
};
PUBSTRUCT(kr_go_kustomization, "types.Kustomization", f_kustomization);

typedef struct norm {
    kr_arena *a;
    const char *file;
    kr_err *err;
} norm;

static int type_error(norm *c, const kr_node *n, const char *field, const kr_gotype *t)
{
    if (field)
        return kr_err_set(c->err, KRENDER_E_KUSTOMIZATION, c->file, n->line, n->col,
                          "invalid Kustomization: json: cannot unmarshal %s into Go struct "
                          "field %s of type %s",
                          kr_json_type(n), field, t->goname);
    return kr_err_set(c->err, KRENDER_E_KUSTOMIZATION, c->file, n->line, n->col,
                      "invalid Kustomization: json: cannot unmarshal %s into Go value of type %s",
                      kr_json_type(n), t->goname);
}

/* The JSON text of a scalar after YAML -> JSON (timestamps become RFC 3339 strings ...). */
static int scalar_json(norm *c, const kr_node *n, char *numbuf, kr_jscalar *js)
{
    kr_buf scratch = {0};
    int rc = kr_json_scalar(n, numbuf, &scratch, js, c->err);
    if (rc) {
        kr_buf_free(&scratch);
        if (!c->err->file && c->file)
            c->err->file = strdup(c->file);
        return rc;
    }
    char *copy = kr_arena_strndup(c->a, js->text, js->len);
    kr_buf_free(&scratch);
    if (!copy)
        return kr_err_nomem(c->err);
    js->text = copy;
    return 0;
}

static int make_str(norm *c, const char *s, size_t len, kr_node **out)
{
    *out = kr_node_scalar(c->a, KR_T_STR, s, len);
    return *out ? 0 : kr_err_nomem(c->err);
}

static int norm_value(norm *c, const kr_gotype *t, const kr_node *n, const char *field,
                      kr_node **out);

static bool is_empty(const kr_gotype *t, const kr_node *v)
{
    if (!v)
        return true;
    switch (t->kind) {
    case G_STRING:
        return v->len == 0;
    case G_BOOL:
        return strcmp(v->u.text, "false") == 0;
    case G_INT:
        return strcmp(v->u.text, "0") == 0;
    case G_STRMAP:
    case G_BOOLMAP:
    case G_SLICE:
        return v->len == 0;
    case G_STRUCT:
        return false;
    case G_PTR:
        return false; /* non-nil */
    case G_ANY:
        return kr_is_null(v) || ((v->kind == KR_MAP || v->kind == KR_SEQ) && v->len == 0) ||
               (v->kind == KR_SCALAR && v->type == KR_T_STR && v->len == 0);
    }
    return false;
}

static int norm_struct(norm *c, const kr_gotype *t, const kr_node *n, kr_node **out)
{
    kr_node *vals[40] = {0};
    bool seen[40] = {0};
    if (n && !kr_is_null(n)) {
        if (n->kind != KR_MAP)
            return type_error(c, n, NULL, t);
        const char *names[40];
        for (size_t i = 0; i < t->nfields; i++)
            names[i] = t->fields[i].json;
        for (uint32_t i = 0; i < n->len; i++) {
            const kr_pair *p = &n->u.pairs[i];
            int f = kr_dec_match_key(p->key->u.text, names, t->nfields);
            if (f < 0)
                return kr_err_set(c->err, KRENDER_E_KUSTOMIZATION, c->file, p->key->line,
                                  p->key->col, "invalid Kustomization: json: unknown field \"%s\"",
                                  p->key->u.text);
            int rc = norm_value(c, t->fields[f].type, p->value, t->fields[f].json, &vals[f]);
            if (rc)
                return rc;
            seen[f] = true;
        }
    }
    kr_node *m = kr_node_map(c->a, (uint32_t)t->nfields);
    if (!m)
        return kr_err_nomem(c->err);
    for (size_t i = 0; i < t->nfields; i++) {
        const gfield *f = &t->fields[i];
        kr_node *v = vals[i];
        if (!seen[i] && f->type->kind != G_PTR && f->type->kind != G_SLICE &&
            f->type->kind != G_STRMAP && f->type->kind != G_BOOLMAP && f->type->kind != G_ANY) {
            int rc = norm_value(c, f->type, NULL, f->json, &v); /* the zero value */
            if (rc)
                return rc;
        }
        if (f->omitempty && is_empty(f->type, v))
            continue;
        if (!v && !(v = kr_node_scalar(c->a, KR_T_NULL, "null", 4)))
            return kr_err_nomem(c->err);
        kr_node *key = kr_node_str(c->a, f->json);
        if (!key || !kr_map_append(c->a, m, key, v))
            return kr_err_nomem(c->err);
    }
    *out = m;
    return 0;
}

static int norm_map(norm *c, const kr_gotype *t, const kr_node *n, const char *field,
                    kr_node **out)
{
    if (n->kind != KR_MAP)
        return type_error(c, n, field, t);
    kr_node *m = kr_node_map(c->a, n->len);
    if (!m)
        return kr_err_nomem(c->err);
    for (uint32_t i = 0; i < n->len; i++) {
        const kr_pair *p = &n->u.pairs[i];
        kr_node *v;
        int rc = norm_value(c, t->kind == G_STRMAP ? &t_string : &t_bool, p->value, field, &v);
        if (rc)
            return rc;
        if (!v && !(v = kr_node_scalar(c->a, t->kind == G_STRMAP ? KR_T_STR : KR_T_BOOL,
                                       t->kind == G_STRMAP ? "" : "false",
                                       t->kind == G_STRMAP ? 0 : 5)))
            return kr_err_nomem(c->err);
        kr_node *key;
        if ((rc = make_str(c, p->key->u.text, p->key->len, &key)))
            return rc;
        if (!kr_map_set(c->a, m, key->u.text, v)) /* JSON: the last duplicate wins */
            return kr_err_nomem(c->err);
    }
    *out = m;
    return 0;
}

static int norm_value(norm *c, const kr_gotype *t, const kr_node *n, const char *field,
                      kr_node **out)
{
    *out = NULL;
    char numbuf[KR_JSON_NUMBUF];
    kr_jscalar js;
    int rc;
    if (t->kind == G_STRUCT)
        return norm_struct(c, t, n, out);
    if (!n || kr_is_null(n)) { /* null leaves the Go zero value */
        switch (t->kind) {
        case G_STRING:
            return make_str(c, "", 0, out);
        case G_BOOL:
            *out = kr_node_scalar(c->a, KR_T_BOOL, "false", 5);
            return *out ? 0 : kr_err_nomem(c->err);
        case G_INT:
            *out = kr_node_scalar(c->a, KR_T_INT, "0", 1);
            return *out ? 0 : kr_err_nomem(c->err);
        default:
            return 0; /* nil */
        }
    }
    switch (t->kind) {
    case G_STRING:
        if (n->kind != KR_SCALAR)
            return type_error(c, n, field, t);
        if ((rc = scalar_json(c, n, numbuf, &js)))
            return rc;
        if (!js.is_str)
            return type_error(c, n, field, t);
        return make_str(c, js.text, js.len, out);
    case G_BOOL:
        if (n->kind != KR_SCALAR || n->type != KR_T_BOOL)
            return type_error(c, n, field, t);
        if ((rc = scalar_json(c, n, numbuf, &js)))
            return rc;
        *out = kr_node_scalar(c->a, KR_T_BOOL, js.text, js.len);
        return *out ? 0 : kr_err_nomem(c->err);
    case G_INT:
        if (n->kind != KR_SCALAR || n->type != KR_T_INT)
            return type_error(c, n, field, t);
        if ((rc = scalar_json(c, n, numbuf, &js)))
            return rc;
        *out = kr_node_scalar(c->a, KR_T_INT, js.text, js.len);
        return *out ? 0 : kr_err_nomem(c->err);
    case G_STRMAP:
    case G_BOOLMAP:
        return norm_map(c, t, n, field, out);
    case G_SLICE: {
        if (n->kind != KR_SEQ)
            return type_error(c, n, field, t);
        kr_node *s = kr_node_seq(c->a, n->len);
        if (!s)
            return kr_err_nomem(c->err);
        for (uint32_t i = 0; i < n->len; i++) {
            kr_node *v;
            if ((rc = norm_value(c, t->elem, n->u.items[i], field, &v)))
                return rc;
            if (!v && !(v = kr_node_scalar(c->a, KR_T_NULL, "null", 4)))
                return kr_err_nomem(c->err);
            if (!kr_seq_append(c->a, s, v))
                return kr_err_nomem(c->err);
        }
        *out = s;
        return 0;
    }
    case G_PTR:
        return norm_struct(c, t->elem, n, out);
    case G_ANY:
        *out = kr_node_copy(c->a, n);
        return *out ? 0 : kr_err_nomem(c->err);
    case G_STRUCT:
        break;
    }
    return 0;
}

int kr_go_normalize(kr_arena *a, const kr_gotype *t, const kr_node *n, const char *file,
                    kr_node **out, kr_err *err)
{
    norm c = {a, file, err};
    return norm_value(&c, t, n, NULL, out);
}
