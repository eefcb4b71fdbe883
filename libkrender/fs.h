/* The file-access layer: every question a render asks of a file system goes through here, and
 * is answered by the disk or, with options v4's `fs`, by the caller's callbacks (then no
 * file-system call is made at all).
 *
 *   kr_fs_resolve  what a path names (following links) and its symlink-free form
 *   kr_fs_open / kr_fs_read / kr_fs_close   the bytes of a file (jail applied)
 *   kr_fs_real     the symlink-free form of a path that is not part of the tree (roots)
 *
 * With the caller's fs there are no links: the symlink-free form of a path is the path made
 * absolute (relative to "/") and clean, and the jail is checked on it lexically.
 *
 * On the disk, answers are remembered for the render (a path is resolved once per render), and
 * resolving a file opens it without following any link (openat2 RESOLVE_NO_SYMLINKS, beneath
 * the jail's descriptor when there is one): the descriptor is kept for the kr_fs_open that
 * follows, so a file costs open + fstat + read + close. Paths holding a link take the slow path
 * (lstat, realpath). */
#ifndef KR_FS_H
#define KR_FS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "node.h"
#include "render.h"

enum kr_fs_kind {
    KR_FS_MISSING = 0,
    KR_FS_FILE = 1,  /* a regular file */
    KR_FS_DIR = 2,
    KR_FS_OTHER = 3 /* exists but is neither (FIFO, device ...) */
};

/* kr_fs_resolve hint: the path is probably a directory holding a kustomization (a `resources`
 * entry without a file extension, a component). Only the order of the probes depends on it. */
#define KR_FS_HINT_DIR 1u
/* kr_fs_resolve hint: a file the read-ahead thread never reads (prefetch.h: a generator's source,
 * a patch file ...), so not looked for among what it read: each look takes the lock the thread
 * takes for every file, and waiting for it cost the render more than the look saves. */
#define KR_FS_HINT_NOT_AHEAD 2u

/* What `path` names (*kind, following links) and its symlink-free absolute form (*real,
 * render arena). Returns 0, or an errno value (ENOENT ...) with *real NULL and *kind
 * KR_FS_MISSING. A relative path is relative to the working directory (to "/" with a caller
 * fs). Remembered for the render. */
int kr_fs_resolve(kr_render *r, const char *path, unsigned hints, char **real, int *kind);

/* The symlink-free absolute form of `path`, or NULL with errno set; not remembered (for the
 * build root and the jail root). */
char *kr_fs_real(kr_render *r, const char *path);

/* An open file of the render. */
typedef struct kr_fs_file {
    const char *path;
    size_t size;    /* its length */
    bool has_stamp; /* the disk: dev/ino/size/mtime identify this version of the file */
    uint64_t dev, ino;
    int64_t mtime_sec, mtime_nsec;
    /* private */
    int fd;
    const char *data; /* caller fs: its bytes, until kr_fs_close */
    size_t pos;       /* caller fs: what kr_fs_read gave so far */
    bool held;        /* caller fs: `release` is owed */
} kr_fs_file;

/* Opens the file at the symlink-free absolute path `real` (inside the jail when there is one).
 * Fails with r->err set: KRENDER_E_NOT_FOUND / KRENDER_E_IO ("open PATH: reason"),
 * KRENDER_E_SECURITY (outside the jail), KRENDER_E_IO ("'PATH' must resolve to a file"). */
int kr_fs_open(kr_render *r, const char *real, kr_fs_file *f);
/* Reads up to `cap` bytes from the start of the file (each call continues where the last one
 * stopped); *got < cap at its end. Fails with r->err set (KRENDER_E_IO). */
int kr_fs_read(kr_render *r, kr_fs_file *f, char *buf, size_t cap, size_t *got);
/* Closes it (the caller fs's `release`, once per successful read). */
void kr_fs_close(kr_render *r, kr_fs_file *f);

/* A view of the file system shared by the renders of one krender_build_many call (render.h's
 * `fsview`), on all its threads: each path is resolved once for all of them. */
typedef struct kr_fsview kr_fsview;
kr_fsview *kr_fsview_new(void);
void kr_fsview_free(kr_fsview *v);

/* For reading ahead (prefetch.h), from another thread than the render's: the descriptor of the
 * regular file or directory at clean absolute `abs` opened without following any link, beneath
 * the jail when there is one; -1 with errno otherwise (also where openat2 is missing). */
int kr_fs_open_nolinks(const kr_render *r, const char *abs);
/* Absolute without ".", ".." or "//" components nor a trailing "/". */
bool kr_fs_clean_abs(const char *p);
/* Its last component has a '.'. */
bool kr_fs_has_extension(const char *p);

/* Gives back the table of the paths the render resolved (once it reads no more files; a later
 * resolution asks the file system again). */
void kr_fs_drop_index(kr_render *r);
/* Releases what the render holds (a descriptor kept from resolving); call once at its end. */
void kr_fs_end(kr_render *r);

#endif
