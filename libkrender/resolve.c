/* go-yaml's resolve() (resolve.go in yaml.v3 and yaml.v2) translated rule by rule: the first
 * byte picks a hint, a fixed word table is consulted, then timestamp, Go ParseInt/ParseUint
 * with base 0 on the text without '_', then the YAML float regexp. */
#include "resolve.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool word_in(const char *s, size_t n, const char *const *list)
{
    for (; *list; list++) { /* most words differ at their first byte */
        const char *w = *list;
        size_t i = 0;
        while (i < n && w[i] && w[i] == s[i])
            i++;
        if (i == n && !w[n])
            return true;
    }
    return false;
}

/* The first bytes of the words (hint 0 of go-yaml's table for anything else). */
static bool starts_word(char c)
{
    switch (c) {
    case 'y': case 'Y': case 'n': case 'N': case 't': case 'T': case 'f': case 'F': case 'o':
    case 'O': case '~':
        return true;
    default:
        return false;
    }
}

static const char *const w_true[] = {"true", "True", "TRUE", NULL};
static const char *const w_false[] = {"false", "False", "FALSE", NULL};
static const char *const w_null[] = {"~", "null", "Null", "NULL", NULL};
static const char *const w_float[] = {".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf",
                                      "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", NULL};
/* YAML 1.1 extras (go-yaml v2). */
static const char *const w_bool11[] = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
                                       "n", "N", "no", "No", "NO", "off", "Off", "OFF", NULL};

/* The word table; *t is set when s is in it. */
static bool lookup_word(const char *s, size_t n, kr_yaml_mode mode, kr_scalar_type *t)
{
    if (n > 5) /* no word is longer: most scalars stop here */
        return false;
    if (n == 0 || word_in(s, n, w_null))
        *t = KR_T_NULL;
    else if (word_in(s, n, w_true) || word_in(s, n, w_false) ||
             (mode == KR_YAML_11 && word_in(s, n, w_bool11)))
        *t = KR_T_BOOL;
    else if (word_in(s, n, w_float))
        *t = KR_T_FLOAT;
    else
        return false;
    return true;
}

static bool isdig(char c) { return c >= '0' && c <= '9'; }

/* ---- timestamps: Go time.Parse with go-yaml's four layouts ---- */

/* Go's getnum(s, false): one or two digits. */
static bool getnum(const char **p, const char *e, int *v)
{
    if (*p >= e || !isdig(**p))
        return false;
    *v = *(*p)++ - '0';
    if (*p < e && isdig(**p))
        *v = *v * 10 + (*(*p)++ - '0');
    return true;
}

static int days_in(int month, int year)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    return month == 2 && leap ? 29 : d[month - 1];
}

/* "15:4:5" then optional ".999999999" (or ',' as Go accepts). */
static bool ts_time(const char **p, const char *e)
{
    int h, m, s;
    if (!getnum(p, e, &h) || h > 23 || *p >= e || **p != ':')
        return false;
    (*p)++;
    if (!getnum(p, e, &m) || m > 59 || *p >= e || **p != ':')
        return false;
    (*p)++;
    if (!getnum(p, e, &s) || s > 59)
        return false;
    if (e - *p >= 2 && (**p == '.' || **p == ',') && isdig((*p)[1])) {
        (*p)++;
        while (*p < e && isdig(**p))
            (*p)++;
    }
    return true;
}

/* "Z07:00": 'Z' or ±hh:mm (offset hour <= 24, minute <= 60, as Go allows). */
static bool ts_zone(const char *p, const char *e)
{
    if (e - p == 1 && *p == 'Z')
        return true;
    if (e - p != 6 || (p[0] != '+' && p[0] != '-') || p[3] != ':')
        return false;
    if (!isdig(p[1]) || !isdig(p[2]) || !isdig(p[4]) || !isdig(p[5]))
        return false;
    return (p[1] - '0') * 10 + (p[2] - '0') <= 24 && (p[4] - '0') * 10 + (p[5] - '0') <= 60;
}

bool kr_resolve_is_timestamp(const char *s, size_t len)
{
    const char *p = s, *e = s + len;
    if (len < 5 || !isdig(s[0]) || !isdig(s[1]) || !isdig(s[2]) || !isdig(s[3]) || s[4] != '-')
        return false;
    int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int month, day;
    p += 5;
    if (!getnum(&p, e, &month) || p >= e || *p != '-')
        return false;
    p++;
    if (!getnum(&p, e, &day) || month < 1 || month > 12 || day < 1 ||
        day > days_in(month, year))
        return false;
    if (p == e)
        return true; /* "2006-1-2" */
    if (*p == 'T' || *p == 't') {
        p++;
        return ts_time(&p, e) && ts_zone(p, e);
    }
    if (*p != ' ')
        return false;
    while (p < e && *p == ' ') /* Go's layout space matches a run of spaces */
        p++;
    return ts_time(&p, e) && p == e;
}

/* ---- numbers ---- */

static int digit_val(char c)
{
    if (isdig(c))
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'z' ? c - 'a' + 10 : 99;
}

/* Go strconv.ParseUint(s, 0, 64). */
static bool go_parse_uint(const char *s, size_t n, uint64_t *out)
{
    if (n == 0)
        return false;
    unsigned base = 10;
    if (s[0] == '0') {
        char c = n >= 3 ? (char)(s[1] | 0x20) : 0;
        base = c == 'b' ? 2 : c == 'o' ? 8 : c == 'x' ? 16 : 8;
        size_t skip = (c == 'b' || c == 'o' || c == 'x') ? 2 : 1;
        s += skip;
        n -= skip;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)digit_val(s[i]);
        if (d >= base)
            return false;
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

/* Go ParseInt(s, 0, 64), else ParseUint(s, 0, 64). */
static bool go_parse_int(const char *s, size_t n, kr_number *out)
{
    bool neg = n > 0 && s[0] == '-', sign = n > 0 && (s[0] == '-' || s[0] == '+');
    uint64_t u;
    if (!go_parse_uint(s + sign, n - sign, &u))
        return false;
    if (!neg && u <= (uint64_t)INT64_MAX) {
        *out = (kr_number){.kind = KR_NUM_INT, .i = (int64_t)u};
        return true;
    }
    if (neg && u <= (uint64_t)INT64_MAX + 1u) {
        *out = (kr_number){.kind = KR_NUM_INT, .i = u == (uint64_t)INT64_MAX + 1u ? INT64_MIN
                                                                                 : -(int64_t)u};
        return true;
    }
    if (sign) /* ParseUint takes no sign */
        return false;
    *out = (kr_number){.kind = KR_NUM_UINT, .u = u};
    return true;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s, size_t n)
{
    size_t i = 0, d = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    if (i < n && s[i] == '.') {
        i++;
        for (; i < n && isdig(s[i]); i++)
            d++;
        if (!d)
            return false;
    } else {
        for (; i < n && isdig(s[i]); i++)
            d++;
        if (!d)
            return false;
        if (i < n && s[i] == '.')
            for (i++; i < n && isdig(s[i]); i++)
                ;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e = 0;
        for (; i < n && isdig(s[i]); i++)
            e++;
        if (!e)
            return false;
    }
    return i == n;
}

/* Go ParseFloat fails with ErrRange when a finite text rounds to ±Inf (underflow is fine).
 * Decided from the decimal exponent; the boundary compares the first 17 significant digits
 * with DBL_MAX's halfway point to the next power (1.7976931348623158e308). */
static bool float_overflows(const char *s, size_t n)
{
    long exp10 = 0, ex = 0;
    bool seen = false, frac = false, eneg = false;
    char sig[18];
    size_t ns = 0, i = 0;
    for (; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
        if (s[i] == '.') {
            frac = true;
            continue;
        }
        if (!isdig(s[i]))
            continue;
        if (!seen && s[i] == '0') {
            if (frac)
                exp10--;
            continue;
        }
        seen = true;
        if (!frac)
            exp10++;
        if (ns < 17)
            sig[ns++] = s[i];
    }
    if (!seen)
        return false;
    if (i < n) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        for (; i < n && ex < 100000; i++)
            ex = ex * 10 + (s[i] - '0');
    }
    exp10 += eneg ? -ex : ex; /* value = 0.sig × 10^exp10 */
    if (exp10 != 309)
        return exp10 > 309;
    sig[ns] = '\0';
    while (ns < 17)
        sig[ns++] = '0';
    sig[17] = '\0';
    return strcmp(sig, "17976931348623158") >= 0;
}

/* s without '_' into buf (malloc'd when long; *heap tells). */
static const char *strip_underscores(const char *s, size_t n, char *buf, size_t bufsz,
                                     size_t *outn, char **heap)
{
    *heap = NULL;
    if (!memchr(s, '_', n)) {
        *outn = n;
        return s;
    }
    char *d = buf;
    if (n >= bufsz) {
        d = *heap = malloc(n + 1);
        if (!d)
            return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_')
            d[k++] = s[i];
    *outn = k;
    return d;
}

/* The 'D'/'S' branch of resolve(): timestamp (when allowed), int, float. */
static kr_scalar_type resolve_numeric(const char *s, size_t n, bool try_ts, bool *is_ts)
{
    *is_ts = false;
    if (try_ts && kr_resolve_is_timestamp(s, n)) {
        *is_ts = true;
        return KR_T_TIMESTAMP;
    }
    char buf[128], *heap;
    size_t pn;
    const char *p = strip_underscores(s, n, buf, sizeof buf, &pn, &heap);
    kr_scalar_type t = KR_T_STR;
    kr_number num;
    if (!p)
        return KR_T_STR;
    if (go_parse_int(p, pn, &num))
        t = KR_T_INT;
    else if (yaml_style_float(p, pn) && !float_overflows(p, pn))
        t = KR_T_FLOAT;
    free(heap);
    return t;
}

/* go-yaml resolve(tag, in) for the resolvable tags ("" or a core scalar tag). try_ts: the tag
 * is "" or !!timestamp. */
static kr_scalar_type resolve_text(const char *s, size_t n, kr_yaml_mode mode, bool try_ts)
{
    char c = n ? s[0] : 0;
    kr_scalar_type t;
    bool num = isdig(c) || c == '+' || c == '-';
    if (!(n == 0 || num || c == '.' || starts_word(c)))
        return KR_T_STR; /* hint 0 */
    if (lookup_word(s, n, mode, &t))
        return t;
    if (c == '.')
        return yaml_style_float(s, n) && !float_overflows(s, n) ? KR_T_FLOAT : KR_T_STR;
    if (num) {
        bool ts;
        return resolve_numeric(s, n, try_ts, &ts);
    }
    return KR_T_STR;
}

kr_scalar_type kr_resolve_plain(const char *s, size_t len, kr_yaml_mode mode)
{
    kr_scalar_type t = resolve_text(s, len, mode, true);
    /* v2 hands a timestamp to interface{} as its text */
    return t == KR_T_TIMESTAMP && mode == KR_YAML_11 ? KR_T_STR : t;
}

static bool tag_is(const char *tag, size_t n, const char *name)
{
    static const char pfx[] = "tag:yaml.org,2002:";
    size_t pl = sizeof pfx - 1, nl = strlen(name);
    if (n == pl + nl && memcmp(tag, pfx, pl) == 0 && memcmp(tag + pl, name, nl) == 0)
        return true;
    return n == 2 + nl && tag[0] == '!' && tag[1] == '!' && memcmp(tag + 2, name, nl) == 0;
}

kr_tag_result kr_resolve_tagged(const char *tag, size_t taglen, const char *s, size_t len,
                                kr_yaml_mode mode, kr_scalar_type *type, kr_scalar_type *got,
                                bool *merge)
{
    static const struct {
        const char *name;
        kr_scalar_type t;
    } core[] = {{"int", KR_T_INT},     {"float", KR_T_FLOAT},        {"bool", KR_T_BOOL},
                {"null", KR_T_NULL},   {"timestamp", KR_T_TIMESTAMP}};
    *merge = tag_is(tag, taglen, "merge");
    *type = *got = KR_T_STR;
    if (tag_is(tag, taglen, "binary"))
        return KR_TAG_BINARY;
    for (size_t i = 0; i < sizeof core / sizeof core[0]; i++) {
        if (!tag_is(tag, taglen, core[i].name))
            continue;
        kr_scalar_type want = core[i].t;
        kr_scalar_type r = resolve_text(s, len, mode, want == KR_T_TIMESTAMP);
        *got = r;
        if (r == want || (want == KR_T_FLOAT && r == KR_T_INT)) {
            *type = mode == KR_YAML_11 && want == KR_T_TIMESTAMP ? KR_T_STR : want;
            return KR_TAG_OK;
        }
        return KR_TAG_MISMATCH;
    }
    return KR_TAG_OK; /* !!str, !!merge, local and unknown tags: the text as a string */
}

const char *kr_resolve_type_tag(kr_scalar_type t)
{
    switch (t) {
    case KR_T_NULL:
        return "!!null";
    case KR_T_BOOL:
        return "!!bool";
    case KR_T_INT:
        return "!!int";
    case KR_T_FLOAT:
        return "!!float";
    case KR_T_TIMESTAMP:
        return "!!timestamp";
    default:
        return "!!str";
    }
}

bool kr_resolve_number(const char *s, size_t len, kr_number *out)
{
    if (word_in(s, len, w_float)) { /* .nan spellings end in n/N, .inf ones in f/F */
        double inf = s[0] == '-' ? -INFINITY : INFINITY;
        *out = (kr_number){.kind = KR_NUM_FLOAT, .d = (s[len - 1] | 0x20) == 'n' ? NAN : inf};
        return true;
    }
    char buf[128], *heap;
    size_t pn;
    const char *p = strip_underscores(s, len, buf, sizeof buf, &pn, &heap);
    if (!p)
        return false;
    bool ok = go_parse_int(p, pn, out);
    if (!ok && yaml_style_float(p, pn)) {
        char fb[128], *f = pn < sizeof fb ? fb : malloc(pn + 1);
        if (f) {
            memcpy(f, p, pn);
            f[pn] = '\0';
            *out = (kr_number){.kind = KR_NUM_FLOAT, .d = strtod(f, NULL)};
            ok = true;
            if (f != fb)
                free(f);
        }
    }
    free(heap);
    return ok;
}
