/* `kustomize edit` on a kustomization file: the commands Argo CD runs for its overrides, and
 * kustfile's way of writing the result back (kustomize v5.6.0,
 * kustomize/commands/internal/kustfile): the fields of the file in their original order with
 * the comments above them, new fields after them in kustomize's preferred order, each field
 * marshalled on its own through the Go types (gotypes.h). */
#ifndef KR_KEDIT_H
#define KR_KEDIT_H
#include <stddef.h>

#include "buf.h"
#include "node.h"
#include "render.h"

/* Applies edits[0..n) to the kustomization text data[0..len) of file `path` in directory `dir`
 * (both symlink-free absolute) and appends the file kustomize would write to out. Errors:
 * KRENDER_E_INVALID_ARG for a command kustomize would refuse (with its message),
 * KRENDER_E_KUSTOMIZATION / KRENDER_E_YAML for a file it cannot read, KRENDER_E_NOT_FOUND for
 * a component path that matches nothing. */
int kr_kedit_apply(kr_render *r, const char *path, const char *dir, const char *data,
                   size_t len, const krender_edit *edits, size_t n, kr_buf *out);

/* The same on the root kustomization of the render (r->root_real). */
int kr_kedit_root(kr_render *r, const krender_edit *edits, size_t n, kr_buf *out);

#endif
