"""Pages side by side (tools/cores.py) and the lock that keeps their
Sphinx processes from writing the same files at once (tools/build_site.py)."""

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tools import build_site, cores


def test_shares_split_the_cores_without_overlap():
    every = cores.all_cores()
    assert cores.shares(1) == [every]
    for jobs in (2, 3, 100):
        split = cores.shares(jobs)
        assert len(split) == min(jobs, len(every))
        assert sorted(core for share in split for core in share) == every


def test_a_pinned_process_sees_only_its_cores():
    # what a page reads to choose its thread count (sidebyside.runtime)
    first = cores.all_cores()[:1]
    command = [sys.executable, "-c",
               "from sidebyside import runtime; print(runtime.cpu_count())"]
    seen = subprocess.run(cores.pinned(command, first), capture_output=True,
                          text=True, check=True).stdout.strip()
    print(f"a process pinned to core {first[0]} sees {seen} core(s)")
    assert seen == "1"
    assert cores.pinned(command, None) == command


def test_run_all_shares_cores_long_pages_first_the_benchmark_last():
    if len(cores.all_cores()) < 2:
        pytest.skip("needs two cores to run two pages at once")
    benchmark = Path("examples/performance/plot_performance.py")
    long_page = Path("examples/lenet/plot_lenet.py")  # in cores.FIRST
    pages = [Path(f"examples/topic/plot_{name}.py") for name in "abcd"]
    pages.append(long_page)
    held, log, lock = [], [], threading.Lock()

    def work(path, share):
        with lock:
            assert share not in held, f"{share} given twice at once"
            held.append(share)
            log.append((path, share, len(held)))
        time.sleep(0.2)
        with lock:
            held.remove(share)
        return path.stem

    results = cores.run_all([benchmark, *pages], work, jobs=2)
    assert results == {path: path.stem for path in [benchmark, *pages]}
    assert log[0][0] == long_page, log  # started first, though listed last
    assert log[-1] == (benchmark, None, 1), log  # last, alone, every core
    shares_used = {tuple(share) for path, share, _ in log[:-1]}
    assert shares_used == {tuple(share) for share in cores.shares(2)}
    most_at_once = max(count for _, _, count in log)
    print(f"at most {most_at_once} pages ran at once (bound: 2 jobs)")
    assert most_at_once == 2


def test_the_gallery_lock_is_free_only_while_the_example_runs(tmp_path,
                                                             monkeypatch):
    monkeypatch.setattr(build_site.GalleryLock, "path", tmp_path / "lock")
    try_lock = [sys.executable, "-c",
                "import fcntl, sys; f = open(sys.argv[1], 'w'); "
                "fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)",
                str(tmp_path / "lock")]

    def another_process_gets_it():
        return subprocess.run(try_lock, capture_output=True).returncode == 0

    lock = build_site.GalleryLock()
    lock.acquire()  # sphinx-gallery starts: shared files are being written
    assert not another_process_gets_it()
    lock({}, "plot_x.py", "before")  # the example runs
    assert another_process_gets_it()
    lock({}, "plot_x.py", "after")  # it ends: its files, then shared ones
    assert not another_process_gets_it()
    lock.release()
    assert another_process_gets_it()
