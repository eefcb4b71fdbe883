/* go-yaml v2's map key order (keyList.Less, pipeline.md §14.2) for string keys. */
#ifndef KR_KEYORDER_H
#define KR_KEYORDER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* a < b for valid UTF-8 keys a[0..an), b[0..bn), compared rune by rune: letters by code point,
 * non-letters before letters, digit runs numerically. Equal keys are not less. */
bool kr_key_less(const char *a, size_t an, const char *b, size_t bn);

/* Go's unicode.IsLetter (categories L*) and unicode.IsDigit (Nd). */
bool kr_unicode_is_letter(uint32_t r);
bool kr_unicode_is_digit(uint32_t r);

#endif
