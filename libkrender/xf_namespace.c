/* NamespaceTransformer (pipeline.md §5.2 and fieldspecs/README.md "Hard-coded behaviour"). */
#include <stdlib.h>
#include <string.h>

#include "transformers.h"
#include "xf_rename.h"
#include "table_alloc.h"

/* ---- a multiset of current ids, so the conflict check after each resource is O(1) ---- */

typedef struct id_slot {
    kr_resid id;
    uint32_t count; /* 0 with used = a key whose resources all moved away */
    bool used;
} id_slot;

typedef struct id_counts {
    id_slot *slots;
    size_t mask;
} id_counts;

static id_slot *id_find(id_counts *t, const kr_resid *id)
{
    size_t i = (size_t)kr_resid_hash(id) & t->mask;
    while (t->slots[i].used && !kr_resid_equal(&t->slots[i].id, id))
        i = (i + 1) & t->mask;
    if (!t->slots[i].used) {
        t->slots[i].used = true;
        t->slots[i].id = *id;
    }
    return &t->slots[i];
}

/* Room for twice as many keys as there are resources: each resource adds at most two. */
static int id_counts_init(kr_render *r, id_counts *t, const kr_resmap *m)
{
    size_t n = 16;
    while (n < m->len * 4)
        n *= 2;
    t->slots = kr_table_alloc(n, sizeof *t->slots); /* scratch: freed by the caller */
    if (!t->slots)
        return kr_err_nomem(r->err);
    t->mask = n - 1;
    for (size_t i = 0; i < m->len; i++)
        id_find(t, &m->items[i]->id)->count++;
    return 0;
}

/* ---- setting the namespace ---- */

typedef struct ns_ctx {
    const kr_ns_config *c;
    size_t nslen;
    bool bad_kind;      /* the setter met a map or sequence */
} ns_ctx;

/* kyaml's hasExistingValue for unsetOnly. */
static bool has_value(const kr_node *n)
{
    return kr_is_scalar(n) && !kr_is_null(n) && n->len > 0;
}

static int ns_set(kr_render *r, kr_resource *res, kr_node *n, void *arg)
{
    ns_ctx *x = arg;
    if (x->c->unset_only && has_value(n))
        return 0;
    if (n->kind != KR_SCALAR) {
        x->bad_kind = true;
        return kr_err_set(r->err, KRENDER_E_RESOURCE, res->file, n->line, n->col,
                          "wrong node kind: expected ScalarNode but got %s",
                          kr_node_kind_name(n));
    }
    return kr_set_string_scalar(r, n, x->c->ns, x->nslen);
}

static const kr_fieldspec meta_ns = {
    .group = "", .version = "", .kind = "", .path = "metadata/namespace",
    .elems = (const char *[]){"metadata", "namespace"}, .nelems = 2, .create = true};

static bool is_role_binding(const char *kind)
{
    return strcmp(kind, "RoleBinding") == 0 || strcmp(kind, "ClusterRoleBinding") == 0;
}

static bool subject_wanted(const kr_node *s, kr_rb_subjects mode)
{
    const char *key = mode == KR_RB_DEFAULT_ONLY ? "name" : "kind";
    const char *want = mode == KR_RB_DEFAULT_ONLY ? "default" : "ServiceAccount";
    const kr_node *v = kr_map_get(s, key);
    return kr_is_scalar(v) && !kr_is_null(v) && strcmp(v->u.text, want) == 0;
}

/* The (Cluster)RoleBinding subjects rule (setRoleBindingSubjects). */
static int set_subjects(kr_render *r, kr_resource *res, ns_ctx *x)
{
    if (x->c->subjects == KR_RB_NONE)
        return 0;
    kr_node *subjects = kr_map_get(res->node, "subjects");
    if (kr_is_null(subjects))
        return 0;
    if (!kr_is_seq(subjects))
        return kr_err_set(r->err, KRENDER_E_RESOURCE, res->file, subjects->line, subjects->col,
                          "setting namespace on (cluster)role binding subjects: wrong node "
                          "kind: expected SequenceNode but got %s",
                          kr_node_kind_name(subjects));
    for (uint32_t i = 0; i < subjects->len; i++) {
        kr_node *s = subjects->u.items[i];
        if (!kr_is_map(s) || !subject_wanted(s, x->c->subjects))
            continue;
        kr_node *ns = kr_map_get(s, "namespace");
        if (!ns) {
            ns = kr_node_scalar(r->arena, KR_T_STR, "", 0);
            if (!ns || !kr_map_set(r->arena, s, "namespace", ns))
                return kr_err_nomem(r->err);
        }
        int rc = ns_set(r, res, ns, x);
        if (rc)
            return rc;
    }
    return 0;
}

/* Config specs kustomize drops: metadata/namespace is hard-coded, metadata/name only renames
 * core v1 Namespaces, binding subjects have their own rule. */
static bool spec_skipped(const kr_fieldspec *fs, const kr_resource *res, const char *api_version)
{
    if (strcmp(fs->path, "metadata/namespace") == 0)
        return true;
    if (strcmp(fs->path, "metadata/name") == 0 && strcmp(api_version, "v1") != 0)
        return true;
    return is_role_binding(res->id.kind) && is_role_binding(fs->kind) &&
           strcmp(fs->path, "subjects/namespace") == 0;
}

static int apply_specs(kr_render *r, kr_resource *res, ns_ctx *x)
{
    const kr_fslist *specs = x->c->specs;
    const char *av = kr_map_get_str(res->node, "apiVersion");
    for (size_t i = 0; specs && i < specs->n; i++) {
        const kr_fieldspec *fs = &specs->v[i];
        if (spec_skipped(fs, res, av ? av : "") ||
            !kr_fs_selects(fs, res->id.group, res->id.version, res->id.kind))
            continue;
        x->bad_kind = false;
        int rc = kr_fs_walk(r, res, fs, KR_SCALAR, ns_set, x);
        if (rc) {
            kr_err_prefix(r->err, "%s", x->bad_kind
                                            ? "namespace field specs must target scalar nodes"
                                            : "namespace transformation failed");
            return rc;
        }
    }
    return 0;
}

static int set_namespace(kr_render *r, kr_resource *res, ns_ctx *x)
{
    int rc = 0;
    if (!res->id.cluster_scoped) {
        rc = kr_fs_walk(r, res, &meta_ns, KR_SCALAR, ns_set, x);
    }
    if (!rc && is_role_binding(res->id.kind))
        rc = set_subjects(r, res, x);
    if (!rc)
        rc = apply_specs(r, res, x);
    return rc ? rc : kr_resource_refresh_id(r, res);
}

static int conflict(kr_render *r, const kr_resmap *m, const kr_resource *res)
{
    kr_buf ids = {0};
    for (size_t i = 0; i < m->len; i++)
        if (kr_resid_equal(&m->items[i]->id, &res->id)) {
            const char *s = kr_resid_string(r->arena, &m->items[i]->id);
            if ((ids.len && !kr_buf_puts(&ids, " ")) || !kr_buf_puts(&ids, s))
                break;
        }
    int rc = kr_err_set(r->err, KRENDER_E_CONFLICT, res->file, res->node->line, res->node->col,
                        "namespace transformation produces ID conflict: [%s]",
                        ids.data ? ids.data : "");
    kr_buf_free(&ids);
    return rc;
}

bool kr_rb_subjects_parse(const char *s, kr_rb_subjects *out)
{
    if (!s[0] || strcmp(s, "defaultOnly") == 0)
        *out = KR_RB_DEFAULT_ONLY;
    else if (strcmp(s, "allServiceAccounts") == 0)
        *out = KR_RB_ALL_SERVICE_ACCOUNTS;
    else if (strcmp(s, "none") == 0)
        *out = KR_RB_NONE;
    else
        return false;
    return true;
}

int kr_namespace_apply(kr_render *r, kr_resmap *m, const kr_ns_config *c)
{
    if (!c->ns || !c->ns[0])
        return 0;
    id_counts counts = {0};
    if (id_counts_init(r, &counts, m))
        return r->err->code;
    ns_ctx x = {.c = c, .nslen = strlen(c->ns)};
    int rc = 0;
    for (size_t i = 0; !rc && i < m->len; i++) {
        kr_resource *res = m->items[i];
        if (kr_is_map(res->node) && res->node->len == 0)
            continue;
        id_find(&counts, &res->id)->count--;
        rc = kr_resource_push_prev(r, res);
        if (!rc)
            rc = set_namespace(r, res, &x);
        if (rc)
            break;
        kr_resmap_ids_changed(m);
        if (++id_find(&counts, &res->id)->count != 1)
            rc = conflict(r, m, res);
    }
    free(counts.slots);
    return rc;
}

int kr_xf_namespace(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    kr_ns_config c = {.ns = kr_dec_text(k->fields[KF_NAMESPACE]),
                      .specs = &ra->config.lists[KR_FS_NAMESPACE],
                      .subjects = KR_RB_DEFAULT_ONLY};
    return kr_namespace_apply(r, &ra->res, &c);
}
