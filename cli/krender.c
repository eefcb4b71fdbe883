/* krender: the thin command line over the public API (kustomize's flag names). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "krender.h"

static const char usage[] =
    "usage: krender build [flags] DIR\n"
    "       krender version\n"
    "\n"
    "Renders the kustomization in DIR exactly as kustomize " KRENDER_KUSTOMIZE_COMPAT " does.\n"
    "\n"
    "build flags:\n"
    "  -o, --output FILE            write the output to FILE (only if the render succeeded)\n"
    "      --load-restrictor MODE   LoadRestrictionsRootOnly (default) or LoadRestrictionsNone\n"
    "      --reorder MODE           legacy (default) or none (input order); sortOptions in the\n"
    "                               kustomization win over this flag, as in kustomize\n"
    "      --enable-managedby-label add the label app.kubernetes.io/managed-by\n"
    "  -h, --help                   this text\n";

static int fail_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n\n%s", usage);
    return 2;
}

static void print_error(const krender_error *e)
{
    fputs("error: ", stderr);
    if (e->file) {
        fputs(e->file, stderr);
        if (e->line)
            fprintf(stderr, ":%u:%u", e->line, e->column);
        fputs(": ", stderr);
    }
    fprintf(stderr, "%s\n", e->message);
    if (e->chain && strstr(e->chain, " -> "))
        fprintf(stderr, "  while building: %s\n", e->chain);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes to a temporary file beside `path` and renames it, so no partial file is ever seen. */
static int write_file(const char *path, const char *data, size_t len)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp)
        return -1;
    snprintf(tmp, n, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    int rc = write_all(fd, data, len);
    if (close(fd) != 0)
        rc = -1;
    if (rc == 0)
        rc = rename(tmp, path);
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

/* Accepts "--flag value" and "--flag=value"; returns the value or NULL. */
static const char *flag_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static int cmd_build(int argc, char **argv)
{
    krender_options opts = KRENDER_OPTIONS_INIT;
    const char *dir = NULL, *output = NULL, *v;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if ((v = flag_value(argc, argv, &i, "--output")) || (v = flag_value(argc, argv, &i, "-o"))) {
            output = v;
        } else if ((v = flag_value(argc, argv, &i, "--load-restrictor"))) {
            if (strcmp(v, "LoadRestrictionsRootOnly") == 0)
                opts.load_restrictor = KRENDER_LOAD_ROOT_ONLY;
            else if (strcmp(v, "LoadRestrictionsNone") == 0)
                opts.load_restrictor = KRENDER_LOAD_NONE;
            else
                return fail_usage("invalid --load-restrictor '%s'", v);
        } else if ((v = flag_value(argc, argv, &i, "--reorder"))) {
            if (strcmp(v, "legacy") == 0)
                opts.reorder = KRENDER_REORDER_LEGACY;
            else if (strcmp(v, "none") == 0)
                opts.reorder = KRENDER_REORDER_NONE;
            else
                return fail_usage("invalid --reorder '%s' (legacy or none)", v);
        } else if (strcmp(a, "--enable-managedby-label") == 0) {
            opts.enable_managedby_label = 1;
        } else if (a[0] == '-' && a[1]) {
            return fail_usage("unknown or incomplete flag '%s'", a);
        } else if (!dir) {
            dir = a;
        } else {
            return fail_usage("unexpected argument '%s'", a);
        }
    }
    if (!dir)
        dir = ".";
    krender_ctx *ctx = NULL;
    krender_result *res = NULL;
    int rc = krender_ctx_new(&ctx);
    if (rc) {
        fprintf(stderr, "error: %s\n", krender_strerror(rc));
        return 1;
    }
    rc = krender_build(&res, ctx, dir, &opts);
    for (size_t i = 0; i < krender_result_warning_count(res); i++)
        fprintf(stderr, "%s\n", krender_result_warning(res, i));
    int status = 0;
    if (rc) {
        if (res && krender_result_error(res))
            print_error(krender_result_error(res));
        else
            fprintf(stderr, "error: %s\n", krender_strerror(rc));
        status = 1;
    } else {
        size_t len;
        const char *yaml = krender_result_yaml(res, &len);
        if (output ? write_file(output, yaml, len) != 0 : (write_all(1, yaml, len) != 0)) {
            fprintf(stderr, "error: writing %s: %s\n", output ? output : "stdout", strerror(errno));
            status = 1;
        }
    }
    krender_result_free(res);
    krender_ctx_free(ctx);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "version") == 0) {
        printf("krender %s (kustomize %s compatible)\n", krender_version(), KRENDER_KUSTOMIZE_COMPAT);
        return 0;
    }
    if (strcmp(argv[1], "build") == 0)
        return cmd_build(argc - 2, argv + 2);
    return fail_usage("unknown command '%s'", argv[1]);
}
