/* krender check [--root DIR] [--rendered DIR] [-j N] [FILES...]
 *
 * Every directory under the root holding a kustomization (not a Component) is rendered once,
 * on a pool of threads. With FILES (the changed files a pre-commit hook passes) only the roots
 * they affect are reported: a root is affected when its render read one of the files, when a
 * file lies inside its directory (a new file), or when its committed output (--rendered) is
 * one of them. Rendering everything is what tells which files each root reads, and it is cheap
 * (hundreds of roots per second per core). Reports are kept per root and printed in root order
 * so the output does not depend on thread timing. */
#define _GNU_SOURCE
#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common.h"

/* The file names kustomize looks for, in its order. */
static const char *const kustomization_names[] = {"kustomization.yaml", "kustomization.yml",
                                                  "Kustomization"};

typedef struct root {
    char *rel;      /* directory relative to the search root; "." for the search root itself */
    char *path;     /* what is rendered and shown: the search root joined with rel */
    char *real;     /* symlink-free absolute directory (for "a file inside the root") */
    char *rendered; /* --rendered: the committed output to compare with, else NULL */
    int done;        /* rendered (a worker without a context renders nothing) */
    int holds_change; /* a changed file lies inside the directory */
    int affected;
    int failed;
    char *report; /* lines for stderr, NULL when there is nothing to say */
} root;

typedef struct check_args {
    krender_options opts;
    const char *base;         /* where roots are searched; "." or a path */
    const char *rendered_dir; /* --rendered DIR, or NULL */
    char **changed;           /* FILES, symlink-free absolute, sorted */
    size_t nchanged;
    int all; /* no FILES given: every root is affected */
    int jobs;
    root *roots;
    size_t nroots, cap;
} check_args;

static char *join(const char *a, const char *b)
{
    char *s = NULL;
    if (strcmp(a, ".") == 0)
        return strdup(b);
    if (strcmp(b, ".") == 0)
        return strdup(a);
    if (asprintf(&s, "%s%s%s", a, a[strlen(a) - 1] == '/' ? "" : "/", b) < 0)
        return NULL;
    return s;
}

/* Symlink-free absolute form of p, also for a path that does not exist (a deleted file):
 * the longest existing parent is resolved and the rest appended. */
static char *resolve(const char *p)
{
    char *r = realpath(p, NULL);
    if (r || strcmp(p, ".") == 0 || strcmp(p, "/") == 0)
        return r;
    const char *slash = strrchr(p, '/');
    char *dir = slash ? strndup(p, slash == p ? 1 : (size_t)(slash - p)) : strdup(".");
    char *rdir = dir ? resolve(dir) : NULL;
    char *out = rdir ? join(rdir, slash ? slash + 1 : p) : NULL;
    free(dir);
    free(rdir);
    return out;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a whole file; NULL when it cannot be read. */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 65536) {
            cap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, cap);
            if (!nb)
                break;
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f) || !buf;
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* Whether the kustomization file says `kind: Component` at the top level. A cheap line check
 * (a block-style top-level key at column 0) is enough: Components are never rendered alone. */
static int is_component(const char *file)
{
    size_t len;
    char *s = read_all(file, &len);
    if (!s)
        return 0;
    int found = 0;
    for (size_t i = 0; i < len && !found;) {
        size_t end = i;
        while (end < len && s[end] != '\n')
            end++;
        if (end - i > 5 && strncmp(s + i, "kind:", 5) == 0) {
            size_t a = i + 5, b = end;
            while (a < b && (s[a] == ' ' || s[a] == '\t'))
                a++;
            for (size_t h = a; h < b; h++) /* a comment ends the value */
                if (s[h] == '#' && (s[h - 1] == ' ' || s[h - 1] == '\t')) {
                    b = h;
                    break;
                }
            while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r'))
                b--;
            if (b - a >= 2 && (s[a] == '"' || s[a] == '\'') && s[b - 1] == s[a])
                a++, b--;
            found = b - a == 9 && strncmp(s + a, "Component", 9) == 0;
        }
        i = end + 1;
    }
    free(s);
    return found;
}

/* The kustomization file of dir, or NULL (caller frees). */
static char *kustomization_file(const char *dir)
{
    for (size_t k = 0; k < sizeof kustomization_names / sizeof *kustomization_names; k++) {
        char *f = join(dir, kustomization_names[k]);
        struct stat st;
        if (f && stat(f, &st) == 0 && S_ISREG(st.st_mode))
            return f;
        free(f);
    }
    return NULL;
}

static int add_root(check_args *ca, const char *rel, const char *path)
{
    if (ca->nroots == ca->cap) {
        size_t cap = ca->cap ? ca->cap * 2 : 64;
        root *nr = realloc(ca->roots, cap * sizeof *nr);
        if (!nr)
            return -1;
        ca->roots = nr;
        ca->cap = cap;
    }
    root *r = &ca->roots[ca->nroots];
    memset(r, 0, sizeof *r);
    r->rel = strdup(rel);
    r->path = strdup(path);
    r->real = resolve(path);
    ca->nroots++;
    return r->rel && r->path && r->real ? 0 : -1;
}

static int is_dir_entry(const char *parent, const struct dirent *d)
{
    if (d->d_type == DT_DIR)
        return 1;
    if (d->d_type != DT_UNKNOWN)
        return 0; /* symlinks included: not followed, so no loops */
    char *p = join(parent, d->d_name);
    struct stat st;
    int yes = p && lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
    free(p);
    return yes;
}

/* Adds the root at rel (if it is one) and walks its subdirectories in name order, skipping
 * hidden ones (.git ...). */
static int find_roots(check_args *ca, const char *rel)
{
    char *path = join(ca->base, rel);
    if (!path)
        return -1;
    int rc = 0;
    char *kfile = kustomization_file(path);
    if (kfile && !is_component(kfile))
        rc = add_root(ca, rel, path);
    free(kfile);
    DIR *d = rc == 0 ? opendir(path) : NULL;
    char **subs = NULL;
    size_t nsubs = 0, cap = 0;
    struct dirent *e;
    while (d && rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.' || !is_dir_entry(path, e))
            continue;
        if (nsubs == cap) {
            cap = cap ? cap * 2 : 16;
            char **ns = realloc(subs, cap * sizeof *ns);
            if (!ns) {
                rc = -1;
                break;
            }
            subs = ns;
        }
        if (!(subs[nsubs] = join(rel, e->d_name)))
            rc = -1;
        else
            nsubs++;
    }
    if (d)
        closedir(d);
    if (nsubs)
        qsort(subs, nsubs, sizeof *subs, cmp_str);
    for (size_t i = 0; i < nsubs; i++) {
        if (rc == 0)
            rc = find_roots(ca, subs[i]);
        free(subs[i]);
    }
    free(subs);
    free(path);
    return rc;
}

/* DIR/<rel with '/' replaced by '_'>.yaml; the search root itself is DIR/_root.yaml. */
static char *rendered_name(const char *dir, const char *rel)
{
    char *name = NULL;
    if (asprintf(&name, "%s.yaml", strcmp(rel, ".") == 0 ? "_root" : rel) < 0)
        return NULL;
    for (char *c = name; *c; c++)
        if (*c == '/')
            *c = '_';
    char *p = join(dir, name);
    free(name);
    return p;
}

/* Two roots whose committed outputs would be one file (a/b and a_b) is a setup error. */
static int rendered_collisions(check_args *ca)
{
    char **names = malloc((ca->nroots + 1) * sizeof *names);
    if (!names)
        return -1;
    for (size_t i = 0; i < ca->nroots; i++)
        names[i] = ca->roots[i].rendered;
    qsort(names, ca->nroots, sizeof *names, cmp_str);
    int bad = 0;
    for (size_t i = 1; i < ca->nroots; i++)
        if (strcmp(names[i - 1], names[i]) == 0) {
            fprintf(stderr, "error: two roots would share the committed output %s\n", names[i]);
            bad = 1;
        }
    free(names);
    return bad;
}

static int is_changed(const check_args *ca, const char *file)
{
    return file && bsearch(&file, ca->changed, ca->nchanged, sizeof *ca->changed, cmp_str) != NULL;
}

/* Whether a change touches root r, given the files its render read. */
static int root_affected(const check_args *ca, const root *r, const krender_result *res)
{
    if (ca->all)
        return 1;
    for (size_t i = 0; i < krender_result_file_count(res); i++)
        if (is_changed(ca, krender_result_file(res, i)))
            return 1;
    if (r->holds_change)
        return 1;
    if (r->rendered) {
        char *rendered = resolve(r->rendered);
        int yes = is_changed(ca, rendered);
        free(rendered);
        if (yes)
            return 1;
    }
    return 0;
}

static int cmp_root_real(const void *a, const void *b)
{
    return strcmp((*(root *const *)a)->real, (*(root *const *)b)->real);
}

/* Marks the roots whose directory holds a changed file: each file's ancestors are looked up
 * among the roots sorted by directory (files x depth lookups, not files x roots). */
static int mark_holding_roots(check_args *ca)
{
    root **by_dir = malloc((ca->nroots + 1) * sizeof *by_dir);
    if (!by_dir)
        return -1;
    for (size_t i = 0; i < ca->nroots; i++)
        by_dir[i] = &ca->roots[i];
    qsort(by_dir, ca->nroots, sizeof *by_dir, cmp_root_real);
    for (size_t f = 0; f < ca->nchanged; f++) {
        char *dir = strdup(ca->changed[f]);
        if (!dir) {
            free(by_dir);
            return -1;
        }
        char *slash;
        while ((slash = strrchr(dir, '/'))) {
            slash[slash == dir] = '\0'; /* "/a" -> "/" */
            root key = {.real = dir}, *kp = &key;
            root **hit = bsearch(&kp, by_dir, ca->nroots, sizeof *by_dir, cmp_root_real);
            if (hit)
                (*hit)->holds_change = 1;
            if (slash == dir)
                break;
        }
        free(dir);
    }
    free(by_dir);
    return 0;
}

/* Prints line `at` of buf (up to 160 bytes) after the marker, or a note at the end. */
static void print_line(FILE *f, const char *marker, const char *buf, size_t len, size_t at)
{
    if (at >= len) {
        fprintf(f, "  %s(end of file)\n", marker);
        return;
    }
    size_t end = at;
    while (end < len && buf[end] != '\n')
        end++;
    int n = end - at > 160 ? 160 : (int)(end - at);
    fprintf(f, "  %s%.*s%s%s\n", marker, n, buf + at, end - at > 160 ? "..." : "",
            end == len ? "  (no newline at end of file)" : "");
}

/* Compares the render with the committed file; reports the first differing line. */
static int compare_rendered(FILE *f, const root *r, const char *yaml, size_t len)
{
    size_t clen = 0;
    char *committed = read_all(r->rendered, &clen);
    if (!committed) {
        fprintf(f, "%s: cannot read the committed output %s: %s\n", r->path, r->rendered,
                strerror(errno));
        fprintf(f, "  create it with: krender build %s -o %s\n", r->path, r->rendered);
        return 1;
    }
    int differs = clen != len || memcmp(committed, yaml, len) != 0;
    if (differs) {
        size_t at = 0, line = 1, start = 0;
        while (at < len && at < clen && yaml[at] == committed[at]) {
            if (yaml[at] == '\n')
                line++, start = at + 1;
            at++;
        }
        fprintf(f, "%s: %s:%zu: differs from the rendered output\n", r->path, r->rendered, line);
        print_line(f, "- ", committed, clen, start);
        print_line(f, "+ ", yaml, len, start);
        fprintf(f, "  update it with: krender build %s -o %s\n", r->path, r->rendered);
    }
    free(committed);
    return differs;
}

/* krender_build_many's callback (on several threads): when a change affects root i, records
 * what is wrong with it. */
static void check_done(void *arg, size_t i, krender_result *res)
{
    check_args *ca = arg;
    root *r = &ca->roots[i];
    const krender_error *e = krender_result_error(res);
    int rc = res ? (e ? e->code : KRENDER_OK) : KRENDER_E_NOMEM;
    r->done = 1;
    r->affected = res ? root_affected(ca, r, res) : 1;
    if (r->affected) {
        size_t size;
        FILE *f = open_memstream(&r->report, &size);
        if (!f) {
            r->failed = 1;
        } else if (rc) {
            fprintf(f, "%s: ", r->path);
            if (res && krender_result_error(res))
                cli_print_error(f, krender_result_error(res));
            else
                fprintf(f, "error: %s\n", krender_strerror(rc));
            r->failed = 1;
        } else if (r->rendered) {
            size_t len;
            const char *yaml = krender_result_yaml(res, &len);
            r->failed = compare_rendered(f, r, yaml, len);
        }
        if (f)
            fclose(f);
    }
    krender_result_free(res);
}

/* Every root with one context and one view of the files, on -j threads. */
static void render_roots(check_args *ca)
{
    krender_ctx *ctx = NULL;
    const char **paths = calloc(ca->nroots ? ca->nroots : 1, sizeof *paths);
    if (!paths || krender_ctx_new(&ctx) != KRENDER_OK) { /* report() names the roots left */
        free(paths);
        return;
    }
    for (size_t i = 0; i < ca->nroots; i++)
        paths[i] = ca->roots[i].path;
    ca->opts.threads = ca->jobs > 0 ? (unsigned)ca->jobs : cli_cores();
    krender_build_many(ctx, paths, ca->nroots, &ca->opts, check_done, ca);
    krender_ctx_free(ctx);
    free(paths);
}

/* The repository's top level (git rev-parse), else "."; "." also when it is the current
 * directory, so paths in messages stay short. */
static char *default_base(void)
{
    char line[PATH_MAX + 2] = "";
    FILE *p = popen("git rev-parse --show-toplevel 2>/dev/null", "r");
    int ok = p && fgets(line, sizeof line, p) != NULL;
    if (p && pclose(p) != 0)
        ok = 0;
    line[strcspn(line, "\n")] = '\0';
    if (!ok || !line[0])
        return strdup(".");
    char *top = realpath(line, NULL), *cwd = realpath(".", NULL);
    char *base = strdup(top && cwd && strcmp(top, cwd) == 0 ? "." : line);
    free(top);
    free(cwd);
    return base;
}

static int add_changed(check_args *ca, const char *file)
{
    char *p = resolve(file);
    if (!p) {
        fprintf(stderr, "error: %s: %s\n", file, strerror(errno));
        return -1;
    }
    ca->changed[ca->nchanged++] = p;
    return 0;
}

static int parse_check_args(check_args *ca, int argc, char **argv, const char **root_flag)
{
    const char *v;
    int lim, status = 2;
    int files_only = 0;
    ca->all = 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (files_only || a[0] != '-' || !a[1]) {
            ca->all = 0;
            if (add_changed(ca, a) != 0)
                return 1;
        } else if (strcmp(a, "--") == 0) {
            files_only = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(cli_usage, stdout);
            return -1;
        } else if ((v = cli_flag_value(argc, argv, &i, "--root"))) {
            *root_flag = v;
        } else if ((v = cli_flag_value(argc, argv, &i, "--rendered"))) {
            ca->rendered_dir = v;
        } else if ((v = cli_flag_value(argc, argv, &i, "--jobs")) ||
                   (v = cli_flag_value(argc, argv, &i, "-j"))) {
            if ((ca->jobs = atoi(v)) < 1)
                return cli_fail_usage("invalid --jobs '%s'", v);
        } else if ((v = cli_flag_value(argc, argv, &i, "--load-restrictor"))) {
            if (cli_parse_load_restrictor(v, &ca->opts.load_restrictor) != 0)
                return cli_fail_usage("invalid --load-restrictor '%s'", v);
        } else if ((lim = cli_parse_limit(argc, argv, &i, &ca->opts, &status)) != 0) {
            if (lim < 0)
                return status;
        } else {
            return cli_fail_usage("unknown or incomplete flag '%s'", a);
        }
    }
    return 0;
}

/* Prints the reports in root order and the summary; returns the exit status. */
static int report(const check_args *ca)
{
    size_t affected = 0, failed = 0;
    for (size_t i = 0; i < ca->nroots; i++) {
        const root *r = &ca->roots[i];
        if (!r->done)
            fprintf(stderr, "%s: error: not rendered (out of memory)\n", r->path);
        affected += r->affected != 0;
        failed += r->failed || !r->done;
        if (r->report)
            fputs(r->report, stderr);
    }
    if (ca->all)
        fprintf(stderr, "krender check: %zu roots checked, %zu failed\n", ca->nroots, failed);
    else
        fprintf(stderr, "krender check: %zu of %zu roots affected by %zu changed file%s, %zu failed\n",
                affected, ca->nroots, ca->nchanged, ca->nchanged == 1 ? "" : "s", failed);
    return failed ? 1 : 0;
}

static void free_args(check_args *ca)
{
    for (size_t i = 0; i < ca->nchanged; i++)
        free(ca->changed[i]);
    free(ca->changed);
    for (size_t i = 0; i < ca->nroots; i++) {
        root *r = &ca->roots[i];
        free(r->rel);
        free(r->path);
        free(r->real);
        free(r->rendered);
        free(r->report);
    }
    free(ca->roots);
}

static int setup_rendered(check_args *ca)
{
    for (size_t i = 0; i < ca->nroots; i++)
        if (!(ca->roots[i].rendered = rendered_name(ca->rendered_dir, ca->roots[i].rel)))
            return -1;
    return rendered_collisions(ca);
}

int cmd_check(int argc, char **argv)
{
    check_args ca = {.opts = KRENDER_OPTIONS_INIT};
    const char *root_flag = NULL;
    char *base = NULL;
    int status = 2;
    ca.changed = calloc((size_t)argc + 1, sizeof *ca.changed);
    if (!ca.changed)
        return 1;
    int prc = parse_check_args(&ca, argc, argv, &root_flag);
    if (prc) {
        status = prc < 0 ? 0 : prc;
        goto done;
    }
    qsort(ca.changed, ca.nchanged, sizeof *ca.changed, cmp_str);
    base = root_flag ? strdup(root_flag) : default_base();
    struct stat st;
    if (!base || stat(base, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "error: %s is not a directory\n", base ? base : "root");
        goto done;
    }
    ca.base = base;
    if (find_roots(&ca, ".") != 0) {
        fprintf(stderr, "error: searching %s for kustomizations: %s\n", base, strerror(errno));
        status = 1;
        goto done;
    }
    if (ca.rendered_dir && setup_rendered(&ca) != 0)
        goto done;
    if (mark_holding_roots(&ca) != 0)
        goto done;
    render_roots(&ca);
    status = report(&ca);
done:
    free_args(&ca);
    free(base);
    return status;
}
