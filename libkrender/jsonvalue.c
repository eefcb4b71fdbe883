#include "jsonvalue.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small character helpers (ASCII only: Go's number syntax is ASCII) ---- */

static inline bool is_dig(char c) { return c >= '0' && c <= '9'; }

static int digit_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    char l = (char)(c | 0x20);
    if (l >= 'a' && l <= 'z')
        return l - 'a' + 10;
    return 99;
}

/* ---- UTF-8 (Go's rules: no overlongs, no surrogates, nothing above U+10FFFF) ---- */

static size_t utf8_seq_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0)
        return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0xF0) {
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
        return n >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c > 0xF4)
        return 0;
    if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    return n >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80
               ? 4
               : 0;
}

size_t kr_utf8_valid_prefix(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) { /* ASCII runs dominate: skip them a word at a time */
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (!(w & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        size_t l = utf8_seq_len(p + i, n - i);
        if (!l)
            return i;
        i += l;
    }
    return n;
}

bool kr_utf8_repair(kr_buf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t ok = kr_utf8_valid_prefix(s + i, n - i);
        if (!kr_buf_append(b, s + i, ok))
            return false;
        i += ok;
        if (i < n) { /* one bad byte -> one U+FFFD, as Go's DecodeRune reports width 1 */
            if (!kr_buf_append(b, "\xEF\xBF\xBD", 3))
                return false;
            i++;
        }
    }
    return true;
}

/* No byte >= 0x7F: nothing for the JSON round trip to change. */
static bool plain_ascii(const char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if ((w | (w + 0x0101010101010101ull)) & 0x8080808080808080ull)
            return false;
    }
    for (; i < n; i++)
        if ((unsigned char)s[i] >= 0x7F)
            return false;
    return true;
}

static uint32_t rune_at(const unsigned char *p, size_t *w)
{
    unsigned c = p[0];
    if (c < 0x80)
        return *w = 1, c;
    if (c < 0xE0)
        return *w = 2, (c & 0x1Fu) << 6 | (p[1] & 0x3Fu);
    if (c < 0xF0)
        return *w = 3, (c & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
    return *w = 4, (c & 0x07u) << 18 | (p[1] & 0x3Fu) << 12 | (p[2] & 0x3Fu) << 6 | (p[3] & 0x3Fu);
}

static bool is_nel(const char *s, size_t n, size_t i)
{
    return i + 1 < n && (unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] == 0x85;
}

/* go-yaml's flow scalar scanner over runs of raw spaces and NELs, in place (never grows):
 * spaces alone stay; a run with m NELs becomes " " (m = 1) or m-1 newlines, dropping its
 * spaces. A run ending in a NEL puts the next text at column 0, where "---"/"..." + blank is
 * a document marker. Returns the new length or SIZE_MAX on such a marker. */
static size_t fold_nel(char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] != ' ' && !is_nel(s, n, i)) {
            s[o++] = s[i++];
            continue;
        }
        size_t j = i, nels = 0;
        bool last_nel = false;
        while (j < n && (s[j] == ' ' || is_nel(s, n, j))) {
            last_nel = s[j] != ' ';
            nels += last_nel;
            j += last_nel ? 2 : 1;
        }
        if (!nels) {
            memmove(s + o, s + i, j - i);
            o += j - i;
        } else if (nels == 1) {
            s[o++] = ' ';
        } else {
            memset(s + o, '\n', nels - 1);
            o += nels - 1;
        }
        if (last_nel && n - j >= 4 && (!memcmp(s + j, "---", 3) || !memcmp(s + j, "...", 3)) &&
            (s[j + 3] == ' ' || is_nel(s, n, j + 3)))
            return SIZE_MAX;
        i = j;
    }
    return o;
}

const char *kr_json_string(const char *s, size_t n, kr_buf *scratch, size_t *outlen,
                           const char **problem)
{
    *problem = NULL;
    *outlen = n;
    if (plain_ascii(s, n))
        return s;
    size_t start = scratch->len;
    bool copied = kr_utf8_valid_prefix(s, n) != n;
    if (copied) {
        if (!kr_utf8_repair(scratch, s, n))
            return NULL;
        s = scratch->data + start, n = scratch->len - start;
    }
    bool nel = false;
    for (size_t i = 0, w; i < n; i += w) {
        uint32_t r = rune_at((const unsigned char *)s + i, &w);
        if (r == 0x7F || (r >= 0x80 && r <= 0x9F && r != 0x85) || r == 0xFFFE || r == 0xFFFF) {
            *problem = "yaml: control characters are not allowed";
            return NULL;
        }
        nel |= r == 0x85;
    }
    if (nel) {
        if (!copied) {
            if (!kr_buf_append(scratch, s, n))
                return NULL;
            s = scratch->data + start;
        }
        size_t len = fold_nel(scratch->data + start, n);
        if (len == SIZE_MAX) {
            *problem = "yaml: found unexpected document indicator";
            return NULL;
        }
        scratch->len = start + len;
        n = len;
    }
    *outlen = n;
    return s;
}

/* u in decimal into out (NUL-terminated; 21 bytes suffice); its length. What %llu prints, for
 * the integers of every document's output without a printf each. */
static int decimal(char *out, uint64_t u)
{
    char t[20];
    int n = 0;
    do
        t[n++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    for (int j = 0; j < n; j++)
        out[j] = t[n - 1 - j];
    out[n] = '\0';
    return n;
}

/* ---- Go strconv integer parsing ---- */

/* strconv.ParseUint(s, base, 64); base 0 detects 0b/0o/0x/0 prefixes. s has no '_'. */
static bool go_parse_uint(const char *s, size_t n, int base, uint64_t *out)
{
    if (n == 0)
        return false;
    if (base == 0) {
        base = 10;
        if (s[0] == '0') {
            char l = n >= 3 ? (char)(s[1] | 0x20) : 0;
            size_t skip = 2;
            if (l == 'b')
                base = 2;
            else if (l == 'o')
                base = 8;
            else if (l == 'x')
                base = 16;
            else
                base = 8, skip = 1;
            s += skip, n -= skip;
        }
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int d = digit_val(s[i]);
        if (d >= base)
            return false;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return false;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    *out = v;
    return true;
}

/* strconv.ParseInt(s, base, 64). minus: a '-' was already taken off (go-yaml's "-"+rest). */
static bool go_parse_int(const char *s, size_t n, int base, bool minus, int64_t *out)
{
    if (!minus && n && (s[0] == '+' || s[0] == '-')) {
        minus = s[0] == '-';
        s++, n--;
    }
    uint64_t u;
    if (!go_parse_uint(s, n, base, &u))
        return false;
    if (!minus && u > (uint64_t)INT64_MAX)
        return false;
    if (minus && u > (uint64_t)INT64_MAX + 1)
        return false;
    *out = minus ? (u == 0 ? 0 : -(int64_t)(u - 1) - 1) : (int64_t)u;
    return true;
}

/* s with every '_' removed (go-yaml strips them before number parsing). */
typedef struct plain_view {
    const char *s;
    size_t n;
    char *heap;
    char stack[128];
} plain_view;

static bool plain_init(plain_view *v, const char *s, size_t n)
{
    v->heap = NULL;
    if (!memchr(s, '_', n)) {
        v->s = s, v->n = n;
        return true;
    }
    char *d = v->stack;
    if (n > sizeof v->stack && !(d = v->heap = malloc(n)))
        return false;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_')
            d[k++] = s[i];
    v->s = d, v->n = k;
    return true;
}

static void plain_free(plain_view *v) { free(v->heap); }

/* ---- decimal floats ---- */

/* go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s, size_t n)
{
    size_t i = 0, st;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    if (i < n && s[i] == '.') {
        st = ++i;
        while (i < n && is_dig(s[i]))
            i++;
        if (i == st)
            return false;
    } else {
        st = i;
        while (i < n && is_dig(s[i]))
            i++;
        if (i == st)
            return false;
        if (i < n && s[i] == '.')
            for (i++; i < n && is_dig(s[i]); i++)
                ;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        st = i;
        while (i < n && is_dig(s[i]))
            i++;
        if (i == st)
            return false;
    }
    return i == n;
}

/* Correctly rounded value of a syntactically valid decimal number ('_' ignored), of any
 * length: keeps 100 significant digits plus a sticky digit, and hands strtod a mantissa
 * without a decimal point so the C locale's LC_NUMERIC cannot matter. */
static double decimal_to_double(const char *s, size_t n)
{
    char buf[128];
    size_t k = 0, i = 0;
    bool neg = false, dot = false, nonzero = false, sticky = false;
    long dexp = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (neg)
        buf[k++] = '-';
    for (; i < n; i++) {
        char c = s[i];
        if (c == '_')
            continue;
        if (c == '.') {
            dot = true;
            continue;
        }
        if (c == 'e' || c == 'E')
            break;
        if (!nonzero && c == '0') {
            dexp -= dot;
            continue;
        }
        nonzero = true;
        if (k < 101) {
            buf[k++] = c;
            dexp -= dot;
        } else {
            dexp += !dot;
            sticky |= c != '0';
        }
    }
    if (!nonzero)
        return neg ? -0.0 : 0.0;
    if (sticky)
        buf[k++] = '1', dexp--;
    long e = 0;
    bool eneg = false;
    if (i < n) { /* exponent */
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        for (; i < n; i++)
            if (is_dig(s[i]) && e < 1000000)
                e = e * 10 + (s[i] - '0');
    }
    e = (eneg ? -e : e) + dexp;
    snprintf(buf + k, sizeof buf - k, "e%ld", e);
    return strtod(buf, NULL);
}

/* Go's underscoreOK for a number without sign or base prefix: '_' only between digits. */
static bool underscore_ok(const char *s, size_t n)
{
    char saw = '^';
    for (size_t i = 0; i < n; i++) {
        if (is_dig(s[i])) {
            saw = '0';
        } else if (s[i] == '_') {
            if (saw != '0')
                return false;
            saw = '_';
        } else {
            if (saw == '_')
                return false;
            saw = '!';
        }
    }
    return saw != '_';
}

/* strconv.ParseFloat(s, 64) succeeds, for s starting with '.' (go-yaml v2's '.' hint). */
static bool go_dot_float(const char *s, size_t n)
{
    size_t i = 1;
    bool digits = false;
    for (; i < n && (is_dig(s[i]) || s[i] == '_'); i++)
        digits |= is_dig(s[i]);
    if (!digits)
        return false;
    if (i < n && (s[i] | 0x20) == 'e') {
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_dig(s[i]))
            return false;
        while (i < n && (is_dig(s[i]) || s[i] == '_'))
            i++;
    }
    if (i != n || (memchr(s, '_', n) && !underscore_ok(s, n)))
        return false;
    return !isinf(decimal_to_double(s, n)); /* overflow is a range error */
}

/* ---- shortest float formatting (Go strconv 'g', -1) ---- */

static bool roundtrips(const char *dig, int nd, int x, double f)
{
    char b[48];
    if (nd <= 0 || nd > 20)
        return false;
    memcpy(b, dig, (size_t)nd);
    snprintf(b + nd, sizeof b - (size_t)nd, "e%d", x - (nd - 1));
    return strtod(b, NULL) == f;
}

/* Adds delta (+1/-1) to the last digit; false when the digit count would change. */
static bool bump(const char *dig, int nd, int delta, char *alt)
{
    if (nd <= 0 || nd > 20)
        return false;
    memcpy(alt, dig, (size_t)nd);
    for (int i = nd - 1; i >= 0; i--) {
        if (delta > 0 && alt[i] == '9') {
            alt[i] = '0';
        } else if (delta < 0 && alt[i] == '0') {
            alt[i] = '9';
        } else {
            alt[i] = (char)(alt[i] + delta);
            return alt[0] != '0';
        }
    }
    return false;
}

/* Shortest digits d1..dn (no trailing zeros) with f = d1.d2...dn x 10^x; f finite, > 0.
 * The correctly rounded p-digit value is tried first, then its neighbours, which is the
 * choice Go's shortest algorithm makes (closest among the shortest that round-trip). */
static int shortest_digits(double f, char *dig, int *x)
{
    char buf[64], alt[24];
    int nd = 0;
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, f);
        const char *e = strchr(buf, 'e');
        nd = 0;
        for (const char *c = buf; c < e && nd < 20; c++)
            if (is_dig(*c))
                dig[nd++] = *c;
        *x = (int)strtol(e + 1, NULL, 10);
        if (roundtrips(dig, nd, *x, f))
            break;
        if ((bump(dig, nd, 1, alt) && roundtrips(alt, nd, *x, f)) ||
            (bump(dig, nd, -1, alt) && roundtrips(alt, nd, *x, f))) {
            memcpy(dig, alt, (size_t)nd);
            break;
        }
    }
    while (nd > 1 && dig[nd - 1] == '0')
        nd--;
    return nd;
}

size_t kr_go_format_float(double f, char *out)
{
    char *o = out, dig[24];
    if (signbit(f))
        *o++ = '-', f = -f;
    if (f == 0) {
        *o++ = '0';
        *o = '\0';
        return (size_t)(o - out);
    }
    int x, nd = shortest_digits(f, dig, &x);
    if (x < -4 || x >= 6) { /* %e: d[.ddd]e±XX */
        *o++ = dig[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, dig + 1, (size_t)nd - 1);
            o += nd - 1;
        }
        o += sprintf(o, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
    } else if (x >= 0) { /* %f with just the needed fraction digits */
        for (int i = 0; i <= x; i++)
            *o++ = i < nd ? dig[i] : '0';
        if (nd > x + 1) {
            *o++ = '.';
            memcpy(o, dig + x + 1, (size_t)(nd - x - 1));
            o += nd - x - 1;
        }
    } else {
        *o++ = '0', *o++ = '.';
        for (int i = 0; i < -x - 1; i++)
            *o++ = '0';
        memcpy(o, dig, (size_t)nd);
        o += nd;
    }
    *o = '\0';
    return (size_t)(o - out);
}

size_t kr_json_float_text(double f, char *out)
{
    if (!isfinite(f))
        return 0;
    if (f == 0) { /* -0.0 too: JSON "-0" reads back as int 0 */
        memcpy(out, "0", 2);
        return 1;
    }
    if (f == trunc(f) && fabs(f) < 1e21) {
        /* encoding/json writes it with 'f' (shortest digits padded with zeros); go-yaml v2
         * reads that back as an int when it fits int64/uint64. */
        char dig[24], num[32];
        int x, nd = shortest_digits(fabs(f), dig, &x);
        size_t len = (size_t)x + 1;
        for (size_t i = 0; i < len; i++)
            num[i] = i < (size_t)nd ? dig[i] : '0';
        num[len] = '\0';
        const char *lim = f < 0 ? "9223372036854775808" : "18446744073709551615";
        size_t limlen = strlen(lim);
        if (len < limlen || (len == limlen && strcmp(num, lim) <= 0)) {
            char *o = out;
            if (f < 0)
                *o++ = '-';
            memcpy(o, num, len + 1);
            return len + (size_t)(f < 0);
        }
    }
    return kr_go_format_float(f, out);
}

/* ---- timestamps ---- */

static bool ts_num(const char *s, size_t end, size_t *i, bool fixed, int *v)
{
    if (*i >= end || !is_dig(s[*i]))
        return false;
    if (*i + 1 >= end || !is_dig(s[*i + 1])) {
        if (fixed)
            return false;
        *v = s[(*i)++] - '0';
        return true;
    }
    *v = (s[*i] - '0') * 10 + (s[*i + 1] - '0');
    *i += 2;
    return true;
}

static int days_in(int month, int year)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    return month == 2 && leap ? 29 : d[month - 1];
}

/* Go's "Z07:00" element: 'Z' or ±hh:mm (hh <= 24, mm <= 60). */
static bool ts_zone(const char *s, size_t n, size_t *i, int *offset)
{
    if (*i < n && s[*i] == 'Z') {
        (*i)++;
        return true;
    }
    size_t b = *i, k = b + 1;
    int hh, mm;
    if (n - b < 6 || s[b + 3] != ':' || !ts_num(s, b + 3, &k, true, &hh))
        return false;
    k = b + 4;
    if (!ts_num(s, b + 6, &k, true, &mm) || (s[b] != '+' && s[b] != '-') || hh > 24 || mm > 60)
        return false;
    *offset = (hh * 60 + mm) * 60 * (s[b] == '-' ? -1 : 1);
    *i = b + 6;
    return true;
}

/* time.Parse with layout "2006-1-2" + sep + "15:4:5.999999999" (+ "Z07:00" unless sep is ' ');
 * sep 0 = date only. */
static bool ts_layout(const char *s, size_t n, char sep, kr_go_time *t)
{
    size_t i = 5;
    *t = (kr_go_time){.year = atoi((char[5]){s[0], s[1], s[2], s[3], 0})};
    if (!ts_num(s, n, &i, false, &t->month) || i >= n || s[i++] != '-' ||
        !ts_num(s, n, &i, false, &t->day))
        return false;
    if (sep) {
        if (sep == ' ') { /* a layout space matches one or more spaces */
            if (i < n && s[i] != ' ')
                return false;
            while (i < n && s[i] == ' ')
                i++;
        } else if (i >= n || s[i++] != sep) {
            return false;
        }
        if (!ts_num(s, n, &i, false, &t->hour) || i >= n || s[i++] != ':' ||
            !ts_num(s, n, &i, false, &t->min) || i >= n || s[i++] != ':' ||
            !ts_num(s, n, &i, false, &t->sec))
            return false;
        if (i + 1 < n && (s[i] == '.' || s[i] == ',') && is_dig(s[i + 1])) {
            int nd = 0;
            for (i++; i < n && is_dig(s[i]); i++)
                if (nd < 9)
                    t->nsec = t->nsec * 10 + (s[i] - '0'), nd++;
            for (; nd < 9; nd++)
                t->nsec *= 10;
        }
        if (sep != ' ' && !ts_zone(s, n, &i, &t->offset))
            return false;
        if (t->hour >= 24 || t->min >= 60 || t->sec >= 60)
            return false;
    }
    return i == n && t->month >= 1 && t->month <= 12 && t->day >= 1 &&
           t->day <= days_in(t->month, t->year);
}

bool kr_go_parse_timestamp(const char *s, size_t n, kr_go_time *t)
{
    if (n < 5 || !is_dig(s[0]) || !is_dig(s[1]) || !is_dig(s[2]) || !is_dig(s[3]) || s[4] != '-')
        return false;
    static const char seps[] = {'T', 't', ' ', 0};
    for (size_t k = 0; k < sizeof seps; k++)
        if (ts_layout(s, n, seps[k], t))
            return true;
    return false;
}

size_t kr_go_format_rfc3339(const kr_go_time *t, char *out)
{
    int k = snprintf(out, KR_JSON_NUMBUF, "%04d-%02d-%02dT%02d:%02d:%02d", t->year, t->month,
                     t->day, t->hour, t->min, t->sec);
    if (t->nsec) {
        char f[16];
        int fl = snprintf(f, sizeof f, "%09ld", t->nsec);
        while (fl > 0 && f[fl - 1] == '0')
            fl--;
        k += snprintf(out + k, (size_t)(KR_JSON_NUMBUF - k), ".%.*s", fl, f);
    }
    if (t->offset == 0) {
        k += snprintf(out + k, (size_t)(KR_JSON_NUMBUF - k), "Z");
    } else {
        int z = t->offset / 60;
        char sign = z < 0 ? '-' : '+';
        z = abs(z);
        k += snprintf(out + k, (size_t)(KR_JSON_NUMBUF - k), "%c%02d:%02d", sign, z / 60, z % 60);
    }
    return (size_t)k;
}

/* ---- go-yaml v2 resolve() ---- */

/* resolveMap of go-yaml v2 (bools, nulls, special floats; "<<" is never looked up). */
static bool in_resolve_map(const char *s, size_t n)
{
#define W(s) {s, sizeof s - 1}
    static const struct {
        char w[6];
        unsigned char n;
    } words[] = {
        W("y"), W("Y"), W("n"), W("N"), W("~"), W("yes"), W("Yes"), W("YES"), W("on"),
        W("On"), W("ON"), W("no"), W("No"), W("NO"), W("off"), W("Off"), W("OFF"), W("true"),
        W("True"), W("TRUE"), W("false"), W("False"), W("FALSE"), W("null"), W("Null"),
        W("NULL"), W(".nan"), W(".NaN"), W(".NAN"), W(".inf"), W(".Inf"), W(".INF"),
        W("+.inf"), W("+.Inf"), W("+.INF"), W("-.inf"), W("-.Inf"), W("-.INF")};
#undef W
    if (n > 5 || n == 0)
        return false;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (words[i].n == n && words[i].w[0] == s[0] && memcmp(words[i].w, s, n) == 0)
            return true;
    return false;
}

/* The 'D'/'S' branch of resolve on the '_'-stripped text: int, uint, float, 0b forms. */
static bool plain_is_number(const char *s, size_t n)
{
    int64_t i;
    uint64_t u;
    if (go_parse_int(s, n, 0, false, &i) || go_parse_uint(s, n, 0, &u))
        return true;
    if (yaml_style_float(s, n) && !isinf(decimal_to_double(s, n)))
        return true;
    if (n >= 2 && s[0] == '0' && s[1] == 'b')
        return go_parse_int(s + 2, n - 2, 2, false, &i) || go_parse_uint(s + 2, n - 2, 2, &u);
    if (n >= 3 && s[0] == '-' && s[1] == '0' && s[2] == 'b')
        return go_parse_int(s + 3, n - 3, 2, true, &i);
    return false;
}

/* ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ (first char and ':' already checked
 * by the caller's fast path). */
static bool base60_float(const char *s, size_t n)
{
    size_t i = 0;
    if (s[i] == '+' || s[i] == '-')
        i++;
    if (i >= n || !is_dig(s[i]))
        return false;
    while (i < n && (is_dig(s[i]) || s[i] == '_'))
        i++;
    int groups = 0;
    while (i < n && s[i] == ':') {
        i++;
        if (i + 1 < n && s[i] >= '0' && s[i] <= '5' && is_dig(s[i + 1]))
            i += 2;
        else if (i < n && is_dig(s[i]))
            i++;
        else
            return false;
        groups++;
    }
    if (!groups)
        return false;
    if (i < n && s[i] == '.')
        for (i++; i < n && (is_dig(s[i]) || s[i] == '_'); i++)
            ;
    return i == n;
}

bool kr_v2_plain_is_str(const char *s, size_t n)
{
    if (n == 0)
        return false; /* "" resolves to null */
    char c = s[0];
    if (c == 'y' || c == 'Y' || c == 'n' || c == 'N' || c == 't' || c == 'T' || c == 'f' ||
        c == 'F' || c == 'o' || c == 'O' || c == '~') /* hint 'M': only the map */
        return !in_resolve_map(s, n);
    if (c == '.')
        return !in_resolve_map(s, n) && !go_dot_float(s, n);
    if (!is_dig(c) && c != '+' && c != '-')
        return true; /* hint 0: always a string */
    if (in_resolve_map(s, n))
        return false;
    kr_go_time t;
    if (kr_go_parse_timestamp(s, n, &t))
        return false;
    plain_view p;
    if (!plain_init(&p, s, n))
        return false; /* out of memory: quoting is always safe */
    bool num = plain_is_number(p.s, p.n);
    plain_free(&p);
    if (num)
        return false;
    return !(memchr(s, ':', n) && base60_float(s, n));
}

/* ---- the JSON round trip of one scalar ---- */

static int value_error(const kr_node *n, kr_err *err, const char *what)
{
    return kr_err_set(err, KRENDER_E_VALUE, NULL, n->line, n->col, "json: unsupported value: %s",
                      what);
}

static int decode_error(const kr_node *n, kr_err *err, const char *tag)
{
    return kr_err_set(err, KRENDER_E_VALUE, NULL, n->line, n->col, "cannot decode %s `%.*s`", tag,
                      (int)(n->len > 64 ? 64 : n->len), n->u.text);
}

/* go-yaml v3's integer forms beyond ParseInt/ParseUint base 0: 0b/-0b with a signed rest,
 * 0o/-0o likewise. */
static bool v3_prefixed_int(const char *s, size_t n, int64_t *i, uint64_t *u, bool *is_u)
{
    *is_u = false;
    if (n >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'o')) {
        int base = s[1] == 'b' ? 2 : 8;
        if (go_parse_int(s + 2, n - 2, base, false, i))
            return true;
        return base == 2 && (*is_u = go_parse_uint(s + 2, n - 2, 2, u));
    }
    if (n >= 3 && s[0] == '-' && s[1] == '0' && (s[2] == 'b' || s[2] == 'o'))
        return go_parse_int(s + 3, n - 3, s[2] == 'b' ? 2 : 8, true, i);
    return false;
}

typedef enum { NUM_NONE, NUM_INT, NUM_UINT, NUM_FLOAT } num_kind;

/* The number go-yaml v3 decodes from the ('_'-stripped) text of an int or float scalar. */
static num_kind v3_number(const char *s, size_t n, int64_t *i, uint64_t *u, double *f)
{
    bool is_u;
    if (go_parse_int(s, n, 0, false, i))
        return NUM_INT;
    if (go_parse_uint(s, n, 0, u))
        return NUM_UINT;
    if (yaml_style_float(s, n)) {
        *f = decimal_to_double(s, n);
        return NUM_FLOAT;
    }
    if (v3_prefixed_int(s, n, i, u, &is_u))
        return is_u ? NUM_UINT : NUM_INT;
    return NUM_NONE;
}

static int special_float(const char *s, size_t n)
{
    if (!in_resolve_map(s, n) || n < 4)
        return 0;
    return s[1] == 'n' || s[1] == 'N' ? 'n' : s[0] == '-' ? '-' : '+';
}

static int number_text(const kr_node *n, char *numbuf, kr_jscalar *out, kr_err *err)
{
    bool is_float = n->type == KR_T_FLOAT;
    int sp = is_float ? special_float(n->u.text, n->len) : 0;
    if (sp)
        return value_error(n, err, sp == 'n' ? "NaN" : sp == '-' ? "-Inf" : "+Inf");
    plain_view p;
    if (!plain_init(&p, n->u.text, n->len))
        return kr_err_nomem(err);
    int64_t i = 0;
    uint64_t u = 0;
    double f = 0;
    num_kind k = v3_number(p.s, p.n, &i, &u, &f);
    plain_free(&p);
    if (k == NUM_NONE)
        return decode_error(n, err, is_float ? "!!float" : "!!int");
    if (is_float && k == NUM_INT) /* !!float 3: the int becomes a float64 */
        f = (double)i, k = NUM_FLOAT;
    else if (is_float && k == NUM_UINT)
        f = (double)u, k = NUM_FLOAT;
    int len;
    if (k == NUM_INT)
        len = i < 0 ? (numbuf[0] = '-', 1 + decimal(numbuf + 1, 0 - (uint64_t)i))
                    : decimal(numbuf, (uint64_t)i);
    else if (k == NUM_UINT)
        len = decimal(numbuf, u);
    else if (!(len = (int)kr_json_float_text(f, numbuf)))
        return value_error(n, err, isnan(f) ? "NaN" : f < 0 ? "-Inf" : "+Inf");
    *out = (kr_jscalar){numbuf, (size_t)len, false};
    return KRENDER_OK;
}

static bool bool_value(const char *s, size_t n)
{
    if (n == 0)
        return false;
    char c = (char)(s[0] | 0x20);
    return c == 't' || c == 'y' || (c == 'o' && n >= 2 && (s[1] | 0x20) == 'n');
}

int kr_json_scalar(const kr_node *n, char *numbuf, kr_buf *scratch, kr_jscalar *out, kr_err *err)
{
    switch (n->type) {
    case KR_T_NULL:
        *out = (kr_jscalar){"null", 4, false};
        return KRENDER_OK;
    case KR_T_BOOL:
        *out = bool_value(n->u.text, n->len) ? (kr_jscalar){"true", 4, false}
                                               : (kr_jscalar){"false", 5, false};
        return KRENDER_OK;
    case KR_T_INT:
    case KR_T_FLOAT:
        return number_text(n, numbuf, out, err);
    case KR_T_TIMESTAMP: {
        kr_go_time t;
        if (kr_go_parse_timestamp(n->u.text, n->len, &t)) {
            *out = (kr_jscalar){numbuf, kr_go_format_rfc3339(&t, numbuf), true};
            return KRENDER_OK;
        }
        break; /* not a timestamp after all: keep the text as a string */
    }
    default:
        break;
    }
    const char *problem;
    size_t len;
    const char *s = kr_json_string(n->len ? n->u.text : "", n->len, scratch, &len, &problem);
    if (!s)
        return problem ? kr_err_set(err, KRENDER_E_VALUE, NULL, n->line, n->col, "%s", problem)
                       : kr_err_nomem(err);
    *out = (kr_jscalar){s, len, true};
    return KRENDER_OK;
}
