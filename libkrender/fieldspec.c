#include "fieldspec.h"

#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "embedded.h"
#include "gosort.h"
#include "parse.h"
#include "render.h"

static const char *const kind_names[KR_FS_COUNT] = {
    [KR_FS_NAME_PREFIX] = "namePrefix",
    [KR_FS_NAME_SUFFIX] = "nameSuffix",
    [KR_FS_COMMON_LABELS] = "commonLabels",
    [KR_FS_TEMPLATE_LABELS] = "templateLabels",
    [KR_FS_LABELS] = "labels",
    [KR_FS_COMMON_ANNOTATIONS] = "commonAnnotations",
    [KR_FS_NAMESPACE] = "namespace",
    [KR_FS_VAR_REFERENCE] = "varReference",
    [KR_FS_IMAGES] = "images",
    [KR_FS_REPLICAS] = "replicas",
};

const char *kr_fs_kind_name(kr_fs_kind k)
{
    return kind_names[k];
}

/* ---- parsing ---- */

static int cfg_error(kr_err *err, const char *file, const kr_node *n, const char *msg)
{
    return kr_err_set(err, KRENDER_E_KUSTOMIZATION, file, n ? n->line : 0, n ? n->col : 0,
                      "invalid transformer configuration: %s", msg);
}

/* kustomize's PathSplitter: split on '/', where "\/" keeps a slash inside an element. */
static int split_path(kr_arena *a, const char *path, kr_fieldspec *fs)
{
    size_t n = 1;
    for (const char *p = path; *p; p++)
        if (*p == '/')
            n++;
    fs->elems = kr_arena_alloc(a, n * sizeof *fs->elems);
    char *buf = kr_arena_alloc(a, strlen(path) + 1);
    if (!fs->elems || !buf)
        return -1;
    fs->nelems = 0;
    char *w = buf;
    fs->elems[fs->nelems++] = w;
    for (const char *p = path; *p; p++) {
        if (*p == '/' && w > buf && w[-1] == '\\') {
            w[-1] = '/';
        } else if (*p == '/') {
            *w++ = '\0';
            fs->elems[fs->nelems++] = w;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    return 0;
}

int kr_fieldspec_parse(kr_arena *a, const kr_node *n, const char *file, kr_fieldspec *out,
                       kr_err *err)
{
    static const char *const names[] = {"group", "version", "kind", "path", "create"};
    if (!kr_is_map(n))
        return cfg_error(err, file, n, "a field spec must be a map");
    kr_node *v[5] = {0};
    for (uint32_t i = 0; i < n->len; i++) {
        int k = kr_dec_match_key(n->u.pairs[i].key->u.text, names, 5);
        if (k < 0)
            return kr_err_set(err, KRENDER_E_KUSTOMIZATION, file, n->u.pairs[i].key->line,
                              n->u.pairs[i].key->col, "json: unknown field \"%s\"",
                              n->u.pairs[i].key->u.text);
        kr_node *val = n->u.pairs[i].value;
        if (!kr_is_null(val) && (val->kind != KR_SCALAR || (k == 4 ? val->type != KR_T_BOOL
                                                                   : val->type == KR_T_BOOL)))
            return kr_err_set(err, KRENDER_E_KUSTOMIZATION, file, val->line, val->col,
                              "json: cannot unmarshal %s into Go struct field FieldSpec.%s of "
                              "type %s",
                              kr_json_type(val), names[k], k == 4 ? "bool" : "string");
        v[k] = kr_is_null(val) ? NULL : val;
    }
    *out = (kr_fieldspec){.group = kr_dec_text(v[0]), .version = kr_dec_text(v[1]),
                          .kind = kr_dec_text(v[2]), .path = kr_dec_text(v[3]),
                          .create = kr_dec_true(v[4])};
    return split_path(a, out->path, out) ? kr_err_nomem(err) : 0;
}

int kr_fslist_append(kr_arena *a, kr_fslist *l, const kr_fieldspec *fs)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        kr_fieldspec *v = kr_arena_alloc(a, cap * sizeof *v);
        if (!v)
            return KRENDER_E_NOMEM;
        if (l->n)
            memcpy(v, l->v, l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *fs;
    return 0;
}

static int parse_list(kr_arena *a, const kr_node *seq, const char *file, kr_fslist *out,
                      kr_err *err)
{
    if (kr_is_null(seq))
        return 0;
    if (!kr_is_seq(seq))
        return cfg_error(err, file, seq, "expected a list of field specs");
    for (uint32_t i = 0; i < seq->len; i++) {
        kr_fieldspec fs;
        int rc = kr_fieldspec_parse(a, seq->u.items[i], file, &fs, err);
        if (!rc)
            rc = kr_fslist_append(a, out, &fs) ? kr_err_nomem(err) : 0;
        if (rc)
            return rc;
    }
    return 0;
}

static int nameref_append(kr_arena *a, kr_tconfig *t, const kr_nameref *nr)
{
    if (t->nnameref == t->nameref_cap) {
        size_t cap = t->nameref_cap ? t->nameref_cap * 2 : 16;
        kr_nameref *v = kr_arena_alloc(a, cap * sizeof *v);
        if (!v)
            return KRENDER_E_NOMEM;
        if (t->nnameref)
            memcpy(v, t->nameref, t->nnameref * sizeof *v);
        t->nameref = v;
        t->nameref_cap = cap;
    }
    t->nameref[t->nnameref++] = *nr;
    return 0;
}

static int parse_namerefs(kr_arena *a, const kr_node *seq, const char *file, kr_tconfig *t,
                          kr_err *err)
{
    static const char *const names[] = {"group", "version", "kind", "fieldSpecs"};
    if (kr_is_null(seq))
        return 0;
    if (!kr_is_seq(seq))
        return cfg_error(err, file, seq, "nameReference must be a list");
    for (uint32_t i = 0; i < seq->len; i++) {
        const kr_node *n = seq->u.items[i];
        if (!kr_is_map(n))
            return cfg_error(err, file, n, "a nameReference entry must be a map");
        kr_node *v[4] = {0};
        for (uint32_t j = 0; j < n->len; j++) {
            int k = kr_dec_match_key(n->u.pairs[j].key->u.text, names, 4);
            if (k < 0)
                return kr_err_set(err, KRENDER_E_KUSTOMIZATION, file, n->u.pairs[j].key->line,
                                  n->u.pairs[j].key->col, "json: unknown field \"%s\"",
                                  n->u.pairs[j].key->u.text);
            v[k] = kr_is_null(n->u.pairs[j].value) ? NULL : n->u.pairs[j].value;
        }
        kr_nameref nr = {.group = kr_dec_text(v[0]), .version = kr_dec_text(v[1]),
                         .kind = kr_dec_text(v[2])};
        int rc = parse_list(a, v[3], file, &nr.referrers, err);
        if (!rc)
            rc = nameref_append(a, t, &nr) ? kr_err_nomem(err) : 0;
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- kustomize's sort of the lists (Gvk.IsLessThan: kind rank, then Kind.version.group) ---- */

static const char *const rank_first[] = {
    "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
    "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
    "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange", "PriorityClass",
    "PersistentVolume", "PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob",
    "PodDisruptionBudget"};
static const char *const rank_last[] = {"MutatingWebhookConfiguration",
                                        "ValidatingWebhookConfiguration"};

static int kind_rank(const char *kind)
{
    const int nf = (int)(sizeof rank_first / sizeof *rank_first);
    for (int i = 0; i < nf; i++)
        if (strcmp(rank_first[i], kind) == 0)
            return i - nf;
    for (int i = 0; i < 2; i++)
        if (strcmp(rank_last[i], kind) == 0)
            return 1 + i;
    return 0;
}

/* Compares "Kind.version.group" strings (with [noKind] etc.) without building them. */
static int gvk_string_cmp(const char *g1, const char *v1, const char *k1, const char *g2,
                          const char *v2, const char *k2)
{
    char a[512], b[512];
    snprintf(a, sizeof a, "%s.%s.%s", k1[0] ? k1 : "[noKind]", v1[0] ? v1 : "[noVer]",
             g1[0] ? g1 : "[noGrp]");
    snprintf(b, sizeof b, "%s.%s.%s", k2[0] ? k2 : "[noKind]", v2[0] ? v2 : "[noVer]",
             g2[0] ? g2 : "[noGrp]");
    return strcmp(a, b);
}

static bool gvk_less(const char *g1, const char *v1, const char *k1, const char *g2,
                     const char *v2, const char *k2)
{
    int r1 = kind_rank(k1), r2 = kind_rank(k2);
    if (r1 != r2)
        return r1 < r2;
    return gvk_string_cmp(g1, v1, k1, g2, v2, k2) < 0;
}

static bool fs_less(const void *a, const void *b, void *arg)
{
    (void)arg;
    const kr_fieldspec *x = a, *y = b;
    return gvk_less(x->group, x->version, x->kind, y->group, y->version, y->kind);
}

static bool nr_less(const void *a, const void *b, void *arg)
{
    (void)arg;
    const kr_nameref *x = a, *y = b;
    return gvk_less(x->group, x->version, x->kind, y->group, y->version, y->kind);
}

/* Sorts an array of structs with Go's algorithm through an array of pointers. */
static int sort_structs(void *base, size_t n, size_t size,
                        bool (*less)(const void *, const void *, void *), kr_arena *a)
{
    if (n < 2)
        return 0;
    void **ptrs = kr_arena_alloc(a, n * sizeof *ptrs);
    char *copy = kr_arena_alloc(a, n * size);
    if (!ptrs || !copy)
        return KRENDER_E_NOMEM;
    memcpy(copy, base, n * size);
    for (size_t i = 0; i < n; i++)
        ptrs[i] = copy + i * size;
    kr_go_sort(ptrs, n, less, NULL);
    for (size_t i = 0; i < n; i++)
        memcpy((char *)base + i * size, ptrs[i], size);
    return 0;
}

static int sort_all(kr_arena *a, kr_tconfig *t)
{
    for (int k = 0; k < KR_FS_COUNT; k++)
        if (sort_structs(t->lists[k].v, t->lists[k].n, sizeof(kr_fieldspec), fs_less, a))
            return KRENDER_E_NOMEM;
    for (size_t i = 0; i < t->nnameref; i++)
        if (sort_structs(t->nameref[i].referrers.v, t->nameref[i].referrers.n,
                         sizeof(kr_fieldspec), fs_less, a))
            return KRENDER_E_NOMEM;
    return sort_structs(t->nameref, t->nnameref, sizeof(kr_nameref), nr_less, a);
}

int kr_tconfig_parse(kr_arena *a, const kr_node *doc, const char *file, kr_tconfig *out,
                     kr_err *err)
{
    *out = (kr_tconfig){0};
    if (kr_is_null(doc))
        return 0;
    if (!kr_is_map(doc))
        return cfg_error(err, file, doc, "expected a map");
    const char *names[KR_FS_COUNT + 1];
    for (int k = 0; k < KR_FS_COUNT; k++)
        names[k] = kind_names[k];
    names[KR_FS_COUNT] = "nameReference";
    for (uint32_t i = 0; i < doc->len; i++) {
        const kr_pair *p = &doc->u.pairs[i];
        int k = kr_dec_match_key(p->key->u.text, names, KR_FS_COUNT + 1);
        if (k < 0)
            return kr_err_set(err, KRENDER_E_KUSTOMIZATION, file, p->key->line, p->key->col,
                              "json: unknown field \"%s\"", p->key->u.text);
        int rc = k == KR_FS_COUNT ? parse_namerefs(a, p->value, file, out, err)
                                  : parse_list(a, p->value, file, &out->lists[k], err);
        if (rc)
            return rc;
    }
    out->loaded = out->custom = true;
    return sort_all(a, out) ? kr_err_nomem(err) : 0;
}

int kr_tconfig_defaults(kr_arena *a, kr_tconfig *out, kr_err *err)
{
    kr_node *doc;
    int rc = kr_parse_document(a, "<embedded defaultconfig.yaml>",
                               (const char *)kr_data_defaultconfig, kr_data_defaultconfig_len,
                               KR_YAML_12, &doc, err);
    if (!rc)
        rc = kr_tconfig_parse(a, doc, "<embedded defaultconfig.yaml>", out, err);
    out->custom = false;
    return rc;
}

static int copy_list(kr_arena *a, kr_fslist *dst, const kr_fslist *src)
{
    *dst = (kr_fslist){0};
    for (size_t i = 0; i < src->n; i++)
        if (kr_fslist_append(a, dst, &src->v[i]))
            return KRENDER_E_NOMEM;
    return 0;
}

int kr_tconfig_copy(kr_arena *a, kr_tconfig *dst, const kr_tconfig *src, kr_err *err)
{
    *dst = (kr_tconfig){0};
    for (int k = 0; k < KR_FS_COUNT; k++)
        if (copy_list(a, &dst->lists[k], &src->lists[k]))
            return kr_err_nomem(err);
    for (size_t i = 0; i < src->nnameref; i++) {
        kr_nameref nr = src->nameref[i];
        if (copy_list(a, &nr.referrers, &src->nameref[i].referrers) ||
            nameref_append(a, dst, &nr))
            return kr_err_nomem(err);
    }
    dst->loaded = src->loaded;
    dst->custom = src->custom;
    return 0;
}

/* kustomize's FieldSpec.effectivelyEquals: same path and the incoming gvk selects the existing
 * one (the incoming spec's empty fields are wildcards). */
static int merge_list(kr_arena *a, kr_fslist *dst, const kr_fslist *src, const char *what,
                      kr_err *err)
{
    for (size_t i = 0; i < src->n; i++) {
        const kr_fieldspec *in = &src->v[i];
        const kr_fieldspec *dup = NULL;
        for (size_t j = 0; j < dst->n && !dup; j++)
            if (strcmp(dst->v[j].path, in->path) == 0 &&
                kr_fs_selects(in, dst->v[j].group, dst->v[j].version, dst->v[j].kind))
                dup = &dst->v[j];
        if (dup && dup->create != in->create)
            return kr_err_set(err, KRENDER_E_KUSTOMIZATION, NULL, 0, 0,
                              "failed to merge %s fieldSpec: conflicting fieldspecs", what);
        if (!dup && kr_fslist_append(a, dst, in))
            return kr_err_nomem(err);
    }
    return 0;
}

static const char *const merge_names[KR_FS_COUNT] = {
    "NamePrefix", "NameSuffix", "CommonLabels", "TemplateLabels", "Labels",
    "CommonAnnotations", "NameSpace", "VarReference", "Images", "Replicas"};

int kr_tconfig_merge(kr_arena *a, kr_tconfig *dst, const kr_tconfig *src, kr_err *err)
{
    if (!src->loaded || (dst->loaded && !src->custom))
        return 0;
    if (!dst->loaded)
        return kr_tconfig_copy(a, dst, src, err);
    dst->custom = true;
    for (int k = 0; k < KR_FS_COUNT; k++) {
        int rc = merge_list(a, &dst->lists[k], &src->lists[k], merge_names[k], err);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < src->nnameref; i++) {
        const kr_nameref *in = &src->nameref[i];
        kr_nameref *same = NULL;
        for (size_t j = 0; j < dst->nnameref && !same; j++)
            if (strcmp(dst->nameref[j].group, in->group) == 0 &&
                strcmp(dst->nameref[j].version, in->version) == 0 &&
                strcmp(dst->nameref[j].kind, in->kind) == 0)
                same = &dst->nameref[j];
        int rc;
        if (same) {
            rc = merge_list(a, &same->referrers, &in->referrers, "NameReference", err);
        } else {
            kr_nameref nr = *in;
            rc = copy_list(a, &nr.referrers, &in->referrers) || nameref_append(a, dst, &nr)
                     ? kr_err_nomem(err)
                     : 0;
        }
        if (rc)
            return rc;
    }
    return sort_all(a, dst) ? kr_err_nomem(err) : 0;
}

/* ---- matching and walking ---- */

bool kr_fs_selects(const kr_fieldspec *fs, const char *group, const char *version,
                   const char *kind)
{
    return (!fs->kind[0] || strcmp(fs->kind, kind) == 0) &&
           (!fs->group[0] || strcmp(fs->group, group) == 0) &&
           (!fs->version[0] || strcmp(fs->version, version) == 0);
}

typedef struct walk {
    kr_render *r;
    kr_resource *res;
    const kr_fieldspec *fs;
    int create_kind;
    kr_fs_setter set;
    void *arg;
} walk;

static int walk_error(const walk *w, const kr_node *at, const char *msg)
{
    return kr_err_set(w->r->err, KRENDER_E_RESOURCE, w->res->file, at->line, at->col,
                      "considering field '%s' of object %s: %s", w->fs->path,
                      kr_resid_string(w->r->arena, &w->res->id), msg);
}

/* Turns a null node into an empty node of `kind`, in place. */
static void convert_null(kr_node *n, int kind)
{
    n->kind = (uint8_t)kind;
    n->type = KR_T_STR;
    n->len = n->cap = 0;
    if (kind == KR_SCALAR)
        n->u.text = "";
    else
        n->u.items = NULL;
}

static kr_node *new_node(kr_arena *a, int kind)
{
    switch (kind) {
    case KR_MAP:
        return kr_node_map(a, 0);
    case KR_SEQ:
        return kr_node_seq(a, 0);
    default:
        return kr_node_scalar(a, KR_T_STR, "", 0);
    }
}

static int visit(const walk *w, kr_node *obj, uint32_t depth);

static int visit_map(const walk *w, kr_node *obj, uint32_t depth)
{
    const char *elem = w->fs->elems[depth];
    size_t len = strlen(elem);
    bool is_seq = len >= 2 && elem[len - 2] == '[' && elem[len - 1] == ']';
    if (is_seq)
        len -= 2;
    if (len == 0)
        return walk_error(w, obj, "cannot set or create an empty field name");
    bool last = depth + 1 == w->fs->nelems;
    int kind = 0;
    bool create = false;
    if (!w->fs->create || !w->create_kind || is_seq) {
        kind = is_seq ? KR_SEQ : 0;
    } else {
        kind = last ? w->create_kind : KR_MAP;
        create = true;
    }
    kr_node *field = kr_map_getn(obj, elem, len);
    if (!field && create) {
        kr_arena *a = w->r->arena;
        kr_node *key = kr_node_scalar(a, KR_T_STR, elem, len);
        field = new_node(a, kind);
        if (!key || !field || !kr_map_append(a, obj, key, field))
            return kr_err_nomem(w->r->err);
    }
    if (!field)
        return 0;
    if (kind && field->kind == KR_SCALAR && field->type == KR_T_NULL)
        convert_null(field, kind);
    return visit(w, field, depth + 1);
}

static int visit(const walk *w, kr_node *obj, uint32_t depth)
{
    if (depth == w->fs->nelems)
        return w->set(w->r, w->res, obj, w->arg);
    if (kr_is_null(obj))
        return 0;
    switch (obj->kind) {
    case KR_SEQ:
        for (uint32_t i = 0; i < obj->len; i++) {
            int rc = visit(w, obj->u.items[i], depth);
            if (rc)
                return rc;
        }
        return 0;
    case KR_MAP:
        return visit_map(w, obj, depth);
    default:
        return walk_error(w, obj, "expected sequence or mapping node");
    }
}

int kr_fs_walk(kr_render *r, kr_resource *res, const kr_fieldspec *fs, int create_kind,
               kr_fs_setter set, void *arg)
{
    walk w = {r, res, fs, create_kind, set, arg};
    return visit(&w, res->node, 0);
}
