/* Patches: patchesStrategicMerge, patches, patchesJson6902 (merge.md, pipeline.md §4-§5.1).
 * The steps decode their fields strictly and load patch files through the load restrictor;
 * the kr_patch_* entry points (patch.h) do the work and serve the builtin plugin configs too.
 * Targets are found in linear time: an index of every current and previous id for SMPs
 * without target (rebuilt only after ids change), one pass of the selector otherwise. */
#include <string.h>
#include <xxhash.h>

#include "decode.h"
#include "loader.h"
#include "parse.h"
#include "patch.h"
#include "prefetch.h"
#include "textparse.h"
#include "transformers.h"

/* ---- the any-id index (kustomize GetMatchingResourcesByAnyId) ---- */

typedef struct id_slot {
    const kr_resid *id;
    kr_resource *res;
} id_slot;

typedef struct id_index {
    id_slot *slots;
    size_t nslots;
    bool built;
} id_index;

static void index_put(id_index *x, const kr_resid *id, kr_resource *res)
{
    size_t mask = x->nslots - 1;
    for (size_t i = kr_resid_hash(id) & mask;; i = (i + 1) & mask) {
        id_slot *s = &x->slots[i];
        if (!s->id) {
            *s = (id_slot){id, res};
            return;
        }
        if (s->res == res && kr_resid_equal(s->id, id))
            return; /* a previous id equal to the current one: count the resource once */
    }
}

static int index_build(kr_render *r, id_index *x, const kr_resmap *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->len; i++)
        n += 1 + m->items[i]->nprev;
    size_t want = 16;
    while (want < 2 * n)
        want *= 2;
    if (!(x->slots = kr_arena_zalloc(r->arena, want * sizeof *x->slots)))
        return kr_err_nomem(r->err);
    x->nslots = want;
    for (size_t i = 0; i < m->len; i++) {
        kr_resource *res = m->items[i];
        index_put(x, &res->id, res);
        for (uint32_t j = 0; j < res->nprev; j++)
            index_put(x, &res->prev[j], res);
    }
    x->built = true;
    return 0;
}

/* The unique resource with a current or previous id Equal to id; *count says how many. */
static kr_resource *index_find(const id_index *x, const kr_resid *id, size_t *count)
{
    kr_resource *found = NULL;
    *count = 0;
    size_t mask = x->nslots - 1;
    for (size_t i = kr_resid_hash(id) & mask; x->slots[i].id; i = (i + 1) & mask) {
        const id_slot *s = &x->slots[i];
        if (kr_resid_equal(s->id, id)) { /* one slot per resource and id class */
            if (!found)
                found = s->res;
            (*count)++;
        }
    }
    return found;
}

/* ---- shared helpers ---- */

static const kr_smp_schema *schema_of(kr_render *r)
{
    return r->smp_custom ? r->smp_custom : kr_smp_schema_builtin();
}

static bool not_empty(const kr_resource *res, void *arg)
{
    (void)arg;
    return res->node && !(kr_is_map(res->node) && res->node->len == 0);
}

static int set_str(kr_render *r, kr_node *map, const char *key, const char *val)
{
    kr_node *v = kr_node_str(r->arena, val);
    return v && kr_map_set(r->arena, map, key, v) ? 0 : kr_err_nomem(r->err);
}

/* kustomize Resource.ApplySmPatch: merge, then restore kind / name / namespace. */
static int apply_smp(kr_render *r, kr_resource *res, const kr_node *patch, bool with_gvk,
                     const kr_patch_opts *o, const char *file, bool scratch)
{
    const kr_smp_schema *s = schema_of(r);
    /* a patch in a scratch arena (apply_text) is copied with its texts and keys */
    kr_node *p = scratch ? kr_node_copy_deep(r->arena, patch) : kr_node_copy(r->arena, patch);
    if (!s || !p)
        return s ? kr_err_nomem(r->err) : r->err->code;
    if (with_gvk) { /* the copy takes the target's apiVersion */
        const char *av = kr_map_get_str(res->node, "apiVersion");
        if (av && set_str(r, p, "apiVersion", av))
            return r->err->code;
    }
    const char *kind = res->id.kind, *name = res->id.name;
    const char *ns = kr_map_get_str(kr_map_get(res->node, "metadata"), "namespace");
    if ((o->allow_name_change || o->allow_kind_change) && kr_resource_push_prev(r, res))
        return r->err->code;
    kr_node *doc = res->node;
    int rc = kr_smp_merge(r, s, &doc, p, file);
    if (rc)
        return rc;
    if (!doc || !kr_is_map(doc) || doc->len == 0) {
        res->node = doc && kr_is_map(doc) ? doc : kr_node_map(r->arena, 0);
        return res->node ? 0 : kr_err_nomem(r->err);
    }
    res->node = doc;
    if (!o->allow_kind_change && set_str(r, doc, "kind", kind))
        return r->err->code;
    kr_node *meta = kr_map_get(doc, "metadata");
    if (!kr_is_map(meta)) {
        if (!(meta = kr_node_map(r->arena, 2)) || !kr_map_set(r->arena, doc, "metadata", meta))
            return kr_err_nomem(r->err);
    }
    if (!o->allow_name_change && set_str(r, meta, "name", name))
        return r->err->code;
    if (ns && *ns)
        rc = set_str(r, meta, "namespace", ns);
    else
        kr_map_remove(meta, "namespace");
    return rc ? rc : kr_resource_refresh_id(r, res);
}

/* Runs fn with errors going to a scratch object: true when it succeeded. */
static bool quietly(kr_render *r, int (*fn)(kr_render *, void *), void *arg)
{
    kr_err *saved = r->err, tmp = {0};
    r->err = &tmp;
    int rc = fn(r, arg);
    r->err = saved;
    kr_err_clear(&tmp);
    return rc == 0;
}

typedef struct sm_parse {
    const char *text, *file;
    size_t len;
    kr_file *f; /* the file text is (its parse can be cached), or NULL */
    bool ahead; /* may take the parse the thread reading ahead made (used within the entry) */
    kr_resource **res;
    size_t n, cap;
    bool map_at_top; /* the first document is a mapping before any separator */
} sm_parse;

/* kr_file_docs, with kr_parse_stream_top's first-chunk answer worked out from the lines (only
 * for a text without "\r", whose lines both count alike). */
static int parse_cached(kr_render *r, kr_file *f, kr_node ***docs, size_t *ndocs, bool *top)
{
    int rc = kr_file_docs(r, f, docs, ndocs);
    *top = false;
    if (!rc && *ndocs && !memchr(f->data, '\r', f->len)) {
        unsigned sep = kr_stream_first_separator_line(f->data, f->len);
        *top = sep == 0 || (*docs)[0]->line < sep;
    }
    return rc;
}

static int parse_sm(kr_render *r, void *arg)
{
    sm_parse *sp = arg;
    kr_node **docs;
    size_t ndocs;
    bool top = false;
    int rc;
    const kr_pf_file *pf;
    if (sp->f && (sp->f->docs_ready || sp->f->uses++ > 0)) {
        /* a patch file used again (a component's patch, a later render): its documents are
         * parsed once into the cache, as resource files are (accumulate.c); the resources
         * made here only read them, and patches are copied before they are merged */
        rc = parse_cached(r, sp->f, &docs, &ndocs, &top);
    } else if ((pf = sp->ahead ? kr_prefetch_text(r, KR_PF_TEXT_STREAM, sp->text, sp->len)
                               : NULL)) {
        docs = pf->docs, ndocs = pf->ndocs, top = pf->top, rc = 0;
    } else {
        /* an inline patch (a component's, read by every render including it) is parsed once
         * per context from its second reading on */
        rc = kr_text_stream(r, sp->file, sp->text, sp->len, &docs, &ndocs, &top);
    }
    sp->map_at_top = !rc && top && kr_is_map(docs[0]);
    for (size_t i = 0; !rc && i < ndocs; i++)
        if (!kr_is_map(docs[i]))
            rc = kr_err_set(r->err, KRENDER_E_RESOURCE, sp->file, docs[i]->line, docs[i]->col,
                            "not a resource");
    if (!rc)
        rc = kr_resources_from_docs(r, sp->file, docs, ndocs, &sp->res, &sp->n, &sp->cap);
    return rc;
}

typedef struct jp_parse {
    const char *text, *file;
    size_t len;
    bool ahead; /* as sm_parse's */
    kr_jp_patch p;
} jp_parse;

static int parse_jp(kr_render *r, void *arg)
{
    jp_parse *jp = arg;
    if (!jp->len)
        return KRENDER_E_KUSTOMIZATION;
    const kr_pf_file *pf =
        jp->ahead
            ? kr_prefetch_text(r, kr_prefetch_jp_reading(jp->text, jp->len), jp->text, jp->len)
            : NULL;
    if (pf)
        return kr_jp_decode_doc(r, pf->kdoc, jp->file, &jp->p);
    return kr_jp_decode(r, jp->text, jp->len, jp->file, &jp->p);
}

/* Errors in an inline patch point at its kustomization entry. */
static int at_entry(kr_render *r, int rc, const char *file, const kr_node *at)
{
    if (rc && at && r->err->file && file && strcmp(r->err->file, file) == 0) {
        r->err->line = at->line;
        r->err->column = at->col;
    }
    return rc;
}

/* ---- entry points ---- */

/* One SMP document applied to the resource with its id (no target). */
static int apply_by_id(kr_render *r, kr_accum *ra, id_index *x, const kr_resource *patch,
                       const kr_patch_opts *o, bool legacy, const char *file, bool scratch)
{
    if (!x->built && index_build(r, x, &ra->res))
        return r->err->code;
    size_t count;
    kr_resource *t = index_find(x, &patch->id, &count);
    if (count != 1) {
        const char *id = kr_resid_string(r->arena, &patch->id);
        const kr_node *at = patch->node;
        if (legacy)
            return kr_err_set(r->err, KRENDER_E_RESOURCE, file, at->line, at->col,
                              "%s for Id %s; failed to find unique target for patch %s",
                              count ? "multiple matches" : "no matches", id, id);
        return kr_err_set(r->err, KRENDER_E_RESOURCE, file, at->line, at->col,
                          "no resource matches strategic merge patch \"%s\": %s for Id %s; "
                          "failed to find unique target for patch %s",
                          id, count ? "multiple matches" : "no matches", id, id);
    }
    int rc = apply_smp(r, t, patch->node, legacy, o, file, scratch);
    if (rc)
        return rc;
    if (!not_empty(t, NULL)) {
        kr_resmap_filter(&ra->res, not_empty, NULL);
        x->built = false;
    } else if (o->allow_name_change || o->allow_kind_change) {
        x->built = false;
    }
    kr_resmap_ids_changed(&ra->res);
    return 0;
}

static int apply_sm_target(kr_render *r, kr_accum *ra, const kr_resource *patch,
                           const kr_node *target, const kr_patch_opts *o, const char *file,
                           bool scratch)
{
    kr_selector *sel;
    int rc = kr_selector_compile(r, target, file, &sel);
    if (rc)
        return rc;
    bool emptied = false;
    /* a patch in a scratch arena: the first target gets a deep copy, the others share the
     * texts and keys of one more deep copy in the render arena (a cached patch, in the render
     * arena already, is shared as it is) */
    const kr_node *shared = scratch ? NULL : patch->node;
    size_t matched = 0;
    for (size_t i = 0; !rc && i < ra->res.len; i++) {
        kr_resource *res = ra->res.items[i];
        if (!kr_selector_matches(sel, res))
            continue;
        if (matched++ == 1 && !shared && !(shared = kr_node_copy_deep(r->arena, patch->node))) {
            rc = kr_err_nomem(r->err);
            break;
        }
        rc = apply_smp(r, res, shared ? shared : patch->node, true, o, file, !shared);
        emptied |= !rc && !not_empty(res, NULL);
    }
    kr_selector_free(sel);
    if (emptied)
        kr_resmap_filter(&ra->res, not_empty, NULL);
    kr_resmap_ids_changed(&ra->res);
    return rc;
}

int kr_patch_apply_json(kr_render *r, kr_accum *ra, const kr_jp_patch *p, const kr_node *target,
                        bool record_prev, const char *file, const kr_node *at)
{
    kr_selector *sel;
    int rc = kr_selector_compile(r, target, file, &sel);
    if (rc)
        return rc;
    for (size_t i = 0; !rc && i < ra->res.len; i++) {
        kr_resource *res = ra->res.items[i];
        if (!kr_selector_matches(sel, res))
            continue;
        if (record_prev && (rc = kr_resource_push_prev(r, res)))
            break;
        rc = kr_jp_apply(r, p, res->node, file);
        if (!rc)
            rc = kr_resource_refresh_id(r, res);
    }
    kr_selector_free(sel);
    kr_resmap_ids_changed(&ra->res);
    return at_entry(r, rc, file, at);
}

int kr_patch_apply_sm_docs(kr_render *r, kr_accum *ra, kr_node **docs, size_t ndocs,
                           const char *file)
{
    kr_resource **res = NULL;
    size_t n = 0, cap = 0;
    int rc = kr_resources_from_docs(r, file, docs, ndocs, &res, &n, &cap);
    id_index x = {0};
    kr_patch_opts none = {0};
    for (size_t i = 0; !rc && i < n; i++)
        rc = apply_by_id(r, ra, &x, res[i], &none, true, file, false);
    return rc;
}

/* The first significant character (after blanks and comment lines) is '[' or '-'. */
bool kr_patch_looks_like_list(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '#') {
            const char *nl = memchr(s + i, '\n', n - i);
            if (!nl)
                return false;
            i = (size_t)(nl - s);
        } else if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') {
            return s[i] == '[' || s[i] == '-';
        }
    }
    return false;
}

/* The decoded JSON patch's list starts before the first stream separator of text, so the
 * stream's first document is that same list (or fails to parse): not a resource. Only said
 * of texts without "\r" (whose line numbers both readings count alike). */
static bool jp_in_first_chunk(const kr_jp_patch *p, const char *text, size_t len)
{
    if (!p->n || !p->ops[0].at || !p->ops[0].at->line || memchr(text, '\r', len))
        return false;
    unsigned sep = kr_stream_first_separator_line(text, len);
    return sep == 0 || p->ops[0].at->line < sep;
}

/* Where a patch text came from, for messages (formatted only when one is needed). */
typedef struct patch_src {
    const char *literal;  /* given as it is, or NULL: */
    const char *inl;      /* "[patch: \"<inl>\"]" (n bytes) when set, else */
    size_t n;
    const char *path;     /* "[path: \"<path>\"]" */
    kr_file *f;           /* the file the text is, or NULL */
} patch_src;

static const char *source_text(kr_render *r, const patch_src *ps)
{
    const char *s = ps->literal ? ps->literal
                    : ps->inl   ? kr_arena_printf(r->arena, "[patch: \"%.*s\"]", (int)ps->n, ps->inl)
                                : kr_arena_printf(r->arena, "[path: \"%s\"]", ps->path);
    return s ? s : "?";
}

/* The patch is parsed into the scratch arena tmp, to be reset or freed once it is applied:
 * what reaches the resources is copied from it (apply_smp, kr_jp_apply copy deep). */
static int apply_text_in(kr_render *r, kr_arena *tmp, kr_accum *ra, const char *text,
                         size_t len, const kr_node *target, const kr_patch_opts *o,
                         const patch_src *ps, const char *file, const kr_node *at);

int kr_patch_apply_text(kr_render *r, kr_accum *ra, const char *text, size_t len,
                        const kr_node *target, const kr_patch_opts *o, const char *source,
                        const char *file, const kr_node *at)
{
    patch_src ps = {.literal = source};
    kr_arena *tmp = kr_arena_new();
    if (!tmp)
        return kr_err_nomem(r->err);
    int rc = apply_text_in(r, tmp, ra, text, len, target, o, &ps, file, at);
    kr_arena_free(tmp);
    return rc;
}

/* quietly, with everything fn allocates in the render arena going to tmp instead. */
static bool quietly_in(kr_render *r, kr_arena *tmp, int (*fn)(kr_render *, void *), void *arg)
{
    kr_arena *saved = r->arena;
    r->arena = tmp;
    bool ok = quietly(r, fn, arg);
    r->arena = saved;
    return ok;
}


/* Both readings of a patch text, as apply_text_in decides them. */
typedef struct patch_parse {
    sm_parse sp;
    jp_parse jp;
    bool sm_ok, jp_ok;
} patch_parse;

/* Reads text both ways, everything allocated in arena a (the render's or a scratch one).
 * Both readings are tried (a text that is both is an error), but one decides the other when
 * its root lies in the stream's first chunk (parse.h): a mapping there is no JSON patch, a
 * sequence there is no strategic-merge patch. Each parse is free of side effects, so the
 * order does not matter: a text that looks like a list is read as JSON first. */
static void parse_both(kr_render *r, kr_arena *a, patch_parse *pp, const char *text, size_t len,
                       const char *file, kr_file *f, bool ahead)
{
    *pp = (patch_parse){.sp = {.text = text, .file = file, .len = len, .f = f, .ahead = ahead},
                        .jp = {.text = text, .file = file, .len = len, .ahead = ahead}};
    if (kr_patch_looks_like_list(text, len)) {
        pp->jp_ok = quietly_in(r, a, parse_jp, &pp->jp);
        pp->sm_ok = !(pp->jp_ok && jp_in_first_chunk(&pp->jp.p, text, len)) &&
                    quietly_in(r, a, parse_sm, &pp->sp);
    } else {
        pp->sm_ok = quietly_in(r, a, parse_sm, &pp->sp);
        pp->jp_ok = !(pp->sm_ok && pp->sp.map_at_top) && quietly_in(r, a, parse_jp, &pp->jp);
    }
}

/* ---- the render's cache of patch parses ----
 * A component's inline patches are read again for every kustomization that includes it. A
 * text seen the first time is parsed into the scratch arena as before and only remembered (by
 * hash); seen again, it is parsed once more into the render arena and kept, and every later
 * use takes that parse: patches are only read while applied (apply_smp and kr_jp_apply copy
 * what reaches the resources), and a parse depends on nothing but (text, file, f). */

typedef struct pc_entry {
    uint64_t hash; /* of the text */
    uint64_t slot; /* of the text and the file: its place in the table */
    size_t len;
    const char *file;
    kr_file *f;
    const char *text; /* the render's copy of the text, once parsed; NULL: not kept yet */
    bool seen;        /* used before (parsed into a scratch arena then) */
    patch_parse pp;
} pc_entry;

struct kr_patch_cache {
    pc_entry **slots; /* open addressing, nslots a power of two */
    size_t nslots, count;
};

static bool pc_same(const pc_entry *e, uint64_t h, const char *text, size_t len,
                    const char *file, const kr_file *f)
{
    return e->hash == h && e->len == len && e->f == f &&
           (e->file == file || strcmp(e->file, file) == 0) &&
           (!e->text || memcmp(e->text, text, len) == 0);
}

/* The entry for (text, file, f), added (seen once) when absent; NULL on allocation failure. */
static pc_entry *pc_lookup(kr_render *r, const char *text, size_t len, const char *file,
                           kr_file *f)
{
    struct kr_patch_cache *c = r->patch_cache;
    kr_arena *life = kr_render_life(r); /* the cache serves the whole render */
    if (!c) {
        if (!(c = kr_arena_zalloc(life, sizeof *c)) ||
            !(c->slots = kr_arena_zalloc(life, 64 * sizeof *c->slots)))
            return NULL;
        c->nslots = 64;
        r->patch_cache = c;
    }
    uint64_t h = XXH3_64bits(text, len);
    /* the same inline patch in hundreds of apps' kustomizations: their entries spread over
     * the table by file too, not probed one after another with a string compare each */
    uint64_t slot = h ^ XXH3_64bits(file, strlen(file));
    size_t mask = c->nslots - 1, i = (size_t)slot & mask;
    for (; c->slots[i]; i = (i + 1) & mask)
        if (pc_same(c->slots[i], h, text, len, file, f))
            return c->slots[i];
    pc_entry *e = kr_arena_zalloc(life, sizeof *e);
    if (!e)
        return NULL;
    *e = (pc_entry){.hash = h, .slot = slot, .len = len, .file = kr_arena_strdup(life, file),
                    .f = f};
    if (!e->file)
        return NULL;
    c->slots[i] = e;
    if (++c->count * 2 > c->nslots) {
        size_t n = c->nslots * 2;
        pc_entry **slots = kr_arena_zalloc(life, n * sizeof *slots);
        if (!slots)
            return NULL;
        for (size_t j = 0; j < c->nslots; j++) {
            pc_entry *x = c->slots[j];
            if (!x)
                continue;
            size_t k = (size_t)x->slot & (n - 1);
            while (slots[k])
                k = (k + 1) & (n - 1);
            slots[k] = x;
        }
        c->slots = slots;
        c->nslots = n;
    }
    return e;
}

static int apply_text_in(kr_render *r, kr_arena *tmp, kr_accum *ra, const char *text,
                         size_t len, const kr_node *target, const kr_patch_opts *o,
                         const patch_src *ps, const char *file, const kr_node *at)
{
    patch_parse local;
    const patch_parse *pp = &local;
    pc_entry *e = pc_lookup(r, text, len, file, ps->f);
    if (!e)
        return kr_err_nomem(r->err);
    bool scratch = false;
    if (e->text) {
        pp = &e->pp; /* parsed before */
    } else if (e->seen) {
        /* seen once before: parse into the render's own arena and keep it */
        char *copy = kr_arena_alloc(kr_render_life(r), len + 1);
        if (!copy)
            return kr_err_nomem(r->err);
        memcpy(copy, text, len);
        copy[len] = '\0';
        /* what the parse keeps of its text must live as long as the render: read the copy */
        parse_both(r, kr_render_life(r), &e->pp, copy, len, e->file, ps->f, false);
        e->text = copy;
        pp = &e->pp;
    } else {
        /* used within this entry alone: the thread's parse will do (prefetch.h) */
        parse_both(r, tmp, &local, text, len, file, ps->f, true);
        e->seen = scratch = true;
    }
    const sm_parse sp = pp->sp;
    bool sm_ok = pp->sm_ok, jp_ok = pp->jp_ok;
    unsigned line = at ? at->line : 0, col = at ? at->col : 0;
    if (sm_ok && jp_ok)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, file, line, col,
                          "illegally qualifies as both an SM and JSON patch: %s",
                          source_text(r, ps));
    if (!sm_ok && !jp_ok)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, file, line, col,
                          "unable to parse SM or JSON patch from %s", source_text(r, ps));
    int rc = 0;
    if (jp_ok) {
        if (kr_is_null(target))
            return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, file, line, col,
                              "must specify a target for JSON patch %s", source_text(r, ps));
        return kr_patch_apply_json(r, ra, &pp->jp.p, target, true, file, at);
    }
    if (!kr_is_null(target)) {
        if (sp.n > 1)
            return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, file, line, col,
                              "Multiple Strategic-Merge Patches in one `patches` entry is not "
                              "allowed to set `patches.target` field: %s",
                              source_text(r, ps));
        if (sp.n == 1)
            rc = apply_sm_target(r, ra, sp.res[0], target, o, file, scratch);
        return at_entry(r, rc, file, at);
    }
    id_index x = {0};
    for (size_t i = 0; !rc && i < sp.n; i++)
        rc = apply_by_id(r, ra, &x, sp.res[i], o, false, file, scratch);
    return at_entry(r, rc, file, at);
}

/* ---- the kustomization steps ---- */

const char *kr_patch_trim(const char *s, size_t *len)
{
    while (*len && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f'))
        s++, (*len)--;
    while (*len && strchr(" \t\n\r\v\f", s[*len - 1]))
        (*len)--;
    return s;
}

enum { P_PATH, P_PATCH, P_TARGET, P_OPTIONS, P_COUNT };
static const char *const patch_keys[P_COUNT] = {"path", "patch", "target", "options"};

static int decode_patch(const kr_decoder *d, const kr_node *e, kr_node **v)
{
    int rc = kr_dec_object(d, e, patch_keys, P_COUNT, v, "types.Patch", "patches");
    if (!rc)
        rc = kr_dec_string(d, v[P_PATH], "path");
    if (!rc)
        rc = kr_dec_string(d, v[P_PATCH], "patch");
    if (!rc && v[P_OPTIONS]) {
        if (!kr_is_map(v[P_OPTIONS]))
            return kr_dec_type_error(d, v[P_OPTIONS], "options", "map[string]bool");
        for (uint32_t i = 0; !rc && i < v[P_OPTIONS]->len; i++)
            rc = kr_dec_bool(d, v[P_OPTIONS]->u.pairs[i].value, "options");
    }
    return rc;
}

/* The text of a patch entry: inline (trimmed) or from its file. */
static int patch_text(kr_render *r, const kr_kustomization *k, kr_node **v, const kr_node *e,
                      const char **text, size_t *len, patch_src *source, const char **file)
{
    const char *inl = kr_dec_text(v[P_PATCH]), *path = kr_dec_text(v[P_PATH]);
    size_t n = strlen(inl);
    inl = kr_patch_trim(inl, &n);
    if (!n && !*path)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, k->path, e->line, e->col,
                          "must specify one of patch and path in %s", k->path);
    if (n && *path)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, k->path, e->line, e->col,
                          "patch and path can't be set at the same time");
    if (n) {
        *text = inl;
        *len = n;
        *file = k->path;
        *source = (patch_src){.inl = inl, .n = n};
        return 0;
    }
    kr_file *f;
    int rc = kr_load_kfile_ahead(r, k, v[P_PATH], &f);
    if (rc)
        return rc;
    *text = f->data;
    *len = f->len;
    *file = f->path;
    *source = (patch_src){.path = path, .f = f};
    return 0;
}

/* One `patches` entry; its text is parsed into tmp (reset here first). */
static int patch_entry(kr_render *r, const kr_kustomization *k, kr_accum *ra, const kr_node *e,
                       const kr_decoder *d, kr_arena *tmp)
{
    kr_node *v[P_COUNT];
    const char *text = NULL, *file = NULL;
    patch_src source = {0};
    size_t len = 0;
    int rc = decode_patch(d, e, v);
    /* kustomize decodes the whole entry before reading its file: a mistyped target is an
     * error of the kustomization, even when the patch file is missing */
    if (!rc && v[P_TARGET] && !kr_is_null(v[P_TARGET]) && !kr_is_map(v[P_TARGET]))
        rc = kr_dec_type_error(d, v[P_TARGET], "Patch.patches.target", "types.Selector");
    if (!rc)
        rc = patch_text(r, k, v, e, &text, &len, &source, &file);
    if (rc)
        return rc;
    kr_patch_opts o = {
        .allow_name_change = kr_dec_true(kr_map_get(v[P_OPTIONS], "allowNameChange")),
        .allow_kind_change = kr_dec_true(kr_map_get(v[P_OPTIONS], "allowKindChange")),
    };
    kr_arena_reset(tmp);
    if ((rc = apply_text_in(r, tmp, ra, text, len, v[P_TARGET], &o, &source, file,
                            file == k->path ? e : NULL)))
        return rc;
    kr_resmap_filter(&ra->res, not_empty, NULL);
    return 0;
}

int kr_patch_entry(kr_render *r, const kr_kustomization *k, kr_accum *ra, const kr_node *e,
                   const kr_decoder *d)
{
    kr_arena *tmp = kr_arena_new();
    if (!tmp)
        return kr_err_nomem(r->err);
    int rc = patch_entry(r, k, ra, e, d, tmp);
    kr_arena_free(tmp);
    return rc;
}

int kr_xf_patches(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    const kr_node *list = k->fields[KF_PATCHES];
    if (kr_is_null(list))
        return 0;
    kr_decoder d = {r, k->path, "invalid Kustomization"};
    if (!kr_is_seq(list))
        return kr_dec_type_error(&d, list, "patches", "[]types.Patch");
    kr_arena *tmp = list->len ? kr_arena_new() : NULL; /* one scratch arena for the list */
    if (list->len && !tmp)
        return kr_err_nomem(r->err);
    int rc = 0;
    for (uint32_t i = 0; !rc && i < list->len; i++)
        rc = patch_entry(r, k, ra, list->u.items[i], &d, tmp);
    kr_arena_free(tmp);
    return rc;
}

/* One patchesStrategicMerge item: inline YAML if it reads as resources, else a file. */
int kr_patch_sm_item(kr_render *r, const kr_kustomization *k, kr_accum *ra, const kr_node *e)
{
    sm_parse sp = {.text = e->u.text, .file = k->path, .len = e->len};
    kr_node **docs;
    size_t ndocs;
    int rc;
    if (quietly(r, parse_sm, &sp) && sp.n) {
        /* the resources of that parse are what kr_patch_apply_sm_docs would make again */
        id_index x = {0};
        kr_patch_opts none = {0};
        rc = 0;
        for (size_t i = 0; !rc && i < sp.n; i++)
            rc = apply_by_id(r, ra, &x, sp.res[i], &none, true, k->path, false);
        return at_entry(r, rc, k->path, e);
    }
    kr_file *f;
    if ((rc = kr_load_kfile(r, k, e, &f)) || (rc = kr_file_docs(r, f, &docs, &ndocs)))
        return rc;
    return kr_patch_apply_sm_docs(r, ra, docs, ndocs, f->path);
}

int kr_xf_patches_strategic_merge(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    const kr_node *list = k->fields[KF_PATCHES_STRATEGIC_MERGE];
    if (kr_is_null(list))
        return 0;
    kr_decoder d = {r, k->path, "invalid Kustomization"};
    int rc = kr_dec_strlist(&d, list, "patchesStrategicMerge", "[]types.PatchStrategicMerge");
    for (uint32_t i = 0; !rc && i < list->len; i++)
        rc = kr_patch_sm_item(r, k, ra, list->u.items[i]);
    return rc;
}

int kr_patch_json6902_entry(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                            const kr_node *e, const kr_decoder *d)
{
    kr_node *v[P_COUNT];
    int rc = decode_patch(d, e, v);
    if (rc)
        return rc;
    if (!*kr_dec_text(kr_map_get(v[P_TARGET], "name")))
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, k->path, e->line, e->col,
                          "must specify the target name");
    const char *path = kr_dec_text(v[P_PATH]), *op = kr_dec_text(v[P_PATCH]);
    if (!*path && !*op)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, k->path, e->line, e->col,
                          "empty file path and empty jsonOp");
    if (*path && *op)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, k->path, e->line, e->col,
                          "must specify a file path or jsonOp, not both");
    const char *text = op, *file = k->path;
    size_t len = strlen(op);
    if (*path) {
        kr_file *f;
        if ((rc = kr_load_kfile(r, k, v[P_PATH], &f)))
            return rc;
        if (!f->len)
            return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, k->path, e->line, e->col,
                              "patch file '%s' empty seems to be empty", path);
        text = f->data, len = f->len, file = f->path;
    }
    kr_jp_patch p;
    if ((rc = kr_jp_decode(r, text, len, file, &p)))
        return at_entry(r, rc, k->path, e);
    if (!p.n)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, k->path, e->line, e->col,
                          "patch appears to be empty; file=%s, JsonOp=%s", path, op);
    return kr_patch_apply_json(r, ra, &p, v[P_TARGET], false, file, file == k->path ? e : NULL);
}

int kr_xf_patches_json6902(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    const kr_node *list = k->fields[KF_PATCHES_JSON6902];
    if (kr_is_null(list))
        return 0;
    kr_decoder d = {r, k->path, "invalid Kustomization"};
    if (!kr_is_seq(list))
        return kr_dec_type_error(&d, list, "patchesJson6902", "[]types.Patch");
    for (uint32_t i = 0; i < list->len; i++) {
        int rc = kr_patch_json6902_entry(r, k, ra, list->u.items[i], &d);
        if (rc)
            return rc;
    }
    return 0;
}
