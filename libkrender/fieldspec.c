#include "fieldspec.h"

#include <stdio.h>
#include <string.h>

#include "common_words.h"
#include "decode.h"
#include "embedded.h"
#include "gosort.h"
#include "order.h"
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

/* kustomize reads a TransformerConfig with sigs.k8s.io/yaml's strict decoding: Go's json
 * errors, named by struct and JSON path ("FieldSpec.commonLabels.Gvk.kind"). */
#define CFG_PREFIX "error unmarshaling JSON: while decoding JSON: json: "

static int cfg_type_error(kr_err *err, const char *file, const kr_node *n, const char *field,
                          const char *gotype)
{
    return kr_err_set(err, KRENDER_E_KUSTOMIZATION, file, n->line, n->col,
                      CFG_PREFIX "cannot unmarshal %s into Go %s%s of type %s",
                      kr_json_type(n), field ? "struct field " : "value", field ? field : "",
                      gotype);
}

static int cfg_unknown(kr_err *err, const char *file, const kr_node *key)
{
    return kr_err_set(err, KRENDER_E_KUSTOMIZATION, file, key->line, key->col,
                      CFG_PREFIX "unknown field \"%s\"", key->u.text);
}

/* Go's json string (a YAML 1.1 timestamp is one too) or bool, or null. */
static bool json_string_or_null(const kr_node *n)
{
    return kr_is_null(n) ||
           (n->kind == KR_SCALAR && (n->type == KR_T_STR || n->type == KR_T_TIMESTAMP));
}

static bool json_bool_or_null(const kr_node *n)
{
    return kr_is_null(n) || (n->kind == KR_SCALAR && n->type == KR_T_BOOL);
}

/* The keys of object n (a map) into v[names[i]] (null values left NULL). */
static int cfg_object(const kr_node *n, const char *file, const char *const *names,
                      size_t count, kr_node **v, kr_err *err)
{
    for (size_t i = 0; i < count; i++)
        v[i] = NULL;
    for (uint32_t i = 0; kr_is_map(n) && i < n->len; i++) {
        int k = kr_dec_match_key(n->u.pairs[i].key->u.text, names, count);
        if (k < 0)
            return cfg_unknown(err, file, n->u.pairs[i].key);
        v[k] = kr_is_null(n->u.pairs[i].value) ? NULL : n->u.pairs[i].value;
    }
    return 0;
}

/* Checks the gvk fields v[0..2] of a struct embedding resid.Gvk. */
static int cfg_gvk(kr_node *const *v, const char *file, const char *owner, const char *path,
                   kr_err *err)
{
    static const char *const names[] = {"group", "version", "kind"};
    char field[256];
    for (int i = 0; i < 3; i++)
        if (!json_string_or_null(v[i])) {
            snprintf(field, sizeof field, "%s.%s.Gvk.%s", owner, path, names[i]);
            return cfg_type_error(err, file, v[i], field, "string");
        }
    return 0;
}

/* One FieldSpec (map or null) of the list at JSON path `path`. */
static int parse_spec(kr_arena *a, const kr_node *n, const char *file, const char *path,
                      kr_fieldspec *out, kr_err *err)
{
    static const char *const names[] = {"group", "version", "kind", "path", "create"};
    char field[256];
    kr_node *v[5];
    if (cfg_object(n, file, names, 5, v, err) || cfg_gvk(v, file, "FieldSpec", path, err))
        return err->code;
    if (!json_string_or_null(v[3]) || !json_bool_or_null(v[4])) {
        bool str = !json_string_or_null(v[3]);
        snprintf(field, sizeof field, "FieldSpec.%s.%s", path, str ? "path" : "create");
        return cfg_type_error(err, file, str ? v[3] : v[4], field, str ? "string" : "bool");
    }
    return kr_fieldspec_make(a, kr_dec_text(v[0]), kr_dec_text(v[1]), kr_dec_text(v[2]),
                             kr_dec_text(v[3]), kr_dec_true(v[4]), out)
               ? kr_err_nomem(err)
               : 0;
}

int kr_fieldspec_parse(kr_arena *a, const kr_node *n, const char *file, kr_fieldspec *out,
                       kr_err *err)
{
    if (!kr_is_null(n) && !kr_is_map(n))
        return cfg_type_error(err, file, n, NULL, "types.FieldSpec");
    return parse_spec(a, n, file, "fieldSpecs", out, err);
}

/* kustomize's PathSplitter: split on '/', where "\/" keeps a slash inside an element; a leading
 * '/' is dropped ("/a/b" is a/b). */
static int split_path(kr_arena *a, const char *path, kr_fieldspec *fs)
{
    if (path[0] == '/')
        path++;
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

int kr_fieldspec_make(kr_arena *a, const char *group, const char *version, const char *kind,
                      const char *path, bool create, kr_fieldspec *out)
{
    *out = (kr_fieldspec){.group = group, .version = version, .kind = kind, .path = path,
                          .create = create};
    return split_path(a, path, out) ? KRENDER_E_NOMEM : 0;
}

int kr_fslist_append(kr_arena *a, kr_fslist *l, const kr_fieldspec *fs)
{
    kr_fieldspec *v = kr_arena_grow(a, l->v, l->n, &l->cap, sizeof *v, 8);
    if (!v)
        return KRENDER_E_NOMEM;
    l->v = v;
    l->v[l->n++] = *fs;
    return 0;
}

/* A types.FsSlice at JSON path `path` of struct `owner`. */
static int parse_list(kr_arena *a, const kr_node *seq, const char *file, const char *owner,
                      const char *path, kr_fslist *out, kr_err *err)
{
    char field[256];
    snprintf(field, sizeof field, "%s.%s", owner, path);
    if (kr_is_null(seq))
        return 0;
    if (!kr_is_seq(seq))
        return cfg_type_error(err, file, seq, field, "types.FsSlice");
    for (uint32_t i = 0; i < seq->len; i++) {
        const kr_node *item = seq->u.items[i];
        kr_fieldspec fs;
        if (!kr_is_null(item) && !kr_is_map(item))
            return cfg_type_error(err, file, item, field, "types.FieldSpec");
        int rc = parse_spec(a, item, file, path, &fs, err);
        if (!rc)
            rc = kr_fslist_append(a, out, &fs) ? kr_err_nomem(err) : 0;
        if (rc)
            return rc;
    }
    return 0;
}

static int nameref_append(kr_arena *a, kr_tconfig *t, const kr_nameref *nr)
{
    kr_nameref *v = kr_arena_grow(a, t->nameref, t->nnameref, &t->nameref_cap, sizeof *v, 16);
    if (!v)
        return KRENDER_E_NOMEM;
    t->nameref = v;
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
        return cfg_type_error(err, file, seq, "TransformerConfig.nameReference",
                              "builtinconfig.nbrSlice");
    for (uint32_t i = 0; i < seq->len; i++) {
        const kr_node *n = seq->u.items[i];
        if (!kr_is_null(n) && !kr_is_map(n))
            return cfg_type_error(err, file, n, "TransformerConfig.nameReference",
                                  "builtinconfig.NameBackReferences");
        kr_node *v[4];
        if (cfg_object(n, file, names, 4, v, err) ||
            cfg_gvk(v, file, "NameBackReferences", "nameReference", err))
            return err->code;
        kr_nameref nr = {.group = kr_dec_text(v[0]), .version = kr_dec_text(v[1]),
                         .kind = kr_dec_text(v[2])};
        int rc = parse_list(a, v[3], file, "NameBackReferences", "nameReference.fieldSpecs",
                            &nr.referrers, err);
        if (!rc)
            rc = nameref_append(a, t, &nr) ? kr_err_nomem(err) : 0;
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- kustomize's sort of the lists (Gvk.IsLessThan: kind rank, then Kind.version.group) ---- */

/* Compares the strings "Kind.version.group" (with [noKind] etc.) without building them: this
 * runs for every merge of a configuration, so it must not allocate or format. */
typedef struct gvk_iter {
    const char *parts[5];
    int part;
    const char *p;
} gvk_iter;

static void gvk_iter_init(gvk_iter *it, const char *g, const char *v, const char *k)
{
    it->parts[0] = k[0] ? k : "[noKind]";
    it->parts[1] = ".";
    it->parts[2] = v[0] ? v : "[noVer]";
    it->parts[3] = ".";
    it->parts[4] = g[0] ? g : "[noGrp]";
    it->part = 0;
    it->p = it->parts[0];
}

/* Next byte of the virtual string, or -1 at its end. */
static int gvk_iter_next(gvk_iter *it)
{
    while (!*it->p) {
        if (++it->part == 5)
            return -1;
        it->p = it->parts[it->part];
    }
    return (unsigned char)*it->p++;
}

static int gvk_string_cmp(const char *g1, const char *v1, const char *k1, const char *g2,
                          const char *v2, const char *k2)
{
    gvk_iter a, b;
    gvk_iter_init(&a, g1, v1, k1);
    gvk_iter_init(&b, g2, v2, k2);
    for (;;) {
        int x = gvk_iter_next(&a), y = gvk_iter_next(&b);
        if (x != y || x < 0)
            return x - y;
    }
}

/* Sorting state: the kind rank of every element is computed once, not per comparison. */
typedef struct sort_ctx {
    const char *copy; /* the elements being sorted */
    size_t size;
    const int *ranks; /* by element index in copy */
    const kr_fieldspec *(*gvk_of)(const void *elem, kr_fieldspec *tmp);
} sort_ctx;

static const kr_fieldspec *fs_gvk(const void *elem, kr_fieldspec *tmp)
{
    (void)tmp;
    return elem;
}

static const kr_fieldspec *nr_gvk(const void *elem, kr_fieldspec *tmp)
{
    const kr_nameref *nr = elem;
    tmp->group = nr->group;
    tmp->version = nr->version;
    tmp->kind = nr->kind;
    return tmp;
}

/* kustomize's Gvk.IsLessThan: kind rank first, then "Kind.version.group". */
static bool gvk_less(const void *a, const void *b, void *arg)
{
    const sort_ctx *c = arg;
    int ra = c->ranks[((const char *)a - c->copy) / c->size];
    int rb = c->ranks[((const char *)b - c->copy) / c->size];
    if (ra != rb)
        return ra < rb;
    kr_fieldspec ta, tb;
    const kr_fieldspec *x = c->gvk_of(a, &ta), *y = c->gvk_of(b, &tb);
    return gvk_string_cmp(x->group, x->version, x->kind, y->group, y->version, y->kind) < 0;
}

/* Sorts an array of structs with Go's algorithm through an array of pointers. */
static int sort_structs(void *base, size_t n, size_t size,
                        const kr_fieldspec *(*gvk_of)(const void *, kr_fieldspec *), kr_arena *a)
{
    if (n < 2)
        return 0;
    void **ptrs = kr_arena_alloc(a, n * sizeof *ptrs);
    char *copy = kr_arena_alloc(a, n * size);
    int *ranks = kr_arena_alloc(a, n * sizeof *ranks);
    if (!ptrs || !copy || !ranks)
        return KRENDER_E_NOMEM;
    memcpy(copy, base, n * size);
    for (size_t i = 0; i < n; i++) {
        kr_fieldspec tmp;
        ptrs[i] = copy + i * size;
        ranks[i] = kr_kind_rank_default(gvk_of(ptrs[i], &tmp)->kind);
    }
    sort_ctx c = {copy, size, ranks, gvk_of};
    kr_go_sort(ptrs, n, gvk_less, &c);
    for (size_t i = 0; i < n; i++)
        memcpy((char *)base + i * size, ptrs[i], size);
    return 0;
}

static int sort_all(kr_arena *a, kr_tconfig *t)
{
    for (int k = 0; k < KR_FS_COUNT; k++)
        if (sort_structs(t->lists[k].v, t->lists[k].n, sizeof(kr_fieldspec), fs_gvk, a))
            return KRENDER_E_NOMEM;
    for (size_t i = 0; i < t->nnameref; i++)
        if (sort_structs(t->nameref[i].referrers.v, t->nameref[i].referrers.n,
                         sizeof(kr_fieldspec), fs_gvk, a))
            return KRENDER_E_NOMEM;
    return sort_structs(t->nameref, t->nnameref, sizeof(kr_nameref), nr_gvk, a);
}

int kr_tconfig_parse(kr_arena *a, const kr_node *doc, const char *file, kr_tconfig *out,
                     kr_err *err)
{
    *out = (kr_tconfig){0};
    if (kr_is_null(doc))
        return 0;
    if (!kr_is_map(doc))
        return cfg_type_error(err, file, doc, NULL, "builtinconfig.TransformerConfig");
    const char *names[KR_FS_COUNT + 1];
    for (int k = 0; k < KR_FS_COUNT; k++)
        names[k] = kind_names[k];
    names[KR_FS_COUNT] = "nameReference";
    for (uint32_t i = 0; i < doc->len; i++) {
        const kr_pair *p = &doc->u.pairs[i];
        int k = kr_dec_match_key(p->key->u.text, names, KR_FS_COUNT + 1);
        if (k < 0)
            return cfg_unknown(err, file, p->key);
        int rc = k == KR_FS_COUNT ? parse_namerefs(a, p->value, file, out, err)
                                  : parse_list(a, p->value, file, "TransformerConfig",
                                               kind_names[k], &out->lists[k], err);
        if (rc)
            return rc;
    }
    out->loaded = out->custom = true;
    return sort_all(a, out) ? kr_err_nomem(err) : 0;
}

/* The nameReference entry for a target gvk (rows of one target are consecutive). */
static kr_nameref *row_target(kr_arena *a, kr_tconfig *t, const kr_default_row *row)
{
    kr_nameref *last = t->nnameref ? &t->nameref[t->nnameref - 1] : NULL;
    if (last && strcmp(last->group, row->tgroup) == 0 &&
        strcmp(last->version, row->tversion) == 0 && strcmp(last->kind, row->tkind) == 0)
        return last;
    kr_nameref nr = {.group = row->tgroup, .version = row->tversion, .kind = row->tkind};
    return nameref_append(a, t, &nr) ? NULL : &t->nameref[t->nnameref - 1];
}

int kr_tconfig_defaults(kr_arena *a, kr_tconfig *out, kr_err *err)
{
    const kr_tconfig *pre = kr_tconfig_precomputed();
    if (!pre)
        return kr_tconfig_compute_defaults(a, out, err);
    *out = *pre;
    out->shared = true; /* static arrays: a merge into it copies them first */
    return 0;
}

int kr_tconfig_compute_defaults(kr_arena *a, kr_tconfig *out, kr_err *err)
{
    kr_tconfig rows = {0};
    for (size_t i = 0; i < kr_default_rows_len; i++) {
        const kr_default_row *row = &kr_default_rows[i];
        kr_fieldspec fs;
        kr_fslist *list = row->list < KR_FS_COUNT ? &rows.lists[row->list] : NULL;
        if (!list) {
            kr_nameref *nr = row_target(a, &rows, row);
            list = nr ? &nr->referrers : NULL;
        }
        if (!list || kr_fieldspec_make(a, row->group, row->version, row->kind, row->path,
                                       row->create, &fs) ||
            kr_fslist_append(a, list, &fs))
            return kr_err_nomem(err);
    }
    rows.loaded = rows.custom = true;
    if (sort_all(a, &rows))
        return kr_err_nomem(err);
    /* kustomize merges the defaults into an empty config before use: deduplicate once here */
    *out = (kr_tconfig){0};
    int rc = kr_tconfig_merge(a, out, &rows, err);
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
    dst->shared = false;
    return 0;
}

/* kustomize's FieldSpec.effectivelyEquals: same path and the incoming gvk selects the existing
 * one (the incoming spec's empty fields are wildcards). The duplicates are searched in dst as it
 * grows, like FsSlice.MergeAll does. */
int kr_fslist_merge(kr_arena *a, kr_fslist *dst, const kr_fslist *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const kr_fieldspec *in = &src->v[i];
        const kr_fieldspec *dup = NULL;
        for (size_t j = 0; j < dst->n && !dup; j++)
            if (strcmp(dst->v[j].path, in->path) == 0 &&
                kr_fs_selects(in, dst->v[j].group, dst->v[j].version, dst->v[j].kind))
                dup = &dst->v[j];
        if (dup && dup->create != in->create)
            return KR_FS_CONFLICT;
        if (!dup && kr_fslist_append(a, dst, in))
            return KRENDER_E_NOMEM;
    }
    return 0;
}

static int merge_list(kr_arena *a, kr_fslist *dst, const kr_fslist *src, const char *what,
                      kr_err *err)
{
    int rc = kr_fslist_merge(a, dst, src);
    if (rc == KR_FS_CONFLICT)
        return kr_err_set(err, KRENDER_E_KUSTOMIZATION, NULL, 0, 0,
                          "failed to merge %s fieldSpec: conflicting fieldspecs", what);
    return rc ? kr_err_nomem(err) : 0;
}

static const char *const merge_names[KR_FS_COUNT] = {
    "NamePrefix", "NameSuffix", "CommonLabels", "TemplateLabels", "Labels",
    "CommonAnnotations", "NameSpace", "VarReference", "Images", "Replicas"};

int kr_tconfig_merge(kr_arena *a, kr_tconfig *dst, const kr_tconfig *src, kr_err *err)
{
    if (!src->loaded || (dst->loaded && !src->custom))
        return 0;
    /* The defaults are already deduplicated (kr_tconfig_defaults): copying them is exact. A
     * custom config merged into an empty one is deduplicated against itself in its sorted
     * order, as kustomize's Merge into an empty config does (a kind-specific spec sorted first
     * swallows a later generic one with the same path). */
    if (!dst->loaded && !src->custom) {
        /* every kustomization starts from the defaults: share them, copy on first change */
        *dst = *src;
        dst->shared = true;
        return 0;
    }
    if (dst->shared) {
        kr_tconfig own;
        int rc = kr_tconfig_copy(a, &own, dst, err);
        if (rc)
            return rc;
        *dst = own;
    }
    dst->loaded = dst->custom = true;
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

/* Errors are set where they happen and wrapped on the way out, as kustomize wraps them:
 * "visit traversal on path: [rest of path]" per sequence, "considering field ..." once. */
static int walk_error(const walk *w, const kr_node *at, const char *msg)
{
    return kr_err_set(w->r->err, KRENDER_E_RESOURCE, w->res->file, at->line, at->col, "%s", msg);
}

/* Go's fmt of a []string: "[a b c]". */
static void prefix_traversal(const walk *w, uint32_t depth)
{
    kr_buf b = {0};
    kr_buf_puts(&b, "[");
    for (uint32_t i = depth; i < w->fs->nelems; i++) {
        if (i > depth)
            kr_buf_puts(&b, " ");
        kr_buf_puts(&b, w->fs->elems[i]);
    }
    kr_buf_puts(&b, "]");
    kr_err_prefix(w->r->err, "visit traversal on path: %.*s", (int)b.len, b.data ? b.data : "");
    kr_buf_free(&b);
}

/* Turns a null node into an empty node of `kind`, in place. */
static void convert_null(kr_node *n, int kind)
{
    n->kind = (uint8_t)kind;
    n->type = KR_T_STR;
    n->len = 0;
    n->flags &= (uint8_t)~KR_NF_ROOM;
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
        return kr_node_scalar_ref(a, KR_T_STR, "", 0);
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
        kr_node *key = kr_common_key(elem, len); /* shared, or elem (elem[len] is NUL here) */
        if (!key)
            key = kr_node_scalar_ref(a, KR_T_STR, elem, len);
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
            if (rc) {
                prefix_traversal(w, depth);
                return rc;
            }
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
    int rc = visit(&w, res->node, 0);
    if (rc)
        kr_err_prefix(r->err, "considering field '%s' of object %s", fs->path,
                      kr_resid_string(r->arena, &res->id));
    return rc;
}
