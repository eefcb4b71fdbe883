#!/usr/bin/env python3
"""Run golden cases (fixtures/ layout, same as the conformance corpus) against a CLI.

  run_cases.py CASES_DIR -- CMD...
  run_cases.py --multi CASES_DIR -- CMD...

With --multi, the successful cases are rendered many roots per process, grouped by their
flags: `CMD FLAGS --out-dir DIR ROOT...`, each DIR/<i>.yaml compared with its expected.yaml.

Each case directory holds `cmd` (the arguments after `build`), `input/`, and either
`expected.yaml` (stdout must match byte for byte, exit 0) or `expected-error.txt` (the command
must exit non-zero and print nothing on stdout). KRENDER_TEST_WRAPPER (e.g. a valgrind command
line) is put in front of CMD; a wrapper's own failure exit status is then a test failure. The expected files are made by the oracle
(fixtures/regen), never by hand. Exits non-zero if any case fails."""
import os
import shlex
import subprocess
import sys


WRAPPER_FAILED = 99  # the exit status the valgrind setup asks for on errors or leaks


def run_multi(cases, cmd):
    """Renders every successful case, grouped by flags, with --out-dir and -j2 (pflag's attached shorthand value)."""
    import tempfile
    groups = {}
    for name in sorted(os.listdir(cases)):
        d = os.path.join(cases, name)
        if not os.path.isfile(os.path.join(d, "expected.yaml")):
            continue
        args = shlex.split(open(os.path.join(d, "cmd")).read())
        groups.setdefault(tuple(args[:-1]), []).append((name, os.path.join(d, args[-1])))
    failed = total = 0
    for flags, members in groups.items():
        with tempfile.TemporaryDirectory() as out:
            p = subprocess.run(cmd + list(flags) + ["-j2", "--out-dir", out] +
                               [root for _, root in members], capture_output=True, timeout=300)
            for i, (name, _) in enumerate(members):
                total += 1
                got = os.path.join(out, "%d.yaml" % i)
                want = open(os.path.join(cases, name, "expected.yaml"), "rb").read()
                if not os.path.exists(got) or open(got, "rb").read() != want:
                    failed += 1
                    print("FAIL %s (multi): %s" % (name, p.stderr.decode(errors="replace").strip()[-300:]))
    print("%d passed, %d failed (multi-root)" % (total - failed, failed))
    return 1 if failed else 0


def main(argv):
    if len(argv) > 1 and argv[1] == "--multi":
        if "--" not in argv or argv.index("--") != 3:
            sys.exit(__doc__)
        return run_multi(argv[2], argv[4:])
    if "--" not in argv or argv.index("--") != 2:
        sys.exit(__doc__)
    cases, cmd = argv[1], argv[3:]
    # e.g. KRENDER_TEST_WRAPPER="valgrind --error-exitcode=99 --leak-check=full"
    cmd = shlex.split(os.environ.get("KRENDER_TEST_WRAPPER", "")) + cmd
    names = sorted(d for d in os.listdir(cases) if os.path.isfile(os.path.join(cases, d, "cmd")))
    failed = 0
    for name in names:
        d = os.path.join(cases, name)
        args = shlex.split(open(os.path.join(d, "cmd")).read())
        p = subprocess.run(cmd + args, cwd=d, capture_output=True, timeout=60)
        want = os.path.join(d, "expected.yaml")
        if os.path.exists(want):
            ok = p.returncode == 0 and p.stdout == open(want, "rb").read()
            why = "exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace").strip()) \
                if p.returncode else "output differs"
        else:
            ok = p.returncode not in (0, WRAPPER_FAILED) and p.stdout == b""
            why = "succeeded" if p.returncode == 0 else "printed on stdout"
        if not ok:
            failed += 1
            print("FAIL %s: %s" % (name, why))
    print("%d passed, %d failed" % (len(names) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
