"""
Batch timing: a workload is one callable with fixed arguments; it is timed in
batches of N calls, N chosen so that a batch takes about BATCH_SECONDS, and the
per-call time of each batch is kept.
"""

import dataclasses
import itertools
import statistics
import time

BATCH_SECONDS = 0.25
REPETITIONS = 7
SLOW_REPETITIONS = 3  # for workloads whose single call already takes longer than SLOW_CALL
SLOW_CALL = 1.0


@dataclasses.dataclass
class Timing:
    """Per-call seconds over the batches of one workload."""

    n: int  # calls per batch
    per_call: list  # seconds per call, one entry per batch

    @property
    def min(self):
        return min(self.per_call)

    @property
    def median(self):
        return statistics.median(self.per_call)


def _batch(call, args, n):
    """Seconds that n calls of call(*args) take."""
    start = time.perf_counter()
    for _ in itertools.repeat(None, n):
        call(*args)
    return time.perf_counter() - start


def _calibrate(call, args):
    """(calls per batch so that a batch takes about BATCH_SECONDS, seconds per
    call). The first, untimed call warms up what is prepared on first use; the
    estimate is the faster of two batches, so one hiccup does not shrink N."""
    call(*args)
    n = 1
    while (seconds := _batch(call, args, n)) < BATCH_SECONDS / 4:
        n *= 10
    per_call = min(seconds, _batch(call, args, n)) / n
    return max(1, round(BATCH_SECONDS / per_call)), per_call


def measure(call, *args):
    """Times call(*args) in batches; returns a Timing."""
    n, estimate = _calibrate(call, args)
    reps = SLOW_REPETITIONS if estimate > SLOW_CALL else REPETITIONS
    return Timing(n, [_batch(call, args, n) / n for _ in range(reps)])

