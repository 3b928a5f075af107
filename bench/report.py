"""
Rows of results, the targets of the issue, the machine description and the
Markdown that `make bench` prints and writes to docs/benchmarks.md.
"""

import dataclasses
import datetime
import os
import platform
import subprocess
import typing

import zugbruecke

from timing import Timing
from workloads import BULK_BYTES

# Rows that are not a workload of workloads.WORKLOADS.
START = "start"
TCP = "TCP ping-pong"
NATIVE = "native add"


@dataclasses.dataclass
class Row:
    """One measured line: a workload on an arch, convention and transport."""

    workload: str
    arch: str
    conv: str = "-"
    transport: str = "-"
    timing: typing.Optional[Timing] = None
    error: typing.Optional[str] = None

    @property
    def label(self):
        return f"{self.workload} {self.arch} {self.conv} {self.transport}"


def per_call_us(row, refs):
    """Microseconds per call."""
    return row.timing.median * 1e6


def seconds(row, refs):
    """Seconds per call."""
    return row.timing.median


def gb_per_s(row, refs):
    """In and back: 2 * 64 MiB per call, GB = 10^9 bytes."""
    return 2 * BULK_BYTES / row.timing.median / 1e9


def tcp_ratio(row, refs):
    """How many times faster than a TCP round trip to Wine."""
    return refs["tcp"].timing.median / row.timing.median


def native_ratio(row, refs):
    """How many times slower than a native Linux ctypes call."""
    return row.timing.median / refs["native"].timing.median


@dataclasses.dataclass
class Target:
    """A target of the issue, judged on the median of every shm row of a workload."""

    text: str
    workload: str
    metric: typing.Callable
    unit: str
    limit: float
    at_least: bool  # True: metric >= limit, False: metric <= limit
    needs: tuple = ()  # reference rows the metric uses

    def met(self, value):
        return value >= self.limit if self.at_least else value <= self.limit

    def applies(self, row):
        return row.workload == self.workload and row.transport == "shm"


TARGETS = [
    Target("minimal <= 3 us", "minimal", per_call_us, "us", 3, False),
    Target("memsync <= 5 us", "memsync", per_call_us, "us", 5, False),
    Target("maximal <= 60 us", "maximal", per_call_us, "us", 60, False),
    Target("bulk >= 2 GB/s", "bulk", gb_per_s, "GB/s", 2, True),
    Target("start <= 0.5 s", START, seconds, "s", 0.5, False),
    Target("minimal >= 50x faster than TCP ping-pong", "minimal", tcp_ratio, "x", 50, True, ("tcp",)),
]


def _fmt(value, unit):
    if unit == "us":
        return f"{value:.2f} us"
    if unit == "s":
        return f"{value:.3f} s"
    return f"{value:.1f}x" if unit == "x" else f"{value:.2f} {unit}"


def format_time(row, which):
    """Min or median per call of row, in s for start and in us otherwise."""
    value = getattr(row.timing, which)
    return _fmt(value, "s") if row.workload == START else _fmt(value * 1e6, "us")


def _measured(refs, name):
    """Whether the reference row name was measured."""
    return name in refs and refs[name].timing is not None


def _usable(row, refs, target):
    """Whether row and the references target needs were measured."""
    return row.timing is not None and all(_measured(refs, n) for n in target.needs)


def _derived(row, refs):
    """The Notes column: throughput, ratios, or each start time."""
    if row.workload.startswith("bulk"):
        return _fmt(gb_per_s(row, refs), "GB/s")
    if row.workload == START:
        return "each: " + ", ".join(f"{s:.3f}" for s in row.timing.per_call) + " s"
    notes = []
    if row.workload == "minimal" and _measured(refs, "tcp"):
        ratio = tcp_ratio(row, refs)
        notes.append(f"{ratio:.1f}x faster than TCP" if ratio >= 1 else f"{1 / ratio:.1f}x slower than TCP")
    if row.workload == "minimal" and _measured(refs, "native"):
        notes.append(f"{native_ratio(row, refs):.0f}x slower than native")
    return ", ".join(notes)


def _verdicts(row, refs):
    """The Target column of row: met/missed for each target that applies."""
    return ", ".join(
        f"{t.text.removeprefix(t.workload + ' ')}: {'met' if t.met(t.metric(row, refs)) else 'MISSED'}"
        for t in TARGETS
        if t.applies(row) and _usable(row, refs, t)
    )


def _table(header, lines):
    """A Markdown table with padded columns (readable as plain text too)."""
    lines = [[str(c).replace("|", "\\|") for c in line] for line in lines]
    widths = [max(len(str(c)) for c in col) for col in zip(header, *lines)]

    def fmt(cells):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"

    return "\n".join([fmt(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(fmt, lines)])


def results_table(rows, refs):
    """Every row: min and median per call, derived figures, targets."""
    header = ("workload", "arch", "conv", "transport", "calls/batch", "min", "median", "notes", "target")
    lines = []
    for r in rows:
        if r.timing is None:
            lines.append((r.workload, r.arch, r.conv, r.transport, "", "", "", f"failed: {r.error}", ""))
        else:
            lines.append((r.workload, r.arch, r.conv, r.transport, r.timing.n, format_time(r, "min"),
                          format_time(r, "median"), _derived(r, refs), _verdicts(r, refs)))
    return _table(header, lines)


def _judge(target, rows, refs):
    """(worst value, verdict) of target over the rows it applies to."""
    applicable = [r for r in rows if target.applies(r)]
    values = [target.metric(r, refs) for r in applicable if _usable(r, refs, target)]
    if not values:
        return "-", "not measured"
    worst = min(values) if target.at_least else max(values)
    verdict = "met" if target.met(worst) else "MISSED"
    if len(values) < len(applicable):
        verdict += f" ({len(applicable) - len(values)} of {len(applicable)} rows failed)"
    return _fmt(worst, target.unit), verdict


def targets_table(rows, refs):
    """Each target of the issue with the worst variant's median and a verdict."""
    lines = [(t.text, *_judge(t, rows, refs)) for t in TARGETS]
    return _table(("target (issue)", "worst variant (median)", "verdict"), lines)


def _run(*cmd):
    """First line of a command's output, or "unknown"."""
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.splitlines()[0] if out else "unknown"


def _cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _os_name():
    try:
        with open("/etc/os-release") as f:
            fields = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    except OSError:
        return "unknown"
    return fields.get("PRETTY_NAME", "unknown").strip('"')


def _git_commit(repo_dir):
    """The checked-out commit, "-dirty" when files differ from it."""
    return _run("git", "-C", str(repo_dir), "describe", "--always", "--dirty")


def load_average():
    """The 1, 5 and 15 minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine(repo_dir):
    """(name, value) pairs describing this machine and the software measured."""
    return [
        ("Date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", _cpu_model()),
        ("Logical CPUs", str(os.cpu_count())),
        ("Load average (1, 5, 15 min) at start", load_average()),
        ("OS", _os_name()),
        ("Kernel", f"{platform.system()} {platform.release()}"),
        ("Wine", _run("wine", "--version")),
        ("Go", _run("go", "version")),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("zugbruecke", f"{zugbruecke.__version__}, commit {_git_commit(repo_dir)}"),
    ]


METHOD = """\
## Workloads

Routines from `bench/src/bench.c`, built with mingw-w64 (`-O2`) for each arch and
convention, loaded by Unix path through `cdll` (cdecl) and `windll` (stdcall). On win64 both
conventions are the same x64 ABI; both are run anyway.

- minimal: `int add(int, int)`.
- memsync: `void bubblesort(float *a, int n)` on a `(c_float * 10)` array, synced in and back.
- maximal: `int apply_filter(image *in, image *out, filter_t cb)`: two structure pointers
  (3x3 `short` pixels inside the structure) and a Python callback
  `CFUNCTYPE`/`WINFUNCTYPE(c_int, POINTER(image))`, called 9 times a call.
- bulk: `void touch(unsigned char *buf, int n)` on `create_string_buffer(64 MiB)` (argtype
  `POINTER(c_char)`), synced in and back; throughput = 2 x 64 MiB / median time, GB = 10^9 bytes.
- bulk-ubyte: the same on a `(c_ubyte * 64 MiB)` array (argtype `POINTER(c_ubyte)`); shown,
  not judged.
- start: `CtypesSession(arch=...)` to the first completed `add` call, each repetition in a new
  Python process that has imported `zugbruecke` only (so loading the extension counts, Python's
  own start does not; DLL load included; prefix present). The prefix's wineserver stays up a
  few seconds after its last client, so at most the first repetition includes starting it.
- TCP ping-pong: 8 bytes to a 64-bit mingw winsock program under Wine
  (`bench/src/tcp_client.c`, in the win64 prefix) and back, over 127.0.0.1 with `TCP_NODELAY`
  on both ends.
- native add: the same `add`, built with gcc as a Linux shared library, through CPython's
  own `ctypes`.

## Method

Each row runs in a Python process of its own (`bench/row.py`) with its own session; a row
that runs longer than {timeout:.0f} s or grows beyond {memory} GiB of resident memory is killed
and reported as failed. Each workload first makes one call whose result is checked (a wrong
result fails the row), then is timed in {reps} batches of N calls (N chosen so that a batch
takes about {batch:.2f} s; {slow_reps} batches when one call takes over {slow:.0f} s); start is
timed {start_reps} times. The tables give the minimum and the median of the per-call times of
the batches; targets are judged on the median of the worst variant (arch and convention) with
the default shared-memory transport. The `pipe` rows show the fallback transport for
comparison. Other load on the machine (for example a test run) inflates the numbers; see the
load averages above. Even on an idle machine, medians of repeated runs can differ by a third
or more on a small virtual machine, so run it more than once before concluding near a target.
"""


def markdown(info, rows, refs, method_values, scale_section=""):
    """The whole of docs/benchmarks.md (scale_section: bench/scale.py's, after the results)."""
    facts = "\n".join(f"- {name}: {value}" for name, value in info)
    return (
        "# Benchmarks\n\n"
        "Generated by `make bench` (`bench/run.py`); do not edit by hand, run it again.\n\n"
        f"## Machine\n\n{facts}\n\n"
        "## Command\n\n```sh\nmake bench\n```\n\n"
        f"## Targets\n\n{targets_table(rows, refs)}\n\n"
        f"## Results\n\n{results_table(rows, refs)}\n\n"
        + (f"{scale_section}\n" if scale_section else "")
        + METHOD.format(**method_values)
    )
