#include "scope.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "embedded.h"
#include "parse.h"

int kr_scope_new(kr_scope **out, kr_err *err)
{
    const kr_scope *pre = kr_scope_precomputed();
    if (pre) { /* never written to nor freed (its arena is NULL) */
        *out = (kr_scope *)pre;
        return 0;
    }
    kr_scope *s = calloc(1, sizeof *s);
    if (!s || !(s->arena = kr_arena_new())) {
        free(s);
        return kr_err_nomem(err);
    }
    kr_node *doc = NULL;
    int rc = kr_parse_document(s->arena, "<embedded cluster-scoped.yaml>",
                               (const char *)kr_data_cluster_scoped, kr_data_cluster_scoped_len,
                               KR_YAML_12, &doc, err);
    kr_node *list = rc == 0 ? kr_map_get(doc, "clusterScoped") : NULL;
    if (rc == 0 && !kr_is_seq(list))
        rc = kr_err_set(err, KRENDER_E_INTERNAL, NULL, 0, 0, "embedded cluster-scope table is malformed");
    if (rc == 0) {
        s->api_versions = kr_arena_alloc(s->arena, (list->len + 1) * sizeof(char *));
        s->kinds = kr_arena_alloc(s->arena, (list->len + 1) * sizeof(char *));
        if (!s->api_versions || !s->kinds)
            rc = kr_err_nomem(err);
    }
    for (uint32_t i = 0; rc == 0 && i < list->len; i++) {
        const kr_node *item = list->u.items[i];
        const char *sp = kr_is_scalar(item) ? strchr(item->u.text, ' ') : NULL;
        if (!sp) {
            rc = kr_err_set(err, KRENDER_E_INTERNAL, NULL, 0, 0, "embedded cluster-scope entry malformed");
            break;
        }
        s->api_versions[s->n] = kr_arena_strndup(s->arena, item->u.text, (size_t)(sp - item->u.text));
        s->kinds[s->n] = sp + 1;
        s->n++;
    }
    if (rc == 0 && list->len >= KR_SCOPE_SLOTS / 2)
        rc = kr_err_set(err, KRENDER_E_INTERNAL, NULL, 0, 0, "embedded cluster-scope table too large");
    if (rc == 0 && !(s->hashes = kr_arena_alloc(s->arena, (s->n + 1) * sizeof *s->hashes)))
        rc = kr_err_nomem(err);
    for (size_t i = 0; rc == 0 && i < s->n; i++) {
        uint64_t h = s->hashes[i] = XXH3_64bits(s->kinds[i], strlen(s->kinds[i]));
        size_t j = (size_t)h & (KR_SCOPE_SLOTS - 1);
        while (s->slot[j])
            j = (j + 1) & (KR_SCOPE_SLOTS - 1);
        s->slot[j] = (uint16_t)(i + 1);
    }
    if (rc) {
        kr_scope_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void kr_scope_free(kr_scope *s)
{
    if (!s || !s->arena) /* none, or the table compiled in */
        return;
    kr_arena_free(s->arena);
    free(s);
}

bool kr_scope_is_cluster_hashed(const kr_scope *s, const char *api_version, const char *kind,
                                uint64_t kind_hash)
{
    const size_t mask = KR_SCOPE_SLOTS - 1;
    for (size_t j = (size_t)kind_hash & mask; s->slot[j]; j = (j + 1) & mask) {
        size_t i = s->slot[j] - 1u;
        if (s->hashes[i] == kind_hash && strcmp(s->kinds[i], kind) == 0 &&
            strcmp(s->api_versions[i], api_version) == 0)
            return true;
    }
    return false;
}

bool kr_scope_is_cluster(const kr_scope *s, const char *api_version, const char *kind)
{
    return kr_scope_is_cluster_hashed(s, api_version, kind, XXH3_64bits(kind, strlen(kind)));
}
