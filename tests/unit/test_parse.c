/* parse.c + resolve.c: scalar typing in both modes, positions, anchors and merge keys,
 * duplicate keys, resource stream splitting, errors. Expected values come from the oracle
 * (kubectl 1.33 kustomize = kustomize v5.6.0). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common_words.h"
#include "parse.h"
#include "resolve.h"

typedef struct fixture {
    kr_arena *a;
    kr_err err;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->a = kr_arena_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    kr_err_clear(&f->err);
    kr_arena_free(f->a);
    free(f);
    return 0;
}

static kr_node *doc(fixture *f, kr_yaml_mode mode, const char *text)
{
    kr_node *n = NULL;
    int rc = kr_parse_document(f->a, "t.yaml", text, strlen(text), mode, &n, &f->err);
    if (rc)
        fprintf(stderr, "unexpected error: %s\n", f->err.message);
    assert_int_equal(rc, KRENDER_OK);
    return n;
}

static int doc_err(fixture *f, kr_yaml_mode mode, const char *text)
{
    kr_node *n = (kr_node *)1;
    kr_err_clear(&f->err);
    int rc = kr_parse_document(f->a, "t.yaml", text, strlen(text), mode, &n, &f->err);
    assert_null(n);
    return rc;
}

static int stream(fixture *f, const char *text, kr_node ***docs, size_t *n)
{
    kr_err_clear(&f->err);
    return kr_parse_stream(f->a, "s.yaml", text, strlen(text), docs, n, &f->err);
}

/* ---- scalar types ---- */

typedef struct {
    const char *text;
    kr_scalar_type t12, t11;
} type_case;

static const type_case type_cases[] = {
    {"", KR_T_NULL, KR_T_NULL},
    {"~", KR_T_NULL, KR_T_NULL},
    {"null", KR_T_NULL, KR_T_NULL},
    {"Null", KR_T_NULL, KR_T_NULL},
    {"NULL", KR_T_NULL, KR_T_NULL},
    {"nUll", KR_T_STR, KR_T_STR},
    {"true", KR_T_BOOL, KR_T_BOOL},
    {"True", KR_T_BOOL, KR_T_BOOL},
    {"TRUE", KR_T_BOOL, KR_T_BOOL},
    {"tRue", KR_T_STR, KR_T_STR},
    {"false", KR_T_BOOL, KR_T_BOOL},
    {"yes", KR_T_STR, KR_T_BOOL},
    {"Yes", KR_T_STR, KR_T_BOOL},
    {"NO", KR_T_STR, KR_T_BOOL},
    {"on", KR_T_STR, KR_T_BOOL},
    {"Off", KR_T_STR, KR_T_BOOL},
    {"y", KR_T_STR, KR_T_BOOL},
    {"n", KR_T_STR, KR_T_BOOL},
    {"yES", KR_T_STR, KR_T_STR},
    {"0", KR_T_INT, KR_T_INT},
    {"-0", KR_T_INT, KR_T_INT},
    {"+1", KR_T_INT, KR_T_INT},
    {"012", KR_T_INT, KR_T_INT},
    {"0777", KR_T_INT, KR_T_INT},
    {"08", KR_T_FLOAT, KR_T_FLOAT}, /* not octal: the float regexp takes it */
    {"0o17", KR_T_INT, KR_T_INT},
    {"0O17", KR_T_INT, KR_T_INT},
    {"0x1F", KR_T_INT, KR_T_INT},
    {"0X1F", KR_T_INT, KR_T_INT},
    {"0b101", KR_T_INT, KR_T_INT},
    {"-0b101", KR_T_INT, KR_T_INT},
    {"1_000", KR_T_INT, KR_T_INT},
    {"0x_1F", KR_T_INT, KR_T_INT},
    {"_1", KR_T_STR, KR_T_STR},
    {"1:20", KR_T_STR, KR_T_STR}, /* go-yaml never had base 60 */
    {"1.0", KR_T_FLOAT, KR_T_FLOAT},
    {"3.0e0", KR_T_FLOAT, KR_T_FLOAT},
    {"1e3", KR_T_FLOAT, KR_T_FLOAT},
    {"1e", KR_T_STR, KR_T_STR},
    {".5", KR_T_FLOAT, KR_T_FLOAT},
    {"-.5", KR_T_FLOAT, KR_T_FLOAT},
    {"1.", KR_T_FLOAT, KR_T_FLOAT},
    {".", KR_T_STR, KR_T_STR},
    {".e3", KR_T_STR, KR_T_STR},
    {".inf", KR_T_FLOAT, KR_T_FLOAT},
    {"-.Inf", KR_T_FLOAT, KR_T_FLOAT},
    {".NaN", KR_T_FLOAT, KR_T_FLOAT},
    {".iNf", KR_T_STR, KR_T_STR},
    {"1e400", KR_T_STR, KR_T_STR}, /* ParseFloat range error */
    {"1e-400", KR_T_FLOAT, KR_T_FLOAT},
    {"1_0.5", KR_T_FLOAT, KR_T_FLOAT},
    {"0x1p3", KR_T_STR, KR_T_STR},
    {"9223372036854775808", KR_T_INT, KR_T_INT},
    {"18446744073709551615", KR_T_INT, KR_T_INT},
    {"18446744073709551616", KR_T_FLOAT, KR_T_FLOAT},
    {"-9223372036854775808", KR_T_INT, KR_T_INT},
    {"-9223372036854775809", KR_T_FLOAT, KR_T_FLOAT},
    {"+18446744073709551615", KR_T_FLOAT, KR_T_FLOAT},
    {"2001-12-14", KR_T_TIMESTAMP, KR_T_STR},
    {"2001-1-2", KR_T_TIMESTAMP, KR_T_STR},
    {"2001-12-14T21:59:43.10Z", KR_T_TIMESTAMP, KR_T_STR},
    {"2001-12-14t21:59:43.10Z", KR_T_TIMESTAMP, KR_T_STR},
    {"2001-12-14T21:59:43.10z", KR_T_STR, KR_T_STR},
    {"2001-12-14T21:59:43", KR_T_STR, KR_T_STR},
    {"2001-12-14T21:59:43+05:30", KR_T_TIMESTAMP, KR_T_STR},
    {"2001-12-14T21:59:43+0530", KR_T_STR, KR_T_STR},
    {"2001-12-14T21:59:43+25:00", KR_T_STR, KR_T_STR},
    {"2001-12-14T21:59:43,5Z", KR_T_TIMESTAMP, KR_T_STR},
    {"2001-12-14T1:2:3Z", KR_T_TIMESTAMP, KR_T_STR},
    {"2001-12-14T24:00:00Z", KR_T_STR, KR_T_STR},
    {"2001-02-29", KR_T_STR, KR_T_STR},
    {"2000-02-29", KR_T_TIMESTAMP, KR_T_STR},
    {"2001-13-01", KR_T_STR, KR_T_STR},
    {"2001-12-14 21:59:43.10", KR_T_TIMESTAMP, KR_T_STR},
    {"2001-12-14  21:59:43", KR_T_TIMESTAMP, KR_T_STR},
    {"2001-12-14 21:59:43 +05:00", KR_T_STR, KR_T_STR},
    {"20011-12-14", KR_T_STR, KR_T_STR},
    {"hello", KR_T_STR, KR_T_STR},
    {"<<", KR_T_STR, KR_T_STR},
};

static void test_resolve_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof type_cases / sizeof type_cases[0]; i++) {
        const type_case *c = &type_cases[i];
        kr_scalar_type t12 = kr_resolve_plain(c->text, strlen(c->text), KR_YAML_12);
        kr_scalar_type t11 = kr_resolve_plain(c->text, strlen(c->text), KR_YAML_11);
        if (t12 != c->t12 || t11 != c->t11)
            fail_msg("%s: got %d/%d want %d/%d", c->text, t12, t11, c->t12, c->t11);
    }
}

/* The same table through the parser, as plain values and quoted (always strings). */
static void test_parse_types(void **state)
{
    fixture *f = *state;
    char buf[256];
    for (size_t i = 0; i < sizeof type_cases / sizeof type_cases[0]; i++) {
        const type_case *c = &type_cases[i];
        snprintf(buf, sizeof buf, "k: %s\nq: '%s'\n", c->text, c->text);
        for (int m = 0; m < 2; m++) {
            kr_node *n = doc(f, (kr_yaml_mode)m, buf);
            kr_node *v = kr_map_get(n, "k"), *q = kr_map_get(n, "q");
            assert_non_null(v);
            assert_int_equal(v->type, m ? c->t11 : c->t12);
            assert_int_equal(v->style, KR_STYLE_PLAIN);
            assert_int_equal(v->len, strlen(c->text));
            assert_memory_equal(v->u.text, c->text, v->len);
            assert_int_equal(q->type, KR_T_STR);
            assert_int_equal(q->style, KR_STYLE_SINGLE);
        }
    }
}

static void test_styles(void **state)
{
    fixture *f = *state;
    kr_node *n = doc(f, KR_YAML_12, "a: \"1\"\nb: |\n  x\n  y\nc: >-\n  1\n  2\nd: 'it''s'\ne: plain text\n");
    assert_int_equal(kr_map_get(n, "a")->style, KR_STYLE_DOUBLE);
    assert_int_equal(kr_map_get(n, "a")->type, KR_T_STR);
    assert_int_equal(kr_map_get(n, "b")->style, KR_STYLE_LITERAL);
    assert_string_equal(kr_map_get(n, "b")->u.text, "x\ny\n");
    assert_int_equal(kr_map_get(n, "c")->style, KR_STYLE_FOLDED);
    assert_string_equal(kr_map_get(n, "c")->u.text, "1 2");
    assert_int_equal(kr_map_get(n, "c")->type, KR_T_STR);
    assert_string_equal(kr_map_get(n, "d")->u.text, "it's");
    assert_string_equal(kr_map_get(n, "e")->u.text, "plain text");
}

static void test_tags(void **state)
{
    fixture *f = *state;
    kr_node *n = doc(f, KR_YAML_12,
                     "a: !!str 123\nb: !!int \"7\"\nc: !!float 3\nd: !!bool \"true\"\n"
                     "e: !!null \"\"\nf: !Ref x\ng: ! 12\nh: ! \"12\"\ni: !!binary aGVsbG8=\n"
                     "j: !<tag:yaml.org,2002:str> 1\nk: !!timestamp 2001-12-14\nl: !Ref\n"
                     "m: !!float 0x10\n");
    struct {
        const char *k;
        kr_scalar_type t;
        bool tagged;
        const char *text;
    } want[] = {{"a", KR_T_STR, 1, "123"},  {"b", KR_T_INT, 1, "7"},
                {"c", KR_T_FLOAT, 1, "3"},  {"d", KR_T_BOOL, 1, "true"},
                {"e", KR_T_NULL, 1, ""},    {"f", KR_T_STR, 1, "x"},
                {"g", KR_T_INT, 0, "12"},   {"h", KR_T_STR, 0, "12"},
                {"i", KR_T_STR, 1, "hello"}, {"j", KR_T_STR, 1, "1"},
                {"k", KR_T_TIMESTAMP, 1, "2001-12-14"}, {"l", KR_T_STR, 1, ""},
                {"m", KR_T_FLOAT, 1, "0x10"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        kr_node *v = kr_map_get(n, want[i].k);
        assert_non_null(v);
        assert_int_equal(v->type, want[i].t);
        assert_int_equal(!!(v->flags & KR_NF_TAGGED), want[i].tagged);
        assert_string_equal(v->u.text, want[i].text);
        assert_int_equal(v->flags & ~KR_NF_TAGGED, 0); /* no internal bits leak */
    }
}

static void test_tag_mismatch(void **state)
{
    fixture *f = *state;
    assert_int_equal(doc_err(f, KR_YAML_12, "a: !!int abc\n"), KRENDER_E_YAML);
    assert_string_equal(f->err.message, "cannot decode !!str `abc` as a !!int");
    assert_int_equal(f->err.line, 1);
    assert_int_equal(f->err.column, 4);
    assert_int_equal(doc_err(f, KR_YAML_12, "a: !!int 1.5\n"), KRENDER_E_YAML);
    assert_string_equal(f->err.message, "cannot decode !!float `1.5` as a !!int");
    assert_int_equal(doc_err(f, KR_YAML_12, "a: !!bool yes\n"), KRENDER_E_YAML);
    assert_string_equal(f->err.message, "cannot decode !!str `yes` as a !!bool");
    assert_int_equal(doc_err(f, KR_YAML_12, "a: !!binary \"!!\"\n"), KRENDER_E_YAML);
    assert_string_equal(f->err.message, "!!binary value contains invalid base64 data");
    /* YAML 1.1 knows yes */
    kr_node *n = doc(f, KR_YAML_11, "a: !!bool yes\n");
    assert_int_equal(kr_map_get(n, "a")->type, KR_T_BOOL);
}

static void test_numbers(void **state)
{
    (void)state;
    kr_number v;
    assert_true(kr_resolve_number("0x1F", 4, &v));
    assert_int_equal(v.kind, KR_NUM_INT);
    assert_int_equal(v.i, 31);
    assert_true(kr_resolve_number("0777", 4, &v));
    assert_int_equal(v.i, 511);
    assert_true(kr_resolve_number("-1_000", 6, &v));
    assert_int_equal(v.i, -1000);
    assert_true(kr_resolve_number("18446744073709551615", 20, &v));
    assert_int_equal(v.kind, KR_NUM_UINT);
    assert_true(v.u == UINT64_MAX);
    assert_true(kr_resolve_number("1e3", 3, &v));
    assert_int_equal(v.kind, KR_NUM_FLOAT);
    assert_true(v.d == 1000.0);
    assert_true(kr_resolve_number("-.inf", 5, &v));
    assert_true(v.d < 0 && v.d * 0 != 0);
    assert_true(kr_resolve_number(".NaN", 4, &v));
    assert_true(v.d != v.d);
    assert_false(kr_resolve_number("abc", 3, &v));
}

/* ---- positions ---- */

static void test_positions(void **state)
{
    fixture *f = *state;
    kr_node *n = doc(f, KR_YAML_12,
                     "# c\napiVersion: v1\nmetadata:\n  name: x\n  labels: &l\n    a: b\n"
                     "list:\n- one\n-   !!str two\n- {x: 1}\n");
    assert_int_equal(n->line, 2);
    assert_int_equal(n->col, 1);
    kr_pair *p = kr_map_find(n, "apiVersion");
    assert_int_equal(p->key->line, 2);
    assert_int_equal(p->value->col, 13);
    kr_node *md = kr_map_get(n, "metadata");
    assert_int_equal(md->line, 4);
    assert_int_equal(md->col, 3);
    kr_node *labels = kr_map_get(md, "labels");
    assert_int_equal(labels->line, 5); /* at the anchor, as go-yaml */
    assert_int_equal(labels->col, 11);
    kr_node *list = kr_map_get(n, "list");
    assert_int_equal(list->line, 8);
    assert_int_equal(list->col, 1);
    assert_int_equal(list->u.items[1]->line, 9);
    assert_int_equal(list->u.items[1]->col, 5); /* at the tag */
    assert_int_equal(list->u.items[2]->col, 3);
    /* quoted scalars at the quote, block scalars at the indicator, aliases at the '*' */
    n = doc(f, KR_YAML_12, "a:  \"q\"\nb: 'r'\nc: |- # x|\n  text\nd: &z v\ne:  *z\n");
    assert_int_equal(kr_map_get(n, "a")->col, 5);
    assert_int_equal(kr_map_get(n, "b")->col, 4);
    assert_int_equal(kr_map_get(n, "c")->line, 3);
    assert_int_equal(kr_map_get(n, "c")->col, 4);
    assert_int_equal(kr_map_get(n, "d")->col, 4);
}

/* ---- anchors, aliases, merge keys ---- */

static void test_aliases(void **state)
{
    fixture *f = *state;
    kr_node *n = doc(f, KR_YAML_12, "a: &x {k: [1, 2]}\nb: *x\nc: &s v\nd: *s\n");
    kr_node *a = kr_map_get(n, "a"), *b = kr_map_get(n, "b");
    assert_true(a != b);
    assert_int_equal(b->kind, KR_MAP);
    assert_true(kr_map_get(a, "k") != kr_map_get(b, "k")); /* deep copy */
    assert_int_equal(kr_map_get(b, "k")->len, 2);
    assert_string_equal(kr_map_get_str(n, "d"), "v");
    assert_int_equal(kr_map_get(n, "d")->flags, 0);
    assert_int_equal(doc_err(f, KR_YAML_12, "a: *nope\n"), KRENDER_E_YAML);
    assert_string_equal(f->err.message, "unknown anchor 'nope' referenced");
    assert_int_equal(f->err.line, 1);
    assert_int_equal(f->err.column, 4);
    assert_int_equal(doc_err(f, KR_YAML_12, "a: &x [*x]\n"), KRENDER_E_YAML);
}

static const char *keys_of(fixture *f, const kr_node *m)
{
    char *s = kr_arena_zalloc(f->a, 256);
    for (uint32_t i = 0; i < m->len; i++) {
        strncat(s, m->u.pairs[i].key->u.text, 200);
        strcat(s, "=");
        strncat(s, m->u.pairs[i].value->u.text, 200);
        strcat(s, i + 1 < m->len ? "," : "");
    }
    return s;
}

static void test_merge12(void **state)
{
    fixture *f = *state;
    /* kyaml DeAnchor: explicit keys win and stay first; earlier maps of a list win */
    kr_node *n = doc(f, KR_YAML_12,
                     "l1: &l1 {a: '1', b: '1'}\nl2: &l2 {b: '2', c: '2'}\n"
                     "d:\n  <<: [*l1, *l2]\n  a: own\n  '<<': q\n");
    assert_string_equal(keys_of(f, kr_map_get(n, "d")), "a=own,<<=q,b=1,c=2");
    n = doc(f, KR_YAML_12, "b: &b {x: 1}\nd: {y: 2, <<: *b, x: 3}\ne: {<<: {z: 1}}\n");
    assert_string_equal(keys_of(f, kr_map_get(n, "d")), "y=2,x=3");
    assert_string_equal(keys_of(f, kr_map_get(n, "e")), "z=1");

    assert_int_equal(doc_err(f, KR_YAML_12, "a: &a {x: 1}\nb:\n  <<: *a\n  <<: *a\n"),
                     KRENDER_E_YAML);
    assert_string_equal(f->err.message, "duplicate merge key");
    assert_int_equal(f->err.line, 4);
    assert_int_equal(doc_err(f, KR_YAML_12, "b:\n  <<: 5\n"), KRENDER_E_YAML);
    assert_string_equal(f->err.message, "map merge requires map or sequence of maps as the value");
    assert_int_equal(doc_err(f, KR_YAML_12, "a: &a {x: y}\nb:\n  <<: [*a, [1]]\n"),
                     KRENDER_E_YAML);
    assert_string_equal(f->err.message, "invalid map merge: received a nested sequence");
    assert_int_equal(doc_err(f, KR_YAML_12, "a: &a x\nb:\n  <<: *a\n"), KRENDER_E_YAML);
    assert_string_equal(f->err.message, "invalid map merge: received alias for a non-map value");
    assert_int_equal(doc_err(f, KR_YAML_12, "a: &a [x]\nb:\n  <<: [*a]\n"), KRENDER_E_YAML);
    assert_string_equal(f->err.message, "invalid map merge: received alias for a non-map value");
}

static void test_merge11(void **state)
{
    fixture *f = *state;
    /* go-yaml v2: merges apply where they stand, the last setter wins (observed with a
     * kustomization: namePrefix own- then <<: {namePrefix: merged-} gives merged-) */
    kr_node *n = doc(f, KR_YAML_11,
                     "namePrefix: own-\n<<: {namePrefix: merged-, nameSuffix: -s1}\n"
                     "nameSuffix: -s2\n");
    assert_string_equal(keys_of(f, n), "namePrefix=merged-,nameSuffix=-s2");
    n = doc(f, KR_YAML_11, "<<: [{p: a-}, {p: b-, s: -b}]\n");
    assert_string_equal(keys_of(f, n), "p=a-,s=-b");
    n = doc(f, KR_YAML_11, "<<: {a: 1}\n<<: {a: 2}\n");
    assert_string_equal(keys_of(f, n), "a=2");
}

static void test_duplicates(void **state)
{
    fixture *f = *state;
    const char *y = "data:\n  a: 1\n  b: 2\n  \"a\": 3\n";
    assert_int_equal(doc_err(f, KR_YAML_12, y), KRENDER_E_YAML);
    assert_string_equal(f->err.message, "mapping key \"a\" already defined at line 2");
    assert_string_equal(f->err.file, "t.yaml");
    assert_int_equal(f->err.line, 4);
    assert_int_equal(f->err.column, 3);
    kr_node *n = doc(f, KR_YAML_11, y);
    assert_string_equal(keys_of(f, kr_map_get(n, "data")), "a=3,b=2");
    /* a map big enough for the hash table */
    char big[4096] = "";
    for (int i = 0; i < 100; i++)
        sprintf(big + strlen(big), "k%d: %d\n", i, i);
    strcat(big, "k42: dup\n");
    assert_int_equal(doc_err(f, KR_YAML_12, big), KRENDER_E_YAML);
    assert_string_equal(f->err.message, "mapping key \"k42\" already defined at line 43");
    assert_int_equal(f->err.line, 101);
    n = doc(f, KR_YAML_11, big);
    assert_int_equal(n->len, 100);
    assert_string_equal(kr_map_get_str(n, "k42"), "dup");
}

static void test_empty_and_null(void **state)
{
    fixture *f = *state;
    const char *empties[] = {"", "# only\n# comments\n", "null\n", "~", "---\n", "--- null\n...\n"};
    for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
        kr_node *n = (kr_node *)1;
        assert_int_equal(kr_parse_document(f->a, NULL, empties[i], strlen(empties[i]),
                                           KR_YAML_12, &n, &f->err),
                         KRENDER_OK);
        assert_null(n);
    }
    kr_node *n = doc(f, KR_YAML_12, "'null'\n");
    assert_non_null(n);
    n = doc(f, KR_YAML_12, "a: 1\n---\nb: [\n"); /* later documents are not read */
    assert_non_null(kr_map_get(n, "a"));
}

/* ---- streams ---- */

static void test_stream_split(void **state)
{
    fixture *f = *state;
    kr_node **d;
    size_t n;
    assert_int_equal(stream(f, "--- # first\na: 1\n--- # c\nb: 2\n---   \nc: 3\n---\n---\nd: 4\n",
                            &d, &n),
                     KRENDER_OK);
    assert_int_equal(n, 4);
    assert_string_equal(d[0]->u.pairs[0].key->u.text, "a");
    assert_int_equal(d[0]->line, 2);
    assert_int_equal(d[1]->line, 4);
    assert_int_equal(d[2]->line, 6);
    assert_string_equal(d[3]->u.pairs[0].key->u.text, "d");
    assert_int_equal(d[3]->line, 9);

    /* CRLF, empty, comment-only and null documents */
    assert_int_equal(stream(f, "a: 1\r\n---\r\n\r\n---\r\n# x\r\n---\r\nnull\r\n---\r\nb: |\r\n  x\r\n",
                            &d, &n),
                     KRENDER_OK);
    assert_int_equal(n, 2);
    assert_int_equal(d[1]->line, 9);
    assert_string_equal(kr_map_get_str(d[1], "b"), "x\n");

    /* only the first document of a chunk: "..." ends it, the rest is never parsed */
    assert_int_equal(stream(f, "a: 1\n...\nb: [\n---\nc: 1\n", &d, &n), KRENDER_OK);
    assert_int_equal(n, 2);
    assert_non_null(kr_map_get(d[1], "c"));
    /* a final "---" without a newline is no separator: YAML sees a second document */
    assert_int_equal(stream(f, "a: 1\n---", &d, &n), KRENDER_OK);
    assert_int_equal(n, 1);
    assert_int_equal(stream(f, "", &d, &n), KRENDER_OK);
    assert_int_equal(n, 0);
    assert_null(d);
}

static void test_stream_bad_separator(void **state)
{
    fixture *f = *state;
    kr_node **d;
    size_t n;
    assert_int_equal(stream(f, "a: 1\n---foo\nb: 2\n", &d, &n), KRENDER_E_YAML);
    assert_string_equal(f->err.message, "invalid document separator: ---foo");
    assert_int_equal(f->err.line, 2);
    assert_int_equal(stream(f, "a: 1\n--- x  \nb: 2\n", &d, &n), KRENDER_E_YAML);
    assert_string_equal(f->err.message, "invalid document separator: --- x");
    assert_int_equal(stream(f, "a: 1\n----\n", &d, &n), KRENDER_E_YAML);
    /* the first line is never a separator: YAML reads "---foo" as a plain scalar */
    assert_int_equal(stream(f, "---foo\n", &d, &n), KRENDER_OK);
    assert_int_equal(n, 1);
    assert_string_equal(d[0]->u.text, "---foo");
}

static void test_stream_error_lines(void **state)
{
    fixture *f = *state;
    kr_node **d;
    size_t n;
    assert_int_equal(stream(f, "a: 1\n---\nb: 1\nc: 2\n---\nd:\n\te: 1\n", &d, &n),
                     KRENDER_E_YAML);
    assert_string_equal(f->err.file, "s.yaml");
    assert_int_equal(f->err.line, 7); /* line of the whole file */
    assert_int_equal(f->err.column, 1);
    assert_int_equal(stream(f, "a: 1\n---\nb: 1\nb: 2\n", &d, &n), KRENDER_E_YAML);
    assert_string_equal(f->err.message, "mapping key \"b\" already defined at line 3");
    assert_int_equal(f->err.line, 4);
}

/* A resource stream's common keys are shared static nodes; a kustomization keeps every key's
 * position (its decoder names them), and so does a duplicate-key error in a stream. */
static void test_shared_keys(void **state)
{
    fixture *f = *state;
    kr_node **d;
    size_t n;
    const char *y = "kind: Pod\nmetadata:\n  name: a\n  labels:\n    name: x\n    custom: y\n"
                    "true: 1\n&anchored image: z\n'kind': quoted\n";
    assert_int_equal(stream(f, y, &d, &n), KRENDER_E_YAML); /* 'kind' twice */
    assert_string_equal(f->err.message, "mapping key \"kind\" already defined at line 1");
    assert_int_equal(f->err.line, 9);
    const char *ok = "kind: Pod\nmetadata:\n  name: a\n  labels:\n    name: x\n    custom: y\n"
                     "true: 1\n&anchored image: z\n";
    assert_int_equal(stream(f, ok, &d, &n), 0);
    assert_int_equal(n, 1);
    const kr_node *root = d[0], *meta = kr_map_get(root, "metadata");
    const kr_node *labels = kr_map_get(meta, "labels");
    /* the same word is one node wherever it is a key */
    assert_true(kr_is_common_key(root->u.pairs[0].key));
    assert_ptr_equal(meta->u.pairs[0].key, labels->u.pairs[0].key);
    assert_int_equal(meta->u.pairs[0].key->line, 0);
    /* not shared: an uncommon word, a key resolving to a bool, an anchored key */
    assert_false(kr_is_common_key(labels->u.pairs[1].key));
    assert_int_equal(labels->u.pairs[1].key->line, 6);
    assert_false(kr_is_common_key(root->u.pairs[2].key));
    assert_int_equal(root->u.pairs[2].key->type, KR_T_BOOL);
    assert_false(kr_is_common_key(root->u.pairs[3].key));
    assert_int_equal(root->u.pairs[3].key->line, 8);
    /* values are never shared, even common words */
    assert_false(kr_is_common_key(kr_map_get(root, "kind")));
    /* a kustomization document keeps positions */
    kr_node *k = doc(f, KR_YAML_11, "kind: Kustomization\nresources:\n- a\n");
    assert_false(kr_is_common_key(k->u.pairs[1].key));
    assert_int_equal(k->u.pairs[1].key->line, 2);
}

/* ---- errors ---- */

/* go-yaml v3 (so kustomize) only reads YAML 1.1 documents; libyaml 0.2.5 would take 1.2. */
static void test_version_directive(void **state)
{
    fixture *f = *state;
    kr_node *n = doc(f, KR_YAML_12, "%YAML 1.1\n---\na: 1\n");
    assert_non_null(kr_map_get(n, "a"));
    assert_int_equal(doc_err(f, KR_YAML_12, "%YAML 1.2\n---\na: 1\n"), KRENDER_E_YAML);
    assert_string_equal(f->err.message, "found incompatible YAML document");
    assert_int_equal(f->err.line, 1);
    /* a syntax error as go-yaml words it ("yaml: line 4: did not find expected key") */
    assert_int_equal(doc_err(f, KR_YAML_12, "a: 1\nb:\n  c: 1\n  d: 2\n e: 3\n"),
                     KRENDER_E_YAML);
    assert_string_equal(f->err.message, "did not find expected key");
    assert_int_equal(f->err.line, 5);
    assert_int_equal(f->err.column, 2);
}

static void test_malformed(void **state)
{
    fixture *f = *state;
    assert_int_equal(doc_err(f, KR_YAML_12, "a: [1\nb: 2\n"), KRENDER_E_YAML);
    assert_non_null(f->err.message);
    assert_true(f->err.line >= 1);
    assert_int_equal(doc_err(f, KR_YAML_12, "a: 1\n b: 2\n"), KRENDER_E_YAML);
    /* go-yaml's message, at the problem mark */
    assert_string_equal(f->err.message, "mapping values are not allowed in this context");
    assert_int_equal(f->err.line, 2);
    assert_int_equal(f->err.column, 3);
    assert_int_equal(doc_err(f, KR_YAML_12, "a: \"abc\n"), KRENDER_E_YAML);
    assert_int_equal(doc_err(f, KR_YAML_12, "? [a]\n: b\n"), KRENDER_E_YAML);
    assert_string_equal(f->err.message, "invalid map key: a sequence");
    /* invalid UTF-8 and NUL bytes: no crash, a YAML error or a string */
    static const char bad[] = "a: \xff\xfe\nb: x\0y\n";
    kr_node *n = NULL;
    kr_err_clear(&f->err);
    (void)kr_parse_document(f->a, NULL, bad, sizeof bad - 1, KR_YAML_12, &n, &f->err);
    kr_node **d;
    size_t nd;
    kr_err_clear(&f->err);
    (void)kr_parse_stream(f->a, NULL, bad, sizeof bad - 1, &d, &nd, &f->err);
}

/* Two trees alike, the second's lines shifted by `shift`. */
static void assert_same_tree(const kr_node *a, const kr_node *b, uint32_t shift)
{
    assert_true((a == NULL) == (b == NULL));
    if (!a)
        return;
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->type, b->type);
    assert_int_equal(a->style, b->style);
    assert_int_equal(a->len, b->len);
    assert_int_equal(a->line ? a->line + shift : 0, b->line);
    assert_int_equal(a->col, b->col);
    if (a->kind == KR_SCALAR) {
        assert_memory_equal(a->u.text, b->u.text, a->len);
    } else if (a->kind == KR_SEQ) {
        for (uint32_t i = 0; i < a->len; i++)
            assert_same_tree(a->u.items[i], b->u.items[i], shift);
    } else {
        for (uint32_t i = 0; i < a->len; i++) {
            assert_same_tree(a->u.pairs[i].key, b->u.pairs[i].key, shift);
            assert_same_tree(a->u.pairs[i].value, b->u.pairs[i].value, shift);
        }
    }
}

/* ASCII text is handed to libyaml decoded (parse_libyaml.c); any other text goes through its
 * reader. A first line "# \u00e9" sends a text through the reader: trees, errors and
 * positions must then be the same, one line further down. The texts end in every way the
 * scanner looks ahead at the end of input. */
static void test_decoded_input_like_reader(void **state)
{
    fixture *f = *state;
    static const char *const texts[] = {
        "a: 1\nb: [x, y]\nc: {d: e}\n",
        "a: 1",
        "a:",
        "- x\n-",
        "-",
        "---",
        "--",
        "...",
        "a: |\n  lit\n  text\n",
        "a: |",
        "a: >-\n  folded\n\n  more",
        "k: 'quoted",
        "k: \"dq\\",
        "k: v # comment",
        "? complex\n: value\n",
        "&a x: *a",
        "a: !!str 1\nb: !t y\n",
        "a: b: c\n",
        "a: 1\n b: 2\n",
        "[1, 2",
        "{a: 1,",
        "a:\t1\n\tb: 2\n",
        "a: 1\r\nb: 2\r\n",
        "a: '\n\n  '\n",
        "%YAML 1.1\n--- a\n",
        "%TAG ! tag:x,2000:\n--- !a b\n",
        "a: @x\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        char *marked = malloc(strlen(texts[i]) + 8);
        strcpy(marked, "# \xC3\xA9\n");
        strcat(marked, texts[i]);
        kr_node *a = NULL, *b = NULL;
        kr_err ea = {0}, eb = {0};
        int ra = kr_parse_document(f->a, "t.yaml", texts[i], strlen(texts[i]), KR_YAML_12, &a,
                                   &ea);
        int rb = kr_parse_document(f->a, "t.yaml", marked, strlen(marked), KR_YAML_12, &b, &eb);
        assert_int_equal(ra, rb);
        if (ra) {
            assert_string_equal(ea.message, eb.message);
            assert_int_equal(ea.line ? ea.line + 1 : 0, eb.line);
            assert_int_equal(ea.column, eb.column);
        } else {
            assert_same_tree(a, b, 1);
        }
        kr_err_clear(&ea);
        kr_err_clear(&eb);
        free(marked);
    }
}

static void test_alias_bomb(void **state)
{
    fixture *f = *state;
    char y[2048] = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 9; i++)
        sprintf(y + strlen(y), "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n",
                'a' + i, 'a' + i, 'a' + i - 1, 'a' + i - 1, 'a' + i - 1, 'a' + i - 1,
                'a' + i - 1, 'a' + i - 1, 'a' + i - 1, 'a' + i - 1, 'a' + i - 1, 'a' + i - 1);
    assert_int_equal(doc_err(f, KR_YAML_12, y), KRENDER_E_YAML);
    assert_non_null(strstr(f->err.message, "alias"));
    assert_true(kr_arena_used(f->a) < 200u * 1024 * 1024);
}

static void test_deep_nesting(void **state)
{
    fixture *f = *state;
    size_t depth = 300;
    char *y = malloc(depth * 2 + 8);
    for (size_t i = 0; i < depth; i++)
        y[i] = '[';
    for (size_t i = 0; i < depth; i++)
        y[depth + i] = ']';
    y[2 * depth] = '\0';
    kr_node *n = doc(f, KR_YAML_12, y);
    assert_int_equal(n->kind, KR_SEQ);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_table),
        cmocka_unit_test_setup_teardown(test_parse_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_styles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tag_mismatch, setup, teardown),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test_setup_teardown(test_positions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aliases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge12, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge11, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_bad_separator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_error_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_directive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decoded_input_like_reader, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alias_bomb, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
