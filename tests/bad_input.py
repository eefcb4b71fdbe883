#!/usr/bin/env python3
"""The bad-input gallery: every case in tests/bad-input/*.yaml must fail with the exact error.

Usage: bad_input.py KRENDER_CLI CASES_DIR [--no-bindings]

A case is {name, code, msg, files: {path: text}, root (default "."), file, at}. The marker
character U+27E6 in one file's text is where the error must point: that file, that line and
column (it is removed before writing). Without a marker, `file` (and `at: LINE:COL`, default
0:0, i.e. no position) say it. Each case must:
  - exit with status 1 and print nothing on stdout (no partial output),
  - print `error: FILE:LINE:COL: MESSAGE` (FILE ending with the expected path, MESSAGE
    containing `msg`) on stderr (the first error line, after any warnings),
  - with the Python bindings available (KRENDER_LIBRARY), fail with krender error code `code`.
"""
import os
import re
import subprocess
import sys
import tempfile

import yaml

MARK = "\u27e6"
CODES = {"NOMEM": 1, "INVALID_ARG": 2, "IO": 3, "NOT_FOUND": 4, "YAML": 5, "KUSTOMIZATION": 6,
         "RESOURCE": 7, "CONFLICT": 8, "CYCLE": 9, "SECURITY": 10, "UNSUPPORTED": 11, "VALUE": 12,
         "INTERNAL": 13, "LIMIT": 14}
LINE = re.compile(r"^error: (.*?)(?::(\d+):(\d+))?: (.*)$")

krender = None
if "--no-bindings" not in sys.argv:  # a sanitized build: ctypes cannot load its library
    import krender  # noqa: E402 - the bindings (KRENDER_LIBRARY set by meson)


def write_case(tmp, case):
    where = None
    for rel, text in case["files"].items():
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        if MARK.encode() in data:
            before = data[:data.index(MARK.encode())]
            line = before.count(b"\n") + 1
            col = len(before) - (before.rfind(b"\n") + 1) + 1
            where = (rel, line, col)
            data = data.replace(MARK.encode(), b"", 1)
        path = os.path.join(tmp, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    if where is None:
        line, col = (int(x) for x in str(case.get("at", "0:0")).split(":"))
        where = (case["file"], line, col)
    return where


def check(cli, case):
    with tempfile.TemporaryDirectory() as tmp:
        want_file, want_line, want_col = write_case(tmp, case)
        root = os.path.join(tmp, case.get("root", "."))
        p = subprocess.run([cli, "build", root], capture_output=True, timeout=60)
        problems = []
        if p.returncode != 1:
            problems.append(f"exit status {p.returncode}")
        if p.stdout:
            problems.append(f"{len(p.stdout)} bytes on stdout")
        lines = p.stderr.decode("utf-8", "replace").splitlines()
        first = next((l for l in lines if l.startswith("error: ")), "")  # after any warnings
        m = LINE.match(first)
        if not m:
            problems.append(f"stderr: {first!r}")
        else:
            file, line, col, msg = m.group(1), int(m.group(2) or 0), int(m.group(3) or 0), m.group(4)
            if os.path.normpath(os.path.join(root, file)) != os.path.normpath(os.path.join(tmp, want_file)):
                problems.append(f"file {file}, want {want_file}")
            if (line, col) != (want_line, want_col):
                problems.append(f"at {line}:{col}, want {want_line}:{want_col}")
            if case["msg"] not in msg:
                problems.append(f"message {msg!r} lacks {case['msg']!r}")
        if krender:
            try:
                krender.build(root)
                problems.append("the bindings rendered it")
            except krender.KrenderError as e:
                if e.code != CODES[case["code"]]:
                    problems.append(f"code {e.code}, want {CODES[case['code']]} ({case['code']})")
        return problems


def main():
    cli, cases_dir = sys.argv[1], sys.argv[2]  # then --no-bindings, optionally
    cases = []
    for name in sorted(os.listdir(cases_dir)):
        if name.endswith(".yaml"):
            with open(os.path.join(cases_dir, name), encoding="utf-8") as f:
                cases += yaml.safe_load(f)
    names = [c["name"] for c in cases]
    failures = [f"duplicate case name {n}" for n in set(names) if names.count(n) > 1]
    for case in cases:
        problems = check(cli, case)
        if problems:
            failures.append(f"{case['name']}: " + "; ".join(problems))
    for f in failures:
        print("FAIL", f)
    print(f"bad-input: {len(cases)} cases, {len(failures)} failures"
          f"{'' if krender else ' (error codes not checked: no bindings)'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
