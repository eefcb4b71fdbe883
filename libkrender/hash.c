/* Hash suffixes of generated ConfigMaps and Secrets (pipeline.md §8), with SHA-256 from nettle
 * over the JSON encoding of the fields kustomize's hasher reads. */
#include "hash.h"

#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>

#include "jsonhash.h"
#include "par.h"
#include "transformers.h"

void kr_hash_encode(const uint8_t digest[32], char out[KR_HASH_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < KR_HASH_LEN; i++) {
        char c = hex[(digest[i / 2] >> (i % 2 ? 0 : 4)) & 15];
        switch (c) {
        case '0': c = 'g'; break;
        case '1': c = 'h'; break;
        case '3': c = 'k'; break;
        case 'a': c = 'm'; break;
        case 'e': c = 't'; break;
        default: break;
        }
        out[i] = c;
    }
    out[KR_HASH_LEN] = '\0';
}

/* A top-level field as the hasher's getNodeValues reads it: absent or null -> "", a scalar ->
 * its text, a map -> its JSON, a sequence -> null (it fails to decode into a map). */
static int put_field(kr_buf *b, const kr_node *doc, const char *name, kr_err *err)
{
    const kr_node *v = kr_map_get(doc, name);
    bool ok;
    if (kr_is_null(v))
        ok = kr_buf_puts(b, "\"\"");
    else if (v->kind == KR_SCALAR)
        ok = kr_json_put_string(b, v->u.text, v->len);
    else if (v->kind == KR_SEQ)
        ok = kr_buf_puts(b, "null");
    else
        return kr_json_put_node(b, v, err);
    return ok ? 0 : kr_err_nomem(err);
}

/* An optional map field (binaryData, stringData) goes in only when it is a map (or a
 * sequence, which decodes to a nil map). */
static bool has_map_field(const kr_node *doc, const char *name)
{
    const kr_node *v = kr_map_get(doc, name);
    return kr_is_map(v) || kr_is_seq(v);
}

/* Keys in bytewise order, as json.Marshal sorts them. */
int kr_hash_json(const kr_node *doc, kr_buf *out, kr_err *err)
{
    const char *kind = kr_map_get_str(doc, "kind");
    bool cm = kind && strcmp(kind, "ConfigMap") == 0, secret = kind && strcmp(kind, "Secret") == 0;
    if (!cm && !secret)
        return kr_err_set(err, KRENDER_E_UNSUPPORTED, NULL, doc->line, doc->col,
                          "cannot compute the name hash of a %s", kind ? kind : "resource");
    const char *opt = cm ? "binaryData" : "stringData";
    bool with_opt = has_map_field(doc, opt);
    int rc = 0;
    if (cm && with_opt && (!kr_buf_puts(out, "{\"binaryData\":") || (rc = put_field(out, doc, opt, err))))
        return rc ? rc : kr_err_nomem(err);
    if (!kr_buf_puts(out, cm && with_opt ? ",\"data\":" : "{\"data\":"))
        return kr_err_nomem(err);
    if ((rc = put_field(out, doc, "data", err)))
        return rc;
    if (!kr_buf_puts(out, cm ? ",\"kind\":\"ConfigMap\",\"name\":\"\""
                             : ",\"kind\":\"Secret\",\"name\":\"\""))
        return kr_err_nomem(err);
    if (secret && with_opt && (!kr_buf_puts(out, ",\"stringData\":") || (rc = put_field(out, doc, opt, err))))
        return rc ? rc : kr_err_nomem(err);
    if (secret && (!kr_buf_puts(out, ",\"type\":") || (rc = put_field(out, doc, "type", err))))
        return rc ? rc : kr_err_nomem(err);
    return kr_buf_putc(out, '}') ? 0 : kr_err_nomem(err);
}

int kr_hash_suffix(const kr_node *doc, char out[KR_HASH_LEN + 1], kr_err *err)
{
    kr_buf json = {0};
    int rc = kr_hash_json(doc, &json, err);
    if (!rc) {
        struct sha256_ctx ctx;
        uint8_t digest[SHA256_DIGEST_SIZE];
        sha256_init(&ctx);
        sha256_update(&ctx, json.len, (const uint8_t *)(json.len ? json.data : ""));
        sha256_digest(&ctx, sizeof digest, digest);
        kr_hash_encode(digest, out);
    }
    kr_buf_free(&json);
    return rc;
}

/* Appends "-<hash>" to metadata.name after recording the current id as a previous one, so
 * that name references can be pointed at the new name (§9). */
static int add_suffix(kr_render *r, kr_resource *res, const char *h)
{
    kr_node *meta = kr_map_get(res->node, "metadata");
    const char *name = kr_map_get_str(meta, "name");
    char *full = kr_arena_printf(r->arena, "%s-%s", name ? name : "", h);
    kr_node *v = full ? kr_node_str(r->arena, full) : NULL;
    if (!v || kr_resource_push_prev(r, res))
        return kr_err_nomem(r->err);
    if (!kr_is_map(meta)) {
        meta = kr_node_map(r->arena, 1);
        if (!meta || !kr_map_set(r->arena, res->node, "metadata", meta))
            return kr_err_nomem(r->err);
    }
    if (!kr_map_set(r->arena, meta, "name", v))
        return kr_err_nomem(r->err);
    return kr_resource_refresh_id(r, res);
}

typedef struct hash_job {
    kr_resource **res;                /* those that need a suffix */
    char (*suffix)[KR_HASH_LEN + 1]; /* theirs */
} hash_job;

/* The suffixes of [from, to): the encoding and SHA-256 read the resources and write nothing
 * else, so chunks of a big render run on two threads. */
static int hash_range(kr_render *r, size_t from, size_t to, void *arg)
{
    const hash_job *j = arg;
    for (size_t i = from; i < to; i++) {
        int rc = kr_hash_suffix(j->res[i]->node, j->suffix[i], r->err);
        if (rc) {
            if (!r->err->file && j->res[i]->file)
                r->err->file = strdup(j->res[i]->file);
            return rc;
        }
    }
    return 0;
}

int kr_add_hash_suffixes(kr_render *r, kr_accum *ra)
{
    size_t n = 0;
    for (size_t i = 0; i < ra->res.len; i++)
        n += ra->res.items[i]->needs_hash;
    if (!n)
        return 0;
    /* scratch of the stage: on the heap, not in the render's arena */
    hash_job j = {malloc(n * sizeof *j.res), malloc(n * sizeof *j.suffix)};
    if (!j.res || !j.suffix) {
        free(j.res);
        free(j.suffix);
        return kr_err_nomem(r->err);
    }
    for (size_t i = 0, k = 0; i < ra->res.len; i++)
        if (ra->res.items[i]->needs_hash)
            j.res[k++] = ra->res.items[i];
    int rc = kr_par_chunks(r, n, hash_range, &j);
    /* the renames intern the new names: on this thread, in order */
    for (size_t i = 0; !rc && i < n; i++)
        rc = add_suffix(r, j.res[i], j.suffix[i]);
    free(j.res);
    free(j.suffix);
    kr_resmap_ids_changed(&ra->res);
    return rc;
}
