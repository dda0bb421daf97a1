"""The test suite is the build: the site builds clean and every page ran.

The html build runs every gallery page from scratch (``--clean``), each in a
process of its own, with warnings as errors (``-nW --keep-going``).
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sidebyside import claims

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GALLERY = ROOT / "docs" / "auto_examples"
HTML = ROOT / "_build" / "html"
RUNNING_TIME = re.compile(r"\*\*Total running time of the script:\*\* "
                          r"\((\d+) minutes ([\d.]+) seconds\)")


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


def example_scripts() -> list[Path]:
    return sorted(EXAMPLES.glob("**/plot_*.py"))


def test_html_build_passes_without_warnings(html_build):
    status, log = html_build
    problems = [line for line in log.splitlines()
                if re.search(r"WARNING|ERROR|FAILED|Traceback", line)]
    assert status == 0, "\n".join(problems) or log[-3000:]
    assert problems == []


def test_every_gallery_page_executed(html_build):
    scripts = example_scripts()
    assert scripts, "no gallery page found"
    seconds = {}
    for script in scripts:
        page = GALLERY / script.relative_to(EXAMPLES).with_suffix(".rst")
        match = RUNNING_TIME.search(page.read_text())
        assert match, f"{page} reports no running time"
        seconds[script.name] = 60 * int(match[1]) + float(match[2])
        assert "sphx-glr-script-out" in page.read_text(), \
            f"{page} shows no output"
    print(seconds)
    assert len(seconds) == len(scripts)
    assert all(value > 0 for value in seconds.values()), seconds


def test_every_gallery_page_is_in_the_site(html_build):
    for script in example_scripts():
        relative = script.relative_to(EXAMPLES)
        page = HTML / "auto_examples" / relative.with_suffix(".html")
        assert page.is_file(), page
        for download in (relative.name, relative.with_suffix(".ipynb").name):
            assert download in page.read_text(), (page, download)


def test_lenet_page_shows_figure_table_and_proofs(html_build):
    page = (HTML / "auto_examples" / "lenet" / "plot_lenet.html").read_text()
    assert "sphx_glr_plot_lenet_001.png" in page
    assert (HTML / "_images" / "sphx_glr_plot_lenet_001.png").is_file()
    for text in ("MXNet symbolic", "Gluon", "PyTorch", "images/s",
                 "same predictions as Gluon: True",
                 "largest logit difference over"):
        assert text in page, text


def test_doctest_builder_passes(doctest_build):
    status, log = doctest_build
    assert status == 0, log[-3000:]
    report = (ROOT / "_build" / "doctest" / "output.txt").read_text()
    tests = int(re.search(r"(\d+) tests?\n", report)[1])
    assert tests >= 5, report
    assert re.search(r"\b0 failures in tests", report), report


def test_pages_train_as_fast_as_the_benchmark(html_build):
    # The benchmark's own check, measured side by side: it runs each page
    # that records its training speed and, after each of its epochs, the
    # same configuration in a process of its own (sidebyside.bench). It
    # runs after the build, never beside it, so the two do not compete.
    status, output = run(sys.executable, "-m", "sidebyside.bench",
                         "--pages")
    assert "lenet/plot_lenet" in output
    assert status == 0, output


def test_ledger_has_every_page_record(html_build):
    recording = sorted(
        script.relative_to(EXAMPLES).with_suffix("").as_posix()
        for script in example_scripts()
        if "claims.record(" in script.read_text())
    records = sorted((GALLERY / "records").glob("*.json"))
    assert records == sorted(claims.record_file(GALLERY / "records", page)
                             for page in recording)
    ledger = (HTML / "ledger.html").read_text()
    for page in recording:
        assert f"{page.split('/')[1]}.html" in ledger, page


def test_every_claim_is_tested_with_checks_and_machine(html_build):
    # The ledger has no "untested" row: every claim has a record, and each
    # record carries the checks behind its verdict and where it ran.
    found = claims.collect(GALLERY / "records")
    untested = [claim for claim in claims.CLAIMS if not found[claim]]
    assert untested == []
    for claim, entries in found.items():
        assert claim in claims.CLAIMS, claim
        for entry in entries:
            assert entry["checks"], (claim, entry["page"])
            assert {"cpu", "cores", "gpus", "versions", "date"} <= \
                set(entry["machine"]), (claim, entry["page"])
    ledger = (HTML / "ledger.html").read_text()
    assert "untested" not in ledger
    assert ledger.count("why the bound is there") == sum(
        len(entries) for entries in found.values())
