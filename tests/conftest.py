"""Fixtures shared by the tests: the site's build (run once, for every
test that needs it); the doctest build and the archive set up in a fresh
environment, both in the background from right after the html build; a
machine quiet of both; and a process that keeps one core busy.

The html build keeps every core busy; the two background jobs keep about
one core busy each, and run beside the tests that keep at most one busy
(the browser, the unit tests). Tests that time anything or use every core
request ``quiet_machine``: they run last (pytest_collection_modifyitems),
once both jobs are done.
"""

import concurrent.futures
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GALLERY = ROOT / "docs" / "auto_examples"


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
def doctest_started(html_build):
    """The doctest build, started in the background: a future of its
    (status, output)."""
    def build():
        completed = subprocess.run(
            [sys.executable, "tools/build_site.py", "doctest"], cwd=ROOT,
            text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return completed.returncode, completed.stdout

    with concurrent.futures.ThreadPoolExecutor(1) as background:
        yield background.submit(build)


@pytest.fixture(scope="session")
def doctest_build(doctest_started):
    """The doctest build's (status, output), once it is done."""
    return doctest_started.result()


@pytest.fixture(scope="session")
def archive_setup(html_build, tmp_path_factory):
    """The gallery's archive unpacked into an empty folder, and set up there
    as its README says, from its files alone: a fresh virtual environment
    with its pinned requirements and its helper package, then the offline
    digits. Yields (folder, the files it unpacked, environment, a future of
    the first step that failed, or None).

    The set-up runs in the background (see above): it is mostly pip
    writing 6 GB, about one core for two minutes."""
    import zipfile

    from tools import archive

    zipped = GALLERY / archive.NAME
    assert zipped.is_file(), zipped
    unpacked = tmp_path_factory.mktemp("archive")
    with zipfile.ZipFile(zipped) as opened:
        opened.extractall(unpacked)
    folder = unpacked / archive.FOLDER
    names = {path.relative_to(folder).as_posix()
             for path in folder.rglob("*") if path.is_file()}
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("SIDEBYSIDE", "PYTHON", "VIRTUAL"))}
    environment["SIDEBYSIDE_DATA"] = str(folder / "data")
    environment["MPLBACKEND"] = "agg"
    python = folder / ".venv" / "bin" / "python"
    steps = [
        [sys.executable, "-m", "venv", str(folder / ".venv")],
        [str(python), "-m", "pip", "install", "--quiet", "-r",
         "requirements.txt"],
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "."],
        [str(python), "-m", "sidebyside.data"],
    ]

    def set_up():
        for step in steps:
            result = subprocess.run(step, cwd=folder, env=environment,
                                    text=True, capture_output=True)
            if result.returncode != 0:
                return step, result.stdout[-2000:], result.stderr[-2000:]
        return None

    with concurrent.futures.ThreadPoolExecutor(1) as background:
        yield folder, names, environment, background.submit(set_up)


def pytest_collection_modifyitems(items):
    """Tests that need a quiet machine (quiet_machine) run last, in their
    order: the others run beside the background jobs."""
    items.sort(key=lambda item: "quiet_machine" in item.fixturenames)


@pytest.fixture(scope="session", autouse=True)
def background_jobs(request):
    """Start the background jobs that collected tests need (the doctest
    build, the archive's set-up) as soon as the html build is done; return
    their futures."""
    needed = set().union(*(item.fixturenames
                           for item in request.session.items))
    futures = []
    for name, future_of in (("doctest_started", lambda started: started),
                            ("archive_setup", lambda setup: setup[-1])):
        if name in needed:
            try:
                futures.append(future_of(request.getfixturevalue(name)))
            except Exception:  # it could not start: its own test says why
                pass
    return futures


@pytest.fixture(scope="session")
def quiet_machine(background_jobs):
    """For a test that times anything or uses every core: waits until the
    background jobs are done (whether or not they failed: their own tests
    say)."""
    for future in background_jobs:
        future.exception()


@pytest.fixture
def busy_core():
    """Another process spinning on one core while the test runs, as on a
    shared CI runner or a laptop doing something else."""
    spinner = subprocess.Popen(["sh", "-c", "while :; do :; done"])
    time.sleep(0.3)  # let it take its core
    yield spinner
    spinner.kill()
    spinner.wait()
