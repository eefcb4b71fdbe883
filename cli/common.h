/* Pieces shared by the krender subcommands (build, check): flag parsing, error printing and
 * the render thread pool. Uses the public API only. */
#ifndef KRENDER_CLI_COMMON_H
#define KRENDER_CLI_COMMON_H

#include <stddef.h>
#include <stdio.h>

#include "krender.h"

/* The whole usage text (defined in krender.c). */
extern const char cli_usage[];

/* Prints "error: <fmt with arg>" and the usage on stderr; returns 2 (the usage exit code). */
int cli_fail_usage(const char *fmt, const char *arg);

/* Accepts "--flag value" and "--flag=value" (a shorthand also "-jVALUE", as pflag does); returns
 * the value (advancing *i past it) or NULL. */
const char *cli_flag_value(int argc, char **argv, int *i, const char *name);

/* Parses a --load-restrictor value into *out; returns 0, or -1 when unknown. */
int cli_parse_load_restrictor(const char *v, int *out);

/* --max-file-bytes, --max-resources, --max-output-bytes (a positive integer) into opts.
 * Returns 1 when argv[*i] was one of them (advancing *i), 0 when not, -1 (usage error printed,
 * status 2 in *status) when its value is invalid. */
int cli_parse_limit(int argc, char **argv, int *i, krender_options *opts, int *status);

/* Writes "<file>:<line>:<col>: <message>\n" (the parts that are known) and, when the problem
 * is in a nested kustomization, "  while building: <chain>\n". */
void cli_print_error(FILE *f, const krender_error *e);

/* Online CPU cores (at least 1). */
unsigned cli_cores(void);

#endif
