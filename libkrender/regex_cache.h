/* Regular expressions compiled once per render. pcre2_compile costs 10,000-35,000 instructions
 * a pattern, and renders repeat patterns: a component's patch target is the same in every app
 * that includes it, and so is a widely used image name. */
#ifndef KR_REGEX_CACHE_H
#define KR_REGEX_CACHE_H
#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stdint.h>

#include "render.h"

/* The compiled form of `pattern` with pcre2 `options`, owned by the render until kr_regex_end
 * (the caller never frees it; matching it from several threads, each with its own match data,
 * is safe). NULL when it does not compile (*code, *offset as pcre2_compile sets them; the
 * failure is not remembered) or memory runs out (*code PCRE2_ERROR_NOMEMORY). */
pcre2_code *kr_regex(kr_render *r, const char *pattern, uint32_t options, int *code,
                     PCRE2_SIZE *offset);

/* Frees the render's compiled patterns (at its end). */
void kr_regex_end(kr_render *r);

#endif
