#include "kedit.h"

#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emit.h"
#include "gotypes.h"
#include "loader.h"
#include "parse.h"
#include "xf_fields.h"

typedef struct edit {
    kr_render *r;
    kr_arena *a;
    kr_node *k; /* the canonical kustomization being edited */
    const char *path, *dir;
    /* the command being run */
    const char **args; /* positional arguments */
    size_t nargs;
    bool force, without_selector, include_templates;
    const char *patch_flags[9]; /* add patch: --path --patch --group ... */
} edit;

static int refuse(edit *e, const char *fmt, const char *arg)
{
    return kr_err_set(e->r->err, KRENDER_E_INVALID_ARG, NULL, 0, 0, fmt, arg);
}

static kr_node *str_node(edit *e, const char *s, size_t len)
{
    return kr_node_scalar(e->a, KR_T_STR, s, len);
}

static const char *field_str(const kr_node *m, const char *key)
{
    const char *s = kr_map_get_str(m, key);
    return s ? s : "";
}

/* Sets or removes (for "") a string field of a canonical struct. */
static int set_str(edit *e, kr_node *m, const char *key, const char *value)
{
    if (!*value) {
        kr_map_remove(m, key);
        return 0;
    }
    kr_node *v = str_node(e, value, strlen(value));
    return v && kr_map_set(e->a, m, key, v) ? 0 : kr_err_nomem(e->r->err);
}

/* The list or map at k[key], created empty when absent. */
static kr_node *get_or_make(edit *e, kr_node *m, const char *key, kr_node_kind kind)
{
    kr_node *v = kr_map_get(m, key);
    if (v && v->kind == kind)
        return v;
    v = kind == KR_MAP ? kr_node_map(e->a, 4) : kr_node_seq(e->a, 4);
    return v && kr_map_set(e->a, m, key, v) ? v : NULL;
}

/* ---- set nameprefix / namesuffix / namespace ---- */

static int set_scalar_field(edit *e, const char *key, const char *what)
{
    if (e->nargs != 1)
        return refuse(e, "must specify exactly one %s value", what);
    return set_str(e, e->k, key, e->args[0]);
}

/* ---- set image ---- */

typedef struct image_arg {
    const char *name, *new_name, *tag_suffix, *new_tag, *digest;
} image_arg;

static const char *const image_usage =
    "invalid format of image, use one of the following options:\n"
    "- <image>=<newimage>:<newtag>\n- <image>=<newimage>@<digest>\n"
    "- <image>=<newimage>:<newtag>@<digest>\n- <image>=<newimage>\n- <image>:<newtag>\n"
    "- <image>:<newtag>@<digest>\n- <image>@<digest>%s";

static int parse_image_arg(edit *e, const char *arg, image_arg *out)
{
    const char *eq = strchr(arg, '=');
    const char *value = eq ? eq + 1 : arg;
    kr_image_ref ref = kr_image_split(value);
    char *name = kr_arena_strndup(e->a, ref.name, ref.name_len);
    char *tag = kr_arena_strndup(e->a, ref.tag, ref.tag_len);
    char *digest = kr_arena_strndup(e->a, ref.digest, ref.digest_len);
    if (!name || !tag || !digest)
        return kr_err_nomem(e->r->err);
    if (strcmp(name, arg) == 0)
        return refuse(e, image_usage, "");
    *out = (image_arg){name, "", "", tag, digest};
    if (eq) {
        out->new_name = name;
        if (!(out->name = kr_arena_strndup(e->a, arg, (size_t)(eq - arg))))
            return kr_err_nomem(e->r->err);
    }
    return 0;
}

static image_arg image_of(const kr_node *m)
{
    return (image_arg){field_str(m, "name"), field_str(m, "newName"), field_str(m, "tagSuffix"),
                       field_str(m, "newTag"), field_str(m, "digest")};
}

/* kustomize's replaceNewName & co. rebuild the image without its tagSuffix */
static image_arg preserve(image_arg arg, const image_arg *old)
{
    const char *star = "*";
    if (strcmp(arg.new_name, star) == 0)
        arg = (image_arg){arg.name, old->new_name, "", arg.new_tag, arg.digest};
    if (strcmp(arg.new_tag, star) == 0)
        arg = (image_arg){arg.name, arg.new_name, "", old->new_tag, arg.digest};
    if (strcmp(arg.digest, star) == 0)
        arg = (image_arg){arg.name, arg.new_name, "", arg.new_tag, old->digest};
    return arg;
}

static int cmp_image(const void *a, const void *b)
{
    return strcmp(((const image_arg *)a)->name, ((const image_arg *)b)->name);
}

static int set_image(edit *e)
{
    if (!e->nargs)
        return refuse(e, "no image specified%s", "");
    kr_node *old = kr_map_get(e->k, "images");
    size_t nold = old ? old->len : 0, n = 0;
    image_arg *set = kr_arena_alloc(e->a, (e->nargs + nold + 1) * sizeof *set);
    if (!set)
        return kr_err_nomem(e->r->err);
    /* a map keyed by name: a later argument replaces an earlier one */
    for (size_t i = 0; i < e->nargs; i++) {
        image_arg im;
        int rc = parse_image_arg(e, e->args[i], &im);
        if (rc)
            return rc;
        size_t j = 0;
        while (j < n && strcmp(set[j].name, im.name) != 0)
            j++;
        set[j] = im;
        n += j == n;
    }
    /* a listed image named by an argument takes the argument, "*" keeping the listed part;
     * of images listed twice the first wins */
    for (size_t i = 0; i < nold; i++) {
        image_arg im = image_of(old->u.items[i]);
        size_t j = 0;
        while (j < n && strcmp(set[j].name, im.name) != 0)
            j++;
        if (j < n)
            set[j] = preserve(set[j], &im);
        else
            set[n++] = im;
    }
    kr_node *list = kr_node_seq(e->a, (uint32_t)n);
    if (!list)
        return kr_err_nomem(e->r->err);
    qsort(set, n, sizeof *set, cmp_image);
    const image_arg none = {"", "", "", "", ""};
    for (size_t i = 0; i < n; i++) {
        image_arg im = preserve(set[i], &none); /* a "*" with nothing to keep */
        kr_node *m = kr_node_map(e->a, 5);
        if (!m || !kr_seq_append(e->a, list, m))
            return kr_err_nomem(e->r->err);
        const char *keys[] = {"name", "newName", "tagSuffix", "newTag", "digest"};
        const char *vals[] = {im.name, im.new_name, im.tag_suffix, im.new_tag, im.digest};
        for (size_t f = 0; f < 5; f++) {
            int rc = set_str(e, m, keys[f], vals[f]);
            if (rc)
                return rc;
        }
    }
    return kr_map_set(e->a, e->k, "images", list) ? 0 : kr_err_nomem(e->r->err);
}

/* ---- set replicas ---- */

typedef struct replica_arg {
    const char *name;
    const kr_node *count; /* canonical int */
} replica_arg;

static int cmp_replica(const void *a, const void *b)
{
    return strcmp(((const replica_arg *)a)->name, ((const replica_arg *)b)->name);
}

static const char *const replicas_usage =
    "invalid format of replica, use the following format: <name>=<count>%s";

static int set_replicas(edit *e)
{
    if (!e->nargs)
        return refuse(e, "no replicas specified%s", "");
    kr_node *old = kr_map_get(e->k, "replicas");
    size_t nold = old ? old->len : 0, n = 0;
    replica_arg *set = kr_arena_alloc(e->a, (e->nargs + nold + 1) * sizeof *set);
    if (!set)
        return kr_err_nomem(e->r->err);
    for (size_t i = 0; i < e->nargs; i++) {
        const char *arg = e->args[i], *eq = strchr(arg, '=');
        if (!eq || strchr(eq + 1, '='))
            return refuse(e, replicas_usage, "");
        /* strconv.ParseInt(s, 10, 64): optional sign, decimal digits, in range */
        const char *num = eq + 1, *d = num + (*num == '+' || *num == '-');
        errno = 0;
        char *end;
        long long count = strtoll(num, &end, 10);
        if (!*d || *end || errno || strspn(d, "0123456789") != strlen(d))
            return refuse(e, replicas_usage, "");
        char *name = kr_arena_strndup(e->a, arg, (size_t)(eq - arg));
        char *text = kr_arena_printf(e->a, "%lld", count);
        kr_node *cn = text ? kr_node_scalar(e->a, KR_T_INT, text, strlen(text)) : NULL;
        if (!name || !cn)
            return kr_err_nomem(e->r->err);
        size_t j = 0;
        while (j < n && strcmp(set[j].name, name) != 0)
            j++;
        set[j] = (replica_arg){name, cn};
        n += j == n;
    }
    for (size_t i = 0; i < nold; i++) { /* listed ones not named by an argument stay */
        const kr_node *m = old->u.items[i];
        replica_arg rep = {field_str(m, "name"), kr_map_get(m, "count")};
        size_t j = 0;
        while (j < n && strcmp(set[j].name, rep.name) != 0)
            j++;
        if (j == n)
            set[n++] = rep;
    }
    qsort(set, n, sizeof *set, cmp_replica);
    kr_node *list = kr_node_seq(e->a, (uint32_t)n);
    if (!list)
        return kr_err_nomem(e->r->err);
    for (size_t i = 0; i < n; i++) {
        kr_node *m = kr_node_map(e->a, 2);
        if (!m || !kr_seq_append(e->a, list, m) || set_str(e, m, "name", set[i].name) ||
            (set[i].count && !kr_map_set(e->a, m, "count", (kr_node *)set[i].count)))
            return kr_err_nomem(e->r->err);
    }
    return kr_map_set(e->a, e->k, "replicas", list) ? 0 : kr_err_nomem(e->r->err);
}

/* ---- add label / add annotation ---- */

typedef struct kv {
    const char *key, *value;
} kv;

static void trim_quotes(char *s)
{
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        memmove(s, s + 1, n - 2);
        s[n - 2] = 0;
    }
}

/* util.ConvertSliceToMap: "k:v" (v may be quoted), "k" alone means an empty value; a later
 * argument replaces an earlier one of the same key. */
static int parse_pairs(edit *e, const char *kind, kv **out, size_t *count)
{
    kv *pairs = kr_arena_alloc(e->a, (e->nargs + 1) * sizeof *pairs);
    size_t n = 0;
    if (!pairs)
        return kr_err_nomem(e->r->err);
    for (size_t i = 0; i < e->nargs; i++) {
        const char *arg = e->args[i];
        size_t klen = strcspn(arg, ":"); /* the key: up to the first colon, if any */
        if (klen == 0 && arg[0] == ':')
            return kr_err_set(e->r->err, KRENDER_E_INVALID_ARG, NULL, 0, 0,
                              "invalid %s: '%s' (need k:v pair where v may be quoted)", kind, arg);
        char *key = kr_arena_strndup(e->a, arg, klen);
        char *value = kr_arena_strdup(e->a, arg[klen] == ':' ? arg + klen + 1 : "");
        if (!key || !value)
            return kr_err_nomem(e->r->err);
        trim_quotes(value);
        size_t j = 0;
        while (j < n && strcmp(pairs[j].key, key) != 0)
            j++;
        pairs[j] = (kv){key, value};
        n += j == n;
    }
    *out = pairs;
    *count = n;
    return 0;
}

static int put_pair(edit *e, kr_node *map, const kv *p, const char *kind)
{
    if (kr_map_get(map, p->key) && !e->force)
        return kr_err_set(e->r->err, KRENDER_E_INVALID_ARG, NULL, 0, 0,
                          "%s %s already in kustomization file. Use --force to override.", kind,
                          p->key);
    kr_node *v = str_node(e, p->value, strlen(p->value));
    return v && kr_map_set(e->a, map, p->key, v) ? 0 : kr_err_nomem(e->r->err);
}

/* the first `labels` entry with the settings of the one being added (includeSelectors false) */
static kr_node *matching_label(edit *e)
{
    kr_node *labels = kr_map_get(e->k, "labels");
    for (uint32_t i = 0; labels && i < labels->len; i++) {
        kr_node *l = labels->u.items[i];
        bool sel = kr_map_get(l, "includeSelectors") != NULL; /* canonical: present = true */
        bool tpl = kr_map_get(l, "includeTemplates") != NULL;
        if (!sel && tpl == e->include_templates)
            return l;
    }
    return NULL;
}

static int add_metadata(edit *e, bool label)
{
    const char *kind = label ? "label" : "annotation";
    if (!e->nargs)
        return kr_err_set(e->r->err, KRENDER_E_INVALID_ARG, NULL, 0, 0, "must specify %s", kind);
    if (!e->without_selector && e->include_templates)
        return refuse(e, "--without-selector flag must be specified for --include-templates to "
                         "work%s", "");
    kv *pairs = NULL;
    size_t n = 0;
    int rc = parse_pairs(e, kind, &pairs, &n);
    if (rc)
        return rc;
    if (!label || !e->without_selector) {
        kr_node *map = get_or_make(e, e->k, label ? "commonLabels" : "commonAnnotations", KR_MAP);
        if (!map)
            return kr_err_nomem(e->r->err);
        for (size_t i = 0; i < n; i++)
            if ((rc = put_pair(e, map, &pairs[i], kind)))
                return rc;
        return 0;
    }
    /* `labels` entries. kustomize writes every pair into a new entry when none matches, then
     * finds that entry for the next pair: without --force a second pair is refused as already
     * present (kustomize v5.6.0 does exactly this). */
    for (size_t i = 0; i < n; i++) {
        kr_node *l = matching_label(e);
        if (l) {
            kr_node *pm = get_or_make(e, l, "pairs", KR_MAP);
            if (!pm)
                return kr_err_nomem(e->r->err);
            if ((rc = put_pair(e, pm, &pairs[i], kind)))
                return rc;
            continue;
        }
        kr_node *labels = get_or_make(e, e->k, "labels", KR_SEQ);
        kr_node *nl = kr_node_map(e->a, 3), *pm = kr_node_map(e->a, (uint32_t)n);
        if (!labels || !nl || !pm || !kr_map_set(e->a, nl, "pairs", pm) ||
            !kr_seq_append(e->a, labels, nl))
            return kr_err_nomem(e->r->err);
        if (e->include_templates) {
            kr_node *t = kr_node_scalar(e->a, KR_T_BOOL, "true", 4);
            if (!t || !kr_map_set(e->a, nl, "includeTemplates", t))
                return kr_err_nomem(e->r->err);
        }
        for (size_t j = 0; j < n; j++)
            if ((rc = put_pair(e, pm, &pairs[j], kind)))
                return rc;
    }
    return 0;
}

/* ---- add component ---- */

static bool has_glob_meta(const char *s)
{
    return strpbrk(s, "*?[\\") != NULL;
}

static int add_one_component(edit *e, kr_node *list, const char *c)
{
    const char *kname = strrchr(e->path, '/') + 1;
    if (strcmp(c, kname) == 0) /* the kustomization file itself */
        return 0;
    for (uint32_t i = 0; i < list->len; i++)
        if (strcmp(list->u.items[i]->u.text, c) == 0)
            return 0; /* kustomize logs "already in kustomization file" and goes on */
    kr_node *v = str_node(e, c, strlen(c));
    return v && kr_seq_append(e->a, list, v) ? 0 : kr_err_nomem(e->r->err);
}

static int add_component(edit *e)
{
    if (!e->nargs)
        return refuse(e, "must specify a component file%s", "");
    kr_node *list = get_or_make(e, e->k, "components", KR_SEQ);
    if (!list)
        return kr_err_nomem(e->r->err);
    for (size_t i = 0; i < e->nargs; i++) {
        const char *pat = e->args[i];
        char *abs = pat[0] == '/' ? kr_arena_strdup(e->a, pat)
                                  : kr_arena_printf(e->a, "%s/%s", e->dir, pat);
        if (!abs)
            return kr_err_nomem(e->r->err);
        int rc;
        if (!has_glob_meta(pat)) {
            if (!kr_real_path(e->r, abs))
                return kr_err_set(e->r->err, KRENDER_E_NOT_FOUND, NULL, 0, 0,
                                  "%s has no match: %s", pat, strerror(errno));
            if ((rc = add_one_component(e, list, pat)))
                return rc;
            continue;
        }
        if (e->r->opts.fs)
            return kr_err_set(e->r->err, KRENDER_E_UNSUPPORTED, NULL, 0, 0,
                              "%s: glob patterns need the disk (krender_options.fs is set)", pat);
        glob_t g;
        int grc = glob(abs, 0, NULL, &g);
        if (grc == GLOB_NOMATCH)
            return kr_err_set(e->r->err, KRENDER_E_NOT_FOUND, NULL, 0, 0, "%s has no match", pat);
        if (grc != 0)
            return kr_err_set(e->r->err, KRENDER_E_IO, NULL, 0, 0,
                              "error checking the filesystem: %s", pat);
        /* the matches, spelled relative to the kustomization as the pattern was */
        size_t cut = pat[0] == '/' ? 0 : strlen(e->dir) + 1;
        rc = 0;
        for (size_t m = 0; !rc && m < g.gl_pathc; m++)
            rc = add_one_component(e, list, kr_arena_strdup(e->a, g.gl_pathv[m] + cut));
        globfree(&g);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- add patch ---- */

static const char *const patch_flag_names[] = {"path", "patch", "group", "version", "kind",
                                               "name", "namespace", "annotation-selector",
                                               "label-selector"};

static bool nodes_equal(const kr_node *a, const kr_node *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind || a->len != b->len)
        return false;
    if (a->kind == KR_SCALAR)
        return a->type == b->type && kr_scalar_eq(a, b->u.text, b->len);
    if (a->kind == KR_SEQ) {
        for (uint32_t i = 0; i < a->len; i++)
            if (!nodes_equal(a->u.items[i], b->u.items[i]))
                return false;
        return true;
    }
    for (uint32_t i = 0; i < a->len; i++)
        if (!nodes_equal(a->u.pairs[i].value, kr_map_get(b, a->u.pairs[i].key->u.text)))
            return false;
    return true;
}

static int add_patch(edit *e)
{
    const char *path = e->patch_flags[0], *inline_patch = e->patch_flags[1];
    if (*path && *inline_patch)
        return refuse(e, "patch and path can't be set at the same time%s", "");
    if (!*path && !*inline_patch)
        return refuse(e, "must provide either patch or path%s", "");
    kr_node *p = kr_node_map(e->a, 3), *target = kr_node_map(e->a, 7);
    if (!p || !target || set_str(e, p, "path", path) || set_str(e, p, "patch", inline_patch))
        return kr_err_nomem(e->r->err);
    static const char *const target_keys[] = {"group", "version", "kind", "name", "namespace",
                                              "annotationSelector", "labelSelector"};
    for (size_t i = 0; i < 7; i++)
        if (set_str(e, target, target_keys[i], e->patch_flags[2 + i]))
            return kr_err_nomem(e->r->err);
    if (target->len && !kr_map_set(e->a, p, "target", target))
        return kr_err_nomem(e->r->err);
    kr_node *list = get_or_make(e, e->k, "patches", KR_SEQ);
    if (!list)
        return kr_err_nomem(e->r->err);
    for (uint32_t i = 0; i < list->len; i++)
        if (nodes_equal(list->u.items[i], p) && nodes_equal(p, list->u.items[i]))
            return 0; /* kustomize logs "already in kustomization file" */
    return kr_seq_append(e->a, list, p) ? 0 : kr_err_nomem(e->r->err);
}

/* ---- command line: cobra's flag rules for the flags these commands have ---- */

typedef enum { F_BOOL, F_STRING } flag_kind;
typedef struct flag {
    const char *name;
    char shorthand;
    flag_kind kind;
    void *dst; /* bool * or const char ** */
} flag;

static int parse_flag(edit *e, const char *arg, const char *next, const flag *flags, size_t nf,
                      bool *used_next)
{
    *used_next = false;
    const flag *f = NULL;
    const char *value = NULL;
    if (arg[1] == '-') { /* --name or --name=value */
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        for (size_t i = 0; i < nf && !f; i++)
            if (strlen(flags[i].name) == len && strncmp(flags[i].name, name, len) == 0)
                f = &flags[i];
        if (!f)
            return kr_err_set(e->r->err, KRENDER_E_INVALID_ARG, NULL, 0, 0, "unknown flag: --%.*s",
                              (int)len, name);
        value = eq ? eq + 1 : NULL;
    } else {
        for (size_t i = 0; i < nf && !f; i++)
            if (flags[i].shorthand && flags[i].shorthand == arg[1])
                f = &flags[i];
        if (!f)
            return kr_err_set(e->r->err, KRENDER_E_INVALID_ARG, NULL, 0, 0,
                              "unknown shorthand flag: '%c' in %s", arg[1], arg);
        value = arg[2] == '=' ? arg + 3 : arg[2] ? arg + 2 : NULL;
    }
    if (f->kind == F_BOOL) {
        bool v = true;
        if (value) {
            if (!strcmp(value, "true") || !strcmp(value, "1") || !strcmp(value, "t") ||
                !strcmp(value, "T") || !strcmp(value, "TRUE") || !strcmp(value, "True"))
                v = true;
            else if (!strcmp(value, "false") || !strcmp(value, "0") || !strcmp(value, "f") ||
                     !strcmp(value, "F") || !strcmp(value, "FALSE") || !strcmp(value, "False"))
                v = false;
            else
                return kr_err_set(e->r->err, KRENDER_E_INVALID_ARG, NULL, 0, 0,
                                  "invalid argument \"%s\" for \"--%s\" flag: strconv.ParseBool: "
                                  "parsing \"%s\": invalid syntax",
                                  value, f->name, value);
        }
        *(bool *)f->dst = v;
        return 0;
    }
    if (!value) {
        if (!next)
            return kr_err_set(e->r->err, KRENDER_E_INVALID_ARG, NULL, 0, 0,
                              "flag needs an argument: --%s", f->name);
        value = next;
        *used_next = true;
    }
    *(const char **)f->dst = value;
    return 0;
}

/* Splits argv[2..] into flags and positional arguments. */
static int parse_command_line(edit *e, const krender_edit *cmd, const flag *flags, size_t nf)
{
    e->args = kr_arena_alloc(e->a, (cmd->argc + 1) * sizeof *e->args);
    if (!e->args)
        return kr_err_nomem(e->r->err);
    e->nargs = 0;
    bool dashdash = false;
    for (size_t i = 2; i < cmd->argc; i++) {
        const char *arg = cmd->argv[i];
        if (!arg)
            return refuse(e, "edit command argument is NULL%s", "");
        if (!dashdash && strcmp(arg, "--") == 0) {
            dashdash = true;
            continue;
        }
        if (!dashdash && arg[0] == '-' && arg[1]) {
            bool used_next;
            int rc = parse_flag(e, arg, i + 1 < cmd->argc ? cmd->argv[i + 1] : NULL, flags, nf,
                                &used_next);
            if (rc)
                return rc;
            i += used_next;
            continue;
        }
        e->args[e->nargs++] = arg;
    }
    return 0;
}

static int run_command(edit *e, const krender_edit *cmd)
{
    if (!cmd->argv || cmd->argc < 2 || !cmd->argv[0] || !cmd->argv[1])
        return refuse(e, "an edit command needs at least two words, such as \"set image\"%s", "");
    const char *verb = cmd->argv[0], *what = cmd->argv[1];
    e->force = e->without_selector = e->include_templates = false;
    for (size_t i = 0; i < 9; i++)
        e->patch_flags[i] = "";
    const flag label_flags[] = {{"force", 'f', F_BOOL, &e->force},
                                {"without-selector", 0, F_BOOL, &e->without_selector},
                                {"include-templates", 0, F_BOOL, &e->include_templates}};
    flag patch_flags[9];
    for (size_t i = 0; i < 9; i++)
        patch_flags[i] = (flag){patch_flag_names[i], 0, F_STRING, &e->patch_flags[i]};
    int rc;
    if (!strcmp(verb, "set")) {
        if ((rc = parse_command_line(e, cmd, NULL, 0)))
            return rc;
        if (!strcmp(what, "nameprefix"))
            return set_scalar_field(e, "namePrefix", "prefix");
        if (!strcmp(what, "namesuffix"))
            return set_scalar_field(e, "nameSuffix", "suffix");
        if (!strcmp(what, "namespace"))
            return set_scalar_field(e, "namespace", "namespace");
        if (!strcmp(what, "image"))
            return set_image(e);
        if (!strcmp(what, "replicas"))
            return set_replicas(e);
    } else if (!strcmp(verb, "add")) {
        if (!strcmp(what, "label") || !strcmp(what, "annotation")) {
            bool label = what[0] == 'l';
            if ((rc = parse_command_line(e, cmd, label_flags, label ? 3 : 1)))
                return rc;
            return add_metadata(e, label);
        }
        if (!strcmp(what, "component")) {
            if ((rc = parse_command_line(e, cmd, NULL, 0)))
                return rc;
            return add_component(e);
        }
        if (!strcmp(what, "patch")) {
            if ((rc = parse_command_line(e, cmd, patch_flags, 9)))
                return rc;
            return add_patch(e);
        }
    }
    return kr_err_set(e->r->err, KRENDER_E_INVALID_ARG, NULL, 0, 0,
                      "unsupported edit command \"%s %s\" (supported: set nameprefix, set "
                      "namesuffix, set namespace, set image, set replicas, add label, add "
                      "annotation, add component, add patch)",
                      verb, what);
}

/* ---- FixKustomization: what kustfile.Read does after decoding ---- */

static int append_all(edit *e, const char *to, const char *from)
{
    kr_node *src = kr_map_get(e->k, from);
    if (!src)
        return 0;
    kr_node *dst = get_or_make(e, e->k, to, KR_SEQ);
    if (!dst)
        return kr_err_nomem(e->r->err);
    for (uint32_t i = 0; i < src->len; i++)
        if (!kr_seq_append(e->a, dst, src->u.items[i]))
            return kr_err_nomem(e->r->err);
    kr_map_remove(e->k, from);
    return 0;
}

static int fix_env(edit *e, const char *gen)
{
    kr_node *list = kr_map_get(e->k, gen);
    for (uint32_t i = 0; list && i < list->len; i++) {
        kr_node *g = list->u.items[i];
        const char *env = kr_map_get_str(g, "env");
        if (!env)
            continue;
        kr_node *envs = get_or_make(e, g, "envs", KR_SEQ);
        if (!envs || !kr_seq_append(e->a, envs, str_node(e, env, strlen(env))))
            return kr_err_nomem(e->r->err);
        kr_map_remove(g, "env");
    }
    return 0;
}

static int fix_kustomization(edit *e)
{
    if (kr_map_get(e->k, "helmChartInflationGenerator"))
        return kr_err_set(e->r->err, KRENDER_E_UNSUPPORTED, e->path, 0, 0,
                          "editing a kustomization with helmChartInflationGenerator is not "
                          "supported (kustomize rewrites it into helmCharts)");
    const char *kind = field_str(e->k, "kind");
    int rc;
    if (!*kind && (rc = set_str(e, e->k, "kind", kind = "Kustomization")))
        return rc;
    if (!*field_str(e->k, "apiVersion") &&
        (rc = set_str(e, e->k, "apiVersion",
                      strcmp(kind, "Component") == 0 ? "kustomize.config.k8s.io/v1alpha1"
                                                     : "kustomize.config.k8s.io/v1beta1")))
        return rc;
    if ((rc = append_all(e, "resources", "bases")) || (rc = append_all(e, "images", "imageTags")))
        return rc;
    if ((rc = fix_env(e, "configMapGenerator")) || (rc = fix_env(e, "secretGenerator")))
        return rc;
    return 0;
}

/* ---- kustfile: writing the file back ---- */

/* fieldMarshallingOrder: the Go field names (matched case-insensitively at the start of a line
 * followed by ':') with their JSON names. */
static const char *const field_order[][2] = {
    {"APIVersion", "apiVersion"}, {"Kind", "kind"}, {"MetaData", "metadata"},
    {"SortOptions", "sortOptions"}, {"Resources", "resources"}, {"Bases", "bases"},
    {"NamePrefix", "namePrefix"}, {"NameSuffix", "nameSuffix"}, {"Namespace", "namespace"},
    {"Crds", "crds"}, {"CommonLabels", "commonLabels"}, {"Labels", "labels"},
    {"CommonAnnotations", "commonAnnotations"},
    {"PatchesStrategicMerge", "patchesStrategicMerge"},
    {"PatchesJson6902", "patchesJson6902"}, {"Patches", "patches"},
    {"ConfigMapGenerator", "configMapGenerator"}, {"SecretGenerator", "secretGenerator"},
    {"HelmCharts", "helmCharts"}, {"HelmChartInflationGenerator", "helmChartInflationGenerator"},
    {"HelmGlobals", "helmGlobals"}, {"GeneratorOptions", "generatorOptions"}, {"Vars", "vars"},
    {"Images", "images"}, {"Replacements", "replacements"}, {"Replicas", "replicas"},
    {"Configurations", "configurations"}, {"Generators", "generators"},
    {"Transformers", "transformers"}, {"Validators", "validators"},
    {"Components", "components"}, {"OpenAPI", "openapi"}, {"BuildMetadata", "buildMetadata"},
};
#define NFIELDS (sizeof field_order / sizeof field_order[0])

static bool comment_or_blank(const char *line, size_t len)
{
    size_t i = 0;
    while (i < len && line[i] == ' ')
        i++;
    size_t end = len;
    while (end > i && line[end - 1] == '\n')
        end--;
    return end == i || line[i] == '#';
}

static int matched_field(const char *line, size_t len)
{
    for (size_t f = 0; f < NFIELDS; f++) {
        size_t n = strlen(field_order[f][0]);
        if (n < len && line[n] == ':' && strncasecmp(line, field_order[f][0], n) == 0)
            return (int)f;
    }
    return -1;
}

static int marshal_field(edit *e, const kr_node *k, size_t f, kr_buf *out)
{
    kr_node *v = kr_map_get(k, field_order[f][1]);
    if (!v)
        return 0;
    kr_node *doc = kr_node_map(e->a, 1), *key = kr_node_str(e->a, field_order[f][1]);
    if (!doc || !key || !kr_map_append(e->a, doc, key, v))
        return kr_err_nomem(e->r->err);
    int rc = kr_emit_document(doc, out, e->r->err);
    if (rc && !e->r->err->file)
        e->r->err->file = strdup(e->path);
    return rc;
}

/* kustfile.marshal: the comments gathered above each field of the original text, then the
 * field; fields the text did not have follow in field_order. Only complete lines count (a
 * last line without "\n" is not looked at, as bytes.Buffer.ReadBytes leaves it). */
static int write_file(edit *e, const char *data, size_t len, const kr_node *k, kr_buf *out)
{
    typedef struct span { size_t start, len; } span;
    typedef struct seen_field { size_t field; size_t first_comment, ncomments; } seen_field;
    size_t nlines = 0;
    for (size_t i = 0; i < len; i++)
        nlines += data[i] == '\n';
    span *comments = kr_arena_alloc(e->a, (nlines + 1) * sizeof *comments);
    seen_field *fields = kr_arena_alloc(e->a, (nlines + 1) * sizeof *fields);
    /* comment spans are kept in one array; each field owns a run of it, possibly grown later
     * by comments that follow non-field lines (kustomize appends those to the last field) */
    size_t *owner = kr_arena_alloc(e->a, (nlines + 1) * sizeof *owner);
    if (!comments || !fields || !owner)
        return kr_err_nomem(e->r->err);
    size_t ncom = 0, nfields = 0, pending_from = 0;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        if (!nl)
            break;
        size_t llen = (size_t)(nl - (data + pos)) + 1;
        const char *line = data + pos;
        if (comment_or_blank(line, llen)) {
            comments[ncom++] = (span){pos, llen};
        } else {
            int f = matched_field(line, llen);
            if (f >= 0) {
                fields[nfields] = (seen_field){(size_t)f, pending_from, ncom - pending_from};
                for (size_t c = pending_from; c < ncom; c++)
                    owner[c] = nfields;
                nfields++;
                pending_from = ncom;
            } else if (ncom > pending_from && nfields > 0) {
                for (size_t c = pending_from; c < ncom; c++)
                    owner[c] = nfields - 1;
                pending_from = ncom;
            }
        }
        pos += llen;
    }
    for (size_t i = 0; i < nfields; i++) {
        for (size_t c = 0; c < pending_from; c++)
            if (owner[c] == i && !kr_buf_append(out, data + comments[c].start, comments[c].len))
                return kr_err_nomem(e->r->err);
        int rc = marshal_field(e, k, fields[i].field, out);
        if (rc)
            return rc;
    }
    for (size_t f = 0; f < NFIELDS; f++) {
        bool had = false;
        for (size_t i = 0; i < nfields && !had; i++)
            had = fields[i].field == f;
        int rc;
        if (!had && (rc = marshal_field(e, k, f, out)))
            return rc;
    }
    return 0;
}

int kr_kedit_apply(kr_render *r, const char *path, const char *dir, const char *data,
                   size_t len, const krender_edit *edits, size_t n, kr_buf *out)
{
    edit e = {.r = r, .a = r->arena, .path = path, .dir = dir};
    kr_node *doc;
    int rc = kr_parse_document(r->arena, path, data, len, KR_YAML_11, &doc, r->err);
    if (!rc)
        rc = kr_go_normalize(r->arena, &kr_go_kustomization, doc, path, &e.k, r->err);
    if (!rc && !e.k && !(e.k = kr_node_map(r->arena, 8)))
        rc = kr_err_nomem(r->err);
    if (!rc)
        rc = fix_kustomization(&e);
    for (size_t i = 0; !rc && i < n; i++) {
        rc = run_command(&e, &edits[i]);
        if (rc)
            kr_err_prefix(r->err, "edit %zu (%s %s)", i + 1,
                          edits[i].argc > 0 && edits[i].argv[0] ? edits[i].argv[0] : "",
                          edits[i].argc > 1 && edits[i].argv[1] ? edits[i].argv[1] : "");
    }
    kr_node *k = NULL;
    if (!rc) /* drop what the edits emptied, as the Go structs' omitempty does */
        rc = kr_go_normalize(r->arena, &kr_go_kustomization, e.k, path, &k, r->err);
    if (!rc)
        rc = write_file(&e, data, len, k, out);
    return rc;
}

int kr_kedit_root(kr_render *r, const krender_edit *edits, size_t n, kr_buf *out)
{
    char *path;
    kr_file *f;
    int rc = kr_find_kustomization(r, r->root_real, &path);
    if (!rc)
        rc = kr_load_file(r, path, &f);
    return rc ? rc : kr_kedit_apply(r, path, r->root_real, f->data, f->len, edits, n, out);
}
