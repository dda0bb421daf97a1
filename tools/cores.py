"""Run pages side by side, each process on cores of its own.

``tools/build_site.py`` runs every gallery page in a process of its own and
``tools/run_notebooks.py`` every notebook in a kernel of its own. Two at a
time on this project's 2-core machine, they finish in about two thirds of
the time one at a time takes (LeNet's and the siamese training page: 61 s
side by side, 91 s one after the other), but only if each keeps to its own
core. A page takes the cores it may use (:func:`sidebyside.runtime.cpu_count`
reads the process's CPU affinity); two pages that each took both cores
slowed each other many-fold, because an operator's OpenMP threads wait for
a core the other page holds (the siamese training notebook: 415 s instead
of 48 s). So each process starts under ``taskset`` with its share of the
cores and sees only those: it runs on fewer threads, not on a busy machine.

The pages that take longest (:data:`FIRST`) start first, so that the
shares finish together: started last, the siamese training page ran 44 s
on one core while the other core had nothing left to do. A page that times
processes of its own, the benchmark (:data:`ALONE`), runs afterwards, on
its own, with every core.
"""

from __future__ import annotations

import concurrent.futures
import os
import queue
from pathlib import Path
from typing import Callable

#: Pages (topic/name) that run alone, never beside another: the
#: performance page starts a process per benchmark configuration and times
#: them; a page running beside it slows both.
ALONE = ("performance/plot_performance",)


#: Pages (topic/name) that start first, the longest first: on the 2-core
#: machine each took 30-60 s on one core, most others 7-25 s.
FIRST = ("siamese/plot_siamese_training", "lenet/plot_lenet",
         "multihead/plot_multihead", "debugging/plot_control_flow")


def page_name(path: Path) -> str:
    """``topic/name`` of a page's script or notebook path."""
    return f"{path.parent.name}/{path.stem}"


def all_cores() -> list[int]:
    """The cores this process may use."""
    return sorted(os.sched_getaffinity(0))


def shares(jobs: int) -> list[list[int]]:
    """The cores split into ``jobs`` shares (at most one per core)."""
    cores = all_cores()
    jobs = max(1, min(jobs, len(cores)))
    return [cores[start::jobs] for start in range(jobs)]


def pinned(command: list[str], cores: list[int] | None) -> list[str]:
    """``command`` run on ``cores`` only (None: on every core)."""
    if cores is None:
        return command
    return ["taskset", "--cpu-list", ",".join(map(str, cores)), *command]


def run_all(paths: list[Path], work: Callable, jobs: int,
            report: Callable | None = None) -> dict:
    """Call ``work(path, cores)`` for every path, ``jobs`` at a time, each
    with a share of the cores (``cores`` is None with one job: every
    core), the :data:`FIRST` pages first; the :data:`ALONE` pages
    afterwards, one at a time, with every core. ``report(path, result)``
    is called as each ends. Returns path -> result."""
    alone = [path for path in paths if page_name(path) in ALONE]
    paths = sorted(paths, key=lambda path: FIRST.index(page_name(path))
                   if page_name(path) in FIRST else len(FIRST))
    free = queue.Queue()
    core_shares = shares(jobs)
    for share in core_shares:
        free.put(share if len(core_shares) > 1 else None)

    def on_a_share(path):
        cores = free.get()
        try:
            return work(path, cores)
        finally:
            free.put(cores)

    results = {}
    with concurrent.futures.ThreadPoolExecutor(len(core_shares)) as pool:
        futures = {pool.submit(on_a_share, path): path
                   for path in paths if path not in alone}
        for future in concurrent.futures.as_completed(futures):
            path = futures[future]
            results[path] = future.result()
            if report:
                report(path, results[path])
    for path in alone:
        results[path] = work(path, None)
        if report:
            report(path, results[path])
    return results
