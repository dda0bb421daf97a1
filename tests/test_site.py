"""The test suite is the build: the site builds clean and every page ran.

The html build runs every gallery page from scratch (``--clean``), each in a
process of its own, with warnings as errors (``-nW --keep-going``).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sidebyside import claims

from conftest import run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GALLERY = ROOT / "docs" / "auto_examples"
HTML = ROOT / "_build" / "html"
RUNNING_TIME = re.compile(r"\*\*Total running time of the script:\*\* "
                          r"\((\d+) minutes ([\d.]+) seconds\)")


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


def test_pages_train_as_fast_as_the_benchmark(html_build, quiet_machine):
    # The benchmark's own check, measured side by side: it runs each page
    # that records its training speed and, after each of its epochs, the
    # same configuration in a process of its own (sidebyside.bench). It
    # runs after the build and the archive's set-up, never beside them, so
    # that nothing of the tests' own competes with it.
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


MEMORY = re.compile(r"\*\*Estimated memory usage:\*\* +(\d+) MB")


def test_every_page_shows_its_time_and_peak_memory(html_build):
    table = (HTML / "built-with.html").read_text()
    for script in example_scripts():
        relative = script.relative_to(EXAMPLES).with_suffix("")
        page = (GALLERY / relative).with_suffix(".rst").read_text()
        memory = MEMORY.search(page)
        assert memory, f"{relative} shows no peak memory"
        # the Sphinx process alone holds more than 100 MB
        assert int(memory[1]) > 100, (relative, memory[0])
        assert f"{relative.name}.html" in table, relative


def test_every_gallery_page_has_a_thumbnail_of_its_own(html_build):
    # sphinx-gallery shows a placeholder for a page without a figure,
    # unless the page names an image (sphinx_gallery_thumbnail_path)
    for script in example_scripts():
        relative = script.relative_to(EXAMPLES).with_suffix("")
        page = (GALLERY / relative).with_suffix(".rst").read_text()
        has_figure = f"sphx_glr_{relative.name}_001.png" in page
        chose_image = "sphinx_gallery_thumbnail_path" in script.read_text()
        assert has_figure or chose_image, f"{relative} has no thumbnail"


def page_outputs(page: Path) -> list[str]:
    """The output blocks of a generated gallery page (its .rst)."""
    outputs, current = [], None
    for line in page.read_text().splitlines():
        if line.startswith(".. rst-class:: sphx-glr-script-out"):
            current = []
            outputs.append(current)
        elif current is not None and line and not line[0].isspace():
            current = None
        elif current is not None:
            current.append(line)
    return ["\n".join(block) for block in outputs]


def test_no_page_shows_a_path_of_the_building_machine(html_build):
    # No page of the site names the clone or the home folder; no output
    # shows a temporary folder or an installed package's full path.
    everywhere = [str(ROOT), str(Path.home()) + "/"]
    in_output = re.compile(r"/tmp/\w|site-packages/|"
                           + "|".join(map(re.escape, everywhere)))
    found = {}
    for page in HTML.rglob("*.html"):
        text = page.read_text()
        found.update({f"{page.relative_to(HTML)}: {path}": text.index(path)
                      for path in everywhere if path in text})
    for page in GALLERY.glob("*/plot_*.rst"):
        for block in page_outputs(page):
            for match in in_output.finditer(block):
                found[f"{page.name}: {match[0]}"] = block[
                    max(0, match.start() - 80):match.end() + 80]
    assert found == {}


@pytest.fixture(scope="session")
def notebook_runs(html_build, quiet_machine):
    """Every notebook the site offers, run as downloaded in a fresh IPython
    kernel, one per core at a time (tools/run_notebooks.py says why that is
    fair), with nothing of the tests' own beside them (quiet_machine)."""
    from tools import cores, run_notebooks

    def report(path, result):
        seconds, error = result
        print(f"notebook {path.relative_to(GALLERY)}: "
              f"{'ok' if error is None else 'FAILED'} in {seconds:.1f} s",
              flush=True)

    return run_notebooks.run_all(run_notebooks.notebooks(),
                                 len(cores.all_cores()), report)


@pytest.mark.parametrize("page", [
    script.relative_to(EXAMPLES).with_suffix("").as_posix()
    for script in example_scripts()])
def test_notebook_runs_top_to_bottom_in_a_kernel(notebook_runs, page):
    notebook = (GALLERY / page).with_suffix(".ipynb")
    assert notebook in notebook_runs, f"the site offers no {notebook.name}"
    seconds, error = notebook_runs[notebook]
    assert error is None, error[-4000:]


def test_archive_runs_a_page_in_a_fresh_environment(archive_setup):
    # what a reader does with the gallery's archive, from its files alone
    from tools import archive

    folder, names, environment, setting_up = archive_setup
    assert archive.NAME in (HTML / "auto_examples" / "index.html").read_text()
    for script in example_scripts():
        relative = script.relative_to(EXAMPLES)
        assert {relative.as_posix(),
                relative.with_suffix(".ipynb").as_posix()} <= names
    assert {"README.md", "requirements.txt", "pyproject.toml",
            "sidebyside/__init__.py", "sidebyside/data.py"} <= names
    failed = setting_up.result()
    assert failed is None, failed
    python = folder / ".venv" / "bin" / "python"
    # the page imports the archive's helper package, not this clone's
    page = folder / "debugging"
    result = subprocess.run(
        [str(python), "-c", "import sidebyside; print(sidebyside.__file__)"],
        cwd=page, env=environment, text=True, capture_output=True)
    assert str(folder) in result.stdout and str(ROOT) not in result.stdout, \
        result
    result = subprocess.run([str(python), "plot_recursion.py"], cwd=page,
                            env=environment, text=True, capture_output=True)
    print(result.stdout[-1500:])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "check passed" in result.stdout


def test_next_links_read_the_whole_site_in_one_order(html_build):
    # home page, guide, gallery (topic by topic), then the rest: one chain
    import posixpath

    page, chain = "index.html", []
    while page and page not in chain:
        chain.append(page)
        text = (HTML / page).read_text()
        found = re.search(r'<link rel="next" title="[^"]*" href="([^"]+)"',
                          text)
        page = posixpath.normpath(posixpath.join(
            posixpath.dirname(page), found[1])) if found else None
    print(" -> ".join(chain))
    guide = [name for name in chain if name.startswith("guide/")]
    gallery = [name for name in chain if name.startswith("auto_examples/")]
    assert chain.index(guide[-1]) < chain.index(gallery[0])
    scripts = [f"auto_examples/{script.relative_to(EXAMPLES).with_suffix('')}"
               ".html" for script in example_scripts()]
    assert sorted(gallery[1:]) == sorted(scripts)
    topics = [name.split("/")[1] for name in gallery[1:]]
    # each topic's pages are read together
    assert len(topics) - sum(a == b for a, b in zip(topics, topics[1:])) \
        == len(set(topics))
