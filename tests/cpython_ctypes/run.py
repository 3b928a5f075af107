"""Run CPython's own ctypes test modules against a zugbruecke session.

    python tests/cpython_ctypes/run.py ARCH DLL MODULE [MODULE ...]
    python tests/cpython_ctypes/run.py --list MODULE

A MODULE may also name one test: ``test_pointers.PointersTestCase.test_pass_pointers``.
``--list`` prints the test ids of a module, one a line (without a session), so a module
that crashes the process can be run again test by test.

The test modules are the ones installed with the running Python (``ctypes/test`` up to
3.11, ``test/test_ctypes`` from 3.12); nothing of CPython is copied into this repository.
``ctypes`` is bound to a CtypesSession of ARCH (``sys.modules['ctypes']`` is a module made
from the session's namespace, so ``from ctypes import *`` in a test gets the session's
names), ``ctypes.util`` and ``ctypes.wintypes`` are the session's, and ``_ctypes_test``
is a module whose ``__file__`` is DLL, the project's tests/dlls/ctypes_test.c built for
ARCH. ``_ctypes`` stays the Linux extension: the session's types derive from it.

The last line on standard output is a JSON object: per module, the counts (run, passed,
failed, skipped) and each failing test with the last line of its traceback. One process
runs the modules given; tests/test_cpython_ctypes.py runs one process per module, so a
crash costs one module.
"""

import importlib
import json
import os
import sys
import types
import unittest


def installed_package():
    """The dotted name of the installed ctypes test package and its folder."""
    for name in ("test.test_ctypes", "ctypes.test"):
        try:
            spec = importlib.util.find_spec(name)
        except ImportError:
            continue
        if spec is not None and spec.submodule_search_locations:
            return name, list(spec.submodule_search_locations)[0]
    raise RuntimeError("this Python has no ctypes test package installed")


def installed_modules():
    """The test modules of the installed package, sorted."""
    _, folder = installed_package()
    return sorted(f[:-3] for f in os.listdir(folder) if f.startswith("test_") and f.endswith(".py"))


def bind(arch, dll):
    """Make ``import ctypes`` (and ``_ctypes_test``) answer with a new session of arch."""
    import ctypes as linux_ctypes

    import zugbruecke
    from zugbruecke._session import namespace_of

    session = zugbruecke.CtypesSession(arch=arch)
    ns = namespace_of(session)
    module = types.ModuleType("ctypes", linux_ctypes.__doc__)
    for name in dir(linux_ctypes):  # private helpers the tests reach for (_pointer_type_cache, ...)
        if name.startswith("_") and not name.startswith("__"):
            setattr(module, name, getattr(linux_ctypes, name))
    module.__dict__.update(ns)
    module.__path__ = list(linux_ctypes.__path__)  # ctypes.test, ctypes.macholib: the installed files
    module.__file__ = linux_ctypes.__file__
    module.zb_session = session
    sys.modules["ctypes"] = module
    sys.modules["ctypes.util"] = ns["util"]
    sys.modules["ctypes.wintypes"] = ns["wintypes"]
    test_dll = types.ModuleType("_ctypes_test")
    test_dll.__file__ = dll
    sys.modules["_ctypes_test"] = test_dll
    return session


def _reason(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip()[:300] if lines else ""


def test_ids(module):
    """The ids of the tests in module, relative to the package (module.Class.method)."""
    package, _ = installed_package()
    suite = unittest.defaultTestLoader.loadTestsFromName(f"{package}.{module}")
    ids = []

    def walk(s):
        for t in s:
            if isinstance(t, unittest.TestSuite):
                walk(t)
            else:
                ids.append(t.id()[len(package) + 1 :])

    walk(suite)
    return ids


def run(modules):
    package, _ = installed_package()
    results = {}
    for name in modules:
        suite = unittest.defaultTestLoader.loadTestsFromName(f"{package}.{name}")
        outcome = unittest.TextTestRunner(stream=sys.stderr, verbosity=1).run(suite)
        bad = [(t, e) for t, e in outcome.failures + outcome.errors]
        bad += [(t, "unexpected success") for t in outcome.unexpectedSuccesses]
        failed = len(bad)
        skipped = len(outcome.skipped)
        results[name] = {
            "run": outcome.testsRun,
            "passed": outcome.testsRun - failed - skipped,
            "failed": failed,
            "skipped": skipped,
            "failures": {t.id().rsplit(".", 2)[-2] + "." + t.id().rsplit(".", 1)[-1]: _reason(e) for t, e in bad},
        }
    return results


def main(argv):
    if argv[0] == "--list":
        print("\n".join(test_ids(argv[1])))
        return
    arch, dll, modules = argv[0], argv[1], argv[2:] or installed_modules()
    session = bind(arch, dll)
    try:
        results = run(modules)
    finally:
        session.zb_terminate()
    sys.stdout.write("\n" + json.dumps(results) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
