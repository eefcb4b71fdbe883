#!/usr/bin/env python3
"""Runs the renders a profile-guided build learns from (tools/build-pgo.sh): every fixture of
the project (all of kustomize's features the tests cover, errors included), each root rendered
in its own process and all of them in one (--out-dir), plus a generated 4,000-resource tree
shaped like kustomize issue #5084 (bench/krender-bench.py's), whose parse and emit dominate a
big render. Nothing of ../shared is used: the benchmarks measure trees the profile never saw.

Usage: pgo-train.py KRENDER_CLI"""
import importlib.util
import os
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    cli = os.path.abspath(sys.argv[1])
    fixtures = os.path.join(ROOT, "fixtures")
    roots = []
    for name in sorted(os.listdir(fixtures)):
        case = os.path.join(fixtures, name)
        cmd = os.path.join(case, "cmd")
        if not os.path.isfile(cmd):
            continue
        args = shlex.split(open(cmd).read())
        subprocess.run([cli, "build"] + args, cwd=case, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        if os.path.isfile(os.path.join(case, "expected.yaml")) and len(args) == 1:
            roots.append(os.path.join(case, args[0]))
    spec = importlib.util.spec_from_file_location("bench", os.path.join(ROOT, "bench", "krender-bench.py"))
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([cli, "build", "--out-dir", os.path.join(tmp, "out")] + roots,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        overlay = bench.gen_5084(os.path.join(tmp, "5084"))
        for _ in range(3):
            subprocess.run([cli, "build", overlay], stdout=subprocess.DEVNULL, check=True)
    print("pgo-train: %d fixture roots, the #5084-shaped tree" % len(roots))


if __name__ == "__main__":
    main()
