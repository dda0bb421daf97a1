"""Build the site, running every gallery example in a process of its own.

sphinx-gallery runs all examples inside the one Sphinx process. Here that
would let pages affect each other: ``import mxnet`` changes PyTorch's thread
count, seeds and memory carry over, and MXNet and PyTorch together in one
process have a history of crashes. So this driver

1. runs ``sphinx-build`` once per example whose source changed since it last
   ran (sphinx-gallery's MD5 cache), with ``SIDEBYSIDE_EXECUTE`` naming that
   example: that process executes it and nothing else, and sphinx-gallery
   caches its output. With ``--jobs N`` (default: one per core) N such
   processes run at once, each on a share of the cores (``tools/cores.py``
   says why); the benchmark page runs last, alone;
2. runs ``sphinx-build`` a last time with ``SIDEBYSIDE_EXECUTE=none``: every
   page comes from the cache, and this pass reports warnings and broken
   references like any build.

``GALLERY_PATTERN`` (a regular expression, searched in each example's path)
limits which examples run, as in the PyTorch tutorials; the others are shown
without output. ``--noplot`` runs none.

Usage: ``python tools/build_site.py [html|doctest] [--noplot] [--clean]
[--jobs N]``
"""

from __future__ import annotations

import argparse
import fcntl
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
sys.path.insert(0, str(ROOT))  # run as a script: `tools` is a package here
from tools import cores  # noqa: E402

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


class _ConfigCallable:
    """A callable of ``conf.py`` as a class, not a function, so that Sphinx
    can cache the configuration that holds it: every instance of a class
    equals every other."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __hash__(self):
        return hash(type(self))

    def __repr__(self):
        return f"{type(self).__name__}()"


class PeakMemory(_ConfigCallable):
    """Run a function; return (peak memory in MB while it ran, its result).

    sphinx-gallery calls this around every code block of a page it runs
    (its ``show_memory`` setting) and reports the largest value as the
    page's memory. The peak is the resident memory of the Sphinx process
    that runs the page (Sphinx itself included, about 200 MB), reset
    before the block (``/proc/self/clear_refs``), so it is the most the
    process held while the block ran. Where Linux's counters cannot be
    read or reset, it is 0.
    """

    def __call__(self, function):
        try:
            with open("/proc/self/clear_refs", "w") as clear_refs:
                clear_refs.write("5")  # reset the peak to the current size
        except OSError:
            return 0.0, function()
        result = function()
        return _peak_rss_mb(), result


peak_memory = PeakMemory()


class GalleryLock(_ConfigCallable):
    """Keep example processes that run at once from writing the same files.

    Every process started by :func:`execute` runs sphinx-gallery over the
    whole gallery: it ignores every example but its own (``conf.py``), yet
    it writes the gallery's index files and download archives before and
    after running it. Each holds this lock (``fcntl.flock`` on
    ``_build/gallery.lock``) from before sphinx-gallery starts until its
    example starts, and again from when it ends until the process exits:
    the examples run side by side, their writes one at a time. It is
    sphinx-gallery's ``reset_modules`` callable, called before and after
    the example (``reset_modules_order = "both"``).
    """

    path = BUILD / "gallery.lock"

    def acquire(self, app=None):
        if getattr(self, "_file", None) is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "w")
            fcntl.flock(self._file, fcntl.LOCK_EX)

    def release(self):
        if getattr(self, "_file", None) is not None:
            self._file.close()  # closing the file releases its lock
            self._file = None

    def __call__(self, gallery_conf, fname, when):
        if when == "before":
            self.release()
        else:
            self.acquire()

    def __getstate__(self):  # Sphinx pickles its configuration: no file
        return {}


gallery_lock = GalleryLock()


def examples() -> list[Path]:
    """Every gallery script, in a stable order."""
    return sorted(EXAMPLES.glob("**/plot_*.py"))


def is_current(example: Path) -> bool:
    """Whether sphinx-gallery holds the output of this exact source."""
    md5_file = GALLERY / example.relative_to(EXAMPLES)
    md5_file = md5_file.with_name(md5_file.name + ".md5")
    return md5_file.is_file() and \
        md5_file.read_text() == get_md5sum(example, mode="t")


def sphinx(builder: str, extra: list[str]) -> int:
    """Run the final ``sphinx-build`` (every page from sphinx-gallery's
    cache, warnings as errors); return its exit status."""
    command = [sys.executable, "-m", "sphinx", "-b", builder, "-c", str(ROOT),
               "-d", str(BUILD / f"doctrees-{builder}"), *SPHINX_FLAGS,
               *extra, str(SOURCE), str(BUILD / builder)]
    environment = dict(os.environ, SIDEBYSIDE_EXECUTE="none",
                       SIDEBYSIDE_RECORDS=str(RECORDS))
    return subprocess.call(command, cwd=ROOT, env=environment)


def execute(example: Path, extra: list[str],
            on_cores: list[int] | None) -> int:
    """Run one example in a ``sphinx-build`` process of its own, on
    ``on_cores`` (None: every core); return its exit status.

    The process uses Sphinx's ``dummy`` builder (it writes nothing) in
    folders of its own (one set per share of cores), and ``conf.py`` has it
    read no page but the home page: all it leaves is sphinx-gallery's
    cache of the example. It keeps no ``-W``: the home page's links to the
    pages it skips would be warnings; the final pass checks everything.
    """
    folder = "execute-" + ("all" if on_cores is None
                           else "-".join(map(str, on_cores)))
    command = [sys.executable, "-m", "sphinx", "-b", "dummy", "-c", str(ROOT),
               "-d", str(BUILD / f"doctrees-{folder}"), "-q", *extra,
               str(SOURCE), str(BUILD / folder)]
    environment = dict(os.environ, SIDEBYSIDE_EXECUTE=str(example),
                       SIDEBYSIDE_RECORDS=str(RECORDS))
    return subprocess.call(cores.pinned(command, on_cores), cwd=ROOT,
                           env=environment)


def run_examples(pattern: str | None, extra: list[str],
                 jobs: int) -> list[Path]:
    """Run each stale example in its own Sphinx process, ``jobs`` at a
    time; return failures."""
    selected = [path for path in examples()
                if pattern is None or re.search(pattern, str(path))]
    stale = [path for path in selected if not is_current(path)]
    share_count = len(cores.shares(jobs))
    print(f"{len(selected)} examples selected, {len(stale)} to run "
          f"({len(selected) - len(stale)} unchanged since their last run), "
          f"{share_count} at a time", flush=True)
    started = []

    def run(example, on_cores):
        started.append(example)
        number = f"[{len(started)}/{len(stale)}]"
        name = example.relative_to(ROOT)
        where = "every core" if on_cores is None else \
            "core " + ",".join(map(str, on_cores))
        print(f"{number} running {name} on {where} ...", flush=True)
        page = example.relative_to(EXAMPLES).with_suffix("").as_posix()
        # the page records afresh
        claims.record_file(RECORDS, page).unlink(missing_ok=True)
        timers.speed_file(RECORDS, page).unlink(missing_ok=True)
        start = time.perf_counter()
        status = execute(example, extra, on_cores)
        seconds = time.perf_counter() - start
        verdict = "ok" if status == 0 else f"FAILED (exit {status})"
        print(f"{number} {name}: {verdict} in {seconds:.1f} s", flush=True)
        return status

    statuses = cores.run_all(stale, run, jobs)
    return [example for example in stale if statuses[example] != 0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("builder", nargs="?", default="html",
                        choices=["html", "doctest"])
    parser.add_argument("--noplot", action="store_true",
                        help="run no example (pages show code only)")
    parser.add_argument("--clean", action="store_true",
                        help="forget every earlier build and run everything")
    parser.add_argument("--jobs", type=int, default=len(cores.all_cores()),
                        help="examples run at once, each on a share of the "
                             "cores (default: one per core)")
    args = parser.parse_args(argv)

    if args.clean:
        shutil.rmtree(BUILD, ignore_errors=True)
        shutil.rmtree(GALLERY, ignore_errors=True)
    extra = ["-D", "plot_gallery=0"] if args.noplot else []
    failures = []
    if args.builder == "html" and not args.noplot:
        failures = run_examples(os.environ.get("GALLERY_PATTERN"), extra,
                                args.jobs)
    start = time.perf_counter()
    status = sphinx(args.builder, extra)
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
