/* Files: reading through the context's cache (each file read and parsed once while it is
 * unchanged), finding kustomization files, the load restrictor and the jail. */
#ifndef KR_LOADER_H
#define KR_LOADER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node.h"
#include "render.h"

typedef struct kr_file {
    const char *path; /* symlink-free absolute path */
    const char *data; /* file bytes, NUL-terminated; NULL once dropped (kr_cache_drop_bytes) */
    size_t len;
    uint64_t hash; /* XXH3 of the bytes */
    bool pinned;   /* trees point into data (generator sources): never dropped */
    /* parsed forms, made on first use; they live in the cache: copy before mutating */
    kr_node **docs;
    size_t ndocs;
    bool docs_ready;
    uint32_t uses; /* renders that read its documents (the second one caches the parse) */
    uint64_t read_by; /* serial of the last render that recorded it as read */
    kr_node *kdoc;
    bool kdoc_ready;
} kr_file;

/* The cache lives as long as its context. A file that changed on disk (inode, size or mtime)
 * is read again and re-parsed only if its content hash changed; the old version's memory is
 * kept until the context is freed. Files of a caller fs (options v4) are keyed apart from the
 * disk's and, having no stamp, read on every render: their parse is reused when the bytes'
 * hash matches. Within one render a file is read once (one version per render). */
int kr_cache_new(kr_cache **out);
void kr_cache_free(kr_cache *c);
/* The files read by any thread of one krender_build_many call: path, hash and length of the
 * version the call saw. A thread checking a base result that another thread stored (subbuild.h)
 * takes them from here instead of reading each file again. */
typedef struct kr_callfiles kr_callfiles;
kr_callfiles *kr_callfiles_new(void); /* NULL without memory: the call reads as before */
void kr_callfiles_free(kr_callfiles *c);
/* Whether the file at real (a symlink-free absolute path) is, as r's call saw it, the version
 * (hash, len): 1 when it is (recorded as read by the render, as kr_load_file records it), 0
 * when the call saw another version, -1 when the call has not read it (kr_load_file then) or
 * recording it failed (r->err set: no memory). */
int kr_file_matches(kr_render *r, const char *real, uint64_t hash, size_t len);

/* The cache's memory (lives as long as the context) and its table of inline texts' parses
 * (textparse.h). */
kr_arena *kr_cache_arena(kr_cache *c);
struct kr_textparses **kr_cache_textparses(kr_cache *c);
/* The cache takes arena a and frees it with itself (prefetch.h: the files read ahead in a
 * context's first render). */
void kr_cache_adopt(kr_cache *c, kr_arena *a);

/* At the end of a build's accumulation, which reads no file after it: frees the bytes of the
 * files this render read (not pinned ones), the parses being kept. A later render that loads
 * such a file reads its bytes again. Not within krender_build_many (its renders share one
 * view of the files), nor for renders that read little. It may run on another thread while the
 * render goes on, as long as the render reads no file and loads nothing meanwhile (build.c). */
void kr_cache_drop_bytes(kr_render *r);

/* Reads the file at the symlink-free absolute path `real` (cached), through fs.h. */
int kr_load_file(kr_render *r, const char *real, kr_file **out);
/* The same for a file the read-ahead thread never reads (KR_FS_HINT_NOT_AHEAD). */
int kr_load_file_not_ahead(kr_render *r, const char *real, kr_file **out);
/* Its resource documents (pipeline.md §2.1-2.3), parsed once. Borrowed: copy before mutating. */
int kr_file_docs(kr_render *r, kr_file *f, kr_node ***docs, size_t *ndocs);
/* Its first YAML document read as a kustomization (YAML 1.1 rules); NULL when empty. */
int kr_file_kustomization(kr_render *r, kr_file *f, kr_node **doc);

/* The kustomization file of directory `dir` (symlink-free absolute), or an error naming the
 * three accepted names (none) or "Found multiple kustomization files" (several). A name counts
 * when it exists (following links), whatever it is. */
int kr_find_kustomization(kr_render *r, const char *dir, char **path);

/* The symlink-free form of absolute path abs (NULL with errno set when it does not exist):
 * kr_fs_resolve for callers that need no kind. */
char *kr_real_path(kr_render *r, const char *abs);

/* Jail (opts.jail_root): fails with KRENDER_E_SECURITY if real lies outside it. */
int kr_check_jail(kr_render *r, const char *real, const char *file, unsigned line, unsigned col);

#endif
