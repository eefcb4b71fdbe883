/* The strategic-merge schema: data/patch-merge-keys.yaml (merge.md §4) as types with field
 * tables and a sorted gvk table for the resource roots (compiled at build time), and schemas
 * built from a custom Swagger document. */
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "decode.h"
#include "patch.h"

typedef struct gvk_entry {
    const char *key; /* "<apiVersion> <kind>" */
    const kr_smp_type *type;
} gvk_entry;

struct kr_smp_schema {
    kr_smp_type *types; /* sorted by name */
    size_t ntypes;
    gvk_entry *gvk; /* sorted by key */
    size_t ngvk;
};

static int cmp_type(const void *a, const void *b)
{
    return strcmp(((const kr_smp_type *)a)->name, ((const kr_smp_type *)b)->name);
}

static int cmp_gvk(const void *a, const void *b)
{
    return strcmp(((const gvk_entry *)a)->key, ((const gvk_entry *)b)->key);
}

static const kr_smp_type *find_type(const kr_smp_schema *s, const char *name)
{
    if (!name || !s->ntypes) /* types is NULL then, and bsearch wants an array */
        return NULL;
    kr_smp_type key = {.name = name};
    return bsearch(&key, s->types, s->ntypes, sizeof key, cmp_type);
}

/* The built-in tables: builtin_schema, generated from data/patch-merge-keys.yaml at build time
 * (tools/gen_schema.py), so using them costs nothing per process. */
#include "schema_builtin.inc"

const kr_smp_schema *kr_smp_schema_builtin(void)
{
    return &builtin_schema;
}

const kr_smp_type *kr_smp_schema_root(const kr_smp_schema *s, const char *api_version,
                                      const char *kind)
{
    if (!s || !s->ngvk || !api_version || !kind) /* gvk is NULL when there is none */
        return NULL;
    char buf[512];
    size_t na = strlen(api_version), nk = strlen(kind);
    if (na + nk + 2 > sizeof buf)
        return NULL;
    memcpy(buf, api_version, na);
    buf[na] = ' ';
    memcpy(buf + na + 1, kind, nk + 1);
    gvk_entry key = {.key = buf};
    const gvk_entry *e = bsearch(&key, s->gvk, s->ngvk, sizeof key, cmp_gvk);
    return e ? e->type : NULL;
}

const kr_smp_field *kr_smp_type_field(const kr_smp_type *t, const char *name, size_t len)
{
    if (!t)
        return NULL;
    for (uint32_t i = 0; i < t->nfields; i++)
        if (strlen(t->fields[i].name) == len && memcmp(t->fields[i].name, name, len) == 0)
            return &t->fields[i];
    return NULL;
}

/* ---- custom schemas: a Swagger 2.0 document given by `openapi: {path: ...}` (merge.md §4.3) */

typedef struct swagger {
    kr_arena *a;
    kr_err *err;
    const char *file;
    kr_smp_schema *s;
    const kr_node *defs;
    const kr_smp_schema *builtin; /* definitions the document refers to but lacks */
} swagger;

/* A built-in definition under the shortened names of patch-merge-keys.yaml. */
static const kr_smp_type *builtin_type(const swagger *sw, const char *ref)
{
    static const char *const prefixes[][2] = {
        {"io.k8s.api.", ""},
        {"io.k8s.apimachinery.pkg.apis.meta.", "meta."},
        {"io.k8s.kube-aggregator.pkg.apis.", "aggregator."},
        {"io.k8s.apiextensions-apiserver.pkg.apis.", "apiextensions."},
    };
    if (!sw->builtin)
        return NULL;
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        size_t n = strlen(prefixes[i][0]);
        if (strncmp(ref, prefixes[i][0], n) == 0) {
            char *name = kr_arena_printf(sw->a, "%s%s", prefixes[i][1], ref + n);
            return name ? find_type(sw->builtin, name) : NULL;
        }
    }
    return find_type(sw->builtin, ref);
}

static const char *ref_name(const kr_node *schema)
{
    const char *ref = kr_map_get_str(schema, "$ref");
    if (ref && strncmp(ref, "#/definitions/", 14) == 0)
        ref += 14;
    return ref;
}

static int convert_props(swagger *sw, const kr_node *props, kr_smp_type *t, unsigned depth);

/* The type of a schema: a named definition ($ref) or an inline object (made here). */
static int schema_type(swagger *sw, const kr_node *schema, const kr_smp_type **out,
                       unsigned depth)
{
    *out = NULL;
    const char *ref = ref_name(schema);
    if (ref) {
        /* kustomize resolves references the document lacks among its built-in definitions */
        *out = find_type(sw->s, ref);
        bool described = kr_is_map(kr_map_get(kr_map_get(sw->defs, ref), "properties"));
        const kr_smp_type *b = described ? NULL : builtin_type(sw, ref);
        if (b)
            *out = b;
        return 0;
    }
    const kr_node *props = kr_map_get(schema, "properties");
    if (!kr_is_map(props) || depth > 64)
        return 0;
    kr_smp_type *t = kr_arena_zalloc(sw->a, sizeof *t);
    if (!t)
        return kr_err_nomem(sw->err);
    t->name = "";
    *out = t;
    return convert_props(sw, props, t, depth + 1);
}

static int convert_field(swagger *sw, const kr_pair *p, kr_smp_field *f, unsigned depth)
{
    const kr_node *v = p->value;
    f->name = p->key->u.text;
    const char *type = kr_map_get_str(v, "type");
    const kr_node *add = kr_map_get(v, "additionalProperties");
    int rc = 0;
    if (type && strcmp(type, "array") == 0) {
        f->kind = KR_SF_LIST;
        const char *strategy = kr_map_get_str(v, "x-kubernetes-patch-strategy");
        const char *key = kr_map_get_str(v, "x-kubernetes-patch-merge-key");
        const kr_node *keys = kr_map_get(v, "x-kubernetes-list-map-keys");
        f->has_strategy = strategy || key || kr_is_seq(keys);
        for (const char *s = strategy; s && *s;) {
            const char *e = strchr(s, ',');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            if (n == 5 && memcmp(s, "merge", 5) == 0)
                f->merge = true;
            s = e ? e + 1 : s + n;
        }
        size_t nk = kr_is_seq(keys) ? keys->len : (key ? 1 : 0);
        if (nk && !(f->keys = kr_arena_alloc(sw->a, nk * sizeof *f->keys)))
            return kr_err_nomem(sw->err);
        for (size_t i = 0; i < nk; i++)
            f->keys[i] = kr_is_seq(keys) ? kr_dec_text(keys->u.items[i]) : key;
        f->nkeys = (uint32_t)nk;
        rc = schema_type(sw, kr_map_get(v, "items"), &f->type, depth);
    } else if (ref_name(v) || kr_is_map(kr_map_get(v, "properties"))) {
        f->kind = KR_SF_OBJECT;
        rc = schema_type(sw, v, &f->type, depth);
    } else if (kr_is_map(add)) {
        f->kind = KR_SF_MAP;
        rc = schema_type(sw, add, &f->type, depth);
    } else {
        f->kind = KR_SF_OTHER;
    }
    if (f->type)
        f->type_name = f->type->name;
    return rc;
}

static int convert_props(swagger *sw, const kr_node *props, kr_smp_type *t, unsigned depth)
{
    t->nfields = props->len;
    if (t->nfields && !(t->fields = kr_arena_zalloc(sw->a, t->nfields * sizeof *t->fields)))
        return kr_err_nomem(sw->err);
    for (uint32_t i = 0; i < props->len; i++) {
        int rc = convert_field(sw, &props->u.pairs[i], &t->fields[i], depth);
        if (rc)
            return rc;
    }
    return 0;
}

/* Roots: definitions with x-kubernetes-group-version-kind, keyed "<apiVersion> <kind>". */
static int swagger_roots(swagger *sw)
{
    size_t n = 0;
    for (uint32_t i = 0; i < sw->defs->len; i++) {
        const kr_node *g = kr_map_get(sw->defs->u.pairs[i].value, "x-kubernetes-group-version-kind");
        n += kr_is_seq(g) ? g->len : 0;
    }
    if (n && !(sw->s->gvk = kr_arena_zalloc(sw->a, n * sizeof *sw->s->gvk)))
        return kr_err_nomem(sw->err);
    for (uint32_t i = 0; i < sw->defs->len; i++) {
        const kr_node *g = kr_map_get(sw->defs->u.pairs[i].value, "x-kubernetes-group-version-kind");
        const kr_smp_type *t = find_type(sw->s, sw->defs->u.pairs[i].key->u.text);
        for (uint32_t j = 0; kr_is_seq(g) && j < g->len; j++) {
            const char *grp = kr_map_get_str(g->u.items[j], "group");
            const char *ver = kr_map_get_str(g->u.items[j], "version");
            const char *kind = kr_map_get_str(g->u.items[j], "kind");
            if (!ver || !kind)
                continue;
            char *key = grp && *grp ? kr_arena_printf(sw->a, "%s/%s %s", grp, ver, kind)
                                    : kr_arena_printf(sw->a, "%s %s", ver, kind);
            if (!key)
                return kr_err_nomem(sw->err);
            sw->s->gvk[sw->s->ngvk++] = (gvk_entry){key, t};
        }
    }
    if (sw->s->ngvk > 1) /* gvk is NULL when there is none; qsort wants an array */
        qsort(sw->s->gvk, sw->s->ngvk, sizeof *sw->s->gvk, cmp_gvk);
    return 0;
}

int kr_smp_schema_from_swagger(kr_arena *a, const kr_node *doc, const char *file,
                               const kr_smp_schema *builtin, kr_smp_schema **out, kr_err *err)
{
    const kr_node *defs = kr_map_get(doc, "definitions");
    if (!kr_is_map(defs))
        return kr_err_set(err, KRENDER_E_KUSTOMIZATION, file, doc ? doc->line : 0,
                          doc ? doc->col : 0, "OpenAPI schema has no 'definitions' map");
    kr_smp_schema *s = kr_arena_zalloc(a, sizeof *s);
    if (!s || (defs->len && !(s->types = kr_arena_zalloc(a, defs->len * sizeof *s->types))))
        return kr_err_nomem(err);
    /* named types first (sorted, so $refs resolve while fields are converted) */
    s->ntypes = defs->len;
    for (uint32_t i = 0; i < defs->len; i++)
        s->types[i].name = defs->u.pairs[i].key->u.text;
    if (s->ntypes > 1) /* types is NULL for an empty definitions map */
        qsort(s->types, s->ntypes, sizeof *s->types, cmp_type);
    swagger sw = {a, err, file, s, defs, builtin};
    for (uint32_t i = 0; i < defs->len; i++) {
        const kr_node *props = kr_map_get(defs->u.pairs[i].value, "properties");
        kr_smp_type *t = (kr_smp_type *)find_type(s, defs->u.pairs[i].key->u.text);
        if (t && !t->fields && kr_is_map(props)) {
            int rc = convert_props(&sw, props, t, 0);
            if (rc)
                return rc;
        }
    }
    int rc = swagger_roots(&sw);
    if (!rc)
        *out = s;
    return rc;
}
