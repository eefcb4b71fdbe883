#!/usr/bin/env python3
"""libkrender's own benchmark (`meson test --benchmark` / `ninja -C build benchmark`).

Renders, with the CLI given as argument:
  * a generated 4,000-resource tree shaped like kustomize issue #5084 (one overlay over a base
    of many Deployments/Services/ConfigMaps, with prefix, namespace, labels, images and a
    label-selected patch: the shape where kustomize's time grows with the square of the size);
  * the synthetic monorepo presets of ../shared/bench when ../shared is there: small and
    medium with every root in one process (--out-dir), the medium overlays one process each
    (pre-commit's and Argo CD's shape: process start-up included), and the large preset's
    envs/prod aggregate (about 7,000 resources, 6 MB).
and prints wall time, MB/s of output and peak RSS for each, so a regression shows up in every
session, and each one's floor: what libyaml alone takes to parse its output and emit it again
(bench/yaml_floor.c, the floor issue 8 sets the render against), plus, for one process per
root, starting the CLI (`krender version`) as often. Nothing is asserted about speed here
(benchmarks are not tests).

Usage: krender-bench.py CLI PEAK_RSS YAML_FLOOR (both helpers built by meson)."""
import os
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


PEAK_RSS = None  # the helper measuring a command's own peak RSS (set by main)
YAML_FLOOR = None  # the helper timing libyaml's parse and emit of an output (set by main)


def measured(cmd, rss_file):
    """cmd run under the peak_rss helper, which writes the command's peak RSS to rss_file."""
    return [PEAK_RSS, rss_file] + cmd


def peak_mib(rss_file):
    with open(rss_file) as f:
        return int(f.read()) / 1024


def floor_ms(files):
    """libyaml's CPU time to parse these outputs and emit them again (yaml_floor, best of 3)."""
    p = subprocess.run([YAML_FLOOR] + files, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       text=True)
    return float(p.stdout.split()[0]) if p.returncode == 0 and p.stdout else None


def floor_note(seconds, files, extra_ms=0.0, what=""):
    """Says "floor F ms, Rx": the floor of these outputs (plus extra_ms), and the render's time
    over it."""
    f = floor_ms(files)
    if f is None or f + extra_ms <= 0:  # (a failed render's empty output)
        return "floor ?"
    f += extra_ms
    return "floor %.0f ms%s, %.2fx" % (f, what, seconds * 1e3 / f)


def run(label, cmd, outputs_of, tmp):
    """One process: its wall time, output MB/s, its own peak RSS, and the floor of its output
    (outputs_of(stdout) gives the output files; stdout itself goes to tmp/stdout.yaml)."""
    rss_file, out_file = os.path.join(tmp, "rss"), os.path.join(tmp, "stdout.yaml")
    t0 = time.perf_counter()
    p = subprocess.run(measured(cmd, rss_file), stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t0
    with open(out_file, "wb") as f:
        f.write(p.stdout)
    files = outputs_of(out_file)
    size = sum(os.path.getsize(f) for f in files)
    print("%-34s %8.3f s %8.1f MB/s %8.1f MiB peak  %s  %s" %
          (label, dt, size / 1e6 / dt if dt else 0, peak_mib(rss_file),
           "ok" if p.returncode == 0 else "FAILED (exit %d)" % p.returncode,
           floor_note(dt, files)))
    return 1 if p.returncode else 0


def per_root(cli, repo, roots, tmp):
    """One process per root, one after the other: the mean wall time per root, then (in a
    second pass under the helper, keeping the outputs for their floor) the largest peak RSS.
    The floor adds as many starts of the CLI (`krender version`) as there are roots."""
    t0 = time.perf_counter()
    failed = 0
    for r in roots:
        failed |= subprocess.run([cli, "build", os.path.join(repo, r)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL).returncode
    dt = time.perf_counter() - t0
    t0 = time.perf_counter()
    for r in roots:
        subprocess.run([cli, "version"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    starts = time.perf_counter() - t0
    rss_file, peak, outs = os.path.join(tmp, "rss"), 0.0, []
    for i, r in enumerate(roots):
        outs.append(os.path.join(tmp, "root-%d.yaml" % i))
        with open(outs[-1], "wb") as out:
            subprocess.run(measured([cli, "build", os.path.join(repo, r)], rss_file),
                           stdout=out, stderr=subprocess.DEVNULL)
        peak = max(peak, peak_mib(rss_file))
    print("%-34s %8.3f s %8.2f ms per root %6.1f MiB peak  %s  %s" %
          ("medium overlays, %d processes" % len(roots), dt, dt / len(roots) * 1e3, peak,
           "ok" if not failed else "FAILED",
           floor_note(dt, outs, starts * 1e3, " with %.0f ms of starts" % (starts * 1e3))))
    return 1 if failed else 0


def main():
    global PEAK_RSS, YAML_FLOOR
    cli = os.path.abspath(sys.argv[1])
    PEAK_RSS = os.path.abspath(sys.argv[2])
    YAML_FLOOR = os.path.abspath(sys.argv[3])
    tmp = tempfile.mkdtemp(prefix="krender-bench-")
    failed = 0
    try:
        overlay = gen_5084(os.path.join(tmp, "issue5084"))
        failed |= run("issue-5084 shape, 4000 resources", [cli, "build", overlay],
                      lambda stdout: [stdout], tmp)
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

            def outputs(_):
                return [os.path.join(out, f) for f in sorted(os.listdir(out))]
            failed |= run("%s preset, %d roots, --out-dir" % (preset, len(roots)), cmd, outputs,
                          tmp)
            if preset == "medium":
                failed |= per_root(cli, repo, [r for r in roots if "/overlays/" in r], tmp)
        if os.path.exists(gen):
            repo = os.path.join(tmp, "large")
            subprocess.run([sys.executable, gen, "--preset", "large", "--out", repo],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            failed |= run("large preset, envs/prod aggregate",
                          [cli, "build", os.path.join(repo, "envs", "prod")],
                          lambda stdout: [stdout], tmp)
    finally:
        shutil.rmtree(tmp)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
