/* libyaml's allocator in the static CLI. libyaml mallocs four small buffers for every plain
 * scalar it scans and frees three of them at once (the fourth with the event), and a parser's
 * stacks and buffers for every document: about a tenth of a big render's instructions went to
 * glibc's malloc and free. The static CLI links a copy of Debian's libyaml.a whose calls to
 * malloc, realloc, free and strdup are renamed to these (objcopy --redefine-sym, see
 * cli/meson.build; the sanitizer and valgrind builds link libyaml as it is): each thread keeps
 * a few freed blocks of each power-of-two size and gives them back to libyaml at once.
 *
 * Blocks are glibc's underneath, with a 16-byte header (their size class, and the link while
 * kept); a block may be freed on another thread than the one that allocated it (it then joins
 * that thread's blocks). A thread keeps at most 64 blocks per class up to 1 KiB and 2 of each
 * larger class (about 400 KiB at worst) and frees them when it ends. Only libyaml may call
 * these: its blocks are not malloc's, and nothing else frees them. */
#ifndef KR_YAML_ALLOC_H
#define KR_YAML_ALLOC_H
#include <stddef.h>

void *kr_yaml_malloc(size_t n);
void *kr_yaml_realloc(void *p, size_t n);
void kr_yaml_free(void *p);
char *kr_yaml_strdup(const char *s);

#endif
