#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz harnesses (tests/fuzz/corpus/<harness>/) from the
golden fixtures and the conformance cases:

  parse/          distinct YAML files of the input trees (resources, patches, configs)
  kustomization/  distinct kustomization files
  render/         whole cases in fuzz_render.c's archive format: records "path\\0content\\0",
                  plus "!root" (the directory the case's cmd builds) and "!opts" (its flags)

Only small inputs are kept (they fuzz faster and keep the corpus commit-sized); the names are
content hashes, so re-running is idempotent. Usage:
  tests/fuzz/make-seeds.py [--cases DIR] [--out DIR]
"""
import argparse
import hashlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KUST_NAMES = ('kustomization.yaml', 'kustomization.yml', 'Kustomization')
LIMITS = {'parse': 6000, 'kustomization': 3000, 'render': 12000}  # bytes per seed
BUDGET = {'parse': 450_000, 'kustomization': 150_000, 'render': 1_100_000}  # per corpus


def case_dirs(trees):
    for tree in trees:
        if not os.path.isdir(tree):
            print(f'skipping {tree}: not found', file=sys.stderr)
            continue
        for name in sorted(os.listdir(tree)):
            d = os.path.join(tree, name)
            if os.path.isfile(os.path.join(d, 'cmd')) and os.path.isdir(os.path.join(d, 'input')):
                yield d


def input_files(case):
    """(path relative to the case's input/, bytes), symlinked directories followed."""
    top = os.path.join(case, 'input')
    for dirpath, dirnames, filenames in os.walk(top, followlinks=True):
        dirnames.sort()
        for f in sorted(filenames):
            full = os.path.join(dirpath, f)
            with open(full, 'rb') as fh:
                yield os.path.relpath(full, top), fh.read()


def render_options(case):
    """The cmd line of a case -> ("!root" directory relative to input/, "!opts" letters)."""
    with open(os.path.join(case, 'cmd')) as fh:
        words = fh.read().split()
    letters, root, i = '', 'input', 0
    while i < len(words):
        w = words[i]
        if w == '--reorder':
            i += 1
            letters += {'legacy': 'l', 'none': 'o'}.get(words[i], '')
        elif w == '--load-restrictor':
            i += 1
            letters += 'n' if words[i] == 'LoadRestrictionsNone' else ''
        elif w == '--enable-managedby-label':
            letters += 'm'
        elif not w.startswith('-'):
            root = w
        i += 1
    root = os.path.relpath(root, 'input')
    return root, letters


def archive(case):
    root, letters = render_options(case)
    out = bytearray()
    if root != '.':
        out += b'!root\0' + root.encode() + b'\0'
    # j: JSON too; 2: a second, cached render (both cheap, and they widen what a seed reaches)
    out += b'!opts\0' + (letters + 'j2').encode() + b'\0'
    for rel, data in input_files(case):
        if b'\0' in data or '..' in rel:
            return None  # not representable in the format
        out += rel.encode() + b'\0' + data + b'\0'
    return bytes(out)


def collect(trees):
    seeds = {'parse': [], 'kustomization': [], 'render': []}
    for case in case_dirs(trees):
        seeds['render'].append(archive(case))
        for rel, data in input_files(case):
            if os.path.basename(rel) in KUST_NAMES:
                seeds['kustomization'].append(data)
            elif rel.endswith(('.yaml', '.yml', '.json')):
                seeds['parse'].append(data)
    return seeds


def pick(blobs, limit, budget):
    """Distinct blobs under the size limit, in content-hash order (stable, and spread over
    every case family if the budget cuts the list short)."""
    seen, chosen, total = set(), [], 0
    for b in sorted((b for b in blobs if b is not None and len(b) <= limit),
                    key=lambda b: (hashlib.sha1(b).hexdigest())):
        h = hashlib.sha1(b).hexdigest()
        if h in seen or total + len(b) > budget:
            continue
        seen.add(h)
        chosen.append((h, b))
        total += len(b)
    return chosen


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--cases', default='/work/shared/conformance/cases')
    ap.add_argument('--out', default=os.path.join(HERE, 'corpus'))
    args = ap.parse_args()
    seeds = collect([os.path.join(ROOT, 'fixtures'), args.cases])
    for harness, blobs in seeds.items():
        d = os.path.join(args.out, harness)
        os.makedirs(d, exist_ok=True)
        for old in os.listdir(d):
            os.remove(os.path.join(d, old))
        chosen = pick(blobs, LIMITS[harness], BUDGET[harness])
        for h, b in chosen:
            with open(os.path.join(d, h), 'wb') as fh:
                fh.write(b)
        print(f'{harness}: {len(chosen)} seeds, {sum(len(b) for _, b in chosen)} bytes')


if __name__ == '__main__':
    main()
