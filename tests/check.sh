#!/bin/bash
# `krender check` on a temporary tree: root discovery (Components and hidden directories
# skipped), the roots a change affects, exit codes, error format, --rendered comparisons.
# usage: check.sh /path/to/krender
set -u
K=$(realpath "$1")
[ -x "$K" ] || { echo "no executable krender at $1"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

# run ARGS...: runs `krender check ARGS` in the current directory, keeping rc/out/err
run() {
    "$K" check "$@" >"$T/out" 2>"$T/err"
    rc=$?
}
fail() {
    echo "FAIL: $*"
    echo "--- stderr:"; cat "$T/err"; echo "--- stdout:"; cat "$T/out"
    fails=$((fails + 1))
}
expect_rc() { [ "$rc" = "$1" ] || fail "$2: exit $rc, want $1"; }
expect_err() { grep -qF -- "$1" "$T/err" || fail "$2: stderr lacks '$1'"; }
expect_no_err() { ! grep -qF -- "$1" "$T/err" || fail "$2: stderr has '$1'"; }
expect_quiet_stdout() { [ ! -s "$T/out" ] || fail "$1: stdout not empty"; }

R=$T/repo
mkdir -p "$R/base" "$R/overlays/dev" "$R/overlays/prod" "$R/other" "$R/components/c" "$R/.hidden"
cat >"$R/base/kustomization.yaml" <<'Y'
resources:
- cm.yaml
Y
cat >"$R/base/cm.yaml" <<'Y'
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
data:
  mode: base
Y
for env in dev prod; do
    cat >"$R/overlays/$env/kustomization.yaml" <<Y
resources:
- ../../base
namePrefix: $env-
Y
done
cat >"$R/other/Kustomization" <<'Y'
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- cm.yaml
Y
sed 's/name: app/name: other/' "$R/base/cm.yaml" >"$R/other/cm.yaml"
cat >"$R/components/c/kustomization.yml" <<'Y'
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: "Component"   # never rendered alone
namePrefix: c-
Y
echo 'resources: [missing.yaml]' >"$R/.hidden/kustomization.yaml"

# a repository of its own, so no enclosing one (TMPDIR inside a checkout) is the default root
have_git=0
command -v git >/dev/null 2>&1 && git init -q "$R" && have_git=1
cd "$R"
run
expect_rc 0 "clean tree"
expect_err "krender check: 4 roots checked, 0 failed" "clean tree"
expect_quiet_stdout "clean tree"

# a patch that targets nothing in prod
cat >>"$R/overlays/prod/kustomization.yaml" <<'Y'
patches:
- patch: |-
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: nothere
Y
run
expect_rc 1 "broken prod"
expect_err "overlays/prod: overlays/prod/kustomization.yaml:5:3: no resource matches" "broken prod"
expect_err "4 roots checked, 1 failed" "broken prod"
expect_quiet_stdout "broken prod"

run other/cm.yaml
expect_rc 0 "change not affecting prod"
expect_err "krender check: 1 of 4 roots affected by 1 changed file, 0 failed" "other"
expect_no_err "overlays/prod:" "other"

run base/cm.yaml
expect_rc 1 "change in a base prod reads"
expect_err "3 of 4 roots affected by 1 changed file, 1 failed" "base change"
expect_err "overlays/prod/kustomization.yaml:5:3:" "base change"

run overlays/prod/new-file.yaml other/cm.yaml
expect_rc 1 "new file inside prod"
expect_err "2 of 4 roots affected by 2 changed files, 1 failed" "new file"

run README.md
expect_rc 0 "unrelated file"
expect_err "0 of 4 roots affected" "unrelated file"

# the default root is the git top level, wherever check runs
if [ $have_git = 1 ]; then
    (cd "$R/overlays" && "$K" check >"$T/out" 2>"$T/err"); rc=$?
    expect_rc 1 "git top level from a subdirectory"
    expect_err "$R/overlays/prod: $R/overlays/prod/kustomization.yaml:5:3:" "git top level"
fi
cd "$T"
run --root repo repo/overlays/prod/kustomization.yaml
expect_rc 1 "--root relative"
expect_err "repo/overlays/prod: repo/overlays/prod/kustomization.yaml:5:3:" "--root relative"
cd "$R"

# a broken base: both overlays fail, and say which kustomization led there
printf 'resources:\n- ../../base\nnamePrefix: prod-\n' >"$R/overlays/prod/kustomization.yaml"
printf 'resources:\n- cm.yaml\n  oops: [\n' >"$R/base/kustomization.yaml"
run -j 1 base/kustomization.yaml
expect_rc 1 "broken base"
expect_err "base: base/kustomization.yaml:3:7:" "broken base"
expect_err "overlays/dev: " "broken base"
expect_err "  while building: overlays/dev -> " "broken base"
expect_err "3 of 4 roots affected by 1 changed file, 3 failed" "broken base"
printf 'resources:\n- cm.yaml\n' >"$R/base/kustomization.yaml"

# --rendered: committed outputs, DIR/<root path with / -> _>.yaml
mkdir "$R/rendered"
"$K" build base -o rendered/base.yaml
"$K" build overlays/dev -o rendered/overlays_dev.yaml
"$K" build overlays/prod -o rendered/overlays_prod.yaml
"$K" build other -o rendered/other.yaml
run --rendered rendered
expect_rc 0 "--rendered up to date"
expect_err "4 roots checked, 0 failed" "--rendered up to date"

sed -i 's/mode: base/mode: changed/' "$R/base/cm.yaml"
run --rendered rendered base/cm.yaml
expect_rc 1 "--rendered stale"
expect_err "overlays/dev: rendered/overlays_dev.yaml:3: differs from the rendered output" "stale"
expect_err "  -   mode: base" "stale"
expect_err "  +   mode: changed" "stale"
expect_err "update it with: krender build overlays/dev -o rendered/overlays_dev.yaml" "stale"
expect_err "3 of 4 roots affected by 1 changed file, 3 failed" "stale"
run --rendered rendered other/cm.yaml
expect_rc 0 "--rendered stale but unaffected"

rm rendered/other.yaml
run --rendered rendered other/cm.yaml
expect_rc 1 "--rendered missing"
expect_err "other: cannot read the committed output rendered/other.yaml" "missing"
"$K" build other -o rendered/other.yaml
printf 'extra\n' >>rendered/other.yaml
run --rendered=rendered rendered/other.yaml
expect_rc 1 "a changed committed output affects its root"
expect_err "1 of 4 roots affected" "changed output"
expect_err "other: rendered/other.yaml:7: differs" "changed output"
expect_err "  + (end of file)" "changed output"

run --bogus
expect_rc 2 "unknown flag"
run --root "$T/nowhere"
expect_rc 2 "missing root"

if [ $fails -ne 0 ]; then
    echo "$fails check(s) failed"
    exit 1
fi
echo "all krender check tests passed"
