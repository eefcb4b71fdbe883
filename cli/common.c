/* Shared CLI pieces: see common.h. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "common.h"

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_fail_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n\n%s", cli_usage);
    return 2;
}

const char *cli_flag_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    if (n == 2 && name[0] == '-' && argv[*i][n]) /* a shorthand's value attached: -j4, -oFILE */
        return argv[*i] + n;
    return NULL;
}

int cli_parse_load_restrictor(const char *v, int *out)
{
    if (strcmp(v, "LoadRestrictionsRootOnly") == 0)
        *out = KRENDER_LOAD_ROOT_ONLY;
    else if (strcmp(v, "LoadRestrictionsNone") == 0)
        *out = KRENDER_LOAD_NONE;
    else
        return -1;
    return 0;
}

int cli_parse_limit(int argc, char **argv, int *i, krender_options *opts, int *status)
{
    static const struct {
        const char *flag;
        size_t offset;
    } limits[] = {{"--max-file-bytes", offsetof(krender_options, max_file_bytes)},
                  {"--max-resources", offsetof(krender_options, max_resources)},
                  {"--max-output-bytes", offsetof(krender_options, max_output_bytes)}};
    for (size_t k = 0; k < sizeof limits / sizeof limits[0]; k++) {
        const char *v = cli_flag_value(argc, argv, i, limits[k].flag);
        if (!v)
            continue;
        char *end;
        errno = 0;
        unsigned long long n = strtoull(v, &end, 10);
        if (errno || end == v || *end || n == 0 || v[0] == '-' || n > SIZE_MAX) {
            *status = cli_fail_usage("invalid limit '%s' (a positive number)", v);
            return -1;
        }
        *(size_t *)((char *)opts + limits[k].offset) = (size_t)n;
        return 1;
    }
    return 0;
}

void cli_print_error(FILE *f, const krender_error *e)
{
    if (e->file) {
        fputs(e->file, f);
        if (e->line)
            fprintf(f, ":%u:%u", e->line, e->column);
        fputs(": ", f);
    }
    fprintf(f, "%s\n", e->message);
    /* a chain without " -> " is the root alone: nothing to add */
    if (e->chain && strstr(e->chain, " -> "))
        fprintf(f, "  while building: %s\n", e->chain);
}

unsigned cli_cores(void)
{
    /* the CPUs this process may run on: a container's cpuset or taskset counts, not the
     * machine's (and it is one system call, where sysconf reads a file) */
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (unsigned)CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

