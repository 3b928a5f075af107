"""
`make bench`: times zugbruecke calls on win32 and win64, cdecl and stdcall, for
the workloads of bench/workloads.py, next to two references measured in the
same run (a TCP ping-pong to Wine and a native Linux ctypes call); prints the
results and writes them to docs/benchmarks.md.

Each row runs in a process of its own (bench/row.py), watched from here: one
that takes longer than ROW_TIMEOUT or grows beyond ROW_MEMORY is killed. A row
that fails is reported as "failed: ...", its traceback is printed at the end,
the other rows still run, and the exit status is 1.
"""

import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

import build
import report
import scale
import timing
import workloads

BENCH_DIR = pathlib.Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DOC = REPO_DIR / "docs" / "benchmarks.md"
ARCHS = ("win32", "win64")
CONVS = ("cdecl", "stdcall")
ROW_TIMEOUT = 60.0  # seconds
ROW_MEMORY = 2 << 30  # bytes of resident memory
POLL = 0.05  # seconds between looks at a running row
JUDGED = ("minimal", "memsync", "maximal", "bulk")  # workloads run for every arch and convention

# Variables that would override what each row asks for (they have the highest priority).
OVERRIDES = ("ZUGBRUECKE_ARCH", "ZUGBRUECKE_TRANSPORT")


def planned_rows():
    """The zugbruecke rows of the run, in the order measured."""
    rows = [report.Row(report.START, arch, "cdecl", "shm") for arch in ARCHS]
    for arch in ARCHS:
        rows += [report.Row(name, arch, conv, "shm") for conv in CONVS for name in JUDGED]
        rows += [report.Row("bulk-ubyte", arch, "cdecl", "shm"), report.Row("minimal", arch, "cdecl", "pipe")]
    return rows


def _rss(pid):
    """Resident memory of process pid in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _descendants(pid):
    """Pids of the processes that pid started, and of theirs, and so on."""
    parents = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        children = [p for p, parent in parents.items() if parent == current]
        found += children
        todo += children
    return found


def _kill(proc):
    """Kills proc and what it started (its session's server would outlive it)."""
    started = _descendants(proc.pid)
    proc.kill()
    proc.wait()
    for pid in started:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _watch(proc):
    """Waits for proc; kills it and says why when it runs too long or grows too big."""
    deadline = time.monotonic() + ROW_TIMEOUT
    while proc.poll() is None:
        if _rss(proc.pid) > ROW_MEMORY:
            problem = f"killed: more than {ROW_MEMORY >> 30} GiB of resident memory"
        elif time.monotonic() > deadline:
            problem = f"killed: still running after {ROW_TIMEOUT:.0f} s"
        else:
            time.sleep(POLL)
            continue
        _kill(proc)
        return problem
    return None


def _clip(text, head=3000, tail=1000):
    """text, or its start and end when long (a Go crash says what went wrong at
    the start, then lists every goroutine)."""
    if len(text) <= head + tail:
        return text
    return f"{text[:head]}\n[... {len(text) - head - tail} characters ...]\n{text[-tail:]}"


def _outcome(proc, problem, out, err):
    """(result dict, failure text: traceback and the end of stderr) of a
    finished row process."""
    out.seek(0)
    err.seek(0)
    stderr = _clip(err.read().decode(errors="replace").strip())
    stderr = f"standard error:\n{stderr}" if stderr else "(nothing on standard error)"
    lines = out.read().decode(errors="replace").strip().splitlines()
    if problem is None and lines:
        result = json.loads(lines[-1])
        return result, f"{result['traceback']}{stderr}" if "error" in result else ""
    if problem is None:
        rc = proc.returncode
        problem = f"killed by {signal.Signals(-rc).name}" if rc < 0 else f"exited with status {rc}"
    return {"error": problem}, stderr


def run_row(row):
    """Measures row in a process of its own; sets row.timing or row.error and
    returns the traceback text of a failure ("" on success)."""
    cmd = [sys.executable, str(BENCH_DIR / "row.py"), row.workload, row.arch, row.conv, row.transport]
    begin = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        result, tb = _outcome(proc, _watch(proc), out, err)
    took = f"{time.monotonic() - begin:.1f} s"
    if "error" in result:
        row.error = result["error"].splitlines()[0]
        print(f"{row.label}: failed: {row.error} ({took})", flush=True)
        return tb
    row.timing = timing.Timing(**result)
    print(f"{row.label}: median {report.format_time(row, 'median')} (N={row.timing.n}, {took})", flush=True)
    return ""


SCALE_TIMEOUT = 300.0  # seconds for the whole scale measurement


def run_scale():
    """The scale measurement (bench/scale.py) in a process of its own; its result dict,
    or {"error": ...}."""
    cmd = [sys.executable, str(BENCH_DIR / "scale.py")]
    begin = time.monotonic()
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=SCALE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"error": f"killed: still running after {SCALE_TIMEOUT:.0f} s"}
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        print(proc.stderr, file=sys.stderr)
        return {"error": (proc.stderr.strip().splitlines() or [f"exited with status {proc.returncode}"])[-1]}
    result = json.loads(lines[-1])
    ratios = ", ".join(f"{k} {v:.2f}" for k, v in result["ratios"].items() if v is not None)
    print(f"scale: {ratios} ({time.monotonic() - begin:.1f} s)", flush=True)
    return result


def _settings():
    """The settings of the method that docs/benchmarks.md describes."""
    return dict(timeout=ROW_TIMEOUT, memory=ROW_MEMORY >> 30, reps=timing.REPETITIONS,
                batch=timing.BATCH_SECONDS, slow_reps=timing.SLOW_REPETITIONS, slow=timing.SLOW_CALL,
                start_reps=workloads.START_REPETITIONS)


def main():
    for name in OVERRIDES:
        os.environ.pop(name, None)
    for arch in ARCHS:
        for conv in CONVS:
            build.bench_dll(arch, conv)
    build.bench_so()
    build.tcp_client_exe()
    info = report.machine(REPO_DIR)

    refs = {"tcp": report.Row(report.TCP, "win64"), "native": report.Row(report.NATIVE, "linux")}
    rows = planned_rows() + list(refs.values())
    failures = [(r, tb) for r in rows if (tb := run_row(r))]
    scale_result = run_scale()
    info.append(("Load average (1, 5, 15 min) at end", report.load_average()))

    print("\n" + report.targets_table(rows, refs) + "\n\n" + report.results_table(rows, refs))
    DOC.write_text(report.markdown(info, rows, refs, _settings(), scale.markdown(scale_result)))
    print(f"\nwritten: {DOC.relative_to(REPO_DIR)}")
    for r, tb in failures:
        print(f"\n{r.label}: failed: {r.error}\n{tb}", file=sys.stderr)
    return 1 if failures or "error" in scale_result else 0


if __name__ == "__main__":
    sys.exit(main())
