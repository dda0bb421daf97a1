"""Fixtures shared by the tests: the site's build (run once, for every
test that needs it) and a process that keeps one core busy."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*arguments: str) -> tuple[int, str]:
    """Run a command, echoing its output; return (status, output)."""
    process = subprocess.Popen(arguments, cwd=ROOT, text=True,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    lines = []
    for line in process.stdout:
        print(line, end="", flush=True)
        lines.append(line)
    return process.wait(), "".join(lines)


@pytest.fixture(scope="session")
def html_build():
    return run(sys.executable, "tools/build_site.py", "html", "--clean")


@pytest.fixture(scope="session")
def doctest_build(html_build):
    return run(sys.executable, "tools/build_site.py", "doctest")


@pytest.fixture
def busy_core():
    """Another process spinning on one core while the test runs, as on a
    shared CI runner or a laptop doing something else."""
    spinner = subprocess.Popen(["sh", "-c", "while :; do :; done"])
    time.sleep(0.3)  # let it take its core
    yield spinner
    spinner.kill()
    spinner.wait()
