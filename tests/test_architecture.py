"""
The architecture as written in docs/architecture.md, checked on the source tree: what each
layer may import (Go packages through ``go list``, Python modules through their import
statements) and the size of hand-written source files.
"""

import ast
import json
import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULE = "github.com/zugbruecke/zugbruecke"
MAX_LINES = 600

needs_go = pytest.mark.skipif(
    shutil.which("go") is None or not os.path.exists(os.path.join(ROOT, "go.mod")),
    reason="needs the Go toolchain and the source tree (go.mod)",
)


def go_list(*args, env=None):
    full = dict(os.environ)
    full.update(env or {})
    out = subprocess.run(
        ["go", "list", "-json", *args], cwd=ROOT, env=full, check=True, capture_output=True, text=True
    ).stdout
    decoder = json.JSONDecoder()
    pos, found = 0, []
    while pos < len(out):
        while pos < len(out) and out[pos].isspace():
            pos += 1
        if pos == len(out):
            break
        obj, pos = decoder.raw_decode(out, pos)
        found.append(obj)
    return found


def project_imports(pkg):
    return {p[len(MODULE) + 1 :] for p in pkg.get("Deps", []) + pkg.get("Imports", []) if p.startswith(MODULE + "/")}


@needs_go
def test_core_imports_neither_pyext_nor_winserver():
    for pkg in go_list("./core/..."):
        bad = {p for p in project_imports(pkg) if not p.startswith("core/")}
        assert not bad, f"{pkg['ImportPath']} depends on {sorted(bad)}"


@needs_go
@pytest.mark.parametrize("goarch", ["386", "amd64"])
def test_winserver_imports_only_arch_neutral_core(goarch):
    allowed = {"core/wire", "core/abi", "core/transport"}
    (pkg,) = go_list("./winserver", env={"GOOS": "windows", "GOARCH": goarch})
    assert project_imports(pkg) <= allowed, sorted(project_imports(pkg) - allowed)


def source_files():
    for top in ("zugbruecke", "core", "pyext", "winserver"):
        for folder, dirs, files in os.walk(os.path.join(ROOT, top)):
            dirs[:] = [d for d in dirs if d not in ("_bin", "testdata", "__pycache__")]
            for name in files:
                if name.endswith((".py", ".go", ".c", ".h", ".S", ".pyi")):
                    yield os.path.join(folder, name)


def test_no_hand_written_source_file_is_over_600_lines():
    too_long = []
    for path in source_files():
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if "DO NOT EDIT" in text[:500]:
            continue
        n = text.count("\n")
        if n > MAX_LINES:
            too_long.append(f"{os.path.relpath(path, ROOT)}: {n} lines")
    assert not too_long, too_long


# The Python package's layers, bottom first (docs/architecture.md): a module imports only
# from layers below its own, or from its own subpackage; nothing reaches up into the session.
PY_LAYERS = [
    {"_zcontract", "_ctypes_internals", "_wintypes", "_core", "core", "core.errors"},
    {"_kinds", "_errors", "_fork"},
    {"_paths", "_pe", "_types"},
    {"_util", "_state", "_memsync"},
    {"_routine"},
    {"_callback", "_dll"},
    {"_session"},
    {"", "__main__", "_cli", "_local", "dask", "ray", "ctypes", "ctypes.util", "ctypes.wintypes", "pytest_plugin"},
]
PY_ROOT = os.path.join(ROOT, "zugbruecke")


def python_modules():
    """Module names relative to the package ("" for the package itself) -> file."""
    found = {}
    for folder, dirs, files in os.walk(PY_ROOT):
        dirs[:] = [d for d in dirs if d not in ("__pycache__", "_bin")]
        for name in files:
            if name.endswith(".py"):
                rel = os.path.relpath(os.path.join(folder, name), PY_ROOT)[:-3].replace(os.sep, ".")
                found[rel.removesuffix("__init__").rstrip(".")] = os.path.join(folder, name)
    return found


def layer_of(module):
    for i, layer in enumerate(PY_LAYERS):
        if module in layer or module.split(".")[0] in layer:
            return i
    return None


def package_imports(module, path, known):
    """The package modules that module imports (relative imports, resolved)."""
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".") if package else []
            base = base[: len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{target}.{alias.name}" if target else alias.name
                yield sub if sub in known else target
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("zugbruecke"):
            yield node.module[len("zugbruecke.") :]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("zugbruecke"):
                    yield alias.name[len("zugbruecke.") :]


def test_python_modules_import_only_downwards():
    known = python_modules()
    known["_core"] = ""
    unplaced = [m for m in known if layer_of(m) is None]
    assert not unplaced, f"place these in PY_LAYERS and docs/architecture.md: {unplaced}"
    top = len(PY_LAYERS) - 1
    upward = []
    for module, path in known.items():
        if not path:
            continue
        own = layer_of(module)
        for target in set(package_imports(module, path, known)):
            same_package = module.split(".")[0] == target.split(".")[0] and "." in module + target
            if layer_of(target) < own or same_package or own == top:
                continue
            upward.append(f"{module} imports {target}")
    assert not upward, upward


def test_no_module_reaches_into_session_privates():
    """Modules below the session get a SessionState; none touches the session's privates."""
    offenders = []
    for module, path in python_modules().items():
        if module == "_session":
            continue
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and isinstance(node.value, (ast.Attribute, ast.Name))
                and (node.value.attr if isinstance(node.value, ast.Attribute) else node.value.id) == "session"
            ):
                offenders.append(f"{module}:{node.lineno} session.{node.attr}")
    assert not offenders, offenders
