#include "resid.h"

#include <string.h>
#include <xxhash.h>

#include "intern.h"

/* Interned strings are compared by pointer; the literals below never are. */
const char *kr_resid_effective_ns(const kr_resid *id)
{
    if (id->cluster_scoped)
        return "_non_namespaceable_";
    if (id->ns[0] == '\0' || strcmp(id->ns, "default") == 0)
        return "default";
    return id->ns;
}

static bool ns_equal(const kr_resid *a, const kr_resid *b)
{
    if (a->cluster_scoped || b->cluster_scoped)
        return a->cluster_scoped == b->cluster_scoped;
    return a->ns == b->ns || strcmp(kr_resid_effective_ns(a), kr_resid_effective_ns(b)) == 0;
}

bool kr_gvk_equal(const kr_resid *a, const kr_resid *b)
{
    return a->kind == b->kind && a->group == b->group && a->version == b->version;
}

bool kr_resid_equal(const kr_resid *a, const kr_resid *b)
{
    return kr_gvk_equal(a, b) && a->name == b->name && ns_equal(a, b);
}

uint64_t kr_resid_hash(const kr_resid *id)
{
    const char *ens = kr_resid_effective_ns(id);
    uint64_t parts[5] = {kr_intern_hash(id->group), kr_intern_hash(id->version),
                         kr_intern_hash(id->kind), kr_intern_hash(id->name),
                         XXH3_64bits(ens, strlen(ens))};
    return XXH3_64bits(parts, sizeof parts);
}

char *kr_gvk_string(kr_arena *a, const kr_resid *id)
{
    return kr_arena_printf(a, "%s.%s.%s", id->kind[0] ? id->kind : "[noKind]",
                           id->version[0] ? id->version : "[noVer]",
                           id->group[0] ? id->group : "[noGrp]");
}

char *kr_resid_string(kr_arena *a, const kr_resid *id)
{
    return kr_arena_printf(a, "%s.%s.%s/%s.%s", id->kind[0] ? id->kind : "[noKind]",
                           id->version[0] ? id->version : "[noVer]",
                           id->group[0] ? id->group : "[noGrp]",
                           id->name[0] ? id->name : "[noName]", id->ns[0] ? id->ns : "[noNs]");
}
