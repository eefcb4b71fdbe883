/* Generators: the JSON encoder and name hash (pipeline.md §8), env files, literals, file
 * sources and base64 (kustomization.md §9). Expected hash suffixes come from the oracle
 * (kustomize v5.6.0 in kubectl 1.33). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "hash.h"
#include "jsonhash.h"
#include "parse.h"

/* ---- JSON encoder ---- */

static void expect_json_string(const char *in, size_t n, const char *want)
{
    kr_buf b = {0};
    assert_true(kr_json_put_string(&b, in, n));
    assert_string_equal(b.data, want);
    kr_buf_free(&b);
}

static void test_json_string_escapes(void **state)
{
    (void)state;
    expect_json_string("plain", 5, "\"plain\"");
    expect_json_string("<&>", 3, "\"\\u003c\\u0026\\u003e\"");
    expect_json_string("q\"b\\", 4, "\"q\\\"b\\\\\"");
    expect_json_string("\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\"");
    expect_json_string("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\x7f\"");
    expect_json_string("a\0b", 3, "\"a\\u0000b\"");
    expect_json_string("\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\\u2028\\u2029\"");
    expect_json_string("é☃😀", strlen("é☃😀"), "\"é☃😀\"");
    /* invalid UTF-8: each bad byte becomes U+FFFD */
    expect_json_string("a\xff\xfe" "b\xe2\x80", 6, "\"a\\ufffd\\ufffdb\\ufffd\\ufffd\"");
    expect_json_string("", 0, "\"\"");
}

/* Every ASCII byte at every position of a 20-byte run: plain runs are skipped in one loop, so a
 * byte to escape must be found wherever it falls, first, last or inside. */
static void test_json_string_every_position(void **state)
{
    (void)state;
    for (unsigned c = 0; c < 0x80; c++) {
        char esc[8];
        const char *e = NULL;
        switch (c) {
        case '"': e = "\\\""; break;
        case '\\': e = "\\\\"; break;
        case '\n': e = "\\n"; break;
        case '\r': e = "\\r"; break;
        case '\t': e = "\\t"; break;
        case '\b': e = "\\b"; break;
        case '\f': e = "\\f"; break;
        default:
            if (c < 0x20 || c == '<' || c == '>' || c == '&')
                snprintf(esc, sizeof esc, "\\u%04x", c);
            else
                esc[0] = (char)c, esc[1] = '\0';
            e = esc;
        }
        for (size_t pos = 0; pos < 20; pos++) {
            char in[20], want[64];
            memset(in, 'a', sizeof in);
            in[pos] = (char)c;
            snprintf(want, sizeof want, "\"%.*s%s%.*s\"", (int)pos, "aaaaaaaaaaaaaaaaaaaa", e,
                     (int)(19 - pos), "aaaaaaaaaaaaaaaaaaaa");
            expect_json_string(in, sizeof in, want);
        }
    }
    /* a multi-byte character and U+2028 inside a long run */
    expect_json_string("abcdefg\xc3\xa9hijklmnop", 18, "\"abcdefg\xc3\xa9hijklmnop\"");
    expect_json_string("abcdefgh\xe2\x80\xa8ijklmnop", 19, "\"abcdefgh\\u2028ijklmnop\"");
}

static void expect_float(double f, const char *want)
{
    kr_buf b = {0};
    assert_true(kr_json_put_float(&b, f));
    assert_string_equal(b.data, want);
    kr_buf_free(&b);
}

static void test_json_float(void **state)
{
    (void)state;
    expect_float(1, "1");
    expect_float(-2.5, "-2.5");
    expect_float(0.1, "0.1");
    expect_float(1e20, "100000000000000000000");
    expect_float(1e21, "1e+21");
    expect_float(1.5e-7, "1.5e-7");
    expect_float(1e-6, "0.000001");
    expect_float(123456789012.5, "123456789012.5");
    expect_float(12345678901234567890.0, "12345678901234567000");
    expect_float(1.2345e-10, "1.2345e-10");
    expect_float(0, "0");
}

static kr_node *parse(kr_arena *a, const char *yaml)
{
    kr_err err = {0};
    kr_node *doc = NULL;
    int rc = kr_parse_document(a, "t.yaml", yaml, strlen(yaml), KR_YAML_12, &doc, &err);
    kr_err_clear(&err);
    assert_int_equal(rc, 0);
    return doc;
}

static void test_json_node(void **state)
{
    (void)state;
    kr_arena *a = kr_arena_new();
    kr_node *doc = parse(a, "b: [1, x, true, null]\na: {z: 1.0, y: '2', x: 0x10}\n"
                            "A: 2001-12-14\n\"\\xe9\": 1e3\n");
    kr_buf b = {0};
    kr_err err = {0};
    assert_int_equal(kr_json_put_node(&b, doc, &err), 0);
    assert_string_equal(b.data, "{\"A\":\"2001-12-14T00:00:00Z\",\"a\":{\"x\":16,\"y\":\"2\","
                                "\"z\":1},\"b\":[1,\"x\",true,null],\"é\":1000}");
    kr_buf_free(&b);
    /* .inf cannot be marshalled */
    doc = parse(a, "a: .inf\n");
    assert_int_equal(kr_json_put_node(&b, doc, &err), KRENDER_E_VALUE);
    kr_err_clear(&err);
    kr_buf_free(&b);
    kr_arena_free(a);
}

/* ---- hash ---- */

static void test_hash_encode(void **state)
{
    (void)state;
    /* pipeline.md §8 worked example: 59a54fb012... -> 59m54fbgh2 */
    const uint8_t digest[32] = {0x59, 0xa5, 0x4f, 0xb0, 0x12, 0xc1};
    char out[KR_HASH_LEN + 1];
    kr_hash_encode(digest, out);
    assert_string_equal(out, "59m54fbgh2");
}

static void expect_hash(const char *yaml, const char *json, const char *suffix)
{
    kr_arena *a = kr_arena_new();
    kr_node *doc = parse(a, yaml);
    kr_buf b = {0};
    kr_err err = {0};
    assert_int_equal(kr_hash_json(doc, &b, &err), 0);
    if (json)
        assert_string_equal(b.data, json);
    char out[KR_HASH_LEN + 1];
    assert_int_equal(kr_hash_suffix(doc, out, &err), 0);
    assert_string_equal(out, suffix);
    kr_buf_free(&b);
    kr_arena_free(a);
}

static void test_hash_examples(void **state)
{
    (void)state;
    /* the worked example; the name never counts */
    expect_hash("kind: ConfigMap\nmetadata: {name: my-config}\ndata: {FOO: bar}\n",
                "{\"data\":{\"FOO\":\"bar\"},\"kind\":\"ConfigMap\",\"name\":\"\"}", "59m54fbgh2");
    expect_hash("kind: ConfigMap\nmetadata: {name: other-name}\ndata: {FOO: bar}\n", NULL,
                "59m54fbgh2");
    expect_hash("kind: ConfigMap\ndata: {A: \"1\"}\n", NULL, "89g4tffbfk");
    expect_hash("kind: Secret\ntype: Opaque\ndata: {FOO: YmFy}\n",
                "{\"data\":{\"FOO\":\"YmFy\"},\"kind\":\"Secret\",\"name\":\"\",\"type\":\"Opaque\"}",
                "fck7mbk8d4");
    expect_hash("kind: Secret\ntype: kubernetes.io/tls\ndata: {tls.crt: eA==, tls.key: eQ==}\n",
                NULL, "f4c6k54dt5");
    expect_hash("kind: ConfigMap\nbinaryData: {bin: //4AYWJj}\n"
                "data: {A: <&>, B: quoted value, C: é☃, multi.txt: \"line1\\nline2\\n\"}\n",
                "{\"binaryData\":{\"bin\":\"//4AYWJj\"},\"data\":{\"A\":\"\\u003c\\u0026\\u003e\","
                "\"B\":\"quoted value\",\"C\":\"é☃\",\"multi.txt\":\"line1\\nline2\\n\"},"
                "\"kind\":\"ConfigMap\",\"name\":\"\"}",
                "5cf6f7752d");
    expect_hash("kind: ConfigMap\ndata: {K1: v1, K2: \"\", K3: a=b, K4: '\"q\"'}\n", NULL,
                "9966k7d54k");
    /* oracle: a file holding a\bb\fc\x01d\x7fe<U+2028>f (Go >= 1.22 writes \b and \f) */
    expect_hash("kind: ConfigMap\ndata: {ctl.txt: \"a\\bb\\fc\\x01d\\x7Fe\\u2028f\"}\n", NULL,
                "g947h224f7");
    /* oracle: a patch put a timestamp into a generated ConfigMap */
    expect_hash("kind: ConfigMap\ndata: {A: \"1\", t: 2001-12-14}\n", NULL, "c8m27mdbb2");
    /* oracle: numbers, bools, nested values and binaryData patched in */
    expect_hash("kind: ConfigMap\nbinaryData: {x: AAAA}\n"
                "data: {A: \"1\", i: 12345678901234567890, f: 1.5e-7, g: 1e21, "
                "h: 123456789012.5, b: true, m: {z: 1, a: [1, \"x<y\"]}, t: 2001-12-14}\n",
                NULL, "tdb664bh2b");
    /* oracle: no data at all gives "data":"" */
    expect_hash("kind: ConfigMap\nmetadata: {name: empty}\n",
                "{\"data\":\"\",\"kind\":\"ConfigMap\",\"name\":\"\"}", "6ct58987ht");
    /* oracle: an empty Secret */
    expect_hash("kind: Secret\ntype: Opaque\ndata: {}\n", NULL, "46f8b28mk5");
}

static void test_hash_other_kind(void **state)
{
    (void)state;
    kr_arena *a = kr_arena_new();
    kr_node *doc = parse(a, "kind: Service\n");
    kr_err err = {0};
    char out[KR_HASH_LEN + 1];
    assert_int_equal(kr_hash_suffix(doc, out, &err), KRENDER_E_UNSUPPORTED);
    kr_err_clear(&err);
    kr_arena_free(a);
}

/* ---- env files ---- */

static void expect_env(const char *data, size_t len, const char *const *want, size_t n)
{
    kr_arena *a = kr_arena_new();
    kr_kvlist l = {0};
    const char *bad;
    size_t badlen;
    assert_int_equal(kr_env_parse(a, data, len, &l, &bad, &badlen), 0);
    assert_int_equal(l.n, n);
    for (size_t i = 0; i < n; i++) {
        char kv[256];
        snprintf(kv, sizeof kv, "%s=%s", l.items[i].key, l.items[i].val);
        assert_string_equal(kv, want[i]);
    }
    kr_arena_free(a);
}

static void test_env_parse(void **state)
{
    (void)state;
    const char text[] = "\xef\xbb\xbf# comment\n  K1=v1\r\n\n  \t# indented\nK2\nK3=a=b\n"
                        "K4=\"q\"\nK5= spaced  \n=skipped\nK6 =x\n\xe2\x80\x83U=1\nLAST=end\r\r";
    const char *want[] = {"K1=v1", "K2=", "K3=a=b", "K4=\"q\"", "K5= spaced  ",
                          "K6 =x", "U=1", "LAST=end\r"};
    expect_env(text, sizeof text - 1, want, 8);
    /* a BOM only counts on the first line */
    const char bom2[] = "\n\xef\xbb\xbf" "B=1\n";
    const char *want2[] = {"\xef\xbb\xbf" "B=1"};
    expect_env(bom2, sizeof bom2 - 1, want2, 1);
    expect_env("", 0, NULL, 0);
}

static void test_env_long_line(void **state)
{
    (void)state;
    /* bufio.Scanner stops (silently) at a line that does not fit in 64 KiB */
    size_t n = 4 + 2 + 65534 + 1 + 4;
    char *text = malloc(n);
    memcpy(text, "A=1\nL=", 6);
    memset(text + 6, 'x', 65534);
    memcpy(text + 6 + 65534, "\nB=2", 5);
    const char *want[] = {"A=1"};
    expect_env(text, n - 1, want, 1);
    /* one byte shorter fits */
    memcpy(text + 6 + 65533, "\nB=2", 5);
    kr_arena *a = kr_arena_new();
    kr_kvlist l = {0};
    const char *bad;
    size_t badlen;
    assert_int_equal(kr_env_parse(a, text, n - 2, &l, &bad, &badlen), 0);
    assert_int_equal(l.n, 3);
    assert_int_equal(l.items[1].vlen, 65533);
    kr_arena_free(a);
    free(text);
}

static void test_env_invalid_utf8(void **state)
{
    (void)state;
    kr_arena *a = kr_arena_new();
    kr_kvlist l = {0};
    const char *bad = NULL;
    size_t badlen = 0;
    assert_int_equal(kr_env_parse(a, "A=1\nK=\xff\n", 8, &l, &bad, &badlen),
                     KRENDER_E_KUSTOMIZATION);
    assert_int_equal(badlen, 3);
    assert_memory_equal(bad, "K=\xff", 3);
    kr_arena_free(a);
}

/* ---- literals and file sources ---- */

static void test_literals(void **state)
{
    (void)state;
    kr_arena *a = kr_arena_new();
    kr_kv kv;
    assert_true(kr_literal_parse(a, "A=b=c", 5, &kv));
    assert_string_equal(kv.key, "A");
    assert_string_equal(kv.val, "b=c");
    assert_true(kr_literal_parse(a, "B=\"quoted value\"", 16, &kv));
    assert_string_equal(kv.val, "quoted value");
    assert_true(kr_literal_parse(a, "C='x'", 5, &kv));
    assert_string_equal(kv.val, "x");
    assert_true(kr_literal_parse(a, "D=\"x'", 5, &kv));
    assert_string_equal(kv.val, "\"x'");
    assert_true(kr_literal_parse(a, "E=\"", 3, &kv));
    assert_string_equal(kv.val, "\"");
    assert_true(kr_literal_parse(a, "F=", 2, &kv));
    assert_string_equal(kv.val, "");
    assert_true(kr_literal_parse(a, "a b=1", 5, &kv)); /* keys are not validated */
    assert_string_equal(kv.key, "a b");
    assert_false(kr_literal_parse(a, "=x", 2, &kv));
    assert_false(kr_literal_parse(a, "noeq", 4, &kv));
    kr_arena_free(a);
}

static void test_file_sources(void **state)
{
    (void)state;
    kr_arena *a = kr_arena_new();
    const char *key, *path;
    assert_null(kr_file_source_parse(a, "dir/sub//f.txt", &key, &path));
    assert_string_equal(key, "f.txt");
    assert_string_equal(path, "dir/sub//f.txt");
    assert_null(kr_file_source_parse(a, "dir/", &key, &path));
    assert_string_equal(key, "dir");
    assert_null(kr_file_source_parse(a, "k=dir/f", &key, &path));
    assert_string_equal(key, "k");
    assert_string_equal(path, "dir/f");
    assert_string_equal(kr_file_source_parse(a, "a=b=c", &key, &path),
                        "source \"a=b=c\" key name or file path contains '='");
    assert_string_equal(kr_file_source_parse(a, "=b", &key, &path),
                        "missing key name for file path \"b\" in source \"=b\"");
    assert_string_equal(kr_file_source_parse(a, "b=", &key, &path),
                        "missing file path for key name \"b\" in source \"b=\"");
    kr_arena_free(a);
}

/* ---- base64 ---- */

static void expect_b64(const char *in, size_t n, const char *want)
{
    kr_arena *a = kr_arena_new();
    size_t len;
    char *s = kr_base64_wrapped(a, in, n, &len);
    assert_non_null(s);
    assert_int_equal(len, strlen(want));
    assert_string_equal(s, want);
    kr_arena_free(a);
}

static void test_base64(void **state)
{
    (void)state;
    expect_b64("", 0, "");
    expect_b64("bar", 3, "YmFy");
    expect_b64("\xff\xfe\x00" "abc", 6, "//4AYWJj");
    char a60[61], b51[52], c52[53];
    memset(a60, 'a', 60);
    memset(b51, 'b', 51);
    memset(c52, 'c', 52);
    /* pipeline.md §6 (observed secret-long): 60 bytes -> two lines, each ending in \n */
    expect_b64(a60, 60,
               "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYW\n"
               "FhYWFhYWFh\n");
    /* 68 characters stay on one line without a newline */
    expect_b64(b51, 51, "YmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJi");
    /* 72 characters: one full line and a short one */
    expect_b64(c52, 52,
               "Y2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjYw\n"
               "==\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_string_escapes),
        cmocka_unit_test(test_json_string_every_position),
        cmocka_unit_test(test_json_float),
        cmocka_unit_test(test_json_node),
        cmocka_unit_test(test_hash_encode),
        cmocka_unit_test(test_hash_examples),
        cmocka_unit_test(test_hash_other_kind),
        cmocka_unit_test(test_env_parse),
        cmocka_unit_test(test_env_long_line),
        cmocka_unit_test(test_env_invalid_utf8),
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_file_sources),
        cmocka_unit_test(test_base64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
