#!/usr/bin/env python3
"""`krender build --out-dir DIR ROOT...` writes every root's file, whichever thread rendered it,
and reports a file it cannot write.

Usage: out_dir.py KRENDER_CLI

Sixty small roots are rendered on four threads (the threads finish roots while another one is
writing, so results queue up for it): each DIR/i.yaml must equal the root's own render, new
files with mode 0644; rendered again over stale files, each is replaced and keeps its mode. Then a
directory squats on DIR/7.yaml: the run must exit 1 naming that file, still write the others,
and leave no temporary file behind.
"""
import os
import subprocess
import sys
import tempfile


def main():
    cli = sys.argv[1]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        roots = []
        for i in range(60):
            root = os.path.join(tmp, "apps", "app%02d" % i)
            os.makedirs(root)
            with open(os.path.join(root, "kustomization.yaml"), "w") as f:
                f.write("namePrefix: p%d-\nresources:\n- cm.yaml\n" % i)
            with open(os.path.join(root, "cm.yaml"), "w") as f:
                f.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n")
                f.write("".join("  k%d: v%d\n" % (j, j * i) for j in range(i + 1)))
            roots.append(root)
        want = [subprocess.run([cli, "build", r], capture_output=True, check=True).stdout
                for r in roots]

        out = os.path.join(tmp, "out")
        os.makedirs(out)
        p = subprocess.run([cli, "build", "-j4", "--out-dir", out] + roots, capture_output=True)
        if p.returncode != 0:
            failures.append("exit %d: %s" % (p.returncode, p.stderr.decode()[-300:]))
        for i, w in enumerate(want):
            path = os.path.join(out, "%d.yaml" % i)
            if not os.path.exists(path) or open(path, "rb").read() != w:
                failures.append("%d.yaml is not root %d's render" % (i, i))
        if len(os.listdir(out)) != len(roots):
            failures.append("files in DIR: %s" % sorted(os.listdir(out)))
        modes = {oct(os.stat(os.path.join(out, f)).st_mode & 0o777) for f in os.listdir(out)}
        if modes != {"0o644"}:
            failures.append("new files' modes: %s, not 0644" % sorted(modes))

        # again into the same directory: every file replaced (the others in one step each),
        # a file's own mode kept
        for i in range(len(roots)):
            with open(os.path.join(out, "%d.yaml" % i), "wb") as f:
                f.write(b"stale\n")
        os.chmod(os.path.join(out, "3.yaml"), 0o600)
        p = subprocess.run([cli, "build", "-j4", "--out-dir", out] + roots, capture_output=True)
        if p.returncode != 0:
            failures.append("rerun: exit %d: %s" % (p.returncode, p.stderr.decode()[-300:]))
        for i, w in enumerate(want):
            if open(os.path.join(out, "%d.yaml" % i), "rb").read() != w:
                failures.append("rerun: %d.yaml is not root %d's render" % (i, i))
        if os.stat(os.path.join(out, "3.yaml")).st_mode & 0o777 != 0o600:
            failures.append("rerun: 3.yaml lost its mode 0600")
        if len(os.listdir(out)) != len(roots):
            failures.append("rerun: files in DIR: %s" % sorted(os.listdir(out)))

        bad = os.path.join(tmp, "bad")
        os.makedirs(os.path.join(bad, "7.yaml"))  # rename(2) cannot replace a directory
        p = subprocess.run([cli, "build", "-j4", "--out-dir", bad] + roots, capture_output=True)
        err = p.stderr.decode()
        if p.returncode != 1:
            failures.append("squatted 7.yaml: exit %d, not 1" % p.returncode)
        if "error: writing %s" % os.path.join(bad, "7.yaml") not in err:
            failures.append("squatted 7.yaml: not reported: %r" % err[-300:])
        for i, w in enumerate(want):
            path = os.path.join(bad, "%d.yaml" % i)
            if i != 7 and (not os.path.exists(path) or open(path, "rb").read() != w):
                failures.append("squatted 7.yaml: %d.yaml not written" % i)
        left = [f for f in os.listdir(bad) if not f.endswith(".yaml")]
        if left:
            failures.append("temporary files left: %s" % left)
    for f in failures:
        print("FAIL", f)
    print("out-dir: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
