#!/usr/bin/env python3
"""SIGTERM/SIGINT stop `krender build -o FILE` promptly and leave nothing partial behind.

Usage: signals.py KRENDER_CLI

A render of ~12 MB is interrupted at delays spread over its run: each time the CLI must die of
the signal (or have finished), within a second, with no temporary `FILE.XXXXXX` left, and FILE
either absent or the complete render.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time


def main():
    cli = sys.argv[1]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        app = os.path.join(tmp, "app")
        os.makedirs(app)
        with open(os.path.join(app, "kustomization.yaml"), "w") as f:
            f.write("resources:\n" + "".join(f"- cm{i}.yaml\n" for i in range(40)))
        for i in range(40):
            with open(os.path.join(app, f"cm{i}.yaml"), "w") as f:
                f.write(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\ndata:\n")
                f.write("".join(f"  k{j}: value-{j}-{'x' * 40}\n" for j in range(4000)))
        full = subprocess.run([cli, "build", app], capture_output=True, check=True).stdout
        start = time.monotonic()
        subprocess.run([cli, "build", "-o", os.path.join(tmp, "ref.yaml"), app], check=True)
        duration = time.monotonic() - start
        for n in range(24):
            out = os.path.join(tmp, "out", "render.yaml")
            os.makedirs(os.path.dirname(out), exist_ok=True)
            p = subprocess.Popen([cli, "build", "-o", out, app])
            # most runs aim at the end, where the file is being written
            time.sleep(duration * (n / 20 if n < 4 else 0.8 + 0.3 * (n - 4) / 20))
            sig = signal.SIGTERM if n % 2 == 0 else signal.SIGINT
            p.send_signal(sig)
            try:
                rc = p.wait(timeout=1)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                failures.append(f"run {n}: still running 1 s after {sig.name}")
                continue
            left = sorted(os.listdir(os.path.dirname(out)))
            if rc not in (0, -sig):
                failures.append(f"run {n}: exit status {rc}")
            if [f for f in left if f != "render.yaml"]:
                failures.append(f"run {n}: left behind {left}")
            if "render.yaml" in left:
                if open(out, "rb").read() != full:
                    failures.append(f"run {n}: render.yaml is not the complete render")
                os.unlink(out)
    for f in failures:
        print("FAIL", f)
    print(f"signals: 24 interrupted renders ({duration:.2f} s each), {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
