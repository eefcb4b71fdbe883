#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *vfmt(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    char *p = malloc((size_t)n + 1);
    if (p)
        vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

int kr_err_vset(kr_err *e, int code, const char *file, unsigned line, unsigned column,
                const char *fmt, va_list ap)
{
    if (!e || e->code != KRENDER_OK)
        return e ? e->code : code;
    e->code = code;
    e->message = vfmt(fmt, ap);
    e->file = file ? strdup(file) : NULL;
    e->line = line;
    e->column = column;
    return code;
}

int kr_err_set(kr_err *e, int code, const char *file, unsigned line, unsigned column,
               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = kr_err_vset(e, code, file, line, column, fmt, ap);
    va_end(ap);
    return r;
}

int kr_err_nomem(kr_err *e)
{
    return kr_err_set(e, KRENDER_E_NOMEM, NULL, 0, 0, "out of memory");
}

void kr_err_prefix(kr_err *e, const char *fmt, ...)
{
    if (!e || e->code == KRENDER_OK)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *pre = vfmt(fmt, ap);
    va_end(ap);
    if (!pre)
        return;
    size_t a = strlen(pre), b = e->message ? strlen(e->message) : 0;
    char *m = malloc(a + 2 + b + 1);
    if (m) {
        memcpy(m, pre, a);
        memcpy(m + a, ": ", 2);
        if (b)
            memcpy(m + a + 2, e->message, b);
        m[a + 2 + b] = '\0';
        free(e->message);
        e->message = m;
    }
    free(pre);
}

void kr_err_chain_push(kr_err *e, const char *root)
{
    if (!e || e->code == KRENDER_OK)
        return;
    size_t a = strlen(root), b = e->chain ? strlen(e->chain) : 0;
    char *c = malloc(a + (b ? 4 + b : 0) + 1);
    if (!c)
        return;
    memcpy(c, root, a);
    if (b) {
        memcpy(c + a, " -> ", 4);
        memcpy(c + a + 4, e->chain, b);
    }
    c[a + (b ? 4 + b : 0)] = '\0';
    free(e->chain);
    e->chain = c;
}

void kr_err_clear(kr_err *e)
{
    if (!e)
        return;
    free(e->message);
    free(e->file);
    free(e->chain);
    *e = (kr_err){0};
}
