/* ReplicaCountTransformer (pipeline.md §5.5): one transformer per `replicas` entry. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonvalue.h"
#include "resolve.h"
#include "transformers.h"
#include "xf_fields.h"

/* ---- decoding ---- */

static int count_error(const kr_decoder *d, const kr_node *n, const char *field,
                       const char *number)
{
    return kr_err_set(d->r->err, KRENDER_E_KUSTOMIZATION, d->file, n->line, n->col,
                      "%s: json: cannot unmarshal number %s into Go struct field %s of type "
                      "int64",
                      d->prefix, number, field);
}

/* An int64 as Go's json sees a YAML number after sigs.k8s.io/yaml turned it into JSON: ints
 * as they are, floats in their JSON spelling (1e3 -> 1000 fits, 2.5 does not). */
static int decode_count(const kr_decoder *d, const kr_node *n, const char *field, int64_t *out)
{
    *out = 0;
    if (kr_is_null(n))
        return 0;
    kr_number num;
    if (n->kind != KR_SCALAR || (n->type != KR_T_INT && n->type != KR_T_FLOAT) ||
        !kr_resolve_number(n->u.text, n->len, &num))
        return kr_dec_type_error(d, n, field, "int64");
    char text[KR_JSON_NUMBUF];
    switch (num.kind) {
    case KR_NUM_INT:
        *out = num.i;
        return 0;
    case KR_NUM_UINT:
        snprintf(text, sizeof text, "%" PRIu64, num.u);
        return count_error(d, n, field, text);
    default:
        if (!kr_json_float_text(num.d, text))
            return count_error(d, n, field, n->u.text);
        char *end;
        long long v = strtoll(text, &end, 10);
        if (*end || (v == LLONG_MAX && strcmp(text, "9223372036854775807") != 0) ||
            (v == LLONG_MIN && strcmp(text, "-9223372036854775808") != 0))
            return count_error(d, n, field, text);
        *out = v;
        return 0;
    }
}

int kr_replica_decode(const kr_decoder *d, const kr_node *n, const char *path, bool strict,
                      kr_replica *out)
{
    static const char *const names[] = {"name", "count"};
    char field[128];
    kr_node *v[2];
    snprintf(field, sizeof field, "Kustomization.%s", path);
    if (kr_dec_object_ex(d, n, names, 2, v, "types.Replica", field, strict))
        return d->r->err->code;
    const char *name;
    snprintf(field, sizeof field, "Replica.%s.name", path);
    if (kr_xf_dec_str(d, v[0], field, strict, &name))
        return d->r->err->code;
    *out = (kr_replica){.name = name, .file = d->file, .line = n ? n->line : 0,
                        .col = n ? n->col : 0};
    snprintf(field, sizeof field, "Replica.%s.count", path);
    return decode_count(d, v[1], field, &out->count);
}

/* ---- applying ---- */

/* kyaml keeps the replaced node's style, and a quoted (or block) scalar reads back as a string
 * whatever its tag: `replicas: "1"` becomes `replicas: "5"`. */
static int set_count(kr_render *r, kr_resource *res, kr_node *node, void *arg)
{
    if (node->kind != KR_SCALAR)
        return kr_xf_wrong_kind(r, res, node, "ScalarNode");
    node->u.text = arg;
    node->len = (uint32_t)strlen(arg);
    node->type = node->style == KR_STYLE_PLAIN ? KR_T_INT : KR_T_STR;
    node->flags &= (uint8_t)~KR_NF_TAGGED;
    return 0;
}

/* GetMatchingResourcesByAnyId: the current id or any previous one has the name and a gvk
 * the spec selects. */
static bool any_id_matches(const kr_resource *res, const char *name, const kr_fieldspec *fs)
{
    for (uint32_t i = 0; i <= res->nprev; i++) {
        const kr_resid *id = i < res->nprev ? &res->prev[i] : &res->id;
        if (strcmp(id->name, name) == 0 && kr_fs_selects(fs, id->group, id->version, id->kind))
            return true;
    }
    return false;
}

static int not_found(kr_render *r, const kr_replica *rep, const kr_fslist *fs)
{
    kr_buf b = {0};
    for (size_t i = 0; i < fs->n; i++) {
        const kr_fieldspec *s = &fs->v[i];
        kr_buf_printf(&b, "%s%s.%s.%s", i ? " " : "", s->kind[0] ? s->kind : "[noKind]",
                      s->version[0] ? s->version : "[noVer]",
                      s->group[0] ? s->group : "[noGrp]");
    }
    kr_err_set(r->err, KRENDER_E_RESOURCE, rep->file, rep->line, rep->col,
               "resource with name %s does not match a config with the following GVK [%s]",
               rep->name, b.data ? b.data : "");
    kr_buf_free(&b);
    return r->err->code ? r->err->code : KRENDER_E_NOMEM;
}

int kr_xf_replica_apply(kr_render *r, kr_resmap *m, const kr_replica *rep, const kr_fslist *fs)
{
    char text[32];
    snprintf(text, sizeof text, "%" PRId64, rep->count);
    char *count = kr_arena_alloc(r->arena, strlen(text) + 1);
    if (!count)
        return kr_err_nomem(r->err);
    memcpy(count, text, strlen(text) + 1);
    bool found = false;
    for (size_t j = 0; j < fs->n; j++) {
        const kr_fieldspec *spec = &fs->v[j];
        for (size_t i = 0; i < m->len; i++) {
            kr_resource *res = m->items[i];
            if (!any_id_matches(res, rep->name, spec))
                continue;
            found = true;
            /* the field-spec filter checks the current gvk again */
            if (kr_fs_selects(spec, res->id.group, res->id.version, res->id.kind) &&
                kr_fs_walk(r, res, spec, KR_SCALAR, set_count, count))
                return r->err->code;
        }
    }
    return found ? 0 : not_found(r, rep, fs);
}

/* ---- the kustomization field ---- */

int kr_xf_replicas(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    const kr_node *list = k->fields[KF_REPLICAS];
    if (!kr_is_seq(list) || list->len == 0)
        return 0;
    kr_replica *reps = kr_arena_alloc(r->arena, list->len * sizeof *reps);
    if (!reps)
        return kr_err_nomem(r->err);
    kr_decoder d = {r, k->path, "invalid Kustomization"};
    for (uint32_t i = 0; i < list->len; i++)
        if (kr_replica_decode(&d, list->u.items[i], "replicas", true, &reps[i]))
            return r->err->code;
    for (uint32_t i = 0; i < list->len; i++)
        if (kr_xf_replica_apply(r, &ra->res, &reps[i], &ra->config.lists[KR_FS_REPLICAS]))
            return r->err->code;
    return 0;
}

int kr_plugin_replica_count(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                            kr_resource *config)
{
    static const char *const names[] = {"replica", "fieldSpecs"};
    kr_decoder d = {r, config->file, "error unmarshaling JSON: while decoding JSON"};
    kr_node *v[2];
    kr_replica rep;
    kr_fslist fs = {0};
    (void)k;
    if (kr_dec_object_ex(&d, config->node, names, 2, v, "ReplicaCountTransformerPlugin",
                         "ReplicaCountTransformerPlugin", false) ||
        kr_replica_decode(&d, v[0], "replica", false, &rep) ||
        kr_fslist_decode(&d, v[1], "ReplicaCountTransformerPlugin", "fieldSpecs", false, &fs))
        return r->err->code;
    if (!v[0]) {
        rep.line = config->node->line;
        rep.col = config->node->col;
    }
    return kr_xf_replica_apply(r, &ra->res, &rep, &fs);
}
