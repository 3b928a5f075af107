"""The ``zugbruecke`` command (also ``python -m zugbruecke``).

- ``doctor``: checks what sessions need, one line per check (OK, FAIL, WARN for what is
  optional), each problem with its fix; exit code 0 when every required check passes.
- ``init``: creates the Wine prefixes by starting and terminating a session per arch (Wine's
  progress goes to standard error).
- ``info``: versions, where the package lives, whether the compiled parts are present, and
  the resolved configuration with the source of each value.
"""

import argparse
import json
import os
import shutil
import sys
import time

from . import __version__, _zcontract as Z

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
BIN_DIR = os.path.join(PACKAGE_DIR, "_bin")
ARCHS = Z.ARCHES
BINARIES = tuple(f"zb-server-{a}.exe" for a in ARCHS) + tuple(f"bcryptprimitives-{a}.dll" for a in ARCHS)

COMPILERS = {
    "win32": ("i686-w64-mingw32-gcc", "gcc-mingw-w64-i686"),
    "win64": ("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64"),
}
READY_MARKER = ".zugbruecke-ready"
PRNG = "drive_c/windows/system32/bcryptprimitives.dll"


# ---- shared helpers -------------------------------------------------------------------------


def _core_module():
    """zugbruecke._core with the error factory registered (done by _session), or the
    ImportError that keeps it from loading."""
    try:
        from . import _session

        return _session._core, None
    except ImportError as exc:
        return None, exc


def _environ_json():
    return json.dumps([f"{k}={v}" for k, v in os.environ.items()])


def resolve_config(core):
    """{"config", "sources", "warnings"} as a session would resolve them without arguments."""
    return json.loads(core.resolve_config(json.dumps({}), _environ_json()))


def wine_info(core, config):
    """What sessions with config would use, as the core decides it: {"data_dir",
    "data_dir_source", "archs": {arch: {"loader" (None when missing), "why", "fix",
    "prefix"}}}."""
    return json.loads(core.wine_info(json.dumps(config), _environ_json()))


def _archs(choice):
    return ARCHS if choice == "both" else (choice,)


def _without_arch_override():
    """The commands choose the arch themselves; ZUGBRUECKE_ARCH would override it."""
    value = os.environ.pop("ZUGBRUECKE_ARCH", None)
    if value is not None:
        print(f"zugbruecke: ignoring ZUGBRUECKE_ARCH={value} (use --arch)", file=sys.stderr)


# ---- doctor ---------------------------------------------------------------------------------


class _Report:
    def __init__(self):
        self.failed = 0

    def line(self, status, text, fix=None):
        print(f"{status:<5} {text}", flush=True)
        if fix and status != "OK":
            print(f"      fix: {fix}", flush=True)
        if status == "FAIL":
            self.failed += 1


def _check_session(report, arch):
    """Start a session, call msvcrt abs and kernel32 GetCurrentProcessId, terminate."""
    import zugbruecke

    started = time.monotonic()
    try:
        with zugbruecke.CtypesSession(arch=arch) as session:
            value = session.cdll.msvcrt.abs(-42)
            pid = session.windll.kernel32.GetCurrentProcessId()
    except Exception as exc:  # every failure is a finding here
        fix = (
            "see the message above; run `python -m zugbruecke info` for the configuration "
            "and docs/troubleshooting.md"
        )
        if isinstance(exc, zugbruecke.WineError):
            fix = "install Wine for this arch (see the message) or fix the parameter 'wine'"
        report.line("FAIL", f"{arch}: session: {type(exc).__name__}: {exc}", fix)
        return False
    seconds = time.monotonic() - started
    if value != 42 or not pid:
        report.line(
            "FAIL",
            f"{arch}: session answered msvcrt abs(-42) = {value}, process id {pid}",
            "this is a bug: please report it with the output of `python -m zugbruecke info`",
        )
        return False
    report.line("OK", f"{arch}: session up in {seconds:.1f} s; msvcrt abs(-42) = 42, Windows process id {pid}")
    return True


def _check_prefix(report, arch, prefix):
    init = f"python -m zugbruecke init --arch {arch}"
    if not os.path.isfile(os.path.join(prefix, READY_MARKER)):
        state = "half-created (no " + READY_MARKER + ")" if os.path.isdir(prefix) else "missing"
        report.line("FAIL", f"{arch}: Wine prefix {prefix} is {state}", f"run `{init}`")
        return
    report.line("OK", f"{arch}: Wine prefix {prefix} is ready")
    prng = os.path.join(prefix, *PRNG.split("/"))
    if not os.path.isfile(prng):
        report.line(
            "FAIL",
            f"{arch}: ProcessPrng replacement {prng} is missing",
            f"run `{init}` (every session start installs it)",
        )
        return
    with open(prng, "rb") as f:
        own = b"Wine placeholder DLL" in f.read()
    what = "Wine's own" if own else "installed"
    report.line("OK", f"{arch}: ProcessPrng provider {prng} ({what})")


def doctor(args):
    report = _Report()
    _without_arch_override()
    archs = _archs(args.arch)
    print(f"zugbruecke {__version__} on Python {sys.version.split()[0]} ({sys.executable})")

    core, error = _core_module()
    if core is None:
        report.line(
            "FAIL",
            f"core extension zugbruecke._core: {error}",
            "reinstall the package: pip install --force-reinstall zugbruecke (building it needs Go and mingw-w64)",
        )
        return 1
    report.line("OK", f"core extension {core.__file__}")

    missing = [name for name in BINARIES if not os.path.isfile(os.path.join(BIN_DIR, name))]
    if missing:
        report.line(
            "FAIL",
            f"server binaries: missing in {BIN_DIR}: {', '.join(missing)}",
            "reinstall the package (pip install . builds them)",
        )
    else:
        report.line("OK", f"server binaries in {BIN_DIR}")

    try:
        resolved = resolve_config(core)
    except Exception as exc:
        report.line("FAIL", f"configuration: {exc}", "fix the value named in the message")
        return 1
    for warning in resolved["warnings"]:
        report.line("WARN", f"configuration: {warning}", "remove the parameter")
    wine = wine_info(core, resolved["config"])
    report.line("OK", f"configuration resolved; Wine prefixes live in {wine['data_dir']}")

    for arch in ARCHS:
        compiler, package = COMPILERS[arch]
        path = shutil.which(compiler)
        if path:
            report.line("OK", f"{arch}: C compiler {path} (optional: for building from source)")
        else:
            report.line(
                "WARN",
                f"{arch}: C compiler {compiler} not found (only needed for building "
                "from source and the test DLLs)",
                f"apt-get install {package}",
            )

    for arch in archs:
        found = wine["archs"][arch]
        if found["loader"] is None:
            report.line("FAIL", f"{arch}: Wine loader: {found['why']}", found.get("fix"))
            report.line("SKIP", f"{arch}: session, prefix and ProcessPrng checks (no Wine loader)")
            continue
        report.line("OK", f"{arch}: Wine loader {found['loader']}")
        if not os.path.isfile(os.path.join(found["prefix"], READY_MARKER)):
            print(f"      {arch}: the session check creates the Wine prefix first (about 15 s)", flush=True)
        if _check_session(report, arch):
            _check_prefix(report, arch, found["prefix"])

    if report.failed:
        print(f"doctor: {report.failed} required check(s) failed")
        return 1
    print("doctor: all required checks passed")
    return 0


# ---- init -----------------------------------------------------------------------------------


def init(args):
    _without_arch_override()
    import zugbruecke

    status = 0
    for arch in _archs(args.arch):
        started = time.monotonic()
        try:
            session = zugbruecke.CtypesSession(arch=arch)
            session.zb_terminate()
        except Exception as exc:
            print(f"zugbruecke: {arch}: {type(exc).__name__}: {exc}", file=sys.stderr)
            status = 1
            continue
        core, _ = _core_module()
        prefix = wine_info(core, resolve_config(core)["config"])["archs"][arch]["prefix"]
        print(f"{arch}: Wine prefix ready in {prefix} ({time.monotonic() - started:.1f} s)")
    return status


# ---- info -----------------------------------------------------------------------------------


def _info_data():
    core, error = _core_module()
    data = {
        "zugbruecke": __version__,
        "python": sys.version.split()[0],
        "python_executable": sys.executable,
        "package": PACKAGE_DIR,
        "core": core.__file__ if core else None,
        "core_error": None if core else str(error),
        "binaries": {name: os.path.isfile(os.path.join(BIN_DIR, name)) for name in BINARIES},
        "bin_dir": BIN_DIR,
    }
    if core is not None:
        try:
            resolved = resolve_config(core)
        except Exception as exc:
            data["config_error"] = str(exc)
        else:
            data.update(resolved)
            wine = wine_info(core, resolved["config"])
            data["data_dir"], data["data_dir_source"] = wine["data_dir"], wine["data_dir_source"]
    return data


def info(args):
    data = _info_data()
    if args.json:
        print(json.dumps(data, indent=2, sort_keys=True))
        return 0 if data.get("config") else 1
    print(f"zugbruecke {data['zugbruecke']}")
    print(f"python     {data['python']} ({data['python_executable']})")
    print(f"package    {data['package']}")
    print(f"core       {data['core'] or 'MISSING: ' + data['core_error']}")
    print(f"binaries   {data['bin_dir']}")
    for name, present in data["binaries"].items():
        print(f"  {name:<28} {'present' if present else 'MISSING'}")
    if "config_error" in data:
        print(f"configuration: ERROR {data['config_error']}")
        return 1
    if data["core"] is None:
        return 1
    print("configuration (value, then where it came from):")
    width = max(len(k) for k in data["config"])
    for key in sorted(data["config"]):
        value = json.dumps(data["config"][key])
        print(f"  {key:<{width}} = {value:<12} ({data['sources'][key]})")
    print(f"data folder {data['data_dir']} ({data['data_dir_source']})")
    for warning in data["warnings"]:
        print(f"warning: {warning}")
    return 0


# ---- entry point ----------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="zugbruecke",
        description="zugbruecke: call routines in Windows DLLs from Python on Linux, through Wine.",
    )
    parser.add_argument("--version", action="version", version=f"zugbruecke {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = commands.add_parser("doctor", help="check Wine, prefixes and sessions; print a fix for each problem")
    p.add_argument("--arch", choices=(*ARCHS, "both"), default="both")
    p.set_defaults(run=doctor)
    p = commands.add_parser("init", help="create the Wine prefixes (about 15 s each, once)")
    p.add_argument("--arch", choices=(*ARCHS, "both"), default="both")
    p.set_defaults(run=init)
    p = commands.add_parser("info", help="versions, paths and the resolved configuration")
    p.add_argument("--json", action="store_true", help="print it as JSON")
    p.set_defaults(run=info)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    return args.run(args)
