"""Run the gallery's notebooks top to bottom, as a reader's Jupyter would.

Each notebook the site offers (``docs/auto_examples/**/*.ipynb``, written
by the build) runs in a fresh IPython kernel of this environment
(nbclient and ipykernel), in a copy of its folder, so that nothing it
writes lands in the site. The first cell that raises stops it; the error,
the cell and its traceback are printed.

Usage: ``python tools/run_notebooks.py [--jobs N] [NOTEBOOK.ipynb ...]``
(default: every notebook of the last build, one per core at a time). Exit
status 1 if one failed. Notebooks that run at once each have a share of
the cores and run on fewer threads (``tools/cores.py`` says why), the
performance page's on its own after the others: their speeds are not the
site's figures, this checks that they run.
"""

from __future__ import annotations

import argparse
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
sys.path.insert(0, str(ROOT))  # run as a script: `tools` is a package here
from tools import cores  # noqa: E402
from tools.build_site import GALLERY  # noqa: E402

#: The longest a cell may run (the benchmark's cells take about a minute).
CELL_TIMEOUT_S = 600


def notebooks() -> list[Path]:
    """Every notebook of the last build."""
    return sorted(GALLERY.glob("*/plot_*.ipynb"))


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


def run_in_process(path: Path,
                   on_cores: list[int] | None) -> tuple[float, str | None]:
    """:func:`run` in a Python process of its own (and so its kernel) on
    ``on_cores`` (None: every core)."""
    command = [sys.executable, __file__, "--one", str(path)]
    result = subprocess.run(cores.pinned(command, on_cores),
                            capture_output=True, text=True)
    try:
        seconds, error = json.loads(result.stdout.splitlines()[-1])
    except (IndexError, ValueError):
        return 0.0, f"the runner failed:\n{result.stdout}{result.stderr}"
    return seconds, error


def run_all(paths: list[Path], jobs: int, report=None) -> dict:
    """Run ``paths`` (:func:`tools.cores.run_all`: ``jobs`` at a time, each
    on a share of the cores); call ``report(path, (seconds, error))`` as
    each ends; return path -> (seconds, error)."""
    return cores.run_all(paths, run_in_process, jobs, report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--jobs", type=int, default=len(cores.all_cores()),
                        help="notebooks run at once, each on a share of the "
                             "cores (default: one per core)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:  # a worker of run_in_process: the result as JSON
        print(json.dumps(run(args.one)))
        return 0
    paths = [path.resolve() for path in args.notebooks] or notebooks()
    if not paths:
        print("no notebook found: build the site first (make html)",
              file=sys.stderr)
        return 1
    print(f"running {len(paths)} notebooks, "
          f"{len(cores.shares(args.jobs))} at a time ...",
          flush=True)
    done = []

    def report(path, result):
        seconds, error = result
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
