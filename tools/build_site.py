"""Build the site, running every gallery example in a process of its own.

sphinx-gallery runs all examples inside the one Sphinx process. Here that
would let pages affect each other: ``import mxnet`` changes PyTorch's thread
count, seeds and memory carry over, and MXNet and PyTorch together in one
process have a history of crashes. So this driver

1. runs ``sphinx-build`` once per example whose source changed since it last
   ran (sphinx-gallery's MD5 cache), with ``SIDEBYSIDE_EXECUTE`` naming that
   example: that process executes it and nothing else, and sphinx-gallery
   caches its output;
2. runs ``sphinx-build`` a last time with ``SIDEBYSIDE_EXECUTE=none``: every
   page comes from the cache, and this pass reports warnings and broken
   references like any build.

``GALLERY_PATTERN`` (a regular expression, searched in each example's path)
limits which examples run, as in the PyTorch tutorials; the others are shown
without output. ``--noplot`` runs none.

Usage: ``python tools/build_site.py [html|doctest] [--noplot] [--clean]``
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from sphinx_gallery.utils import get_md5sum

from sidebyside import claims, timers

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "docs"
EXAMPLES = ROOT / "examples"
GALLERY = SOURCE / "auto_examples"
# what the pages record for the claim ledger (sidebyside.claims)
RECORDS = GALLERY / "records"
BUILD = ROOT / "_build"
SPHINX_FLAGS = ["-n", "-W", "--keep-going", "-q"]


def _peak_rss_mb() -> float:
    """This process's peak resident memory (``VmHWM``), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakMemory:
    """Run a function; return (peak memory in MB while it ran, its result).

    sphinx-gallery calls this around every code block of a page it runs
    (its ``show_memory`` setting) and reports the largest value as the
    page's memory. The peak is the resident memory of the Sphinx process
    that runs the page (Sphinx itself included, about 200 MB), reset
    before the block (``/proc/self/clear_refs``), so it is the most the
    process held while the block ran. Where Linux's counters cannot be
    read or reset, it is 0. (A class, not a function, so that Sphinx can
    cache the configuration that holds it.)
    """

    def __call__(self, function):
        try:
            with open("/proc/self/clear_refs", "w") as clear_refs:
                clear_refs.write("5")  # reset the peak to the current size
        except OSError:
            return 0.0, function()
        result = function()
        return _peak_rss_mb(), result

    def __eq__(self, other):
        return isinstance(other, PeakMemory)

    def __hash__(self):
        return hash(PeakMemory)

    def __repr__(self):
        return "PeakMemory()"


peak_memory = PeakMemory()


def examples() -> list[Path]:
    """Every gallery script, in a stable order."""
    return sorted(EXAMPLES.glob("**/plot_*.py"))


def is_current(example: Path) -> bool:
    """Whether sphinx-gallery holds the output of this exact source."""
    md5_file = GALLERY / example.relative_to(EXAMPLES)
    md5_file = md5_file.with_name(md5_file.name + ".md5")
    return md5_file.is_file() and \
        md5_file.read_text() == get_md5sum(example, mode="t")


def sphinx(builder: str, execute: str, extra: list[str]) -> int:
    """Run one ``sphinx-build`` process; return its exit status.

    A process that runs one example uses Sphinx's ``dummy`` builder (it
    writes nothing) in a folder of its own, and ``conf.py`` has it read no
    page but the home page: all it leaves is sphinx-gallery's cache of the
    example. It keeps no ``-W``: the home page's links to the pages it
    skips would be warnings; the final pass checks everything.
    """
    if execute == "none":
        flags, output = SPHINX_FLAGS, builder
    else:
        builder, flags, output = "dummy", ["-q"], "execute"
    command = [sys.executable, "-m", "sphinx", "-b", builder, "-c", str(ROOT),
               "-d", str(BUILD / f"doctrees-{output}"), *flags, *extra,
               str(SOURCE), str(BUILD / output)]
    environment = dict(os.environ, SIDEBYSIDE_EXECUTE=execute,
                       SIDEBYSIDE_RECORDS=str(RECORDS))
    return subprocess.call(command, cwd=ROOT, env=environment)


def run_examples(pattern: str | None, extra: list[str]) -> list[Path]:
    """Run each stale example in its own Sphinx process; return failures."""
    selected = [path for path in examples()
                if pattern is None or re.search(pattern, str(path))]
    stale = [path for path in selected if not is_current(path)]
    print(f"{len(selected)} examples selected, {len(stale)} to run "
          f"({len(selected) - len(stale)} unchanged since their last run)",
          flush=True)
    failures = []
    for number, example in enumerate(stale, 1):
        name = example.relative_to(ROOT)
        print(f"[{number}/{len(stale)}] running {name} ...", flush=True)
        page = example.relative_to(EXAMPLES).with_suffix("").as_posix()
        # the page records afresh
        claims.record_file(RECORDS, page).unlink(missing_ok=True)
        timers.speed_file(RECORDS, page).unlink(missing_ok=True)
        start = time.perf_counter()
        status = sphinx("html", str(example), extra)
        seconds = time.perf_counter() - start
        verdict = "ok" if status == 0 else f"FAILED (exit {status})"
        print(f"[{number}/{len(stale)}] {name}: {verdict} in {seconds:.1f} s",
              flush=True)
        if status != 0:
            failures.append(example)
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("builder", nargs="?", default="html",
                        choices=["html", "doctest"])
    parser.add_argument("--noplot", action="store_true",
                        help="run no example (pages show code only)")
    parser.add_argument("--clean", action="store_true",
                        help="forget every earlier build and run everything")
    args = parser.parse_args(argv)

    if args.clean:
        shutil.rmtree(BUILD, ignore_errors=True)
        shutil.rmtree(GALLERY, ignore_errors=True)
    extra = ["-D", "plot_gallery=0"] if args.noplot else []
    failures = []
    if args.builder == "html" and not args.noplot:
        failures = run_examples(os.environ.get("GALLERY_PATTERN"), extra)
    start = time.perf_counter()
    status = sphinx(args.builder, "none", extra)
    print(f"sphinx-build -b {args.builder}: "
          f"{'ok' if status == 0 else f'FAILED (exit {status})'} "
          f"in {time.perf_counter() - start:.1f} s", flush=True)
    for example in failures:
        print(f"example failed: {example.relative_to(ROOT)}", file=sys.stderr)
    if args.builder == "html" and status == 0:
        print(f"The site is in {BUILD / 'html'}; open "
              f"{BUILD / 'html' / 'index.html'}")
    return 1 if failures or status != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
