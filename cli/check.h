/* `krender check`: render every kustomization root of a repository (or those a change
 * affects) and report failures, for pre-commit hooks and CI. */
#ifndef KRENDER_CLI_CHECK_H
#define KRENDER_CLI_CHECK_H

/* argv holds the arguments after "check". Returns the exit status: 0 all good, 1 a root
 * failed, 2 usage error. */
int cmd_check(int argc, char **argv);

#endif
