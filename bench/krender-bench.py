#!/usr/bin/env python3
"""libkrender's own benchmark (`meson test --benchmark` / `ninja -C build benchmark`).

Renders, with the CLI given as argument:
  * a generated 4,000-resource tree shaped like kustomize issue #5084 (one overlay over a base
    of many Deployments/Services/ConfigMaps, with prefix, namespace, labels, images and a
    label-selected patch: the shape where kustomize's time grows with the square of the size);
  * the synthetic monorepo presets of ../shared/bench (small and medium, every root in one
    process with --out-dir) when ../shared is there.
and prints wall time, MB/s of output and peak RSS for each, so a regression shows up in every
session. Nothing is asserted about speed here (benchmarks are not tests)."""
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "bench")


def gen_5084(root, n=4000):
    base, overlay = os.path.join(root, "base"), os.path.join(root, "overlay")
    os.makedirs(base)
    os.makedirs(overlay)
    docs = []
    for i in range(n):
        kind = ("Deployment", "Service", "ConfigMap")[i % 3]
        name = "app-%04d" % i
        if kind == "Deployment":
            docs.append("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n"
                        "  labels: {app: %s, tier: %s}\nspec:\n  replicas: 2\n  selector:\n"
                        "    matchLabels: {app: %s}\n  template:\n    metadata:\n"
                        "      labels: {app: %s}\n    spec:\n      containers:\n"
                        "      - name: main\n        image: registry.example.com/team/app:1.%d\n"
                        "        envFrom:\n        - configMapRef: {name: app-%04d}\n"
                        % (name, name, "web" if i % 2 else "api", name, name, i, i + 2))
        elif kind == "Service":
            docs.append("apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n"
                        "spec:\n  selector: {app: %s}\n  ports:\n  - port: 80\n" % (name, name))
        else:
            docs.append("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n"
                        "data:\n  key: value-%d\n" % (name, i))
    with open(os.path.join(base, "resources.yaml"), "w") as f:
        f.write("---\n".join(docs))
    with open(os.path.join(base, "kustomization.yaml"), "w") as f:
        f.write("resources: [resources.yaml]\n")
    with open(os.path.join(overlay, "kustomization.yaml"), "w") as f:
        f.write("resources: [../base]\nnamePrefix: prod-\nnamespace: prod\n"
                "labels:\n- pairs: {env: prod}\n  includeSelectors: false\n"
                "images:\n- name: registry.example.com/team/app\n  newTag: \"2.0\"\n"
                "patches:\n- target: {kind: Deployment, labelSelector: tier=web}\n"
                "  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 3\n")
    return overlay


def run(label, cmd, out_bytes_of):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    size = out_bytes_of(p.stdout)
    status = "ok" if p.returncode == 0 else "FAILED (exit %d)" % p.returncode
    print("%-34s %8.3f s %8.1f MB/s %8.1f MiB peak  %s" %
          (label, dt, size / 1e6 / dt if dt else 0, max(rss, before) / 1024, status))
    return p.returncode


def main():
    cli = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="krender-bench-")
    failed = 0
    try:
        overlay = gen_5084(os.path.join(tmp, "issue5084"))
        failed |= run("issue-5084 shape, 4000 resources", [cli, "build", overlay], len)
        gen = os.path.join(SHARED, "gen-monorepo")
        for preset in ("small", "medium"):
            if not os.path.exists(gen):
                print("(no ../shared/bench: presets skipped)")
                break
            repo = os.path.join(tmp, preset)
            subprocess.run([sys.executable, gen, "--preset", preset, "--out", repo],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            roots = [line.split("\t")[1].strip() for line in open(os.path.join(repo, "roots.tsv"))
                     if "\t" in line]
            out = os.path.join(tmp, preset + "-out")
            os.makedirs(out)
            cmd = [cli, "build", "--out-dir", out] + [os.path.join(repo, r) for r in roots]

            def outsize(_):
                return sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
            failed |= run("%s preset, %d roots, --out-dir" % (preset, len(roots)), cmd, outsize)
    finally:
        shutil.rmtree(tmp)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
