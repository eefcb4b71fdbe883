#!/usr/bin/env python3
"""The Argo CD config-management plugin driven the way argocd-cmp-server runs it.

For each tests/argocd/cases/*.json: a fresh copy of tests/argocd/repo, `krender argocd
generate` started in the app's directory with stdin closed and only the environment Argo CD
gives a plugin (ARGOCD_APP_*, ARGOCD_ENV_*, ARGOCD_APP_PARAMETERS and the PARAM_* variables
derived from it). Checks: the output equals the case's golden (made by the oracle, kustomize
v5.6.0, on the tree edited on disk with the case's `kustomize edit` commands: `--regen`), the
source tree is byte-for-byte untouched, and a failing case prints nothing on stdout and exits
non-zero. It also applies the same edits on disk with `krender kustomize edit` and checks
that `krender build` of the edited tree gives the golden too.

usage: argocd_cmp.py KRENDER [--regen ORACLE]"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "argocd")


def param_env(params):
    """The PARAM_* variables Argo CD derives from the parameters."""
    env = {}

    def name(*parts):
        return "PARAM_" + "_".join(re.sub(r"[^A-Za-z0-9_]", "_", p).upper() for p in parts)

    for p in params:
        if "string" in p:
            env[name(p["name"])] = p["string"]
        for i, v in enumerate(p.get("array", [])):
            env[name(p["name"], str(i))] = v
        for k, v in p.get("map", {}).items():
            env[name(p["name"], k)] = v
    return env


def tree_digest(root):
    h = hashlib.sha256()
    for d, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(d, f)
            st = os.stat(p)
            h.update(p.encode() + b"\0" + str(st.st_mode).encode() + b"\0")
            with open(p, "rb") as fh:
                h.update(fh.read())
    return h.hexdigest()


def close_stdin():
    os.close(0)


def generate(cli, app, case):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    env.update(case["env"])
    if case["parameters"]:
        env["ARGOCD_APP_PARAMETERS"] = json.dumps(case["parameters"])
        env.update(param_env(case["parameters"]))
    return subprocess.run([cli, "argocd", "generate"], cwd=app, env=env, capture_output=True,
                          stdin=None, preexec_fn=close_stdin)


def edit_on_disk(cli, app, edits):
    for e in edits:
        r = subprocess.run([cli, "kustomize", "edit"] + e, cwd=app, capture_output=True)
        if r.returncode != 0:
            raise SystemExit("kustomize edit %s failed: %s" % (e, r.stderr.decode()))


def main():
    cli = os.path.abspath(sys.argv[1])
    regen = sys.argv[3] if len(sys.argv) > 3 and sys.argv[2] == "--regen" else None
    failures = 0
    # the plugin definition shipped in examples/ announces every parameter the cases use
    import yaml
    with open(os.path.join(HERE, "..", "..", "examples", "argocd", "plugin.yaml")) as f:
        plugin = yaml.safe_load(f)
    announced = {p["name"] for p in plugin["spec"]["parameters"]["static"]}
    if plugin["spec"]["generate"]["command"] != ["krender", "argocd", "generate"]:
        print("FAIL plugin.yaml: generate command")
        failures += 1
    cases = sorted(f for f in os.listdir(os.path.join(HERE, "cases")) if f.endswith(".json"))
    for name in cases:
        with open(os.path.join(HERE, "cases", name)) as f:
            case = json.load(f)
        base = name[:-5]
        unknown = {p["name"] for p in case["parameters"]} - announced
        if unknown:
            print("FAIL %s: parameters not announced in plugin.yaml: %s" % (name, unknown))
            failures += 1
        golden = os.path.join(HERE, "cases", base + ".expected.yaml")
        with tempfile.TemporaryDirectory() as tmp:
            repo = os.path.join(tmp, "repo")
            shutil.copytree(os.path.join(HERE, "repo"), repo)
            app = os.path.join(repo, case["env"]["ARGOCD_APP_SOURCE_PATH"])
            if regen and "error" not in case:
                edited = os.path.join(tmp, "edited")
                shutil.copytree(repo, edited)
                eapp = os.path.join(edited, case["env"]["ARGOCD_APP_SOURCE_PATH"])
                edit_on_disk(cli, eapp, case["edits"])
                r = subprocess.run([regen, "kustomize", eapp], capture_output=True, check=True)
                with open(golden, "wb") as f:
                    f.write(r.stdout)
                print("regenerated", golden)
            before = tree_digest(repo)
            r = generate(cli, app, case)
            problems = []
            if tree_digest(repo) != before:
                problems.append("the source tree was modified")
            if "error" in case:
                if r.returncode == 0:
                    problems.append("succeeded, should fail")
                if r.stdout:
                    problems.append("printed %d bytes on stdout while failing" % len(r.stdout))
                if case["error"] not in r.stderr.decode():
                    problems.append("stderr lacks %r: %s" % (case["error"], r.stderr.decode()))
            else:
                with open(golden, "rb") as f:
                    want = f.read()
                if r.returncode != 0:
                    problems.append("failed: " + r.stderr.decode())
                elif r.stdout != want:
                    problems.append("output differs from the oracle's golden")
                edit_on_disk(cli, app, case["edits"])
                b = subprocess.run([cli, "build", app], capture_output=True)
                if b.stdout != want:
                    problems.append("build after `kustomize edit` on disk differs from the golden")
            if problems:
                failures += 1
                print("FAIL %s: %s" % (base, "; ".join(problems)))
            else:
                print("ok   %s" % base)
    print("%d cases, %d failed" % (len(cases), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
