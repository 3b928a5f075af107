"""Builds zugbruecke's compiled parts from source with Go and mingw-w64:

- zugbruecke/_core*.so: the CPython extension (cgo, ``go build -buildmode=c-shared``), not
  linked against libpython;
- zugbruecke/_bin/zb-server-win32.exe and zb-server-win64.exe: the server run under Wine
  (``GOOS=windows``, GOARCH 386 and amd64);
- zugbruecke/_bin/bcryptprimitives-win32.dll and -win64.dll: the ProcessPrng stand-in Go
  programs need on Wine 8.0 (mingw-w64).

Every command is echoed. ``pip install .`` and ``pip install -e .`` both run this.
"""

import os
import shlex
import shutil
import subprocess
import sysconfig

import setuptools
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))

MINGW = {"win32": "i686-w64-mingw32-gcc", "win64": "x86_64-w64-mingw32-gcc"}
GOARCH = {"win32": "386", "win64": "amd64"}


def _run(cmd, env=None):
    shown = " ".join(f"{k}={v}" for k, v in (env or {}).items())
    print("+", shown, " ".join(shlex.quote(c) for c in cmd), flush=True)
    full = dict(os.environ)
    full.update(env or {})
    subprocess.check_call(cmd, cwd=HERE, env=full)


def _need(tool, hint):
    if shutil.which(tool) is None:
        raise SystemExit(f"zugbruecke: building needs {tool}; {hint} (or run: make setup)")


class BuildGo(build_ext):
    def build_extension(self, ext):
        _need("go", "install Go >= 1.22")
        for arch in MINGW.values():
            _need(arch, "install gcc-mingw-w64-i686 and gcc-mingw-w64-x86-64")
        target = os.path.abspath(self.get_ext_fullpath(ext.name))
        package_dir = os.path.dirname(target)
        bin_dir = os.path.join(package_dir, "_bin")
        os.makedirs(bin_dir, exist_ok=True)

        include = sysconfig.get_paths()["include"]
        # -s -w: no symbol table and no DWARF (4.8 MB -> 3.4 MB); Go's panics still print
        # their stack traces, which come from the runtime's own tables.
        _run(["go", "build", "-trimpath", "-buildmode=c-shared", "-ldflags=-s -w", "-o", target, "./pyext"],
             env={"CGO_ENABLED": "1", "CGO_CFLAGS": f"-I{include} -O2"})
        header = os.path.splitext(target)[0] + ".h"
        if os.path.exists(header):
            os.remove(header)

        for arch, goarch in GOARCH.items():
            _run(["go", "build", "-trimpath", "-ldflags=-s -w", "-o",
                  os.path.join(bin_dir, f"zb-server-{arch}.exe"), "./winserver"],
                 env={"GOOS": "windows", "GOARCH": goarch, "CGO_ENABLED": "0"})

        source = os.path.join("winserver", "prng", "bcryptprimitives.c")
        for arch, cc in MINGW.items():
            flags = ["-Wl,--kill-at"] if arch == "win32" else []
            _run([cc, "-shared", "-O2", "-s", "-Wl,--no-insert-timestamp", *flags, "-o",
                  os.path.join(bin_dir, f"bcryptprimitives-{arch}.dll"), source, "-ladvapi32"])


    def copy_extensions_to_source(self):
        # Editable installs: the extension is copied into the source tree; so is _bin.
        super().copy_extensions_to_source()
        for ext in self.extensions:
            built = os.path.join(self.build_lib, *ext.name.split(".")[:-1], "_bin")
            package = self.get_finalized_command("build_py").get_package_dir("zugbruecke")
            shutil.copytree(built, os.path.join(package, "_bin"), dirs_exist_ok=True)

    def get_outputs(self):
        outputs = super().get_outputs()
        for ext in self.extensions:
            bin_dir = os.path.join(os.path.dirname(self.get_ext_fullpath(ext.name)), "_bin")
            outputs += [os.path.join(bin_dir, f"zb-server-{arch}.exe") for arch in GOARCH]
            outputs += [os.path.join(bin_dir, f"bcryptprimitives-{arch}.dll") for arch in MINGW]
        return outputs


def _license():
    """The licence as an SPDX expression (setuptools >= 77, core metadata 2.4), or as the
    free-text field older setuptools know; the LICENSE file goes with it either way."""
    major = int(setuptools.__version__.split(".")[0])
    key = "license_expression" if major >= 77 else "license"
    return {key: "LGPL-2.1-or-later", "license_files": ["LICENSE"]}


setup(
    ext_modules=[Extension("zugbruecke._core", sources=[])],
    cmdclass={"build_ext": BuildGo},
    **_license(),
)
