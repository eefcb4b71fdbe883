#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool kr_buf_reserve(kr_buf *b, size_t extra)
{
    if (b->cap - b->len > extra)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= extra)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return false;
    b->data = p;
    b->cap = cap;
    return true;
}

bool kr_buf_append(kr_buf *b, const void *p, size_t n)
{
    if (!kr_buf_reserve(b, n))
        return false;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

bool kr_buf_puts(kr_buf *b, const char *s)
{
    return kr_buf_append(b, s, strlen(s));
}

bool kr_buf_putc(kr_buf *b, char c)
{
    return kr_buf_append(b, &c, 1);
}

bool kr_buf_printf(kr_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !kr_buf_reserve(b, (size_t)n))
        return false;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return true;
}

void kr_buf_free(kr_buf *b)
{
    free(b->data);
    *b = (kr_buf){0};
}
