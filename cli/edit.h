/* `kustomize edit ...` (writes the kustomization of the current directory) and
 * `krender argocd generate` (Argo CD config-management plugin: parameters applied in memory). */
#ifndef KRENDER_CLI_EDIT_H
#define KRENDER_CLI_EDIT_H

/* argv: what follows "edit" (e.g. "set", "image", "nginx=nginx:1.25"). */
int cmd_edit(int argc, char **argv);
/* argv: what follows "argocd" ("generate" [DIR]). */
int cmd_argocd(int argc, char **argv);

#endif
