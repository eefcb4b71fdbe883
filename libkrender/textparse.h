/* Parses of inline texts (a patch written in a kustomization), kept by the context once the
 * same text is seen again: a component's patches are parsed by every render that includes the
 * component, which for many roots in one context (krender_build_many) was nearly half of all the
 * patch parsing. Files have their own cache (loader.h); this is for texts that are not files. */
#ifndef KR_TEXTPARSE_H
#define KR_TEXTPARSE_H
#include <stdbool.h>
#include <stddef.h>

#include "node.h"
#include "parse.h"
#include "render.h"

typedef struct kr_textparses kr_textparses;

/* kr_parse_stream_top of text, into r->arena the first time the context sees (file, text), and
 * from then on the context's own parse of it: the documents are then shared, read them only
 * (copy before changing). A text that failed to parse is parsed again each time (errors are
 * the parser's, in r->err). */
int kr_text_stream(kr_render *r, const char *file, const char *text, size_t len,
                   kr_node ***docs, size_t *ndocs, bool *first_at_top);
/* The same for kr_parse_document in mode. */
int kr_text_document(kr_render *r, const char *file, const char *text, size_t len,
                     kr_yaml_mode mode, kr_node **doc);

#endif
