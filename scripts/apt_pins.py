#!/usr/bin/env python3
"""Print apt-get arguments that pin multi-arch libraries to a version both arches offer.

Some Debian mirrors serve an i386 index older than the amd64 one (for example when the
security suite's i386 index fails to download). Multi-Arch: same libraries must have the
same version on both architectures, so `apt-get install wine32:i386` then fails with
"Depends: libfoo:i386 but it is not going to be installed". For every i386 package in the
dependency closure of the requested packages whose amd64 copy (installed or candidate)
differs from the i386 candidate, and whose i386 candidate version is also offered for amd64,
this prints `pkg:amd64=VER` and `pkg:i386=VER`, one per line. Installed packages that a
pin would remove (a -dev package needing the exact library version) are pinned along.

Usage: apt_pins.py PACKAGE...   (the whole install line, for example: wine wine64 wine32:i386)
"""
import re
import subprocess
import sys


def run(*args):
    return subprocess.run(args, check=False, capture_output=True, text=True).stdout


def closure(packages):
    out = run("apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
              "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", *packages)
    names = set()
    for line in out.splitlines():
        if line and not line.startswith((" ", "<")):
            names.add(line.strip())
    return names


def policies(packages):
    """Map package name -> (installed, candidate, [versions offered by an archive])."""
    result = {}
    name = None
    table = False
    for line in run("apt-cache", "policy", *sorted(packages)).splitlines():
        if not line.startswith(" "):
            name = line.rstrip(":")
            result[name] = [None, None, []]
            table = False
        elif line.strip().startswith("Installed:"):
            value = line.split(":", 1)[1].strip()
            result[name][0] = None if value == "(none)" else value
        elif line.strip().startswith("Candidate:"):
            value = line.split(":", 1)[1].strip()
            result[name][1] = None if value == "(none)" else value
        elif line.strip().startswith("Version table:"):
            table = True
        elif table:
            m = re.match(r"^\s+(?:\*\*\* )?(\S+) (\d+)$", line)
            if m and int(m.group(2)) != 100:  # priority 100 is the dpkg status file only
                result[name][2].append(m.group(1))
    return result


def multiarch_same(packages):
    """The subset of packages (names with :i386) whose i386 candidate is Multi-Arch: same."""
    same = set()
    name = None
    for line in run("apt-cache", "show", "--no-all-versions", *sorted(packages)).splitlines():
        if line.startswith("Package:"):
            name = line.split(":", 1)[1].strip() + ":i386"
        elif line.startswith("Multi-Arch:") and line.split(":", 1)[1].strip() == "same":
            same.add(name)
    return same


def removals(packages, pins):
    """Packages that `apt-get install` of packages with pins would remove (a dry run)."""
    out = run("apt-get", "install", "-s", "-y", "--no-install-recommends", "--allow-downgrades",
              *packages, *pins)
    return [line.split()[1] for line in out.splitlines() if line.startswith("Remv ")]


def keep_dependents(packages, pins):
    """Pins for installed packages (often -dev) that depend on an exact version of a pinned
    library and would otherwise be removed: they move to the pinned version too."""
    for _ in range(5):
        versions = {pin.split("=", 1)[1] for pin in pins}
        removed = removals(packages, pins)
        added = []
        for name, (_, _, offered) in policies(removed).items():
            match = [v for v in offered if v in versions]
            if match:
                added.append(f"{name}={match[0]}")
        if not added:
            break
        pins = pins + added
    return pins


def main(argv):
    i386 = sorted(multiarch_same(p for p in closure(argv) if p.endswith(":i386")))
    amd64 = [p[: -len(":i386")] for p in i386]
    info = policies(i386 + amd64)
    pins = []
    for pkg in amd64:
        inst_a, cand_a, offered_a = info.get(pkg, (None, None, []))
        _, cand_i, _ = info.get(pkg + ":i386", (None, None, []))
        if cand_i is None or cand_a is None:
            continue
        if cand_a == cand_i and inst_a in (None, cand_i):
            continue
        if cand_i in offered_a:
            pins += [f"{pkg}:amd64={cand_i}", f"{pkg}:i386={cand_i}"]
    if pins:
        pins = keep_dependents(argv, pins)
    print("\n".join(pins))


if __name__ == "__main__":
    main(sys.argv[1:])
