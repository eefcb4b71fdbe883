/* YAML text -> node tree (libyaml events), with kustomize's resolution rules and source positions. */
#ifndef KR_PARSE_H
#define KR_PARSE_H
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "node.h"

typedef enum {
    /* Resource files, patches, plugin configs: go-yaml v3 (YAML 1.2 core + legacy octal
     * 0777, 1_000, timestamps). Duplicate keys in a mapping are an error. */
    KR_YAML_12 = 0,
    /* kustomization.yaml: sigs.k8s.io/yaml (go-yaml v2, YAML 1.1: yes/no/on/off are bools,
     * 012 octal ...). Duplicate keys: the last one wins. */
    KR_YAML_11 = 1
} kr_yaml_mode;

/* Parses the first YAML document of buf[0..len) (later documents are never read). *out = NULL
 * when the document is empty (nothing, only comments, or a null scalar such as `~`).
 * Scalars: text = the value as written (escapes and folding applied), style = how it was
 * written, type per mode (resolve.h); an explicit tag sets KR_NF_TAGGED (`!!str 1` is a
 * string, `!!int "7"` an int, unknown local tags like `!Ref x` give the string "x", `!!binary`
 * is base64-decoded, a tag the text does not fit is an error as in go-yaml).
 * Aliases are expanded into copies made with kr_node_copy (values never shared; map key nodes
 * and scalar text are shared with the anchor, as kr_node_copy does); at most 1,000,000 nodes
 * per document may come from aliases. `<<` merge keys are applied: KR_YAML_12 as kyaml's
 * DeAnchor (one `<<` per map, explicit keys win, earlier maps of a list win, merged keys are
 * appended), KR_YAML_11 as go-yaml v2 (in order, the last setter wins, a key keeps its first
 * position). Map keys must be scalars. Positions are 1-based, at the node's first token (anchor
 * or tag included, the quote of a quoted scalar, the | or > of a block scalar).
 * Errors: KRENDER_E_YAML with file (may be NULL), line, column and go-yaml's message (syntax, from libyaml)
 * or go-yaml's / kyaml's wording (duplicate key, merge, tag, alias errors); KRENDER_E_NOMEM.
 * Nothing is printed. Thread-safe (no global state). */
int kr_parse_document(kr_arena *a, const char *file, const char *buf, size_t len,
                      kr_yaml_mode mode, kr_node **out, kr_err *err);

/* A resource stream (pipeline.md §2.1-2.3): "\r\n" -> "\n"; split into chunks at every line
 * starting with "---" that is not the first line and ends with "\n" (kyaml's regexp
 * `\n---.*\n`, non-overlapping, so of two consecutive "---" lines only the first splits; the
 * rest of the line must be blank or a comment, else "invalid document separator: ---foo" at
 * that line); the first document of each chunk, parsed with KR_YAML_12; empty documents
 * skipped. *docs is an arena array of *ndocs non-NULL nodes (NULL when 0). Line numbers are
 * those of the whole file. */
int kr_parse_stream(kr_arena *a, const char *file, const char *buf, size_t len,
                    kr_node ***docs, size_t *ndocs, kr_err *err);

/* kr_parse_stream, also telling whether (*docs)[0] is the document of the first chunk (the
 * text before the first separator). When it is, kr_parse_document of the same text (either
 * mode) starts its first document with the same events: its root has the same kind, or it
 * fails. */
int kr_parse_stream_top(kr_arena *a, const char *file, const char *buf, size_t len,
                        kr_node ***docs, size_t *ndocs, bool *first_at_top, kr_err *err);

/* The 1-based line of the first separator kr_parse_stream splits buf at, 0 when it has none
 * (lines count "\n"; meaningful for a text without "\r"). A node kr_parse_document finds
 * on an earlier line lies in the stream's first chunk. */
unsigned kr_stream_first_separator_line(const char *buf, size_t len);

#endif
