/* ImageTagTransformer (pipeline.md §5.6): `images` then the deprecated `imageTags`, one
 * transformer per entry, each running the legacy `containers` search and then the field-spec
 * pass (so tagSuffix lands twice on the standard paths, as in kustomize).
 *
 * kustomize matches image references with Go's regexp, `name` inserted unescaped. PCRE2 (already
 * used for patch target selectors) stands in for it: same syntax for everything image names
 * and simple patterns use (\d, (?i), classes, alternation), UTF-8 aware, `$` only at the end.
 * A name Go cannot compile makes kustomize crash; here it is an error at the entry. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "regex_cache.h"
#include "resolve.h"
#include "transformers.h"
#include "xf_fields.h"

struct kr_image_matcher {
    pcre2_code *re;
    pcre2_match_data *md;
    const kr_image *img;
};

/* ---- decoding ---- */

int kr_image_decode(const kr_decoder *d, const kr_node *n, const char *path, bool strict,
                    kr_image *out)
{
    static const char *const names[] = {"name", "newName", "tagSuffix", "newTag", "digest"};
    char field[128];
    kr_node *v[5];
    snprintf(field, sizeof field, "Kustomization.%s", path);
    if (kr_dec_object_ex(d, n, names, 5, v, "types.Image", field, strict))
        return d->r->err->code;
    const char *str[5];
    for (int i = 0; i < 5; i++) {
        snprintf(field, sizeof field, "Image.%s.%s", path, names[i]);
        if (kr_xf_dec_str(d, v[i], field, strict, &str[i]))
            return d->r->err->code;
    }
    *out = (kr_image){.name = str[0], .new_name = str[1], .tag_suffix = str[2],
                      .new_tag = str[3], .digest = str[4], .file = d->file,
                      .line = n ? n->line : 0, .col = n ? n->col : 0};
    return 0;
}

/* ---- matching and rewriting one reference ---- */

int kr_image_matcher_new(kr_render *r, const kr_image *img, kr_image_matcher **out)
{
    static const char tail[] = "(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$";
    char *pattern = kr_arena_printf(r->arena, "^%s%s", img->name, tail);
    kr_image_matcher *mt = calloc(1, sizeof *mt);
    if (!pattern || !mt) {
        free(mt);
        return kr_err_nomem(r->err);
    }
    int code;
    PCRE2_SIZE off;
    mt->re = kr_regex(r, pattern, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY,
                      &code, &off);
    if (!mt->re && code == PCRE2_ERROR_NOMEMORY) {
        free(mt);
        return kr_err_nomem(r->err);
    }
    if (!mt->re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        free(mt);
        return kr_err_set(r->err, KRENDER_E_KUSTOMIZATION, img->file, img->line, img->col,
                          "error parsing regexp: %s: `%s`", (const char *)msg, pattern);
    }
    if (!(mt->md = pcre2_match_data_create(1, NULL))) {
        kr_image_matcher_free(mt);
        return kr_err_nomem(r->err);
    }
    mt->img = img;
    *out = mt;
    return 0;
}

void kr_image_matcher_free(kr_image_matcher *mt)
{
    if (!mt)
        return;
    pcre2_match_data_free(mt->md); /* the pattern is the render's (regex_cache.h) */
    free(mt);
}

kr_image_ref kr_image_split(const char *s)
{
    size_t len = strlen(s);
    const char *slash = strchr(s, '/');
    const char *search = slash && slash > s ? slash : s;
    const char *at = strchr(search, '@'), *colon = strchr(search, ':');
    kr_image_ref ref = {s, "", "", len, 0, 0};
    if (at) {
        ref.digest = at + 1;
        ref.digest_len = (size_t)(s + len - ref.digest);
    }
    if (colon && (!at || colon < at)) {
        ref.tag = colon + 1;
        ref.tag_len = (size_t)((at ? at : s + len) - ref.tag);
        ref.name_len = (size_t)(colon - s);
    } else if (at) {
        ref.name_len = (size_t)(at - s);
    }
    return ref;
}

int kr_image_update(kr_render *r, const kr_image_matcher *mt, const char *s, const char **res)
{
    *res = NULL;
    if (pcre2_match(mt->re, (PCRE2_SPTR)s, strlen(s), 0, 0, mt->md, NULL) < 0)
        return 0;
    const kr_image *img = mt->img;
    kr_image_ref ref = kr_image_split(s);
    if (img->new_name[0]) {
        ref.name = img->new_name;
        ref.name_len = strlen(img->new_name);
    }
    const char *suffix = "";
    if (img->new_tag[0]) {
        ref.tag = img->new_tag;
        ref.tag_len = strlen(img->new_tag);
        if (!img->digest[0])
            ref.digest_len = 0;
    }
    if (img->digest[0]) {
        ref.digest = img->digest;
        ref.digest_len = strlen(img->digest);
        if (!img->new_tag[0])
            ref.tag_len = 0;
    }
    if (!img->new_tag[0] && !img->digest[0] && img->tag_suffix[0]) {
        suffix = img->tag_suffix;
        ref.digest_len = 0;
    }
    size_t slen = strlen(suffix), tag_len = ref.tag_len + slen;
    char *out = kr_arena_alloc(r->arena, ref.name_len + tag_len + ref.digest_len + 3);
    if (!out)
        return kr_err_nomem(r->err);
    char *w = out;
    memcpy(w, ref.name, ref.name_len);
    w += ref.name_len;
    if (tag_len) {
        *w++ = ':';
        memcpy(w, ref.tag, ref.tag_len);
        memcpy(w + ref.tag_len, suffix, slen);
        w += tag_len;
    }
    if (ref.digest_len) {
        *w++ = '@';
        memcpy(w, ref.digest, ref.digest_len);
        w += ref.digest_len;
    }
    *w = '\0';
    *res = out;
    return 0;
}

/* ---- the two passes ---- */

/* kyaml's SetScalar: the new text keeps the node's style but loses its tag, so a plain
 * scalar is typed by what it now says. */
static void set_text(kr_node *n, const char *text)
{
    n->u.text = text;
    n->len = (uint32_t)strlen(text);
    n->flags &= (uint8_t)~KR_NF_TAGGED;
    n->type = n->style == KR_STYLE_PLAIN ? (uint8_t)kr_resolve_plain(text, n->len, KR_YAML_12)
                                         : (uint8_t)KR_T_STR;
}

static int set_image(kr_render *r, kr_resource *res, kr_node *node, void *arg)
{
    const kr_image_matcher *mt = arg;
    if (node->kind != KR_SCALAR)
        return kr_xf_wrong_kind(r, res, node, "ScalarNode");
    if (memchr(node->u.text, '\0', node->len))
        return 0; /* never a reference; the C matcher would see a shorter string */
    const char *s;
    if (kr_image_update(r, mt, node->u.text, &s))
        return r->err->code;
    if (s)
        set_text(node, s);
    return 0;
}

typedef struct legacy {
    kr_render *r;
    kr_resource *res;
    const kr_image_matcher *mt;
} legacy;

/* Each element of a `containers` list: its `image`, if any. */
static int legacy_list(const legacy *lw, kr_node *list)
{
    if (!kr_is_seq(list))
        return 0;
    for (uint32_t i = 0; i < list->len; i++) {
        kr_node *c = list->u.items[i];
        if (kr_is_null(c))
            continue;
        if (c->kind != KR_MAP)
            return kr_xf_wrong_kind(lw->r, lw->res, c, "MappingNode");
        kr_node *image = kr_map_get(c, "image");
        int rc = image ? set_image(lw->r, lw->res, image, (void *)lw->mt) : 0;
        if (rc)
            return rc;
    }
    return 0;
}

/* kustomize's findFieldsFilter: depth first, a field's value before the field itself. */
static int legacy_walk(const legacy *lw, kr_node *n)
{
    int rc = 0;
    if (kr_is_map(n)) {
        for (uint32_t i = 0; i < n->len && !rc; i++) {
            kr_node *key = n->u.pairs[i].key, *value = n->u.pairs[i].value;
            rc = legacy_walk(lw, value);
            if (!rc && (kr_scalar_eq(key, "containers", 10) ||
                        kr_scalar_eq(key, "initContainers", 14)))
                rc = legacy_list(lw, value);
        }
    } else if (kr_is_seq(n)) {
        for (uint32_t i = 0; i < n->len && !rc; i++)
            rc = legacy_walk(lw, n->u.items[i]);
    }
    return rc;
}

static bool is_crd(const kr_resource *res)
{
    return strcmp(res->id.kind, "CustomResourceDefinition") == 0;
}

static int run_passes(kr_render *r, kr_resmap *m, const kr_image_matcher *mt,
                      const kr_fslist *fs)
{
    for (size_t i = 0; i < m->len; i++) {
        legacy lw = {r, m->items[i], mt};
        if (!is_crd(lw.res) && legacy_walk(&lw, lw.res->node))
            return r->err->code;
    }
    for (size_t i = 0; i < m->len; i++) {
        kr_resource *res = m->items[i];
        if (is_crd(res))
            continue;
        for (size_t j = 0; j < fs->n; j++)
            if (kr_fs_selects(&fs->v[j], res->id.group, res->id.version, res->id.kind) &&
                kr_fs_walk(r, res, &fs->v[j], 0, set_image, (void *)mt))
                return r->err->code;
    }
    return 0;
}

int kr_xf_image_apply(kr_render *r, kr_resmap *m, const kr_image *img, const kr_fslist *fs)
{
    kr_image_matcher *mt;
    if (kr_image_matcher_new(r, img, &mt))
        return r->err->code;
    int rc = run_passes(r, m, mt, fs);
    kr_image_matcher_free(mt);
    return rc;
}

/* ---- the kustomization fields ---- */

static int decode_list(kr_render *r, const kr_kustomization *k, kr_kfield f, kr_image *out,
                       size_t *n)
{
    const kr_node *list = k->fields[f];
    kr_decoder d = {r, k->path, "invalid Kustomization"};
    for (uint32_t i = 0; kr_is_seq(list) && i < list->len; i++)
        if (kr_image_decode(&d, list->u.items[i], kr_kfield_name(f), true, &out[(*n)++]))
            return r->err->code;
    return 0;
}

int kr_xf_images(kr_render *r, const kr_kustomization *k, kr_accum *ra)
{
    const kr_node *images = k->fields[KF_IMAGES], *tags = k->fields[KF_IMAGE_TAGS];
    size_t total = (kr_is_seq(images) ? images->len : 0) + (kr_is_seq(tags) ? tags->len : 0);
    if (total == 0)
        return 0;
    kr_image *list = kr_arena_alloc(r->arena, total * sizeof *list);
    size_t n = 0;
    if (!list)
        return kr_err_nomem(r->err);
    /* kustomize appends imageTags to images at load */
    if (decode_list(r, k, KF_IMAGES, list, &n) || decode_list(r, k, KF_IMAGE_TAGS, list, &n))
        return r->err->code;
    for (size_t i = 0; i < n; i++)
        if (kr_xf_image_apply(r, &ra->res, &list[i], &ra->config.lists[KR_FS_IMAGES]))
            return r->err->code;
    return 0;
}

int kr_plugin_image_tag(kr_render *r, const kr_kustomization *k, kr_accum *ra,
                        kr_resource *config)
{
    static const char *const names[] = {"imageTag", "fieldSpecs"};
    kr_decoder d = {r, config->file, "error unmarshaling JSON: while decoding JSON"};
    kr_node *v[2];
    kr_image img;
    kr_fslist fs = {0};
    (void)k;
    if (kr_dec_object_ex(&d, config->node, names, 2, v, "ImageTagTransformerPlugin",
                         "ImageTagTransformerPlugin", false) ||
        kr_image_decode(&d, v[0], "imageTag", false, &img) ||
        kr_fslist_decode(&d, v[1], "ImageTagTransformerPlugin", "fieldSpecs", false, &fs))
        return r->err->code;
    if (!v[0]) { /* errors point at the config */
        img.line = config->node->line;
        img.col = config->node->col;
    }
    return kr_xf_image_apply(r, &ra->res, &img, &fs);
}
