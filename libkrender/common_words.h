/* Strings that appear in most Kubernetes manifests and kustomizations. A scalar with one of
 * these texts points at the static copy instead of an arena copy, and a map key that is one of
 * them (plain, untagged, a string) can be a shared static node: most keys of a manifest are. */
#ifndef KR_COMMON_WORDS_H
#define KR_COMMON_WORDS_H
#include <stdbool.h>
#include <stddef.h>

#include "node.h"

/* The static copy of s[0..len) ("" for len 0), or NULL when it is not a common word. */
const char *kr_common_text(const char *s, size_t len);
/* The shared key node for common word s[0..len): a plain string scalar without position;
 * NULL when s is not one. Never to be written to (node.h: key nodes are immutable). */
kr_node *kr_common_key(const char *s, size_t len);
/* Whether n is one of those shared nodes (a copy keeps the pointer: they live forever). */
bool kr_is_common_key(const kr_node *n);
/* Whether text s (len bytes) is a common word's static copy (what kr_common_text returns and
 * the shared keys hold; an equal text elsewhere does not count) that a plain scalar writes as
 * it is and reads back as a string: printable ASCII without blanks, ':', '#' or a leading
 * indicator, and not a boolean. The emitter writes such a text without looking at it. */
bool kr_common_plain_word(const char *s, size_t len);
/* The place of text s among the common words in the order of kr_key_less when s is one's
 * static copy (as kr_common_plain_word tells them), else -1: two map keys that are both
 * common words are sorted without comparing their texts. */
int kr_common_rank(const char *s);
/* The words, for tests. */
size_t kr_common_word_count(void);
const char *kr_common_word(size_t i);

#endif
