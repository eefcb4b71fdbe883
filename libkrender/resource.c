#include "resource.h"

#include <string.h>

#include "render.h"

kr_resource *kr_resource_new(kr_render *r, kr_node *doc, const char *file)
{
    kr_resource *res = kr_arena_zalloc(r->arena, sizeof *res);
    if (!res)
        return NULL;
    res->node = doc;
    res->file = file;
    return kr_resource_refresh_id(r, res) == 0 ? res : NULL;
}

int kr_resource_refresh_id(kr_render *r, kr_resource *res)
{
    return kr_render_make_id(r, res->node, &res->id);
}

int kr_resource_push_prev(kr_render *r, kr_resource *res)
{
    size_t cap = res->prev_cap;
    kr_resid *p = kr_arena_grow(r->arena, res->prev, res->nprev, &cap, sizeof *p, 2);
    if (!p)
        return kr_err_nomem(r->err);
    res->prev = p;
    res->prev_cap = (uint32_t)cap;
    res->prev[res->nprev++] = res->id;
    return 0;
}

const kr_resid *kr_resource_orig_id(const kr_resource *res)
{
    return res->nprev ? &res->prev[0] : &res->id;
}

static bool ends_with_list(const char *kind)
{
    size_t n = strlen(kind);
    return n >= 4 && memcmp(kind + n - 4, "List", 4) == 0;
}

/* kind as kustomize reads it: the scalar text of the top-level `kind`. */
static const char *doc_kind(const kr_node *doc)
{
    const char *k = kr_map_get_str(doc, "kind");
    return k ? k : "";
}

/* pipeline.md §2.5: every top-level document needs a kind, and a name unless it is a *List. */
static int validate_doc(kr_render *r, const char *file, const kr_node *doc)
{
    if (!kr_is_map(doc))
        return kr_err_set(r->err, KRENDER_E_RESOURCE, file, doc->line, doc->col,
                          "a resource must be a YAML mapping");
    const char *kind = doc_kind(doc);
    if (!kind[0])
        return kr_err_set(r->err, KRENDER_E_RESOURCE, file, doc->line, doc->col,
                          "missing kind in object");
    if (ends_with_list(kind))
        return 0;
    const char *name = kr_map_get_str(kr_map_get(doc, "metadata"), "name");
    if (!name || !name[0])
        return kr_err_set(r->err, KRENDER_E_RESOURCE, file, doc->line, doc->col,
                          "missing metadata.name in object of kind %s", kind);
    return 0;
}

typedef struct queue {
    kr_node **items;
    size_t len, cap;
} queue;

static int queue_push(kr_render *r, queue *q, kr_node *n)
{
    kr_node **p = kr_arena_grow(r->arena, q->items, q->len, &q->cap, sizeof *p, 4);
    if (!p)
        return kr_err_nomem(r->err);
    q->items = p;
    q->items[q->len++] = n;
    return 0;
}

/* A List's items, flattened depth-first (nested Lists expand in place), nulls dropped. */
static int flatten_items(kr_render *r, const char *file, const kr_node *items, queue *q)
{
    if (kr_is_null(items))
        return 0;
    if (!kr_is_seq(items))
        return kr_err_set(r->err, KRENDER_E_RESOURCE, file, items->line, items->col,
                          "expected a list in items");
    for (uint32_t i = 0; i < items->len; i++) {
        kr_node *it = items->u.items[i];
        if (kr_is_null(it))
            continue;
        if (!kr_is_map(it))
            return kr_err_set(r->err, KRENDER_E_RESOURCE, file, it->line, it->col,
                              "missing Resource metadata: a List item must be a mapping");
        kr_pair *inner = ends_with_list(doc_kind(it)) ? kr_map_find(it, "items") : NULL;
        int rc = inner ? flatten_items(r, file, inner->value, q) : validate_doc(r, file, it);
        if (!rc && !inner)
            rc = queue_push(r, q, it);
        if (rc)
            return rc;
    }
    return 0;
}

static int ensure_metadata(kr_render *r, kr_node *doc)
{
    if (kr_is_map(kr_map_get(doc, "metadata")))
        return 0;
    kr_node *m = kr_node_map(r->arena, 0);
    return m && kr_map_set(r->arena, doc, "metadata", m) ? 0 : kr_err_nomem(r->err);
}

int kr_resources_from_docs(kr_render *r, const char *file, kr_node **docs, size_t ndocs,
                           kr_resource ***out, size_t *nout, size_t *cap)
{
    queue q = {0};
    for (size_t i = 0; i < ndocs; i++) {
        kr_node *d = docs[i];
        /* empty mappings and sequences count as empty documents */
        if ((kr_is_map(d) || kr_is_seq(d)) && d->len == 0)
            continue;
        int rc = validate_doc(r, file, d);
        if (!rc)
            rc = queue_push(r, &q, d);
        if (rc)
            return rc;
    }
    /* kustomize expands a *List with items by appending its (flattened) items to the end of
     * the queue, so they come after the file's other documents. */
    for (size_t i = 0; i < q.len; i++) {
        kr_node *d = q.items[i];
        const char *kind = doc_kind(d);
        kr_pair *items = ends_with_list(kind) ? kr_map_find(d, "items") : NULL;
        if (items) {
            int rc = flatten_items(r, file, items->value, &q);
            if (rc)
                return rc;
            continue;
        }
        /* the documents may be a cache's, shared by renders: a document given a metadata
         * mapping is this render's copy */
        if (!kr_is_map(kr_map_get(d, "metadata")) && !(d = kr_node_copy(r->arena, d)))
            return kr_err_nomem(r->err);
        if (ensure_metadata(r, d))
            return r->err->code;
        /* sized for this call's documents: most files hold one or two */
        kr_resource **p = kr_arena_grow(r->arena, *out, *nout, cap, sizeof *p, q.len);
        if (!p)
            return kr_err_nomem(r->err);
        *out = p;
        kr_resource *res = kr_resource_new(r, d, file);
        if (!res)
            return r->err->code ? r->err->code : kr_err_nomem(r->err);
        (*out)[(*nout)++] = res;
    }
    return 0;
}
