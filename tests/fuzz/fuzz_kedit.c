/* libFuzzer harness: `kustomize edit` (krender_edit_kustomization) on any kustomization text,
 * through the public API and a caller file system (no disk). Every command runs on the input;
 * when the edit succeeds, the file it writes must read back and be written again the same but
 * for comment and blank lines (kustfile's line scan takes blank lines inside block scalars for
 * comments and moves them, in kustomize too), else the harness aborts; inputs on which that
 * move changes a value by kustomize's own rules are not checked (kustfile_keeps_meaning). */
#include "fuzz.h"

#include <stdbool.h>

#include "krender.h"

typedef struct mem {
    const char *data;
    size_t len;
} mem;

static int kind(void *ud, const char *path)
{
    (void)ud;
    if (strcmp(path, "/k") == 0 || strcmp(path, "/") == 0 || strcmp(path, "/k/c") == 0)
        return KRENDER_FS_DIR;
    return strcmp(path, "/k/kustomization.yaml") == 0 ? KRENDER_FS_FILE : KRENDER_FS_MISSING;
}

static int read_file(void *ud, const char *path, const char **data, size_t *len)
{
    const mem *m = ud;
    if (strcmp(path, "/k/kustomization.yaml") != 0)
        return ENOENT;
    *data = m->data;
    *len = m->len;
    return 0;
}

static const char *const c1[] = {"set", "nameprefix", "--", "p-"};
static const char *const c2[] = {"set", "namespace", "ns"};
static const char *const c3[] = {"set", "image", "nginx=reg/nginx:1.2@sha256:00", "b=*:3"};
static const char *const c4[] = {"set", "replicas", "web=3"};
static const char *const c5[] = {"add", "label", "--force", "a:b", "yes"};
static const char *const c6[] = {"add", "label", "--without-selector", "--include-templates",
                                 "--force", "t:v"};
static const char *const c7[] = {"add", "annotation", "-f", "note:long text with: colons"};
static const char *const c8[] = {"add", "component", "c"};
static const char *const c9[] = {"add", "patch", "--kind", "Deployment", "--patch",
                                 "- op: add\n  path: /x\n  value: 1\n"};
static const krender_edit edits[] = {{c1, 4}, {c2, 3}, {c3, 4}, {c4, 3}, {c5, 5},
                                     {c6, 6}, {c7, 4}, {c8, 3}, {c9, 6}};

/* The edit of text by edits[0..n); NULL when it fails. */
static char *edit(krender_ctx *ctx, const char *text, size_t len, const krender_edit *e,
                  size_t n, size_t *out_len)
{
    mem m = {text, len};
    krender_fs fs = {&m, kind, read_file, NULL};
    krender_options o = KRENDER_OPTIONS_INIT;
    o.fs = &fs;
    krender_result *res = NULL;
    char *out = NULL;
    if (krender_edit_kustomization(&res, ctx, "/k", e, n, &o) == KRENDER_OK) {
        const char *y = krender_result_yaml(res, out_len);
        out = malloc(*out_len + 1);
        if (out)
            memcpy(out, y, *out_len + 1);
    }
    krender_result_free(res);
    return out;
}

/* s without the lines kustfile takes for comments or blank lines (spaces, then # or nothing). */
static size_t strip_comment_lines(char *s, size_t len)
{
    size_t out = 0;
    for (size_t i = 0; i < len;) {
        size_t end = i;
        while (end < len && s[end] != '\n')
            end++;
        size_t j = i;
        while (j < end && s[j] == ' ')
            j++;
        bool drop = end < len && (j == end || s[j] == '#');
        if (!drop) {
            memmove(s + out, s + i, end - i + (end < len));
            out += end - i + (end < len);
        }
        i = end + 1;
    }
    return out;
}

/* Whether kustfile's comment handling keeps the file's meaning. It takes every line that is
 * blank or a comment once its leading spaces are gone for a comment of the next top-level field,
 * wherever it stands (in kustomize too), and writes it back in front of that field: an
 * indented one taken from inside a block scalar, written back after another block scalar,
 * becomes part of that scalar's value, as does a blank line after a keep-chomped one ("|+").
 * The file then reads back differently by kustomize's own rules, so the round trip is checked
 * only on inputs without indented comment or blank lines and without keep chomping. Nor on
 * one with a carriage return not before a line feed: YAML ends a line there, kustfile's scan
 * (lines end at '\n', in kustomize too) does not, so "#\r- x" is a comment line to it, moved
 * with its "- x". */
static bool kustfile_keeps_meaning(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n'))
            return false;
        if ((i == 0 || s[i - 1] == '\n') && s[i] == ' ') {
            size_t j = i;
            while (j < n && s[j] == ' ')
                j++;
            if (j == n || s[j] == '\n' || s[j] == '#')
                return false;
        }
        bool indicator = s[i] == '|' || s[i] == '>';
        bool digit = i + 2 < n && s[i + 1] >= '1' && s[i + 1] <= '9';
        if (indicator && i + 1 < n && (s[i + 1] == '+' || (digit && s[i + 2] == '+')))
            return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    krender_ctx *ctx;
    if (krender_ctx_new(&ctx) != KRENDER_OK)
        return 0;
    /* the first byte picks the commands to run (a bit each), the rest is the file */
    unsigned pick = size ? data[0] | (size > 1 ? (unsigned)data[1] << 8 : 0u) : 0;
    const char *text = size > 2 ? (const char *)data + 2 : "";
    size_t len = size > 2 ? size - 2 : 0;
    krender_edit chosen[9];
    size_t n = 0;
    for (size_t i = 0; i < 9; i++)
        if (pick & (1u << i))
            chosen[n++] = edits[i];
    size_t l1, l2;
    char *once = edit(ctx, text, len, chosen, n, &l1);
    if (once && kustfile_keeps_meaning(text, len)) {
        char *twice = edit(ctx, once, l1, NULL, 0, &l2);
        if (!twice)
            abort(); /* the written file does not read back */
        l1 = strip_comment_lines(once, l1);
        l2 = strip_comment_lines(twice, l2);
        if (l1 != l2 || memcmp(once, twice, l1) != 0)
            abort(); /* nor as itself */
        free(twice);
    }
    free(once);
    krender_ctx_free(ctx);
    return 0;
}
