/* Files the kernel has not cached: see coldread.h. */
#define _GNU_SOURCE /* preadv2, RWF_NOWAIT */
#include "coldread.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fs.h"
#include "kfiles.h"

ssize_t kr_cold_first_read(kr_coldness *c, int fd, void *buf, size_t n)
{
    if (c->unsupported)
        return read(fd, buf, n);
    struct iovec iov = {buf, n};
    ssize_t got = preadv2(fd, &iov, 1, -1, RWF_NOWAIT); /* -1: at the file's position */
    if (got >= 0) {
        if (c->cold && ++c->cached >= KR_WARM_RUN)
            c->cold = false;
        return got;
    }
    if (errno == EAGAIN) {
        c->cold = true;
        c->cached = 0;
        c->uncached++;
    } else if (errno != EINTR) {
        c->unsupported = true;
    }
    return read(fd, buf, n);
}

/* Whether the file at abs was not cached (and is now being read ahead). */
static bool hint_path(const kr_render *r, const char *abs)
{
    int fd = kr_fs_open_nolinks(r, abs);
    if (fd < 0)
        return false;
    char byte;
    struct iovec iov = {&byte, 1};
    bool cold = false;
    if (preadv2(fd, &iov, 1, 0, RWF_NOWAIT) < 0) {
        cold = errno == EAGAIN; /* the kernel started reading it */
        if (!cold) /* RWF_NOWAIT refused: the advice instead (a refusal changes nothing) */
            (void)posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
    }
    close(fd);
    return cold;
}

typedef struct hinter {
    const kr_render *r;
    kr_cold_dir_fn *on_cold;
    void *ctx;
} hinter;

static void hint_file(void *ctx, char *path, kr_kfile_kind kind, size_t dir_len)
{
    const hinter *h = ctx;
    bool cold = hint_path(h->r, path);
    if (kind == KR_KF_KUSTOMIZATION && cold && h->on_cold) {
        path[dir_len] = '\0';
        h->on_cold(h->ctx, path);
    }
}

void kr_cold_hint_kustomization(const kr_render *r, const char *dir, const kr_node *k,
                                kr_cold_dir_fn *on_cold, void *ctx)
{
    hinter h = {r, on_cold, ctx};
    kr_kfiles_each(dir, k, true, true, hint_file, &h);
}
