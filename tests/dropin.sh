#!/bin/sh
# The CLI as a drop-in kustomize binary (what Argo CD runs with kustomize.path pointing at it):
# a link named kustomize answers `version` and `build DIR [flags]` like kustomize v5.6.0.
set -eu
cli=$(realpath "$1"); root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ln -s "$cli" "$tmp/kustomize"
[ "$("$tmp/kustomize" version)" = "v5.6.0" ] || { echo "version: wrong answer"; exit 1; }
"$tmp/kustomize" build "$root/examples/guestbook/app" --enable-helm --load-restrictor LoadRestrictionsRootOnly >"$tmp/out.yaml"
cmp "$tmp/out.yaml" "$root/fixtures/example-guestbook/expected.yaml"
"$cli" kustomize build "$root/examples/guestbook/app" | cmp - "$root/fixtures/example-guestbook/expected.yaml"
# `kustomize edit` in the current directory, as Argo CD runs it (cmd.Dir = the app)
mkdir "$tmp/app"; printf 'resources:\n- cm.yaml\n' >"$tmp/app/kustomization.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n' >"$tmp/app/cm.yaml"
(cd "$tmp/app" && "$tmp/kustomize" edit set nameprefix -- pre- && "$tmp/kustomize" edit set namespace ns)
"$tmp/kustomize" build "$tmp/app" | grep -q '^  name: pre-c$' || { echo "edit: prefix not applied"; exit 1; }
if (cd "$tmp/app" && "$tmp/kustomize" edit set image nginx 2>/dev/null); then echo "edit: bad image accepted"; exit 1; fi
echo "drop-in kustomize ok"
