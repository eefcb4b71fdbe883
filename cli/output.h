/* Writing renders out: whole or not at all, even when the CLI is interrupted. */
#ifndef KRENDER_CLI_OUTPUT_H
#define KRENDER_CLI_OUTPUT_H

#include <stddef.h>

/* write(2) until everything is out (EINTR retried); 0 or -1 with errno set. */
int cli_write_all(int fd, const char *p, size_t n);

/* Writes `path` so that no reader ever sees a partial file: a new file is written unnamed and
 * then linked in; an existing one is replaced by renaming a temporary file beside it over it.
 * 0 or -1 with errno set (no temporary file left). */
int cli_write_file(const char *path, const char *data, size_t len);

/* SIGINT, SIGTERM, SIGHUP: remove the temporary files being written, then die of the signal
 * (exit status 128+N as usual). Call once, before any thread starts. */
void cli_install_signal_cleanup(void);

#endif
