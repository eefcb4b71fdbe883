/* Go encoding/json's text for the values kustomize's hasher marshals (pipeline.md §8): the
 * JSON that the content hash of a generated ConfigMap or Secret is computed over. */
#ifndef KR_JSONHASH_H
#define KR_JSONHASH_H
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "error.h"
#include "node.h"

/* A JSON string as json.Marshal writes it: quotes; \" \\ \n \r \t \b \f; other control
 * characters as \u00xx; < > & as \u003c \u003e \u0026; U+2028/U+2029 escaped; invalid UTF-8
 * bytes as \ufffd; everything else verbatim. Returns false when out of memory. */
bool kr_json_put_string(kr_buf *b, const char *s, size_t n);

/* A float64 as json.Marshal writes it: shortest round-trip digits, 'f' notation, 'e' notation
 * (exponent without a leading zero) below 1e-6 and from 1e21. f must be finite. */
bool kr_json_put_float(kr_buf *b, double f);

/* A YAML value as the hasher sees it after go-yaml v3 -> interface{} -> JSON -> interface{}
 * -> JSON: maps with keys sorted bytewise, numbers as float64, timestamps in RFC 3339.
 * Fails with KRENDER_E_VALUE (node position, no file) for .inf/.nan, which json.Marshal
 * refuses, and KRENDER_E_NOMEM. */
int kr_json_put_node(kr_buf *b, const kr_node *n, kr_err *err);

#endif
