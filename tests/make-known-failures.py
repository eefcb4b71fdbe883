#!/usr/bin/env python3
"""Writes tests/conformance.known-failures from a conformance run's FAIL lines (stdin): each
failing case with the kustomization fields it needs that are not implemented yet and the issue
that brings them. Used when a feature lands: the list must only ever shrink."""
import json
import os
import sys

ISSUE = {}
for f in ("namePrefix nameSuffix nameprefix namespace commonLabels labels commonAnnotations images "
          "imageTags replicas configurations crds").split():
    ISSUE[f] = 3
for f in "configMapGenerator secretGenerator generatorOptions".split():
    ISSUE[f] = 4
for f in "patches patchesStrategicMerge patchesJson6902 openapi".split():
    ISSUE[f] = 5
for f in ("components replacements vars transformers generators validators buildMetadata "
          "helmCharts helmGlobals").split():
    ISSUE[f] = 6
SUPPORTED = {"resources", "bases", "sortOptions", "apiVersion", "kind", "metadata"}

cases = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "conformance", "cases")
out = ["# Conformance cases that fail today, with what they need. The suite fails if a case not",
       "# listed here fails, or a listed case passes: remove it then (the list only shrinks).",
       "# Regenerate: ../shared/conformance/run -- $PWD/build/cli/krender build | grep ^FAIL |",
       "#             tests/make-known-failures.py > tests/conformance.known-failures"]
for line in sys.stdin:
    if not line.startswith("FAIL "):
        continue
    name = line.split()[1].rstrip(":")
    meta = json.load(open(os.path.join(cases, name, "meta.json")))
    need = sorted(set(meta.get("kustomization_fields") or []) - SUPPORTED)
    issues = sorted({ISSUE.get(f, 0) for f in need})
    why = ("needs " + ", ".join(need) + " (issue " + ", ".join("#%d" % i for i in issues if i) + ")"
           if need else "unexplained: " + line.split(":", 1)[1].strip())
    out.append("%s  %s" % (name, why))
print("\n".join(out))
