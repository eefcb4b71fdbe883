#include "jsonhash.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonvalue.h"

static const char hexdigits[] = "0123456789abcdef";

static bool put_u4(kr_buf *b, unsigned cp)
{
    char e[6] = {'\\', 'u', hexdigits[(cp >> 12) & 15], hexdigits[(cp >> 8) & 15],
                 hexdigits[(cp >> 4) & 15], hexdigits[cp & 15]};
    return kr_buf_append(b, e, sizeof e);
}

/* The escape json.Marshal uses for ASCII byte c, or 0 when c is written as is. */
static char short_escape(unsigned char c)
{
    switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '\n': return 'n';
    case '\r': return 'r';
    case '\t': return 't';
    case '\b': return 'b'; /* Go >= 1.22 */
    case '\f': return 'f';
    default: return 0;
    }
}

static bool needs_u_escape(unsigned char c)
{
    return c < 0x20 || c == '<' || c == '>' || c == '&';
}

/* Bytes json.Marshal does not copy as they are: control characters, '"', '\\', '<', '>', '&'
 * and every byte >= 0x80 (checked as UTF-8). */
static const bool needs_care[256] = {
    [0x00 ... 0x1F] = true, ['"'] = true, ['\\'] = true, ['<'] = true, ['>'] = true,
    ['&'] = true, [0x80 ... 0xFF] = true,
};

bool kr_json_put_string(kr_buf *b, const char *s, size_t n)
{
    if (!kr_buf_putc(b, '"'))
        return false;
    size_t start = 0, i = 0;
    while (i < n) {
        while (i < n && !needs_care[(unsigned char)s[i]]) /* the plain run: one test a byte */
            i++;
        if (i == n)
            break;
        unsigned char c = (unsigned char)s[i];
        size_t skip = 1;
        bool ok = true;
        if (c < 0x80) {
            char e = short_escape(c);
            if (!e && !needs_u_escape(c)) {
                i++;
                continue;
            }
            ok = kr_buf_append(b, s + start, i - start) &&
                 (e ? kr_buf_putc(b, '\\') && kr_buf_putc(b, e) : put_u4(b, c));
        } else {
            size_t valid = kr_utf8_valid_prefix(s + i, n - i < 4 ? n - i : 4);
            size_t clen = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if (valid >= clen && clen <= n - i) {
                /* U+2028 / U+2029 = E2 80 A8 / E2 80 A9 */
                bool sep = clen == 3 && c == 0xE2 && (unsigned char)s[i + 1] == 0x80 &&
                           ((unsigned char)s[i + 2] & 0xFE) == 0xA8;
                if (!sep) {
                    i += clen;
                    continue;
                }
                skip = 3;
                ok = kr_buf_append(b, s + start, i - start) &&
                     put_u4(b, 0x2028u | ((unsigned char)s[i + 2] & 1u));
            } else {
                ok = kr_buf_append(b, s + start, i - start) && put_u4(b, 0xFFFD);
            }
        }
        if (!ok)
            return false;
        i += skip;
        start = i;
    }
    return kr_buf_append(b, s + start, n - start) && kr_buf_putc(b, '"');
}

/* Shortest decimal digits that read back as f (|f| > 0): digits[0..*nd) and the decimal
 * exponent of the first digit (f = 0.d1d2... * 10^(exp+1)). */
static void shortest_digits(double f, char *digits, int *nd, int *exp)
{
    char buf[40];
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, f);
        if (strtod(buf, NULL) == f || p == 17)
            break;
    }
    const char *s = buf + (buf[0] == '-');
    int n = 0;
    for (; *s && *s != 'e'; s++)
        if (*s != '.')
            digits[n++] = *s;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    *nd = n;
    *exp = atoi(s + 1);
}

bool kr_json_put_float(kr_buf *b, double f)
{
    if (f == 0)
        return kr_buf_puts(b, signbit(f) ? "-0" : "0");
    char d[24], out[64];
    int nd, e, k = 0;
    shortest_digits(f, d, &nd, &e);
    if (f < 0)
        out[k++] = '-';
    double a = fabs(f);
    if (a < 1e-6 || a >= 1e21) { /* strconv 'e', then "e-07" cleaned to "e-7" */
        out[k++] = d[0];
        if (nd > 1) {
            out[k++] = '.';
            memcpy(out + k, d + 1, (size_t)nd - 1);
            k += nd - 1;
        }
        k += snprintf(out + k, sizeof out - (size_t)k, "e%c%02d", e < 0 ? '-' : '+', abs(e));
        if (e < 0 && e > -10)
            out[k - 2] = out[k - 1], k--;
        return kr_buf_append(b, out, (size_t)k);
    }
    if (e < 0) { /* 0.000ddd */
        out[k++] = '0';
        out[k++] = '.';
        for (int z = -1; z > e; z--)
            out[k++] = '0';
        memcpy(out + k, d, (size_t)nd);
        k += nd;
    } else { /* ddd[000][.ddd] */
        for (int i = 0; i <= e || i < nd; i++) {
            if (i == e + 1)
                out[k++] = '.';
            out[k++] = i < nd ? d[i] : '0';
        }
    }
    return kr_buf_append(b, out, (size_t)k);
}

static int nomem(kr_err *err) { return kr_err_nomem(err); }

/* A scalar: strings verbatim; numbers through float64; bool and null as literals. */
static int put_scalar(kr_buf *b, const kr_node *n, kr_err *err)
{
    const char *text = n->len ? n->u.text : "";
    switch (n->type) {
    case KR_T_NULL:
        return kr_buf_puts(b, "null") ? 0 : nomem(err);
    case KR_T_BOOL:
    case KR_T_INT:
    case KR_T_FLOAT:
        break;
    case KR_T_TIMESTAMP: /* a time.Time: RFC 3339 (observed) */
        break;
    default:
        return kr_json_put_string(b, text, n->len) ? 0 : nomem(err);
    }
    char numbuf[KR_JSON_NUMBUF];
    kr_buf scratch = {0};
    kr_jscalar js;
    int rc = kr_json_scalar(n, numbuf, &scratch, &js, err);
    if (!rc) {
        bool ok;
        if (js.is_str)
            ok = kr_json_put_string(b, js.text, js.len);
        else if (n->type == KR_T_BOOL)
            ok = kr_buf_append(b, js.text, js.len);
        else {
            char tmp[KR_JSON_NUMBUF + 1];
            memcpy(tmp, js.text, js.len);
            tmp[js.len] = '\0';
            ok = kr_json_put_float(b, strtod(tmp, NULL));
        }
        rc = ok ? 0 : nomem(err);
    }
    kr_buf_free(&scratch);
    return rc;
}

static int cmp_pairs(const void *x, const void *y)
{
    const kr_pair *a = *(kr_pair *const *)x, *b = *(kr_pair *const *)y;
    size_t an = a->key->len, bn = b->key->len;
    int c = memcmp(a->key->u.text, b->key->u.text, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

static int put_map(kr_buf *b, const kr_node *n, kr_err *err)
{
    const kr_pair **order = n->len ? malloc(n->len * sizeof *order) : NULL;
    if (n->len && !order)
        return nomem(err);
    for (uint32_t i = 0; i < n->len; i++)
        order[i] = &n->u.pairs[i];
    if (n->len > 1)
        qsort(order, n->len, sizeof *order, cmp_pairs);
    int rc = kr_buf_putc(b, '{') ? 0 : nomem(err);
    for (uint32_t i = 0; !rc && i < n->len; i++) {
        const kr_node *k = order[i]->key;
        if ((i && !kr_buf_putc(b, ',')) || !kr_json_put_string(b, k->len ? k->u.text : "", k->len) ||
            !kr_buf_putc(b, ':'))
            rc = nomem(err);
        else
            rc = kr_json_put_node(b, order[i]->value, err);
    }
    free(order);
    if (!rc && !kr_buf_putc(b, '}'))
        rc = nomem(err);
    return rc;
}

int kr_json_put_node(kr_buf *b, const kr_node *n, kr_err *err)
{
    if (!n)
        return kr_buf_puts(b, "null") ? 0 : nomem(err);
    if (n->kind == KR_SCALAR)
        return put_scalar(b, n, err);
    if (n->kind == KR_MAP)
        return put_map(b, n, err);
    if (!kr_buf_putc(b, '['))
        return nomem(err);
    for (uint32_t i = 0; i < n->len; i++) {
        if (i && !kr_buf_putc(b, ','))
            return nomem(err);
        int rc = kr_json_put_node(b, n->u.items[i], err);
        if (rc)
            return rc;
    }
    return kr_buf_putc(b, ']') ? 0 : nomem(err);
}
