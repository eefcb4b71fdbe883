/* Decoding shared by the field-spec driven transformers (xf_fields.h). */
#include "xf_fields.h"

#include <stdio.h>
#include <string.h>

#include "jsonvalue.h"
#include "render.h"

/* One FieldSpec map; Go names its gvk fields through the embedded Gvk struct. */
static int decode_spec(const kr_decoder *d, const kr_node *n, const char *path, bool strict,
                       kr_fieldspec *out)
{
    static const char *const names[] = {"group", "version", "kind", "path", "create"};
    static const char *const go[] = {"Gvk.group", "Gvk.version", "Gvk.kind", "path", "create"};
    char field[256];
    kr_node *v[5];
    if (kr_dec_object_ex(d, n, names, 5, v, "types.FieldSpec", path, strict))
        return d->r->err->code;
    const char *str[4];
    for (int i = 0; i < 5; i++) {
        snprintf(field, sizeof field, "FieldSpec.%s.%s", path, go[i]);
        if (i < 4 ? kr_xf_dec_str(d, v[i], field, strict, &str[i])
                  : kr_dec_bool(d, v[i], field))
            return d->r->err->code;
    }
    if (kr_fieldspec_make(d->r->arena, str[0], str[1], str[2], str[3], kr_dec_true(v[4]), out))
        return kr_err_nomem(d->r->err);
    return 0;
}

int kr_fslist_decode(const kr_decoder *d, const kr_node *n, const char *owner, const char *path,
                     bool strict, kr_fslist *out)
{
    char field[256];
    snprintf(field, sizeof field, "%s.%s", owner, path);
    if (kr_is_null(n))
        return 0;
    if (n->kind != KR_SEQ)
        return kr_dec_type_error(d, n, field, "[]types.FieldSpec");
    for (uint32_t i = 0; i < n->len; i++) {
        const kr_node *item = n->u.items[i];
        kr_fieldspec fs;
        if (!kr_is_null(item) && item->kind != KR_MAP)
            return kr_dec_type_error(d, item, field, "types.FieldSpec");
        if (decode_spec(d, item, path, strict, &fs))
            return d->r->err->code;
        if (kr_fslist_append(d->r->arena, out, &fs))
            return kr_err_nomem(d->r->err);
    }
    return 0;
}

int kr_xf_wrong_kind(kr_render *r, const kr_resource *res, const kr_node *n, const char *want)
{
    if (n->kind == KR_SCALAR)
        return kr_err_set(r->err, KRENDER_E_RESOURCE, res->file, n->line, n->col,
                          "wrong node kind: expected %s but got %s: node contents:\n%s", want,
                          kr_node_kind_name(n), n->u.text);
    return kr_err_set(r->err, KRENDER_E_RESOURCE, res->file, n->line, n->col,
                      "wrong node kind: expected %s but got %s", want, kr_node_kind_name(n));
}

int kr_xf_dec_str(const kr_decoder *d, const kr_node *n, const char *field, bool strict,
                  const char **out)
{
    *out = "";
    if (kr_is_null(n))
        return 0;
    if (strict || n->kind != KR_SCALAR)
        return kr_dec_string(d, n, field) ? d->r->err->code : (*out = n->u.text, 0);
    /* a plugin config reaches kustomize through JSON: scalars in their JSON spelling */
    char num[KR_JSON_NUMBUF];
    kr_buf scratch = {0};
    kr_jscalar js;
    int rc = kr_json_scalar(n, num, &scratch, &js, d->r->err);
    if (rc) {
        kr_buf_free(&scratch);
        return rc;
    }
    char *copy = kr_arena_alloc(d->r->arena, js.len + 1);
    if (copy) {
        memcpy(copy, js.text, js.len);
        copy[js.len] = '\0';
        *out = copy;
    }
    kr_buf_free(&scratch);
    return copy ? 0 : kr_err_nomem(d->r->err);
}
