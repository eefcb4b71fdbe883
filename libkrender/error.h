/* Internal error object: filled once by the code that detects a problem, then wrapped with
 * context (kustomization chain) on the way out. Strings are malloc'd and owned by the object. */
#ifndef KR_ERROR_H
#define KR_ERROR_H
#include <stdarg.h>

#include "krender.h"

typedef struct kr_err {
    int code; /* KRENDER_OK when unset */
    char *message;
    char *file;
    unsigned line, column;
    char *chain;
} kr_err;

/* Sets the error unless one is already set (the first, innermost cause wins). Returns code. */
int kr_err_set(kr_err *e, int code, const char *file, unsigned line, unsigned column,
               const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int kr_err_vset(kr_err *e, int code, const char *file, unsigned line, unsigned column,
                const char *fmt, va_list ap);
int kr_err_nomem(kr_err *e);
/* Prepends "what: " to the message (context on the way out). */
void kr_err_prefix(kr_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a kustomization to the front of the chain ("a -> b -> c"). */
void kr_err_chain_push(kr_err *e, const char *root);
void kr_err_clear(kr_err *e);

#endif
