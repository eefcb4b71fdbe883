#!/bin/bash
# `krender check` as a real pre-commit hook (Debian's pre-commit) on a temporary git
# repository: a good commit passes, a broken overlay stops `git commit` with FILE:LINE:COL, a
# commit not touching a (knowingly committed) broken root passes, and the repository's
# .pre-commit-hooks.yaml works as a hook repository. Exit 77 (skipped) without pre-commit.
# usage: precommit.sh /path/to/krender /path/to/.pre-commit-hooks.yaml
set -u
command -v pre-commit >/dev/null 2>&1 || { echo "pre-commit not installed: skipped"; exit 77; }
command -v git >/dev/null 2>&1 || { echo "git not installed: skipped"; exit 77; }
K=$(realpath "$1")
[ -x "$K" ] || { echo "no executable krender at $1"; exit 1; }
HOOKS=$(realpath "$2")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

# keep the user's git configuration, hooks and pre-commit cache out of it
export HOME=$T/home PRE_COMMIT_HOME=$T/pre-commit-home GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL=$T/gitconfig
mkdir -p "$HOME"
git config --global user.name test
git config --global user.email test@example.invalid
git config --global init.defaultBranch main
git config --global commit.gpgsign false

fail() {
    echo "FAIL: $*"
    echo "--- output:"; cat "$T/log"
    fails=$((fails + 1))
}
# commit MESSAGE: git add -A && git commit through the hook; rc and output in $rc / $T/log
commit() {
    git add -A && git commit -q -m "$1" >"$T/log" 2>&1
    rc=$?
}
expect_pass() { [ "$rc" = 0 ] || fail "$1: commit refused"; }
expect_refused() { [ "$rc" != 0 ] || fail "$1: commit accepted"; }
expect_log() { grep -qF -- "$1" "$T/log" || fail "$2: output lacks '$1'"; }

R=$T/repo
mkdir -p "$R/base" "$R/overlays/prod"
cd "$R"
git init -q .
cat >base/kustomization.yaml <<'Y'
resources:
- deployment.yaml
Y
cat >base/deployment.yaml <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
Y
cat >overlays/prod/kustomization.yaml <<'Y'
resources:
- ../../base
namespace: prod
Y
cat >.pre-commit-config.yaml <<Y
repos:
- repo: local
  hooks:
  - id: krender-check
    name: krender check
    entry: $K check
    language: system
    pass_filenames: true
    require_serial: true
Y
pre-commit install >"$T/log" 2>&1 || fail "pre-commit install"

commit "good"
expect_pass "base + overlay"

# a patch that targets nothing
cat >>overlays/prod/kustomization.yaml <<'Y'
patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: nothere
Y
commit "patch targeting nothing"
expect_refused "patch targeting nothing"
expect_log "overlays/prod: overlays/prod/kustomization.yaml:5:3: no resource matches strategic merge patch" "patch targeting nothing"
expect_log "1 of 2 roots affected by 1 changed file, 1 failed" "patch targeting nothing"

# malformed YAML
printf 'resources:\n- ../../base\nnamespace: [prod\n' >overlays/prod/kustomization.yaml
commit "malformed YAML"
expect_refused "malformed YAML"
expect_log "overlays/prod: overlays/prod/kustomization.yaml:4:1:" "malformed YAML"

# a base change breaking the overlay that reads it
printf 'resources:\n- ../../base\nnamespace: production\n' >overlays/prod/kustomization.yaml
git add -A
sed -i 's/^kind: Deployment/kind: Deployment\nkind: Service/' base/deployment.yaml
commit "duplicate key in the base"
expect_refused "broken base"
expect_log "overlays/prod: base/deployment.yaml:" "broken base"
git checkout -q HEAD -- base/deployment.yaml
commit "fixed"
expect_pass "fixed overlay"

# a broken root committed with --no-verify does not block unrelated commits
mkdir legacy
printf 'resources:\n- missing.yaml\n' >legacy/kustomization.yaml
git add -A && git commit -q --no-verify -m "legacy (broken)" >"$T/log" 2>&1
sed -i 's/nginx:1.27/nginx:1.28/' base/deployment.yaml
commit "unrelated to legacy"
expect_pass "change not affecting the broken root"
echo '# touch' >>legacy/kustomization.yaml
commit "touches legacy"
expect_refused "change to the broken root"
expect_log "legacy: legacy/kustomization.yaml:2:3:" "change to the broken root"
git reset -q --hard

# the repository's own .pre-commit-hooks.yaml, as a hook repository (krender on PATH)
H=$T/hookrepo
mkdir -p "$H" "$T/bin"
ln -s "$K" "$T/bin/krender"
cp "$HOOKS" "$H/.pre-commit-hooks.yaml"
(cd "$H" && git init -q . && git add -A && git commit -q -m hooks)
rev=$(git -C "$H" rev-parse HEAD)
cat >.pre-commit-config.yaml <<Y
repos:
- repo: $H
  rev: $rev
  hooks:
  - id: krender-check
Y
export PATH=$T/bin:$PATH
commit "switch to the hook repository"
expect_pass "hook repository, good tree"
printf 'resources:\n- ../../base\n- gone.yaml\n' >overlays/prod/kustomization.yaml
commit "hook repository, missing resource"
expect_refused "hook repository, missing resource"
expect_log "overlays/prod: overlays/prod/kustomization.yaml:3:3:" "hook repository"
expect_log "krender check (kustomize build)" "hook repository"

if [ $fails -ne 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "all pre-commit tests passed"
