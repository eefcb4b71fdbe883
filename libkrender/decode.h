/* Strict decoding of YAML config nodes with Go encoding/json's rules (what kustomize does for
 * kustomization files and plugin configs): unknown keys rejected, keys matched exactly first
 * then case-insensitively, no implicit type conversions. Every error carries the file and the
 * offending node's line and column. */
#ifndef KR_DECODE_H
#define KR_DECODE_H
#include <stdbool.h>
#include <stddef.h>

#include "node.h"
#include "render.h"

typedef struct kr_decoder {
    kr_render *r;
    const char *file;   /* for error positions */
    const char *prefix; /* message prefix, e.g. "invalid Kustomization" */
} kr_decoder;

typedef struct kr_strlist {
    kr_node **items; /* string scalars, positions kept */
    size_t n;
} kr_strlist;

/* "object", "array", "bool", "number" or "string", as Go names the JSON type. */
const char *kr_json_type(const kr_node *n);
/* `json: cannot unmarshal <type> into Go struct field <field> of type <gotype>` */
int kr_dec_type_error(const kr_decoder *d, const kr_node *n, const char *field,
                      const char *gotype);
int kr_dec_unknown_field(const kr_decoder *d, const kr_node *key);
/* Each accepts NULL / null (Go's zero value). */
int kr_dec_string(const kr_decoder *d, const kr_node *n, const char *field);
int kr_dec_bool(const kr_decoder *d, const kr_node *n, const char *field);
int kr_dec_int(const kr_decoder *d, const kr_node *n, const char *field);
int kr_dec_strlist(const kr_decoder *d, const kr_node *n, const char *field, const char *gotype);
int kr_dec_strmap(const kr_decoder *d, const kr_node *n, const char *field);
/* An object with the given keys: values[i] receives the value of names[i] (NULL if absent or
 * null); any other key is an unknown-field error. */
int kr_dec_object(const kr_decoder *d, const kr_node *n, const char *const *names, size_t count,
                  kr_node **values, const char *gotype, const char *field);
/* The same; with strict false, unknown keys are ignored (plugin configs, which kustomize reads
 * through sigs.k8s.io/yaml). */
int kr_dec_object_ex(const kr_decoder *d, const kr_node *n, const char *const *names,
                     size_t count, kr_node **values, const char *gotype, const char *field,
                     bool strict);
/* Index of key in names (exact, then case-insensitive), or -1. */
int kr_dec_match_key(const char *key, const char *const *names, size_t n);
/* The items of a sequence node (empty for NULL / null). */
void kr_strlist_of(const kr_node *n, kr_strlist *out);
/* Scalar text or "" for NULL / null. */
const char *kr_dec_text(const kr_node *n);
/* Bool value (false for NULL / null). */
bool kr_dec_true(const kr_node *n);

#endif
