/* node tree -> the exact bytes kustomize v5.6.0 prints for one resource (pipeline.md §14):
 * the JSON round trip of values, go-yaml v2 key order and scalar styles, written by
 * emit_direct.c when the document allows (nearly always), else by libyaml's emitter. */
#ifndef KR_EMIT_H
#define KR_EMIT_H
#include "buf.h"
#include "error.h"
#include "node.h"

/* Appends one document (no "---" separator; ends with "\n") to out. A value that cannot pass
 * the JSON round trip (.inf, .nan) fails with KRENDER_E_VALUE and the node's line/column
 * (file left NULL for the caller to fill). out is unchanged on failure. */
int kr_emit_document(const kr_node *doc, kr_buf *out, kr_err *err);

/* The two writers kr_emit_document chooses from, for tests: the direct writer alone (returns
 * KR_EMIT_NOT_DIRECT, out unchanged, for a document it leaves to libyaml) and libyaml's. */
#define KR_EMIT_NOT_DIRECT (-1)
int kr_emit_document_direct(const kr_node *doc, kr_buf *out, kr_err *err);
int kr_emit_document_libyaml(const kr_node *doc, kr_buf *out, kr_err *err);

#endif
