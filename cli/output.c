/* Output files: a new one written unnamed and linked in, an existing one replaced by a
 * temporary file + rename, with signal-safe removal of the temporary files of an interrupted
 * run. The temporary names live in a fixed table of atomic slots because the signal handler
 * may only use async-signal-safe calls (unlink) and plain loads. */
#define _GNU_SOURCE /* O_TMPFILE */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PENDING_SLOTS 256 /* files written at once: one per render thread */

/* A slot's name is only read by the handler while the slot is ACTIVE; names live in the slots
 * (not the heap) so a handler racing a finishing writer never reads freed memory. */
enum { SLOT_FREE, SLOT_FILLING, SLOT_ACTIVE };
static struct {
    atomic_int state;
    char name[4096];
} pending[PENDING_SLOTS];

int cli_write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Claims a slot for tmp (so a signal removes it); -1 when all are taken or it is too long. */
static int track(const char *tmp)
{
    size_t n = strlen(tmp) + 1;
    if (n > sizeof pending[0].name)
        return -1;
    for (int i = 0; i < PENDING_SLOTS; i++) {
        int expected = SLOT_FREE;
        if (atomic_compare_exchange_strong(&pending[i].state, &expected, SLOT_FILLING)) {
            memcpy(pending[i].name, tmp, n);
            atomic_store(&pending[i].state, SLOT_ACTIVE);
            return i;
        }
    }
    return -1;
}

static void untrack(int slot)
{
    if (slot >= 0)
        atomic_store(&pending[slot].state, SLOT_FREE);
}

/* A file new at `path` without a temporary name: an unnamed file (O_TMPFILE) written whole,
 * then linked in. If the process dies first nothing of it remains, so no signal cleanup is
 * involved, and it takes one directory entry instead of two (creating the temporary name and
 * renaming it: about a fifth of the cost per file of `--out-dir` on ext4). 0, or -1 with errno
 * set: EEXIST when something is at `path`, an errno of open when the file system has no
 * O_TMPFILE. */
static int write_unnamed(const char *path, const char *data, size_t len)
{
    char dir[4096] = "."; /* the directory the file goes to */
    const char *slash = strrchr(path, '/');
    if (slash) {
        size_t n = slash == path ? 1 : (size_t)(slash - path); /* "/x": the root */
        if (n >= sizeof dir) {
            errno = ENAMETOOLONG;
            return -1;
        }
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    /* the mode the renamed temporary file gets too (umask aside) */
    int rc = fchmod(fd, 0644) == 0 ? cli_write_all(fd, data, len) : -1;
    /* linked by its descriptor (Linux 6.10 lets a process do so for a file it opened; before,
     * it takes CAP_DAC_READ_SEARCH), else through /proc: half the cost per file here, where the
     * /proc path is walked for every file */
    if (rc == 0 && (rc = linkat(fd, "", AT_FDCWD, path, AT_EMPTY_PATH)) != 0 && errno != EEXIST) {
        char self[64];
        snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
        rc = linkat(AT_FDCWD, self, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
    }
    int saved = errno;
    if (close(fd) != 0 && rc == 0) { /* linked, but its bytes may not all be there */
        saved = errno;
        unlink(path);
        rc = -1;
    }
    errno = saved;
    return rc;
}

int cli_write_file(const char *path, const char *data, size_t len)
{
    /* a file already there is replaced in one step, keeping its mode (a rename); a new one
     * is linked in unless this file system or /proc does not allow it */
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (!exists && write_unnamed(path, data, len) == 0)
        return 0;
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp)
        return -1;
    snprintf(tmp, n, "%s.XXXXXX", path);
    sigset_t all, old;
    sigfillset(&all);
    /* between mkstemp and track a signal would leave the file behind: block them */
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int fd = mkstemp(tmp);
    int slot = fd >= 0 ? track(tmp) : -1;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    /* mkstemp makes 0600: give the file the mode it had, or the usual 0644 */
    mode_t mode = exists ? st.st_mode & 07777 : 0644;
    int rc = fchmod(fd, mode) == 0 ? cli_write_all(fd, data, len) : -1;
    if (close(fd) != 0)
        rc = -1;
    int saved = errno;
    pthread_sigmask(SIG_BLOCK, &all, &old);
    if (rc == 0)
        rc = rename(tmp, path);
    if (rc != 0) {
        saved = errno;
        unlink(tmp);
    }
    untrack(slot);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    free(tmp);
    errno = saved;
    return rc;
}

static void on_signal(int sig)
{
    for (int i = 0; i < PENDING_SLOTS; i++)
        if (atomic_load(&pending[i].state) == SLOT_ACTIVE)
            unlink(pending[i].name);
    signal(sig, SIG_DFL);
    raise(sig);
}

void cli_install_signal_cleanup(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}
