/* The content hash kustomize appends to generated ConfigMap and Secret names (pipeline.md §8). */
#ifndef KR_HASH_H
#define KR_HASH_H
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "node.h"

#define KR_HASH_LEN 10

/* The first 10 hex digits of a SHA-256 digest with kustomize's letter substitution
 * (0->g 1->h 3->k a->m e->t); out gets KR_HASH_LEN chars and a NUL. */
void kr_hash_encode(const uint8_t digest[32], char out[KR_HASH_LEN + 1]);

/* Appends the JSON kustomize hashes for a ConfigMap or Secret document. Other kinds fail with
 * KRENDER_E_UNSUPPORTED (kustomize hashes a dump of its internal node struct). */
int kr_hash_json(const kr_node *doc, kr_buf *out, kr_err *err);

/* The suffix for doc: kr_hash_encode(SHA-256(kr_hash_json(doc))). */
int kr_hash_suffix(const kr_node *doc, char out[KR_HASH_LEN + 1], kr_err *err);

#endif
