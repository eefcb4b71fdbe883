/* Inline texts parsed once per context: see textparse.h. */
#include "textparse.h"

#include <string.h>
#include <xxhash.h>

#include "loader.h"

enum { READ_STREAM, READ_DOC11, READ_DOC12 };

typedef struct text_entry {
    uint64_t hash; /* of the text */
    uint64_t slot; /* of the text and the file: where the entry goes in the table */
    size_t len;
    const char *file;
    const char *text; /* the context's copy, once kept */
    int reading;      /* READ_* */
    bool kept;        /* the parse below is the context's */
    bool failed;      /* the second parse failed: parsed by each render as it comes */
    kr_node **docs;   /* stream */
    size_t ndocs;
    bool top;
    kr_node *doc;     /* document */
} text_entry;

/* Open addressing in the cache's arena (the old slots of a grown table stay there: a few KB). */
struct kr_textparses {
    text_entry **slots;
    size_t nslots, count;
};

static bool same(const text_entry *e, int reading, uint64_t h, const char *file, const char *text,
                 size_t len)
{
    return e->hash == h && e->len == len && e->reading == reading && strcmp(e->file, file) == 0 &&
           (!e->kept || memcmp(e->text, text, len) == 0);
}

/* The entry of (reading, file, text), added when absent (*added); NULL without memory. */
static text_entry *lookup(kr_render *r, int reading, const char *file, const char *text,
                          size_t len, bool *added)
{
    kr_arena *a = kr_cache_arena(r->cache);
    kr_textparses **tp = kr_cache_textparses(r->cache), *t = *tp;
    *added = false;
    if (!t) {
        if (!(t = kr_arena_zalloc(a, sizeof *t)) ||
            !(t->slots = kr_arena_zalloc(a, 64 * sizeof *t->slots)))
            return NULL;
        t->nslots = 64;
        *tp = t;
    }
    uint64_t h = XXH3_64bits(text, len);
    /* the file goes into the slot too: one component's patch (the same text) read from the
     * kustomizations of hundreds of apps would otherwise make one long run of the table,
     * probed with a string compare at each step */
    uint64_t slot = h ^ XXH3_64bits(file, strlen(file));
    size_t mask = t->nslots - 1, i = (size_t)slot & mask;
    for (; t->slots[i]; i = (i + 1) & mask)
        if (same(t->slots[i], reading, h, file, text, len))
            return t->slots[i];
    if ((t->count + 1) * 2 > t->nslots) {
        size_t n = t->nslots * 2;
        text_entry **slots = kr_arena_zalloc(a, n * sizeof *slots);
        if (!slots)
            return NULL;
        for (size_t j = 0; j < t->nslots; j++) {
            if (!t->slots[j])
                continue;
            size_t k = (size_t)t->slots[j]->slot & (n - 1);
            while (slots[k])
                k = (k + 1) & (n - 1);
            slots[k] = t->slots[j];
        }
        t->slots = slots;
        t->nslots = n;
        for (i = (size_t)slot & (n - 1); slots[i]; i = (i + 1) & (n - 1))
            ;
    }
    text_entry *e = kr_arena_zalloc(a, sizeof *e);
    if (!e || !(e->file = kr_arena_strdup(a, file)))
        return NULL;
    e->hash = h;
    e->slot = slot;
    e->len = len;
    e->reading = reading;
    t->slots[i] = e;
    t->count++;
    *added = true;
    return e;
}

static int parse_into(kr_arena *a, int reading, const char *file, const char *text, size_t len,
                      text_entry *out, kr_err *err)
{
    if (reading == READ_STREAM)
        return kr_parse_stream_top(a, file, text, len, &out->docs, &out->ndocs, &out->top, err);
    return kr_parse_document(a, file, text, len, reading == READ_DOC12 ? KR_YAML_12 : KR_YAML_11,
                             &out->doc, err);
}

/* The parse of text, kept by the context from its second sighting on. */
static int text_parse(kr_render *r, int reading, const char *file, const char *text, size_t len,
                      text_entry *out)
{
    bool added = false;
    text_entry *e = r->cache && file ? lookup(r, reading, file, text, len, &added) : NULL;
    if (e && e->kept) {
        *out = *e;
        return 0;
    }
    if (!e || added || e->failed) /* first sighting (or no memory to keep it): as before */
        return parse_into(r->arena, reading, file, text, len, out, r->err);
    /* seen before: its copy (to compare with, and what the parse reads) parsed into the
     * context's memory */
    kr_arena *a = kr_cache_arena(r->cache);
    char *copy = kr_arena_strndup(a, text, len);
    if (!copy)
        return kr_err_nomem(r->err);
    text_entry p = {0};
    int rc = parse_into(a, reading, file, copy, len, &p, r->err);
    if (rc) {
        e->failed = true;
        return rc;
    }
    e->docs = p.docs;
    e->ndocs = p.ndocs;
    e->top = p.top;
    e->doc = p.doc;
    e->text = copy;
    e->kept = true;
    *out = *e;
    return 0;
}

int kr_text_stream(kr_render *r, const char *file, const char *text, size_t len,
                   kr_node ***docs, size_t *ndocs, bool *first_at_top)
{
    text_entry p = {0};
    int rc = text_parse(r, READ_STREAM, file, text, len, &p);
    if (!rc) {
        *docs = p.docs;
        *ndocs = p.ndocs;
        *first_at_top = p.top;
    }
    return rc;
}

int kr_text_document(kr_render *r, const char *file, const char *text, size_t len,
                     kr_yaml_mode mode, kr_node **doc)
{
    text_entry p = {0};
    int rc = text_parse(r, mode == KR_YAML_12 ? READ_DOC12 : READ_DOC11, file, text, len, &p);
    if (!rc)
        *doc = p.doc;
    return rc;
}
