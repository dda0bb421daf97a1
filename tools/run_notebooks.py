"""Run the gallery's notebooks top to bottom, as a reader's Jupyter would.

Each notebook the site offers (``docs/auto_examples/**/*.ipynb``, written
by the build) runs in a fresh IPython kernel of this environment
(nbclient and ipykernel), in a copy of its folder, so that nothing it
writes lands in the site. The first cell that raises stops it; the error,
the cell and its traceback are printed.

Usage: ``python tools/run_notebooks.py [--jobs N] [NOTEBOOK.ipynb ...]``
(default: every notebook of the last build, one at a time). Exit status 1
if one failed. With ``--jobs 2`` two notebooks run at once, each kernel in
a process of its own: the pages are written to hold on a busy machine
(they take the cores that are free, and a speed they cannot measure is
reported as such), so this checks that they run, in about half the time;
their speeds are not the site's figures. The performance page's notebook
(:data:`ALONE`) runs on its own after the others.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import re
import subprocess
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parent.parent
GALLERY = ROOT / "docs" / "auto_examples"
#: The longest a cell may run (the benchmark's cells take about a minute).
CELL_TIMEOUT_S = 600


def notebooks() -> list[Path]:
    """Every notebook of the last build, the longest first (by its page's
    running time in the build, sphinx-gallery's ``.cost.json``), so that
    notebooks run two at a time finish together; then by name."""
    def last_running_time(notebook: Path) -> float:
        cost = notebook.with_suffix(".cost.json")
        try:
            return float(json.loads(cost.read_text())["time"])
        except (OSError, ValueError, KeyError):
            return 0.0

    return sorted(GALLERY.glob("*/plot_*.ipynb"),
                  key=lambda path: (-last_running_time(path), path))


def run(path: Path) -> tuple[float, str | None]:
    """Run one notebook; return (seconds, None) or (seconds, the error)."""
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="notebook-") as folder:
        shutil.copy(path, folder)
        client = nbclient.NotebookClient(
            notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3",
            resources={"metadata": {"path": folder}})
        start = time.perf_counter()
        try:
            client.execute()
        except nbclient.exceptions.CellExecutionError as error:
            # IPython colours its tracebacks; the log is plain text
            plain = re.sub(r"\x1b\[[0-9;]*m", "", str(error))
            return time.perf_counter() - start, plain
        return time.perf_counter() - start, None


#: Notebooks that run alone, never beside another: the performance page
#: starts a process per benchmark configuration and times them, and a
#: page running beside it slowed many-fold (the siamese training notebook:
#: 48 s on its own, 533 s beside the benchmark).
ALONE = ("performance/plot_performance.ipynb",)


def run_in_process(path: Path) -> tuple[float, str | None]:
    """:func:`run` in a Python process of its own (for ``--jobs``)."""
    result = subprocess.run(
        [sys.executable, __file__, "--one", str(path)],
        capture_output=True, text=True)
    try:
        seconds, error = json.loads(result.stdout.splitlines()[-1])
    except (IndexError, ValueError):
        return 0.0, f"the runner failed:\n{result.stdout}{result.stderr}"
    return seconds, error


def run_all(paths: list[Path], jobs: int = 1, report=print) -> dict:
    """Run ``paths``, ``jobs`` at a time (each in a process of its own when
    more than one), those in :data:`ALONE` afterwards on their own; call
    ``report(path, seconds, error)`` as each ends; return path -> (seconds,
    error)."""
    alone = [path for path in paths if path.is_relative_to(GALLERY)
             and path.relative_to(GALLERY).as_posix() in ALONE] \
        if jobs > 1 else []
    shared = [path for path in paths if path not in alone]
    runner = run if jobs == 1 else run_in_process
    results = {}
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        futures = {pool.submit(runner, path): path for path in shared}
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]] = future.result()
            report(futures[future], *results[futures[future]])
    for path in alone:
        results[path] = run_in_process(path)
        report(path, *results[path])
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--jobs", type=int, default=1,
                        help="notebooks run at once (default 1)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:  # a worker of --jobs: the result as JSON, last line
        print(json.dumps(run(args.one)))
        return 0
    paths = [path.resolve() for path in args.notebooks] or notebooks()
    if not paths:
        print("no notebook found: build the site first (make html)",
              file=sys.stderr)
        return 1
    print(f"running {len(paths)} notebooks, {args.jobs} at a time ...",
          flush=True)
    done = []

    def report(path, seconds, error):
        done.append(path)
        name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"[{len(done)}/{len(paths)}] {name}: "
              f"{'ok' if error is None else 'FAILED'} in {seconds:.1f} s",
              flush=True)
        if error is not None:
            print(error, flush=True)

    results = run_all(paths, args.jobs, report)
    failed = [path for path, (_, error) in results.items() if error]
    print(f"notebooks: {len(paths) - len(failed)} ran, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
