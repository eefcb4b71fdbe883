"""End-to-end tests of the Python bindings (run by meson test with KRENDER_LIBRARY set)."""
import os
import shutil
import tempfile
import threading
import unittest

import krender

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "examples", "guestbook", "app")
GOLDEN = os.path.join(ROOT, "fixtures", "example-guestbook", "expected.yaml")


class BindingsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="krender-py-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def write(self, rel, text):
        path = os.path.join(self.dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def test_build_matches_golden(self):
        with open(GOLDEN) as f:
            self.assertEqual(krender.build(EXAMPLE), f.read())

    def test_resources_are_dicts_in_output_order(self):
        res = list(krender.resources(EXAMPLE))
        self.assertEqual([r["kind"] for r in res][:2], ["Namespace", "Service"])
        dep = [r for r in res if r["kind"] == "Deployment" and r["metadata"]["name"] == "frontend"]
        self.assertEqual(dep[0]["spec"]["replicas"], 3)  # ints stay ints
        self.assertEqual(len(res), 5)

    def test_values_after_the_json_round_trip(self):
        self.write("kustomization.yaml", "resources: [r.yaml]\n")
        self.write("r.yaml", "apiVersion: v1\nkind: Thing\nmetadata:\n  name: t\n"
                             "spec: {a: 0x1F, b: 1.0, c: yes, d: 2001-12-14, e: null, f: 1.5}\n")
        (r,) = krender.resources(self.dir)
        self.assertEqual(r["spec"], {"a": 31, "b": 1, "c": "yes", "d": "2001-12-14T00:00:00Z",
                                     "e": None, "f": 1.5})

    def test_error_carries_position_and_chain(self):
        self.write("o/kustomization.yaml", "resources:\n- ../b\n")
        self.write("b/kustomization.yaml", "resources:\n- ok.yaml\n- missing.yaml\n")
        self.write("b/ok.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
        with self.assertRaises(krender.KrenderError) as cm:
            krender.build(os.path.join(self.dir, "o"))
        e = cm.exception
        self.assertEqual(e.code, 4)  # KRENDER_E_NOT_FOUND
        self.assertTrue(e.file.endswith("b/kustomization.yaml"), e.file)
        self.assertEqual((e.line, e.column), (3, 3))
        self.assertIn(" -> ", e.chain)
        self.assertIn("missing.yaml", str(e))

    def test_options(self):
        self.write("kustomization.yaml", "resources: [r.yaml]\n")
        self.write("r.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n---\n"
                             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
        legacy = [r["kind"] for r in krender.resources(self.dir)]
        none = [r["kind"] for r in krender.resources(self.dir, reorder=krender.REORDER_NONE)]
        self.assertEqual(legacy, ["ConfigMap", "Service"])
        self.assertEqual(none, ["Service", "ConfigMap"])
        out = krender.build(self.dir, enable_managedby_label=True)
        self.assertIn("app.kubernetes.io/managed-by", out)

    def test_limits(self):
        self.write("kustomization.yaml", "resources: [r.yaml]\n")
        self.write("r.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n---\n"
                             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
        self.assertEqual(len(list(krender.resources(self.dir, max_resources=2))), 2)
        with self.assertRaises(krender.KrenderError) as cm:
            krender.build(self.dir, max_resources=1)
        self.assertEqual(cm.exception.code, 14)  # KRENDER_E_LIMIT
        self.assertIn("max_resources", cm.exception.message)
        with self.assertRaises(krender.KrenderError) as cm:
            krender.build(self.dir, max_output_bytes=10)
        self.assertIn("max_output_bytes", cm.exception.message)
        with self.assertRaises(TypeError):
            krender.build(self.dir, max_nodes=3)

    def test_build_many(self):
        self.write("base/kustomization.yaml", "resources: [cm.yaml]\n")
        self.write("base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
        roots = []
        for i in range(6):
            self.write("o%d/kustomization.yaml" % i, "namePrefix: p%d-\nresources: [../base]\n" % i)
            roots.append(os.path.join(self.dir, "o%d" % i))
        self.write("bad/kustomization.yaml", "resources: [missing.yaml]\n")
        roots.insert(2, os.path.join(self.dir, "bad"))
        for threads in (1, 3):
            out = krender.build_many(roots, threads=threads)
            self.assertEqual(len(out), 7)
            self.assertIsInstance(out[2], krender.KrenderError)
            self.assertIn("missing.yaml", out[2].message)
            for i, root in enumerate(roots):
                if i != 2:
                    self.assertEqual(out[i], krender.build(root))
            self.assertIn("name: p4-c", out[5])

    def test_contexts_per_thread(self):
        want = krender.build(EXAMPLE)
        results = []

        def work():
            with krender.Context() as ctx:
                results.extend(ctx.build(EXAMPLE) for _ in range(20))

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(results), 80)
        self.assertTrue(all(r == want for r in results))

    def test_files_in_memory(self):
        # the example tree, served from a dict under a root that does not exist on disk
        files = {}
        base = os.path.realpath(os.path.join(ROOT, "examples", "guestbook"))
        for d, _, names in os.walk(base):
            for n in names:
                with open(os.path.join(d, n), "rb") as f:
                    data = f.read()
                files["/nowhere/gb" + os.path.join(d, n)[len(base):]] = data
        self.assertFalse(os.path.exists("/nowhere"))
        with open(GOLDEN) as f:
            want = f.read()
        with krender.Context() as ctx:
            self.assertEqual(ctx.build("/nowhere/gb/app", files=files), want)
            reads, releases = ctx._fs_counts
            self.assertGreater(reads, 0)
            self.assertEqual(reads, releases)
            self.assertEqual(ctx.build("nowhere/gb/app/", files=files), want)  # relative to /
            res = list(ctx.resources("/nowhere/gb/app", files=files))
            self.assertEqual(len(res), 5)
        # str values, a base and an overlay; errors as on disk
        tree = {"/t/base/kustomization.yaml": "resources: [cm.yaml]\n",
                "/t/base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
                "/t/ov/kustomization.yaml": "namePrefix: p-\nresources: [../base]\n"}
        (r,) = krender.resources("/t/ov", files=tree)
        self.assertEqual(r["metadata"]["name"], "p-c")
        with self.assertRaises(krender.KrenderError) as cm:
            krender.build("/t/none", files=tree)
        self.assertEqual(cm.exception.code, 4)  # KRENDER_E_NOT_FOUND
        tree["/t/ov/kustomization.yaml"] = "resources: [../base, ../../../secret.yaml]\n"
        tree["/secret.yaml"] = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
        with self.assertRaises(krender.KrenderError) as cm:
            krender.build("/t/ov", files=tree, jail_root="/t", load_restrictor=krender.LOAD_NONE)
        self.assertEqual(cm.exception.code, 10)  # KRENDER_E_SECURITY
        with self.assertRaises(ValueError):
            krender.build("/t/ov", files={"t/x.yaml": ""})
        # the disk and the dict in one context stay apart
        self.write("kustomization.yaml", "resources: [r.yaml]\n")
        self.write("r.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: disk\n")
        mem = {os.path.join(self.dir, "kustomization.yaml"): "resources: [r.yaml]\n",
               os.path.join(self.dir, "r.yaml"):
                   b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: memory\n"}
        with krender.Context() as ctx:
            for _ in range(2):
                self.assertIn("name: disk", ctx.build(self.dir))
                self.assertIn("name: memory", ctx.build(self.dir, files=mem))

    def test_edits_in_memory(self):
        """edits= renders the edited root as the oracle rendered the tree edited on disk."""
        import json
        cases = os.path.join(ROOT, "tests", "argocd", "cases")
        with open(os.path.join(cases, "all-parameters.json")) as f:
            case = json.load(f)
        with open(os.path.join(cases, "all-parameters.expected.yaml")) as f:
            golden = f.read()
        app = os.path.join(ROOT, "tests", "argocd", "repo", "apps", "web")
        kfile = os.path.join(app, "kustomization.yaml")
        with open(kfile) as f:
            before = f.read()
        self.assertEqual(krender.build(app, edits=case["edits"]), golden)
        text = krender.edit_kustomization(app, [["set", "nameprefix", "p-"]])
        self.assertTrue(text.startswith("# The web app"))
        self.assertIn("\nnamePrefix: p-\n", text)
        with open(kfile) as f:
            self.assertEqual(f.read(), before)  # nothing written
        with self.assertRaises(krender.KrenderError) as cm:
            krender.build(app, edits=[["set", "image", "nginx"]])
        self.assertIn("invalid format of image", cm.exception.message)
        with self.assertRaises(TypeError):
            krender.build(app, edits="set namespace x")

    def test_version(self):
        self.assertRegex(krender.version(), r"^\d+\.\d+\.\d+$")


if __name__ == "__main__":
    unittest.main()
