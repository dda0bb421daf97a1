"""Is the machine busy? How much CPU other processes used while we timed.

Speed comparisons on a shared machine are comparisons of moments unless
something notices the other work. :class:`LoadMeter` reads the kernel's
counters (``/proc/stat`` for the cores this process may use,
``/proc/<pid>/stat`` for the processes being timed) before and after a
block, and gives the cores' worth of CPU time that *other* processes used
meanwhile. On this project's quiet 2-core machine that is about 0.003
cores; one process spinning on a core is 1. Above :data:`BUSY_CORES`, a
measurement is marked as taken on a busy machine.

Where ``/proc`` does not exist (not Linux), nothing is known and nothing is
marked: its ``other_cores`` is ``None``.
"""

from __future__ import annotations

import os
import time

#: Other processes' average CPU use, in cores, above which a measurement
#: counts as taken on a busy machine: a hundred times a quiet machine's
#: background, a quarter of one busy core.
BUSY_CORES = 0.25

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _my_cpus() -> set[int]:
    try:
        return set(os.sched_getaffinity(0))
    except AttributeError:
        return set(range(os.cpu_count() or 1))


def busy_ticks(cpus: set[int] | None = None) -> int | None:
    """Clock ticks the given cores (default: this process's) spent busy,
    from ``/proc/stat``; None where it cannot be read."""
    cpus = _my_cpus() if cpus is None else cpus
    try:
        with open("/proc/stat") as stat:
            lines = stat.readlines()
    except OSError:
        return None
    total = 0
    for line in lines:
        name, *values = line.split()
        if name.startswith("cpu") and name[3:].isdigit() and \
                int(name[3:]) in cpus:
            ticks = list(map(int, values[:8]))
            total += sum(ticks) - ticks[3] - ticks[4]  # not idle, iowait
    return total


def process_ticks(pids) -> int | None:
    """User and system clock ticks the processes ``pids`` have used (all
    their threads, not their children); None where it cannot be read."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


class LoadMeter:
    """Measure what other processes used while a block ran::

        with LoadMeter(pids=[worker.pid]) as meter:
            ...  # the timed work, in this process or in ``pids``
        meter.other_cores   # cores' worth of other processes' CPU time

    or ``meter.start()`` ... ``meter.stop()`` around code that is not one
    block. ``pids`` are the processes doing the timed work (default: this
    one); this process's own ticks are always counted as ours. The counters
    tick every 10 ms: the figure means something over a second or more.
    """

    def __init__(self, pids=()):
        self.pids = sorted({os.getpid(), *pids})
        self.other_cores: float | None = None
        self.seconds = 0.0

    def start(self) -> "LoadMeter":
        self._start = (time.perf_counter(), busy_ticks(),
                       process_ticks(self.pids))
        return self

    def stop(self) -> float | None:
        """Stop measuring; return ``other_cores``, the cores' worth of CPU
        time other processes used meanwhile (None where unknown)."""
        end = (time.perf_counter(), busy_ticks(), process_ticks(self.pids))
        self.seconds = end[0] - self._start[0]
        if None in self._start or None in end or self.seconds <= 0:
            return None
        other = (end[1] - self._start[1]) - (end[2] - self._start[2])
        self.other_cores = max(0.0, other / _TICKS / self.seconds)
        return self.other_cores

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
        return False

    @property
    def busy(self) -> bool:
        """Whether other processes used more than :data:`BUSY_CORES`."""
        return self.other_cores is not None and \
            self.other_cores > BUSY_CORES


def busy_note(other_cores: float | None) -> str:
    """A sentence for a page's output: whether its times were taken on a
    busy machine."""
    if other_cores is None:
        return "(the machine's other load could not be read)"
    if other_cores > BUSY_CORES:
        return (f"MEASURED ON A BUSY MACHINE: other processes used "
                f"{other_cores:.2f} cores on average meanwhile, so these "
                "times are slower than this machine's and do not compare "
                "across runs")
    return (f"(other processes used {other_cores:.2f} cores meanwhile: a "
            "quiet machine)")
