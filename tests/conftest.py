"""Fixtures shared by the tests: the site's build (run once, for every
test that needs it), the archive set up in a fresh environment (in the
background, from right after the build), a machine quiet of both, and a
process that keeps one core busy."""

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
def doctest_build(html_build):
    return run(sys.executable, "tools/build_site.py", "doctest")


@pytest.fixture(scope="session")
def archive_setup(html_build, tmp_path_factory):
    """The gallery's archive unpacked into an empty folder, and set up there
    as its README says, from its files alone: a fresh virtual environment
    with its pinned requirements and its helper package, then the offline
    digits. Yields (folder, the files it unpacked, environment, a future of
    the first step that failed, or None).

    The set-up runs in the background, from right after the build
    (set_up_the_archive_early): it is mostly pip writing 6 GB, about one
    core for two minutes, beside tests that keep at most one core busy
    (the browser, the unit tests, the doctest build). Tests that time
    anything request quiet_machine, which waits for it."""
    import concurrent.futures
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


def _archive_collected(session) -> bool:
    return any("archive_setup" in item.fixturenames for item in session.items)


def pytest_collection_modifyitems(items):
    """Tests that need a quiet machine (quiet_machine) run last, in their
    order: the others run beside the archive's set-up."""
    items.sort(key=lambda item: "quiet_machine" in item.fixturenames)


@pytest.fixture(scope="session", autouse=True)
def set_up_the_archive_early(request):
    """Start the archive's set-up (archive_setup) as soon as the build is
    done, where a test that needs it was collected, so that it runs beside
    the tests that keep at most one core busy."""
    if _archive_collected(request.session):
        try:
            request.getfixturevalue("archive_setup")
        except Exception:  # no archive to set up: the archive test says why
            pass


@pytest.fixture(scope="session")
def quiet_machine(request):
    """For a test that times anything or uses every core: waits until the
    archive's set-up, where it runs, is done (whether or not it failed: its
    own test says)."""
    if _archive_collected(request.session):
        try:
            setting_up = request.getfixturevalue("archive_setup")[-1]
        except Exception:  # nothing is set up: the archive test says why
            return
        setting_up.exception()


@pytest.fixture
def busy_core():
    """Another process spinning on one core while the test runs, as on a
    shared CI runner or a laptop doing something else."""
    spinner = subprocess.Popen(["sh", "-c", "while :; do :; done"])
    time.sleep(0.3)  # let it take its core
    yield spinner
    spinner.kill()
    spinner.wait()
