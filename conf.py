"""Sphinx configuration of *Define-by-Run, Side by Side*.

The sources are in ``docs/`` (narrative pages, MyST Markdown) and
``examples/`` (gallery scripts, executed at build time). Build with
``make html``; ``tools/build_site.py`` explains how examples are executed.
"""

import doctest
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # the `sidebyside` helper package

import sidebyside  # noqa: E402

project = "Define-by-Run, Side by Side"
author = "The Define-by-Run, Side by Side authors"
copyright = f"2026, {author}"
release = sidebyside.__version__

root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
nitpicky = True  # a broken reference is an error with -W (`make test`)
# The build is offline, so there is no intersphinx: type hints that name
# classes of the standard library, NumPy, MXNet or PyTorch have no target.
nitpick_ignore_regex = [("py:class", r"(os|pathlib|numpy|mxnet|torch)\..+")]

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.napoleon",
    "sphinx_design",
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
    # MathJax from a copy shipped with the site: no page asks the network
    "sphinx-mathjax-offline",
    # each glossary term links to its definition at its first use on a page
    "tools.glossary_links",
]

# -- MyST: narrative pages in Markdown -------------------------------------
myst_enable_extensions = ["colon_fence", "deflist", "substitution"]
myst_heading_anchors = 3


# -- Build information: what docs/built-with.md reports ----------------------
def _build_information():
    """Versions, machine and date of this build, as MyST substitutions."""
    import datetime
    import platform
    from importlib.metadata import version

    from sidebyside import runtime

    packages = ["mxnet", "torch", "torchvision", "numpy", "matplotlib",
                "sphinx", "sphinx-gallery", "myst-parser", "mlxtend"]
    rows = "\n".join(f"| {name} | {version(name)} |" for name in packages)
    return {
        "build_date": datetime.date.today().isoformat(),
        "python_version": platform.python_version(),
        "package_rows": "| package | version |\n|---|---|\n" + rows,
        "cpu": f"{runtime.cpu_model()}, {runtime.cpu_count()} cores "
               "available",
        "gpus": "; ".join(runtime.gpu_names()) or "none",
    }


myst_substitutions = _build_information()

# The claim ledger (docs/ledger.md), from what the gallery pages recorded
# when they ran (sidebyside.claims; tools/build_site.py sets the folder).
from sidebyside import claims  # noqa: E402
from tools.build_site import (  # noqa: E402
    GALLERY, RECORDS, gallery_lock, peak_memory)

# What tools/build_site.py asks of this process (SIDEBYSIDE_EXECUTE, see
# "sphinx-gallery" below): one example's path, "none", or unset.
_execute = os.environ.get("SIDEBYSIDE_EXECUTE")
# A process that runs one example, beside others that do the same
_one_example = _execute not in (None, "none")


def _page_costs() -> str:
    """Each gallery page's running time and peak memory, as a Markdown
    table, from what sphinx-gallery cached (``.cost.json`` beside each
    page) when the page last ran."""
    rows = []
    for cost_file in sorted(GALLERY.glob("*/plot_*.cost.json")):
        page = cost_file.relative_to(GALLERY).as_posix().removesuffix(
            ".cost.json")
        cost = json.loads(cost_file.read_text())
        memory = f"{cost['memory']:.0f} MB" if cost["memory"] else "-"
        rows.append(f"| {{doc}}`/auto_examples/{page}` | "
                    f"{cost['time']:.1f} s | {memory} |")
    if not rows:
        return "No gallery page has run in this build."
    return ("| page | running time | peak memory |\n|---|---:|---:|\n"
            + "\n".join(rows))


# A process that runs one example reads neither table, and other such
# processes may be writing the files they come from.
if not _one_example:
    myst_substitutions["claim_ledger"] = claims.ledger_markdown(RECORDS)
    myst_substitutions["page_costs"] = _page_costs()

# -- autodoc: the API reference of the helper package ----------------------
autodoc_member_order = "bysource"
autodoc_typehints = "description"

# -- doctest: API facts stated in the narrative pages are run --------------
# Exception messages are compared too (Sphinx ignores them by default), and
# seeds are fixed before every group so that printed values are stable.
doctest_default_flags = doctest.ELLIPSIS | doctest.DONT_ACCEPT_TRUE_FOR_1
doctest_global_setup = """
import numpy as np
np.random.seed(0)
"""

# -- sphinx-gallery: the examples ------------------------------------------
# Isolation. Every example runs in a Sphinx process of its own, started by
# tools/build_site.py, so that seeds, threads, imported frameworks and
# memory start fresh for every page (MXNet and PyTorch change each other's
# thread settings when imported together, and sphinx-gallery would otherwise
# run all examples in one process). The driver tells each process which
# example to run through SIDEBYSIDE_EXECUTE: a path runs that example only,
# "none" runs nothing (the final pass reuses sphinx-gallery's cache of what
# the earlier processes ran). Unset, this configuration behaves like a plain
# sphinx-gallery build and runs every example that matches GALLERY_PATTERN
# (default: all) in this one process.
_ignore_pattern = r"__init__\.py"
if _execute == "none":
    _filename_pattern = r"(?!)"  # matches nothing
elif _one_example:
    _filename_pattern = re.escape(str(Path(_execute).resolve())) + "$"
    # Such processes run side by side: each leaves the other examples alone
    # (sphinx-gallery matches the pattern to file names, which are unique)
    _ignore_pattern += rf"|^(?!{re.escape(Path(_execute).name)}$)"
    # Such a process only fills the cache: it reads no page but the home
    # page (the final pass reads and checks every page).
    exclude_patterns += [
        path.relative_to(ROOT / "docs").as_posix()
        for path in (ROOT / "docs").rglob("*.md") if path.stem != "index"
    ] + ["guide/**", "auto_examples/**"]
    # ... whose links to the skipped pages would be warnings
    suppress_warnings = ["toc.excluded", "toc.not_readable", "ref.doc"]
else:
    _filename_pattern = os.environ.get("GALLERY_PATTERN") or r"/plot_"

sphinx_gallery_conf = {
    # both relative to the source folder, docs/
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    # reading order of the topics; a new topic folder is added here
    "subsection_order": ["../examples/lenet", "../examples/debugging",
                         "../examples/siamese", "../examples/multihead",
                         "../examples/apis", "../examples/performance"],
    "within_subsection_order": "tools.gallery_order.ReadingOrder",
    "filename_pattern": _filename_pattern,
    "ignore_pattern": _ignore_pattern,
    "doc_module": ("sidebyside",),
    "backreferences_dir": None,
    "capture_repr": (),
    "remove_config_comments": True,
    "min_reported_time": 0,
    # each page's peak memory; docs/built-with.md tables every page's time
    # and memory (sphinx-gallery's own table loads scripts from a CDN)
    "show_memory": peak_memory,
    "write_computation_times": False,
    "show_api_usage": False,
    "download_all_examples": True,
    # each topic's pages sit under that topic in the sidebar: with nested
    # sections the gallery index ends with one toctree, which Sphinx files
    # under the index's last heading (every page under "Performance")
    "nested_sections": False,
    # figures also saved at twice the resolution, for high-density screens
    "image_srcset": ["2x"],
}
if _one_example:
    # ... and writes the gallery's shared files one process at a time
    # (tools.build_site.GalleryLock)
    sphinx_gallery_conf["reset_modules"] = ("matplotlib", gallery_lock)
    sphinx_gallery_conf["reset_modules_order"] = "both"
    # the download-all archives would read the files other such processes
    # are writing; the final pass writes them
    sphinx_gallery_conf["download_all_examples"] = False

# -- HTML: the Read the Docs theme -----------------------------------------
html_theme = "sphinx_rtd_theme"
html_title = project
html_theme_options = {
    "navigation_depth": 3,
    "collapse_navigation": False,
}
html_show_sourcelink = False
html_static_path = ["docs/_static"]  # relative to this file
html_css_files = ["sidebyside.css"]
# a click on a figure opens it at full size
html_js_files = ["sidebyside.js"]

# -- Copy buttons: code without its prompts and outputs ---------------------
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True


# -- The reader's archive: pages, helper package, requirements, README ------
def _write_archive(app):
    """Write docs/auto_examples/sidebyside-pages.zip (tools/archive.py)
    once sphinx-gallery has written the gallery's scripts and notebooks.
    A process that runs one example (the ``dummy`` builder, see
    tools/build_site.py) reads no gallery page, so it does not write it."""
    if app.builder.name == "dummy":
        return
    from tools import archive

    archive.write()


def setup(app):
    if _one_example:
        # before sphinx-gallery's builder-inited handler (priority 500)
        app.connect("builder-inited", gallery_lock.acquire, priority=400)
    # after sphinx-gallery's own builder-inited handler (priority 500)
    app.connect("builder-inited", _write_archive, priority=900)
