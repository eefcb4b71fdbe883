/* `kustomize edit` and the Argo CD config-management plugin, over the public API. */
#include "edit.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "krender.h"
#include "output.h"

/* Prints the error of a failed call as "Error: ..." (kustomize's cobra prefix). */
static void print_failure(const krender_result *res, int rc)
{
    fputs("Error: ", stderr);
    if (res && krender_result_error(res))
        cli_print_error(stderr, krender_result_error(res));
    else
        fprintf(stderr, "%s\n", krender_strerror(rc));
}

int cmd_edit(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: kustomize edit set nameprefix|namesuffix|namespace|image|replicas ARGS...\n"
              "       kustomize edit add label|annotation|component|patch ARGS...\n",
              stderr);
        return 2;
    }
    krender_ctx *ctx = NULL;
    krender_result *res = NULL;
    krender_edit e = {(const char *const *)argv, (size_t)argc};
    int rc = krender_ctx_new(&ctx);
    if (!rc)
        rc = krender_edit_kustomization(&res, ctx, ".", &e, 1, NULL);
    int status = 0;
    if (rc) {
        print_failure(res, rc);
        status = 1;
    } else {
        size_t len;
        const char *text = krender_result_yaml(res, &len);
        const char *path = krender_result_file(res, 0);
        if (!path || cli_write_file(path, text, len) != 0) {
            fprintf(stderr, "Error: writing %s: %s\n", path ? path : "the kustomization",
                    strerror(errno));
            status = 1;
        }
    }
    krender_result_free(res);
    krender_ctx_free(ctx);
    return status;
}

/* ---- Argo CD config-management plugin ---- */

/* The edit commands being collected: each one an argv in one growing array of strings. */
typedef struct edits {
    krender_edit *list;
    size_t n, cap;
    char **strings; /* every string allocated here, for freeing */
    size_t nstrings, capstrings;
    json_object *patches; /* the parsed patches parameter: words point into it */
} edits;

static char *keep(edits *ed, char *s)
{
    if (!s)
        return NULL;
    if (ed->nstrings == ed->capstrings) {
        size_t cap = ed->capstrings ? ed->capstrings * 2 : 32;
        char **p = realloc(ed->strings, cap * sizeof *p);
        if (!p) {
            free(s);
            return NULL;
        }
        ed->strings = p;
        ed->capstrings = cap;
    }
    return ed->strings[ed->nstrings++] = s;
}

static int add_command(edits *ed, const char *const *words, size_t n)
{
    if (ed->n == ed->cap) {
        size_t cap = ed->cap ? ed->cap * 2 : 8;
        krender_edit *p = realloc(ed->list, cap * sizeof *p);
        if (!p)
            return -1;
        ed->list = p;
        ed->cap = cap;
    }
    const char **argv = malloc((n + 1) * sizeof *argv);
    if (!argv || !keep(ed, (char *)argv))
        return -1;
    for (size_t i = 0; i < n; i++)
        argv[i] = words[i];
    ed->list[ed->n++] = (krender_edit){argv, n};
    return 0;
}

static void free_edits(edits *ed)
{
    for (size_t i = 0; i < ed->nstrings; i++)
        free(ed->strings[i]);
    free(ed->strings);
    free(ed->list);
    json_object_put(ed->patches);
}

/* Argo CD's Envsubst: os.Expand over the build environment Argo CD gives plugins ($VAR,
 * ${VAR}, "$$" for "$"; unknown names expand to ""). */
static const char *const build_env[] = {
    "ARGOCD_APP_NAME", "ARGOCD_APP_NAMESPACE", "ARGOCD_APP_PROJECT_NAME", "ARGOCD_APP_REVISION",
    "ARGOCD_APP_REVISION_SHORT", "ARGOCD_APP_REVISION_SHORT_8", "ARGOCD_APP_SOURCE_PATH",
    "ARGOCD_APP_SOURCE_REPO_URL", "ARGOCD_APP_SOURCE_TARGET_REVISION", "KUBE_VERSION",
    "KUBE_API_VERSIONS"};

static const char *env_value(const char *name, size_t len)
{
    if (len == 1 && name[0] == '$')
        return "$";
    for (size_t i = 0; i < sizeof build_env / sizeof build_env[0]; i++)
        if (strlen(build_env[i]) == len && strncmp(build_env[i], name, len) == 0) {
            const char *v = getenv(build_env[i]);
            return v ? v : "";
        }
    return "";
}

static bool shell_special(char c)
{
    return strchr("*#$@!?-0123456789", c) != NULL && c;
}

static bool alnum_(char c)
{
    return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char *envsubst(const char *s)
{
    size_t cap = strlen(s) * 2 + 64, n = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
#define PUT(p, l)                                          \
    do {                                                   \
        size_t l_ = (l);                                   \
        while (n + l_ + 1 > cap) {                         \
            char *q_ = realloc(out, cap *= 2);             \
            if (!q_) {                                     \
                free(out);                                 \
                return NULL;                               \
            }                                              \
            out = q_;                                      \
        }                                                  \
        memcpy(out + n, (p), l_);                          \
        n += l_;                                           \
    } while (0)
    size_t len = strlen(s);
    for (size_t j = 0; j < len; j++) {
        if (s[j] != '$' || j + 1 >= len) {
            PUT(s + j, 1);
            continue;
        }
        const char *t = s + j + 1;
        size_t tl = len - j - 1, w = 0;
        const char *name = NULL;
        size_t nlen = 0;
        if (t[0] == '{') {
            if (tl > 2 && shell_special(t[1]) && t[2] == '}') {
                name = t + 1, nlen = 1, w = 3;
            } else {
                w = 1; /* bad syntax: eat "${" */
                for (size_t i = 1; i < tl; i++)
                    if (t[i] == '}') {
                        if (i == 1)
                            w = 2; /* "${}" */
                        else
                            name = t + 1, nlen = i - 1, w = i + 1;
                        break;
                    }
            }
        } else if (shell_special(t[0])) {
            name = t, nlen = 1, w = 1;
        } else {
            while (w < tl && alnum_(t[w]))
                w++;
            if (w)
                name = t, nlen = w;
        }
        if (name) {
            const char *v = env_value(name, nlen);
            PUT(v, strlen(v));
        } else if (!w) {
            PUT("$", 1); /* "$" not followed by a name stays */
        }
        j += w;
    }
    out[n] = 0;
    return out;
#undef PUT
}

/* A parameter Argo CD passed: from ARGOCD_APP_PARAMETERS (JSON), else PARAM_<NAME> variables
 * (strings and arrays only: map keys do not survive Argo CD's renaming). */
typedef struct params {
    json_object *json; /* the parsed array, or NULL */
} params;

static json_object *param_find(const params *p, const char *name)
{
    size_t n = p->json ? json_object_array_length(p->json) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(p->json, i), *nm;
        if (json_object_object_get_ex(o, "name", &nm) &&
            strcmp(json_object_get_string(nm), name) == 0)
            return o;
    }
    return NULL;
}

static void env_name(const char *name, const char *suffix, char *out, size_t cap)
{
    snprintf(out, cap, "PARAM_%s%s", name, suffix);
    for (char *c = out; *c; c++)
        *c = alnum_(*c) && *c != '_' ? (char)((*c >= 'a' && *c <= 'z') ? *c - 32 : *c) : '_';
}

static const char *param_string(const params *p, const char *name)
{
    json_object *o = param_find(p, name), *v;
    if (o)
        return json_object_object_get_ex(o, "string", &v) ? json_object_get_string(v) : NULL;
    char env[256];
    env_name(name, "", env, sizeof env);
    return getenv(env);
}

static bool param_true(const params *p, const char *name)
{
    const char *v = param_string(p, name);
    return v && strcmp(v, "true") == 0;
}

/* Array parameter item i, or NULL past the end. */
static const char *param_item(const params *p, const char *name, size_t i)
{
    json_object *o = param_find(p, name), *v;
    if (o) {
        if (!json_object_object_get_ex(o, "array", &v) || i >= json_object_array_length(v))
            return NULL;
        return json_object_get_string(json_object_array_get_idx(v, i));
    }
    char env[256], suffix[32];
    snprintf(suffix, sizeof suffix, "_%zu", i);
    env_name(name, suffix, env, sizeof env);
    return getenv(env);
}

static json_object *param_map(const params *p, const char *name)
{
    json_object *o = param_find(p, name), *v;
    return o && json_object_object_get_ex(o, "map", &v) ? v : NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "add label"/"add annotation" with K:V words in key order (Argo CD iterates a Go map). */
static int add_map_command(edits *ed, const char *what, json_object *map, const char *force,
                           const char *const *flags, size_t nflags, bool subst)
{
    size_t n = (size_t)json_object_object_length(map), w = 0;
    const char **keys = calloc(n + 1, sizeof *keys);
    const char **words = calloc(n + 8, sizeof *words);
    int rc = -1;
    if (!keys || !words)
        goto out;
    size_t k = 0;
    json_object_object_foreach(map, key, val)
    {
        (void)val;
        keys[k++] = key;
    }
    qsort(keys, n, sizeof *keys, cmp_str);
    words[w++] = "add";
    words[w++] = what;
    if (force)
        words[w++] = force;
    for (size_t i = 0; i < nflags; i++)
        words[w++] = flags[i];
    for (size_t i = 0; i < n; i++) {
        json_object *v = json_object_object_get(map, keys[i]);
        const char *value = json_object_get_string(v);
        char *subd = subst ? keep(ed, envsubst(value ? value : "")) : NULL;
        if (subst && !subd)
            goto out;
        size_t len = strlen(keys[i]) + strlen(subd ? subd : value ? value : "") + 2;
        char *word = keep(ed, malloc(len));
        if (!word)
            goto out;
        snprintf(word, len, "%s:%s", keys[i], subd ? subd : value ? value : "");
        words[w++] = word;
    }
    rc = add_command(ed, words, w);
out:
    free(keys);
    free(words);
    return rc;
}

/* One Argo CD patch (the kustomize patches item syntax, JSON) as `add patch` flags. */
static int add_patch_command(edits *ed, json_object *patch)
{
    static const char *const fields[][2] = {{"path", "--path"}, {"patch", "--patch"}};
    static const char *const target[][2] = {
        {"group", "--group"},         {"version", "--version"},
        {"kind", "--kind"},           {"name", "--name"},
        {"namespace", "--namespace"}, {"labelSelector", "--label-selector"},
        {"annotationSelector", "--annotation-selector"}};
    const char *words[32];
    size_t w = 0;
    words[w++] = "add";
    words[w++] = "patch";
    json_object *v, *t;
    if (!json_object_is_type(patch, json_type_object))
        return 1;
    json_object_object_foreach(patch, key, val)
    {
        (void)val;
        if (strcmp(key, "path") && strcmp(key, "patch") && strcmp(key, "target"))
            return 1; /* options (allowNameChange ...) cannot be expressed by `add patch` */
    }
    for (size_t i = 0; i < 2; i++)
        if (json_object_object_get_ex(patch, fields[i][0], &v)) {
            words[w++] = fields[i][1];
            words[w++] = json_object_get_string(v);
        }
    if (json_object_object_get_ex(patch, "target", &t))
        for (size_t i = 0; i < 7; i++)
            if (json_object_object_get_ex(t, target[i][0], &v)) {
                words[w++] = target[i][1];
                words[w++] = json_object_get_string(v);
            }
    return add_command(ed, words, w) ? -1 : 0;
}

/* The edits Argo CD's kustomize integration would run for these parameters, in its order. */
static int collect_edits(const params *p, edits *ed, char *err, size_t errcap)
{
    const char *v;
    if ((v = param_string(p, "namePrefix")) && *v &&
        add_command(ed, (const char *const[]){"set", "nameprefix", "--", v}, 4))
        return -1;
    if ((v = param_string(p, "nameSuffix")) && *v &&
        add_command(ed, (const char *const[]){"set", "namesuffix", "--", v}, 4))
        return -1;
    for (int list = 0; list < 2; list++) { /* images, then replicas */
        const char *name = list ? "replicas" : "images";
        size_t n = 0;
        while (param_item(p, name, n))
            n++;
        json_object *map = list ? param_map(p, "replicas") : NULL;
        size_t nmap = map ? (size_t)json_object_object_length(map) : 0;
        if (!n && !nmap)
            continue;
        const char **words = calloc(n + nmap + 3, sizeof *words);
        if (!words)
            return -1;
        size_t w = 0;
        words[w++] = "set";
        words[w++] = list ? "replicas" : "image";
        for (size_t i = 0; i < n; i++) {
            /* replicas are used as given (the parameter outlives the edits); images expanded */
            const char *item = param_item(p, name, i);
            const char *s = list ? item : keep(ed, envsubst(item));
            if (!s) {
                free(words);
                return -1;
            }
            words[w++] = s;
        }
        if (map) {
            json_object_object_foreach(map, key, val)
            {
                size_t len = strlen(key) + 32;
                char *s = keep(ed, malloc(len));
                if (!s) {
                    free(words);
                    return -1;
                }
                snprintf(s, len, "%s=%s", key, json_object_get_string(val));
                words[w++] = s;
            }
        }
        int rc = add_command(ed, words, w);
        free(words);
        if (rc)
            return -1;
    }
    json_object *labels = param_map(p, "commonLabels");
    if (labels && json_object_object_length(labels)) {
        const char *flags[2];
        size_t nf = 0;
        if (param_true(p, "labelWithoutSelector"))
            flags[nf++] = "--without-selector";
        if (param_true(p, "labelIncludeTemplates"))
            flags[nf++] = "--include-templates";
        if (add_map_command(ed, "label", labels,
                            param_true(p, "forceCommonLabels") ? "--force" : NULL, flags, nf, true))
            return -1;
    }
    json_object *annotations = param_map(p, "commonAnnotations");
    if (annotations && json_object_object_length(annotations) &&
        add_map_command(ed, "annotation", annotations,
                        param_true(p, "forceCommonAnnotations") ? "--force" : NULL, NULL, 0,
                        param_true(p, "commonAnnotationsEnvsubst")))
        return -1;
    if ((v = param_string(p, "namespace")) && *v &&
        add_command(ed, (const char *const[]){"set", "namespace", "--", v}, 4))
        return -1;
    if ((v = param_string(p, "patches")) && *v) {
        json_object *list = json_tokener_parse(v);
        if (!list || !json_object_is_type(list, json_type_array)) {
            snprintf(err, errcap, "parameter patches: not a JSON list of patches");
            json_object_put(list);
            return 1;
        }
        ed->patches = list; /* the words point into it until the edits are done */
        for (size_t i = 0; i < json_object_array_length(list); i++) {
            int rc = add_patch_command(ed, json_object_array_get_idx(list, i));
            if (rc > 0)
                snprintf(err, errcap, "parameter patches: item %zu: only path, patch and "
                         "target can be given", i + 1);
            if (rc)
                return rc;
        }
    }
    size_t ncomp = 0;
    while (param_item(p, "components", ncomp))
        ncomp++;
    if (ncomp) {
        const char **words = calloc(ncomp + 2, sizeof *words);
        size_t w = 0;
        if (!words)
            return -1;
        words[w++] = "add";
        words[w++] = "component";
        bool ignore_missing = param_true(p, "ignoreMissingComponents");
        for (size_t i = 0; i < ncomp; i++) {
            const char *c = param_item(p, "components", i);
            struct stat st;
            if (ignore_missing && stat(c, &st) != 0)
                continue;
            words[w++] = c;
        }
        int rc = w > 2 ? add_command(ed, words, w) : 0;
        free(words);
        if (rc)
            return -1;
    }
    return 0;
}

/* ARGOCD_ENV_KUSTOMIZE_BUILD_OPTIONS (the plugin's env in the Application): the build flags
 * that make sense here, as Argo CD's kustomize.buildOptions spells them. */
static int build_options(krender_options *opts, char *err, size_t errcap)
{
    const char *s = getenv("ARGOCD_ENV_KUSTOMIZE_BUILD_OPTIONS");
    if (!s)
        return 0;
    char *copy = strdup(s), *save = NULL;
    if (!copy)
        return -1;
    int rc = 0;
    for (char *w = strtok_r(copy, " \t\n", &save); w && !rc; w = strtok_r(NULL, " \t\n", &save)) {
        const char *v = NULL;
        if (strncmp(w, "--load-restrictor", 17) == 0) {
            v = w[17] == '=' ? w + 18 : w[17] ? NULL : strtok_r(NULL, " \t\n", &save);
            if (!v || cli_parse_load_restrictor(v, &opts->load_restrictor) != 0)
                rc = 1;
        } else if (strcmp(w, "--enable-managedby-label") == 0) {
            opts->enable_managedby_label = 1;
        } else if (strcmp(w, "--enable-helm") && strcmp(w, "--enable-alpha-plugins") &&
                   strcmp(w, "--enable-exec")) {
            rc = 1;
        }
        if (rc)
            snprintf(err, errcap, "ARGOCD_ENV_KUSTOMIZE_BUILD_OPTIONS: unsupported option '%s'",
                     w);
    }
    free(copy);
    return rc;
}

/* The repository checkout: the working directory minus ARGOCD_APP_SOURCE_PATH. Nothing
 * outside it is read (the jail), as the repo-server gives a plugin nothing else. */
static char *checkout_root(void)
{
    const char *src = getenv("ARGOCD_APP_SOURCE_PATH");
    char *cwd = getcwd(NULL, 0);
    if (!cwd || !src)
        return cwd;
    while (src[0] == '.' && src[1] == '/')
        src += 2;
    size_t n = strlen(cwd), m = strlen(src);
    while (m && src[m - 1] == '/')
        m--;
    if (m == 0 || (m == 1 && src[0] == '.'))
        return cwd;
    if (n > m && cwd[n - m - 1] == '/' && strncmp(cwd + n - m, src, m) == 0)
        cwd[n - m - 1 ? n - m - 1 : 1] = 0;
    return cwd;
}

int cmd_argocd(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "generate") != 0 || argc > 2) {
        fputs("usage: krender argocd generate [DIR]   (the generate command of the Argo CD\n"
              "       config-management plugin: renders DIR, default ., with the Application's\n"
              "       parameters applied in memory; prints nothing on failure)\n",
              stderr);
        return 2;
    }
    const char *dir = argc > 1 ? argv[1] : ".";
    params p = {NULL};
    edits ed = {0};
    char err[512] = "";
    krender_options opts = KRENDER_OPTIONS_INIT;
    krender_ctx *ctx = NULL;
    krender_result *res = NULL;
    char *root = NULL;
    int status = 1, rc = 0;
    const char *pj = getenv("ARGOCD_APP_PARAMETERS");
    if (pj && *pj) {
        p.json = json_tokener_parse(pj);
        if (!p.json || !json_object_is_type(p.json, json_type_array)) {
            fprintf(stderr, "error: ARGOCD_APP_PARAMETERS is not a JSON list of parameters\n");
            goto out;
        }
    }
    if ((rc = collect_edits(&p, &ed, err, sizeof err)) || (rc = build_options(&opts, err, sizeof err))) {
        fprintf(stderr, "error: %s\n", rc > 0 ? err : "out of memory");
        goto out;
    }
    opts.edits = ed.list;
    opts.edit_count = ed.n;
    opts.jail_root = root = checkout_root();
    opts.threads = cli_cores(); /* as `krender build` of one root: a big app reads ahead */
    if ((rc = krender_ctx_new(&ctx)) != 0 || (rc = krender_build(&res, ctx, dir, &opts)) != 0) {
        for (size_t w = 0; w < krender_result_warning_count(res); w++)
            fprintf(stderr, "%s\n", krender_result_warning(res, w));
        fputs("error: ", stderr);
        if (res && krender_result_error(res))
            cli_print_error(stderr, krender_result_error(res));
        else
            fprintf(stderr, "%s\n", krender_strerror(rc));
        goto out;
    }
    for (size_t w = 0; w < krender_result_warning_count(res); w++)
        fprintf(stderr, "%s\n", krender_result_warning(res, w));
    size_t len;
    const char *yaml = krender_result_yaml(res, &len);
    if (cli_write_all(1, yaml, len) != 0) {
        fprintf(stderr, "error: writing stdout: %s\n", strerror(errno));
        goto out;
    }
    status = 0;
out:
    krender_result_free(res);
    krender_ctx_free(ctx);
    free_edits(&ed);
    json_object_put(p.json);
    free(root);
    return status;
}
