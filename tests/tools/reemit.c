/* Verification tool (not part of the library): reads a YAML stream (kustomize output) with
 * libyaml's parser into kr_node trees and re-emits every document with kr_emit_document,
 * joined by "---\n". For kustomize's own output the result must equal the input.
 *
 * Plain scalars are typed the simple way kustomize output allows (null, true/false, decimal
 * ints, floats); everything else is a string.
 *
 *   reemit FILE...        prints "OK file" or "DIFF file" per file, exit 1 on any DIFF
 *   reemit -p FILE        prints the re-emitted text
 *   reemit -b FILE N      benchmark: parse once, emit N times, print MB/s
 *   reemit -k FILE        (built with -DREEMIT_KR_PARSE and parse.c) parses FILE as a
 *                         resource stream with kr_parse_stream and prints the emitted output,
 *                         errors as "error: <message>" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaml.h>

#include "emit.h"
#ifdef REEMIT_KR_PARSE
#include "parse.h"
#endif

typedef struct {
    yaml_parser_t p;
    kr_arena *a;
} loader;

static bool is_int(const char *s, size_t n)
{
    size_t i = s[0] == '-';
    if (i == n)
        return false;
    for (; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool is_float(const char *s, size_t n)
{
    char *end;
    if (!strpbrk(s, ".eE") || strchr(s, 'x') || strchr(s, 'n') || strchr(s, 'N'))
        return false;
    strtod(s, &end);
    return (size_t)(end - s) == n && n > 0;
}

static kr_node *scalar(loader *l, const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    kr_scalar_type t = KR_T_STR;
    if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        if (n == 0 || !strcmp(s, "null") || !strcmp(s, "~"))
            t = KR_T_NULL;
        else if (!strcmp(s, "true") || !strcmp(s, "false"))
            t = KR_T_BOOL;
        else if (is_int(s, n))
            t = KR_T_INT;
        else if (is_float(s, n))
            t = KR_T_FLOAT;
    }
    kr_node *r = kr_node_scalar(l->a, t, s, n);
    if (r) {
        r->line = (uint32_t)ev->start_mark.line + 1;
        r->col = (uint32_t)ev->start_mark.column + 1;
    }
    return r;
}

/* Builds the node starting with ev (already parsed). */
static kr_node *node(loader *l, yaml_event_t *ev)
{
    if (ev->type == YAML_SCALAR_EVENT)
        return scalar(l, ev);
    bool map = ev->type == YAML_MAPPING_START_EVENT;
    if (!map && ev->type != YAML_SEQUENCE_START_EVENT)
        return NULL;
    kr_node *n = map ? kr_node_map(l->a, 0) : kr_node_seq(l->a, 0);
    for (;;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&l->p, &e))
            return NULL;
        if (e.type == YAML_MAPPING_END_EVENT || e.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&e);
            return n;
        }
        kr_node *k = node(l, &e);
        yaml_event_delete(&e);
        if (!k)
            return NULL;
        if (!map) {
            kr_seq_append(l->a, n, k);
            continue;
        }
        if (!yaml_parser_parse(&l->p, &e))
            return NULL;
        kr_node *v = node(l, &e);
        yaml_event_delete(&e);
        if (!v)
            return NULL;
        kr_map_append(l->a, n, k, v);
    }
}

/* Parses all documents; returns their count or -1. */
static int load(loader *l, const char *text, size_t len, kr_node **docs, int max)
{
    int nd = 0;
    yaml_parser_initialize(&l->p);
    yaml_parser_set_input_string(&l->p, (const unsigned char *)text, len);
    for (;;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&l->p, &e)) {
            nd = -1;
            break;
        }
        yaml_event_type_t t = e.type;
        if (t == YAML_DOCUMENT_START_EVENT) {
            yaml_event_delete(&e);
            if (!yaml_parser_parse(&l->p, &e)) {
                nd = -1;
                break;
            }
            if (nd < max)
                docs[nd++] = node(l, &e);
        }
        yaml_event_delete(&e);
        if (t == YAML_STREAM_END_EVENT)
            break;
    }
    yaml_parser_delete(&l->p);
    return nd;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    kr_buf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        kr_buf_append(&b, tmp, n);
    fclose(f);
    *len = b.len;
    return b.data ? b.data : calloc(1, 1);
}

static int reemit(kr_node **docs, int nd, kr_buf *out)
{
    for (int i = 0; i < nd; i++) {
        if (i)
            kr_buf_puts(out, "---\n");
        kr_err err = {0};
        int rc = kr_emit_document(docs[i], out, &err);
        if (rc) {
            fprintf(stderr, "emit error %d: %s (line %u)\n", rc, err.message, err.line);
            kr_err_clear(&err);
            return rc;
        }
    }
    return 0;
}

enum { MAXDOCS = 100000 };

#ifdef REEMIT_KR_PARSE
static int kr_parse_print(const char *path)
{
    size_t len;
    char *text = slurp(path, &len);
    if (!text)
        return 2;
    kr_arena *a = kr_arena_new();
    kr_node **docs;
    size_t nd;
    kr_err err = {0};
    kr_buf out = {0};
    int rc = kr_parse_stream(a, path, text, len, &docs, &nd, &err);
    if (!rc)
        rc = reemit(docs, (int)nd, &out);
    else
        printf("error: %s\n", err.message);
    if (!rc && out.len)
        fwrite(out.data, 1, out.len, stdout);
    kr_err_clear(&err);
    kr_buf_free(&out);
    kr_arena_free(a);
    free(text);
    return rc != 0;
}
#endif

int main(int argc, char **argv)
{
    int mode = 0, bad = 0, reps = 1;
    int first = 1;
#ifdef REEMIT_KR_PARSE
    if (argc == 3 && !strcmp(argv[1], "-k"))
        return kr_parse_print(argv[2]);
#endif
    if (argc > 1 && !strcmp(argv[1], "-p"))
        mode = 1, first = 2;
    else if (argc > 3 && !strcmp(argv[1], "-b"))
        mode = 2, first = 2, reps = atoi(argv[3]), argc = 3;
    kr_node **docs = malloc(MAXDOCS * sizeof *docs);
    for (int f = first; f < argc; f++) {
        size_t len;
        char *text = slurp(argv[f], &len);
        if (!text) {
            fprintf(stderr, "cannot read %s\n", argv[f]);
            return 2;
        }
        loader l = {.a = kr_arena_new()};
        int nd = load(&l, text, len, docs, MAXDOCS);
        kr_buf out = {0};
        if (nd < 0) {
            printf("PARSE-ERROR %s\n", argv[f]);
            bad = 1;
        } else if (mode == 2) {
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            for (int r = 0; r < reps; r++) {
                out.len = 0;
                reemit(docs, nd, &out);
            }
            clock_gettime(CLOCK_MONOTONIC, &t1);
            double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
            printf("%d docs, %zu bytes x %d in %.3f s: %.1f MB/s, same=%d\n", nd, out.len, reps,
                   s, (double)out.len * reps / s / 1e6, out.len == len && !memcmp(out.data, text, len));
        } else if (reemit(docs, nd, &out) != 0) {
            printf("EMIT-ERROR %s\n", argv[f]);
            bad = 1;
        } else if (mode == 1) {
            fwrite(out.data, 1, out.len, stdout);
        } else {
            bool same = out.len == len && (len == 0 || !memcmp(out.data, text, len));
            printf("%s %s\n", same ? "OK" : "DIFF", argv[f]);
            bad |= !same;
        }
        kr_buf_free(&out);
        kr_arena_free(l.a);
        free(text);
    }
    free(docs);
    return bad;
}
