/* `openapi:` (kustomization.md §2): the schema strategic merges use. kustomize keeps it in a
 * global that the first kustomization setting it decides (top level first, then in visiting
 * order); here it is per render. */
#include "transformers.h"

#include <string.h>

#include "decode.h"
#include "loader.h"
#include "parse.h"
#include "patch.h"

int kr_apply_openapi(kr_render *r, const kr_kustomization *k)
{
    const kr_node *o = k->fields[KF_OPENAPI];
    if (!o || !o->len || r->schema_chosen)
        return 0;
    const kr_node *path = kr_map_get(o, "path"), *version = kr_map_get(o, "version");
    const kr_node *key = k->keys[KF_OPENAPI];
    if (path && version)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, k->path, key->line, key->col,
                          "builtin version and custom schema provided, cannot use both");
    if (version && strcmp(kr_dec_text(version), "v1.21.2") != 0)
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, k->path, version->line, version->col,
                          "the specified OpenAPI version is not built in");
    r->schema_chosen = true;
    if (!path)
        return 0; /* the built-in schema */
    kr_file *f;
    kr_node *doc;
    kr_smp_schema *s;
    int rc = kr_load_kfile(r, k, path, &f);
    if (!rc)
        rc = kr_parse_document(kr_render_life(r), f->path, f->data, f->len, KR_YAML_11, &doc,
                               r->err);
    if (!rc) /* kept by the render for every later kustomization */
        rc = kr_smp_schema_from_swagger(kr_render_life(r), doc, f->path, kr_smp_schema_builtin(),
                                        &s, r->err);
    if (!rc)
        r->smp_custom = s;
    return rc;
}
