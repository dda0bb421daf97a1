"""Fixtures shared by the tests: a process that keeps one core busy."""

import subprocess
import time

import pytest


@pytest.fixture
def busy_core():
    """Another process spinning on one core while the test runs, as on a
    shared CI runner or a laptop doing something else."""
    spinner = subprocess.Popen(["sh", "-c", "while :; do :; done"])
    time.sleep(0.3)  # let it take its core
    yield spinner
    spinner.kill()
    spinner.wait()
