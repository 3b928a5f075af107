# -*- coding: utf-8 -*-
"""Every ```python block in docs/*.md and README.md runs, each in a fresh Python process in
an empty folder. A block preceded by the line ``<!-- no-test -->`` is left out."""

import importlib.util
import os
import pathlib
import re
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
TIMEOUT = 120

_FENCE = re.compile(r"^```(\w*)\s*$")


def python_blocks(path):
    """(line number, code) of each python block of a Markdown file, without no-test ones."""
    blocks = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, lang = i, m.group(1)
        i += 1
        body = []
        while i < len(lines) and lines[i].rstrip() != "```":
            body.append(lines[i])
            i += 1
        i += 1
        previous = next((lines[j].strip() for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        if lang == "python" and previous != "<!-- no-test -->":
            blocks.append((start + 1, "\n".join(body) + "\n"))
    return blocks


# Optional engines an example may need (the extras zugbruecke[dask] and zugbruecke[ray]);
# `make test-pythons` installs only the core test dependencies into other Pythons.
OPTIONAL = {"distributed": re.compile(r"\b(distributed|zugbruecke\.dask)\b"), "ray": re.compile(r"\bray\b")}

EXAMPLES = [(path, line, code) for path in PAGES for line, code in python_blocks(path)]


def test_docs_exist():
    names = {p.name for p in PAGES}
    for name in ("index.md", "configuration.md", "differences.md", "security.md", "troubleshooting.md"):
        assert name in names
    assert len(EXAMPLES) >= 10


def test_every_page_links_resolve():
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).is_file(), f"{page.name} links to missing {target}"


@pytest.mark.parametrize("path,line,code", EXAMPLES,
                         ids=[f"{p.relative_to(REPO)}:{line}" for p, line, _ in EXAMPLES])
def test_example_runs(path, line, code, tmp_path):
    for module, pattern in OPTIONAL.items():
        if pattern.search(code) and importlib.util.find_spec(module) is None:
            pytest.skip(f"the example needs {module}, which this Python lacks (pip install zugbruecke[dask|ray])")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZUGBRUECKE")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, (f"{path.relative_to(REPO)}:{line} failed\n--- code\n{code}"
                                  f"--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}")
