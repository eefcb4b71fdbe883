/* libFuzzer harness: a whole render through the public API (krender_build) of a file tree
 * given in the input, extracted into a fresh scratch directory per input.
 *
 * Input format (a tiny archive; tests/fuzz/make-seeds.py writes it):
 *
 *     input  = record*
 *     record = path NUL content (NUL | end of input)
 *
 * `path` is relative to the tree root: 1..FZ_PATH_MAX bytes, not starting or ending with '/',
 * no empty component, no "..". Parent directories are made as needed; a later record for the
 * same path replaces the file. Two special paths configure the render:
 *     "!root"  content = the directory to build, relative like a path (default: the root)
 *     "!opts"  content = letters: n = load restrictor none, l = --reorder legacy,
 *              o = --reorder none, m = managed-by label, j = per-resource JSON,
 *              2 = render twice with one context (the cached second render must give the
 *              same result; a difference aborts)
 * Inputs that break these rules, or have more than FZ_FILES_MAX records, are skipped.
 * The render is jailed in the scratch directory, so nothing outside it is read. */
#include "fuzz.h"

#include "krender.h"

#define FZ_PATH_MAX 128
#define FZ_FILES_MAX 64

typedef struct setup {
    krender_options opts;
    const char *root; /* "!root" content, NUL-terminated in the copy of the input */
    int twice;
} setup;

static int path_ok(const char *p)
{
    size_t n = strlen(p);
    return n > 0 && n <= FZ_PATH_MAX && p[0] != '/' && p[n - 1] != '/' && !strstr(p, "//") &&
           !strstr(p, "..");
}

static void read_opts(setup *s, const char *letters)
{
    for (const char *c = letters; *c; c++) {
        if (*c == 'n')
            s->opts.load_restrictor = KRENDER_LOAD_NONE;
        else if (*c == 'l')
            s->opts.reorder = KRENDER_REORDER_LEGACY;
        else if (*c == 'o')
            s->opts.reorder = KRENDER_REORDER_NONE;
        else if (*c == 'm')
            s->opts.enable_managedby_label = 1;
        else if (*c == 'j')
            s->opts.resources_json = 1;
        else if (*c == '2')
            s->twice = 1;
    }
}

/* Extracts the records of buf[0..len) (buf[len] == '\0') into dir. Returns 0 when the input
 * follows the format and every file was written. */
static int extract(char *buf, size_t len, const char *dir, setup *s)
{
    size_t pos = 0, nrec = 0;
    while (pos < len) {
        char *path = buf + pos;
        size_t plen = strlen(path);
        if (pos + plen >= len || ++nrec > FZ_FILES_MAX)
            return -1; /* a path with no content, or too many files */
        char *content = path + plen + 1;
        size_t clen = strlen(content); /* stops at the record's NUL or buf[len] */
        pos += plen + 1 + clen + 1;
        if (strcmp(path, "!opts") == 0)
            read_opts(s, content);
        else if (strcmp(path, "!root") == 0) {
            if (!path_ok(content) && strcmp(content, ".") != 0)
                return -1;
            s->root = content;
        } else if (!path_ok(path) ||
                   fz_write(dir, path, (const uint8_t *)content, clen) != 0)
            return -1;
    }
    return 0;
}

/* Reads everything a caller could read from a result (the getters are part of the API). */
static void walk_result(const krender_result *res)
{
    krender_resource rr;
    size_t n = krender_result_count(res);
    for (size_t i = 0; i <= n; i++) {
        krender_result_resource(res, i, &rr);
        krender_result_resource_json(res, i, NULL);
    }
    for (size_t i = 0; i < krender_result_warning_count(res); i++)
        krender_result_warning(res, i);
    for (size_t i = 0; i < krender_result_file_count(res); i++)
        krender_result_file(res, i);
}

static int same_result(const krender_result *a, const krender_result *b)
{
    size_t la, lb;
    const char *ya = krender_result_yaml(a, &la), *yb = krender_result_yaml(b, &lb);
    const krender_error *ea = krender_result_error(a), *eb = krender_result_error(b);
    if (la != lb || memcmp(ya, yb, la) != 0 || !ea != !eb)
        return 0;
    return !ea || (ea->code == eb->code && strcmp(ea->message, eb->message) == 0);
}

static void render(const char *jail, const setup *s)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", jail, s->root);
    krender_options opts = s->opts;
    opts.jail_root = jail;
    krender_ctx *ctx = NULL;
    krender_result *first = NULL, *second = NULL;
    if (krender_ctx_new(&ctx) != KRENDER_OK)
        return;
    krender_build(&first, ctx, path, &opts);
    walk_result(first);
    if (s->twice) {
        krender_build(&second, ctx, path, &opts);
        if (first && second && !same_result(first, second))
            abort(); /* the file cache changed what a render produces */
    }
    krender_result_free(first);
    krender_result_free(second);
    krender_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    char *dir = fz_mkdtemp();
    char *jail = dir ? realpath(dir, NULL) : NULL; /* the jail is compared symlink-free */
    if (buf && jail) {
        memcpy(buf, data, size);
        buf[size] = '\0';
        setup s = {.opts = KRENDER_OPTIONS_INIT, .root = "."};
        if (extract(buf, size, jail, &s) == 0)
            render(jail, &s);
    }
    if (dir)
        fz_rmtree(dir);
    free(jail);
    free(dir);
    free(buf);
    return 0;
}
