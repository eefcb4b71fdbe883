/* Growable byte buffer on malloc (output text, file contents that outlive an arena). */
#ifndef KR_BUF_H
#define KR_BUF_H
#include <stdbool.h>
#include <stddef.h>

typedef struct kr_buf {
    char *data; /* NUL-terminated when non-NULL */
    size_t len, cap;
} kr_buf;

bool kr_buf_reserve(kr_buf *b, size_t extra);
bool kr_buf_append(kr_buf *b, const void *p, size_t n);
bool kr_buf_puts(kr_buf *b, const char *s);
bool kr_buf_putc(kr_buf *b, char c);
bool kr_buf_printf(kr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kr_buf_free(kr_buf *b);

#endif
