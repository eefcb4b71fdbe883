/* node tree -> compact JSON (the values kustomize would print, keys in its output order). */
#ifndef KR_EMIT_JSON_H
#define KR_EMIT_JSON_H
#include "buf.h"
#include "error.h"
#include "node.h"

/* Appends doc as one JSON value; out is unchanged on failure. */
int kr_emit_json(const kr_node *doc, kr_buf *out, kr_err *err);

#endif
