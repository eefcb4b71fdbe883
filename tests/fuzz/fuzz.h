/* Shared by the fuzz harnesses: the libFuzzer entry point and scratch directories.
 * Harnesses never print; every allocation of an iteration is released before it returns. */
#ifndef KR_FUZZ_H
#define KR_FUZZ_H
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fresh private directory, in RAM (/dev/shm) when there is one: the render harness makes
 * and removes a tree per input, and tmpfs keeps that cheap. Returns a malloc'd path or NULL. */
static inline char *fz_mkdtemp(void)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    char tmpl[PATH_MAX];
    snprintf(tmpl, sizeof tmpl, "%s/krfuzz-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(tmpl) ? strdup(tmpl) : NULL;
}

static inline int fz_unlink_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path) ? -1 : 0;
}

/* rm -rf dir (never follows symlinks, never crosses into another file system). */
static inline void fz_rmtree(const char *dir)
{
    nftw(dir, fz_unlink_cb, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Writes data to dir/rel, making rel's parent directories. Returns 0 on success. */
static inline int fz_write(const char *dir, const char *rel, const uint8_t *data, size_t n)
{
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, rel) >= sizeof path)
        return -1;
    for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        if (mkdir(path, 0700) && errno != EEXIST)
            return -1;
        *s = '/';
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, data + done, n - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    return close(fd) || done != n ? -1 : 0;
}

#endif
