/* Files the kernel has not cached: see coldread.h. */
#define _GNU_SOURCE /* preadv2, RWF_NOWAIT */
#include "coldread.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fs.h"
#include "path.h"

ssize_t kr_cold_first_read(kr_coldness *c, int fd, void *buf, size_t n)
{
    if (c->unsupported) {
        c->last_cold = false;
        return read(fd, buf, n);
    }
    struct iovec iov = {buf, n};
    ssize_t got = preadv2(fd, &iov, 1, -1, RWF_NOWAIT); /* -1: at the file's position */
    c->last_cold = got < 0 && errno == EAGAIN;
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
    const char *dir;
    kr_cold_dir_fn *on_cold;
    void *ctx;
} hinter;

/* entry (its text from `skip` on) relative to the kustomization's directory; `kust`: a
 * directory, whose kustomization.yaml */
static void hint_entry(const hinter *h, const kr_node *entry, size_t skip, bool kust)
{
    if (!kr_is_scalar(entry) || entry->len <= skip || kr_path_is_remote(entry->u.text))
        return;
    char abs[4096];
    if (!kr_path_join_buf(abs, sizeof abs, h->dir, entry->u.text + skip) ||
        !kr_fs_clean_abs(abs))
        return;
    size_t n = strlen(abs);
    static const char kfile[] = "/kustomization.yaml";
    if (kust && n + sizeof kfile > sizeof abs)
        return;
    if (kust)
        memcpy(abs + n, kfile, sizeof kfile);
    bool cold = hint_path(h->r, abs);
    if (kust && cold && h->on_cold) {
        abs[n] = '\0';
        h->on_cold(h->ctx, abs);
    }
}

/* The entries of a resources-like list: files, and directories' kustomization.yaml. */
static void hint_list(const hinter *h, const kr_node *list, bool resources)
{
    for (uint32_t i = 0; kr_is_seq(list) && i < list->len; i++) {
        const kr_node *it = list->u.items[i];
        bool file = resources && kr_is_scalar(it) && kr_fs_has_extension(it->u.text);
        hint_entry(h, it, 0, !file);
    }
}

void kr_cold_hint_kustomization(const kr_render *r, const char *dir, const kr_node *k,
                                kr_cold_dir_fn *on_cold, void *ctx)
{
    const hinter h = {r, dir, on_cold, ctx};
    hint_list(&h, kr_map_get(k, "resources"), true);
    hint_list(&h, kr_map_get(k, "bases"), true);
    hint_list(&h, kr_map_get(k, "components"), false);
    static const char *const generators[] = {"configMapGenerator", "secretGenerator"};
    for (size_t g = 0; g < 2; g++) {
        const kr_node *list = kr_map_get(k, generators[g]);
        for (uint32_t i = 0; kr_is_seq(list) && i < list->len; i++) {
            const kr_node *gen = list->u.items[i];
            const kr_node *envs = kr_map_get(gen, "envs"), *files = kr_map_get(gen, "files");
            for (uint32_t j = 0; kr_is_seq(envs) && j < envs->len; j++)
                hint_entry(&h, envs->u.items[j], 0, false);
            hint_entry(&h, kr_map_get(gen, "env"), 0, false);
            for (uint32_t j = 0; kr_is_seq(files) && j < files->len; j++) {
                const kr_node *f = files->u.items[j];
                const char *eq = kr_is_scalar(f) ? memchr(f->u.text, '=', f->len) : NULL;
                hint_entry(&h, f, eq ? (size_t)(eq + 1 - f->u.text) : 0, false);
            }
        }
    }
    /* lists of files, or of inline YAML (a transformer's may also be a kustomization
     * directory: its hint is refused, harmlessly) */
    static const char *const file_lists[] = {"patchesStrategicMerge", "transformers",
                                             "generators", "validators", "configurations",
                                             "crds"};
    for (size_t w = 0; w < sizeof file_lists / sizeof *file_lists; w++) {
        const kr_node *list = kr_map_get(k, file_lists[w]);
        for (uint32_t i = 0; kr_is_seq(list) && i < list->len; i++) {
            const kr_node *e = list->u.items[i];
            if (kr_is_scalar(e) && !memchr(e->u.text, '\n', e->len)) /* a file */
                hint_entry(&h, e, 0, false);
        }
    }
    static const char *const with_path[] = {"patches", "patchesJson6902", "replacements"};
    for (size_t w = 0; w < 3; w++) {
        const kr_node *list = kr_map_get(k, with_path[w]);
        for (uint32_t i = 0; kr_is_seq(list) && i < list->len; i++)
            hint_entry(&h, kr_map_get(list->u.items[i], "path"), 0, false);
    }
}
