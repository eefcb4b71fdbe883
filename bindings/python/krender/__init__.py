"""Python bindings for libkrender: render kustomization trees exactly as kustomize v5.6.0.

    import krender
    yaml_text = krender.build("overlays/prod")
    for res in krender.resources("overlays/prod"):
        print(res["kind"], res["metadata"]["name"])

A tree held in memory renders without touching the disk: pass files={absolute path: text or
bytes} (a relative build path is then relative to "/"):

    krender.build("/app/overlay", files={"/app/overlay/kustomization.yaml": "...", ...})

Errors raise krender.KrenderError with .code, .message, .file, .line, .column and .chain.
The shared library is found through $KRENDER_LIBRARY, next to this package, or on the system
library path. Only the public C API is used (through ctypes); one context per thread.
"""
import ctypes
import ctypes.util
import errno
import json
import os
import posixpath
import threading

__all__ = ["build", "build_many", "resources", "Context", "KrenderError", "version",
           "LOAD_ROOT_ONLY", "LOAD_NONE", "REORDER_DEFAULT", "REORDER_LEGACY", "REORDER_NONE"]

LOAD_ROOT_ONLY, LOAD_NONE = 0, 1
REORDER_DEFAULT, REORDER_LEGACY, REORDER_NONE = 0, 1, 2
_OPTIONS_VERSION = 5
_FS_MISSING, _FS_FILE, _FS_DIR = 0, 1, 2


class _Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("message", ctypes.c_char_p), ("file", ctypes.c_char_p),
                ("line", ctypes.c_uint), ("column", ctypes.c_uint), ("chain", ctypes.c_char_p)]


_KIND_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p)
_READ_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p,
                            ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t))
_RELEASE_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p,
                               ctypes.c_size_t)


class _Fs(ctypes.Structure):  # struct krender_fs
    _fields_ = [("userdata", ctypes.c_void_p), ("kind", _KIND_FN), ("read", _READ_FN),
                ("release", _RELEASE_FN)]


class _Options(ctypes.Structure):  # struct krender_options, version 5
    _fields_ = [("version", ctypes.c_uint), ("load_restrictor", ctypes.c_int),
                ("reorder", ctypes.c_int), ("enable_managedby_label", ctypes.c_int),
                ("jail_root", ctypes.c_char_p), ("resources_json", ctypes.c_int),
                ("max_file_bytes", ctypes.c_size_t), ("max_resources", ctypes.c_size_t),
                ("max_output_bytes", ctypes.c_size_t), ("fs", ctypes.POINTER(_Fs)),
                ("edits", ctypes.c_void_p), ("edit_count", ctypes.c_size_t),
                ("threads", ctypes.c_uint)]


_DONE_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)


class _Edit(ctypes.Structure):  # struct krender_edit
    _fields_ = [("argv", ctypes.POINTER(ctypes.c_char_p)), ("argc", ctypes.c_size_t)]


def _edit_array(edits):
    """A krender_edit array for edits = [["set", "image", "nginx=nginx:1.27"], ...]; the
    returned tuple keeps every buffer alive while C reads it."""
    if isinstance(edits, (str, bytes)) or not all(
            isinstance(e, (list, tuple)) and all(isinstance(w, str) for w in e) for e in edits):
        raise TypeError("edits: a list of commands, each a list of str such as "
                        "['set', 'namespace', 'prod']")
    argvs = [(ctypes.c_char_p * len(e))(*[w.encode("utf-8") for w in e]) for e in edits]
    arr = (_Edit * len(edits))(*[_Edit(ctypes.cast(a, ctypes.POINTER(ctypes.c_char_p)), len(e))
                                 for a, e in zip(argvs, edits)])
    return arr, argvs


class _MemoryFs:
    """krender_fs callbacks serving a dict {absolute path: str | bytes}. The ctypes objects
    live as long as this object: keep it until krender_build has returned."""

    def __init__(self, files):
        self.files, self.dirs = {}, {"/"}
        for path, data in files.items():
            path = os.fsdecode(path)
            if not path.startswith("/"):
                raise ValueError("files: %r is not an absolute path" % path)
            path = posixpath.normpath(path)
            if path.startswith("//"):
                path = "/" + path.lstrip("/")
            if isinstance(data, str):
                data = data.encode("utf-8")
            elif not isinstance(data, (bytes, bytearray, memoryview)):
                raise TypeError("files: %r must map to str or bytes" % path)
            self.files[path.encode("utf-8", "surrogateescape")] = bytes(data)
            d = posixpath.dirname(path)
            while d not in self.dirs:
                self.dirs.add(d)
                d = posixpath.dirname(d)
        self.dirs = {d.encode("utf-8", "surrogateescape") for d in self.dirs}
        self.reads = self.releases = 0
        self._kind, self._read = _KIND_FN(self.kind), _READ_FN(self.read)
        self._release = _RELEASE_FN(self.release)
        self.struct = _Fs(None, self._kind, self._read, self._release)

    def kind(self, _userdata, path):
        try:
            if path in self.files:
                return _FS_FILE
            return _FS_DIR if path in self.dirs else _FS_MISSING
        except Exception:  # never let an exception cross into C
            return _FS_MISSING

    def read(self, _userdata, path, data, length):
        try:
            b = self.files.get(path)
            if b is None:
                return errno.EISDIR if path in self.dirs else errno.ENOENT
            # the bytes object stays alive in self.files: its buffer is what C reads
            data[0] = ctypes.cast(ctypes.c_char_p(b), ctypes.c_void_p).value
            length[0] = len(b)
            self.reads += 1
            return 0
        except Exception:
            return errno.EIO

    def release(self, _userdata, _path, _data, _length):
        self.releases += 1


class KrenderError(Exception):
    """A failed render: what went wrong and where (file, 1-based line and column, 0 if
    unknown), and the chain of kustomizations that led there."""

    def __init__(self, code, message, file=None, line=0, column=0, chain=None):
        self.code, self.message, self.file = code, message, file
        self.line, self.column, self.chain = line, column, chain
        where = file or ""
        if file and line:
            where += ":%d:%d" % (line, column)
        super().__init__("%s: %s" % (where, message) if where else message)


def _candidates():
    env = os.environ.get("KRENDER_LIBRARY")
    if env:
        yield env
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("libkrender.so.0", "libkrender.so", "libkrender.dylib"):
        path = os.path.join(here, name)
        if os.path.exists(path):
            yield path
    found = ctypes.util.find_library("krender")
    if found:
        yield found
    yield "libkrender.so.0"


def _load():
    errors = []
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
            break
        except OSError as e:
            errors.append("%s: %s" % (path, e))
    else:
        raise ImportError("libkrender not found (set KRENDER_LIBRARY): " + "; ".join(errors))
    vp, sz = ctypes.c_void_p, ctypes.c_size_t
    sig = {
        "krender_version": (ctypes.c_char_p, []),
        "krender_ctx_new": (ctypes.c_int, [ctypes.POINTER(vp)]),
        "krender_ctx_free": (None, [vp]),
        "krender_build": (ctypes.c_int, [ctypes.POINTER(vp), vp, ctypes.c_char_p,
                                         ctypes.POINTER(_Options)]),
        "krender_result_yaml": (ctypes.POINTER(ctypes.c_char), [vp, ctypes.POINTER(sz)]),
        "krender_result_error": (ctypes.POINTER(_Error), [vp]),
        "krender_result_count": (sz, [vp]),
        "krender_result_resource_json": (ctypes.POINTER(ctypes.c_char),
                                         [vp, sz, ctypes.POINTER(sz)]),
        "krender_result_warning_count": (sz, [vp]),
        "krender_result_warning": (ctypes.c_char_p, [vp, sz]),
        "krender_result_free": (None, [vp]),
        "krender_build_many": (ctypes.c_int, [vp, ctypes.POINTER(ctypes.c_char_p), sz,
                                              ctypes.POINTER(_Options), _DONE_FN, vp]),
        "krender_edit_kustomization": (ctypes.c_int, [ctypes.POINTER(vp), vp, ctypes.c_char_p,
                                                      ctypes.POINTER(_Edit), sz,
                                                      ctypes.POINTER(_Options)]),
    }
    for name, (res, args) in sig.items():
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args
    return lib


_lib = _load()


def version():
    """The library's version string."""
    return _lib.krender_version().decode()


def _s(b):
    return b.decode("utf-8", "replace") if b is not None else None


class Context:
    """Owns the library's caches (each file parsed once while unchanged). Use one per thread."""

    def __init__(self):
        self._ctx = ctypes.c_void_p()
        rc = _lib.krender_ctx_new(ctypes.byref(self._ctx))
        if rc:
            raise MemoryError("krender_ctx_new failed with code %d" % rc)

    def close(self):
        if self._ctx:
            _lib.krender_ctx_free(self._ctx)
            self._ctx = ctypes.c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def _render(self, path, load_restrictor, reorder, enable_managedby_label, jail_root,
                want_json, limits, files=None, edits=None, edit_only=False):
        memfs = _MemoryFs(files) if files is not None else None
        edit_arr, _keep = _edit_array(edits) if edits else (None, None)
        opts = _Options(_OPTIONS_VERSION, load_restrictor, reorder,
                        1 if enable_managedby_label else 0,
                        os.fsencode(jail_root) if jail_root else None, 1 if want_json else 0,
                        limits.get("max_file_bytes", 0), limits.get("max_resources", 0),
                        limits.get("max_output_bytes", 0),
                        ctypes.pointer(memfs.struct) if memfs else None,
                        ctypes.cast(edit_arr, ctypes.c_void_p) if edit_arr and not edit_only
                        else None, len(edits) if edits and not edit_only else 0)
        res = ctypes.c_void_p()
        if edit_only:
            rc = _lib.krender_edit_kustomization(ctypes.byref(res), self._ctx, os.fsencode(path),
                                                 edit_arr, len(edits) if edits else 0,
                                                 ctypes.byref(opts))
        else:
            rc = _lib.krender_build(ctypes.byref(res), self._ctx, os.fsencode(path),
                                    ctypes.byref(opts))
        # memfs (its ctypes callbacks and bytes) was alive for the whole call
        self._fs_counts = (memfs.reads, memfs.releases) if memfs else None
        if not res:
            raise MemoryError("krender_build could not allocate a result")
        try:
            self.warnings = [_s(_lib.krender_result_warning(res, i))
                             for i in range(_lib.krender_result_warning_count(res))]
            if rc:
                e = _lib.krender_result_error(res).contents
                raise KrenderError(e.code, _s(e.message), _s(e.file), e.line, e.column,
                                   _s(e.chain))
            if want_json:
                out = []
                n = ctypes.c_size_t()
                for i in range(_lib.krender_result_count(res)):
                    p = _lib.krender_result_resource_json(res, i, ctypes.byref(n))
                    out.append(json.loads(ctypes.string_at(p, n.value).decode("utf-8")))
                return out
            n = ctypes.c_size_t()
            p = _lib.krender_result_yaml(res, ctypes.byref(n))
            return ctypes.string_at(p, n.value).decode("utf-8")
        finally:
            _lib.krender_result_free(res)

    def build(self, path, load_restrictor=LOAD_ROOT_ONLY, reorder=REORDER_DEFAULT,
              enable_managedby_label=False, jail_root=None, files=None, edits=None, **limits):
        """The YAML kustomize would print for `kustomize build path`.

        edits: `kustomize edit` commands applied in memory to the root kustomization first,
        e.g. [["set", "namespace", "prod"], ["set", "image", "nginx=nginx:1.27"]] (the file
        is not written; see edit_kustomization for the commands).

        files: a dict {absolute path: str | bytes}: the tree is read from it instead of the
        disk (no links; a relative path is relative to "/"; jail_root and the limits apply).
        limits: max_file_bytes, max_resources, max_output_bytes (KrenderError with
        code LIMIT when exceeded; absent or 0 = the library's default)."""
        return self._render(path, load_restrictor, reorder, enable_managedby_label, jail_root,
                            False, _check_limits(limits), files, edits)

    def build_many(self, paths, threads=0, load_restrictor=LOAD_ROOT_ONLY,
                   reorder=REORDER_DEFAULT, enable_managedby_label=False, jail_root=None,
                   **limits):
        """Renders every path of `paths` (one krender_build_many call: one view of the files
        for all of them, shared bases resolved once) on `threads` threads (0 = the number of
        cores). Returns a list in the order of `paths`: each item is the YAML of that root, or
        the KrenderError it failed with (nothing is raised for a failing root)."""
        limits = _check_limits(limits)
        paths = [os.fsencode(p) for p in paths]
        arr = (ctypes.c_char_p * max(len(paths), 1))(*paths)
        opts = _Options(_OPTIONS_VERSION, load_restrictor, reorder,
                        1 if enable_managedby_label else 0,
                        os.fsencode(jail_root) if jail_root else None, 0,
                        limits.get("max_file_bytes", 0), limits.get("max_resources", 0),
                        limits.get("max_output_bytes", 0), None, None, 0,
                        threads if threads > 0 else (os.cpu_count() or 1))
        out = [None] * len(paths)

        def done(_userdata, i, res):  # on the library's threads, holding the GIL
            try:
                if not res:
                    out[i] = KrenderError(1, "out of memory")
                elif _lib.krender_result_error(res):
                    e = _lib.krender_result_error(res).contents
                    out[i] = KrenderError(e.code, _s(e.message), _s(e.file), e.line, e.column,
                                          _s(e.chain))
                else:
                    n = ctypes.c_size_t()
                    p = _lib.krender_result_yaml(res, ctypes.byref(n))
                    out[i] = ctypes.string_at(p, n.value).decode("utf-8")
            finally:
                _lib.krender_result_free(res)

        cb = _DONE_FN(done)  # alive for the whole call
        _lib.krender_build_many(self._ctx, arr, len(paths), ctypes.byref(opts), cb, None)
        return out

    def resources(self, path, load_restrictor=LOAD_ROOT_ONLY, reorder=REORDER_DEFAULT,
                  enable_managedby_label=False, jail_root=None, files=None, edits=None,
                  **limits):
        """The rendered resources as Python dicts, in output order (options as for build)."""
        return iter(self._render(path, load_restrictor, reorder, enable_managedby_label,
                                 jail_root, True, _check_limits(limits), files, edits))

    def edit_kustomization(self, path, edits, load_restrictor=LOAD_ROOT_ONLY, jail_root=None,
                           files=None, **limits):
        """The kustomization file of directory `path` as `kustomize edit` would write it after
        `edits` (set nameprefix|namesuffix|namespace|image|replicas, add label|annotation|
        component|patch); nothing is written."""
        return self._render(path, load_restrictor, REORDER_DEFAULT, False, jail_root, False,
                            _check_limits(limits), files, list(edits), edit_only=True)


def _check_limits(limits):
    unknown = set(limits) - {"max_file_bytes", "max_resources", "max_output_bytes"}
    if unknown:
        raise TypeError("unknown option(s): " + ", ".join(sorted(unknown)))
    return limits


_local = threading.local()


def _context():
    ctx = getattr(_local, "ctx", None)
    if ctx is None:
        ctx = _local.ctx = Context()
    return ctx


def build(path, **options):
    """Render `path` and return the YAML text (see Context.build for options)."""
    return _context().build(path, **options)


def resources(path, **options):
    """Render `path` and iterate over its resources as dicts (see Context.resources)."""
    return _context().resources(path, **options)


def edit_kustomization(path, edits, **options):
    """The kustomization of `path` as `kustomize edit` would write it (Context.edit_kustomization)."""
    return _context().edit_kustomization(path, edits, **options)


def build_many(paths, **options):
    """Context.build_many with this thread's context: a list of YAML strings or KrenderErrors."""
    return _context().build_many(paths, **options)
