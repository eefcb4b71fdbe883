/* The floor issue 8 measures a render against: libyaml parsing YAML into events and emitting
 * those events again, the least any renderer built on libyaml pays for its output.
 *
 * Usage: yaml_floor FILE...   (a render's outputs; a file may hold many documents)
 *
 * Reads every file first (not timed), then parses and re-emits all of them with libyaml
 * (indent 2, width 80: the settings go-yaml gives the output), three times, and prints the
 * fastest pass's CPU time, the bytes and whether the emitted bytes are the input's (they are
 * for kustomize's output: its layout is libyaml's). Exit status 1 when a file cannot be read
 * or parsed. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaml.h>

typedef struct text {
    unsigned char *data;
    size_t len, cap;
} text;

static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static bool read_all(const char *path, text *t)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t cap = 1 << 16;
    t->data = malloc(cap);
    t->len = 0;
    size_t n;
    while (t->data && (n = fread(t->data + t->len, 1, cap - t->len, f)) > 0) {
        t->len += n;
        if (t->len == cap) {
            unsigned char *p = realloc(t->data, cap *= 2);
            if (!p)
                free(t->data);
            t->data = p;
        }
    }
    bool ok = t->data && !ferror(f);
    fclose(f);
    return ok;
}

/* libyaml's write handler: appends to a text grown geometrically (kept between passes). */
static int append(void *data, unsigned char *buf, size_t n)
{
    text *out = data;
    if (out->cap - out->len < n) {
        size_t cap = out->cap ? out->cap : 1 << 16;
        while (cap - out->len < n)
            cap *= 2;
        unsigned char *p = realloc(out->data, cap);
        if (!p)
            return 0;
        out->data = p;
        out->cap = cap;
    }
    memcpy(out->data + out->len, buf, n);
    out->len += n;
    return 1;
}

/* Parses in and emits every event into out; false on a parse or emit error. */
static bool parse_and_emit(const text *in, text *out)
{
    yaml_parser_t parser;
    yaml_emitter_t emitter;
    if (!yaml_parser_initialize(&parser))
        return false;
    if (!yaml_emitter_initialize(&emitter)) {
        yaml_parser_delete(&parser);
        return false;
    }
    yaml_parser_set_input_string(&parser, in->data, in->len);
    yaml_emitter_set_output(&emitter, append, out);
    yaml_emitter_set_indent(&emitter, 2);
    yaml_emitter_set_width(&emitter, 80);
    yaml_emitter_set_unicode(&emitter, 1);
    bool ok = true, done = false;
    while (ok && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            ok = false;
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        ok = yaml_emitter_emit(&emitter, &ev) != 0; /* the emitter takes the event */
    }
    yaml_emitter_delete(&emitter);
    yaml_parser_delete(&parser);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: yaml_floor FILE...\n");
        return 2;
    }
    size_t n = (size_t)argc - 1, bytes = 0;
    text *in = calloc(n, sizeof *in), *out = calloc(n, sizeof *out);
    if (!in || !out)
        return 1;
    for (size_t i = 0; i < n; i++) {
        if (!read_all(argv[i + 1], &in[i])) {
            fprintf(stderr, "yaml_floor: cannot read %s\n", argv[i + 1]);
            return 1;
        }
        bytes += in[i].len;
    }
    double best = -1;
    bool same = true;
    for (int pass = 0; pass < 3; pass++) {
        double t0 = cpu_ms();
        for (size_t i = 0; i < n; i++) {
            out[i].len = 0;
            if (!parse_and_emit(&in[i], &out[i])) {
                fprintf(stderr, "yaml_floor: %s: not YAML libyaml reads\n", argv[i + 1]);
                return 1;
            }
        }
        double dt = cpu_ms() - t0;
        if (best < 0 || dt < best)
            best = dt;
    }
    for (size_t i = 0; i < n; i++) {
        same = same && out[i].len == in[i].len &&
               (!in[i].len || memcmp(out[i].data, in[i].data, in[i].len) == 0);
        free(in[i].data);
        free(out[i].data);
    }
    free(in);
    free(out);
    printf("%.2f ms %zu bytes %s\n", best, bytes, same ? "identical" : "different");
    return 0;
}
