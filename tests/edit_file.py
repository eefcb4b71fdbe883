#!/usr/bin/env python3
"""`krender kustomize edit`: the kustomization file it writes and each command's rules.

The oracle on this machine (kubectl's embedded kustomize) has no `edit`, so the expected texts
here follow kustomize v5.6.0's source, cited per case: kustomize/commands/internal/kustfile
(fields in their original order with the comment lines above them, new fields after them in
fieldMarshallingOrder, each field marshalled alone through the Go structs and sigs.k8s.io/yaml:
sorted keys, omitempty) and kustomize/commands/edit/{set,add}/*.go. What a render of an edited
file gives is checked against the oracle by argocd_cmp.py.

usage: edit_file.py KRENDER"""
import os
import subprocess
import sys
import tempfile

CASES = [
    # (name, original file, [edit commands], expected file or ("error", text))
    ("fields keep their place and comments; new ones follow in kustomize's order",
     "# header\nresources:\n- a.yaml\n\n# the images\nimages:\n- name: x\n  newTag: \"1\"\n",
     [["set", "namespace", "ns"], ["set", "nameprefix", "--", "p-"]],
     "# header\nresources:\n- a.yaml\n\n# the images\nimages:\n- name: x\n  newTag: \"1\"\n"
     "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ns\n"
     "namePrefix: p-\n"),
    ("FixKustomization: bases join resources, kind and apiVersion filled in",
     "apiVersion: kustomize.config.k8s.io/v1beta1\nbases:\n- ../base\nresources:\n- r.yaml\n",
     [["set", "namesuffix", "--", "-s"]],
     "apiVersion: kustomize.config.k8s.io/v1beta1\nresources:\n- r.yaml\n- ../base\n"
     "kind: Kustomization\nnameSuffix: -s\n"),
    ("comments after a non-field line go above the last field; trailing comments are lost",
     "kind: Kustomization\nresources:\n- a.yaml\n# about b\n- b.yaml\n# the end\n",
     [["set", "namespace", "n"]],
     "kind: Kustomization\n# about b\nresources:\n- a.yaml\n- b.yaml\n"
     "apiVersion: kustomize.config.k8s.io/v1beta1\nnamespace: \"n\"\n"),
    ("set image: by name, sorted, '*' keeps the listed part and drops tagSuffix",
     "images:\n- name: b\n  newName: reg/b\n  newTag: \"1\"\n  tagSuffix: -x\n- name: a\n  digest: sha256:1\n",
     [["set", "image", "b=*:2", "c:3@sha256:9"]],
     "images:\n- digest: sha256:1\n  name: a\n- name: b\n  newName: reg/b\n  newTag: \"2\"\n"
     "- digest: sha256:9\n  name: c\n  newTag: \"3\"\n"
     "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"),
    ("set replicas: sorted by name, count always written",
     "replicas:\n- name: z\n  count: 0\n", [["set", "replicas", "a=2", "z=5"]],
     "replicas:\n- count: 2\n  name: a\n- count: 5\n  name: z\n"
     "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"),
    ("add label: commonLabels, an existing key needs --force",
     "commonLabels:\n  a: \"1\"\n", [["add", "label", "a:2"]],
     ("error", "label a already in kustomization file. Use --force to override.")),
    ("add label --force and quoted values; typed-looking values quoted on output",
     "commonLabels:\n  a: \"1\"\n", [["add", "label", "-f", "a:\"yes\"", "b:true", "c"]],
     "commonLabels:\n  a: \"yes\"\n  b: \"true\"\n  c: \"\"\n"
     "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"),
    ("add label --without-selector --include-templates: a labels entry",
     "resources: []\n", [["add", "label", "--without-selector", "--include-templates", "t:v"]],
     "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
     "labels:\n- includeTemplates: true\n  pairs:\n    t: v\n"),
    ("--include-templates alone is refused",
     "resources: []\n", [["add", "label", "--include-templates", "t:v"]],
     ("error", "--without-selector flag must be specified for --include-templates to work")),
    ("add annotation: long values wrap at 80 columns like go-yaml v2",
     "kind: Kustomization\n",
     [["add", "annotation", "d:" + " ".join(["word"] * 20)]],
     "kind: Kustomization\napiVersion: kustomize.config.k8s.io/v1beta1\ncommonAnnotations:\n"
     "  d: word word word word word word word word word word word word word word word word\n"
     "    word word word word\n"),
    ("add patch: target only when given; the same patch twice is kept once",
     "kind: Kustomization\n",
     [["add", "patch", "--path", "p.yaml"], ["add", "patch", "--path=p.yaml"],
      ["add", "patch", "--patch", "a: b\nc: d\n", "--kind", "Deployment",
       "--label-selector", "x=y"]],
     "kind: Kustomization\napiVersion: kustomize.config.k8s.io/v1beta1\npatches:\n"
     "- path: p.yaml\n- patch: |\n    a: b\n    c: d\n  target:\n    kind: Deployment\n"
     "    labelSelector: x=y\n"),
    ("add annotation: the key ends at the first colon, the value keeps the others "
     "(util.ConvertSliceToMap's SplitN)",
     "kind: Kustomization\n", [["add", "annotation", "k:a:b", "e"]],
     "kind: Kustomization\napiVersion: kustomize.config.k8s.io/v1beta1\n"
     "commonAnnotations:\n  e: \"\"\n  k: a:b\n"),
    ("add label: an empty key is refused",
     "kind: Kustomization\n", [["add", "label", ":v"]],
     ("error", "invalid label: ':v' (need k:v pair where v may be quoted)")),
    ("unknown flag, as cobra words it",
     "kind: Kustomization\n", [["add", "annotation", "--nope", "a:b"]],
     ("error", "unknown flag: --nope")),
    ("an unknown field in the file is reported with its position",
     "kind: Kustomization\nnamePrefx: a\n", [["set", "namespace", "n"]],
     ("error", "kustomization.yaml:2:1: invalid Kustomization: json: unknown field \"namePrefx\"")),
    ("empty file; a value go-yaml v2 would read as a bool is quoted", "", [["set", "namespace", "n"]],
     "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: \"n\"\n"),
    ("a value starting with '-' needs '--' (cobra), as Argo CD passes it",
     "kind: Kustomization\n", [["set", "namesuffix", "-s"]],
     ("error", "unknown shorthand flag: 's' in -s")),
]


def main():
    cli = os.path.abspath(sys.argv[1])
    failures = 0
    for name, original, edits, expected in CASES:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "kustomization.yaml")
            with open(path, "w") as f:
                f.write(original)
            os.chmod(path, 0o640)
            err = b""
            for e in edits:
                r = subprocess.run([cli, "kustomize", "edit"] + e, cwd=d, capture_output=True)
                if r.returncode != 0:
                    err = r.stderr
                    break
            with open(path) as f:
                got = f.read()
            problems = []
            if isinstance(expected, tuple):
                if not err or expected[1] not in err.decode():
                    problems.append("want error %r, got %r" % (expected[1], err.decode()))
                if got != original:
                    problems.append("the file changed although the edit failed")
            else:
                if err:
                    problems.append("failed: " + err.decode())
                elif got != expected:
                    problems.append("file:\n%s\nwant:\n%s" % (got, expected))
                if os.stat(path).st_mode & 0o777 != 0o640:
                    problems.append("file mode not kept")
        if problems:
            failures += 1
            print("FAIL %s: %s" % (name, "; ".join(problems)))
        else:
            print("ok   %s" % name)
    print("%d cases, %d failed" % (len(CASES), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
