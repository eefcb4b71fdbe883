/* Field specs (spec/fieldspecs/README.md): which fields of which kinds a transformer touches,
 * the path walker every transformer shares, and the transformer configuration (kustomize's
 * defaults, embedded from data/fieldspecs/defaultconfig.yaml, merged with `configurations:`). */
#ifndef KR_FIELDSPEC_H
#define KR_FIELDSPEC_H
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "node.h"
#include "resource.h"

typedef struct kr_fieldspec {
    const char *group, *version, *kind; /* "" = any */
    const char *path;                   /* as written, e.g. "spec/template/metadata/labels" */
    const char **elems;                 /* path split on unescaped '/'; may end in "[]" */
    uint32_t nelems;
    bool create;
} kr_fieldspec;

typedef struct kr_fslist {
    kr_fieldspec *v;
    size_t n, cap;
} kr_fslist;

/* A nameReference entry: the referral target's gvk and the fields that refer to it. */
typedef struct kr_nameref {
    const char *group, *version, *kind;
    kr_fslist referrers;
} kr_nameref;

typedef enum {
    KR_FS_NAME_PREFIX,
    KR_FS_NAME_SUFFIX,
    KR_FS_COMMON_LABELS,
    KR_FS_TEMPLATE_LABELS,
    KR_FS_LABELS,
    KR_FS_COMMON_ANNOTATIONS,
    KR_FS_NAMESPACE,
    KR_FS_VAR_REFERENCE,
    KR_FS_IMAGES,
    KR_FS_REPLICAS,
    KR_FS_COUNT
} kr_fs_kind;

/* A TransformerConfig. All memory in the arena it was made in. */
typedef struct kr_tconfig {
    kr_fslist lists[KR_FS_COUNT];
    kr_nameref *nameref;
    size_t nnameref, nameref_cap;
    bool loaded; /* holds at least kustomize's defaults (every loaded config does) */
    bool custom; /* holds more than the defaults: merges must really merge */
    bool shared; /* its arrays belong to another config (the context's defaults): copied
                    before anything is merged into it */
} kr_tconfig;

/* The YAML key of a list ("namePrefix", ...). */
const char *kr_fs_kind_name(kr_fs_kind k);

/* Decodes a TransformerConfig document (a `configurations:` file, or the embedded defaults)
 * strictly: unknown keys are errors. Lists are sorted as kustomize sorts them. */
int kr_tconfig_parse(kr_arena *a, const kr_node *doc, const char *file, kr_tconfig *out,
                     kr_err *err);
/* One field spec of kustomize's defaults, compiled in at build time (tools/gen_defaults.py):
 * list < KR_FS_COUNT names a field-spec list; list == KR_FS_COUNT is a nameReference referrer
 * of the target t*. */
typedef struct kr_default_row {
    int list;
    const char *tgroup, *tversion, *tkind;
    const char *group, *version, *kind, *path;
    bool create;
} kr_default_row;
extern const kr_default_row kr_default_rows[];
extern const size_t kr_default_rows_len;

/* kustomize's defaults (from the compiled-in rows, sorted and deduplicated as kustomize does):
 * the tables tools/gen_tconfig.c made at build time with kr_tconfig_compute_defaults (then
 * nothing is allocated: the lists are shared, and copied by the first merge into them). */
int kr_tconfig_defaults(kr_arena *a, kr_tconfig *out, kr_err *err);
/* The work itself, from the rows. */
int kr_tconfig_compute_defaults(kr_arena *a, kr_tconfig *out, kr_err *err);
/* The tables (tconfig_table.c, generated), or NULL in the generator itself. */
const kr_tconfig *kr_tconfig_precomputed(void);
/* Deep copy into arena a (lists may then grow independently). */
int kr_tconfig_copy(kr_arena *a, kr_tconfig *dst, const kr_tconfig *src, kr_err *err);
/* dst += src with kustomize's rules: a spec whose path equals an existing one's and whose gvk
 * selects it is a duplicate (dropped; an error "conflicting fieldspecs" if `create` differs);
 * nameReference targets with equal gvk merge their referrers. Merging the plain defaults into
 * a loaded config is a no-op, so a tree of hundreds of kustomizations pays nothing for it. */
int kr_tconfig_merge(kr_arena *a, kr_tconfig *dst, const kr_tconfig *src, kr_err *err);

/* Parses one FieldSpec map ({group, version, kind, path, create}); `what` names it in errors. */
int kr_fieldspec_parse(kr_arena *a, const kr_node *n, const char *file, kr_fieldspec *out,
                       kr_err *err);
int kr_fslist_append(kr_arena *a, kr_fslist *l, const kr_fieldspec *fs);
/* A spec from its parts (strings kept, path split); 0 or KRENDER_E_NOMEM. */
int kr_fieldspec_make(kr_arena *a, const char *group, const char *version, const char *kind,
                      const char *path, bool create, kr_fieldspec *out);
/* kustomize's FsSlice.MergeAll: dst += src, dropping duplicates as kr_tconfig_merge does.
 * Returns 0, KRENDER_E_NOMEM, or KR_FS_CONFLICT ("conflicting fieldspecs"; the caller words
 * the error). */
#define KR_FS_CONFLICT (-1)
int kr_fslist_merge(kr_arena *a, kr_fslist *dst, const kr_fslist *src);

/* True when every non-empty gvk field of fs equals the given one. */
bool kr_fs_selects(const kr_fieldspec *fs, const char *group, const char *version,
                   const char *kind);

/* Called for each node found at the end of a path. The node may be a fresh one of the kind the
 * walk creates, or an existing node (possibly null) the setter converts in place. */
typedef int (*kr_fs_setter)(kr_render *r, kr_resource *res, kr_node *node, void *arg);

/* Walks fs's path in res (gvk NOT checked: callers decide whether current or original ids
 * select), visiting every element of sequences met on the way. create_kind: 0 = never create,
 * else the node kind to create for a missing last element (KR_MAP / KR_SCALAR / KR_SEQ) when
 * fs->create; missing intermediate elements become maps. A scalar met before the path's end is
 * the error "expected sequence or mapping node". Any error, the setter's included, comes back
 * wrapped as kustomize wraps it: "considering field '<path>' of object <id>: ..." (setters set
 * only their own message). */
int kr_fs_walk(kr_render *r, kr_resource *res, const kr_fieldspec *fs, int create_kind,
               kr_fs_setter set, void *arg);

#endif
