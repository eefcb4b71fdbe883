/* configMapGenerator and secretGenerator (pipeline.md §6-§7, kustomization.md §9): decoding of
 * the generator arguments, the key/value pairs, and the generated ConfigMap / Secret. */
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "jsonvalue.h"
#include "loader.h"
#include "origin.h"
#include "transformers.h"

/* GeneratorArgs (+ SecretArgs.type), in struct order. */
enum { A_NAMESPACE, A_NAME, A_BEHAVIOR, A_LITERALS, A_FILES, A_ENVS, A_ENV, A_OPTIONS, A_TYPE,
       A_COUNT };
static const char *const arg_names[A_COUNT] = {
    "namespace", "name", "behavior", "literals", "files", "envs", "env", "options", "type",
};

enum { O_LABELS, O_ANNOTATIONS, O_DISABLE_HASH, O_IMMUTABLE, O_COUNT };
static const char *const opt_names[O_COUNT] = {
    "labels", "annotations", "disableNameSuffixHash", "immutable",
};

typedef struct gen_opts {
    const kr_node *labels, *annotations; /* maps of strings, or NULL */
    bool disable_hash, immutable;
} gen_opts;

/* Decoding context of one generator entry. */
typedef struct gen_ctx {
    kr_render *r;
    const kr_gen_src *src;
    kr_gen_kind kind;
    kr_decoder d;
    const char *gostruct; /* "ConfigMapArgs" / "SecretArgs" */
    const kr_node *at;    /* the entry (errors without a better position) */
} gen_ctx;

/* The Go error path of an argument: Struct.path.GeneratorArgs[.KvPairSources].key */
static const char *arg_field(const gen_ctx *c, int i)
{
    const char *path = c->src->path ? c->src->path : "";
    const char *dot = c->src->path ? "." : "";
    const char *embed = i == A_TYPE                           ? ""
                        : (i >= A_LITERALS && i <= A_ENV) ? "GeneratorArgs.KvPairSources."
                                                              : "GeneratorArgs.";
    const char *parts[] = {c->gostruct, dot, path, ".", embed, arg_names[i]};
    size_t lens[6], total = 0;
    for (size_t k = 0; k < 6; k++)
        total += lens[k] = strlen(parts[k]);
    char *out = kr_arena_alloc(c->r->arena, total + 1), *p = out;
    if (!out)
        return NULL;
    for (size_t k = 0; k < 6; k++)
        memcpy(p, parts[k], lens[k]), p += lens[k];
    *p = '\0';
    return out;
}

/* Type-checks the value of field i. */
typedef int (*check_fn)(void *ctx, int i, const kr_node *v);

static int cmp_keys(const void *x, const void *y)
{
    const kr_node *a = (*(const kr_pair *const *)x)->key, *b = (*(const kr_pair *const *)y)->key;
    int c = memcmp(a->u.text, b->u.text, a->len < b->len ? a->len : b->len);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* Matches the keys of a map against names (Go's rules: exact, then case-insensitive; the last
 * match wins) and checks each value in the order encoding/json meets them: kustomize turns the
 * YAML into JSON through a Go map, so keys come sorted, and the first problem met is the one
 * reported. Unknown keys are errors when strict. */
static int match_object(const kr_decoder *d, const kr_node *n, const char *const *names,
                        size_t count, bool strict, const kr_node **values, check_fn check,
                        void *ctx)
{
    for (size_t i = 0; i < count; i++)
        values[i] = NULL;
    const kr_pair **order = kr_arena_alloc(d->r->arena, (n->len + 1) * sizeof *order);
    if (!order)
        return kr_err_nomem(d->r->err);
    for (uint32_t i = 0; i < n->len; i++)
        order[i] = &n->u.pairs[i];
    qsort(order, n->len, sizeof *order, cmp_keys);
    for (uint32_t i = 0; i < n->len; i++) {
        int k = kr_dec_match_key(order[i]->key->u.text, names, count);
        if (k < 0 && strict)
            return kr_dec_unknown_field(d, order[i]->key);
        if (k < 0)
            continue;
        const kr_node *v = kr_is_null(order[i]->value) ? NULL : order[i]->value;
        int rc = check(ctx, k, v);
        if (rc)
            return rc;
        values[k] = v;
    }
    return 0;
}

typedef struct opts_check {
    const kr_decoder *d;
    const char *field; /* Go path of the GeneratorOptions */
} opts_check;

static int check_opt(void *ctx, int i, const kr_node *v)
{
    const opts_check *c = ctx;
    const char *f = kr_arena_printf(c->d->r->arena, "%s.%s", c->field, opt_names[i]);
    if (!f)
        return kr_err_nomem(c->d->r->err);
    return i <= O_ANNOTATIONS ? kr_dec_strmap(c->d, v, f) : kr_dec_bool(c->d, v, f);
}

/* GeneratorOptions at Go path `field` (e.g. "GeneratorOptions.generatorOptions"). */
static int decode_opts(const kr_decoder *d, const kr_node *n, const char *field, bool strict,
                       gen_opts *out)
{
    *out = (gen_opts){0};
    if (kr_is_null(n))
        return 0;
    const kr_node *v[O_COUNT];
    opts_check c = {d, field};
    int rc = match_object(d, n, opt_names, O_COUNT, strict, v, check_opt, &c);
    if (rc)
        return rc;
    out->labels = v[O_LABELS];
    out->annotations = v[O_ANNOTATIONS];
    out->disable_hash = kr_dec_true(v[O_DISABLE_HASH]);
    out->immutable = kr_dec_true(v[O_IMMUTABLE]);
    return 0;
}

/* The arguments of one generator entry, type-checked. */
typedef struct gen_args {
    const kr_node *v[A_COUNT];
    gen_opts opts;
} gen_args;

/* `options`: an object whose fields' Go paths read GeneratorOptions.<path>.GeneratorArgs.options. */
static int decode_args_opts(gen_ctx *c, const kr_node *n, const char *field, gen_opts *out)
{
    *out = (gen_opts){0};
    if (n && n->kind != KR_MAP)
        return kr_dec_type_error(&c->d, n, field, "types.GeneratorOptions");
    const char *path = c->src->path ? c->src->path : "";
    const char *f = kr_arena_printf(c->r->arena, "GeneratorOptions.%s%sGeneratorArgs.options",
                                    path, c->src->path ? "." : "");
    return f ? decode_opts(&c->d, n, f, c->src->strict, out) : kr_err_nomem(c->r->err);
}

typedef struct args_check {
    gen_ctx *c;
    gen_opts *opts;
} args_check;

static int check_arg(void *ctx, int i, const kr_node *v)
{
    args_check *a = ctx;
    const char *f = arg_field(a->c, i);
    if (!f)
        return kr_err_nomem(a->c->r->err);
    switch (i) {
    case A_LITERALS:
    case A_FILES:
    case A_ENVS:
        return kr_dec_strlist(&a->c->d, v, f, "[]string");
    case A_OPTIONS:
        return decode_args_opts(a->c, v, f, a->opts);
    default:
        return kr_dec_string(&a->c->d, v, f);
    }
}

static int decode_args(gen_ctx *c, const kr_node *args, gen_args *out)
{
    size_t count = c->kind == KR_GEN_SECRET ? A_COUNT : A_TYPE;
    for (size_t i = 0; i < A_COUNT; i++)
        out->v[i] = NULL;
    out->opts = (gen_opts){0};
    if (kr_is_null(args))
        return 0;
    if (args->kind != KR_MAP)
        return kr_dec_type_error(&c->d, args, c->src->path ? c->src->path : c->gostruct,
                                 c->kind == KR_GEN_SECRET ? "types.SecretArgs"
                                                          : "types.ConfigMapArgs");
    args_check a = {c, &out->opts};
    return match_object(&c->d, args, arg_names, count, c->src->strict, out->v, check_arg, &a);
}

/* ---- options: MergeGlobalOptionsIntoLocal ---- */

/* local's pairs, then global's whose keys local lacks. */
static int merge_opt_map(kr_render *r, const kr_node *local, const kr_node *global,
                         const kr_node **out)
{
    *out = local;
    if (!kr_is_map(global) || global->len == 0)
        return 0;
    if (!kr_is_map(local) || local->len == 0) {
        *out = global;
        return 0;
    }
    kr_node *m = kr_node_map(r->arena, local->len + global->len);
    if (!m)
        return kr_err_nomem(r->err);
    for (uint32_t i = 0; i < local->len; i++)
        if (!kr_map_append(r->arena, m, local->u.pairs[i].key, local->u.pairs[i].value))
            return kr_err_nomem(r->err);
    for (uint32_t i = 0; i < global->len; i++)
        if (!kr_map_getn(local, global->u.pairs[i].key->u.text, global->u.pairs[i].key->len) &&
            !kr_map_append(r->arena, m, global->u.pairs[i].key, global->u.pairs[i].value))
            return kr_err_nomem(r->err);
    *out = m;
    return 0;
}

static int merge_options(kr_render *r, gen_opts *local, const gen_opts *global)
{
    int rc = merge_opt_map(r, local->labels, global->labels, &local->labels);
    if (!rc)
        rc = merge_opt_map(r, local->annotations, global->annotations, &local->annotations);
    local->disable_hash |= global->disable_hash;
    local->immutable |= global->immutable;
    return rc;
}

/* ---- key/value pairs ---- */

/* Go's %v of a []string: "[a b c]". */
static const char *go_list(kr_render *r, const kr_node *const *items, size_t n)
{
    kr_buf b = {0};
    bool ok = kr_buf_putc(&b, '[');
    for (size_t i = 0; ok && i < n; i++)
        ok = (!i || kr_buf_putc(&b, ' ')) && kr_buf_puts(&b, kr_dec_text(items[i]));
    ok = ok && kr_buf_putc(&b, ']');
    const char *s = ok ? kr_arena_strdup(r->arena, b.data) : NULL;
    kr_buf_free(&b);
    return s;
}

static int kv_error(gen_ctx *c, const kr_node *at, const char *what, const char *list,
                    const char *msg)
{
    return kr_err_set(c->r->err, KRENDER_E_KUSTOMIZATION, c->src->file, at->line, at->col,
                      "loading KV pairs: %s%s: %s", what, list ? list : "[]", msg);
}

/* Reads a file named by an entry; the path may differ from the entry's text (key=path).
 * Errors get kustomize's context: what + the list of sources. */
static int load_entry_file(gen_ctx *c, const kr_node *entry, const char *path, kr_file **f,
                           const char *what, const kr_node *const *items, size_t n)
{
    kr_node tmp = *entry;
    tmp.u.text = path;
    tmp.len = (uint32_t)strlen(path);
    int rc = kr_load_kfile(c->r, c->src->k, &tmp, f);
    if (!rc) /* the generated values point into its bytes */
        (*f)->pinned = true;
    if (rc && rc != KRENDER_E_NOMEM) {
        const char *list = go_list(c->r, items, n);
        kr_err_prefix(c->r->err, "loading KV pairs: %s%s", what, list ? list : "[]");
    }
    return rc;
}

/* "[75 61 255]": Go's %d of a []byte, as kustomize's message prints the line. */
static const char *go_bytes(kr_render *r, const char *s, size_t n)
{
    kr_buf b = {0};
    bool ok = kr_buf_putc(&b, '[');
    for (size_t i = 0; ok && i < n; i++)
        ok = kr_buf_printf(&b, i ? " %u" : "%u", (unsigned)(unsigned char)s[i]);
    ok = ok && kr_buf_putc(&b, ']');
    const char *out = ok ? kr_arena_strdup(r->arena, b.data) : NULL;
    kr_buf_free(&b);
    return out;
}

static int env_pairs(gen_ctx *c, const kr_node *const *envs, size_t n, kr_kvlist *out)
{
    const char *what = "env source files: ";
    for (size_t i = 0; i < n; i++) {
        kr_file *f;
        int rc = load_entry_file(c, envs[i], kr_dec_text(envs[i]), &f, what, envs, n);
        if (rc)
            return rc;
        const char *bad;
        size_t badlen;
        rc = kr_env_parse(c->r->arena, f->data, f->len, out, &bad, &badlen);
        if (rc == KRENDER_E_NOMEM)
            return kr_err_nomem(c->r->err);
        if (rc) {
            const char *msg = kr_arena_printf(c->r->arena, "line %s has invalid utf8 bytes : %.*s",
                                              go_bytes(c->r, bad, badlen), (int)badlen, bad);
            return kv_error(c, envs[i], what, go_list(c->r, envs, n), msg ? msg : "invalid utf8");
        }
    }
    return 0;
}

static int literal_pairs(gen_ctx *c, const kr_node *lits, kr_kvlist *out)
{
    kr_strlist l;
    kr_strlist_of(lits, &l);
    for (size_t i = 0; i < l.n; i++) {
        const kr_node *e = l.items[i];
        const char *s = kr_dec_text(e);
        kr_kv kv;
        if (!kr_literal_parse(c->r->arena, s, strlen(s), &kv)) {
            if (!strchr(s, '=') || s[0] == '=') {
                const char *list = go_list(c->r, (const kr_node *const *)l.items, l.n);
                const char *msg = kr_arena_printf(c->r->arena,
                                                  "invalid literal source %s, expected key=value", s);
                return kv_error(c, e, "literal sources ", list, msg ? msg : s);
            }
            return kr_err_nomem(c->r->err);
        }
        if (!kr_kvlist_push(c->r->arena, out, kv))
            return kr_err_nomem(c->r->err);
    }
    return 0;
}

static int file_pairs(gen_ctx *c, const kr_node *files, kr_kvlist *out)
{
    kr_strlist l;
    kr_strlist_of(files, &l);
    const char *what = "file sources: ";
    for (size_t i = 0; i < l.n; i++) {
        const kr_node *e = l.items[i];
        const char *key, *path;
        const char *msg = kr_file_source_parse(c->r->arena, kr_dec_text(e), &key, &path);
        const kr_node *const *items = (const kr_node *const *)l.items;
        if (msg)
            return kv_error(c, e, what, go_list(c->r, items, l.n), msg);
        kr_file *f;
        int rc = load_entry_file(c, e, path, &f, what, items, l.n);
        if (rc)
            return rc;
        kr_kv kv = {key, f->data, strlen(key), f->len};
        if (!kr_kvlist_push(c->r->arena, out, kv))
            return kr_err_nomem(c->r->err);
    }
    return 0;
}

/* envs (then the old `env`), literals, files: kustomize's order. */
static int load_pairs(gen_ctx *c, const gen_args *a, kr_kvlist *out)
{
    kr_strlist envs;
    kr_strlist_of(a->v[A_ENVS], &envs);
    size_t n = envs.n + (a->v[A_ENV] && a->v[A_ENV]->len ? 1 : 0);
    const kr_node **all = n ? kr_arena_alloc(c->r->arena, n * sizeof *all) : NULL;
    if (n && !all)
        return kr_err_nomem(c->r->err);
    for (size_t i = 0; i < envs.n; i++)
        all[i] = envs.items[i];
    if (n > envs.n)
        all[envs.n] = a->v[A_ENV];
    int rc = env_pairs(c, all, n, out);
    if (!rc)
        rc = literal_pairs(c, a->v[A_LITERALS], out);
    if (!rc)
        rc = file_pairs(c, a->v[A_FILES], out);
    return rc;
}

/* ---- the generated object ---- */

static bool set_str(kr_arena *a, kr_node *map, const char *key, const char *val)
{
    kr_node *v = kr_node_str(a, val);
    return v && kr_map_set(a, map, key, v);
}

/* A map of string values; keys are unique (checked before). */
static kr_node *string_map(kr_arena *a, const kr_node *src)
{
    kr_node *m = kr_node_map(a, src->len);
    for (uint32_t i = 0; m && i < src->len; i++) {
        const kr_node *k = src->u.pairs[i].key, *v = src->u.pairs[i].value;
        const char *t = kr_is_scalar(v) && v->type != KR_T_NULL ? v->u.text : "";
        kr_node *kn = kr_node_scalar(a, KR_T_STR, k->u.text, k->len);
        kr_node *vn = kr_node_scalar(a, KR_T_STR, t, kr_is_scalar(v) && v->type != KR_T_NULL ? v->len : 0);
        if (!kn || !vn || !kr_map_append(a, m, kn, vn))
            return NULL;
    }
    return m;
}

/* data (and binaryData) from the pairs: ConfigMaps keep UTF-8 text as is and base64 the rest;
 * Secrets base64 everything. */
static int put_data(kr_render *r, kr_gen_kind kind, const kr_kvlist *kvs, kr_node *doc)
{
    kr_arena *a = r->arena;
    kr_node *data = kr_node_map(a, (uint32_t)kvs->n), *bin = NULL;
    if (!data)
        return kr_err_nomem(r->err);
    for (size_t i = 0; i < kvs->n; i++) {
        const kr_kv *kv = &kvs->items[i];
        bool text = kind == KR_GEN_CONFIGMAP && kr_utf8_valid_prefix(kv->val, kv->vlen) == kv->vlen;
        const char *v = kv->val;
        size_t vlen = kv->vlen;
        if (!text && !(v = kr_base64_wrapped(a, kv->val, kv->vlen, &vlen)))
            return kr_err_nomem(r->err);
        kr_node *target = data;
        if (!text && kind == KR_GEN_CONFIGMAP) {
            if (!bin && !(bin = kr_node_map(a, 4)))
                return kr_err_nomem(r->err);
            target = bin;
        }
        /* keys and values are NUL-terminated strings of the render or its files (gen.h),
         * base64 text a fresh one: shared, not copied */
        kr_node *kn = kr_node_scalar_ref(a, KR_T_STR, kv->key, kv->klen);
        kr_node *vn = kr_node_scalar_ref(a, KR_T_STR, v, vlen);
        if (!kn || !vn || !kr_map_append(a, target, kn, vn))
            return kr_err_nomem(r->err);
    }
    /* a Secret always has data (kustomize creates it even when empty) */
    if ((data->len || kind == KR_GEN_SECRET) && !kr_map_set(a, doc, "data", data))
        return kr_err_nomem(r->err);
    if (bin && !kr_map_set(a, doc, "binaryData", bin))
        return kr_err_nomem(r->err);
    return 0;
}

static int check_unique_keys(gen_ctx *c, const char *name, const kr_kvlist *kvs)
{
    kr_keyset seen;
    if (!kr_keyset_init(c->r->arena, &seen, kvs->n))
        return kr_err_nomem(c->r->err);
    for (size_t i = 0; i < kvs->n; i++)
        if (!kr_keyset_add(&seen, kvs->items[i].key, kvs->items[i].klen))
            return kr_err_set(c->r->err, KRENDER_E_KUSTOMIZATION, c->src->file, c->at->line,
                              c->at->col, "configmap %s illegally repeats the key `%s`", name,
                              kvs->items[i].key);
    return 0;
}

static kr_node *base_doc(kr_render *r, kr_gen_kind kind, const char *name, const char *ns,
                         const char *type)
{
    kr_arena *a = r->arena;
    kr_node *doc = kr_node_map(a, 8), *meta = kr_node_map(a, 4);
    if (!doc || !meta || !set_str(a, doc, "apiVersion", "v1") ||
        !set_str(a, doc, "kind", kind == KR_GEN_SECRET ? "Secret" : "ConfigMap") ||
        !kr_map_set(a, doc, "metadata", meta) || !set_str(a, meta, "name", name))
        return NULL;
    if (ns[0] && !set_str(a, meta, "namespace", ns))
        return NULL;
    if (kind == KR_GEN_SECRET && !set_str(a, doc, "type", type[0] ? type : "Opaque"))
        return NULL;
    return doc;
}

static int put_options(kr_render *r, const gen_opts *o, kr_node *doc)
{
    kr_arena *a = r->arena;
    kr_node *meta = kr_map_get(doc, "metadata");
    kr_node *m;
    if (kr_is_map(o->labels) && o->labels->len &&
        (!(m = string_map(a, o->labels)) || !kr_map_set(a, meta, "labels", m)))
        return kr_err_nomem(r->err);
    if (kr_is_map(o->annotations) && o->annotations->len &&
        (!(m = string_map(a, o->annotations)) || !kr_map_set(a, meta, "annotations", m)))
        return kr_err_nomem(r->err);
    kr_node *t = o->immutable ? kr_node_scalar(a, KR_T_BOOL, "true", 4) : NULL;
    if (o->immutable && (!t || !kr_map_set(a, doc, "immutable", t)))
        return kr_err_nomem(r->err);
    return 0;
}

static uint8_t behavior_of(const char *s)
{
    if (strcmp(s, "create") == 0)
        return KR_GEN_CREATE;
    if (strcmp(s, "merge") == 0)
        return KR_GEN_MERGE;
    if (strcmp(s, "replace") == 0)
        return KR_GEN_REPLACE;
    return KR_GEN_UNSPECIFIED;
}

static int make(gen_ctx *c, const kr_node *args, const gen_opts *global, kr_resource **out)
{
    gen_args a;
    int rc = decode_args(c, args, &a);
    if (!rc && global)
        rc = merge_options(c->r, &a.opts, global);
    if (rc)
        return rc;
    const char *name = kr_dec_text(a.v[A_NAME]), *ns = kr_dec_text(a.v[A_NAMESPACE]);
    if (!name[0] && c->src->default_name)
        name = c->src->default_name;
    if (!ns[0] && c->src->default_ns)
        ns = c->src->default_ns;
    if (!name[0])
        return kr_err_set(c->r->err, KRENDER_E_KUSTOMIZATION, c->src->file, c->at->line,
                          c->at->col, "a configmap must have a name");
    kr_node *doc = base_doc(c->r, c->kind, name, ns, kr_dec_text(a.v[A_TYPE]));
    if (!doc)
        return kr_err_nomem(c->r->err);
    kr_kvlist kvs = {0};
    if ((rc = load_pairs(c, &a, &kvs)) || (rc = check_unique_keys(c, name, &kvs)) ||
        (rc = put_data(c->r, c->kind, &kvs, doc)) || (rc = put_options(c->r, &a.opts, doc)))
        return rc;
    kr_resource *res = kr_resource_new(c->r, doc, c->src->file);
    if (!res)
        return kr_err_nomem(c->r->err);
    res->behavior = behavior_of(kr_dec_text(a.v[A_BEHAVIOR]));
    res->needs_hash = !a.opts.disable_hash;
    *out = res;
    return 0;
}

static void ctx_init(gen_ctx *c, kr_render *r, const kr_gen_src *src, kr_gen_kind kind,
                     const kr_node *at)
{
    *c = (gen_ctx){.r = r, .src = src, .kind = kind, .at = at};
    c->d = (kr_decoder){r, src->file, "invalid Kustomization"};
    c->gostruct = kind == KR_GEN_SECRET ? "SecretArgs" : "ConfigMapArgs";
}

int kr_gen_make(kr_render *r, const kr_gen_src *src, kr_gen_kind kind, const kr_node *args,
                const kr_node *global_opts, kr_resource **out)
{
    gen_ctx c;
    ctx_init(&c, r, src, kind, args);
    gen_opts global;
    int rc = decode_opts(&c.d, global_opts, "GeneratorOptions.generatorOptions", src->strict,
                         &global);
    return rc ? rc : make(&c, args, &global, out);
}

/* ---- the kustomization's generators ---- */

static int run_list(kr_render *r, const kr_kustomization *k, kr_gen_kind kind, kr_kfield f,
                    const gen_opts *global, kr_absorber *ab)
{
    kr_strlist items;
    kr_strlist_of(k->fields[f], &items);
    kr_gen_src src = {.k = k, .file = k->path, .path = kr_kfield_name(f), .strict = true};
    for (size_t i = 0; i < items.n; i++) {
        const kr_node *at = kr_is_null(items.items[i]) ? k->keys[f] : items.items[i];
        gen_ctx c;
        ctx_init(&c, r, &src, kind, at);
        kr_resource *res;
        int rc = make(&c, items.items[i], global, &res);
        if (!rc && r->track_origin) /* set before absorbing, as kustomize does */
            res->origin = kr_origin_builtin(r, k, kind == KR_GEN_SECRET ? "SecretGenerator"
                                                                       : "ConfigMapGenerator");
        if (!rc)
            rc = kr_absorb(r, ab, res, k->path, at);
        if (rc)
            return rc;
    }
    return 0;
}

int kr_run_generators(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    kr_decoder d = {r, k->path, "invalid Kustomization"};
    gen_opts global;
    int rc = decode_opts(&d, k->fields[KF_GENERATOR_OPTIONS], "GeneratorOptions.generatorOptions",
                         true, &global);
    kr_absorber ab;
    kr_absorber_init(&ab, ra);
    if (!rc)
        rc = run_list(r, k, KR_GEN_CONFIGMAP, KF_CONFIG_MAP_GENERATOR, &global, &ab);
    if (!rc)
        rc = run_list(r, k, KR_GEN_SECRET, KF_SECRET_GENERATOR, &global, &ab);
    return rc;
}
