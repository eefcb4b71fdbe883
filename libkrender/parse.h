/* YAML text -> node tree (libfyaml), with kustomize's resolution rules and source positions. */
#ifndef KR_PARSE_H
#define KR_PARSE_H
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

/* Parses the first YAML document of buf[0..len). *out = NULL when the document is empty
 * (nothing, only comments, or a plain null). Anchors/aliases are expanded and `<<` merge keys
 * applied. Errors carry file (may be NULL), line and column. */
int kr_parse_document(kr_arena *a, const char *file, const char *buf, size_t len,
                      kr_yaml_mode mode, kr_node **out, kr_err *err);

/* A resource stream (pipeline.md §2.1-2.3): "\r\n" -> "\n"; split into chunks at every line
 * starting with "---" that is not the first line (rest of the line blank or a comment, else
 * "invalid document separator"); the first document of each chunk, parsed with KR_YAML_12;
 * empty documents skipped. *docs is an arena array of *ndocs non-NULL nodes. Line numbers are
 * those of the whole file. */
int kr_parse_stream(kr_arena *a, const char *file, const char *buf, size_t len,
                    kr_node ***docs, size_t *ndocs, kr_err *err);

#endif
