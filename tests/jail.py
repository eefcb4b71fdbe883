#!/usr/bin/env python3
"""The --root jail against escape attempts: no byte of a file outside the jail may be read.

Usage: jail.py KRENDER_CLI

Each case builds a fresh tree: `outside/` (secrets, bases, patches beside the jail) and `repo/`
(the jail) with the kustomization under `repo/app`. Attacks render with LoadRestrictionsNone, so
the jail alone has to stop them, and must fail with exit status 1, nothing on stdout, an error
naming the jail, and no secret content in any output. Controls (symlinks and odd file names that
stay inside) must render.
"""
import os
import subprocess
import sys
import tempfile

SECRET = "SECRET-MARKER-4f1c"
SECRET_CM = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: secret\ndata:\n  k: {SECRET}\n"
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: inside\ndata:\n  k: v\n"


def outside_files():
    return {
        "outside/secret.yaml": SECRET_CM,
        "outside/secret.env": f"K={SECRET}\n",
        "outside/patch.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: inside\ndata:\n  x: {SECRET}\n",
        "outside/base/kustomization.yaml": "resources: [secret.yaml]\n",
        "outside/base/secret.yaml": SECRET_CM,
        "outside/comp/kustomization.yaml":
            f"apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
            f"configMapGenerator: [{{name: c, literals: [k={SECRET}]}}]\n",
        "outside/kustomization.yaml": "resources: [secret.yaml]\n",
        "outside/config.yaml": f"namePrefix:\n- path: metadata/name\n  kind: {SECRET}\n",
        "outside/replacements.yaml": f"- source: {{kind: ConfigMap, name: inside}}\n  targets: []\n",
        "outside/openapi.json": '{"definitions": {}}\n',
    }


# name -> (files in repo/app unless the key has a '/', symlinks {link: target}, extra args)
ATTACKS = {
    "dotdot-resource": ({"kustomization.yaml": "resources: [../../outside/secret.yaml]\n"}, {}),
    "absolute-resource": ({"kustomization.yaml": "resources: [{T}/outside/secret.yaml]\n"}, {}),
    "symlink-file": ({"kustomization.yaml": "resources: [link.yaml]\n"},
                     {"repo/app/link.yaml": "{T}/outside/secret.yaml"}),
    "symlink-relative-file": ({"kustomization.yaml": "resources: [link.yaml]\n"},
                              {"repo/app/link.yaml": "../../outside/secret.yaml"}),
    "symlink-etc-passwd": ({"kustomization.yaml": "resources: [passwd]\n"},
                           {"repo/app/passwd": "/etc/passwd"}),
    "symlink-dir-base": ({"kustomization.yaml": "resources: [base]\n"},
                         {"repo/app/base": "{T}/outside/base"}),
    "symlink-dir-up": ({"kustomization.yaml": "resources: [up/outside/secret.yaml]\n"},
                                {"repo/app/up": "../.."}),
    "symlink-chain": ({"kustomization.yaml": "resources: [a.yaml]\n"},
                      {"repo/app/a.yaml": "b.yaml", "repo/app/b.yaml": "../../outside/secret.yaml"}),
    "symlink-kustomization-file": ({}, {"repo/app/kustomization.yaml": "{T}/outside/kustomization.yaml"}),
    "generator-file": ({"kustomization.yaml":
                        "configMapGenerator: [{name: g, files: [../../outside/secret.yaml]}]\n"}, {}),
    "generator-file-key": ({"kustomization.yaml": "configMapGenerator: [{name: g, files: [k=s.yaml]}]\n"},
                           {"repo/app/s.yaml": "{T}/outside/secret.yaml"}),
    "generator-env": ({"kustomization.yaml": "secretGenerator: [{name: g, envs: [../../outside/secret.env]}]\n"}, {}),
    "patch-path": ({"kustomization.yaml": "resources: [cm.yaml]\npatches: [{path: ../../outside/patch.yaml}]\n",
                    "cm.yaml": CM}, {}),
    "patch-symlink": ({"kustomization.yaml": "resources: [cm.yaml]\npatchesStrategicMerge: [p.yaml]\n",
                       "cm.yaml": CM}, {"repo/app/p.yaml": "{T}/outside/patch.yaml"}),
    "component": ({"kustomization.yaml": "components: [../../outside/comp]\n"}, {}),
    "component-symlink": ({"kustomization.yaml": "components: [comp]\n"},
                          {"repo/app/comp": "{T}/outside/comp"}),
    "configurations": ({"kustomization.yaml": "configurations: [../../outside/config.yaml]\n"}, {}),
    "replacements-path": ({"kustomization.yaml":
                           "resources: [cm.yaml]\nreplacements: [{path: ../../outside/replacements.yaml}]\n",
                           "cm.yaml": CM}, {}),
    "openapi-path": ({"kustomization.yaml": "openapi: {path: ../../outside/openapi.json}\n"}, {}),
    "crds": ({"kustomization.yaml": "crds: [../../outside/secret.yaml]\n"}, {}),
    "symlink-loop": ({"kustomization.yaml": "resources: [loop.yaml]\n"},
                     {"repo/app/loop.yaml": "loop.yaml"}),
    "symlink-loop-pair": ({"kustomization.yaml": "resources: [x]\n"},
                          {"repo/app/x": "y", "repo/app/y": "x"}),
    "root-outside": ({}, {}, ["{T}/outside"]),
    "root-symlink-outside": ({}, {"repo/link": "{T}/outside"}, ["{T}/repo/link"]),
}

# Inside the jail: must render (and contain the inside marker).
CONTROLS = {
    "symlink-inside": ({"kustomization.yaml": "resources: [link.yaml]\n", "real/cm.yaml": CM},
                       {"repo/app/link.yaml": "real/cm.yaml"}),
    "symlink-inside-via-dotdot": ({"kustomization.yaml": "resources: [link.yaml]\n"},
                                  {"repo/app/link.yaml": "../shared/cm.yaml"}, None, {"repo/shared/cm.yaml": CM}),
    "odd-file-names": ({"kustomization.yaml":
                        'resources: ["a b.yaml", "q\\"uote.yaml", "new\\nline.yaml", "-dash.yaml", "\\u00e9t\\u00e9.yaml"]\n',
                        "a b.yaml": CM.replace("inside", "inside-a"),
                        'q"uote.yaml': CM.replace("inside", "inside-q"),
                        "new\nline.yaml": CM.replace("inside", "inside-n"),
                        "-dash.yaml": CM.replace("inside", "inside-d"),
                        "été.yaml": CM.replace("inside", "inside-e")}, {}),
}


def make_tree(tmp, app_files, links, extra=None):
    files = dict(outside_files())
    files.update({("repo/app/" + k): v for k, v in app_files.items()})
    files.update(extra or {})
    for rel, text in files.items():
        path = os.path.join(tmp, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace("{T}", tmp))
    os.makedirs(os.path.join(tmp, "repo/app"), exist_ok=True)
    for rel, target in links.items():
        path = os.path.join(tmp, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.symlink(target.replace("{T}", tmp), path)


def run(cli, tmp, roots):
    args = [cli, "build", "--root", os.path.join(tmp, "repo"),
            "--load-restrictor", "LoadRestrictionsNone"]
    args += [r.replace("{T}", tmp) for r in roots] if roots else [os.path.join(tmp, "repo/app")]
    return subprocess.run(args, capture_output=True, timeout=60)


def main():
    cli = sys.argv[1]
    failures = []
    for name, case in ATTACKS.items():
        app_files, links = case[0], case[1]
        roots = case[2] if len(case) > 2 else None
        with tempfile.TemporaryDirectory() as tmp:
            make_tree(tmp, app_files, links)
            p = run(cli, tmp, roots)
            err = p.stderr.decode("utf-8", "replace")
            problems = []
            if p.returncode != 1:
                problems.append(f"exit status {p.returncode}, want 1")
            if p.stdout:
                problems.append(f"{len(p.stdout)} bytes on stdout")
            if SECRET.encode() in p.stdout + p.stderr:
                problems.append("secret content leaked")
            if "outside the repository root" not in err and "loop" not in err.lower() \
                    and "too many levels" not in err.lower():
                problems.append("error does not name the jail: " + err.strip())
            if problems:
                failures.append(f"attack {name}: " + "; ".join(problems))
    # a FIFO inside the jail must be refused, not block the render forever
    with tempfile.TemporaryDirectory() as tmp:
        make_tree(tmp, {"kustomization.yaml": "resources: [fifo.yaml]\n"}, {})
        os.mkfifo(os.path.join(tmp, "repo/app/fifo.yaml"))
        try:
            p = run(cli, tmp, None)
            if p.returncode != 1 or p.stdout or b"must resolve to a file" not in p.stderr:
                failures.append(f"fifo: exit {p.returncode}: {p.stderr.decode(errors='replace').strip()}")
        except subprocess.TimeoutExpired:
            failures.append("fifo: the render hung")
    for name, case in CONTROLS.items():
        app_files, links = case[0], case[1]
        extra = case[3] if len(case) > 3 else None
        with tempfile.TemporaryDirectory() as tmp:
            make_tree(tmp, app_files, links, extra)
            p = run(cli, tmp, None)
            if p.returncode != 0 or b"inside" not in p.stdout:
                failures.append(f"control {name}: exit {p.returncode}: {p.stderr.decode(errors='replace').strip()}")
    for f in failures:
        print("FAIL", f)
    print(f"jail: {len(ATTACKS)} attacks, {len(CONTROLS)} controls, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
