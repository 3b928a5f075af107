"""
Measures one row of `make bench` in a process of its own:

    python3 bench/row.py WORKLOAD ARCH CONV TRANSPORT

and prints one JSON line: {"n": ..., "per_call": [...]} (a timing.Timing), or
{"error": ..., "traceback": ...}. run.py starts one such process per row, so
that a crash, a hang or runaway memory use fails that row only. WORKLOAD is a
key of workloads.WORKLOADS, or report.START, report.TCP or report.NATIVE.
"""

import dataclasses
import json
import subprocess
import sys
import tempfile
import traceback

import zugbruecke

import build
import reference
import timing
import workloads
from report import NATIVE, START, TCP

START_ONCE = "start-once"  # one repetition of START, run by START in a process of its own


def _start_in_fresh_process(arch, conv):
    """Seconds of one session start in a new Python process, as a program's
    first session (the extension not yet loaded). Its output goes to a file:
    a wineserver it starts inherits the descriptors, and reading a pipe would
    wait for that server to exit."""
    cmd = [sys.executable, __file__, START_ONCE, arch, conv, "shm"]
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT)
        out.seek(0)
        lines = out.read().splitlines()
    if not lines or not lines[-1].startswith("{"):
        output = "\n".join(lines)
        raise RuntimeError(f"start in a new process: no result (exit status {proc.returncode})\n{output}")
    result = json.loads(lines[-1])
    if "error" in result:
        raise RuntimeError(f"start in a new process: {result['error']}\n{result['traceback']}")
    return result["per_call"][0]


def measure_row(workload, arch, conv, transport):
    """The Timing of one row."""
    if workload == NATIVE:
        return reference.native_add(build.bench_so())
    if workload == START:
        starts = [_start_in_fresh_process(arch, conv) for _ in range(workloads.START_REPETITIONS)]
        return timing.Timing(1, starts)
    if workload == START_ONCE:
        return timing.Timing(1, [workloads.start_seconds(arch, build.bench_dll(arch, conv))])
    if workload == TCP:
        with zugbruecke.CtypesSession(arch="win64") as session:
            return reference.tcp_ping_pong(build.tcp_client_exe(), session)
    with zugbruecke.CtypesSession(arch=arch, transport=transport) as session:
        lib = workloads.load(session, build.bench_dll(arch, conv), conv)
        call, args, check = workloads.WORKLOADS[workload](session, lib, conv)
        check()
        return timing.measure(call, *args)


def main(argv):
    try:
        result = dataclasses.asdict(measure_row(*argv))
    except Exception as e:
        result = {"error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()}
    print(json.dumps(result), flush=True)
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
