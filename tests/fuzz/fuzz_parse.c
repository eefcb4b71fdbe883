/* libFuzzer harness: YAML text -> node tree (kr_parse_stream, kr_parse_document in both YAML
 * modes), then every document back out through the YAML and JSON emitters. The two YAML
 * writers (emit_direct.c and libyaml's emitter) must agree: same bytes, or the same error.
 * Input: any bytes, used as the file's contents. */
#include "fuzz.h"

#include "arena.h"
#include "buf.h"
#include "emit.h"
#include "emit_json.h"
#include "error.h"
#include "parse.h"

/* Both emitters on one document; their errors (.inf, .nan ...) are expected outcomes. */
static void emit_both(const kr_node *doc)
{
    kr_buf out = {0}, direct = {0};
    kr_err err = {0}, derr = {0};
    int rc = kr_emit_document_libyaml(doc, &out, &err);
    int drc = kr_emit_document_direct(doc, &direct, &derr);
    if (drc != KR_EMIT_NOT_DIRECT &&
        (drc != rc || (!rc && (direct.len != out.len || memcmp(direct.data, out.data, out.len)))))
        abort(); /* the direct writer differs from libyaml's */
    kr_err_clear(&err);
    kr_err_clear(&derr);
    kr_buf_free(&direct);
    out.len = 0;
    kr_emit_json(doc, &out, &err);
    kr_err_clear(&err);
    kr_buf_free(&out);
}

static void parse_one(const char *buf, size_t len, kr_yaml_mode mode)
{
    kr_arena *a = kr_arena_new();
    kr_err err = {0};
    kr_node *doc = NULL;
    if (a && kr_parse_document(a, "fuzz.yaml", buf, len, mode, &doc, &err) == 0 && doc)
        emit_both(doc);
    kr_err_clear(&err);
    kr_arena_free(a);
}

static void parse_stream(const char *buf, size_t len)
{
    kr_arena *a = kr_arena_new();
    kr_err err = {0};
    kr_node **docs = NULL;
    size_t n = 0;
    if (a && kr_parse_stream(a, "fuzz.yaml", buf, len, &docs, &n, &err) == 0)
        for (size_t i = 0; i < n; i++)
            emit_both(docs[i]);
    kr_err_clear(&err);
    kr_arena_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the parsers take a length but the loader always hands them a NUL-terminated copy */
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    parse_stream(buf, size);
    parse_one(buf, size, KR_YAML_12);
    parse_one(buf, size, KR_YAML_11);
    free(buf);
    return 0;
}
