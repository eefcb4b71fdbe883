/* krender: the thin command line over the public API (kustomize's flag names). */
#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "edit.h"
#include "common.h"
#include "output.h"
#include "writer.h"
#include "krender.h"

const char cli_usage[] =
    "usage: krender build [flags] DIR\n"
    "       krender build [flags] --out-dir OUT DIR...\n"
    "       krender check [--root DIR] [--rendered DIR] [-j N] [FILES...]\n"
    "       krender argocd generate [DIR]   (Argo CD config-management plugin)\n"
    "       krender version\n"
    "       kustomize build|edit|version ...  (as a link named kustomize, or krender kustomize ...)\n"
    "\n"
    "Renders the kustomization in DIR exactly as kustomize " KRENDER_KUSTOMIZE_COMPAT " does.\n"
    "\n"
    "build flags:\n"
    "  -o, --output FILE            write the output to FILE (only if the render succeeded)\n"
    "      --out-dir DIR            render several roots: ROOT i goes to DIR/i.yaml\n"
    "  -j, --jobs N                 render roots on N threads; a single root writes its output\n"
    "                               on N threads (default: the number of cores)\n"
    "      --load-restrictor MODE   LoadRestrictionsRootOnly (default) or LoadRestrictionsNone\n"
    "      --reorder MODE           legacy (default) or none (input order); sortOptions in the\n"
    "                               kustomization win over this flag, as in kustomize\n"
    "      --enable-managedby-label add the label app.kubernetes.io/managed-by\n"
    "      --root DIR               jail: no file outside DIR is ever read, whatever the\n"
    "                               load restrictor (for untrusted repositories)\n"
    "      --max-file-bytes N       fail on a file larger than N bytes (default 256 MiB)\n"
    "      --max-resources N        fail beyond N resources (default 1,000,000)\n"
    "      --max-output-bytes N     fail when the output exceeds N bytes (default 1 GiB)\n"
    "  -h, --help                   this text\n"
    "\n"
    "check renders every kustomization root under --root (default: the git top level, else .;\n"
    "Components and hidden directories skipped) and reports each failure on stderr as\n"
    "ROOT: FILE:LINE:COL: MESSAGE. With FILES (paths of changed files, as pre-commit passes\n"
    "them) only the roots they affect count: those whose render reads one of them, or whose\n"
    "directory holds one. Exit status 1 when an affected root fails, else 0.\n"
    "check flags:\n"
    "      --root DIR               where to look for kustomization roots\n"
    "      --rendered DIR           also compare each affected root's output with the committed\n"
    "                               DIR/<root path, '/' replaced by '_'>.yaml (the root DIR\n"
    "                               itself: DIR/_root.yaml)\n"
    "  -j, --jobs N                 render on N threads (default: the number of cores)\n"
    "      --load-restrictor MODE   as for build\n"
    "      --max-file-bytes N, --max-resources N, --max-output-bytes N   as for build\n";

/* One root rendered into a caller-chosen destination; errors reported with the root. */
typedef struct build_args {
    krender_options opts;
    const char *output;  /* -o FILE, or NULL for stdout */
    const char *out_dir; /* --out-dir: ROOT i goes to DIR/i.yaml */
    const char **roots;
    size_t nroots;
    int jobs;
    int failed; /* --out-dir: a root failed (set by the rendering threads) */
    cli_writer *writer; /* --out-dir: files written one thread at a time; NULL: written inline */
} build_args;

static pthread_mutex_t stderr_lock = PTHREAD_MUTEX_INITIALIZER;

/* Reports root i's result (rc its code) and writes its output; frees it. Returns 0 on success.
 * Messages go to stderr in one piece. */
static int finish_root(const build_args *ba, size_t i, krender_result *res, int rc)
{
    int status = 0;
    pthread_mutex_lock(&stderr_lock);
    for (size_t w = 0; w < krender_result_warning_count(res); w++)
        fprintf(stderr, "%s\n", krender_result_warning(res, w));
    if (rc) {
        if (ba->out_dir)
            fprintf(stderr, "%s: ", ba->roots[i]);
        fputs("error: ", stderr);
        if (res && krender_result_error(res))
            cli_print_error(stderr, krender_result_error(res));
        else
            fprintf(stderr, "%s\n", krender_strerror(rc));
        status = 1;
    }
    pthread_mutex_unlock(&stderr_lock);
    if (!status) {
        size_t len;
        const char *yaml = krender_result_yaml(res, &len);
        char path[4096];
        const char *dest = ba->output;
        if (ba->out_dir) {
            snprintf(path, sizeof path, "%s/%zu.yaml", ba->out_dir, i);
            dest = path;
            if (ba->writer && cli_writer_put(ba->writer, path, res) == 0)
                return 0; /* the writer's now */
        }
        if (dest ? cli_write_file(dest, yaml, len) != 0 : cli_write_all(1, yaml, len) != 0) {
            pthread_mutex_lock(&stderr_lock);
            fprintf(stderr, "error: writing %s: %s\n", dest ? dest : "stdout", strerror(errno));
            pthread_mutex_unlock(&stderr_lock);
            status = 1;
        }
    }
    krender_result_free(res);
    return status;
}

/* krender_build_many's callback for --out-dir (on several threads). */
static void root_done(void *arg, size_t i, krender_result *res)
{
    build_args *ba = arg;
    const krender_error *e = krender_result_error(res);
    if (finish_root(ba, i, res, res ? (e ? e->code : KRENDER_OK) : KRENDER_E_NOMEM))
        __atomic_store_n(&ba->failed, 1, __ATOMIC_RELAXED);
}

/* Many roots (--out-dir): one context, one view of the file system, -j threads. */
static int build_many(build_args *ba)
{
    krender_ctx *ctx = NULL;
    if (krender_ctx_new(&ctx) != KRENDER_OK) {
        fprintf(stderr, "error: %s\n", krender_strerror(KRENDER_E_NOMEM));
        return 1;
    }
    ba->opts.threads = ba->jobs > 0 ? (unsigned)ba->jobs : cli_cores();
    cli_writer writer;
    cli_writer_init(&writer, &stderr_lock);
    ba->writer = &writer;
    int rc = krender_build_many(ctx, (const char *const *)ba->roots, ba->nroots, &ba->opts, root_done, ba);
    if (cli_writer_finish(&writer))
        ba->failed = 1;
    ba->writer = NULL;
    krender_ctx_free(ctx);
    return rc || ba->failed ? 1 : 0;
}

static int cmd_build(int argc, char **argv)
{
    build_args ba = {.opts = KRENDER_OPTIONS_INIT};
    const char *v;
    int lim;
    ba.roots = calloc((size_t)argc + 1, sizeof *ba.roots);
    if (!ba.roots)
        return 1;
    int status = 2;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(cli_usage, stdout);
            status = 0;
            goto done;
        } else if ((v = cli_flag_value(argc, argv, &i, "--output")) || (v = cli_flag_value(argc, argv, &i, "-o"))) {
            ba.output = v;
        } else if ((v = cli_flag_value(argc, argv, &i, "--out-dir"))) {
            ba.out_dir = v;
        } else if ((v = cli_flag_value(argc, argv, &i, "--jobs")) || (v = cli_flag_value(argc, argv, &i, "-j"))) {
            ba.jobs = atoi(v);
            if (ba.jobs < 1) {
                status = cli_fail_usage("invalid --jobs '%s'", v);
                goto done;
            }
        } else if ((v = cli_flag_value(argc, argv, &i, "--load-restrictor"))) {
            if (cli_parse_load_restrictor(v, &ba.opts.load_restrictor) != 0) {
                status = cli_fail_usage("invalid --load-restrictor '%s'", v);
                goto done;
            }
        } else if ((v = cli_flag_value(argc, argv, &i, "--root"))) {
            ba.opts.jail_root = v;
        } else if ((lim = cli_parse_limit(argc, argv, &i, &ba.opts, &status)) != 0) {
            if (lim < 0)
                goto done;
        } else if ((v = cli_flag_value(argc, argv, &i, "--reorder"))) {
            if (strcmp(v, "legacy") == 0)
                ba.opts.reorder = KRENDER_REORDER_LEGACY;
            else if (strcmp(v, "none") == 0)
                ba.opts.reorder = KRENDER_REORDER_NONE;
            else {
                status = cli_fail_usage("invalid --reorder '%s' (legacy or none)", v);
                goto done;
            }
        } else if (strcmp(a, "--enable-managedby-label") == 0) {
            ba.opts.enable_managedby_label = 1;
        } else if (strcmp(a, "--enable-helm") == 0 || strcmp(a, "--enable-alpha-plugins") == 0 ||
                   strcmp(a, "--enable-exec") == 0 || strcmp(a, "--network") == 0) {
            /* kustomize's switches for features libkrender refuses anyway (helm, plugins):
             * accepted so tools that always pass them (Argo CD) work; the kustomization
             * using such a feature still fails with a clear error */
        } else if ((v = cli_flag_value(argc, argv, &i, "--helm-command"))) {
            (void)v;
        } else if (a[0] == '-' && a[1]) {
            status = cli_fail_usage("unknown or incomplete flag '%s'", a);
            goto done;
        } else {
            ba.roots[ba.nroots++] = a;
        }
    }
    if (!ba.nroots)
        ba.roots[ba.nroots++] = ".";
    if (ba.nroots > 1 && !ba.out_dir) {
        status = cli_fail_usage("several roots need --out-dir DIR (root i is written to DIR/i.yaml)%s", "");
        goto done;
    }
    if (ba.out_dir && ba.output) {
        status = cli_fail_usage("--output and --out-dir exclude each other%s", "");
        goto done;
    }
    if (ba.out_dir) {
        status = build_many(&ba);
    } else { /* one root: its render may use the cores itself */
        ba.opts.threads = ba.jobs > 0 ? (unsigned)ba.jobs : cli_cores();
        krender_ctx *ctx = NULL;
        krender_result *res = NULL;
        int rc = krender_ctx_new(&ctx);
        if (!rc)
            rc = krender_build(&res, ctx, ba.roots[0], &ba.opts);
        status = finish_root(&ba, 0, res, rc);
        krender_ctx_free(ctx);
    }
done:
    free(ba.roots);
    return status;
}

/* `kustomize ...` (a link named kustomize, or `krender kustomize ...`): the subset Argo CD
 * runs, answering as kustomize v5.6.0. */
static int cmd_kustomize(int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "version") == 0) {
        printf("%s\n", KRENDER_KUSTOMIZE_COMPAT);
        return 0;
    }
    if (argc >= 1 && strcmp(argv[0], "build") == 0)
        return cmd_build(argc - 1, argv + 1);
    if (argc >= 1 && strcmp(argv[0], "edit") == 0)
        return cmd_edit(argc - 1, argv + 1);
    fprintf(stderr, "error: krender answers `kustomize build`, `kustomize edit` and `kustomize version` only%s%s\n",
            argc ? "; not " : "", argc ? argv[0] : "");
    return 2;
}

int main(int argc, char **argv)
{
#ifdef __GLIBC__
    /* A fixed threshold: blocks of 128 KiB and more are always mapped, so freeing one (a part
     * of the output written on another thread, a grown buffer) gives its memory back. glibc's
     * adaptive threshold kept them in the heap: 4 MiB more peak RSS on a large render. */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
    cli_install_signal_cleanup();
    const char *self = strrchr(argv[0], '/');
    self = self ? self + 1 : argv[0];
    if (strcmp(self, "kustomize") == 0)
        return cmd_kustomize(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "kustomize") == 0)
        return cmd_kustomize(argc - 2, argv + 2);
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(cli_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "version") == 0) {
        printf("krender %s (kustomize %s compatible)\n", krender_version(), KRENDER_KUSTOMIZE_COMPAT);
        return 0;
    }
    if (strcmp(argv[1], "build") == 0)
        return cmd_build(argc - 2, argv + 2);
    if (strcmp(argv[1], "check") == 0)
        return cmd_check(argc - 2, argv + 2);
    if (strcmp(argv[1], "argocd") == 0)
        return cmd_argocd(argc - 2, argv + 2);
    return cli_fail_usage("unknown command '%s'", argv[1]);
}
