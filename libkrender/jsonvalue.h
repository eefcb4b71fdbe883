/* kustomize's JSON round trip of scalar values (pipeline.md §14.3) and go-yaml v2's YAML 1.1
 * resolver, which decides whether a string must be quoted on output (§14.4 step 1).
 *
 * kustomize prints a resource by decoding it with go-yaml v3 into Go values, marshalling them
 * with encoding/json and re-reading the JSON with go-yaml v2. Per scalar that means: numbers
 * come out in Go's canonical spelling, bools as true/false, timestamps as RFC 3339 strings,
 * invalid UTF-8 bytes as U+FFFD, and .inf/.nan make the build fail. Everything here is pure
 * (no global state, no allocation except into the caller's buffer). */
#ifndef KR_JSONVALUE_H
#define KR_JSONVALUE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"
#include "node.h"

/* Room for any number or timestamp this module writes (with NUL). */
#define KR_JSON_NUMBUF 64

/* One scalar after the round trip. */
typedef struct kr_jscalar {
    const char *text; /* borrowed from the node, numbuf or scratch; not NUL-terminated */
    size_t len;
    bool is_str; /* a string (its output style is still to choose); else a plain literal */
} kr_jscalar;

/* Converts scalar node n. Numbers and timestamps are written to numbuf (KR_JSON_NUMBUF bytes);
 * a string holding invalid UTF-8 is repaired into scratch (appended). Fails with
 * KRENDER_E_VALUE for .inf/.nan ("json: unsupported value: +Inf") or a number the source
 * spelling cannot give; err gets the node's line/column. */
int kr_json_scalar(const kr_node *n, char *numbuf, kr_buf *scratch, kr_jscalar *out, kr_err *err);

/* Go strconv.FormatFloat(f, 'g', -1, 64) of a finite f; returns the length written to
 * out (at least 32 bytes). */
size_t kr_go_format_float(double f, char *out);
/* What kustomize prints for float f (integral values in int64/uint64 range as integers,
 * else FormatFloat 'g'); 0 when f is NaN or infinite. out: at least 32 bytes. */
size_t kr_json_float_text(double f, char *out);

/* A YAML timestamp as go-yaml (v2 and v3) recognises it, broken into Go's time fields. */
typedef struct kr_go_time {
    int year, month, day, hour, min, sec;
    long nsec;
    int offset; /* seconds east of UTC */
} kr_go_time;
/* go-yaml's parseTimestamp: 4 digits, '-', then time.Parse with one of the layouts
 * "2006-1-2T15:4:5.999999999Z07:00", the same with 't', "2006-1-2 15:4:5.999999999",
 * "2006-1-2". */
bool kr_go_parse_timestamp(const char *s, size_t n, kr_go_time *t);
/* time.Time.MarshalJSON text without the quotes (RFC 3339 with trimmed fraction);
 * returns the length (out: at least KR_JSON_NUMBUF bytes). */
size_t kr_go_format_rfc3339(const kr_go_time *t, char *out);

/* True when go-yaml v2 may write string s plain: resolve("", s) gives !!str and s is not a
 * YAML 1.1 base-60 float. False means the emitter must ask for double quotes. */
bool kr_v2_plain_is_str(const char *s, size_t n);

/* The string go-yaml v2 reads back from encoding/json's spelling of s: invalid UTF-8 bytes
 * become U+FFFD, a raw U+0085 (NEL, which JSON leaves unescaped) is line-folded as in any
 * double-quoted YAML scalar. Returns s itself or a copy appended to scratch (*outlen its
 * length). Returns NULL with *problem set when go-yaml v2 rejects the text (DEL, C1 controls,
 * U+FFFE/U+FFFF; a "---"/"..." line after a NEL), NULL with *problem NULL when out of memory. */
const char *kr_json_string(const char *s, size_t n, kr_buf *scratch, size_t *outlen,
                           const char **problem);

/* Length of the longest prefix of s that is valid UTF-8 (Go's utf8 rules). */
size_t kr_utf8_valid_prefix(const char *s, size_t n);
/* Appends s to b with every byte that does not start a valid UTF-8 sequence replaced by
 * U+FFFD, as encoding/json does. */
bool kr_utf8_repair(kr_buf *b, const char *s, size_t n);

#endif
