/* Lexical path helpers (Go's filepath.Clean/Join semantics); symlinks are fs.h's. */
#ifndef KR_PATH_H
#define KR_PATH_H
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

/* Lexically cleaned copy of p: no "//", "/./", "x/..", trailing "/". "" -> ".". */
char *kr_path_clean(kr_arena *a, const char *p);
/* clean(dir + "/" + rel); rel absolute -> clean(rel). */
char *kr_path_join(kr_arena *a, const char *dir, const char *rel);
/* The same into out (cap bytes, joined length + 2 needed); false when it does not fit. */
bool kr_path_join_buf(char *out, size_t cap, const char *dir, const char *rel);
/* True if p equals root or lies below it (both clean and absolute). */
bool kr_path_within(const char *p, const char *root);
/* Directory part of a clean path ("/a/b" -> "/a"). */
char *kr_path_dir(kr_arena *a, const char *p);
/* p relative to base when p lies within base, else p itself. */
const char *kr_path_rel(const char *p, const char *base);



/* Relative path from directory `base` to `p` (both clean absolute), e.g. "../base/x.yaml". */
char *kr_path_relto(kr_arena *a, const char *base, const char *p);
/* A `resources` entry naming a remote target (URL, git@..., github.com/...), not a path. */
bool kr_path_is_remote(const char *s);
#endif
