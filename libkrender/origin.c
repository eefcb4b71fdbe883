#include "origin.h"

#include <string.h>

#include "path.h"

static const char *rel(kr_render *r, const char *abs)
{
    const char *p = kr_path_relto(r->arena, r->root_real, abs);
    return p ? p : abs;
}

kr_origin kr_origin_builtin(kr_render *r, const kr_kustomization *k, const char *kind)
{
    return (kr_origin){.configured_in = rel(r, k->path), .by_api_version = "builtin",
                       .by_kind = kind};
}

kr_origin kr_origin_of_config(kr_render *r, const kr_kustomization *k, const kr_resource *config)
{
    const char *in = config->origin.path ? config->origin.path : rel(r, k->path);
    const char *api = kr_map_get_str(config->node, "apiVersion");
    return (kr_origin){.configured_in = in,
                       .by_api_version = api ? api : "",
                       .by_kind = config->id.kind,
                       .by_name = config->id.name[0] ? config->id.name : NULL,
                       .by_ns = config->id.ns[0] ? config->id.ns : NULL};
}

static bool empty(const kr_origin *o)
{
    return !o->path && !o->configured_in;
}

int kr_origin_note(kr_render *r, kr_accum *ra, const kr_origin *o, size_t count)
{
    if (!r->track_origin)
        return 0;
    for (size_t i = 0; i < ra->res.len; i++) {
        kr_resource *res = ra->res.items[i];
        for (size_t c = 0; c < count; c++) {
            if (empty(&res->origin)) {
                res->origin = *o;
                continue;
            }
            size_t cap = res->transforms_cap;
            kr_origin *v =
                kr_arena_grow(r->arena, res->transforms, res->ntransforms, &cap, sizeof *v, 4);
            if (!v)
                return kr_err_nomem(r->err);
            res->transforms = v;
            res->transforms_cap = (uint32_t)cap;
            res->transforms[res->ntransforms++] = *o;
        }
    }
    return 0;
}

/* kyaml's rendering of an Origin (fields in struct order, empty ones omitted), each line
 * prefixed by `first` then `rest`. */
static void put_origin(kr_buf *b, const kr_origin *o, const char *first, const char *rest)
{
    const char *lead = first;
#define LINE(...)                                                                             \
    do {                                                                                      \
        kr_buf_puts(b, lead);                                                                 \
        kr_buf_printf(b, __VA_ARGS__);                                                        \
        lead = rest;                                                                          \
    } while (0)
    if (o->path)
        LINE("path: %s\n", o->path);
    if (o->configured_in)
        LINE("configuredIn: %s\n", o->configured_in);
    if (o->by_kind) {
        LINE("configuredBy:\n");
        if (o->by_api_version && o->by_api_version[0])
            LINE("  apiVersion: %s\n", o->by_api_version);
        LINE("  kind: %s\n", o->by_kind);
        if (o->by_name)
            LINE("  name: %s\n", o->by_name);
        if (o->by_ns)
            LINE("  namespace: %s\n", o->by_ns);
    }
#undef LINE
}

static int set_annotation(kr_render *r, kr_resource *res, const char *key, kr_buf *text)
{
    kr_node *meta = kr_map_get(res->node, "metadata");
    kr_node *ann = kr_map_get(meta, "annotations");
    if (!kr_is_map(ann)) {
        ann = kr_node_map(r->arena, 1);
        if (!ann || !kr_map_set(r->arena, meta, "annotations", ann))
            return kr_err_nomem(r->err);
    }
    kr_node *v = text->data ? kr_node_scalar(r->arena, KR_T_STR, text->data, text->len) : NULL;
    return v && kr_map_set(r->arena, ann, key, v) ? 0 : kr_err_nomem(r->err);
}

int kr_origin_annotate(kr_render *r, kr_resource *res, bool origin, bool transformations)
{
    int rc = 0;
    kr_buf b = {0};
    if (origin && !empty(&res->origin)) {
        put_origin(&b, &res->origin, "", "");
        rc = set_annotation(r, res, "config.kubernetes.io/origin", &b);
    }
    if (!rc && transformations && res->ntransforms) {
        b.len = 0;
        for (uint32_t i = 0; i < res->ntransforms; i++)
            put_origin(&b, &res->transforms[i], "- ", "  ");
        rc = set_annotation(r, res, "alpha.config.kubernetes.io/transformations", &b);
    }
    kr_buf_free(&b);
    return rc;
}
