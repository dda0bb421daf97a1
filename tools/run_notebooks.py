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
their speeds are not the site's figures.
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
    paths = args.notebooks or notebooks()
    if not paths:
        print("no notebook found: build the site first (make html)",
              file=sys.stderr)
        return 1
    failed = []
    runner = run if args.jobs == 1 else run_in_process
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(runner, path): path for path in paths}
        print(f"running {len(paths)} notebooks, {args.jobs} at a time ...",
              flush=True)
        for done, future in enumerate(
                concurrent.futures.as_completed(futures), 1):
            path = futures[future]
            name = path.resolve().relative_to(ROOT) \
                if path.resolve().is_relative_to(ROOT) else path
            seconds, error = future.result()
            print(f"[{done}/{len(paths)}] {name}: "
                  f"{'ok' if error is None else 'FAILED'} in {seconds:.1f} s",
                  flush=True)
            if error is not None:
                print(error, flush=True)
                failed.append(name)
    print(f"notebooks: {len(paths) - len(failed)} ran, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
