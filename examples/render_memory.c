/* Rendering a kustomization held in memory (options v4, krender_fs): a base and an overlay
 * with a name prefix and a generated ConfigMap, served from static strings; no file is read.
 *   cc render_memory.c $(pkg-config --cflags --libs krender) -o render_memory && ./render_memory
 * With an argument, the output must also equal that file (the oracle's render of the same tree:
 * render_memory.expected.yaml), else the exit status is 1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <krender.h>

static const struct {
    const char *path, *text;
} files[] = {
    {"/app/base/kustomization.yaml", "resources:\n"
                                     "- deployment.yaml\n"},
    {"/app/base/deployment.yaml", "apiVersion: apps/v1\n"
                                  "kind: Deployment\n"
                                  "metadata:\n"
                                  "  name: web\n"
                                  "spec:\n"
                                  "  template:\n"
                                  "    spec:\n"
                                  "      containers:\n"
                                  "      - name: web\n"
                                  "        image: nginx:1.27\n"
                                  "        envFrom:\n"
                                  "        - configMapRef:\n"
                                  "            name: settings\n"},
    {"/app/overlay/kustomization.yaml", "namePrefix: prod-\n"
                                        "resources:\n"
                                        "- ../base\n"
                                        "configMapGenerator:\n"
                                        "- name: settings\n"
                                        "  literals:\n"
                                        "  - LOG_LEVEL=info\n"},
};
#define NFILES (sizeof files / sizeof *files)

/* A path names a file of the table, or a directory when a file lies below it. */
static int mem_kind(void *userdata, const char *path)
{
    size_t n = strlen(path);
    (void)userdata;
    for (size_t i = 0; i < NFILES; i++) {
        if (strcmp(files[i].path, path) == 0)
            return KRENDER_FS_FILE;
        if (strncmp(files[i].path, path, n) == 0 && (files[i].path[n] == '/' || n == 1))
            return KRENDER_FS_DIR;
    }
    return KRENDER_FS_MISSING;
}

static int mem_read(void *userdata, const char *path, const char **data, size_t *len)
{
    (void)userdata;
    for (size_t i = 0; i < NFILES; i++) {
        if (strcmp(files[i].path, path) == 0) {
            *data = files[i].text; /* static: nothing to release */
            *len = strlen(files[i].text);
            return 0;
        }
    }
    return ENOENT;
}

static int same_as_file(const char *yaml, size_t len, const char *path)
{
    FILE *f = fopen(path, "rb");
    char *want = malloc(len + 2);
    size_t got = f && want ? fread(want, 1, len + 1, f) : 0;
    int same = f && want && got == len && memcmp(yaml, want, len) == 0;
    if (f)
        fclose(f);
    free(want);
    return same;
}

int main(int argc, char **argv)
{
    krender_ctx *ctx;
    krender_result *res;
    if (argc > 2 || krender_ctx_new(&ctx) != KRENDER_OK)
        return 2;
    krender_fs fs = {NULL, mem_kind, mem_read, NULL};
    krender_options opts = KRENDER_OPTIONS_INIT;
    opts.fs = &fs;
    int rc = krender_build(&res, ctx, "/app/overlay", &opts);
    if (rc != KRENDER_OK) {
        const krender_error *e = krender_result_error(res);
        fprintf(stderr, "%s:%u:%u: %s\n", e->file ? e->file : "/app/overlay", e->line, e->column,
                e->message);
    } else {
        size_t len;
        const char *yaml = krender_result_yaml(res, &len);
        fwrite(yaml, 1, len, stdout);
        if (argc == 2 && !same_as_file(yaml, len, argv[1])) {
            fprintf(stderr, "the output differs from %s\n", argv[1]);
            rc = 1;
        }
    }
    krender_result_free(res);
    krender_ctx_free(ctx);
    return rc == KRENDER_OK ? 0 : 1;
}
