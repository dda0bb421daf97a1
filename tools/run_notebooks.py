"""Run the gallery's notebooks top to bottom, as a reader's Jupyter would.

Each notebook the site offers (``docs/auto_examples/**/*.ipynb``, written
by the build) runs in a fresh IPython kernel of this environment
(nbclient and ipykernel), in a copy of its folder, so that nothing it
writes lands in the site. The first cell that raises stops it; the error,
the cell and its traceback are printed.

Usage: ``python tools/run_notebooks.py [NOTEBOOK.ipynb ...]`` (default:
every notebook of the last build). Exit status 1 if one failed.
"""

from __future__ import annotations

import argparse
import re
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
    """Every notebook of the last build, in a stable order."""
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    paths = parser.parse_args(argv).notebooks or notebooks()
    if not paths:
        print("no notebook found: build the site first (make html)",
              file=sys.stderr)
        return 1
    failed = []
    for number, path in enumerate(paths, 1):
        name = path.resolve().relative_to(ROOT) if path.resolve(
            ).is_relative_to(ROOT) else path
        print(f"[{number}/{len(paths)}] {name} ...", flush=True)
        seconds, error = run(path)
        print(f"[{number}/{len(paths)}] {name}: "
              f"{'ok' if error is None else 'FAILED'} in {seconds:.1f} s",
              flush=True)
        if error is not None:
            print(error, flush=True)
            failed.append(name)
    print(f"notebooks: {len(paths) - len(failed)} ran, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
