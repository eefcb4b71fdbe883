/* Scalar type resolution exactly as go-yaml resolves untagged and tagged scalars:
 * v3 for KR_YAML_12 (resources), v2 for KR_YAML_11 (kustomization files). Pure functions of
 * their arguments; no state. */
#ifndef KR_RESOLVE_H
#define KR_RESOLVE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node.h"
#include "parse.h"

/* Type of an untagged plain scalar (quoted and block scalars are always KR_T_STR).
 * KR_YAML_12: true/false (3 spellings), null/~/empty, Go ParseInt/ParseUint base-0 ints after
 * removing every '_' (0x, 0o, 0b, legacy 0777, signs), YAML-style floats, .inf/.nan, timestamps
 * (yyyy-m-d[(T|t| )h:m:s[.frac][Z|±hh:mm]]). KR_YAML_11 adds y/yes/n/no/on/off bools and
 * treats timestamps as strings (go-yaml v2 decodes them into interface{} as their text).
 * Base-60 numbers are strings in both (go-yaml never supported them). */
kr_scalar_type kr_resolve_plain(const char *s, size_t len, kr_yaml_mode mode);

/* Result of resolving a scalar that carries an explicit tag. */
typedef enum {
    KR_TAG_OK = 0,
    KR_TAG_MISMATCH, /* "cannot decode !!<got> `<text>` as a !!<tag>": *got says what it was */
    KR_TAG_BINARY    /* !!binary: the caller must base64-decode the text (type is KR_T_STR) */
} kr_tag_result;

/* Type of a scalar written with tag `tag` (full form as the parser reports it, e.g.
 * "tag:yaml.org,2002:int", "!Ref"). !!str and unknown tags give KR_T_STR; !!int/!!float/
 * !!bool/!!null/!!timestamp must match what the text resolves to (an int is accepted as a
 * !!float), as in go-yaml. *merge is set for !!merge. The text is resolved whatever its style. */
kr_tag_result kr_resolve_tagged(const char *tag, size_t taglen, const char *s, size_t len,
                                kr_yaml_mode mode, kr_scalar_type *type, kr_scalar_type *got,
                                bool *merge);

/* "!!int" for KR_T_INT etc. (names used in go-yaml messages). */
const char *kr_resolve_type_tag(kr_scalar_type t);

/* Numeric value of a scalar's text as go-yaml computes it. */
typedef enum { KR_NUM_INT = 0, KR_NUM_UINT, KR_NUM_FLOAT } kr_num_kind;
typedef struct kr_number {
    kr_num_kind kind;
    int64_t i;  /* KR_NUM_INT */
    uint64_t u; /* KR_NUM_UINT (only values above INT64_MAX) */
    double d;   /* KR_NUM_FLOAT (may be ±inf / nan for .inf / .nan) */
} kr_number;

/* Value of the text of a KR_T_INT or KR_T_FLOAT scalar ("0x1F" -> 31, "1_000" -> 1000, "017"
 * -> 15, "1e3" -> 1000.0, ".inf" -> inf). Ints that do not fit uint64 come back as floats.
 * A !!float-tagged int text ("!!float 3") comes back as KR_NUM_INT: convert it yourself.
 * Floats are parsed with strtod: the C library's LC_NUMERIC must be "C" (the default).
 * Returns false when the text is not a number. */
bool kr_resolve_number(const char *s, size_t len, kr_number *out);

/* True for a plain scalar text that go-yaml would take as a timestamp. */
bool kr_resolve_is_timestamp(const char *s, size_t len);

#endif
