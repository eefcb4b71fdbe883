/* Key/value sources of the generators (kustomization.md §9, kustomize's api/kv): env files,
 * literals, file sources, and the base64 text kustomize writes for bytes. */
#include <nettle/base64.h>
#include <string.h>
#include <xxhash.h>

#include "gen.h"
#include "jsonvalue.h"

bool kr_kvlist_push(kr_arena *a, kr_kvlist *l, kr_kv kv)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        kr_kv *p = kr_arena_alloc(a, cap * sizeof *p);
        if (!p)
            return false;
        if (l->n)
            memcpy(p, l->items, l->n * sizeof *p);
        l->items = p;
        l->cap = cap;
    }
    l->items[l->n++] = kv;
    return true;
}

bool kr_keyset_init(kr_arena *a, kr_keyset *s, size_t capacity)
{
    size_t n = 8;
    while (n < 2 * capacity)
        n *= 2;
    s->nslots = n;
    s->keys = kr_arena_zalloc(a, n * sizeof *s->keys);
    s->lens = kr_arena_alloc(a, n * sizeof *s->lens);
    return s->keys && s->lens;
}

/* The slot holding key, or the empty slot where it belongs. */
static size_t keyset_probe(const kr_keyset *s, const char *key, size_t len)
{
    size_t mask = s->nslots - 1, i = (size_t)XXH3_64bits(key, len) & mask;
    while (s->keys[i] && !(s->lens[i] == len && memcmp(s->keys[i], key, len) == 0))
        i = (i + 1) & mask;
    return i;
}

int kr_keyset_add(kr_keyset *s, const char *key, size_t len)
{
    size_t i = keyset_probe(s, key, len);
    if (s->keys[i])
        return 0;
    s->keys[i] = key;
    s->lens[i] = len;
    return 1;
}

bool kr_keyset_has(const kr_keyset *s, const char *key, size_t len)
{
    return s->keys[keyset_probe(s, key, len)] != NULL;
}

/* bufio.Scanner's default limit: a line and its '\n' must fit in 64 KiB, else scanning stops
 * (kustomize does not check the scanner's error, so the rest of the file is ignored). */
#define SCAN_MAX 65536

/* Next line of data[*pos..len) as bufio.ScanLines gives it (trailing '\r' dropped). False at
 * the end or at a line too long for the scanner. */
static bool scan_line(const char *data, size_t len, size_t *pos, const char **line,
                      size_t *linelen)
{
    if (*pos >= len)
        return false;
    const char *s = data + *pos;
    size_t rest = len - *pos;
    const char *nl = memchr(s, '\n', rest < SCAN_MAX ? rest : SCAN_MAX);
    size_t n;
    if (nl) {
        n = (size_t)(nl - s);
        *pos += n + 1;
    } else {
        if (rest >= SCAN_MAX)
            return false;
        n = rest;
        *pos = len;
    }
    if (n && s[n - 1] == '\r')
        n--;
    *line = s;
    *linelen = n;
    return true;
}

/* Length of the rune at s (valid UTF-8) if Go's unicode.IsSpace holds for it, else 0. */
static size_t space_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c == ' ' || (c >= '\t' && c <= '\r'))
        return 1;
    if (c == 0xC2 && n >= 2 && (s[1] == 0x85 || s[1] == 0xA0))
        return 2;
    if (n < 3)
        return 0;
    unsigned cp = ((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    if ((c & 0xF0) != 0xE0)
        return 0;
    bool sp = cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
              cp == 0x202F || cp == 0x205F || cp == 0x3000;
    return sp ? 3 : 0;
}

/* One line: the pair, or kv->klen == 0 for a line that gives none. */
static bool env_line(kr_arena *a, const char *line, size_t n, bool first, kr_kv *kv)
{
    *kv = (kr_kv){0};
    if (first && n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
        line += 3, n -= 3;
    size_t sp;
    while (n && (sp = space_len((const unsigned char *)line, n)))
        line += sp, n -= sp;
    if (!n || line[0] == '#')
        return true;
    const char *eq = memchr(line, '=', n);
    size_t klen = eq ? (size_t)(eq - line) : n;
    if (!klen) /* "=value": an empty key, which kustomize skips */
        return true;
    const char *val = eq ? eq + 1 : "";
    size_t vlen = eq ? n - klen - 1 : 0;
    kv->key = kr_arena_strndup(a, line, klen);
    kv->val = kr_arena_strndup(a, val, vlen);
    kv->klen = klen;
    kv->vlen = vlen;
    return kv->key && kv->val;
}

int kr_env_parse(kr_arena *a, const char *data, size_t len, kr_kvlist *out, const char **bad,
                 size_t *badlen)
{
    size_t pos = 0;
    const char *line;
    size_t n;
    for (bool first = true; scan_line(data, len, &pos, &line, &n); first = false) {
        if (kr_utf8_valid_prefix(line, n) != n) {
            *bad = line;
            *badlen = n;
            return KRENDER_E_KUSTOMIZATION;
        }
        kr_kv kv;
        if (!env_line(a, line, n, first, &kv))
            return KRENDER_E_NOMEM;
        if (kv.klen && !kr_kvlist_push(a, out, kv))
            return KRENDER_E_NOMEM;
    }
    return 0;
}

bool kr_literal_parse(kr_arena *a, const char *s, size_t n, kr_kv *out)
{
    const char *eq = memchr(s, '=', n);
    if (!eq || eq == s)
        return false;
    size_t klen = (size_t)(eq - s);
    const char *v = eq + 1;
    size_t vlen = n - klen - 1;
    /* removeQuotes: only a value wrapped in one matching pair of quotes */
    if (vlen >= 2 && v[0] == v[vlen - 1] && (v[0] == '"' || v[0] == '\''))
        v++, vlen -= 2;
    out->key = kr_arena_strndup(a, s, klen);
    out->val = kr_arena_strndup(a, v, vlen);
    out->klen = klen;
    out->vlen = vlen;
    return out->key && out->val;
}

/* Go's path.Base. */
static const char *go_path_base(kr_arena *a, const char *p)
{
    size_t n = strlen(p);
    if (!n)
        return ".";
    while (n > 1 && p[n - 1] == '/')
        n--;
    if (n == 1 && p[0] == '/')
        return "/";
    size_t start = n;
    while (start && p[start - 1] != '/')
        start--;
    return kr_arena_strndup(a, p + start, n - start);
}

const char *kr_file_source_parse(kr_arena *a, const char *s, const char **key, const char **path)
{
    size_t n = strlen(s), eqs = 0;
    for (size_t i = 0; i < n; i++)
        eqs += s[i] == '=';
    if (eqs == 0) {
        *path = s;
        *key = go_path_base(a, s);
        return *key ? NULL : "out of memory";
    }
    if (eqs > 1)
        return kr_arena_printf(a, "source \"%s\" key name or file path contains '='", s);
    if (s[0] == '=')
        return kr_arena_printf(a, "missing key name for file path \"%s\" in source \"%s\"", s + 1, s);
    if (s[n - 1] == '=')
        return kr_arena_printf(a, "missing file path for key name \"%.*s\" in source \"%s\"",
                               (int)(n - 1), s, s);
    const char *eq = strchr(s, '=');
    *key = kr_arena_strndup(a, s, (size_t)(eq - s));
    *path = eq + 1;
    return *key ? NULL : "out of memory";
}

#define B64_LINE 70

char *kr_base64_wrapped(kr_arena *a, const void *data, size_t len, size_t *outlen)
{
    size_t enc = BASE64_ENCODE_RAW_LENGTH(len);
    bool wrap = enc >= B64_LINE; /* kustomize: lines = enc/70 + 1; '\n' after each if > 1 */
    size_t total = enc + (wrap ? (enc + B64_LINE - 1) / B64_LINE : 0);
    char *raw = kr_arena_alloc(a, enc + 1), *out = wrap ? kr_arena_alloc(a, total + 1) : raw;
    if (!raw || !out)
        return NULL;
    base64_encode_raw(raw, len, data);
    raw[enc] = '\0';
    if (wrap) {
        size_t k = 0;
        for (size_t i = 0; i < enc; i += B64_LINE) {
            size_t chunk = enc - i < B64_LINE ? enc - i : B64_LINE;
            memcpy(out + k, raw + i, chunk);
            k += chunk;
            out[k++] = '\n';
        }
        out[k] = '\0';
    }
    *outlen = total;
    return out;
}
