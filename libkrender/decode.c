#include "decode.h"

#include <string.h>
#include <strings.h>

const char *kr_json_type(const kr_node *n)
{
    if (n->kind == KR_MAP)
        return "object";
    if (n->kind == KR_SEQ)
        return "array";
    switch (n->type) {
    case KR_T_BOOL:
        return "bool";
    case KR_T_INT:
    case KR_T_FLOAT:
        return "number";
    default:
        return "string";
    }
}

static bool is_json_string(const kr_node *n)
{
    return n->kind == KR_SCALAR && (n->type == KR_T_STR || n->type == KR_T_TIMESTAMP);
}

int kr_dec_type_error(const kr_decoder *d, const kr_node *n, const char *field,
                      const char *gotype)
{
    return kr_err_set(d->r->err, KRENDER_E_KUSTOMIZATION, d->file, n->line, n->col,
                      "%s: json: cannot unmarshal %s into Go struct field %s of type %s",
                      d->prefix, kr_json_type(n), field, gotype);
}

int kr_dec_unknown_field(const kr_decoder *d, const kr_node *key)
{
    return kr_err_set(d->r->err, KRENDER_E_KUSTOMIZATION, d->file, key->line, key->col,
                      "%s: json: unknown field \"%s\"", d->prefix, key->u.text);
}

int kr_dec_string(const kr_decoder *d, const kr_node *n, const char *field)
{
    return kr_is_null(n) || is_json_string(n) ? 0 : kr_dec_type_error(d, n, field, "string");
}

int kr_dec_bool(const kr_decoder *d, const kr_node *n, const char *field)
{
    return kr_is_null(n) || (n->kind == KR_SCALAR && n->type == KR_T_BOOL)
               ? 0
               : kr_dec_type_error(d, n, field, "bool");
}

int kr_dec_int(const kr_decoder *d, const kr_node *n, const char *field)
{
    return kr_is_null(n) || (n->kind == KR_SCALAR && n->type == KR_T_INT)
               ? 0
               : kr_dec_type_error(d, n, field, "int64");
}

int kr_dec_strlist(const kr_decoder *d, const kr_node *n, const char *field, const char *gotype)
{
    if (kr_is_null(n))
        return 0;
    if (n->kind != KR_SEQ)
        return kr_dec_type_error(d, n, field, gotype);
    for (uint32_t i = 0; i < n->len; i++)
        if (kr_dec_string(d, n->u.items[i], field))
            return d->r->err->code;
    return 0;
}

int kr_dec_strmap(const kr_decoder *d, const kr_node *n, const char *field)
{
    if (kr_is_null(n))
        return 0;
    if (n->kind != KR_MAP)
        return kr_dec_type_error(d, n, field, "map[string]string");
    for (uint32_t i = 0; i < n->len; i++)
        if (kr_dec_string(d, n->u.pairs[i].value, field))
            return d->r->err->code;
    return 0;
}

int kr_dec_match_key(const char *key, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, names[i]) == 0)
            return (int)i;
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(key, names[i]) == 0)
            return (int)i;
    return -1;
}

int kr_dec_object_ex(const kr_decoder *d, const kr_node *n, const char *const *names,
                     size_t count, kr_node **values, const char *gotype, const char *field,
                     bool strict)
{
    for (size_t i = 0; i < count; i++)
        values[i] = NULL;
    if (kr_is_null(n))
        return 0;
    if (n->kind != KR_MAP)
        return kr_dec_type_error(d, n, field, gotype);
    for (uint32_t i = 0; i < n->len; i++) {
        int k = kr_dec_match_key(n->u.pairs[i].key->u.text, names, count);
        if (k < 0 && strict)
            return kr_dec_unknown_field(d, n->u.pairs[i].key);
        if (k >= 0)
            values[k] = kr_is_null(n->u.pairs[i].value) ? NULL : n->u.pairs[i].value;
    }
    return 0;
}

int kr_dec_object(const kr_decoder *d, const kr_node *n, const char *const *names, size_t count,
                  kr_node **values, const char *gotype, const char *field)
{
    return kr_dec_object_ex(d, n, names, count, values, gotype, field, true);
}

void kr_strlist_of(const kr_node *n, kr_strlist *out)
{
    *out = (kr_strlist){0};
    if (kr_is_seq(n)) {
        out->items = n->u.items;
        out->n = n->len;
    }
}

const char *kr_dec_text(const kr_node *n)
{
    return kr_is_scalar(n) && n->type != KR_T_NULL ? n->u.text : "";
}

bool kr_dec_true(const kr_node *n)
{
    if (!kr_is_scalar(n) || n->type != KR_T_BOOL)
        return false;
    /* the text already resolved to a bool, so only its truth is left to read */
    const char *t = n->u.text;
    return strcasecmp(t, "true") == 0 || strcasecmp(t, "yes") == 0 || strcasecmp(t, "y") == 0 ||
           strcasecmp(t, "on") == 0;
}
