#include "path.h"

#include <stdint.h>
#include <string.h>

/* The cleaned form of p[0..n) into out (room for n + 2 bytes); out may not overlap p. */
static void clean_into(char *out, const char *p, size_t n)
{
    bool rooted = n && p[0] == '/';
    size_t w = 0, r = 0, dotdot = 0; /* dotdot: where ".." may no longer backtrack */
    if (rooted) {
        out[w++] = '/';
        r = dotdot = 1;
    }
    while (r < n) {
        if (p[r] == '/') {
            r++;
        } else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
            r++;
        } else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
            r += 2;
            if (w > dotdot) {
                w--;
                while (w > dotdot && out[w] != '/')
                    w--;
            } else if (!rooted) {
                if (w > 0)
                    out[w++] = '/';
                out[w++] = '.';
                out[w++] = '.';
                dotdot = w;
            }
        } else {
            if ((rooted && w != 1) || (!rooted && w != 0))
                out[w++] = '/';
            while (r < n && p[r] != '/')
                out[w++] = p[r++];
        }
    }
    if (w == 0)
        out[w++] = '.';
    out[w] = '\0';
}

char *kr_path_clean(kr_arena *a, const char *p)
{
    size_t n = strlen(p);
    char *out = kr_arena_alloc(a, n + 2);
    if (out)
        clean_into(out, p, n);
    return out;
}

/* dir + "/" + rel (or rel alone when absolute) into buf of cap bytes; its length, or
 * SIZE_MAX when it does not fit. */
static size_t joined(char *buf, size_t cap, const char *dir, const char *rel)
{
    size_t nd = rel[0] == '/' ? 0 : strlen(dir), nr = strlen(rel);
    if (nd + nr + 2 > cap)
        return SIZE_MAX;
    if (nd) {
        memcpy(buf, dir, nd);
        buf[nd++] = '/';
    }
    memcpy(buf + nd, rel, nr + 1);
    return nd + nr;
}

char *kr_path_join(kr_arena *a, const char *dir, const char *rel)
{
    char tmp[1024]; /* paths are nearly always shorter: one allocation, the result's */
    size_t n = joined(tmp, sizeof tmp, dir, rel);
    if (n == SIZE_MAX) {
        char *j = rel[0] == '/' ? (char *)rel : kr_arena_concat3(a, dir, "/", rel);
        return j ? kr_path_clean(a, j) : NULL;
    }
    char *out = kr_arena_alloc(a, n + 2);
    if (out)
        clean_into(out, tmp, n);
    return out;
}

bool kr_path_join_buf(char *out, size_t cap, const char *dir, const char *rel)
{
    char tmp[4096];
    size_t n = joined(tmp, sizeof tmp, dir, rel);
    if (n == SIZE_MAX || n + 2 > cap)
        return false;
    clean_into(out, tmp, n);
    return true;
}

bool kr_path_within(const char *p, const char *root)
{
    size_t n = strlen(root);
    if (strncmp(p, root, n) != 0)
        return false;
    return p[n] == '\0' || p[n] == '/' || (n == 1 && root[0] == '/');
}

char *kr_path_dir(kr_arena *a, const char *p)
{
    const char *s = strrchr(p, '/');
    if (!s)
        return kr_arena_strdup(a, ".");
    if (s == p)
        return kr_arena_strdup(a, "/");
    return kr_arena_strndup(a, p, (size_t)(s - p));
}

const char *kr_path_rel(const char *p, const char *base)
{
    size_t n = strlen(base);
    if (strncmp(p, base, n) == 0 && p[n] == '/')
        return p + n + 1;
    return p;
}

char *kr_path_relto(kr_arena *a, const char *base, const char *p)
{
    if (strcmp(base, p) == 0)
        return kr_arena_strdup(a, ".");
    /* longest common directory prefix */
    size_t common = 0, i = 0;
    while (base[i] && base[i] == p[i]) {
        if (base[i] == '/')
            common = i;
        i++;
    }
    if (base[i] == '\0' && (p[i] == '/' || p[i] == '\0'))
        common = i;
    else if (p[i] == '\0' && base[i] == '/')
        common = i;
    size_t ups = 0;
    for (const char *s = base + common; *s; s++)
        if (*s == '/')
            ups++;
    if (strcmp(base, "/") == 0)
        ups = 0;
    const char *rest = p + common;
    if (*rest == '/')
        rest++;
    size_t len = ups * 3 + strlen(rest) + 1;
    char *out = kr_arena_alloc(a, len + 1);
    if (!out)
        return NULL;
    char *w = out;
    for (size_t k = 0; k < ups; k++) {
        memcpy(w, "../", 3);
        w += 3;
    }
    strcpy(w, rest);
    size_t n = strlen(out);
    if (n && out[n - 1] == '/')
        out[n - 1] = '\0';
    if (!out[0])
        strcpy(out, ".");
    return out;
}

bool kr_path_is_remote(const char *s)
{
    return strstr(s, "://") || strncmp(s, "git@", 4) == 0 || strncmp(s, "github.com/", 11) == 0;
}
