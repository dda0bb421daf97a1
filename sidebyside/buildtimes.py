"""How long the site takes to build (``python -m sidebyside.bench
--build-times [--cold]``): a no-change ``make html`` here and, with
``cold``, ``make test`` in a fresh clone."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time


def build_times(cold: bool = False, repository: str = ".") -> dict:
    """Seconds of a no-change ``make html`` here and, if ``cold``, of
    ``make test`` in a fresh clone (virtualenv, installs and all)."""
    def timed(command, cwd):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start

    subprocess.run(["make", "html"], cwd=repository, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = {"no_change_make_html_s": timed(["make", "html"], repository)}
    if cold:
        with tempfile.TemporaryDirectory() as scratch:
            clone = os.path.join(scratch, "clone")
            subprocess.run(["git", "clone", "-q", repository, clone],
                           check=True)
            times["cold_make_test_s"] = timed(["make", "test"], clone)
    return times
