/* Reading ahead on a second thread. A render allowed more than one thread (options v5
 * `threads`) on the disk starts one that walks the same kustomization tree in the order the
 * render will: each kustomization file, then its `resources` (and `bases`) and `components`,
 * depth first. It reads and parses what it finds, and the render takes it instead of reading
 * and parsing the file itself: its resolve, open, read and parse become a table lookup. The
 * render decides everything as before (restrictions, errors, which kustomization file counts);
 * whatever the thread did not get to, or got differently, the render does itself. When the
 * render met files the kernel had not cached before the thread started, the thread first reads
 * the kustomizations breadth first, asking the kernel for their files in bursts (prefetch.c).
 *
 * The thread never reads what the render would not: it opens only clean absolute paths, without
 * following any link (openat2 RESOLVE_NO_SYMLINKS), beneath the jail when there is one, and
 * under LoadRestrictionsRootOnly only files below their kustomization's directory; a file larger
 * than max_file_bytes is left alone. */
#ifndef KR_PREFETCH_H
#define KR_PREFETCH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node.h"
#include "render.h"

typedef struct kr_prefetch kr_prefetch;

/* A file the thread read: its bytes and stamp, and its parse. */
typedef struct kr_pf_file {
    const char *data; /* malloc'd; the loader takes it (kr_prefetch_take_bytes), else it is
                       * freed when the thread stops */
    size_t len;
    uint64_t hash; /* XXH3 of data */
    size_t size; /* the stamp: fstat's size, dev, ino, mtime */
    uint64_t dev, ino;
    int64_t mtime_sec, mtime_nsec;
    bool parsed;     /* as a kustomization (kdoc) or as a resource file (docs) */
    bool stream;     /* read as a resource file */
    bool top;        /* a patch text's stream: its first document is in the first chunk */
    kr_node *kdoc;   /* a kustomization file: its document */
    kr_node **docs;  /* a resource file: its documents */
    size_t ndocs;
} kr_pf_file;

/* A render starts the thread when it has read this many files: a small render (most roots)
 * is over before a thread would pay for itself (measured: a 15-file overlay costs 40% more CPU
 * with one). The thread starts from the root and catches up with the render. */
#define KR_PREFETCH_AFTER_FILES 48

/* Starts the thread when the render may use one (r->read_ahead, options threads > 1, the disk);
 * r->prefetch stays NULL otherwise, also when it cannot start: the render then does without. */
void kr_prefetch_start(kr_render *r);
/* Stops the thread (it may be mid-walk) and, in a context's first render, gives the bytes and
 * kustomization documents to the file cache. The render may still use what it took (the
 * documents of resource files) until kr_prefetch_free. */
void kr_prefetch_stop(kr_render *r);
void kr_prefetch_free(kr_render *r);

/* The file the thread read at `real` (a symlink-free absolute path), waiting while it is being
 * read; NULL when the thread does not have it, and from then on never will (the render reads it
 * itself). Then *missing (when not NULL) is ENOENT or ENOTDIR if the thread found that nothing
 * exists at `real`, else 0. */
const kr_pf_file *kr_prefetch_get(kr_render *r, const char *real, int *missing);

/* The file the thread parsed at `path` when it is this version (hash and length) and was
 * parsed the way asked (a resource file's documents: stream; else as a kustomization). */
const kr_pf_file *kr_prefetch_parse_of(kr_render *r, const char *path, uint64_t hash,
                                       size_t len, bool stream);

/* How the patch step first reads a patch text (xf_patch.c): as a stream of documents, or as
 * one document in YAML 1.1 or 1.2. */
typedef enum { KR_PF_TEXT_STREAM, KR_PF_TEXT_DOC11, KR_PF_TEXT_DOC12 } kr_pf_reading;

/* A JSON patch text's reading: in json6902.c's mode (kr_jp_mode). */
kr_pf_reading kr_prefetch_jp_reading(const char *text, size_t len);

/* The thread's parse of text read that way (the `patches` of a kustomization, inline or in
 * files: the thread parses them after its resources, as the render will), when it parsed
 * these very bytes (hash and length): docs, ndocs and top for a stream, kdoc for a document.
 * They are to be read, never changed, and only until kr_prefetch_stop (the end of the
 * accumulation), which frees them: nothing may keep pointers into them. NULL when the thread
 * has none, and from then on it leaves that text to the render. */
const kr_pf_file *kr_prefetch_text(kr_render *r, kr_pf_reading reading, const char *text,
                                   size_t len);

/* The bytes of pf (from kr_prefetch_get), now the caller's to free; NULL when already taken. */
char *kr_prefetch_take_bytes(kr_render *r, const kr_pf_file *pf);

/* Whether the cache may keep pointers to the kustomization documents the thread parsed: in a
 * context's first render it takes that memory over at the end; otherwise it copies them. */
bool kr_prefetch_lends(const kr_render *r);

#endif
